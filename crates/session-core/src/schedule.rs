//! When to refresh ahead of an access token's expiry.

/// The policy of a proactive refresh: a little before expiry (a share of
/// the lifetime plus up to a few seconds of jitter, so that tabs do not all
/// try at once), never sooner than a floor after the token was received,
/// and not at all for a token too short-lived to refresh ahead.
///
/// All times are ms since the epoch on the wall clock, which moves on while
/// a machine sleeps: a deadline that passed during sleep is simply due on
/// waking, whatever timers did meanwhile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefreshAhead {
    /// The share of the lifetime left when the refresh is due (0.2: at 80 %).
    pub share: f64,
    /// The most jitter added to that lead, in ms (capped by the lead itself).
    pub max_jitter_ms: u64,
    /// Never due sooner than this after the token was received, in ms.
    pub floor_ms: u64,
    /// Tokens living shorter than this are refreshed only on a `401`.
    pub min_lifetime_ms: u64,
}

impl Default for RefreshAhead {
    fn default() -> Self {
        Self {
            share: 0.2,
            max_jitter_ms: 3_000,
            floor_ms: 1_000,
            min_lifetime_ms: 2_000,
        }
    }
}

impl RefreshAhead {
    /// When a token received at `received_at_ms` that expires at
    /// `expires_at_ms` is due for a refresh; `jitter` (from 0 to 1, drawn
    /// once per tab) spreads tabs apart. `None`: refresh reactively only.
    pub fn deadline(&self, received_at_ms: u64, expires_at_ms: u64, jitter: f64) -> Option<u64> {
        let lifetime = expires_at_ms.checked_sub(received_at_ms)?;
        if lifetime < self.min_lifetime_ms {
            return None;
        }
        let lead = (lifetime as f64 * self.share.clamp(0.0, 1.0)) as u64;
        let jitter_ms = (jitter.clamp(0.0, 1.0) * self.max_jitter_ms.min(lead) as f64) as u64;
        let due = expires_at_ms.saturating_sub(lead + jitter_ms);
        Some(due.max(received_at_ms + self.floor_ms))
    }

    /// Whether that refresh is due at `now_ms`.
    pub fn is_due(
        &self,
        received_at_ms: u64,
        expires_at_ms: u64,
        jitter: f64,
        now_ms: u64,
    ) -> bool {
        self.deadline(received_at_ms, expires_at_ms, jitter)
            .is_some_and(|due| now_ms >= due)
    }
}

/// How long to wait before trying again after refreshes kept failing for a
/// transient reason: doubling from `first_ms`, with jitter, up to `cap_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The pause after the first failure, in ms.
    pub first_ms: u64,
    /// The longest pause, in ms.
    pub cap_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first_ms: 2_000,
            cap_ms: 30_000,
        }
    }
}

impl Backoff {
    /// The pause after `failures` failures in a row (none: no pause), with
    /// `jitter` (0 to 1) taking up to a quarter off, so tabs spread out.
    pub fn delay_ms(&self, failures: u32, jitter: f64) -> u64 {
        if failures == 0 {
            return 0;
        }
        let full = self
            .first_ms
            .saturating_mul(1 << (failures - 1).min(20))
            .min(self.cap_ms);
        full - (full as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_its_cap_and_the_jitter_only_shortens_it() {
        let backoff = Backoff::default();
        let schedule: Vec<_> = (0..8).map(|n| backoff.delay_ms(n, 0.0)).collect();
        assert_eq!(
            schedule,
            [0, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(backoff.delay_ms(3, 1.0), 6_000);
        assert_eq!(backoff.delay_ms(u32::MAX, 0.5), 26_250, "no overflow");
    }

    const RECEIVED: u64 = 1_000_000;

    #[test]
    fn a_refresh_is_due_at_four_fifths_of_the_lifetime_give_or_take_the_jitter() {
        let policy = RefreshAhead::default();
        let expires = RECEIVED + 30_000;
        assert_eq!(
            policy.deadline(RECEIVED, expires, 0.0),
            Some(RECEIVED + 24_000)
        );
        assert_eq!(
            policy.deadline(RECEIVED, expires, 1.0),
            Some(RECEIVED + 21_000)
        );
        assert!(!policy.is_due(RECEIVED, expires, 0.0, RECEIVED + 23_999));
        assert!(policy.is_due(RECEIVED, expires, 0.0, RECEIVED + 24_000));
    }

    #[test]
    fn the_jitter_never_exceeds_the_lead_of_a_short_token() {
        let policy = RefreshAhead::default();
        // 6 s: lead 1.2 s, jitter at most 1.2 s.
        assert_eq!(
            policy.deadline(RECEIVED, RECEIVED + 6_000, 1.0),
            Some(RECEIVED + 3_600)
        );
        assert_eq!(
            policy.deadline(RECEIVED, RECEIVED + 6_000, 0.5),
            Some(RECEIVED + 4_200)
        );
    }

    #[test]
    fn a_jump_forward_of_an_hour_makes_the_refresh_due_at_once() {
        let policy = RefreshAhead::default();
        let expires = RECEIVED + 30_000;
        assert!(policy.is_due(RECEIVED, expires, 0.3, RECEIVED + 3_600_000));
    }

    #[test]
    fn a_token_already_expired_at_wake_is_due() {
        let policy = RefreshAhead::default();
        assert!(policy.is_due(RECEIVED, RECEIVED + 10_000, 0.9, RECEIVED + 10_001));
    }

    #[test]
    fn a_lifetime_under_the_minimum_is_refreshed_reactively_only() {
        let policy = RefreshAhead::default();
        assert_eq!(policy.deadline(RECEIVED, RECEIVED + 1_999, 0.0), None);
        assert!(!policy.is_due(RECEIVED, RECEIVED + 1_500, 0.0, RECEIVED + 1_000_000));
        // An expiry before the receipt (a broken clock) is no deadline either.
        assert_eq!(policy.deadline(RECEIVED, RECEIVED - 1, 0.0), None);
    }

    #[test]
    fn never_sooner_than_the_floor() {
        let policy = RefreshAhead {
            share: 0.9,
            ..RefreshAhead::default()
        };
        assert_eq!(
            policy.deadline(RECEIVED, RECEIVED + 2_000, 1.0),
            Some(RECEIVED + 1_000)
        );
    }
}

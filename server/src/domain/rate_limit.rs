//! Login limits that slow a guesser without refusing the real user.
//!
//! Failed logins are counted per (user name, client address), per client
//! address and per user name. Past a number of free failures, each key is
//! locked out for a minute, then for twice as long after each further
//! failure, up to a quarter of an hour; an hour without failures forgets it.
//! The (name, address) pair stops one guesser at 5 failures, wherever the
//! real user is; the address stops one client spraying many names (20); the
//! name stops a guesser with many addresses (100), but never at an address
//! the user has logged in from in the last 30 days. A successful login clears
//! its pair.
//!
//! Successful logins are throttled too, per user name and per address
//! (`--user-logins-per-minute`, `--address-logins-per-minute`), as a
//! generic cell rate: a burst of N, then one every 60/N seconds.
//!
//! Hand-written on purpose: failures and successes are told apart after the
//! password check, and both run on the server's injectable clock;
//! tower-governor and its kind count every request before the handler knows
//! how it went, on the system clock.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Failures of one user name from one address before it is locked out.
pub const PAIR_FREE_FAILURES: u32 = 5;
/// Failures from one address (any user names) before it is locked out.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// Failures of one user name (any addresses) before addresses the user has
/// not logged in from are locked out for it.
pub const NAME_FREE_FAILURES: u32 = 100;
/// The first lockout; each further failure doubles it.
pub const FIRST_LOCKOUT_MS: u64 = 60_000;
/// The longest lockout.
pub const MAX_LOCKOUT_MS: u64 = 15 * 60_000;
/// Failures are forgotten this long after the last of them.
pub const FORGET_AFTER_MS: u64 = 60 * 60_000;
/// How long an address a user logged in from stays exempt from the per-name
/// ceiling.
pub const KNOWN_ADDRESS_MS: u64 = 30 * 24 * 3_600_000;
/// How many such addresses are remembered per user name (the most recent).
pub const KNOWN_ADDRESSES_PER_NAME: usize = 8;
/// How often expired entries are swept out.
const PRUNE_EVERY_MS: u64 = 60_000;

/// A client as the limits see it: an IPv4 address, or the /64 network of an
/// IPv6 address (one subscriber commonly holds a whole /64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Client(IpAddr);

impl Client {
    fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !u128::from(u64::MAX);
                Client(IpAddr::V6(Ipv6Addr::from(network)))
            }
            v4 => Client(v4),
        }
    }
}

/// A login attempt: the user name (compared case-insensitively) and the
/// client address, when known.
#[derive(Clone, Debug)]
pub struct Attempt {
    name: String,
    client: Option<Client>,
}

impl Attempt {
    /// The attempt to log in as `user_name` from `client`.
    pub fn new(user_name: &str, client: Option<IpAddr>) -> Self {
        Self {
            name: user_name.to_lowercase(),
            client: client.map(Client::of),
        }
    }
}

/// Why an attempt is refused before its password is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failed logins; seconds until the next attempt may be made.
    Failures(u64),
    /// Too many successful logins; seconds until the next may be made.
    Successes(u64),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FailureKey {
    Pair(String, Option<Client>),
    Client(Client),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SuccessKey {
    Name(String),
    Client(Client),
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last_ms: u64,
}

impl Failures {
    fn forgotten(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.last_ms) >= FORGET_AFTER_MS
    }

    /// Until when the key is locked out, given `free` failures without.
    fn locked_until(&self, free: u32, now_ms: u64) -> u64 {
        if self.forgotten(now_ms) || self.count < free {
            return 0;
        }
        let doublings = (self.count - free).min(16);
        let lockout = FIRST_LOCKOUT_MS
            .saturating_mul(1 << doublings)
            .min(MAX_LOCKOUT_MS);
        self.last_ms.saturating_add(lockout)
    }
}

/// A generic cell rate: `per_minute` at once, then one every
/// `60 000 / per_minute` ms.
#[derive(Clone, Copy, Debug)]
struct Rate {
    interval_ms: u64,
    burst_ms: u64,
}

impl Rate {
    fn per_minute(count: u32) -> Self {
        let count = u64::from(count.max(1));
        let interval_ms = 60_000 / count;
        Self {
            interval_ms,
            burst_ms: interval_ms * (count - 1),
        }
    }

    /// Milliseconds to wait for the next cell, given the theoretical arrival
    /// time `tat_ms` of the key.
    fn wait_ms(&self, tat_ms: u64, now_ms: u64) -> u64 {
        tat_ms.saturating_sub(now_ms.saturating_add(self.burst_ms))
    }
}

#[derive(Default)]
struct State {
    failures: HashMap<FailureKey, Failures>,
    /// The theoretical arrival time of each throttled key.
    successes: HashMap<SuccessKey, u64>,
    /// Per user name, the addresses of recent successful logins and when.
    known: HashMap<String, Vec<(Client, u64)>>,
    pruned_at_ms: u64,
}

/// The login limits, shared by all requests.
pub struct LoginLimiter {
    per_user: Rate,
    per_address: Rate,
    state: Mutex<State>,
}

impl LoginLimiter {
    /// Limits with successful logins throttled to `user_per_minute` per
    /// user name and `address_per_minute` per client address.
    pub fn new(user_per_minute: u32, address_per_minute: u32) -> Self {
        Self {
            per_user: Rate::per_minute(user_per_minute),
            per_address: Rate::per_minute(address_per_minute),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `attempt` may have its password checked now. Checking records
    /// nothing, so refused attempts never extend a lockout.
    pub fn check(&self, attempt: &Attempt, now_ms: u64) -> Result<(), Refusal> {
        let state = self.state();
        let locked = |key: FailureKey, free: u32| {
            state
                .failures
                .get(&key)
                .map_or(0, |failures| failures.locked_until(free, now_ms))
        };
        let mut until = locked(
            FailureKey::Pair(attempt.name.clone(), attempt.client),
            PAIR_FREE_FAILURES,
        );
        if let Some(client) = attempt.client {
            until = until.max(locked(FailureKey::Client(client), ADDRESS_FREE_FAILURES));
        }
        if !state.is_known(attempt, now_ms) {
            until = until.max(locked(
                FailureKey::Name(attempt.name.clone()),
                NAME_FREE_FAILURES,
            ));
        }
        if until > now_ms {
            return Err(Refusal::Failures(seconds(until - now_ms)));
        }
        let tat = |key: SuccessKey| state.successes.get(&key).copied().unwrap_or(0);
        let mut wait_ms = self
            .per_user
            .wait_ms(tat(SuccessKey::Name(attempt.name.clone())), now_ms);
        if let Some(client) = attempt.client {
            wait_ms = wait_ms.max(
                self.per_address
                    .wait_ms(tat(SuccessKey::Client(client)), now_ms),
            );
        }
        if wait_ms > 0 {
            return Err(Refusal::Successes(seconds(wait_ms)));
        }
        Ok(())
    }

    /// Records a failed login against its pair, its address and its name.
    pub fn record_failure(&self, attempt: &Attempt, now_ms: u64) {
        let mut state = self.state();
        state.prune(now_ms);
        let mut keys = vec![
            FailureKey::Pair(attempt.name.clone(), attempt.client),
            FailureKey::Name(attempt.name.clone()),
        ];
        keys.extend(attempt.client.map(FailureKey::Client));
        for key in keys {
            let failures = state.failures.entry(key).or_insert(Failures {
                count: 0,
                last_ms: now_ms,
            });
            if failures.forgotten(now_ms) {
                failures.count = 0;
            }
            failures.count = failures.count.saturating_add(1);
            failures.last_ms = now_ms;
        }
    }

    /// Records a successful login: it counts against the throttles, clears
    /// the failures of its pair and makes its address known for the name.
    pub fn record_success(&self, attempt: &Attempt, now_ms: u64) {
        let mut state = self.state();
        state.prune(now_ms);
        state
            .failures
            .remove(&FailureKey::Pair(attempt.name.clone(), attempt.client));
        let mut throttled = vec![(SuccessKey::Name(attempt.name.clone()), self.per_user)];
        throttled.extend(
            attempt
                .client
                .map(|client| (SuccessKey::Client(client), self.per_address)),
        );
        for (key, rate) in throttled {
            let tat = state.successes.entry(key).or_insert(now_ms);
            *tat = (*tat).max(now_ms).saturating_add(rate.interval_ms);
        }
        if let Some(client) = attempt.client {
            let known = state.known.entry(attempt.name.clone()).or_default();
            known.retain(|(seen, _)| *seen != client);
            known.push((client, now_ms));
            if known.len() > KNOWN_ADDRESSES_PER_NAME {
                known.remove(0);
            }
        }
    }

    /// How many entries are remembered.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        let state = self.state();
        state.failures.len() + state.successes.len() + state.known.len()
    }
}

impl State {
    fn is_known(&self, attempt: &Attempt, now_ms: u64) -> bool {
        let Some(client) = attempt.client else {
            return false;
        };
        self.known.get(&attempt.name).is_some_and(|known| {
            known
                .iter()
                .any(|(seen, at)| *seen == client && now_ms.saturating_sub(*at) < KNOWN_ADDRESS_MS)
        })
    }

    /// Sweeps out what no longer matters, at most once a minute, so the
    /// tables hold only keys that failed within about the last hour,
    /// throttles still running, and recent known addresses.
    fn prune(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.pruned_at_ms) < PRUNE_EVERY_MS {
            return;
        }
        self.pruned_at_ms = now_ms;
        self.failures
            .retain(|_, failures| !failures.forgotten(now_ms));
        self.successes.retain(|_, tat| *tat > now_ms);
        self.known.retain(|_, known| {
            known.retain(|(_, at)| now_ms.saturating_sub(*at) < KNOWN_ADDRESS_MS);
            !known.is_empty()
        });
    }
}

/// Milliseconds as whole seconds, rounded up.
fn seconds(ms: u64) -> u64 {
    ms.div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("an address"))
    }

    fn limiter() -> LoginLimiter {
        LoginLimiter::new(10, 30)
    }

    #[test]
    fn a_pair_gets_five_free_failures_then_doubling_lockouts() {
        let limiter = limiter();
        let guess = Attempt::new("Alice", ip("192.0.2.1"));
        for i in 0..5 {
            assert_eq!(limiter.check(&guess, T0 + i), Ok(()));
            limiter.record_failure(&guess, T0 + i);
        }
        assert_eq!(limiter.check(&guess, T0 + 4), Err(Refusal::Failures(60)));
        assert_eq!(
            limiter.check(&guess, T0 + 60_003),
            Err(Refusal::Failures(1))
        );
        assert_eq!(limiter.check(&guess, T0 + 60_004), Ok(()));
        limiter.record_failure(&guess, T0 + 60_004);
        assert_eq!(
            limiter.check(&guess, T0 + 60_004),
            Err(Refusal::Failures(120))
        );
        // Case does not matter; the same name elsewhere is not locked.
        assert!(
            limiter
                .check(&Attempt::new("ALICE", ip("192.0.2.1")), T0 + 60_004)
                .is_err()
        );
        assert_eq!(
            limiter.check(&Attempt::new("alice", ip("192.0.2.2")), T0 + 60_004),
            Ok(())
        );
    }

    #[test]
    fn a_success_clears_its_pair_only() {
        let limiter = limiter();
        let typo = Attempt::new("alice", ip("192.0.2.1"));
        for _ in 0..4 {
            limiter.record_failure(&typo, T0);
        }
        limiter.record_success(&typo, T0);
        for _ in 0..4 {
            limiter.record_failure(&typo, T0);
        }
        assert_eq!(limiter.check(&typo, T0), Ok(()));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let limiter = limiter();
        for i in 0..ADDRESS_FREE_FAILURES {
            let attempt = Attempt::new(&format!("n{i}"), ip(&format!("2001:db8:1:2::{i:x}")));
            limiter.record_failure(&attempt, T0);
        }
        let same_64 = Attempt::new("other", ip("2001:db8:1:2:ffff::1"));
        assert!(matches!(
            limiter.check(&same_64, T0),
            Err(Refusal::Failures(60))
        ));
        let next_64 = Attempt::new("other", ip("2001:db8:1:3::1"));
        assert_eq!(limiter.check(&next_64, T0), Ok(()));
        // An IPv4 address written as IPv6 is the IPv4 address.
        let mapped = Attempt::new("x", ip("::ffff:192.0.2.1"));
        let plain = Attempt::new("x", ip("192.0.2.1"));
        for _ in 0..PAIR_FREE_FAILURES {
            limiter.record_failure(&mapped, T0);
        }
        assert!(limiter.check(&plain, T0).is_err());
    }

    #[test]
    fn successes_are_a_burst_then_a_steady_rate() {
        let limiter = LoginLimiter::new(3, 100);
        let login = Attempt::new("alice", None);
        for _ in 0..3 {
            assert_eq!(limiter.check(&login, T0), Ok(()));
            limiter.record_success(&login, T0);
        }
        assert_eq!(limiter.check(&login, T0), Err(Refusal::Successes(20)));
        assert_eq!(
            limiter.check(&login, T0 + 19_999),
            Err(Refusal::Successes(1))
        );
        assert_eq!(limiter.check(&login, T0 + 20_000), Ok(()));
    }

    #[test]
    fn stale_entries_are_forgotten() {
        let limiter = limiter();
        for i in 0..1000 {
            let attempt = Attempt::new(&format!("user{i}"), ip("192.0.2.1"));
            limiter.record_failure(&attempt, T0 + i);
        }
        limiter.record_success(&Attempt::new("alice", ip("192.0.2.9")), T0);
        // Per failure a pair and a name, one address; the success: two
        // throttles and a known address.
        assert_eq!(limiter.tracked(), 2000 + 1 + 2 + 1);
        // An hour after the last of them, the next record sweeps them out
        // (the known address stays for its 30 days).
        let late = Attempt::new("late", None);
        limiter.record_failure(&late, T0 + 999 + FORGET_AFTER_MS);
        assert_eq!(limiter.tracked(), 2 + 1);
    }
}

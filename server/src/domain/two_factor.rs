//! Two-factor sign-in with an authenticator app: time-based one-time
//! passwords (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps), what ABP's
//! `Authenticator` provider checks.

use totp_lite::{Sha1, totp_custom};

/// The name of the provider, as ABP's clients send it in `TwoFactorProvider`.
pub const PROVIDER: &str = "Authenticator";
/// Seconds per code.
const STEP_SECS: u64 = 30;
/// Digits per code.
const DIGITS: u32 = 6;

/// The code `key` gives at `now_ms`.
pub fn code_at(key: &[u8], now_ms: u64) -> String {
    totp_custom::<Sha1>(STEP_SECS, DIGITS, key, now_ms / 1000)
}

/// Whether `code` is the code of `key` at `now_ms`, or of the step before
/// or after (the phone's clock and the server's may differ by a few seconds).
pub fn verify(key: &[u8], code: &str, now_ms: u64) -> bool {
    let step_ms = STEP_SECS * 1000;
    [now_ms.saturating_sub(step_ms), now_ms, now_ms + step_ms]
        .into_iter()
        .any(|at| code_at(key, at) == code.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 key and its 8-digit codes (the last
    /// six digits are the 6-digit codes).
    #[test]
    fn the_codes_of_rfc_6238() {
        let key = b"12345678901234567890";
        assert_eq!(code_at(key, 59_000), "287082");
        assert_eq!(code_at(key, 1_111_111_109_000), "081804");
        assert_eq!(code_at(key, 2_000_000_000_000), "279037");
    }

    #[test]
    fn a_code_is_good_for_its_step_and_its_neighbours_only() {
        let key = b"12345678901234567890";
        let now = 1_111_111_109_000;
        let code = code_at(key, now);
        assert!(verify(key, &code, now));
        assert!(verify(key, &code, now + 30_000));
        assert!(!verify(key, &code, now + 90_000));
        assert!(!verify(key, "000000", now));
        assert!(!verify(b"another key 12345678", &code, now));
    }
}

//! Argon2id password hashing. Both functions are slow on purpose: call them
//! from `spawn_blocking` when on the async runtime.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// A hash of a password nobody knows, made with the same parameters as real
/// hashes, so a login for an unknown user name costs as much as one for a
/// known name and timing does not reveal which names exist.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$v9n+sE2NZQZZadOw9sxdyA$k47xL335wRMXcw7QppY6e/CfTYsNVpnf6cInGjSyQpM";

/// Hashes `password` with Argon2id, the default parameters and a random salt,
/// as a PHC string.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())?
        .to_string())
}

/// Whether `password` matches the PHC string `phc`; a malformed `phc` never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{Params, PasswordHash};

    #[test]
    fn hash_then_verify() -> Result<(), argon2::password_hash::Error> {
        let phc = hash("correct horse")?;
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        assert!(!verify("correct horse", "not a hash"));
        Ok(())
    }

    #[test]
    fn dummy_hash_costs_as_much_as_a_real_one() -> Result<(), argon2::password_hash::Error> {
        let dummy = PasswordHash::new(DUMMY_HASH)?;
        let real = PasswordHash::new(&hash("x")?)?;
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(Params::try_from(&dummy)?, Params::try_from(&real)?);
        assert!(!verify("", DUMMY_HASH));
        Ok(())
    }
}

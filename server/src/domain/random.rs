//! Secrets and identifiers from the operating system's random source.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `N` random bytes.
pub fn bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)?;
    Ok(buf)
}

/// An opaque token of 256 random bits, base64url without padding (43 characters).
pub fn token() -> Result<String, getrandom::Error> {
    Ok(URL_SAFE_NO_PAD.encode(bytes::<32>()?))
}

/// A random version-4 UUID in the usual hyphenated lower-case form, as ABP
/// uses for ids. Built from our own random bytes rather than
/// `Uuid::new_v4`, which panics when the operating system gives none.
pub fn guid() -> Result<String, getrandom::Error> {
    Ok(uuid::Builder::from_random_bytes(bytes()?)
        .into_uuid()
        .to_string())
}

/// A new concurrency stamp as ABP writes them: 32 lower-case hex digits.
pub fn stamp() -> Result<String, getrandom::Error> {
    Ok(bytes::<16>()?.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_differ() -> Result<(), getrandom::Error> {
        let (a, b) = (token()?, token()?);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).map(|v| v.len()).ok(), Some(32));
        assert_ne!(a, b);
        Ok(())
    }

    #[test]
    fn guids_are_random_v4_uuids() -> Result<(), Box<dyn std::error::Error>> {
        let (a, b) = (guid()?, guid()?);
        let parsed = uuid::Uuid::try_parse(&a)?;
        assert_eq!(parsed.get_version(), Some(uuid::Version::Random));
        assert_eq!(parsed.hyphenated().to_string(), a, "lower-case, hyphenated");
        assert_ne!(a, b);
        Ok(())
    }
}

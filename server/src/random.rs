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

/// A random version-4 GUID in the usual 8-4-4-4-12 hexadecimal form, as ABP
/// uses for ids.
pub fn guid() -> Result<String, getrandom::Error> {
    let mut b = bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
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
    fn guids_have_the_v4_layout() -> Result<(), getrandom::Error> {
        let id = guid()?;
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        Ok(())
    }
}

//! Random bytes from the browser's `crypto.getRandomValues`.

/// `N` random bytes; an error says why the browser gave none.
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0_u8; N];
    web_sys::window()
        .ok_or_else(|| "no window".to_owned())?
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes))
        .map_err(|e| format!("crypto.getRandomValues: {e:?}"))?;
    Ok(bytes)
}

/// A new idempotency key: 128 random bits in hex.
pub(crate) fn idempotency_key() -> Result<String, String> {
    Ok(bytes::<16>()?.iter().map(|b| format!("{b:02x}")).collect())
}

//! Numbers as the pages show them, formatted from integers: Rust's float
//! formatting (`core::fmt::float`) costs the bundle about 12 KB of wasm,
//! and the pages need only a fixed number of decimals.

/// `value` rounded to `decimals` places (at most 6), e.g. `fixed(89.5, 2)`
/// is `"89.50"`. Not-a-number and infinities, which no page shows, are `"–"`.
pub fn fixed(value: f64, decimals: u32) -> String {
    let decimals = decimals.min(6);
    let scale = 10_i64.pow(decimals);
    let scaled = (value * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= i64::MAX as f64 {
        return "–".to_owned();
    }
    let scaled = scaled as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let (whole, fraction) = (
        scaled.unsigned_abs() / scale as u64,
        scaled.unsigned_abs() % scale as u64,
    );
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole}.{fraction:0width$}",
            width = decimals as usize
        )
    }
}

/// A span of whole seconds in its two largest units: `45 s`, `12 min 5 s`,
/// `3 h 20 min`, `6 d 23 h` (negative spans are `0 s`).
pub fn span(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, _) => format!("{minutes} min {secs} s"),
        (0, _, _) => format!("{hours} h {minutes} min"),
        _ => format!("{days} d {hours} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_show_their_two_largest_units() {
        assert_eq!(span(-5), "0 s");
        assert_eq!(span(45), "45 s");
        assert_eq!(span(725), "12 min 5 s");
        assert_eq!(span(12_000), "3 h 20 min");
        assert_eq!(span(604_799), "6 d 23 h");
    }

    #[test]
    fn decimals_are_rounded_and_padded_like_the_float_formatter() {
        for (value, decimals) in [
            (89.5, 2),
            (1250.0, 2),
            (432.75, 2),
            (2.4, 2),
            (0.0, 1),
            (12.34, 1),
            (0.05, 1),
            (-3.456, 2),
            (48_250.0, 0),
            (1e9 + 0.25, 2),
        ] {
            assert_eq!(
                fixed(value, decimals),
                format!("{value:.prec$}", prec = decimals as usize),
                "{value} to {decimals}"
            );
        }
    }

    #[test]
    fn what_is_not_a_number_is_a_dash() {
        assert_eq!(fixed(f64::NAN, 2), "–");
        assert_eq!(fixed(f64::INFINITY, 2), "–");
        assert_eq!(fixed(1e300, 2), "–");
    }
}

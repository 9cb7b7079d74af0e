//! The one way the fake's settings and faults write a duration, for the binary's flags and
//! the `FromStr` of the fault types.

use std::time::Duration;

/// How a duration is written in the fake's syntax (`delay=`, `late=`, `--latency`,
/// `--listing-lag`), for help and error texts.
pub const DURATION_SYNTAX: &str =
    "MILLISECONDS: a whole number of milliseconds (1500), or with a unit (1500ms, 2s)";

/// Parses a duration written as [`DURATION_SYNTAX`] says: `1500`, `1500ms` or `2s`.
///
/// ```
/// use openrouter_keys_testkit::parse_duration;
/// use std::time::Duration;
///
/// assert_eq!(parse_duration("1500"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
/// assert!(parse_duration("soon").unwrap_err().contains("1500ms"));
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit): (&str, fn(u64) -> Duration) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, Duration::from_millis)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, Duration::from_secs)
    } else {
        (text, Duration::from_millis)
    };
    // `u64::from_str` takes a leading `+`; a duration written with one is a typo.
    match number.parse::<u64>() {
        Ok(n) if !number.starts_with('+') => Ok(unit(n)),
        _ => Err(format!(
            "`{text}` is not a duration; write {DURATION_SYNTAX}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_bare_milliseconds_and_the_two_units_only() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        for bad in ["", "ms", "s", "-1", "+5", "1.5s", "2m", "2 s", "1h"] {
            let error = parse_duration(bad).unwrap_err();
            assert!(error.contains("MILLISECONDS"), "{bad}: {error}");
        }
    }
}

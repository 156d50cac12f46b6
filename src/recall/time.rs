//! A small UTC timestamp: RFC 3339 in, RFC 3339 out, millisecond precision.
//!
//! Recall writes `2025-08-21T11:00:04.640193Z` in bot objects and
//! `2025-01-29T23:49:58.570998+00:00` in webhooks. We hand-parse both (no
//! chrono in the wasm bundle) into milliseconds since the Unix epoch.
//!
//! The library never reads the clock (that panics on wasm32-unknown-unknown):
//! whoever needs "now" passes it in, e.g. [`Timestamp::from_millis`] with
//! JavaScript's `Date.now()`.

use std::fmt;

/// A moment in UTC, in milliseconds since 1970-01-01T00:00:00Z.
///
/// Serializes as an RFC 3339 string (`2025-08-21T11:00:04.640Z`); deserializes
/// from an RFC 3339 string or from a number of epoch milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Years outside 0000..=9999 are refused so formatting stays RFC 3339.
const MIN_MILLIS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX_MILLIS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

impl Timestamp {
    /// From epoch milliseconds (JavaScript's `Date.now()`); `None` outside years 0..=9999.
    pub fn from_millis(millis: i64) -> Option<Timestamp> {
        (MIN_MILLIS..=MAX_MILLIS)
            .contains(&millis)
            .then_some(Timestamp(millis))
    }

    /// From JavaScript's `Date.now()` as it arrives (a float); `None` when not
    /// finite or out of range.
    pub fn from_js(millis: f64) -> Option<Timestamp> {
        if !millis.is_finite() || millis.abs() >= 1e15 {
            return None;
        }
        // Finite and in range: the cast cannot saturate.
        #[allow(clippy::cast_possible_truncation)]
        Timestamp::from_millis(millis as i64)
    }

    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds from `self` to `later` (negative if `later` is earlier).
    pub fn seconds_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(1000)
    }

    /// Parse RFC 3339 / ISO 8601 with a date, a time and an offset (`Z`,
    /// `+00:00`, `-0530`); fractional seconds of any length are accepted and
    /// truncated to milliseconds. A bare date-time without offset is read as UTC.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.trim().as_bytes();
        let year = digits(b, 0, 4)?;
        expect(b, 4, b'-')?;
        let month = digits(b, 5, 2)?;
        expect(b, 7, b'-')?;
        let day = digits(b, 8, 2)?;
        match b.get(10) {
            Some(b'T' | b't' | b' ') => {}
            _ => return None,
        }
        let hour = digits(b, 11, 2)?;
        expect(b, 13, b':')?;
        let minute = digits(b, 14, 2)?;
        expect(b, 16, b':')?;
        let second = digits(b, 17, 2)?;
        let mut i = 19;
        let mut millis = 0i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                if i - start < 3 {
                    millis = millis * 10 + i64::from(c - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..3 {
                millis *= 10;
            }
        }
        let offset_minutes = match b.get(i) {
            None => 0,
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(&sign @ (b'+' | b'-')) => {
                let oh = digits(b, i + 1, 2)?;
                let (om, end) = if b.get(i + 3) == Some(&b':') {
                    (digits(b, i + 4, 2)?, i + 6)
                } else {
                    (digits(b, i + 3, 2)?, i + 5)
                };
                if end != b.len() || oh > 23 || om > 59 {
                    return None;
                }
                let m = oh * 60 + om;
                if sign == b'-' {
                    -m
                } else {
                    m
                }
            }
            _ => return None,
        };
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
        Timestamp::from_millis(secs * 1000 + millis)
    }

    /// `2025-08-21T11:00:04.640Z` (milliseconds, always UTC).
    pub fn to_rfc3339(self) -> String {
        let (y, mo, d, h, mi, s, ms) = self.parts();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }

    /// `2025-08-21 11:00:04 UTC`, for people.
    pub fn human(self) -> String {
        let (y, mo, d, h, mi, s, _) = self.parts();
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
    }

    /// `11:00:04`, for timelines where the date is already shown.
    pub fn clock(self) -> String {
        let (_, _, _, h, mi, s, _) = self.parts();
        format!("{h:02}:{mi:02}:{s:02}")
    }

    /// `2025-08-21`.
    pub fn date(self) -> String {
        let (y, mo, d, ..) = self.parts();
        format!("{y:04}-{mo:02}-{d:02}")
    }

    fn parts(self) -> (i64, i64, i64, i64, i64, i64, i64) {
        let ms = self.0.rem_euclid(1000);
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        (y, mo, d, rem / 3600, rem % 3600 / 60, rem % 60, ms)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp or epoch milliseconds")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v)
                    .ok_or_else(|| E::custom(format!("not an RFC 3339 timestamp: {v:?}")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Timestamp::from_millis(v).ok_or_else(|| E::custom("timestamp out of range"))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(Timestamp::from_millis)
                    .ok_or_else(|| E::custom("timestamp out of range"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Timestamp, E> {
                if v.is_finite() && v.abs() < 1e15 {
                    // In range, so the cast cannot saturate.
                    #[allow(clippy::cast_possible_truncation)]
                    let ms = v as i64;
                    Timestamp::from_millis(ms).ok_or_else(|| E::custom("timestamp out of range"))
                } else {
                    Err(E::custom("timestamp out of range"))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `30s`, `4m 05s`, `1h 02m`, `3d 4h` — compact durations for people.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = b.get(at..at.checked_add(n)?)?;
    slice.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn expect(b: &[u8], at: usize, c: u8) -> Option<()> {
    (b.get(at) == Some(&c)).then_some(())
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recall_formats() {
        let a = Timestamp::parse("2025-08-21T11:00:04.640193Z").unwrap();
        assert_eq!(a.to_rfc3339(), "2025-08-21T11:00:04.640Z");
        let b = Timestamp::parse("2025-01-29T23:49:58.570998+00:00").unwrap();
        assert_eq!(b.to_rfc3339(), "2025-01-29T23:49:58.570Z");
        let c = Timestamp::parse("2025-01-29T23:49:58+02:00").unwrap();
        assert_eq!(c.to_rfc3339(), "2025-01-29T21:49:58.000Z");
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z").unwrap().millis(),
            0
        );
        assert_eq!(
            Timestamp::parse("2024-02-29T00:00:00.5Z")
                .unwrap()
                .to_rfc3339(),
            "2024-02-29T00:00:00.500Z"
        );
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "2025",
            "2025-13-01T00:00:00Z",
            "2025-02-30T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00Zjunk",
            "２０２５-01-01T00:00:00Z",
            "2025-01-01T00:00:00+99:00",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(1200), "20m 00s");
        assert_eq!(human_duration(3725), "1h 02m");
        assert_eq!(human_duration(-3), "0s");
    }
}

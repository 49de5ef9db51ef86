//! Times as a responder types them: `12:35`, `12:35:10` (UTC, today, or yesterday when that
//! would be in the future), `2026-12-04 12:35[:10]`, or RFC 3339.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, fmt) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    for fmt in ["%H:%M:%S", "%H:%M"] {
        if let Ok(t) = NaiveTime::parse_from_str(text, fmt) {
            let today: NaiveDate = now.date_naive();
            let at = Utc.from_utc_datetime(&today.and_time(t));
            // A time of day later than now means yesterday (just after midnight, "23:50").
            return Ok(if at > now + chrono::Duration::minutes(1) {
                at - chrono::Duration::days(1)
            } else {
                at
            });
        }
    }
    Err(format!(
        "`{}` is not a time: write HH:MM[:SS] (UTC) or YYYY-MM-DD HH:MM[:SS]",
        crate::sanitize::clean_line(text, 40)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_typed() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 12, 40, 0).unwrap();
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 12, 4, h, m, s).unwrap();
        assert_eq!(parse_time("12:35", now), Ok(at(12, 35, 0)));
        assert_eq!(parse_time(" 12:35:10 ", now), Ok(at(12, 35, 10)));
        assert_eq!(parse_time("2026-12-04 09:01", now), Ok(at(9, 1, 0)));
        assert_eq!(parse_time("2026-12-04T09:01:02Z", now), Ok(at(9, 1, 2)));
        assert_eq!(
            parse_time("23:50", now),
            Ok(Utc.with_ymd_and_hms(2026, 12, 3, 23, 50, 0).unwrap())
        );
        assert!(parse_time("soon", now).unwrap_err().contains("not a time"));
        assert!(parse_time("25:00", now).is_err());
    }
}

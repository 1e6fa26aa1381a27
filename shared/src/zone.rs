//! The desk's time zone (`TIMEZONE`: an IANA name) as a chrono [`TimeZone`].
//!
//! The zone is read once, at start, from the IANA database compiled into the binary as one block
//! of bytes (jiff's bundled tzdb: no system files needed on `provided.al2023`). A table of every
//! zone as Rust statics (chrono-tz's) holds tens of thousands of pointers the loader must
//! relocate at every cold start of a position-independent executable; one block holds none.
//! Dates are still chrono's everywhere else: only the offsets come from here.

use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeZone};
use std::fmt;

/// An IANA time zone.
#[derive(Clone)]
pub struct Zone {
    name: std::sync::Arc<str>,
    tz: jiff::tz::TimeZone,
}

impl Zone {
    /// The zone named `name` (`Europe/Moscow`), as the IANA database spells it (case aside).
    pub fn named(name: &str) -> Option<Zone> {
        let tz = jiff::tz::TimeZone::get(name).ok()?;
        let name = tz.iana_name().unwrap_or(name);
        Some(Zone { name: name.into(), tz })
    }

    /// Its IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn offset(&self, seconds: i32) -> ZoneOffset {
        // Every offset of the database is within a day, which is all FixedOffset refuses.
        let fixed = FixedOffset::east_opt(seconds).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
        ZoneOffset { zone: self.clone(), fixed }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl std::str::FromStr for Zone {
    type Err = String;
    fn from_str(name: &str) -> Result<Zone, String> {
        Zone::named(name).ok_or_else(|| format!("{name:?} is not an IANA time zone"))
    }
}

/// The offset of a [`Zone`] at some moment (it knows its zone, as chrono requires).
#[derive(Clone)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.fixed, self.zone)
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.fixed, f)
    }
}

/// A chrono date and time as jiff's (`None` past jiff's range, years -9999 to 9999).
fn civil(local: &NaiveDateTime) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, Timelike};
    jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        i8::try_from(local.month()).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        i8::try_from(local.second()).ok()?,
        i32::try_from(local.nanosecond().min(999_999_999)).ok()?,
    )
    .ok()
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(chrono::NaiveTime::MIN))
    }

    /// A local time in a gap (clocks moved forward over it) has no offset, and one in a fold
    /// (clocks moved back over it) two, the earlier first: as chrono-tz answers.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<ZoneOffset> {
        use jiff::tz::AmbiguousOffset;
        let Some(civil) = civil(local) else { return MappedLocalTime::None };
        match self.tz.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => MappedLocalTime::Single(self.offset(offset.seconds())),
            AmbiguousOffset::Gap { .. } => MappedLocalTime::None,
            AmbiguousOffset::Fold { before, after } => {
                MappedLocalTime::Ambiguous(self.offset(before.seconds()), self.offset(after.seconds()))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        let seconds = utc.and_utc().timestamp();
        let offset = jiff::Timestamp::from_second(seconds).map_or(0, |at| self.tz.to_offset(at).seconds());
        self.offset(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn names_are_iana_names() {
        assert_eq!(Zone::named("Europe/Moscow").unwrap().name(), "Europe/Moscow");
        assert_eq!(Zone::named("europe/moscow").unwrap().name(), "Europe/Moscow");
        assert!(Zone::named("Mars/Olympus").is_none());
        assert!(Zone::named("").is_none());
        assert!("MSK+3".parse::<Zone>().is_err());
    }

    #[test]
    fn moscow_is_three_hours_ahead_and_was_four_in_2013() {
        let moscow = Zone::named("Europe/Moscow").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 9, 30, 0).unwrap();
        assert_eq!(now.with_timezone(&moscow).format("%d.%m.%Y %H:%M %z").to_string(), "06.12.2026 12:30 +0300");
        let then = Utc.with_ymd_and_hms(2013, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(then.with_timezone(&moscow).format("%H:%M").to_string(), "04:00");
    }

    #[test]
    fn gaps_have_no_local_time_and_folds_two() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // 2026-03-29 02:30 never happened in Berlin; 2026-10-25 02:30 happened twice.
        assert!(berlin.with_ymd_and_hms(2026, 3, 29, 2, 30, 0).single().is_none());
        assert!(matches!(berlin.with_ymd_and_hms(2026, 3, 29, 2, 30, 0), MappedLocalTime::None));
        let MappedLocalTime::Ambiguous(first, second) = berlin.with_ymd_and_hms(2026, 10, 25, 2, 30, 0) else {
            panic!("a fold")
        };
        assert_eq!((first.offset().fix().local_minus_utc(), second.offset().fix().local_minus_utc()), (7200, 3600));
        let summer = berlin.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).single().unwrap();
        assert_eq!(summer.with_timezone(&Utc).format("%H:%M").to_string(), "10:00");
    }
}

//! The desk's working hours (`WORKING_HOURS`, `WORKING_HOLIDAYS`, in `TIMEZONE`): whether the
//! desk is open at a moment and, if not, when it opens next. A ticket or comment made outside
//! them gets one more sentence in its confirmation; nothing else depends on them.
//!
//! `WORKING_HOURS` is one or more groups separated by commas, each days then a time range:
//! `Mon-Fri 09:00-18:00`, `Mon-Fri 09:00-18:00, Sat 10:00-14:00`, `Mon,Wed,Fri 08:30-17:00`.
//! Empty: always open. `WORKING_HOLIDAYS` lists dates the desk is closed all day
//! (`2027-01-01,2027-01-07`).

use crate::zone::Zone as Tz;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use std::collections::BTreeSet;

/// Opening hours per weekday (Monday first) and closed dates, in a time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    /// `(opens, closes)` of each weekday, Monday first; `None`: closed that day.
    days: [Option<(NaiveTime, NaiveTime)>; 7],
    holidays: BTreeSet<NaiveDate>,
    zone: Tz,
}

const DAYS: [(&str, Weekday); 7] = [
    ("Mon", Weekday::Mon),
    ("Tue", Weekday::Tue),
    ("Wed", Weekday::Wed),
    ("Thu", Weekday::Thu),
    ("Fri", Weekday::Fri),
    ("Sat", Weekday::Sat),
    ("Sun", Weekday::Sun),
];

impl WorkingHours {
    /// The hours `hours` and `holidays` describe; `Ok(None)` when `hours` is empty (always
    /// open). The error names what is wrong, for the configuration's message.
    pub fn parse(hours: &str, holidays: &str, zone: Tz) -> Result<Option<WorkingHours>, String> {
        if hours.trim().is_empty() {
            return Ok(None);
        }
        let mut days = [None; 7];
        // Days may be a comma list ("Mon,Wed 09:00-18:00"): a part without times carries its
        // days on to the next part that has them.
        let mut carried: Vec<usize> = vec![];
        for part in hours.split(',').map(str::trim) {
            let (names, range) = match part.rsplit_once(' ') {
                Some((names, range)) if range.contains(':') => (names.trim(), Some(range.trim())),
                _ => (part, None),
            };
            carried.extend(day_set(names).ok_or_else(|| format!("{names:?}: expected days like Mon-Fri or Sat"))?);
            let Some(range) = range else { continue };
            let (opens, closes) = time_range(range).ok_or_else(|| format!("{range:?}: expected HH:MM-HH:MM"))?;
            for day in carried.drain(..) {
                days[day] = Some((opens, closes));
            }
        }
        if !carried.is_empty() {
            return Err(format!("{hours:?}: the last days have no time range, like Mon-Fri 09:00-18:00"));
        }
        let holidays = holidays
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| format!("{d:?}: expected YYYY-MM-DD")))
            .collect::<Result<_, _>>()?;
        Ok(Some(WorkingHours { days, holidays, zone }))
    }

    /// Checks the three settings as a deploy gives them (the zone by its IANA name), before any
    /// function reads them: the error names the parameter and what is wrong.
    pub fn check(hours: &str, holidays: &str, zone: &str) -> Result<(), String> {
        // Read exactly as the functions read `TIMEZONE` (`config.rs`): what passes here, they take.
        let zone: Tz = zone.parse().map_err(|_| format!("TimeZone: {zone:?} is not an IANA time zone"))?;
        WorkingHours::parse(hours, holidays, zone)
            .map(drop)
            .map_err(|reason| format!("WorkingHours/WorkingHolidays: {reason}"))
    }

    /// When the desk next opens after `now`, in its zone; `None` if it is open at `now` (or
    /// never opens: no working day at all).
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let local = now.with_timezone(&self.zone);
        let today = local.date_naive();
        if let Some((opens, closes)) = self.hours_on(today) {
            if opens <= local.time() && local.time() < closes {
                return None;
            }
            if local.time() < opens {
                return self.at(today, opens);
            }
        }
        (1..=400)
            .map(|n| today + Duration::days(n))
            .find_map(|day| self.hours_on(day).and_then(|(o, _)| self.at(day, o)))
    }

    fn hours_on(&self, day: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        if self.holidays.contains(&day) {
            return None;
        }
        self.days[day.weekday().num_days_from_monday() as usize]
    }

    /// The local moment (the earliest, where a clock change makes two).
    fn at(&self, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Tz>> {
        self.zone.from_local_datetime(&day.and_time(time)).earliest()
    }
}

/// `09:00-18:00` (opening before closing).
fn time_range(text: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (opens, closes) = text.split_once('-')?;
    let opens = NaiveTime::parse_from_str(opens.trim(), "%H:%M").ok()?;
    let closes = NaiveTime::parse_from_str(closes.trim(), "%H:%M").ok()?;
    (opens < closes).then_some((opens, closes))
}

/// `Mon-Fri`, `Sat` or `Mon Wed`: weekday indexes, Monday 0.
fn day_set(text: &str) -> Option<Vec<usize>> {
    let index = |name: &str| DAYS.iter().position(|(n, _)| n.eq_ignore_ascii_case(name.trim()));
    let mut set = vec![];
    for part in text.split(' ').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (index(from)?, index(to)?);
                if from > to {
                    return None;
                }
                set.extend(from..=to);
            }
            None => set.push(index(part)?),
        }
    }
    (!set.is_empty()).then_some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moscow(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Tz::named("Europe/Moscow").unwrap().with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    fn hours(spec: &str, holidays: &str) -> WorkingHours {
        WorkingHours::parse(spec, holidays, Tz::named("Europe/Moscow").unwrap()).unwrap().unwrap()
    }

    #[test]
    fn empty_means_always_open() {
        assert_eq!(WorkingHours::parse("  ", "", Tz::named("Europe/Moscow").unwrap()), Ok(None));
    }

    #[test]
    fn the_next_opening_is_found_across_nights_weekends_and_holidays() {
        let desk = hours("Mon-Fri 09:00-18:00", "2027-01-01,2027-01-04");
        let opening = |at| desk.next_opening(at).map(|t| t.naive_local().to_string());
        // Thursday 26 November 2026.
        assert_eq!(opening(moscow(2026, 11, 26, 12, 0)), None, "open at noon");
        assert_eq!(opening(moscow(2026, 11, 26, 8, 59)), Some("2026-11-26 09:00:00".into()), "before opening");
        assert_eq!(opening(moscow(2026, 11, 26, 23, 0)), Some("2026-11-27 09:00:00".into()), "at 23:00");
        assert_eq!(opening(moscow(2026, 11, 26, 18, 0)), Some("2026-11-27 09:00:00".into()), "closing time is closed");
        assert_eq!(opening(moscow(2026, 11, 27, 19, 0)), Some("2026-11-30 09:00:00".into()), "Friday evening");
        assert_eq!(opening(moscow(2026, 11, 28, 12, 0)), Some("2026-11-30 09:00:00".into()), "Saturday");
        // Thursday 31 December: Friday 1 January and Monday 4 January are holidays.
        assert_eq!(opening(moscow(2026, 12, 31, 20, 0)), Some("2027-01-05 09:00:00".into()), "over the holidays");
    }

    #[test]
    fn several_groups_and_day_lists() {
        let desk = hours("Mon,Wed 08:30-17:00, Sat 10:00-14:00", "");
        let opening = |at| desk.next_opening(at).map(|t| t.naive_local().to_string());
        assert_eq!(opening(moscow(2026, 11, 30, 8, 45)), None, "Monday morning");
        assert_eq!(opening(moscow(2026, 12, 1, 9, 0)), Some("2026-12-02 08:30:00".into()), "Tuesday: Wednesday");
        assert_eq!(opening(moscow(2026, 12, 3, 9, 0)), Some("2026-12-05 10:00:00".into()), "Thursday: Saturday");
    }

    #[test]
    fn nonsense_is_refused_with_its_reason() {
        for (spec, holidays) in [
            ("Mon-Fri", ""),
            ("Mon-Fri 9-18", ""),
            ("Mon-Fri 18:00-09:00", ""),
            ("Fri-Mon 09:00-18:00", ""),
            ("Moon 09:00-18:00", ""),
            ("Mon-Fri 09:00-18:00", "2027-13-01"),
        ] {
            assert!(
                WorkingHours::parse(spec, holidays, Tz::named("Europe/Moscow").unwrap()).is_err(),
                "{spec:?} {holidays:?}"
            );
        }
    }
}

//! Reports people read, made from a written plan: one self-contained HTML page with a
//! network map and timetables, an Excel workbook, calendars, attendance registers and
//! credit-transfer lists, and a FET file (`profnet report`).
//!
//! Every writer takes the same [`ReportInput`] and writes into the output directory it
//! is given; [`write_reports`] writes them all.

pub mod fet;
pub mod html;
pub mod ics;
pub mod registers;
pub mod xlsx;

use std::path::Path;

use crate::graph::TravelTimes;
use crate::lang::Lang;
use crate::model::Network;
use crate::plan::kpi::Kpis;
use crate::planfile::read::PlanOnDisk;

/// A calendar date (the profile day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` (a real date of the Gregorian calendar).
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= date.days_in_month())
            .then_some(date)
    }

    fn days_in_month(self) -> u32 {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today's date (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// `YYYYMMDD`, as calendars write dates.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What every report is made from.
pub struct ReportInput<'a> {
    pub net: &'a Network,
    pub tt: &'a TravelTimes,
    /// The plan as read from its directory (groups in the order and with the ids of
    /// groups.csv; routes.csv, transport.csv and unserved.csv as written).
    pub disk: &'a PlanOnDisk,
    /// SPEC §4 figures of the plan, as the plan's files give them (travel from
    /// routes.csv, vehicles from transport.csv): the same as its summary.json.
    pub kpis: Kpis,
    pub lang: Lang,
    /// The profile day.
    pub date: Date,
}

impl<'a> ReportInput<'a> {
    pub fn new(
        net: &'a Network,
        tt: &'a TravelTimes,
        disk: &'a PlanOnDisk,
        lang: Lang,
        date: Date,
    ) -> Self {
        ReportInput {
            net,
            tt,
            disk,
            kpis: disk.kpis(net, tt),
            lang,
            date,
        }
    }
}

/// Escapes text for XML and HTML, text and attribute values alike: the five markup
/// characters become references (`'` as `apos`, which HTML and XML spell differently),
/// and characters XML 1.0 does not allow are dropped. Every name a user gave passes
/// through here before it reaches markup.
pub fn escape_markup(s: &str, apos: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apos),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A CSV file meant for people: `;`-separated, UTF-8 with a BOM, so that Excel on a
/// Russian Windows opens it in columns with Cyrillic intact.
pub fn people_csv<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    // Writing into memory cannot fail.
    let _ = w.write_record(header.iter().map(|h| h.as_ref()));
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

/// Writes every report into `dir` (which must exist): index.html, plan.xlsx, ics/,
/// registers/ and fet/.
pub fn write_reports(input: &ReportInput, dir: &Path) -> anyhow::Result<()> {
    html::write(input, &dir.join("index.html"))?;
    xlsx::write(input, &dir.join("plan.xlsx"))?;
    ics::write(input, &dir.join("ics"))?;
    registers::write(input, &dir.join("registers"))?;
    fet::write(input, &dir.join("fet"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_count_from_the_epoch() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_415).to_string(), "2025-11-23");
        assert_eq!(Date::from_days(11_017).to_string(), "2000-03-01");
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.compact()),
            Some("20240229".into())
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("23-01-01"), None);
    }
}

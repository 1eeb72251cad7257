//! The network workbook (SPEC §7): the whole bundle as one `.xlsx` file, read
//! ([`read`]) and written ([`write`]).
//!
//! A workbook is another container for the same bundle, not another format of the
//! data: [`read`] turns each sheet into the CSV file (and the `network` sheet into the
//! `network.toml`) that a bundle directory would hold, so one loader validates both and
//! `profnet convert` can write a directory that loads to the very same network. What
//! the reader keeps besides is where every line of those files came from ([`Places`]),
//! so a problem found in `students.csv`, line 7, column `grade` is reported as the sheet
//! `ученики`, row 7, column `grade` (C7).
//!
//! Cells are read as what they mean: a number cell `10.0` is `10`, an id typed as a
//! number stays that id (`101`), a boolean cell is `yes`/`no`, a time cell (0.375) is
//! `09:00`, a date cell is `2026-09-01`.
//!
//! # Diagnostic codes of their own
//!
//! Problems inside the sheets keep the codes of SPEC §1 files (see
//! [`crate::input::bundle`]). The workbook adds:
//!
//! | Code  | Level   | Meaning |
//! |-------|---------|---------|
//! | E0001 | error   | a required sheet is missing (`vehicles` is optional) |
//! | E0011 | error   | the file is not an `.xlsx` workbook (or it is damaged) |
//! | E0012 | error   | the file is an old binary Excel workbook (`.xls`) |
//! | E0013 | error   | the workbook is encrypted (protected by a password to open) |
//! | E0014 | error   | two sheets hold the same bundle file (e.g. `students` and `ученики`) |
//! | E0015 | error   | merged cells in a bundle sheet |
//! | E0016 | error   | a formula cell has no saved value (the file was never recalculated) |
//! | E0017 | error   | a cell holds an Excel error (`#N/A`, `#REF!`, …) |
//! | E0018 | error   | the `network` sheet gives a key twice |
//! | E0019 | error   | the `network` sheet has a value without a key |
//! | W0203 | warning | a sheet that is no bundle file (ignored) |

pub mod read;
pub mod write;

pub use read::{is_workbook, read, read_bytes, Places, ReadWorkbook};
pub use write::{write_marked, write_workbook, Mark, MarkAt, WorkbookOptions};

use super::schema::{self, BundleFile};

pub const NOT_XLSX: &str = "E0011";
pub const OLD_XLS: &str = "E0012";
pub const ENCRYPTED: &str = "E0013";
pub const TWO_SHEETS: &str = "E0014";
pub const MERGED: &str = "E0015";
pub const NO_CACHED_VALUE: &str = "E0016";
pub const ERROR_VALUE: &str = "E0017";
pub const DUPLICATE_KEY: &str = "E0018";
pub const VALUE_WITHOUT_KEY: &str = "E0019";
pub const UNKNOWN_SHEET: &str = "W0203";

/// The sheet that holds `network.toml`.
pub const NETWORK_SHEET: &str = "network";

/// The instruction sheet profnet writes (and ignores when reading).
pub const README_SHEET: &str = "Инструкция";

/// One sheet of a workbook: the bundle file it holds and the names it may have.
pub struct SheetKind {
    /// The bundle file, e.g. `students.csv` (`network.toml` for the network sheet).
    pub file: &'static str,
    /// The English name, the one profnet writes: the file name without `.csv`.
    pub name: &'static str,
    /// The Russian name accepted too (SPEC §7).
    pub russian: &'static str,
    /// The file's columns, `None` for the network sheet.
    pub schema: Option<&'static BundleFile>,
}

/// Every sheet a workbook may hold, in the order profnet writes them.
pub const SHEETS: [SheetKind; 10] = [
    SheetKind {
        file: "network.toml",
        name: NETWORK_SHEET,
        russian: "сеть",
        schema: None,
    },
    SheetKind {
        file: schema::SCHOOLS.name,
        name: "schools",
        russian: "школы",
        schema: Some(&schema::SCHOOLS),
    },
    SheetKind {
        file: schema::LINKS.name,
        name: "links",
        russian: "дороги",
        schema: Some(&schema::LINKS),
    },
    SheetKind {
        file: schema::ROOMS.name,
        name: "rooms",
        russian: "кабинеты",
        schema: Some(&schema::ROOMS),
    },
    SheetKind {
        file: schema::COURSES.name,
        name: "courses",
        russian: "курсы",
        schema: Some(&schema::COURSES),
    },
    SheetKind {
        file: schema::TEACHERS.name,
        name: "teachers",
        russian: "учителя",
        schema: Some(&schema::TEACHERS),
    },
    SheetKind {
        file: schema::STUDENTS.name,
        name: "students",
        russian: "ученики",
        schema: Some(&schema::STUDENTS),
    },
    SheetKind {
        file: schema::VEHICLES.name,
        name: "vehicles",
        russian: "автобусы",
        schema: Some(&schema::VEHICLES),
    },
    // Pins (SPEC §8) are carried through a workbook as any bundle file is.
    SheetKind {
        file: schema::PINNED_GROUPS.name,
        name: "pinned_groups",
        russian: "закреплённые группы",
        schema: Some(&schema::PINNED_GROUPS),
    },
    SheetKind {
        file: schema::PINNED_STUDENTS.name,
        name: "pinned_students",
        russian: "закреплённые ученики",
        schema: Some(&schema::PINNED_STUDENTS),
    },
];

/// The kind of sheet named `name` (English or Russian, any case, spaces around and
/// `ё`/`е` ignored).
pub fn sheet_kind(name: &str) -> Option<&'static SheetKind> {
    let norm = |s: &str| s.trim().to_lowercase().replace('ё', "е");
    let n = norm(name);
    SHEETS
        .iter()
        .find(|k| norm(k.name) == n || norm(k.russian) == n)
}

/// The kind of sheet that holds bundle file `file`.
pub fn sheet_of_file(file: &str) -> Option<&'static SheetKind> {
    SHEETS.iter().find(|k| k.file == file)
}

/// Excel's letters of 0-based column `col`: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push((b'A' + r) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn sheets_are_found_by_english_or_russian_name() {
        assert_eq!(sheet_kind("Students").unwrap().file, "students.csv");
        assert_eq!(sheet_kind(" ученики ").unwrap().file, "students.csv");
        assert_eq!(sheet_kind("Дороги").unwrap().file, "links.csv");
        assert_eq!(sheet_kind("network").unwrap().file, "network.toml");
        assert_eq!(
            sheet_kind("закрепленные группы").unwrap().file,
            "pinned_groups.csv"
        );
        assert!(sheet_kind("Лист1").is_none());
        for f in schema::FILES {
            let k = sheet_of_file(f.name).expect(f.name);
            assert_eq!(format!("{}.csv", k.name), f.name);
        }
    }
}

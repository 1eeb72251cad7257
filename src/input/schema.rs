//! The CSV files of a bundle (SPEC §1), described once: each file's name, whether it
//! may be missing or empty, its required and optional columns (in the order profnet
//! writes them) and the example rows of the template. The reader ([`super::bundle`]),
//! the writer ([`super::write`]) and the template of `profnet init`
//! ([`super::collect::bundle_template`]) all take them from here, so a new column is one
//! line here plus what it means in the reader.

/// How much of a file the bundle needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Must exist and have at least one row.
    Rows,
    /// Must exist; may have no rows.
    File,
    /// May be absent.
    Optional,
}

/// One CSV file of a bundle.
#[derive(Debug)]
pub struct BundleFile {
    pub name: &'static str,
    pub need: Need,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    /// Columns numbered from 1 after the others (`choice_1`, `choice_2`, …): their
    /// prefix.
    pub numbered: Option<&'static str>,
    /// Optional columns that only some readers use and the bundle writer never writes
    /// (courses.csv `aliases`, read by `profnet collect`): known, so never warned about.
    pub read_only: &'static [&'static str],
    /// The template's example rows, a cell per column of [`BundleFile::header`] with
    /// two numbered columns.
    pub examples: &'static [&'static [&'static str]],
}

/// Numbered columns the template shows.
pub const TEMPLATE_NUMBERED: usize = 2;

impl BundleFile {
    /// Whether `column` is one of this file's (a numbered one with any number).
    pub fn knows(&self, column: &str) -> bool {
        self.required.contains(&column)
            || self.optional.contains(&column)
            || self.read_only.contains(&column)
            || self.numbered_index(column).is_some()
    }

    /// `k` for the numbered column `<prefix>k`.
    pub fn numbered_index(&self, column: &str) -> Option<usize> {
        column.strip_prefix(self.numbered?)?.parse().ok()
    }

    /// Every column in the order profnet writes them, with `numbered` numbered ones.
    pub fn header(&self, numbered: usize) -> Vec<String> {
        let fixed = self
            .required
            .iter()
            .chain(self.optional)
            .map(|c| c.to_string());
        let numbers = self
            .numbered
            .into_iter()
            .flat_map(move |p| (1..=numbered).map(move |k| format!("{p}{k}")));
        fixed.chain(numbers).collect()
    }

    /// The template of this file: its header and example rows.
    pub fn template(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut rows = vec![self.header(TEMPLATE_NUMBERED)];
        rows.extend(
            self.examples
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect()),
        );
        for r in rows {
            // Writing to memory cannot fail.
            let _ = w.write_record(&r);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

pub const SCHOOLS: BundleFile = BundleFile {
    name: "schools.csv",
    need: Need::Rows,
    required: &["id", "name"],
    optional: &["kind", "lat", "lon", "priority"],
    numbered: None,
    read_only: &[],
    examples: &[
        &[
            "S01",
            "Средняя школа № 1",
            "school",
            "55.7500",
            "49.6500",
            "",
        ],
        &["S02", "Основная школа села Example", "school", "", "", ""],
    ],
};

pub const LINKS: BundleFile = BundleFile {
    name: "links.csv",
    need: Need::File,
    required: &["from", "to", "minutes"],
    optional: &["mode"],
    numbered: None,
    read_only: &[],
    examples: &[&["S01", "S02", "20", "road"]],
};

pub const ROOMS: BundleFile = BundleFile {
    name: "rooms.csv",
    need: Need::File,
    required: &["school", "id", "capacity"],
    optional: &["kind", "periods"],
    numbered: None,
    read_only: &[],
    examples: &[&["S01", "S01-R1", "25", "general", ""]],
};

pub const COURSES: BundleFile = BundleFile {
    name: "courses.csv",
    need: Need::Rows,
    required: &["id", "name"],
    optional: &[
        "periods",
        "room_kind",
        "min_group",
        "max_group",
        "distance",
        "grades",
    ],
    numbered: None,
    read_only: &["aliases"],
    examples: &[&[
        "PHYS",
        "Физика (углублённый курс)",
        "1",
        "general",
        "",
        "",
        "no",
        "10 11",
    ]],
};

pub const TEACHERS: BundleFile = BundleFile {
    name: "teachers.csv",
    need: Need::File,
    required: &["id", "name", "school", "courses"],
    optional: &["max_periods", "travels", "periods"],
    numbered: None,
    read_only: &[],
    examples: &[&["T001", "Иванова А. П.", "S01", "PHYS", "4", "yes", ""]],
};

pub const STUDENTS: BundleFile = BundleFile {
    name: "students.csv",
    need: Need::Rows,
    required: &["id", "school", "grade"],
    optional: &["wants"],
    numbered: Some("choice_"),
    read_only: &[],
    examples: &[&["P0001", "S02", "10", "", "PHYS", ""]],
};

pub const VEHICLES: BundleFile = BundleFile {
    name: "vehicles.csv",
    need: Need::Optional,
    required: &["id", "school", "seats"],
    optional: &[],
    numbered: None,
    read_only: &[],
    examples: &[&["BUS-S02-1", "S02", "22"]],
};

/// The pinned groups (SPEC §8): optional, read by [`super::pins`]. Not in [`FILES`]: a
/// fresh bundle (`profnet init`) has no pins.
pub const PINNED_GROUPS: BundleFile = BundleFile {
    name: "pinned_groups.csv",
    need: Need::Optional,
    required: &["course", "school", "first_period"],
    optional: &["room", "teacher", "mode", "id"],
    numbered: None,
    read_only: &[],
    examples: &[&["PHYS", "S01", "3", "S01-R1", "T001", "in_person", "G1"]],
};

/// The pinned students (SPEC §8): optional, read by [`super::pins`].
pub const PINNED_STUDENTS: BundleFile = BundleFile {
    name: "pinned_students.csv",
    need: Need::Optional,
    required: &["student", "course"],
    optional: &["group"],
    numbered: None,
    read_only: &[],
    examples: &[&["P0001", "PHYS", "G1"]],
};

/// Other names people give the columns of SPEC §1 (Russian headers, mostly, as a
/// department's own spreadsheets have them): `(alias, column)`, the alias compared
/// lowercase with `ё` as `е` and `_`/`-`/runs of spaces as one space. An alias counts
/// only for a file that has the column and only when the header does not hold the
/// column under its own name already ([`BundleFile::canonical`]).
const ALIASES: &[(&str, &str)] = &[
    ("код", "id"),
    ("идентификатор", "id"),
    ("номер", "id"),
    ("название", "name"),
    ("наименование", "name"),
    ("имя", "name"),
    ("фио", "name"),
    ("вид", "kind"),
    ("тип", "kind"),
    ("широта", "lat"),
    ("долгота", "lon"),
    ("приоритет", "priority"),
    ("откуда", "from"),
    ("от", "from"),
    ("куда", "to"),
    ("до", "to"),
    ("минуты", "minutes"),
    ("минут", "minutes"),
    ("время в пути", "minutes"),
    ("способ", "mode"),
    ("форма", "mode"),
    ("школа", "school"),
    ("оо", "school"),
    ("вместимость", "capacity"),
    ("мест", "capacity"),
    ("места", "capacity"),
    ("мест", "seats"),
    ("места", "seats"),
    ("вместимость", "seats"),
    ("уроки", "periods"),
    ("периоды", "periods"),
    ("тип кабинета", "room_kind"),
    ("кабинет", "room"),
    ("мин группа", "min_group"),
    ("минимальная группа", "min_group"),
    ("макс группа", "max_group"),
    ("максимальная группа", "max_group"),
    ("дистанционно", "distance"),
    ("дистанционный", "distance"),
    ("классы", "grades"),
    ("параллели", "grades"),
    ("курсы", "courses"),
    ("макс уроков", "max_periods"),
    ("выезжает", "travels"),
    ("ездит", "travels"),
    ("класс", "grade"),
    ("сколько курсов", "wants"),
    ("курсов", "wants"),
    ("учитель", "teacher"),
    ("курс", "course"),
    ("первый урок", "first_period"),
    ("ученик", "student"),
    ("группа", "group"),
    ("синонимы", "aliases"),
    ("другие названия", "aliases"),
];

/// The alias form of a header: lowercase, `ё`→`е`, `_`, `-`, `.` and runs of spaces as
/// one space.
fn alias_key(header: &str) -> String {
    header
        .to_lowercase()
        .replace('ё', "е")
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | '.'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl BundleFile {
    /// The column of this file that `header` names under another name (see [`ALIASES`];
    /// for students also `выбор N` / `курс N` for `choice_N`), or `None` when it is
    /// one of the file's own names or no alias.
    pub fn canonical(&self, header: &str) -> Option<String> {
        if self.knows(header) {
            return None;
        }
        let key = alias_key(header);
        if let Some(prefix) = self.numbered {
            for word in ["выбор", "курс", "choice", "приоритет"] {
                if let Some(n) = key
                    .strip_prefix(word)
                    .map(|r| r.trim_start_matches([' ', '№']).trim())
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|&n| n > 0)
                {
                    return Some(format!("{prefix}{n}"));
                }
            }
        }
        ALIASES
            .iter()
            .find(|(a, c)| *a == key && self.knows(c))
            .map(|(_, c)| c.to_string())
    }

    /// Renames the headers of `headers` that are aliases of this file's columns (see
    /// [`BundleFile::canonical`]) when the header does not hold that column already;
    /// returns `(alias as written, column)` for each renamed one.
    pub fn rename_aliases(&self, headers: &mut [String]) -> Vec<(String, String)> {
        let mut renamed = Vec::new();
        for i in 0..headers.len() {
            let Some(c) = self.canonical(&headers[i]) else {
                continue;
            };
            if headers.contains(&c) {
                continue;
            }
            renamed.push((std::mem::replace(&mut headers[i], c.clone()), c));
        }
        renamed
    }
}

/// The schema of the bundle file named `name` (`schools.csv` …, pins included).
pub fn by_name(name: &str) -> Option<&'static BundleFile> {
    FILES
        .into_iter()
        .chain([&PINNED_GROUPS, &PINNED_STUDENTS])
        .find(|f| f.name == name)
}

/// Every CSV file of a bundle, in the order of SPEC §1.
pub const FILES: [&BundleFile; 7] = [
    &SCHOOLS, &LINKS, &ROOMS, &COURSES, &TEACHERS, &STUDENTS, &VEHICLES,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_row_has_a_cell_per_column() {
        for f in FILES.into_iter().chain([&PINNED_GROUPS, &PINNED_STUDENTS]) {
            let width = f.header(TEMPLATE_NUMBERED).len();
            for row in f.examples {
                assert_eq!(row.len(), width, "{}", f.name);
            }
        }
    }

    #[test]
    fn russian_headers_are_aliases() {
        let mut h: Vec<String> = ["Код", "Название", "Вид"].map(String::from).into();
        SCHOOLS.rename_aliases(&mut h);
        assert_eq!(h, ["id", "name", "kind"]);
        let mut h: Vec<String> = ["Код ", "школа", "Класс", "Выбор 1", "выбор_2"]
            .map(|s| s.trim().to_lowercase())
            .into();
        STUDENTS.rename_aliases(&mut h);
        assert_eq!(h, ["id", "school", "grade", "choice_1", "choice_2"]);
        // Only for a file with the column; never over the column's own name.
        assert_eq!(LINKS.canonical("школа"), None);
        let mut h: Vec<String> = ["id", "код", "name"].map(String::from).into();
        SCHOOLS.rename_aliases(&mut h);
        assert_eq!(h, ["id", "код", "name"]);
        assert_eq!(ROOMS.canonical("Вместимость").as_deref(), Some("capacity"));
        assert_eq!(VEHICLES.canonical("места").as_deref(), Some("seats"));
    }

    #[test]
    fn numbered_columns_are_known_by_their_prefix() {
        assert!(STUDENTS.knows("choice_7"));
        assert!(!STUDENTS.knows("choice_x"));
        assert!(!SCHOOLS.knows("choice_1"));
        assert_eq!(
            STUDENTS.header(2),
            ["id", "school", "grade", "wants", "choice_1", "choice_2"]
        );
    }
}

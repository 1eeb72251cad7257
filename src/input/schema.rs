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
    examples: &[&["S01", "S02", "20", "road"]],
};

pub const ROOMS: BundleFile = BundleFile {
    name: "rooms.csv",
    need: Need::File,
    required: &["school", "id", "capacity"],
    optional: &["kind", "periods"],
    numbered: None,
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
    examples: &[&["T001", "Иванова А. П.", "S01", "PHYS", "4", "yes", ""]],
};

pub const STUDENTS: BundleFile = BundleFile {
    name: "students.csv",
    need: Need::Rows,
    required: &["id", "school", "grade"],
    optional: &["wants"],
    numbered: Some("choice_"),
    examples: &[&["P0001", "S02", "10", "", "PHYS", ""]],
};

pub const VEHICLES: BundleFile = BundleFile {
    name: "vehicles.csv",
    need: Need::Optional,
    required: &["id", "school", "seats"],
    optional: &[],
    numbered: None,
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
    examples: &[&["PHYS", "S01", "3", "S01-R1", "T001", "in_person", "G1"]],
};

/// The pinned students (SPEC §8): optional, read by [`super::pins`].
pub const PINNED_STUDENTS: BundleFile = BundleFile {
    name: "pinned_students.csv",
    need: Need::Optional,
    required: &["student", "course"],
    optional: &["group"],
    numbered: None,
    examples: &[&["P0001", "PHYS", "G1"]],
};

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

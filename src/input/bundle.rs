//! Loading a network bundle (SPEC §1) into a validated [`Network`].
//!
//! Two layers: serde row structs that mirror the CSV columns (every field a string, so
//! reading a row never fails), then checks that turn them into the typed model. Every
//! problem is collected, never only the first: [`load`] returns them all at once, each
//! with its file, line, column, a stable code, what is wrong and what to do.
//!
//! # Diagnostic codes
//!
//! The codes are stable: tools and people may match on them. Never reuse a code for a
//! different meaning; add new ones.
//!
//! | Code  | Level   | Meaning |
//! |-------|---------|---------|
//! | E0001 | error   | a required file is missing (`vehicles.csv` is optional) |
//! | E0002 | error   | a required column is missing from a header (students: at least one `choice_N`) |
//! | E0003 | error   | the file is not text: binary data, NUL bytes, UTF-16 cut off mid-character or with a lone surrogate, undecodable bytes |
//! | E0004 | error   | a row has a different number of fields than the header |
//! | E0005 | error   | a CSV file is empty (no header row) or malformed |
//! | E0006 | error   | the same column appears twice in a header |
//! | E0007 | error   | `schools.csv`, `courses.csv` or `students.csv` has a header but no rows |
//! | E0008 | error   | a file exists but cannot be read (permissions, a directory …) |
//! | E0009 | error   | the bundle directory does not exist |
//! | E0010 | error   | a data row repeats the header row (two files pasted together?) |
//! | E0101 | error   | `network.toml` is not valid TOML (the line is given) |
//! | E0102 | error   | a required key of `network.toml` is missing (`day_start`, `day_end`, `periods`) |
//! | E0103 | error   | a key of `network.toml` has the wrong type or a negative value |
//! | E0104 | error   | a time or period in `network.toml` is not `HH:MM` / `HH:MM-HH:MM`, or ends before it starts |
//! | E0105 | error   | `day_end` is not after `day_start` |
//! | E0106 | error   | periods are out of time order or overlap |
//! | E0107 | error   | a period lies outside `day_start`..`day_end` |
//! | E0108 | error   | no periods, or more than 64 |
//! | E0109 | error   | `min_group` > `max_group` (network, or a course with the defaults applied) |
//! | E0110 | error   | `min_group` or `max_group` is 0 (network or course) |
//! | E0111 | error   | `wants` is 0 (network or student) |
//! | E0201 | error   | a required cell is empty (an id, a school, …) |
//! | E0202 | error   | an id is used twice in its file (room ids: across all schools) |
//! | E0203 | error   | not a non-negative whole number (capacity, minutes, periods, seats …) |
//! | E0204 | error   | not a boolean (`yes/no`, `true/false`, `1/0`, `да/нет`) |
//! | E0205 | error   | unknown school kind |
//! | E0206 | error   | a `periods` list names a period outside 1..=N or is not a list of numbers |
//! | E0207 | error   | a reference to an unknown id (school, course) |
//! | E0208 | error   | a grade is not a positive whole number |
//! | E0209 | error   | `lat`/`lon` is not a number in range |
//! | E0210 | error   | a course id contains spaces (teacher `courses` lists are space-separated) |
//! | E0211 | error   | a school's `priority` is not a number above 0 (at most 100) |
//! | E0301 | error   | a link from a school to itself |
//! | E0302 | error   | link minutes above 1440 (a whole day) |
//! | E0321 | error   | course `periods` is 0 or longer than the day |
//! | W0101 | warning | unknown key in `network.toml` (ignored; tables such as `[weights]` are left to their readers) |
//! | W0102 | warning | `network.toml` has no `name` (the directory name is used) |
//! | W0201 | warning | unknown column (ignored) |
//! | W0302 | warning | the same pair of schools is linked twice (the shorter link counts) |
//! | W0311 | warning | a room has capacity 0 |
//! | W0321 | warning | no teacher can teach a course |
//! | W0322 | warning | no student chose a course |
//! | W0323 | warning | no room has the kind a course needs |
//! | W0331 | warning | a teacher lists no courses |
//! | W0332 | warning | a teacher has `max_periods` 0 |
//! | W0341 | warning | a student names the same course twice (the first counts) |
//! | W0342 | warning | a student has no choices |
//! | W0343 | warning | a student chose a course whose `grades` exclude their grade |
//! | W0351 | warning | a school has no students and no rooms |
//! | W0361 | warning | a vehicle has 0 seats |
//!
//! Codes `W04xx` (reachability over the travel graph) belong to [`crate::input::validate`],
//! codes `E07xx` (the pins of SPEC §8, read once the rest has loaded) to
//! [`crate::input::pins`].

// Diagnostics are the error values here: built only on the failure path, and
// callers collect them, so their size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::files::BundleFiles;
use super::parse_bool;
use super::schema::{self, BundleFile, Need};
use super::table::{self, Row, Table};
use crate::diag::{line_of, Diagnostic, InvalidInput};
use crate::model::{
    parse_hhmm, Course, CourseId, KindId, Link, Minute, Network, PeriodSet, PeriodTime, Room,
    School, SchoolId, SchoolKind, Student, Teacher, Tuning, Vehicle,
};

// The files of a bundle (SPEC §1).
pub const NETWORK: &str = "network.toml";
pub const SCHOOLS: &str = schema::SCHOOLS.name;
pub const LINKS: &str = schema::LINKS.name;
pub const ROOMS: &str = schema::ROOMS.name;
pub const COURSES: &str = schema::COURSES.name;
pub const TEACHERS: &str = schema::TEACHERS.name;
pub const STUDENTS: &str = schema::STUDENTS.name;
pub const VEHICLES: &str = schema::VEHICLES.name;

const NO_ROWS: &str = "E0007";
const TOML_SYNTAX: &str = "E0101";
const TOML_MISSING: &str = "E0102";
const TOML_TYPE: &str = "E0103";
const BAD_TIME: &str = "E0104";
const DAY_ORDER: &str = "E0105";
const PERIOD_ORDER: &str = "E0106";
const PERIOD_OUTSIDE: &str = "E0107";
const PERIOD_COUNT: &str = "E0108";
const GROUP_ORDER: &str = "E0109";
const GROUP_ZERO: &str = "E0110";
const WANTS_ZERO: &str = "E0111";
const EMPTY_CELL: &str = "E0201";
const DUPLICATE_ID: &str = "E0202";
const BAD_NUMBER: &str = "E0203";
const BAD_BOOL: &str = "E0204";
const BAD_KIND: &str = "E0205";
const BAD_PERIODS: &str = "E0206";
const UNKNOWN_ID: &str = "E0207";
const BAD_GRADE: &str = "E0208";
const BAD_PRIORITY: &str = "E0211";
const BAD_COORD: &str = "E0209";
const SPACE_IN_ID: &str = "E0210";
const SELF_LINK: &str = "E0301";
const LONG_LINK: &str = "E0302";
const COURSE_LENGTH: &str = "E0321";
const UNKNOWN_KEY: &str = "W0101";
const NO_NAME: &str = "W0102";
const DUPLICATE_LINK: &str = "W0302";
const ZERO_CAPACITY: &str = "W0311";
const NO_TEACHER: &str = "W0321";
const NOT_CHOSEN: &str = "W0322";
const NO_ROOM_KIND: &str = "W0323";
const NO_COURSES: &str = "W0331";
const ZERO_MAX_PERIODS: &str = "W0332";
const REPEATED_CHOICE: &str = "W0341";
const NO_CHOICES: &str = "W0342";
const GRADE_EXCLUDED: &str = "W0343";
const EMPTY_SCHOOL: &str = "W0351";
const ZERO_SEATS: &str = "W0361";

/// Most minutes a single link may take.
const MAX_LINK_MINUTES: u32 = 24 * 60;
/// Most periods a day may have (they are a `u64` bit mask).
const MAX_PERIODS: usize = 64;

/// Loads and validates the bundle at `path`: a directory (SPEC §1) or a workbook
/// `NAME.xlsx` (SPEC §7). `Ok` holds the network and its warnings; `Err` holds every
/// problem found (errors and warnings) when there is at least one error. A workbook's
/// problems name its sheets, rows and cells.
pub fn load(path: &Path) -> Result<(Network, Vec<Diagnostic>), InvalidInput> {
    load_bundle(BundleFiles::open(path)?)
}

/// Loads and validates a bundle given in memory as `(file name, bytes)` pairs, e.g.
/// `("schools.csv", b"id,name\nS1,One\n")`: the same checks and diagnostics as
/// [`load`], without touching the disk. A file not given is missing; when
/// `network.toml` has no `name`, the network is called `network`.
pub fn load_from_memory(
    files: &[(&str, &[u8])],
) -> Result<(Network, Vec<Diagnostic>), InvalidInput> {
    load_bundle(BundleFiles::from_memory(files))
}

/// Loads and validates the bundle whose files are at hand: what [`load`] and
/// [`load_from_memory`] share.
pub fn load_bundle(files: BundleFiles) -> Result<(Network, Vec<Diagnostic>), InvalidInput> {
    let mut l = Loader {
        diags: files.problems.clone(),
        files,
        kinds: vec!["general".to_owned()],
    };
    let settings = l.settings();
    let n = settings.periods.as_ref().map(Vec::len);
    let (schools, school_ids) = l.schools();
    let links = l.links(&school_ids);
    let (rooms, room_ids) = l.rooms(&school_ids, n);
    let (courses, course_ids) = l.courses(&settings, n);
    let (teachers, teacher_ids) = l.teachers(&school_ids, &course_ids, n);
    let (students, student_ids) = l.students(&settings, &school_ids, &course_ids, &courses);
    let vehicles = l.vehicles(&school_ids);

    // Warnings that need several files; only where the files involved were read.
    for (c, course) in courses.iter().enumerate() {
        let at = At::new(COURSES, course_ids.line(c));
        let cid = CourseId::from(c);
        if teacher_ids.known && !teachers.iter().any(|t| t.can_teach(cid)) {
            l.push(at.warning(
                NO_TEACHER,
                "id",
                format!("no teacher can teach course '{}'", course.id),
                "add the course id to the `courses` of a teacher in teachers.csv, \
                 or it can never be opened",
            ));
        }
        if student_ids.known && !students.iter().any(|s| s.choices.contains(&cid)) {
            l.push(at.warning(
                NOT_CHOSEN,
                "id",
                format!("no student chose course '{}'", course.id),
                "nothing to do if that is expected; otherwise check the choice columns of students.csv",
            ));
        }
        if room_ids.known && !rooms.iter().any(|r| r.kind == course.room_kind) {
            let kind = &l.kinds[course.room_kind.idx()];
            l.push(at.warning(
                NO_ROOM_KIND,
                "room_kind",
                format!(
                    "course '{}' needs a room of kind '{kind}' but no room has it",
                    course.id
                ),
                format!(
                    "add a room of kind '{kind}' to rooms.csv, or change the course's room_kind"
                ),
            ));
        }
    }
    if room_ids.known && student_ids.known {
        for (s, school) in schools.iter().enumerate() {
            let sid = SchoolId::from(s);
            if !students.iter().any(|x| x.school == sid) && !rooms.iter().any(|r| r.school == sid) {
                l.push(At::new(SCHOOLS, school_ids.line(s)).warning(
                    EMPTY_SCHOOL,
                    "id",
                    format!("school '{}' has no students and no rooms", school.id),
                    "it can only send teachers; add its rooms and students if it takes part",
                ));
            }
        }
    }

    let diags = std::mem::take(&mut l.diags);
    l.diags = l.files.relabel_all(diags);
    if l.diags.iter().any(Diagnostic::is_error) {
        return Err(InvalidInput(l.diags));
    }
    // No errors, so every setting is present (each missing one is an error).
    let mut net = Network {
        name: settings.name,
        day_start: settings.day_start.unwrap_or(0),
        day_end: settings.day_end.unwrap_or(0),
        periods: settings.periods.unwrap_or_default(),
        min_group: settings.min_group.unwrap_or(10),
        max_group: settings.max_group.unwrap_or(25),
        wants: settings.wants.unwrap_or(2),
        tuning: settings.tuning,
        closed: Vec::new(),
        pins: Default::default(),
        schools,
        links,
        rooms,
        courses,
        teachers,
        students,
        vehicles,
        kinds: std::mem::take(&mut l.kinds),
    };
    // The pins (SPEC §8) name the network's ids, so they are read against it.
    let before = l.diags.len();
    net.pins = super::pins::read(&mut l, &net);
    let pin_diags = l.diags.split_off(before);
    let pin_diags = l.files.relabel_all(pin_diags);
    l.diags.extend(pin_diags);
    if l.diags.iter().any(Diagnostic::is_error) {
        return Err(InvalidInput(l.diags));
    }
    Ok((net, l.diags))
}

/// The values of `network.toml`; `None` where the value is missing or bad (an error
/// has been reported then).
#[derive(Debug)]
struct Settings {
    name: String,
    day_start: Option<Minute>,
    day_end: Option<Minute>,
    periods: Option<Vec<PeriodTime>>,
    min_group: Option<u32>,
    max_group: Option<u32>,
    wants: Option<usize>,
    tuning: Tuning,
}

/// Where in which file: builds diagnostics for one row.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) file: &'a str,
    pub(super) line: Option<usize>,
}

impl<'a> At<'a> {
    pub(super) fn new(file: &'a str, line: usize) -> Self {
        At {
            file,
            line: Some(line),
        }
    }

    fn place(self, d: Diagnostic, column: &str, hint: impl Into<String>) -> Diagnostic {
        let d = match self.line {
            Some(l) => d.row(l),
            None => d,
        };
        let d = if column.is_empty() {
            d
        } else {
            d.column(column)
        };
        d.hint(hint)
    }

    pub(super) fn error(
        self,
        code: &'static str,
        column: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnostic {
        self.place(Diagnostic::error(code, self.file, message), column, hint)
    }

    pub(super) fn warning(
        self,
        code: &'static str,
        column: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnostic {
        self.place(Diagnostic::warning(code, self.file, message), column, hint)
    }
}

/// The ids of one file: id → (dense index, line). `known` is false when the file, its
/// id column or some of its rows could not be read; references into it are then not
/// checked (the file's own error says why).
#[derive(Default)]
struct Ids {
    map: HashMap<String, (usize, usize)>,
    lines: Vec<usize>,
    known: bool,
}

impl Ids {
    fn line(&self, idx: usize) -> usize {
        self.lines[idx]
    }

    fn get(&self, id: &str) -> Option<usize> {
        self.map.get(id).map(|&(i, _)| i)
    }

    /// An id that differs from `id` only in case, for a "did you mean" hint.
    fn near(&self, id: &str) -> Option<&str> {
        let low = id.to_lowercase();
        self.map
            .keys()
            .find(|k| k.to_lowercase() == low)
            .map(String::as_str)
    }
}

pub(super) struct Loader {
    pub(super) files: BundleFiles,
    pub(super) diags: Vec<Diagnostic>,
    kinds: Vec<String>,
}

// Row structs mirroring the files. Every field is text so that reading never fails;
// the checks below parse and report.

#[derive(Deserialize, Default)]
#[serde(default)]
struct SchoolRow {
    id: String,
    name: String,
    kind: String,
    lat: String,
    lon: String,
    priority: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkRow {
    from: String,
    to: String,
    minutes: String,
    mode: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoomRow {
    school: String,
    id: String,
    capacity: String,
    kind: String,
    periods: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CourseRow {
    id: String,
    name: String,
    periods: String,
    room_kind: String,
    min_group: String,
    max_group: String,
    distance: String,
    grades: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TeacherRow {
    id: String,
    name: String,
    school: String,
    courses: String,
    max_periods: String,
    travels: String,
    periods: String,
}

/// `students.csv` without its `choice_N` columns, which are read by position.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StudentRow {
    id: String,
    school: String,
    grade: String,
    wants: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VehicleRow {
    id: String,
    school: String,
    seats: String,
}

impl Loader {
    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Pushes the error of a failed parse and turns the result into an option.
    pub(super) fn ok<T>(&mut self, r: Result<T, Diagnostic>) -> Option<T> {
        r.map_err(|d| self.push(d)).ok()
    }

    fn intern(&mut self, kind: &str) -> KindId {
        let kind = kind.trim().to_lowercase();
        let kind = if kind.is_empty() {
            "general".to_owned()
        } else {
            kind
        };
        match self.kinds.iter().position(|k| *k == kind) {
            Some(i) => KindId::from(i),
            None => {
                self.kinds.push(kind);
                KindId::from(self.kinds.len() - 1)
            }
        }
    }

    /// Reads `file`, checks its columns, reports every reading problem. `None` when
    /// the file could not be read (or is optional and absent).
    pub(super) fn table(&mut self, schema: &BundleFile) -> Option<Table> {
        let (file, need, required, optional) =
            (schema.name, schema.need, schema.required, schema.optional);
        if need == Need::Optional && !self.files.exists(file) {
            return None;
        }
        let read = self
            .files
            .get(file)
            .and_then(|b| table::decode_text(b, file))
            .and_then(|text| table::parse_table(&text, file));
        let (mut table, problems) = match read {
            Ok(x) => x,
            Err(d) => {
                let d = if d.code == table::MISSING_FILE {
                    let header: Vec<String> = required
                        .iter()
                        .map(|c| c.to_string())
                        .chain(optional.iter().map(|c| format!("[{c}]")))
                        .collect();
                    let mut hint = format!(
                        "create {file} with the header `{}` (SPEC §1)",
                        header.join(",")
                    );
                    if let Some(near) = self.near_file(file) {
                        hint = format!("rename '{near}' to '{file}' (names are case-sensitive)");
                    }
                    d.hint(hint)
                } else {
                    d
                };
                self.push(d);
                return None;
            }
        };
        self.diags.extend(problems);
        // Russian headers (Код, Название, Школа, Класс …) name SPEC §1 columns.
        schema.rename_aliases(&mut table.headers);
        table.require(required, &mut self.diags);
        table.warn_unknown(|h| schema.knows(h), &mut self.diags);
        if need == Need::Rows && table.rows.is_empty() {
            self.push(At::new(file, table.header_line).error(
                NO_ROWS,
                "",
                format!("{file} has a header but no rows"),
                "a network needs at least one row here; fill the file in",
            ));
        }
        Some(table)
    }

    /// A file in the bundle whose name equals `file` but for case.
    fn near_file(&self, file: &str) -> Option<String> {
        self.files
            .listing()
            .iter()
            .find(|n| n.to_lowercase() == file.to_lowercase() && *n != file)
            .cloned()
    }

    pub(super) fn row<T: DeserializeOwned + Default>(&mut self, t: &Table, row: &Row) -> T {
        match t.deserialize(row) {
            Ok(r) => r,
            Err(e) => {
                self.push(At::new(&t.file, row.line).error(
                    table::NO_HEADER,
                    "",
                    format!("cannot read this row: {e}"),
                    "check the row against the header",
                ));
                T::default()
            }
        }
    }

    /// Registers the id in column `col` of a row; `None` (with an error) when it is
    /// empty or already used. When `Some`, the caller must push the entity so that
    /// the dense index matches.
    fn register(
        &mut self,
        ids: &mut Ids,
        t: &Table,
        at: At,
        id: &str,
        what: &str,
    ) -> Option<String> {
        if id.is_empty() {
            if t.has("id") {
                self.push(at.error(
                    EMPTY_CELL,
                    "id",
                    format!("the {what} id is empty"),
                    format!("give every {what} a unique id, or delete the row"),
                ));
            }
            return None;
        }
        if let Some(&(_, first)) = ids.map.get(id) {
            self.push(at.error(
                DUPLICATE_ID,
                "id",
                format!("{what} id '{id}' is already used on line {first}"),
                format!(
                    "ids must be unique in {}; rename or delete one of the rows",
                    at.file
                ),
            ));
            return None;
        }
        let line = at.line.unwrap_or(0);
        ids.map.insert(id.to_owned(), (ids.lines.len(), line));
        ids.lines.push(line);
        Some(id.to_owned())
    }

    /// Resolves a reference cell to a dense index: errors for an empty cell and an
    /// unknown id; `None` silently when the column is absent or the target file was
    /// unreadable (those are reported elsewhere).
    #[allow(clippy::too_many_arguments)]
    fn reference(
        &mut self,
        t: &Table,
        at: At,
        col: &str,
        value: &str,
        ids: &Ids,
        what: &str,
        target: &str,
    ) -> Option<usize> {
        if !t.has(col) {
            return None;
        }
        if value.is_empty() {
            self.push(at.error(
                EMPTY_CELL,
                col,
                format!("'{col}' is empty"),
                format!("write the id of a {what} from {target}"),
            ));
            return None;
        }
        if !ids.known {
            return None;
        }
        if let Some(i) = ids.get(value) {
            return Some(i);
        }
        let hint = match ids.near(value) {
            Some(near) => format!("did you mean '{near}'? ids are case-sensitive"),
            None => format!("use a {what} id listed in {target}, or add the {what} there"),
        };
        self.push(at.error(UNKNOWN_ID, col, format!("unknown {what} '{value}'"), hint));
        None
    }

    // ---- network.toml -------------------------------------------------------------

    fn settings(&mut self) -> Settings {
        let dir_name = self.files.name.clone();
        let mut s = Settings {
            name: dir_name.clone(),
            day_start: None,
            day_end: None,
            periods: None,
            min_group: None,
            max_group: None,
            wants: None,
            tuning: Tuning::default(),
        };
        let file = At {
            file: NETWORK,
            line: None,
        };
        let text = match self
            .files
            .get(NETWORK)
            .and_then(|b| table::decode_text(b, NETWORK))
        {
            // A byte-order mark inside the text (files pasted together) is invisible and
            // never meant: drop it, as the CSV reader does.
            Ok(t) => t.replace('\u{feff}', ""),
            Err(d) => {
                let d = if d.code == table::MISSING_FILE {
                    d.hint(
                        "create network.toml with name, day_start, day_end and periods \
                         (see SPEC §1 for an example)",
                    )
                } else {
                    d
                };
                self.push(d);
                return s;
            }
        };
        let doc: toml::Table = match text.parse() {
            Ok(doc) => doc,
            Err(e) => {
                let e: toml::de::Error = e;
                let line = e.span().map(|sp| line_of(&text, sp.start));
                self.push(
                    At {
                        file: NETWORK,
                        line,
                    }
                    .error(
                        TOML_SYNTAX,
                        "",
                        format!("network.toml is not valid TOML: {}", e.message().trim()),
                        "fix the syntax on that line: text in double quotes, lists in [ ], \
                         one `key = value` per line",
                    ),
                );
                return s;
            }
        };
        let at = |key: &str| At {
            file: NETWORK,
            line: key_line(&text, key),
        };

        for (key, value) in &doc {
            let known = matches!(
                key.as_str(),
                "name" | "day_start" | "day_end" | "periods" | "min_group" | "max_group" | "wants"
            );
            // Tables (`[weights]` …) belong to other readers.
            if !known && !value.is_table() {
                self.push(at(key).warning(
                    UNKNOWN_KEY,
                    key,
                    format!("unknown key '{key}' is ignored"),
                    "check its spelling: known keys are name, day_start, day_end, periods, \
                     min_group, max_group, wants",
                ));
            }
        }

        match doc.get("name") {
            None => self.push(file.warning(
                NO_NAME,
                "name",
                format!("network.toml has no name; using '{dir_name}'"),
                "add a line like name = \"My district network\"",
            )),
            Some(toml::Value::String(v)) => s.name = v.trim().to_owned(),
            Some(_) => self.push(at("name").error(
                TOML_TYPE,
                "name",
                "name must be text",
                "write it in double quotes: name = \"My district network\"",
            )),
        }

        let time = |l: &mut Loader, key: &str| -> Option<Minute> {
            match doc.get(key) {
                None => {
                    l.push(file.error(
                        TOML_MISSING,
                        key,
                        format!("network.toml has no {key}"),
                        format!(
                            "add a line like {key} = \"{}\"",
                            if key == "day_start" { "08:00" } else { "17:00" }
                        ),
                    ));
                    None
                }
                Some(toml::Value::String(v)) => {
                    let t = parse_hhmm(v);
                    if t.is_none() {
                        l.push(at(key).error(
                            BAD_TIME,
                            key,
                            format!("{key} '{v}' is not a time"),
                            "write a 24-hour time as HH:MM, e.g. \"08:00\"",
                        ));
                    }
                    t
                }
                Some(_) => {
                    l.push(at(key).error(
                        TOML_TYPE,
                        key,
                        format!("{key} must be a time in double quotes"),
                        format!("write {key} = \"08:00\""),
                    ));
                    None
                }
            }
        };
        s.day_start = time(self, "day_start");
        s.day_end = time(self, "day_end");
        if let (Some(a), Some(b)) = (s.day_start, s.day_end) {
            if b <= a {
                self.push(at("day_end").error(
                    DAY_ORDER,
                    "day_end",
                    format!(
                        "day_end {} is not after day_start {}",
                        crate::model::Hhmm(b),
                        crate::model::Hhmm(a)
                    ),
                    "day_end is when everyone must be back at their home school; make it later than day_start",
                ));
            }
        }

        s.periods = self.periods(&doc, &text, s.day_start, s.day_end);

        let count =
            |l: &mut Loader, key: &str, default: u32, zero_code: &'static str| match doc.get(key) {
                None => Some(default),
                Some(toml::Value::Integer(i)) if *i > 0 && *i <= u32::MAX as i64 => Some(*i as u32),
                Some(toml::Value::Integer(0)) => {
                    l.push(at(key).error(
                        zero_code,
                        key,
                        format!("{key} is 0"),
                        format!("{key} must be at least 1 (default {default})"),
                    ));
                    None
                }
                Some(v) => {
                    l.push(at(key).error(
                        TOML_TYPE,
                        key,
                        format!("{key} must be a positive whole number, not {v}"),
                        format!("write e.g. {key} = {default} (no quotes)"),
                    ));
                    None
                }
            };
        s.min_group = count(self, "min_group", 10, GROUP_ZERO);
        s.max_group = count(self, "max_group", 25, GROUP_ZERO);
        s.wants = count(self, "wants", 2, WANTS_ZERO).map(|w| w as usize);
        s.tuning = self.tuning(&doc, &text);
        if let (Some(a), Some(b)) = (s.min_group, s.max_group) {
            if a > b {
                let key = if doc.contains_key("min_group") {
                    "min_group"
                } else {
                    "max_group"
                };
                self.push(at(key).error(
                    GROUP_ORDER,
                    key,
                    format!("min_group {a} is larger than max_group {b}"),
                    "make min_group at most max_group",
                ));
            }
        }
        s
    }

    /// The optional `[weights]` and `[transport]` tables: numbers ≥ 0, unknown keys
    /// warned about, defaults for what is not given.
    fn tuning(&mut self, doc: &toml::Table, text: &str) -> Tuning {
        let mut t = Tuning::default();
        let at = |table: &str, key: &str| At {
            file: NETWORK,
            line: table_key_line(text, table, key),
        };
        let number = |l: &mut Loader, table: &str, key: &str, v: &toml::Value| -> Option<f64> {
            let x = match v {
                toml::Value::Integer(i) => Some(*i as f64),
                toml::Value::Float(f) if f.is_finite() => Some(*f),
                _ => None,
            };
            match x {
                Some(x) if x >= 0.0 => Some(x),
                _ => {
                    l.push(at(table, key).error(
                        TOML_TYPE,
                        key,
                        format!("[{table}] {key} must be a number of at least 0, not {v}"),
                        format!("write e.g. {key} = 1 (no quotes) under [{table}]"),
                    ));
                    None
                }
            }
        };
        for (table, known) in [
            (
                "weights",
                &[
                    "rank",
                    "student_minute",
                    "teacher_minute",
                    "vehicle_minute",
                    "distance",
                    "group",
                ][..],
            ),
            ("transport", &["max_wait"][..]),
            ("replan", &["keep"][..]),
        ] {
            let Some(v) = doc.get(table) else {
                continue;
            };
            let Some(tab) = v.as_table() else {
                self.push(at(table, table).error(
                    TOML_TYPE,
                    table,
                    format!("{table} must be a table"),
                    format!("write it as a [{table}] section with one `key = number` per line"),
                ));
                continue;
            };
            for (key, value) in tab {
                if !known.contains(&key.as_str()) {
                    self.push(at(table, key).warning(
                        UNKNOWN_KEY,
                        key,
                        format!("unknown key '{key}' in [{table}] is ignored"),
                        format!("check its spelling: known keys are {}", known.join(", ")),
                    ));
                    continue;
                }
                let Some(x) = number(self, table, key, value) else {
                    continue;
                };
                let w = &mut t.weights;
                match key.as_str() {
                    "rank" => w.rank = x,
                    "student_minute" => w.student_minute = x,
                    "teacher_minute" => w.teacher_minute = x,
                    "vehicle_minute" => w.vehicle_minute = x,
                    "distance" => w.distance = x,
                    "group" => w.group = x,
                    "keep" => t.keep = x,
                    _ => t.max_wait = x.min(1440.0).round() as Minute,
                }
            }
        }
        t
    }

    /// Parses and checks `periods`; `Some` when every entry is a valid period and the
    /// count is 1..=64 (order and day errors are reported but keep the list).
    fn periods(
        &mut self,
        doc: &toml::Table,
        text: &str,
        day_start: Option<Minute>,
        day_end: Option<Minute>,
    ) -> Option<Vec<PeriodTime>> {
        let key_at = At {
            file: NETWORK,
            line: key_line(text, "periods"),
        };
        let list = match doc.get("periods") {
            None => {
                self.push(
                    At {
                        file: NETWORK,
                        line: None,
                    }
                    .error(
                        TOML_MISSING,
                        "periods",
                        "network.toml has no periods",
                        "add a list like periods = [\"09:00-09:45\", \"09:55-10:40\"]",
                    ),
                );
                return None;
            }
            Some(toml::Value::Array(a)) => a,
            Some(_) => {
                self.push(key_at.error(
                    TOML_TYPE,
                    "periods",
                    "periods must be a list of \"HH:MM-HH:MM\" texts",
                    "write periods = [\"09:00-09:45\", \"09:55-10:40\"]",
                ));
                return None;
            }
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, v) in list.iter().enumerate() {
            let (text_v, parsed) = match v {
                toml::Value::String(t) => (t.clone(), parse_period(t)),
                other => (other.to_string(), None),
            };
            let at = At {
                file: NETWORK,
                line: value_line(text, "periods", &text_v).or(key_at.line),
            };
            match parsed {
                Some(p) => out.push(p),
                None => {
                    ok = false;
                    self.push(at.error(
                        BAD_TIME,
                        "periods",
                        format!("period {} '{text_v}' is not a period", i + 1),
                        "write each period as \"HH:MM-HH:MM\" (24-hour), start before end",
                    ));
                }
            }
        }
        if list.is_empty() {
            self.push(key_at.error(
                PERIOD_COUNT,
                "periods",
                "the list of periods is empty",
                "list the periods of the profile day, e.g. [\"09:00-09:45\", \"09:55-10:40\"]",
            ));
            return None;
        }
        if list.len() > MAX_PERIODS {
            self.push(key_at.error(
                PERIOD_COUNT,
                "periods",
                format!(
                    "{} periods; at most {MAX_PERIODS} are supported",
                    list.len()
                ),
                "merge or drop periods",
            ));
            return None;
        }
        if !ok {
            return None;
        }
        let show = |p: &PeriodTime| {
            format!(
                "{}-{}",
                crate::model::Hhmm(p.start),
                crate::model::Hhmm(p.end)
            )
        };
        for i in 1..out.len() {
            if out[i].start < out[i - 1].end {
                self.push(key_at.error(
                    PERIOD_ORDER,
                    "periods",
                    format!(
                        "period {} ({}) starts before period {} ({}) ends",
                        i + 1,
                        show(&out[i]),
                        i,
                        show(&out[i - 1])
                    ),
                    "list the periods in time order without overlaps",
                ));
            }
        }
        if let (Some(a), Some(b)) = (day_start, day_end) {
            for (i, p) in out.iter().enumerate() {
                if p.start < a || p.end > b {
                    self.push(key_at.error(
                        PERIOD_OUTSIDE,
                        "periods",
                        format!(
                            "period {} ({}) is not within the day {}-{}",
                            i + 1,
                            show(p),
                            crate::model::Hhmm(a),
                            crate::model::Hhmm(b)
                        ),
                        "move the period, or widen day_start/day_end",
                    ));
                }
            }
        }
        Some(out)
    }

    // ---- CSV files ----------------------------------------------------------------

    fn schools(&mut self) -> (Vec<School>, Ids) {
        let mut out = Vec::new();
        let mut ids = Ids::default();
        let Some(t) = self.table(&schema::SCHOOLS) else {
            return (out, ids);
        };
        ids.known = t.has("id") && t.dropped == 0;
        for row in &t.rows {
            let at = At::new(SCHOOLS, row.line);
            let r: SchoolRow = self.row(&t, row);
            let kind = match SchoolKind::parse(&r.kind) {
                Some(k) => k,
                None => {
                    self.push(at.error(
                        BAD_KIND,
                        "kind",
                        format!("unknown school kind '{}'", r.kind),
                        "use one of: school, college, university, additional, other (or leave it empty)",
                    ));
                    SchoolKind::School
                }
            };
            let lat = self.ok(coordinate(at, "lat", &r.lat, 90.0));
            let lon = self.ok(coordinate(at, "lon", &r.lon, 180.0));
            let priority = if r.priority.trim().is_empty() {
                1.0
            } else {
                match r.priority.trim().replace(',', ".").parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 && v <= 100.0 => v,
                    _ => {
                        self.push(at.error(
                            BAD_PRIORITY,
                            "priority",
                            format!("priority '{}' is not a number above 0", r.priority),
                            "write a weight such as 1 (the default) or 2 for a school whose students should come first under --equity, or leave it empty",
                        ));
                        1.0
                    }
                }
            };
            let Some(id) = self.register(&mut ids, &t, at, &r.id, "school") else {
                continue;
            };
            out.push(School {
                name: if r.name.is_empty() {
                    id.clone()
                } else {
                    r.name
                },
                id,
                kind,
                lat: lat.flatten(),
                lon: lon.flatten(),
                priority,
            });
        }
        (out, ids)
    }

    fn links(&mut self, schools: &Ids) -> Vec<Link> {
        let mut out = Vec::new();
        let Some(t) = self.table(&schema::LINKS) else {
            return out;
        };
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        for row in &t.rows {
            let at = At::new(LINKS, row.line);
            let r: LinkRow = self.row(&t, row);
            let a = self.reference(&t, at, "from", &r.from, schools, "school", SCHOOLS);
            let b = self.reference(&t, at, "to", &r.to, schools, "school", SCHOOLS);
            let minutes = self.ok(whole(at, "minutes", &r.minutes));
            if let Some(m) = minutes {
                if m > MAX_LINK_MINUTES {
                    self.push(at.error(
                        LONG_LINK,
                        "minutes",
                        format!("{m} minutes is more than a whole day"),
                        "write the one-way travel time in minutes (at most 1440)",
                    ));
                }
            }
            if !r.from.is_empty() && r.from == r.to {
                self.push(at.error(
                    SELF_LINK,
                    "to",
                    format!("link from school '{}' to itself", r.from),
                    "delete the row; travel within a school takes no time",
                ));
                continue;
            }
            let (Some(a), Some(b), Some(m)) = (a, b, minutes) else {
                continue;
            };
            let key = (a.min(b), a.max(b));
            if let Some(first) = seen.get(&key) {
                self.push(at.warning(
                    DUPLICATE_LINK,
                    "to",
                    format!(
                        "schools '{}' and '{}' are already linked on line {first}",
                        r.from, r.to
                    ),
                    "links are undirected; keep one row per pair (the shorter time counts)",
                ));
            } else {
                seen.insert(key, row.line);
            }
            out.push(Link {
                a: SchoolId::from(a),
                b: SchoolId::from(b),
                minutes: m,
                mode: r.mode,
            });
        }
        out
    }

    fn rooms(&mut self, schools: &Ids, n: Option<usize>) -> (Vec<Room>, Ids) {
        let mut out = Vec::new();
        let mut ids = Ids::default();
        let Some(t) = self.table(&schema::ROOMS) else {
            return (out, ids);
        };
        ids.known = t.has("id") && t.dropped == 0;
        for row in &t.rows {
            let at = At::new(ROOMS, row.line);
            let r: RoomRow = self.row(&t, row);
            let school = self.reference(&t, at, "school", &r.school, schools, "school", SCHOOLS);
            let capacity = if t.has("capacity") {
                self.ok(whole(at, "capacity", &r.capacity))
            } else {
                None
            };
            if capacity == Some(0) {
                self.push(at.warning(
                    ZERO_CAPACITY,
                    "capacity",
                    format!("room '{}' has capacity 0", r.id),
                    "give the number of seats, or delete the room if it cannot be used",
                ));
            }
            let kind = self.intern(&r.kind);
            let periods = self.ok(period_set(at, "periods", &r.periods, n));
            let Some(id) = self.register(&mut ids, &t, at, &r.id, "room") else {
                continue;
            };
            out.push(Room {
                id,
                school: SchoolId::from(school.unwrap_or(0)),
                capacity: capacity.unwrap_or(0),
                kind,
                periods: periods.unwrap_or_default(),
            });
        }
        (out, ids)
    }

    fn courses(&mut self, net: &Settings, n: Option<usize>) -> (Vec<Course>, Ids) {
        let mut out = Vec::new();
        let mut ids = Ids::default();
        let Some(t) = self.table(&schema::COURSES) else {
            return (out, ids);
        };
        ids.known = t.has("id") && t.dropped == 0;
        for row in &t.rows {
            let at = At::new(COURSES, row.line);
            let r: CourseRow = self.row(&t, row);
            if r.id.chars().any(char::is_whitespace) {
                self.push(at.error(
                    SPACE_IN_ID,
                    "id",
                    format!("course id '{}' contains a space", r.id),
                    "teachers list their courses separated by spaces; use e.g. '_' instead",
                ));
            }
            let periods = match self.ok(opt_whole(at, "periods", &r.periods)) {
                Some(p) => {
                    let p = p.unwrap_or(1) as usize;
                    let too_long = n.is_some_and(|n| p > n);
                    if p == 0 || too_long {
                        let msg = if p == 0 {
                            "a session must take at least 1 period".to_owned()
                        } else {
                            format!(
                                "a session takes {p} periods but the day has only {}",
                                n.unwrap_or(0)
                            )
                        };
                        self.push(at.error(
                            COURSE_LENGTH,
                            "periods",
                            msg,
                            "give the number of consecutive periods one session takes (default 1)",
                        ));
                    }
                    p
                }
                None => 1,
            };
            let room_kind = self.intern(&r.room_kind);
            let min = self.ok(opt_whole(at, "min_group", &r.min_group));
            let max = self.ok(opt_whole(at, "max_group", &r.max_group));
            for (col, v) in [("min_group", min), ("max_group", max)] {
                if v == Some(Some(0)) {
                    self.push(at.error(
                        GROUP_ZERO,
                        col,
                        format!("{col} is 0"),
                        format!(
                            "{col} must be at least 1; leave it empty to use network.toml's value"
                        ),
                    ));
                }
            }
            let min_group = min.and_then(|m| m.or(net.min_group));
            let max_group = max.and_then(|m| m.or(net.max_group));
            if let (Some(lo), Some(hi)) = (min_group, max_group) {
                if lo > hi {
                    let col = if max.flatten().is_some() {
                        "max_group"
                    } else {
                        "min_group"
                    };
                    let src = |own: Option<Option<u32>>| {
                        if own.flatten().is_some() {
                            "this course"
                        } else {
                            "network.toml"
                        }
                    };
                    self.push(at.error(
                        GROUP_ORDER,
                        col,
                        format!(
                            "min_group {lo} (from {}) is larger than max_group {hi} (from {})",
                            src(min),
                            src(max)
                        ),
                        "set min_group and max_group of the course so that min_group <= max_group",
                    ));
                }
            }
            let distance = self.ok(boolean(at, "distance", &r.distance, false));
            let grades = self.ok(grade_list(at, "grades", &r.grades));
            let Some(id) = self.register(&mut ids, &t, at, &r.id, "course") else {
                continue;
            };
            out.push(Course {
                name: if r.name.is_empty() {
                    id.clone()
                } else {
                    r.name
                },
                id,
                periods,
                room_kind,
                min_group: min_group.unwrap_or(0),
                max_group: max_group.unwrap_or(0),
                distance: distance.unwrap_or(false),
                grades: grades.flatten(),
            });
        }
        (out, ids)
    }

    fn teachers(&mut self, schools: &Ids, courses: &Ids, n: Option<usize>) -> (Vec<Teacher>, Ids) {
        let mut out = Vec::new();
        let mut ids = Ids::default();
        let Some(t) = self.table(&schema::TEACHERS) else {
            return (out, ids);
        };
        ids.known = t.has("id") && t.dropped == 0;
        for row in &t.rows {
            let at = At::new(TEACHERS, row.line);
            let r: TeacherRow = self.row(&t, row);
            let school = self.reference(&t, at, "school", &r.school, schools, "school", SCHOOLS);
            let mut list: Vec<CourseId> = Vec::new();
            for c in r.courses.split_whitespace() {
                if let Some(i) = self.reference(&t, at, "courses", c, courses, "course", COURSES) {
                    if !list.contains(&CourseId::from(i)) {
                        list.push(CourseId::from(i));
                    }
                }
            }
            if r.courses.is_empty() && t.has("courses") {
                self.push(at.warning(
                    NO_COURSES,
                    "courses",
                    format!("teacher '{}' lists no courses", r.id),
                    "list the course ids the teacher can teach, separated by spaces",
                ));
            }
            let max_periods = self.ok(opt_whole(at, "max_periods", &r.max_periods));
            if max_periods == Some(Some(0)) {
                self.push(at.warning(
                    ZERO_MAX_PERIODS,
                    "max_periods",
                    format!("teacher '{}' may teach 0 periods", r.id),
                    "leave max_periods empty for no limit, or delete the teacher",
                ));
            }
            let travels = self.ok(boolean(at, "travels", &r.travels, true));
            let periods = self.ok(period_set(at, "periods", &r.periods, n));
            let Some(id) = self.register(&mut ids, &t, at, &r.id, "teacher") else {
                continue;
            };
            out.push(Teacher {
                name: if r.name.is_empty() {
                    id.clone()
                } else {
                    r.name
                },
                id,
                school: SchoolId::from(school.unwrap_or(0)),
                courses: list,
                max_periods: max_periods.flatten().map_or(n.unwrap_or(0), |m| m as usize),
                travels: travels.unwrap_or(true),
                periods: periods.unwrap_or_default(),
            });
        }
        (out, ids)
    }

    fn students(
        &mut self,
        net: &Settings,
        schools: &Ids,
        courses: &Ids,
        course_list: &[Course],
    ) -> (Vec<Student>, Ids) {
        let mut out = Vec::new();
        let mut ids = Ids::default();
        let Some(t) = self.table(&schema::STUDENTS) else {
            return (out, ids);
        };
        ids.known = t.has("id") && t.dropped == 0;
        let mut choice_cols: Vec<(usize, usize)> = t
            .headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| schema::STUDENTS.numbered_index(h).map(|k| (k, i)))
            .collect();
        choice_cols.sort();
        if choice_cols.is_empty() {
            self.push(At::new(STUDENTS, t.header_line).error(
                table::MISSING_COLUMN,
                "choice_1",
                "students.csv has no choice columns",
                "add columns choice_1, choice_2, … with the course ids each student chose, most wanted first",
            ));
        }
        for row in &t.rows {
            let at = At::new(STUDENTS, row.line);
            let r: StudentRow = self.row(&t, row);
            let school = self.reference(&t, at, "school", &r.school, schools, "school", SCHOOLS);
            let grade = if t.has("grade") {
                self.ok(grade(at, "grade", &r.grade))
            } else {
                None
            };
            let wants = self.ok(opt_whole(at, "wants", &r.wants)).flatten();
            if wants == Some(0) {
                self.push(at.error(
                    WANTS_ZERO,
                    "wants",
                    format!("student '{}' wants 0 electives", r.id),
                    "leave wants empty to use network.toml's value, or delete the student",
                ));
            }
            let mut choices: Vec<CourseId> = Vec::new();
            let mut named = 0;
            for &(_, col) in &choice_cols {
                let name = &t.headers[col];
                let value = row.cells[col].as_str();
                if value.is_empty() {
                    continue;
                }
                named += 1;
                let Some(c) = self.reference(&t, at, name, value, courses, "course", COURSES)
                else {
                    continue;
                };
                let c = CourseId::from(c);
                if choices.contains(&c) {
                    self.push(at.warning(
                        REPEATED_CHOICE,
                        name,
                        format!("student '{}' chose '{value}' twice; the first counts", r.id),
                        "replace the repeat with another course, or leave the cell empty",
                    ));
                    continue;
                }
                if let (Some(g), Some(course)) = (grade, course_list.get(c.idx())) {
                    if !course.admits(g) {
                        self.push(at.warning(
                            GRADE_EXCLUDED,
                            name,
                            format!(
                                "student '{}' (grade {g}) chose '{value}', which is only for grades {}",
                                r.id,
                                fmt_list(course.grades.as_deref().unwrap_or(&[]))
                            ),
                            "this choice can never be granted; check the grade or the course's grades",
                        ));
                    }
                }
                choices.push(c);
            }
            if named == 0 && !choice_cols.is_empty() && !r.id.is_empty() {
                self.push(at.warning(
                    NO_CHOICES,
                    "choice_1",
                    format!("student '{}' has no choices", r.id),
                    "fill in the student's choices, or delete the row",
                ));
            }
            let Some(id) = self.register(&mut ids, &t, at, &r.id, "student") else {
                continue;
            };
            out.push(Student {
                id,
                school: SchoolId::from(school.unwrap_or(0)),
                grade: grade.unwrap_or(0),
                wants: wants.map_or(net.wants.unwrap_or(2), |w| w as usize),
                choices,
            });
        }
        (out, ids)
    }

    fn vehicles(&mut self, schools: &Ids) -> Vec<Vehicle> {
        let mut out = Vec::new();
        let mut ids = Ids::default();
        let Some(t) = self.table(&schema::VEHICLES) else {
            return out;
        };
        for row in &t.rows {
            let at = At::new(VEHICLES, row.line);
            let r: VehicleRow = self.row(&t, row);
            let school = self.reference(&t, at, "school", &r.school, schools, "school", SCHOOLS);
            let seats = if t.has("seats") {
                self.ok(whole(at, "seats", &r.seats))
            } else {
                None
            };
            if seats == Some(0) {
                self.push(at.warning(
                    ZERO_SEATS,
                    "seats",
                    format!("vehicle '{}' has 0 seats", r.id),
                    "give the number of passenger seats, or delete the vehicle",
                ));
            }
            let Some(id) = self.register(&mut ids, &t, at, &r.id, "vehicle") else {
                continue;
            };
            out.push(Vehicle {
                id,
                school: SchoolId::from(school.unwrap_or(0)),
                seats: seats.unwrap_or(0),
            });
        }
        out
    }
}

// ---- cell parsers -----------------------------------------------------------------

/// A required non-negative whole number.
pub(super) fn whole(at: At, col: &str, s: &str) -> Result<u32, Diagnostic> {
    match opt_whole(at, col, s)? {
        Some(v) => Ok(v),
        None => Err(at.error(
            BAD_NUMBER,
            col,
            format!("'{col}' is empty"),
            format!("write a whole number in '{col}', e.g. 12"),
        )),
    }
}

/// An optional non-negative whole number (`None` for an empty cell).
fn opt_whole(at: At, col: &str, s: &str) -> Result<Option<u32>, Diagnostic> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(v) => Ok(Some(v)),
        Err(_) => {
            let what = if s.parse::<i64>().is_ok_and(|v| v < 0) {
                "is negative"
            } else {
                "is not a whole number"
            };
            Err(at.error(
                BAD_NUMBER,
                col,
                format!("{col} '{s}' {what}"),
                format!("write a non-negative whole number in '{col}' (digits only, no units)"),
            ))
        }
    }
}

/// A boolean cell; `default` for an empty one.
fn boolean(at: At, col: &str, s: &str, default: bool) -> Result<bool, Diagnostic> {
    if s.trim().is_empty() {
        return Ok(default);
    }
    parse_bool(s).ok_or_else(|| {
        at.error(
            BAD_BOOL,
            col,
            format!("{col} '{s}' is not yes or no"),
            "write yes/no, true/false, 1/0 or да/нет (or leave it empty for the default)",
        )
    })
}

/// A grade: a positive whole number.
fn grade(at: At, col: &str, s: &str) -> Result<u32, Diagnostic> {
    match s.trim().parse::<u32>() {
        Ok(g) if g > 0 => Ok(g),
        _ => Err(at.error(
            BAD_GRADE,
            col,
            if s.is_empty() {
                format!("'{col}' is empty")
            } else {
                format!("grade '{s}' is not a positive whole number")
            },
            "write the grade as a number, e.g. 10",
        )),
    }
}

/// A space-separated list of grades; `None` for an empty cell (= any grade).
fn grade_list(at: At, col: &str, s: &str) -> Result<Option<Vec<u32>>, Diagnostic> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for tok in s.split(|c: char| c.is_whitespace() || c == ',') {
        if tok.is_empty() {
            continue;
        }
        out.push(grade(at, col, tok).map_err(|d| {
            d.hint("list the admitted grades as numbers separated by spaces, e.g. 10 11")
        })?);
    }
    out.sort_unstable();
    out.dedup();
    Ok(Some(out))
}

/// `lat` or `lon`: a decimal number (a decimal comma is accepted) with |v| <= limit;
/// `None` for an empty cell.
fn coordinate(at: At, col: &str, s: &str, limit: f64) -> Result<Option<f64>, Diagnostic> {
    if s.is_empty() {
        return Ok(None);
    }
    match s.replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
        _ => Err(at.error(
            BAD_COORD,
            col,
            format!("{col} '{s}' is not a coordinate"),
            format!(
                "write decimal degrees between -{limit} and {limit}, e.g. 55.79, or leave it empty"
            ),
        )),
    }
}

/// A periods cell: space-separated 1-based period numbers (`a-b` ranges allowed) →
/// 0-based bits; an empty cell means all `n` periods. When `n` is unknown (bad
/// network.toml) numbers are only checked against 64.
fn period_set(at: At, col: &str, s: &str, n: Option<usize>) -> Result<PeriodSet, Diagnostic> {
    let limit = n.unwrap_or(MAX_PERIODS);
    if s.trim().is_empty() {
        return Ok(PeriodSet::all(limit));
    }
    let bad = |tok: &str| {
        at.error(
            BAD_PERIODS,
            col,
            format!("'{tok}' in periods '{s}' is not a period number 1..={limit}"),
            format!("list period numbers from 1 to {limit} separated by spaces, e.g. 1 2 3"),
        )
    };
    let num = |t: &str| {
        t.trim()
            .parse::<usize>()
            .ok()
            .filter(|&p| p >= 1 && p <= limit)
    };
    let mut set = PeriodSet::default();
    for tok in s.split(|c: char| c.is_whitespace() || c == ',') {
        if tok.is_empty() {
            continue;
        }
        let (a, b) = match tok.split_once('-') {
            Some((a, b)) => (num(a), num(b)),
            None => (num(tok), num(tok)),
        };
        match (a, b) {
            (Some(a), Some(b)) if a <= b => (a..=b).for_each(|p| set.insert(p - 1)),
            _ => return Err(bad(tok)),
        }
    }
    Ok(set)
}

/// `HH:MM-HH:MM` (an en dash is accepted too) with start before end.
fn parse_period(s: &str) -> Option<PeriodTime> {
    let (a, b) = s.split_once('-').or_else(|| s.split_once('–'))?;
    let (start, end) = (parse_hhmm(a)?, parse_hhmm(b)?);
    (start < end).then_some(PeriodTime { start, end })
}

fn fmt_list(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}

/// The line of top-level `key = …` in TOML text (before the first `[table]`).
/// The line of `key = …` inside the `[table]` section of network.toml.
fn table_key_line(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut inside = false;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            inside = t.trim_start_matches('[').trim_end_matches(']').trim() == table;
            if inside && key == table {
                return Some(i + 1);
            }
            continue;
        }
        if inside
            && t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(i + 1);
        }
    }
    None
}

fn key_line(text: &str, key: &str) -> Option<usize> {
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        if t.starts_with('[') {
            return None;
        }
        let t = t
            .strip_prefix('"')
            .and_then(|r| r.strip_prefix(key)?.strip_prefix('"'))
            .or_else(|| t.strip_prefix(key));
        if t.is_some_and(|rest| rest.trim_start().starts_with('=')) {
            return Some(i + 1);
        }
    }
    None
}

/// The line, at or after `key`'s line, that holds `value` (for errors in a list that
/// spans lines).
fn value_line(text: &str, key: &str, value: &str) -> Option<usize> {
    let start = key_line(text, key)?;
    text.lines()
        .enumerate()
        .skip(start - 1)
        .find(|(_, l)| l.contains(value))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> At<'static> {
        At::new("t.csv", 3)
    }

    #[test]
    fn period_cells() {
        let p = period_set(at(), "periods", "1 3  4", Some(7)).unwrap();
        assert_eq!(p, PeriodSet(0b1101));
        assert_eq!(
            period_set(at(), "periods", "", Some(7)).unwrap(),
            PeriodSet::all(7)
        );
        assert_eq!(
            period_set(at(), "periods", "2-4", Some(7)).unwrap(),
            PeriodSet(0b1110)
        );
        for bad in ["0", "8", "x", "3-1", "1 2 9", "-"] {
            let e = period_set(at(), "periods", bad, Some(7)).unwrap_err();
            assert_eq!(
                (e.code, e.row, e.column.as_deref()),
                (BAD_PERIODS, Some(3), Some("periods")),
                "{bad}"
            );
        }
    }

    #[test]
    fn numbers_and_grades() {
        assert_eq!(whole(at(), "c", "12").unwrap(), 12);
        assert_eq!(whole(at(), "c", "").unwrap_err().code, BAD_NUMBER);
        let e = whole(at(), "c", "-5").unwrap_err();
        assert!(e.message.contains("negative"), "{}", e.message);
        assert_eq!(whole(at(), "c", "2.5").unwrap_err().code, BAD_NUMBER);
        assert_eq!(opt_whole(at(), "c", " ").unwrap(), None);
        assert_eq!(grade(at(), "g", "10").unwrap(), 10);
        for bad in ["0", "-1", "ten", ""] {
            assert_eq!(grade(at(), "g", bad).unwrap_err().code, BAD_GRADE, "{bad}");
        }
        assert_eq!(
            grade_list(at(), "grades", "11 10 11").unwrap(),
            Some(vec![10, 11])
        );
        assert_eq!(grade_list(at(), "grades", "").unwrap(), None);
        assert_eq!(
            grade_list(at(), "grades", "10 x").unwrap_err().code,
            BAD_GRADE
        );
        assert!(boolean(at(), "b", "", true).unwrap());
        assert!(!boolean(at(), "b", "нет", true).unwrap());
        assert_eq!(boolean(at(), "b", "nope", true).unwrap_err().code, BAD_BOOL);
        assert_eq!(coordinate(at(), "lat", "55,79", 90.0).unwrap(), Some(55.79));
        assert_eq!(
            coordinate(at(), "lat", "95", 90.0).unwrap_err().code,
            BAD_COORD
        );
    }

    #[test]
    fn period_times() {
        assert_eq!(
            parse_period("09:00-09:45"),
            Some(PeriodTime {
                start: 540,
                end: 585
            })
        );
        assert_eq!(
            parse_period("09:00 – 09:45"),
            Some(PeriodTime {
                start: 540,
                end: 585
            })
        );
        assert_eq!(parse_period("09:45-09:00"), None);
        assert_eq!(parse_period("9-10"), None);
    }

    #[test]
    fn toml_key_lines() {
        let text = "name = \"x\"\n  day_start=\"08:00\"\nday_start_x = 1\nperiods = [\n \"a\",\n \"b\"]\n[weights]\nwants = 3\n";
        assert_eq!(key_line(text, "name"), Some(1));
        assert_eq!(key_line(text, "day_start"), Some(2));
        assert_eq!(key_line(text, "wants"), None);
        assert_eq!(value_line(text, "periods", "\"b\""), Some(6));
        assert_eq!(schema::STUDENTS.numbered_index("choice_12"), Some(12));
        assert_eq!(schema::STUDENTS.numbered_index("choice_x"), None);
    }
}

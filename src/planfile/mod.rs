//! The plan files of SPEC §2, described once: their names and columns ([`FileSchema`]),
//! their rows with ids as strings, one reader (through [`crate::input::table`], so
//! physical line numbers in every error, UTF-8 or Windows-1251, `,` or `;`) and the
//! header every writer starts from ([`FileSchema::create`]).
//!
//! The checker ([`crate::check`]) reads rows from here and nothing else of the plan, so
//! it stays independent of the optimiser; [`read`] turns the rows into a
//! [`crate::plan::Plan`] for the commands that start from a published plan, [`write`]
//! writes a solved plan, [`pseudonym`] the same with students renamed.

pub mod pseudonym;
pub mod read;
pub mod write;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs;
use std::path::Path;

use crate::diag::{clip, Diagnostic};
use crate::input::table;
use crate::model::{parse_hhmm, Minute};

/// One CSV file of a plan directory: its name and columns, in the order profnet writes
/// them (a reader takes them in any order, and more).
#[derive(Debug)]
pub struct FileSchema {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

pub const GROUPS: FileSchema = FileSchema {
    name: "groups.csv",
    columns: &[
        "group",
        "course",
        "school",
        "room",
        "teacher",
        "first_period",
        "periods",
        "mode",
        "size",
    ],
};

pub const ASSIGNMENTS: FileSchema = FileSchema {
    name: "assignments.csv",
    columns: &["student", "group"],
};

pub const UNSERVED: FileSchema = FileSchema {
    name: "unserved.csv",
    // `code` and `figures`: our extension, the reason in a language-neutral form
    // (see crate::plan::reason).
    columns: &["student", "course", "rank", "reason", "code", "figures"],
};

pub const ROUTES: FileSchema = FileSchema {
    name: "routes.csv",
    columns: &[
        "person", "role", "leg", "from", "to", "depart", "arrive", "vehicle",
    ],
};

/// Our extension of SPEC §2: one row per stop of a bus trip (see [`crate::check`]).
pub const TRANSPORT: FileSchema = FileSchema {
    name: "transport.csv",
    columns: &[
        "vehicle", "trip", "stop", "school", "arrive", "depart", "board", "alight",
    ],
};

/// One row per person who leaves their home school: when, on which vehicle, to where,
/// and when and how they are back.
pub const DEPARTURES: FileSchema = FileSchema {
    name: "departures.csv",
    columns: &[
        "school",
        "leave",
        "vehicle",
        "to",
        "role",
        "person",
        "stops",
        "back",
        "back_vehicle",
    ],
};

/// Written with vehicles: the student legs the fleet had no seat for, and what would
/// carry them.
pub const SHORTAGES: FileSchema = FileSchema {
    name: "shortages.csv",
    columns: &["from", "to", "ready", "due", "seats", "students", "cure"],
};

/// Columns profnet writes that a plan may lack (written by older versions): (file, column).
const OPTIONAL_COLUMNS: [(&str, &str); 2] = [("unserved.csv", "code"), ("unserved.csv", "figures")];

/// Every CSV file of a plan directory.
pub const CSV_FILES: [&FileSchema; 7] = [
    &GROUPS,
    &ASSIGNMENTS,
    &UNSERVED,
    &ROUTES,
    &TRANSPORT,
    &DEPARTURES,
    &SHORTAGES,
];

/// The plan's figures and the solver's account (SPEC §2, §4).
pub const SUMMARY: &str = "summary.json";

/// The values of groups.csv `mode`.
pub const MODES: [&str; 2] = ["in_person", "distance"];

impl FileSchema {
    /// Creates this file in `dir` with its header written.
    pub fn create(&self, dir: &Path) -> anyhow::Result<csv::Writer<fs::File>> {
        let mut w = csv::Writer::from_path(dir.join(self.name))?;
        w.write_record(self.columns)?;
        Ok(w)
    }
}

/// `reader` over the file of `schema` in `plan`; `None` when the plan has no such file.
fn optional<T>(
    plan: &Path,
    schema: &FileSchema,
    reader: fn(&[u8]) -> Result<T, PlanFileError>,
) -> Result<Option<T>, PlanFileError> {
    if !plan.join(schema.name).exists() {
        return Ok(None);
    }
    reader(&read_plan_file(plan, schema.name)?).map(Some)
}

/// One row of `groups.csv`, ids as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanGroupRow {
    /// The 1-based line in groups.csv (0 when the row was not read from a file).
    pub line: usize,
    pub group: String,
    pub course: String,
    pub school: String,
    pub room: String,
    pub teacher: String,
    /// 1-based.
    pub first_period: usize,
    pub periods: usize,
    /// `in_person` or `distance`.
    pub mode: String,
    pub size: usize,
}

/// One row of `routes.csv`, ids as strings, times parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteLegRow {
    pub person: String,
    /// `student` or `teacher`.
    pub role: String,
    pub leg: usize,
    pub from: String,
    pub to: String,
    pub depart: Minute,
    pub arrive: Minute,
    pub vehicle: String,
}

/// One row of `transport.csv` (one stop of one trip), ids as strings, times parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportRow {
    /// The 1-based line in transport.csv (0 when the row was not read from a file).
    pub line: usize,
    pub vehicle: String,
    /// 1, 2, 3… per vehicle, in time order.
    pub trip: usize,
    /// 1..k within the trip.
    pub stop: usize,
    pub school: String,
    /// Empty at the first stop.
    pub arrive: Option<Minute>,
    /// Empty at the last stop.
    pub depart: Option<Minute>,
    pub board: usize,
    pub alight: usize,
}

/// A plan file that could not be read: which file, where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanFileError {
    /// File name inside the plan directory, e.g. `groups.csv`.
    pub file: String,
    /// 1-based line (the header is line 1), where known.
    pub line: Option<usize>,
    /// Column name, where known.
    pub column: Option<String>,
    pub message: String,
}

impl PlanFileError {
    fn new(file: &str, message: impl Into<String>) -> Self {
        PlanFileError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column '{}'", clip(c, 300))?;
        }
        write!(f, ": {}", clip(&self.message, 600))
    }
}

impl std::error::Error for PlanFileError {}

// ---------------------------------------------------------------------------------------
// Reading plan files
// ---------------------------------------------------------------------------------------

/// A plan CSV file: the wanted columns' positions and the data rows with their lines.
struct PlanCsv {
    file: String,
    columns: Vec<&'static str>,
    positions: Vec<usize>,
    rows: Vec<(usize, csv::StringRecord)>,
}

impl PlanCsv {
    fn parse(bytes: &[u8], schema: &FileSchema) -> Result<Self, PlanFileError> {
        let (file, columns) = (schema.name, schema.columns);
        // The bundle's reader: UTF-8 (with or without BOM) or Windows-1251, `,` or `;`,
        // physical line numbers, binary data refused, and a row of the wrong width or an
        // unclosed quote is an error naming its line.
        let from_diag = |d: Diagnostic, more: usize| {
            let mut message = d.message;
            if more > 0 {
                message.push_str(&format!(" (and {more} more line(s) like it)"));
            }
            if !d.hint.is_empty() {
                message.push_str(&format!(" — {}", d.hint));
            }
            PlanFileError {
                file: file.to_string(),
                line: d.row,
                column: d.column,
                message,
            }
        };
        let text = table::decode_text(bytes, file).map_err(|d| from_diag(d, 0))?;
        let (t, problems) = table::parse_table(&text, file).map_err(|d| from_diag(d, 0))?;
        let more = problems.len().saturating_sub(1);
        if let Some(d) = problems.into_iter().next() {
            return Err(from_diag(d, more));
        }
        let mut positions = Vec::with_capacity(columns.len());
        for &c in columns {
            match t.col(c) {
                Some(i) => positions.push(i),
                // Our optional extensions: absent in older plans, read as empty.
                None if OPTIONAL_COLUMNS.contains(&(file, c)) => positions.push(usize::MAX),
                None => {
                    let mut err = PlanFileError::new(
                        file,
                        format!(
                            "the header has no column '{c}' (it has: {})",
                            t.headers.join(",")
                        ),
                    );
                    err.line = Some(t.header_line);
                    err.column = Some(c.to_string());
                    return Err(err);
                }
            }
        }
        let rows = t
            .rows
            .into_iter()
            .map(|r| (r.line, csv::StringRecord::from(r.cells)))
            .collect();
        Ok(PlanCsv {
            file: file.to_string(),
            columns: columns.to_vec(),
            positions,
            rows,
        })
    }

    fn cell<'r>(&self, rec: &'r csv::StringRecord, k: usize) -> &'r str {
        rec.get(self.positions[k]).unwrap_or("").trim()
    }

    fn error(&self, line: usize, k: usize, message: String) -> PlanFileError {
        PlanFileError {
            file: self.file.clone(),
            line: Some(line),
            column: Some(self.columns[k].to_string()),
            message,
        }
    }

    fn number(
        &self,
        line: usize,
        rec: &csv::StringRecord,
        k: usize,
    ) -> Result<usize, PlanFileError> {
        let s = self.cell(rec, k);
        s.parse::<usize>()
            .map_err(|_| self.error(line, k, format!("'{s}' is not a whole number")))
    }

    /// A time, or `None` for an empty cell.
    fn opt_time(
        &self,
        line: usize,
        rec: &csv::StringRecord,
        k: usize,
    ) -> Result<Option<Minute>, PlanFileError> {
        if self.cell(rec, k).is_empty() {
            Ok(None)
        } else {
            self.time(line, rec, k).map(Some)
        }
    }

    fn time(
        &self,
        line: usize,
        rec: &csv::StringRecord,
        k: usize,
    ) -> Result<Minute, PlanFileError> {
        let s = self.cell(rec, k);
        parse_hhmm(s).ok_or_else(|| self.error(line, k, format!("'{s}' is not a time HH:MM")))
    }
}

/// The bytes of `file` in directory `plan`.
fn read_plan_file(plan: &Path, file: &str) -> Result<Vec<u8>, PlanFileError> {
    if !plan.is_dir() {
        return Err(PlanFileError::new(
            &plan.display().to_string(),
            "the plan directory does not exist (or is not a directory)",
        ));
    }
    fs::read(plan.join(file)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            PlanFileError::new(file, "the file is missing from the plan")
        } else {
            PlanFileError::new(file, format!("cannot read the file: {e}"))
        }
    })
}

/// Reads `groups.csv` of a plan directory.
pub fn read_groups(plan: &Path) -> Result<Vec<PlanGroupRow>, PlanFileError> {
    parse_groups(&read_plan_file(plan, GROUPS.name)?)
}

/// Parses the bytes of a `groups.csv`.
pub fn parse_groups(bytes: &[u8]) -> Result<Vec<PlanGroupRow>, PlanFileError> {
    let t = PlanCsv::parse(bytes, &GROUPS)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        out.push(PlanGroupRow {
            line: *line,
            group: t.cell(rec, 0).to_string(),
            course: t.cell(rec, 1).to_string(),
            school: t.cell(rec, 2).to_string(),
            room: t.cell(rec, 3).to_string(),
            teacher: t.cell(rec, 4).to_string(),
            first_period: t.number(*line, rec, 5)?,
            periods: t.number(*line, rec, 6)?,
            mode: t.cell(rec, 7).to_string(),
            size: t.number(*line, rec, 8)?,
        });
    }
    Ok(out)
}

/// One row of `assignments.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentRow {
    /// The 1-based line in assignments.csv.
    pub line: usize,
    pub student: String,
    pub group: String,
}

/// Reads `assignments.csv` of a plan directory as `(student, group)` pairs.
pub fn read_assignments(plan: &Path) -> Result<Vec<(String, String)>, PlanFileError> {
    parse_assignments(&read_plan_file(plan, ASSIGNMENTS.name)?)
}

/// Reads `assignments.csv` of a plan directory, each row with its line.
pub fn read_assignment_rows(plan: &Path) -> Result<Vec<AssignmentRow>, PlanFileError> {
    parse_assignment_rows(&read_plan_file(plan, ASSIGNMENTS.name)?)
}

/// Parses the bytes of an `assignments.csv` into `(student, group)` pairs.
pub fn parse_assignments(bytes: &[u8]) -> Result<Vec<(String, String)>, PlanFileError> {
    Ok(parse_assignment_rows(bytes)?
        .into_iter()
        .map(|r| (r.student, r.group))
        .collect())
}

/// Parses the bytes of an `assignments.csv`, each row with its line.
pub fn parse_assignment_rows(bytes: &[u8]) -> Result<Vec<AssignmentRow>, PlanFileError> {
    let t = PlanCsv::parse(bytes, &ASSIGNMENTS)?;
    Ok(t.rows
        .iter()
        .map(|(line, rec)| AssignmentRow {
            line: *line,
            student: t.cell(rec, 0).to_string(),
            group: t.cell(rec, 1).to_string(),
        })
        .collect())
}

/// Reads `routes.csv` of a plan directory; `None` when the plan has no such file.
pub fn read_routes(plan: &Path) -> Result<Option<Vec<RouteLegRow>>, PlanFileError> {
    optional(plan, &ROUTES, parse_routes)
}

/// Parses the bytes of a `routes.csv`.
pub fn parse_routes(bytes: &[u8]) -> Result<Vec<RouteLegRow>, PlanFileError> {
    let t = PlanCsv::parse(bytes, &ROUTES)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        out.push(RouteLegRow {
            person: t.cell(rec, 0).to_string(),
            role: t.cell(rec, 1).to_string(),
            leg: t.number(*line, rec, 2)?,
            from: t.cell(rec, 3).to_string(),
            to: t.cell(rec, 4).to_string(),
            depart: t.time(*line, rec, 5)?,
            arrive: t.time(*line, rec, 6)?,
            vehicle: t.cell(rec, 7).to_string(),
        });
    }
    Ok(out)
}

/// Reads `transport.csv` of a plan directory; `None` when the plan has no such file.
pub fn read_transport(plan: &Path) -> Result<Option<Vec<TransportRow>>, PlanFileError> {
    optional(plan, &TRANSPORT, parse_transport)
}

/// Parses the bytes of a `transport.csv` (see the module documentation).
pub fn parse_transport(bytes: &[u8]) -> Result<Vec<TransportRow>, PlanFileError> {
    let t = PlanCsv::parse(bytes, &TRANSPORT)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        out.push(TransportRow {
            line: *line,
            vehicle: t.cell(rec, 0).to_string(),
            trip: t.number(*line, rec, 1)?,
            stop: t.number(*line, rec, 2)?,
            school: t.cell(rec, 3).to_string(),
            arrive: t.opt_time(*line, rec, 4)?,
            depart: t.opt_time(*line, rec, 5)?,
            board: t.number(*line, rec, 6)?,
            alight: t.number(*line, rec, 7)?,
        });
    }
    Ok(out)
}

/// One row of `unserved.csv`, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnservedRow {
    pub student: String,
    pub course: String,
    pub rank: String,
    pub reason: String,
    /// The reason as code and figures, when the file carries them.
    pub code: Option<crate::plan::reason::Reason>,
}

impl UnservedRow {
    /// The reason in `lang` (from its code; the written text when there is none).
    pub fn reason_text(&self, lang: crate::lang::Lang) -> String {
        match &self.code {
            Some(r) => r.text(lang),
            None => self.reason.clone(),
        }
    }

    /// [`UnservedRow::reason_text`] with courses, schools and teachers named as people
    /// call them, their ids in brackets.
    pub fn reason_named(&self, lang: crate::lang::Lang, net: &crate::model::Network) -> String {
        use crate::plan::reason::Named;
        let label = |what: Named, id: &str| -> String {
            let name = match what {
                Named::Course => net.course_index(id).map(|c| &net.courses[c.idx()].name),
                Named::School => net.school_index(id).map(|s| &net.schools[s.idx()].name),
                Named::Teacher => net.teachers.iter().find(|t| t.id == id).map(|t| &t.name),
            };
            match (name, what) {
                (Some(n), Named::Teacher) if n != id => format!("{n} ({id})"),
                (Some(n), _) if n != id => format!("«{n}» ({id})"),
                _ => id.to_string(),
            }
        };
        match &self.code {
            Some(r) => r.text_named(lang, &label),
            None => self.reason.clone(),
        }
    }
}

/// Reads `unserved.csv` of a plan directory; `None` when the plan has no such file.
pub fn read_unserved(plan: &Path) -> Result<Option<Vec<UnservedRow>>, PlanFileError> {
    optional(plan, &UNSERVED, parse_unserved)
}

/// Parses the bytes of an `unserved.csv`.
pub fn parse_unserved(bytes: &[u8]) -> Result<Vec<UnservedRow>, PlanFileError> {
    let t = PlanCsv::parse(bytes, &UNSERVED)?;
    Ok(t.rows
        .iter()
        .map(|(_, rec)| UnservedRow {
            student: t.cell(rec, 0).to_string(),
            course: t.cell(rec, 1).to_string(),
            rank: t.cell(rec, 2).to_string(),
            reason: t.cell(rec, 3).to_string(),
            code: crate::plan::reason::Reason::parse(t.cell(rec, 4), t.cell(rec, 5)),
        })
        .collect())
}

/// SPEC §4 `vehicles_used` and `vehicle_minutes`, counted from transport.csv alone:
/// vehicles with at least one trip, and the sum over trips of the last stop's arrival
/// minus the first stop's departure (the lowest-numbered stop's `depart` and the
/// highest-numbered stop's `arrive`; a trip without them counts 0 minutes).
pub fn vehicle_figures(transport: &[TransportRow]) -> (usize, u64) {
    // (vehicle, trip) -> (lowest stop, its depart), (highest stop, its arrive)
    type Ends = ((usize, Option<Minute>), (usize, Option<Minute>));
    let mut trips: BTreeMap<(&str, usize), Ends> = BTreeMap::new();
    for r in transport {
        let e = trips
            .entry((r.vehicle.as_str(), r.trip))
            .or_insert(((r.stop, r.depart), (r.stop, r.arrive)));
        if r.stop < e.0 .0 {
            e.0 = (r.stop, r.depart);
        }
        if r.stop > e.1 .0 {
            e.1 = (r.stop, r.arrive);
        }
    }
    let vehicles: HashSet<&str> = trips.keys().map(|k| k.0).collect();
    let minutes = trips
        .values()
        .map(|((_, d), (_, a))| match (d, a) {
            (Some(d), Some(a)) => a.saturating_sub(*d) as u64,
            _ => 0,
        })
        .sum();
    (vehicles.len(), minutes)
}

//! The independent plan checker: does a written plan obey SPEC §3, rules 1–8?
//!
//! The checker reads the plan as it is on disk (`groups.csv`, `assignments.csv` and,
//! when present, `routes.csv` and `transport.csv`), with string ids, and re-derives
//! everything it needs from the validated [`Network`] alone. It deliberately shares no
//! code with the optimiser: travel times come from its own Floyd–Warshall over
//! `net.links`, not from [`crate::graph`], a person's day is rebuilt here, not taken
//! from [`crate::plan`], and vehicle trips are read back from `transport.csv` and
//! followed here, not taken from the trip builder (`src/transport.rs`).
//!
//! Every violation is reported (not only the first), each with its rule number, a
//! stable code and the ids involved:
//!
//! | code  | rule | violation |
//! |-------|------|-----------|
//! | C0101 | 1 | a group's course does not exist |
//! | C0102 | 1 | a group's school does not exist |
//! | C0103 | 1 | a group's room does not exist |
//! | C0104 | 1 | a group's teacher does not exist |
//! | C0105 | 1 | an assignment names a student that does not exist |
//! | C0106 | 1 | an assignment names a group that is not in groups.csv |
//! | C0107 | 1 | a group id is empty or used twice |
//! | C0108 | 1 | `periods` differs from the course's periods |
//! | C0109 | 1 | the group does not fit in the day (first period 0, or ends after the last period) |
//! | C0110 | 1 | the room is not at the group's school |
//! | C0111 | 1 | the room's kind differs from the course's room kind |
//! | C0112 | 1 | the room is not available in a period of the group |
//! | C0113 | 1 | mode is neither `in_person` nor `distance` |
//! | C0201 | 2 | `size` differs from the number of students assigned |
//! | C0202 | 2 | fewer students than the course's minimum |
//! | C0203 | 2 | more students than the course's maximum |
//! | C0204 | 2 | an in-person group has more students than its room seats |
//! | C0301 | 3 | the teacher cannot teach the course |
//! | C0302 | 3 | the teacher teaches two groups at the same time |
//! | C0303 | 3 | the teacher is not available in a period of the group |
//! | C0304 | 3 | the teacher teaches more than `max_periods` periods |
//! | C0305 | 3 | a teacher with `travels = no` teaches away from their home school |
//! | C0401 | 4 | a room holds two groups at the same time |
//! | C0501 | 5 | a student is in a group of a course they did not choose |
//! | C0502 | 5 | a student is in two groups of one course |
//! | C0503 | 5 | a student is in more groups than they want |
//! | C0504 | 5 | a student is in two groups at the same time |
//! | C0505 | 5 | a student is in a group whose course does not admit their grade |
//! | C0506 | 5 | the same (student, group) row appears twice in assignments.csv |
//! | C0601 | 6 | a distance group of a course that may not be taught remotely |
//! | C0701 | 7 | too little time to travel between two consecutive places of a person's day |
//! | C0702 | 7 | two places of one person's day (or a leg's ends) are not connected |
//! | C0703 | 7 | a leg in routes.csv is shorter than the travel time between its ends |
//! | C0704 | 7 | a leg in routes.csv starts before the day starts or ends after it ends |
//! | C0705 | 7 | a person who must move between two places has no legs for it in routes.csv |
//! | C0706 | 7 | a leg in routes.csv names an unknown person, role or school |
//! | C0801 | 8 | a student's leg between two schools rides no vehicle (the bundle has vehicles) |
//! | C0802 | 8 | routes.csv or transport.csv names a vehicle that is not in vehicles.csv |
//! | C0803 | 8 | a leg names a vehicle, but no trip of it runs that leg |
//! | C0804 | 8 | a trip carries more riders than the vehicle's seats between two stops |
//! | C0805 | 8 | a stop's `board` or `alight` differs from the riders who board or leave there |
//! | C0806 | 8 | a trip is faster than the roads between two stops (or they are not connected) |
//! | C0807 | 8 | a vehicle is in two trips at once (a trip departs before the previous one ends) |
//! | C0808 | 8 | a vehicle's trips do not chain: the first does not start at its base school, or a trip does not start where the previous one ended |
//! | C0809 | 8 | a vehicle's last trip does not end at its base school |
//! | C0810 | 8 | a vehicle's first trip departs before the day starts, or its last trip arrives after the day ends |
//! | C0811 | 8 | a malformed trip in transport.csv: stop numbers, times present or missing, arrive after depart, trip numbers, unknown school |
//!
//! # Rule 7 and vehicles
//!
//! A leg need not be "just in time": it is valid when it departs no earlier than the end
//! of the person's previous stay (or the day start), arrives no later than the start of
//! the next stay (or the day end, for the way home), and takes at least the shortest
//! travel time. So a bus leg that collects a student at 08:10 for a group at 09:00 obeys
//! rule 7.
//!
//! # Rule 8: `transport.csv` (our extension of SPEC §2)
//!
//! Header `vehicle,trip,stop,school,arrive,depart,board,alight` (columns in any order;
//! read like every plan file). Rule 8 is applied by [`check_plan_dir`] (so by
//! `profnet check` and by the plan writer) whenever the plan is read from disk; it only
//! finds something when the bundle has vehicles, the plan has `transport.csv`, or a leg
//! names a vehicle.
//!
//! * `(vehicle, trip)` identifies a trip. `trip` is numbered 1, 2, 3… per vehicle in time
//!   order (C0811 for gaps or 0); `stop` is 1..k within the trip, k ≥ 2, each once,
//!   consecutive from 1 (C0811). Rows of a trip may come in any order in the file.
//! * `school` is a school id of the bundle (C0811 otherwise). `arrive` is empty at the
//!   first stop, `depart` empty at the last stop; every other stop has both, with
//!   `arrive <= depart` (C0811). Times are `HH:MM`; a cell that is neither empty nor a
//!   time, or a `trip`, `stop`, `board` or `alight` that is not a whole number ≥ 0, is a
//!   [`CheckError`] naming the file, line and column (the plan is unreadable).
//! * `board` / `alight`: persons who board / leave at that stop; they must equal the
//!   riders matched below (C0805).
//! * Between consecutive stops, `next.arrive - this.depart` is at least the shortest
//!   travel time between their schools (C0806; unconnected schools are C0806 too).
//! * Trips include empty runs: a vehicle's trips, in trip order, form one chain. Trip 1
//!   starts at the vehicle's base school (`vehicles.csv` `school`, C0808) departing no
//!   earlier than `day_start` (C0810); trip n+1 starts at the school where trip n ended
//!   (C0808), departing no earlier than trip n's last arrival (C0807); the last trip ends
//!   at the base (C0809) arriving no later than `day_end` (C0810). So a vehicle is never
//!   in two trips at once and starts from and returns to its base. (A vehicle with a
//!   malformed trip or trip numbering is not followed through the chain.)
//! * `routes.csv`: when the bundle has at least one vehicle, every student leg with
//!   `from != to` names a vehicle (C0801; without routes.csv, every move a student must
//!   make is C0801). A named vehicle must exist (C0802, also when the bundle has no
//!   vehicles). A leg that names a vehicle, a student's or a teacher's, rides the first
//!   trip of that vehicle (in trip order) that has a stop i at `from` with
//!   `depart == leg.depart` and a later stop j > i at `to` with `arrive == leg.arrive`
//!   (the first such i, then the first such j); none is C0803. The rider is on board
//!   from stop i to stop j: on every segment the riders on board are at most the
//!   vehicle's `seats` (C0804), and they count in `board` at stop i and in `alight` at
//!   stop j.
//!
//! [`vehicle_kpis`] counts SPEC §4 `vehicles_used` (vehicles with at least one trip) and
//! `vehicle_minutes` (sum over trips of the last stop's arrival minus the first stop's
//! departure) from `transport.csv` alone.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs;
use std::path::Path;

use crate::diag::{clip, Diagnostic};
use crate::io::table;
use crate::model::{parse_hhmm, Hhmm, Minute, Network};

/// The columns of a plan's `groups.csv` (SPEC §2), in the order profnet writes them.
pub const GROUPS_COLUMNS: [&str; 9] = [
    "group",
    "course",
    "school",
    "room",
    "teacher",
    "first_period",
    "periods",
    "mode",
    "size",
];

/// One broken rule of SPEC §3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule number of SPEC §3 (1–8).
    pub rule: u8,
    /// Stable code `C0RNN` (R = rule); see the module documentation.
    pub code: &'static str,
    /// What is wrong, with the ids involved.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {} [{}]: {}", self.rule, self.code, self.message)
    }
}

/// One row of `groups.csv`, ids as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanGroupRow {
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

/// The columns of a plan's `transport.csv`, in the order profnet writes them.
pub const TRANSPORT_COLUMNS: [&str; 8] = [
    "vehicle", "trip", "stop", "school", "arrive", "depart", "board", "alight",
];

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
pub struct CheckError {
    /// File name inside the plan directory, e.g. `groups.csv`.
    pub file: String,
    /// 1-based line (the header is line 1), where known.
    pub line: Option<usize>,
    /// Column name, where known.
    pub column: Option<String>,
    pub message: String,
}

impl CheckError {
    fn new(file: &str, message: impl Into<String>) -> Self {
        CheckError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for CheckError {
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

impl std::error::Error for CheckError {}

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
    fn parse(bytes: &[u8], file: &str, columns: &[&'static str]) -> Result<Self, CheckError> {
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
            CheckError {
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
                None => {
                    let mut err = CheckError::new(
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

    fn error(&self, line: usize, k: usize, message: String) -> CheckError {
        CheckError {
            file: self.file.clone(),
            line: Some(line),
            column: Some(self.columns[k].to_string()),
            message,
        }
    }

    fn number(&self, line: usize, rec: &csv::StringRecord, k: usize) -> Result<usize, CheckError> {
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
    ) -> Result<Option<Minute>, CheckError> {
        if self.cell(rec, k).is_empty() {
            Ok(None)
        } else {
            self.time(line, rec, k).map(Some)
        }
    }

    fn time(&self, line: usize, rec: &csv::StringRecord, k: usize) -> Result<Minute, CheckError> {
        let s = self.cell(rec, k);
        parse_hhmm(s).ok_or_else(|| self.error(line, k, format!("'{s}' is not a time HH:MM")))
    }
}

/// The bytes of `file` in directory `plan`.
fn read_plan_file(plan: &Path, file: &str) -> Result<Vec<u8>, CheckError> {
    if !plan.is_dir() {
        return Err(CheckError::new(
            &plan.display().to_string(),
            "the plan directory does not exist (or is not a directory)",
        ));
    }
    fs::read(plan.join(file)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CheckError::new(file, "the file is missing from the plan")
        } else {
            CheckError::new(file, format!("cannot read the file: {e}"))
        }
    })
}

/// Reads `groups.csv` of a plan directory.
pub fn read_groups(plan: &Path) -> Result<Vec<PlanGroupRow>, CheckError> {
    parse_groups(&read_plan_file(plan, "groups.csv")?)
}

/// Parses the bytes of a `groups.csv`.
pub fn parse_groups(bytes: &[u8]) -> Result<Vec<PlanGroupRow>, CheckError> {
    let t = PlanCsv::parse(bytes, "groups.csv", &GROUPS_COLUMNS)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        out.push(PlanGroupRow {
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

/// Reads `assignments.csv` of a plan directory as `(student, group)` pairs.
pub fn read_assignments(plan: &Path) -> Result<Vec<(String, String)>, CheckError> {
    parse_assignments(&read_plan_file(plan, "assignments.csv")?)
}

/// Parses the bytes of an `assignments.csv` into `(student, group)` pairs.
pub fn parse_assignments(bytes: &[u8]) -> Result<Vec<(String, String)>, CheckError> {
    let t = PlanCsv::parse(bytes, "assignments.csv", &["student", "group"])?;
    Ok(t.rows
        .iter()
        .map(|(_, rec)| (t.cell(rec, 0).to_string(), t.cell(rec, 1).to_string()))
        .collect())
}

/// Reads `routes.csv` of a plan directory; `None` when the plan has no such file.
pub fn read_routes(plan: &Path) -> Result<Option<Vec<RouteLegRow>>, CheckError> {
    if !plan.join("routes.csv").exists() {
        return Ok(None);
    }
    parse_routes(&read_plan_file(plan, "routes.csv")?).map(Some)
}

/// Parses the bytes of a `routes.csv`.
pub fn parse_routes(bytes: &[u8]) -> Result<Vec<RouteLegRow>, CheckError> {
    let t = PlanCsv::parse(
        bytes,
        "routes.csv",
        &[
            "person", "role", "leg", "from", "to", "depart", "arrive", "vehicle",
        ],
    )?;
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
pub fn read_transport(plan: &Path) -> Result<Option<Vec<TransportRow>>, CheckError> {
    if !plan.join("transport.csv").exists() {
        return Ok(None);
    }
    parse_transport(&read_plan_file(plan, "transport.csv")?).map(Some)
}

/// Parses the bytes of a `transport.csv` (see the module documentation).
pub fn parse_transport(bytes: &[u8]) -> Result<Vec<TransportRow>, CheckError> {
    let t = PlanCsv::parse(bytes, "transport.csv", &TRANSPORT_COLUMNS)?;
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

/// Checks the plan in directory `plan` against `net`: reads `groups.csv`,
/// `assignments.csv` and (if present) `routes.csv` and `transport.csv`, then applies
/// every rule 1–8. An unreadable or malformed plan file is an error; broken rules are
/// violations.
pub fn check_plan_dir(net: &Network, plan: &Path) -> Result<Vec<Violation>, CheckError> {
    check_plan_dir_renamed(net, plan, &HashMap::new())
}

/// As [`check_plan_dir`], for a plan whose students are renamed (pseudonymised): every
/// student of `assignments.csv` and every student's leg of `routes.csv` found as a key
/// of `real` is replaced by its value before the check; others stay as they are and are
/// reported like any unknown id.
pub fn check_plan_dir_renamed(
    net: &Network,
    plan: &Path,
    real: &HashMap<String, String>,
) -> Result<Vec<Violation>, CheckError> {
    let back = |s: &mut String| {
        if let Some(r) = real.get(s.as_str()) {
            s.clone_from(r);
        }
    };
    let groups = read_groups(plan)?;
    let mut assignments = read_assignments(plan)?;
    let mut routes = read_routes(plan)?;
    let transport = read_transport(plan)?;
    if !real.is_empty() {
        for (s, _) in &mut assignments {
            back(s);
        }
        for l in routes.iter_mut().flatten().filter(|l| l.role == "student") {
            back(&mut l.person);
        }
    }
    Ok(check_plan_full(
        net,
        &groups,
        &assignments,
        routes.as_deref(),
        transport.as_deref(),
    ))
}

/// Checks rules 1–7 for a plan given as the bytes of its files (`routes` is `None` when
/// the plan has no routes.csv), as [`check_plan_dir`] checks them on disk but without
/// rule 8 (see [`check_plan_bytes_with_transport`]).
pub fn check_plan_bytes(
    net: &Network,
    groups: &[u8],
    assignments: &[u8],
    routes: Option<&[u8]>,
) -> Result<Vec<Violation>, CheckError> {
    let groups = parse_groups(groups)?;
    let assignments = parse_assignments(assignments)?;
    let routes = routes.map(parse_routes).transpose()?;
    Ok(check(net, &groups, &assignments, routes.as_deref(), None))
}

/// Checks rules 1–8 for a plan given as the bytes of its files (`routes` / `transport`
/// are `None` when the plan has no routes.csv / transport.csv), exactly as
/// [`check_plan_dir`] checks them on disk.
pub fn check_plan_bytes_with_transport(
    net: &Network,
    groups: &[u8],
    assignments: &[u8],
    routes: Option<&[u8]>,
    transport: Option<&[u8]>,
) -> Result<Vec<Violation>, CheckError> {
    let groups = parse_groups(groups)?;
    let assignments = parse_assignments(assignments)?;
    let routes = routes.map(parse_routes).transpose()?;
    let transport = transport.map(parse_transport).transpose()?;
    Ok(check_plan_full(
        net,
        &groups,
        &assignments,
        routes.as_deref(),
        transport.as_deref(),
    ))
}

/// Checks rules 1–7 for a plan given as rows (no routes.csv).
pub fn check_plan(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
) -> Vec<Violation> {
    check(net, groups, assignments, None, None)
}

/// Checks rules 1–7 for a plan given as rows, including the legs of routes.csv.
pub fn check_plan_with_routes(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
    routes: &[RouteLegRow],
) -> Vec<Violation> {
    check(net, groups, assignments, Some(routes), None)
}

/// Checks rules 1–8 for a plan given as rows: `routes` / `transport` are `None` when the
/// plan has no routes.csv / transport.csv (for rule 8 a missing transport.csv is a plan
/// without trips).
pub fn check_plan_full(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
    routes: Option<&[RouteLegRow]>,
    transport: Option<&[TransportRow]>,
) -> Vec<Violation> {
    check(
        net,
        groups,
        assignments,
        routes,
        Some(transport.unwrap_or(&[])),
    )
}

/// SPEC §4 `vehicles_used` and `vehicle_minutes`, counted from transport.csv alone:
/// vehicles with at least one trip, and the sum over trips of the last stop's arrival
/// minus the first stop's departure (the lowest-numbered stop's `depart` and the
/// highest-numbered stop's `arrive`; a trip without them counts 0 minutes).
pub fn vehicle_kpis(transport: &[TransportRow]) -> (usize, u64) {
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

// ---------------------------------------------------------------------------------------
// Travel times
// ---------------------------------------------------------------------------------------

/// Shortest travel minutes between all pairs of schools (Floyd–Warshall over the
/// undirected links of `net`); `m[a][b]` is `None` when there is no path. The diagonal is 0.
pub fn shortest_travel(net: &Network) -> Vec<Vec<Option<u32>>> {
    let n = net.schools.len();
    const INF: u64 = u64::MAX / 4;
    let mut d = vec![vec![INF; n]; n];
    for (i, row) in d.iter_mut().enumerate() {
        row[i] = 0;
    }
    for l in &net.links {
        let (a, b) = (l.a.idx(), l.b.idx());
        if a < n && b < n {
            let m = l.minutes as u64;
            if m < d[a][b] {
                d[a][b] = m;
                d[b][a] = m;
            }
        }
    }
    for k in 0..n {
        for i in 0..n {
            let dik = d[i][k];
            if dik >= INF {
                continue;
            }
            let row_k = d[k].clone();
            for (dij, dkj) in d[i].iter_mut().zip(row_k) {
                let via = dik + dkj;
                if via < *dij {
                    *dij = via;
                }
            }
        }
    }
    // Closed schools (a re-plan's change): nobody goes there or leaves.
    for c in &net.closed {
        let c = c.idx();
        for x in (0..n).filter(|&x| x != c) {
            if c < n {
                d[c][x] = INF;
                d[x][c] = INF;
            }
        }
    }
    d.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|x| (x < INF).then(|| x.min(u32::MAX as u64) as u32))
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------

/// A group row with its ids resolved against the network.
struct Resolved<'a> {
    row: &'a PlanGroupRow,
    course: Option<usize>,
    school: Option<usize>,
    room: Option<usize>,
    teacher: Option<usize>,
    distance: bool,
    /// 0-based periods `first .. end` when the group fits in the day.
    span: Option<(usize, usize)>,
    /// Distinct students, in order of assignment.
    members: Vec<usize>,
}

impl Resolved<'_> {
    fn label(&self) -> String {
        format!("{} ({})", self.row.group, self.row.course)
    }

    fn times(&self, net: &Network) -> Option<(Minute, Minute)> {
        self.span
            .map(|(a, b)| (net.periods[a].start, net.periods[b - 1].end))
    }
}

/// The first common 0-based period of two spans, if they overlap.
fn overlap(x: (usize, usize), y: (usize, usize)) -> Option<usize> {
    (x.0 < y.1 && y.0 < x.1).then(|| x.0.max(y.0))
}

struct Out(Vec<Violation>);

impl Out {
    fn push(&mut self, rule: u8, code: &'static str, message: String) {
        self.0.push(Violation {
            rule,
            code,
            message,
        });
    }
}

fn index<'a, I: Iterator<Item = &'a str>>(ids: I) -> HashMap<&'a str, usize> {
    let mut m = HashMap::new();
    for (i, id) in ids.enumerate() {
        m.entry(id).or_insert(i);
    }
    m
}

/// One place in a person's day: where, from when to when, and what it is (for messages).
#[derive(Clone)]
struct Stay {
    place: usize,
    start: Minute,
    end: Minute,
    what: String,
    /// The day's start or end at home (not a group).
    day: bool,
}

/// A movement a person must make, and the window it must fit in.
struct Move {
    from: usize,
    to: usize,
    window: (Minute, Minute),
}

/// Rules 1–7, and rule 8 when `transport` is `Some` (empty: a plan without trips).
fn check(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
    routes: Option<&[RouteLegRow]>,
    transport: Option<&[TransportRow]>,
) -> Vec<Violation> {
    let mut out = Out(Vec::new());
    let travel = shortest_travel(net);
    let schools = index(net.schools.iter().map(|x| x.id.as_str()));
    let rooms = index(net.rooms.iter().map(|x| x.id.as_str()));
    let courses = index(net.courses.iter().map(|x| x.id.as_str()));
    let teachers = index(net.teachers.iter().map(|x| x.id.as_str()));
    let students = index(net.students.iter().map(|x| x.id.as_str()));
    let np = net.num_periods();

    // ---- rule 1: ids, periods, rooms, mode ----
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut resolved: Vec<Resolved> = Vec::with_capacity(groups.len());
    for (gi, row) in groups.iter().enumerate() {
        let g = &row.group;
        if g.is_empty() {
            out.push(
                1,
                "C0107",
                format!("group row {} has an empty group id", gi + 1),
            );
        } else if by_id.contains_key(g.as_str()) {
            out.push(
                1,
                "C0107",
                format!("group id {g} is used by more than one group"),
            );
        } else {
            by_id.insert(g.as_str(), gi);
        }
        let course = courses.get(row.course.as_str()).copied();
        if course.is_none() {
            out.push(
                1,
                "C0101",
                format!("group {g}: course '{}' does not exist", row.course),
            );
        }
        let school = schools.get(row.school.as_str()).copied();
        if school.is_none() {
            out.push(
                1,
                "C0102",
                format!("group {g}: school '{}' does not exist", row.school),
            );
        }
        let room = rooms.get(row.room.as_str()).copied();
        if room.is_none() {
            out.push(
                1,
                "C0103",
                format!("group {g}: room '{}' does not exist", row.room),
            );
        }
        let teacher = teachers.get(row.teacher.as_str()).copied();
        if teacher.is_none() {
            out.push(
                1,
                "C0104",
                format!("group {g}: teacher '{}' does not exist", row.teacher),
            );
        }
        let distance = match row.mode.as_str() {
            "in_person" => false,
            "distance" => true,
            other => {
                out.push(
                    1,
                    "C0113",
                    format!("group {g}: mode '{other}' is neither in_person nor distance"),
                );
                false
            }
        };
        if let Some(c) = course {
            let cp = net.courses[c].periods;
            if row.periods != cp {
                out.push(
                    1,
                    "C0108",
                    format!(
                        "group {g}: periods is {} but course {} takes {cp}",
                        row.periods, row.course
                    ),
                );
            }
        }
        let span = if row.first_period == 0 {
            out.push(
                1,
                "C0109",
                format!("group {g}: first_period is 0; periods are numbered from 1"),
            );
            None
        } else if row.periods == 0 {
            None
        } else {
            let a = row.first_period - 1;
            // Checked: both numbers come from the file and may be huge
            // (tests/fuzz_regressions/plan/).
            match a.checked_add(row.periods).filter(|&b| b <= np) {
                Some(b) => Some((a, b)),
                None => {
                    out.push(
                        1,
                        "C0109",
                        format!(
                            "group {g} occupies periods {}-{} but the day has only {np} period(s)",
                            row.first_period,
                            a.saturating_add(row.periods)
                        ),
                    );
                    None
                }
            }
        };
        if let Some(r) = room {
            let rm = &net.rooms[r];
            if let Some(s) = school {
                if rm.school.idx() != s {
                    out.push(
                        1,
                        "C0110",
                        format!(
                            "group {g}: room {} is at school {}, not at {}",
                            rm.id,
                            net.schools[rm.school.idx()].id,
                            row.school
                        ),
                    );
                }
            }
            if let Some(c) = course {
                let need = net.courses[c].room_kind;
                if rm.kind != need {
                    out.push(
                        1,
                        "C0111",
                        format!(
                            "group {g}: room {} is of kind '{}' but course {} needs '{}'",
                            rm.id,
                            net.kind_name(rm.kind),
                            row.course,
                            net.kind_name(need)
                        ),
                    );
                }
            }
            if let Some((a, b)) = span {
                let missing: Vec<String> = (a..b)
                    .filter(|&p| !rm.periods.contains(p))
                    .map(|p| (p + 1).to_string())
                    .collect();
                if !missing.is_empty() {
                    out.push(
                        1,
                        "C0112",
                        format!(
                            "group {g}: room {} is not available in period(s) {}",
                            rm.id,
                            missing.join(" ")
                        ),
                    );
                }
            }
        }
        resolved.push(Resolved {
            row,
            course,
            school,
            room,
            teacher,
            distance,
            span,
            members: Vec::new(),
        });
    }

    // Assignments (unknown ids are rule 1; repeated rows are rule 5).
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut student_groups: Vec<Vec<usize>> = vec![Vec::new(); net.students.len()];
    for (s, g) in assignments {
        let st = students.get(s.as_str()).copied();
        if st.is_none() {
            out.push(
                1,
                "C0105",
                format!("assignments.csv: student '{s}' (in group {g}) does not exist"),
            );
        }
        let gi = by_id.get(g.as_str()).copied();
        if gi.is_none() {
            out.push(
                1,
                "C0106",
                format!("assignments.csv: group '{g}' (of student {s}) is not in groups.csv"),
            );
        }
        if !seen.insert((s.as_str(), g.as_str())) {
            out.push(
                5,
                "C0506",
                format!("assignments.csv: student {s} is assigned to group {g} more than once"),
            );
            continue;
        }
        if let (Some(st), Some(gi)) = (st, gi) {
            resolved[gi].members.push(st);
            student_groups[st].push(gi);
        }
    }

    // ---- rule 2: sizes ----
    for g in &resolved {
        let n = g.members.len();
        let id = &g.row.group;
        if g.row.size != n {
            out.push(
                2,
                "C0201",
                format!(
                    "group {id}: size is {} but {n} student(s) are assigned to it",
                    g.row.size
                ),
            );
        }
        if let Some(c) = g.course {
            let c = &net.courses[c];
            if (n as u64) < c.min_group as u64 {
                out.push(
                    2,
                    "C0202",
                    format!(
                        "group {} has {n} student(s); the minimum for {} is {}",
                        id, c.id, c.min_group
                    ),
                );
            }
            if (n as u64) > c.max_group as u64 {
                out.push(
                    2,
                    "C0203",
                    format!(
                        "group {} has {n} student(s); the maximum for {} is {}",
                        id, c.id, c.max_group
                    ),
                );
            }
        }
        if let (false, Some(r)) = (g.distance, g.room) {
            let rm = &net.rooms[r];
            if (n as u64) > rm.capacity as u64 {
                out.push(
                    2,
                    "C0204",
                    format!(
                        "group {id} has {n} student(s) in person but room {} seats {}",
                        rm.id, rm.capacity
                    ),
                );
            }
        }
    }

    // ---- rule 3: teachers ----
    let mut teacher_groups: Vec<Vec<usize>> = vec![Vec::new(); net.teachers.len()];
    for (gi, g) in resolved.iter().enumerate() {
        let Some(t) = g.teacher else { continue };
        teacher_groups[t].push(gi);
        let te = &net.teachers[t];
        if let Some(c) = g.course {
            if !te.courses.iter().any(|x| x.idx() == c) {
                out.push(
                    3,
                    "C0301",
                    format!(
                        "teacher {} cannot teach course {} (group {})",
                        te.id, g.row.course, g.row.group
                    ),
                );
            }
        }
        if let Some((a, b)) = g.span {
            let missing: Vec<String> = (a..b)
                .filter(|&p| !te.periods.contains(p))
                .map(|p| (p + 1).to_string())
                .collect();
            if !missing.is_empty() {
                out.push(
                    3,
                    "C0303",
                    format!(
                        "teacher {} is not available in period(s) {} of group {}",
                        te.id,
                        missing.join(" "),
                        g.row.group
                    ),
                );
            }
        }
        if let Some(s) = g.school {
            if !te.travels && te.school.idx() != s {
                out.push(
                    3,
                    "C0305",
                    format!(
                        "teacher {} does not travel (home school {}) but teaches group {} at {}",
                        te.id,
                        net.schools[te.school.idx()].id,
                        g.row.group,
                        g.row.school
                    ),
                );
            }
        }
    }
    for (t, gs) in teacher_groups.iter().enumerate() {
        let te = &net.teachers[t];
        for (i, &x) in gs.iter().enumerate() {
            for &y in &gs[i + 1..] {
                if let (Some(sx), Some(sy)) = (resolved[x].span, resolved[y].span) {
                    if let Some(p) = overlap(sx, sy) {
                        out.push(
                            3,
                            "C0302",
                            format!(
                                "teacher {} teaches {} and {} at the same time (period {})",
                                te.id,
                                resolved[x].row.group,
                                resolved[y].row.group,
                                p + 1
                            ),
                        );
                    }
                }
            }
        }
        let total = gs.iter().fold(0usize, |sum, &g| {
            sum.saturating_add(resolved[g].row.periods)
        });
        if total > te.max_periods {
            out.push(
                3,
                "C0304",
                format!(
                    "teacher {} teaches {total} periods (groups {}) but at most {}",
                    te.id,
                    gs.iter()
                        .map(|&g| resolved[g].row.group.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    te.max_periods
                ),
            );
        }
    }

    // ---- rule 4: rooms ----
    let mut room_groups: Vec<Vec<usize>> = vec![Vec::new(); net.rooms.len()];
    for (gi, g) in resolved.iter().enumerate() {
        if let Some(r) = g.room {
            room_groups[r].push(gi);
        }
    }
    for (r, gs) in room_groups.iter().enumerate() {
        for (i, &x) in gs.iter().enumerate() {
            for &y in &gs[i + 1..] {
                if let (Some(sx), Some(sy)) = (resolved[x].span, resolved[y].span) {
                    if let Some(p) = overlap(sx, sy) {
                        out.push(
                            4,
                            "C0401",
                            format!(
                                "room {} holds {} and {} at the same time (period {})",
                                net.rooms[r].id,
                                resolved[x].row.group,
                                resolved[y].row.group,
                                p + 1
                            ),
                        );
                    }
                }
            }
        }
    }

    // ---- rule 5: students ----
    for (s, gs) in student_groups.iter().enumerate() {
        let st = &net.students[s];
        let mut per_course: HashMap<usize, Vec<usize>> = HashMap::new();
        for &gi in gs {
            let g = &resolved[gi];
            let Some(c) = g.course else { continue };
            per_course.entry(c).or_default().push(gi);
            if !st.choices.iter().any(|x| x.idx() == c) {
                out.push(
                    5,
                    "C0501",
                    format!(
                        "student {} is in group {} of course {}, which they did not choose",
                        st.id, g.row.group, g.row.course
                    ),
                );
            }
            if !net.courses[c].admits(st.grade) {
                out.push(
                    5,
                    "C0505",
                    format!(
                        "student {} (grade {}) is in group {} of course {}, which does not admit grade {}",
                        st.id, st.grade, g.row.group, g.row.course, st.grade
                    ),
                );
            }
        }
        let mut repeated: Vec<(usize, Vec<usize>)> = per_course
            .into_iter()
            .filter(|(_, v)| v.len() > 1)
            .collect();
        repeated.sort();
        for (c, v) in repeated {
            out.push(
                5,
                "C0502",
                format!(
                    "student {} is in {} groups of course {}: {}",
                    st.id,
                    v.len(),
                    net.courses[c].id,
                    v.iter()
                        .map(|&g| resolved[g].row.group.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
        }
        if gs.len() > st.wants {
            out.push(
                5,
                "C0503",
                format!(
                    "student {} is in {} groups but wants at most {}",
                    st.id,
                    gs.len(),
                    st.wants
                ),
            );
        }
        for (i, &x) in gs.iter().enumerate() {
            for &y in &gs[i + 1..] {
                if let (Some(sx), Some(sy)) = (resolved[x].span, resolved[y].span) {
                    if let Some(p) = overlap(sx, sy) {
                        out.push(
                            5,
                            "C0504",
                            format!(
                                "student {} is in {} and {} at the same time (period {})",
                                st.id,
                                resolved[x].row.group,
                                resolved[y].row.group,
                                p + 1
                            ),
                        );
                    }
                }
            }
        }
    }

    // ---- rule 6: distance mode ----
    for g in &resolved {
        if let (true, Some(c)) = (g.distance, g.course) {
            if !net.courses[c].distance {
                out.push(
                    6,
                    "C0601",
                    format!(
                        "group {} is taught at a distance but course {} may not be",
                        g.row.group, g.row.course
                    ),
                );
            }
        }
    }

    // ---- rule 7: each person's day ----
    let mut moves: HashMap<(bool, usize), Vec<Move>> = HashMap::new();
    for (s, gs) in student_groups.iter().enumerate() {
        let st = &net.students[s];
        let home = st.school.idx();
        let stays: Vec<Stay> = gs
            .iter()
            .filter_map(|&gi| {
                let g = &resolved[gi];
                let (start, end) = g.times(net)?;
                let place = if g.distance { Some(home) } else { g.school }?;
                Some(Stay {
                    place,
                    start,
                    end,
                    what: g.label(),
                    day: false,
                })
            })
            .collect();
        let m = follow_day(
            net,
            &travel,
            &format!("student {}", st.id),
            home,
            stays,
            &mut out,
        );
        moves.insert((true, s), m);
    }
    for (t, gs) in teacher_groups.iter().enumerate() {
        let te = &net.teachers[t];
        let home = te.school.idx();
        let stays: Vec<Stay> = gs
            .iter()
            .filter_map(|&gi| {
                let g = &resolved[gi];
                let (start, end) = g.times(net)?;
                Some(Stay {
                    place: g.school?,
                    start,
                    end,
                    what: g.label(),
                    day: false,
                })
            })
            .collect();
        let m = follow_day(
            net,
            &travel,
            &format!("teacher {}", te.id),
            home,
            stays,
            &mut out,
        );
        moves.insert((false, t), m);
    }

    if let Some(routes) = routes {
        check_routes(
            net, &travel, routes, &schools, &students, &teachers, &moves, &mut out,
        );
    }

    if let Some(transport) = transport {
        check_vehicles(net, &travel, routes, transport, &schools, &moves, &mut out);
    }

    let mut v = out.0;
    v.sort_by_key(|x| x.rule);
    v
}

/// Follows one person through the day: reports gaps too short for the travel between
/// consecutive places (C0701) and unconnected places (C0702); returns the moves the
/// person must make, each with the time window it has to fit in.
fn follow_day(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    who: &str,
    home: usize,
    mut stays: Vec<Stay>,
    out: &mut Out,
) -> Vec<Move> {
    stays.sort_by_key(|s| (s.start, s.end));
    let home_id = &net.schools[home].id;
    let mut places = Vec::with_capacity(stays.len() + 2);
    places.push(Stay {
        place: home,
        start: net.day_start,
        end: net.day_start,
        what: format!(
            "the day start ({}) at home school {home_id}",
            Hhmm(net.day_start)
        ),
        day: true,
    });
    places.extend(stays);
    places.push(Stay {
        place: home,
        start: net.day_end,
        end: net.day_end,
        what: format!(
            "the day end ({}) at home school {home_id}",
            Hhmm(net.day_end)
        ),
        day: true,
    });
    let mut moves = Vec::new();
    let describe = |s: &Stay| -> String {
        if s.day {
            s.what.clone()
        } else {
            format!(
                "{} at {} ({}-{})",
                s.what,
                net.schools[s.place].id,
                Hhmm(s.start),
                Hhmm(s.end)
            )
        }
    };
    for w in places.windows(2) {
        let (prev, next) = (&w[0], &w[1]);
        if next.start < prev.end {
            // Two groups at once are reported under rule 3 or 5; a group that starts
            // before the day starts or ends after it ends is reported here.
            if prev.day || next.day {
                out.push(
                    7,
                    "C0701",
                    format!(
                        "{who}: {} and {} overlap in time",
                        describe(prev),
                        describe(next)
                    ),
                );
            }
            continue;
        }
        match travel[prev.place][next.place] {
            None => out.push(
                7,
                "C0702",
                format!(
                    "{who} would go from {} to {}, but there is no travel link path between {} and {}",
                    describe(prev),
                    describe(next),
                    net.schools[prev.place].id,
                    net.schools[next.place].id
                ),
            ),
            Some(m) => {
                let gap = next.start - prev.end;
                if gap < m {
                    out.push(
                        7,
                        "C0701",
                        format!(
                            "{who} has {gap} min between {} and {}, but travel from {} to {} takes {m} min",
                            describe(prev),
                            describe(next),
                            net.schools[prev.place].id,
                            net.schools[next.place].id
                        ),
                    );
                }
                if prev.place != next.place {
                    moves.push(Move {
                        from: prev.place,
                        to: next.place,
                        window: (prev.end, next.start),
                    });
                }
            }
        }
    }
    moves
}

/// Checks the legs of routes.csv: each leg on its own (C0702, C0703, C0704, C0706) and
/// that every move a person must make is covered by their legs (C0705).
#[allow(clippy::too_many_arguments)]
fn check_routes(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    routes: &[RouteLegRow],
    schools: &HashMap<&str, usize>,
    students: &HashMap<&str, usize>,
    teachers: &HashMap<&str, usize>,
    moves: &HashMap<(bool, usize), Vec<Move>>,
    out: &mut Out,
) {
    // (is_student, person) -> legs (from, to, depart, arrive, leg number)
    type LegTuple = (usize, usize, Minute, Minute, usize);
    let mut legs: HashMap<(bool, usize), Vec<LegTuple>> = HashMap::new();
    for r in routes {
        let name = format!("routes.csv: {} {} leg {}", r.role, r.person, r.leg);
        let person = match r.role.as_str() {
            "student" => students.get(r.person.as_str()).map(|&i| (true, i)),
            "teacher" => teachers.get(r.person.as_str()).map(|&i| (false, i)),
            other => {
                out.push(
                    7,
                    "C0706",
                    format!("{name}: role '{other}' is neither student nor teacher"),
                );
                continue;
            }
        };
        if person.is_none() {
            out.push(
                7,
                "C0706",
                format!("{name}: no {} has id '{}'", r.role, r.person),
            );
        }
        let from = schools.get(r.from.as_str()).copied();
        let to = schools.get(r.to.as_str()).copied();
        for (id, s) in [(&r.from, from), (&r.to, to)] {
            if s.is_none() {
                out.push(7, "C0706", format!("{name}: school '{id}' does not exist"));
            }
        }
        if r.depart < net.day_start || r.arrive > net.day_end {
            out.push(
                7,
                "C0704",
                format!(
                    "{name} runs {}-{}, outside the day {}-{}",
                    Hhmm(r.depart),
                    Hhmm(r.arrive),
                    Hhmm(net.day_start),
                    Hhmm(net.day_end)
                ),
            );
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        match travel[from][to] {
            None => out.push(
                7,
                "C0702",
                format!(
                    "{name}: there is no travel link path from {} to {}",
                    r.from, r.to
                ),
            ),
            Some(m) => {
                if r.arrive < r.depart || r.arrive - r.depart < m {
                    out.push(
                        7,
                        "C0703",
                        format!(
                            "{name} from {} to {} departs {} and arrives {}, but the travel takes {m} min",
                            r.from,
                            r.to,
                            Hhmm(r.depart),
                            Hhmm(r.arrive)
                        ),
                    );
                }
            }
        }
        if let Some(p) = person {
            legs.entry(p)
                .or_default()
                .push((from, to, r.depart, r.arrive, r.leg));
        }
    }

    let mut keys: Vec<&(bool, usize)> = moves.keys().collect();
    keys.sort_by_key(|(st, i)| (!st, *i));
    for key in keys {
        let (is_student, i) = *key;
        let who = if is_student {
            format!("student {}", net.students[i].id)
        } else {
            format!("teacher {}", net.teachers[i].id)
        };
        let mine = legs.get(key).map(Vec::as_slice).unwrap_or(&[]);
        for mv in &moves[key] {
            let (w0, w1) = mv.window;
            let mut inside: Vec<_> = mine
                .iter()
                .filter(|l| l.2 >= w0 && l.3 <= w1)
                .copied()
                .collect();
            inside.sort_by_key(|l| (l.2, l.4));
            let chained = !inside.is_empty()
                && inside[0].0 == mv.from
                && inside.last().map(|l| l.1) == Some(mv.to)
                && inside.windows(2).all(|w| w[0].1 == w[1].0);
            if !chained {
                let found = if inside.is_empty() {
                    "none".to_string()
                } else {
                    inside
                        .iter()
                        .map(|l| format!("{}->{}", net.schools[l.0].id, net.schools[l.1].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.push(
                    7,
                    "C0705",
                    format!(
                        "{who} must travel from {} to {} between {} and {}, but routes.csv has no such legs (found: {found})",
                        net.schools[mv.from].id,
                        net.schools[mv.to].id,
                        Hhmm(w0),
                        Hhmm(w1)
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rule 8: vehicles
// ---------------------------------------------------------------------------------------

/// One stop of a well-formed trip: its row, its school, and its times (a missing time is
/// taken from the other one, so that a trip with a reported time error is still followed).
struct TripStop<'a> {
    row: &'a TransportRow,
    school: usize,
    arrive: Minute,
    depart: Minute,
}

/// A trip of transport.csv and the riders matched to it.
struct Trip<'a> {
    vehicle: &'a str,
    number: usize,
    /// The known vehicle, if any.
    known: Option<usize>,
    stops: Vec<TripStop<'a>>,
    /// Riders on board between stop `k` and stop `k + 1`.
    load: Vec<usize>,
    board: Vec<usize>,
    alight: Vec<usize>,
}

/// Where a transport.csv row is, for messages.
fn transport_at(row: &TransportRow) -> String {
    if row.line > 0 {
        format!("transport.csv, line {}", row.line)
    } else {
        "transport.csv".to_string()
    }
}

/// The stops of trip `number` of vehicle `vid` in stop order, or `None` (reported, C0811)
/// when the trip is malformed beyond following; reports C0811 time errors and C0806.
fn trip_stops<'a>(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    vid: &str,
    number: usize,
    rows: &[&'a TransportRow],
    schools: &HashMap<&str, usize>,
    out: &mut Out,
) -> Option<Vec<TripStop<'a>>> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| (r.stop, r.line));
    let name = format!("vehicle {vid} trip {number}");
    let first_line = rows
        .iter()
        .min_by_key(|r| r.line)
        .map(|r| transport_at(r))?;
    let mut ok = true;
    let numbers: Vec<usize> = rows.iter().map(|r| r.stop).collect();
    if rows.len() < 2 {
        out.push(
            8,
            "C0811",
            format!(
                "{first_line}: {name} has {} stop(s); a trip has at least 2",
                rows.len()
            ),
        );
        ok = false;
    } else if numbers.iter().enumerate().any(|(i, &n)| n != i + 1) {
        out.push(
            8,
            "C0811",
            format!(
                "{first_line}: {name} has stops numbered {}; number a trip's stops 1, 2, 3… in the order it calls at them, each once",
                numbers
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        );
        ok = false;
    }
    let last = rows.len().saturating_sub(1);
    let mut stops = Vec::with_capacity(rows.len());
    for (k, r) in rows.iter().enumerate() {
        let at = format!("{}: {name} stop {}", transport_at(r), r.stop);
        let school = schools.get(r.school.as_str()).copied();
        if school.is_none() {
            out.push(
                8,
                "C0811",
                format!("{at}: school '{}' does not exist", r.school),
            );
            ok = false;
        }
        let mut bad = |what: &str| out.push(8, "C0811", format!("{at}: {what}"));
        if k == 0 {
            if r.arrive.is_some() {
                bad("arrive must be empty at the first stop of a trip");
            }
            if r.depart.is_none() {
                bad("the first stop of a trip needs a depart time");
            }
        } else if k == last {
            if r.depart.is_some() {
                bad("depart must be empty at the last stop of a trip");
            }
            if r.arrive.is_none() {
                bad("the last stop of a trip needs an arrive time");
            }
        } else if r.arrive.is_none() || r.depart.is_none() {
            bad("a stop between the first and the last needs both arrive and depart");
        }
        if let (Some(a), Some(d)) = (r.arrive, r.depart) {
            if a > d {
                bad(&format!(
                    "arrives at {} but departs at {}",
                    Hhmm(a),
                    Hhmm(d)
                ));
            }
        }
        match (school, r.arrive.or(r.depart), r.depart.or(r.arrive)) {
            (Some(school), Some(arrive), Some(depart)) => stops.push(TripStop {
                row: r,
                school,
                arrive,
                depart,
            }),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    for w in stops.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (sa, sb) = (&net.schools[a.school].id, &net.schools[b.school].id);
        match travel[a.school][b.school] {
            None => out.push(
                8,
                "C0806",
                format!(
                    "{}: {name} goes from {sa} (stop {}) to {sb} (stop {}), but there is no travel link path between them",
                    transport_at(b.row),
                    a.row.stop,
                    b.row.stop
                ),
            ),
            Some(m) => {
                if b.arrive < a.depart || b.arrive - a.depart < m {
                    out.push(
                        8,
                        "C0806",
                        format!(
                            "{}: {name} departs {sa} (stop {}) at {} and arrives at {sb} (stop {}) at {}, but the travel takes {m} min",
                            transport_at(b.row),
                            a.row.stop,
                            Hhmm(a.depart),
                            b.row.stop,
                            Hhmm(b.arrive)
                        ),
                    );
                }
            }
        }
    }
    Some(stops)
}

/// Follows a known vehicle through its trips (in trip order): C0807–C0810.
fn vehicle_chain(net: &Network, v: usize, trips: &[&Trip], out: &mut Out) {
    let (Some(first), Some(last)) = (trips.first(), trips.last()) else {
        return;
    };
    let veh = &net.vehicles[v];
    let base = veh.school.idx();
    let base_id = &net.schools[base].id;
    let start = &first.stops[0];
    if start.school != base {
        out.push(
            8,
            "C0808",
            format!(
                "{}: vehicle {} trip {} starts at {}, but the vehicle is based at {base_id}: its first trip starts at its base (write the empty run as a trip)",
                transport_at(start.row),
                veh.id,
                first.number,
                net.schools[start.school].id
            ),
        );
    }
    if start.depart < net.day_start {
        out.push(
            8,
            "C0810",
            format!(
                "{}: vehicle {} trip {} departs at {}, before the day starts ({})",
                transport_at(start.row),
                veh.id,
                first.number,
                Hhmm(start.depart),
                Hhmm(net.day_start)
            ),
        );
    }
    for w in trips.windows(2) {
        let (a, b) = (w[0], w[1]);
        let end = a.stops.last().expect("a trip has stops");
        let next = &b.stops[0];
        if next.school != end.school {
            out.push(
                8,
                "C0808",
                format!(
                    "{}: vehicle {} trip {} starts at {}, but its trip {} ended at {}: a vehicle's trips chain (write the empty run as a trip)",
                    transport_at(next.row),
                    veh.id,
                    b.number,
                    net.schools[next.school].id,
                    a.number,
                    net.schools[end.school].id
                ),
            );
        }
        if next.depart < end.arrive {
            out.push(
                8,
                "C0807",
                format!(
                    "{}: vehicle {} is in two trips at once: trip {} departs at {}, before trip {} arrives at {}",
                    transport_at(next.row),
                    veh.id,
                    b.number,
                    Hhmm(next.depart),
                    a.number,
                    Hhmm(end.arrive)
                ),
            );
        }
    }
    let end = last.stops.last().expect("a trip has stops");
    if end.school != base {
        out.push(
            8,
            "C0809",
            format!(
                "{}: vehicle {}'s last trip ({}) ends at {}, but the vehicle is based at {base_id}: it must return there",
                transport_at(end.row),
                veh.id,
                last.number,
                net.schools[end.school].id
            ),
        );
    }
    if end.arrive > net.day_end {
        out.push(
            8,
            "C0810",
            format!(
                "{}: vehicle {} trip {} arrives at {}, after the day ends ({})",
                transport_at(end.row),
                veh.id,
                last.number,
                Hhmm(end.arrive),
                Hhmm(net.day_end)
            ),
        );
    }
}

/// Rule 8: the trips of transport.csv on their own, then the legs of routes.csv that
/// ride them (see the module documentation).
fn check_vehicles(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    routes: Option<&[RouteLegRow]>,
    transport: &[TransportRow],
    schools: &HashMap<&str, usize>,
    moves: &HashMap<(bool, usize), Vec<Move>>,
    out: &mut Out,
) {
    let vehicles = index(net.vehicles.iter().map(|v| v.id.as_str()));
    let unknown = |id: &str| -> String {
        if net.vehicles.is_empty() {
            format!("vehicle '{id}' is not in vehicles.csv: the bundle has no vehicles")
        } else {
            format!("vehicle '{id}' is not in vehicles.csv")
        }
    };

    // Rows by vehicle, then by trip number.
    let mut by_vehicle: BTreeMap<&str, BTreeMap<usize, Vec<&TransportRow>>> = BTreeMap::new();
    for r in transport {
        by_vehicle
            .entry(r.vehicle.as_str())
            .or_default()
            .entry(r.trip)
            .or_default()
            .push(r);
    }
    let mut trips: Vec<Trip> = Vec::new();
    // Vehicle id -> its well-formed trips (indices into `trips`), in trip order.
    let mut trips_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (&vid, vtrips) in &by_vehicle {
        let known = vehicles.get(vid).copied();
        if known.is_none() {
            let first = vtrips
                .values()
                .flatten()
                .min_by_key(|r| r.line)
                .expect("a vehicle with rows");
            out.push(
                8,
                "C0802",
                format!(
                    "{}: {} (it has {} trip(s) in transport.csv)",
                    transport_at(first),
                    unknown(vid),
                    vtrips.len()
                ),
            );
        }
        let numbers: Vec<usize> = vtrips.keys().copied().collect();
        let mut whole = numbers.iter().enumerate().all(|(i, &n)| n == i + 1);
        if !whole {
            out.push(
                8,
                "C0811",
                format!(
                    "transport.csv: vehicle {vid} has trips numbered {}; number a vehicle's trips 1, 2, 3… in time order",
                    numbers
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
        }
        let mine = trips_of.entry(vid).or_default();
        for (&number, rows) in vtrips {
            match trip_stops(net, travel, vid, number, rows, schools, out) {
                Some(stops) => {
                    let n = stops.len();
                    mine.push(trips.len());
                    trips.push(Trip {
                        vehicle: vid,
                        number,
                        known,
                        stops,
                        load: vec![0; n - 1],
                        board: vec![0; n],
                        alight: vec![0; n],
                    });
                }
                None => whole = false,
            }
        }
        if let (Some(v), true) = (known, whole) {
            let chain: Vec<&Trip> = mine.iter().map(|&t| &trips[t]).collect();
            vehicle_chain(net, v, &chain, out);
        }
    }

    // The riders.
    match routes {
        Some(routes) => {
            for r in routes {
                let name = format!("routes.csv: {} {} leg {}", r.role, r.person, r.leg);
                if r.vehicle.is_empty() {
                    if r.role == "student" && r.from != r.to && !net.vehicles.is_empty() {
                        out.push(
                            8,
                            "C0801",
                            format!(
                                "{name} from {} to {} ({}-{}) rides no vehicle; with vehicles.csv every student leg between two schools rides a vehicle trip",
                                r.from,
                                r.to,
                                Hhmm(r.depart),
                                Hhmm(r.arrive)
                            ),
                        );
                    }
                    continue;
                }
                if !vehicles.contains_key(r.vehicle.as_str()) {
                    out.push(8, "C0802", format!("{name}: {}", unknown(&r.vehicle)));
                    continue;
                }
                // Unknown schools are reported under rule 7 (C0706).
                let (Some(&from), Some(&to)) =
                    (schools.get(r.from.as_str()), schools.get(r.to.as_str()))
                else {
                    continue;
                };
                let ride = trips_of.get(r.vehicle.as_str()).and_then(|ts| {
                    ts.iter().find_map(|&t| {
                        let st = &trips[t].stops;
                        (0..st.len()).find_map(|i| {
                            if st[i].school != from || st[i].row.depart != Some(r.depart) {
                                return None;
                            }
                            (i + 1..st.len())
                                .find(|&j| st[j].school == to && st[j].row.arrive == Some(r.arrive))
                                .map(|j| (t, i, j))
                        })
                    })
                });
                match ride {
                    Some((t, i, j)) => {
                        let trip = &mut trips[t];
                        for l in &mut trip.load[i..j] {
                            *l += 1;
                        }
                        trip.board[i] += 1;
                        trip.alight[j] += 1;
                    }
                    None => out.push(
                        8,
                        "C0803",
                        format!(
                            "{name} rides vehicle {} from {} at {} to {} at {}, but no trip of {} departs {} at {} and later arrives at {} at {}",
                            r.vehicle,
                            r.from,
                            Hhmm(r.depart),
                            r.to,
                            Hhmm(r.arrive),
                            r.vehicle,
                            r.from,
                            Hhmm(r.depart),
                            r.to,
                            Hhmm(r.arrive)
                        ),
                    ),
                }
            }
        }
        None if !net.vehicles.is_empty() => {
            let mut keys: Vec<usize> = moves
                .keys()
                .filter(|(student, _)| *student)
                .map(|&(_, s)| s)
                .collect();
            keys.sort_unstable();
            for s in keys {
                for mv in &moves[&(true, s)] {
                    out.push(
                        8,
                        "C0801",
                        format!(
                            "student {} must travel from {} to {} between {} and {}, but the plan has no routes.csv: with vehicles.csv every student leg between two schools rides a vehicle trip",
                            net.students[s].id,
                            net.schools[mv.from].id,
                            net.schools[mv.to].id,
                            Hhmm(mv.window.0),
                            Hhmm(mv.window.1)
                        ),
                    );
                }
            }
        }
        None => {}
    }

    // Seats and board/alight counts (trips of unknown vehicles were reported above).
    for trip in &trips {
        let Some(v) = trip.known else { continue };
        let seats = net.vehicles[v].seats as usize;
        let name = format!("vehicle {} trip {}", trip.vehicle, trip.number);
        for (k, &load) in trip.load.iter().enumerate() {
            if load > seats {
                let (a, b) = (&trip.stops[k], &trip.stops[k + 1]);
                out.push(
                    8,
                    "C0804",
                    format!(
                        "{}: {name} carries {load} rider(s) from {} (stop {}) to {} (stop {}), but it has {seats} seats",
                        transport_at(a.row),
                        net.schools[a.school].id,
                        a.row.stop,
                        net.schools[b.school].id,
                        b.row.stop
                    ),
                );
            }
        }
        for (k, st) in trip.stops.iter().enumerate() {
            let (board, alight) = (trip.board[k], trip.alight[k]);
            if st.row.board != board || st.row.alight != alight {
                out.push(
                    8,
                    "C0805",
                    format!(
                        "{}: {name} stop {} at {} says board {}, alight {}, but routes.csv has {board} rider(s) boarding and {alight} leaving there",
                        transport_at(st.row),
                        st.row.stop,
                        net.schools[st.school].id,
                        st.row.board,
                        st.row.alight
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Link, School, SchoolId, SchoolKind};

    fn net(n: usize, links: &[(usize, usize, u32)]) -> Network {
        Network {
            name: String::new(),
            day_start: 480,
            day_end: 1020,
            periods: Vec::new(),
            min_group: 1,
            max_group: 30,
            wants: 2,
            schools: (0..n)
                .map(|i| School {
                    id: format!("S{i}"),
                    name: String::new(),
                    kind: SchoolKind::School,
                    lat: None,
                    lon: None,
                    priority: 1.0,
                })
                .collect(),
            links: links
                .iter()
                .map(|&(a, b, minutes)| Link {
                    a: SchoolId::from(a),
                    b: SchoolId::from(b),
                    minutes,
                    mode: String::new(),
                })
                .collect(),
            rooms: Vec::new(),
            courses: Vec::new(),
            teachers: Vec::new(),
            students: Vec::new(),
            vehicles: Vec::new(),
            tuning: Default::default(),
            closed: Vec::new(),
            kinds: vec!["general".into()],
        }
    }

    #[test]
    fn floyd_warshall_is_undirected_and_takes_the_cheapest_link() {
        // 0 -10- 1 -10- 2, a slow direct 0-2 (30), a cheaper duplicate 1-0 (4), 3 alone.
        let m = shortest_travel(&net(4, &[(0, 1, 10), (1, 2, 10), (0, 2, 30), (1, 0, 4)]));
        assert_eq!(m[0][2], Some(14));
        assert_eq!(m[2][0], Some(14));
        assert_eq!(m[1][0], Some(4));
        assert_eq!(m[3][3], Some(0));
        assert_eq!(m[0][3], None);
        assert_eq!(m[3][1], None);
    }

    #[test]
    fn overlapping_spans() {
        assert_eq!(overlap((0, 1), (0, 1)), Some(0));
        assert_eq!(overlap((2, 4), (3, 5)), Some(3));
        assert_eq!(overlap((3, 5), (2, 4)), Some(3));
        assert_eq!(overlap((0, 2), (2, 3)), None);
        assert_eq!(overlap((4, 5), (0, 4)), None);
    }

    #[test]
    fn day_with_one_far_group() {
        let mut n = net(2, &[(0, 1, 30)]);
        let mut out = Out(Vec::new());
        let stay = |start, end| Stay {
            place: 1,
            start,
            end,
            what: "G1 (X)".into(),
            day: false,
        };
        // 08:00 -> 09:00 at S1 (30 min away), until 09:45; back by 17:00.
        let moves = follow_day(
            &n,
            &shortest_travel(&n),
            "student P",
            0,
            vec![stay(540, 585)],
            &mut out,
        );
        assert!(out.0.is_empty());
        assert_eq!(moves.len(), 2);
        assert_eq!(
            (moves[0].from, moves[0].to, moves[0].window),
            (0, 1, (480, 540))
        );
        assert_eq!(
            (moves[1].from, moves[1].to, moves[1].window),
            (1, 0, (585, 1020))
        );
        // A group at 08:20 leaves only 20 minutes.
        follow_day(
            &n,
            &shortest_travel(&n),
            "student P",
            0,
            vec![stay(500, 545)],
            &mut out,
        );
        assert_eq!(out.0.len(), 1);
        assert_eq!(out.0[0].code, "C0701");
        // A group that runs past the day's end.
        n.day_end = 560;
        let mut out = Out(Vec::new());
        follow_day(
            &n,
            &shortest_travel(&n),
            "student P",
            0,
            vec![stay(540, 585)],
            &mut out,
        );
        assert_eq!(out.0.len(), 1, "{:?}", out.0);
        assert!(out.0[0].message.contains("overlap"), "{}", out.0[0]);
    }

    #[test]
    fn check_error_display_names_file_line_and_column() {
        let e = CheckError {
            file: "groups.csv".into(),
            line: Some(3),
            column: Some("size".into()),
            message: "'x' is not a whole number".into(),
        };
        assert_eq!(
            e.to_string(),
            "groups.csv, line 3, column 'size': 'x' is not a whole number"
        );
    }
}

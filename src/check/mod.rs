//! The independent plan checker: does a written plan obey SPEC §3, rules 1–8, and
//! SPEC §8 rule 9 (the pins)?
//!
//! The checker reads the plan as it is on disk (`groups.csv`, `assignments.csv` and,
//! when present, `routes.csv` and `transport.csv`), with string ids, and re-derives
//! everything it needs from the validated [`Network`] alone. It deliberately shares no
//! code with the optimiser: travel times come from its own Floyd–Warshall over
//! `net.links`, not from [`crate::graph`], a person's day is rebuilt here, not taken
//! from [`crate::plan`], and vehicle trips are read back from `transport.csv` and
//! followed here, not taken from the trip builder ([`crate::plan::transport`]). The files
//! are read as rows by [`crate::planfile`], the plan-file schema, and nothing else.
//!
//! One file per family of rules: [`groups`] (1 ids and periods, 2 sizes, 4 rooms, 6
//! distance mode), [`days`] (3 teachers, 5 students, 7 travel and routes.csv),
//! [`vehicles`] (8) and [`pins`] (9, with the pins of the bundle, `net.pins`). A new rule is a function in the file of its family, called from
//! `check` below, with its codes in the table here.
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
//! | C0901 | 9 | a pinned group has no group of its own in groups.csv with its course, school, first period and every pinned room, teacher and mode |
//! | C0902 | 9 | a pinned student is in no group of the pinned course |
//! | C0903 | 9 | a pinned student is in a group of the course, but not in the group of the pinned group they are pinned to |
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
//!   [`PlanFileError`] naming the file, line and column (the plan is unreadable).
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
//! [`crate::planfile::vehicle_figures`] counts SPEC §4 `vehicles_used` (vehicles with at least one trip) and
//! `vehicle_minutes` (sum over trips of the last stop's arrival minus the first stop's
//! departure) from `transport.csv` alone.

mod days;
mod groups;
mod pins;
mod vehicles;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crate::model::{Minute, Network};
use crate::planfile::{
    parse_assignments, parse_groups, parse_routes, parse_transport, read_assignments, read_groups,
    read_routes, read_transport, PlanFileError, PlanGroupRow, RouteLegRow, TransportRow,
};

/// One broken rule of SPEC §3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule number of SPEC §3 (1–8), or 9 for the pins of SPEC §8.
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

/// Checks the plan in directory `plan` against `net`: reads `groups.csv`,
/// `assignments.csv` and (if present) `routes.csv` and `transport.csv`, then applies
/// every rule 1–9. An unreadable or malformed plan file is an error; broken rules are
/// violations.
pub fn check_plan_dir(net: &Network, plan: &Path) -> Result<Vec<Violation>, PlanFileError> {
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
) -> Result<Vec<Violation>, PlanFileError> {
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

/// Checks rules 1–7 and 9 for a plan given as the bytes of its files (`routes` is `None` when
/// the plan has no routes.csv), as [`check_plan_dir`] checks them on disk but without
/// rule 8 (see [`check_plan_bytes_with_transport`]).
pub fn check_plan_bytes(
    net: &Network,
    groups: &[u8],
    assignments: &[u8],
    routes: Option<&[u8]>,
) -> Result<Vec<Violation>, PlanFileError> {
    let groups = parse_groups(groups)?;
    let assignments = parse_assignments(assignments)?;
    let routes = routes.map(parse_routes).transpose()?;
    Ok(check(net, &groups, &assignments, routes.as_deref(), None))
}

/// Checks rules 1–9 for a plan given as the bytes of its files (`routes` / `transport`
/// are `None` when the plan has no routes.csv / transport.csv), exactly as
/// [`check_plan_dir`] checks them on disk.
pub fn check_plan_bytes_with_transport(
    net: &Network,
    groups: &[u8],
    assignments: &[u8],
    routes: Option<&[u8]>,
    transport: Option<&[u8]>,
) -> Result<Vec<Violation>, PlanFileError> {
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

/// Checks rules 1–7 and 9 for a plan given as rows (no routes.csv).
pub fn check_plan(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
) -> Vec<Violation> {
    check(net, groups, assignments, None, None)
}

/// Checks rules 1–7 and 9 for a plan given as rows, including the legs of routes.csv.
pub fn check_plan_with_routes(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
    routes: &[RouteLegRow],
) -> Vec<Violation> {
    check(net, groups, assignments, Some(routes), None)
}

/// Checks rules 1–9 for a plan given as rows: `routes` / `transport` are `None` when the
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
pub(super) struct Resolved<'a> {
    pub(super) row: &'a PlanGroupRow,
    pub(super) course: Option<usize>,
    pub(super) school: Option<usize>,
    pub(super) room: Option<usize>,
    pub(super) teacher: Option<usize>,
    pub(super) distance: bool,
    /// 0-based periods `first .. end` when the group fits in the day.
    pub(super) span: Option<(usize, usize)>,
    /// Distinct students, in order of assignment.
    pub(super) members: Vec<usize>,
}

impl Resolved<'_> {
    pub(super) fn label(&self) -> String {
        format!("{} ({})", self.row.group, self.row.course)
    }

    pub(super) fn times(&self, net: &Network) -> Option<(Minute, Minute)> {
        self.span
            .map(|(a, b)| (net.periods[a].start, net.periods[b - 1].end))
    }
}

/// The first common 0-based period of two spans, if they overlap.
pub(super) fn overlap(x: (usize, usize), y: (usize, usize)) -> Option<usize> {
    (x.0 < y.1 && y.0 < x.1).then(|| x.0.max(y.0))
}

pub(super) struct Out(Vec<Violation>);

impl Out {
    pub(super) fn push(&mut self, rule: u8, code: &'static str, message: String) {
        self.0.push(Violation {
            rule,
            code,
            message,
        });
    }
}

pub(super) fn index<'a, I: Iterator<Item = &'a str>>(ids: I) -> HashMap<&'a str, usize> {
    let mut m = HashMap::new();
    for (i, id) in ids.enumerate() {
        m.entry(id).or_insert(i);
    }
    m
}

/// The network with its ids indexed and its travel times, as the rules need them.
pub(super) struct Ctx<'n> {
    pub(super) net: &'n Network,
    /// [`shortest_travel`] of `net`.
    pub(super) travel: Vec<Vec<Option<u32>>>,
    pub(super) schools: HashMap<&'n str, usize>,
    pub(super) rooms: HashMap<&'n str, usize>,
    pub(super) courses: HashMap<&'n str, usize>,
    pub(super) teachers: HashMap<&'n str, usize>,
    pub(super) students: HashMap<&'n str, usize>,
    /// Periods in the day.
    pub(super) np: usize,
}

impl<'n> Ctx<'n> {
    fn new(net: &'n Network) -> Self {
        Ctx {
            net,
            travel: shortest_travel(net),
            schools: index(net.schools.iter().map(|x| x.id.as_str())),
            rooms: index(net.rooms.iter().map(|x| x.id.as_str())),
            courses: index(net.courses.iter().map(|x| x.id.as_str())),
            teachers: index(net.teachers.iter().map(|x| x.id.as_str())),
            students: index(net.students.iter().map(|x| x.id.as_str())),
            np: net.num_periods(),
        }
    }
}

/// Rules 1–7 and 9, and rule 8 when `transport` is `Some` (empty: a plan without trips);
/// one file per family of rules: [`groups`] (1, 2, 4, 6), [`days`] (3, 5, 7),
/// [`vehicles`] (8), [`pins`] (9).
fn check(
    net: &Network,
    groups: &[PlanGroupRow],
    assignments: &[(String, String)],
    routes: Option<&[RouteLegRow]>,
    transport: Option<&[TransportRow]>,
) -> Vec<Violation> {
    let mut out = Out(Vec::new());
    let ctx = Ctx::new(net);
    let (resolved, student_groups) = groups::resolve(&ctx, groups, assignments, &mut out);
    groups::sizes(&ctx, &resolved, &mut out);
    let teacher_groups = days::teachers(&ctx, &resolved, &mut out);
    groups::rooms(&ctx, &resolved, &mut out);
    days::students(&ctx, &resolved, &student_groups, &mut out);
    groups::distance(&ctx, &resolved, &mut out);
    let moves = days::travel(
        &ctx,
        &resolved,
        &student_groups,
        &teacher_groups,
        routes,
        &mut out,
    );
    if let Some(transport) = transport {
        vehicles::check_vehicles(&ctx, routes, transport, &moves, &mut out);
    }
    pins::pins(&ctx, &resolved, &student_groups, &mut out);
    let mut v = out.0;
    v.sort_by_key(|x| x.rule);
    v
}

#[cfg(test)]
mod tests {
    use super::days::{follow_day, Stay};
    use super::*;
    use crate::model::{Link, School, SchoolId, SchoolKind};
    use crate::planfile::PlanFileError;

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
            pins: Default::default(),
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
        let e = PlanFileError {
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

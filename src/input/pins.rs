//! The pins of SPEC §8: `pinned_groups.csv` and `pinned_students.csv`, optional files
//! of a bundle (or sheets `pinned_groups` / `pinned_students` of a workbook), read
//! against the network already loaded and checked for every way a pin could not be kept
//! together with rules 1–8 of SPEC §3.
//!
//! `pinned_groups.csv` — `course,school,first_period[,room][,teacher][,mode][,id]`: a
//! group that must open exactly so. `first_period` is 1-based as in the plan; `mode` is
//! `in_person`, `distance` or empty; an empty cell leaves that attribute to the
//! optimiser. `id` names the pin for `pinned_students.csv`.
//!
//! `pinned_students.csv` — `student,course[,group]`: the student sits in a group of
//! the course, in the pinned group `group` (an `id` of `pinned_groups.csv`) if given.
//!
//! Each problem names the pin's file, line and column and the rule of SPEC §3 it
//! breaks; problems are independent of each other, so all are reported at once.
//!
//! # Diagnostic codes
//!
//! Cells are read as in every bundle file, with the codes of [`crate::input::bundle`]:
//! `E0201` an empty `course`, `school`, `student` cell, `E0202` a pin `id` used twice,
//! `E0203` a `first_period` that is not a whole number, `E0207` an unknown course,
//! school, room, teacher, student or pinned group, `W0201` an unknown column. Then:
//!
//! | Code  | Level | Rule | Meaning |
//! |-------|-------|------|---------|
//! | E0701 | error | 1 | `mode` is neither `in_person`, `distance` nor empty |
//! | E0702 | error | 1 | `first_period` is not a period of the day (1..=N) |
//! | E0703 | error | 1 | the course's periods do not fit in the day from `first_period` |
//! | E0704 | error | 1 | the pinned room is not at the pinned school |
//! | E0705 | error | 1 | the pinned room's kind is not the course's `room_kind` |
//! | E0706 | error | 1 | the pinned room is not available in a period of the group |
//! | E0707 | error | 3 | the pinned teacher cannot teach the course |
//! | E0708 | error | 3 | the pinned teacher is not available in a period of the group |
//! | E0709 | error | 3 | a teacher with `travels = no` is pinned away from their home school |
//! | E0710 | error | 6 | mode `distance` for a course with `distance = no` |
//! | E0711 | error | 4 | two pinned groups in one room at overlapping periods |
//! | E0712 | error | 3 | one teacher pinned to two groups at overlapping periods |
//! | E0713 | error | 3 | a teacher's pinned groups take more than their `max_periods` |
//! | E0714 | error | 5 | a student is pinned to a course they did not choose |
//! | E0715 | error | 5 | a student is pinned to a course whose `grades` do not admit their grade |
//! | E0716 | error | 5 | a student is pinned to one course twice |
//! | E0717 | error | 5 | a pinned student's course differs from the course of the pinned group |
//! | E0718 | error | 2 | more students pinned to a group than its course's `max_group` (or its pinned room seats, in person) |
//! | E0719 | error | 5 | a student is pinned to more courses than they want (`wants`) |
//! | E0720 | error | 5 | a student is pinned to two groups at overlapping periods |
//! | E0721 | error | 2 | fewer students could ever join a pinned group than the course's `min_group` (students who chose the course and whose grade it admits; several pinned groups of one course need that many each) |
//! | E0722 | error | 1 | a pinned group without a room: no room of the course's kind at the school is free in its periods |
//! | E0723 | error | 7 | a pinned teacher or student cannot travel to an in-person pinned group and back within the day |

// Diagnostics are the error values here: built only on the failure path.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use serde::Deserialize;

use super::bundle::{whole, At, Loader};
use super::schema::{PINNED_GROUPS, PINNED_STUDENTS};
use super::table::Table;
use crate::graph::TravelTimes;
use crate::model::{
    CourseId, Network, Period, PinnedGroup, PinnedStudent, Pins, RoomId, SchoolId, StudentId,
    TeacherId,
};

pub const GROUPS: &str = PINNED_GROUPS.name;
pub const STUDENTS: &str = PINNED_STUDENTS.name;

const EMPTY_CELL: &str = "E0201";
const DUPLICATE_ID: &str = "E0202";
const UNKNOWN_ID: &str = "E0207";
const BAD_MODE: &str = "E0701";
const PERIOD_OUTSIDE: &str = "E0702";
const DOES_NOT_FIT: &str = "E0703";
const ROOM_ELSEWHERE: &str = "E0704";
const ROOM_KIND: &str = "E0705";
const ROOM_BUSY: &str = "E0706";
const NOT_QUALIFIED: &str = "E0707";
const TEACHER_ABSENT: &str = "E0708";
const TEACHER_STAYS: &str = "E0709";
const NO_DISTANCE: &str = "E0710";
const ROOM_TWICE: &str = "E0711";
const TEACHER_TWICE: &str = "E0712";
const TEACHER_HOURS: &str = "E0713";
const NOT_CHOSEN: &str = "E0714";
const GRADE: &str = "E0715";
const COURSE_TWICE: &str = "E0716";
const OTHER_COURSE: &str = "E0717";
const GROUP_FULL: &str = "E0718";
const TOO_MANY: &str = "E0719";
const STUDENT_CLASH: &str = "E0720";
const TOO_FEW: &str = "E0721";
const NO_ROOM: &str = "E0722";
const NO_TRAVEL: &str = "E0723";

#[derive(Deserialize, Default)]
#[serde(default)]
struct GroupRow {
    course: String,
    school: String,
    first_period: String,
    room: String,
    teacher: String,
    mode: String,
    id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StudentRow {
    student: String,
    course: String,
    group: String,
}

/// The network's ids, for resolving the cells of the pin files.
struct Index<'n> {
    schools: HashMap<&'n str, usize>,
    rooms: HashMap<&'n str, usize>,
    courses: HashMap<&'n str, usize>,
    teachers: HashMap<&'n str, usize>,
    students: HashMap<&'n str, usize>,
}

fn index<'n>(ids: impl Iterator<Item = &'n str>) -> HashMap<&'n str, usize> {
    let mut m = HashMap::new();
    for (i, id) in ids.enumerate() {
        m.entry(id).or_insert(i);
    }
    m
}

impl<'n> Index<'n> {
    fn new(net: &'n Network) -> Self {
        Index {
            schools: index(net.schools.iter().map(|x| x.id.as_str())),
            rooms: index(net.rooms.iter().map(|x| x.id.as_str())),
            courses: index(net.courses.iter().map(|x| x.id.as_str())),
            teachers: index(net.teachers.iter().map(|x| x.id.as_str())),
            students: index(net.students.iter().map(|x| x.id.as_str())),
        }
    }
}

/// One row of `pinned_groups.csv` as far as it could be read.
struct Group {
    line: usize,
    id: Option<String>,
    course: Option<usize>,
    school: Option<usize>,
    /// 0-based, a period of the day.
    first: Option<Period>,
    room: Option<usize>,
    teacher: Option<usize>,
    distance: Option<bool>,
    /// Every cell was read and resolved.
    ok: bool,
}

impl Group {
    /// The 0-based periods `first .. end` when the course fits in the day from `first`.
    fn span(&self, net: &Network) -> Option<(usize, usize)> {
        let (c, a) = (self.course?, self.first?);
        let b = a + net.courses[c].periods;
        (b <= net.num_periods()).then_some((a, b))
    }

    /// Whether the group is taught in person: pinned so, or left open for a course that
    /// may not be taught remotely.
    fn in_person(&self, net: &Network) -> bool {
        match self.distance {
            Some(d) => !d,
            None => self.course.is_some_and(|c| !net.courses[c].distance),
        }
    }
}

/// `period 3` / `periods 3-4` for 0-based `a .. b`.
fn periods_label(a: usize, b: usize) -> String {
    if b == a + 1 {
        format!("period {}", a + 1)
    } else {
        format!("periods {}-{}", a + 1, b)
    }
}

fn overlap(x: (usize, usize), y: (usize, usize)) -> bool {
    x.0 < y.1 && y.0 < x.1
}

/// The 1-based periods of `a .. b` for which `free` is false, as `3 4`.
fn missing(a: usize, b: usize, free: impl Fn(usize) -> bool) -> String {
    (a..b)
        .filter(|&p| !free(p))
        .map(|p| (p + 1).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether someone at home school `home` can be at `place` for periods `a .. b` and
/// back home within the day; `Err` says why not.
fn reach(
    net: &Network,
    travel: &TravelTimes,
    home: usize,
    place: usize,
    (a, b): (usize, usize),
) -> Result<(), String> {
    if home == place {
        return Ok(());
    }
    let (from, to) = (&net.schools[home].id, &net.schools[place].id);
    let Some(t) = travel.get(SchoolId::from(home), SchoolId::from(place)) else {
        return Err(format!("no road leads from {from} to {to}"));
    };
    let (start, end) = (net.periods[a].start, net.periods[b - 1].end);
    if net.day_start + t > start || end + t > net.day_end {
        return Err(format!(
            "travel from {from} to {to} takes {t} min, which does not fit between the day's \
             start {}, the group ({}-{}) and the day's end {}",
            crate::model::Hhmm(net.day_start),
            crate::model::Hhmm(start),
            crate::model::Hhmm(end),
            crate::model::Hhmm(net.day_end)
        ));
    }
    Ok(())
}

/// Resolves a reference cell: `None` (an error pushed) for an unknown id, or for an
/// empty cell in a `required` column; `None` silently for an empty optional cell or a
/// column the file does not have (a missing required column is reported already).
#[allow(clippy::too_many_arguments)]
fn reference(
    l: &mut Loader,
    t: &Table,
    at: At,
    col: &str,
    value: &str,
    ids: &HashMap<&str, usize>,
    what: &str,
    target: &str,
    required: bool,
) -> Option<usize> {
    if !t.has(col) {
        return None;
    }
    if value.is_empty() {
        if required {
            l.push(at.error(
                EMPTY_CELL,
                col,
                format!("'{col}' is empty"),
                format!("write the id of a {what} from {target}"),
            ));
        }
        return None;
    }
    if let Some(&i) = ids.get(value) {
        return Some(i);
    }
    let low = value.to_lowercase();
    let hint = match ids.keys().find(|k| k.to_lowercase() == low) {
        Some(near) => format!("did you mean '{near}'? ids are case-sensitive"),
        None => format!("use a {what} id listed in {target}, or add the {what} there"),
    };
    l.push(at.error(UNKNOWN_ID, col, format!("unknown {what} '{value}'"), hint));
    None
}

/// Reads the pin files of the bundle (when present) against `net`, pushing every
/// problem to the loader. The pins are empty when there are none, or when a problem
/// was found (the load fails then).
pub(super) fn read(l: &mut Loader, net: &Network) -> Pins {
    let ix = Index::new(net);
    let errors_before = l.diags.iter().filter(|d| d.is_error()).count();
    let group_table = l.table(&PINNED_GROUPS);
    let student_table = l.table(&PINNED_STUDENTS);
    let any_rows = group_table.as_ref().is_some_and(|t| !t.rows.is_empty())
        || student_table.as_ref().is_some_and(|t| !t.rows.is_empty());
    if !any_rows {
        return Pins::default();
    }
    let travel = TravelTimes::new(net);
    let (groups, group_ids) = match &group_table {
        Some(t) => read_groups(l, net, &ix, t),
        None => (Vec::new(), GroupIds::default()),
    };
    check_groups(l, net, &travel, &groups);
    let students = match &student_table {
        Some(t) => read_students(l, net, &ix, t, &groups, &group_ids),
        None => Vec::new(),
    };
    check_students(l, net, &travel, &groups, &students);

    if l.diags.iter().filter(|d| d.is_error()).count() > errors_before {
        return Pins::default();
    }
    Pins {
        groups: groups
            .iter()
            .filter(|g| g.ok)
            .map(|g| PinnedGroup {
                id: g.id.clone(),
                line: g.line,
                course: CourseId::from(g.course.unwrap_or(0)),
                school: SchoolId::from(g.school.unwrap_or(0)),
                first: g.first.unwrap_or(0),
                room: g.room.map(RoomId::from),
                teacher: g.teacher.map(TeacherId::from),
                distance: g.distance,
            })
            .collect(),
        students: students
            .iter()
            .map(|s| PinnedStudent {
                line: s.line,
                student: StudentId::from(s.student),
                course: CourseId::from(s.course),
                group: s.group,
            })
            .collect(),
    }
}

/// The `id`s of `pinned_groups.csv`: id → (row index, line). `known` is false when the
/// file is absent, or some of its rows or its `id` column could not be read (references
/// into it are then not checked, or are all unknown when the file is absent).
#[derive(Default)]
struct GroupIds {
    map: HashMap<String, (usize, usize)>,
    /// The file was read, with its `id` column and every row.
    complete: bool,
    /// The file exists.
    present: bool,
}

fn read_groups(l: &mut Loader, net: &Network, ix: &Index, t: &Table) -> (Vec<Group>, GroupIds) {
    let np = net.num_periods();
    let mut ids = GroupIds {
        map: HashMap::new(),
        complete: t.dropped == 0 && t.has("id"),
        present: true,
    };
    let mut out = Vec::new();
    for row in &t.rows {
        let at = At::new(GROUPS, row.line);
        let r: GroupRow = l.row(t, row);
        let course = reference(
            l,
            t,
            at,
            "course",
            &r.course,
            &ix.courses,
            "course",
            "courses.csv",
            true,
        );
        let school = reference(
            l,
            t,
            at,
            "school",
            &r.school,
            &ix.schools,
            "school",
            "schools.csv",
            true,
        );
        let room = reference(
            l,
            t,
            at,
            "room",
            &r.room,
            &ix.rooms,
            "room",
            "rooms.csv",
            false,
        );
        let teacher = reference(
            l,
            t,
            at,
            "teacher",
            &r.teacher,
            &ix.teachers,
            "teacher",
            "teachers.csv",
            false,
        );
        let first = if t.has("first_period") {
            match l.ok(whole(at, "first_period", &r.first_period)) {
                Some(p) if p >= 1 && (p as usize) <= np => Some(p as usize - 1),
                Some(p) => {
                    l.push(at.error(
                        PERIOD_OUTSIDE,
                        "first_period",
                        format!("first_period {p} is not a period of the day (1..={np})"),
                        format!(
                            "write the number of the group's first period, from 1 to {np} \
                             (the periods of network.toml)"
                        ),
                    ));
                    None
                }
                None => None,
            }
        } else {
            None
        };
        let mut fits = true;
        if let (Some(c), Some(a)) = (course, first) {
            let len = net.courses[c].periods;
            if a + len > np {
                fits = false;
                l.push(at.error(
                    DOES_NOT_FIT,
                    "first_period",
                    format!(
                        "course '{}' takes {len} consecutive periods; from period {} it would \
                         run to period {} but the day has {np} (rule 1)",
                        net.courses[c].id,
                        a + 1,
                        a + len
                    ),
                    format!(
                        "start the group at period {} or earlier",
                        (np + 1).saturating_sub(len).max(1)
                    ),
                ));
            }
        }
        let mode = r.mode.trim().to_lowercase();
        let (distance, mode_ok) = match mode.as_str() {
            "" => (None, true),
            "in_person" => (Some(false), true),
            "distance" => (Some(true), true),
            _ => {
                l.push(at.error(
                    BAD_MODE,
                    "mode",
                    format!("mode '{}' is neither in_person nor distance", r.mode),
                    "write in_person or distance, or leave the cell empty to let the optimiser choose",
                ));
                (None, false)
            }
        };
        let id = r.id.trim().to_owned();
        let mut id_ok = true;
        if !id.is_empty() {
            if let Some(&(_, first_line)) = ids.map.get(&id) {
                id_ok = false;
                l.push(at.error(
                    DUPLICATE_ID,
                    "id",
                    format!("pin id '{id}' is already used on line {first_line}"),
                    format!("ids must be unique in {GROUPS}; rename or delete one of the rows"),
                ));
            } else {
                ids.map.insert(id.clone(), (out.len(), row.line));
            }
        }
        let ok = course.is_some()
            && school.is_some()
            && first.is_some()
            && fits
            && (room.is_some() || r.room.is_empty())
            && (teacher.is_some() || r.teacher.is_empty())
            && mode_ok
            && id_ok;
        out.push(Group {
            line: row.line,
            id: (!id.is_empty()).then_some(id),
            course,
            school,
            first,
            room,
            teacher,
            distance,
            ok,
        });
    }
    (out, ids)
}

/// Each pinned group on its own, then the pinned groups together (rooms, teachers,
/// students enough for them).
fn check_groups(l: &mut Loader, net: &Network, travel: &TravelTimes, groups: &[Group]) {
    for g in groups {
        let at = At::new(GROUPS, g.line);
        let span = g.span(net);
        let course = g.course.map(|c| &net.courses[c]);
        if let Some(r) = g.room {
            let room = &net.rooms[r];
            if let Some(s) = g.school {
                if room.school.idx() != s {
                    l.push(at.error(
                        ROOM_ELSEWHERE,
                        "room",
                        format!(
                            "room '{}' is at school '{}', not at the pinned school '{}' (rule 1)",
                            room.id,
                            net.schools[room.school.idx()].id,
                            net.schools[s].id
                        ),
                        "pin a room of the pinned school, or leave the room empty",
                    ));
                }
            }
            if let Some(c) = course {
                if room.kind != c.room_kind {
                    l.push(at.error(
                        ROOM_KIND,
                        "room",
                        format!(
                            "room '{}' is a '{}' room but course '{}' needs a '{}' room (rule 1)",
                            room.id,
                            net.kind_name(room.kind),
                            c.id,
                            net.kind_name(c.room_kind)
                        ),
                        format!(
                            "pin a room of kind '{}', or leave the room empty",
                            net.kind_name(c.room_kind)
                        ),
                    ));
                }
            }
            if let Some((a, b)) = span {
                let gone = missing(a, b, |p| room.periods.contains(p));
                if !gone.is_empty() {
                    l.push(at.error(
                        ROOM_BUSY,
                        "room",
                        format!(
                            "room '{}' is not available in period(s) {gone} of the group \
                             ({}) (rule 1)",
                            room.id,
                            periods_label(a, b)
                        ),
                        "pin another room or other periods, or widen the room's periods in rooms.csv",
                    ));
                }
            }
        } else if let (Some(s), Some(c), Some((a, b))) = (g.school, course, span) {
            // The optimiser has to find a room: is there any?
            let taken = |r: usize| {
                groups.iter().any(|o| {
                    o.line != g.line
                        && o.room == Some(r)
                        && o.span(net).is_some_and(|x| overlap(x, (a, b)))
                })
            };
            let free = net.rooms.iter().enumerate().any(|(r, room)| {
                room.school.idx() == s
                    && room.kind == c.room_kind
                    && room.periods.contains_range(a, b - a)
                    && !taken(r)
            });
            if !free {
                l.push(at.error(
                    NO_ROOM,
                    "school",
                    format!(
                        "school '{}' has no room of kind '{}' free in {} for course '{}' (rule 1)",
                        net.schools[s].id,
                        net.kind_name(c.room_kind),
                        periods_label(a, b),
                        c.id
                    ),
                    "pin the group at another school or time, or add such a room to rooms.csv",
                ));
            }
        }
        if let Some(t) = g.teacher {
            let teacher = &net.teachers[t];
            if let (Some(ci), Some(c)) = (g.course, course) {
                if !teacher.can_teach(CourseId::from(ci)) {
                    l.push(at.error(
                        NOT_QUALIFIED,
                        "teacher",
                        format!(
                            "teacher '{}' cannot teach course '{}' (rule 3)",
                            teacher.id, c.id
                        ),
                        "pin a teacher whose courses in teachers.csv list it, or add the course there",
                    ));
                }
            }
            if let Some((a, b)) = span {
                let gone = missing(a, b, |p| teacher.periods.contains(p));
                if !gone.is_empty() {
                    l.push(at.error(
                        TEACHER_ABSENT,
                        "teacher",
                        format!(
                            "teacher '{}' is not available in period(s) {gone} of the group \
                             ({}) (rule 3)",
                            teacher.id,
                            periods_label(a, b)
                        ),
                        "pin another teacher or other periods, or widen the teacher's periods",
                    ));
                }
            }
            if let Some(s) = g.school {
                if !teacher.travels && teacher.school.idx() != s {
                    l.push(at.error(
                        TEACHER_STAYS,
                        "teacher",
                        format!(
                            "teacher '{}' does not travel (travels = no) and works at '{}', \
                             not at the pinned school '{}' (rule 3)",
                            teacher.id,
                            net.schools[teacher.school.idx()].id,
                            net.schools[s].id
                        ),
                        "pin the group at the teacher's school, pin another teacher, or set \
                         travels = yes",
                    ));
                } else if let Some(sp) = span {
                    if let Err(why) = reach(net, travel, teacher.school.idx(), s, sp) {
                        l.push(at.error(
                            NO_TRAVEL,
                            "teacher",
                            format!(
                                "teacher '{}' cannot get to the group at '{}' and back: {why} (rule 7)",
                                teacher.id, net.schools[s].id
                            ),
                            "pin the group at another school or time, or pin another teacher",
                        ));
                    }
                }
            }
        }
        if let Some(c) = course {
            if g.distance == Some(true) && !c.distance {
                l.push(at.error(
                    NO_DISTANCE,
                    "mode",
                    format!(
                        "course '{}' may not be taught remotely (distance = no) (rule 6)",
                        c.id
                    ),
                    "write in_person or leave mode empty, or set distance = yes for the course",
                ));
            }
        }
    }

    // Two pins on one room, or one teacher, at once.
    for (j, g) in groups.iter().enumerate() {
        let Some(sg) = g.span(net) else { continue };
        for o in &groups[..j] {
            let Some(so) = o.span(net) else { continue };
            if !overlap(sg, so) {
                continue;
            }
            if let (Some(r), Some(ro)) = (g.room, o.room) {
                if r == ro {
                    l.push(At::new(GROUPS, g.line).error(
                        ROOM_TWICE,
                        "room",
                        format!(
                            "room '{}' is pinned on line {} for {} too; one room holds one \
                             group at a time (rule 4)",
                            net.rooms[r].id,
                            o.line,
                            periods_label(so.0, so.1)
                        ),
                        "pin another room or other periods for one of the two groups",
                    ));
                }
            }
            if let (Some(t), Some(to)) = (g.teacher, o.teacher) {
                if t == to {
                    l.push(At::new(GROUPS, g.line).error(
                        TEACHER_TWICE,
                        "teacher",
                        format!(
                            "teacher '{}' is pinned on line {} for {} too; a teacher teaches \
                             one group at a time (rule 3)",
                            net.teachers[t].id,
                            o.line,
                            periods_label(so.0, so.1)
                        ),
                        "pin another teacher or other periods for one of the two groups",
                    ));
                }
            }
        }
    }

    // A teacher's pinned periods against max_periods: named at the pin that passes it.
    let mut taught: HashMap<usize, usize> = HashMap::new();
    for g in groups {
        let (Some(t), Some(c)) = (g.teacher, g.course) else {
            continue;
        };
        let before = taught.get(&t).copied().unwrap_or(0);
        let now = before + net.courses[c].periods;
        taught.insert(t, now);
        let max = net.teachers[t].max_periods;
        if before <= max && now > max {
            l.push(At::new(GROUPS, g.line).error(
                TEACHER_HOURS,
                "teacher",
                format!(
                    "teacher '{}' may teach at most {max} period(s) but the pins up to this \
                     line give them {now} (rule 3)",
                    net.teachers[t].id
                ),
                "pin another teacher for some of the groups, or raise the teacher's max_periods",
            ));
        }
    }

    // Enough students for the pinned groups of each course.
    let mut by_course: HashMap<usize, Vec<&Group>> = HashMap::new();
    for g in groups {
        if let Some(c) = g.course {
            by_course.entry(c).or_default().push(g);
        }
    }
    let mut courses: Vec<_> = by_course.into_iter().collect();
    courses.sort_by_key(|(c, _)| *c);
    for (c, pins) in courses {
        let course = &net.courses[c];
        let cid = CourseId::from(c);
        let could = net
            .students
            .iter()
            .filter(|s| s.choices.contains(&cid) && course.admits(s.grade))
            .count();
        let min = course.min_group as usize;
        let why = format!(
            "only {could} student(s) chose course '{}' and are in a grade it admits; \
             its minimum group is {min}",
            course.id
        );
        if could < min {
            for g in pins {
                l.push(At::new(GROUPS, g.line).error(
                    TOO_FEW,
                    "course",
                    format!("this pinned group can never open: {why} (rule 2)"),
                    "delete the pin, or lower the course's min_group in courses.csv",
                ));
            }
        } else if let Some(g) = pins.get(could / min.max(1)) {
            let lines: Vec<String> = pins.iter().map(|g| g.line.to_string()).collect();
            l.push(At::new(GROUPS, g.line).error(
                TOO_FEW,
                "course",
                format!(
                    "{} groups of course '{}' are pinned (lines {}), which need at least {} \
                     students, but {why} (rule 2)",
                    pins.len(),
                    course.id,
                    lines.join(", "),
                    pins.len() * min
                ),
                "pin fewer groups of this course, or lower its min_group in courses.csv",
            ));
        }
    }
}

/// One row of `pinned_students.csv`, read and resolved.
struct Student {
    line: usize,
    student: usize,
    course: usize,
    /// The pinned group (an index into the rows of `pinned_groups.csv`), if given and
    /// known.
    group: Option<usize>,
}

fn read_students(
    l: &mut Loader,
    net: &Network,
    ix: &Index,
    t: &Table,
    groups: &[Group],
    group_ids: &GroupIds,
) -> Vec<Student> {
    let mut out = Vec::new();
    for row in &t.rows {
        let at = At::new(STUDENTS, row.line);
        let r: StudentRow = l.row(t, row);
        let student = reference(
            l,
            t,
            at,
            "student",
            &r.student,
            &ix.students,
            "student",
            "students.csv",
            true,
        );
        let course = reference(
            l,
            t,
            at,
            "course",
            &r.course,
            &ix.courses,
            "course",
            "courses.csv",
            true,
        );
        let mut group = None;
        let gid = r.group.trim();
        if t.has("group") && !gid.is_empty() {
            match group_ids.map.get(gid) {
                Some(&(g, _)) => group = Some(g),
                None if group_ids.complete || !group_ids.present => {
                    let hint = if group_ids.present {
                        format!(
                            "write the id of a row of {GROUPS} (its id column), or leave the \
                             cell empty for any group of the course"
                        )
                    } else {
                        format!(
                            "add {GROUPS} with a row whose id is '{gid}', or leave the cell \
                             empty for any group of the course"
                        )
                    };
                    l.push(at.error(
                        UNKNOWN_ID,
                        "group",
                        format!("unknown pinned group '{gid}'"),
                        hint,
                    ));
                }
                None => {}
            }
        }
        if let (Some(c), Some(g)) = (course, group) {
            if let Some(gc) = groups[g].course {
                if gc != c {
                    l.push(at.error(
                        OTHER_COURSE,
                        "group",
                        format!(
                            "pinned group '{gid}' ({GROUPS}, line {}) is a group of course '{}', \
                             not of '{}'",
                            groups[g].line, net.courses[gc].id, net.courses[c].id
                        ),
                        "make the course the pinned group's course, or name a group of this course",
                    ));
                }
            }
        }
        if let (Some(student), Some(course)) = (student, course) {
            out.push(Student {
                line: row.line,
                student,
                course,
                group: group.filter(|&g| groups[g].course == Some(course)),
            });
        }
    }
    out
}

fn check_students(
    l: &mut Loader,
    net: &Network,
    travel: &TravelTimes,
    groups: &[Group],
    students: &[Student],
) {
    // (student, course) → line of its first pin; student → distinct pinned courses;
    // group → pinned students; student → pinned groups with their lines.
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    let mut courses: HashMap<usize, usize> = HashMap::new();
    let mut members: HashMap<usize, usize> = HashMap::new();
    let mut placed: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for p in students {
        let at = At::new(STUDENTS, p.line);
        let st = &net.students[p.student];
        let course = &net.courses[p.course];
        let cid = CourseId::from(p.course);
        if !st.choices.contains(&cid) {
            l.push(at.error(
                NOT_CHOSEN,
                "course",
                format!(
                    "student '{}' did not choose course '{}' (rule 5)",
                    st.id, course.id
                ),
                "add the course to the student's choices in students.csv, or delete the pin",
            ));
        }
        if !course.admits(st.grade) {
            l.push(at.error(
                GRADE,
                "course",
                format!(
                    "course '{}' admits grade(s) {} only; student '{}' is in grade {} (rule 5)",
                    course.id,
                    course.grades_label(),
                    st.id,
                    st.grade
                ),
                "check the student's grade and the course's grades, or delete the pin",
            ));
        }
        if let Some(first) = seen.get(&(p.student, p.course)) {
            l.push(at.error(
                COURSE_TWICE,
                "course",
                format!(
                    "student '{}' is already pinned to course '{}' on line {first}; a student \
                     is in at most one group of a course (rule 5)",
                    st.id, course.id
                ),
                "delete one of the two rows",
            ));
            continue;
        }
        seen.insert((p.student, p.course), p.line);
        let n = courses.entry(p.student).or_default();
        *n += 1;
        if *n == st.wants + 1 {
            l.push(at.error(
                TOO_MANY,
                "student",
                format!(
                    "student '{}' takes {} elective(s) but is pinned to more courses (rule 5)",
                    st.id, st.wants
                ),
                "delete pins of this student, or raise the student's wants in students.csv",
            ));
        }
        let Some(g) = p.group else { continue };
        let group = &groups[g];
        let gid = group.id.as_deref().unwrap_or("");
        let n = members.entry(g).or_default();
        *n += 1;
        let room = group
            .room
            .filter(|_| group.in_person(net))
            .map(|r| &net.rooms[r]);
        let (cap, what) = match room {
            Some(r) if (r.capacity as usize) < course.max_group as usize => (
                r.capacity as usize,
                format!("its room '{}' seats {}", r.id, r.capacity),
            ),
            _ => (
                course.max_group as usize,
                format!("course '{}' has max_group {}", course.id, course.max_group),
            ),
        };
        if *n == cap + 1 {
            l.push(at.error(
                GROUP_FULL,
                "group",
                format!(
                    "more students are pinned to group '{gid}' ({GROUPS}, line {}) than it \
                     holds: {what} (rule 2)",
                    group.line
                ),
                "pin some of its students to no group or another group of the course",
            ));
        }
        let span = group.span(net);
        if let Some(sg) = span {
            let mine = placed.entry(p.student).or_default();
            if let Some(&(o, line)) = mine
                .iter()
                .find(|&&(o, _)| groups[o].span(net).is_some_and(|x| overlap(x, sg)))
            {
                l.push(at.error(
                    STUDENT_CLASH,
                    "group",
                    format!(
                        "student '{}' is pinned on line {line} to group '{}', which runs at \
                         the same time as '{gid}' ({}) (rule 5)",
                        st.id,
                        groups[o].id.as_deref().unwrap_or(""),
                        periods_label(sg.0, sg.1)
                    ),
                    "pin the student to one of the two groups only, or move one group",
                ));
            }
            mine.push((g, p.line));
            if let (true, Some(s)) = (group.in_person(net), group.school) {
                if let Err(why) = reach(net, travel, st.school.idx(), s, sg) {
                    l.push(at.error(
                        NO_TRAVEL,
                        "group",
                        format!(
                            "student '{}' cannot get to group '{gid}' at '{}' and back: {why} \
                             (rule 7)",
                            st.id, net.schools[s].id
                        ),
                        "pin the student to another group, or make the group a distance group",
                    ));
                }
            }
        }
    }
}

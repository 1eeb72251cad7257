//! Pins (SPEC §8) in the optimiser: what the planner has agreed, kept by every search.
//!
//! [`resolve`] turns the bundle's pins into groups: a pinned group gets the room and
//! teacher it pins, or the first free ones that can hold it (a room of the course's kind
//! at the host, the one with most seats first; a teacher of the course who is free then,
//! at home there first), so that every search starts from the same pinned groups. The
//! [`PlanState`](super::state::PlanState) opens them in every state it makes, seats the
//! pinned students in them and holds them there: its queries refuse any move that would
//! take a pinned student out of their pin or move a pinned group off its pinned
//! attributes, so greedy, local search, perturbation, less travel, equal access and the
//! fleet rounds all keep them. [`broken`] says which pins a finished plan does not keep,
//! and why, for the solve to report (a pin that cannot be kept is a bad input).

use crate::graph::TravelTimes;
use crate::model::{CourseId, Network, PinnedGroup, RoomId, StudentId, TeacherId};
use crate::plan::{stay_alone_fits, Group, Mode, Plan, Stay};

use super::state::mask;

/// The pins, resolved into groups.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// Per pinned group (in `net.pins.groups` order): the group it opens, without members.
    pub groups: Vec<Group>,
    /// Per student: the courses they are pinned to, with the pinned group when given.
    pub holds: Vec<Vec<(CourseId, Option<usize>)>>,
}

/// Whether `g` is a group as pin `p` says (course, host, first period, and every
/// attribute the pin gives).
pub fn matches(p: &PinnedGroup, g: &Group) -> bool {
    g.course == p.course
        && g.school == p.school
        && g.first == p.first
        && p.room.is_none_or(|r| r == g.room)
        && p.teacher.is_none_or(|t| t == g.teacher)
        && p.distance.is_none_or(|d| d == (g.mode == Mode::Distance))
}

const PINNED_GROUPS: &str = "pinned_groups.csv";
const PINNED_STUDENTS: &str = "pinned_students.csv";

/// A pin that cannot be kept: its file and line, and why (the message names it too).
#[derive(Clone, Debug, PartialEq)]
pub struct Unkept {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Unkept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Pinned group `p` cannot be kept, for reason `why`.
fn unkept(net: &Network, p: &PinnedGroup, why: String) -> Unkept {
    Unkept {
        file: PINNED_GROUPS,
        line: p.line,
        message: format!("{}: {why}", where_(net, p)),
    }
}

fn where_(net: &Network, p: &PinnedGroup) -> String {
    format!(
        "{PINNED_GROUPS} line {} ({} at {}, period {})",
        p.line,
        net.courses[p.course.idx()].id,
        net.schools[p.school.idx()].id,
        p.first + 1
    )
}

/// One pin's candidates: its periods, stay, and the rooms and teachers it may take.
struct Choices {
    mask: u64,
    len: usize,
    stay: Stay,
    rooms: Vec<RoomId>,
    teachers: Vec<TeacherId>,
}

/// What the pins resolved so far hold.
struct Booked {
    room_busy: Vec<u64>,
    teacher_busy: Vec<u64>,
    teacher_load: Vec<usize>,
    teacher_stays: Vec<Vec<Stay>>,
}

/// Most (room, teacher) tries of the search for a resolution of the pins.
const RESOLVE_TRIES: usize = 200_000;

/// The groups of the pins: `None` without pins; `Err` names a pin that no room or
/// teacher can hold next to the other pins. A depth-first search over the pins' free
/// rooms and teachers (pins with fewest candidates first, at most [`RESOLVE_TRIES`]
/// tries), so that a pin that leaves its teacher free does not take the one another
/// pin needs.
pub fn resolve(net: &Network, tt: &TravelTimes) -> Result<Option<Resolved>, Unkept> {
    if net.pins.is_empty() {
        return Ok(None);
    }
    let mut choices = Vec::with_capacity(net.pins.groups.len());
    for p in &net.pins.groups {
        let course = &net.courses[p.course.idx()];
        let len = course.periods;
        if len == 0 || p.first + len > net.num_periods() {
            return Err(unkept(
                net,
                p,
                format!("the course's {len} periods do not fit in the day from that period",),
            ));
        }
        let stay = Stay {
            place: p.school,
            start: net.periods[p.first].start,
            end: net.periods[p.first + len - 1].end,
        };
        let mut rooms: Vec<RoomId> = (0..net.rooms.len())
            .map(RoomId::from)
            .filter(|r| p.room.is_none_or(|x| x == *r))
            .filter(|r| {
                let room = &net.rooms[r.idx()];
                room.school == p.school
                    && room.kind == course.room_kind
                    && room.periods.contains_range(p.first, len)
            })
            .collect();
        rooms.sort_by_key(|r| (std::cmp::Reverse(net.rooms[r.idx()].capacity), *r));
        if rooms.is_empty() {
            return Err(unkept(
                net,
                p,
                format!(
                    "no room of kind '{}' at the school is open in those periods",
                    net.kind_name(course.room_kind)
                ),
            ));
        }
        let mut teachers: Vec<TeacherId> = (0..net.teachers.len())
            .map(TeacherId::from)
            .filter(|t| p.teacher.is_none_or(|x| x == *t))
            .filter(|t| {
                let te = &net.teachers[t.idx()];
                te.can_teach(p.course)
                    && te.periods.contains_range(p.first, len)
                    && len <= te.max_periods
                    && (te.travels || te.school == p.school)
                    && stay_alone_fits(net, tt, te.school, stay)
            })
            .collect();
        teachers.sort_by_key(|t| (net.teachers[t.idx()].school != p.school, *t));
        if teachers.is_empty() {
            return Err(unkept(
                net,
                p,
                "no teacher of the course can teach it then (their periods, max_periods or travel rule it out)".to_string(),
            ));
        }
        choices.push(Choices {
            mask: mask(p.first, len),
            len,
            stay,
            rooms,
            teachers,
        });
    }
    let mut order: Vec<usize> = (0..choices.len()).collect();
    order.sort_by_key(|&k| (choices[k].rooms.len() * choices[k].teachers.len(), k));
    let mut booked = Booked {
        room_busy: vec![0u64; net.rooms.len()],
        teacher_busy: vec![0u64; net.teachers.len()],
        teacher_load: vec![0usize; net.teachers.len()],
        teacher_stays: vec![Vec::new(); net.teachers.len()],
    };
    let mut picked: Vec<Option<(RoomId, TeacherId)>> = vec![None; choices.len()];
    let mut tries = 0usize;
    // The deepest pin of the order the search could not place, for the message.
    let mut stuck = order[0];
    let mut deepest = 0;
    #[allow(clippy::too_many_arguments)]
    fn place(
        net: &Network,
        tt: &TravelTimes,
        choices: &[Choices],
        order: &[usize],
        at: usize,
        booked: &mut Booked,
        picked: &mut [Option<(RoomId, TeacherId)>],
        tries: &mut usize,
        stuck: (&mut usize, &mut usize),
    ) -> bool {
        let Some(&k) = order.get(at) else {
            return true;
        };
        let c = &choices[k];
        for &room in &c.rooms {
            if booked.room_busy[room.idx()] & c.mask != 0 {
                continue;
            }
            for &t in &c.teachers {
                *tries += 1;
                if *tries > RESOLVE_TRIES {
                    return false;
                }
                let te = &net.teachers[t.idx()];
                if booked.teacher_busy[t.idx()] & c.mask != 0
                    || booked.teacher_load[t.idx()] + c.len > te.max_periods
                {
                    continue;
                }
                let mut day = booked.teacher_stays[t.idx()].clone();
                day.push(c.stay);
                day.sort_by_key(|s| s.start);
                if !crate::plan::day_fits(net, tt, te.school, &day) {
                    continue;
                }
                booked.room_busy[room.idx()] |= c.mask;
                booked.teacher_busy[t.idx()] |= c.mask;
                booked.teacher_load[t.idx()] += c.len;
                let before = std::mem::replace(&mut booked.teacher_stays[t.idx()], day);
                picked[k] = Some((room, t));
                if place(
                    net,
                    tt,
                    choices,
                    order,
                    at + 1,
                    booked,
                    picked,
                    tries,
                    (&mut *stuck.0, &mut *stuck.1),
                ) {
                    return true;
                }
                picked[k] = None;
                booked.room_busy[room.idx()] &= !c.mask;
                booked.teacher_busy[t.idx()] &= !c.mask;
                booked.teacher_load[t.idx()] -= c.len;
                booked.teacher_stays[t.idx()] = before;
            }
        }
        if at >= *stuck.1 {
            *stuck.1 = at;
            *stuck.0 = k;
        }
        false
    }
    if !place(
        net,
        tt,
        &choices,
        &order,
        0,
        &mut booked,
        &mut picked,
        &mut tries,
        (&mut stuck, &mut deepest),
    ) {
        let p = &net.pins.groups[stuck];
        return Err(unkept(
            net,
            p,
            format!(
            "no room and teacher of the course are free to hold it next to the other pinned groups{}",
            if tries > RESOLVE_TRIES {
                " (the search for one gave up)"
            } else {
                ""
            }
        )));
    }
    let mut groups = Vec::with_capacity(choices.len());
    for (k, p) in net.pins.groups.iter().enumerate() {
        let (room, teacher) = picked[k].expect("every pin placed");
        let course = &net.courses[p.course.idx()];
        let stay = choices[k].stay;
        // A mode left free: in person when enough of the course's choosers can come
        // and the room seats them, else at a distance where the course allows it.
        let distance = p.distance.unwrap_or_else(|| {
            let min = course.min_group as usize;
            let can_come = net
                .students
                .iter()
                .filter(|st| {
                    st.choices.contains(&p.course)
                        && course.admits(st.grade)
                        && stay_alone_fits(net, tt, st.school, stay)
                })
                .count();
            // Its pinned students must all fit in the room and be able to come.
            let pinned: Vec<StudentId> = net
                .pins
                .students
                .iter()
                .filter(|ps| ps.group == Some(k))
                .map(|ps| ps.student)
                .collect();
            let seats = net.rooms[room.idx()].capacity as usize;
            let all_come = pinned
                .iter()
                .all(|s| stay_alone_fits(net, tt, net.students[s.idx()].school, stay));
            course.distance && (can_come < min || seats < min.max(pinned.len()) || !all_come)
        });
        groups.push(Group {
            course: p.course,
            school: p.school,
            room,
            teacher,
            first: p.first,
            mode: if distance {
                Mode::Distance
            } else {
                Mode::InPerson
            },
            members: Vec::new(),
        });
    }
    let mut holds = vec![Vec::new(); net.students.len()];
    for ps in &net.pins.students {
        holds[ps.student.idx()].push((ps.course, ps.group));
    }
    Ok(Some(Resolved { groups, holds }))
}

/// How many pins `plan` does not keep (0 without pins): the first key of every
/// comparison of plans in the solve, so that a plan that keeps them always wins.
pub fn breaks(net: &Network, plan: &Plan) -> usize {
    if net.pins.is_empty() {
        0
    } else {
        broken(net, plan).len()
    }
}

/// The code of a pin that the optimiser cannot keep (SPEC §8: a bad input).
pub const UNKEPT: &str = "E0799";

/// The pins that cannot be kept, as located errors: those no room or teacher can hold
/// ([`resolve`]), or, given the solved plan, those it does not keep ([`broken`]).
pub fn problems(
    net: &Network,
    tt: &TravelTimes,
    plan: Option<&Plan>,
) -> Vec<crate::diag::Diagnostic> {
    let unkept = match resolve(net, tt) {
        Err(e) => vec![e],
        Ok(_) => plan.map(|p| broken(net, p)).unwrap_or_default(),
    };
    unkept
        .into_iter()
        .map(|u| {
            crate::diag::Diagnostic::error(UNKEPT, u.file, u.message)
                .row(u.line)
                .hint(
                    "unpin it or change the pin (another period, school, room or teacher), \
                     or make room for it: allow distance, lower min_group, add a teacher",
                )
        })
        .collect()
}

/// The pins `plan` does not keep, each named with why (empty when it keeps them all).
pub fn broken(net: &Network, plan: &Plan) -> Vec<Unkept> {
    let mut out = Vec::new();
    // Each pinned group is matched to one group of the plan (the first that fits the
    // pin and no earlier pin took).
    let mut taken = vec![false; plan.groups.len()];
    let mut slot_of: Vec<Option<usize>> = Vec::with_capacity(net.pins.groups.len());
    for (k, p) in net.pins.groups.iter().enumerate() {
        // Of the groups as the pin says, the one holding most of its pinned students.
        let held = |g: usize| {
            net.pins
                .students
                .iter()
                .filter(|ps| ps.group == Some(k) && plan.groups[g].members.contains(&ps.student))
                .count()
        };
        let gi = (0..plan.groups.len())
            .filter(|&g| !taken[g] && matches(p, &plan.groups[g]))
            .max_by_key(|&g| (held(g), std::cmp::Reverse(g)));
        if let Some(g) = gi {
            taken[g] = true;
            let (size, min) = (
                plan.groups[g].members.len(),
                net.courses[p.course.idx()].min_group,
            );
            if size < min as usize {
                out.push(unkept(
                    net,
                    p,
                    format!(
                    "the group has {size} students, fewer than the course's minimum of {min}, and no more who chose it can join",
                )));
            }
        } else {
            out.push(unkept(
                net,
                p,
                format!(
                "the plan has no such group (it could not be filled to the course's minimum of {} with students who can reach it)",
                net.courses[p.course.idx()].min_group
            )));
        }
        slot_of.push(gi);
    }
    for ps in &net.pins.students {
        let s: StudentId = ps.student;
        let ok = match ps.group {
            Some(k) => slot_of[k].is_some_and(|g| plan.groups[g].members.contains(&s)),
            None => plan
                .groups
                .iter()
                .any(|g| g.course == ps.course && g.members.contains(&s)),
        };
        if !ok {
            out.push(Unkept {
                file: PINNED_STUDENTS,
                line: ps.line,
                message: format!(
                    "{PINNED_STUDENTS} line {}: student {} could not be seated in {} with every other pin kept (their pinned groups clash in time or travel, or the group is full)",
                    ps.line,
                    net.students[s.idx()].id,
                    net.courses[ps.course.idx()].id
                ),
            });
        }
    }
    out
}

//! Less travel for the same placements, and a fleet that carries the plan.
//!
//! [`reduce_travel`] runs after the search for placements. It keeps every placement and
//! the rank of every granted choice, and lowers the weighted travel of
//! `student_minute × student minutes + teacher_minute × teacher minutes` with three
//! moves until none helps:
//! - a student changes to another group of the same course (a seat free, the old group
//!   keeps its minimum);
//! - two students of the same course swap groups;
//! - a group moves to another school in the same periods (a free room of the kind,
//!   big enough; its teacher or another free one travels instead of the students).
//!
//! [`refill`] runs after [`crate::plan::transport::fit_fleet`] has dropped what the buses
//! could not carry: it opens groups at students' home schools (the teacher travels, the
//! students stay) and seats students again where the fleet still carries everyone.

use crate::model::{CourseId, SchoolId, StudentId, TeacherId, Weights};
use crate::plan::{Group, Mode, Plan};

use super::prep::{Offer, Prep};
use super::state::{mask, PlanState};
use super::Limit;

/// Lowers weighted travel without losing a placement or a better rank (module doc).
pub fn reduce_travel(prep: &Prep, plan: &Plan, w: &Weights, limit: &Limit) -> Plan {
    let mut st = PlanState::new(prep, plan);
    let by_course: Vec<Vec<usize>> = (0..prep.net.courses.len())
        .map(|c| st.of_course(CourseId::from(c)).to_vec())
        .collect();
    // Every accepted move lowers the weighted cost; a fixed number of rounds keeps the
    // time in check on big networks.
    for _round in 0..travel_rounds(prep.net.students.len()) {
        if limit.reached() {
            break;
        }
        let mut better = false;
        better |= student_moves(&mut st, &by_course, w, limit);
        better |= group_moves(&mut st, w, limit);
        if !better {
            break;
        }
    }
    st.into_plan()
}

/// Rounds of student and group moves in [`reduce_travel`] for a network of
/// `students`: 20 up to 4,000 students, fewer above (4 from 20,000), a count so that
/// the plan does not depend on the machine.
fn travel_rounds(students: usize) -> usize {
    (80_000 / students.max(1)).clamp(4, 20)
}

/// Moves and swaps students between groups of one course. Returns whether any helped.
fn student_moves(st: &mut PlanState, by_course: &[Vec<usize>], w: &Weights, limit: &Limit) -> bool {
    let mut any = false;
    for groups in by_course {
        if limit.reached() {
            break;
        }
        for &g1 in groups {
            for &g2 in groups {
                if g1 == g2
                    || st.group(g1).school == st.group(g2).school
                        && st.group(g1).mode == st.group(g2).mode
                {
                    continue;
                }
                // Members of g1 who would travel less in g2.
                let members = st.group(g1).members.clone();
                for s in members {
                    let home = st.net.students[s.idx()].school;
                    let near = |g: &Group| match g.mode {
                        Mode::InPerson => st.prep.tt.get(home, g.school).unwrap_or(u32::MAX),
                        Mode::Distance => 0,
                    };
                    // Only a group nearer home can shorten the day.
                    if near(st.group(g2)) >= near(st.group(g1)) {
                        continue;
                    }
                    let Some(now) = st.student_minutes(s, &[], &[]) else {
                        continue;
                    };
                    let Some(then) = st.student_minutes(s, &[g1], &[st.group(g2)]) else {
                        continue;
                    };
                    if then >= now {
                        continue;
                    }
                    let dist = |g: &Group| {
                        if g.mode == Mode::Distance {
                            w.distance
                        } else {
                            0.0
                        }
                    };
                    let gain = (now - then) as f64 * w.student_minute + dist(st.group(g1))
                        - dist(st.group(g2));
                    if gain <= 0.0 {
                        continue;
                    }
                    if st.has_seat(g2) && st.can_spare(g1) && st.may_move(s, g1, g2) {
                        st.move_student(s, g1, g2);
                        any = true;
                        continue;
                    }
                    // A swap with a member of g2 who loses less than s gains: only those
                    // whose home is about as near g1 as g2 are worth the exact test.
                    let partners = st.group(g2).members.clone();
                    let mut best: Option<(f64, StudentId)> = None;
                    for p in partners {
                        let ph = st.net.students[p.idx()].school;
                        let pnear = |g: &Group| match g.mode {
                            Mode::InPerson => {
                                i64::from(st.prep.tt.get(ph, g.school).unwrap_or(u32::MAX / 4))
                            }
                            Mode::Distance => 0,
                        };
                        let rough_loss = 2 * (pnear(st.group(g1)) - pnear(st.group(g2)));
                        if rough_loss as f64 * w.student_minute >= gain {
                            continue;
                        }
                        let (Some(pn), Some(pt)) = (
                            st.student_minutes(p, &[], &[]),
                            st.student_minutes(p, &[g2], &[st.group(g1)]),
                        ) else {
                            continue;
                        };
                        let total = gain - (pt - pn) as f64 * w.student_minute - dist(st.group(g1))
                            + dist(st.group(g2));
                        if total > 0.0 && best.is_none_or(|b| total > b.0) {
                            best = Some((total, p));
                        }
                    }
                    if let Some((_, p)) =
                        best.filter(|&(_, p)| st.may_move(s, g1, g2) && st.may_move(p, g2, g1))
                    {
                        st.move_student(s, g1, g2);
                        st.move_student(p, g2, g1);
                        any = true;
                    }
                }
            }
        }
    }
    any
}

/// Hosts tried exactly per group in [`group_moves`] (the best by a quick estimate).
const HOSTS_TRIED: usize = 20;

/// Moves groups to another school in the same periods where that lowers the weighted
/// travel of their members and teacher. Returns whether any moved.
fn group_moves(st: &mut PlanState, w: &Weights, limit: &Limit) -> bool {
    let prep = st.prep;
    let mut offers_of: Vec<Vec<&Offer>> = vec![Vec::new(); prep.net.courses.len()];
    for o in &prep.offers {
        offers_of[o.course.idx()].push(o);
    }
    let mut any = false;
    for gi in 0..st.num_groups() {
        if limit.reached() {
            break;
        }
        let g = st.group(gi).clone();
        if g.members.is_empty() || g.mode != Mode::InPerson {
            continue;
        }
        let len = st.slot(gi).len;
        let m = mask(g.first, len);
        let now_students: i64 = g
            .members
            .iter()
            .filter_map(|&s| st.student_minutes(s, &[], &[]))
            .sum();
        let Some(now_teacher) = st.teacher_minutes(g.teacher, None, None) else {
            continue;
        };
        // A quick estimate first (straight there and back from home for every member
        // and the teacher): only the most promising few hosts are tried exactly.
        let tt = |a: SchoolId, b: SchoolId| i64::from(prep.tt.get(a, b).unwrap_or(u32::MAX / 4));
        let t_home = st.net.teachers[g.teacher.idx()].school;
        let estimate = |host: SchoolId| {
            let s: i64 = g
                .members
                .iter()
                .map(|&m| {
                    let h = st.net.students[m.idx()].school;
                    tt(h, host) - tt(h, g.school)
                })
                .sum();
            2.0 * (s as f64 * w.student_minute
                + (tt(t_home, host) - tt(t_home, g.school)) as f64 * w.teacher_minute)
        };
        let mut cands: Vec<(f64, &Offer)> = offers_of[g.course.idx()]
            .iter()
            .filter(|o| o.first == g.first && o.mode == Mode::InPerson && o.host != g.school)
            .map(|&o| (estimate(o.host), o))
            .filter(|(e, _)| *e < 0.0)
            .collect();
        cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.host.cmp(&b.1.host)));
        cands.truncate(HOSTS_TRIED);
        let mut best: Option<(f64, Group)> = None;
        for (_, o) in cands {
            let Some(&room) = o
                .rooms
                .iter()
                .filter(|r| {
                    st.room_free(**r, m, Some(gi))
                        && st.net.rooms[r.idx()].capacity as usize >= g.members.len()
                })
                .min_by_key(|r| (st.net.rooms[r.idx()].capacity, **r))
            else {
                continue;
            };
            let moved = Group {
                school: o.host,
                room,
                ..g.clone()
            };
            let mut then_students = 0;
            let mut ok = true;
            for &s in &g.members {
                match st.student_minutes(s, &[gi], &[&moved]) {
                    Some(x) => then_students += x,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                continue;
            }
            // The same teacher, or another free one.
            let mut teachers: Vec<TeacherId> = vec![g.teacher];
            teachers.extend(o.teachers.iter().copied().filter(|&t| t != g.teacher));
            for t in teachers {
                if !o.teachers.contains(&t) || !st.teacher_free(t, g.first, len, Some(gi)) {
                    continue;
                }
                let cand = Group {
                    teacher: t,
                    ..moved.clone()
                };
                if !st.may_retime(gi, &cand) {
                    continue;
                }
                let Some(new_t) = st.teacher_minutes(t, Some(gi), Some(&cand)) else {
                    continue;
                };
                // The old teacher's day without this group, when another teaches it.
                let (before_t, after_t) = if t == g.teacher {
                    (now_teacher, new_t)
                } else {
                    let Some(old_after) = st.teacher_minutes(g.teacher, Some(gi), None) else {
                        continue;
                    };
                    let Some(t_now) = st.teacher_minutes(t, None, None) else {
                        continue;
                    };
                    (now_teacher + t_now, old_after + new_t)
                };
                let delta = (then_students - now_students) as f64 * w.student_minute
                    + (after_t - before_t) as f64 * w.teacher_minute;
                if delta < -1e-9 && best.as_ref().is_none_or(|b| delta < b.0) {
                    best = Some((delta, cand));
                }
                break;
            }
        }
        if let Some((_, cand)) = best {
            st.retime(gi, &cand);
            any = true;
        }
    }
    any
}

/// Seats students again after the fleet dropped some (module doc): groups open where
/// enough students lacking a course can take it without a bus (at their home school,
/// or at a distance), then students join groups with a seat: at once where that needs
/// no bus, and where it does only if `carried` (the whole plan's bus legs ride) still
/// holds, at most `bus_tries` times.
pub fn refill(
    prep: &Prep,
    plan: &Plan,
    limit: &Limit,
    bus_tries: usize,
    carried: &dyn Fn(&Plan) -> bool,
) -> Plan {
    let mut st = PlanState::new(prep, plan);
    // Every bus leg is checked below: students kept at home may ride if there is room.
    st.homebound = false;
    let net = prep.net;
    while !limit.reached() && open_home_group(&mut st) {}
    // Students lacking a choice, best rank first.
    let mut tries = bus_tries;
    for s in 0..net.students.len() {
        if limit.reached() {
            break;
        }
        let sid = StudentId::from(s);
        let home = net.students[s].school;
        for &c in &prep.admissible[s] {
            if st.of_student(sid).len() >= net.students[s].wants {
                break;
            }
            if st.takes(sid, c) {
                continue;
            }
            let mut options: Vec<usize> = (0..st.num_groups())
                .filter(|&g| {
                    st.group(g).course == c && !st.group(g).members.is_empty() && st.has_seat(g)
                })
                .collect();
            // No bus first, then nearest.
            options.sort_by_key(|&g| {
                let x = st.group(g);
                let place = x.student_location(home);
                (place != home, prep.tt.get(home, place), g)
            });
            for g in options {
                let target = st.group(g).clone();
                let Some(day) = st.student_day(sid, &[], &[&target]) else {
                    continue;
                };
                let needs_bus = day.iter().any(|d| d.place != home);
                let before_bus = st
                    .of_student(sid)
                    .iter()
                    .any(|&x| st.group(x).student_location(home) != home);
                st.join(sid, g);
                if needs_bus && (target.student_location(home) != home || !before_bus) {
                    if tries == 0 {
                        st.leave(sid, g);
                        continue;
                    }
                    tries -= 1;
                    if !carried(&st.current()) {
                        st.leave(sid, g);
                        continue;
                    }
                }
                break;
            }
        }
    }
    st.into_plan()
}

/// Opens the group, at a school for its own students or at a distance, that seats the
/// most students lacking its course who need no bus for it. Returns whether one opened.
fn open_home_group(st: &mut PlanState) -> bool {
    let prep = st.prep;
    let net = st.net;
    let mut best: Option<(usize, Group)> = None;
    for o in &prep.offers {
        let c = &net.courses[o.course.idx()];
        let min = c.min_group as usize;
        let m = mask(o.first, o.len);
        let joiners: Vec<StudentId> = (0..net.students.len())
            .map(StudentId::from)
            .filter(|&s| {
                let home = net.students[s.idx()].school;
                (o.mode == Mode::Distance || home == o.host)
                    && prep.admissible[s.idx()].contains(&o.course)
                    && st.of_student(s).len() < net.students[s.idx()].wants
                    && !st
                        .of_student(s)
                        .iter()
                        .any(|&g| st.group(g).course == o.course)
            })
            .collect();
        if joiners.len() < min || best.as_ref().is_some_and(|b| b.0 >= joiners.len()) {
            continue;
        }
        let Some(&room) = o
            .rooms
            .iter()
            .filter(|r| st.room_free(**r, m, None))
            .max_by_key(|r| (net.rooms[r.idx()].capacity, std::cmp::Reverse(**r)))
        else {
            continue;
        };
        let Some(&teacher) = o.teachers.iter().find(|&&t| {
            st.teacher_free(t, o.first, o.len, None)
                && st
                    .teacher_minutes(t, None, Some(&o.group(room, t, Vec::new())))
                    .is_some()
        }) else {
            continue;
        };
        let mut g = o.group(room, teacher, Vec::new());
        let cap = st.cap_of(g.course, g.mode, g.room);
        let mut fit: Vec<(usize, StudentId)> = joiners
            .into_iter()
            .filter(|&s| st.student_day(s, &[], &[&g]).is_some())
            .map(|s| (net.students[s.idx()].rank_of(o.course).unwrap_or(99), s))
            .collect();
        if fit.len() < min || best.as_ref().is_some_and(|b| b.0 >= fit.len().min(cap)) {
            continue;
        }
        fit.sort();
        fit.truncate(cap);
        g.members = fit.into_iter().map(|x| x.1).collect();
        best = Some((g.members.len(), g));
    }
    let Some((_, g)) = best else {
        return false;
    };
    st.open(g);
    true
}

/// Equal access (`--equity`): raises the worst school's placement rate, then the next
/// worst, … A student of the worst school who lacks a chosen course takes a free seat
/// in a group of it, or the seat of a member from a school that stays above the worst
/// rate after giving it up (that member loses the course). Every move raises the worst
/// school's rate or leaves fewer schools at it, so the pass ends; it stops when no
/// student of the worst school can gain.
pub fn raise_worst_school(prep: &Prep, plan: &Plan, limit: &Limit) -> Plan {
    let net = prep.net;
    let mut st = PlanState::new(prep, plan);
    let ns = net.schools.len();
    let mut requested = vec![0usize; ns];
    for s in &net.students {
        requested[s.school.idx()] += s.requested();
    }
    let placed = |st: &PlanState| {
        let mut p = vec![0usize; ns];
        for (s, st_) in net.students.iter().enumerate() {
            p[st_.school.idx()] += st.of_student(StudentId::from(s)).len();
        }
        p
    };
    // A school's rate as counted here: placements / (requested × priority), so that a
    // school of priority 2 counts as worse off at the same placement rate.
    let rate = |p: &[usize], i: usize| {
        p[i] as f64 / (requested[i] as f64 * net.schools[i].priority.max(1e-9))
    };
    let by_course: Vec<Vec<usize>> = (0..net.courses.len())
        .map(|c| st.of_course(CourseId::from(c)).to_vec())
        .collect();
    let mut stuck = vec![false; ns];
    for _ in 0..net.students.len() {
        if limit.reached() {
            break;
        }
        let p = placed(&st);
        let Some(w) = (0..ns)
            .filter(|&i| requested[i] > 0 && !stuck[i])
            .min_by(|&a, &b| rate(&p, a).total_cmp(&rate(&p, b)).then(a.cmp(&b)))
        else {
            break;
        };
        let mut moved = false;
        'students: for s in 0..net.students.len() {
            if net.students[s].school.idx() != w {
                continue;
            }
            let sid = StudentId::from(s);
            if st.of_student(sid).len() >= net.students[s].wants.min(prep.admissible[s].len()) {
                continue;
            }
            for &c in &prep.admissible[s] {
                if st.takes(sid, c) {
                    continue;
                }
                for &g in &by_course[c.idx()] {
                    if st.group(g).members.is_empty()
                        || st.student_day(sid, &[], &[st.group(g)]).is_none()
                    {
                        continue;
                    }
                    if st.has_seat(g) {
                        st.join(sid, g);
                        moved = true;
                        break 'students;
                    }
                    // The member from the best-off school that stays above the worst.
                    let giver = st
                        .group(g)
                        .members
                        .iter()
                        .copied()
                        .filter(|m| {
                            if !st.may_drop(*m, g) {
                                return false;
                            }
                            let x = net.students[m.idx()].school.idx();
                            // x's rate after giving up the seat stays above w's now.
                            let after = (p[x] - 1) as f64
                                / (requested[x] as f64 * net.schools[x].priority.max(1e-9));
                            x != w && rate(&p, w) < after
                        })
                        .max_by(|a, b| {
                            let (xa, xb) = (
                                net.students[a.idx()].school.idx(),
                                net.students[b.idx()].school.idx(),
                            );
                            rate(&p, xa).total_cmp(&rate(&p, xb)).then(b.cmp(a))
                        });
                    if let Some(m) = giver {
                        st.leave(m, g);
                        st.join(sid, g);
                        moved = true;
                        break 'students;
                    }
                }
            }
        }
        if !moved {
            stuck[w] = true;
        }
    }
    st.into_plan()
}

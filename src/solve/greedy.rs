//! A constructive plan: repeatedly open the candidate group that places the most
//! students who can still take it. It is the MIP start, the fallback at a limit and the
//! baseline that the optimiser must beat.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::{RoomId, StudentId, TeacherId};
use crate::plan::{day_fits, Group, Mode, Plan, Stay};

use super::prep::{Offer, Prep};

struct State {
    room_busy: Vec<u64>,
    teacher_busy: Vec<u64>,
    teacher_load: Vec<usize>,
    teacher_stays: Vec<Vec<Stay>>,
    student_busy: Vec<u64>,
    student_stays: Vec<Vec<Stay>>,
    student_taken: Vec<Vec<crate::model::CourseId>>,
}

fn mask(first: usize, len: usize) -> u64 {
    let mut m = 0u64;
    for p in first..first + len {
        m |= 1u64 << p;
    }
    m
}

fn with_stay(stays: &[Stay], s: Stay) -> Vec<Stay> {
    let mut v = stays.to_vec();
    let pos = v.partition_point(|x| x.start <= s.start);
    v.insert(pos, s);
    v
}

/// Builds a greedy plan over all candidate offers: the best (most placements, then
/// lowest rank sum) of four runs: seating students into their first `wants` choices
/// before alternates or counting every choice alike, and breaking ties by less travel
/// or by the offers' order.
pub fn greedy(prep: &Prep) -> Plan {
    let key = |p: &Plan| (Reverse(p.placements()), p.rank_sum(prep.net));
    [(true, true), (true, false), (false, true), (false, false)]
        .into_iter()
        .map(|(first_wants_first, travel_ties)| {
            greedy_over(prep, &prep.offers, first_wants_first, travel_ties)
        })
        .min_by_key(key)
        .unwrap_or_default()
}

/// Seats students greedily into fixed group slots (each slot used at most once).
pub fn greedy_into(prep: &Prep, slots: &[Group]) -> Plan {
    let offers: Vec<Offer> = slots
        .iter()
        .map(|g| Offer {
            course: g.course,
            host: g.school,
            first: g.first,
            len: prep.net.courses[g.course.idx()].periods,
            mode: g.mode,
            rooms: vec![g.room],
            teachers: vec![g.teacher],
        })
        .collect();
    greedy_over(prep, &offers, true, true)
}

/// Repeatedly opens the offer (with a free room and teacher) that seats the most
/// students who can still take it, preferring in-person and less travel.
fn greedy_over(prep: &Prep, offers: &[Offer], first_wants_first: bool, travel_ties: bool) -> Plan {
    let net = prep.net;
    let ns = net.students.len();
    let mut st = State {
        room_busy: vec![0; net.rooms.len()],
        teacher_busy: vec![0; net.teachers.len()],
        teacher_load: vec![0; net.teachers.len()],
        teacher_stays: vec![Vec::new(); net.teachers.len()],
        student_busy: vec![0; ns],
        student_stays: vec![Vec::new(); ns],
        student_taken: vec![Vec::new(); ns],
    };
    // Students who chose each course (admissible), in id order.
    let mut choosers: Vec<Vec<StudentId>> = vec![Vec::new(); net.courses.len()];
    for (s, adm) in prep.admissible.iter().enumerate() {
        for c in adm {
            choosers[c.idx()].push(StudentId::from(s));
        }
    }
    let mut plan = Plan::default();
    // While true, only choices within a student's first `wants` count.
    let mut wanted_only = first_wants_first;
    // Lazy greedy: how many students an offer seats (and whether in person) can only
    // fall as rooms, teachers and students fill up, so a stale key bounds the fresh
    // one. Re-evaluating every offer whose stale key reaches the best fresh key gives
    // exactly the eager choice (ties by less travel, then by the offers' order).
    let fill = |st: &State, wanted_only: bool| -> BinaryHeap<(Key, Reverse<usize>)> {
        (0..offers.len())
            .filter_map(|oi| {
                evaluate(prep, &choosers, st, &offers[oi], wanted_only, travel_ties)
                    .map(|(sc, _)| ((sc.0, sc.1), Reverse(oi)))
            })
            .collect()
    };
    let mut heap = fill(&st, wanted_only);
    loop {
        let mut best: Option<(Score, usize, Group)> = None;
        let mut fresh: Vec<(Key, Reverse<usize>)> = Vec::new();
        while let Some(&(key, Reverse(oi))) = heap.peek() {
            if best.as_ref().is_some_and(|(bs, _, _)| key < (bs.0, bs.1)) {
                break;
            }
            heap.pop();
            // Resources only get used up within a pass: an offer that cannot open now
            // never can again in this pass.
            let Some((score, g)) =
                evaluate(prep, &choosers, &st, &offers[oi], wanted_only, travel_ties)
            else {
                continue;
            };
            fresh.push(((score.0, score.1), Reverse(oi)));
            let better = best
                .as_ref()
                .is_none_or(|(bs, bi, _)| (score, Reverse(oi)) > (*bs, Reverse(*bi)));
            if better {
                best = Some((score, oi, g));
            }
        }
        heap.extend(fresh);
        match best {
            Some((_, _, g)) => {
                commit(prep, &mut st, &g, g.room, g.teacher);
                plan.groups.push(g);
            }
            None if wanted_only => {
                wanted_only = false;
                heap = fill(&st, wanted_only);
            }
            None => break,
        }
    }
    plan.canonicalize();
    plan
}

/// (students seated, in person, − travel minutes): higher is better.
type Score = (usize, bool, i64);

/// The part of [`Score`] that can only fall as the plan fills.
type Key = (usize, bool);

/// The group `o` would open now: a free room (the largest), a free teacher who can fit
/// it into their day (the nearest), and the students who can still take it, first
/// choices first, up to the room's capacity. `None` when it cannot reach its minimum.
fn evaluate(
    prep: &Prep,
    choosers: &[Vec<StudentId>],
    st: &State,
    o: &Offer,
    wanted_only: bool,
    travel_ties: bool,
) -> Option<(Score, Group)> {
    let net = prep.net;
    let tt = &prep.tt;
    let course = &net.courses[o.course.idx()];
    let m = mask(o.first, o.len);
    let tstay = o.teacher_stay(net);
    let room = o
        .rooms
        .iter()
        .copied()
        .filter(|r| st.room_busy[r.idx()] & m == 0)
        .max_by_key(|r| (net.rooms[r.idx()].capacity, Reverse(*r)))?;
    let cap = match o.mode {
        Mode::InPerson => course.max_group.min(net.rooms[room.idx()].capacity),
        Mode::Distance => course.max_group,
    } as usize;
    if cap < course.min_group as usize {
        return None;
    }
    let teacher = o
        .teachers
        .iter()
        .copied()
        .filter(|t| {
            let ti = t.idx();
            st.teacher_busy[ti] & m == 0
                && st.teacher_load[ti] + o.len <= net.teachers[ti].max_periods
                && day_fits(
                    net,
                    tt,
                    net.teachers[ti].school,
                    &with_stay(&st.teacher_stays[ti], tstay),
                )
        })
        .min_by_key(|t| (tt.get(net.teachers[t.idx()].school, o.host), *t))?;
    let mut eligible: Vec<(usize, StudentId)> = choosers[o.course.idx()]
        .iter()
        .copied()
        .filter(|s| {
            let si = s.idx();
            let stu = &net.students[si];
            st.student_busy[si] & m == 0
                && st.student_taken[si].len() < stu.wants
                && (!wanted_only || stu.rank_of(o.course).is_some_and(|r| r <= stu.wants))
                && !st.student_taken[si].contains(&o.course)
                && day_fits(
                    net,
                    tt,
                    stu.school,
                    &with_stay(&st.student_stays[si], o.stay_for(net, stu.school)),
                )
        })
        .map(|s| (net.students[s.idx()].rank_of(o.course).unwrap_or(99), s))
        .collect();
    if eligible.len() < course.min_group as usize {
        return None;
    }
    eligible.sort();
    eligible.truncate(cap);
    let travel: i64 = eligible
        .iter()
        .map(|(_, s)| match o.mode {
            Mode::InPerson => tt.get(net.students[s.idx()].school, o.host).unwrap_or(0) as i64,
            Mode::Distance => 0,
        })
        .sum::<i64>()
        + tt.get(net.teachers[teacher.idx()].school, o.host)
            .unwrap_or(0) as i64;
    let score = (
        eligible.len(),
        o.mode == Mode::InPerson,
        if travel_ties { -travel } else { 0 },
    );
    Some((
        score,
        o.group(
            room,
            teacher,
            eligible.into_iter().map(|(_, s)| s).collect(),
        ),
    ))
}

fn commit(prep: &Prep, st: &mut State, g: &Group, room: RoomId, teacher: TeacherId) {
    let net = prep.net;
    let len = net.courses[g.course.idx()].periods;
    let m = mask(g.first, len);
    st.room_busy[room.idx()] |= m;
    let ti = teacher.idx();
    st.teacher_busy[ti] |= m;
    st.teacher_load[ti] += len;
    let tstay = Stay {
        place: g.school,
        start: g.start(net),
        end: g.end(net),
    };
    st.teacher_stays[ti] = with_stay(&st.teacher_stays[ti], tstay);
    for s in &g.members {
        let si = s.idx();
        let home = net.students[si].school;
        st.student_busy[si] |= m;
        st.student_taken[si].push(g.course);
        let stay = Stay {
            place: g.student_location(home),
            start: g.start(net),
            end: g.end(net),
        };
        st.student_stays[si] = with_stay(&st.student_stays[si], stay);
    }
}

//! A constructive plan: repeatedly open the candidate group that places the most
//! students who can still take it. It is the MIP start, the fallback at a limit and the
//! baseline that the optimiser must beat.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::model::{SchoolId, StudentId};
use crate::plan::{stay_alone_fits, Group, Mode, Plan};

use super::prep::{Offer, Prep};
use super::state::{mask, PlanState};
use super::Limit;

/// How one greedy run breaks ties and orders choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Seat students into their first `wants` choices before alternates.
    pub first_wants_first: bool,
    /// Ties between offers: 0 to the lower offer index, 1 to the higher, any other
    /// value to a fixed pseudo-random order seeded by it.
    pub ties: u64,
}

/// The four basic variants.
pub const VARIANTS: [Variant; 4] = [
    Variant {
        first_wants_first: true,
        ties: 0,
    },
    Variant {
        first_wants_first: true,
        ties: 1,
    },
    Variant {
        first_wants_first: false,
        ties: 0,
    },
    Variant {
        first_wants_first: false,
        ties: 1,
    },
];

/// `n` variants: the four basic ones, then seeded tie orders (deterministic).
pub fn variants(n: usize) -> Vec<Variant> {
    (0..n)
        .map(|i| match VARIANTS.get(i) {
            Some(&v) => v,
            None => Variant {
                first_wants_first: i % 2 == 0,
                ties: 2 + i as u64,
            },
        })
        .collect()
}

/// One greedy plan over all candidate offers (see [`Variant`]).
/// At `limit` it stops opening groups and returns the (valid) plan so far.
pub fn greedy_variant(prep: &Prep, v: Variant, limit: Option<&Limit>) -> Plan {
    greedy_over(prep, &prep.offers, v, limit)
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
    greedy_over(prep, &offers, VARIANTS[0], None)
}

/// Repeatedly opens the offer (with a free room and teacher) that seats the most
/// students who can still take it, preferring in-person and less travel.
fn greedy_over(prep: &Prep, offers: &[Offer], v: Variant, limit: Option<&Limit>) -> Plan {
    let net = prep.net;
    let mut st = PlanState::new(prep, &Plan::default());
    // Students who chose each course (admissible), per home school, in id order.
    let ns_schools = net.schools.len();
    let mut choosers: Vec<Vec<Vec<StudentId>>> =
        vec![vec![Vec::new(); ns_schools]; net.courses.len()];
    for (s, adm) in prep.admissible.iter().enumerate() {
        let home = net.students[s].school.idx();
        for c in adm {
            choosers[c.idx()][home].push(StudentId::from(s));
        }
    }
    // Per offer: the home schools whose students could take it (all for distance).
    // Whether a home reaches an in-person group depends on its host and times only, not
    // on its course: that is found once per (host, first period, periods).
    let mut reach: HashMap<(SchoolId, usize, usize), Vec<SchoolId>> = HashMap::new();
    let homes: Vec<Vec<SchoolId>> = offers
        .iter()
        .map(|o| {
            let chose = |h: &SchoolId| !choosers[o.course.idx()][h.idx()].is_empty();
            match o.mode {
                Mode::Distance => (0..ns_schools).map(SchoolId::from).filter(chose).collect(),
                Mode::InPerson => reach
                    .entry((o.host, o.first, o.len))
                    .or_insert_with(|| {
                        (0..ns_schools)
                            .map(SchoolId::from)
                            .filter(|&h| stay_alone_fits(net, &prep.tt, h, o.stay_for(net, h)))
                            .collect()
                    })
                    .iter()
                    .copied()
                    .filter(chose)
                    .collect(),
            }
        })
        .collect();
    drop(reach);
    // The students who may still take a course, per course, rank and home school, in id
    // order: a student leaves the lists of a course when they take it, and all their
    // lists once their day is full. Evaluations look only at these.
    let ranks = net
        .students
        .iter()
        .map(|s| s.choices.len())
        .max()
        .unwrap_or(0);
    let mut pool: Vec<Vec<Vec<Vec<StudentId>>>> =
        vec![vec![vec![Vec::new(); ns_schools]; ranks]; net.courses.len()];
    for (s, adm) in prep.admissible.iter().enumerate() {
        let stu = &net.students[s];
        for &c in adm {
            if let Some(r) = stu.rank_of(c) {
                pool[c.idx()][r - 1][stu.school.idx()].push(StudentId::from(s));
            }
        }
    }
    // While true, only choices within a student's first `wants` count.
    let mut wanted_only = v.first_wants_first;
    // Lazy greedy: how many students an offer seats (and whether in person) can only
    // fall as rooms, teachers and students fill up, so a stale key bounds the fresh
    // one. The top offer is re-evaluated; if its fresh key still reaches the next
    // stale key it is the best and opens, otherwise it goes back with its fresh key.
    // Ties go to the lower offer index, so the result is deterministic.
    let tie = |oi: usize| match v.ties {
        0 => -(oi as i64),
        1 => oi as i64,
        seed => (splitmix(seed.wrapping_mul(0x9E37_79B9).wrapping_add(oi as u64)) >> 1) as i64,
    };
    // Every offer starts with an optimistic key: everyone within reach who chose the
    // course, up to the largest group it could hold. Only offers that reach the top of
    // the heap are evaluated.
    let optimistic: Vec<(Key, i64, usize)> = offers
        .iter()
        .enumerate()
        .map(|(oi, o)| {
            let course = &net.courses[o.course.idx()];
            let reach: usize = homes[oi]
                .iter()
                .map(|h| choosers[o.course.idx()][h.idx()].len())
                .sum();
            let cap = match o.mode {
                Mode::InPerson => o
                    .rooms
                    .iter()
                    .map(|r| net.rooms[r.idx()].capacity)
                    .max()
                    .unwrap_or(0)
                    .min(course.max_group),
                Mode::Distance => course.max_group,
            } as usize;
            ((reach.min(cap), o.mode == Mode::InPerson), tie(oi), oi)
        })
        .collect();
    let mut heap: BinaryHeap<(Key, i64, usize)> = optimistic.iter().copied().collect();
    // Distance groups of one course and period seat the same students whatever their
    // host: their eligible students are kept per (course, first period) and found again
    // only after a group opens with a member who chose the course.
    let np = net.num_periods();
    let mut version = vec![0u64; net.courses.len()];
    let mut distance: Vec<Option<Eligible>> = vec![None; net.courses.len() * np];
    loop {
        if limit.is_some_and(|l| l.reached()) {
            break;
        }
        let mut opened = false;
        while let Some((_, _, oi)) = heap.pop() {
            // Resources only get used up within a pass: an offer that cannot open now
            // never can again in this pass.
            let o = &offers[oi];
            let cached = match o.mode {
                Mode::Distance => {
                    let c = o.course.idx();
                    let slot = &mut distance[c * np + o.first];
                    if !slot
                        .as_ref()
                        .is_some_and(|(v, w, _)| *v == version[c] && *w == wanted_only)
                    {
                        let cap = net.courses[c].max_group as usize;
                        let e = eligible(prep, &pool, &homes[oi], &st, o, wanted_only, cap);
                        *slot = Some((version[c], wanted_only, e));
                    }
                    slot.as_ref().map(|(_, _, e)| e.as_slice())
                }
                Mode::InPerson => None,
            };
            let Some((key, g)) = evaluate(prep, &pool, &homes[oi], &st, o, wanted_only, cached)
            else {
                continue;
            };
            let item = (key, tie(oi), oi);
            let best = heap
                .peek()
                .is_none_or(|next| (item.0, item.1) >= (next.0, next.1));
            heap.push(item);
            if best {
                st.open(g.clone());
                for s in &g.members {
                    let stu = &net.students[s.idx()];
                    let full = st.of_student(*s).len() >= stu.wants;
                    for &c in &prep.admissible[s.idx()] {
                        version[c.idx()] += 1;
                        if c == g.course || full {
                            if let Some(r) = stu.rank_of(c) {
                                pool[c.idx()][r - 1][stu.school.idx()].retain(|x| x != s);
                            }
                        }
                    }
                }
                opened = true;
                break;
            }
        }
        if opened {
            continue;
        }
        if wanted_only {
            wanted_only = false;
            heap = optimistic.iter().copied().collect();
        } else {
            break;
        }
    }
    st.into_plan()
}

/// (students seated, in person): higher is better. It can only fall as the plan fills.
type Key = (usize, bool);

/// The group `o` would open now: a free room (the largest), a free teacher who can fit
/// it into their day (the nearest), and the students who can still take it, first
/// choices first, up to the room's capacity. `None` when it cannot reach its minimum.
/// `cached`: the students [`eligible`] gives for `o` now, if already known.
fn evaluate(
    prep: &Prep,
    pool: &Pool,
    homes: &[SchoolId],
    st: &PlanState,
    o: &Offer,
    wanted_only: bool,
    cached: Option<&[(usize, StudentId)]>,
) -> Option<(Key, Group)> {
    let net = prep.net;
    let tt = &prep.tt;
    let course = &net.courses[o.course.idx()];
    let m = mask(o.first, o.len);
    let tstay = o.teacher_stay(net);
    let room = o
        .rooms
        .iter()
        .copied()
        .filter(|&r| st.room_free(r, m, None))
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
        .filter(|&t| st.teacher_free(t, o.first, o.len, None) && st.teacher_fits(t, None, tstay))
        .min_by_key(|t| (tt.get(net.teachers[t.idx()].school, o.host), *t))?;
    let fresh;
    let eligible = match cached {
        Some(e) => e,
        None => {
            fresh = eligible(prep, pool, homes, st, o, wanted_only, cap);
            &fresh
        }
    };
    if eligible.len() < course.min_group as usize {
        return None;
    }
    let seated = &eligible[..eligible.len().min(cap)];
    let score = (seated.len(), o.mode == Mode::InPerson);
    Some((
        score,
        o.group(room, teacher, seated.iter().map(|&(_, s)| s).collect()),
    ))
}

/// The eligible students of a distance offer as found at (course version, whether
/// only wanted choices counted).
type Eligible = (u64, bool, Vec<(usize, StudentId)>);

/// Students who may still take a course: per course, rank (from 0) and home school.
type Pool = Vec<Vec<Vec<Vec<StudentId>>>>;

/// The students who could take a group of `o` now (they chose it, are free then, lack
/// it, have room in their day and can travel it), as (rank, student), sorted. Ranks are
/// taken in order and the search stops after a rank that brings the count to `cap`:
/// the first `cap` are then the same as over everyone.
fn eligible(
    prep: &Prep,
    pool: &Pool,
    homes: &[SchoolId],
    st: &PlanState,
    o: &Offer,
    wanted_only: bool,
    cap: usize,
) -> Vec<(usize, StudentId)> {
    let net = prep.net;
    let mut eligible: Vec<(usize, StudentId)> = Vec::new();
    for (r, per_home) in pool[o.course.idx()].iter().enumerate() {
        let rank = r + 1;
        for h in homes {
            for &s in &per_home[h.idx()] {
                let stu = &net.students[s.idx()];
                if (!wanted_only || rank <= stu.wants) && st.fits_offer(s, o) {
                    eligible.push((rank, s));
                }
            }
        }
        if eligible.len() >= cap {
            break;
        }
    }
    eligible.sort();
    eligible
}

/// splitmix64's output function: a fixed pseudo-random permutation of `u64`.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

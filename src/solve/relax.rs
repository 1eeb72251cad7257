//! The compact relaxation: a proven upper bound on placements that stays small where
//! the stage-1 model ([`super::stage1`]) does not, and is strong where teachers are
//! scarce. It runs on its own thread beside the search ([`super::solve`]).
//!
//! Every plan gives a solution of it with the same placements (set each variable to
//! what the plan does), so its optimum, and HiGHS's dual bound at any moment, bounds
//! every plan. Its rules, and why each holds for every plan:
//!
//! - Groups: `y[o]` (integer) groups of candidate offer `o` ([`super::prep::Offer`]:
//!   course, host, first period, mode), at most its rooms and its teachers.
//! - Rooms (rule 4): per host, room kind and period, the groups running at most the
//!   rooms of that kind free then (a room holds one group at a time).
//! - Teachers (rule 3), counted per (teacher, course, host): `z[t,c,h]` groups of
//!   course `c` that `t` teaches at `h`; per (course, host) the offers' groups equal the
//!   teachers' (each group has one teacher); per teacher `Σ len_c · z ≤ max_periods`;
//!   per (course, host) and period the groups running at most the teachers who could
//!   teach them then (one group at a time). Teachers' travel between hosts is left out.
//! - Sites: `x[h,s]` (integer, at most the choosers at home `h` of the site's course)
//!   students of `h` in groups of *site* `s`: a course at a host in person, or a course
//!   at a distance (all hosts pooled). It exists only when some offer of the site can be
//!   reached from `h` and left in time (`stay_alone_fits`), as every placement in person
//!   needs (rule 7). Per site the students lie between `min_group · Σ y` and the seats
//!   `Σ seats_o · y[o]` (seats: the biggest room's capacity capped by `max_group`;
//!   `max_group` at a distance), since every group holds between its minimum and its
//!   seats (rule 2). Where only some offers can be reached from `h`, `x[h,s]` is at most
//!   their seats.
//! - The cut that makes small villages pay for whole groups (a variable upper bound):
//!   `x[h,s] ≤ d[h,c] · Σ_{o reachable} y[o]`: with no reachable group open `x = 0`,
//!   with one open `x ≤ d` anyway. In the LP it stops a tenth of a group from seating a
//!   village's choosers.
//! - Choices (rule 5): per home and course the sites sum to at most the choosers (one
//!   group per course); per home to at most `Σ min(wants, choices some offer serves)`.
//! - Times, per cohort (students of one home with the same wants and choices; see
//!   `cohort_times`): `t[k,c,q]` (continuous) members of cohort `k` in a group of
//!   course `c` starting in period `q`. Per cohort and period at most its members (never
//!   two groups at once, rule 5), per course at most its members, in all at
//!   most `members · min(wants, choices)`; per (home, course, start) at most the seats
//!   of the offers starting then that the home can reach, and the choosers times their
//!   groups; per (home, course) they sum to what the sites seat. This is what makes the
//!   bound tell the truth where teachers are scarce: a course taught by one teacher runs
//!   in one or two periods, and the students who chose it and another course running
//!   then cannot have both. Measured (BENCHMARKS.md, scarce table) it takes the gap on
//!   1,000-student scarce districts from 6–16 % (reachable choices) to 0–1.5 %.
//!
//! What it leaves out (so it stays a relaxation): which student is in which group, the
//! hosts of a student's two groups and the travel between them, teachers' travel,
//! pins, buses. Each only removes plans, so the bound stays valid with them. The exact
//! MIP of `tests/bound_exact.rs` checks on small networks that it never cuts off the
//! optimum.

use std::collections::BTreeMap;

use good_lp::{Expression, Variable};

use crate::model::{CourseId, SchoolId};
use crate::plan::{stay_alone_fits, Mode};

use std::sync::Arc;

use super::lp::{sum, Mip, MipResult, MipSettings, MipStatus, Watch};
use super::prep::Prep;

/// A site of the relaxation: a course at a host in person, or a course at a distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Site {
    InPerson(CourseId, SchoolId),
    Distance(CourseId),
}

/// The relaxation, built and ready to solve (on any thread).
pub struct Relaxation {
    mip: Mip,
    objective: Expression,
    /// Variables and rows, for the notes.
    pub size: (usize, usize),
}

/// What the relaxation proved.
#[derive(Clone, Debug)]
pub struct Proof {
    /// A proven upper bound on placements (`inf` when HiGHS had none).
    pub bound: f64,
    /// Whether the relaxation was solved to optimality.
    pub optimal: bool,
    pub seconds: f64,
}

/// Roughly how many variables [`build`] would make: the (home, course, host) sites and
/// the (cohort, course, start) times. Cheap, so that a network too big for the
/// relaxation to pay is never built.
pub fn estimated_variables(prep: &Prep) -> usize {
    let net = prep.net;
    let mut hosts = vec![std::collections::BTreeSet::new(); net.courses.len()];
    let mut firsts = vec![std::collections::BTreeSet::new(); net.courses.len()];
    for o in &prep.offers {
        hosts[o.course.idx()].insert(o.host);
        firsts[o.course.idx()].insert(o.first);
    }
    let mut pairs = std::collections::BTreeSet::new();
    let mut cohort_vars = 0;
    for (st, adm) in net.students.iter().zip(&prep.admissible) {
        for c in adm {
            pairs.insert((st.school, *c));
            cohort_vars += firsts[c.idx()].len();
        }
    }
    let site_vars: usize = pairs.iter().map(|(_, c)| hosts[c.idx()].len()).sum();
    prep.offers.len() + site_vars + cohort_vars
}

/// Builds the relaxation of `prep`'s network over its candidate offers.
pub fn build(prep: &Prep) -> Relaxation {
    let net = prep.net;
    let tt = &prep.tt;
    let np = net.num_periods();
    let ns = net.schools.len();
    let mut mip = Mip::new();

    // Choosers per (home, course) among courses some offer serves, and per home the
    // placements its students could have at most.
    let mut offered = vec![false; net.courses.len()];
    for o in &prep.offers {
        offered[o.course.idx()] = true;
    }
    let mut demand: BTreeMap<(SchoolId, CourseId), u32> = BTreeMap::new();
    let mut home_cap = vec![0usize; ns];
    for (st, adm) in net.students.iter().zip(&prep.admissible) {
        let mut n = 0;
        for &c in adm.iter().filter(|c| offered[c.idx()]) {
            *demand.entry((st.school, c)).or_default() += 1;
            n += 1;
        }
        home_cap[st.school.idx()] += st.wants.min(n);
    }

    // Groups per offer, and the most one of them seats.
    let mut y: Vec<Variable> = Vec::with_capacity(prep.offers.len());
    let mut seats: Vec<f64> = Vec::with_capacity(prep.offers.len());
    for o in &prep.offers {
        let course = &net.courses[o.course.idx()];
        let most = o.rooms.len().min(o.teachers.len());
        y.push(mip.int(most as f64));
        seats.push(match o.mode {
            Mode::InPerson => o
                .rooms
                .iter()
                .map(|r| net.rooms[r.idx()].capacity.min(course.max_group))
                .max()
                .unwrap_or(0) as f64,
            Mode::Distance => course.max_group as f64,
        });
    }

    // Rooms: per host, kind and period, the groups covering it at most the rooms free.
    let mut room_rows: BTreeMap<(SchoolId, usize, usize), Expression> = BTreeMap::new();
    for (oi, o) in prep.offers.iter().enumerate() {
        let kind = net.courses[o.course.idx()].room_kind.idx();
        for q in o.first..=o.last() {
            *room_rows.entry((o.host, kind, q)).or_default() += y[oi];
        }
    }
    for ((host, kind, q), e) in room_rows {
        let free = net
            .rooms
            .iter()
            .filter(|r| r.school == host && r.kind.idx() == kind && r.periods.contains_range(q, 1))
            .count();
        mip.add(e.leq(free as f64));
    }

    // Teachers, counted per (teacher, course, host): how many groups of the course they
    // teach there, within their max_periods.
    let mut z: BTreeMap<(usize, CourseId, SchoolId), Variable> = BTreeMap::new();
    let mut per_course_host: BTreeMap<(CourseId, SchoolId), Vec<usize>> = BTreeMap::new();
    for (oi, o) in prep.offers.iter().enumerate() {
        per_course_host
            .entry((o.course, o.host))
            .or_default()
            .push(oi);
    }
    let mut load: Vec<Expression> = vec![Expression::default(); net.teachers.len()];
    for (&(c, h), offers) in &per_course_host {
        let len = net.courses[c.idx()].periods;
        let mut teachers: Vec<usize> = offers
            .iter()
            .flat_map(|&oi| prep.offers[oi].teachers.iter().map(|t| t.idx()))
            .collect();
        teachers.sort();
        teachers.dedup();
        let mut taught = Expression::default();
        for &t in &teachers {
            let most = net.teachers[t].max_periods.min(np) / len.max(1);
            let v = mip.int(most as f64);
            z.insert((t, c, h), v);
            taught += v;
            load[t] += (len as f64) * v;
        }
        mip.add((sum(offers.iter().map(|&oi| &y[oi])) - taught).eq(0.0));
        // Per period, the groups running at most the teachers who could teach them then.
        for q in 0..np {
            let covering: Vec<usize> = offers
                .iter()
                .copied()
                .filter(|&oi| prep.offers[oi].covers(q))
                .collect();
            if covering.is_empty() {
                continue;
            }
            let mut able: Vec<usize> = covering
                .iter()
                .flat_map(|&oi| prep.offers[oi].teachers.iter().map(|t| t.idx()))
                .collect();
            able.sort();
            able.dedup();
            mip.add(sum(covering.iter().map(|&oi| &y[oi])).leq(able.len() as f64));
        }
    }
    for (t, l) in load.into_iter().enumerate() {
        mip.add(l.leq(net.teachers[t].max_periods.min(np) as f64));
    }

    // Sites and who can reach which of their offers.
    let mut sites: BTreeMap<Site, Vec<usize>> = BTreeMap::new();
    for (oi, o) in prep.offers.iter().enumerate() {
        let site = match o.mode {
            Mode::InPerson => Site::InPerson(o.course, o.host),
            Mode::Distance => Site::Distance(o.course),
        };
        sites.entry(site).or_default().push(oi);
    }
    let mut objective = Expression::default();
    let mut per_home_course: BTreeMap<(SchoolId, CourseId), Vec<Variable>> = BTreeMap::new();
    let mut per_home: Vec<Vec<Variable>> = vec![Vec::new(); ns];
    for (site, offers) in &sites {
        let course_id = match *site {
            Site::InPerson(c, _) | Site::Distance(c) => c,
        };
        let course = &net.courses[course_id.idx()];
        let mut members = Expression::default();
        for (h, xs_of_home) in per_home.iter_mut().enumerate() {
            let home = SchoolId::from(h);
            let Some(&d) = demand.get(&(home, course_id)) else {
                continue;
            };
            let reachable: Vec<usize> = offers
                .iter()
                .copied()
                .filter(|&oi| {
                    let o = &prep.offers[oi];
                    o.mode == Mode::Distance
                        || stay_alone_fits(net, tt, home, o.stay_for(net, home))
                })
                .collect();
            if reachable.is_empty() {
                continue;
            }
            let x = mip.int(d as f64);
            members += x;
            objective += x;
            per_home_course
                .entry((home, course_id))
                .or_default()
                .push(x);
            xs_of_home.push(x);
            // The variable upper bound: no reachable group, no students.
            let open = sum(reachable.iter().map(|&oi| &y[oi]));
            mip.add((Expression::from(x) - (d as f64) * open).leq(0.0));
            if reachable.len() < offers.len() {
                let mut cap = Expression::default();
                for &oi in &reachable {
                    cap += seats[oi] * y[oi];
                }
                mip.add((Expression::from(x) - cap).leq(0.0));
            }
        }
        let mut all_groups = Expression::default();
        let mut all_seats = Expression::default();
        for &oi in offers {
            all_groups += y[oi];
            all_seats += seats[oi] * y[oi];
        }
        mip.add((members.clone() - (course.min_group as f64) * all_groups).geq(0.0));
        mip.add((members - all_seats).leq(0.0));
    }
    for ((home, c), xs) in &per_home_course {
        if xs.len() > 1 {
            mip.add(sum(xs).leq(demand[&(*home, *c)] as f64));
        }
    }
    cohort_times(
        prep,
        &mut mip,
        &y,
        &seats,
        &per_home_course,
        &demand,
        &offered,
    );
    for (h, xs) in per_home.iter().enumerate() {
        let total: u32 = demand
            .range((SchoolId::from(h), CourseId::from(0))..)
            .take_while(|((home, _), _)| home.idx() == h)
            .map(|(_, &d)| d)
            .sum();
        if (home_cap[h] as u32) < total && xs.len() > 1 {
            mip.add(sum(xs).leq(home_cap[h] as f64));
        }
    }
    let size = (mip.num_vars(), mip.num_constraints());
    Relaxation {
        mip,
        objective,
        size,
    }
}

/// The students' times, per cohort (same home, wants and choices): `t[k,c,q]`
/// (continuous) members of cohort `k` in a group of course `c` starting in period `q`,
/// at any host or at a distance. Per cohort and period the courses running sum to at
/// most its members (a student is in one group at a time); per course to at most its
/// members, in all to `members · min(wants, choices)`. Per home, course and start they
/// are at most the seats of the offers starting then that the home can reach (and the
/// choosers times those offers' groups), and per home and course they sum to the
/// students the sites seat. Every plan gives such times, so the bound stays valid;
/// what it adds is the clash: two courses whose groups all run at once cannot both be
/// granted to the students who chose both.
fn cohort_times(
    prep: &Prep,
    mip: &mut Mip,
    y: &[Variable],
    seats: &[f64],
    per_home_course: &BTreeMap<(SchoolId, CourseId), Vec<Variable>>,
    demand: &BTreeMap<(SchoolId, CourseId), u32>,
    offered: &[bool],
) {
    let net = prep.net;
    let tt = &prep.tt;
    let np = net.num_periods();
    // Offers per (home, course, first) that the home can reach.
    let mut reach: BTreeMap<(SchoolId, CourseId, usize), Vec<usize>> = BTreeMap::new();
    for h in 0..net.schools.len() {
        let home = SchoolId::from(h);
        for (oi, o) in prep.offers.iter().enumerate() {
            if o.mode == Mode::Distance || stay_alone_fits(net, tt, home, o.stay_for(net, home)) {
                reach.entry((home, o.course, o.first)).or_default().push(oi);
            }
        }
    }
    let mut cohorts: BTreeMap<(SchoolId, usize, Vec<CourseId>), u32> = BTreeMap::new();
    for (st, adm) in net.students.iter().zip(&prep.admissible) {
        let mut set: Vec<CourseId> = adm.iter().copied().filter(|c| offered[c.idx()]).collect();
        if set.is_empty() || st.wants == 0 {
            continue;
        }
        set.sort();
        *cohorts.entry((st.school, st.wants, set)).or_default() += 1;
    }
    let mut at: BTreeMap<(SchoolId, CourseId, usize), Vec<Variable>> = BTreeMap::new();
    for ((home, wants, set), n) in &cohorts {
        let n = *n as f64;
        let mut per_period: Vec<Vec<Variable>> = vec![Vec::new(); np];
        let mut all = Vec::new();
        for &c in set {
            let len = net.courses[c.idx()].periods;
            let mut of_course = Vec::new();
            for first in 0..np {
                if !reach.contains_key(&(*home, c, first)) {
                    continue;
                }
                let v = mip.real(n);
                of_course.push(v);
                at.entry((*home, c, first)).or_default().push(v);
                for slot in per_period.iter_mut().skip(first).take(len) {
                    slot.push(v);
                }
            }
            if of_course.len() > 1 {
                mip.add(sum(&of_course).leq(n));
            }
            all.extend(of_course);
        }
        for vars in &per_period {
            if vars.len() > 1 {
                mip.add(sum(vars).leq(n));
            }
        }
        let most = (*wants).min(set.len());
        if most < set.len() && all.len() > 1 {
            mip.add(sum(&all).leq(n * most as f64));
        }
    }
    // Per home and course: the times seat what the sites seat.
    let mut by_home_course: BTreeMap<(SchoolId, CourseId), Expression> = BTreeMap::new();
    for (&(home, c, first), vars) in &at {
        let total = sum(vars);
        let offers = &reach[&(home, c, first)];
        let cap: Expression = offers.iter().map(|&oi| seats[oi] * y[oi]).sum();
        let open = sum(offers.iter().map(|&oi| &y[oi]));
        mip.add((total.clone() - cap).leq(0.0));
        // No group starting then, nobody then (the variable upper bound again).
        let d = demand.get(&(home, c)).copied().unwrap_or(0) as f64;
        mip.add((total.clone() - d * open).leq(0.0));
        *by_home_course.entry((home, c)).or_default() += total;
    }
    for ((home, c), total) in by_home_course {
        let sites = per_home_course.get(&(home, c));
        let seated = sites.map(sum).unwrap_or_default();
        mip.add((total - seated).eq(0.0));
    }
}

impl Relaxation {
    /// Solves within `settings` and returns the proven bound.
    pub fn solve(self, settings: MipSettings, watch: Arc<Watch>) -> Result<Proof, String> {
        let t = std::time::Instant::now();
        let Relaxation { mip, objective, .. } = self;
        let r: MipResult = mip.solve_watched(objective, true, &settings, false, Some(watch))?;
        let bound = match r.status {
            MipStatus::Infeasible => 0.0,
            _ if r.dual_bound.is_finite() => r.dual_bound,
            _ => f64::INFINITY,
        };
        Ok(Proof {
            bound,
            optimal: r.status == MipStatus::Optimal,
            seconds: t.elapsed().as_secs_f64(),
        })
    }
}

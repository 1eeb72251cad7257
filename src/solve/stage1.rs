//! Stage 1: which groups open. A MIP over units of students and offers whose constraints are
//! aggregates of every student's, teacher's and room's rules, so it is a relaxation of
//! the real problem: its dual bound is a proven upper bound on placements.
//!
//! Passes: `variables`, `rooms`, `teachers` (load, one group at a time, travel cliques),
//! `group_size`, `units` (one group per course, wants, one group at a time, travel
//! cliques), `objective`.

use std::collections::HashMap;

use good_lp::{Expression, Variable};

use crate::model::{Minute, Network, Period, RoomId, SchoolId, TeacherId};
use crate::plan::{Mode, Plan};

use super::lp::{sum, Mip, MipSettings};
use super::prep::{Prep, Unit};
use crate::plan::stay_alone_fits;

/// Something a person does in the day in the stage-1 model: a variable with a place and
/// a time window.
#[derive(Clone, Copy)]
pub(super) struct Item {
    pub var: Variable,
    pub place: SchoolId,
    pub first: Period,
    pub last: Period,
    /// Bit of the item's course in its unit (0 for teachers).
    pub bit: u128,
}

struct Vars {
    /// Per offer: (room, var).
    g: Vec<Vec<(RoomId, Variable)>>,
    /// Per offer: (teacher, var).
    w: Vec<Vec<(TeacherId, Variable)>>,
    /// Per offer (in-person): (unit, var).
    x: Vec<Vec<(usize, Variable)>>,
    /// Distance (course, first) → per unit var.
    xd: HashMap<(usize, Period), Vec<(usize, Variable)>>,
    /// Total placements expression parts.
    all_x: Vec<Variable>,
}

fn build(prep: &Prep, mip: &mut Mip, start_from: Option<&Plan>) -> Vars {
    let net = prep.net;
    let tt = &prep.tt;
    let nk = prep.units.len();
    // variables
    let mut v = Vars {
        g: Vec::with_capacity(prep.offers.len()),
        w: Vec::with_capacity(prep.offers.len()),
        x: Vec::with_capacity(prep.offers.len()),
        xd: HashMap::new(),
        all_x: Vec::new(),
    };
    let mut units_of_course: Vec<Vec<usize>> = vec![Vec::new(); net.courses.len()];
    for (k, u) in prep.units.iter().enumerate() {
        for c in &u.courses {
            units_of_course[c.idx()].push(k);
        }
    }
    let mut unit_items: Vec<Vec<(Item, usize)>> = vec![Vec::new(); nk]; // (item, course pos)
    for o in &prep.offers {
        v.g.push(o.rooms.iter().map(|&r| (r, mip.bin())).collect());
        v.w.push(o.teachers.iter().map(|&t| (t, mip.bin())).collect());
        let mut xs = Vec::new();
        let is_new_distance =
            o.mode == Mode::Distance && !v.xd.contains_key(&(o.course.idx(), o.first));
        if o.mode == Mode::InPerson || is_new_distance {
            let stay = o.teacher_stay(net);
            let mut list = Vec::new();
            for &k in &units_of_course[o.course.idx()] {
                let u = &prep.units[k];
                if o.mode == Mode::InPerson && !stay_alone_fits(net, tt, u.home, stay) {
                    continue;
                }
                let p = u.pos(o.course).unwrap_or(0);
                let var = mip.int(u.demand[p] as f64);
                list.push((k, var));
                v.all_x.push(var);
                let place = match o.mode {
                    Mode::InPerson => o.host,
                    Mode::Distance => u.home,
                };
                unit_items[k].push((
                    Item {
                        var,
                        place,
                        first: o.first,
                        last: o.last(),
                        bit: Unit::bit(p),
                    },
                    p,
                ));
            }
            match o.mode {
                Mode::InPerson => xs = list,
                Mode::Distance => {
                    v.xd.insert((o.course.idx(), o.first), list);
                }
            }
        }
        v.x.push(xs);
    }

    // rooms: one group at a time
    let np = net.num_periods();
    let mut room_use: Vec<Vec<Vec<Variable>>> = vec![vec![Vec::new(); np]; net.rooms.len()];
    for (oi, o) in prep.offers.iter().enumerate() {
        for &(r, var) in &v.g[oi] {
            for slot in &mut room_use[r.idx()][o.first..=o.last()] {
                slot.push(var);
            }
        }
    }
    for per_room in &room_use {
        for vars in per_room {
            if vars.len() > 1 {
                mip.add(sum(vars).leq(1.0));
            }
        }
    }

    // teachers: one group at a time, load, travel cliques
    let mut teacher_items: Vec<Vec<Item>> = vec![Vec::new(); net.teachers.len()];
    let mut teacher_load: Vec<Expression> = vec![Expression::default(); net.teachers.len()];
    for (oi, o) in prep.offers.iter().enumerate() {
        for &(t, var) in &v.w[oi] {
            teacher_items[t.idx()].push(Item {
                var,
                place: o.host,
                first: o.first,
                last: o.last(),
                bit: 0,
            });
            teacher_load[t.idx()] += (o.len as f64) * var;
        }
    }
    for (ti, items) in teacher_items.iter().enumerate() {
        one_at_a_time(mip, items, np, &|_| 1.0);
        travel_cliques(net, prep, mip, items, &|_| 1.0);
        let load = std::mem::take(&mut teacher_load[ti]);
        if net.teachers[ti].max_periods < np && !items.is_empty() {
            mip.add(load.leq(net.teachers[ti].max_periods as f64));
        }
    }

    // group_size
    let mut dist_groups: HashMap<(usize, Period), Expression> = HashMap::new();
    for (oi, o) in prep.offers.iter().enumerate() {
        let course = &net.courses[o.course.idx()];
        let groups = sum(v.w[oi].iter().map(|(_, var)| var));
        let rooms = sum(v.g[oi].iter().map(|(_, var)| var));
        mip.add((groups.clone() - rooms).eq(0.0));
        match o.mode {
            Mode::InPerson => {
                let size = sum(v.x[oi].iter().map(|(_, var)| var));
                let mut cap = Expression::default();
                for &(r, var) in &v.g[oi] {
                    let c = net.rooms[r.idx()].capacity.min(course.max_group);
                    cap += (c as f64) * var;
                }
                mip.add((size.clone() - (course.min_group as f64) * groups).geq(0.0));
                mip.add((size - cap).leq(0.0));
            }
            Mode::Distance => {
                *dist_groups.entry((o.course.idx(), o.first)).or_default() += groups;
            }
        }
    }
    let mut dist_keys: Vec<_> = dist_groups.keys().copied().collect();
    dist_keys.sort();
    for key in dist_keys {
        let groups = dist_groups.remove(&key).unwrap_or_default();
        let course = &net.courses[key.0];
        let size = sum(v.xd[&key].iter().map(|(_, var)| var));
        mip.add((size.clone() - (course.min_group as f64) * groups.clone()).geq(0.0));
        mip.add((size - (course.max_group as f64) * groups).leq(0.0));
    }

    // units: one group per course, wants, one group at a time, travel cliques; each
    // bounded by how many members chose any of the courses involved.
    for (k, items) in unit_items.iter().enumerate() {
        let u = &prep.units[k];
        for (p, &d) in u.demand.iter().enumerate() {
            let vars: Vec<Variable> = items
                .iter()
                .filter(|(_, cp)| *cp == p)
                .map(|(it, _)| it.var)
                .collect();
            if vars.len() > 1 {
                mip.add(sum(&vars).leq(d as f64));
            }
        }
        let total_demand: u32 = u.demand.iter().sum();
        if (u.cap as u32) < total_demand && items.len() > 1 {
            mip.add(sum(items.iter().map(|(it, _)| &it.var)).leq(u.cap as f64));
        }
        let plain: Vec<Item> = items.iter().map(|(it, _)| *it).collect();
        let bound = |mask: u128| u.union(mask) as f64;
        one_at_a_time(mip, &plain, np, &bound);
        if u.courses.len() <= 128 && u.size() > 1 {
            course_pairs_at_a_time(mip, u, &plain, np);
        }
        travel_cliques(net, prep, mip, &plain, &bound);
    }

    if let Some(plan) = start_from {
        set_start(prep, mip, &v, plan);
    }
    v
}

/// Σ of items covering each period ≤ cap(courses involved).
pub(super) fn one_at_a_time(mip: &mut Mip, items: &[Item], np: usize, cap: &dyn Fn(u128) -> f64) {
    for q in 0..np {
        let covering: Vec<&Item> = items
            .iter()
            .filter(|it| it.first <= q && q <= it.last)
            .collect();
        if covering.len() > 1 {
            let mask = covering.iter().fold(0u128, |m, it| m | it.bit);
            mip.add(sum(covering.iter().map(|it| &it.var)).leq(cap(mask)));
        }
    }
}

/// For a unit of students with different choices: in each period, groups of two
/// courses together hold at most the members who chose either.
fn course_pairs_at_a_time(mip: &mut Mip, u: &Unit, items: &[Item], np: usize) {
    for q in 0..np {
        let covering: Vec<&Item> = items
            .iter()
            .filter(|it| it.first <= q && q <= it.last)
            .collect();
        let mut bits: Vec<u128> = covering.iter().map(|it| it.bit).collect();
        bits.sort();
        bits.dedup();
        let all = u.union(bits.iter().fold(0, |m, b| m | b));
        for i in 0..bits.len() {
            for j in i + 1..bits.len() {
                let (a, b) = (bits[i], bits[j]);
                let both = u.union(a | b);
                let da = u.union(a);
                let db = u.union(b);
                // Only where members chose both, and tighter than the period's bound.
                if both < da + db && both < all {
                    let vars = covering
                        .iter()
                        .filter(|it| it.bit == a || it.bit == b)
                        .map(|it| &it.var);
                    mip.add(sum(vars).leq(both as f64));
                }
            }
        }
    }
}

/// For each place L and periods qe < qs: the items ending at qe at L and the items
/// starting at qs too far from L to reach in time pairwise exclude each other for one
/// person, so for a set of people they hold at most cap(courses involved).
pub(super) fn travel_cliques(
    net: &Network,
    prep: &Prep,
    mip: &mut Mip,
    items: &[Item],
    cap: &dyn Fn(u128) -> f64,
) {
    let np = net.num_periods();
    let mut places: Vec<SchoolId> = items.iter().map(|it| it.place).collect();
    places.sort();
    places.dedup();
    if places.len() < 2 {
        return;
    }
    for qe in 0..np {
        let end: Minute = net.periods[qe].end;
        for &l in &places {
            let a: Vec<&Item> = items
                .iter()
                .filter(|it| it.last == qe && it.place == l)
                .collect();
            if a.is_empty() {
                continue;
            }
            for qs in qe + 1..np {
                let start = net.periods[qs].start;
                let b: Vec<&Item> = items
                    .iter()
                    .filter(|it| {
                        it.first == qs
                            && !matches!(prep.tt.get(l, it.place), Some(m) if end + m <= start)
                    })
                    .collect();
                if !b.is_empty() {
                    let mask = a.iter().chain(b.iter()).fold(0u128, |m, it| m | it.bit);
                    mip.add(sum(a.iter().chain(b.iter()).map(|it| &it.var)).leq(cap(mask)));
                }
            }
        }
    }
}

fn set_start(prep: &Prep, mip: &mut Mip, v: &Vars, plan: &Plan) {
    let net = prep.net;
    let mut unit_of = vec![usize::MAX; net.students.len()];
    for (k, u) in prep.units.iter().enumerate() {
        for s in &u.members {
            unit_of[s.idx()] = k;
        }
    }
    let mut vals: HashMap<Variable, f64> = HashMap::new();
    for g in &plan.groups {
        let Some(oi) = prep.offers.iter().position(|o| {
            o.course == g.course && o.host == g.school && o.first == g.first && o.mode == g.mode
        }) else {
            continue;
        };
        if let Some(&(_, var)) = v.g[oi].iter().find(|(r, _)| *r == g.room) {
            *vals.entry(var).or_default() += 1.0;
        }
        if let Some(&(_, var)) = v.w[oi].iter().find(|(t, _)| *t == g.teacher) {
            *vals.entry(var).or_default() += 1.0;
        }
        for s in &g.members {
            let k = unit_of[s.idx()];
            let list = match g.mode {
                Mode::InPerson => &v.x[oi],
                Mode::Distance => &v.xd[&(g.course.idx(), g.first)],
            };
            if let Some(&(_, var)) = list.iter().find(|(kk, _)| *kk == k) {
                *vals.entry(var).or_default() += 1.0;
            }
        }
    }
    for (var, val) in vals {
        mip.set_start(var, val);
    }
}

/// The stage-1 relaxation's proven upper bound on placements (its MIP dual bound when
/// the deadline comes, `inf` when it has none). `start`, a valid plan, is its MIP start.
/// The relaxation's proven dual bound, and whether it was solved to optimality.
pub fn bound(prep: &Prep, start: &Plan, settings: MipSettings) -> Result<(f64, bool), String> {
    let mut mip = Mip::new();
    let v = build(prep, &mut mip, Some(start));
    let obj = sum(&v.all_x);
    let r = mip.solve(obj, true, &settings, true)?;
    Ok((r.dual_bound, r.status == super::lp::MipStatus::Optimal))
}

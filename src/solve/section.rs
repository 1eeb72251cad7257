//! Stage 2: who sits where. With the groups fixed, every set of interchangeable
//! students (same home, wants and ranked admissible list) gets *patterns*: sets of at
//! most `wants` groups of distinct chosen courses whose day can be travelled. An
//! integer program picks how many students take each pattern; groups that cannot reach
//! their minimum close. This stage is exact for the groups it is given.

use std::collections::{BTreeMap, HashMap};

use good_lp::{Expression, Variable};

use crate::model::{CourseId, SchoolId, StudentId};
use crate::plan::{stays_compatible, Group, Mode, Plan, Stay};

use super::lp::{sum, Mip, MipSettings};
use super::prep::Prep;
use super::Weights;
use crate::plan::stay_alone_fits;

/// Most patterns kept per set of students (the first ones in a fixed order).
const MAX_PATTERNS: usize = 5000;

struct Section {
    home: SchoolId,
    wants: usize,
    ranked: Vec<CourseId>,
    members: Vec<StudentId>,
}

fn sections(prep: &Prep) -> Vec<Section> {
    let net = prep.net;
    let mut map: BTreeMap<(SchoolId, usize, Vec<CourseId>, bool), Vec<StudentId>> = BTreeMap::new();
    for (i, st) in net.students.iter().enumerate() {
        if prep.admissible[i].is_empty() || st.wants == 0 {
            continue;
        }
        let home_only = prep.is_homebound(StudentId::from(i));
        map.entry((st.school, st.wants, prep.admissible[i].clone(), home_only))
            .or_default()
            .push(StudentId::from(i));
    }
    map.into_iter()
        // Kept-at-home students have a section of their own (they may be at fewer places).
        .map(|((home, wants, ranked, _), members)| Section {
            home,
            wants,
            ranked,
            members,
        })
        .collect()
}

fn patterns(prep: &Prep, sec: &Section, slots: &[Group]) -> Vec<Vec<usize>> {
    let net = prep.net;
    let stay = |g: &Group| Stay {
        place: g.student_location(sec.home),
        start: g.start(net),
        end: g.end(net),
    };
    let cand: Vec<usize> = slots
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            sec.ranked.contains(&g.course)
                && stay_alone_fits(net, &prep.tt, sec.home, stay(g))
                && prep.may_be_at(sec.members[0], stay(g))
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    fn dfs(
        i: usize,
        cand: &[usize],
        cur: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
        ok: &dyn Fn(&[usize], usize) -> bool,
        wants: usize,
    ) {
        if out.len() >= MAX_PATTERNS {
            return;
        }
        for j in i..cand.len() {
            let g = cand[j];
            if ok(cur, g) {
                cur.push(g);
                out.push(cur.clone());
                if cur.len() < wants {
                    dfs(j + 1, cand, cur, out, ok, wants);
                }
                cur.pop();
            }
        }
    }
    let ok = |cur: &[usize], g: usize| {
        cur.iter().all(|&h| {
            slots[h].course != slots[g].course
                && stays_compatible(&prep.tt, stay(&slots[h]), stay(&slots[g]))
        })
    };
    dfs(0, &cand, &mut cur, &mut out, &ok, sec.wants);
    out
}

/// How many pattern columns stage 2 would have over `slots`, counted only until the
/// count passes `limit` (then some number above it).
pub fn columns(prep: &Prep, slots: &[Group], limit: usize) -> usize {
    let mut n = 0;
    for sec in sections(prep) {
        n += patterns(prep, &sec, slots).len();
        if n > limit {
            break;
        }
    }
    n
}

struct Model {
    y: Vec<Vec<(Vec<usize>, Variable)>>,
    open: Vec<Variable>,
    placements: Expression,
    secondary: Expression,
}

fn build(
    prep: &Prep,
    secs: &[Section],
    slots: &[Group],
    weights: &Weights,
    mip: &mut Mip,
) -> Model {
    let net = prep.net;
    let mut size: Vec<Expression> = vec![Expression::default(); slots.len()];
    let mut placements = Expression::default();
    let mut secondary = Expression::default();
    let mut y = Vec::with_capacity(secs.len());
    for sec in secs {
        let pats = patterns(prep, sec, slots);
        let n = sec.members.len() as f64;
        let mut vars = Vec::with_capacity(pats.len());
        for p in pats {
            let var = mip.int(n);
            let mut cost = 0.0;
            for &g in &p {
                size[g] += var;
                let slot = &slots[g];
                let rank = sec
                    .ranked
                    .iter()
                    .position(|&c| c == slot.course)
                    .unwrap_or(0);
                let rank_full = net.students[sec.members[0].idx()]
                    .rank_of(slot.course)
                    .unwrap_or(rank + 1) as f64;
                cost += weights.rank * (rank_full - 1.0);
                match slot.mode {
                    Mode::InPerson => {
                        cost += weights.student_minute
                            * 2.0
                            * prep.tt.get(sec.home, slot.school).unwrap_or(0) as f64
                    }
                    Mode::Distance => cost += weights.distance,
                }
            }
            placements += (p.len() as f64) * var;
            secondary += cost * var;
            vars.push((p, var));
        }
        if vars.len() > 1 {
            mip.add(sum(vars.iter().map(|(_, v)| v)).leq(n));
        }
        y.push(vars);
    }
    let mut opens = Vec::with_capacity(slots.len());
    for (g, slot) in slots.iter().enumerate() {
        let course = &net.courses[slot.course.idx()];
        let cap = match slot.mode {
            Mode::InPerson => course.max_group.min(net.rooms[slot.room.idx()].capacity),
            Mode::Distance => course.max_group,
        } as f64;
        let open = mip.bin();
        opens.push(open);
        let s = std::mem::take(&mut size[g]);
        mip.add((s.clone() - (course.min_group as f64) * open).geq(0.0));
        mip.add((s - cap * open).leq(0.0));
        let tt = prep
            .tt
            .get(net.teachers[slot.teacher.idx()].school, slot.school)
            .unwrap_or(0);
        secondary += (weights.teacher_minute * 2.0 * tt as f64 + weights.group) * open;
    }
    Model {
        y,
        open: opens,
        placements,
        secondary,
    }
}

/// Passes `start` (a valid plan over the same slots) to the MIP as its start.
fn set_start(mip: &mut Mip, secs: &[Section], slots: &[Group], m: &Model, start: &Plan) {
    let slot_of = |g: &Group| {
        slots.iter().position(|s| {
            (s.course, s.school, s.room, s.teacher, s.first, s.mode)
                == (g.course, g.school, g.room, g.teacher, g.first, g.mode)
        })
    };
    let mut of_student: BTreeMap<StudentId, Vec<usize>> = BTreeMap::new();
    for g in &start.groups {
        let Some(si) = slot_of(g) else { return };
        mip.set_start(m.open[si], 1.0);
        for &s in &g.members {
            of_student.entry(s).or_default().push(si);
        }
    }
    for (sec, vars) in secs.iter().zip(&m.y) {
        let index: HashMap<&[usize], Variable> =
            vars.iter().map(|(p, v)| (p.as_slice(), *v)).collect();
        let mut counts: HashMap<Variable, f64> = HashMap::new();
        for s in &sec.members {
            if let Some(set) = of_student.get_mut(s) {
                set.sort();
                if let Some(&v) = index.get(set.as_slice()) {
                    *counts.entry(v).or_default() += 1.0;
                }
            }
        }
        for (v, n) in counts {
            mip.set_start(v, n);
        }
    }
}

/// Seats students into `slots`; returns the plan (groups that stay empty are dropped)
/// and whether both phases were proven optimal. `start`, a valid plan over the same
/// slots, is the MIP start (a greedy seating is used when there is none).
pub fn section(
    prep: &Prep,
    slots: &[Group],
    start: Option<&Plan>,
    weights: &Weights,
    phase1: MipSettings,
    phase2: MipSettings,
) -> Result<(Plan, bool), String> {
    let secs = sections(prep);
    let mut mip = Mip::new();
    let m = build(prep, &secs, slots, weights, &mut mip);
    let seated;
    let start = match start {
        Some(p) => p,
        None => {
            seated = super::greedy::greedy_into(prep, slots);
            &seated
        }
    };
    set_start(&mut mip, &secs, slots, &m, start);
    let r1 = mip.solve(m.placements, true, &phase1, true)?;
    if r1.values.is_empty() {
        return Ok((Plan::default(), false));
    }
    let mut optimal = r1.status == super::lp::MipStatus::Optimal;
    let p1 = r1.objective.round();
    let mut best = r1;
    if phase2.seconds_left() > 0.5 {
        let mut mip2 = Mip::new();
        let m2 = build(prep, &secs, slots, weights, &mut mip2);
        mip2.set_start_all(&best.values);
        mip2.add(m2.placements.geq(p1));
        match mip2.solve(m2.secondary, false, &phase2, true) {
            Ok(r2) if !r2.values.is_empty() => {
                optimal &= r2.status == super::lp::MipStatus::Optimal;
                best = r2;
            }
            _ => optimal = false,
        }
    }
    let mut groups: Vec<Group> = slots.to_vec();
    for (sec, vars) in secs.iter().zip(&m.y) {
        let mut members = sec.members.iter();
        for (pat, var) in vars {
            for _ in 0..best.int(*var) {
                let Some(&s) = members.next() else { break };
                for &g in pat {
                    groups[g].members.push(s);
                }
            }
        }
    }
    groups.retain(|g| !g.members.is_empty());
    let mut plan = Plan { groups };
    plan.canonicalize();
    Ok((plan, optimal))
}

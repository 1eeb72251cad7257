//! The optimiser: greedy start → stage 1 (which groups open, proven bound) → stage 2
//! (who sits where, exact) → the better of that and the sectioned greedy plan.

pub mod greedy;
pub mod lp;
pub mod prep;
pub mod section;
pub mod stage1;

use std::time::{Duration, Instant};

use crate::model::Network;
use crate::plan::{Group, Plan};

use lp::MipSettings;
use prep::Prep;

/// Weights of the secondary objective (placements always come first).
#[derive(Clone, Copy, Debug)]
pub struct Weights {
    /// Per rank step below first choice, per placement.
    pub rank: f64,
    /// Per student minute of travel.
    pub student_minute: f64,
    /// Per teacher minute of travel.
    pub teacher_minute: f64,
    /// Per student placed in a distance group (distance learning is a fallback).
    pub distance: f64,
    /// Per opened group.
    pub group: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            rank: 100.0,
            student_minute: 1.0,
            teacher_minute: 1.0,
            distance: 30.0,
            group: 5.0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Wall-clock budget in seconds for the whole solve.
    pub time_limit: f64,
    pub threads: u32,
    pub weights: Weights,
    /// Print solver logs.
    pub verbose: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: 120.0,
            threads: 1,
            weights: Weights::default(),
            verbose: false,
        }
    }
}

/// How a solve ended (summary.json `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Placements equal the proven bound.
    Optimal,
    /// A valid plan, placements below the proven bound (or the bound not proven).
    Feasible,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
        }
    }
}

pub struct SolveOutcome {
    pub plan: Plan,
    pub status: Status,
    /// Proven upper bound on placements.
    pub bound: f64,
    pub greedy_placements: usize,
    pub solve_seconds: f64,
    /// What each stage did, for the log.
    pub notes: Vec<String>,
}

/// Plans the profile day of `net`.
pub fn solve(net: &Network, opts: &SolveOptions, progress: &dyn Fn(&str)) -> SolveOutcome {
    let t0 = Instant::now();
    let end = t0 + Duration::from_secs_f64(opts.time_limit.max(0.0));
    // A deadline `frac` of the way from now to the end.
    let left = |frac: f64| {
        let now = Instant::now();
        now + end
            .saturating_duration_since(now)
            .mul_f64(frac.clamp(0.0, 1.0))
    };
    let mut notes = Vec::new();
    progress("preparing students and candidate groups");
    let prep = Prep::new(net);
    notes.push(format!(
        "{} students in {} stage-1 units ({:?}), {} candidate groups",
        net.students.len(),
        prep.units.len(),
        prep.granularity,
        prep.offers.len()
    ));
    let settings = |deadline: Instant, abs_gap: f64| MipSettings {
        deadline,
        threads: opts.threads,
        abs_gap,
        rel_gap: 1e-4,
        verbose: opts.verbose,
    };
    progress("greedy plan");
    let greedy_plan = greedy::greedy(&prep);
    let greedy_placements = greedy_plan.placements();
    notes.push(format!("greedy: {greedy_placements} placements"));
    let mut candidates = vec![greedy_plan.clone()];
    let mut bound = prep.trivial_bound() as f64;
    // The greedy groups re-seated exactly: usually the biggest single gain, so first.
    progress("stage 2: seating students in the greedy groups");
    let greedy_slots = strip(&greedy_plan);
    seat(
        &prep,
        opts,
        "greedy groups",
        &greedy_slots,
        Some(&greedy_plan),
        settings(left(0.25), 0.999),
        settings(left(0.40), 1.0),
        &mut notes,
        &mut candidates,
    );
    progress("stage 1: which groups open");
    match stage1::solve(
        &prep,
        &greedy_plan,
        &opts.weights,
        settings(left(0.25), 0.999),
        // The whole-network model serves its bound; the re-timing below does the
        // fine work, so no second phase here.
        settings(left(0.0), 1.0),
    ) {
        Ok(s1) => {
            if s1.bound.is_finite() {
                bound = bound.min((s1.bound + 1e-6).floor());
            }
            notes.push(format!(
                "stage 1: {} placements, bound {}, {:?}, {} groups",
                s1.placements,
                bound,
                s1.status,
                s1.slots.len()
            ));
            if !s1.slots.is_empty() && !same_groups(&s1.slots, &greedy_slots) {
                progress("stage 2: seating students in the stage-1 groups");
                seat(
                    &prep,
                    opts,
                    "stage-1 groups",
                    &s1.slots,
                    None,
                    settings(left(0.25), 0.999),
                    settings(left(0.4), 1.0),
                    &mut notes,
                    &mut candidates,
                );
            }
        }
        Err(e) => notes.push(format!("stage 1 failed: {e}")),
    }
    let travel = |p: &Plan| crate::report::student_travel_minutes(net, &prep.tt, p);
    let key = |p: &Plan| {
        (
            std::cmp::Reverse(p.placements()),
            p.rank_sum(net),
            travel(p),
        )
    };
    let mut best = candidates.into_iter().min_by_key(key).unwrap_or_default();
    // Neighbourhood: keep the best plan's (course, host) pairs and let a finer model
    // re-time and re-staff them and re-seat every cohort exactly.
    if !best.groups.is_empty() {
        progress("re-timing the best plan's groups");
        let pairs: Vec<_> = best.groups.iter().map(|g| (g.course, g.school)).collect();
        let sub = prep.restricted(|o| pairs.contains(&(o.course, o.host)));
        let improved = stage1::solve(
            &sub,
            &best,
            &opts.weights,
            settings(left(0.25), 0.999),
            settings(left(0.5), 1.0),
        )
        .and_then(|s1| {
            section::section(
                &prep,
                &s1.slots,
                None,
                &opts.weights,
                settings(left(0.5), 0.999),
                settings(left(0.97), 1.0),
            )
        });
        match improved {
            Ok((plan, _)) => {
                notes.push(format!(
                    "re-timed ({} candidate groups, {:?} units): {} placements, rank sum {}",
                    sub.offers.len(),
                    sub.granularity,
                    plan.placements(),
                    plan.rank_sum(net)
                ));
                if key(&plan) < key(&best) {
                    best = plan;
                }
            }
            Err(e) => notes.push(format!("re-timing failed: {e}")),
        }
    }
    let plan = best;
    let status = if plan.placements() as f64 >= bound {
        Status::Optimal
    } else {
        Status::Feasible
    };
    SolveOutcome {
        plan,
        status,
        bound: bound.max(0.0),
        greedy_placements,
        solve_seconds: t0.elapsed().as_secs_f64(),
        notes,
    }
}

/// Stage 2 on one set of groups; the plan joins the candidates.
#[allow(clippy::too_many_arguments)]
fn seat(
    prep: &Prep,
    opts: &SolveOptions,
    what: &str,
    slots: &[Group],
    start: Option<&Plan>,
    phase1: MipSettings,
    phase2: MipSettings,
    notes: &mut Vec<String>,
    candidates: &mut Vec<Plan>,
) {
    match section::section(prep, slots, start, &opts.weights, phase1, phase2) {
        Ok((plan, optimal)) => {
            notes.push(format!(
                "stage 2 on {what}: {} placements, rank sum {}{}",
                plan.placements(),
                plan.rank_sum(prep.net),
                if optimal { " (optimal)" } else { "" }
            ));
            candidates.push(plan);
        }
        Err(e) => notes.push(format!("stage 2 on {what} failed: {e}")),
    }
}

/// Whether two lists hold the same groups (members aside), in any order.
fn same_groups(a: &[Group], b: &[Group]) -> bool {
    let key = |g: &Group| (g.course, g.school, g.room, g.teacher, g.first, g.mode);
    let mut ka: Vec<_> = a.iter().map(key).collect();
    let mut kb: Vec<_> = b.iter().map(key).collect();
    ka.sort();
    kb.sort();
    ka == kb
}

fn strip(plan: &Plan) -> Vec<Group> {
    plan.groups
        .iter()
        .map(|g| Group {
            members: Vec::new(),
            ..g.clone()
        })
        .collect()
}

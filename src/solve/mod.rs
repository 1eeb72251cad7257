//! The optimiser: greedy start → stage 1 (which groups open, proven bound) → stage 2
//! (who sits where, exact) → the better of that and the sectioned greedy plan.

pub mod greedy;
pub mod improve;
pub mod lp;
pub mod prep;
pub mod section;
pub mod stage1;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
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
    /// Set (by a Ctrl-C handler, say) to stop early with the best plan so far. A MIP
    /// stage that is running finishes first (at its share of the time limit).
    pub stop: Option<Arc<AtomicBool>>,
}

/// When a stage must stop: a deadline, or a stop flag set from outside.
#[derive(Clone, Debug)]
pub struct Limit {
    pub deadline: Instant,
    pub stop: Option<Arc<AtomicBool>>,
}

impl Limit {
    pub fn reached(&self) -> bool {
        Instant::now() >= self.deadline || self.stopped()
    }

    pub fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: 120.0,
            threads: 1,
            weights: Weights::default(),
            verbose: false,
            stop: None,
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
    /// The solve was stopped from outside (see [`SolveOptions::stop`]).
    pub interrupted: bool,
}

/// Plans the profile day of `net`.
///
/// 1. Four greedy plans (see [`greedy`]), each improved by local search ([`improve`]);
///    they run in parallel on `opts.threads` threads and the best is kept. Both steps
///    are deterministic, so the plan does not depend on the number of threads.
/// 2. Stage 2 ([`section`]) re-seats every student exactly in the best plan's groups
///    when that model is small enough to finish, and local search runs once more.
/// 3. The bound: every student's choices that some candidate group could serve them
///    ([`Prep::bound`]), tightened by the stage-1 relaxation ([`stage1`]) if time is
///    left.
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
        "{} students, {} candidate groups ({:.2} s)",
        net.students.len(),
        prep.offers.len(),
        t0.elapsed().as_secs_f64()
    ));
    progress("greedy plans and local search");
    let t1 = Instant::now();
    let ls_limit = Limit {
        deadline: left(0.6),
        stop: opts.stop.clone(),
    };
    let stopped = || ls_limit.stopped();
    // The greedy plans may use the whole time limit: without one there is no plan.
    let greedy_limit = Limit {
        deadline: end,
        stop: opts.stop.clone(),
    };
    // One thread: no pool at all, so that a solve inside another pool's worker (as in
    // solve-many) never waits on a pool and runs other work meanwhile.
    let pool = match opts.threads {
        0 | 1 => None,
        n => rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .ok(),
    };
    let variants = greedy::variants(starts(net.students.len()));
    let runs = par_map(pool.as_ref(), &variants, |&v| {
        let t = Instant::now();
        let g = greedy::greedy_variant(&prep, v, Some(&greedy_limit));
        let tg = t.elapsed().as_secs_f64();
        let (p, st) = improve::improve(&prep, &g, &ls_limit);
        (g, p, st, tg, t.elapsed().as_secs_f64() - tg)
    });
    let key = |p: &Plan| {
        (
            std::cmp::Reverse(p.placements()),
            p.rank_sum(net),
            crate::report::student_travel_minutes(net, &prep.tt, p),
        )
    };
    let greedy_placements = runs.iter().map(|r| r.0.placements()).max().unwrap_or(0);
    for (i, (g, p, st, tg, ts)) in runs.iter().enumerate().take(VARIANTS_NOTED) {
        notes.push(format!(
            "greedy {} ({tg:.2} s) → local search ({ts:.2} s): {} → {} placements, rank sum {} ({} seated, {} opened, {} moved, {} better ranks)",
            i + 1,
            g.placements(),
            p.placements(),
            p.rank_sum(net),
            st.inserted,
            st.opened,
            st.moved_groups,
            st.better_rank
        ));
    }
    if runs.len() > VARIANTS_NOTED {
        let more = &runs[VARIANTS_NOTED..];
        let lo = more.iter().map(|r| r.1.placements()).min().unwrap_or(0);
        let hi = more.iter().map(|r| r.1.placements()).max().unwrap_or(0);
        notes.push(format!(
            "{} more greedy starts with other tie orders → local search: {lo}–{hi} placements",
            more.len()
        ));
    }
    let mut best = runs
        .into_iter()
        .map(|r| r.1)
        .min_by_key(|p| key(p))
        .unwrap_or_default();
    notes.push(format!(
        "greedy and local search took {:.2} s",
        t1.elapsed().as_secs_f64()
    ));
    // Perturbation: drop a seeded tenth of the best plan's groups and let local search
    // rebuild; a fixed number of rounds, each a batch of tries in parallel.
    // Proven: per student, the choices some candidate group could serve them.
    let reachable_bound = prep.bound();
    let rounds = perturbation_rounds(net.students.len());
    if best.placements() < reachable_bound && rounds > 0 && !ls_limit.reached() {
        let t = Instant::now();
        let before = best.placements();
        let mut tried = 0;
        for round in 0..rounds {
            if ls_limit.reached() || best.placements() >= reachable_bound {
                break;
            }
            let seeds: Vec<u64> = (0..PERTURB_BATCH)
                .map(|i| (round * PERTURB_BATCH + i) as u64)
                .collect();
            let tries = par_map(pool.as_ref(), &seeds, |&seed| {
                let kicked = improve::without_some_groups(&best, seed);
                improve::improve(&prep, &kicked, &ls_limit).0
            });
            tried += tries.len();
            if let Some(p) = tries.into_iter().min_by_key(|p| key(p)) {
                if key(&p) < key(&best) {
                    best = p;
                }
            }
        }
        notes.push(format!(
            "perturbation ({tried} tries): {before} → {} placements, rank sum {} ({:.2} s)",
            best.placements(),
            best.rank_sum(net),
            t.elapsed().as_secs_f64()
        ));
    }
    if ls_limit.reached() && !stopped() {
        notes.push("local search stopped at the time limit: another run may differ".into());
    }
    let settings = |deadline: Instant, abs_gap: f64| MipSettings {
        deadline,
        threads: 1,
        abs_gap,
        rel_gap: 1e-4,
        verbose: opts.verbose,
    };
    let slots = strip(&best);
    if !slots.is_empty() && !stopped() && section::columns(&prep, &slots) <= SECTION_LIMIT {
        progress("stage 2: seating students exactly in the best groups");
        match section::section(
            &prep,
            &slots,
            Some(&best),
            &opts.weights,
            settings(left(0.4), 0.999),
            settings(left(0.6), 1.0),
        ) {
            Ok((plan, optimal)) => {
                let limit = Limit {
                    deadline: left(0.5),
                    stop: opts.stop.clone(),
                };
                let (plan, _) = improve::improve(&prep, &plan, &limit);
                notes.push(format!(
                    "stage 2 and local search: {} placements, rank sum {}{}",
                    plan.placements(),
                    plan.rank_sum(net),
                    if optimal {
                        ""
                    } else {
                        " (stage 2 stopped at its limit)"
                    }
                ));
                if key(&plan) < key(&best) {
                    best = plan;
                }
            }
            Err(e) => notes.push(format!("stage 2 failed: {e}")),
        }
    }
    let mut bound = reachable_bound as f64;
    notes.push(format!("bound from the reachable choices: {bound}"));
    if (best.placements() as f64) < bound && !stopped() && prep.unit_offer_pairs() <= STAGE1_LIMIT {
        progress("stage 1: proving a bound");
        let cap = Instant::now() + Duration::from_secs_f64(0.1 * opts.time_limit.max(0.0));
        match stage1::bound(&prep, &best, settings(left(0.9).min(cap), 0.999)) {
            Ok(b) if b.is_finite() => {
                bound = bound.min((b + 1e-6).floor());
                notes.push(format!("stage-1 relaxation: bound {bound}"));
            }
            Ok(_) => notes.push("stage-1 relaxation: no bound within the time limit".into()),
            Err(e) => notes.push(format!("stage 1 failed: {e}")),
        }
    }
    let interrupted = stopped();
    if interrupted {
        notes.push("interrupted: the plan is the best found until then".into());
    }
    let plan = best;
    bound = bound.max(plan.placements() as f64);
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
        interrupted,
    }
}

/// How many greedy starts (each improved by local search) a network of `students`
/// gets: 44 at 1,000 students or fewer, 4 from 40,000. A count, not a time, so that the
/// plan does not depend on the machine.
fn starts(students: usize) -> usize {
    4 + (40_000 / students.max(1)).min(40)
}

/// `f` over `items`, in parallel on `pool` or in order without one; the results come in
/// the items' order either way.
fn par_map<T: Sync, R: Send>(
    pool: Option<&rayon::ThreadPool>,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    match pool {
        Some(pool) => pool.install(|| {
            use rayon::prelude::*;
            items.par_iter().map(&f).collect()
        }),
        None => items.iter().map(f).collect(),
    }
}

/// Tries per perturbation round (run in parallel).
const PERTURB_BATCH: usize = 8;

/// Perturbation rounds for a network of `students`: 25 up to 1,000 students, fewer
/// above (3 at 8,000), none above 10,000, where one round costs tens of seconds.
fn perturbation_rounds(students: usize) -> usize {
    if students > 10_000 {
        0
    } else {
        (25_000 / students.max(1)).min(25)
    }
}

/// Stage 2 runs only below this many pattern columns (it must finish to be worth it).
const SECTION_LIMIT: usize = 20_000;

/// Stage 1 (for its bound) runs only below this many (unit, offer) pairs, for at most a
/// tenth of the time limit: on bigger networks its relaxation has not once been tighter
/// than [`Prep::bound`] in our measurements, and it costs the whole time limit.
const STAGE1_LIMIT: usize = 20_000;

/// Greedy starts listed one by one in the notes (the rest are summed up).
const VARIANTS_NOTED: usize = 4;

fn strip(plan: &Plan) -> Vec<Group> {
    plan.groups
        .iter()
        .map(|g| Group {
            members: Vec::new(),
            ..g.clone()
        })
        .collect()
}

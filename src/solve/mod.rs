//! The optimiser. [`solve`] runs, in order: greedy starts ([`greedy`]) each improved by
//! local search ([`improve`]) in parallel, perturbation rounds while placements are
//! below the bound, exact seating in the best plan's groups when its model is small
//! ([`section`], HiGHS through [`lp`]), the bound ([`prep::Prep::bound`], tightened by the
//! relaxation of [`stage1`] on small models), less travel for the same placements
//! ([`travel`]), and with vehicles the fleet rounds: the bus plan
//! ([`crate::plan::transport`]), searches along tracks that limit where students
//! travel, refills and a polish within the buses' rides. [`repair`] mends a published
//! plan after a change (`profnet replan`).
//!
//! Every search works on one [`state::PlanState`]: the plan under search with all its
//! indexes and its only mutations. The README's "How it optimises" tells each step.

pub mod greedy;
pub mod improve;
pub mod lp;
pub mod pins;
pub mod prep;
pub mod relax;
pub mod repair;
pub mod section;
pub mod stage1;
pub mod state;
pub mod travel;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::model::Network;
use crate::plan::{Group, Plan};

use lp::MipSettings;
use prep::Prep;

pub use crate::model::Weights;
pub use crate::plan::outcome::{BoundKind, SolveOutcome, Status};

#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Wall-clock budget in seconds for the whole solve.
    pub time_limit: f64,
    pub threads: u32,
    /// `None`: the bundle's `[weights]` (network.toml), else their defaults.
    pub weights: Option<Weights>,
    /// Print solver logs.
    pub verbose: bool,
    /// Equal access: raise the worst school's placement rate first (see
    /// [`travel::raise_worst_school`]), then placements.
    pub equity: bool,
    /// Set (by a Ctrl-C handler, say) to stop early with the best plan so far. A MIP
    /// stage that is running finishes first (at its share of the time limit).
    pub stop: Option<Arc<AtomicBool>>,
    /// A plan to start from besides the greedy ones (a re-plan's repair, the plan pins
    /// were taken from): local search improves it like the others, so the solve never
    /// places fewer than it (with its pins applied).
    pub start: Option<Plan>,
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
            weights: None,
            equity: false,
            verbose: false,
            stop: None,
            start: None,
        }
    }
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
    let weights = opts.weights.unwrap_or(net.tuning.weights);
    let mut notes = Vec::new();
    progress("preparing students and candidate groups");
    let mut prep = Prep::new(net);
    notes.push(format!(
        "{} students, {} candidate groups ({:.2} s)",
        net.students.len(),
        prep.offers.len(),
        t0.elapsed().as_secs_f64()
    ));
    let pool = match opts.threads {
        0 | 1 => None,
        n => rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .ok(),
    };
    let stop = Limit {
        deadline: end,
        stop: opts.stop.clone(),
    };
    let stopped = || stop.stopped();
    // Proven: per student, the choices some candidate group could serve them.
    let reachable_bound = prep.bound();
    // The compact relaxation proves a stronger bound on its own thread while the
    // search runs (see [`relax`]).
    let relaxation = (reachable_bound > 0
        && !stopped()
        && relax::estimated_variables(&prep) <= RELAX_MAX_VARIABLES)
        .then(|| {
            let t = Instant::now();
            let r = relax::build(&prep);
            notes.push(format!(
                "relaxation: {} variables, {} rows ({:.2} s)",
                r.size.0,
                r.size.1,
                t.elapsed().as_secs_f64()
            ));
            let settings = MipSettings {
                deadline: left(RELAX_SHARE),
                threads: 1,
                abs_gap: 0.999,
                rel_gap: 0.0,
                verbose: opts.verbose,
            };
            let watch = Arc::new(lp::Watch::new(opts.stop.clone(), Some(settings.deadline)));
            let w = watch.clone();
            (watch, std::thread::spawn(move || r.solve(settings, w)))
        });
    // With a fleet the search runs again in rounds (see below): the first gets a part
    // of the time.
    let search_end = if net.vehicles.is_empty() {
        end
    } else {
        left(0.3)
    };
    let (mut best, greedy_placements) = search(
        &prep,
        opts,
        pool.as_ref(),
        search_end,
        &weights,
        reachable_bound,
        false,
        &mut notes,
        progress,
    );
    if let Some((watch, _)) = &relaxation {
        // Once the relaxation proves this plan optimal it may stop.
        watch.set_target(best.placements() as f64);
    }
    let mut bound = reachable_bound as f64;
    let mut bound_kind = BoundKind::ReachableChoices;
    notes.push(format!("bound from the reachable choices: {bound}"));
    if (best.placements() as f64) < bound && !stopped() && prep.unit_offer_pairs() <= STAGE1_LIMIT {
        progress("stage 1: proving a bound");
        let cap = Instant::now() + Duration::from_secs_f64(0.1 * opts.time_limit.max(0.0));
        let settings = MipSettings {
            deadline: left(0.9).min(cap),
            threads: 1,
            abs_gap: 0.999,
            rel_gap: 1e-4,
            verbose: opts.verbose,
        };
        match stage1::bound(&prep, &best, settings) {
            Ok((b, optimal)) if b.is_finite() => {
                let b = (b + 1e-6).floor();
                if b < bound {
                    bound = b;
                    bound_kind = if optimal {
                        BoundKind::RelaxationOptimal
                    } else {
                        BoundKind::RelaxationAtLimit
                    };
                }
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
    if opts.equity && !stopped() {
        progress("equal access: raising the worst school's placement rate");
        let limit = Limit {
            deadline: left(0.7),
            stop: opts.stop.clone(),
        };
        let before = crate::plan::routes::kpis(net, &prep.tt, &best);
        let raised = travel::raise_worst_school(&prep, &best, &limit);
        // Students who gave up a seat may find another.
        let (raised, _) = improve::improve(&prep, &raised, &limit);
        let after = crate::plan::routes::kpis(net, &prep.tt, &raised);
        notes.push(format!(
            "equal access: worst school's placement rate {:.1}% → {:.1}%, placements {} → {}",
            100.0 * before.worst_school_placement_rate,
            100.0 * after.worst_school_placement_rate,
            before.placements,
            after.placements
        ));
        if pins::breaks(net, &raised) <= pins::breaks(net, &best) {
            best = raised;
        }
    }
    if !stopped() {
        progress("less travel for the same placements");
        let t = Instant::now();
        let before = crate::plan::routes::kpis(net, &prep.tt, &best);
        let limit = Limit {
            deadline: left(0.8),
            stop: opts.stop.clone(),
        };
        let less = travel::reduce_travel(&prep, &best, &weights, &limit);
        if pins::breaks(net, &less) <= pins::breaks(net, &best) {
            best = less;
        }
        let after = crate::plan::routes::kpis(net, &prep.tt, &best);
        notes.push(format!(
            "less travel: students {} → {} min, teachers {} → {} min ({:.2} s)",
            before.student_travel_minutes,
            after.student_travel_minutes,
            before.teacher_travel_minutes,
            after.teacher_travel_minutes,
            t.elapsed().as_secs_f64()
        ));
    }
    // With a fleet, every student leg must ride a bus (rule 8).
    let (plan, fleet) = if net.vehicles.is_empty() {
        (best, None)
    } else {
        let fit = fleet_rounds(
            &mut prep,
            best,
            reachable_bound,
            opts,
            pool.as_ref(),
            end,
            &weights,
            &mut notes,
            progress,
        );
        (fit.plan.clone(), Some(fit))
    };
    if let Some((watch, handle)) = relaxation {
        let placed = plan.placements() as f64;
        watch.set_target(placed);
        // Already proven by the reachable choices (or stage 1): the relaxation has
        // nothing to add and is left to stop on its own. Otherwise it runs until it
        // proves the plan optimal, solves to the end, or meets the time limit.
        let proven = bound <= placed;
        if proven {
            watch.stop();
        } else {
            progress("proving the bound");
            // HiGHS looks at its clock only now and then: past the time limit, take
            // the best dual bound it has reported and leave it to stop on its own.
            // It also stops once its bound has not moved by a whole placement for
            // a while ([`RELAX_STALL`]): the planner gets the plan, not a wait.
            let stall = Duration::from_secs_f64(
                (RELAX_STALL * opts.time_limit.max(0.0)).max(RELAX_STALL_MIN),
            );
            let (mut last, mut moved) = (watch.dual_bound().floor(), Instant::now());
            while !handle.is_finished() && Instant::now() < end && !stopped() {
                std::thread::sleep(Duration::from_millis(10));
                let b = watch.dual_bound().floor();
                if b < last {
                    (last, moved) = (b, Instant::now());
                } else if last.is_finite() && moved.elapsed() >= stall {
                    break;
                }
            }
        }
        let result = if proven {
            Ok(Ok(relax::Proof {
                bound: f64::INFINITY,
                optimal: false,
                seconds: 0.0,
            }))
        } else if handle.is_finished() {
            handle.join()
        } else {
            watch.stop();
            Ok(Ok(relax::Proof {
                bound: watch.dual_bound(),
                optimal: false,
                seconds: t0.elapsed().as_secs_f64(),
            }))
        };
        match result {
            Ok(Ok(proof)) if proof.bound.is_finite() => {
                let b = (proof.bound + 1e-6).floor();
                let (kind, how) = if proof.optimal {
                    (BoundKind::RelaxationOptimal, "solved to the end")
                } else if b <= placed {
                    (
                        BoundKind::RelaxationOptimal,
                        "stopped once it proved the plan optimal",
                    )
                } else if stopped() {
                    (
                        BoundKind::ReachableChoices,
                        "interrupted, its bound not used",
                    )
                } else {
                    (
                        BoundKind::RelaxationAtLimit,
                        "stopped at its time limit or once its bound stopped improving",
                    )
                };
                notes.push(format!(
                    "compact relaxation: bound {b}, {how} ({:.2} s)",
                    proof.seconds
                ));
                if b < bound && kind != BoundKind::ReachableChoices {
                    bound = b;
                    bound_kind = kind;
                }
            }
            Ok(Ok(_)) if proven => {
                notes.push("compact relaxation: not needed, the plan is proven optimal".into())
            }
            Ok(Ok(_)) => notes.push("compact relaxation: no bound before it stopped".into()),
            Ok(Err(e)) => notes.push(format!("compact relaxation failed: {e}")),
            Err(_) => notes.push("compact relaxation failed".into()),
        }
    }
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
        bound_kind,
        greedy_placements,
        solve_seconds: t0.elapsed().as_secs_f64(),
        notes,
        interrupted,
        fleet,
    }
}

/// Tracks of fleet rounds with students travelling to the busiest host only (2: also
/// one to the two busiest, …; it never won on the fleet benchmark once the searches ran
/// to their end), then one where each school's students go to their own busiest host,
/// and one without restriction.
const HUB_TRACKS: usize = 1;

/// Tracks that keep each school's students at its busiest host within this many
/// periods.
const WINDOW_TRACKS: [usize; 2] = [2, 3];

/// Greedy starts in the lighter searches of the fleet rounds.
const LIGHT_STARTS: usize = 8;

/// Polish steps within the rides of each student's school (after one within their
/// own), each with the students the last one's buses dropped kept to their own rides.
const POLISH_SHARED: usize = 20;

/// At most this many tracks' best carried plans are polished, best first (all of them:
/// on rural seed 6 the best polish started from the plan of the track without limits,
/// the sixth).
const POLISH_STARTS: usize = 8;

/// Rounds of search against the fleet per track, at most this many after the first
/// (later rounds seldom carried more on the fleet benchmark).
const FLEET_ROUNDS: usize = 1;

/// Makes `first` a plan the fleet carries (rule 8), then searches again along
/// [`tracks`]: each limits where (and when) students may travel, so that each village's
/// bus runs few ways, full. A track searches twice (light and full, see below) and the
/// fleet carries what it can of each; then rounds follow: students who lost a placement
/// for want of a bus seat stay at home (their home school or distance groups only) in
/// the next round, so that the search seats them there, with travelling teachers, and
/// gives the seats to others. Then a track takes each school's limits from the track
/// that carried most of its students' placements ([`mixed_track`]), and a last one,
/// without limits, starts from `first`. Rounds stop when nobody lost a seat, at the
/// time limit, or after [`FLEET_ROUNDS`]. Last, each track's best carried plan is
/// polished: local search in which everyone travels only as that plan's buses carry
/// them ([`ridden_waves`]), then within the rides of their school's students. The best
/// carried plan (most placements, then least weighted cost) is kept.
#[allow(clippy::too_many_arguments)]
fn fleet_rounds(
    prep: &mut Prep,
    first: Plan,
    reachable_bound: usize,
    opts: &SolveOptions,
    pool: Option<&rayon::ThreadPool>,
    end: Instant,
    weights: &Weights,
    notes: &mut Vec<String>,
    progress: &dyn Fn(&str),
) -> crate::plan::transport::FleetFit {
    let net = prep.net;
    let t = Instant::now();
    progress("bus trips");
    let before = first.placements();
    let limit = |deadline: Instant| Limit {
        deadline,
        stop: opts.stop.clone(),
    };
    let fit_one = |prep: &Prep, plan: Plan, deadline: Instant| {
        let fit = crate::plan::transport::fit_fleet(net, &prep.tt, plan);
        if fit.dropped.is_empty() {
            return fit;
        }
        let carried = |p: &Plan| {
            crate::plan::transport::build(net, &prep.tt, &p.student_stays(net))
                .shortages
                .is_empty()
        };
        let refilled = travel::refill(
            prep,
            &fit.plan,
            &limit(deadline),
            REFILL_BUS_TRIES,
            &carried,
        );
        let again = crate::plan::transport::fit_fleet(net, &prep.tt, refilled);
        carried_over(fit, again)
    };
    let cost = |f: &crate::plan::transport::FleetFit| {
        let k = crate::plan::routes::kpis_with(net, &prep.tt, &f.plan, Some(&f.transport));
        (
            pins::breaks(net, &f.plan),
            std::cmp::Reverse(f.plan.placements()),
            (weights.rank * k.rank_sum as f64
                + weights.student_minute * k.student_travel_minutes as f64
                + weights.teacher_minute * k.teacher_travel_minutes as f64
                + weights.vehicle_minute * k.vehicle_minutes as f64)
                .round() as i64,
        )
    };
    // Tracks, the best wins: the limited ones of [`tracks`], then (`None`) anywhere,
    // starting from `first` as the fleet carries it. Each keeps, round by round, the
    // students the buses dropped at home.
    let mut tracks: Vec<Option<Track>> = tracks(net, &first).into_iter().map(Some).collect();
    tracks.push(None);
    let first_fit = fit_one(prep, first, end);
    let mut best = first_fit.clone();
    let mut best_cost = cost(&best);
    let mut best_homebound: Vec<bool> = Vec::new();
    let mut rounds = 0;
    let stopped = || {
        opts.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
            || Instant::now() >= end
    };
    // A search, then less travel. The light one has fewer starts, no perturbation and
    // no stage 2; the full one is the search of step 1. Under a track's limits the
    // full one finds more placements, but the buses sometimes carry more of the light
    // one's plan: a track tries both.
    let search_then_less_travel = |prep: &Prep, full: bool, end: Instant| {
        let mut scratch = Vec::new();
        let (plan, _) = search(
            prep,
            opts,
            pool,
            end,
            weights,
            if full { reachable_bound } else { 0 },
            !full,
            &mut scratch,
            &|_| {},
        );
        travel::reduce_travel(prep, &plan, weights, &limit(end))
    };
    // Each search runs to its end (its starts and perturbation rounds are fixed), so
    // that the plan does not depend on the machine unless the time limit comes first.
    // Per limited track run so far: its index and its best carried plan's placements
    // per home school.
    let mut by_school: Vec<(usize, Vec<usize>)> = Vec::new();
    // Each track's best carried plan, to polish.
    let mut candidates: Vec<crate::plan::transport::FleetFit> = Vec::new();
    let mut mixed = false;
    let mut ti = 0;
    while ti < tracks.len() {
        if stopped() {
            break;
        }
        // Before the track without limits: each school's limits from the track that
        // carried most of its students' placements, if they differ.
        if tracks[ti].is_none() && !mixed {
            mixed = true;
            if let Some(m) = mixed_track(net, &tracks, &by_school) {
                tracks.insert(ti, Some(m));
            }
        }
        let track = &tracks[ti];
        ti += 1;
        let (mut round_fit, full) = match track {
            Some(Track { label, hubs, waves }) => {
                prep.hubs = hubs.clone();
                prep.waves = net
                    .students
                    .iter()
                    .map(|st| waves.get(st.school.idx()).cloned().unwrap_or_default())
                    .collect();
                prep.homebound.clear();
                let mut fits: Vec<(crate::plan::transport::FleetFit, bool)> = Vec::new();
                for full in [false, true] {
                    if stopped() {
                        break;
                    }
                    let t_round = Instant::now();
                    let plan = search_then_less_travel(prep, full, end);
                    let found = plan.placements();
                    let fit = fit_one(prep, plan, end);
                    notes.push(format!(
                        "fleet: travel to {label} only, {} search: {found} placements, {} carried ({:.2} s)",
                        if full { "full" } else { "light" },
                        fit.plan.placements(),
                        t_round.elapsed().as_secs_f64()
                    ));
                    let c = cost(&fit);
                    if c < best_cost {
                        best = fit.clone();
                        best_cost = c;
                        best_homebound.clear();
                    }
                    fits.push((fit, full));
                }
                let Some(better) = fits.into_iter().min_by_key(|f| cost(&f.0)) else {
                    break;
                };
                better
            }
            None => {
                prep.hubs.clear();
                prep.waves.clear();
                (first_fit.clone(), false)
            }
        };
        let mut track_best = round_fit.clone();
        let mut track_best_cost = cost(&track_best);
        let mut homebound = vec![false; net.students.len()];
        for round in 0..FLEET_ROUNDS {
            if stopped() {
                break;
            }
            let mut newly = 0;
            for d in &round_fit.dropped {
                if !homebound[d.student.idx()] {
                    homebound[d.student.idx()] = true;
                    newly += 1;
                }
            }
            if newly == 0 {
                break;
            }
            rounds += 1;
            let t_round = Instant::now();
            progress("search again with students the buses cannot carry kept at home");
            prep.homebound = homebound.clone();
            let plan = search_then_less_travel(prep, full, end);
            let searched = t_round.elapsed().as_secs_f64();
            let found = plan.placements();
            round_fit = fit_one(prep, plan, end);
            notes.push(format!(
                "fleet: {}round {}: {} students kept at home; search {found} placements ({searched:.2} s), {} carried ({:.2} s)",
                if track.is_some() { "hubs " } else { "" },
                round + 1,
                homebound.iter().filter(|&&h| h).count(),
                round_fit.plan.placements(),
                t_round.elapsed().as_secs_f64() - searched
            ));
            let c = cost(&round_fit);
            if c < track_best_cost {
                track_best = round_fit.clone();
                track_best_cost = c;
            }
            if c < best_cost {
                best = round_fit.clone();
                best_cost = c;
                best_homebound = homebound.clone();
            }
        }
        candidates.push(track_best.clone());
        if track.is_some() {
            let mut placed = vec![0usize; net.schools.len()];
            for g in &track_best.plan.groups {
                for m in &g.members {
                    placed[net.students[m.idx()].school.idx()] += 1;
                }
            }
            by_school.push((ti - 1, placed));
        }
    }
    // Polish: everyone may travel only as the plan's buses carry them (to the same
    // host, from the bus's arrival to its departure back) and nobody else, so that the
    // local search seats more without asking the buses for more seats. Then every
    // student may join the rides of their school's students: spare seats on the trips
    // that run anyway.
    // Students a shared polish seated where the buses then had no seat for them keep
    // to their own rides in the next one. The polish starts from the best carried plans
    // of the tracks, best first.
    candidates.sort_by_cached_key(|f| cost(f));
    candidates.truncate(POLISH_STARTS);
    for (ci, start) in candidates.into_iter().enumerate() {
        let mut current_cost = cost(&start);
        let mut current = start;
        let mut own_only = vec![false; net.students.len()];
        for step in 0..1 + POLISH_SHARED {
            if stopped() {
                break;
            }
            let shared = step > 0;
            let t_round = Instant::now();
            let (mut homebound, mut waves) = ridden_waves(net, &current.transport);
            if shared {
                share_rides(net, &mut waves, &mut homebound, &own_only);
            }
            prep.hubs.clear();
            prep.homebound = homebound;
            prep.waves = waves;
            let (plan, _) = improve::improve(prep, &current.plan, &limit(end));
            let found = plan.placements();
            let fit = fit_one(prep, plan, end);
            notes.push(format!(
                "fleet: polish {} within the {} bus rides: {found} placements, {} carried ({:.2} s)",
                ci + 1,
                if shared { "school's" } else { "students' own" },
                fit.plan.placements(),
                t_round.elapsed().as_secs_f64()
            ));
            let mut newly = 0;
            for d in &fit.dropped {
                if !own_only[d.student.idx()] {
                    own_only[d.student.idx()] = true;
                    newly += 1;
                }
            }
            let c = cost(&fit);
            let better = c < current_cost;
            if better {
                current = carried_over(current, fit);
                current_cost = c;
            }
            if shared && newly == 0 && !better {
                break;
            }
        }
        if current_cost < best_cost {
            best = current;
            best_cost = current_cost;
        }
    }
    prep.homebound.clear();
    prep.hubs.clear();
    prep.waves.clear();
    let homebound = best_homebound;
    best.homebound = homebound
        .iter()
        .enumerate()
        .filter(|(_, &h)| h)
        .map(|(s, _)| crate::model::StudentId::from(s))
        .collect();
    notes.push(format!(
        "bus trips: {} trips on {} vehicles, {} vehicle minutes; {} placements carried of {before} before the fleet, after {rounds} more round(s) of search with {} students kept at home ({:.2} s)",
        best.transport.trips.len(),
        best.transport.vehicles_used(),
        best.transport.vehicle_minutes(),
        best.plan.placements(),
        best.homebound.len(),
        t.elapsed().as_secs_f64()
    ));
    best
}

/// Gives every student but those `own_only` the rides (`waves`, see [`ridden_waves`])
/// of all students of their school; a student stays at home only if nobody of their
/// school rides.
fn share_rides(
    net: &Network,
    waves: &mut [Vec<prep::Wave>],
    homebound: &mut [bool],
    own_only: &[bool],
) {
    let mut of_school: Vec<Vec<prep::Wave>> = vec![Vec::new(); net.schools.len()];
    for (s, st) in net.students.iter().enumerate() {
        for &w in &waves[s] {
            if !of_school[st.school.idx()].contains(&w) {
                of_school[st.school.idx()].push(w);
            }
        }
    }
    for (s, st) in net.students.iter().enumerate() {
        if !own_only[s] {
            waves[s] = of_school[st.school.idx()].clone();
            homebound[s] = waves[s].is_empty();
        }
    }
}

/// A track that takes for each school the limits of the track in `by_school` (index in
/// `tracks`, placements per home school) that carried most of its students'
/// placements; `None` when one track wins everywhere.
fn mixed_track(
    net: &Network,
    tracks: &[Option<Track>],
    by_school: &[(usize, Vec<usize>)],
) -> Option<Track> {
    let ns = net.schools.len();
    let pick: Vec<usize> = (0..ns)
        .map(|h| {
            by_school
                .iter()
                .max_by_key(|(t, placed)| (placed[h], std::cmp::Reverse(*t)))
                .map_or(0, |(t, _)| *t)
        })
        .collect();
    if pick.iter().all(|&t| t == pick[0]) {
        return None;
    }
    let mut hubs = Vec::with_capacity(ns);
    let mut waves = Vec::with_capacity(ns);
    for (h, &t) in pick.iter().enumerate() {
        let track = tracks[t].as_ref()?;
        hubs.push(track.hubs.get(h).cloned().unwrap_or_else(|| vec![true; ns]));
        waves.push(track.waves.get(h).cloned().unwrap_or_default());
    }
    Some(Track {
        label: "each school's best of the tracks before".into(),
        hubs,
        waves,
    })
}

/// `later`, a fit of a plan made from `earlier`'s, with what `earlier` could not carry
/// still reported: its shortages, and the choices it dropped that `later` does not
/// seat.
fn carried_over(
    mut earlier: crate::plan::transport::FleetFit,
    mut later: crate::plan::transport::FleetFit,
) -> crate::plan::transport::FleetFit {
    later
        .shortages
        .splice(0..0, std::mem::take(&mut earlier.shortages));
    let seated: std::collections::HashSet<(crate::model::StudentId, crate::model::CourseId)> =
        later
            .plan
            .groups
            .iter()
            .flat_map(|g| g.members.iter().map(move |&s| (s, g.course)))
            .collect();
    let mut dropped: Vec<_> = earlier
        .dropped
        .into_iter()
        .filter(|d| !seated.contains(&(d.student, d.course)))
        .collect();
    dropped.append(&mut later.dropped);
    later.dropped = dropped;
    // A shortage stays reported while one of its students still lacks a choice for it;
    // the same one met twice is reported once.
    let lacking: std::collections::HashSet<crate::model::StudentId> =
        later.dropped.iter().map(|d| d.student).collect();
    let mut seen = std::collections::HashSet::new();
    later.shortages.retain(|sh| {
        sh.students.iter().any(|s| lacking.contains(s))
            && seen.insert((sh.from, sh.to, sh.ready, sh.due, sh.students.clone()))
    });
    later
}

/// Per student, whether they ride no bus in `transport`, and the waves of their rides:
/// at each host from the bus's arrival to the departure of the one that takes them on.
fn ridden_waves(
    net: &Network,
    transport: &crate::plan::transport::Transport,
) -> (Vec<bool>, Vec<Vec<prep::Wave>>) {
    let n = net.students.len();
    let mut homebound = vec![true; n];
    let mut waves = vec![Vec::new(); n];
    let mut arrived: Vec<crate::model::Minute> = vec![net.day_start; n];
    for (q, ride) in transport.requests.iter().zip(&transport.rides) {
        let s = q.student.idx();
        let Some(ride) = ride else {
            continue;
        };
        homebound[s] = false;
        if q.from != net.students[s].school {
            waves[s].push(prep::Wave {
                host: q.from,
                from: arrived[s],
                to: ride.depart,
            });
        }
        arrived[s] = ride.arrive;
    }
    (homebound, waves)
}

/// Limits on where (and when) students may travel for one track of the fleet rounds.
struct Track {
    label: String,
    /// Per home school, the schools its students may travel to.
    hubs: Vec<Vec<bool>>,
    /// Per home school, when and where its students may be away (empty: any time).
    waves: Vec<Vec<prep::Wave>>,
}

/// The tracks of the fleet rounds, from where students travel in `first` (the plan
/// without a fleet): everyone to the busiest host only, to the two busiest; each
/// school's students to their own busiest host, at any time and within the runs of
/// [`WINDOW_TRACKS`] periods in which they were there most.
fn tracks(net: &Network, first: &Plan) -> Vec<Track> {
    let ns = net.schools.len();
    let in_person = || {
        first
            .groups
            .iter()
            .filter(|g| g.mode == crate::plan::Mode::InPerson)
    };
    // visits[home][host]: students of `home` in groups at `host`.
    let mut visits = vec![vec![0usize; ns]; ns];
    for g in in_person() {
        for m in &g.members {
            let h = net.students[m.idx()].school;
            if h != g.school {
                visits[h.idx()][g.school.idx()] += 1;
            }
        }
    }
    let visitors: Vec<usize> = (0..ns)
        .map(|x| (0..ns).map(|h| visits[h][x]).sum())
        .collect();
    let mut by_visitors: Vec<usize> = (0..ns).filter(|&i| visitors[i] > 0).collect();
    by_visitors.sort_by_key(|&i| (std::cmp::Reverse(visitors[i]), i));
    let mut out: Vec<Track> = (1..=HUB_TRACKS.min(by_visitors.len()))
        .map(|k| Track {
            label: by_visitors[..k]
                .iter()
                .map(|&h| net.schools[h].id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            hubs: vec![(0..ns).map(|i| by_visitors[..k].contains(&i)).collect(); ns],
            waves: Vec::new(),
        })
        .collect();
    if by_visitors.is_empty() {
        return out;
    }
    // (Each school's two busiest hosts added nothing on the fleet benchmark.)
    let top: Vec<Option<usize>> = (0..ns)
        .map(|h| {
            (0..ns)
                .filter(|&x| visits[h][x] > 0)
                .max_by_key(|&x| (visits[h][x], std::cmp::Reverse(x)))
        })
        .collect();
    let own: Vec<Vec<bool>> = (0..ns)
        .map(|h| (0..ns).map(|x| Some(x) == top[h]).collect())
        .collect();
    out.push(Track {
        label: "each school's own busiest host".into(),
        hubs: own.clone(),
        waves: Vec::new(),
    });
    // The same, away only within the run of `k` periods in which the school's students
    // had the most stays there that fit in it: the bus runs out once and back once.
    let np = net.periods.len();
    let mut stays = vec![Vec::new(); ns];
    for g in in_person() {
        for m in &g.members {
            let h = net.students[m.idx()].school.idx();
            if h != g.school.idx() {
                stays[h].push((g.school, g.periods(net)));
            }
        }
    }
    for k in WINDOW_TRACKS.into_iter().filter(|&k| k < np) {
        let waves = (0..ns)
            .map(|h| {
                let Some(x) = top[h] else {
                    return Vec::new();
                };
                let host = crate::model::SchoolId::from(x);
                let fits = |a: usize| {
                    stays[h]
                        .iter()
                        .filter(|(y, p)| *y == host && a <= p.start && p.end <= a + k)
                        .count()
                };
                (0..=np - k)
                    .filter(|&a| fits(a) > 0)
                    .max_by_key(|&a| (fits(a), std::cmp::Reverse(a)))
                    .map(|a| {
                        vec![prep::Wave {
                            host,
                            from: net.periods[a].start,
                            to: net.periods[a + k - 1].end,
                        }]
                    })
                    .unwrap_or_default()
            })
            .collect();
        out.push(Track {
            label: format!("each school's own busiest host within {k} periods"),
            hubs: own.clone(),
            waves,
        });
    }
    out
}

/// How many seatings that need a bus [`travel::refill`] may try (each rebuilds the bus
/// plan).
const REFILL_BUS_TRIES: usize = 400;

/// Greedy starts, local search, perturbation and stage 2 (steps 1–2 of [`solve`])
/// until `end`: the best plan and the best greedy plan's placements.
#[allow(clippy::too_many_arguments)]
fn search(
    prep: &Prep,
    opts: &SolveOptions,
    pool: Option<&rayon::ThreadPool>,
    end: Instant,
    weights: &Weights,
    reachable_bound: usize,
    light: bool,
    notes: &mut Vec<String>,
    progress: &dyn Fn(&str),
) -> (Plan, usize) {
    let net = prep.net;
    let left = |frac: f64| {
        let now = Instant::now();
        now + end
            .saturating_duration_since(now)
            .mul_f64(frac.clamp(0.0, 1.0))
    };
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
    let n_starts = starts(net.students.len());
    let variants = greedy::variants(if light {
        n_starts.min(LIGHT_STARTS)
    } else {
        n_starts
    });
    let runs = par_map(pool, &variants, |&v| {
        let t = Instant::now();
        let g = greedy::greedy_variant(prep, v, Some(&greedy_limit));
        let tg = t.elapsed().as_secs_f64();
        let (p, st) = improve::improve(prep, &g, &ls_limit);
        (g, p, st, tg, t.elapsed().as_secs_f64() - tg)
    });
    let key = |p: &Plan| {
        (
            pins::breaks(net, p),
            std::cmp::Reverse(p.placements()),
            p.rank_sum(net),
            crate::plan::routes::student_travel_minutes(net, &prep.tt, p),
        )
    };
    let greedy_placements = runs.iter().map(|r| r.0.placements()).max().unwrap_or(0);
    let started = opts.start.as_ref().map(|p| {
        let (improved, _) = improve::improve(prep, p, &ls_limit);
        notes.push(format!(
            "start plan → local search: {} → {} placements",
            p.placements(),
            improved.placements()
        ));
        improved
    });
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
        .chain(started)
        .min_by_key(|p| key(p))
        .unwrap_or_default();
    notes.push(format!(
        "greedy and local search took {:.2} s",
        t1.elapsed().as_secs_f64()
    ));
    // Perturbation: drop a seeded tenth of the best plan's groups and let local search
    // rebuild; a fixed number of rounds, each a batch of tries in parallel.
    let rounds = if light {
        0
    } else {
        perturbation_rounds(net.students.len())
    };
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
            let tries = par_map(pool, &seeds, |&seed| {
                let kicked = improve::without_some_groups(&best, seed);
                improve::improve(prep, &kicked, &ls_limit).0
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
    if !light
        && !slots.is_empty()
        && !stopped()
        && section::columns(prep, &slots, SECTION_LIMIT) <= SECTION_LIMIT
    {
        progress("stage 2: seating students exactly in the best groups");
        match section::section(
            prep,
            &slots,
            Some(&best),
            weights,
            settings(left(0.4), 0.999),
            settings(left(0.6), 1.0),
        ) {
            Ok((plan, optimal)) => {
                let limit = Limit {
                    deadline: left(0.5),
                    stop: opts.stop.clone(),
                };
                let (plan, _) = improve::improve(prep, &plan, &limit);
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
    (best, greedy_placements)
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

/// The share of the time limit the compact relaxation may take.
const RELAX_SHARE: f64 = 0.85;

/// Above this many variables (roughly, [`relax::estimated_variables`]) the relaxation is
/// not built: its root LP does not finish in a usual time limit (a 3,000-student scarce
/// district has about 47,000 and sometimes does not; a 6,000-student city 400,000).
const RELAX_MAX_VARIABLES: usize = 100_000;

/// Once the plan is done, the relaxation stops when its bound has not improved for this
/// share of the time limit (at least [`RELAX_STALL_MIN`] seconds).
const RELAX_STALL: f64 = 0.1;
const RELAX_STALL_MIN: f64 = 5.0;

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

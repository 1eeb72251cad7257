//! A thin layer over good_lp + HiGHS: build a MIP, pass a start, solve within a time
//! limit, and read back values, status and the proven dual bound.

use good_lp::solvers::highs::highs;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use good_lp::{variable, Constraint, Expression, ProblemVariables, SolverModel, Variable};

/// How a MIP solve ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MipStatus {
    /// Proven optimal (within the gap tolerances set).
    Optimal,
    /// A feasible solution at a limit (time).
    Feasible,
    /// No feasible solution exists.
    Infeasible,
    /// Stopped at a limit without any feasible solution.
    NoSolution,
}

pub struct MipResult {
    pub status: MipStatus,
    index: HashMap<Variable, usize>,
    /// Values of every variable (empty when there is no solution).
    pub values: Vec<f64>,
    pub objective: f64,
    /// A proven bound on the objective (upper for maximisation).
    pub dual_bound: f64,
}

impl MipResult {
    pub fn value(&self, v: Variable) -> f64 {
        self.values[self.index[&v]]
    }

    pub fn int(&self, v: Variable) -> u32 {
        self.value(v).round().max(0.0) as u32
    }
}

/// A mixed-integer program under construction.
pub struct Mip {
    vars: ProblemVariables,
    constraints: Vec<Constraint>,
    start: Vec<f64>,
    index: HashMap<Variable, usize>,
}

/// Solver settings for one MIP solve.
#[derive(Clone, Copy, Debug)]
pub struct MipSettings {
    /// When the solve must end (model building counts too).
    pub deadline: Instant,
    pub threads: u32,
    /// Absolute gap: with an integer objective, < 1 proves optimality.
    pub abs_gap: f64,
    pub rel_gap: f64,
    pub verbose: bool,
}

impl MipSettings {
    /// Seconds until the deadline (0 when past).
    pub fn seconds_left(&self) -> f64 {
        self.deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    }
}

impl Default for Mip {
    fn default() -> Self {
        Self::new()
    }
}

impl Mip {
    pub fn new() -> Self {
        Mip {
            vars: ProblemVariables::new(),
            constraints: Vec::new(),
            start: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// An integer variable in `[0, ub]`.
    pub fn int(&mut self, ub: f64) -> Variable {
        let v = self.vars.add(variable().integer().min(0.0).max(ub));
        self.index.insert(v, self.start.len());
        self.start.push(0.0);
        v
    }

    /// A continuous variable in `[0, ub]`.
    pub fn real(&mut self, ub: f64) -> Variable {
        let v = self.vars.add(variable().min(0.0).max(ub));
        self.index.insert(v, self.start.len());
        self.start.push(0.0);
        v
    }

    /// A binary variable.
    pub fn bin(&mut self) -> Variable {
        self.int(1.0)
    }

    pub fn num_vars(&self) -> usize {
        self.start.len()
    }

    pub fn num_constraints(&self) -> usize {
        self.constraints.len()
    }

    pub fn add(&mut self, c: Constraint) {
        self.constraints.push(c);
    }

    /// Sets the start value of `v` (a MIP start; all others start at 0).
    pub fn set_start(&mut self, v: Variable, value: f64) {
        self.start[self.index[&v]] = value;
    }

    /// Sets the start values of all variables, in the order they were made.
    pub fn set_start_all(&mut self, values: &[f64]) {
        let n = self.start.len().min(values.len());
        self.start[..n].copy_from_slice(&values[..n]);
    }

    /// Solves, maximising `objective` when `maximise`, else minimising.
    pub fn solve(
        self,
        objective: Expression,
        maximise: bool,
        settings: &MipSettings,
        use_start: bool,
    ) -> Result<MipResult, String> {
        self.solve_watched(objective, maximise, settings, use_start, None)
    }

    /// [`Mip::solve`] that another thread can watch and stop through `watch` (a
    /// maximisation: it stops once its dual bound is below `watch`'s target + 1).
    pub fn solve_watched(
        self,
        objective: Expression,
        maximise: bool,
        settings: &MipSettings,
        use_start: bool,
        watch: Option<Arc<Watch>>,
    ) -> Result<MipResult, String> {
        let Mip {
            vars,
            constraints,
            start,
            index,
        } = self;
        let n = start.len();
        if n == 0 {
            // Nothing to decide (HiGHS reports no info for an empty model).
            return Ok(MipResult {
                status: MipStatus::Optimal,
                index,
                values: Vec::new(),
                objective: 0.0,
                dual_bound: 0.0,
            });
        }
        let unsolved = if maximise {
            vars.maximise(objective)
        } else {
            vars.minimise(objective)
        };
        let mut problem = unsolved.using(highs);
        for c in constraints {
            problem.add_constraint(c);
        }
        let mut model = problem
            .try_into_inner()
            .map_err(|e| format!("could not build the MIP: {e}"))?;
        if settings.verbose {
            model.set_option("output_flag", true);
            model.set_option("log_to_console", true);
        } else {
            model.make_quiet();
        }
        let set = |model: &mut highs::Model, k: &str, v: f64| {
            model
                .try_set_option(k, v)
                .map_err(|e| format!("HiGHS option {k}: {e:?}"))
        };
        set(&mut model, "time_limit", settings.seconds_left().max(0.01))?;
        set(&mut model, "mip_abs_gap", settings.abs_gap)?;
        set(&mut model, "mip_rel_gap", settings.rel_gap)?;
        model
            .try_set_option("threads", settings.threads.max(1) as i32)
            .map_err(|e| format!("HiGHS option threads: {e:?}"))?;
        model
            .try_set_option("random_seed", 0)
            .map_err(|e| format!("HiGHS option random_seed: {e:?}"))?;
        if use_start && n > 0 {
            model
                .try_set_solution(Some(&start), None, None, None)
                .map_err(|e| format!("HiGHS start: {e:?}"))?;
        }
        if let Some(w) = &watch {
            // SAFETY: the callback only reads HiGHS's data and the Watch, which `watch`
            // keeps alive until `try_solve` returns; HiGHS calls it on this thread.
            unsafe {
                let ptr = model.as_mut_ptr();
                highs_sys::Highs_setCallback(
                    ptr,
                    Some(on_mip_interrupt),
                    Arc::as_ptr(w) as *mut std::os::raw::c_void,
                );
                highs_sys::Highs_startCallback(ptr, highs_sys::kHighsCallbackMipInterrupt);
                highs_sys::Highs_startCallback(ptr, highs_sys::kHighsCallbackSimplexInterrupt);
            }
        }
        let solved = model
            .try_solve()
            .map_err(|e| format!("HiGHS failed: {e:?}"))?;
        use highs::{HighsModelStatus as S, HighsSolutionStatus};
        // Read the info value directly: HiGHS leaves it unset after some early exits.
        let has_solution = solved
            .int_info_value(c"primal_solution_status")
            .ok()
            .and_then(|v| HighsSolutionStatus::try_from(v as std::os::raw::c_int).ok())
            == Some(HighsSolutionStatus::Feasible);
        let dual_bound = solved
            .double_info_value(c"mip_dual_bound")
            .unwrap_or(f64::NAN);
        let status = match solved.status() {
            S::Optimal => MipStatus::Optimal,
            S::Infeasible | S::UnboundedOrInfeasible => MipStatus::Infeasible,
            S::ModelEmpty => MipStatus::Optimal,
            S::ReachedTimeLimit
            | S::ReachedSolutionLimit
            | S::ReachedInterrupt
            | S::ReachedIterationLimit
            | S::ReachedMemoryLimit
            | S::ObjectiveBound
            | S::ObjectiveTarget => {
                if has_solution {
                    MipStatus::Feasible
                } else {
                    MipStatus::NoSolution
                }
            }
            other => return Err(format!("HiGHS ended with status {other:?}")),
        };
        let (values, objective) = if has_solution {
            (
                solved.get_solution().columns().to_vec(),
                solved.objective_value(),
            )
        } else {
            (Vec::new(), f64::NAN)
        };
        let dual_bound = if dual_bound.is_finite() {
            dual_bound
        } else if status == MipStatus::Optimal {
            objective
        } else {
            f64::NAN
        };
        Ok(MipResult {
            status,
            index,
            values,
            objective,
            dual_bound,
        })
    }
}

/// Shared between a MIP solve and the thread that waits for it: the best dual bound so
/// far (as `f64` bits), a target (the best plan's objective: once the bound is below
/// target + 1 nothing better exists), and a stop flag.
#[derive(Debug)]
pub struct Watch {
    dual_bound: AtomicU64,
    target: AtomicU64,
    stop: AtomicBool,
    user_stop: Option<Arc<AtomicBool>>,
    /// HiGHS checks its own time limit only now and then; this one is checked at
    /// every callback, in the LPs too.
    deadline: Option<Instant>,
}

impl Watch {
    pub fn new(user_stop: Option<Arc<AtomicBool>>, deadline: Option<Instant>) -> Self {
        Watch {
            dual_bound: AtomicU64::new(f64::INFINITY.to_bits()),
            target: AtomicU64::new(f64::NEG_INFINITY.to_bits()),
            stop: AtomicBool::new(false),
            user_stop,
            deadline,
        }
    }

    /// The best dual bound HiGHS reported so far (`inf` before any).
    pub fn dual_bound(&self) -> f64 {
        f64::from_bits(self.dual_bound.load(Ordering::Relaxed))
    }

    /// Stop once the dual bound proves no solution above `objective`.
    pub fn set_target(&self, objective: f64) {
        self.target.store(objective.to_bits(), Ordering::Relaxed);
    }

    /// Stop at the next chance.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.deadline.is_some_and(|d| Instant::now() >= d)
            || self
                .user_stop
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Relaxed))
            || self.dual_bound() < f64::from_bits(self.target.load(Ordering::Relaxed)) + 1.0
    }
}

unsafe extern "C" fn on_mip_interrupt(
    kind: std::os::raw::c_int,
    _message: *const std::os::raw::c_char,
    out: *const highs_sys::HighsCallbackDataOut,
    input: *mut highs_sys::HighsCallbackDataIn,
    user: *mut std::os::raw::c_void,
) {
    let mip = kind == highs_sys::kHighsCallbackMipInterrupt as std::os::raw::c_int;
    let simplex = kind == highs_sys::kHighsCallbackSimplexInterrupt as std::os::raw::c_int;
    if !(mip || simplex) || out.is_null() || input.is_null() || user.is_null() {
        return;
    }
    // SAFETY: `user` is the Watch passed to Highs_setCallback, alive for the solve;
    // `out` and `input` are HiGHS's, valid during the call.
    let (watch, out, input) = unsafe { (&*(user as *const Watch), &*out, &mut *input) };
    let b = out.mip_dual_bound;
    if mip && b.is_finite() && b < watch.dual_bound() {
        watch.dual_bound.store(b.to_bits(), Ordering::Relaxed);
    }
    if watch.should_stop() {
        input.user_interrupt = 1;
    }
}

/// Sum of variables as an expression.
pub fn sum<'a>(vars: impl IntoIterator<Item = &'a Variable>) -> Expression {
    let mut e = Expression::default();
    for v in vars {
        e += *v;
    }
    e
}

//! What a solve hands on: the plan, how the search ended, its bound and, with vehicles,
//! the bus plan. Plain data, so that writing and reporting a plan need no optimiser.

use super::Plan;

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

/// Which bound a plan is measured against (summary.json `bound_kind`), so that a planner
/// can tell what the gap means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoundKind {
    /// Every student's choices that some candidate group could serve them: cheap, and
    /// far above the truth where teachers, rooms or buses are scarce.
    #[default]
    ReachableChoices,
    /// A relaxation of the whole problem (the compact one of `solve::relax`, or stage
    /// 1 on small networks), stopped at its time limit or once its bound stopped
    /// improving: its best proven dual bound.
    RelaxationAtLimit,
    /// A relaxation solved to optimality (the best bound it can give), or stopped once
    /// its bound proved the plan optimal.
    RelaxationOptimal,
}

impl BoundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BoundKind::ReachableChoices => "reachable_choices",
            BoundKind::RelaxationAtLimit => "relaxation_at_limit",
            BoundKind::RelaxationOptimal => "relaxation_optimal",
        }
    }

    /// In words, for the text summary.
    pub fn words(self) -> &'static str {
        match self {
            BoundKind::ReachableChoices => {
                "the choices some group could serve (an easy bound: where teachers are scarce the true gap is smaller)"
            }
            BoundKind::RelaxationAtLimit => {
                "the relaxation, stopped at the time limit or once its bound stopped improving"
            }
            BoundKind::RelaxationOptimal => {
                "the relaxation, solved to the end or until it proved the plan optimal"
            }
        }
    }
}

/// A solved plan and what the optimiser found on the way.
pub struct SolveOutcome {
    pub plan: Plan,
    pub status: Status,
    /// Proven upper bound on placements.
    pub bound: f64,
    /// Which bound `bound` is.
    pub bound_kind: BoundKind,
    pub greedy_placements: usize,
    pub solve_seconds: f64,
    /// What each stage did, for the log.
    pub notes: Vec<String>,
    /// The solve was stopped from outside (see `SolveOptions::stop`).
    pub interrupted: bool,
    /// With vehicles: the bus plan (its `plan` equals [`SolveOutcome::plan`]) and the
    /// placements the fleet could not carry.
    pub fleet: Option<super::transport::FleetFit>,
}

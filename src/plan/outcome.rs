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

/// A solved plan and what the optimiser found on the way.
pub struct SolveOutcome {
    pub plan: Plan,
    pub status: Status,
    /// Proven upper bound on placements.
    pub bound: f64,
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

//! profnet: plans the unified profile day of a network of schools.
//!
//! Data flows `io` (bundle in) → `model` (validated network) → `graph` (travel times)
//! → `solve` (optimiser) → `plan` (groups, routes, KPIs, files out); `check` verifies a
//! written plan against SPEC §3 independently of the optimiser.

pub mod change;
pub mod check;
pub mod collect;
#[cfg(feature = "solver")]
pub mod compare;
pub mod diag;
pub mod generate;
pub mod graph;
pub mod io;
pub mod model;
#[cfg(feature = "solver")]
pub mod output;
pub mod plan;
pub mod plan_read;
pub mod pseudonym;
#[cfg(feature = "solver")]
pub mod replan;
#[cfg(feature = "solver")]
pub mod report;
#[cfg(feature = "solver")]
pub mod reports;
pub mod scenario;
#[cfg(feature = "solver")]
pub mod solve;
pub mod transport;
pub mod validate;

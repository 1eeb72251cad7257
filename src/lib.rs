//! profnet: plans the unified profile day of a network of schools.
//!
//! The data flows one way, and each folder is one step of it:
//!
//! * [`input`]: what people give: the bundle's files ([`input::bundle`], one schema in
//!   [`input::schema`]), what-if scenarios, changes to a published plan, the choice files
//!   schools send, synthetic networks; [`model`] is the validated network they become,
//!   [`graph`] its travel times, [`diag`] the located problems found on the way.
//! * [`solve`]: the optimiser (the only part that needs the `solver` feature): every
//!   search works on one [`solve::state::PlanState`].
//! * [`plan`]: a plan in domain terms and what follows from it: each person's day and
//!   legs, the bus trips ([`plan::transport`]), unserved choices with their reasons and
//!   the SPEC §4 figures ([`plan::kpi`], one catalogue for every writer).
//! * [`planfile`]: the plan files of SPEC §2: one schema, one reader, one writer.
//! * [`check`]: the independent checker of SPEC §3 over the rows of [`planfile`]; it
//!   shares no code with [`solve`] or [`plan`].
//! * [`reports`]: what people read (HTML, XLSX, calendars, registers, FET, terminal).
//! * [`workflow`]: compare scenarios, re-plan after a change; the `profnet` binary's
//!   `cli` sits on top of it all; [`serve`] is the web workspace over the same steps.

pub mod check;
pub mod diag;
pub mod diag_ru;
pub mod graph;
pub mod input;
pub mod lang;
pub mod model;
pub mod plan;
pub mod planfile;
pub mod reports;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(feature = "solver")]
pub mod solve;
#[cfg(feature = "solver")]
pub mod workflow;

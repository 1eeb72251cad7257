//! Workflows over whole plans: scenarios side by side ([`compare`]) and re-planning a
//! published plan after a change ([`replan`]).

pub mod compare;
pub mod replan;

//! Fuzz target `plan`: see `profnet_fuzz::plan` (fuzz/src/lib.rs) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| profnet_fuzz::plan(data));

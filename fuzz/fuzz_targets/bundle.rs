//! Fuzz target `bundle`: see `profnet_fuzz::bundle` (fuzz/src/lib.rs) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| profnet_fuzz::bundle(data));

//! Fuzz target `table`: see `profnet_fuzz::table` (fuzz/src/lib.rs) for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| profnet_fuzz::table(data));

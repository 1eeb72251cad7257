//! One file per subcommand. Exit codes: 0 success, 1 other failure (or plan violations
//! in `check`), 2 bad input, 3 no feasible plan.

pub mod check;
pub mod generate;
pub mod solve;
pub mod validate;

use std::path::Path;

use profnet::diag::Diagnostic;
use profnet::model::Network;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_NO_PLAN: u8 = 3;

/// Loads a bundle, printing warnings (unless quiet) and every error; `Err(exit code)`
/// when it is unusable.
pub fn load(bundle: &Path, quiet: bool) -> Result<(Network, Vec<Diagnostic>), u8> {
    match profnet::io::load(bundle) {
        Ok((net, mut warnings)) => {
            warnings.extend(profnet::validate::network_warnings(&net));
            if !quiet {
                print_capped(&warnings);
            }
            Ok((net, warnings))
        }
        Err(invalid) => {
            print_capped(&invalid.0);
            let n = invalid.0.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "profnet: {} has {n} error(s); nothing was planned. Fix them and run again.",
                bundle.display()
            );
            Err(EXIT_BAD_INPUT)
        }
    }
}

/// Most diagnostics of one code printed; the rest are counted.
const PER_CODE: usize = 20;

/// Prints diagnostics to stderr, at most [`PER_CODE`] of each code, then a count of the
/// ones left out.
fn print_capped(diags: &[Diagnostic]) {
    let mut seen: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in diags {
        let n = seen.entry(d.code).or_default();
        *n += 1;
        if *n <= PER_CODE {
            eprintln!("{d}");
        }
    }
    for (code, n) in seen {
        if n > PER_CODE {
            eprintln!("… and {} more [{code}] like the above", n - PER_CODE);
        }
    }
}

//! One file per subcommand. Exit codes: 0 success, 1 other failure (or plan violations
//! in `check`), 2 bad input, 3 no feasible plan, 130 stopped by Ctrl-C with nothing
//! written.

pub mod check;
pub mod collect;
pub mod compare;
pub mod form_template;
pub mod generate;
pub mod init;
pub mod replan;
pub mod report;
pub mod solve;
pub mod solve_many;
pub mod validate;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use profnet::diag::Diagnostic;
use profnet::model::Network;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_NO_PLAN: u8 = 3;
/// Stopped by Ctrl-C with nothing written (the shell's code for SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Threads to use when the user gives none: every core.
pub fn default_threads() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
}

/// A flag that the first Ctrl-C sets: the solve then finishes early and writes its best
/// plan so far. A second Ctrl-C removes any half-written output and exits with code 130,
/// leaving what was at `--out` as it was.
pub fn ctrl_c() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let seen = flag.clone();
        let handler = ctrlc::set_handler(move || {
            if seen.swap(true, Ordering::SeqCst) {
                profnet::output::remove_pending_writes();
                eprintln!(
                    "\nprofnet: interrupted again: stopped without writing; what was at --out is unchanged"
                );
                std::process::exit(EXIT_INTERRUPTED.into());
            }
            eprintln!(
                "\nprofnet: interrupted: finishing with the best plan found so far \
                 (press Ctrl-C again to stop without writing)"
            );
        });
        if let Err(e) = handler {
            eprintln!("profnet: Ctrl-C will stop at once (cannot catch it: {e})");
        }
        flag
    })
    .clone()
}

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

/// Refuses (exit 2, with a message) an `--out` that lies inside one of `inputs`: what
/// the user gave is never overwritten.
pub fn refuse_out_inside(out: &Path, inputs: &[&Path]) -> Result<(), u8> {
    match inputs.iter().find(|i| profnet::output::is_inside(out, i)) {
        Some(inside) => {
            eprintln!(
                "profnet: --out {} lies inside {}; choose a directory outside it",
                out.display(),
                inside.display()
            );
            Err(EXIT_BAD_INPUT)
        }
        None => Ok(()),
    }
}

/// Reads a written plan against `net` and checks it against SPEC §3: the plan and its
/// violations (exit 2, with the file, line and column, when it cannot be read).
pub fn read_checked_plan(
    net: &Network,
    plan: &Path,
) -> Result<
    (
        profnet::plan_read::PlanOnDisk,
        Vec<profnet::check::Violation>,
    ),
    u8,
> {
    let cannot = |e: profnet::check::CheckError| {
        eprintln!("profnet: cannot read the plan {}: {e}", plan.display());
        EXIT_BAD_INPUT
    };
    let disk = profnet::plan_read::read_plan(net, plan).map_err(cannot)?;
    let violations = profnet::check::check_plan_dir(net, plan).map_err(cannot)?;
    Ok((disk, violations))
}

/// Most diagnostics of one code printed; the rest are counted.
const PER_CODE: usize = 20;

/// Prints diagnostics to stderr, at most [`PER_CODE`] of each code, then a count of the
/// ones left out.
pub fn print_capped(diags: &[Diagnostic]) {
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

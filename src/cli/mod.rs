//! One file per subcommand. Exit codes: 0 success, 1 other failure (or plan violations
//! in `check`), 2 bad input, 3 no feasible plan, 130 stopped by Ctrl-C with nothing
//! written. Output goes through [`outln!`] and [`errln!`]: a closed pipe
//! (`profnet check … | head -1`) is a normal end, exit 0, never a panic.

/// `println!` for the commands' output: when stdout is a closed pipe the command has
/// said all anyone reads, so it stops at once with exit 0 (half-written outputs are
/// removed first, as on a second Ctrl-C).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` with the same handling of a closed pipe as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*))
    };
}

/// `eprintln!` that ignores a closed stderr instead of panicking.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod check;
pub mod collect;
pub mod compare;
pub mod convert;
pub mod export;
pub mod form_template;
pub mod generate;
pub mod init;
pub mod pin;
pub mod replan;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
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

/// Writes to stdout; a closed pipe ends the program with exit 0 (see [`outln!`]), any
/// other failure to write ends it with exit 1.
pub fn write_out(args: std::fmt::Arguments) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        profnet::planfile::write::remove_pending_writes();
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(EXIT_OK.into());
        }
        errln!("profnet: cannot write the output: {e}");
        std::process::exit(EXIT_FAIL.into());
    }
}

/// The options every planning command shares (solve, solve-many, compare, partners,
/// replan).
#[derive(clap::Args)]
pub struct RunOpts {
    /// Wall-clock limit for the optimiser of each network, in seconds [default: 120 for
    /// solve, 60 for the other commands].
    #[arg(long, value_name = "S")]
    pub time_limit: Option<f64>,
    /// Threads: for solve and replan the parallel greedy starts and local search (the
    /// plan is the same whatever the number), for solve-many, compare and partners the
    /// networks solved at once (one thread each). Default: all cores.
    #[arg(long, value_name = "N")]
    pub threads: Option<u32>,
    /// No progress and no warnings on stderr.
    #[arg(long)]
    pub quiet: bool,
}

impl RunOpts {
    /// The time limit (`default` when none is given); exit 2, with a message, when it
    /// is not a positive number of seconds.
    pub fn seconds(&self, default: f64) -> Result<f64, u8> {
        let t = self.time_limit.unwrap_or(default);
        if t.is_nan() || t <= 0.0 {
            errln!("profnet: --time-limit must be a positive number of seconds");
            return Err(EXIT_BAD_INPUT);
        }
        Ok(t)
    }

    /// The threads to use: as given, else every core.
    pub fn threads(&self) -> u32 {
        self.threads.unwrap_or_else(default_threads).max(1)
    }
}

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
                profnet::planfile::write::remove_pending_writes();
                errln!(
                    "\nprofnet: interrupted again: stopped without writing; what was at --out is unchanged"
                );
                std::process::exit(EXIT_INTERRUPTED.into());
            }
            errln!(
                "\nprofnet: interrupted: finishing with the best plan found so far \
                 (press Ctrl-C again to stop without writing)"
            );
        });
        if let Err(e) = handler {
            errln!("profnet: Ctrl-C will stop at once (cannot catch it: {e})");
        }
        flag
    })
    .clone()
}

/// Writes `bytes` to `path` through a temporary file beside it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = profnet::planfile::write::stage_file(path, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(())
}

/// Loads a bundle, printing warnings (unless quiet) and every error; `Err(exit code)`
/// when it is unusable.
pub fn load(bundle: &Path, quiet: bool) -> Result<(Network, Vec<Diagnostic>), u8> {
    match profnet::input::load(bundle) {
        Ok((net, mut warnings)) => {
            let mut travel = profnet::input::validate::network_warnings(&net);
            if profnet::input::workbook::is_workbook(bundle) {
                // They name a file of the bundle: in a workbook, its sheet.
                for d in &mut travel {
                    if let Some(kind) = profnet::input::workbook::sheet_of_file(&d.file) {
                        d.file = bundle.display().to_string();
                        d.sheet = Some(kind.name.to_owned());
                    }
                }
            }
            warnings.extend(travel);
            if !quiet {
                print_capped(&warnings);
            }
            // Pins no room or teacher can hold are a bad input before any solve.
            let pins = pin_problems(&net, None);
            if !pins.is_empty() {
                print_capped(&pins);
                errln!(
                    "profnet: {} has pins that cannot be kept; nothing was planned. Fix them and run again.",
                    bundle.display()
                );
                return Err(EXIT_BAD_INPUT);
            }
            Ok((net, warnings))
        }
        Err(invalid) => {
            print_capped(&invalid.0);
            let n = invalid.0.iter().filter(|d| d.is_error()).count();
            errln!(
                "profnet: {} has {n} error(s); nothing was planned. Fix them and run again.",
                bundle.display()
            );
            Err(EXIT_BAD_INPUT)
        }
    }
}

/// The pins of `net` that cannot be kept (by any plan, or by `plan`), as errors.
pub fn pin_problems(net: &Network, plan: Option<&profnet::plan::Plan>) -> Vec<Diagnostic> {
    if net.pins.is_empty() {
        return Vec::new();
    }
    let tt = profnet::graph::TravelTimes::new(net);
    profnet::solve::pins::problems(net, &tt, plan)
}

/// Refuses (exit 2, with a message) an `--out` that lies inside one of `inputs`: what
/// the user gave is never overwritten.
pub fn refuse_out_inside(out: &Path, inputs: &[&Path]) -> Result<(), u8> {
    match inputs
        .iter()
        .find(|i| profnet::planfile::write::is_inside(out, i))
    {
        Some(inside) => {
            errln!(
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
        profnet::planfile::read::PlanOnDisk,
        Vec<profnet::check::Violation>,
    ),
    u8,
> {
    let cannot = |e: profnet::planfile::PlanFileError| {
        errln!("profnet: cannot read the plan {}: {e}", plan.display());
        EXIT_BAD_INPUT
    };
    let disk = profnet::planfile::read::read_plan(net, plan).map_err(cannot)?;
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
            errln!("{d}");
        }
    }
    for (code, n) in seen {
        if n > PER_CODE {
            errln!("… and {} more [{code}] like the above", n - PER_CODE);
        }
    }
}

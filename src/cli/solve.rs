use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use profnet::graph::TravelTimes;
use profnet::output::{is_inside, text_summary, write_dir_atomically, write_plan_files};
use profnet::solve::{solve, SolveOptions};

use super::{load, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_NO_PLAN, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle directory.
    pub bundle: PathBuf,
    /// Where to write the plan (replaced only once the new plan is complete).
    #[arg(long)]
    pub out: PathBuf,
    /// Wall-clock limit for the optimiser, in seconds.
    #[arg(long, default_value_t = 120.0)]
    pub time_limit: f64,
    /// Solver threads.
    #[arg(long, default_value_t = 1)]
    pub threads: u32,
    /// No progress and no warnings on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Print HiGHS' own log of every MIP solve on stdout.
    #[arg(long)]
    pub solver_log: bool,
}

pub fn run(args: &Args) -> u8 {
    let (net, _) = match load(&args.bundle, args.quiet) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if is_inside(&args.out, &args.bundle) {
        eprintln!(
            "profnet: --out {} lies inside the bundle {}; choose a directory outside it",
            args.out.display(),
            args.bundle.display()
        );
        return EXIT_BAD_INPUT;
    }
    if args.time_limit.is_nan() || args.time_limit <= 0.0 {
        eprintln!("profnet: --time-limit must be a positive number of seconds");
        return EXIT_BAD_INPUT;
    }
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new_spinner();
        b.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b.enable_steady_tick(Duration::from_millis(200));
        b
    };
    let opts = SolveOptions {
        time_limit: args.time_limit,
        threads: args.threads.max(1),
        verbose: args.solver_log,
        ..SolveOptions::default()
    };
    let outcome = solve(&net, &opts, &|msg| bar.set_message(msg.to_string()));
    bar.finish_and_clear();
    let tt = TravelTimes::new(&net);
    let written = write_dir_atomically(&args.out, |dir| {
        let k = write_plan_files(&net, &tt, &outcome, dir)?;
        let violations = profnet::check::check_plan_dir(&net, dir)?;
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            anyhow::bail!(
                "the plan failed its own check (a bug in profnet; nothing was written):\n{}",
                list.join("\n")
            );
        }
        Ok(k)
    });
    match written {
        Ok(k) => {
            println!("{}", text_summary(&net, &outcome, &k));
            println!(
                "plan written to {} (checked: obeys SPEC section 3)",
                show(&args.out)
            );
            if k.groups == 0 && k.requested > 0 {
                eprintln!(
                    "profnet: no group can open under these rules; unserved.csv says why for every choice"
                );
                return EXIT_NO_PLAN;
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("profnet: {e:#}");
            EXIT_FAIL
        }
    }
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

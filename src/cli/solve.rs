use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use profnet::graph::TravelTimes;
use profnet::planfile::pseudonym::{check_plan_dir_mapped, Mapping, Pseudonyms, DEFAULT_SALT};
use profnet::planfile::write::{
    default_pseudonyms_path, departure_sheet, is_inside, stage_file, text_summary,
    write_dir_atomically, PlanFiles,
};
use profnet::solve::{solve, SolveOptions};

use super::{load, RunOpts, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_NO_PLAN, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle: a directory, or a workbook NAME.xlsx (SPEC §7).
    pub bundle: PathBuf,
    /// Where to write the plan (replaced only once the new plan is complete).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: RunOpts,
    /// Print HiGHS' own log of every MIP solve on stdout.
    #[arg(long)]
    pub solver_log: bool,
    /// Equal access: first raise the lowest placement rate of any school, then
    /// placements (a student in a small village should not lose out because of where
    /// they live).
    #[arg(long)]
    pub equity: bool,
    /// Replace every student id in every plan file (and in what is printed) by a
    /// pseudonym STU-0001, ... and write the mapping pseudonym -> student to a file
    /// outside the plan directory, so that the plan can be shared without it.
    #[arg(long)]
    pub pseudonymize: bool,
    /// Key of the pseudonyms: the same bundle and salt give the same pseudonyms. With
    /// the default (a constant), anyone who has the bundle's ids can recompute them.
    #[arg(long, value_name = "TEXT", requires = "pseudonymize")]
    pub pseudonym_salt: Option<String>,
    /// Where to write the pseudonym mapping [default: PLAN.pseudonyms.csv beside the plan
    /// directory]; never inside the plan or the bundle.
    #[arg(long, value_name = "FILE", requires = "pseudonymize")]
    pub pseudonyms_out: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    let (net, _) = match load(&args.bundle, args.run.quiet) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if is_inside(&args.out, &args.bundle) {
        errln!(
            "profnet: --out {} lies inside the bundle {}; choose a directory outside it",
            args.out.display(),
            args.bundle.display()
        );
        return EXIT_BAD_INPUT;
    }
    let map_path = args.pseudonymize.then(|| {
        args.pseudonyms_out
            .clone()
            .unwrap_or_else(|| default_pseudonyms_path(&args.out))
    });
    if let Some(m) = &map_path {
        let clash = if is_inside(m, &args.bundle) {
            Some("lies inside the bundle")
        } else if is_inside(m, &args.out) {
            Some("lies inside the plan directory (which is meant to be shared without it)")
        } else if is_inside(&args.out, m) {
            Some("would contain the plan directory")
        } else if m.is_dir() {
            Some("is a directory")
        } else {
            None
        };
        if let Some(why) = clash {
            errln!(
                "profnet: the pseudonym mapping {} {why}; choose another --pseudonyms-out",
                m.display()
            );
            return EXIT_BAD_INPUT;
        }
    }
    let time_limit = match args.run.seconds(120.0) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let bar = if args.run.quiet {
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
        time_limit,
        threads: args.run.threads(),
        verbose: args.solver_log,
        equity: args.equity,
        stop: Some(super::ctrl_c()),
        ..SolveOptions::default()
    };
    let outcome = solve(&net, &opts, &|msg| bar.set_message(msg.to_string()));
    bar.finish_and_clear();
    if outcome.interrupted && outcome.plan.groups.is_empty() {
        errln!(
            "profnet: interrupted before any group was planned: nothing was written; what \
             was at {} is unchanged",
            show(&args.out)
        );
        return EXIT_INTERRUPTED;
    }
    let unkept = super::pin_problems(&net, Some(&outcome.plan));
    if !unkept.is_empty() {
        super::print_capped(&unkept);
        errln!(
            "profnet: the plan cannot keep these pins together with rules 1-8 (SPEC section 8); \
             nothing was written; what was at {} is unchanged",
            show(&args.out)
        );
        return EXIT_BAD_INPUT;
    }
    let tt = TravelTimes::new(&net);
    let pseudonyms = args
        .pseudonymize
        .then(|| Pseudonyms::new(&net, args.pseudonym_salt.as_deref().unwrap_or(DEFAULT_SALT)));
    // The mapping, staged beside its place while the plan is written.
    let mut staged: Option<PathBuf> = None;
    let written = write_dir_atomically(&args.out, |dir| {
        let files = PlanFiles::build(&net, &tt, &outcome);
        // The plan is checked as it is, with real ids ...
        files.write_checked(dir)?;
        // ... then rewritten with pseudonyms, verified to hold no real id, and checked
        // once more through the mapping as it will be on disk.
        if let (Some(p), Some(m)) = (&pseudonyms, &map_path) {
            clear_dir(dir)?;
            files.write(dir, Some(p))?;
            p.verify_dir(dir)?;
            let tmp = stage_file(m, &p.mapping_csv(&net)?)?;
            staged = Some(tmp.clone());
            let mapping = Mapping::read(&tmp).map_err(anyhow::Error::msg)?;
            let violations = check_plan_dir_mapped(&net, dir, &mapping)?;
            if !violations.is_empty() {
                anyhow::bail!(
                    "the pseudonymised plan, mapped back, failed the check (a bug in profnet; \
                     nothing was written): {}",
                    violations[0]
                );
            }
        }
        Ok(files.kpis)
    });
    let written = match (written, &staged, &map_path) {
        (Ok(k), Some(tmp), Some(m)) => match std::fs::rename(tmp, m) {
            Ok(()) => Ok(k),
            Err(e) => Err(anyhow::anyhow!(
                "the plan is in place at {} but its pseudonym mapping could not be put at {}: \
                 {e}",
                show(&args.out),
                m.display()
            )),
        },
        (w, _, _) => w,
    };
    if let Some(tmp) = &staged {
        let _ = std::fs::remove_file(tmp);
    }
    match written {
        Ok(k) => {
            let mut summary = text_summary(&net, &outcome, &k);
            if !net.vehicles.is_empty() {
                summary.push('\n');
                summary.push_str(departure_sheet(&net, &tt, &outcome, 40).trim_end());
            }
            match &pseudonyms {
                Some(p) => outln!("{}", p.scrub(&summary)),
                None => outln!("{summary}"),
            }
            outln!(
                "plan written to {} (checked: obeys SPEC section 3)",
                show(&args.out)
            );
            if outcome.interrupted {
                outln!("interrupted: this is the best plan found before Ctrl-C");
            }
            if let Some(m) = &map_path {
                outln!(
                    "student ids replaced by pseudonyms; the mapping back is {}: it identifies \
                     the students, so keep it apart from the plan and do not share it",
                    m.display()
                );
            }
            if k.groups == 0 && k.requested > 0 {
                errln!(
                    "profnet: no group can open under these rules; unserved.csv says why for every choice"
                );
                return EXIT_NO_PLAN;
            }
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: {e:#}");
            EXIT_FAIL
        }
    }
}

/// Removes everything inside `dir`.
fn clear_dir(dir: &Path) -> anyhow::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

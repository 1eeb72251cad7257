use std::path::PathBuf;

use profnet::input::change::read_change;
use profnet::lang::Lang;
use profnet::planfile::write::write_dir_atomically;
use profnet::workflow::replan::{replan, write_replan, ReplanOptions};

use super::{ctrl_c, load, print_capped, RunOpts, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle, a directory or a workbook NAME.xlsx (as it was when the plan was made).
    pub bundle: PathBuf,
    /// The published plan directory.
    pub plan: PathBuf,
    /// The change: change.toml of SPEC section 6 (absent teachers, closed links, rooms
    /// or schools, broken vehicles, changed choices).
    #[arg(long, value_name = "FILE")]
    pub change: PathBuf,
    /// Where to write the new plan with changes.csv and notify.csv (replaced only once
    /// complete).
    #[arg(long)]
    pub out: PathBuf,
    /// How many recovered placements keeping one assignment of a student the change
    /// does not touch is worth [default: network.toml `[replan] keep`, else 2].
    #[arg(long)]
    pub keep: Option<f64>,
    /// Also plan the changed network from scratch, for comparison only (a third of the
    /// time limit; summary.json `replan.resolve_placements`).
    #[arg(long)]
    pub compare_fresh: bool,
    /// Language of notify.csv: ru or en.
    #[arg(long, default_value = "ru")]
    pub lang: String,
    #[command(flatten)]
    pub run: RunOpts,
}

pub fn run(args: &Args) -> u8 {
    let Some(lang) = Lang::parse(&args.lang) else {
        errln!("profnet: --lang '{}': use ru or en", args.lang);
        return EXIT_BAD_INPUT;
    };
    if args.keep.is_some_and(|k| !(k >= 0.0 && k.is_finite())) {
        errln!("profnet: --keep must be a number of at least 0");
        return EXIT_BAD_INPUT;
    }
    let (net, _) = match load(&args.bundle, args.run.quiet) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let change = match read_change(&net, &args.change) {
        Ok(c) => c,
        Err(diags) => {
            print_capped(&diags);
            errln!(
                "profnet: {} has {} error(s); nothing was re-planned. Fix them and run again.",
                args.change.display(),
                diags.len()
            );
            return EXIT_BAD_INPUT;
        }
    };
    if let Err(code) = super::refuse_out_inside(&args.out, &[&args.bundle, &args.plan]) {
        return code;
    }
    let (old, violations) = match super::read_checked_plan(&net, &args.plan) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if !violations.is_empty() {
        for x in violations.iter().take(10) {
            errln!("{x}");
        }
        errln!(
            "profnet: the published plan {} breaks {} rule(s) of SPEC section 3 for {} \
             (before any change); re-planning starts from a valid plan: check that \
             the bundle is the one the plan was made for",
            args.plan.display(),
            violations.len(),
            args.bundle.display()
        );
        return EXIT_BAD_INPUT;
    }
    let time_limit = match args.run.seconds(60.0) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let opts = ReplanOptions {
        time_limit,
        threads: args.run.threads(),
        keep: args.keep,
        lang,
        stop: Some(ctrl_c()),
        fresh: args.compare_fresh,
    };
    let quiet = args.run.quiet;
    let r = replan(&net, &old, &change, &opts, &|m| {
        if !quiet {
            errln!("profnet: {m}");
        }
    });
    match write_dir_atomically(&args.out, |dir| write_replan(&r, &old, &net, dir)) {
        Ok(()) => {
            let s = &r.stats;
            outln!(
                "{}: re-planned by {} — placements {} -> {}; students the change touched: {}; \
                 of the {} others, {} keep exactly their groups ({:.1} %) and {} keep every \
                 group they had",
                args.out.display(),
                s.chosen,
                s.placements_before,
                s.placements_after,
                s.touched_students,
                s.untouched_students,
                s.untouched_kept,
                100.0 * s.untouched_kept_share,
                s.untouched_keeping_all
            );
            outln!(
                "candidates: repair {} placements, re-optimised {}, relaxed {}{} (touched: {})",
                s.repair_placements,
                s.reoptimised_placements,
                s.relaxed_placements,
                if s.resolve_placements > 0 {
                    format!("; a plan from scratch would place {}", s.resolve_placements)
                } else {
                    String::new()
                },
                profnet::workflow::replan::TOUCHED_RULE
            );
            // What was not chosen, in words: the price of keeping people where they were.
            let not = s.not_chosen();
            if !not.is_empty() {
                outln!("not chosen: {}", not.join("; "));
            }
            outln!("see changes.csv for what differs and notify.csv for who must be told");
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: nothing was written: {e:#}");
            EXIT_FAIL
        }
    }
}

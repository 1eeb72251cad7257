use std::path::PathBuf;

use profnet::graph::TravelTimes;
use profnet::lang::Lang;
use profnet::planfile::write::write_dir_atomically;
use profnet::reports::{write_reports, Date, ReportInput};

use super::{load, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle: a directory, or a workbook NAME.xlsx (SPEC §7).
    pub bundle: PathBuf,
    /// The plan directory (written by `solve`, `compare` or `replan`).
    pub plan: PathBuf,
    /// Where to write the reports (replaced only once every report is complete).
    #[arg(long)]
    pub out: PathBuf,
    /// Language of labels: ru or en.
    #[arg(long, default_value = "ru")]
    pub lang: String,
    /// The profile day's date, YYYY-MM-DD (calendars and registers). Default: today.
    #[arg(long)]
    pub date: Option<String>,
    /// No warnings on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &Args) -> u8 {
    let Some(lang) = Lang::parse(&args.lang) else {
        errln!("profnet: --lang '{}': use ru or en", args.lang);
        return EXIT_BAD_INPUT;
    };
    let date = match &args.date {
        None => Date::today(),
        Some(d) => {
            match Date::parse(d) {
                Some(d) => d,
                None => {
                    errln!("profnet: --date '{d}': give the profile day as YYYY-MM-DD, e.g. 2026-09-04");
                    return EXIT_BAD_INPUT;
                }
            }
        }
    };
    let (net, _) = match load(&args.bundle, args.quiet) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = super::refuse_out_inside(&args.out, &[&args.bundle, &args.plan]) {
        return code;
    }
    let (disk, violations) = match super::read_checked_plan(&net, &args.plan) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if !violations.is_empty() {
        errln!(
            "profnet: {} breaks {} rule(s) of SPEC section 3 for this bundle (run `profnet check`); \
             the reports show it as it is",
            args.plan.display(),
            violations.len()
        );
    }
    let tt = TravelTimes::new(&net);
    let input = ReportInput::new(&net, &tt, &disk, lang, date);
    match write_dir_atomically(&args.out, |dir| write_reports(&input, dir)) {
        Ok(()) => {
            outln!(
                "{}: index.html, plan.xlsx, ics/, registers/, fet/ for the profile day {date}",
                args.out.display()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: the reports were not written: {e:#}");
            EXIT_FAIL
        }
    }
}

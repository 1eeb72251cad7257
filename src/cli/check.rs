use std::path::PathBuf;

use profnet::check::{check_plan_dir, check_plan_dir_renamed};
use profnet::planfile::pseudonym::{looks_pseudonymized, Mapping};
use profnet::planfile::write::default_pseudonyms_path;

use super::{load, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle: a directory, or a workbook NAME.xlsx (SPEC §7).
    pub bundle: PathBuf,
    /// The plan directory.
    pub plan: PathBuf,
    /// The pseudonym mapping of a plan written by `solve --pseudonymize`: its students
    /// are mapped back to real ids before the check.
    #[arg(long, value_name = "FILE")]
    pub pseudonyms: Option<PathBuf>,
    /// Check the plan under a change (SPEC section 6 change.toml), as `replan` made
    /// it: absent teachers, closed links, rooms and schools, broken vehicles and
    /// changed choices count.
    #[arg(long, value_name = "FILE")]
    pub change: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    let (bundle, plan) = (args.bundle.as_path(), args.plan.as_path());
    let net = match load(bundle, true) {
        Ok((net, _)) => net,
        Err(code) => return code,
    };
    let net = match &args.change {
        None => net,
        Some(path) => match profnet::input::change::read_change(&net, path) {
            Ok(c) => c.apply(&net),
            Err(diags) => {
                super::print_capped(&diags);
                errln!(
                    "profnet: {} cannot be used; nothing was checked",
                    path.display()
                );
                return EXIT_BAD_INPUT;
            }
        },
    };
    let checked = match &args.pseudonyms {
        Some(path) => {
            let mapping = match Mapping::read(path) {
                Ok(m) => m,
                Err(e) => {
                    errln!("profnet: cannot read the pseudonym mapping: {e}");
                    return EXIT_BAD_INPUT;
                }
            };
            if let Some(s) = mapping.foreign_student(&net) {
                errln!(
                    "profnet: the pseudonym mapping {} names student {s}, who is not in {}: \
                     it belongs to another bundle",
                    path.display(),
                    bundle.display()
                );
                return EXIT_BAD_INPUT;
            }
            // Rules 1–9 with the students mapped back to their real ids.
            check_plan_dir_renamed(&net, plan, &mapping.real)
        }
        None => {
            if let Some(example) = looks_pseudonymized(&net, plan) {
                errln!(
                    "profnet: {} looks pseudonymised: its students are pseudonyms such as \
                     {example}, not ids of {}. Pass the mapping written by `solve \
                     --pseudonymize` with --pseudonyms FILE (by default it is {}).",
                    plan.display(),
                    bundle.display(),
                    default_pseudonyms_path(plan).display()
                );
                return EXIT_BAD_INPUT;
            }
            check_plan_dir(&net, plan)
        }
    };
    match checked {
        Ok(violations) if violations.is_empty() => {
            outln!(
                "{}: the plan obeys every rule of SPEC section 3{}",
                plan.display(),
                if net.pins.is_empty() {
                    ""
                } else {
                    " and keeps the pins (rule 9, SPEC section 8)"
                }
            );
            EXIT_OK
        }
        Ok(violations) => {
            for v in &violations {
                outln!("{v}");
            }
            outln!("{}: {} violation(s)", plan.display(), violations.len());
            EXIT_FAIL
        }
        Err(e) => {
            errln!("profnet: cannot read the plan: {e}");
            EXIT_BAD_INPUT
        }
    }
}

use std::path::Path;

use super::{load, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

pub fn run(bundle: &Path, plan: &Path) -> u8 {
    let net = match load(bundle, true) {
        Ok((net, _)) => net,
        Err(code) => return code,
    };
    match profnet::check::check_plan_dir(&net, plan) {
        Ok(violations) if violations.is_empty() => {
            println!(
                "{}: the plan obeys every rule of SPEC section 3",
                plan.display()
            );
            EXIT_OK
        }
        Ok(violations) => {
            for v in &violations {
                println!("{v}");
            }
            println!("{}: {} violation(s)", plan.display(), violations.len());
            EXIT_FAIL
        }
        Err(e) => {
            eprintln!("profnet: cannot read the plan: {e}");
            EXIT_BAD_INPUT
        }
    }
}

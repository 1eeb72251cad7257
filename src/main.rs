//! The `profnet` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

#[derive(Parser)]
#[command(
    name = "profnet",
    version,
    about = "Plans the unified profile day of a network of schools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads a bundle and reports every problem in it (exit 2 on any error).
    Validate {
        /// The network bundle directory.
        bundle: PathBuf,
    },
    /// Plans the profile day and writes the plan directory.
    Solve(cli::solve::Args),
    /// Plans many independent networks (a region's districts) in parallel, one plan
    /// each, with one summary table.
    SolveMany(cli::solve_many::Args),
    /// Writes a synthetic network bundle (for trials and benchmarks).
    Generate(cli::generate::Args),
    /// Checks a written plan against every rule of SPEC section 3 (exit 1 on a violation).
    Check(cli::check::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { bundle } => cli::validate::run(&bundle),
        Command::Solve(args) => cli::solve::run(&args),
        Command::SolveMany(args) => cli::solve_many::run(&args),
        Command::Check(args) => cli::check::run(&args),
        Command::Generate(args) => cli::generate::run(&args),
    };
    ExitCode::from(code)
}

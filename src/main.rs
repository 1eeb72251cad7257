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
        /// The network bundle: a directory, or a workbook NAME.xlsx.
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
    /// Solves a base and its what-if scenarios in parallel and shows their KPIs side by
    /// side with the difference to the base.
    Compare(cli::compare::Args),
    /// Ranks partner candidates (scenarios that each add one school or organisation)
    /// by the placements they add, a better worst school, and travel saved.
    Partners(cli::compare::Args),
    /// Turns a bundle directory into a network workbook (.xlsx) and back, losslessly.
    Convert(cli::convert::Args),
    /// Writes an empty bundle to fill in, with one example row per file and a guide.
    Init(cli::init::Args),
    /// Writes a choice sheet listing the courses on offer, to send to schools.
    FormTemplate(cli::form_template::Args),
    /// Merges the choice files schools send into one students.csv, with a report.
    Collect(cli::collect::Args),
    /// Writes reports people read from a plan: an HTML page with a map and timetables,
    /// an Excel workbook, calendars, attendance registers and a FET file.
    Report(cli::report::Args),
    /// Writes copies of a plan's CSV files for Excel on a Russian Windows (`--excel`:
    /// `;`-separated, UTF-8 with a BOM); the plan's own files stay as SPEC writes them.
    Export(cli::export::Args),
    /// Serves the web workspace for planners (in Russian): upload a workbook, solve with
    /// progress, read and download the plan.
    #[cfg(feature = "serve")]
    Serve(cli::serve::Args),
    /// Re-plans a published plan after a change (an absent teacher, a closed road, a
    /// broken bus, ...), moving as little as it can, and says who must be told what.
    Replan(cli::replan::Args),
    /// Turns chosen groups and seats of a published plan into pins (SPEC section 8):
    /// what was agreed stays, a solve plans the rest around it.
    Pin(cli::pin::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { bundle } => cli::validate::run(&bundle),
        Command::Solve(args) => cli::solve::run(&args),
        Command::SolveMany(args) => cli::solve_many::run(&args),
        Command::Check(args) => cli::check::run(&args),
        Command::Export(args) => cli::export::run(&args),
        Command::Compare(args) => cli::compare::run(&args),
        Command::Partners(args) => cli::compare::run_partners(&args),
        Command::Convert(args) => cli::convert::run(&args),
        Command::Init(args) => cli::init::run(&args),
        Command::FormTemplate(args) => cli::form_template::run(&args),
        Command::Collect(args) => cli::collect::run(&args),
        Command::Report(args) => cli::report::run(&args),
        Command::Replan(args) => cli::replan::run(&args),
        Command::Pin(args) => cli::pin::run(&args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => cli::serve::run(&args),
        Command::Generate(args) => cli::generate::run(&args),
    };
    ExitCode::from(code)
}

//! `profnet compare` and `profnet partners`: a base and its scenarios solved in
//! parallel, their KPIs side by side (issue 6).

use std::path::{Path, PathBuf};

use profnet::graph::TravelTimes;
use profnet::model::Network;
use profnet::planfile::write::{is_inside, write_dir_atomically, PlanFiles};
use profnet::solve::{solve, SolveOptions, SolveOutcome};
use profnet::workflow::compare::{
    csv_rows, markdown_table, rank_partners, students_changed, table, text_table, Solved,
};
use rayon::prelude::*;

use super::{RunOpts, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The base network bundle: a directory, or a workbook NAME.xlsx (SPEC §7).
    pub base: PathBuf,
    /// Scenario directories (scenario.toml plus CSV rows over the base, SPEC §5), or
    /// whole bundles.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Where to write comparison.csv, comparison.md, students_changed.csv, every
    /// network's plan (a directory named after it) and every scenario as a whole bundle
    /// (NAME.bundle); replaced only when complete.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOpts,
    /// Solve every network with equal access first (see `profnet solve --equity`); the
    /// base is then also solved without it and shown first, as "NAME (no equity)" (its
    /// plan in the folder base-no-equity), so that the table shows the price of equity.
    #[arg(long)]
    pub equity: bool,
}

/// A network to solve: its name as people wrote it (scenario.toml's `name`, the base
/// network's name; unique, shown in every table), the folder its plan gets under
/// `--out` (unique, usable as a directory name) and itself.
struct Input {
    name: String,
    folder: String,
    net: Network,
}

/// `name`, or the first of `name (2)`, `name (3)`, … that no input has yet.
fn unique_name(inputs: &[Input], name: &str) -> String {
    let mut out = name.to_string();
    let mut k = 2;
    while inputs.iter().any(|i| i.name == out) {
        out = format!("{name} ({k})");
        k += 1;
    }
    out
}

/// `safe_name(name)`, or the first of `-2`, `-3`, … after it that no input's folder is.
fn unique_folder(inputs: &[Input], name: &str) -> String {
    let stem = safe_name(name);
    let mut out = stem.clone();
    let mut k = 2;
    while inputs.iter().any(|i| i.folder == out) {
        out = format!("{stem}-{k}");
        k += 1;
    }
    out
}

fn safe_name(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let t = t.trim_matches('-').to_string();
    if t.is_empty() {
        "scenario".into()
    } else {
        t
    }
}

/// Loads the base and every scenario (all read before any solving; every problem
/// reported). `Err(exit code)` when one cannot be used.
fn load_all(args: &Args) -> Result<Vec<Input>, u8> {
    let mut out: Vec<Input> = Vec::new();
    let mut bad = false;
    match super::load(&args.base, args.run.quiet) {
        Ok((net, _)) => out.push(Input {
            name: net.name.clone(),
            folder: "base".into(),
            net,
        }),
        Err(_) => bad = true,
    }
    for dir in &args.scenarios {
        let loaded = if profnet::input::scenario::is_scenario(dir) {
            match profnet::input::scenario::load(&args.base, dir) {
                Ok(s) => {
                    if !args.run.quiet {
                        // The base's own warnings were printed with the base.
                        let own: Vec<_> = s
                            .diags
                            .iter()
                            .filter(|d| !Path::new(&d.file).starts_with(&args.base))
                            .cloned()
                            .collect();
                        super::print_capped(&own);
                    }
                    Ok((s.name.clone(), s.name, s.net))
                }
                Err(invalid) => {
                    super::print_capped(&invalid.0);
                    errln!(
                        "profnet: scenario {} has {} error(s)",
                        dir.display(),
                        invalid.0.iter().filter(|d| d.is_error()).count()
                    );
                    Err(())
                }
            }
        } else {
            // A whole bundle: its network's name, or its directory's when another
            // network already has that name (a copy of the base, changed).
            super::load(dir, args.run.quiet)
                .map(|(net, _)| {
                    let folder = dir_name(dir);
                    let name =
                        if net.name.trim().is_empty() || out.iter().any(|i| i.name == net.name) {
                            folder.clone()
                        } else {
                            net.name.clone()
                        };
                    (name, folder, net)
                })
                .map_err(|_| ())
        };
        match loaded {
            Ok((name, folder, net)) => {
                let name = if name.trim().is_empty() {
                    net.name.clone()
                } else {
                    name
                };
                let folder = unique_folder(&out, if folder.is_empty() { &name } else { &folder });
                let name = unique_name(&out, &name);
                out.push(Input { name, folder, net });
            }
            Err(()) => bad = true,
        }
    }
    if bad {
        errln!("profnet: nothing was compared. Fix the errors above and run again.");
        return Err(EXIT_BAD_INPUT);
    }
    Ok(out)
}

fn dir_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Solves every input in parallel: several networks at once with one thread each.
fn solve_all(
    inputs: &[Input],
    time_limit: f64,
    threads: u32,
    equity: &[bool],
) -> Vec<SolveOutcome> {
    let per = if inputs.len() > 1 { 1 } else { threads };
    let opts = |equity: bool| SolveOptions {
        time_limit,
        threads: per,
        equity,
        ..SolveOptions::default()
    };
    let run = || {
        inputs
            .par_iter()
            .zip(equity)
            .map(|(i, &e)| solve(&i.net, &opts(e), &|_| {}))
            .collect::<Vec<_>>()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1) as usize)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

fn check_args(args: &Args) -> Result<(), u8> {
    args.run.seconds(60.0)?;
    if let Some(out) = &args.out {
        for b in std::iter::once(&args.base).chain(&args.scenarios) {
            if is_inside(out, b) {
                errln!(
                    "profnet: --out {} lies inside {}; choose a directory outside it",
                    out.display(),
                    b.display()
                );
                return Err(EXIT_BAD_INPUT);
            }
        }
    }
    Ok(())
}

/// Replaces `o` (a scenario's outcome) by the base's plan carried over to the scenario
/// when that plan obeys every rule there (after fitting it to the scenario's fleet) and
/// places more students.
fn keep_base_plan_if_better(base: &Network, b: &SolveOutcome, net: &Network, o: &mut SolveOutcome) {
    let Some(plan) = profnet::workflow::compare::transfer(base, &b.plan, net) else {
        return;
    };
    if !profnet::workflow::compare::valid_in(net, &plan) {
        return;
    }
    let (plan, fleet) = if net.vehicles.is_empty() {
        (plan, None)
    } else {
        let fit = profnet::plan::transport::fit_fleet(net, &TravelTimes::new(net), plan);
        (fit.plan.clone(), Some(fit))
    };
    if plan.placements() <= o.plan.placements() {
        return;
    }
    o.notes.push(format!(
        "compare: the base's plan, which obeys every rule here too, places {} students where this scenario's own search placed {}; it is kept",
        plan.placements(),
        o.plan.placements()
    ));
    o.status = if plan.placements() as f64 >= o.bound {
        profnet::solve::Status::Optimal
    } else {
        profnet::solve::Status::Feasible
    };
    o.plan = plan;
    o.fleet = fleet;
}

/// Loads, solves and builds every plan's files: `(inputs, outcomes, kpis)`.
fn run_all(args: &Args) -> Result<(Vec<Input>, Vec<SolveOutcome>), u8> {
    check_args(args)?;
    let mut inputs = load_all(args)?;
    let mut equity = vec![args.equity; inputs.len()];
    if args.equity {
        // The base without equal access first: the price of equity is its difference.
        let name = unique_name(&inputs, &format!("{} (no equity)", inputs[0].name));
        let folder = unique_folder(&inputs, "base-no-equity");
        inputs.insert(
            0,
            Input {
                name,
                folder,
                net: inputs[0].net.clone(),
            },
        );
        equity.insert(0, false);
    }
    let threads = args.run.threads();
    let time_limit = args.run.seconds(60.0)?;
    errln!(
        "profnet: solving {} networks ({} at a time, time limit {} s each)",
        inputs.len(),
        threads.min(inputs.len() as u32),
        time_limit
    );
    let mut outcomes = solve_all(&inputs, time_limit, threads, &equity);
    // A scenario that keeps what the base's plan needs may use that plan: the
    // comparison then never shows a loss that only the search's luck made.
    // (Not with --equity: more placements is then not better.)
    if !args.equity {
        let (base, scenarios) = outcomes.split_at_mut(1);
        for (i, o) in scenarios.iter_mut().enumerate() {
            keep_base_plan_if_better(&inputs[0].net, &base[0], &inputs[i + 1].net, o);
        }
    }
    Ok((inputs, outcomes))
}

/// Every network's plan files (and KPIs), worked out once.
fn plan_files<'a>(
    inputs: &'a [Input],
    outcomes: &'a [SolveOutcome],
    tts: &[TravelTimes],
) -> Vec<PlanFiles<'a>> {
    inputs
        .iter()
        .zip(outcomes)
        .zip(tts)
        .map(|((i, o), tt)| PlanFiles::build(&i.net, tt, o))
        .collect()
}

fn solved<'a>(
    inputs: &'a [Input],
    outcomes: &'a [SolveOutcome],
    files: &[PlanFiles],
) -> Vec<Solved<'a>> {
    inputs
        .iter()
        .zip(outcomes)
        .zip(files)
        .map(|((i, o), f)| Solved {
            name: i.name.clone(),
            net: &i.net,
            plan: &o.plan,
            kpis: f.kpis.clone(),
            bound: o.bound,
        })
        .collect()
}

pub fn run(args: &Args) -> u8 {
    let (inputs, outcomes) = match run_all(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let tts: Vec<TravelTimes> = inputs.iter().map(|i| TravelTimes::new(&i.net)).collect();
    let files = plan_files(&inputs, &outcomes, &tts);
    let solved = solved(&inputs, &outcomes, &files);
    let t = table(&solved);
    out!("{}", text_table(&t));
    let changes = students_changed(&solved);
    for s in &solved[1..] {
        let gained = changes
            .iter()
            .filter(|c| c.scenario == s.name && c.change == "gained")
            .count();
        let lost = changes
            .iter()
            .filter(|c| c.scenario == s.name && c.change == "lost")
            .count();
        outln!(
            "{}: {gained} choices gained, {lost} lost against the base",
            s.name
        );
    }
    let Some(out) = &args.out else {
        return EXIT_OK;
    };
    let written = write_dir_atomically(out, |dir| {
        for (k, (i, f)) in inputs.iter().zip(&files).enumerate() {
            let plan_dir = dir.join(&i.folder);
            std::fs::create_dir_all(&plan_dir)?;
            f.write_checked(&plan_dir)?;
            // Each scenario as a whole bundle, to check, solve or edit on its own.
            if k > 0 {
                let bundle = dir.join(format!("{}.bundle", i.folder));
                std::fs::create_dir_all(&bundle)?;
                profnet::input::write::write_bundle(&i.net, &bundle)?;
            }
        }
        let mut w = csv::Writer::from_path(dir.join("comparison.csv"))?;
        for r in csv_rows(&solved) {
            w.write_record(&r)?;
        }
        w.flush()?;
        std::fs::write(
            dir.join("comparison.md"),
            format!(
                "# {} and {} scenario(s)\n\nEach scenario's value, with its difference to the base in brackets (pp: percentage points).\n\n{}\n## Files\n\n{}",
                inputs[0].net.name,
                inputs.len() - 1,
                markdown_table(&t),
                markdown_table(&files_table(&inputs))
            ),
        )?;
        let mut w = csv::Writer::from_path(dir.join("students_changed.csv"))?;
        w.write_record([
            "scenario",
            "student",
            "course",
            "change",
            "base_school",
            "scenario_school",
            "folder",
        ])?;
        for c in &changes {
            w.write_record([
                c.scenario.as_str(),
                &c.student,
                &c.course,
                c.change,
                &c.base_school,
                &c.scenario_school,
                folder_of(&inputs, &c.scenario),
            ])?;
        }
        w.flush()?;
        Ok(())
    });
    match written {
        Ok(()) => {
            outln!(
                "comparison written to {} (every plan checked: obeys SPEC section 3)",
                out.display()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: {e:#}");
            EXIT_FAIL
        }
    }
}

/// The folder of the input named `name` (its plan's directory under `--out`).
fn folder_of<'a>(inputs: &'a [Input], name: &str) -> &'a str {
    inputs
        .iter()
        .find(|i| i.name == name)
        .map_or("", |i| i.folder.as_str())
}

/// comparison.md's list of where each network's files are under `--out`.
fn files_table(inputs: &[Input]) -> Vec<Vec<String>> {
    let mut t = vec![vec![
        "network".to_string(),
        "plan".to_string(),
        "bundle".to_string(),
    ]];
    for (k, i) in inputs.iter().enumerate() {
        t.push(vec![
            i.name.clone(),
            format!("`{}/`", i.folder),
            // As written: every network after the first also as a whole bundle.
            if k > 0 {
                format!("`{}.bundle/`", i.folder)
            } else {
                String::new()
            },
        ]);
    }
    t
}

/// `profnet partners BASE CANDIDATES...`: candidates (scenarios that each add one
/// school or organisation) ranked by the placements they add, then a better worst
/// school, then travel saved.
pub fn run_partners(args: &Args) -> u8 {
    let (inputs, outcomes) = match run_all(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let tts: Vec<TravelTimes> = inputs.iter().map(|i| TravelTimes::new(&i.net)).collect();
    let files = plan_files(&inputs, &outcomes, &tts);
    let ranked = rank_partners(&solved(&inputs, &outcomes, &files));
    let mut t = vec![vec![
        "rank".to_string(),
        "candidate".into(),
        "extra placements".into(),
        "worst school, pp".into(),
        "travel saved, min".into(),
        "students with more choices".into(),
    ]];
    for (i, p) in ranked.iter().enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            p.name.clone(),
            format!("{:+}", p.extra_placements),
            format!("{:+.1}", p.worst_school_pp),
            format!("{:+}", p.travel_saved),
            p.students_gaining.to_string(),
        ]);
    }
    out!("{}", text_table(&t));
    if let Some(out) = &args.out {
        let written = write_dir_atomically(out, |dir| {
            let mut w = csv::Writer::from_path(dir.join("partners.csv"))?;
            for r in &t {
                w.write_record(r)?;
            }
            w.flush()?;
            std::fs::write(dir.join("partners.md"), markdown_table(&t))?;
            Ok(())
        });
        if let Err(e) = written {
            errln!("profnet: {e:#}");
            return EXIT_FAIL;
        }
        outln!("ranking written to {}", out.display());
    }
    EXIT_OK
}

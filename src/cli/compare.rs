//! `profnet compare` and `profnet partners`: a base and its scenarios solved in
//! parallel, their KPIs side by side (issue 6).

use std::path::{Path, PathBuf};

use profnet::graph::TravelTimes;
use profnet::model::Network;
use profnet::planfile::write::{is_inside, write_dir_atomically, PlanFiles};
use profnet::solve::{solve, SolveOptions, SolveOutcome};
use profnet::workflow::compare::{
    csv_rows_with, markdown_table, rank_partners, search_noise, students_changed, table_with,
    text_table, Extras, Solved,
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
    let mut skipped = 0;
    for dir in &args.scenarios {
        // A glob such as `scenarios/*` catches a README or a notes folder: not a
        // network, so it is left out with a word, not a reason to stop.
        if !looks_like_network(dir) {
            if !args.run.quiet {
                errln!(
                    "warning: {} is not a scenario (no scenario.toml) nor a bundle (no \
                     network.toml, not a .xlsx workbook); it is skipped",
                    dir.display()
                );
            }
            skipped += 1;
            continue;
        }
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
    if out.len() < 2 {
        errln!(
            "profnet: no scenario to compare with the base ({skipped} path(s) skipped): give \
             scenario directories (with scenario.toml) or bundles"
        );
        return Err(EXIT_BAD_INPUT);
    }
    Ok(out)
}

/// A scenario directory, a bundle directory or a workbook.
fn looks_like_network(p: &Path) -> bool {
    if p.is_dir() {
        profnet::input::scenario::is_scenario(p) || p.join("network.toml").is_file()
    } else {
        // A file that is missing is left to the loader, which says so.
        !p.exists()
            || p.extension()
                .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("xlsx"))
    }
}

/// The network with its students in reverse order (pins renumbered): the same network
/// to the letter, but the search meets its students in another order, as a re-run with
/// another seed would. The spread between the two searches is the search noise.
fn reversed_students(net: &Network) -> Network {
    let mut r = net.clone();
    let n = r.students.len();
    r.students.reverse();
    for p in &mut r.pins.students {
        p.student = (n - 1 - p.student.idx()).into();
    }
    r
}

/// The solver's objective for a plan, as a key where more is better: placements, then
/// the lowest rank sum, then the first-choice rate, then the least student travel.
fn objective(
    k: &profnet::plan::kpi::Kpis,
) -> (usize, std::cmp::Reverse<usize>, u64, std::cmp::Reverse<u64>) {
    (
        k.placements,
        std::cmp::Reverse(k.rank_sum),
        (k.first_choice_rate * 1e9).round() as u64,
        std::cmp::Reverse(k.student_travel_minutes),
    )
}

/// Offers every network every other plan of the set (and `extra` ones, the noise
/// probe's): a plan carried over by ids that the independent checker
/// (`src/check`) accepts in the network — rules 1–7 and its pins, and rule 8 after
/// fitting the network's fleet — replaces the network's own when it is better by the
/// network's own objective ([`objective`]); a tie keeps its own. Returns, per network,
/// the name of the network whose search found the plan it keeps.
fn adopt_best_plans(
    inputs: &[Input],
    outcomes: &mut [SolveOutcome],
    extra: &[(String, &Network, &SolveOutcome)],
) -> Vec<String> {
    let plans: Vec<(String, &Network, profnet::plan::Plan)> = inputs
        .iter()
        .zip(outcomes.iter())
        .map(|(i, o)| (i.name.clone(), &i.net, o.plan.clone()))
        .chain(
            extra
                .iter()
                .map(|(n, net, o)| (n.clone(), *net, o.plan.clone())),
        )
        .collect();
    let mut found = Vec::new();
    for (j, input) in inputs.iter().enumerate() {
        let net = &input.net;
        let tt = TravelTimes::new(net);
        let own = &outcomes[j];
        let mut best = objective(&profnet::plan::routes::kpis_with(
            net,
            &tt,
            &own.plan,
            own.fleet.as_ref().map(|f| &f.transport),
        ));
        let mut chosen: Option<(
            usize,
            profnet::plan::Plan,
            Option<profnet::plan::transport::FleetFit>,
        )> = None;
        for (i, (_, from, plan)) in plans.iter().enumerate() {
            if i == j {
                continue;
            }
            let Some(plan) = profnet::workflow::compare::transfer(from, plan, net) else {
                continue;
            };
            if !profnet::workflow::compare::valid_in(net, &plan) {
                continue;
            }
            let (plan, fleet) = if net.vehicles.is_empty() {
                (plan, None)
            } else {
                let fit = profnet::plan::transport::fit_fleet(net, &tt, plan);
                // Fitting the fleet may drop a seat a pin holds: check again.
                if !profnet::workflow::compare::valid_in(net, &fit.plan) {
                    continue;
                }
                (fit.plan.clone(), Some(fit))
            };
            let key = objective(&profnet::plan::routes::kpis_with(
                net,
                &tt,
                &plan,
                fleet.as_ref().map(|f| &f.transport),
            ));
            if key > best {
                best = key;
                chosen = Some((i, plan, fleet));
            }
        }
        let Some((i, plan, fleet)) = chosen else {
            found.push(input.name.clone());
            continue;
        };
        let o = &mut outcomes[j];
        o.notes.push(format!(
            "compare: the plan {}'s search found obeys every rule here too and is better by \
             this network's objective (placements {} against {}); it is kept",
            plans[i].0,
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
        found.push(plans[i].0.clone());
    }
    found
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

/// Loads, solves and builds every plan's files: `(inputs, outcomes, extras)`.
fn run_all(args: &Args) -> Result<(Vec<Input>, Vec<SolveOutcome>, Extras), u8> {
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
    // The noise probe: the base once more, its students in reverse order.
    let base_name = inputs[0].name.clone();
    inputs.push(Input {
        name: format!("{base_name} (re-run)"),
        folder: String::new(),
        net: reversed_students(&inputs[0].net),
    });
    equity.push(equity[0]);
    errln!(
        "profnet: solving {} networks and the base once more to measure the search's noise \
         ({} at a time, time limit {} s each)",
        inputs.len() - 1,
        threads.min(inputs.len() as u32),
        time_limit
    );
    let mut outcomes = solve_all(&inputs, time_limit, threads, &equity);
    let probe_input = inputs.pop().expect("the probe was pushed");
    let probe = outcomes.pop().expect("one outcome per input");
    let kpis_of = |net: &Network, o: &SolveOutcome| {
        profnet::plan::routes::kpis_with(
            net,
            &TravelTimes::new(net),
            &o.plan,
            o.fleet.as_ref().map(|f| &f.transport),
        )
    };
    let noise = search_noise(
        &kpis_of(&inputs[0].net, &outcomes[0]),
        &kpis_of(&probe_input.net, &probe),
    );
    // Every network may use any plan of the set that obeys its rules and is better by
    // its own objective: the comparison then never shows a scenario better (or worse)
    // where only the search's luck made it so. (Not with --equity: more placements is
    // then not better.)
    let found_by = if args.equity {
        inputs.iter().map(|i| i.name.clone()).collect()
    } else {
        adopt_best_plans(
            &inputs,
            &mut outcomes,
            &[(probe_input.name.clone(), &probe_input.net, &probe)],
        )
    };
    let found_by = found_by
        .into_iter()
        .map(|f| {
            if f == probe_input.name {
                base_name.clone()
            } else {
                f
            }
        })
        .collect();
    Ok((
        inputs,
        outcomes,
        Extras {
            noise: Some(noise),
            found_by: Some(found_by),
        },
    ))
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
    let (inputs, outcomes, extras) = match run_all(args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let tts: Vec<TravelTimes> = inputs.iter().map(|i| TravelTimes::new(&i.net)).collect();
    let files = plan_files(&inputs, &outcomes, &tts);
    let solved = solved(&inputs, &outcomes, &files);
    let t = table_with(&solved, &extras);
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
        for r in csv_rows_with(&solved, &extras) {
            w.write_record(&r)?;
        }
        w.flush()?;
        std::fs::write(
            dir.join("comparison.md"),
            format!(
                "# {} and {} scenario(s)\n\nEach scenario's value, with its difference to the base in brackets (pp: percentage points). Every network may take another's plan that obeys all its rules and is better by its own objective (row 'plan found by'). 'search noise' is how far a second search of the base (its students in another order) moved each figure: a difference no larger is marked 'within search noise', not an effect of the scenario.\n\n{}\n## Files\n\n{}",
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
    let (inputs, outcomes, _) = match run_all(args) {
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

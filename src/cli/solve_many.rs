//! `profnet solve-many`: many independent networks (a region's districts) in parallel,
//! one plan each, one summary table at the end.

use std::path::{Path, PathBuf};
use std::time::Instant;

use profnet::graph::TravelTimes;
use profnet::model::Network;
use profnet::planfile::write::{is_inside, write_checked_plan, write_dir_atomically};
use profnet::solve::{solve, SolveOptions};
use rayon::prelude::*;

use super::{RunOpts, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// Network bundles (directories or .xlsx workbooks), or folders whose
    /// subdirectories and workbooks are bundles (a region folder).
    #[arg(required = true)]
    pub bundles: Vec<PathBuf>,
    /// Where to write: one plan directory per network (named after its bundle) and
    /// `summary.csv`. Replaced only once every plan is written.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: RunOpts,
}

/// One row of the summary.
struct Row {
    name: String,
    status: String,
    students: usize,
    requested: usize,
    placements: usize,
    greedy: usize,
    bound: f64,
    worst_rate: f64,
    seconds: f64,
}

pub fn run(args: &Args) -> u8 {
    let time_limit = match args.run.seconds(60.0) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let bundles = match expand(&args.bundles) {
        Ok(b) => b,
        Err(e) => {
            errln!("profnet: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    for (_, b) in &bundles {
        if is_inside(&args.out, b) {
            errln!(
                "profnet: --out {} lies inside the bundle {}; choose a directory outside it",
                args.out.display(),
                b.display()
            );
            return EXIT_BAD_INPUT;
        }
    }
    // Read every bundle first: a region with a broken district is fixed before hours
    // of solving, not after.
    let mut nets: Vec<(String, Network)> = Vec::new();
    let mut bad = 0;
    for (name, dir) in &bundles {
        // Warnings of many networks would drown the table: count them per network.
        match super::load(dir, true) {
            Ok((net, warnings)) => {
                if !args.run.quiet && !warnings.is_empty() {
                    errln!(
                        "profnet: {name}: {} warning(s); `profnet validate {}` lists them",
                        warnings.len(),
                        dir.display()
                    );
                }
                nets.push((name.clone(), net));
            }
            Err(_) => {
                errln!("profnet: {name}: the errors above are in {}", dir.display());
                bad += 1;
            }
        }
    }
    if bad > 0 {
        errln!(
            "profnet: {bad} of {} bundle(s) have errors; nothing was planned",
            bundles.len()
        );
        return EXIT_BAD_INPUT;
    }
    let threads = args.run.threads() as usize;
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            errln!("profnet: cannot start {threads} threads: {e}");
            return EXIT_FAIL;
        }
    };
    let t0 = Instant::now();
    errln!(
        "profnet: solving {} network(s), {threads} at a time, at most {} s each",
        nets.len(),
        time_limit
    );
    let written = write_dir_atomically(&args.out, |dir| {
        let rows: Vec<anyhow::Result<Row>> = pool.install(|| {
            nets.par_iter()
                .map(|(name, net)| solve_one(name, net, time_limit, &dir.join(name)))
                .collect()
        });
        let rows: Vec<Row> = rows.into_iter().collect::<anyhow::Result<_>>()?;
        std::fs::write(dir.join("summary.csv"), summary_csv(&rows))?;
        Ok(rows)
    });
    match written {
        Ok(rows) => {
            outln!("{}", table(&rows));
            outln!(
                "{} plan(s) written to {} in {:.1} s (each checked: obeys SPEC section 3)",
                rows.len(),
                args.out.display(),
                t0.elapsed().as_secs_f64()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: {e:#}; nothing was written");
            EXIT_FAIL
        }
    }
}

/// Whether `path` is a bundle: a directory with `network.toml`, or a workbook file.
fn is_bundle(path: &std::path::Path) -> bool {
    path.join("network.toml").is_file()
        || (path.is_file() && profnet::input::workbook::is_workbook(path))
}

/// Bundles to solve, each with the name of its plan directory: a directory holding
/// `network.toml` or a workbook `NAME.xlsx` is a bundle; any other directory stands for
/// its subdirectories and workbooks that are bundles (in name order).
fn expand(args: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    for a in args {
        if is_bundle(a) {
            out.push((name_of(a), a.clone()));
            continue;
        }
        let entries = std::fs::read_dir(a).map_err(|e| {
            format!(
                "{}: not a bundle (no network.toml, not an .xlsx workbook) and not a readable folder of bundles: {e}",
                a.display()
            )
        })?;
        let mut subs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_bundle(p))
            .collect();
        if subs.is_empty() {
            return Err(format!(
                "{}: neither a bundle (no network.toml, not an .xlsx workbook) nor a folder of bundles",
                a.display()
            ));
        }
        subs.sort();
        out.extend(subs.into_iter().map(|p| (name_of(&p), p)));
    }
    let mut names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "two bundles are named '{}': their plans would share a directory; rename one",
            w[0]
        ));
    }
    if names.contains(&"summary.csv") {
        return Err("a bundle named 'summary.csv' would clash with the summary file".into());
    }
    Ok(out)
}

fn name_of(p: &Path) -> String {
    let workbook = profnet::input::workbook::is_workbook(p);
    p.canonicalize()
        .ok()
        .and_then(|c| {
            let name = if workbook {
                c.file_stem()
            } else {
                c.file_name()
            };
            name.map(|f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| p.display().to_string())
}

fn solve_one(name: &str, net: &Network, time_limit: f64, dir: &Path) -> anyhow::Result<Row> {
    let opts = SolveOptions {
        time_limit,
        threads: 1,
        ..SolveOptions::default()
    };
    let outcome = solve(net, &opts, &|_| {});
    let tt = TravelTimes::new(net);
    std::fs::create_dir_all(dir)?;
    let k = write_checked_plan(net, &tt, &outcome, dir)
        .map_err(|e| anyhow::anyhow!("{name}: {e:#}"))?;
    Ok(Row {
        name: name.to_string(),
        status: outcome.status.as_str().to_string(),
        students: net.students.len(),
        requested: k.requested,
        placements: k.placements,
        greedy: outcome.greedy_placements,
        bound: outcome.bound,
        worst_rate: k.worst_school_placement_rate,
        seconds: outcome.solve_seconds,
    })
}

fn gap(r: &Row) -> f64 {
    profnet::planfile::write::gap(r.placements, r.bound)
}

fn summary_csv(rows: &[Row]) -> String {
    let mut s = String::from(
        "network,status,students,requested,placements,greedy_placements,bound,gap,\
         worst_school_placement_rate,solve_seconds\n",
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{:.4},{:.4},{:.2}\n",
            csv_cell(&r.name),
            r.status,
            r.students,
            r.requested,
            r.placements,
            r.greedy,
            r.bound,
            gap(r),
            r.worst_rate,
            r.seconds
        ));
    }
    s
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn table(rows: &[Row]) -> String {
    let w = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let mut s = format!(
        "{:<w$}  {:>8}  {:>9}  {:>10}  {:>6}  {:>7}  {:>6}  {:>8}  {:>7}\n",
        "network",
        "status",
        "students",
        "placements",
        "greedy",
        "bound",
        "gap %",
        "worst %",
        "time s"
    );
    let (mut students, mut placements, mut greedy, mut bound, mut worst_gap) =
        (0usize, 0usize, 0usize, 0.0f64, 0.0f64);
    for r in rows {
        s.push_str(&format!(
            "{:<w$}  {:>8}  {:>9}  {:>10}  {:>6}  {:>7}  {:>6.2}  {:>8.1}  {:>7.2}\n",
            r.name,
            r.status,
            r.students,
            r.placements,
            r.greedy,
            r.bound,
            100.0 * gap(r),
            100.0 * r.worst_rate,
            r.seconds
        ));
        students += r.students;
        placements += r.placements;
        greedy += r.greedy;
        bound += r.bound;
        worst_gap = worst_gap.max(gap(r));
    }
    s.push_str(&format!(
        "{:<w$}  {:>8}  {:>9}  {:>10}  {:>6}  {:>7}  {:>6.2}  (largest gap of one network: {:.2} %)",
        "total",
        "",
        students,
        placements,
        greedy,
        bound,
        100.0 * profnet::planfile::write::gap(placements, bound),
        100.0 * worst_gap
    ));
    s
}

//! `profnet export PLAN --excel`: copies of a plan's CSV files for Excel on a Russian
//! Windows (`;`-separated, UTF-8 with a BOM), leaving the plan's own files (SPEC §2,
//! comma-separated) as they are.

use std::path::PathBuf;

use super::{EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The plan directory (or a re-plan's output: notify.csv and changes.csv come too).
    pub plan: PathBuf,
    /// Write `;`-separated copies with a BOM, one per CSV file of the plan.
    #[arg(long)]
    pub excel: bool,
    /// Where to write them [default: PLAN/excel].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    if !args.excel {
        errln!("profnet export: say what to export: --excel");
        return EXIT_BAD_INPUT;
    }
    let out = args.out.clone().unwrap_or_else(|| args.plan.join("excel"));
    match export(args, &out) {
        Ok(0) => {
            errln!("profnet: {} has no CSV files", args.plan.display());
            EXIT_BAD_INPUT
        }
        Ok(n) => {
            outln!(
                "{}: {n} CSV file(s) for Excel (`;`, UTF-8 with BOM)",
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

fn export(args: &Args, out: &std::path::Path) -> anyhow::Result<usize> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.plan)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Ok(0);
    }
    std::fs::create_dir_all(out)?;
    for path in &files {
        let bytes = std::fs::read(path)?;
        let text = profnet::input::table::decode_text(&bytes, &path.display().to_string())
            .map_err(|d| anyhow::anyhow!("{}: {}", path.display(), d.message))?;
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows: Vec<Vec<String>> = Vec::new();
        for rec in r.records() {
            rows.push(rec?.iter().map(str::to_string).collect());
        }
        let (header, body) = match rows.split_first() {
            Some((h, b)) => (h.clone(), b.to_vec()),
            None => (Vec::new(), Vec::new()),
        };
        let name = path.file_name().unwrap_or_default();
        std::fs::write(out.join(name), profnet::reports::people_csv(&header, &body))?;
    }
    Ok(files.len())
}

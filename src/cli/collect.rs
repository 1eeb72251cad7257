//! `profnet collect BUNDLE FILES... --out students.csv [--report FILE]`: merges the
//! choice files schools send (CSV files and .xlsx workbooks, every sheet of a workbook
//! that holds a choice list) into one students.csv, with a report of every row.

use std::path::{Path, PathBuf};

use profnet::input::collect::{collect, Catalog};
use profnet::input::collect_xlsx::read_school_file;

use super::write_atomically;
use super::{print_capped, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle (its schools.csv and courses.csv give the ids).
    pub bundle: PathBuf,
    /// The files from schools: wide (choice_1…), long (student,course,rank) or
    /// form-service exports, CSV with `,` or `;`, UTF-8 or Windows-1251, or .xlsx
    /// workbooks (every sheet that holds a choice list is read; the report names
    /// `FILE.xlsx [SHEET]` and the sheet's row).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The merged students.csv to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The report (default: beside --out, `<name>.report.csv`).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

fn default_report(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or("students".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.report.csv"))
}

#[allow(clippy::result_large_err)] // a diagnostic is built only when a file fails
pub fn run(args: &Args) -> u8 {
    let catalog = match Catalog::read(&args.bundle) {
        Ok(c) => c,
        Err(diags) => {
            print_capped(&diags);
            errln!(
                "profnet: cannot read the schools and courses of {}; nothing was written",
                args.bundle.display()
            );
            return EXIT_BAD_INPUT;
        }
    };
    let mut inputs = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let label = path.display().to_string();
        let read = profnet::input::table::read_bytes(path, &label)
            .and_then(|bytes| read_school_file(&label, &bytes));
        match read {
            Ok(file) => {
                for (sheet, why) in &file.skipped {
                    outln!("{label}: sheet '{sheet}' is not read ({why})");
                }
                inputs.extend(file.inputs);
            }
            Err(mut d) => {
                if d.code == profnet::input::table::MISSING_FILE {
                    d.hint = "check the path and the file name".into();
                }
                errln!("{d}");
                failed = true;
            }
        }
    }
    if failed {
        errln!("profnet: some files could not be read; nothing was written");
        return EXIT_BAD_INPUT;
    }
    let collected = match collect(&catalog, &inputs) {
        Ok(c) => c,
        Err(bad) => {
            for b in bad {
                errln!("error: {}: {}", b.file, b.message);
            }
            errln!(
                "profnet: rename the columns (e.g. id, school, grade, choice_1, choice_2) and run again; nothing was written"
            );
            return EXIT_BAD_INPUT;
        }
    };
    for f in &collected.files {
        let cols: Vec<String> = f
            .columns
            .iter()
            .map(|(h, r)| format!("'{h}' → {r}"))
            .collect();
        outln!(
            "{}: {} rows, {} ({})",
            f.label,
            f.rows,
            f.shape,
            cols.join(", ")
        );
    }
    let report_path = args
        .report
        .clone()
        .unwrap_or_else(|| default_report(&args.out));
    let written = write_atomically(&args.out, collected.students_csv().as_bytes())
        .and_then(|()| write_atomically(&report_path, collected.report_csv().as_bytes()));
    if let Err(e) = written {
        errln!("profnet: cannot write the output: {e:#}");
        return EXIT_FAIL;
    }
    let counts: Vec<String> = collected
        .counts()
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    outln!(
        "{}: {} student(s); report {} ({})",
        args.out.display(),
        collected.students.len(),
        report_path.display(),
        counts.join(", ")
    );
    EXIT_OK
}

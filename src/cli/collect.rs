//! `profnet collect BUNDLE FILES... --out students.csv [--report FILE]`: merges the
//! choice files schools send (CSV files and .xlsx workbooks, every sheet of a workbook
//! that holds a choice list) into one students.csv, with a report of every row.

use std::path::{Path, PathBuf};

use profnet::input::collect::{collect_with, Catalog, Options};
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
    /// The school of every row whose school cell is empty or whose file has no school
    /// column (its id, or its name as schools.csv has it: «Кощаковская СОШ» will do);
    /// without it, the school a file's name names («S01 …», «Кощаковская СОШ - выбор
    /// курсов.csv»).
    #[arg(long, value_name = "ID|NAME")]
    pub school: Option<String>,
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
    let school = match &args.school {
        None => None,
        Some(text) => match catalog.school_id(text) {
            Ok(id) => Some(id),
            Err(why) => {
                errln!("error: --school: {why}");
                errln!("profnet: nothing was written");
                return EXIT_BAD_INPUT;
            }
        },
    };
    // A file that cannot be read is reported and the others are merged all the same;
    // the exit code says that something is missing.
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
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
                unreadable.push((label, format!("{} — {}", d.message, d.hint)));
            }
        }
    }
    let mut collected = collect_with(&catalog, &inputs, &Options { school });
    for (label, why) in unreadable {
        collected.add_unreadable(&label, why);
    }
    for b in &collected.failed {
        if b.status != "unreadable" {
            errln!("error: {}: {}", b.file, b.message);
        }
    }
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
    if collected.students.is_empty() {
        errln!(
            "profnet: not one student came out of the files; nothing was written. Fix the \
             files named above and run again."
        );
        return EXIT_BAD_INPUT;
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
    if !collected.failed.is_empty() {
        errln!(
            "profnet: {} file(s) or sheet(s) of the {} given could not be read or gave no students \
             (named above and in the report); the \
             others are merged into {}. Fix those files and collect again.",
            collected.failed.len(),
            args.files.len(),
            args.out.display()
        );
        return EXIT_BAD_INPUT;
    }
    EXIT_OK
}

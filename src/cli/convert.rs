//! `profnet convert BUNDLE --to TARGET`: a bundle directory to a network workbook
//! (SPEC §7) and back, losslessly: what comes back loads to the same network, and CSV
//! files written the way profnet writes them come back byte for byte.
//!
//! The target must not exist yet (or be an empty directory): a conversion never
//! overwrites what a person may have edited.

use std::path::{Path, PathBuf};

use profnet::input::workbook::{self, WorkbookOptions};
use profnet::input::BundleFiles;
use profnet::planfile::write::write_dir_atomically;

use super::{print_capped, write_atomically, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The bundle: a directory of CSV files and network.toml, or a workbook NAME.xlsx.
    pub bundle: PathBuf,
    /// What to write: FILE.xlsx (from a directory) or a new directory (from a workbook).
    #[arg(long, value_name = "PATH")]
    pub to: PathBuf,
}

pub fn run(args: &Args) -> u8 {
    let (from, to) = (args.bundle.as_path(), args.to.as_path());
    if let Err(code) = refuse_existing(to) {
        return code;
    }
    let files = match BundleFiles::open(from) {
        Ok(f) => f,
        Err(invalid) => {
            print_capped(&invalid.0);
            errln!(
                "profnet: cannot read {}; nothing was written",
                from.display()
            );
            return EXIT_BAD_INPUT;
        }
    };
    let to_workbook = workbook::is_workbook(to);
    match (files.is_workbook(), to_workbook) {
        (false, true) => to_xlsx(&files, from, to),
        (true, false) => to_dir(&files, from, to),
        (true, true) => {
            errln!(
                "profnet: {} is a workbook already; to get a directory of CSV files, give --to a directory name",
                from.display()
            );
            EXIT_BAD_INPUT
        }
        (false, false) => {
            errln!(
                "profnet: {} is a directory; give --to a workbook name ending in .xlsx",
                from.display()
            );
            EXIT_BAD_INPUT
        }
    }
}

/// Exit 2 when `to` exists (an empty directory is fine).
fn refuse_existing(to: &Path) -> Result<(), u8> {
    let empty_dir = std::fs::read_dir(to).is_ok_and(|mut d| d.next().is_none());
    if to.exists() && !empty_dir {
        errln!(
            "profnet: {} exists; convert writes only to a new file or directory (nothing was written) \
             — choose another name, or move the old one away",
            to.display()
        );
        return Err(EXIT_BAD_INPUT);
    }
    Ok(())
}

fn to_xlsx(files: &BundleFiles, from: &Path, to: &Path) -> u8 {
    let bytes = match workbook::write_workbook(files, WorkbookOptions::default()) {
        Ok(b) => b,
        Err(diags) => {
            print_capped(&diags);
            errln!(
                "profnet: {} has files that cannot be converted; nothing was written",
                from.display()
            );
            return EXIT_BAD_INPUT;
        }
    };
    if let Err(e) = write_atomically(to, &bytes) {
        errln!("profnet: cannot write {}: {e:#}", to.display());
        return EXIT_FAIL;
    }
    outln!(
        "{}: the bundle {} as a workbook",
        to.display(),
        from.display()
    );
    note_problems(files, to);
    EXIT_OK
}

fn to_dir(files: &BundleFiles, from: &Path, to: &Path) -> u8 {
    // A sheet that could not be read faithfully (merged cells, Excel errors, formulas
    // without a value, two sheets for one file) would lose data: stop.
    if files.problems.iter().any(|d| d.is_error()) {
        print_capped(&files.problems);
        errln!(
            "profnet: {} has sheets that cannot be converted as they are; fix them and run again (nothing was written)",
            from.display()
        );
        return EXIT_BAD_INPUT;
    }
    let names: Vec<&str> = profnet::input::files::BUNDLE_FILES
        .iter()
        .copied()
        .filter(|f| files.exists(f))
        .collect();
    let written = write_dir_atomically(to, |tmp| {
        for name in &names {
            let bytes = files.get(name).map_err(|d| anyhow::anyhow!("{d}"))?;
            std::fs::write(tmp.join(name), bytes)?;
        }
        Ok(())
    });
    if let Err(e) = written {
        errln!("profnet: cannot write {}: {e:#}", to.display());
        return EXIT_FAIL;
    }
    outln!(
        "{}: the workbook {} as a bundle directory ({} files)",
        to.display(),
        from.display(),
        names.len()
    );
    note_problems(files, from);
    EXIT_OK
}

/// Says (without failing) whether the converted bundle validates, so nobody is
/// surprised later.
fn note_problems(files: &BundleFiles, validate: &Path) {
    // The files already read: the same bytes as on disk, without reading them again.
    if let Err(invalid) = profnet::input::load_bundle(files.clone()) {
        let n = invalid.0.iter().filter(|d| d.is_error()).count();
        errln!(
            "profnet: note: the bundle has {n} error(s) to fix before it can be planned; `profnet validate {}` lists them",
            validate.display()
        );
    }
}

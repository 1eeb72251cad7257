//! `profnet init DIR`: an empty bundle to fill in, one example row per file, and a
//! guide for the people filling it in; `profnet init --xlsx FILE.xlsx`: the same as
//! one workbook (SPEC §7) with an instruction sheet.

use std::fs;
use std::path::PathBuf;

use profnet::input::collect::bundle_template;
use profnet::planfile::write::write_dir_atomically;

use super::{EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The directory to create (must not exist, or be empty).
    #[arg(required_unless_present = "xlsx", conflicts_with = "xlsx")]
    pub dir: Option<PathBuf>,
    /// Write the template as one workbook FILE.xlsx instead (must not exist).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    if let Some(book) = &args.xlsx {
        return workbook(book);
    }
    let Some(dir) = &args.dir else {
        errln!("profnet: give the directory to create, or --xlsx FILE.xlsx");
        return EXIT_BAD_INPUT;
    };
    if dir.exists() {
        let empty = fs::read_dir(dir).map(|mut d| d.next().is_none());
        match empty {
            Ok(true) => {}
            Ok(false) => {
                errln!(
                    "profnet: {} is not empty; init writes only into a new or empty directory (nothing was written)",
                    dir.display()
                );
                return EXIT_BAD_INPUT;
            }
            Err(_) => {
                errln!(
                    "profnet: {} exists and is not a directory (nothing was written)",
                    dir.display()
                );
                return EXIT_BAD_INPUT;
            }
        }
    }
    let files = bundle_template();
    let written = write_dir_atomically(dir, |tmp| {
        for (name, text) in &files {
            fs::write(tmp.join(name), text)?;
        }
        Ok(())
    });
    match written {
        Ok(()) => {
            outln!(
                "{}: a bundle to fill in ({} files, one example row each); read GUIDE.md, then run `profnet validate {}`",
                dir.display(),
                files.len(),
                dir.display()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: cannot write {}: {e:#}", dir.display());
            EXIT_FAIL
        }
    }
}

/// `init --xlsx FILE`: the template bundle as a workbook, opened at its instructions.
fn workbook(book: &std::path::Path) -> u8 {
    if book.exists() {
        errln!(
            "profnet: {} exists; init writes only a new file (nothing was written)",
            book.display()
        );
        return EXIT_BAD_INPUT;
    }
    if !profnet::input::workbook::is_workbook(book) {
        errln!(
            "profnet: --xlsx {}: the name must end in .xlsx",
            book.display()
        );
        return EXIT_BAD_INPUT;
    }
    let files = bundle_template();
    let memory: Vec<(&str, &[u8])> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".csv") || name.ends_with(".toml"))
        .map(|(name, text)| (*name, text.as_bytes()))
        .collect();
    let bundle = profnet::input::BundleFiles::from_memory(&memory);
    let options = profnet::input::workbook::WorkbookOptions {
        open_at_instructions: true,
        problems: None,
    };
    let written = profnet::input::workbook::write_workbook(&bundle, options)
        .map_err(|d| {
            anyhow::anyhow!(
                "{}",
                d.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .and_then(|bytes| super::write_atomically(book, &bytes));
    match written {
        Ok(()) => {
            outln!(
                "{}: a network workbook to fill in (one sheet per table, one example row each, and an instruction sheet); then run `profnet validate {}`",
                book.display(),
                book.display()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: cannot write {}: {e:#}", book.display());
            EXIT_FAIL
        }
    }
}

//! A bundle's files as bytes, wherever they come from: a directory (SPEC §1), a
//! workbook (SPEC §7, read by [`super::workbook`]) or memory. Everything that reads a
//! bundle (the loader, scenarios, collect, the form template, convert) reads it
//! through [`BundleFiles`], so a workbook is accepted wherever a directory is, and its
//! problems are named by sheet, row and cell ([`BundleFiles::relabel`]).

// Diagnostics are the error values here: built only on the failure path.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::table;
use super::workbook;
use crate::diag::{Diagnostic, InvalidInput};

/// The bundle directory does not exist.
const NO_DIR: &str = "E0009";

/// The files of SPEC §1 (and §8) that a bundle directory may hold.
pub const BUNDLE_FILES: [&str; 10] = [
    "network.toml",
    "schools.csv",
    "links.csv",
    "rooms.csv",
    "courses.csv",
    "teachers.csv",
    "students.csv",
    "vehicles.csv",
    "pinned_groups.csv",
    "pinned_students.csv",
];

/// A bundle's files: the bytes of each, or why it could not be read.
#[derive(Clone, Debug)]
pub struct BundleFiles {
    /// The network's name when `network.toml` has none (the directory's or workbook's
    /// name).
    pub name: String,
    /// Where the bundle is (`None` in memory).
    pub path: Option<PathBuf>,
    /// Every file name beside the bundle's (to suggest a near miss for a missing one).
    listing: Vec<String>,
    /// The bundle's files; a file that is not here is missing.
    bytes: HashMap<String, Result<Vec<u8>, Diagnostic>>,
    /// For a workbook: where its files' lines are in the sheets.
    places: Option<workbook::Places>,
    /// For a workbook: problems of the workbook itself, in sheet terms.
    pub problems: Vec<Diagnostic>,
}

impl BundleFiles {
    /// The bundle at `path`: a directory, or a workbook (`.xlsx`). `Err` when there is
    /// no such directory, or the workbook cannot be read at all.
    pub fn open(path: &Path) -> Result<BundleFiles, InvalidInput> {
        if path.is_file() || workbook::is_workbook(path) {
            return Self::read_workbook(path);
        }
        if !path.is_dir() {
            return Err(InvalidInput(vec![Diagnostic::error(
                NO_DIR,
                path.display().to_string(),
                "the bundle does not exist: no such directory or workbook",
            )
            .hint(
                "give the directory that holds network.toml, schools.csv, … (SPEC §1) \
                 or a workbook NAME.xlsx (SPEC §7)",
            )]));
        }
        Ok(Self::read_dir(path))
    }

    /// Reads every file of SPEC §1 from `dir` (an existing directory).
    pub fn read_dir(dir: &Path) -> BundleFiles {
        BundleFiles {
            name: stem(dir),
            path: Some(dir.to_path_buf()),
            listing: std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            bytes: BUNDLE_FILES
                .iter()
                .filter(|f| !f.starts_with("pinned_") || dir.join(f).exists())
                .map(|&f| (f.to_owned(), table::read_bytes(&dir.join(f), f)))
                .collect(),
            places: None,
            problems: Vec::new(),
        }
    }

    /// Reads the workbook at `path` (SPEC §7).
    pub fn read_workbook(path: &Path) -> Result<BundleFiles, InvalidInput> {
        let book = workbook::read(path).map_err(InvalidInput)?;
        Ok(Self::of_workbook(book, path))
    }

    /// The files of a workbook already read (from a file or from memory).
    pub fn of_workbook(book: workbook::ReadWorkbook, path: &Path) -> BundleFiles {
        BundleFiles {
            name: stem(path),
            path: Some(path.to_path_buf()),
            listing: book.sheets,
            bytes: book
                .files
                .into_iter()
                .map(|(name, bytes)| (name, Ok(bytes)))
                .collect(),
            places: Some(book.places),
            problems: book.problems,
        }
    }

    /// Files given as `(name, bytes)` pairs, named `network` when nameless.
    pub fn from_memory(files: &[(&str, &[u8])]) -> BundleFiles {
        BundleFiles {
            name: "network".to_owned(),
            path: None,
            listing: files.iter().map(|(n, _)| n.to_string()).collect(),
            bytes: files
                .iter()
                .map(|&(n, b)| (n.to_owned(), Ok(b.to_vec())))
                .collect(),
            places: None,
            problems: Vec::new(),
        }
    }

    /// For a workbook: where its files' lines are in the sheets.
    pub fn places(&self) -> Option<&workbook::Places> {
        self.places.as_ref()
    }

    /// Whether the bundle is a workbook.
    pub fn is_workbook(&self) -> bool {
        self.places.is_some()
    }

    /// The bytes of `file`; `E0001` when it is missing, `E0008` when unreadable.
    pub fn get(&self, file: &str) -> Result<&[u8], Diagnostic> {
        match self.bytes.get(file) {
            Some(Ok(b)) => Ok(b),
            Some(Err(d)) => Err(d.clone()),
            None => {
                Err(
                    Diagnostic::error(table::MISSING_FILE, file, format!("file not found: {file}"))
                        .hint(format!("create {file} (see SPEC §1 for its columns)")),
                )
            }
        }
    }

    /// `file`'s text (UTF-8 or Windows-1251, see [`table::decode_text`]), its
    /// problems named `label`.
    pub fn text(&self, file: &str, label: &str) -> Result<String, Diagnostic> {
        let relabel = |d: Diagnostic| Diagnostic {
            file: if d.file == file {
                label.to_owned()
            } else {
                d.file
            },
            ..d
        };
        let bytes = self.get(file).map_err(relabel)?;
        table::decode_text(bytes, label)
    }

    /// Whether `file` is there (possibly unreadable).
    pub fn exists(&self, file: &str) -> bool {
        match self.bytes.get(file) {
            Some(Ok(_)) => true,
            Some(Err(d)) => d.code != table::MISSING_FILE,
            None => false,
        }
    }

    /// The names beside the bundle's files (a directory's entries, a workbook's sheets).
    pub fn listing(&self) -> &[String] {
        &self.listing
    }

    /// The name of `file` in diagnostics that name the bundle too (`base/links.csv`):
    /// the path joined with the file.
    pub fn label(&self, file: &str) -> String {
        match &self.path {
            Some(p) => p.join(file).display().to_string(),
            None => file.to_owned(),
        }
    }

    /// `d` named as the user sees the bundle: for a workbook, the sheet, row and cell
    /// instead of the file and line (see [`workbook::Places::relabel`]).
    pub fn relabel(&self, d: Diagnostic) -> Diagnostic {
        match &self.places {
            Some(p) => p.relabel(d),
            None => d,
        }
    }

    /// [`BundleFiles::relabel`] of every diagnostic.
    pub fn relabel_all(&self, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags.into_iter().map(|d| self.relabel(d)).collect()
    }
}

/// The name of a directory or a workbook without its extension.
fn stem(path: &Path) -> String {
    let name = if workbook::is_workbook(path) {
        path.file_stem()
    } else {
        path.file_name()
    };
    name.map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "network".to_owned())
}

#[cfg(test)]
mod tests {
    use super::BUNDLE_FILES;

    #[test]
    fn the_bundle_files_are_the_workbook_sheets_files() {
        // One list per container: a file a directory may hold has its sheet, in order.
        let sheets: Vec<&str> = crate::input::workbook::SHEETS
            .iter()
            .map(|k| k.file)
            .collect();
        assert_eq!(sheets, BUNDLE_FILES);
    }
}

//! The `.xlsx` workbooks schools send to `profnet collect` (issue 18): each sheet that
//! holds a choice list becomes one [`Input`], read as the same table a CSV file of it
//! would give, so [`super::collect::collect`] treats both alike.
//!
//! * **Which sheets**: every worksheet whose header row gives the roles collect needs
//!   (a column of student ids or names and a choice or course column: the wide, long
//!   and form-export shapes all have them); the header row is the first used row, or
//!   the first of the next ten that gives those roles (a title above the table is
//!   passed over). Not read: sheets named `Инструкция` or `README`, hidden sheets, chart
//!   sheets, and sheets without those roles (a form template's `offered_course` list).
//!   If no sheet qualifies, the first visible worksheet is read, so that collect's
//!   "unrecognised" message shows its header.
//! * **Labels and rows**: a sheet's input is labelled `FILE.xlsx [SHEET]`, and its rows'
//!   line numbers are the sheet's 1-based row numbers, the rows a person sees in Excel.
//! * **Cells** read as a CSV file would hold them ([`cell_text`]): numbers without a
//!   needless `.0` (an id typed as a number stays `1001`), booleans `yes`/`no`, times
//!   `HH:MM`, dates `YYYY-MM-DD`; date-times keep their seconds, which order a form's
//!   repeated submissions. A cell holding an Excel error (`#N/A`) reads as empty and is
//!   reported on its row ([`CellError`]).
//! * **Whole-file errors** (`Err`): an old `.xls`, an encrypted workbook, an `.ods`, a
//!   file that is no workbook at all or a damaged one; each says what to do.

use std::path::Path;

use calamine::{Data, Reader, SheetType, SheetVisible};

use super::collect::{normalize, role_of, CellError, Input, Role};
use super::table;
use super::workbook::read::cell_text;
use super::workbook::{column_letters, NOT_XLSX, OLD_XLS, README_SHEET};
use crate::diag::Diagnostic;

/// What one file a school sent holds for collect.
#[derive(Default)]
pub struct SchoolFile {
    /// One input per sheet read (a CSV file: the one input).
    pub inputs: Vec<Input>,
    /// The sheets of a workbook that are not read, and why.
    pub skipped: Vec<(String, &'static str)>,
}

/// How many rows below the first used row a header row is looked for.
const HEADER_SEARCH: usize = 10;

/// The start of every OLE compound file: an old `.xls`, or an encrypted `.xlsx`.
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether a file is (meant to be) a workbook: by its first bytes (a zip or an OLE
/// file), or by its extension (`.xlsx`, `.xlsm`, `.xls`, `.ods`).
pub fn is_workbook(label: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&OLE)
        || matches!(extension(label).as_str(), "xlsx" | "xlsm" | "xls" | "ods")
}

fn extension(label: &str) -> String {
    Path::new(label)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Reads one file a school sent: a workbook ([`read_workbook`]) or a CSV file
/// ([`Input::from_bytes`]). `Err` when the file as a whole cannot be read.
#[allow(clippy::result_large_err)] // a diagnostic is built only on failure
pub fn read_school_file(label: &str, bytes: &[u8]) -> Result<SchoolFile, Diagnostic> {
    if is_workbook(label, bytes) {
        read_workbook(label, bytes)
    } else {
        Ok(SchoolFile {
            inputs: vec![Input::from_bytes(label, bytes)?],
            skipped: Vec::new(),
        })
    }
}

/// Whether a header row gives what collect needs: student ids (or names, e-mails) and
/// choices (ranked choice columns, or a course column).
pub fn gives_roles<S: AsRef<str>>(header: &[S]) -> bool {
    let roles: Vec<Role> = header
        .iter()
        .map(|h| role_of(&h.as_ref().trim().to_lowercase()))
        .collect();
    roles
        .iter()
        .any(|r| matches!(r, Role::Id | Role::IdName(_)))
        && roles
            .iter()
            .any(|r| matches!(r, Role::Choice(_) | Role::Course))
}

/// A sheet that explains the workbook, never a choice list.
fn is_instructions(sheet: &str) -> bool {
    let n = normalize(sheet);
    n == normalize(README_SHEET) || matches!(n.as_str(), "readme" | "read me")
}

/// The text of a cell as a CSV file would hold it; a date-time keeps its seconds.
fn text_of(data: &Data) -> String {
    if let Data::DateTime(dt) = data {
        let v = dt.as_f64();
        if !dt.is_duration() && v >= 1.0 && v.fract() != 0.0 {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if s != 0 {
                return format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}");
            }
        }
    }
    cell_text(data)
}

/// Reads the choice lists of a workbook (see the module doc for which sheets).
#[allow(clippy::result_large_err)] // a diagnostic is built only on failure
pub fn read_workbook(label: &str, bytes: &[u8]) -> Result<SchoolFile, Diagnostic> {
    let fail = |code, message: String, hint: &str| {
        Diagnostic::error(code, label, message).hint(hint.to_owned())
    };
    if let Some(d) = super::workbook::read::ole_problem(bytes, label) {
        // A school's file may also come back as CSV.
        return Err(if d.code == OLD_XLS {
            d.hint("open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)' (or as 'CSV UTF-8')")
        } else {
            d
        });
    }
    if extension(label) == "ods" {
        return Err(fail(
            NOT_XLSX,
            "this is an OpenDocument spreadsheet (.ods), which collect does not read".into(),
            "open it in LibreOffice and save it as 'Excel 2007-365 (.xlsx)' or as CSV",
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        let text =
            !bytes.is_empty() && std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok();
        let hint = if text {
            "it looks like a text file: if it is a CSV file, rename it to .csv; \
             otherwise save the data in Excel as 'Excel Workbook (*.xlsx)'"
        } else {
            "open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)' \
             (or as 'CSV UTF-8'); if it does not open, ask the school to send it again"
        };
        let what = if bytes.is_empty() {
            "the file is empty, not an .xlsx workbook"
        } else {
            "the file is not an .xlsx workbook"
        };
        return Err(fail(NOT_XLSX, what.into(), hint));
    }
    let mut wb = super::workbook::read::open_xlsx(bytes, label).map_err(|d| {
        if d.code == NOT_XLSX {
            d.hint(
                "open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)' \
                 (or as 'CSV UTF-8'); a damaged file must be sent again",
            )
        } else {
            d
        }
    })?;
    let sheets: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    let mut out = SchoolFile::default();
    let mut fallback: Option<(String, Vec<Vec<Data>>, u32, u32)> = None;
    for (name, visible) in &sheets {
        if is_instructions(name) {
            out.skipped.push((name.clone(), "an instruction sheet"));
            continue;
        }
        if !visible {
            out.skipped.push((name.clone(), "a hidden sheet"));
            continue;
        }
        let range = wb.worksheet_range(name).map_err(|e| {
            fail(
                NOT_XLSX,
                format!("sheet '{name}' cannot be read: {e}"),
                "open the workbook in Excel or LibreOffice and save it again",
            )
            .sheet(name.clone())
        })?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        let header = rows
            .iter()
            .take(HEADER_SEARCH + 1)
            .position(|r| gives_roles(&r.iter().map(text_of).collect::<Vec<_>>()));
        match header {
            Some(h) => {
                let sheet_label = format!("{label} [{name}]");
                out.inputs
                    .push(sheet_input(&sheet_label, &rows[h..], top + h as u32, left)?);
            }
            None => {
                out.skipped
                    .push((name.clone(), "no header row with student ids and choices"));
                if fallback.is_none() {
                    fallback = Some((name.clone(), rows, top, left));
                }
            }
        }
    }
    if out.inputs.is_empty() {
        let Some((name, rows, top, left)) = fallback else {
            return Err(fail(
                NOT_XLSX,
                "the workbook has no worksheet to read".into(),
                "put the students' choices on a visible sheet, one row per student",
            ));
        };
        // Read the first sheet anyway: collect says what its header lacks.
        out.skipped.retain(|(s, _)| *s != name);
        out.inputs
            .push(sheet_input(&format!("{label} [{name}]"), &rows, top, left)?);
    }
    Ok(out)
}

/// One sheet as an input: `rows` are the sheet's rows from the header row down, the
/// header row being 0-based sheet row `top`; `left` is the 0-based column of the
/// first cell of each row.
#[allow(clippy::result_large_err)] // a diagnostic is built only on failure
fn sheet_input(label: &str, rows: &[Vec<Data>], top: u32, left: u32) -> Result<Input, Diagnostic> {
    let width = rows
        .iter()
        .map(|r| {
            r.iter()
                .rposition(|c| !text_of(c).trim().is_empty())
                .map_or(0, |i| i + 1)
        })
        .max()
        .unwrap_or(0)
        .max(1);
    // Every cell quoted, so that the table reader sees ',' as the delimiter whatever
    // the headers hold.
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    // `row_of[line - 1]`: the 1-based sheet row of each line of the CSV text.
    let mut row_of: Vec<usize> = Vec::new();
    let mut errors = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let sheet_row = top as usize + r + 1;
        let mut cells: Vec<String> = row
            .iter()
            .take(width)
            .enumerate()
            .map(|(c, data)| match data {
                Data::Error(e) => {
                    errors.push(CellError {
                        line: sheet_row,
                        column: c,
                        cell: format!("{}{sheet_row}", column_letters(left + c as u32)),
                        error: e.to_string(),
                    });
                    String::new()
                }
                d => text_of(d),
            })
            .collect();
        cells.resize(width, String::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(&cells);
        let lines = 1 + cells.iter().map(|c| c.matches('\n').count()).sum::<usize>();
        row_of.extend(std::iter::repeat_n(sheet_row, lines));
    }
    let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    let at = |line: usize| row_of.get(line.wrapping_sub(1)).copied().unwrap_or(line);
    let (mut t, mut problems) = table::parse_table(&text, label).map_err(|d| match d.row {
        Some(l) => Diagnostic {
            row: Some(at(l)),
            ..d
        },
        None => d,
    })?;
    t.header_line = at(t.header_line);
    for row in &mut t.rows {
        row.line = at(row.line);
    }
    for d in &mut problems {
        d.row = d.row.map(at);
    }
    Ok(Input {
        label: label.to_owned(),
        table: t,
        problems,
        cell_errors: errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_rows_are_choice_list_headers() {
        assert!(gives_roles(&["id", "school", "grade", "choice_1"]));
        assert!(gives_roles(&["student", "course", "rank"]));
        assert!(gives_roles(&[
            "Отметка времени",
            "ФИО ученика",
            "Выберите первый курс"
        ]));
        assert!(!gives_roles(&["offered_course", "offered_name"]));
        assert!(!gives_roles(&["Выбор элективных курсов, 10–11 классы"]));
        assert!(!gives_roles(&["Класс", "Выберите первый курс"]));
        assert!(is_instructions("Инструкция") && is_instructions(" README "));
        assert!(!is_instructions("Лист1"));
    }

    #[test]
    fn school_files_by_content_and_name() {
        assert!(is_workbook("a.csv", b"PK\x03\x04rest"));
        assert!(is_workbook("a.XLSX", b"id,choice_1\n"));
        assert!(!is_workbook("a.csv", b"id,choice_1\n"));
        let csv = read_school_file("a.csv", b"id,choice_1\nA,PHYS\n").unwrap();
        assert_eq!(csv.inputs.len(), 1);
        assert_eq!(csv.inputs[0].label, "a.csv");
        for (bytes, code) in [
            (&b"id,choice_1\n"[..], NOT_XLSX),
            (&b""[..], NOT_XLSX),
            (&b"PK\x03\x04\x00\x00"[..], NOT_XLSX),
            (&OLE[..], OLD_XLS),
        ] {
            let e = read_school_file("b.xlsx", bytes).err().unwrap();
            assert_eq!(e.code, code, "{e}");
        }
    }
}

//! Reading a network workbook into the files of a bundle, remembering where each line
//! of those files came from (see [`super`]).

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, XlsxError};

use super::{
    column_letters, sheet_kind, DUPLICATE_KEY, ENCRYPTED, ERROR_VALUE, MERGED, NETWORK_SHEET,
    NOT_XLSX, NO_CACHED_VALUE, OLD_XLS, README_SHEET, TWO_SHEETS, UNKNOWN_SHEET, VALUE_WITHOUT_KEY,
};
use crate::diag::Diagnostic;
use crate::input::table;

/// A workbook read into bundle files.
#[derive(Debug)]
pub struct ReadWorkbook {
    /// `(file name, bytes)`: `network.toml` and one CSV file per bundle sheet, as a
    /// bundle directory would hold them (comma-separated UTF-8).
    pub files: Vec<(String, Vec<u8>)>,
    /// Where each line of those files is in the workbook.
    pub places: Places,
    /// Problems of the workbook itself (merged cells, Excel errors, formulas without a
    /// value, unknown sheets …), already in sheet terms. Errors here make the bundle
    /// unusable, as errors in its files do.
    pub problems: Vec<Diagnostic>,
    /// Every sheet's name, in the workbook's order.
    pub sheets: Vec<String>,
}

/// Where the lines of a workbook's bundle files are: for each file, its sheet, the
/// sheet row of every line and the sheet column of every header cell.
#[derive(Clone, Debug, Default)]
pub struct Places {
    /// The workbook, as the user named it.
    book: PathBuf,
    sheets: HashMap<String, SheetPlaces>,
}

#[derive(Clone, Debug, Default)]
struct SheetPlaces {
    sheet: String,
    /// `rows[line - 1]`: the 1-based sheet row where line `line` of the file is.
    rows: Vec<u32>,
    /// Lowercased header cell → 0-based sheet column (CSV sheets), in header order.
    columns: Vec<(String, u32)>,
    /// The network sheet: key → 1-based sheet row.
    keys: HashMap<String, u32>,
    /// The 0-based sheet column of the value (network) or first column.
    first_column: u32,
}

/// The sheet of problems in a marked workbook ([`super::write::write_marked`]),
/// lowercased.
const PROBLEMS_SHEET_LOWER: &str = "ошибки";

/// Whether `path` names a workbook (by its extension; `.xls` too, so that it gets the
/// message that says to save it as `.xlsx`).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_lowercase().as_str(), "xlsx" | "xlsm" | "xls"))
}

/// Reads the workbook at `path`. `Err` when it cannot be read as a workbook at all
/// (missing, not an xlsx, an old .xls, encrypted); problems inside are in
/// [`ReadWorkbook::problems`] and in what loading its files reports.
pub fn read(path: &Path) -> Result<ReadWorkbook, Vec<Diagnostic>> {
    let label = path.display().to_string();
    let bytes = table::read_bytes(path, &label).map_err(|d| {
        let d = if d.code == table::MISSING_FILE {
            d.hint("check the path: give the .xlsx workbook or the bundle directory")
        } else {
            d
        };
        vec![d]
    })?;
    read_bytes(&bytes, path)
}

/// Reads a workbook held in memory (an upload, say); `path` names it in diagnostics.
pub fn read_bytes(bytes: &[u8], path: &Path) -> Result<ReadWorkbook, Vec<Diagnostic>> {
    let label = path.display().to_string();
    let fail = |code, message: String, hint: &str| {
        vec![Diagnostic::error(code, label.clone(), message).hint(hint)]
    };
    if let Some(d) = ole_problem(bytes, &label) {
        return Err(vec![d]);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        let text = std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok();
        let hint = if text {
            "this looks like a text (CSV) file: a bundle of CSV files is a directory; \
             give the directory, or save the data as an Excel workbook (.xlsx)"
        } else {
            "save the data in Excel or LibreOffice as 'Excel Workbook (*.xlsx)'"
        };
        return Err(fail(
            NOT_XLSX,
            "the file is not an .xlsx workbook".into(),
            hint,
        ));
    }
    let mut wb = open_xlsx(bytes, &label).map_err(|d| vec![d])?;
    let sheets: Vec<String> = wb.sheet_names();
    let mut out = ReadWorkbook {
        files: Vec::new(),
        places: Places {
            book: path.to_path_buf(),
            sheets: HashMap::new(),
        },
        problems: Vec::new(),
        sheets: sheets.clone(),
    };
    // Merged regions are read once for the whole workbook; a file whose merge list
    // cannot be read is treated as having none.
    let merged = wb.load_merged_regions().is_ok();
    let mut taken: HashMap<&'static str, String> = HashMap::new();
    for name in &sheets {
        let Some(kind) = sheet_kind(name) else {
            let lower = name.trim().to_lowercase();
            // Our own sheets: the instructions, and the problems of a marked workbook.
            if ![
                README_SHEET.to_lowercase().as_str(),
                "readme",
                PROBLEMS_SHEET_LOWER,
            ]
            .contains(&lower.as_str())
            {
                out.problems.push(
                    Diagnostic::warning(
                        UNKNOWN_SHEET,
                        label.clone(),
                        format!("sheet '{name}' is not a bundle sheet; it is ignored"),
                    )
                    .sheet(name.clone())
                    .hint(format!(
                        "bundle sheets are {} (or in Russian: {}); rename the sheet if it is one of them",
                        super::SHEETS.map(|k| k.name).join(", "),
                        super::SHEETS.map(|k| k.russian).join(", ")
                    )),
                );
            }
            continue;
        };
        if let Some(first) = taken.get(kind.file) {
            out.problems.push(
                Diagnostic::error(
                    TWO_SHEETS,
                    label.clone(),
                    format!(
                        "sheets '{first}' and '{name}' both hold {}; only one may",
                        kind.file
                    ),
                )
                .sheet(name.clone())
                .hint("merge their rows into one sheet and delete the other"),
            );
            continue;
        }
        taken.insert(kind.file, name.clone());
        let range = match wb.worksheet_range(name) {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(
                    Diagnostic::error(
                        NOT_XLSX,
                        label.clone(),
                        format!("sheet '{name}' cannot be read: {e}"),
                    )
                    .sheet(name.clone())
                    .hint("open the workbook in Excel or LibreOffice and save it again"),
                );
                continue;
            }
        };
        let formulas = wb.worksheet_formula(name).ok();
        let regions: Vec<calamine::Dimensions> = if merged {
            wb.merged_regions_by_sheet(name)
                .into_iter()
                .map(|(_, _, d)| *d)
                .collect()
        } else {
            Vec::new()
        };
        let mut sheet = Sheet {
            book: &label,
            name,
            problems: &mut out.problems,
        };
        let grid = sheet.grid(&range, formulas.as_ref(), &regions);
        let (bytes, places) = if kind.file == "network.toml" {
            sheet.network(&grid)
        } else {
            sheet.csv(&grid)
        };
        out.files.push((kind.file.to_owned(), bytes));
        out.places.sheets.insert(kind.file.to_owned(), places);
    }
    Ok(out)
}

/// `bytes` opened as an .xlsx workbook (a zip): `E0013` when it is encrypted, `E0011`
/// when it is damaged or another kind of zip (an .ods, a .docx).
#[allow(clippy::result_large_err)] // a diagnostic is built only on failure
pub fn open_xlsx<'b>(bytes: &'b [u8], label: &str) -> Result<Xlsx<Cursor<&'b [u8]>>, Diagnostic> {
    Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsxError::Password => Diagnostic::error(
            ENCRYPTED,
            label,
            "the workbook is encrypted (it has a password to open)",
        )
        .hint("save a copy without the password and give that one"),
        e => Diagnostic::error(
            NOT_XLSX,
            label,
            format!("the file is not a readable .xlsx workbook: {e}"),
        )
        .hint(
            "open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)' \
             (an .ods or a damaged file cannot be read)",
        ),
    })
}

/// The start of every OLE compound file: an old `.xls`, or an encrypted `.xlsx`.
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Why an OLE compound file given as a workbook cannot be read: an encrypted `.xlsx`
/// (an `EncryptedPackage` stream, its name in UTF-16) or an old binary `.xls`. `None`
/// when `bytes` are no OLE file.
pub fn ole_problem(bytes: &[u8], label: &str) -> Option<Diagnostic> {
    if !bytes.starts_with(&OLE) {
        return None;
    }
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    Some(if bytes.windows(name.len()).any(|w| w == name.as_slice()) {
        Diagnostic::error(
            ENCRYPTED,
            label,
            "the workbook is encrypted (it has a password to open)",
        )
        .hint(
            "open it in Excel or LibreOffice and save a copy without the password \
             (File → Info → Protect Workbook → Encrypt with Password: clear it)",
        )
    } else {
        Diagnostic::error(
            OLD_XLS,
            label,
            "this is an old Excel workbook (.xls, Excel 97–2003), which is not read",
        )
        .hint("open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)'")
    })
}

/// One cell: its text as a CSV file would hold it, and the cell as Excel had it.
#[derive(Clone, Debug)]
struct Cell {
    text: String,
    data: Data,
}

/// A sheet's used area: absolute 0-based row and column of its top-left cell, and its
/// rows (each as wide as the area).
struct Grid {
    top: u32,
    left: u32,
    rows: Vec<Vec<Cell>>,
}

struct Sheet<'a> {
    book: &'a str,
    name: &'a str,
    problems: &'a mut Vec<Diagnostic>,
}

impl Sheet<'_> {
    fn error(&mut self, code: &'static str, row: u32, col: u32, message: String, hint: &str) {
        self.problems.push(
            Diagnostic::error(code, self.book, message)
                .sheet(self.name)
                .row(row as usize + 1)
                .cell(format!("{}{}", column_letters(col), row + 1))
                .hint(hint),
        );
    }

    /// The used cells as text; reports Excel errors, formulas without a saved value and
    /// merged cells.
    fn grid(
        &mut self,
        range: &calamine::Range<Data>,
        formulas: Option<&calamine::Range<String>>,
        merged: &[calamine::Dimensions],
    ) -> Grid {
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::with_capacity(range.height());
        for (r, row) in range.rows().enumerate() {
            let mut cells = Vec::with_capacity(row.len());
            for (c, data) in row.iter().enumerate() {
                let (ar, ac) = (top + r as u32, left + c as u32);
                let text = match data {
                    Data::Error(e) => {
                        self.error(
                            ERROR_VALUE,
                            ar,
                            ac,
                            format!("the cell holds the Excel error {e}"),
                            "fix the formula or type the value; a bundle cell must hold a value",
                        );
                        String::new()
                    }
                    d => cell_text(d),
                };
                cells.push(Cell {
                    text,
                    data: data.clone(),
                });
            }
            rows.push(cells);
        }
        if let Some(f) = formulas {
            let (ft, fl) = f.start().unwrap_or((0, 0));
            for (r, c, formula) in f.used_cells() {
                if formula.is_empty() {
                    continue;
                }
                let (ar, ac) = (ft + r as u32, fl + c as u32);
                let value = ar
                    .checked_sub(top)
                    .zip(ac.checked_sub(left))
                    .and_then(|(rr, cc)| rows.get(rr as usize)?.get(cc as usize));
                if value.is_none_or(|v| matches!(v.data, Data::Empty)) {
                    self.error(
                        NO_CACHED_VALUE,
                        ar,
                        ac,
                        format!("the formula ={formula} has no saved value"),
                        "open the workbook in Excel or LibreOffice and save it (that computes \
                         the formulas), or replace the formulas by their values (Paste Special → Values)",
                    );
                }
            }
        }
        for m in merged {
            let span = format!(
                "{}{}:{}{}",
                column_letters(m.start.1),
                m.start.0 + 1,
                column_letters(m.end.1),
                m.end.0 + 1
            );
            let header = m.start.0 <= top;
            let what = if header {
                format!("the header cells {span} are merged")
            } else {
                format!("the cells {span} are merged; only the first holds the value")
            };
            self.error(
                MERGED,
                m.start.0,
                m.start.1,
                what,
                "unmerge them (Format → Merge cells → Unmerge) and give every column its own \
                 header cell and every row its own value",
            );
        }
        Grid { top, left, rows }
    }

    /// A CSV sheet as the CSV file of a bundle: the header row is the first used row;
    /// every row below becomes a line (empty rows too, so lines and rows stay in step).
    fn csv(&mut self, grid: &Grid) -> (Vec<u8>, SheetPlaces) {
        let width = grid
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .rposition(|c| !c.text.is_empty())
                    .map_or(0, |i| i + 1)
            })
            .max()
            .unwrap_or(0);
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut places = SheetPlaces {
            sheet: self.name.to_owned(),
            first_column: grid.left,
            ..SheetPlaces::default()
        };
        if let Some(header) = grid.rows.first() {
            places.columns = header
                .iter()
                .take(width)
                .enumerate()
                .map(|(i, c)| (c.text.trim().to_lowercase(), grid.left + i as u32))
                .collect();
        }
        for (r, row) in grid.rows.iter().enumerate() {
            let mut cells: Vec<&str> = row.iter().take(width).map(|c| c.text.as_str()).collect();
            cells.resize(width.max(1), "");
            // Writing to memory cannot fail.
            let _ = w.write_record(&cells);
            let lines = 1 + cells.iter().map(|c| c.matches('\n').count()).sum::<usize>();
            places
                .rows
                .extend(std::iter::repeat_n(grid.top + r as u32 + 1, lines));
        }
        (w.into_inner().unwrap_or_default(), places)
    }

    /// The `network` sheet (`key`, `value`, optional `comment`) as `network.toml`, one
    /// key per line, tables (`weights.rank`) after the plain keys.
    fn network(&mut self, grid: &Grid) -> (Vec<u8>, SheetPlaces) {
        let mut places = SheetPlaces {
            sheet: self.name.to_owned(),
            first_column: grid.left,
            ..SheetPlaces::default()
        };
        let cell = |row: &[Cell], i: usize| row.get(i).cloned();
        let mut entries: Vec<Entry> = Vec::new();
        for (r, row) in grid.rows.iter().enumerate() {
            let sheet_row = grid.top + r as u32;
            let key = cell(row, 0)
                .map(|c| c.text.trim().to_owned())
                .unwrap_or_default();
            let value = cell(row, 1);
            let has_value = value.as_ref().is_some_and(|v| !v.text.trim().is_empty());
            if r == 0
                && matches!(
                    key.to_lowercase().as_str(),
                    "key" | "ключ" | "параметр" | "setting"
                )
            {
                continue;
            }
            if key.is_empty() {
                if has_value {
                    self.error(
                        VALUE_WITHOUT_KEY,
                        sheet_row,
                        grid.left + 1,
                        "this row has a value but no key".into(),
                        "type the setting's name (name, day_start, day_end, periods, min_group, \
                         max_group, wants …) in the first column, or delete the row",
                    );
                }
                continue;
            }
            if let Some(first) = entries.iter().find(|e| e.key == key) {
                let first = first.row + 1;
                self.error(
                    DUPLICATE_KEY,
                    sheet_row,
                    grid.left,
                    format!("key '{key}' is given twice (first in row {first})"),
                    "keep one of the two rows",
                );
                continue;
            }
            let Some(value) = value_of(&key, value.as_ref().map(|c| &c.data)) else {
                continue;
            };
            let comment = cell(row, 2)
                .map(|c| c.text.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            places.keys.insert(key.clone(), sheet_row + 1);
            entries.push(Entry {
                key,
                value,
                comment,
                row: sheet_row,
            });
        }
        let (text, rows) = network_toml(&entries);
        places.rows = rows;
        places.first_column = grid.left + 1;
        (text.into_bytes(), places)
    }
}

/// One setting of the network sheet.
struct Entry {
    key: String,
    value: toml::Value,
    comment: String,
    /// 0-based sheet row.
    row: u32,
}

/// The `network.toml` text of `entries` and the 1-based sheet row of each of its lines.
fn network_toml(entries: &[Entry]) -> (String, Vec<u32>) {
    let mut text = String::new();
    let mut rows = Vec::new();
    let line = |text: &mut String, rows: &mut Vec<u32>, s: &str, row: u32| {
        text.push_str(s);
        text.push('\n');
        rows.extend(std::iter::repeat_n(row + 1, 1 + s.matches('\n').count()));
    };
    let render = |key: &str, e: &Entry| {
        let mut s = format!("{} = {}", toml_key(key), e.value);
        if !e.comment.is_empty() {
            s.push_str("  # ");
            s.push_str(&e.comment);
        }
        s
    };
    for e in entries.iter().filter(|e| !e.key.contains('.')) {
        line(&mut text, &mut rows, &render(&e.key, e), e.row);
    }
    let mut tables: Vec<&str> = Vec::new();
    for e in entries {
        if let Some((t, _)) = e.key.split_once('.') {
            if !tables.contains(&t) {
                tables.push(t);
            }
        }
    }
    for t in tables {
        let members: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.key.split_once('.').is_some_and(|(tt, _)| tt == t))
            .collect();
        line(&mut text, &mut rows, "", members[0].row);
        line(
            &mut text,
            &mut rows,
            &format!("[{}]", toml_key(t)),
            members[0].row,
        );
        for e in members {
            let (_, k) = e.key.split_once('.').unwrap_or(("", &e.key));
            line(&mut text, &mut rows, &render(k, e), e.row);
        }
    }
    (text, rows)
}

/// A key as TOML writes it: bare when it may be, else quoted.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        toml::Value::String(key.to_owned()).to_string()
    }
}

/// The TOML value of setting `key` given as `cell`; `None` when the cell is empty and
/// the key may be left out (its default holds). Required keys with an empty value get
/// an empty text, so that the loader names their row.
fn value_of(key: &str, cell: Option<&Data>) -> Option<toml::Value> {
    use toml::Value as V;
    let data = cell.cloned().unwrap_or(Data::Empty);
    let text = match &data {
        Data::Error(_) => String::new(),
        d => cell_text(d).trim().to_owned(),
    };
    let required = matches!(key, "name" | "day_start" | "day_end" | "periods");
    if text.is_empty() && !required {
        return None;
    }
    Some(match key {
        "name" => V::String(text),
        "periods" => V::Array(
            text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|p| !p.is_empty())
                .map(|p| V::String(p.to_owned()))
                .collect(),
        ),
        "day_start" | "day_end" => match data {
            // A number that lost its time format: a fraction of a day.
            Data::Float(f) if f > 0.0 && f < 1.0 => V::String(hhmm_of_day(f)),
            _ => V::String(text),
        },
        _ => match data {
            Data::Int(i) => V::Integer(i),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => V::Integer(f as i64),
            Data::Float(f) => V::Float(f),
            Data::Bool(b) => V::Boolean(b),
            Data::DateTime(dt) if dt.is_datetime() && dt.as_f64().fract() == 0.0 => text
                .parse::<toml::value::Datetime>()
                .map_or(V::String(text.clone()), V::Datetime),
            _ => {
                if let Ok(i) = text.parse::<i64>() {
                    V::Integer(i)
                } else if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    V::Float(f)
                } else {
                    V::String(text)
                }
            }
        },
    })
}

/// The text a CSV file would hold for a cell (SPEC §7): numbers without a needless
/// `.0`, booleans as `yes`/`no`, times as `HH:MM`, dates as `YYYY-MM-DD`.
pub fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if dt.is_duration() || (0.0..1.0).contains(&v) {
                hhmm_of_day(v)
            } else {
                let (y, m, d, h, min, _, _) = dt.to_ymd_hms_milli();
                if v.fract() == 0.0 {
                    format!("{y:04}-{m:02}-{d:02}")
                } else {
                    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}")
                }
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// A number as people write it: `10` for 10.0, `55.78` for 55.78.
pub fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// `HH:MM` of a fraction of a day (rounded to the minute; hours past 24 kept, as a
/// duration shows them).
fn hhmm_of_day(f: f64) -> String {
    let minutes = (f * 1440.0).round().max(0.0) as u64;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl Places {
    /// `d` in workbook terms when it is about one of the workbook's files: the sheet,
    /// its row and the cell instead of the file and line. Other diagnostics are
    /// returned as they are.
    pub fn relabel(&self, mut d: Diagnostic) -> Diagnostic {
        if d.sheet.is_some() {
            return d;
        }
        let book = self.book.display().to_string();
        let Some(kind) = super::SHEETS
            .iter()
            .find(|k| d.file == k.file || d.file == self.book.join(k.file).display().to_string())
        else {
            return d;
        };
        let network = kind.file == "network.toml";
        let Some(sp) = self.sheets.get(kind.file) else {
            // The sheet is missing (or could not be read: its own error says so).
            if d.code == table::MISSING_FILE {
                d.message = format!(
                    "the workbook has no sheet '{}' (or '{}')",
                    kind.name, kind.russian
                );
                d.hint = match kind.schema {
                    Some(s) => format!(
                        "add a sheet named '{}' whose first row is the header {} (SPEC §7)",
                        kind.name,
                        s.header(1).join(", ")
                    ),
                    None => format!(
                        "add a sheet named '{NETWORK_SHEET}' with the columns key and value, \
                         one row per setting: name, day_start, day_end, periods, min_group, \
                         max_group, wants (SPEC §7)"
                    ),
                };
            }
            d.file = book;
            return d.sheet(kind.name);
        };
        d.file = book;
        let mut row = d
            .row
            .and_then(|line| sp.rows.get(line.saturating_sub(1)).copied());
        if network {
            if row.is_none() {
                row = d.column.as_ref().and_then(|k| sp.keys.get(k)).copied();
            }
            d.message = d.message.replace("network.toml", "the network sheet");
            d.hint = network_hint(&d);
            d.column = Some(if row.is_some() { "value" } else { "key" }.to_owned());
            let letter = column_letters(sp.first_column - u32::from(row.is_none()));
            d.cell = Some(match row {
                Some(r) => format!("{letter}{r}"),
                None => letter,
            });
        } else if let Some(col) = &d.column {
            let lower = col.trim().to_lowercase();
            let at = sp
                .columns
                .iter()
                .find(|(h, _)| *h == lower)
                .map(|&(_, c)| c)
                .or_else(|| {
                    let n: u32 = lower.strip_prefix('#')?.parse().ok()?;
                    Some(sp.first_column + n.checked_sub(1)?)
                });
            if let Some(c) = at {
                let letter = column_letters(c);
                d.cell = Some(match row {
                    Some(r) => format!("{letter}{r}"),
                    None => letter,
                });
            }
        }
        d.row = row.map(|r| r as usize);
        d.sheet(sp.sheet.clone())
    }
}

impl Places {
    /// The name of the sheet that held bundle file `file`.
    pub fn sheet_name(&self, file: &str) -> Option<&str> {
        self.sheets.get(file).map(|sp| sp.sheet.as_str())
    }

    /// Where `d` (a diagnostic in sheet terms) is in the workbook [`super::write`]
    /// writes from these files: its file and cell there (the header is row 0, the
    /// first used column column 0), or the network sheet's key. `None` when `d` names no
    /// cell of a sheet read.
    pub fn mark_of(&self, d: &Diagnostic) -> Option<(&'static str, super::write::MarkAt)> {
        let sheet = d.sheet.as_deref()?;
        let (file, sp) = self.sheets.iter().find(|(_, sp)| sp.sheet == sheet)?;
        let file = super::SHEETS.iter().find(|k| k.file == file)?.file;
        let row = u32::try_from(d.row?).ok()?;
        if file == "network.toml" {
            let key = sp.keys.iter().find(|(_, r)| **r == row)?.0.clone();
            return Some((file, super::write::MarkAt::Key(key)));
        }
        let letters: String = d
            .cell
            .as_deref()?
            .chars()
            .take_while(char::is_ascii_uppercase)
            .collect();
        let col = column_index(&letters)?.checked_sub(sp.first_column)?;
        let top = *sp.rows.first()?;
        Some((
            file,
            super::write::MarkAt::Cell {
                row: row.checked_sub(top)?,
                col: u16::try_from(col).ok()?,
            },
        ))
    }
}

/// The 0-based column of Excel's letters (`A` → 0, `AA` → 26).
fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    letters
        .bytes()
        .try_fold(0u32, |n, b| {
            b.is_ascii_uppercase()
                .then(|| n * 26 + u32::from(b - b'A') + 1)
        })
        .map(|n| n - 1)
}

/// A hint for a problem of the network sheet: the loader's hints show `network.toml`
/// lines (`key = "value"`); in a sheet, a value is typed in a cell.
fn network_hint(d: &Diagnostic) -> String {
    let key = d.column.as_deref().unwrap_or("");
    let example = match key {
        "name" => "the network's name",
        "day_start" => "08:00",
        "day_end" => "17:00",
        "periods" => "09:00-09:45 09:55-10:40 11:00-11:45 (periods separated by spaces)",
        "min_group" => "10",
        "max_group" => "25",
        "wants" => "2",
        _ => "a number",
    };
    let tomlish = d.hint.contains(" = ") || d.hint.contains('"') || d.hint.contains("[ ]");
    match d.code {
        "E0102" | "W0102" => format!("add a row with key '{key}' and value {example}"),
        _ if tomlish => format!("type the value of '{key}' as {example}"),
        _ => d.hint.replace("network.toml", "the network sheet"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_what_they_mean() {
        assert_eq!(cell_text(&Data::Float(10.0)), "10");
        assert_eq!(cell_text(&Data::Float(55.78)), "55.78");
        assert_eq!(cell_text(&Data::Int(101)), "101");
        assert_eq!(cell_text(&Data::Bool(true)), "yes");
        let time =
            calamine::ExcelDateTime::new(0.375, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(time)), "09:00");
        let date =
            calamine::ExcelDateTime::new(46266.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2026-09-01");
    }

    #[test]
    fn settings_get_their_types() {
        assert_eq!(
            value_of("min_group", Some(&Data::Float(12.0))),
            Some(toml::Value::Integer(12))
        );
        assert_eq!(
            value_of("min_group", Some(&Data::String(" 12 ".into()))),
            Some(toml::Value::Integer(12))
        );
        assert_eq!(value_of("min_group", Some(&Data::Empty)), None);
        assert_eq!(
            value_of("day_start", Some(&Data::Float(1.0 / 3.0))),
            Some(toml::Value::String("08:00".into()))
        );
        assert_eq!(
            value_of(
                "periods",
                Some(&Data::String("09:00-09:45  09:55-10:40".into()))
            ),
            Some(toml::Value::Array(vec![
                toml::Value::String("09:00-09:45".into()),
                toml::Value::String("09:55-10:40".into())
            ]))
        );
        assert_eq!(
            value_of("day_end", None),
            Some(toml::Value::String(String::new()))
        );
    }

    #[test]
    fn letters_give_columns() {
        for c in [0, 1, 25, 26, 27, 701, 702, 16383] {
            assert_eq!(column_index(&column_letters(c)), Some(c));
        }
        assert_eq!(column_index(""), None);
        assert_eq!(column_index("a"), None);
    }

    #[test]
    fn network_text_has_a_line_per_key_and_tables_last() {
        let e = |key: &str, value: toml::Value, row| Entry {
            key: key.into(),
            value,
            comment: String::new(),
            row,
        };
        let (text, rows) = network_toml(&[
            e("name", toml::Value::String("N".into()), 1),
            e("weights.rank", toml::Value::Integer(3), 2),
            e("wants", toml::Value::Integer(2), 3),
        ]);
        assert_eq!(text, "name = \"N\"\nwants = 2\n\n[weights]\nrank = 3\n");
        assert_eq!(rows, [2, 4, 3, 3, 3]);
        let doc: toml::Table = text.parse().unwrap();
        assert_eq!(doc["weights"]["rank"].as_integer(), Some(3));
    }
}

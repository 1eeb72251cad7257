//! Writing a bundle as a network workbook (SPEC §7): `profnet convert DIR --to
//! FILE.xlsx` and the template of `profnet init --xlsx`.
//!
//! Lossless: every CSV cell is written as the text it is, except that a number column's
//! cell is a number when Excel would show exactly that text for it (`25`, `55.78`; not
//! `55.7500` or `007`); `network.toml` becomes the `network` sheet, one key per row,
//! times as time cells, with each key's comment beside it. [`super::read`] gives back
//! the same CSV files, byte for byte when they were written the way profnet writes CSV
//! (comma-separated UTF-8, quotes only where needed).
//!
//! For people filling the workbook in: the header row is frozen and has a filter,
//! columns are as wide as their content, boolean, kind and id columns offer a list
//! (a warning, not a refusal, for values off the list), and a sheet `Инструкция`
//! explains every sheet and column in Russian and English.

// Diagnostics are the error values here: built only on the failure path.
#![allow(clippy::result_large_err)]

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};

use super::read::number_text;
use super::{column_letters, sheet_of_file, README_SHEET, SHEETS};
use crate::diag::Diagnostic;
use crate::input::files::BundleFiles;
use crate::input::table;
use crate::model::parse_hhmm;

/// What to write besides the data.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkbookOptions<'a> {
    /// Open the workbook at the instruction sheet (the template for a new network).
    pub open_at_instructions: bool,
    /// Problems to list on a first sheet `Ошибки` (see [`write_marked`]).
    pub problems: Option<&'a [Diagnostic]>,
}

/// Columns whose cells are numbers (when the text is one, as Excel would show it).
const NUMBER_COLUMNS: &[(&str, &[&str])] = &[
    ("schools.csv", &["lat", "lon", "priority"]),
    ("links.csv", &["minutes"]),
    ("rooms.csv", &["capacity"]),
    ("courses.csv", &["periods", "min_group", "max_group"]),
    ("teachers.csv", &["max_periods"]),
    ("students.csv", &["grade", "wants"]),
    ("vehicles.csv", &["seats"]),
    ("pinned_groups.csv", &["first_period"]),
];

/// Boolean columns: a list of `yes, no, да, нет`.
const BOOL_COLUMNS: &[(&str, &str)] = &[("courses.csv", "distance"), ("teachers.csv", "travels")];

/// Columns that hold one school id: a list of the schools sheet's ids.
const SCHOOL_COLUMNS: &[(&str, &str)] = &[
    ("links.csv", "from"),
    ("links.csv", "to"),
    ("rooms.csv", "school"),
    ("teachers.csv", "school"),
    ("students.csv", "school"),
    ("vehicles.csv", "school"),
    ("pinned_groups.csv", "school"),
];

/// Rows below the data that still get the lists (room to add rows).
const SPARE_ROWS: u32 = 1000;

/// The workbook of `files` as bytes: a sheet per file present, then the instruction
/// sheet. `Err` lists the files that cannot be read (not text, `network.toml` not TOML).
pub fn write_workbook(
    files: &BundleFiles,
    options: WorkbookOptions,
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    write_with(files, options, &[])
}

/// The workbook of `files` (a workbook read) with `problems` marked: each located cell
/// filled red with a note saying what is wrong and what to do, and a first sheet
/// `Ошибки` listing every problem with a link to its cell. What a planner gets back
/// from a refused upload, to fix in Excel.
pub fn write_marked(
    files: &BundleFiles,
    problems: &[Diagnostic],
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let places = files.places();
    let marks: Vec<Mark> = problems
        .iter()
        .filter_map(|d| {
            let (file, at) = places?.mark_of(d)?;
            Some(Mark {
                file,
                at,
                text: format!("{} [{}]: {}", d.message, d.code, d.hint),
                error: d.is_error(),
            })
        })
        .collect();
    write_with(
        files,
        WorkbookOptions {
            open_at_instructions: false,
            problems: Some(problems),
        },
        &marks,
    )
}

/// A problem's place in the written workbook.
pub struct Mark {
    pub file: &'static str,
    pub at: MarkAt,
    pub text: String,
    pub error: bool,
}

/// Where a mark is: a cell of a data sheet (0-based, as written: the header is row 0),
/// or the value of a key of the network sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkAt {
    Cell { row: u32, col: u16 },
    Key(String),
}

fn write_with(
    files: &BundleFiles,
    options: WorkbookOptions,
    marks: &[Mark],
) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut sheets: Vec<(&'static str, Vec<Vec<String>>)> = Vec::new();
    let mut network = None;
    for kind in &SHEETS {
        if !files.exists(kind.file) {
            continue;
        }
        let label = files.label(kind.file);
        let text = match files.text(kind.file, &label) {
            Ok(t) => t,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        if kind.file == "network.toml" {
            match settings_rows(&text, &label) {
                Ok(rows) => network = Some(rows),
                Err(d) => problems.push(d),
            }
        } else {
            match records(&text, &label) {
                Ok(rows) => sheets.push((kind.file, rows)),
                Err(d) => problems.push(d),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // A workbook written back (marked) keeps its own sheet names.
    let name = |file: &str| -> String {
        files
            .places()
            .and_then(|p| p.sheet_name(file))
            .map(str::to_owned)
            .or_else(|| sheet_of_file(file).map(|k| k.name.to_owned()))
            .unwrap_or_else(|| file.to_owned())
    };
    build(network.as_deref(), &sheets, options, marks, &name).map_err(|e| {
        vec![Diagnostic::error(
            table::IO_ERROR,
            files.label(""),
            format!("cannot write the workbook: {e}"),
        )]
    })
}

/// The CSV file's records as written: cells untrimmed, the header as it is.
fn records(text: &str, label: &str) -> Result<Vec<Vec<String>>, Diagnostic> {
    // parse_table reports what cannot be read at all (an unclosed quote, no header).
    table::parse_table(text, label)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(table::detect_delimiter(text))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| {
            Diagnostic::error(table::NO_HEADER, label, format!("malformed CSV: {e}"))
                .hint("fix the quotes on that line, then convert again")
        })?;
        out.push(rec.iter().map(str::to_owned).collect());
    }
    Ok(out)
}

/// One setting of `network.toml`: its key (`weights.rank` for tables), value and the
/// comment on its line.
struct Setting {
    key: String,
    value: toml::Value,
    comment: String,
}

/// The settings of `network.toml` in the order of the file, each with its comment.
fn settings_rows(text: &str, label: &str) -> Result<Vec<Setting>, Diagnostic> {
    let text = text.replace('\u{feff}', "");
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        Diagnostic::error(
            "E0101",
            label,
            format!("network.toml is not valid TOML: {}", e.message().trim()),
        )
        .hint("fix it (profnet validate names the line), then convert again")
    })?;
    let mut flat: Vec<(String, toml::Value)> = Vec::new();
    for (k, v) in &doc {
        match v {
            toml::Value::Table(t) => {
                for (kk, vv) in t {
                    flat.push((format!("{k}.{kk}"), vv.clone()));
                }
            }
            v => flat.push((k.clone(), v.clone())),
        }
    }
    // The file's order and comments, from its `key = value` lines.
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut table = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            table = name.trim().trim_matches('"').to_owned();
            continue;
        }
        let Some((k, rest)) = t.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        if k.is_empty() || k.contains(' ') {
            continue;
        }
        let key = if table.is_empty() {
            k.to_owned()
        } else {
            format!("{table}.{k}")
        };
        lines.push((key, comment_of(rest)));
    }
    let position = |key: &str| lines.iter().position(|(k, _)| k == key);
    flat.sort_by_key(|(k, _)| position(k).unwrap_or(usize::MAX));
    Ok(flat
        .into_iter()
        .map(|(key, value)| {
            let comment = position(&key).map_or(String::new(), |i| lines[i].1.clone());
            Setting {
                key,
                value,
                comment,
            }
        })
        .collect())
}

/// The comment after a TOML value on its line (`"08:00"   # at school` → `at school`).
fn comment_of(rest: &str) -> String {
    let (mut quote, mut escaped) = (None, false);
    for (i, c) in rest.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return rest[i + 1..].trim().to_owned(),
            None => {}
        }
    }
    String::new()
}

struct Formats {
    header: Format,
    time: Format,
    date: Format,
    text: Format,
    title: Format,
    wrap: Format,
}

fn build(
    network: Option<&[Setting]>,
    sheets: &[(&'static str, Vec<Vec<String>>)],
    options: WorkbookOptions,
    marks: &[Mark],
    name: &dyn Fn(&str) -> String,
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        header: Format::new()
            .set_bold()
            .set_border_bottom(FormatBorder::Thin)
            .set_background_color(0xDDEBF7),
        time: Format::new()
            .set_num_format("hh:mm")
            .set_align(FormatAlign::Left),
        date: Format::new()
            .set_num_format("yyyy-mm-dd")
            .set_align(FormatAlign::Left),
        // Text cells stay text when edited (an id `007` keeps its zeros).
        text: Format::new().set_num_format("@"),
        title: Format::new().set_bold().set_font_size(13),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    };
    let mut wb = Workbook::new();
    if let Some(problems) = options.problems {
        problems_sheet(wb.add_worksheet(), problems, &f)?;
    }
    if let Some(settings) = network {
        let ws = wb.add_worksheet();
        network_sheet(ws, &name("network.toml"), settings, &f)?;
        for m in marks.iter().filter(|m| m.file == "network.toml") {
            if let MarkAt::Key(k) = &m.at {
                if let Some(i) = settings.iter().position(|s| &s.key == k) {
                    mark_cell(ws, i as u32 + 1, 1, m)?;
                }
            }
        }
    }
    let ids = |file: &str| -> Option<(u32, usize)> {
        let (_, rows) = sheets.iter().find(|(n, _)| *n == file)?;
        let col = rows
            .first()?
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case("id"))?;
        Some((col as u32, rows.len().saturating_sub(1)))
    };
    let schools = ids("schools.csv");
    let courses = ids("courses.csv");
    let kinds = room_kinds(sheets);
    for (file, rows) in sheets {
        let ws = wb.add_worksheet();
        data_sheet(ws, &name(file), file, rows, &f)?;
        for m in marks.iter().filter(|m| m.file == *file) {
            if let MarkAt::Cell { row, col } = m.at {
                mark_cell(ws, row, col, m)?;
            }
        }
        let refs = Refs {
            schools: schools.map(|s| (name("schools.csv"), s)),
            courses: courses.map(|c| (name("courses.csv"), c)),
            kinds: &kinds,
        };
        lists(ws, file, rows, &refs)?;
    }
    let ws = wb.add_worksheet();
    instructions(ws, &f)?;
    if options.open_at_instructions {
        ws.set_active(true);
    }
    wb.save_to_buffer()
}

/// Fills the cell at `(row, col)` red (yellow for a warning) and adds `m`'s note; the
/// cell keeps what it holds.
fn mark_cell(ws: &mut Worksheet, row: u32, col: u16, m: &Mark) -> Result<(), XlsxError> {
    let fill = if m.error { 0xF4B6B6 } else { 0xFFE699 };
    let format = Format::new().set_background_color(fill);
    ws.set_cell_format(row, col, &format)?;
    let note = rust_xlsxwriter::Note::new(&m.text).set_author("profnet");
    ws.insert_note(row, col, &note)?;
    Ok(())
}

/// The sheet `Ошибки`: every problem with its sheet, cell, code, what and what to do; a
/// located one links to its cell.
fn problems_sheet(
    ws: &mut Worksheet,
    problems: &[Diagnostic],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Ошибки")?;
    for (c, h) in ["", "лист", "ячейка", "код", "что не так", "что сделать"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    for (i, d) in problems.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(
            r,
            0,
            if d.is_error() {
                "ошибка"
            } else {
                "предупреждение"
            },
        )?;
        ws.write_string(r, 1, d.sheet.as_deref().unwrap_or(&d.file))?;
        match (&d.sheet, &d.cell) {
            (Some(sheet), Some(cell)) if cell.chars().any(|c| c.is_ascii_digit()) => {
                let link = rust_xlsxwriter::Url::new(format!(
                    "internal:'{}'!{cell}",
                    sheet.replace('\'', "''")
                ))
                .set_text(cell);
                ws.write_url(r, 2, &link)?;
            }
            (_, Some(cell)) => {
                ws.write_string(r, 2, cell)?;
            }
            _ => {}
        }
        ws.write_string(r, 3, d.code)?;
        ws.write_string_with_format(r, 4, &d.message, &f.wrap)?;
        ws.write_string_with_format(r, 5, &d.hint, &f.wrap)?;
    }
    for (c, w) in [14.0, 14.0, 9.0, 8.0, 60.0, 60.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_active(true);
    Ok(())
}

fn network_sheet(
    ws: &mut Worksheet,
    name: &str,
    settings: &[Setting],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, h) in ["key", "value", "comment"].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    let mut widths = [8usize, 12, 10];
    for (i, s) in settings.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &s.key)?;
        let shown = match &s.value {
            toml::Value::String(v) => {
                match parse_hhmm(v).filter(|_| v.len() == 5 && v.as_bytes()[2] == b':') {
                    Some(m) => {
                        ws.write_number_with_format(r, 1, f64::from(m) / 1440.0, &f.time)?;
                    }
                    None => {
                        ws.write_string_with_format(r, 1, v, &f.text)?;
                    }
                }
                v.clone()
            }
            toml::Value::Integer(n) => {
                ws.write_number(r, 1, *n as f64)?;
                n.to_string()
            }
            toml::Value::Float(x) => {
                ws.write_number(r, 1, *x)?;
                x.to_string()
            }
            toml::Value::Boolean(b) => {
                ws.write_boolean(r, 1, *b)?;
                b.to_string()
            }
            toml::Value::Array(a) if a.iter().all(toml::Value::is_str) => {
                let joined = a
                    .iter()
                    .filter_map(toml::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ");
                ws.write_string_with_format(r, 1, &joined, &f.text)?;
                joined
            }
            toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                let serial = d.date.map_or(0.0, |d| excel_serial(d.year, d.month, d.day));
                ws.write_number_with_format(r, 1, serial, &f.date)?;
                d.to_string()
            }
            v => {
                let s = v.to_string();
                ws.write_string_with_format(r, 1, &s, &f.text)?;
                s
            }
        };
        if !s.comment.is_empty() {
            ws.write_string(r, 2, &s.comment)?;
        }
        widths[0] = widths[0].max(s.key.chars().count());
        widths[1] = widths[1].max(shown.chars().count().min(80));
        widths[2] = widths[2].max(s.comment.chars().count().min(80));
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64 + 2.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Excel's serial number of a date (1900 date system).
fn excel_serial(year: u16, month: u8, day: u8) -> f64 {
    // Days from 1899-12-30 (Excel's day 0 once its 1900 leap-year bug is passed).
    let (y, m) = if month <= 2 {
        (i64::from(year) - 1, i64::from(month) + 12)
    } else {
        (i64::from(year), i64::from(month))
    };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + i64::from(day);
    // The same count for 1899-12-30.
    let epoch = 365 * 1899 + 1899 / 4 - 1899 / 100 + 1899 / 400 + (153 * 9 + 2) / 5 + 30;
    (days - epoch) as f64
}

fn data_sheet(
    ws: &mut Worksheet,
    name: &str,
    file: &str,
    rows: &[Vec<String>],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let header: Vec<String> = rows
        .first()
        .map(|h| h.iter().map(|c| c.trim().to_lowercase()).collect())
        .unwrap_or_default();
    let numeric: Vec<bool> = header
        .iter()
        .map(|h| {
            NUMBER_COLUMNS
                .iter()
                .any(|(fl, cols)| *fl == file && cols.contains(&h.as_str()))
        })
        .collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![6usize; width];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(cell.chars().count().min(60));
            if cell.is_empty() {
                continue;
            }
            let (r, col) = (r as u32, c as u16);
            if r == 0 {
                ws.write_string_with_format(r, col, cell, &f.header)?;
            } else if numeric.get(c).copied().unwrap_or(false) && is_plain_number(cell) {
                ws.write_number(r, col, cell.parse::<f64>().unwrap_or(0.0))?;
            } else {
                ws.write_string_with_format(r, col, cell, &f.text)?;
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64 + 2.0)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if width > 0 {
        ws.autofilter(0, 0, rows.len().max(2) as u32 - 1, width as u16 - 1)?;
    }
    Ok(())
}

/// Whether `cell` reads back as itself from a number cell.
fn is_plain_number(cell: &str) -> bool {
    cell.parse::<f64>()
        .is_ok_and(|x| x.is_finite() && number_text(x) == cell)
}

/// Where the lists of ids come from: the id column and row count of the schools and
/// courses sheets, and the room kinds in use.
struct Refs<'a> {
    /// The sheet's name, its id column and rows.
    schools: Option<(String, (u32, usize))>,
    courses: Option<(String, (u32, usize))>,
    kinds: &'a [String],
}

/// Every room kind of the rooms and courses sheets, `general`, `lab` and `computer`
/// first.
fn room_kinds(sheets: &[(&'static str, Vec<Vec<String>>)]) -> Vec<String> {
    let mut kinds: Vec<String> = ["general", "lab", "computer"].map(String::from).to_vec();
    for (file, col) in [("rooms.csv", "kind"), ("courses.csv", "room_kind")] {
        let Some((_, rows)) = sheets.iter().find(|(n, _)| *n == file) else {
            continue;
        };
        let Some(i) = rows
            .first()
            .and_then(|h| h.iter().position(|c| c.trim().eq_ignore_ascii_case(col)))
        else {
            continue;
        };
        for row in &rows[1..] {
            let k = row.get(i).map_or("", |c| c.trim()).to_lowercase();
            if !k.is_empty() && !kinds.contains(&k) && kinds.len() < 30 {
                kinds.push(k);
            }
        }
    }
    kinds
}

/// Drop-down lists on the columns that take one of a few values or an id. Values off
/// the list get a warning, not a refusal (a new id may be typed before its row).
fn lists(
    ws: &mut Worksheet,
    file: &str,
    rows: &[Vec<String>],
    refs: &Refs,
) -> Result<(), XlsxError> {
    let Some(header) = rows.first() else {
        return Ok(());
    };
    let last = rows.len() as u32 + SPARE_ROWS;
    let column_list = |(sheet, (col, n)): &(String, (u32, usize))| {
        let letter = column_letters(*col);
        let sheet = if sheet.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            sheet.clone()
        } else {
            format!("'{}'", sheet.replace('\'', "''"))
        };
        Formula::new(format!(
            "={sheet}!${letter}$2:${letter}${}",
            *n as u32 + 1 + SPARE_ROWS / 10
        ))
    };
    for (c, h) in header.iter().enumerate() {
        let h = h.trim().to_lowercase();
        let col = c as u16;
        let dv = if BOOL_COLUMNS.contains(&(file, h.as_str())) {
            Some(DataValidation::new().allow_list_strings(&["yes", "no", "да", "нет"])?)
        } else if file == "schools.csv" && h == "kind" {
            Some(DataValidation::new().allow_list_strings(&[
                "school",
                "college",
                "university",
                "additional",
                "other",
            ])?)
        } else if (file, h.as_str()) == ("rooms.csv", "kind")
            || (file, h.as_str()) == ("courses.csv", "room_kind")
        {
            let kinds: Vec<&str> = refs.kinds.iter().map(String::as_str).collect();
            // Excel's list of values is at most 255 characters long.
            (kinds.join(",").len() <= 255)
                .then(|| DataValidation::new().allow_list_strings(&kinds))
                .transpose()?
        } else if SCHOOL_COLUMNS.contains(&(file, h.as_str())) {
            refs.schools
                .as_ref()
                .map(|s| DataValidation::new().allow_list_formula(column_list(s)))
        } else if file == "pinned_groups.csv" && h == "mode" {
            Some(DataValidation::new().allow_list_strings(&["in_person", "distance"])?)
        } else if (file == "students.csv" && h.starts_with("choice_"))
            || (file.starts_with("pinned_") && h == "course")
        {
            refs.courses
                .as_ref()
                .map(|s| DataValidation::new().allow_list_formula(column_list(s)))
        } else {
            None
        };
        if let Some(dv) = dv {
            let dv = dv
                .ignore_blank(true)
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_title("profnet")?
                .set_error_message(
                    "Этого значения нет в списке. / This value is not on the list.",
                )?;
            ws.add_data_validation(1, col, last, col, &dv)?;
        }
    }
    Ok(())
}

/// What a column holds: sheet, column, required, in Russian, in English.
const HELP: &[(&str, &str, bool, &str, &str)] = &[
    (
        "network",
        "name",
        true,
        "название сети",
        "the network's name",
    ),
    (
        "network",
        "day_start",
        true,
        "время, когда все в своих школах (08:00)",
        "when everyone is at their home school (08:00)",
    ),
    (
        "network",
        "day_end",
        true,
        "время, к которому все вернулись (17:00)",
        "when everyone must be back (17:00)",
    ),
    (
        "network",
        "periods",
        true,
        "уроки профильного дня через пробел: 09:00-09:45 09:55-10:40 …",
        "the profile day's periods, separated by spaces: 09:00-09:45 09:55-10:40 …",
    ),
    (
        "network",
        "min_group",
        false,
        "наименьшая группа (по умолчанию 10)",
        "smallest group (default 10)",
    ),
    (
        "network",
        "max_group",
        false,
        "наибольшая группа (по умолчанию 25)",
        "largest group (default 25)",
    ),
    (
        "network",
        "wants",
        false,
        "сколько курсов берёт ученик (по умолчанию 2)",
        "electives per student (default 2)",
    ),
    (
        "schools",
        "id",
        true,
        "короткий код школы без пробелов (S01)",
        "a short school code without spaces (S01)",
    ),
    ("schools", "name", true, "название", "name"),
    (
        "schools",
        "kind",
        false,
        "school, college, university, additional (доп. образование), other",
        "school, college, university, additional, other",
    ),
    (
        "schools",
        "lat, lon",
        false,
        "координаты (55.75, 49.65) — для карты",
        "coordinates (55.75, 49.65), for the map",
    ),
    (
        "links",
        "from, to, minutes",
        true,
        "дорога между двумя школами и минуты в пути",
        "a road between two schools and its minutes",
    ),
    (
        "links",
        "mode",
        false,
        "вид (road, ferry …), для справки",
        "kind (road, ferry …), for reference",
    ),
    (
        "rooms",
        "school, id, capacity",
        true,
        "кабинет, свободный в профильный день: школа, код, мест",
        "a room free on the profile day: school, code, seats",
    ),
    (
        "rooms",
        "kind",
        false,
        "тип: general (по умолчанию), lab, computer …",
        "kind: general (default), lab, computer …",
    ),
    (
        "rooms",
        "periods",
        false,
        "доступные уроки через пробел (1 2 3); пусто — все",
        "periods available (1 2 3); empty: all",
    ),
    (
        "courses",
        "id, name",
        true,
        "код курса без пробелов и название",
        "course code without spaces, and name",
    ),
    (
        "courses",
        "periods",
        false,
        "сколько уроков подряд длится занятие (1)",
        "consecutive periods a session takes (1)",
    ),
    (
        "courses",
        "room_kind",
        false,
        "тип нужного кабинета (general)",
        "kind of room it needs (general)",
    ),
    (
        "courses",
        "min_group, max_group",
        false,
        "размер группы, если не как у сети",
        "group size when not the network's",
    ),
    (
        "courses",
        "distance",
        false,
        "можно ли дистанционно: да/нет",
        "may be taught remotely: yes/no",
    ),
    (
        "courses",
        "grades",
        false,
        "классы через пробел (10 11); пусто — любые",
        "grades allowed (10 11); empty: any",
    ),
    (
        "teachers",
        "id, name, school",
        true,
        "код, ФИО, школа учителя",
        "code, name, home school",
    ),
    (
        "teachers",
        "courses",
        true,
        "коды курсов через пробел",
        "course codes, separated by spaces",
    ),
    (
        "teachers",
        "max_periods",
        false,
        "не больше уроков за день",
        "most periods a day",
    ),
    (
        "teachers",
        "travels",
        false,
        "может ли ездить в другие школы: да/нет (да)",
        "may teach at other schools: yes/no (yes)",
    ),
    (
        "teachers",
        "periods",
        false,
        "уроки, когда свободен (1 2 3); пусто — все",
        "periods available; empty: all",
    ),
    (
        "students",
        "id, school, grade",
        true,
        "код ученика (не ФИО), школа, класс",
        "student code (not a name), school, grade",
    ),
    (
        "students",
        "wants",
        false,
        "сколько курсов берёт, если не как у сети",
        "electives taken, when not the network's",
    ),
    (
        "students",
        "choice_1, choice_2 …",
        true,
        "выбранные курсы по порядку, первый — самый желанный",
        "chosen courses, most wanted first",
    ),
    (
        "vehicles",
        "id, school, seats",
        false,
        "школьный автобус: код, школа, мест (лист можно удалить)",
        "a school bus: code, school, seats (the sheet may be deleted)",
    ),
    (
        "pinned_groups",
        "course, school, first_period",
        false,
        "уже согласованная группа: курс, школа, первый урок (лист можно удалить)",
        "a group already agreed: course, school, first period (the sheet may be deleted)",
    ),
    (
        "pinned_groups",
        "room, teacher, mode, id",
        false,
        "кабинет, учитель, in_person или distance, код группы; пусто — на выбор программы",
        "room, teacher, in_person or distance, the pin's id; empty: the optimiser chooses",
    ),
    (
        "pinned_students",
        "student, course, group",
        false,
        "ученик, который должен попасть в группу курса (group — код закреплённой группы)",
        "a student who must be in a group of the course (group: a pinned group's id)",
    ),
];

fn instructions(ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(README_SHEET)?;
    let lines = [
        "Сеть профильного обучения: как заполнить эту книгу / How to fill in this workbook",
        "Каждый лист — одна таблица сети. Первая строка — заголовок, её не меняйте; строки-примеры замените своими данными. Листы можно называть по-русски: сеть, школы, дороги, кабинеты, курсы, учителя, ученики, автобусы.",
        "Every sheet is one table of the network. Keep the header row; replace the example rows with your data. Sheet names may be English or Russian.",
        "Проверка / check: profnet validate КНИГА.xlsx — все ошибки с листом, строкой и ячейкой / every problem with its sheet, row and cell.",
        "Да/нет: yes/no, true/false, 1/0, да/нет. Списки в ячейке — через пробел / lists in a cell are separated by spaces. Время / times: 09:00.",
    ];
    let mut r = 0u32;
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            ws.write_string_with_format(r, 0, *l, &f.title)?;
        } else {
            ws.merge_range(r, 0, r, 4, l, &f.wrap)?;
            ws.set_row_height(r, 32)?;
        }
        r += 1;
    }
    r += 1;
    for (c, h) in [
        "лист / sheet",
        "столбец / column",
        "обязательно / required",
        "что писать",
        "what to write",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &f.header)?;
    }
    for (sheet, col, required, ru, en) in HELP {
        r += 1;
        ws.write_string(r, 0, *sheet)?;
        ws.write_string(r, 1, *col)?;
        ws.write_string(
            r,
            2,
            if *required {
                "да / yes"
            } else {
                "нет / no"
            },
        )?;
        ws.write_string_with_format(r, 3, *ru, &f.wrap)?;
        ws.write_string_with_format(r, 4, *en, &f.wrap)?;
    }
    for (c, w) in [12.0, 22.0, 14.0, 55.0, 55.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_outside_strings() {
        assert_eq!(comment_of(" \"08:00\"   # at school"), "at school");
        assert_eq!(comment_of(" \"a # b\""), "");
        assert_eq!(comment_of(" 'x#y' # z"), "z");
        assert_eq!(comment_of(" \"a \\\" # b\" # c"), "c");
    }

    #[test]
    fn dates_get_excel_serials() {
        assert_eq!(excel_serial(2026, 9, 1), 46266.0);
        assert_eq!(excel_serial(1900, 3, 1), 61.0);
        assert_eq!(excel_serial(2024, 2, 29), 45351.0);
    }

    #[test]
    fn numbers_only_where_they_read_back_the_same() {
        assert!(is_plain_number("25"));
        assert!(is_plain_number("55.78"));
        assert!(!is_plain_number("55.7500"));
        assert!(!is_plain_number("007"));
        assert!(!is_plain_number("1e3"));
        assert!(!is_plain_number(""));
    }
}

//! Reading one CSV file the way SPEC §1 allows people to write it.
//!
//! * Encoding: UTF-8 with or without a BOM; UTF-16 (Excel's "Unicode text"), little-
//!   or big-endian, with a BOM or recognised by its NUL bytes; anything else that is not
//!   valid UTF-8 is read as Windows-1251 (what Russian Excel saves). Binary data (and
//!   broken UTF-16) is refused with a diagnostic, never a panic.
//! * Delimiter: `,`, `;` or TAB (what pasting from Excel and its "Unicode text" give),
//!   whichever occurs most often outside quotes in the header line (a tie means `,`,
//!   then `;`).
//! * Line ends: LF or CRLF. Quoted cells may hold delimiters, quotes (`""`) and newlines.
//! * Header cells are trimmed and lowercased, so `Id`, ` id ` and `ID` all name `id`;
//!   data cells are trimmed. Trimming also drops stray byte-order marks (U+FEFF).
//! * A quoted cell that is never closed is an error naming the line of its quote.
//! * Rows whose cells are all empty are skipped. A row with fewer fields than the header,
//!   or more fields that are not all empty, is an error naming its line.
//!
//! The codes below are shared by everything that reads CSV (the bundle loader, the plan
//! checker); the full table of bundle codes is in [`crate::input::bundle`].

// Diagnostics are the error values here: built only on the failure path, and
// callers collect them, so their size does not matter.
#![allow(clippy::result_large_err)]

use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diag::{line_of, Diagnostic};

/// The file does not exist.
pub const MISSING_FILE: &str = "E0001";
/// A required column is not in the header.
pub const MISSING_COLUMN: &str = "E0002";
/// The bytes are not text in a supported encoding (binary data, broken UTF-16, …).
pub const UNREADABLE: &str = "E0003";
/// A row has a different number of fields than the header.
pub const FIELD_COUNT: &str = "E0004";
/// The file is empty (no header row) or is not CSV at all.
pub const NO_HEADER: &str = "E0005";
/// The same column name appears twice in the header.
pub const DUPLICATE_COLUMN: &str = "E0006";
/// The file exists but could not be read (permissions, a directory, …).
pub const IO_ERROR: &str = "E0008";
/// A data row repeats the header (files pasted together).
pub const REPEATED_HEADER: &str = "E0010";
/// A column that nobody reads (warning; the column is ignored).
pub const UNKNOWN_COLUMN: &str = "W0201";

/// One CSV file, decoded and split, with trimmed cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// File name relative to the bundle or plan directory, e.g. `students.csv`.
    pub file: String,
    /// Header cells, trimmed and lowercased.
    pub headers: Vec<String>,
    /// Data rows (rows with every cell empty are left out).
    pub rows: Vec<Row>,
    /// The detected delimiter, `b','`, `b';'` or `b'\t'`.
    pub delimiter: u8,
    /// 1-based line of the header row (1 unless blank lines precede it).
    pub header_line: usize,
    /// Data rows left out because they could not be read (wrong number of fields, an
    /// unclosed quote, a repeated header …); each has its own diagnostic. An id may
    /// hide in such a row, so references into the file cannot be checked.
    pub dropped: usize,
}

/// One data row of a [`Table`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// 1-based physical line in the file where the row starts (the header is line 1
    /// unless blank lines precede it).
    pub line: usize,
    /// Trimmed cells, exactly as many as the table has headers.
    pub cells: Vec<String>,
}

impl Table {
    /// Index of column `name` (compared case-insensitively, spaces around ignored).
    pub fn col(&self, name: &str) -> Option<usize> {
        let name = name.trim().to_lowercase();
        self.headers.iter().position(|h| *h == name)
    }

    /// Whether the table has column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.col(name).is_some()
    }

    /// The cell of `row` in column `name`; `""` when the table has no such column.
    pub fn get<'r>(&self, row: &'r Row, name: &str) -> &'r str {
        self.col(name)
            .and_then(|i| row.cells.get(i))
            .map_or("", String::as_str)
    }

    /// Pushes an error (`E0002`) for every column of `names` the header lacks; returns
    /// whether all are present.
    pub fn require(&self, names: &[&str], diags: &mut Vec<Diagnostic>) -> bool {
        let mut ok = true;
        for name in names {
            if !self.has(name) {
                ok = false;
                diags.push(
                    Diagnostic::error(
                        MISSING_COLUMN,
                        &self.file,
                        format!("required column '{name}' is missing"),
                    )
                    .row(self.header_line)
                    .column(*name)
                    .hint(format!(
                        "add a column named '{name}' to the header (it has: {})",
                        self.headers.join(", ")
                    )),
                );
            }
        }
        ok
    }

    /// Pushes a warning (`W0201`) for every column for which `known` is false.
    pub fn warn_unknown(&self, known: impl Fn(&str) -> bool, diags: &mut Vec<Diagnostic>) {
        for (i, h) in self.headers.iter().enumerate() {
            if known(h) {
                continue;
            }
            let (what, column) = if h.is_empty() {
                (
                    format!("column {} has no name", i + 1),
                    format!("#{}", i + 1),
                )
            } else {
                (format!("unknown column '{h}'"), h.clone())
            };
            diags.push(
                Diagnostic::warning(UNKNOWN_COLUMN, &self.file, format!("{what}; it is ignored"))
                    .row(self.header_line)
                    .column(column)
                    .hint("check its spelling against SPEC §1, or delete the column"),
            );
        }
    }

    /// Deserializes `row` into a serde row struct whose field names are column names.
    /// Columns the struct does not name are ignored; use `#[serde(default)]` for
    /// columns that may be absent.
    pub fn deserialize<T: DeserializeOwned>(&self, row: &Row) -> Result<T, csv::Error> {
        let headers = csv::StringRecord::from(self.headers.clone());
        csv::StringRecord::from(row.cells.clone()).deserialize(Some(&headers))
    }
}

/// Reads and splits one CSV file. Any problem is an error: a missing or unreadable
/// file, or rows with the wrong number of fields (the diagnostic names the first such
/// line and counts the others). Use [`read_table_lenient`] to get every bad row.
pub fn read_table(path: &Path, file_label: &str) -> Result<Table, Diagnostic> {
    let (table, mut problems) = read_table_lenient(path, file_label)?;
    if problems.is_empty() {
        return Ok(table);
    }
    let more = problems.len() - 1;
    let mut first = problems.swap_remove(0);
    if more > 0 {
        first
            .message
            .push_str(&format!(" (and {more} more line(s) like it)"));
    }
    Err(first)
}

/// Reads and splits one CSV file, keeping going past bad rows: `Err` only when the
/// file as a whole cannot be read; otherwise the table of good rows and one error per
/// row with the wrong number of fields.
pub fn read_table_lenient(
    path: &Path,
    file_label: &str,
) -> Result<(Table, Vec<Diagnostic>), Diagnostic> {
    let bytes = read_bytes(path, file_label)?;
    let text = decode_text(&bytes, file_label)?;
    parse_table(&text, file_label)
}

/// Reads a file's bytes, mapping "not found" to `E0001` and other failures to `E0008`.
pub fn read_bytes(path: &Path, file_label: &str) -> Result<Vec<u8>, Diagnostic> {
    fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Diagnostic::error(
                MISSING_FILE,
                file_label,
                format!("file not found: {}", path.display()),
            )
            .hint(format!("create {file_label} (see SPEC §1 for its columns)"))
        } else {
            Diagnostic::error(
                IO_ERROR,
                file_label,
                format!("cannot read {}: {e}", path.display()),
            )
            .hint("check that it is a readable file, not a directory, and that you may read it")
        }
    })
}

/// Turns file bytes into text: UTF-8 (a BOM is dropped), UTF-16 LE/BE (with a BOM, or
/// without one when NUL bytes stand beside every ASCII letter), or else Windows-1251.
/// Refuses binary data (NUL or other control characters) and broken UTF-16 with
/// `E0003`, naming the line where the trouble starts.
pub fn decode_text(bytes: &[u8], file_label: &str) -> Result<String, Diagnostic> {
    let unreadable = |msg: String, line: Option<usize>| {
        let d = Diagnostic::error(UNREADABLE, file_label, msg).hint(
            "save the file as CSV/text in UTF-8 (or Windows-1251, or Excel's 'Unicode text'); \
             in Excel: File → Save As → 'CSV UTF-8'",
        );
        match line {
            Some(l) => d.row(l),
            None => d,
        }
    };
    let utf16 = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        Some((rest, false))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some((rest, true))
    } else {
        looks_like_utf16(bytes).map(|big| (bytes, big))
    };
    let text = if let Some((body, big)) = utf16 {
        decode_utf16(body, big).map_err(|(msg, line)| unreadable(msg, line))?
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.strip_prefix('\u{feff}').unwrap_or(s).to_owned(),
            Err(_) => {
                if let Some(pos) = bytes.iter().position(|&b| b == 0) {
                    return Err(unreadable(
                        format!("the file holds binary data (a NUL byte at offset {pos})"),
                        Some(line_of(bytes, pos)),
                    ));
                }
                match encoding_rs::WINDOWS_1251
                    .decode_without_bom_handling_and_without_replacement(bytes)
                {
                    Some(s) => s.into_owned(),
                    None => {
                        return Err(unreadable(
                            "the file is neither UTF-8 nor Windows-1251 text".into(),
                            None,
                        ))
                    }
                }
            }
        }
    };
    if let Some((pos, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(unreadable(
            format!(
                "the file holds binary data (control character U+{:04X} at line {})",
                c as u32,
                line_of(text.as_bytes(), pos)
            ),
            Some(line_of(text.as_bytes(), pos)),
        ));
    }
    Ok(text)
}

/// UTF-16 code units (`big`: big-endian) into text, a BOM after the first dropped.
/// `Err` (message, line) for an odd number of bytes or an unpaired surrogate.
fn decode_utf16(body: &[u8], big: bool) -> Result<String, (String, Option<usize>)> {
    let units = body.chunks(2).map(|c| match (c, big) {
        ([a, b], false) => Ok(u16::from_le_bytes([*a, *b])),
        ([a, b], true) => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(()),
    });
    let mut out = String::with_capacity(body.len() / 2);
    for u in char::decode_utf16(units.map_while(Result::ok)) {
        match u {
            Ok(c) => out.push(c),
            Err(e) => {
                let line = out.matches('\n').count() + 1;
                return Err((
                    format!(
                        "the file is UTF-16 text, but it is broken at line {line} (a lone \
                         surrogate 0x{:04X})",
                        e.unpaired_surrogate()
                    ),
                    Some(line),
                ));
            }
        }
    }
    if body.len() % 2 == 1 {
        return Err((
            "the file is UTF-16 text, but it ends in half a character (an odd number of bytes): \
             it was cut short"
                .into(),
            None,
        ));
    }
    Ok(out
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(out))
}

/// UTF-16 without a byte-order mark: in its first bytes, NUL bytes stand in every other
/// position (the high byte of ASCII letters) and never in the others. `Some(true)` for
/// big-endian (the NULs first), `Some(false)` for little-endian.
fn looks_like_utf16(bytes: &[u8]) -> Option<bool> {
    let head = &bytes[..bytes.len().min(256)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .take(pairs)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 2 >= pairs && even == 0 {
        Some(false)
    } else if even * 2 >= pairs && odd == 0 {
        Some(true)
    } else {
        None
    }
}

/// Detects the delimiter from the first non-blank line: the one of `,`, `;` and TAB
/// that occurs most often outside double quotes (a tie: `,` before `;` before TAB).
pub fn detect_delimiter(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let (mut commas, mut semis, mut tabs, mut quoted) = (0usize, 0usize, 0usize, false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if tabs > commas && tabs > semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// How a delimiter is named to people: `','`, `';'` or `TAB`.
pub fn delimiter_name(d: u8) -> String {
    if d == b'\t' {
        "TAB".into()
    } else {
        format!("'{}'", d as char)
    }
}

/// Turns byte offsets of record starts into 1-based lines. (The csv crate's own line
/// numbers lag behind after CRLF and blank lines, as a record's recorded start may be
/// the line end before it.) Offsets must not decrease between calls.
struct LineCounter<'t> {
    text: &'t [u8],
    pos: usize,
    line: usize,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        // A record never starts with a line end: skip the one(s) before it.
        while offset < self.text.len() && matches!(self.text[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset >= self.pos {
            self.line += self.text[self.pos..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = offset;
        }
        self.line
    }
}

/// A cell without surrounding whitespace or stray byte-order marks (U+FEFF, which
/// pasting and concatenating Excel files leaves inside a file, invisible).
fn trim_cell(c: &str) -> &str {
    c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{feff}')
}

/// Where a quoted cell opens that is never closed, following the csv crate's rules (a
/// quote is special only at the start of a cell; `""` inside is a quote): the byte
/// offset where that cell's record starts and the 1-based line of the quote.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<(usize, usize)> {
    #[derive(PartialEq)]
    enum S {
        CellStart,
        Cell,
        Quoted,
        QuoteInQuoted,
    }
    let bytes = text.as_bytes();
    let (mut state, mut record, mut opened) = (S::CellStart, 0, 0);
    for (i, &b) in bytes.iter().enumerate() {
        state = match state {
            S::Quoted if b == b'"' => S::QuoteInQuoted,
            S::Quoted => S::Quoted,
            S::QuoteInQuoted if b == b'"' => S::Quoted,
            S::CellStart if b == b'"' => {
                opened = i;
                S::Quoted
            }
            _ if b == b'\n' || b == b'\r' => {
                record = i + 1;
                S::CellStart
            }
            _ if b == delimiter => S::CellStart,
            _ => S::Cell,
        };
    }
    (state == S::Quoted).then(|| (record, line_of(bytes, opened)))
}

/// Splits decoded text into a table (see [`read_table_lenient`] for the result).
pub fn parse_table(text: &str, file_label: &str) -> Result<(Table, Vec<Diagnostic>), Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    // A quote that never closes swallows the rest of the file into one cell: read only
    // the records before its record, and say where it opens.
    let unclosed = unclosed_quote(text, delimiter);
    let text = unclosed.map_or(text, |(start, _)| &text[..start]);
    let unclosed = unclosed.map(|(_, line)| {
        Diagnostic::error(
            NO_HEADER,
            file_label,
            "a quoted cell that starts on this line is never closed, so the rest of the file \
             would be read as one cell",
        )
        .row(line)
        .hint("add the closing \" after the cell's text (a \" inside a quoted cell is written twice: \"\")")
    });
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut header_line = 1;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let sep = delimiter_name(delimiter);
    let mut lines = LineCounter::new(text);
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                let d = Diagnostic::error(NO_HEADER, file_label, format!("malformed CSV: {e}"))
                    .hint(
                    "check the quotes on that line: a cell that starts with \" must end with \"",
                );
                problems.push(if line > 0 { d.row(line) } else { d });
                continue;
            }
        };
        let line = rec
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        let mut cells: Vec<String> = rec.iter().map(|c| trim_cell(c).to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let Some(hs) = &headers else {
            let hs: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
            for (i, h) in hs.iter().enumerate() {
                if !h.is_empty() && hs[..i].contains(h) {
                    return Err(Diagnostic::error(
                        DUPLICATE_COLUMN,
                        file_label,
                        format!("column '{h}' appears twice in the header"),
                    )
                    .row(line)
                    .column(h.clone())
                    .hint("rename or delete one of the two columns"));
                }
            }
            header_line = line;
            headers = Some(hs);
            continue;
        };
        let width = hs.len();
        if cells.len() > width && cells[width..].iter().all(String::is_empty) {
            cells.truncate(width);
        }
        if cells
            .iter()
            .map(|c| c.to_lowercase())
            .eq(hs.iter().cloned())
        {
            problems.push(
                Diagnostic::error(
                    REPEATED_HEADER,
                    file_label,
                    format!("this line repeats the header row (line {header_line})"),
                )
                .row(line)
                .hint(
                    "were two files pasted together? delete this line (rows after it are read \
                     as usual)",
                ),
            );
            continue;
        }
        if cells.len() != width {
            problems.push(
                Diagnostic::error(
                    FIELD_COUNT,
                    file_label,
                    format!(
                        "this line has {} field(s) but the header (line {header_line}) has {width}",
                        cells.len()
                    ),
                )
                .row(line)
                .hint(format!(
                    "the file is read with {sep} as delimiter: add the missing {sep}, \
                     or put a cell that contains {sep} in double quotes"
                )),
            );
            continue;
        }
        rows.push(Row { line, cells });
    }
    let Some(headers) = headers else {
        return Err(unclosed.unwrap_or_else(|| {
            Diagnostic::error(NO_HEADER, file_label, "the file is empty")
                .hint("the first line must be the header row with the column names (SPEC §1)")
        }));
    };
    problems.extend(unclosed);
    Ok((
        Table {
            file: file_label.to_owned(),
            headers,
            rows,
            delimiter,
            header_line,
            // Every problem is a data row left out.
            dropped: problems.len(),
        },
        problems,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Table, Vec<Diagnostic>) {
        parse_table(text, "t.csv").unwrap()
    }

    #[test]
    fn comma_and_semicolon_dialects_agree() {
        let (a, pa) = parse("id,Name , KIND\nS1, One ,school\n");
        let (b, pb) = parse("\u{feff}id;name;kind\r\nS1;One;school\r\n");
        assert!(pa.is_empty() && pb.is_empty());
        assert_eq!(a.delimiter, b',');
        assert_eq!(b.delimiter, b';');
        assert_eq!(a.headers, vec!["id", "name", "kind"]);
        assert_eq!(a.headers, b.headers);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.rows[0].cells, vec!["S1", "One", "school"]);
        assert_eq!(a.rows[0].line, 2);
        assert_eq!(a.get(&a.rows[0], "Name"), "One");
        assert_eq!(a.get(&a.rows[0], "lat"), "");
    }

    #[test]
    fn delimiter_inside_quotes_does_not_count() {
        assert_eq!(detect_delimiter("\"a;b;c\",d\n"), b',');
        assert_eq!(detect_delimiter("\"a,b,c\";d;e\n"), b';');
        assert_eq!(detect_delimiter("\n\nid;name\n"), b';');
        assert_eq!(detect_delimiter("id\n"), b',');
    }

    #[test]
    fn quoted_cells_and_line_numbers() {
        let (t, p) = parse("id,name\n\nA,\"Smith, John\"\n,\nB,\"two\nlines\"\nC,c\n");
        assert!(p.is_empty(), "{p:?}");
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 5, 7]);
        assert_eq!(t.rows[0].cells[1], "Smith, John");
        assert_eq!(t.rows[1].cells[1], "two\nlines");
    }

    #[test]
    fn wrong_field_count_names_each_line() {
        let (t, p) = parse("a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,,\n");
        assert_eq!(t.rows.len(), 2, "trailing empty cells are tolerated");
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|d| d.code == FIELD_COUNT && d.file == "t.csv"));
        assert_eq!(p[0].row, Some(3));
        assert_eq!(p[1].row, Some(4));
    }

    #[test]
    fn strict_reader_reports_first_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        fs::write(&path, "a,b\n1\n2\n3,4\n").unwrap();
        let e = read_table(&path, "x.csv").unwrap_err();
        assert_eq!((e.code, e.row), (FIELD_COUNT, Some(2)));
        assert!(e.message.contains("1 more"), "{}", e.message);
        fs::write(&path, "a,b\n3,4\n").unwrap();
        assert_eq!(read_table(&path, "x.csv").unwrap().rows.len(), 1);
    }

    #[test]
    fn windows_1251_is_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("id;name\nS1;Школа №1\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let text = decode_text(&bytes, "t.csv").unwrap();
        let (t, _) = parse(&text);
        assert_eq!(t.rows[0].cells[1], "Школа №1");
    }

    #[test]
    fn garbage_is_refused_without_panic() {
        for bytes in [
            &b"id,name\n\x00\x01\x02\xff\xfe"[..],
            &[0xFF, 0xFE, b'i', 0, b'd', 0, b'\n'][..],
            &[0xFF, 0xFE, b'i', 0, 0x00, 0xD8, b'd', 0][..],
            &b"id,name\nA,\x07bell\n"[..],
            &b"\x89PNG\r\n\x1a\n\x00\x00"[..],
            &b"id\n\x98\x98\n"[..],
        ] {
            let e = decode_text(bytes, "t.csv").unwrap_err();
            assert_eq!(e.code, UNREADABLE, "{bytes:?}");
        }
        let e = decode_text(b"id,name\nA,\x07bell\n", "t.csv").unwrap_err();
        assert_eq!(e.row, Some(2));
    }

    #[test]
    fn unclosed_quote_names_its_line() {
        let (t, p) = parse("id,name\nA,a\nB,\"b\nC,c\nD,d\n");
        assert_eq!(t.rows.len(), 1, "only the rows before the quote's record");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].code, p[0].row), (NO_HEADER, Some(3)));
        // Quotes that close, doubled quotes, quotes inside an unquoted cell: all fine.
        let (t, p) = parse("id,name\nA,\"a, \"\"x\"\"\nb\"\nB,5\" disk\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(t.rows[0].cells[1], "a, \"x\"\nb");
        assert_eq!(t.rows[1].cells[1], "5\" disk");
        let e = parse_table("id,\"name\nA,a\n", "t.csv").unwrap_err();
        assert_eq!((e.code, e.row), (NO_HEADER, Some(1)));
    }

    #[test]
    fn repeated_header_is_named_and_left_out() {
        let (t, p) = parse("id,name\nA,a\n\u{feff}ID, Name\nB,b\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].code, p[0].row), (REPEATED_HEADER, Some(3)));
        let ids: Vec<&str> = t.rows.iter().map(|r| r.cells[0].as_str()).collect();
        assert_eq!(ids, vec!["A", "B"]);
        assert_eq!(t.dropped, 1);
    }

    #[test]
    fn stray_byte_order_marks_are_trimmed() {
        let (t, p) = parse("id,\u{feff}name\n\u{feff}A,a\u{feff}\n");
        assert!(p.is_empty());
        assert_eq!(t.headers, vec!["id", "name"]);
        assert_eq!(t.rows[0].cells, vec!["A", "a"]);
    }

    #[test]
    fn utf16_with_and_without_bom_both_orders_is_read() {
        let text = "id\tname\nS1\tШкола №1\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with = |bom: [u8; 2], b: &[u8]| [&bom[..], b].concat();
        for bytes in [
            with([0xFF, 0xFE], &le),
            with([0xFE, 0xFF], &be),
            le.clone(),
            be.clone(),
        ] {
            let decoded = decode_text(&bytes, "t.csv").unwrap();
            assert_eq!(decoded, text);
            let (t, p) = parse(&decoded);
            assert!(p.is_empty());
            assert_eq!(t.delimiter, b'\t');
            assert_eq!(t.rows[0].cells, vec!["S1", "Школа №1"]);
        }
        // Cut short in the middle of a character: refused, never a panic.
        let mut cut = with([0xFF, 0xFE], &le);
        cut.pop();
        let e = decode_text(&cut, "t.csv").unwrap_err();
        assert_eq!(e.code, UNREADABLE);
        assert!(e.message.contains("UTF-16"), "{}", e.message);
    }

    #[test]
    fn tab_delimited_as_pasted_from_excel() {
        let (t, p) = parse("id\tname\tkind\nS1\tШкола, №1\tschool\nS2\t\t\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(t.delimiter, b'\t');
        assert_eq!(t.rows[0].cells, vec!["S1", "Школа, №1", "school"]);
        assert_eq!(t.rows[1].cells, vec!["S2", "", ""]);
        let (_, p) = parse("a\tb\n1\n");
        assert!(p[0].hint.contains("TAB"), "{}", p[0].hint);
        // Two tabs against one comma or semicolon: TAB; a tie keeps ','.
        assert_eq!(detect_delimiter("a\tb\tc,d\n"), b'\t');
        assert_eq!(detect_delimiter("a\tb,c\n"), b',');
    }

    #[test]
    fn empty_file_and_duplicate_columns() {
        assert_eq!(parse_table("", "t.csv").unwrap_err().code, NO_HEADER);
        assert_eq!(
            parse_table(" \n\n ,, \n", "t.csv").unwrap_err().code,
            NO_HEADER
        );
        let e = parse_table("id,name,ID\n", "t.csv").unwrap_err();
        assert_eq!(
            (e.code, e.column.as_deref()),
            (DUPLICATE_COLUMN, Some("id"))
        );
    }

    #[test]
    fn require_and_unknown_columns() {
        let (t, _) = parse("id,colour,\n1,red,\n");
        let mut d = Vec::new();
        assert!(!t.require(&["id", "name", "school"], &mut d));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].code, MISSING_COLUMN);
        assert_eq!(d[0].column.as_deref(), Some("name"));
        d.clear();
        t.warn_unknown(|h| h == "id", &mut d);
        let cols: Vec<_> = d.iter().map(|x| x.column.clone().unwrap()).collect();
        assert_eq!(cols, vec!["colour", "#3"]);
        assert!(d.iter().all(|x| !x.is_error()));
    }

    #[test]
    fn missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_table(&dir.path().join("nope.csv"), "nope.csv").unwrap_err();
        assert_eq!((e.code, e.file.as_str()), (MISSING_FILE, "nope.csv"));
        let e = read_table(dir.path(), "dir.csv").unwrap_err();
        assert_eq!(e.code, IO_ERROR);
    }

    #[test]
    fn serde_rows() {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct R {
            id: String,
            name: String,
            kind: String,
        }
        let (t, _) = parse("name;ID;extra\nOne;S1;x\n");
        let r: R = t.deserialize(&t.rows[0]).unwrap();
        assert_eq!(
            (r.id.as_str(), r.name.as_str(), r.kind.as_str()),
            ("S1", "One", "")
        );
    }
}

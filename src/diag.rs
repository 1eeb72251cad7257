//! Diagnostics: problems found in the input, each with a place, a stable code and a cure.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a bundle (or a plan, or a scenario): where it is, a stable code
/// (`E0101`, `W0301` …), what is wrong and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code: `E....` for errors, `W....` for warnings.
    pub code: &'static str,
    /// File name relative to the bundle (e.g. `students.csv`).
    pub file: String,
    /// 1-based line number in the file (the header is line 1), where known.
    pub row: Option<usize>,
    /// Column name, where known.
    pub column: Option<String>,
    /// The sheet, when the bundle is a workbook (SPEC §7): `file` is the workbook and
    /// `row` the sheet's row.
    pub sheet: Option<String>,
    /// The cell (`C7`) or column (`C`) in the sheet, where known.
    pub cell: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.into(),
            row: None,
            column: None,
            sheet: None,
            cell: None,
            message: message.into(),
            hint: String::new(),
        }
    }

    pub fn warning(
        code: &'static str,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }

    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }

    pub fn cell(mut self, cell: impl Into<String>) -> Self {
        self.cell = Some(cell.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}] {}", self.code, clip(&self.file, CLIP))?;
        if let Some(s) = &self.sheet {
            write!(f, ", sheet '{}'", clip(s, CLIP))?;
        }
        if let Some(r) = self.row {
            let what = if self.sheet.is_some() { "row" } else { "line" };
            write!(f, ", {what} {r}")?;
        }
        match (&self.column, &self.cell) {
            (Some(c), Some(cell)) => write!(f, ", column '{}' ({cell})", clip(c, CLIP))?,
            (Some(c), None) => write!(f, ", column '{}'", clip(c, CLIP))?,
            (None, Some(cell)) => write!(f, ", cell {cell}")?,
            (None, None) => {}
        }
        write!(f, ": {}", clip(&self.message, CLIP))?;
        if !self.hint.is_empty() {
            write!(f, " — {}", clip(&self.hint, CLIP))?;
        }
        Ok(())
    }
}

/// Most characters of one part of a printed diagnostic (a message quotes cells, and a
/// broken file can hold a 10 MB cell).
const CLIP: usize = 300;

/// `text` cut to at most `max` characters, saying how many were left out.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((end, _)) => format!(
            "{}… ({} more characters)",
            &text[..end],
            text[end..].chars().count()
        )
        .into(),
    }
}

/// A bundle that could not be loaded: every problem found, errors and warnings.
#[derive(Debug, thiserror::Error)]
#[error("the bundle has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
pub struct InvalidInput(pub Vec<Diagnostic>);

/// The 1-based line of byte offset `pos` in `text` (a file's bytes or its text): how
/// every diagnostic names the line of a problem found by its offset.
pub fn line_of(text: &(impl AsRef<[u8]> + ?Sized), pos: usize) -> usize {
    let bytes = text.as_ref();
    bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_parts_are_clipped_when_printed() {
        let long = "x".repeat(1_000_000);
        let d = Diagnostic::error("E0002", "s.csv", format!("unknown column '{long}'"))
            .row(1)
            .column(long.clone())
            .hint(long.clone());
        let shown = d.to_string();
        assert!(shown.len() < 2000, "{}", shown.len());
        assert!(shown.starts_with("error[E0002] s.csv, line 1, column 'xxx"));
        assert!(shown.contains("(999700 more characters)"), "{shown}");
        assert_eq!(clip("Школа", 5), "Школа");
        assert_eq!(clip("Школа", 2), "Шк… (3 more characters)");
    }
}

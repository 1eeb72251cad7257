//! `profnet form-template BUNDLE --out FILE`: a choice sheet to send to schools.

use std::path::PathBuf;

use profnet::input::collect::{form_template, Catalog};

use super::{print_capped, write_atomically, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle (schools.csv and courses.csv are read).
    pub bundle: PathBuf,
    /// The sheet to write: CSV (`;`-separated, UTF-8 with BOM: Excel opens it as is),
    /// or an Excel workbook when the name ends in `.xlsx`.
    #[arg(long)]
    pub out: PathBuf,
    /// Fill this school id into the `school` column of every empty row.
    #[arg(long)]
    pub school: Option<String>,
    /// Empty student rows (default 40).
    #[arg(long, default_value_t = 40)]
    pub rows: usize,
    /// Choice columns (default: twice network.toml's `wants`, at least 4, at most the
    /// number of courses).
    #[arg(long)]
    pub choices: Option<usize>,
}

pub fn run(args: &Args) -> u8 {
    let catalog = match Catalog::read(&args.bundle) {
        Ok(c) => c,
        Err(diags) => {
            print_capped(&diags);
            errln!(
                "profnet: cannot read the courses of {}; nothing was written",
                args.bundle.display()
            );
            return EXIT_BAD_INPUT;
        }
    };
    if let Some(s) = &args.school {
        if !catalog.schools.iter().any(|x| &x.id == s) {
            let ids: Vec<&str> = catalog.schools.iter().map(|x| x.id.as_str()).collect();
            errln!(
                "profnet: --school '{s}' is not in schools.csv (its ids: {})",
                ids.join(", ")
            );
            return EXIT_BAD_INPUT;
        }
    }
    let n = catalog.courses.len();
    let choices = args
        .choices
        .unwrap_or_else(|| (catalog.wants * 2).max(4))
        .clamp(1, n.max(1));
    let text = form_template(&catalog, args.school.as_deref(), choices, args.rows);
    let xlsx = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let bytes = if xlsx {
        match to_xlsx(&text) {
            Ok(b) => b,
            Err(e) => {
                errln!("profnet: cannot build the workbook: {e}");
                return EXIT_FAIL;
            }
        }
    } else {
        text.into_bytes()
    };
    match write_atomically(&args.out, &bytes) {
        Ok(()) => {
            outln!(
                "{}: a choice sheet with {} course(s) on offer, {} empty row(s) and choice_1..choice_{choices}; \
                 schools fill in id, grade and course ids (or names) in order of preference, then run \
                 `profnet collect {} FILES... --out students.csv`",
                args.out.display(),
                n,
                args.rows,
                args.bundle.display()
            );
            EXIT_OK
        }
        Err(e) => {
            errln!("profnet: cannot write {}: {e:#}", args.out.display());
            EXIT_FAIL
        }
    }
}

/// The sheet as an Excel workbook: the same columns, every cell text (ids such as
/// `007` keep their zeros), the header row frozen and filtered, widths to fit.
fn to_xlsx(text: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("choices")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let mut widths: Vec<usize> = Vec::new();
    let mut rows = 0u32;
    let mut cols = 0u16;
    for (i, rec) in r.records().enumerate() {
        let Ok(rec) = rec else { continue };
        for (j, cell) in rec.iter().enumerate() {
            if i == 0 {
                ws.write_string_with_format(i as u32, j as u16, cell, &bold)?;
            } else if !cell.is_empty() {
                ws.write_string(i as u32, j as u16, cell)?;
            }
            if widths.len() <= j {
                widths.resize(j + 1, 8);
            }
            widths[j] = widths[j].max(cell.chars().count().min(60) + 2);
        }
        cols = cols.max(rec.len() as u16);
        rows = i as u32;
    }
    for (j, w) in widths.iter().enumerate() {
        ws.set_column_width(j as u16, *w as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if cols > 0 {
        ws.autofilter(0, 0, rows, cols - 1)?;
    }
    wb.save_to_buffer()
}

//! `profnet form-template BUNDLE --out FILE [--school ID]`: a choice sheet to send to
//! schools. With `--school`, the course list beside it has only the courses a group
//! could serve that school's students (`profnet::input::offer`), and the others apart
//! with why.

use std::path::PathBuf;

use profnet::input::collect::{form_template, Catalog};
use profnet::input::offer::{self, SheetList};
use profnet::lang::Lang;

use super::{print_capped, write_atomically, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

#[derive(clap::Args)]
pub struct Args {
    /// The network bundle (a directory or a workbook). Its schools, courses, rooms,
    /// teachers and links say what is on offer; students.csv may be missing still.
    pub bundle: PathBuf,
    /// The sheet to write: CSV (`;`-separated, UTF-8 with BOM: Excel opens it as is),
    /// or an Excel workbook when the name ends in `.xlsx`.
    #[arg(long)]
    pub out: PathBuf,
    /// The school the sheet is for: its id fills the `school` column of every empty
    /// row, and only the courses its students can reach are listed as on offer (the
    /// others below them, with why).
    #[arg(long)]
    pub school: Option<String>,
    /// Empty student rows (default 40).
    #[arg(long, default_value_t = 40)]
    pub rows: usize,
    /// Choice columns (default: twice network.toml's `wants`, at least 4, at most the
    /// number of courses on offer).
    #[arg(long)]
    pub choices: Option<usize>,
    /// Language of where a course is taught and why not: ru or en.
    #[arg(long, default_value = "ru")]
    pub lang: String,
}

pub fn run(args: &Args) -> u8 {
    let Some(lang) = Lang::parse(&args.lang) else {
        errln!("profnet: --lang '{}': use ru or en", args.lang);
        return EXIT_BAD_INPUT;
    };
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
    let school = args.school.as_deref();
    let whom = school.map_or("any school".to_owned(), |s| format!("school {s}"));
    // What is on offer, from the whole network; the catalog alone when it cannot be
    // loaded (then every course is listed, as on offer).
    let list: Option<SheetList> = match offer::load_network(&args.bundle) {
        Ok(loaded) => {
            if let (Some(s), false) = (school, loaded.students) {
                let why = loaded
                    .note
                    .as_ref()
                    .map_or(String::new(), |d| format!(" ({})", d.message));
                errln!(
                    "note: students.csv not read{why}: the grades of {s}'s students are not known, \
                     so courses are not left out for their grades"
                );
            }
            Some(loaded.offers(school).listed(&loaded.net, lang))
        }
        Err(diags) => {
            let first = diags.first().map_or(String::new(), |d| format!(": {d}"));
            errln!(
                "note: {} cannot be loaded as a network{first}; every course is listed as on offer, \
                 without checking rooms, teachers and travel for {whom}",
                args.bundle.display()
            );
            None
        }
    };
    let offered = list
        .as_ref()
        .map_or(catalog.courses.len(), |l| l.offered.len());
    let apart = list.as_ref().map_or(0, |l| l.apart.len());
    let choices = args
        .choices
        .unwrap_or_else(|| (catalog.wants * 2).max(4))
        .clamp(1, offered.max(1));
    let text = match &list {
        Some(l) => offer::sheet(l, school, choices, args.rows),
        None => form_template(&catalog, school, choices, args.rows),
    };
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
            let apart = if apart > 0 {
                format!(
                    " ({apart} more listed below them as not on offer to {whom}, with why in offered_where)"
                )
            } else {
                String::new()
            };
            outln!(
                "{}: a choice sheet with {} course(s) on offer{apart}, {} empty row(s) and choice_1..choice_{choices}; \
                 schools fill in id, grade and course ids (or names) in order of preference, then run \
                 `profnet collect {} FILES... --out students.csv`",
                args.out.display(),
                offered,
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
        // The header, and the heading of the courses listed apart, in bold.
        let heading = i == 0 || rec.iter().any(|c| c == offer::APART_HEADER[0]);
        for (j, cell) in rec.iter().enumerate() {
            if heading && !cell.is_empty() {
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

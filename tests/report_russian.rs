//! What a Russian planner reads, on a network none of the other tests use: with
//! `--lang ru` the page, the workbook, the calendars, the registers and the re-plan's
//! messages hold no English word besides ids, names from the bundle and format names;
//! numbers agree with their nouns; the CSV files meant for people open in Excel on a
//! Russian Windows (`;`, UTF-8 with a BOM).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calamine::{Data, Reader};
use common::run_profnet as profnet;

struct Fixture {
    bundle: PathBuf,
    report: PathBuf,
    replan: PathBuf,
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_russian");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (bundle, plan, report, replan) = (
            dir.join("bundle"),
            dir.join("plan"),
            dir.join("report"),
            dir.join("replan"),
        );
        #[rustfmt::skip]
        profnet(&["generate", "--family", "chain", "--schools", "5", "--students", "150",
            "--courses", "12", "--seed", "23", "--fleet", "--out", s(&bundle)]);
        profnet(&[
            "solve",
            s(&bundle),
            "--out",
            s(&plan),
            "--time-limit",
            "10",
            "--quiet",
        ]);
        #[rustfmt::skip]
        profnet(&["report", s(&bundle), s(&plan), "--out", s(&report), "--date", "2026-09-04",
            "--lang", "ru", "--quiet"]);
        let change = dir.join("change.toml");
        std::fs::write(
            &change,
            "[[absent_teacher]]\nid = \"T0005\"\n[[closed_room]]\nid = \"S01-R3\"\n",
        )
        .unwrap();
        #[rustfmt::skip]
        profnet(&["replan", s(&bundle), s(&plan), "--change", s(&change), "--out", s(&replan),
            "--lang", "ru"]);
        Fixture {
            bundle,
            report,
            replan,
        }
    })
}

/// Latin words of `text` (letters, digits, `_`, `-`), file names (`x.csv`) dropped.
fn latin_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split(|c: char| {
        !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '/')
    }) {
        let token = token.trim_matches(|c| c == '.' || c == '-' || c == '/');
        let is_file = [
            ".csv", ".xlsx", ".ics", ".html", ".fet", ".json", ".toml", ".txt",
        ]
        .iter()
        .any(|e| token.ends_with(e));
        if is_file {
            continue;
        }
        for w in token.split(['.', '/']) {
            if w.chars().any(|c| c.is_ascii_alphabetic()) {
                out.push(w.to_string());
            }
        }
    }
    out
}

/// What may be Latin in a Russian output: every word of the bundle's own data (ids,
/// names of schools, teachers and courses, the network's name), format names, the SPEC
/// keys the workbook cites next to their Russian labels.
fn allowed(bundle: &Path) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for e in std::fs::read_dir(bundle).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let body = if path.extension().is_some_and(|x| x == "csv") {
            // Data rows only: the header's column names are not data.
            text.split_once('\n').map_or("", |(_, b)| b).to_string()
        } else {
            // network.toml: the values of its keys (the name).
            text.lines()
                .filter_map(|l| l.split_once('=').map(|(_, v)| v.to_string()))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for w in latin_words(&body) {
            words.insert(w.to_lowercase());
        }
    }
    for f in [
        "csv", "xlsx", "ics", "html", "fet", "pdf", "spec", "json", "profnet",
    ] {
        words.insert(f.into());
    }
    words
}

/// SPEC §2/§4 keys, quoted by the workbook's indicator sheet in their own column.
fn spec_keys(report: &Path) -> BTreeSet<String> {
    let mut wb = calamine::open_workbook_auto(report.join("plan.xlsx")).unwrap();
    let first = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&first).unwrap();
    range
        .rows()
        .skip(1)
        .filter_map(|r| r.get(2))
        .map(|c| c.to_string().to_lowercase())
        .filter(|k| !k.is_empty())
        .collect()
}

fn is_id_like(w: &str) -> bool {
    // Generated ids and group ids: letters then digits (S01, T0005, P00012, G007, R3).
    let digits = w.trim_start_matches(|c: char| c.is_ascii_uppercase());
    !digits.is_empty() && digits.len() < w.len() && digits.chars().all(|c| c.is_ascii_digit())
}

fn english(text: &str, allow: &BTreeSet<String>) -> Vec<String> {
    latin_words(text)
        .into_iter()
        .filter(|w| !allow.contains(&w.to_lowercase()) && !is_id_like(w))
        .collect()
}

/// The text a reader sees on the page: no markup, no script or style.
fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        let tag = &rest[i..];
        let skip_to = ["<script", "<style"]
            .iter()
            .find(|t| tag.starts_with(*t))
            .map(|t| format!("</{}>", &t[1..]));
        rest = match skip_to {
            Some(end) => tag.find(&end).map_or("", |j| &tag[j + end.len()..]),
            None => tag.find('>').map_or("", |j| &tag[j + 1..]),
        };
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn workbook_text(path: &Path) -> Vec<(String, String)> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        out.push((name.clone(), name.clone()));
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                if let Data::String(t) = c {
                    out.push((name.clone(), t.clone()));
                }
            }
        }
    }
    out
}

/// The values people read in a calendar (SUMMARY, DESCRIPTION, LOCATION, names).
fn calendar_text(path: &Path) -> String {
    let raw = std::fs::read_to_string(path).unwrap().replace("\r\n ", "");
    let mut out = String::new();
    for line in raw.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.split(';').next().unwrap_or("");
        if [
            "SUMMARY",
            "DESCRIPTION",
            "LOCATION",
            "X-WR-CALNAME",
            "X-WR-CALDESC",
        ]
        .contains(&name)
        {
            out.push_str(
                &value
                    .replace("\\n", " ")
                    .replace("\\,", ",")
                    .replace("\\;", ";"),
            );
            out.push('\n');
        }
    }
    out
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p, ext));
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Every text a Russian reader meets, by where it comes from.
fn russian_texts(f: &Fixture) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    let html = std::fs::read_to_string(f.report.join("index.html")).unwrap();
    texts.push(("index.html".to_string(), page_text(&html)));
    for (sheet, t) in workbook_text(&f.report.join("plan.xlsx")) {
        texts.push((format!("plan.xlsx/{sheet}"), t));
    }
    for p in files_under(&f.report.join("ics"), "ics") {
        texts.push((p.display().to_string(), calendar_text(&p)));
    }
    for p in files_under(&f.report, "csv") {
        for row in semicolon_rows(&p) {
            // The file column names files (by id); everything else is read.
            let cells: Vec<&String> = row.iter().filter(|c| !c.contains('/')).collect();
            texts.push((
                p.display().to_string(),
                cells
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ));
        }
    }
    let mut notify = csv::Reader::from_path(f.replan.join("notify.csv")).unwrap();
    let headers = notify.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (message, name) = (col("message"), col("name"));
    for r in notify.records() {
        let r = r.unwrap();
        texts.push(("notify.csv".into(), format!("{} {}", &r[name], &r[message])));
    }
    texts.push((
        "notify.txt".into(),
        std::fs::read_to_string(f.replan.join("notify.txt")).unwrap(),
    ));
    texts
}

fn semicolon_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or_else(|| panic!("{}: no BOM", path.display()));
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn no_english_in_the_russian_outputs() {
    let f = fixture();
    let mut allow = allowed(&f.bundle);
    allow.extend(spec_keys(&f.report));
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    let texts = russian_texts(f);
    assert!(texts.len() > 50, "too little read: {}", texts.len());
    for (place, text) in &texts {
        for w in english(text, &allow) {
            found.insert((place.clone(), w));
        }
    }
    assert!(
        found.is_empty(),
        "English words in Russian outputs: {found:?}"
    );

    // The scan can fail: it finds what the old outputs said.
    let old = "clashes with granted choice C04 (period 1); room of kind 'general'";
    assert_eq!(
        english(old, &allow),
        ["clashes", "with", "granted", "choice", "period", "room", "of", "kind"]
    );

    // The unserved reasons are among what was read: each in Russian.
    let unserved = std::fs::read_to_string(f.report.join("index.html")).unwrap();
    assert!(unserved.contains("Причина"));
}

/// The form a Russian number asks for: 0 one, 1 few, 2 many.
fn form(n: u64) -> usize {
    match (n % 10, n % 100) {
        (_, 11..=14) => 2,
        (1, _) => 0,
        (2..=4, _) => 1,
        _ => 2,
    }
}

#[test]
fn numbers_agree_with_their_nouns() {
    let f = fixture();
    let nouns: [[&str; 3]; 9] = [
        ["поездка", "поездки", "поездок"],
        ["место", "места", "мест"],
        ["ученик", "ученика", "учеников"],
        ["учитель", "учителя", "учителей"],
        ["группа", "группы", "групп"],
        ["урок", "урока", "уроков"],
        ["событие", "события", "событий"],
        ["сообщение", "сообщения", "сообщений"],
        ["минута", "минуты", "минут"],
    ];
    let mut wrong = BTreeSet::new();
    let mut checked = 0;
    for (place, text) in russian_texts(f) {
        let words: Vec<&str> = text.split(' ').collect();
        for pair in words.windows(2) {
            let Ok(n) = pair[0].parse::<u64>() else {
                continue;
            };
            let w = pair[1].trim_end_matches([',', '.', ';', ')', ':']);
            for forms in &nouns {
                if let Some(k) = forms.iter().position(|x| *x == w) {
                    checked += 1;
                    if k != form(n) {
                        wrong.insert((place.clone(), format!("{n} {w}")));
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} counted nouns found");
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn school_names_are_never_declined() {
    // A name from schools.csv cannot be declined: it never follows «из», «в», «до»,
    // «от» (nor «к»); the outputs say «Откуда: …», «Куда: …», «Школа: …» instead.
    let f = fixture();
    let names: Vec<String> = std::fs::read_to_string(f.bundle.join("schools.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1).map(str::to_string))
        .collect();
    assert!(!names.is_empty());
    let mut bad = BTreeSet::new();
    for (place, text) in russian_texts(f) {
        for name in &names {
            for prep in ["из", "в", "во", "до", "от", "к", "ко"] {
                if text.contains(&format!(" {prep} {name}")) {
                    bad.insert((place.clone(), format!("{prep} {name}")));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn the_csv_files_people_open_read_as_semicolon_with_a_bom() {
    let f = fixture();
    let files: Vec<PathBuf> = files_under(&f.report, "csv");
    assert!(files.iter().any(|p| p.ends_with("ics/index.csv")));
    assert!(files.iter().any(|p| p.ends_with("registers/index.csv")));
    for p in &files {
        let rows = semicolon_rows(p);
        let header = &rows[0];
        assert!(header.len() >= 4, "{}: one column: {header:?}", p.display());
        assert!(
            header
                .iter()
                .any(|h| h.chars().any(|c| ('а'..='я').contains(&c))),
            "{}: header not in Russian: {header:?}",
            p.display()
        );
        for r in &rows[1..] {
            assert!(
                r.len() >= header.len(),
                "{}: a row narrower than its header: {r:?}",
                p.display()
            );
        }
    }
}

#[test]
fn notify_reads_as_messages_to_people_grouped_per_school() {
    let f = fixture();
    let mut r = csv::Reader::from_path(f.replan.join("notify.csv")).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    // SPEC §6 columns first, as before.
    assert_eq!(&headers[..3], ["recipient_role", "recipient", "message"]);
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert!(rows.len() > 10);
    let teachers = std::fs::read_to_string(f.bundle.join("teachers.csv")).unwrap();
    let teacher_name = |id: &str| {
        teachers
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .and_then(|l| l.split(',').nth(1))
            .unwrap()
            .to_string()
    };
    let school_col = headers.iter().position(|h| h == "school").unwrap();
    let mut seen_schools: Vec<String> = Vec::new();
    for row in &rows {
        // Grouped: once a school's block ends, it does not come back.
        let s = &row[school_col];
        if seen_schools.last() != Some(s) {
            assert!(!seen_schools.contains(s), "{s} appears in two blocks");
            seen_schools.push(s.clone());
        }
        // Teachers named by name with the id in brackets wherever a message cites one.
        for t in latin_words(&row[2])
            .iter()
            .filter(|w| w.starts_with('T') && is_id_like(w))
        {
            assert!(
                row[2].contains(&format!("{} ({t})", teacher_name(t))),
                "{t} not named in {row:?}"
            );
        }
    }
    // Every school block in notify.txt starts with the school's name.
    let txt = std::fs::read_to_string(f.replan.join("notify.txt")).unwrap();
    for s in &seen_schools {
        assert!(
            txt.lines()
                .any(|l| l.starts_with("=== Школа: ") && l.contains(&format!("({s})"))),
            "{s}: no block in notify.txt"
        );
    }
    // The teacher who is absent hears that their groups are cancelled, by name.
    let absent = rows.iter().find(|r| r[1] == "T0005").expect("T0005 told");
    assert!(absent[2].contains("отменена"), "{absent:?}");
}

#[test]
fn export_excel_copies_every_plan_file_as_semicolon_with_a_bom() {
    let f = fixture();
    let out = f.replan.parent().unwrap().join("excel");
    let _ = std::fs::remove_dir_all(&out);
    profnet(&["export", s(&f.replan), "--excel", "--out", s(&out)]);
    let originals = files_under(&f.replan, "csv");
    assert!(originals.iter().any(|p| p.ends_with("unserved.csv")));
    assert!(originals.iter().any(|p| p.ends_with("notify.csv")));
    for orig in originals
        .iter()
        .filter(|p| p.parent() == Some(f.replan.as_path()))
    {
        let copy = out.join(orig.file_name().unwrap());
        let want: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(orig)
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(semicolon_rows(&copy), want, "{}", copy.display());
    }
    // The plan's own files are untouched: still comma-separated, no BOM.
    let groups = std::fs::read(f.replan.join("groups.csv")).unwrap();
    assert!(groups.starts_with(b"group,course,school,"));
}

/// Converts `input` to PDF with LibreOffice headless (as tests/workbook.rs does); the
/// number of pages it prints.
fn printed_pages(input: &Path, outdir: &Path) -> usize {
    std::fs::create_dir_all(outdir).unwrap();
    let out = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            outdir.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .expect("LibreOffice (soffice) is needed: run scripts/setup-debian.sh --tests");
    let pdf = outdir.join(format!(
        "{}.pdf",
        input.file_stem().unwrap().to_str().unwrap()
    ));
    assert!(
        pdf.exists(),
        "soffice made no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(pdf).unwrap();
    // Page objects: `/Type /Page` (not `/Pages`).
    let mut n = 0;
    for i in 0..bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"/Type") {
            let after = rest[5..].iter().skip_while(|b| b.is_ascii_whitespace());
            let word: Vec<u8> = after.take(6).copied().collect();
            if word.starts_with(b"/Page") && word.get(5).is_none_or(|b| !b.is_ascii_alphanumeric())
            {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn the_workbook_prints_in_a_few_pages_per_school_with_its_headers_repeated() {
    let f = fixture();
    let xlsx = f.report.join("plan.xlsx");
    let schools = std::fs::read_to_string(f.bundle.join("schools.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let pages = printed_pages(&xlsx, &f.report.parent().unwrap().join("pdf"));
    // Seven sheets; the students' and teachers' tables grow with the network.
    assert!(pages >= 7, "{pages} pages");
    assert!(
        pages <= 4 * schools + 7,
        "{pages} pages for {schools} schools"
    );

    // Every table sheet repeats its header row on each printed page, fits the page width
    // and is set on A4.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    let titles = workbook.matches("_xlnm.Print_Titles").count();
    assert!(titles >= 6, "print titles on {titles} sheets: {workbook}");
    for i in 1..=7 {
        let sheet = read(&format!("xl/worksheets/sheet{i}.xml"));
        assert!(sheet.contains("<pageSetup paperSize=\"9\""), "sheet{i}");
        assert!(
            sheet.contains("fitToWidth=\"1\"") || !sheet.contains("fitToWidth=\"0\""),
            "sheet{i}"
        );
        assert!(
            sheet.contains("<fitToPage") || sheet.contains("fitToPage=\"1\""),
            "sheet{i}"
        );
    }
    // The timetable: a page per school.
    let timetable = read("xl/worksheets/sheet3.xml");
    assert_eq!(
        timetable.matches("<brk ").count(),
        schools - 1,
        "page breaks between schools"
    );
}

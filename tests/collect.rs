//! `profnet collect` as a library: merging the choice files schools send (issue 9).
//!
//! Fixtures in `tests/collect/`: a small bundle and three messy files, one per shape:
//! * `S01_wide.csv`: wide, `,`, UTF-8 with BOM, CRLF; course names typed, a typo, an
//!   unknown course, a repeat, impossible grade, unknown school, no id, a bad row;
//! * `S02_form.csv`: a form-service export, `;`, Windows-1251, CRLF; timestamps, free-
//!   text questions, course names picked, a school written by name, a duplicate
//!   submission (the later one is first in the file), an ambiguous name;
//! * `s03_long.csv`: long `student,course,rank,grade`, no school column (the file name
//!   names the school), a rank in words, a grade that changes between rows.
//!
//! The `.xlsx` tests (at the end) write their workbooks with rust_xlsxwriter and run the
//! `profnet` binary on them, mixed with a CSV file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use profnet::input::collect::bundle_template;
use profnet::input::collect::{collect, form_template, Catalog, Collected, Input};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/collect")
}

const FILES: [&str; 3] = ["S01_wide.csv", "S02_form.csv", "s03_long.csv"];

fn inputs() -> Vec<Input> {
    FILES
        .iter()
        .map(|f| Input::from_bytes(f, &fs::read(dir().join(f)).unwrap()).unwrap())
        .collect()
}

fn run() -> Collected {
    let catalog = Catalog::read(&dir().join("bundle")).unwrap();
    collect(&catalog, &inputs()).unwrap()
}

/// The bundle with `students` as its students.csv, loaded and validated.
fn validates(students: &str) -> profnet::model::Network {
    let tmp = tempfile::tempdir().unwrap();
    for e in fs::read_dir(dir().join("bundle")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
    }
    fs::write(tmp.path().join("students.csv"), students).unwrap();
    match profnet::input::load(tmp.path()) {
        Ok((net, _warnings)) => net,
        Err(e) => panic!("the merged students.csv does not validate: {:#?}", e.0),
    }
}

#[test]
fn fixtures_are_in_both_dialects() {
    let wide = fs::read(dir().join("S01_wide.csv")).unwrap();
    assert!(
        wide.starts_with(b"\xef\xbb\xbfid,school"),
        "UTF-8 with BOM, ','"
    );
    assert!(wide.windows(2).any(|w| w == b"\r\n"));
    let form = fs::read(dir().join("S02_form.csv")).unwrap();
    assert!(
        std::str::from_utf8(&form).is_err(),
        "Windows-1251, not UTF-8"
    );
    let i = inputs();
    assert_eq!(i[0].table.delimiter, b',');
    assert_eq!(i[1].table.delimiter, b';');
    assert_eq!(i[1].table.headers[0], "отметка времени");
}

#[test]
fn merged_students_csv() {
    let c = run();
    let expected = "\
id,school,grade,choice_1,choice_2,choice_3
P101,S01,10,PHYS,INF,
P102,S01,10,PHYS,INF,CHEM
P103,S01,11,MATHOL,,
P106,S01,11,BIO,INF,
P108,S01,10,,,
P201,S02,10,PHYS,INF,
P202,S02,11,MATH,MATHOL,CHEM
P203,S02,10,BIO,PHYS,CHEM
P204,S02,10,,,
P107,S01,10,INF,BIO,
P301,S03,10,PHYS,INF,
P302,S03,11,MATH,CHEM,
P303,S03,10,BIO,INF,
";
    assert_eq!(c.students_csv(), expected);
    let net = validates(&c.students_csv());
    assert_eq!(net.students.len(), 13);
    let shapes: Vec<&str> = c.files.iter().map(|f| f.shape).collect();
    assert_eq!(shapes, ["wide", "form", "long"]);
}

/// file, line, student, status, kept, value.
type Line = (String, usize, String, &'static str, &'static str, String);

#[test]
fn report_names_every_problem() {
    let c = run();
    let got: Vec<Line> = c
        .report
        .iter()
        .map(|r| {
            let kept = match r.kept {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            };
            (
                r.file.clone(),
                r.line,
                r.student.clone(),
                r.status,
                kept,
                r.value.clone(),
            )
        })
        .collect();
    let w = "S01_wide.csv";
    let f = "S02_form.csv";
    let l = "s03_long.csv";
    let row = |file: &str, line, student: &str, status, kept, value: &str| {
        (
            file.to_owned(),
            line,
            student.to_owned(),
            status,
            kept,
            value.to_owned(),
        )
    };
    let expected = vec![
        row(w, 1, "", "ignored_column", "", ""),
        row(w, 2, "P101", "ok", "yes", ""),
        row(w, 3, "P102", "matched", "yes", "Физика (решение задач)"),
        row(w, 3, "P102", "matched", "yes", "Инфарматика"),
        row(w, 3, "P102", "matched", "yes", "химия"),
        row(w, 4, "P103", "unmatched", "yes", "Астрономия"),
        row(w, 4, "P103", "repeated", "yes", "MATHOL"),
        row(w, 5, "P104", "bad_grade", "no", "13"),
        row(w, 6, "P105", "unknown_school", "no", "S99"),
        row(w, 7, "", "no_id", "no", ""),
        row(w, 8, "P106", "grade_excluded", "yes", "BIO"),
        row(w, 9, "P107", "duplicate", "no", ""),
        row(w, 10, "P108", "no_choices", "yes", ""),
        row(w, 11, "", "unreadable", "no", ""),
        row(f, 1, "", "ignored_column", "", ""),
        row(f, 2, "P201", "ok", "yes", ""),
        row(f, 3, "P202", "matched", "yes", "Ключищенская СШ"),
        row(f, 3, "P202", "matched", "yes", "Математика"),
        row(f, 3, "P202", "matched", "yes", "Химия"),
        row(f, 4, "P203", "matched", "yes", "Химия"),
        row(f, 4, "P203", "latest", "yes", ""),
        row(f, 5, "P203", "duplicate", "no", ""),
        row(f, 6, "P204", "ambiguous", "yes", "Математику"),
        row(f, 6, "P204", "no_choices", "yes", ""),
        row(f, 7, "P107", "matched", "yes", "Информатика"),
        row(f, 7, "P107", "latest", "yes", ""),
        row(f, 8, "P205", "unknown_school", "no", "Школа № 5"),
        row(f, 9, "P206", "bad_grade", "no", "девятый"),
        row(l, 2, "P301", "ok", "yes", ""),
        row(l, 3, "P301", "matched", "yes", "Информатика"),
        row(l, 4, "P302", "ok", "yes", ""),
        row(l, 5, "P302", "ok", "yes", ""),
        row(l, 6, "P302", "unmatched", "yes", "Робототехника"),
        row(l, 7, "P303", "bad_rank", "yes", "первый"),
        row(l, 8, "P303", "conflict", "yes", "11"),
    ];
    assert_eq!(got, expected);
    // The details say what to do and where the other submission is.
    let detail = |line, status| {
        c.report
            .iter()
            .find(|r| r.file == f && r.line == line && r.status == status)
            .unwrap()
            .detail
            .clone()
    };
    assert!(detail(5, "duplicate").contains("S02_form.csv line 4 (23.11.2026 11:30:00)"));
    assert!(detail(6, "ambiguous").contains("MATH") && detail(6, "ambiguous").contains("MATHOL"));
    let csv = c.report_csv();
    assert!(csv.starts_with("file,line,student,status,kept,column,value,detail\n"));
    assert_eq!(csv.lines().count(), c.report.len() + 1);
}

/// Every data line of every input file is in the report, and a line's student is in
/// the output exactly when the report says `kept = yes`.
#[test]
fn every_input_row_is_accounted_for() {
    let c = run();
    let out: BTreeSet<&str> = c.students.iter().map(|s| s.id.as_str()).collect();
    for (name, input) in FILES.iter().zip(inputs()) {
        let text =
            profnet::input::table::decode_text(&fs::read(dir().join(name)).unwrap(), name).unwrap();
        let data_lines: BTreeSet<usize> = text
            .lines()
            .enumerate()
            .skip(input.table.header_line)
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, _)| i + 1)
            .collect();
        let reported: BTreeSet<usize> = c
            .report
            .iter()
            .filter(|r| r.file == *name && r.kept.is_some())
            .map(|r| r.line)
            .collect();
        assert_eq!(reported, data_lines, "{name}");
    }
    for r in c.report.iter().filter(|r| r.kept.is_some()) {
        if r.kept == Some(true) {
            assert!(out.contains(r.student.as_str()), "{r:?}");
        } else if r.status != "duplicate" {
            assert!(!out.contains(r.student.as_str()), "{r:?}");
        }
    }
}

#[test]
fn template_round_trip() {
    let catalog = Catalog::read(&dir().join("bundle")).unwrap();
    let sheet = form_template(&catalog, Some("S02"), 4, 5);
    let mut lines: Vec<String> = sheet.lines().map(String::from).collect();
    assert!(lines[0].starts_with("\u{feff}id;school;grade;wants;choice_1;choice_2;choice_3;choice_4;offered_course;offered_name"));
    assert_eq!(lines.len(), 1 + 6, "max(5 rows, 6 courses)");
    assert!(
        lines[1].starts_with(";S02;;;;;;;PHYS;Физика;1;any;no"),
        "{}",
        lines[1]
    );
    // A school fills in two rows: ids, names or typos, a wants override.
    lines[1] = lines[1].replacen(";S02;;;;;;;", "T1;S02;10;;PHYS;химия;;;", 1);
    lines[2] = lines[2].replacen(";S02;;;;;;;", "T2;S02;11;1;Информатика;;;;", 1);
    let filled = lines.join("\r\n");
    let input = Input::from_bytes("S02_sheet.csv", filled.as_bytes()).unwrap();
    let c = collect(&catalog, &[input]).unwrap();
    assert_eq!(
        c.students_csv(),
        "id,school,grade,wants,choice_1,choice_2\nT1,S02,10,,PHYS,CHEM\nT2,S02,11,1,INF,\n"
    );
    let statuses: Vec<(usize, &str)> = c.report.iter().map(|r| (r.line, r.status)).collect();
    assert_eq!(
        statuses,
        [
            (2, "matched"),
            (3, "matched"),
            (4, "empty"),
            (5, "empty"),
            (6, "empty"),
            (7, "empty")
        ]
    );
    validates(&c.students_csv());
}

#[test]
fn init_bundle_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let template = bundle_template();
    for (name, text) in &template {
        fs::write(tmp.path().join(name), text).unwrap();
    }
    let (net, warnings) = profnet::input::load(tmp.path()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        (net.schools.len(), net.courses.len(), net.students.len()),
        (2, 1, 1)
    );
    let guide = &template.iter().find(|(n, _)| *n == "GUIDE.md").unwrap().1;
    assert!(guide.contains("По-русски") && guide.contains("In English"));
    // Its catalog feeds the template and collect.
    let catalog = Catalog::read(tmp.path()).unwrap();
    assert_eq!(catalog.courses[0].id, "PHYS");
}

#[test]
fn unrecognised_and_unreadable_files_are_named() {
    let catalog = Catalog::read(&dir().join("bundle")).unwrap();
    let no_ids =
        Input::from_bytes("x.csv", "Класс;Выберите первый курс\n10;PHYS\n".as_bytes()).unwrap();
    let no_choices = Input::from_bytes("y.csv", b"id,school,grade\nA,S01,10\n").unwrap();
    let bad = collect(&catalog, &[no_ids, no_choices]).unwrap_err();
    assert_eq!(bad.len(), 2);
    assert!(bad[0].message.contains("student ids"), "{}", bad[0].message);
    assert!(
        bad[1].message.contains("course choices"),
        "{}",
        bad[1].message
    );
    // Binary data (an .xlsx sent as is) is refused, never a panic.
    assert!(Input::from_bytes("book.xlsx", b"PK\x03\x04\x00\x00binary").is_err());
    assert!(Input::from_bytes("empty.csv", b"").is_err());
}

#[test]
fn a_form_with_multi_select_and_no_ranks() {
    let catalog = Catalog::read(&dir().join("bundle")).unwrap();
    let text = "Timestamp,Student ID,School,Grade,Which courses do you choose?\n\
                2026/11/23 9:00:00 AM GMT+3,Q1,S01,10,\"Физика, Информатика\"\n\
                2026/11/23 1:00:00 PM GMT+3,Q2,S01,10,Химия\n\
                2026/11/23 10:00:00 AM GMT+3,Q2,S01,10,Биология\n";
    let input = Input::from_bytes("ms.csv", text.as_bytes()).unwrap();
    let c = collect(&catalog, &[input]).unwrap();
    assert_eq!(
        c.students_csv(),
        "id,school,grade,choice_1,choice_2\nQ1,S01,10,PHYS,INF\nQ2,S01,10,CHEM,\n"
    );
    let dup = c.report.iter().find(|r| r.status == "duplicate").unwrap();
    assert_eq!((dup.line, dup.student.as_str()), (4, "Q2"));
}

#[test]
fn garbage_never_panics_and_rows_are_kept_or_reported() {
    let catalog = Catalog::read(&dir().join("bundle")).unwrap();
    let cells = [
        "",
        "P1",
        "p1",
        "S01",
        "s02",
        "Ключищенская",
        "10",
        "XI",
        "0",
        "99999999999999999999",
        "Физика",
        "физ",
        "((",
        "\"",
        "2026-13-45 99:99",
        "23.11.2026",
        ";",
        ",",
        "é",
        "Ё",
    ];
    let headers = [
        "id,school,grade,choice_1,choice_2",
        "student,course,rank,school,grade",
        "Отметка времени;ФИО;Школа;Класс;Выберите курсы",
    ];
    let mut seed = 7u64;
    for h in headers {
        let sep = if h.contains(';') { ';' } else { ',' };
        for _ in 0..30 {
            let mut text = format!("{h}\n");
            for _ in 0..6 {
                let row: Vec<String> = (0..5)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                        let c = cells[(seed >> 33) as usize % cells.len()];
                        format!("\"{}\"", c.replace('"', "\"\""))
                    })
                    .collect();
                text.push_str(&row.join(&sep.to_string()));
                text.push('\n');
            }
            let Ok(input) = Input::from_bytes("g.csv", text.as_bytes()) else {
                continue;
            };
            let lines: BTreeSet<usize> = input.table.rows.iter().map(|r| r.line).collect();
            let Ok(c) = collect(&catalog, &[input]) else {
                continue;
            };
            let reported: BTreeSet<usize> = c
                .report
                .iter()
                .filter(|r| r.kept.is_some())
                .map(|r| r.line)
                .collect();
            assert!(lines.is_subset(&reported), "{text}");
            if !c.students.is_empty() {
                validates(&c.students_csv());
            }
        }
    }
}

// ---- .xlsx files from schools (issue 18), through the binary ------------------------

/// A cell of a test workbook.
enum X {
    S(&'static str),
    N(f64),
    /// A date-time cell: year, month, day, hour, minute, second.
    T(u16, u8, u8, u16, u8, u8),
    /// A formula whose saved value is the Excel error `#N/A`.
    NA,
    Blank,
}

/// Adds a sheet `name` with `rows` from its first row (`hidden`: a hidden sheet).
fn sheet(wb: &mut rust_xlsxwriter::Workbook, name: &str, hidden: bool, rows: &[Vec<X>]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula};
    let when = Format::new().set_num_format("dd.mm.yyyy hh:mm:ss");
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    if hidden {
        ws.set_hidden(true);
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, x) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match *x {
                X::S(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                X::N(n) => {
                    ws.write_number(r, c, n).unwrap();
                }
                X::T(y, mo, d, h, mi, s) => {
                    let t = ExcelDateTime::from_ymd(y, mo, d)
                        .unwrap()
                        .and_hms(h, mi, s)
                        .unwrap();
                    ws.write_datetime_with_format(r, c, &t, &when).unwrap();
                }
                X::NA => {
                    ws.write_formula(r, c, Formula::new("=NA()").set_result("#N/A"))
                        .unwrap();
                }
                X::Blank => {}
            }
        }
    }
}

/// Runs `profnet collect` on the test bundle and `files` (names in `dir`, where it
/// runs), writing `students.csv`: exit code, stdout, stderr. `None` when this test
/// binary is built without the profnet binary (`--no-default-features`).
fn collect_bin(dir: &Path, files: &[&str]) -> Option<(i32, String, String)> {
    let exe = option_env!("CARGO_BIN_EXE_profnet")?;
    let out = std::process::Command::new(exe)
        .current_dir(dir)
        .arg("collect")
        .arg(self::dir().join("bundle"))
        .args(files)
        .args(["--out", "students.csv"])
        .output()
        .expect("run profnet");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    Some((out.status.code().unwrap_or(-1), stdout, stderr))
}

/// A report row: file, line, student, status, kept, column, value, detail.
type ReportLine = (
    String,
    usize,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn report_of(path: &Path) -> Vec<ReportLine> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let f = |i: usize| rec[i].to_owned();
            (
                f(0),
                rec[1].parse().unwrap(),
                f(2),
                f(3),
                f(4),
                f(5),
                f(6),
                f(7),
            )
        })
        .collect()
}

#[test]
fn xlsx_files_in_all_three_shapes_merge_with_csv() {
    use X::*;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Wide, no school column (the file name names S01): an instruction sheet whose
    // example would be read if it were not skipped, a title above the header, ids and
    // grades typed as numbers, a cell of two lines, an empty row, an Excel error; a
    // course list (the form template's) and a hidden old list beside it.
    let mut wb = rust_xlsxwriter::Workbook::new();
    sheet(
        &mut wb,
        "Инструкция",
        false,
        &[
            vec![S("Одна строка на ученика, например:")],
            vec![S("id"), S("choice_1")],
            vec![S("P000"), S("PHYS")],
        ],
    );
    sheet(
        &mut wb,
        "Ученики",
        false,
        &[
            vec![S("Выбор элективных курсов, 10–11 классы")],
            vec![],
            vec![
                S("Код ученика"),
                S("Класс"),
                S("choice_1"),
                S("choice_2"),
                S("Примечание"),
            ],
            vec![N(1001.0), N(10.0), S("Физика"), S("INF"), S("две\nстроки")],
            vec![N(1002.0), N(11.0), S("Олимпиадная математика"), S("химия")],
            vec![N(1003.0), N(13.0), S("PHYS")],
            vec![],
            vec![N(1004.0), N(10.0), NA, S("BIO"), NA],
        ],
    );
    sheet(
        &mut wb,
        "Курсы",
        false,
        &[
            vec![S("offered_course"), S("offered_name")],
            vec![S("PHYS"), S("Физика")],
        ],
    );
    sheet(
        &mut wb,
        "old",
        true,
        &[vec![S("id"), S("choice_1")], vec![S("X1"), S("PHYS")]],
    );
    wb.save(d.join("S01.xlsx")).unwrap();
    // Long, two sheets: the second has no school column (the file name names S02).
    let mut wb = rust_xlsxwriter::Workbook::new();
    let head = || {
        vec![
            S("student"),
            S("course"),
            S("rank"),
            S("school"),
            S("grade"),
        ]
    };
    sheet(
        &mut wb,
        "Лист1",
        false,
        &[
            head(),
            vec![N(2001.0), S("PHYS"), N(1.0), S("S02"), N(10.0)],
            vec![N(2001.0), S("Информатика"), N(2.0), S("S02"), N(10.0)],
            vec![N(2002.0), S("MATH"), N(1.0), S("S02"), N(11.0)],
            vec![N(2002.0), S("Робототехника"), N(2.0), S("S02"), N(11.0)],
        ],
    );
    sheet(
        &mut wb,
        "11 класс",
        false,
        &[
            vec![S("student"), S("course"), S("rank"), S("grade")],
            vec![N(2003.0), S("CHEM"), N(1.0), N(11.0)],
        ],
    );
    wb.save(d.join("s02_long.xlsx")).unwrap();
    // A form export: date-time cells, free-text questions, course and school names; a
    // resubmission 30 seconds after the first, above it (only the seconds tell).
    let mut wb = rust_xlsxwriter::Workbook::new();
    let college = || S("Аграрный колледж");
    sheet(
        &mut wb,
        "Ответы на форму (1)",
        false,
        &[
            vec![
                S("Отметка времени"),
                S("Код ученика"),
                S("Ваша школа"),
                S("Класс"),
                S("Выберите первый курс"),
                S("Выберите второй курс (запасной)"),
            ],
            vec![
                T(2026, 11, 23, 12, 0, 40),
                N(3001.0),
                college(),
                S("10 класс"),
                S("Биология"),
                S("Физика"),
            ],
            vec![
                T(2026, 11, 23, 12, 0, 10),
                N(3001.0),
                college(),
                N(10.0),
                S("Химия"),
                Blank,
            ],
            vec![
                T(2026, 11, 23, 10, 30, 0),
                N(3002.0),
                college(),
                N(11.0),
                S("Математика (профильная)"),
                S("Олимпиадная математика"),
            ],
        ],
    );
    wb.save(d.join("form.xlsx")).unwrap();
    fs::write(
        d.join("S01_extra.csv"),
        "id;school;grade;choice_1\nC1;S01;10;Физика\n",
    )
    .unwrap();

    let files = ["S01.xlsx", "S01_extra.csv", "s02_long.xlsx", "form.xlsx"];
    let Some((code, stdout, stderr)) = collect_bin(d, &files) else {
        return;
    };
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let students = fs::read_to_string(d.join("students.csv")).unwrap();
    assert_eq!(
        students,
        "\
id,school,grade,choice_1,choice_2
1001,S01,10,PHYS,INF
1002,S01,11,MATHOL,CHEM
1004,S01,10,BIO,
C1,S01,10,PHYS,
2001,S02,10,PHYS,INF
2002,S02,11,MATH,
2003,S02,11,CHEM,
3001,S03,10,BIO,PHYS
3002,S03,11,MATH,MATHOL
"
    );
    validates(&students);
    for line in [
        "S01.xlsx: sheet 'Инструкция' is not read (an instruction sheet)",
        "S01.xlsx: sheet 'Курсы' is not read (no header row with student ids and choices)",
        "S01.xlsx: sheet 'old' is not read (a hidden sheet)",
        "S01.xlsx [Ученики]: 4 rows, wide",
        "s02_long.xlsx [Лист1]: 4 rows, long",
        "s02_long.xlsx [11 класс]: 1 rows, long",
        "form.xlsx [Ответы на форму (1)]: 3 rows, form",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }

    let report = report_of(&d.join("students.report.csv"));
    let got: Vec<(&str, usize, &str, &str, &str, &str)> = report
        .iter()
        .map(|r| {
            (
                r.0.as_str(),
                r.1,
                r.2.as_str(),
                r.3.as_str(),
                r.4.as_str(),
                r.6.as_str(),
            )
        })
        .collect();
    let w = "S01.xlsx [Ученики]";
    let l1 = "s02_long.xlsx [Лист1]";
    let l2 = "s02_long.xlsx [11 класс]";
    let f = "form.xlsx [Ответы на форму (1)]";
    assert_eq!(
        got,
        [
            (w, 3, "", "ignored_column", "", ""),
            (w, 4, "1001", "ok", "yes", ""),
            (w, 5, "1002", "matched", "yes", "химия"),
            (w, 6, "1003", "bad_grade", "no", "13"),
            (w, 8, "1004", "excel_error", "yes", "#N/A"),
            ("S01_extra.csv", 2, "C1", "ok", "yes", ""),
            (l1, 2, "2001", "ok", "yes", ""),
            (l1, 3, "2001", "matched", "yes", "Информатика"),
            (l1, 4, "2002", "ok", "yes", ""),
            (l1, 5, "2002", "unmatched", "yes", "Робототехника"),
            (l2, 2, "2003", "ok", "yes", ""),
            (f, 2, "3001", "latest", "yes", ""),
            (f, 3, "3001", "duplicate", "no", ""),
            (f, 4, "3002", "ok", "yes", ""),
        ]
    );
    let excel = report.iter().find(|r| r.3 == "excel_error").unwrap();
    assert_eq!(excel.5, "choice_1");
    assert!(
        excel.7.contains("C8") && excel.7.contains("#N/A"),
        "{}",
        excel.7
    );
    let dup = report.iter().find(|r| r.3 == "duplicate").unwrap();
    assert!(
        dup.7.contains("(2026-11-23 12:00:10), replaced by form.xlsx [Ответы на форму (1)] row 2 (2026-11-23 12:00:40)"),
        "{}",
        dup.7
    );
}

#[test]
fn old_xls_and_encrypted_workbooks_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ole = [0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let mut xls = ole.to_vec();
    xls.resize(1024, 0);
    fs::write(d.join("old.xls"), &xls).unwrap();
    let mut locked = ole.to_vec();
    locked.resize(512, 0);
    locked.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    locked.resize(1024, 0);
    fs::write(d.join("locked.xlsx"), &locked).unwrap();
    fs::write(
        d.join("good.csv"),
        "id,school,grade,choice_1\nG1,S01,10,PHYS\n",
    )
    .unwrap();
    let Some((code, _, stderr)) = collect_bin(d, &["old.xls", "good.csv", "locked.xlsx"]) else {
        return;
    };
    assert_eq!(code, 2, "{stderr}");
    let line = |name: &str| {
        stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not named:\n{stderr}"))
            .to_owned()
    };
    let old = line("old.xls");
    assert!(
        old.contains(".xls, Excel 97–2003") && old.contains("save it as 'Excel Workbook (*.xlsx)'"),
        "{old}"
    );
    assert!(line("locked.xlsx").contains("encrypted"), "{stderr}");
    assert!(!stderr.contains("good.csv"), "{stderr}");
    // The readable file is merged all the same; the report names the two others.
    assert!(
        stderr.contains("could not be read or gave no students"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(d.join("students.csv")).unwrap(),
        "id,school,grade,choice_1\nG1,S01,10,PHYS\n"
    );
    let report = report_of(&d.join("students.report.csv"));
    for name in ["old.xls", "locked.xlsx"] {
        assert!(
            report
                .iter()
                .any(|r| r.0 == name && r.3 == "unreadable" && r.4 == "no"),
            "{name}: {report:?}"
        );
    }
}

#[test]
fn a_file_that_is_no_workbook_is_unreadable() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("notes.xlsx"), "id,choice_1\nA,PHYS\n").unwrap();
    fs::write(
        d.join("broken.xlsx"),
        b"PK\x03\x04\x14\x00\x00\x00garbage\xff\xfe",
    )
    .unwrap();
    fs::write(d.join("empty.xlsx"), b"").unwrap();
    fs::write(
        d.join("good.csv"),
        "id,school,grade,choice_1\nG1,S01,10,PHYS\n",
    )
    .unwrap();
    let Some((code, _, stderr)) =
        collect_bin(d, &["notes.xlsx", "broken.xlsx", "good.csv", "empty.xlsx"])
    else {
        return;
    };
    assert_eq!(code, 2, "{stderr}");
    let line = |name: &str| {
        stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not named:\n{stderr}"))
            .to_owned()
    };
    let notes = line("notes.xlsx");
    assert!(
        notes.contains("not an .xlsx workbook") && notes.contains("rename it to .csv"),
        "{notes}"
    );
    assert!(
        line("broken.xlsx").contains("not a readable .xlsx workbook"),
        "{stderr}"
    );
    assert!(line("empty.xlsx").contains("empty"), "{stderr}");
    assert!(fs::read_to_string(d.join("students.csv"))
        .unwrap()
        .contains("G1,S01,10,PHYS"));

    // A workbook whose sheets hold no choice list: its first sheet is read, and collect
    // says what its header lacks.
    let mut wb = rust_xlsxwriter::Workbook::new();
    sheet(
        &mut wb,
        "Инструкция",
        false,
        &[vec![X::S("Заполните лист 1")]],
    );
    sheet(
        &mut wb,
        "Лист1",
        false,
        &[
            vec![X::S("Класс"), X::S("Выберите первый курс")],
            vec![X::N(10.0), X::S("PHYS")],
        ],
    );
    wb.save(d.join("S01_bad.xlsx")).unwrap();
    let (code, _, stderr) = collect_bin(d, &["S01_bad.xlsx", "good.csv"]).unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("S01_bad.xlsx [Лист1]: no column with student ids"),
        "{stderr}"
    );
}

//! The network workbook (SPEC §7): a bundle as one .xlsx, read with its cells' types,
//! written and converted back losslessly, workbooks saved by LibreOffice, and a
//! catalogue of broken workbooks, each with its code, sheet, row and cell.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use profnet::diag::Diagnostic;
use rust_xlsxwriter::{Format, Formula, Workbook};

use common::{profnet, run_profnet};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/pestrechinsky");

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// One cell of a hand-made sheet.
#[derive(Clone, Debug)]
enum C {
    S(&'static str),
    N(f64),
    /// A time cell, minutes after midnight.
    T(u32),
    B(bool),
    /// A formula and its saved result.
    F(&'static str, &'static str),
    Empty,
}

use C::{Empty, B, F, N, S, T};

type Sheet = (&'static str, Vec<Vec<C>>);

/// A small valid network with Excel's own types: times, numbers for grades and
/// capacities, an id typed as a number (course 101, students 1001…), a boolean cell.
fn good() -> Vec<Sheet> {
    let mut students = vec![vec![
        S("id"),
        S("school"),
        S("grade"),
        S("choice_1"),
        S("choice_2"),
    ]];
    for i in 0..12 {
        let school = if i % 2 == 0 { S("S1") } else { S("S2") };
        let (a, b) = if i % 3 == 0 {
            (N(101.0), S("PHYS"))
        } else {
            (S("PHYS"), N(101.0))
        };
        students.push(vec![N(1001.0 + i as f64), school, N(10.0), a, b]);
    }
    vec![
        (
            "network",
            vec![
                vec![S("key"), S("value"), S("comment")],
                vec![S("name"), S("Тестовая сеть"), Empty],
                vec![S("day_start"), T(8 * 60), S("все в своих школах")],
                vec![S("day_end"), T(17 * 60), Empty],
                vec![
                    S("periods"),
                    S("09:00-09:45 09:55-10:40 11:00-11:45"),
                    Empty,
                ],
                vec![S("min_group"), N(2.0), Empty],
                vec![S("max_group"), N(20.0), Empty],
                vec![S("wants"), N(2.0), Empty],
                vec![S("weights.student_minute"), N(2.5), Empty],
            ],
        ),
        (
            "школы",
            vec![
                vec![S("id"), S("name"), S("kind")],
                vec![S("S1"), S("Школа № 1"), S("school")],
                vec![S("S2"), S("Школа села Кряш-Серда"), S("school")],
            ],
        ),
        (
            "links",
            vec![
                vec![S("from"), S("to"), S("minutes")],
                vec![S("S1"), S("S2"), N(20.0)],
            ],
        ),
        (
            "rooms",
            vec![
                vec![S("school"), S("id"), S("capacity"), S("kind")],
                vec![S("S1"), S("S1-R1"), N(25.0), S("general")],
                vec![S("S2"), S("S2-R1"), N(25.0), S("general")],
            ],
        ),
        (
            "courses",
            vec![
                vec![S("id"), S("name"), S("distance")],
                vec![S("PHYS"), S("Физика"), B(false)],
                vec![N(101.0), S("Химия"), B(true)],
            ],
        ),
        (
            "teachers",
            vec![
                vec![S("id"), S("name"), S("school"), S("courses"), S("travels")],
                vec![S("T1"), S("Иванова А. П."), S("S1"), S("PHYS 101"), S("да")],
                vec![S("T2"), S("Петров Б. В."), S("S2"), S("PHYS"), B(true)],
            ],
        ),
        ("ученики", students),
    ]
}

/// Writes `sheets` as a workbook with rust_xlsxwriter; `merge` merges a header range
/// `(sheet, first col, last col)`.
fn write_book(path: &Path, sheets: &[Sheet], merge: Option<(&str, u16, u16)>) {
    let mut wb = Workbook::new();
    let time = Format::new().set_num_format("hh:mm");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    S(t) => {
                        ws.write_string(r, c, *t).unwrap();
                    }
                    N(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    T(m) => {
                        ws.write_number_with_format(r, c, f64::from(*m) / 1440.0, &time)
                            .unwrap();
                    }
                    B(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    F(f, result) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(*result))
                            .unwrap();
                    }
                    Empty => {}
                }
            }
        }
        if let Some((sheet, a, b)) = merge {
            if sheet == *name {
                let text = match &rows[0][a as usize] {
                    S(t) => *t,
                    _ => "",
                };
                ws.merge_range(0, a, 0, b, text, &Format::new()).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn sheet_mut<'a>(book: &'a mut [Sheet], name: &str) -> &'a mut Vec<Vec<C>> {
    &mut book.iter_mut().find(|(n, _)| *n == name).expect(name).1
}

/// Every diagnostic of the workbook at `path` (errors and warnings).
fn problems(path: &Path) -> Vec<Diagnostic> {
    match profnet::input::load(path) {
        Ok((_, warnings)) => warnings,
        Err(e) => e.0,
    }
}

/// Asserts a diagnostic with `code` on `sheet` at `cell` (`None`: no cell named), and
/// that its printed form names sheet, row and column as a person looks them up.
fn has(diags: &[Diagnostic], code: &str, sheet: Option<&str>, cell: Option<&str>) {
    let found = diags
        .iter()
        .find(|d| d.code == code && d.sheet.as_deref() == sheet && d.cell.as_deref() == cell);
    let Some(d) = found else {
        panic!("no {code} on sheet {sheet:?} at {cell:?} in:\n{diags:#?}");
    };
    let shown = d.to_string();
    if let Some(sh) = sheet {
        assert!(shown.contains(&format!("sheet '{sh}'")), "{shown}");
    }
    if let Some(c) = cell {
        let row: String = c.chars().filter(char::is_ascii_digit).collect();
        if !row.is_empty() {
            assert!(shown.contains(&format!("row {row}")), "{shown}");
            assert_eq!(d.row, Some(row.parse().unwrap()), "{shown}");
        }
        assert!(shown.contains(c), "{shown}");
    }
    assert!(!d.hint.is_empty(), "{shown}");
}

#[test]
fn a_workbook_with_excel_types_reads_as_what_its_cells_mean() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("сеть.xlsx");
    write_book(&book, &good(), None);
    let (net, warnings) = profnet::input::load(&book).unwrap_or_else(|e| panic!("{:#?}", e.0));
    assert!(warnings.iter().all(|d| d.code != "W0201"), "{warnings:#?}");
    assert_eq!(net.name, "Тестовая сеть");
    assert_eq!(net.day_start, 8 * 60);
    assert_eq!(net.day_end, 17 * 60);
    assert_eq!(net.periods.len(), 3);
    assert_eq!(net.min_group, 2);
    assert_eq!(net.tuning.weights.student_minute, 2.5);
    // The id typed as a number is the same id wherever it appears.
    let chem = net.courses.iter().position(|c| c.id == "101").unwrap();
    assert!(net.courses[chem].distance);
    assert!(net.students.iter().all(|st| st.grade == 10));
    assert!(net.students.iter().any(|st| st.id == "1001"));
    assert!(net
        .students
        .iter()
        .all(|st| st.choices.iter().any(|c| c.idx() == chem)));
    assert!(net.teachers[1].travels);
    // The same network as the CSV files convert writes.
    let back = dir.path().join("back");
    run_profnet(&["convert", s(&book), "--to", s(&back)]);
    let (from_csv, _) = profnet::input::load(&back).unwrap();
    assert_eq!(
        format!("{:?}", from_csv.students),
        format!("{:?}", net.students)
    );
    let students = fs::read_to_string(back.join("students.csv")).unwrap();
    assert!(
        students.starts_with("id,school,grade,choice_1,choice_2\n1001,S1,10,101,PHYS\n"),
        "{students}"
    );
    let toml = fs::read_to_string(back.join("network.toml")).unwrap();
    assert!(
        toml.contains("day_start = \"08:00\"  # все в своих школах"),
        "{toml}"
    );
    assert!(toml.contains("[weights]\nstudent_minute = 2.5"), "{toml}");
}

#[test]
fn the_sample_round_trips_byte_for_byte_and_solves_to_the_same_plan() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("district.xlsx");
    let back = dir.path().join("back");
    run_profnet(&["convert", SAMPLE, "--to", s(&book)]);
    run_profnet(&["convert", s(&book), "--to", s(&back)]);
    for f in [
        "schools.csv",
        "links.csv",
        "rooms.csv",
        "courses.csv",
        "teachers.csv",
        "students.csv",
        "vehicles.csv",
    ] {
        let a = fs::read(Path::new(SAMPLE).join(f)).unwrap();
        let b = fs::read(back.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(a == b, "{f} differs after the round trip");
    }
    // network.toml: the same settings and every key's comment.
    let parse = |p: &Path| -> toml::Table {
        fs::read_to_string(p.join("network.toml"))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(parse(Path::new(SAMPLE)), parse(&back));
    let toml = fs::read_to_string(back.join("network.toml")).unwrap();
    assert!(
        toml.contains("# default smallest group (a course may override)"),
        "{toml}"
    );

    // The workbook solves to the same plan as the directory, and check accepts it.
    let (plan_dir, plan_book) = (dir.path().join("plan-dir"), dir.path().join("plan-book"));
    for (bundle, plan) in [(SAMPLE, &plan_dir), (s(&book), &plan_book)] {
        run_profnet(&[
            "solve",
            bundle,
            "--out",
            s(plan),
            "--time-limit",
            "60",
            "--quiet",
        ]);
    }
    for f in [
        "groups.csv",
        "assignments.csv",
        "unserved.csv",
        "routes.csv",
        "transport.csv",
    ] {
        let a = fs::read(plan_dir.join(f)).unwrap();
        let b = fs::read(plan_book.join(f)).unwrap();
        assert!(
            a == b,
            "{f} of the workbook's plan differs from the directory's"
        );
    }
    let (code, out, err) = profnet(&["check", s(&book), s(&plan_book)]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn convert_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("b.xlsx");
    fs::write(&book, b"mine").unwrap();
    let (code, _, err) = profnet(&["convert", SAMPLE, "--to", s(&book)]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read(&book).unwrap(), b"mine");
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("notes.txt"), "x").unwrap();
    let good = dir.path().join("g.xlsx");
    run_profnet(&["convert", SAMPLE, "--to", s(&good)]);
    let (code, _, err) = profnet(&["convert", s(&good), "--to", s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "x");
}

#[test]
fn the_template_workbook_validates_and_has_its_instructions() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("new.xlsx");
    run_profnet(&["init", "--xlsx", s(&book)]);
    let (code, out, err) = profnet(&["validate", s(&book)]);
    assert_eq!(code, 0, "{out}{err}");
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let names = wb.sheet_names();
    assert_eq!(
        names,
        [
            "network",
            "schools",
            "links",
            "rooms",
            "courses",
            "teachers",
            "students",
            "vehicles",
            "Инструкция"
        ]
    );
    let help = wb.worksheet_range("Инструкция").unwrap();
    let text: Vec<String> = help.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(text
        .iter()
        .any(|t| t.contains("выбранные курсы по порядку")));
    assert!(text
        .iter()
        .any(|t| t.contains("chosen courses, most wanted first")));
    // Lists for booleans and ids are in the sheet's XML (Excel's data validation).
    let bytes = fs::read(&book).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.name().starts_with("xl/worksheets/sheet") {
            std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
        }
    }
    assert!(xml.contains("<dataValidation"), "no data validation");
    assert!(xml.contains("\"yes,no,да,нет\""), "no boolean list");
    assert!(xml.contains("schools!$A$2"), "no list of school ids");
    assert!(
        xml.contains("<pane ") && xml.contains("state=\"frozen\""),
        "no frozen header"
    );
    assert!(xml.contains("<autoFilter"), "no filter");
    // A second init does not overwrite it.
    let (code, _, _) = profnet(&["init", "--xlsx", s(&book)]);
    assert_eq!(code, 2);
}

/// Whether LibreOffice's command line is here (the setup script installs it for tests;
/// CI fails without it rather than skipping).
fn soffice() -> &'static str {
    assert!(
        std::process::Command::new("soffice")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "LibreOffice (soffice) is needed: run scripts/setup-debian.sh --tests"
    );
    "soffice"
}

/// Converts `input` with LibreOffice headless to `ext` in `outdir`; the new file.
fn libreoffice(input: &Path, ext: &str, outdir: &Path) -> PathBuf {
    let profile = outdir.join("lo-profile");
    let out = std::process::Command::new(soffice())
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", ext, "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .unwrap();
    let made = outdir.join(format!(
        "{}.{}",
        input.file_stem().unwrap().to_string_lossy(),
        ext.split(':').next().unwrap()
    ));
    assert!(
        made.is_file(),
        "LibreOffice made nothing: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    made
}

/// A flat OpenDocument spreadsheet, as a person would type it in LibreOffice Calc:
/// time cells for the day, numbers for grades and minutes, a boolean, ids typed as
/// numbers, Russian sheet names.
fn typed_in_calc() -> String {
    fn cell(v: &str) -> String {
        if let Some(t) = v.strip_prefix("time:") {
            let (h, m) = t.split_once(':').unwrap();
            format!(
                "<table:table-cell office:value-type=\"time\" office:time-value=\"PT{h}H{m}M00S\" table:style-name=\"hhmm\"><text:p>{t}</text:p></table:table-cell>"
            )
        } else if let Some(b) = v.strip_prefix("bool:") {
            format!(
                "<table:table-cell office:value-type=\"boolean\" office:boolean-value=\"{b}\"><text:p>{b}</text:p></table:table-cell>"
            )
        } else if v.parse::<f64>().is_ok() {
            format!(
                "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
            )
        } else if v.is_empty() {
            "<table:table-cell/>".into()
        } else {
            format!("<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>")
        }
    }
    let mut students = vec!["id;school;grade;choice_1;choice_2".to_string()];
    for i in 0..30 {
        let school = ["A", "B", "C"][i % 3];
        let grade = 10 + (i % 2);
        let (a, b) = if i % 4 == 0 {
            ("7", "BIO")
        } else {
            ("BIO", "7")
        };
        students.push(format!("{};{school};{grade};{a};{b}", 500 + i));
    }
    let sheets: Vec<(&str, Vec<String>)> = vec![
        (
            "сеть",
            vec![
                "key;value".into(),
                "name;Сеть из Calc".into(),
                "day_start;time:08:30".into(),
                "day_end;time:16:00".into(),
                "periods;09:00-09:45 09:55-10:40 10:50-11:35".into(),
                "min_group;3".into(),
            ],
        ),
        (
            "школы",
            vec![
                "id;name".into(),
                "A;Школа А".into(),
                "B;Школа Б".into(),
                "C;Школа В".into(),
            ],
        ),
        (
            "дороги",
            vec!["from;to;minutes".into(), "A;B;15".into(), "B;C;25".into()],
        ),
        (
            "кабинеты",
            vec![
                "school;id;capacity".into(),
                "A;A1;20".into(),
                "B;B1;20".into(),
                "C;C1;20".into(),
            ],
        ),
        (
            "курсы",
            vec![
                "id;name;distance".into(),
                "BIO;Биология;bool:false".into(),
                "7;Химия;bool:true".into(),
            ],
        ),
        (
            "учителя",
            vec![
                "id;name;school;courses;max_periods".into(),
                "T1;Учитель 1;A;BIO 7;3".into(),
                "T2;Учитель 2;B;BIO;2".into(),
            ],
        ),
        ("ученики", students),
    ];
    let mut body = String::new();
    for (name, rows) in sheets {
        body.push_str(&format!("<table:table table:name=\"{name}\">"));
        for row in rows {
            body.push_str("<table:table-row>");
            for v in row.split(';') {
                body.push_str(&cell(v));
            }
            body.push_str("</table:table-row>");
        }
        body.push_str("</table:table>");
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
<number:time-style style:name="N1"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:time-style>
<style:style style:name="hhmm" style:family="table-cell" style:data-style-name="N1"/>
</office:automatic-styles>
<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document>"#
    )
}

#[test]
fn workbooks_saved_by_libreoffice_load() {
    let dir = tempfile::tempdir().unwrap();
    // A network typed into Calc, saved as .xlsx by LibreOffice: solves in one command
    // to a plan that check accepts.
    let fods = dir.path().join("calc.fods");
    fs::write(&fods, typed_in_calc()).unwrap();
    let book = libreoffice(&fods, "xlsx", dir.path());
    let (net, _) = profnet::input::load(&book).unwrap_or_else(|e| panic!("{:#?}", e.0));
    assert_eq!(net.name, "Сеть из Calc");
    assert_eq!((net.day_start, net.day_end), (8 * 60 + 30, 16 * 60));
    assert_eq!(net.min_group, 3);
    assert_eq!(net.students.len(), 30);
    assert!(net
        .students
        .iter()
        .any(|st| st.id == "500" && st.grade == 10));
    let chem = net.courses.iter().find(|c| c.id == "7").unwrap();
    assert!(chem.distance);
    assert_eq!(net.teachers[0].max_periods, 3);
    let plan = dir.path().join("plan");
    run_profnet(&[
        "solve",
        s(&book),
        "--out",
        s(&plan),
        "--time-limit",
        "20",
        "--quiet",
    ]);
    let (code, out, err) = profnet(&["check", s(&book), s(&plan)]);
    assert_eq!(code, 0, "{out}{err}");

    // The sample's workbook, opened and saved by LibreOffice (xlsx → ods → xlsx),
    // still holds the very same network.
    let ours = dir.path().join("sample.xlsx");
    run_profnet(&["convert", SAMPLE, "--to", s(&ours)]);
    let ods_dir = dir.path().join("ods");
    fs::create_dir(&ods_dir).unwrap();
    let ods = libreoffice(&ours, "ods", &ods_dir);
    let again_dir = dir.path().join("again");
    fs::create_dir(&again_dir).unwrap();
    let again = libreoffice(&ods, "xlsx", &again_dir);
    let (a, _) = profnet::input::load(Path::new(SAMPLE)).unwrap();
    let (b, _) = profnet::input::load(&again).unwrap_or_else(|e| panic!("{:#?}", e.0));
    assert_eq!(format!("{:?}", a.students), format!("{:?}", b.students));
    assert_eq!(format!("{:?}", a.teachers), format!("{:?}", b.teachers));
    assert_eq!(format!("{:?}", a.rooms), format!("{:?}", b.rooms));
    assert_eq!(format!("{:?}", a.schools), format!("{:?}", b.schools));
    assert_eq!(
        (a.day_start, a.day_end, a.periods.len()),
        (b.day_start, b.day_end, b.periods.len())
    );
}

/// Replaces `from` by `to` in every worksheet XML of the workbook at `path` (to make
/// what rust_xlsxwriter will not write: a formula without its saved value).
fn patch_sheets(path: &Path, from: &str, to: &str) {
    let bytes = fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut hit = false;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_owned();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(data).unwrap();
            hit |= text.contains(from);
            data = text.replace(from, to).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, &data).unwrap();
    }
    assert!(hit, "{from} is not in the sheets");
    fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn broken_workbooks_name_their_sheet_row_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut case = |edit: &dyn Fn(&mut Vec<Sheet>), merge: Option<(&str, u16, u16)>| {
        n += 1;
        let mut book = good();
        edit(&mut book);
        let path = dir.path().join(format!("case{n}.xlsx"));
        write_book(&path, &book, merge);
        path
    };

    // 1. A student's grade in words.
    let p = case(&|b| sheet_mut(b, "ученики")[3][2] = S("десятый"), None);
    has(&problems(&p), "E0208", Some("ученики"), Some("C4"));
    // 2. An unknown school.
    let p = case(&|b| sheet_mut(b, "ученики")[5][1] = S("S9"), None);
    has(&problems(&p), "E0207", Some("ученики"), Some("B6"));
    // 3. An id used twice.
    let p = case(&|b| sheet_mut(b, "школы")[2][0] = S("S1"), None);
    has(&problems(&p), "E0202", Some("школы"), Some("A3"));
    // 4. A required column missing from the header.
    let p = case(&|b| sheet_mut(b, "teachers")[0][3] = S("предметы"), None);
    let d = problems(&p);
    has(&d, "E0002", Some("teachers"), None);
    assert!(
        d.iter().any(|d| d.code == "E0002" && d.row == Some(1)),
        "{d:#?}"
    );
    // 5. An empty id cell.
    let p = case(&|b| sheet_mut(b, "rooms")[2][1] = Empty, None);
    has(&problems(&p), "E0201", Some("rooms"), Some("B3"));
    // 6. Not a boolean.
    let p = case(&|b| sheet_mut(b, "teachers")[1][4] = S("иногда"), None);
    has(&problems(&p), "E0204", Some("teachers"), Some("E2"));
    // 7. A required sheet missing.
    let p = case(&|b| b.retain(|(n, _)| *n != "links"), None);
    has(&problems(&p), "E0001", Some("links"), None);
    // 8. Merged header cells.
    let p = case(&|_| {}, Some(("rooms", 2, 3)));
    has(&problems(&p), "E0015", Some("rooms"), Some("C1"));
    // 9. A formula without its saved value (a file written by a program that does not
    //    compute formulas).
    let p = case(&|b| sheet_mut(b, "links")[1][2] = F("=10+10", "4242"), None);
    patch_sheets(&p, "<v>4242</v>", "");
    has(&problems(&p), "E0016", Some("links"), Some("C2"));
    // A formula with its value is read as the value.
    let p = case(&|b| sheet_mut(b, "links")[1][2] = F("=10+10", "20"), None);
    assert!(profnet::input::load(&p).is_ok(), "{:#?}", problems(&p));
    // 10. An Excel error in a cell.
    let p = case(&|b| sheet_mut(b, "rooms")[1][2] = F("=NA()", "#N/A"), None);
    has(&problems(&p), "E0017", Some("rooms"), Some("C2"));
    // 11. A sheet that repeats its header (two lists pasted together).
    let p = case(
        &|b| {
            let students = sheet_mut(b, "ученики");
            let header = students[0].clone();
            students.insert(7, header);
        },
        None,
    );
    let d = problems(&p);
    has(&d, "E0010", Some("ученики"), None);
    assert!(
        d.iter().any(|d| d.code == "E0010" && d.row == Some(8)),
        "{d:#?}"
    );
    // 12. Two sheets for one file.
    let p = case(
        &|b| {
            let extra = sheet_mut(b, "школы").clone();
            b.push(("schools", extra));
        },
        None,
    );
    has(&problems(&p), "E0014", Some("schools"), None);
    // 13. The network sheet gives a key twice.
    let p = case(
        &|b| sheet_mut(b, "network").push(vec![S("wants"), N(3.0)]),
        None,
    );
    has(&problems(&p), "E0018", Some("network"), Some("A10"));
    // 14. A value without a key.
    let p = case(&|b| sheet_mut(b, "network").push(vec![Empty, N(3.0)]), None);
    has(&problems(&p), "E0019", Some("network"), Some("B10"));
    // 15. day_start that is no time: the row of the key, the value's cell.
    let p = case(&|b| sheet_mut(b, "network")[2][1] = S("8 утра"), None);
    let d = problems(&p);
    has(&d, "E0104", Some("network"), Some("B3"));
    let e = d.iter().find(|d| d.code == "E0104").unwrap();
    assert!(
        !e.hint.contains('"') && !e.message.contains("network.toml"),
        "{e}"
    );
    // 16. periods missing from the network sheet: a hint in sheet terms.
    let p = case(
        &|b| {
            sheet_mut(b, "network").remove(4);
        },
        None,
    );
    let d = problems(&p);
    has(&d, "E0102", Some("network"), Some("A"));
    let e = d.iter().find(|d| d.code == "E0102").unwrap();
    assert!(e.hint.contains("add a row with key 'periods'"), "{e}");
    // 17. min_group as text that is no number.
    let p = case(&|b| sheet_mut(b, "network")[5][1] = S("десять"), None);
    has(&problems(&p), "E0103", Some("network"), Some("B6"));
    // 18. A sheet nobody reads is a warning, the workbook still loads.
    let p = case(&|b| b.push(("Лист1", vec![vec![S("x")]])), None);
    has(&problems(&p), "W0203", Some("Лист1"), None);
    assert!(profnet::input::load(&p).is_ok());
    // 19. A link's minutes negative.
    let p = case(&|b| sheet_mut(b, "links")[1][2] = N(-5.0), None);
    has(&problems(&p), "E0203", Some("links"), Some("C2"));
    // 20. Every problem at once: three in one workbook, all reported.
    let p = case(
        &|b| {
            sheet_mut(b, "ученики")[3][2] = S("десятый");
            sheet_mut(b, "rooms")[2][1] = Empty;
            sheet_mut(b, "network")[2][1] = S("8 утра");
        },
        None,
    );
    let d = problems(&p);
    has(&d, "E0208", Some("ученики"), Some("C4"));
    has(&d, "E0201", Some("rooms"), Some("B3"));
    has(&d, "E0104", Some("network"), Some("B3"));
}

#[test]
fn files_that_are_no_workbook_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str, &str); 4] = [
        ("text.xlsx", b"id,name\nS1,One\n".to_vec(), "E0011", "CSV"),
        (
            "old.xls",
            [
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0; 504],
            ]
            .concat(),
            "E0012",
            "save it as",
        ),
        (
            "locked.xlsx",
            [
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0; 100],
                &"EncryptedPackage"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ]
            .concat(),
            "E0013",
            "password",
        ),
        (
            "zip.xlsx",
            {
                let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                z.start_file("hello.txt", zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, b"hi").unwrap();
                z.finish().unwrap().into_inner()
            },
            "E0011",
            "xlsx",
        ),
    ];
    for (name, bytes, code, words) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let (exit, out, err) = profnet(&["validate", s(&path)]);
        assert_eq!(exit, 2, "{name}: {out}{err}");
        assert!(err.contains(&format!("error[{code}]")), "{name}: {err}");
        assert!(err.contains(words), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // Every command that takes a bundle says the same for a workbook that is missing.
    let missing = dir.path().join("nowhere.xlsx");
    for args in [
        vec!["validate", s(&missing)],
        vec!["solve", s(&missing), "--out", "/tmp/profnet-never"],
        vec![
            "form-template",
            s(&missing),
            "--out",
            "/tmp/profnet-never.csv",
        ],
    ] {
        let (exit, _, err) = profnet(&args);
        assert_eq!(exit, 2, "{args:?}: {err}");
        assert!(err.contains("E0001"), "{args:?}: {err}");
    }
}

#[test]
fn every_bundle_command_takes_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("district.xlsx");
    run_profnet(&["convert", SAMPLE, "--to", s(&book)]);
    // A scenario over a workbook base, and its problems named in the base's sheets.
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/data/scenarios/min-group-12");
    let cmp = dir.path().join("cmp");
    let (code, out, err) = profnet(&[
        "compare",
        s(&book),
        scenarios,
        "--out",
        s(&cmp),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(cmp.join("comparison.csv").is_file());
    // solve-many takes workbooks, and a folder holding one.
    let region = dir.path().join("region");
    fs::create_dir(&region).unwrap();
    fs::copy(&book, region.join("east.xlsx")).unwrap();
    let many = dir.path().join("many");
    let (code, out, err) = profnet(&[
        "solve-many",
        s(&region),
        "--out",
        s(&many),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(many.join("east").join("groups.csv").is_file());
    // report and form-template read it.
    let plan = many.join("east");
    let rep = dir.path().join("report");
    let (code, out, err) = profnet(&["report", s(&book), s(&plan), "--out", s(&rep)]);
    assert_eq!(code, 0, "{out}{err}");
    let form = dir.path().join("form.csv");
    let (code, out, err) = profnet(&["form-template", s(&book), "--out", s(&form)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(fs::read_to_string(&form).unwrap().contains("PHYS"));
}

#[test]
fn a_marked_workbook_opens_in_libreoffice_with_its_problems() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = good();
    sheet_mut(&mut book, "ученики")[3][2] = S("десятый");
    sheet_mut(&mut book, "network")[2][1] = S("8 утра");
    let path = dir.path().join("bad.xlsx");
    write_book(&path, &book, None);
    let files = profnet::input::BundleFiles::open(&path).unwrap();
    let problems = problems(&path);
    let marked = profnet::input::workbook::write_marked(&files, &problems).unwrap();
    let out = dir.path().join("marked.xlsx");
    fs::write(&out, marked).unwrap();
    // Through LibreOffice and back: it opens, keeps the data and lists the problems.
    let ods_dir = dir.path().join("ods");
    fs::create_dir(&ods_dir).unwrap();
    let ods = libreoffice(&out, "ods", &ods_dir);
    let back_dir = dir.path().join("back");
    fs::create_dir(&back_dir).unwrap();
    let back = libreoffice(&ods, "xlsx", &back_dir);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&back).unwrap();
    assert_eq!(wb.sheet_names()[0], "Ошибки");
    let list = wb.worksheet_range("Ошибки").unwrap();
    let text: Vec<String> = list.cells().map(|(_, _, c)| c.to_string()).collect();
    for want in ["E0208", "C4", "E0104", "B3"] {
        assert!(
            text.iter().any(|t| t == want),
            "{want} not listed: {text:?}"
        );
    }
    // The sheets keep their cells where they were; the marked workbook, fixed, loads.
    let students = wb.worksheet_range("ученики").unwrap();
    assert_eq!(students.get_value((3, 2)).unwrap().to_string(), "десятый");
    let d = profnet::input::load(&back).unwrap_err().0;
    has(&d, "E0208", Some("ученики"), Some("C4"));
    assert!(d.iter().all(|d| d.code != "W0203"), "{d:#?}");
}

#[test]
fn a_school_cut_off_is_named_in_the_links_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = good();
    sheet_mut(&mut book, "школы").push(vec![S("S3"), S("Школа на острове")]);
    let path = dir.path().join("island.xlsx");
    write_book(&path, &book, None);
    let (code, _, err) = profnet(&["validate", s(&path)]);
    assert_eq!(code, 0, "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("W0401"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("island.xlsx, sheet 'links'") && line.contains("S3"),
        "{line}"
    );
}

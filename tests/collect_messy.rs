//! `profnet collect` as a new user meets it (issue 25): school files with Russian names
//! and abbreviations in them, TAB between cells, UTF-16 (LE with a BOM, BE without),
//! namesakes without ids, a file that names no school and one that is broken. Every
//! student is merged or reported with a reason; the broken file does not stop the
//! others; the exit code says something is missing.

use std::fs;
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/collect/bundle")
}

/// The collect fixture bundle with more schools (names as a department writes them)
/// and courses (one with aliases).
fn bundle(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for e in fs::read_dir(fixture()).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let mut schools = fs::read_to_string(dir.join("schools.csv")).unwrap();
    schools.push_str(
        "KOSH,МБОУ «Кощаковская СОШ»,school\n\
         KOSHO,Кощаковская основная общеобразовательная школа,school\n\
         BOG,Богородская средняя школа,school\n",
    );
    fs::write(dir.join("schools.csv"), schools).unwrap();
    let courses = fs::read_to_string(dir.join("courses.csv")).unwrap();
    let mut courses: String = courses
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l},aliases\n")
            } else {
                format!("{l},\n")
            }
        })
        .collect();
    courses.push_str(
        "MED,Основы медицины,1,general,no,,\n\
         UAV,Беспилотные системы,1,general,no,,\n\
         ROBO,Робототехника,1,general,no,,Роботы|Лего\n",
    );
    fs::write(dir.join("courses.csv"), courses).unwrap();
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn utf16be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_profnet"))
        .current_dir(dir)
        .arg("collect")
        .arg("bundle")
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("panicked"), "{text}");
    (out.status.code().unwrap_or(-1), text)
}

/// `(file, line, student, status, kept, detail)` rows of a report.
fn report(path: &Path) -> Vec<[String; 6]> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            [0, 1, 2, 3, 4, 7].map(|i| x[i].to_owned())
        })
        .collect()
}

fn students(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

const KOSH: &str = "Кощаковская СОШ - выбор курсов.csv";
const FORM: &str = "Ответы формы.txt";
const S01: &str = "S01 выбор.csv";
const BROKEN: &str = "broken.csv";
const NO_SCHOOL: &str = "список.csv";

fn write_files(d: &Path) {
    // Pasted from Excel: TAB, no school column (the file name names the school by its
    // name), course names typed as people say them.
    fs::write(
        d.join(KOSH),
        "Код ученика\tКласс\tКурс 1\tКурс 2\n\
         K1\t10\tмедицина\tБеспилотники\n\
         K2\t11 класс\tФизика\tРоботы\n",
    )
    .unwrap();
    // A form export saved as Excel "Unicode text": UTF-16 LE with a BOM, TAB; names
    // instead of ids, two students of one name, schools with abbreviations.
    fs::write(
        d.join(FORM),
        utf16le_bom(
            "Отметка времени\tФИО\tВаша школа\tКласс\tВыберите первый курс\tВыберите второй курс\r\n\
             23.11.2026 10:00:00\tИванов Иван\tМБОУ \"Богородская СОШ\"\t10\tХимия\tИнформатика\r\n\
             23.11.2026 10:05:00\tИванов Иван\tКлючищенская СОШ\t11\tФизика\tМатематика\r\n\
             23.11.2026 10:07:00\tПетрова Анна\tБогородская\t10\tЛего\tБиология\r\n\
             23.11.2026 10:09:00\tСидоров Пётр\tКощаковская ООШ\t10\tБиология\t\r\n",
        ),
    )
    .unwrap();
    // UTF-16 BE without a BOM, the school id in the file name.
    fs::write(d.join(S01), utf16be("id,grade,choice_1\nP1,10,PHYS\n")).unwrap();
    // Cut short: half a character at the end.
    let mut broken = utf16le_bom("id,school,grade,choice_1\nX1,S01,10,PHYS\n");
    broken.push(b'A');
    fs::write(d.join(BROKEN), broken).unwrap();
    // No school anywhere.
    fs::write(
        d.join(NO_SCHOOL),
        "id;grade;choice_1\nN1;10;BIO\nN2;11;PHYS\n",
    )
    .unwrap();
}

#[test]
fn messy_school_files_every_student_merged_or_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    bundle(&d.join("bundle"));
    write_files(d);
    let (code, out) = run(
        d,
        &[KOSH, FORM, S01, BROKEN, NO_SCHOOL, "--out", "students.csv"],
    );
    assert_eq!(
        code, 2,
        "a broken file and one without students: exit 2\n{out}"
    );
    assert!(out.contains(BROKEN) && out.contains("UTF-16"), "{out}");
    assert!(out.contains(NO_SCHOOL) && out.contains("--school"), "{out}");

    // The rest is merged.
    let got = students(&d.join("students.csv"));
    let row = |id: &str| {
        got.iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("{id} missing: {got:?}"))
            .clone()
    };
    assert_eq!(row("K1")[1..5], ["KOSH", "10", "MED", "UAV"]);
    assert_eq!(row("K2")[1..5], ["KOSH", "11", "PHYS", "ROBO"]);
    assert_eq!(row("Петрова Анна")[1..5], ["BOG", "10", "ROBO", "BIO"]);
    assert_eq!(row("Сидоров Пётр")[1..4], ["KOSHO", "10", "BIO"]);
    assert_eq!(row("P1")[1..4], ["S01", "10", "PHYS"]);
    // Namesakes are two students, never merged into one: kept apart and reported.
    assert_eq!(row("Иванов Иван")[1..5], ["BOG", "10", "CHEM", "INF"]);
    assert_eq!(
        row("Иванов Иван (S02, 11)")[1..5],
        ["S02", "11", "PHYS", "MATH"]
    );
    assert_eq!(got.len(), 7, "{got:?}");

    // Every data row of every file is in the report, with a reason where it is not kept.
    let rep = report(&d.join("students.report.csv"));
    for (file, lines) in [
        (KOSH, 2..=3),
        (FORM, 2..=5),
        (S01, 2..=2),
        (NO_SCHOOL, 2..=3),
    ] {
        for l in lines {
            assert!(
                rep.iter().any(|r| r[0] == file && r[1] == l.to_string()),
                "{file} line {l} not in the report: {rep:?}"
            );
        }
    }
    let nobody = |file: &str, status: &str| {
        rep.iter()
            .any(|r| r[0] == file && r[3] == status && r[4] == "no" && !r[5].is_empty())
    };
    assert!(nobody(BROKEN, "unreadable"), "{rep:?}");
    assert!(nobody(NO_SCHOOL, "no_students"), "{rep:?}");
    assert!(nobody(NO_SCHOOL, "unknown_school"), "{rep:?}");
    let namesakes: Vec<_> = rep.iter().filter(|r| r[3] == "namesake").collect();
    assert_eq!(namesakes.len(), 2, "{rep:?}");
    assert!(namesakes
        .iter()
        .all(|r| r[5].contains("give every student a code")));
    // Not one student vanished: each is in students.csv or on a row that says why not.
    for r in &rep {
        if r[4] == "no" && r[2].is_empty() {
            assert!(!r[5].is_empty(), "a row left out without a reason: {r:?}");
        }
    }

    // The merged students.csv validates against the bundle.
    fs::copy(d.join("students.csv"), d.join("bundle/students.csv")).unwrap();
    if let Err(e) = profnet::input::load(&d.join("bundle")) {
        panic!("the merged students.csv does not validate: {:#?}", e.0);
    }
}

#[test]
fn school_from_the_command_line_and_a_file_of_nobody_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    bundle(&d.join("bundle"));
    write_files(d);
    // --school by name, as people write it.
    let (code, out) = run(
        d,
        &[NO_SCHOOL, "--school", "Кощаковская СОШ", "--out", "s.csv"],
    );
    assert_eq!(code, 0, "{out}");
    let got = students(&d.join("s.csv"));
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|r| r[1] == "KOSH"), "{got:?}");
    // An unknown --school: exit 2, nothing written.
    let (code, out) = run(d, &[NO_SCHOOL, "--school", "Гимназия 7", "--out", "t.csv"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--school"), "{out}");
    assert!(!d.join("t.csv").exists());
    // The only file gives no student: an error, not "0 students, exit 0".
    let (code, out) = run(d, &[NO_SCHOOL, "--out", "u.csv"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not one student"), "{out}");
    assert!(!d.join("u.csv").exists());
}

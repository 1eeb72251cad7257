//! End-to-end runs of the real binary in a temporary directory.

mod common;

use std::path::Path;
use std::process::Command;

use common::{profnet, Bundle};

fn small_bundle(dir: &Path) {
    let mut b = Bundle::new(3);
    b.school("A").school("B").link("A", "B", 15);
    b.room("A", "A-R1", 25, "general", "")
        .room("B", "B-R1", 25, "general", "");
    b.course("MATH", 1, "general", false, "")
        .course("ECON", 1, "general", true, "");
    b.teacher("T1", "A", "MATH", "", true, "")
        .teacher("T2", "B", "ECON", "", true, "");
    b.students("X", 11, "A", 10, &["MATH", "ECON"]);
    b.students("Y", 4, "B", 11, &["ECON", "MATH"]);
    b.write(dir);
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn solve_writes_every_plan_file_and_check_accepts_it() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    let plan = tmp.path().join("plan");
    small_bundle(&bundle);
    let (code, stdout, stderr) = profnet(&["solve", s(&bundle), "--out", s(&plan), "--quiet"]);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("placements 30 of 30"), "{stdout}");
    for f in [
        "groups.csv",
        "assignments.csv",
        "unserved.csv",
        "routes.csv",
        "transport.csv",
        "summary.json",
    ] {
        assert!(plan.join(f).is_file(), "{f} missing");
    }
    let (code, stdout, _) = profnet(&["check", s(&bundle), s(&plan)]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn check_reports_a_tampered_plan_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    let plan = tmp.path().join("plan");
    small_bundle(&bundle);
    assert_eq!(
        profnet(&["solve", s(&bundle), "--out", s(&plan), "--quiet"]).0,
        0
    );
    // Drop one assignment: the group's size no longer matches.
    let text = std::fs::read_to_string(plan.join("assignments.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(1);
    std::fs::write(plan.join("assignments.csv"), lines.join("\n") + "\n").unwrap();
    let (code, stdout, _) = profnet(&["check", s(&bundle), s(&plan)]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("rule 2"), "{stdout}");
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    small_bundle(&bundle);
    let students = bundle.join("students.csv");
    let text = std::fs::read_to_string(&students).unwrap();
    std::fs::write(&students, text.replacen("MATH,ECON", "MATH,PHYSX", 1)).unwrap();
    for cmd in ["validate", "solve"] {
        let mut args = vec![cmd, s(&bundle)];
        let out = tmp.path().join("plan");
        if cmd == "solve" {
            args.extend(["--out", s(&out)]);
        }
        let (code, _, stderr) = profnet(&args);
        assert_eq!(code, 2, "{cmd}: {stderr}");
        assert!(
            stderr.contains("students.csv")
                && stderr.contains("line 2")
                && stderr.contains("choice_2"),
            "{cmd}: {stderr}"
        );
        assert!(!out.exists(), "a plan was written from a bad bundle");
    }
}

#[test]
fn solve_never_writes_inside_the_bundle_and_replaces_an_old_plan_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    small_bundle(&bundle);
    let inside = bundle.join("plan");
    let (code, _, stderr) = profnet(&["solve", s(&bundle), "--out", s(&inside), "--quiet"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!inside.exists());

    let plan = tmp.path().join("plan");
    std::fs::create_dir(&plan).unwrap();
    std::fs::write(plan.join("stale.txt"), "old").unwrap();
    assert_eq!(
        profnet(&["solve", s(&bundle), "--out", s(&plan), "--quiet"]).0,
        0
    );
    assert!(
        !plan.join("stale.txt").exists(),
        "old plan directory was not replaced"
    );
    assert!(plan.join("groups.csv").is_file());
    // No temporary directories are left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn validate_accepts_the_sample_network() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
    let (code, stdout, stderr) = profnet(&["validate", s(&root)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("592 students"), "{stdout}");
}

#[test]
fn solve_many_plans_a_region_folder_and_refuses_a_broken_district() {
    let tmp = tempfile::tempdir().unwrap();
    let region = tmp.path().join("region");
    small_bundle(&region.join("north"));
    small_bundle(&region.join("south"));
    // A folder without network.toml beside them is not a district.
    std::fs::create_dir_all(region.join("notes")).unwrap();
    let plans = tmp.path().join("plans");
    let (code, stdout, stderr) = profnet(&["solve-many", s(&region), "--out", s(&plans)]);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains("north") && stdout.contains("south"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(plans.join("summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(rows.len(), 3, "{summary}");
    assert!(rows[1].starts_with("north,optimal,15,30,30,"), "{summary}");
    assert!(rows[2].starts_with("south,optimal,15,30,30,"), "{summary}");
    for d in ["north", "south"] {
        let (code, out, _) = profnet(&["check", s(&region.join(d)), s(&plans.join(d))]);
        assert_eq!(code, 0, "{d}: {out}");
    }
    assert!(!plans.join("notes").exists());

    // One broken district: nothing is planned and the plans above stay as they were.
    let students = region.join("south").join("students.csv");
    let text = std::fs::read_to_string(&students).unwrap();
    std::fs::write(&students, text.replacen("MATH,ECON", "MATH,PHYSX", 1)).unwrap();
    let (code, _, stderr) = profnet(&["solve-many", s(&region), "--out", s(&plans)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("students.csv, line"), "{stderr}");
    assert!(stderr.contains("south"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(plans.join("summary.csv")).unwrap(),
        summary
    );
}

#[test]
fn form_template_as_an_excel_workbook_lists_the_courses_with_a_frozen_header() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("choices.xlsx");
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/data/pestrechinsky");
    let (code, stdout, stderr) = profnet(&[
        "form-template",
        sample,
        "--out",
        out.to_str().unwrap(),
        "--school",
        "KUL",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let strings = read("xl/sharedStrings.xml");
    for want in [
        "choice_1",
        "offered_course",
        "PHYS",
        "Физика (углублённый курс)",
        "KUL",
    ] {
        assert!(strings.contains(want), "{want} missing");
    }
    let sheet = read("xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("<pane") && sheet.contains("frozen"),
        "header not frozen"
    );
    assert!(sheet.contains("<autoFilter"), "no filter");
}

/// The course list of a choice sheet written by form-template: (course, where) on
/// offer, and (course, why) listed apart below them.
type CourseList = (Vec<(String, String)>, Vec<(String, String)>);

fn sheet_courses(path: &Path) -> CourseList {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (course, place) = (col("offered_course"), col("offered_where"));
    let (mut offered, mut apart) = (Vec::new(), Vec::new());
    let mut below = false;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (c, w) = (rec[course].to_owned(), rec[place].to_owned());
        if c.starts_with("not_offered_course") {
            below = true;
        } else if !c.is_empty() {
            if below { &mut apart } else { &mut offered }.push((c, w));
        }
    }
    (offered, apart)
}

/// What `profnet::input::offer` says is on offer to `school`, and what not.
fn offer_of(bundle: &Path, school: &str) -> (Vec<String>, Vec<String>) {
    let loaded = profnet::input::offer::load_network(bundle).unwrap();
    let o = loaded.offers(Some(school));
    let id = |c: profnet::model::CourseId| loaded.net.courses[c.idx()].id.clone();
    (
        o.on_offer().map(|c| id(c.course)).collect(),
        o.not_offered().map(|(c, _)| id(c.course)).collect(),
    )
}

fn ids(list: &[(String, String)]) -> Vec<String> {
    list.iter().map(|(c, _)| c.clone()).collect()
}

#[test]
fn form_template_for_a_school_lists_only_what_its_students_can_reach() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
    let tmp = tempfile::tempdir().unwrap();
    let form = |bundle: &Path, name: &str| {
        let out = tmp.path().join(name);
        let (code, stdout, stderr) = profnet(&[
            "form-template",
            s(bundle),
            "--out",
            s(&out),
            "--school",
            "KUL",
            "--rows",
            "5",
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        (out, stdout, stderr)
    };

    // The sample as it is: the sheet lists exactly what the module offers KUL, with
    // where (KUL teaches physics itself, in its lab).
    let (out, _, stderr) = form(&sample, "kul.csv");
    assert!(!stderr.contains("note:"), "{stderr}");
    let (offered, apart) = sheet_courses(&out);
    let (want_on, want_off) = offer_of(&sample, "KUL");
    assert_eq!((ids(&offered), ids(&apart)), (want_on.clone(), want_off));
    assert!(!want_on.is_empty());
    let phys = &offered.iter().find(|(c, _)| c == "PHYS").unwrap().1;
    assert!(phys.starts_with("KUL (здесь)"), "{phys}");

    // A copy where every KUL student is in grade 10: the courses for grade 11 that
    // KUL's students chose (bundle warning W0343) are listed apart, for their grades.
    let copy = tmp.path().join("grade10");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(&sample).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let students = std::fs::read_to_string(sample.join("students.csv")).unwrap();
    let mut kul = Vec::new();
    let rows: Vec<String> = students
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            if cells[1] == "KUL" {
                kul.push(cells[0].to_owned());
                cells[2] = "10";
            }
            cells.join(",")
        })
        .collect();
    std::fs::write(copy.join("students.csv"), rows.join("\n") + "\n").unwrap();
    let (_, stdout, stderr) = profnet(&["validate", s(&copy)]);
    let excluded: std::collections::BTreeSet<String> = format!("{stdout}{stderr}")
        .lines()
        .filter(|l| l.contains("[W0343]"))
        .filter(|l| kul.iter().any(|id| l.contains(&format!("student '{id}'"))))
        .map(|l| {
            l.split("chose '")
                .nth(1)
                .unwrap()
                .split('\'')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        !excluded.is_empty(),
        "the copy should make W0343 warnings for KUL"
    );
    let (out, stdout, _) = form(&copy, "kul10.csv");
    let (offered, apart) = sheet_courses(&out);
    let (want_on, want_off) = offer_of(&copy, "KUL");
    assert_eq!((ids(&offered), ids(&apart)), (want_on, want_off.clone()));
    for c in &excluded {
        let why = &apart
            .iter()
            .find(|(a, _)| a == c)
            .unwrap_or_else(|| panic!("{c} not apart"))
            .1;
        assert!(why.contains("только для классов 11"), "{c}: {why}");
    }
    // Every course for grade 11 only is apart, whether or not someone chose it.
    assert!(want_off.contains(&"ASTRO".to_owned()) && want_off.contains(&"JOURN".to_owned()));
    assert!(
        stdout.contains(&format!("{} more listed below them", want_off.len())),
        "{stdout}"
    );
    // collect reads the sheet back: the course columns and the rows below are not
    // student data.
    let text = std::fs::read_to_string(&out).unwrap();
    let filled = text.replacen("\n;KUL;;;", "\nK1;KUL;10;;PHYS", 1);
    let back = tmp.path().join("back.csv");
    std::fs::write(&back, filled).unwrap();
    let merged = tmp.path().join("students.csv");
    let (code, stdout, stderr) = profnet(&["collect", s(&copy), s(&back), "--out", s(&merged)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        std::fs::read_to_string(&merged).unwrap(),
        "id,school,grade,choice_1\nK1,KUL,10,PHYS\n"
    );
    let report = std::fs::read_to_string(tmp.path().join("students.report.csv")).unwrap();
    assert!(!report.contains("ignored_column"), "{report}");

    // Before the choices are in (no students.csv): still filtered by rooms, teachers
    // and travel, with a note that grades are not known.
    std::fs::remove_file(copy.join("students.csv")).unwrap();
    let (out, _, stderr) = form(&copy, "kul-nostudents.csv");
    assert!(stderr.contains("students.csv not read"), "{stderr}");
    let (offered, apart) = sheet_courses(&out);
    let (want_on, want_off) = offer_of(&copy, "KUL");
    assert_eq!((ids(&offered), ids(&apart)), (want_on.clone(), want_off));
    assert!(
        want_on.contains(&"ASTRO".to_owned()),
        "grades unknown: not left out"
    );
}

/// `profnet check BUNDLE PLAN | head -1` on a plan with thousands of violations (more
/// than a pipe holds, so the checker is still writing when the reader goes away): a
/// closed pipe is a normal end, exit 0, not a panic.
#[test]
fn a_closed_pipe_ends_check_with_exit_0() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    let plan = tmp.path().join("plan");
    small_bundle(&bundle);
    let (code, _, stderr) = profnet(&["solve", s(&bundle), "--out", s(&plan), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    // 5000 students the bundle does not know: a violation each, about 400 KB of text.
    let mut rows = String::from("student,group\n");
    for i in 0..5000 {
        rows.push_str(&format!("GHOST{i:05},G001\n"));
    }
    std::fs::write(plan.join("assignments.csv"), rows).unwrap();
    let mut child = Command::new(common::exe())
        .args(["check", s(&bundle), s(&plan)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("rule "), "{first}");
    // The reader is gone (as `head -1` exits); the checker still has most to write.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

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

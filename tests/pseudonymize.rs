//! `profnet solve --pseudonymize`: no real student id in any file of the plan, a mapping
//! outside it that maps back to exactly the plain plan, deterministic output, and
//! `check` with and without `--pseudonyms`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{profnet, Bundle};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Two schools; B's students travel to A for MATH (routes.csv names them), three
/// students want ART that cannot open (unserved.csv names them).
fn bundle(dir: &Path) -> Vec<String> {
    let mut b = Bundle::new(3);
    b.school("A").school("B").link("A", "B", 15);
    b.room("A", "A-R1", 25, "general", "")
        .room("B", "B-R1", 25, "general", "");
    b.course("MATH", 1, "general", false, "")
        .course("ECON", 1, "general", true, "")
        .course("ART", 1, "general", false, "");
    b.teacher("T1", "A", "MATH", "", true, "")
        .teacher("T2", "B", "ECON", "", true, "")
        .teacher("T3", "A", "ART", "", true, "");
    b.students("KidA", 11, "A", 10, &["MATH", "ECON"]);
    b.students("KidB", 4, "B", 11, &["ECON", "MATH"]);
    b.students("KidC", 3, "B", 11, &["ART", "MATH", "ECON"]);
    b.write(dir);
    b.students
        .iter()
        .map(|r| r.split(',').next().unwrap().to_string())
        .collect()
}

/// The rows of a CSV file as maps column -> value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Every file of a directory by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

struct Solved {
    _tmp: tempfile::TempDir,
    bundle: PathBuf,
    plain: PathBuf,
    pseudo: PathBuf,
    mapping: PathBuf,
    ids: Vec<String>,
    stdout: String,
}

/// Solves the bundle plainly and pseudonymised (`extra` options for the latter).
fn solve_both(extra: &[&str]) -> Solved {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    let ids = self::bundle(&bundle);
    let plain = tmp.path().join("plain");
    let pseudo = tmp.path().join("shared").join("plan");
    let (code, out, err) = profnet(&["solve", s(&bundle), "--out", s(&plain), "--quiet"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let mut args = vec![
        "solve",
        s(&bundle),
        "--out",
        s(&pseudo),
        "--quiet",
        "--pseudonymize",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, err) = profnet(&args);
    assert_eq!(code, 0, "{stdout}\n{err}");
    let mapping = tmp.path().join("shared").join("plan.pseudonyms.csv");
    Solved {
        _tmp: tmp,
        bundle,
        plain,
        pseudo,
        mapping,
        ids,
        stdout,
    }
}

#[test]
fn no_real_student_id_in_any_plan_file_nor_on_stdout() {
    let r = solve_both(&[]);
    let files = files(&r.pseudo);
    for f in [
        "groups.csv",
        "assignments.csv",
        "unserved.csv",
        "routes.csv",
        "transport.csv",
        "summary.json",
    ] {
        assert!(files.contains_key(f), "{f} missing");
    }
    // The plan does name students: by pseudonym.
    assert!(contains(&files["assignments.csv"], "STU-"));
    assert!(contains(&files["unserved.csv"], "STU-"));
    assert!(contains(&files["routes.csv"], "STU-"));
    assert!(contains(&files["summary.json"], "\"pseudonymized\": true"));
    for (name, bytes) in &files {
        for id in &r.ids {
            assert!(!contains(bytes, id), "{id} appears in {name}");
        }
    }
    for id in &r.ids {
        assert!(!r.stdout.contains(id.as_str()), "{id} on stdout");
    }
    // The plain plan, by contrast, does name them (the test would be void otherwise).
    let plain = files_concat(&r.plain);
    assert!(r.ids.iter().all(|id| contains(&plain, id)));
}

fn files_concat(dir: &Path) -> Vec<u8> {
    files(dir).into_values().flatten().collect()
}

#[test]
fn mapping_lies_outside_the_plan_and_maps_every_pseudonym_to_a_student() {
    let r = solve_both(&[]);
    assert!(r.mapping.is_file(), "no mapping at {}", r.mapping.display());
    assert!(!r.mapping.starts_with(&r.pseudo));
    assert!(r.stdout.contains("plan.pseudonyms.csv"), "{}", r.stdout);
    let map = rows(&r.mapping);
    let real: BTreeMap<String, String> = map
        .iter()
        .map(|m| (m["pseudonym"].clone(), m["student"].clone()))
        .collect();
    assert_eq!(real.len(), map.len(), "a pseudonym appears twice");
    let students: BTreeSet<&String> = real.values().collect();
    let bundle_ids: BTreeSet<&String> = r.ids.iter().collect();
    assert_eq!(
        students, bundle_ids,
        "every student gets exactly one pseudonym"
    );
    for m in &map {
        let school = if m["student"].starts_with("KidA") {
            "A"
        } else {
            "B"
        };
        assert_eq!(m["school"], school);
    }
    let mut used = Vec::new();
    used.extend(
        rows(&r.pseudo.join("assignments.csv"))
            .into_iter()
            .map(|a| a["student"].clone()),
    );
    used.extend(
        rows(&r.pseudo.join("unserved.csv"))
            .into_iter()
            .map(|u| u["student"].clone()),
    );
    used.extend(
        rows(&r.pseudo.join("routes.csv"))
            .into_iter()
            .filter(|l| l["role"] == "student")
            .map(|l| l["person"].clone()),
    );
    assert!(!used.is_empty());
    for p in used {
        assert!(real.contains_key(&p), "{p} is not in the mapping");
    }
}

/// The rows of `file` in a plan, with `column` mapped back through `real` (on rows where
/// `role`, if given, is `student`), as a sorted list.
fn mapped_back(
    plan: &Path,
    file: &str,
    column: &str,
    real: Option<&BTreeMap<String, String>>,
) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = rows(&plan.join(file))
        .into_iter()
        .map(|mut row| {
            if let Some(real) = real {
                if row.get("role").is_none_or(|r| r == "student") {
                    let p = row[column].clone();
                    row.insert(column.to_string(), real[&p].clone());
                }
            }
            row.into_values().collect()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn mapping_back_gives_exactly_the_plain_plan() {
    let r = solve_both(&[]);
    let real: BTreeMap<String, String> = rows(&r.mapping)
        .into_iter()
        .map(|m| (m["pseudonym"].clone(), m["student"].clone()))
        .collect();
    for (file, column) in [
        ("assignments.csv", "student"),
        ("unserved.csv", "student"),
        ("routes.csv", "person"),
    ] {
        assert_eq!(
            mapped_back(&r.pseudo, file, column, Some(&real)),
            mapped_back(&r.plain, file, column, None),
            "{file}"
        );
    }
    assert_eq!(
        fs::read(r.pseudo.join("groups.csv")).unwrap(),
        fs::read(r.plain.join("groups.csv")).unwrap()
    );
    // Rows naming students are sorted by pseudonym.
    let a: Vec<String> = rows(&r.pseudo.join("assignments.csv"))
        .into_iter()
        .map(|a| a["student"].clone())
        .collect();
    assert!(a.windows(2).all(|w| w[0] <= w[1]), "{a:?}");
}

/// summary.json without what depends on the clock.
fn summary_without_timing(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("solve_seconds");
    o.remove("solver_notes");
    v
}

#[test]
fn two_runs_give_identical_plans_and_mappings() {
    let r = solve_both(&[]);
    let again = r.pseudo.with_file_name("again");
    let (code, out, err) = profnet(&[
        "solve",
        s(&r.bundle),
        "--out",
        s(&again),
        "--quiet",
        "--pseudonymize",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (a, b) = (files(&r.pseudo), files(&again));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        if name == "summary.json" {
            // solve_seconds (and timings in the notes) follow the clock.
            assert_eq!(
                summary_without_timing(bytes),
                summary_without_timing(&b[name])
            );
        } else {
            assert_eq!(bytes, &b[name], "{name} differs between two runs");
        }
    }
    assert_eq!(
        fs::read(&r.mapping).unwrap(),
        fs::read(again.with_file_name("again.pseudonyms.csv")).unwrap()
    );
}

#[test]
fn another_salt_gives_other_pseudonyms_for_the_same_plan() {
    let r = solve_both(&["--pseudonym-salt", "district secret"]);
    let default = r.pseudo.with_file_name("default");
    let (code, _, err) = profnet(&[
        "solve",
        s(&r.bundle),
        "--out",
        s(&default),
        "--quiet",
        "--pseudonymize",
    ]);
    assert_eq!(code, 0, "{err}");
    let pairs = |p: &Path| -> BTreeMap<String, String> {
        rows(p)
            .into_iter()
            .map(|m| (m["student"].clone(), m["pseudonym"].clone()))
            .collect()
    };
    let salted = pairs(&r.mapping);
    let plain = pairs(&default.with_file_name("default.pseudonyms.csv"));
    assert_eq!(salted.len(), plain.len());
    assert_ne!(salted, plain);
}

#[test]
fn check_needs_the_mapping_for_a_pseudonymised_plan() {
    let r = solve_both(&[]);
    let (code, stdout, stderr) = profnet(&[
        "check",
        s(&r.bundle),
        s(&r.pseudo),
        "--pseudonyms",
        s(&r.mapping),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("obeys every rule"), "{stdout}");

    let (code, stdout, stderr) = profnet(&["check", s(&r.bundle), s(&r.pseudo)]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("looks pseudonymised"), "{stderr}");
    assert!(stderr.contains("--pseudonyms"), "{stderr}");
    assert!(stdout.is_empty(), "no list of unknown ids: {stdout}");

    // The plain plan still checks without a mapping.
    let (code, stdout, _) = profnet(&["check", s(&r.bundle), s(&r.plain)]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn check_rejects_a_mapping_of_another_bundle() {
    let r = solve_both(&[]);
    let other = r.mapping.with_file_name("other.csv");
    fs::write(&other, "pseudonym,student,school\nSTU-0001,NOBODY,A\n").unwrap();
    let (code, _, stderr) = profnet(&[
        "check",
        s(&r.bundle),
        s(&r.pseudo),
        "--pseudonyms",
        s(&other),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("NOBODY"), "{stderr}");
}

#[test]
fn the_mapping_goes_where_asked_but_never_into_the_plan_or_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    self::bundle(&bundle);
    let plan = tmp.path().join("plan");
    let key = tmp.path().join("keys").join("day1.csv");
    let (code, out, err) = profnet(&[
        "solve",
        s(&bundle),
        "--out",
        s(&plan),
        "--quiet",
        "--pseudonymize",
        "--pseudonyms-out",
        s(&key),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(key.is_file());
    assert!(!tmp.path().join("plan.pseudonyms.csv").exists());
    let (code, out, _) = profnet(&["check", s(&bundle), s(&plan), "--pseudonyms", s(&key)]);
    assert_eq!(code, 0, "{out}");

    for inside in [plan.join("key.csv"), bundle.join("key.csv")] {
        let (code, _, err) = profnet(&[
            "solve",
            s(&bundle),
            "--out",
            s(&plan),
            "--quiet",
            "--pseudonymize",
            "--pseudonyms-out",
            s(&inside),
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--pseudonyms-out"), "{err}");
        assert!(!inside.exists());
    }
    // No temporary files are left beside the plan or the mapping.
    let left: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .chain(fs::read_dir(key.parent().unwrap()).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

//! `profnet pin`: chosen groups and seats of a solved plan written as the pins of SPEC
//! §8, merged with the pins already there.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{profnet, Bundle};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Header and rows of a CSV file.
fn csv_file(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

/// A small bundle with three groups to open (MATH and ART at A, ECON at B), solved:
/// `(bundle, plan)`.
fn solved(dir: &Path) -> (PathBuf, PathBuf) {
    let (bundle, plan) = (dir.join("bundle"), dir.join("plan"));
    let mut b = Bundle::new(3);
    b.school("A").school("B").link("A", "B", 15);
    b.room("A", "A-R1", 25, "general", "")
        .room("A", "A-R2", 25, "general", "")
        .room("B", "B-R1", 25, "general", "");
    b.course("MATH", 1, "general", false, "")
        .course("ECON", 1, "general", false, "")
        .course("ART", 1, "general", false, "");
    b.teacher("T1", "A", "MATH", "", true, "")
        .teacher("T2", "B", "ECON", "", true, "")
        .teacher("T3", "A", "ART", "", true, "");
    b.students("X", 11, "A", 10, &["MATH", "ART"]);
    b.students("Y", 12, "B", 11, &["ECON", "MATH"]);
    b.write(&bundle);
    let (code, out, err) = profnet(&[
        "solve",
        s(&bundle),
        "--out",
        s(&plan),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    (bundle, plan)
}

/// groups.csv by group id: `course,school,first_period,room,teacher,mode,id` as a pin
/// has them; and assignments.csv as `group -> students`.
fn plan_rows(
    plan: &Path,
) -> (
    BTreeMap<String, Vec<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let (head, rows) = csv_file(&plan.join("groups.csv"));
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let groups = rows
        .iter()
        .map(|r| {
            let id = r[col("group")].clone();
            let pin = [
                "course",
                "school",
                "first_period",
                "room",
                "teacher",
                "mode",
            ]
            .iter()
            .map(|c| r[col(c)].clone())
            .chain([id.clone()])
            .collect();
            (id, pin)
        })
        .collect();
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in csv_file(&plan.join("assignments.csv")).1 {
        members
            .entry(r[1].clone())
            .or_default()
            .insert(r[0].clone());
    }
    (groups, members)
}

/// pinned_students.csv rows expected for `groups` pinned whole.
fn seats(
    ids: &[&str],
    groups: &BTreeMap<String, Vec<String>>,
    members: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<Vec<String>> {
    ids.iter()
        .flat_map(|g| {
            members[*g]
                .iter()
                .map(|st| vec![st.clone(), groups[*g][0].clone(), g.to_string()])
        })
        .collect()
}

#[test]
fn pin_writes_the_chosen_groups_and_merges_with_the_pins_there() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, plan) = solved(tmp.path());
    let (groups, members) = plan_rows(&plan);
    assert!(groups.len() >= 3, "{groups:?}");
    let ids: Vec<&str> = groups.keys().map(String::as_str).collect();
    let (g1, g2, g3) = (ids[0], ids[1], ids[2]);

    // Two groups into the bundle itself: every attribute, every member.
    let (code, out, err) = profnet(&[
        "pin",
        s(&plan),
        "--bundle",
        s(&bundle),
        "--groups",
        g1,
        g2,
        "--out",
        s(&bundle),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // Students, each once (one may sit in both groups).
    let n = members[g1].union(&members[g2]).count();
    assert!(
        out.contains(&format!("pinned 2 group(s) and {n} student(s) to ")),
        "{out}"
    );
    assert!(out.contains("pinned_groups.csv"), "{out}");
    let pg = bundle.join("pinned_groups.csv");
    let ps = bundle.join("pinned_students.csv");
    let (head, rows) = csv_file(&pg);
    assert_eq!(
        head,
        [
            "course",
            "school",
            "first_period",
            "room",
            "teacher",
            "mode",
            "id"
        ]
    );
    assert_eq!(rows, [groups[g1].clone(), groups[g2].clone()]);
    let (head, rows) = csv_file(&ps);
    assert_eq!(head, ["student", "course", "group"]);
    assert_eq!(rows.len(), members[g1].len() + members[g2].len());
    let got: BTreeSet<Vec<String>> = rows.into_iter().collect();
    assert_eq!(got, seats(&[g1, g2], &groups, &members));

    // Again, with one of them and a third: the two are kept once, the third added.
    let (code, out, err) = profnet(&[
        "pin",
        s(&plan),
        "--bundle",
        s(&bundle),
        "--groups",
        g2,
        "--groups",
        g3,
        "--out",
        s(&bundle),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("kept 2 existing row(s), added 1, skipped 1 already pinned"),
        "{err}"
    );
    let (_, rows) = csv_file(&pg);
    assert_eq!(
        rows,
        [groups[g1].clone(), groups[g2].clone(), groups[g3].clone()]
    );
    let unique: BTreeSet<&String> = rows.iter().map(|r| &r[6]).collect();
    assert_eq!(unique.len(), 3, "ids stay unique");
    let (_, rows) = csv_file(&ps);
    let got: BTreeSet<Vec<String>> = rows.iter().cloned().collect();
    assert_eq!(got.len(), rows.len(), "no seat twice: {rows:?}");
    assert_eq!(got, seats(&[g1, g2, g3], &groups, &members));

    // A third time: nothing new, nothing changed.
    let before = (std::fs::read(&pg).unwrap(), std::fs::read(&ps).unwrap());
    let (code, out, err) = profnet(&[
        "pin",
        s(&plan),
        "--bundle",
        s(&bundle),
        "--all",
        "--out",
        s(&bundle),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    if groups.len() == 3 {
        assert!(out.contains("nothing changed"), "{out}");
        assert_eq!(
            before,
            (std::fs::read(&pg).unwrap(), std::fs::read(&ps).unwrap())
        );
    }
    // The plan still checks against the bundle with its pins.
    let (code, out, err) = profnet(&["check", s(&bundle), s(&plan)]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn pin_a_student_pins_their_groups_with_only_their_seat_and_keeps_other_pins() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, plan) = solved(tmp.path());
    let (groups, members) = plan_rows(&plan);
    // A student of A (the pin of Y001 below is not one of theirs) and a group of theirs.
    let (g, student) = members
        .iter()
        .find_map(|(g, m)| {
            m.iter()
                .find(|st| st.starts_with('X'))
                .map(|st| (g.clone(), st.clone()))
        })
        .unwrap();
    let theirs: Vec<&String> = members
        .iter()
        .filter(|(_, m)| m.contains(&student))
        .map(|(g, _)| g)
        .collect();
    // Pins already in DIR: another group under the id of one of theirs (with a column
    // of the planner's own), and a student in a course.
    let out_dir = tmp.path().join("pins");
    std::fs::create_dir(&out_dir).unwrap();
    let other = if groups[&g][1] == "A" { "B" } else { "A" };
    std::fs::write(
        out_dir.join("pinned_groups.csv"),
        format!("course,school,first_period,note,id\nMATH,{other},3,agreed in May,{g}\n"),
    )
    .unwrap();
    std::fs::write(
        out_dir.join("pinned_students.csv"),
        "student,course\nY001,ECON\n",
    )
    .unwrap();

    let (code, out, err) = profnet(&[
        "pin",
        s(&plan),
        "--bundle",
        s(&bundle),
        "--students",
        &student,
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "pinned {} group(s) and 1 student(s)",
            theirs.len()
        )),
        "{out}"
    );
    let (head, rows) = csv_file(&out_dir.join("pinned_groups.csv"));
    assert_eq!(
        head,
        [
            "course",
            "school",
            "first_period",
            "room",
            "teacher",
            "mode",
            "id",
            "note"
        ]
    );
    // The planner's row stays first, as it was.
    assert_eq!(
        rows[0],
        ["MATH", other, "3", "", "", "", g.as_str(), "agreed in May"]
    );
    assert_eq!(rows.len(), 1 + theirs.len());
    let ids: BTreeSet<&String> = rows.iter().map(|r| &r[6]).collect();
    assert_eq!(ids.len(), rows.len(), "ids stay unique: {rows:?}");
    // Our group with the colliding id got another one, and the student's pin names it.
    let ours = rows[1..]
        .iter()
        .find(|r| r[..6] == groups[&g][..6])
        .unwrap();
    assert_eq!(ours[6], format!("{g}-2"));
    assert!(err.contains(&format!("pinned with the id {g}-2")), "{err}");
    let (_, rows) = csv_file(&out_dir.join("pinned_students.csv"));
    assert_eq!(rows[0], ["Y001", "ECON", ""], "kept as it was");
    let mine: Vec<&Vec<String>> = rows[1..].iter().collect();
    assert_eq!(mine.len(), theirs.len(), "{rows:?}");
    assert!(
        mine.iter().all(|r| r[0] == student),
        "only their seat: {rows:?}"
    );
    assert!(mine.iter().any(|r| r[2] == format!("{g}-2")), "{rows:?}");
}

#[test]
fn pin_refuses_unknown_ids_and_bad_arguments_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, plan) = solved(tmp.path());
    let out_dir = tmp.path().join("pins");
    let run = |extra: &[&str]| {
        let mut args = vec!["pin", s(&plan), "--bundle", s(&bundle)];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", s(&out_dir)]);
        profnet(&args)
    };
    // An unknown group: named, with what the plan has; nothing written.
    let (code, out, err) = run(&["--groups", "G001", "G999"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("group 'G999' is not in"), "{err}");
    assert!(err.contains("groups.csv"), "{err}");
    assert!(err.contains("G001"), "names the ids it has: {err}");
    assert!(!out_dir.exists(), "nothing was written");
    // An unknown student and an unknown school, both reported at once.
    let (code, _, err) = run(&["--students", "NOBODY", "--school", "ZZ"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("student 'NOBODY' is not in"), "{err}");
    assert!(err.contains("school 'ZZ' is not in"), "{err}");
    // Nothing chosen.
    let (code, _, err) = run(&[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--groups"), "{err}");
    assert!(!out_dir.exists());
    // A plan that is not there.
    let missing = tmp.path().join("no-plan");
    let (code, _, err) = profnet(&[
        "pin",
        s(&missing),
        "--bundle",
        s(&bundle),
        "--all",
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("no-plan"), "{err}");
    // A plan of another bundle.
    let other = tmp.path().join("other");
    let mut b = Bundle::new(3);
    b.school("Q").room("Q", "Q-R1", 25, "general", "");
    b.course("MATH", 1, "general", false, "");
    b.teacher("T1", "Q", "MATH", "", true, "");
    b.students("Z", 10, "Q", 10, &["MATH"]);
    b.write(&other);
    let (code, _, err) = profnet(&[
        "pin",
        s(&plan),
        "--bundle",
        s(&other),
        "--all",
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("another bundle"), "{err}");
    assert!(!out_dir.exists());
    // A broken pin file already there: named, and left as it was.
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("pinned_groups.csv"), "school,room\nA,A-R1\n").unwrap();
    let (code, _, err) = run(&["--all"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'course' is missing"), "{err}");
    assert!(!out_dir.join("pinned_students.csv").exists());
    assert_eq!(
        std::fs::read_to_string(out_dir.join("pinned_groups.csv")).unwrap(),
        "school,room\nA,A-R1\n"
    );
}

/// "Keep what we agreed and re-plan the rest": pin two groups of the published plan into
/// the bundle, solve again, and the new plan has them as they were, checked (rule 9).
#[test]
fn pin_then_solve_keeps_the_pinned_groups_as_published() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, plan) = solved(tmp.path());
    let (groups, members) = plan_rows(&plan);
    let ids: Vec<&str> = groups.keys().map(String::as_str).take(2).collect();
    let (code, out, err) = profnet(&[
        "pin",
        s(&plan),
        "--bundle",
        s(&bundle),
        "--groups",
        ids[0],
        ids[1],
        "--out",
        s(&bundle),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let again = tmp.path().join("again");
    let (code, out, err) = profnet(&[
        "solve",
        s(&bundle),
        "--out",
        s(&again),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (new_groups, new_members) = plan_rows(&again);
    for id in &ids {
        // The same course, school, period, room, teacher and mode, with every member.
        let attrs = &groups[*id][..6];
        let same = new_groups
            .iter()
            .find(|(_, g)| &g[..6] == attrs)
            .unwrap_or_else(|| panic!("{id} {attrs:?} is gone: {new_groups:?}"));
        assert!(
            members[*id].is_subset(&new_members[same.0]),
            "{id}: {:?} not all in {:?}",
            members[*id],
            new_members[same.0]
        );
    }
    let (code, out, err) = profnet(&["check", s(&bundle), s(&again)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("keeps the pins"), "{out}");
}

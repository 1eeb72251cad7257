//! `profnet compare` and `profnet partners` as a user runs them: a small base, scenario
//! directories over it, the table, the files, and the ranking.

mod common;

use std::path::Path;

use common::{profnet, Bundle};

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Two schools 20 min apart; MATH has a teacher, ART (chosen by 12 at B) has none.
fn base() -> Bundle {
    let mut b = Bundle::new(3);
    b.school("A").school("B").link("A", "B", 20);
    b.room("A", "A-R1", 25, "general", "")
        .room("B", "B-R1", 25, "general", "");
    b.course("MATH", 1, "general", false, "")
        .course("ART", 1, "general", false, "");
    b.teacher("T1", "A", "MATH", "", true, "");
    b.students("M", 12, "A", 10, &["MATH"]);
    b.students("R", 12, "B", 10, &["ART"]);
    b
}

fn write_scenario(dir: &Path, toml: &str, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn compare_shows_every_kpi_with_its_difference_and_writes_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    base().write(&base_dir);
    // A name with spaces and Cyrillic: shown as written, a slug only for folders.
    let college = "Колледж присоединяется";
    let art = tmp.path().join("art-teacher");
    write_scenario(
        &art,
        &format!("name = \"{college}\"\n"),
        &[(
            "teachers.csv",
            "id,name,school,courses,max_periods,travels,periods\nT9,Teacher T9,B,ART,,no,\n",
        )],
    );
    let strict = tmp.path().join("min-13");
    write_scenario(
        &strict,
        "name = \"Minimum group 13\"\n[settings]\nmin_group = 13\n",
        &[],
    );
    let out = tmp.path().join("cmp");
    let (code, stdout, stderr) = profnet(&[
        "compare",
        base_dir.to_str().unwrap(),
        art.to_str().unwrap(),
        strict.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--time-limit",
        "20",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // The terminal table: headed by the names (the base network's for the base), no
    // slugs; placements 12 in the base, +12 with the art teacher, 0 with a minimum
    // nobody reaches.
    let head = stdout.lines().find(|l| l.starts_with("KPI")).unwrap();
    let cols: Vec<&str> = head
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cols,
        ["KPI", "test", college, "Minimum group 13", "search noise"],
        "{head}"
    );
    assert!(!stdout.contains("Колледж-присоединяется"), "{stdout}");
    assert!(!stdout.contains("Minimum-group-13"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{college}: 12 choices gained, 0 lost against the base"
        )),
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("placements"))
        .unwrap();
    assert!(line.contains("24 (+12, better)"), "{line}");
    assert!(line.contains("0 (-12, worse)"), "{line}");
    // comparison.csv: every KPI, each scenario's value and difference, the columns
    // headed by the names.
    let text = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(text.starts_with(&format!(
        "kpi,test,{college},{college}_diff,Minimum group 13,Minimum group 13_diff,search_noise,\
         {college}_within_noise,Minimum group 13_within_noise\n"
    )));
    let csv = rows(&out.join("comparison.csv"));
    let get = |k: &str| csv.iter().find(|r| r[0] == k).unwrap().clone();
    assert_eq!(
        get("placements")[1..],
        ["12", "24", "12", "0", "-12", "0", "no", "no"]
    );
    for k in [
        "placement_rate",
        "first_choice_rate",
        "worst_school_placement_rate",
        "student_travel_minutes",
        "teacher_travel_minutes",
        "groups",
        "distance_groups",
        "vehicles_used",
        "vehicle_minutes",
        "schools_involved_share",
        "teachers_involved_share",
    ] {
        assert_eq!(get(k).len(), 9, "{k}");
    }
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(md.contains(&format!(
        "| KPI | test | {college} | Minimum group 13 | search noise |"
    )));
    assert!(md.contains("| placements | 12 | 24 (+12, better) | 0 (-12, worse) | ±0 |"));
    // …and where each one's files are.
    assert!(md.contains(&format!(
        "| {college} | `Колледж-присоединяется/` | `Колледж-присоединяется.bundle/` |"
    )));
    // Who gains and who loses, by name, with the plan's folder.
    let changed = rows(&out.join("students_changed.csv"));
    let gained: Vec<_> = changed
        .iter()
        .filter(|r| r[0] == college && r[3] == "gained")
        .collect();
    assert_eq!(gained.len(), 12);
    assert!(gained
        .iter()
        .all(|r| r[2] == "ART" && r[5] == "B" && r[6] == "Колледж-присоединяется"));
    let lost = changed
        .iter()
        .filter(|r| r[0] == "Minimum group 13" && r[3] == "lost")
        .count();
    assert_eq!(lost, 12);
    // Every network's plan, checked, in a folder named by its slug.
    for d in ["base", "Колледж-присоединяется", "Minimum-group-13"] {
        assert!(out.join(d).join("groups.csv").exists(), "{d}");
    }
    // Each scenario is also written as a whole bundle its plan checks against.
    let (code, stdout, stderr) = profnet(&[
        "check",
        out.join("Колледж-присоединяется.bundle").to_str().unwrap(),
        out.join("Колледж-присоединяется").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_scenario_that_only_adds_resources_never_lowers_placements() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    base().write(&base_dir);
    let room = tmp.path().join("room");
    write_scenario(
        &room,
        "name = \"Another room\"\n",
        &[(
            "rooms.csv",
            "school,id,capacity,kind,periods\nA,A-R9,30,general,\n",
        )],
    );
    let (code, stdout, stderr) = profnet(&[
        "compare",
        base_dir.to_str().unwrap(),
        room.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("placements"))
        .unwrap();
    assert!(line.contains("12 (+0)"), "{line}");
}

#[test]
fn partners_are_ranked_by_what_they_add() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    base().write(&base_dir);
    let useful = tmp.path().join("art-school");
    write_scenario(
        &useful,
        "name = \"Art school\"\n",
        &[
            ("schools.csv", "id,name,kind\nART,Art school,additional\n"),
            ("links.csv", "from,to,minutes\nART,B,10\n"),
            (
                "rooms.csv",
                "school,id,capacity,kind,periods\nART,ART-R1,20,general,\n",
            ),
            (
                "teachers.csv",
                "id,name,school,courses,max_periods,travels,periods\nTA,Art teacher,ART,ART,,no,\n",
            ),
        ],
    );
    let idle = tmp.path().join("idle-club");
    write_scenario(
        &idle,
        "name = \"Chess club\"\n",
        &[
            ("schools.csv", "id,name,kind\nCHESS,Chess club,additional\n"),
            ("links.csv", "from,to,minutes\nCHESS,A,10\n"),
        ],
    );
    let (code, stdout, stderr) = profnet(&[
        "partners",
        base_dir.to_str().unwrap(),
        idle.to_str().unwrap(),
        useful.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let ranked: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(ranked.len(), 2, "{stdout}");
    assert!(
        ranked[0].contains("Art school") && ranked[0].contains("+12"),
        "{stdout}"
    );
    assert!(
        ranked[1].contains("Chess club") && ranked[1].contains("+0"),
        "{stdout}"
    );
}

#[test]
fn a_broken_scenario_is_reported_with_its_file_and_nothing_is_solved() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    base().write(&base_dir);
    let bad = tmp.path().join("bad");
    write_scenario(&bad, "name = \"x\"\n[remove]\nteachers = [\"T404\"]\n", &[]);
    let out = tmp.path().join("cmp");
    let (code, _, stderr) = profnet(&[
        "compare",
        base_dir.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("scenario.toml"), "{stderr}");
    assert!(stderr.contains("T404"), "{stderr}");
    assert!(!out.exists());
}

/// Issue 25: a scenario never looks better than the base where the base could have used
/// the scenario's plan (a plan of "Minimum group 12" or "winter road closed" obeys
/// every rule of the base too); a README caught by a scenario glob is skipped with a
/// warning.
#[test]
fn no_scenario_beats_the_base_with_a_plan_the_base_could_use() {
    let tmp = tempfile::tempdir().unwrap();
    let base_dir = tmp.path().join("base");
    // More to choose from than the first test's base: alternates, two teachers, a
    // second course at B, so that plans differ in ranks and first choices.
    let mut b = Bundle::new(3);
    b.school("A").school("B").link("A", "B", 20);
    b.room("A", "A-R1", 25, "general", "")
        .room("B", "B-R1", 25, "general", "");
    b.course("MATH", 1, "general", false, "")
        .course("ART", 1, "general", false, "")
        .course("BIO", 1, "general", false, "");
    b.teacher("T1", "A", "MATH BIO", "", true, "")
        .teacher("T2", "B", "ART BIO", "", true, "");
    b.students("M", 14, "A", 10, &["MATH", "BIO", "ART"]);
    b.students("R", 13, "B", 10, &["ART", "BIO", "MATH"]);
    b.students("Q", 11, "B", 10, &["BIO", "ART"]);
    b.write(&base_dir);
    let scenarios = tmp.path().join("scenarios");
    write_scenario(
        &scenarios.join("min-12"),
        "name = \"Minimum group 12\"\n[settings]\nmin_group = 12\n",
        &[],
    );
    write_scenario(
        &scenarios.join("winter"),
        "name = \"winter road closed\"\n[remove]\nlinks = [[\"A\", \"B\"]]\n",
        &[],
    );
    std::fs::write(scenarios.join("README.md"), "# what-if scenarios\n").unwrap();
    std::fs::create_dir_all(scenarios.join("notes")).unwrap();
    let mut args = vec!["compare".to_string(), base_dir.to_str().unwrap().into()];
    // What `scenarios/*` gives, in order.
    let mut caught: Vec<String> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .collect();
    caught.sort();
    args.extend(caught);
    let out = tmp.path().join("cmp");
    args.extend(["--out".into(), out.to_str().unwrap().into()]);
    args.extend(["--time-limit".into(), "20".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = profnet(&args);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("README.md is not a scenario") && stderr.contains("skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("notes is not a scenario"), "{stderr}");
    let csv = rows(&out.join("comparison.csv"));
    let get = |k: &str| csv.iter().find(|r| r[0] == k).unwrap().clone();
    let head = {
        let mut r = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
        r.headers()
            .unwrap()
            .iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let num = |k: &str, col: &str| -> f64 {
        let i = head.iter().position(|h| h == col).unwrap();
        get(k)[i].parse().unwrap()
    };
    let mut checked = 0;
    for (name, folder) in [
        ("Minimum group 12", "Minimum-group-12"),
        ("winter road closed", "winter-road-closed"),
    ] {
        // The scenario's plan checked against the base by the independent checker.
        let (valid, o, e) = profnet(&[
            "check",
            base_dir.to_str().unwrap(),
            out.join(folder).to_str().unwrap(),
        ]);
        // Every plan written is checked against its own network too.
        let (own, o2, e2) = profnet(&[
            "check",
            out.join(format!("{folder}.bundle")).to_str().unwrap(),
            out.join(folder).to_str().unwrap(),
        ]);
        assert_eq!(own, 0, "{o2}{e2}");
        if valid != 0 {
            assert!(valid == 1, "{o}{e}");
            continue;
        }
        checked += 1;
        let (bp, sp) = (num("placements", "test"), num("placements", name));
        let (br, sr) = (num("rank_sum", "test"), num("rank_sum", name));
        let (bf, sf) = (
            num("first_choice_rate", "test"),
            num("first_choice_rate", name),
        );
        assert!(
            bp > sp || (bp == sp && (br < sr || (br == sr && bf >= sf))),
            "{name}'s plan is valid for the base, yet the base reports placements {bp}, rank sum \
             {br}, first choices {bf} against {sp}, {sr}, {sf}\n{stdout}"
        );
    }
    assert!(
        checked >= 1,
        "neither scenario's plan fits the base\n{stdout}"
    );
    let (code, stdout, _) = profnet(&[
        "check",
        base_dir.to_str().unwrap(),
        out.join("base").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    // Only a glob of nothing but non-scenarios is an error.
    let (code, _, stderr) = profnet(&[
        "compare",
        base_dir.to_str().unwrap(),
        scenarios.join("README.md").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no scenario to compare"), "{stderr}");
}

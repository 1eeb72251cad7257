//! Scenarios over a base bundle (SPEC §5): rows added or replaced by id, `[remove]`,
//! `[settings]`, dialects, and errors that name the scenario's own file and line.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::Bundle;
use profnet::diag::Diagnostic;
use profnet::input::scenario::{self, Scenario};
use profnet::model::Network;

/// A base bundle: schools A, B, C (B-C and A-B linked), a room and a teacher at each,
/// students at each, a bus at C.
fn base_bundle() -> Bundle {
    let mut b = Bundle::new(4);
    b.school("A").school("B").school("C");
    b.link("A", "B", 10).link("B", "C", 20);
    b.room("A", "A-R1", 25, "general", "")
        .room("B", "B-R1", 25, "general", "")
        .room("C", "C-R1", 25, "general", "");
    b.course("M", 1, "general", false, "")
        .course("P", 1, "general", true, "");
    b.teacher("TA", "A", "M P", "", true, "")
        .teacher("TB", "B", "M", "", true, "")
        .teacher("TC", "C", "P", "", true, "");
    b.students("SA", 5, "A", 10, &["M", "P"])
        .students("SB", 5, "B", 10, &["M", "P"])
        .students("SC", 5, "C", 10, &["P", "M"]);
    b.vehicle("BUS-C", "C", 20);
    b
}

/// A temporary directory holding `base/` (written from `b`) and `scn/` with the given
/// files.
struct Setup {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    scn: PathBuf,
}

fn setup(b: &Bundle, scenario_files: &[(&str, &[u8])]) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    let scn = tmp.path().join("scn");
    b.write(&base);
    fs::create_dir_all(&scn).unwrap();
    for (name, bytes) in scenario_files {
        fs::write(scn.join(name), bytes).unwrap();
    }
    Setup {
        _tmp: tmp,
        base,
        scn,
    }
}

fn ok(s: &Setup) -> Scenario {
    match scenario::load(&s.base, &s.scn) {
        Ok(x) => x,
        Err(e) => panic!("{}", show(&e.0)),
    }
}

fn errors(s: &Setup) -> Vec<Diagnostic> {
    match scenario::load(&s.base, &s.scn) {
        Ok(x) => panic!("expected errors; warnings: {}", show(&x.diags)),
        Err(e) => e.0.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

fn show(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn school_ids(n: &Network) -> Vec<&str> {
    n.schools.iter().map(|s| s.id.as_str()).collect()
}

fn school_of(n: &Network, id: profnet::model::SchoolId) -> &str {
    &n.schools[id.idx()].id
}

/// Links as sorted (a, b, minutes).
fn links(n: &Network) -> Vec<(String, String, u32)> {
    let mut v: Vec<_> = n
        .links
        .iter()
        .map(|l| {
            let (a, b) = (school_of(n, l.a), school_of(n, l.b));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            (a.to_owned(), b.to_owned(), l.minutes)
        })
        .collect();
    v.sort();
    v
}

fn in_file(d: &Diagnostic, dir: &Path, file: &str) -> bool {
    Path::new(&d.file) == dir.join(file)
}

#[test]
fn is_scenario_needs_scenario_toml() {
    let s = setup(&base_bundle(), &[("scenario.toml", b"name = \"x\"\n")]);
    assert!(scenario::is_scenario(&s.scn));
    assert!(!scenario::is_scenario(&s.base));
    assert!(!scenario::is_scenario(&s.scn.join("nope")));
    // A directory called scenario.toml is not a scenario file.
    fs::remove_file(s.scn.join("scenario.toml")).unwrap();
    fs::create_dir(s.scn.join("scenario.toml")).unwrap();
    assert!(!scenario::is_scenario(&s.scn));
}

#[test]
fn an_empty_scenario_is_the_base() {
    let s = setup(
        &base_bundle(),
        &[("scenario.toml", b"name = \"Nothing\"\n")],
    );
    let x = ok(&s);
    let (base, _) = profnet::input::load(&s.base).unwrap();
    assert_eq!(x.name, "Nothing");
    assert_eq!(x.net.name, base.name);
    assert_eq!(school_ids(&x.net), school_ids(&base));
    assert_eq!(links(&x.net), links(&base));
    assert_eq!(x.net.students.len(), base.students.len());
    assert_eq!(x.net.min_group, base.min_group);
}

#[test]
fn rows_are_added_or_replace_the_base_row_with_their_id() {
    let s = setup(
        &base_bundle(),
        &[
            ("scenario.toml", b"name = \"College joins\"\n"),
            // Other column order than the base's, and a column the base lacks.
            (
                "schools.csv",
                b"kind,name,id,lat\ncollege,Agro college,D,55.5\nschool,B renamed,B,\n",
            ),
            ("rooms.csv", b"id,school,capacity\nD-R1,D,30\nA-R1,A,12\n"),
            ("links.csv", b"from,to,minutes\nD,A,15\n"),
            (
                "students.csv",
                b"id,school,grade,choice_1,choice_2,choice_3\nSD001,D,11,P,M,\nSA001,B,11,M,,\n",
            ),
        ],
    );
    let x = ok(&s);
    let n = &x.net;
    // Replaced in place, added at the end.
    assert_eq!(school_ids(n), ["A", "B", "C", "D"]);
    assert_eq!(n.schools[1].name, "B renamed");
    assert_eq!(n.schools[3].name, "Agro college");
    assert_eq!(n.schools[3].kind, profnet::model::SchoolKind::College);
    assert_eq!(n.schools[3].lat, Some(55.5));
    let a_r1 = n.rooms.iter().find(|r| r.id == "A-R1").unwrap();
    assert_eq!(a_r1.capacity, 12);
    assert_eq!(n.rooms.len(), 4);
    assert_eq!(n.students.len(), 16);
    let sa1 = n.students.iter().find(|s| s.id == "SA001").unwrap();
    assert_eq!(school_of(n, sa1.school), "B");
    assert_eq!(sa1.grade, 11);
    assert_eq!(sa1.choices.len(), 1);
    assert_eq!(links(n).len(), 3);
}

#[test]
fn links_are_replaced_by_their_unordered_pair() {
    let mut b = base_bundle();
    // The base lists A-B twice (a warning); the scenario's row replaces both.
    b.link("B", "A", 12);
    let s = setup(
        &b,
        &[
            ("scenario.toml", b"name = \"Bridge closed\"\n"),
            ("links.csv", b"to,from,minutes,mode\nA,B,45,bus\nA,C,30,\n"),
        ],
    );
    let x = ok(&s);
    assert_eq!(
        links(&x.net),
        [
            ("A".into(), "B".into(), 45),
            ("A".into(), "C".into(), 30),
            ("B".into(), "C".into(), 20)
        ]
    );
    assert!(
        !x.diags.iter().any(|d| d.code == "W0302"),
        "{}",
        show(&x.diags)
    );
}

#[test]
fn removing_a_school_removes_all_that_hangs_on_it() {
    let s = setup(
        &base_bundle(),
        &[
            (
                "scenario.toml",
                b"name = \"C closes\"\n[remove]\nschools = [\"C\"]\n",
            ),
            // A scenario row at the removed school goes too.
            ("teachers.csv", b"id,name,school,courses\nTC2,New,C,P\n"),
        ],
    );
    let n = ok(&s).net;
    assert_eq!(school_ids(&n), ["A", "B"]);
    assert!(n.rooms.iter().all(|r| r.id != "C-R1"));
    assert_eq!(n.rooms.len(), 2);
    let teachers: Vec<&str> = n.teachers.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(teachers, ["TA", "TB"]);
    assert_eq!(n.students.len(), 10);
    assert!(n.students.iter().all(|s| !s.id.starts_with("SC")));
    assert!(n.vehicles.is_empty());
    assert_eq!(links(&n), [("A".into(), "B".into(), 10)]);
}

#[test]
fn removing_a_teacher_room_vehicle_or_link_removes_just_that() {
    let s = setup(
        &base_bundle(),
        &[(
            "scenario.toml",
            b"name = \"Cuts\"\n[remove]\nteachers = [\"TB\"]\nrooms = [\"A-R1\"]\n\
              vehicles = [\"BUS-C\"]\nlinks = [[\"C\", \"B\"]]\n",
        )],
    );
    let n = ok(&s).net;
    assert_eq!(school_ids(&n), ["A", "B", "C"]);
    let teachers: Vec<&str> = n.teachers.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(teachers, ["TA", "TC"]);
    let rooms: Vec<&str> = n.rooms.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(rooms, ["B-R1", "C-R1"]);
    assert!(n.vehicles.is_empty());
    assert_eq!(links(&n), [("A".into(), "B".into(), 10)]);
    assert_eq!(n.students.len(), 15);
}

#[test]
fn settings_override_network_toml() {
    let mut b = base_bundle();
    b.toml.push_str("[weights]\nstudent_minute = 2.5\n");
    let s = setup(
        &b,
        &[(
            "scenario.toml",
            b"name = \"Smaller groups\"\n[settings]\nmin_group = 3\n\n[settings.weights]\nrank = 7\n",
        )],
    );
    let x = ok(&s);
    assert_eq!(x.net.min_group, 3);
    assert!(x.net.courses.iter().all(|c| c.min_group == 3));
    assert_eq!(x.net.max_group, 25);
    assert_eq!(x.net.tuning.weights.rank, 7.0);
    assert_eq!(x.net.tuning.weights.student_minute, 2.5);
    assert_eq!(x.net.name, "test");
    assert_eq!(x.net.periods.len(), 4);
}

#[test]
fn a_bad_setting_is_reported_on_its_scenario_line() {
    let s = setup(
        &base_bundle(),
        &[(
            "scenario.toml",
            b"name = \"Bad\"\n\n[settings]\nmax_group = 30\nmin_group = 0\n",
        )],
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{}", show(&e));
    assert_eq!(e[0].code, "E0110");
    assert!(in_file(&e[0], &s.scn, "scenario.toml"), "{}", e[0]);
    assert_eq!(e[0].row, Some(5));

    // A base setting that the scenario makes wrong is still found on its base line.
    let s = setup(
        &base_bundle(),
        &[(
            "scenario.toml",
            b"name = \"Bad\"\n[settings]\nmax_group = 5\n",
        )],
    );
    let e = errors(&s);
    assert!(e.iter().any(|d| d.code == "E0109"), "{}", show(&e));
}

#[test]
fn a_semicolon_cp1251_scenario_file_over_a_comma_base() {
    let (text, _, _) = encoding_rs::WINDOWS_1251
        .encode("id;name;kind\r\nD;Школа «Д», село;school\r\nA;Гимназия;school\r\n");
    let s = setup(
        &base_bundle(),
        &[("scenario.toml", b"name = \"x\"\n"), ("schools.csv", &text)],
    );
    let n = ok(&s).net;
    assert_eq!(school_ids(&n), ["A", "B", "C", "D"]);
    assert_eq!(n.schools[0].name, "Гимназия");
    assert_eq!(n.schools[3].name, "Школа «Д», село");
}

#[test]
fn an_error_in_a_scenario_row_names_the_scenario_file_and_line() {
    let s = setup(
        &base_bundle(),
        &[
            ("scenario.toml", b"name = \"x\"\n"),
            (
                "students.csv",
                b"id,school,grade,choice_1\nSN1,A,10,M\n\nSN2,A,10,PHYSX\n",
            ),
        ],
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{}", show(&e));
    assert_eq!(e[0].code, "E0207");
    assert!(in_file(&e[0], &s.scn, "students.csv"), "{}", e[0]);
    assert_eq!(e[0].row, Some(4));
    assert_eq!(e[0].column.as_deref(), Some("choice_1"));
}

#[test]
fn an_error_in_a_base_row_names_the_base_file_and_line() {
    let mut b = base_bundle();
    b.rooms.push("B,B-R2,lots,general,".into());
    let s = setup(
        &b,
        &[
            ("scenario.toml", b"name = \"x\"\n"),
            ("rooms.csv", b"school;id;capacity\nA;A-R9;30\n"),
        ],
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{}", show(&e));
    assert_eq!(e[0].code, "E0203");
    assert!(in_file(&e[0], &s.base, "rooms.csv"), "{}", e[0]);
    assert_eq!(e[0].row, Some(5));
}

#[test]
fn a_broken_scenario_row_is_reported_once_with_its_line() {
    let s = setup(
        &base_bundle(),
        &[
            ("scenario.toml", b"name = \"x\"\n"),
            ("teachers.csv", b"id,name,school,courses\nT9,Nine,A\n"),
        ],
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{}", show(&e));
    assert_eq!(e[0].code, "E0004");
    assert!(in_file(&e[0], &s.scn, "teachers.csv"), "{}", e[0]);
    assert_eq!(e[0].row, Some(2));
}

#[test]
fn a_duplicate_id_within_the_scenario_is_an_error_on_its_second_row() {
    let s = setup(
        &base_bundle(),
        &[
            ("scenario.toml", b"name = \"x\"\n"),
            ("vehicles.csv", b"id,school,seats\nBUS-A,A,10\nBUS-A,A,12\n"),
        ],
    );
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{}", show(&e));
    assert_eq!(e[0].code, "E0202");
    assert!(in_file(&e[0], &s.scn, "vehicles.csv"), "{}", e[0]);
    assert_eq!(e[0].row, Some(3));
}

#[test]
fn an_unknown_id_in_remove_is_an_error_on_its_line() {
    let s = setup(
        &base_bundle(),
        &[(
            "scenario.toml",
            b"name = \"x\"\n[remove]\nschools = [\n  \"A\",\n  \"c\",\n]\nlinks = [[\"A\", \"C\"]]\n",
        )],
    );
    let e = errors(&s);
    assert_eq!(e.len(), 2, "{}", show(&e));
    assert!(e.iter().all(|d| d.code == "E0505"));
    assert!(e.iter().all(|d| in_file(d, &s.scn, "scenario.toml")));
    assert_eq!(e[0].row, Some(5));
    assert!(e[0].message.contains("'c'"), "{}", e[0]);
    assert!(e[0].hint.contains("'C'"), "{}", e[0]);
    assert_eq!(e[1].row, Some(7));
}

#[test]
fn scenario_toml_problems_have_lines_and_hints() {
    let cases: [(&str, &str, usize); 6] = [
        ("name = \"x\"\n[remove\n", "E0502", 2),
        ("name = \"x\"\ncolour = \"red\"\n", "E0503", 2),
        ("name = \"x\"\n[remove]\ncourses = [\"M\"]\n", "E0503", 3),
        ("name = \"x\"\n[settings]\nmin_grup = 8\n", "E0503", 3),
        ("name = \"x\"\n[remove]\nschools = \"A\"\n", "E0504", 3),
        (
            "name = \"x\"\n[remove]\nlinks = [\"A\", \"B\"]\n",
            "E0504",
            3,
        ),
    ];
    for (text, code, line) in cases {
        let s = setup(&base_bundle(), &[("scenario.toml", text.as_bytes())]);
        let e = errors(&s);
        assert_eq!(e.len(), 1, "{text}: {}", show(&e));
        assert_eq!(e[0].code, code, "{text}: {}", e[0]);
        assert!(in_file(&e[0], &s.scn, "scenario.toml"), "{}", e[0]);
        assert_eq!(e[0].row, Some(line), "{text}: {}", e[0]);
        assert!(!e[0].hint.is_empty(), "{}", e[0]);
    }
}

#[test]
fn a_missing_scenario_or_base_is_an_error_not_a_panic() {
    let s = setup(&base_bundle(), &[]);
    let e = errors(&s);
    assert_eq!(e[0].code, "E0501");
    let missing = s.base.join("nope");
    assert!(scenario::load(&missing, &s.scn).is_err());
}

#[test]
fn garbage_never_panics() {
    let garbage: [&[u8]; 8] = [
        b"",
        b"\xff\xfe\x00\x00",
        b"\"",
        b"id\n\"\n",
        b"id,id\nA,A\n",
        b"from,to\n,\n;;;\n",
        b"\x00\x01\x02",
        b"id,school\n\xcf\xf0\xe8\xe2\xe5\xf2,A\n",
    ];
    let tomls: [&[u8]; 5] = [
        b"",
        b"[remove]\nschools = [1, [2]]\nlinks = [[\"A\"], [\"A\", 2], []]\n",
        b"[settings]\nweights = 3\ntransport = { max_wait = \"x\" }\nperiods = []\n",
        b"name = 5\nremove = 1\nsettings = [1]\n",
        b"\xff\xfe",
    ];
    for t in tomls {
        for g in garbage {
            let files: Vec<(&str, &[u8])> = vec![
                ("scenario.toml", t),
                ("schools.csv", g),
                ("links.csv", g),
                ("students.csv", g),
                ("vehicles.csv", g),
            ];
            let s = setup(&base_bundle(), &files);
            let _ = scenario::load(&s.base, &s.scn);
        }
    }
}

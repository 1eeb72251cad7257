//! The pins of SPEC §8: `pinned_groups.csv` and `pinned_students.csv` read, validated
//! against the network (codes E07xx, each naming file, line and column), written back
//! and carried through a workbook; `profnet validate` refuses a bad pin with exit 2.

mod common;

use std::path::Path;

use profnet::diag::Diagnostic;
use profnet::input::{load, load_from_memory};
use profnet::model::Network;

use common::profnet;

const NETWORK: &str = "name = \"pins\"\nday_start = \"08:00\"\nday_end = \"17:00\"\n\
periods = [\"09:00-09:45\", \"09:55-10:40\", \"11:00-11:45\", \"11:55-12:40\"]\n\
min_group = 5\nmax_group = 25\nwants = 2\n";
const SCHOOLS: &str = "id,name\nA,School A\nB,School B\nC,School C\n";
// C is four hours from B: nobody gets there in the morning and back.
const LINKS: &str = "from,to,minutes\nA,B,10\nB,C,240\n";
const ROOMS: &str = "school,id,capacity,kind,periods\n\
A,A-R1,25,general,\nA,A-LAB,12,lab,\nA,A-R2,6,general,1 2\nB,B-R1,25,general,\nC,C-R1,25,general,\n";
const COURSES: &str = "id,name,periods,room_kind,min_group,max_group,distance,grades\n\
MATH,Math,1,general,,,no,\nPHYS,Physics,2,lab,,,no,\nECON,Economics,1,general,,6,yes,\n\
ART,Art,1,general,20,,no,\nOLD,Seniors,1,general,,,no,11\n";
const TEACHERS: &str = "id,name,school,courses,max_periods,travels,periods\n\
T1,One,A,MATH,,yes,\nT2,Two,B,ECON,1,yes,\nT3,Three,A,PHYS,,yes,1 2\nT4,Four,B,MATH,,no,\n\
T5,Five,A,MATH ECON,,yes,\n";

fn students() -> String {
    let mut s = String::from("id,school,grade,choice_1,choice_2,choice_3\n");
    for i in 1..=12 {
        s += &format!("X{i:03},A,10,MATH,PHYS,ECON\n");
    }
    for i in 1..=6 {
        s += &format!("Y{i:03},B,11,MATH,OLD,\n");
    }
    for i in 1..=6 {
        s += &format!("Z{i:03},C,10,MATH,ECON,\n");
    }
    for i in 1..=5 {
        s += &format!("W{i:03},A,10,ART,,\n");
    }
    // Chose a course for grade 11 only (a warning, W0343).
    s += "V001,A,10,OLD,,\n";
    s
}

/// Pins that every rule allows.
const GOOD_GROUPS: &str = "course,school,first_period,room,teacher,mode,id\n\
MATH,A,1,A-R1,T1,in_person,M1\nPHYS,A,1,A-LAB,T3,,P1\nECON,B,3,,T2,distance,E1\n";
const GOOD_STUDENTS: &str =
    "student,course,group\nX001,MATH,M1\nX002,PHYS,P1\nX001,ECON,E1\nY001,MATH,\n";

/// The bundle's files with the pin files given (`None`: the file is absent).
fn files(groups: Option<&str>, pinned: Option<&str>) -> Vec<(String, Vec<u8>)> {
    let mut f: Vec<(String, Vec<u8>)> = [
        ("network.toml", NETWORK.to_string()),
        ("schools.csv", SCHOOLS.to_string()),
        ("links.csv", LINKS.to_string()),
        ("rooms.csv", ROOMS.to_string()),
        ("courses.csv", COURSES.to_string()),
        ("teachers.csv", TEACHERS.to_string()),
        ("students.csv", students()),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t.into_bytes()))
    .collect();
    if let Some(g) = groups {
        f.push(("pinned_groups.csv".into(), g.as_bytes().to_vec()));
    }
    if let Some(s) = pinned {
        f.push(("pinned_students.csv".into(), s.as_bytes().to_vec()));
    }
    f
}

fn load_pins(
    groups: Option<&str>,
    pinned: Option<&str>,
) -> Result<(Network, Vec<Diagnostic>), Vec<Diagnostic>> {
    let f = files(groups, pinned);
    let refs: Vec<(&str, &[u8])> = f.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    load_from_memory(&refs).map_err(|e| e.0)
}

fn write_dir(dir: &Path, groups: Option<&str>, pinned: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in files(groups, pinned) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// The errors of a bundle with these pins (it must not load).
fn errors(groups: &str, pinned: &str) -> Vec<Diagnostic> {
    match load_pins(Some(groups), Some(pinned)) {
        Ok(_) => panic!("the pins loaded:\n{groups}\n{pinned}"),
        Err(d) => d.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

/// Exactly one error, with this code, file, line and column; its message contains
/// `says`.
fn only(diags: &[Diagnostic], code: &str, file: &str, line: usize, column: &str, says: &str) {
    let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(diags.len(), 1, "{code}: {shown:#?}");
    let d = &diags[0];
    assert_eq!(
        (d.code, d.file.as_str(), d.row, d.column.as_deref()),
        (code, file, Some(line), Some(column)),
        "{}",
        d
    );
    assert!(
        d.message.contains(says),
        "{code}: «{}» lacks «{says}»",
        d.message
    );
    assert!(!d.hint.is_empty(), "{code} has no hint");
}

const NO_STUDENTS: &str = "student,course,group\n";
const G: &str = "pinned_groups.csv";
const S: &str = "pinned_students.csv";

fn groups(rows: &str) -> String {
    format!("course,school,first_period,room,teacher,mode,id\n{rows}")
}

#[test]
fn good_pins_load_with_every_attribute() {
    let (net, warnings) = load_pins(Some(GOOD_GROUPS), Some(GOOD_STUDENTS)).unwrap();
    assert!(
        warnings
            .iter()
            .all(|d| d.code == "W0343" || d.code == "W0321"),
        "{warnings:?}"
    );
    let p = &net.pins;
    assert_eq!(p.groups.len(), 3);
    assert_eq!(p.students.len(), 4);
    let m1 = &p.groups[0];
    assert_eq!(m1.id.as_deref(), Some("M1"));
    assert_eq!(m1.line, 2);
    assert_eq!(net.courses[m1.course.idx()].id, "MATH");
    assert_eq!(net.schools[m1.school.idx()].id, "A");
    assert_eq!(m1.first, 0, "first_period 1 is period 0");
    assert_eq!(net.rooms[m1.room.unwrap().idx()].id, "A-R1");
    assert_eq!(net.teachers[m1.teacher.unwrap().idx()].id, "T1");
    assert_eq!(m1.distance, Some(false));
    assert_eq!(
        (p.groups[1].distance, p.groups[1].room.is_some()),
        (None, true)
    );
    assert_eq!(p.groups[2].distance, Some(true));
    assert_eq!(p.groups[2].room, None);
    let x1 = &p.students[2];
    assert_eq!(net.students[x1.student.idx()].id, "X001");
    assert_eq!(net.courses[x1.course.idx()].id, "ECON");
    assert_eq!((x1.group, x1.line), (Some(2), 4));
    assert_eq!(p.students[3].group, None);

    // Without pin files, or with headers only, there are no pins.
    assert!(load_pins(None, None).unwrap().0.pins.is_empty());
    let (net, _) = load_pins(Some(&groups("")), Some(NO_STUDENTS)).unwrap();
    assert!(net.pins.is_empty());
    // Only students, only groups; a semicolon file with columns in another order and an
    // unknown column (a warning).
    let (net, _) = load_pins(None, Some("student,course\nX001,MATH\n")).unwrap();
    assert_eq!((net.pins.groups.len(), net.pins.students.len()), (0, 1));
    let (net, warnings) = load_pins(
        Some("school;first_period;course;note\nA;2;MATH;agreed in May\n"),
        None,
    )
    .unwrap();
    assert_eq!(net.pins.groups.len(), 1);
    assert_eq!(net.pins.groups[0].first, 1);
    assert!(
        warnings
            .iter()
            .any(|d| d.code == "W0201" && d.file == G && d.column.as_deref() == Some("note")),
        "{warnings:?}"
    );
}

#[test]
fn pins_round_trip_through_write_bundle_and_a_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let (net, _) = load_pins(Some(GOOD_GROUPS), Some(GOOD_STUDENTS)).unwrap();
    let out = tmp.path().join("written");
    std::fs::create_dir(&out).unwrap();
    profnet::input::write::write_bundle(&net, &out).unwrap();
    assert!(out.join(G).is_file() && out.join(S).is_file());
    let (again, _) = load(&out).unwrap();
    assert_eq!(again.pins, net.pins);

    // No pins, no pin files.
    let (plain, _) = load_pins(None, None).unwrap();
    let out = tmp.path().join("plain");
    std::fs::create_dir(&out).unwrap();
    profnet::input::write::write_bundle(&plain, &out).unwrap();
    assert!(!out.join(G).exists() && !out.join(S).exists());

    // A pinned group that students refer to gets an id when it has none.
    let mut net2 = net.clone();
    net2.pins.groups[0].id = None;
    let out = tmp.path().join("noid");
    std::fs::create_dir(&out).unwrap();
    profnet::input::write::write_bundle(&net2, &out).unwrap();
    let (again, _) = load(&out).unwrap();
    assert_eq!(again.pins.groups[0].id.as_deref(), Some("pin_1"));
    assert_eq!(again.pins.students, net.pins.students);

    // Directory → workbook → the same pins; a directory written from the workbook too.
    let dir = tmp.path().join("dir");
    write_dir(&dir, Some(GOOD_GROUPS), Some(GOOD_STUDENTS));
    let book = tmp.path().join("pins.xlsx");
    let (code, _, stderr) = profnet(&["convert", s(&dir), "--to", s(&book)]);
    assert_eq!(code, 0, "{stderr}");
    let (from_book, _) = load(&book).unwrap();
    assert_eq!(from_book.pins, net.pins);
    let back = tmp.path().join("back");
    let (code, _, stderr) = profnet(&["convert", s(&book), "--to", s(&back)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(load(&back).unwrap().0.pins, net.pins);
}

#[test]
fn a_bad_pin_in_a_workbook_names_its_sheet_row_and_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dir");
    write_dir(
        &dir,
        Some(&groups("MATH,A,1,A-R1,T1,in_person,M1\nMATH,A,9,,,,\n")),
        Some("student,course,group\nX001,MATH,M9\n"),
    );
    let book = tmp.path().join("bad.xlsx");
    let (code, _, stderr) = profnet(&["convert", s(&dir), "--to", s(&book)]);
    assert_eq!(code, 0, "{stderr}");
    let diags: Vec<Diagnostic> = load(&book).unwrap_err().0;
    let at = |code: &str| {
        let d = diags.iter().find(|d| d.code == code).expect(code);
        (d.sheet.clone(), d.row, d.cell.clone())
    };
    assert_eq!(
        at("E0702"),
        (Some("pinned_groups".into()), Some(3), Some("C3".into()))
    );
    assert_eq!(
        at("E0207"),
        (Some("pinned_students".into()), Some(2), Some("C2".into()))
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn validate_refuses_a_bad_pin_with_exit_2_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    write_dir(
        &dir,
        Some(&groups("MATH,A,1,A-R1,T1,in_person,M1\nMATH,A,2,,T3,,\n")),
        Some(
            GOOD_STUDENTS
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join("\n")
                .as_str(),
        ),
    );
    let (code, stdout, stderr) = profnet(&["validate", s(&dir)]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("E0707")
            && all.contains("pinned_groups.csv, line 3, column 'teacher'")
            && all.contains("cannot teach"),
        "{all}"
    );
    // The good pins validate.
    let good = tmp.path().join("good");
    write_dir(&good, Some(GOOD_GROUPS), Some(GOOD_STUDENTS));
    let (code, stdout, stderr) = profnet(&["validate", s(&good)]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}

// ---- one test per kind of bad pin ------------------------------------------------------

#[test]
fn unknown_ids_are_e0207() {
    for (rows, column, says) in [
        ("NOPE,A,1,,,,", "course", "unknown course 'NOPE'"),
        ("MATH,Q,1,,,,", "school", "unknown school 'Q'"),
        ("MATH,A,1,A-R9,,,", "room", "unknown room 'A-R9'"),
        ("MATH,A,1,,T9,,", "teacher", "unknown teacher 'T9'"),
    ] {
        only(
            &errors(&groups(rows), NO_STUDENTS),
            "E0207",
            G,
            2,
            column,
            says,
        );
    }
    let e = errors(&groups("math,A,1,,,,"), NO_STUDENTS);
    assert!(e[0].hint.contains("did you mean 'MATH'"), "{}", e[0]);
    only(
        &errors(
            GOOD_GROUPS,
            "student,course,group\nX001,MATH,M1\nX999,MATH,\n",
        ),
        "E0207",
        S,
        3,
        "student",
        "unknown student 'X999'",
    );
    only(
        &errors(GOOD_GROUPS, "student,course,group\nX001,NOPE,\n"),
        "E0207",
        S,
        2,
        "course",
        "unknown course 'NOPE'",
    );
    only(
        &errors(GOOD_GROUPS, "student,course,group\nX001,MATH,M7\n"),
        "E0207",
        S,
        2,
        "group",
        "unknown pinned group 'M7'",
    );
    // No pinned_groups.csv at all: every group reference is unknown.
    let e: Vec<Diagnostic> = load_pins(None, Some("student,course,group\nX001,MATH,M1\n"))
        .unwrap_err()
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    only(&e, "E0207", S, 2, "group", "unknown pinned group 'M1'");
    assert!(e[0].hint.contains("add pinned_groups.csv"), "{}", e[0]);
}

#[test]
fn cells_are_read_like_every_bundle_file() {
    only(
        &errors(&groups(",A,1,,,,"), NO_STUDENTS),
        "E0201",
        G,
        2,
        "course",
        "'course' is empty",
    );
    only(
        &errors(&groups("MATH,A,first,,,,"), NO_STUDENTS),
        "E0203",
        G,
        2,
        "first_period",
        "not a whole number",
    );
    // A required column missing.
    let e = errors("course,school\nMATH,A\n", NO_STUDENTS);
    assert!(
        e.iter()
            .any(|d| d.code == "E0002" && d.column.as_deref() == Some("first_period")),
        "{e:?}"
    );
}

#[test]
fn a_pin_id_used_twice_is_e0202() {
    only(
        &errors(&groups("MATH,A,1,,,,M1\nMATH,A,2,,,,M1\n"), NO_STUDENTS),
        "E0202",
        G,
        3,
        "id",
        "already used on line 2",
    );
}

#[test]
fn a_mode_that_is_neither_is_e0701() {
    only(
        &errors(&groups("ECON,B,1,,,online,"), NO_STUDENTS),
        "E0701",
        G,
        2,
        "mode",
        "'online'",
    );
}

#[test]
fn a_first_period_outside_the_day_is_e0702() {
    for p in ["0", "5"] {
        only(
            &errors(&groups(&format!("MATH,A,{p},,,,")), NO_STUDENTS),
            "E0702",
            G,
            2,
            "first_period",
            "not a period of the day (1..=4)",
        );
    }
}

#[test]
fn a_course_that_does_not_fit_from_first_period_is_e0703() {
    only(
        &errors(&groups("PHYS,A,4,A-LAB,,,"), NO_STUDENTS),
        "E0703",
        G,
        2,
        "first_period",
        "takes 2 consecutive periods",
    );
}

#[test]
fn a_room_at_another_school_is_e0704() {
    only(
        &errors(&groups("MATH,A,1,B-R1,,,"), NO_STUDENTS),
        "E0704",
        G,
        2,
        "room",
        "at school 'B'",
    );
}

#[test]
fn a_room_of_the_wrong_kind_is_e0705() {
    only(
        &errors(&groups("MATH,A,1,A-LAB,,,"), NO_STUDENTS),
        "E0705",
        G,
        2,
        "room",
        "'lab' room",
    );
}

#[test]
fn a_room_not_available_is_e0706() {
    only(
        &errors(&groups("MATH,A,3,A-R2,,,"), NO_STUDENTS),
        "E0706",
        G,
        2,
        "room",
        "period(s) 3",
    );
}

#[test]
fn a_teacher_who_cannot_teach_the_course_is_e0707() {
    only(
        &errors(&groups("MATH,A,1,,T3,,"), NO_STUDENTS),
        "E0707",
        G,
        2,
        "teacher",
        "cannot teach course 'MATH'",
    );
}

#[test]
fn a_teacher_not_available_is_e0708() {
    only(
        &errors(&groups("PHYS,A,2,A-LAB,T3,,"), NO_STUDENTS),
        "E0708",
        G,
        2,
        "teacher",
        "period(s) 3",
    );
}

#[test]
fn a_teacher_who_does_not_travel_pinned_away_is_e0709() {
    only(
        &errors(&groups("MATH,A,1,,T4,,"), NO_STUDENTS),
        "E0709",
        G,
        2,
        "teacher",
        "travels = no",
    );
}

#[test]
fn distance_for_a_course_without_it_is_e0710() {
    only(
        &errors(&groups("MATH,A,1,,,distance,"), NO_STUDENTS),
        "E0710",
        G,
        2,
        "mode",
        "may not be taught remotely",
    );
}

#[test]
fn one_room_pinned_twice_at_once_is_e0711() {
    only(
        &errors(
            &groups("MATH,A,1,A-R1,T1,,\nECON,A,1,A-R1,T5,,\n"),
            NO_STUDENTS,
        ),
        "E0711",
        G,
        3,
        "room",
        "pinned on line 2",
    );
    // One after the other is fine.
    load_pins(
        Some(&groups("MATH,A,1,A-R1,T1,,\nECON,A,2,A-R1,T5,,\n")),
        Some(NO_STUDENTS),
    )
    .unwrap();
}

#[test]
fn one_teacher_pinned_twice_at_once_is_e0712() {
    only(
        &errors(
            &groups("MATH,A,1,A-R1,T5,,\nECON,A,1,A-R2,T5,,\n"),
            NO_STUDENTS,
        ),
        "E0712",
        G,
        3,
        "teacher",
        "pinned on line 2",
    );
}

#[test]
fn a_teacher_pinned_past_max_periods_is_e0713() {
    only(
        &errors(&groups("ECON,B,1,,T2,,\nECON,B,2,,T2,,\n"), NO_STUDENTS),
        "E0713",
        G,
        3,
        "teacher",
        "at most 1 period(s)",
    );
}

#[test]
fn a_course_the_student_did_not_choose_is_e0714() {
    only(
        &errors(GOOD_GROUPS, "student,course,group\nY001,PHYS,\n"),
        "E0714",
        S,
        2,
        "course",
        "did not choose course 'PHYS'",
    );
}

#[test]
fn a_course_that_does_not_admit_the_grade_is_e0715() {
    only(
        &errors(GOOD_GROUPS, "student,course,group\nV001,OLD,\n"),
        "E0715",
        S,
        2,
        "course",
        "grade 10",
    );
}

#[test]
fn a_student_pinned_twice_to_one_course_is_e0716() {
    only(
        &errors(
            GOOD_GROUPS,
            "student,course,group\nX003,MATH,M1\nX003,MATH,\n",
        ),
        "E0716",
        S,
        3,
        "course",
        "already pinned to course 'MATH' on line 2",
    );
}

#[test]
fn a_student_in_a_group_of_another_course_is_e0717() {
    only(
        &errors(GOOD_GROUPS, "student,course,group\nX002,MATH,P1\n"),
        "E0717",
        S,
        2,
        "group",
        "a group of course 'PHYS'",
    );
}

#[test]
fn more_students_than_a_group_holds_is_e0718() {
    // The room seats 6.
    let mut pinned = String::from("student,course,group\n");
    for i in 1..=7 {
        pinned += &format!("X{i:03},MATH,M2\n");
    }
    only(
        &errors(&groups("MATH,A,1,A-R2,,in_person,M2\n"), &pinned),
        "E0718",
        S,
        8,
        "group",
        "its room 'A-R2' seats 6",
    );
    // ECON's max_group is 6 (a distance group: its room's seats do not count).
    let pinned = pinned.replace("MATH,M2", "ECON,E2");
    only(
        &errors(&groups("ECON,A,1,A-R2,,distance,E2\n"), &pinned),
        "E0718",
        S,
        8,
        "group",
        "max_group 6",
    );
}

#[test]
fn more_pinned_courses_than_wanted_is_e0719() {
    only(
        &errors(
            GOOD_GROUPS,
            "student,course,group\nX003,MATH,\nX003,PHYS,\nX003,ECON,\n",
        ),
        "E0719",
        S,
        4,
        "student",
        "takes 2 elective(s)",
    );
}

#[test]
fn two_pinned_groups_of_a_student_at_once_is_e0720() {
    only(
        &errors(
            GOOD_GROUPS,
            "student,course,group\nX003,MATH,M1\nX003,PHYS,P1\n",
        ),
        "E0720",
        S,
        3,
        "group",
        "pinned on line 2 to group 'M1'",
    );
}

#[test]
fn a_group_too_few_students_could_join_is_e0721() {
    only(
        &errors(&groups("ART,A,1,,,,"), NO_STUDENTS),
        "E0721",
        G,
        2,
        "course",
        "only 5 student(s) chose course 'ART'",
    );
    // 24 chose MATH, minimum 5: four groups can open, the fifth cannot.
    only(
        &errors(
            &groups("MATH,A,1,,,,\nMATH,A,2,,,,\nMATH,A,3,,,,\nMATH,A,4,,,,\nMATH,B,1,,,,\n"),
            NO_STUDENTS,
        ),
        "E0721",
        G,
        6,
        "course",
        "5 groups of course 'MATH' are pinned (lines 2, 3, 4, 5, 6)",
    );
}

#[test]
fn no_room_for_a_pinned_group_is_e0722() {
    only(
        &errors(&groups("PHYS,B,1,,,,"), NO_STUDENTS),
        "E0722",
        G,
        2,
        "school",
        "no room of kind 'lab'",
    );
    // The only lab is pinned for another group at that time.
    only(
        &errors(&groups("PHYS,A,1,A-LAB,,,\nPHYS,A,2,,,,\n"), NO_STUDENTS),
        "E0722",
        G,
        3,
        "school",
        "periods 2-3",
    );
}

#[test]
fn a_pinned_person_who_cannot_travel_there_and_back_is_e0723() {
    only(
        &errors(GOOD_GROUPS, "student,course,group\nZ001,MATH,M1\n"),
        "E0723",
        S,
        2,
        "group",
        "takes 250 min",
    );
    // The teacher of a group at C.
    only(
        &errors(&groups("ECON,C,1,,T2,distance,"), NO_STUDENTS),
        "E0723",
        G,
        2,
        "teacher",
        "from B to C",
    );
    // A distance group does not bring the student there.
    load_pins(
        Some(GOOD_GROUPS),
        Some("student,course,group\nZ001,ECON,E1\n"),
    )
    .unwrap();
}

#[test]
fn independent_problems_are_all_reported() {
    let e = errors(
        &groups("MATH,A,1,A-LAB,T3,distance,M1\n"),
        "student,course,group\nY001,PHYS,\nV001,OLD,\n",
    );
    let mut codes: Vec<&str> = e.iter().map(|d| d.code).collect();
    codes.sort();
    assert_eq!(
        codes,
        ["E0705", "E0707", "E0710", "E0714", "E0715"],
        "{e:?}"
    );
}

// ---- the optimiser keeps the pins --------------------------------------------------------

/// Rows of a CSV file as maps from column to cell.
fn table(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn solve_keeps_every_pin_and_check_confirms_rule_9() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    write_dir(&dir, Some(GOOD_GROUPS), Some(GOOD_STUDENTS));
    let plan = tmp.path().join("plan");
    let (code, stdout, stderr) = profnet(&[
        "solve",
        s(&dir),
        "--out",
        s(&plan),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let groups = table(&plan.join("groups.csv"));
    let find = |course: &str, school: &str, first: &str| {
        groups
            .iter()
            .find(|g| g["course"] == course && g["school"] == school && g["first_period"] == first)
            .unwrap_or_else(|| {
                panic!("no {course} group at {school} in period {first}: {groups:?}")
            })
    };
    let m1 = find("MATH", "A", "1");
    assert_eq!(
        (
            m1["room"].as_str(),
            m1["teacher"].as_str(),
            m1["mode"].as_str()
        ),
        ("A-R1", "T1", "in_person")
    );
    let p1 = find("PHYS", "A", "1");
    assert_eq!(
        (p1["room"].as_str(), p1["teacher"].as_str()),
        ("A-LAB", "T3")
    );
    let e1 = find("ECON", "B", "3");
    assert_eq!(
        (e1["teacher"].as_str(), e1["mode"].as_str()),
        ("T2", "distance")
    );
    let assigned = table(&plan.join("assignments.csv"));
    let in_group = |student: &str, group: &str| {
        assigned
            .iter()
            .any(|a| a["student"] == student && a["group"] == group)
    };
    assert!(
        in_group("X001", &m1["group"]),
        "X001 not in the pinned MATH group"
    );
    assert!(
        in_group("X002", &p1["group"]),
        "X002 not in the pinned PHYS group"
    );
    assert!(
        in_group("X001", &e1["group"]),
        "X001 not in the pinned ECON group"
    );
    let math_groups: Vec<&String> = groups
        .iter()
        .filter(|g| g["course"] == "MATH")
        .map(|g| &g["group"])
        .collect();
    assert!(
        math_groups.iter().any(|g| in_group("Y001", g)),
        "Y001 takes no MATH"
    );
    // summary.json says which bound the gap is measured against.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan.join("summary.json")).unwrap()).unwrap();
    let kind = summary["bound_kind"].as_str().unwrap();
    assert!(
        [
            "reachable_choices",
            "relaxation_at_limit",
            "relaxation_optimal"
        ]
        .contains(&kind),
        "{summary}"
    );
    // The independent checker, rule 9 included.
    let (code, stdout, stderr) = profnet(&["check", s(&dir), s(&plan)]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("keeps the pins"), "{stdout}");
}

#[test]
fn pins_no_plan_can_fill_are_e0799_and_nothing_is_written() {
    // Four pinned MATH groups need 4 × 5 students; 24 chose MATH, but the six at C live
    // four hours away: at most 18 can come, so one pinned group stays short.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    write_dir(
        &dir,
        Some(&groups(
            "MATH,A,1,A-R1,T1,in_person,M1\nMATH,A,2,A-R2,T5,in_person,M2\n\
             MATH,B,1,B-R1,T4,in_person,M3\nMATH,B,2,B-R1,T4,in_person,M4\n",
        )),
        Some(NO_STUDENTS),
    );
    let (code, stdout, stderr) = profnet(&["validate", s(&dir)]);
    assert_eq!(code, 0, "the pins themselves are valid: {stdout}\n{stderr}");
    let plan = tmp.path().join("plan");
    let (code, stdout, stderr) = profnet(&[
        "solve",
        s(&dir),
        "--out",
        s(&plan),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("E0799")
            && stderr.contains("pinned_groups.csv, line")
            && stderr.contains("minimum"),
        "{stderr}"
    );
    assert!(!plan.exists(), "a plan was written");
}

#[test]
fn a_generated_network_with_buses_keeps_a_third_of_its_plan_pinned() {
    use profnet::input::generate::{generate, Family, GenParams};
    use profnet::model::{PinnedGroup, PinnedStudent};
    use profnet::solve::{solve, SolveOptions};
    let mut net = generate(&GenParams {
        family: Family::Rural,
        schools: 8,
        students: 300,
        courses: 10,
        seed: 5,
        fleet: true,
    });
    let opts = SolveOptions {
        time_limit: 20.0,
        ..SolveOptions::default()
    };
    let first = solve(&net, &opts, &|_| {});
    // Every third group with all its attributes, and every other member of it.
    for (i, g) in first
        .plan
        .groups
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
    {
        let k = net.pins.groups.len();
        net.pins.groups.push(PinnedGroup {
            id: Some(format!("P{i}")),
            line: k + 2,
            course: g.course,
            school: g.school,
            first: g.first,
            room: Some(g.room),
            teacher: Some(g.teacher),
            distance: Some(g.mode == profnet::plan::Mode::Distance),
        });
        for &m in g.members.iter().step_by(2) {
            net.pins.students.push(PinnedStudent {
                line: net.pins.students.len() + 2,
                student: m,
                course: g.course,
                group: Some(k),
            });
        }
    }
    assert!(!net.pins.students.is_empty());
    let again = solve(
        &net,
        &SolveOptions {
            start: Some(first.plan.clone()),
            ..opts
        },
        &|_| {},
    );
    let broken = profnet::solve::pins::broken(&net, &again.plan);
    assert!(broken.is_empty(), "{broken:#?}");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let tt = profnet::graph::TravelTimes::new(&net);
    profnet::planfile::write::write_dir_atomically(&out, |d| {
        profnet::planfile::write::write_plan_files(&net, &tt, &again, d)
    })
    .unwrap();
    let violations = profnet::check::check_plan_dir(&net, &out).unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_scenario_keeps_its_bases_pins_unless_it_has_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base");
    write_dir(&base, Some(GOOD_GROUPS), Some(GOOD_STUDENTS));
    let scn = tmp.path().join("scn");
    std::fs::create_dir_all(&scn).unwrap();
    std::fs::write(
        scn.join("scenario.toml"),
        "name = \"Меньшая группа\"\n[settings]\nmin_group = 4\n",
    )
    .unwrap();
    let s = profnet::input::scenario::load(&base, &scn).unwrap();
    assert_eq!(s.net.pins.groups.len(), 3);
    assert_eq!(s.net.pins.students.len(), 4);
    // Its own pin files replace the base's.
    std::fs::write(scn.join("pinned_groups.csv"), groups("MATH,A,2,,,,M9\n")).unwrap();
    std::fs::write(
        scn.join("pinned_students.csv"),
        "student,course,group\nX003,MATH,M9\n",
    )
    .unwrap();
    let s = profnet::input::scenario::load(&base, &scn).unwrap();
    assert_eq!(s.net.pins.groups.len(), 1);
    assert_eq!(s.net.pins.groups[0].id.as_deref(), Some("M9"));
    assert_eq!(s.net.pins.students.len(), 1);
}

//! The independent plan checker (SPEC §3 rules 1–7): a hand-built network and plan that
//! obey every rule, then the same plan broken once per rule.

use std::fs;
use std::path::Path;

use profnet::check::{
    check_plan, check_plan_dir, check_plan_with_routes, shortest_travel, Violation,
};
use profnet::model::{
    parse_hhmm, Course, CourseId, KindId, Link, Network, PeriodSet, PeriodTime, Room, School,
    SchoolId, SchoolKind, Student, Teacher,
};
use profnet::planfile::{PlanGroupRow, RouteLegRow};

// ---------------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------------

const MATH: usize = 0;
const CHEM: usize = 1;
const INF: usize = 2;
const HIST: usize = 3;
const S1: usize = 0;
const S2: usize = 1;
const S3: usize = 2;
const T1: usize = 0;
const T2: usize = 1;
const T3: usize = 2;

fn t(s: &str) -> u32 {
    parse_hhmm(s).unwrap()
}

/// Periods `a..=b` (1-based) as a set.
fn periods(a: usize, b: usize) -> PeriodSet {
    let mut s = PeriodSet::default();
    for p in a..=b {
        s.insert(p - 1);
    }
    s
}

fn student(id: String, school: usize, grade: u32, wants: usize, choices: &[usize]) -> Student {
    Student {
        id,
        school: SchoolId::from(school),
        grade,
        wants,
        choices: choices.iter().map(|&c| CourseId::from(c)).collect(),
    }
}

/// Three schools: S1 –20– S2 –15– S3 and a slow direct S1 –50– S3 (so S1→S3 is 35 via
/// S2). Seven periods 09:00…15:35, day 08:00–17:00.
fn network() -> Network {
    let school = |id: &str| School {
        id: id.into(),
        name: format!("School {id}"),
        kind: SchoolKind::School,
        lat: None,
        lon: None,
        priority: 1.0,
    };
    let link = |a: usize, b: usize, minutes: u32| Link {
        a: SchoolId::from(a),
        b: SchoolId::from(b),
        minutes,
        mode: String::new(),
    };
    let period = |a: &str, b: &str| PeriodTime {
        start: t(a),
        end: t(b),
    };
    let room = |id: &str, s: usize, capacity: u32, kind: u32, p: PeriodSet| Room {
        id: id.into(),
        school: SchoolId::from(s),
        capacity,
        kind: KindId(kind),
        periods: p,
    };
    let course = |id: &str, periods: usize, kind: u32, min: u32, max: u32, distance: bool| Course {
        id: id.into(),
        name: format!("Course {id}"),
        periods,
        room_kind: KindId(kind),
        min_group: min,
        max_group: max,
        distance,
        grades: None,
    };
    let teacher =
        |id: &str, s: usize, cs: &[usize], max: usize, travels: bool, p: PeriodSet| Teacher {
            id: id.into(),
            name: format!("Teacher {id}"),
            school: SchoolId::from(s),
            courses: cs.iter().map(|&c| CourseId::from(c)).collect(),
            max_periods: max,
            travels,
            periods: p,
        };
    let mut chem = course("CHEM", 2, 1, 4, 12, false);
    chem.grades = Some(vec![11]);
    let mut students = Vec::new();
    let mut add =
        |from: usize, to: usize, school: usize, grade: u32, wants: usize, ch: &[usize]| {
            for i in from..=to {
                students.push(student(format!("P{i:02}"), school, grade, wants, ch));
            }
        };
    add(1, 8, S1, 11, 2, &[MATH, CHEM]);
    add(9, 12, S1, 10, 2, &[MATH, INF]);
    add(13, 16, S3, 10, 2, &[INF, HIST]);
    add(17, 20, S2, 11, 2, &[HIST, MATH]);
    add(21, 22, S2, 11, 1, &[MATH, HIST, CHEM]);
    add(23, 25, S2, 10, 2, &[CHEM, HIST]);
    Network {
        name: "checker fixture".into(),
        day_start: t("08:00"),
        day_end: t("17:00"),
        periods: vec![
            period("09:00", "09:45"),
            period("09:55", "10:40"),
            period("11:00", "11:45"),
            period("11:55", "12:40"),
            period("13:00", "13:45"),
            period("13:55", "14:40"),
            period("14:50", "15:35"),
        ],
        min_group: 10,
        max_group: 25,
        wants: 2,
        schools: vec![school("S1"), school("S2"), school("S3")],
        links: vec![link(S1, S2, 20), link(S2, S3, 15), link(S1, S3, 50)],
        rooms: vec![
            room("S1-R1", S1, 25, 0, PeriodSet::all(7)),
            room("S1-LAB", S1, 12, 1, periods(1, 4)),
            room("S2-R1", S2, 20, 0, PeriodSet::all(7)),
            room("S3-R1", S3, 15, 0, periods(3, 7)),
        ],
        courses: vec![
            course("MATH", 1, 0, 5, 25, false),
            chem,
            course("INF", 1, 0, 3, 20, true),
            course("HIST", 1, 0, 3, 15, false),
        ],
        teachers: vec![
            teacher("T1", S1, &[MATH, CHEM], 4, false, PeriodSet::all(7)),
            teacher("T2", S2, &[INF, HIST], 7, true, periods(1, 5)),
            teacher("T3", S3, &[MATH, HIST], 7, true, PeriodSet::all(7)),
        ],
        students,
        vehicles: Vec::new(),
        tuning: Default::default(),
        closed: Vec::new(),
        pins: Default::default(),
        kinds: vec!["general".into(), "lab".into()],
    }
}

#[allow(clippy::too_many_arguments)]
fn group(
    g: &str,
    course: &str,
    school: &str,
    room: &str,
    teacher: &str,
    first: usize,
    periods: usize,
    mode: &str,
    size: usize,
) -> PlanGroupRow {
    PlanGroupRow {
        line: 0,
        group: g.into(),
        course: course.into(),
        school: school.into(),
        room: room.into(),
        teacher: teacher.into(),
        first_period: first,
        periods,
        mode: mode.into(),
        size,
    }
}

fn leg(
    person: &str,
    role: &str,
    n: usize,
    from: &str,
    to: &str,
    dep: &str,
    arr: &str,
) -> RouteLegRow {
    RouteLegRow {
        person: person.into(),
        role: role.into(),
        leg: n,
        from: from.into(),
        to: to.into(),
        depart: t(dep),
        arrive: t(arr),
        vehicle: String::new(),
    }
}

#[derive(Clone)]
struct Plan {
    groups: Vec<PlanGroupRow>,
    assignments: Vec<(String, String)>,
    routes: Vec<RouteLegRow>,
}

impl Plan {
    fn assign(&mut self, student: &str, group: &str) {
        self.assignments.push((student.into(), group.into()));
    }

    fn unassign(&mut self, student: &str, group: &str) {
        self.assignments
            .retain(|(s, g)| !(s == student && g == group));
    }

    fn group_mut(&mut self, id: &str) -> &mut PlanGroupRow {
        self.groups.iter_mut().find(|g| g.group == id).unwrap()
    }

    fn check(&self, net: &Network) -> Vec<Violation> {
        check_plan(net, &self.groups, &self.assignments)
    }

    fn check_routes(&self, net: &Network) -> Vec<Violation> {
        check_plan_with_routes(net, &self.groups, &self.assignments, &self.routes)
    }
}

/// G1 MATH at S1 period 1 (T1), G2 CHEM at S1 in the lab periods 3–4 (T1, who does not
/// travel), G3 INF taught at a distance from S2 in period 2 (T2), G4 HIST at S3 period 5
/// (T2 travels there). P17–P22 travel from S2; P23–P25 are not placed.
fn plan() -> Plan {
    let mut p = Plan {
        groups: vec![
            group("G1", "MATH", "S1", "S1-R1", "T1", 1, 1, "in_person", 18),
            group("G2", "CHEM", "S1", "S1-LAB", "T1", 3, 2, "in_person", 8),
            group("G3", "INF", "S2", "S2-R1", "T2", 2, 1, "distance", 8),
            group("G4", "HIST", "S3", "S3-R1", "T2", 5, 1, "in_person", 8),
        ],
        assignments: Vec::new(),
        routes: Vec::new(),
    };
    let ids = |a: usize, b: usize| (a..=b).map(|i| format!("P{i:02}")).collect::<Vec<_>>();
    for s in ids(1, 12).into_iter().chain(ids(17, 22)) {
        p.assign(&s, "G1");
    }
    for s in ids(1, 8) {
        p.assign(&s, "G2");
    }
    for s in ids(9, 16) {
        p.assign(&s, "G3");
    }
    for s in ids(13, 20) {
        p.assign(&s, "G4");
    }
    for s in ids(17, 20) {
        p.routes
            .push(leg(&s, "student", 1, "S2", "S1", "08:40", "09:00"));
        p.routes
            .push(leg(&s, "student", 2, "S1", "S3", "09:45", "10:20"));
        p.routes
            .push(leg(&s, "student", 3, "S3", "S2", "13:45", "14:00"));
    }
    for s in ids(21, 22) {
        p.routes
            .push(leg(&s, "student", 1, "S2", "S1", "08:40", "09:00"));
        p.routes
            .push(leg(&s, "student", 2, "S1", "S2", "09:45", "10:05"));
    }
    p.routes
        .push(leg("T2", "teacher", 1, "S2", "S3", "12:45", "13:00"));
    p.routes
        .push(leg("T2", "teacher", 2, "S3", "S2", "13:45", "14:00"));
    p
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn codes(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|x| x.code).collect()
}

fn show(v: &[Violation]) -> String {
    v.iter().map(|x| format!("\n  {x}")).collect()
}

/// Asserts that `v` has a violation with `code` (whose rule is the code's rule digit)
/// whose message contains every one of `words`; returns it.
fn expect<'a>(v: &'a [Violation], code: &str, words: &[&str]) -> &'a Violation {
    let rule = code[2..3].parse::<u8>().unwrap();
    let found = v
        .iter()
        .find(|x| x.code == code && words.iter().all(|w| x.message.contains(w)));
    let x = found.unwrap_or_else(|| panic!("no {code} with {words:?} in:{}", show(v)));
    assert_eq!(x.rule, rule, "{x}");
    x
}

/// Asserts that every violation in `v` has one of `codes` (and there is at least one).
fn only(v: &[Violation], allowed: &[&str]) {
    assert!(!v.is_empty(), "expected violations");
    for x in v {
        assert!(allowed.contains(&x.code), "unexpected {x}; all:{}", show(v));
    }
}

fn assert_clean(v: &[Violation]) {
    assert!(v.is_empty(), "expected no violations, got:{}", show(v));
}

// ---------------------------------------------------------------------------------------
// The valid plan
// ---------------------------------------------------------------------------------------

#[test]
fn valid_plan_has_no_violations() {
    let net = network();
    let p = plan();
    assert_eq!(p.assignments.len(), 42);
    assert_clean(&p.check(&net));
    assert_clean(&p.check_routes(&net));
}

#[test]
fn travel_is_the_shortest_path_over_undirected_links() {
    let mut net = network();
    let m = shortest_travel(&net);
    assert_eq!(m[S1][S3], Some(35), "S1→S2→S3 beats the direct 50");
    assert_eq!(m[S3][S1], Some(35));
    assert_eq!(m[S2][S2], Some(0));
    net.links.retain(|l| l.minutes != 15 && l.minutes != 50);
    let m = shortest_travel(&net);
    assert_eq!(m[S1][S3], None);
    assert_eq!(m[S3][S3], Some(0));
}

#[test]
fn violation_display() {
    let v = Violation {
        rule: 3,
        code: "C0302",
        message: "teacher T01 teaches G3 and G5 at the same time (period 2)".into(),
    };
    assert_eq!(
        v.to_string(),
        "rule 3 [C0302]: teacher T01 teaches G3 and G5 at the same time (period 2)"
    );
}

// ---------------------------------------------------------------------------------------
// Rule 1
// ---------------------------------------------------------------------------------------

#[test]
fn rule1_unknown_ids_in_groups() {
    let net = network();
    let mut p = plan();
    p.group_mut("G1").course = "ALGEBRA".into();
    p.group_mut("G2").school = "S9".into();
    p.group_mut("G3").room = "S2-R9".into();
    p.group_mut("G4").teacher = "T9".into();
    let v = p.check(&net);
    expect(&v, "C0101", &["G1", "ALGEBRA"]);
    expect(&v, "C0102", &["G2", "S9"]);
    expect(&v, "C0103", &["G3", "S2-R9"]);
    expect(&v, "C0104", &["G4", "T9"]);
    assert_eq!(v.iter().filter(|x| x.rule == 1).count(), 4, "{}", show(&v));
}

#[test]
fn rule1_unknown_student_and_group_in_assignments() {
    let net = network();
    let mut p = plan();
    p.assign("P99", "G1");
    p.assign("P23", "G7");
    let v = p.check(&net);
    expect(&v, "C0105", &["P99"]);
    expect(&v, "C0106", &["G7", "P23"]);
    only(&v, &["C0105", "C0106"]);
}

#[test]
fn rule1_duplicate_group_id() {
    let net = network();
    let mut p = plan();
    p.group_mut("G4").group = "G3".into();
    let v = p.check(&net);
    expect(&v, "C0107", &["G3"]);
}

#[test]
fn rule1_periods_differ_from_course() {
    let net = network();
    let mut p = plan();
    p.group_mut("G2").periods = 1;
    let v = p.check(&net);
    expect(&v, "C0108", &["G2", "CHEM", "2"]);
    only(&v, &["C0108"]);
}

#[test]
fn rule1_group_past_the_last_period() {
    let net = network();
    let mut p = plan();
    p.group_mut("G2").first_period = 7;
    let v = p.check(&net);
    expect(&v, "C0109", &["G2", "7-8"]);
    // The teacher still teaches 3 periods and the students' days are otherwise fine.
    only(&v, &["C0109"]);

    let mut p = plan();
    p.group_mut("G1").first_period = 0;
    expect(&p.check(&net), "C0109", &["G1"]);
}

#[test]
fn rule1_room_at_another_school() {
    let net = network();
    let mut p = plan();
    p.group_mut("G3").room = "S1-R1".into();
    let v = p.check(&net);
    expect(&v, "C0110", &["G3", "S1-R1", "S1", "S2"]);
    only(&v, &["C0110"]);
}

#[test]
fn rule1_room_of_the_wrong_kind() {
    let net = network();
    let mut p = plan();
    p.group_mut("G1").room = "S1-LAB".into();
    let v = p.check(&net);
    expect(&v, "C0111", &["G1", "S1-LAB", "lab", "general"]);
    // 18 students do not fit the 12-seat lab either.
    expect(&v, "C0204", &["G1", "S1-LAB"]);
    only(&v, &["C0111", "C0204"]);
}

#[test]
fn rule1_room_not_available() {
    let net = network();
    let mut p = plan();
    // The lab is open in periods 1-4; periods 4-5 run past it.
    p.group_mut("G2").first_period = 4;
    let v = p.check(&net);
    let x = expect(&v, "C0112", &["G2", "S1-LAB"]);
    assert!(x.message.ends_with("period(s) 5"), "{x}");
    only(&v, &["C0112"]);
}

#[test]
fn rule1_bad_mode() {
    let net = network();
    let mut p = plan();
    p.group_mut("G4").mode = "online".into();
    let v = p.check(&net);
    expect(&v, "C0113", &["G4", "online"]);
    only(&v, &["C0113"]);
}

// ---------------------------------------------------------------------------------------
// Rule 2
// ---------------------------------------------------------------------------------------

#[test]
fn rule2_size_differs_from_assignments() {
    let net = network();
    let mut p = plan();
    p.group_mut("G4").size = 9;
    let v = p.check(&net);
    expect(&v, "C0201", &["G4", "9", "8"]);
    only(&v, &["C0201"]);
}

#[test]
fn rule2_below_minimum() {
    let net = network();
    let mut p = plan();
    for s in ["P04", "P05", "P06", "P07", "P08"] {
        p.unassign(s, "G2");
    }
    p.group_mut("G2").size = 3;
    let v = p.check(&net);
    expect(&v, "C0202", &["G2", "3", "CHEM", "4"]);
    only(&v, &["C0202"]);
}

#[test]
fn rule2_above_maximum() {
    let mut net = network();
    net.courses[MATH].max_group = 15;
    let v = plan().check(&net);
    expect(&v, "C0203", &["G1", "18", "MATH", "15"]);
    only(&v, &["C0203"]);
}

#[test]
fn rule2_room_capacity_only_for_in_person_groups() {
    let mut net = network();
    net.rooms[0].capacity = 10; // S1-R1 holds G1 (18, in person)
    net.rooms[2].capacity = 2; // S2-R1 holds G3 (8, distance): no problem
    let v = plan().check(&net);
    let x = expect(&v, "C0204", &["G1", "S1-R1", "10"]);
    assert!(x.message.contains("18"), "{x}");
    only(&v, &["C0204"]);
}

// ---------------------------------------------------------------------------------------
// Rule 3
// ---------------------------------------------------------------------------------------

#[test]
fn rule3_teacher_cannot_teach_the_course() {
    let net = network();
    let mut p = plan();
    p.group_mut("G3").teacher = "T3".into();
    let v = p.check(&net);
    expect(&v, "C0301", &["T3", "INF", "G3"]);
    only(&v, &["C0301"]);
}

#[test]
fn rule3_teacher_in_two_groups_at_once() {
    let net = network();
    let mut p = plan();
    p.group_mut("G3").first_period = 5;
    let v = p.check(&net);
    let x = expect(&v, "C0302", &["T2"]);
    assert_eq!(
        x.to_string(),
        "rule 3 [C0302]: teacher T2 teaches G3 and G4 at the same time (period 5)"
    );
    // P13-P16 are in both groups too.
    expect(&v, "C0504", &["P13", "G3", "G4"]);
    only(&v, &["C0302", "C0504"]);
}

#[test]
fn rule3_teacher_not_available() {
    let net = network();
    let mut p = plan();
    p.group_mut("G4").first_period = 6; // T2 works periods 1-5
    let v = p.check(&net);
    expect(&v, "C0303", &["T2", "6", "G4"]);
    only(&v, &["C0303"]);
}

#[test]
fn rule3_teacher_over_max_periods() {
    let mut net = network();
    net.teachers[T1].max_periods = 2; // G1 (1) + G2 (2) = 3
    let v = plan().check(&net);
    expect(&v, "C0304", &["T1", "3", "2"]);
    only(&v, &["C0304"]);
}

#[test]
fn rule3_non_travelling_teacher_away_from_home() {
    let mut net = network();
    net.teachers[T2].travels = false; // G4 is at S3, T2 lives at S2
    let v = plan().check(&net);
    expect(&v, "C0305", &["T2", "S2", "G4", "S3"]);
    only(&v, &["C0305"]);
}

#[test]
fn rule3_non_travelling_teacher_of_a_distance_group_is_at_the_group_school() {
    let mut net = network();
    net.teachers[T1].courses.push(CourseId::from(INF));
    let mut p = plan();
    // T1 (S1, does not travel) would teach G3 from S2.
    p.group_mut("G3").teacher = "T1".into();
    let v = p.check(&net);
    expect(&v, "C0305", &["T1", "G3", "S2"]);
}

// ---------------------------------------------------------------------------------------
// Rule 4
// ---------------------------------------------------------------------------------------

#[test]
fn rule4_room_holds_two_groups_at_once() {
    let net = network();
    let mut p = plan();
    // G5: HIST at S2 by T3 in S2-R1, where G3 is taught from in period 2.
    p.groups.push(group(
        "G5",
        "HIST",
        "S2",
        "S2-R1",
        "T3",
        2,
        1,
        "in_person",
        3,
    ));
    for s in ["P23", "P24", "P25"] {
        p.assign(s, "G5");
    }
    let v = p.check(&net);
    let x = expect(&v, "C0401", &["S2-R1", "G3", "G5"]);
    assert!(x.message.ends_with("(period 2)"), "{x}");
    only(&v, &["C0401"]);

    // One period later the room is free: the plan is valid.
    p.group_mut("G5").first_period = 3;
    assert_clean(&p.check(&net));
}

// ---------------------------------------------------------------------------------------
// Rule 5
// ---------------------------------------------------------------------------------------

#[test]
fn rule5_course_not_chosen() {
    let net = network();
    let mut p = plan();
    p.assign("P23", "G1"); // P23 chose CHEM and HIST
    p.group_mut("G1").size = 19;
    let v = p.check(&net);
    expect(&v, "C0501", &["P23", "G1", "MATH"]);
    only(&v, &["C0501"]);
}

#[test]
fn rule5_two_groups_of_one_course_and_too_many_groups() {
    let mut net = network();
    net.courses[MATH].min_group = 1;
    let mut p = plan();
    p.groups.push(group(
        "G5",
        "MATH",
        "S3",
        "S3-R1",
        "T3",
        3,
        1,
        "in_person",
        1,
    ));
    p.assign("P17", "G5");
    let v = p.check(&net);
    expect(&v, "C0502", &["P17", "MATH", "G1", "G5"]);
    expect(&v, "C0503", &["P17", "3", "2"]);
    only(&v, &["C0502", "C0503"]);
}

#[test]
fn rule5_more_groups_than_wanted() {
    let net = network();
    let mut p = plan();
    p.assign("P21", "G4"); // P21 wants 1 and is already in G1
    p.group_mut("G4").size = 9;
    let v = p.check(&net);
    expect(&v, "C0503", &["P21", "2", "1"]);
    only(&v, &["C0503"]);
}

#[test]
fn rule5_two_groups_at_once() {
    let net = network();
    let mut p = plan();
    p.group_mut("G3").first_period = 1; // clashes with G1 for P09-P12
    let v = p.check(&net);
    for s in ["P09", "P10", "P11", "P12"] {
        expect(&v, "C0504", &[s, "G1", "G3", "period 1"]);
    }
    assert_eq!(v.len(), 4, "{}", show(&v));
    only(&v, &["C0504"]);
}

#[test]
fn rule5_grade_not_admitted() {
    let mut net = network();
    net.students[0].grade = 10; // P01 in CHEM, which admits grade 11 only
    let v = plan().check(&net);
    expect(&v, "C0505", &["P01", "G2", "CHEM", "10"]);
    only(&v, &["C0505"]);
}

#[test]
fn rule5_duplicate_assignment_row() {
    let net = network();
    let mut p = plan();
    p.assign("P01", "G1");
    let v = p.check(&net);
    expect(&v, "C0506", &["P01", "G1"]);
    only(&v, &["C0506"]);
}

// ---------------------------------------------------------------------------------------
// Rule 6
// ---------------------------------------------------------------------------------------

#[test]
fn rule6_distance_mode_for_a_classroom_course() {
    let net = network();
    let mut p = plan();
    p.group_mut("G1").mode = "distance".into();
    let v = p.check(&net);
    expect(&v, "C0601", &["G1", "MATH"]);
    only(&v, &["C0601"]);

    let mut net = network();
    net.courses[INF].distance = false;
    let v = plan().check(&net);
    expect(&v, "C0601", &["G3", "INF"]);
    only(&v, &["C0601"]);
}

// ---------------------------------------------------------------------------------------
// Rule 7
// ---------------------------------------------------------------------------------------

#[test]
fn rule7_too_little_time_to_travel() {
    let mut net = network();
    // S1-S2 takes 70 now, so S2 -> S3 -> S1 (15 + 50 = 65) is the fastest way to S1:
    // P17-P22 leave S2 at 08:00 for 09:00 at S1.
    net.links[0].minutes = 70;
    let v = plan().check(&net);
    for s in ["P17", "P18", "P19", "P20", "P21", "P22"] {
        expect(
            &v,
            "C0701",
            &[&format!("student {s}"), "60 min", "65 min", "G1"],
        );
    }
    assert_eq!(v.len(), 6, "{}", show(&v));
    only(&v, &["C0701"]);
}

#[test]
fn rule7_gap_equal_to_travel_time_is_enough() {
    let mut net = network();
    net.links[0].minutes = 60; // exactly 08:00 -> 09:00
    assert_clean(&plan().check(&net));
    net.links[0].minutes = 61;
    only(&plan().check(&net), &["C0701"]);
}

#[test]
fn rule7_uses_the_shortest_path_between_groups() {
    let mut net = network();
    let mut p = plan();
    // P17-P19 go from G1 (S1, ends 09:45) to a HIST group at S3 at 11:00: a 75 min gap.
    // The direct S1-S3 link takes 100 min, the path via S2 40 + 35 = 75: just enough.
    p.groups.push(group(
        "G5",
        "HIST",
        "S3",
        "S3-R1",
        "T3",
        3,
        1,
        "in_person",
        3,
    ));
    p.unassign("P17", "G4");
    p.unassign("P18", "G4");
    p.unassign("P19", "G4");
    p.group_mut("G4").size = 5;
    for s in ["P17", "P18", "P19"] {
        p.assign(s, "G5");
    }
    net.links[2].minutes = 100;
    net.links[0].minutes = 40;
    net.links[1].minutes = 35; // S1-S3 via S2 = 75 = the gap; S3->S2 after 11:45 is fine
    assert_clean(&p.check(&net));
    net.links[1].minutes = 36; // via S2 = 76 > 75
    let v = p.check(&net);
    for s in ["P17", "P18", "P19"] {
        expect(&v, "C0701", &[s, "75 min", "76 min", "S1", "S3"]);
    }
    only(&v, &["C0701"]);
}

#[test]
fn rule7_unreachable_places_in_one_day() {
    let mut net = network();
    net.links.retain(|l| l.b.idx() != S3); // S3 cut off
    let v = plan().check(&net);
    for who in ["student P17", "student P20", "teacher T2"] {
        expect(&v, "C0702", &[who, "S3"]);
    }
    // P13-P16 live at S3 and take INF at a distance from home: not affected.
    assert!(!v.iter().any(|x| x.message.contains("P13")), "{}", show(&v));
    only(&v, &["C0702"]);
}

#[test]
fn rule7_back_home_by_day_end() {
    let mut net = network();
    net.day_end = t("13:55"); // G4 ends 13:45 at S3; S3->S2 takes 15
    let v = plan().check(&net);
    expect(&v, "C0701", &["student P17", "day end", "10 min", "15 min"]);
    expect(&v, "C0701", &["teacher T2", "day end"]);
    // P13-P16 are at home at S3: no travel, no violation.
    assert!(!v.iter().any(|x| x.message.contains("P13")), "{}", show(&v));
    only(&v, &["C0701"]);
}

#[test]
fn rule7_teacher_of_distance_group_is_at_its_school_students_stay_home() {
    let mut net = network();
    net.teachers[T3].courses.push(CourseId::from(INF));
    net.links[1].minutes = 120; // S2-S3
    net.links[2].minutes = 100; // S1-S3, so S3 -> S1 -> S2 is no shortcut
    let mut p = plan();
    // T3 (home S3) teaches G3 from S2 at 09:55: 115 min after the day starts < 120.
    p.group_mut("G3").teacher = "T3".into();
    let v = p.check(&net);
    expect(
        &v,
        "C0701",
        &["teacher T3", "115 min", "120 min", "S3", "S2"],
    );
    // G3's students (P13-P16 at S3) stay home, so the slow link does not touch them.
    only(&v, &["C0701"]);
    assert_eq!(v.len(), 1, "{}", show(&v));
}

// ---------------------------------------------------------------------------------------
// Rule 7 with routes.csv
// ---------------------------------------------------------------------------------------

#[test]
fn routes_leg_shorter_than_travel() {
    let net = network();
    let mut p = plan();
    let l = p
        .routes
        .iter_mut()
        .find(|l| l.person == "P17" && l.leg == 1)
        .unwrap();
    l.depart = t("08:50");
    let v = p.check_routes(&net);
    expect(&v, "C0703", &["P17", "leg 1", "S2", "S1", "20 min"]);
    only(&v, &["C0703"]);
}

#[test]
fn routes_leg_outside_the_day() {
    let net = network();
    let mut p = plan();
    let l = p
        .routes
        .iter_mut()
        .find(|l| l.person == "T2" && l.leg == 2)
        .unwrap();
    l.depart = t("16:50");
    l.arrive = t("17:05");
    let v = p.check_routes(&net);
    expect(&v, "C0704", &["T2", "leg 2", "17:05"]);
}

#[test]
fn routes_missing_legs() {
    let net = network();
    let mut p = plan();
    p.routes.retain(|l| l.person != "P21");
    p.routes.retain(|l| !(l.person == "T2" && l.leg == 1));
    let v = p.check_routes(&net);
    expect(&v, "C0705", &["student P21", "from S2 to S1"]);
    expect(&v, "C0705", &["student P21", "from S1 to S2"]);
    expect(&v, "C0705", &["teacher T2", "from S2 to S3"]);
    assert_eq!(v.len(), 3, "{}", show(&v));
}

#[test]
fn routes_leg_during_a_group_does_not_count() {
    let net = network();
    let mut p = plan();
    // P18 leaves S1 at 09:30, while G1 (until 09:45) still runs.
    let l = p
        .routes
        .iter_mut()
        .find(|l| l.person == "P18" && l.leg == 2)
        .unwrap();
    l.depart = t("09:30");
    l.arrive = t("10:05");
    let v = p.check_routes(&net);
    expect(&v, "C0705", &["student P18", "from S1 to S3"]);
}

#[test]
fn routes_may_chain_legs_via_another_school() {
    let net = network();
    let mut p = plan();
    // P19 goes S1 -> S2 -> S3 in two legs instead of one.
    p.routes.retain(|l| !(l.person == "P19" && l.leg == 2));
    p.routes
        .push(leg("P19", "student", 2, "S1", "S2", "09:45", "10:05"));
    p.routes
        .push(leg("P19", "student", 3, "S2", "S3", "10:05", "10:20"));
    assert_clean(&p.check_routes(&net));
    // …but a chain that ends at the wrong school does not do.
    p.routes
        .retain(|l| !(l.person == "P19" && l.leg == 3 && l.from == "S2"));
    let v = p.check_routes(&net);
    expect(&v, "C0705", &["student P19", "from S1 to S3", "S1->S2"]);
}

#[test]
fn routes_unknown_person_role_or_school() {
    let net = network();
    let mut p = plan();
    p.routes
        .push(leg("P99", "student", 1, "S2", "S1", "08:00", "08:30"));
    p.routes
        .push(leg("T2", "driver", 1, "S2", "S1", "08:00", "08:30"));
    p.routes
        .push(leg("P17", "teacher", 9, "S2", "S1", "15:00", "15:30"));
    p.routes
        .push(leg("T3", "teacher", 1, "S3", "S7", "08:00", "08:30"));
    let v = p.check_routes(&net);
    expect(&v, "C0706", &["P99"]);
    expect(&v, "C0706", &["driver"]);
    expect(&v, "C0706", &["teacher P17"]);
    expect(&v, "C0706", &["S7"]);
    only(&v, &["C0706"]);
}

// ---------------------------------------------------------------------------------------
// Reading a plan directory
// ---------------------------------------------------------------------------------------

fn write_plan(dir: &Path, p: &Plan, with_routes: bool) {
    let mut s = String::from("group,course,school,room,teacher,first_period,periods,mode,size\n");
    for g in &p.groups {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            g.group,
            g.course,
            g.school,
            g.room,
            g.teacher,
            g.first_period,
            g.periods,
            g.mode,
            g.size
        ));
    }
    fs::write(dir.join("groups.csv"), s).unwrap();
    let mut s = String::from("student,group\n");
    for (st, g) in &p.assignments {
        s.push_str(&format!("{st},{g}\n"));
    }
    fs::write(dir.join("assignments.csv"), s).unwrap();
    if with_routes {
        let mut s = String::from("person,role,leg,from,to,depart,arrive,vehicle\n");
        for l in &p.routes {
            s.push_str(&format!(
                "{},{},{},{},{},{:02}:{:02},{:02}:{:02},{}\n",
                l.person,
                l.role,
                l.leg,
                l.from,
                l.to,
                l.depart / 60,
                l.depart % 60,
                l.arrive / 60,
                l.arrive % 60,
                l.vehicle
            ));
        }
        fs::write(dir.join("routes.csv"), s).unwrap();
    }
}

#[test]
fn plan_dir_valid_with_and_without_routes() {
    let net = network();
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), &plan(), true);
    assert_clean(&check_plan_dir(&net, dir.path()).unwrap());
    fs::remove_file(dir.path().join("routes.csv")).unwrap();
    assert_clean(&check_plan_dir(&net, dir.path()).unwrap());
}

#[test]
fn plan_dir_reports_violations_from_files() {
    let net = network();
    let dir = tempfile::tempdir().unwrap();
    let mut p = plan();
    p.group_mut("G2").size = 7;
    p.routes.retain(|l| l.person != "T2");
    write_plan(dir.path(), &p, true);
    let v = check_plan_dir(&net, dir.path()).unwrap();
    expect(&v, "C0201", &["G2", "7", "8"]);
    expect(&v, "C0705", &["teacher T2"]);
    assert_eq!(codes(&v), vec!["C0201", "C0705", "C0705"], "{}", show(&v));
}

#[test]
fn plan_dir_reads_columns_in_any_order_with_bom_and_crlf() {
    let net = network();
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), &plan(), false);
    let mut s = String::from(
        "\u{feff}Size,Mode,Periods,First_Period,Teacher,Room,School,Course,Group,note\r\n",
    );
    for g in &plan().groups {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},x\r\n",
            g.size,
            g.mode,
            g.periods,
            g.first_period,
            g.teacher,
            g.room,
            g.school,
            g.course,
            g.group
        ));
    }
    fs::write(dir.path().join("groups.csv"), s).unwrap();
    assert_clean(&check_plan_dir(&net, dir.path()).unwrap());
}

#[test]
fn plan_dir_malformed_files_are_errors() {
    let net = network();
    let dir = tempfile::tempdir().unwrap();

    // Missing file.
    write_plan(dir.path(), &plan(), false);
    fs::remove_file(dir.path().join("assignments.csv")).unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(e.file, "assignments.csv", "{e}");

    // Missing column.
    write_plan(dir.path(), &plan(), false);
    fs::write(
        dir.path().join("groups.csv"),
        "group,course,school,room,teacher,first_period,mode,size\nG1,MATH,S1,S1-R1,T1,1,in_person,18\n",
    )
    .unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.column.as_deref()),
        ("groups.csv", Some("periods")),
        "{e}"
    );

    // Bad number, on line 3.
    write_plan(dir.path(), &plan(), false);
    fs::write(
        dir.path().join("groups.csv"),
        "group,course,school,room,teacher,first_period,periods,mode,size\n\
         G1,MATH,S1,S1-R1,T1,1,1,in_person,18\n\
         G2,CHEM,S1,S1-LAB,T1,three,2,in_person,8\n",
    )
    .unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(e.file, "groups.csv");
    assert_eq!(e.line, Some(3), "{e}");
    assert_eq!(e.column.as_deref(), Some("first_period"));
    assert!(e.to_string().contains("'three'"), "{e}");

    // Bad time in routes.csv.
    write_plan(dir.path(), &plan(), true);
    let routes = fs::read_to_string(dir.path().join("routes.csv")).unwrap();
    fs::write(
        dir.path().join("routes.csv"),
        routes.replacen("08:40", "8.40", 1),
    )
    .unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        ("routes.csv", Some(2), Some("depart")),
        "{e}"
    );
}

//! The independent checker, SPEC §3 rule 8 (vehicles) and `transport.csv` as
//! documented in `src/check/mod.rs`: a hand-made network with a bus based at the district
//! centre that collects two villages and takes them home, with empty runs from and
//! back to its base; then the plan broken once per violation.

use std::fs;
use std::path::Path;

use profnet::check::{check_plan_bytes_with_transport, check_plan_dir, check_plan_full, Violation};
use profnet::model::{
    parse_hhmm, Course, CourseId, KindId, Link, Network, PeriodSet, PeriodTime, Room, School,
    SchoolId, SchoolKind, Student, Teacher, Vehicle,
};
use profnet::planfile::{
    parse_transport, vehicle_figures, PlanGroupRow, RouteLegRow, TransportRow,
};

// ---------------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------------

fn t(s: &str) -> u32 {
    parse_hhmm(s).unwrap()
}

/// Schools C (the centre), V1 and V2 (villages): V1 –10– V2 –20– C and a slow direct
/// V1 –40– C (so V1→C is 30 via V2). Day 07:30–17:00, one period 09:00–09:45. MATH is
/// taught at C by T1; A1–A3 live in V1, B1–B2 in V2. BUS-C-1 (5 seats) is based at C,
/// BUS-V2-1 (22 seats) at V2 and not used.
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
    let student = |id: &str, school: usize| Student {
        id: id.into(),
        school: SchoolId::from(school),
        grade: 10,
        wants: 1,
        choices: vec![CourseId::from(0)],
    };
    Network {
        name: "transport fixture".into(),
        day_start: t("07:30"),
        day_end: t("17:00"),
        periods: vec![PeriodTime {
            start: t("09:00"),
            end: t("09:45"),
        }],
        min_group: 1,
        max_group: 30,
        wants: 1,
        schools: vec![school("C"), school("V1"), school("V2")],
        links: vec![link(1, 2, 10), link(2, 0, 20), link(1, 0, 40)],
        rooms: vec![Room {
            id: "C-R1".into(),
            school: SchoolId::from(0),
            capacity: 30,
            kind: KindId(0),
            periods: PeriodSet::all(1),
        }],
        courses: vec![Course {
            id: "MATH".into(),
            name: "Mathematics".into(),
            periods: 1,
            room_kind: KindId(0),
            min_group: 1,
            max_group: 30,
            distance: false,
            grades: None,
        }],
        teachers: vec![Teacher {
            id: "T1".into(),
            name: "Teacher T1".into(),
            school: SchoolId::from(0),
            courses: vec![CourseId::from(0)],
            max_periods: 1,
            travels: true,
            periods: PeriodSet::all(1),
        }],
        students: vec![
            student("A1", 1),
            student("A2", 1),
            student("A3", 1),
            student("B1", 2),
            student("B2", 2),
        ],
        tuning: Default::default(),
        closed: Vec::new(),
        pins: Default::default(),
        vehicles: vec![
            Vehicle {
                id: "BUS-C-1".into(),
                school: SchoolId::from(0),
                seats: 5,
            },
            Vehicle {
                id: "BUS-V2-1".into(),
                school: SchoolId::from(2),
                seats: 22,
            },
        ],
        kinds: vec!["general".into()],
    }
}

#[derive(Clone)]
struct Plan {
    groups: Vec<PlanGroupRow>,
    assignments: Vec<(String, String)>,
    routes: Vec<RouteLegRow>,
    transport: Vec<TransportRow>,
}

fn leg(person: &str, n: usize, from: &str, to: &str, dep: &str, arr: &str) -> RouteLegRow {
    RouteLegRow {
        person: person.into(),
        role: "student".into(),
        leg: n,
        from: from.into(),
        to: to.into(),
        depart: t(dep),
        arrive: t(arr),
        vehicle: "BUS-C-1".into(),
    }
}

/// A stop row: `arrive` / `depart` "" for empty.
fn stop(
    trip: usize,
    stop: usize,
    school: &str,
    arrive: &str,
    depart: &str,
    board: usize,
    alight: usize,
) -> TransportRow {
    let time = |s: &str| (!s.is_empty()).then(|| t(s));
    TransportRow {
        line: 0,
        vehicle: "BUS-C-1".into(),
        trip,
        stop,
        school: school.into(),
        arrive: time(arrive),
        depart: time(depart),
        board,
        alight,
    }
}

/// The valid plan. BUS-C-1: trip 1 the empty run C→V1 07:50–08:20; trip 2 collects
/// V1 08:28 (3 board), V2 08:38/08:40 (2 board), C 09:00 (5 leave); trip 3 takes them
/// home C 09:50 → V2 10:10/10:12 → V1 10:22; trip 4 the empty run V1→C 10:30–11:00.
/// The legs are the trip's times, not "just in time" (A's 08:28–09:00 is 32 min for a
/// 30-min road; home legs leave 5 min after the group ends).
fn plan() -> Plan {
    let mut p = Plan {
        groups: vec![PlanGroupRow {
            line: 0,
            group: "G1".into(),
            course: "MATH".into(),
            school: "C".into(),
            room: "C-R1".into(),
            teacher: "T1".into(),
            first_period: 1,
            periods: 1,
            mode: "in_person".into(),
            size: 5,
        }],
        assignments: Vec::new(),
        routes: Vec::new(),
        transport: vec![
            stop(1, 1, "C", "", "07:50", 0, 0),
            stop(1, 2, "V1", "08:20", "", 0, 0),
            stop(2, 1, "V1", "", "08:28", 3, 0),
            stop(2, 2, "V2", "08:38", "08:40", 2, 0),
            stop(2, 3, "C", "09:00", "", 0, 5),
            stop(3, 1, "C", "", "09:50", 5, 0),
            stop(3, 2, "V2", "10:10", "10:12", 0, 2),
            stop(3, 3, "V1", "10:22", "", 0, 3),
            stop(4, 1, "V1", "", "10:30", 0, 0),
            stop(4, 2, "C", "11:00", "", 0, 0),
        ],
    };
    for s in ["A1", "A2", "A3", "B1", "B2"] {
        p.assignments.push((s.into(), "G1".into()));
    }
    for s in ["A1", "A2", "A3"] {
        p.routes.push(leg(s, 1, "V1", "C", "08:28", "09:00"));
        p.routes.push(leg(s, 2, "C", "V1", "09:50", "10:22"));
    }
    for s in ["B1", "B2"] {
        p.routes.push(leg(s, 1, "V2", "C", "08:40", "09:00"));
        p.routes.push(leg(s, 2, "C", "V2", "09:50", "10:10"));
    }
    p
}

impl Plan {
    fn check(&self, net: &Network) -> Vec<Violation> {
        check_plan_full(
            net,
            &self.groups,
            &self.assignments,
            Some(&self.routes),
            Some(&self.transport),
        )
    }

    fn stop_mut(&mut self, trip: usize, stop: usize) -> &mut TransportRow {
        self.transport
            .iter_mut()
            .find(|r| r.trip == trip && r.stop == stop)
            .unwrap()
    }

    fn leg_mut(&mut self, person: &str, n: usize) -> &mut RouteLegRow {
        self.routes
            .iter_mut()
            .find(|l| l.person == person && l.leg == n)
            .unwrap()
    }

    fn drop_trip(&mut self, trip: usize) {
        self.transport.retain(|r| r.trip != trip);
    }
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn show(v: &[Violation]) -> String {
    v.iter().map(|x| format!("\n  {x}")).collect()
}

/// Asserts that `v` has a violation with `code` (rule 8) whose message contains every
/// one of `words`.
fn expect(v: &[Violation], code: &str, words: &[&str]) {
    let found = v
        .iter()
        .find(|x| x.code == code && words.iter().all(|w| x.message.contains(w)));
    let x = found.unwrap_or_else(|| panic!("no {code} with {words:?} in:{}", show(v)));
    assert_eq!(x.rule, code[2..3].parse::<u8>().unwrap(), "{x}");
}

/// Asserts that every violation in `v` has one of `codes` (and there is at least one).
fn only(v: &[Violation], allowed: &[&str]) {
    assert!(!v.is_empty(), "expected violations");
    for x in v {
        assert!(allowed.contains(&x.code), "unexpected {x}; all:{}", show(v));
    }
}

fn count(v: &[Violation], code: &str) -> usize {
    v.iter().filter(|x| x.code == code).count()
}

fn assert_clean(v: &[Violation]) {
    assert!(v.is_empty(), "expected no violations, got:{}", show(v));
}

// ---------------------------------------------------------------------------------------
// The valid plan
// ---------------------------------------------------------------------------------------

#[test]
fn valid_collect_and_return_trips_with_empty_runs() {
    let net = network();
    let p = plan();
    assert_clean(&p.check(&net));
    // Rows of a trip may come in any order.
    let mut q = p.clone();
    q.transport.reverse();
    assert_clean(&q.check(&net));
    // KPIs: one vehicle used, 30 + 32 + 32 + 30 minutes.
    assert_eq!(vehicle_figures(&p.transport), (1, 124));
    assert_eq!(vehicle_figures(&[]), (0, 0));
}

#[test]
fn teacher_legs_need_no_vehicle_but_count_when_they_ride() {
    let net = network();
    let mut p = plan();
    // T1 goes nowhere in the plan; a teacher's leg without a vehicle is no rule-8 matter
    // (it is checked under rule 7), but one that rides the bus takes a seat.
    let mut l = leg("T1", 1, "C", "V2", "09:50", "10:10");
    l.role = "teacher".into();
    p.routes.push(l.clone());
    let v = p.check(&net);
    expect(
        &v,
        "C0804",
        &["6 rider(s)", "C (stop 1)", "V2 (stop 2)", "5 seats"],
    );
    expect(
        &v,
        "C0805",
        &["trip 3 stop 1", "board 5", "6 rider(s) boarding"],
    );
    expect(&v, "C0805", &["trip 3 stop 2", "alight 2", "3 leaving"]);
    assert_eq!(count(&v, "C0804"), 1, "{}", show(&v));
    only(&v, &["C0804", "C0805"]);
    l.vehicle.clear();
    p.routes.pop();
    p.routes.push(l);
    assert_clean(&p.check(&net));
}

// ---------------------------------------------------------------------------------------
// Violations
// ---------------------------------------------------------------------------------------

#[test]
fn more_riders_than_seats_on_one_segment() {
    let mut net = network();
    net.vehicles[0].seats = 4;
    let v = plan().check(&net);
    // 3 on board V1→V2 (fits), 5 on V2→C and on C→V2 (do not), 3 on V2→V1.
    expect(
        &v,
        "C0804",
        &[
            "trip 2",
            "5 rider(s)",
            "V2 (stop 2) to C (stop 3)",
            "4 seats",
        ],
    );
    expect(
        &v,
        "C0804",
        &[
            "trip 3",
            "5 rider(s)",
            "C (stop 1) to V2 (stop 2)",
            "4 seats",
        ],
    );
    assert_eq!(count(&v, "C0804"), 2, "{}", show(&v));
    only(&v, &["C0804"]);
}

#[test]
fn vehicle_in_two_trips_at_once() {
    let net = network();
    let mut p = plan();
    // The empty run reaches V1 at 08:30, but the collect trip leaves V1 at 08:28.
    p.stop_mut(1, 2).arrive = Some(t("08:30"));
    let v = p.check(&net);
    expect(
        &v,
        "C0807",
        &[
            "BUS-C-1",
            "trip 2 departs at 08:28",
            "trip 1 arrives at 08:30",
        ],
    );
    only(&v, &["C0807"]);
}

#[test]
fn trips_that_do_not_chain() {
    let net = network();
    // The first trip does not start at the base: no empty run out.
    let mut p = plan();
    p.drop_trip(1);
    for r in &mut p.transport {
        r.trip -= 1;
    }
    let v = p.check(&net);
    expect(&v, "C0808", &["BUS-C-1 trip 1 starts at V1", "based at C"]);
    only(&v, &["C0808"]);

    // The empty run goes to V2, but the next trip starts at V1.
    let mut p = plan();
    p.stop_mut(1, 2).school = "V2".into();
    let v = p.check(&net);
    expect(&v, "C0808", &["trip 2 starts at V1", "trip 1 ended at V2"]);
    only(&v, &["C0808"]);
}

#[test]
fn vehicle_not_returned_to_its_base() {
    let net = network();
    let mut p = plan();
    p.drop_trip(4);
    let v = p.check(&net);
    expect(
        &v,
        "C0809",
        &["BUS-C-1", "last trip (3) ends at V1", "based at C"],
    );
    only(&v, &["C0809"]);
}

#[test]
fn trips_outside_the_day() {
    let net = network();
    let mut p = plan();
    p.stop_mut(1, 1).depart = Some(t("07:20"));
    p.stop_mut(4, 2).arrive = Some(t("17:10"));
    p.stop_mut(4, 1).depart = Some(t("16:30"));
    let v = p.check(&net);
    expect(&v, "C0810", &["trip 1 departs at 07:20", "07:30"]);
    expect(&v, "C0810", &["trip 4 arrives at 17:10", "17:00"]);
    only(&v, &["C0810"]);
}

#[test]
fn trip_faster_than_the_roads() {
    let mut net = network();
    let mut p = plan();
    // V1→V2 is 10 min; the trip allows 5.
    p.stop_mut(2, 2).arrive = Some(t("08:33"));
    let v = p.check(&net);
    expect(
        &v,
        "C0806",
        &[
            "trip 2",
            "V1 (stop 1) at 08:28",
            "V2 (stop 2) at 08:33",
            "10 min",
        ],
    );
    only(&v, &["C0806"]);

    // Unconnected stops.
    net.links.clear();
    let v = plan().check(&net);
    expect(&v, "C0806", &["no travel link path"]);
}

#[test]
fn student_leg_without_a_vehicle() {
    let net = network();
    let mut p = plan();
    p.leg_mut("A1", 1).vehicle.clear();
    let v = p.check(&net);
    expect(
        &v,
        "C0801",
        &["student A1 leg 1", "V1 to C", "rides no vehicle"],
    );
    // The trip still says 3 board at V1 and 5 leave at C.
    expect(
        &v,
        "C0805",
        &["trip 2 stop 1", "board 3", "2 rider(s) boarding"],
    );
    expect(&v, "C0805", &["trip 2 stop 3", "alight 5", "4 leaving"]);
    assert_eq!(count(&v, "C0801"), 1);
    only(&v, &["C0801", "C0805"]);

    // Without vehicles in the bundle there is nothing to ride: no rule-8 violation.
    let mut bare = network();
    bare.vehicles.clear();
    let mut p = plan();
    p.transport.clear();
    for l in &mut p.routes {
        l.vehicle.clear();
    }
    assert_clean(&p.check(&bare));
    // ... but with vehicles, every move of every student is C0801.
    let v = p.check(&net);
    assert_eq!(count(&v, "C0801"), 10, "{}", show(&v));
    only(&v, &["C0801"]);
}

#[test]
fn leg_naming_a_trip_that_does_not_exist() {
    let net = network();
    let mut p = plan();
    // A1 leaves V1 at 08:25 (fine for rule 7: 35 min for a 30-min road), but no trip of
    // BUS-C-1 leaves V1 then.
    p.leg_mut("A1", 1).depart = t("08:25");
    let v = p.check(&net);
    expect(
        &v,
        "C0803",
        &["student A1 leg 1", "BUS-C-1", "V1 at 08:25", "C at 09:00"],
    );
    only(&v, &["C0803", "C0805"]);

    // A trip that runs the other way does not carry the leg either.
    let mut p = plan();
    {
        let l = p.leg_mut("B1", 2);
        (l.from, l.to) = ("V2".into(), "C".into());
        (l.depart, l.arrive) = (t("10:12"), t("11:00"));
    }
    let v = p.check(&net);
    expect(&v, "C0803", &["student B1 leg 2"]);
}

#[test]
fn board_and_alight_differ_from_the_riders() {
    let net = network();
    let mut p = plan();
    p.stop_mut(2, 2).board = 1;
    p.stop_mut(3, 3).alight = 4;
    let v = p.check(&net);
    expect(
        &v,
        "C0805",
        &["trip 2 stop 2 at V2", "board 1", "2 rider(s) boarding"],
    );
    expect(
        &v,
        "C0805",
        &["trip 3 stop 3 at V1", "alight 4", "3 leaving"],
    );
    assert_eq!(count(&v, "C0805"), 2);
    only(&v, &["C0805"]);
}

#[test]
fn unknown_vehicle() {
    let net = network();
    // In routes.csv.
    let mut p = plan();
    p.leg_mut("B2", 2).vehicle = "BUS-X".into();
    let v = p.check(&net);
    expect(
        &v,
        "C0802",
        &["student B2 leg 2", "'BUS-X' is not in vehicles.csv"],
    );
    only(&v, &["C0802", "C0805"]);

    // In transport.csv: its trips are still checked against the roads.
    let mut p = plan();
    p.transport.push(TransportRow {
        vehicle: "BUS-X".into(),
        ..stop(1, 1, "V1", "", "12:00", 0, 0)
    });
    p.transport.push(TransportRow {
        vehicle: "BUS-X".into(),
        ..stop(1, 2, "V2", "12:05", "", 0, 0)
    });
    let v = p.check(&net);
    expect(
        &v,
        "C0802",
        &["'BUS-X' is not in vehicles.csv", "1 trip(s)"],
    );
    expect(&v, "C0806", &["vehicle BUS-X trip 1"]);
    only(&v, &["C0802", "C0806"]);

    // A bundle without vehicles.
    let mut bare = network();
    bare.vehicles.clear();
    let v = plan().check(&bare);
    expect(
        &v,
        "C0802",
        &["student A1 leg 1", "the bundle has no vehicles"],
    );
    expect(&v, "C0802", &["transport.csv", "BUS-C-1", "4 trip(s)"]);
    only(&v, &["C0802"]);
}

#[test]
fn malformed_trips() {
    let net = network();
    // A gap in the stop numbers.
    let mut p = plan();
    p.stop_mut(2, 3).stop = 4;
    let v = p.check(&net);
    expect(
        &v,
        "C0811",
        &["vehicle BUS-C-1 trip 2", "stops numbered 1 2 4"],
    );
    // (The legs on trip 2 find no trip then.)
    only(&v, &["C0811", "C0803"]);

    // Times present where they must be empty, missing where needed, arrive after depart.
    let mut p = plan();
    p.stop_mut(2, 1).arrive = Some(t("08:27"));
    p.stop_mut(3, 3).depart = Some(t("10:30"));
    p.stop_mut(3, 2).depart = None;
    p.stop_mut(2, 2).depart = Some(t("08:37"));
    let v = p.check(&net);
    expect(&v, "C0811", &["trip 2 stop 1", "arrive must be empty"]);
    expect(&v, "C0811", &["trip 3 stop 3", "depart must be empty"]);
    expect(
        &v,
        "C0811",
        &["trip 3 stop 2", "needs both arrive and depart"],
    );
    expect(
        &v,
        "C0811",
        &["trip 2 stop 2", "arrives at 08:38 but departs at 08:37"],
    );

    // Trip numbers with a gap; a trip of one stop; an unknown school.
    let mut p = plan();
    for r in &mut p.transport {
        if r.trip == 4 {
            r.trip = 5;
        }
    }
    p.transport.push(stop(6, 1, "C", "", "12:00", 0, 0));
    p.transport.push(stop(7, 1, "C", "", "13:00", 0, 0));
    p.transport.push(stop(7, 2, "S9", "13:30", "", 0, 0));
    let v = p.check(&net);
    expect(&v, "C0811", &["trips numbered 1 2 3 5 6 7"]);
    expect(&v, "C0811", &["trip 6 has 1 stop(s)"]);
    expect(
        &v,
        "C0811",
        &["trip 7 stop 2", "school 'S9' does not exist"],
    );
    only(&v, &["C0811"]);
}

// ---------------------------------------------------------------------------------------
// Plan directories
// ---------------------------------------------------------------------------------------

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn write_plan(dir: &Path, p: &Plan, with_transport: bool) {
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
    let mut s = String::from("person,role,leg,from,to,depart,arrive,vehicle\n");
    for l in &p.routes {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            l.person,
            l.role,
            l.leg,
            l.from,
            l.to,
            hhmm(l.depart),
            hhmm(l.arrive),
            l.vehicle
        ));
    }
    fs::write(dir.join("routes.csv"), s).unwrap();
    let path = dir.join("transport.csv");
    if with_transport {
        let mut s = String::from("vehicle,trip,stop,school,arrive,depart,board,alight\n");
        for r in &p.transport {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.vehicle,
                r.trip,
                r.stop,
                r.school,
                r.arrive.map(hhmm).unwrap_or_default(),
                r.depart.map(hhmm).unwrap_or_default(),
                r.board,
                r.alight
            ));
        }
        fs::write(path, s).unwrap();
    } else if path.exists() {
        fs::remove_file(path).unwrap();
    }
}

#[test]
fn plan_dir_applies_rule_8() {
    let net = network();
    let dir = tempfile::tempdir().unwrap();
    let read = |f: &str| fs::read(dir.path().join(f)).unwrap();

    write_plan(dir.path(), &plan(), true);
    assert_clean(&check_plan_dir(&net, dir.path()).unwrap());
    let mem = check_plan_bytes_with_transport(
        &net,
        &read("groups.csv"),
        &read("assignments.csv"),
        Some(&read("routes.csv")),
        Some(&read("transport.csv")),
    )
    .unwrap();
    assert_clean(&mem);
    let rows = parse_transport(&read("transport.csv")).unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!((rows[0].line, rows[9].line), (2, 11));
    assert_eq!(vehicle_figures(&rows), (1, 124));

    // Violations in the file name its line.
    let mut p = plan();
    p.stop_mut(2, 2).board = 1;
    write_plan(dir.path(), &p, true);
    let v = check_plan_dir(&net, dir.path()).unwrap();
    expect(&v, "C0805", &["transport.csv, line 5", "board 1"]);

    // Vehicles and students' cross-school legs, but no transport.csv: every leg names a
    // trip that does not exist.
    write_plan(dir.path(), &plan(), false);
    let v = check_plan_dir(&net, dir.path()).unwrap();
    assert_eq!(count(&v, "C0803"), 10, "{}", show(&v));
    only(&v, &["C0803"]);
    let mut p = plan();
    for l in &mut p.routes {
        l.vehicle.clear();
    }
    write_plan(dir.path(), &p, false);
    let v = check_plan_dir(&net, dir.path()).unwrap();
    assert_eq!(count(&v, "C0801"), 10, "{}", show(&v));
    only(&v, &["C0801"]);

    // No routes.csv either: each student's move is C0801.
    fs::remove_file(dir.path().join("routes.csv")).unwrap();
    let v = check_plan_dir(&net, dir.path()).unwrap();
    expect(
        &v,
        "C0801",
        &["student A1 must travel from V1 to C", "no routes.csv"],
    );
    assert_eq!(count(&v, "C0801"), 10, "{}", show(&v));
    only(&v, &["C0801"]);
}

#[test]
fn plan_dir_malformed_transport_is_an_error() {
    let net = network();
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), &plan(), true);
    let path = dir.path().join("transport.csv");
    let text = fs::read_to_string(&path).unwrap();

    // A bad time on line 3.
    fs::write(&path, text.replacen("08:28", "8.28", 1)).unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        ("transport.csv", Some(4), Some("depart")),
        "{e}"
    );
    assert!(e.to_string().contains("'8.28'"), "{e}");

    // A count that is not a whole number.
    fs::write(&path, text.replacen(",3,0\n", ",three,0\n", 1)).unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(
        (e.line, e.column.as_deref()),
        (Some(4), Some("board")),
        "{e}"
    );

    // A missing column.
    fs::write(&path, "vehicle,trip,stop,school,arrive,depart,board\n").unwrap();
    let e = check_plan_dir(&net, dir.path()).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.column.as_deref()),
        ("transport.csv", Some("alight")),
        "{e}"
    );
}

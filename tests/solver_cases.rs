//! Hand-checked cases: small networks whose best plan is known, solved and then run
//! through the independent checker.

mod common;

use std::path::Path;

use common::Bundle;
use profnet::graph::TravelTimes;
use profnet::model::Network;
use profnet::planfile::write::{write_dir_atomically, write_plan_files};
use profnet::solve::{solve, SolveOptions, SolveOutcome, Status};

fn load(dir: &Path) -> Network {
    match profnet::input::load(dir) {
        Ok((net, _)) => net,
        Err(e) => panic!("bundle does not load: {:?}", e.0),
    }
}

/// Solves, writes the plan and runs the independent checker on the files.
fn solve_and_check(net: &Network, out: &Path) -> SolveOutcome {
    let opts = SolveOptions {
        time_limit: 30.0,
        ..SolveOptions::default()
    };
    let outcome = solve(net, &opts, &|_| {});
    let tt = TravelTimes::new(net);
    write_dir_atomically(out, |dir| write_plan_files(net, &tt, &outcome, dir)).unwrap();
    let violations = profnet::check::check_plan_dir(net, out).unwrap();
    assert!(violations.is_empty(), "checker found: {violations:#?}");
    outcome
}

fn read(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

fn two_schools() -> Bundle {
    let mut b = Bundle::new(4);
    b.school("A").school("B").link("A", "B", 20);
    b.room("A", "A-R1", 25, "general", "")
        .room("B", "B-R1", 25, "general", "");
    b
}

#[test]
fn course_with_nine_requesters_does_not_open_and_they_are_told_why() {
    let mut b = two_schools();
    b.course("MATH", 1, "general", false, "")
        .course("ART", 1, "general", false, "");
    b.teacher("T1", "A", "MATH ART", "", true, "");
    b.students("M", 12, "A", 10, &["MATH"]);
    b.students("R", 9, "B", 10, &["ART"]);
    let tmp = tempfile::tempdir().unwrap();
    b.write(&tmp.path().join("bundle"));
    let net = load(&tmp.path().join("bundle"));
    let out = solve_and_check(&net, &tmp.path().join("plan"));
    assert_eq!(out.plan.placements(), 12);
    assert_eq!(out.status, Status::Optimal);
    let groups = read(&tmp.path().join("plan/groups.csv"));
    assert!(
        groups.iter().all(|g| g[1] != "ART"),
        "ART opened: {groups:?}"
    );
    let unserved = read(&tmp.path().join("plan/unserved.csv"));
    let art: Vec<_> = unserved.iter().filter(|u| u[1] == "ART").collect();
    assert_eq!(art.len(), 9);
    for u in art {
        assert!(
            u[3].contains("only 9 students") && u[3].contains("minimum is 10"),
            "reason: {}",
            u[3]
        );
    }
}

#[test]
fn teacher_who_does_not_travel_teaches_at_home_and_students_come() {
    let mut b = two_schools();
    b.course("CHEM", 1, "general", false, "");
    b.teacher("T1", "A", "CHEM", "", false, "");
    b.students("S", 6, "A", 10, &["CHEM"]);
    b.students("V", 6, "B", 10, &["CHEM"]);
    let tmp = tempfile::tempdir().unwrap();
    b.write(&tmp.path().join("bundle"));
    let net = load(&tmp.path().join("bundle"));
    let out = solve_and_check(&net, &tmp.path().join("plan"));
    assert_eq!(out.plan.placements(), 12);
    let groups = read(&tmp.path().join("plan/groups.csv"));
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0][2], "A", "group must be at the teacher's school");
    // The six students from B travel there and back.
    let routes = read(&tmp.path().join("plan/routes.csv"));
    let student_legs: Vec<_> = routes.iter().filter(|r| r[1] == "student").collect();
    assert_eq!(student_legs.len(), 12);
    assert!(student_legs.iter().all(|r| r[0].starts_with('V')));
}

#[test]
fn students_of_an_unreachable_school_only_get_distance_or_home_groups() {
    let mut b = Bundle::new(3);
    b.school("A").school("B").school("ISL");
    b.link("A", "B", 15);
    b.room("A", "A-R1", 30, "general", "")
        .room("ISL", "I-R1", 30, "general", "");
    b.course("HIST", 1, "general", false, "")
        .course("ENG", 1, "general", true, "");
    b.teacher("T1", "A", "HIST ENG", "", true, "");
    b.students("A", 8, "A", 11, &["HIST", "ENG"]);
    b.students("B", 4, "B", 11, &["HIST", "ENG"]);
    b.students("I", 6, "ISL", 11, &["HIST", "ENG"]);
    let tmp = tempfile::tempdir().unwrap();
    b.write(&tmp.path().join("bundle"));
    let net = load(&tmp.path().join("bundle"));
    let out = solve_and_check(&net, &tmp.path().join("plan"));
    // HIST: 12 reachable (A, B) → one in-person group at A. ENG by distance can take all 18.
    assert_eq!(out.plan.placements(), 12 + 18);
    let unserved = read(&tmp.path().join("plan/unserved.csv"));
    assert_eq!(unserved.len(), 6);
    assert!(unserved
        .iter()
        .all(|u| u[0].starts_with('I') && u[1] == "HIST"));
}

#[test]
fn both_csv_dialects_give_the_same_plan() {
    let mut b = two_schools();
    b.course("BIO", 1, "general", false, "")
        .course("GEO", 1, "general", false, "")
        .course("LAW", 1, "general", false, "");
    b.teacher("T1", "A", "BIO GEO", "", true, "")
        .teacher("T2", "B", "LAW GEO", "", true, "");
    b.students("P", 14, "A", 10, &["BIO", "GEO", "LAW"]);
    b.students("Q", 11, "B", 11, &["LAW", "BIO", "GEO"]);
    let tmp = tempfile::tempdir().unwrap();
    b.write_dialect(&tmp.path().join("comma"), ',', false);
    b.write_dialect(&tmp.path().join("semicolon"), ';', true);
    let n1 = load(&tmp.path().join("comma"));
    let n2 = load(&tmp.path().join("semicolon"));
    solve_and_check(&n1, &tmp.path().join("p1"));
    solve_and_check(&n2, &tmp.path().join("p2"));
    for f in [
        "groups.csv",
        "assignments.csv",
        "unserved.csv",
        "routes.csv",
    ] {
        assert_eq!(
            std::fs::read(tmp.path().join("p1").join(f)).unwrap(),
            std::fs::read(tmp.path().join("p2").join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn sample_network_beats_greedy_and_passes_the_checker() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
    let mut net = load(&root);
    // Without its buses (the fleet case is `sample_fleet_carries_...` below).
    net.vehicles.clear();
    let tmp = tempfile::tempdir().unwrap();
    let out = solve_and_check(&net, &tmp.path().join("plan"));
    assert!(out.plan.placements() >= out.greedy_placements);
    assert!(out.bound >= out.plan.placements() as f64);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("plan/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["kpis"]["placements"], out.plan.placements());
    let unserved_rows = read(&tmp.path().join("plan/unserved.csv")).len();
    assert_eq!(summary["kpis"]["unserved"], unserved_rows);
    assert!(
        summary["gap"].as_f64().unwrap() < 0.05,
        "gap {}",
        summary["gap"]
    );
}

/// Solves `net` with its fleet (into `tmp/plan`) and without (into `tmp/free`), both
/// checked (rule 8 too), and asserts that the fleet keeps at least 90 % of the
/// placements; returns the outcome with the fleet.
fn fleet_keeps_nine_tenths(net: &Network, tmp: &Path) -> SolveOutcome {
    let with = solve_and_check(net, &tmp.join("plan"));
    let mut free = net.clone();
    free.vehicles.clear();
    let without = solve_and_check(&free, &tmp.join("free"));
    let (a, b) = (with.plan.placements(), without.plan.placements());
    assert!(10 * a >= 9 * b, "with the fleet {a}, without {b}");
    with
}

#[test]
fn sample_fleet_carries_nine_tenths_of_the_placements_without_a_fleet() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
    let net = load(&root);
    assert_eq!(net.vehicles.len(), 14);
    let tmp = tempfile::tempdir().unwrap();
    fleet_keeps_nine_tenths(&net, tmp.path());
    let trips = read(&tmp.path().join("plan/transport.csv"));
    assert!(!trips.is_empty());
    // Every student leg between schools names a bus.
    let routes = read(&tmp.path().join("plan/routes.csv"));
    assert!(routes
        .iter()
        .filter(|r| r[1] == "student" && r[3] != r[4])
        .all(|r| !r[7].is_empty()));
}

#[test]
fn equity_shares_scarce_seats_between_schools() {
    // One room of 12 seats at C; 12 students at A and 4 at B want MATH. Every plan
    // seats 12; with equal access both schools get the same rate, 9 of 12 and 3 of 4.
    let mut b = Bundle::new(2);
    b.school("A").school("B").school("C");
    b.link("A", "C", 10).link("B", "C", 10);
    b.room("C", "C-R1", 12, "general", "1");
    b.course("MATH", 1, "general", false, "");
    b.teacher("T1", "C", "MATH", "1", false, "");
    b.students("A", 12, "A", 10, &["MATH"]);
    b.students("B", 4, "B", 10, &["MATH"]);
    let tmp = tempfile::tempdir().unwrap();
    b.write(&tmp.path().join("bundle"));
    let net = load(&tmp.path().join("bundle"));
    let k = solve_equity(&net, tmp.path());
    assert_eq!(k.placements, 12);
    assert!(
        (k.worst_school_placement_rate - 0.75).abs() < 1e-9,
        "worst {} at {}",
        k.worst_school_placement_rate,
        k.worst_school.unwrap_or_default(),
    );
    // School A with priority 2 counts as worse off at the same rate: 10 and 2 balance
    // placements / (requested × priority) best (10/24 against 2/4).
    std::fs::write(
        tmp.path().join("bundle/schools.csv"),
        "id,name,kind,priority\nA,School A,school,2\nB,School B,school,\nC,School C,school,\n",
    )
    .unwrap();
    let net = load(&tmp.path().join("bundle"));
    let k = solve_equity(&net, tmp.path());
    assert_eq!(k.placements, 12);
    assert!((k.worst_school_placement_rate - 0.5).abs() < 1e-9, "{k:?}");
    assert_eq!(k.worst_school.as_deref(), Some("B"));
}

/// Solves with `--equity`, writes and checks the plan (replacing the last), returns its
/// KPIs.
fn solve_equity(net: &Network, tmp: &Path) -> profnet::plan::kpi::Kpis {
    let opts = SolveOptions {
        time_limit: 30.0,
        equity: true,
        ..SolveOptions::default()
    };
    let out = solve(net, &opts, &|_| {});
    let tt = TravelTimes::new(net);
    let dir = tmp.join("plan");
    write_dir_atomically(&dir, |d| write_plan_files(net, &tt, &out, d)).unwrap();
    assert!(profnet::check::check_plan_dir(net, &dir)
        .unwrap()
        .is_empty());
    profnet::plan::routes::kpis(net, &tt, &out.plan)
}

#[test]
fn generated_rural_fleet_carries_nine_tenths_of_the_placements_without_a_fleet() {
    // A network the fleet rounds were not tuned on: a district centre and seven villages,
    // each village with one 22-seat bus, two 30-seat buses at the centre.
    let net = profnet::input::generate::generate(&profnet::input::generate::GenParams {
        family: profnet::input::generate::Family::Rural,
        schools: 8,
        students: 300,
        courses: 20,
        seed: 11,
        fleet: true,
    });
    assert_eq!(net.vehicles.len(), 9);
    let tmp = tempfile::tempdir().unwrap();
    let with = fleet_keeps_nine_tenths(&net, tmp.path());
    // What the buses could not carry is said: every choice within a student's first
    // `wants` that the fleet took away is in unserved.csv with that reason.
    let unserved = read(&tmp.path().join("plan/unserved.csv"));
    let fleet = with.fleet.as_ref().unwrap();
    let mut said = 0;
    for d in &fleet.dropped {
        let st = &net.students[d.student.idx()];
        if st.rank_of(d.course).is_none_or(|r| r > st.wants) {
            continue;
        }
        let (id, course) = (&st.id, &net.courses[d.course.idx()].id);
        let row = unserved.iter().find(|r| &r[0] == id && &r[1] == course);
        assert!(
            row.is_some_and(|r| r[3] == d.reason.to_string()),
            "{id} {course}: {row:?}"
        );
        said += 1;
    }
    assert!(
        said > 0,
        "the fleet took no wanted choice away: nothing to check"
    );
}

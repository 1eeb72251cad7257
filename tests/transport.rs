//! Bus plans (SPEC §3 rule 8) on small networks whose best bus plan is known: solved,
//! written, and run through the independent checker, which includes rule 8.

mod common;

use std::path::Path;

use common::Bundle;
use profnet::graph::TravelTimes;
use profnet::model::Network;
use profnet::planfile::write::{write_checked_plan, write_dir_atomically};
use profnet::solve::{solve, SolveOptions, SolveOutcome};

fn load(dir: &Path) -> Network {
    match profnet::input::load(dir) {
        Ok((net, _)) => net,
        Err(e) => panic!("bundle does not load: {:?}", e.0),
    }
}

/// Solves `b`, writes the plan (checked, rules 1–8) and returns the outcome with the
/// rows of each plan file asked for.
fn solve_bundle(b: &Bundle, tmp: &Path) -> (Network, SolveOutcome) {
    b.write(&tmp.join("bundle"));
    let net = load(&tmp.join("bundle"));
    let opts = SolveOptions {
        time_limit: 30.0,
        ..SolveOptions::default()
    };
    let outcome = solve(&net, &opts, &|_| {});
    let tt = TravelTimes::new(&net);
    write_dir_atomically(&tmp.join("plan"), |dir| {
        write_checked_plan(&net, &tt, &outcome, dir)
    })
    .unwrap();
    let violations = profnet::check::check_plan_dir(&net, &tmp.join("plan")).unwrap();
    assert!(violations.is_empty(), "checker found: {violations:#?}");
    (net, outcome)
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// V1 —10— V2 —20— C: one room and teacher, at C. Students at both villages.
fn line(day_start: &str) -> Bundle {
    let mut b = Bundle::new(1);
    b.toml = b
        .toml
        .replace(
            "day_start = \"08:00\"",
            &format!("day_start = \"{day_start}\""),
        )
        .replace("max_group = 25", "max_group = 30");
    b.school("C").school("V1").school("V2");
    b.link("V1", "V2", 10).link("V2", "C", 20);
    b.room("C", "C-R1", 30, "general", "");
    b.course("MATH", 1, "general", false, "");
    b.teacher("T1", "C", "MATH", "", false, "");
    b
}

/// [`line`] with six MATH students at V1 and six at V2 (a group may have five), and a
/// bus at V1.
fn two_villages() -> Bundle {
    let mut b = line("08:00");
    b.toml = b.toml.replace("min_group = 10", "min_group = 5");
    b.students("A", 6, "V1", 10, &["MATH"]);
    b.students("B", 6, "V2", 10, &["MATH"]);
    b.vehicle("BUS-V1", "V1", 22);
    b
}

#[test]
fn one_bus_collects_two_villages_on_its_way_and_brings_them_back() {
    let b = two_villages();
    let tmp = tempfile::tempdir().unwrap();
    let (_, outcome) = solve_bundle(&b, tmp.path());
    assert_eq!(outcome.plan.placements(), 12);
    let trips = rows(&tmp.path().join("plan/transport.csv"));
    // Trip 1: V1 → V2 → C arriving for 09:00; trip 2: C → V2 → V1 after 09:45.
    let stops: Vec<(&str, &str, &str, &str, &str, &str)> = trips
        .iter()
        .map(|r| {
            (
                r[1].as_str(),
                r[3].as_str(),
                r[4].as_str(),
                r[5].as_str(),
                r[6].as_str(),
                r[7].as_str(),
            )
        })
        .collect();
    assert_eq!(
        stops,
        vec![
            ("1", "V1", "", "08:30", "6", "0"),
            ("1", "V2", "08:40", "08:40", "6", "0"),
            ("1", "C", "09:00", "", "0", "12"),
            ("2", "C", "", "09:45", "12", "0"),
            ("2", "V2", "10:05", "10:05", "0", "6"),
            ("2", "V1", "10:15", "", "0", "6"),
        ]
    );
    let k = &rows(&tmp.path().join("plan/routes.csv"));
    assert!(k
        .iter()
        .filter(|r| r[1] == "student")
        .all(|r| r[7] == "BUS-V1"));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("plan/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["kpis"]["vehicles_used"], 1);
    assert_eq!(summary["kpis"]["vehicle_minutes"], 60);
    // The departure sheet: V1 leaves at 08:30 on the bus, back at 10:15.
    let dep = rows(&tmp.path().join("plan/departures.csv"));
    let a1 = dep.iter().find(|r| r[5] == "A001").unwrap();
    assert_eq!(
        (
            a1[0].as_str(),
            a1[1].as_str(),
            a1[2].as_str(),
            a1[3].as_str(),
            a1[7].as_str()
        ),
        ("V1", "08:30", "BUS-V1", "C", "10:15")
    );
}

#[test]
fn a_bus_shuttles_twice_when_the_morning_allows_it() {
    // 30 students, 22 seats, 30 minutes each way, from 07:00: two runs before 09:00.
    let mut b = line("07:00");
    b.students("A", 30, "V1", 10, &["MATH"]);
    b.vehicle("BUS-V1", "V1", 22);
    let tmp = tempfile::tempdir().unwrap();
    let (_, outcome) = solve_bundle(&b, tmp.path());
    assert_eq!(outcome.plan.placements(), 30, "{:#?}", outcome.notes);
    let fleet = outcome.fleet.as_ref().unwrap();
    assert!(fleet.shortages.is_empty());
    assert_eq!(fleet.transport.vehicles_used(), 1);
    // Two runs in, two runs out, with the empty runs between them.
    let loaded = fleet
        .transport
        .trips
        .iter()
        .filter(|t| t.riders() > 0)
        .count();
    assert_eq!(loaded, 4);
}

#[test]
fn a_seat_shortage_says_which_legs_and_what_would_carry_them() {
    // From 08:20 the bus can run once before 09:00: 8 of 30 students have no seat.
    let mut b = line("08:20");
    b.students("A", 30, "V1", 10, &["MATH"]);
    b.vehicle("BUS-V1", "V1", 22);
    let tmp = tempfile::tempdir().unwrap();
    let (_, outcome) = solve_bundle(&b, tmp.path());
    assert_eq!(outcome.plan.placements(), 22);
    let short = rows(&tmp.path().join("plan/shortages.csv"));
    assert_eq!(short.len(), 1, "{short:?}");
    assert_eq!(
        (
            short[0][0].as_str(),
            short[0][1].as_str(),
            short[0][4].as_str()
        ),
        ("V1", "C", "8")
    );
    assert!(short[0][6].contains("8 seats at V1"), "{}", short[0][6]);
    let unserved = rows(&tmp.path().join("plan/unserved.csv"));
    assert_eq!(unserved.len(), 8);
    assert!(
        unserved
            .iter()
            .all(|r| r[3].contains("no seat on a bus from V1 to C")),
        "{unserved:?}"
    );
}

#[test]
fn without_vehicles_nothing_rides_and_transport_is_empty() {
    let mut b = line("08:00");
    b.students("A", 12, "V1", 10, &["MATH"]);
    let tmp = tempfile::tempdir().unwrap();
    let (_, outcome) = solve_bundle(&b, tmp.path());
    assert_eq!(outcome.plan.placements(), 12);
    assert!(outcome.fleet.is_none());
    assert!(rows(&tmp.path().join("plan/transport.csv")).is_empty());
    let routes = rows(&tmp.path().join("plan/routes.csv"));
    assert!(!routes.is_empty() && routes.iter().all(|r| r[7].is_empty()));
    assert!(!tmp.path().join("plan/shortages.csv").exists());
}

#[test]
fn a_re_plan_keeps_the_trips_that_still_serve_their_riders() {
    // The published bus plan as the template: with the same students it is kept whole;
    // with V1's students gone, every trip keeps its stops and times, and every other
    // student keeps their bus and times (a re-plan after a change, SPEC §6), where a
    // bus plan built afresh would no longer stop at V1.
    let mut b = two_villages();
    b.vehicle("BUS-C", "C", 22);
    let tmp = tempfile::tempdir().unwrap();
    let (net, outcome) = solve_bundle(&b, tmp.path());
    let fleet = outcome.fleet.as_ref().unwrap();
    let tt = TravelTimes::new(&net);
    let same = profnet::plan::transport::build_keeping(
        &net,
        &tt,
        &fleet.plan.student_stays(&net),
        Some(&fleet.transport),
    );
    assert_eq!(same.trips, fleet.transport.trips);
    assert_eq!(same.rides, fleet.transport.rides);
    let mut plan = fleet.plan.clone();
    let v1 = net.schools.iter().position(|x| x.id == "V1").unwrap();
    plan.groups[0]
        .members
        .retain(|m| net.students[m.idx()].school.idx() != v1);
    assert_eq!(plan.placements(), 6);
    let kept = profnet::plan::transport::build_keeping(
        &net,
        &tt,
        &plan.student_stays(&net),
        Some(&fleet.transport),
    );
    assert!(kept.shortages.is_empty());
    let times = |t: &profnet::plan::transport::Trip| {
        t.stops
            .iter()
            .map(|s| (s.school, s.arrive, s.depart))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kept.trips.iter().map(times).collect::<Vec<_>>(),
        fleet.transport.trips.iter().map(times).collect::<Vec<_>>()
    );
    assert_eq!(kept.requests.len(), 12);
    for (q, ride) in kept.requests.iter().zip(&kept.rides) {
        assert_eq!(*ride, fleet.transport.ride_of(q.student, q.leg), "{q:?}");
    }
    let afresh = profnet::plan::transport::build(&net, &tt, &plan.student_stays(&net));
    assert!(afresh.shortages.is_empty());
    assert_ne!(
        afresh.trips.iter().map(times).collect::<Vec<_>>(),
        kept.trips.iter().map(times).collect::<Vec<_>>()
    );
}

//! Property test: random small networks go through solve and then the independent
//! checker; the plan must obey every rule and never place fewer than the greedy plan.

mod common;

use common::Bundle;
use profnet::graph::TravelTimes;
use profnet::planfile::write::{write_dir_atomically, write_plan_files};
use profnet::solve::{solve, SolveOptions};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Spec {
    schools: usize,
    links: Vec<(usize, usize, u32)>,
    rooms: Vec<(usize, u32, bool)>,
    courses: Vec<(usize, bool, bool, Option<u32>)>,
    teachers: Vec<(usize, Vec<usize>, bool, usize)>,
    students: Vec<(usize, u32, Vec<usize>)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..5, 2usize..6).prop_flat_map(|(ns, nc)| {
        (
            Just(ns),
            prop::collection::vec((0..ns, 0..ns, 5u32..70), 1..6),
            prop::collection::vec((0..ns, 8u32..30, any::<bool>()), 1..7),
            prop::collection::vec(
                (
                    1usize..3,
                    any::<bool>(),
                    any::<bool>(),
                    prop::option::of(10u32..12),
                ),
                nc..=nc,
            ),
            prop::collection::vec(
                (
                    0..ns,
                    prop::collection::vec(0..nc, 1..3),
                    any::<bool>(),
                    1usize..5,
                ),
                1..6,
            ),
            prop::collection::vec(
                (0..ns, 10u32..12, prop::collection::vec(0..nc, 1..4)),
                5..60,
            ),
        )
            .prop_map(
                |(schools, links, rooms, courses, teachers, students)| Spec {
                    schools,
                    links,
                    rooms,
                    courses,
                    teachers,
                    students,
                },
            )
    })
}

fn bundle(s: &Spec) -> Bundle {
    let mut b = Bundle::new(4);
    for i in 0..s.schools {
        b.school(&format!("S{i}"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for &(a, c, m) in &s.links {
        if a != c && seen.insert((a.min(c), a.max(c))) {
            b.link(&format!("S{a}"), &format!("S{c}"), m);
        }
    }
    for (i, &(sch, cap, lab)) in s.rooms.iter().enumerate() {
        let kind = if lab { "lab" } else { "general" };
        b.room(&format!("S{sch}"), &format!("R{i}"), cap, kind, "");
    }
    for (i, &(len, lab, dist, grade)) in s.courses.iter().enumerate() {
        let kind = if lab { "lab" } else { "general" };
        let grades = grade.map(|g| g.to_string()).unwrap_or_default();
        b.course(&format!("C{i}"), len, kind, dist, &grades);
    }
    for (i, (sch, courses, travels, maxp)) in s.teachers.iter().enumerate() {
        let mut cs: Vec<String> = courses.iter().map(|c| format!("C{c}")).collect();
        cs.dedup();
        b.teacher(
            &format!("T{i}"),
            &format!("S{sch}"),
            &cs.join(" "),
            &maxp.to_string(),
            *travels,
            "",
        );
    }
    for (i, (sch, grade, choices)) in s.students.iter().enumerate() {
        let mut cs: Vec<String> = Vec::new();
        for c in choices {
            let id = format!("C{c}");
            if !cs.contains(&id) {
                cs.push(id);
            }
        }
        let refs: Vec<&str> = cs.iter().map(String::as_str).collect();
        b.students(&format!("P{i}x"), 1, &format!("S{sch}"), *grade, &refs);
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_networks_give_valid_plans(s in spec()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        bundle(&s).write(&dir);
        let net = match profnet::input::load(&dir) {
            Ok((net, _)) => net,
            Err(e) => panic!("generated bundle rejected: {:?}", e.0),
        };
        let opts = SolveOptions { time_limit: 10.0, ..SolveOptions::default() };
        let outcome = solve(&net, &opts, &|_| {});
        prop_assert!(outcome.plan.placements() >= outcome.greedy_placements);
        prop_assert!(outcome.bound + 1e-9 >= outcome.plan.placements() as f64);
        let tt = TravelTimes::new(&net);
        let out = tmp.path().join("plan");
        write_dir_atomically(&out, |d| write_plan_files(&net, &tt, &outcome, d)).unwrap();
        let violations = profnet::check::check_plan_dir(&net, &out).unwrap();
        prop_assert!(violations.is_empty(), "{:#?}", violations);
    }
}

/// Pins from a solved plan: a seeded subset of its groups, each with some of its
/// attributes (and every member, or some, pinned to it).
fn pins_from(plan: &profnet::plan::Plan, seed: u64) -> profnet::model::Pins {
    use profnet::model::{PinnedGroup, PinnedStudent, Pins};
    let mut rng = seed | 1;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut pins = Pins::default();
    for g in &plan.groups {
        if next() % 3 != 0 {
            continue;
        }
        let k = pins.groups.len();
        pins.groups.push(PinnedGroup {
            id: Some(format!("P{k}")),
            line: k + 2,
            course: g.course,
            school: g.school,
            first: g.first,
            room: (next() % 2 == 0).then_some(g.room),
            teacher: (next() % 2 == 0).then_some(g.teacher),
            distance: (next() % 2 == 0).then_some(g.mode == profnet::plan::Mode::Distance),
        });
        for &m in &g.members {
            match next() % 3 {
                0 => pins.students.push(PinnedStudent {
                    line: pins.students.len() + 2,
                    student: m,
                    course: g.course,
                    group: Some(k),
                }),
                1 => pins.students.push(PinnedStudent {
                    line: pins.students.len() + 2,
                    student: m,
                    course: g.course,
                    group: None,
                }),
                _ => {}
            }
        }
    }
    pins
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Pin a seeded part of a solved plan and solve again from it: every pin is kept,
    /// the plan obeys every rule (9 included) and places at least what the pinned plan
    /// placed.
    #[test]
    fn pinned_parts_of_a_plan_are_kept(s in spec(), seed in any::<u64>()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("bundle");
        bundle(&s).write(&dir);
        let (mut net, _) = profnet::input::load(&dir).unwrap();
        let opts = SolveOptions { time_limit: 10.0, ..SolveOptions::default() };
        let first = solve(&net, &opts, &|_| {});
        net.pins = pins_from(&first.plan, seed);
        let tt = TravelTimes::new(&net);
        let unresolved = profnet::solve::pins::problems(&net, &tt, None);
        prop_assert!(unresolved.is_empty(), "{:#?}\n{:?}", unresolved, net.pins.groups);
        // Re-planning around what stays starts from the plan the pins came from.
        let opts = SolveOptions { start: Some(first.plan.clone()), ..opts };
        let again = solve(&net, &opts, &|_| {});
        let broken = profnet::solve::pins::broken(&net, &again.plan);
        prop_assert!(broken.is_empty(), "{:#?}\n{:#?}", broken, net.pins);
        prop_assert!(
            again.plan.placements() >= first.plan.placements(),
            "pinned {} < first {}", again.plan.placements(), first.plan.placements()
        );
        let out = tmp.path().join("plan");
        write_dir_atomically(&out, |d| write_plan_files(&net, &tt, &again, d)).unwrap();
        let violations = profnet::check::check_plan_dir(&net, &out).unwrap();
        prop_assert!(violations.is_empty(), "{:#?}", violations);
    }
}

//! Criterion benchmarks of the hot parts of the solver on generated networks:
//! shortest travel times, cohorting with candidate offers, a greedy plan and the
//! local search that improves it.
//!
//! `cargo bench --bench core` (release profile; sample sizes are small so the whole run
//! takes a few minutes on 2 cores). See BENCHMARKS.md for measured figures.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};

use profnet::graph::TravelTimes;
use profnet::input::generate::{generate, Family, GenParams};
use profnet::model::Network;
use profnet::solve::greedy::{greedy_variant, VARIANTS};
use profnet::solve::improve::improve;
use profnet::solve::prep::Prep;
use profnet::solve::Limit;

fn net(family: Family, schools: usize, students: usize, courses: usize) -> Network {
    generate(&GenParams {
        family,
        schools,
        students,
        courses,
        seed: 1,
        fleet: false,
    })
}

/// A group of 10 samples measured for about `secs` seconds. Flat sampling (the same
/// iteration count in every sample) suits the slow benches that run once per sample.
fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
    secs: u64,
    flat: bool,
) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(secs));
    if flat {
        g.sampling_mode(SamplingMode::Flat);
    }
    g
}

fn travel_times(c: &mut Criterion) {
    let city = net(Family::City, 60, 6000, 80);
    let mut g = configure(c, "travel_times", 3, false);
    g.bench_function("city_60", |b| b.iter(|| TravelTimes::new(black_box(&city))));
    g.finish();
}

fn prep(c: &mut Criterion) {
    let rural = net(Family::Rural, 15, 1000, 30);
    let city = net(Family::City, 60, 6000, 80);
    let mut g = configure(c, "prep", 5, true);
    g.bench_function("rural_15_1000_30", |b| {
        b.iter(|| Prep::new(black_box(&rural)))
    });
    g.bench_function("city_60_6000_80", |b| {
        b.iter(|| Prep::new(black_box(&city)))
    });
    g.finish();
}

fn greedy_plan(c: &mut Criterion) {
    let rural = net(Family::Rural, 15, 1000, 30);
    let city = net(Family::City, 60, 6000, 80);
    let (pr, pc) = (Prep::new(&rural), Prep::new(&city));
    let mut g = configure(c, "greedy", 10, true);
    g.bench_function("rural_15_1000_30", |b| {
        b.iter(|| greedy_variant(black_box(&pr), VARIANTS[0], None))
    });
    g.bench_function("city_60_6000_80", |b| {
        b.iter(|| greedy_variant(black_box(&pc), VARIANTS[0], None))
    });
    g.finish();
}

fn local_search(c: &mut Criterion) {
    let rural = net(Family::Rural, 15, 1000, 30);
    let city = net(Family::City, 60, 6000, 80);
    let (pr, pc) = (Prep::new(&rural), Prep::new(&city));
    let (gr, gc) = (
        greedy_variant(&pr, VARIANTS[0], None),
        greedy_variant(&pc, VARIANTS[0], None),
    );
    let limit = Limit {
        deadline: std::time::Instant::now() + Duration::from_secs(3600),
        stop: None,
    };
    let mut g = configure(c, "local_search", 10, true);
    g.bench_function("rural_15_1000_30", |b| {
        b.iter(|| improve(black_box(&pr), black_box(&gr), &limit))
    });
    g.bench_function("city_60_6000_80", |b| {
        b.iter(|| improve(black_box(&pc), black_box(&gc), &limit))
    });
    g.finish();
}

criterion_group!(benches, travel_times, prep, greedy_plan, local_search);
criterion_main!(benches);

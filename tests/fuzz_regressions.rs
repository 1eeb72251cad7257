//! Replays fuzzing results (see FUZZING.md) through the fuzz targets' own code:
//! `fuzz/src/lib.rs` is included here as a module, so an input runs exactly as the
//! fuzzer ran it, without libFuzzer.
//!
//! * every input that once crashed a target, kept in `tests/fuzz_regressions/<target>/`
//!   (one test per crash below also asserts the clean diagnostic it now gets);
//! * the whole committed corpus `fuzz/corpus/<target>/`: none of it may panic;
//! * the in-memory entry points the fuzzers use agree with the on-disk ones.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_input;

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

/// The files of `dir`, sorted (none when it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Runs `target` on every file in `dir`; fails naming each input that panics.
fn replay(dir: &str, target: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let files = inputs(&dir);
    let failed: Vec<String> = files
        .iter()
        .filter(|p| {
            // A file may vanish while a fuzzer is minimising the corpus.
            let Ok(data) = fs::read(p) else {
                return false;
            };
            panic::catch_unwind(|| target(&data)).is_err()
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(failed.is_empty(), "these inputs panic: {failed:#?}");
    files.len()
}

#[test]
fn crash_inputs_no_longer_panic() {
    replay("tests/fuzz_regressions/bundle", fuzz_input::bundle);
    replay("tests/fuzz_regressions/table", fuzz_input::table);
    replay("tests/fuzz_regressions/plan", fuzz_input::plan);
}

/// The codes the `plan` target's check reports for the `plan` input in `file`.
fn plan_codes(file: &str) -> Vec<&'static str> {
    let data = fs::read(root().join("tests/fuzz_regressions/plan").join(file)).unwrap();
    let v = fuzz_input::plan_violations(&data).unwrap();
    v.iter().map(|v| v.code).collect()
}

/// `first_period` = u64::MAX with `periods` 2 overflowed `first_period - 1 + periods`:
/// a panic with overflow checks, and in release builds an index out of bounds in
/// `profnet check`. Now: C0109 (does not fit in the day).
#[test]
fn huge_first_period_is_a_violation() {
    let codes = plan_codes("first_period_overflow");
    assert!(codes.contains(&"C0109"), "{codes:?}");
}

/// Two groups of one teacher with `periods` 2^63 each overflowed the sum of the
/// teacher's periods. Now: C0109 for each group and C0304 (too many periods).
#[test]
fn huge_teacher_periods_are_violations() {
    let codes = plan_codes("teacher_periods_sum_overflow");
    assert!(codes.contains(&"C0109"), "{codes:?}");
    assert!(codes.contains(&"C0304"), "{codes:?}");
}

#[test]
fn bundle_corpus_replays() {
    assert!(replay("fuzz/corpus/bundle", fuzz_input::bundle) > 0);
}

#[test]
fn table_corpus_replays() {
    assert!(replay("fuzz/corpus/table", fuzz_input::table) > 0);
}

#[test]
fn plan_corpus_replays() {
    assert!(replay("fuzz/corpus/plan", fuzz_input::plan) > 0);
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundle files of `dir` as `(name, bytes)`.
fn bundle_files(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    fuzz_input::BUNDLE_FILES
        .iter()
        .filter_map(|&n| fs::read(dir.join(n)).ok().map(|b| (n, b)))
        .collect()
}

#[test]
fn memory_and_disk_loads_agree() {
    let dir = root().join("data/pestrechinsky");
    let owned = bundle_files(&dir);
    let files: Vec<(&str, &[u8])> = owned.iter().map(|(n, b)| (*n, &b[..])).collect();
    let (disk, dw) = profnet::input::load(&dir).unwrap_or_else(|e| panic!("{:#?}", e.0));
    let (mem, mw) =
        profnet::input::load_from_memory(&files).unwrap_or_else(|e| panic!("{:#?}", e.0));
    assert_eq!(format!("{disk:?}"), format!("{mem:?}"));
    assert_eq!(dw, mw);

    // A broken bundle gets the same diagnostics both ways (but for the path in E0001).
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("network");
    fs::create_dir(&bad).unwrap();
    for (n, b) in &owned {
        if *n != "links.csv" {
            fs::write(bad.join(n), b).unwrap();
        }
    }
    fs::write(bad.join("Links.csv"), b"from,to,minutes\n").unwrap();
    fs::write(bad.join("rooms.csv"), b"school,id,capacity\nPES1,R,many\n").unwrap();
    let mut files: Vec<(&str, &[u8])> = Vec::new();
    for (n, b) in &owned {
        match *n {
            "links.csv" => {}
            "rooms.csv" => files.push((n, b"school,id,capacity\nPES1,R,many\n")),
            _ => files.push((n, b)),
        }
    }
    files.push(("Links.csv", b"from,to,minutes\n"));
    let disk = profnet::input::load(&bad).unwrap_err().0;
    let mem = profnet::input::load_from_memory(&files).unwrap_err().0;
    let key = |d: &profnet::diag::Diagnostic| {
        (
            d.code,
            d.file.clone(),
            d.row,
            d.column.clone(),
            d.hint.clone(),
        )
    };
    assert_eq!(
        disk.iter().map(key).collect::<Vec<_>>(),
        mem.iter().map(key).collect::<Vec<_>>()
    );
    let e0001 = mem.iter().find(|d| d.code == "E0001").unwrap();
    assert_eq!(e0001.file, "links.csv");
    assert!(e0001.hint.contains("Links.csv"), "{}", e0001.hint);
}

#[test]
fn memory_and_disk_checks_agree() {
    let net = fuzz_input::plan_network();
    let plan = root().join("fuzz/plan_network/plan");
    let read = |f: &str| fs::read(plan.join(f)).unwrap();
    let disk = profnet::check::check_plan_dir(&net, &plan).unwrap();
    let files = [
        read("groups.csv"),
        read("assignments.csv"),
        read("routes.csv"),
        read("transport.csv"),
    ];
    let input = files.join(&fuzz_input::SEP);
    let mem = fuzz_input::plan_violations(&input).unwrap();
    assert_eq!(disk, mem);
    assert!(mem.is_empty(), "the seed plan obeys SPEC §3: {mem:#?}");

    // The `plan` input format: four parts, three for a plan without transport.csv,
    // two for one without routes.csv either.
    let p = fuzz_input::split_plan(&input);
    assert_eq!(p.transport, Some(&files[3][..]));
    let two = files[..2].join(&fuzz_input::SEP);
    let p = fuzz_input::split_plan(&two);
    assert_eq!((p.groups, p.assignments), (&files[0][..], &files[1][..]));
    assert_eq!((p.routes, p.transport), (None, None));
}

/// The `plan` target reaches rule 8: the fixed network has vehicles, so students who
/// travel without riding one (the seed plan with every bus taken off its legs) break
/// rule 8, as `profnet check` finds it.
#[test]
fn the_plan_target_checks_the_bus_trips() {
    let plan = root().join("fuzz/plan_network/plan");
    let read = |f: &str| fs::read_to_string(plan.join(f)).unwrap();
    let routes = read("routes.csv");
    let header = routes.lines().next().unwrap();
    let vehicle = header.split(',').position(|c| c == "vehicle").unwrap();
    let riders: Vec<&str> = routes
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(vehicle).is_some_and(|v| !v.is_empty()))
        .collect();
    assert!(!riders.is_empty(), "the seed plan has students on buses");
    // Every leg off its bus: C0801 for each student leg between two schools.
    let off: String = routes
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            if cells[0] != "person" {
                cells[vehicle] = "";
            }
            cells.join(",") + "\n"
        })
        .collect();
    let input = [
        read("groups.csv"),
        read("assignments.csv"),
        off,
        read("transport.csv"),
    ]
    .join(&char::from(fuzz_input::SEP).to_string());
    let v = fuzz_input::plan_violations(input.as_bytes()).unwrap();
    assert!(v.iter().any(|v| v.code == "C0801"), "{v:#?}");
    fuzz_input::plan(input.as_bytes());
}

#[test]
fn bundle_input_format_round_trips() {
    let files: Vec<(&str, &[u8])> = vec![
        ("network.toml", b"name = 'x'"),
        ("rooms.csv", b""),
        ("students.csv", b"id\n"),
    ];
    let input = fuzz_input::join_bundle(&files);
    assert_eq!(fuzz_input::split_bundle(&input), files);
    assert_eq!(fuzz_input::split_bundle(&[]).len(), 8);
}

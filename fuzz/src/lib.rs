//! The bodies of the fuzz targets, and how they turn one fuzz input into the files they
//! hand to profnet.
//!
//! Shared with `tests/fuzz_regressions.rs` (which includes this file with `#[path]`), so
//! that a crash input saved by libFuzzer replays there exactly as the fuzzer ran it.
//! Only `std` and `profnet` may be used here.

use std::collections::HashMap;
use std::sync::OnceLock;

use profnet::diag::Diagnostic;
use profnet::input::table::{decode_text, parse_table};
use profnet::model::Network;

/// Target `bundle`: a whole bundle (see [`split_bundle`]) through
/// `profnet::input::load_from_memory`, then, when it loads, the extra checks of
/// `profnet::input::validate` and the travel-time graph.
pub fn bundle(data: &[u8]) {
    let files = split_bundle(data);
    match profnet::input::load_from_memory(&files) {
        Ok((net, warnings)) => {
            assert!(!warnings.iter().any(Diagnostic::is_error), "Ok with errors");
            for d in profnet::input::validate::network_warnings(&net) {
                let _ = d.to_string();
            }
            let _ = profnet::graph::TravelTimes::new(&net).components();
        }
        Err(e) => {
            assert!(e.0.iter().any(Diagnostic::is_error), "Err without an error");
            for d in &e.0 {
                let _ = d.to_string();
            }
        }
    }
}

/// Target `table`: one CSV file through `decode_text` (encodings, binary data) and
/// `parse_table` (delimiter, quotes, header, field counts), then the column helpers
/// and serde rows the bundle loader uses.
pub fn table(data: &[u8]) {
    let Ok(text) = decode_text(data, "t.csv") else {
        return;
    };
    let Ok((t, problems)) = parse_table(&text, "t.csv") else {
        return;
    };
    assert!(matches!(t.delimiter, b',' | b';' | b'\t'));
    assert!(t.header_line >= 1);
    let mut last = t.header_line;
    for row in &t.rows {
        assert_eq!(row.cells.len(), t.headers.len(), "row width");
        assert!(row.line >= last, "row lines go back");
        last = row.line;
        assert!(row.cells.iter().any(|c| !c.is_empty()), "blank row kept");
        let _: Result<HashMap<String, String>, _> = t.deserialize(row);
        let _ = t.get(row, "id");
    }
    let mut diags = problems;
    t.require(&["id", "name", "school"], &mut diags);
    t.warn_unknown(|h| h == "id", &mut diags);
    for d in &diags {
        let _ = d.to_string();
    }
}

/// Target `plan`: `groups.csv`, `assignments.csv`, `routes.csv` and `transport.csv`
/// from the input (see [`split_plan`]) checked against the fixed network of
/// [`plan_network`] (which has vehicles) by every rule, 1–8, as `profnet check` does.
pub fn plan(data: &[u8]) {
    match plan_violations(data) {
        Ok(violations) => {
            for v in &violations {
                assert!((1..=8).contains(&v.rule), "rule {}", v.rule);
                let _ = v.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// What the `plan` target's check finds in one input.
pub fn plan_violations(
    data: &[u8],
) -> Result<Vec<profnet::check::Violation>, profnet::planfile::PlanFileError> {
    static NET: OnceLock<Network> = OnceLock::new();
    let net = NET.get_or_init(plan_network);
    let p = split_plan(data);
    profnet::check::check_plan_bytes_with_transport(
        net,
        p.groups,
        p.assignments,
        p.routes,
        p.transport,
    )
}

/// Separates the files inside one fuzz input: the ASCII record separator, a control
/// character that the readers refuse inside a file anyway.
pub const SEP: u8 = 0x1e;

/// The files of a bundle (SPEC §1) in the order a `bundle` input lists them.
pub const BUNDLE_FILES: [&str; 8] = [
    "network.toml",
    "schools.csv",
    "links.csv",
    "rooms.csv",
    "courses.csv",
    "teachers.csv",
    "students.csv",
    "vehicles.csv",
];

/// Splits a `bundle` input into `(file name, bytes)` pairs for
/// [`profnet::input::load_from_memory`].
///
/// Byte 0 is a mask of *absent* files: bit `i` set means `BUNDLE_FILES[i]` is missing
/// from the bundle. The rest is the contents of the present files in order, separated
/// by [`SEP`]; a present file with no part left is empty, parts beyond the last
/// present file are ignored. An empty input is a bundle with every file present and
/// empty.
pub fn split_bundle(data: &[u8]) -> Vec<(&'static str, &[u8])> {
    let (mask, rest) = match data.split_first() {
        Some((&m, rest)) => (m, rest),
        None => (0, &[][..]),
    };
    let mut parts = rest.split(|&b| b == SEP);
    BUNDLE_FILES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) == 0)
        .map(|(_, &name)| (name, parts.next().unwrap_or(&[])))
        .collect()
}

/// Joins bundle files into a `bundle` input (the inverse of [`split_bundle`]); files
/// not in `files` are absent.
pub fn join_bundle(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut mask = 0u8;
    let mut out = Vec::new();
    let mut first = true;
    for (i, name) in BUNDLE_FILES.iter().enumerate() {
        match files.iter().find(|(n, _)| n == name) {
            Some((_, bytes)) => {
                if !first {
                    out.push(SEP);
                }
                first = false;
                out.extend_from_slice(bytes);
            }
            None => mask |= 1 << i,
        }
    }
    out.insert(0, mask);
    out
}

/// The files of one `plan` input.
pub struct PlanInput<'a> {
    pub groups: &'a [u8],
    pub assignments: &'a [u8],
    pub routes: Option<&'a [u8]>,
    pub transport: Option<&'a [u8]>,
}

/// Splits a `plan` input into `groups.csv`, `assignments.csv`, `routes.csv` and
/// `transport.csv`, separated by [`SEP`]. With fewer than three parts the plan has no
/// `routes.csv` (and a missing `assignments.csv` part is an empty file), with fewer
/// than four no `transport.csv`; parts beyond the fourth are ignored.
pub fn split_plan(data: &[u8]) -> PlanInput<'_> {
    let mut parts = data.split(|&b| b == SEP);
    PlanInput {
        groups: parts.next().unwrap_or(&[]),
        assignments: parts.next().unwrap_or(&[]),
        routes: parts.next(),
        transport: parts.next(),
    }
}

/// The bundle the `plan` target checks plans against: four schools of the
/// Pestrechinsky district (one unreachable), 48 students, `min_group = 4`.
pub fn plan_network_files() -> [(&'static str, &'static [u8]); 8] {
    [
        (
            "network.toml",
            include_bytes!("../plan_network/network.toml"),
        ),
        ("schools.csv", include_bytes!("../plan_network/schools.csv")),
        ("links.csv", include_bytes!("../plan_network/links.csv")),
        ("rooms.csv", include_bytes!("../plan_network/rooms.csv")),
        ("courses.csv", include_bytes!("../plan_network/courses.csv")),
        (
            "teachers.csv",
            include_bytes!("../plan_network/teachers.csv"),
        ),
        (
            "students.csv",
            include_bytes!("../plan_network/students.csv"),
        ),
        (
            "vehicles.csv",
            include_bytes!("../plan_network/vehicles.csv"),
        ),
    ]
}

/// The network of [`plan_network_files`], loaded.
pub fn plan_network() -> Network {
    match profnet::input::load_from_memory(&plan_network_files()) {
        Ok((net, _)) => net,
        Err(e) => panic!("fuzz/plan_network is not a valid bundle: {:?}", e.0),
    }
}

//! Data-directory cases: every `tests/cases/<name>/` holds a bundle and `expect.toml`
//! with hand-checked expectations. Each is solved, written, run through the independent
//! checker and compared with its expectations.

use std::path::Path;

use profnet::graph::TravelTimes;
use profnet::planfile::write::{write_dir_atomically, write_plan_files};
use profnet::solve::{solve, SolveOptions};

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records().map(|x| x.unwrap()).collect()
}

fn run_case(dir: &Path) -> Result<(), String> {
    let expect: toml::Table = std::fs::read_to_string(dir.join("expect.toml"))
        .map_err(|e| e.to_string())?
        .parse()
        .map_err(|e| format!("expect.toml: {e}"))?;
    let net = profnet::input::load(dir)
        .map_err(|e| format!("bundle rejected: {:?}", e.0))?
        .0;
    let outcome = solve(&net, &SolveOptions::default(), &|_| {});
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan");
    let tt = TravelTimes::new(&net);
    let k = write_dir_atomically(&plan, |d| write_plan_files(&net, &tt, &outcome, d))
        .map_err(|e| e.to_string())?;
    let violations = profnet::check::check_plan_dir(&net, &plan).map_err(|e| e.to_string())?;
    if !violations.is_empty() {
        return Err(format!("checker: {violations:?}"));
    }
    let int = |key: &str| expect.get(key).and_then(|v| v.as_integer());
    for (key, got) in [
        ("placements", k.placements),
        ("groups", k.groups),
        ("distance_groups", k.distance_groups),
    ] {
        if let Some(want) = int(key) {
            if want as usize != got {
                return Err(format!("{key}: expected {want}, got {got}"));
            }
        }
    }
    let groups = rows(&plan.join("groups.csv"));
    let header = csv::Reader::from_path(plan.join("groups.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    for g in expect
        .get("group")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let g = g.as_table().ok_or("group must be a table")?;
        let found = groups.iter().any(|row| {
            g.iter().all(|(k, v)| {
                let want = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                row.get(col(k)) == Some(want.as_str())
            })
        });
        if !found {
            return Err(format!("no group matches {g:?}; groups: {groups:?}"));
        }
    }
    let unserved = rows(&plan.join("unserved.csv"));
    for u in expect
        .get("unserved")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let u = u.as_table().ok_or("unserved must be a table")?;
        let s = |k: &str| u.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        let found = unserved.iter().any(|row| {
            row.get(0) == Some(s("student"))
                && row.get(1) == Some(s("course"))
                && row.get(3).is_some_and(|r| r.contains(s("reason_contains")))
        });
        if !found {
            return Err(format!("no unserved row matches {u:?}; rows: {unserved:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_case_directory_meets_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "cases missing under {}", root.display());
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| run_case(d).err().map(|e| format!("{}: {e}", d.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

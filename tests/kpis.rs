//! One plan, one set of figures: summary.json, the workbook's KPI sheet and the page's
//! key figures of `profnet report` agree on every figure of the catalogue, on a plan
//! whose students ride buses (their legs take the buses' times, not the roads').

mod common;

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use profnet::graph::TravelTimes;
use profnet::plan::kpi::{Unit, CATALOGUE};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The KPI sheet as key → value (numbers as f64, text as it is).
fn sheet(file: &Path, name: &str) -> HashMap<String, Data> {
    let mut wb: Xlsx<_> = open_workbook(file).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .skip(1)
        .map(|r| (r[2].to_string(), r[1].clone()))
        .collect()
}

/// The page's key figures as key → `data-value`.
fn cards(html: &str) -> HashMap<String, String> {
    html.split("data-kpi=\"")
        .skip(1)
        .map(|rest| {
            let key = rest.split('"').next().unwrap().to_string();
            let value = rest
                .split("data-value=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .to_string();
            (key, value)
        })
        .collect()
}

#[test]
fn summary_workbook_and_page_show_the_same_figures() {
    let tmp = tempfile::tempdir().unwrap();
    // The sample district: its 14 buses collect students from several villages.
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
    let plan = tmp.path().join("plan");
    common::run_profnet(&[
        "solve",
        path(&bundle),
        "--out",
        path(&plan),
        "--time-limit",
        "20",
        "--quiet",
    ]);
    let out = tmp.path().join("report");
    common::run_profnet(&[
        "report",
        path(&bundle),
        path(&plan),
        "--out",
        path(&out),
        "--date",
        "2026-09-04",
    ]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(plan.join("summary.json")).unwrap()).unwrap();
    let kpis = &summary["kpis"];

    // The plan's students ride buses whose legs take longer than the roads alone: the
    // figures without the bus plan differ, so this plan tells the two apart.
    let (net, _) = profnet::input::load(&bundle).unwrap();
    let disk = profnet::planfile::read::read_plan(&net, &plan).unwrap();
    let roads_only = profnet::plan::routes::kpis(&net, &TravelTimes::new(&net), &disk.plan);
    assert!(kpis["vehicles_used"].as_u64().unwrap() > 0);
    assert_ne!(
        kpis["student_travel_minutes"].as_u64().unwrap(),
        roads_only.student_travel_minutes,
        "the bus legs should take other times than the roads"
    );

    let workbook = sheet(&out.join("plan.xlsx"), "Показатели");
    let page = cards(&std::fs::read_to_string(out.join("index.html")).unwrap());
    for kpi in CATALOGUE {
        let json = &kpis[kpi.key];
        let cell = workbook
            .get(kpi.key)
            .unwrap_or_else(|| panic!("{} not on the KPI sheet", kpi.key));
        let card = page
            .get(kpi.key)
            .unwrap_or_else(|| panic!("{} not on the page", kpi.key));
        match kpi.unit {
            Unit::School => {
                let id = json.as_str().unwrap();
                assert_eq!(cell.to_string(), id, "{} in the workbook", kpi.key);
                assert_eq!(card, id, "{} on the page", kpi.key);
            }
            _ => {
                let v = json.as_f64().unwrap();
                let c = cell.as_f64().unwrap();
                let p: f64 = card.parse().unwrap();
                assert!(
                    (c - v).abs() < 1e-9,
                    "{}: workbook {c}, summary {v}",
                    kpi.key
                );
                assert!((p - v).abs() < 1e-9, "{}: page {p}, summary {v}", kpi.key);
            }
        }
    }
}

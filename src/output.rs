//! Writing a plan directory (SPEC §2), atomically: every file goes into a temporary
//! directory beside the target, which is renamed into place only when complete.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Network};
use crate::report::{kpis, routes, unserved, Kpis};
use crate::solve::SolveOutcome;

/// Group ids as written: `G001`, `G002`, … in the plan's canonical order.
pub fn group_id(i: usize) -> String {
    format!("G{:03}", i + 1)
}

fn csv_writer(path: &Path) -> anyhow::Result<csv::Writer<fs::File>> {
    Ok(csv::Writer::from_path(path)?)
}

/// Writes all plan files into `dir` (which must exist).
pub fn write_plan_files(
    net: &Network,
    tt: &TravelTimes,
    outcome: &SolveOutcome,
    dir: &Path,
) -> anyhow::Result<Kpis> {
    let plan = &outcome.plan;
    let mut w = csv_writer(&dir.join("groups.csv"))?;
    w.write_record([
        "group",
        "course",
        "school",
        "room",
        "teacher",
        "first_period",
        "periods",
        "mode",
        "size",
    ])?;
    for (i, g) in plan.groups.iter().enumerate() {
        let c = &net.courses[g.course.idx()];
        w.write_record([
            group_id(i),
            c.id.clone(),
            net.schools[g.school.idx()].id.clone(),
            net.rooms[g.room.idx()].id.clone(),
            net.teachers[g.teacher.idx()].id.clone(),
            (g.first + 1).to_string(),
            c.periods.to_string(),
            g.mode.as_str().to_string(),
            g.members.len().to_string(),
        ])?;
    }
    w.flush()?;

    let mut rows: Vec<(usize, usize)> = Vec::new();
    for (i, g) in plan.groups.iter().enumerate() {
        for s in &g.members {
            rows.push((s.idx(), i));
        }
    }
    rows.sort();
    let mut w = csv_writer(&dir.join("assignments.csv"))?;
    w.write_record(["student", "group"])?;
    for (s, g) in rows {
        w.write_record([net.students[s].id.as_str(), &group_id(g)])?;
    }
    w.flush()?;

    let mut w = csv_writer(&dir.join("unserved.csv"))?;
    w.write_record(["student", "course", "rank", "reason"])?;
    for u in unserved(net, tt, plan) {
        w.write_record([
            net.students[u.student.idx()].id.as_str(),
            net.courses[u.course.idx()].id.as_str(),
            &u.rank.to_string(),
            &u.reason,
        ])?;
    }
    w.flush()?;

    let mut w = csv_writer(&dir.join("routes.csv"))?;
    w.write_record([
        "person", "role", "leg", "from", "to", "depart", "arrive", "vehicle",
    ])?;
    for r in routes(net, tt, plan) {
        for (i, l) in r.legs.iter().enumerate() {
            w.write_record([
                r.person.as_str(),
                r.role,
                &(i + 1).to_string(),
                &net.schools[l.from.idx()].id,
                &net.schools[l.to.idx()].id,
                &Hhmm(l.depart).to_string(),
                &Hhmm(l.arrive).to_string(),
                "",
            ])?;
        }
    }
    w.flush()?;

    let mut w = csv_writer(&dir.join("transport.csv"))?;
    w.write_record([
        "vehicle", "trip", "stop", "school", "arrive", "depart", "board", "alight",
    ])?;
    w.flush()?;

    let k = kpis(net, tt, plan);
    let summary = summary_json(net, outcome, &k);
    let mut f = fs::File::create(dir.join("summary.json"))?;
    f.write_all(serde_json::to_string_pretty(&summary)?.as_bytes())?;
    f.write_all(b"\n")?;
    Ok(k)
}

/// The relative gap between placements and the bound.
pub fn gap(placements: usize, bound: f64) -> f64 {
    if bound <= 0.0 {
        0.0
    } else {
        ((bound - placements as f64) / bound).max(0.0)
    }
}

fn summary_json(net: &Network, o: &SolveOutcome, k: &Kpis) -> serde_json::Value {
    json!({
        "network": net.name,
        "status": o.status.as_str(),
        "objective": o.plan.placements(),
        "bound": o.bound,
        "gap": gap(o.plan.placements(), o.bound),
        "solve_seconds": (o.solve_seconds * 100.0).round() / 100.0,
        "greedy_placements": o.greedy_placements,
        "kpis": k,
        "solver_notes": o.notes,
        "profnet_version": env!("CARGO_PKG_VERSION"),
    })
}

/// Writes a directory atomically: `fill` writes into a fresh temporary directory next to
/// `out`, which then replaces `out`. On error nothing at `out` changes.
pub fn write_dir_atomically<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir(&tmp)?;
    let value = match fill(&tmp) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    if out.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(out, &old)?;
        if let Err(e) = fs::rename(&tmp, out) {
            let _ = fs::rename(&old, out);
            return Err(e.into());
        }
        fs::remove_dir_all(&old)?;
    } else {
        fs::rename(&tmp, out)?;
    }
    Ok(value)
}

/// Whether `out` lies inside (or is) `bundle`.
pub fn is_inside(out: &Path, bundle: &Path) -> bool {
    let abs = |p: &Path| {
        fs::canonicalize(p).unwrap_or_else(|_| {
            let base = std::env::current_dir().unwrap_or_default();
            base.join(p)
        })
    };
    let b = abs(bundle);
    // `out` may not exist yet: canonicalize its parent.
    let o = match (out.parent(), out.file_name()) {
        (Some(p), Some(n)) if !p.as_os_str().is_empty() => abs(p).join(n),
        _ => abs(out),
    };
    o.starts_with(&b)
}

/// Placements and kpis of a plan for printing.
pub fn text_summary(net: &Network, o: &SolveOutcome, k: &Kpis) -> String {
    format!(
        "{name}: {status}\n  placements {p} of {r} requested ({rate:.1}%), unserved choices {u}\n  \
         groups {g} ({d} distance), first-choice rate {fc:.1}%, worst school {ws} at {wr:.1}%\n  \
         travel: students {sm} min, teachers {tm} min\n  bound {b}, gap {gap:.2}%, greedy {gr}, \
         solved in {t:.1} s",
        name = net.name,
        status = o.status.as_str(),
        p = k.placements,
        r = k.requested,
        rate = 100.0 * k.placement_rate,
        u = k.unserved,
        g = k.groups,
        d = k.distance_groups,
        fc = 100.0 * k.first_choice_rate,
        ws = k.worst_school.as_deref().unwrap_or("-"),
        wr = 100.0 * k.worst_school_placement_rate,
        sm = k.student_travel_minutes,
        tm = k.teacher_travel_minutes,
        b = o.bound,
        gap = 100.0 * gap(k.placements, o.bound),
        gr = o.greedy_placements,
        t = o.solve_seconds,
    )
}

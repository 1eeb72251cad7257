//! Scenarios side by side (issue 6): the SPEC §4 KPIs of a base and its scenarios with
//! their differences to the base, who gains or loses which course, and partner
//! candidates ranked by what they add.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Network;
use crate::plan::kpi::{Better, Kpi, Kpis, Unit, CATALOGUE};
use crate::plan::Plan;

/// One solved network of a comparison.
pub struct Solved<'a> {
    /// What the tables call it, unique within a comparison: `compare` and `partners`
    /// give the scenario's name as scenario.toml writes it (the network's name for the
    /// base), never a folder slug; the workspace gives a run's id.
    pub name: String,
    pub net: &'a Network,
    pub plan: &'a Plan,
    pub kpis: Kpis,
    pub bound: f64,
}

/// The numeric figures of the catalogue, as `(key, label, kpi)`: the label is the
/// English one as a terminal row starts (`placements`, `placement rate`, ...).
fn numeric() -> impl Iterator<Item = (&'static str, String, &'static Kpi)> {
    CATALOGUE
        .iter()
        .filter(|k| k.unit != Unit::School)
        .map(|k| {
            let mut label = k.en.to_string();
            if let Some(first) = label.get(..1) {
                label.replace_range(..1, &first.to_lowercase());
            }
            (k.key, label, k)
        })
}

fn fmt_value(v: f64, share: bool) -> String {
    if share {
        format!("{:.1}%", 100.0 * v)
    } else {
        format!("{v:.0}")
    }
}

fn fmt_diff(d: f64, share: bool) -> String {
    if share {
        format!("{:+.1} pp", 100.0 * d)
    } else {
        format!("{d:+.0}")
    }
}

/// What re-running the search moves each numeric KPI (in the order of the table's
/// rows): the spread between two searches of the same network, `|a - b|` per KPI. A
/// scenario's difference to the base no larger than it is search noise, not an effect
/// of the scenario.
pub fn search_noise(a: &Kpis, b: &Kpis) -> Vec<f64> {
    numeric()
        .map(|(_, _, kpi)| (kpi.number(a).unwrap_or(0.0) - kpi.number(b).unwrap_or(0.0)).abs())
        .collect()
}

/// Whether a difference `d` is within the measured `noise` (and not none at all).
fn within_noise(d: f64, noise: Option<f64>) -> bool {
    noise.is_some_and(|n| d.abs() >= 1e-9 && d.abs() <= n + 1e-9)
}

/// What a comparison knows besides the solved networks: the search noise per numeric
/// KPI ([`search_noise`]) and, per network, the name of the network whose search found
/// the plan it shows (a network may take another's plan that obeys every rule in it
/// and is better by its own objective).
#[derive(Clone, Debug, Default)]
pub struct Extras {
    pub noise: Option<Vec<f64>>,
    pub found_by: Option<Vec<String>>,
}

/// The comparison as a table of strings: a header row, then one row per KPI with the
/// base's value and each scenario's "value (difference)".
pub fn table(all: &[Solved]) -> Vec<Vec<String>> {
    table_with(all, &Extras::default())
}

/// [`table`] with the search noise (a difference within it is marked "within search
/// noise" instead of better or worse, and a last column gives the noise) and a row
/// "plan found by".
pub fn table_with(all: &[Solved], extras: &Extras) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut head = vec!["KPI".to_string()];
    head.extend(all.iter().map(|s| s.name.clone()));
    let noise = extras.noise.as_ref();
    if noise.is_some() {
        head.push("search noise".into());
    }
    out.push(head);
    let Some(base) = all.first() else {
        return out;
    };
    for (k, (_, label, kpi)) in numeric().enumerate() {
        let share = kpi.unit == Unit::Share;
        let value = |k: &Kpis| kpi.number(k).unwrap_or(0.0);
        let b = value(&base.kpis);
        let mut row = vec![label, fmt_value(b, share)];
        let n = noise.and_then(|n| n.get(k).copied());
        for s in &all[1..] {
            let v = value(&s.kpis);
            let d = v - b;
            let mark = match kpi.better {
                _ if d.abs() < 1e-9 => "",
                _ if within_noise(d, n) => ", within search noise",
                Better::Higher if d > 0.0 => ", better",
                Better::Lower if d < 0.0 => ", better",
                Better::Neutral => "",
                _ => ", worse",
            };
            row.push(format!(
                "{} ({}{mark})",
                fmt_value(v, share),
                fmt_diff(d, share)
            ));
        }
        if let Some(n) = n {
            row.push(format!("±{}", fmt_value(n, share)));
        }
        out.push(row);
    }
    let pad = |row: &mut Vec<String>| {
        if noise.is_some() {
            row.push(String::new());
        }
    };
    let mut bound = vec![
        "bound on placements".to_string(),
        fmt_value(base.bound, false),
    ];
    for s in &all[1..] {
        bound.push(format!(
            "{} ({})",
            fmt_value(s.bound, false),
            fmt_diff(s.bound - base.bound, false)
        ));
    }
    pad(&mut bound);
    out.push(bound);
    let mut worst = vec!["worst school".to_string()];
    worst.extend(
        all.iter()
            .map(|s| s.kpis.worst_school.clone().unwrap_or_else(|| "-".into())),
    );
    pad(&mut worst);
    out.push(worst);
    if let Some(found) = &extras.found_by {
        let mut row = vec!["plan found by".to_string()];
        row.extend(all.iter().zip(found).map(|(s, f)| {
            if *f == s.name {
                "own search".to_string()
            } else {
                format!("{f}'s search")
            }
        }));
        pad(&mut row);
        out.push(row);
    }
    out
}

/// `table` aligned for a terminal.
pub fn text_table(t: &[Vec<String>]) -> String {
    let cols = t.first().map_or(0, Vec::len);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            t.iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for (i, r) in t.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, x)| {
                let pad = width[c].saturating_sub(x.chars().count());
                if c == 0 {
                    format!("{x}{}", " ".repeat(pad))
                } else {
                    format!("{}{x}", " ".repeat(pad))
                }
            })
            .collect();
        s.push_str(cells.join("  ").trim_end());
        s.push('\n');
        if i == 0 {
            let total: usize = width.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
            s.push_str(&"-".repeat(total));
            s.push('\n');
        }
    }
    s
}

/// `table` as markdown (a `|` or a line break in a cell, as a name may hold, is
/// escaped).
pub fn markdown_table(t: &[Vec<String>]) -> String {
    let mut s = String::new();
    for (i, r) in t.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .map(|c| c.replace('|', "\\|").replace(['\r', '\n'], " "))
            .collect();
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            let seps: Vec<&str> = (0..r.len())
                .map(|c| if c == 0 { "---" } else { "---:" })
                .collect();
            s.push_str(&format!("| {} |\n", seps.join(" | ")));
        }
    }
    s
}

/// comparison.csv: `kpi,<base>,<scenario>,<scenario>_diff,...`, raw numbers; each
/// network's column is headed by its [`Solved::name`].
pub fn csv_rows(all: &[Solved]) -> Vec<Vec<String>> {
    csv_rows_with(all, &Extras::default())
}

/// [`csv_rows`] with, when the noise is known, the columns `search_noise` (what
/// re-running the search moves the KPI) and `<scenario>_within_noise` (`yes` when the
/// scenario's difference is not zero and no larger than that) after the others.
pub fn csv_rows_with(all: &[Solved], extras: &Extras) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut head = vec!["kpi".to_string()];
    for (i, s) in all.iter().enumerate() {
        head.push(s.name.clone());
        if i > 0 {
            head.push(format!("{}_diff", s.name));
        }
    }
    let noise = extras.noise.as_ref();
    if noise.is_some() {
        head.push("search_noise".into());
        head.extend(
            all.iter()
                .skip(1)
                .map(|s| format!("{}_within_noise", s.name)),
        );
    }
    out.push(head);
    let Some(base) = all.first() else {
        return out;
    };
    for (k, (key, _, kpi)) in numeric().enumerate() {
        let value = |k: &Kpis| kpi.number(k).unwrap_or(0.0);
        let b = value(&base.kpis);
        let mut row = vec![key.to_string(), num(b)];
        for s in &all[1..] {
            let v = value(&s.kpis);
            row.push(num(v));
            row.push(num(v - b));
        }
        if let Some(n) = noise.map(|n| n.get(k).copied().unwrap_or(0.0)) {
            row.push(num(n));
            for s in &all[1..] {
                let d = value(&s.kpis) - b;
                row.push(
                    if within_noise(d, Some(n)) {
                        "yes"
                    } else {
                        "no"
                    }
                    .into(),
                );
            }
        }
        out.push(row);
    }
    let mut bound = vec!["bound".to_string(), num(base.bound)];
    for s in &all[1..] {
        bound.push(num(s.bound));
        bound.push(num(s.bound - base.bound));
    }
    if noise.is_some() {
        bound.push(String::new());
        bound.extend(all.iter().skip(1).map(|_| String::new()));
    }
    out.push(bound);
    out
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}

/// One course a student gains or loses in a scenario.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub scenario: String,
    pub student: String,
    pub course: String,
    /// `gained` or `lost`.
    pub change: &'static str,
    /// Where the student takes it in the base (`school` of the group; empty if not).
    pub base_school: String,
    pub scenario_school: String,
}

/// Courses (by id) each student (by id) is placed in, with the group's school.
fn placed(net: &Network, plan: &Plan) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for g in &plan.groups {
        for s in &g.members {
            out.entry(net.students[s.idx()].id.clone())
                .or_default()
                .insert(
                    net.courses[g.course.idx()].id.clone(),
                    net.schools[g.school.idx()].id.clone(),
                );
        }
    }
    out
}

/// Who gains or loses which course in each scenario against the base (students matched
/// by id; a student only in one of the two counts as gaining or losing everything).
pub fn students_changed(all: &[Solved]) -> Vec<Change> {
    let Some(base) = all.first() else {
        return Vec::new();
    };
    let b = placed(base.net, base.plan);
    let empty = BTreeMap::new();
    let mut out = Vec::new();
    for s in &all[1..] {
        let p = placed(s.net, s.plan);
        let students: BTreeSet<&String> = b.keys().chain(p.keys()).collect();
        for st in students {
            let before = b.get(st).unwrap_or(&empty);
            let after = p.get(st).unwrap_or(&empty);
            for (c, school) in before {
                if !after.contains_key(c) {
                    out.push(Change {
                        scenario: s.name.clone(),
                        student: st.clone(),
                        course: c.clone(),
                        change: "lost",
                        base_school: school.clone(),
                        scenario_school: String::new(),
                    });
                }
            }
            for (c, school) in after {
                if !before.contains_key(c) {
                    out.push(Change {
                        scenario: s.name.clone(),
                        student: st.clone(),
                        course: c.clone(),
                        change: "gained",
                        base_school: String::new(),
                        scenario_school: school.clone(),
                    });
                }
            }
        }
    }
    out
}

/// A partner candidate's value against the base.
#[derive(Clone, Debug, PartialEq)]
pub struct PartnerValue {
    pub name: String,
    pub extra_placements: i64,
    /// Change of the worst school's placement rate (percentage points).
    pub worst_school_pp: f64,
    /// Student travel minutes saved (negative: more travel).
    pub travel_saved: i64,
    /// Students granted more of their choices than in the base.
    pub students_gaining: usize,
}

/// Candidates (all but the first of `all`, the base) ranked by extra placements, then a
/// better worst school, then travel saved.
pub fn rank_partners(all: &[Solved]) -> Vec<PartnerValue> {
    let Some(base) = all.first() else {
        return Vec::new();
    };
    let changes = students_changed(all);
    let mut out: Vec<PartnerValue> = all[1..]
        .iter()
        .map(|s| PartnerValue {
            name: s.name.clone(),
            extra_placements: s.kpis.placements as i64 - base.kpis.placements as i64,
            worst_school_pp: 100.0
                * (s.kpis.worst_school_placement_rate - base.kpis.worst_school_placement_rate),
            travel_saved: base.kpis.student_travel_minutes as i64
                - s.kpis.student_travel_minutes as i64,
            students_gaining: {
                // Students with more granted choices than in the base.
                let mut net_gain: BTreeMap<&str, i64> = BTreeMap::new();
                for c in changes.iter().filter(|c| c.scenario == s.name) {
                    *net_gain.entry(c.student.as_str()).or_default() +=
                        if c.change == "gained" { 1 } else { -1 };
                }
                net_gain.values().filter(|&&g| g > 0).count()
            },
        })
        .collect();
    out.sort_by(|a, b| {
        b.extra_placements
            .cmp(&a.extra_placements)
            .then(b.worst_school_pp.total_cmp(&a.worst_school_pp))
            .then(b.travel_saved.cmp(&a.travel_saved))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// The plan of `from` expressed in the network `to` (every id matched by its string),
/// or `None` when a course, school, room, teacher or student of it is not in `to`.
pub fn transfer(from: &Network, plan: &Plan, to: &Network) -> Option<Plan> {
    use std::collections::HashMap;
    fn index<'n>(ids: impl Iterator<Item = &'n String>) -> HashMap<&'n str, usize> {
        ids.enumerate().map(|(i, s)| (s.as_str(), i)).collect()
    }
    let courses = index(to.courses.iter().map(|x| &x.id));
    let schools = index(to.schools.iter().map(|x| &x.id));
    let rooms = index(to.rooms.iter().map(|x| &x.id));
    let teachers = index(to.teachers.iter().map(|x| &x.id));
    let students = index(to.students.iter().map(|x| &x.id));
    let mut out = Plan::default();
    for g in &plan.groups {
        let members = g
            .members
            .iter()
            .map(|s| {
                students
                    .get(from.students[s.idx()].id.as_str())
                    .map(|&i| i.into())
            })
            .collect::<Option<Vec<_>>>()?;
        out.groups.push(crate::plan::Group {
            course: (*courses.get(from.courses[g.course.idx()].id.as_str())?).into(),
            school: (*schools.get(from.schools[g.school.idx()].id.as_str())?).into(),
            room: (*rooms.get(from.rooms[g.room.idx()].id.as_str())?).into(),
            teacher: (*teachers.get(from.teachers[g.teacher.idx()].id.as_str())?).into(),
            first: g.first,
            mode: g.mode,
            members,
        });
    }
    out.canonicalize();
    Some(out)
}

/// Whether `plan` obeys rules 1–7 in `net`, by the independent checker.
pub fn valid_in(net: &Network, plan: &Plan) -> bool {
    let mut groups = Vec::new();
    let mut assignments = Vec::new();
    for (i, g) in plan.groups.iter().enumerate() {
        let id = crate::planfile::write::group_id(i);
        groups.push(crate::planfile::PlanGroupRow {
            line: 0,
            group: id.clone(),
            course: net.courses[g.course.idx()].id.clone(),
            school: net.schools[g.school.idx()].id.clone(),
            room: net.rooms[g.room.idx()].id.clone(),
            teacher: net.teachers[g.teacher.idx()].id.clone(),
            first_period: g.first + 1,
            periods: net.courses[g.course.idx()].periods,
            mode: g.mode.as_str().to_string(),
            size: g.members.len(),
        });
        for s in &g.members {
            assignments.push((net.students[s.idx()].id.clone(), id.clone()));
        }
    }
    crate::check::check_plan(net, &groups, &assignments).is_empty()
}

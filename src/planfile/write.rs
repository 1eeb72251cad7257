//! Writing a plan directory (SPEC §2), atomically: every file goes into a temporary
//! directory beside the target, which is renamed into place only when complete.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Network};
use crate::plan::kpi::Kpis;
use crate::plan::outcome::SolveOutcome;
use crate::plan::routes::{kpis_with, routes_with, Route};
use crate::plan::unserved::{unserved, Unserved};
use crate::planfile::pseudonym::Pseudonyms;
use crate::planfile::{
    ASSIGNMENTS, DEPARTURES, GROUPS, ROUTES, SHORTAGES, SUMMARY, TRANSPORT, UNSERVED,
};

/// Group ids as written: `G001`, `G002`, … in the plan's canonical order.
pub fn group_id(i: usize) -> String {
    format!("G{:03}", i + 1)
}

/// Writes all plan files into `dir` (which must exist), with real student ids.
pub fn write_plan_files(
    net: &Network,
    tt: &TravelTimes,
    outcome: &SolveOutcome,
    dir: &Path,
) -> anyhow::Result<Kpis> {
    let files = PlanFiles::build(net, tt, outcome);
    files.write(dir, None)?;
    Ok(files.kpis)
}

/// Writes all plan files into `dir` and runs the independent checker (SPEC §3) on
/// them; an error when the plan breaks a rule (a bug in profnet).
pub fn write_checked_plan(
    net: &Network,
    tt: &TravelTimes,
    outcome: &SolveOutcome,
    dir: &Path,
) -> anyhow::Result<Kpis> {
    let files = PlanFiles::build(net, tt, outcome);
    files.write_checked(dir)?;
    Ok(files.kpis)
}

/// A plan's content, worked out once and then written as it is ([`PlanFiles::write`]
/// with no pseudonyms) or with every student id replaced by its pseudonym.
pub struct PlanFiles<'a> {
    net: &'a Network,
    outcome: &'a SolveOutcome,
    unserved: Vec<Unserved>,
    routes: Vec<Route>,
    pub kpis: Kpis,
    /// Ids of the plan's groups, in its order; `None`: `G001`, `G002`, … ([`group_id`]).
    group_ids: Option<Vec<String>>,
}

impl<'a> PlanFiles<'a> {
    pub fn build(net: &'a Network, tt: &TravelTimes, outcome: &'a SolveOutcome) -> Self {
        let plan = &outcome.plan;
        let transport = outcome.fleet.as_ref().map(|f| &f.transport);
        let mut unserved = unserved(net, tt, plan);
        if let Some(f) = &outcome.fleet {
            // The first reason met is the cause (a closed group follows a dropped seat).
            for u in &mut unserved {
                if let Some(d) = f
                    .dropped
                    .iter()
                    .find(|d| d.student == u.student && d.course == u.course)
                {
                    u.reason = d.reason.clone();
                } else if f.homebound.binary_search(&u.student).is_ok() {
                    u.reason = crate::plan::reason::Reason::Homebound {
                        then: Box::new(u.reason.clone()),
                    };
                }
            }
        }
        PlanFiles {
            net,
            outcome,
            unserved,
            routes: routes_with(net, tt, plan, transport),
            kpis: kpis_with(net, tt, plan, transport),
            group_ids: None,
        }
    }

    /// Writes the groups under these ids (one per group of the plan, in its order)
    /// instead of `G001`, `G002`, … (a re-plan keeps the published plan's ids).
    pub fn with_group_ids(mut self, ids: Vec<String>) -> Self {
        assert_eq!(
            ids.len(),
            self.outcome.plan.groups.len(),
            "one id per group"
        );
        self.group_ids = Some(ids);
        self
    }

    /// Replaces the unserved reason of `(student, course)` by a more specific one (a
    /// re-plan says what the change did).
    pub fn with_reasons(
        mut self,
        reasons: &[(
            crate::model::StudentId,
            crate::model::CourseId,
            crate::plan::reason::Reason,
        )],
    ) -> Self {
        for u in &mut self.unserved {
            if let Some(r) = reasons.iter().find(|r| r.0 == u.student && r.1 == u.course) {
                u.reason = r.2.clone();
            }
        }
        self
    }

    fn id_of(&self, i: usize) -> String {
        match &self.group_ids {
            Some(ids) => ids[i].clone(),
            None => group_id(i),
        }
    }

    /// Writes every plan file into `dir` (which must exist). With `pseudonyms`, every
    /// student id (assignments.csv, unserved.csv, students' legs in routes.csv, and any
    /// that free text such as reasons and solver notes might hold) is replaced by its
    /// pseudonym, rows naming students are sorted by pseudonym (the bundle's order of
    /// students would give the pseudonyms away), and summary.json says
    /// `"pseudonymized": true`. Without, rows follow the order of students.csv.
    /// Writes the files with real ids and runs the independent checker (SPEC §3) on
    /// them; an error when the plan breaks a rule (a bug in profnet).
    pub fn write_checked(&self, dir: &Path) -> anyhow::Result<()> {
        self.write(dir, None)?;
        let violations = crate::check::check_plan_dir(self.net, dir)?;
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            anyhow::bail!(
                "the plan failed its own check (a bug in profnet; nothing was written):\n{}",
                list.join("\n")
            );
        }
        Ok(())
    }

    pub fn write(&self, dir: &Path, pseudonyms: Option<&Pseudonyms>) -> anyhow::Result<()> {
        let net = self.net;
        let plan = &self.outcome.plan;
        let student = |s: usize| match pseudonyms {
            Some(p) => p.of(s),
            None => net.students[s].id.as_str(),
        };
        let text = |t: &str| match pseudonyms {
            Some(p) => p.scrub(t),
            None => t.to_string(),
        };

        let mut w = GROUPS.create(dir)?;
        for (i, g) in plan.groups.iter().enumerate() {
            let c = &net.courses[g.course.idx()];
            w.write_record([
                self.id_of(i),
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

        let mut rows: Vec<(&str, usize, usize)> = Vec::new();
        for (i, g) in plan.groups.iter().enumerate() {
            for s in &g.members {
                rows.push((
                    if pseudonyms.is_some() {
                        student(s.idx())
                    } else {
                        ""
                    },
                    s.idx(),
                    i,
                ));
            }
        }
        // By pseudonym when pseudonymised (the first field is empty otherwise).
        rows.sort();
        let mut w = ASSIGNMENTS.create(dir)?;
        for (_, s, g) in rows {
            w.write_record([student(s), &self.id_of(g)])?;
        }
        w.flush()?;

        let mut order: Vec<&Unserved> = self.unserved.iter().collect();
        if pseudonyms.is_some() {
            // Stable: a student's choices stay in rank order.
            order.sort_by_key(|u| student(u.student.idx()));
        }
        let mut w = UNSERVED.create(dir)?;
        for u in order {
            w.write_record([
                student(u.student.idx()),
                net.courses[u.course.idx()].id.as_str(),
                &u.rank.to_string(),
                &text(&u.reason.to_string()),
                &u.reason.code(),
                &text(&u.reason.figures()),
            ])?;
        }
        w.flush()?;

        // Students' routes, then teachers'; students by pseudonym when pseudonymised.
        let mut order: Vec<(&str, &Route)> = Vec::with_capacity(self.routes.len());
        for r in &self.routes {
            let person = match (pseudonyms, r.role) {
                (Some(p), "student") => p.of_id(&r.person).ok_or_else(|| {
                    anyhow::anyhow!("routes.csv: student {} has no pseudonym", r.person)
                })?,
                _ => r.person.as_str(),
            };
            order.push((person, r));
        }
        if pseudonyms.is_some() {
            order.sort_by_key(|&(person, r)| {
                (r.role != "student", (r.role == "student").then_some(person))
            });
        }
        let mut w = ROUTES.create(dir)?;
        for (person, r) in order {
            for (i, l) in r.legs.iter().enumerate() {
                w.write_record([
                    person,
                    r.role,
                    &(i + 1).to_string(),
                    &net.schools[l.from.idx()].id,
                    &net.schools[l.to.idx()].id,
                    &Hhmm(l.depart).to_string(),
                    &Hhmm(l.arrive).to_string(),
                    l.vehicle.map_or("", |v| net.vehicles[v.idx()].id.as_str()),
                ])?;
            }
        }
        w.flush()?;

        // Counts only: nobody is named in transport.csv (routes.csv says who rides).
        let mut w = TRANSPORT.create(dir)?;
        let time =
            |t: Option<crate::model::Minute>| t.map_or(String::new(), |t| Hhmm(t).to_string());
        if let Some(f) = &self.outcome.fleet {
            for t in &f.transport.trips {
                for (i, st) in t.stops.iter().enumerate() {
                    w.write_record([
                        net.vehicles[t.vehicle.idx()].id.as_str(),
                        &t.number.to_string(),
                        &(i + 1).to_string(),
                        &net.schools[st.school.idx()].id,
                        &time(st.arrive),
                        &time(st.depart),
                        &st.board.to_string(),
                        &st.alight.to_string(),
                    ])?;
                }
            }
        }
        w.flush()?;

        let mut w = DEPARTURES.create(dir)?;
        let mut rows = departures(net, &self.routes);
        for r in &mut rows {
            if r.role == "student" {
                if let Some(p) = pseudonyms {
                    r.person = p
                        .of_id(&r.person)
                        .ok_or_else(|| {
                            anyhow::anyhow!("departures.csv: student {} has no pseudonym", r.person)
                        })?
                        .to_string();
                }
            }
        }
        rows.sort();
        for r in &rows {
            w.write_record(r.record())?;
        }
        w.flush()?;

        if let Some(f) = &self.outcome.fleet {
            let mut w = SHORTAGES.create(dir)?;
            for sh in &f.shortages {
                let mut who: Vec<&str> = sh.students.iter().map(|s| student(s.idx())).collect();
                who.sort();
                w.write_record([
                    net.schools[sh.from.idx()].id.as_str(),
                    &net.schools[sh.to.idx()].id,
                    &Hhmm(sh.ready).to_string(),
                    &Hhmm(sh.due).to_string(),
                    &sh.seats.to_string(),
                    &who.join(" "),
                    &sh.cure,
                ])?;
            }
            w.flush()?;
        }

        let mut summary = summary_json(net, self.outcome, &self.kpis);
        if let Some(p) = pseudonyms {
            let notes: Vec<String> = self.outcome.notes.iter().map(|n| p.scrub(n)).collect();
            summary["solver_notes"] = json!(notes);
            summary["pseudonymized"] = json!(true);
        }
        let mut f = fs::File::create(dir.join(SUMMARY))?;
        f.write_all(serde_json::to_string_pretty(&summary)?.as_bytes())?;
        f.write_all(b"\n")?;
        Ok(())
    }
}

/// A row of departures.csv: who leaves their home school when, on which vehicle, to
/// where, and when and how they are back. Sorted by school, then time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Departure {
    pub school: String,
    pub leave: crate::model::Minute,
    pub vehicle: String,
    pub to: String,
    pub role: &'static str,
    pub person: String,
    /// Every place of the day away from home, in order.
    pub stops: Vec<String>,
    pub back: crate::model::Minute,
    pub back_vehicle: String,
}

impl Departure {
    fn record(&self) -> [String; 9] {
        [
            self.school.clone(),
            Hhmm(self.leave).to_string(),
            self.vehicle.clone(),
            self.to.clone(),
            self.role.to_string(),
            self.person.clone(),
            self.stops.join(" "),
            Hhmm(self.back).to_string(),
            self.back_vehicle.clone(),
        ]
    }
}

/// The departures of every person with legs (real ids).
pub fn departures(net: &Network, routes: &[Route]) -> Vec<Departure> {
    let vehicle = |v: Option<crate::model::VehicleId>| {
        v.map_or(String::new(), |v| net.vehicles[v.idx()].id.clone())
    };
    let mut out = Vec::new();
    for r in routes {
        let (Some(first), Some(last)) = (r.legs.first(), r.legs.last()) else {
            continue;
        };
        out.push(Departure {
            school: net.schools[first.from.idx()].id.clone(),
            leave: first.depart,
            vehicle: vehicle(first.vehicle),
            to: net.schools[first.to.idx()].id.clone(),
            role: r.role,
            person: r.person.clone(),
            stops: r.legs[..r.legs.len() - 1]
                .iter()
                .map(|l| net.schools[l.to.idx()].id.clone())
                .collect(),
            back: last.arrive,
            back_vehicle: vehicle(last.vehicle),
        });
    }
    out.sort();
    out
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
        "bound_kind": o.bound_kind.as_str(),
        "gap": gap(o.plan.placements(), o.bound),
        "solve_seconds": (o.solve_seconds * 100.0).round() / 100.0,
        "greedy_placements": o.greedy_placements,
        "kpis": k,
        "solver_notes": o.notes,
        "interrupted": o.interrupted,
        "profnet_version": env!("CARGO_PKG_VERSION"),
    })
}

/// Writes a directory atomically: `fill` writes into a fresh temporary directory next to
/// `out`, which then replaces `out`. On error nothing at `out` changes.
pub fn write_dir_atomically<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let (parent, name) = beside(out)?;
    let name = name.unwrap_or_else(|| "plan".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir(&tmp)?;
    pending(|p| p.push(tmp.clone()));
    let filled = fill(&tmp);
    // Holding the registry while renaming keeps an exit on a second Ctrl-C (which
    // takes the registry first) from landing between the two renames.
    let mut registry = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    registry.retain(|x| x != &tmp);
    let value = match filled {
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
    drop(registry);
    Ok(value)
}

/// Temporary directories being filled by [`write_dir_atomically`].
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn pending(f: impl FnOnce(&mut Vec<PathBuf>)) {
    match PENDING.lock() {
        Ok(mut g) => f(&mut g),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

/// Removes the temporary directories of writes still in progress (for a process that
/// is about to exit, e.g. on a second Ctrl-C): what was at the targets stays as it was.
pub fn remove_pending_writes() {
    pending(|p| {
        for dir in p.drain(..) {
            let _ = fs::remove_dir_all(dir);
        }
    });
}

/// Whether `out` lies inside (or is) `bundle`. Neither needs to exist: both are made
/// absolute, with their longest existing ancestor resolved (symlinks, `..`) and the rest
/// normalised by name.
pub fn is_inside(out: &Path, bundle: &Path) -> bool {
    resolve(out).starts_with(resolve(bundle))
}

/// `p` absolute: its longest existing ancestor canonicalised, `.` and `..` of the rest
/// applied by name.
fn resolve(p: &Path) -> PathBuf {
    use std::path::Component;
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    let base = loop {
        if let Ok(c) = fs::canonicalize(base) {
            break c;
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            // `..` or `.` at the end, or the root: normalise by name from here.
            _ => break PathBuf::new(),
        }
    };
    let mut out = base;
    let tail: PathBuf = if out.as_os_str().is_empty() {
        abs.clone()
    } else {
        rest.iter().rev().collect()
    };
    for c in tail.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Where `solve --pseudonymize` puts the pseudonym mapping unless told otherwise:
/// `<out>.pseudonyms.csv` beside the plan directory `out`.
pub fn default_pseudonyms_path(out: &Path) -> PathBuf {
    let beside = |p: &Path| {
        let name = p.file_name()?.to_string_lossy().into_owned();
        Some(p.with_file_name(format!("{name}.pseudonyms.csv")))
    };
    // As the user wrote `out` where it names the directory (`plans/day1`), else resolved
    // (`.`, `..`).
    beside(out)
        .or_else(|| beside(&resolve(out)))
        .unwrap_or_else(|| PathBuf::from("plan.pseudonyms.csv"))
}

/// The directory of `path` (created if missing; `.` for a bare name) and its last
/// component.
fn beside(path: &Path) -> anyhow::Result<(PathBuf, Option<String>)> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    Ok((parent, name))
}

/// Writes `bytes` to a temporary file beside `path` (creating its directory) and returns
/// the temporary file's path; renaming it onto `path` puts the file in place atomically.
pub fn stage_file(path: &Path, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let (parent, name) = beside(path)?;
    let name = name.ok_or_else(|| anyhow::anyhow!("{} is not a file name", path.display()))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut f = fs::File::create(&tmp)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(tmp)
}

/// The departure sheet for the terminal: per home school, who leaves when, on which
/// vehicle, to where, and when they are back, in counts (departures.csv names people).
/// At most `max_lines` lines; a last line says how many more there are.
pub fn departure_sheet(
    net: &Network,
    tt: &TravelTimes,
    outcome: &SolveOutcome,
    max_lines: usize,
) -> String {
    let transport = outcome.fleet.as_ref().map(|f| &f.transport);
    let routes = routes_with(net, tt, &outcome.plan, transport);
    // Per home school: who leaves (time, vehicle, first place) and who is back (time,
    // vehicle), as counts of students and teachers.
    type Count = std::collections::BTreeMap<(u32, String, String), (usize, usize)>;
    let mut per_school: std::collections::BTreeMap<String, (Count, Count)> =
        std::collections::BTreeMap::new();
    for d in departures(net, &routes) {
        let e = per_school.entry(d.school.clone()).or_default();
        let student = usize::from(d.role == "student");
        let out =
            e.0.entry((d.leave, d.vehicle.clone(), d.to.clone()))
                .or_default();
        out.0 += student;
        out.1 += 1 - student;
        let from = d.stops.last().cloned().unwrap_or_default();
        let back =
            e.1.entry((d.back, d.back_vehicle.clone(), from))
                .or_default();
        back.0 += student;
        back.1 += 1 - student;
    }
    let who = |(s, t): (usize, usize)| match (s, t) {
        (0, t) => format!("{t} teacher(s)"),
        (s, 0) => format!("{s} student(s)"),
        (s, t) => format!("{s} student(s), {t} teacher(s)"),
    };
    let by = |v: &str| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" on {v}")
        }
    };
    let mut lines = Vec::new();
    for (school, (out, back)) in &per_school {
        lines.push(format!("  {school}:"));
        for ((t, v, to), n) in out {
            lines.push(format!(
                "    leave {}{} to {to}: {}",
                Hhmm(*t),
                by(v),
                who(*n)
            ));
        }
        for ((t, v, from), n) in back {
            lines.push(format!(
                "    back  {}{} from {from}: {}",
                Hhmm(*t),
                by(v),
                who(*n)
            ));
        }
    }
    let total = lines.len();
    let mut out = String::from("departures (departures.csv has every person):\n");
    for l in lines.iter().take(max_lines) {
        out.push_str(l);
        out.push('\n');
    }
    if total > max_lines {
        out.push_str(&format!(
            "  … {} more lines in departures.csv\n",
            total - max_lines
        ));
    }
    if let Some(f) = &outcome.fleet {
        if !f.shortages.is_empty() {
            let seats: usize = f.shortages.iter().map(|s| s.seats).sum();
            out.push_str(&format!(
                "seats short: {seats} student legs in {} flows had no bus seat; shortages.csv says which, and what vehicle (where, when) would carry them\n",
                f.shortages.len()
            ));
        }
    }
    out
}

/// Placements and kpis of a plan for printing.
pub fn text_summary(net: &Network, o: &SolveOutcome, k: &Kpis) -> String {
    format!(
        "{name}: {status}\n  placements {p} of {r} requested ({rate:.1}%); choices lost {lost}, \
         first choices replaced by an alternate {alt}\n  \
         groups {g} ({d} distance), first-choice rate {fc:.1}%, worst school {ws} at {wr:.1}%\n  \
         travel: students {sm} min, teachers {tm} min{bus}\n  bound {b} ({bk}), gap {gap:.2}%, greedy {gr}, \
         solved in {t:.1} s",
        name = net.name,
        status = o.status.as_str(),
        p = k.placements,
        r = k.requested,
        rate = 100.0 * k.placement_rate,
        // unserved.csv has every first-`wants` choice not granted: those lost (no
        // placement instead) and those whose student sits in an alternate instead.
        lost = k.requested.saturating_sub(k.placements),
        alt = k
            .unserved
            .saturating_sub(k.requested.saturating_sub(k.placements)),
        g = k.groups,
        d = k.distance_groups,
        fc = 100.0 * k.first_choice_rate,
        ws = k.worst_school.as_deref().unwrap_or("-"),
        wr = 100.0 * k.worst_school_placement_rate,
        sm = k.student_travel_minutes,
        tm = k.teacher_travel_minutes,
        bus = if net.vehicles.is_empty() {
            String::new()
        } else {
            format!(
                "; buses: {} vehicles used, {} vehicle min",
                k.vehicles_used, k.vehicle_minutes
            )
        },
        b = o.bound,
        bk = o.bound_kind.words(),
        gap = 100.0 * gap(k.placements, o.bound),
        gr = o.greedy_placements,
        t = o.solve_seconds,
    ) + &if net.pins.is_empty() {
        String::new()
    } else {
        // A written plan has passed the checker, rule 9 included.
        format!(
            "\n  pins: {} groups and {} students pinned, all kept (rule 9)",
            net.pins.groups.len(),
            net.pins.students.len(),
        )
    }
}

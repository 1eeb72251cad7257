//! Reading a written plan directory (SPEC §2) back into domain terms, for the commands
//! that start from a published plan (`report`, `replan`).
//!
//! Groups keep the order and ids of groups.csv (they are *not* put in canonical order),
//! so a tool that rewrites the plan can keep every group's id.

use std::collections::HashMap;
use std::path::Path;

use crate::model::{CourseId, Network, RoomId, SchoolId, StudentId, TeacherId};
use crate::plan::kpi::{self, Kpis, Travel};
use crate::plan::routes::{routes, travel_of};
use crate::plan::{Group, Mode, Plan};
use crate::planfile::{
    read_assignment_rows, read_groups, read_routes, read_transport, read_unserved, vehicle_figures,
    PlanFileError, RouteLegRow, TransportRow, UnservedRow, ASSIGNMENTS, GROUPS, SUMMARY,
};

/// A plan as read from its directory.
#[derive(Clone, Debug)]
pub struct PlanOnDisk {
    /// Groups in the order of groups.csv, members sorted by student index.
    pub plan: Plan,
    /// The id of each group of `plan` (`G001`, …), as in groups.csv.
    pub group_ids: Vec<String>,
    /// routes.csv, when present.
    pub routes: Option<Vec<RouteLegRow>>,
    /// transport.csv, when present.
    pub transport: Option<Vec<TransportRow>>,
    /// unserved.csv, when present.
    pub unserved: Option<Vec<UnservedRow>>,
    /// summary.json, when present and valid JSON.
    pub summary: Option<serde_json::Value>,
}

fn err(file: &str, line: Option<usize>, column: Option<&str>, message: String) -> PlanFileError {
    PlanFileError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message,
    }
}

/// Reads the plan in `dir` against `net`. Every id must be known to the bundle (an
/// error names the file, line and column otherwise); the rules of SPEC §3 are *not*
/// checked here (run [`crate::check::check_plan_dir`] for that).
pub fn read_plan(net: &Network, dir: &Path) -> Result<PlanOnDisk, PlanFileError> {
    let rows = read_groups(dir)?;
    let school: HashMap<&str, usize> = ids(net.schools.iter().map(|s| s.id.as_str()));
    let course: HashMap<&str, usize> = ids(net.courses.iter().map(|s| s.id.as_str()));
    let room: HashMap<&str, usize> = ids(net.rooms.iter().map(|s| s.id.as_str()));
    let teacher: HashMap<&str, usize> = ids(net.teachers.iter().map(|s| s.id.as_str()));
    let student: HashMap<&str, usize> = ids(net.students.iter().map(|s| s.id.as_str()));
    let find = |map: &HashMap<&str, usize>, v: &str, line: usize, col: &str, what: &str| {
        map.get(v).copied().ok_or_else(|| {
            err(
                GROUPS.name,
                Some(line),
                Some(col),
                format!(
                    "{what} '{v}' is not in the bundle; was this plan made for another bundle?"
                ),
            )
        })
    };
    let mut groups = Vec::with_capacity(rows.len());
    let mut group_ids = Vec::with_capacity(rows.len());
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let line = r.line;
        if by_id.insert(r.group.clone(), i).is_some() {
            return Err(err(
                GROUPS.name,
                Some(line),
                Some("group"),
                format!("group id '{}' appears twice", r.group),
            ));
        }
        let mode = match r.mode.as_str() {
            "in_person" => Mode::InPerson,
            "distance" => Mode::Distance,
            m => {
                return Err(err(
                    GROUPS.name,
                    Some(line),
                    Some("mode"),
                    format!("mode '{m}' is neither in_person nor distance"),
                ))
            }
        };
        if r.first_period == 0 || r.first_period > net.num_periods() {
            return Err(err(
                GROUPS.name,
                Some(line),
                Some("first_period"),
                format!(
                    "first_period {} is outside the day's periods 1-{}",
                    r.first_period,
                    net.num_periods()
                ),
            ));
        }
        let c = find(&course, &r.course, line, "course", "course")?;
        let len = net.courses[c].periods;
        if r.first_period - 1 + len > net.num_periods() {
            return Err(err(
                GROUPS.name,
                Some(line),
                Some("first_period"),
                format!(
                    "course {} takes {len} period(s): starting in period {} it runs past the day's last period {}",
                    r.course,
                    r.first_period,
                    net.num_periods()
                ),
            ));
        }
        groups.push(Group {
            course: CourseId::from(c),
            school: SchoolId::from(find(&school, &r.school, line, "school", "school")?),
            room: RoomId::from(find(&room, &r.room, line, "room", "room")?),
            teacher: TeacherId::from(find(&teacher, &r.teacher, line, "teacher", "teacher")?),
            first: r.first_period - 1,
            mode,
            members: Vec::new(),
        });
        group_ids.push(r.group.clone());
    }
    for a in read_assignment_rows(dir)? {
        let (line, s, g) = (a.line, &a.student, &a.group);
        let si = student.get(s.as_str()).copied().ok_or_else(|| {
            err(
                ASSIGNMENTS.name,
                Some(line),
                Some("student"),
                format!(
                    "student '{s}' is not in the bundle (a pseudonymised plan? use the real ids)"
                ),
            )
        })?;
        let gi = by_id.get(g.as_str()).copied().ok_or_else(|| {
            err(
                ASSIGNMENTS.name,
                Some(line),
                Some("group"),
                format!("group '{g}' is not in groups.csv"),
            )
        })?;
        groups[gi].members.push(StudentId::from(si));
    }
    for g in &mut groups {
        g.members.sort();
        g.members.dedup();
    }
    let unserved = read_unserved(dir)?;
    let summary = std::fs::read(dir.join(SUMMARY))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    Ok(PlanOnDisk {
        plan: Plan { groups },
        group_ids,
        routes: read_routes(dir)?,
        transport: read_transport(dir)?,
        unserved,
        summary,
    })
}

fn ids<'a>(it: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    it.enumerate().map(|(i, s)| (s, i)).collect()
}

impl PlanOnDisk {
    /// The SPEC §4 figures of this plan as its files give them: travel from routes.csv
    /// (when the plan has none, from the legs its groups imply), vehicles from
    /// transport.csv; the same as its summary.json.
    pub fn kpis(&self, net: &Network, tt: &crate::graph::TravelTimes) -> Kpis {
        let mut travel = match &self.routes {
            Some(legs) => Travel::of_legs(legs.iter().map(|l| {
                (
                    l.role.as_str(),
                    u64::from(l.arrive.saturating_sub(l.depart)),
                )
            })),
            None => travel_of(&routes(net, tt, &self.plan)),
        };
        if let Some(t) = &self.transport {
            (travel.vehicles_used, travel.vehicle_minutes) = vehicle_figures(t);
        }
        kpi::compute(net, &self.plan, travel)
    }
}

//! Rules 1, 2, 4 and 6: every id exists and fits (1), group sizes (2), rooms (4),
//! distance mode (6); and the assignments resolved against the groups.

use std::collections::{HashMap, HashSet};

use super::{overlap, Ctx, Out, Resolved};
use crate::planfile::PlanGroupRow;

/// Rule 1 for every group and assignment; the groups resolved, with their members,
/// and each student's groups.
pub(super) fn resolve<'r>(
    ctx: &Ctx<'_>,
    groups: &'r [PlanGroupRow],
    assignments: &'r [(String, String)],
    out: &mut Out,
) -> (Vec<Resolved<'r>>, Vec<Vec<usize>>) {
    let Ctx {
        net,
        ref schools,
        ref rooms,
        ref courses,
        ref teachers,
        ref students,
        np,
        ..
    } = *ctx;
    // ---- rule 1: ids, periods, rooms, mode ----
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut resolved: Vec<Resolved> = Vec::with_capacity(groups.len());
    for (gi, row) in groups.iter().enumerate() {
        let g = &row.group;
        if g.is_empty() {
            out.push(
                1,
                "C0107",
                format!("group row {} has an empty group id", gi + 1),
            );
        } else if by_id.contains_key(g.as_str()) {
            out.push(
                1,
                "C0107",
                format!("group id {g} is used by more than one group"),
            );
        } else {
            by_id.insert(g.as_str(), gi);
        }
        let course = courses.get(row.course.as_str()).copied();
        if course.is_none() {
            out.push(
                1,
                "C0101",
                format!("group {g}: course '{}' does not exist", row.course),
            );
        }
        let school = schools.get(row.school.as_str()).copied();
        if school.is_none() {
            out.push(
                1,
                "C0102",
                format!("group {g}: school '{}' does not exist", row.school),
            );
        }
        let room = rooms.get(row.room.as_str()).copied();
        if room.is_none() {
            out.push(
                1,
                "C0103",
                format!("group {g}: room '{}' does not exist", row.room),
            );
        }
        let teacher = teachers.get(row.teacher.as_str()).copied();
        if teacher.is_none() {
            out.push(
                1,
                "C0104",
                format!("group {g}: teacher '{}' does not exist", row.teacher),
            );
        }
        let distance = match row.mode.as_str() {
            "in_person" => false,
            "distance" => true,
            other => {
                out.push(
                    1,
                    "C0113",
                    format!("group {g}: mode '{other}' is neither in_person nor distance"),
                );
                false
            }
        };
        if let Some(c) = course {
            let cp = net.courses[c].periods;
            if row.periods != cp {
                out.push(
                    1,
                    "C0108",
                    format!(
                        "group {g}: periods is {} but course {} takes {cp}",
                        row.periods, row.course
                    ),
                );
            }
        }
        let span = if row.first_period == 0 {
            out.push(
                1,
                "C0109",
                format!("group {g}: first_period is 0; periods are numbered from 1"),
            );
            None
        } else if row.periods == 0 {
            None
        } else {
            let a = row.first_period - 1;
            // Checked: both numbers come from the file and may be huge
            // (tests/fuzz_regressions/plan/).
            match a.checked_add(row.periods).filter(|&b| b <= np) {
                Some(b) => Some((a, b)),
                None => {
                    out.push(
                        1,
                        "C0109",
                        format!(
                            "group {g} occupies periods {}-{} but the day has only {np} period(s)",
                            row.first_period,
                            a.saturating_add(row.periods)
                        ),
                    );
                    None
                }
            }
        };
        if let Some(r) = room {
            let rm = &net.rooms[r];
            if let Some(s) = school {
                if rm.school.idx() != s {
                    out.push(
                        1,
                        "C0110",
                        format!(
                            "group {g}: room {} is at school {}, not at {}",
                            rm.id,
                            net.schools[rm.school.idx()].id,
                            row.school
                        ),
                    );
                }
            }
            if let Some(c) = course {
                let need = net.courses[c].room_kind;
                if rm.kind != need {
                    out.push(
                        1,
                        "C0111",
                        format!(
                            "group {g}: room {} is of kind '{}' but course {} needs '{}'",
                            rm.id,
                            net.kind_name(rm.kind),
                            row.course,
                            net.kind_name(need)
                        ),
                    );
                }
            }
            if let Some((a, b)) = span {
                let missing: Vec<String> = (a..b)
                    .filter(|&p| !rm.periods.contains(p))
                    .map(|p| (p + 1).to_string())
                    .collect();
                if !missing.is_empty() {
                    out.push(
                        1,
                        "C0112",
                        format!(
                            "group {g}: room {} is not available in period(s) {}",
                            rm.id,
                            missing.join(" ")
                        ),
                    );
                }
            }
        }
        resolved.push(Resolved {
            row,
            course,
            school,
            room,
            teacher,
            distance,
            span,
            members: Vec::new(),
        });
    }

    // Assignments (unknown ids are rule 1; repeated rows are rule 5).
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut student_groups: Vec<Vec<usize>> = vec![Vec::new(); net.students.len()];
    for (s, g) in assignments {
        let st = students.get(s.as_str()).copied();
        if st.is_none() {
            out.push(
                1,
                "C0105",
                format!("assignments.csv: student '{s}' (in group {g}) does not exist"),
            );
        }
        let gi = by_id.get(g.as_str()).copied();
        if gi.is_none() {
            out.push(
                1,
                "C0106",
                format!("assignments.csv: group '{g}' (of student {s}) is not in groups.csv"),
            );
        }
        if !seen.insert((s.as_str(), g.as_str())) {
            out.push(
                5,
                "C0506",
                format!("assignments.csv: student {s} is assigned to group {g} more than once"),
            );
            continue;
        }
        if let (Some(st), Some(gi)) = (st, gi) {
            resolved[gi].members.push(st);
            student_groups[st].push(gi);
        }
    }
    (resolved, student_groups)
}

/// Rule 2: sizes.
pub(super) fn sizes(ctx: &Ctx<'_>, resolved: &[Resolved], out: &mut Out) {
    let Ctx { net, .. } = *ctx;
    // ---- rule 2: sizes ----
    for g in resolved {
        let n = g.members.len();
        let id = &g.row.group;
        if g.row.size != n {
            out.push(
                2,
                "C0201",
                format!(
                    "group {id}: size is {} but {n} student(s) are assigned to it",
                    g.row.size
                ),
            );
        }
        if let Some(c) = g.course {
            let c = &net.courses[c];
            if (n as u64) < c.min_group as u64 {
                out.push(
                    2,
                    "C0202",
                    format!(
                        "group {} has {n} student(s); the minimum for {} is {}",
                        id, c.id, c.min_group
                    ),
                );
            }
            if (n as u64) > c.max_group as u64 {
                out.push(
                    2,
                    "C0203",
                    format!(
                        "group {} has {n} student(s); the maximum for {} is {}",
                        id, c.id, c.max_group
                    ),
                );
            }
        }
        if let (false, Some(r)) = (g.distance, g.room) {
            let rm = &net.rooms[r];
            if (n as u64) > rm.capacity as u64 {
                out.push(
                    2,
                    "C0204",
                    format!(
                        "group {id} has {n} student(s) in person but room {} seats {}",
                        rm.id, rm.capacity
                    ),
                );
            }
        }
    }
}

/// Rule 4: rooms.
pub(super) fn rooms(ctx: &Ctx<'_>, resolved: &[Resolved], out: &mut Out) {
    let Ctx { net, .. } = *ctx;
    // ---- rule 4: rooms ----
    let mut room_groups: Vec<Vec<usize>> = vec![Vec::new(); net.rooms.len()];
    for (gi, g) in resolved.iter().enumerate() {
        if let Some(r) = g.room {
            room_groups[r].push(gi);
        }
    }
    for (r, gs) in room_groups.iter().enumerate() {
        for (i, &x) in gs.iter().enumerate() {
            for &y in &gs[i + 1..] {
                if let (Some(sx), Some(sy)) = (resolved[x].span, resolved[y].span) {
                    if let Some(p) = overlap(sx, sy) {
                        out.push(
                            4,
                            "C0401",
                            format!(
                                "room {} holds {} and {} at the same time (period {})",
                                net.rooms[r].id,
                                resolved[x].row.group,
                                resolved[y].row.group,
                                p + 1
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Rule 6: distance mode.
pub(super) fn distance(ctx: &Ctx<'_>, resolved: &[Resolved], out: &mut Out) {
    let Ctx { net, .. } = *ctx;
    // ---- rule 6: distance mode ----
    for g in resolved {
        if let (true, Some(c)) = (g.distance, g.course) {
            if !net.courses[c].distance {
                out.push(
                    6,
                    "C0601",
                    format!(
                        "group {} is taught at a distance but course {} may not be",
                        g.row.group, g.row.course
                    ),
                );
            }
        }
    }
}

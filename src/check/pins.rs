//! Rule 9: the pins of SPEC §8 are kept. Every pinned group of `net.pins` has a group of
//! its own in groups.csv with the pinned course, school and first period and every
//! attribute the pin fixes (room, teacher, mode), compared as the plan's strings; every
//! pinned student sits in a group of the pinned course, and in the group of the pinned
//! group when the pin names one.
//!
//! Two pins never share one plan group: pins are matched to the plan groups that fit
//! them by augmenting paths (a maximum matching), each pin trying first the groups that
//! hold most of its pinned students, so that a plan that keeps the pins is always found
//! to keep them.

use super::{Ctx, Out, Resolved};
use crate::model::PinnedGroup;

/// The pinned group of `pinned_groups.csv`, line `line`, for messages.
fn pin_label(ctx: &Ctx<'_>, p: &PinnedGroup) -> String {
    let net = ctx.net;
    let mut parts = vec![
        format!("course {}", net.courses[p.course.idx()].id),
        format!("school {}", net.schools[p.school.idx()].id),
        format!("first period {}", p.first + 1),
    ];
    if let Some(r) = p.room {
        parts.push(format!("room {}", net.rooms[r.idx()].id));
    }
    if let Some(t) = p.teacher {
        parts.push(format!("teacher {}", net.teachers[t.idx()].id));
    }
    if let Some(d) = p.distance {
        parts.push(format!("mode {}", mode(d)));
    }
    let id =
        p.id.as_ref()
            .map(|id| format!(" '{id}'"))
            .unwrap_or_default();
    format!(
        "pinned group{id} (pinned_groups.csv, line {}: {})",
        p.line,
        parts.join(", ")
    )
}

fn mode(distance: bool) -> &'static str {
    if distance {
        "distance"
    } else {
        "in_person"
    }
}

/// What of pin `p` the plan group `g` does not keep (empty: it keeps every pinned
/// attribute).
fn differences(ctx: &Ctx<'_>, p: &PinnedGroup, g: &Resolved) -> Vec<String> {
    let net = ctx.net;
    let row = g.row;
    let mut out = Vec::new();
    let course = &net.courses[p.course.idx()].id;
    if row.course != *course {
        out.push(format!("course {} instead of {course}", row.course));
    }
    let school = &net.schools[p.school.idx()].id;
    if row.school != *school {
        out.push(format!("school {} instead of {school}", row.school));
    }
    if row.first_period != p.first + 1 {
        out.push(format!(
            "first period {} instead of {}",
            row.first_period,
            p.first + 1
        ));
    }
    if let Some(r) = p.room {
        let room = &net.rooms[r.idx()].id;
        if row.room != *room {
            out.push(format!("room {} instead of {room}", row.room));
        }
    }
    if let Some(t) = p.teacher {
        let teacher = &net.teachers[t.idx()].id;
        if row.teacher != *teacher {
            out.push(format!("teacher {} instead of {teacher}", row.teacher));
        }
    }
    if let Some(d) = p.distance {
        if row.mode != mode(d) {
            out.push(format!("mode {} instead of {}", row.mode, mode(d)));
        }
    }
    out
}

/// Kuhn's augmenting path from pin `p`: `owner[g]` is the pin matched to plan group `g`.
fn augment(
    p: usize,
    candidates: &[Vec<usize>],
    owner: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    for &g in &candidates[p] {
        if seen[g] {
            continue;
        }
        seen[g] = true;
        let free = match owner[g] {
            None => true,
            Some(q) => augment(q, candidates, owner, seen),
        };
        if free {
            owner[g] = Some(p);
            return true;
        }
    }
    false
}

/// Rule 9 (C0901–C0903).
pub(super) fn pins(
    ctx: &Ctx<'_>,
    resolved: &[Resolved],
    student_groups: &[Vec<usize>],
    out: &mut Out,
) {
    let net = ctx.net;
    let pins = &net.pins;
    if pins.is_empty() {
        return;
    }
    // The plan groups that keep each pin, those holding most of its students first.
    let candidates: Vec<Vec<usize>> = pins
        .groups
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let mut c: Vec<(usize, usize)> = resolved
                .iter()
                .enumerate()
                .filter(|(_, g)| differences(ctx, p, g).is_empty())
                .map(|(gi, g)| {
                    let kept = pins
                        .students
                        .iter()
                        .filter(|s| s.group == Some(pi) && g.members.contains(&s.student.idx()))
                        .count();
                    (gi, kept)
                })
                .collect();
            c.sort_by_key(|&(gi, kept)| (std::cmp::Reverse(kept), gi));
            c.into_iter().map(|(gi, _)| gi).collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; resolved.len()];
    for p in 0..pins.groups.len() {
        let mut seen = vec![false; resolved.len()];
        augment(p, &candidates, &mut owner, &mut seen);
    }
    let mut matched: Vec<Option<usize>> = vec![None; pins.groups.len()];
    for (g, p) in owner.iter().enumerate() {
        if let Some(p) = *p {
            matched[p] = Some(g);
        }
    }

    for (pi, p) in pins.groups.iter().enumerate() {
        if matched[pi].is_some() {
            continue;
        }
        let why = if !candidates[pi].is_empty() {
            "every group of the plan that keeps it is already the group of another pin that \
             is the same"
                .to_string()
        } else {
            // The nearest group: same course, then fewest differences.
            let course = &net.courses[p.course.idx()].id;
            match resolved
                .iter()
                .filter(|g| g.row.course == *course)
                .map(|g| (differences(ctx, p, g), g))
                .min_by_key(|(d, _)| d.len())
            {
                Some((d, g)) => format!(
                    "no group of the plan has all of it; the nearest, {}, has {}",
                    g.row.group,
                    d.join(", ")
                ),
                None => format!("the plan has no group of {course}"),
            }
        };
        out.push(
            9,
            "C0901",
            format!("{} is not in groups.csv: {why}", pin_label(ctx, p)),
        );
    }

    for s in &pins.students {
        let st = &net.students[s.student.idx()];
        let course = &net.courses[s.course.idx()].id;
        let mine: Vec<usize> = student_groups
            .get(s.student.idx())
            .map(|gs| {
                gs.iter()
                    .copied()
                    .filter(|&g| resolved[g].row.course == *course)
                    .collect()
            })
            .unwrap_or_default();
        if mine.is_empty() {
            out.push(
                9,
                "C0902",
                format!(
                    "student {} is pinned to course {course} (pinned_students.csv, line {}) \
                     but is in no group of it",
                    st.id, s.line
                ),
            );
            continue;
        }
        let Some(pg) = s.group else { continue };
        let Some(p) = pins.groups.get(pg) else {
            continue;
        };
        let inside = matched[pg].is_some_and(|g| mine.contains(&g));
        if !inside {
            let theirs: Vec<&str> = mine
                .iter()
                .map(|&g| resolved[g].row.group.as_str())
                .collect();
            let pinned = match matched[pg] {
                Some(g) => format!("the plan's group {}", resolved[g].row.group),
                None => "a group the plan does not have".to_string(),
            };
            out.push(
                9,
                "C0903",
                format!(
                    "student {} (pinned_students.csv, line {}) is in group {} of {course}, \
                     not in the {} ({pinned})",
                    st.id,
                    s.line,
                    theirs.join(", "),
                    pin_label(ctx, p)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{check_plan, Violation};
    use crate::model::Network;
    use crate::planfile::PlanGroupRow;

    /// Two schools 10 minutes apart, three periods; MATH (in person) and ECON (distance
    /// allowed); 12 students at A who chose both; the given pin files.
    fn pinned(groups: &str, students: &str) -> Network {
        let students_csv: String = std::iter::once("id,school,grade,choice_1,choice_2\n".into())
            .chain((1..=12).map(|i| format!("X{i:03},A,10,MATH,ECON\n")))
            .collect();
        let files: Vec<(&str, &[u8])> = vec![
            (
                "network.toml",
                b"name = \"t\"\nday_start = \"08:00\"\nday_end = \"17:00\"\nperiods = [\"09:00-09:45\", \"09:55-10:40\", \"10:50-11:35\"]\nmin_group = 5\nmax_group = 25\n",
            ),
            ("schools.csv", b"id,name\nA,School A\nB,School B\n"),
            ("links.csv", b"from,to,minutes\nA,B,10\n"),
            (
                "rooms.csv",
                b"school,id,capacity\nA,A-R1,25\nA,A-R2,25\nB,B-R1,25\n",
            ),
            (
                "courses.csv",
                b"id,name,distance\nMATH,Math,no\nECON,Economics,yes\n",
            ),
            (
                "teachers.csv",
                b"id,name,school,courses\nT1,One,A,MATH\nT2,Two,B,ECON\nT3,Three,A,MATH\n",
            ),
            ("students.csv", students_csv.as_bytes()),
            ("pinned_groups.csv", groups.as_bytes()),
            ("pinned_students.csv", students.as_bytes()),
        ];
        match crate::input::load_from_memory(&files) {
            Ok((net, _)) => net,
            Err(e) => panic!("{:?}", e.0),
        }
    }

    const GROUPS: &str = "course,school,first_period,room,teacher,mode,id\n\
                          MATH,A,2,A-R1,T1,in_person,G1\n\
                          ECON,B,1,,,,\n";
    const STUDENTS: &str = "student,course,group\nX001,MATH,G1\nX002,ECON,\n";

    fn group(id: &str, course: &str, school: &str, room: &str, teacher: &str) -> PlanGroupRow {
        PlanGroupRow {
            line: 0,
            group: id.into(),
            course: course.into(),
            school: school.into(),
            room: room.into(),
            teacher: teacher.into(),
            first_period: 1,
            periods: 1,
            mode: "in_person".into(),
            size: 12,
        }
    }

    /// A valid plan that keeps the pins: MATH g1 at A in period 2, ECON g2 from B by
    /// distance in period 1, every student in both.
    fn plan() -> (Vec<PlanGroupRow>, Vec<(String, String)>) {
        let mut g1 = group("g1", "MATH", "A", "A-R1", "T1");
        g1.first_period = 2;
        let mut g2 = group("g2", "ECON", "B", "B-R1", "T2");
        g2.mode = "distance".into();
        let a = (1..=12)
            .flat_map(|i| {
                let s = format!("X{i:03}");
                [(s.clone(), "g1".to_string()), (s, "g2".to_string())]
            })
            .collect();
        (vec![g1, g2], a)
    }

    fn codes(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(|v| v.code).collect()
    }

    #[test]
    fn a_plan_that_keeps_the_pins_passes() {
        let net = pinned(GROUPS, STUDENTS);
        assert_eq!(net.pins.groups.len(), 2);
        let (g, a) = plan();
        let v = check_plan(&net, &g, &a);
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn a_pinned_group_that_did_not_open_as_pinned_is_c0901() {
        let net = pinned(GROUPS, STUDENTS);
        let (mut g, a) = plan();
        g[0].first_period = 3;
        let v = check_plan(&net, &g, &a);
        let c0901: Vec<&Violation> = v.iter().filter(|v| v.code == "C0901").collect();
        assert_eq!(c0901.len(), 1, "{v:?}");
        assert_eq!(c0901[0].rule, 9);
        let m = &c0901[0].message;
        assert!(m.contains("line 2") && m.contains("'G1'"), "{m}");
        assert!(
            m.contains("g1") && m.contains("first period 3 instead of 2"),
            "{m}"
        );
        // Its pinned student is then not in the pinned group either.
        assert!(codes(&v).contains(&"C0903"), "{v:?}");

        // Another teacher or room than pinned is not the pinned group either.
        let (mut g, a) = plan();
        g[0].teacher = "T3".into();
        let v = check_plan(&net, &g, &a);
        assert!(codes(&v).contains(&"C0901"), "{v:?}");
        let (mut g, a) = plan();
        g[0].room = "A-R2".into();
        let v = check_plan(&net, &g, &a);
        assert!(codes(&v).contains(&"C0901"), "{v:?}");
        // The ECON pin leaves room, teacher and mode open: any ECON group at B in period 1.
        let (mut g, a) = plan();
        g[1].mode = "in_person".into();
        g[1].school = "A".into();
        g[1].room = "A-R2".into();
        let v = check_plan(&net, &g, &a);
        let m: Vec<&str> = v
            .iter()
            .filter(|v| v.code == "C0901")
            .map(|v| v.message.as_str())
            .collect();
        assert_eq!(m.len(), 1, "{v:?}");
        assert!(m[0].contains("school A instead of B"), "{}", m[0]);
        // A pinned mode must be kept.
        let net = pinned(
            "course,school,first_period,mode\nECON,B,1,in_person\n",
            "student,course\n",
        );
        let (g, a) = plan();
        let v = check_plan(&net, &g, &a);
        assert_eq!(codes(&v), ["C0901"], "{v:?}");
        assert!(v[0].message.contains("mode distance instead of in_person"));
    }

    #[test]
    fn a_pinned_student_outside_the_course_is_c0902() {
        let net = pinned(GROUPS, STUDENTS);
        let (mut g, mut a) = plan();
        a.retain(|(s, gr)| !(s == "X002" && gr == "g2"));
        g[1].size = 11;
        let v = check_plan(&net, &g, &a);
        assert_eq!(codes(&v), ["C0902"], "{v:?}");
        assert!(v[0].message.contains("X002") && v[0].message.contains("line 3"));
    }

    #[test]
    fn a_pinned_student_in_another_group_of_the_course_is_c0903() {
        let net = pinned(GROUPS, STUDENTS);
        let (mut g, mut a) = plan();
        let mut g3 = group("g3", "MATH", "A", "A-R2", "T3");
        g3.first_period = 2;
        // X001 moves to another MATH group at the same time (sizes do not matter for
        // rule 9).
        for (s, gr) in a.iter_mut() {
            if s == "X001" && gr == "g1" {
                *gr = "g3".into();
            }
        }
        g3.size = 1;
        g[0].size = 11;
        g.push(g3);
        let v: Vec<Violation> = check_plan(&net, &g, &a)
            .into_iter()
            .filter(|v| v.rule == 9)
            .collect();
        assert_eq!(codes(&v), ["C0903"], "{v:?}");
        assert!(v[0].message.contains("X001") && v[0].message.contains("g3"));
        assert!(
            v[0].message.contains("the plan's group g1"),
            "{}",
            v[0].message
        );
    }

    #[test]
    fn two_equal_pins_need_two_groups_and_are_matched_by_their_students() {
        let groups = "course,school,first_period,id\nMATH,A,2,P\nMATH,A,2,Q\n";
        let students = "student,course,group\nX001,MATH,P\nX002,MATH,Q\n";
        let net = pinned(groups, students);
        // g1 holds X002 (pin Q), g3 holds X001 (pin P): the matching finds it.
        let mut g1 = group("g1", "MATH", "A", "A-R1", "T1");
        g1.first_period = 2;
        let mut g3 = group("g3", "MATH", "A", "A-R2", "T3");
        g3.first_period = 2;
        let a: Vec<(String, String)> =
            vec![("X002".into(), "g1".into()), ("X001".into(), "g3".into())];
        let v: Vec<Violation> = check_plan(&net, &[g1.clone(), g3], &a)
            .into_iter()
            .filter(|v| v.rule == 9)
            .collect();
        assert!(v.is_empty(), "{v:?}");
        // One group for two pins: one pin is not kept.
        let a: Vec<(String, String)> =
            vec![("X002".into(), "g1".into()), ("X001".into(), "g1".into())];
        let v: Vec<Violation> = check_plan(&net, &[g1], &a)
            .into_iter()
            .filter(|v| v.rule == 9)
            .collect();
        assert_eq!(codes(&v), ["C0901", "C0903"], "{v:?}");
        assert!(v[0].message.contains("another pin"), "{}", v[0].message);
    }
}

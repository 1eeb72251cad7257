//! Unserved choices, each with a reason a planner can act on (unserved.csv).

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Network, SchoolId, StudentId, TeacherId};
use crate::plan::{stay_alone_fits, stays_compatible, Mode, Plan, Stay};

/// One choice within a student's first `wants` that was not granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unserved {
    pub student: StudentId,
    pub course: crate::model::CourseId,
    pub rank: usize,
    pub reason: String,
}

fn periods_label(first: usize, len: usize) -> String {
    if len == 1 {
        format!("period {}", first + 1)
    } else {
        format!("periods {}-{}", first + 1, first + len)
    }
}

/// Per course: students who chose it, whose grade it admits, and who could attend it
/// somewhere: by distance where allowed, else at a school with a room of its kind that
/// a qualified teacher can teach at, reachable there and back within the day.
pub fn requesters_within_reach(net: &Network, tt: &TravelTimes) -> Vec<usize> {
    let np = net.num_periods();
    net.courses
        .iter()
        .enumerate()
        .map(|(ci, course)| {
            let c = crate::model::CourseId::from(ci);
            let len = course.periods;
            let mut slots: Vec<Stay> = Vec::new();
            for (h, _) in net.schools.iter().enumerate() {
                let host = SchoolId::from(h);
                let has_room = net
                    .rooms
                    .iter()
                    .any(|r| r.school == host && r.kind == course.room_kind);
                let has_teacher = net
                    .teachers
                    .iter()
                    .any(|t| t.can_teach(c) && (t.travels || t.school == host));
                if has_room && has_teacher && len <= np {
                    for first in 0..=np - len {
                        slots.push(Stay {
                            place: host,
                            start: net.periods[first].start,
                            end: net.periods[first + len - 1].end,
                        });
                    }
                }
            }
            net.students
                .iter()
                .filter(|st| st.choices.contains(&c) && course.admits(st.grade))
                .filter(|st| {
                    course.distance
                        || slots
                            .iter()
                            .any(|&s| stay_alone_fits(net, tt, st.school, s))
                })
                .count()
        })
        .collect()
}

/// Every unserved choice with a reason a planner can act on.
pub fn unserved(net: &Network, tt: &TravelTimes, plan: &Plan) -> Vec<Unserved> {
    let by_student = plan.student_groups(net);
    let requesters = requesters_within_reach(net, tt);
    let mut out = Vec::new();
    for (s, st) in net.students.iter().enumerate() {
        let granted: Vec<usize> = by_student[s].clone();
        for (r, &c) in st.choices.iter().enumerate().take(st.requested()) {
            if granted.iter().any(|&g| plan.groups[g].course == c) {
                continue;
            }
            let reason = reason_for(net, tt, plan, s, c, &granted, requesters[c.idx()]);
            out.push(Unserved {
                student: StudentId::from(s),
                course: c,
                rank: r + 1,
                reason,
            });
        }
    }
    out
}

fn reason_for(
    net: &Network,
    tt: &TravelTimes,
    plan: &Plan,
    s: usize,
    c: crate::model::CourseId,
    granted: &[usize],
    requesters: usize,
) -> String {
    let st = &net.students[s];
    let course = &net.courses[c.idx()];
    if !course.admits(st.grade) {
        let grades = course.grades_label();
        return format!(
            "{} admits grade(s) {grades} only; the student is in grade {}",
            course.id, st.grade
        );
    }
    let groups: Vec<usize> = (0..plan.groups.len())
        .filter(|&g| plan.groups[g].course == c)
        .collect();
    if groups.is_empty() {
        let teachers: Vec<TeacherId> = (0..net.teachers.len())
            .map(TeacherId::from)
            .filter(|t| net.teachers[t.idx()].can_teach(c))
            .collect();
        if teachers.is_empty() {
            return format!("no teacher in the network can teach {}", course.id);
        }
        if !net.rooms.iter().any(|r| r.kind == course.room_kind) {
            return format!(
                "no room of kind '{}' in the network for {}",
                net.kind_name(course.room_kind),
                course.id
            );
        }
        if requesters < course.min_group as usize {
            return format!(
                "only {requesters} students within reach chose it; minimum is {}",
                course.min_group
            );
        }
        let names: Vec<&str> = teachers
            .iter()
            .map(|t| net.teachers[t.idx()].id.as_str())
            .collect();
        return format!(
            "no group opened: {requesters} students chose it but no {} of them could meet \
             at one time and place with a free qualified teacher ({}) and a free room of \
             kind '{}'",
            course.min_group,
            names.join(" "),
            net.kind_name(course.room_kind)
        );
    }
    let rank = st.rank_of(c).unwrap_or(0);
    let alternates: Vec<usize> = granted
        .iter()
        .copied()
        .filter(|&g| st.rank_of(plan.groups[g].course).unwrap_or(0) > st.wants)
        .collect();
    if alternates.is_empty() {
        return why_no_group(net, tt, plan, st, c, &groups, granted).unwrap_or_else(|| {
            format!(
                "not placed: the open group(s) of {} were filled by other students",
                course.id
            )
        });
    }
    // Placed in an alternate instead: say what stood in the way of this choice, counting
    // only higher-ranked choices as obstacles.
    let higher: Vec<usize> = granted
        .iter()
        .copied()
        .filter(|&g| st.rank_of(plan.groups[g].course).unwrap_or(0) < rank)
        .collect();
    let alt_names: Vec<String> = alternates
        .iter()
        .map(|&g| {
            let ac = plan.groups[g].course;
            format!(
                "{} (choice {})",
                net.courses[ac.idx()].id,
                st.rank_of(ac).unwrap_or(0)
            )
        })
        .collect();
    let instead = format!("placed in alternate {} instead", alt_names.join(", "));
    match why_no_group(net, tt, plan, st, c, &groups, &higher) {
        Some(why) => format!("{why}; {instead}"),
        None => {
            let needed = alternates.iter().find(|&&g| {
                let grp = &plan.groups[g];
                grp.members.len() <= net.courses[grp.course.idx()].min_group as usize
            });
            match needed {
                Some(&g) => format!(
                    "{instead}: that group needs this student to keep its minimum of {}",
                    net.courses[plan.groups[g].course.idx()].min_group
                ),
                None => {
                    format!("{instead}: moving the student would cost another student's placement")
                }
            }
        }
    }
}

/// Why none of the open `groups` of course `c` can take the student, given the groups
/// in `blockers` that the student keeps; `None` when one could.
fn why_no_group(
    net: &Network,
    tt: &TravelTimes,
    plan: &Plan,
    st: &crate::model::Student,
    c: crate::model::CourseId,
    groups: &[usize],
    blockers: &[usize],
) -> Option<String> {
    let course = &net.courses[c.idx()];
    // Why none of the open groups fits this student.
    let mut clash = None;
    let mut travel: Option<usize> = None;
    let mut full = 0;
    for &g in groups {
        let grp = &plan.groups[g];
        let stay = Stay {
            place: grp.student_location(st.school),
            start: grp.start(net),
            end: grp.end(net),
        };
        if !stay_alone_fits(net, tt, st.school, stay) {
            travel.get_or_insert(g);
            continue;
        }
        let blocking = blockers.iter().find(|&&h| {
            let other = &plan.groups[h];
            let ostay = Stay {
                place: other.student_location(st.school),
                start: other.start(net),
                end: other.end(net),
            };
            !stays_compatible(tt, stay, ostay)
        });
        if let Some(&h) = blocking {
            clash.get_or_insert((g, h));
            continue;
        }
        let cap = match grp.mode {
            Mode::InPerson => course.max_group.min(net.rooms[grp.room.idx()].capacity),
            Mode::Distance => course.max_group,
        } as usize;
        if grp.members.len() >= cap {
            full += 1;
        }
    }
    if let Some((g, h)) = clash {
        let grp = &plan.groups[g];
        let other = &plan.groups[h];
        let same_time = grp.start(net) < other.end(net) && other.start(net) < grp.end(net);
        let orank = st.rank_of(other.course).unwrap_or(0);
        let what = if orank < st.rank_of(c).unwrap_or(0) {
            "higher-ranked"
        } else {
            "granted"
        };
        return Some(if same_time {
            format!(
                "clashes with {what} choice {} ({}); {} runs in {}",
                net.courses[other.course.idx()].id,
                periods_label(other.first, net.courses[other.course.idx()].periods),
                course.id,
                periods_label(grp.first, course.periods)
            )
        } else {
            format!(
                "no time to travel between {} at {} and {} at {}",
                net.courses[other.course.idx()].id,
                net.schools[other.student_location(st.school).idx()].id,
                course.id,
                net.schools[grp.student_location(st.school).idx()].id
            )
        });
    }
    if let Some(g) = travel {
        let grp = &plan.groups[g];
        let host = grp.school;
        return Some(match tt.get(st.school, host) {
            Some(m) => format!(
                "travel from {} to {} takes {m} min; the group starts at {} and the day runs {}-{}",
                net.schools[st.school.idx()].id,
                net.schools[host.idx()].id,
                Hhmm(grp.start(net)),
                Hhmm(net.day_start),
                Hhmm(net.day_end)
            ),
            None => format!(
                "{} cannot be reached from {} (no road link)",
                net.schools[host.idx()].id,
                net.schools[st.school.idx()].id
            ),
        });
    }
    if full > 0 {
        return Some(format!(
            "all {} open group(s) of {} are full",
            groups.len(),
            course.id
        ));
    }
    None
}

//! Unserved choices, each with a reason a planner can act on (unserved.csv).

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Network, SchoolId, StudentId, TeacherId};
use crate::plan::reason::Reason;
use crate::plan::{stay_alone_fits, stays_compatible, Mode, Plan, Stay};

/// One choice within a student's first `wants` that was not granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unserved {
    pub student: StudentId,
    pub course: crate::model::CourseId,
    pub rank: usize,
    pub reason: Reason,
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
) -> Reason {
    let st = &net.students[s];
    let course = &net.courses[c.idx()];
    if !course.admits(st.grade) {
        return Reason::GradeNotAdmitted {
            course: course.id.clone(),
            grades: course.grades_label(),
            grade: st.grade.to_string(),
        };
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
            return Reason::NoTeacher {
                course: course.id.clone(),
            };
        }
        if !net.rooms.iter().any(|r| r.kind == course.room_kind) {
            return Reason::NoRoomKind {
                kind: net.kind_name(course.room_kind).to_string(),
                course: course.id.clone(),
            };
        }
        if requesters < course.min_group as usize {
            return Reason::FewWithinReach {
                requesters,
                min: course.min_group,
            };
        }
        return Reason::NoMeeting {
            requesters,
            min: course.min_group,
            teachers: teachers
                .iter()
                .map(|t| net.teachers[t.idx()].id.clone())
                .collect(),
            kind: net.kind_name(course.room_kind).to_string(),
        };
    }
    let rank = st.rank_of(c).unwrap_or(0);
    let alternates: Vec<usize> = granted
        .iter()
        .copied()
        .filter(|&g| st.rank_of(plan.groups[g].course).unwrap_or(0) > st.wants)
        .collect();
    if alternates.is_empty() {
        return why_no_group(net, tt, plan, st, c, &groups, granted).unwrap_or_else(|| {
            Reason::GroupsFilled {
                course: course.id.clone(),
            }
        });
    }
    // Placed in an alternate instead: say what stood in the way of this choice, counting
    // only higher-ranked choices as obstacles.
    let higher: Vec<usize> = granted
        .iter()
        .copied()
        .filter(|&g| st.rank_of(plan.groups[g].course).unwrap_or(0) < rank)
        .collect();
    let alts: Vec<(String, usize)> = alternates
        .iter()
        .map(|&g| {
            let ac = plan.groups[g].course;
            (
                net.courses[ac.idx()].id.clone(),
                st.rank_of(ac).unwrap_or(0),
            )
        })
        .collect();
    match why_no_group(net, tt, plan, st, c, &groups, &higher) {
        Some(why) => Reason::AlternateBecause {
            why: Box::new(why),
            alternates: alts,
        },
        None => {
            let needed = alternates.iter().find(|&&g| {
                let grp = &plan.groups[g];
                grp.members.len() <= net.courses[grp.course.idx()].min_group as usize
            });
            match needed {
                Some(&g) => Reason::AlternateKeepsMinimum {
                    alternates: alts,
                    min: net.courses[plan.groups[g].course.idx()].min_group,
                },
                None => Reason::AlternateCostsPlacement { alternates: alts },
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
) -> Option<Reason> {
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
        let higher = orank < st.rank_of(c).unwrap_or(0);
        return Some(if same_time {
            Reason::Clash {
                higher,
                other: net.courses[other.course.idx()].id.clone(),
                other_first: other.first,
                other_len: net.courses[other.course.idx()].periods,
                course: course.id.clone(),
                first: grp.first,
                len: course.periods,
            }
        } else {
            Reason::NoTimeToTravel {
                other: net.courses[other.course.idx()].id.clone(),
                other_school: net.schools[other.student_location(st.school).idx()]
                    .id
                    .clone(),
                course: course.id.clone(),
                school: net.schools[grp.student_location(st.school).idx()]
                    .id
                    .clone(),
            }
        });
    }
    if let Some(g) = travel {
        let grp = &plan.groups[g];
        let host = grp.school;
        return Some(match tt.get(st.school, host) {
            Some(m) => Reason::TravelTooLong {
                from: net.schools[st.school.idx()].id.clone(),
                to: net.schools[host.idx()].id.clone(),
                minutes: m,
                start: Hhmm(grp.start(net)).to_string(),
                day_start: Hhmm(net.day_start).to_string(),
                day_end: Hhmm(net.day_end).to_string(),
            },
            None => Reason::Unreachable {
                host: net.schools[host.idx()].id.clone(),
                from: net.schools[st.school.idx()].id.clone(),
            },
        });
    }
    if full > 0 {
        return Some(Reason::AllFull {
            groups: groups.len(),
            course: course.id.clone(),
        });
    }
    None
}

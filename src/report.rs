//! What follows from a plan: each person's legs, unserved choices with reasons a person
//! can act on, and the KPIs of SPEC §4.

use serde::Serialize;

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Network, SchoolId, StudentId, TeacherId};
use crate::plan::{legs_of_day, stays_compatible, Leg, Mode, Plan, Stay};
use crate::solve::prep::stay_alone_fits;
use crate::transport::Transport;

/// The figures of SPEC §4.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Kpis {
    pub placements: usize,
    pub requested: usize,
    pub placement_rate: f64,
    pub first_choice_rate: f64,
    pub rank_sum: usize,
    pub student_travel_minutes: u64,
    pub teacher_travel_minutes: u64,
    pub groups: usize,
    pub distance_groups: usize,
    pub vehicles_used: usize,
    pub vehicle_minutes: u64,
    pub schools_involved_share: f64,
    pub teachers_involved_share: f64,
    pub worst_school_placement_rate: f64,
    /// The school with the lowest placement rate.
    pub worst_school: Option<String>,
    pub unserved: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

pub fn teacher_stays(net: &Network, plan: &Plan) -> Vec<Vec<Stay>> {
    plan.teacher_groups(net)
        .iter()
        .map(|gs| {
            gs.iter()
                .map(|&gi| {
                    let g = &plan.groups[gi];
                    Stay {
                        place: g.school,
                        start: g.start(net),
                        end: g.end(net),
                    }
                })
                .collect()
        })
        .collect()
}

/// A person's movement, for routes.csv.
pub struct Route {
    pub person: String,
    pub role: &'static str,
    pub legs: Vec<Leg>,
}

pub fn routes(net: &Network, tt: &TravelTimes, plan: &Plan) -> Vec<Route> {
    routes_with(net, tt, plan, None)
}

/// [`routes`], with students' legs riding the trips of `transport` where it has them
/// (their times are then the bus's).
pub fn routes_with(
    net: &Network,
    tt: &TravelTimes,
    plan: &Plan,
    transport: Option<&Transport>,
) -> Vec<Route> {
    let mut out = Vec::new();
    for (s, stays) in plan.student_stays(net).iter().enumerate() {
        let st = &net.students[s];
        let mut legs = legs_of_day(net, tt, st.school, stays);
        if let Some(t) = transport {
            for (i, l) in legs.iter_mut().enumerate() {
                if let Some(r) = t.ride_of(StudentId::from(s), i) {
                    l.depart = r.depart;
                    l.arrive = r.arrive;
                    l.vehicle = Some(r.vehicle);
                }
            }
        }
        if !legs.is_empty() {
            out.push(Route {
                person: st.id.clone(),
                role: "student",
                legs,
            });
        }
    }
    for (t, stays) in teacher_stays(net, plan).iter().enumerate() {
        let te = &net.teachers[t];
        let legs = legs_of_day(net, tt, te.school, stays);
        if !legs.is_empty() {
            out.push(Route {
                person: te.id.clone(),
                role: "teacher",
                legs,
            });
        }
    }
    out
}

/// Minutes of all legs of people in `role` (SPEC §4 travel minutes).
fn leg_minutes(routes: &[Route], role: &str) -> u64 {
    routes
        .iter()
        .filter(|r| r.role == role)
        .flat_map(|r| r.legs.iter())
        .map(|l| (l.arrive - l.depart) as u64)
        .sum()
}

/// `student_travel_minutes` of SPEC §4 alone, without the other KPIs.
pub fn student_travel_minutes(net: &Network, tt: &TravelTimes, plan: &Plan) -> u64 {
    leg_minutes(&routes(net, tt, plan), "student")
}

pub fn kpis(net: &Network, tt: &TravelTimes, plan: &Plan) -> Kpis {
    kpis_with(net, tt, plan, None)
}

/// [`kpis`] of a plan with its bus plan.
pub fn kpis_with(
    net: &Network,
    tt: &TravelTimes,
    plan: &Plan,
    transport: Option<&Transport>,
) -> Kpis {
    let by_student = plan.student_groups(net);
    let placements = plan.placements();
    let requested: usize = net.students.iter().map(|s| s.requested()).sum();
    let mut first_ok = 0;
    let mut with_choices = 0;
    // First-`wants` choices not granted: the rows of unserved.csv, counted without
    // working out their reasons.
    let mut not_granted = 0;
    let mut per_school = vec![(0usize, 0usize); net.schools.len()];
    for (s, st) in net.students.iter().enumerate() {
        let granted: Vec<_> = by_student[s]
            .iter()
            .map(|&g| plan.groups[g].course)
            .collect();
        per_school[st.school.idx()].0 += granted.len();
        per_school[st.school.idx()].1 += st.requested();
        let missing = st.choices[..st.requested()]
            .iter()
            .filter(|c| !granted.contains(c))
            .count();
        not_granted += missing;
        if st.requested() > 0 {
            with_choices += 1;
            if missing == 0 {
                first_ok += 1;
            }
        }
    }
    let routes = routes_with(net, tt, plan, transport);
    let mut involved = vec![false; net.schools.len()];
    for g in &plan.groups {
        let t = &net.teachers[g.teacher.idx()];
        if t.school != g.school {
            involved[t.school.idx()] = true;
            involved[g.school.idx()] = true;
        }
        if g.mode == Mode::InPerson {
            for s in &g.members {
                let home = net.students[s.idx()].school;
                if home != g.school {
                    involved[home.idx()] = true;
                    involved[g.school.idx()] = true;
                }
            }
        }
    }
    let mut teachers_with_group = vec![false; net.teachers.len()];
    for g in &plan.groups {
        teachers_with_group[g.teacher.idx()] = true;
    }
    let worst = per_school
        .iter()
        .enumerate()
        .filter(|(_, (_, r))| *r > 0)
        .map(|(i, (p, r))| (ratio(*p, *r), i))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Kpis {
        placements,
        requested,
        placement_rate: ratio(placements, requested),
        first_choice_rate: ratio(first_ok, with_choices),
        rank_sum: plan.rank_sum(net),
        student_travel_minutes: leg_minutes(&routes, "student"),
        teacher_travel_minutes: leg_minutes(&routes, "teacher"),
        groups: plan.groups.len(),
        distance_groups: plan
            .groups
            .iter()
            .filter(|g| g.mode == Mode::Distance)
            .count(),
        vehicles_used: transport.map_or(0, Transport::vehicles_used),
        vehicle_minutes: transport.map_or(0, Transport::vehicle_minutes),
        schools_involved_share: ratio(involved.iter().filter(|&&b| b).count(), net.schools.len()),
        teachers_involved_share: ratio(
            teachers_with_group.iter().filter(|&&b| b).count(),
            net.teachers.len(),
        ),
        worst_school_placement_rate: worst.map_or(1.0, |w| w.0),
        worst_school: worst.map(|w| net.schools[w.1].id.clone()),
        unserved: not_granted,
    }
}

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

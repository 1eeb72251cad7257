//! Rules 3, 5 and 7: each person's day. Teachers (3) and students (5) in their groups,
//! and every day travelled in time (7), with the legs of routes.csv.

use std::collections::HashMap;

use super::{overlap, Ctx, Out, Resolved};
use crate::model::{Hhmm, Minute, Network};
use crate::planfile::RouteLegRow;

/// One place in a person's day: where, from when to when, and what it is (for messages).
#[derive(Clone)]
pub(super) struct Stay {
    pub(super) place: usize,
    pub(super) start: Minute,
    pub(super) end: Minute,
    pub(super) what: String,
    /// The day's start or end at home (not a group).
    pub(super) day: bool,
}

/// A movement a person must make, and the window it must fit in.
pub(super) struct Move {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) window: (Minute, Minute),
}

/// Rule 3: teachers; each teacher's groups.
pub(super) fn teachers(ctx: &Ctx<'_>, resolved: &[Resolved], out: &mut Out) -> Vec<Vec<usize>> {
    let Ctx { net, .. } = *ctx;
    // ---- rule 3: teachers ----
    let mut teacher_groups: Vec<Vec<usize>> = vec![Vec::new(); net.teachers.len()];
    for (gi, g) in resolved.iter().enumerate() {
        let Some(t) = g.teacher else { continue };
        teacher_groups[t].push(gi);
        let te = &net.teachers[t];
        if let Some(c) = g.course {
            if !te.courses.iter().any(|x| x.idx() == c) {
                out.push(
                    3,
                    "C0301",
                    format!(
                        "teacher {} cannot teach course {} (group {})",
                        te.id, g.row.course, g.row.group
                    ),
                );
            }
        }
        if let Some((a, b)) = g.span {
            let missing: Vec<String> = (a..b)
                .filter(|&p| !te.periods.contains(p))
                .map(|p| (p + 1).to_string())
                .collect();
            if !missing.is_empty() {
                out.push(
                    3,
                    "C0303",
                    format!(
                        "teacher {} is not available in period(s) {} of group {}",
                        te.id,
                        missing.join(" "),
                        g.row.group
                    ),
                );
            }
        }
        if let Some(s) = g.school {
            if !te.travels && te.school.idx() != s {
                out.push(
                    3,
                    "C0305",
                    format!(
                        "teacher {} does not travel (home school {}) but teaches group {} at {}",
                        te.id,
                        net.schools[te.school.idx()].id,
                        g.row.group,
                        g.row.school
                    ),
                );
            }
        }
    }
    for (t, gs) in teacher_groups.iter().enumerate() {
        let te = &net.teachers[t];
        for (i, &x) in gs.iter().enumerate() {
            for &y in &gs[i + 1..] {
                if let (Some(sx), Some(sy)) = (resolved[x].span, resolved[y].span) {
                    if let Some(p) = overlap(sx, sy) {
                        out.push(
                            3,
                            "C0302",
                            format!(
                                "teacher {} teaches {} and {} at the same time (period {})",
                                te.id,
                                resolved[x].row.group,
                                resolved[y].row.group,
                                p + 1
                            ),
                        );
                    }
                }
            }
        }
        let total = gs.iter().fold(0usize, |sum, &g| {
            sum.saturating_add(resolved[g].row.periods)
        });
        if total > te.max_periods {
            out.push(
                3,
                "C0304",
                format!(
                    "teacher {} teaches {total} periods (groups {}) but at most {}",
                    te.id,
                    gs.iter()
                        .map(|&g| resolved[g].row.group.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    te.max_periods
                ),
            );
        }
    }
    teacher_groups
}

/// Rule 5: students.
pub(super) fn students(
    ctx: &Ctx<'_>,
    resolved: &[Resolved],
    student_groups: &[Vec<usize>],
    out: &mut Out,
) {
    let Ctx { net, .. } = *ctx;
    // ---- rule 5: students ----
    for (s, gs) in student_groups.iter().enumerate() {
        let st = &net.students[s];
        let mut per_course: HashMap<usize, Vec<usize>> = HashMap::new();
        for &gi in gs {
            let g = &resolved[gi];
            let Some(c) = g.course else { continue };
            per_course.entry(c).or_default().push(gi);
            if !st.choices.iter().any(|x| x.idx() == c) {
                out.push(
                    5,
                    "C0501",
                    format!(
                        "student {} is in group {} of course {}, which they did not choose",
                        st.id, g.row.group, g.row.course
                    ),
                );
            }
            if !net.courses[c].admits(st.grade) {
                out.push(
                    5,
                    "C0505",
                    format!(
                        "student {} (grade {}) is in group {} of course {}, which does not admit grade {}",
                        st.id, st.grade, g.row.group, g.row.course, st.grade
                    ),
                );
            }
        }
        let mut repeated: Vec<(usize, Vec<usize>)> = per_course
            .into_iter()
            .filter(|(_, v)| v.len() > 1)
            .collect();
        repeated.sort();
        for (c, v) in repeated {
            out.push(
                5,
                "C0502",
                format!(
                    "student {} is in {} groups of course {}: {}",
                    st.id,
                    v.len(),
                    net.courses[c].id,
                    v.iter()
                        .map(|&g| resolved[g].row.group.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
        }
        if gs.len() > st.wants {
            out.push(
                5,
                "C0503",
                format!(
                    "student {} is in {} groups but wants at most {}",
                    st.id,
                    gs.len(),
                    st.wants
                ),
            );
        }
        for (i, &x) in gs.iter().enumerate() {
            for &y in &gs[i + 1..] {
                if let (Some(sx), Some(sy)) = (resolved[x].span, resolved[y].span) {
                    if let Some(p) = overlap(sx, sy) {
                        out.push(
                            5,
                            "C0504",
                            format!(
                                "student {} is in {} and {} at the same time (period {})",
                                st.id,
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

/// Rule 7: each person's day, and the legs of routes.csv when the plan has it; the
/// moves each person must make (rule 8 follows them onto the buses).
pub(super) fn travel(
    ctx: &Ctx<'_>,
    resolved: &[Resolved],
    student_groups: &[Vec<usize>],
    teacher_groups: &[Vec<usize>],
    routes: Option<&[RouteLegRow]>,
    out: &mut Out,
) -> HashMap<(bool, usize), Vec<Move>> {
    let Ctx {
        net,
        ref travel,
        ref schools,
        ref teachers,
        ref students,
        ..
    } = *ctx;
    // ---- rule 7: each person's day ----
    let mut moves: HashMap<(bool, usize), Vec<Move>> = HashMap::new();
    for (s, gs) in student_groups.iter().enumerate() {
        let st = &net.students[s];
        let home = st.school.idx();
        let stays: Vec<Stay> = gs
            .iter()
            .filter_map(|&gi| {
                let g = &resolved[gi];
                let (start, end) = g.times(net)?;
                let place = if g.distance { Some(home) } else { g.school }?;
                Some(Stay {
                    place,
                    start,
                    end,
                    what: g.label(),
                    day: false,
                })
            })
            .collect();
        let m = follow_day(net, travel, &format!("student {}", st.id), home, stays, out);
        moves.insert((true, s), m);
    }
    for (t, gs) in teacher_groups.iter().enumerate() {
        let te = &net.teachers[t];
        let home = te.school.idx();
        let stays: Vec<Stay> = gs
            .iter()
            .filter_map(|&gi| {
                let g = &resolved[gi];
                let (start, end) = g.times(net)?;
                Some(Stay {
                    place: g.school?,
                    start,
                    end,
                    what: g.label(),
                    day: false,
                })
            })
            .collect();
        let m = follow_day(net, travel, &format!("teacher {}", te.id), home, stays, out);
        moves.insert((false, t), m);
    }

    if let Some(routes) = routes {
        check_routes(
            net, travel, routes, schools, students, teachers, &moves, out,
        );
    }
    moves
}

/// Follows one person through the day: reports gaps too short for the travel between
/// consecutive places (C0701) and unconnected places (C0702); returns the moves the
/// person must make, each with the time window it has to fit in.
pub(super) fn follow_day(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    who: &str,
    home: usize,
    mut stays: Vec<Stay>,
    out: &mut Out,
) -> Vec<Move> {
    stays.sort_by_key(|s| (s.start, s.end));
    let home_id = &net.schools[home].id;
    let mut places = Vec::with_capacity(stays.len() + 2);
    places.push(Stay {
        place: home,
        start: net.day_start,
        end: net.day_start,
        what: format!(
            "the day start ({}) at home school {home_id}",
            Hhmm(net.day_start)
        ),
        day: true,
    });
    places.extend(stays);
    places.push(Stay {
        place: home,
        start: net.day_end,
        end: net.day_end,
        what: format!(
            "the day end ({}) at home school {home_id}",
            Hhmm(net.day_end)
        ),
        day: true,
    });
    let mut moves = Vec::new();
    let describe = |s: &Stay| -> String {
        if s.day {
            s.what.clone()
        } else {
            format!(
                "{} at {} ({}-{})",
                s.what,
                net.schools[s.place].id,
                Hhmm(s.start),
                Hhmm(s.end)
            )
        }
    };
    for w in places.windows(2) {
        let (prev, next) = (&w[0], &w[1]);
        if next.start < prev.end {
            // Two groups at once are reported under rule 3 or 5; a group that starts
            // before the day starts or ends after it ends is reported here.
            if prev.day || next.day {
                out.push(
                    7,
                    "C0701",
                    format!(
                        "{who}: {} and {} overlap in time",
                        describe(prev),
                        describe(next)
                    ),
                );
            }
            continue;
        }
        match travel[prev.place][next.place] {
            None => out.push(
                7,
                "C0702",
                format!(
                    "{who} would go from {} to {}, but there is no travel link path between {} and {}",
                    describe(prev),
                    describe(next),
                    net.schools[prev.place].id,
                    net.schools[next.place].id
                ),
            ),
            Some(m) => {
                let gap = next.start - prev.end;
                if gap < m {
                    out.push(
                        7,
                        "C0701",
                        format!(
                            "{who} has {gap} min between {} and {}, but travel from {} to {} takes {m} min",
                            describe(prev),
                            describe(next),
                            net.schools[prev.place].id,
                            net.schools[next.place].id
                        ),
                    );
                }
                if prev.place != next.place {
                    moves.push(Move {
                        from: prev.place,
                        to: next.place,
                        window: (prev.end, next.start),
                    });
                }
            }
        }
    }
    moves
}

/// Checks the legs of routes.csv: each leg on its own (C0702, C0703, C0704, C0706) and
/// that every move a person must make is covered by their legs (C0705).
#[allow(clippy::too_many_arguments)]
fn check_routes(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    routes: &[RouteLegRow],
    schools: &HashMap<&str, usize>,
    students: &HashMap<&str, usize>,
    teachers: &HashMap<&str, usize>,
    moves: &HashMap<(bool, usize), Vec<Move>>,
    out: &mut Out,
) {
    // (is_student, person) -> legs (from, to, depart, arrive, leg number)
    type LegTuple = (usize, usize, Minute, Minute, usize);
    let mut legs: HashMap<(bool, usize), Vec<LegTuple>> = HashMap::new();
    for r in routes {
        let name = format!("routes.csv: {} {} leg {}", r.role, r.person, r.leg);
        let person = match r.role.as_str() {
            "student" => students.get(r.person.as_str()).map(|&i| (true, i)),
            "teacher" => teachers.get(r.person.as_str()).map(|&i| (false, i)),
            other => {
                out.push(
                    7,
                    "C0706",
                    format!("{name}: role '{other}' is neither student nor teacher"),
                );
                continue;
            }
        };
        if person.is_none() {
            out.push(
                7,
                "C0706",
                format!("{name}: no {} has id '{}'", r.role, r.person),
            );
        }
        let from = schools.get(r.from.as_str()).copied();
        let to = schools.get(r.to.as_str()).copied();
        for (id, s) in [(&r.from, from), (&r.to, to)] {
            if s.is_none() {
                out.push(7, "C0706", format!("{name}: school '{id}' does not exist"));
            }
        }
        if r.depart < net.day_start || r.arrive > net.day_end {
            out.push(
                7,
                "C0704",
                format!(
                    "{name} runs {}-{}, outside the day {}-{}",
                    Hhmm(r.depart),
                    Hhmm(r.arrive),
                    Hhmm(net.day_start),
                    Hhmm(net.day_end)
                ),
            );
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        match travel[from][to] {
            None => out.push(
                7,
                "C0702",
                format!(
                    "{name}: there is no travel link path from {} to {}",
                    r.from, r.to
                ),
            ),
            Some(m) => {
                if r.arrive < r.depart || r.arrive - r.depart < m {
                    out.push(
                        7,
                        "C0703",
                        format!(
                            "{name} from {} to {} departs {} and arrives {}, but the travel takes {m} min",
                            r.from,
                            r.to,
                            Hhmm(r.depart),
                            Hhmm(r.arrive)
                        ),
                    );
                }
            }
        }
        if let Some(p) = person {
            legs.entry(p)
                .or_default()
                .push((from, to, r.depart, r.arrive, r.leg));
        }
    }

    let mut keys: Vec<&(bool, usize)> = moves.keys().collect();
    keys.sort_by_key(|(st, i)| (!st, *i));
    for key in keys {
        let (is_student, i) = *key;
        let who = if is_student {
            format!("student {}", net.students[i].id)
        } else {
            format!("teacher {}", net.teachers[i].id)
        };
        let mine = legs.get(key).map(Vec::as_slice).unwrap_or(&[]);
        for mv in &moves[key] {
            let (w0, w1) = mv.window;
            let mut inside: Vec<_> = mine
                .iter()
                .filter(|l| l.2 >= w0 && l.3 <= w1)
                .copied()
                .collect();
            inside.sort_by_key(|l| (l.2, l.4));
            let chained = !inside.is_empty()
                && inside[0].0 == mv.from
                && inside.last().map(|l| l.1) == Some(mv.to)
                && inside.windows(2).all(|w| w[0].1 == w[1].0);
            if !chained {
                let found = if inside.is_empty() {
                    "none".to_string()
                } else {
                    inside
                        .iter()
                        .map(|l| format!("{}->{}", net.schools[l.0].id, net.schools[l.1].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.push(
                    7,
                    "C0705",
                    format!(
                        "{who} must travel from {} to {} between {} and {}, but routes.csv has no such legs (found: {found})",
                        net.schools[mv.from].id,
                        net.schools[mv.to].id,
                        Hhmm(w0),
                        Hhmm(w1)
                    ),
                );
            }
        }
    }
}

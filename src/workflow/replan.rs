//! Re-planning after a change (SPEC §6, `profnet replan`): a new plan that obeys every
//! rule under the change and moves as little as it can, with the list of what differs
//! (`changes.csv`) and who must be told what (`notify.csv`).
//!
//! Three candidates are made for the network under the change:
//! - **repair** ([`crate::solve::repair`]): the published plan with only what the
//!   change forces mended, then placements recovered for the students it touched;
//! - **re-optimised**: the full search ([`crate::solve::solve`]: greedy starts, local
//!   search, perturbation, stage 2, less travel, fleet rounds) over the changed network
//!   with every untouched student's groups, as the repair left them, pinned
//!   ([`crate::solve::pins`]), starting from the repair: it places at least what the
//!   repair does and keeps every untouched student where the repair kept them;
//! - **relaxed**: the same from the re-optimised plan, with the pins of the untouched
//!   students whose day could gain (fewer groups than they want and could have)
//!   released.
//!
//! Who is touched is [`TOUCHED_RULE`]. Each candidate scores `placements − keep ×
//! assignments lost by students the change did not touch`, with `keep` from
//! network.toml `[replan] keep` (default 2: one recovered placement is not worth moving
//! two settled students) or `--keep`; the earlier candidate wins ties. A candidate that
//! breaks a pin of the bundle's own loses to one that keeps them. With vehicles, each
//! candidate is fitted to the fleet.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::graph::TravelTimes;
use crate::input::change::Change;
use crate::lang::Lang;
use crate::model::{CourseId, Hhmm, Network, StudentId};
use crate::plan::transport::fit_fleet_keeping_first;
use crate::plan::{Group, Mode, Plan};
use crate::planfile::read::{read_plan, PlanOnDisk};
use crate::planfile::write::{group_id, PlanFiles};
use crate::planfile::{RouteLegRow, TransportRow};
use crate::solve::prep::Prep;
use crate::solve::repair::{repair, Fate, Lost};
use crate::solve::{solve, Limit, SolveOptions, SolveOutcome, Status};

/// How to re-plan.
#[derive(Clone, Debug)]
pub struct ReplanOptions {
    /// Seconds for the re-solve candidate (the repair takes a fraction of it).
    pub time_limit: f64,
    pub threads: u32,
    /// `None`: network.toml `[replan] keep`.
    pub keep: Option<f64>,
    pub lang: Lang,
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Also solve the changed network from scratch, for comparison only (summary.json
    /// `resolve_placements`, and a note of what it would move): it takes a third of the
    /// time limit and is never chosen.
    pub fresh: bool,
}

impl Default for ReplanOptions {
    fn default() -> Self {
        ReplanOptions {
            time_limit: 60.0,
            threads: 1,
            keep: None,
            lang: Lang::Ru,
            stop: None,
            fresh: false,
        }
    }
}

/// The figures of a re-plan (summary.json `replan`).
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq)]
pub struct ReplanStats {
    /// `repair`, `re-optimised` or `relaxed` (README "Re-planning").
    pub chosen: String,
    /// Students with a group in the published plan whom the change did not touch.
    pub untouched_students: usize,
    /// Of those, students who keep exactly their groups.
    pub untouched_kept: usize,
    /// `untouched_kept / untouched_students` (1 when there are none).
    pub untouched_kept_share: f64,
    /// Of the untouched, students who keep every group they had (some may have gained
    /// one where the re-plan found a seat for a choice they lacked).
    pub untouched_keeping_all: usize,
    /// Students the change touched (changed choices, or a group they had had to go).
    pub touched_students: usize,
    pub placements_before: usize,
    pub placements_after: usize,
    /// Placements of the repair, and of a plan made from scratch for comparison (0
    /// unless asked for: `--compare-fresh`).
    pub repair_placements: usize,
    pub resolve_placements: usize,
    /// Placements of the re-optimised candidate (untouched students pinned) and of the
    /// relaxed one (the pins of untouched students who could gain released).
    pub reoptimised_placements: usize,
    pub relaxed_placements: usize,
    /// Who counts as touched by the change (the rule, in words).
    pub touched_rule: String,
    pub keep_weight: f64,
    /// Every plan the re-plan weighed, the chosen one included, and (with
    /// `--compare-fresh`) the plan from scratch: what each places and how many
    /// untouched students it moves, so that people see what they did not get.
    pub alternatives: Vec<Alternative>,
}

/// One plan a re-plan weighed (see [`ReplanStats::alternatives`]).
#[derive(Clone, Debug, Default, serde::Serialize, PartialEq)]
pub struct Alternative {
    /// `repair`, `re-optimised`, `relaxed` or `fresh` (from scratch, never chosen).
    pub name: String,
    pub placements: usize,
    /// Untouched students who would not keep exactly their groups.
    pub untouched_moved: usize,
    pub chosen: bool,
}

impl ReplanStats {
    /// The plans not chosen, in words for people: "a fresh plan would place 1173 but
    /// move 212 untouched students", one per plan (a plan the same as the chosen one
    /// in both figures is left out).
    pub fn not_chosen(&self) -> Vec<String> {
        let Some(chosen) = self.alternatives.iter().find(|a| a.chosen) else {
            return Vec::new();
        };
        self.alternatives
            .iter()
            .filter(|a| !a.chosen)
            .filter(|a| {
                (a.placements, a.untouched_moved) != (chosen.placements, chosen.untouched_moved)
            })
            .map(|a| {
                let what = if a.name == "fresh" {
                    "a fresh plan".to_string()
                } else {
                    format!("the {} plan", a.name)
                };
                let but = if a.placements > chosen.placements {
                    "but"
                } else {
                    "and"
                };
                format!(
                    "{what} would place {} {but} move {} untouched student(s)",
                    a.placements, a.untouched_moved
                )
            })
            .collect()
    }
}

/// A re-plan, ready to write.
pub struct Replan {
    /// The network under the change.
    pub net: Network,
    pub outcome: SolveOutcome,
    /// Id of each group of `outcome.plan`, in its order.
    pub group_ids: Vec<String>,
    /// Reasons for placements the change took away.
    pub reasons: Vec<(StudentId, CourseId, crate::plan::reason::Reason)>,
    pub stats: ReplanStats,
    pub lang: Lang,
}

/// Makes the re-plan of `old` (read against `net`) under `change`.
pub fn replan(
    net: &Network,
    old: &PlanOnDisk,
    change: &Change,
    opts: &ReplanOptions,
    progress: &dyn Fn(&str),
) -> Replan {
    let t0 = std::time::Instant::now();
    let net2 = change.apply(net);
    let keep_w = opts.keep.unwrap_or(net.tuning.keep);
    let prep = Prep::new(&net2);
    let tt = prep.tt.clone();
    let limit = Limit {
        deadline: t0 + std::time::Duration::from_secs_f64(opts.time_limit.max(0.0) * 0.3),
        stop: opts.stop.clone(),
    };
    progress("repairing the published plan");
    let changed: Vec<StudentId> = change.choice_changes.iter().map(|c| c.0).collect();
    // The published bus plan (the plan's own, rebuilt: the builder is deterministic),
    // its vehicles indexed as under the change: trips that still serve their riders stay.
    let published = (!net.vehicles.is_empty()).then(|| {
        crate::plan::transport::build(net, &TravelTimes::new(net), &old.plan.student_stays(net))
    });
    // Students who rode a broken vehicle: the change took their bus.
    let mut lost_bus = vec![false; net.students.len()];
    if let Some(p) = &published {
        for (r, ride) in p.requests.iter().zip(&p.rides) {
            if ride.is_some_and(|x| change.broken_vehicles.contains(&x.vehicle)) {
                lost_bus[r.student.idx()] = true;
            }
        }
    }
    let template = published.map(|p| p.for_vehicles_of(net, &net2));
    let rep = repair(&prep, &old.plan, &changed, template.as_ref(), &limit);
    let touched: Vec<bool> = rep
        .touched
        .iter()
        .zip(&lost_bus)
        .map(|(&a, &b)| a || b)
        .collect();
    let mut reasons: Vec<(StudentId, CourseId, crate::plan::reason::Reason)> = Vec::new();
    for Lost {
        student,
        course,
        reason,
    } in &rep.lost
    {
        if !reasons.iter().any(|r| r.0 == *student && r.1 == *course) {
            reasons.push((*student, *course, reason.clone()));
        }
    }
    // Repair candidate: old groups keep their ids, new ones continue the numbering.
    let (plan_a, index) = rep.plan();
    let repair_placements = plan_a.placements();
    let mut next = next_number(&old.group_ids);
    let ids_a: Vec<String> = index
        .iter()
        .map(|&i| {
            if i < old.group_ids.len() {
                old.group_ids[i].clone()
            } else {
                next += 1;
                group_id(next - 1)
            }
        })
        .collect();
    let notes_a = fate_notes(&net2, old, &rep.fate);
    let a = fitted(&net2, &tt, plan_a, ids_a, template.as_ref(), &touched);

    // Re-optimising around what stays: the full search over the changed network with
    // every untouched student's groups (as the repair left them) pinned, from the repair.
    let spent = t0.elapsed().as_secs_f64();
    let share = ((opts.time_limit - spent) / if opts.fresh { 3.0 } else { 2.0 }).max(1.0);
    let solve_opts = |start: &Plan| SolveOptions {
        time_limit: share,
        threads: opts.threads,
        weights: None,
        verbose: false,
        equity: false,
        stop: opts.stop.clone(),
        start: Some(start.clone()),
    };
    let untouched_with_groups = |s: StudentId| !touched[s.idx()];
    let mut candidates: Vec<(Candidate, &'static str, Option<SolveOutcome>)> =
        vec![(a, "repair", None)];
    progress("re-optimising around the untouched students");
    let pinned_net = keep_pinned(&net2, &candidates[0].0.plan, &untouched_with_groups);
    let pinned = solve(&pinned_net, &solve_opts(&candidates[0].0.plan), &|_| {});
    // Groups keep the ids the repair gave them (a group with a new teacher is the
    // same group); the rest continue the numbering.
    let mut next_b = next_number(&candidates[0].0.ids);
    let ids_b = match_ids_to(
        &candidates[0].0.plan,
        &candidates[0].0.ids,
        &pinned.plan,
        &mut next_b,
    );
    let b = valid_candidate(&net2, &tt, &pinned, ids_b, template.as_ref(), &touched);
    // The same with the pins of untouched students whose day could gain released.
    let mut have = vec![0usize; net2.students.len()];
    for g in &b.plan.groups {
        for &m in &g.members {
            have[m.idx()] += 1;
        }
    }
    let could_gain: Vec<bool> = (0..net2.students.len())
        .map(|i| have[i] < net2.students[i].wants.min(prep.admissible[i].len()))
        .collect();
    candidates.push((b, "re-optimised", Some(pinned)));
    progress("re-optimising with the students who could gain released");
    let relaxed_net = keep_pinned(&net2, &candidates[1].0.plan, &|s| {
        untouched_with_groups(s) && !could_gain[s.idx()]
    });
    let relaxed = solve(&relaxed_net, &solve_opts(&candidates[1].0.plan), &|_| {});
    let mut next_c = next_number(&candidates[0].0.ids);
    let ids_c = match_ids_to(
        &candidates[0].0.plan,
        &candidates[0].0.ids,
        &relaxed.plan,
        &mut next_c,
    );
    let c = valid_candidate(&net2, &tt, &relaxed, ids_c, template.as_ref(), &touched);
    candidates.push((c, "relaxed", Some(relaxed)));

    let old_a = assignments(&old.plan, &old.group_ids);
    // (assignments lost, students whose groups differ, students who lost a group) of
    // the untouched.
    let lost_untouched = |c: &Candidate| -> (usize, usize, usize) {
        let new = assignments(&c.plan, &c.ids);
        let mut by_student: BTreeMap<StudentId, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
        for (s, g) in &old_a {
            by_student.entry(*s).or_default().0.insert(g.as_str());
        }
        for (s, g) in &new {
            by_student.entry(*s).or_default().1.insert(g.as_str());
        }
        let (mut lost, mut moved_students, mut losers) = (0, 0, 0);
        for (s, (before, after)) in &by_student {
            if touched[s.idx()] || before.is_empty() {
                continue;
            }
            let gone = before.difference(after).count();
            lost += gone;
            if before != after {
                moved_students += 1;
            }
            if gone > 0 {
                losers += 1;
            }
        }
        (lost, moved_students, losers)
    };
    // A candidate that breaks a pin of the bundle's own is out unless all do.
    let keeps_pins = |c: &Candidate| crate::solve::pins::breaks(&net2, &c.plan) == 0;
    let any_keeps = candidates.iter().any(|c| keeps_pins(&c.0));
    let score = |c: &Candidate| {
        c.plan.placements() as f64
            - keep_w * lost_untouched(c).0 as f64
            - if any_keeps && !keeps_pins(c) {
                1e9
            } else {
                0.0
            }
    };
    let scores: Vec<f64> = candidates.iter().map(|c| score(&c.0)).collect();
    let mut pick = 0;
    for (i, &sc) in scores.iter().enumerate() {
        if sc > scores[pick] + 1e-9 {
            pick = i;
        }
    }
    // For comparison only: a plan made from scratch for the changed network.
    let fresh = opts.fresh.then(|| {
        progress("planning again from scratch for comparison");
        let so = SolveOptions {
            start: None,
            ..solve_opts(&candidates[0].0.plan)
        };
        let f = solve(&net2, &so, &|_| {});
        let mut next = next_number(&old.group_ids);
        let ids = match_ids_to(&old.plan, &old.group_ids, &f.plan, &mut next);
        let c = Candidate {
            plan: f.plan,
            ids,
            fleet: None,
        };
        let (_, moved, _) = lost_untouched(&c);
        (c.plan.placements(), moved, f.bound, f.bound_kind)
    });
    let placements_of: Vec<usize> = candidates.iter().map(|c| c.0.plan.placements()).collect();
    let moved_of: Vec<usize> = candidates.iter().map(|c| lost_untouched(&c.0).1).collect();
    let (chosen, name, solved) = candidates.swap_remove(pick);
    let mut notes = solved.as_ref().map(|o| o.notes.clone()).unwrap_or_default();
    let names = ["repair", "re-optimised", "relaxed"];
    let line = (0..names.len())
        .map(|i| {
            format!(
                "{} {} placements, {} untouched students moved (score {:.1})",
                names[i], placements_of[i], moved_of[i], scores[i]
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    notes.insert(
        0,
        format!("re-plan with keep = {keep_w}: {line}; {name} chosen"),
    );
    if let Some((p, moved, _, _)) = fresh {
        notes.insert(
            1,
            format!("a plan from scratch would place {p} and move {moved} untouched students (not a candidate)"),
        );
    }
    if name == "repair" {
        notes.extend(notes_a);
    }
    if let Some(f) = &chosen.fleet {
        for d in &f.dropped {
            if !reasons.iter().any(|r| r.0 == d.student && r.1 == d.course) {
                reasons.push((d.student, d.course, d.reason.clone()));
            }
        }
    }

    let untouched: Vec<StudentId> = (0..net.students.len())
        .map(StudentId::from)
        .filter(|s| !touched[s.idx()])
        .collect();
    let with_groups: BTreeSet<StudentId> = old
        .plan
        .groups
        .iter()
        .flat_map(|g| g.members.iter().copied())
        .collect();
    let untouched_students = untouched.iter().filter(|s| with_groups.contains(s)).count();
    let (_, moved, losers) = lost_untouched(&chosen);
    let placements_after = chosen.plan.placements();
    // The bound of the changed network without the re-plan's own pins (a solve's
    // bound under them bounds only the pinned network).
    let (bound, bound_kind) = match fresh {
        Some((_, _, b, kind)) => (b, kind),
        None => (
            Prep::new(&net2).bound() as f64,
            crate::solve::BoundKind::ReachableChoices,
        ),
    };
    let bound = bound.max(placements_after as f64);
    let stats = ReplanStats {
        chosen: name.into(),
        untouched_students,
        untouched_kept: untouched_students - moved,
        untouched_keeping_all: untouched_students - losers,
        untouched_kept_share: if untouched_students == 0 {
            1.0
        } else {
            (untouched_students - moved) as f64 / untouched_students as f64
        },
        touched_students: touched.iter().filter(|&&t| t).count(),
        placements_before: old.plan.placements(),
        placements_after,
        repair_placements,
        resolve_placements: fresh.map_or(0, |f| f.0),
        reoptimised_placements: placements_of[1],
        relaxed_placements: placements_of[2],
        touched_rule: TOUCHED_RULE.into(),
        keep_weight: keep_w,
        alternatives: names
            .iter()
            .enumerate()
            .map(|(i, n)| Alternative {
                name: (*n).into(),
                placements: placements_of[i],
                untouched_moved: moved_of[i],
                chosen: i == pick,
            })
            .chain(fresh.map(|f| Alternative {
                name: "fresh".into(),
                placements: f.0,
                untouched_moved: f.1,
                chosen: false,
            }))
            .collect(),
    };
    let outcome = SolveOutcome {
        bound_kind,
        status: if placements_after as f64 >= bound {
            Status::Optimal
        } else {
            Status::Feasible
        },
        bound,
        greedy_placements: solved
            .as_ref()
            .map_or(repair_placements, |o| o.greedy_placements),
        solve_seconds: t0.elapsed().as_secs_f64(),
        notes,
        interrupted: solved.as_ref().is_some_and(|o| o.interrupted),
        plan: chosen.plan,
        fleet: chosen.fleet,
    };
    Replan {
        net: net2,
        outcome,
        group_ids: chosen.ids,
        reasons,
        stats,
        lang: opts.lang,
    }
}

/// Who counts as touched by a change: the rule behind `touched_students` and
/// `untouched_kept_share` (README "Re-planning").
pub const TOUCHED_RULE: &str =
    "a student is touched when their choices changed, when a group of theirs \
lost its teacher, room or host school to the change (absent teacher, closed room or school), when \
their own day can no longer be travelled (closed road, closed school), or when the bus they rode \
is broken; every other student with a group in the published plan is untouched";

/// `net` with pins that keep, for every student `keep` says, their groups in `plan`
/// exactly (each such group pinned with all its attributes), besides the bundle's own
/// pins (a group a bundle pin already names is not pinned twice).
fn keep_pinned(net: &Network, plan: &Plan, keep: &dyn Fn(StudentId) -> bool) -> Network {
    use crate::model::{PinnedGroup, PinnedStudent};
    let mut out = net.clone();
    let mut taken = vec![false; out.pins.groups.len()];
    for g in &plan.groups {
        let members: Vec<StudentId> = g.members.iter().copied().filter(|&s| keep(s)).collect();
        if members.is_empty() {
            continue;
        }
        let own = (0..net.pins.groups.len())
            .find(|&k| !taken[k] && crate::solve::pins::matches(&net.pins.groups[k], g));
        let k = match own {
            Some(k) => {
                taken[k] = true;
                k
            }
            None => {
                out.pins.groups.push(PinnedGroup {
                    id: None,
                    line: 0,
                    course: g.course,
                    school: g.school,
                    first: g.first,
                    room: Some(g.room),
                    teacher: Some(g.teacher),
                    distance: Some(g.mode == Mode::Distance),
                });
                out.pins.groups.len() - 1
            }
        };
        for s in members {
            if out
                .pins
                .students
                .iter()
                .any(|p| p.student == s && p.course == g.course)
            {
                continue;
            }
            out.pins.students.push(PinnedStudent {
                line: 0,
                student: s,
                course: g.course,
                group: Some(k),
            });
        }
    }
    out
}

/// The candidate of a solve around the re-plan's own pins: a pinned group the search
/// could not fill to its minimum (rule 2) closes, and the plan is fitted to the fleet
/// again; a plan without such a group is taken as it is.
fn valid_candidate(
    net: &Network,
    tt: &TravelTimes,
    o: &SolveOutcome,
    ids: Vec<String>,
    template: Option<&crate::plan::transport::Transport>,
    touched: &[bool],
) -> Candidate {
    let short = |g: &Group| g.members.len() < net.courses[g.course.idx()].min_group as usize;
    if !o.plan.groups.iter().any(short) {
        return Candidate {
            plan: o.plan.clone(),
            ids,
            fleet: o.fleet.clone(),
        };
    }
    let (groups, ids): (Vec<Group>, Vec<String>) = o
        .plan
        .groups
        .iter()
        .cloned()
        .zip(ids)
        .filter(|(g, _)| !short(g))
        .unzip();
    fitted(net, tt, Plan { groups }, ids, template, touched)
}

/// One candidate plan with the id of each group, fitted to the fleet.
struct Candidate {
    plan: Plan,
    ids: Vec<String>,
    fleet: Option<crate::plan::transport::FleetFit>,
}

/// Fits `plan` to the fleet of `net` (when it has vehicles), keeping each group's id;
/// groups are put in the order of their ids' first appearance in `ids`.
fn fitted(
    net: &Network,
    tt: &TravelTimes,
    plan: Plan,
    ids: Vec<String>,
    template: Option<&crate::plan::transport::Transport>,
    touched: &[bool],
) -> Candidate {
    if net.vehicles.is_empty() {
        return Candidate {
            plan,
            ids,
            fleet: None,
        };
    }
    // A room holds one group at a time: (room, first period) names a group.
    let order: HashMap<(usize, usize), (usize, String)> = plan
        .groups
        .iter()
        .zip(&ids)
        .enumerate()
        .map(|(i, (g, id))| ((g.room.idx(), g.first), (i, id.clone())))
        .collect();
    // Students the change did not touch keep their bus seats first.
    let mut fit = fit_fleet_keeping_first(net, tt, plan, template, &|s, _| !touched[s.idx()]);
    let mut keyed: Vec<(usize, String, Group)> = fit
        .plan
        .groups
        .drain(..)
        .map(|g| {
            let (i, id) = order[&(g.room.idx(), g.first)].clone();
            (i, id, g)
        })
        .collect();
    keyed.sort_by_key(|x| x.0);
    let ids = keyed.iter().map(|x| x.1.clone()).collect();
    fit.plan.groups = keyed.into_iter().map(|x| x.2).collect();
    Candidate {
        plan: fit.plan.clone(),
        ids,
        fleet: Some(fit),
    }
}

/// The number after the highest `G<number>` id (0 when none).
fn next_number(ids: &[String]) -> usize {
    ids.iter()
        .filter_map(|id| id.strip_prefix('G')?.parse::<usize>().ok())
        .max()
        .unwrap_or(0)
}

/// Ids for a plan made anew: a group equal (course, school, room, teacher, periods,
/// mode) to one of `reference` (the repair, whose changed groups keep their published
/// ids) takes its id; others get new ones, numbered on from `next`.
fn match_ids_to(reference: &Plan, ids: &[String], plan: &Plan, next: &mut usize) -> Vec<String> {
    let key = |g: &Group| (g.course, g.school, g.room, g.teacher, g.first, g.mode);
    let old_ids: HashMap<_, &String> = reference
        .groups
        .iter()
        .zip(ids)
        .map(|(g, id)| (key(g), id))
        .collect();
    plan.groups
        .iter()
        .map(|g| match old_ids.get(&key(g)) {
            Some(id) => (*id).clone(),
            None => {
                *next += 1;
                group_id(*next - 1)
            }
        })
        .collect()
}

/// `(student, group id)` of a plan.
fn assignments(plan: &Plan, ids: &[String]) -> Vec<(StudentId, String)> {
    plan.groups
        .iter()
        .zip(ids)
        .flat_map(|(g, id)| g.members.iter().map(move |&s| (s, id.clone())))
        .collect()
}

/// One note per group the repair changed.
fn fate_notes(net: &Network, old: &PlanOnDisk, fate: &[Fate]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, f) in fate.iter().enumerate().take(old.group_ids.len()) {
        let id = &old.group_ids[i];
        match f {
            Fate::Kept | Fate::New => {}
            Fate::NewTeacher(t) => out.push(format!(
                "{id}: teacher {} replaced",
                net.teachers[t.idx()].id
            )),
            Fate::NewRoom(r) => out.push(format!("{id}: room {} replaced", net.rooms[r.idx()].id)),
            Fate::NewTeacherAndRoom(t, r) => out.push(format!(
                "{id}: teacher {} and room {} replaced",
                net.teachers[t.idx()].id,
                net.rooms[r.idx()].id
            )),
            Fate::Cancelled(why) => out.push(format!("{id}: cancelled ({why})")),
        }
    }
    out
}

/// Writes the re-plan into `dir` (which must exist): the plan files (checked against
/// the network under the change), changes.csv and notify.csv. `old` is the published
/// plan, read against the network before the change.
pub fn write_replan(
    r: &Replan,
    old: &PlanOnDisk,
    old_net: &Network,
    dir: &Path,
) -> anyhow::Result<()> {
    let tt = TravelTimes::new(&r.net);
    let files = PlanFiles::build(&r.net, &tt, &r.outcome)
        .with_group_ids(r.group_ids.clone())
        .with_reasons(&r.reasons);
    files.write_checked(dir)?;
    // summary.json says what the re-plan did.
    let path = dir.join("summary.json");
    let mut summary: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    summary["replan"] = serde_json::to_value(&r.stats)?;
    std::fs::write(
        &path,
        format!("{}\n", serde_json::to_string_pretty(&summary)?),
    )?;

    let new =
        read_plan(&r.net, dir).map_err(|e| anyhow::anyhow!("reading back the new plan: {e}"))?;
    let mut diff = Diff::new(old_net, old, &new);
    // Why the change took a placement away, where unserved.csv does not say (a course
    // no longer chosen is not unserved).
    for (st, c, why) in &r.reasons {
        diff.reasons
            .entry((
                old_net.students[st.idx()].id.clone(),
                old_net.courses[c.idx()].id.clone(),
            ))
            .or_insert_with(|| crate::planfile::UnservedRow {
                student: old_net.students[st.idx()].id.clone(),
                course: old_net.courses[c.idx()].id.clone(),
                rank: String::new(),
                reason: why.to_string(),
                code: Some(why.clone()),
            });
    }
    let mut w = csv::Writer::from_path(dir.join("changes.csv"))?;
    w.write_record(["kind", "id", "before", "after"])?;
    for row in &diff.rows {
        w.write_record(row)?;
    }
    w.flush()?;
    // SPEC §6 columns first; `school` (the recipient's home school) and `name` are our
    // extension. Rows come grouped per school: the school, its teachers, its students.
    let messages = diff.notify(old_net, r.lang);
    let mut w = csv::Writer::from_path(dir.join("notify.csv"))?;
    w.write_record(["recipient_role", "recipient", "message", "school", "name"])?;
    for m in &messages {
        w.write_record([&m.role, &m.id, &m.message, &m.school, &m.name])?;
    }
    w.flush()?;
    std::fs::write(
        dir.join("notify.txt"),
        notify_text(old_net, r.lang, &messages),
    )?;
    Ok(())
}

/// One message of notify.csv.
struct Message {
    role: String,
    /// The recipient's id.
    id: String,
    message: String,
    /// The recipient's home school (its id).
    school: String,
    /// The recipient as people call them.
    name: String,
}

/// notify.txt: the messages per school, each school's block ready to paste into its
/// chat.
fn notify_text(net: &Network, lang: Lang, messages: &[Message]) -> String {
    let mut out = String::new();
    for school in &net.schools {
        let mine: Vec<&Message> = messages.iter().filter(|m| m.school == school.id).collect();
        if mine.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "=== {}: {} ({}) — {} ===\n",
            lang.pick("Школа", "School"),
            school.name,
            school.id,
            lang.count(
                mine.len(),
                ["сообщение", "сообщения", "сообщений"],
                ["message", "messages"]
            )
        ));
        for m in mine {
            out.push_str(&format!("{}: {}\n", m.name, m.message));
        }
        out.push('\n');
    }
    out
}

/// A course of a student that moved: (course id, group before, group after).
type Moved = (String, Option<String>, Option<String>);

/// What differs between the published plan and the new one.
struct Diff {
    /// changes.csv rows.
    rows: Vec<[String; 4]>,
    /// Per group id: (before, after) descriptions; `None` where it did not exist.
    groups: BTreeMap<String, (Option<GroupDesc>, Option<GroupDesc>)>,
    /// Per student id: (course id, group before, group after) of each course that moved.
    students: BTreeMap<String, Vec<Moved>>,
    /// Per person id (student or teacher): (before, after) route text.
    routes: BTreeMap<String, (String, String, String)>,
    /// Vehicles whose trips changed.
    vehicles: BTreeSet<String>,
    /// Reasons of unserved choices in the new plan, by (student, course).
    reasons: HashMap<(String, String), crate::planfile::UnservedRow>,
    /// Members (student ids) after, of the groups in `groups`.
    members: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Clone, Debug, PartialEq)]
struct GroupDesc {
    course: String,
    school: String,
    room: String,
    teacher: String,
    first: usize,
    periods: usize,
    mode: Mode,
    size: usize,
}

impl GroupDesc {
    fn new(net: &Network, g: &Group) -> Self {
        GroupDesc {
            course: net.courses[g.course.idx()].id.clone(),
            school: net.schools[g.school.idx()].id.clone(),
            room: net.rooms[g.room.idx()].id.clone(),
            teacher: net.teachers[g.teacher.idx()].id.clone(),
            first: g.first + 1,
            periods: net.courses[g.course.idx()].periods,
            mode: g.mode,
            size: g.members.len(),
        }
    }

    fn text(&self) -> String {
        format!(
            "{} at {} room {}, {}, teacher {}, {}, {} students",
            self.course,
            self.school,
            self.room,
            self.period_text(Lang::En),
            self.teacher,
            self.mode.as_str(),
            self.size
        )
    }

    fn period_text(&self, lang: Lang) -> String {
        if self.periods == 1 {
            format!("{} {}", lang.pick("урок", "period"), self.first)
        } else {
            format!(
                "{} {}-{}",
                lang.pick("уроки", "periods"),
                self.first,
                self.first + self.periods - 1
            )
        }
    }

    /// What differs from `self` to `a`, e.g. `teacher T1 → T2, room R1 → R2`.
    fn differences(&self, a: &GroupDesc, lang: Lang) -> String {
        let mut out = Vec::new();
        let mut field = |ru: &str, en: &str, b: String, x: String| {
            if b != x {
                out.push(format!("{} {b} → {x}", lang.pick(ru, en)));
            }
        };
        field(
            "учитель",
            "teacher",
            self.teacher.clone(),
            a.teacher.clone(),
        );
        field("школа", "school", self.school.clone(), a.school.clone());
        field("кабинет", "room", self.room.clone(), a.room.clone());
        field("время", "time", self.period_text(lang), a.period_text(lang));
        field(
            "форма",
            "mode",
            self.mode.as_str().to_string(),
            a.mode.as_str().to_string(),
        );
        if self.size != a.size {
            out.push(format!(
                "{} {}→{}",
                lang.pick("учеников", "students"),
                self.size,
                a.size
            ));
        }
        out.join(", ")
    }

    /// The group as it is apart from its size.
    fn same_place(&self, o: &GroupDesc) -> bool {
        GroupDesc {
            size: 0,
            ..self.clone()
        } == GroupDesc {
            size: 0,
            ..o.clone()
        }
    }
}

fn legs_text(legs: &[&RouteLegRow]) -> String {
    legs.iter()
        .map(|l| {
            let bus = if l.vehicle.is_empty() {
                String::new()
            } else {
                format!(" ({})", l.vehicle)
            };
            format!(
                "{} {}-{} {}{bus}",
                l.from,
                Hhmm(l.depart),
                Hhmm(l.arrive),
                l.to
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn trips(t: &Option<Vec<TransportRow>>) -> BTreeMap<(String, usize), String> {
    let mut out: BTreeMap<(String, usize), Vec<&TransportRow>> = BTreeMap::new();
    for r in t.iter().flatten() {
        out.entry((r.vehicle.clone(), r.trip)).or_default().push(r);
    }
    out.into_iter()
        .map(|(k, mut stops)| {
            stops.sort_by_key(|s| s.stop);
            let text = stops
                .iter()
                .map(|s| {
                    let time = s
                        .depart
                        .or(s.arrive)
                        .map_or(String::new(), |m| Hhmm(m).to_string());
                    format!("{} {time} +{} -{}", s.school, s.board, s.alight)
                })
                .collect::<Vec<_>>()
                .join(" > ");
            (k, text)
        })
        .collect()
}

impl Diff {
    fn new(net: &Network, old: &PlanOnDisk, new: &PlanOnDisk) -> Self {
        let mut rows = Vec::new();
        let desc = |p: &PlanOnDisk| -> BTreeMap<String, GroupDesc> {
            p.plan
                .groups
                .iter()
                .zip(&p.group_ids)
                .map(|(g, id)| (id.clone(), GroupDesc::new(net, g)))
                .collect()
        };
        let (before, after) = (desc(old), desc(new));
        let mut groups = BTreeMap::new();
        // Published order first, then the new groups in theirs.
        let order: Vec<&String> = old
            .group_ids
            .iter()
            .chain(new.group_ids.iter().filter(|id| !before.contains_key(*id)))
            .collect();
        for id in order {
            let (b, a) = (before.get(id), after.get(id));
            if b == a {
                continue;
            }
            rows.push([
                "group".into(),
                id.clone(),
                b.map_or(String::new(), GroupDesc::text),
                a.map_or_else(|| "cancelled".into(), GroupDesc::text),
            ]);
            groups.insert(id.clone(), (b.cloned(), a.cloned()));
        }
        let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (g, id) in new.plan.groups.iter().zip(&new.group_ids) {
            if groups.contains_key(id) {
                members.insert(
                    id.clone(),
                    g.members
                        .iter()
                        .map(|s| net.students[s.idx()].id.clone())
                        .collect(),
                );
            }
        }

        // Assignments: per student and course.
        let per = |p: &PlanOnDisk| -> BTreeMap<(usize, String), String> {
            let mut m = BTreeMap::new();
            for (g, id) in p.plan.groups.iter().zip(&p.group_ids) {
                for s in &g.members {
                    m.insert(
                        (s.idx(), net.courses[g.course.idx()].id.clone()),
                        id.clone(),
                    );
                }
            }
            m
        };
        let (pa, pb) = (per(old), per(new));
        let keys: BTreeSet<&(usize, String)> = pa.keys().chain(pb.keys()).collect();
        let mut students: BTreeMap<String, Vec<Moved>> = BTreeMap::new();
        for k in keys {
            let (b, a) = (pa.get(k), pb.get(k));
            if b == a {
                continue;
            }
            let sid = net.students[k.0].id.clone();
            rows.push([
                "assignment".into(),
                format!("{sid}:{}", k.1),
                b.cloned().unwrap_or_default(),
                a.cloned().unwrap_or_default(),
            ]);
            students
                .entry(sid)
                .or_default()
                .push((k.1.clone(), b.cloned(), a.cloned()));
        }

        // Routes: per person.
        let legs = |p: &PlanOnDisk| -> BTreeMap<(String, String), String> {
            let mut m: BTreeMap<(String, String), Vec<&RouteLegRow>> = BTreeMap::new();
            for l in p.routes.iter().flatten() {
                m.entry((l.role.clone(), l.person.clone()))
                    .or_default()
                    .push(l);
            }
            m.into_iter()
                .map(|(k, mut v)| {
                    v.sort_by_key(|l| l.leg);
                    (k, legs_text(&v))
                })
                .collect()
        };
        let (la, lb) = (legs(old), legs(new));
        let mut routes = BTreeMap::new();
        let keys: BTreeSet<&(String, String)> = la.keys().chain(lb.keys()).collect();
        for k in keys {
            let (b, a) = (
                la.get(k).cloned().unwrap_or_default(),
                lb.get(k).cloned().unwrap_or_default(),
            );
            if b == a {
                continue;
            }
            rows.push(["route".into(), k.1.clone(), b.clone(), a.clone()]);
            routes.insert(k.1.clone(), (k.0.clone(), b, a));
        }

        // Trips: per vehicle and trip number.
        let (ta, tb) = (trips(&old.transport), trips(&new.transport));
        let keys: BTreeSet<&(String, usize)> = ta.keys().chain(tb.keys()).collect();
        let mut vehicles = BTreeSet::new();
        for k in keys {
            let (b, a) = (ta.get(k), tb.get(k));
            if b == a {
                continue;
            }
            rows.push([
                "trip".into(),
                format!("{}#{}", k.0, k.1),
                b.cloned().unwrap_or_default(),
                a.cloned().unwrap_or_default(),
            ]);
            vehicles.insert(k.0.clone());
        }
        let reasons = new
            .unserved
            .iter()
            .flatten()
            .map(|u| ((u.student.clone(), u.course.clone()), u.clone()))
            .collect();
        Diff {
            rows,
            groups,
            students,
            routes,
            vehicles,
            reasons,
            members,
        }
    }

    /// notify.csv rows: one message per school, teacher and student whose day changed.
    fn notify(&self, net: &Network, lang: Lang) -> Vec<Message> {
        let mut out: Vec<Message> = Vec::new();
        let teacher_label = |id: &str| {
            net.teachers
                .iter()
                .find(|t| t.id == id)
                .map_or(id.to_string(), |t| format!("{} ({id})", t.name))
        };
        let school_label = |id: &str| {
            net.school_index(id).map_or(id.to_string(), |s| {
                format!("{} ({id})", net.schools[s.idx()].name)
            })
        };
        let course_name = |id: &str| {
            net.course_index(id)
                .map_or(id.to_string(), |c| net.courses[c.idx()].name.clone())
        };
        let where_ = |d: &GroupDesc| {
            let place = match d.mode {
                Mode::Distance => lang.pick("дистанционно", "at a distance").to_string(),
                Mode::InPerson => format!(
                    "{}: {}",
                    lang.pick("школа", "school"),
                    school_label(&d.school)
                ),
            };
            format!(
                "«{}» ({}), {place}, {}, {}: {}",
                course_name(&d.course),
                d.course,
                d.period_text(lang),
                lang.pick("учитель", "teacher"),
                teacher_label(&d.teacher)
            )
        };
        let group_of = |id: &Option<String>| -> Option<GroupDesc> {
            let id = id.as_ref()?;
            self.groups
                .get(id)
                .and_then(|(b, a)| a.clone().or_else(|| b.clone()))
        };

        // Schools.
        for (si, school) in net.schools.iter().enumerate() {
            let mut parts = Vec::new();
            let (mut cancelled, mut opened, mut changed, mut resized) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (id, (b, a)) in &self.groups {
                let here =
                    |d: &Option<GroupDesc>| d.as_ref().is_some_and(|d| d.school == school.id);
                if !here(b) && !here(a) {
                    continue;
                }
                match (b, a) {
                    (Some(b), None) => cancelled.push(format!("{id} ({})", where_(b))),
                    (None, Some(a)) => opened.push(format!(
                        "{id} ({}, {} {})",
                        where_(a),
                        a.size,
                        lang.noun(a.size, ["уч."; 3], ["student", "students"])
                    )),
                    (Some(b), Some(a)) if b.same_place(a) => {
                        resized.push(format!("{id} {}→{}", b.size, a.size))
                    }
                    (Some(b), Some(a)) => {
                        changed.push(format!("{id} ({})", b.differences(a, lang)))
                    }
                    (None, None) => {}
                }
            }
            for (label, list) in [
                (lang.pick("отменены группы", "cancelled groups"), cancelled),
                (lang.pick("новые группы", "new groups"), opened),
                (lang.pick("изменены группы", "changed groups"), changed),
                (
                    lang.pick("изменилось число учеников", "group sizes changed"),
                    resized,
                ),
            ] {
                if !list.is_empty() {
                    parts.push(format!("{label}: {}", list.join(", ")));
                }
            }
            let own_students = self
                .students
                .keys()
                .filter(|s| {
                    net.students
                        .iter()
                        .any(|x| &x.id == *s && x.school.idx() == si)
                })
                .count();
            if own_students > 0 {
                parts.push(format!(
                    "{}: {own_students}",
                    lang.pick(
                        "у ваших учеников изменились группы",
                        "your students whose groups changed"
                    )
                ));
            }
            let own_teachers = self
                .routes
                .iter()
                .filter(|(p, (role, _, _))| {
                    role == "teacher"
                        && net
                            .teachers
                            .iter()
                            .any(|t| &t.id == *p && t.school.idx() == si)
                })
                .count();
            if own_teachers > 0 {
                parts.push(format!(
                    "{}: {own_teachers}",
                    lang.pick(
                        "у ваших учителей изменились поездки",
                        "your teachers whose journeys changed"
                    )
                ));
            }
            let buses: Vec<&String> = self
                .vehicles
                .iter()
                .filter(|v| {
                    net.vehicles
                        .iter()
                        .any(|x| &x.id == *v && x.school.idx() == si)
                })
                .collect();
            if !buses.is_empty() {
                parts.push(format!(
                    "{}: {}",
                    lang.pick("изменились рейсы автобусов", "bus trips changed"),
                    buses
                        .iter()
                        .map(|b| b.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !parts.is_empty() {
                out.push(Message {
                    role: "school".into(),
                    id: school.id.clone(),
                    message: format!(
                        "{}. {}",
                        parts.join("; "),
                        lang.pick("Подробно: changes.csv.", "Details: changes.csv.")
                    ),
                    school: school.id.clone(),
                    name: format!(
                        "{}: {} ({})",
                        lang.pick("Школа", "School"),
                        school.name,
                        school.id
                    ),
                });
            }
        }

        // Teachers.
        for t in &net.teachers {
            let mut parts = Vec::new();
            for (id, (b, a)) in &self.groups {
                let mine = |d: &Option<GroupDesc>| d.as_ref().is_some_and(|d| d.teacher == t.id);
                match (mine(b), mine(a)) {
                    (true, false) => parts.push(match a {
                        None => format!(
                            "{} {id} {}",
                            lang.pick("ваша группа", "your group"),
                            lang.pick("отменена", "is cancelled")
                        ),
                        Some(a) => format!(
                            "{} {id} {} {}",
                            lang.pick("вашу группу", "your group"),
                            lang.pick("ведёт", "is taught by"),
                            teacher_label(&a.teacher)
                        ),
                    }),
                    (false, true) => parts.push(format!(
                        "{} {id}: {}",
                        lang.pick("вы ведёте группу", "you teach group"),
                        a.as_ref().map(where_).unwrap_or_default()
                    )),
                    (true, true) => match (b, a) {
                        (Some(b), Some(a)) if b.same_place(a) => parts.push(format!(
                            "{} {id}: {} {} ({} {})",
                            lang.pick("в вашей группе", "your group"),
                            a.size,
                            lang.noun(a.size, ["уч."; 3], ["student", "students"]),
                            lang.pick("было", "was"),
                            b.size
                        )),
                        _ => parts.push(format!(
                            "{} {id}: {}",
                            lang.pick("изменена ваша группа", "your group changed"),
                            a.as_ref().map(where_).unwrap_or_default()
                        )),
                    },
                    _ => {}
                }
            }
            if let Some((_, _, after)) = self.routes.get(&t.id).filter(|r| r.0 == "teacher") {
                parts.push(route_text(lang, after));
            }
            if !parts.is_empty() {
                out.push(Message {
                    role: "teacher".into(),
                    id: t.id.clone(),
                    message: format!("{}.", parts.join("; ")),
                    school: net.schools[t.school.idx()].id.clone(),
                    name: format!("{}: {} ({})", lang.pick("Учитель", "Teacher"), t.name, t.id),
                });
            }
        }

        // Students.
        for st in &net.students {
            let mut parts = Vec::new();
            for (course, b, a) in self.students.get(&st.id).into_iter().flatten() {
                let name = course_name(course);
                match (b, a) {
                    (Some(_), None) => {
                        let why = self
                            .reasons
                            .get(&(st.id.clone(), course.clone()))
                            .map(|r| format!(" ({})", r.reason_named(lang, net)))
                            .unwrap_or_default();
                        parts.push(format!(
                            "{} «{name}» {}{why}",
                            lang.pick("курс", "course"),
                            lang.pick(
                                "у вас в этот день не состоится",
                                "will not take place for you this day"
                            )
                        ));
                    }
                    (_, Some(g)) => {
                        if let Some(d) = group_of(&Some(g.clone())) {
                            parts.push(format!(
                                "{} {g}: {}",
                                lang.pick("ваша группа", "your group"),
                                where_(&d)
                            ));
                        } else {
                            parts.push(format!(
                                "{} {g} ({name})",
                                lang.pick("ваша группа", "your group")
                            ));
                        }
                    }
                    (None, None) => {}
                }
            }
            // Groups kept but changed (teacher, room).
            for (id, (b, a)) in &self.groups {
                if let (Some(b), Some(a)) = (b, a) {
                    if !b.same_place(a) && self.member_kept(st, id) {
                        parts.push(format!(
                            "{} {id}: {}",
                            lang.pick("изменения в группе", "your group changed"),
                            where_(a)
                        ));
                    }
                }
            }
            if let Some((_, _, after)) = self.routes.get(&st.id).filter(|r| r.0 == "student") {
                parts.push(route_text(lang, after));
            }
            if !parts.is_empty() {
                out.push(Message {
                    role: "student".into(),
                    id: st.id.clone(),
                    message: format!("{}.", parts.join("; ")),
                    school: net.schools[st.school.idx()].id.clone(),
                    name: match lang {
                        Lang::Ru => format!("Ученик {}, {} класс", st.id, st.grade),
                        Lang::En => format!("Student {}, grade {}", st.id, st.grade),
                    },
                });
            }
        }
        // Grouped per school (in the order of schools.csv): the school, its teachers,
        // its students; within each, the order above.
        let rank = |m: &Message| {
            let role = match m.role.as_str() {
                "school" => 0,
                "teacher" => 1,
                _ => 2,
            };
            (
                net.school_index(&m.school).map_or(usize::MAX, |s| s.idx()),
                role,
            )
        };
        out.sort_by_key(rank);
        out
    }

    /// Whether student `st` stays in group `id` (a change of the group itself, such as
    /// its teacher or room, then concerns them).
    fn member_kept(&self, st: &crate::model::Student, id: &str) -> bool {
        self.members.get(id).is_some_and(|m| m.contains(&st.id))
            && !self
                .students
                .get(&st.id)
                .is_some_and(|v| v.iter().any(|(_, _, a)| a.as_deref() == Some(id)))
    }
}

fn route_text(lang: Lang, after: &str) -> String {
    if after.is_empty() {
        lang.pick(
            "поездок нет: вы весь день в своей школе",
            "no journeys: you stay at your school all day",
        )
        .to_string()
    } else {
        format!("{}: {after}", lang.pick("новые поездки", "new journeys"))
    }
}

#[cfg(test)]
mod not_chosen_tests {
    use super::{Alternative, ReplanStats};

    fn alt(name: &str, placements: usize, untouched_moved: usize, chosen: bool) -> Alternative {
        Alternative {
            name: name.into(),
            placements,
            untouched_moved,
            chosen,
        }
    }

    #[test]
    fn the_plans_not_chosen_are_said_with_their_price() {
        let stats = ReplanStats {
            alternatives: vec![
                alt("repair", 1160, 0, false),
                alt("re-optimised", 1170, 3, true),
                alt("relaxed", 1170, 3, false),
                alt("fresh", 1173, 212, false),
            ],
            ..Default::default()
        };
        assert_eq!(
            stats.not_chosen(),
            vec![
                "the repair plan would place 1160 and move 0 untouched student(s)".to_string(),
                "a fresh plan would place 1173 but move 212 untouched student(s)".to_string(),
            ]
        );
        assert!(ReplanStats::default().not_chosen().is_empty());
    }
}

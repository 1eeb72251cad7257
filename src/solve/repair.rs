//! Minimal repair of a published plan after a change (`profnet replan`).
//!
//! [`repair`] keeps every group, assignment and teacher that the change leaves
//! possible, in the plan's own order, and mends the rest in this order:
//! 1. a student whose choices changed leaves the groups of courses they no longer chose;
//! 2. a group whose room is closed moves to another free room of the kind at its school;
//!    a group whose teacher is absent gets a free qualified teacher (one of its own
//!    school first, then the one whose day grows least);
//! 3. a teacher whose day can no longer be travelled hands groups to others, from the
//!    last of the day; what nobody can take is cancelled;
//! 4. a student whose day can no longer be travelled leaves the fewest groups (the
//!    least wanted first) that make it travelable again;
//! 5. a group left below its minimum takes students who want its course and can come,
//!    or is cancelled;
//! 6. recovery: every student who lost a group (or changed choices) takes a free seat
//!    in a group of a course they want, or a new group opens for them (any school,
//!    period, teacher, or a distance lesson), filled up to its minimum with students
//!    the change did not touch if need be.
//!
//! Nothing else moves: a student the change does not touch keeps exactly their groups
//! unless a group of theirs has to close.

use crate::model::{CourseId, Network, RoomId, StudentId, TeacherId};
use crate::plan::reason::Reason;
use crate::plan::{Group, Mode, Plan};

use super::prep::Prep;
use super::state::{mask, PlanState};
use super::Limit;

/// What became of one group of the old plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// As it was (its members may differ).
    Kept,
    /// Another teacher took it; the old one is given.
    NewTeacher(TeacherId),
    /// It moved to another room; the old one is given.
    NewRoom(RoomId),
    /// Another teacher and another room.
    NewTeacherAndRoom(TeacherId, RoomId),
    /// Cancelled, with the reason.
    Cancelled(Reason),
    /// Opened by the repair.
    New,
}

/// A placement the repair took away, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    pub student: StudentId,
    pub course: CourseId,
    pub reason: Reason,
}

/// The repaired plan.
pub struct Repaired {
    /// The old plan's groups, in its order and at its indices (cancelled ones empty),
    /// then the new ones.
    pub groups: Vec<Group>,
    pub fate: Vec<Fate>,
    pub lost: Vec<Lost>,
    /// Students who lost a group (or changed choices): recovery seats them first.
    pub affected: Vec<bool>,
    /// Students the change itself touched: changed choices, or a group of theirs that
    /// the change made impossible for them (its room or teacher gone, or the way
    /// there). Not those who lost a group only because too few were left in it, or
    /// because the rebuilt bus plan had no seat.
    pub touched: Vec<bool>,
}

impl Repaired {
    /// The plan without cancelled groups, with each group's index in [`Self::groups`].
    pub fn plan(&self) -> (Plan, Vec<usize>) {
        let keep: Vec<usize> = (0..self.groups.len())
            .filter(|&i| !matches!(self.fate[i], Fate::Cancelled(_)))
            .collect();
        let plan = Plan {
            groups: keep.iter().map(|&i| self.groups[i].clone()).collect(),
        };
        (plan, keep)
    }
}

struct Work<'p, 'a> {
    st: PlanState<'p, 'a>,
    fate: Vec<Fate>,
    lost: Vec<Lost>,
    affected: Vec<bool>,
    /// With vehicles: every addition must leave a plan the fleet carries.
    fleet: bool,
    /// The published bus plan (vehicles indexed for the changed network): its trips
    /// are kept for the legs that still ride them.
    template: Option<&'p crate::plan::transport::Transport>,
    /// Fleet checks left.
    bus_tries: usize,
    /// Offers whose group the fleet could not carry.
    rejected: std::collections::HashSet<usize>,
    /// Students the change itself touched (see [`Repaired::touched`]).
    touched: Vec<bool>,
    /// Whether removals now are forced by the change itself (steps 1–4).
    direct: bool,
}

/// Fleet checks at most in one repair.
const BUS_TRIES: usize = 400;

/// Repairs `old` (a plan valid before the change) for `prep.net`, the network under the
/// change (see the module documentation). `changed` lists the students whose choices
/// changed.
pub fn repair<'p>(
    prep: &'p Prep,
    old: &Plan,
    changed: &[StudentId],
    template: Option<&'p crate::plan::transport::Transport>,
    limit: &Limit,
) -> Repaired {
    let net = prep.net;
    let mut st = PlanState::new(prep, old);
    st.homebound = false;
    let n = st.num_groups();
    let mut w = Work {
        st,
        fate: vec![Fate::Kept; n],
        lost: Vec::new(),
        affected: vec![false; net.students.len()],
        fleet: !net.vehicles.is_empty(),
        template,
        bus_tries: BUS_TRIES,
        rejected: Default::default(),
        touched: vec![false; net.students.len()],
        direct: true,
    };
    w.drop_unchosen(changed);
    w.resources();
    w.teacher_days();
    w.student_days();
    w.direct = false;
    w.minimums(true);
    if w.fleet {
        w.fit_fleet();
    }
    while !limit.reached() && w.recover() {}
    w.minimums(false);
    Repaired {
        groups: w.st.into_groups(),
        fate: w.fate,
        lost: w.lost,
        affected: w.affected,
        touched: w.touched,
    }
}

impl Work<'_, '_> {
    fn net(&self) -> &Network {
        self.st.net
    }

    fn live(&self, gi: usize) -> bool {
        !matches!(self.fate[gi], Fate::Cancelled(_))
    }

    fn remove_member(&mut self, gi: usize, s: StudentId, reason: Reason) {
        self.st.leave(s, gi);
        self.affected[s.idx()] = true;
        self.touched[s.idx()] |= self.direct;
        self.lost.push(Lost {
            student: s,
            course: self.st.group(gi).course,
            reason,
        });
    }

    fn add_member(&mut self, gi: usize, s: StudentId) {
        self.st.join_in_order(s, gi);
    }

    fn cancel(&mut self, gi: usize, reason: Reason) {
        if self.live(gi) {
            self.st.unbook(gi);
            self.cancel_released(gi, reason);
        }
    }

    /// Step 1: courses no longer chosen.
    fn drop_unchosen(&mut self, changed: &[StudentId]) {
        for &s in changed {
            self.affected[s.idx()] = true;
            self.touched[s.idx()] = true;
            for gi in self.st.of_student(s).to_vec() {
                let c = self.st.group(gi).course;
                if !self.st.prep.admissible[s.idx()].contains(&c) {
                    self.remove_member(gi, s, Reason::NoLongerChosen);
                }
            }
        }
    }

    /// Step 2: closed rooms and absent teachers.
    fn resources(&mut self) {
        for gi in 0..self.st.num_groups() {
            let net = self.st.net;
            let g = self.st.group(gi);
            let len = self.st.slot(gi).len;
            let room_ok = net.rooms[g.room.idx()].periods.contains_range(g.first, len);
            let teacher_ok = net.teachers[g.teacher.idx()]
                .periods
                .contains_range(g.first, len);
            if room_ok && teacher_ok {
                continue;
            }
            let (old_room, old_teacher) = (g.room, g.teacher);
            let mut to = g.clone();
            self.st.unbook(gi);
            if !room_ok {
                match self.free_room(gi) {
                    Some(r) => to.room = r,
                    None => {
                        let why = Reason::RoomClosed {
                            room: net.rooms[old_room.idx()].id.clone(),
                            school: net.schools[to.school.idx()].id.clone(),
                        };
                        self.cancel_released(gi, why);
                        continue;
                    }
                }
            }
            if !teacher_ok {
                match self.free_teacher(gi) {
                    Some(t) => to.teacher = t,
                    None => {
                        let why = Reason::TeacherAbsent {
                            teacher: net.teachers[old_teacher.idx()].id.clone(),
                        };
                        self.cancel_released(gi, why);
                        continue;
                    }
                }
            }
            self.st.book(gi);
            self.st.retime(gi, &to);
            self.fate[gi] = match (room_ok, teacher_ok) {
                (false, false) => Fate::NewTeacherAndRoom(old_teacher, old_room),
                (false, true) => Fate::NewRoom(old_room),
                _ => Fate::NewTeacher(old_teacher),
            };
        }
    }

    /// Cancels group `gi` whose room and teacher are already released.
    fn cancel_released(&mut self, gi: usize, reason: Reason) {
        for s in self.st.group(gi).members.clone() {
            self.remove_member(gi, s, reason.clone());
        }
        self.fate[gi] = Fate::Cancelled(reason);
    }

    /// A free room for released group `gi` at its school: of the course's kind,
    /// available in its periods, big enough; the smallest such.
    fn free_room(&self, gi: usize) -> Option<RoomId> {
        let net = self.net();
        let g = self.st.group(gi);
        let c = &net.courses[g.course.idx()];
        let len = c.periods;
        let m = mask(g.first, len);
        (0..net.rooms.len())
            .map(RoomId::from)
            .filter(|r| {
                let room = &net.rooms[r.idx()];
                room.school == g.school
                    && room.kind == c.room_kind
                    && room.periods.contains_range(g.first, len)
                    && self.st.room_free(*r, m, None)
                    && (g.mode == Mode::Distance
                        || room.capacity as usize >= g.members.len().max(c.min_group as usize))
            })
            .min_by_key(|r| (net.rooms[r.idx()].capacity, *r))
    }

    /// A free qualified teacher for released group `gi`: available, not busy, within
    /// their load, able to reach the school and get home; from the group's school
    /// first, then the one whose travel grows least.
    fn free_teacher(&self, gi: usize) -> Option<TeacherId> {
        let net = self.net();
        let g = self.st.group(gi);
        let len = self.st.slot(gi).len;
        (0..net.teachers.len())
            .map(TeacherId::from)
            .filter_map(|t| {
                let te = &net.teachers[t.idx()];
                if !te.can_teach(g.course)
                    || !te.periods.contains_range(g.first, len)
                    || !self.st.teacher_free(t, g.first, len, None)
                    || (!te.travels && te.school != g.school)
                {
                    return None;
                }
                let before = self.st.teacher_minutes(t, None, None)?;
                let mut trial = g.clone();
                trial.teacher = t;
                let after = self.st.teacher_minutes(t, None, Some(&trial))?;
                Some(((te.school != g.school, after - before, t), t))
            })
            .min_by_key(|x| x.0)
            .map(|x| x.1)
    }

    /// Step 3: teachers whose day no longer works.
    fn teacher_days(&mut self) {
        for t in 0..self.net().teachers.len() {
            let t = TeacherId::from(t);
            let mut mine = self.st.of_teacher(t).to_vec();
            mine.sort_by_key(|&g| std::cmp::Reverse((self.st.group(g).first, g)));
            for gi in mine {
                if self.st.teacher_minutes(t, None, None).is_some() {
                    break;
                }
                let net = self.st.net;
                self.st.unbook(gi);
                match self.free_teacher(gi) {
                    Some(nt) => {
                        let mut to = self.st.group(gi).clone();
                        to.teacher = nt;
                        self.st.book(gi);
                        self.st.retime(gi, &to);
                        self.fate[gi] = match self.fate[gi].clone() {
                            Fate::NewRoom(r) => Fate::NewTeacherAndRoom(t, r),
                            Fate::NewTeacher(o) => Fate::NewTeacher(o),
                            Fate::NewTeacherAndRoom(o, r) => Fate::NewTeacherAndRoom(o, r),
                            _ => Fate::NewTeacher(t),
                        };
                    }
                    None => {
                        let why = Reason::TeacherCannotTravel {
                            teacher: net.teachers[t.idx()].id.clone(),
                            school: net.schools[self.st.group(gi).school.idx()].id.clone(),
                        };
                        self.cancel_released(gi, why);
                    }
                }
            }
        }
    }

    /// Step 4: students whose day no longer works leave the fewest groups, least
    /// wanted first.
    fn student_days(&mut self) {
        for s in 0..self.net().students.len() {
            let sid = StudentId::from(s);
            if self.st.of_student(StudentId::from(s)).is_empty()
                || self.st.student_day(sid, &[], &[]).is_some()
            {
                continue;
            }
            let net = self.st.net;
            let home = net.students[s].school;
            let rank = |gi: usize| {
                net.students[s]
                    .rank_of(self.st.group(gi).course)
                    .unwrap_or(usize::MAX)
            };
            let mut mine = self.st.of_student(sid).to_vec();
            // Least wanted first.
            mine.sort_by_key(|&g| (std::cmp::Reverse(rank(g)), g));
            let single = mine
                .iter()
                .copied()
                .find(|&g| self.st.student_day(sid, &[g], &[]).is_some());
            let out: Vec<usize> = match single {
                Some(g) => vec![g],
                None => {
                    let mut out = Vec::new();
                    for &g in &mine {
                        out.push(g);
                        if self.st.student_day(sid, &out, &[]).is_some() {
                            break;
                        }
                    }
                    out
                }
            };
            for gi in out {
                let place = self.st.group(gi).student_location(home);
                let why = Reason::WayClosed {
                    from: net.schools[home.idx()].id.clone(),
                    to: net.schools[place.idx()].id.clone(),
                };
                self.remove_member(gi, sid, why);
            }
        }
    }

    /// Students who may join group `gi`: want its course (admissible), lack it, have
    /// room in their day. Students the change touched first, then by rank.
    fn joiners(&self, g: &Group, touched_only: bool) -> Vec<StudentId> {
        let net = self.net();
        let mut out: Vec<(bool, usize, StudentId)> = (0..net.students.len())
            .map(StudentId::from)
            .filter(|&s| {
                (!touched_only || self.affected[s.idx()])
                    && self.st.prep.admissible[s.idx()].contains(&g.course)
                    && self.st.of_student(s).len() < net.students[s.idx()].wants
                    && !self
                        .st
                        .of_student(s)
                        .iter()
                        .any(|&x| self.st.group(x).course == g.course)
                    && self.st.student_day(s, &[], &[g]).is_some()
            })
            .map(|s| {
                (
                    !self.affected[s.idx()],
                    net.students[s.idx()].rank_of(g.course).unwrap_or(99),
                    s,
                )
            })
            .collect();
        out.sort();
        out.into_iter().map(|x| x.2).collect()
    }

    /// The plan as it stands (cancelled groups left out).
    fn current(&self) -> Plan {
        Plan {
            groups: (0..self.st.num_groups())
                .filter(|&g| self.live(g))
                .map(|g| self.st.group(g).clone())
                .collect(),
        }
    }

    /// Whether the fleet carries the plan as it stands (always, without vehicles; never
    /// once the checks are used up).
    fn carried(&mut self) -> bool {
        let plan = self.current();
        self.carries(plan)
    }

    /// [`Work::carried`] for the plan with group `g` opened too.
    fn carried_with(&mut self, g: &Group) -> bool {
        let mut plan = self.current();
        plan.groups.push(g.clone());
        self.carries(plan)
    }

    fn carries(&mut self, plan: Plan) -> bool {
        if !self.fleet {
            return true;
        }
        if self.bus_tries == 0 {
            return false;
        }
        self.bus_tries -= 1;
        let net = self.st.net;
        crate::plan::transport::build_keeping(
            net,
            &self.st.prep.tt,
            &plan.student_stays(net),
            self.template,
        )
        .shortages
        .is_empty()
    }

    /// With vehicles: drops what the fleet cannot carry, as [`crate::plan::transport::fit_fleet`]
    /// does, so that recovery starts from a carried plan.
    fn fit_fleet(&mut self) {
        let net = self.st.net;
        // Students the change did not touch keep their seats first.
        let touched = self.touched.clone();
        let fit = crate::plan::transport::fit_fleet_keeping_first(
            net,
            &self.st.prep.tt,
            self.current(),
            self.template,
            &|s, _| !touched[s.idx()],
        );
        for d in fit.dropped {
            let gi = self
                .st
                .of_student(d.student)
                .iter()
                .copied()
                .find(|&g| self.st.group(g).course == d.course);
            if let Some(gi) = gi {
                self.remove_member(gi, d.student, d.reason);
            }
        }
        self.minimums(false);
    }

    /// Step 5: groups below their minimum take joiners (with `fill`) or close.
    fn minimums(&mut self, fill: bool) {
        for gi in 0..self.st.num_groups() {
            if !self.live(gi) {
                continue;
            }
            let min = self.st.slot(gi).min;
            let have = self.st.group(gi).members.len();
            if have >= min {
                continue;
            }
            let g = self.st.group(gi).clone();
            let join = self.joiners(&g, false);
            if fill && have > 0 && have + join.len() >= min {
                for s in join.into_iter().take(min - have) {
                    // Joining again checks the day with the members added so far.
                    if self
                        .st
                        .student_day(s, &[], &[&self.st.group(gi).clone()])
                        .is_some()
                    {
                        self.add_member(gi, s);
                    }
                }
            }
            let have = self.st.group(gi).members.len();
            if have < min {
                let why = Reason::ChangeGroupClosed {
                    school: self.net().schools[g.school.idx()].id.clone(),
                    have,
                    min,
                };
                self.cancel(gi, why);
            }
        }
    }

    /// Step 6, one move: a student the change touched takes a free seat, or a new group
    /// opens for such students. Returns whether anything changed.
    fn recover(&mut self) -> bool {
        let net = self.st.net;
        let wanting: Vec<StudentId> = (0..net.students.len())
            .filter(|&s| {
                self.affected[s]
                    && self.st.of_student(StudentId::from(s)).len() < net.students[s].wants
            })
            .map(StudentId::from)
            .collect();
        let mut changed = false;
        for &s in &wanting {
            let home = net.students[s.idx()].school;
            for &c in &self.st.prep.admissible[s.idx()].clone() {
                if self.st.of_student(s).len() >= net.students[s.idx()].wants {
                    break;
                }
                if self
                    .st
                    .of_student(s)
                    .iter()
                    .any(|&g| self.st.group(g).course == c)
                {
                    continue;
                }
                let mut options: Vec<usize> = (0..self.st.num_groups())
                    .filter(|&g| {
                        let x = self.st.group(g);
                        self.live(g)
                            && x.course == c
                            && self.st.has_seat(g)
                            && self.st.student_day(s, &[], &[x]).is_some()
                    })
                    .collect();
                options.sort_by_key(|&g| {
                    let place = self.st.group(g).student_location(home);
                    (self.st.prep.tt.get(home, place), g)
                });
                for g in options {
                    let travels = self.st.group(g).student_location(home) != home;
                    self.add_member(g, s);
                    if travels && !self.carried() {
                        self.st.leave(s, g);
                        continue;
                    }
                    changed = true;
                    break;
                }
            }
        }
        changed | self.open_group()
    }

    /// Opens the candidate group that seats the most students the change touched (at
    /// least one), filled up to its minimum with others if need be.
    fn open_group(&mut self) -> bool {
        let net = self.st.net;
        let prep = self.st.prep;
        let mut best: Option<(usize, usize, Group)> = None;
        for (oi, o) in prep.offers.iter().enumerate() {
            if self.rejected.contains(&oi) {
                continue;
            }
            let c = &net.courses[o.course.idx()];
            let min = c.min_group as usize;
            let m = mask(o.first, o.len);
            let some_touched = (0..net.students.len()).any(|s| {
                self.affected[s]
                    && prep.admissible[s].contains(&o.course)
                    && self.st.of_student(StudentId::from(s)).len() < net.students[s].wants
                    && !self
                        .st
                        .of_student(StudentId::from(s))
                        .iter()
                        .any(|&g| self.st.group(g).course == o.course)
            });
            if !some_touched {
                continue;
            }
            let Some(&room) = o
                .rooms
                .iter()
                .filter(|r| self.st.room_free(**r, m, None))
                .max_by_key(|r| (net.rooms[r.idx()].capacity, std::cmp::Reverse(**r)))
            else {
                continue;
            };
            let Some(&teacher) = o.teachers.iter().find(|&&t| {
                self.st.teacher_free(t, o.first, o.len, None)
                    && self
                        .st
                        .teacher_minutes(t, None, Some(&o.group(room, t, Vec::new())))
                        .is_some()
            }) else {
                continue;
            };
            let mut g = o.group(room, teacher, Vec::new());
            let cap = self.st.cap_of(g.course, g.mode, g.room);
            if cap < min {
                continue;
            }
            let touched = self.joiners(&g, true);
            let seated = touched.len().min(cap);
            if seated == 0 || best.as_ref().is_some_and(|b| b.0 >= seated) {
                continue;
            }
            let members = if touched.len() >= min {
                touched
            } else {
                // Up to the minimum with students the change did not touch.
                let all = self.joiners(&g, false);
                if all.len() < min {
                    continue;
                }
                all
            };
            g.members = members.into_iter().take(seated.max(min)).collect();
            g.members.sort();
            best = Some((seated, oi, g));
        }
        let Some((_, oi, g)) = best else {
            return false;
        };
        let travels = g.members.iter().any(|s| {
            g.student_location(net.students[s.idx()].school) != net.students[s.idx()].school
        });
        if travels && !self.carried_with(&g) {
            // The fleet cannot carry it: the next best offer is tried next time.
            self.rejected.insert(oi);
            return true;
        }
        self.st.open(g);
        self.fate.push(Fate::New);
        true
    }
}

//! The plan under search: one state for every search of the optimiser (greedy, local
//! search, less travel, refill, equal access, repair after a change, the fleet polish).
//!
//! It holds the groups with every index a move needs (each course's, student's and
//! teacher's groups; the periods each room and teacher is busy; teachers' loads; per
//! student and per course a stamp counting changes, for the caches of searches) and
//! keeps them right through its only mutations: [`PlanState::open`],
//! [`PlanState::close`], [`PlanState::join`], [`PlanState::leave`],
//! [`PlanState::move_student`] and [`PlanState::retime`] (a group to another time,
//! place, room or teacher). Whether a student can take a set of groups is answered in
//! one place, [`PlanState::fits`], without allocating; a teacher's day in
//! [`PlanState::teacher_fits`].
//!
//! A new local-search move is a function over a `PlanState` that asks these queries
//! and makes these mutations; it needs no index of its own.

use crate::model::{CourseId, Network, RoomId, SchoolId, StudentId, TeacherId};
use crate::plan::{day_fits, walk_fits, Group, Mode, Plan, Stay};

use super::prep::{Offer, Prep};

/// Periods `first .. first + len` as a bit mask (a day has at most 64 periods).
#[inline]
pub fn mask(first: usize, len: usize) -> u64 {
    let end = (first + len).min(64);
    if first >= end {
        return 0;
    }
    let width = end - first;
    let ones = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    ones << first
}

/// Most stays a day's test keeps on the stack; longer days (more groups than any
/// student wants in practice) spill to the heap.
const STACK_STAYS: usize = 16;

/// One group of the state, with what the searches ask of it most.
#[derive(Clone, Debug)]
pub struct Slot {
    pub g: Group,
    /// Periods it takes.
    pub len: usize,
    /// The course's minimum group.
    pub min: usize,
    /// Most members: the course's maximum, and the room's seats in person.
    pub cap: usize,
    /// Booked (room and teacher taken); `false` once closed.
    open: bool,
}

/// One group in a person's day, kept in time order so that the tests of a day need not
/// rebuild it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    stay: Stay,
    course: CourseId,
    /// Its periods.
    mask: u64,
    /// The group.
    gi: usize,
    /// Whether it puts the student where [`Prep::may_be_at`] does not let them be.
    barred: bool,
}

/// Puts `e` into `day` by start time (after stays that start at the same time).
fn insert_entry(day: &mut Vec<Entry>, e: Entry) {
    let at = day.partition_point(|x| x.stay.start <= e.stay.start);
    day.insert(at, e);
}

/// The plan under search (module documentation).
pub struct PlanState<'p, 'a> {
    pub prep: &'p Prep<'a>,
    pub net: &'a Network,
    slots: Vec<Slot>,
    by_course: Vec<Vec<usize>>,
    of_student: Vec<Vec<usize>>,
    of_teacher: Vec<Vec<usize>>,
    /// Per student and per teacher: their groups' stays in time order.
    student_days: Vec<Vec<Entry>>,
    teacher_days: Vec<Vec<Entry>>,
    room_busy: Vec<u64>,
    teacher_busy: Vec<u64>,
    teacher_load: Vec<usize>,
    /// Per student: counts changes to their day (groups joined, left or moved).
    stamp: Vec<u32>,
    /// Per student: how many of their groups put them where [`Prep::may_be_at`] does not
    /// let them be, so that [`PlanState::fits`] asks it of new groups only.
    barred: Vec<u32>,
    /// Per course: counts changes to its groups (members, time, place).
    version: Vec<u64>,
    /// Whether every period takes time, so that groups whose periods overlap can never
    /// share a day ([`PlanState::fits`] then rules them out by period masks first).
    strict_periods: bool,
    /// Whether the preparation's limits on where students may be (homebound students,
    /// hubs, waves: [`Prep::may_be_at`]) apply; off where every bus leg is checked
    /// against the fleet anyway.
    pub homebound: bool,
    /// Per slot: the pinned group (index into `net.pins.groups`) it is, if any.
    fixed: Vec<Option<usize>>,
    /// Per student: their pins, each a course with the slot of its pinned group when
    /// the pin names one (see [`PlanState::keeps_holds`]). Empty without pins.
    holds: Vec<Vec<(CourseId, Option<usize>)>>,
    /// Whether any student has a pin (so that the tests of a move skip the holds).
    any_holds: bool,
}

impl<'p, 'a> PlanState<'p, 'a> {
    /// The state of `plan` (its groups keep their order and indices).
    pub fn new(prep: &'p Prep<'a>, plan: &Plan) -> Self {
        let net = prep.net;
        let mut s = PlanState {
            prep,
            net,
            slots: Vec::with_capacity(plan.groups.len()),
            by_course: vec![Vec::new(); net.courses.len()],
            of_student: vec![Vec::new(); net.students.len()],
            of_teacher: vec![Vec::new(); net.teachers.len()],
            student_days: vec![Vec::new(); net.students.len()],
            teacher_days: vec![Vec::new(); net.teachers.len()],
            room_busy: vec![0; net.rooms.len()],
            teacher_busy: vec![0; net.teachers.len()],
            teacher_load: vec![0; net.teachers.len()],
            stamp: vec![0; net.students.len()],
            barred: vec![0; net.students.len()],
            version: vec![0; net.courses.len()],
            strict_periods: net.periods.iter().all(|p| p.end > p.start),
            homebound: true,
            fixed: Vec::with_capacity(plan.groups.len()),
            holds: Vec::new(),
            any_holds: false,
        };
        for g in &plan.groups {
            s.open(g.clone());
        }
        s.apply_pins();
        s
    }

    /// The plan: the groups that have members, in canonical order.
    pub fn into_plan(self) -> Plan {
        let mut plan = self.current();
        plan.canonicalize();
        plan
    }

    /// Every group the state has held, in its order and at its indices (closed and
    /// emptied ones without members).
    pub fn into_groups(self) -> Vec<Group> {
        self.slots.into_iter().map(|s| s.g).collect()
    }

    /// The groups that have members, in the state's order.
    pub fn current(&self) -> Plan {
        Plan {
            groups: self
                .slots
                .iter()
                .filter(|s| !s.g.members.is_empty())
                .map(|s| s.g.clone())
                .collect(),
        }
    }

    // ---- queries ---------------------------------------------------------------------

    /// How many groups the state has held (closed and emptied ones keep their index).
    #[inline]
    pub fn num_groups(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    pub fn slot(&self, gi: usize) -> &Slot {
        &self.slots[gi]
    }

    #[inline]
    pub fn group(&self, gi: usize) -> &Group {
        &self.slots[gi].g
    }

    /// Whether group `gi` is booked (not closed).
    #[inline]
    pub fn is_open(&self, gi: usize) -> bool {
        self.slots[gi].open
    }

    #[inline]
    pub fn size(&self, gi: usize) -> usize {
        self.slots[gi].g.members.len()
    }

    /// Whether group `gi` has a free seat.
    #[inline]
    pub fn has_seat(&self, gi: usize) -> bool {
        self.size(gi) < self.slots[gi].cap
    }

    /// Whether group `gi` can lose a member and keep its minimum.
    #[inline]
    pub fn can_spare(&self, gi: usize) -> bool {
        self.size(gi) > self.slots[gi].min
    }

    /// The groups of course `c`, in the order they were opened.
    #[inline]
    pub fn of_course(&self, c: CourseId) -> &[usize] {
        &self.by_course[c.idx()]
    }

    /// The groups of student `s`, in the order they were joined.
    #[inline]
    pub fn of_student(&self, s: StudentId) -> &[usize] {
        &self.of_student[s.idx()]
    }

    /// The groups teacher `t` teaches.
    #[inline]
    pub fn of_teacher(&self, t: TeacherId) -> &[usize] {
        &self.of_teacher[t.idx()]
    }

    /// Counts changes to student `s`'s day.
    #[inline]
    pub fn stamp(&self, s: StudentId) -> u32 {
        self.stamp[s.idx()]
    }

    /// Counts changes to the groups of course `c`.
    #[inline]
    pub fn version(&self, c: CourseId) -> u64 {
        self.version[c.idx()]
    }

    #[inline]
    pub fn strict_periods(&self) -> bool {
        self.strict_periods
    }

    /// Whether student `s` takes a group of course `c`.
    #[inline]
    pub fn takes(&self, s: StudentId, c: CourseId) -> bool {
        self.of_student[s.idx()]
            .iter()
            .any(|&g| self.slots[g].g.course == c)
    }

    /// Most members of a group of `course` in `mode` in `room`.
    #[inline]
    pub fn cap_of(&self, course: CourseId, mode: Mode, room: RoomId) -> usize {
        let c = &self.net.courses[course.idx()];
        (match mode {
            Mode::InPerson => c.max_group.min(self.net.rooms[room.idx()].capacity),
            Mode::Distance => c.max_group,
        }) as usize
    }

    /// The periods of group `g` as a mask.
    #[inline]
    pub fn mask_of(&self, g: &Group) -> u64 {
        mask(g.first, self.net.courses[g.course.idx()].periods)
    }

    /// Whether room `r` is free in the periods `m`, group `except` (if any) not counted.
    #[inline]
    pub fn room_free(&self, r: RoomId, m: u64, except: Option<usize>) -> bool {
        let mut busy = self.room_busy[r.idx()];
        if let Some(gi) = except.filter(|&gi| self.slots[gi].open && self.slots[gi].g.room == r) {
            busy &= !self.mask_of(&self.slots[gi].g);
        }
        busy & m == 0
    }

    /// Whether teacher `t` is free in periods `first .. first + len` and has the load
    /// left for them, group `except` (if any) not counted. (Their day: see
    /// [`PlanState::teacher_fits`].)
    #[inline]
    pub fn teacher_free(
        &self,
        t: TeacherId,
        first: usize,
        len: usize,
        except: Option<usize>,
    ) -> bool {
        let (mut busy, mut load) = (self.teacher_busy[t.idx()], self.teacher_load[t.idx()]);
        if let Some(gi) = except.filter(|&gi| self.slots[gi].open && self.slots[gi].g.teacher == t)
        {
            busy &= !self.mask_of(&self.slots[gi].g);
            load -= self.slots[gi].len;
        }
        busy & mask(first, len) == 0 && load + len <= self.net.teachers[t.idx()].max_periods
    }

    /// Where a student from `home` is while group `g` runs.
    #[inline]
    pub fn stay(&self, g: &Group, home: SchoolId) -> Stay {
        Stay {
            place: g.student_location(home),
            start: g.start(self.net),
            end: g.end(self.net),
        }
    }

    /// Whether student `s` may be where group `g` puts them ([`Prep::may_be_at`]).
    #[inline]
    fn allowed(&self, s: StudentId, g: &Group) -> bool {
        let home = self.net.students[s.idx()].school;
        let x = self.stay(g, home);
        x.place == home || self.prep.may_be_at(s, x)
    }

    /// Whether student `s` can keep their groups minus `remove`, plus `add` (groups
    /// given by value so that a group not yet in the state can be tried): at most
    /// `wants` groups, no course twice, each stay allowed ([`PlanState::homebound`]),
    /// and the day travelled in time. Allocates nothing for days of up to 16 groups.
    #[inline]
    pub fn fits(&self, s: StudentId, remove: &[usize], add: &[&Group]) -> bool {
        if self.any_holds && !self.keeps_holds(s, remove, add.iter().map(|g| g.course)) {
            return false;
        }
        let home = self.net.students[s.idx()].school;
        let part = |g: &&Group| (g.course, self.mask_of(g), self.stay(g, home));
        // Moves add one or two groups: worked out once, on the stack.
        const ADDS: usize = 4;
        if add.len() > ADDS {
            let parts: Vec<_> = add.iter().map(part).collect();
            return self.fits_parts(s, remove, parts.iter().copied());
        }
        let none = (
            CourseId(0),
            0,
            Stay {
                place: home,
                start: 0,
                end: 0,
            },
        );
        let mut parts = [none; ADDS];
        for (p, g) in parts.iter_mut().zip(add) {
            *p = part(g);
        }
        self.fits_parts(s, remove, parts[..add.len()].iter().copied())
    }

    /// Whether student `s` can join a new group of offer `o` as well (as
    /// [`PlanState::fits`] with that group added; its room and teacher do not matter).
    #[inline]
    pub fn fits_offer(&self, s: StudentId, o: &Offer) -> bool {
        let st = &self.net.students[s.idx()];
        let x = o.stay_for(self.net, st.school);
        let day = &self.student_days[s.idx()];
        // The tests of `fits_parts` for one new group and nothing removed, walking the
        // day in place (the greedy start asks this of every student it considers).
        if day.len() >= st.wants
            || (self.homebound
                && (self.barred[s.idx()] > 0
                    || (x.place != st.school && !self.prep.may_be_at(s, x))))
        {
            return false;
        }
        let m = mask(o.first, o.len);
        if day
            .iter()
            .any(|e| e.course == o.course || (self.strict_periods && e.mask & m != 0))
        {
            return false;
        }
        let at = day.partition_point(|e| e.stay.start <= x.start);
        let stays = day[..at]
            .iter()
            .map(|e| &e.stay)
            .chain(std::iter::once(&x))
            .chain(day[at..].iter().map(|e| &e.stay));
        walk_fits(self.net, &self.prep.tt, st.school, stays)
    }

    /// [`PlanState::fits`] for additions given as (course, periods, stay).
    #[inline]
    fn fits_parts(
        &self,
        s: StudentId,
        remove: &[usize],
        add: impl Iterator<Item = (CourseId, u64, Stay)> + Clone,
    ) -> bool {
        let st = &self.net.students[s.idx()];
        let all_added = add.clone();
        if self.homebound {
            // Where the student may be: their groups kept (counted as they joined), and
            // each new one.
            let mut barred = self.barred[s.idx()];
            if barred > 0 && !remove.is_empty() {
                let gone = self.student_days[s.idx()]
                    .iter()
                    .filter(|e| e.barred && remove.contains(&e.gi))
                    .count();
                barred -= gone as u32;
            }
            if barred > 0 {
                return false;
            }
            // At home a student may always be (the test's own first answer).
            let away = |x: &Stay| x.place != st.school && !self.prep.may_be_at(s, *x);
            if add.clone().any(|(_, _, x)| away(&x)) {
                return false;
            }
        }
        let day = &self.student_days[s.idx()];
        let kept = day.iter().filter(|e| !remove.contains(&e.gi));
        if self.strict_periods {
            // Overlapping periods never fit: a cheap test before the day is walked.
            let mut busy = kept.clone().fold(0u64, |b, e| b | e.mask);
            for (_, m, _) in add.clone() {
                if busy & m != 0 {
                    return false;
                }
                busy |= m;
            }
        }
        let none = Stay {
            place: st.school,
            start: 0,
            end: 0,
        };
        let mut stays = [none; STACK_STAYS];
        let mut courses = [CourseId(0); STACK_STAYS];
        let mut n = 0;
        // The kept groups come in time order; each new one is put in its place.
        let parts = kept
            .clone()
            .map(|e| (e.course, e.stay))
            .chain(add.map(|(c, _, x)| (c, x)));
        for (course, x) in parts {
            if n == st.wants || courses[..n].contains(&course) {
                return false;
            }
            if n == STACK_STAYS {
                // More groups than the stack holds (no student wants that many in
                // practice): the same test, on the heap.
                let all = kept
                    .map(|e| (e.course, e.stay))
                    .chain(all_added.map(|(c, _, x)| (c, x)))
                    .collect();
                return self.day_of(s, all).is_some();
            }
            let mut i = n;
            while i > 0 && stays[i - 1].start > x.start {
                stays[i] = stays[i - 1];
                courses[i] = courses[i - 1];
                i -= 1;
            }
            stays[i] = x;
            courses[i] = course;
            n += 1;
        }
        day_fits(self.net, &self.prep.tt, st.school, &stays[..n])
    }

    /// The day of student `s` with their groups minus `remove` plus `add`, in time
    /// order, when it [`fits`](PlanState::fits); `None` otherwise.
    pub fn student_day(&self, s: StudentId, remove: &[usize], add: &[&Group]) -> Option<Vec<Stay>> {
        if self.any_holds && !self.keeps_holds(s, remove, add.iter().map(|g| g.course)) {
            return None;
        }
        let home = self.net.students[s.idx()].school;
        let parts = self.of_student[s.idx()]
            .iter()
            .filter(|g| !remove.contains(g))
            .map(|&g| &self.slots[g].g)
            .chain(add.iter().copied())
            .map(|g| (g.course, self.stay(g, home)))
            .collect();
        self.day_of(s, parts)
    }

    /// The day of student `s` taking `parts` (course, stay), in time order, when it
    /// fits: the tests of [`PlanState::fits`] on the heap.
    fn day_of(&self, s: StudentId, mut parts: Vec<(CourseId, Stay)>) -> Option<Vec<Stay>> {
        let st = &self.net.students[s.idx()];
        if parts.len() > st.wants
            || (self.homebound && parts.iter().any(|x| !self.prep.may_be_at(s, x.1)))
        {
            return None;
        }
        // A day holds a few groups: pairs are cheaper than a sorted copy.
        if (1..parts.len()).any(|i| parts[..i].iter().any(|x| x.0 == parts[i].0)) {
            return None;
        }
        parts.sort_by_key(|x| x.1.start);
        let stays: Vec<Stay> = parts.into_iter().map(|x| x.1).collect();
        day_fits(self.net, &self.prep.tt, st.school, &stays).then_some(stays)
    }

    /// Travel minutes of a day of stays (in time order) from `home` and back.
    pub fn minutes(&self, home: SchoolId, stays: &[Stay]) -> i64 {
        let mut at = home;
        let mut m = 0;
        for s in stays.iter().map(|s| s.place).chain([home]) {
            m += i64::from(self.prep.tt.get(at, s).unwrap_or(0));
            at = s;
        }
        m
    }

    /// Travel minutes of student `s` with their groups minus `remove` plus `add`, or
    /// `None` when that day does not fit.
    pub fn student_minutes(&self, s: StudentId, remove: &[usize], add: &[&Group]) -> Option<i64> {
        let home = self.net.students[s.idx()].school;
        self.student_day(s, remove, add)
            .map(|d| self.minutes(home, &d))
    }

    /// The stays of teacher `t` with their groups minus `remove` plus `add`, in time
    /// order, when the day can be travelled; `None` otherwise.
    fn teacher_day(
        &self,
        t: TeacherId,
        remove: Option<usize>,
        add: Option<&Group>,
    ) -> Option<Vec<Stay>> {
        let net = self.net;
        let teaching = |g: &Group| Stay {
            place: g.school,
            start: g.start(net),
            end: g.end(net),
        };
        let mut stays: Vec<Stay> = self.of_teacher[t.idx()]
            .iter()
            .filter(|&&g| Some(g) != remove)
            .map(|&g| teaching(&self.slots[g].g))
            .chain(add.map(teaching))
            .collect();
        stays.sort_by_key(|s| s.start);
        if stays.windows(2).any(|w| w[0].end > w[1].start) {
            return None;
        }
        day_fits(net, &self.prep.tt, net.teachers[t.idx()].school, &stays).then_some(stays)
    }

    /// Travel minutes of teacher `t` with their groups minus `remove` plus `add`, or
    /// `None` when the day does not work.
    pub fn teacher_minutes(
        &self,
        t: TeacherId,
        remove: Option<usize>,
        add: Option<&Group>,
    ) -> Option<i64> {
        let home = self.net.teachers[t.idx()].school;
        self.teacher_day(t, remove, add)
            .map(|d| self.minutes(home, &d))
    }

    /// Whether teacher `t` can travel a day of their groups minus `except`, plus a stay
    /// `extra` (teaching at its place from its start to its end), without allocating.
    pub fn teacher_fits(&self, t: TeacherId, except: Option<usize>, extra: Stay) -> bool {
        let day = &self.teacher_days[t.idx()];
        let at = day.partition_point(|e| e.stay.start <= extra.start);
        let kept = |e: &&Entry| Some(e.gi) != except;
        let stays = day[..at]
            .iter()
            .filter(kept)
            .map(|e| &e.stay)
            .chain(std::iter::once(&extra))
            .chain(day[at..].iter().filter(kept).map(|e| &e.stay));
        walk_fits(
            self.net,
            &self.prep.tt,
            self.net.teachers[t.idx()].school,
            stays,
        )
    }

    /// Enters group `gi` in student `s`'s day.
    fn enter_student(&mut self, s: StudentId, gi: usize) {
        let g = &self.slots[gi].g;
        let e = Entry {
            stay: self.stay(g, self.net.students[s.idx()].school),
            course: g.course,
            mask: mask(g.first, self.slots[gi].len),
            gi,
            barred: !self.allowed(s, g),
        };
        self.barred[s.idx()] += u32::from(e.barred);
        insert_entry(&mut self.student_days[s.idx()], e);
    }

    /// Takes group `gi` out of student `s`'s day.
    fn leave_day(&mut self, s: StudentId, gi: usize) {
        let day = &mut self.student_days[s.idx()];
        if let Some(k) = day.iter().position(|e| e.gi == gi) {
            let e = day.remove(k);
            self.barred[s.idx()] -= u32::from(e.barred);
        }
    }

    // ---- pins ------------------------------------------------------------------------

    /// Whether student `s` keeps their pins when they leave the groups `remove` and
    /// join groups of `added` courses: a group a pin names is never left, and a pinned
    /// course only for another group of the same course.
    pub fn keeps_holds(
        &self,
        s: StudentId,
        remove: &[usize],
        mut added: impl Iterator<Item = CourseId>,
    ) -> bool {
        let Some(holds) = self.holds.get(s.idx()) else {
            return true;
        };
        if holds.is_empty() || remove.is_empty() {
            return true;
        }
        let mut courses = [CourseId(0); 4];
        let mut n = 0;
        for c in added.by_ref() {
            if n < courses.len() {
                courses[n] = c;
                n += 1;
            }
        }
        remove.iter().all(|&gi| {
            let c = self.slots[gi].g.course;
            holds.iter().all(|&(hc, slot)| match slot {
                Some(k) => k != gi,
                None => hc != c || courses[..n].contains(&c),
            })
        })
    }

    /// Whether student `s` may leave group `gi` without joining another of its course.
    #[inline]
    pub fn may_drop(&self, s: StudentId, gi: usize) -> bool {
        !self.any_holds || self.keeps_holds(s, &[gi], std::iter::empty())
    }

    /// Whether student `s` may move from group `from` to group `to` (of the same course).
    #[inline]
    pub fn may_move(&self, s: StudentId, from: usize, to: usize) -> bool {
        !self.any_holds || self.keeps_holds(s, &[from], std::iter::once(self.slots[to].g.course))
    }

    /// Whether group `gi` may move to the time, place, room, teacher and mode of `to`:
    /// any group may unless it is pinned and `to` is not as its pin says.
    #[inline]
    pub fn may_retime(&self, gi: usize, to: &Group) -> bool {
        self.fixed[gi].is_none_or(|k| super::pins::matches(&self.net.pins.groups[k], to))
    }

    /// Opens the pinned groups this state lacks (closing unpinned groups that hold
    /// their room or teacher then), seats the pinned students (leaving groups that clash
    /// with them, and making a seat where a pinned group is full), fills pinned groups
    /// to their minimum where students can join, and closes unpinned groups that
    /// evictions left under theirs. Nothing without pins.
    fn apply_pins(&mut self) {
        let Some(r) = self.prep.pins.as_ref() else {
            return;
        };
        let net = self.net;
        let mut slot_of = Vec::with_capacity(r.groups.len());
        for (k, pg) in r.groups.iter().enumerate() {
            let pin = &net.pins.groups[k];
            let found = (0..self.slots.len()).find(|&gi| {
                self.slots[gi].open
                    && self.fixed[gi].is_none()
                    && super::pins::matches(pin, &self.slots[gi].g)
            });
            let gi = match found {
                Some(gi) => gi,
                None => {
                    // Earlier pins matched groups of the plan whose free attributes may
                    // differ from the resolved ones: take a room and teacher they leave.
                    let Some(pg) = self.free_for_pin(k, pg) else {
                        continue;
                    };
                    let pg = &pg;
                    let m = self.mask_of(pg);
                    for gi in 0..self.slots.len() {
                        let g = &self.slots[gi].g;
                        if self.slots[gi].open
                            && self.fixed[gi].is_none()
                            && (g.room == pg.room || g.teacher == pg.teacher)
                            && self.mask_of(g) & m != 0
                        {
                            self.close(gi);
                        }
                    }
                    let stay = Stay {
                        place: pg.school,
                        start: pg.start(net),
                        end: pg.end(net),
                    };
                    while !self.teacher_fits(pg.teacher, None, stay)
                        || self.teacher_load[pg.teacher.idx()] + self.slots_len(pg)
                            > net.teachers[pg.teacher.idx()].max_periods
                    {
                        let Some(&other) = self.of_teacher[pg.teacher.idx()]
                            .iter()
                            .find(|&&g| self.fixed[g].is_none())
                        else {
                            break;
                        };
                        self.close(other);
                    }
                    self.open(pg.clone())
                }
            };
            self.fixed[gi] = Some(k);
            slot_of.push(gi);
        }
        if slot_of.len() < r.groups.len() {
            // A pin that found no room or teacher next to the others: its students
            // stay unseated (the solve reports the pin as not kept).
            self.holds = vec![Vec::new(); net.students.len()];
            return;
        }
        self.holds = vec![Vec::new(); net.students.len()];
        // Each pin seated holds from then on, so that later ones cannot evict it.
        self.any_holds = r.holds.iter().any(|h| !h.is_empty());
        for (si, hs) in r.holds.iter().enumerate() {
            let s = StudentId::from(si);
            for &(c, k) in hs {
                let target = match k {
                    Some(k) => Some(slot_of[k]),
                    None => self.of_student[si]
                        .iter()
                        .copied()
                        .find(|&g| self.slots[g].g.course == c)
                        .or_else(|| {
                            self.by_course[c.idx()].iter().copied().find(|&g| {
                                self.slots[g].open
                                    && self.has_seat(g)
                                    && self.fits(s, &[], &[&self.slots[g].g])
                            })
                        })
                        .or_else(|| {
                            slot_of
                                .iter()
                                .copied()
                                .find(|&g| self.slots[g].g.course == c)
                        }),
                };
                if let Some(gi) = target {
                    if !self.slots[gi].g.members.contains(&s) {
                        self.seat_pinned(s, gi);
                    }
                }
                self.holds[si].push((c, k.map(|k| slot_of[k])));
            }
        }
        for &gi in &slot_of {
            self.fill_pinned(gi);
        }
        // Unpinned groups the seating left under their minimum are filled again, or
        // close; their members pinned to the course move to another group of it.
        for gi in 0..self.slots.len() {
            let size = self.size(gi);
            if self.fixed[gi].is_some() || size == 0 || size >= self.slots[gi].min {
                continue;
            }
            self.fill_pinned(gi);
            if self.size(gi) >= self.slots[gi].min {
                continue;
            }
            let c = self.slots[gi].g.course;
            for m in self.close(gi) {
                if self.holds[m.idx()].iter().any(|h| h.0 == c) {
                    let to = self.by_course[c.idx()].iter().copied().find(|&g| {
                        self.slots[g].open
                            && self.has_seat(g)
                            && self.fits(m, &[], &[&self.slots[g].g])
                    });
                    if let Some(g) = to {
                        self.join(m, g);
                    }
                }
            }
        }
    }

    /// The resolved group of pin `k`, or, when a pinned group already in the state
    /// holds its room or teacher then, the same with a room and teacher that no pinned
    /// group holds (as the pin allows); `None` when there is none.
    fn free_for_pin(&self, k: usize, pg: &Group) -> Option<Group> {
        let net = self.net;
        let pin = &net.pins.groups[k];
        let course = &net.courses[pin.course.idx()];
        let len = course.periods;
        let m = self.mask_of(pg);
        let stay = Stay {
            place: pg.school,
            start: pg.start(net),
            end: pg.end(net),
        };
        let fixed: Vec<usize> = (0..self.slots.len())
            .filter(|&g| self.fixed[g].is_some() && self.slots[g].open)
            .collect();
        let room_ok = |r: RoomId| {
            !fixed
                .iter()
                .any(|&g| self.slots[g].g.room == r && self.mask_of(&self.slots[g].g) & m != 0)
        };
        let teacher_ok = |t: TeacherId| {
            let te = &net.teachers[t.idx()];
            let mine: Vec<&Group> = fixed
                .iter()
                .map(|&g| &self.slots[g].g)
                .filter(|g| g.teacher == t)
                .collect();
            if mine.iter().any(|g| self.mask_of(g) & m != 0)
                || mine.iter().map(|g| self.slots_len(g)).sum::<usize>() + len > te.max_periods
            {
                return false;
            }
            let mut day: Vec<Stay> = mine
                .iter()
                .map(|g| Stay {
                    place: g.school,
                    start: g.start(net),
                    end: g.end(net),
                })
                .chain([stay])
                .collect();
            day.sort_by_key(|x| x.start);
            day_fits(net, &self.prep.tt, te.school, &day)
        };
        if room_ok(pg.room) && teacher_ok(pg.teacher) {
            return Some(pg.clone());
        }
        let room = (0..net.rooms.len()).map(RoomId::from).find(|&r| {
            let x = &net.rooms[r.idx()];
            pin.room.is_none_or(|p| p == r)
                && x.school == pin.school
                && x.kind == course.room_kind
                && x.periods.contains_range(pin.first, len)
                && room_ok(r)
        })?;
        let teacher = (0..net.teachers.len()).map(TeacherId::from).find(|&t| {
            let te = &net.teachers[t.idx()];
            pin.teacher.is_none_or(|p| p == t)
                && te.can_teach(pin.course)
                && te.periods.contains_range(pin.first, len)
                && (te.travels || te.school == pin.school)
                && teacher_ok(t)
        })?;
        Some(Group {
            room,
            teacher,
            ..pg.clone()
        })
    }

    fn slots_len(&self, g: &Group) -> usize {
        self.net.courses[g.course.idx()].periods
    }

    /// Seats student `s` in group `gi` for a pin: leaves their other group of its
    /// course, makes a seat, and leaves groups that clash with it, worst choice first.
    fn seat_pinned(&mut self, s: StudentId, gi: usize) {
        let c = self.slots[gi].g.course;
        if let Some(&own) = self.of_student[s.idx()]
            .iter()
            .find(|&&g| self.slots[g].g.course == c)
        {
            if !self.may_drop(s, own) {
                return;
            }
            self.leave(s, own);
        }
        while self.size(gi) >= self.slots[gi].cap {
            let Some(&m) = self.slots[gi]
                .g
                .members
                .iter()
                .rev()
                .find(|&&m| self.may_drop(m, gi))
            else {
                return;
            };
            self.leave(m, gi);
        }
        let g = self.slots[gi].g.clone();
        let st = &self.net.students[s.idx()];
        let mut own: Vec<usize> = self.of_student[s.idx()].clone();
        own.sort_by_key(|&g| std::cmp::Reverse(st.rank_of(self.slots[g].g.course)));
        for o in own {
            if self.fits(s, &[], &[&g]) {
                break;
            }
            if self.may_drop(s, o) && self.fits(s, &[o], &[&g]) {
                self.leave(s, o);
            }
        }
        for o in self.of_student[s.idx()].clone() {
            if self.fits(s, &[], &[&g]) {
                break;
            }
            if self.may_drop(s, o) {
                self.leave(s, o);
            }
        }
        if self.fits(s, &[], &[&g]) {
            self.join(s, gi);
        }
    }

    /// Fills group `gi` (a pinned one, or one the pins left short) towards its minimum: students who chose the course and
    /// lack a group, then students of another group of the course that can spare them,
    /// then students who give up a worse choice; each only where their day fits.
    fn fill_pinned(&mut self, gi: usize) {
        let c = self.slots[gi].g.course;
        let g = self.slots[gi].g.clone();
        let mut choosers: Vec<StudentId> = (0..self.net.students.len())
            .map(StudentId::from)
            .filter(|s| self.prep.admissible[s.idx()].contains(&c))
            .collect();
        let net = self.net;
        choosers.sort_by_key(|s| (net.students[s.idx()].rank_of(c), *s));
        for pass in 0..3 {
            for &s in &choosers {
                if self.size(gi) >= self.slots[gi].min || !self.has_seat(gi) {
                    return;
                }
                if self.slots[gi].g.members.contains(&s) {
                    continue;
                }
                let own_c = self.of_student[s.idx()]
                    .iter()
                    .copied()
                    .find(|&o| self.slots[o].g.course == c);
                match (pass, own_c) {
                    (0, None) if self.fits(s, &[], &[&g]) => self.join(s, gi),
                    (1, Some(o)) if self.can_spare(o) && self.fits(s, &[o], &[&g]) => {
                        self.move_student(s, o, gi)
                    }
                    (2, None) => {
                        let r = net.students[s.idx()].rank_of(c);
                        let worse = self.of_student[s.idx()].iter().copied().find(|&o| {
                            net.students[s.idx()].rank_of(self.slots[o].g.course) > r
                                && self.can_spare(o)
                                && self.fits(s, &[o], &[&g])
                        });
                        if let Some(o) = worse {
                            self.leave(s, o);
                            self.join(s, gi);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    // ---- mutations -------------------------------------------------------------------

    /// Opens group `g` with its members: books its room and teacher. Returns its index.
    pub fn open(&mut self, g: Group) -> usize {
        let course = &self.net.courses[g.course.idx()];
        let gi = self.slots.len();
        let cap = self.cap_of(g.course, g.mode, g.room);
        self.by_course[g.course.idx()].push(gi);
        for &s in &g.members {
            self.of_student[s.idx()].push(gi);
            self.stamp[s.idx()] += 1;
        }
        self.version[g.course.idx()] += 1;
        self.fixed.push(None);
        self.slots.push(Slot {
            len: course.periods,
            min: course.min_group as usize,
            cap,
            g,
            open: false,
        });
        for k in 0..self.slots[gi].g.members.len() {
            self.enter_student(self.slots[gi].g.members[k], gi);
        }
        self.book(gi);
        gi
    }

    /// Closes group `gi`: its members leave, its room and teacher are free, and no
    /// search finds it among its course's groups any more. Returns the members it had.
    /// The index stays (empty) so that others keep theirs.
    pub fn close(&mut self, gi: usize) -> Vec<StudentId> {
        let members = self.slots[gi].g.members.clone();
        for &s in &members {
            self.leave(s, gi);
        }
        self.unbook(gi);
        let c = self.slots[gi].g.course;
        self.by_course[c.idx()].retain(|&g| g != gi);
        self.version[c.idx()] += 1;
        members
    }

    /// Student `s` joins group `gi` (the last of its members).
    #[inline]
    pub fn join(&mut self, s: StudentId, gi: usize) {
        let at = self.slots[gi].g.members.len();
        self.join_at(s, gi, at);
    }

    /// As [`PlanState::join`], keeping the members in id order (a repaired plan keeps
    /// the order it was published in).
    pub fn join_in_order(&mut self, s: StudentId, gi: usize) {
        let at = self.slots[gi].g.members.partition_point(|&x| x < s);
        self.join_at(s, gi, at);
    }

    fn join_at(&mut self, s: StudentId, gi: usize, at: usize) {
        debug_assert!(!self.slots[gi].g.members.contains(&s), "{s:?} is in {gi}");
        self.changed(gi);
        self.slots[gi].g.members.insert(at, s);
        self.of_student[s.idx()].push(gi);
        self.enter_student(s, gi);
        self.stamp[s.idx()] += 1;
    }

    /// Student `s` leaves group `gi`.
    #[inline]
    pub fn leave(&mut self, s: StudentId, gi: usize) {
        self.leave_day(s, gi);
        self.changed(gi);
        self.slots[gi].g.members.retain(|&m| m != s);
        self.of_student[s.idx()].retain(|&g| g != gi);
        self.stamp[s.idx()] += 1;
    }

    /// Student `s` leaves group `from` for group `to`.
    pub fn move_student(&mut self, s: StudentId, from: usize, to: usize) {
        self.leave(s, from);
        self.join(s, to);
    }

    /// Group `gi` moves to the time, place, mode, room and teacher of `to` (its course
    /// and members stay): the old room and teacher are freed, the new ones booked.
    pub fn retime(&mut self, gi: usize, to: &Group) {
        debug_assert_eq!(to.course, self.slots[gi].g.course);
        self.unbook(gi);
        let cap = self.cap_of(to.course, to.mode, to.room);
        let sl = &mut self.slots[gi];
        sl.g.school = to.school;
        sl.g.room = to.room;
        sl.g.teacher = to.teacher;
        sl.g.first = to.first;
        sl.g.mode = to.mode;
        sl.cap = cap;
        self.book(gi);
        for k in 0..self.slots[gi].g.members.len() {
            let m = self.slots[gi].g.members[k];
            self.leave_day(m, gi);
            self.enter_student(m, gi);
        }
        self.changed(gi);
        for &m in &self.slots[gi].g.members {
            self.stamp[m.idx()] += 1;
        }
    }

    /// Frees the room and teacher of group `gi` while a search tries others for it;
    /// [`PlanState::book`] takes them again.
    pub fn unbook(&mut self, gi: usize) {
        if !self.slots[gi].open {
            return;
        }
        let (m, len) = (self.mask_of(&self.slots[gi].g), self.slots[gi].len);
        let (room, teacher) = (self.slots[gi].g.room, self.slots[gi].g.teacher);
        self.room_busy[room.idx()] &= !m;
        self.teacher_busy[teacher.idx()] &= !m;
        self.teacher_load[teacher.idx()] -= len;
        self.of_teacher[teacher.idx()].retain(|&x| x != gi);
        self.teacher_days[teacher.idx()].retain(|e| e.gi != gi);
        self.slots[gi].open = false;
    }

    /// Books the room and teacher of group `gi` (see [`PlanState::unbook`]).
    pub fn book(&mut self, gi: usize) {
        if self.slots[gi].open {
            return;
        }
        let (m, len) = (self.mask_of(&self.slots[gi].g), self.slots[gi].len);
        let (room, teacher) = (self.slots[gi].g.room, self.slots[gi].g.teacher);
        self.room_busy[room.idx()] |= m;
        self.teacher_busy[teacher.idx()] |= m;
        self.teacher_load[teacher.idx()] += len;
        self.of_teacher[teacher.idx()].push(gi);
        let g = &self.slots[gi].g;
        let e = Entry {
            stay: Stay {
                place: g.school,
                start: g.start(self.net),
                end: g.end(self.net),
            },
            course: g.course,
            mask: m,
            gi,
            barred: false,
        };
        insert_entry(&mut self.teacher_days[teacher.idx()], e);
        self.slots[gi].open = true;
    }

    fn changed(&mut self, gi: usize) {
        self.version[self.slots[gi].g.course.idx()] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::generate::{generate, Family, GenParams};

    #[test]
    fn masks_cover_their_periods_up_to_the_64th() {
        assert_eq!(mask(0, 1), 1);
        assert_eq!(mask(2, 3), 0b11100);
        assert_eq!(mask(0, 64), u64::MAX);
        assert_eq!(mask(60, 8), 0xF << 60);
        assert_eq!(mask(63, 1), 1 << 63);
        assert_eq!(mask(64, 1), 0);
        assert_eq!(mask(5, 0), 0);
    }

    /// Every index of `st` equals what a fresh state of its groups would hold.
    fn indexes_agree(st: &PlanState) {
        let net = st.net;
        let fresh = PlanState::new(st.prep, &Plan::default());
        let mut room_busy = fresh.room_busy.clone();
        let mut teacher_busy = fresh.teacher_busy.clone();
        let mut load = fresh.teacher_load.clone();
        for (gi, sl) in st.slots.iter().enumerate() {
            // A closed group leaves its course's list; every other stays in it.
            assert!(
                st.by_course[sl.g.course.idx()].contains(&gi)
                    || (!sl.open && sl.g.members.is_empty())
            );
            assert_eq!(sl.cap, st.cap_of(sl.g.course, sl.g.mode, sl.g.room));
            if sl.open {
                let m = st.mask_of(&sl.g);
                assert_eq!(room_busy[sl.g.room.idx()] & m, 0, "room twice");
                room_busy[sl.g.room.idx()] |= m;
                teacher_busy[sl.g.teacher.idx()] |= m;
                load[sl.g.teacher.idx()] += sl.len;
            }
        }
        assert_eq!(room_busy, st.room_busy);
        assert_eq!(teacher_busy, st.teacher_busy);
        assert_eq!(load, st.teacher_load);
        for t in 0..net.teachers.len() {
            let mut mine: Vec<usize> = (0..st.slots.len())
                .filter(|&g| st.slots[g].open && st.slots[g].g.teacher.idx() == t)
                .collect();
            let mut listed = st.of_teacher[t].clone();
            let mut days: Vec<usize> = st.teacher_days[t].iter().map(|e| e.gi).collect();
            mine.sort_unstable();
            listed.sort_unstable();
            days.sort_unstable();
            assert_eq!((&listed, &days), (&mine, &mine), "teacher {t}");
            assert!(st.teacher_days[t]
                .windows(2)
                .all(|w| w[0].stay.start <= w[1].stay.start));
        }
        for s in 0..net.students.len() {
            let sid = StudentId::from(s);
            let mut mine: Vec<usize> = (0..st.slots.len())
                .filter(|&g| st.slots[g].g.members.contains(&sid))
                .collect();
            let mut listed = st.of_student[s].clone();
            let mut days: Vec<usize> = st.student_days[s].iter().map(|e| e.gi).collect();
            mine.sort_unstable();
            listed.sort_unstable();
            days.sort_unstable();
            assert_eq!((&listed, &days), (&mine, &mine), "student {s}");
            let day = &st.student_days[s];
            assert!(day.windows(2).all(|w| w[0].stay.start <= w[1].stay.start));
            let barred = mine
                .iter()
                .filter(|&&g| !st.allowed(sid, &st.slots[g].g))
                .count();
            assert_eq!(st.barred[s] as usize, barred, "student {s}");
            // What `fits` says of the day as it is agrees with the heap version.
            assert_eq!(
                st.fits(sid, &[], &[]),
                st.student_day(sid, &[], &[]).is_some()
            );
        }
    }

    /// The mutations keep every index right: a generated network's greedy plan, then
    /// students joining what fits, leaving, groups moving to other offers and closing.
    #[test]
    fn mutations_keep_every_index() {
        let net = generate(&GenParams {
            family: Family::Rural,
            schools: 6,
            students: 160,
            courses: 8,
            seed: 3,
            fleet: false,
        });
        let prep = Prep::new(&net);
        let plan =
            super::super::greedy::greedy_variant(&prep, super::super::greedy::VARIANTS[0], None);
        assert!(plan.placements() > 0);
        let mut st = PlanState::new(&prep, &plan);
        indexes_agree(&st);
        // Join whatever fits.
        let mut joined = 0;
        for s in 0..net.students.len() {
            let sid = StudentId::from(s);
            for gi in 0..st.num_groups() {
                let g = st.group(gi).clone();
                if prep.admissible[s].contains(&g.course)
                    && st.has_seat(gi)
                    && st.fits(sid, &[], &[&g])
                {
                    assert!(st.student_day(sid, &[], &[&g]).is_some());
                    st.join(sid, gi);
                    joined += 1;
                }
            }
        }
        indexes_agree(&st);
        // Every third member of each group leaves; one student moves.
        for gi in 0..st.num_groups() {
            let members = st.group(gi).members.clone();
            for m in members.into_iter().step_by(3) {
                st.leave(m, gi);
            }
        }
        indexes_agree(&st);
        // Groups move to another offer of their course whose staff is free and that
        // every member still fits.
        let mut moved = 0;
        for gi in 0..st.num_groups() {
            let g = st.group(gi).clone();
            let target = prep.offers.iter().find_map(|o| {
                if o.course != g.course || (o.host, o.first, o.mode) == (g.school, g.first, g.mode)
                {
                    return None;
                }
                let m = mask(o.first, o.len);
                let room = o
                    .rooms
                    .iter()
                    .copied()
                    .find(|&r| st.room_free(r, m, Some(gi)))?;
                let teacher = o.teachers.iter().copied().find(|&t| {
                    st.teacher_free(t, o.first, o.len, Some(gi))
                        && st.teacher_fits(t, Some(gi), o.teacher_stay(&net))
                })?;
                let to = o.group(room, teacher, g.members.clone());
                g.members
                    .iter()
                    .all(|&s| st.fits(s, &[gi], &[&to]))
                    .then_some(to)
            });
            if let Some(to) = target {
                st.retime(gi, &to);
                moved += 1;
            }
        }
        indexes_agree(&st);
        // A group closes; its members are free again.
        let gi = (0..st.num_groups()).find(|&g| st.size(g) > 0).unwrap();
        let members = st.close(gi);
        assert!(!members.is_empty() && st.size(gi) == 0 && !st.is_open(gi));
        indexes_agree(&st);
        assert!(joined > 0 && moved > 0, "joined {joined}, moved {moved}");
        // The plan the state gives back has the same groups and members.
        let again = PlanState::new(&prep, &st.current());
        assert_eq!(again.current().placements(), st.current().placements());
        indexes_agree(&again);
    }
}

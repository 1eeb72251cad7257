//! Local search on a whole plan: seats students who still lack an elective by short
//! chains of moves, opens groups that gather them, moves groups to a time and place they
//! can reach, and then swaps granted choices for better-ranked ones. Every move keeps
//! the plan valid (SPEC §3 rules 1–7), so the search can stop at any moment.
//!
//! Moves, tried in this order until none helps:
//! 1. **Insert**: a student joins a group of a course they chose and lack, directly, or
//!    after a member of that (full) group moves to another group of the same course, or
//!    after the student moves one of their own groups to another group of its course to
//!    free the time.
//! 2. **Open**: a new group from the candidate offers, with a free room and teacher,
//!    filled with students who lack the course, topped up to its minimum with students
//!    who move over from other groups of the course that can spare them.
//! 3. **Move a group**: a group changes period, host, mode, room or teacher so that all
//!    its members still fit and students who lack it can join.
//! 4. **Better rank**: a student leaves a group for a group of a better-ranked choice.
//!
//! The search is deterministic: it scans students, courses, groups and offers in index
//! order and takes the first move that helps.

use crate::model::{CourseId, Network, RoomId, StudentId, TeacherId};
use crate::plan::{day_fits, day_fits_with, Group, Mode, Plan, Stay};

use super::prep::{Offer, Prep};
use super::Limit;
use crate::plan::stay_alone_fits;

/// How many further groups a chain of seat-freeing moves may pass through.
const CHAIN_DEPTH: usize = 2;

/// How many relocation targets one insertion may try: a count, not a time, so that
/// the search stays deterministic; it keeps chains through big courses (dozens of full
/// groups) from exploring for seconds.
const CHAIN_BUDGET: usize = 2_000;

/// A group being searched over.
#[derive(Clone, Debug)]
struct Slot {
    g: Group,
    len: usize,
    min: usize,
    cap: usize,
}

struct Search<'p, 'a> {
    prep: &'p Prep<'a>,
    net: &'a Network,
    slots: Vec<Slot>,
    by_course: Vec<Vec<usize>>,
    of_student: Vec<Vec<usize>>,
    of_teacher: Vec<Vec<usize>>,
    room_busy: Vec<u64>,
    teacher_busy: Vec<u64>,
    teacher_load: Vec<usize>,
    /// Per student: min(wants, admissible choices).
    need: Vec<usize>,
    /// Offer indices per course.
    offers_of: Vec<Vec<usize>>,
    /// Students who chose each course (admissible), by id.
    choosers: Vec<Vec<StudentId>>,
    /// Per offer: an index into `reach`, the home schools whose students can get to a
    /// group of it and back (for distance offers, every school).
    offer_reach: Vec<usize>,
    /// Per (host, first period, periods) of some offer: whether each home school can
    /// get there and back in the day. Shared by the offers of every course.
    reach: Vec<Vec<bool>>,
    /// Per student: counts changes to their day (groups joined, left or moved).
    stamp: Vec<u32>,
    /// Per course: who could join each offer's group, as last found by `open_best`.
    join_cache: Vec<JoinCache>,
    /// Whether every period takes time, so that groups whose periods overlap can never
    /// share a day ([`Search::fits`] then rules them out by period masks first).
    strict_periods: bool,
    /// Relocation targets the current insertion may still try.
    budget: usize,
    /// Per course: counts changes to its groups (members, time, place).
    version: Vec<u64>,
    /// Per group: its course's version when a full chain could not free a seat in it.
    /// The chain is not tried again until the course changes (a heuristic: changes to
    /// other courses could open a chain through a student's other groups).
    no_room: Vec<Option<u64>>,
    limit: &'p Limit,
}

fn mask(first: usize, len: usize) -> u64 {
    ((1u64 << len) - 1) << first
}

/// Whether a day of `stays` (in any order) can be travelled from `home`: sorted by
/// start time in a stack buffer (a day holds a few stays), so nothing is allocated.
fn day_fits_sorted(
    net: &Network,
    tt: &crate::graph::TravelTimes,
    home: crate::model::SchoolId,
    stays: impl Iterator<Item = Stay>,
) -> bool {
    const N: usize = 16;
    let none = Stay {
        place: home,
        start: 0,
        end: 0,
    };
    let mut buf = [none; N];
    let mut n = 0;
    let mut spill: Vec<Stay> = Vec::new();
    for x in stays {
        if n == N {
            spill.extend_from_slice(&buf);
            n += 1;
        }
        if n > N {
            spill.push(x);
            continue;
        }
        let mut i = n;
        while i > 0 && buf[i - 1].start > x.start {
            buf[i] = buf[i - 1];
            i -= 1;
        }
        buf[i] = x;
        n += 1;
    }
    if n > N {
        spill.sort_by_key(|x| x.start);
        return day_fits(net, tt, home, &spill);
    }
    day_fits(net, tt, home, &buf[..n])
}

/// Most groups in one student's day that [`Search::fits`] accepts.
const FITS_MAX: usize = 8;

/// A student who lacks a course, as [`Search::lack_info`] finds them.
struct Lacker {
    s: StudentId,
    /// Their [`Search::stamp`] when found.
    stamp: u32,
    /// Home school (index).
    home: usize,
    /// Periods their groups take (0 when periods may take no time).
    busy: u64,
    /// Their day, by start time.
    stays: Vec<Stay>,
}

/// Who could join the group of each offer of one course, found for a set of lacking
/// students and their days: when few of them change, the answers are updated for those
/// few instead of found again.
#[derive(Clone, Debug, Default)]
struct JoinCache {
    /// The lacking students and their stamps the answers hold for, by id.
    seen: Vec<(StudentId, u32)>,
    /// Per offer of the course (in `offers_of` order): those of `seen` who could join.
    joiners: Vec<Option<Vec<StudentId>>>,
}

/// A group to open: (students it seats who lacked an elective, in person, offer, the
/// group with its members, members who move over from (student, group)).
type Opening = (usize, bool, usize, Group, Vec<(StudentId, usize)>);

/// What one call to [`improve`] did.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub inserted: usize,
    pub opened: usize,
    pub moved_groups: usize,
    pub better_rank: usize,
}

/// Improves `plan` (which must be valid) until no move helps or `limit` is reached.
pub fn improve(prep: &Prep, plan: &Plan, limit: &Limit) -> (Plan, Stats) {
    let mut s = Search::new(prep, plan, limit);
    let mut stats = Stats::default();
    loop {
        if limit.reached() {
            break;
        }
        let n = s.insert_pass();
        stats.inserted += n;
        if n > 0 {
            continue;
        }
        if s.open_best() {
            stats.opened += 1;
            continue;
        }
        if s.move_group_pass() {
            stats.moved_groups += 1;
            continue;
        }
        break;
    }
    stats.better_rank += s.rank_pass();
    (s.into_plan(), stats)
}

/// Most groups one perturbation drops: on big networks a tenth of the groups leaves so
/// many students to re-seat that one try takes seconds.
const MAX_DROPPED: usize = 20;

/// `plan` without a seeded tenth of its groups (at least one, at most
/// [`MAX_DROPPED`]): still valid, with room for local search to rebuild differently.
pub fn without_some_groups(plan: &Plan, seed: u64) -> Plan {
    let n = plan.groups.len();
    let drop = (n / 10).clamp(1, MAX_DROPPED).min(n);
    let mut order: Vec<(u64, usize)> = (0..n)
        .map(|i| (mix(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64), i))
        .collect();
    order.sort();
    let gone: Vec<usize> = order[..drop].iter().map(|&(_, i)| i).collect();
    Plan {
        groups: plan
            .groups
            .iter()
            .enumerate()
            .filter(|(i, _)| !gone.contains(i))
            .map(|(_, g)| g.clone())
            .collect(),
    }
}

/// splitmix64's output function.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<'p, 'a> Search<'p, 'a> {
    fn new(prep: &'p Prep<'a>, plan: &Plan, limit: &'p Limit) -> Self {
        let net = prep.net;
        let mut offers_of = vec![Vec::new(); net.courses.len()];
        for (oi, o) in prep.offers.iter().enumerate() {
            offers_of[o.course.idx()].push(oi);
        }
        let need = (0..net.students.len())
            .map(|i| net.students[i].wants.min(prep.admissible[i].len()))
            .collect();
        let mut choosers = vec![Vec::new(); net.courses.len()];
        for (si, adm) in prep.admissible.iter().enumerate() {
            for c in adm {
                choosers[c.idx()].push(StudentId::from(si));
            }
        }
        let ns = net.schools.len();
        let mut reach_index: std::collections::HashMap<
            (crate::model::SchoolId, usize, usize),
            usize,
        > = std::collections::HashMap::new();
        let mut reach: Vec<Vec<bool>> = vec![vec![true; ns]];
        let offer_reach = prep
            .offers
            .iter()
            .map(|o| match o.mode {
                Mode::Distance => 0,
                Mode::InPerson => {
                    *reach_index
                        .entry((o.host, o.first, o.len))
                        .or_insert_with(|| {
                            reach.push(
                                (0..ns)
                                    .map(|h| {
                                        let home = crate::model::SchoolId::from(h);
                                        stay_alone_fits(net, &prep.tt, home, o.stay_for(net, home))
                                    })
                                    .collect(),
                            );
                            reach.len() - 1
                        })
                }
            })
            .collect();
        let strict_periods = net.periods.iter().all(|p| p.end > p.start);
        let mut s = Search {
            stamp: vec![0; net.students.len()],
            join_cache: vec![JoinCache::default(); net.courses.len()],
            offer_reach,
            reach,
            strict_periods,
            choosers,
            version: vec![0; net.courses.len()],
            budget: 0,
            no_room: Vec::new(),
            prep,
            net,
            slots: Vec::new(),
            by_course: vec![Vec::new(); net.courses.len()],
            of_student: vec![Vec::new(); net.students.len()],
            of_teacher: vec![Vec::new(); net.teachers.len()],
            room_busy: vec![0; net.rooms.len()],
            teacher_busy: vec![0; net.teachers.len()],
            teacher_load: vec![0; net.teachers.len()],
            need,
            offers_of,
            limit,
        };
        for g in &plan.groups {
            s.add_slot(g.clone());
        }
        s
    }

    fn into_plan(self) -> Plan {
        let mut plan = Plan {
            groups: self
                .slots
                .into_iter()
                .map(|s| s.g)
                .filter(|g| !g.members.is_empty())
                .collect(),
        };
        plan.canonicalize();
        plan
    }

    fn cap_of(&self, course: CourseId, mode: Mode, room: RoomId) -> usize {
        let c = &self.net.courses[course.idx()];
        (match mode {
            Mode::InPerson => c.max_group.min(self.net.rooms[room.idx()].capacity),
            Mode::Distance => c.max_group,
        }) as usize
    }

    fn add_slot(&mut self, g: Group) -> usize {
        let net = self.net;
        let course = &net.courses[g.course.idx()];
        let len = course.periods;
        let gi = self.slots.len();
        let m = mask(g.first, len);
        self.room_busy[g.room.idx()] |= m;
        let t = g.teacher.idx();
        self.teacher_busy[t] |= m;
        self.teacher_load[t] += len;
        self.of_teacher[t].push(gi);
        self.by_course[g.course.idx()].push(gi);
        for s in &g.members {
            self.of_student[s.idx()].push(gi);
            self.stamp[s.idx()] += 1;
        }
        let cap = self.cap_of(g.course, g.mode, g.room);
        self.version[g.course.idx()] += 1;
        self.no_room.push(None);
        self.slots.push(Slot {
            g,
            len,
            min: course.min_group as usize,
            cap,
        });
        gi
    }

    fn size(&self, gi: usize) -> usize {
        self.slots[gi].g.members.len()
    }

    fn stay_of(&self, g: &Group, home: crate::model::SchoolId) -> Stay {
        Stay {
            place: g.student_location(home),
            start: g.start(self.net),
            end: g.end(self.net),
        }
    }

    /// Whether student `s` can keep their groups minus `remove`, plus `add` (groups
    /// given by value so that a group not yet in the plan can be tried).
    fn fits(&self, s: StudentId, remove: &[usize], add: &[&Group]) -> bool {
        let st = &self.net.students[s.idx()];
        if self.strict_periods {
            // Overlapping periods never fit: a cheap test before the day is walked.
            let mut busy = 0u64;
            for &g in &self.of_student[s.idx()] {
                if !remove.contains(&g) {
                    let sl = &self.slots[g];
                    busy |= mask(sl.g.first, sl.len);
                }
            }
            for g in add {
                let m = mask(g.first, self.net.courses[g.course.idx()].periods);
                if busy & m != 0 {
                    return false;
                }
                busy |= m;
            }
        }
        let keep = self.of_student[s.idx()]
            .iter()
            .filter(|g| !remove.contains(g))
            .map(|&g| &self.slots[g].g);
        // Days hold a few groups: a stack buffer avoids allocating in this hot path.
        const N: usize = FITS_MAX;
        let none = Stay {
            place: st.school,
            start: 0,
            end: 0,
        };
        let mut stays = [none; N];
        let mut courses = [CourseId(0); N];
        let mut n = 0;
        for g in keep.chain(add.iter().copied()) {
            if n == st.wants || n == N || courses[..n].contains(&g.course) {
                return false;
            }
            let x = self.stay_of(g, st.school);
            if !self.prep.may_be_at(s, x) {
                return false;
            }
            // Insertion by start time.
            let mut i = n;
            while i > 0 && stays[i - 1].start > x.start {
                stays[i] = stays[i - 1];
                courses[i] = courses[i - 1];
                i -= 1;
            }
            stays[i] = x;
            courses[i] = g.course;
            n += 1;
        }
        day_fits(self.net, &self.prep.tt, st.school, &stays[..n])
    }

    fn changed(&mut self, gi: usize) {
        self.version[self.slots[gi].g.course.idx()] += 1;
    }

    fn join(&mut self, s: StudentId, gi: usize) {
        debug_assert!(self.size(gi) < self.slots[gi].cap, "group {gi} is full");
        self.changed(gi);
        self.slots[gi].g.members.push(s);
        self.of_student[s.idx()].push(gi);
        self.stamp[s.idx()] += 1;
    }

    fn leave(&mut self, s: StudentId, gi: usize) {
        self.changed(gi);
        self.slots[gi].g.members.retain(|&m| m != s);
        self.of_student[s.idx()].retain(|&g| g != gi);
        self.stamp[s.idx()] += 1;
    }

    fn takes(&self, s: StudentId, c: CourseId) -> bool {
        self.of_student[s.idx()]
            .iter()
            .any(|&g| self.slots[g].g.course == c)
    }

    fn deficit(&self, s: usize) -> bool {
        self.of_student[s].len() < self.need[s]
    }

    /// One sweep over students who lack an elective; returns how many were seated.
    fn insert_pass(&mut self) -> usize {
        let mut n = 0;
        for si in 0..self.net.students.len() {
            if !self.deficit(si) {
                continue;
            }
            let s = StudentId::from(si);
            for c in self.prep.admissible[si].clone() {
                if !self.deficit(si) {
                    break;
                }
                if !self.takes(s, c) && self.insert(s, c) {
                    n += 1;
                }
            }
            if si % 64 == 0 && self.limit.reached() {
                break;
            }
        }
        n
    }

    /// Seats `s` in some group of course `c`: directly, by moving a member of a full
    /// group to another group of `c`, or by moving one of `s`'s own groups to another
    /// group of its course.
    fn insert(&mut self, s: StudentId, c: CourseId) -> bool {
        self.budget = CHAIN_BUDGET;
        let groups = self.by_course[c.idx()].clone();
        // Direct, or a full group makes room.
        for &gi in &groups {
            if !self.fits(s, &[], &[&self.slots[gi].g]) {
                continue;
            }
            if self.size(gi) < self.slots[gi].cap {
                self.join(s, gi);
                return true;
            }
            // A full chain from this group that failed fails again until the plan
            // changes.
            let version = self.version[c.idx()];
            if self.no_room[gi] == Some(version) {
                continue;
            }
            if self.make_room(gi, CHAIN_DEPTH, &mut Vec::new()) {
                self.join(s, gi);
                return true;
            }
            self.no_room[gi] = Some(version);
        }
        // Free the time: move one of s's groups to another group of its course.
        for &gi in &groups {
            if self.size(gi) >= self.slots[gi].cap {
                continue;
            }
            for own in self.of_student[s.idx()].clone() {
                if self.size(own) <= self.slots[own].min {
                    continue;
                }
                let oc = self.slots[own].g.course;
                for alt in self.by_course[oc.idx()].clone() {
                    if alt == own || !self.fits(s, &[own], &[&self.slots[alt].g, &self.slots[gi].g])
                    {
                        continue;
                    }
                    let room = self.size(alt) < self.slots[alt].cap
                        || self.make_room(alt, CHAIN_DEPTH - 1, &mut vec![gi, own]);
                    if room {
                        self.leave(s, own);
                        self.join(s, alt);
                        self.join(s, gi);
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Frees a seat in full group `gi` by relocating one member (see [`relocate`]);
    /// `depth` bounds how many further groups the chain may pass through.
    ///
    /// [`relocate`]: Search::relocate
    fn make_room(&mut self, gi: usize, depth: usize, visited: &mut Vec<usize>) -> bool {
        visited.push(gi);
        for m in self.slots[gi].g.members.clone() {
            if self.relocate(m, gi, depth, visited) {
                return true;
            }
        }
        false
    }

    /// Moves student `m` out of group `from` without losing them a placement: into
    /// another group of the same course (one with a seat, or a full one that frees a
    /// seat the same way while `depth` lasts, or one that fits once `m` also moves one of
    /// their other groups to another group of its course), or into a group with a seat
    /// of another course they chose.
    fn relocate(
        &mut self,
        m: StudentId,
        from: usize,
        depth: usize,
        visited: &mut Vec<usize>,
    ) -> bool {
        let c = self.slots[from].g.course;
        for alt in self.by_course[c.idx()].clone() {
            if alt == from || visited.contains(&alt) {
                continue;
            }
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
            if self.fits(m, &[from], &[&self.slots[alt].g]) {
                let room = self.size(alt) < self.slots[alt].cap
                    || (depth > 0 && self.make_room(alt, depth - 1, visited));
                if room {
                    self.leave(m, from);
                    self.join(m, alt);
                    return true;
                }
                continue;
            }
            if self.size(alt) >= self.slots[alt].cap {
                continue;
            }
            for own in self.of_student[m.idx()].clone() {
                if own == from || self.size(own) <= self.slots[own].min {
                    continue;
                }
                let oc = self.slots[own].g.course;
                for &alt2 in &self.by_course[oc.idx()] {
                    if alt2 != own
                        && !visited.contains(&alt2)
                        && self.size(alt2) < self.slots[alt2].cap
                        && self.fits(m, &[from, own], &[&self.slots[alt].g, &self.slots[alt2].g])
                    {
                        self.leave(m, from);
                        self.leave(m, own);
                        self.join(m, alt);
                        self.join(m, alt2);
                        return true;
                    }
                }
            }
        }
        // Or `m` takes another course they chose instead, in a group with a seat.
        for c2 in self.prep.admissible[m.idx()].clone() {
            if c2 == c || self.takes(m, c2) {
                continue;
            }
            for &alt in &self.by_course[c2.idx()] {
                if !visited.contains(&alt)
                    && self.size(alt) < self.slots[alt].cap
                    && self.fits(m, &[from], &[&self.slots[alt].g])
                {
                    self.leave(m, from);
                    self.join(m, alt);
                    return true;
                }
            }
        }
        false
    }

    /// Per course: students who lack an elective, chose the course and do not take it.
    fn lacking(&self) -> Vec<Vec<StudentId>> {
        let mut out = vec![Vec::new(); self.net.courses.len()];
        for si in 0..self.net.students.len() {
            if self.deficit(si) {
                let s = StudentId::from(si);
                for &c in &self.prep.admissible[si] {
                    if !self.takes(s, c) {
                        out[c.idx()].push(s);
                    }
                }
            }
        }
        out
    }

    /// Per offer of course `c` (in `offers_of` order): those of `lacking` who could join
    /// a group of it. Distance groups of the same period share one answer.
    fn course_joiners(&self, lacking: &[StudentId], c: CourseId) -> Vec<Vec<StudentId>> {
        let info = self.lack_info(lacking);
        let mut distance: Vec<Option<Vec<StudentId>>> = vec![None; self.net.num_periods()];
        self.offers_of[c.idx()]
            .iter()
            .map(|&oi| match self.prep.offers[oi].mode {
                Mode::Distance => distance[self.prep.offers[oi].first]
                    .get_or_insert_with(|| self.offer_joiners(&info, oi))
                    .clone(),
                Mode::InPerson => self.offer_joiners(&info, oi),
            })
            .collect()
    }

    /// What [`Search::offer_joiners`] needs of each student of `lacking` (who lack an
    /// elective and the course): home, busy periods and day, found once.
    fn lack_info(&self, lacking: &[StudentId]) -> Vec<Lacker> {
        lacking
            .iter()
            .map(|&s| {
                let home = self.net.students[s.idx()].school;
                let mut busy = 0;
                let mut stays: Vec<Stay> = self.of_student[s.idx()]
                    .iter()
                    .map(|&g| {
                        let sl = &self.slots[g];
                        busy |= mask(sl.g.first, sl.len);
                        self.stay_of(&sl.g, home)
                    })
                    .collect();
                stays.sort_by_key(|x| x.start);
                Lacker {
                    s,
                    stamp: self.stamp[s.idx()],
                    home: home.idx(),
                    busy: if self.strict_periods { busy } else { 0 },
                    stays,
                }
            })
            .collect()
    }

    /// Those of `info` whose home reaches offer `oi` and who are free in its periods: a
    /// superset of those who could join a group of it.
    fn could_join<'i>(
        &'i self,
        info: &'i [Lacker],
        oi: usize,
    ) -> impl Iterator<Item = &'i Lacker> + 'i {
        let o = &self.prep.offers[oi];
        let m = mask(o.first, o.len);
        let r = &self.reach[self.offer_reach[oi]];
        info.iter().filter(move |l| r[l.home] && l.busy & m == 0)
    }

    /// Those of `info` who could join a new group of offer `oi` (its time and place
    /// decide), in order: as [`Search::fits`] with the group added, from the days
    /// found in [`Search::lack_info`].
    fn offer_joiners(&self, info: &[Lacker], oi: usize) -> Vec<StudentId> {
        self.joiners_among(info.iter(), oi)
    }

    /// [`Search::offer_joiners`] over some lacking students.
    fn joiners_among<'i>(
        &self,
        info: impl Iterator<Item = &'i Lacker>,
        oi: usize,
    ) -> Vec<StudentId> {
        let net = self.net;
        let o = &self.prep.offers[oi];
        let m = mask(o.first, o.len);
        let r = &self.reach[self.offer_reach[oi]];
        info.filter(|l| r[l.home] && l.busy & m == 0)
            .filter(|l| {
                let st = &net.students[l.s.idx()];
                if !self.prep.may_be_at(l.s, o.stay_for(net, st.school)) {
                    return false;
                }
                debug_assert!(!self.takes(l.s, o.course));
                l.stays.len() < st.wants.min(FITS_MAX)
                    && day_fits_with(
                        net,
                        &self.prep.tt,
                        st.school,
                        &l.stays,
                        o.stay_for(net, st.school),
                    )
            })
            .map(|l| l.s)
            .collect()
    }

    /// A free room (the largest) and a free teacher (the nearest) for offer `o`,
    /// pretending group `except` (if any) is not there.
    fn staff(&self, o: &Offer, except: Option<usize>) -> Option<(RoomId, TeacherId)> {
        let net = self.net;
        let m = mask(o.first, o.len);
        let (ex_room, ex_teacher, ex_mask, ex_len) = match except {
            Some(gi) => {
                let sl = &self.slots[gi];
                (
                    Some(sl.g.room),
                    Some(sl.g.teacher),
                    mask(sl.g.first, sl.len),
                    sl.len,
                )
            }
            None => (None, None, 0, 0),
        };
        let room = o
            .rooms
            .iter()
            .copied()
            .filter(|&r| {
                let busy = self.room_busy[r.idx()]
                    & if Some(r) == ex_room {
                        !ex_mask
                    } else {
                        u64::MAX
                    };
                busy & m == 0
            })
            .max_by_key(|r| (net.rooms[r.idx()].capacity, std::cmp::Reverse(*r)))?;
        let tstay = o.teacher_stay(net);
        let teacher = o
            .teachers
            .iter()
            .copied()
            .filter(|&t| {
                let ti = t.idx();
                let own = Some(t) == ex_teacher;
                let busy = self.teacher_busy[ti] & if own { !ex_mask } else { u64::MAX };
                let load = self.teacher_load[ti] - if own { ex_len } else { 0 };
                if busy & m != 0 || load + o.len > net.teachers[ti].max_periods {
                    return false;
                }
                let groups = self.of_teacher[ti]
                    .iter()
                    .filter(|&&g| Some(g) != except)
                    .map(|&g| {
                        let g = &self.slots[g].g;
                        Stay {
                            place: g.school,
                            start: g.start(net),
                            end: g.end(net),
                        }
                    });
                day_fits_sorted(
                    net,
                    &self.prep.tt,
                    net.teachers[ti].school,
                    groups.chain(std::iter::once(tstay)),
                )
            })
            .min_by_key(|&t| (self.prep.tt.get(net.teachers[t.idx()].school, o.host), t))?;
        Some((room, teacher))
    }

    /// Opens the candidate group that seats the most students who lack an elective,
    /// topped up to its minimum by students of other groups of the course that can
    /// spare them. Returns whether a group opened.
    fn open_best(&mut self) -> bool {
        let mut caches = std::mem::take(&mut self.join_cache);
        let opened = self.open_best_with(&mut caches);
        self.join_cache = caches;
        opened
    }

    /// [`Search::open_best`] with the per-course answers `caches` (see [`JoinCache`]).
    fn open_best_with(&mut self, caches: &mut [JoinCache]) -> bool {
        let net = self.net;
        let lacking = self.lacking();
        let mut best: Option<Opening> = None;
        for (ci, lack) in lacking.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let c = CourseId::from(ci);
            // An offer seats at most those who lack the course, can reach it and are free
            // in its periods, which rules most offers out without walking anyone's day.
            let info = self.lack_info(lack);
            // Answers of the last call still hold for the students whose day has not
            // changed since: only the others are tried again.
            let cache = &mut caches[ci];
            let n_offers = self.offers_of[ci].len();
            if cache.joiners.len() != n_offers {
                cache.joiners = vec![None; n_offers];
                cache.seen.clear();
            }
            let mut unchanged: Vec<StudentId> = Vec::new();
            let mut changed: Vec<&Lacker> = Vec::new();
            {
                let mut j = 0;
                for l in &info {
                    while j < cache.seen.len() && cache.seen[j].0 < l.s {
                        j += 1;
                    }
                    if cache.seen.get(j) == Some(&(l.s, l.stamp)) {
                        unchanged.push(l.s);
                    } else {
                        changed.push(l);
                    }
                }
            }
            let old = std::mem::replace(&mut cache.joiners, vec![None; n_offers]);
            cache.seen = info.iter().map(|l| (l.s, l.stamp)).collect();
            // Who could join a distance group depends on its period alone.
            let mut distance_fresh: Vec<Option<Vec<StudentId>>> = vec![None; net.num_periods()];
            for (k, &oi) in self.offers_of[ci].iter().enumerate() {
                if k % 64 == 0 && self.limit.reached() {
                    return false;
                }
                let o = &self.prep.offers[oi];
                let reach = self.could_join(&info, oi).count();
                let ub = (reach, o.mode == Mode::InPerson);
                if reach == 0 || best.as_ref().is_some_and(|b| (b.0, b.1) >= ub) {
                    continue;
                }
                // Who could join depends on the group's time and place, not on its room
                // or teacher: find them first, staff the group only if it can win.
                let find = || match &old[k] {
                    Some(prev) => {
                        let mut v: Vec<StudentId> = prev
                            .iter()
                            .copied()
                            .filter(|s| unchanged.binary_search(s).is_ok())
                            .collect();
                        v.extend(self.joiners_among(changed.iter().copied(), oi));
                        v.sort();
                        v
                    }
                    None => self.offer_joiners(&info, oi),
                };
                let mut fresh = match o.mode {
                    Mode::Distance => distance_fresh[o.first].get_or_insert_with(find).clone(),
                    Mode::InPerson => find(),
                };
                caches[ci].joiners[k] = Some(fresh.clone());
                if fresh.is_empty()
                    || best
                        .as_ref()
                        .is_some_and(|b| (b.0, b.1) >= (fresh.len(), ub.1))
                {
                    continue;
                }
                let Some((room, teacher)) = self.staff(o, None) else {
                    continue;
                };
                let cap = self.cap_of(c, o.mode, room);
                let min = net.courses[ci].min_group as usize;
                // A room smaller than the minimum group can never hold one.
                if cap < min {
                    continue;
                }
                let g = o.group(room, teacher, Vec::new());
                fresh.truncate(cap);
                let gain = fresh.len();
                let key = (gain, o.mode == Mode::InPerson);
                if best.as_ref().is_some_and(|b| (b.0, b.1) >= key) {
                    continue;
                }
                let mut movers = Vec::new();
                if gain < min {
                    let mut spare: Vec<usize> = self.by_course[ci]
                        .iter()
                        .map(|&gi| self.size(gi).saturating_sub(self.slots[gi].min))
                        .collect();
                    'groups: for (k, &gi) in self.by_course[ci].iter().enumerate() {
                        for &m in &self.slots[gi].g.members {
                            if gain + movers.len() >= min {
                                break 'groups;
                            }
                            if spare[k] > 0 && self.fits(m, &[gi], &[&g]) {
                                spare[k] -= 1;
                                movers.push((m, gi));
                            }
                        }
                    }
                    if gain + movers.len() < min {
                        // Students who chose the course but take another one in a
                        // group that can spare them switch over (better ranks first).
                        let mut spare: Vec<(usize, usize)> = Vec::new();
                        let mut switchers: Vec<(usize, StudentId, usize)> = Vec::new();
                        for &s in &self.choosers[ci] {
                            if lack.contains(&s) || self.takes(s, c) {
                                continue;
                            }
                            let st = &net.students[s.idx()];
                            let rc = st.rank_of(c).unwrap_or(usize::MAX);
                            for &own in &self.of_student[s.idx()] {
                                if self.size(own) > self.slots[own].min
                                    && self.fits(s, &[own], &[&g])
                                {
                                    let ro = st.rank_of(self.slots[own].g.course).unwrap_or(0);
                                    switchers.push((rc.saturating_sub(ro), s, own));
                                    break;
                                }
                            }
                        }
                        switchers.sort();
                        for (_, s, own) in switchers {
                            if gain + movers.len() >= min {
                                break;
                            }
                            let used = spare.iter_mut().find(|(g, _)| *g == own);
                            let taken = match used {
                                Some((_, n)) => n,
                                None => {
                                    spare.push((own, 0));
                                    &mut spare.last_mut().expect("just pushed").1
                                }
                            };
                            if self.size(own) - *taken > self.slots[own].min {
                                *taken += 1;
                                movers.push((s, own));
                            }
                        }
                        if gain + movers.len() < min {
                            continue;
                        }
                    }
                }
                let mut members = fresh;
                members.extend(movers.iter().map(|&(m, _)| m));
                let g = o.group(room, teacher, members);
                best = Some((gain, o.mode == Mode::InPerson, oi, g, movers));
            }
        }
        let Some((_, _, _, mut g, movers)) = best else {
            return false;
        };
        let members = std::mem::take(&mut g.members);
        let gi = self.add_slot(g);
        for (m, from) in movers {
            self.leave(m, from);
        }
        for s in members {
            self.join(s, gi);
        }
        true
    }

    /// Moves one group to another candidate offer of its course (period, host, mode,
    /// room, teacher) where every member still fits and more students can join; takes
    /// the first group and offer that seats the most. Returns whether a group moved.
    fn move_group_pass(&mut self) -> bool {
        let lacking = self.lacking();
        // Per course, per offer of it: who lacking it could join a group of that offer
        // (which depends on the offer's time and place only), found once per pass.
        let mut fresh_of: Vec<Option<Vec<Vec<StudentId>>>> = vec![None; self.net.courses.len()];
        let mut best: Option<(usize, usize, Group, Vec<StudentId>)> = None;
        for gi in 0..self.slots.len() {
            if self.slots[gi].g.members.is_empty() {
                continue;
            }
            let c = self.slots[gi].g.course;
            if lacking[c.idx()].is_empty() {
                continue;
            }
            if self.limit.reached() {
                return false;
            }
            let all =
                fresh_of[c.idx()].get_or_insert_with(|| self.course_joiners(&lacking[c.idx()], c));
            let here = {
                let g = &self.slots[gi].g;
                (g.school, g.first, g.mode)
            };
            for (k, &oi) in self.offers_of[c.idx()].iter().enumerate() {
                let o = &self.prep.offers[oi];
                if (o.host, o.first, o.mode) == here {
                    continue;
                }
                // Members of the group take the course, so none of them lacks it.
                let could = &all[k];
                if could.is_empty() || best.as_ref().is_some_and(|b| b.3.len() >= could.len()) {
                    continue;
                }
                let Some((room, teacher)) = self.staff(o, Some(gi)) else {
                    continue;
                };
                let cap = self.cap_of(c, o.mode, room);
                let size = self.size(gi);
                if cap <= size {
                    continue;
                }
                let moved = o.group(room, teacher, Vec::new());
                let members = &self.slots[gi].g.members;
                if !members.iter().all(|&m| self.fits(m, &[gi], &[&moved])) {
                    continue;
                }
                let mut fresh: Vec<StudentId> = could
                    .iter()
                    .copied()
                    .filter(|s| !members.contains(s))
                    .collect();
                fresh.truncate(cap - size);
                if fresh.is_empty() || best.as_ref().is_some_and(|b| b.3.len() >= fresh.len()) {
                    continue;
                }
                best = Some((gi, oi, moved, fresh));
            }
        }
        let Some((gi, _, moved, fresh)) = best else {
            return false;
        };
        // Release the old resources, take the new ones.
        let old = self.slots[gi].g.clone();
        let len = self.slots[gi].len;
        let m_old = mask(old.first, len);
        self.room_busy[old.room.idx()] &= !m_old;
        self.teacher_busy[old.teacher.idx()] &= !m_old;
        self.teacher_load[old.teacher.idx()] -= len;
        self.of_teacher[old.teacher.idx()].retain(|&g| g != gi);
        let m_new = mask(moved.first, len);
        self.room_busy[moved.room.idx()] |= m_new;
        self.teacher_busy[moved.teacher.idx()] |= m_new;
        self.teacher_load[moved.teacher.idx()] += len;
        self.of_teacher[moved.teacher.idx()].push(gi);
        let cap = self.cap_of(moved.course, moved.mode, moved.room);
        let sl = &mut self.slots[gi];
        sl.g.school = moved.school;
        sl.g.room = moved.room;
        sl.g.teacher = moved.teacher;
        sl.g.first = moved.first;
        sl.g.mode = moved.mode;
        sl.cap = cap;
        self.changed(gi);
        for &m in &self.slots[gi].g.members {
            self.stamp[m.idx()] += 1;
        }
        for s in fresh {
            self.join(s, gi);
        }
        true
    }

    /// Swaps granted choices for better-ranked ones where a group has a seat (or can
    /// make one) and the old group keeps its minimum. Returns how many swaps were made.
    fn rank_pass(&mut self) -> usize {
        let net = self.net;
        let mut n = 0;
        for si in 0..net.students.len() {
            if si % 64 == 0 && self.limit.reached() {
                break;
            }
            let s = StudentId::from(si);
            let st = &net.students[si];
            'own: for own in self.of_student[si].clone() {
                let oc = self.slots[own].g.course;
                let r = st.rank_of(oc).unwrap_or(usize::MAX);
                if self.size(own) <= self.slots[own].min {
                    continue;
                }
                for c in self.prep.admissible[si].clone() {
                    if st.rank_of(c).unwrap_or(usize::MAX) >= r {
                        break;
                    }
                    if self.takes(s, c) {
                        continue;
                    }
                    for gi in self.by_course[c.idx()].clone() {
                        if self.size(gi) < self.slots[gi].cap
                            && self.fits(s, &[own], &[&self.slots[gi].g])
                        {
                            self.leave(s, own);
                            self.join(s, gi);
                            n += 1;
                            continue 'own;
                        }
                    }
                }
            }
        }
        n
    }
}

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
use crate::plan::{day_fits, Group, Mode, Plan, Stay};

use super::prep::{stay_alone_fits, Offer, Prep};
use super::Limit;

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
        let mut s = Search {
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
        let keep = self.of_student[s.idx()]
            .iter()
            .filter(|g| !remove.contains(g))
            .map(|&g| &self.slots[g].g);
        // Days hold a few groups: a stack buffer avoids allocating in this hot path.
        const N: usize = 8;
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
    }

    fn leave(&mut self, s: StudentId, gi: usize) {
        self.changed(gi);
        self.slots[gi].g.members.retain(|&m| m != s);
        self.of_student[s.idx()].retain(|&g| g != gi);
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

    /// Those of `lacking` who could join `g` as it stands.
    fn joiners(&self, lacking: &[StudentId], g: &Group, skip: &[StudentId]) -> Vec<StudentId> {
        lacking
            .iter()
            .copied()
            .filter(|s| !skip.contains(s) && self.fits(*s, &[], &[g]))
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
                let mut stays: Vec<Stay> = self.of_teacher[ti]
                    .iter()
                    .filter(|&&g| Some(g) != except)
                    .map(|&g| {
                        let g = &self.slots[g].g;
                        Stay {
                            place: g.school,
                            start: g.start(net),
                            end: g.end(net),
                        }
                    })
                    .chain(std::iter::once(tstay))
                    .collect();
                stays.sort_by_key(|x| x.start);
                day_fits(net, &self.prep.tt, net.teachers[ti].school, &stays)
            })
            .min_by_key(|&t| (self.prep.tt.get(net.teachers[t.idx()].school, o.host), t))?;
        Some((room, teacher))
    }

    /// Opens the candidate group that seats the most students who lack an elective,
    /// topped up to its minimum by students of other groups of the course that can
    /// spare them. Returns whether a group opened.
    fn open_best(&mut self) -> bool {
        let net = self.net;
        let lacking = self.lacking();
        let ns = net.schools.len();
        let mut best: Option<Opening> = None;
        for (ci, lack) in lacking.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let c = CourseId::from(ci);
            // Students lacking the course per home school: an offer seats at most those
            // who can reach it, which rules most offers out without looking at anyone.
            let mut per_home = vec![0usize; ns];
            for s in lack {
                per_home[net.students[s.idx()].school.idx()] += 1;
            }
            let homes: Vec<usize> = (0..ns).filter(|&h| per_home[h] > 0).collect();
            for &oi in &self.offers_of[ci] {
                if self.limit.reached() {
                    return false;
                }
                let o = &self.prep.offers[oi];
                let reach: usize = match o.mode {
                    Mode::Distance => lack.len(),
                    Mode::InPerson => homes
                        .iter()
                        .filter(|&&h| {
                            let home = crate::model::SchoolId::from(h);
                            stay_alone_fits(net, &self.prep.tt, home, o.stay_for(net, home))
                        })
                        .map(|&h| per_home[h])
                        .sum(),
                };
                let ub = (reach, o.mode == Mode::InPerson);
                if reach == 0 || best.as_ref().is_some_and(|b| (b.0, b.1) >= ub) {
                    continue;
                }
                let Some((room, teacher)) = self.staff(o, None) else {
                    continue;
                };
                let cap = self.cap_of(c, o.mode, room);
                let min = net.courses[ci].min_group as usize;
                let g = o.group(room, teacher, Vec::new());
                let mut fresh = self.joiners(lack, &g, &[]);
                if fresh.is_empty() {
                    continue;
                }
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
        let mut best: Option<(usize, usize, Group, Vec<StudentId>)> = None;
        for gi in 0..self.slots.len() {
            if self.slots[gi].g.members.is_empty() {
                continue;
            }
            let c = self.slots[gi].g.course;
            if lacking[c.idx()].is_empty() {
                continue;
            }
            let here = {
                let g = &self.slots[gi].g;
                (g.school, g.first, g.mode)
            };
            for &oi in &self.offers_of[c.idx()] {
                if self.limit.reached() {
                    return false;
                }
                let o = &self.prep.offers[oi];
                if (o.host, o.first, o.mode) == here {
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
                let mut fresh = self.joiners(&lacking[c.idx()], &moved, members);
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

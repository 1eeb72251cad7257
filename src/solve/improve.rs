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
use crate::plan::{day_fits_with, stay_alone_fits, Group, Mode, Plan, Stay};

use super::prep::{Offer, Prep};
use super::state::{mask, PlanState};
use super::Limit;

/// How many further groups a chain of seat-freeing moves may pass through.
const CHAIN_DEPTH: usize = 2;

/// How many relocation targets one insertion may try: a count, not a time, so that
/// the search stays deterministic; it keeps chains through big courses (dozens of full
/// groups) from exploring for seconds.
const CHAIN_BUDGET: usize = 2_000;

struct Search<'p, 'a> {
    prep: &'p Prep<'a>,
    net: &'a Network,
    /// The plan being improved.
    st: PlanState<'p, 'a>,
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
    /// Per course: who could join each offer's group, as last found by `open_best`.
    join_cache: Vec<JoinCache>,
    /// Relocation targets the current insertion may still try.
    budget: usize,
    /// Per group: its course's version when a full chain could not free a seat in it.
    /// The chain is not tried again until the course changes (a heuristic: changes to
    /// other courses could open a chain through a student's other groups).
    no_room: Vec<Option<u64>>,
    limit: &'p Limit,
}

/// A student who lacks a course, as [`Search::lack_info`] finds them.
struct Lacker {
    s: StudentId,
    /// Their [`PlanState::stamp`] when found.
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
    (s.st.into_plan(), stats)
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
        Search {
            join_cache: vec![JoinCache::default(); net.courses.len()],
            offer_reach,
            reach,
            choosers,
            budget: 0,
            no_room: Vec::new(),
            prep,
            net,
            st: PlanState::new(prep, plan),
            need,
            offers_of,
            limit,
        }
    }

    fn deficit(&self, s: usize) -> bool {
        self.st.of_student(StudentId::from(s)).len() < self.need[s]
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
                if !self.st.takes(s, c) && self.insert(s, c) {
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
        let groups = self.st.of_course(c).to_vec();
        // Direct, or a full group makes room.
        for &gi in &groups {
            if !self.st.fits(s, &[], &[self.st.group(gi)]) {
                continue;
            }
            if self.st.has_seat(gi) {
                self.st.join(s, gi);
                return true;
            }
            // A full chain from this group that failed fails again until the plan
            // changes.
            let version = self.st.version(c);
            if self.no_room.get(gi).copied().flatten() == Some(version) {
                continue;
            }
            if self.make_room(gi, CHAIN_DEPTH, &mut Vec::new()) {
                self.st.join(s, gi);
                return true;
            }
            if self.no_room.len() <= gi {
                self.no_room.resize(gi + 1, None);
            }
            self.no_room[gi] = Some(version);
        }
        // Free the time: move one of s's groups to another group of its course.
        for &gi in &groups {
            if !self.st.has_seat(gi) {
                continue;
            }
            for own in self.st.of_student(s).to_vec() {
                if !self.st.can_spare(own) {
                    continue;
                }
                let oc = self.st.group(own).course;
                for alt in self.st.of_course(oc).to_vec() {
                    if alt == own
                        || !self
                            .st
                            .fits(s, &[own], &[self.st.group(alt), self.st.group(gi)])
                    {
                        continue;
                    }
                    let room = self.st.has_seat(alt)
                        || self.make_room(alt, CHAIN_DEPTH - 1, &mut vec![gi, own]);
                    if room {
                        self.st.leave(s, own);
                        self.st.join(s, alt);
                        self.st.join(s, gi);
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
        for m in self.st.group(gi).members.clone() {
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
        let c = self.st.group(from).course;
        for alt in self.st.of_course(c).to_vec() {
            if alt == from || visited.contains(&alt) {
                continue;
            }
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
            if self.st.fits(m, &[from], &[self.st.group(alt)]) {
                let room =
                    self.st.has_seat(alt) || (depth > 0 && self.make_room(alt, depth - 1, visited));
                if room {
                    self.st.leave(m, from);
                    self.st.join(m, alt);
                    return true;
                }
                continue;
            }
            if !self.st.has_seat(alt) {
                continue;
            }
            for own in self.st.of_student(m).to_vec() {
                if own == from || !self.st.can_spare(own) {
                    continue;
                }
                let oc = self.st.group(own).course;
                for &alt2 in self.st.of_course(oc) {
                    if alt2 != own
                        && !visited.contains(&alt2)
                        && self.st.has_seat(alt2)
                        && self
                            .st
                            .fits(m, &[from, own], &[self.st.group(alt), self.st.group(alt2)])
                    {
                        self.st.leave(m, from);
                        self.st.leave(m, own);
                        self.st.join(m, alt);
                        self.st.join(m, alt2);
                        return true;
                    }
                }
            }
        }
        // Or `m` takes another course they chose instead, in a group with a seat.
        for c2 in self.prep.admissible[m.idx()].clone() {
            if c2 == c || self.st.takes(m, c2) {
                continue;
            }
            for &alt in self.st.of_course(c2) {
                if !visited.contains(&alt)
                    && self.st.has_seat(alt)
                    && self.st.fits(m, &[from], &[self.st.group(alt)])
                {
                    self.st.leave(m, from);
                    self.st.join(m, alt);
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
                    if !self.st.takes(s, c) {
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
                let mut stays: Vec<Stay> = self
                    .st
                    .of_student(s)
                    .iter()
                    .map(|&g| {
                        let g = self.st.group(g);
                        busy |= self.st.mask_of(g);
                        self.st.stay(g, home)
                    })
                    .collect();
                stays.sort_by_key(|x| x.start);
                Lacker {
                    s,
                    stamp: self.st.stamp(s),
                    home: home.idx(),
                    busy: if self.st.strict_periods() { busy } else { 0 },
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
                debug_assert!(!self.st.takes(l.s, o.course));
                l.stays.len() < st.wants
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
        let room = o
            .rooms
            .iter()
            .copied()
            .filter(|&r| self.st.room_free(r, m, except))
            .max_by_key(|r| (net.rooms[r.idx()].capacity, std::cmp::Reverse(*r)))?;
        let tstay = o.teacher_stay(net);
        let teacher = o
            .teachers
            .iter()
            .copied()
            .filter(|&t| {
                self.st.teacher_free(t, o.first, o.len, except)
                    && self.st.teacher_fits(t, except, tstay)
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
                let cap = self.st.cap_of(c, o.mode, room);
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
                    let mut spare: Vec<usize> = self
                        .st
                        .of_course(c)
                        .iter()
                        .map(|&gi| self.st.size(gi).saturating_sub(self.st.slot(gi).min))
                        .collect();
                    'groups: for (k, &gi) in self.st.of_course(c).iter().enumerate() {
                        for &m in &self.st.group(gi).members {
                            if gain + movers.len() >= min {
                                break 'groups;
                            }
                            if spare[k] > 0 && self.st.fits(m, &[gi], &[&g]) {
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
                            if lack.contains(&s) || self.st.takes(s, c) {
                                continue;
                            }
                            let st = &net.students[s.idx()];
                            let rc = st.rank_of(c).unwrap_or(usize::MAX);
                            for &own in self.st.of_student(s) {
                                if self.st.can_spare(own) && self.st.fits(s, &[own], &[&g]) {
                                    let ro = st.rank_of(self.st.group(own).course).unwrap_or(0);
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
                            if self.st.size(own) - *taken > self.st.slot(own).min {
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
        let gi = self.st.open(g);
        for (m, from) in movers {
            self.st.leave(m, from);
        }
        for s in members {
            self.st.join(s, gi);
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
        for gi in 0..self.st.num_groups() {
            if self.st.group(gi).members.is_empty() {
                continue;
            }
            let c = self.st.group(gi).course;
            if lacking[c.idx()].is_empty() {
                continue;
            }
            if self.limit.reached() {
                return false;
            }
            let all =
                fresh_of[c.idx()].get_or_insert_with(|| self.course_joiners(&lacking[c.idx()], c));
            let here = {
                let g = self.st.group(gi);
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
                let cap = self.st.cap_of(c, o.mode, room);
                let size = self.st.size(gi);
                if cap <= size {
                    continue;
                }
                let moved = o.group(room, teacher, Vec::new());
                if !self.st.may_retime(gi, &moved) {
                    continue;
                }
                let members = &self.st.group(gi).members;
                if !members.iter().all(|&m| self.st.fits(m, &[gi], &[&moved])) {
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
        self.st.retime(gi, &moved);
        for s in fresh {
            self.st.join(s, gi);
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
            'own: for own in self.st.of_student(s).to_vec() {
                let oc = self.st.group(own).course;
                let r = st.rank_of(oc).unwrap_or(usize::MAX);
                if !self.st.can_spare(own) {
                    continue;
                }
                for c in self.prep.admissible[si].clone() {
                    if st.rank_of(c).unwrap_or(usize::MAX) >= r {
                        break;
                    }
                    if self.st.takes(s, c) {
                        continue;
                    }
                    for gi in self.st.of_course(c).to_vec() {
                        if self.st.has_seat(gi) && self.st.fits(s, &[own], &[self.st.group(gi)]) {
                            self.st.leave(s, own);
                            self.st.join(s, gi);
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

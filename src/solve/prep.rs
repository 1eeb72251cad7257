//! What the optimiser works on: units of students counted together and candidate
//! offers (course, host, first period, mode) pruned by rooms, teachers and travel.

use std::collections::BTreeMap;

use crate::graph::TravelTimes;
use crate::model::{CourseId, Minute, Network, Period, RoomId, SchoolId, StudentId, TeacherId};
use crate::plan::{stay_alone_fits, Mode, Stay};

/// Students of one home school that the stage-1 model counts together: either a
/// cohort (same `wants` and set of admissible choices: interchangeable for placements)
/// or, for big networks, all students of the school. Every constraint on a unit is an
/// aggregate of its members' rules, bounded by how many members could take part.
#[derive(Clone, Debug)]
pub struct Unit {
    pub home: SchoolId,
    /// Courses any member chose (admissible), sorted.
    pub courses: Vec<CourseId>,
    /// Members, sorted by id.
    pub members: Vec<StudentId>,
    /// Per course in `courses`: members who chose it.
    pub demand: Vec<u32>,
    /// Per course in `courses`: sum over choosers of (rank - 1).
    pub rank_cost: Vec<u64>,
    /// Sum over members of min(wants, admissible choices).
    pub cap: usize,
    /// Per member: bit mask over positions in `courses`.
    member_sets: Vec<u128>,
}

impl Unit {
    pub fn size(&self) -> usize {
        self.members.len()
    }

    pub fn pos(&self, c: CourseId) -> Option<usize> {
        self.courses.binary_search(&c).ok()
    }

    /// Members who chose at least one course of `mask` (bits over `courses`).
    /// Members who chose at least one course of `mask` (bits over `courses`). With
    /// more than 128 courses the masks cannot tell, and every member counts.
    pub fn union(&self, mask: u128) -> u32 {
        if self.courses.len() > 128 {
            return self.members.len() as u32;
        }
        self.member_sets.iter().filter(|&&m| m & mask != 0).count() as u32
    }

    /// The bit of course position `p` (0 past 128 courses, where `union` counts all).
    pub fn bit(p: usize) -> u128 {
        if p < 128 {
            1u128 << p
        } else {
            0
        }
    }
}

/// How students are grouped in stage 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    /// Same home, wants and admissible set.
    Cohort,
    /// Same home school.
    School,
}

/// A candidate group type.
#[derive(Clone, Debug)]
pub struct Offer {
    pub course: CourseId,
    pub host: SchoolId,
    pub first: Period,
    pub len: usize,
    pub mode: Mode,
    pub rooms: Vec<RoomId>,
    pub teachers: Vec<TeacherId>,
}

impl Offer {
    pub fn covers(&self, q: Period) -> bool {
        q >= self.first && q < self.first + self.len
    }

    pub fn last(&self) -> Period {
        self.first + self.len - 1
    }

    #[inline]
    pub fn stay_for(&self, net: &Network, home: SchoolId) -> Stay {
        Stay {
            place: match self.mode {
                Mode::InPerson => self.host,
                Mode::Distance => home,
            },
            start: net.periods[self.first].start,
            end: net.periods[self.last()].end,
        }
    }

    /// A group of this offer in `room` with `teacher`.
    pub fn group(
        &self,
        room: RoomId,
        teacher: TeacherId,
        members: Vec<StudentId>,
    ) -> crate::plan::Group {
        crate::plan::Group {
            course: self.course,
            school: self.host,
            room,
            teacher,
            first: self.first,
            mode: self.mode,
            members,
        }
    }

    pub fn teacher_stay(&self, net: &Network) -> Stay {
        Stay {
            place: self.host,
            start: net.periods[self.first].start,
            end: net.periods[self.last()].end,
        }
    }
}

/// Admissible choices of a student, in rank order (grade allowed by the course).
pub fn admissible(net: &Network, s: StudentId) -> Vec<CourseId> {
    let st = &net.students[s.idx()];
    st.choices
        .iter()
        .copied()
        .filter(|&c| net.courses[c.idx()].admits(st.grade))
        .collect()
}

pub struct Prep<'a> {
    pub net: &'a Network,
    pub tt: TravelTimes,
    pub units: Vec<Unit>,
    pub granularity: Granularity,
    pub offers: Vec<Offer>,
    /// Admissible choices per student.
    pub admissible: Vec<Vec<CourseId>>,
    /// Students who may only be in groups at their home school or at a distance (the
    /// buses had no seat for them); empty = nobody.
    pub homebound: Vec<bool>,
    /// Per home school, the schools its students may travel to (indexed by school);
    /// empty = every school.
    pub hubs: Vec<Vec<bool>>,
    /// Per student, the [`Wave`]s they may be away in, so that their school's bus
    /// runs out and back once per wave; empty (or no waves) = anywhere [`Prep::hubs`]
    /// allows, any time.
    pub waves: Vec<Vec<Wave>>,
    /// The pins (SPEC §8) as groups every search keeps ([`super::pins`]); `None`
    /// without pins, or when they cannot be resolved ([`super::pins::problems`] says
    /// why, before any solve).
    pub pins: Option<super::pins::Resolved>,
}

/// A stretch of the day that a home school's students may spend at one host: the bus
/// takes them out before `from` and back after `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wave {
    pub host: SchoolId,
    pub from: Minute,
    pub to: Minute,
}

impl<'a> Prep<'a> {
    /// Prepares with cohorts when the model stays small enough, else per school.
    pub fn new(net: &'a Network) -> Self {
        let tt = TravelTimes::new(net);
        let admissible: Vec<Vec<CourseId>> = (0..net.students.len())
            .map(|s| admissible(net, StudentId::from(s)))
            .collect();
        let cohorts = make_units(net, &admissible, Granularity::Cohort);
        let offers = make_offers(net, &tt, &cohorts);
        Self::with_offers(net, tt, admissible, offers)
    }

    fn with_offers(
        net: &'a Network,
        tt: TravelTimes,
        admissible: Vec<Vec<CourseId>>,
        offers: Vec<Offer>,
    ) -> Self {
        // Courses without any candidate group can never be granted: leave them out of
        // the units, which tightens every bound that counts choices.
        let mut offered = vec![false; net.courses.len()];
        for o in &offers {
            offered[o.course.idx()] = true;
        }
        let offerable: Vec<Vec<CourseId>> = admissible
            .iter()
            .map(|a| a.iter().copied().filter(|c| offered[c.idx()]).collect())
            .collect();
        let pins = super::pins::resolve(net, &tt).ok().flatten();
        let mut prep = Prep {
            net,
            pins,
            tt,
            units: make_units(net, &offerable, Granularity::Cohort),
            granularity: Granularity::Cohort,
            offers,
            admissible,
            homebound: Vec::new(),
            hubs: Vec::new(),
            waves: Vec::new(),
        };
        if prep.unit_offer_pairs() > COHORT_MODEL_LIMIT {
            prep.units = make_units(net, &offerable, Granularity::School);
            prep.granularity = Granularity::School;
        }
        prep
    }

    /// Whether student `s` may only be at home (see [`Prep::homebound`]).
    #[inline]
    pub fn is_homebound(&self, s: StudentId) -> bool {
        self.homebound.get(s.idx()).copied().unwrap_or(false)
    }

    /// Whether student `s` may have `stay` (see [`Prep::homebound`], [`Prep::hubs`] and
    /// [`Prep::waves`]).
    #[inline]
    pub fn may_be_at(&self, s: StudentId, stay: Stay) -> bool {
        let home = self.net.students[s.idx()].school;
        stay.place == home
            || (!self.is_homebound(s)
                && self
                    .hubs
                    .get(home.idx())
                    .is_none_or(|h| h[stay.place.idx()])
                && self.waves.get(s.idx()).is_none_or(|ws| {
                    ws.is_empty()
                        || ws.iter().any(|w| {
                            w.host == stay.place && w.from <= stay.start && stay.end <= w.to
                        })
                }))
    }

    /// How many (unit, offer) variables stage 1 would have, roughly.
    pub fn unit_offer_pairs(&self) -> usize {
        let mut per_course = vec![0usize; self.net.courses.len()];
        for o in &self.offers {
            per_course[o.course.idx()] += 1;
        }
        self.units
            .iter()
            .map(|u| u.courses.iter().map(|c| per_course[c.idx()]).sum::<usize>())
            .sum()
    }

    /// Upper bound on placements that needs no solve: per student, `wants` or the
    /// number of their admissible choices that some candidate group could serve them
    /// (a distance group, or an in-person group they can reach and come back from),
    /// whichever is smaller. Every placement needs such a group, so this is a proven
    /// bound.
    pub fn bound(&self) -> usize {
        let net = self.net;
        // (home, course) → served by some offer.
        let ns = net.schools.len();
        let mut served = vec![false; ns * net.courses.len()];
        for o in &self.offers {
            for h in 0..ns {
                let home = SchoolId::from(h);
                if o.mode == Mode::Distance
                    || stay_alone_fits(net, &self.tt, home, o.stay_for(net, home))
                {
                    served[o.course.idx() * ns + h] = true;
                }
            }
        }
        net.students
            .iter()
            .zip(&self.admissible)
            .map(|(st, adm)| {
                let n = adm
                    .iter()
                    .filter(|c| served[c.idx() * ns + st.school.idx()])
                    .count();
                n.min(st.wants)
            })
            .sum()
    }
}

/// Above this many (cohort, offer) pairs stage 1 counts students per school instead.
pub const COHORT_MODEL_LIMIT: usize = 40_000;

fn make_units(net: &Network, admissible: &[Vec<CourseId>], g: Granularity) -> Vec<Unit> {
    let mut map: BTreeMap<(SchoolId, usize, Vec<CourseId>), Vec<StudentId>> = BTreeMap::new();
    for (i, st) in net.students.iter().enumerate() {
        if admissible[i].is_empty() || st.wants == 0 {
            continue;
        }
        let key = match g {
            Granularity::Cohort => {
                let mut set = admissible[i].clone();
                set.sort();
                (st.school, st.wants, set)
            }
            Granularity::School => (st.school, 0, Vec::new()),
        };
        map.entry(key).or_default().push(StudentId::from(i));
    }
    map.into_iter()
        .map(|((home, _, _), members)| {
            let mut courses: Vec<CourseId> = members
                .iter()
                .flat_map(|s| admissible[s.idx()].iter().copied())
                .collect();
            courses.sort();
            courses.dedup();
            let mut demand = vec![0u32; courses.len()];
            let mut rank_cost = vec![0u64; courses.len()];
            let mut member_sets = Vec::with_capacity(members.len());
            let mut cap = 0;
            for &s in &members {
                let st = &net.students[s.idx()];
                let mut mask = 0u128;
                for &c in &admissible[s.idx()] {
                    let p = courses.binary_search(&c).unwrap_or(0);
                    demand[p] += 1;
                    rank_cost[p] += st.rank_of(c).unwrap_or(1) as u64 - 1;
                    if p < 128 {
                        mask |= 1u128 << p;
                    }
                }
                member_sets.push(mask);
                cap += st.wants.min(admissible[s.idx()].len());
            }
            Unit {
                home,
                courses,
                members,
                demand,
                rank_cost,
                cap,
                member_sets,
            }
        })
        .collect()
}

/// Candidate offers. An offer is dropped when fewer students than the course's minimum
/// could reach it (in person) or chose the course at all (distance): no group of it can
/// ever open, so dropping it keeps stage 1 a relaxation and tightens its bound.
fn make_offers(net: &Network, tt: &TravelTimes, units: &[Unit]) -> Vec<Offer> {
    let np = net.num_periods();
    // Who could take each course: (home, how many chose it there).
    let mut homes_of_course: Vec<Vec<(SchoolId, u32)>> = vec![Vec::new(); net.courses.len()];
    for u in units {
        for (p, &c) in u.courses.iter().enumerate() {
            let list = &mut homes_of_course[c.idx()];
            match list.iter_mut().find(|(h, _)| *h == u.home) {
                Some((_, n)) => *n += u.demand[p],
                None => list.push((u.home, u.demand[p])),
            }
        }
    }
    let mut offers = Vec::new();
    for (ci, course) in net.courses.iter().enumerate() {
        let c = CourseId::from(ci);
        let len = course.periods;
        if homes_of_course[ci].is_empty() || len == 0 || len > np {
            continue;
        }
        for (hi, _) in net.schools.iter().enumerate() {
            let host = SchoolId::from(hi);
            for first in 0..=np - len {
                let rooms: Vec<RoomId> = net
                    .rooms
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| {
                        r.school == host
                            && r.kind == course.room_kind
                            && r.periods.contains_range(first, len)
                    })
                    .map(|(i, _)| RoomId::from(i))
                    .collect();
                if rooms.is_empty() {
                    continue;
                }
                let stay = Stay {
                    place: host,
                    start: net.periods[first].start,
                    end: net.periods[first + len - 1].end,
                };
                let teachers: Vec<TeacherId> = net
                    .teachers
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        t.can_teach(c)
                            && t.periods.contains_range(first, len)
                            && t.max_periods >= len
                            && (t.travels || t.school == host)
                            && stay_alone_fits(net, tt, t.school, stay)
                    })
                    .map(|(i, _)| TeacherId::from(i))
                    .collect();
                if teachers.is_empty() {
                    continue;
                }
                let min = course.min_group;
                let reachable: u32 = homes_of_course[ci]
                    .iter()
                    .filter(|&&(h, _)| stay_alone_fits(net, tt, h, stay))
                    .map(|&(_, n)| n)
                    .sum();
                let anywhere: u32 = homes_of_course[ci].iter().map(|&(_, n)| n).sum();
                if reachable >= min {
                    offers.push(Offer {
                        course: c,
                        host,
                        first,
                        len,
                        mode: Mode::InPerson,
                        rooms: rooms.clone(),
                        teachers: teachers.clone(),
                    });
                }
                if course.distance && anywhere >= min {
                    offers.push(Offer {
                        course: c,
                        host,
                        first,
                        len,
                        mode: Mode::Distance,
                        rooms,
                        teachers,
                    });
                }
            }
        }
    }
    offers
}

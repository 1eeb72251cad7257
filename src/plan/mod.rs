//! A plan in domain terms: opened groups and their members, each person's day of stays
//! and the legs between them. What follows from a plan lives beside it: the bus trips
//! ([`transport`]), each person's route ([`routes`]), unserved choices with their
//! reasons ([`unserved`]), the SPEC §4 figures ([`kpi`]), and what a solve hands on
//! ([`outcome`]).

pub mod kpi;
pub mod outcome;
pub mod reason;
pub mod routes;
pub mod transport;
pub mod unserved;

use crate::graph::TravelTimes;
use crate::model::{
    CourseId, Minute, Network, Period, RoomId, SchoolId, StudentId, TeacherId, VehicleId,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    InPerson,
    Distance,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Distance => "distance",
        }
    }
}

/// One opened group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub course: CourseId,
    pub school: SchoolId,
    pub room: RoomId,
    pub teacher: TeacherId,
    /// 0-based first period.
    pub first: Period,
    pub mode: Mode,
    /// Members, sorted by id.
    pub members: Vec<StudentId>,
}

impl Group {
    /// Periods occupied, `first .. last+1`.
    pub fn periods(&self, net: &Network) -> std::ops::Range<Period> {
        self.first..self.first + net.courses[self.course.idx()].periods
    }

    #[inline]
    pub fn start(&self, net: &Network) -> Minute {
        net.periods[self.first].start
    }

    #[inline]
    pub fn end(&self, net: &Network) -> Minute {
        let len = net.courses[self.course.idx()].periods;
        net.periods[self.first + len - 1].end
    }

    /// Where a student of this group is while it runs.
    #[inline]
    pub fn student_location(&self, home: SchoolId) -> SchoolId {
        match self.mode {
            Mode::InPerson => self.school,
            Mode::Distance => home,
        }
    }
}

/// Groups with their members. Groups are kept in a canonical order (course, school,
/// first period, mode, room, teacher) so that output is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub groups: Vec<Group>,
}

impl Plan {
    pub fn placements(&self) -> usize {
        self.groups.iter().map(|g| g.members.len()).sum()
    }

    pub fn rank_sum(&self, net: &Network) -> usize {
        self.groups
            .iter()
            .flat_map(|g| {
                g.members
                    .iter()
                    .map(move |s| net.students[s.idx()].rank_of(g.course).unwrap_or(0))
            })
            .sum()
    }

    pub fn canonicalize(&mut self) {
        for g in &mut self.groups {
            g.members.sort();
        }
        self.groups.sort_by(|a, b| {
            (a.course, a.school, a.first, a.mode, a.room, a.teacher)
                .cmp(&(b.course, b.school, b.first, b.mode, b.room, b.teacher))
        });
    }

    /// Group indices of each student, sorted by start time.
    pub fn student_groups(&self, net: &Network) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); net.students.len()];
        for (gi, g) in self.groups.iter().enumerate() {
            for s in &g.members {
                out[s.idx()].push(gi);
            }
        }
        for v in &mut out {
            v.sort_by_key(|&gi| (self.groups[gi].first, gi));
        }
        out
    }

    /// Every student's day as stays, in time order.
    pub fn student_stays(&self, net: &Network) -> Vec<Vec<Stay>> {
        self.student_groups(net)
            .iter()
            .enumerate()
            .map(|(s, gs)| {
                let home = net.students[s].school;
                gs.iter()
                    .map(|&gi| {
                        let g = &self.groups[gi];
                        Stay {
                            place: g.student_location(home),
                            start: g.start(net),
                            end: g.end(net),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Group indices of each teacher, sorted by start time.
    pub fn teacher_groups(&self, net: &Network) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); net.teachers.len()];
        for (gi, g) in self.groups.iter().enumerate() {
            out[g.teacher.idx()].push(gi);
        }
        for v in &mut out {
            v.sort_by_key(|&gi| (self.groups[gi].first, gi));
        }
        out
    }
}

/// A stretch of a person's day at one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stay {
    pub place: SchoolId,
    pub start: Minute,
    pub end: Minute,
}

/// A single stay that a person from `home` can reach and come back from in the day.
pub fn stay_alone_fits(net: &Network, tt: &TravelTimes, home: SchoolId, s: Stay) -> bool {
    matches!(tt.get(home, s.place), Some(m) if net.day_start + m <= s.start)
        && matches!(tt.get(s.place, home), Some(m) if s.end + m <= net.day_end)
}

/// Whether a day of `stays` (sorted by start, not overlapping) can be travelled by a
/// person living at `home`: leave home at day_start, be back by day_end.
pub fn day_fits(net: &Network, tt: &TravelTimes, home: SchoolId, stays: &[Stay]) -> bool {
    walk_fits(net, tt, home, stays.iter())
}

/// [`day_fits`] for `stays` plus `extra` (inserted by start time), without allocating.
pub fn day_fits_with(
    net: &Network,
    tt: &TravelTimes,
    home: SchoolId,
    stays: &[Stay],
    extra: Stay,
) -> bool {
    let pos = stays.partition_point(|x| x.start <= extra.start);
    let all = stays[..pos]
        .iter()
        .chain(std::iter::once(&extra))
        .chain(&stays[pos..]);
    walk_fits(net, tt, home, all)
}

/// Follows a day of stays in time order: leave home at day_start, reach every stay by
/// its start, be back home by day_end. ([`day_fits`] for stays that are not in a slice.)
#[inline]
pub fn walk_fits<'s>(
    net: &Network,
    tt: &TravelTimes,
    home: SchoolId,
    stays: impl Iterator<Item = &'s Stay>,
) -> bool {
    let mut place = home;
    let mut free_from = net.day_start;
    for s in stays {
        match tt.get(place, s.place) {
            Some(m) if free_from + m <= s.start => {}
            _ => return false,
        }
        place = s.place;
        free_from = s.end;
    }
    matches!(tt.get(place, home), Some(m) if free_from + m <= net.day_end)
}

/// Whether two stays can both be in one day in either order (no overlap, time to travel
/// between them).
pub fn stays_compatible(tt: &TravelTimes, a: Stay, b: Stay) -> bool {
    let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
    if first.end > second.start {
        return false;
    }
    matches!(tt.get(first.place, second.place), Some(m) if first.end + m <= second.start)
}

/// One movement between schools.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leg {
    pub from: SchoolId,
    pub to: SchoolId,
    pub depart: Minute,
    pub arrive: Minute,
    /// The vehicle ridden, if any.
    pub vehicle: Option<VehicleId>,
}

/// A movement a day of stays needs: from, to, earliest departure (the end of the stay
/// before, or `day_start`) and latest arrival (the start of the stay after, or
/// `day_end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegWindow {
    pub from: SchoolId,
    pub to: SchoolId,
    pub ready: Minute,
    pub due: Minute,
}

/// The movements of a day of stays from `home`, in order. [`legs_of_day`] and the bus
/// requests of `transport` both number legs this way.
pub fn leg_windows(net: &Network, home: SchoolId, stays: &[Stay]) -> Vec<LegWindow> {
    let mut out = Vec::new();
    let mut place = home;
    let mut ready = net.day_start;
    for s in stays {
        if s.place != place {
            out.push(LegWindow {
                from: place,
                to: s.place,
                ready,
                due: s.start,
            });
        }
        place = s.place;
        ready = s.end;
    }
    if place != home {
        out.push(LegWindow {
            from: place,
            to: home,
            ready,
            due: net.day_end,
        });
    }
    out
}

/// The legs of a day of stays: arrive just in time for each stay, leave right after it.
pub fn legs_of_day(net: &Network, tt: &TravelTimes, home: SchoolId, stays: &[Stay]) -> Vec<Leg> {
    leg_windows(net, home, stays)
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let m = tt.get(w.from, w.to).unwrap_or(0);
            // Leave the previous place right away after a group; from home, as late as
            // still arrives on time.
            let depart = if i == 0 {
                w.due.saturating_sub(m).max(w.ready)
            } else {
                w.ready
            };
            Leg {
                from: w.from,
                to: w.to,
                depart,
                arrive: depart + m,
                vehicle: None,
            }
        })
        .collect()
}

//! The validated domain model of a network bundle.
//!
//! Everything here is keyed by dense, typed ids (`SchoolId(u32)` …) that index the
//! vectors of [`Network`]. String ids and names are kept for output only; the optimiser
//! reads numbers.

use std::fmt;

macro_rules! dense_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index of this id in its vector of [`Network`].
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }

        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                Self(i as u32)
            }
        }
    };
}

dense_id!(
    /// A school, college or other organisation of the network.
    SchoolId
);
dense_id!(
    /// A room at a school.
    RoomId
);
dense_id!(
    /// An elective course.
    CourseId
);
dense_id!(
    /// A teacher.
    TeacherId
);
dense_id!(
    /// A student.
    StudentId
);
dense_id!(
    /// A vehicle.
    VehicleId
);
dense_id!(
    /// An interned room kind (`general`, `lab`, …).
    KindId
);

/// Minutes since midnight.
pub type Minute = u32;

/// A 0-based period index. Output is 1-based.
pub type Period = usize;

/// A set of periods as a bit mask (bit `p` set = period `p` available). At most 64
/// periods per day are allowed by validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PeriodSet(pub u64);

impl PeriodSet {
    /// All of the first `n` periods.
    pub fn all(n: usize) -> Self {
        if n >= 64 {
            PeriodSet(u64::MAX)
        } else {
            PeriodSet((1u64 << n) - 1)
        }
    }

    pub fn contains(self, p: Period) -> bool {
        p < 64 && self.0 & (1u64 << p) != 0
    }

    /// Whether every period of `first .. first + len` is in the set.
    pub fn contains_range(self, first: Period, len: usize) -> bool {
        (first..first + len).all(|p| self.contains(p))
    }

    pub fn insert(&mut self, p: Period) {
        if p < 64 {
            self.0 |= 1u64 << p;
        }
    }
}

/// What kind of organisation a school is (SPEC §1, `schools.csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SchoolKind {
    #[default]
    School,
    College,
    University,
    Additional,
    Other,
}

impl SchoolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolKind::School => "school",
            SchoolKind::College => "college",
            SchoolKind::University => "university",
            SchoolKind::Additional => "additional",
            SchoolKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "school" | "" => Some(SchoolKind::School),
            "college" => Some(SchoolKind::College),
            "university" => Some(SchoolKind::University),
            "additional" => Some(SchoolKind::Additional),
            "other" => Some(SchoolKind::Other),
            _ => None,
        }
    }
}

/// One period of the profile day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodTime {
    pub start: Minute,
    pub end: Minute,
}

#[derive(Clone, Debug)]
pub struct School {
    pub id: String,
    pub name: String,
    pub kind: SchoolKind,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// schools.csv `priority` (default 1): with equal access (`--equity`), a school of
    /// priority 2 counts as worse off than one of priority 1 at the same placement rate
    /// (e.g. for schools with low results or hard social conditions).
    pub priority: f64,
}

/// An undirected travel link.
#[derive(Clone, Debug)]
pub struct Link {
    pub a: SchoolId,
    pub b: SchoolId,
    pub minutes: u32,
    pub mode: String,
}

#[derive(Clone, Debug)]
pub struct Room {
    pub id: String,
    pub school: SchoolId,
    pub capacity: u32,
    pub kind: KindId,
    pub periods: PeriodSet,
}

#[derive(Clone, Debug)]
pub struct Course {
    pub id: String,
    pub name: String,
    /// Consecutive periods one session takes (>= 1).
    pub periods: usize,
    pub room_kind: KindId,
    pub min_group: u32,
    pub max_group: u32,
    pub distance: bool,
    /// Grades admitted; `None` = any.
    pub grades: Option<Vec<u32>>,
}

impl Course {
    /// The admitted grades as written in courses.csv (`10 11`), empty for any.
    pub fn grades_label(&self) -> String {
        self.grades
            .as_ref()
            .map(|g| {
                g.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }

    pub fn admits(&self, grade: u32) -> bool {
        self.grades.as_ref().is_none_or(|g| g.contains(&grade))
    }
}

#[derive(Clone, Debug)]
pub struct Teacher {
    pub id: String,
    pub name: String,
    pub school: SchoolId,
    pub courses: Vec<CourseId>,
    pub max_periods: usize,
    pub travels: bool,
    pub periods: PeriodSet,
}

impl Teacher {
    pub fn can_teach(&self, c: CourseId) -> bool {
        self.courses.contains(&c)
    }
}

#[derive(Clone, Debug)]
pub struct Student {
    pub id: String,
    pub school: SchoolId,
    pub grade: u32,
    pub wants: usize,
    /// Ranked choices, most wanted first, no repeats (rank = index + 1).
    pub choices: Vec<CourseId>,
}

impl Student {
    /// min(wants, number of choices): what this student counts in `requested`.
    pub fn requested(&self) -> usize {
        self.wants.min(self.choices.len())
    }

    /// 1-based rank of `c` in this student's list.
    pub fn rank_of(&self, c: CourseId) -> Option<usize> {
        self.choices.iter().position(|&x| x == c).map(|i| i + 1)
    }
}

#[derive(Clone, Debug)]
pub struct Vehicle {
    pub id: String,
    pub school: SchoolId,
    pub seats: u32,
}

/// Weights of the secondary objective (placements always come first), from the
/// optional `[weights]` table of network.toml.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    /// Per rank step below first choice, per placement.
    pub rank: f64,
    /// Per student minute of travel.
    pub student_minute: f64,
    /// Per teacher minute of travel.
    pub teacher_minute: f64,
    /// Per minute a vehicle drives or waits on a trip (transport.csv).
    pub vehicle_minute: f64,
    /// Per student placed in a distance group (distance learning is a fallback).
    pub distance: f64,
    /// Per opened group.
    pub group: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            rank: 100.0,
            student_minute: 1.0,
            teacher_minute: 1.0,
            vehicle_minute: 1.0,
            distance: 30.0,
            group: 5.0,
        }
    }
}

/// Optional tables of network.toml: `[weights]` and `[transport]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tuning {
    pub weights: Weights,
    /// `[transport] max_wait`: the longest a student may wait, in minutes, at a host
    /// for a group or for the bus home because of a shared bus trip.
    pub max_wait: Minute,
    /// `[replan] keep`: how many recovered placements one kept assignment of a student
    /// the change does not touch is worth when re-planning (`profnet replan`).
    pub keep: f64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            weights: Weights::default(),
            max_wait: 90,
            keep: 2.0,
        }
    }
}

/// A validated network bundle (SPEC §1).
#[derive(Clone, Debug)]
pub struct Network {
    pub name: String,
    pub day_start: Minute,
    pub day_end: Minute,
    pub periods: Vec<PeriodTime>,
    pub min_group: u32,
    pub max_group: u32,
    pub wants: usize,
    pub schools: Vec<School>,
    pub links: Vec<Link>,
    pub rooms: Vec<Room>,
    pub courses: Vec<Course>,
    pub teachers: Vec<Teacher>,
    pub students: Vec<Student>,
    pub vehicles: Vec<Vehicle>,
    /// `[weights]` and `[transport]` of network.toml.
    pub tuning: Tuning,
    /// Interned room kinds; `KindId` indexes this.
    pub kinds: Vec<String>,
    /// Schools cut off by a re-plan's change (SPEC §6 `closed_school`): nobody travels
    /// to or from them, while roads through them stay open. Empty for a bundle.
    pub closed: Vec<SchoolId>,
    /// What the planner has agreed (SPEC §8): groups that must open so and students who
    /// must sit in them. Empty when the bundle has no pin files.
    pub pins: Pins,
}

/// The pins of SPEC §8, every id resolved. Rule 9: every pinned group opens with its
/// pinned attributes, every pinned student sits in a group as pinned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pins {
    pub groups: Vec<PinnedGroup>,
    pub students: Vec<PinnedStudent>,
}

impl Pins {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.students.is_empty()
    }
}

/// A row of `pinned_groups.csv`: a group that must open exactly so; `None` leaves that
/// attribute to the optimiser.
#[derive(Clone, Debug, PartialEq)]
pub struct PinnedGroup {
    /// The pin's `id` (what `pinned_students.csv` refers to); `None` when the row has none.
    pub id: Option<String>,
    /// Its line in `pinned_groups.csv` (the header is line 1), for messages.
    pub line: usize,
    pub course: CourseId,
    pub school: SchoolId,
    /// 0-based first period.
    pub first: Period,
    pub room: Option<RoomId>,
    pub teacher: Option<TeacherId>,
    /// `Some(true)`: distance, `Some(false)`: in person.
    pub distance: Option<bool>,
}

/// A row of `pinned_students.csv`: the student sits in a group of `course`, in pinned
/// group `group` (an index into [`Pins::groups`]) when given.
#[derive(Clone, Debug, PartialEq)]
pub struct PinnedStudent {
    /// Its line in `pinned_students.csv`.
    pub line: usize,
    pub student: StudentId,
    pub course: CourseId,
    pub group: Option<usize>,
}

impl Network {
    pub fn num_periods(&self) -> usize {
        self.periods.len()
    }

    pub fn school_index(&self, id: &str) -> Option<SchoolId> {
        self.schools
            .iter()
            .position(|s| s.id == id)
            .map(SchoolId::from)
    }

    pub fn course_index(&self, id: &str) -> Option<CourseId> {
        self.courses
            .iter()
            .position(|s| s.id == id)
            .map(CourseId::from)
    }

    pub fn kind_name(&self, k: KindId) -> &str {
        &self.kinds[k.idx()]
    }
}

/// Formats minutes since midnight as `HH:MM`.
pub struct Hhmm(pub Minute);

impl fmt::Display for Hhmm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Parses `HH:MM` (24-hour) into minutes since midnight.
pub fn parse_hhmm(s: &str) -> Option<Minute> {
    let s = s.trim();
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    Some(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hhmm_round_trip() {
        assert_eq!(parse_hhmm("09:05"), Some(545));
        assert_eq!(parse_hhmm("9:05"), Some(545));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("09:5"), None);
        assert_eq!(Hhmm(545).to_string(), "09:05");
    }

    #[test]
    fn period_sets() {
        let all = PeriodSet::all(7);
        assert!(all.contains(6) && !all.contains(7));
        assert!(all.contains_range(5, 2) && !all.contains_range(6, 2));
    }
}

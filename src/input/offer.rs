//! Which courses a school's students can be offered (issue 18): the list beside the
//! choice sheet of `profnet form-template --school`, so that students do not choose
//! what no group could ever serve them.
//!
//! A *slot* of a course is a host school and a first period where a group of it could
//! be: a room of the course's `room_kind` free for all its `periods`, and a teacher who
//! can teach it, is free then, has `max_periods` for it, teaches at that school (home,
//! or `travels`) and can get there and back within the day. This is the rule of the
//! optimiser's candidate groups (`solve::prep`), without its count of students who
//! chose the course (there are no choices yet when the forms go out); the day test is
//! [`crate::plan::stay_alone_fits`], the one the optimiser uses.
//!
//! A course is **on offer** to school S when its `grades` admit a grade of S's students
//! (any grade when S has no students yet) and it has a slot that S's students can
//! reach in person and come back from within the day (the slot's school is S itself,
//! or travel there and back fits around the periods), or a slot at all when the course
//! allows `distance` (a distance group is taught from a slot's room; its students stay
//! home). Otherwise [`Why`] says why not, in the first of these terms that fails:
//! grades, a qualified teacher, the length of the day, the teachers' hours, a room of
//! the kind, a teacher able to get to such a room, a period both are free, the travel
//! from S.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::graph::TravelTimes;
use crate::input::files::BUNDLE_FILES;
use crate::input::{table, BundleFiles};
use crate::lang::Lang;
use crate::model::{CourseId, Network, Period, PeriodSet, SchoolId, TeacherId};
use crate::plan::{stay_alone_fits, Stay};

/// Where and when a group of a course could be: a host and a first period (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub host: SchoolId,
    pub first: Period,
}

/// The stay a session of `len` periods from `first` at `host` takes.
fn stay(net: &Network, host: SchoolId, first: Period, len: usize) -> Stay {
    Stay {
        place: host,
        start: net.periods[first].start,
        end: net.periods[first + len - 1].end,
    }
}

/// Every slot of course `c` (see the module's text), by host then first period.
pub fn slots(net: &Network, tt: &TravelTimes, c: CourseId) -> Vec<Slot> {
    let course = &net.courses[c.idx()];
    let (len, np) = (course.periods, net.num_periods());
    let mut out = Vec::new();
    if len == 0 || len > np {
        return out;
    }
    for hi in 0..net.schools.len() {
        let host = SchoolId::from(hi);
        for first in 0..=np - len {
            let room = net.rooms.iter().any(|r| {
                r.school == host
                    && r.kind == course.room_kind
                    && r.periods.contains_range(first, len)
            });
            if !room {
                continue;
            }
            let s = stay(net, host, first, len);
            let teacher = net.teachers.iter().any(|t| {
                t.can_teach(c)
                    && t.periods.contains_range(first, len)
                    && t.max_periods >= len
                    && (t.travels || t.school == host)
                    && stay_alone_fits(net, tt, t.school, s)
            });
            if teacher {
                out.push(Slot { host, first });
            }
        }
    }
    out
}

/// Why a teacher cannot get to any school with a room for the course.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// `travels = no`, and no such room at their school.
    NoTravel,
    /// No road from their school to any school with such a room.
    NoRoad,
    /// The roads are too long to get there and back around the periods.
    TooFar,
}

/// Why a course is not on offer (to a school, or at all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The course's `grades` admit none of the grades of the school's students.
    Grades { course: Vec<u32>, school: Vec<u32> },
    /// No teacher lists the course in teachers.csv.
    NoTeacher,
    /// A session is longer than the day.
    TooLong { periods: usize, day: usize },
    /// No qualified teacher has `periods` consecutive periods (max_periods, periods).
    TeacherHours { periods: usize },
    /// No room of the course's kind in the network.
    NoRoom { kind: String },
    /// No room of the kind is free for `periods` consecutive periods.
    RoomNotFree { kind: String, periods: usize },
    /// The qualified teachers cannot get to any school with such a room.
    TeacherCannotReach {
        kind: String,
        hosts: Vec<SchoolId>,
        teachers: Vec<(TeacherId, Block)>,
    },
    /// Teachers could be at a school with such a room, but never when it is free.
    NoCommonPeriod { kind: String },
    /// Groups could be at these schools only (travel minutes from the school, `None` =
    /// no road), too far to get there and back around the periods.
    OutOfReach { hosts: Vec<(SchoolId, Option<u32>)> },
}

/// A school where a group of a course could be, for the students of one school.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    pub school: SchoolId,
    /// Travel minutes from the students' school (0 for itself); `None` when the offer
    /// is for no school in particular.
    pub minutes: Option<u32>,
    /// First periods (0-based) of the sessions they could reach there.
    pub starts: PeriodSet,
}

/// Whether, and where, a course is on offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Offered {
        /// In person, nearest first.
        hosts: Vec<Host>,
        /// At a distance: the first periods (0-based); `None` when the course does not
        /// allow distance.
        distance: Option<PeriodSet>,
    },
    NotOffered(Why),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseOffer {
    pub course: CourseId,
    pub status: Status,
}

impl CourseOffer {
    pub fn is_offered(&self) -> bool {
        matches!(self.status, Status::Offered { .. })
    }

    /// Every first period (0-based) of a session on offer, in person or at a distance.
    pub fn starts(&self) -> PeriodSet {
        match &self.status {
            Status::Offered { hosts, distance } => PeriodSet(
                hosts
                    .iter()
                    .fold(distance.unwrap_or_default().0, |m, h| m | h.starts.0),
            ),
            Status::NotOffered(_) => PeriodSet::default(),
        }
    }
}

/// The courses of a network, on offer or not, for one school's students (or for
/// anyone, when `school` is `None`: then grades and student travel are not checked).
#[derive(Clone, Debug)]
pub struct Offers {
    pub school: Option<SchoolId>,
    /// The grades of the school's students (empty: unknown, any grade).
    pub grades: Vec<u32>,
    /// One per course, in the order of courses.csv.
    pub courses: Vec<CourseOffer>,
}

/// The grades of `school`'s students in the network, sorted, without repeats.
pub fn school_grades(net: &Network, school: SchoolId) -> Vec<u32> {
    let mut g: Vec<u32> = net
        .students
        .iter()
        .filter(|s| s.school == school)
        .map(|s| s.grade)
        .collect();
    g.sort_unstable();
    g.dedup();
    g
}

impl Offers {
    /// What is on offer to the students of `school`, whose grades are `grades` (empty:
    /// any).
    pub fn new(net: &Network, tt: &TravelTimes, school: Option<SchoolId>, grades: &[u32]) -> Self {
        let courses = (0..net.courses.len())
            .map(|ci| {
                let c = CourseId::from(ci);
                CourseOffer {
                    course: c,
                    status: status(net, tt, c, school, grades),
                }
            })
            .collect();
        Offers {
            school,
            grades: grades.to_vec(),
            courses,
        }
    }

    /// The courses on offer, in the order of courses.csv.
    pub fn on_offer(&self) -> impl Iterator<Item = &CourseOffer> {
        self.courses.iter().filter(|o| o.is_offered())
    }

    /// The courses not on offer, with why.
    pub fn not_offered(&self) -> impl Iterator<Item = (&CourseOffer, &Why)> {
        self.courses.iter().filter_map(|o| match &o.status {
            Status::NotOffered(w) => Some((o, w)),
            Status::Offered { .. } => None,
        })
    }

    /// The course list of the choice sheet: with a school, the courses on offer and
    /// apart the others with why; without one, every course (where it could be taught,
    /// or why nowhere).
    pub fn listed(&self, net: &Network, lang: Lang) -> SheetList {
        let mut list = SheetList::default();
        for o in &self.courses {
            let c = &net.courses[o.course.idx()];
            let mut row = Listed {
                id: c.id.clone(),
                name: c.name.clone(),
                periods: c.periods.to_string(),
                grades: match &c.grades {
                    Some(_) => c.grades_label(),
                    None => "any".into(),
                },
                distance: if c.distance { "yes" } else { "no" }.into(),
                place: String::new(),
                starts: String::new(),
            };
            match &o.status {
                Status::Offered { hosts, distance } => {
                    // The nearest few; a long list helps nobody choose.
                    let mut places: Vec<String> = hosts
                        .iter()
                        .take(WHERE_HOSTS)
                        .map(|h| {
                            let id = &net.schools[h.school.idx()].id;
                            match h.minutes {
                                None => id.clone(),
                                Some(0) => format!("{id} ({})", lang.pick("здесь", "here")),
                                Some(m) => format!("{id} ({m} {})", lang.pick("мин", "min")),
                            }
                        })
                        .collect();
                    if hosts.len() > WHERE_HOSTS {
                        let more = hosts.len() - WHERE_HOSTS;
                        places.push(match lang {
                            Lang::Ru => format!("и ещё {more} шк."),
                            Lang::En => format!("{more} more school(s)"),
                        });
                    }
                    if distance.is_some() {
                        places.push(lang.pick("дистанционно", "distance").into());
                    }
                    row.place = places.join(", ");
                    row.starts = period_list(o.starts());
                    list.offered.push(row);
                }
                Status::NotOffered(why) => {
                    let text = why.text(net, lang);
                    if self.school.is_some() {
                        row.place = text;
                        list.apart.push(row);
                    } else {
                        row.place = format!("{}: {text}", lang.pick("нигде", "nowhere"));
                        list.offered.push(row);
                    }
                }
            }
        }
        list
    }
}

/// How many host schools the `offered_where` cell names (the nearest; then how many
/// more).
pub const WHERE_HOSTS: usize = 3;

/// 1-based period numbers, space-separated (`1 2 5`).
fn period_list(p: PeriodSet) -> String {
    (0..64)
        .filter(|&i| p.contains(i))
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn status(
    net: &Network,
    tt: &TravelTimes,
    c: CourseId,
    school: Option<SchoolId>,
    grades: &[u32],
) -> Status {
    let course = &net.courses[c.idx()];
    if school.is_some() && !grades.is_empty() && !grades.iter().any(|&g| course.admits(g)) {
        return Status::NotOffered(Why::Grades {
            course: course.grades.clone().unwrap_or_default(),
            school: grades.to_vec(),
        });
    }
    let all = slots(net, tt, c);
    if all.is_empty() {
        return Status::NotOffered(why_no_slot(net, tt, c));
    }
    let len = course.periods;
    let distance = course.distance.then(|| {
        let mut p = PeriodSet::default();
        for s in &all {
            p.insert(s.first);
        }
        p
    });
    let mut by_host: BTreeMap<SchoolId, PeriodSet> = BTreeMap::new();
    for s in &all {
        let ok = school
            .is_none_or(|home| stay_alone_fits(net, tt, home, stay(net, s.host, s.first, len)));
        if ok {
            by_host.entry(s.host).or_default().insert(s.first);
        }
    }
    let mut hosts: Vec<Host> = by_host
        .into_iter()
        .map(|(h, starts)| Host {
            school: h,
            minutes: school.and_then(|home| tt.get(home, h)),
            starts,
        })
        .collect();
    hosts.sort_by_key(|h| (h.minutes, h.school));
    if hosts.is_empty() && distance.is_none() {
        let mut far: Vec<(SchoolId, Option<u32>)> = all
            .iter()
            .map(|s| (s.host, school.and_then(|home| tt.get(home, s.host))))
            .collect();
        far.dedup();
        far.sort_by_key(|&(h, m)| (m.is_none(), m, h));
        return Status::NotOffered(Why::OutOfReach { hosts: far });
    }
    Status::Offered { hosts, distance }
}

/// Why course `c` has no slot at all.
fn why_no_slot(net: &Network, tt: &TravelTimes, c: CourseId) -> Why {
    let course = &net.courses[c.idx()];
    let (len, np) = (course.periods, net.num_periods());
    let kind = net.kind_name(course.room_kind).to_owned();
    let qualified: Vec<TeacherId> = (0..net.teachers.len())
        .map(TeacherId::from)
        .filter(|t| net.teachers[t.idx()].can_teach(c))
        .collect();
    if qualified.is_empty() {
        return Why::NoTeacher;
    }
    if len == 0 || len > np {
        return Why::TooLong {
            periods: len,
            day: np,
        };
    }
    let windows = || 0..=np - len;
    let usable: Vec<TeacherId> = qualified
        .into_iter()
        .filter(|t| {
            let t = &net.teachers[t.idx()];
            t.max_periods >= len && windows().any(|f| t.periods.contains_range(f, len))
        })
        .collect();
    if usable.is_empty() {
        return Why::TeacherHours { periods: len };
    }
    let rooms: Vec<_> = net
        .rooms
        .iter()
        .filter(|r| r.kind == course.room_kind)
        .collect();
    if rooms.is_empty() {
        return Why::NoRoom { kind };
    }
    let mut hosts: Vec<SchoolId> = rooms
        .iter()
        .filter(|r| windows().any(|f| r.periods.contains_range(f, len)))
        .map(|r| r.school)
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    if hosts.is_empty() {
        return Why::RoomNotFree { kind, periods: len };
    }
    // Can a teacher be at such a school at all, in one of their own free windows?
    let block = |t: TeacherId| -> Option<Block> {
        let tr = &net.teachers[t.idx()];
        let allowed: Vec<SchoolId> = hosts
            .iter()
            .copied()
            .filter(|&h| tr.travels || tr.school == h)
            .collect();
        if allowed.is_empty() {
            return Some(Block::NoTravel);
        }
        if allowed.iter().all(|&h| tt.get(tr.school, h).is_none()) {
            return Some(Block::NoRoad);
        }
        let reach = allowed.iter().any(|&h| {
            windows().any(|f| {
                tr.periods.contains_range(f, len)
                    && stay_alone_fits(net, tt, tr.school, stay(net, h, f, len))
            })
        });
        (!reach).then_some(Block::TooFar)
    };
    let blocked: Vec<(TeacherId, Block)> = usable
        .iter()
        .filter_map(|&t| block(t).map(|b| (t, b)))
        .collect();
    if blocked.len() == usable.len() {
        return Why::TeacherCannotReach {
            kind,
            hosts,
            teachers: blocked,
        };
    }
    Why::NoCommonPeriod { kind }
}

impl Why {
    /// In plain words, for the people at the school.
    pub fn text(&self, net: &Network, lang: Lang) -> String {
        let grades = |g: &[u32]| g.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
        let ids = |s: &[SchoolId]| {
            s.iter()
                .map(|h| net.schools[h.idx()].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Why::Grades { course, school } => match lang {
                Lang::Ru => format!(
                    "курс только для классов {}, а ученики школы учатся в классах {}",
                    grades(course),
                    grades(school)
                ),
                Lang::En => format!(
                    "for grades {} only, and the school's students are in grades {}",
                    grades(course),
                    grades(school)
                ),
            },
            Why::NoTeacher => lang
                .pick(
                    "нет учителя, который ведёт этот курс (teachers.csv)",
                    "no teacher teaches it (teachers.csv)",
                )
                .into(),
            Why::TooLong { periods, day } => match lang {
                Lang::Ru => format!("занятие длится {periods} урок(а), а в дне {day}"),
                Lang::En => format!("a session takes {periods} periods; the day has {day}"),
            },
            Why::TeacherHours { periods } => match lang {
                Lang::Ru => format!(
                    "ни у одного учителя курса нет {periods} свободных уроков подряд (max_periods, periods в teachers.csv)"
                ),
                Lang::En => format!(
                    "none of its teachers has {periods} consecutive periods free (max_periods, periods in teachers.csv)"
                ),
            },
            Why::NoRoom { kind } => match lang {
                Lang::Ru => format!("нет кабинета вида «{kind}» ни в одной школе"),
                Lang::En => format!("no room of kind '{kind}' in any school"),
            },
            Why::RoomNotFree { kind, periods } => match lang {
                Lang::Ru => format!(
                    "ни один кабинет вида «{kind}» не свободен {periods} урок(а) подряд"
                ),
                Lang::En => {
                    format!("no room of kind '{kind}' is free for {periods} consecutive periods")
                }
            },
            Why::TeacherCannotReach {
                kind,
                hosts,
                teachers,
            } => {
                let who: Vec<String> = teachers
                    .iter()
                    .map(|&(t, b)| {
                        let tr = &net.teachers[t.idx()];
                        let home = &net.schools[tr.school.idx()].id;
                        let what = match b {
                            Block::NoTravel => lang.pick("не выезжает", "does not travel"),
                            Block::NoRoad => lang.pick("нет дороги", "no road"),
                            Block::TooFar => lang.pick(
                                "не успеть доехать и вернуться",
                                "too far to get there and back",
                            ),
                        };
                        format!("{} ({home}): {what}", tr.id)
                    })
                    .collect();
                match lang {
                    Lang::Ru => format!(
                        "учитель не может попасть в школу с кабинетом вида «{kind}» ({}): {}",
                        ids(hosts),
                        who.join("; ")
                    ),
                    Lang::En => format!(
                        "the teacher cannot reach a school with a room of kind '{kind}' ({}): {}",
                        ids(hosts),
                        who.join("; ")
                    ),
                }
            }
            Why::NoCommonPeriod { kind } => match lang {
                Lang::Ru => format!(
                    "учитель и кабинет вида «{kind}» не бывают свободны в одни и те же уроки"
                ),
                Lang::En => format!(
                    "its teachers and the rooms of kind '{kind}' are never free in the same periods"
                ),
            },
            Why::OutOfReach { hosts } => {
                let places: Vec<String> = hosts
                    .iter()
                    .map(|&(h, m)| {
                        let id = &net.schools[h.idx()].id;
                        match m {
                            Some(m) => format!("{id} ({m} {})", lang.pick("мин", "min")),
                            None => format!("{id} ({})", lang.pick("нет дороги", "no road")),
                        }
                    })
                    .collect();
                match lang {
                    Lang::Ru => format!(
                        "курс можно вести только в {}: оттуда не успеть вернуться за учебный день",
                        places.join(", ")
                    ),
                    Lang::En => format!(
                        "it can only be taught at {}: too far to get there and back within the day",
                        places.join(", ")
                    ),
                }
            }
        }
    }
}

// ---- the network's reach, before any plan ------------------------------------------

/// One school's students' choices, and how many of them are within reach.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    pub students: usize,
    /// Every choice the students listed (alternates past `wants` too).
    pub choices: usize,
    /// Choices whose course is on offer to the student: on offer to the school
    /// ([`Offers::new`] with [`school_grades`]) and admitting the student's grade,
    /// which is what `Offers::new` says for that school and the student's grade alone.
    pub within: usize,
    /// The courses on offer to the school's students, in the order of courses.csv.
    pub on_offer: Vec<CourseId>,
    /// Choices not within reach, per course (in the order of courses.csv).
    pub out_of_reach: Vec<(CourseId, usize)>,
}

/// [`Reach`] of every school, in the order of schools.csv.
pub fn reach(net: &Network, tt: &TravelTimes) -> Vec<Reach> {
    let mut out: Vec<Reach> = (0..net.schools.len())
        .map(|i| {
            let s = SchoolId::from(i);
            let offers = Offers::new(net, tt, Some(s), &school_grades(net, s));
            Reach {
                on_offer: offers.on_offer().map(|o| o.course).collect(),
                ..Reach::default()
            }
        })
        .collect();
    let mut missed: Vec<BTreeMap<CourseId, usize>> = vec![BTreeMap::new(); out.len()];
    for st in &net.students {
        let r = &mut out[st.school.idx()];
        r.students += 1;
        r.choices += st.choices.len();
        for &c in &st.choices {
            if r.on_offer.binary_search(&c).is_ok() && net.courses[c.idx()].admits(st.grade) {
                r.within += 1;
            } else {
                *missed[st.school.idx()].entry(c).or_default() += 1;
            }
        }
    }
    for (r, m) in out.iter_mut().zip(missed) {
        r.out_of_reach = m.into_iter().collect();
    }
    out
}

// ---- loading a bundle before the choices are in ------------------------------------

/// A network loaded for the offer: `students` says whether its students are the
/// bundle's own (else a placeholder stands in for a students.csv that is missing or
/// cannot be read yet, and `note` says why).
#[derive(Debug)]
pub struct Loaded {
    pub net: Network,
    pub students: bool,
    pub note: Option<Diagnostic>,
}

impl Loaded {
    /// What is on offer to the students of school `id` (`None`: anyone; an unknown id
    /// is treated as `None`). Their grades come from students.csv when it was read.
    pub fn offers(&self, id: Option<&str>) -> Offers {
        let tt = TravelTimes::new(&self.net);
        let school = id.and_then(|s| self.net.school_index(s));
        let grades = match school {
            Some(s) if self.students => school_grades(&self.net, s),
            _ => Vec::new(),
        };
        Offers::new(&self.net, &tt, school, &grades)
    }
}

/// Loads the bundle at `path` (a directory or a workbook) for the offer: as a whole if
/// it can be, else with one placeholder student instead of its students.csv (missing
/// before the choices are collected, the usual case when the forms go out; the pinned
/// files, which name students, are left out then too). `Err`: the errors of the bundle
/// without its students.
pub fn load_network(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let first_error = match crate::input::load(path) {
        Ok((net, _)) => {
            return Ok(Loaded {
                net,
                students: true,
                note: None,
            })
        }
        Err(e) => e.0.into_iter().find(Diagnostic::is_error),
    };
    let files = BundleFiles::open(path).map_err(|e| e.0)?;
    // A school for the placeholder student: the first of schools.csv.
    let text = files
        .text("schools.csv", "schools.csv")
        .map_err(|d| vec![files.relabel(d)])?;
    let first_school = match table::parse_table(&text, "schools.csv") {
        Ok((t, _)) => t,
        Err(d) => return Err(vec![files.relabel(d)]),
    };
    let Some(school) = first_school
        .rows
        .iter()
        .map(|r| first_school.get(r, "id"))
        .find(|id| !id.is_empty())
    else {
        return Err(first_error.into_iter().collect());
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "school", "grade", "choice_1"]);
    let _ = w.write_record(["form-template placeholder", school, "10", ""]);
    let students = w.into_inner().unwrap_or_default();
    let mut given: Vec<(&str, &[u8])> = BUNDLE_FILES
        .iter()
        .filter(|&&f| f != "students.csv" && !f.starts_with("pinned_"))
        .filter_map(|&f| files.get(f).ok().map(|b| (f, b)))
        .collect();
    given.push(("students.csv", &students));
    match crate::input::load_from_memory(&given) {
        Ok((net, _)) => Ok(Loaded {
            net,
            students: false,
            note: first_error,
        }),
        Err(e) => Err(files.relabel_all(e.0.into_iter().filter(Diagnostic::is_error).collect())),
    }
}

// ---- the course list of the choice sheet -------------------------------------------

/// One course in the list beside the choice sheet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    /// Periods one session takes.
    pub periods: String,
    /// Admitted grades, `any` for any.
    pub grades: String,
    /// `yes` or `no`.
    pub distance: String,
    /// On offer: where (the nearest [`WHERE_HOSTS`] host ids with travel minutes,
    /// how many more, `дистанционно`); listed apart: why not.
    pub place: String,
    /// On offer: the periods (1-based) a session could start in.
    pub starts: String,
}

/// The course list of a choice sheet: the courses on offer, and apart the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SheetList {
    pub offered: Vec<Listed>,
    pub apart: Vec<Listed>,
}

/// The columns of the course list, beside the student columns. `profnet collect`
/// ignores every column whose header starts with `offered`.
pub const OFFERED_COLUMNS: [&str; 7] = [
    "offered_course",
    "offered_name",
    "offered_periods",
    "offered_grades",
    "offered_distance",
    "offered_where",
    "offered_periods_start",
];

/// The row, in the course-list columns, that heads the courses listed apart (below
/// the courses on offer and an empty row).
pub const APART_HEADER: [&str; 7] = [
    "not_offered_course (недоступно школе)",
    "not_offered_name (название)",
    "periods (уроков)",
    "grades (классы)",
    "distance (дистанционно)",
    "why (почему недоступно)",
    "",
];

/// The choice sheet (CSV, `;`-separated, UTF-8 with BOM so that Excel opens Cyrillic
/// right): the students.csv columns `id,school,grade,wants,choice_1..N` with `rows`
/// empty rows (`school` filled in when given), and beside them [`OFFERED_COLUMNS`]:
/// the courses on offer, then, if any are listed apart, an empty row, [`APART_HEADER`]
/// and those courses with why in the `offered_where` column. `profnet collect` reads
/// the rows without a student as unused (`empty`).
pub fn sheet(list: &SheetList, school: Option<&str>, choices: usize, rows: usize) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(Vec::new());
    let mut header: Vec<String> = ["id", "school", "grade", "wants"]
        .map(String::from)
        .to_vec();
    header.extend((1..=choices).map(|k| format!("choice_{k}")));
    header.extend(OFFERED_COLUMNS.map(String::from));
    let _ = w.write_record(&header);
    let cells = |l: &Listed| {
        vec![
            l.id.clone(),
            l.name.clone(),
            l.periods.clone(),
            l.grades.clone(),
            l.distance.clone(),
            l.place.clone(),
            l.starts.clone(),
        ]
    };
    let mut side: Vec<Vec<String>> = list.offered.iter().map(cells).collect();
    if !list.apart.is_empty() {
        side.push(Vec::new());
        side.push(APART_HEADER.map(String::from).to_vec());
        side.extend(list.apart.iter().map(cells));
    }
    for k in 0..rows.max(side.len()) {
        let mut rec = vec![String::new(); 4 + choices];
        if k < rows {
            rec[1] = school.unwrap_or("").to_owned();
        }
        let mut more = side.get(k).cloned().unwrap_or_default();
        more.resize(OFFERED_COLUMNS.len(), String::new());
        rec.extend(more);
        let _ = w.write_record(&rec);
    }
    let body = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    format!("\u{feff}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schools A–B (15 min), D (300 min from A: too far for any period), C (no road).
    /// Students: A grades 10 and 11, B grade 10 only.
    fn network() -> Network {
        let files: [(&str, &[u8]); 7] = [
            (
                "network.toml",
                br#"name = "t"
day_start = "08:00"
day_end = "17:00"
periods = ["09:00-09:45", "09:55-10:40", "11:00-11:45", "11:55-12:40"]
min_group = 1
max_group = 25
wants = 2
"#,
            ),
            (
                "schools.csv",
                b"id,name\nA,Alpha\nB,Beta\nC,Gamma\nD,Delta\n",
            ),
            ("links.csv", b"from,to,minutes\nA,B,15\nA,D,300\n"),
            (
                "rooms.csv",
                b"school,id,capacity,kind\nA,A1,25,general\nB,B1,25,general\nB,BL,20,lab\n\
                  C,C1,25,general\nD,D1,25,general\n",
            ),
            (
                "courses.csv",
                b"id,name,periods,room_kind,distance,grades\n\
                  ISO,Isolated,1,general,no,\n\
                  ISOLAB,Isolated lab,1,lab,no,\n\
                  DIST,Remote,1,general,yes,\n\
                  G11,Senior,1,general,no,11\n\
                  NEAR,Near,2,general,no,\n\
                  FAR,Far,1,general,no,\n\
                  NOTEACH,Orphan,1,general,no,\n",
            ),
            (
                "teachers.csv",
                b"id,name,school,courses,travels\n\
                  TC,Tc,C,ISO ISOLAB DIST,no\n\
                  TA,Ta,A,G11,yes\n\
                  TB,Tb,B,NEAR,no\n\
                  TD,Td,D,FAR,no\n",
            ),
            (
                "students.csv",
                b"id,school,grade,choice_1\nS1,A,10,NEAR\nS2,A,11,G11\nS3,B,10,G11\n",
            ),
        ];
        crate::input::load_from_memory(&files)
            .unwrap_or_else(|e| panic!("{:?}", e.0))
            .0
    }

    fn offers_for(net: &Network, school: &str) -> Offers {
        let tt = TravelTimes::new(net);
        let s = net.school_index(school).unwrap();
        Offers::new(net, &tt, Some(s), &school_grades(net, s))
    }

    fn status_of<'a>(net: &Network, o: &'a Offers, course: &str) -> &'a Status {
        &o.courses[net.course_index(course).unwrap().idx()].status
    }

    fn sid(net: &Network, id: &str) -> SchoolId {
        net.school_index(id).unwrap()
    }

    #[test]
    fn a_course_only_taught_at_a_school_without_a_road_is_out_of_reach() {
        let net = network();
        let o = offers_for(&net, "A");
        // ISO: its one teacher stays at C, which has a room but no road from A.
        assert_eq!(
            status_of(&net, &o, "ISO"),
            &Status::NotOffered(Why::OutOfReach {
                hosts: vec![(sid(&net, "C"), None)]
            })
        );
        let text = match status_of(&net, &o, "ISO") {
            Status::NotOffered(w) => w.text(&net, Lang::En),
            s => panic!("{s:?}"),
        };
        assert!(text.contains("C (no road)"), "{text}");
        // ISOLAB: the only lab is at B, and the teacher does not travel.
        let tc = TeacherId::from(0);
        assert_eq!(
            status_of(&net, &o, "ISOLAB"),
            &Status::NotOffered(Why::TeacherCannotReach {
                kind: "lab".into(),
                hosts: vec![sid(&net, "B")],
                teachers: vec![(tc, Block::NoTravel)],
            })
        );
        // At C itself ISO is on offer, here.
        let at_c = offers_for(&net, "C");
        match status_of(&net, &at_c, "ISO") {
            Status::Offered { hosts, distance } => {
                assert_eq!(hosts.len(), 1);
                assert_eq!(
                    (hosts[0].school, hosts[0].minutes),
                    (sid(&net, "C"), Some(0))
                );
                assert_eq!(*distance, None);
            }
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn a_school_too_far_for_the_day_is_out_of_reach_with_its_minutes() {
        let net = network();
        let o = offers_for(&net, "A");
        assert_eq!(
            status_of(&net, &o, "FAR"),
            &Status::NotOffered(Why::OutOfReach {
                hosts: vec![(sid(&net, "D"), Some(300))]
            })
        );
    }

    #[test]
    fn a_distance_course_with_a_teacher_is_on_offer_everywhere() {
        let net = network();
        for school in ["A", "B", "C", "D"] {
            let o = offers_for(&net, school);
            match status_of(&net, &o, "DIST") {
                Status::Offered { distance, .. } => {
                    assert_eq!(*distance, Some(PeriodSet::all(4)), "{school}")
                }
                s => panic!("{school}: {s:?}"),
            }
        }
        let list = offers_for(&net, "A").listed(&net, Lang::Ru);
        let dist = list.offered.iter().find(|l| l.id == "DIST").unwrap();
        assert_eq!(dist.place, "дистанционно");
        assert_eq!(dist.starts, "1 2 3 4");
    }

    #[test]
    fn a_course_for_grade_11_is_not_on_offer_to_a_school_of_grade_10() {
        let net = network();
        let o = offers_for(&net, "B");
        assert_eq!(
            status_of(&net, &o, "G11"),
            &Status::NotOffered(Why::Grades {
                course: vec![11],
                school: vec![10]
            })
        );
        // A has grade-11 students: on offer there, taught at A.
        let a = offers_for(&net, "A");
        assert!(
            matches!(status_of(&net, &a, "G11"), Status::Offered { hosts, .. } if hosts[0].school == sid(&net, "A"))
        );
        // Without a school, grades are not checked.
        let tt = TravelTimes::new(&net);
        let any = Offers::new(&net, &tt, None, &[]);
        assert!(any.courses[net.course_index("G11").unwrap().idx()].is_offered());
    }

    #[test]
    fn a_reachable_course_lists_its_host_with_the_travel_time_and_start_periods() {
        let net = network();
        let o = offers_for(&net, "A");
        // NEAR: two periods, taught by TB at B only (does not travel), 15 min from A.
        // From A: 15 min there and back fits around every session (starts 1-3; a
        // start in period 4 would run past the last period).
        match status_of(&net, &o, "NEAR") {
            Status::Offered { hosts, distance } => {
                assert_eq!(hosts.len(), 1);
                assert_eq!(hosts[0].school, sid(&net, "B"));
                assert_eq!(hosts[0].minutes, Some(15));
                assert_eq!(period_list(hosts[0].starts), "1 2 3");
                assert_eq!(*distance, None);
            }
            s => panic!("{s:?}"),
        }
        let list = o.listed(&net, Lang::En);
        let near = list.offered.iter().find(|l| l.id == "NEAR").unwrap();
        assert_eq!(
            (near.place.as_str(), near.starts.as_str()),
            ("B (15 min)", "1 2 3")
        );
        // Not on offer to A, each with its reason: listed apart.
        let apart: Vec<&str> = list.apart.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(apart, ["ISO", "ISOLAB", "FAR", "NOTEACH"]);
        assert_eq!(
            status_of(&net, &o, "NOTEACH"),
            &Status::NotOffered(Why::NoTeacher)
        );
    }

    #[test]
    fn the_sheet_lists_the_courses_apart_below_the_offered_ones() {
        let net = network();
        let list = offers_for(&net, "B").listed(&net, Lang::Ru);
        let text = sheet(&list, Some("B"), 2, 3);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("\u{feff}id;school;grade;wants;choice_1;choice_2;offered_course;offered_name;offered_periods;offered_grades;offered_distance;offered_where;offered_periods_start"));
        let n = list.offered.len();
        assert_eq!(lines.len(), 1 + n + 2 + list.apart.len());
        assert!(
            lines[1].starts_with(";B;;;;;DIST;Remote;1;any;yes;дистанционно;1 2 3 4"),
            "{}",
            lines[1]
        );
        // An empty row (in the course columns), then the heading of the courses apart.
        let cells = |i: usize| lines[i].split(';').skip(6).collect::<Vec<_>>().join("");
        assert_eq!(cells(n + 1), "");
        assert!(
            cells(n + 2).starts_with("not_offered_course"),
            "{}",
            lines[n + 2]
        );
        assert!(
            text.contains("G11;Senior;1;11;no;курс только для классов 11"),
            "{text}"
        );
    }

    #[test]
    fn a_bundle_without_students_still_loads_for_the_offer() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
        for f in [
            "network.toml",
            "schools.csv",
            "links.csv",
            "rooms.csv",
            "courses.csv",
            "teachers.csv",
        ] {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        let loaded = load_network(dir).unwrap();
        assert!(!loaded.students);
        assert_eq!(loaded.note.as_ref().map(|d| d.code), Some("E0001"));
        let o = loaded.offers(Some("KUL"));
        assert!(o.grades.is_empty());
        assert!(o.on_offer().count() > 0);
    }
}

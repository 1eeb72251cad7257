//! A change to a published plan (SPEC §6, `change.toml`): who or what is missing on the
//! profile day, and whose choices changed. [`read_change`] reads and checks it against
//! the bundle; [`Change::apply`] gives the network as it is under the change.
//!
//! | code  | severity | meaning |
//! |-------|----------|---------|
//! | E0601 | error    | the change file is missing or cannot be read |
//! | E0602 | error    | the change file is not valid TOML, or a table has an unknown key or a value of the wrong type (the line is given) |
//! | E0603 | error    | the change names an id (or a link) that is not in the bundle |
//! | E0604 | error    | a period outside the day, a choice list with a repeat, or a change that changes nothing |

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{line_of, Diagnostic};
use crate::input::table;
use crate::model::{
    CourseId, Network, Period, PeriodSet, RoomId, SchoolId, StudentId, TeacherId, VehicleId,
};

const UNREADABLE: &str = "E0601";
const SYNTAX: &str = "E0602";
const UNKNOWN_ID: &str = "E0603";
const BAD_VALUE: &str = "E0604";

/// A change, with every id resolved against the bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// Teachers absent, with the 0-based periods they miss (`None`: the whole day).
    pub absent_teachers: Vec<(TeacherId, Option<Vec<Period>>)>,
    /// Closed road links, as unordered school pairs.
    pub closed_links: Vec<(SchoolId, SchoolId)>,
    pub closed_rooms: Vec<RoomId>,
    /// Schools nobody travels to or from.
    pub closed_schools: Vec<SchoolId>,
    /// Indices into `Network::vehicles`.
    pub broken_vehicles: Vec<VehicleId>,
    /// Students with their new ranked choices.
    pub choice_changes: Vec<(StudentId, Vec<CourseId>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    absent_teacher: Vec<AbsentRow>,
    #[serde(default)]
    closed_link: Vec<LinkRow>,
    #[serde(default)]
    closed_room: Vec<IdRow>,
    #[serde(default)]
    closed_school: Vec<IdRow>,
    #[serde(default)]
    broken_vehicle: Vec<IdRow>,
    #[serde(default)]
    choice_change: Vec<ChoiceRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AbsentRow {
    id: Spanned<String>,
    periods: Option<Spanned<Vec<i64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRow {
    from: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdRow {
    id: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceRow {
    student: Spanned<String>,
    choices: Spanned<Vec<String>>,
}

fn position<'a>(mut ids: impl Iterator<Item = &'a String>, id: &str) -> Option<usize> {
    ids.position(|x| x == id)
}

/// Reads `path` and resolves it against `net`; every problem is reported at once.
pub fn read_change(net: &Network, path: &Path) -> Result<Change, Vec<Diagnostic>> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::read(path).map_err(|e| {
        vec![Diagnostic::error(
            UNREADABLE,
            &file,
            format!("cannot read the change file {}: {e}", path.display()),
        )
        .hint("give the path of a change.toml (SPEC section 6) with --change")]
    })?;
    let text = table::decode_text(&bytes, &file)
        .map_err(|d| {
            vec![Diagnostic {
                code: UNREADABLE,
                ..d
            }]
        })?
        .replace('\u{feff}', "");
    parse_change(net, &text, &file)
}

/// [`read_change`] for the text of a change file named `file`.
pub fn parse_change(net: &Network, text: &str, file: &str) -> Result<Change, Vec<Diagnostic>> {
    let doc: File = toml::from_str(text).map_err(|e: toml::de::Error| {
        let mut d = Diagnostic::error(
            SYNTAX,
            file,
            format!(
                "the change file is not as SPEC section 6 describes: {}",
                e.message().trim()
            ),
        )
        .hint(
            "tables are [[absent_teacher]] (id, periods), [[closed_link]] (from, to), \
             [[closed_room]] (id), [[closed_school]] (id), [[broken_vehicle]] (id), \
             [[choice_change]] (student, choices); ids in double quotes, periods as numbers",
        );
        if let Some(sp) = e.span() {
            d = d.row(line_of(text, sp.start));
        }
        vec![d]
    })?;
    let mut diags = Vec::new();
    let mut change = Change::default();
    let at = |s: &std::ops::Range<usize>| line_of(text, s.start);
    let unknown = |what: &str, id: &str, line: usize, column: &str, list: &str| {
        Diagnostic::error(
            UNKNOWN_ID,
            file,
            format!("{what} '{id}' is not in the bundle"),
        )
        .row(line)
        .column(column)
        .hint(format!("use an id of {list} (ids are case-sensitive)"))
    };

    for r in &doc.absent_teacher {
        let line = at(&r.id.span());
        let Some(t) = position(net.teachers.iter().map(|t| &t.id), r.id.get_ref()) else {
            diags.push(unknown(
                "teacher",
                r.id.get_ref(),
                line,
                "absent_teacher.id",
                "teachers.csv",
            ));
            continue;
        };
        let periods = match &r.periods {
            None => None,
            Some(p) => {
                let mut list = BTreeSet::new();
                for &x in p.get_ref() {
                    if x < 1 || x as usize > net.num_periods() {
                        diags.push(
                            Diagnostic::error(
                                BAD_VALUE,
                                file,
                                format!(
                                    "period {x} of teacher {} is outside the day (periods 1-{})",
                                    r.id.get_ref(),
                                    net.num_periods()
                                ),
                            )
                            .row(at(&p.span()))
                            .column("absent_teacher.periods")
                            .hint("list 1-based periods of network.toml, or leave periods out for the whole day"),
                        );
                    } else {
                        list.insert(x as usize - 1);
                    }
                }
                if p.get_ref().is_empty() {
                    diags.push(
                        Diagnostic::error(
                            BAD_VALUE,
                            file,
                            format!(
                                "teacher {} is absent in no period (periods = [])",
                                r.id.get_ref()
                            ),
                        )
                        .row(at(&p.span()))
                        .column("absent_teacher.periods")
                        .hint("list the periods missed, or leave periods out for the whole day"),
                    );
                }
                Some(list.into_iter().collect())
            }
        };
        change.absent_teachers.push((TeacherId::from(t), periods));
    }
    let school = |id: &Spanned<String>, column: &str, diags: &mut Vec<Diagnostic>| {
        let s = position(net.schools.iter().map(|s| &s.id), id.get_ref());
        if s.is_none() {
            diags.push(unknown(
                "school",
                id.get_ref(),
                at(&id.span()),
                column,
                "schools.csv",
            ));
        }
        s.map(SchoolId::from)
    };
    for r in &doc.closed_link {
        let (Some(a), Some(b)) = (
            school(&r.from, "closed_link.from", &mut diags),
            school(&r.to, "closed_link.to", &mut diags),
        ) else {
            continue;
        };
        if !net
            .links
            .iter()
            .any(|l| (l.a, l.b) == (a, b) || (l.a, l.b) == (b, a))
        {
            diags.push(
                Diagnostic::error(
                    UNKNOWN_ID,
                    file,
                    format!(
                        "links.csv has no link between {} and {}",
                        r.from.get_ref(),
                        r.to.get_ref()
                    ),
                )
                .row(at(&r.from.span()))
                .column("closed_link")
                .hint("name two schools that links.csv joins directly (to cut a school off, use [[closed_school]])"),
            );
            continue;
        }
        change.closed_links.push((a.min(b), a.max(b)));
    }
    for r in &doc.closed_room {
        match position(net.rooms.iter().map(|x| &x.id), r.id.get_ref()) {
            Some(x) => change.closed_rooms.push(RoomId::from(x)),
            None => diags.push(unknown(
                "room",
                r.id.get_ref(),
                at(&r.id.span()),
                "closed_room.id",
                "rooms.csv",
            )),
        }
    }
    for r in &doc.closed_school {
        if let Some(s) = school(&r.id, "closed_school.id", &mut diags) {
            change.closed_schools.push(s);
        }
    }
    for r in &doc.broken_vehicle {
        match position(net.vehicles.iter().map(|x| &x.id), r.id.get_ref()) {
            Some(x) => change.broken_vehicles.push(VehicleId::from(x)),
            None => diags.push(unknown(
                "vehicle",
                r.id.get_ref(),
                at(&r.id.span()),
                "broken_vehicle.id",
                "vehicles.csv",
            )),
        }
    }
    for r in &doc.choice_change {
        let line = at(&r.student.span());
        let Some(s) = position(net.students.iter().map(|x| &x.id), r.student.get_ref()) else {
            diags.push(unknown(
                "student",
                r.student.get_ref(),
                line,
                "choice_change.student",
                "students.csv",
            ));
            continue;
        };
        let mut list = Vec::new();
        for c in r.choices.get_ref() {
            match net.course_index(c) {
                Some(ci) if list.contains(&ci) => diags.push(
                    Diagnostic::error(
                        BAD_VALUE,
                        file,
                        format!("student {} lists course {c} twice", r.student.get_ref()),
                    )
                    .row(at(&r.choices.span()))
                    .column("choice_change.choices")
                    .hint("list each course once, most wanted first"),
                ),
                Some(ci) => list.push(ci),
                None => diags.push(unknown(
                    "course",
                    c,
                    at(&r.choices.span()),
                    "choice_change.choices",
                    "courses.csv",
                )),
            }
        }
        change.choice_changes.push((StudentId::from(s), list));
    }
    if diags.is_empty() && change == Change::default() {
        diags.push(
            Diagnostic::error(BAD_VALUE, file, "the change file lists no change")
                .hint("add at least one table of SPEC section 6, e.g. [[absent_teacher]] with id = \"T0003\""),
        );
    }
    if diags.is_empty() {
        Ok(change)
    } else {
        Err(diags)
    }
}

impl Change {
    /// The network as it is under the change: absent teachers lose their periods,
    /// closed rooms every period, closed links are gone, closed schools are cut off
    /// ([`Network::closed`]: roads through them stay open), broken vehicles are gone, changed choices replace the old ones. Ids and
    /// the order of schools, rooms, courses, teachers and students stay as they were.
    pub fn apply(&self, net: &Network) -> Network {
        let mut n = net.clone();
        for (t, periods) in &self.absent_teachers {
            let p = &mut n.teachers[t.idx()].periods;
            match periods {
                None => *p = PeriodSet::default(),
                Some(list) => {
                    for &q in list {
                        p.0 &= !(1u64 << q);
                    }
                }
            }
        }
        for r in &self.closed_rooms {
            n.rooms[r.idx()].periods = PeriodSet::default();
        }
        n.links
            .retain(|l| !self.closed_links.contains(&(l.a.min(l.b), l.a.max(l.b))));
        for &s in &self.closed_schools {
            if !n.closed.contains(&s) {
                n.closed.push(s);
            }
        }
        let broken: BTreeSet<usize> = self.broken_vehicles.iter().map(|v| v.idx()).collect();
        n.vehicles = n
            .vehicles
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !broken.contains(i))
            .map(|(_, v)| v)
            .collect();
        for (s, choices) in &self.choice_changes {
            n.students[s.idx()].choices = choices.clone();
        }
        n
    }
}

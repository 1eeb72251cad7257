//! ics/: the profile day as calendars (RFC 5545), one file per person and per school.
//!
//! ```text
//! ics/students/ID.ics   a student's lessons and journeys (students with a group or a leg)
//! ics/teachers/ID.ics   a teacher's lessons and journeys (teachers with a group)
//! ics/schools/ID.ics    every group held at the school, its students' distance lessons,
//!                       and the journeys to and from it: visitors arriving, its own
//!                       people leaving and coming back (one event per journey)
//! ics/index.csv         kind,id,name,file,events: which file is whose
//! ```
//!
//! Decisions:
//! - Times are *floating* local times (`DTSTART:20260904T090000`, no `TZID`): the
//!   bundle has no time zone, and a lesson at 09:00 is at 09:00 on the wall clock of
//!   whoever opens the calendar in the district. (A `TZID` would need a zone the bundle
//!   does not name; Russia has eleven.)
//! - The output is deterministic: `DTSTAMP` is midnight UTC of the profile day, UIDs
//!   are built from ids only (`20260904-student-P00001-group-G001@profnet`), and events
//!   are sorted by time and UID. The same plan and date give the same bytes, and a
//!   calendar application that imports a re-issued plan updates events in place.
//! - Journeys come from routes.csv; a plan without routes.csv gets the legs profnet
//!   would write for it (without buses).
//! - Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character;
//!   TEXT values escape `\`, `;`, `,` and newlines.
//! - File names keep letters, digits, `-`, `_` and `.` of the id; anything else becomes
//!   `_`, and a name that would clash (also ignoring case) gets `~2`, `~3`, …;
//!   index.csv maps every file back to its id.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use super::{Date, ReportInput};
use crate::lang::Lang;
use crate::model::{Hhmm, Minute, Network};
use crate::plan::{Group, Mode};

/// Writes ics/ into `dir` (created if missing).
pub fn write(input: &ReportInput, dir: &Path) -> anyhow::Result<()> {
    let cals = calendars(input);
    for sub in ["students", "teachers", "schools"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
    }
    let mut names: HashMap<&str, FileNames> = HashMap::new();
    let lang = input.lang;
    let mut index: Vec<Vec<String>> = Vec::new();
    for cal in &cals {
        let file = format!(
            "{}/{}.ics",
            cal.kind.dir(),
            names.entry(cal.kind.dir()).or_default().name(&cal.id)
        );
        let path = dir.join(&file);
        std::fs::write(&path, render(input.date, input.lang, cal))
            .with_context(|| format!("cannot write {}", path.display()))?;
        index.push(vec![
            cal.kind.label(lang).to_string(),
            cal.id.clone(),
            cal.name.clone(),
            file,
            cal.events.len().to_string(),
        ]);
    }
    let header = [
        lang.pick("Чей календарь", "kind"),
        lang.pick("Код", "id"),
        lang.pick("Имя", "name"),
        lang.pick("Файл", "file"),
        lang.pick("Событий", "events"),
    ];
    let path = dir.join("index.csv");
    std::fs::write(&path, super::people_csv(&header, &index))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Whose calendar it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Student,
    Teacher,
    School,
}

impl Owner {
    /// As a person reads it.
    fn label(self, lang: Lang) -> &'static str {
        match self {
            Owner::Student => lang.pick("ученик", "student"),
            Owner::Teacher => lang.pick("учитель", "teacher"),
            Owner::School => lang.pick("школа", "school"),
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Owner::Student => "students",
            Owner::Teacher => "teachers",
            Owner::School => "schools",
        }
    }
}

/// One calendar before it is written out.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub kind: Owner,
    /// The owner's id (student, teacher or school id).
    pub id: String,
    /// The calendar's display name.
    pub name: String,
    /// Sorted by start, end and UID.
    pub events: Vec<Event>,
}

/// One event of the profile day.
#[derive(Clone, Debug)]
pub struct Event {
    /// Unique within all calendars of one plan and date (the `@profnet` is added on
    /// output).
    pub uid: String,
    pub start: Minute,
    pub end: Minute,
    pub summary: String,
    pub location: String,
    pub description: String,
}

/// One leg of routes.csv in the terms the calendars need.
struct LegRow<'a> {
    person: &'a str,
    role: &'a str,
    leg: usize,
    from: &'a str,
    to: &'a str,
    depart: Minute,
    arrive: Minute,
    vehicle: &'a str,
}

/// Every calendar of the plan: students (by students.csv order), then teachers, then
/// schools.
pub fn calendars(input: &ReportInput) -> Vec<Calendar> {
    let net = input.net;
    let plan = &input.disk.plan;
    let lang = input.lang;
    let day = input.date.compact();
    let gids = &input.disk.group_ids;

    // Legs: routes.csv, or what profnet would write without buses.
    let computed;
    let legs: Vec<LegRow> = match &input.disk.routes {
        Some(rows) => rows
            .iter()
            .map(|r| LegRow {
                person: &r.person,
                role: &r.role,
                leg: r.leg,
                from: &r.from,
                to: &r.to,
                depart: r.depart,
                arrive: r.arrive,
                vehicle: &r.vehicle,
            })
            .collect(),
        None => {
            computed = crate::plan::routes::routes(net, input.tt, plan);
            computed
                .iter()
                .flat_map(|r| {
                    r.legs.iter().enumerate().map(move |(i, l)| LegRow {
                        person: &r.person,
                        role: r.role,
                        leg: i + 1,
                        from: &net.schools[l.from.idx()].id,
                        to: &net.schools[l.to.idx()].id,
                        depart: l.depart,
                        arrive: l.arrive,
                        vehicle: l.vehicle.map_or("", |v| net.vehicles[v.idx()].id.as_str()),
                    })
                })
                .collect()
        }
    };
    let mut legs_of: HashMap<(&str, &str), Vec<&LegRow>> = HashMap::new();
    for l in &legs {
        legs_of.entry((l.role, l.person)).or_default().push(l);
    }
    for v in legs_of.values_mut() {
        v.sort_by_key(|l| (l.leg, l.depart));
    }
    let school_name: HashMap<&str, &str> = net
        .schools
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let name_of = |id: &str| -> String {
        school_name
            .get(id)
            .map_or_else(|| id.to_string(), |n| label(n, id))
    };
    let seats: HashMap<&str, u32> = net
        .vehicles
        .iter()
        .map(|v| (v.id.as_str(), v.seats))
        .collect();
    let leg_event = |owner: &str, l: &LegRow| -> Event {
        let (from, to) = (name_of(l.from), name_of(l.to));
        let summary = match (l.vehicle.is_empty(), lang) {
            (false, Lang::Ru) => format!("Автобус {}: {from} → {to}", l.vehicle),
            (false, Lang::En) => format!("Bus {} from {from} to {to}", l.vehicle),
            (true, Lang::Ru) => format!("Переезд: {from} → {to}"),
            (true, Lang::En) => format!("Travel from {from} to {to}"),
        };
        let mut d = Desc::default();
        d.add(
            lang.pick("Отправление", "Departure"),
            format!("{}, {from}", Hhmm(l.depart)),
        );
        d.add(
            lang.pick("Прибытие", "Arrival"),
            format!("{}, {to}", Hhmm(l.arrive)),
        );
        if !l.vehicle.is_empty() {
            let v = match seats.get(l.vehicle) {
                Some(&s) => format!("{} ({})", l.vehicle, count(lang, Noun::Seat, s as usize)),
                None => l.vehicle.to_string(),
            };
            d.add(lang.pick("Транспорт", "Vehicle"), v);
        }
        Event {
            uid: format!("{day}-{owner}-leg-{}", l.leg),
            start: l.depart,
            end: l.arrive,
            summary,
            location: from,
            description: d.0,
        }
    };
    let course_name = |g: &Group| net.courses[g.course.idx()].name.clone();
    let lesson_summary = |g: &Group| format!("{} ({})", course_name(g), mode_label(lang, g.mode));
    let teacher_name = |g: &Group| {
        let t = &net.teachers[g.teacher.idx()];
        label(&t.name, &t.id)
    };
    let room_label = |g: &Group| {
        format!(
            "{}, {}",
            net.rooms[g.room.idx()].id,
            name_of(&net.schools[g.school.idx()].id)
        )
    };

    let mut out = Vec::new();

    // Students.
    let by_student = plan.student_groups(net);
    for (s, st) in net.students.iter().enumerate() {
        let my_legs = legs_of.get(&("student", st.id.as_str()));
        if by_student[s].is_empty() && my_legs.is_none() {
            continue;
        }
        let owner = format!("student-{}", st.id);
        let home = name_of(&net.schools[st.school.idx()].id);
        let mut events = Vec::new();
        for &gi in &by_student[s] {
            let g = &plan.groups[gi];
            let mut d = Desc::default();
            d.add(lang.pick("Учитель", "Teacher"), teacher_name(g));
            match g.mode {
                Mode::InPerson => d.add(lang.pick("Кабинет", "Room"), room_label(g)),
                Mode::Distance => {
                    d.add(
                        lang.pick("Дистанционно", "Distance"),
                        match lang {
                            Lang::Ru => {
                                format!("занятие в своей школе; где учитель: {}", room_label(g))
                            }
                            Lang::En => {
                                format!("at your own school; taught from {}", room_label(g))
                            }
                        },
                    );
                }
            }
            d.add(lang.pick("Группа", "Group"), gids[gi].clone());
            events.push(Event {
                uid: format!("{day}-{owner}-group-{}", gids[gi]),
                start: g.start(net),
                end: g.end(net),
                summary: lesson_summary(g),
                location: match g.mode {
                    Mode::InPerson => name_of(&net.schools[g.school.idx()].id),
                    Mode::Distance => home.clone(),
                },
                description: d.0,
            });
        }
        for l in my_legs.into_iter().flatten() {
            events.push(leg_event(&owner, l));
        }
        out.push(calendar(
            Owner::Student,
            &st.id,
            format!("{} {}", lang.pick("ученик", "student"), st.id),
            events,
        ));
    }

    // Teachers.
    let by_teacher = plan.teacher_groups(net);
    for (t, te) in net.teachers.iter().enumerate() {
        if by_teacher[t].is_empty() {
            continue;
        }
        let owner = format!("teacher-{}", te.id);
        let mut events = Vec::new();
        for &gi in &by_teacher[t] {
            let g = &plan.groups[gi];
            let mut d = Desc::default();
            d.add(lang.pick("Кабинет", "Room"), room_label(g));
            d.add(lang.pick("Группа", "Group"), gids[gi].clone());
            d.add(
                lang.pick("Учеников", "Students"),
                format!(
                    "{} ({})",
                    g.members.len(),
                    homes_breakdown(net, g, &name_of)
                ),
            );
            if g.mode == Mode::Distance {
                d.add(
                    lang.pick("Дистанционно", "Distance"),
                    lang.pick(
                        "ученики подключаются из своих школ",
                        "students join from their own schools",
                    )
                    .to_string(),
                );
            }
            events.push(Event {
                uid: format!("{day}-{owner}-group-{}", gids[gi]),
                start: g.start(net),
                end: g.end(net),
                summary: lesson_summary(g),
                location: name_of(&net.schools[g.school.idx()].id),
                description: d.0,
            });
        }
        for l in legs_of
            .get(&("teacher", te.id.as_str()))
            .into_iter()
            .flatten()
        {
            events.push(leg_event(&owner, l));
        }
        out.push(calendar(
            Owner::Teacher,
            &te.id,
            format!(
                "{} {}",
                lang.pick("учитель", "teacher"),
                label(&te.name, &te.id)
            ),
            events,
        ));
    }

    // Schools.
    let home_of: HashMap<(&str, &str), &str> = net
        .students
        .iter()
        .map(|s| {
            (
                ("student", s.id.as_str()),
                net.schools[s.school.idx()].id.as_str(),
            )
        })
        .chain(net.teachers.iter().map(|t| {
            (
                ("teacher", t.id.as_str()),
                net.schools[t.school.idx()].id.as_str(),
            )
        }))
        .collect();
    let teacher_label: HashMap<&str, String> = net
        .teachers
        .iter()
        .map(|t| (t.id.as_str(), label(&t.name, &t.id)))
        .collect();
    for school in &net.schools {
        let sid = school.id.as_str();
        let owner = format!("school-{sid}");
        let here = name_of(sid);
        let mut events = Vec::new();
        for (gi, g) in plan.groups.iter().enumerate() {
            let host = net.schools[g.school.idx()].id == sid;
            // Distance students sitting at this school (not the host).
            let remote: Vec<&str> = if g.mode == Mode::Distance && !host {
                g.members
                    .iter()
                    .map(|m| &net.students[m.idx()])
                    .filter(|st| net.schools[st.school.idx()].id == sid)
                    .map(|st| st.id.as_str())
                    .collect()
            } else {
                Vec::new()
            };
            if !host && remote.is_empty() {
                continue;
            }
            let mut d = Desc::default();
            d.add(lang.pick("Учитель", "Teacher"), teacher_name(g));
            if host {
                d.add(
                    lang.pick("Кабинет", "Room"),
                    net.rooms[g.room.idx()].id.clone(),
                );
                d.add(
                    lang.pick("Учеников", "Students"),
                    format!(
                        "{} ({})",
                        g.members.len(),
                        homes_breakdown(net, g, &name_of)
                    ),
                );
            } else {
                d.add(
                    lang.pick("Дистанционно", "Distance"),
                    match lang {
                        Lang::Ru => format!(
                            "ученики этой школы занимаются у себя; где учитель: {}",
                            room_label(g)
                        ),
                        Lang::En => format!(
                            "students of this school join from here; taught from {}",
                            room_label(g)
                        ),
                    },
                );
                d.add(
                    &format!("{} ({})", lang.pick("Ученики", "Students"), remote.len()),
                    remote.join(", "),
                );
            }
            d.add(lang.pick("Группа", "Group"), gids[gi].clone());
            events.push(Event {
                uid: format!("{day}-{owner}-group-{}", gids[gi]),
                start: g.start(net),
                end: g.end(net),
                summary: lesson_summary(g),
                location: here.clone(),
                description: d.0,
            });
        }
        // Journeys to and from the school: visitors arriving, the school's own people
        // coming back, and anyone leaving; one event per journey (same times, other
        // end, vehicle and role).
        type Batch<'a> = (Move, Minute, Minute, &'a str, &'a str, &'a str);
        let mut batches: BTreeMap<Batch, Vec<&str>> = BTreeMap::new();
        for l in &legs {
            let own = home_of.get(&(l.role, l.person)).copied() == Some(sid);
            let (mv, other) = if l.to == sid && l.from != sid {
                (if own { Move::Return } else { Move::Arrival }, l.from)
            } else if l.from == sid && l.to != sid {
                (Move::Departure, l.to)
            } else {
                continue;
            };
            batches
                .entry((mv, l.depart, l.arrive, other, l.vehicle, l.role))
                .or_default()
                .push(l.person);
        }
        for ((mv, depart, arrive, other, vehicle, role), mut people) in batches {
            people.sort_unstable();
            people.dedup();
            let other_name = name_of(other);
            let noun = if role == "teacher" {
                Noun::Teacher
            } else {
                Noun::Student
            };
            let who = count(lang, noun, people.len());
            let by = if vehicle.is_empty() {
                String::new()
            } else {
                format!(" ({} {vehicle})", lang.pick("автобус", "bus"))
            };
            let (a, d) = (Hhmm(arrive), Hhmm(depart));
            let summary = match (mv, lang) {
                (Move::Arrival, Lang::Ru) => {
                    format!("Прибытие в {a}: {who}; откуда: {other_name}{by}")
                }
                (Move::Arrival, Lang::En) => {
                    format!("Arrival at {a}: {who} from {other_name}{by}")
                }
                (Move::Return, Lang::Ru) => {
                    format!("Возвращение в {a}: {who}; откуда: {other_name}{by}")
                }
                (Move::Return, Lang::En) => format!("Back at {a}: {who} from {other_name}{by}"),
                (Move::Departure, Lang::Ru) => {
                    format!("Отъезд в {d}: {who}; куда: {other_name}{by}")
                }
                (Move::Departure, Lang::En) => {
                    format!("Departure at {d}: {who} to {other_name}{by}")
                }
            };
            let listed: Vec<String> = people
                .iter()
                .map(|p| match role {
                    "teacher" => teacher_label
                        .get(p)
                        .cloned()
                        .unwrap_or_else(|| p.to_string()),
                    _ => p.to_string(),
                })
                .collect();
            let (from_name, to_name) = match mv {
                Move::Arrival | Move::Return => (other_name.clone(), here.clone()),
                Move::Departure => (here.clone(), other_name.clone()),
            };
            let mut desc = Desc::default();
            desc.add(
                lang.pick("Отправление", "Departure"),
                format!("{d}, {from_name}"),
            );
            desc.add(lang.pick("Прибытие", "Arrival"), format!("{a}, {to_name}"));
            if !vehicle.is_empty() {
                desc.add(lang.pick("Транспорт", "Vehicle"), vehicle.to_string());
            }
            desc.add(
                &format!(
                    "{} ({})",
                    match noun {
                        Noun::Teacher => lang.pick("Учителя", "Teachers"),
                        _ => lang.pick("Ученики", "Students"),
                    },
                    listed.len()
                ),
                listed.join(", "),
            );
            events.push(Event {
                uid: format!(
                    "{day}-{owner}-{}-{:04}-{:04}-{other}-{vehicle}-{role}",
                    mv.as_str(),
                    depart / 60 * 100 + depart % 60,
                    arrive / 60 * 100 + arrive % 60,
                ),
                start: depart,
                end: arrive,
                summary,
                location: here.clone(),
                description: desc.0,
            });
        }
        if events.is_empty() {
            continue;
        }
        out.push(calendar(Owner::School, sid, here.clone(), events));
    }
    out
}

fn calendar(kind: Owner, id: &str, who: String, mut events: Vec<Event>) -> Calendar {
    events.sort_by(|a, b| (a.start, a.end, &a.uid).cmp(&(b.start, b.end, &b.uid)));
    // A UID must not repeat (a routes.csv that numbers two legs alike): later ones get
    // a suffix.
    let mut seen = HashSet::new();
    for e in &mut events {
        let base = e.uid.clone();
        let mut k = 1;
        while !seen.insert(e.uid.clone()) {
            k += 1;
            e.uid = format!("{base}-{k}");
        }
    }
    Calendar {
        kind,
        id: id.to_string(),
        name: who,
        events,
    }
}

fn mode_label(lang: Lang, mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => lang.pick("очно", "in person"),
        Mode::Distance => lang.pick("дистанционно", "distance"),
    }
}

/// `name` (trimmed), or `id` when the name is empty.
fn label(name: &str, id: &str) -> String {
    if name.trim().is_empty() {
        id.trim().to_string()
    } else {
        name.trim().to_string()
    }
}

/// "School 2 — 5, School 3 — 9": members of a group per home school.
fn homes_breakdown(net: &Network, g: &Group, name_of: &dyn Fn(&str) -> String) -> String {
    let mut per: BTreeMap<usize, usize> = BTreeMap::new();
    for m in &g.members {
        *per.entry(net.students[m.idx()].school.idx()).or_default() += 1;
    }
    per.iter()
        .map(|(s, n)| format!("{} — {n}", name_of(&net.schools[*s].id)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A journey seen from a school.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Move {
    /// Someone from elsewhere arrives.
    Arrival,
    /// The school's own student or teacher comes back.
    Return,
    /// Anyone leaves.
    Departure,
}

impl Move {
    fn as_str(self) -> &'static str {
        match self {
            Move::Arrival => "arrival",
            Move::Return => "return",
            Move::Departure => "departure",
        }
    }
}

/// What [`count`] counts.
#[derive(Clone, Copy)]
enum Noun {
    Student,
    Teacher,
    Seat,
}

/// "18 учеников", "1 teacher", "22 места".
fn count(lang: Lang, noun: Noun, n: usize) -> String {
    let (ru, en) = match noun {
        Noun::Student => (["ученик", "ученика", "учеников"], ["student", "students"]),
        Noun::Teacher => (["учитель", "учителя", "учителей"], ["teacher", "teachers"]),
        Noun::Seat => (["место", "места", "мест"], ["seat", "seats"]),
    };
    lang.count(n, ru, en)
}

/// A DESCRIPTION built of `Label: value` lines.
#[derive(Default)]
struct Desc(String);

impl Desc {
    fn add(&mut self, label: &str, value: String) {
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        let _ = write!(self.0, "{label}: {value}");
    }
}

/// The bytes of one calendar file.
pub fn render(date: Date, lang: Lang, cal: &Calendar) -> String {
    let mut out = String::new();
    let mut line = |name: &str, value: &str| fold_into(&mut out, &format!("{name}:{value}"));
    let lang_tag = lang.pick("RU", "EN");
    line("BEGIN", "VCALENDAR");
    line("VERSION", "2.0");
    line("PRODID", &format!("-//profnet//profile day//{lang_tag}"));
    line("CALSCALE", "GREGORIAN");
    line("METHOD", "PUBLISH");
    line(
        "X-WR-CALNAME",
        &escape_text(&format!(
            "{} {date}: {}",
            lang.pick("Профильный день", "Profile day"),
            cal.name
        )),
    );
    let stamp = format!("{}T000000Z", date.compact());
    for e in &cal.events {
        line("BEGIN", "VEVENT");
        line("UID", &escape_text(&format!("{}@profnet", e.uid)));
        line("DTSTAMP", &stamp);
        line("DTSTART", &local_time(date, e.start));
        line("DTEND", &local_time(date, e.end.max(e.start)));
        line("SUMMARY", &escape_text(&e.summary));
        if !e.location.is_empty() {
            line("LOCATION", &escape_text(&e.location));
        }
        if !e.description.is_empty() {
            line("DESCRIPTION", &escape_text(&e.description));
        }
        line("END", "VEVENT");
    }
    line("END", "VCALENDAR");
    out
}

/// A floating local DATE-TIME `YYYYMMDDTHHMMSS` at `minute` of `date` (minutes past
/// midnight roll over into the next days).
fn local_time(date: Date, minute: Minute) -> String {
    let day = Date::from_days(days_from_civil(date) + i64::from(minute / 1440));
    let m = minute % 1440;
    format!("{}T{:02}{:02}00", day.compact(), m / 60, m % 60)
}

/// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
fn days_from_civil(d: Date) -> i64 {
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(d.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\` `;` `,` and newlines; other control
/// characters are dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (RFC 5545 §3.1): continuation lines start with
/// one space, a UTF-8 character is never split, and every line ends in CRLF. A fold is
/// put between two non-blank characters and not inside an escape (`\,`) where the line
/// allows, because some readers trim the blanks at either end of a physical line or
/// unescape before they unfold.
pub fn fold_into(out: &mut String, line: &str) {
    let chars: Vec<char> = line.chars().collect();
    let blank = |c: char| c == ' ' || c == '\t';
    let mut start = 0;
    loop {
        // The first physical line holds 75 octets, the others 74 after their space.
        let limit = if start == 0 { 75 } else { 74 };
        let mut end = start;
        let mut used = 0;
        while end < chars.len() && used + chars[end].len_utf8() <= limit {
            used += chars[end].len_utf8();
            end += 1;
        }
        if end < chars.len() {
            let mut b = end;
            let bad = |b: usize| blank(chars[b - 1]) || blank(chars[b]) || chars[b - 1] == '\\';
            while b > start + 1 && bad(b) {
                b -= 1;
            }
            if !bad(b) {
                end = b;
            }
        }
        if start > 0 {
            out.push(' ');
        }
        out.extend(&chars[start..end]);
        out.push_str("\r\n");
        if end >= chars.len() {
            break;
        }
        start = end;
    }
}

/// File names for ids, unique within one directory (also ignoring case).
#[derive(Default)]
struct FileNames {
    taken: HashSet<String>,
}

impl FileNames {
    fn name(&mut self, id: &str) -> String {
        let base = safe_file_stem(id);
        let mut name = base.clone();
        let mut k = 1;
        while !self.taken.insert(name.to_lowercase()) {
            k += 1;
            name = format!("{base}~{k}");
        }
        name
    }
}

/// The id with anything but letters, digits, `-`, `_` and `.` replaced by `_`; never
/// empty, never starting with a dot, never a reserved Windows device name.
pub fn safe_file_stem(id: &str) -> String {
    let mut s: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '_');
    }
    let upper = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        s.insert(0, '_');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "Физика, ".repeat(20));
        fold_into(&mut out, &long);
        assert!(out.ends_with("\r\n"));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
        let mut short = String::new();
        fold_into(&mut short, "VERSION:2.0");
        assert_eq!(short, "VERSION:2.0\r\n");
    }

    #[test]
    fn folds_fall_between_non_blank_characters() {
        let mut out = String::new();
        let long = format!("LOCATION:{}", "ресурсный центр ".repeat(8).trim_end());
        fold_into(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75);
            assert!(!l.ends_with(' '), "{l:?}");
        }
        for l in out.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            assert!(!l[1..].starts_with(' '), "{l:?}");
        }
        let mut escaped = String::new();
        let text = format!("DESCRIPTION:{}", escape_text(&"P00057, ".repeat(30)));
        fold_into(&mut escaped, &text);
        for l in escaped.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(!l.ends_with('\\'), "{l:?}");
        }
        assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), long);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\u{7}"),
            "a\\\\b\\;c\\,d\\ne\\nf"
        );
    }

    #[test]
    fn file_names_are_safe_and_unique() {
        let mut n = FileNames::default();
        assert_eq!(n.name("P00001"), "P00001");
        assert_eq!(n.name("p00001"), "p00001~2");
        assert_eq!(n.name("a/b c"), "a_b_c");
        assert_eq!(n.name("a:b?c"), "a_b_c~2");
        assert_eq!(n.name(".."), "_..");
        assert_eq!(n.name(""), "_");
        assert_eq!(n.name("CON"), "_CON");
        assert_eq!(n.name("Ученик-1"), "Ученик-1");
    }

    #[test]
    fn local_times_are_floating_and_roll_over() {
        let d = Date::parse("2026-02-28").unwrap();
        assert_eq!(local_time(d, 9 * 60 + 5), "20260228T090500");
        assert_eq!(local_time(d, 24 * 60 + 30), "20260301T003000");
        assert_eq!(days_from_civil(Date::from_days(20_415)), 20_415);
    }

    #[test]
    fn russian_plurals() {
        assert_eq!(count(Lang::Ru, Noun::Student, 1), "1 ученик");
        assert_eq!(count(Lang::Ru, Noun::Student, 3), "3 ученика");
        assert_eq!(count(Lang::Ru, Noun::Student, 12), "12 учеников");
        assert_eq!(count(Lang::Ru, Noun::Teacher, 21), "21 учитель");
        assert_eq!(count(Lang::Ru, Noun::Seat, 22), "22 места");
        assert_eq!(count(Lang::En, Noun::Teacher, 2), "2 teachers");
        assert_eq!(count(Lang::En, Noun::Seat, 1), "1 seat");
    }
}

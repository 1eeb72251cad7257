//! Why a choice was not granted, in a language-neutral form: a reason code with its
//! figures ([`Reason`]), rendered in Russian or English by one catalogue
//! ([`Reason::text`]).
//!
//! unserved.csv keeps the English text of SPEC §2 in `reason` and carries the same
//! reason as `code` plus `figures` (a JSON object), so every report can render it in
//! the reader's language without parsing English back.

use serde::{Deserialize, Serialize};

use crate::lang::{kind_label, Lang};

/// One of a student's granted alternates: (course id, rank of the choice).
pub type Alternate = (String, usize);

/// Why a choice within a student's first `wants` was not granted. Ids (courses,
/// schools, rooms, teachers) are kept as the bundle spells them; times as `HH:MM`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The course's `grades` do not admit the student's grade.
    GradeNotAdmitted {
        course: String,
        grades: String,
        grade: String,
    },
    /// Nobody in the network can teach the course.
    NoTeacher { course: String },
    /// No room of the course's kind anywhere.
    NoRoomKind { kind: String, course: String },
    /// Fewer students within reach than the course's minimum.
    FewWithinReach { requesters: usize, min: u32 },
    /// Enough students, but no `min` of them fit one time and place with a teacher and
    /// a room.
    NoMeeting {
        requesters: usize,
        min: u32,
        teachers: Vec<String>,
        kind: String,
    },
    /// The open groups were filled by others.
    GroupsFilled { course: String },
    /// A granted (or higher-ranked) choice runs at the same time.
    Clash {
        higher: bool,
        other: String,
        other_first: usize,
        other_len: usize,
        course: String,
        first: usize,
        len: usize,
    },
    /// Two groups at different schools too close in time for the road between them.
    NoTimeToTravel {
        other: String,
        other_school: String,
        course: String,
        school: String,
    },
    /// The road to the group's school is too long for the day.
    TravelTooLong {
        from: String,
        to: String,
        minutes: u32,
        start: String,
        day_start: String,
        day_end: String,
    },
    /// No road at all.
    Unreachable { host: String, from: String },
    /// Every open group is full.
    AllFull { groups: usize, course: String },
    /// Placed in alternates because of `why`.
    AlternateBecause {
        why: Box<Reason>,
        alternates: Vec<Alternate>,
    },
    /// Placed in alternates: the alternate's group needs the student for its minimum.
    AlternateKeepsMinimum {
        alternates: Vec<Alternate>,
        min: u32,
    },
    /// Placed in alternates: moving the student would cost another placement.
    AlternateCostsPlacement { alternates: Vec<Alternate> },
    /// No seat on a bus for a leg.
    NoBusSeat {
        from: String,
        to: String,
        ready: String,
        due: String,
        seats: usize,
    },
    /// The group closed once the students without a bus seat were gone.
    BusGroupClosed { school: String, min: usize },
    /// The buses could not carry the student everywhere; then `then`.
    Homebound { then: Box<Reason> },
    /// A re-plan: the course is no longer chosen.
    NoLongerChosen,
    /// A re-plan: the group's room closed, no other free.
    RoomClosed { room: String, school: String },
    /// A re-plan: the group's teacher is absent, nobody else free.
    TeacherAbsent { teacher: String },
    /// A re-plan: the teacher can no longer travel there and back.
    TeacherCannotTravel { teacher: String, school: String },
    /// A re-plan: the road between home and the group's school is closed.
    WayClosed { from: String, to: String },
    /// A re-plan: too few of the group's students can still come.
    ChangeGroupClosed {
        school: String,
        have: usize,
        min: usize,
    },
}

fn periods_label(lang: Lang, first: usize, len: usize) -> String {
    match (lang, len) {
        (Lang::En, 1) => format!("period {}", first + 1),
        (Lang::En, _) => format!("periods {}-{}", first + 1, first + len),
        (Lang::Ru, 1) => format!("урок {}", first + 1),
        (Lang::Ru, _) => format!("уроки {}–{}", first + 1, first + len),
    }
}

fn alternates_label(lang: Lang, alts: &[Alternate]) -> String {
    alts.iter()
        .map(|(c, r)| format!("{c} ({} {r})", lang.pick("выбор", "choice")))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Reason {
    /// The stable code (the `code` column of unserved.csv).
    pub fn code(&self) -> String {
        self.split().0
    }

    /// The figures besides the code, as a JSON object (the `figures` column).
    pub fn figures(&self) -> String {
        self.split().1
    }

    fn split(&self) -> (String, String) {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        let code = v
            .as_object_mut()
            .and_then(|o| o.remove("code"))
            .and_then(|c| c.as_str().map(str::to_string))
            .unwrap_or_default();
        (code, v.to_string())
    }

    /// The reason written as `code` and `figures` (unserved.csv); `None` when they do not
    /// spell one (an older plan, a hand-edited file).
    pub fn parse(code: &str, figures: &str) -> Option<Reason> {
        let code = code.trim();
        if code.is_empty() {
            return None;
        }
        let mut v: serde_json::Value = if figures.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(figures).ok()?
        };
        v.as_object_mut()?
            .insert("code".into(), serde_json::Value::String(code.into()));
        serde_json::from_value(v).ok()
    }

    /// The reason in `lang`: the catalogue. English is the text of SPEC §2 as unserved.csv
    /// has always written it.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Ru => self.ru(),
        }
    }

    fn en(&self) -> String {
        use Reason::*;
        let en = Lang::En;
        match self {
            GradeNotAdmitted {
                course,
                grades,
                grade,
            } => format!("{course} admits grade(s) {grades} only; the student is in grade {grade}"),
            NoTeacher { course } => format!("no teacher in the network can teach {course}"),
            NoRoomKind { kind, course } => {
                format!("no room of kind '{kind}' in the network for {course}")
            }
            FewWithinReach { requesters, min } => {
                format!("only {requesters} students within reach chose it; minimum is {min}")
            }
            NoMeeting {
                requesters,
                min,
                teachers,
                kind,
            } => format!(
                "no group opened: {requesters} students chose it but no {min} of them could meet \
                 at one time and place with a free qualified teacher ({}) and a free room of \
                 kind '{kind}'",
                teachers.join(" ")
            ),
            GroupsFilled { course } => format!(
                "not placed: the open group(s) of {course} were filled by other students"
            ),
            Clash {
                higher,
                other,
                other_first,
                other_len,
                course,
                first,
                len,
            } => format!(
                "clashes with {} choice {other} ({}); {course} runs in {}",
                if *higher { "higher-ranked" } else { "granted" },
                periods_label(en, *other_first, *other_len),
                periods_label(en, *first, *len)
            ),
            NoTimeToTravel {
                other,
                other_school,
                course,
                school,
            } => format!(
                "no time to travel between {other} at {other_school} and {course} at {school}"
            ),
            TravelTooLong {
                from,
                to,
                minutes,
                start,
                day_start,
                day_end,
            } => format!(
                "travel from {from} to {to} takes {minutes} min; the group starts at {start} and the day runs {day_start}-{day_end}"
            ),
            Unreachable { host, from } => {
                format!("{host} cannot be reached from {from} (no road link)")
            }
            AllFull { groups, course } => {
                format!("all {groups} open group(s) of {course} are full")
            }
            AlternateBecause { why, alternates } => format!(
                "{}; placed in alternate {} instead",
                why.en(),
                alternates_label(en, alternates)
            ),
            AlternateKeepsMinimum { alternates, min } => format!(
                "placed in alternate {} instead: that group needs this student to keep its minimum of {min}",
                alternates_label(en, alternates)
            ),
            AlternateCostsPlacement { alternates } => format!(
                "placed in alternate {} instead: moving the student would cost another student's placement",
                alternates_label(en, alternates)
            ),
            NoBusSeat {
                from,
                to,
                ready,
                due,
                seats,
            } => format!(
                "no seat on a bus from {from} to {to} between {ready} and {due} ({seats} students lack seats; see shortages.csv)"
            ),
            BusGroupClosed { school, min } => format!(
                "its group at {school} closed: with the students who had no bus seat gone, fewer than {min} were left"
            ),
            Homebound { then } => format!(
                "the buses could not carry this student to every school their choices run at (see shortages.csv); {}",
                then.en()
            ),
            NoLongerChosen => "no longer among the student's choices".into(),
            RoomClosed { room, school } => format!(
                "its room {room} is closed and no other room of its kind at {school} is free in its periods"
            ),
            TeacherAbsent { teacher } => format!(
                "its teacher {teacher} is absent and no other qualified teacher is free in its periods"
            ),
            TeacherCannotTravel { teacher, school } => format!(
                "its teacher {teacher} can no longer travel to {school} and back, and nobody else can take it"
            ),
            WayClosed { from, to } => {
                format!("the way between {from} and {to} is closed under the change")
            }
            ChangeGroupClosed { school, have, min } => format!(
                "its group at {school} closed: only {have} of its students could still come; minimum is {min}"
            ),
        }
    }

    fn ru(&self) -> String {
        use Reason::*;
        let ru = Lang::Ru;
        match self {
            GradeNotAdmitted {
                course,
                grades,
                grade,
            } => format!(
                "курс {course} открыт только для классов: {grades}; класс ученика: {grade}"
            ),
            NoTeacher { course } => format!("в сети нет учителя, который может вести курс {course}"),
            NoRoomKind { kind, course } => format!(
                "для курса {course} в сети нет помещения типа «{}»",
                kind_label(kind, ru)
            ),
            FewWithinReach { requesters, min } => format!(
                "выбрали курс и могут до него добраться: {requesters} уч.; минимум группы: {min}"
            ),
            NoMeeting {
                requesters,
                min,
                teachers,
                kind,
            } => format!(
                "группа не открыта: курс выбрали {requesters} уч., но никакие {min} из них не могут \
                 собраться в одно время в одном месте со свободным учителем ({}) и свободным \
                 помещением типа «{}»",
                teachers.join(" "),
                kind_label(kind, ru)
            ),
            GroupsFilled { course } => format!(
                "не зачислен: открытые группы курса {course} заполнены другими учениками"
            ),
            Clash {
                higher,
                other,
                other_first,
                other_len,
                course,
                first,
                len,
            } => format!(
                "совпадает по времени с {} выбором {other} ({}); курс {course}: {}",
                if *higher {
                    "более приоритетным"
                } else {
                    "уже полученным"
                },
                periods_label(ru, *other_first, *other_len),
                periods_label(ru, *first, *len)
            ),
            NoTimeToTravel {
                other,
                other_school,
                course,
                school,
            } => format!(
                "не хватает времени на дорогу между курсом {other} (школа {other_school}) и курсом {course} (школа {school})"
            ),
            TravelTooLong {
                from,
                to,
                minutes,
                start,
                day_start,
                day_end,
            } => format!(
                "дорога {from} → {to} занимает {minutes} мин; группа начинается в {start}, учебный день {day_start}–{day_end}"
            ),
            Unreachable { host, from } => {
                format!("нет дороги {from} → {host}")
            }
            AllFull { groups, course } => {
                format!("все открытые группы курса {course} заполнены (групп: {groups})")
            }
            AlternateBecause { why, alternates } => format!(
                "{}; вместо этого зачислен на запасной курс {}",
                why.ru(),
                alternates_label(ru, alternates)
            ),
            AlternateKeepsMinimum { alternates, min } => format!(
                "зачислен на запасной курс {}: без этого ученика в той группе будет меньше минимума ({min})",
                alternates_label(ru, alternates)
            ),
            AlternateCostsPlacement { alternates } => format!(
                "зачислен на запасной курс {}: перевод ученика лишил бы места другого ученика",
                alternates_label(ru, alternates)
            ),
            NoBusSeat {
                from,
                to,
                ready,
                due,
                seats,
            } => format!(
                "нет места в автобусе {from} → {to} между {ready} и {due} (не хватает мест: {seats}; см. shortages.csv)"
            ),
            BusGroupClosed { school, min } => format!(
                "группа (школа {school}) закрыта: без учеников, которым не хватило мест в автобусе, осталось меньше {min}"
            ),
            Homebound { then } => format!(
                "автобусы не могут довезти ученика до всех школ, где идут его курсы (см. shortages.csv); {}",
                then.ru()
            ),
            NoLongerChosen => "курс больше не входит в выбор ученика".into(),
            RoomClosed { room, school } => format!(
                "помещение {room} закрыто, а другого подходящего помещения (школа {school}) в эти уроки нет"
            ),
            TeacherAbsent { teacher } => format!(
                "учитель {teacher} отсутствует, а другого свободного учителя этого курса в эти уроки нет"
            ),
            TeacherCannotTravel { teacher, school } => format!(
                "учитель {teacher} больше не успевает доехать (школа {school}) и вернуться, а заменить некому"
            ),
            WayClosed { from, to } => {
                format!("дорога {from} — {to} закрыта по изменению")
            }
            ChangeGroupClosed { school, have, min } => format!(
                "группа (школа {school}) закрыта: прийти смогут учеников: {have}; минимум: {min}"
            ),
        }
    }
}

/// What an id in a reason names (for [`Reason::text_named`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    Course,
    School,
    Teacher,
}

impl Reason {
    /// The reason in `lang` with its ids replaced by what `label` makes of them (a
    /// person's name with the id in brackets, say): for messages to people.
    pub fn text_named(&self, lang: Lang, label: &dyn Fn(Named, &str) -> String) -> String {
        self.named(label).text(lang)
    }

    fn named(&self, f: &dyn Fn(Named, &str) -> String) -> Reason {
        use Named::*;
        use Reason::*;
        let c = |s: &String| f(Course, s);
        let sc = |s: &String| f(School, s);
        let t = |s: &String| f(Teacher, s);
        let alts = |a: &[Alternate]| a.iter().map(|(x, r)| (c(x), *r)).collect();
        match self.clone() {
            GradeNotAdmitted {
                course,
                grades,
                grade,
            } => GradeNotAdmitted {
                course: c(&course),
                grades,
                grade,
            },
            NoTeacher { course } => NoTeacher { course: c(&course) },
            NoRoomKind { kind, course } => NoRoomKind {
                kind,
                course: c(&course),
            },
            NoMeeting {
                requesters,
                min,
                teachers,
                kind,
            } => NoMeeting {
                requesters,
                min,
                teachers: teachers.iter().map(t).collect(),
                kind,
            },
            GroupsFilled { course } => GroupsFilled { course: c(&course) },
            Clash {
                higher,
                other,
                other_first,
                other_len,
                course,
                first,
                len,
            } => Clash {
                higher,
                other: c(&other),
                other_first,
                other_len,
                course: c(&course),
                first,
                len,
            },
            NoTimeToTravel {
                other,
                other_school,
                course,
                school,
            } => NoTimeToTravel {
                other: c(&other),
                other_school: sc(&other_school),
                course: c(&course),
                school: sc(&school),
            },
            TravelTooLong {
                from,
                to,
                minutes,
                start,
                day_start,
                day_end,
            } => TravelTooLong {
                from: sc(&from),
                to: sc(&to),
                minutes,
                start,
                day_start,
                day_end,
            },
            Unreachable { host, from } => Unreachable {
                host: sc(&host),
                from: sc(&from),
            },
            AllFull { groups, course } => AllFull {
                groups,
                course: c(&course),
            },
            AlternateBecause { why, alternates } => AlternateBecause {
                why: Box::new(why.named(f)),
                alternates: alts(&alternates),
            },
            AlternateKeepsMinimum { alternates, min } => AlternateKeepsMinimum {
                alternates: alts(&alternates),
                min,
            },
            AlternateCostsPlacement { alternates } => AlternateCostsPlacement {
                alternates: alts(&alternates),
            },
            NoBusSeat {
                from,
                to,
                ready,
                due,
                seats,
            } => NoBusSeat {
                from: sc(&from),
                to: sc(&to),
                ready,
                due,
                seats,
            },
            BusGroupClosed { school, min } => BusGroupClosed {
                school: sc(&school),
                min,
            },
            Homebound { then } => Homebound {
                then: Box::new(then.named(f)),
            },
            r @ (NoLongerChosen | FewWithinReach { .. }) => r,
            RoomClosed { room, school } => RoomClosed {
                room,
                school: sc(&school),
            },
            TeacherAbsent { teacher } => TeacherAbsent {
                teacher: t(&teacher),
            },
            TeacherCannotTravel { teacher, school } => TeacherCannotTravel {
                teacher: t(&teacher),
                school: sc(&school),
            },
            WayClosed { from, to } => WayClosed {
                from: sc(&from),
                to: sc(&to),
            },
            ChangeGroupClosed { school, have, min } => ChangeGroupClosed {
                school: sc(&school),
                have,
                min,
            },
        }
    }
}

impl std::fmt::Display for Reason {
    /// The English text of SPEC §2.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_round_trips_through_its_code_and_figures() {
        let r = Reason::AlternateBecause {
            why: Box::new(Reason::Clash {
                higher: true,
                other: "PHYS".into(),
                other_first: 2,
                other_len: 2,
                course: "INF".into(),
                first: 3,
                len: 1,
            }),
            alternates: vec![("CHEM".into(), 3)],
        };
        assert_eq!(r.code(), "alternate_because");
        assert_eq!(Reason::parse(&r.code(), &r.figures()), Some(r.clone()));
        assert_eq!(
            r.to_string(),
            "clashes with higher-ranked choice PHYS (periods 3-4); INF runs in period 4; \
             placed in alternate CHEM (choice 3) instead"
        );
        assert_eq!(
            r.text(Lang::Ru),
            "совпадает по времени с более приоритетным выбором PHYS (уроки 3–4); курс INF: \
             урок 4; вместо этого зачислен на запасной курс CHEM (выбор 3)"
        );
        assert_eq!(Reason::parse("no_such_code", "{}"), None);
        assert_eq!(Reason::parse("", ""), None);
        assert_eq!(
            Reason::parse("no_longer_chosen", ""),
            Some(Reason::NoLongerChosen)
        );
    }
}

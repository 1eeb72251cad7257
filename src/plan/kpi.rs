//! The figures of SPEC §4: computed once per plan ([`compute`]), and described once
//! ([`CATALOGUE`]: key, Russian and English label, unit, which way is better). Every
//! writer (summary.json, the comparison, the workbook, the page) walks the catalogue,
//! so a new figure is one field, one line of [`compute`] and one catalogue row.
//!
//! A plan's travel minutes are those of its legs as routes.csv writes them, bus times
//! included: a solve counts them from the routes it writes, a report from the routes it
//! reads back ([`crate::planfile::read::PlanOnDisk::kpis`]), so both give the same
//! figures.

use serde::Serialize;

use crate::lang::Lang;
use crate::model::Network;
use crate::plan::{Mode, Plan};

/// The figures of SPEC §4 (summary.json `kpis`; the field names are the keys).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Kpis {
    pub placements: usize,
    pub requested: usize,
    pub placement_rate: f64,
    pub first_choice_rate: f64,
    pub rank_sum: usize,
    pub student_travel_minutes: u64,
    pub teacher_travel_minutes: u64,
    pub groups: usize,
    pub distance_groups: usize,
    pub vehicles_used: usize,
    pub vehicle_minutes: u64,
    pub schools_involved_share: f64,
    pub teachers_involved_share: f64,
    pub worst_school_placement_rate: f64,
    /// The school with the lowest placement rate.
    pub worst_school: Option<String>,
    pub unserved: usize,
}

/// What a plan's people and vehicles travel, as its route and trip files say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Travel {
    pub student_minutes: u64,
    pub teacher_minutes: u64,
    /// Vehicles with at least one trip.
    pub vehicles_used: usize,
    /// Sum over trips of the last stop's arrival minus the first stop's departure.
    pub vehicle_minutes: u64,
}

impl Travel {
    /// The student and teacher minutes of legs given as (role, minutes), the roles of
    /// routes.csv (`student`, `teacher`); no vehicle figures.
    pub fn of_legs<'r>(legs: impl Iterator<Item = (&'r str, u64)>) -> Travel {
        let mut t = Travel::default();
        for (role, minutes) in legs {
            match role {
                "student" => t.student_minutes += minutes,
                "teacher" => t.teacher_minutes += minutes,
                _ => {}
            }
        }
        t
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// The SPEC §4 figures of `plan`, whose legs and trips travel `travel`.
pub fn compute(net: &Network, plan: &Plan, travel: Travel) -> Kpis {
    let by_student = plan.student_groups(net);
    let placements = plan.placements();
    let requested: usize = net.students.iter().map(|s| s.requested()).sum();
    let mut first_ok = 0;
    let mut with_choices = 0;
    // First-`wants` choices not granted: the rows of unserved.csv, counted without
    // working out their reasons.
    let mut not_granted = 0;
    let mut per_school = vec![(0usize, 0usize); net.schools.len()];
    for (s, st) in net.students.iter().enumerate() {
        let granted: Vec<_> = by_student[s]
            .iter()
            .map(|&g| plan.groups[g].course)
            .collect();
        per_school[st.school.idx()].0 += granted.len();
        per_school[st.school.idx()].1 += st.requested();
        let missing = st.choices[..st.requested()]
            .iter()
            .filter(|c| !granted.contains(c))
            .count();
        not_granted += missing;
        if st.requested() > 0 {
            with_choices += 1;
            if missing == 0 {
                first_ok += 1;
            }
        }
    }
    let mut involved = vec![false; net.schools.len()];
    let mut teachers_with_group = vec![false; net.teachers.len()];
    for g in &plan.groups {
        teachers_with_group[g.teacher.idx()] = true;
        let t = &net.teachers[g.teacher.idx()];
        if t.school != g.school {
            involved[t.school.idx()] = true;
            involved[g.school.idx()] = true;
        }
        if g.mode == Mode::InPerson {
            for s in &g.members {
                let home = net.students[s.idx()].school;
                if home != g.school {
                    involved[home.idx()] = true;
                    involved[g.school.idx()] = true;
                }
            }
        }
    }
    let worst = per_school
        .iter()
        .enumerate()
        .filter(|(_, (_, r))| *r > 0)
        .map(|(i, (p, r))| (ratio(*p, *r), i))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let count = |v: &[bool]| v.iter().filter(|&&b| b).count();
    Kpis {
        placements,
        requested,
        placement_rate: ratio(placements, requested),
        first_choice_rate: ratio(first_ok, with_choices),
        rank_sum: plan.rank_sum(net),
        student_travel_minutes: travel.student_minutes,
        teacher_travel_minutes: travel.teacher_minutes,
        groups: plan.groups.len(),
        distance_groups: plan
            .groups
            .iter()
            .filter(|g| g.mode == Mode::Distance)
            .count(),
        vehicles_used: travel.vehicles_used,
        vehicle_minutes: travel.vehicle_minutes,
        schools_involved_share: ratio(count(&involved), net.schools.len()),
        teachers_involved_share: ratio(count(&teachers_with_group), net.teachers.len()),
        worst_school_placement_rate: worst.map_or(1.0, |w| w.0),
        worst_school: worst.map(|w| net.schools[w.1].id.clone()),
        unserved: not_granted,
    }
}

/// How a figure is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A whole number of things (placements, groups, vehicles).
    Count,
    /// A share in 0..=1, shown as a percentage.
    Share,
    Minutes,
    /// A school's id.
    School,
}

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither (counts such as groups).
    Neutral,
}

/// A figure's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'k> {
    Number(f64),
    Text(Option<&'k str>),
}

impl Value<'_> {
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(*v),
            Value::Text(_) => None,
        }
    }
}

/// One figure of SPEC §4.
pub struct Kpi {
    /// Its key in summary.json and comparison.csv.
    pub key: &'static str,
    pub ru: &'static str,
    pub en: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// Only meaningful when the network has vehicles.
    pub fleet: bool,
    pub value: for<'k> fn(&'k Kpis) -> Value<'k>,
}

impl Kpi {
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.ru, self.en)
    }

    /// The value as a number (`None` for a school).
    pub fn number(&self, k: &Kpis) -> Option<f64> {
        (self.value)(k).number()
    }

    /// The value as a person reads it: counts and minutes whole, shares in per cent
    /// (one decimal, a decimal comma in Russian), a school by its id (`-` for none).
    pub fn show(&self, k: &Kpis, lang: Lang) -> String {
        match ((self.value)(k), self.unit) {
            (Value::Number(v), Unit::Share) => percent(v, lang),
            (Value::Number(v), _) => format!("{v:.0}"),
            (Value::Text(t), _) => t.unwrap_or("-").to_string(),
        }
    }
}

/// `0.784` as `78.4%` (English) or `78,4%` (Russian).
pub fn percent(v: f64, lang: Lang) -> String {
    let s = format!("{:.1}%", 100.0 * v);
    match lang {
        Lang::En => s,
        Lang::Ru => s.replace('.', ","),
    }
}

macro_rules! kpi {
    ($key:ident, $ru:literal, $en:literal, $unit:ident, $better:ident, $fleet:literal, $v:expr) => {
        Kpi {
            key: stringify!($key),
            ru: $ru,
            en: $en,
            unit: Unit::$unit,
            better: Better::$better,
            fleet: $fleet,
            value: $v,
        }
    };
}

fn num(v: impl Into<f64>) -> Value<'static> {
    Value::Number(v.into())
}

/// Every figure of SPEC §4, in the order writers show them.
pub const CATALOGUE: &[Kpi] = &[
    kpi!(
        placements,
        "Зачислено на курсы",
        "Placements",
        Count,
        Higher,
        false,
        |k| num(k.placements as f64)
    ),
    kpi!(
        requested,
        "Запрошено выборов",
        "Choices requested",
        Count,
        Neutral,
        false,
        |k| num(k.requested as f64)
    ),
    kpi!(
        placement_rate,
        "Доля удовлетворённых выборов",
        "Placement rate",
        Share,
        Higher,
        false,
        |k| num(k.placement_rate)
    ),
    kpi!(
        first_choice_rate,
        "Доля учащихся, получивших все первые выборы",
        "First-choice rate",
        Share,
        Higher,
        false,
        |k| num(k.first_choice_rate)
    ),
    kpi!(
        worst_school_placement_rate,
        "Доля удовлетворённых выборов в худшей школе",
        "Worst school's placement rate",
        Share,
        Higher,
        false,
        |k| num(k.worst_school_placement_rate)
    ),
    kpi!(
        worst_school,
        "Школа с худшей долей",
        "Worst school",
        School,
        Neutral,
        false,
        |k| Value::Text(k.worst_school.as_deref())
    ),
    kpi!(
        unserved,
        "Неудовлетворённые выборы",
        "Unserved choices",
        Count,
        Lower,
        false,
        |k| num(k.unserved as f64)
    ),
    kpi!(
        rank_sum,
        "Сумма рангов выборов",
        "Rank sum",
        Count,
        Lower,
        false,
        |k| num(k.rank_sum as f64)
    ),
    kpi!(
        student_travel_minutes,
        "Время в пути учащихся, мин",
        "Student travel, min",
        Minutes,
        Lower,
        false,
        |k| num(k.student_travel_minutes as f64)
    ),
    kpi!(
        teacher_travel_minutes,
        "Время в пути учителей, мин",
        "Teacher travel, min",
        Minutes,
        Lower,
        false,
        |k| num(k.teacher_travel_minutes as f64)
    ),
    kpi!(
        groups,
        "Групп открыто",
        "Groups",
        Count,
        Neutral,
        false,
        |k| num(k.groups as f64)
    ),
    kpi!(
        distance_groups,
        "Из них дистанционных",
        "Distance groups",
        Count,
        Neutral,
        false,
        |k| num(k.distance_groups as f64)
    ),
    kpi!(
        vehicles_used,
        "Автобусов задействовано",
        "Vehicles used",
        Count,
        Lower,
        true,
        |k| num(k.vehicles_used as f64)
    ),
    kpi!(
        vehicle_minutes,
        "Работа автобусов, мин",
        "Vehicle minutes",
        Minutes,
        Lower,
        true,
        |k| num(k.vehicle_minutes as f64)
    ),
    kpi!(
        schools_involved_share,
        "Доля школ в сетевом обмене",
        "Schools involved",
        Share,
        Neutral,
        false,
        |k| num(k.schools_involved_share)
    ),
    kpi!(
        teachers_involved_share,
        "Доля учителей с группами",
        "Teachers involved",
        Share,
        Neutral,
        false,
        |k| num(k.teachers_involved_share)
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue lists every field of [`Kpis`] once, under its summary.json key.
    #[test]
    fn the_catalogue_has_every_figure_once() {
        let json = serde_json::to_value(Kpis::default()).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut keys: Vec<&str> = CATALOGUE.iter().map(|k| k.key).collect();
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn values_follow_their_fields() {
        let k = Kpis {
            placements: 7,
            first_choice_rate: 0.25,
            worst_school: Some("S1".into()),
            ..Kpis::default()
        };
        let find = |key: &str| CATALOGUE.iter().find(|c| c.key == key).unwrap();
        assert_eq!(find("placements").number(&k), Some(7.0));
        assert_eq!(find("first_choice_rate").show(&k, Lang::En), "25.0%");
        assert_eq!(find("first_choice_rate").show(&k, Lang::Ru), "25,0%");
        assert_eq!(find("worst_school").show(&k, Lang::Ru), "S1");
        assert_eq!(find("worst_school").number(&k), None);
    }
}

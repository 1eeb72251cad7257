//! A network before any plan: which of its students' choices are within reach, school
//! by school (the table beside the map of [`crate::reports::html::network_map`]). A
//! choice is within reach when its course is on offer to the student
//! ([`crate::input::offer::reach`]): a group of it could be somewhere the student can
//! get to and back within the day, or at a distance, for the student's grade.

use maud::{html, Markup};

use crate::graph::TravelTimes;
use crate::input::offer::{reach, Reach};
use crate::lang::Lang;
use crate::model::{Network, SchoolId, SchoolKind};
use crate::plan::kpi::percent;

/// The kind of a school or partner organisation, in Russian.
pub fn kind_ru(kind: SchoolKind) -> &'static str {
    match kind {
        SchoolKind::School => "школа",
        SchoolKind::College => "партнёр: колледж",
        SchoolKind::University => "партнёр: вуз",
        SchoolKind::Additional => "партнёр: доп. образование",
        SchoolKind::Other => "партнёр",
    }
}

/// Per school, its students' choices and those within reach (see the module's text);
/// the table's rows.
pub fn reach_counts(net: &Network, tt: &TravelTimes) -> Vec<Reach> {
    reach(net, tt)
}

/// The other school nearest to `s` by travel time, with the minutes (ties: the first
/// in schools.csv); `None` when no other school can be reached.
fn nearest(net: &Network, tt: &TravelTimes, s: SchoolId) -> Option<(SchoolId, u32)> {
    (0..net.schools.len())
        .map(SchoolId::from)
        .filter(|&o| o != s)
        .filter_map(|o| tt.get(s, o).map(|m| (o, m)))
        .min_by_key(|&(o, m)| (m, o))
}

/// `12,5%` of `a` in `b`; `—` when `b` is 0.
fn share(a: usize, b: usize) -> String {
    if b == 0 {
        "—".to_string()
    } else {
        percent(a as f64 / b as f64, Lang::Ru)
    }
}

/// The reach table, in Russian: a row per school or organisation (`data-school` = its
/// id), then the network's totals.
pub fn reach_table(net: &Network, tt: &TravelTimes) -> Markup {
    let rows = reach_counts(net, tt);
    let sum = |f: fn(&Reach) -> usize| rows.iter().map(f).sum::<usize>();
    let (students, choices, within) = (sum(|r| r.students), sum(|r| r.choices), sum(|r| r.within));
    let mut offered: Vec<usize> = rows
        .iter()
        .flat_map(|r| r.on_offer.iter().map(|c| c.idx()))
        .collect();
    offered.sort_unstable();
    offered.dedup();
    let course = |c: crate::model::CourseId| &net.courses[c.idx()];
    html! {
        table.list.reach {
            thead {
                tr {
                    th { "Школа / организация" }
                    th { "Тип" }
                    th { "Учащихся" }
                    th { "Выборов" }
                    th { "В пределах досягаемости" }
                    th { "Доля" }
                    th { "Вне досягаемости" }
                    th { "Курсов доступно" }
                    th { "Дороги" }
                    th { "Ближайшая школа" }
                }
            }
            tbody {
                @for (i, (s, r)) in net.schools.iter().zip(&rows).enumerate() {
                    @let id = SchoolId::from(i);
                    @let links: Vec<(SchoolId, u32)> = net.links.iter().filter_map(|l| {
                        if l.a == id { Some((l.b, l.minutes)) } else if l.b == id { Some((l.a, l.minutes)) } else { None }
                    }).collect();
                    tr data-school=(s.id) {
                        td { (s.name) " " span.muted { "(" (s.id) ")" } }
                        td { (kind_ru(s.kind)) }
                        td.n { (r.students) }
                        td.n { (r.choices) }
                        td.n data-within=(r.within) { (r.within) }
                        td.n { (share(r.within, r.choices)) }
                        td.out {
                            @if r.out_of_reach.is_empty() { "—" }
                            @for (k, (c, n)) in r.out_of_reach.iter().enumerate() {
                                @if k > 0 { ", " }
                                (course(*c).name) " (" (course(*c).id) ")\u{a0}×\u{a0}" (n)
                                @if r.on_offer.contains(c) { " (не для их класса)" }
                            }
                        }
                        td.n { (r.on_offer.len()) }
                        td {
                            (links.len())
                            @if !links.is_empty() {
                                ": "
                                @for (k, (o, m)) in links.iter().enumerate() {
                                    @if k > 0 { ", " }
                                    (net.schools[o.idx()].id) "\u{a0}" (m) "\u{a0}мин"
                                }
                            }
                        }
                        td {
                            @match nearest(net, tt, id) {
                                Some((o, m)) => { (net.schools[o.idx()].name) " — " (m) "\u{a0}мин" }
                                None => span.muted { "нет дороги ни к одной школе" }
                            }
                        }
                    }
                }
            }
            tfoot {
                tr.total {
                    th { "Итого (" (net.schools.len()) ")" }
                    td {}
                    td.n { (students) }
                    td.n { (choices) }
                    td.n data-within=(within) { (within) }
                    td.n { (share(within, choices)) }
                    td.n { (choices - within) }
                    td.n title="курсов, доступных хотя бы одной школе" { (offered.len()) " из " (net.courses.len()) }
                    td.n { (net.links.len()) }
                    td {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn pestrechinsky() -> (Network, TravelTimes) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
        let (net, _) = crate::input::load(&dir).expect("sample loads");
        let tt = TravelTimes::new(&net);
        (net, tt)
    }

    /// The cells of the row `<tr ... data-school="ID">` (or of the totals row), as text.
    fn cells(html: &str, row_start: &str) -> Vec<String> {
        let at = html.find(row_start).expect(row_start);
        let row = &html[at..at + html[at..].find("</tr>").unwrap()];
        let mut out = Vec::new();
        let mut rest = row;
        while let Some(i) = rest.find("<t") {
            let tag_end = i + rest[i..].find('>').unwrap() + 1;
            let close = tag_end + rest[tag_end..].find("</t").unwrap();
            let inner = &rest[tag_end..close];
            // Drop nested tags (span.muted).
            let mut text = String::new();
            let mut in_tag = false;
            for ch in inner.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            out.push(text);
            rest = &rest[close + 3..];
        }
        out
    }

    #[test]
    fn the_totals_are_the_sums_of_the_network() {
        let (net, tt) = pestrechinsky();
        let html = reach_table(&net, &tt).into_string();
        let total = cells(&html, "<tr class=\"total\">");
        let choices: usize = net.students.iter().map(|s| s.choices.len()).sum();
        assert_eq!(total[2], net.students.len().to_string());
        assert_eq!(total[3], choices.to_string());
        assert_eq!(total[8], net.links.len().to_string());
        // Within reach, counted again from the offers of each school.
        let mut within = 0;
        for (i, _) in net.schools.iter().enumerate() {
            let s = SchoolId::from(i);
            let grades = crate::input::offer::school_grades(&net, s);
            let offers = crate::input::offer::Offers::new(&net, &tt, Some(s), &grades);
            let on: Vec<_> = offers.on_offer().map(|o| o.course).collect();
            within += net
                .students
                .iter()
                .filter(|st| st.school == s)
                .flat_map(|st| st.choices.iter().map(move |c| (st.grade, *c)))
                .filter(|(g, c)| on.contains(c) && net.courses[c.idx()].admits(*g))
                .count();
        }
        assert_eq!(total[4], within.to_string());
        assert_eq!(total[6], (choices - within).to_string());
        // The rows add up to the totals.
        let rows: usize = net
            .schools
            .iter()
            .map(|s| {
                let c = cells(&html, &format!("data-school=\"{}\"", s.id));
                c[4].parse::<usize>().unwrap()
            })
            .sum();
        assert_eq!(rows, within);
        assert_eq!(html.matches("data-school=").count(), net.schools.len());
        assert!(html.contains("class=\"list reach\""), "{html}");
    }

    /// A: students choosing FAR (taught only at C, which no road reaches) and NEAR
    /// (taught at B, 10 min away, grades 10 and 11); at B a grade 9 student chose NEAR
    /// too; a name with markup.
    fn small() -> Network {
        let files: &[(&str, &[u8])] = &[
            (
                "network.toml",
                b"name = \"t\"\nday_start = \"08:00\"\nday_end = \"17:00\"\nperiods = [\"09:00-09:45\", \"10:00-10:45\", \"11:00-11:45\"]\nmin_group = 1\nmax_group = 25\nwants = 2\n",
            ),
            (
                "schools.csv",
                "id,name,kind\nA,<script>alert(1)</script>,school\nB,Школа Б,school\nC,Колледж,college\n"
                    .as_bytes(),
            ),
            ("links.csv", b"from,to,minutes\nA,B,10\n"),
            ("rooms.csv", b"school,id,capacity\nA,A1,30\nB,B1,30\nC,C1,30\n"),
            ("courses.csv", b"id,name,grades\nNEAR,Near,10 11\nFAR,Far,\n"),
            (
                "teachers.csv",
                b"id,name,school,courses,travels\nT1,One,B,NEAR,no\nT2,Two,C,FAR,no\n",
            ),
            (
                "students.csv",
                b"id,school,grade,choice_1,choice_2\nS1,A,10,NEAR,FAR\nS2,A,10,FAR,\nS3,B,10,NEAR,\nS4,B,9,NEAR,\n",
            ),
        ];
        crate::input::load_from_memory(files).expect("loads").0
    }

    #[test]
    fn an_unreachable_choice_shows_in_its_schools_row() {
        let net = small();
        let tt = TravelTimes::new(&net);
        let html = reach_table(&net, &tt).into_string();
        let a = cells(&html, "data-school=\"A\"");
        assert_eq!(&a[2..6], ["2", "3", "1", "33,3%"], "{a:?}");
        assert_eq!(a[6], "Far (FAR)\u{a0}×\u{a0}2");
        assert_eq!(a[8], "1: B\u{a0}10\u{a0}мин");
        assert_eq!(a[9], "Школа Б — 10\u{a0}мин");
        // On offer at B, but not for grade 9.
        let b = cells(&html, "data-school=\"B\"");
        assert_eq!(&b[2..6], ["2", "2", "1", "50,0%"], "{b:?}");
        assert_eq!(b[6], "Near (NEAR)\u{a0}×\u{a0}1 (не для их класса)");
        let c = cells(&html, "data-school=\"C\"");
        assert_eq!(c[1], "партнёр: колледж");
        assert_eq!(c[9], "нет дороги ни к одной школе");
        let total = cells(&html, "<tr class=\"total\">");
        assert_eq!(&total[2..7], ["4", "5", "2", "40,0%", "3"], "{total:?}");
        // Escaped by construction.
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}

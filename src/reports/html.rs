//! index.html: one self-contained page a planner can open offline, send by mail and
//! print: the KPIs, a map of the network (SVG from the schools' coordinates, with the
//! flows of students and teachers), a timetable grid per school, the members of every
//! group, the unserved choices with their reasons, and a table per school.
//!
//! Nothing is fetched: no scripts, fonts, styles or tiles from elsewhere. The same input
//! gives the same bytes (no clock, no hash-map order).

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use super::ReportInput;
use crate::graph::TravelTimes;
use crate::lang::Lang;
use crate::model::{Hhmm, Network, SchoolId};
use crate::plan::kpi::{percent, Unit, CATALOGUE};
use crate::plan::{Group, Mode};
use crate::planfile::UnservedRow;

/// Writes index.html: the self-contained page (file path given).
pub fn write(input: &ReportInput, path: &Path) -> anyhow::Result<()> {
    std::fs::write(path, render(input))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// The whole page.
pub fn render(input: &ReportInput) -> String {
    let facts = Facts::new(input);
    let mut h = Html::default();
    h.raw("<!DOCTYPE html>\n");
    h.open("html", &[("lang", input.lang.pick("ru", "en"))]);
    head(&mut h, input);
    h.open("body", &[]);
    page_header(&mut h, input);
    kpi_section(&mut h, input);
    map_section(&mut h, input, &facts);
    schools_section(&mut h, input, &facts);
    timetable_section(&mut h, input);
    groups_section(&mut h, input);
    unserved_section(&mut h, input, &facts);
    h.close("body");
    h.close("html");
    h.0
}

// ---------------------------------------------------------------------------------------
// A tiny HTML writer: every text and attribute value goes through `escape`.

#[derive(Default)]
struct Html(String);

impl Html {
    fn raw(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.0.push_str(&escape(s));
        self
    }

    fn tag_start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.0.push('<');
        self.0.push_str(tag);
        for (k, v) in attrs {
            let _ = write!(self.0, " {k}=\"{}\"", escape(v));
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.tag_start(tag, attrs);
        self.0.push('>');
        self
    }

    fn close(&mut self, tag: &str) -> &mut Self {
        let _ = write!(self.0, "</{tag}>");
        if matches!(
            tag,
            "section" | "table" | "tr" | "svg" | "g" | "details" | "ul" | "ol" | "li" | "head"
        ) {
            self.0.push('\n');
        }
        self
    }

    /// `<tag attrs>text</tag>`.
    fn el(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// A self-closing SVG element.
    fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.tag_start(tag, attrs);
        self.0.push_str("/>");
        self
    }
}

/// Escapes text for HTML text and attribute values ([`super::escape_markup`]).
fn escape(s: &str) -> String {
    super::escape_markup(s, "&#39;")
}

/// A number for SVG coordinates (one decimal).
fn num(x: f64) -> String {
    format!("{x:.1}")
}

/// A share as a percentage with one decimal (decimal comma in Russian).
fn school_name(net: &Network, s: SchoolId) -> &str {
    &net.schools[s.idx()].name
}

/// `09:00–10:40` for a group's periods.
fn group_time(net: &Network, g: &Group) -> String {
    format!("{}–{}", Hhmm(g.start(net)), Hhmm(g.end(net)))
}

fn periods_label(net: &Network, g: &Group, lang: Lang) -> String {
    let r = g.periods(net);
    if r.len() == 1 {
        format!("{} {}", lang.pick("урок", "period"), r.start + 1)
    } else {
        format!(
            "{} {}–{}",
            lang.pick("уроки", "periods"),
            r.start + 1,
            r.end
        )
    }
}

// ---------------------------------------------------------------------------------------
// Facts worked out once from the plan.

/// Who travels where, per school.
struct Facts {
    /// Trips (legs) per ordered pair of schools: `[students, teachers]`.
    flows: BTreeMap<(usize, usize), [usize; 2]>,
    /// Whether the flows come from routes.csv (else from the plan).
    flows_from_file: bool,
    per_school: Vec<SchoolFacts>,
    /// Unserved choices, from unserved.csv or worked out from the plan.
    unserved: Vec<UnservedRow>,
    unserved_from_file: bool,
}

#[derive(Default, Clone)]
struct SchoolFacts {
    students: usize,
    placed: usize,
    requested: usize,
    /// Students of this school in in-person groups elsewhere, per host school.
    students_out: BTreeMap<usize, Vec<usize>>,
    /// Students of other schools in in-person groups here, per home school.
    students_in: BTreeMap<usize, Vec<usize>>,
    /// Teachers of this school teaching elsewhere / of other schools teaching here.
    teachers_out: Vec<usize>,
    teachers_in: Vec<usize>,
    groups_hosted: usize,
}

impl Facts {
    fn new(input: &ReportInput) -> Facts {
        let (flows, flows_from_file) = flows(input);
        let (unserved, unserved_from_file) = match &input.disk.unserved {
            Some(rows) => (rows.clone(), true),
            None => (computed_unserved(input), false),
        };
        Facts {
            flows,
            flows_from_file,
            per_school: school_facts(input),
            unserved,
            unserved_from_file,
        }
    }

    fn max_flow(&self) -> usize {
        self.flows
            .values()
            .flat_map(|f| f.iter().copied())
            .max()
            .unwrap_or(0)
    }
}

/// Legs per ordered pair of schools, from routes.csv when the plan has it.
fn flows(input: &ReportInput) -> (BTreeMap<(usize, usize), [usize; 2]>, bool) {
    let net = input.net;
    let mut out: BTreeMap<(usize, usize), [usize; 2]> = BTreeMap::new();
    let mut add = |a: usize, b: usize, teacher: bool| {
        if a != b {
            out.entry((a, b)).or_default()[usize::from(teacher)] += 1;
        }
    };
    match &input.disk.routes {
        Some(rows) => {
            let index: HashMap<&str, usize> = net
                .schools
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect();
            for r in rows {
                if let (Some(&a), Some(&b)) = (index.get(r.from.as_str()), index.get(r.to.as_str()))
                {
                    add(a, b, r.role == "teacher");
                }
            }
            (out, true)
        }
        None => {
            for r in crate::plan::routes::routes(net, input.tt, &input.disk.plan) {
                for l in &r.legs {
                    add(l.from.idx(), l.to.idx(), r.role == "teacher");
                }
            }
            (out, false)
        }
    }
}

fn school_facts(input: &ReportInput) -> Vec<SchoolFacts> {
    let net = input.net;
    let plan = &input.disk.plan;
    let mut out = vec![SchoolFacts::default(); net.schools.len()];
    for st in &net.students {
        let f = &mut out[st.school.idx()];
        f.students += 1;
        f.requested += st.requested();
    }
    for g in &plan.groups {
        out[g.school.idx()].groups_hosted += 1;
        for s in &g.members {
            let home = net.students[s.idx()].school.idx();
            out[home].placed += 1;
            if g.mode == Mode::InPerson && home != g.school.idx() {
                push_unique(out[home].students_out.entry(g.school.idx()), s.idx());
                push_unique(out[g.school.idx()].students_in.entry(home), s.idx());
            }
        }
        let t = g.teacher.idx();
        let home = net.teachers[t].school.idx();
        if home != g.school.idx() {
            push_sorted(&mut out[home].teachers_out, t);
            push_sorted(&mut out[g.school.idx()].teachers_in, t);
        }
    }
    out
}

fn push_unique(e: std::collections::btree_map::Entry<usize, Vec<usize>>, x: usize) {
    push_sorted(e.or_default(), x);
}

fn push_sorted(v: &mut Vec<usize>, x: usize) {
    if let Err(i) = v.binary_search(&x) {
        v.insert(i, x);
    }
}

/// Distinct members of a map of lists.
fn distinct(m: &BTreeMap<usize, Vec<usize>>) -> usize {
    let mut all: Vec<usize> = m.values().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all.len()
}

fn computed_unserved(input: &ReportInput) -> Vec<UnservedRow> {
    let net = input.net;
    crate::plan::unserved::unserved(net, input.tt, &input.disk.plan)
        .into_iter()
        .map(|u| UnservedRow {
            student: net.students[u.student.idx()].id.clone(),
            course: net.courses[u.course.idx()].id.clone(),
            rank: u.rank.to_string(),
            reason: u.reason.to_string(),
            code: Some(u.reason),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Head and header.

const CSS: &str = r#"
:root { --ink: #1d2733; --muted: #5b6875; --line: #d5dbe1; --student: #2364aa; --teacher: #d9661f; }
* { box-sizing: border-box; }
body { font: 14px/1.4 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; padding: 16px 24px 48px; max-width: 1240px; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 20px 0 6px; }
.sub { color: var(--muted); margin: 0 0 8px; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0; }
nav ul { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px 16px; }
nav a { color: var(--student); text-decoration: none; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #f7f9fb; }
.kpi dt { color: var(--muted); font-size: 12px; }
.kpi dd { margin: 2px 0 0; font-size: 20px; font-weight: 600; }
.kpi dd small { font-size: 12px; font-weight: 400; color: var(--muted); }
svg.map { display: block; margin: 0 auto; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fbfcfd; }
svg.map text { font-size: 12px; fill: var(--ink); paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.map text.minutes { font-size: 10px; fill: #8a959f; }
svg.map text.count { font-size: 11px; font-weight: 600; }
svg.map .student text { fill: var(--student); }
svg.map .teacher text { fill: var(--teacher); }
.legend { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 6px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eef2f5; font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.grid { width: 100%; table-layout: fixed; font-size: 12px; }
table.grid th.period { width: 118px; white-space: nowrap; }
table.grid td { height: 44px; }
table.grid[data-groups="0"] td { height: 20px; }
table.grid td.off { background: repeating-linear-gradient(45deg, #f0f0f0, #f0f0f0 4px, #e2e2e2 4px, #e2e2e2 8px); }
table.grid td.group b { display: block; }
table.grid td.distance { border: 2px dashed #7a4ca0; }
table.grid .gid, .muted { color: var(--muted); }
.badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px; background: #7a4ca0; color: #fff; }
.clash { color: #b00020; font-weight: 600; }
details.group { border: 1px solid var(--line); border-radius: 6px; margin: 4px 0; padding: 4px 8px; }
details.group summary { cursor: pointer; }
ol.members { columns: 3 220px; margin: 6px 0 2px; padding-left: 28px; font-size: 13px; }
ol.members .home { color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  section { break-before: auto; }
  .map-wrap, table.grid, .kpis, details.group { break-inside: avoid; }
  details.group::details-content { content-visibility: visible; display: block; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { size: A4; margin: 12mm; }
}
"#;

/// Opens every group's list before printing (the page stays usable without it).
const SCRIPT: &str =
    "window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});";

fn head(h: &mut Html, input: &ReportInput) {
    h.open("head", &[]);
    h.empty("meta", &[("charset", "utf-8")]);
    h.empty(
        "meta",
        &[
            ("name", "viewport"),
            ("content", "width=device-width, initial-scale=1"),
        ],
    );
    let title = format!(
        "{} — {} {}",
        input.net.name,
        input.lang.pick("профильный день", "profile day"),
        input.date
    );
    h.el("title", &[], &title);
    h.open("style", &[]).raw(CSS).close("style");
    h.open("script", &[]).raw(SCRIPT).close("script");
    h.close("head");
}

fn page_header(h: &mut Html, input: &ReportInput) {
    let lang = input.lang;
    h.open("header", &[]);
    h.el("h1", &[], &input.net.name);
    let sub = format!(
        "{} {} · {}",
        lang.pick("Единый профильный день", "Unified profile day"),
        input.date,
        status_line(input)
    );
    h.el("p", &[("class", "sub")], &sub);
    h.open("nav", &[]).open("ul", &[]);
    for (id, ru, en) in SECTIONS {
        let href = format!("#{id}");
        h.open("li", &[])
            .el("a", &[("href", &href)], lang.pick(ru, en))
            .close("li");
    }
    h.close("ul").close("nav");
    h.close("header");
}

const SECTIONS: [(&str, &str, &str); 6] = [
    ("kpis", "Показатели", "Key figures"),
    ("map", "Карта сети", "Network map"),
    ("schools", "Школы", "Schools"),
    ("timetables", "Расписание по школам", "Timetables"),
    ("groups", "Группы", "Groups"),
    ("unserved", "Неудовлетворённые выборы", "Unserved choices"),
];

fn section_start(h: &mut Html, lang: Lang, index: usize) {
    let (id, ru, en) = SECTIONS[index];
    h.open("section", &[("id", id)]);
    h.el("h2", &[], lang.pick(ru, en));
}

/// The solver's status and gap from summary.json, when the plan has it.
fn status_line(input: &ReportInput) -> String {
    let lang = input.lang;
    let Some(s) = &input.disk.summary else {
        return lang
            .pick("summary.json нет в плане", "no summary.json in the plan")
            .to_string();
    };
    let status = s.get("status").and_then(|v| v.as_str()).unwrap_or("?");
    let status = match status {
        "optimal" => lang.pick("оптимальный план", "optimal plan"),
        "feasible" => lang.pick("допустимый план", "feasible plan"),
        other => other,
    };
    match s.get("gap").and_then(|v| v.as_f64()) {
        Some(gap) => format!(
            "{status}, {} {}",
            lang.pick("разрыв с границей", "gap to the bound"),
            percent(gap, lang)
        ),
        None => status.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// KPIs.

fn kpi_section(h: &mut Html, input: &ReportInput) {
    let lang = input.lang;
    section_start(h, lang, 0);
    h.open("dl", &[("class", "kpis")]);
    for card in kpi_cards(input) {
        h.open(
            "div",
            &[
                ("class", "kpi"),
                ("data-kpi", card.key),
                ("data-value", &card.raw),
            ],
        );
        h.el("dt", &[], card.label);
        h.open("dd", &[]).text(&card.value);
        if !card.note.is_empty() {
            h.raw(" ").el("small", &[], &card.note);
        }
        h.close("dd").close("div");
    }
    h.close("dl");
    h.close("section");
}

/// One card of the key figures.
struct Card {
    /// The figure's key (SPEC §4, or summary.json's for the bound).
    key: &'static str,
    label: &'static str,
    value: String,
    /// The value as summary.json has it (for a school, its id).
    raw: String,
    note: String,
}

/// A card per figure of the catalogue (the vehicle figures only where the plan has
/// buses), then the proven bound when summary.json has it.
fn kpi_cards(input: &ReportInput) -> Vec<Card> {
    let (k, lang, net) = (&input.kpis, input.lang, input.net);
    let mut cards = Vec::new();
    for kpi in CATALOGUE {
        if kpi.fleet && input.disk.transport.is_none() {
            continue;
        }
        let raw = kpi.number(k).map_or_else(
            || k.worst_school.clone().unwrap_or_default(),
            |v| v.to_string(),
        );
        let note = match kpi.unit {
            Unit::School => k
                .worst_school
                .as_deref()
                .and_then(|id| net.school_index(id))
                .map(|s| school_name(net, s).to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        cards.push(Card {
            key: kpi.key,
            label: kpi.label(lang),
            value: kpi.show(k, lang),
            raw,
            note,
        });
    }
    if let Some(bound) = input
        .disk
        .summary
        .as_ref()
        .and_then(|s| s.get("bound"))
        .and_then(|v| v.as_f64())
    {
        cards.push(Card {
            key: "bound",
            label: lang.pick("Верхняя граница зачислений", "Proven bound on placements"),
            value: format!("{bound:.0}"),
            raw: bound.to_string(),
            note: String::new(),
        });
    }
    cards
}

// ---------------------------------------------------------------------------------------
// The network map.

/// The widest the map is drawn; narrower when the network's shape is tall.
const MAP_W: f64 = 960.0;
const MAP_MIN_W: f64 = 640.0;
const MAP_H: f64 = 560.0;
/// Room around the schools for their labels (x) and circles (y).
const MAP_MARGIN_X: f64 = 120.0;
const MAP_MARGIN_Y: f64 = 50.0;
/// Height of the strip under the map for schools without coordinates.
const STRIP_H: f64 = 90.0;
const MIN_R: f64 = 7.0;
const MAX_R: f64 = 24.0;
const MIN_W: f64 = 1.5;
const MAX_W: f64 = 12.0;

/// Where each school is drawn.
struct Layout {
    pos: Vec<(f64, f64)>,
    /// Schools drawn without their coordinates.
    fallback: Vec<bool>,
    /// No usable coordinates at all: every school on a circle.
    circle: bool,
    width: f64,
    height: f64,
}

fn coords(net: &Network) -> Vec<Option<(f64, f64)>> {
    net.schools
        .iter()
        .map(|s| match (s.lat, s.lon) {
            (Some(la), Some(lo)) if la.is_finite() && lo.is_finite() => Some((la, lo)),
            _ => None,
        })
        .collect()
}

fn layout(net: &Network) -> Layout {
    let c = coords(net);
    let known: Vec<(f64, f64)> = c.iter().flatten().copied().collect();
    let distinct = known.iter().any(|p| *p != known[0]);
    if known.len() < 2 || !distinct {
        return circle_layout(net.schools.len());
    }
    let lat0 = (known.iter().map(|p| p.0).sum::<f64>() / known.len() as f64).to_radians();
    // Equirectangular: x = lon·cos(lat0), y = -lat, scaled to fit.
    let xy = |(la, lo): (f64, f64)| (lo * lat0.cos(), -la);
    let pts: Vec<(f64, f64)> = known.iter().map(|&p| xy(p)).collect();
    let (x0, x1) = min_max(pts.iter().map(|p| p.0));
    let (y0, y1) = min_max(pts.iter().map(|p| p.1));
    let (iw, ih) = (MAP_W - 2.0 * MAP_MARGIN_X, MAP_H - 2.0 * MAP_MARGIN_Y);
    let scale = [(x1 - x0, iw), (y1 - y0, ih)]
        .iter()
        .filter(|(span, _)| *span > 0.0)
        .map(|(span, room)| room / span)
        .fold(f64::INFINITY, f64::min);
    // As wide as the network's shape needs, at least MAP_MIN_W.
    let width = ((x1 - x0) * scale + 2.0 * MAP_MARGIN_X).clamp(MAP_MIN_W, MAP_W);
    let ox = (width - (x1 - x0) * scale) / 2.0;
    let oy = MAP_MARGIN_Y + (ih - (y1 - y0) * scale) / 2.0;
    let missing: Vec<usize> = (0..c.len()).filter(|&i| c[i].is_none()).collect();
    let mut pos = vec![(0.0, 0.0); c.len()];
    for (i, p) in c.iter().enumerate() {
        if let Some(p) = p {
            let (x, y) = xy(*p);
            pos[i] = (ox + (x - x0) * scale, oy + (y - y0) * scale);
        }
    }
    let step = width / (missing.len() + 1) as f64;
    for (k, &i) in missing.iter().enumerate() {
        pos[i] = (step * (k + 1) as f64, MAP_H + STRIP_H / 2.0);
    }
    Layout {
        pos,
        fallback: c.iter().map(Option::is_none).collect(),
        circle: false,
        width,
        height: if missing.is_empty() {
            MAP_H
        } else {
            MAP_H + STRIP_H
        },
    }
}

fn circle_layout(n: usize) -> Layout {
    let width = MAP_MIN_W.max(MAP_H);
    let (cx, cy) = (width / 2.0, MAP_H / 2.0);
    let r = if n > 1 {
        MAP_H / 2.0 - MAP_MARGIN_Y - 10.0
    } else {
        0.0
    };
    let pos = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect();
    Layout {
        pos,
        fallback: vec![true; n],
        circle: true,
        width,
        height: MAP_H,
    }
}

fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    it.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    })
}

/// Circle radius by number of students (area grows with students).
fn radius(students: usize, max: usize) -> f64 {
    if max == 0 {
        return MIN_R;
    }
    MIN_R + (MAX_R - MIN_R) * (students as f64 / max as f64).sqrt()
}

/// Arrow width by flow (linear up to the largest flow of the day).
fn width(flow: usize, max: usize) -> f64 {
    if max <= 1 {
        return MIN_W + 1.0;
    }
    MIN_W + (MAX_W - MIN_W) * (flow as f64 - 1.0) / (max as f64 - 1.0)
}

fn map_section(h: &mut Html, input: &ReportInput, facts: &Facts) {
    let (net, lang) = (input.net, input.lang);
    section_start(h, lang, 1);
    let titles = net
        .schools
        .iter()
        .zip(&facts.per_school)
        .map(|(s, f)| {
            format!(
                "{} ({}): {} {}, {} {}",
                s.name,
                s.id,
                f.students,
                lang.pick("учащихся", "students"),
                percent(ratio(f.placed, f.requested), lang),
                lang.pick("зачислены", "placed")
            )
        })
        .collect();
    let map = MapInput {
        net,
        lang,
        students: facts.per_school.iter().map(|f| f.students).collect(),
        titles,
    };
    h.open("div", &[("class", "map-wrap")]);
    let lay = draw_map(h, &map, Some((input, facts)));
    map_notes(h, input, facts, &lay);
    h.close("div");
    h.close("section");
}

/// The network's map before any plan: the schools (circles by their students), the
/// roads with their minutes and the legend, no trips; a school's hover text says how
/// many of its students' choices are within reach ([`crate::input::offer::reach`]).
/// An HTML fragment, `<div class="network-map">`, without any inline style or script
/// (for a page with a strict Content-Security-Policy): the page's stylesheet sizes it.
pub fn network_map(net: &Network, tt: &TravelTimes, lang: Lang) -> String {
    let reach = crate::input::offer::reach(net, tt);
    let titles = net
        .schools
        .iter()
        .zip(&reach)
        .map(|(s, r)| match lang {
            Lang::Ru => format!(
                "{} ({}): учащихся: {}; выборов в пределах досягаемости: {} из {} ({})",
                s.name,
                s.id,
                r.students,
                r.within,
                r.choices,
                percent(ratio(r.within, r.choices), lang)
            ),
            Lang::En => format!(
                "{} ({}): {}, {} of {} {} within reach ({})",
                s.name,
                s.id,
                lang.count(r.students, ["", "", ""], ["student", "students"]),
                r.within,
                r.choices,
                lang.noun(r.choices, ["", "", ""], ["choice", "choices"]),
                percent(ratio(r.within, r.choices), lang)
            ),
        })
        .collect();
    let map = MapInput {
        net,
        lang,
        students: reach.iter().map(|r| r.students).collect(),
        titles,
    };
    let mut h = Html::default();
    h.open("div", &[("class", "network-map")]);
    let lay = draw_map(&mut h, &map, None);
    coordinate_notes(&mut h, net, lang, &lay);
    h.close("div");
    h.0
}

/// What the map shows of each school, with or without a plan.
struct MapInput<'a> {
    net: &'a Network,
    lang: Lang,
    /// Students per school: the circles' sizes.
    students: Vec<usize>,
    /// Hover text per school.
    titles: Vec<String>,
}

/// The SVG map and its legend, with the trips of `plan` when given; where the schools
/// were drawn.
fn draw_map(h: &mut Html, map: &MapInput, plan: Option<(&ReportInput, &Facts)>) -> Layout {
    let (net, lang) = (map.net, map.lang);
    let mut lay = layout(net);
    let max_students = map.students.iter().copied().max().unwrap_or(0);
    let radii: Vec<f64> = map
        .students
        .iter()
        .map(|&n| radius(n, max_students))
        .collect();
    separate(&mut lay, &radii);
    let (w, ht) = (num(lay.width), num(lay.height));
    let view = format!("0 0 {w} {ht}");
    let label = lang.pick("Карта сети школ", "Map of the school network");
    h.open(
        "svg",
        &[
            ("class", "map"),
            ("width", &w),
            ("height", &ht),
            ("viewBox", &view),
            ("role", "img"),
            ("aria-label", label),
        ],
    );
    h.el("title", &[], label);
    if lay.height > MAP_H {
        map_strip(h, lang, lay.width);
    }
    map_links(h, net, lang, &lay);
    if let Some((input, facts)) = plan {
        map_flows(h, input, facts, &lay, &radii);
    }
    map_schools(h, net, &map.titles, &lay, &radii);
    h.close("svg");
    map_legend(h, lang, plan.map(|(_, f)| f.max_flow()), max_students);
    lay
}

fn map_strip(h: &mut Html, lang: Lang, width: f64) {
    let y = num(MAP_H);
    h.empty(
        "line",
        &[
            ("x1", "0"),
            ("y1", &y),
            ("x2", &num(width)),
            ("y2", &y),
            ("stroke", "#c5ccd3"),
            ("stroke-dasharray", "6 4"),
        ],
    );
    h.el(
        "text",
        &[("x", "8"), ("y", &num(MAP_H + 16.0))],
        lang.pick("Без координат:", "No coordinates:"),
    );
}

fn map_links(h: &mut Html, net: &Network, lang: Lang, lay: &Layout) {
    h.open("g", &[("class", "links")]);
    for l in &net.links {
        let (a, b) = (lay.pos[l.a.idx()], lay.pos[l.b.idx()]);
        let dashed = lay.fallback[l.a.idx()] || lay.fallback[l.b.idx()];
        let mut attrs = vec![
            ("x1", num(a.0)),
            ("y1", num(a.1)),
            ("x2", num(b.0)),
            ("y2", num(b.1)),
            ("stroke", "#b9c2ca".to_string()),
            ("stroke-width", "2.5".to_string()),
        ];
        if dashed {
            attrs.push(("stroke-dasharray", "5 4".to_string()));
        }
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let title = format!(
            "{} — {}: {} {}",
            school_name(net, l.a),
            school_name(net, l.b),
            l.minutes,
            lang.pick("мин", "min")
        );
        h.open("line", &attrs)
            .el("title", &[], &title)
            .close("line");
        let text = format!("{}′", l.minutes);
        h.el(
            "text",
            &[
                ("class", "minutes"),
                ("x", &num((a.0 + b.0) / 2.0)),
                ("y", &num((a.1 + b.1) / 2.0 - 3.0)),
                ("text-anchor", "middle"),
            ],
            &text,
        );
    }
    h.close("g");
}

/// One curved arrow per ordered pair and role; the two directions of a pair bend to
/// opposite sides, teachers' arrows bend further than students'.
fn map_flows(h: &mut Html, input: &ReportInput, facts: &Facts, lay: &Layout, radii: &[f64]) {
    let net = input.net;
    let max = facts.max_flow();
    // Widest first, so thin arrows stay visible on top.
    let mut arrows: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (&(a, b), counts) in &facts.flows {
        for (role, &n) in counts.iter().enumerate() {
            if n > 0 {
                arrows.push((n, role, a, b));
            }
        }
    }
    arrows.sort_by(|x, y| y.0.cmp(&x.0).then((x.1, x.2, x.3).cmp(&(y.1, y.2, y.3))));
    h.open("g", &[("class", "flows")]);
    for (n, role, a, b) in arrows {
        let arrow = Arrow {
            from: lay.pos[a],
            to: lay.pos[b],
            r_from: radii[a],
            r_to: radii[b],
            width: width(n, max),
            bend: if role == 0 { (0.14, 16.0) } else { (0.3, 34.0) },
        };
        let trips = input
            .lang
            .noun(n, ["поездка", "поездки", "поездок"], ["trip", "trips"]);
        let what = if role == 0 {
            input.lang.pick("учащихся", "student")
        } else {
            input.lang.pick("учителей", "teacher")
        };
        let (first, second) = match input.lang {
            Lang::Ru => (trips, what),
            Lang::En => (what, trips),
        };
        let title = format!(
            "{} → {}: {n} {first} {second}",
            school_name(net, SchoolId::from(a)),
            school_name(net, SchoolId::from(b))
        );
        let class = if role == 0 {
            "flow student"
        } else {
            "flow teacher"
        };
        let count = n.to_string();
        h.open(
            "g",
            &[
                ("class", class),
                ("data-from", &net.schools[a].id),
                ("data-to", &net.schools[b].id),
                ("data-count", &count),
            ],
        );
        h.el("title", &[], &title);
        let color = if role == 0 {
            "var(--student)"
        } else {
            "var(--teacher)"
        };
        arrow.draw(h, color, &count);
        h.close("g");
    }
    h.close("g");
}

/// A quadratic Bézier arrow from the edge of one circle to the edge of another.
struct Arrow {
    from: (f64, f64),
    to: (f64, f64),
    r_from: f64,
    r_to: f64,
    width: f64,
    /// How far the control point lies to the right of the direction: a share of the
    /// distance, and at least so many pixels.
    bend: (f64, f64),
}

impl Arrow {
    fn draw(&self, h: &mut Html, color: &str, label: &str) {
        let (a, b) = (self.from, self.to);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1.0 {
            return;
        }
        // Right-hand normal in screen coordinates (y down).
        let off = (self.bend.0 * len).max(self.bend.1);
        let c = (
            (a.0 + b.0) / 2.0 - dy / len * off,
            (a.1 + b.1) / 2.0 + dx / len * off,
        );
        let start = toward(a, c, self.r_from + 2.0);
        let tip = toward(b, c, self.r_to + 2.0);
        let head = 5.0 + 1.6 * self.width;
        let base = toward(tip, c, head);
        let d = format!(
            "M{} {} Q{} {} {} {}",
            num(start.0),
            num(start.1),
            num(c.0),
            num(c.1),
            num(base.0),
            num(base.1)
        );
        h.empty(
            "path",
            &[
                ("d", &d),
                ("fill", "none"),
                ("stroke", color),
                ("stroke-width", &num(self.width)),
                ("stroke-opacity", "0.75"),
            ],
        );
        let (ux, uy) = unit((tip.0 - base.0, tip.1 - base.1));
        let half = self.width / 2.0 + 3.5;
        let pts = format!(
            "{},{} {},{} {},{}",
            num(tip.0),
            num(tip.1),
            num(base.0 - uy * half),
            num(base.1 + ux * half),
            num(base.0 + uy * half),
            num(base.1 - ux * half)
        );
        h.empty("polygon", &[("points", &pts), ("fill", color)]);
        let mid = (
            0.25 * start.0 + 0.5 * c.0 + 0.25 * tip.0,
            0.25 * start.1 + 0.5 * c.1 + 0.25 * tip.1,
        );
        h.el(
            "text",
            &[
                ("class", "count"),
                ("x", &num(mid.0)),
                ("y", &num(mid.1 + 4.0)),
                ("text-anchor", "middle"),
            ],
            label,
        );
    }
}

fn unit(v: (f64, f64)) -> (f64, f64) {
    let l = (v.0 * v.0 + v.1 * v.1).sqrt();
    if l == 0.0 {
        (0.0, 0.0)
    } else {
        (v.0 / l, v.1 / l)
    }
}

/// The point `dist` from `p` in the direction of `q`.
fn toward(p: (f64, f64), q: (f64, f64), dist: f64) -> (f64, f64) {
    let (ux, uy) = unit((q.0 - p.0, q.1 - p.1));
    (p.0 + ux * dist, p.1 + uy * dist)
}

fn map_schools(h: &mut Html, net: &Network, titles: &[String], lay: &Layout, radii: &[f64]) {
    h.open("g", &[("class", "schools")]);
    for (i, s) in net.schools.iter().enumerate() {
        let (x, y) = lay.pos[i];
        let fill = match s.kind {
            crate::model::SchoolKind::School => "#8fc1e3",
            _ => "#c6a7e0",
        };
        let mut attrs = vec![
            ("class", "school"),
            ("data-school", s.id.as_str()),
            ("fill", fill),
            ("stroke", "#1d2733"),
            ("stroke-width", "1.5"),
        ];
        if lay.fallback[i] {
            attrs.push(("stroke-dasharray", "3 2"));
        }
        let (cx, cy, r) = (num(x), num(y), num(radii[i]));
        attrs.extend([("cx", cx.as_str()), ("cy", cy.as_str()), ("r", r.as_str())]);
        h.open("circle", &attrs)
            .el("title", &[], &titles[i])
            .close("circle");
    }
    let names: Vec<String> = net.schools.iter().map(|s| short(&s.name, 34)).collect();
    for (i, l) in place_labels(&names, &lay.pos, radii).iter().enumerate() {
        h.el(
            "text",
            &[
                ("x", &num(l.x)),
                ("y", &num(l.y)),
                ("text-anchor", l.anchor),
            ],
            &names[i],
        );
    }
    h.close("g");
}

/// Pushes overlapping circles apart (schools a few hundred metres from each other), a
/// few deterministic rounds, keeping every circle inside the map.
fn separate(lay: &mut Layout, radii: &[f64]) {
    let n = lay.pos.len();
    for _ in 0..60 {
        let mut moved = false;
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (lay.pos[i], lay.pos[j]);
                let need = radii[i] + radii[j] + 6.0;
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let d = (dx * dx + dy * dy).sqrt();
                if d >= need {
                    continue;
                }
                // Same point: part them along a direction fixed by their indices.
                let (ux, uy) = if d < 1e-6 {
                    let t = (i * 7 + j * 13) as f64;
                    (t.cos(), t.sin())
                } else {
                    (dx / d, dy / d)
                };
                let push = (need - d) / 2.0;
                lay.pos[i] = (a.0 - ux * push, a.1 - uy * push);
                lay.pos[j] = (b.0 + ux * push, b.1 + uy * push);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    for (p, r) in lay.pos.iter_mut().zip(radii) {
        p.0 = p.0.clamp(*r + 2.0, lay.width - r - 2.0);
        p.1 = p.1.clamp(*r + 2.0, lay.height - r - 2.0);
    }
}

/// Where a school's name goes.
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
}

/// Puts each name below its circle, or above, right or left of it when that spot is
/// taken by a name already placed or by another circle (the least crowded spot wins).
fn place_labels(names: &[String], pos: &[(f64, f64)], radii: &[f64]) -> Vec<Label> {
    const CHAR_W: f64 = 6.6;
    const LINE_H: f64 = 14.0;
    let mut boxes: Vec<[f64; 4]> = Vec::new();
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let (x, y, r) = (pos[i].0, pos[i].1, radii[i]);
        let w = name.chars().count() as f64 * CHAR_W;
        let candidates = [
            (
                x,
                y + r + 13.0,
                "middle",
                [x - w / 2.0, y + r + 2.0, x + w / 2.0, y + r + 2.0 + LINE_H],
            ),
            (
                x,
                y - r - 5.0,
                "middle",
                [x - w / 2.0, y - r - 3.0 - LINE_H, x + w / 2.0, y - r - 3.0],
            ),
            (
                x + r + 4.0,
                y + 4.0,
                "start",
                [
                    x + r + 4.0,
                    y - LINE_H / 2.0,
                    x + r + 4.0 + w,
                    y + LINE_H / 2.0,
                ],
            ),
            (
                x - r - 4.0,
                y + 4.0,
                "end",
                [
                    x - r - 4.0 - w,
                    y - LINE_H / 2.0,
                    x - r - 4.0,
                    y + LINE_H / 2.0,
                ],
            ),
        ];
        let crowding = |b: &[f64; 4]| -> f64 {
            let labels: f64 = boxes.iter().map(|o| overlap(b, o)).sum();
            let circles: f64 = (0..pos.len())
                .filter(|&j| j != i)
                .map(|j| {
                    let (cx, cy, cr) = (pos[j].0, pos[j].1, radii[j]);
                    overlap(b, &[cx - cr, cy - cr, cx + cr, cy + cr])
                })
                .sum();
            labels + circles
        };
        let best = candidates
            .iter()
            .enumerate()
            .min_by(|(ia, a), (ib, b)| crowding(&a.3).total_cmp(&crowding(&b.3)).then(ia.cmp(ib)))
            .map(|(_, c)| c)
            .unwrap_or(&candidates[0]);
        boxes.push(best.3);
        out.push(Label {
            x: best.0,
            y: best.1,
            anchor: best.2,
        });
    }
    out
}

/// The area two boxes `[x0, y0, x1, y1]` share.
fn overlap(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    w * h
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// At most `n` characters, with an ellipsis when cut.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// A small inline SVG for the legend.
fn swatch(h: &mut Html, w: f64, body: impl FnOnce(&mut Html)) {
    let vb = format!("0 0 {} 24", num(w));
    h.open(
        "svg",
        &[
            ("width", &num(w)),
            ("height", "24"),
            ("viewBox", &vb),
            ("aria-hidden", "true"),
        ],
    );
    body(h);
    h.close("svg");
}

fn legend_line(h: &mut Html, color: &str, w: f64, dashed: bool) {
    swatch(h, 44.0, |h| {
        let sw = num(w);
        let mut attrs = vec![
            ("x1", "2"),
            ("y1", "12"),
            ("x2", "42"),
            ("y2", "12"),
            ("stroke", color),
            ("stroke-width", sw.as_str()),
        ];
        if dashed {
            attrs.push(("stroke-dasharray", "5 4"));
        }
        h.empty("line", &attrs);
    });
}

/// The legend; the trips' entries only with a plan (`max_flow`: its largest flow).
fn map_legend(h: &mut Html, lang: Lang, max_flow: Option<usize>, max_students: usize) {
    h.open("ul", &[("class", "legend")]);
    h.open("li", &[]);
    for r in [MIN_R, MAX_R / 2.0] {
        swatch(h, 2.0 * r + 4.0, |h| {
            let c = num(r + 2.0);
            h.empty(
                "circle",
                &[
                    ("cx", &c),
                    ("cy", "12"),
                    ("r", &num(r.min(11.0))),
                    ("fill", "#8fc1e3"),
                    ("stroke", "#1d2733"),
                ],
            );
        });
    }
    let text = format!(
        "{} ({} {max_students})",
        lang.pick(
            "школа: площадь круга — число учащихся",
            "school: circle area shows its students"
        ),
        lang.pick("наибольшая —", "largest:")
    );
    h.text(&text).close("li");
    h.open("li", &[]);
    legend_line(h, "#b9c2ca", 2.5, false);
    h.text(lang.pick("дорога (минуты в пути)", "road link (minutes)"))
        .close("li");
    let Some(max_flow) = max_flow else {
        h.close("ul");
        return;
    };
    let max = max_flow.max(1);
    for (color, ru, en) in [
        ("#2364aa", "поездки учащихся", "student trips"),
        ("#d9661f", "поездки учителей", "teacher trips"),
    ] {
        h.open("li", &[]);
        legend_line(h, color, width(max.div_ceil(2), max), false);
        h.text(lang.pick(ru, en)).close("li");
    }
    h.open("li", &[]);
    for n in [1, max.div_ceil(2), max] {
        legend_line(h, "#6b7782", width(n, max), false);
        h.text(&n.to_string()).raw(" ");
    }
    h.text(lang.pick(
        "— толщина стрелки: поездок за день в одну сторону",
        "— arrow width: trips a day in one direction",
    ))
    .close("li");
    h.close("ul");
}

fn map_notes(h: &mut Html, input: &ReportInput, facts: &Facts, lay: &Layout) {
    let lang = input.lang;
    coordinate_notes(h, input.net, lang, lay);
    let source = if facts.flows_from_file {
        lang.pick(
            "Поездки — из routes.csv плана.",
            "Trips are taken from the plan's routes.csv.",
        )
    } else {
        lang.pick(
            "В плане нет routes.csv: поездки рассчитаны по группам плана.",
            "The plan has no routes.csv: trips are worked out from its groups.",
        )
    };
    h.el("p", &[("class", "note")], source);
}

/// Which schools are drawn without their coordinates.
fn coordinate_notes(h: &mut Html, net: &Network, lang: Lang, lay: &Layout) {
    let missing: Vec<&str> = net
        .schools
        .iter()
        .zip(&lay.fallback)
        .filter(|(_, f)| **f)
        .map(|(s, _)| s.name.as_str())
        .collect();
    if lay.circle {
        h.el(
            "p",
            &[("class", "note")],
            lang.pick(
                "У школ нет координат (lat, lon в schools.csv): они расставлены по кругу, расстояния на карте условные.",
                "The schools have no coordinates (lat, lon in schools.csv): they are placed on a circle; distances on the map mean nothing.",
            ),
        );
    } else if !missing.is_empty() {
        let text = format!(
            "{} {}",
            lang.pick(
                "Без координат в schools.csv, показаны под картой:",
                "Without coordinates in schools.csv, drawn under the map:"
            ),
            missing.join(", ")
        );
        h.el("p", &[("class", "note")], &text);
    }
}

// ---------------------------------------------------------------------------------------
// Per-school table.

fn schools_section(h: &mut Html, input: &ReportInput, facts: &Facts) {
    let (net, lang) = (input.net, input.lang);
    section_start(h, lang, 2);
    h.open("table", &[("class", "schools")]);
    h.open("tr", &[]);
    for (ru, en) in [
        ("Школа", "School"),
        ("Учащихся", "Students"),
        ("Зачислено / запрошено", "Placed / requested"),
        ("Доля", "Rate"),
        ("Групп здесь", "Groups here"),
        ("Уезжают", "Leave"),
        ("Приезжают", "Arrive"),
    ] {
        h.el("th", &[], lang.pick(ru, en));
    }
    h.close("tr");
    for (i, s) in net.schools.iter().enumerate() {
        school_row(h, input, s, &facts.per_school[i]);
    }
    h.close("table");
    h.el(
        "p",
        &[("class", "note")],
        lang.pick(
            "Уезжают: учащиеся школы в очных группах других школ (куда и сколько) и учителя, ведущие группы в других школах; приезжают — наоборот.",
            "Leave: students of the school in in-person groups at other schools (where, how many) and its teachers teaching elsewhere; arrive: the other way round.",
        ),
    );
    h.close("section");
}

fn school_row(h: &mut Html, input: &ReportInput, s: &crate::model::School, f: &SchoolFacts) {
    let lang = input.lang;
    h.open("tr", &[("data-school", &s.id)]);
    h.open("td", &[]).text(&s.name).raw(" ");
    h.el("span", &[("class", "muted")], &s.id).close("td");
    h.el("td", &[("class", "n")], &f.students.to_string());
    h.el(
        "td",
        &[("class", "n")],
        &format!("{} / {}", f.placed, f.requested),
    );
    h.el(
        "td",
        &[("class", "n")],
        &percent(ratio(f.placed, f.requested), lang),
    );
    h.el("td", &[("class", "n")], &f.groups_hosted.to_string());
    movement_cell(h, input, &f.students_out, f.teachers_out.len(), "→");
    movement_cell(h, input, &f.students_in, f.teachers_in.len(), "←");
    h.close("tr");
}

/// "12 students (→ S01 8, → S03 4); 1 teacher".
fn movement_cell(
    h: &mut Html,
    input: &ReportInput,
    students: &BTreeMap<usize, Vec<usize>>,
    teachers: usize,
    arrow: &str,
) {
    let lang = input.lang;
    h.open("td", &[]);
    let n = distinct(students);
    if n == 0 && teachers == 0 {
        h.text("—").close("td");
        return;
    }
    if n > 0 {
        let parts: Vec<String> = students
            .iter()
            .map(|(other, list)| format!("{arrow} {} {}", input.net.schools[*other].id, list.len()))
            .collect();
        let text = format!("{n} {} ", lang.noun(n, ["уч."; 3], ["student", "students"]));
        h.text(&text).el(
            "span",
            &[("class", "muted")],
            &format!("({})", parts.join(", ")),
        );
    }
    if teachers > 0 {
        if n > 0 {
            h.raw("<br>");
        }
        let text = format!(
            "{teachers} {}",
            lang.noun(teachers, ["учит."; 3], ["teacher", "teachers"])
        );
        h.text(&text);
    }
    h.close("td");
}

// ---------------------------------------------------------------------------------------
// Timetable grids: one per school, periods down, rooms across.

fn timetable_section(h: &mut Html, input: &ReportInput) {
    let (net, lang) = (input.net, input.lang);
    section_start(h, lang, 3);
    h.el(
        "p",
        &[("class", "note")],
        lang.pick(
            "В клетке: курс, учитель, число учащихся и школы, откуда они (код школы и сколько). Пунктирная рамка — дистанционная группа: учащиеся остаются в своих школах. Штриховка — кабинет недоступен.",
            "In a cell: course, teacher, number of students and their home schools (school id and how many). Dashed border: a distance group, its students stay at their home schools. Hatched: the room is not available.",
        ),
    );
    for s in 0..net.schools.len() {
        school_grid(h, input, SchoolId::from(s));
    }
    h.close("section");
}

/// Which groups sit in each (period, room) of a school.
fn occupancy(input: &ReportInput, school: SchoolId, rooms: &[usize]) -> Vec<Vec<Vec<usize>>> {
    let net = input.net;
    let mut cells = vec![vec![Vec::new(); rooms.len()]; net.num_periods()];
    for (gi, g) in input.disk.plan.groups.iter().enumerate() {
        if g.school != school {
            continue;
        }
        let Some(col) = rooms.iter().position(|&r| r == g.room.idx()) else {
            continue;
        };
        for p in g.periods(net) {
            if let Some(row) = cells.get_mut(p) {
                row[col].push(gi);
            }
        }
    }
    cells
}

fn school_grid(h: &mut Html, input: &ReportInput, school: SchoolId) {
    let (net, lang) = (input.net, input.lang);
    let s = &net.schools[school.idx()];
    let rooms: Vec<usize> = (0..net.rooms.len())
        .filter(|&r| net.rooms[r].school == school)
        .collect();
    let title = format!("{} ({})", s.name, s.id);
    h.el("h3", &[("id", &format!("tt-{}", s.id))], &title);
    let hosted = input
        .disk
        .plan
        .groups
        .iter()
        .filter(|g| g.school == school)
        .count()
        .to_string();
    if hosted == "0" {
        h.el(
            "p",
            &[("class", "note")],
            lang.pick("Групп в этой школе нет.", "No groups at this school."),
        );
    }
    h.open(
        "table",
        &[
            ("class", "grid"),
            ("data-school", &s.id),
            ("data-groups", &hosted),
        ],
    );
    h.open("tr", &[]);
    h.el("th", &[("class", "period")], lang.pick("Урок", "Period"));
    for &r in &rooms {
        room_header(h, input, r);
    }
    if rooms.is_empty() {
        h.el(
            "th",
            &[],
            lang.pick("В школе нет кабинетов в rooms.csv", "No rooms in rooms.csv"),
        );
    }
    h.close("tr");
    let cells = occupancy(input, school, &rooms);
    let mut covered = vec![0usize; rooms.len()];
    for (p, row) in cells.iter().enumerate() {
        h.open("tr", &[]);
        let label = format!(
            "{} · {}–{}",
            p + 1,
            Hhmm(net.periods[p].start),
            Hhmm(net.periods[p].end)
        );
        h.el("th", &[("class", "period")], &label);
        for (col, groups) in row.iter().enumerate() {
            if covered[col] > p {
                continue;
            }
            let span = spanned(input, &cells, p, col);
            covered[col] = p + span;
            grid_cell(h, input, rooms[col], p, groups, span);
        }
        if rooms.is_empty() {
            h.el("td", &[], "");
        }
        h.close("tr");
    }
    h.close("table");
}

fn room_header(h: &mut Html, input: &ReportInput, r: usize) {
    let (net, lang) = (input.net, input.lang);
    let room = &net.rooms[r];
    h.open("th", &[]).text(&room.id).raw("<br>");
    let kind = crate::lang::kind_label(net.kind_name(room.kind), lang);
    let detail = format!(
        "{kind}, {}",
        lang.count(
            room.capacity as usize,
            ["место", "места", "мест"],
            ["seat", "seats"]
        )
    );
    h.el("span", &[("class", "muted")], &detail).close("th");
}

/// How many periods the cell at (p, col) spans: a lone group's whole length when it
/// starts here and nothing else shares its periods in this room, else 1.
fn spanned(input: &ReportInput, cells: &[Vec<Vec<usize>>], p: usize, col: usize) -> usize {
    let [gi] = cells[p][col][..] else {
        return 1;
    };
    let g = &input.disk.plan.groups[gi];
    if g.first != p {
        return 1;
    }
    let end = g.periods(input.net).end.min(cells.len());
    if (p..end).all(|q| cells[q][col] == [gi]) {
        end - p
    } else {
        1
    }
}

fn grid_cell(
    h: &mut Html,
    input: &ReportInput,
    room: usize,
    p: usize,
    groups: &[usize],
    span: usize,
) {
    let net = input.net;
    let rowspan = span.to_string();
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if span > 1 {
        attrs.push(("rowspan", &rowspan));
    }
    let Some(&first) = groups.first() else {
        if !net.rooms[room].periods.contains(p) {
            attrs.push(("class", "off"));
        }
        h.open("td", &attrs).close("td");
        return;
    };
    let g = &input.disk.plan.groups[first];
    let class = match g.mode {
        Mode::Distance => "group distance",
        Mode::InPerson => "group",
    };
    let style = format!("background:{}", course_colour(g.course.idx()));
    attrs.push(("class", class));
    attrs.push(("style", &style));
    h.open("td", &attrs);
    if groups.len() > 1 {
        h.el(
            "div",
            &[("class", "clash")],
            input.lang.pick("Два занятия сразу!", "Two groups at once!"),
        );
    }
    for &gi in groups {
        group_in_cell(h, input, gi, p);
    }
    h.close("td");
}

/// A pale colour per course (golden-angle hues), the same in every grid.
fn course_colour(course: usize) -> String {
    format!("hsl({}, 60%, 90%)", (course * 137) % 360)
}

fn group_in_cell(h: &mut Html, input: &ReportInput, gi: usize, p: usize) {
    let (net, lang) = (input.net, input.lang);
    let g = &input.disk.plan.groups[gi];
    let course = &net.courses[g.course.idx()];
    h.open("div", &[("data-group", &input.disk.group_ids[gi])]);
    h.el("b", &[], &course.name);
    if g.first != p {
        h.text(lang.pick("(продолжение) ", "(continued) "));
    }
    h.text(&net.teachers[g.teacher.idx()].name).raw("<br>");
    let size = format!("{} {}", g.members.len(), lang.pick("уч.", "st."));
    h.text(&size);
    if g.mode == Mode::Distance {
        h.raw(" ").el(
            "span",
            &[("class", "badge")],
            lang.pick("дистанционно", "distance"),
        );
    }
    h.raw(" ")
        .el("span", &[("class", "gid")], &input.disk.group_ids[gi])
        .raw("<br>");
    h.el("span", &[("class", "muted")], &home_schools(input, g));
    h.close("div");
}

/// "S01 12 · S03 4": the members' home schools.
fn home_schools(input: &ReportInput, g: &Group) -> String {
    let net = input.net;
    let mut by: BTreeMap<usize, usize> = BTreeMap::new();
    for s in &g.members {
        *by.entry(net.students[s.idx()].school.idx()).or_default() += 1;
    }
    by.iter()
        .map(|(s, n)| format!("{} {n}", net.schools[*s].id))
        .collect::<Vec<_>>()
        .join(" · ")
}

// ---------------------------------------------------------------------------------------
// Group lists.

fn groups_section(h: &mut Html, input: &ReportInput) {
    let lang = input.lang;
    section_start(h, lang, 4);
    if input.disk.plan.groups.is_empty() {
        h.el(
            "p",
            &[],
            lang.pick("В плане нет групп.", "The plan has no groups."),
        );
    }
    for gi in 0..input.disk.plan.groups.len() {
        group_details(h, input, gi);
    }
    h.close("section");
}

fn group_details(h: &mut Html, input: &ReportInput, gi: usize) {
    let (net, lang) = (input.net, input.lang);
    let g = &input.disk.plan.groups[gi];
    let id = &input.disk.group_ids[gi];
    h.open("details", &[("class", "group"), ("id", &format!("g-{id}"))]);
    h.open("summary", &[]);
    h.el(
        "b",
        &[],
        &format!("{id} · {}", net.courses[g.course.idx()].name),
    );
    let text = format!(
        " — {}, {} {}, {} ({}), {}, {} {}",
        school_name(net, g.school),
        lang.pick("каб.", "room"),
        net.rooms[g.room.idx()].id,
        periods_label(net, g, lang),
        group_time(net, g),
        net.teachers[g.teacher.idx()].name,
        g.members.len(),
        lang.noun(g.members.len(), ["уч."; 3], ["student", "students"]),
    );
    h.text(&text);
    if g.mode == Mode::Distance {
        h.raw(" ").el(
            "span",
            &[("class", "badge")],
            lang.pick("дистанционно", "distance"),
        );
    }
    h.close("summary");
    h.open("ol", &[("class", "members")]);
    for s in &g.members {
        let st = &net.students[s.idx()];
        h.open("li", &[]).text(&st.id).raw(" ");
        h.el("span", &[("class", "home")], school_name(net, st.school));
        h.close("li");
    }
    h.close("ol");
    h.close("details");
}

// ---------------------------------------------------------------------------------------
// Unserved choices.

fn unserved_section(h: &mut Html, input: &ReportInput, facts: &Facts) {
    let lang = input.lang;
    section_start(h, lang, 5);
    let rows = &facts.unserved;
    if rows.is_empty() {
        h.el(
            "p",
            &[],
            lang.pick(
                "Все выборы в пределах wants удовлетворены.",
                "Every choice within a student's wants is granted.",
            ),
        );
        h.close("section");
        return;
    }
    let source = match (facts.unserved_from_file, lang) {
        (true, Lang::Ru) => {
            "Причины — как их записал profnet в unserved.csv плана (на английском)."
        }
        (true, Lang::En) => "Reasons as written in the plan's unserved.csv.",
        (false, Lang::Ru) => {
            "В плане нет unserved.csv: выборы и причины рассчитаны по плану (на английском)."
        }
        (false, Lang::En) => {
            "The plan has no unserved.csv: choices and reasons are worked out from the plan."
        }
    };
    h.el("p", &[("class", "note")], source);
    unserved_by_course(h, input, rows);
    unserved_table(h, input, rows);
    h.close("section");
}

fn course_label(net: &Network, id: &str) -> String {
    match net.course_index(id) {
        Some(c) => format!("{} ({id})", net.courses[c.idx()].name),
        None => id.to_string(),
    }
}

fn unserved_by_course(h: &mut Html, input: &ReportInput, rows: &[UnservedRow]) {
    let lang = input.lang;
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *by.entry(r.course.as_str()).or_default() += 1;
    }
    let mut list: Vec<(&str, usize)> = by.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    h.el("h3", &[], lang.pick("По курсам", "By course"));
    h.open("table", &[("class", "unserved-courses")]);
    h.open("tr", &[]);
    h.el("th", &[], lang.pick("Курс", "Course"));
    h.el("th", &[], lang.pick("Не удовлетворено", "Unserved"));
    h.close("tr");
    for (c, n) in list {
        h.open("tr", &[]);
        h.el("td", &[], &course_label(input.net, c));
        h.el("td", &[("class", "n")], &n.to_string());
        h.close("tr");
    }
    h.close("table");
}

fn unserved_table(h: &mut Html, input: &ReportInput, rows: &[UnservedRow]) {
    let (net, lang) = (input.net, input.lang);
    let home: HashMap<&str, SchoolId> = net
        .students
        .iter()
        .map(|s| (s.id.as_str(), s.school))
        .collect();
    h.el("h3", &[], lang.pick("Все выборы", "Every choice"));
    h.open("table", &[("class", "unserved")]);
    h.open("tr", &[]);
    for (ru, en) in [
        ("Учащийся", "Student"),
        ("Школа", "School"),
        ("Курс", "Course"),
        ("Выбор №", "Rank"),
        ("Причина", "Reason"),
    ] {
        h.el("th", &[], lang.pick(ru, en));
    }
    h.close("tr");
    for row in rows {
        let UnservedRow {
            student,
            course,
            rank,
            ..
        } = row;
        let school = home
            .get(student.as_str())
            .map_or("—", |&s| school_name(net, s));
        h.open("tr", &[]);
        h.el("td", &[], student);
        h.el("td", &[], school);
        h.el("td", &[], &course_label(net, course));
        h.el("td", &[("class", "n")], rank);
        h.el("td", &[("class", "reason")], &row.reason_text(lang));
        h.close("tr");
    }
    h.close("table");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn widths_grow_with_flow_up_to_the_largest() {
        assert_eq!(width(1, 10), MIN_W);
        assert_eq!(width(10, 10), MAX_W);
        assert!(width(5, 10) > width(4, 10));
        assert_eq!(radius(0, 0), MIN_R);
        assert_eq!(radius(100, 100), MAX_R);
    }

    /// The part of `html` from `start` to the first `end` after it.
    fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
        let a = html.find(start).expect(start);
        let b = a + html[a..].find(end).expect(end);
        &html[a..b]
    }

    #[test]
    fn the_network_map_draws_every_school_and_road_without_a_plan() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
        let (net, _) = crate::input::load(&dir).unwrap();
        let tt = TravelTimes::new(&net);
        let html = network_map(&net, &tt, Lang::Ru);
        assert!(html.starts_with("<div class=\"network-map\">"), "{html}");
        assert!(html.trim_end().ends_with("</div>"));
        assert_eq!(
            html.matches("<circle class=\"school\"").count(),
            net.schools.len()
        );
        let links = between(&html, "<g class=\"links\">", "</g>");
        assert_eq!(links.matches("<line ").count(), net.links.len());
        assert!(!net.links.is_empty());
        // No plan: no trips, nor their legend.
        assert!(!html.contains("class=\"flows\""));
        assert!(!html.contains("поездки"));
        // Nothing a strict Content-Security-Policy would block.
        for bad in ["style=", "<style", "<script", "var(--"] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Circles by students; the hover text counts the choices within reach.
        let reach = crate::input::offer::reach(&net, &tt);
        let (i, big) = reach
            .iter()
            .enumerate()
            .max_by_key(|(_, r)| r.students)
            .unwrap();
        let s = &net.schools[i];
        let circle = between(&html, &format!("data-school=\"{}\"", s.id), "</circle>");
        assert!(
            circle.contains(&format!("r=\"{}\"", num(MAX_R))),
            "{circle}"
        );
        let title = format!(
            "{} ({}): учащихся: {}; выборов в пределах досягаемости: {} из {}",
            escape(&s.name),
            s.id,
            big.students,
            big.within,
            big.choices
        );
        assert!(circle.contains(&title), "{circle}");
        assert!(!html.contains("зачислены"));
    }

    #[test]
    fn the_network_map_escapes_names() {
        let files: &[(&str, &[u8])] = &[
            (
                "network.toml",
                b"name = \"t\"\nday_start = \"08:00\"\nday_end = \"17:00\"\nperiods = [\"09:00-09:45\", \"10:00-10:45\"]\n",
            ),
            (
                "schools.csv",
                b"id,name,lat,lon\nA,<script>alert('x')</script>,55.0,49.0\n\"B&<b>\",\"Q \"\"q\"\"\",55.1,49.2\n",
            ),
            ("links.csv", b"from,to,minutes\nA,B&<b>,12\n"),
            ("rooms.csv", b"school,id,capacity\nA,A1,30\n"),
            ("courses.csv", b"id,name\nC1,One\n"),
            ("teachers.csv", b"id,name,school,courses\nT1,One,A,C1\n"),
            ("students.csv", b"id,school,grade,choice_1\nS1,A,10,C1\nS2,B&<b>,10,C1\n"),
        ];
        let (net, _) = crate::input::load_from_memory(files).unwrap();
        let tt = TravelTimes::new(&net);
        let html = network_map(&net, &tt, Lang::En);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("data-school=\"B&amp;&lt;b&gt;\""));
        assert!(html.contains("Q &quot;q&quot;"));
        assert!(html.contains("12′"));
        assert_eq!(html.matches("<circle class=\"school\"").count(), 2);
        assert!(!html.contains("style="));
    }

    #[test]
    fn circle_layout_keeps_schools_apart() {
        let l = circle_layout(4);
        assert!(l.circle && l.fallback.iter().all(|&f| f));
        for i in 0..4 {
            for j in 0..i {
                let (a, b) = (l.pos[i], l.pos[j]);
                assert!((a.0 - b.0).hypot(a.1 - b.1) > 50.0);
            }
        }
    }
}

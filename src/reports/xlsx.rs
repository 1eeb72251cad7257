//! plan.xlsx: the plan as an Excel workbook for the people who run the day.
//!
//! Sheets, in this order (names and headers in Russian, or English with `--lang en`):
//!
//! | sheet | rows |
//! |---|---|
//! | KPIs / Показатели | every SPEC §4 figure: label, value, and the SPEC key (`placements`, …) |
//! | Groups / Группы | one row per groups.csv row, in its order |
//! | Timetable / Расписание | one block per school: periods × rooms, each cell `course id and name / teacher / size` |
//! | Students / Ученики | one row per student and choice: granted where and when, or not and why |
//! | Teachers / Учителя | one row per teacher and group (one for a teacher without a group), with travel |
//! | Transport / Транспорт | transport.csv with the load after each stop, or a note when there is no fleet |
//! | Unserved / Невыполненные выборы | unserved.csv with names added |
//!
//! Ids are written as text (`007` keeps its zeros), counts as numbers, clock times as
//! Excel times shown `HH:MM`, shares as percentages. Every table sheet has its header
//! row bold, frozen and filtered; the timetable freezes its period and time columns.
//! The workbook is the same bytes for the same input: its creation date is the profile
//! day, not the time of writing.
//!
//! A plan that breaks a rule of SPEC §3 (a group running past the last period, a room
//! holding two groups) is shown as it is, never a panic: a missing clock time is left
//! empty and groups that share a timetable cell are listed in it one after another.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::ReportInput;
use crate::lang::Lang;
use crate::model::{Hhmm, Minute, Network};
use crate::plan::kpi::{Unit, CATALOGUE};
use crate::plan::{Group, Mode};

/// Writes plan.xlsx (file path given).
pub fn write(input: &ReportInput, path: &Path) -> anyhow::Result<()> {
    let bytes = workbook(input).context("building plan.xlsx")?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The workbook's bytes.
pub fn workbook(input: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let l = input.lang;
    let d = input.date;
    let created = u16::try_from(d.year)
        .ok()
        .and_then(|y| ExcelDateTime::from_ymd(y, d.month as u8, d.day as u8).ok())
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} — {}", input.net.name, input.date))
            .set_author("profnet")
            .set_creation_datetime(&created),
    );
    let f = Formats::new();
    kpi_sheet(
        input,
        Sheet::new(&mut wb, l.pick("Показатели", "KPIs"))?,
        &f,
    )?;
    groups_sheet(input, Sheet::new(&mut wb, l.pick("Группы", "Groups"))?, &f)?;
    timetable_sheet(
        input,
        Sheet::new(&mut wb, l.pick("Расписание", "Timetable"))?,
        &f,
    )?;
    students_sheet(
        input,
        Sheet::new(&mut wb, l.pick("Ученики", "Students"))?,
        &f,
    )?;
    teachers_sheet(
        input,
        Sheet::new(&mut wb, l.pick("Учителя", "Teachers"))?,
        &f,
    )?;
    transport_sheet(
        input,
        Sheet::new(&mut wb, l.pick("Транспорт", "Transport"))?,
        &f,
    )?;
    let unserved = l.pick("Невыполненные выборы", "Unserved");
    unserved_sheet(input, Sheet::new(&mut wb, unserved)?, &f)?;
    wb.save_to_buffer()
}

// ---- what reports share ------------------------------------------------------------

/// When a group runs: 1-based first and last period, and its clock times where the day
/// has those periods (a plan read from disk may run a group past the last period).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub first: usize,
    pub last: usize,
    pub start: Option<Minute>,
    pub end: Option<Minute>,
}

impl Slot {
    pub(crate) fn of(net: &Network, g: &Group) -> Slot {
        let len = net.courses[g.course.idx()].periods.max(1);
        let last = g.first + len - 1;
        Slot {
            first: g.first + 1,
            last: last + 1,
            start: net.periods.get(g.first).map(|p| p.start),
            end: net.periods.get(last).map(|p| p.end),
        }
    }

    /// `3` or `3–4` (an en dash: Excel does not take it for a date).
    pub(crate) fn periods_label(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}–{}", self.first, self.last)
        }
    }

    /// `09:00–09:45`, with `?` for a time the day does not have.
    pub(crate) fn time_label(&self) -> String {
        let t = |m: Option<Minute>| m.map_or("?".to_string(), |m| Hhmm(m).to_string());
        format!("{}–{}", t(self.start), t(self.end))
    }
}

/// `in person` / `distance` in the report's language.
pub(crate) fn mode_label(lang: Lang, mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => lang.pick("очно", "in person"),
        Mode::Distance => lang.pick("дистанционно", "distance"),
    }
}

/// Whether member `s` of group `g` comes from another school (their home school is
/// not the group's; for a distance group: is taught from another school).
pub(crate) fn is_visitor(net: &Network, g: &Group, s: crate::model::StudentId) -> bool {
    net.students[s.idx()].school != g.school
}

// ---- cells and sheets --------------------------------------------------------------

struct Formats {
    header: Format,
    title: Format,
    time: Format,
    pct: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin)
                .set_background_color(0xDDEBF7),
            title: Format::new().set_bold().set_font_size(12),
            time: Format::new()
                .set_num_format("hh:mm")
                .set_align(FormatAlign::Left),
            pct: Format::new()
                .set_num_format("0.0%")
                .set_align(FormatAlign::Left),
            wrap: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_border(FormatBorder::Thin),
        }
    }
}

/// One cell's content.
#[derive(Clone, Debug)]
enum Cell {
    Text(String),
    Num(f64),
    /// Minutes since midnight, shown `HH:MM`.
    Time(Minute),
    /// A share, shown as a percentage.
    Pct(f64),
    Empty,
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(v: usize) -> Cell {
    Cell::Num(v as f64)
}

fn time(m: Option<Minute>) -> Cell {
    m.map_or(Cell::Empty, Cell::Time)
}

/// Excel's limit on the length of a cell's text.
const MAX_CELL_CHARS: usize = 32_767;

/// A worksheet being filled row by row; it keeps the widths its columns need.
struct Sheet<'w> {
    ws: &'w mut Worksheet,
    widths: Vec<usize>,
    row: u32,
    /// The row of the table header, if the sheet is one table.
    header: Option<(u32, u16)>,
    /// Rows that start a new printed page (the timetable: one school per page).
    breaks: Vec<u32>,
}

impl<'w> Sheet<'w> {
    fn new(wb: &'w mut Workbook, name: &str) -> Result<Self, XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            widths: Vec::new(),
            row: 0,
            header: None,
            breaks: Vec::new(),
        })
    }

    fn fit(&mut self, col: u16, chars: usize) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(chars);
    }

    fn text(&mut self, col: u16, s: &str, f: Option<&Format>) -> Result<(), XlsxError> {
        let s: String = if s.chars().count() > MAX_CELL_CHARS {
            s.chars().take(MAX_CELL_CHARS).collect()
        } else {
            s.to_string()
        };
        // The widest line of a wrapped cell counts.
        let chars = s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        self.fit(col, chars);
        match f {
            Some(f) => self.ws.write_string_with_format(self.row, col, s, f)?,
            None => self.ws.write_string(self.row, col, s)?,
        };
        Ok(())
    }

    /// Writes a line of text in column A that may run across the columns to its right
    /// (a title or a note; it does not widen column A), and moves to the next row.
    fn line(&mut self, s: &str, f: Option<&Format>) -> Result<(), XlsxError> {
        let s: String = s.chars().take(MAX_CELL_CHARS).collect();
        match f {
            Some(f) => self.ws.write_string_with_format(self.row, 0, s, f)?,
            None => self.ws.write_string(self.row, 0, s)?,
        };
        self.row += 1;
        Ok(())
    }

    /// Writes a table's header row (bold) and remembers it for freezing and filtering.
    fn header(&mut self, cells: &[&str], f: &Formats) -> Result<(), XlsxError> {
        for (j, c) in cells.iter().enumerate() {
            self.text(j as u16, c, Some(&f.header))?;
        }
        self.header = Some((self.row, cells.len().max(1) as u16));
        self.row += 1;
        Ok(())
    }

    /// Writes one cell of the current row.
    fn cell(&mut self, col: u16, c: Cell, f: &Formats) -> Result<(), XlsxError> {
        match c {
            Cell::Text(s) if !s.is_empty() => self.text(col, &s, None)?,
            Cell::Text(_) | Cell::Empty => {}
            Cell::Num(v) => {
                self.fit(col, format!("{v}").len());
                self.ws.write_number(self.row, col, v)?;
            }
            Cell::Time(m) => {
                self.fit(col, 5);
                self.ws
                    .write_number_with_format(self.row, col, f64::from(m) / 1440.0, &f.time)?;
            }
            Cell::Pct(v) => {
                self.fit(col, 6);
                self.ws.write_number_with_format(self.row, col, v, &f.pct)?;
            }
        }
        Ok(())
    }

    /// Writes a row of cells from column A and moves to the next row.
    fn cells(&mut self, cells: Vec<Cell>, f: &Formats) -> Result<(), XlsxError> {
        for (j, c) in cells.into_iter().enumerate() {
            self.cell(j as u16, c, f)?;
        }
        self.row += 1;
        Ok(())
    }

    /// Sets column widths; freezes and filters the header row of a table sheet; sets
    /// up printing: A4, landscape where the columns are wide, fitted to the page width,
    /// the header row repeated on every page, the sheet's name and page numbers.
    fn finish(self) -> Result<(), XlsxError> {
        let mut total = 0.0;
        for (j, w) in self.widths.iter().enumerate() {
            let width = (*w + 2).clamp(6, 60) as f64;
            total += width;
            self.ws.set_column_width(j as u16, width)?;
        }
        if let Some((hr, cols)) = self.header {
            self.ws.set_freeze_panes(hr + 1, 0)?;
            self.ws
                .autofilter(hr, 0, self.row.saturating_sub(1).max(hr), cols - 1)?;
            self.ws.set_repeat_rows(hr, hr)?;
        }
        self.ws.set_paper_size(9); // A4
                                   // About 90 characters of the default font fit across a portrait A4 page.
        if total > 90.0 {
            self.ws.set_landscape();
        }
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
        self.ws.set_header("&L&A");
        self.ws.set_footer("&C&P / &N");
        if !self.breaks.is_empty() {
            self.ws.set_page_breaks(&self.breaks)?;
        }
        Ok(())
    }
}

// ---- the sheets --------------------------------------------------------------------

fn kpi_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let l = input.lang;
    let k = &input.kpis;
    sh.header(
        &[
            l.pick("Показатель", "Indicator"),
            l.pick("Значение", "Value"),
            l.pick("Ключ (SPEC §4)", "Key (SPEC §4)"),
        ],
        f,
    )?;
    let summary = input.disk.summary.as_ref();
    let status = summary
        .and_then(|s| s.get("status"))
        .and_then(|v| v.as_str())
        .map(|s| match (l, s) {
            (Lang::Ru, "optimal") => "оптимальный".to_string(),
            (Lang::Ru, "feasible") => "допустимый".to_string(),
            (Lang::Ru, "infeasible") => "недопустимый".to_string(),
            (Lang::Ru, "error") => "ошибка".to_string(),
            _ => s.to_string(),
        });
    let num = |key: &str| {
        summary
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_f64())
            .map_or(Cell::Empty, Cell::Num)
    };
    let gap = summary
        .and_then(|s| s.get("gap"))
        .and_then(|v| v.as_f64())
        .map_or(Cell::Empty, Cell::Pct);
    let mut rows: Vec<(&str, Cell, &str)> = vec![
        (
            l.pick("Сеть", "Network"),
            t(input.net.name.clone()),
            "network",
        ),
        (
            l.pick("Профильный день", "Profile day"),
            t(input.date.to_string()),
            "date",
        ),
        (
            l.pick("Статус решения", "Solver status"),
            status.map_or(Cell::Empty, t),
            "status",
        ),
        (
            l.pick("Верхняя оценка зачислений", "Bound on placements"),
            num("bound"),
            "bound",
        ),
        (l.pick("Разрыв до оценки", "Gap to the bound"), gap, "gap"),
        (
            l.pick("Время решения, с", "Solve time, s"),
            num("solve_seconds"),
            "solve_seconds",
        ),
    ];
    // The plan's figures, after the network, date and status.
    let figures = CATALOGUE.iter().map(|kpi| {
        let value = match (kpi.number(k), kpi.unit) {
            (Some(v), Unit::Share) => Cell::Pct(v),
            (Some(v), _) => Cell::Num(v),
            (None, _) => k.worst_school.clone().map_or(Cell::Empty, t),
        };
        (kpi.label(l), value, kpi.key)
    });
    rows.splice(3..3, figures);
    for (label, value, key) in rows {
        sh.cells(vec![t(label), value, t(key)], f)?;
    }
    sh.finish()
}

fn groups_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (net, l) = (input.net, input.lang);
    sh.header(
        &[
            l.pick("Группа", "Group"),
            l.pick("Курс", "Course"),
            l.pick("Название курса", "Course name"),
            l.pick("Школа", "School"),
            l.pick("Название школы", "School name"),
            l.pick("Кабинет", "Room"),
            l.pick("Учитель", "Teacher"),
            l.pick("ФИО учителя", "Teacher name"),
            l.pick("Школа учителя", "Teacher's school"),
            l.pick("Первый урок", "First period"),
            l.pick("Уроков", "Periods"),
            l.pick("Начало", "Start"),
            l.pick("Конец", "End"),
            l.pick("Форма", "Mode"),
            l.pick("Учеников", "Size"),
            l.pick("Из других школ", "From other schools"),
            l.pick("Мест в кабинете", "Room capacity"),
        ],
        f,
    )?;
    for (gi, g) in input.disk.plan.groups.iter().enumerate() {
        let c = &net.courses[g.course.idx()];
        let te = &net.teachers[g.teacher.idx()];
        let slot = Slot::of(net, g);
        let visitors = g.members.iter().filter(|&&s| is_visitor(net, g, s)).count();
        sh.cells(
            vec![
                t(input.disk.group_ids.get(gi).cloned().unwrap_or_default()),
                t(c.id.clone()),
                t(c.name.clone()),
                t(net.schools[g.school.idx()].id.clone()),
                t(net.schools[g.school.idx()].name.clone()),
                t(net.rooms[g.room.idx()].id.clone()),
                t(te.id.clone()),
                t(te.name.clone()),
                t(net.schools[te.school.idx()].id.clone()),
                n(slot.first),
                n(c.periods),
                time(slot.start),
                time(slot.end),
                t(mode_label(l, g.mode)),
                n(g.members.len()),
                n(visitors),
                Cell::Num(f64::from(net.rooms[g.room.idx()].capacity)),
            ],
            f,
        )?;
    }
    sh.finish()
}

fn timetable_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (net, l) = (input.net, input.lang);
    let plan = &input.disk.plan;
    // The widths of the period and time columns.
    sh.fit(0, l.pick("Урок", "Period").chars().count());
    sh.fit(1, 11);
    for (si, school) in net.schools.iter().enumerate() {
        let rooms: Vec<usize> = (0..net.rooms.len())
            .filter(|&r| net.rooms[r].school.idx() == si)
            .collect();
        if sh.row > 0 {
            // Each school's timetable on its own page.
            sh.breaks.push(sh.row);
        }
        sh.line(&format!("{} — {}", school.id, school.name), Some(&f.title))?;
        if rooms.is_empty() {
            sh.line(
                l.pick(
                    "в наборе нет кабинетов этой школы",
                    "the bundle has no rooms at this school",
                ),
                None,
            )?;
            sh.row += 1;
            continue;
        }
        // Past Excel's last column the writer returns an error.
        let col_of: HashMap<usize, u16> = rooms
            .iter()
            .enumerate()
            .map(|(j, &r)| (r, u16::try_from(j + 2).unwrap_or(u16::MAX)))
            .collect();
        sh.text(0, l.pick("Урок", "Period"), Some(&f.header))?;
        sh.text(1, l.pick("Время", "Time"), Some(&f.header))?;
        for &r in &rooms {
            let room = &net.rooms[r];
            let label = format!(
                "{} ({}, {})",
                room.id,
                crate::lang::kind_label(net.kind_name(room.kind), l),
                l.count(
                    room.capacity as usize,
                    ["место", "места", "мест"],
                    ["seat", "seats"]
                )
            );
            sh.text(col_of[&r], &label, Some(&f.header))?;
        }
        sh.row += 1;
        // cells[period][room column] = the groups there, in groups.csv order.
        let np = net.num_periods();
        let mut cells: Vec<Vec<Vec<String>>> = vec![vec![Vec::new(); rooms.len()]; np];
        let mut unplaced = Vec::new();
        for g in plan.groups.iter().filter(|g| g.school.idx() == si) {
            let c = &net.courses[g.course.idx()];
            let mut label = format!(
                "{} {} / {} / {}",
                c.id,
                c.name,
                net.teachers[g.teacher.idx()].id,
                g.members.len()
            );
            if g.mode == Mode::Distance {
                label.push_str(l.pick(" / дистанционно", " / distance"));
            }
            let slot = Slot::of(net, g);
            let Some(&col) = col_of.get(&g.room.idx()) else {
                unplaced.push(label);
                continue;
            };
            for p in (slot.first - 1)..slot.last {
                match cells.get_mut(p) {
                    Some(row) => row[usize::from(col) - 2].push(label.clone()),
                    None => {
                        unplaced.push(format!("{label} ({} {})", l.pick("урок", "period"), p + 1))
                    }
                }
            }
        }
        for (p, row) in cells.iter().enumerate() {
            let pt = net.periods[p];
            sh.cell(0, n(p + 1), f)?;
            sh.cell(1, t(format!("{}–{}", Hhmm(pt.start), Hhmm(pt.end))), f)?;
            for (j, groups) in row.iter().enumerate() {
                let col = (j + 2) as u16;
                sh.text(col, &groups.join("\n"), Some(&f.wrap))?;
            }
            sh.row += 1;
        }
        if !unplaced.is_empty() {
            let note = format!(
                "{}: {}",
                l.pick(
                    "вне сетки уроков или кабинетов (план нарушает правила)",
                    "outside the day's periods or rooms (the plan breaks a rule)"
                ),
                unplaced.join("; ")
            );
            sh.line(&note, None)?;
        }
        sh.row += 1;
    }
    sh.ws.set_freeze_panes(0, 2)?;
    sh.finish()
}

fn students_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (net, l) = (input.net, input.lang);
    let plan = &input.disk.plan;
    sh.header(
        &[
            l.pick("Ученик", "Student"),
            l.pick("Школа", "School"),
            l.pick("Название школы", "School name"),
            l.pick("Класс", "Grade"),
            l.pick("Выбор №", "Choice no."),
            l.pick("Курс", "Course"),
            l.pick("Название курса", "Course name"),
            l.pick("Итог", "Outcome"),
            l.pick("Группа", "Group"),
            l.pick("Где проходит", "Taught at"),
            l.pick("Форма", "Mode"),
            l.pick("Уроки", "Periods"),
            l.pick("Начало", "Start"),
            l.pick("Конец", "End"),
            l.pick("Кабинет", "Room"),
            l.pick("Учитель", "Teacher"),
            l.pick("Причина", "Reason"),
        ],
        f,
    )?;
    let reasons: HashMap<(&str, &str), String> = input
        .disk
        .unserved
        .iter()
        .flatten()
        .map(|u| ((u.student.as_str(), u.course.as_str()), u.reason_text(l)))
        .collect();
    let by_student = plan.student_groups(net);
    for (s, st) in net.students.iter().enumerate() {
        let school = &net.schools[st.school.idx()];
        let who = || {
            vec![
                t(st.id.clone()),
                t(school.id.clone()),
                t(school.name.clone()),
                n(st.grade as usize),
            ]
        };
        let mut rows = 0;
        for (r, &c) in st.choices.iter().enumerate() {
            let course = &net.courses[c.idx()];
            let choice = || {
                let mut row = who();
                row.extend([n(r + 1), t(course.id.clone()), t(course.name.clone())]);
                row
            };
            // One group per course, unless the plan breaks rule 5: then a row each.
            let granted: Vec<usize> = by_student[s]
                .iter()
                .copied()
                .filter(|&g| plan.groups[g].course == c)
                .collect();
            for &gi in &granted {
                let mut row = choice();
                row.push(t(l.pick("зачислен", "granted")));
                row.extend(placement(input, gi));
                sh.cells(row, f)?;
            }
            if granted.is_empty() {
                let mut row = choice();
                if r < st.wants {
                    row.push(t(l.pick("не обеспечен", "unserved")));
                    row.extend((0..8).map(|_| Cell::Empty));
                    let why = reasons.get(&(st.id.as_str(), course.id.as_str()));
                    row.push(why.map_or(Cell::Empty, |w| t(w.clone())));
                } else {
                    row.push(t(
                        l.pick("запасной выбор, не понадобился", "alternate, not needed")
                    ));
                }
                sh.cells(row, f)?;
            }
            rows += 1;
        }
        // Groups of a course the student did not choose (a plan that breaks rule 5).
        for &gi in &by_student[s] {
            let course = &net.courses[plan.groups[gi].course.idx()];
            if st.rank_of(plan.groups[gi].course).is_some() {
                continue;
            }
            let mut row = who();
            row.extend([Cell::Empty, t(course.id.clone()), t(course.name.clone())]);
            row.push(t(
                l.pick("зачислен, но не выбирал", "placed, but not chosen")
            ));
            row.extend(placement(input, gi));
            sh.cells(row, f)?;
            rows += 1;
        }
        if rows == 0 {
            let mut row = who();
            row.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
            row.push(t(l.pick("выборов нет", "no choices")));
            sh.cells(row, f)?;
        }
    }
    sh.finish()
}

/// Group, place, mode, periods, start, end, room, teacher of group `gi`.
fn placement(input: &ReportInput, gi: usize) -> Vec<Cell> {
    let net = input.net;
    let g = &input.disk.plan.groups[gi];
    let slot = Slot::of(net, g);
    vec![
        t(input.disk.group_ids.get(gi).cloned().unwrap_or_default()),
        t(net.schools[g.school.idx()].id.clone()),
        t(mode_label(input.lang, g.mode)),
        t(slot.periods_label()),
        time(slot.start),
        time(slot.end),
        t(net.rooms[g.room.idx()].id.clone()),
        t(net.teachers[g.teacher.idx()].id.clone()),
    ]
}

fn teachers_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (net, l) = (input.net, input.lang);
    let plan = &input.disk.plan;
    sh.header(
        &[
            l.pick("Учитель", "Teacher"),
            l.pick("ФИО", "Name"),
            l.pick("Своя школа", "Home school"),
            l.pick("Ездит", "Travels"),
            l.pick("Группа", "Group"),
            l.pick("Курс", "Course"),
            l.pick("Название курса", "Course name"),
            l.pick("Где", "Where"),
            l.pick("Кабинет", "Room"),
            l.pick("Форма", "Mode"),
            l.pick("Уроки", "Periods"),
            l.pick("Начало", "Start"),
            l.pick("Конец", "End"),
            l.pick("Учеников", "Size"),
            l.pick("Едет из", "Comes from"),
            l.pick("В пути, мин", "Travel, min"),
            l.pick("Выезд из своей школы", "Leaves home school"),
            l.pick("Возвращение", "Back at home school"),
            l.pick("В пути за день, мин", "Travel in the day, min"),
        ],
        f,
    )?;
    // The teacher's legs in routes.csv: first departure, last arrival, minutes.
    let mut legs: HashMap<&str, (Minute, Minute, u64)> = HashMap::new();
    for r in input.disk.routes.iter().flatten() {
        if r.role != "teacher" {
            continue;
        }
        let e = legs
            .entry(r.person.as_str())
            .or_insert((r.depart, r.arrive, 0));
        e.0 = e.0.min(r.depart);
        e.1 = e.1.max(r.arrive);
        e.2 += u64::from(r.arrive.saturating_sub(r.depart));
    }
    let by_teacher = plan.teacher_groups(net);
    for (ti, te) in net.teachers.iter().enumerate() {
        let who = vec![
            t(te.id.clone()),
            t(te.name.clone()),
            t(net.schools[te.school.idx()].id.clone()),
            t(if te.travels {
                l.pick("да", "yes")
            } else {
                l.pick("нет", "no")
            }),
        ];
        let day = legs.get(te.id.as_str());
        let day_cells = || match day {
            Some(&(leave, back, minutes)) => {
                vec![
                    Cell::Time(leave),
                    Cell::Time(back),
                    Cell::Num(minutes as f64),
                ]
            }
            None => vec![Cell::Empty, Cell::Empty, Cell::Num(0.0)],
        };
        if by_teacher[ti].is_empty() {
            let mut row = who;
            row.extend([Cell::Empty, Cell::Empty]);
            row.push(t(l.pick(
                "нет групп в профильный день",
                "no group on the profile day",
            )));
            sh.cells(row, f)?;
            continue;
        }
        let mut place = te.school;
        for &gi in &by_teacher[ti] {
            let g = &plan.groups[gi];
            let c = &net.courses[g.course.idx()];
            let slot = Slot::of(net, g);
            let mut row = who.clone();
            row.extend([
                t(input.disk.group_ids.get(gi).cloned().unwrap_or_default()),
                t(c.id.clone()),
                t(c.name.clone()),
                t(net.schools[g.school.idx()].id.clone()),
                t(net.rooms[g.room.idx()].id.clone()),
                t(mode_label(l, g.mode)),
                t(slot.periods_label()),
                time(slot.start),
                time(slot.end),
                n(g.members.len()),
            ]);
            if place != g.school {
                row.push(t(net.schools[place.idx()].id.clone()));
                row.push(match input.tt.get(place, g.school) {
                    Some(m) => Cell::Num(f64::from(m)),
                    None => t(l.pick("нет пути", "unreachable")),
                });
            } else {
                row.extend([Cell::Empty, Cell::Empty]);
            }
            row.extend(day_cells());
            sh.cells(row, f)?;
            place = g.school;
        }
    }
    sh.finish()
}

fn transport_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (net, l) = (input.net, input.lang);
    sh.header(
        &[
            l.pick("Автобус", "Vehicle"),
            l.pick("База", "Based at"),
            l.pick("Мест", "Seats"),
            l.pick("Рейс", "Trip"),
            l.pick("Остановка", "Stop"),
            l.pick("Школа", "School"),
            l.pick("Название школы", "School name"),
            l.pick("Прибытие", "Arrive"),
            l.pick("Отправление", "Depart"),
            l.pick("Садятся", "Board"),
            l.pick("Выходят", "Alight"),
            l.pick("В салоне после остановки", "On board after the stop"),
        ],
        f,
    )?;
    let rows = input.disk.transport.as_deref().unwrap_or(&[]);
    if rows.is_empty() {
        let note = if net.vehicles.is_empty() {
            l.pick(
                "Автобусов в сети нет (в наборе нет vehicles.csv): ученики и учителя едут сами, по времени из links.csv.",
                "No fleet: the bundle has no vehicles.csv; students and teachers travel on their own, by the times of links.csv.",
            )
        } else if input.disk.transport.is_none() {
            l.pick(
                "В плане нет transport.csv: расписание автобусов не составлено.",
                "The plan has no transport.csv: no bus schedule was made.",
            )
        } else {
            l.pick(
                "Рейсов нет: никому не нужно ехать в другую школу.",
                "No trips: nobody needs to travel to another school.",
            )
        };
        sh.line(note, None)?;
        return sh.finish();
    }
    let vehicle: HashMap<&str, &crate::model::Vehicle> =
        net.vehicles.iter().map(|v| (v.id.as_str(), v)).collect();
    let school: HashMap<&str, &crate::model::School> =
        net.schools.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut load: i64 = 0;
    let mut trip: Option<(&str, usize)> = None;
    for r in rows {
        if trip != Some((r.vehicle.as_str(), r.trip)) {
            trip = Some((r.vehicle.as_str(), r.trip));
            load = 0;
        }
        load += r.board as i64 - r.alight as i64;
        let v = vehicle.get(r.vehicle.as_str());
        sh.cells(
            vec![
                t(r.vehicle.clone()),
                v.map_or(Cell::Empty, |v| t(net.schools[v.school.idx()].id.clone())),
                v.map_or(Cell::Empty, |v| Cell::Num(f64::from(v.seats))),
                n(r.trip),
                n(r.stop),
                t(r.school.clone()),
                school
                    .get(r.school.as_str())
                    .map_or(Cell::Empty, |s| t(s.name.clone())),
                time(r.arrive),
                time(r.depart),
                n(r.board),
                n(r.alight),
                Cell::Num(load as f64),
            ],
            f,
        )?;
    }
    sh.finish()
}

fn unserved_sheet(input: &ReportInput, mut sh: Sheet, f: &Formats) -> Result<(), XlsxError> {
    let (net, l) = (input.net, input.lang);
    sh.header(
        &[
            l.pick("Ученик", "Student"),
            l.pick("Школа", "School"),
            l.pick("Название школы", "School name"),
            l.pick("Класс", "Grade"),
            l.pick("Курс", "Course"),
            l.pick("Название курса", "Course name"),
            l.pick("Выбор №", "Choice no."),
            l.pick("Причина", "Reason"),
        ],
        f,
    )?;
    let Some(rows) = &input.disk.unserved else {
        sh.line(
            l.pick("В плане нет unserved.csv.", "The plan has no unserved.csv."),
            None,
        )?;
        return sh.finish();
    };
    let student: HashMap<&str, &crate::model::Student> =
        net.students.iter().map(|s| (s.id.as_str(), s)).collect();
    let course: HashMap<&str, &crate::model::Course> =
        net.courses.iter().map(|c| (c.id.as_str(), c)).collect();
    for row in rows {
        let crate::planfile::UnservedRow {
            student: s,
            course: c,
            rank,
            ..
        } = row;
        let st = student.get(s.as_str());
        let home = st.map(|st| &net.schools[st.school.idx()]);
        sh.cells(
            vec![
                t(s.clone()),
                home.map_or(Cell::Empty, |h| t(h.id.clone())),
                home.map_or(Cell::Empty, |h| t(h.name.clone())),
                st.map_or(Cell::Empty, |st| n(st.grade as usize)),
                t(c.clone()),
                course
                    .get(c.as_str())
                    .map_or(Cell::Empty, |c| t(c.name.clone())),
                rank.parse::<usize>().map_or_else(|_| t(rank.clone()), n),
                t(row.reason_text(l)),
            ],
            f,
        )?;
    }
    sh.finish()
}

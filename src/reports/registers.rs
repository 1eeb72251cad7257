//! registers/: attendance registers for host schools and credit-transfer lists for home
//! schools (directory path given, created if missing).
//!
//! Every file is CSV the way Excel opens it here: `;`-separated, UTF-8 with a BOM.
//!
//! - `attendance_<HOST>.csv`: **one file per host school**, for the students who come to
//!   it from other schools (the host's own students are on its usual registers). One
//!   row per group and visiting student, the group's details (course, teacher, periods
//!   with clock times, room, mode, date) repeated on each row and a last column to tick
//!   presence. Rows of a group are consecutive and numbered from 1, the groups in the
//!   order of the day. One file per school rather than one per group: the school office
//!   gets one file, not dozens; a flat table (rather than blocks with blank lines
//!   between them) stays a table in Excel, so filtering on the group column gives one
//!   group's register to print, and programs can read it back. Students of a distance
//!   group taught from the host are listed too (mode `distance`): the host teaches them
//!   and keeps their attendance, while they sit in their own school.
//! - `credits_<HOME>.csv`: **one file per home school** whose students take a course
//!   away from it (at another school, or by distance): student, course, where, mode,
//!   teacher and the teacher's school, periods and hours, so that the home school can
//!   credit the results (network form, art. 15 of the law on education).
//! - `index.csv`: every file written, with its kind, school and number of rows.
//!
//! A school with nothing to list gets no file. File names are made of school ids only:
//! characters other than letters, digits, `-` and `_` become `_`, and a name already
//! taken (ignoring case) gets `-2`, `-3`, … in the order of schools.csv; `index.csv`
//! says which school each file is for.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;

use super::xlsx::{is_visitor, mode_label, Slot};
use super::ReportInput;
use crate::lang::Lang;
use crate::model::Network;
use crate::plan::Mode;

/// Writes registers/ (directory path given, created if missing).
pub fn write(input: &ReportInput, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, bytes) in files(input) {
        let path = dir.join(&name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Every file of registers/ as (name, bytes), index.csv last.
pub fn files(input: &ReportInput) -> Vec<(String, Vec<u8>)> {
    let net = input.net;
    let l = input.lang;
    let stems = file_stems(net);
    let by_student = input.disk.plan.student_groups(net);
    let mut out = Vec::new();
    let mut index = vec![vec![
        l.pick("Файл", "file").to_string(),
        l.pick("Вид", "kind").into(),
        l.pick("Школа", "school").into(),
        l.pick("Название школы", "school name").into(),
        l.pick("Групп", "groups").into(),
        l.pick("Строк", "rows").into(),
    ]];
    for (si, school) in net.schools.iter().enumerate() {
        let (rows, groups) = attendance_rows(input, si);
        if rows.is_empty() {
            continue;
        }
        let name = format!("attendance_{}.csv", stems[si]);
        index.push(vec![
            name.clone(),
            l.pick("посещаемость", "attendance").into(),
            school.id.clone(),
            school.name.clone(),
            groups.to_string(),
            rows.len().to_string(),
        ]);
        out.push((name, csv(attendance_header(l), rows)));
    }
    for (si, school) in net.schools.iter().enumerate() {
        let (rows, groups) = credit_rows(input, &by_student, si);
        if rows.is_empty() {
            continue;
        }
        let name = format!("credits_{}.csv", stems[si]);
        index.push(vec![
            name.clone(),
            l.pick("зачёт результатов", "credit transfer").into(),
            school.id.clone(),
            school.name.clone(),
            groups.to_string(),
            rows.len().to_string(),
        ]);
        out.push((name, csv(credit_header(l), rows)));
    }
    let header = index.remove(0);
    out.push(("index.csv".into(), csv(header, index)));
    out
}

/// A safe, unique file-name stem per school (see the module documentation).
fn file_stems(net: &Network) -> Vec<String> {
    let mut taken = HashSet::new();
    net.schools
        .iter()
        .map(|s| {
            let mut base: String =
                s.id.chars()
                    .map(|c| {
                        if c.is_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .take(60)
                    .collect();
            if base.is_empty() {
                base = "school".into();
            }
            let mut stem = base.clone();
            let mut k = 2;
            while !taken.insert(stem.to_lowercase()) {
                stem = format!("{base}-{k}");
                k += 1;
            }
            stem
        })
        .collect()
}

fn date_label(input: &ReportInput) -> String {
    let d = input.date;
    match input.lang {
        Lang::Ru => format!("{:02}.{:02}.{:04}", d.day, d.month, d.year),
        Lang::En => d.to_string(),
    }
}

fn attendance_header(l: Lang) -> Vec<String> {
    [
        l.pick("Группа", "group"),
        l.pick("Курс", "course"),
        l.pick("Название курса", "course name"),
        l.pick("Учитель", "teacher"),
        l.pick("ФИО учителя", "teacher name"),
        l.pick("Уроки", "periods"),
        l.pick("Время", "time"),
        l.pick("Кабинет", "room"),
        l.pick("Форма", "mode"),
        l.pick("Дата", "date"),
        l.pick("№", "no."),
        l.pick("Ученик", "student"),
        l.pick("Класс", "grade"),
        l.pick("Школа ученика", "home school"),
        l.pick("Название школы ученика", "home school name"),
        l.pick("Присутствие", "present"),
    ]
    .map(String::from)
    .to_vec()
}

/// The rows of host school `si`'s attendance file, and the number of groups in it.
fn attendance_rows(input: &ReportInput, si: usize) -> (Vec<Vec<String>>, usize) {
    let net = input.net;
    let plan = &input.disk.plan;
    let date = date_label(input);
    let mut groups: Vec<usize> = (0..plan.groups.len())
        .filter(|&g| plan.groups[g].school.idx() == si)
        .collect();
    groups.sort_by_key(|&g| (plan.groups[g].first, g));
    let mut rows = Vec::new();
    let mut with_visitors = 0;
    for gi in groups {
        let g = &plan.groups[gi];
        let mut visitors: Vec<_> = g
            .members
            .iter()
            .copied()
            .filter(|&s| is_visitor(net, g, s))
            .collect();
        if visitors.is_empty() {
            continue;
        }
        with_visitors += 1;
        visitors.sort_by_key(|s| (net.students[s.idx()].school, *s));
        let c = &net.courses[g.course.idx()];
        let te = &net.teachers[g.teacher.idx()];
        let slot = Slot::of(net, g);
        for (k, s) in visitors.iter().enumerate() {
            let st = &net.students[s.idx()];
            let home = &net.schools[st.school.idx()];
            rows.push(vec![
                input.disk.group_ids.get(gi).cloned().unwrap_or_default(),
                c.id.clone(),
                c.name.clone(),
                te.id.clone(),
                te.name.clone(),
                slot.periods_label(),
                slot.time_label(),
                net.rooms[g.room.idx()].id.clone(),
                mode_label(input.lang, g.mode).into(),
                date.clone(),
                (k + 1).to_string(),
                st.id.clone(),
                st.grade.to_string(),
                home.id.clone(),
                home.name.clone(),
                String::new(),
            ]);
        }
    }
    (rows, with_visitors)
}

fn credit_header(l: Lang) -> Vec<String> {
    [
        l.pick("Ученик", "student"),
        l.pick("Класс", "grade"),
        l.pick("Выбор №", "choice no."),
        l.pick("Курс", "course"),
        l.pick("Название курса", "course name"),
        l.pick("Часов (уроков)", "hours (periods)"),
        l.pick("Форма", "mode"),
        l.pick("Где проходит", "taught at"),
        l.pick("Название организации", "taught at (name)"),
        l.pick("Учитель", "teacher"),
        l.pick("ФИО учителя", "teacher name"),
        l.pick("Школа учителя", "teacher's school"),
        l.pick("Уроки", "periods"),
        l.pick("Время", "time"),
        l.pick("Кабинет", "room"),
        l.pick("Группа", "group"),
        l.pick("Дата", "date"),
    ]
    .map(String::from)
    .to_vec()
}

/// The rows of home school `si`'s credit-transfer list (every placement of its
/// students in a group at another school or by distance), and the number of groups.
fn credit_rows(
    input: &ReportInput,
    by_student: &[Vec<usize>],
    si: usize,
) -> (Vec<Vec<String>>, usize) {
    let net = input.net;
    let plan = &input.disk.plan;
    let date = date_label(input);
    let mut rows = Vec::new();
    let mut groups = HashSet::new();
    for (s, st) in net.students.iter().enumerate() {
        if st.school.idx() != si {
            continue;
        }
        for &gi in &by_student[s] {
            let g = &plan.groups[gi];
            if g.school == st.school && g.mode == Mode::InPerson {
                continue;
            }
            groups.insert(gi);
            let c = &net.courses[g.course.idx()];
            let te = &net.teachers[g.teacher.idx()];
            let host = &net.schools[g.school.idx()];
            let slot = Slot::of(net, g);
            rows.push(vec![
                st.id.clone(),
                st.grade.to_string(),
                st.rank_of(g.course)
                    .map_or(String::new(), |r| r.to_string()),
                c.id.clone(),
                c.name.clone(),
                c.periods.to_string(),
                mode_label(input.lang, g.mode).into(),
                host.id.clone(),
                host.name.clone(),
                te.id.clone(),
                te.name.clone(),
                net.schools[te.school.idx()].id.clone(),
                slot.periods_label(),
                slot.time_label(),
                net.rooms[g.room.idx()].id.clone(),
                input.disk.group_ids.get(gi).cloned().unwrap_or_default(),
                date.clone(),
            ]);
        }
    }
    (rows, groups.len())
}

fn csv(header: Vec<String>, rows: Vec<Vec<String>>) -> Vec<u8> {
    super::people_csv(&header, &rows)
}

//! Writing a [`Network`] back out as a bundle (SPEC §1): for generated networks and
//! scenarios. What it writes, [`super::load`] reads back to the same network, its pins
//! (SPEC §8) included.

use std::fs;
use std::path::Path;

use super::schema::{
    BundleFile, COURSES, LINKS, PINNED_GROUPS, PINNED_STUDENTS, ROOMS, SCHOOLS, STUDENTS, TEACHERS,
    VEHICLES,
};
use crate::model::{Hhmm, Network, PeriodSet};

/// Creates `file` in `dir` with its whole header (`numbered` numbered columns); rows
/// follow in the same column order.
fn create(dir: &Path, file: &BundleFile, numbered: usize) -> anyhow::Result<csv::Writer<fs::File>> {
    let mut w = csv::Writer::from_path(dir.join(file.name))?;
    w.write_record(file.header(numbered))?;
    Ok(w)
}

fn periods_cell(set: PeriodSet, n: usize) -> String {
    if set == PeriodSet::all(n) {
        return String::new();
    }
    (0..n)
        .filter(|&p| set.contains(p))
        .map(|p| (p + 1).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Writes every file of `net` into `dir` (which must exist), comma-separated UTF-8.
pub fn write_bundle(net: &Network, dir: &Path) -> anyhow::Result<()> {
    let np = net.num_periods();
    let periods: Vec<String> = net
        .periods
        .iter()
        .map(|p| format!("{}-{}", Hhmm(p.start), Hhmm(p.end)))
        .collect();
    let toml = format!(
        "name = {:?}\nday_start = \"{}\"\nday_end = \"{}\"\nperiods = [{}]\nmin_group = {}\nmax_group = {}\nwants = {}\n",
        net.name,
        Hhmm(net.day_start),
        Hhmm(net.day_end),
        periods
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        net.min_group,
        net.max_group,
        net.wants
    );
    let mut toml = toml;
    if net.tuning != crate::model::Tuning::default() {
        let w = &net.tuning.weights;
        toml.push_str(&format!(
            "\n[weights]\nrank = {}\nstudent_minute = {}\nteacher_minute = {}\nvehicle_minute = {}\ndistance = {}\ngroup = {}\n\n[transport]\nmax_wait = {}\n\n[replan]\nkeep = {}\n",
            w.rank, w.student_minute, w.teacher_minute, w.vehicle_minute, w.distance, w.group, net.tuning.max_wait, net.tuning.keep
        ));
    }
    fs::write(dir.join("network.toml"), toml)?;

    let mut w = csv::Writer::from_path(dir.join(SCHOOLS.name))?;
    // `priority` only when some school has one other than the default.
    let priority = net.schools.iter().any(|s| s.priority != 1.0);
    let mut head = SCHOOLS.header(0);
    if !priority {
        head.retain(|c| c != "priority");
    }
    w.write_record(&head)?;
    for s in &net.schools {
        let f = |x: Option<f64>| x.map(|v| format!("{v:.5}")).unwrap_or_default();
        let mut row = vec![
            s.id.clone(),
            s.name.clone(),
            s.kind.as_str().to_string(),
            f(s.lat),
            f(s.lon),
        ];
        if priority {
            row.push(s.priority.to_string());
        }
        w.write_record(&row)?;
    }
    w.flush()?;

    let mut w = create(dir, &LINKS, 0)?;
    for l in &net.links {
        w.write_record([
            &net.schools[l.a.idx()].id,
            &net.schools[l.b.idx()].id,
            &l.minutes.to_string(),
            &l.mode,
        ])?;
    }
    w.flush()?;

    let mut w = create(dir, &ROOMS, 0)?;
    for r in &net.rooms {
        w.write_record([
            &net.schools[r.school.idx()].id,
            &r.id,
            &r.capacity.to_string(),
            net.kind_name(r.kind),
            &periods_cell(r.periods, np),
        ])?;
    }
    w.flush()?;

    let mut w = create(dir, &COURSES, 0)?;
    for c in &net.courses {
        let grades = c.grades_label();
        w.write_record([
            &c.id,
            &c.name,
            &c.periods.to_string(),
            net.kind_name(c.room_kind),
            &c.min_group.to_string(),
            &c.max_group.to_string(),
            yes_no(c.distance),
            &grades,
        ])?;
    }
    w.flush()?;

    let mut w = create(dir, &TEACHERS, 0)?;
    for t in &net.teachers {
        let courses: Vec<&str> = t
            .courses
            .iter()
            .map(|c| net.courses[c.idx()].id.as_str())
            .collect();
        w.write_record([
            &t.id,
            &t.name,
            &net.schools[t.school.idx()].id,
            &courses.join(" "),
            &t.max_periods.to_string(),
            yes_no(t.travels),
            &periods_cell(t.periods, np),
        ])?;
    }
    w.flush()?;

    let width = net
        .students
        .iter()
        .map(|s| s.choices.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut w = create(dir, &STUDENTS, width)?;
    for s in &net.students {
        let mut row = vec![
            s.id.clone(),
            net.schools[s.school.idx()].id.clone(),
            s.grade.to_string(),
            s.wants.to_string(),
        ];
        for i in 0..width {
            row.push(
                s.choices
                    .get(i)
                    .map(|c| net.courses[c.idx()].id.clone())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&row)?;
    }
    w.flush()?;

    if !net.vehicles.is_empty() {
        let mut w = create(dir, &VEHICLES, 0)?;
        for v in &net.vehicles {
            w.write_record([&v.id, &net.schools[v.school.idx()].id, &v.seats.to_string()])?;
        }
        w.flush()?;
    }
    write_pins(net, dir)
}

/// `pinned_groups.csv` and `pinned_students.csv` when the network has pins (each file
/// only when it has rows). A pinned group that students refer to but that has no id
/// gets one (`pin_N`, N its place in the file).
fn write_pins(net: &Network, dir: &Path) -> anyhow::Result<()> {
    let pins = &net.pins;
    let referred: Vec<bool> = (0..pins.groups.len())
        .map(|g| pins.students.iter().any(|s| s.group == Some(g)))
        .collect();
    let taken: std::collections::HashSet<&str> =
        pins.groups.iter().filter_map(|g| g.id.as_deref()).collect();
    let ids: Vec<String> = pins
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| match &g.id {
            Some(id) => id.clone(),
            None if referred[i] => {
                let mut id = format!("pin_{}", i + 1);
                while taken.contains(id.as_str()) {
                    id.push('_');
                }
                id
            }
            None => String::new(),
        })
        .collect();
    if !pins.groups.is_empty() {
        let mut w = create(dir, &PINNED_GROUPS, 0)?;
        for (g, id) in pins.groups.iter().zip(&ids) {
            let mode = match g.distance {
                Some(true) => "distance",
                Some(false) => "in_person",
                None => "",
            };
            w.write_record([
                net.courses[g.course.idx()].id.as_str(),
                &net.schools[g.school.idx()].id,
                &(g.first + 1).to_string(),
                g.room.map_or("", |r| net.rooms[r.idx()].id.as_str()),
                g.teacher.map_or("", |t| net.teachers[t.idx()].id.as_str()),
                mode,
                id,
            ])?;
        }
        w.flush()?;
    }
    if !pins.students.is_empty() {
        let mut w = create(dir, &PINNED_STUDENTS, 0)?;
        for s in &pins.students {
            w.write_record([
                net.students[s.student.idx()].id.as_str(),
                &net.courses[s.course.idx()].id,
                s.group.and_then(|g| ids.get(g)).map_or("", String::as_str),
            ])?;
        }
        w.flush()?;
    }
    Ok(())
}

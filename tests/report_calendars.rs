//! The calendars (ics/) and the FET file (fet/) of `profnet report`, made from a solved
//! generated network: the calendars are parsed back with the `ical` crate and checked
//! against the plan; the FET file is loaded by FET's own command-line client, which must
//! generate the timetable with every activity at the plan's period and room.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use profnet::graph::TravelTimes;
use profnet::lang::Lang;
use profnet::model::{Hhmm, Network};
use profnet::plan::Mode;
use profnet::planfile::read::{read_plan, PlanOnDisk};
use profnet::reports::{fet, ics, Date, ReportInput};

const DAY: &str = "2026-09-04";

fn run(args: &[&str]) {
    common::run_profnet(args);
}

fn solve(bundle: &Path, tmp: &Path) -> PathBuf {
    let plan = tmp.join("plan");
    run(&[
        "solve",
        bundle.to_str().unwrap(),
        "--out",
        plan.to_str().unwrap(),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    plan
}

/// The event of group `gid` in `who`'s calendar (its UID names the group).
fn event_of_group<'a>(cal: &'a IcalCalendar, gid: &str, who: &str) -> &'a IcalEvent {
    cal.events
        .iter()
        .find(|e| prop(e, "UID").contains(&format!("-group-{gid}@")))
        .unwrap_or_else(|| panic!("{who}: no event of group {gid}"))
}

fn prop<'a>(e: &'a IcalEvent, name: &str) -> &'a str {
    e.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
        .unwrap_or_else(|| panic!("event without {name}: {:?}", e.properties))
}

fn cal_prop<'a>(c: &'a IcalCalendar, name: &str) -> Option<&'a str> {
    c.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

/// The value of a TEXT property as written, unescaped.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(c) => out.push(c),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads one .ics file: checks CRLF and 75-octet lines on the raw bytes, then parses it.
fn read_ics(path: &Path) -> IcalCalendar {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes).expect("calendars are UTF-8");
    assert!(text.ends_with("\r\n"), "{}: no final CRLF", path.display());
    let body = &text[..text.len() - 2];
    for line in body.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "{}: a bare LF or CR in {line:?}",
            path.display()
        );
        assert!(
            line.len() <= 75,
            "{}: a line of {} octets: {line:?}",
            path.display(),
            line.len()
        );
    }
    let mut cals: Vec<IcalCalendar> =
        ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{}: does not parse: {e}", path.display()));
    assert_eq!(cals.len(), 1, "{}: one VCALENDAR", path.display());
    let cal = cals.pop().unwrap();
    assert_eq!(cal_prop(&cal, "VERSION"), Some("2.0"));
    assert!(cal_prop(&cal, "PRODID").is_some_and(|p| p.contains("profnet")));
    assert_eq!(cal_prop(&cal, "CALSCALE"), Some("GREGORIAN"));
    cal
}

fn local(minute: u32) -> String {
    format!(
        "{}T{}00",
        DAY.replace('-', ""),
        Hhmm(minute).to_string().replace(':', "")
    )
}

fn school_name(net: &Network, id: &str) -> String {
    net.schools
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn check_calendars(net: &Network, disk: &PlanOnDisk, dir: &Path) {
    let plan = &disk.plan;
    let routes = disk.routes.as_ref().expect("the plan has routes.csv");
    let by_student = plan.student_groups(net);
    let mut checked_students = 0;
    let mut checked_legs = 0;
    let mut distance_lessons = 0;
    for (s, st) in net.students.iter().enumerate() {
        let path = dir.join("students").join(format!("{}.ics", st.id));
        let legs: Vec<_> = routes
            .iter()
            .filter(|r| r.role == "student" && r.person == st.id)
            .collect();
        if by_student[s].is_empty() && legs.is_empty() {
            assert!(!path.exists(), "{} has no group, but a calendar", st.id);
            continue;
        }
        let cal = read_ics(&path);
        checked_students += 1;
        let uids: Vec<&str> = cal.events.iter().map(|e| prop(e, "UID")).collect();
        let mut unique = uids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), uids.len(), "{}: UIDs repeat", st.id);
        let lessons: Vec<&IcalEvent> = cal
            .events
            .iter()
            .filter(|e| prop(e, "UID").contains("-group-"))
            .collect();
        assert_eq!(
            lessons.len(),
            by_student[s].len(),
            "{}: one VEVENT per lesson",
            st.id
        );
        for &gi in &by_student[s] {
            let g = &plan.groups[gi];
            let gid = &disk.group_ids[gi];
            let e = lessons
                .iter()
                .find(|e| prop(e, "UID").contains(&format!("-group-{gid}@")))
                .unwrap_or_else(|| panic!("{}: no lesson of {gid}", st.id));
            assert_eq!(prop(e, "DTSTART"), local(g.start(net)), "{} {gid}", st.id);
            assert_eq!(prop(e, "DTEND"), local(g.end(net)), "{} {gid}", st.id);
            let at = match g.mode {
                Mode::InPerson => g.school,
                Mode::Distance => {
                    distance_lessons += 1;
                    st.school
                }
            };
            assert_eq!(
                unescape(prop(e, "LOCATION")),
                net.schools[at.idx()].name,
                "{} {gid}",
                st.id
            );
            let summary = unescape(prop(e, "SUMMARY"));
            assert!(
                summary.starts_with(&net.courses[g.course.idx()].name),
                "{summary}"
            );
            let mode = if g.mode == Mode::InPerson {
                "(очно)"
            } else {
                "(дистанционно)"
            };
            assert!(summary.ends_with(mode), "{summary}");
            let description = unescape(prop(e, "DESCRIPTION"));
            assert!(description.contains(gid.as_str()), "{description}");
            assert!(
                description.contains(&net.teachers[g.teacher.idx()].name),
                "{description}"
            );
        }
        let journeys: Vec<&IcalEvent> = cal
            .events
            .iter()
            .filter(|e| prop(e, "UID").contains("-leg-"))
            .collect();
        assert_eq!(journeys.len(), legs.len(), "{}: one VEVENT per leg", st.id);
        for l in legs {
            let e = journeys
                .iter()
                .find(|e| prop(e, "UID").contains(&format!("-leg-{}@", l.leg)))
                .unwrap_or_else(|| panic!("{}: no leg {}", st.id, l.leg));
            assert_eq!(prop(e, "DTSTART"), local(l.depart));
            assert_eq!(prop(e, "DTEND"), local(l.arrive));
            assert_eq!(unescape(prop(e, "LOCATION")), school_name(net, &l.from));
            let summary = unescape(prop(e, "SUMMARY"));
            let (from, to) = (school_name(net, &l.from), school_name(net, &l.to));
            if l.vehicle.is_empty() {
                assert_eq!(summary, format!("Переезд: {from} → {to}"));
            } else {
                assert_eq!(summary, format!("Автобус {}: {from} → {to}", l.vehicle));
            }
            checked_legs += 1;
        }
        // The date is the profile day; DTSTAMP is fixed and in UTC.
        for e in &cal.events {
            assert!(prop(e, "DTSTART").starts_with("20260904T"));
            assert_eq!(prop(e, "DTSTAMP"), "20260904T000000Z");
        }
    }
    assert!(checked_students > 100, "only {checked_students} calendars");
    assert!(checked_legs > 100, "only {checked_legs} legs");
    eprintln!(
        "{checked_students} student calendars, {checked_legs} legs, {distance_lessons} distance lessons"
    );

    // Teachers: one lesson per group they teach, at the host school.
    let by_teacher = plan.teacher_groups(net);
    for (t, te) in net.teachers.iter().enumerate() {
        let path = dir.join("teachers").join(format!("{}.ics", te.id));
        if by_teacher[t].is_empty() {
            assert!(
                !path.exists(),
                "{} teaches nothing, but has a calendar",
                te.id
            );
            continue;
        }
        let cal = read_ics(&path);
        for &gi in &by_teacher[t] {
            let g = &plan.groups[gi];
            let gid = &disk.group_ids[gi];
            let e = event_of_group(&cal, gid, &te.id);
            assert_eq!(prop(e, "DTSTART"), local(g.start(net)));
            assert_eq!(prop(e, "DTEND"), local(g.end(net)));
            assert_eq!(
                unescape(prop(e, "LOCATION")),
                net.schools[g.school.idx()].name
            );
        }
        let legs = routes
            .iter()
            .filter(|r| r.role == "teacher" && r.person == te.id)
            .count();
        assert_eq!(cal.events.len(), by_teacher[t].len() + legs, "{}", te.id);
    }

    // Schools: every group held there, and visitors arriving.
    for (sc, school) in net.schools.iter().enumerate() {
        let path = dir.join("schools").join(format!("{}.ics", school.id));
        let held: Vec<usize> = (0..plan.groups.len())
            .filter(|&gi| plan.groups[gi].school.idx() == sc)
            .collect();
        let visitors = routes
            .iter()
            .any(|r| r.to == school.id && r.from != school.id);
        if held.is_empty() && !visitors && !path.exists() {
            continue;
        }
        let cal = read_ics(&path);
        for gi in held {
            let g = &plan.groups[gi];
            let gid = &disk.group_ids[gi];
            let e = event_of_group(&cal, gid, &school.id);
            assert_eq!(prop(e, "DTSTART"), local(g.start(net)));
            assert_eq!(unescape(prop(e, "LOCATION")), school.name);
        }
        // Every student visitor arriving is listed in one arrival event.
        for r in routes.iter().filter(|r| {
            r.role == "student"
                && r.to == school.id
                && net
                    .students
                    .iter()
                    .find(|s| s.id == r.person)
                    .is_some_and(|s| net.schools[s.school.idx()].id != school.id)
        }) {
            let found = cal.events.iter().any(|e| {
                prop(e, "UID").contains("-arrival-")
                    && prop(e, "DTEND") == local(r.arrive)
                    && unescape(prop(e, "DESCRIPTION")).contains(&r.person)
            });
            assert!(found, "{}: no arrival of {}", school.id, r.person);
        }
    }
    // For people: `;` and a BOM (Excel on a Russian Windows), one row per calendar.
    let index = std::fs::read_to_string(dir.join("index.csv")).unwrap();
    let header = index.lines().next().unwrap_or_default();
    assert!(
        header == "\u{feff}Чей календарь;Код;Имя;Файл;Событий"
            || header == "\u{feff}kind;id;name;file;events",
        "{index}"
    );
    let files = std::fs::read_dir(dir.join("students")).unwrap().count()
        + std::fs::read_dir(dir.join("teachers")).unwrap().count()
        + std::fs::read_dir(dir.join("schools")).unwrap().count();
    assert_eq!(index.lines().count(), files + 1);
}

/// FET's command-line client, or a failure that says how to install it.
fn fet_cl() -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin"] {
        let p = Path::new(dir).join("fet-cl");
        if p.exists() {
            return p;
        }
    }
    if let Some(p) = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("fet-cl"))
            .find(|p| p.exists())
    }) {
        return p;
    }
    panic!(
        "FET's command-line client fet-cl is not installed; \
         run scripts/setup-debian.sh --tests (it installs Debian's fet package)"
    );
}

/// `<Tag>value</Tag>` inside `block`.
fn tag<'a>(block: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = block.find(&open)? + open.len();
    let end = block[start..].find(&close)? + start;
    Some(&block[start..end])
}

fn check_fet(net: &Network, disk: &PlanOnDisk, file: &Path, tmp: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(
        text.matches("<ConstraintActivityPreferredStartingTime>")
            .count(),
        disk.plan.groups.len()
    );
    // Each activity's students are exactly the group's members.
    let mut subgroup_size: HashMap<&str, usize> = HashMap::new();
    for block in text.split("<Subgroup>").skip(1) {
        subgroup_size.insert(
            tag(block, "Name").unwrap(),
            tag(block, "Number_of_Students").unwrap().parse().unwrap(),
        );
    }
    let list = tag(&text, "Activities_List").expect("an activities list");
    for block in list.split("<Activity>").skip(1) {
        let id: usize = tag(block, "Id").unwrap().parse().unwrap();
        let g = &disk.plan.groups[id - 1];
        let members: usize = block
            .split("<Students>")
            .skip(1)
            .map(|b| subgroup_size[&b[..b.find("</Students>").unwrap()]])
            .sum();
        assert_eq!(members, g.members.len(), "activity {id}");
        assert_eq!(
            tag(block, "Duration"),
            Some(net.courses[g.course.idx()].periods.to_string().as_str())
        );
        assert_eq!(
            tag(block, "Comments"),
            Some(disk.group_ids[id - 1].as_str())
        );
    }

    let out = tmp.join("fet-out");
    std::fs::create_dir_all(&out).unwrap();
    let fet_cl = fet_cl();
    let run = Command::new("timeout")
        .arg("180")
        .arg(&fet_cl)
        .arg(format!("--inputfile={}", file.display()))
        .arg(format!("--outputdir={}", out.display()))
        .arg("--timelimitseconds=60")
        .arg("--htmllevel=0")
        .arg("--language=en_US")
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .expect("run timeout fet-cl");
    let log = std::fs::read_to_string(out.join("logs").join("file_open.log")).unwrap_or_default();
    assert!(
        run.status.success(),
        "fet-cl failed ({}):\n{}\n{}\nfile_open.log:\n{log}",
        run.status,
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        log.contains(&format!("Added {} activities", disk.plan.groups.len())),
        "FET did not read every activity:\n{log}"
    );
    let stem = file.file_stem().unwrap().to_str().unwrap();
    let tt_dir = out.join("timetables").join(stem);
    assert!(
        tt_dir
            .join(format!("{stem}_data_and_timetable.fet"))
            .exists(),
        "FET wrote no timetable into {}",
        tt_dir.display()
    );
    let activities =
        std::fs::read_to_string(tt_dir.join(format!("{stem}_activities.xml"))).unwrap();
    let mut placed: HashMap<usize, (String, String, String)> = HashMap::new();
    for block in activities.split("<Activity>").skip(1) {
        let id: usize = tag(block, "Id").unwrap().parse().unwrap();
        placed.insert(
            id,
            (
                tag(block, "Day").unwrap_or_default().to_string(),
                tag(block, "Hour").unwrap_or_default().to_string(),
                tag(block, "Room").unwrap_or_default().to_string(),
            ),
        );
    }
    assert_eq!(placed.len(), disk.plan.groups.len());
    for (gi, g) in disk.plan.groups.iter().enumerate() {
        let (day, hour, room) = &placed[&(gi + 1)];
        assert_eq!(day, DAY, "{}", disk.group_ids[gi]);
        assert_eq!(
            hour,
            &fet::hour_name(net, g.first),
            "{}",
            disk.group_ids[gi]
        );
        assert_eq!(room, &net.rooms[g.room.idx()].id, "{}", disk.group_ids[gi]);
    }
}

#[test]
fn calendars_and_fet_file_of_a_solved_network() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, plan_dir) = common::solved_rural(tmp.path());
    let (net, _) = profnet::input::load(&bundle).expect("the generated bundle loads");
    let tt = TravelTimes::new(&net);
    let disk = read_plan(&net, &plan_dir).expect("the plan reads back");
    let date = Date::parse(DAY).unwrap();

    let ru = ReportInput::new(&net, &tt, &disk, Lang::Ru, date);
    let out = tmp.path().join("reports");
    ics::write(&ru, &out.join("ics")).unwrap();
    fet::write(&ru, &out.join("fet")).unwrap();
    check_calendars(&net, &disk, &out.join("ics"));

    // Same input, same bytes.
    let again = tmp.path().join("again");
    ics::write(&ru, &again.join("ics")).unwrap();
    fet::write(&ru, &again.join("fet")).unwrap();
    for rel in [
        "ics/students/P00001.ics",
        "ics/schools/S01.ics",
        "ics/index.csv",
        "fet/profile-day.fet",
    ] {
        assert_eq!(
            std::fs::read(out.join(rel)).unwrap(),
            std::fs::read(again.join(rel)).unwrap(),
            "{rel} differs between two runs"
        );
    }

    // English labels.
    let en = ReportInput::new(&net, &tt, &disk, Lang::En, date);
    let en_dir = tmp.path().join("en");
    ics::write(&en, &en_dir.join("ics")).unwrap();
    let routes = disk.routes.as_ref().unwrap();
    let bus = routes
        .iter()
        .find(|r| r.role == "student" && !r.vehicle.is_empty())
        .expect("a student rides a bus");
    let cal = read_ics(
        &en_dir
            .join("ics")
            .join("students")
            .join(format!("{}.ics", bus.person)),
    );
    let want = format!(
        "Bus {} from {} to {}",
        bus.vehicle,
        school_name(&net, &bus.from),
        school_name(&net, &bus.to)
    );
    assert!(
        cal.events
            .iter()
            .any(|e| unescape(prop(e, "SUMMARY")) == want),
        "no event '{want}'"
    );

    check_fet(
        &net,
        &disk,
        &out.join("fet").join("profile-day.fet"),
        tmp.path(),
    );
}

/// The sample district: Cyrillic names, rooms and teachers not available all day,
/// distance groups.
#[test]
fn calendars_and_fet_file_of_the_sample_district() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
    let plan_dir = solve(&bundle, tmp.path());
    let (net, _) = profnet::input::load(&bundle).expect("the sample bundle loads");
    let tt = TravelTimes::new(&net);
    let disk = read_plan(&net, &plan_dir).expect("the plan reads back");
    let input = ReportInput::new(&net, &tt, &disk, Lang::Ru, Date::parse(DAY).unwrap());
    let out = tmp.path().join("reports");
    ics::write(&input, &out.join("ics")).unwrap();
    fet::write(&input, &out.join("fet")).unwrap();
    check_calendars(&net, &disk, &out.join("ics"));
    let fet_text = std::fs::read_to_string(out.join("fet").join("profile-day.fet")).unwrap();
    assert!(fet_text.contains("<ConstraintTeacherNotAvailableTimes>"));
    assert!(fet_text.contains("<ConstraintRoomNotAvailableTimes>"));
    assert!(fet_text.contains("<Activity_Tag>дистанционно</Activity_Tag>"));
    check_fet(
        &net,
        &disk,
        &out.join("fet").join("profile-day.fet"),
        tmp.path(),
    );
}

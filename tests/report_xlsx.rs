//! plan.xlsx and registers/ of `profnet report`, read back as a person would check them:
//! the workbook with calamine, the registers as the CSV Excel opens. A generated rural
//! network with a fleet is planned by the real binary; the reports are written through
//! the library, and once through the command (which needs every report writer).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use calamine::{open_workbook, Data, Reader, Xlsx};
use profnet::graph::TravelTimes;
use profnet::lang::Lang;
use profnet::model::Network;
use profnet::plan::kpi::Kpis;
use profnet::planfile::read::read_plan;
use profnet::reports::{registers, xlsx, Date, ReportInput};

const DATE: &str = "2026-09-04";

struct Fixture {
    _dir: tempfile::TempDir,
    bundle: PathBuf,
    plan: PathBuf,
    root: PathBuf,
}

/// With `REPORT_XLSX_KEEP=DIR` the reports are also written to DIR, for a look.
fn keep(input: &ReportInput) {
    if let Some(dir) = std::env::var_os("REPORT_XLSX_KEEP") {
        let dir = PathBuf::from(dir).join(format!("{:?}", input.lang));
        std::fs::create_dir_all(&dir).unwrap();
        xlsx::write(input, &dir.join("plan.xlsx")).unwrap();
        registers::write(input, &dir.join("registers")).unwrap();
    }
}

/// A rural network of 6 schools, 200 students, with buses, and its plan (made once).
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (bundle, plan) = common::solved_rural(dir.path());
        Fixture {
            root: dir.path().to_path_buf(),
            _dir: dir,
            bundle,
            plan,
        }
    })
}

fn network(bundle: &Path) -> Network {
    profnet::input::load(bundle).unwrap().0
}

/// A CSV file as rows of column → value (`,` or `;`, with or without BOM).
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let delim = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A cell as text: numbers without a needless `.0`, times `HH:MM`.
fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::DateTime(t) => {
            let m = (t.as_f64() * 1440.0).round() as i64;
            format!("{:02}:{:02}", m / 60, m % 60)
        }
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A sheet as a grid of texts, from A1.
fn grid(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<String>> {
    let range = wb.worksheet_range(name).unwrap();
    let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
    (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| range.get_value((r, c)).map_or(String::new(), text))
                .collect()
        })
        .collect()
}

/// The rows of a table sheet (header row first) as column → value.
fn table(g: &[Vec<String>]) -> Vec<HashMap<String, String>> {
    let header = &g[0];
    g[1..]
        .iter()
        .map(|row| header.iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

fn number(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn workbook_shows_the_plan() {
    let fx = fixture();
    let net = network(&fx.bundle);
    let tt = TravelTimes::new(&net);
    let disk = read_plan(&net, &fx.plan).unwrap();
    let date = Date::parse(DATE).unwrap();
    let input = ReportInput::new(&net, &tt, &disk, Lang::Ru, date);
    keep(&input);
    let path = fx.root.join("plan.xlsx");
    xlsx::write(&input, &path).unwrap();
    // Same input, same bytes.
    assert_eq!(
        std::fs::read(&path).unwrap(),
        xlsx::workbook(&input).unwrap(),
        "plan.xlsx changes from one writing to the next"
    );

    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Показатели",
            "Группы",
            "Расписание",
            "Ученики",
            "Учителя",
            "Транспорт",
            "Невыполненные выборы"
        ]
    );

    // KPIs: the figures of summary.json, found by their SPEC key.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fx.plan.join("summary.json")).unwrap()).unwrap();
    let kpis = &summary["kpis"];
    let sheet = grid(&mut wb, "Показатели");
    let by_key: HashMap<&str, &str> = sheet[1..]
        .iter()
        .map(|r| (r[2].as_str(), r[1].as_str()))
        .collect();
    for key in [
        "placements",
        "requested",
        "rank_sum",
        "unserved",
        "groups",
        "distance_groups",
        "student_travel_minutes",
        "teacher_travel_minutes",
        "vehicles_used",
        "vehicle_minutes",
    ] {
        assert_eq!(
            by_key[key],
            kpis[key].as_u64().unwrap().to_string(),
            "KPI {key}"
        );
    }
    for key in [
        "placement_rate",
        "first_choice_rate",
        "schools_involved_share",
        "teachers_involved_share",
        "worst_school_placement_rate",
    ] {
        let v: f64 = by_key[key].parse().unwrap();
        assert!((v - number(&kpis[key])).abs() < 1e-9, "KPI {key}: {v}");
    }
    assert_eq!(
        by_key["worst_school"],
        kpis["worst_school"].as_str().unwrap()
    );
    assert_eq!(by_key["date"], DATE);
    assert_eq!(by_key["network"], net.name);
    let bound: f64 = by_key["bound"].parse().unwrap();
    assert_eq!(bound, number(&summary["bound"]));

    // Groups: one row per groups.csv row, same order and content.
    let groups_csv = read_csv(&fx.plan.join("groups.csv"));
    let groups = table(&grid(&mut wb, "Группы"));
    assert_eq!(groups.len(), groups_csv.len());
    for (row, g) in groups.iter().zip(&groups_csv) {
        assert_eq!(row["Группа"], g["group"]);
        assert_eq!(row["Курс"], g["course"]);
        assert_eq!(row["Школа"], g["school"]);
        assert_eq!(row["Кабинет"], g["room"]);
        assert_eq!(row["Учитель"], g["teacher"]);
        assert_eq!(row["Первый урок"], g["first_period"]);
        assert_eq!(row["Уроков"], g["periods"]);
        assert_eq!(row["Учеников"], g["size"]);
        let mode = if g["mode"] == "distance" {
            "дистанционно"
        } else {
            "очно"
        };
        assert_eq!(row["Форма"], mode);
        let first: usize = g["first_period"].parse().unwrap();
        assert_eq!(
            row["Начало"],
            profnet::model::Hhmm(net.periods[first - 1].start).to_string()
        );
    }

    // Timetable: a block per school, each group in its room's column in every period
    // it takes, as `course name / teacher / size`.
    let tt_grid = grid(&mut wb, "Расписание");
    for school in &net.schools {
        let title = format!("{} — {}", school.id, school.name);
        let at: Vec<usize> = (0..tt_grid.len())
            .filter(|&r| tt_grid[r][0] == title)
            .collect();
        assert_eq!(at.len(), 1, "one timetable block for {}", school.id);
        let head = &tt_grid[at[0] + 1];
        let rooms: Vec<_> = net
            .rooms
            .iter()
            .filter(|r| net.schools[r.school.idx()].id == school.id)
            .collect();
        assert_eq!(head[0], "Урок");
        for (j, room) in rooms.iter().enumerate() {
            assert!(head[j + 2].starts_with(&format!("{} (", room.id)));
        }
        for p in 0..net.num_periods() {
            assert_eq!(tt_grid[at[0] + 2 + p][0], (p + 1).to_string());
        }
        for g in groups_csv.iter().filter(|g| g["school"] == school.id) {
            let col = 2 + rooms.iter().position(|r| r.id == g["room"]).unwrap();
            let course = &net.courses[net.course_index(&g["course"]).unwrap().idx()];
            let label = format!(
                "{} {} / {} / {}",
                course.id, course.name, g["teacher"], g["size"]
            );
            let first: usize = g["first_period"].parse().unwrap();
            let len: usize = g["periods"].parse().unwrap();
            for p in first..first + len {
                let cell = &tt_grid[at[0] + 1 + p][col];
                assert!(
                    cell.lines().any(|l| l.starts_with(&label)),
                    "{} in period {p}: {cell:?}",
                    g["group"]
                );
            }
        }
    }

    // Students: every assignment shows as a granted choice with its group; every
    // unserved.csv row as an unserved choice with its reason.
    let assignments = read_csv(&fx.plan.join("assignments.csv"));
    let unserved_csv = read_csv(&fx.plan.join("unserved.csv"));
    let students = table(&grid(&mut wb, "Ученики"));
    let granted: BTreeSet<(String, String)> = students
        .iter()
        .filter(|r| r["Итог"] == "зачислен")
        .map(|r| (r["Ученик"].clone(), r["Группа"].clone()))
        .collect();
    let assigned: BTreeSet<(String, String)> = assignments
        .iter()
        .map(|a| (a["student"].clone(), a["group"].clone()))
        .collect();
    assert_eq!(granted, assigned);
    let not_served: Vec<(String, String, String, String)> = students
        .iter()
        .filter(|r| r["Итог"] == "не обеспечен")
        .map(|r| {
            (
                r["Ученик"].clone(),
                r["Курс"].clone(),
                r["Выбор №"].clone(),
                r["Причина"].clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = unserved_csv
        .iter()
        .map(|u| {
            (
                u["student"].clone(),
                u["course"].clone(),
                u["rank"].clone(),
                ru_reason(u),
            )
        })
        .collect();
    assert_eq!(not_served, expected);
    let first = &students[0];
    let st = &net.students[0];
    assert_eq!(first["Ученик"], st.id);
    assert_eq!(first["Школа"], net.schools[st.school.idx()].id);

    // Teachers: every group once, with its teacher.
    let teachers = table(&grid(&mut wb, "Учителя"));
    let mut taught: Vec<(String, String)> = teachers
        .iter()
        .filter(|r| !r["Группа"].is_empty())
        .map(|r| (r["Группа"].clone(), r["Учитель"].clone()))
        .collect();
    taught.sort();
    let mut expected: Vec<(String, String)> = groups_csv
        .iter()
        .map(|g| (g["group"].clone(), g["teacher"].clone()))
        .collect();
    expected.sort();
    assert_eq!(taught, expected);
    assert_eq!(
        teachers
            .iter()
            .map(|r| &r["Учитель"])
            .collect::<BTreeSet<_>>()
            .len(),
        net.teachers.len()
    );

    // Transport: the rows of transport.csv, times as HH:MM.
    let transport_csv = read_csv(&fx.plan.join("transport.csv"));
    assert!(!transport_csv.is_empty());
    let transport = table(&grid(&mut wb, "Транспорт"));
    assert_eq!(transport.len(), transport_csv.len());
    for (row, t) in transport.iter().zip(&transport_csv) {
        assert_eq!(row["Автобус"], t["vehicle"]);
        assert_eq!(row["Рейс"], t["trip"]);
        assert_eq!(row["Остановка"], t["stop"]);
        assert_eq!(row["Школа"], t["school"]);
        assert_eq!(row["Прибытие"], t["arrive"]);
        assert_eq!(row["Отправление"], t["depart"]);
        assert_eq!(row["Садятся"], t["board"]);
        assert_eq!(row["Выходят"], t["alight"]);
    }

    // Unserved: the rows of unserved.csv, in order, with the student's school.
    let unserved = table(&grid(&mut wb, "Невыполненные выборы"));
    assert_eq!(unserved.len(), unserved_csv.len());
    for (row, u) in unserved.iter().zip(&unserved_csv) {
        assert_eq!(row["Ученик"], u["student"]);
        assert_eq!(row["Курс"], u["course"]);
        assert_eq!(row["Выбор №"], u["rank"]);
        assert_eq!(row["Причина"], ru_reason(u));
        let st = net.students.iter().find(|s| s.id == u["student"]).unwrap();
        assert_eq!(row["Школа"], net.schools[st.school.idx()].id);
    }

    // English: sheet names and headers.
    let en = ReportInput::new(&net, &tt, &disk, Lang::En, date);
    keep(&en);
    let path = fx.root.join("plan-en.xlsx");
    xlsx::write(&en, &path).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "KPIs",
            "Groups",
            "Timetable",
            "Students",
            "Teachers",
            "Transport",
            "Unserved"
        ]
    );
    let groups = grid(&mut wb, "Groups");
    assert_eq!(groups[0][0], "Group");
    assert_eq!(groups.len(), groups_csv.len() + 1);
}

/// One (group, student, home school) per visiting student, from the plan files.
fn placements(fx: &Fixture, net: &Network) -> Vec<(String, String, String, String, bool)> {
    let groups: HashMap<String, HashMap<String, String>> = read_csv(&fx.plan.join("groups.csv"))
        .into_iter()
        .map(|g| (g["group"].clone(), g))
        .collect();
    let home: HashMap<&str, &str> = net
        .students
        .iter()
        .map(|s| (s.id.as_str(), net.schools[s.school.idx()].id.as_str()))
        .collect();
    read_csv(&fx.plan.join("assignments.csv"))
        .iter()
        .map(|a| {
            let g = &groups[&a["group"]];
            (
                g["school"].clone(),
                a["group"].clone(),
                a["student"].clone(),
                home[a["student"].as_str()].to_string(),
                g["mode"] == "distance",
            )
        })
        .collect()
}

#[test]
fn registers_list_visitors_and_credits() {
    let fx = fixture();
    let net = network(&fx.bundle);
    let tt = TravelTimes::new(&net);
    let disk = read_plan(&net, &fx.plan).unwrap();
    let date = Date::parse(DATE).unwrap();
    let input = ReportInput::new(&net, &tt, &disk, Lang::Ru, date);
    let dir = fx.root.join("reports-ru").join("registers");
    registers::write(&input, &dir).unwrap();

    let index = read_csv(&dir.join("index.csv"));
    let mut attendance: Vec<(String, String, String, String)> = Vec::new();
    let mut credits: Vec<(String, String, String)> = Vec::new();
    let mut files = BTreeSet::new();
    for entry in &index {
        let file = &entry["Файл"];
        assert!(
            file.chars()
                .all(|c| c.is_alphanumeric() || "-_.".contains(c)),
            "{file}"
        );
        files.insert(file.clone());
        let school = &entry["Школа"];
        let rows = read_csv(&dir.join(file));
        assert_eq!(rows.len().to_string(), entry["Строк"]);
        if file.starts_with("attendance_") {
            for r in rows {
                assert_eq!(r["Дата"], "04.09.2026");
                assert!(r["Присутствие"].is_empty());
                assert!(!r["Время"].is_empty() && !r["Учитель"].is_empty());
                attendance.push((
                    school.clone(),
                    r["Группа"].clone(),
                    r["Ученик"].clone(),
                    r["Школа ученика"].clone(),
                ));
            }
        } else {
            assert!(file.starts_with("credits_"), "{file}");
            for r in rows {
                credits.push((school.clone(), r["Ученик"].clone(), r["Группа"].clone()));
            }
        }
    }
    // Every file in the directory is in the index.
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f != "index.csv")
        .collect();
    assert_eq!(on_disk, files);

    let all = placements(fx, &net);
    // Every visiting student of every group in exactly one register of the host
    // school, with the right home school; no student of the host school.
    let mut expected: Vec<_> = all
        .iter()
        .filter(|(host, _, _, home, _)| host != home)
        .map(|(host, g, s, home, _)| (host.clone(), g.clone(), s.clone(), home.clone()))
        .collect();
    assert!(!expected.is_empty());
    expected.sort();
    attendance.sort();
    assert_eq!(attendance, expected);
    assert!(attendance.iter().all(|(host, _, _, home)| host != home));

    // The credit lists together cover every placement away from home, once.
    let mut expected: Vec<_> = all
        .iter()
        .filter(|(host, _, _, home, distance)| host != home || *distance)
        .map(|(_, g, s, home, _)| (home.clone(), s.clone(), g.clone()))
        .collect();
    expected.sort();
    credits.sort();
    assert_eq!(credits, expected);

    // Same input, same bytes; English headers with --lang en.
    let again = registers::files(&input);
    for (name, bytes) in &again {
        assert_eq!(&std::fs::read(dir.join(name)).unwrap(), bytes, "{name}");
    }
    let en = ReportInput::new(&net, &tt, &disk, Lang::En, date);
    let dir = fx.root.join("reports-en").join("registers");
    registers::write(&en, &dir).unwrap();
    let index = read_csv(&dir.join("index.csv"));
    let first = read_csv(&dir.join(&index[0]["file"]));
    assert_eq!(first[0]["date"], DATE);
    assert!(!first[0]["home school"].is_empty());
}

/// Copies a plan directory.
fn copy_plan(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Plans that the reader accepts but that break rules, or lack optional files, are
/// reported as they are.
#[test]
fn odd_plans_are_reported_without_panics() {
    let fx = fixture();
    let net = network(&fx.bundle);
    let tt = TravelTimes::new(&net);
    let date = Date::parse("2027-02-28").unwrap();
    let np = net.num_periods();

    // A group of two periods starting in the last one (refused), two groups in one room at one
    // time, and no routes, transport or unserved files.
    let odd = fx.root.join("odd-plan");
    copy_plan(&fx.plan, &odd);
    for f in ["routes.csv", "transport.csv", "unserved.csv"] {
        std::fs::remove_file(odd.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(odd.join("groups.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (fp, per, room) = (col("first_period"), col("periods"), col("room"));
    let long = (1..lines.len())
        .find(|&i| lines[i].split(',').nth(per) == Some("2"))
        .expect("a two-period group");
    let cells: Vec<String> = lines[long].split(',').map(String::from).collect();
    let (start, room_id) = (cells[fp].clone(), cells[room].clone());
    // Starting in the last period, the two-period group runs past the day: the plan
    // reader refuses it, naming the file, line and column.
    let mut past = cells.clone();
    past[fp] = np.to_string();
    let past_dir = fx.root.join("past-plan");
    copy_plan(&fx.plan, &past_dir);
    let mut past_lines = lines.clone();
    past_lines[long] = past.join(",");
    std::fs::write(past_dir.join("groups.csv"), past_lines.join("\n") + "\n").unwrap();
    let e = read_plan(&net, &past_dir).unwrap_err().to_string();
    assert!(
        e.contains("groups.csv")
            && e.contains(&format!("line {}", long + 1))
            && e.contains("first_period"),
        "{e}"
    );
    // Another group in the same room at the same time.
    let other = if long == 1 { 2 } else { 1 };
    let mut cells: Vec<String> = lines[other].split(',').map(String::from).collect();
    cells[fp] = start;
    cells[room] = room_id;
    lines[other] = cells.join(",");
    std::fs::write(odd.join("groups.csv"), lines.join("\n") + "\n").unwrap();

    // And a plan with no group at all.
    let empty = fx.root.join("empty-plan");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(
        empty.join("groups.csv"),
        "group,course,school,room,teacher,first_period,periods,mode,size\n",
    )
    .unwrap();
    std::fs::write(empty.join("assignments.csv"), "student,group\n").unwrap();

    for (k, plan) in [odd, empty].iter().enumerate() {
        let disk = read_plan(&net, plan).unwrap();
        for lang in [Lang::Ru, Lang::En] {
            let input = ReportInput {
                net: &net,
                tt: &tt,
                disk: &disk,
                kpis: Kpis::default(),
                lang,
                date,
            };
            let out = fx.root.join(format!("odd-{k}-{lang:?}"));
            std::fs::create_dir_all(&out).unwrap();
            xlsx::write(&input, &out.join("plan.xlsx")).unwrap();
            registers::write(&input, &out.join("registers")).unwrap();
            let mut wb: Xlsx<_> = open_workbook(out.join("plan.xlsx")).unwrap();
            assert_eq!(wb.sheet_names().len(), 7);
            let transport = grid(&mut wb, lang.pick("Транспорт", "Transport"));
            assert_eq!(transport.len(), 2, "a header and a note");
        }
    }
    // The empty plan has no visitors: only the index.
    let names: BTreeMap<String, ()> = std::fs::read_dir(fx.root.join("odd-1-Ru/registers"))
        .unwrap()
        .map(|e| (e.unwrap().file_name().to_string_lossy().into_owned(), ()))
        .collect();
    assert_eq!(names.keys().collect::<Vec<_>>(), ["index.csv"]);
}

/// `profnet report` writes the same plan.xlsx and registers/ as the library.
#[test]
fn report_command_writes_the_workbook_and_registers() {
    let fx = fixture();
    let out = fx.root.join("cli-reports");
    let run = Command::new(env!("CARGO_BIN_EXE_profnet"))
        .arg("report")
        .arg(&fx.bundle)
        .arg(&fx.plan)
        .arg("--out")
        .arg(&out)
        .args(["--date", DATE, "--quiet"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let net = network(&fx.bundle);
    let tt = TravelTimes::new(&net);
    let disk = read_plan(&net, &fx.plan).unwrap();
    let input = ReportInput::new(&net, &tt, &disk, Lang::Ru, Date::parse(DATE).unwrap());
    assert_eq!(
        std::fs::read(out.join("plan.xlsx")).unwrap(),
        xlsx::workbook(&input).unwrap()
    );
    let files = registers::files(&input);
    let on_disk = std::fs::read_dir(out.join("registers")).unwrap().count();
    assert_eq!(on_disk, files.len());
    for (name, bytes) in &files {
        assert_eq!(
            &std::fs::read(out.join("registers").join(name)).unwrap(),
            bytes,
            "{name}"
        );
    }
}

/// An unserved.csv row's reason in Russian: rendered from its code and figures by the
/// catalogue (whose English is the row's `reason`).
fn ru_reason(u: &HashMap<String, String>) -> String {
    let r = profnet::plan::reason::Reason::parse(&u["code"], &u["figures"])
        .unwrap_or_else(|| panic!("no code for {}", u["reason"]));
    assert_eq!(r.to_string(), u["reason"]);
    r.text(profnet::lang::Lang::Ru)
}

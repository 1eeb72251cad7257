//! Reading network bundles (SPEC §1): dialects, encodings, and every problem reported
//! at once with file, line, column and code.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use profnet::diag::{Diagnostic, Severity};
use profnet::model::{CourseId, KindId, Network, PeriodSet, SchoolId, SchoolKind};

const TOML: &str = r#"name = "Test district"
day_start = "08:00"
day_end = "17:00"
periods = ["09:00-09:45", "09:55-10:40",
           "11:00-11:45", "11:55-12:40"]
min_group = 2
max_group = 20
wants = 2

[weights]
student_minute = 2.5
"#;

/// The good bundle in the `,` dialect: file name → text.
fn good() -> BTreeMap<&'static str, String> {
    let files: [(&str, &str); 8] = [
        ("network.toml", TOML),
        (
            "schools.csv",
            "id,name,kind,lat,lon\n\
             S1,\"School No 1, Village\",school,55.1,49.2\n\
             S2,Agro college,college,,\n",
        ),
        ("links.csv", "from,to,minutes,mode\nS1,S2,25,bus\n"),
        (
            "rooms.csv",
            "school,id,capacity,kind,periods\n\
             S1,S1-R1,20,,\n\
             S1,S1-LAB,12,Lab,1 2\n\
             S2,S2-R1,25,general,\n",
        ),
        (
            "courses.csv",
            "id,name,periods,room_kind,min_group,max_group,distance,grades\n\
             PHYS,Physics,2,lab,3,,no,10 11\n\
             INF,Informatics,,,,,yes,\n\
             BIO,Biology,1,general,,15,,11\n",
        ),
        (
            "teachers.csv",
            "id,name,school,courses,max_periods,travels,periods\n\
             T1,Ivanova,S1,PHYS INF,3,yes,\n\
             T2,Petrov,S2,BIO INF,,no,2 3 4\n",
        ),
        (
            "students.csv",
            "id,school,grade,wants,choice_1,choice_2,choice_3\n\
             P1,S1,10,,PHYS,INF,\n\
             P2,S1,11,1,BIO,,PHYS\n\
             P3,S2,11,,INF,BIO,PHYS\n",
        ),
        ("vehicles.csv", "id,school,seats\nBUS1,S1,12\n"),
    ];
    files.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

fn write(dir: &Path, files: &BTreeMap<&str, String>) {
    fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
}

/// Rewrites a `,` CSV text in the Excel dialect: `;`, BOM, CRLF, columns reversed.
fn excel_dialect(text: &str) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut cells: Vec<&str> = rec.iter().collect();
        cells.reverse();
        w.write_record(&cells).unwrap();
    }
    w.into_inner().unwrap()
}

/// Loads `files` from a fresh directory.
fn load(files: &BTreeMap<&str, String>) -> Result<(Network, Vec<Diagnostic>), Vec<Diagnostic>> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bundle");
    write(&dir, files);
    profnet::input::load(&dir).map_err(|e| e.0)
}

/// Loads a bundle that must fail; returns every diagnostic.
fn errors(files: &BTreeMap<&str, String>) -> Vec<Diagnostic> {
    match load(files) {
        Ok(_) => panic!("the bundle should not load"),
        Err(d) => d,
    }
}

/// The good bundle with `from` replaced by `to` in `file` (which must contain it).
fn with(file: &'static str, from: &str, to: &str) -> BTreeMap<&'static str, String> {
    let mut f = good();
    edit(&mut f, file, from, to);
    f
}

fn edit(f: &mut BTreeMap<&'static str, String>, file: &'static str, from: &str, to: &str) {
    let text = f.get_mut(file).unwrap();
    assert!(text.contains(from), "{file} has no '{from}'");
    *text = text.replacen(from, to, 1);
}

/// Asserts a diagnostic with this code, file, line and column is present.
#[track_caller]
fn has(diags: &[Diagnostic], code: &str, file: &str, row: Option<usize>, column: Option<&str>) {
    let found = diags
        .iter()
        .any(|d| d.code == code && d.file == file && d.row == row && d.column.as_deref() == column);
    assert!(
        found,
        "expected {code} in {file} line {row:?} column {column:?}; got:\n{}",
        diags.iter().map(|d| format!("  {d}\n")).collect::<String>()
    );
    let d = diags.iter().find(|d| d.code == code).unwrap();
    assert_eq!(d.is_error(), code.starts_with('E'), "{d}");
    assert!(!d.hint.is_empty(), "{code} has no hint");
}

fn count_errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.is_error()).count()
}

#[test]
fn good_bundle_loads_with_defaults() {
    let (net, warnings) = load(&good()).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert_eq!(net.name, "Test district");
    assert_eq!((net.day_start, net.day_end), (480, 1020));
    assert_eq!(net.num_periods(), 4);
    assert_eq!((net.periods[1].start, net.periods[1].end), (595, 640));
    assert_eq!((net.min_group, net.max_group, net.wants), (2, 20, 2));
    assert_eq!(net.kinds, vec!["general", "lab"]);

    assert_eq!(net.schools.len(), 2);
    assert_eq!(net.schools[0].name, "School No 1, Village");
    assert_eq!(net.schools[0].lat, Some(55.1));
    assert_eq!(net.schools[1].kind, SchoolKind::College);
    assert_eq!(net.schools[1].lon, None);

    assert_eq!(net.links.len(), 1);
    assert_eq!(
        (net.links[0].a, net.links[0].b, net.links[0].minutes),
        (SchoolId(0), SchoolId(1), 25)
    );

    let lab = &net.rooms[1];
    assert_eq!(
        (lab.id.as_str(), lab.kind, lab.periods),
        ("S1-LAB", KindId(1), PeriodSet(0b11))
    );
    assert_eq!(
        (net.rooms[0].kind, net.rooms[0].periods),
        (KindId(0), PeriodSet::all(4))
    );
    assert_eq!(net.rooms[2].school, SchoolId(1));

    let phys = &net.courses[0];
    assert_eq!(
        (phys.periods, phys.room_kind, phys.min_group, phys.max_group),
        (2, KindId(1), 3, 20)
    );
    assert_eq!(
        (phys.distance, phys.grades.clone()),
        (false, Some(vec![10, 11]))
    );
    let inf = &net.courses[1];
    assert_eq!(
        (inf.periods, inf.room_kind, inf.min_group, inf.max_group),
        (1, KindId(0), 2, 20)
    );
    assert!(inf.distance && inf.grades.is_none());
    assert_eq!(
        (net.courses[2].min_group, net.courses[2].max_group),
        (2, 15)
    );

    let t1 = &net.teachers[0];
    assert_eq!(t1.courses, vec![CourseId(0), CourseId(1)]);
    assert_eq!(
        (t1.max_periods, t1.travels, t1.periods),
        (3, true, PeriodSet::all(4))
    );
    let t2 = &net.teachers[1];
    assert_eq!(
        (t2.school, t2.max_periods, t2.travels, t2.periods),
        (SchoolId(1), 4, false, PeriodSet(0b1110))
    );

    let p = &net.students;
    assert_eq!(
        (p[0].grade, p[0].wants, p[0].choices.clone()),
        (10, 2, vec![CourseId(0), CourseId(1)])
    );
    // An empty choice cell is skipped: PHYS becomes the second choice.
    assert_eq!(
        (p[1].wants, p[1].choices.clone()),
        (1, vec![CourseId(2), CourseId(0)])
    );
    assert_eq!(p[2].choices, vec![CourseId(1), CourseId(2), CourseId(0)]);
    assert_eq!(p[2].school, SchoolId(1));

    assert_eq!(net.vehicles.len(), 1);
    assert_eq!(
        (net.vehicles[0].seats, net.vehicles[0].school),
        (12, SchoolId(0))
    );
}

#[test]
fn excel_dialect_loads_to_the_same_network() {
    let tmp = tempfile::tempdir().unwrap();
    let comma = tmp.path().join("comma");
    let excel = tmp.path().join("excel");
    write(&comma, &good());
    fs::create_dir_all(&excel).unwrap();
    for (name, text) in good() {
        if name.ends_with(".csv") {
            let bytes = excel_dialect(&text);
            assert!(
                bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && bytes.windows(2).any(|w| w == b"\r\n")
            );
            fs::write(excel.join(name), bytes).unwrap();
        } else {
            fs::write(excel.join(name), text.replace('\n', "\r\n")).unwrap();
        }
    }
    let (a, _) = profnet::input::load(&comma).unwrap();
    let (b, wb) = profnet::input::load(&excel).unwrap_or_else(|e| panic!("{:#?}", e.0));
    assert!(wb.is_empty(), "{wb:#?}");
    // The name keeps the directory out of it, so compare everything via Debug.
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(b.schools[0].name, "School No 1, Village");
}

#[test]
fn crlf_and_blank_lines_keep_line_numbers() {
    let mut f = good();
    f.insert(
        "students.csv",
        "id;school;grade;choice_1\r\n\r\nP1;S1;10;PHYS\r\n;;;\r\nP2;S1;x;BIO\r\n\"P3\";S2;11;\"NOPE\"\r\n".into(),
    );
    let d = errors(&f);
    has(&d, "E0208", "students.csv", Some(5), Some("grade"));
    has(&d, "E0207", "students.csv", Some(6), Some("choice_1"));
    // A student whose only choice is unknown gets the error, not "no choices".
    assert!(!d.iter().any(|x| x.code == "W0342"), "{d:#?}");
}

#[test]
fn windows_1251_and_russian_booleans() {
    let mut f = good();
    f.insert(
        "schools.csv",
        "id;name;kind\r\nS1;Школа №1 с. Пестрецы;school\r\nS2;Аграрный колледж;college\r\n".into(),
    );
    f.insert(
        "teachers.csv",
        "id;name;school;courses;travels\nT1;Иванова А. А.;S1;PHYS INF;да\nT2;Петров;S2;BIO INF;НЕТ\n".into(),
    );
    edit(
        &mut f,
        "courses.csv",
        "PHYS,Physics,2,lab,3,,no,",
        "PHYS,Физика,2,lab,3,,нет,",
    );
    edit(
        &mut f,
        "courses.csv",
        "INF,Informatics,,,,,yes,",
        "INF,Информатика,,,,,Да,",
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    write(&dir, &f);
    for name in ["schools.csv", "teachers.csv", "courses.csv"] {
        let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(&f[name]);
        assert!(!bad && std::str::from_utf8(&bytes).is_err());
        fs::write(dir.join(name), &bytes).unwrap();
    }
    let (net, _) = profnet::input::load(&dir).unwrap_or_else(|e| panic!("{:#?}", e.0));
    assert_eq!(net.schools[0].name, "Школа №1 с. Пестрецы");
    assert_eq!(net.schools[1].name, "Аграрный колледж");
    assert_eq!(net.teachers[0].name, "Иванова А. А.");
    assert_eq!(
        (net.teachers[0].travels, net.teachers[1].travels),
        (true, false)
    );
    assert_eq!(net.courses[0].name, "Физика");
    assert_eq!(
        (net.courses[0].distance, net.courses[1].distance),
        (false, true)
    );
}

#[test]
fn many_errors_are_reported_at_once() {
    let mut f = good();
    edit(&mut f, "rooms.csv", "S1,S1-R1,20,", "S1,S1-R1,ten,");
    edit(&mut f, "links.csv", "S1,S2,25", "S1,S1,25");
    edit(&mut f, "courses.csv", ",,11\n", ",,11\nBIO,Botany,,,,,,\n");
    edit(&mut f, "teachers.csv", "PHYS INF,3", "PHYS CHEM,3");
    edit(&mut f, "students.csv", "P2,S1,11", "P2,S9,11");
    edit(
        &mut f,
        "students.csv",
        "P3,S2,11,,INF,BIO",
        "P3,S2,11,,INF,BIOL",
    );
    edit(&mut f, "vehicles.csv", "BUS1,S1,12", "BUS1,S7,12");
    edit(
        &mut f,
        "schools.csv",
        "S2,Agro college,college",
        "S2,Agro college,academy",
    );
    let d = errors(&f);
    has(&d, "E0203", "rooms.csv", Some(2), Some("capacity"));
    has(&d, "E0301", "links.csv", Some(2), Some("to"));
    has(&d, "E0202", "courses.csv", Some(5), Some("id"));
    has(&d, "E0207", "teachers.csv", Some(2), Some("courses"));
    has(&d, "E0207", "students.csv", Some(3), Some("school"));
    has(&d, "E0207", "students.csv", Some(4), Some("choice_2"));
    has(&d, "E0207", "vehicles.csv", Some(2), Some("school"));
    has(&d, "E0205", "schools.csv", Some(3), Some("kind"));
    assert_eq!(count_errors(&d), 8, "{d:#?}");
    let msg = d
        .iter()
        .find(|x| x.column.as_deref() == Some("courses"))
        .unwrap();
    assert!(msg.message.contains("CHEM"), "{msg}");
}

#[test]
fn missing_files_and_columns() {
    let mut f = good();
    f.remove("students.csv");
    f.remove("vehicles.csv"); // optional: no diagnostic
    edit(&mut f, "schools.csv", "id,name,kind", "id,title,kind");
    edit(&mut f, "rooms.csv", "school,id,capacity", "school,id,seats");
    let d = errors(&f);
    has(&d, "E0001", "students.csv", None, None);
    has(&d, "E0002", "schools.csv", Some(1), Some("name"));
    has(&d, "E0002", "rooms.csv", Some(1), Some("capacity"));
    has(&d, "W0201", "schools.csv", Some(1), Some("title"));
    assert_eq!(count_errors(&d), 3, "{d:#?}");
    assert!(!d.iter().any(|x| x.file == "vehicles.csv"));
    // A missing column does not flood every row with "empty" errors.
    assert!(!d.iter().any(|x| x.code == "E0201"), "{d:#?}");
}

#[test]
fn missing_choice_columns_and_bundle_dir() {
    let f = with("students.csv", "choice_1,choice_2,choice_3", "c1,c2,c3");
    let d = errors(&f);
    has(&d, "E0002", "students.csv", Some(1), Some("choice_1"));
    let e = profnet::input::load(Path::new("/nonexistent/profnet/bundle")).unwrap_err();
    assert_eq!(e.0[0].code, "E0009");
}

#[test]
fn header_only_files() {
    for file in ["schools.csv", "courses.csv", "students.csv"] {
        let mut f = good();
        let header = f[file].lines().next().unwrap().to_owned();
        f.insert(file, format!("{header}\n"));
        let d = errors(&f);
        has(&d, "E0007", file, Some(1), None);
    }
    // links, rooms, teachers and vehicles may be empty.
    let mut f = good();
    f.insert("links.csv", "from,to,minutes\n".into());
    f.insert("vehicles.csv", "id,school,seats\n".into());
    let (net, _) = load(&f).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(net.links.is_empty() && net.vehicles.is_empty());
}

#[test]
fn broken_toml_names_the_line() {
    let mut f = good();
    f.insert(
        "network.toml",
        TOML.replace("day_end = \"17:00\"", "day_end = \"17:00"),
    );
    let d = errors(&f);
    has(&d, "E0101", "network.toml", Some(3), None);
    // CSV files are still checked.
    let mut f2 = f.clone();
    edit(&mut f2, "students.csv", "P2,S1,11", "P2,S1,eleven");
    let d = errors(&f2);
    has(&d, "E0101", "network.toml", Some(3), None);
    has(&d, "E0208", "students.csv", Some(3), Some("grade"));
}

#[test]
fn bad_toml_values() {
    let toml = r#"name = 5
day_start = "08:00"
day_end = "8:00"
periods = ["09:00-09:45", "09:40-10:40",
           "7:00-07:45", "11:00-10:00"]
min_group = 30
max_group = 20
wants = 0
colour = "blue"
"#;
    let mut f = good();
    f.insert("network.toml", toml.into());
    let d = errors(&f);
    has(&d, "E0103", "network.toml", Some(1), Some("name"));
    has(&d, "E0105", "network.toml", Some(3), Some("day_end"));
    has(&d, "E0104", "network.toml", Some(5), Some("periods"));
    has(&d, "E0109", "network.toml", Some(6), Some("min_group"));
    has(&d, "E0111", "network.toml", Some(8), Some("wants"));
    has(&d, "W0101", "network.toml", Some(9), Some("colour"));

    let toml = "day_start = \"08:00\"\nday_end = \"12:00\"\nperiods = [\"09:00-09:45\", \"09:40-10:40\", \"11:30-12:15\"]\nmin_group = 0\nmax_group = \"25\"\n";
    let mut f = good();
    f.insert("network.toml", toml.into());
    let d = errors(&f);
    has(&d, "W0102", "network.toml", None, Some("name"));
    has(&d, "E0106", "network.toml", Some(3), Some("periods"));
    has(&d, "E0107", "network.toml", Some(3), Some("periods"));
    has(&d, "E0110", "network.toml", Some(4), Some("min_group"));
    has(&d, "E0103", "network.toml", Some(5), Some("max_group"));

    let many: Vec<String> = (0..65)
        .map(|i| {
            format!(
                "\"{:02}:{:02}-{:02}:{:02}\"",
                8 + i / 6,
                i % 6 * 10,
                8 + i / 6,
                i % 6 * 10 + 5
            )
        })
        .collect();
    let mut f = good();
    f.insert(
        "network.toml",
        format!(
            "day_start = \"00:00\"\nday_end = \"23:59\"\nperiods = [{}]\n",
            many.join(", ")
        ),
    );
    has(
        &errors(&f),
        "E0108",
        "network.toml",
        Some(3),
        Some("periods"),
    );
    let mut f = good();
    f.insert("network.toml", "day_end = \"17:00\"\nperiods = []\n".into());
    let d = errors(&f);
    has(&d, "E0102", "network.toml", None, Some("day_start"));
    has(&d, "E0108", "network.toml", Some(2), Some("periods"));
}

#[test]
fn row_level_value_errors() {
    let cases: &[(&str, &str, &str, &str, usize, &str)] = &[
        (
            "courses.csv",
            "PHYS,Physics,2,lab,3,,no",
            "PHYS,Physics,2,lab,3,,maybe",
            "E0204",
            2,
            "distance",
        ),
        (
            "teachers.csv",
            "BIO INF,,no",
            "BIO INF,,nope",
            "E0204",
            3,
            "travels",
        ),
        ("students.csv", "P1,S1,10", "P1,S1,0", "E0208", 2, "grade"),
        (
            "courses.csv",
            "lab,3,,no,10 11",
            "lab,3,,no,10 x",
            "E0208",
            2,
            "grades",
        ),
        ("rooms.csv", "Lab,1 2", "Lab,1 5", "E0206", 3, "periods"),
        (
            "teachers.csv",
            "no,2 3 4",
            "no,2 3 0",
            "E0206",
            3,
            "periods",
        ),
        (
            "courses.csv",
            "PHYS,Physics,2",
            "PHYS,Physics,5",
            "E0321",
            2,
            "periods",
        ),
        (
            "courses.csv",
            "PHYS,Physics,2",
            "PHYS,Physics,0",
            "E0321",
            2,
            "periods",
        ),
        (
            "courses.csv",
            "lab,3,,no",
            "lab,30,,no",
            "E0109",
            2,
            "min_group",
        ),
        (
            "courses.csv",
            "BIO,Biology,1,general,,15",
            "BIO,Biology,1,general,16,15",
            "E0109",
            4,
            "max_group",
        ),
        (
            "courses.csv",
            "lab,3,,no",
            "lab,0,,no",
            "E0110",
            2,
            "min_group",
        ),
        (
            "courses.csv",
            ",,11\n",
            ",,11\nART X,Art,,,,,,\n",
            "E0210",
            5,
            "id",
        ),
        ("links.csv", "S1,S2,25", "S1,S2,2000", "E0302", 2, "minutes"),
        ("links.csv", "S1,S2,25", "S1,S2,-3", "E0203", 2, "minutes"),
        ("links.csv", "S1,S2,25", "S1,,25", "E0201", 2, "to"),
        ("links.csv", "S1,S2,25", "S1,S3,25", "E0207", 2, "to"),
        ("rooms.csv", "S1,S1-R1", "S4,S1-R1", "E0207", 2, "school"),
        (
            "teachers.csv",
            "T2,Petrov,S2",
            "T2,Petrov,s2",
            "E0207",
            3,
            "school",
        ),
        ("rooms.csv", "S2,S2-R1", "S2,S1-R1", "E0202", 4, "id"),
        ("students.csv", "P3,S2", "P1,S2", "E0202", 4, "id"),
        (
            "schools.csv",
            "college,,\n",
            "college,,\n,Nameless,,,\n",
            "E0201",
            4,
            "id",
        ),
        ("schools.csv", "55.1,49.2", "55.1,east", "E0209", 2, "lon"),
        (
            "students.csv",
            "P2,S1,11,1",
            "P2,S1,11,0",
            "E0111",
            3,
            "wants",
        ),
        (
            "students.csv",
            "P2,S1,11,1",
            "P2,S1,11,x",
            "E0203",
            3,
            "wants",
        ),
        (
            "teachers.csv",
            "PHYS INF,3",
            "PHYS INF,3.5",
            "E0203",
            2,
            "max_periods",
        ),
        (
            "vehicles.csv",
            "BUS1,S1,12",
            "BUS1,S1,",
            "E0203",
            2,
            "seats",
        ),
    ];
    for &(file, from, to, code, line, column) in cases {
        let d = errors(&with(file, from, to));
        has(&d, code, file, Some(line), Some(column));
        assert_eq!(count_errors(&d), 1, "{file}: {from} -> {to}: {d:#?}");
    }
    // The "did you mean" hint for an id that differs in case.
    let d = errors(&with("teachers.csv", "T2,Petrov,S2", "T2,Petrov,s2"));
    assert!(d[0].hint.contains("'S2'"), "{}", d[0]);
}

#[test]
fn file_level_errors() {
    // A wrong number of fields names the line, and later rows are still checked.
    let mut f = with("rooms.csv", "S1,S1-LAB,12,Lab,1 2", "S1,S1-LAB,12,Lab");
    edit(&mut f, "rooms.csv", "S2,S2-R1,25", "S2,S2-R1,0");
    edit(&mut f, "rooms.csv", "general,\n", "general,,,extra\n");
    let d = errors(&f);
    has(&d, "E0004", "rooms.csv", Some(3), None);
    has(&d, "E0004", "rooms.csv", Some(4), None);
    assert_eq!(count_errors(&d), 2, "{d:#?}");

    let f = good();
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &f);
    fs::write(
        tmp.path().join("courses.csv"),
        b"id,name\nPHYS,\x00\x01\xff\xfe",
    )
    .unwrap();
    let d = profnet::input::load(tmp.path()).unwrap_err().0;
    has(&d, "E0003", "courses.csv", Some(2), None);

    let d = errors(&with(
        "schools.csv",
        "id,name,kind,lat,lon",
        "id,name,kind,lat,ID",
    ));
    has(&d, "E0006", "schools.csv", Some(1), Some("id"));

    let mut f = good();
    f.insert("teachers.csv", String::new());
    has(&errors(&f), "E0005", "teachers.csv", None, None);
}

#[test]
fn warnings_do_not_stop_loading() {
    let mut f = good();
    edit(&mut f, "rooms.csv", "S2,S2-R1,25", "S2,S2-R1,0");
    edit(
        &mut f,
        "schools.csv",
        "id,name,kind,lat,lon\n",
        "id,name,kind,lat,lon,phone\n",
    );
    edit(&mut f, "schools.csv", "55.1,49.2\n", "55.1,49.2,\n");
    edit(
        &mut f,
        "schools.csv",
        "college,,\n",
        "college,,,\nS3,Empty school,other,,,\n",
    );
    edit(
        &mut f,
        "courses.csv",
        "BIO,Biology,1,general,,15,,11\n",
        "BIO,Biology,1,general,,15,,11\nART,Art,1,studio,,,,\n",
    );
    edit(
        &mut f,
        "students.csv",
        "P1,S1,10,,PHYS,INF,",
        "P1,S1,10,,PHYS,PHYS,INF",
    );
    edit(
        &mut f,
        "students.csv",
        "P3,S2,11,,INF,BIO,PHYS",
        "P3,S2,10,,,,",
    );
    edit(&mut f, "students.csv", "P2,S1,11,1,BIO", "P2,S1,10,1,BIO");
    edit(
        &mut f,
        "teachers.csv",
        "T2,Petrov,S2,BIO INF",
        "T2,Petrov,S2,",
    );
    edit(
        &mut f,
        "network.toml",
        "wants = 2",
        "wants = 2\nsolver = \"highs\"",
    );
    edit(
        &mut f,
        "links.csv",
        "S1,S2,25,bus\n",
        "S1,S2,25,bus\nS2,S1,30,car\n",
    );
    let (net, w) = load(&f).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(w.iter().all(|d| d.severity == Severity::Warning));
    has(&w, "W0101", "network.toml", Some(9), Some("solver"));
    has(&w, "W0201", "schools.csv", Some(1), Some("phone"));
    has(&w, "W0302", "links.csv", Some(3), Some("to"));
    has(&w, "W0311", "rooms.csv", Some(4), Some("capacity"));
    has(&w, "W0321", "courses.csv", Some(4), Some("id")); // BIO: T2 lists nothing now
    has(&w, "W0322", "courses.csv", Some(5), Some("id")); // ART
    has(&w, "W0323", "courses.csv", Some(5), Some("room_kind"));
    has(&w, "W0331", "teachers.csv", Some(3), Some("courses"));
    has(&w, "W0341", "students.csv", Some(2), Some("choice_2"));
    has(&w, "W0342", "students.csv", Some(4), Some("choice_1"));
    has(&w, "W0343", "students.csv", Some(3), Some("choice_1")); // BIO is grade 11 only
    has(&w, "W0351", "schools.csv", Some(4), Some("id"));
    assert_eq!(net.students[0].choices, vec![CourseId(0), CourseId(1)]);
    assert!(net.students[2].choices.is_empty());
    assert_eq!(net.kinds, vec!["general", "lab", "studio"]);
    assert_eq!(net.links.len(), 2);
}

#[test]
fn choice_columns_follow_their_number() {
    let mut f = good();
    f.insert(
        "students.csv",
        "choice_10,id,school,choice_2,grade,wants,choice_1\n\
         PHYS,P1,S1,INF,10,,BIO\n\
         ,P2,S1,,11,1,BIO\n\
         ,P3,S2,BIO,11,,INF\n"
            .into(),
    );
    let (net, _) = load(&f).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(
        net.students[0].choices,
        vec![CourseId(2), CourseId(1), CourseId(0)]
    );
}

#[test]
fn weights_and_transport_tables_are_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = good();
    files.insert(
        "network.toml",
        TOML.replace(
            "student_minute = 2.5",
            "student_minute = 2.5\nvehicle_minute = 3\n\n[transport]\nmax_wait = 45",
        ),
    );
    write(dir.path(), &files);
    let (net, _) = profnet::input::load(dir.path()).unwrap();
    assert_eq!(net.tuning.weights.student_minute, 2.5);
    assert_eq!(net.tuning.weights.vehicle_minute, 3.0);
    assert_eq!(
        net.tuning.weights.rank, 100.0,
        "defaults for what is not given"
    );
    assert_eq!(net.tuning.max_wait, 45);

    files.insert(
        "network.toml",
        TOML.replace("student_minute = 2.5", "student_minute = \"fast\""),
    );
    write(dir.path(), &files);
    let err = profnet::input::load(dir.path()).unwrap_err();
    let d = &err.0[0];
    assert_eq!(
        (d.code, d.file.as_str(), d.row),
        ("E0103", "network.toml", Some(11)),
        "{d:?}"
    );
}

//! index.html of `profnet report`: a generated rural network is solved and reported,
//! and the page is checked the way a planner would look at it, then opened in headless
//! Chromium (screenshot and rendered DOM).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A bundle, its plan and the reports in both languages, made once per test run.
struct Fixture {
    dir: PathBuf,
    bundle: PathBuf,
    plan: PathBuf,
    ru: String,
    en: String,
}

use common::run_profnet as profnet;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `profnet report` into `out`; the page it wrote.
fn report(f_bundle: &Path, plan: &Path, out: &Path, lang: &str) -> String {
    profnet(&[
        "report",
        s(f_bundle),
        s(plan),
        "--out",
        s(out),
        "--date",
        "2026-09-04",
        "--lang",
        lang,
        "--quiet",
    ]);
    std::fs::read_to_string(out.join("index.html")).expect("index.html written")
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_html");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (bundle, plan) = common::solved_rural(&dir);
        let ru = report(&bundle, &plan, &dir.join("report-ru"), "ru");
        let en = report(&bundle, &plan, &dir.join("report-en"), "en");
        Fixture {
            dir,
            bundle,
            plan,
            ru,
            en,
        }
    })
}

/// Rows of a CSV file as maps from column to value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("read csv");
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn school_ids(f: &Fixture) -> Vec<String> {
    rows(&f.bundle.join("schools.csv"))
        .into_iter()
        .map(|r| r["id"].clone())
        .collect()
}

/// The values of every `attr="…"` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!("{attr}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

#[test]
fn the_page_fetches_nothing() {
    let f = fixture();
    for html in [&f.ru, &f.en] {
        assert!(!html.contains("http://") && !html.contains("https://"));
        for attr in ["src", "href"] {
            for v in attr_values(html, attr) {
                assert!(
                    !v.contains("//") && !v.contains(':'),
                    "{attr}=\"{v}\" points outside the page"
                );
            }
        }
        for (i, _) in html.match_indices("url(") {
            let arg = &html[i..html[i..].find(')').map_or(html.len(), |j| i + j)];
            assert!(!arg.contains("//"), "{arg} points outside the page");
        }
        assert!(!html.contains("<link"), "no linked style sheets");
        assert!(!html.contains("@import"), "no imported styles");
        assert!(!html.contains("<script src"), "no external scripts");
        assert!(html.contains("@media print"), "the page has print styles");
    }
}

#[test]
fn the_same_plan_gives_the_same_bytes() {
    let f = fixture();
    let again = report(&f.bundle, &f.plan, &f.dir.join("report-ru-again"), "ru");
    assert!(again == f.ru, "two reports of one plan differ");
}

#[test]
fn the_map_has_every_school_and_an_arrow_per_student_flow() {
    let f = fixture();
    let html = &f.ru;
    let svg_start = html.find("<svg class=\"map\"").expect("the map svg");
    let svg = &html[svg_start..svg_start + html[svg_start..].find("</svg>").unwrap()];
    let schools = school_ids(f);
    assert_eq!(
        svg.matches("<circle class=\"school\"").count(),
        schools.len()
    );
    for id in &schools {
        let circle = format!("<circle class=\"school\" data-school=\"{id}\"");
        assert_eq!(svg.matches(&circle).count(), 1, "one circle for {id}");
    }
    // Student legs per ordered pair of schools, from routes.csv.
    let mut legs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in rows(&f.plan.join("routes.csv")) {
        if r["role"] == "student" {
            *legs
                .entry((r["from"].clone(), r["to"].clone()))
                .or_default() += 1;
        }
    }
    assert!(!legs.is_empty(), "students travel in this network");
    for ((a, b), n) in &legs {
        let arrow = format!(
            "<g class=\"flow student\" data-from=\"{a}\" data-to=\"{b}\" data-count=\"{n}\">"
        );
        assert!(
            svg.contains(&arrow),
            "no arrow {a} -> {b} for {n} student trips"
        );
    }
    assert_eq!(svg.matches("<g class=\"flow student\"").count(), legs.len());
    let teachers = rows(&f.plan.join("routes.csv"))
        .iter()
        .any(|r| r["role"] == "teacher");
    assert_eq!(svg.contains("<g class=\"flow teacher\""), teachers);
    assert!(
        html.contains("routes.csv"),
        "the page says where the trips come from"
    );
}

#[test]
fn a_grid_per_school_with_every_group() {
    let f = fixture();
    let html = &f.ru;
    let schools = school_ids(f);
    assert_eq!(html.matches("<table class=\"grid\"").count(), schools.len());
    for id in &schools {
        let grid = format!("<table class=\"grid\" data-school=\"{id}\"");
        assert!(html.contains(&grid), "a grid for {id}");
    }
    let courses: BTreeMap<String, String> = rows(&f.bundle.join("courses.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r["name"].clone()))
        .collect();
    let teachers: BTreeMap<String, String> = rows(&f.bundle.join("teachers.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r["name"].clone()))
        .collect();
    let groups = rows(&f.plan.join("groups.csv"));
    assert!(!groups.is_empty());
    for g in &groups {
        let course = escape(&courses[&g["course"]]);
        assert!(
            html.contains(&format!("<b>{course}</b>")),
            "course of {}",
            g["group"]
        );
        assert!(html.contains(&escape(&teachers[&g["teacher"]])));
        let cell = format!("<div data-group=\"{}\">", g["group"]);
        assert!(
            html.contains(&cell),
            "{} is in its school's grid",
            g["group"]
        );
        let list = format!("<details class=\"group\" id=\"g-{}\">", g["group"]);
        assert!(html.contains(&list), "{} has a member list", g["group"]);
    }
    let distance = groups.iter().filter(|g| g["mode"] == "distance").count();
    assert!(distance > 0, "this network has distance groups");
    assert_eq!(
        html.matches("class=\"group distance\"").count(),
        distance,
        "distance groups are marked in the grids"
    );
    // Every member is listed with a home school.
    let members = rows(&f.plan.join("assignments.csv")).len();
    assert_eq!(html.matches("<span class=\"home\">").count(), members);
}

#[test]
fn unserved_choices_come_with_their_reasons() {
    let f = fixture();
    let unserved = rows(&f.plan.join("unserved.csv"));
    assert!(!unserved.is_empty());
    // The English page shows unserved.csv's text; the Russian page the same reason
    // rendered from its code and figures by the one catalogue.
    for r in &unserved {
        let reason = &r["reason"];
        assert!(f.en.contains(&escape(reason)), "reason missing: {reason}");
        let code = profnet::plan::reason::Reason::parse(&r["code"], &r["figures"])
            .unwrap_or_else(|| panic!("no code for {reason}"));
        assert_eq!(&code.to_string(), reason);
        let ru = code.text(profnet::lang::Lang::Ru);
        assert!(f.ru.contains(&escape(&ru)), "Russian reason missing: {ru}");
        assert!(
            !f.ru.contains(&escape(reason)),
            "English reason on the Russian page"
        );
    }
    let table =
        f.ru.find("<table class=\"unserved\">")
            .expect("unserved table");
    let rows_html = f.ru[table..].split("</table>").next().unwrap();
    assert_eq!(
        rows_html.matches("<td class=\"reason\">").count(),
        unserved.len()
    );
}

#[test]
fn labels_follow_the_language() {
    let f = fixture();
    assert!(f.ru.contains("<html lang=\"ru\">"));
    for label in [
        "Показатели",
        "Карта сети",
        "Неудовлетворённые выборы",
        "Зачислено",
    ] {
        assert!(f.ru.contains(label), "Russian page lacks {label}");
    }
    assert!(f.en.contains("<html lang=\"en\">"));
    for label in [
        "Key figures",
        "Network map",
        "Unserved choices",
        "Placements",
    ] {
        assert!(f.en.contains(label), "English page lacks {label}");
    }
    for label in ["Показатели", "Карта сети", "Учащийся"] {
        assert!(!f.en.contains(label), "English page has Russian {label}");
    }
    assert!(f.ru.contains("2026-09-04") && f.en.contains("2026-09-04"));
}

// ---------------------------------------------------------------------------------------
// The page in a real browser.

fn chromium() -> PathBuf {
    for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "Chromium is not installed (looked for /usr/bin/chromium): run \
         `scripts/setup-debian.sh --tests` to install it; this test opens index.html in it"
    );
}

/// Runs headless Chromium on `page` with `extra` flags; its stdout.
fn run_chromium(page: &Path, profile: &Path, extra: &[String]) -> String {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start chromium");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// (distinct colours, share of pixels that are not white) of a PNG.
fn colour_stats(png_path: &Path) -> (usize, f64, u32) {
    let bytes = std::fs::read(png_path).expect("screenshot written");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("decode PNG");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "colour screenshot");
    let mut colours = BTreeSet::new();
    let mut not_white = 0usize;
    let pixels = &buf[..info.buffer_size()];
    for px in pixels.chunks_exact(channels) {
        let rgb = (px[0], px[1], px[2]);
        colours.insert(rgb);
        if rgb != (255, 255, 255) {
            not_white += 1;
        }
    }
    let total = (info.width * info.height) as f64;
    (colours.len(), not_white as f64 / total, info.width)
}

#[test]
fn chromium_renders_the_map_and_the_grids() {
    let f = fixture();
    let page = f.dir.join("report-ru").join("index.html");
    let shots = f.dir.join("browser");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let png_path = shots.join("index.png");
    run_chromium(
        &page,
        &shots.join("profile-shot"),
        &[
            "--window-size=1280,2000".to_string(),
            format!("--screenshot={}", png_path.display()),
        ],
    );
    let (colours, not_white, width) = colour_stats(&png_path);
    assert_eq!(width, 1280);
    assert!(
        colours > 100,
        "the screenshot looks blank: {colours} colours"
    );
    assert!(
        not_white > 0.05,
        "the screenshot is almost white: {:.1}% of pixels",
        not_white * 100.0
    );

    let dom = run_chromium(
        &page,
        &shots.join("profile-dom"),
        &["--dump-dom".to_string()],
    );
    assert!(
        dom.contains("<svg class=\"map\""),
        "the rendered page has the map"
    );
    assert_eq!(
        dom.matches("<table class=\"grid\"").count(),
        school_ids(f).len(),
        "the rendered page has a grid per school"
    );
    assert!(dom.contains("<circle class=\"school\""));
}

/// A copy of the fixture's bundle whose schools.csv is rewritten by `edit` (rows of
/// `id,name,kind,lat,lon`).
fn edited_bundle(f: &Fixture, name: &str, edit: impl Fn(&mut Vec<[String; 5]>)) -> PathBuf {
    let dir = f.dir.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&f.bundle).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let mut schools: Vec<[String; 5]> = rows(&f.bundle.join("schools.csv"))
        .into_iter()
        .map(|r| ["id", "name", "kind", "lat", "lon"].map(|c| r[c].clone()))
        .collect();
    edit(&mut schools);
    let mut w = csv::Writer::from_path(dir.join("schools.csv")).unwrap();
    w.write_record(["id", "name", "kind", "lat", "lon"])
        .unwrap();
    for r in &schools {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    dir
}

#[test]
fn schools_without_coordinates_are_drawn_apart_and_names_are_escaped() {
    let f = fixture();
    let tricky = "Школа <2> & \"Ко\" 'Н'";
    let bundle = edited_bundle(f, "bundle-partial", |rows| {
        rows[1][1] = tricky.to_string();
        rows[2][3].clear();
        rows[2][4].clear();
    });
    let html = report(&bundle, &f.plan, &f.dir.join("report-partial"), "ru");
    assert!(html.contains(&escape(tricky)), "the name is escaped");
    assert!(!html.contains("<2>"), "no raw markup from the bundle");
    assert!(
        html.contains("Без координат"),
        "the page says a school has no coordinates"
    );
    let s03 = html
        .split("<circle class=\"school\" data-school=\"S03\"")
        .nth(1)
        .expect("a circle for S03");
    assert!(
        s03[..s03.find('>').unwrap()].contains("stroke-dasharray"),
        "the school without coordinates is marked"
    );

    let bundle = edited_bundle(f, "bundle-nocoords", |rows| {
        for r in rows.iter_mut() {
            r[3].clear();
            r[4].clear();
        }
    });
    let html = report(&bundle, &f.plan, &f.dir.join("report-nocoords"), "en");
    assert!(
        html.contains("placed on a circle"),
        "the page says the layout is made up"
    );
    assert_eq!(
        html.matches("<circle class=\"school\"").count(),
        school_ids(f).len()
    );
}

//! `profnet serve` (SPEC §9), tested as people and programs use it: the JSON API against
//! a server on 127.0.0.1 with a free port, and the pages in a real browser (Debian's
//! chromium driven through chromium-driver), each page screenshotted.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{exe, profnet, run_profnet};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/pestrechinsky");

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A running `profnet serve`, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(workspace: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(exe())
            .args([
                "serve",
                "--workspace",
                s(workspace),
                "--listen",
                "127.0.0.1:0",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start profnet serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Server { child, url }
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into()
}

/// The page's CSRF token.
fn csrf(a: &ureq::Agent, srv: &Server) -> String {
    let page = a
        .get(&srv.at("/"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let at = page
        .find("name=\"csrf-token\" content=\"")
        .expect("csrf meta")
        + 27;
    page[at..at + 32].to_owned()
}

fn json(r: &mut ureq::http::Response<ureq::Body>) -> serde_json::Value {
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
}

fn upload(
    a: &ureq::Agent,
    srv: &Server,
    token: &str,
    bytes: &[u8],
    name: &str,
) -> (u16, serde_json::Value) {
    let mut r = a
        .post(&srv.at("/api/networks"))
        .header("X-CSRF-Token", token)
        .header("X-Filename", name)
        .send(bytes)
        .unwrap();
    (r.status().as_u16(), json(&mut r))
}

fn solve(a: &ureq::Agent, srv: &Server, token: &str, net: &str, seconds: u32) -> String {
    let mut r = a
        .post(&srv.at(&format!("/api/networks/{net}/solve")))
        .header("X-CSRF-Token", token)
        .header("Content-Type", "application/json")
        .send(format!("{{\"time_limit\": {seconds}}}").as_bytes())
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    json(&mut r)["run"].as_str().unwrap().to_owned()
}

fn state(a: &ureq::Agent, srv: &Server, run: &str) -> serde_json::Value {
    json(&mut a.get(&srv.at(&format!("/api/runs/{run}"))).call().unwrap())
}

/// Reads the run's server-sent events until its final state: every status seen.
fn events(a: &ureq::Agent, srv: &Server, run: &str) -> Vec<serde_json::Value> {
    let mut r = a
        .get(&srv.at(&format!("/api/runs/{run}/events")))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream")));
    let reader = BufReader::new(r.body_mut().as_reader());
    let mut seen = Vec::new();
    for line in reader.lines() {
        let line = line.unwrap();
        if let Some(data) = line.strip_prefix("data:") {
            let v: serde_json::Value = serde_json::from_str(data.trim()).unwrap();
            let end = ["done", "failed", "cancelled"].contains(&v["state"].as_str().unwrap());
            seen.push(v);
            if end {
                break;
            }
        }
    }
    seen
}

fn get_bytes(a: &ureq::Agent, url: &str) -> (u16, Vec<u8>) {
    let mut r = a.get(url).call().unwrap();
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(200 << 20)
        .read_to_vec()
        .unwrap();
    (status, body)
}

fn unzip(bytes: &[u8], into: &Path) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    z.extract(into).unwrap();
}

/// The sample as a workbook, written by `profnet convert`.
fn sample_workbook(dir: &Path) -> PathBuf {
    let book = dir.join("district.xlsx");
    run_profnet(&["convert", SAMPLE, "--to", s(&book)]);
    book
}

/// The sample with one bad grade (students.csv line 5) as a workbook.
fn broken_workbook(dir: &Path) -> PathBuf {
    let bundle = dir.join("broken");
    std::fs::create_dir(&bundle).unwrap();
    for e in std::fs::read_dir(SAMPLE).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, bundle.join(p.file_name().unwrap())).unwrap();
    }
    let students = std::fs::read_to_string(bundle.join("students.csv")).unwrap();
    let mut lines: Vec<String> = students.lines().map(String::from).collect();
    let mut cells: Vec<&str> = lines[4].split(',').collect();
    cells[2] = "десятый";
    lines[4] = cells.join(",");
    std::fs::write(bundle.join("students.csv"), lines.join("\n") + "\n").unwrap();
    let book = dir.join("broken.xlsx");
    run_profnet(&["convert", s(&bundle), "--to", s(&book)]);
    book
}

#[test]
fn upload_solve_follow_download_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let srv = Server::start(&ws, &[]);
    let a = agent();
    let token = csrf(&a, &srv);

    // A broken workbook: 422, every problem located in its sheet; nothing stored.
    let broken = std::fs::read(broken_workbook(dir.path())).unwrap();
    let (code, body) = upload(&a, &srv, &token, &broken, "broken.xlsx");
    assert_eq!(code, 422, "{body}");
    let p = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "E0208")
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(p["sheet"], "students");
    assert_eq!(p["row"], 5);
    assert_eq!(p["cell"], "C5");
    assert_eq!(p["file"], "broken.xlsx");
    assert!(!p["hint"].as_str().unwrap().is_empty());
    // The planner reads it in Russian; the English detail keeps the figures.
    assert_eq!(
        p["title_ru"],
        "Класс записан не как целое положительное число."
    );
    assert!(p["todo_ru"].as_str().unwrap().contains("числом"), "{p}");
    let list = json(&mut a.get(&srv.at("/api/networks")).call().unwrap());
    assert_eq!(list["networks"].as_array().unwrap().len(), 0);
    // The same workbook back with its problems marked: the bad cell keeps its value
    // and gets a note, and a first sheet lists the problem with a link to it.
    let mut r = a
        .post(&srv.at("/api/marked.xlsx"))
        .header("X-CSRF-Token", &token)
        .header("X-Filename", "broken.xlsx")
        .send(&broken[..])
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let marked = r
        .body_mut()
        .with_config()
        .limit(50 << 20)
        .read_to_vec()
        .unwrap();
    let path = dir.path().join("marked.xlsx");
    std::fs::write(&path, &marked).unwrap();
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        assert_eq!(wb.sheet_names()[0], "Ошибки");
        let list = wb.worksheet_range("Ошибки").unwrap();
        let row = list
            .rows()
            .find(|r| r.iter().any(|c| *c == "E0208"))
            .expect("E0208 listed");
        assert!(row.iter().any(|c| *c == "C5"), "{row:?}");
        let students = wb.worksheet_range("students").unwrap();
        assert_eq!(students.get_value((4, 2)).unwrap().to_string(), "десятый");
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(marked)).unwrap();
    let notes: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_owned())
        .filter(|n| n.contains("comments"))
        .collect();
    assert!(!notes.is_empty(), "no notes in the marked workbook");
    // And the marked workbook, as it is, still reads as the same (broken) bundle.
    let (code, body) = upload(
        &a,
        &srv,
        &token,
        &std::fs::read(&path).unwrap(),
        "marked.xlsx",
    );
    assert_eq!(code, 422, "{body}");

    // The sample workbook: 201, then a solve followed by its events.
    let book = std::fs::read(sample_workbook(dir.path())).unwrap();
    let (code, body) = upload(&a, &srv, &token, &book, "district.xlsx");
    assert_eq!(code, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let net = json(
        &mut a
            .get(&srv.at(&format!("/api/networks/{id}")))
            .call()
            .unwrap(),
    );
    assert_eq!(net["students"], 592);
    assert_eq!(net["name"], "Pestrechinsky district network");
    let run = solve(&a, &srv, &token, &id, 20);
    let seen = events(&a, &srv, &run);
    assert!(
        seen.iter().any(|e| e["state"] == "running"
            && e["progress"]["fraction"].as_f64().unwrap() > 0.0
            && !e["progress"]["stage"].as_str().unwrap().is_empty()),
        "no progress seen: {seen:?}"
    );
    let last = seen.last().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["summary"]["kpis"]["requested"], 1176);

    // The plan zip is the plan directory of SPEC §2, and check accepts it.
    let (code, zip) = get_bytes(&a, &srv.at(&format!("/api/runs/{run}/plan.zip")));
    assert_eq!(code, 200);
    let plan = dir.path().join("plan");
    unzip(&zip, &plan);
    let (code, out, err) = profnet(&["check", SAMPLE, s(&plan)]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, zip) = get_bytes(&a, &srv.at(&format!("/api/runs/{run}/report.zip")));
    assert_eq!(code, 200);
    let report = dir.path().join("report");
    unzip(&zip, &report);
    assert!(report.join("index.html").is_file() && report.join("plan.xlsx").is_file());
    let (code, xlsx) = get_bytes(&a, &srv.at(&format!("/api/runs/{run}/plan.xlsx")));
    assert_eq!(code, 200);
    assert!(xlsx.starts_with(b"PK"));

    // A student's and a teacher's day, found by id or by a part of the name.
    let page = |who: &str| {
        let mut r = a
            .get(&srv.at(&format!("/runs/{run}/day")))
            .query("who", who)
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        r.body_mut().read_to_string().unwrap()
    };
    let routes = std::fs::read_to_string(plan.join("routes.csv")).unwrap();
    let traveller = routes
        .lines()
        .find(|l| l.contains(",student,"))
        .and_then(|l| l.split(',').next())
        .unwrap()
        .to_owned();
    let day = page(&traveller);
    assert!(day.contains(&format!("Ученик {traveller}")), "{day}");
    assert!(
        day.contains("Отправление") && day.contains("<td>очно</td>"),
        "{day}"
    );
    let list = page("нуриева");
    assert!(list.contains("учитель Нуриева Л. В. (T0001)"), "{list}");
    let day = page("T0001");
    assert!(
        day.contains("Учитель Нуриева Л. В. (T0001)") && day.contains("Учеников"),
        "{day}"
    );
    let day = page("<script>alert(1)</script>");
    assert!(day.contains("id=\"nobody\""), "{day}");
    assert!(
        day.contains("&lt;script&gt;") && !day.contains("<script>alert"),
        "{day}"
    );

    // A second plan with less time, and the two side by side.
    let quick = solve(&a, &srv, &token, &id, 5);
    assert_eq!(events(&a, &srv, &quick).last().unwrap()["state"], "done");
    let mut r = a
        .get(&srv.at(&format!(
            "/compare?run={run}&run={quick}&run=..%2F..&run=r999"
        )))
        .call()
        .unwrap();
    let cmp = r.body_mut().read_to_string().unwrap();
    assert!(
        cmp.contains(&format!("план {run}")) && cmp.contains(&format!("план {quick}")),
        "{cmp}"
    );
    assert!(cmp.matches("<tr data-kpi=").count() >= 14, "{cmp}");
    assert!(cmp.contains("data-kpi=\"placements\""), "{cmp}");
    let mut r = a
        .get(&srv.at(&format!("/compare?run={run}")))
        .call()
        .unwrap();
    assert!(r
        .body_mut()
        .read_to_string()
        .unwrap()
        .contains("compare-few"));

    // The workspace is what the command line reads: the bundle solves and checks there.
    let bundle = ws.join("networks").join(&id).join("bundle");
    let (code, out, err) = profnet(&["validate", s(&bundle)]);
    assert_eq!(code, 0, "{out}{err}");

    // A restart keeps everything: the run is done, its plan still downloadable.
    drop(srv);
    let srv = Server::start(&ws, &[]);
    assert_eq!(state(&a, &srv, &run)["state"], "done");
    let (code, _) = get_bytes(&a, &srv.at(&format!("/api/runs/{run}/plan.zip")));
    assert_eq!(code, 200);
    // Pages and reports have their security headers.
    let r = a.get(&srv.at("/")).call().unwrap();
    let csp = r
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let r = a
        .get(&srv.at(&format!("/runs/{run}/report/index.html")))
        .call()
        .unwrap();
    let csp = r
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.starts_with("sandbox"), "{csp}");
    let (code, _) = get_bytes(
        &a,
        &srv.at(&format!("/runs/{run}/report/..%2F..%2Fmeta.json")),
    );
    assert_eq!(code, 404);
}

#[test]
fn two_solves_at_once_and_a_cancel_that_keeps_the_best_plan() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir.path().join("ws"), &["--workers", "2"]);
    let a = agent();
    let token = csrf(&a, &srv);
    // The sample as a zipped folder this time.
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for e in std::fs::read_dir(SAMPLE).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".csv") || name.ends_with(".toml") {
            z.start_file(
                format!("pestrechinsky/{name}"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut z, &std::fs::read(&p).unwrap()).unwrap();
        }
    }
    let zipped = z.finish().unwrap().into_inner();
    let (code, body) = upload(&a, &srv, &token, &zipped, "pestrechinsky.zip");
    assert_eq!(code, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let (r1, r2) = (
        solve(&a, &srv, &token, &id, 60),
        solve(&a, &srv, &token, &id, 60),
    );
    // Both run at the same time.
    let t0 = Instant::now();
    loop {
        let (s1, s2) = (state(&a, &srv, &r1), state(&a, &srv, &r2));
        if s1["state"] == "running" && s2["state"] == "running" {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "{s1} {s2}");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(4));
    // A cancel without the token is refused; with it, the run stops early and keeps
    // the best plan found so far.
    let r = a
        .delete(&srv.at(&format!("/api/runs/{r1}")))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let mut r = a
        .delete(&srv.at(&format!("/api/runs/{r1}")))
        .header("X-CSRF-Token", &token)
        .call()
        .unwrap();
    assert_eq!(json(&mut r)["cancelled"], true);
    let seen = events(&a, &srv, &r1);
    let last = seen.last().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["stopped_early"], true, "{last}");
    assert!(
        last["progress"]["elapsed"].as_f64().unwrap() < 50.0,
        "{last}"
    );
    let (code, zip) = get_bytes(&a, &srv.at(&format!("/api/runs/{r1}/plan.zip")));
    assert_eq!(code, 200);
    let plan = dir.path().join("plan1");
    unzip(&zip, &plan);
    let (code, out, err) = profnet(&["check", SAMPLE, s(&plan)]);
    assert_eq!(code, 0, "{out}{err}");
    // The other one is cancelled too, so the test does not wait for it.
    a.delete(&srv.at(&format!("/api/runs/{r2}")))
        .header("X-CSRF-Token", &token)
        .call()
        .unwrap();
    let last = events(&a, &srv, &r2).pop().unwrap();
    assert!(
        ["done", "cancelled"].contains(&last["state"].as_str().unwrap()),
        "{last}"
    );
}

#[test]
fn hostile_uploads_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let srv = Server::start(&ws, &[]);
    let a = agent();
    let token = csrf(&a, &srv);
    let zip_of = |entries: &[(&str, &[u8])]| {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut z, data).unwrap();
        }
        z.finish().unwrap().into_inner()
    };
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (zip_of(&[("../../escape.csv", b"x")]), 400, "outside"),
        (
            zip_of(&[("schools.csv", b"id,name\n"), ("run.sh", b"rm -rf /")]),
            400,
            "not a bundle file",
        ),
        (b"just some text".to_vec(), 422, "E0011"),
        (
            [
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0; 600],
            ]
            .concat(),
            422,
            "E0012",
        ),
    ];
    for (bytes, want, words) in cases {
        let (code, body) = upload(&a, &srv, &token, &bytes, "x.zip");
        assert_eq!(code, want, "{body}");
        assert!(body.to_string().contains(words), "{body}");
    }
    // Larger than the limit: refused before it is read.
    let big = vec![0u8; 65 << 20];
    let r = a
        .post(&srv.at("/api/networks"))
        .header("X-CSRF-Token", &token)
        .send(&big[..]);
    match r {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        // The server may close the connection once it has answered.
        Err(e) => assert!(
            e.to_string().contains("closed") || e.to_string().contains("reset"),
            "{e}"
        ),
    }
    // Without the page's token, nothing changes.
    let (code, _) = upload(&a, &srv, "wrong", b"x", "x.xlsx");
    assert_eq!(code, 403);
    let list = json(&mut a.get(&srv.at("/api/networks")).call().unwrap());
    assert_eq!(list["networks"].as_array().unwrap().len(), 0);
    // Nothing was written outside the workspace, nor any network inside it.
    let outside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["ws"]);
    assert_eq!(std::fs::read_dir(ws.join("networks")).unwrap().count(), 0);
    // An unknown id is no path.
    let r = a.get(&srv.at("/api/networks/..%2F..")).call().unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn the_office_network_needs_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let (code, _, err) = profnet(&["serve", "--workspace", s(&ws), "--listen", "0.0.0.0:0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--password-file"), "{err}");
    let pw = dir.path().join("pw.txt");
    std::fs::write(&pw, "correct horse battery\n").unwrap();
    // Bound to every address with a password; reached here through the loopback.
    let mut child = Command::new(exe())
        .args([
            "serve",
            "--workspace",
            s(&ws),
            "--listen",
            "0.0.0.0:0",
            "--password-file",
            s(&pw),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split("0.0.0.0:")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let srv = Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let r = a.get(&srv.at("/api/networks")).call().unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = a.get(&srv.at("/")).call().unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let login = |form: &str| {
        a.post(&srv.at("/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form.as_bytes())
            .unwrap()
    };
    assert_eq!(login("password=guess").status().as_u16(), 401);
    let r = login("password=correct+horse+battery");
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let mut r = a
        .get(&srv.at("/api/networks"))
        .header("Cookie", &session)
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(json(&mut r)["networks"].is_array());
}

// ---- in a real browser -----------------------------------------------------------------

fn post_json(
    a: &ureq::Agent,
    srv: &Server,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut r = a
        .post(&srv.at(path))
        .header("X-CSRF-Token", token)
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    (r.status().as_u16(), json(&mut r))
}

fn page(a: &ureq::Agent, srv: &Server, path: &str) -> String {
    let mut r = a.get(&srv.at(path)).call().unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.body_mut()
        .with_config()
        .limit(50 << 20)
        .read_to_string()
        .unwrap()
}

/// A zip of `files` (name, bytes), base64, as the scenario form sends a partner's file.
fn zip_base64(files: &[(String, Vec<u8>)]) -> String {
    use base64::Engine;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut z, data).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap().into_inner())
}

/// What-if, side by side, and a re-plan, as the page's forms send them: the scenario is
/// a SPEC §5 directory that the command line reads too; a re-plan keeps its change and
/// writes a plan that `profnet check --change` accepts, with what moved and who to tell.
#[test]
fn scenarios_compare_replan_and_buses_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let srv = Server::start(&ws, &["--workers", "2"]);
    let a = agent();
    let token = csrf(&a, &srv);
    let book = std::fs::read(sample_workbook(dir.path())).unwrap();
    let (code, body) = upload(&a, &srv, &token, &book, "district.xlsx");
    assert_eq!(code, 201, "{body}");
    let base = body["id"].as_str().unwrap().to_owned();
    let scenarios = format!("/api/networks/{base}/scenarios");
    let count = || {
        std::fs::read_dir(ws.join("networks"))
            .unwrap()
            .filter(|e| {
                !e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count()
    };

    // An id that is not in the network: 422, located in the scenario's own file.
    let (code, body) = post_json(
        &a,
        &srv,
        &token,
        &scenarios,
        &serde_json::json!({"name": "x", "remove": {"schools": ["NOPE"]}}),
    );
    assert_eq!(code, 422, "{body}");
    let p = &body["problems"].as_array().unwrap()[0];
    assert_eq!(p["code"], "E0505", "{body}");
    assert_eq!(p["file"], "сценарий: scenario.toml");
    assert!(p["message"].as_str().unwrap().contains("NOPE"));
    // No name, nothing changed, a partner's zip that escapes its folder: 400.
    for (form, says) in [
        (serde_json::json!({"min_group": 8}), "название"),
        (serde_json::json!({"name": "x"}), "ничего не меняет"),
        (
            serde_json::json!({"name": "x", "partner": {"filename": "p.zip",
                "data": zip_base64(&[("../schools.csv".into(), b"id,name\n".to_vec())])}}),
            "outside",
        ),
    ] {
        let (code, body) = post_json(&a, &srv, &token, &scenarios, &form);
        assert_eq!(code, 400, "{body}");
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
    assert_eq!(count(), 1, "a refused scenario stored nothing");

    // A scenario that removes a school, lowers the minimum group, allows distance for
    // physics and adds the medical college from its own files.
    let partner_dir = Path::new(SAMPLE).join("../scenarios/medical-college-joins");
    let partner: Vec<(String, Vec<u8>)> = std::fs::read_dir(&partner_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    let name = "<b>Без Кощаковской</b> & медколледж";
    let (code, body) = post_json(
        &a,
        &srv,
        &token,
        &scenarios,
        &serde_json::json!({
            "name": name,
            "remove": {"schools": ["KOSH"]},
            "min_group": 8,
            "distance": ["PHYS"],
            "partner": {"filename": "медколледж.zip", "data": zip_base64(&partner)},
        }),
    );
    assert_eq!(code, 201, "{body}");
    let scn = body["id"].as_str().unwrap().to_owned();
    let info = json(
        &mut a
            .get(&srv.at(&format!("/api/networks/{scn}")))
            .call()
            .unwrap(),
    );
    assert_eq!(info["base"], base.as_str());
    assert_eq!(info["name"], name);
    let base_info = json(
        &mut a
            .get(&srv.at(&format!("/api/networks/{base}")))
            .call()
            .unwrap(),
    );
    let kosh = std::fs::read_to_string(Path::new(SAMPLE).join("students.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("KOSH"))
        .count();
    assert!(kosh > 0);
    assert_eq!(
        info["students"].as_u64().unwrap(),
        base_info["students"].as_u64().unwrap() - kosh as u64
    );
    assert_eq!(
        info["schools"].as_u64().unwrap(),
        base_info["schools"].as_u64().unwrap() // one removed, the college added
    );
    // The scenario is SPEC §5 on disk: the command line compares it over the base.
    let scn_dir = ws.join("networks").join(&scn).join("scenario");
    let toml: toml::Table = std::fs::read_to_string(scn_dir.join("scenario.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(toml["name"].as_str(), Some(name));
    let cli = dir.path().join("cli-compare");
    let (code, out, err) = profnet(&[
        "compare",
        s(&ws.join("networks").join(&base).join("bundle")),
        s(&scn_dir),
        "--time-limit",
        "3",
        "--out",
        s(&cli),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    // …and calls it by its name, in the table and in comparison.csv.
    assert!(out.lines().next().unwrap().contains(name), "{out}");
    let header = std::fs::read_to_string(cli.join("comparison.csv")).unwrap();
    assert!(header.lines().next().unwrap().contains(name), "{header}");
    // The name is shown as text in the pages, never as markup.
    let net_page = page(&a, &srv, &format!("/networks/{base}"));
    assert!(net_page.contains("&lt;b&gt;Без Кощаковской&lt;/b&gt; &amp; медколледж"));
    assert!(!net_page.contains("<b>Без"));
    // The network before any plan: the map and the reach of every school.
    assert!(net_page.contains("class=\"network-map\""));
    assert!(net_page.contains("data-school=\"KOSH\""));
    let scn_page = page(&a, &srv, &format!("/networks/{scn}"));
    assert!(
        scn_page.contains("Без школ и организаций: KOSH"),
        "what it changes"
    );
    assert!(scn_page.contains("Наименьшая группа: 8"));

    // Both solved, then side by side with the changes ranked.
    let (r_base, r_scn) = (
        solve(&a, &srv, &token, &base, 8),
        solve(&a, &srv, &token, &scn, 8),
    );
    for r in [&r_base, &r_scn] {
        assert_eq!(events(&a, &srv, r).last().unwrap()["state"], "done");
    }
    let cmp = page(&a, &srv, &format!("/compare?run={r_base}&run={r_scn}"));
    assert!(
        cmp.contains(&format!("<tr data-run=\"{r_scn}\">")),
        "ranking row"
    );
    assert!(cmp.contains("data-kpi=\"students_gaining\""));
    // The plans are called by their networks' names (the scenario's as written).
    assert!(cmp.contains("&lt;b&gt;Без Кощаковской&lt;/b&gt; &amp; медколледж"));

    // The bus trips and every school's departure sheet.
    let buses = page(&a, &srv, &format!("/runs/{r_base}/buses"));
    assert!(
        buses.contains("data-vehicle=\"BUS-PES-1\""),
        "a vehicle's trips"
    );
    assert!(buses.contains("data-school=\"KOSH\""), "a departure sheet");

    // A re-plan: an unknown teacher is refused with where; a real change re-plans.
    let replan = format!("/api/runs/{r_base}/replan");
    let (code, body) = post_json(
        &a,
        &srv,
        &token,
        &replan,
        &serde_json::json!({"absent_teachers": [{"id": "T9999"}]}),
    );
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["problems"][0]["code"], "E0603");
    let (code, body) = post_json(&a, &srv, &token, &replan, &serde_json::json!({}));
    assert_eq!(code, 400, "an empty change: {body}");
    let (code, body) = post_json(
        &a,
        &srv,
        &token,
        &replan,
        &serde_json::json!({
            "absent_teachers": [{"id": "T0001", "periods": [1, 2, 3, 4, 5, 6, 7]}],
            "closed_links": [["SSHIG", "KOSH"]],
            "time_limit": 8,
        }),
    );
    assert_eq!(code, 202, "{body}");
    let r_new = body["run"].as_str().unwrap().to_owned();
    let last = events(&a, &srv, &r_new).pop().unwrap();
    assert_eq!(last["state"], "done", "{last}");
    assert!(
        last["summary"]["replan"]["untouched_students"]
            .as_u64()
            .unwrap()
            > 0
    );
    let (code, zipped) = get_bytes(&a, &srv.at(&format!("/api/runs/{r_new}/plan.zip")));
    assert_eq!(code, 200);
    let plan = dir.path().join("replanned");
    unzip(&zipped, &plan);
    let change = ws
        .join("networks")
        .join(&base)
        .join("runs")
        .join(&r_new)
        .join("change.toml");
    let bundle = ws.join("networks").join(&base).join("bundle");
    let (code, out, err) = profnet(&["check", s(&bundle), s(&plan), "--change", s(&change)]);
    assert_eq!(
        code, 0,
        "the re-plan obeys SPEC §3 under its change: {out}{err}"
    );
    let notify = std::fs::read_to_string(plan.join("notify.csv")).unwrap();
    assert!(notify.contains("T0001"), "the absent teacher is told");
    let run_page = page(&a, &srv, &format!("/runs/{r_new}"));
    assert!(run_page.contains("id=\"moved\"") && run_page.contains("id=\"notify\""));
    assert!(
        run_page.contains(&format!("href=\"/runs/{r_base}\"")),
        "links its plan"
    );
    // The published plan keeps its re-plan form; the re-plan offers none.
    assert!(page(&a, &srv, &format!("/runs/{r_base}")).contains("id=\"replan-form\""));
    assert!(!run_page.contains("id=\"replan-form\""));

    // Removing: not a network that has scenarios; a scenario goes with its plans.
    let del = |id: &str| {
        a.delete(&srv.at(&format!("/api/networks/{id}")))
            .header("X-CSRF-Token", &token)
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(del(&base), 409);
    assert_eq!(del(&scn), 204);
    assert!(!ws.join("networks").join(&scn).exists());
    let gone = a
        .get(&srv.at(&format!("/api/runs/{r_scn}")))
        .call()
        .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
    assert_eq!(del(&scn), 404);
    assert!(!page(&a, &srv, &format!("/networks/{base}")).contains("&lt;b&gt;Без Кощаковской"));
}

/// A free port on the loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether a screenshot shows something: a PNG with many colours, not one flat fill.
fn not_blank(png_bytes: &[u8], what: &str) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    for p in buf[..info.buffer_size()].chunks(px).step_by(7) {
        colours.insert(p.to_vec());
    }
    assert!(
        colours.len() > 20,
        "{what}: the screenshot is blank ({} colours)",
        colours.len()
    );
}

/// Waits (at most 30 s) until the browser is on a page whose path starts with `prefix`;
/// `what` says what did not happen otherwise.
async fn wait_for_page(
    c: &fantoccini::Client,
    prefix: &str,
    what: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let t0 = Instant::now();
    while !c.current_url().await?.path().starts_with(prefix) {
        assert!(t0.elapsed() < Duration::from_secs(30), "{what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

#[test]
fn a_planner_clicks_through_in_chromium() {
    let driver = Path::new("/usr/bin/chromedriver");
    assert!(
        driver.is_file(),
        "chromium-driver is needed: run scripts/setup-debian.sh --tests"
    );
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir.path().join("ws"), &[]);
    let book = sample_workbook(dir.path());
    let broken = broken_workbook(dir.path());
    let port = free_port();
    let mut chromedriver = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = dir.path().join("chromium-profile");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = rt.block_on(async {
        // chromedriver takes a moment to listen.
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--window-size=1300,1800",
                         format!("--user-data-dir={}", profile.display())],
            }),
        );
        let mut client = None;
        for _ in 0..50 {
            match fantoccini::ClientBuilder::new(
                hyper_util::client::legacy::connect::HttpConnector::new(),
            )
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let c = client.expect("chromedriver did not answer");
        let run = async {
            use fantoccini::Locator;
            let shot = |name: &'static str| {
                let c = &c;
                let shots = &shots;
                async move {
                    let png = c.screenshot().await.unwrap();
                    std::fs::write(shots.join(format!("{name}.png")), &png).unwrap();
                    not_blank(&png, name);
                }
            };
            // 0. A workbook with an error: the problems as a table, and the button that
            //    gives the workbook back with them marked.
            c.goto(&srv.at("/")).await?;
            c.find(Locator::Id("upload-file"))
                .await?
                .send_keys(s(&broken))
                .await?;
            c.find(Locator::Id("upload-button")).await?.click().await?;
            let t0 = Instant::now();
            let rows = loop {
                let rows = c
                    .find_all(Locator::Css("#upload-result table.problems tbody tr"))
                    .await?;
                if !rows.is_empty() {
                    break rows;
                }
                assert!(t0.elapsed() < Duration::from_secs(30), "no problems table");
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            let first = rows[0].text().await?;
            assert!(
                first.contains("students") && first.contains("C5"),
                "{first}"
            );
            let table = c
                .find(Locator::Css("#upload-result table.problems"))
                .await?
                .text()
                .await?;
            assert!(
                table.contains("Класс записан не как целое положительное число"),
                "{table}"
            );
            c.find(Locator::Id("marked-button")).await?;
            shot("0-problems").await;
            // 1. The networks page: upload the workbook.
            c.goto(&srv.at("/")).await?;
            let h1 = c.find(Locator::Css("h1")).await?.text().await?;
            assert_eq!(h1, "Сети");
            shot("1-networks").await;
            c.find(Locator::Id("upload-file"))
                .await?
                .send_keys(s(&book))
                .await?;
            c.find(Locator::Id("upload-button")).await?.click().await?;
            // 2. The network page, with its warnings in a table.
            wait_for_page(&c, "/networks/", "the upload did not finish").await?;
            let facts = c.find(Locator::Css("p.facts")).await?.text().await?;
            assert!(facts.contains("592 учеников"), "{facts}");
            let warnings = c.find_all(Locator::Css("table.problems tbody tr")).await?;
            assert_eq!(warnings.len(), 5);
            shot("2-network").await;
            // 3. Solve: the progress bar moves, then the plan shows.
            c.find(Locator::Css("#time-limit option[value='30']"))
                .await?
                .click()
                .await?;
            c.find(Locator::Id("solve-button")).await?.click().await?;
            wait_for_page(&c, "/runs/", "the solve did not start").await?;
            let mut moved = false;
            let t0 = Instant::now();
            loop {
                if let Ok(bar) = c.find(Locator::Id("bar")).await {
                    // <progress>'s value property reflects its attribute. The page
                    // reloads when the plan is done, so the bar may be gone meanwhile.
                    let v: f64 = bar
                        .attr("value")
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .parse()
                        .unwrap_or(0.0);
                    if v > 0.0 && v < 1.0 && !moved {
                        moved = true;
                        shot("3-solving").await;
                    }
                }
                if c.find(Locator::Id("report")).await.is_ok() {
                    break;
                }
                assert!(
                    t0.elapsed() < Duration::from_secs(120),
                    "the plan did not come"
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            assert!(moved, "the progress bar never moved");
            let placements = c
                .find(Locator::Css("[data-kpi='placements'] .value"))
                .await?
                .text()
                .await?;
            assert!(placements.parse::<u32>().unwrap() > 1000, "{placements}");
            shot("4-plan").await;
            let plan_url = c.current_url().await?;
            // 4. The report inside: a school's timetable grid and the unserved choices.
            c.enter_frame(0).await?;
            let t0 = Instant::now();
            loop {
                let src = c.source().await?;
                if src.contains("Расписание") && src.contains("Неудовлетворённые")
                {
                    break;
                }
                assert!(
                    t0.elapsed() < Duration::from_secs(20),
                    "the report did not load in its frame"
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            c.enter_parent_frame().await?;
            c.execute("document.getElementById('report').scrollIntoView()", vec![])
                .await?;
            shot("5-report").await;
            // 5. A teacher's day, searched by name.
            let href = c
                .find(Locator::Id("download-xlsx"))
                .await?
                .attr("href")
                .await?
                .unwrap();
            c.find(Locator::Id("who")).await?.send_keys("T0001").await?;
            c.find(Locator::Id("who-button")).await?.click().await?;
            wait_for_page(&c, "/runs/", "no day page").await?;
            let t0 = Instant::now();
            let person = loop {
                if let Ok(e) = c.find(Locator::Id("person")).await {
                    break e.text().await?;
                }
                assert!(t0.elapsed() < Duration::from_secs(20), "no day shown");
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            assert!(person.contains("Нуриева"), "{person}");
            shot("6-day").await;
            // 6. The buses: trips and every school's departure sheet.
            c.goto(plan_url.as_str()).await?;
            c.find(Locator::Id("buses-link")).await?.click().await?;
            wait_for_page(&c, "/runs/", "no bus page").await?;
            c.find(Locator::Css("section.vehicle[data-vehicle]"))
                .await?;
            c.find(Locator::Css("section.sheet[data-school]")).await?;
            shot("8-buses").await;
            // 7. A what-if scenario made in the page: without one school, physics at a
            //    distance; solved, then side by side with the network's plan.
            c.goto(&srv.at("/")).await?;
            c.find(Locator::Css("a.network-link"))
                .await?
                .click()
                .await?;
            wait_for_page(&c, "/networks/", "no network page").await?;
            c.find(Locator::Css("#scenario-form > summary"))
                .await?
                .click()
                .await?;
            c.find(Locator::Id("scn-name"))
                .await?
                .send_keys("Без Кощаковской школы")
                .await?;
            c.find(Locator::Css("input.scn-school[value='KOSH']"))
                .await?
                .click()
                .await?;
            c.find(Locator::Css("input.scn-distance[value='PHYS']"))
                .await?
                .click()
                .await?;
            shot("9-scenario-form").await;
            c.find(Locator::Id("scn-button")).await?.click().await?;
            let t0 = Instant::now();
            while c.find(Locator::Id("scenario-of")).await.is_err() {
                assert!(t0.elapsed() < Duration::from_secs(30), "no scenario page");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let what = c.find(Locator::Id("scenario-of")).await?.text().await?;
            assert!(what.contains("KOSH") && what.contains("PHYS"), "{what}");
            shot("10-scenario").await;
            c.find(Locator::Css("#time-limit option[value='30']"))
                .await?
                .click()
                .await?;
            c.find(Locator::Id("solve-button")).await?.click().await?;
            wait_for_page(&c, "/runs/", "the scenario's solve did not start").await?;
            let t0 = Instant::now();
            while c.find(Locator::Id("report")).await.is_err() {
                assert!(
                    t0.elapsed() < Duration::from_secs(120),
                    "the scenario's plan did not come"
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            // Back to the network (the scenario's crumb leads there): its plan and the
            // scenario's are listed together.
            c.find(Locator::Css("p.crumbs a[href^='/networks/']"))
                .await?
                .click()
                .await?;
            wait_for_page(&c, "/networks/", "no scenario page").await?;
            c.find(Locator::Css("p.crumbs a[href^='/networks/']"))
                .await?
                .click()
                .await?;
            wait_for_page(&c, "/networks/", "no network page").await?;
            let picks = c.find_all(Locator::Css("input.compare-pick")).await?;
            assert_eq!(picks.len(), 2, "the network's plan and the scenario's");
            // The first ticked is the reference: the network's own (the older) plan.
            picks[1].click().await?;
            picks[0].click().await?;
            c.find(Locator::Id("compare-button")).await?.click().await?;
            wait_for_page(&c, "/compare", "no comparison").await?;
            let cols = c.find_all(Locator::Css("table.compare thead th")).await?;
            assert_eq!(cols.len(), 3, "a figure column and two plans");
            let head = c
                .find(Locator::Css("table.compare thead"))
                .await?
                .text()
                .await?;
            assert!(head.contains("Без Кощаковской школы"), "{head}");
            c.find(Locator::Css("table.ranking tbody tr")).await?;
            shot("7-compare").await;
            // 8. Re-plan the network's plan: a teacher is ill all day.
            c.goto(plan_url.as_str()).await?;
            c.find(Locator::Css("#replan-form > summary"))
                .await?
                .click()
                .await?;
            c.find(Locator::Css("input.chg-teacher[value='T0001']"))
                .await?
                .click()
                .await?;
            c.find(Locator::Css("#chg-time-limit option[value='30']"))
                .await?
                .click()
                .await?;
            shot("11-replan-form").await;
            c.find(Locator::Id("replan-button")).await?.click().await?;
            let t0 = Instant::now();
            while c.find(Locator::Id("notify")).await.is_err() {
                assert!(
                    t0.elapsed() < Duration::from_secs(120),
                    "the re-plan did not come"
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let told = c.find(Locator::Id("notify")).await?.text().await?;
            assert!(
                told.contains("T0001"),
                "the absent teacher's school is told: {told}"
            );
            c.find(Locator::Id("replan-of")).await?;
            shot("12-replanned").await;
            // 7. The workbook download link (kept from the plan page) gives a workbook.
            Ok::<_, fantoccini::error::CmdError>(href)
        }
        .await;
        let _ = c.close().await;
        run
    });
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();
    let href = result.unwrap();
    let (code, xlsx) = get_bytes(&agent(), &srv.at(&href));
    assert_eq!(code, 200);
    let path = dir.path().join("plan.xlsx");
    std::fs::write(&path, &xlsx).unwrap();
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert!(!wb.sheet_names().is_empty());
}

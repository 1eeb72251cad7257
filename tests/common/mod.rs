//! Small builders for test bundles: write a network bundle into a directory.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// A bundle as CSV text per file, built row by row.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub toml: String,
    pub schools: Vec<String>,
    pub links: Vec<String>,
    pub rooms: Vec<String>,
    pub courses: Vec<String>,
    pub teachers: Vec<String>,
    pub students: Vec<String>,
    pub vehicles: Vec<String>,
    pub max_choices: usize,
}

impl Bundle {
    /// `periods` periods of 45 minutes with 10-minute breaks from 09:00; day 08:00-17:00.
    pub fn new(periods: usize) -> Self {
        let mut list = Vec::new();
        let mut t = 9 * 60;
        for _ in 0..periods {
            list.push(format!(
                "\"{:02}:{:02}-{:02}:{:02}\"",
                t / 60,
                t % 60,
                (t + 45) / 60,
                (t + 45) % 60
            ));
            t += 55;
        }
        Bundle {
            toml: format!(
                "name = \"test\"\nday_start = \"08:00\"\nday_end = \"17:00\"\nperiods = [{}]\nmin_group = 10\nmax_group = 25\nwants = 2\n",
                list.join(", ")
            ),
            schools: Vec::new(),
            links: Vec::new(),
            rooms: Vec::new(),
            courses: Vec::new(),
            teachers: Vec::new(),
            students: Vec::new(),
            vehicles: Vec::new(),
            max_choices: 0,
        }
    }

    pub fn school(&mut self, id: &str) -> &mut Self {
        self.schools.push(format!("{id},School {id},school"));
        self
    }

    /// A vehicle (vehicles.csv is written when there is one).
    pub fn vehicle(&mut self, id: &str, school: &str, seats: u32) -> &mut Self {
        self.vehicles.push(format!("{id},{school},{seats}"));
        self
    }

    pub fn link(&mut self, a: &str, b: &str, minutes: u32) -> &mut Self {
        self.links.push(format!("{a},{b},{minutes}"));
        self
    }

    /// `school,id,capacity,kind,periods`
    pub fn room(
        &mut self,
        school: &str,
        id: &str,
        cap: u32,
        kind: &str,
        periods: &str,
    ) -> &mut Self {
        self.rooms
            .push(format!("{school},{id},{cap},{kind},{periods}"));
        self
    }

    /// `id,name,periods,room_kind,min_group,max_group,distance,grades`
    pub fn course(
        &mut self,
        id: &str,
        periods: usize,
        kind: &str,
        distance: bool,
        grades: &str,
    ) -> &mut Self {
        self.courses.push(format!(
            "{id},Course {id},{periods},{kind},,,{},{grades}",
            if distance { "yes" } else { "no" }
        ));
        self
    }

    /// `id,name,school,courses,max_periods,travels,periods`
    pub fn teacher(
        &mut self,
        id: &str,
        school: &str,
        courses: &str,
        max_periods: &str,
        travels: bool,
        periods: &str,
    ) -> &mut Self {
        self.teachers.push(format!(
            "{id},Teacher {id},{school},{courses},{max_periods},{},{periods}",
            if travels { "yes" } else { "no" }
        ));
        self
    }

    /// `n` students at `school` in `grade` with the same ranked `choices`; ids `prefix`1…
    pub fn students(
        &mut self,
        prefix: &str,
        n: usize,
        school: &str,
        grade: u32,
        choices: &[&str],
    ) -> &mut Self {
        let start = self
            .students
            .iter()
            .filter(|s| s.starts_with(prefix))
            .count();
        for i in 0..n {
            self.max_choices = self.max_choices.max(choices.len());
            self.students.push(format!(
                "{prefix}{:03},{school},{grade},,{}",
                start + i + 1,
                choices.join(",")
            ));
        }
        self
    }

    pub fn write(&self, dir: &Path) {
        self.write_dialect(dir, ',', false);
    }

    /// Writes with the given delimiter; `excel` adds a UTF-8 BOM and CRLF line ends.
    pub fn write_dialect(&self, dir: &Path, delim: char, excel: bool) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("network.toml"), &self.toml).unwrap();
        let nl = if excel { "\r\n" } else { "\n" };
        let file = |name: &str, header: &str, rows: &[String], width: usize| {
            let mut s = String::new();
            if excel {
                s.push('\u{feff}');
            }
            s.push_str(&header.replace(',', &delim.to_string()));
            s.push_str(nl);
            for r in rows {
                let mut cells: Vec<&str> = r.split(',').collect();
                while cells.len() < width {
                    cells.push("");
                }
                let _ = write!(s, "{}{nl}", cells.join(&delim.to_string()));
            }
            fs::write(dir.join(name), s).unwrap();
        };
        file("schools.csv", "id,name,kind", &self.schools, 3);
        file("links.csv", "from,to,minutes", &self.links, 3);
        file(
            "rooms.csv",
            "school,id,capacity,kind,periods",
            &self.rooms,
            5,
        );
        file(
            "courses.csv",
            "id,name,periods,room_kind,min_group,max_group,distance,grades",
            &self.courses,
            8,
        );
        file(
            "teachers.csv",
            "id,name,school,courses,max_periods,travels,periods",
            &self.teachers,
            7,
        );
        if !self.vehicles.is_empty() {
            file("vehicles.csv", "id,school,seats", &self.vehicles, 3);
        }
        let mut header = String::from("id,school,grade,wants");
        for i in 1..=self.max_choices.max(1) {
            let _ = write!(header, ",choice_{i}");
        }
        file(
            "students.csv",
            &header,
            &self.students,
            4 + self.max_choices.max(1),
        );
    }
}

/// The `profnet` binary of this build.
pub fn exe() -> &'static str {
    // Set for the tests that need the binary (`required-features = ["solver"]`).
    let Some(exe) = option_env!("CARGO_BIN_EXE_profnet") else {
        panic!("this test binary is built without the profnet binary");
    };
    exe
}

/// Runs the `profnet` binary of this build: its exit code (-1 when a signal ended it),
/// stdout and stderr.
pub fn profnet(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(exe())
        .args(args)
        .output()
        .expect("run profnet");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the `profnet` binary of this build; panics with its output when it fails.
pub fn run_profnet(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(exe())
        .args(args)
        .output()
        .expect("run profnet");
    assert!(
        out.status.success(),
        "profnet {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A generated rural network (6 schools, 200 students, seed 5, with buses) and its
/// plan, written into `dir` as `bundle/` and `plan/`.
pub fn solved_rural(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (bundle, plan) = (dir.join("bundle"), dir.join("plan"));
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    run_profnet(&[
        "generate",
        "--family",
        "rural",
        "--schools",
        "6",
        "--students",
        "200",
        "--seed",
        "5",
        "--fleet",
        "--out",
        &path(&bundle),
    ]);
    run_profnet(&[
        "solve",
        &path(&bundle),
        "--out",
        &path(&plan),
        "--time-limit",
        "10",
        "--quiet",
    ]);
    (bundle, plan)
}

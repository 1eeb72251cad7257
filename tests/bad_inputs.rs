//! The bad-input catalogue: every `tests/bad_inputs/<case>/` is a small broken bundle
//! (or a broken plan) with an `expect.toml` that says which diagnostics, at which file,
//! line and column, a user must get. See `tests/bad_inputs/README.md` for the list.
//!
//! A case directory holds only what differs from `_base/` (a valid bundle) or, for
//! `target = "plan"`, from `_plan/` (a valid plan of `_base`). Its `expect.toml` may
//! change the copy further before the test runs:
//!
//! * `remove = [files]`, `dir_for = [files]` (a directory in place of the file),
//!   `bundle = "missing"` / `plan = "missing"` (the directory does not exist);
//! * `[[edit]]` tables on one `file`, applied in order: `find`/`replace` (every
//!   occurrence; TOML escapes such as `\u0000` and `\uFEFF` give the odd bytes),
//!   `prepend`, `append` (`times` repeats it), `write` (replace the content), `bytes`
//!   (raw content), `encode` (`windows-1251`, `utf-16le`, `utf-16le-bom`, `utf-16be-bom`).
//!
//! Expectations: `[[error]]` / `[[warning]]` with `code`, `file`, `line` (absent: the
//! diagnostic must have no line) and optionally `column`; `loads = true` (no error);
//! `[loaded]` ids that the loaded network must hold; `mentions` (text the command's
//! output must contain); `unexpected` (codes that must not be reported: the follow-on
//! noise of the real problem); for plans `exit`, `[plan_error]` and `[[violation]]`.
//! `{bundle}` / `{plan}` in a `file` stand for the path given on the command line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use profnet::diag::Diagnostic;
use profnet::model::Network;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad_inputs");
const BIN: &str = env!("CARGO_BIN_EXE_profnet");

/// Keys an `expect.toml` may have; anything else is a typo that would make a case
/// vacuous.
const KEYS: &[&str] = &[
    "about",
    "target",
    "remove",
    "dir_for",
    "bundle",
    "plan",
    "edit",
    "error",
    "warning",
    "loads",
    "loaded",
    "mentions",
    "unexpected",
    "exit",
    "plan_error",
    "violation",
];

struct Case {
    name: String,
    dir: PathBuf,
    expect: toml::Table,
}

impl Case {
    fn is_plan(&self) -> bool {
        self.expect.get("target").and_then(|v| v.as_str()) == Some("plan")
    }

    fn strings(&self, key: &str) -> Vec<String> {
        self.expect
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|v| v.as_str().expect("a list of strings").to_owned())
            .collect()
    }

    fn tables(&self, key: &str) -> Vec<&toml::Table> {
        self.expect
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|v| v.as_table().expect("an array of tables"))
            .collect()
    }

    fn loads(&self) -> bool {
        self.expect.get("loads").and_then(|v| v.as_bool()) == Some(true)
    }
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = fs::read_dir(ROOT)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(dir.join("expect.toml"))
                .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
            let expect: toml::Table = text
                .parse()
                .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
            Case { name, dir, expect }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One expected diagnostic.
#[derive(Debug)]
struct Want {
    error: bool,
    code: String,
    file: String,
    line: Option<usize>,
    column: Option<String>,
}

impl Want {
    fn from(t: &toml::Table, error: bool, setup: &Setup) -> Want {
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        Want {
            error,
            code: s("code").expect("code"),
            file: setup.placeholders(&s("file").expect("file")),
            line: t
                .get("line")
                .map(|v| v.as_integer().expect("line") as usize),
            column: s("column"),
        }
    }

    fn matches(&self, d: &Diagnostic) -> bool {
        d.is_error() == self.error
            && d.code == self.code
            && d.file == self.file
            && d.row == self.line
            && (self.column.is_none() || d.column == self.column)
    }

    /// How the CLI prints the start of this diagnostic (see `Diagnostic`'s Display).
    fn printed(&self) -> String {
        let mut s = format!(
            "{}[{}] {}",
            if self.error { "error" } else { "warning" },
            self.code,
            self.file
        );
        if let Some(l) = self.line {
            s.push_str(&format!(", line {l}"));
        }
        if let Some(c) = &self.column {
            s.push_str(&format!(", column '{c}'"));
        }
        s
    }
}

fn wants(case: &Case, setup: &Setup) -> Vec<Want> {
    let mut out: Vec<Want> = case
        .tables("error")
        .into_iter()
        .map(|t| Want::from(t, true, setup))
        .collect();
    out.extend(
        case.tables("warning")
            .into_iter()
            .map(|t| Want::from(t, false, setup)),
    );
    out
}

// ---- building a case on disk --------------------------------------------------------

struct Setup {
    _tmp: tempfile::TempDir,
    /// Scratch space for command outputs.
    scratch: PathBuf,
    bundle: PathBuf,
    plan: PathBuf,
}

impl Setup {
    fn placeholders(&self, s: &str) -> String {
        s.replace("{bundle}", &self.bundle.display().to_string())
            .replace("{plan}", &self.plan.display().to_string())
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "expect.toml" {
            continue;
        }
        fs::copy(e.path(), to.join(name)).unwrap();
    }
}

fn encode(text: &str, how: &str) -> Vec<u8> {
    match how {
        "windows-1251" => {
            let (bytes, _, lossy) = encoding_rs::WINDOWS_1251.encode(text);
            assert!(!lossy, "text not representable in Windows-1251");
            bytes.into_owned()
        }
        "utf-16le" | "utf-16le-bom" => {
            let mut out = Vec::new();
            if how == "utf-16le-bom" {
                out.extend([0xFF, 0xFE]);
            }
            for u in text.encode_utf16() {
                out.extend(u.to_le_bytes());
            }
            out
        }
        "utf-16be-bom" => {
            let mut out = vec![0xFE, 0xFF];
            for u in text.encode_utf16() {
                out.extend(u.to_be_bytes());
            }
            out
        }
        other => panic!("unknown encoding {other}"),
    }
}

fn apply_edit(dir: &Path, edit: &toml::Table) {
    let file = edit
        .get("file")
        .and_then(|v| v.as_str())
        .expect("edit.file");
    let path = dir.join(file);
    let s = |k: &str| edit.get(k).and_then(|v| v.as_str());
    let mut bytes = fs::read(&path).unwrap_or_default();
    let text = || String::from_utf8(fs::read(&path).unwrap()).expect("edit of a non-UTF-8 file");
    if let (Some(find), Some(replace)) = (s("find"), s("replace")) {
        let t = text();
        assert!(t.contains(find), "edit: '{find}' is not in {file}");
        bytes = t.replace(find, replace).into_bytes();
    } else if let Some(p) = s("prepend") {
        bytes = [p.as_bytes(), &bytes].concat();
    } else if let Some(a) = s("append") {
        let times = edit.get("times").map_or(1, |v| v.as_integer().unwrap()) as usize;
        bytes.extend(a.repeat(times).into_bytes());
    } else if let Some(w) = s("write") {
        bytes = w.as_bytes().to_vec();
    } else if let Some(b) = edit.get("bytes").and_then(|v| v.as_array()) {
        bytes = b.iter().map(|x| x.as_integer().unwrap() as u8).collect();
    } else if let Some(how) = s("encode") {
        bytes = encode(&text(), how);
    } else {
        panic!("edit of {file} does nothing: {edit:?}");
    }
    fs::write(&path, bytes).unwrap();
}

/// Builds the case's bundle and plan directories in a fresh temporary directory.
fn setup(case: &Case) -> Setup {
    for key in case.expect.keys() {
        assert!(
            KEYS.contains(&key.as_str()),
            "{}: unknown key '{key}'",
            case.name
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tmp.path().join("scratch");
    fs::create_dir(&scratch).unwrap();
    let bundle = tmp.path().join("bundle");
    let plan = tmp.path().join("plan");
    copy_dir(&Path::new(ROOT).join("_base"), &bundle);
    copy_dir(&Path::new(ROOT).join("_plan"), &plan);
    let target = if case.is_plan() { &plan } else { &bundle };
    copy_dir(&case.dir, target);
    for f in case.strings("remove") {
        fs::remove_file(target.join(&f)).unwrap();
    }
    for f in case.strings("dir_for") {
        fs::remove_file(target.join(&f)).unwrap();
        fs::create_dir(target.join(&f)).unwrap();
    }
    for edit in case.tables("edit") {
        apply_edit(target, edit);
    }
    let missing = |key: &str| case.expect.get(key).and_then(|v| v.as_str()) == Some("missing");
    let bundle = if missing("bundle") {
        tmp.path().join("no-such-bundle")
    } else {
        bundle
    };
    let plan = if missing("plan") {
        tmp.path().join("no-such-plan")
    } else {
        plan
    };
    Setup {
        _tmp: tmp,
        scratch,
        bundle,
        plan,
    }
}

// ---- running ------------------------------------------------------------------------

/// Loads the bundle the way every command does: `Ok` with warnings (including the
/// travel-graph ones), or `Err` with every diagnostic.
fn load(bundle: &Path) -> Result<(Network, Vec<Diagnostic>), Vec<Diagnostic>> {
    match profnet::input::load(bundle) {
        Ok((net, mut w)) => {
            w.extend(profnet::input::validate::network_warnings(&net));
            Ok((net, w))
        }
        Err(e) => Err(e.0),
    }
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run profnet")
}

struct Ran {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn new(what: &str, args: &[&std::ffi::OsStr]) -> Ran {
        let o = run(args);
        Ran {
            what: what.to_owned(),
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Problems common to every run: a panic, or output no one can read.
    fn sane(&self, problems: &mut Vec<String>) {
        for bad in ["panicked", "RUST_BACKTRACE"] {
            if self.all().contains(bad) {
                problems.push(format!(
                    "{}: output has '{bad}':\n{}",
                    self.what, self.stderr
                ));
            }
        }
        let len = self.stdout.len() + self.stderr.len();
        if len > 64 * 1024 {
            problems.push(format!(
                "{}: {len} bytes of output; messages must stay short",
                self.what
            ));
        }
    }

    fn exit(&self, want: i32, problems: &mut Vec<String>) {
        if self.code != Some(want) {
            problems.push(format!(
                "{}: exit {:?}, expected {want}; stderr:\n{}",
                self.what,
                self.code,
                short(&self.stderr)
            ));
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(2000).collect()
}

fn show(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| short(&d.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks every failure of every case, then panics with all of them at once.
fn for_each_case(plan: bool, f: impl Fn(&Case, &Setup, &mut Vec<String>)) {
    let mut failed = Vec::new();
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.is_plan() == plan)
        .collect();
    assert!(!cases.is_empty());
    for case in &cases {
        let setup = setup(case);
        let mut problems = Vec::new();
        f(case, &setup, &mut problems);
        if !problems.is_empty() {
            failed.push(format!("== {}\n{}", case.name, problems.join("\n")));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} case(s) failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

fn ids<'a>(it: impl Iterator<Item = &'a String>) -> Vec<String> {
    it.cloned().collect()
}

/// The `[loaded]` expectations: the network holds these ids (and name, min_group).
fn check_loaded(case: &Case, net: &Network, problems: &mut Vec<String>) {
    let Some(loaded) = case.expect.get("loaded").and_then(|v| v.as_table()) else {
        return;
    };
    for (key, want) in loaded {
        if key == "name" {
            let want = want.as_str().unwrap();
            if net.name != want {
                problems.push(format!("name is '{}', expected '{want}'", net.name));
            }
            continue;
        }
        if key == "min_group" {
            let want = want.as_integer().unwrap() as u32;
            if net.min_group != want {
                problems.push(format!("min_group is {}, expected {want}", net.min_group));
            }
            continue;
        }
        let have = match key.as_str() {
            "schools" => ids(net.schools.iter().map(|x| &x.id)),
            "rooms" => ids(net.rooms.iter().map(|x| &x.id)),
            "courses" => ids(net.courses.iter().map(|x| &x.id)),
            "teachers" => ids(net.teachers.iter().map(|x| &x.id)),
            "students" => ids(net.students.iter().map(|x| &x.id)),
            other => panic!("{}: [loaded] {other} is not known", case.name),
        };
        let want: Vec<String> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        if have != want {
            problems.push(format!("{key}: loaded {have:?}, expected {want:?}"));
        }
    }
}

// ---- the tests ----------------------------------------------------------------------

#[test]
fn catalogue_is_complete_and_listed_in_its_readme() {
    let cases = cases();
    let bundles = cases.iter().filter(|c| !c.is_plan()).count();
    let plans = cases.len() - bundles;
    assert!(bundles >= 45, "only {bundles} bad-bundle cases");
    assert!(plans >= 4, "only {plans} bad-plan cases");
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let listed: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("- `")?.split('`').next())
        .collect();
    for c in &cases {
        assert!(
            listed.contains(&c.name.as_str()),
            "README.md does not list {}",
            c.name
        );
        let expects_something = ["error", "warning", "loads", "plan_error", "violation"]
            .iter()
            .any(|k| c.expect.contains_key(*k))
            || c.expect.get("exit").and_then(|v| v.as_integer()) == Some(0);
        assert!(expects_something, "{} expects nothing", c.name);
        assert!(
            c.expect.get("about").and_then(|v| v.as_str()).is_some(),
            "{} has no about",
            c.name
        );
    }
    for name in listed {
        assert!(
            cases.iter().any(|c| c.name == name),
            "README.md lists {name}, which is not a case"
        );
    }
}

#[test]
fn base_bundle_and_plan_are_clean() {
    // The cases change one thing each; that only proves something if the base is clean.
    let base = Path::new(ROOT).join("_base");
    let (net, warnings) = load(&base).unwrap_or_else(|d| panic!("{}", show(&d)));
    assert!(warnings.is_empty(), "{}", show(&warnings));
    let v = profnet::check::check_plan_dir(&net, &Path::new(ROOT).join("_plan")).unwrap();
    assert!(v.is_empty(), "{v:?}");
}

#[test]
fn library_reports_each_expected_diagnostic() {
    for_each_case(false, |case, setup, problems| {
        let wants = wants(case, setup);
        let diags = match load(&setup.bundle) {
            Ok((net, warnings)) => {
                if !case.loads() {
                    problems.push(format!(
                        "loaded, but errors were expected; warnings:\n{}",
                        show(&warnings)
                    ));
                }
                check_loaded(case, &net, problems);
                warnings
            }
            Err(diags) => {
                if case.loads() {
                    problems.push(format!("expected to load, got:\n{}", show(&diags)));
                }
                if !diags.iter().any(Diagnostic::is_error) {
                    problems.push("Err without a single error".into());
                }
                diags
            }
        };
        for w in &wants {
            if !diags.iter().any(|d| w.matches(d)) {
                problems.push(format!("missing {w:?}; got:\n{}", show(&diags)));
            }
        }
        for code in case.strings("unexpected") {
            if diags.iter().any(|d| d.code == code) {
                problems.push(format!(
                    "{code} should not be reported; got:\n{}",
                    show(&diags)
                ));
            }
        }
    });
}

#[test]
fn every_command_exits_2_and_names_the_place() {
    for_each_case(false, |case, setup, problems| {
        let bundle = setup.bundle.as_os_str();
        let out = setup.scratch.join("out").join("plan");
        let wants = wants(case, setup);

        let validate = Ran::new("validate", &["validate".as_ref(), bundle]);
        validate.sane(problems);
        for m in case.strings("mentions") {
            if !validate.all().contains(&m) {
                problems.push(format!(
                    "validate does not mention '{m}':\n{}",
                    short(&validate.all())
                ));
            }
        }
        let solve = Ran::new(
            "solve",
            &[
                "solve".as_ref(),
                bundle,
                "--out".as_ref(),
                out.as_os_str(),
                "--time-limit".as_ref(),
                "5".as_ref(),
                "--quiet".as_ref(),
            ],
        );
        solve.sane(problems);

        if case.loads() {
            validate.exit(0, problems);
            if !validate.stdout.contains("valid") {
                problems.push(format!("validate says nothing: {}", validate.stdout));
            }
            for w in &wants {
                if !validate.stderr.contains(&w.printed()) {
                    problems.push(format!(
                        "validate does not print '{}':\n{}",
                        w.printed(),
                        short(&validate.stderr)
                    ));
                }
            }
            // A bundle that loads must plan, and its plan must pass the checker.
            solve.exit(0, problems);
            let check = Ran::new("check", &["check".as_ref(), bundle, out.as_os_str()]);
            check.sane(problems);
            check.exit(0, problems);
            return;
        }

        let check = Ran::new(
            "check",
            &[
                "check".as_ref(),
                bundle,
                Path::new(ROOT).join("_plan").as_os_str(),
            ],
        );
        check.sane(problems);
        for ran in [&validate, &solve, &check] {
            ran.exit(2, problems);
            for w in wants.iter().filter(|w| w.error) {
                if !ran.stderr.contains(&w.printed()) {
                    problems.push(format!(
                        "{} does not print '{}':\n{}",
                        ran.what,
                        w.printed(),
                        short(&ran.stderr)
                    ));
                }
            }
        }
        if out.exists() || out.parent().unwrap().exists() {
            problems.push("solve created its --out directory for a bad bundle".into());
        }
        if fs::read_dir(&setup.scratch).unwrap().next().is_some() {
            problems.push("solve left files next to --out".into());
        }
    });
}

#[test]
fn check_reports_broken_plans() {
    for_each_case(true, |case, setup, problems| {
        let net = load(&setup.bundle).expect("the base bundle loads").0;
        let result = profnet::check::check_plan_dir(&net, &setup.plan);
        let exit = case.expect["exit"].as_integer().expect("exit") as i32;
        let ran = Ran::new(
            "check",
            &[
                "check".as_ref(),
                setup.bundle.as_os_str(),
                setup.plan.as_os_str(),
            ],
        );
        ran.sane(problems);
        ran.exit(exit, problems);
        for m in case.strings("mentions") {
            let m = setup.placeholders(&m);
            if !ran.all().contains(&m) {
                problems.push(format!("check does not mention '{m}':\n{}", ran.all()));
            }
        }
        match &result {
            Ok(v) if exit == 0 && !v.is_empty() => {
                problems.push(format!("expected no violation, got {v:?}"))
            }
            Ok(v) if exit == 2 => problems.push(format!("expected a read error, got {v:?}")),
            Err(e) if exit != 2 => problems.push(format!("expected to read the plan: {e}")),
            _ => {}
        }
        if let Some(want) = case.expect.get("plan_error").and_then(|v| v.as_table()) {
            let s = |k: &str| want.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let file = setup.placeholders(&s("file").expect("plan_error.file"));
            let line = want.get("line").map(|v| v.as_integer().unwrap() as usize);
            let column = s("column");
            // (An `Ok` is reported above.)
            if let Err(e) = &result {
                if e.file != file || e.line != line || (column.is_some() && e.column != column) {
                    problems.push(format!(
                        "error at {}:{:?}:{:?}, expected {file}:{line:?}:{column:?} ({e})",
                        e.file, e.line, e.column
                    ));
                }
            }
            let mut printed = file.clone();
            if let Some(l) = line {
                printed.push_str(&format!(", line {l}"));
            }
            if let Some(c) = &column {
                printed.push_str(&format!(", column '{c}'"));
            }
            if !ran.stderr.contains(&printed) {
                problems.push(format!("check does not print '{printed}':\n{}", ran.stderr));
            }
        }
        for want in case.tables("violation") {
            let code = want["code"].as_str().unwrap();
            if !matches!(&result, Ok(v) if v.iter().any(|x| x.code == code)) {
                problems.push(format!("expected violation {code}, got {result:?}"));
            }
            if !ran.stdout.contains(&format!("[{code}]")) {
                problems.push(format!("check does not print [{code}]:\n{}", ran.stdout));
            }
        }
    });
}

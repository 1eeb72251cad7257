//! Scenarios (what-if, SPEC §5): a directory with `scenario.toml` and bundle CSV files,
//! read over a base bundle.
//!
//! * The rows of a scenario CSV are added to the base file's rows; a row whose id equals
//!   a base row's replaces it, in place (links: the same unordered `from`,`to` pair, and
//!   every base link of that pair). Column order and dialect (`,`/`;`, BOM,
//!   Windows-1251) may differ between the two files: both are read with the bundle's
//!   table reader ([`crate::input::table`]) and merged by column name.
//! * `[remove]` removes schools (with their rooms, teachers, vehicles, links and
//!   students), links (`[from, to]`, either order), teachers, rooms and vehicles. It
//!   applies after the merge, so it also removes scenario rows that hang on a removed
//!   school. Every id must exist in the base.
//! * `[settings]` overrides keys of the base `network.toml`; the `[weights]` and
//!   `[transport]` tables are merged key by key.
//!
//! The merged bundle is then loaded with [`crate::input::load_from_memory`], so every
//! bundle check applies. Each merged row remembers where it came from, and every
//! diagnostic is mapped back to the file and line it came from: a row of the scenario's
//! own CSV, a base row, a key of `scenario.toml` `[settings]` or of the base
//! `network.toml`. Diagnostics name files by their path (`BASE/students.csv`,
//! `SCENARIO/students.csv`, `SCENARIO/scenario.toml`), so the two are told apart.
//!
//! # Diagnostic codes (scenario)
//!
//! | Code  | Level   | Meaning |
//! |-------|---------|---------|
//! | E0501 | error   | `scenario.toml` is missing or cannot be read (or the scenario directory does not exist) |
//! | E0502 | error   | `scenario.toml` is not valid TOML (the line is given) |
//! | E0503 | error   | an unknown key in `scenario.toml` (top level, `[remove]` or `[settings]`) |
//! | E0504 | error   | a key of `scenario.toml` has the wrong type |
//! | E0505 | error   | `[remove]` names an id (or a link) that is not in the base bundle |
//! | E0506 | error   | a scenario CSV lacks the column(s) its rows are matched by (`id`; links: `from`,`to`) |
//! | W0501 | warning | `scenario.toml` has no `name` (the directory name is used) |
//! | W0502 | warning | the scenario directory holds a `network.toml` (ignored: use `[settings]`) or a CSV that is not a bundle file |
//!
//! Every other code is the bundle's ([`crate::input::bundle`]).

// Diagnostics are the error values here, as in the bundle loader.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::diag::{line_of, Diagnostic, InvalidInput};
use crate::input::files::BundleFiles;
use crate::input::table::{self, Table};
use crate::model::Network;

/// The file that makes a directory a scenario.
pub const SCENARIO_TOML: &str = "scenario.toml";

const NO_SCENARIO: &str = "E0501";
const SYNTAX: &str = "E0502";
const UNKNOWN_KEY: &str = "E0503";
const WRONG_TYPE: &str = "E0504";
const UNKNOWN_ID: &str = "E0505";
const NO_KEY_COLUMN: &str = "E0506";
const NO_NAME: &str = "W0501";
const IGNORED_FILE: &str = "W0502";

use crate::input::bundle::{COURSES, LINKS, NETWORK, ROOMS, SCHOOLS, STUDENTS, TEACHERS, VEHICLES};
const CSV_FILES: [&str; 7] = [SCHOOLS, LINKS, ROOMS, COURSES, TEACHERS, STUDENTS, VEHICLES];
/// The pin files (SPEC §8): a scenario's own replace the base's, else the base's hold.
const PIN_FILES: [&str; 2] = ["pinned_groups.csv", "pinned_students.csv"];

/// Keys of network.toml that `[settings]` may override.
const SETTINGS_KEYS: [&str; 9] = [
    "name",
    "day_start",
    "day_end",
    "periods",
    "min_group",
    "max_group",
    "wants",
    "weights",
    "transport",
];
/// Keys of `[remove]`.
const REMOVE_KEYS: [&str; 5] = ["schools", "links", "teachers", "rooms", "vehicles"];

/// A scenario loaded over its base bundle.
#[derive(Debug)]
pub struct Scenario {
    /// `name` of scenario.toml (the directory name when it has none).
    pub name: String,
    /// The merged, validated network.
    pub net: Network,
    /// Warnings (of the scenario and of the merged bundle), mapped to their files.
    pub diags: Vec<Diagnostic>,
}

/// Whether `dir` is a scenario directory (has scenario.toml).
pub fn is_scenario(dir: &Path) -> bool {
    dir.join(SCENARIO_TOML).is_file()
}

/// Loads the scenario in `dir` (a directory with scenario.toml) over the bundle `base`.
/// `Ok` holds the merged network and every warning; `Err` every problem (errors and
/// warnings) when there is at least one error, each naming the file and line it comes
/// from (the scenario's own file or the base's).
pub fn load(base: &Path, dir: &Path) -> Result<Scenario, InvalidInput> {
    // The base may be a directory or a workbook (SPEC §7); its problems are named as
    // the user sees it (sheet, row and cell for a workbook).
    let base_files = BundleFiles::open(base)?;
    load_over(base, &base_files, dir)
        .map_err(|InvalidInput(d)| InvalidInput(base_files.relabel_all(d)))
        .map(|mut s| {
            s.diags = base_files.relabel_all(s.diags);
            s
        })
}

/// [`load`] over the base's files at hand.
fn load_over(base: &Path, base_files: &BundleFiles, dir: &Path) -> Result<Scenario, InvalidInput> {
    let scn_label = label(dir, SCENARIO_TOML);
    let mut diags = base_files.problems.clone();
    let Some(spec) = read_spec(dir, &scn_label, &mut diags) else {
        return Err(InvalidInput(diags));
    };

    // Files in the scenario directory that are ignored.
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for n in names {
            if n == NETWORK {
                diags.push(
                    Diagnostic::warning(
                        IGNORED_FILE,
                        label(dir, NETWORK),
                        "a scenario's network.toml is ignored",
                    )
                    .hint("put the keys that change under [settings] in scenario.toml"),
                );
            } else if n.to_lowercase().ends_with(".csv")
                && !CSV_FILES.contains(&n.as_str())
                && !PIN_FILES.contains(&n.as_str())
            {
                let near = CSV_FILES
                    .iter()
                    .find(|f| f.eq_ignore_ascii_case(&n))
                    .map(|f| format!("rename it to '{f}' (names are case-sensitive)"));
                diags.push(
                    Diagnostic::warning(
                        IGNORED_FILE,
                        label(dir, &n),
                        format!("'{n}' is not a bundle file; it is ignored"),
                    )
                    .hint(near.unwrap_or_else(|| {
                        format!(
                            "a scenario's CSV files are those of a bundle: {}",
                            CSV_FILES.join(", ")
                        )
                    })),
                );
            }
        }
    }

    // network.toml with the [settings] overrides.
    let settings = merge_settings(base_files, &spec, &scn_label);

    // The CSV files.
    let mut merged: HashMap<&str, MergedFile> = HashMap::new();
    let mut base_tables: HashMap<&str, Table> = HashMap::new();
    // Files whose read error is already reported (the loader would call them missing).
    let mut reported: HashSet<&str> = HashSet::new();
    for file in CSV_FILES {
        let base_label = label(base, file);
        let scn_file_label = label(dir, file);
        let base_read = read_base(base_files, file, &base_label);
        let scn_read = if dir.join(file).exists() {
            Some(read_csv(&dir.join(file), &scn_file_label))
        } else {
            None
        };
        let base_table = match base_read {
            Read::Missing => None,
            Read::Failed(d, bytes) => {
                // The loader reports it the same way from the raw bytes, unless the bytes
                // could not be read at all.
                match bytes {
                    Some(b) => {
                        merged.insert(file, MergedFile::pass_through(b, &base_label));
                    }
                    None => {
                        diags.push(d);
                        reported.insert(file);
                    }
                }
                // Still report the scenario file's own problems.
                match scn_read {
                    Some(Read::Failed(d, _)) => diags.push(d),
                    Some(Read::Ok(_, problems)) => diags.extend(problems),
                    _ => {}
                }
                continue;
            }
            Read::Ok(t, problems) => Some((t, problems)),
        };
        let scn_table = match scn_read {
            None | Some(Read::Missing) => None,
            Some(Read::Failed(d, _)) => {
                diags.push(d);
                None
            }
            Some(Read::Ok(t, problems)) => {
                let keys = key_columns(file);
                let missing: Vec<&str> = keys.iter().copied().filter(|k| !t.has(k)).collect();
                if missing.is_empty() {
                    Some((t, problems))
                } else {
                    diags.push(
                        Diagnostic::error(
                            NO_KEY_COLUMN,
                            &scn_file_label,
                            format!(
                                "the scenario's {file} has no column {}, so its rows cannot be \
                                 matched with the base's; the file is not used",
                                missing
                                    .iter()
                                    .map(|m| format!("'{m}'"))
                                    .collect::<Vec<_>>()
                                    .join(" and ")
                            ),
                        )
                        .row(t.header_line)
                        .column(missing[0])
                        .hint(format!(
                            "add the column(s) {} to its header (it has: {})",
                            missing.join(", "),
                            t.headers.join(", ")
                        )),
                    );
                    diags.extend(problems);
                    None
                }
            }
        };
        if base_table.is_none() && scn_table.is_none() {
            continue;
        }
        if let Some((t, _)) = &base_table {
            base_tables.insert(file, t.clone());
        }
        merged.insert(
            file,
            merge_csv(file, base_table, scn_table, &spec.remove, &mut diags),
        );
    }

    // [remove] ids must exist in the base.
    check_removals(&spec, &base_tables, &scn_label, &mut diags);

    // Load the merged bundle.
    let mut files: Vec<(&str, &[u8])> = Vec::new();
    if let Some(b) = &settings.bytes {
        files.push((NETWORK, b));
    }
    for file in CSV_FILES {
        if let Some(m) = merged.get(file) {
            files.push((file, &m.bytes));
        }
    }
    // The pins (SPEC §8) hold in a scenario as in its base, unless it has pin files of
    // its own, which replace the base's.
    let pin_bytes: Vec<(&str, Vec<u8>)> = PIN_FILES
        .iter()
        .filter_map(|&f| {
            let own = dir.join(f);
            if own.exists() {
                table::read_bytes(&own, f).ok().map(|b| (f, b))
            } else {
                base_files.get(f).ok().map(|b| (f, b.to_vec()))
            }
        })
        .collect();
    for (f, b) in &pin_bytes {
        files.push((f, b));
    }
    let (net, loaded) = match crate::input::load_from_memory(&files) {
        Ok((net, d)) => (Some(net), d),
        Err(InvalidInput(d)) => (None, d),
    };
    for d in loaded {
        if d.code == table::MISSING_FILE && reported.contains(d.file.as_str()) {
            continue;
        }
        let mapped = if d.file == NETWORK {
            Some(settings.map(d))
        } else if let Some(m) = merged.get(d.file.as_str()) {
            m.map(d)
        } else {
            // A file neither bundle had (missing): name the base's.
            let file = label(base, &d.file);
            Some(Diagnostic { file, ..d })
        };
        diags.extend(mapped);
    }
    let mut net = match net {
        Some(net) if !diags.iter().any(Diagnostic::is_error) => net,
        _ => return Err(InvalidInput(diags)),
    };
    if !settings.has_name {
        // load_from_memory calls a nameless network "network"; the base's loader would
        // use the directory's name.
        net.name = if base_files.is_workbook() {
            base_files.name.clone()
        } else {
            dir_name(base)
        };
        for d in diags.iter_mut().filter(|d| d.code == "W0102") {
            d.message = d.message.replace("'network'", &format!("'{}'", net.name));
        }
    }
    Ok(Scenario {
        name: spec.name,
        net,
        diags,
    })
}

/// The path of `file` in `dir`, as diagnostics name it.
fn label(dir: &Path, file: &str) -> String {
    dir.join(file).display().to_string()
}

fn dir_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "network".to_owned())
}

// ---- scenario.toml --------------------------------------------------------------------

/// What scenario.toml says.
struct Spec {
    name: String,
    text: String,
    remove: Remove,
    /// `[settings]`: overrides of network.toml keys.
    settings: toml::Table,
}

/// `[remove]`, each id with the line of scenario.toml that names it.
#[derive(Default)]
struct Remove {
    schools: Vec<(String, Option<usize>)>,
    /// Each pair as written.
    links: Vec<((String, String), Option<usize>)>,
    teachers: Vec<(String, Option<usize>)>,
    rooms: Vec<(String, Option<usize>)>,
    vehicles: Vec<(String, Option<usize>)>,
}

impl Remove {
    fn ids(&self, which: &str) -> HashSet<&str> {
        let list = match which {
            "schools" => &self.schools,
            "teachers" => &self.teachers,
            "rooms" => &self.rooms,
            _ => &self.vehicles,
        };
        list.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn pairs(&self) -> HashSet<(String, String)> {
        self.links.iter().map(|((a, b), _)| pair(a, b)).collect()
    }
}

/// An unordered pair of school ids, in a fixed order.
fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// Reads and checks scenario.toml. `None` when it cannot be read or parsed (the
/// error is pushed); type and key errors are pushed and the rest is read.
fn read_spec(dir: &Path, file: &str, diags: &mut Vec<Diagnostic>) -> Option<Spec> {
    let path = dir.join(SCENARIO_TOML);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            let (message, hint) = if !dir.is_dir() {
                (
                    format!("the scenario directory {} does not exist", dir.display()),
                    "give a directory that holds scenario.toml (SPEC §5)".to_owned(),
                )
            } else if e.kind() == std::io::ErrorKind::NotFound {
                (
                    format!("{} has no scenario.toml", dir.display()),
                    "create scenario.toml with at least name = \"…\" (SPEC §5)".to_owned(),
                )
            } else {
                (
                    format!("cannot read {}: {e}", path.display()),
                    "check that it is a readable file".to_owned(),
                )
            };
            diags.push(Diagnostic::error(NO_SCENARIO, file, message).hint(hint));
            return None;
        }
    };
    let text = match table::decode_text(&bytes, file) {
        Ok(t) => t.replace('\u{feff}', ""),
        Err(d) => {
            diags.push(Diagnostic {
                code: NO_SCENARIO,
                ..d
            });
            return None;
        }
    };
    let doc: toml::Table = match text.parse() {
        Ok(doc) => doc,
        Err(e) => {
            let e: toml::de::Error = e;
            let mut d = Diagnostic::error(
                SYNTAX,
                file,
                format!("scenario.toml is not valid TOML: {}", e.message().trim()),
            )
            .hint(
                "fix the syntax on that line: text in double quotes, lists in [ ], one \
                 `key = value` per line, [remove] and [settings] as sections",
            );
            if let Some(sp) = e.span() {
                d = d.row(line_of(&text, sp.start));
            }
            diags.push(d);
            return None;
        }
    };
    let at = |path: &[&str]| locate(&text, path);
    let err = |code: &'static str, path: &[&str], message: String, hint: String| {
        let d = Diagnostic::error(code, file, message)
            .column(path.join("."))
            .hint(hint);
        match at(path) {
            Some(l) => d.row(l),
            None => d,
        }
    };

    let mut spec = Spec {
        name: dir_name(dir),
        text: String::new(),
        remove: Remove::default(),
        settings: toml::Table::new(),
    };
    for (key, value) in &doc {
        match (key.as_str(), value) {
            ("name", toml::Value::String(s)) if !s.trim().is_empty() => {
                spec.name = s.trim().to_owned()
            }
            ("name", _) => diags.push(err(
                WRONG_TYPE,
                &["name"],
                "name must be non-empty text".into(),
                "write it in double quotes: name = \"Winter road closed\"".into(),
            )),
            ("remove", toml::Value::Table(t)) => {
                spec.remove = read_remove(t, &text, file, diags);
            }
            ("settings", toml::Value::Table(t)) => {
                for (k, v) in t {
                    if SETTINGS_KEYS.contains(&k.as_str()) {
                        spec.settings.insert(k.clone(), v.clone());
                    } else {
                        diags.push(err(
                            UNKNOWN_KEY,
                            &["settings", k],
                            format!("[settings] has an unknown key '{k}'"),
                            format!(
                                "[settings] overrides keys of network.toml; known keys are {}",
                                SETTINGS_KEYS.join(", ")
                            ),
                        ));
                    }
                }
            }
            ("remove" | "settings", _) => diags.push(err(
                WRONG_TYPE,
                &[key],
                format!("{key} must be a table"),
                format!("write it as a [{key}] section with one `key = value` per line"),
            )),
            _ => diags.push(err(
                UNKNOWN_KEY,
                &[key],
                format!("unknown key '{key}' in scenario.toml"),
                "known keys are name, [remove] and [settings] (SPEC §5); keys of network.toml \
                 go under [settings]"
                    .into(),
            )),
        }
    }
    if !doc.contains_key("name") {
        diags.push(
            Diagnostic::warning(
                NO_NAME,
                file,
                format!("scenario.toml has no name; using '{}'", spec.name),
            )
            .column("name")
            .hint("add a line like name = \"Winter road closed\""),
        );
    }
    spec.text = text;
    Some(spec)
}

fn read_remove(t: &toml::Table, text: &str, file: &str, diags: &mut Vec<Diagnostic>) -> Remove {
    let mut r = Remove::default();
    for (key, value) in t {
        let key_line = locate(text, &["remove", key]);
        let place = |d: Diagnostic| match key_line {
            Some(l) => d.row(l),
            None => d,
        };
        if !REMOVE_KEYS.contains(&key.as_str()) {
            let hint = if key == "courses" || key == "students" {
                format!(
                    "{key} cannot be removed one by one; remove the school they belong to, or \
                     edit them with a scenario CSV (known keys: {})",
                    REMOVE_KEYS.join(", ")
                )
            } else {
                format!("known keys of [remove] are {}", REMOVE_KEYS.join(", "))
            };
            diags.push(place(
                Diagnostic::error(
                    UNKNOWN_KEY,
                    file,
                    format!("[remove] has an unknown key '{key}'"),
                )
                .column(format!("remove.{key}"))
                .hint(hint),
            ));
            continue;
        }
        let wrong = |what: &str, example: &str| {
            place(
                Diagnostic::error(WRONG_TYPE, file, format!("[remove] {key} must be {what}"))
                    .column(format!("remove.{key}"))
                    .hint(format!("write e.g. {key} = {example}")),
            )
        };
        let Some(list) = value.as_array() else {
            diags.push(if key == "links" {
                wrong(
                    "a list of [from, to] pairs of school ids",
                    "[[\"S01\", \"S05\"]]",
                )
            } else {
                wrong("a list of ids in double quotes", "[\"ID1\", \"ID2\"]")
            });
            continue;
        };
        let line_of_value = |v: &str| value_line(text, key_line, v).or(key_line);
        if key == "links" {
            if !list.is_empty() && list.iter().all(toml::Value::is_str) {
                // One pair written without its own brackets.
                let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
                diags.push(wrong(
                    "a list of [from, to] pairs, each in its own brackets",
                    &format!("[[{}]]", shown.join(", ")),
                ));
                continue;
            }
            for item in list {
                let ends: Option<Vec<&str>> = item
                    .as_array()
                    .filter(|a| a.len() == 2)
                    .and_then(|a| a.iter().map(|v| v.as_str().map(str::trim)).collect());
                match ends {
                    Some(e) if !e[0].is_empty() && !e[1].is_empty() => {
                        let line = value_line(text, key_line, e[0])
                            .or_else(|| value_line(text, key_line, e[1]))
                            .or(key_line);
                        r.links.push(((e[0].to_owned(), e[1].to_owned()), line));
                    }
                    _ => diags.push(wrong(
                        &format!("a list of [from, to] pairs of school ids, not {item}"),
                        "[[\"S01\", \"S05\"], [\"S02\", \"S03\"]]",
                    )),
                }
            }
            continue;
        }
        let target = match key.as_str() {
            "schools" => &mut r.schools,
            "teachers" => &mut r.teachers,
            "rooms" => &mut r.rooms,
            _ => &mut r.vehicles,
        };
        for item in list {
            match item.as_str().map(str::trim) {
                Some(id) if !id.is_empty() => target.push((id.to_owned(), line_of_value(id))),
                _ => diags.push(wrong(
                    &format!("a list of ids in double quotes, not {item}"),
                    "[\"ID1\", \"ID2\"]",
                )),
            }
        }
    }
    r
}

/// Errors for `[remove]` ids that the base does not have. Files that could not be read
/// whole (their own error says why) are not checked.
fn check_removals(
    spec: &Spec,
    base: &HashMap<&str, Table>,
    file: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let ids = |f: &str| -> Option<HashSet<String>> {
        match base.get(f) {
            None => Some(HashSet::new()),
            Some(t) if t.dropped > 0 || !t.has("id") => None,
            Some(t) => Some(t.rows.iter().map(|r| t.get(r, "id").to_owned()).collect()),
        }
    };
    let unknown = |what: &str, shown: String, line: Option<usize>, f: &str, near: Option<&str>| {
        let mut hint =
            format!("remove only what the base bundle has: check the id against the base's {f}");
        if let Some(n) = near {
            hint = format!("did you mean '{n}'? (ids are case-sensitive)");
        }
        let d = Diagnostic::error(
            UNKNOWN_ID,
            file,
            format!("[remove] {what}: {shown} is not in the base's {f}"),
        )
        .column(format!("remove.{what}"))
        .hint(hint);
        match line {
            Some(l) => d.row(l),
            None => d,
        }
    };
    let near = |set: &HashSet<String>, id: &str| -> Option<String> {
        let low = id.to_lowercase();
        let mut v: Vec<&String> = set.iter().filter(|k| k.to_lowercase() == low).collect();
        v.sort();
        v.first().map(|s| s.to_string())
    };
    for (what, f, list) in [
        ("schools", SCHOOLS, &spec.remove.schools),
        ("teachers", TEACHERS, &spec.remove.teachers),
        ("rooms", ROOMS, &spec.remove.rooms),
        ("vehicles", VEHICLES, &spec.remove.vehicles),
    ] {
        if list.is_empty() {
            continue;
        }
        let Some(known) = ids(f) else { continue };
        for (id, line) in list {
            if !known.contains(id) {
                let n = near(&known, id);
                diags.push(unknown(what, format!("'{id}'"), *line, f, n.as_deref()));
            }
        }
    }
    if spec.remove.links.is_empty() {
        return;
    }
    let known: Option<HashSet<(String, String)>> = match base.get(LINKS) {
        None => Some(HashSet::new()),
        Some(t) if t.dropped > 0 || !t.has("from") || !t.has("to") => None,
        Some(t) => Some(
            t.rows
                .iter()
                .map(|r| pair(t.get(r, "from"), t.get(r, "to")))
                .collect(),
        ),
    };
    if let Some(known) = known {
        for ((a, b), line) in &spec.remove.links {
            if !known.contains(&pair(a, b)) {
                diags.push(unknown(
                    "links",
                    format!("the link ['{a}', '{b}']"),
                    *line,
                    LINKS,
                    None,
                ));
            }
        }
    }
}

// ---- network.toml -------------------------------------------------------------------

/// The merged network.toml and where each of its lines comes from.
struct MergedSettings {
    /// `None` when the base has no network.toml (the loader reports it missing).
    bytes: Option<Vec<u8>>,
    /// Per line of the merged text (index = line - 1): file and line. Empty when the
    /// base text is passed through unchanged.
    lines: Vec<(String, Option<usize>)>,
    base_label: String,
    /// Whether the merged network.toml has a `name`.
    has_name: bool,
}

impl MergedSettings {
    fn map(&self, d: Diagnostic) -> Diagnostic {
        match d.row {
            Some(r) if !self.lines.is_empty() => match self.lines.get(r.wrapping_sub(1)) {
                Some((file, line)) => Diagnostic {
                    file: file.clone(),
                    row: *line,
                    ..d
                },
                None => Diagnostic {
                    file: self.base_label.clone(),
                    row: None,
                    ..d
                },
            },
            _ => Diagnostic {
                file: self.base_label.clone(),
                ..d
            },
        }
    }
}

/// The base network.toml with `[settings]` applied. Passed through unchanged when
/// there is nothing to override or it cannot be parsed (the loader then reports it).
fn merge_settings(base: &BundleFiles, spec: &Spec, scn_label: &str) -> MergedSettings {
    let base_label = base.label(NETWORK);
    let raw = base.get(NETWORK).ok().map(<[u8]>::to_vec);
    let text = raw
        .as_deref()
        .and_then(|b| table::decode_text(b, NETWORK).ok())
        .map(|t| t.replace('\u{feff}', ""));
    let doc: Option<toml::Table> = text.as_deref().and_then(|t| t.parse().ok());
    let pass = |has_name: bool| MergedSettings {
        bytes: raw.clone(),
        lines: Vec::new(),
        base_label: base_label.clone(),
        has_name,
    };
    let (Some(text), Some(mut doc)) = (text, doc) else {
        return pass(spec.settings.contains_key("name"));
    };
    if spec.settings.is_empty() {
        return pass(doc.contains_key("name"));
    }
    // Where each key's value comes from: (table, key) → (file, line).
    let mut origin: HashMap<(String, String), (String, Option<usize>)> = HashMap::new();
    for (k, v) in &doc {
        match v.as_table() {
            Some(t) => {
                for k2 in t.keys() {
                    origin.insert(
                        (k.clone(), k2.clone()),
                        (base_label.clone(), locate(&text, &[k, k2])),
                    );
                }
                origin.insert(
                    (k.clone(), String::new()),
                    (base_label.clone(), locate(&text, &[k])),
                );
            }
            None => {
                origin.insert(
                    (String::new(), k.clone()),
                    (base_label.clone(), locate(&text, &[k])),
                );
            }
        }
    }
    for (k, v) in &spec.settings {
        let scn_line = |path: &[&str]| (scn_label.to_owned(), locate(&spec.text, path));
        match (doc.get_mut(k), v) {
            (Some(toml::Value::Table(bt)), toml::Value::Table(st)) => {
                for (k2, v2) in st {
                    bt.insert(k2.clone(), v2.clone());
                    origin.insert((k.clone(), k2.clone()), scn_line(&["settings", k, k2]));
                }
            }
            _ => {
                doc.insert(k.clone(), v.clone());
                match v.as_table() {
                    Some(st) => {
                        origin.insert((k.clone(), String::new()), scn_line(&["settings", k]));
                        for k2 in st.keys() {
                            origin.insert((k.clone(), k2.clone()), scn_line(&["settings", k, k2]));
                        }
                    }
                    None => {
                        origin.insert((String::new(), k.clone()), scn_line(&["settings", k]));
                    }
                }
            }
        }
    }
    // Write it out: plain keys first, then one section per table.
    let mut out = String::new();
    let mut lines = Vec::new();
    let mut line = |out: &mut String, s: String, from: Option<&(String, Option<usize>)>| {
        out.push_str(&s);
        out.push('\n');
        lines.push(from.cloned().unwrap_or_else(|| (base_label.clone(), None)));
    };
    for (k, v) in &doc {
        if v.is_table() {
            continue;
        }
        let Some(val) = render(v) else {
            return pass(doc.contains_key("name"));
        };
        line(
            &mut out,
            format!("{} = {val}", render_key(k)),
            origin.get(&(String::new(), k.clone())),
        );
    }
    for (k, v) in &doc {
        let Some(t) = v.as_table() else { continue };
        line(
            &mut out,
            format!("[{}]", render_key(k)),
            origin.get(&(k.clone(), String::new())),
        );
        for (k2, v2) in t {
            let Some(val) = render(v2) else {
                return pass(doc.contains_key("name"));
            };
            line(
                &mut out,
                format!("{} = {val}", render_key(k2)),
                origin.get(&(k.clone(), k2.clone())),
            );
        }
    }
    MergedSettings {
        bytes: Some(out.into_bytes()),
        lines,
        base_label,
        has_name: doc.contains_key("name"),
    }
}

/// A TOML value written inline; `None` if it cannot be written.
fn render(v: &toml::Value) -> Option<String> {
    use serde::Serialize as _;
    let mut s = String::new();
    v.serialize(toml::ser::ValueSerializer::new(&mut s)).ok()?;
    (!s.contains('\n')).then_some(s)
}

fn render_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        render(&toml::Value::String(k.to_owned())).unwrap_or_else(|| "\"?\"".to_owned())
    }
}

// ---- CSV files ----------------------------------------------------------------------

enum Read {
    Missing,
    /// The file as a whole cannot be read; its bytes when they could be read.
    Failed(Diagnostic, Option<Vec<u8>>),
    Ok(Table, Vec<Diagnostic>),
}

/// [`read_csv`] of the base's `file`.
fn read_base(base: &BundleFiles, file: &str, file_label: &str) -> Read {
    let bytes = match base.get(file) {
        Ok(b) => b.to_vec(),
        Err(d) if d.code == table::MISSING_FILE => return Read::Missing,
        Err(d) => {
            let d = Diagnostic {
                file: file_label.to_owned(),
                ..d
            };
            return Read::Failed(d, None);
        }
    };
    parsed(bytes, file_label)
}

fn read_csv(path: &Path, file_label: &str) -> Read {
    match table::read_bytes(path, file_label) {
        Ok(b) => parsed(b, file_label),
        Err(d) if d.code == table::MISSING_FILE => Read::Missing,
        Err(d) => Read::Failed(d, None),
    }
}

/// A CSV file's bytes split into a table, or why they cannot be.
fn parsed(bytes: Vec<u8>, file_label: &str) -> Read {
    match table::decode_text(&bytes, file_label).and_then(|t| table::parse_table(&t, file_label)) {
        Ok((mut t, problems)) => {
            // Russian headers name the same columns as in the bundle (SPEC §1 aliases).
            let name = Path::new(file_label)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(schema) = crate::input::schema::by_name(&name) {
                schema.rename_aliases(&mut t.headers);
            }
            Read::Ok(t, problems)
        }
        Err(d) => Read::Failed(d, Some(bytes)),
    }
}

/// The columns a file's rows are matched by.
fn key_columns(file: &str) -> &'static [&'static str] {
    if file == LINKS {
        &["from", "to"]
    } else {
        &["id"]
    }
}

/// Where a merged line comes from.
#[derive(Clone)]
enum Origin {
    Row {
        file: String,
        line: usize,
    },
    /// Stands for a row its file could not read (reported already).
    Placeholder,
}

/// One merged CSV file and where each of its rows comes from.
struct MergedFile {
    bytes: Vec<u8>,
    /// `(first merged line, origin)` of each data row, in order.
    rows: Vec<(usize, Origin)>,
    /// The headers of the base and scenario file: (label, header line, headers).
    base_header: Option<(String, usize, Vec<String>)>,
    scn_header: Option<(String, usize, Vec<String>)>,
    /// `None` when the bytes are the base file's, passed through.
    merged: bool,
}

impl MergedFile {
    fn pass_through(bytes: Vec<u8>, base_label: &str) -> Self {
        MergedFile {
            bytes,
            rows: Vec::new(),
            base_header: Some((base_label.to_owned(), 1, Vec::new())),
            scn_header: None,
            merged: false,
        }
    }

    /// `d` (about the merged file) moved to the file and line it comes from; `None`
    /// for a diagnostic about a placeholder row (its own diagnostic is reported).
    fn map(&self, d: Diagnostic) -> Option<Diagnostic> {
        let default = self
            .base_header
            .as_ref()
            .or(self.scn_header.as_ref())
            .map(|h| h.0.clone())
            .unwrap_or_else(|| d.file.clone());
        if !self.merged {
            return Some(Diagnostic { file: default, ..d });
        }
        let Some(r) = d.row else {
            return Some(Diagnostic { file: default, ..d });
        };
        if r <= 1 {
            // The header: the file that has the column (the base's first).
            type Header = (String, usize, Vec<String>);
            fn has<'h>(h: &'h Option<Header>, column: Option<&String>) -> Option<&'h Header> {
                h.as_ref()
                    .filter(|(_, _, hs)| column.is_some_and(|c| hs.contains(c)))
            }
            let h = has(&self.base_header, d.column.as_ref())
                .or(has(&self.scn_header, d.column.as_ref()))
                .or(self.base_header.as_ref())
                .or(self.scn_header.as_ref());
            return Some(match h {
                Some((file, line, _)) => Diagnostic {
                    file: file.clone(),
                    row: Some(*line),
                    ..d
                },
                None => d,
            });
        }
        let i = self.rows.partition_point(|(start, _)| *start <= r);
        match i.checked_sub(1).and_then(|i| self.rows.get(i)) {
            Some((_, Origin::Row { file, line })) => Some(Diagnostic {
                file: file.clone(),
                row: Some(*line),
                ..d
            }),
            Some((_, Origin::Placeholder)) => None,
            None => Some(Diagnostic { file: default, ..d }),
        }
    }
}

/// One row on its way into the merged file: cells by merged column.
struct MRow {
    cells: Vec<String>,
    origin: Origin,
}

/// Merges the scenario's rows into the base's, applies `[remove]`, writes the result
/// as UTF-8 CSV with `,`. Row problems of both files are pushed; each row they lost is
/// written as a placeholder so that the loader knows the file is incomplete.
fn merge_csv(
    file: &str,
    base: Option<(Table, Vec<Diagnostic>)>,
    scn: Option<(Table, Vec<Diagnostic>)>,
    remove: &Remove,
    diags: &mut Vec<Diagnostic>,
) -> MergedFile {
    let mut headers: Vec<String> = Vec::new();
    for (t, _) in base.iter().chain(scn.iter()) {
        for h in &t.headers {
            if !headers.contains(h) {
                headers.push(h.clone());
            }
        }
    }
    let width = headers.len();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let to_row = |t: &Table, r: &table::Row| MRow {
        cells: headers.iter().map(|h| t.get(r, h).to_owned()).collect(),
        origin: Origin::Row {
            file: t.file.clone(),
            line: r.line,
        },
    };
    let key = |cells: &[String]| -> Option<(String, String)> {
        let cell = |name: &str| col(name).map_or("", |i| cells[i].as_str());
        if file == LINKS {
            let (a, b) = (cell("from"), cell("to"));
            (!a.is_empty() && !b.is_empty()).then(|| pair(a, b))
        } else {
            let id = cell("id");
            (!id.is_empty()).then(|| (id.to_owned(), String::new()))
        }
    };

    let mut rows: Vec<Option<MRow>> = Vec::new();
    let mut placeholders = 0;
    // Key → indices of base rows in `rows` (not yet replaced).
    let mut by_key: HashMap<(String, String), Vec<usize>> = HashMap::new();
    if let Some((t, problems)) = &base {
        for r in &t.rows {
            let row = to_row(t, r);
            if let Some(k) = key(&row.cells) {
                by_key.entry(k).or_default().push(rows.len());
            }
            rows.push(Some(row));
        }
        placeholders += t.dropped;
        diags.extend(problems.iter().cloned());
    }
    if let Some((t, problems)) = &scn {
        for r in &t.rows {
            let row = to_row(t, r);
            match key(&row.cells).and_then(|k| by_key.remove(&k)) {
                Some(idx) => {
                    // Replace the first base row in place, drop the other ones.
                    rows[idx[0]] = Some(row);
                    for &i in &idx[1..] {
                        rows[i] = None;
                    }
                }
                None => rows.push(Some(row)),
            }
        }
        placeholders += t.dropped;
        diags.extend(problems.iter().cloned());
    }

    // [remove].
    let schools = remove.ids("schools");
    let own = match file {
        TEACHERS => remove.ids("teachers"),
        ROOMS => remove.ids("rooms"),
        VEHICLES => remove.ids("vehicles"),
        _ => HashSet::new(),
    };
    let pairs = remove.pairs();
    let removed = |cells: &[String]| -> bool {
        let cell = |name: &str| col(name).map_or("", |i| cells[i].as_str());
        match file {
            SCHOOLS => schools.contains(cell("id")),
            LINKS => {
                schools.contains(cell("from"))
                    || schools.contains(cell("to"))
                    || pairs.contains(&pair(cell("from"), cell("to")))
            }
            ROOMS | TEACHERS | VEHICLES => {
                schools.contains(cell("school")) || own.contains(cell("id"))
            }
            STUDENTS => schools.contains(cell("school")),
            _ => false,
        }
    };
    let mut kept: Vec<MRow> = rows
        .into_iter()
        .flatten()
        .filter(|r| !removed(&r.cells))
        .collect();
    kept.extend((0..placeholders).map(|_| MRow {
        cells: vec!["#".to_owned(); width + 1],
        origin: Origin::Placeholder,
    }));

    // Write.
    let mut out = String::new();
    write_record(&mut out, &headers);
    let mut line = 2;
    let mut origins = Vec::with_capacity(kept.len());
    for r in kept {
        origins.push((line, r.origin));
        line += write_record(&mut out, &r.cells);
    }
    let header = |t: &Option<(Table, Vec<Diagnostic>)>| {
        t.as_ref()
            .map(|(t, _)| (t.file.clone(), t.header_line, t.headers.clone()))
    };
    MergedFile {
        bytes: out.into_bytes(),
        rows: origins,
        base_header: header(&base),
        scn_header: header(&scn),
        merged: true,
    }
}

/// Appends one CSV record (`,`, quoted where needed, `\n`); returns how many lines it
/// takes.
fn write_record(out: &mut String, cells: &[String]) -> usize {
    let mut lines = 1;
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', ';', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
            lines += c.matches('\n').count();
        } else {
            out.push_str(c);
        }
    }
    out.push('\n');
    lines
}

// ---- lines in TOML text ---------------------------------------------------------------

/// The name of a `[section]` / `[[section]]` header line, spaces and quotes removed.
fn section_name(line: &str) -> Option<String> {
    let t = line.trim();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_start_matches('[');
    let inner = inner.split(']').next().unwrap_or("");
    Some(
        inner
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect(),
    )
}

/// Whether `line` sets `key` (`key = …`, `"key" = …` or the dotted `key.x = …`).
fn sets_key(line: &str, key: &str) -> bool {
    let t = line.trim_start();
    let rest = ['"', '\'']
        .iter()
        .find_map(|q| t.strip_prefix(*q)?.strip_prefix(key)?.strip_prefix(*q))
        .or_else(|| t.strip_prefix(key));
    rest.is_some_and(|r| {
        let r = r.trim_start();
        r.starts_with('=') || r.starts_with('.')
    })
}

/// The line where the value at `path` (e.g. `["settings", "weights", "rank"]`) is set,
/// or failing that where its nearest enclosing table is: a best effort over the
/// common ways of writing TOML.
fn locate(text: &str, path: &[&str]) -> Option<usize> {
    for k in (0..path.len()).rev() {
        let section = path[..k].join(".");
        let mut current = String::new();
        for (i, l) in text.lines().enumerate() {
            if let Some(name) = section_name(l) {
                if name == path[..=k].join(".") {
                    return Some(i + 1);
                }
                current = name;
                continue;
            }
            if current == section && sets_key(l, path[k]) {
                return Some(i + 1);
            }
        }
    }
    None
}

/// The first line at or after `from` that holds `value` in quotes.
fn value_line(text: &str, from: Option<usize>, value: &str) -> Option<usize> {
    let from = from?;
    let quoted = [format!("\"{value}\""), format!("'{value}'")];
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| quoted.iter().any(|q| l.contains(q.as_str())))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locating_keys() {
        let text = "name = \"x\"\n[remove]\nschools = [\n  \"A\",\n  \"B\"]\n\
                    [settings]\nmin_group = 8\n[settings.weights]\nrank = 2\n";
        assert_eq!(locate(text, &["name"]), Some(1));
        assert_eq!(locate(text, &["remove", "schools"]), Some(3));
        assert_eq!(value_line(text, Some(3), "B"), Some(5));
        assert_eq!(locate(text, &["settings", "min_group"]), Some(7));
        assert_eq!(locate(text, &["settings", "weights", "rank"]), Some(9));
        assert_eq!(locate(text, &["settings", "wants"]), Some(6));
        assert_eq!(
            locate("settings.wants = 3\n", &["settings", "wants"]),
            Some(1)
        );
    }

    #[test]
    fn records_are_quoted_and_counted() {
        let mut s = String::new();
        assert_eq!(write_record(&mut s, &["a,b".into(), "c".into()]), 1);
        assert_eq!(write_record(&mut s, &["x\ny".into(), "q\"".into()]), 2);
        assert_eq!(s, "\"a,b\",c\n\"x\ny\",\"q\"\"\"\n");
    }
}

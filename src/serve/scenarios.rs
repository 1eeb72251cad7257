//! What-if scenarios made in the page (SPEC §5): the planner picks what to remove
//! (schools, roads, teachers, rooms, buses), changes the minimum and maximum group or
//! the number of choices a student gets, allows distance learning for courses, and may
//! add a partner from a file (a workbook or a zipped folder holding its schools, roads,
//! rooms, teachers, courses … rows). The server writes that as a scenario directory
//! (`scenario.toml` plus CSV rows, exactly what `profnet compare BASE SCENARIO` reads),
//! loads it over the base with the scenario loader (every check of a bundle applies),
//! and keeps it as a network of its own:
//!
//! ```text
//! WORKSPACE/networks/n5/meta.json   name, base: "n3", the scenario's summary
//! WORKSPACE/networks/n5/scenario/   the scenario directory (SPEC §5) over n3's bundle
//! WORKSPACE/networks/n5/bundle/     the merged bundle, so it is solved like any network
//! ```
//!
//! Everything the form carries is a user's text: names go into `scenario.toml` through
//! the TOML serialiser (never pasted), ids must be ids of the base (the loader's E0505),
//! the partner file passes the same checks as an upload.

// Diagnostics are the error values of the table reader, as in the bundle loader.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde::Deserialize;

use super::workspace::{unzip_bundle, Refused};
use crate::diag::Diagnostic;
use crate::input::bundle::{COURSES, LINKS, ROOMS, SCHOOLS, STUDENTS, TEACHERS, VEHICLES};
use crate::input::{table, workbook, BundleFiles};

/// The bundle CSV files a scenario may carry rows of.
pub const ROW_FILES: [&str; 7] = [SCHOOLS, LINKS, ROOMS, COURSES, TEACHERS, STUDENTS, VEHICLES];

/// What the page's scenario form sends (`POST /api/networks/{id}/scenarios`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioForm {
    pub name: String,
    pub remove: RemoveForm,
    pub min_group: Option<u32>,
    pub max_group: Option<u32>,
    pub wants: Option<u32>,
    /// Courses that may be taught remotely in the scenario.
    pub distance: Vec<String>,
    /// A partner's rows: a workbook or a zipped folder.
    pub partner: Option<PartnerFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemoveForm {
    pub schools: Vec<String>,
    pub links: Vec<[String; 2]>,
    pub teachers: Vec<String>,
    pub rooms: Vec<String>,
    pub vehicles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerFile {
    /// The file's name as the user's computer had it (shown only).
    pub filename: String,
    /// Its bytes, base64.
    pub data: String,
}

/// Most characters of a scenario's name.
const MAX_NAME: usize = 100;

/// The scenario directory's files for `form` over the base bundle in `base_dir`:
/// `scenario.toml` and any CSV rows, as `(file name, bytes)`. Why not, when the form
/// itself is unusable (no name, a partner file that is not a bundle's rows).
pub fn scenario_files(
    form: &ScenarioForm,
    base_dir: &Path,
) -> Result<Vec<(String, Vec<u8>)>, Refused> {
    let name: String = form
        .name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect();
    let name = name.trim();
    if name.is_empty() {
        return Err(Refused::Bad(
            "дайте сценарию название (например, «Без Кощаковской школы»)".into(),
        ));
    }
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    // The partner's rows, as the bundle's CSV files.
    let partner = match &form.partner {
        Some(p) => partner_rows(p)?,
        None => BTreeMap::new(),
    };
    for (file, bytes) in &partner {
        out.insert(file.clone(), bytes.clone());
    }

    // Courses taught remotely: their base rows (or the partner's) with distance = yes.
    let distance: Vec<&str> = dedup(&form.distance);
    if !distance.is_empty() {
        let courses = distance_rows(&distance, base_dir, partner.get(COURSES))?;
        out.insert(COURSES.to_owned(), courses);
    }

    // scenario.toml, written by the serialiser: names and ids are data, never markup.
    let mut doc = toml::Table::new();
    doc.insert("name".into(), toml::Value::String(name.to_owned()));
    let mut remove = toml::Table::new();
    let list = |v: &[String]| {
        toml::Value::Array(
            dedup(v)
                .into_iter()
                .map(|s| toml::Value::String(s.to_owned()))
                .collect(),
        )
    };
    for (key, ids) in [
        ("schools", &form.remove.schools),
        ("teachers", &form.remove.teachers),
        ("rooms", &form.remove.rooms),
        ("vehicles", &form.remove.vehicles),
    ] {
        if !ids.is_empty() {
            remove.insert(key.into(), list(ids));
        }
    }
    if !form.remove.links.is_empty() {
        let mut pairs: Vec<&[String; 2]> = Vec::new();
        for p in &form.remove.links {
            if !pairs.contains(&p) {
                pairs.push(p);
            }
        }
        remove.insert(
            "links".into(),
            toml::Value::Array(pairs.into_iter().map(|p| list(p)).collect()),
        );
    }
    if !remove.is_empty() {
        doc.insert("remove".into(), toml::Value::Table(remove));
    }
    let mut settings = toml::Table::new();
    for (key, v) in [
        ("min_group", form.min_group),
        ("max_group", form.max_group),
        ("wants", form.wants),
    ] {
        if let Some(v) = v {
            settings.insert(key.into(), toml::Value::Integer(i64::from(v)));
        }
    }
    if !settings.is_empty() {
        doc.insert("settings".into(), toml::Value::Table(settings));
    }
    if doc.len() == 1 && out.is_empty() {
        return Err(Refused::Bad(
            "сценарий ничего не меняет: уберите что-нибудь, измените правило, разрешите \
             дистанционное обучение или добавьте файл партнёра"
                .into(),
        ));
    }
    let text =
        toml::to_string(&doc).map_err(|e| Refused::Bad(format!("сценарий не записан: {e}")))?;
    out.insert(
        crate::input::scenario::SCENARIO_TOML.to_owned(),
        text.into_bytes(),
    );
    Ok(out.into_iter().collect())
}

/// `v` without repeats and empty entries, in order.
fn dedup(v: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in v.iter().map(|s| s.trim()) {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The CSV files of a partner's file: a workbook (sheets named as the bundle's files,
/// SPEC §7) or a zipped folder of CSV files; at least one of schools, links, rooms,
/// teachers, courses, students or vehicles; no network settings.
fn partner_rows(p: &PartnerFile) -> Result<BTreeMap<String, Vec<u8>>, Refused> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(p.data.trim())
        .map_err(|_| Refused::Bad("файл партнёра дошёл не целиком; выберите его ещё раз".into()))?;
    if bytes.len() > super::workspace::MAX_UPLOAD {
        return Err(Refused::Bad(format!(
            "файл партнёра больше {} МБ",
            super::workspace::MAX_UPLOAD >> 20
        )));
    }
    let shown = super::workspace::display_name(&p.filename);
    let files: Vec<(String, Vec<u8>)> = if super::workspace::is_zipped_bundle(&bytes) {
        unzip_bundle(&bytes)?.into_iter().collect()
    } else {
        let book = workbook::read_bytes(&bytes, Path::new(&shown)).map_err(|d| {
            Refused::Invalid(
                d.into_iter()
                    .map(|d| Diagnostic {
                        file: format!("партнёр: {}", d.file),
                        ..d
                    })
                    .collect(),
            )
        })?;
        let files = BundleFiles::of_workbook(book, Path::new(&shown));
        ROW_FILES
            .iter()
            .filter(|f| files.exists(f))
            .filter_map(|f| files.get(f).ok().map(|b| ((*f).to_owned(), b.to_vec())))
            .collect()
    };
    let mut out = BTreeMap::new();
    for (name, b) in files {
        if ROW_FILES.contains(&name.as_str()) {
            out.insert(name, b);
        } else if name != crate::input::bundle::NETWORK {
            return Err(Refused::Bad(format!(
                "«{name}» не может быть частью строк партнёра; партнёр приносит {}",
                ROW_FILES.join(", ")
            )));
        }
    }
    if out.is_empty() {
        return Err(Refused::Bad(format!(
            "в файле партнёра «{shown}» нет ни одного из листов {}",
            ROW_FILES.join(", ")
        )));
    }
    Ok(out)
}

/// courses.csv rows that allow distance learning for `ids`: each the row the partner's
/// file gives for it, else the base's, with `distance` set to `yes`; the partner's other
/// rows are kept as they are.
fn distance_rows(
    ids: &[&str],
    base_dir: &Path,
    partner: Option<&Vec<u8>>,
) -> Result<Vec<u8>, Refused> {
    let read = |bytes: &[u8], label: &str| {
        table::decode_text(bytes, label)
            .and_then(|t| table::parse_table(&t, label))
            .map(|(t, _)| t)
            .map_err(|d| Refused::Invalid(vec![d]))
    };
    let base_bytes = std::fs::read(base_dir.join(COURSES))
        .map_err(|e| Refused::Bad(format!("курсы сети не прочитаны: {e}")))?;
    let base = read(&base_bytes, COURSES)?;
    let partner = partner
        .map(|b| read(b, &format!("партнёр: {COURSES}")))
        .transpose()?;
    let mut headers: Vec<String> = base.headers.clone();
    if let Some(p) = &partner {
        for h in &p.headers {
            if !headers.contains(h) {
                headers.push(h.clone());
            }
        }
    }
    if !headers.iter().any(|h| h == "distance") {
        headers.push("distance".into());
    }
    let row_of = |t: &table::Table, r: &table::Row| -> BTreeMap<String, String> {
        t.headers
            .iter()
            .map(|h| (h.clone(), t.get(r, h).to_owned()))
            .collect()
    };
    let mut rows: Vec<BTreeMap<String, String>> = Vec::new();
    if let Some(p) = &partner {
        rows.extend(p.rows.iter().map(|r| row_of(p, r)));
    }
    for id in ids {
        if let Some(r) = rows
            .iter_mut()
            .find(|r| r.get("id").map(String::as_str) == Some(*id))
        {
            r.insert("distance".into(), "yes".into());
            continue;
        }
        let Some(r) = base.rows.iter().find(|r| base.get(r, "id") == *id) else {
            return Err(Refused::Bad(format!(
                "курса «{}» нет в сети",
                id.chars().take(60).collect::<String>()
            )));
        };
        let mut r = row_of(&base, r);
        r.insert("distance".into(), "yes".into());
        rows.push(r);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Refused::Bad(format!("курсы не записаны: {e}"));
    w.write_record(&headers).map_err(io)?;
    for r in &rows {
        w.write_record(headers.iter().map(|h| r.get(h).map_or("", String::as_str)))
            .map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| Refused::Bad(format!("курсы не записаны: {e}")))
}

/// A line per change of a scenario directory's `scenario.toml`, in Russian, for the
/// page (what the scenario does to its base).
pub fn describe(scenario_toml: &str, files: &[(String, Vec<u8>)]) -> Vec<String> {
    let Ok(doc) = scenario_toml.parse::<toml::Table>() else {
        return Vec::new();
    };
    let ids = |v: &toml::Value| -> String {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| match x {
                        toml::Value::Array(p) => p
                            .iter()
                            .filter_map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join("–"),
                        other => other.as_str().unwrap_or("").to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    if let Some(r) = doc.get("remove").and_then(|r| r.as_table()) {
        for (key, what) in [
            ("schools", "Без школ и организаций"),
            ("links", "Без дорог"),
            ("teachers", "Без учителей"),
            ("rooms", "Без кабинетов"),
            ("vehicles", "Без автобусов"),
        ] {
            if let Some(v) = r.get(key) {
                out.push(format!("{what}: {}", ids(v)));
            }
        }
    }
    if let Some(s) = doc.get("settings").and_then(|r| r.as_table()) {
        for (key, what) in [
            ("min_group", "Наименьшая группа"),
            ("max_group", "Наибольшая группа"),
            ("wants", "Выборов на ученика"),
        ] {
            if let Some(v) = s.get(key) {
                out.push(format!("{what}: {v}"));
            }
        }
    }
    for (f, bytes) in files {
        let label = f.as_str();
        let Ok((t, _)) =
            table::decode_text(bytes, label).and_then(|t| table::parse_table(&t, label))
        else {
            continue;
        };
        let keys: Vec<String> = t
            .rows
            .iter()
            .map(|r| {
                if *f == LINKS {
                    format!("{}–{}", t.get(r, "from"), t.get(r, "to"))
                } else {
                    t.get(r, "id").to_owned()
                }
            })
            .collect();
        let shown = keys.iter().take(12).cloned().collect::<Vec<_>>().join(", ");
        let more = keys.len().saturating_sub(12);
        let what = match f.as_str() {
            SCHOOLS => "Школы и организации",
            LINKS => "Дороги",
            ROOMS => "Кабинеты",
            COURSES => "Курсы",
            TEACHERS => "Учителя",
            STUDENTS => "Ученики",
            _ => "Автобусы",
        };
        let tail = if more > 0 {
            format!(" и ещё {more}")
        } else {
            String::new()
        };
        let distance = if *f == COURSES && t.has("distance") {
            " (курсы с дистанционным обучением или изменённые)"
        } else {
            ""
        };
        out.push(format!(
            "{what} добавлены или заменены{distance}: {shown}{tail}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky")
    }

    fn files_of(form: &ScenarioForm) -> BTreeMap<String, String> {
        scenario_files(form, &sample())
            .unwrap()
            .into_iter()
            .map(|(n, b)| (n, String::from_utf8(b).unwrap()))
            .collect()
    }

    #[test]
    fn a_form_becomes_a_scenario_directory_the_loader_reads() {
        let (base, _) = crate::input::load(&sample()).unwrap();
        let course = base.courses[0].id.clone();
        let school = base.schools.last().unwrap().id.clone();
        let form = ScenarioForm {
            name: "Без школы \"X\" ]]\n[settings]".into(),
            remove: RemoveForm {
                schools: vec![school.clone(), school.clone()],
                ..RemoveForm::default()
            },
            min_group: Some(8),
            distance: vec![course.clone()],
            ..ScenarioForm::default()
        };
        let files = files_of(&form);
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            [COURSES, crate::input::scenario::SCENARIO_TOML]
        );
        let dir = tempfile::tempdir().unwrap();
        for (n, t) in &files {
            std::fs::write(dir.path().join(n), t).unwrap();
        }
        let s = crate::input::scenario::load(&sample(), dir.path()).unwrap();
        // The name is the user's text, whole, and injected nothing.
        assert_eq!(s.name, "Без школы \"X\" ]][settings]");
        assert_eq!(s.net.min_group, 8);
        assert!(!s.net.schools.iter().any(|x| x.id == school));
        let c = s.net.courses.iter().find(|c| c.id == course).unwrap();
        assert!(c.distance);
        assert_eq!(s.net.courses.len(), base.courses.len());
        let rows = [(COURSES.to_owned(), files[COURSES].clone().into_bytes())];
        let said = describe(&files[crate::input::scenario::SCENARIO_TOML], &rows);
        assert!(said.iter().any(|l| l.contains(&school)), "{said:?}");
        assert!(
            said.iter()
                .any(|l| l.starts_with("Курсы") && l.ends_with(&course)),
            "{said:?}"
        );
        assert!(said.iter().any(|l| l == "Наименьшая группа: 8"), "{said:?}");
    }

    #[test]
    fn a_form_that_changes_nothing_or_has_no_name_is_refused() {
        let nothing = ScenarioForm {
            name: "x".into(),
            ..ScenarioForm::default()
        };
        assert!(
            matches!(scenario_files(&nothing, &sample()), Err(Refused::Bad(m)) if m.contains("ничего не меняет"))
        );
        let nameless = ScenarioForm {
            name: " \n".into(),
            min_group: Some(5),
            ..ScenarioForm::default()
        };
        assert!(
            matches!(scenario_files(&nameless, &sample()), Err(Refused::Bad(m)) if m.contains("название"))
        );
        let unknown = ScenarioForm {
            name: "x".into(),
            distance: vec!["NO-SUCH".into()],
            ..ScenarioForm::default()
        };
        assert!(
            matches!(scenario_files(&unknown, &sample()), Err(Refused::Bad(m)) if m.contains("NO-SUCH"))
        );
    }
}

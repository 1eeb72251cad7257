//! The workspace on disk (SPEC §9): one folder per network, in the formats of SPEC
//! §1–8, so the command line and the web see the same data.
//!
//! ```text
//! WORKSPACE/networks/n3/meta.json        name, uploaded file name, time
//! WORKSPACE/networks/n3/bundle/          the bundle's CSV files and network.toml
//! WORKSPACE/networks/n3/source.xlsx      the workbook as uploaded (when it was one)
//! WORKSPACE/networks/n3/runs/r7/run.json a solve: state, time limit, error
//! WORKSPACE/networks/n3/runs/r7/plan/    its plan (SPEC §2), checked
//! WORKSPACE/networks/n3/runs/r7/report/  what `profnet report` writes
//! ```
//!
//! Ids are the server's own (`n3`, `r7`), never a user's text, so no upload names a
//! path. Every folder is written beside its place and renamed into it: a crash leaves
//! either the old state or the new one, and leftovers of an interrupted write (hidden
//! `.NAME.tmp-PID` folders) are removed at the next start.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{Diagnostic, InvalidInput};
use crate::input::files::BUNDLE_FILES;
use crate::input::{workbook, BundleFiles};
use crate::model::Network;
use crate::planfile::write::write_dir_atomically;

/// Most bytes of one uploaded file (a workbook or a zipped bundle).
pub const MAX_UPLOAD: usize = 64 << 20;
/// Most bytes a zipped bundle may unpack to, all files together.
const MAX_UNZIPPED: u64 = 256 << 20;
/// Most entries of a zipped bundle.
const MAX_ENTRIES: usize = 64;

/// Files a zipped bundle may hold besides the bundle's own (documentation, ignored).
const DOCS: [&str; 2] = ["GUIDE.md", "README.md"];

/// Why an upload was not taken.
#[derive(Debug)]
pub enum Refused {
    /// The bundle has errors (SPEC §9: `422` with every problem).
    Invalid(Vec<Diagnostic>),
    /// The file is not a bundle at all, or a hostile one (zip slip, a symlink, a bomb,
    /// files that are no bundle's): what is wrong, in words.
    Bad(String),
}

/// A network of the workspace.
#[derive(Clone, Debug)]
pub struct NetworkInfo {
    pub id: String,
    /// The network's name (network.toml).
    pub name: String,
    /// The file it was uploaded as (a user's text: shown escaped, never used as a path).
    pub source: String,
    /// Seconds since 1970 when it was added.
    pub created: u64,
    /// For a scenario (what-if), the network it was made over.
    pub base: Option<String>,
}

pub struct Workspace {
    root: PathBuf,
    /// Held while ids are chosen and folders put in place.
    lock: Mutex<()>,
}

impl Workspace {
    /// Opens (creating) the workspace at `root`, removing what interrupted writes left.
    pub fn open(root: &Path) -> anyhow::Result<Workspace> {
        std::fs::create_dir_all(root.join("networks"))?;
        let ws = Workspace {
            root: root.canonicalize()?,
            lock: Mutex::new(()),
        };
        for net in ws.network_ids() {
            let dir = ws.net_dir(&net);
            remove_leftovers(&dir);
            remove_leftovers(&dir.join("runs"));
            for run in list_ids(&dir.join("runs"), 'r') {
                remove_leftovers(&dir.join("runs").join(run));
            }
        }
        remove_leftovers(&ws.root.join("networks"));
        Ok(ws)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn net_dir(&self, id: &str) -> PathBuf {
        self.root.join("networks").join(id)
    }

    /// The ids of the networks, oldest first.
    pub fn network_ids(&self) -> Vec<String> {
        list_ids(&self.root.join("networks"), 'n')
    }

    /// The network `id`, if there is one (`id` is checked to be one of ours).
    pub fn network(&self, id: &str) -> Option<NetworkInfo> {
        if !is_id(id, 'n') {
            return None;
        }
        let dir = self.net_dir(id);
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("meta.json")).ok()?).ok()?;
        Some(NetworkInfo {
            id: id.to_owned(),
            name: meta["name"].as_str().unwrap_or(id).to_owned(),
            source: meta["source"].as_str().unwrap_or("").to_owned(),
            created: meta["created"].as_u64().unwrap_or(0),
            base: meta["base"]
                .as_str()
                .filter(|b| is_id(b, 'n'))
                .map(str::to_owned),
        })
    }

    pub fn networks(&self) -> Vec<NetworkInfo> {
        self.network_ids()
            .iter()
            .filter_map(|id| self.network(id))
            .collect()
    }

    /// The bundle directory of network `id`.
    pub fn bundle_dir(&self, id: &str) -> Option<PathBuf> {
        self.network(id).map(|_| self.net_dir(id).join("bundle"))
    }

    /// Loads network `id` with its warnings.
    pub fn load(&self, id: &str) -> Result<(Network, Vec<Diagnostic>), InvalidInput> {
        let dir = self
            .bundle_dir(id)
            .ok_or_else(|| InvalidInput(vec![Diagnostic::error("E0009", id, "no such network")]))?;
        let (net, mut warnings) = crate::input::load(&dir)?;
        warnings.extend(crate::input::validate::network_warnings(&net));
        Ok((net, warnings))
    }

    /// Adds an uploaded bundle (a workbook or a zip of a bundle directory) named
    /// `filename` by the user: its id and warnings, or why it was refused. Nothing is
    /// stored for a refused upload.
    pub fn add(&self, bytes: &[u8], filename: &str) -> Result<(String, Vec<Diagnostic>), Refused> {
        if bytes.len() > MAX_UPLOAD {
            return Err(Refused::Bad(format!(
                "the file is larger than {} MB",
                MAX_UPLOAD >> 20
            )));
        }
        let shown = display_name(filename);
        let files = if is_zipped_bundle(bytes) {
            BundleFiles::from_memory(
                &unzip_bundle(bytes)?
                    .iter()
                    .map(|(n, b)| (n.as_str(), b.as_slice()))
                    .collect::<Vec<_>>(),
            )
        } else {
            let book = workbook::read_bytes(bytes, Path::new(&shown)).map_err(Refused::Invalid)?;
            BundleFiles::of_workbook(book, Path::new(&shown))
        };
        let names: Vec<&str> = BUNDLE_FILES
            .iter()
            .copied()
            .filter(|f| files.exists(f))
            .collect();
        let contents: Vec<(String, Vec<u8>)> = names
            .iter()
            .filter_map(|n| files.get(n).ok().map(|b| (n.to_string(), b.to_vec())))
            .collect();
        let workbook = files.is_workbook();
        let (net, mut warnings) =
            crate::input::load_bundle(files).map_err(|e| Refused::Invalid(e.0))?;
        warnings.extend(crate::input::validate::network_warnings(&net));
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let id = format!("n{}", next_number(&self.network_ids()));
        let meta = serde_json::json!({
            "name": net.name,
            "source": shown,
            "created": now(),
        });
        write_dir_atomically(&self.net_dir(&id), |tmp| {
            let bundle = tmp.join("bundle");
            std::fs::create_dir(&bundle)?;
            for (name, b) in &contents {
                std::fs::write(bundle.join(name), b)?;
            }
            if workbook {
                std::fs::write(tmp.join("source.xlsx"), bytes)?;
            }
            std::fs::create_dir(tmp.join("runs"))?;
            std::fs::write(tmp.join("meta.json"), serde_json::to_vec_pretty(&meta)?)?;
            Ok(())
        })
        .map_err(|e| Refused::Bad(format!("the workspace could not store it: {e:#}")))?;
        Ok((id, warnings))
    }

    /// Adds a scenario (SPEC §5) over network `base` made of `files` (scenario.toml and
    /// CSV rows, see [`super::scenarios`]): loaded over the base's bundle with every
    /// check, then kept as a network of its own with its scenario directory and the
    /// merged bundle. Its id and warnings, or every problem (files named as the
    /// scenario's or the base's).
    pub fn add_scenario(
        &self,
        base: &str,
        files: &[(String, Vec<u8>)],
    ) -> Result<(String, Vec<Diagnostic>), Refused> {
        let base_dir = self
            .bundle_dir(base)
            .ok_or_else(|| Refused::Bad("there is no such network".into()))?;
        static CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let check = self.root.join("networks").join(format!(
            ".scenario.tmp-{}-{}",
            std::process::id(),
            CHECKS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let store =
            |e: std::io::Error| Refused::Bad(format!("the workspace could not store it: {e}"));
        std::fs::create_dir(&check).map_err(store)?;
        let loaded = files
            .iter()
            .try_for_each(|(n, b)| std::fs::write(check.join(n), b))
            .map_err(store)
            .map(|()| crate::input::scenario::load(&base_dir, &check));
        let relabel = |d: Diagnostic| -> Diagnostic {
            let file = if let Ok(rest) = Path::new(&d.file).strip_prefix(&check) {
                format!("сценарий: {}", rest.display())
            } else if let Ok(rest) = Path::new(&d.file).strip_prefix(&base_dir) {
                rest.display().to_string()
            } else {
                d.file.clone()
            };
            Diagnostic { file, ..d }
        };
        let _ = std::fs::remove_dir_all(&check);
        let scenario =
            loaded?.map_err(|e| Refused::Invalid(e.0.into_iter().map(relabel).collect()))?;
        let mut warnings: Vec<Diagnostic> = scenario.diags.into_iter().map(relabel).collect();
        warnings.extend(crate::input::validate::network_warnings(&scenario.net));
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let id = format!("n{}", next_number(&self.network_ids()));
        let meta = serde_json::json!({
            "name": scenario.name,
            "source": "",
            "base": base,
            "created": now(),
        });
        write_dir_atomically(&self.net_dir(&id), |tmp| {
            let dir = tmp.join("scenario");
            std::fs::create_dir(&dir)?;
            for (name, b) in files {
                std::fs::write(dir.join(name), b)?;
            }
            let bundle = tmp.join("bundle");
            std::fs::create_dir(&bundle)?;
            crate::input::write::write_bundle(&scenario.net, &bundle)?;
            std::fs::create_dir(tmp.join("runs"))?;
            std::fs::write(tmp.join("meta.json"), serde_json::to_vec_pretty(&meta)?)?;
            Ok(())
        })
        .map_err(|e| Refused::Bad(format!("the workspace could not store it: {e:#}")))?;
        Ok((id, warnings))
    }

    /// Removes network `id` with its plans: its folder is renamed out of the way first,
    /// so a crash leaves it either whole or gone (the hidden leftover is removed at the
    /// next start).
    pub fn remove(&self, id: &str) -> anyhow::Result<()> {
        anyhow::ensure!(self.network(id).is_some(), "there is no such network");
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let gone = self
            .root
            .join("networks")
            .join(format!(".{id}.old-{}", std::process::id()));
        std::fs::rename(self.net_dir(id), &gone)?;
        std::fs::remove_dir_all(&gone)?;
        Ok(())
    }

    /// The scenarios made over network `id`, oldest first.
    pub fn scenarios_of(&self, id: &str) -> Vec<NetworkInfo> {
        self.networks()
            .into_iter()
            .filter(|n| n.base.as_deref() == Some(id))
            .collect()
    }

    /// A scenario network's directory (SPEC §5) and the names of its files.
    pub fn scenario_dir(&self, id: &str) -> Option<PathBuf> {
        self.network(id)?.base?;
        let p = self.net_dir(id).join("scenario");
        p.is_dir().then_some(p)
    }

    /// The runs folder of network `id`.
    pub fn runs_dir(&self, id: &str) -> PathBuf {
        self.net_dir(id).join("runs")
    }

    /// Every run on disk: `(network, run)`.
    pub fn run_ids(&self) -> Vec<(String, String)> {
        self.network_ids()
            .into_iter()
            .flat_map(|n| {
                list_ids(&self.runs_dir(&n), 'r')
                    .into_iter()
                    .map(move |r| (n.clone(), r))
            })
            .collect()
    }

    /// The workbook as uploaded, if the network came as one.
    pub fn source_workbook(&self, id: &str) -> Option<PathBuf> {
        self.network(id)?;
        let p = self.net_dir(id).join("source.xlsx");
        p.is_file().then_some(p)
    }
}

/// Seconds since 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether `s` is an id of ours: `prefix` then digits.
pub fn is_id(s: &str, prefix: char) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|d| !d.is_empty() && d.len() < 12 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The ids with `prefix` among `dir`'s entries, in number order.
fn list_ids(dir: &Path, prefix: char) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|n| is_id(n, prefix))
                .collect()
        })
        .unwrap_or_default();
    ids.sort_by_key(|i| i[1..].parse::<u64>().unwrap_or(0));
    ids
}

/// One more than the largest number among `ids`.
pub fn next_number(ids: &[String]) -> u64 {
    ids.iter()
        .filter_map(|i| i[1..].parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1
}

/// Removes the hidden folders of writes that did not finish (`.NAME.tmp-PID`,
/// `.NAME.old-PID`).
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && (name.contains(".tmp-") || name.contains(".old-")) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A user's file name as shown: its last part, control characters dropped, at most 100
/// characters.
pub(super) fn display_name(filename: &str) -> String {
    let last = filename.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    if clean.trim().is_empty() {
        "upload".to_owned()
    } else {
        clean
    }
}

/// Whether `bytes` are a zip that is not a workbook (a zipped bundle directory).
pub(super) fn is_zipped_bundle(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"PK\x03\x04") {
        return false;
    }
    match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z.index_for_name("[Content_Types].xml").is_none(),
        Err(_) => false,
    }
}

/// The bundle files of a zipped bundle directory, refusing what could harm: entries
/// outside the folder (`..`, absolute paths), symlinks, more than one folder level,
/// files that are no bundle's, and archives that unpack to more than
/// [`MAX_UNZIPPED`] bytes (read, not trusted from the headers).
pub(super) fn unzip_bundle(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Refused> {
    let bad = |m: String| Refused::Bad(m);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("the zip cannot be read: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(bad(format!(
            "the zip holds {} entries; a bundle has at most {}",
            zip.len(),
            BUNDLE_FILES.len()
        )));
    }
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    let mut top: Option<String> = None;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| bad(format!("the zip cannot be read: {e}")))?;
        let raw = entry.name().to_owned();
        let shown = display_name(&raw);
        if entry.is_symlink() {
            return Err(bad(format!(
                "'{shown}' is a symbolic link; a bundle holds only files"
            )));
        }
        let absolute = raw.starts_with(['/', '\\'])
            || raw.as_bytes().get(1) == Some(&b':')
            || raw.split(['/', '\\']).any(|p| p == "..");
        let Some(path) = entry.enclosed_name().filter(|_| !absolute) else {
            return Err(bad(format!(
                "'{}' points outside the folder; the zip is refused",
                raw.chars().take(100).collect::<String>()
            )));
        };
        let parts: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if entry.is_dir() {
            if parts.len() > 1 {
                return Err(bad(format!(
                    "the zip has the folder '{shown}' inside a folder; zip the bundle's files, or one folder holding them"
                )));
            }
            continue;
        }
        let (folder, name) = match parts.as_slice() {
            [name] => (None, name.clone()),
            [folder, name] => (Some(folder.clone()), name.clone()),
            _ => {
                return Err(bad(format!(
                "'{}' lies too deep in folders; zip the bundle's files, or one folder holding them",
                parts.join("/")
            )))
            }
        };
        if folder.is_some() {
            if top.is_some() && top != folder {
                return Err(bad(
                    "the zip holds more than one folder; upload one bundle at a time".into(),
                ));
            }
            top = folder;
        }
        if DOCS.contains(&name.as_str()) || name.starts_with("._") || name == ".DS_Store" {
            continue;
        }
        if !BUNDLE_FILES.contains(&name.as_str()) {
            return Err(bad(format!(
                "'{}' is not a bundle file (they are {}); remove it from the zip",
                display_name(&name),
                BUNDLE_FILES.join(", ")
            )));
        }
        let mut data = Vec::new();
        let limit = MAX_UNZIPPED - total;
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("'{name}' cannot be unpacked: {e}")))?;
        total += data.len() as u64;
        if total > MAX_UNZIPPED {
            return Err(bad(format!(
                "the zip unpacks to more than {} MB; a bundle is far smaller",
                MAX_UNZIPPED >> 20
            )));
        }
        if out.insert(name.clone(), data).is_some() {
            return Err(bad(format!("the zip holds '{name}' twice")));
        }
    }
    if out.is_empty() {
        return Err(bad(
            "the zip holds no bundle file (network.toml, schools.csv, …)".into(),
        ));
    }
    Ok(out)
}

/// A diagnostic as JSON (SPEC §9): file or workbook, sheet, line or row, column, cell,
/// code, message, hint.
pub fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "severity": if d.is_error() { "error" } else { "warning" },
        "code": d.code,
        "file": d.file,
        "sheet": d.sheet,
        "row": d.row,
        "column": d.column,
        "cell": d.cell,
        "message": d.message,
        "hint": d.hint,
        "title_ru": crate::diag_ru::title(d.code),
        "todo_ru": crate::diag_ru::todo(d.code),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in entries {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut z, data).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn refused(bytes: &[u8]) -> String {
        match unzip_bundle(bytes) {
            Err(Refused::Bad(m)) => m,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn hostile_zips_are_refused() {
        assert!(refused(&zip_of(&[("../schools.csv", b"x")])).contains("outside"));
        assert!(refused(&zip_of(&[("/etc/schools.csv", b"x")])).contains("outside"));
        assert!(refused(&zip_of(&[("a/b/schools.csv", b"x")])).contains("too deep"));
        assert!(refused(&zip_of(&[("evil.sh", b"x")])).contains("not a bundle file"));
        assert!(
            refused(&zip_of(&[("a/schools.csv", b"x"), ("b/links.csv", b"x")]))
                .contains("more than one folder")
        );
        // A bomb: a small zip that unpacks past the limit.
        let big = vec![b'a'; (MAX_UNZIPPED as usize) + 10];
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file(
            "students.csv",
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        std::io::Write::write_all(&mut z, &big).unwrap();
        let bomb = z.finish().unwrap().into_inner();
        assert!(bomb.len() < 2 << 20, "{}", bomb.len());
        assert!(refused(&bomb).contains("unpacks to more than"));
    }

    #[test]
    fn a_zipped_folder_gives_its_bundle_files() {
        let files = unzip_bundle(&zip_of(&[
            ("district/", b""),
            ("district/schools.csv", b"id,name\n"),
            ("district/GUIDE.md", b"read me"),
        ]))
        .unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["schools.csv"]);
    }

    #[test]
    fn ids_are_ours_only() {
        assert!(is_id("n12", 'n'));
        for bad in ["n", "n1/..", "../n1", "r1", "n1a", "n-1", "n99999999999999"] {
            assert!(!is_id(bad, 'n'), "{bad}");
        }
        assert_eq!(display_name("C:\\Users\\x\\сеть.xlsx"), "сеть.xlsx");
        assert_eq!(display_name("a/b\u{0}c"), "bc");
    }
}

//! Pseudonyms for students (`profnet solve --pseudonymize`): the privacy of minors'
//! data when a plan is shared.
//!
//! Every student gets a pseudonym `STU-0001`, `STU-0002`, … The numbers are a
//! permutation of the students ordered by a keyed hash (SipHash-2-4, key derived from a
//! salt) of their id, so they are deterministic for the same bundle and salt, unique,
//! and say nothing about the id or about the order of `students.csv`. Should a real id
//! of the bundle itself look like a pseudonym, the prefix becomes `STU-X-` (then
//! `STU-XX-`, …) so that the two can never be confused.
//!
//! The mapping `pseudonym,student,school` goes to a file outside the plan directory; with
//! it, [`check_plan_dir_mapped`] checks a pseudonymised plan by mapping it back.
//!
//! Students carry no names in the model (SPEC §1 `students.csv` has none), so ids are
//! all there is to replace.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use crate::check::Violation;
use crate::model::Network;
use crate::planfile::{read_assignments, read_routes, PlanFileError, CSV_FILES, MODES};

/// The salt used when none is given.
pub const DEFAULT_SALT: &str = "profnet-pseudonyms-v1";

/// The header of the mapping file.
pub const MAPPING_HEADER: [&str; 3] = ["pseudonym", "student", "school"];

/// Fixed key for deriving the hash key from a salt.
const KDF_KEY: (u64, u64) = (0x7072_6f66_6e65_7431, 0x7073_6575_646f_6e79);

/// SipHash-2-4 of `data` under the key `(k0, k1)` (the reference algorithm; written out
/// here because std's hasher is not guaranteed stable across Rust releases, and outputs
/// must be byte-identical for the same input).
pub fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        0x736f_6d65_7073_6575 ^ k0,
        0x646f_7261_6e64_6f6d ^ k1,
        0x6c79_6765_6e65_7261 ^ k0,
        0x7465_6462_7974_6573 ^ k1,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let m = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        v[3] ^= m;
        round(&mut v);
        round(&mut v);
        v[0] ^= m;
    }
    let mut last = [0u8; 8];
    let rest = chunks.remainder();
    last[..rest.len()].copy_from_slice(rest);
    last[7] = data.len() as u8;
    let b = u64::from_le_bytes(last);
    v[3] ^= b;
    round(&mut v);
    round(&mut v);
    v[0] ^= b;
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// Whether `s` has the shape of a pseudonym: `STU-` (or `STU-X-`, `STU-XX-`, …)
/// followed by digits.
pub fn is_pseudonym(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("STU-") else {
        return false;
    };
    let digits = match rest.find('-') {
        Some(i) if rest[..i].bytes().all(|b| b == b'X') => &rest[i + 1..],
        Some(_) => return false,
        None => rest,
    };
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Characters that end a token of free text (ids contain none of them in practice).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || ",;:()[]{}\"'=".contains(c)
}

/// The pseudonyms of every student of one network.
#[derive(Clone, Debug)]
pub struct Pseudonyms {
    /// Pseudonym by student index.
    names: Vec<String>,
    /// Student index by real id.
    by_real: HashMap<String, usize>,
    /// Tokens that are also something other than a student id (another entity's id, a
    /// word of the network's name, a column name): never treated as a student id in free
    /// text.
    other: HashSet<String>,
}

impl Pseudonyms {
    /// Pseudonyms for the students of `net`, keyed by `salt`.
    pub fn new(net: &Network, salt: &str) -> Self {
        let key = |tag: &[u8]| {
            let mut d = tag.to_vec();
            d.extend_from_slice(salt.as_bytes());
            siphash24(KDF_KEY.0, KDF_KEY.1, &d)
        };
        let (k0, k1) = (key(b"k0:"), key(b"k1:"));
        let n = net.students.len();
        let mut order: Vec<(u64, &str, usize)> = net
            .students
            .iter()
            .enumerate()
            .map(|(i, s)| (siphash24(k0, k1, s.id.as_bytes()), s.id.as_str(), i))
            .collect();
        // Ties of the 64-bit hash are broken by id (unique), so ranks never collide.
        order.sort_unstable();

        let mut other: HashSet<String> = HashSet::new();
        other.extend(net.schools.iter().map(|x| x.id.clone()));
        other.extend(net.rooms.iter().map(|x| x.id.clone()));
        other.extend(net.courses.iter().map(|x| x.id.clone()));
        other.extend(net.teachers.iter().map(|x| x.id.clone()));
        other.extend(net.vehicles.iter().map(|x| x.id.clone()));
        other.extend(net.name.split(is_separator).map(str::to_string));
        // Words that appear in plan files in their own right (column names, modes): a
        // student id equal to one of them cannot be told apart in free text.
        let plan_words = CSV_FILES.iter().flat_map(|f| f.columns).chain(&MODES);
        other.extend(plan_words.map(|w| w.to_string()));

        // A prefix no id of the bundle can be mistaken for.
        let mut prefix = String::from("STU-");
        let all_ids = net.students.iter().map(|s| &s.id).chain(other.iter());
        let clashing: Vec<&String> = all_ids.filter(|id| is_pseudonym(id)).collect();
        let mut xs = 0;
        while clashing.iter().any(|id| {
            id.strip_prefix(prefix.as_str())
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        }) {
            xs += 1;
            prefix = format!("STU-{}-", "X".repeat(xs));
        }

        let width = n.to_string().len().max(4);
        let mut names = vec![String::new(); n];
        for (rank, &(_, _, i)) in order.iter().enumerate() {
            names[i] = format!("{prefix}{:0width$}", rank + 1);
        }
        let by_real = net
            .students
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Pseudonyms {
            names,
            by_real,
            other,
        }
    }

    /// The pseudonym of student `s` (an index into `net.students`).
    pub fn of(&self, s: usize) -> &str {
        &self.names[s]
    }

    /// The pseudonym of the student with real id `id`.
    pub fn of_id(&self, id: &str) -> Option<&str> {
        self.by_real.get(id).map(|&s| self.names[s].as_str())
    }

    /// The student index whose real id is `token`, when `token` in free text can only
    /// mean that student: not all digits (numbers are everywhere in a plan), not the id
    /// of anything else, not a group id.
    fn student_token(&self, token: &str) -> Option<usize> {
        let &s = self.by_real.get(token)?;
        let numeric = token.bytes().all(|b| b.is_ascii_digit());
        let group_like = token
            .strip_prefix('G')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        (!numeric && !group_like && !self.other.contains(token)).then_some(s)
    }

    /// `text` with every token that is a real student id replaced by its pseudonym
    /// (for free text: reasons, solver notes, the printed summary).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut token = String::new();
        let flush = |token: &mut String, out: &mut String| {
            let core = token.trim_end_matches(['.', '!', '?']);
            match self.student_token(core) {
                Some(s) => {
                    out.push_str(&self.names[s]);
                    out.push_str(&token[core.len()..]);
                }
                None => out.push_str(token),
            }
            token.clear();
        };
        for c in text.chars() {
            if is_separator(c) {
                flush(&mut token, &mut out);
                out.push(c);
            } else {
                token.push(c);
            }
        }
        flush(&mut token, &mut out);
        out
    }

    /// Real student ids found in `text` (see [`Pseudonyms::scrub`] for what counts).
    pub fn leaks<'t>(&self, text: &'t str) -> Vec<&'t str> {
        text.split(is_separator)
            .flat_map(|t| [t, t.trim_end_matches(['.', '!', '?'])])
            .filter(|t| self.student_token(t).is_some())
            .collect()
    }

    /// Fails when a file in `dir` holds a real student id (the last line of defence
    /// before a pseudonymised plan is put in place).
    pub fn verify_dir(&self, dir: &Path) -> anyhow::Result<()> {
        let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            if path.is_dir() {
                self.verify_dir(&path)?;
                continue;
            }
            let bytes = fs::read(&path)?;
            let text = String::from_utf8_lossy(&bytes);
            if let Some(id) = self.leaks(&text).first() {
                anyhow::bail!(
                    "a real student id ({id}) reached {} of the pseudonymised plan (a bug in \
                     profnet; nothing was written)",
                    path.file_name().unwrap_or_default().to_string_lossy()
                );
            }
        }
        Ok(())
    }

    /// The mapping file's content: `pseudonym,student,school`, sorted by pseudonym.
    pub fn mapping_csv(&self, net: &Network) -> anyhow::Result<Vec<u8>> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(MAPPING_HEADER)?;
        for s in order {
            let st = &net.students[s];
            w.write_record([
                self.names[s].as_str(),
                st.id.as_str(),
                net.schools[st.school.idx()].id.as_str(),
            ])?;
        }
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// A mapping file read back: real student id by pseudonym.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    pub real: HashMap<String, String>,
}

impl Mapping {
    /// Reads a mapping file written by `solve --pseudonymize`.
    pub fn read(path: &Path) -> Result<Mapping, String> {
        let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text);
        let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| at(&e))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        let col = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                at(&format!(
                    "not a pseudonym mapping: the header has no column '{name}' (it has: {})",
                    headers.join(",")
                ))
            })
        };
        let (pc, sc) = (col("pseudonym")?, col("student")?);
        let mut real = HashMap::new();
        let mut students = HashSet::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| at(&e))?;
            let line = rec.position().map_or(0, |p| p.line());
            let p = rec.get(pc).unwrap_or("").trim();
            let s = rec.get(sc).unwrap_or("").trim();
            if p.is_empty() && s.is_empty() {
                continue;
            }
            if p.is_empty() || s.is_empty() {
                return Err(at(&format!("line {line}: empty pseudonym or student")));
            }
            if !students.insert(s.to_string()) {
                return Err(at(&format!("line {line}: student {s} appears twice")));
            }
            if real.insert(p.to_string(), s.to_string()).is_some() {
                return Err(at(&format!("line {line}: pseudonym {p} appears twice")));
            }
        }
        Ok(Mapping { real })
    }

    /// A student of the mapping that is not in `net`, if any (the mapping then belongs
    /// to another bundle).
    pub fn foreign_student<'m>(&'m self, net: &Network) -> Option<&'m str> {
        let known: HashSet<&str> = net.students.iter().map(|s| s.id.as_str()).collect();
        let mut foreign: Vec<&str> = self
            .real
            .values()
            .map(String::as_str)
            .filter(|s| !known.contains(s))
            .collect();
        foreign.sort_unstable();
        foreign.first().copied()
    }
}

/// Whether the plan in `plan` looks pseudonymised with respect to `net`: most of the
/// students it names (in `assignments.csv` and on students' legs in `routes.csv`) are
/// unknown to `net` and have the shape of pseudonyms. Returns one of them as an example.
pub fn looks_pseudonymized(net: &Network, plan: &Path) -> Option<String> {
    let mut refs: Vec<String> = read_assignments(plan)
        .map(|a| a.into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default();
    if let Ok(Some(routes)) = read_routes(plan) {
        refs.extend(
            routes
                .into_iter()
                .filter(|l| l.role == "student")
                .map(|l| l.person),
        );
    }
    let known: HashSet<&str> = net.students.iter().map(|s| s.id.as_str()).collect();
    let pseudo: Vec<&String> = refs
        .iter()
        .filter(|s| !known.contains(s.as_str()) && is_pseudonym(s))
        .collect();
    (!pseudo.is_empty() && pseudo.len() * 2 > refs.len()).then(|| pseudo[0].clone())
}

/// Checks a pseudonymised plan against `net` (as [`crate::check::check_plan_dir`] does
/// a plain one) after mapping every student of `assignments.csv` and every student's leg
/// of `routes.csv` back to the real id. Pseudonyms the mapping does not know stay as they
/// are and are reported like any unknown id.
pub fn check_plan_dir_mapped(
    net: &Network,
    plan: &Path,
    mapping: &Mapping,
) -> Result<Vec<Violation>, PlanFileError> {
    crate::check::check_plan_dir_renamed(net, plan, &mapping.real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siphash_reference_vectors() {
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(siphash24(k0, k1, &[]), 0x726f_db47_dd0e_0e31);
        let msg: Vec<u8> = (0..15).collect();
        assert_eq!(siphash24(k0, k1, &msg), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn pseudonym_shape() {
        assert!(is_pseudonym("STU-0001"));
        assert!(is_pseudonym("STU-XX-12345"));
        assert!(!is_pseudonym("STU-"));
        assert!(!is_pseudonym("STU-A-1"));
        assert!(!is_pseudonym("P0001"));
    }
}

//! Collecting students' elective choices from the files schools send (issue 9).
//!
//! Schools send their choices in whatever shape their tools produce; [`collect`] turns
//! any number of such files into one `students.csv` (SPEC §1) plus a report that
//! accounts for every input row. Three shapes are understood, and may be mixed:
//!
//! * **wide**: one row per student, `id,school,grade[,wants],choice_1..choice_N`;
//! * **long**: one row per choice, `student,course[,rank][,school][,grade]`;
//! * **form-service exports** (Google/Yandex/Microsoft forms): a timestamp column and
//!   free-text question headers such as "Выберите первый курс" or "Choice 1"; course
//!   names typed or picked instead of ids.
//!
//! CSV files are read with [`crate::input::table`] (`,`/`;`, UTF-8 with or without BOM,
//! Windows-1251); `.xlsx` workbooks with [`crate::input::collect_xlsx`], one input per
//! sheet that holds a choice list, labelled `FILE.xlsx [SHEET]`, its lines being the
//! sheet's rows (a cell with an Excel error reads as empty and is reported on its row).
//! Column roles are recognised from their headers (see [`role_of`]);
//! course and school values are matched to ids case- and typo-tolerantly (see
//! [`Matcher`]). A student who submitted more than once keeps the latest submission
//! (by timestamp when both have one, else the later file and line); the others are
//! listed in the report.
//!
//! The report has one or more rows per input row, `file,line,student,status,kept,
//! column,value,detail`: `kept` says whether the row made it into the output (a
//! replaced duplicate did not, though its student is there from the latest one).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::diag::Diagnostic;
use crate::input::table::{self, Row, Table};

/// A school of the bundle, as collect needs it.
#[derive(Clone, Debug)]
pub struct SchoolInfo {
    pub id: String,
    pub name: String,
}

/// A course of the bundle, as collect and the form template need it.
#[derive(Clone, Debug)]
pub struct CourseInfo {
    pub id: String,
    pub name: String,
    /// `periods` cell as written (empty: 1).
    pub periods: String,
    /// Admitted grades; `None` = any.
    pub grades: Option<Vec<u32>>,
    /// `distance` cell as written.
    pub distance: bool,
    /// Other names of the course (courses.csv's optional `aliases` column: names
    /// separated by `;` or `|`), which collect matches as the name itself.
    pub aliases: Vec<String>,
}

/// What collect and the form template read from a bundle: schools, courses and the
/// network's default `wants`. Only `schools.csv`, `courses.csv` and `network.toml` are
/// read, so a bundle without students yet will do.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub schools: Vec<SchoolInfo>,
    pub courses: Vec<CourseInfo>,
    pub wants: usize,
}

impl Catalog {
    /// Reads `schools.csv`, `courses.csv` and (if present) `wants` from `network.toml`
    /// of the bundle at `bundle` (a directory or a workbook).
    pub fn read(bundle: &Path) -> Result<Catalog, Vec<Diagnostic>> {
        let files = crate::input::BundleFiles::open(bundle).map_err(|e| e.0)?;
        Self::of_files(&files).map_err(|d| files.relabel_all(d))
    }

    /// [`Catalog::read`] of a bundle's files at hand.
    #[allow(clippy::result_large_err)] // a diagnostic is built only on failure
    pub fn of_files(files: &crate::input::BundleFiles) -> Result<Catalog, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let table_of = |file: &str| {
            let (t, problems) = files
                .text(file, file)
                .and_then(|text| table::parse_table(&text, file))?;
            match problems.into_iter().next() {
                Some(first) => Err(first),
                None => Ok(t),
            }
        };
        let (schools, courses) = match (table_of("schools.csv"), table_of("courses.csv")) {
            (Ok(s), Ok(c)) => (s, c),
            (s, c) => {
                diags.extend(s.err());
                diags.extend(c.err());
                return Err(diags);
            }
        };
        let ok_s = schools.require(&["id"], &mut diags);
        let ok_c = courses.require(&["id", "name"], &mut diags);
        if !(ok_s && ok_c) {
            return Err(diags);
        }
        let schools: Vec<SchoolInfo> = schools
            .rows
            .iter()
            .filter(|r| !schools.get(r, "id").is_empty())
            .map(|r| SchoolInfo {
                id: schools.get(r, "id").to_owned(),
                name: schools.get(r, "name").to_owned(),
            })
            .collect();
        let courses: Vec<CourseInfo> = courses
            .rows
            .iter()
            .filter(|r| !courses.get(r, "id").is_empty())
            .map(|r| {
                let grades: Vec<u32> = courses
                    .get(r, "grades")
                    .split_whitespace()
                    .filter_map(|g| g.parse().ok())
                    .collect();
                CourseInfo {
                    id: courses.get(r, "id").to_owned(),
                    name: courses.get(r, "name").to_owned(),
                    periods: courses.get(r, "periods").to_owned(),
                    grades: (!grades.is_empty()).then_some(grades),
                    distance: crate::input::parse_bool(courses.get(r, "distance")).unwrap_or(false),
                    aliases: split_aliases(courses.get(r, "aliases")),
                }
            })
            .collect();
        let wants = files
            .text("network.toml", "network.toml")
            .ok()
            .and_then(|t| t.replace('\u{feff}', "").parse::<toml::Table>().ok())
            .and_then(|t| t.get("wants").and_then(|w| w.as_integer()))
            .filter(|&w| w > 0)
            .map_or(2, |w| w as usize);
        if courses.is_empty() {
            diags.push(
                Diagnostic::error("E0007", "courses.csv", "courses.csv lists no courses")
                    .hint("add the courses on offer first (id,name,…)"),
            );
            return Err(diags);
        }
        Ok(Catalog {
            schools,
            courses,
            wants,
        })
    }
}

/// The names of an `aliases` cell: separated by `;` or `|`, trimmed, empty ones left
/// out.
pub fn split_aliases(cell: &str) -> Vec<String> {
    cell.split([';', '|'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Catalog {
    /// The school `--school` names: its id, or its name as people write it (СОШ,
    /// МБОУ, «школа №», quotes, endings; see [`Matcher::schools`]). `Err` says why not.
    pub fn school_id(&self, text: &str) -> Result<String, String> {
        let m = Matcher::schools(
            self.schools
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str())),
        );
        match m.matches(text) {
            Match::Exact(i) | Match::Tolerant(i, _) => Ok(m.id(i).to_owned()),
            Match::Ambiguous(c) => {
                let ids: Vec<&str> = c.iter().map(|&i| m.id(i)).collect();
                Err(format!(
                    "'{text}' could be any of the schools {}; give the school's id",
                    ids.join(", ")
                ))
            }
            Match::None => Err(format!(
                "no school in schools.csv has the id or a name like '{text}'; give an id from schools.csv"
            )),
        }
    }
}

// ---- tolerant matching -------------------------------------------------------------

/// Lowercase, `ё`→`е`, every run of non-alphanumerics → one space, trimmed.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// The key under which two student ids are the same student: case, `ё`/`е` and runs
/// of spaces do not count.
fn student_key(id: &str) -> String {
    id.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

/// The text without its parenthesised or bracketed parts.
fn without_parens(s: &str) -> String {
    let mut depth = 0i32;
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Edit distance (insertions, deletions, substitutions, adjacent swaps) over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// Typos tolerated in a text of `len` characters.
fn tolerance(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        9..=15 => 2,
        _ => 3,
    }
}

/// How far apart two words are when they are the same allowing for a typo or an ending
/// (физика / физики), or share a stem: at least 5 letters in common at the start, and
/// at most 4 letters of ending or suffix after them on each side (беспилотники /
/// беспилотные). 0 when equal; a stem match counts the letters after the common start;
/// `None` when they are different words.
fn word_distance(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return Some(0);
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let len = la.min(lb);
    if len >= 5 {
        let d = edit_distance(a, b);
        if d <= if len >= 8 { 2 } else { 1 } {
            return Some(d);
        }
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let alphabetic = a.chars().take(common).all(char::is_alphabetic);
    (alphabetic && common >= 5 && la - common <= 4 && lb - common <= 4)
        .then(|| (la - common).max(lb - common))
}

/// Words of at least 3 letters (drops "по", "и", "в" …) and numbers ("№ 2").
fn words(s: &str) -> Vec<&str> {
    s.split(' ')
        .filter(|w| w.chars().count() >= 3 || w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// A school's name as people shorten it (input already [`normalize`]d): the kind of
/// school as its abbreviation (`средняя общеобразовательная школа`, `средней школы` →
/// `сош`; `основная …` → `оош`; `начальная …` → `нош`), and the words that only say
/// what legal form or place it is (`МБОУ`, `муниципальное бюджетное … учреждение`,
/// `школа`, `имени`, `села` …) dropped. The number stays: «Средняя школа № 2» and
/// «МБОУ "СОШ №2"» both become `сош 2`; «Богородская СОШ», «Богородская средняя
/// школа» and «МБОУ "Богородская СОШ"» `богородская сош`.
pub fn school_core(normalized: &str) -> String {
    const DROP: &[&str] = &[
        "мбоу",
        "маоу",
        "мкоу",
        "моу",
        "гбоу",
        "гаоу",
        "гкоу",
        "оу",
        "мбу",
        "чоу",
        "ано",
        "им",
        "имени",
        "с",
        "село",
        "села",
        "пос",
        "поселок",
        "поселка",
        "п",
        "д",
        "дер",
        "деревня",
        "деревни",
        "г",
        "город",
        "города",
        "района",
        "район",
        "рт",
        "no",
        "n",
    ];
    const DROP_STEMS: &[&str] = &[
        "муниципальн",
        "бюджетн",
        "автономн",
        "казенн",
        "государственн",
        "учрежден",
        "образовательн",
        "общеобразовательн",
        "школ",
        "организац",
    ];
    let tokens: Vec<&str> = normalized.split(' ').filter(|t| !t.is_empty()).collect();
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let kind = if t.starts_with("средн") {
            Some("сош")
        } else if t.starts_with("основн") {
            Some("оош")
        } else if t.starts_with("начальн") {
            Some("нош")
        } else {
            None
        };
        if let Some(kind) = kind {
            // "средняя [общеобразовательная] школа": the abbreviation.
            let mut j = i + 1;
            while j < tokens.len() && tokens[j].starts_with("общеобразовательн") {
                j += 1;
            }
            if j < tokens.len() && tokens[j].starts_with("школ") {
                out.push(kind);
                i = j + 1;
                continue;
            }
        }
        if !DROP.contains(&t) && !DROP_STEMS.iter().any(|s| t.starts_with(s)) {
            out.push(t);
        }
        i += 1;
    }
    out.join(" ")
}

/// The outcome of matching a typed value against ids and names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// The id itself or the exact name: nothing to report.
    Exact(usize),
    /// Matched tolerantly; the detail says how.
    Tolerant(usize, String),
    /// Several entries fit equally well (their indices).
    Ambiguous(Vec<usize>),
    None,
}

/// Matches typed values to the ids of a list of (id, name) entries: exact id (any case),
/// exact name (or one of its aliases), an id in the text ("Физика (PHYS)"), the name
/// without parenthesised parts or the part before a colon ("Физика (решение задач)" →
/// "Физика"), all the words of one within the other (allowing typos, endings and a
/// shared stem: «медицина» → «Основы медицины», «Беспилотники» → «Беспилотные
/// системы»; the closest wins), then edit distance. For schools
/// ([`Matcher::schools`]) names are compared as [`school_core`] has them (СОШ, МБОУ,
/// «школа №», quotes).
pub struct Matcher {
    /// One key per name (a course's aliases are further keys of the same entry).
    keys: Vec<Keys>,
    ids: Vec<String>,
    schools: bool,
}

struct Keys {
    /// The entry this key belongs to.
    owner: usize,
    id: String,
    id_norm: String,
    name_norm: String,
    core: String,
    head: String,
}

impl Matcher {
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::build(
            entries.into_iter().map(|(id, name)| (id, vec![name])),
            false,
        )
    }

    /// A matcher of entries with several names each: `(id, [name, alias, …])`.
    pub fn with_aliases<'a>(entries: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Self {
        Self::build(entries, false)
    }

    /// A matcher of schools: names compared as [`school_core`] has them.
    pub fn schools<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::build(entries.into_iter().map(|(id, name)| (id, vec![name])), true)
    }

    fn build<'a>(
        entries: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
        schools: bool,
    ) -> Self {
        let mut keys = Vec::new();
        let mut ids = Vec::new();
        for (owner, (id, names)) in entries.into_iter().enumerate() {
            ids.push(id.to_owned());
            for name in names {
                let mut core = normalize(&without_parens(name));
                let mut head = normalize(name.split([':', '—', '–']).next().unwrap_or(""));
                if schools {
                    core = school_core(&normalize(name));
                    head = school_core(&head);
                }
                keys.push(Keys {
                    owner,
                    id: id.to_owned(),
                    id_norm: normalize(id),
                    name_norm: normalize(name),
                    core,
                    head,
                });
            }
        }
        Matcher { keys, ids, schools }
    }

    fn unique(found: Vec<usize>, how: impl Fn(usize) -> Match) -> Option<Match> {
        let mut found = found;
        found.sort_unstable();
        found.dedup();
        match found.len() {
            0 => None,
            1 => Some(how(found[0])),
            _ => Some(Match::Ambiguous(found)),
        }
    }

    /// The entries (owners) with a key for which `pred` holds.
    fn find(&self, pred: impl Fn(&Keys) -> bool) -> Vec<usize> {
        self.keys
            .iter()
            .filter(|k| pred(k))
            .map(|k| k.owner)
            .collect()
    }

    pub fn matches(&self, value: &str) -> Match {
        let value = value.trim();
        let v = normalize(value);
        if v.is_empty() {
            return Match::None;
        }
        if let Some(k) = self.keys.iter().find(|e| e.id == value) {
            return Match::Exact(k.owner);
        }
        let exact = self.find(|e| !e.name_norm.is_empty() && e.name_norm == v);
        if let Some(m) = Self::unique(exact, Match::Exact) {
            return m;
        }
        let tolerant = |why: &'static str| move |i| Match::Tolerant(i, why.to_owned());
        // The id in another case: as good as the id.
        if let Some(m) = Self::unique(self.find(|e| e.id_norm == v), Match::Exact) {
            return m;
        }
        // An id among the words: "Физика (PHYS)", "PHYS — Физика".
        let tokens: Vec<&str> = v.split(' ').collect();
        let by_id: Vec<&Keys> = self
            .keys
            .iter()
            .filter(|e| e.id_norm.len() >= 2 && tokens.contains(&e.id_norm.as_str()))
            .collect();
        let owners: Vec<usize> = by_id.iter().map(|k| k.owner).collect();
        if let Some(m) = Self::unique(owners, |i| {
            let rest = normalize(&v.replacen(&normalize(&self.ids[i]), " ", 1));
            let exact = by_id
                .iter()
                .filter(|k| k.owner == i)
                .any(|e| rest.is_empty() || rest == e.name_norm || rest == e.core);
            if exact {
                Match::Exact(i)
            } else {
                Match::Tolerant(i, "the id in the text".into())
            }
        }) {
            return m;
        }
        let vc = if self.schools {
            school_core(&v)
        } else {
            normalize(&without_parens(value))
        };
        // Long free text is not a course name: no fuzzy matching (and no quadratic cost).
        if !vc.is_empty() && vc.chars().count() <= 200 {
            let core = self.find(|e| e.core == vc || e.name_norm == vc || e.head == vc);
            let why = if self.schools {
                "the name without СОШ/МБОУ/школа and such words"
            } else {
                "the name without the extra words"
            };
            if let Some(m) = Self::unique(core, tolerant(why)) {
                return m;
            }
            // All the words of the value in the name, or of the name in the value; of
            // several such names the closest (fewest letters apart) wins.
            let vw = words(&vc);
            let contained = |inner: &[&str], outer: &[&str]| -> Option<usize> {
                if inner.is_empty() {
                    return None;
                }
                inner
                    .iter()
                    .map(|w| outer.iter().filter_map(|o| word_distance(w, o)).min())
                    .sum()
            };
            let mut scored: std::collections::BTreeMap<usize, usize> = Default::default();
            for e in &self.keys {
                let ew = words(&e.core);
                let Some(d) = contained(&vw, &ew).or_else(|| contained(&ew, &vw)) else {
                    continue;
                };
                let s = scored.entry(e.owner).or_insert(d);
                *s = (*s).min(d);
            }
            if let Some(&best) = scored.values().min() {
                let tied: Vec<usize> = scored
                    .iter()
                    .filter(|(_, s)| **s == best)
                    .map(|(&o, _)| o)
                    .collect();
                return if tied.len() == 1 {
                    Match::Tolerant(tied[0], "the words of the name".into())
                } else {
                    Match::Ambiguous(tied)
                };
            }
            // Typos: the closest name within the tolerance, if it is the only one.
            let mut best: Vec<(usize, usize)> = self
                .keys
                .iter()
                .filter_map(|e| {
                    [&e.core, &e.name_norm, &e.id_norm]
                        .iter()
                        .filter(|k| !k.is_empty())
                        .map(|k| {
                            let d = edit_distance(&vc, k);
                            (d, d <= tolerance(vc.chars().count().min(k.chars().count())))
                        })
                        .filter(|&(_, ok)| ok)
                        .map(|(d, _)| d)
                        .min()
                        .map(|d| (d, e.owner))
                })
                .collect();
            best.sort_unstable();
            if let Some(&(d0, i0)) = best.first() {
                let mut tied: Vec<usize> = best
                    .iter()
                    .filter(|&&(d, _)| d == d0)
                    .map(|&(_, i)| i)
                    .collect();
                tied.sort_unstable();
                tied.dedup();
                return if tied.len() == 1 {
                    Match::Tolerant(i0, format!("a close spelling ({d0} typo(s))"))
                } else {
                    Match::Ambiguous(tied)
                };
            }
        }
        Match::None
    }

    pub fn id(&self, i: usize) -> &str {
        &self.ids[i]
    }
}

// ---- column roles ------------------------------------------------------------------

/// What a column of an input file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Id,
    /// A weaker id: a name or e-mail, used when there is no id column.
    IdName(u8),
    School,
    Grade,
    Wants,
    Timestamp,
    /// A ranked choice column (the rank: 1 = most wanted).
    Choice(u32),
    /// An unranked course column: long format, or a form's multi-select question.
    Course,
    /// The rank of a long-format row.
    Rank,
    /// The course list of a form template (`offered_*`): not student data.
    Template,
    Ignored,
}

fn has_any(h: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| h.contains(k))
}

fn word_starts(h: &str, stems: &[&str]) -> bool {
    h.split(' ').any(|w| stems.iter().any(|s| w.starts_with(s)))
}

/// The rank a choice header names: a number (`Choice 1`, `choice_2`, `1-й курс`) or an
/// ordinal word (`первый`, `second`); alternates (`запасной`, `backup`) rank last.
fn header_rank(h: &str) -> Option<u32> {
    if let Some(n) = h
        .split(|c: char| !c.is_ascii_digit())
        .find(|t| !t.is_empty())
        .and_then(|t| t.parse::<u32>().ok())
    {
        return (1..=30).contains(&n).then_some(n);
    }
    let ordinals: [(&[&str], u32); 6] = [
        (&["перв", "first", "основн", "main"], 1),
        (&["втор", "second"], 2),
        (&["трет", "third"], 3),
        (&["четверт", "fourth"], 4),
        (&["пят", "fifth"], 5),
        (&["шест", "sixth"], 6),
    ];
    for (stems, n) in ordinals {
        if word_starts(h, stems) {
            return Some(n);
        }
    }
    word_starts(h, &["запасн", "резерв", "alternat", "backup", "reserve"]).then_some(50)
}

/// The role of a column, from its header (already lowercased by the table reader).
pub fn role_of(header: &str) -> Role {
    let h = normalize(header);
    if h.is_empty() {
        return Role::Ignored;
    }
    if h.starts_with("offered") {
        return Role::Template;
    }
    if let Some(n) = h.strip_prefix("choice ").and_then(|n| n.parse().ok()) {
        return Role::Choice(n);
    }
    match h.as_str() {
        "id"
        | "student"
        | "student id"
        | "ученик"
        | "код"
        | "код ученика"
        | "id ученика"
        | "идентификатор"
        | "pupil" => return Role::Id,
        "school" | "школа" | "оо" | "school id" => return Role::School,
        "grade" | "класс" | "class" | "year" | "параллель" => return Role::Grade,
        "wants" => return Role::Wants,
        "rank"
        | "приоритет"
        | "ранг"
        | "место"
        | "порядок"
        | "order"
        | "priority"
        | "preference"
        | "номер выбора" => return Role::Rank,
        "course" | "course id" | "курс" | "предмет" | "elective" | "электив" | "course name" => {
            return Role::Course
        }
        _ => {}
    }
    if has_any(
        &h,
        &[
            "timestamp",
            "отметка времени",
            "completion time",
            "время окончания",
            "время отправки",
            "время заполнения",
            "submitted",
            "дата и время",
        ],
    ) {
        return Role::Timestamp;
    }
    if has_any(&h, &["сколько", "how many", "количество", "число курсов"])
    {
        return Role::Wants;
    }
    let course_words = [
        "choice",
        "choose",
        "course",
        "elective",
        "option",
        "prefer",
        "priorit",
        "выбор",
        "выбер",
        "курс",
        "предмет",
        "электив",
        "приоритет",
        "профил",
    ];
    if has_any(&h, &course_words) {
        return match header_rank(&h) {
            Some(n) => Role::Choice(n),
            None => Role::Course,
        };
    }
    if has_any(
        &h,
        &[
            "школ",
            "school",
            "образовательн",
            "учебное заведение",
            "организац",
        ],
    ) {
        return Role::School;
    }
    if word_starts(&h, &["класс", "grade", "class"]) {
        return Role::Grade;
    }
    if has_any(&h, &["код", "идентификатор", "student id", "номер ученика"])
    {
        return Role::Id;
    }
    if word_starts(&h, &["фио", "фамилия", "name", "имя"]) {
        return Role::IdName(1);
    }
    if has_any(&h, &["почт", "e mail", "email"]) {
        return Role::IdName(2);
    }
    if has_any(&h, &["дата", "date", "время", "time"]) && !has_any(&h, &["рожд", "birth"])
    {
        return Role::Timestamp;
    }
    Role::Ignored
}

// ---- values ------------------------------------------------------------------------

/// A grade from a cell: the first number ("10", "10А", "11 класс", "10-Б"), or a Roman
/// X / XI / IX. `None` when there is none.
pub fn parse_grade(s: &str) -> Option<u32> {
    if let Some(t) = s
        .split(|c: char| !c.is_ascii_digit())
        .find(|t| !t.is_empty())
    {
        return t.parse().ok();
    }
    let letters: String = s
        .trim()
        .chars()
        .take_while(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'х' => 'x',
            'і' => 'i',
            c => c,
        })
        .collect();
    match letters.as_str() {
        "ix" => Some(9),
        "x" => Some(10),
        "xi" => Some(11),
        _ => None,
    }
}

/// A timestamp as a sortable number (`yyyymmddhhmmss`), from the forms form services
/// write: `2026-11-23 10:15:32`, `23.11.2026 10:15:32`, `2026/11/23 10:15:32 AM GMT+3`,
/// `11/23/2026 10:15:32 PM` (month first unless the first number is above 12).
pub fn parse_timestamp(s: &str) -> Option<u64> {
    let lower = s.to_lowercase();
    let nums: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .collect();
    if nums.len() < 3 {
        return None;
    }
    let n = |i: usize| nums.get(i).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
    let (y, mo, d) = if nums[0].len() == 4 {
        (n(0), n(1), n(2))
    } else if nums[2].len() == 4 || nums[2].len() == 2 {
        let y = if nums[2].len() == 2 {
            2000 + n(2)
        } else {
            n(2)
        };
        let slash = s
            .find('/')
            .is_some_and(|p| p < s.find(' ').unwrap_or(s.len()));
        if slash && n(0) <= 12 {
            (y, n(0), n(1))
        } else {
            (y, n(1), n(0))
        }
    } else {
        return None;
    };
    let mut h = n(3);
    let (mi, sec) = (n(4), n(5));
    if lower.contains("pm") && h < 12 {
        h += 12;
    } else if lower.contains("am") && h == 12 {
        h = 0;
    }
    let valid = (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && sec < 61;
    let y = y.min(9999);
    valid.then(|| ((((y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi) * 100 + sec)
}

/// Cells that mean "nothing chosen".
fn is_blank_choice(s: &str) -> bool {
    matches!(
        normalize(s).as_str(),
        "" | "нет" | "не выбрано" | "не выбран" | "none" | "no" | "n a" | "na"
    )
}

// ---- collecting --------------------------------------------------------------------

/// One input file (or one sheet of a workbook), read.
pub struct Input {
    /// The name used in the report (usually the path as given; `FILE.xlsx [SHEET]` for
    /// a sheet).
    pub label: String,
    pub table: Table,
    /// Rows the table reader could not read (each names its line).
    pub problems: Vec<Diagnostic>,
    /// Cells of a sheet that hold an Excel error; the table has them empty.
    pub cell_errors: Vec<CellError>,
}

/// A workbook cell holding an Excel error (`#N/A`, `#REF!` …), read as empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellError {
    /// The line of the table (the sheet's 1-based row).
    pub line: usize,
    /// The index of its column in the table.
    pub column: usize,
    /// The cell, e.g. `D7`.
    pub cell: String,
    /// The error as Excel shows it, e.g. `#N/A`.
    pub error: String,
}

impl Input {
    /// Reads a file from bytes (encoding and delimiter detected). `Err` when the file as
    /// a whole cannot be read.
    // Diagnostics are the error values, as in the table reader.
    #[allow(clippy::result_large_err)]
    pub fn from_bytes(label: &str, bytes: &[u8]) -> Result<Input, Diagnostic> {
        let text = table::decode_text(bytes, label)?;
        let (table, problems) = table::parse_table(&text, label)?;
        Ok(Input {
            label: label.to_owned(),
            table,
            problems,
            cell_errors: Vec::new(),
        })
    }
}

/// One row of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    pub file: String,
    /// 1-based line of the input file.
    pub line: usize,
    pub student: String,
    pub status: &'static str,
    /// Whether this row's student is in the output (`None` for notes about a column).
    pub kept: Option<bool>,
    pub column: String,
    pub value: String,
    pub detail: String,
}

/// One student of the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutStudent {
    pub id: String,
    pub school: String,
    pub grade: u32,
    pub wants: Option<u32>,
    pub choices: Vec<String>,
}

/// How each file was understood.
#[derive(Clone, Debug)]
pub struct FileSummary {
    pub label: String,
    /// `wide`, `long` or `form`.
    pub shape: &'static str,
    pub rows: usize,
    /// Header → role, for the columns that were used.
    pub columns: Vec<(String, String)>,
}

/// The result of [`collect`].
#[derive(Clone, Debug)]
pub struct Collected {
    pub students: Vec<OutStudent>,
    pub report: Vec<ReportRow>,
    pub files: Vec<FileSummary>,
    /// Files that could not be understood or gave no student (each also has a row
    /// of its own in the report, line 0): the others are merged all the same.
    pub failed: Vec<Unrecognised>,
}

/// Why a file could not be understood, or gave no student.
#[derive(Clone, Debug)]
pub struct Unrecognised {
    pub file: String,
    /// The report's status for it: `unrecognised` (no id or choice column),
    /// `no_students` (read, but not one student came out of it) or `unreadable` (not
    /// a file collect can read at all).
    pub status: &'static str,
    pub message: String,
}

/// What `profnet collect` is told besides the files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The school (an id of schools.csv) of every row whose school cell is empty or
    /// whose file has no school column; it takes the place of a school the file name
    /// names. See [`Catalog::school_id`] for turning `--school ID|NAME` into one.
    pub school: Option<String>,
}

struct Choice {
    rank: (u32, usize),
    line: usize,
    column: String,
    value: String,
}

/// One student's submission: a wide row, or the rows of one student in a long file.
struct Submission {
    file: usize,
    /// The id is a name or an e-mail (no id column): two rows with the same one may be
    /// namesakes.
    by_name: bool,
    lines: Vec<usize>,
    id: String,
    school: String,
    school_column: String,
    grade: String,
    grade_column: String,
    wants: String,
    timestamp: Option<u64>,
    timestamp_raw: String,
    choices: Vec<Choice>,
    issues: Vec<Issue>,
}

struct Issue {
    line: usize,
    status: &'static str,
    column: String,
    value: String,
    detail: String,
}

impl Submission {
    fn issue(
        &mut self,
        line: usize,
        status: &'static str,
        column: &str,
        value: &str,
        detail: String,
    ) {
        self.issues.push(Issue {
            line,
            status,
            column: column.to_owned(),
            value: value.to_owned(),
            detail,
        });
    }
}

struct Columns {
    id: Option<usize>,
    school: Option<usize>,
    grade: Option<usize>,
    wants: Option<usize>,
    timestamp: Option<usize>,
    rank: Option<usize>,
    /// (rank key, column index), sorted.
    choices: Vec<((u32, usize), usize)>,
    long: bool,
}

fn first_of(roles: &[Role], want: impl Fn(Role) -> bool) -> Option<usize> {
    roles.iter().position(|&r| want(r))
}

/// Works out the columns of a file; `Err` when it has no student ids or no choices.
fn columns(t: &Table, label: &str, notes: &mut Vec<ReportRow>) -> Result<Columns, Unrecognised> {
    let roles: Vec<Role> = t.headers.iter().map(|h| role_of(h)).collect();
    let id = first_of(&roles, |r| r == Role::Id)
        .or_else(|| first_of(&roles, |r| r == Role::IdName(1)))
        .or_else(|| first_of(&roles, |r| r == Role::IdName(2)));
    let ranked: Vec<((u32, usize), usize)> = {
        let mut v: Vec<_> = roles
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r {
                Role::Choice(n) => Some(((*n, i), i)),
                _ => None,
            })
            .collect();
        v.sort();
        v
    };
    let course = first_of(&roles, |r| r == Role::Course);
    let rank = first_of(&roles, |r| r == Role::Rank);
    let timestamp = first_of(&roles, |r| r == Role::Timestamp);
    // A form export has one row per submission: never long.
    let long = ranked.is_empty()
        && course.is_some()
        && (rank.is_some()
            || timestamp.is_none() && {
                // A course column without ranks: long format when ids repeat, else a form's
                // multi-select question (one cell per student, split on commas).
                let mut seen = std::collections::HashSet::new();
                id.is_some_and(|c| {
                    t.rows
                        .iter()
                        .any(|r| !r.cells[c].is_empty() && !seen.insert(student_key(&r.cells[c])))
                })
            });
    let mut choices = ranked;
    // Unranked course columns of a form come after the ranked ones.
    for (i, r) in roles.iter().enumerate() {
        if *r == Role::Course && !long {
            choices.push(((100, i), i));
        }
    }
    let cols = Columns {
        id,
        school: first_of(&roles, |r| r == Role::School),
        grade: first_of(&roles, |r| r == Role::Grade),
        wants: first_of(&roles, |r| r == Role::Wants),
        timestamp,
        rank: if long { rank } else { None },
        choices: if long {
            course.map(|c| vec![((0, c), c)]).unwrap_or_default()
        } else {
            choices
        },
        long,
    };
    let headers = || t.headers.join(", ");
    if cols.id.is_none() {
        return Err(Unrecognised {
            file: label.to_owned(),
            status: "unrecognised",
            message: format!(
                "no column with student ids (looked for id, student, код ученика, ФИО, e-mail …); the header has: {}",
                headers()
            ),
        });
    }
    if cols.choices.is_empty() {
        return Err(Unrecognised {
            file: label.to_owned(),
            status: "unrecognised",
            message: format!(
                "no column with course choices (looked for choice_1…, course, \"Выберите первый курс\", \"Choice 1\" …); the header has: {}",
                headers()
            ),
        });
    }
    let used: Vec<usize> = [
        cols.id,
        cols.school,
        cols.grade,
        cols.wants,
        cols.timestamp,
        cols.rank,
    ]
    .into_iter()
    .flatten()
    .chain(cols.choices.iter().map(|&(_, c)| c))
    .collect();
    for (i, h) in t.headers.iter().enumerate() {
        if used.contains(&i) || roles[i] == Role::Template || h.is_empty() {
            continue;
        }
        let why = match roles[i] {
            Role::Id | Role::IdName(_) => "another column holds the student ids",
            Role::School | Role::Grade | Role::Wants | Role::Timestamp | Role::Rank => {
                "an earlier column has the same role"
            }
            _ => "not a column collect reads",
        };
        notes.push(ReportRow {
            file: label.to_owned(),
            line: t.header_line,
            student: String::new(),
            status: "ignored_column",
            kept: None,
            column: h.clone(),
            value: String::new(),
            detail: format!("column '{h}' is ignored: {why}"),
        });
    }
    Ok(cols)
}

fn cell(row: &Row, c: Option<usize>) -> &str {
    c.and_then(|c| row.cells.get(c)).map_or("", String::as_str)
}

/// The file and the sheet of a workbook sheet's label, `FILE.xlsx [SHEET]` (a sheet's
/// name cannot hold `[` or `]`).
fn sheet_of_label(label: &str) -> Option<(&str, &str)> {
    label.strip_suffix(']')?.rsplit_once(" [")
}

/// The school a file name names: a word of the file's name that is a school id, else
/// a part of it that is a school's name («Кощаковская СОШ - выбор курсов.csv»: parts
/// are split at ` - `, `_`, `—`, brackets and commas; the whole name last), if exactly
/// one school fits; for a sheet of a workbook, the sheet's name first, then the file's.
fn school_of_file(label: &str, catalog: &Catalog, schools: &Matcher) -> Option<String> {
    if let Some((file, sheet)) = sheet_of_label(label) {
        return school_named(sheet, catalog, schools)
            .or_else(|| school_of_file(file, catalog, schools));
    }
    let stem = Path::new(label).file_stem()?.to_string_lossy().into_owned();
    school_named(&stem, catalog, schools)
}

/// The school id among the words of `text`, if exactly one is; else the school whose
/// name a part of `text` (or the whole) is, if exactly one.
fn school_named(text: &str, catalog: &Catalog, schools: &Matcher) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let found: Vec<&SchoolInfo> = catalog
        .schools
        .iter()
        .filter(|s| words.contains(&s.id.to_lowercase().as_str()))
        .collect();
    if found.len() == 1 {
        return Some(found[0].id.clone());
    }
    if !found.is_empty() {
        return None;
    }
    let parts = text
        .split(" - ")
        .flat_map(|p| p.split(['_', '—', '–', '(', ')', '[', ']', ',']))
        .map(str::trim)
        .filter(|p| p.chars().any(char::is_alphabetic));
    let mut ids: Vec<String> = parts
        .filter_map(|p| match schools.matches(p) {
            Match::Exact(i) | Match::Tolerant(i, _) => Some(schools.id(i).to_owned()),
            _ => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    match ids.len() {
        1 => ids.pop(),
        0 => match schools.matches(text) {
            Match::Exact(i) | Match::Tolerant(i, _) => Some(schools.id(i).to_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// Reads the submissions of one file.
fn submissions(
    fi: usize,
    input: &Input,
    cols: &Columns,
    (default_school, default_from): (&str, &str),
    by_name: bool,
) -> Vec<Submission> {
    let t = &input.table;
    let make = |row: &Row| {
        let ts_raw = cell(row, cols.timestamp).to_owned();
        Submission {
            file: fi,
            by_name,
            lines: vec![row.line],
            id: cell(row, cols.id).to_owned(),
            school: match cell(row, cols.school) {
                "" => default_school.to_owned(),
                s => s.to_owned(),
            },
            school_column: match cols.school {
                Some(c) if !cell(row, Some(c)).is_empty() => t.headers[c].clone(),
                _ if !default_school.is_empty() => default_from.to_owned(),
                Some(c) => t.headers[c].clone(),
                None => "(file name)".into(),
            },
            grade: cell(row, cols.grade).to_owned(),
            grade_column: cols.grade.map_or("grade".into(), |c| t.headers[c].clone()),
            wants: cell(row, cols.wants).to_owned(),
            timestamp: parse_timestamp(&ts_raw),
            timestamp_raw: ts_raw,
            choices: Vec::new(),
            issues: Vec::new(),
        }
    };
    let mut out: Vec<Submission> = Vec::new();
    if cols.long {
        let course = cols.choices[0].1;
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for row in &t.rows {
            let id = cell(row, cols.id);
            let key = student_key(id);
            let idx = if key.is_empty() {
                out.push(make(row));
                out.len() - 1
            } else if let Some(&i) = by_id.get(&key) {
                let s = &mut out[i];
                s.lines.push(row.line);
                for (field, col, name) in [
                    (0, cols.school, "school"),
                    (1, cols.grade, "grade"),
                    (2, cols.wants, "wants"),
                ] {
                    let v = cell(row, col);
                    let have = match field {
                        0 => &mut s.school,
                        1 => &mut s.grade,
                        _ => &mut s.wants,
                    };
                    if v.is_empty() || normalize(v) == normalize(have) {
                        continue;
                    }
                    if have.is_empty() || (field == 0 && *have == default_school) {
                        *have = v.to_owned();
                    } else {
                        let kept = have.clone();
                        let column = col.map_or(name.to_owned(), |c| t.headers[c].clone());
                        s.issue(
                            row.line,
                            "conflict",
                            &column,
                            v,
                            format!("an earlier row of this student says '{kept}'; that counts"),
                        );
                    }
                }
                let ts = cell(row, cols.timestamp);
                if let Some(x) = parse_timestamp(ts) {
                    if s.timestamp.is_none_or(|y| x > y) {
                        s.timestamp = Some(x);
                        s.timestamp_raw = ts.to_owned();
                    }
                }
                i
            } else {
                out.push(make(row));
                by_id.insert(key, out.len() - 1);
                out.len() - 1
            };
            let s = &mut out[idx];
            let value = row.cells[course].clone();
            let rank_raw = cell(row, cols.rank);
            let rank = if rank_raw.is_empty() {
                u32::MAX - 1
            } else if let Some(r) = parse_grade(rank_raw).filter(|&r| r > 0) {
                r
            } else {
                let col = t.headers[cols.rank.unwrap_or(course)].clone();
                s.issue(
                    row.line,
                    "bad_rank",
                    &col,
                    rank_raw,
                    "the rank is not a number; the choice is put after the ranked ones, in row order".into(),
                );
                u32::MAX
            };
            s.choices.push(Choice {
                rank: (rank, row.line),
                line: row.line,
                column: t.headers[course].clone(),
                value,
            });
        }
    } else {
        for row in &t.rows {
            let mut s = make(row);
            for &(rank, c) in &cols.choices {
                s.choices.push(Choice {
                    rank,
                    line: row.line,
                    column: t.headers[c].clone(),
                    value: row.cells[c].clone(),
                });
            }
            out.push(s);
        }
    }
    for s in &mut out {
        s.choices.sort_by_key(|c| c.rank);
    }
    out
}

/// Merges the inputs into one list of students and a report; `Err` names the files
/// whose columns could not be understood (nothing is merged then). [`collect_with`]
/// merges the others all the same.
pub fn collect(catalog: &Catalog, inputs: &[Input]) -> Result<Collected, Vec<Unrecognised>> {
    let c = collect_with(catalog, inputs, &Options::default());
    let bad: Vec<Unrecognised> = c
        .failed
        .iter()
        .filter(|f| f.status == "unrecognised")
        .cloned()
        .collect();
    if bad.is_empty() {
        Ok(c)
    } else {
        Err(bad)
    }
}

/// Merges the inputs into one list of students and a report. A file whose columns
/// cannot be understood, or from which not one student comes, is in
/// [`Collected::failed`] (and in the report); the other files are merged all the same.
pub fn collect_with(catalog: &Catalog, inputs: &[Input], opts: &Options) -> Collected {
    let courses = Matcher::with_aliases(catalog.courses.iter().map(|c| {
        let mut names = vec![c.name.as_str()];
        names.extend(c.aliases.iter().map(String::as_str));
        (c.id.as_str(), names)
    }));
    let schools = Matcher::schools(
        catalog
            .schools
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str())),
    );
    let mut report = Vec::new();
    let mut subs: Vec<Submission> = Vec::new();
    let mut bad = Vec::new();
    let mut readable = vec![false; inputs.len()];
    let mut files = Vec::new();
    for (fi, input) in inputs.iter().enumerate() {
        for d in &input.problems {
            report.push(ReportRow {
                file: input.label.clone(),
                line: d.row.unwrap_or(0),
                student: String::new(),
                status: "unreadable",
                kept: Some(false),
                column: String::new(),
                value: String::new(),
                detail: format!("{} — {}", d.message, d.hint),
            });
        }
        let cols = match columns(&input.table, &input.label, &mut report) {
            Ok(c) => c,
            Err(e) => {
                bad.push(e);
                continue;
            }
        };
        readable[fi] = true;
        let t = &input.table;
        let role =
            |c: Option<usize>, name: &str| c.map(|c| (t.headers[c].clone(), name.to_owned()));
        let by_name = cols
            .id
            .is_some_and(|c| matches!(role_of(&t.headers[c]), Role::IdName(_)));
        let id_label = if by_name {
            "student id (names or e-mails: personal data, replace them by codes before sharing)"
        } else {
            "student id"
        };
        let mut used: Vec<(String, String)> = [
            role(cols.id, id_label),
            role(cols.school, "school"),
            role(cols.grade, "grade"),
            role(cols.wants, "wants"),
            role(cols.timestamp, "timestamp"),
            role(cols.rank, "rank"),
        ]
        .into_iter()
        .flatten()
        .collect();
        for (k, &(_, c)) in cols.choices.iter().enumerate() {
            let what = if cols.long {
                "course".to_owned()
            } else {
                format!("choice {}", k + 1)
            };
            used.push((t.headers[c].clone(), what));
        }
        files.push(FileSummary {
            label: input.label.clone(),
            shape: if cols.long {
                "long"
            } else if cols.timestamp.is_some() {
                "form"
            } else {
                "wide"
            },
            rows: t.rows.len(),
            columns: used,
        });
        // For rows whose school cell is empty, or files without one: --school, else
        // the school the file's name names.
        let default_school = match &opts.school {
            Some(id) => (id.clone(), "(--school)"),
            None => (
                school_of_file(&input.label, catalog, &schools).unwrap_or_default(),
                "(file name)",
            ),
        };
        let first = subs.len();
        subs.extend(submissions(
            fi,
            input,
            &cols,
            (&default_school.0, default_school.1),
            by_name,
        ));
        cell_errors(input, &cols, &mut subs[first..], &mut report);
    }

    // Check each submission: id, school, grade, wants, choices.
    let mut usable: Vec<Option<OutStudent>> = Vec::with_capacity(subs.len());
    for s in &mut subs {
        let line = s.lines[0];
        let nonempty = s.choices.iter().any(|c| !c.value.is_empty());
        if s.id.is_empty() {
            let (status, detail) = if nonempty || !s.grade.is_empty() {
                (
                    "no_id",
                    "the row has no student id; fill it in and collect again",
                )
            } else {
                ("empty", "no student in this row (an unused template row)")
            };
            for &l in &s.lines.clone() {
                s.issue(l, status, "", "", detail.into());
            }
            usable.push(None);
            continue;
        }
        let mut ok = true;
        let school = match schools.matches(&s.school) {
            _ if s.school.is_empty() => {
                let (col, school) = (s.school_column.clone(), s.school.clone());
                s.issue(
                    line,
                    "unknown_school",
                    &col,
                    &school,
                    "no school given: the cell is empty, and neither the file name nor \
                     --school names a school — put the school's id or name in the file \
                     name (e.g. «S01 - выбор курсов.csv»), add a school column, or run \
                     collect with --school ID"
                        .into(),
                );
                ok = false;
                None
            }
            Match::Exact(i) => Some(schools.id(i).to_owned()),
            Match::Tolerant(i, how) => {
                let (col, school) = (s.school_column.clone(), s.school.clone());
                let id = schools.id(i).to_owned();
                s.issue(
                    line,
                    "matched",
                    &col,
                    &school,
                    format!("read as school {id} (by {how})"),
                );
                Some(id)
            }
            Match::Ambiguous(c) => {
                let (col, school) = (s.school_column.clone(), s.school.clone());
                let ids: Vec<&str> = c.iter().map(|&i| schools.id(i)).collect();
                s.issue(
                    line,
                    "unknown_school",
                    &col,
                    &school,
                    format!("could be any of {}; write the school id", ids.join(", ")),
                );
                ok = false;
                None
            }
            Match::None => {
                let (col, school) = (s.school_column.clone(), s.school.clone());
                s.issue(
                    line,
                    "unknown_school",
                    &col,
                    &school,
                    "no such school in schools.csv; write a school id from schools.csv".into(),
                );
                ok = false;
                None
            }
        };
        let grade = match parse_grade(&s.grade) {
            Some(g) if (1..=11).contains(&g) => Some(g),
            _ => {
                let (col, grade) = (s.grade_column.clone(), s.grade.clone());
                let why = if grade.is_empty() {
                    "the grade is missing".to_owned()
                } else {
                    format!("'{grade}' is not a school grade (1–11)")
                };
                s.issue(
                    line,
                    "bad_grade",
                    &col,
                    &grade,
                    format!("{why}; write the grade as a number, e.g. 10"),
                );
                ok = false;
                None
            }
        };
        let wants = match s.wants.trim() {
            "" => None,
            w => {
                match parse_grade(w) {
                    Some(n) if n > 0 => Some(n),
                    _ => {
                        let w = w.to_owned();
                        s.issue(line, "bad_wants", "wants", &w,
                        "not a positive whole number; left empty (network.toml's wants applies)".into());
                        None
                    }
                }
            }
        };
        let mut chosen: Vec<String> = Vec::new();
        let choices = std::mem::take(&mut s.choices);
        for c in &choices {
            if is_blank_choice(&c.value) {
                continue;
            }
            // The whole cell first; a cell with commas (a form's multi-select answer)
            // is read as its parts unless the whole is a name, or a part is unknown
            // where the whole was matched.
            let whole = courses.matches(&c.value);
            let split: Vec<(String, Match)> =
                if c.value.contains([',', ';', '\n']) && !matches!(whole, Match::Exact(_)) {
                    c.value
                        .split([',', ';', '\n'])
                        .map(str::trim)
                        .filter(|p| !is_blank_choice(p))
                        .map(|p| (p.to_owned(), courses.matches(p)))
                        .collect()
                } else {
                    Vec::new()
                };
            let all_found = split
                .iter()
                .all(|(_, m)| matches!(m, Match::Exact(_) | Match::Tolerant(..)));
            let parts = if !split.is_empty() && (all_found || !matches!(whole, Match::Tolerant(..)))
            {
                split
            } else {
                vec![(c.value.clone(), whole)]
            };
            for (value, m) in parts {
                let idx = match m {
                    Match::Exact(i) => i,
                    Match::Tolerant(i, how) => {
                        let cc = &catalog.courses[i];
                        s.issue(
                            c.line,
                            "matched",
                            &c.column,
                            &value,
                            format!("read as {} ({}) by {how}", cc.id, cc.name),
                        );
                        i
                    }
                    Match::Ambiguous(list) => {
                        let names: Vec<String> = list
                            .iter()
                            .map(|&i| {
                                format!("{} ({})", catalog.courses[i].id, catalog.courses[i].name)
                            })
                            .collect();
                        s.issue(
                            c.line,
                            "ambiguous",
                            &c.column,
                            &value,
                            format!(
                                "could be {}; the choice is left out — write the course id",
                                names.join(" or ")
                            ),
                        );
                        continue;
                    }
                    Match::None => {
                        s.issue(c.line, "unmatched", &c.column, &value,
                            "no course in courses.csv has this id or a name like it; the choice is left out".into());
                        continue;
                    }
                };
                let course = &catalog.courses[idx];
                if chosen.contains(&course.id) {
                    s.issue(
                        c.line,
                        "repeated",
                        &c.column,
                        &value,
                        format!(
                            "{} is already an earlier choice; the repeat is left out",
                            course.id
                        ),
                    );
                    continue;
                }
                if let (Some(g), Some(gs)) = (grade, &course.grades) {
                    if !gs.contains(&g) {
                        let list: Vec<String> = gs.iter().map(u32::to_string).collect();
                        s.issue(c.line, "grade_excluded", &c.column, &value,
                            format!("{} is only for grade(s) {}, the student is in grade {g}; kept, but it cannot be granted", course.id, list.join(" ")));
                    }
                }
                chosen.push(course.id.clone());
            }
        }
        s.choices = choices;
        if ok && chosen.is_empty() {
            s.issue(
                line,
                "no_choices",
                "",
                "",
                "no usable choice; the student is written without choices".into(),
            );
        }
        usable.push(match (ok, school, grade) {
            (true, Some(school), Some(grade)) => Some(OutStudent {
                id: s.id.clone(),
                school,
                grade,
                wants,
                choices: chosen,
            }),
            _ => None,
        });
    }

    // Duplicates among usable submissions: the latest wins.
    let later = |a: &Submission, b: &Submission| -> bool {
        // Is a later than b?
        match (a.timestamp, b.timestamp) {
            (Some(x), Some(y)) if x != y => x > y,
            _ => (a.file, a.lines[0]) > (b.file, b.lines[0]),
        }
    };
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, u) in usable.iter().enumerate() {
        if u.is_some() {
            groups.entry(student_key(&subs[i].id)).or_default().push(i);
        }
    }
    let mut replaced: Vec<Option<usize>> = vec![None; subs.len()];
    let mut group_list: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    group_list.sort();
    // Namesakes: where the ids are names (or e-mails), rows of one name with another
    // school or grade are other students. They are kept apart (the later ones' ids get
    // their school and grade) and reported, for a person to decide.
    let mut split: Vec<Vec<usize>> = Vec::new();
    for g in group_list {
        let places: Vec<(String, u32)> = g
            .iter()
            .map(|&i| {
                usable[i]
                    .as_ref()
                    .map(|u| (u.school.clone(), u.grade))
                    .unwrap_or_default()
            })
            .collect();
        let place = |i: usize| places[g.iter().position(|&x| x == i).unwrap_or(0)].clone();
        if !g.iter().all(|&i| subs[i].by_name) {
            split.push(g);
            continue;
        }
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        for &i in &g {
            match clusters.iter_mut().find(|c| place(c[0]) == place(i)) {
                Some(c) => c.push(i),
                None => clusters.push(vec![i]),
            }
        }
        if clusters.len() > 1 {
            let name = subs[g[0]].id.clone();
            let mut ids: Vec<String> = Vec::new();
            for (k, c) in clusters.iter().enumerate() {
                let (school, grade) = place(c[0]);
                let id = if k == 0 {
                    name.clone()
                } else {
                    format!("{name} ({school}, {grade})")
                };
                for &i in c {
                    subs[i].id = id.clone();
                    if let Some(u) = usable[i].as_mut() {
                        u.id = id.clone();
                    }
                }
                ids.push(format!("'{id}' ({})", where_(&subs[c[0]], inputs)));
            }
            let detail = format!(
                "{} students named '{name}' with different schools or grades: kept apart as {}; \
                 if they are one student, delete the wrong row — better, give every student a \
                 code (an id column) instead of the name",
                clusters.len(),
                ids.join(" and ")
            );
            for c in &clusters {
                for &i in c {
                    let l = subs[i].lines[0];
                    subs[i].issue(l, "namesake", "", "", detail.clone());
                }
            }
        }
        split.extend(clusters.into_iter().filter(|c| c.len() > 1));
    }
    for g in &split {
        let mut winner = g[0];
        for &i in &g[1..] {
            if later(&subs[i], &subs[winner]) {
                winner = i;
            }
        }
        for &i in g {
            if i != winner {
                replaced[i] = Some(winner);
            }
        }
        let others: Vec<String> = g
            .iter()
            .filter(|&&i| i != winner)
            .map(|&i| where_(&subs[i], inputs))
            .collect();
        let by_name = if subs[winner].by_name {
            "; the ids are names: if these are two students of the same name, give them \
             codes (an id column) and collect again"
        } else {
            ""
        };
        let detail = format!(
            "the latest of {} submissions{}; replaces {}{by_name}",
            g.len(),
            stamp(&subs[winner]),
            others.join(", ")
        );
        let l = subs[winner].lines[0];
        subs[winner].issue(l, "latest", "", "", detail);
    }
    for i in 0..subs.len() {
        if let Some(w) = replaced[i] {
            let detail = format!(
                "an earlier submission{}, replaced by {}{}",
                stamp(&subs[i]),
                where_(&subs[w], inputs),
                stamp(&subs[w])
            );
            // What the replaced submission said no longer matters.
            subs[i].issues.clear();
            for l in subs[i].lines.clone() {
                subs[i].issue(l, "duplicate", "", "", detail.clone());
            }
            usable[i] = None;
        }
        if !subs[i].timestamp_raw.is_empty() && subs[i].timestamp.is_none() {
            let (l, raw) = (subs[i].lines[0], subs[i].timestamp_raw.clone());
            subs[i].issue(l, "bad_timestamp", "timestamp", &raw,
                "not a date and time profnet can read; duplicates of this student are ordered by file and line".into());
        }
    }

    // The report: every line of every submission, its issues or `ok`.
    for (i, s) in subs.iter().enumerate() {
        let kept = usable[i].is_some();
        let file = &inputs[s.file].label;
        for &l in &s.lines {
            let mine: Vec<&Issue> = s.issues.iter().filter(|x| x.line == l).collect();
            if mine.is_empty() {
                report.push(ReportRow {
                    file: file.clone(),
                    line: l,
                    student: s.id.clone(),
                    status: "ok",
                    kept: Some(kept),
                    column: String::new(),
                    value: String::new(),
                    detail: String::new(),
                });
            }
            for x in mine {
                report.push(ReportRow {
                    file: file.clone(),
                    line: l,
                    student: s.id.clone(),
                    status: x.status,
                    kept: Some(kept),
                    column: x.column.clone(),
                    value: x.value.clone(),
                    detail: x.detail.clone(),
                });
            }
        }
    }
    // A file read but yielding no student is an error of its own: nothing of it may
    // vanish quietly. (A submission replaced by a later one of the same student still
    // yields that student.)
    for (fi, input) in inputs.iter().enumerate() {
        if !readable[fi] {
            continue;
        }
        let mine: Vec<usize> = (0..subs.len()).filter(|&i| subs[i].file == fi).collect();
        if mine
            .iter()
            .any(|&i| usable[i].is_some() || replaced[i].is_some())
        {
            continue;
        }
        let mut why: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &mine {
            for x in &subs[i].issues {
                if !matches!(x.status, "matched" | "ok") {
                    *why.entry(x.status).or_default() += 1;
                }
            }
        }
        let why: Vec<String> = why.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let hint = if subs
            .iter()
            .any(|x| x.file == fi && x.issues.iter().any(|i| i.status == "unknown_school"))
        {
            " — name the school: in a school column, in the file name (its id or name), \
             or with --school ID"
        } else {
            " — see this file's rows in the report"
        };
        bad.push(Unrecognised {
            file: input.label.clone(),
            status: "no_students",
            message: format!(
                "not one student came out of this file ({} row(s){}){hint}",
                input.table.rows.len(),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {}", why.join(", "))
                }
            ),
        });
    }
    for b in &bad {
        report.push(ReportRow {
            file: b.file.clone(),
            line: 0,
            student: String::new(),
            status: b.status,
            kept: Some(false),
            column: String::new(),
            value: String::new(),
            detail: b.message.clone(),
        });
    }
    let order: HashMap<&str, usize> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| (x.label.as_str(), i))
        .collect();
    report.sort_by_key(|r| (order.get(r.file.as_str()).copied().unwrap_or(0), r.line));
    let students = usable.into_iter().flatten().collect();
    Collected {
        students,
        report,
        files,
        failed: bad,
    }
}

/// Reports the Excel errors of an input: on the submission of the row when the cell
/// is in a column collect reads, as a note of its own when the row is the header or
/// was left out.
fn cell_errors(
    input: &Input,
    cols: &Columns,
    subs: &mut [Submission],
    report: &mut Vec<ReportRow>,
) {
    let t = &input.table;
    let used: Vec<usize> = [
        cols.id,
        cols.school,
        cols.grade,
        cols.wants,
        cols.timestamp,
        cols.rank,
    ]
    .into_iter()
    .flatten()
    .chain(cols.choices.iter().map(|&(_, c)| c))
    .collect();
    for e in &input.cell_errors {
        let header = t.headers.get(e.column).cloned().unwrap_or_default();
        let detail = format!(
            "the cell {} holds the Excel error {}; it is read as empty — fix the formula or \
             type the value, then collect again",
            e.cell, e.error
        );
        if e.line > t.header_line && !used.contains(&e.column) {
            continue; // a column collect does not read (already noted as ignored)
        }
        match subs.iter_mut().find(|s| s.lines.contains(&e.line)) {
            Some(s) => s.issue(e.line, "excel_error", &header, &e.error, detail),
            None => report.push(ReportRow {
                file: input.label.clone(),
                line: e.line,
                student: String::new(),
                status: "excel_error",
                kept: (e.line > t.header_line).then_some(false),
                column: header,
                value: e.error.clone(),
                detail,
            }),
        }
    }
}

fn where_(s: &Submission, inputs: &[Input]) -> String {
    let label = &inputs[s.file].label;
    let what = if sheet_of_label(label).is_some() {
        "row"
    } else {
        "line"
    };
    format!("{label} {what} {}", s.lines[0])
}

fn stamp(s: &Submission) -> String {
    if s.timestamp_raw.is_empty() {
        String::new()
    } else {
        format!(" ({})", s.timestamp_raw)
    }
}

impl Collected {
    /// `students.csv` (SPEC §1): `id,school,grade[,wants],choice_1..choice_N`, `,`
    /// separated UTF-8, N the most choices any student has (at least 1).
    pub fn students_csv(&self) -> String {
        let n = self
            .students
            .iter()
            .map(|s| s.choices.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let wants = self.students.iter().any(|s| s.wants.is_some());
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["id".to_owned(), "school".into(), "grade".into()];
        if wants {
            header.push("wants".into());
        }
        header.extend((1..=n).map(|k| format!("choice_{k}")));
        let _ = w.write_record(&header);
        for s in &self.students {
            let mut rec = vec![s.id.clone(), s.school.clone(), s.grade.to_string()];
            if wants {
                rec.push(s.wants.map(|x| x.to_string()).unwrap_or_default());
            }
            rec.extend((0..n).map(|k| s.choices.get(k).cloned().unwrap_or_default()));
            let _ = w.write_record(&rec);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The report: `file,line,student,status,kept,column,value,detail`.
    pub fn report_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "file", "line", "student", "status", "kept", "column", "value", "detail",
        ]);
        for r in &self.report {
            let kept = match r.kept {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            };
            let line = r.line.to_string();
            let _ = w.write_record([
                r.file.as_str(),
                &line,
                &r.student,
                r.status,
                kept,
                &r.column,
                &r.value,
                &r.detail,
            ]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Records a file that could not be read at all (status `unreadable`): in
    /// [`Collected::failed`] and as a report row of its own.
    pub fn add_unreadable(&mut self, file: &str, message: String) {
        self.report.push(ReportRow {
            file: file.to_owned(),
            line: 0,
            student: String::new(),
            status: "unreadable",
            kept: Some(false),
            column: String::new(),
            value: String::new(),
            detail: message.clone(),
        });
        self.failed.push(Unrecognised {
            file: file.to_owned(),
            status: "unreadable",
            message,
        });
    }

    /// Count of report rows per status.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut m: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for r in &self.report {
            *m.entry(r.status).or_default() += 1;
        }
        m.into_iter().collect()
    }
}

// ---- the form template -------------------------------------------------------------

/// The choice sheet for schools from the catalog alone (CSV, `;`-separated, UTF-8 with
/// BOM so that Excel opens Cyrillic right): the students.csv columns
/// `id,school,grade,wants,choice_1..N` with `rows` empty rows (school filled in when
/// given), and beside them every course as on offer
/// (`offered_course,offered_name,offered_periods,offered_grades,offered_distance`, then
/// `offered_where,offered_periods_start`, empty here), which `profnet collect` ignores.
/// The layout is [`super::offer::sheet`]'s; with the whole network at hand,
/// `form-template --school` lists instead only what the school can reach
/// ([`super::offer::Offers::listed`]).
pub fn form_template(
    catalog: &Catalog,
    school: Option<&str>,
    choices: usize,
    rows: usize,
) -> String {
    use super::offer::{sheet, Listed, SheetList};
    let offered = catalog
        .courses
        .iter()
        .map(|c| Listed {
            id: c.id.clone(),
            name: c.name.clone(),
            periods: if c.periods.is_empty() {
                "1".into()
            } else {
                c.periods.clone()
            },
            grades: c.grades.as_ref().map_or("any".into(), |g| {
                g.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
            }),
            distance: if c.distance { "yes" } else { "no" }.into(),
            ..Listed::default()
        })
        .collect();
    let list = SheetList {
        offered,
        apart: Vec::new(),
    };
    sheet(&list, school, choices, rows)
}

// ---- a fresh bundle (`profnet init`) -------------------------------------------------

/// The files `profnet init` writes: a fresh bundle with every header of SPEC §1 and
/// example rows (schools and links need two schools), from the bundle's one schema
/// ([`super::schema`]), and the guide. `profnet validate` accepts them as they are.
pub fn bundle_template() -> Vec<(&'static str, String)> {
    let mut files = vec![("network.toml", NETWORK_TEMPLATE.to_string())];
    files.extend(super::schema::FILES.iter().map(|f| (f.name, f.template())));
    files.push(("GUIDE.md", GUIDE.to_string()));
    files
}

/// The template's network.toml.
const NETWORK_TEMPLATE: &str = r#"# The network (SPEC §1). Replace the example values with yours.
name = "Example district network"
day_start = "08:00"   # every student and teacher is at their home school
day_end = "17:00"     # ... and must be back there by this time
periods = ["09:00-09:45", "09:55-10:40", "11:00-11:45", "11:55-12:40",
           "13:00-13:45", "13:55-14:40"]
min_group = 10        # default smallest group (a course may override)
max_group = 25        # default largest group
wants = 2             # default number of electives a student takes
"#;

const GUIDE: &str = r#"# Как заполнить набор данных / How to fill in this bundle

## По-русски

Каждый файл — таблица CSV (Excel: «Файл → Сохранить как → CSV UTF-8» или «CSV
(разделители — точки с запятой)»). Первая строка — заголовок, его не меняйте. В каждом
файле одна строка-пример: замените её своими данными. Разделитель `,` или `;`,
кодировка UTF-8 или Windows-1251 — подходят обе.

| файл | что в нём | кто заполняет |
|---|---|---|
| `network.toml` | название сети, начало и конец дня, расписание уроков (`periods`), размеры групп, сколько курсов берёт ученик (`wants`) | районный координатор |
| `schools.csv` | школы: `id` (короткий код, например S01), название, тип (`school`, `college`, `university`, `additional`, `other`), координаты | координатор |
| `links.csv` | дороги между школами: откуда, куда, минут в пути | координатор |
| `rooms.csv` | кабинеты, свободные в день профильных занятий: школа, код, число мест, тип (`general`, `lab` …), доступные уроки (`1 2 3`, пусто — все) | каждая школа |
| `courses.csv` | курсы: код (без пробелов), название, сколько уроков подряд, тип кабинета, можно ли дистанционно (`yes/no`), для каких классов (`10 11`) | координатор |
| `teachers.csv` | учителя: код, ФИО, школа, коды курсов через пробел, максимум уроков, может ли ездить (`да/нет`) | каждая школа |
| `students.csv` | ученики: код (не ФИО, если данные уходят за пределы школы), школа, класс, выбранные курсы по порядку (`choice_1` — самый желанный) | собирается командой `profnet collect` |
| `vehicles.csv` | школьные автобусы: код, школа, число мест (файл можно удалить, если автобусов нет) | координатор |

Выбор учеников удобнее собирать так: `profnet form-template ПАПКА --out бланк.csv
--school S01` даёт бланк для школы; школы присылают заполненные бланки, выгрузки
Google/Яндекс-форм или списки «ученик, курс, приоритет», а `profnet collect ПАПКА
файлы… --out ПАПКА/students.csv` сводит их в один файл и пишет отчёт обо всех
строках, которые пришлось поправить или отбросить.

Проверка: `profnet validate ПАПКА` перечисляет все ошибки с файлом, строкой и столбцом.

Удобнее в Excel? `profnet init --xlsx сеть.xlsx` даёт ту же сеть одной книгой: по листу на
таблицу, со списками и листом «Инструкция»; `profnet convert ПАПКА --to сеть.xlsx` и
обратно `profnet convert сеть.xlsx --to ПАПКА` переводят без потерь. Все команды
принимают книгу вместо папки.

## In English

Every file is a CSV table (Excel: File → Save As → "CSV UTF-8"). Keep the header row;
replace the one example row with your data. `,` or `;` as delimiter, UTF-8 or
Windows-1251 — both work.

| file | holds | filled in by |
|---|---|---|
| `network.toml` | network name, day start and end, the period timetable, group sizes, electives per student (`wants`) | the district coordinator |
| `schools.csv` | schools: short `id` (e.g. S01), name, kind, coordinates | coordinator |
| `links.csv` | travel links between schools in minutes | coordinator |
| `rooms.csv` | rooms free on the profile day: school, id, seats, kind, periods available | each school |
| `courses.csv` | courses: id (no spaces), name, consecutive periods, room kind, distance allowed, grades | coordinator |
| `teachers.csv` | teachers: id, name, school, course ids (space-separated), most periods, travels or not | each school |
| `students.csv` | students: id (not a name if the data leaves the school), school, grade, ranked choices `choice_1…` | built by `profnet collect` |
| `vehicles.csv` | school buses: id, school, seats (delete the file if there are none) | coordinator |

To gather choices: `profnet form-template DIR --out sheet.csv --school S01` makes a
sheet for one school; schools send back sheets, form-service exports (Google/Yandex
Forms) or `student,course,rank` lists, and `profnet collect DIR files… --out
DIR/students.csv` merges them, with a report of every row it fixed or left out.

Check the bundle with `profnet validate DIR`: it lists every problem with file, line
and column. The full contract is SPEC §1.

Rather work in Excel? `profnet init --xlsx network.xlsx` writes the same bundle as one
workbook (a sheet per table, with lists and an instruction sheet); `profnet convert DIR
--to network.xlsx` and back `profnet convert network.xlsx --to DIR` lose nothing. Every
command takes the workbook instead of the directory (SPEC §7).
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn courses() -> Matcher {
        Matcher::new([
            ("PHYS", "Физика"),
            ("CHEM", "Химия: лабораторный практикум"),
            ("INF", "Информатика"),
            ("MATH", "Математика (профильная)"),
            ("MATHOL", "Олимпиадная математика"),
            ("ENG", "English for exams"),
        ])
    }

    fn id(m: &Matcher, v: &str) -> Option<String> {
        match m.matches(v) {
            Match::Exact(i) | Match::Tolerant(i, _) => Some(m.id(i).to_owned()),
            _ => None,
        }
    }

    #[test]
    fn tolerant_course_names() {
        let m = courses();
        assert_eq!(m.matches("PHYS"), Match::Exact(0));
        assert_eq!(m.matches("физика"), Match::Exact(0));
        for (v, want) in [
            ("phys", "PHYS"),
            ("Физика (решение задач)", "PHYS"),
            ("ФИЗИКА!", "PHYS"),
            ("Физика (PHYS)", "PHYS"),
            ("Химия", "CHEM"),
            ("Инфарматика", "INF"),
            ("информатика ", "INF"),
            ("Математика", "MATH"),
            ("english", "ENG"),
            ("Курс физики", "PHYS"),
        ] {
            assert_eq!(id(&m, v).as_deref(), Some(want), "{v}");
        }
        assert!(matches!(m.matches("математики"), Match::Ambiguous(_)));
        assert_eq!(m.matches("Астрономия"), Match::None);
        assert_eq!(m.matches("XYZ"), Match::None);
    }

    #[test]
    fn school_names_as_people_write_them() {
        let m = Matcher::schools([
            ("KOSH", "МБОУ «Кощаковская СОШ»"),
            ("KOSHO", "Кощаковская основная общеобразовательная школа"),
            ("BOG", "Богородская средняя школа"),
            ("S1", "Средняя школа № 1"),
            ("S12", "МБОУ \"СОШ №12\""),
        ]);
        for (v, want) in [
            ("Кощаковская СОШ", "KOSH"),
            ("кощаковская средняя общеобразовательная школа", "KOSH"),
            ("Кощаковская ООШ", "KOSHO"),
            ("Богородская СОШ", "BOG"),
            ("МБОУ \"Богородская СОШ\"", "BOG"),
            ("Богородская", "BOG"),
            ("Богородской школы", "BOG"),
            ("школа №1", "S1"),
            ("СОШ № 1", "S1"),
            ("СОШ 12", "S12"),
        ] {
            assert_eq!(id(&m, v).as_deref(), Some(want), "{v}");
        }
        assert!(matches!(m.matches("Кощаковская"), Match::Ambiguous(_)));
        assert_eq!(m.matches("Гимназия 7"), Match::None);
    }

    #[test]
    fn stems_and_aliases_of_course_names() {
        let m = Matcher::with_aliases([
            ("MED", vec!["Основы медицины"]),
            ("MEDCHEM", vec!["Медицинская химия"]),
            ("UAV", vec!["Беспилотные системы"]),
            ("ROBO", vec!["Робототехника", "Роботы", "Lego"]),
            ("INF", vec!["Информатика"]),
        ]);
        for (v, want) in [
            ("медицина", "MED"),
            ("Беспилотники", "UAV"),
            ("беспилотная система", "UAV"),
            ("Роботы", "ROBO"),
            ("lego", "ROBO"),
            ("информационные технологии", "-"),
        ] {
            assert_eq!(id(&m, v).as_deref().unwrap_or("-"), want, "{v}");
        }
        assert_eq!(
            m.matches("Роботы"),
            Match::Exact(3),
            "an alias is as good as the name"
        );
        assert_eq!(
            split_aliases(" Роботы | Lego;;Robo "),
            ["Роботы", "Lego", "Robo"]
        );
    }

    #[test]
    fn header_roles() {
        assert_eq!(role_of("choice_3"), Role::Choice(3));
        assert_eq!(role_of("Выберите первый курс"), Role::Choice(1));
        assert_eq!(role_of("Выберите второй курс (запасной)"), Role::Choice(2));
        assert_eq!(role_of("choice 2"), Role::Choice(2));
        assert_eq!(role_of("Курс №3"), Role::Choice(3));
        assert_eq!(role_of("Отметка времени"), Role::Timestamp);
        assert_eq!(role_of("Timestamp"), Role::Timestamp);
        assert_eq!(role_of("Ваша школа"), Role::School);
        assert_eq!(role_of("Класс"), Role::Grade);
        assert_eq!(role_of("Код ученика"), Role::Id);
        assert_eq!(role_of("ФИО ученика"), Role::IdName(1));
        assert_eq!(
            role_of("Сколько курсов вы возьмёте (1 или 2)?"),
            Role::Wants
        );
        assert_eq!(role_of("student"), Role::Id);
        assert_eq!(role_of("course"), Role::Course);
        assert_eq!(role_of("rank"), Role::Rank);
        assert_eq!(role_of("offered_course"), Role::Template);
        assert_eq!(role_of("Комментарий"), Role::Ignored);
    }

    #[test]
    fn grades_and_timestamps() {
        assert_eq!(parse_grade("10"), Some(10));
        assert_eq!(parse_grade("10А"), Some(10));
        assert_eq!(parse_grade("11 класс"), Some(11));
        assert_eq!(parse_grade("XI"), Some(11));
        assert_eq!(parse_grade("Х"), Some(10));
        assert_eq!(parse_grade("десятый"), None);
        let a = parse_timestamp("23.11.2026 10:15:32").unwrap();
        assert_eq!(a, 20261123101532);
        assert_eq!(parse_timestamp("2026-11-23 10:15:32"), Some(a));
        assert_eq!(parse_timestamp("2026/11/23 10:15:32 AM GMT+3"), Some(a));
        assert_eq!(
            parse_timestamp("11/23/2026 10:15:32 PM"),
            Some(20261123221532)
        );
        assert_eq!(parse_timestamp("23/11/2026 10:15"), Some(20261123101500));
        assert_eq!(parse_timestamp("вчера"), None);
    }
}

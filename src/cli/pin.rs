//! `profnet pin PLAN --bundle BUNDLE …`: what the planner has agreed of a published plan,
//! written as the pins of SPEC §8 ("keep what we agreed and re-plan the rest"):
//!
//! ```text
//! profnet pin plan --bundle B --groups G003 G007 --out B && profnet solve B --out plan2
//! ```
//!
//! `pinned_groups.csv` gets every attribute of each chosen group (`first_period` 1-based
//! as in groups.csv, `id` its id in groups.csv), `pinned_students.csv` the seats chosen
//! in them. Pins already in `--out` are kept: the new rows are added, exact duplicates
//! skipped, ids kept unique. Both files are written through temporary files and renamed
//! into place. This command only writes the pins; the loader checks them and the solver
//! keeps them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use profnet::input::table::read_table;
use profnet::model::{Network, StudentId};
use profnet::planfile::pseudonym::looks_pseudonymized;
use profnet::planfile::read::PlanOnDisk;
use profnet::planfile::write::{is_inside, stage_file};
use profnet::planfile::{ASSIGNMENTS, GROUPS};

use super::{load, read_checked_plan, refuse_out_inside, EXIT_BAD_INPUT, EXIT_FAIL, EXIT_OK};

/// The pin files of SPEC §8 and the columns this command writes, in order.
pub const PINNED_GROUPS: &str = "pinned_groups.csv";
pub const PINNED_STUDENTS: &str = "pinned_students.csv";
const GROUP_COLUMNS: [&str; 7] = [
    "course",
    "school",
    "first_period",
    "room",
    "teacher",
    "mode",
    "id",
];
/// The columns that make two group pins the same pin (all but `id`).
const GROUP_KEY: usize = 6;
const STUDENT_COLUMNS: [&str; 3] = ["student", "course", "group"];
/// The columns that make two student pins the same pin.
const STUDENT_KEY: usize = 2;

/// Most notes of one kind printed on stderr; the rest are counted.
const NOTES: usize = 10;

#[derive(clap::Args)]
pub struct Args {
    /// The published plan directory (groups.csv, assignments.csv; SPEC §2).
    pub plan: PathBuf,
    /// The network bundle the plan was made for: a directory, or a workbook NAME.xlsx.
    #[arg(long)]
    pub bundle: PathBuf,
    /// Pin these groups (ids of groups.csv's `group` column) with every member.
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub groups: Vec<String>,
    /// Pin each of these students' groups, and in them only that student's seat.
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub students: Vec<String>,
    /// Pin every group hosted at these schools (taught from there, for a distance
    /// group) with every member.
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub school: Vec<String>,
    /// Pin every group of the plan with every member.
    #[arg(long)]
    pub all: bool,
    /// The directory to write pinned_groups.csv and pinned_students.csv to, usually the
    /// bundle directory itself; pins already there are kept and the new ones added.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// No warnings about the bundle and no account of the merge on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &Args) -> u8 {
    match pin(args) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// The chosen seats: per group (its index in the plan), the members pinned in it.
type Selection = BTreeMap<usize, BTreeSet<StudentId>>;

fn pin(args: &Args) -> Result<(), u8> {
    if !args.all && args.groups.is_empty() && args.students.is_empty() && args.school.is_empty() {
        errln!(
            "profnet: say what to pin: --groups ID..., --students ID..., --school ID... or \
             --all (any together); nothing was written"
        );
        return Err(EXIT_BAD_INPUT);
    }
    check_paths(args)?;
    let (net, _) = load(&args.bundle, args.quiet)?;
    if let Some(example) = looks_pseudonymized(&net, &args.plan) {
        errln!(
            "profnet: {} looks pseudonymised: its students are pseudonyms such as {example}, \
             not ids of {}; pin from the plan with real ids (solve without --pseudonymize); \
             nothing was written",
            args.plan.display(),
            args.bundle.display()
        );
        return Err(EXIT_BAD_INPUT);
    }
    let (disk, violations) = read_checked_plan(&net, &args.plan)?;
    if !violations.is_empty() {
        for v in violations.iter().take(NOTES) {
            errln!("{v}");
        }
        errln!(
            "profnet: the plan {} breaks {} rule(s) of SPEC section 3 for {}: it was not made \
             for this bundle as it is now, so its groups cannot be pinned. Give the bundle \
             the plan was made for, or solve {} again and pin from that plan; nothing was \
             written",
            args.plan.display(),
            violations.len(),
            args.bundle.display(),
            args.bundle.display()
        );
        return Err(EXIT_BAD_INPUT);
    }
    let selection = match select(&net, &disk, args) {
        Ok(s) => s,
        Err(problems) => {
            for p in &problems {
                errln!("profnet: {p}");
            }
            errln!(
                "profnet: {} problem(s) with what to pin; nothing was written",
                problems.len()
            );
            return Err(EXIT_BAD_INPUT);
        }
    };
    let groups_path = args.out.join(PINNED_GROUPS);
    let students_path = args.out.join(PINNED_STUDENTS);
    let mut groups = PinFile::read(&groups_path, &GROUP_COLUMNS, GROUP_KEY)?;
    let mut students = PinFile::read(&students_path, &STUDENT_COLUMNS, STUDENT_KEY)?;
    let merged = merge(&net, &disk, &selection, &mut groups, &mut students);
    if !args.quiet {
        merged.report(&groups, &students, &groups_path, &students_path);
    }
    let pinned_students: BTreeSet<StudentId> = selection.values().flatten().copied().collect();
    let summary = format!(
        "{} group(s) and {} student(s)",
        selection.len(),
        pinned_students.len()
    );
    if merged.changed() {
        if let Err(e) = write_all(&[
            (&groups_path, groups.to_csv()),
            (&students_path, students.to_csv()),
        ]) {
            errln!(
                "profnet: cannot write the pins to {}: {e:#}; nothing was written",
                args.out.display()
            );
            return Err(EXIT_FAIL);
        }
        outln!(
            "pinned {summary} to {} and {}",
            groups_path.display(),
            students_path.display()
        );
    } else {
        outln!(
            "pinned {summary}: every one of these pins was already in {} and {}; nothing changed",
            groups_path.display(),
            students_path.display()
        );
    }
    if is_inside(&args.out, &args.bundle) && is_inside(&args.bundle, &args.out) && !args.quiet {
        errln!(
            "profnet: plan the rest around them: profnet solve {} --out NEW_PLAN",
            args.bundle.display()
        );
    }
    Ok(())
}

/// The plan is a plan directory and `--out` a directory outside it (exit 2 otherwise).
fn check_paths(args: &Args) -> Result<(), u8> {
    let plan = &args.plan;
    let problem = if !plan.exists() {
        Some(format!(
            "the plan {} does not exist; give the plan directory that `profnet solve BUNDLE \
             --out PLAN` wrote",
            plan.display()
        ))
    } else if !plan.is_dir() {
        Some(format!(
            "the plan {} is not a directory; give the plan directory that `profnet solve \
             BUNDLE --out PLAN` wrote",
            plan.display()
        ))
    } else {
        [GROUPS.name, ASSIGNMENTS.name]
            .into_iter()
            .find(|f| !plan.join(f).is_file())
            .map(|f| {
                format!(
                    "{} has no {f}: it is not a plan directory (SPEC section 2); give the \
                     directory that `profnet solve BUNDLE --out PLAN` wrote",
                    plan.display()
                )
            })
    };
    if let Some(p) = problem {
        errln!("profnet: {p}; nothing was written");
        return Err(EXIT_BAD_INPUT);
    }
    if args.out.exists() && !args.out.is_dir() {
        errln!(
            "profnet: --out {} is not a directory: give the directory to write {PINNED_GROUPS} \
             and {PINNED_STUDENTS} to (for a workbook bundle, a directory of its own, then \
             copy their rows into the workbook's pinned_groups and pinned_students sheets); \
             nothing was written",
            args.out.display()
        );
        return Err(EXIT_BAD_INPUT);
    }
    refuse_out_inside(&args.out, &[plan.as_path()])
}

/// The groups and seats chosen by `--groups`, `--students`, `--school` and `--all`, or
/// every problem with them (an id that is not in the plan or the bundle).
fn select(net: &Network, disk: &PlanOnDisk, args: &Args) -> Result<Selection, Vec<String>> {
    let plan = args.plan.display();
    let bundle = args.bundle.display();
    let groups = &disk.plan.groups;
    let mut out = Selection::new();
    let mut problems = Vec::new();
    let whole = |out: &mut Selection, g: usize| {
        out.entry(g)
            .or_default()
            .extend(groups[g].members.iter().copied());
    };
    if args.all {
        for g in 0..groups.len() {
            whole(&mut out, g);
        }
        if groups.is_empty() {
            problems.push(format!(
                "the plan {plan} opens no group: there is nothing to pin"
            ));
        }
    }
    let by_id: HashMap<&str, usize> = disk
        .group_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    for id in &args.groups {
        match by_id.get(id.trim()) {
            Some(&g) => whole(&mut out, g),
            None => problems.push(format!(
                "group '{id}' is not in {}: use an id of its 'group' column ({})",
                args.plan.join(GROUPS.name).display(),
                examples(&disk.group_ids)
            )),
        }
    }
    for id in &args.students {
        let Some(s) = net.students.iter().position(|s| s.id == id.trim()) else {
            problems.push(format!(
                "student '{id}' is not in {bundle} (students.csv): use an id of its 'id' column"
            ));
            continue;
        };
        let s = StudentId::from(s);
        let mut any = false;
        for (g, group) in groups.iter().enumerate() {
            if group.members.contains(&s) {
                out.entry(g).or_default().insert(s);
                any = true;
            }
        }
        if !any {
            problems.push(format!(
                "student '{id}' has no group in {plan} ({}): there is nothing of theirs to \
                 pin (unserved.csv says why)",
                ASSIGNMENTS.name
            ));
        }
    }
    for id in &args.school {
        let Some(school) = net.school_index(id.trim()) else {
            problems.push(format!(
                "school '{id}' is not in {bundle} (schools.csv): use an id of its 'id' column"
            ));
            continue;
        };
        let hosted: Vec<usize> = (0..groups.len())
            .filter(|&g| groups[g].school == school)
            .collect();
        if hosted.is_empty() {
            problems.push(format!(
                "school '{id}' hosts no group in {plan}: there is nothing to pin there (pin \
                 its students' groups elsewhere with --students)"
            ));
        }
        for g in hosted {
            whole(&mut out, g);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A few ids of `ids` to show where one is unknown.
fn examples(ids: &[String]) -> String {
    match ids {
        [] => "the plan has no group".into(),
        [a] => format!("the plan has only {a}"),
        _ if ids.len() <= 6 => format!("the plan has {}", ids.join(", ")),
        _ => format!(
            "the plan has {}, … {} ({} groups)",
            ids[..3].join(", "),
            ids[ids.len() - 1],
            ids.len()
        ),
    }
}

/// One pin file: its header (this command's columns first, then any others the file
/// had, kept) and rows, the existing ones first.
struct PinFile {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// How many of `rows` were in the file.
    existing: usize,
    /// The line in the file of each existing row.
    lines: Vec<usize>,
    /// The first `key` columns make two rows the same pin.
    key: usize,
}

impl PinFile {
    /// The file at `path` (empty when there is none); exit 2 with its problem when it
    /// cannot be read or lacks a required column.
    fn read(path: &Path, columns: &[&str], key: usize) -> Result<PinFile, u8> {
        let mut file = PinFile {
            header: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            existing: 0,
            lines: Vec::new(),
            key,
        };
        if !path.exists() {
            return Ok(file);
        }
        let label = path.display().to_string();
        let cannot = |diags: &[profnet::diag::Diagnostic]| {
            for d in diags {
                errln!("{d}");
            }
            errln!(
                "profnet: the pins already in {label} cannot be read, so they cannot be kept; \
                 fix the file (SPEC section 8) or move it away, then run again; nothing was \
                 written"
            );
            EXIT_BAD_INPUT
        };
        let table = read_table(path, &label).map_err(|d| cannot(&[d]))?;
        // SPEC §8: the first columns are required, the others optional.
        let required = if key == GROUP_KEY { 3 } else { 2 };
        let mut diags = Vec::new();
        if !table.require(&columns[..required], &mut diags) {
            return Err(cannot(&diags));
        }
        for h in &table.headers {
            if !file.header.contains(h) {
                file.header.push(h.clone());
            }
        }
        for row in &table.rows {
            file.lines.push(row.line);
            file.rows.push(
                file.header
                    .iter()
                    .map(|h| table.get(row, h).to_string())
                    .collect(),
            );
        }
        file.existing = file.rows.len();
        Ok(file)
    }

    /// The identity of `cells` (this command's columns, in order) as a pin: its first
    /// `key` cells, a period as a number.
    fn key_of(&self, cells: &[String]) -> Vec<String> {
        cells[..self.key]
            .iter()
            .zip(&self.header)
            .map(|(c, h)| match (h.as_str(), c.trim().parse::<usize>()) {
                ("first_period", Ok(n)) => n.to_string(),
                _ => c.trim().to_string(),
            })
            .collect()
    }

    /// The index of the first row that is the same pin as `cells`.
    fn find(&self, cells: &[String]) -> Option<usize> {
        let key = self.key_of(cells);
        self.rows.iter().position(|r| self.key_of(r) == key)
    }

    /// A new row of this command's `cells`, other columns empty.
    fn push(&mut self, cells: Vec<String>) {
        let mut row = cells;
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// The line of row `r` in the file; 0 for a row added now.
    fn line(&self, r: usize) -> usize {
        self.lines.get(r).copied().unwrap_or(0)
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .expect("a column this command writes")
    }

    fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let written = w
            .write_record(&self.header)
            .and_then(|()| self.rows.iter().try_for_each(|r| w.write_record(r)));
        // Writing into memory does not fail.
        written.expect("CSV into memory");
        w.into_inner().unwrap_or_default()
    }
}

/// What [`merge`] did, for the account on stderr.
#[derive(Default)]
struct Merged {
    groups_added: usize,
    groups_there: usize,
    students_added: usize,
    students_there: usize,
    /// Existing rows that got an id (so that the students' pins can name them).
    ids_given: usize,
    notes: Vec<String>,
    conflicts: Vec<String>,
}

impl Merged {
    fn changed(&self) -> bool {
        self.groups_added + self.students_added + self.ids_given > 0
    }

    fn report(&self, groups: &PinFile, students: &PinFile, gp: &Path, sp: &Path) {
        errln!(
            "profnet: {}: kept {} existing row(s), added {}, skipped {} already pinned",
            gp.display(),
            groups.existing,
            self.groups_added,
            self.groups_there
        );
        errln!(
            "profnet: {}: kept {} existing row(s), added {}, skipped {} already pinned",
            sp.display(),
            students.existing,
            self.students_added,
            self.students_there
        );
        for list in [&self.notes, &self.conflicts] {
            for n in list.iter().take(NOTES) {
                errln!("profnet: {n}");
            }
            if list.len() > NOTES {
                errln!("profnet: … and {} more like the above", list.len() - NOTES);
            }
        }
    }
}

/// `id`, or the first of `id-2`, `id-3`, … not in `used`.
fn unique_id(id: &str, used: &HashSet<String>) -> String {
    let mut out = id.to_string();
    let mut k = 2;
    while used.contains(&out) {
        out = format!("{id}-{k}");
        k += 1;
    }
    out
}

/// Adds the chosen groups and seats to the pins already there: a group pinned already
/// (same course, school, first period, room, teacher, mode) is not added again and its
/// students refer to that pin; a student already pinned in the course keeps that pin.
fn merge(
    net: &Network,
    disk: &PlanOnDisk,
    selection: &Selection,
    groups: &mut PinFile,
    students: &mut PinFile,
) -> Merged {
    let mut m = Merged::default();
    let id_col = groups.col("id");
    let mut used: HashSet<String> = groups
        .rows
        .iter()
        .map(|r| r[id_col].clone())
        .filter(|id| !id.is_empty())
        .collect();
    let mut pin_of: BTreeMap<usize, String> = BTreeMap::new();
    for &g in selection.keys() {
        let group = &disk.plan.groups[g];
        let plan_id = &disk.group_ids[g];
        let cells = vec![
            net.courses[group.course.idx()].id.clone(),
            net.schools[group.school.idx()].id.clone(),
            (group.first + 1).to_string(),
            net.rooms[group.room.idx()].id.clone(),
            net.teachers[group.teacher.idx()].id.clone(),
            group.mode.as_str().to_string(),
            plan_id.clone(),
        ];
        let id = match groups.find(&cells) {
            Some(r) => {
                m.groups_there += 1;
                if groups.rows[r][id_col].is_empty() {
                    let id = unique_id(plan_id, &used);
                    m.notes.push(format!(
                        "group {plan_id} was pinned already (line {} of {PINNED_GROUPS}) \
                         without an id; it gets the id {id} for its students' pins",
                        groups.line(r)
                    ));
                    groups.rows[r][id_col] = id.clone();
                    used.insert(id.clone());
                    m.ids_given += 1;
                }
                groups.rows[r][id_col].clone()
            }
            None => {
                let id = unique_id(plan_id, &used);
                if &id != plan_id {
                    m.notes.push(format!(
                        "group {plan_id} is pinned with the id {id}: another pin in \
                         {PINNED_GROUPS} already has the id {plan_id}"
                    ));
                }
                used.insert(id.clone());
                let mut cells = cells;
                cells[id_col] = id.clone();
                groups.push(cells);
                m.groups_added += 1;
                id
            }
        };
        pin_of.insert(g, id);
    }
    let group_col = students.col("group");
    for (&g, members) in selection {
        let course = &net.courses[disk.plan.groups[g].course.idx()].id;
        for s in members {
            let student = &net.students[s.idx()].id;
            let cells = vec![student.clone(), course.clone(), pin_of[&g].clone()];
            match students.find(&cells) {
                Some(r) => {
                    m.students_there += 1;
                    let before = &students.rows[r][group_col];
                    if before != &pin_of[&g] {
                        let was = if before.is_empty() {
                            "in any group of it".to_string()
                        } else {
                            format!("in group {before}")
                        };
                        m.conflicts.push(format!(
                            "student {student} was pinned in course {course} already ({was}, \
                             line {} of {PINNED_STUDENTS}); that pin is kept, not group {}",
                            students.line(r),
                            pin_of[&g]
                        ));
                    }
                }
                None => {
                    students.push(cells);
                    m.students_added += 1;
                }
            }
        }
    }
    m
}

/// Writes every file through a temporary file beside it, then renames them all into
/// place: a failure before the renames leaves every file as it was.
fn write_all(files: &[(&PathBuf, Vec<u8>)]) -> anyhow::Result<()> {
    let mut staged: Vec<(PathBuf, &PathBuf)> = Vec::new();
    for (path, bytes) in files {
        match stage_file(path, bytes) {
            Ok(tmp) => staged.push((tmp, path)),
            Err(e) => {
                for (tmp, _) in &staged {
                    let _ = std::fs::remove_file(tmp);
                }
                return Err(e);
            }
        }
    }
    for (i, (tmp, path)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for (tmp, _) in &staged[i..] {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(anyhow::anyhow!("{}: {e}", path.display()));
        }
    }
    Ok(())
}

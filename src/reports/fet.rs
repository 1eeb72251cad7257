//! fet/: the profile day as a FET file (<https://lalescu.ro/liviu/fet/>), with the
//! plan's timetable fixed, for schools that keep their timetables in FET.
//!
//! `fet/profile-day.fet` (FET 6.x format, written as FET 6.8.5 writes it) holds:
//! - one day (named by the date) and the network's periods as hours, `1 (09:00-09:45)`;
//! - subjects = the courses with a group (comment: the course id), teachers = the
//!   teachers with a group (comment: id and home school);
//! - students: a **year per home school**, a **group per grade** in it
//!   (`School 2, 10 кл.`) and a **subgroup per set of students who share exactly the
//!   same plan groups** (`School 2, 10 кл.: G001 G004`, with the number of students).
//!   Each activity's students are exactly the subgroups of its members, so FET sees the
//!   same conflicts as the plan and a school finds its students under its own year.
//!   (FET warns, before it generates, that subgroups of different schools have the same
//!   activities: expected, they are kept apart by school on purpose.)
//! - activities: one per plan group, in groups.csv order (activity id = row number,
//!   comment = the group id), duration = the course's periods; a distance group carries
//!   the activity tag `distance`/`дистанционно` and 0 students in the room (its students
//!   stay at their home schools), so the room's capacity does not apply to them;
//! - buildings = schools, rooms = every room of the bundle with its capacity and school;
//! - constraints: the two compulsory ones, each activity's starting time and room at
//!   100 % and permanently locked, and the teachers' and rooms' unavailable periods.
//!
//! Names in FET are identifiers: a teacher, subject or school whose name is shared gets
//! its id added (`Иванова А. А. (T0003)`); a name still taken gets ` (2)`, ` (3)`, ….

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use super::ReportInput;
use crate::lang::Lang;
use crate::model::{Hhmm, Network, PeriodSet};
use crate::plan::Mode;

/// The FET version whose file layout this writes (and that the tests run).
pub const FET_VERSION: &str = "6.8.5";

/// The file written into the fet/ directory.
pub const FILE_NAME: &str = "profile-day.fet";

/// Writes fet/profile-day.fet into `dir` (created if missing).
pub fn write(input: &ReportInput, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(FILE_NAME);
    std::fs::write(&path, fet_xml(input))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The name of the FET hour of 0-based period `p`: `1 (09:00-09:45)`.
pub fn hour_name(net: &Network, p: usize) -> String {
    let t = net.periods[p];
    format!("{} ({}-{})", p + 1, Hhmm(t.start), Hhmm(t.end))
}

/// The text of the .fet file.
pub fn fet_xml(input: &ReportInput) -> String {
    let net = input.net;
    let plan = &input.disk.plan;
    let lang = input.lang;
    let day = input.date.to_string();
    let hours: Vec<String> = (0..net.num_periods()).map(|p| hour_name(net, p)).collect();

    // Who and what takes part.
    let mut used_course = vec![false; net.courses.len()];
    let mut used_teacher = vec![false; net.teachers.len()];
    for g in &plan.groups {
        used_course[g.course.idx()] = true;
        used_teacher[g.teacher.idx()] = true;
    }
    let subject = labels(net.courses.iter().map(|c| (c.id.as_str(), c.name.as_str())));
    let teacher = labels(
        net.teachers
            .iter()
            .map(|t| (t.id.as_str(), t.name.as_str())),
    );
    let school = labels(net.schools.iter().map(|s| (s.id.as_str(), s.name.as_str())));

    // Students sets: year = home school, group = grade, subgroup = same plan groups.
    let by_student = plan.student_groups(net);
    // (school, grade) -> (plan groups -> number of students)
    let mut sets: BTreeMap<(usize, u32), BTreeMap<Vec<usize>, usize>> = BTreeMap::new();
    for (s, gs) in by_student.iter().enumerate() {
        if gs.is_empty() {
            continue;
        }
        let st = &net.students[s];
        let mut key = gs.clone();
        key.sort_unstable();
        *sets
            .entry((st.school.idx(), st.grade))
            .or_default()
            .entry(key)
            .or_default() += 1;
    }
    let mut set_names = Unique::default();
    struct Sub {
        name: String,
        groups: Vec<usize>,
        students: usize,
    }
    struct FetGroup {
        name: String,
        grade: u32,
        subs: Vec<Sub>,
    }
    let mut years: BTreeMap<usize, (String, Vec<FetGroup>)> = BTreeMap::new();
    for (&(sc, grade), subsets) in &sets {
        let year = years
            .entry(sc)
            .or_insert_with(|| (set_names.take(school[sc].clone()), Vec::new()));
        let gname = set_names.take(match lang {
            Lang::Ru => format!("{}, {grade} кл.", school[sc]),
            Lang::En => format!("{}, grade {grade}", school[sc]),
        });
        let subs = subsets
            .iter()
            .map(|(groups, &students)| {
                let ids: Vec<&str> = groups
                    .iter()
                    .map(|&gi| input.disk.group_ids[gi].as_str())
                    .collect();
                Sub {
                    name: set_names.take(format!("{gname}: {}", ids.join(" "))),
                    groups: groups.clone(),
                    students,
                }
            })
            .collect();
        year.1.push(FetGroup {
            name: gname,
            grade,
            subs,
        });
    }
    // Plan group -> its subgroups, in the order of the students list.
    let mut students_of: Vec<Vec<&str>> = vec![Vec::new(); plan.groups.len()];
    for (_, groups) in years.values() {
        for fg in groups {
            for sub in &fg.subs {
                for &gi in &sub.groups {
                    students_of[gi].push(&sub.name);
                }
            }
        }
    }

    let distance_tag = lang.pick("дистанционно", "distance");
    let has_distance = plan.groups.iter().any(|g| g.mode == Mode::Distance);

    let mut x = Xml::default();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n");
    x.raw(&format!("<fet version=\"{FET_VERSION}\">\n\n"));
    x.leaf0("Mode", "Official");
    x.leaf0("Institution_Name", &net.name);
    x.leaf0(
        "Comments",
        &match lang {
            Lang::Ru => format!(
                "Профильный день {day}, план profnet (групп: {}). Расписание закреплено \
                 (время и кабинет каждого занятия). Комментарий занятия — номер группы плана.",
                plan.groups.len()
            ),
            Lang::En => format!(
                "Profile day {day}, profnet plan: {} groups. The timetable is fixed (each \
                 activity's time and room). An activity's comment is its plan group id.",
                plan.groups.len()
            ),
        },
    );

    x.open("Days_List");
    x.leaf("Number_of_Days", "1");
    x.open("Day");
    x.leaf("Name", &day);
    x.close("Day");
    x.close_section("Days_List");

    x.open("Hours_List");
    x.leaf("Number_of_Hours", &hours.len().to_string());
    for h in &hours {
        x.open("Hour");
        x.leaf("Name", h);
        x.close("Hour");
    }
    x.close_section("Hours_List");

    x.open("Subjects_List");
    for (c, course) in net.courses.iter().enumerate() {
        if used_course[c] {
            x.open("Subject");
            x.leaf("Name", &subject[c]);
            x.leaf("Comments", &course.id);
            x.close("Subject");
        }
    }
    x.close_section("Subjects_List");

    x.open("Activity_Tags_List");
    if has_distance {
        x.open("Activity_Tag");
        x.leaf("Name", distance_tag);
        x.leaf("Printable", "true");
        x.leaf(
            "Comments",
            lang.pick(
                "ученики занимаются в своих школах",
                "students join from their own schools",
            ),
        );
        x.close("Activity_Tag");
    }
    x.close_section("Activity_Tags_List");

    x.open("Teachers_List");
    for (t, te) in net.teachers.iter().enumerate() {
        if used_teacher[t] {
            x.open("Teacher");
            x.leaf("Name", &teacher[t]);
            x.leaf("Target_Number_of_Hours", "0");
            x.open("Qualified_Subjects");
            x.close("Qualified_Subjects");
            x.leaf(
                "Comments",
                &format!("{}, {}", te.id, net.schools[te.school.idx()].id),
            );
            x.close("Teacher");
        }
    }
    x.close_section("Teachers_List");

    x.open("Students_List");
    for (&sc, (yname, groups)) in &years {
        let total: usize = groups
            .iter()
            .flat_map(|g| &g.subs)
            .map(|s| s.students)
            .sum();
        x.open("Year");
        x.leaf("Name", yname);
        x.leaf("Number_of_Students", &total.to_string());
        x.leaf("Comments", &net.schools[sc].id);
        x.leaf("Number_of_Categories", "0");
        x.leaf("Separator", " ");
        for fg in groups {
            x.open("Group");
            x.leaf("Name", &fg.name);
            let n: usize = fg.subs.iter().map(|s| s.students).sum();
            x.leaf("Number_of_Students", &n.to_string());
            x.leaf("Comments", &format!("{} {}", net.schools[sc].id, fg.grade));
            for sub in &fg.subs {
                x.open("Subgroup");
                x.leaf("Name", &sub.name);
                x.leaf("Number_of_Students", &sub.students.to_string());
                let courses: Vec<&str> = sub
                    .groups
                    .iter()
                    .map(|&gi| net.courses[plan.groups[gi].course.idx()].name.as_str())
                    .collect();
                x.leaf("Comments", &courses.join(", "));
                x.close("Subgroup");
            }
            x.close("Group");
        }
        x.close("Year");
    }
    x.close_section("Students_List");

    x.open("Activities_List");
    for (gi, g) in plan.groups.iter().enumerate() {
        let len = net.courses[g.course.idx()].periods;
        x.open("Activity");
        x.leaf("Teacher", &teacher[g.teacher.idx()]);
        x.leaf("Subject", &subject[g.course.idx()]);
        if g.mode == Mode::Distance {
            x.leaf("Activity_Tag", distance_tag);
        }
        for s in &students_of[gi] {
            x.leaf("Students", s);
        }
        x.leaf("Duration", &len.to_string());
        x.leaf("Total_Duration", &len.to_string());
        x.leaf("Id", &(gi + 1).to_string());
        x.leaf("Activity_Group_Id", "0");
        if g.mode == Mode::Distance {
            x.leaf("Number_Of_Students", "0");
        }
        x.leaf("Active", "true");
        x.leaf("Comments", &input.disk.group_ids[gi]);
        x.close("Activity");
    }
    x.close_section("Activities_List");

    x.open("Buildings_List");
    for (s, sc) in net.schools.iter().enumerate() {
        x.open("Building");
        x.leaf("Name", &school[s]);
        x.leaf("Comments", &sc.id);
        x.close("Building");
    }
    x.close_section("Buildings_List");

    x.open("Rooms_List");
    for r in &net.rooms {
        x.open("Room");
        x.leaf("Name", &r.id);
        x.leaf("Building", &school[r.school.idx()]);
        x.leaf("Capacity", &r.capacity.to_string());
        x.leaf("Virtual", "false");
        x.leaf("Comments", net.kind_name(r.kind));
        x.close("Room");
    }
    x.close_section("Rooms_List");

    let all = PeriodSet::all(net.num_periods());
    let not_available = |x: &mut Xml, tag: &str, who_tag: &str, who: &str, free: PeriodSet| {
        let off: Vec<usize> = (0..net.num_periods())
            .filter(|&p| !free.contains(p))
            .collect();
        if off.is_empty() {
            return;
        }
        x.open(tag);
        x.leaf("Weight_Percentage", "100");
        x.leaf(who_tag, who);
        x.leaf("Number_of_Not_Available_Times", &off.len().to_string());
        for p in off {
            x.open("Not_Available_Time");
            x.leaf("Day", &day);
            x.leaf("Hour", &hours[p]);
            x.close("Not_Available_Time");
        }
        x.leaf("Active", "true");
        x.leaf("Comments", "");
        x.close(tag);
    };

    x.open("Time_Constraints_List");
    compulsory(&mut x, "ConstraintBasicCompulsoryTime");
    for (gi, g) in plan.groups.iter().enumerate() {
        x.open("ConstraintActivityPreferredStartingTime");
        x.leaf("Weight_Percentage", "100");
        x.leaf("Activity_Id", &(gi + 1).to_string());
        x.leaf("Preferred_Day", &day);
        x.leaf("Preferred_Hour", &hours[g.first]);
        x.leaf("Permanently_Locked", "true");
        x.leaf("Active", "true");
        x.leaf("Comments", &input.disk.group_ids[gi]);
        x.close("ConstraintActivityPreferredStartingTime");
    }
    for (t, te) in net.teachers.iter().enumerate() {
        if used_teacher[t] && te.periods.0 & all.0 != all.0 {
            not_available(
                &mut x,
                "ConstraintTeacherNotAvailableTimes",
                "Teacher",
                &teacher[t],
                te.periods,
            );
        }
    }
    x.close_section("Time_Constraints_List");

    x.open("Space_Constraints_List");
    compulsory(&mut x, "ConstraintBasicCompulsorySpace");
    for (gi, g) in plan.groups.iter().enumerate() {
        x.open("ConstraintActivityPreferredRoom");
        x.leaf("Weight_Percentage", "100");
        x.leaf("Activity_Id", &(gi + 1).to_string());
        x.leaf("Room", &net.rooms[g.room.idx()].id);
        x.leaf("Permanently_Locked", "true");
        x.leaf("Active", "true");
        x.leaf("Comments", &input.disk.group_ids[gi]);
        x.close("ConstraintActivityPreferredRoom");
    }
    for r in &net.rooms {
        if r.periods.0 & all.0 != all.0 {
            not_available(
                &mut x,
                "ConstraintRoomNotAvailableTimes",
                "Room",
                &r.id,
                r.periods,
            );
        }
    }
    x.close_section("Space_Constraints_List");

    x.raw("</fet>\n");
    x.out
}

fn compulsory(x: &mut Xml, tag: &str) {
    x.open(tag);
    x.leaf("Weight_Percentage", "100");
    x.leaf("Active", "true");
    x.leaf("Comments", "");
    x.close(tag);
}

/// A FET name for each `(id, name)`: the name, or `name (id)` when another item has the
/// same name (or the id when the name is empty); unique within the list.
fn labels<'a>(items: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Vec<String> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for (_, name) in items.clone() {
        *count.entry(clean(name)).or_default() += 1;
    }
    let mut unique = Unique::default();
    items
        .map(|(id, name)| {
            let name = clean(name);
            unique.take(if name.is_empty() {
                clean(id)
            } else if count[&name] > 1 {
                format!("{name} ({})", clean(id))
            } else {
                name
            })
        })
        .collect()
}

/// Whitespace runs as one space, trimmed: FET compares names as written.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Hands out names unique within one FET namespace (`name`, `name (2)`, …).
#[derive(Default)]
struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    fn take(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut k = 1;
        while !self.taken.insert(name.clone()) {
            k += 1;
            name = format!("{wanted} ({k})");
        }
        name
    }
}

/// A tiny XML writer in FET's own layout (tab-indented, a blank line between lists).
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push('\t');
        }
    }

    fn open(&mut self, tag: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }

    /// Closes a top-level list and leaves a blank line after it.
    fn close_section(&mut self, tag: &str) {
        self.close(tag);
        self.out.push('\n');
    }

    /// `<tag>text</tag>` inside the current element.
    fn leaf(&mut self, tag: &str, text: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>{}</{tag}>", escape_xml(text));
    }

    /// A top-level field of `<fet>`, followed by a blank line.
    fn leaf0(&mut self, tag: &str, text: &str) {
        self.leaf(tag, text);
        self.out.push('\n');
    }
}

/// Escapes XML text ([`super::escape_markup`]).
pub fn escape_xml(s: &str) -> String {
    super::escape_markup(s, "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_unique() {
        let got = labels(
            [
                ("T1", "Иванова"),
                ("T2", "Петров"),
                ("T3", "Иванова"),
                ("T4", " "),
            ]
            .into_iter(),
        );
        assert_eq!(got, ["Иванова (T1)", "Петров", "Иванова (T3)", "T4"]);
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(escape_xml("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}

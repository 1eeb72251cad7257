use std::path::Path;

use super::{load, EXIT_OK};

pub fn run(bundle: &Path) -> u8 {
    match load(bundle, false) {
        Ok((net, warnings)) => {
            outln!(
                "{}: valid — {} schools, {} links, {} rooms, {} courses, {} teachers, {} students, {} vehicles; {} warning(s)",
                bundle.display(),
                net.schools.len(),
                net.links.len(),
                net.rooms.len(),
                net.courses.len(),
                net.teachers.len(),
                net.students.len(),
                net.vehicles.len(),
                warnings.len()
            );
            EXIT_OK
        }
        Err(code) => code,
    }
}

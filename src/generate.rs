//! Synthetic network bundles for tests and benchmarks: a rural district (villages on a
//! road tree around a centre), a chain (schools along one road) or a city (a dense
//! grid). Deterministic per seed.

use crate::model::{
    Course, CourseId, KindId, Link, Network, PeriodSet, PeriodTime, Room, School, SchoolId,
    SchoolKind, Student, Teacher,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Rural,
    Chain,
    City,
}

impl Family {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rural" => Some(Family::Rural),
            "chain" => Some(Family::Chain),
            "city" => Some(Family::City),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct GenParams {
    pub family: Family,
    pub schools: usize,
    pub students: usize,
    pub courses: usize,
    pub seed: u64,
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Index drawn with the given weights.
    fn weighted(&mut self, w: &[f64]) -> usize {
        let total: f64 = w.iter().sum();
        let mut x = self.unit() * total;
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        w.len() - 1
    }
}

const PROFILES: [&str; 4] = ["science", "socio-economic", "technology", "humanities"];
const PROFILE_WEIGHT: [f64; 4] = [0.35, 0.30, 0.20, 0.15];

/// Generates a network.
pub fn generate(p: &GenParams) -> Network {
    let mut rng = Rng(p.seed ^ 0x0005_EED0_F9E7);
    let ns = p.schools.max(1);
    let kinds = vec!["general".to_string(), "lab".into(), "computer".into()];
    let (general, lab, computer) = (KindId(0), KindId(1), KindId(2));
    let mut periods = Vec::new();
    let starts = [540, 595, 660, 715, 780, 835, 890];
    for s in starts {
        periods.push(PeriodTime {
            start: s,
            end: s + 45,
        });
    }
    // Schools and roads.
    let mut schools = Vec::new();
    let mut links = Vec::new();
    let side = (ns as f64).sqrt().ceil() as usize;
    for i in 0..ns {
        let (lat, lon) = match p.family {
            Family::City => (
                55.75 + (i / side) as f64 * 0.01,
                49.10 + (i % side) as f64 * 0.015,
            ),
            _ => (
                55.75 + rng.unit() * 0.4 - 0.2,
                49.65 + rng.unit() * 0.6 - 0.3,
            ),
        };
        schools.push(School {
            id: format!("S{:02}", i + 1),
            name: if i == 0 {
                "District centre school".into()
            } else {
                format!("School {}", i + 1)
            },
            kind: SchoolKind::School,
            lat: Some(lat),
            lon: Some(lon),
        });
        if i == 0 {
            continue;
        }
        let mut link = |a: usize, b: usize, m: u64| {
            links.push(Link {
                a: SchoolId::from(a),
                b: SchoolId::from(b),
                minutes: m as u32,
                mode: "road".into(),
            })
        };
        match p.family {
            Family::Rural => {
                // Villages hang off the centre or an earlier village.
                let parent = if i < 4 || rng.chance(0.4) {
                    0
                } else {
                    rng.range(1, i as u64 - 1) as usize
                };
                link(parent, i, rng.range(10, 45));
            }
            Family::Chain => link(i - 1, i, rng.range(8, 25)),
            Family::City => {
                if i % side != 0 {
                    link(i - 1, i, rng.range(5, 15));
                }
                if i >= side {
                    link(i - side, i, rng.range(5, 15));
                }
            }
        }
    }
    // Students per school: the centre is big, the rest skewed.
    let mut weight: Vec<f64> = (0..ns).map(|_| 0.3 + rng.unit()).collect();
    if p.family != Family::City {
        weight[0] = weight.iter().sum::<f64>() * 0.35;
    }
    // Courses.
    let nc = p.courses.max(1);
    let mut courses = Vec::new();
    let mut profile_of = Vec::new();
    for i in 0..nc {
        let prof = i % 4;
        let kind = match prof {
            0 if i % 3 == 0 => lab,
            2 if i % 2 == 0 => computer,
            _ => general,
        };
        let len = if kind == lab && i % 2 == 0 { 2 } else { 1 };
        courses.push(Course {
            id: format!("C{:02}", i + 1),
            name: format!("{} course {}", PROFILES[prof], i + 1),
            periods: len,
            room_kind: kind,
            min_group: 10,
            max_group: 25,
            distance: kind == general && rng.chance(0.35),
            grades: if rng.chance(0.1) {
                Some(vec![10 + (i as u32 % 2)])
            } else {
                None
            },
        });
        profile_of.push(prof);
    }
    // Rooms.
    let mut rooms = Vec::new();
    for (i, w) in weight.iter().enumerate() {
        let big = *w > 1.0;
        let n_general = 2 + big as usize + rng.range(0, 1) as usize;
        let mut add = |kind: KindId, n: usize, rng: &mut Rng| {
            for _ in 0..n {
                let id = format!("S{:02}-R{}", i + 1, rooms.len() + 1);
                rooms.push(Room {
                    id,
                    school: SchoolId::from(i),
                    capacity: rng.range(15, 30) as u32,
                    kind,
                    periods: PeriodSet::all(7),
                });
            }
        };
        add(general, n_general, &mut rng);
        if i == 0 || rng.chance(0.3) {
            add(lab, 1, &mut rng);
        }
        if i == 0 || rng.chance(0.4) {
            add(computer, 1, &mut rng);
        }
    }
    // Teachers.
    let nt = (p.students / 14).max(nc);
    let mut teachers = Vec::new();
    for i in 0..nt {
        let home = rng.weighted(&weight);
        let first = if i < nc {
            i
        } else {
            rng.range(0, nc as u64 - 1) as usize
        };
        let mut cs = vec![CourseId::from(first)];
        for _ in 0..rng.range(0, 2) {
            let same: Vec<usize> = (0..nc)
                .filter(|&c| profile_of[c] == profile_of[first])
                .collect();
            let c = CourseId::from(same[rng.range(0, same.len() as u64 - 1) as usize]);
            if !cs.contains(&c) {
                cs.push(c);
            }
        }
        teachers.push(Teacher {
            id: format!("T{:04}", i + 1),
            name: format!("Teacher {}", i + 1),
            school: SchoolId::from(home),
            courses: cs,
            max_periods: rng.range(3, 6) as usize,
            travels: !rng.chance(0.15),
            periods: PeriodSet::all(7),
        });
    }
    // Students with ranked choices correlated by profile, popularity skewed.
    let mut students = Vec::new();
    for i in 0..p.students {
        let home = rng.weighted(&weight);
        let grade = 10 + rng.range(0, 1) as u32;
        let prof = rng.weighted(&PROFILE_WEIGHT);
        let n = rng.range(3, 4) as usize;
        let mut choices: Vec<CourseId> = Vec::new();
        let mut guard = 0;
        while choices.len() < n && guard < 50 {
            guard += 1;
            let pool: Vec<usize> = if rng.chance(0.8) {
                (0..nc).filter(|&c| profile_of[c] == prof).collect()
            } else {
                (0..nc).collect()
            };
            let w: Vec<f64> = (0..pool.len()).map(|r| 1.0 / (r as f64 + 1.0)).collect();
            let c = CourseId::from(pool[rng.weighted(&w)]);
            // Forms mostly offer only the courses open to the student's grade.
            let admitted = courses[c.idx()].admits(grade) || rng.chance(0.03);
            if admitted && !choices.contains(&c) {
                choices.push(c);
            }
        }
        students.push(Student {
            id: format!("P{:05}", i + 1),
            school: SchoolId::from(home),
            grade,
            wants: 2,
            choices,
        });
    }
    Network {
        name: format!(
            "generated {:?} network ({} schools, {} students, seed {})",
            p.family, ns, p.students, p.seed
        ),
        day_start: 480,
        day_end: 1020,
        periods,
        min_group: 10,
        max_group: 25,
        wants: 2,
        schools,
        links,
        rooms,
        courses,
        teachers,
        students,
        vehicles: Vec::new(),
        kinds,
    }
}

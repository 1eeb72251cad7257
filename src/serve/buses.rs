//! The page of a plan's buses, in Russian: a summary, every vehicle's trips in time
//! order with their stops (transport.csv), and per home school its departure sheet —
//! who leaves when, on which vehicle, to where, and when they are back (departures.csv,
//! with teachers' names). Every value from the bundle or the plan is escaped by maud.

use std::collections::{BTreeMap, HashMap};

use maud::{html, Markup};

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Minute, Network, SchoolId, VehicleId};
use crate::plan::routes::{routes, Route};
use crate::plan::Leg;
use crate::planfile::read::PlanOnDisk;
use crate::planfile::write::{departures, Departure};
use crate::planfile::{vehicle_figures, RouteLegRow, TransportRow};

/// One trip of a vehicle: its stops in order.
struct Trip<'a> {
    number: usize,
    stops: Vec<&'a TransportRow>,
}

impl Trip<'_> {
    fn start(&self) -> Option<Minute> {
        self.stops.first().and_then(|s| s.depart)
    }

    fn end(&self) -> Option<Minute> {
        self.stops.last().and_then(|s| s.arrive)
    }

    fn minutes(&self) -> u32 {
        match (self.start(), self.end()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => 0,
        }
    }

    /// Riders on board after each stop.
    fn on_board(&self) -> Vec<usize> {
        let mut n = 0usize;
        self.stops
            .iter()
            .map(|s| {
                n = (n + s.board).saturating_sub(s.alight);
                n
            })
            .collect()
    }

    fn boarded(&self) -> usize {
        self.stops.iter().map(|s| s.board).sum()
    }
}

/// The trips of each vehicle id in transport.csv, in time order.
fn trips_by_vehicle(rows: &[TransportRow]) -> BTreeMap<&str, Vec<Trip<'_>>> {
    let mut by: BTreeMap<&str, BTreeMap<usize, Vec<&TransportRow>>> = BTreeMap::new();
    for r in rows {
        by.entry(r.vehicle.as_str())
            .or_default()
            .entry(r.trip)
            .or_default()
            .push(r);
    }
    by.into_iter()
        .map(|(v, trips)| {
            let mut trips: Vec<Trip> = trips
                .into_iter()
                .map(|(number, mut stops)| {
                    stops.sort_by_key(|s| s.stop);
                    Trip { number, stops }
                })
                .collect();
            trips.sort_by_key(|t| (t.start(), t.number));
            (v, trips)
        })
        .collect()
}

/// The people's legs as routes.csv has them (bus times, vehicles); `None` when a row
/// names a school, vehicle or role the network does not have.
fn routes_of_rows(net: &Network, rows: &[RouteLegRow]) -> Option<Vec<Route>> {
    let school: HashMap<&str, SchoolId> = net
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), SchoolId::from(i)))
        .collect();
    let vehicle: HashMap<&str, VehicleId> = net
        .vehicles
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), VehicleId::from(i)))
        .collect();
    let mut by: BTreeMap<(&str, &str), Vec<&RouteLegRow>> = BTreeMap::new();
    for r in rows {
        by.entry((r.role.as_str(), r.person.as_str()))
            .or_default()
            .push(r);
    }
    let mut out = Vec::with_capacity(by.len());
    for ((role, person), mut legs) in by {
        let role = match role {
            "student" => "student",
            "teacher" => "teacher",
            _ => return None,
        };
        legs.sort_by_key(|l| l.leg);
        let legs = legs
            .iter()
            .map(|l| {
                Some(Leg {
                    from: *school.get(l.from.as_str())?,
                    to: *school.get(l.to.as_str())?,
                    depart: l.depart,
                    arrive: l.arrive,
                    vehicle: if l.vehicle.is_empty() {
                        None
                    } else {
                        Some(*vehicle.get(l.vehicle.as_str())?)
                    },
                })
            })
            .collect::<Option<Vec<Leg>>>()?;
        out.push(Route {
            person: person.to_string(),
            role,
            legs,
        });
    }
    Some(out)
}

/// `n` with the Russian word form for it: `plural(3, "место", "места", "мест")`.
fn plural(n: usize, one: &str, few: &str, many: &str) -> String {
    let word = match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    };
    format!("{n} {word}")
}

fn time(t: Option<Minute>) -> String {
    t.map_or_else(|| "—".to_string(), |t| Hhmm(t).to_string())
}

fn means(vehicle: &str) -> String {
    if vehicle.is_empty() {
        "своим ходом".to_string()
    } else {
        format!("автобус\u{a0}{vehicle}")
    }
}

/// The page body of a plan's buses and departure sheets (the caller puts it in the
/// layout, with its heading).
pub fn buses(net: &Network, tt: &TravelTimes, disk: &PlanOnDisk) -> Markup {
    let transport: &[TransportRow] = disk.transport.as_deref().unwrap_or(&[]);
    let trips = trips_by_vehicle(transport);
    let (vehicles_used, vehicle_minutes) = vehicle_figures(transport);
    let trip_count: usize = trips.values().map(Vec::len).sum();
    let rides: usize = trips.values().flatten().map(Trip::boarded).sum();

    let legs = disk
        .routes
        .as_deref()
        .and_then(|rows| routes_of_rows(net, rows))
        .unwrap_or_else(|| routes(net, tt, &disk.plan));
    let carried = legs
        .iter()
        .filter(|r| r.role == "student" && r.legs.iter().any(|l| l.vehicle.is_some()))
        .count();
    let sheets = departures(net, &legs);
    let (leaving_students, leaving_teachers) = sheets.iter().fold((0, 0), |(s, t), d| {
        if d.role == "student" {
            (s + 1, t)
        } else {
            (s, t + 1)
        }
    });
    let mut per_school: HashMap<&str, Vec<&Departure>> = HashMap::new();
    for d in &sheets {
        per_school.entry(d.school.as_str()).or_default().push(d);
    }

    let school_name: HashMap<&str, &str> = net
        .schools
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    // "№ 1" kept on one line.
    let name = |id: &str| {
        school_name
            .get(id)
            .copied()
            .unwrap_or(id)
            .replace("№ ", "№\u{a0}")
    };
    let student: HashMap<&str, usize> = net
        .students
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let teacher: HashMap<&str, usize> = net
        .teachers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let person = |d: &Departure| -> Markup {
        if d.role == "student" {
            html! {
                "ученик\u{a0}" (d.person)
                @if let Some(&i) = student.get(d.person.as_str()) {
                    span.muted { ", " (net.students[i].grade) "\u{a0}кл." }
                }
            }
        } else {
            html! {
                "учитель "
                @if let Some(&i) = teacher.get(d.person.as_str()) {
                    (net.teachers[i].name) " "
                    span.muted { "(" (d.person) ")" }
                } @else {
                    (d.person)
                }
            }
        }
    };
    // Vehicles of transport.csv the network does not list (a plan of another bundle).
    let unknown: Vec<&str> = trips
        .keys()
        .copied()
        .filter(|v| !net.vehicles.iter().any(|x| x.id == *v))
        .collect();

    // One table per vehicle, one `tbody` per trip headed by its times and load.
    let trips_table = |ts: &[Trip], seats: Option<u32>| -> Markup {
        html! {
            table.list.trips {
                thead {
                    tr {
                        th { "№" } th { "Школа" } th { "Прибытие" } th { "Отправление" }
                        th { "Садятся" } th { "Выходят" } th { "Едут дальше" }
                    }
                }
                @for t in ts {
                    @let on_board = t.on_board();
                    @let most = on_board.iter().copied().max().unwrap_or(0);
                    tbody.trip data-trip=(t.number) {
                        tr.trip-head {
                            th colspan="7" {
                                "Рейс " (t.number) ": " (time(t.start())) "–" (time(t.end()))
                                span.muted {
                                    " · " (plural(t.minutes() as usize, "минута", "минуты", "минут"))
                                    @if most == 0 {
                                        " · без пассажиров (перегон)"
                                    } @else {
                                        " · " (plural(t.boarded(), "ученик", "ученика", "учеников"))
                                        ", в автобусе до " (most)
                                        @if let Some(s) = seats { " из " (s) }
                                    }
                                }
                            }
                        }
                        @for (s, n) in t.stops.iter().zip(&on_board) {
                            tr class=[seats.filter(|&c| *n > c as usize).map(|_| "over")] {
                                td { (s.stop) }
                                td { (name(&s.school)) }
                                td { (time(s.arrive)) }
                                td { (time(s.depart)) }
                                td { (s.board) }
                                td { (s.alight) }
                                td { (n) }
                            }
                        }
                    }
                }
            }
        }
    };
    let vehicle_trips = |v: &str| -> &[Trip] { trips.get(v).map_or(&[], Vec::as_slice) };
    let trips_line = |ts: &[Trip]| -> String {
        let minutes: u32 = ts.iter().map(Trip::minutes).sum();
        let riders: usize = ts.iter().map(Trip::boarded).sum();
        format!(
            "{} · {} в пути · {} учеников",
            plural(ts.len(), "рейс", "рейса", "рейсов"),
            plural(minutes as usize, "минута", "минуты", "минут"),
            plural(riders, "посадка", "посадки", "посадок"),
        )
    };

    html! {
        section.buses-summary {
            h2 { "Автобусы и отъезды: сводка" }
            @if net.vehicles.is_empty() {
                p id="no-buses" {
                    "В сети нет автобусов (лист vehicles книги или файл vehicles.csv пуст): "
                    "ученики и учителя добираются между школами сами, по дорогам сети. "
                    "Листы отъезда ниже всё равно показывают, кто, когда и куда уезжает."
                }
            } @else if transport.is_empty() {
                p.muted { "Автобусы в этом плане не ездят: ни одного рейса." }
            }
            div.kpis {
                @if !net.vehicles.is_empty() {
                    div.kpi data-kpi="vehicles_used" {
                        div.value { (vehicles_used) " из " (net.vehicles.len()) }
                        div.label { "автобусов в работе" }
                    }
                    div.kpi data-kpi="trips" {
                        div.value { (trip_count) }
                        div.label { "рейсов" }
                    }
                    div.kpi data-kpi="vehicle_minutes" {
                        div.value { (vehicle_minutes) }
                        div.label { "минут автобусы в пути" }
                    }
                    div.kpi data-kpi="carried" {
                        div.value { (carried) }
                        div.label { "учеников везут автобусы (" (plural(rides, "посадка", "посадки", "посадок")) ")" }
                    }
                }
                div.kpi data-kpi="leaving" {
                    div.value { (leaving_students) " + " (leaving_teachers) }
                    div.label { "учеников и учителей уезжают из своей школы" }
                }
                div.kpi data-kpi="schools_leaving" {
                    div.value { (per_school.len()) }
                    div.label { "школ, из которых уезжают" }
                }
            }
        }
        @if !net.vehicles.is_empty() || !unknown.is_empty() {
            section.vehicles {
                h2 { "Рейсы автобусов" }
                p.muted { "По каждому автобусу — рейсы по времени; «садятся» и «выходят» — ученики на остановке." }
                @for v in &net.vehicles {
                    @let ts = vehicle_trips(&v.id);
                    section.vehicle data-vehicle=(v.id) {
                        h3 { "Автобус " (v.id) }
                        p.facts {
                            "База: " (net.schools[v.school.idx()].name) " · "
                            (plural(v.seats as usize, "место", "места", "мест"))
                            @if !ts.is_empty() { " · " (trips_line(ts)) }
                        }
                        @if ts.is_empty() {
                            p.muted.no-trips { "Рейсов нет: автобус весь день стоит в своей школе." }
                        }
                        @if !ts.is_empty() { (trips_table(ts, Some(v.seats))) }
                    }
                }
                @for v in &unknown {
                    @let ts = vehicle_trips(v);
                    section.vehicle data-vehicle=(v) {
                        h3 { "Автобус " (v) }
                        p.error { "Этого автобуса нет в списке автобусов сети (vehicles.csv)." }
                        p.facts { (trips_line(ts)) }
                        (trips_table(ts, None))
                    }
                }
            }
        }
        section.departures {
            h2 { "Листы отъезда по школам" }
            @if sheets.is_empty() {
                p.muted { "Никто не уезжает из своей школы: все занятия на месте или дистанционно." }
            } @else {
                p.muted { "Кто, когда и на чём уезжает из своей школы, куда и когда возвращается; по времени отъезда." }
            }
            @for s in &net.schools {
                @if let Some(ds) = per_school.get(s.id.as_str()) {
                    section.sheet data-school=(s.id) {
                        h3 { (s.name) " " span.muted { "(" (s.id) ")" } }
                        p.facts {
                            @let n = ds.iter().filter(|d| d.role == "student").count();
                            "Уезжают: " (plural(n, "ученик", "ученика", "учеников")) ", "
                            (plural(ds.len() - n, "учитель", "учителя", "учителей"))
                            @if let Some(first) = ds.first() { " · первый отъезд в " (Hhmm(first.leave)) }
                        }
                        table.list.departures {
                            thead {
                                tr {
                                    th { "Отъезд" } th { "На чём" } th { "Кто" } th { "Куда" }
                                    th { "Возвращение" } th { "Обратно" }
                                }
                            }
                            tbody {
                                @for d in ds {
                                    tr data-person=(d.person) data-role=(d.role) {
                                        td { (Hhmm(d.leave)) }
                                        td { (means(&d.vehicle)) }
                                        td { (person(d)) }
                                        td {
                                            @if d.stops.is_empty() { (name(&d.to)) }
                                            @for (i, p) in d.stops.iter().enumerate() {
                                                @if i > 0 { " → " }
                                                (name(p))
                                            }
                                        }
                                        td { (Hhmm(d.back)) }
                                        td { (means(&d.back_vehicle)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planfile::write::PlanFiles;
    use crate::solve::{solve, SolveOptions};
    use std::path::Path;
    use std::sync::OnceLock;

    /// The sample network solved briefly, its plan written, checked and read back.
    fn sample() -> &'static (Network, TravelTimes, PlanOnDisk) {
        static SAMPLE: OnceLock<(Network, TravelTimes, PlanOnDisk)> = OnceLock::new();
        SAMPLE.get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pestrechinsky");
            let (net, _) = crate::input::load(&dir).expect("the sample loads");
            let opts = SolveOptions {
                time_limit: 5.0,
                threads: 1,
                ..Default::default()
            };
            let outcome = solve(&net, &opts, &|_| {});
            let tt = TravelTimes::new(&net);
            let out = tempfile::tempdir().unwrap();
            PlanFiles::build(&net, &tt, &outcome)
                .write_checked(out.path())
                .expect("the plan passes its check");
            let disk = crate::planfile::read::read_plan(&net, out.path()).unwrap();
            (net, tt, disk)
        })
    }

    /// The text of the `<section>` whose attribute `attr` is `value` (no nested sections).
    fn section<'a>(html: &'a str, attr: &str, value: &str) -> Option<&'a str> {
        let start = html.find(&format!("{attr}=\"{value}\""))?;
        let end = html[start..].find("</section>")?;
        Some(&html[start..start + end])
    }

    #[test]
    fn every_vehicle_with_its_trips() {
        let (net, tt, disk) = sample();
        let html = buses(net, tt, disk).into_string();
        let transport = disk.transport.as_ref().expect("transport.csv");
        let mut trips: BTreeMap<&str, std::collections::BTreeSet<usize>> = BTreeMap::new();
        for r in transport {
            trips.entry(&r.vehicle).or_default().insert(r.trip);
        }
        assert!(!trips.is_empty(), "the sample plan has bus trips");
        for v in &net.vehicles {
            let s = section(&html, "data-vehicle", &v.id)
                .unwrap_or_else(|| panic!("vehicle {} is shown", v.id));
            let want = trips.get(v.id.as_str()).map_or(0, |t| t.len());
            assert_eq!(s.matches("data-trip=\"").count(), want, "trips of {}", v.id);
            assert_eq!(s.contains("Рейсов нет"), want == 0, "{}", v.id);
        }
        assert!(html.contains("рейсов"));
    }

    #[test]
    fn every_travelling_student_is_on_their_schools_sheet() {
        let (net, tt, disk) = sample();
        let html = buses(net, tt, disk).into_string();
        let legs = disk.routes.as_ref().expect("routes.csv");
        let mut seen = 0;
        for st in &net.students {
            if !legs
                .iter()
                .any(|l| l.role == "student" && l.person == st.id && l.from != l.to)
            {
                continue;
            }
            let home = &net.schools[st.school.idx()].id;
            let sheet = section(&html, "data-school", home)
                .unwrap_or_else(|| panic!("{home} has a departure sheet"));
            assert!(
                sheet.contains(&format!("data-person=\"{}\" data-role=\"student\"", st.id)),
                "student {} on the sheet of {home}",
                st.id
            );
            seen += 1;
        }
        assert!(seen > 0, "some students travel in the sample plan");
        // A school nobody leaves is not listed.
        for s in &net.schools {
            let leaves = legs.iter().any(|l| l.from == s.id && l.leg == 1);
            assert_eq!(
                section(&html, "data-school", &s.id).is_some(),
                leaves,
                "{}",
                s.id
            );
        }
    }

    #[test]
    fn names_are_escaped() {
        let (net, tt, disk) = sample();
        let mut net = net.clone();
        let home = net.vehicles[0].school.idx();
        net.schools[home].name = "<script>alert(1)</script> & Co".into();
        let html = buses(&net, tt, disk).into_string();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    }

    #[test]
    fn without_vehicles_the_sheets_are_still_there() {
        let (net, tt, disk) = sample();
        let mut net = net.clone();
        net.vehicles.clear();
        let mut disk = disk.clone();
        disk.transport = None;
        disk.routes = None;
        let html = buses(&net, tt, &disk).into_string();
        assert!(html.contains("В сети нет автобусов"));
        assert!(!html.contains("data-vehicle="));
        assert!(html.contains("data-school="));
        assert!(html.contains("своим ходом"));
    }

    #[test]
    fn russian_plurals() {
        assert_eq!(plural(1, "место", "места", "мест"), "1 место");
        assert_eq!(plural(22, "место", "места", "мест"), "22 места");
        assert_eq!(plural(12, "место", "места", "мест"), "12 мест");
        assert_eq!(plural(25, "место", "места", "мест"), "25 мест");
        assert_eq!(plural(101, "место", "места", "мест"), "101 место");
    }
}

//! Rule 8: the bus trips of transport.csv on their own, each vehicle's day, and the
//! legs of routes.csv that ride them (see the module documentation of [`super`]).

use std::collections::{BTreeMap, HashMap};

use super::days::Move;
use super::{index, Ctx, Out};
use crate::model::{Hhmm, Minute, Network};
use crate::planfile::{RouteLegRow, TransportRow};

/// One stop of a well-formed trip: its row, its school, and its times (a missing time is
/// taken from the other one, so that a trip with a reported time error is still followed).
struct TripStop<'a> {
    row: &'a TransportRow,
    school: usize,
    arrive: Minute,
    depart: Minute,
}

/// A trip of transport.csv and the riders matched to it.
struct Trip<'a> {
    vehicle: &'a str,
    number: usize,
    /// The known vehicle, if any.
    known: Option<usize>,
    stops: Vec<TripStop<'a>>,
    /// Riders on board between stop `k` and stop `k + 1`.
    load: Vec<usize>,
    board: Vec<usize>,
    alight: Vec<usize>,
}

/// Where a transport.csv row is, for messages.
fn transport_at(row: &TransportRow) -> String {
    if row.line > 0 {
        format!("transport.csv, line {}", row.line)
    } else {
        "transport.csv".to_string()
    }
}

/// The stops of trip `number` of vehicle `vid` in stop order, or `None` (reported, C0811)
/// when the trip is malformed beyond following; reports C0811 time errors and C0806.
fn trip_stops<'a>(
    net: &Network,
    travel: &[Vec<Option<u32>>],
    vid: &str,
    number: usize,
    rows: &[&'a TransportRow],
    schools: &HashMap<&str, usize>,
    out: &mut Out,
) -> Option<Vec<TripStop<'a>>> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| (r.stop, r.line));
    let name = format!("vehicle {vid} trip {number}");
    let first_line = rows
        .iter()
        .min_by_key(|r| r.line)
        .map(|r| transport_at(r))?;
    let mut ok = true;
    let numbers: Vec<usize> = rows.iter().map(|r| r.stop).collect();
    if rows.len() < 2 {
        out.push(
            8,
            "C0811",
            format!(
                "{first_line}: {name} has {} stop(s); a trip has at least 2",
                rows.len()
            ),
        );
        ok = false;
    } else if numbers.iter().enumerate().any(|(i, &n)| n != i + 1) {
        out.push(
            8,
            "C0811",
            format!(
                "{first_line}: {name} has stops numbered {}; number a trip's stops 1, 2, 3… in the order it calls at them, each once",
                numbers
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        );
        ok = false;
    }
    let last = rows.len().saturating_sub(1);
    let mut stops = Vec::with_capacity(rows.len());
    for (k, r) in rows.iter().enumerate() {
        let at = format!("{}: {name} stop {}", transport_at(r), r.stop);
        let school = schools.get(r.school.as_str()).copied();
        if school.is_none() {
            out.push(
                8,
                "C0811",
                format!("{at}: school '{}' does not exist", r.school),
            );
            ok = false;
        }
        let mut bad = |what: &str| out.push(8, "C0811", format!("{at}: {what}"));
        if k == 0 {
            if r.arrive.is_some() {
                bad("arrive must be empty at the first stop of a trip");
            }
            if r.depart.is_none() {
                bad("the first stop of a trip needs a depart time");
            }
        } else if k == last {
            if r.depart.is_some() {
                bad("depart must be empty at the last stop of a trip");
            }
            if r.arrive.is_none() {
                bad("the last stop of a trip needs an arrive time");
            }
        } else if r.arrive.is_none() || r.depart.is_none() {
            bad("a stop between the first and the last needs both arrive and depart");
        }
        if let (Some(a), Some(d)) = (r.arrive, r.depart) {
            if a > d {
                bad(&format!(
                    "arrives at {} but departs at {}",
                    Hhmm(a),
                    Hhmm(d)
                ));
            }
        }
        match (school, r.arrive.or(r.depart), r.depart.or(r.arrive)) {
            (Some(school), Some(arrive), Some(depart)) => stops.push(TripStop {
                row: r,
                school,
                arrive,
                depart,
            }),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    for w in stops.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (sa, sb) = (&net.schools[a.school].id, &net.schools[b.school].id);
        match travel[a.school][b.school] {
            None => out.push(
                8,
                "C0806",
                format!(
                    "{}: {name} goes from {sa} (stop {}) to {sb} (stop {}), but there is no travel link path between them",
                    transport_at(b.row),
                    a.row.stop,
                    b.row.stop
                ),
            ),
            Some(m) => {
                if b.arrive < a.depart || b.arrive - a.depart < m {
                    out.push(
                        8,
                        "C0806",
                        format!(
                            "{}: {name} departs {sa} (stop {}) at {} and arrives at {sb} (stop {}) at {}, but the travel takes {m} min",
                            transport_at(b.row),
                            a.row.stop,
                            Hhmm(a.depart),
                            b.row.stop,
                            Hhmm(b.arrive)
                        ),
                    );
                }
            }
        }
    }
    Some(stops)
}

/// Follows a known vehicle through its trips (in trip order): C0807–C0810.
fn vehicle_chain(net: &Network, v: usize, trips: &[&Trip], out: &mut Out) {
    let (Some(first), Some(last)) = (trips.first(), trips.last()) else {
        return;
    };
    let veh = &net.vehicles[v];
    let base = veh.school.idx();
    let base_id = &net.schools[base].id;
    let start = &first.stops[0];
    if start.school != base {
        out.push(
            8,
            "C0808",
            format!(
                "{}: vehicle {} trip {} starts at {}, but the vehicle is based at {base_id}: its first trip starts at its base (write the empty run as a trip)",
                transport_at(start.row),
                veh.id,
                first.number,
                net.schools[start.school].id
            ),
        );
    }
    if start.depart < net.day_start {
        out.push(
            8,
            "C0810",
            format!(
                "{}: vehicle {} trip {} departs at {}, before the day starts ({})",
                transport_at(start.row),
                veh.id,
                first.number,
                Hhmm(start.depart),
                Hhmm(net.day_start)
            ),
        );
    }
    for w in trips.windows(2) {
        let (a, b) = (w[0], w[1]);
        let end = a.stops.last().expect("a trip has stops");
        let next = &b.stops[0];
        if next.school != end.school {
            out.push(
                8,
                "C0808",
                format!(
                    "{}: vehicle {} trip {} starts at {}, but its trip {} ended at {}: a vehicle's trips chain (write the empty run as a trip)",
                    transport_at(next.row),
                    veh.id,
                    b.number,
                    net.schools[next.school].id,
                    a.number,
                    net.schools[end.school].id
                ),
            );
        }
        if next.depart < end.arrive {
            out.push(
                8,
                "C0807",
                format!(
                    "{}: vehicle {} is in two trips at once: trip {} departs at {}, before trip {} arrives at {}",
                    transport_at(next.row),
                    veh.id,
                    b.number,
                    Hhmm(next.depart),
                    a.number,
                    Hhmm(end.arrive)
                ),
            );
        }
    }
    let end = last.stops.last().expect("a trip has stops");
    if end.school != base {
        out.push(
            8,
            "C0809",
            format!(
                "{}: vehicle {}'s last trip ({}) ends at {}, but the vehicle is based at {base_id}: it must return there",
                transport_at(end.row),
                veh.id,
                last.number,
                net.schools[end.school].id
            ),
        );
    }
    if end.arrive > net.day_end {
        out.push(
            8,
            "C0810",
            format!(
                "{}: vehicle {} trip {} arrives at {}, after the day ends ({})",
                transport_at(end.row),
                veh.id,
                last.number,
                Hhmm(end.arrive),
                Hhmm(net.day_end)
            ),
        );
    }
}

/// Rule 8: the trips of transport.csv on their own, then the legs of routes.csv that
/// ride them (see the module documentation).
pub(super) fn check_vehicles(
    ctx: &Ctx<'_>,
    routes: Option<&[RouteLegRow]>,
    transport: &[TransportRow],
    moves: &HashMap<(bool, usize), Vec<Move>>,
    out: &mut Out,
) {
    let Ctx {
        net,
        ref travel,
        ref schools,
        ..
    } = *ctx;
    let vehicles = index(net.vehicles.iter().map(|v| v.id.as_str()));
    let unknown = |id: &str| -> String {
        if net.vehicles.is_empty() {
            format!("vehicle '{id}' is not in vehicles.csv: the bundle has no vehicles")
        } else {
            format!("vehicle '{id}' is not in vehicles.csv")
        }
    };

    // Rows by vehicle, then by trip number.
    let mut by_vehicle: BTreeMap<&str, BTreeMap<usize, Vec<&TransportRow>>> = BTreeMap::new();
    for r in transport {
        by_vehicle
            .entry(r.vehicle.as_str())
            .or_default()
            .entry(r.trip)
            .or_default()
            .push(r);
    }
    let mut trips: Vec<Trip> = Vec::new();
    // Vehicle id -> its well-formed trips (indices into `trips`), in trip order.
    let mut trips_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (&vid, vtrips) in &by_vehicle {
        let known = vehicles.get(vid).copied();
        if known.is_none() {
            let first = vtrips
                .values()
                .flatten()
                .min_by_key(|r| r.line)
                .expect("a vehicle with rows");
            out.push(
                8,
                "C0802",
                format!(
                    "{}: {} (it has {} trip(s) in transport.csv)",
                    transport_at(first),
                    unknown(vid),
                    vtrips.len()
                ),
            );
        }
        let numbers: Vec<usize> = vtrips.keys().copied().collect();
        let mut whole = numbers.iter().enumerate().all(|(i, &n)| n == i + 1);
        if !whole {
            out.push(
                8,
                "C0811",
                format!(
                    "transport.csv: vehicle {vid} has trips numbered {}; number a vehicle's trips 1, 2, 3… in time order",
                    numbers
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
        }
        let mine = trips_of.entry(vid).or_default();
        for (&number, rows) in vtrips {
            match trip_stops(net, travel, vid, number, rows, schools, out) {
                Some(stops) => {
                    let n = stops.len();
                    mine.push(trips.len());
                    trips.push(Trip {
                        vehicle: vid,
                        number,
                        known,
                        stops,
                        load: vec![0; n - 1],
                        board: vec![0; n],
                        alight: vec![0; n],
                    });
                }
                None => whole = false,
            }
        }
        if let (Some(v), true) = (known, whole) {
            let chain: Vec<&Trip> = mine.iter().map(|&t| &trips[t]).collect();
            vehicle_chain(net, v, &chain, out);
        }
    }

    // The riders.
    match routes {
        Some(routes) => {
            for r in routes {
                let name = format!("routes.csv: {} {} leg {}", r.role, r.person, r.leg);
                if r.vehicle.is_empty() {
                    if r.role == "student" && r.from != r.to && !net.vehicles.is_empty() {
                        out.push(
                            8,
                            "C0801",
                            format!(
                                "{name} from {} to {} ({}-{}) rides no vehicle; with vehicles.csv every student leg between two schools rides a vehicle trip",
                                r.from,
                                r.to,
                                Hhmm(r.depart),
                                Hhmm(r.arrive)
                            ),
                        );
                    }
                    continue;
                }
                if !vehicles.contains_key(r.vehicle.as_str()) {
                    out.push(8, "C0802", format!("{name}: {}", unknown(&r.vehicle)));
                    continue;
                }
                // Unknown schools are reported under rule 7 (C0706).
                let (Some(&from), Some(&to)) =
                    (schools.get(r.from.as_str()), schools.get(r.to.as_str()))
                else {
                    continue;
                };
                let ride = trips_of.get(r.vehicle.as_str()).and_then(|ts| {
                    ts.iter().find_map(|&t| {
                        let st = &trips[t].stops;
                        (0..st.len()).find_map(|i| {
                            if st[i].school != from || st[i].row.depart != Some(r.depart) {
                                return None;
                            }
                            (i + 1..st.len())
                                .find(|&j| st[j].school == to && st[j].row.arrive == Some(r.arrive))
                                .map(|j| (t, i, j))
                        })
                    })
                });
                match ride {
                    Some((t, i, j)) => {
                        let trip = &mut trips[t];
                        for l in &mut trip.load[i..j] {
                            *l += 1;
                        }
                        trip.board[i] += 1;
                        trip.alight[j] += 1;
                    }
                    None => out.push(
                        8,
                        "C0803",
                        format!(
                            "{name} rides vehicle {} from {} at {} to {} at {}, but no trip of {} departs {} at {} and later arrives at {} at {}",
                            r.vehicle,
                            r.from,
                            Hhmm(r.depart),
                            r.to,
                            Hhmm(r.arrive),
                            r.vehicle,
                            r.from,
                            Hhmm(r.depart),
                            r.to,
                            Hhmm(r.arrive)
                        ),
                    ),
                }
            }
        }
        None if !net.vehicles.is_empty() => {
            let mut keys: Vec<usize> = moves
                .keys()
                .filter(|(student, _)| *student)
                .map(|&(_, s)| s)
                .collect();
            keys.sort_unstable();
            for s in keys {
                for mv in &moves[&(true, s)] {
                    out.push(
                        8,
                        "C0801",
                        format!(
                            "student {} must travel from {} to {} between {} and {}, but the plan has no routes.csv: with vehicles.csv every student leg between two schools rides a vehicle trip",
                            net.students[s].id,
                            net.schools[mv.from].id,
                            net.schools[mv.to].id,
                            Hhmm(mv.window.0),
                            Hhmm(mv.window.1)
                        ),
                    );
                }
            }
        }
        None => {}
    }

    // Seats and board/alight counts (trips of unknown vehicles were reported above).
    for trip in &trips {
        let Some(v) = trip.known else { continue };
        let seats = net.vehicles[v].seats as usize;
        let name = format!("vehicle {} trip {}", trip.vehicle, trip.number);
        for (k, &load) in trip.load.iter().enumerate() {
            if load > seats {
                let (a, b) = (&trip.stops[k], &trip.stops[k + 1]);
                out.push(
                    8,
                    "C0804",
                    format!(
                        "{}: {name} carries {load} rider(s) from {} (stop {}) to {} (stop {}), but it has {seats} seats",
                        transport_at(a.row),
                        net.schools[a.school].id,
                        a.row.stop,
                        net.schools[b.school].id,
                        b.row.stop
                    ),
                );
            }
        }
        for (k, st) in trip.stops.iter().enumerate() {
            let (board, alight) = (trip.board[k], trip.alight[k]);
            if st.row.board != board || st.row.alight != alight {
                out.push(
                    8,
                    "C0805",
                    format!(
                        "{}: {name} stop {} at {} says board {}, alight {}, but routes.csv has {board} rider(s) boarding and {alight} leaving there",
                        transport_at(st.row),
                        st.row.stop,
                        net.schools[st.school].id,
                        st.row.board,
                        st.row.alight
                    ),
                );
            }
        }
    }
}

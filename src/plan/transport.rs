//! School-bus trips for a plan (SPEC §3 rule 8): every student leg between two schools
//! rides a vehicle trip with a seat.
//!
//! Each leg of a student's day is a *request*: from, to, ready (the end of the stay
//! before, or `day_start`) and due (the start of the stay after, or `day_end`).
//!
//! 1. **Trips without vehicles.** Legs towards a host school are gathered into *collect*
//!    trips: several pick-up stops, one drop-off, arriving just before the earliest due
//!    of its riders. Legs home are gathered into *distribute* trips: one pick-up at the
//!    host, several drop-offs, leaving when the last rider's group has ended. A
//!    distribute trip is a collect trip with time and direction reversed, so one routine
//!    builds both. A new stop goes where it adds the fewest minutes. Nobody waits more
//!    than `[transport] max_wait` minutes (network.toml) for the bus or at the host, and nobody rides more than
//!    [`ride_limit`] of the direct time.
//! 2. **Vehicles.** Trips in order of departure each take a vehicle that can reach the
//!    first stop in time (an empty run from where it is), is big enough and can still
//!    get back to its base by `day_end`: a vehicle already in use before a fresh one
//!    (fewest vehicles), then the shortest empty run, then the closest fit of seats. A
//!    trip larger than every free vehicle is split; riders no free vehicle can carry
//!    are a [`Shortage`], with what would carry them.
//! 3. **Every vehicle's day** is a chain of trips from its base back to its base,
//!    empty runs included (transport.csv).
//!
//! [`fit_fleet`] drops the placements whose legs no vehicle carries until every leg
//! rides, so the plan obeys rule 8, and keeps the shortages for the report.

use std::collections::BTreeMap;

use crate::graph::TravelTimes;
use crate::model::{Hhmm, Minute, Network, SchoolId, StudentId, VehicleId};
use crate::plan::{leg_windows, Plan, Stay};

/// The longest ride, in minutes, on a trip with other stops, for a leg whose direct
/// travel time is `direct`: half as long again, at least a quarter of an hour more.
pub fn ride_limit(direct: i64) -> i64 {
    direct + (direct / 2).max(15)
}

/// A student leg between two schools.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub student: StudentId,
    /// 0-based leg of the student's day.
    pub leg: usize,
    pub from: SchoolId,
    pub to: SchoolId,
    /// Earliest departure.
    pub ready: Minute,
    /// Latest arrival.
    pub due: Minute,
}

/// A stop of a trip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    pub school: SchoolId,
    /// `None` at the first stop.
    pub arrive: Option<Minute>,
    /// `None` at the last stop.
    pub depart: Option<Minute>,
    pub board: u32,
    pub alight: u32,
}

/// A trip of one vehicle; `number` is 1-based in the vehicle's day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trip {
    pub vehicle: VehicleId,
    pub number: usize,
    pub stops: Vec<Stop>,
}

impl Trip {
    pub fn start(&self) -> Minute {
        self.stops[0].depart.unwrap_or(0)
    }

    pub fn end(&self) -> Minute {
        self.stops.last().and_then(|s| s.arrive).unwrap_or(0)
    }

    pub fn minutes(&self) -> u64 {
        (self.end() - self.start()) as u64
    }

    pub fn riders(&self) -> u32 {
        self.stops.iter().map(|s| s.board).sum()
    }
}

/// Where and when a request rides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ride {
    pub vehicle: VehicleId,
    pub depart: Minute,
    pub arrive: Minute,
}

/// Legs no vehicle carried: one (from, to, ready, due) flow, and what would carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortage {
    pub from: SchoolId,
    pub to: SchoolId,
    pub ready: Minute,
    pub due: Minute,
    pub students: Vec<StudentId>,
    /// Seats missing: `students.len()`.
    pub seats: usize,
    /// Where the missing vehicle (or seats) would have to be, and when.
    pub at: SchoolId,
    pub from_time: Minute,
    pub until: Minute,
    /// A plain-language cure.
    pub cure: String,
}

/// The bus plan of a plan.
#[derive(Clone, Debug, Default)]
pub struct Transport {
    pub requests: Vec<Request>,
    /// Per request.
    pub rides: Vec<Option<Ride>>,
    /// By vehicle, then number.
    pub trips: Vec<Trip>,
    pub shortages: Vec<Shortage>,
}

impl Transport {
    /// This bus plan of `old`'s vehicles with them indexed as in `new` (matched by id);
    /// trips and rides of vehicles `new` does not have are left out.
    pub fn for_vehicles_of(mut self, old: &Network, new: &Network) -> Transport {
        let map: Vec<Option<VehicleId>> = old
            .vehicles
            .iter()
            .map(|v| {
                new.vehicles
                    .iter()
                    .position(|w| w.id == v.id)
                    .map(VehicleId::from)
            })
            .collect();
        let at = |v: VehicleId| map.get(v.idx()).copied().flatten();
        self.trips.retain(|t| at(t.vehicle).is_some());
        for t in &mut self.trips {
            t.vehicle = at(t.vehicle).unwrap_or(t.vehicle);
        }
        for r in &mut self.rides {
            *r = r.and_then(|x| at(x.vehicle).map(|vehicle| Ride { vehicle, ..x }));
        }
        self
    }

    pub fn vehicles_used(&self) -> usize {
        let mut v: Vec<VehicleId> = self.trips.iter().map(|t| t.vehicle).collect();
        v.dedup();
        v.len()
    }

    pub fn vehicle_minutes(&self) -> u64 {
        self.trips.iter().map(Trip::minutes).sum()
    }

    /// The ride of `student`'s leg `leg`, if it rides.
    pub fn ride_of(&self, student: StudentId, leg: usize) -> Option<Ride> {
        let i = self
            .requests
            .binary_search_by_key(&(student, leg), |r| (r.student, r.leg))
            .ok()?;
        self.rides[i]
    }
}

/// The legs of every student's day as requests, by student then leg.
pub fn requests(net: &Network, student_stays: &[Vec<Stay>]) -> Vec<Request> {
    let mut out = Vec::new();
    for (s, stays) in student_stays.iter().enumerate() {
        let home = net.students[s].school;
        for (leg, w) in leg_windows(net, home, stays).into_iter().enumerate() {
            out.push(Request {
                student: StudentId::from(s),
                leg,
                from: w.from,
                to: w.to,
                ready: w.ready,
                due: w.due,
            });
        }
    }
    out
}

/// A trip being formed, in "collect" coordinates: origins in order, then `dest`,
/// arriving at `arrive`. For a distribute trip times are negated and the direction
/// reversed (see the module doc).
#[derive(Clone, Debug)]
struct Draft {
    reversed: bool,
    max_wait: i64,
    dest: SchoolId,
    arrive: i64,
    origins: Vec<SchoolId>,
    /// (request, origin position)
    riders: Vec<(usize, usize)>,
}

/// A request in collect coordinates.
#[derive(Clone, Copy, Debug)]
struct Ask {
    req: usize,
    origin: SchoolId,
    dest: SchoolId,
    ready: i64,
    due: i64,
}

fn tt_of(tt: &TravelTimes, a: SchoolId, b: SchoolId) -> i64 {
    tt.get(a, b).map_or(i64::MAX / 4, i64::from)
}

impl Draft {
    /// Departure (collect coordinates) from each origin.
    fn departures(&self, tt: &TravelTimes, origins: &[SchoolId]) -> Vec<i64> {
        let mut out = vec![0; origins.len()];
        let mut t = self.arrive;
        let mut next = self.dest;
        for (i, &o) in origins.iter().enumerate().rev() {
            t -= tt_of(tt, o, next);
            out[i] = t;
            next = o;
        }
        out
    }

    /// Whether every rider (and `extra`, boarding at its origin) is served by the trip
    /// with `origins`.
    fn feasible(
        &self,
        tt: &TravelTimes,
        asks: &[Ask],
        origins: &[SchoolId],
        riders: impl Iterator<Item = usize>,
    ) -> bool {
        let dep = self.departures(tt, origins);
        riders.into_iter().all(|a| {
            let ask = &asks[a];
            let Some(p) = origins.iter().position(|&o| o == ask.origin) else {
                return false;
            };
            let direct = tt_of(tt, ask.origin, self.dest);
            ask.ready <= dep[p]
                && self.arrive <= ask.due
                && ask.due - self.arrive <= self.max_wait
                && self.arrive - dep[p] <= ride_limit(direct)
        })
    }

    /// Tries to add up to `room` riders of `group` (asks with one origin, due and
    /// ready); returns how many joined.
    fn try_add(&mut self, tt: &TravelTimes, asks: &[Ask], group: &[usize], room: usize) -> usize {
        if room == 0 || group.is_empty() {
            return 0;
        }
        let o = asks[group[0]].origin;
        let mut best: Option<(i64, Vec<SchoolId>)> = None;
        if self.origins.contains(&o) {
            best = Some((0, self.origins.clone()));
        } else {
            let path_len = |os: &[SchoolId]| -> i64 {
                os.windows(2).map(|w| tt_of(tt, w[0], w[1])).sum::<i64>()
                    + os.last().map_or(0, |&l| tt_of(tt, l, self.dest))
            };
            let base = path_len(&self.origins);
            for pos in 0..=self.origins.len() {
                let mut os = self.origins.clone();
                os.insert(pos, o);
                let added = path_len(&os) - base;
                if best.as_ref().is_none_or(|b| added < b.0) {
                    best = Some((added, os));
                }
            }
        }
        let Some((_, origins)) = best else {
            return 0;
        };
        let riders = self.riders.iter().map(|r| r.0).chain([group[0]]);
        if !self.feasible(tt, asks, &origins, riders) {
            return 0;
        }
        let n = room.min(group.len());
        self.origins = origins;
        for &a in &group[..n] {
            self.riders.push((a, 0));
        }
        for r in &mut self.riders {
            r.1 = self
                .origins
                .iter()
                .position(|&x| x == asks[r.0].origin)
                .unwrap_or(0);
        }
        n
    }
}

/// A trip with real times, before it has a vehicle.
#[derive(Clone, Debug)]
struct Leaf {
    /// (school, arrive, depart)
    stops: Vec<(SchoolId, Option<i64>, Option<i64>)>,
    /// (request, board stop, alight stop)
    riders: Vec<(usize, usize, usize)>,
}

impl Leaf {
    fn start(&self) -> i64 {
        self.stops[0].2.unwrap_or(0)
    }

    fn end(&self) -> i64 {
        self.stops.last().and_then(|s| s.1).unwrap_or(0)
    }

    fn from_draft(d: &Draft, tt: &TravelTimes, asks: &[Ask]) -> Leaf {
        let dep = d.departures(tt, &d.origins);
        let k = d.origins.len();
        // Collect order: origins 0..k, then dest at index k.
        let mut stops: Vec<(SchoolId, Option<i64>, Option<i64>)> = d
            .origins
            .iter()
            .enumerate()
            .map(|(i, &o)| (o, (i > 0).then_some(dep[i]), Some(dep[i])))
            .collect();
        stops.push((d.dest, Some(d.arrive), None));
        let mut riders: Vec<(usize, usize, usize)> =
            d.riders.iter().map(|&(a, p)| (asks[a].req, p, k)).collect();
        if d.reversed {
            stops.reverse();
            for s in &mut stops {
                let (school, arr, dep) = *s;
                *s = (school, dep.map(|t| -t), arr.map(|t| -t));
            }
            for r in &mut riders {
                *r = (r.0, k - r.2, k - r.1);
            }
        }
        riders.sort_unstable();
        Leaf { stops, riders }
    }

    /// The riders `keep` of this trip, with stops where nobody boards or alights dropped
    /// (times stay: leaving out a stop never makes a trip slower than the roads).
    fn subset(&self, keep: &[(usize, usize, usize)]) -> Leaf {
        let used: Vec<bool> = (0..self.stops.len())
            .map(|i| keep.iter().any(|r| r.1 == i || r.2 == i))
            .collect();
        let mut map = vec![usize::MAX; self.stops.len()];
        let mut stops = Vec::new();
        for (i, s) in self.stops.iter().enumerate() {
            if used[i] {
                map[i] = stops.len();
                stops.push(*s);
            }
        }
        if let Some(f) = stops.first_mut() {
            f.1 = None;
        }
        if let Some(l) = stops.last_mut() {
            l.2 = None;
        }
        Leaf {
            stops,
            riders: keep.iter().map(|&(r, b, a)| (r, map[b], map[a])).collect(),
        }
    }
}

/// Builds trips and assigns vehicles for the student legs of `student_stays`.
pub fn build(net: &Network, tt: &TravelTimes, student_stays: &[Vec<Stay>]) -> Transport {
    build_keeping(net, tt, student_stays, None)
}

/// See [`build_keeping`]: a fresh bus plan must seat more legs by one in this many.
const FRESH_GAIN: usize = 50;

/// As [`build`], but first keeps the trips of `template` (a bus plan of an earlier plan,
/// its vehicles indexed for `net`) for the legs that still ride them: a leg of the
/// same student between the same schools whose window (and `max_wait`) still allows the
/// old ride. A kept trip keeps its stops and times, with the riders it still has; one
/// the roads of `net` no longer allow, or that no longer chains with its vehicle's other
/// kept trips, is left out. The other legs get trips as [`build`] makes them, in the
/// vehicles' time left.
///
/// Seats come first: when keeping leaves many more legs without a seat (one in
/// [`FRESH_GAIN`] of all legs) than a bus plan made afresh, the fresh one is taken. (A
/// fresh plan for a few more seats moved everyone's trips: on the re-planning benchmark
/// it lost placements and doubled changes.csv.)
pub fn build_keeping(
    net: &Network,
    tt: &TravelTimes,
    student_stays: &[Vec<Stay>],
    template: Option<&Transport>,
) -> Transport {
    let kept = build_with(net, tt, student_stays, template);
    if template.is_none() || kept.shortages.is_empty() {
        return kept;
    }
    let fresh = build_with(net, tt, student_stays, None);
    let short = |t: &Transport| t.rides.iter().filter(|r| r.is_none()).count();
    if short(&fresh) + (kept.requests.len() / FRESH_GAIN).max(1) <= short(&kept) {
        fresh
    } else {
        kept
    }
}

fn build_with(
    net: &Network,
    tt: &TravelTimes,
    student_stays: &[Vec<Stay>],
    template: Option<&Transport>,
) -> Transport {
    let requests = requests(net, student_stays);
    let mut rides = vec![None; requests.len()];
    if requests.is_empty() {
        return Transport {
            requests,
            rides,
            ..Default::default()
        };
    }
    let max_seats = net
        .vehicles
        .iter()
        .map(|v| v.seats as usize)
        .max()
        .unwrap_or(0);
    let (days, kept) = match template {
        Some(t) => kept_days(net, tt, &requests, t),
        None => (
            vec![Vec::new(); net.vehicles.len()],
            vec![false; requests.len()],
        ),
    };
    let rest: Vec<usize> = (0..requests.len()).filter(|&r| !kept[r]).collect();
    let leaves = if max_seats == 0 || rest.is_empty() {
        Vec::new()
    } else {
        let sub: Vec<Request> = rest.iter().map(|&r| requests[r].clone()).collect();
        let mut leaves = form_trips(net, tt, &sub, max_seats);
        for leaf in &mut leaves {
            for x in &mut leaf.riders {
                x.0 = rest[x.0];
            }
            leaf.riders.sort_unstable();
        }
        leaves
    };
    // Trips take vehicles in time order, and once more biggest first (then in time
    // order); the order that seats more riders wins. Time order wastes no bus time on
    // empty runs early in the day, biggest first keeps buses for the full trips when
    // seats are short (small trips then fill the gaps).
    let mut trips = Vec::new();
    let mut seated = 0;
    for (i, big_first) in [false, true].into_iter().enumerate() {
        let mut r = vec![None; requests.len()];
        let t = assign_vehicles(
            net,
            tt,
            &requests,
            leaves.clone(),
            &mut r,
            days.clone(),
            big_first,
        );
        let n = r.iter().filter(|x| x.is_some()).count();
        if i == 0 || n > seated {
            (trips, rides, seated) = (t, r, n);
        }
        if seated == requests.len() {
            break;
        }
    }
    let mut missing: Vec<usize> = (0..requests.len())
        .filter(|&r| rides[r].is_none())
        .collect();
    missing.sort_by_key(|&r| {
        let q = &requests[r];
        (q.from, q.to, q.ready, q.due, q.student)
    });
    let shortages = shortages(net, &requests, &missing);
    Transport {
        requests,
        rides,
        trips,
        shortages,
    }
}

/// The trips of `template` kept for `requests` (see [`build_keeping`]), per vehicle of
/// `net` in time order, each rider a request index; and per request whether it rides one.
fn kept_days(
    net: &Network,
    tt: &TravelTimes,
    requests: &[Request],
    template: &Transport,
) -> (Vec<Vec<Leaf>>, Vec<bool>) {
    let max_wait = i64::from(net.tuning.max_wait);
    // New requests by (student, from, to).
    let mut wanted: BTreeMap<(StudentId, SchoolId, SchoolId), Vec<usize>> = BTreeMap::new();
    for (i, q) in requests.iter().enumerate() {
        wanted.entry((q.student, q.from, q.to)).or_default().push(i);
    }
    // The template's rides by vehicle.
    let mut rides_of: Vec<Vec<usize>> = vec![Vec::new(); net.vehicles.len()];
    for (r, ride) in template.rides.iter().enumerate() {
        if let Some(x) = ride.filter(|x| x.vehicle.idx() < rides_of.len()) {
            rides_of[x.vehicle.idx()].push(r);
        }
    }
    let mut taken = vec![false; requests.len()];
    let mut days: Vec<Vec<Leaf>> = vec![Vec::new(); net.vehicles.len()];
    for trip in &template.trips {
        if trip.vehicle.idx() >= net.vehicles.len() || trip.riders() == 0 {
            continue;
        }
        let stops: Vec<(SchoolId, Option<i64>, Option<i64>)> = trip
            .stops
            .iter()
            .map(|s| (s.school, s.arrive.map(i64::from), s.depart.map(i64::from)))
            .collect();
        // The roads of `net` must still allow every stretch.
        let roads = stops.windows(2).all(|w| {
            matches!((w[0].2, w[1].1, tt.get(w[0].0, w[1].0)),
                (Some(d), Some(a), Some(m)) if a - d >= i64::from(m))
        });
        if !roads {
            continue;
        }
        let mut riders: Vec<(usize, usize, usize)> = Vec::new();
        for &ri in &rides_of[trip.vehicle.idx()] {
            let (r, Some(ride)) = (&template.requests[ri], template.rides[ri]) else {
                continue;
            };
            let (dep, arr) = (i64::from(ride.depart), i64::from(ride.arrive));
            let Some(b) = stops.iter().position(|s| s.0 == r.from && s.2 == Some(dep)) else {
                continue;
            };
            let Some(a) =
                (b + 1..stops.len()).find(|&a| stops[a].0 == r.to && stops[a].1 == Some(arr))
            else {
                continue;
            };
            let Some(cands) = wanted.get(&(r.student, r.from, r.to)) else {
                continue;
            };
            let home = net.students[r.student.idx()].school;
            let fits = |q: &Request| {
                let (ready, due) = (i64::from(q.ready), i64::from(q.due));
                ready <= dep
                    && arr <= due
                    && if q.to == home {
                        dep - ready <= max_wait
                    } else {
                        due - arr <= max_wait
                    }
            };
            if let Some(&q) = cands.iter().find(|&&q| !taken[q] && fits(&requests[q])) {
                taken[q] = true;
                riders.push((q, b, a));
            }
        }
        if riders.is_empty() {
            continue;
        }
        riders.sort_unstable();
        let leaf = Leaf { stops, riders };
        // It must chain, as it is, with the vehicle's kept trips, from and back to its
        // base.
        let base = net.vehicles[trip.vehicle.idx()].school;
        let day = &mut days[trip.vehicle.idx()];
        let (start, end) = (i64::from(net.day_start), i64::from(net.day_end));
        match fit_in_day(tt, base, day, &leaf, (0, 0), start, end) {
            Some((_, _, gap)) => day.insert(gap, leaf),
            None => {
                for &(q, _, _) in &leaf.riders {
                    taken[q] = false;
                }
            }
        }
    }
    (days, taken)
}

/// Step 1 of the module doc: drafts, collect and distribute, with at most `cap` riders.
fn form_trips(net: &Network, tt: &TravelTimes, requests: &[Request], cap: usize) -> Vec<Leaf> {
    let home = |r: &Request| net.students[r.student.idx()].school;
    let mut asks = Vec::with_capacity(requests.len());
    let mut reversed = Vec::with_capacity(requests.len());
    for (i, r) in requests.iter().enumerate() {
        let rev = r.to == home(r);
        reversed.push(rev);
        asks.push(if rev {
            Ask {
                req: i,
                origin: r.to,
                dest: r.from,
                ready: -i64::from(r.due),
                due: -i64::from(r.ready),
            }
        } else {
            Ask {
                req: i,
                origin: r.from,
                dest: r.to,
                ready: i64::from(r.ready),
                due: i64::from(r.due),
            }
        });
    }
    // Flows: same direction kind, destination, due, origin, ready.
    let mut flows: BTreeMap<(bool, SchoolId, i64, SchoolId, i64), Vec<usize>> = BTreeMap::new();
    for (i, a) in asks.iter().enumerate() {
        flows
            .entry((reversed[i], a.dest, a.due, a.origin, a.ready))
            .or_default()
            .push(i);
    }
    let mut leaves = Vec::new();
    let mut open: Vec<Draft> = Vec::new();
    let mut key_of_open: Option<(bool, SchoolId)> = None;
    for (&(rev, dest, due, _, _), members) in &flows {
        if key_of_open != Some((rev, dest)) {
            leaves.extend(open.drain(..).map(|d| Leaf::from_draft(&d, tt, &asks)));
            key_of_open = Some((rev, dest));
        }
        let mut rest: &[usize] = members;
        for d in open.iter_mut() {
            if rest.is_empty() {
                break;
            }
            let room = cap.saturating_sub(d.riders.len());
            let n = d.try_add(tt, &asks, rest, room);
            rest = &rest[n..];
        }
        while !rest.is_empty() {
            let mut d = Draft {
                reversed: rev,
                max_wait: i64::from(net.tuning.max_wait),
                dest,
                arrive: due,
                origins: Vec::new(),
                riders: Vec::new(),
            };
            let n = d.try_add(tt, &asks, rest, cap);
            if n == 0 {
                // Cannot happen for a leg the day allows; leave it without a ride.
                break;
            }
            rest = &rest[n..];
            open.push(d);
        }
    }
    leaves.extend(open.drain(..).map(|d| Leaf::from_draft(&d, tt, &asks)));
    leaves
}

impl Leaf {
    /// How far (minutes) the whole trip may move in time, earlier (negative) or later,
    /// and still serve every rider within their window and `max_wait`.
    fn slack(&self, net: &Network, requests: &[Request]) -> (i64, i64) {
        let (mut lo, mut hi) = (i64::MIN / 4, i64::MAX / 4);
        for &(r, b, a) in &self.riders {
            let q = &requests[r];
            let dep = self.stops[b].2.unwrap_or(0);
            let arr = self.stops[a].1.unwrap_or(0);
            let (ready, due) = (i64::from(q.ready), i64::from(q.due));
            lo = lo.max(ready - dep);
            hi = hi.min(due - arr);
            if q.to == net.students[q.student.idx()].school {
                // Waiting at the host for the bus home.
                hi = hi.min(ready + i64::from(net.tuning.max_wait) - dep);
            } else {
                // Waiting at the host for the group.
                lo = lo.max(due - i64::from(net.tuning.max_wait) - arr);
            }
        }
        lo = lo.max(i64::from(net.day_start) - self.start());
        hi = hi.min(i64::from(net.day_end) - self.end());
        (lo, hi)
    }

    fn shifted(&self, by: i64) -> Leaf {
        let mut l = self.clone();
        for s in &mut l.stops {
            s.1 = s.1.map(|t| t + by);
            s.2 = s.2.map(|t| t + by);
        }
        l
    }
}

/// The best place for `leaf` in a vehicle's day `day` (trips in time order): the shift
/// closest to none and the empty-run minutes it adds, or `None`.
fn fit_in_day(
    tt: &TravelTimes,
    base: SchoolId,
    day: &[Leaf],
    leaf: &Leaf,
    slack: (i64, i64),
    day_start: i64,
    day_end: i64,
) -> Option<(i64, i64, usize)> {
    let first = leaf.stops[0].0;
    let last = leaf.stops.last().map_or(first, |s| s.0);
    let mut best: Option<(i64, i64, usize)> = None;
    for gap in 0..=day.len() {
        let (pa, fa) = match gap.checked_sub(1) {
            Some(i) => (day[i].stops.last().map_or(base, |s| s.0), day[i].end()),
            None => (base, day_start),
        };
        let (pb, sb) = match day.get(gap) {
            Some(n) => (n.stops[0].0, n.start()),
            None => (base, day_end),
        };
        let lo = slack.0.max(fa + tt_of(tt, pa, first) - leaf.start());
        let hi = slack.1.min(sb - tt_of(tt, last, pb) - leaf.end());
        if lo > hi {
            continue;
        }
        let shift = if lo > 0 {
            lo
        } else if hi < 0 {
            hi
        } else {
            0
        };
        let added = tt_of(tt, pa, first) + tt_of(tt, last, pb) - tt_of(tt, pa, pb);
        let key = (added, shift.abs(), gap);
        if best.is_none_or(|b| key < (b.1, b.0.abs(), b.2)) {
            best = Some((shift, added, gap));
        }
    }
    best
}

/// Steps 2 and 3 of the module doc.
fn assign_vehicles(
    net: &Network,
    tt: &TravelTimes,
    requests: &[Request],
    mut leaves: Vec<Leaf>,
    rides: &mut [Option<Ride>],
    mut days: Vec<Vec<Leaf>>,
    big_first: bool,
) -> Vec<Trip> {
    let day_start = i64::from(net.day_start);
    let day_end = i64::from(net.day_end);
    // Trips already in the vehicles' days (kept from a template) have their riders.
    for (vi, day) in days.iter().enumerate() {
        for leaf in day {
            for &(r, b, a) in &leaf.riders {
                rides[r] = Some(Ride {
                    vehicle: VehicleId::from(vi),
                    depart: leaf.stops[b].2.unwrap_or(0) as Minute,
                    arrive: leaf.stops[a].1.unwrap_or(0) as Minute,
                });
            }
        }
    }
    // Biggest loads first at equal times, so that the big buses go to them.
    let load = |l: &Leaf| std::cmp::Reverse(if big_first { l.riders.len() } else { 0 });
    leaves.sort_by(|a, b| {
        (
            load(a),
            a.start(),
            std::cmp::Reverse(a.riders.len()),
            a.end(),
            a.stops[0].0,
            &a.riders,
        )
            .cmp(&(
                load(b),
                b.start(),
                std::cmp::Reverse(b.riders.len()),
                b.end(),
                b.stops[0].0,
                &b.riders,
            ))
    });
    for leaf in leaves {
        let mut leaf = leaf;
        loop {
            let load = leaf.riders.len();
            let slack = leaf.slack(net, requests);
            // Big enough first; among those a vehicle already in use, then the fewest
            // empty-run minutes added, the smallest shift, the closest fit of seats.
            type Key = (bool, bool, i64, i64, usize, usize);
            let mut best: Option<(Key, usize, i64, usize)> = None;
            for (vi, v) in net.vehicles.iter().enumerate() {
                let Some((shift, added, gap)) =
                    fit_in_day(tt, v.school, &days[vi], &leaf, slack, day_start, day_end)
                else {
                    continue;
                };
                let seats = v.seats as usize;
                let short = load.saturating_sub(seats);
                let key = (
                    short > 0,
                    days[vi].is_empty(),
                    added,
                    shift.abs(),
                    short + seats.saturating_sub(load),
                    vi,
                );
                if best.as_ref().is_none_or(|b| key < b.0) {
                    best = Some((key, vi, shift, gap));
                }
            }
            let Some((_, vi, shift, gap)) = best else {
                // Its riders keep no ride: a shortage.
                break;
            };
            let seats = net.vehicles[vi].seats as usize;
            let (take, rest) = if load > seats {
                (
                    leaf.subset(&leaf.riders[..seats]),
                    Some(leaf.subset(&leaf.riders[seats..])),
                )
            } else {
                (leaf.clone(), None)
            };
            let take = take.shifted(shift);
            for &(r, b, a) in &take.riders {
                rides[r] = Some(Ride {
                    vehicle: VehicleId::from(vi),
                    depart: take.stops[b].2.unwrap_or(0) as Minute,
                    arrive: take.stops[a].1.unwrap_or(0) as Minute,
                });
            }
            days[vi].insert(gap, take);
            match rest {
                Some(r) if !r.riders.is_empty() => leaf = r,
                _ => break,
            }
        }
    }
    let mut trips = Vec::new();
    for (vi, day) in days.iter().enumerate() {
        if day.is_empty() {
            continue;
        }
        let base = net.vehicles[vi].school;
        // The day with empty runs: leave base as late as still on time, leave every
        // other place right after arriving.
        let mut chain: Vec<Leaf> = Vec::new();
        let mut at = base;
        let mut free = day_start;
        let empty = |from: SchoolId, depart: i64, to: SchoolId| Leaf {
            stops: vec![
                (from, None, Some(depart)),
                (to, Some(depart + tt_of(tt, from, to)), None),
            ],
            riders: Vec::new(),
        };
        for leaf in day {
            let first = leaf.stops[0].0;
            if first != at {
                let run = tt_of(tt, at, first);
                let depart = if chain.is_empty() {
                    leaf.start() - run
                } else {
                    free
                };
                chain.push(empty(at, depart, first));
            }
            chain.push(leaf.clone());
            at = leaf.stops.last().map_or(first, |s| s.0);
            free = leaf.end();
        }
        if at != base {
            chain.push(empty(at, free, base));
        }
        for (n, leaf) in chain.iter().enumerate() {
            let mut stops: Vec<Stop> = leaf
                .stops
                .iter()
                .map(|&(school, arrive, depart)| Stop {
                    school,
                    arrive: arrive.map(|t| t as Minute),
                    depart: depart.map(|t| t as Minute),
                    board: 0,
                    alight: 0,
                })
                .collect();
            for &(_, b, a) in &leaf.riders {
                stops[b].board += 1;
                stops[a].alight += 1;
            }
            trips.push(Trip {
                vehicle: VehicleId::from(vi),
                number: n + 1,
                stops,
            });
        }
    }
    trips
}

/// Groups riderless requests into flows and says what would carry each.
fn shortages(net: &Network, requests: &[Request], missing: &[usize]) -> Vec<Shortage> {
    let mut out: Vec<Shortage> = Vec::new();
    for &r in missing {
        let q = &requests[r];
        match out.last_mut() {
            Some(s) if (s.from, s.to, s.ready, s.due) == (q.from, q.to, q.ready, q.due) => {
                s.students.push(q.student);
                s.seats += 1;
            }
            _ => out.push(Shortage {
                from: q.from,
                to: q.to,
                ready: q.ready,
                due: q.due,
                students: vec![q.student],
                seats: 1,
                at: q.from,
                from_time: q.ready,
                until: q.due,
                cure: String::new(),
            }),
        }
    }
    for s in &mut out {
        s.cure = format!(
            "{n} more seat(s) from {from} to {to}: a vehicle with {n} seats at {from} (or one that can be there) free from {a} to {b}, or {n} spare seats on a bus already making that run",
            n = s.seats,
            from = net.schools[s.from.idx()].id,
            to = net.schools[s.to.idx()].id,
            a = Hhmm(s.from_time),
            b = Hhmm(s.until),
        );
    }
    out
}

/// A choice the fleet could not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub student: StudentId,
    pub course: crate::model::CourseId,
    /// For unserved.csv.
    pub reason: crate::plan::reason::Reason,
}

/// A plan that the fleet carries, with its bus plan, and what had to give way.
#[derive(Clone, Debug, Default)]
pub struct FleetFit {
    pub plan: Plan,
    pub transport: Transport,
    /// Every shortage met on the way (the legs that lacked seats and their cure).
    pub shortages: Vec<Shortage>,
    pub dropped: Vec<Dropped>,
    /// Students the search kept at home because buses had no seat for them.
    pub homebound: Vec<StudentId>,
}

/// Drops placements whose legs no vehicle carries (and groups that fall below their
/// minimum through that) until every student leg rides: the result obeys rule 8.
pub fn fit_fleet(net: &Network, tt: &TravelTimes, plan: Plan) -> FleetFit {
    fit_fleet_keeping(net, tt, plan, None)
}

/// As [`fit_fleet`], with the bus plan made by [`build_keeping`] from `template`.
pub fn fit_fleet_keeping(
    net: &Network,
    tt: &TravelTimes,
    plan: Plan,
    template: Option<&Transport>,
) -> FleetFit {
    // A pinned student (SPEC §8) keeps their seat first.
    let pinned = |s: StudentId, c: crate::model::CourseId| {
        net.pins
            .students
            .iter()
            .any(|p| p.student == s && p.course == c)
    };
    fit_fleet_keeping_first(net, tt, plan, template, &pinned)
}

/// As [`fit_fleet_keeping`], where a student `first(student, course)` says keeps their
/// seat on a leg to or from that course's group first: one who lacks a seat takes that
/// of a rider of the same flow whom `first` does not favour, and that one gives way.
pub fn fit_fleet_keeping_first(
    net: &Network,
    tt: &TravelTimes,
    plan: Plan,
    template: Option<&Transport>,
    first: &dyn Fn(StudentId, crate::model::CourseId) -> bool,
) -> FleetFit {
    let mut plan = plan;
    let mut shortages = Vec::new();
    let mut dropped = Vec::new();
    loop {
        let transport = build_keeping(net, tt, &plan.student_stays(net), template);
        if transport.shortages.is_empty() {
            return FleetFit {
                plan,
                transport,
                shortages,
                dropped,
                homebound: Vec::new(),
            };
        }
        let by_student = plan.student_groups(net);
        // The group a leg of student `s` from `from` to `to` serves: the leg home
        // leaves the group before; any other leg reaches the group after.
        let group_of_leg = |s: StudentId, to: crate::model::SchoolId, ready, due| {
            let home = net.students[s.idx()].school;
            let groups = &by_student[s.idx()];
            if to == home {
                groups
                    .iter()
                    .copied()
                    .find(|&g| plan.groups[g].end(net) == ready)
            } else {
                groups
                    .iter()
                    .copied()
                    .find(|&g| plan.groups[g].start(net) == due)
            }
        };
        let pinned = |s: StudentId, gi: usize| first(s, plan.groups[gi].course);
        let mut gave_way: Vec<StudentId> = Vec::new();
        let mut remove: Vec<(usize, StudentId, crate::plan::reason::Reason)> = Vec::new();
        for sh in &transport.shortages {
            let why = crate::plan::reason::Reason::NoBusSeat {
                from: net.schools[sh.from.idx()].id.clone(),
                to: net.schools[sh.to.idx()].id.clone(),
                ready: Hhmm(sh.ready).to_string(),
                due: Hhmm(sh.due).to_string(),
                seats: sh.seats,
            };
            for &s in &sh.students {
                let Some(gi) = group_of_leg(s, sh.to, sh.ready, sh.due) else {
                    continue;
                };
                if pinned(s, gi) {
                    let stand_in = transport
                        .requests
                        .iter()
                        .zip(&transport.rides)
                        .filter(|(r, ride)| {
                            ride.is_some()
                                && (r.from, r.to, r.ready, r.due)
                                    == (sh.from, sh.to, sh.ready, sh.due)
                                && !gave_way.contains(&r.student)
                        })
                        .find_map(|(r, _)| {
                            let gu = group_of_leg(r.student, r.to, r.ready, r.due)?;
                            (!pinned(r.student, gu)).then_some((gu, r.student))
                        });
                    if let Some((gu, u)) = stand_in {
                        gave_way.push(u);
                        remove.push((gu, u, why.clone()));
                        continue;
                    }
                }
                remove.push((gi, s, why.clone()));
            }
        }
        shortages.extend(transport.shortages);
        if remove.is_empty() {
            // Cannot happen: every request comes from a group. Never loop forever.
            return FleetFit {
                transport: build_keeping(net, tt, &plan.student_stays(net), template),
                plan,
                shortages,
                dropped,
                homebound: Vec::new(),
            };
        }
        remove.sort_by_key(|r| (r.0, r.1));
        remove.dedup_by_key(|r| (r.0, r.1));
        for (gi, s, why) in remove {
            let g = &mut plan.groups[gi];
            g.members.retain(|&m| m != s);
            dropped.push(Dropped {
                student: s,
                course: g.course,
                reason: why,
            });
        }
        // Groups below their minimum close; their members lose them too.
        let mut kept = Vec::with_capacity(plan.groups.len());
        for g in std::mem::take(&mut plan.groups) {
            let min = net.courses[g.course.idx()].min_group as usize;
            if g.members.len() >= min {
                kept.push(g);
                continue;
            }
            for &s in &g.members {
                dropped.push(Dropped {
                    student: s,
                    course: g.course,
                    reason: crate::plan::reason::Reason::BusGroupClosed {
                        school: net.schools[g.school.idx()].id.clone(),
                        min,
                    },
                });
            }
        }
        plan.groups = kept;
        plan.canonicalize();
    }
}

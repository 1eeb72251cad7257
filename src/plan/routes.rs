//! Each person's movement through the day (routes.csv), riding the bus trips where the
//! plan has them, and the travel figures that follow from it.

use crate::graph::TravelTimes;
use crate::model::{Network, StudentId};
use crate::plan::kpi::{self, Kpis, Travel};
use crate::plan::transport::Transport;
use crate::plan::{legs_of_day, Leg, Plan, Stay};

pub fn teacher_stays(net: &Network, plan: &Plan) -> Vec<Vec<Stay>> {
    plan.teacher_groups(net)
        .iter()
        .map(|gs| {
            gs.iter()
                .map(|&gi| {
                    let g = &plan.groups[gi];
                    Stay {
                        place: g.school,
                        start: g.start(net),
                        end: g.end(net),
                    }
                })
                .collect()
        })
        .collect()
}

/// A person's movement, for routes.csv.
pub struct Route {
    pub person: String,
    pub role: &'static str,
    pub legs: Vec<Leg>,
}

pub fn routes(net: &Network, tt: &TravelTimes, plan: &Plan) -> Vec<Route> {
    routes_with(net, tt, plan, None)
}

/// [`routes`], with students' legs riding the trips of `transport` where it has them
/// (their times are then the bus's).
pub fn routes_with(
    net: &Network,
    tt: &TravelTimes,
    plan: &Plan,
    transport: Option<&Transport>,
) -> Vec<Route> {
    let mut out = Vec::new();
    for (s, stays) in plan.student_stays(net).iter().enumerate() {
        let st = &net.students[s];
        let mut legs = legs_of_day(net, tt, st.school, stays);
        if let Some(t) = transport {
            for (i, l) in legs.iter_mut().enumerate() {
                if let Some(r) = t.ride_of(StudentId::from(s), i) {
                    l.depart = r.depart;
                    l.arrive = r.arrive;
                    l.vehicle = Some(r.vehicle);
                }
            }
        }
        if !legs.is_empty() {
            out.push(Route {
                person: st.id.clone(),
                role: "student",
                legs,
            });
        }
    }
    for (t, stays) in teacher_stays(net, plan).iter().enumerate() {
        let te = &net.teachers[t];
        let legs = legs_of_day(net, tt, te.school, stays);
        if !legs.is_empty() {
            out.push(Route {
                person: te.id.clone(),
                role: "teacher",
                legs,
            });
        }
    }
    out
}

/// Minutes of all legs of people in `role` (SPEC §4 travel minutes)./// What the legs of `routes` travel (no vehicles: see [`kpis_with`]).
pub fn travel_of(routes: &[Route]) -> Travel {
    Travel::of_legs(routes.iter().flat_map(|r| {
        r.legs
            .iter()
            .map(|l| (r.role, u64::from(l.arrive - l.depart)))
    }))
}

/// `student_travel_minutes` of SPEC §4 alone, without the other figures.
pub fn student_travel_minutes(net: &Network, tt: &TravelTimes, plan: &Plan) -> u64 {
    travel_of(&routes(net, tt, plan)).student_minutes
}

/// The SPEC §4 figures of a plan without vehicles.
pub fn kpis(net: &Network, tt: &TravelTimes, plan: &Plan) -> Kpis {
    kpis_with(net, tt, plan, None)
}

/// The SPEC §4 figures of a plan with its bus plan: the travel of the legs as
/// routes.csv writes them (bus times where students ride).
pub fn kpis_with(
    net: &Network,
    tt: &TravelTimes,
    plan: &Plan,
    transport: Option<&Transport>,
) -> Kpis {
    let mut travel = travel_of(&routes_with(net, tt, plan, transport));
    if let Some(t) = transport {
        travel.vehicles_used = t.vehicles_used();
        travel.vehicle_minutes = t.vehicle_minutes();
    }
    kpi::compute(net, plan, travel)
}

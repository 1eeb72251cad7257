//! Warnings that need the travel graph (the bundle reader checks everything else).

use crate::diag::Diagnostic;
use crate::graph::TravelTimes;
use crate::model::Network;

/// Warns about schools cut off from the main road network.
pub fn network_warnings(net: &Network) -> Vec<Diagnostic> {
    let tt = TravelTimes::new(net);
    let comps = tt.components();
    let mut out = Vec::new();
    if comps.len() > 1 {
        for comp in &comps[1..] {
            let ids: Vec<&str> = comp
                .iter()
                .map(|s| net.schools[s.idx()].id.as_str())
                .collect();
            out.push(
                Diagnostic::warning(
                    "W0401",
                    "links.csv",
                    format!(
                        "school(s) {} cannot be reached from {} (no chain of links)",
                        ids.join(" "),
                        net.schools[comps[0][0].idx()].id
                    ),
                )
                .hint("add the missing road links; until then their students only get courses taught at their own school or by distance"),
            );
        }
    }
    out
}

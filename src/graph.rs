//! The travel network: shortest travel times between every pair of schools.

use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};

use crate::model::{Network, SchoolId};

/// Shortest travel minutes between all schools (a dense matrix), `None` where no path.
#[derive(Clone, Debug)]
pub struct TravelTimes {
    n: usize,
    minutes: Vec<Option<u32>>,
}

impl TravelTimes {
    /// Runs Dijkstra from every school over the undirected links of `net`.
    pub fn new(net: &Network) -> Self {
        let n = net.schools.len();
        let mut g: UnGraph<(), u32> = UnGraph::with_capacity(n, net.links.len());
        for _ in 0..n {
            g.add_node(());
        }
        for l in &net.links {
            g.add_edge(
                NodeIndex::new(l.a.idx()),
                NodeIndex::new(l.b.idx()),
                l.minutes,
            );
        }
        let mut minutes = vec![None; n * n];
        for s in 0..n {
            let dist = dijkstra(&g, NodeIndex::new(s), None, |e| *e.weight());
            for (node, d) in dist {
                minutes[s * n + node.index()] = Some(d);
            }
        }
        // Closed schools: roads through them stay open, but nobody goes there or leaves.
        for c in &net.closed {
            for x in (0..n).filter(|&x| x != c.idx()) {
                minutes[c.idx() * n + x] = None;
                minutes[x * n + c.idx()] = None;
            }
        }
        TravelTimes { n, minutes }
    }

    /// Travel minutes from `a` to `b` (0 for the same school), `None` if unreachable.
    #[inline]
    pub fn get(&self, a: SchoolId, b: SchoolId) -> Option<u32> {
        self.minutes[a.idx() * self.n + b.idx()]
    }

    pub fn reachable(&self, a: SchoolId, b: SchoolId) -> bool {
        self.get(a, b).is_some()
    }

    /// Connected groups of schools (each sorted), largest first; ties by first id.
    pub fn components(&self) -> Vec<Vec<SchoolId>> {
        let mut seen = vec![false; self.n];
        let mut out = Vec::new();
        for s in 0..self.n {
            if seen[s] {
                continue;
            }
            let comp: Vec<SchoolId> = (0..self.n)
                .filter(|&t| self.minutes[s * self.n + t].is_some())
                .map(SchoolId::from)
                .collect();
            for c in &comp {
                seen[c.idx()] = true;
            }
            out.push(comp);
        }
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
        out
    }
}

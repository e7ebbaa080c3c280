//! Average-linkage agglomerative clustering over a sparse similarity graph.
//!
//! Pairs that are not in the graph count as similarity 0, so a cluster
//! grows only while the *mean* similarity between all its members and the
//! newcomer stays at or above the threshold: one strong link cannot chain
//! two unrelated groups together (the failure of single linkage /
//! union-find over a threshold). Merges are taken strongest first with ties
//! broken by the smaller cluster ids, so the result is deterministic.

use std::collections::{BTreeMap, BinaryHeap};

/// A merge candidate in the heap: average, then the two ids (smaller
/// ids win ties).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    avg: f64,
    a: u32,
    b: u32,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.avg
            .total_cmp(&other.avg)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Clusters `n` items given similarity `edges` `(a, b, sim)`; returns the
/// groups of two or more items, each sorted, ordered by their first item.
pub fn average_linkage(n: usize, edges: &[(u32, u32, f64)], threshold: f64) -> Vec<Vec<u32>> {
    let mut links: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); n];
    for &(a, b, s) in edges {
        if a == b || a as usize >= n || b as usize >= n {
            continue;
        }
        if let Some(m) = links.get_mut(a as usize) {
            *m.entry(b).or_insert(0.0) += s;
        }
        if let Some(m) = links.get_mut(b as usize) {
            *m.entry(a).or_insert(0.0) += s;
        }
    }
    let mut size: Vec<usize> = vec![1; n];
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let mut heap = BinaryHeap::new();
    for (a, m) in links.iter().enumerate() {
        for (&b, &s) in m.range(a as u32 + 1..) {
            if s >= threshold {
                heap.push(Candidate {
                    avg: s,
                    a: a as u32,
                    b,
                });
            }
        }
    }
    while let Some(c) = heap.pop() {
        let (a, b) = (c.a as usize, c.b as usize);
        let current = match links.get(a).and_then(|m| m.get(&c.b)) {
            Some(&s) => s / (size_of(&size, a) * size_of(&size, b)),
            None => continue,
        };
        if current != c.avg {
            continue; // stale: a fresher entry exists
        }
        merge(a, b, &mut links, &mut size, &mut members);
        let Some(m) = links.get(a) else { continue };
        for (&k, &s) in m {
            let avg = s / (size_of(&size, a) * size_of(&size, k as usize));
            if avg >= threshold {
                heap.push(Candidate {
                    avg,
                    a: (a as u32).min(k),
                    b: (a as u32).max(k),
                });
            }
        }
    }
    let mut groups: Vec<Vec<u32>> = members
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|mut m| {
            m.sort_unstable();
            m
        })
        .collect();
    groups.sort();
    groups
}

fn size_of(size: &[usize], i: usize) -> f64 {
    size.get(i).copied().unwrap_or(1) as f64
}

/// Merges cluster `b` into `a` (`a < b`).
fn merge(
    a: usize,
    b: usize,
    links: &mut [BTreeMap<u32, f64>],
    size: &mut [usize],
    members: &mut [Vec<u32>],
) {
    let moved = links.get_mut(b).map(std::mem::take).unwrap_or_default();
    for (&k, &s) in &moved {
        let k = k as usize;
        if k == a {
            continue;
        }
        if let Some(m) = links.get_mut(k) {
            m.remove(&(b as u32));
            *m.entry(a as u32).or_insert(0.0) += s;
        }
        if let Some(m) = links.get_mut(a) {
            *m.entry(k as u32).or_insert(0.0) += s;
        }
    }
    if let Some(m) = links.get_mut(a) {
        m.remove(&(b as u32));
    }
    let sb = size.get(b).copied().unwrap_or(0);
    if let Some(sa) = size.get_mut(a) {
        *sa += sb;
    }
    if let Some(s) = size.get_mut(b) {
        *s = 0;
    }
    let mb = members.get_mut(b).map(std::mem::take).unwrap_or_default();
    if let Some(ma) = members.get_mut(a) {
        ma.extend(mb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_and_a_loner() {
        let edges = vec![
            (0, 1, 0.9),
            (1, 2, 0.8),
            (0, 2, 0.7),
            (3, 4, 0.6),
            (2, 3, 0.1),
        ];
        let g = average_linkage(6, &edges, 0.3);
        assert_eq!(g, vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn one_strong_link_does_not_chain_groups() {
        // {0,1,2} tight, {3,4,5} tight, only 2-3 linked (above the
        // threshold, so single linkage would chain all six): the mean over
        // the nine cross pairs is 0.5/9, below the threshold.
        let mut edges = vec![(2, 3, 0.5)];
        for (a, b) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)] {
            edges.push((a, b, 0.8));
        }
        let g = average_linkage(6, &edges, 0.3);
        assert_eq!(g, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    }

    #[test]
    fn order_of_edges_does_not_matter() {
        let mut edges = vec![(0, 1, 0.5), (1, 2, 0.5), (0, 2, 0.5), (2, 3, 0.5)];
        let g1 = average_linkage(4, &edges, 0.3);
        edges.reverse();
        assert_eq!(g1, average_linkage(4, &edges, 0.3));
    }
}

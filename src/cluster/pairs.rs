//! Scoring many pairs fast: every pair of a small collection, or the LSH
//! candidates of a large one, scored app by app in parallel with the first
//! app's features marked in a bit set.

use super::*;
use crate::similarity::lsh;

/// Scored pairs at or above `floor` among the analysed apps: every pair
/// for small collections, LSH candidates otherwise. Sorted by `(a, b)`.
pub fn scored_pairs(
    coll: &Collection,
    options: &ClusterOptions,
    floor: f64,
) -> Vec<(u32, u32, f64)> {
    let n = coll.len();
    if n <= options.exact_limit {
        let scorer = PairScorer::new(coll);
        return per_app(&scorer, n, |a, out| out.extend(a + 1..n as u32), floor);
    }
    let sigs = lsh::signatures(coll, &options.lsh);
    let index = lsh::BandIndex::new(&sigs, &options.lsh);
    drop(sigs);
    let edges = score_candidates(coll, &index, floor);
    drop(index);
    close_two_hop(coll, edges, options.threshold, floor)
}

/// Most two-hop partners scored per app.
pub const MAX_TWO_HOP: usize = 4096;

/// Adds the pairs two strong links apart (`a`–`b` and `b`–`c` both at or
/// above `strong`) that LSH did not propose, scored exactly. Average
/// linkage counts a missing pair as 0, so a group whose members LSH linked
/// only in part would look less cohesive than it is; closing the strong
/// links' triangles gives it (nearly) all its pairs, at the cost of the
/// pairs inside such groups only. At most [`MAX_TWO_HOP`] new partners per
/// app. Sorted by `(a, b)`.
pub fn close_two_hop(
    coll: &Collection,
    mut edges: Vec<(u32, u32, f64)>,
    strong: f64,
    floor: f64,
) -> Vec<(u32, u32, f64)> {
    let n = coll.len();
    let mut known: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut strong_links: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b, s) in &edges {
        for (x, y) in [(a, b), (b, a)] {
            if let Some(k) = known.get_mut(x as usize) {
                k.push(y);
            }
            if s >= strong {
                if let Some(l) = strong_links.get_mut(x as usize) {
                    l.push(y);
                }
            }
        }
    }
    known.iter_mut().for_each(|k| k.sort_unstable());
    let scorer = PairScorer::new(coll);
    let added = per_app(
        &scorer,
        n,
        |a, out| {
            let empty = Vec::new();
            let known_a = known.get(a as usize).unwrap_or(&empty);
            for &b in strong_links.get(a as usize).unwrap_or(&empty) {
                for &c in strong_links.get(b as usize).unwrap_or(&empty) {
                    if c > a && known_a.binary_search(&c).is_err() {
                        out.push(c);
                    }
                }
            }
            out.sort_unstable();
            out.dedup();
            out.truncate(MAX_TWO_HOP);
        },
        floor,
    );
    if added.is_empty() {
        return edges;
    }
    edges.extend(added);
    edges.sort_unstable_by_key(|e| (e.0, e.1));
    edges
}

/// The LSH candidates of `index` scored exactly, those at or above
/// `floor`, sorted by `(a, b)`. Candidates are listed and scored app by
/// app in parallel; the full candidate list is never held in memory.
pub fn score_candidates(
    coll: &Collection,
    index: &lsh::BandIndex,
    floor: f64,
) -> Vec<(u32, u32, f64)> {
    let scorer = PairScorer::new(coll);
    per_app(
        &scorer,
        coll.len().min(index.len()),
        |a, out| index.neighbors(a, out),
        floor,
    )
}

/// For every app `a` (in parallel), the partners `list` gives it scored
/// against it; pairs at or above `floor`, in `(a, b)` order.
fn per_app(
    scorer: &PairScorer<'_>,
    n: usize,
    list: impl Fn(u32, &mut Vec<u32>) + Sync,
    floor: f64,
) -> Vec<(u32, u32, f64)> {
    let chunks: Vec<Vec<(u32, u32, f64)>> = (0..n as u32)
        .into_par_iter()
        .with_min_len(16)
        .map_init(
            || (scorer.marks(), Vec::new()),
            |(marks, partners), a| {
                partners.clear();
                list(a, partners);
                if partners.is_empty() {
                    return Vec::new();
                }
                scorer.mark(a, marks, true);
                let edges = partners
                    .iter()
                    .filter_map(|&b| {
                        let s = scorer.score(a, b, marks);
                        (s >= floor).then_some((a, b, s))
                    })
                    .collect();
                scorer.mark(a, marks, false);
                edges
            },
        )
        .collect();
    chunks.concat()
}

/// Scores one app against many: the first app's features are marked in a
/// bit set, so each partner costs one pass over its own features instead
/// of a merge of both lists. Gives exactly [`Collection::score`] (same
/// sums in the same order).
struct PairScorer<'c> {
    coll: &'c Collection,
    /// First bit of each dimension in the bit set.
    offsets: [usize; DIMS],
    bits: usize,
}

impl<'c> PairScorer<'c> {
    fn new(coll: &'c Collection) -> PairScorer<'c> {
        let mut offsets = [0usize; DIMS];
        let mut bits = 0;
        for (d, slot) in offsets.iter_mut().enumerate() {
            *slot = bits;
            bits += coll.idf.get(d).map_or(0, Vec::len);
        }
        PairScorer {
            coll,
            offsets,
            bits,
        }
    }

    /// An empty bit set.
    fn marks(&self) -> Vec<u64> {
        vec![0u64; self.bits.div_ceil(64)]
    }

    /// Sets (or clears) the bits of app `a`'s features.
    fn mark(&self, a: u32, marks: &mut [u64], on: bool) {
        let Some(p) = self.coll.prints.get(a as usize) else {
            return;
        };
        for (d, &offset) in self.offsets.iter().enumerate() {
            let size = self.coll.idf.get(d).map_or(0, Vec::len);
            for &id in p.dims.get(d).map(Vec::as_slice).unwrap_or(&[]) {
                if (id as usize) >= size {
                    continue;
                }
                let bit = offset + id as usize;
                if let Some(word) = marks.get_mut(bit / 64) {
                    if on {
                        *word |= 1 << (bit % 64);
                    } else {
                        *word &= !(1 << (bit % 64));
                    }
                }
            }
        }
    }

    /// The combined score of the marked app `a` and app `b`.
    fn score(&self, a: u32, b: u32, marks: &[u64]) -> f64 {
        self.coll
            .combine(a as usize, b as usize, |d, _, ib| {
                let offset = self.offsets.get(d).copied().unwrap_or(0);
                let w = self.coll.idf.get(d).map(Vec::as_slice).unwrap_or(&[]);
                let mut shared = 0.0f64;
                for &id in ib {
                    // Test the bit first: only shared features need their
                    // weight (most partners share few rare features).
                    let bit = offset + id as usize;
                    let set = (id as usize) < w.len()
                        && marks
                            .get(bit / 64)
                            .is_some_and(|word| word >> (bit % 64) & 1 != 0);
                    if set {
                        shared += f64::from(w.get(id as usize).copied().unwrap_or(0.0));
                    }
                }
                shared
            })
            .score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::lsh::mix;

    #[test]
    fn fast_scoring_equals_collection_score() {
        let mut prints = Vec::new();
        for i in 0..60u64 {
            let dims = (0..DIMS as u64)
                .map(|d| {
                    let mut v: Vec<u32> = (0..40u64)
                        .filter(|&k| mix(i * 131 + d * 7 + k).is_multiple_of(3))
                        .map(|k| (mix(k ^ (i % 5)) % 50) as u32)
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            prints.push(Fingerprint { dims });
        }
        prints.push(Fingerprint {
            dims: vec![vec![1, 2]],
        });
        let coll = Collection::new(prints, &[50; DIMS]);
        let n = coll.len();
        let mut want = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let s = coll.score(a, b);
                if s >= 0.05 {
                    want.push((a as u32, b as u32, s));
                }
            }
        }
        let exact = ClusterOptions {
            exact_limit: usize::MAX,
            ..ClusterOptions::default()
        };
        assert_eq!(scored_pairs(&coll, &exact, 0.05), want);
        let lsh_only = ClusterOptions {
            exact_limit: 0,
            ..ClusterOptions::default()
        };
        for (a, b, s) in scored_pairs(&coll, &lsh_only, 0.05) {
            assert_eq!(s, coll.score(a as usize, b as usize));
        }
    }
}

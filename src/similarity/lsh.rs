//! Candidate pairs without comparing every pair: weighted MinHash
//! signatures with LSH banding.
//!
//! Each app's function features (every dimension, each feature keyed by
//! its dimension and id) are hashed once with a fixed-seed mixer
//! (SplitMix64: no per-process random state, so the same input always
//! gives the same candidates) into one-permutation MinHash bins. Features
//! are weighted (P-MinHash: a bin keeps the feature with the least
//! `-ln(u) / weight`, the weight being rarity times the dimension's weight
//! in the combined score), so two apps agree on a bin with a probability
//! that grows with the weight of what they share, as the score does. Empty
//! bins borrow the next non-empty bin's value (rotation densification).
//! The signature is cut into bands of [`LshParams::rows`] values; apps
//! whose values agree on a whole band land in the same bucket and become a
//! candidate pair: with per-bin agreement `p`, with probability
//! `1 - (1 - p^rows)^bands`.
//!
//! Features that more than half of the collection has are left out of the
//! signature: they say nothing about which apps belong together and would
//! put unrelated apps in the same buckets.

use super::Collection;

/// Signature shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Values per band.
    pub rows: usize,
    /// Buckets larger than this contribute no pairs (a guard against
    /// quadratic blow-up on near-identical mass-produced apps; such apps
    /// still meet in their other bands' smaller buckets).
    pub max_bucket: usize,
}

impl Default for LshParams {
    /// 64 bands of 2 rows: pairs agreeing on a quarter of the bins are
    /// found with probability 0.98, on 35% with 0.9996 (measured recall
    /// against all pairs at the default threshold: 0.997, `cargo bench
    /// --bench cluster_scale`).
    fn default() -> Self {
        LshParams {
            bands: 64,
            rows: 2,
            max_bucket: 4000,
        }
    }
}

/// SplitMix64's finalizer: a fixed, well-mixing 64-bit hash.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The MinHash signature of app `i` (`bands * rows` values).
///
/// Weighted: each feature weighs its rarity (idf) times its dimension's
/// weight in the combined score, and each bin keeps the feature with the
/// least `-ln(u) / weight` (`u` a fixed hash of the feature; P-MinHash), so
/// two apps agree on a bin with a probability that grows with the weight of
/// what they share. Shared rare features (a family's screens) make
/// candidates; shared popular ones (the generic words and widgets a third
/// of all apps have) rarely do.
pub fn signature(coll: &Collection, i: usize, params: &LshParams) -> Vec<u32> {
    let k = params.bands.saturating_mul(params.rows).max(1);
    let mut bins = vec![u32::MAX; k];
    let mut keys = vec![f64::INFINITY; k];
    let mut filled = vec![false; k];
    let n = coll.len();
    let Some(print) = coll.prints.get(i) else {
        return bins;
    };
    for (d, ids) in print.dims.iter().enumerate() {
        let df = coll.df.get(d);
        // Each dimension gets its share of the signature whatever its
        // size, as in the score (a mean over dimensions): a feature weighs
        // its rarity over the app's total in that dimension.
        let total = f64::from(coll.total(i, d));
        if total <= 0.0 {
            continue;
        }
        let dim_weight = super::WEIGHTS.get(d).copied().unwrap_or(1.0) / total;
        for &id in ids {
            let count = df.and_then(|df| df.get(id as usize)).copied().unwrap_or(0) as usize;
            if n >= 4 && count.saturating_mul(2) > n {
                continue;
            }
            let weight = f64::from(coll.weight(d, id)) * dim_weight;
            if weight <= 0.0 {
                continue;
            }
            let h = mix(((d as u64) << 32) | u64::from(id));
            let bin = (((h >> 32) * k as u64) >> 32) as usize;
            // u in (0, 1], from bits independent of the bin's.
            let u = ((mix(h) >> 11) + 1) as f64 / (1u64 << 53) as f64;
            let key = -u.ln() / weight;
            if let (Some(b), Some(kk), Some(f)) =
                (bins.get_mut(bin), keys.get_mut(bin), filled.get_mut(bin))
            {
                if key < *kk || (key == *kk && (h as u32) < *b) {
                    *kk = key;
                    *b = h as u32;
                }
                *f = true;
            }
        }
    }
    densify(&mut bins, &filled);
    bins
}

/// Rotation densification: an empty bin takes the value of the next
/// non-empty bin (cyclically), salted with the distance.
fn densify(bins: &mut [u32], filled: &[bool]) {
    let k = bins.len();
    if !filled.iter().any(|&f| f) {
        return;
    }
    let source: Vec<u32> = bins.to_vec();
    for i in 0..k {
        if filled.get(i).copied().unwrap_or(false) {
            continue;
        }
        let mut step = 1;
        while step < k {
            let j = (i + step) % k;
            if filled.get(j).copied().unwrap_or(false) {
                let v = source.get(j).copied().unwrap_or(u32::MAX);
                if let Some(b) = bins.get_mut(i) {
                    *b = mix(u64::from(v) ^ ((step as u64) << 40)) as u32;
                }
                break;
            }
            step += 1;
        }
    }
}

/// The signatures of every app of `coll`, in parallel.
pub fn signatures(coll: &Collection, params: &LshParams) -> Vec<Vec<u32>> {
    use rayon::prelude::*;
    (0..coll.len())
        .into_par_iter()
        .map(|i| signature(coll, i, params))
        .collect()
}

/// Marks an app that is alone in its bucket (or in an oversized one) in a
/// band: it meets nobody there.
const NO_BUCKET: u32 = u32::MAX;

/// The LSH buckets of a collection, band by band, so that each app's
/// candidates can be listed on their own (in parallel, without ever
/// holding every candidate pair in memory).
#[derive(Debug, Clone, Default)]
pub struct BandIndex {
    n: usize,
    bands: usize,
    /// Per band, the apps sorted by (band key, app): buckets are runs.
    order: Vec<u32>,
    /// `bucket[band * n + app]`: index into `starts` of the app's bucket,
    /// or [`NO_BUCKET`].
    bucket: Vec<u32>,
    /// Bucket `k` is `order[starts[2k]..starts[2k + 1]]`.
    starts: Vec<u32>,
}

impl BandIndex {
    /// Buckets `signatures` (one per app) by band.
    pub fn new(signatures: &[Vec<u32>], params: &LshParams) -> BandIndex {
        use rayon::prelude::*;
        let n = signatures.len();
        let per_band: Vec<Vec<(u64, u32)>> = (0..params.bands)
            .into_par_iter()
            .map(|band| {
                let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
                for (app, sig) in signatures.iter().enumerate() {
                    let start = band * params.rows;
                    let Some(values) = sig.get(start..start + params.rows) else {
                        continue;
                    };
                    let mut h = mix(band as u64);
                    for &v in values {
                        h = mix(h ^ u64::from(v));
                    }
                    keys.push((h, app as u32));
                }
                keys.sort_unstable();
                keys
            })
            .collect();
        let mut index = BandIndex {
            n,
            bands: params.bands,
            order: Vec::with_capacity(params.bands * n),
            bucket: vec![NO_BUCKET; params.bands * n],
            starts: Vec::new(),
        };
        for (band, keys) in per_band.into_iter().enumerate() {
            let base = index.order.len();
            index.order.extend(keys.iter().map(|k| k.1));
            let mut at = base;
            for run in keys.chunk_by(|x, y| x.0 == y.0) {
                if run.len() >= 2 && run.len() <= params.max_bucket {
                    let k = (index.starts.len() / 2) as u32;
                    index.starts.push(at as u32);
                    index.starts.push((at + run.len()) as u32);
                    for &(_, app) in run {
                        if let Some(slot) = index.bucket.get_mut(band * n + app as usize) {
                            *slot = k;
                        }
                    }
                }
                at += run.len();
            }
        }
        index
    }

    /// Number of apps.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when there are no apps.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The candidates `b > a` of app `a` into `out`, sorted and
    /// deduplicated.
    pub fn neighbors(&self, a: u32, out: &mut Vec<u32>) {
        out.clear();
        for band in 0..self.bands {
            let Some(&k) = self.bucket.get(band * self.n + a as usize) else {
                continue;
            };
            if k == NO_BUCKET {
                continue;
            }
            let k = k as usize;
            let (Some(&lo), Some(&hi)) = (self.starts.get(2 * k), self.starts.get(2 * k + 1))
            else {
                continue;
            };
            let Some(run) = self.order.get(lo as usize..hi as usize) else {
                continue;
            };
            // Apps within a bucket are in ascending order.
            let after = run.partition_point(|&b| b <= a);
            out.extend(run.iter().skip(after));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Number of distinct candidate pairs (counted in parallel).
    pub fn count_pairs(&self) -> usize {
        use rayon::prelude::*;
        (0..self.n as u32)
            .into_par_iter()
            .map_init(Vec::new, |out, a| {
                self.neighbors(a, out);
                out.len()
            })
            .sum()
    }
}

/// Candidate pairs `(a, b)` with `a < b`, sorted and deduplicated.
pub fn candidates(signatures: &[Vec<u32>], params: &LshParams) -> Vec<(u32, u32)> {
    let index = BandIndex::new(signatures, params);
    let mut pairs = Vec::new();
    let mut out = Vec::new();
    for a in 0..index.len() as u32 {
        index.neighbors(a, &mut out);
        pairs.extend(out.iter().map(|&b| (a, b)));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::Fingerprint;

    fn coll(sets: &[Vec<u32>]) -> Collection {
        let max = sets.iter().flatten().copied().max().unwrap_or(0) as usize + 1;
        let prints = sets
            .iter()
            .map(|s| Fingerprint {
                dims: vec![Vec::new(), s.clone()],
            })
            .collect();
        Collection::new(prints, &[0, max])
    }

    #[test]
    fn near_duplicates_are_candidates_and_strangers_are_not() {
        let base: Vec<u32> = (0..200).collect();
        let mut near = base.clone();
        near.truncate(180);
        near.extend(1000..1020);
        let stranger: Vec<u32> = (5000..5200).collect();
        let other: Vec<u32> = (9000..9200).collect();
        let c = coll(&[base, near, stranger, other]);
        let p = LshParams::default();
        let sigs: Vec<Vec<u32>> = (0..c.len()).map(|i| signature(&c, i, &p)).collect();
        let pairs = candidates(&sigs, &p);
        assert!(pairs.contains(&(0, 1)));
        assert!(!pairs.contains(&(0, 2)));
        assert!(!pairs.contains(&(2, 3)));
    }

    #[test]
    fn signatures_are_deterministic() {
        let c = coll(&[vec![1, 2, 3], vec![4, 5]]);
        let p = LshParams::default();
        assert_eq!(signature(&c, 0, &p), signature(&c, 0, &p));
        assert_eq!(signature(&c, 0, &p).len(), 128);
    }
}

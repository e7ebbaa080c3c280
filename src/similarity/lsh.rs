//! Candidate pairs without comparing every pair: MinHash signatures with
//! LSH banding.
//!
//! Each app's function features (every dimension, each feature keyed by
//! its dimension and id) are hashed once with a fixed-seed mixer
//! (SplitMix64: no per-process random state, so the same input always
//! gives the same candidates) into one-permutation MinHash bins; empty bins
//! borrow the next non-empty bin's value (rotation densification). The
//! signature is cut into bands of [`LshParams::rows`] values; apps whose
//! values agree on a whole band land in the same bucket and become a
//! candidate pair. Two apps with Jaccard `J` become candidates with
//! probability `1 - (1 - J^rows)^bands`.
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
    /// 64 bands of 2 rows: pairs with Jaccard 0.25 are found with
    /// probability 0.98, 0.35 with 0.9996.
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
pub fn signature(coll: &Collection, i: usize, params: &LshParams) -> Vec<u32> {
    let k = params.bands.saturating_mul(params.rows).max(1);
    let mut bins = vec![u32::MAX; k];
    let mut filled = vec![false; k];
    let n = coll.len();
    let Some(print) = coll.prints.get(i) else {
        return bins;
    };
    for (d, ids) in print.dims.iter().enumerate() {
        let df = coll.df.get(d);
        for &id in ids {
            let count = df.and_then(|df| df.get(id as usize)).copied().unwrap_or(0) as usize;
            if n >= 4 && count.saturating_mul(2) > n {
                continue;
            }
            let h = mix(((d as u64) << 32) | u64::from(id));
            let bin = (((h >> 32) * k as u64) >> 32) as usize;
            let value = h as u32;
            if let (Some(b), Some(f)) = (bins.get_mut(bin), filled.get_mut(bin)) {
                *b = value.min(*b);
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

/// Candidate pairs `(a, b)` with `a < b`, sorted and deduplicated.
pub fn candidates(signatures: &[Vec<u32>], params: &LshParams) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(signatures.len());
    for band in 0..params.bands {
        keys.clear();
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
        for run in keys.chunk_by(|x, y| x.0 == y.0) {
            if run.len() < 2 || run.len() > params.max_bucket {
                continue;
            }
            for (i, x) in run.iter().enumerate() {
                for y in run.iter().skip(i + 1) {
                    pairs.push((x.1.min(y.1), x.1.max(y.1)));
                }
            }
        }
        if band % 8 == 7 {
            pairs.sort_unstable();
            pairs.dedup();
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
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

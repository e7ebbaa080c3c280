//! Similarity: how much of their function two apps share, per dimension
//! and combined, and which shared features make the score.
//!
//! Stage: works on interned feature ids ([`Fingerprint`]), never on bytes.
//! A [`Collection`] weighs every feature by its rarity across the apps
//! being compared (inverse document frequency, `ln((N + 1) / df)`), so that
//! features every app has (INTERNET, AndroidX, the OkHttp calls) count for
//! almost nothing and features few apps share count most.
//!
//! Per dimension the similarity is the weighted Jaccard index
//! `Σ idf(shared) / Σ idf(union)`. The combined score is the weighted mean
//! of the dimensions either app has, with [`WEIGHTS`]: screens, visible
//! text, screen names and endpoint paths say most about what an app does
//! (2 each); widget ids, permissions, capabilities and framework API use
//! add evidence (1 each); intent filters little (0.5). Dimensions neither
//! app has are left out of the mean rather than counted as agreement.

pub mod lsh;

use crate::features::{Features, FUNCTION_DIMS};
use std::collections::{BTreeMap, BTreeSet};

/// Number of function dimensions.
pub const DIMS: usize = FUNCTION_DIMS.len();

/// Weight of each function dimension in the combined score, in
/// [`FUNCTION_DIMS`] order.
pub const WEIGHTS: [f64; DIMS] = [2.0, 2.0, 2.0, 1.0, 2.0, 1.0, 1.0, 0.5, 1.0];

/// One app's function features as ids, one sorted list per dimension.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// Sorted, deduplicated feature ids per dimension ([`FUNCTION_DIMS`]
    /// order).
    pub dims: Vec<Vec<u32>>,
}

/// The feature strings behind the ids, per dimension.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// `names[dim][id]`.
    pub names: Vec<Vec<String>>,
}

impl Vocabulary {
    /// Interns the function features of `apps`; ids follow the sorted order
    /// of the strings, so they do not depend on the order of the apps.
    pub fn build(apps: &[&Features]) -> (Vocabulary, Vec<Fingerprint>) {
        let mut names = Vec::with_capacity(DIMS);
        let mut maps = Vec::with_capacity(DIMS);
        for dim in FUNCTION_DIMS {
            let set: BTreeSet<&str> = apps
                .iter()
                .flat_map(|f| f.function(dim).iter().map(String::as_str))
                .collect();
            let list: Vec<String> = set.iter().map(|s| s.to_string()).collect();
            let map: BTreeMap<&str, u32> = set
                .into_iter()
                .enumerate()
                .map(|(i, s)| (s, i as u32))
                .collect();
            names.push(list);
            maps.push(map);
        }
        let prints = apps
            .iter()
            .map(|f| Fingerprint {
                dims: FUNCTION_DIMS
                    .iter()
                    .zip(&maps)
                    .map(|(dim, map)| {
                        let mut ids: Vec<u32> = f
                            .function(dim)
                            .iter()
                            .filter_map(|s| map.get(s.as_str()).copied())
                            .collect();
                        ids.sort_unstable();
                        ids.dedup();
                        ids
                    })
                    .collect(),
            })
            .collect();
        (Vocabulary { names }, prints)
    }

    /// The string of feature `id` in dimension `dim`.
    pub fn name(&self, dim: usize, id: u32) -> &str {
        self.names
            .get(dim)
            .and_then(|d| d.get(id as usize))
            .map(String::as_str)
            .unwrap_or("?")
    }
}

/// Fingerprints with the rarity weights of their collection.
#[derive(Debug, Clone)]
pub struct Collection {
    /// The apps' fingerprints.
    pub prints: Vec<Fingerprint>,
    /// `idf[dim][id]`.
    pub idf: Vec<Vec<f32>>,
    /// Document frequency `df[dim][id]`.
    pub df: Vec<Vec<u32>>,
    /// Per app, per dimension, the sum of its features' weights.
    totals: Vec<[f32; DIMS]>,
}

/// A pair's similarity, per dimension and combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    /// Combined score in `[0, 1]`.
    pub score: f64,
    /// Per-dimension weighted Jaccard; `None` when neither app has the
    /// dimension.
    pub dims: [Option<f64>; DIMS],
}

impl Collection {
    /// Weighs `prints`; `vocab_sizes[dim]` is the number of distinct ids.
    pub fn new(prints: Vec<Fingerprint>, vocab_sizes: &[usize]) -> Collection {
        let n = prints.len();
        let mut df: Vec<Vec<u32>> = vocab_sizes.iter().map(|&s| vec![0u32; s]).collect();
        for p in &prints {
            for (d, ids) in p.dims.iter().enumerate() {
                let Some(counts) = df.get_mut(d) else {
                    continue;
                };
                for &id in ids {
                    if let Some(c) = counts.get_mut(id as usize) {
                        *c += 1;
                    }
                }
            }
        }
        let idf: Vec<Vec<f32>> = df
            .iter()
            .map(|counts| {
                counts
                    .iter()
                    .map(|&c| (((n + 1) as f64) / f64::from(c.max(1))).ln() as f32)
                    .collect()
            })
            .collect();
        let totals = prints
            .iter()
            .map(|p| {
                let mut t = [0f32; DIMS];
                for (d, slot) in t.iter_mut().enumerate() {
                    *slot = weight_sum(p, d, &idf);
                }
                t
            })
            .collect();
        Collection {
            prints,
            idf,
            df,
            totals,
        }
    }

    /// Number of apps.
    pub fn len(&self) -> usize {
        self.prints.len()
    }

    /// True when there are no apps.
    pub fn is_empty(&self) -> bool {
        self.prints.is_empty()
    }

    /// Weight of feature `id` of dimension `dim`.
    pub fn weight(&self, dim: usize, id: u32) -> f32 {
        self.idf
            .get(dim)
            .and_then(|w| w.get(id as usize))
            .copied()
            .unwrap_or(0.0)
    }

    /// Sum of the weights of app `app`'s features in dimension `dim`.
    pub fn total(&self, app: usize, dim: usize) -> f32 {
        self.totals
            .get(app)
            .and_then(|t| t.get(dim))
            .copied()
            .unwrap_or(0.0)
    }

    /// The combined score of apps `a` and `b` (indexes into `prints`).
    pub fn score(&self, a: usize, b: usize) -> f64 {
        self.pair(a, b).score
    }

    /// The per-dimension and combined scores of apps `a` and `b`.
    pub fn pair(&self, a: usize, b: usize) -> PairScore {
        self.combine(a, b, |d, ia, ib| self.shared_weight(ia, ib, d))
    }

    /// The scores of apps `a` and `b` given how the weight of their shared
    /// features in a dimension is found (`shared(dim, ids of a, ids of b)`):
    /// a merge of the two lists here, a bit-set lookup in the cluster
    /// stage's batch scorer. One formula, so both give the same bits.
    pub fn combine(
        &self,
        a: usize,
        b: usize,
        mut shared: impl FnMut(usize, &[u32], &[u32]) -> f64,
    ) -> PairScore {
        let mut dims = [None; DIMS];
        let (Some(pa), Some(pb)) = (self.prints.get(a), self.prints.get(b)) else {
            return PairScore { score: 0.0, dims };
        };
        let (mut sum, mut wsum) = (0.0, 0.0);
        for ((d, slot), weight) in dims.iter_mut().enumerate().zip(WEIGHTS) {
            let (ia, ib) = (dim_ids(pa, d), dim_ids(pb, d));
            if ia.is_empty() && ib.is_empty() {
                continue;
            }
            let total = f64::from(self.total(a, d) + self.total(b, d));
            let shared = shared(d, ia, ib);
            let union = total - shared;
            let j = if union > 0.0 { shared / union } else { 1.0 };
            *slot = Some(j.clamp(0.0, 1.0));
            sum += weight * j.clamp(0.0, 1.0);
            wsum += weight;
        }
        let score = if wsum > 0.0 { sum / wsum } else { 0.0 };
        PairScore { score, dims }
    }

    fn shared_weight(&self, a: &[u32], b: &[u32], d: usize) -> f64 {
        let w = self.idf.get(d);
        let mut s = 0.0f64;
        merge_shared(a, b, |&id| {
            s += f64::from(w.and_then(|w| w.get(id as usize)).copied().unwrap_or(0.0));
        });
        s
    }

    /// The features of dimension `dim` both apps have, heaviest first.
    pub fn shared(&self, a: usize, b: usize, dim: usize) -> Vec<u32> {
        let (Some(pa), Some(pb)) = (self.prints.get(a), self.prints.get(b)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        merge_shared(dim_ids(pa, dim), dim_ids(pb, dim), |&id| out.push(id));
        self.sort_by_weight(dim, &mut out);
        out
    }

    /// Sorts ids heaviest first (ties by id).
    pub fn sort_by_weight(&self, dim: usize, ids: &mut [u32]) {
        ids.sort_by(|&x, &y| {
            self.weight(dim, y)
                .total_cmp(&self.weight(dim, x))
                .then(x.cmp(&y))
        });
    }
}

fn dim_ids(p: &Fingerprint, d: usize) -> &[u32] {
    p.dims.get(d).map(Vec::as_slice).unwrap_or(&[])
}

fn weight_sum(p: &Fingerprint, d: usize, idf: &[Vec<f32>]) -> f32 {
    let w = idf.get(d);
    dim_ids(p, d)
        .iter()
        .map(|&id| w.and_then(|w| w.get(id as usize)).copied().unwrap_or(0.0))
        .sum()
}

/// Calls `f` for every item in both sorted lists (one merge, no
/// allocation).
pub(crate) fn merge_shared<'a, T: Ord>(a: &'a [T], b: &'a [T], mut f: impl FnMut(&'a T)) {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(x);
                i += 1;
                j += 1;
            }
        }
    }
}

/// Builds the weighted collection of a set of apps' features.
pub fn collection_of(apps: &[&Features]) -> (Vocabulary, Collection) {
    let (vocab, prints) = Vocabulary::build(apps);
    let sizes: Vec<usize> = vocab.names.iter().map(Vec::len).collect();
    (vocab, Collection::new(prints, &sizes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Dimension;

    fn app(text: &[&str], perms: &[&str]) -> Features {
        let d = |name: &str, v: &[&str]| Dimension {
            dim: name.into(),
            features: v.iter().map(|s| s.to_string()).collect(),
        };
        Features {
            function: vec![d("text", text), d("permissions", perms)],
            provenance: vec![],
        }
    }

    #[test]
    fn identical_apps_score_one_and_disjoint_zero() {
        let a = app(&["投诉", "热线"], &["CAMERA"]);
        let b = app(&["投诉", "热线"], &["CAMERA"]);
        let c = app(&["公交", "线路"], &["LOCATION"]);
        let (_, coll) = collection_of(&[&a, &b, &c]);
        assert!((coll.score(0, 1) - 1.0).abs() < 1e-9);
        assert_eq!(coll.score(0, 2), 0.0);
        assert_eq!(coll.pair(0, 2).dims[0], None, "no screens on either side");
    }

    #[test]
    fn rare_shared_features_weigh_more_than_common_ones() {
        // Everyone has INTERNET; only a and b share "投诉".
        let a = app(&["投诉"], &["INTERNET"]);
        let b = app(&["投诉"], &["INTERNET", "CAMERA"]);
        let c = app(&["公交"], &["INTERNET"]);
        let d = app(&["天气"], &["INTERNET"]);
        let (vocab, coll) = collection_of(&[&a, &b, &c, &d]);
        assert!(coll.score(0, 1) > coll.score(0, 2));
        let text = FUNCTION_DIMS.iter().position(|d| *d == "text").unwrap_or(0);
        let shared = coll.shared(0, 1, text);
        assert_eq!(vocab.name(text, shared[0]), "投诉");
    }

    #[test]
    fn ids_do_not_depend_on_app_order() {
        let a = app(&["b", "a"], &[]);
        let b = app(&["c"], &[]);
        let (v1, _) = collection_of(&[&a, &b]);
        let (v2, _) = collection_of(&[&b, &a]);
        assert_eq!(v1.names, v2.names);
    }
}

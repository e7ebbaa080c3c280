//! Clustering: groups of apps that duplicate each other's function, ranked
//! and explained, plus screens that recur across apps.
//!
//! Stage: reads [`AppRecord`]s (from a scan or an index), never bytes.
//!
//! 1. The function features of every analysed app are weighed by rarity
//!    across the collection ([`crate::similarity`]).
//! 2. Candidate pairs come from MinHash/LSH ([`crate::similarity::lsh`]);
//!    collections of up to [`EXACT_LIMIT`] apps score every pair instead.
//! 3. Candidates are scored exactly; average linkage over the scores at
//!    the threshold ([`DEFAULT_THRESHOLD`]) forms the clusters
//!    ([`linkage`]).
//! 4. Each cluster is explained: what the members share (features most of
//!    them have, heaviest first), what only some have, and provenance
//!    (signers, vendor base code, SDKs, white-label clones, identical
//!    files), which is reported but never used to form the clusters.
//! 5. Function screens (not splash, login, settings, about, web container)
//!    are clustered the same way across apps; groups spanning at least
//!    [`MIN_FUNCTION_APPS`] apps are duplicated functions.
//!
//! The output is deterministic: fixed-seed hashing, sorted inputs and
//! outputs, no timings; the same records give byte-identical JSON.

pub mod linkage;

use crate::features::{FUNCTION_DIMS, PROVENANCE_DIMS};
use crate::scan::AppRecord;
use crate::similarity::lsh::{self, LshParams};
use crate::similarity::{collection_of, Collection, Fingerprint, Vocabulary, DIMS, WEIGHTS};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Version of the `cluster --format json` contract.
pub const SCHEMA_VERSION: u32 = 1;

/// Default similarity at or above which apps are duplicates.
pub const DEFAULT_THRESHOLD: f64 = 0.2;

/// Collections up to this size score every pair (exact and cheap).
pub const EXACT_LIMIT: usize = 2000;

/// Similarity at or above which two screens are the same function.
pub const SCREEN_THRESHOLD: f64 = 0.45;

/// Fewest apps a recurring screen must appear in to be reported.
pub const MIN_FUNCTION_APPS: usize = 3;

/// Most shared features listed per dimension.
pub const MAX_LISTED: usize = 12;

/// Edges below this share of the threshold are not kept (they cannot lift
/// an average above it much and cost memory).
pub const EDGE_FLOOR: f64 = 0.25;

/// Dimensions shown as readable shared features (screen fingerprint
/// hashes are not).
const READABLE: &[&str] = &[
    "capabilities",
    "permissions",
    "names",
    "paths",
    "text",
    "ids",
    "intents",
    "api",
];

/// How to cluster.
#[derive(Debug, Clone, Copy)]
pub struct ClusterOptions {
    /// Duplicate threshold on the combined score.
    pub threshold: f64,
    /// LSH shape.
    pub lsh: LshParams,
    /// Score every pair up to this many apps.
    pub exact_limit: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            threshold: DEFAULT_THRESHOLD,
            lsh: LshParams::default(),
            exact_limit: EXACT_LIMIT,
        }
    }
}

/// The `cluster` report.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    /// Version of this contract.
    pub schema_version: u32,
    /// `fingertip <version>`.
    pub tool: String,
    /// Threshold used.
    pub threshold: f64,
    /// Weight of each function dimension.
    pub weights: BTreeMap<&'static str, f64>,
    /// Counts for an overview.
    pub summary: Summary,
    /// Every input file, sorted by `file`.
    pub apps: Vec<AppEntry>,
    /// Consolidation candidates, best first.
    pub clusters: Vec<Cluster>,
    /// Screens that recur across apps, most widespread first.
    pub duplicated_functions: Vec<DuplicatedFunction>,
    /// Every pair of analysed apps scoring at least half the threshold,
    /// strongest first (for heatmaps, graphs and `pairs.csv`).
    pub similar_pairs: Vec<PairEntry>,
}

/// Overview counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Input files.
    pub files: usize,
    /// Analysed apps.
    pub analysed: usize,
    /// Files that could not be analysed.
    pub errors: usize,
    /// Clusters found.
    pub clusters: usize,
    /// Apps in some cluster.
    pub apps_in_clusters: usize,
    /// Apps that consolidation could retire (cluster sizes minus one).
    pub retirable: usize,
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct AppEntry {
    /// The path as given or found.
    pub file: String,
    /// Package name (empty when not analysed).
    pub package: String,
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Version name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Cluster id, when in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<usize>,
    /// Why it could not be analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scan's facts (icon, signers, SDKs, risks) for the people's
    /// reports; not part of the JSON contract (see the index for them).
    #[serde(skip)]
    pub facts: Option<crate::scan::AppFacts>,
    /// Vendor base code packages (provenance), for the people's reports.
    #[serde(skip)]
    pub code_packages: Vec<String>,
}

/// A consolidation candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// 1-based id, in rank order.
    pub id: usize,
    /// Member `file`s, sorted.
    pub members: Vec<String>,
    /// Cohesion: mean similarity over all member pairs.
    pub score: f64,
    /// Weakest member pair.
    pub min_score: f64,
    /// Mean similarity per function dimension over member pairs that have
    /// it.
    pub dimensions: BTreeMap<&'static str, f64>,
    /// Features most members share, per readable dimension, plus
    /// `roles` (screen roles most members have).
    pub shared: BTreeMap<String, Vec<String>>,
    /// What only some members have.
    pub differs: Vec<MemberDifference>,
    /// Who built the members and how.
    pub provenance: ClusterProvenance,
    /// Every member pair with its score, strongest first.
    pub pairs: Vec<PairEntry>,
    /// One paragraph in plain language.
    pub explanation: String,
}

/// What one member has that most others lack.
#[derive(Debug, Clone, Serialize)]
pub struct MemberDifference {
    /// The member.
    pub file: String,
    /// Per readable dimension (and `roles`), features no more than a third
    /// of the other members have.
    pub only_here: BTreeMap<String, Vec<String>>,
}

/// A scored pair.
#[derive(Debug, Clone, Serialize)]
pub struct PairEntry {
    /// First file.
    pub a: String,
    /// Second file.
    pub b: String,
    /// Combined score.
    pub score: f64,
}

/// Provenance of a cluster's members.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClusterProvenance {
    /// Signer certificates with the members they sign.
    pub signers: Vec<Group>,
    /// Vendor base code packages with the members that carry them.
    pub code_packages: Vec<Group>,
    /// SDK ids every member has.
    pub common_sdks: Vec<String>,
    /// Member pairs that are white-label clones of one build: most
    /// resource files identical (CRC-32 and size), packages differ.
    pub white_label_clones: Vec<[String; 2]>,
    /// Member files that are byte-identical (same SHA-256).
    pub identical_files: Vec<Vec<String>>,
}

/// A provenance value and the members that have it.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The value (certificate SHA-256, package name).
    pub value: String,
    /// A readable name (certificate subject) when known.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Member files.
    pub members: Vec<String>,
}

/// A screen that recurs across apps.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicatedFunction {
    /// 1-based id.
    pub id: usize,
    /// The screens' role.
    pub role: String,
    /// The most common title.
    pub title: String,
    /// Visible strings of one of the screens (the first with the most
    /// common title).
    pub strings: Vec<String>,
    /// Clusters (ids) the apps belong to; a screen recurring across
    /// clusters is a function apps of different kinds share.
    pub clusters: Vec<usize>,
    /// Apps (files) that have it, sorted.
    pub apps: Vec<String>,
    /// The screens: file and activity or page.
    pub screens: Vec<ScreenRef>,
    /// Mean similarity of the screens.
    pub score: f64,
}

/// One screen of an app.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenRef {
    /// The app.
    pub file: String,
    /// Activity or page.
    pub screen: String,
}

/// Function and provenance of one pair, dimension by dimension (for
/// `compare` and `check`).
#[derive(Debug, Clone, Serialize)]
pub struct PairExplanation {
    /// First file.
    pub a: String,
    /// Second file.
    pub b: String,
    /// Combined score.
    pub score: f64,
    /// Whether the score reaches the threshold.
    pub duplicate: bool,
    /// Per function dimension: score and shared features.
    pub dimensions: Vec<DimensionExplanation>,
    /// Provenance relations (same signer, vendor code, SDKs, resources).
    pub provenance: Vec<ProvenanceRelation>,
    /// One paragraph.
    pub explanation: String,
}

/// One function dimension of a pair.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionExplanation {
    /// Dimension name.
    pub dim: &'static str,
    /// Weight in the combined score.
    pub weight: f64,
    /// Weighted Jaccard; `None` when neither app has the dimension.
    pub score: Option<f64>,
    /// Shared features, heaviest first (readable dimensions only).
    pub shared: Vec<String>,
    /// Count of shared features.
    pub shared_count: usize,
}

/// One provenance dimension of a pair.
#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceRelation {
    /// Dimension name.
    pub dim: &'static str,
    /// Jaccard of the two sets (`None` when both are empty).
    pub overlap: Option<f64>,
    /// Shared values (at most [`MAX_LISTED`]).
    pub shared: Vec<String>,
}

/// The analysed records and their weighted collection.
struct Analysed<'a> {
    records: Vec<&'a AppRecord>,
    vocab: Vocabulary,
    coll: Collection,
}

impl<'a> Analysed<'a> {
    fn new(records: Vec<&'a AppRecord>) -> Analysed<'a> {
        let feats: Vec<_> = records.iter().map(|r| &r.features).collect();
        let (vocab, coll) = collection_of(&feats);
        Analysed {
            records,
            vocab,
            coll,
        }
    }

    fn file(&self, i: usize) -> &str {
        self.records.get(i).map(|r| r.file.as_str()).unwrap_or("")
    }
}

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
    score_candidates(coll, &index, floor)
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
    /// Per app, per dimension, the sum of its features' weights (as
    /// [`Collection`] computes it).
    totals: Vec<[f32; DIMS]>,
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
        let totals = coll
            .prints
            .par_iter()
            .map(|p| {
                let mut t = [0f32; DIMS];
                for (d, slot) in t.iter_mut().enumerate() {
                    let w = coll.idf.get(d);
                    *slot = p
                        .dims
                        .get(d)
                        .map(Vec::as_slice)
                        .unwrap_or(&[])
                        .iter()
                        .map(|&id| w.and_then(|w| w.get(id as usize)).copied().unwrap_or(0.0))
                        .sum();
                }
                t
            })
            .collect();
        PairScorer {
            coll,
            totals,
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
        let (Some(pa), Some(pb)) = (
            self.coll.prints.get(a as usize),
            self.coll.prints.get(b as usize),
        ) else {
            return 0.0;
        };
        let (ta, tb) = (self.totals.get(a as usize), self.totals.get(b as usize));
        let (mut sum, mut wsum) = (0.0, 0.0);
        for ((d, &offset), &dim_weight) in self.offsets.iter().enumerate().zip(WEIGHTS.iter()) {
            let ia = pa.dims.get(d).map(Vec::as_slice).unwrap_or(&[]);
            let ib = pb.dims.get(d).map(Vec::as_slice).unwrap_or(&[]);
            if ia.is_empty() && ib.is_empty() {
                continue;
            }
            let of = |t: Option<&[f32; DIMS]>| t.and_then(|t| t.get(d)).copied().unwrap_or(0.0);
            let total = f64::from(of(ta) + of(tb));
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
            let union = total - shared;
            let j = if union > 0.0 { shared / union } else { 1.0 };
            sum += dim_weight * j.clamp(0.0, 1.0);
            wsum += dim_weight;
        }
        if wsum > 0.0 {
            sum / wsum
        } else {
            0.0
        }
    }
}

/// Clusters `records` (every input file, analysed or not).
pub fn cluster(records: &[AppRecord], options: &ClusterOptions) -> ClusterReport {
    let mut sorted: Vec<&AppRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.file.cmp(&b.file));
    let ok: Vec<&AppRecord> = sorted
        .iter()
        .copied()
        .filter(|r| r.error.is_none())
        .collect();
    let an = Analysed::new(ok);
    let edges = scored_pairs(&an.coll, options, options.threshold * EDGE_FLOOR);
    let groups = linkage::average_linkage(an.coll.len(), &edges, options.threshold);
    let mut clusters: Vec<Cluster> = groups.iter().map(|g| describe(&an, g)).collect();
    clusters.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then(y.score.total_cmp(&x.score))
            .then(x.members.cmp(&y.members))
    });
    let mut cluster_of: BTreeMap<String, usize> = BTreeMap::new();
    for (i, c) in clusters.iter_mut().enumerate() {
        c.id = i + 1;
        for m in &c.members {
            cluster_of.insert(m.clone(), c.id);
        }
    }
    let apps: Vec<AppEntry> = sorted
        .iter()
        .map(|r| AppEntry {
            file: r.file.clone(),
            package: r.package().to_string(),
            label: r.facts.as_ref().and_then(|f| f.label.clone()),
            version_name: r.facts.as_ref().and_then(|f| f.version_name.clone()),
            sha256: r.sha256.clone(),
            cluster: cluster_of.get(&r.file).copied(),
            error: r.error.clone(),
            facts: r.facts.clone(),
            code_packages: r.features.provenance("code_packages").to_vec(),
        })
        .collect();
    let mut similar_pairs: Vec<PairEntry> = edges
        .iter()
        .filter(|e| e.2 >= options.threshold / 2.0)
        .map(|&(a, b, score)| PairEntry {
            a: an.file(a as usize).to_string(),
            b: an.file(b as usize).to_string(),
            score: round(score),
        })
        .collect();
    similar_pairs.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut duplicated = duplicated_functions(&an.records, options);
    for f in &mut duplicated {
        let set: BTreeSet<usize> = f
            .apps
            .iter()
            .filter_map(|a| cluster_of.get(a).copied())
            .collect();
        f.clusters = set.into_iter().collect();
    }
    let in_clusters: usize = clusters.iter().map(|c| c.members.len()).sum();
    let summary = Summary {
        files: sorted.len(),
        analysed: an.records.len(),
        errors: sorted.len() - an.records.len(),
        clusters: clusters.len(),
        apps_in_clusters: in_clusters,
        retirable: in_clusters - clusters.len(),
    };
    ClusterReport {
        schema_version: SCHEMA_VERSION,
        tool: format!("fingertip {}", env!("CARGO_PKG_VERSION")),
        threshold: options.threshold,
        weights: FUNCTION_DIMS.iter().copied().zip(WEIGHTS).collect(),
        summary,
        apps,
        clusters,
        duplicated_functions: duplicated,
        similar_pairs,
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Features of `dim` that at least `min` of `members` have: (name, count),
/// most common then heaviest first.
fn common_features(an: &Analysed<'_>, members: &[u32], dim: usize, min: usize) -> Vec<String> {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for &m in members {
        if let Some(ids) = an.coll.prints.get(m as usize).and_then(|p| p.dims.get(dim)) {
            for &id in ids {
                *counts.entry(id).or_insert(0) += 1;
            }
        }
    }
    let n = an.coll.len();
    let mut list: Vec<(u32, usize)> = counts
        .into_iter()
        .filter(|&(id, c)| c >= min && !everyone_has(&an.coll, dim, id, n))
        .collect();
    list.sort_by(|x, y| {
        y.1.cmp(&x.1)
            .then(
                an.coll
                    .weight(dim, y.0)
                    .total_cmp(&an.coll.weight(dim, x.0)),
            )
            .then(x.0.cmp(&y.0))
    });
    list.into_iter()
        .take(MAX_LISTED)
        .map(|(id, _)| an.vocab.name(dim, id).to_string())
        .collect()
}

/// A feature more than half of a collection of ten or more has explains
/// nothing.
fn everyone_has(coll: &Collection, dim: usize, id: u32, n: usize) -> bool {
    let df = coll
        .df
        .get(dim)
        .and_then(|d| d.get(id as usize))
        .copied()
        .unwrap_or(0) as usize;
    n >= 10 && df * 2 > n
}

fn dim_index(name: &str) -> usize {
    FUNCTION_DIMS.iter().position(|d| *d == name).unwrap_or(0)
}

fn roles_of(r: &AppRecord) -> BTreeSet<String> {
    r.screens.iter().map(|s| s.role.clone()).collect()
}

fn describe(an: &Analysed<'_>, group: &[u32]) -> Cluster {
    let n = group.len();
    let mut pairs = Vec::new();
    let mut dim_sum = [0.0f64; DIMS];
    let mut dim_count = [0usize; DIMS];
    for (i, &a) in group.iter().enumerate() {
        for &b in group.iter().skip(i + 1) {
            let p = an.coll.pair(a as usize, b as usize);
            for ((s, sum), count) in p.dims.iter().zip(&mut dim_sum).zip(&mut dim_count) {
                if let Some(s) = s {
                    *sum += s;
                    *count += 1;
                }
            }
            pairs.push(PairEntry {
                a: an.file(a as usize).to_string(),
                b: an.file(b as usize).to_string(),
                score: round(p.score),
            });
        }
    }
    let score = pairs.iter().map(|p| p.score).sum::<f64>() / pairs.len().max(1) as f64;
    let min_score = pairs.iter().map(|p| p.score).fold(1.0, f64::min);
    pairs.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let dimensions = FUNCTION_DIMS
        .iter()
        .zip(dim_sum.iter().zip(&dim_count))
        .filter(|(_, (_, &count))| count > 0)
        .map(|(name, (sum, &count))| (*name, round(sum / count as f64)))
        .collect();
    let min_common = (2 * n).div_ceil(3).max(2);
    let mut shared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in READABLE {
        let list = common_features(an, group, dim_index(name), min_common);
        if !list.is_empty() {
            shared.insert(name.to_string(), list);
        }
    }
    let member_records: Vec<&AppRecord> = group
        .iter()
        .filter_map(|&i| an.records.get(i as usize).copied())
        .collect();
    let role_sets: Vec<BTreeSet<String>> = member_records.iter().map(|r| roles_of(r)).collect();
    let mut role_count: BTreeMap<&str, usize> = BTreeMap::new();
    for set in &role_sets {
        for r in set {
            *role_count.entry(r.as_str()).or_insert(0) += 1;
        }
    }
    let roles: Vec<String> = role_count
        .iter()
        .filter(|&(_, &c)| c >= min_common)
        .map(|(r, _)| r.to_string())
        .collect();
    if !roles.is_empty() {
        shared.insert("roles".into(), roles);
    }
    let differs = differences(an, group, &role_sets);
    let provenance = provenance_of(&member_records);
    let mut members: Vec<String> = member_records.iter().map(|r| r.file.clone()).collect();
    members.sort();
    let mut c = Cluster {
        id: 0,
        members,
        score: round(score),
        min_score: round(min_score),
        dimensions,
        shared,
        differs,
        provenance,
        pairs,
        explanation: String::new(),
    };
    c.explanation = explain_cluster(&c, &member_records);
    c
}

fn differences(
    an: &Analysed<'_>,
    group: &[u32],
    role_sets: &[BTreeSet<String>],
) -> Vec<MemberDifference> {
    let n = group.len();
    let max_others = (n - 1) / 3;
    let mut out = Vec::new();
    for (k, &m) in group.iter().enumerate() {
        let mut only: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in ["capabilities", "permissions", "names"] {
            let d = dim_index(name);
            let Some(ids) = an.coll.prints.get(m as usize).and_then(|p| p.dims.get(d)) else {
                continue;
            };
            let mut list: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|id| {
                    let others = group
                        .iter()
                        .filter(|&&o| o != m)
                        .filter(|&&o| has(&an.coll.prints, o, d, *id))
                        .count();
                    others <= max_others
                })
                .collect();
            an.coll.sort_by_weight(d, &mut list);
            let names: Vec<String> = list
                .into_iter()
                .take(MAX_LISTED)
                .map(|id| an.vocab.name(d, id).to_string())
                .collect();
            if !names.is_empty() {
                only.insert(name.to_string(), names);
            }
        }
        if let Some(mine) = role_sets.get(k) {
            let roles: Vec<String> = mine
                .iter()
                .filter(|r| {
                    let others = role_sets
                        .iter()
                        .enumerate()
                        .filter(|&(j, s)| j != k && s.contains(*r))
                        .count();
                    others <= max_others
                })
                .cloned()
                .collect();
            if !roles.is_empty() {
                only.insert("roles".into(), roles);
            }
        }
        if !only.is_empty() {
            out.push(MemberDifference {
                file: an.file(m as usize).to_string(),
                only_here: only,
            });
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

fn has(prints: &[Fingerprint], app: u32, dim: usize, id: u32) -> bool {
    prints
        .get(app as usize)
        .and_then(|p| p.dims.get(dim))
        .is_some_and(|ids| ids.binary_search(&id).is_ok())
}

/// Jaccard of two sorted string lists (`None` when both are empty).
fn jaccard(a: &[String], b: &[String]) -> Option<f64> {
    if a.is_empty() && b.is_empty() {
        return None;
    }
    let sa: BTreeSet<&String> = a.iter().collect();
    let inter = b.iter().filter(|x| sa.contains(x)).count();
    let union = a.len() + b.len() - inter;
    Some(inter as f64 / union.max(1) as f64)
}

/// Share of resource files two builds have in common above which they are
/// one build relabelled.
pub const CLONE_RESOURCE_OVERLAP: f64 = 0.6;

/// Whether `b` is a white-label rebuild of `a`: another package, most
/// resource files byte-identical.
pub fn white_label(a: &AppRecord, b: &AppRecord) -> bool {
    a.package() != b.package()
        && a.sha256 != b.sha256
        && jaccard(
            a.features.provenance("resources"),
            b.features.provenance("resources"),
        )
        .is_some_and(|j| j >= CLONE_RESOURCE_OVERLAP)
}

fn provenance_of(members: &[&AppRecord]) -> ClusterProvenance {
    let mut signers: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in members {
        if let Some(f) = &r.facts {
            for s in &f.signers {
                let e = signers
                    .entry(s.sha256.clone())
                    .or_insert_with(|| (s.subject.clone(), Vec::new()));
                e.1.push(r.file.clone());
            }
        }
        for p in r.features.provenance("code_packages") {
            packages.entry(p.clone()).or_default().push(r.file.clone());
        }
    }
    let mut common_sdks: Option<BTreeSet<&String>> = None;
    for r in members {
        let set: BTreeSet<&String> = r.features.provenance("sdks").iter().collect();
        common_sdks = Some(match common_sdks {
            None => set,
            Some(c) => c.intersection(&set).copied().collect(),
        });
    }
    let mut clones = Vec::new();
    let mut by_sha: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, a) in members.iter().enumerate() {
        by_sha
            .entry(a.sha256.as_str())
            .or_default()
            .push(a.file.clone());
        for b in members.iter().skip(i + 1) {
            if white_label(a, b) {
                let (x, y) = if a.file <= b.file { (a, b) } else { (b, a) };
                clones.push([x.file.clone(), y.file.clone()]);
            }
        }
    }
    clones.sort();
    let mut identical: Vec<Vec<String>> = by_sha
        .into_values()
        .filter(|v| v.len() > 1)
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    identical.sort();
    let group = |(value, (name, mut members)): (String, (String, Vec<String>))| {
        members.sort();
        members.dedup();
        Group {
            value,
            name,
            members,
        }
    };
    ClusterProvenance {
        signers: signers.into_iter().map(group).collect(),
        code_packages: packages
            .into_iter()
            .map(|(k, v)| group((k, (String::new(), v))))
            .collect(),
        common_sdks: common_sdks
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect(),
        white_label_clones: clones,
        identical_files: identical,
    }
}

fn name_list(names: &[String], max: usize) -> String {
    let mut s = names
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(" and {} more", names.len() - max));
    }
    s
}

fn explain_cluster(c: &Cluster, members: &[&AppRecord]) -> String {
    let n = c.members.len();
    let mut names: Vec<String> = members.iter().map(|r| r.display_name()).collect();
    names.sort();
    names.dedup();
    let mut s = format!(
        "These {n} apps ({}) appear to do the same job (cohesion {:.2}, weakest pair {:.2}).",
        name_list(&names, 6),
        c.score,
        c.min_score
    );
    let mut shares = Vec::new();
    if let Some(roles) = c.shared.get("roles") {
        shares.push(format!("screens of the kinds {}", roles.join(", ")));
    }
    if let Some(caps) = c.shared.get("capabilities") {
        shares.push(format!("the capabilities {}", name_list(caps, 6)));
    }
    if let Some(text) = c.shared.get("text") {
        shares.push(format!("the words {}", name_list(text, 8)));
    }
    if let Some(paths) = c.shared.get("paths") {
        shares.push(format!("backend paths such as {}", name_list(paths, 5)));
    }
    if !shares.is_empty() {
        s.push_str(&format!(" Most of them share {}.", shares.join("; ")));
    }
    let p = &c.provenance;
    let signers = p.signers.len();
    let vendors: BTreeSet<&str> = p.code_packages.iter().map(|g| g.value.as_str()).collect();
    s.push_str(&format!(
        " They are signed with {} certificate{}",
        signers,
        if signers == 1 { "" } else { "s" }
    ));
    if vendors.is_empty() {
        s.push('.');
    } else {
        s.push_str(&format!(
            " and carry the base code of {}.",
            name_list(
                &vendors.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
                4
            )
        ));
    }
    if !p.white_label_clones.is_empty() {
        s.push_str(&format!(
            " {} pair{} are white-label rebuilds of one app.",
            p.white_label_clones.len(),
            if p.white_label_clones.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    if !p.identical_files.is_empty() {
        s.push_str(" Some files are byte-identical copies.");
    }
    s.push_str(&format!(
        " One shared app could replace {} of them.",
        n.saturating_sub(1)
    ));
    s
}

/// Screens that recur across apps (see the module docs).
fn duplicated_functions(
    records: &[&AppRecord],
    options: &ClusterOptions,
) -> Vec<DuplicatedFunction> {
    // One item per (app, screen).
    let mut items: Vec<(usize, usize)> = Vec::new();
    for (a, r) in records.iter().enumerate() {
        for s in 0..r.screens.len() {
            items.push((a, s));
        }
    }
    let screen = |&(a, s): &(usize, usize)| records.get(a).and_then(|r| r.screens.get(s));
    let mut ids: BTreeMap<u64, u32> = BTreeMap::new();
    for it in &items {
        if let Some(sc) = screen(it) {
            for &f in &sc.features {
                ids.insert(f, 0);
            }
        }
    }
    for (i, v) in ids.values_mut().enumerate() {
        *v = i as u32;
    }
    let prints: Vec<Fingerprint> = items
        .iter()
        .map(|it| {
            let mut v: Vec<u32> = screen(it)
                .map(|sc| {
                    sc.features
                        .iter()
                        .filter_map(|f| ids.get(f).copied())
                        .collect()
                })
                .unwrap_or_default();
            v.sort_unstable();
            v.dedup();
            Fingerprint { dims: vec![v] }
        })
        .collect();
    let coll = Collection::new(prints, &[ids.len()]);
    let edges: Vec<(u32, u32, f64)> = scored_pairs(&coll, options, SCREEN_THRESHOLD * EDGE_FLOOR)
        .into_iter()
        .filter(|&(x, y, _)| {
            let (ix, iy) = (items.get(x as usize), items.get(y as usize));
            match (ix, iy) {
                (Some(ix), Some(iy)) => {
                    ix.0 != iy.0 && screen(ix).map(|s| &s.role) == screen(iy).map(|s| &s.role)
                }
                _ => false,
            }
        })
        .collect();
    let groups = linkage::average_linkage(items.len(), &edges, SCREEN_THRESHOLD);
    let mut out = Vec::new();
    for g in groups {
        let mut apps = BTreeSet::new();
        let mut screens = Vec::new();
        let mut titles: BTreeMap<&str, usize> = BTreeMap::new();
        let mut role = String::new();
        for &i in &g {
            let Some(it) = items.get(i as usize) else {
                continue;
            };
            let (Some(r), Some(sc)) = (records.get(it.0), screen(it)) else {
                continue;
            };
            apps.insert(r.file.clone());
            screens.push(ScreenRef {
                file: r.file.clone(),
                screen: sc.name.clone(),
            });
            // Obfuscated class names (`A`, `ab`) make poor titles.
            if sc.title.chars().count() > 2 {
                *titles.entry(sc.title.as_str()).or_insert(0) += 1;
            }
            role = sc.role.clone();
        }
        if apps.len() < MIN_FUNCTION_APPS {
            continue;
        }
        let title = titles
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(t, _)| t.to_string())
            .unwrap_or_default();
        let strings = g
            .iter()
            .filter_map(|&i| items.get(i as usize).and_then(screen))
            .find(|sc| sc.title == title)
            .map(|sc| sc.strings.clone())
            .unwrap_or_default();
        let mut sum = 0.0;
        let mut cnt = 0usize;
        for (k, &x) in g.iter().enumerate() {
            for &y in g.iter().skip(k + 1) {
                sum += coll.score(x as usize, y as usize);
                cnt += 1;
            }
        }
        screens.sort_by(|x, y| x.file.cmp(&y.file).then(x.screen.cmp(&y.screen)));
        out.push(DuplicatedFunction {
            id: 0,
            role,
            title,
            strings,
            clusters: Vec::new(),
            apps: apps.into_iter().collect(),
            screens,
            score: round(sum / cnt.max(1) as f64),
        });
    }
    out.sort_by(|x, y| {
        y.apps
            .len()
            .cmp(&x.apps.len())
            .then(y.score.total_cmp(&x.score))
            .then(x.apps.cmp(&y.apps))
    });
    for (i, f) in out.iter_mut().enumerate() {
        f.id = i + 1;
    }
    out
}

/// Explains one pair within the collection of `records` (indexes `a`, `b`
/// into `records`, all analysed).
pub fn explain_pair(
    records: &[&AppRecord],
    a: usize,
    b: usize,
    threshold: f64,
) -> Option<PairExplanation> {
    let an = Analysed::new(records.to_vec());
    explain_in(&an, a, b, threshold)
}

fn explain_in(an: &Analysed<'_>, a: usize, b: usize, threshold: f64) -> Option<PairExplanation> {
    let (ra, rb) = (an.records.get(a)?, an.records.get(b)?);
    let p = an.coll.pair(a, b);
    let dimensions: Vec<DimensionExplanation> = FUNCTION_DIMS
        .iter()
        .enumerate()
        .zip(WEIGHTS.iter().zip(p.dims))
        .map(|((d, name), (&weight, score))| {
            let shared_ids = an.coll.shared(a, b, d);
            let shared = if READABLE.contains(name) {
                shared_ids
                    .iter()
                    .take(MAX_LISTED)
                    .map(|&id| an.vocab.name(d, id).to_string())
                    .collect()
            } else {
                Vec::new()
            };
            DimensionExplanation {
                dim: name,
                weight,
                score: score.map(round),
                shared,
                shared_count: shared_ids.len(),
            }
        })
        .collect();
    let provenance: Vec<ProvenanceRelation> = PROVENANCE_DIMS
        .iter()
        .map(|dim| {
            let (fa, fb) = (ra.features.provenance(dim), rb.features.provenance(dim));
            let set: BTreeSet<&String> = fa.iter().collect();
            let shared: Vec<String> = fb
                .iter()
                .filter(|x| set.contains(x))
                .take(MAX_LISTED)
                .cloned()
                .collect();
            ProvenanceRelation {
                dim,
                overlap: jaccard(fa, fb).map(round),
                shared,
            }
        })
        .collect();
    let score = round(p.score);
    let mut e = PairExplanation {
        a: ra.file.clone(),
        b: rb.file.clone(),
        score,
        duplicate: p.score >= threshold,
        dimensions,
        provenance,
        explanation: String::new(),
    };
    e.explanation = explain_pair_text(&e, ra, rb, threshold);
    Some(e)
}

fn explain_pair_text(e: &PairExplanation, a: &AppRecord, b: &AppRecord, threshold: f64) -> String {
    let verdict = if e.duplicate {
        "duplicate each other's function"
    } else {
        "do not duplicate each other's function"
    };
    let mut s = format!(
        "{} and {} {verdict} (score {:.2}, threshold {:.2}).",
        a.display_name(),
        b.display_name(),
        e.score,
        threshold
    );
    // Dimensions ranked by what they add to the score (weight × score).
    let mut strong: Vec<(&DimensionExplanation, f64)> = e
        .dimensions
        .iter()
        .filter_map(|d| d.score.map(|s| (d, s)))
        .collect();
    strong.sort_by(|x, y| {
        (y.0.weight * y.1)
            .total_cmp(&(x.0.weight * x.1))
            .then(x.0.dim.cmp(y.0.dim))
    });
    let tops: Vec<String> = strong
        .iter()
        .take(3)
        .map(|(d, s)| {
            if d.shared.is_empty() {
                format!("{} {:.2}", d.dim, s)
            } else {
                format!("{} {:.2} ({})", d.dim, s, name_list(&d.shared, 4))
            }
        })
        .collect();
    if !tops.is_empty() {
        s.push_str(&format!(" Closest dimensions: {}.", tops.join("; ")));
    }
    let rel = |dim: &str| {
        e.provenance
            .iter()
            .find(|p| p.dim == dim)
            .and_then(|p| p.overlap)
            .unwrap_or(0.0)
    };
    let mut prov = Vec::new();
    if a.sha256 == b.sha256 {
        prov.push("they are the same file".to_string());
    }
    if rel("signers") > 0.0 {
        prov.push("they share a signing certificate".to_string());
    }
    if rel("code_packages") > 0.0 {
        prov.push("they carry the same vendor base code".to_string());
    }
    if white_label(a, b) {
        prov.push(format!(
            "{:.0}% of their resource files are identical: a white-label rebuild",
            rel("resources") * 100.0
        ));
    }
    if prov.is_empty() {
        s.push_str(" No shared provenance (different signers, no common vendor code).");
    } else {
        s.push_str(&format!(" Provenance: {}.", prov.join("; ")));
        if !e.duplicate {
            s.push_str(" Shared provenance alone does not make them duplicates.");
        }
    }
    s
}

/// The `check` result: which apps of a collection duplicate a new one.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Version of this contract.
    pub schema_version: u32,
    /// `fingertip <version>`.
    pub tool: String,
    /// The new app's file.
    pub file: String,
    /// Its package.
    pub package: String,
    /// Threshold used.
    pub threshold: f64,
    /// Apps in the collection (analysed).
    pub collection: usize,
    /// Collection files that could not be analysed.
    pub collection_errors: Vec<AppEntry>,
    /// Apps at or above the threshold, strongest first.
    pub duplicates: Vec<PairExplanation>,
    /// The closest apps below the threshold (at most 3), for context.
    pub nearest_below: Vec<PairExplanation>,
    /// The new app's facts (icon, risks) for the people's reports; not
    /// part of the JSON contract.
    #[serde(skip)]
    pub facts: Option<crate::scan::AppFacts>,
}

/// Compares `new` against every analysed record of `collection` (the new
/// app's own file, if also in the collection, is skipped).
pub fn check(new: &AppRecord, collection: &[AppRecord], threshold: f64) -> CheckReport {
    let mut against: Vec<&AppRecord> = collection
        .iter()
        .filter(|r| r.error.is_none() && r.file != new.file)
        .collect();
    against.sort_by(|a, b| a.file.cmp(&b.file));
    let errors: Vec<AppEntry> = collection
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| AppEntry {
            file: r.file.clone(),
            package: String::new(),
            label: None,
            version_name: None,
            sha256: r.sha256.clone(),
            cluster: None,
            error: r.error.clone(),
            facts: None,
            code_packages: Vec::new(),
        })
        .collect();
    let mut all = vec![new];
    all.extend(against.iter().copied());
    let an = Analysed::new(all);
    let mut scored: Vec<(usize, f64)> = (1..an.records.len())
        .map(|i| (i, an.coll.score(0, i)))
        .collect();
    scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(an.file(x.0).cmp(an.file(y.0))));
    let duplicates: Vec<PairExplanation> = scored
        .iter()
        .filter(|(_, s)| *s >= threshold)
        .filter_map(|&(i, _)| explain_in(&an, 0, i, threshold))
        .collect();
    let nearest_below = scored
        .iter()
        .filter(|(_, s)| *s < threshold)
        .take(3)
        .filter_map(|&(i, _)| explain_in(&an, 0, i, threshold))
        .collect();
    CheckReport {
        schema_version: SCHEMA_VERSION,
        tool: format!("fingertip {}", env!("CARGO_PKG_VERSION")),
        file: new.file.clone(),
        package: new.package().to_string(),
        threshold,
        collection: against.len(),
        collection_errors: errors,
        duplicates,
        nearest_below,
        facts: new.facts.clone(),
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

//! Clustering: groups of apps that duplicate each other's function, ranked
//! and explained, plus screens that recur across apps.
//!
//! Stage: reads [`AppRecord`]s (from a scan or an index), never bytes.
//!
//! 1. The function features of every analysed app are weighed by rarity
//!    across the collection ([`crate::similarity`]).
//! 2. Candidate pairs come from MinHash/LSH ([`crate::similarity::lsh`]),
//!    plus the pairs two strong links apart ([`close_two_hop`]);
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

mod describe;
mod functions;
mod pair;
mod pairs;

use describe::{describe, round};
pub use describe::{white_label, CLONE_RESOURCE_OVERLAP};
use functions::duplicated_functions;
pub use pair::{check, explain_pair, CheckReport};
pub use pairs::{close_two_hop, score_candidates, scored_pairs, MAX_TWO_HOP};

use crate::features::{FUNCTION_DIMS, PROVENANCE_DIMS};
use crate::scan::AppRecord;
use crate::similarity::lsh::LshParams;
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

impl ClusterReport {
    /// The entry of `file` (`apps` is sorted by file: a binary search).
    pub fn app(&self, file: &str) -> Option<&AppEntry> {
        self.apps
            .binary_search_by(|a| a.file.as_str().cmp(file))
            .ok()
            .and_then(|i| self.apps.get(i))
    }
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

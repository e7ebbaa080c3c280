//! Reports for people: the text renderings of `cluster`, `compare` and
//! `check`. JSON is the serialization of the same models
//! ([`ClusterReport`], [`PairExplanation`], [`CheckReport`]).

pub mod csv;
pub mod html;
pub mod markdown;
pub mod sarif;

use crate::cluster::{CheckReport, ClusterReport, PairExplanation};
use crate::scan::ScanStats;
use std::fmt::Write as _;

/// `cluster --format text`.
pub fn cluster_text(r: &ClusterReport) -> String {
    let mut s = String::new();
    let m = &r.summary;
    let _ = writeln!(
        s,
        "{} files, {} analysed, {} errors; {} clusters of duplicated functionality holding {} apps ({} could be retired); threshold {:.2}",
        m.files, m.analysed, m.errors, m.clusters, m.apps_in_clusters, m.retirable, r.threshold
    );
    for c in &r.clusters {
        let _ = writeln!(
            s,
            "\nCluster {}: {} apps, cohesion {:.2} (weakest pair {:.2})",
            c.id,
            c.members.len(),
            c.score,
            c.min_score
        );
        for f in &c.members {
            let app = r.app(f);
            let name = app.and_then(|a| a.label.clone()).unwrap_or_default();
            let pkg = app.map(|a| a.package.as_str()).unwrap_or("");
            let _ = writeln!(s, "  {f}  {pkg}  {name}");
        }
        for (dim, list) in &c.shared {
            let _ = writeln!(s, "  shared {dim}: {}", list.join(", "));
        }
        for d in &c.differs {
            let parts: Vec<String> = d
                .only_here
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.join(", ")))
                .collect();
            let _ = writeln!(s, "  only in {}: {}", d.file, parts.join("; "));
        }
        let _ = writeln!(s, "  {}", c.explanation);
    }
    if !r.duplicated_functions.is_empty() {
        let _ = writeln!(s, "\nDuplicated functions (screens recurring across apps):");
        for f in &r.duplicated_functions {
            let _ = writeln!(
                s,
                "  {}. {} screen \"{}\" ({}) in {} apps of {} cluster(s), similarity {:.2}: {}",
                f.id,
                f.role,
                f.title,
                f.strings.join(" / "),
                f.apps.len(),
                f.clusters.len(),
                f.score,
                f.apps.join(", ")
            );
        }
    }
    let errors: Vec<_> = r.apps.iter().filter(|a| a.error.is_some()).collect();
    if !errors.is_empty() {
        let _ = writeln!(s, "\nNot analysed:");
        for a in errors {
            let _ = writeln!(s, "  {}: {}", a.file, a.error.as_deref().unwrap_or(""));
        }
    }
    let alone: Vec<&str> = r
        .apps
        .iter()
        .filter(|a| a.error.is_none() && a.cluster.is_none())
        .map(|a| a.file.as_str())
        .collect();
    if !alone.is_empty() {
        let _ = writeln!(s, "\nNo duplicate found: {}", alone.join(", "));
    }
    s
}

/// `compare --format text` (and each entry of `check`).
pub fn pair_text(e: &PairExplanation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", e.explanation);
    let _ = writeln!(
        s,
        "  {:<13} {:>6} {:>6}  shared",
        "dimension", "weight", "score"
    );
    for d in &e.dimensions {
        let score = d
            .score
            .map(|x| format!("{x:.2}"))
            .unwrap_or_else(|| "-".into());
        let shared = if d.shared.is_empty() {
            format!("{} features", d.shared_count)
        } else {
            d.shared.join(", ")
        };
        let _ = writeln!(
            s,
            "  {:<13} {:>6.1} {:>6}  {shared}",
            d.dim, d.weight, score
        );
    }
    for p in &e.provenance {
        let overlap = p
            .overlap
            .map(|x| format!("{x:.2}"))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "  provenance {:<13} {:>6}  {}",
            p.dim,
            overlap,
            p.shared.join(", ")
        );
    }
    s
}

/// `check --format text`.
pub fn check_text(r: &CheckReport) -> String {
    let mut s = String::new();
    if r.duplicates.is_empty() {
        let _ = writeln!(
            s,
            "{} ({}): no app of the {} in the collection duplicates its function at or above {:.2}.",
            r.file, r.package, r.collection, r.threshold
        );
    } else {
        let _ = writeln!(
            s,
            "{} ({}): {} of the {} apps in the collection duplicate its function at or above {:.2}:",
            r.file,
            r.package,
            r.duplicates.len(),
            r.collection,
            r.threshold
        );
        for d in &r.duplicates {
            let _ = writeln!(s, "\n{}", pair_text(d));
        }
    }
    if !r.nearest_below.is_empty() {
        let _ = writeln!(s, "\nClosest below the threshold:");
        for d in &r.nearest_below {
            let _ = writeln!(s, "  {:.2}  {}", d.score, d.b);
        }
    }
    for e in &r.collection_errors {
        let _ = writeln!(
            s,
            "not analysed: {}: {}",
            e.file,
            e.error.as_deref().unwrap_or("")
        );
    }
    s
}

/// The one-line summary `scan` prints.
pub fn scan_line(stats: &ScanStats, index: &str) -> String {
    format!(
        "scanned {} files: {} analysed, {} reused from the index, {} errors -> {index}",
        stats.files, stats.analysed, stats.reused, stats.errors
    )
}

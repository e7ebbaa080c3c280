//! `cluster` against the govgen ground truth (`../shared/corpus/govgen/*/
//! labels.json`): pairwise precision, recall and F1 of the clusters against
//! the functional families, white-label clones found, and apps of one
//! vendor with different functions kept apart. Skipped when `../shared` is
//! absent. Run with `--nocapture` to see the figures.

use fingertip::cluster::{self, ClusterOptions};
use fingertip::scan::{self, ScanOptions};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const GOVGEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/govgen");

struct Eval {
    precision: f64,
    recall: f64,
    f1: f64,
    clones: usize,
    clones_found: usize,
    same_vendor_merged: usize,
    same_vendor_pairs: usize,
    duplicated_functions: usize,
}

fn evaluate(profile: &str) -> Option<Eval> {
    evaluate_at(profile, cluster::DEFAULT_THRESHOLD, true)
}

fn evaluate_at(profile: &str, threshold: f64, sweep: bool) -> Option<Eval> {
    let dir = Path::new(GOVGEN).join(profile);
    let labels: Value =
        serde_json::from_slice(&std::fs::read(dir.join("labels.json")).ok()?).ok()?;
    let apps = labels.get("apps")?.as_object()?;
    let (records, stats) =
        scan::gather(&[dir.join("apks")], None, false, &ScanOptions::default()).ok()?;
    assert_eq!(stats.errors, 0, "every govgen app is analysed");
    assert_eq!(
        records.len(),
        apps.len(),
        "every labelled app is in the report"
    );
    if sweep {
        // How much room the default threshold has (figures only).
        let mut line = format!("{profile}: F1 by threshold:");
        for t in [0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3] {
            let r = cluster::cluster(
                &records,
                &ClusterOptions {
                    threshold: t,
                    ..ClusterOptions::default()
                },
            );
            line.push_str(&format!(" {t}: {:.3}", pairwise(&r, apps).2));
        }
        println!("{line}");
    }
    let report = cluster::cluster(
        &records,
        &ClusterOptions {
            threshold,
            ..ClusterOptions::default()
        },
    );
    let cluster_of = cluster_by_name(&report);
    let label = |file: &str, key: &str| {
        apps.get(file)
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let files: Vec<&String> = apps.keys().collect();
    let (mut sv_pairs, mut sv_merged) = (0, 0);
    for (i, a) in files.iter().enumerate() {
        for b in files.iter().skip(i + 1) {
            let together = cluster_of.contains_key(*a) && cluster_of.get(*a) == cluster_of.get(*b);
            if label(a, "family") != label(b, "family") && label(a, "vendor") == label(b, "vendor")
            {
                sv_pairs += 1;
                if together {
                    sv_merged += 1;
                }
            }
        }
    }
    let mut clones = 0;
    let mut clones_found = 0;
    for (file, app) in apps {
        if let Some(orig) = app.get("clone_of").and_then(Value::as_str) {
            clones += 1;
            if cluster_of.contains_key(file) && cluster_of.get(file) == cluster_of.get(orig) {
                clones_found += 1;
            }
        }
    }
    let (precision, recall, f1) = pairwise(&report, apps);
    let families: BTreeSet<String> = files.iter().map(|f| label(f, "family")).collect();
    println!(
        "{profile}: {} apps, {} families, {} clusters; pairwise precision {precision:.3} recall {recall:.3} F1 {f1:.3}; clones found {clones_found}/{clones}; same-vendor different-family pairs merged {sv_merged}/{sv_pairs}; duplicated functions {}",
        apps.len(),
        families.len(),
        report.clusters.len(),
        report.duplicated_functions.len()
    );
    Some(Eval {
        precision,
        recall,
        f1,
        clones,
        clones_found,
        same_vendor_merged: sv_merged,
        same_vendor_pairs: sv_pairs,
        duplicated_functions: report.duplicated_functions.len(),
    })
}

/// File name → cluster id of the apps in a cluster.
fn cluster_by_name(report: &cluster::ClusterReport) -> BTreeMap<String, usize> {
    let name = |file: &str| {
        PathBuf::from(file)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    report
        .apps
        .iter()
        .filter_map(|a| a.cluster.map(|c| (name(&a.file), c)))
        .collect()
}

/// Pairwise precision, recall and F1 of the clusters against the families.
fn pairwise(
    report: &cluster::ClusterReport,
    apps: &serde_json::Map<String, Value>,
) -> (f64, f64, f64) {
    let cluster_of = cluster_by_name(report);
    let family = |f: &str| {
        apps.get(f)
            .and_then(|a| a.get("family"))
            .and_then(Value::as_str)
    };
    let files: Vec<&String> = apps.keys().collect();
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (i, a) in files.iter().enumerate() {
        for b in files.iter().skip(i + 1) {
            let together = cluster_of.contains_key(*a) && cluster_of.get(*a) == cluster_of.get(*b);
            match (family(a) == family(b), together) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    (p, r, 2.0 * p * r / (p + r).max(f64::MIN_POSITIVE))
}

/// The bar: F1 at least 0.95, every white-label clone with its
/// original, no same-vendor different-family pair merged.
fn assert_quality(profile: &str) -> Option<Eval> {
    let Some(e) = evaluate(profile) else {
        eprintln!("skipped: {GOVGEN}/{profile} not present");
        return None;
    };
    assert!(
        e.f1 >= 0.95,
        "F1 {:.3} (precision {:.3}, recall {:.3})",
        e.f1,
        e.precision,
        e.recall
    );
    assert_eq!(
        e.clones_found, e.clones,
        "every white-label clone is with its original"
    );
    assert_eq!(
        e.same_vendor_merged, 0,
        "of {} same-vendor different-family pairs",
        e.same_vendor_pairs
    );
    Some(e)
}

#[test]
fn govgen_public_families_are_the_clusters() {
    if let Some(e) = assert_quality("public") {
        assert!(e.duplicated_functions > 0, "recurring screens are reported");
    }
}

#[test]
fn govgen_public_hard_families_are_the_clusters() {
    assert_quality("public-hard");
}

/// The LSH path (used above `EXACT_LIMIT` apps) forced on govgen gives the
/// clusters exact all-pairs scoring gives.
#[test]
fn govgen_lsh_candidates_give_the_exact_clusters() {
    for profile in ["public", "public-hard"] {
        let dir = Path::new(GOVGEN).join(profile).join("apks");
        if !dir.is_dir() {
            eprintln!("skipped: {} not present", dir.display());
            return;
        }
        let (records, _) =
            scan::gather(&[dir], None, false, &ScanOptions::default()).expect("scan govgen");
        let exact = cluster::cluster(&records, &ClusterOptions::default());
        let lsh = cluster::cluster(
            &records,
            &ClusterOptions {
                exact_limit: 0,
                ..ClusterOptions::default()
            },
        );
        let members = |r: &cluster::ClusterReport| -> BTreeSet<Vec<String>> {
            r.clusters.iter().map(|c| c.members.clone()).collect()
        };
        let key = |p: &cluster::PairEntry| (p.a.clone(), p.b.clone());
        let found: BTreeSet<(String, String)> = lsh.similar_pairs.iter().map(key).collect();
        let above: Vec<&cluster::PairEntry> = exact
            .similar_pairs
            .iter()
            .filter(|p| p.score >= cluster::DEFAULT_THRESHOLD)
            .collect();
        let missed: Vec<f64> = above
            .iter()
            .filter(|p| !found.contains(&key(p)))
            .map(|p| p.score)
            .collect();
        println!(
            "{profile}: LSH finds {} of the {} pairs scoring at least the threshold (missed scores {:?})",
            above.len() - missed.len(),
            above.len(),
            &missed[..missed.len().min(20)]
        );
        assert_eq!(members(&lsh), members(&exact), "{profile}");
    }
}

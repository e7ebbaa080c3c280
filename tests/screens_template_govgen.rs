//! Screen fingerprints on the govgen ground truth: a screen built from the
//! same template in another city (same family and role in `labels.json`;
//! vendor base screens by role: one vendor's login screen and another's are
//! both login screens) must be the most similar screen of another app, and
//! login screens must be far from complaint forms. Skipped when `../shared`
//! is absent; `--nocapture` prints figures.

use fingertip::inspect::inspect_path;
use fingertip::reader::Limits;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const GOVGEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/govgen");

/// One labelled screen: app index, template key, fingerprint features.
struct Labelled {
    app: usize,
    template: String,
    features: BTreeSet<u64>,
}

fn jaccard(a: &BTreeSet<u64>, b: &BTreeSet<u64>) -> f64 {
    let shared = a.intersection(b).count();
    let union = a.len() + b.len() - shared;
    shared as f64 / union.max(1) as f64
}

fn load(profile: &str) -> Option<Vec<Labelled>> {
    let dir = Path::new(GOVGEN).join(profile);
    let labels: Value =
        serde_json::from_slice(&std::fs::read(dir.join("labels.json")).ok()?).ok()?;
    let mut out = Vec::new();
    for (app, (file, label)) in labels["apps"].as_object()?.iter().enumerate() {
        let report = inspect_path(&dir.join("apks").join(file), &Limits::default()).ok()?;
        let by_activity: BTreeMap<&str, &fingertip::screens::Screen> = report
            .screens
            .iter()
            .filter(|s| s.kind == "activity")
            .map(|s| (s.activity.as_str(), s))
            .collect();
        for s in label["screens"].as_array()? {
            if s["layout"].is_null() {
                continue; // views built in code: nothing to fingerprint
            }
            let (Some(activity), Some(family), Some(role)) = (
                s["activity"].as_str(),
                s["family"].as_str(),
                s["role"].as_str(),
            ) else {
                continue;
            };
            let Some(screen) = by_activity.get(activity) else {
                continue;
            };
            out.push(Labelled {
                app,
                template: format!("{family}/{role}"),
                features: screen.fingerprint.features.iter().copied().collect(),
            });
        }
    }
    Some(out)
}

/// Share of screens whose nearest screen in another app has the same
/// template, and the mean similarities of same-template pairs and of
/// login-versus-complaint-form pairs.
fn figures(screens: &[Labelled]) -> (f64, f64, f64) {
    let mut hits = 0usize;
    let mut counted = 0usize;
    let (mut same_sum, mut same_n) = (0.0, 0usize);
    let (mut cross_sum, mut cross_n) = (0.0, 0usize);
    for (i, a) in screens.iter().enumerate() {
        let has_twin = screens
            .iter()
            .any(|b| b.app != a.app && b.template == a.template);
        let mut best: Option<(f64, &str)> = None;
        for (j, b) in screens.iter().enumerate() {
            if b.app == a.app {
                continue;
            }
            let s = jaccard(&a.features, &b.features);
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, b.template.as_str()));
            }
            if j > i {
                if a.template == b.template {
                    same_sum += s;
                    same_n += 1;
                }
                let login = |t: &str| t.ends_with("/login");
                let complaint = |t: &str| t == "complaint/report";
                if (login(&a.template) && complaint(&b.template))
                    || (complaint(&a.template) && login(&b.template))
                {
                    cross_sum += s;
                    cross_n += 1;
                }
            }
        }
        if has_twin {
            counted += 1;
            if best.is_some_and(|(_, t)| t == a.template) {
                hits += 1;
            }
        }
    }
    (
        hits as f64 / counted.max(1) as f64,
        same_sum / same_n.max(1) as f64,
        cross_sum / cross_n.max(1) as f64,
    )
}

fn check(profile: &str, min_accuracy: f64) {
    let Some(screens) = load(profile) else {
        eprintln!("skipped: {GOVGEN}/{profile} not present");
        return;
    };
    let (accuracy, same, cross) = figures(&screens);
    println!(
        "{profile}: {} labelled screens; nearest other-app screen has the same template: {:.1}%; mean similarity same template {same:.3}, login vs complaint form {cross:.3}",
        screens.len(),
        accuracy * 100.0
    );
    assert!(
        accuracy >= min_accuracy,
        "nearest-template accuracy {accuracy:.3}"
    );
    assert!(
        same >= 2.0 * cross,
        "same-template {same:.3} vs login/complaint {cross:.3}"
    );
}

#[test]
fn govgen_public_same_template_screens_are_nearest() {
    check("public", 0.9);
}

#[test]
fn govgen_public_hard_same_template_screens_are_nearest() {
    check("public-hard", 0.8);
}

#[test]
#[ignore = "diagnostics"]
fn confusions() {
    let Some(screens) = load("public") else {
        return;
    };
    let mut conf: BTreeMap<(String, String), usize> = BTreeMap::new();
    for a in &screens {
        let mut best: Option<(f64, &str)> = None;
        for b in screens.iter().filter(|b| b.app != a.app) {
            let s = jaccard(&a.features, &b.features);
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, b.template.as_str()));
            }
        }
        if let Some((_, t)) = best {
            if t != a.template
                && screens
                    .iter()
                    .any(|b| b.app != a.app && b.template == a.template)
            {
                *conf.entry((a.template.clone(), t.to_string())).or_insert(0) += 1;
            }
        }
    }
    let mut v: Vec<_> = conf.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    for ((a, b), n) in v.iter().take(40) {
        println!("{n:4} {a} -> {b}");
    }
}

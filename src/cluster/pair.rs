//! One pair explained dimension by dimension (`compare`), and one new app
//! against a collection (`check`).

use super::describe::{jaccard, name_list, round, white_label};
use super::*;

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
            let mut shared: Vec<String> = Vec::new();
            crate::similarity::merge_shared(fa, fb, |x| shared.push(x.clone()));
            shared.truncate(MAX_LISTED);
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

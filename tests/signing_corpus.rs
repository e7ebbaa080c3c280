//! `fingertip::signing::analyse` on every APK of the shared real-world corpus
//! (`../shared/corpus/real`, including AOSP apksig's test vectors, many
//! deliberately broken), compared with two peers whose answers were
//! recorded beforehand by `fixtures/signing/corpus_expected.py` into
//! `fixtures/signing/corpus_signers.tsv`:
//!
//! 1. **apksigner**, where it verifies the APK: it prints the signers of the
//!    newest scheme it verified, so fingertip's signers carrying that scheme
//!    must be exactly those certificates.
//! 2. **androguard**, wherever it could read the APK: the union of its v1
//!    signers (checked against the `.SF`) and the first certificate of each
//!    v2/v3/v3.1 signer must be exactly fingertip's signer set, and its
//!    is_signed_v1/v2/v3/v31 exactly fingertip's `schemes`.
//!
//! Differences that are understood are listed, with the reason, in
//! `fixtures/signing/corpus_accepted.tsv` (path, peer, fingertip's set;
//! peer `androguard_schemes` for a scheme-list difference);
//! an accepted row must still match what fingertip reports, so a change in
//! behaviour shows up. Every APK must be analysed without a panic.
//!
//! Also: no anomaly that means "Android rejects this APK" may be reported on
//! an APK apksigner verifies.
//!
//! Skips (with a note) when the corpus is absent.

use fingertip::archive::Archive;
use fingertip::reader::Limits;
use fingertip::signing::analyse;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");
const EXPECTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/signing/corpus_signers.tsv"
);
const ACCEPTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/signing/corpus_accepted.tsv"
);

type Set = BTreeSet<String>;

/// Anomaly codes that say Android rejects the APK.
const REJECTING: &[&str] = &[
    "sig_signer_malformed",
    "sig_no_signers",
    "sig_too_many_signers",
    "sig_no_signatures",
    "sig_no_certificates",
    "sig_algorithm_mismatch",
    "sig_sdk_mismatch",
    "sig_public_key_mismatch",
    "sig_content_digest_mismatch",
    "sig_lineage_mismatch",
    "sig_stripped_scheme",
    "sig_v1_no_certificates",
    "sig_v1_no_signer_info",
    "sig_v1_signer_cert_not_found",
];

fn set(field: &str) -> Set {
    if field == "-" || field.is_empty() {
        return Set::new();
    }
    field.split(',').map(str::to_string).collect()
}

fn show(s: &Set) -> String {
    if s.is_empty() {
        "-".to_string()
    } else {
        s.iter().cloned().collect::<Vec<_>>().join(",")
    }
}

struct Row {
    apksigner_verifies: bool,
    apksigner_schemes: Vec<String>,
    apksigner: Set,
    androguard_ok: bool,
    androguard_schemes: Set,
    androguard: Set,
}

fn load_expected() -> BTreeMap<String, Row> {
    let text = std::fs::read_to_string(EXPECTED).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 10, "bad row {line:?}");
        let mut androguard = Set::new();
        for col in &f[6..10] {
            androguard.extend(set(col));
        }
        out.insert(
            f[0].to_string(),
            Row {
                apksigner_verifies: f[1] == "verifies",
                apksigner_schemes: f[2].split(',').map(str::to_string).collect(),
                apksigner: set(f[3]),
                androguard_ok: f[4] == "ok",
                androguard_schemes: set(f[5]),
                androguard,
            },
        );
    }
    out
}

/// (path, peer) -> fingertip's accepted set.
fn load_accepted() -> BTreeMap<(String, String), Set> {
    let text = std::fs::read_to_string(ACCEPTED).unwrap();
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "bad accepted row {line:?}");
        if f[0] == "path" {
            continue;
        }
        out.insert((f[0].to_string(), f[1].to_string()), set(f[2]));
    }
    out
}

fn apks(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "apk") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn scheme_rank(s: &str) -> u32 {
    match s {
        "v1" => 1,
        "v2" => 2,
        "v3" => 3,
        "v3.1" => 4,
        _ => 0,
    }
}

#[test]
fn corpus_signers_agree_with_apksigner_and_androguard() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        eprintln!("note: {CORPUS} is absent; skipping the signing corpus comparison");
        return;
    }
    let expected = load_expected();
    let accepted = load_accepted();
    let limits = Limits::default();
    let mut used_accepted = BTreeSet::new();
    let mut bad = Vec::new();
    let (mut n, mut vs_apksigner, mut vs_androguard) = (0, 0, 0);
    let (mut agree_a, mut agree_g, mut agree_s) = (0, 0, 0);
    let mut accepted_hits = 0;

    for path in apks(corpus) {
        let rel = path
            .strip_prefix(corpus)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(row) = expected.get(&rel) else {
            bad.push(format!("{rel}: not in corpus_signers.tsv (regenerate it)"));
            continue;
        };
        n += 1;
        let data = std::fs::read(&path).unwrap();
        let report = Archive::parse(&data, &limits)
            .ok()
            .map(|a| analyse(&a, &limits));
        let signers = report
            .as_ref()
            .map(|r| r.signers.clone())
            .unwrap_or_default();
        let all: Set = signers.iter().map(|s| s.sha256.clone()).collect();

        if row.apksigner_verifies {
            // Nothing Android would reject the APK for may be reported on an
            // APK apksigner verifies (this apksigner does not know v3.1).
            for a in report.iter().flat_map(|r| &r.anomalies) {
                if REJECTING.contains(&a.code) && !a.detail.starts_with("v3.1") {
                    bad.push(format!(
                        "{rel}: verified by apksigner but {}: {}",
                        a.code, a.detail
                    ));
                }
            }
        }

        let mut check = |peer: &str, ours: Set, theirs: &Set, agree: &mut u32| {
            let key = (rel.clone(), peer.to_string());
            if let Some(acc) = accepted.get(&key) {
                used_accepted.insert(key);
                accepted_hits += 1;
                if &ours != acc {
                    bad.push(format!(
                        "{rel}: vs {peer}: accepted difference says fingertip gives {} but it gives {}",
                        show(acc),
                        show(&ours)
                    ));
                }
            } else if &ours == theirs {
                *agree += 1;
            } else {
                bad.push(format!(
                    "{rel}: vs {peer}: fingertip {} but {peer} {}",
                    show(&ours),
                    show(theirs)
                ));
            }
        };

        if row.apksigner_verifies {
            vs_apksigner += 1;
            let newest = row
                .apksigner_schemes
                .iter()
                .max_by_key(|s| scheme_rank(s))
                .cloned()
                .unwrap_or_default();
            let ours: Set = signers
                .iter()
                .filter(|s| s.schemes.contains(&newest))
                .map(|s| s.sha256.clone())
                .collect();
            check("apksigner", ours, &row.apksigner, &mut agree_a);
        }
        if row.androguard_ok {
            vs_androguard += 1;
            check("androguard", all, &row.androguard, &mut agree_g);
            let schemes: Set = report
                .as_ref()
                .map(|r| r.schemes.iter().cloned().collect())
                .unwrap_or_default();
            check(
                "androguard_schemes",
                schemes,
                &row.androguard_schemes,
                &mut agree_s,
            );
        }
    }
    for key in accepted.keys() {
        if !used_accepted.contains(key) {
            bad.push(format!(
                "{}: accepted row for {} was not used",
                key.0, key.1
            ));
        }
    }
    eprintln!(
        "signing corpus: {n} APKs; apksigner verified {vs_apksigner}, fingertip agrees on {agree_a}; \
         androguard read {vs_androguard}, fingertip agrees on {agree_g} (signers) and {agree_s} (schemes); \
         {accepted_hits} accepted differences"
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

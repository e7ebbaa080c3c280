//! `fingertip::signing::analyse` on the fixture APKs against the committed
//! `apksigner verify --print-certs -v` outputs:
//!
//! * `fixtures/apks/*.apk` (v1+v2+v3, one RSA key) vs `fixtures/expected/X.apksigner.txt`;
//! * `fixtures/signing/apks/*.apk` (v1-only, v2-only, EC, DSA, key rotation,
//!   BER PKCS#7; built by `fixtures/signing/build.sh`) vs
//!   `fixtures/signing/expected/X.apksigner.txt`, and the rotated APK's
//!   lineage vs `apksigner lineage --print-certs` (`rotated.lineage.txt`).
//!
//! apksigner prints the signers of the newest scheme it verified, which is
//! what fingertip puts first; fingertip also lists older-scheme signers that
//! differ (only after key rotation). No tool runs here.

use fingertip::archive::Archive;
use fingertip::reader::Limits;
use fingertip::signing::{analyse, SigningReport};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One signer as apksigner prints it.
#[derive(Debug, Default, Clone)]
struct ApkSignerSigner {
    dn: String,
    sha256: String,
    sha1: String,
    key_algorithm: String,
    key_size: Option<u32>,
}

#[derive(Debug, Default)]
struct ApkSigner {
    verifies: bool,
    schemes: Vec<String>,
    signers: Vec<ApkSignerSigner>,
}

/// Parses `apksigner verify --print-certs -v` (or `lineage --print-certs`) output.
fn parse_apksigner(text: &str) -> ApkSigner {
    let mut out = ApkSigner {
        verifies: text.lines().next() == Some("Verifies"),
        ..ApkSigner::default()
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Verified using ") {
            if let Some((scheme, value)) = rest.split_once(" scheme") {
                if value.ends_with(": true") && scheme != "v4" {
                    out.schemes.push(scheme.to_string());
                }
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("Signer #") else {
            continue;
        };
        let Some((num, field)) = rest.split_once(' ') else {
            continue;
        };
        let idx: usize = num.parse().unwrap();
        let field = field.strip_prefix("in lineage ").unwrap_or(field);
        if out.signers.len() < idx {
            out.signers.resize(idx, ApkSignerSigner::default());
        }
        let s = &mut out.signers[idx - 1];
        if let Some(v) = field.strip_prefix("certificate DN: ") {
            s.dn = v.to_string();
        } else if let Some(v) = field.strip_prefix("certificate SHA-256 digest: ") {
            s.sha256 = v.to_string();
        } else if let Some(v) = field.strip_prefix("certificate SHA-1 digest: ") {
            s.sha1 = v.to_string();
        } else if let Some(v) = field.strip_prefix("key algorithm: ") {
            s.key_algorithm = v.to_string();
        } else if let Some(v) = field.strip_prefix("key size (bits): ") {
            s.key_size = v.parse().ok();
        }
    }
    out
}

fn analyse_file(path: &Path) -> SigningReport {
    let data = std::fs::read(path).unwrap();
    let archive = Archive::parse(&data, &Limits::default()).unwrap();
    analyse(&archive, &Limits::default())
}

/// APKs of `dir` with their expected-output file in `expected`.
fn pairs(dir: &str, expected: &str) -> Vec<(String, PathBuf, PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(Path::new(ROOT).join(dir))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_stem()?.to_str()?.to_string();
            (p.extension()? == "apk").then(|| {
                let exp = Path::new(ROOT)
                    .join(expected)
                    .join(format!("{name}.apksigner.txt"));
                (name, p, exp)
            })
        })
        .collect();
    out.sort();
    out
}

/// Compares one APK; returns the mismatches.
/// `v1_unchecked`: apksigner verifies v1 only for platforms before API 24,
/// so for an APK with minSdk >= 24 verified without `--min-sdk-version` a
/// present v1 signature is reported "false".
fn compare(name: &str, report: &SigningReport, exp: &ApkSigner, v1_unchecked: bool) -> Vec<String> {
    let mut bad = Vec::new();
    if !exp.verifies {
        bad.push(format!("{name}: apksigner does not verify it"));
        return bad;
    }
    // Present schemes vs verified ones.
    let mut present = report.schemes.clone();
    if v1_unchecked {
        present.retain(|s| s != "v1");
    }
    if present != exp.schemes {
        bad.push(format!(
            "{name}: schemes {:?}, apksigner verified {:?}",
            report.schemes, exp.schemes
        ));
    }
    for (i, e) in exp.signers.iter().enumerate() {
        let Some(ours) = report.signers.iter().find(|s| s.sha256 == e.sha256) else {
            bad.push(format!("{name}: apksigner signer {} missing", e.sha256));
            continue;
        };
        if i == 0 && report.signers[0].sha256 != e.sha256 {
            bad.push(format!("{name}: first signer is not apksigner's first"));
        }
        if ours.sha1 != e.sha1 {
            bad.push(format!("{name}: sha1 {} vs {}", ours.sha1, e.sha1));
        }
        if ours.subject != e.dn {
            bad.push(format!("{name}: subject {:?} vs {:?}", ours.subject, e.dn));
        }
        if ours.key_algorithm != e.key_algorithm || ours.key_size != e.key_size {
            bad.push(format!(
                "{name}: key {} {:?} vs {} {:?}",
                ours.key_algorithm, ours.key_size, e.key_algorithm, e.key_size
            ));
        }
        assert_eq!(ours.verified, None);
    }
    if name != "rotated" && report.signers.len() != exp.signers.len() {
        bad.push(format!(
            "{name}: {} signers, apksigner {}",
            report.signers.len(),
            exp.signers.len()
        ));
    }
    let unexpected: Vec<_> = report
        .anomalies
        .iter()
        .filter(|a| !(name == "ber_v1" && a.code == "sig_v1_ber_encoding"))
        .collect();
    if !unexpected.is_empty() {
        bad.push(format!("{name}: anomalies {unexpected:?}"));
    }
    bad
}

#[test]
fn project_fixtures_match_apksigner() {
    let mut bad = Vec::new();
    let all = pairs("fixtures/apks", "fixtures/expected");
    assert!(all.len() >= 8);
    for (name, apk, exp) in &all {
        let exp = parse_apksigner(&std::fs::read_to_string(exp).unwrap());
        let report = analyse_file(apk);
        let badging = Path::new(ROOT).join(format!("fixtures/expected/{name}.badging.txt"));
        let min_sdk: u32 = std::fs::read_to_string(badging)
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("sdkVersion:'")?
                    .strip_suffix('\'')?
                    .parse()
                    .ok()
            })
            .unwrap_or(1);
        bad.extend(compare(name, &report, &exp, min_sdk >= 24));
        // apksigner signs v1 with "X-Android-APK-Signed: 2, 3" when it also
        // applies v2 and v3.
        if report.schemes.iter().any(|s| s == "v1") {
            assert_eq!(report.v1_apk_signed_declared, [2, 3], "{name}");
        }
        assert_eq!(
            report.blocks[0].name.as_deref(),
            Some("APK Signature Scheme v2")
        );
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn signing_variants_match_apksigner() {
    let mut bad = Vec::new();
    let all = pairs("fixtures/signing/apks", "fixtures/signing/expected");
    let names: Vec<_> = all.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["ber_v1", "dsa", "ec", "rotated", "v1only", "v2only"]
    );
    for (name, apk, exp) in &all {
        let exp = parse_apksigner(&std::fs::read_to_string(exp).unwrap());
        let report = analyse_file(apk);
        // verified with --min-sdk-version 21 (see build.sh), so v1 is checked
        bad.extend(compare(name, &report, &exp, false));
        match name.as_str() {
            "v1only" | "ber_v1" => {
                assert!(report.blocks.is_empty(), "{name}");
                assert!(report.v1_apk_signed_declared.is_empty(), "{name}");
            }
            "v2only" => assert!(report.v1_signature_files.is_empty()),
            "dsa" => assert_eq!(report.v1_apk_signed_declared, [2], "{name}"),
            _ => {}
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn rotated_lineage_matches_apksigner_lineage() {
    let dir = Path::new(ROOT).join("fixtures/signing");
    let report = analyse_file(&dir.join("apks/rotated.apk"));
    let lineage = parse_apksigner(
        &std::fs::read_to_string(dir.join("expected/rotated.lineage.txt")).unwrap(),
    );
    let expected: Vec<_> = lineage.signers.iter().map(|s| s.sha256.clone()).collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(report.lineage, expected);
    // v3 carries the new key; v1 and v2 the old one, the lineage's first.
    assert_eq!(report.signers.len(), 2);
    assert_eq!(report.signers[0].sha256, expected[1]);
    assert_eq!(report.signers[0].schemes, ["v3"]);
    assert_eq!(report.signers[0].min_sdk, Some(24));
    assert_eq!(report.signers[1].sha256, expected[0]);
    assert_eq!(report.signers[1].schemes, ["v1", "v2"]);
    assert_eq!(report.signers[1].subject, lineage.signers[0].dn);
}

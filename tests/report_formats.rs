//! The report formats of `cluster` and `check` (text, json, md, csv, sarif)
//! on the example collection: every format comes from the same report
//! model, snapshots (insta) pin each one, the SARIF logs validate against
//! the SARIF 2.1.0 schema (`tests/data/sarif-schema-2.1.0.json`), the CSV
//! tables are well-formed RFC 4180 with formula-guarded cells.
//!
//! Paths are relative to the repository (the collection is gathered from
//! `fixtures/collection/apks` with the repository as working directory) and
//! the tool version is redacted, so snapshots do not depend on where the
//! checkout lives or on version bumps. The reports hold no timings.

use assert_cmd::cargo::cargo_bin_cmd;
use fingertip::cluster::{self, CheckReport, ClusterReport};
use fingertip::report::{self, csv::CsvKind};
use fingertip::scan::{self, AppRecord, ScanOptions};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const COLLECTION: &str = "fixtures/collection/apks";
const NEW_APP: &str = "fixtures/collection/apks/mianyang_12345.apk";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The collection's records, gathered once with relative paths.
fn records() -> &'static Vec<AppRecord> {
    static RECORDS: OnceLock<Vec<AppRecord>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        std::env::set_current_dir(root()).expect("cd to the repository");
        let options = ScanOptions {
            progress: false,
            ..Default::default()
        };
        let (records, _) = scan::gather(&[PathBuf::from(COLLECTION)], None, false, &options)
            .expect("gather the collection");
        assert!(records.iter().all(|r| r.error.is_none()));
        records
    })
}

fn cluster_report() -> &'static ClusterReport {
    static REPORT: OnceLock<ClusterReport> = OnceLock::new();
    REPORT.get_or_init(|| cluster::cluster(records(), &cluster::ClusterOptions::default()))
}

fn check_report() -> &'static CheckReport {
    static REPORT: OnceLock<CheckReport> = OnceLock::new();
    REPORT.get_or_init(|| {
        let new = records()
            .iter()
            .find(|r| r.file == NEW_APP)
            .expect("the new app is in the collection");
        cluster::check(new, records(), cluster::DEFAULT_THRESHOLD)
    })
}

/// Redacts the tool version and any absolute path prefix.
fn redact(text: &str) -> String {
    let abs = format!("{}/", root().display());
    text.replace(
        &format!("fingertip {}", env!("CARGO_PKG_VERSION")),
        "fingertip [version]",
    )
    .replace(&abs, "")
}

/// SARIF with the driver's version redacted.
fn redact_sarif(text: &str) -> String {
    let mut v: Json = serde_json::from_str(text).expect("SARIF is JSON");
    for key in ["version", "semanticVersion"] {
        if let Some(x) = v.pointer_mut(&format!("/runs/0/tool/driver/{key}")) {
            *x = Json::from("[version]");
        }
    }
    redact(&serde_json::to_string_pretty(&v).expect("serialize"))
}

fn json_of<T: serde::Serialize>(value: &T) -> String {
    redact(&serde_json::to_string_pretty(value).expect("serialize"))
}

/// CSV snapshots with `\n` line ends (the CRLF ends are checked apart).
fn csv_snapshot(text: &str) -> String {
    redact(&text.replace("\r\n", "\n"))
}

#[test]
fn cluster_snapshots() {
    let r = cluster_report();
    insta::assert_snapshot!("cluster.txt", redact(&report::cluster_text(r)));
    insta::assert_snapshot!("cluster.json", json_of(r));
    insta::assert_snapshot!("cluster.md", redact(&report::markdown::cluster_markdown(r)));
    insta::assert_snapshot!(
        "cluster.apps.csv",
        csv_snapshot(&report::csv::cluster_csv(r, CsvKind::Apps))
    );
    insta::assert_snapshot!(
        "cluster.clusters.csv",
        csv_snapshot(&report::csv::cluster_csv(r, CsvKind::Clusters))
    );
    insta::assert_snapshot!(
        "cluster.pairs.csv",
        csv_snapshot(&report::csv::cluster_csv(r, CsvKind::Pairs))
    );
    insta::assert_snapshot!(
        "cluster.sarif",
        redact_sarif(&report::sarif::cluster_sarif(r))
    );
    insta::assert_snapshot!("cluster.html", redact(&report::html::cluster_html(r)));
}

#[test]
fn check_snapshots() {
    let r = check_report();
    assert!(!r.duplicates.is_empty());
    insta::assert_snapshot!("check.txt", redact(&report::check_text(r)));
    insta::assert_snapshot!("check.json", json_of(r));
    insta::assert_snapshot!("check.md", redact(&report::markdown::check_markdown(r)));
    insta::assert_snapshot!("check.csv", csv_snapshot(&report::csv::check_csv(r)));
    insta::assert_snapshot!("check.sarif", redact_sarif(&report::sarif::check_sarif(r)));
    insta::assert_snapshot!("check.html", redact(&report::html::check_html(r)));
}

#[test]
fn outputs_are_deterministic() {
    let again = cluster::cluster(records(), &cluster::ClusterOptions::default());
    let r = cluster_report();
    assert_eq!(
        report::markdown::cluster_markdown(r),
        report::markdown::cluster_markdown(&again)
    );
    assert_eq!(
        report::sarif::cluster_sarif(r),
        report::sarif::cluster_sarif(&again)
    );
    for kind in CsvKind::ALL {
        assert_eq!(
            report::csv::cluster_csv(r, kind),
            report::csv::cluster_csv(&again, kind)
        );
    }
}

/// A cluster report whose apps carry every risk and one unreadable file,
/// with hostile labels, so that every rule and escape is exercised.
fn risky_report() -> ClusterReport {
    let mut r = cluster_report().clone();
    let mut facts_seen = 0;
    for (i, a) in r.apps.iter_mut().enumerate() {
        let Some(f) = a.facts.as_mut() else { continue };
        facts_seen += 1;
        match i % 4 {
            0 => f.debuggable = true,
            1 => f.cleartext_traffic = true,
            2 => f.packers = vec!["Jiagu 360".into()],
            _ => f.packed = true,
        }
    }
    assert!(facts_seen > 0, "the report carries the scan's facts");
    if let Some(a) = r.apps.first_mut() {
        a.label = Some("=HYPERLINK(\"http://x\",\"[click](http://e) @all <b>\")".into());
    }
    let mut broken = r.apps.first().expect("apps").clone();
    broken.file = "fixtures/collection/apks/broken file.apk".into();
    broken.package = String::new();
    broken.label = None;
    broken.cluster = None;
    broken.facts = None;
    broken.error = Some("not a zip archive: \"bad\", really".into());
    r.apps.push(broken);
    r
}

fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("tests/data/sarif-schema-2.1.0.json");
    let schema: Json =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read schema")).expect("JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compile the SARIF schema")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, text: &str) -> Json {
    let log: Json = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    log
}

fn rule_ids(log: &Json) -> Vec<String> {
    let mut ids: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["ruleId"].as_str().expect("ruleId").to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn sarif_validates_against_the_schema() {
    let validator = sarif_validator();
    let log = assert_valid_sarif(&validator, &report::sarif::cluster_sarif(cluster_report()));
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "fingertip");
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(rules, ["FT001", "FT002", "FT003", "FT004", "FT005"]);
    // One FT001 per cluster, located at the first member, the others related.
    let results = log["runs"][0]["results"].as_array().expect("results");
    let dups: Vec<&Json> = results.iter().filter(|r| r["ruleId"] == "FT001").collect();
    assert_eq!(dups.len(), cluster_report().clusters.len());
    for (d, c) in dups.iter().zip(&cluster_report().clusters) {
        assert_eq!(
            d["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            c.members[0].as_str()
        );
        assert_eq!(
            d["relatedLocations"].as_array().expect("related").len(),
            c.members.len() - 1
        );
    }

    // The validator is live: a bad level or version is rejected.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = Json::from("severe");
    assert!(!validator.is_valid(&bad));
    let mut bad = log.clone();
    bad["version"] = Json::from("2.0.0");
    assert!(!validator.is_valid(&bad));

    let risky = assert_valid_sarif(&validator, &report::sarif::cluster_sarif(&risky_report()));
    assert_eq!(
        rule_ids(&risky),
        ["FT001", "FT002", "FT003", "FT004", "FT005"]
    );
    let notes = &risky["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes.as_array().expect("notifications").len(), 1);
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/collection/apks/broken%20file.apk"
    );

    let check = assert_valid_sarif(&validator, &report::sarif::check_sarif(check_report()));
    let results = check["runs"][0]["results"].as_array().expect("results");
    let dups = results.iter().filter(|r| r["ruleId"] == "FT001").count();
    assert_eq!(dups, check_report().duplicates.len());
    for r in results {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            NEW_APP
        );
    }
}

/// A minimal RFC 4180 reader for the checks below.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
        } else {
            match c {
                '"' => {
                    assert!(field.is_empty(), "quote inside an unquoted field");
                    quoted = true;
                }
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {
                    assert_eq!(chars.next(), Some('\n'), "CR without LF");
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                '\n' => panic!("bare LF line end"),
                c => field.push(c),
            }
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "unterminated row"
    );
    rows
}

#[test]
fn csv_tables_are_rfc4180_and_guarded() {
    let r = risky_report();
    for kind in CsvKind::ALL {
        let text = report::csv::cluster_csv(&r, kind);
        let rows = parse_csv(&text);
        let header = rows.first().expect("header");
        for row in &rows {
            assert_eq!(row.len(), header.len(), "{kind:?}: {row:?}");
        }
        let expected = match kind {
            CsvKind::Apps => r.apps.len(),
            CsvKind::Clusters => r.clusters.len(),
            CsvKind::Pairs => r.similar_pairs.len(),
        };
        assert_eq!(rows.len() - 1, expected, "{kind:?}: one row per item");
    }
    let apps = parse_csv(&report::csv::cluster_csv(&r, CsvKind::Apps));
    let header = &apps[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let label = &apps[1][col("label")];
    assert!(
        label.starts_with("'=HYPERLINK("),
        "formula guarded: {label}"
    );
    let broken = apps.last().expect("row");
    assert_eq!(broken[col("error")], "not a zip archive: \"bad\", really");
    assert_eq!(broken[col("debuggable")], "");
    assert_eq!(apps[1][col("debuggable")], "true");
    assert!(apps[1][col("risks")].contains("FT002"));

    let check = parse_csv(&report::csv::check_csv(check_report()));
    assert_eq!(check.len() - 1, check_report().duplicates.len());
}

#[test]
fn markdown_escapes_app_text() {
    let md = report::markdown::cluster_markdown(&risky_report());
    assert!(!md.contains("[click](http://e)"), "no link from a label");
    assert!(!md.contains(" @all"), "no mention from a label");
    assert!(
        !md.replace("\\<", "").contains("<b>"),
        "no HTML from a label"
    );
    assert!(md.contains("Debuggable release build"));
    assert!(md.contains("### Not analysed (1)"));
}

fn bin(args: &[&str]) -> std::process::Output {
    cargo_bin_cmd!("fingertip")
        .current_dir(root())
        .args(args)
        .arg("--quiet")
        .output()
        .expect("run fingertip")
}

#[test]
fn cli_writes_every_format() {
    for format in ["md", "csv", "sarif"] {
        let out = bin(&["cluster", COLLECTION, "--format", format]);
        assert!(out.status.success(), "{format}: {out:?}");
        assert!(!out.stdout.is_empty());
    }
    let pairs = bin(&[
        "cluster",
        COLLECTION,
        "--format",
        "csv",
        "--csv-kind",
        "pairs",
    ]);
    assert!(String::from_utf8_lossy(&pairs.stdout).starts_with("a,b,score,duplicate,"));

    let dir = root()
        .join("target")
        .join(format!("report-formats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let target = format!("{}/", dir.display());
    let out = bin(&["cluster", COLLECTION, "--format", "csv", "-o", &target]);
    assert!(out.status.success(), "{out:?}");
    for name in ["apps.csv", "clusters.csv", "pairs.csv"] {
        let text = std::fs::read_to_string(dir.join(name)).expect(name);
        assert_eq!(
            text,
            report::csv::cluster_csv(
                cluster_report(),
                match name {
                    "apps.csv" => CsvKind::Apps,
                    "clusters.csv" => CsvKind::Clusters,
                    _ => CsvKind::Pairs,
                }
            ),
            "{name} equals the library's table"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    let out = bin(&[
        "check",
        NEW_APP,
        "--against",
        COLLECTION,
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1), "duplicates found: {out:?}");
    let log: Json = serde_json::from_slice(&out.stdout).expect("SARIF");
    assert_eq!(log["version"], "2.1.0");
    let out = bin(&["compare", NEW_APP, NEW_APP, "--format", "md"]);
    assert_eq!(out.status.code(), Some(2));
}

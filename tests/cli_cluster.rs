//! The collection commands: `scan`, `cluster`, `compare`, `check` on the
//! example collection (`fixtures/collection`, ground truth in its
//! `labels.json`): clusters equal the functional families, output is
//! deterministic, the index is re-used, bad files are listed with their
//! reason, and exit codes are what CI gates on.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

fn collection() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/collection")
}

fn apk(name: &str) -> PathBuf {
    collection().join("apks").join(format!("{name}.apk"))
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    cargo_bin_cmd!("fingertip")
        .args(args)
        .arg("--quiet")
        .output()
        .expect("run fingertip")
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

/// A fresh empty folder under the target directory.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "fingertip-cli-cluster-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn labels() -> Json {
    let data = std::fs::read(collection().join("labels.json")).expect("labels.json");
    serde_json::from_slice(&data).expect("labels are JSON")
}

fn file_name(p: &str) -> String {
    Path::new(p)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Families with two or more members, as sets of file names.
fn expected_groups() -> BTreeSet<BTreeSet<String>> {
    let l = labels();
    let mut fam: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, app) in l["apps"].as_object().expect("apps") {
        let family = app["family"].as_str().expect("family").to_string();
        fam.entry(family).or_default().insert(file.clone());
    }
    fam.into_values().filter(|s| s.len() > 1).collect()
}

fn cluster_json(paths: &[&Path], extra: &[&str]) -> (Json, Output) {
    let mut args: Vec<&std::ffi::OsStr> = vec![os("cluster"), os("--format"), os("json")];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    args.extend(extra.iter().map(|s| os(s)));
    let out = run(&args);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
    (json, out)
}

fn groups_of(report: &Json) -> BTreeSet<BTreeSet<String>> {
    report["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| {
            c["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| file_name(m.as_str().expect("member")))
                .collect()
        })
        .collect()
}

#[test]
fn example_collection_clusters_are_its_families() {
    let dir = collection().join("apks");
    let (report, out) = cluster_json(&[&dir], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(groups_of(&report), expected_groups());
    let apps = report["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 12);
    for a in apps {
        for key in ["file", "package", "sha256"] {
            assert!(a[key].is_string(), "{key} in {a}");
        }
    }
    let c = &report["clusters"][0];
    for key in [
        "id",
        "members",
        "score",
        "shared",
        "differs",
        "provenance",
        "explanation",
    ] {
        assert!(!c[key].is_null(), "cluster key {key}");
    }
    assert!(c["explanation"]
        .as_str()
        .expect("text")
        .contains("same job"));
    // The complaint cluster holds the white-label clone and names it.
    let clones: Vec<&Json> = report["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .flat_map(|c| {
            c["provenance"]["white_label_clones"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .collect();
    assert_eq!(clones.len(), 1, "mianyang is a rebuild of chengdu");
    let pair: BTreeSet<String> = clones[0]
        .as_array()
        .expect("pair")
        .iter()
        .map(|f| file_name(f.as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        pair,
        BTreeSet::from([
            "chengdu_12345.apk".to_string(),
            "mianyang_12345.apk".to_string()
        ])
    );
}

#[test]
fn cluster_output_is_deterministic_and_order_independent() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(collection().join("apks"))
        .expect("apks")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let forward: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (_, a) = cluster_json(&forward, &[]);
    let (_, b) = cluster_json(&forward, &["--jobs", "1"]);
    let backward: Vec<&Path> = files.iter().rev().map(PathBuf::as_path).collect();
    let (_, c) = cluster_json(&backward, &[]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout, "same input, same bytes");
    assert_eq!(a.stdout, c.stdout, "input order does not matter");
}

#[test]
fn scan_writes_an_index_and_reuses_it() {
    let dir = temp_dir("scan");
    let index = dir.join("index.json");
    let apks = collection().join("apks");
    let first = run(&[os("scan"), apks.as_os_str(), os("-o"), index.as_os_str()]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stderr).contains("12 analysed, 0 reused"),
        "{}",
        text(&first.stderr)
    );
    let second = run(&[os("scan"), apks.as_os_str(), os("-o"), index.as_os_str()]);
    assert!(
        text(&second.stderr).contains("0 analysed, 12 reused"),
        "{}",
        text(&second.stderr)
    );
    // A copy elsewhere is recognised by its SHA-256.
    let copy_dir = dir.join("copy");
    std::fs::create_dir_all(&copy_dir).expect("mkdir");
    std::fs::copy(apk("wuhan_12345"), copy_dir.join("wuhan.apk")).expect("copy");
    let third = run(&[
        os("scan"),
        copy_dir.as_os_str(),
        os("-o"),
        index.as_os_str(),
    ]);
    assert!(
        text(&third.stderr).contains("0 analysed, 1 reused"),
        "{}",
        text(&third.stderr)
    );

    let index_json: Json =
        serde_json::from_slice(&std::fs::read(&index).expect("index")).expect("index JSON");
    assert_eq!(index_json["schema_version"], 1);
    let apps = index_json["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1, "the index holds the last scan");
    assert!(apps[0]["features"]["function"].is_array());

    // Clustering the index of the whole collection equals clustering the APKs.
    let _ = run(&[os("scan"), apks.as_os_str(), os("-o"), index.as_os_str()]);
    let (from_index, out) = cluster_json(&[&index], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(groups_of(&from_index), expected_groups());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_non_apk_and_duplicate_files_are_listed_not_dropped() {
    let dir = temp_dir("bad");
    for name in [
        "hangzhou_12345",
        "wuhan_12345",
        "chengdu_12345",
        "changsha_bus",
    ] {
        std::fs::copy(apk(name), dir.join(format!("{name}.apk"))).expect("copy");
    }
    std::fs::copy(apk("wuhan_12345"), dir.join("wuhan_again.apk")).expect("copy");
    let bytes = std::fs::read(apk("jinan_permit")).expect("read");
    std::fs::write(dir.join("truncated.apk"), &bytes[..bytes.len() / 3]).expect("write");
    std::fs::write(dir.join("notes.txt"), "not an app\n").expect("write");
    std::fs::write(dir.join("fake.apk"), "PK but not really").expect("write");
    std::fs::write(dir.join("empty.apk"), "").expect("write");

    let (report, out) = cluster_json(&[&dir], &[]);
    assert!(
        out.status.success(),
        "some apps were analysed: {}",
        text(&out.stderr)
    );
    let apps = report["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 9, "every file is in the report");
    let errors: BTreeMap<String, String> = apps
        .iter()
        .filter_map(|a| {
            a["error"]
                .as_str()
                .map(|e| (file_name(a["file"].as_str().unwrap_or("")), e.to_string()))
        })
        .collect();
    let names: BTreeSet<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["truncated.apk", "notes.txt", "fake.apk", "empty.apk"])
    );
    for (file, e) in &errors {
        assert!(
            !e.is_empty() && !e.contains('\n'),
            "{file}: one-line reason {e:?}"
        );
    }
    // Each bad file is also named on stderr, one line each.
    let err = text(&out.stderr);
    for name in names {
        assert_eq!(err.lines().filter(|l| l.contains(name)).count(), 1, "{err}");
    }
    // The duplicate copy clusters with its original and is called identical.
    let complaint = report["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .find(|c| c["members"].as_array().is_some_and(|m| m.len() >= 4))
        .expect("complaint cluster with the copy");
    let identical = &complaint["provenance"]["identical_files"];
    assert_eq!(identical.as_array().map(Vec::len), Some(1), "{identical}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_exit_codes_gate_ci() {
    let rest = temp_dir("check");
    for e in std::fs::read_dir(collection().join("apks")).expect("apks") {
        let p = e.expect("entry").path();
        let name = p.file_name().expect("name").to_owned();
        if name != "hangzhou_12345.apk" && name != "changsha_bus.apk" {
            std::fs::copy(&p, rest.join(name)).expect("copy");
        }
    }
    let dup = run(&[
        os("check"),
        apk("hangzhou_12345").as_os_str(),
        os("--against"),
        rest.as_os_str(),
        os("--format"),
        os("json"),
    ]);
    assert_eq!(dup.status.code(), Some(1), "{}", text(&dup.stderr));
    let r: Json = serde_json::from_slice(&dup.stdout).expect("check JSON");
    let found: BTreeSet<String> = r["duplicates"]
        .as_array()
        .expect("duplicates")
        .iter()
        .map(|d| file_name(d["b"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        BTreeSet::from([
            "chengdu_12345.apk".to_string(),
            "mianyang_12345.apk".to_string(),
            "wuhan_12345.apk".to_string()
        ]),
        "the other complaint apps, not the same vendor's tax and policy apps"
    );

    let unique = run(&[
        os("check"),
        apk("changsha_bus").as_os_str(),
        os("--against"),
        rest.as_os_str(),
    ]);
    assert_eq!(unique.status.code(), Some(0), "{}", text(&unique.stdout));
    assert!(text(&unique.stdout).contains("no app"));

    let broken = rest.join("broken.bin");
    std::fs::write(&broken, b"PK\x03\x04garbage").expect("write");
    let bad = run(&[
        os("check"),
        broken.as_os_str(),
        os("--against"),
        rest.as_os_str(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let err = text(&bad.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("broken.bin"), "{err}");
    let _ = std::fs::remove_dir_all(&rest);
}

#[test]
fn compare_separates_function_from_provenance() {
    let same = run(&[
        os("compare"),
        apk("hangzhou_12345").as_os_str(),
        apk("wuhan_12345").as_os_str(),
    ]);
    assert!(same.status.success());
    let s = text(&same.stdout);
    assert!(s.contains("duplicate each other's function"), "{s}");
    assert!(s.contains("No shared provenance"), "{s}");

    // Same vendor, same certificate, different function.
    let vendor = run(&[
        os("compare"),
        apk("hangzhou_12345").as_os_str(),
        apk("hangzhou_tax").as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let v: Json = serde_json::from_slice(&vendor.stdout).expect("compare JSON");
    assert_eq!(v["duplicate"], false, "{v}");
    let signers = v["provenance"]
        .as_array()
        .expect("provenance")
        .iter()
        .find(|p| p["dim"] == "signers")
        .expect("signers");
    assert_eq!(signers["overlap"], 1.0);
    assert!(v["explanation"]
        .as_str()
        .unwrap_or("")
        .contains("Shared provenance alone"));
    assert_eq!(v["dimensions"].as_array().map(Vec::len), Some(9));
}

#[test]
fn a_timeout_becomes_an_error_entry() {
    let (report, out) = cluster_json(
        &[&apk("wuhan_12345"), &apk("hangzhou_12345")],
        &["--timeout-per-apk", "0.000001"],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "nothing analysed: the run failed"
    );
    let apps = report["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 2);
    for a in apps {
        assert!(
            a["error"]
                .as_str()
                .unwrap_or("")
                .contains("--timeout-per-apk"),
            "{a}"
        );
    }
}

#[test]
fn a_missing_path_fails_the_whole_run() {
    let out = run(&[os("cluster"), os("/nonexistent/fingertip/apks")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/fingertip/apks"));
}

/// Keys named in the first column of the markdown table that follows
/// `heading` in `docs/<doc>` (`a`, `b` rows name two keys).
fn documented_keys_in(doc: &str, heading: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(doc);
    let text = std::fs::read_to_string(&path).expect("docs file");
    let start = text.find(heading).expect("heading in docs");
    text[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .flat_map(|cell| cell.split(','))
        .map(|k| k.trim().trim_matches('`').to_string())
        .filter(|k| !k.is_empty() && k != "key" && !k.starts_with("---"))
        .collect()
}

fn documented_keys(heading: &str) -> BTreeSet<String> {
    documented_keys_in("cluster-json.md", heading)
}

fn object_keys(v: &Json) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

/// docs/cluster-json.md lists exactly the keys the JSON has.
#[test]
fn cluster_json_matches_its_documentation() {
    let dir = collection().join("apks");
    let (report, _) = cluster_json(&[&dir], &[]);
    assert_eq!(object_keys(&report), documented_keys("## `cluster`"));
    let cluster = &report["clusters"][0];
    assert_eq!(object_keys(cluster), documented_keys("### `clusters[]`"));
    let function = &report["duplicated_functions"][0];
    assert_eq!(
        object_keys(function),
        documented_keys("### `duplicated_functions[]`")
    );
    let compare = run(&[
        os("compare"),
        apk("hangzhou_12345").as_os_str(),
        apk("wuhan_12345").as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let pair: Json = serde_json::from_slice(&compare.stdout).expect("compare JSON");
    assert_eq!(object_keys(&pair), documented_keys("## `compare A B`"));
    let rest = temp_dir("docs");
    std::fs::copy(apk("wuhan_12345"), rest.join("wuhan.apk")).expect("copy");
    let check = run(&[
        os("check"),
        apk("hangzhou_12345").as_os_str(),
        os("--against"),
        rest.as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let c: Json = serde_json::from_slice(&check.stdout).expect("check JSON");
    assert_eq!(
        object_keys(&c),
        documented_keys("## `check NEW --against PATH...`")
    );
    let _ = std::fs::remove_dir_all(&rest);
}

/// docs/index-json.md lists exactly the keys an index has (records with
/// and without an error).
#[test]
fn index_json_matches_its_documentation() {
    let dir = temp_dir("index-docs");
    std::fs::copy(apk("wuhan_12345"), dir.join("wuhan.apk")).expect("copy");
    std::fs::write(dir.join("broken.apk"), b"not a zip").expect("write");
    let index = dir.join("index.json");
    let out = run(&[os("scan"), dir.as_os_str(), os("-o"), index.as_os_str()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let keys_after = |heading: &str| documented_keys_in("index-json.md", heading);
    let json: Json =
        serde_json::from_slice(&std::fs::read(&index).expect("index")).expect("index JSON");
    assert_eq!(
        object_keys(&json),
        keys_after("keys may be added without a version change.")
    );
    let mut record_keys = BTreeSet::new();
    for app in json["apps"].as_array().expect("apps") {
        record_keys.extend(object_keys(app));
    }
    assert_eq!(record_keys, keys_after("## `apps[]`"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Scanning the folder the index is written into does not scan the index.
#[test]
fn the_index_inside_the_scanned_folder_is_not_an_input() {
    let dir = temp_dir("own-index");
    std::fs::copy(apk("wuhan_12345"), dir.join("wuhan.apk")).expect("copy");
    let index = dir.join("fingertip-index.json");
    for _ in 0..2 {
        let out = run(&[os("scan"), dir.as_os_str(), os("-o"), index.as_os_str()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("scanned 1 files"),
            "{}",
            text(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! The `fingertip inspect` command line: formats, exit codes, the error
//! contract and the limit flags (docs/inspect-json.md).
//!
//! Exit status 0 for an APK that can be analysed (in any format), 2 for a
//! file that cannot: then exactly one line on stderr, naming the file, and
//! with `--format json` the `{schema_version, file, error}` object on stdout.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn example() -> PathBuf {
    fixture("apks/example.apk")
}

fn inspect(path: &Path, extra: &[&str]) -> Output {
    cargo_bin_cmd!("fingertip")
        .arg("inspect")
        .arg(path)
        .args(extra)
        .output()
        .expect("run fingertip")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// A file in the temp dir with a name unique to this process and call,
/// removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("fingertip-cli-{}-{n}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("write temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---------------------------------------------------------------------------
// the contract, read from docs/inspect-json.md

/// Backticked words in a piece of Markdown.
fn ticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// `{a, b, c?}` in a table cell: the keys always present (`c?` may be
/// absent, so it is not returned).
fn braced(s: &str) -> Option<Vec<String>> {
    let start = s.find('{')?;
    let end = start + s[start..].find('}')?;
    Some(
        s[start + 1..end]
            .split(',')
            .map(str::trim)
            .filter(|k| !k.ends_with('?'))
            .map(str::to_string)
            .collect(),
    )
}

struct Row {
    keys: Vec<String>,
    ty: String,
    meaning: String,
}

struct Contract {
    rows: Vec<Row>,
    /// component object: required and "when relevant" keys
    component: (Vec<String>, Vec<String>),
    /// intent filter: required keys, `data` object keys, "when set" keys
    filter: (Vec<String>, Vec<String>, Vec<String>),
}

fn contract() -> Contract {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/inspect-json.md"))
            .expect("docs/inspect-json.md");
    let section = doc
        .split("## A readable APK")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("readable-APK section");
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        // cells: keys | type | meaning (the meaning may contain `a|b`)
        let body = line.trim_start_matches("| ").trim_end_matches(" |");
        let (keys, rest) = body.split_once(" | ").expect("keys cell");
        let (ty, meaning) = rest.split_once(" | ").expect("type cell");
        rows.push(Row {
            keys: ticked(keys),
            ty: ty.to_string(),
            meaning: meaning.to_string(),
        });
    }
    let paragraph = |start: &str| -> String {
        let i = section
            .find(start)
            .unwrap_or_else(|| panic!("{start:?} in the doc"));
        section[i..]
            .split("\n\n")
            .next()
            .unwrap()
            .replace('\n', " ")
    };
    let comp = paragraph("A component object:");
    let (req, opt) = comp.split_once("when relevant").expect("'when relevant'");
    // the parentheses explain values, they are not keys
    let keys_outside_parens = |s: &str| -> Vec<String> {
        let mut out = String::new();
        let mut depth = 0;
        for ch in s.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ if depth == 0 => out.push(ch),
                _ => {}
            }
        }
        ticked(&out)
    };
    let component = (keys_outside_parens(req), keys_outside_parens(opt));
    let filt = paragraph("An intent filter:");
    let (before, rest) = filt.split_once("(objects with any of").expect("data keys");
    let (data, after) = rest.split_once(')').expect("closing paren");
    let filter = (ticked(before), ticked(data), ticked(after));
    assert!(
        rows.len() >= 25,
        "the key table was read ({} rows)",
        rows.len()
    );
    let has = |l: &[String], k: &str| l.iter().any(|x| x == k);
    assert!(
        has(&component.0, "name") && has(&component.0, "intent_filters"),
        "component keys read: {component:?}"
    );
    assert!(
        has(&component.1, "target_activity") && has(&component.1, "authorities"),
        "optional component keys read: {component:?}"
    );
    assert!(
        has(&filter.0, "actions") && has(&filter.1, "scheme") && has(&filter.2, "auto_verify"),
        "intent filter keys read: {filter:?}"
    );
    Contract {
        rows,
        component,
        filter,
    }
}

fn type_ok(ty: &str, v: &Json) -> bool {
    match ty {
        "integer" => v.is_i64() || v.is_u64(),
        "integer or null" => v.is_null() || v.is_i64() || v.is_u64(),
        "string" => v.is_string(),
        "string or null" => v.is_null() || v.is_string(),
        "object" => v.is_object(),
        "list" | "lists" => v.is_array(),
        "list of strings" => v.as_array().is_some_and(|a| a.iter().all(Json::is_string)),
        other => panic!("type {other:?} in docs/inspect-json.md is not known to this test"),
    }
}

fn has_keys(what: &str, v: &Json, required: &[String]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {v}"));
    for k in required {
        assert!(obj.contains_key(k), "{what} lacks `{k}`: {v}");
    }
}

// ---------------------------------------------------------------------------
// readable APK: three formats

#[test]
fn text_format_exits_0_with_a_summary() {
    let o = inspect(&example(), &[]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "package:     gov.example.complaints",
        "version:     2.3.1 (code 42)",
        "label:       City Complaint Hotline",
        "  [zh-TW] 城市投訴熱線",
        "gov.example.complaints.DeepLinkActivity",
        "launcher:    gov.example.complaints.MainActivity, gov.example.complaints.QuickComplaint",
    ] {
        assert!(out.contains(want), "text output lacks {want:?}:\n{out}");
    }
    assert!(stderr(&o).is_empty(), "nothing on stderr: {}", stderr(&o));
}

#[test]
fn json_format_has_every_contract_key_with_its_type() {
    let path = example();
    let o = inspect(&path, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let v: Json = serde_json::from_str(&stdout(&o)).expect("stdout is one JSON object");
    let c = contract();
    let mut seen = BTreeSet::new();
    for row in &c.rows {
        for key in &row.keys {
            seen.insert(key.clone());
            let val = v
                .get(key)
                .unwrap_or_else(|| panic!("JSON lacks contract key `{key}`"));
            assert!(
                type_ok(&row.ty, val),
                "`{key}` should be {}, is {val}",
                row.ty
            );
            // element / member keys the table names
            match (braced(&row.meaning), key.as_str()) {
                (Some(req), _) if val.is_array() => {
                    for (i, el) in val.as_array().unwrap().iter().enumerate() {
                        has_keys(&format!("{key}[{i}]"), el, &req);
                    }
                }
                (Some(req), _) => has_keys(key, val, &req),
                (None, "application" | "sdk_declared") => {
                    has_keys(key, val, &ticked(&row.meaning));
                }
                (None, "labels") => {
                    assert!(
                        val.as_object().unwrap().values().all(Json::is_string),
                        "labels: {val}"
                    );
                }
                _ => {}
            }
        }
    }
    assert!(
        seen.len() >= 30,
        "read {} keys from the contract table",
        seen.len()
    );
    assert_eq!(v["schema_version"], 1);
    assert_eq!(
        v["file"],
        path.display().to_string(),
        "file is the path as given"
    );
    assert_eq!(v["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(v["package"], "gov.example.complaints");
    let sdk = &v["sdk_declared"];
    for k in ticked(
        &c.rows
            .iter()
            .find(|r| r.keys == ["sdk_declared"])
            .unwrap()
            .meaning,
    ) {
        assert!(
            sdk[&k].is_null() || sdk[&k].is_string(),
            "sdk_declared.{k}: {}",
            sdk[&k]
        );
    }

    // component objects and intent filters (example.apk has every kind)
    let (comp_req, comp_opt) = &c.component;
    let (filt_req, data_keys, filt_opt) = &c.filter;
    let mut kinds = 0;
    for kind in [
        "activities",
        "activity_aliases",
        "services",
        "receivers",
        "providers",
    ] {
        let list = v[kind].as_array().unwrap();
        assert!(!list.is_empty(), "example.apk has {kind}");
        kinds += 1;
        for comp in list {
            let what = format!("{kind} {}", comp["name"]);
            has_keys(&what, comp, comp_req);
            assert!(
                comp["name"].is_string() && comp["exported"].is_boolean(),
                "{what}"
            );
            let known: BTreeSet<&String> = comp_req.iter().chain(comp_opt).collect();
            for k in comp.as_object().unwrap().keys() {
                assert!(
                    known.contains(k),
                    "{what}: key `{k}` is not in the contract"
                );
            }
            for f in comp["intent_filters"].as_array().unwrap() {
                has_keys(&format!("{what} filter"), f, filt_req);
                for k in f.as_object().unwrap().keys() {
                    assert!(
                        filt_req.contains(k) || filt_opt.contains(k),
                        "{what}: filter key `{k}`"
                    );
                }
                for d in f["data"].as_array().unwrap() {
                    for k in d.as_object().unwrap().keys() {
                        assert!(
                            data_keys.contains(k),
                            "{what}: data key `{k}` is not in the contract"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(kinds, 5);
    // anomaly objects (example.apk has none; modern.apk has one)
    let row = c.rows.iter().find(|r| r.keys == ["anomalies"]).unwrap();
    let o = inspect(&fixture("apks/modern.apk"), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let m: Json = serde_json::from_str(&stdout(&o)).unwrap();
    let anomalies = m["anomalies"].as_array().unwrap();
    assert!(!anomalies.is_empty());
    for a in anomalies {
        has_keys("anomaly", a, &braced(&row.meaning).unwrap());
        assert!(a["code"].is_string() && a["detail"].is_string(), "{a}");
    }
    let alias = &v["activity_aliases"][0];
    assert_eq!(
        alias["target_activity"],
        "gov.example.complaints.ComplaintFormActivity"
    );
    let files = &v["providers"][0];
    assert_eq!(
        files["authorities"],
        serde_json::json!([
            "gov.example.complaints.files",
            "gov.example.complaints.other"
        ])
    );
}

#[test]
fn xml_format_is_the_manifest_with_resource_names() {
    use quick_xml::events::Event;
    let o = inspect(&example(), &["--format", "xml"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let xml = stdout(&o);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut elements = 0;
    let mut root_attrs: Vec<(String, String)> = Vec::new();
    let mut application: Vec<(String, String)> = Vec::new();
    let mut android_attrs = 0;
    loop {
        let e = match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => e,
            _ => continue,
        };
        elements += 1;
        let qname = e.name();
        let name: &str = qname.as_ref();
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.expect("well-formed attribute");
            let key: &str = a.key.as_ref();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("attribute value")
                .into_owned();
            if key.starts_with("android:") {
                android_attrs += 1;
            }
            // every reference printed as a name, none as a raw id
            assert!(
                !value.starts_with("@0x"),
                "<{name} {key}={value:?}>: unresolved reference"
            );
            attrs.push((key.to_string(), value));
        }
        if elements == 1 {
            assert_eq!(name, "manifest", "root element");
            root_attrs = attrs;
        } else if name == "application" {
            application = attrs;
        }
    }
    let get = |attrs: &[(String, String)], k: &str| {
        attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone())
    };
    assert_eq!(
        get(&root_attrs, "xmlns:android").as_deref(),
        Some(ANDROID_NS)
    );
    assert_eq!(
        get(&root_attrs, "package").as_deref(),
        Some("gov.example.complaints")
    );
    assert_eq!(
        get(&root_attrs, "android:versionCode").as_deref(),
        Some("42")
    );
    assert_eq!(
        get(&application, "android:label").as_deref(),
        Some("@string/app_name")
    );
    assert_eq!(
        get(&application, "android:icon").as_deref(),
        Some("@drawable/icon")
    );
    assert_eq!(
        get(&application, "android:theme").as_deref(),
        Some("@style/AppTheme")
    );
    assert_eq!(
        get(&application, "android:networkSecurityConfig").as_deref(),
        Some("@xml/network_security_config")
    );
    assert!(android_attrs > 50, "{android_attrs} android: attributes");
    assert!(elements > 40, "{elements} elements");
}

#[test]
fn xml_format_names_obfuscated_attributes_by_id() {
    // obfuscated_attrs.apk's pool names are junk ("a", "b", ...); the XML
    // view names attributes the way Android identifies them: by resource id.
    let o = inspect(&fixture("apks/obfuscated_attrs.apk"), &["--format", "xml"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let xml = stdout(&o);
    for want in [
        "android:versionCode=\"1001\"",
        "android:name=\"gov.example.obfuscated.permission.PRIVATE\"",
        "android:label=\"@string/app_name\"",
        "android:exported=\"false\"",
    ] {
        assert!(xml.contains(want), "XML lacks {want}:\n{xml}");
    }
}

// ---------------------------------------------------------------------------
// files that cannot be analysed: exit 2, one line, the JSON error object

/// Runs the three formats on `path` and checks the error contract; returns
/// the error text.
fn assert_unreadable(path: &Path, extra: &[&str]) -> String {
    let shown = path.display().to_string();
    let mut error = String::new();
    for format in ["text", "json", "xml"] {
        let mut args = vec!["--format", format];
        args.extend_from_slice(extra);
        let o = inspect(path, &args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{shown} --format {format}: exit status"
        );
        let err = stderr(&o);
        assert_eq!(
            err.lines().count(),
            1,
            "{shown}: exactly one line on stderr, got {err:?}"
        );
        assert!(err.ends_with('\n'), "{shown}: the line is terminated");
        let line = err.trim_end();
        assert!(
            line.starts_with("fingertip: "),
            "{shown}: prefixed: {line:?}"
        );
        assert!(
            line.contains(&shown),
            "{shown}: the line names the file: {line:?}"
        );
        if format == "json" {
            let v: Json = serde_json::from_str(&stdout(&o)).expect("stdout is a JSON object");
            let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["schema_version", "file", "error"]),
                "{v}"
            );
            assert_eq!(v["schema_version"], 1);
            assert_eq!(v["file"], shown.as_str(), "file as given");
            error = v["error"].as_str().unwrap().to_string();
            assert!(
                !error.is_empty() && !error.contains('\n'),
                "one-line error: {error:?}"
            );
            assert!(
                line.ends_with(&error),
                "stderr carries the same error: {line:?} / {error:?}"
            );
        } else {
            assert!(
                stdout(&o).is_empty(),
                "{shown} --format {format}: nothing on stdout"
            );
        }
    }
    error
}

#[test]
fn empty_file_exits_2() {
    let f = TempFile::new("empty.apk", b"");
    let e = assert_unreadable(&f.0, &[]);
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn text_file_exits_2() {
    let f = TempFile::new("notes.apk", b"this is a text file, not an APK\n");
    let e = assert_unreadable(&f.0, &[]);
    assert!(e.contains("not a zip"), "{e}");
}

#[test]
fn truncated_apk_exits_2() {
    let data = std::fs::read(example()).unwrap();
    let f = TempFile::new("truncated.apk", &data[..1000]);
    let e = assert_unreadable(&f.0, &[]);
    assert!(e.contains("not a zip"), "{e}");
}

#[test]
fn zip_without_manifest_exits_2() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("classes.dex", opts).unwrap();
    zip.write_all(b"dex\n035\0").unwrap();
    zip.start_file("res/raw/readme.txt", opts).unwrap();
    zip.write_all(b"no manifest here").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let f = TempFile::new("nomanifest.apk", &bytes);
    let e = assert_unreadable(&f.0, &[]);
    assert!(e.contains("no AndroidManifest.xml"), "{e}");
}

#[test]
fn undecodable_manifest_exits_2() {
    // fixtures/hostile/valid.zip: a sound zip whose AndroidManifest.xml is
    // 104 arbitrary bytes after the binary-XML magic.
    let e = assert_unreadable(&fixture("hostile/valid.zip"), &[]);
    assert!(e.starts_with("AndroidManifest.xml"), "{e}");
}

#[test]
fn hostile_non_zips_exit_2() {
    for name in [
        "empty.zip",
        "not_a_zip.zip",
        "truncated.zip",
        "cd_truncated_beyond_repair.zip",
    ] {
        assert_unreadable(&fixture(&format!("hostile/{name}")), &[]);
    }
}

#[test]
fn nonexistent_path_exits_2() {
    let missing = std::env::temp_dir().join(format!(
        "fingertip-cli-{}-does-not-exist.apk",
        std::process::id()
    ));
    assert!(!missing.exists());
    let e = assert_unreadable(&missing, &[]);
    assert!(e.contains("cannot read"), "{e}");
}

// ---------------------------------------------------------------------------
// limits

#[test]
fn manifest_over_the_entry_limit_exits_2() {
    // The manifest (12,664 bytes inflated) is what everything is built
    // from: over the limit, the APK cannot be analysed.
    let e = assert_unreadable(&example(), &["--max-entry-size", "10"]);
    assert!(
        e.contains("AndroidManifest.xml") && e.contains("limit"),
        "{e}"
    );
}

#[test]
fn file_over_the_size_limit_exits_2() {
    let e = assert_unreadable(&example(), &["--max-file-size", "100"]);
    assert!(e.contains("limit"), "{e}");
}

#[test]
fn resource_table_over_the_entry_limit_is_an_anomaly() {
    // sparse.apk: AndroidManifest.xml is 1,772 bytes, resources.arsc 2,076.
    // With a 2,000-byte limit the manifest is still read (exit 0); the
    // table is not, which is reported and leaves @string labels unresolved.
    let o = inspect(
        &fixture("apks/sparse.apk"),
        &["--format", "json", "--max-entry-size", "2000"],
    );
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let v: Json = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["package"], "org.fingertip.sparse");
    assert_eq!(v["label"], Json::Null, "label needs resources.arsc");
    let anomalies = v["anomalies"].as_array().unwrap();
    assert!(
        anomalies.iter().any(|a| a["code"] == "zip_entry_too_large"
            && a["detail"].as_str().unwrap().contains("resources.arsc")),
        "{anomalies:?}"
    );
    // and a limit that fits everything changes nothing
    let o = inspect(
        &fixture("apks/sparse.apk"),
        &["--format", "json", "--max-entry-size", "2076"],
    );
    assert_eq!(o.status.code(), Some(0));
    let v: Json = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["label"], "Sparse Permits");
    assert_eq!(v["anomalies"], serde_json::json!([]));
}

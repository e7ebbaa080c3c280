//! fingertip on every file of the real-world corpus (`../shared/corpus/real`),
//! compared field by field with the two peers recorded in
//! `fixtures/corpus/androguard.jsonl` (androguard 4.1.4 and aapt 10; see
//! `fixtures/corpus/README.md` for what they are and where they disagree).
//!
//! 1. Every file goes through [`inspect_path`] (in parallel, each call under
//!    `catch_unwind`): a panic fails the test naming the file; an error must
//!    display as one line naming the file. A file at least one peer reads
//!    must be `Ok`; a file both peers reject must be an error or carry an
//!    anomaly saying Android refuses it; a file aapt reads must not have an
//!    `arsc_undecodable` anomaly.
//! 2. Where a peer parsed the manifest, these fields are compared, each
//!    rendered as JSON:
//!    `package`, `version_code`, `version_name`; `min_sdk`, `target_sdk`,
//!    `max_sdk` (the declared literals, `sdk_declared` in fingertip's model);
//!    `min_sdk_effective`, `target_sdk_effective` (fingertip's `min_sdk` /
//!    `target_sdk`; for a peer, androguard's `effective_target_sdk`, else
//!    Android's rule applied to the peer's literals: absent min is 1, absent
//!    target is min, a codename is 10000); `label` (default configuration)
//!    and `label[LOCALE]` for every locale a peer printed (fingertip's value
//!    is the label Android would pick from its `labels` map: the exact
//!    locale, else the bare language, else the default); `permissions`
//!    (`<uses-permission>` names, sorted, duplicates kept; aapt's implied
//!    permissions removed) and `permission_max_sdk` (those entries that
//!    declare maxSdkVersion, as `name maxSdk=N`); `uses_permission_sdk_23`
//!    (aapt only, `name` or `name maxSdk=N`: androguard ignores the element); `declared_permissions`,
//!    `activities`, `activity_aliases`, `services`, `receivers`, `providers`
//!    (androguard only, sorted qualified names); `launcher_activities`
//!    (sorted, de-duplicated; androguard's unqualified `main_activities` are
//!    qualified against its package the way Android qualifies class names).
//!    When fingertip fails on a file a peer read, the field `inspect`
//!    (`"error: ..."` vs `"ok"`) is a difference like any other.
//!
//! Every difference must be listed, with both values and a reason, in
//! `fixtures/corpus/fingertip_expected_differences.tsv`; a difference not
//! listed fails the test, and so does a listed one that no longer occurs, so
//! the file stays an exact account of where fingertip departs from a peer.
//! Run with `cargo test --release --test corpus_real -- --nocapture` to see
//! the summary. Skips cleanly when the corpus is absent.

use fingertip::inspect::{inspect_path, InspectError, InspectErrorKind, InspectReport};
use fingertip::manifest::qualify;
use fingertip::reader::Limits;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");
const PEERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/corpus/androguard.jsonl"
);
const EXPECTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/corpus/fingertip_expected_differences.tsv"
);
/// Android's `Build.VERSION_CODES.CUR_DEVELOPMENT`, the level of a codename.
const CUR_DEVELOPMENT: i64 = 10_000;
const ANDROGUARD: &str = "androguard";
const AAPT: &str = "aapt";

/// What one `inspect_path` call came to.
enum Outcome {
    Ok(Box<InspectReport>),
    Err(InspectError),
    Panic(String),
}

/// Corpus files, relative paths with `/`, sorted; the corpus's own
/// README.md and MANIFEST.tsv left out.
fn corpus_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .expect("under the corpus root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if rel != "README.md" && rel != "MANIFEST.tsv" {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Inspects every file on a few threads; each call is caught on its own.
fn inspect_all(paths: &[PathBuf]) -> Vec<Outcome> {
    let limits = Limits::default();
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Outcome>>> = Mutex::new(paths.iter().map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                let outcome = match catch_unwind(AssertUnwindSafe(|| inspect_path(path, &limits))) {
                    Ok(Ok(report)) => Outcome::Ok(Box::new(report)),
                    Ok(Err(e)) => Outcome::Err(e),
                    Err(payload) => Outcome::Panic(
                        payload
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| payload.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "non-string panic payload".into()),
                    ),
                };
                slots.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|o| o.expect("every file inspected"))
        .collect()
}

/// A short name for why a file could not be analysed.
fn error_reason(e: &InspectError) -> String {
    let variant = |debug: String| -> String {
        debug
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    match &e.kind {
        InspectErrorKind::Io(_) => "io".into(),
        InspectErrorKind::TooLarge { .. } => "too large".into(),
        InspectErrorKind::Archive(a) => format!("archive: {}", variant(format!("{a:?}"))),
        InspectErrorKind::NoManifest => "no AndroidManifest.xml".into(),
        InspectErrorKind::ManifestUnreadable(_) => "manifest unreadable".into(),
        InspectErrorKind::Axml(a) => format!("manifest axml: {}", variant(format!("{a:?}"))),
        InspectErrorKind::NotAManifest(_) => "root is not <manifest>".into(),
    }
}

// ---- field views -----------------------------------------------------------

type Fields = BTreeMap<String, Value>;

fn sorted(mut v: Vec<String>) -> Value {
    v.sort();
    json!(v)
}

fn sorted_dedup(v: Vec<String>) -> Value {
    let set: BTreeSet<String> = v.into_iter().collect();
    json!(set)
}

fn permission(name: &str, max_sdk: Option<String>) -> String {
    match max_sdk {
        Some(m) => format!("{name} maxSdk={m}"),
        None => name.to_string(),
    }
}

/// `<uses-permission>` entries (`name` or `name maxSdk=N`) as two fields:
/// `permissions` (the names) and `permission_max_sdk` (the entries that
/// carry a maxSdkVersion).
fn insert_permissions(f: &mut Fields, entries: Vec<String>) {
    let names = entries
        .iter()
        .map(|e| e.split(" maxSdk=").next().unwrap_or(e).to_string())
        .collect();
    let with_max = entries
        .into_iter()
        .filter(|e| e.contains(" maxSdk="))
        .collect();
    f.insert("permissions".into(), sorted(names));
    f.insert("permission_max_sdk".into(), sorted(with_max));
}

/// The API level of a declared SDK literal, the way Android reads it.
fn sdk_level(s: &str) -> i64 {
    s.trim().parse::<i64>().unwrap_or(CUR_DEVELOPMENT)
}

/// Effective min and target from declared literals (Android's defaults).
fn effective_sdks(min: Option<&str>, target: Option<&str>) -> (i64, i64) {
    let min = min.map_or(1, sdk_level);
    (min, target.map_or(min, sdk_level))
}

/// Android's choice of label for `locale` from fingertip's per-config map:
/// the exact locale, then the bare language, then the default.
fn label_for(r: &InspectReport, locale: &str) -> Value {
    let labels = &r.manifest.labels;
    let language = locale.split('-').next().unwrap_or(locale);
    let bcp = format!("b+{}", locale.replace('-', "+"));
    labels
        .get(locale)
        .or_else(|| labels.get(&bcp))
        .or_else(|| labels.get(language))
        .cloned()
        .or_else(|| r.manifest.label.clone())
        .map_or(Value::Null, Value::String)
}

fn fingertip_fields(r: &InspectReport, locales: &BTreeSet<String>) -> Fields {
    let m = &r.manifest;
    let d = &m.sdk_declared;
    let names = |list: &[fingertip::manifest::Component]| {
        sorted(list.iter().map(|c| c.name.clone()).collect())
    };
    let perms = |sdk_23: bool| -> Vec<String> {
        m.permissions
            .iter()
            .filter(|p| p.sdk_23 == sdk_23)
            .map(|p| permission(&p.name, p.max_sdk.map(|v| v.to_string())))
            .collect()
    };
    let mut f = Fields::new();
    f.insert("package".into(), json!(m.package));
    f.insert("version_code".into(), json!(m.version_code));
    f.insert("version_name".into(), json!(m.version_name));
    f.insert("min_sdk".into(), json!(d.min_sdk));
    f.insert("target_sdk".into(), json!(d.target_sdk));
    f.insert("max_sdk".into(), json!(d.max_sdk));
    f.insert("min_sdk_effective".into(), json!(m.min_sdk));
    f.insert("target_sdk_effective".into(), json!(m.target_sdk));
    f.insert("label".into(), json!(m.label));
    for locale in locales {
        f.insert(format!("label[{locale}]"), label_for(r, locale));
    }
    insert_permissions(&mut f, perms(false));
    f.insert("uses_permission_sdk_23".into(), sorted(perms(true)));
    f.insert(
        "declared_permissions".into(),
        sorted(
            m.declared_permissions
                .iter()
                .map(|p| p.name.clone())
                .collect(),
        ),
    );
    f.insert("activities".into(), names(&m.activities));
    f.insert("activity_aliases".into(), names(&m.activity_aliases));
    f.insert("services".into(), names(&m.services));
    f.insert("receivers".into(), names(&m.receivers));
    f.insert("providers".into(), names(&m.providers));
    f.insert(
        "launcher_activities".into(),
        sorted_dedup(m.launcher_activities.clone()),
    );
    f
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| str_of(x).unwrap_or_default()).collect())
        .unwrap_or_default()
}

fn androguard_fields(g: &Value) -> Fields {
    let mut f = Fields::new();
    let package = g["package"].as_str().unwrap_or_default().to_string();
    f.insert("package".into(), g["package"].clone());
    f.insert("version_code".into(), g["version_code"].clone());
    f.insert("version_name".into(), g["version_name"].clone());
    for (ours, theirs) in [
        ("min_sdk", "min_sdk"),
        ("target_sdk", "target_sdk"),
        ("max_sdk", "max_sdk"),
    ] {
        f.insert(ours.into(), json!(str_of(&g[theirs])));
    }
    let (min, _) = effective_sdks(g["min_sdk"].as_str(), g["target_sdk"].as_str());
    f.insert("min_sdk_effective".into(), json!(min));
    f.insert(
        "target_sdk_effective".into(),
        g["effective_target_sdk"].clone(),
    );
    f.insert("label".into(), g["app_name"].clone());
    if let Some(map) = g["app_name_locales"].as_object() {
        for (locale, label) in map {
            f.insert(format!("label[{locale}]"), label.clone());
        }
    }
    let perms = g["uses_permissions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    let name = str_of(&p[0]).unwrap_or_else(|| "<no name>".into());
                    permission(&name, str_of(&p[1]))
                })
                .collect()
        })
        .unwrap_or_default();
    insert_permissions(&mut f, perms);
    let declared = g["declared_permissions"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    f.insert("declared_permissions".into(), sorted(declared));
    for kind in ["activities", "services", "receivers", "providers"] {
        f.insert(kind.into(), sorted(strings(&g[kind])));
    }
    let aliases = g["activity_aliases"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| str_of(&x["name"])).collect())
        .unwrap_or_default();
    f.insert("activity_aliases".into(), sorted(aliases));
    let main = strings(&g["main_activities"])
        .iter()
        .map(|n| qualify(&package, n))
        .collect();
    f.insert("launcher_activities".into(), sorted_dedup(main));
    f
}

fn aapt_fields(a: &Value) -> Fields {
    let mut f = Fields::new();
    let p = &a["package"];
    let empty_is_null = |v: &Value| match v.as_str() {
        Some("") | None => None,
        Some(s) => Some(s.to_string()),
    };
    f.insert("package".into(), p["name"].clone());
    f.insert(
        "version_code".into(),
        json!(empty_is_null(&p["versionCode"]).and_then(|s| s.parse::<i64>().ok())),
    );
    f.insert(
        "version_name".into(),
        json!(empty_is_null(&p["versionName"])),
    );
    f.insert("min_sdk".into(), json!(str_of(&a["sdkVersion"])));
    f.insert("target_sdk".into(), json!(str_of(&a["targetSdkVersion"])));
    f.insert("max_sdk".into(), json!(str_of(&a["maxSdkVersion"])));
    let (min, target) = effective_sdks(a["sdkVersion"].as_str(), a["targetSdkVersion"].as_str());
    f.insert("min_sdk_effective".into(), json!(min));
    f.insert("target_sdk_effective".into(), json!(target));
    f.insert("label".into(), a["application_label"].clone());
    if let Some(map) = a["application_label_locales"].as_object() {
        for (locale, label) in map {
            f.insert(format!("label[{locale}]"), label.clone());
        }
    }
    let implied: BTreeSet<String> = a["uses_implied_permissions"]
        .as_array()
        .map(|l| l.iter().filter_map(|p| str_of(&p["name"])).collect())
        .unwrap_or_default();
    let list = |key: &str, skip: &BTreeSet<String>| -> Vec<String> {
        a[key]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|p| {
                        let name = str_of(&p["name"])?;
                        (!skip.contains(&name))
                            .then(|| permission(&name, str_of(&p["maxSdkVersion"])))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    insert_permissions(&mut f, list("uses_permissions", &implied));
    f.insert(
        "uses_permission_sdk_23".into(),
        sorted(list("uses_permissions_sdk23", &BTreeSet::new())),
    );
    f.insert(
        "launcher_activities".into(),
        sorted_dedup(strings(&a["launchable_activities"])),
    );
    f
}

/// `label[xx]` fields count together.
fn field_group(field: &str) -> &str {
    if field.starts_with("label[") {
        "label[locale]"
    } else {
        field
    }
}

// ---- expected differences --------------------------------------------------

/// `(path, field, peer)` -> `(fingertip, peer value, reason)`, all as written.
type Expected = BTreeMap<(String, String, String), (String, String, String)>;

fn load_expected() -> Expected {
    let text = std::fs::read_to_string(EXPECTED).unwrap_or_else(|e| panic!("{EXPECTED}: {e}"));
    let mut out = Expected::new();
    let mut header_seen = false;
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            6,
            "{EXPECTED}:{}: expected 6 tab-separated columns",
            n + 1
        );
        if !header_seen {
            assert_eq!(
                cols,
                ["path", "field", "peer", "fingertip", "peer_value", "reason"],
                "{EXPECTED}: header"
            );
            header_seen = true;
            continue;
        }
        assert!(
            !cols[5].trim().is_empty(),
            "{EXPECTED}:{}: a reason is required",
            n + 1
        );
        let key = (cols[0].into(), cols[1].into(), cols[2].into());
        let dup = out.insert(key, (cols[3].into(), cols[4].into(), cols[5].into()));
        assert!(dup.is_none(), "{EXPECTED}:{}: listed twice", n + 1);
    }
    out
}

// ---- the test --------------------------------------------------------------

#[derive(Default)]
struct Tally {
    compared: usize,
    agreed: usize,
    listed: usize,
}

#[test]
fn real_corpus_matches_peers() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        println!("corpus_real: skipped, {CORPUS} is absent");
        return;
    }
    let peers: BTreeMap<String, Value> = std::fs::read_to_string(PEERS)
        .unwrap_or_else(|e| panic!("{PEERS}: {e}"))
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("peer record is JSON");
            (v["path"].as_str().expect("path").to_string(), v)
        })
        .collect();
    let expected = load_expected();
    let files = corpus_files(root);
    let paths: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
    let outcomes = inspect_all(&paths);

    let mut problems: Vec<String> = Vec::new();
    for f in &files {
        if !peers.contains_key(f) {
            problems.push(format!("{f}: not in {PEERS}; regenerate the peer outputs"));
        }
    }
    for p in peers.keys() {
        if !files.contains(p) {
            problems.push(format!("{p}: in {PEERS} but not in the corpus"));
        }
    }

    let mut ok = 0usize;
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut availability: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tallies: BTreeMap<(String, &str), Tally> = BTreeMap::new();
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut both_agree_diffs = 0usize;

    for ((file, path), outcome) in files.iter().zip(&paths).zip(&outcomes) {
        let record = peers.get(file);
        let g = record
            .map(|r| &r["androguard"])
            .filter(|g| g["status"] == "ok" && g["valid_apk"] == true);
        let a = record.map(|r| &r["aapt"]).filter(|a| a["exit_code"] == 0);
        *availability
            .entry(match (g.is_some(), a.is_some()) {
                (true, true) => "both peers read it",
                (true, false) => "androguard only",
                (false, true) => "aapt only",
                (false, false) => "neither peer",
            })
            .or_default() += 1;

        let report = match outcome {
            Outcome::Panic(msg) => {
                problems.push(format!("{file}: inspect_path panicked: {msg}"));
                continue;
            }
            Outcome::Err(e) => {
                let shown = e.to_string();
                if shown.contains('\n') || !shown.starts_with(&path.display().to_string()) {
                    problems.push(format!(
                        "{file}: error does not display as one line naming the file: {shown:?}"
                    ));
                }
                errors
                    .entry(error_reason(e))
                    .or_default()
                    .push(file.clone());
                None
            }
            Outcome::Ok(r) => {
                ok += 1;
                if r.sha256 != record.map_or("", |r| r["sha256"].as_str().unwrap_or_default()) {
                    problems.push(format!(
                        "{file}: sha256 differs from the peer record; regenerate the peer outputs"
                    ));
                }
                // aapt loaded resources.arsc, so it is decodable.
                if a.is_some() {
                    for x in r.anomalies.iter().filter(|x| x.code == "arsc_undecodable") {
                        problems.push(format!(
                            "{file}: aapt reads its resource table but fingertip says: {}",
                            x.detail
                        ));
                    }
                }
                if g.is_none() && a.is_none() {
                    let refusal = r
                        .anomalies
                        .iter()
                        .find(|x| x.detail.to_lowercase().contains("refuse"));
                    match refusal {
                        Some(x) => println!(
                            "both peers reject {file}; fingertip reads it and says: {}: {}",
                            x.code, x.detail
                        ),
                        None => problems.push(format!(
                            "{file}: both peers reject it, but fingertip reads it without any \
                             anomaly saying Android refuses it"
                        )),
                    }
                }
                Some(r)
            }
        };

        // (field, peer) -> (fingertip value, peer value)
        let mut pairs: Vec<(String, &str, Value, Value)> = Vec::new();
        match report {
            Some(r) => {
                let mut views: Vec<(&str, Fields)> = Vec::new();
                if let Some(g) = g {
                    views.push((ANDROGUARD, androguard_fields(g)));
                }
                if let Some(a) = a {
                    views.push((AAPT, aapt_fields(a)));
                }
                let locales: BTreeSet<String> = views
                    .iter()
                    .flat_map(|(_, v)| v.keys())
                    .filter_map(|k| k.strip_prefix("label[")?.strip_suffix(']'))
                    .map(str::to_string)
                    .collect();
                let ours = fingertip_fields(r, &locales);
                for (peer, theirs) in views {
                    for (field, pv) in theirs {
                        let fv = ours.get(&field).cloned().unwrap_or(Value::Null);
                        pairs.push((field, peer, fv, pv));
                    }
                }
            }
            None => {
                let Outcome::Err(e) = outcome else {
                    continue;
                };
                let fv = json!(format!("error: {}", error_reason(e)));
                for (peer, read) in [(ANDROGUARD, g.is_some()), (AAPT, a.is_some())] {
                    if read {
                        pairs.push(("inspect".into(), peer, fv.clone(), json!("ok")));
                    }
                }
            }
        }

        // For "do the peers agree?", keyed by field.
        let peer_values: BTreeMap<(String, &str), Value> = pairs
            .iter()
            .map(|(f, p, _, v)| ((f.clone(), *p), v.clone()))
            .collect();
        for (field, peer, fv, pv) in pairs {
            let tally = tallies
                .entry((field_group(&field).to_string(), peer))
                .or_default();
            tally.compared += 1;
            if fv == pv {
                tally.agreed += 1;
                continue;
            }
            let (fs, ps) = (fv.to_string(), pv.to_string());
            let key = (file.clone(), field.clone(), peer.to_string());
            match expected.get(&key) {
                Some((efs, eps, reason)) if *efs == fs && *eps == ps => {
                    tally.listed += 1;
                    seen.insert(key);
                    let other = if peer == ANDROGUARD { AAPT } else { ANDROGUARD };
                    if peer_values.get(&(field.clone(), other)) == Some(&pv) {
                        both_agree_diffs += 1;
                    }
                    by_reason
                        .entry(reason.clone())
                        .or_default()
                        .push(format!("{file} {field} ({peer})"));
                }
                Some((efs, eps, _)) => {
                    seen.insert(key);
                    problems.push(format!(
                        "{file}: {field} vs {peer}: listed as fingertip {efs} / peer {eps}, \
                         now fingertip {fs} / peer {ps}"
                    ));
                }
                None => problems.push(format!(
                    "{file}: {field} vs {peer}: fingertip {fs}, peer {ps} (not in \
                     fingertip_expected_differences.tsv)\n    TSV row: {file}\t{field}\t{peer}\t{fs}\t{ps}\t<reason>"
                )),
            }
        }
    }
    for key in expected.keys() {
        if !seen.contains(key) {
            problems.push(format!(
                "{} {} ({}): listed in fingertip_expected_differences.tsv but no longer differs",
                key.0, key.1, key.2
            ));
        }
    }

    // ---- summary ----
    let error_count: usize = errors.values().map(Vec::len).sum();
    println!();
    println!("corpus_real: {} files in {CORPUS}", files.len());
    println!("  inspected (Ok): {ok}");
    println!("  errors: {error_count}");
    for (reason, list) in &errors {
        println!("    {reason}: {}", list.len());
        for f in list {
            println!("      {f}");
        }
    }
    println!("  peers:");
    for (what, n) in &availability {
        println!("    {what}: {n}");
    }
    println!("  per-field agreement (agreed / compared; listed = accepted differences):");
    println!(
        "    {:<26} {:>22} {:>22}",
        "field", "vs androguard", "vs aapt"
    );
    let groups: BTreeSet<&String> = tallies.keys().map(|(f, _)| f).collect();
    for group in groups {
        let cell = |peer: &str| {
            tallies
                .get(&(group.clone(), peer))
                .map_or("-".to_string(), |t| {
                    format!("{}/{} (listed {})", t.agreed, t.compared, t.listed)
                })
        };
        println!(
            "    {group:<26} {:>22} {:>22}",
            cell(ANDROGUARD),
            cell(AAPT)
        );
    }
    let listed: usize = by_reason.values().map(Vec::len).sum();
    println!(
        "  accepted differences: {listed} ({both_agree_diffs} where the other peer says the same \
         as this one)"
    );
    for (reason, items) in &by_reason {
        println!("    [{}] {reason}", items.len());
        for item in items.iter().take(3) {
            println!("      {item}");
        }
        if items.len() > 3 {
            println!("      ... and {} more", items.len() - 3);
        }
    }

    if !problems.is_empty() {
        for p in &problems {
            println!("PROBLEM: {p}");
        }
        panic!("corpus_real: {} problem(s), listed above", problems.len());
    }
}

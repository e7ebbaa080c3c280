//! `fingertip::inspect::inspect_path` on every fixture APK, field by field,
//! against the committed peer outputs in `fixtures/expected/` (aapt and aapt2
//! `dump badging`, aapt `dump xmltree` / `dump --values resources` /
//! `list -v`, androguard's JSON) and the hand-derived Android rules
//! (`android_rules.json`, the spec; `NOTES.md` explains every peer
//! disagreement).
//!
//! Each test covers one group of report fields for all fixtures: it reads
//! the golden value, computes ours, and collects every mismatch before
//! failing, so one run shows the whole picture. Where a peer is known to
//! differ from what Android does, the test says so in a comment next to the
//! exception, naming the Android behaviour; nothing is skipped silently.
//!
//! No tool runs here: only the committed golden files are read.

mod golden;

use fingertip::inspect::{inspect_path, InspectReport, SCHEMA_VERSION};
use fingertip::manifest::{Component, IntentData, IntentFilter, MetaData};
use fingertip::reader::Limits;
use golden::{
    androguard, apk_path, expected, fixtures, framework_attr, qualifier_to_tag, rule_text, rules,
    xmltree, AaptResources, Badging, ResVal, XNode, XValue, APKS, FRAMEWORK_ATTRS,
};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// harness

/// Every fixture inspected once (with the default limits).
fn report(apk: &str) -> &'static InspectReport {
    static REPORTS: OnceLock<BTreeMap<&'static str, InspectReport>> = OnceLock::new();
    let all = REPORTS.get_or_init(|| {
        APKS.iter()
            .map(|a| {
                let r = inspect_path(&apk_path(a), &Limits::default())
                    .unwrap_or_else(|e| panic!("{a}.apk cannot be inspected: {e}"));
                (*a, r)
            })
            .collect()
    });
    &all[apk]
}

/// Collects mismatches; `done` fails with all of them.
#[derive(Default)]
struct Check {
    compared: usize,
    failures: Vec<String>,
}

impl Check {
    /// `ours` must equal `peer`, the value read from `source`.
    fn eq<T: PartialEq + Debug>(&mut self, apk: &str, field: &str, ours: T, peer: T, source: &str) {
        self.compared += 1;
        if ours != peer {
            self.failures.push(format!(
                "{apk}.apk {field}:\n      fingertip: {ours:?}\n      {source}: {peer:?}"
            ));
        }
    }

    fn ok(&mut self, apk: &str, field: &str, cond: bool, why: String) {
        self.compared += 1;
        if !cond {
            self.failures.push(format!("{apk}.apk {field}: {why}"));
        }
    }

    #[track_caller]
    fn done(self, what: &str) {
        assert!(self.compared > 0, "{what}: nothing was compared");
        assert!(
            self.failures.is_empty(),
            "{what}: {} of {} comparisons disagree:\n  {}",
            self.failures.len(),
            self.compared,
            self.failures.join("\n  ")
        );
    }
}

/// A documented peer difference, printed (visible with `--nocapture`).
fn note(apk: &str, text: &str) {
    eprintln!("note: {apk}.apk: {text}");
}

// ---------------------------------------------------------------------------
// Android rules the tests apply to the raw golden values

/// `ParsingUtils.buildClassName`: `.Foo` and bare `Foo` get the package.
fn qualify(pkg: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{pkg}{name}")
    } else if !name.contains('.') {
        format!("{pkg}.{name}")
    } else {
        name.to_string()
    }
}

/// `PermissionInfo.protectionToString` for the levels the fixtures use.
fn protection_text(level: i64) -> String {
    let base = match level & 0xf {
        0 => "normal",
        1 => "dangerous",
        2 => "signature",
        3 => "signatureOrSystem",
        other => panic!("protection base {other} not used by the fixtures"),
    };
    let mut out = base.to_string();
    for (bit, name) in [(0x10, "privileged"), (0x20, "development"), (0x40, "appop")] {
        if level & bit != 0 {
            out.push('|');
            out.push_str(name);
        }
    }
    assert_eq!(
        level & !0x7f,
        0,
        "protection flags 0x{level:x} not used by the fixtures"
    );
    out
}

/// A manifest value the way `TypedArray` hands it to the platform (references
/// resolved in the default configuration) and `TypedValue.coerceToString`
/// prints it.
fn xml_text(v: &XValue, res: &AaptResources) -> String {
    match v {
        XValue::Str(s) => s.clone(),
        XValue::Ref(id) => match res.resolve(*id) {
            Some(ResVal::Str(s)) => s.clone(),
            Some(ResVal::Other(kind, text)) if kind == "color" => text.clone(),
            other => panic!("0x{id:08x} resolves to {other:?}, not used as text by the fixtures"),
        },
        XValue::Typed(0x10, d) => (*d as i32).to_string(),
        XValue::Typed(0x12, d) => (*d != 0).to_string(),
        XValue::Typed(0x1c..=0x1f, d) => format!("#{d:08x}"),
        XValue::Typed(t, d) => panic!("(type 0x{t:x})0x{d:x} not used as text by the fixtures"),
    }
}

/// An `<intent-filter>` (or `<queries><intent>`) as Android's
/// `ParsedIntentInfoUtils` reads it: one entry per `<data>` element.
fn xml_filter(f: &XNode) -> IntentFilter {
    let names = |tag: &str| -> Vec<String> {
        f.children_named(tag)
            .filter_map(|c| c.android_str("name"))
            .collect()
    };
    IntentFilter {
        actions: names("action"),
        categories: names("category"),
        data: f
            .children_named("data")
            .map(|d| IntentData {
                scheme: d.android_str("scheme"),
                host: d.android_str("host"),
                port: d.android_str("port"),
                path: d.android_str("path"),
                path_prefix: d.android_str("pathPrefix"),
                path_pattern: d.android_str("pathPattern"),
                path_advanced_pattern: d.android_str("pathAdvancedPattern"),
                path_suffix: d.android_str("pathSuffix"),
                mime_type: d.android_str("mimeType"),
            })
            .collect(),
        priority: f.android_int("priority"),
        auto_verify: f.android_bool("autoVerify").unwrap_or(false),
    }
}

fn xml_meta_data(el: &XNode, res: &AaptResources) -> Vec<MetaData> {
    el.children_named("meta-data")
        .map(|m| MetaData {
            name: m.android_str("name").expect("meta-data name"),
            value: m.android("value").map(|v| xml_text(v, res)),
            resource: m.android("resource").map(|v| match v {
                XValue::Ref(id) => res.at_name(*id),
                other => panic!("meta-data resource {other:?}"),
            }),
        })
        .collect()
}

const COMPONENT_TAGS: &[&str] = &[
    "activity",
    "activity-alias",
    "service",
    "receiver",
    "provider",
];

fn ours_by_tag<'a>(r: &'a InspectReport, tag: &str) -> &'a [Component] {
    let m = &r.manifest;
    match tag {
        "activity" => &m.activities,
        "activity-alias" => &m.activity_aliases,
        "service" => &m.services,
        "receiver" => &m.receivers,
        "provider" => &m.providers,
        other => panic!("no component tag {other}"),
    }
}

fn application(m: &XNode) -> Option<&XNode> {
    m.child("application")
}

fn is_launcher(f: &IntentFilter) -> bool {
    f.actions.iter().any(|a| a == "android.intent.action.MAIN")
        && f.categories
            .iter()
            .any(|c| c == "android.intent.category.LAUNCHER")
}

fn json_strings(v: &Json) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// manifest facts from an element tree (the xmltree dump, or for
// obfuscated_attrs also its source AndroidManifest.xml)

fn check_package_and_versions(c: &mut Check, apk: &str, who: &str, m: &XNode) {
    let r = report(apk);
    let XValue::Str(pkg) = &m.plain("package").expect("package").value else {
        panic!("package is not a string")
    };
    c.eq(apk, "package", &r.manifest.package, pkg, who);
    // TypedArray.getInteger(versionCode, 0) and versionCodeMajor (default 0)
    // composed like PackageInfo.composeLongVersionCode.
    let code = m.android_int("versionCode").unwrap_or(0);
    let major = m.android_int("versionCodeMajor").unwrap_or(0);
    c.eq(
        apk,
        "version_code",
        r.manifest.version_code,
        Some((major << 32) | (code & 0xffff_ffff)),
        &format!("{who} versionCodeMajor<<32 | versionCode"),
    );
    c.eq(
        apk,
        "version_name",
        r.manifest.version_name.clone(),
        m.android_str("versionName"),
        who,
    );
}

fn check_sdk_declared(c: &mut Check, apk: &str, who: &str, m: &XNode) {
    let d = &report(apk).manifest.sdk_declared;
    let uses_sdk = m.child("uses-sdk");
    let sdk = |name: &str| {
        uses_sdk
            .and_then(|u| u.android_int(name))
            .map(|v| v.to_string())
    };
    c.eq(
        apk,
        "sdk_declared.min_sdk",
        d.min_sdk.clone(),
        sdk("minSdkVersion"),
        who,
    );
    c.eq(
        apk,
        "sdk_declared.target_sdk",
        d.target_sdk.clone(),
        sdk("targetSdkVersion"),
        who,
    );
    c.eq(
        apk,
        "sdk_declared.max_sdk",
        d.max_sdk.clone(),
        sdk("maxSdkVersion"),
        who,
    );
    c.eq(
        apk,
        "sdk_declared.compile_sdk",
        d.compile_sdk.clone(),
        m.android_int("compileSdkVersion").map(|v| v.to_string()),
        who,
    );
    c.eq(
        apk,
        "sdk_declared.compile_sdk_codename",
        d.compile_sdk_codename.clone(),
        m.android_str("compileSdkVersionCodename"),
        who,
    );
    // aapt1 stores platformBuildVersionCode as an int with a raw string,
    // aapt2 as an int without one (NOTES.md §7): the typed int is the value.
    let plain = |name: &str| {
        m.plain(name).map(|a| match &a.value {
            XValue::Str(s) => s.clone(),
            XValue::Typed(0x10, d) => d.to_string(),
            other => panic!("{name} = {other:?}"),
        })
    };
    c.eq(
        apk,
        "sdk_declared.platform_build_version_code",
        d.platform_build_version_code.clone(),
        plain("platformBuildVersionCode"),
        who,
    );
    c.eq(
        apk,
        "sdk_declared.platform_build_version_name",
        d.platform_build_version_name.clone(),
        plain("platformBuildVersionName"),
        who,
    );
}

fn check_application(c: &mut Check, apk: &str, who: &str, m: &XNode, res: &AaptResources) {
    let r = report(apk);
    let ours = &r.manifest.application;
    let target = r.manifest.target_sdk.expect("target_sdk");
    let app = application(m).expect("<application>");
    let flag = |name: &str| app.android_bool(name);
    c.eq(
        apk,
        "application.name",
        ours.name.clone(),
        app.android_str("name")
            .map(|n| qualify(&r.manifest.package, &n)),
        who,
    );
    // ParsingPackageUtils.parseBaseApplication defaults.
    c.eq(
        apk,
        "application.debuggable",
        ours.debuggable,
        flag("debuggable").unwrap_or(false),
        who,
    );
    c.eq(
        apk,
        "application.allow_backup",
        ours.allow_backup,
        flag("allowBackup").unwrap_or(true),
        who,
    );
    c.eq(
        apk,
        "application.uses_cleartext_traffic_declared",
        ours.uses_cleartext_traffic_declared,
        flag("usesCleartextTraffic"),
        who,
    );
    c.eq(
        apk,
        "application.uses_cleartext_traffic",
        ours.uses_cleartext_traffic,
        flag("usesCleartextTraffic").unwrap_or(target < 28),
        &format!("{who} (default: targetSdk < 28)"),
    );
    c.eq(
        apk,
        "application.extract_native_libs",
        ours.extract_native_libs,
        flag("extractNativeLibs").unwrap_or(true),
        who,
    );
    c.eq(
        apk,
        "application.test_only",
        ours.test_only,
        flag("testOnly").unwrap_or(false),
        who,
    );
    c.eq(
        apk,
        "application.has_code",
        ours.has_code,
        flag("hasCode").unwrap_or(true),
        who,
    );
    c.eq(
        apk,
        "application.permission",
        ours.permission.clone(),
        app.android_str("permission"),
        who,
    );
    c.eq(
        apk,
        "application.process",
        ours.process.clone(),
        app.android_str("process"),
        who,
    );
    let reference = |name: &str| match app.android(name) {
        Some(XValue::Ref(id)) => Some(*id),
        None => None,
        Some(other) => panic!("application {name} = {other:?}"),
    };
    c.eq(
        apk,
        "application.theme",
        ours.theme.clone(),
        reference("theme").map(|id| res.at_name(id)),
        &format!("{who} + aapt resource names"),
    );
    c.eq(
        apk,
        "application.network_security_config",
        ours.network_security_config.clone(),
        reference("networkSecurityConfig").and_then(|id| res.string(id)),
        &format!("{who} + aapt resource values"),
    );
}

fn check_permissions_xml(c: &mut Check, apk: &str, who: &str, m: &XNode) {
    let r = report(apk);
    // <uses-permission> and <uses-permission-sdk-23> (and its alias
    // <uses-permission-sdk-m>) directly under <manifest>, in order.
    let want: Vec<(String, Option<u32>, bool)> = m
        .children
        .iter()
        .filter_map(|e| {
            let sdk23 = match e.name.as_str() {
                "uses-permission" => false,
                "uses-permission-sdk-23" | "uses-permission-sdk-m" => true,
                _ => return None,
            };
            let max = e.android_int("maxSdkVersion").map(|v| v as u32);
            Some((e.android_str("name")?, max, sdk23))
        })
        .collect();
    let ours: Vec<(String, Option<u32>, bool)> = r
        .manifest
        .permissions
        .iter()
        .map(|p| (p.name.clone(), p.max_sdk, p.sdk_23))
        .collect();
    c.eq(apk, "permissions (name, max_sdk, sdk_23)", ours, want, who);

    let declared: Vec<(String, String, Option<String>)> = m
        .children_named("permission")
        .map(|p| {
            (
                p.android_str("name").expect("permission name"),
                // no android:protectionLevel: PermissionInfo.PROTECTION_NORMAL (0)
                protection_text(p.android_int("protectionLevel").unwrap_or(0)),
                p.android_str("permissionGroup"),
            )
        })
        .collect();
    let ours: Vec<(String, String, Option<String>)> = r
        .manifest
        .declared_permissions
        .iter()
        .map(|p| (p.name.clone(), p.protection_level.clone(), p.group.clone()))
        .collect();
    c.eq(
        apk,
        "declared_permissions (name, level, group)",
        ours,
        declared,
        who,
    );
}

fn check_features_libraries_xml(c: &mut Check, apk: &str, who: &str, m: &XNode) {
    let r = report(apk);
    let want: Vec<(Option<String>, bool, Option<String>)> = m
        .children_named("uses-feature")
        .map(|f| {
            let gl = f
                .android_int("glEsVersion")
                .filter(|&v| v != 0)
                .map(|v| format!("{}.{}", v >> 16, v & 0xffff));
            (
                f.android_str("name"),
                f.android_bool("required").unwrap_or(true),
                gl,
            )
        })
        .collect();
    let ours: Vec<(Option<String>, bool, Option<String>)> = r
        .manifest
        .features
        .iter()
        .map(|f| (f.name.clone(), f.required, f.gl_es_version.clone()))
        .collect();
    c.eq(
        apk,
        "features (name, required, gl_es_version)",
        ours,
        want,
        who,
    );

    let want: Vec<(String, bool, bool)> = application(m)
        .map(|a| {
            a.children
                .iter()
                .filter(|e| e.name == "uses-library" || e.name == "uses-native-library")
                .map(|e| {
                    (
                        e.android_str("name").expect("library name"),
                        e.android_bool("required").unwrap_or(true),
                        e.name == "uses-native-library",
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let ours: Vec<(String, bool, bool)> = r
        .manifest
        .libraries
        .iter()
        .map(|l| (l.name.clone(), l.required, l.native))
        .collect();
    c.eq(apk, "libraries (name, required, native)", ours, want, who);
}

fn check_queries_and_meta_data(
    c: &mut Check,
    apk: &str,
    who: &str,
    m: &XNode,
    res: &AaptResources,
) {
    let r = report(apk);
    let q = &r.manifest.queries;
    let xq: Vec<&XNode> = m.children_named("queries").collect();
    let packages: Vec<String> = xq
        .iter()
        .flat_map(|q| q.children_named("package"))
        .filter_map(|p| p.android_str("name"))
        .collect();
    let intents: Vec<IntentFilter> = xq
        .iter()
        .flat_map(|q| q.children_named("intent"))
        .map(xml_filter)
        .collect();
    let providers: Vec<String> = xq
        .iter()
        .flat_map(|q| q.children_named("provider"))
        .filter_map(|p| p.android_str("authorities"))
        .flat_map(|a| a.split(';').map(str::to_string).collect::<Vec<_>>())
        .collect();
    c.eq(apk, "queries.packages", &q.packages, &packages, who);
    c.eq(apk, "queries.intents", &q.intents, &intents, who);
    c.eq(apk, "queries.providers", &q.providers, &providers, who);

    let want = application(m)
        .map(|a| xml_meta_data(a, res))
        .unwrap_or_default();
    c.eq(
        apk,
        "meta_data",
        &r.manifest.meta_data,
        &want,
        &format!("{who} + aapt resources"),
    );
}

/// Every component attribute except `exported` (see `exported_follows_android_rules`).
fn check_components_xml(c: &mut Check, apk: &str, who: &str, m: &XNode, res: &AaptResources) {
    let r = report(apk);
    let pkg = &r.manifest.package;
    let app = application(m);
    let app_permission = app.and_then(|a| a.android_str("permission"));
    let mut launchers = Vec::new();
    for tag in COMPONENT_TAGS {
        let xml: Vec<&XNode> = app
            .map(|a| a.children_named(tag).collect())
            .unwrap_or_default();
        let ours = ours_by_tag(r, tag);
        let names: Vec<String> = xml
            .iter()
            .map(|e| qualify(pkg, &e.android_str("name").expect("component name")))
            .collect();
        let our_names: Vec<String> = ours.iter().map(|o| o.name.clone()).collect();
        c.eq(apk, &format!("<{tag}> names"), &our_names, &names, who);
        for (e, o) in xml.iter().zip(ours) {
            let f = |field: &str| format!("{} {field}", o.name);
            c.eq(
                apk,
                &f("exported_declared"),
                o.exported_declared,
                e.android_bool("exported"),
                who,
            );
            c.eq(
                apk,
                &f("enabled"),
                o.enabled,
                e.android_bool("enabled").unwrap_or(true),
                who,
            );
            // Activities, services and receivers fall back to the
            // application's android:permission (ParsedActivityUtils /
            // ParsedServiceUtils); fingertip applies it to every kind.
            c.eq(
                apk,
                &f("permission"),
                o.permission.clone(),
                e.android_str("permission")
                    .or_else(|| app_permission.clone()),
                who,
            );
            c.eq(
                apk,
                &f("label"),
                o.label.clone(),
                e.android("label").map(|v| xml_text(v, res)),
                &format!("{who} + aapt resource values"),
            );
            c.eq(
                apk,
                &f("process"),
                o.process.clone(),
                e.android_str("process"),
                who,
            );
            c.eq(
                apk,
                &f("target_activity"),
                o.target_activity.clone(),
                e.android_str("targetActivity").map(|t| qualify(pkg, &t)),
                who,
            );
            // ParsedProviderUtils splits authorities on ';'
            c.eq(
                apk,
                &f("authorities"),
                o.authorities.clone(),
                e.android_str("authorities")
                    .map(|a| a.split(';').map(str::to_string).collect())
                    .unwrap_or_default(),
                who,
            );
            c.eq(
                apk,
                &f("read_permission"),
                o.read_permission.clone(),
                e.android_str("readPermission"),
                who,
            );
            c.eq(
                apk,
                &f("write_permission"),
                o.write_permission.clone(),
                e.android_str("writePermission"),
                who,
            );
            c.eq(
                apk,
                &f("grant_uri_permissions"),
                o.grant_uri_permissions,
                e.android_bool("grantUriPermissions"),
                who,
            );
            let filters: Vec<IntentFilter> =
                e.children_named("intent-filter").map(xml_filter).collect();
            c.eq(apk, &f("intent_filters"), &o.intent_filters, &filters, who);
            c.eq(
                apk,
                &f("meta_data"),
                &o.meta_data,
                &xml_meta_data(e, res),
                who,
            );
        }
    }
    // launcher entries in manifest order, activities and aliases mixed
    for e in app.map(|a| a.children.as_slice()).unwrap_or_default() {
        if (e.name == "activity" || e.name == "activity-alias")
            && e.children_named("intent-filter")
                .map(xml_filter)
                .any(|f| is_launcher(&f))
        {
            launchers.push(qualify(pkg, &e.android_str("name").unwrap()));
        }
    }
    c.eq(
        apk,
        "launcher_activities",
        &r.manifest.launcher_activities,
        &launchers,
        who,
    );
}

fn check_all_xml(c: &mut Check, apk: &str, who: &str, m: &XNode, res: &AaptResources) {
    check_package_and_versions(c, apk, who, m);
    check_sdk_declared(c, apk, who, m);
    check_application(c, apk, who, m, res);
    check_permissions_xml(c, apk, who, m);
    check_features_libraries_xml(c, apk, who, m);
    check_queries_and_meta_data(c, apk, who, m, res);
    check_components_xml(c, apk, who, m, res);
}

// ---------------------------------------------------------------------------
// the tests

#[test]
fn goldens_describe_these_exact_files() {
    let sums = golden::sha256sums();
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        c.eq(
            apk,
            "schema_version",
            r.schema_version,
            1,
            "docs/inspect-json.md",
        );
        c.eq(
            apk,
            "schema_version",
            r.schema_version,
            SCHEMA_VERSION,
            "SCHEMA_VERSION",
        );
        c.eq(
            apk,
            "file",
            r.file.clone(),
            apk_path(apk).display().to_string(),
            "the path given",
        );
        c.eq(
            apk,
            "sha256",
            Some(&r.sha256),
            sums.get(*apk),
            "fixtures/expected/SHA256SUMS",
        );
        let len = std::fs::metadata(apk_path(apk)).unwrap().len();
        c.eq(apk, "size", r.size, len, "file length");
        c.eq(
            apk,
            "entries",
            r.entries,
            golden::aapt_entry_count(apk),
            "aapt list -v",
        );
        c.eq(
            apk,
            "entries",
            r.entries,
            androguard(apk)["files"].as_array().unwrap().len(),
            "androguard files",
        );
    }
    c.done("file identity");
}

#[test]
fn xmltree_attribute_ids_match_names() {
    // The id table the xmltree reader uses must agree with the names aapt
    // prints wherever the pool names are not obfuscated.
    let mut c = Check::default();
    fn walk(n: &XNode, out: &mut Vec<(u32, String)>) {
        for a in &n.attrs {
            if let Some(id) = a.id {
                out.push((id, a.printed.clone()));
            }
        }
        for ch in &n.children {
            walk(ch, out);
        }
    }
    for apk in APKS {
        let mut seen = Vec::new();
        walk(&xmltree(apk), &mut seen);
        for (id, printed) in seen {
            let known = framework_attr(id);
            c.ok(
                apk,
                &format!("attr 0x{id:08x}"),
                known.is_some(),
                format!("{printed} missing from FRAMEWORK_ATTRS"),
            );
            if *apk != "obfuscated_attrs" {
                c.eq(
                    apk,
                    &format!("attr 0x{id:08x}"),
                    known,
                    Some(printed.as_str()),
                    "aapt xmltree name",
                );
            } else {
                // obfuscate_attrs.py renamed every attribute to junk.
                c.ok(
                    apk,
                    &format!("attr 0x{id:08x}"),
                    known != Some(printed.as_str()),
                    format!("{printed} was expected to be junk"),
                );
            }
        }
    }
    assert!(FRAMEWORK_ATTRS.windows(2).all(|w| w[0].0 < w[1].0));
    c.done("attribute id table");
}

#[test]
fn package_matches_every_peer() {
    let mut c = Check::default();
    for apk in APKS {
        let ours = report(apk).manifest.package.clone();
        c.eq(
            apk,
            "package",
            Some(ours.clone()),
            Badging::aapt(apk).package("name"),
            "aapt badging",
        );
        c.eq(
            apk,
            "package",
            Some(ours.clone()),
            Badging::aapt2(apk).package("name"),
            "aapt2 badging",
        );
        c.eq(
            apk,
            "package",
            Some(ours.as_str()),
            androguard(apk)["package"].as_str(),
            "androguard",
        );
        c.eq(
            apk,
            "package",
            Some(ours.as_str()),
            rules(apk)["package"].as_str(),
            "android_rules.json",
        );
    }
    c.done("package");
}

#[test]
fn version_code_is_the_long_version_code() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        let ours = r.manifest.version_code.expect("version_code is always set");
        let rule = rules(apk);
        // android_rules.json: PackageInfo.getLongVersionCode()
        let want = rule["long_version_code"]
            .as_i64()
            .or(rule["version_code"].as_i64());
        c.eq(
            apk,
            "version_code",
            Some(ours),
            want,
            "android_rules.json long_version_code",
        );
        // aapt, aapt2 and androguard print versionCode only, not
        // versionCodeMajor (NOTES.md §7): compare the low 32 bits, and the
        // high ones with the declared versionCodeMajor. An absent versionCode
        // is '' to aapt and null to androguard; Android reads it as 0.
        let low = ours & 0xffff_ffff;
        for (who, b) in [
            ("aapt badging", Badging::aapt(apk)),
            ("aapt2 badging", Badging::aapt2(apk)),
        ] {
            let printed = b.package("versionCode").expect("versionCode=");
            let printed = if printed.is_empty() {
                0
            } else {
                printed.parse().unwrap()
            };
            c.eq(apk, "version_code & 0xffffffff", low, printed, who);
        }
        let ag = androguard(apk)["version_code"]
            .as_str()
            .map_or(0, |s| s.parse().unwrap());
        c.eq(apk, "version_code & 0xffffffff", low, ag, "androguard");
        let major = xmltree(apk).android_int("versionCodeMajor").unwrap_or(0);
        c.eq(
            apk,
            "version_code >> 32",
            ours >> 32,
            major,
            "aapt xmltree versionCodeMajor",
        );
    }
    c.done("version_code");
}

#[test]
fn version_name_matches_every_peer() {
    let mut c = Check::default();
    for apk in APKS {
        let ours = report(apk).manifest.version_name.clone();
        // aapt prints versionName='' when the attribute is absent.
        let printed = Badging::aapt(apk)
            .package("versionName")
            .filter(|s| !s.is_empty());
        c.eq(apk, "version_name", ours.clone(), printed, "aapt badging");
        let ag = androguard(apk)["version_name"].as_str().map(str::to_string);
        c.eq(apk, "version_name", ours.clone(), ag, "androguard");
        let rule = rules(apk);
        if let Some(v) = rule.get("version_name") {
            c.eq(
                apk,
                "version_name",
                ours.clone(),
                v.as_str().map(str::to_string),
                "android_rules.json",
            );
        }
    }
    c.done("version_name");
}

#[test]
fn sdk_levels_match_aapt_and_android_defaults() {
    let mut c = Check::default();
    for apk in APKS {
        let m = &report(apk).manifest;
        let b = Badging::aapt(apk);
        let num = |key: &str| b.single(key).map(|v| v.parse::<u32>().unwrap());
        // Without <uses-sdk> aapt prints nothing; Android uses minSdk 1 and
        // targetSdk = minSdk (android_rules.json, minimal.apk).
        let min = num("sdkVersion").unwrap_or(1);
        let target = num("targetSdkVersion").unwrap_or(min);
        c.eq(
            apk,
            "min_sdk",
            m.min_sdk,
            Some(min),
            "aapt sdkVersion (default 1)",
        );
        c.eq(
            apk,
            "target_sdk",
            m.target_sdk,
            Some(target),
            "aapt targetSdkVersion (default min)",
        );
        c.eq(
            apk,
            "max_sdk",
            m.max_sdk,
            num("maxSdkVersion"),
            "aapt maxSdkVersion",
        );
        let rule = rules(apk);
        for (field, ours) in [
            ("min_sdk", m.min_sdk),
            ("target_sdk", m.target_sdk),
            ("max_sdk", m.max_sdk),
        ] {
            if let Some(v) = rule.get(field) {
                c.eq(
                    apk,
                    field,
                    ours.map(u64::from),
                    v.as_u64(),
                    "android_rules.json",
                );
            }
        }
        let ag = androguard(apk);
        c.eq(
            apk,
            "target_sdk",
            m.target_sdk.map(u64::from),
            ag["effective_target_sdk"].as_u64(),
            "androguard effective_target_sdk",
        );
        // compileSdkVersion, else aapt's older platformBuildVersionCode
        let b2 = Badging::aapt2(apk);
        let compile = b
            .package("compileSdkVersion")
            .or_else(|| b2.package("platformBuildVersionCode"))
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u32>().unwrap());
        c.eq(
            apk,
            "compile_sdk",
            m.compile_sdk,
            compile,
            "aapt compileSdkVersion",
        );
    }
    c.done("SDK levels");
}

#[test]
fn sdk_declared_is_the_literal_manifest() {
    let mut c = Check::default();
    for apk in APKS {
        check_sdk_declared(&mut c, apk, "aapt xmltree", &xmltree(apk));
        // androguard keeps the declared strings too (null when absent)
        let d = &report(apk).manifest.sdk_declared;
        let ag = androguard(apk);
        for (field, ours) in [
            ("min_sdk", &d.min_sdk),
            ("target_sdk", &d.target_sdk),
            ("max_sdk", &d.max_sdk),
        ] {
            c.eq(
                apk,
                &format!("sdk_declared.{field}"),
                ours.as_deref(),
                ag[field].as_str(),
                "androguard",
            );
        }
    }
    c.done("sdk_declared");
}

#[test]
fn application_label_and_every_locale() {
    let mut c = Check::default();
    for apk in APKS {
        let m = &report(apk).manifest;
        let b = Badging::aapt(apk);
        let printed = b.labels();
        // `application-label:` is absent when there is no label at all
        // (minimal.apk: aapt prints only `application: label=''`).
        c.eq(
            apk,
            "label",
            m.label.clone(),
            printed.get("").cloned(),
            "aapt application-label",
        );
        if m.label.is_none() {
            c.eq(
                apk,
                "label",
                Some(String::new()),
                b.application("label"),
                "aapt application: label=",
            );
        }
        // aapt prints `application-label-XX` for every locale the resource
        // table has anything in, resolving each like a device in that locale
        // would. fingertip lists only the configurations that define the
        // label; a locale without an entry falls back to the default
        // (sparse.apk `ja`, android_rules.json: "falls back to default").
        for (loc, label) in &printed {
            let ours = m.labels.get(loc).or_else(|| m.labels.get(""));
            c.eq(
                apk,
                &format!("labels[{loc:?}]"),
                ours,
                Some(label),
                "aapt application-label-XX",
            );
        }
        for loc in m.labels.keys() {
            c.ok(
                apk,
                "labels",
                printed.contains_key(loc),
                format!("locale {loc:?} not printed by aapt"),
            );
        }
        c.eq(
            apk,
            "labels",
            &b.labels(),
            &Badging::aapt2(apk).labels(),
            "aapt vs aapt2 (sanity)",
        );

        // androguard: keys are resource qualifiers ("zh-rCN"), DEFAULT = "".
        for (q, v) in androguard(apk)["app_name"].as_object().unwrap() {
            let loc = if q == "DEFAULT" {
                String::new()
            } else {
                qualifier_to_tag(q)
            };
            let v = v.as_str().unwrap();
            if v.starts_with('@') || v.starts_with("<0x") {
                // androguard returns unresolved references: `@7F030000` for a
                // locale without the string (sparse `ja`, Android falls back
                // to the default) and `<0x20001, type 0x07>` for a dynamic
                // reference (sharedlib), which Android resolves through the
                // library's package id (NOTES.md §3).
                note(
                    apk,
                    &format!("androguard app_name[{q}] = {v:?} is unresolved; not compared"),
                );
                continue;
            }
            if v.is_empty() && m.label.is_none() {
                // androguard get_app_name() returns "" when there is no label
                continue;
            }
            let ours = m.labels.get(&loc).or_else(|| m.labels.get(""));
            c.eq(
                apk,
                &format!("labels[{loc:?}]"),
                ours.map(String::as_str),
                Some(v),
                "androguard app_name",
            );
        }

        // android_rules.json: what a device shows in a given locale
        let rule = rules(apk);
        if let Some(v) = rule.get("label") {
            c.eq(
                apk,
                "label",
                m.label.clone(),
                rule_text(v),
                "android_rules.json label",
            );
        }
        if let Some(v) = rule.get("label_fr") {
            c.eq(
                apk,
                "labels[\"fr\"]",
                m.labels.get("fr").cloned(),
                rule_text(v),
                "android_rules.json",
            );
        }
        if let Some(by_locale) = rule["label_by_device_locale"].as_object() {
            for (device, want) in by_locale {
                c.eq(
                    apk,
                    &format!("label on a {device} device"),
                    device_label(&m.labels, device),
                    rule_text(want),
                    "android_rules.json label_by_device_locale",
                );
            }
        }
    }
    c.done("labels");
}

/// The label a device in `device` locale shows, from our per-locale map:
/// language + region, then language, then the default configuration
/// (ResTable's locale matching, enough for these fixtures).
fn device_label(labels: &BTreeMap<String, String>, device: &str) -> Option<String> {
    // API 24+ matches zh-HK to zh-TW through ICU's likely script (Hant);
    // that needs the likely-subtags data, so the one case the fixtures use
    // is spelled out here.
    let device = if device == "zh-HK" { "zh-TW" } else { device };
    let lang = device.split('-').next().unwrap();
    labels
        .get(device)
        .or_else(|| labels.get(lang))
        .or_else(|| labels.get(""))
        .cloned()
}

#[test]
fn icon_is_the_highest_density_aapt_lists() {
    let mut c = Check::default();
    for apk in APKS {
        let ours = report(apk).manifest.icon.clone();
        let icons = Badging::aapt(apk).icons();
        // aapt prints `application-icon-<dpi>` for every density in the
        // table (what a device of that density would load) and uses the
        // lowest in `application: icon=`. A device picks by its own density;
        // fingertip documents the sharpest bitmap, i.e. the highest density
        // aapt lists (docs/inspect-json.md, `icon`).
        match icons.last_key_value() {
            None => c.eq(
                apk,
                "icon",
                ours.clone(),
                None,
                "aapt (no application-icon lines)",
            ),
            Some((dpi, path)) => {
                let listed = ours
                    .as_ref()
                    .is_some_and(|o| icons.values().any(|p| p == o));
                c.ok(
                    apk,
                    "icon",
                    listed,
                    format!("{ours:?} is not among aapt's {icons:?}"),
                );
                c.eq(
                    apk,
                    "icon",
                    ours.as_ref(),
                    Some(path),
                    &format!("aapt application-icon-{dpi}"),
                );
            }
        }
        // androguard get_app_icon() makes the same choice (NOTES.md §4)
        let ag = androguard(apk)["app_icon"].as_str().map(str::to_string);
        c.eq(apk, "icon", ours, ag, "androguard app_icon");
    }
    c.done("icon");
}

#[test]
fn application_flags_follow_android() {
    let mut c = Check::default();
    for apk in APKS {
        let res = AaptResources::load(apk);
        check_application(&mut c, apk, "aapt xmltree", &xmltree(apk), &res);
        let app = &report(apk).manifest.application;
        let b = Badging::aapt(apk);
        c.eq(
            apk,
            "application.debuggable",
            app.debuggable,
            b.has_line("application-debuggable"),
            "aapt application-debuggable",
        );
        let ag = androguard(apk);
        c.eq(
            apk,
            "application.debuggable",
            app.debuggable,
            ag["debuggable"].as_str() == Some("true"),
            "androguard",
        );
        let rule = rules(apk);
        for (field, ours) in [
            ("debuggable", app.debuggable),
            ("allow_backup", app.allow_backup),
            ("uses_cleartext_traffic", app.uses_cleartext_traffic),
            ("extract_native_libs", app.extract_native_libs),
            ("test_only", app.test_only),
        ] {
            if let Some(v) = rule.get(field) {
                c.eq(
                    apk,
                    &format!("application.{field}"),
                    Some(ours),
                    v.as_bool(),
                    "android_rules.json",
                );
            }
        }
        if let Some(v) = rule.get("network_security_config") {
            c.eq(
                apk,
                "application.network_security_config",
                app.network_security_config.as_deref(),
                v.as_str(),
                "android_rules.json",
            );
        }
        if let Some(name) = ag["application_attributes"]["android:name"].as_str() {
            let want = qualify(&report(apk).manifest.package, name);
            c.eq(
                apk,
                "application.name",
                app.name.clone(),
                Some(want),
                "androguard",
            );
        }
    }
    c.done("application flags");
}

#[test]
fn requested_permissions_match_aapt_androguard_and_rules() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        check_permissions_xml(&mut c, apk, "aapt xmltree", &xmltree(apk));
        let ours: Vec<(String, Option<u32>, bool)> = r
            .manifest
            .permissions
            .iter()
            .map(|p| (p.name.clone(), p.max_sdk, p.sdk_23))
            .collect();
        for (who, b) in [
            ("aapt badging", Badging::aapt(apk)),
            ("aapt2 badging", Badging::aapt2(apk)),
        ] {
            let printed = b.permissions();
            // aapt adds the permissions Android implies (targetSdk < 4:
            // WRITE_EXTERNAL_STORAGE and READ_PHONE_STATE; any
            // WRITE_EXTERNAL_STORAGE: READ_EXTERNAL_STORAGE) as
            // `uses-permission:` lines followed by `uses-implied-permission:`.
            // fingertip's `permissions` is the manifest's own elements
            // (docs/inspect-json.md), so implied lines are set aside here
            // and checked against androguard below.
            let explicit: Vec<(String, Option<u32>, bool)> = printed
                .iter()
                .filter(|p| !p.3)
                .map(|p| (p.0.clone(), p.1, p.2))
                .collect();
            c.eq(
                apk,
                "permissions (name, max_sdk, sdk_23)",
                &ours,
                &explicit,
                who,
            );
            let implied: Vec<(String, Option<u32>)> = sorted(
                printed
                    .iter()
                    .filter(|p| p.3)
                    .map(|p| (p.0.clone(), p.1))
                    .collect(),
            );
            let ag_implied: Vec<(String, Option<u32>)> = sorted(
                androguard(apk)["implied_permissions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p[0].as_str().unwrap().to_string(),
                            p[1].as_u64().map(|v| v as u32),
                        )
                    })
                    .collect(),
            );
            c.eq(
                apk,
                "implied permissions (not in `permissions`)",
                &implied,
                &ag_implied,
                &format!("{who} vs androguard"),
            );
            for (name, _) in &implied {
                c.ok(
                    apk,
                    "permissions",
                    !ours.iter().any(|o| &o.0 == name),
                    format!("implied {name} listed as declared"),
                );
            }
        }
        // androguard: get_permissions() with maxSdk, sorted, without the
        // uses-permission-sdk-23 elements, which it lists separately.
        let ag = androguard(apk);
        let ag_plain: Vec<(String, Option<u32>)> = ag["uses_permissions_with_max_sdk"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    p[1].as_u64().map(|v| v as u32),
                )
            })
            .collect();
        let ours_plain: Vec<(String, Option<u32>)> = sorted(
            ours.iter()
                .filter(|p| !p.2)
                .map(|p| (p.0.clone(), p.1))
                .collect(),
        );
        c.eq(
            apk,
            "permissions (not sdk-23)",
            &ours_plain,
            &sorted(ag_plain),
            "androguard uses_permissions_with_max_sdk",
        );
        let ag23: Vec<String> = ag["uses_permission_sdk_23"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["android:name"].as_str().unwrap().to_string())
            .collect();
        let ours23: Vec<String> = ours.iter().filter(|p| p.2).map(|p| p.0.clone()).collect();
        c.eq(
            apk,
            "permissions (sdk-23)",
            &ours23,
            &ag23,
            "androguard uses_permission_sdk_23",
        );
        if let Some(list) = rules(apk)["requested_permissions"].as_array() {
            let want: Vec<(String, Option<u32>, bool)> = list
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["max_sdk"].as_u64().map(|v| v as u32),
                        p["element"].as_str() == Some("uses-permission-sdk-23"),
                    )
                })
                .collect();
            c.eq(
                apk,
                "permissions (name, max_sdk, sdk_23)",
                &ours,
                &want,
                "android_rules.json",
            );
        }
    }
    c.done("requested permissions");
}

#[test]
fn permission_protection_levels() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        let x = xmltree(apk);
        let ag = androguard(apk);
        let own: BTreeMap<String, String> = x
            .children_named("permission")
            .map(|p| {
                (
                    p.android_str("name").unwrap(),
                    protection_text(p.android_int("protectionLevel").unwrap_or(0)),
                )
            })
            .collect();
        for p in &r.manifest.permissions {
            let ours = p.protection.as_ref().map(|base| {
                std::iter::once(base.clone())
                    .chain(p.protection_flags.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("|")
            });
            let field = format!("{} protection", p.name);
            // platform permission: the platform's declaration; the app's own:
            // its <permission>; another app's: unknown (None).
            let want = fingertip::platform::permission_protection(&p.name)
                .map(str::to_string)
                .or_else(|| own.get(&p.name).cloned());
            c.eq(
                apk,
                &field,
                ours.clone(),
                want,
                "platform table / own <permission> (xmltree)",
            );
            if p.name.starts_with("android.permission.") {
                c.ok(
                    apk,
                    &field,
                    ours.is_some(),
                    "platform permission without a level".into(),
                );
            }
            // androguard details_permissions: its bundled table for platform
            // permissions, the declared level for the app's own.
            if let Some(level) = ag["details_permissions"][&p.name][0].as_str() {
                if *apk == "legacy" && p.name == "android.permission.INTERNET" {
                    // androguard picks its permission table by targetSdk (16
                    // here, when INTERNET was `dangerous`). The level is the
                    // one the device's platform declares (normal|instant
                    // since API 23), whatever the app targets.
                    note(
                        apk,
                        &format!("androguard says INTERNET is {level:?} (its API 16 table)"),
                    );
                    c.eq(
                        apk,
                        &field,
                        ours.as_deref(),
                        Some("normal|instant"),
                        "platform (API 23+)",
                    );
                    continue;
                }
                c.eq(
                    apk,
                    &field,
                    ours.as_deref(),
                    Some(level),
                    "androguard details_permissions",
                );
            }
        }
    }
    c.done("protection levels");
}

#[test]
fn declared_permissions_match_xmltree_androguard_and_rules() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        // xmltree: name, protectionLevel, permissionGroup (in check_permissions_xml)
        check_permissions_xml(&mut c, apk, "aapt xmltree", &xmltree(apk));
        let ours: BTreeMap<String, (String, Option<String>)> = r
            .manifest
            .declared_permissions
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    (p.protection_level.clone(), p.group.clone()),
                )
            })
            .collect();
        // androguard: raw hex levels, the string "None" for a missing
        // attribute (no protectionLevel = normal, 0).
        let ag: BTreeMap<String, (String, Option<String>)> = androguard(apk)
            ["declared_permissions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, d)| {
                let level = match d["protectionLevel"].as_str().unwrap() {
                    "None" => 0,
                    hex => i64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap(),
                };
                let group = d["permissionGroup"]
                    .as_str()
                    .filter(|g| *g != "None")
                    .map(str::to_string);
                (name.clone(), (protection_text(level), group))
            })
            .collect();
        c.eq(
            apk,
            "declared_permissions",
            &ours,
            &ag,
            "androguard declared_permissions",
        );
        if let Some(list) = rules(apk)["declared_permissions"].as_array() {
            let want: BTreeMap<String, (String, Option<String>)> = list
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        (
                            p["protection_level"].as_str().unwrap().to_string(),
                            p["group"].as_str().map(str::to_string),
                        ),
                    )
                })
                .collect();
            c.eq(
                apk,
                "declared_permissions",
                &ours,
                &want,
                "android_rules.json",
            );
        }
        let printed: Vec<String> = expected(&format!("{apk}.permissions.txt"))
            .lines()
            .filter_map(|l| l.strip_prefix("permission: "))
            .map(str::to_string)
            .collect();
        let names: Vec<String> = r
            .manifest
            .declared_permissions
            .iter()
            .map(|p| p.name.clone())
            .collect();
        c.eq(
            apk,
            "declared_permissions names",
            &names,
            &printed,
            "aapt dump permissions",
        );
    }
    c.done("declared permissions");
}

/// aapt's `addParentFeatures`: a required feature also prints its parent
/// (an aapt badging convention; PackageManager reports only the declared
/// `<uses-feature>`s).
fn aapt_parent_features(name: &str) -> &'static [&'static str] {
    match name {
        "android.hardware.camera.autofocus" | "android.hardware.camera.flash" => {
            &["android.hardware.camera"]
        }
        "android.hardware.location.gps" | "android.hardware.location.network" => {
            &["android.hardware.location"]
        }
        "android.hardware.faketouch.multitouch" => &["android.hardware.faketouch"],
        "android.hardware.faketouch.multitouch.distinct"
        | "android.hardware.faketouch.multitouch.jazzhands" => &[
            "android.hardware.faketouch.multitouch",
            "android.hardware.faketouch",
        ],
        "android.hardware.touchscreen.multitouch" => &["android.hardware.touchscreen"],
        "android.hardware.touchscreen.multitouch.distinct"
        | "android.hardware.touchscreen.multitouch.jazzhands" => &[
            "android.hardware.touchscreen.multitouch",
            "android.hardware.touchscreen",
        ],
        _ => &[],
    }
}

#[test]
fn features_and_libraries_match_aapt_and_androguard() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        check_features_libraries_xml(&mut c, apk, "aapt xmltree", &xmltree(apk));
        let named: Vec<(String, bool)> = r
            .manifest
            .features
            .iter()
            .filter_map(|f| Some((f.name.clone()?, f.required)))
            .collect();
        for (who, b) in [
            ("aapt badging", Badging::aapt(apk)),
            ("aapt2 badging", Badging::aapt2(apk)),
        ] {
            // aapt's feature list = the explicit ones + `uses-implied-feature`s
            // (faketouch for every app, screen.portrait from
            // screenOrientation, ...) + parents of required explicit ones
            // (location from location.gps). Only the explicit ones are ours.
            let (printed, implied) = b.features();
            let mut want: BTreeSet<(String, bool)> = named.iter().cloned().collect();
            for (name, required) in &named {
                if *required {
                    want.extend(
                        aapt_parent_features(name)
                            .iter()
                            .map(|p| (p.to_string(), true)),
                    );
                }
            }
            want.extend(implied.iter().map(|n| (n.clone(), true)));
            let printed: BTreeSet<(String, bool)> = printed.into_iter().collect();
            c.eq(
                apk,
                "features (explicit + aapt's implied)",
                &want,
                &printed,
                who,
            );
            let gl = r
                .manifest
                .features
                .iter()
                .find_map(|f| f.gl_es_version.clone());
            let gl_printed = b.gl_es().map(|v| format!("{}.{}", v >> 16, v & 0xffff));
            c.eq(
                apk,
                "features gl_es_version",
                gl,
                gl_printed,
                &format!("{who} uses-gl-es"),
            );
            let libs: Vec<(String, bool)> = r
                .manifest
                .libraries
                .iter()
                .filter(|l| !l.native)
                .map(|l| (l.name.clone(), l.required))
                .collect();
            c.eq(apk, "libraries (name, required)", libs, b.libraries(), who);
        }
        let ag = androguard(apk);
        let ag_names = sorted(json_strings(&ag["features"]));
        let ours_names = sorted(named.iter().map(|f| f.0.clone()).collect());
        c.eq(
            apk,
            "features names",
            ours_names,
            ag_names,
            "androguard get_features()",
        );
        let ag_elements: Vec<(Option<String>, bool, Option<String>)> = ag["uses_feature_elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let gl = e["android:glEsVersion"].as_str().map(|h| {
                    let v = u32::from_str_radix(h.trim_start_matches("0x"), 16).unwrap();
                    format!("{}.{}", v >> 16, v & 0xffff)
                });
                (
                    e["android:name"].as_str().map(str::to_string),
                    e["android:required"].as_str() != Some("false"),
                    gl,
                )
            })
            .collect();
        let ours_elements: Vec<(Option<String>, bool, Option<String>)> = r
            .manifest
            .features
            .iter()
            .map(|f| (f.name.clone(), f.required, f.gl_es_version.clone()))
            .collect();
        c.eq(
            apk,
            "features",
            sorted(ours_elements),
            sorted(ag_elements),
            "androguard uses_feature_elements",
        );
        let ag_libs: Vec<(String, bool)> = ag["uses_library_elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["android:name"].as_str().unwrap().to_string(),
                    e["android:required"].as_str() != Some("false"),
                )
            })
            .collect();
        let ours_libs: Vec<(String, bool)> = r
            .manifest
            .libraries
            .iter()
            .map(|l| (l.name.clone(), l.required))
            .collect();
        c.eq(
            apk,
            "libraries",
            ours_libs,
            ag_libs,
            "androguard uses_library_elements",
        );
    }
    c.done("features and libraries");
}

#[test]
fn queries_and_meta_data_match_xmltree_and_androguard() {
    let mut c = Check::default();
    for apk in APKS {
        let res = AaptResources::load(apk);
        check_queries_and_meta_data(&mut c, apk, "aapt xmltree", &xmltree(apk), &res);
        let r = report(apk);
        let ag = androguard(apk);
        // androguard's decoded <queries> tree
        let (mut pkgs, mut intents) = (Vec::new(), Vec::new());
        for child in ag["queries"]["children"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match child["tag"].as_str().unwrap() {
                "package" => pkgs.push(
                    child["attributes"]["android:name"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                ),
                "intent" => {
                    let mut f = IntentFilter::default();
                    for e in child["children"].as_array().unwrap() {
                        let name = e["attributes"]["android:name"].as_str().map(str::to_string);
                        match e["tag"].as_str().unwrap() {
                            "action" => f.actions.extend(name),
                            "category" => f.categories.extend(name),
                            "data" => f.data.push(IntentData {
                                mime_type: e["attributes"]["android:mimeType"]
                                    .as_str()
                                    .map(str::to_string),
                                scheme: e["attributes"]["android:scheme"]
                                    .as_str()
                                    .map(str::to_string),
                                host: e["attributes"]["android:host"].as_str().map(str::to_string),
                                ..IntentData::default()
                            }),
                            other => panic!("queries intent child {other}"),
                        }
                    }
                    intents.push(f);
                }
                other => panic!("queries child {other} not used by the fixtures"),
            }
        }
        c.eq(
            apk,
            "queries.packages",
            &r.manifest.queries.packages,
            &pkgs,
            "androguard queries",
        );
        c.eq(
            apk,
            "queries.intents",
            &r.manifest.queries.intents,
            &intents,
            "androguard queries",
        );
        // androguard's meta-data are raw attribute strings, sorted by name;
        // references stay `@7F0B0000`, which Android resolves (TypedArray).
        for md in ag["application_meta_data"].as_array().unwrap() {
            let name = md["android:name"].as_str().unwrap();
            let ours = r.manifest.meta_data.iter().find(|m| m.name == name);
            c.ok(apk, "meta_data", ours.is_some(), format!("{name} missing"));
            let Some(ours) = ours else { continue };
            if let Some(v) = md["android:value"].as_str() {
                if let Some(id) = v.strip_prefix('@') {
                    let id = u32::from_str_radix(id, 16).unwrap();
                    let want = xml_text(&XValue::Ref(id), &res);
                    c.eq(
                        apk,
                        &format!("meta_data {name} value"),
                        ours.value.clone(),
                        Some(want),
                        "androguard + aapt resources",
                    );
                } else {
                    c.eq(
                        apk,
                        &format!("meta_data {name} value"),
                        ours.value.as_deref(),
                        Some(v),
                        "androguard",
                    );
                }
            }
            if let Some(v) = md["android:resource"].as_str() {
                let id = u32::from_str_radix(v.trim_start_matches('@'), 16).unwrap();
                c.eq(
                    apk,
                    &format!("meta_data {name} resource"),
                    ours.resource.clone(),
                    Some(res.at_name(id)),
                    "androguard + aapt names",
                );
            }
        }
        c.eq(
            apk,
            "meta_data count",
            r.manifest.meta_data.len(),
            ag["application_meta_data"].as_array().unwrap().len(),
            "androguard",
        );
    }
    c.done("queries and meta-data");
}

#[test]
fn components_by_kind_match_androguard_and_rules() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        let ag = androguard(apk);
        for (tag, key) in [
            ("activity", "activities"),
            ("service", "services"),
            ("receiver", "receivers"),
            ("provider", "providers"),
        ] {
            let ours = sorted(ours_by_tag(r, tag).iter().map(|o| o.name.clone()).collect());
            c.eq(
                apk,
                &format!("{key} (sorted)"),
                ours,
                sorted(json_strings(&ag[key])),
                &format!("androguard {key}"),
            );
        }
        let ag_alias: Vec<(String, String)> = ag["activity_aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    qualify(&r.manifest.package, a["name"].as_str().unwrap()),
                    a["targetActivity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let ours_alias: Vec<(String, String)> = r
            .manifest
            .activity_aliases
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.target_activity.clone().unwrap_or_default(),
                )
            })
            .collect();
        c.eq(
            apk,
            "activity_aliases (name, target)",
            ours_alias,
            ag_alias,
            "androguard activity_aliases",
        );

        // android_rules.json lists every component with its tag
        let rule = rules(apk);
        let listed = rule["components"].as_array().unwrap();
        let want: BTreeSet<(String, String)> = listed
            .iter()
            .map(|e| {
                (
                    e["tag"].as_str().unwrap().to_string(),
                    e["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let ours: BTreeSet<(String, String)> = COMPONENT_TAGS
            .iter()
            .flat_map(|t| {
                ours_by_tag(r, t)
                    .iter()
                    .map(|o| (t.to_string(), o.name.clone()))
            })
            .collect();
        c.eq(
            apk,
            "components (tag, name)",
            &ours,
            &want,
            "android_rules.json",
        );
        for e in listed {
            let tag = e["tag"].as_str().unwrap();
            let name = e["name"].as_str().unwrap();
            let Some(o) = ours_by_tag(r, tag).iter().find(|o| o.name == name) else {
                continue;
            };
            let s = |k: &str| e[k].as_str().map(str::to_string);
            if e.get("permission").is_some() {
                c.eq(
                    apk,
                    &format!("{name} permission"),
                    o.permission.clone(),
                    s("permission"),
                    "android_rules.json",
                );
            }
            if e.get("target_activity").is_some() {
                c.eq(
                    apk,
                    &format!("{name} target_activity"),
                    o.target_activity.clone(),
                    s("target_activity"),
                    "android_rules.json",
                );
            }
            if e.get("authorities").is_some() {
                c.eq(
                    apk,
                    &format!("{name} authorities"),
                    o.authorities.clone(),
                    json_strings(&e["authorities"]),
                    "android_rules.json",
                );
            }
            if e.get("grant_uri_permissions").is_some() {
                c.eq(
                    apk,
                    &format!("{name} grant_uri_permissions"),
                    o.grant_uri_permissions,
                    e["grant_uri_permissions"].as_bool(),
                    "android_rules.json",
                );
            }
            if e.get("read_permission").is_some() {
                c.eq(
                    apk,
                    &format!("{name} read_permission"),
                    o.read_permission.clone(),
                    s("read_permission"),
                    "android_rules.json",
                );
            }
        }
    }
    c.done("components by kind");
}

#[test]
fn component_attributes_and_intent_filters_match_xmltree() {
    let mut c = Check::default();
    for apk in APKS {
        let res = AaptResources::load(apk);
        check_components_xml(&mut c, apk, "aapt xmltree", &xmltree(apk), &res);
    }
    c.done("component attributes");
}

#[test]
fn intent_filters_match_androguard_per_filter() {
    // androguard's get_intent_filters() merges all filters of a component
    // (NOTES.md §10); its JSON `components` section keeps each filter apart,
    // as Android does, so that is what is compared.
    let mut c = Check::default();
    let s = |v: &Json| v.as_str().map(str::to_string);
    for apk in APKS {
        let r = report(apk);
        let ag = androguard(apk);
        for tag in COMPONENT_TAGS {
            for comp in ag["components"][*tag]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let name = comp["name"].as_str().unwrap();
                let Some(o) = ours_by_tag(r, tag).iter().find(|o| o.name == name) else {
                    c.ok(
                        apk,
                        "intent_filters",
                        false,
                        format!("<{tag}> {name} missing"),
                    );
                    continue;
                };
                let want: Vec<IntentFilter> = comp["intent_filters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| IntentFilter {
                        actions: json_strings(&f["actions"]),
                        categories: json_strings(&f["categories"]),
                        data: f["data"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|d| IntentData {
                                scheme: s(&d["android:scheme"]),
                                host: s(&d["android:host"]),
                                port: s(&d["android:port"]),
                                path: s(&d["android:path"]),
                                path_prefix: s(&d["android:pathPrefix"]),
                                path_pattern: s(&d["android:pathPattern"]),
                                path_advanced_pattern: s(&d["android:pathAdvancedPattern"]),
                                path_suffix: s(&d["android:pathSuffix"]),
                                mime_type: s(&d["android:mimeType"]),
                            })
                            .collect(),
                        priority: f["attributes"]["android:priority"]
                            .as_str()
                            .map(|p| p.parse().unwrap()),
                        auto_verify: f["attributes"]["android:autoVerify"].as_str() == Some("true"),
                    })
                    .collect();
                c.eq(
                    apk,
                    &format!("{name} intent_filters"),
                    &o.intent_filters,
                    &want,
                    "androguard components",
                );
                c.eq(
                    apk,
                    &format!("{name} exported_declared"),
                    o.exported_declared,
                    comp["attributes"]["android:exported"]
                        .as_str()
                        .map(|v| v == "true"),
                    "androguard components",
                );
            }
        }
    }
    c.done("intent filters");
}

#[test]
fn exported_follows_android_rules() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        for e in rules(apk)["components"].as_array().unwrap() {
            let tag = e["tag"].as_str().unwrap();
            let name = e["name"].as_str().unwrap();
            let Some(o) = ours_by_tag(r, tag).iter().find(|o| o.name == name) else {
                c.ok(apk, "exported", false, format!("<{tag}> {name} missing"));
                continue;
            };
            // `exported` in android_rules.json is what a device that accepts
            // the app does. For targetSdk >= 31 components with a filter and
            // no android:exported, API <= 30 devices use the old default
            // (true) and API 31+ refuse to install the app; fingertip's
            // documented rule is `static_analyzer_default`: false, plus the
            // manifest_exported_required anomaly (checked in
            // modern_requires_explicit_exported).
            let (want, source) = match e.get("static_analyzer_default") {
                Some(v) => (v.as_bool(), "android_rules.json static_analyzer_default"),
                None => (e["exported"].as_bool(), "android_rules.json exported"),
            };
            c.eq(
                apk,
                &format!("{name} exported"),
                Some(o.exported),
                want,
                source,
            );
        }
        // the rule itself, for every component (android_rules.json lists
        // them all, this also checks the reasons hold)
        let target = r.manifest.target_sdk.unwrap();
        for tag in COMPONENT_TAGS {
            for o in ours_by_tag(r, tag) {
                let want = match (o.exported_declared, *tag) {
                    (Some(v), _) => v,
                    (None, "provider") => target < 17,
                    (None, _) => !o.intent_filters.is_empty() && target < 31,
                };
                c.eq(
                    apk,
                    &format!("{} exported (rule)", o.name),
                    o.exported,
                    want,
                    "ParsingPackageUtils rules",
                );
            }
        }
    }
    c.done("exported");
}

#[test]
fn launcher_activities_match_rules_aapt_and_androguard() {
    let mut c = Check::default();
    for apk in APKS {
        let r = report(apk);
        let m = &r.manifest;
        let ours = &m.launcher_activities;
        let rule = rules(apk);
        if let Some(entries) = rule["launcher_entries"].as_array() {
            let want: Vec<String> = entries
                .iter()
                .map(|e| e["component"].as_str().unwrap().to_string())
                .collect();
            c.eq(
                apk,
                "launcher_activities",
                ours,
                &want,
                "android_rules.json launcher_entries",
            );
            for e in entries {
                let name = e["component"].as_str().unwrap();
                let comp = m
                    .activities
                    .iter()
                    .chain(&m.activity_aliases)
                    .find(|a| a.name == name);
                let Some(comp) = comp else { continue };
                c.eq(
                    apk,
                    &format!("launcher {name} label"),
                    comp.label.clone(),
                    rule_text(&e["label"]),
                    "android_rules.json",
                );
                if let Some(t) = e["target"].as_str() {
                    c.eq(
                        apk,
                        &format!("launcher {name} target"),
                        comp.target_activity.as_deref(),
                        Some(t),
                        "android_rules.json",
                    );
                }
            }
        }
        if let Some(v) = rule.get("launcher_label") {
            // The launcher shows the activity's label, else the
            // application's, else the package name (android_rules.json).
            // fingertip's component `label` is the element's own, so the
            // fallback is applied here to the values fingertip reports.
            let first = m
                .activities
                .iter()
                .find(|a| ours.first() == Some(&a.name))
                .unwrap();
            let shown = first
                .label
                .clone()
                .or(m.label.clone())
                .unwrap_or(m.package.clone());
            c.eq(
                apk,
                "launcher label shown",
                Some(shown),
                rule_text(v),
                "android_rules.json launcher_label",
            );
        }
        // aapt and aapt2 ignore <activity-alias> in launchable-activity
        // (NOTES.md §2); Android shows aliases on the home screen too.
        let activities_only: Vec<String> = ours
            .iter()
            .filter(|n| m.activities.iter().any(|a| &a.name == *n))
            .cloned()
            .collect();
        c.eq(
            apk,
            "launcher_activities (activities only)",
            &activities_only,
            &Badging::aapt(apk).launchable(),
            "aapt launchable-activity",
        );
        c.eq(
            apk,
            "launcher_activities (activities only)",
            &activities_only,
            &Badging::aapt2(apk).launchable(),
            "aapt2 launchable-activity",
        );
        // androguard get_main_activities() includes aliases but leaves their
        // names unqualified (`.QuickComplaint`); Android qualifies them.
        let ag: Vec<String> = json_strings(&androguard(apk)["main_activities"])
            .iter()
            .map(|n| qualify(&m.package, n))
            .collect();
        c.eq(
            apk,
            "launcher_activities (sorted)",
            sorted(ours.clone()),
            sorted(ag),
            "androguard main_activities, qualified",
        );
    }
    c.done("launcher activities");
}

#[test]
fn anomalies_are_exactly_the_expected_ones() {
    let mut c = Check::default();
    for apk in APKS {
        let want: &[&str] = match *apk {
            // filters without android:exported at targetSdk 33
            "modern" => &["manifest_exported_required"],
            // attribute pool names renamed to junk, ids intact
            "obfuscated_attrs" => &["axml_attr_name_mismatch"],
            _ => &[],
        };
        let codes: Vec<&str> = report(apk).anomalies.iter().map(|a| a.code).collect();
        c.eq(
            apk,
            "anomalies",
            codes.as_slice(),
            want,
            "fixtures/README.md",
        );
    }
    c.done("anomalies");
}

#[test]
fn modern_requires_explicit_exported() {
    let r = report("modern");
    let rule = rules("modern");
    assert_eq!(rule["installable_on_api31_plus"], Json::Bool(false));
    let flagged: Vec<&str> = rule["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("static_analyzer_default").is_some())
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        flagged,
        [
            "org.fingertip.modern.ShareActivity",
            "org.fingertip.modern.PushService",
            "org.fingertip.modern.AlarmReceiver"
        ]
    );
    let all: Vec<&Component> = COMPONENT_TAGS
        .iter()
        .flat_map(|t| ours_by_tag(r, t))
        .collect();
    for name in &flagged {
        let o = all.iter().find(|o| o.name == *name).unwrap();
        assert!(!o.intent_filters.is_empty(), "{name} has an intent filter");
        assert_eq!(o.exported_declared, None, "{name}: no android:exported");
        assert!(
            !o.exported,
            "{name}: targetSdk 33 without android:exported is reported not exported"
        );
    }
    let a: Vec<_> = r
        .anomalies
        .iter()
        .filter(|a| a.code == "manifest_exported_required")
        .collect();
    assert_eq!(
        a.len(),
        1,
        "one manifest_exported_required anomaly: {:?}",
        r.anomalies
    );
    for name in &flagged {
        assert!(
            a[0].detail.contains(name),
            "anomaly names {name}: {}",
            a[0].detail
        );
    }
    for o in all.iter().filter(|o| !flagged.contains(&o.name.as_str())) {
        assert!(
            !a[0].detail.contains(o.name.as_str()),
            "anomaly must not name {}",
            o.name
        );
    }
}

/// `fixtures/apps/obfuscated_attrs/AndroidManifest.xml` read into the same
/// tree shape as the xmltree dump, typed the way aapt compiles it: android:
/// attributes get their framework id, `@type/name` becomes the id aapt
/// assigned, booleans and integers become typed values.
fn source_manifest(app: &str, res: &AaptResources) -> XNode {
    use quick_xml::events::Event;
    let path = fixtures()
        .join("apps")
        .join(app)
        .join("AndroidManifest.xml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ids_by_name: BTreeMap<String, u32> = res
        .names
        .iter()
        .map(|(id, n)| (format!("@{n}"), *id))
        .collect();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut stack: Vec<XNode> = vec![XNode::default()];
    loop {
        let ev = reader.read_event().unwrap();
        let (e, empty) = match ev {
            Event::Eof => break,
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
                continue;
            }
            _ => continue,
        };
        let mut node = XNode {
            name: {
                let qname = e.name();
                let qname: &str = qname.as_ref();
                qname.to_string()
            },
            ..XNode::default()
        };
        for a in e.attributes() {
            let a = a.unwrap();
            let key: &str = a.key.as_ref();
            let key = key.to_string();
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .unwrap()
                .into_owned();
            if key.starts_with("xmlns") {
                continue;
            }
            let (prefix, name) = match key.split_once(':') {
                Some((p, n)) => (Some(p.to_string()), n.to_string()),
                None => (None, key.clone()),
            };
            let id = FRAMEWORK_ATTRS
                .iter()
                .find(|(_, n)| prefix.is_some() && *n == name)
                .map(|(i, _)| *i);
            let value = if let Some(id) = ids_by_name.get(&v) {
                XValue::Ref(*id)
            } else if name == "protectionLevel" {
                let level = ["normal", "dangerous", "signature", "signatureOrSystem"]
                    .iter()
                    .position(|l| *l == v)
                    .unwrap();
                XValue::Typed(0x11, level as u32)
            } else if v == "true" || v == "false" {
                XValue::Typed(0x12, if v == "true" { 0xffff_ffff } else { 0 })
            } else if prefix.is_some() && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                XValue::Typed(0x10, v.parse().unwrap())
            } else {
                XValue::Str(v)
            };
            node.attrs.push(golden::XAttr {
                prefix,
                printed: name,
                id,
                value,
            });
        }
        if empty {
            stack.last_mut().unwrap().children.push(node);
        } else {
            stack.push(node);
        }
    }
    let mut root = stack.pop().unwrap();
    root.children.remove(0)
}

#[test]
fn obfuscated_attrs_reads_like_its_source() {
    let apk = "obfuscated_attrs";
    let res = AaptResources::load(apk);
    let mut source = source_manifest(apk, &res);
    // aapt adds these to every manifest it compiles; the source has none.
    let compiled = xmltree(apk);
    for name in ["compileSdkVersion", "compileSdkVersionCodename"] {
        let a = compiled
            .attrs
            .iter()
            .find(|a| a.name() == name)
            .unwrap()
            .clone();
        source.attrs.push(a);
    }
    for name in ["platformBuildVersionCode", "platformBuildVersionName"] {
        source.attrs.push(compiled.plain(name).unwrap().clone());
    }
    let mut c = Check::default();
    check_all_xml(&mut c, apk, "source AndroidManifest.xml", &source, &res);
    // and through the id-keyed xmltree reading (junk pool names)
    check_all_xml(&mut c, apk, "aapt xmltree (by id)", &compiled, &res);
    // aapt badging resolves attributes by id too
    let b = Badging::aapt(apk);
    let m = &report(apk).manifest;
    c.eq(
        apk,
        "label",
        m.label.clone(),
        b.labels().get("").cloned(),
        "aapt badging",
    );
    c.eq(apk, "labels", m.labels.clone(), b.labels(), "aapt badging");
    c.eq(
        apk,
        "debuggable",
        m.application.debuggable,
        b.has_line("application-debuggable"),
        "aapt badging",
    );
    c.eq(
        apk,
        "target_sdk",
        m.target_sdk,
        b.single("targetSdkVersion").map(|v| v.parse().unwrap()),
        "aapt badging",
    );
    // the trick is reported, naming the layer
    let a = report(apk)
        .anomalies
        .iter()
        .find(|a| a.code == "axml_attr_name_mismatch");
    c.ok(
        apk,
        "anomalies",
        a.is_some_and(|a| a.detail.starts_with("AndroidManifest.xml")),
        format!("{:?}", report(apk).anomalies),
    );
    c.done("obfuscated_attrs vs its source");
}

#[test]
fn every_field_from_the_xmltree_dump() {
    // The whole id-keyed comparison for every fixture in one place.
    let mut c = Check::default();
    for apk in APKS {
        check_all_xml(
            &mut c,
            apk,
            "aapt xmltree",
            &xmltree(apk),
            &AaptResources::load(apk),
        );
    }
    c.done("xmltree");
}

#[test]
fn sharedlib_and_sparse_labels_resolve() {
    // sharedlib: the label is a TYPE_DYNAMIC_REFERENCE into package 0x00;
    // Android (and aapt) map it to the library's own package.
    let m = &report("sharedlib").manifest;
    let res = AaptResources::load("sharedlib");
    assert_eq!(res.group_id, 0x02, "aapt loads the library at 0x02");
    let XValue::Ref(id) = xmltree("sharedlib")
        .child("application")
        .unwrap()
        .android("label")
        .unwrap()
        .clone()
    else {
        panic!("sharedlib label is a reference")
    };
    assert_eq!(
        m.label,
        res.string(id),
        "dynamic reference resolved like aapt"
    );
    assert_eq!(m.label.as_deref(), Some("Fingertip Shared Library"));
    // sparse entries decode to the same values as the dense table
    let (s, d) = (report("sparse"), report("sparse_dense"));
    assert_eq!(s.manifest.labels, d.manifest.labels);
    assert_eq!(
        s.manifest.labels.get("de").map(String::as_str),
        Some("Genehmigungen")
    );
    let strip = |r: &InspectReport| {
        let mut v = serde_json::to_value(r).unwrap();
        for k in ["file", "sha256", "size"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    assert_eq!(
        strip(s),
        strip(d),
        "sparse and sparse_dense give the same report"
    );
}

#[test]
fn every_report_key_is_covered() {
    // If a key is added to the report, add a comparison above and list it
    // here: this keeps "every field is compared" true.
    const TOP: &[&str] = &[
        "schema_version",
        "file",
        "sha256",
        "size",
        "entries",
        "package",
        "version_code",
        "version_name",
        "min_sdk",
        "target_sdk",
        "max_sdk",
        "compile_sdk",
        "sdk_declared",
        "label",
        "labels",
        "icon",
        "application",
        "permissions",
        "declared_permissions",
        "features",
        "libraries",
        "queries",
        "meta_data",
        "activities",
        "activity_aliases",
        "services",
        "receivers",
        "providers",
        "launcher_activities",
        // The code keys are compared with apksigner, dexdump and readelf
        // goldens, and the facts checked, in tests/inspect_code.rs.
        "signers",
        "signing",
        "dex",
        "abis",
        "native_libs",
        "code_split",
        "sdks",
        "frameworks",
        "capabilities",
        "endpoints",
        "obfuscation",
        "packers",
        // Compared with fixtures/apps/screens/EXPECTED.md in tests/screens_fixtures.rs.
        "screens",
        "anomalies",
    ];
    const APPLICATION: &[&str] = &[
        "name",
        "debuggable",
        "allow_backup",
        "uses_cleartext_traffic",
        "uses_cleartext_traffic_declared",
        "network_security_config",
        "extract_native_libs",
        "test_only",
        "has_code",
        "permission",
        "process",
        "theme",
    ];
    const SDK_DECLARED: &[&str] = &[
        "min_sdk",
        "target_sdk",
        "max_sdk",
        "compile_sdk",
        "compile_sdk_codename",
        "platform_build_version_code",
        "platform_build_version_name",
    ];
    const PERMISSION: &[&str] = &[
        "name",
        "max_sdk",
        "sdk_23",
        "protection",
        "protection_flags",
    ];
    const COMPONENT: &[&str] = &[
        "name",
        "exported",
        "exported_declared",
        "enabled",
        "permission",
        "label",
        "intent_filters",
        "target_activity",
        "authorities",
        "read_permission",
        "write_permission",
        "grant_uri_permissions",
        "process",
        "meta_data",
    ];
    let keys = |v: &Json| -> BTreeSet<String> { v.as_object().unwrap().keys().cloned().collect() };
    let set = |l: &[&str]| -> BTreeSet<String> { l.iter().map(|s| s.to_string()).collect() };
    for apk in APKS {
        let v = serde_json::to_value(report(apk)).unwrap();
        assert_eq!(keys(&v), set(TOP), "{apk}: top-level keys");
        assert_eq!(
            keys(&v["application"]),
            set(APPLICATION),
            "{apk}: application keys"
        );
        assert_eq!(
            keys(&v["sdk_declared"]),
            set(SDK_DECLARED),
            "{apk}: sdk_declared keys"
        );
        for p in v["permissions"].as_array().unwrap() {
            assert_eq!(keys(p), set(PERMISSION), "{apk}: permission keys");
        }
        for kind in [
            "activities",
            "activity_aliases",
            "services",
            "receivers",
            "providers",
        ] {
            for comp in v[kind].as_array().unwrap() {
                let extra: Vec<String> = keys(comp).difference(&set(COMPONENT)).cloned().collect();
                assert!(
                    extra.is_empty(),
                    "{apk}: {kind} keys not compared: {extra:?}"
                );
            }
        }
    }
}

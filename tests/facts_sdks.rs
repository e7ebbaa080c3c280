//! SDK, framework and code-split detection on the fixture APKs built for it
//! (`fixtures/apks/{sdkzoo,flutterish,webshell}.apk`, described in
//! `fixtures/README.md`), on the synthetic government corpus against its
//! ground truth (`shared/corpus/govgen/*/labels.json` → `sdks`), and with
//! the LibChecker rules of `shared/signatures/` (skipped when absent).

#[path = "facts_sdks_input.rs"]
mod input;

use fingertip::facts::code_split::CodeSplit;
use fingertip::facts::external::{self, ExternalSignatures};
use fingertip::facts::sdks::{self, SdkHit};
use fingertip::facts::{frameworks, Evidence};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

fn ids(hits: &[SdkHit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

fn hit<'a>(hits: &'a [SdkHit], id: &str) -> &'a SdkHit {
    hits.iter().find(|h| h.id == id).unwrap()
}

fn values(evidence: &[Evidence]) -> Vec<String> {
    evidence
        .iter()
        .map(|e| format!("{}: {}", e.kind, e.value))
        .collect()
}

#[test]
fn sdkzoo_sdks() {
    let app = input::fixture("sdkzoo");
    let hits = sdks::detect(&app.input(), &[]);
    assert_eq!(
        ids(&hits),
        [
            "alipay",
            "amap_location",
            "amap_map",
            "baidu_location",
            "baidu_map",
            "firebase_analytics",
            "firebase_common",
            "getui_push",
            "glide",
            "huawei_push",
            "iflytek_msc",
            "jiguang_jcore",
            "jpush",
            "megvii_facepp",
            "okhttp3",
            "retrofit2",
            "tencent_bugly",
            "tencent_x5",
            "umeng_analytics",
            "umeng_common",
            "unionpay",
            "wechat_opensdk",
            "xiaomi_push",
        ]
    );
    assert!(hits.iter().all(|h| h.source == "builtin"));
    assert_eq!(
        values(&hit(&hits, "jpush").evidence),
        [
            "manifest: meta-data JPUSH_APPKEY",
            "manifest: meta-data JPUSH_CHANNEL",
            "manifest: service cn.jpush.android.service.PushService",
            "package: cn.jpush.android. (7 classes)",
        ]
    );
    assert_eq!(hit(&hits, "jpush").classes, 7);
    assert_eq!(
        values(&hit(&hits, "jiguang_jcore").evidence),
        [
            "native_lib: lib/arm64-v8a/libjcore123.so",
            "package: cn.jiguang.internal. (1 class)",
        ]
    );
    assert_eq!(
        values(&hit(&hits, "tencent_bugly").evidence),
        [
            "manifest: meta-data BUGLY_APPID",
            "native_lib: lib/arm64-v8a/libBugly.so",
            "package: com.tencent.bugly.crashreport. (2 classes)",
        ]
    );
    // classes2.dex counts like classes.dex.
    assert_eq!(
        values(&hit(&hits, "retrofit2").evidence),
        ["package: retrofit2. (2 classes)"]
    );
    let umeng = hit(&hits, "umeng_analytics");
    assert!(umeng.tracker);
    assert_eq!(
        serde_json::to_value(umeng).unwrap()["category"],
        "analytics"
    );
    // Deterministic: same result twice.
    assert_eq!(sdks::detect(&app.input(), &[]), hits);
}

#[test]
fn sdkzoo_code_split_and_frameworks() {
    let app = input::fixture("sdkzoo");
    let split = CodeSplit::of(&app.input());
    assert_eq!(split.own_namespaces, ["gov.example.sdkzoo"]);
    // 18 classes in classes.dex, plus plugin.dex and patch.jar's dex.
    assert_eq!(split.own_classes, 20);
    assert_eq!(split.library_classes, 42);
    assert_eq!(split.other_classes, 0);
    assert!(split.is_own("gov.example.sdkzoo.hotfix.PatchedApiClient"));
    assert!(!split.is_own("cn.jpush.android.service.PushService"));
    // Native app with two WebView screens and no local HTML: no framework.
    assert!(frameworks::detect(&app.input()).is_empty());
}

#[test]
fn flutterish() {
    let app = input::fixture("flutterish");
    let hits = sdks::detect(&app.input(), &[]);
    assert_eq!(ids(&hits), ["flutter"]);
    let found = frameworks::detect(&app.input());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "flutter");
    assert_eq!(
        values(&found[0].evidence),
        [
            "asset: assets/flutter_assets/AssetManifest.json and 2 more under assets/flutter_assets/",
            "native_lib: libapp.so (arm64-v8a, x86_64)",
            "native_lib: libflutter.so (arm64-v8a, x86_64)",
            "package: io.flutter. (4 classes)",
        ]
    );
    let split = CodeSplit::of(&app.input());
    assert_eq!(split.own_namespaces, ["gov.example.flutterish"]);
    assert_eq!((split.own_classes, split.library_classes), (1, 4));
}

#[test]
fn webshell() {
    let app = input::fixture("webshell");
    assert!(sdks::detect(&app.input(), &[]).is_empty());
    let found = frameworks::detect(&app.input());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "webview_shell");
    assert_eq!(
        values(&found[0].evidence),
        [
            "api_call: gov.example.webshell.MainActivity calls android.webkit.WebView.loadUrl",
            "asset: assets/www/index.html",
            "class: 1 app class (15 at most)",
        ]
    );
}

#[test]
fn sdkzoo_with_libchecker_rules() {
    let path = Path::new(SHARED).join("signatures/libchecker_rules.json");
    if !path.is_file() {
        eprintln!("note: {} absent; LibChecker test skipped", path.display());
        return;
    }
    let rules = external::load(&path).unwrap();
    assert!(matches!(rules, ExternalSignatures::LibChecker(_)));
    let app = input::fixture("sdkzoo");
    let hits = sdks::detect(&app.input(), std::slice::from_ref(&rules));
    let lc: Vec<&SdkHit> = hits.iter().filter(|h| h.source == "libchecker").collect();
    for h in &lc {
        println!("{} {:?}", h.id, values(&h.evidence));
    }
    assert!(lc.iter().all(|h| h.id.starts_with("libchecker:")));
    // The builtin hits are all still there, under their own ids.
    assert_eq!(hits.iter().filter(|h| h.source == "builtin").count(), 23);
    let evidence: BTreeSet<String> = lc.iter().flat_map(|h| values(&h.evidence)).collect();
    for want in [
        "libchecker: native_lib lib/arm64-v8a/libBugly.so",
        "libchecker: service cn.jpush.android.service.PushService",
    ] {
        assert!(evidence.contains(want), "{want} missing from {evidence:?}");
    }
}

/// govgen label → the builtin row that must be found.
const GOVGEN_SDKS: &[(&str, &str)] = &[
    ("alioss", "aliyun_oss"),
    ("alipay", "alipay"),
    ("amap_loc", "amap_location"),
    ("amap_map", "amap_map"),
    ("arcsoft", "arcsoft_face"),
    ("baidu_face", "baidu_face_collect"),
    ("baidu_loc", "baidu_location"),
    ("baidu_map", "baidu_map"),
    ("baidu_ocr", "baidu_ocr"),
    ("bugly", "tencent_bugly"),
    ("eventbus", "eventbus"),
    ("fastjson", "fastjson"),
    ("firebase_msg", "firebase_messaging"),
    ("getui", "getui_push"),
    ("glide", "glide"),
    ("gson", "google_gson"),
    ("hms_push", "huawei_push"),
    ("hms_scan", "huawei_scankit"),
    ("iflytek", "iflytek_msc"),
    ("ijkplayer", "ijkplayer"),
    ("jpush", "jpush"),
    ("megvii", "megvii_faceid"),
    ("mipush", "xiaomi_push"),
    ("okhttp", "okhttp3"),
    ("retrofit", "retrofit2"),
    ("rxjava", "rxjava2"),
    ("sharesdk", "mob_sharesdk"),
    ("tencent_loc", "tencent_location"),
    ("umeng", "umeng_analytics"),
    ("unionpay", "unionpay"),
    ("wechat", "wechat_opensdk"),
    ("x5", "tencent_x5"),
    ("zxing", "zxing_core"),
];

#[test]
fn govgen_corpus_sdks_match_labels() {
    let root = Path::new(SHARED).join("corpus/govgen");
    if !root.is_dir() {
        eprintln!("note: {} absent; govgen SDK test skipped", root.display());
        return;
    }
    let map: BTreeMap<&str, &str> = GOVGEN_SDKS.iter().copied().collect();
    let (mut apps, mut labelled, mut found, mut extra) = (0usize, 0usize, 0usize, 0usize);
    let mut missing = Vec::new();
    let mut own_ns_hits = 0usize;
    let mut extra_ids: BTreeMap<String, usize> = BTreeMap::new();
    for profile in ["public", "public-hard"] {
        let Ok(text) = std::fs::read_to_string(root.join(profile).join("labels.json")) else {
            continue;
        };
        let labels: serde_json::Value = serde_json::from_str(&text).unwrap();
        for (file, app) in labels["apps"].as_object().unwrap() {
            let loaded = input::load(&root.join(profile).join("apks").join(file))
                .unwrap_or_else(|| panic!("{file} unreadable"));
            let hits = sdks::detect(&loaded.input(), &[]);
            let got: BTreeSet<&str> = hits.iter().map(|h| h.id.as_str()).collect();
            apps += 1;
            let mut want = BTreeSet::new();
            for s in app["sdks"].as_array().unwrap() {
                let label = s.as_str().unwrap();
                let id = *map
                    .get(label)
                    .unwrap_or_else(|| panic!("unmapped label {label}"));
                want.insert(id);
                labelled += 1;
                if got.contains(id) {
                    found += 1;
                } else {
                    missing.push(format!("{profile}/{file}: {label} ({id})"));
                }
            }
            extra += got.difference(&want).count();
            for id in got.difference(&want) {
                *extra_ids.entry(id.to_string()).or_insert(0usize) += 1;
            }
            // No app framework in these native apps.
            let fw: Vec<&str> = frameworks::detect(&loaded.input())
                .iter()
                .map(|d| d.id)
                .collect();
            assert!(fw.is_empty(), "{file}: {fw:?}");
            // The declared code package is an own namespace unless
            // obfuscation hid it.
            let split = CodeSplit::of(&loaded.input());
            let code = app["code_package"].as_str().unwrap();
            if split.own_namespaces.iter().any(|n| n == code) {
                own_ns_hits += 1;
            } else {
                assert!(
                    app["obfuscated"].as_bool().unwrap() || app["clone_of"].is_string(),
                    "{file}: {:?} lacks {code}",
                    split.own_namespaces
                );
            }
        }
    }
    println!(
        "govgen: {apps} apps, {found}/{labelled} labelled SDKs found, {extra} further rows \
         (AndroidX/support libraries the labels leave out, and sibling products shipped \
         with a labelled SDK), code package among own namespaces in {own_ns_hits}"
    );
    println!("further rows: {extra_ids:?}");
    assert!(missing.is_empty(), "{missing:#?}");
}

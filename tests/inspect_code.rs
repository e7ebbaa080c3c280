//! The code part of `inspect` (signers, DEX, native libraries, SDKs,
//! frameworks, capabilities, endpoints, obfuscation, packers) on the
//! fixture APKs, against the committed goldens of the real tools:
//! `apksigner verify --print-certs` (fixtures/expected/X.apksigner.txt),
//! `dexdump` (X.dexdump.txt) and `readelf` (X.readelf.txt), plus the facts
//! each fixture was built to carry (fixtures/README.md).

use fingertip::inspect::{inspect_path, inspect_path_with, InspectReport, Options, Scope};
use fingertip::reader::Limits;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn apks() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures/apks"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".apk").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn report(name: &str) -> InspectReport {
    let path = root().join(format!("fixtures/apks/{name}.apk"));
    inspect_path(&path, &Limits::default()).unwrap()
}

fn golden(name: &str) -> Option<String> {
    std::fs::read_to_string(root().join("fixtures/expected").join(name)).ok()
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_string).collect()
}

#[test]
fn signers_equal_apksigner() {
    for name in apks() {
        let Some(text) = golden(&format!("{name}.apksigner.txt")) else {
            continue;
        };
        let want: BTreeSet<String> = text
            .lines()
            .filter_map(|l| l.split_once("certificate SHA-256 digest: "))
            .filter(|(head, _)| head.starts_with("Signer #"))
            .map(|(_, d)| d.trim().to_string())
            .collect();
        let r = report(&name);
        let got: BTreeSet<String> = r.signers.iter().map(|s| s.sha256.clone()).collect();
        assert_eq!(got, want, "{name}: signer certificate digests");
        // apksigner skips v1 when minSdk >= 24 ("Verified using v1: false"
        // while the JAR signature is there), so every verified scheme must be
        // present, not the reverse.
        for (scheme, flag) in [
            ("v1", "v1 scheme"),
            ("v2", "v2 scheme"),
            ("v3", "v3 scheme"),
        ] {
            let verified = text
                .lines()
                .any(|l| l.contains(&format!("Verified using {flag}")) && l.ends_with("true"));
            if verified {
                assert!(
                    r.signing.schemes.iter().any(|s| s == scheme),
                    "{name}: scheme {scheme} verified by apksigner but not found"
                );
            }
        }
        for s in &r.signers {
            assert_eq!(s.verified, None, "{name}: verification is not claimed");
        }
    }
}

#[test]
fn dex_class_counts_equal_dexdump() {
    for name in apks() {
        let Some(text) = golden(&format!("{name}.dexdump.txt")) else {
            continue;
        };
        // dexdump prints "Opened '<apk>:<entry>'" then the header's class_defs_size.
        let mut want = Vec::new();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("Opened '") {
                // `apk:classesN.dex`, or just `apk` when there is one DEX.
                let entry = rest.split('\'').next().unwrap_or_default();
                current = Some(
                    entry
                        .split_once(':')
                        .map_or("classes.dex".to_string(), |(_, e)| e.to_string()),
                );
            } else if let Some(n) = line.strip_prefix("class_defs_size     : ") {
                if let Some(entry) = current.take() {
                    want.push((entry, n.trim().parse::<u32>().unwrap()));
                }
            }
        }
        let r = report(&name);
        let got: Vec<(String, u32)> = r
            .dex
            .files
            .iter()
            .filter(|f| !f.nested)
            .map(|f| (f.path.clone(), f.classes))
            .collect();
        assert_eq!(got, want, "{name}: top-level DEX files and class counts");
        assert!(r
            .dex
            .files
            .iter()
            .all(|f| f.checksum_valid && f.signature_valid));
    }
}

#[test]
fn native_libs_equal_readelf() {
    for name in apks() {
        let Some(text) = golden(&format!("{name}.readelf.txt")) else {
            continue;
        };
        let r = report(&name);
        for lib in &r.native_libs {
            // Each library's section in the golden starts with its path.
            assert!(
                text.contains(&lib.path),
                "{name}: {} not in the readelf golden",
                lib.path
            );
            if let Some(soname) = &lib.soname {
                assert!(
                    text.contains(&format!("Library soname: [{soname}]")),
                    "{name}: soname {soname}"
                );
            }
            for needed in &lib.needed {
                assert!(
                    text.contains(&format!("Shared library: [{needed}]")),
                    "{name}: needed {needed}"
                );
            }
        }
    }
}

#[test]
fn sdkzoo_carries_its_sdks_capabilities_and_endpoints() {
    let r = report("sdkzoo");
    let sdks: BTreeSet<String> = r.sdks.iter().map(|h| h.id.clone()).collect();
    for id in [
        "alipay",
        "amap_location",
        "amap_map",
        "baidu_location",
        "baidu_map",
        "firebase_analytics",
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
        "unionpay",
        "wechat_opensdk",
        "xiaomi_push",
    ] {
        assert!(
            sdks.contains(id),
            "sdkzoo: missing SDK {id}; found {sdks:?}"
        );
    }
    let bugly = r.sdks.iter().find(|h| h.id == "tencent_bugly").unwrap();
    assert!(bugly
        .evidence
        .iter()
        .any(|e| e.kind == "native_lib" && e.value.ends_with("libBugly.so")));
    let caps: BTreeSet<String> = r.capabilities.iter().map(|c| c.id.to_string()).collect();
    for id in [
        "camera",
        "location",
        "nfc",
        "sms",
        "audio_recording",
        "webview",
        "payments",
    ] {
        assert!(
            caps.contains(id),
            "sdkzoo: missing capability {id}; found {caps:?}"
        );
    }
    assert!(r.endpoints.domains.iter().any(|d| d == "sdkzoo.gov.cn"));
    let own_api = r
        .endpoints
        .hosts
        .iter()
        .find(|h| h.host == "api.sdkzoo.gov.cn")
        .unwrap();
    assert!(own_api.own && own_api.sdk.is_none());
    let nested: BTreeSet<String> = r
        .dex
        .files
        .iter()
        .filter(|f| f.nested)
        .map(|f| f.path.clone())
        .collect();
    assert_eq!(
        nested,
        set(["assets/patch.jar!/classes.dex", "assets/plugin.dex"])
    );
    assert_eq!(r.code_split.own_namespaces, vec!["gov.example.sdkzoo"]);
    assert!(!r.obfuscation.obfuscated);
    assert!(!r.packers.packed);
    assert_eq!(
        set(r.abis.iter().map(String::as_str)),
        set(["arm64-v8a", "armeabi-v7a"])
    );
}

#[test]
fn packed_app_is_reported_as_packed() {
    let r = report("packed");
    assert!(r.packers.packed);
    assert!(
        r.packers.packers.iter().any(|p| p.id.contains("jiagu")),
        "{:?}",
        r.packers
    );
    assert!(r
        .packers
        .note
        .as_deref()
        .is_some_and(|n| n.contains("stub")));
}

#[test]
fn frameworks_of_flutter_and_webview_shell() {
    let ids = |name: &str| -> BTreeSet<String> {
        report(name)
            .frameworks
            .iter()
            .map(|f| f.id.to_string())
            .collect()
    };
    assert!(
        ids("flutterish").contains("flutter"),
        "{:?}",
        ids("flutterish")
    );
    assert!(
        ids("webshell").contains("webview_shell"),
        "{:?}",
        ids("webshell")
    );
    assert!(ids("example").is_empty(), "{:?}", ids("example"));
}

#[test]
fn manifest_scope_skips_code_but_keeps_signers() {
    let path = root().join("fixtures/apks/sdkzoo.apk");
    let options = Options {
        scope: Scope::Manifest,
        ..Options::default()
    };
    let r = inspect_path_with(Path::new(&path), &Limits::default(), &options).unwrap();
    assert!(r.dex.files.is_empty() && r.sdks.is_empty() && r.native_libs.is_empty());
    assert_eq!(r.signers.len(), 1);
    assert_eq!(r.manifest.package, "gov.example.sdkzoo");
}

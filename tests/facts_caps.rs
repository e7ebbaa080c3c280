//! Capabilities, endpoints, obfuscation and packers on the fixture APKs
//! (`fixtures/apks/{sdkzoo,packed,webshell,flutterish,example}.apk`, see
//! `fixtures/README.md` for what each one holds), plus a smoke run over the
//! shared real-world corpus.

use fingertip::facts::{capabilities, endpoints, obfuscation, packers};
use fingertip::inspect::AppParts;
use fingertip::reader::Limits;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/apks");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");

/// Everything an `AppInput` borrows, built by the library's own loader.
type Loaded = AppParts;

/// Reads an APK the way `inspect` feeds the facts stage.
fn load_bytes(data: &[u8]) -> Option<Loaded> {
    AppParts::read(data, &Limits::default()).ok()
}

fn fixture(name: &str) -> Option<Loaded> {
    let path = Path::new(FIXTURES).join(name);
    let Ok(data) = std::fs::read(&path) else {
        eprintln!("note: {} absent; skipped", path.display());
        return None;
    };
    let loaded = load_bytes(&data);
    assert!(loaded.is_some(), "{name} does not load");
    loaded
}

/// Own code of the fixtures: the `gov.example.` namespace (what
/// `CodeSplit` finds from their manifests).
fn gov_example(class: &str) -> bool {
    class.starts_with("gov.example.")
}

fn caps_summary(caps: &[capabilities::Capability]) -> Vec<(String, &'static str, bool)> {
    caps.iter()
        .map(|c| (c.id.to_string(), c.strength, c.in_own_code))
        .collect()
}

fn has_evidence(c: &capabilities::Capability, kind: &str, value: &str) -> bool {
    c.evidence
        .iter()
        .any(|e| e.kind == kind && e.value == value)
}

#[test]
fn sdkzoo_capabilities() {
    let Some(app) = fixture("sdkzoo.apk") else {
        return;
    };
    let input = app.input();
    // What the SDK stage reports for sdkzoo (fixtures/README.md).
    let sdks = [
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
    ];
    let caps = capabilities::detect(&input, &gov_example, &sdks);
    let got = caps_summary(&caps);
    let want: Vec<(String, &str, bool)> = [
        ("audio_recording", "api", true),
        ("background_location", "permission", false),
        ("biometrics", "api", true),
        ("camera", "api", true),
        ("face_verification", "api", true),
        ("location", "api", true),
        ("maps", "api", true),
        ("nfc", "api", true),
        ("payments", "api", true),
        ("push_notifications", "api", true),
        ("sms", "api", true),
        ("social_share", "api", true),
        ("speech", "api", true),
        ("webview", "api", true),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), *b, *c))
    .collect();
    assert_eq!(got, want, "{caps:#?}");

    let cap = |id: &str| caps.iter().find(|c| c.id == id).unwrap();
    let camera = cap("camera");
    assert!(has_evidence(
        camera,
        "api_call",
        "Landroid/hardware/Camera;->open"
    ));
    assert!(has_evidence(
        camera,
        "api_call",
        "Landroid/media/MediaRecorder;->setCamera"
    ));
    assert!(has_evidence(
        camera,
        "permission",
        "android.permission.CAMERA"
    ));
    assert!(has_evidence(
        camera,
        "manifest",
        "uses-feature android.hardware.camera"
    ));
    assert_eq!(camera.classes, ["gov.example.sdkzoo.camera.CameraActivity"]);
    let loc = cap("location");
    assert!(has_evidence(
        loc,
        "api_call",
        "Landroid/location/LocationManager;->requestLocationUpdates"
    ));
    assert!(has_evidence(
        loc,
        "class",
        "extends Landroid/location/LocationListener;"
    ));
    assert!(has_evidence(loc, "sdk", "amap_location"));
    assert!(has_evidence(
        loc,
        "api_call",
        "Lcom/amap/api/location/AMapLocationClient;->startLocation"
    ));
    assert_eq!(
        loc.classes,
        [
            "gov.example.sdkzoo.location.GpsListener",
            "gov.example.sdkzoo.location.LocationService"
        ]
    );
    let web = cap("webview");
    assert!(has_evidence(
        web,
        "api_call",
        "Landroid/webkit/WebView;->loadUrl"
    ));
    assert!(has_evidence(web, "sdk", "tencent_x5"));
    assert_eq!(
        web.classes,
        [
            "gov.example.sdkzoo.MainActivity",
            "gov.example.sdkzoo.web.X5WebActivity"
        ]
    );
    let nfc = cap("nfc");
    assert!(has_evidence(
        nfc,
        "api_call",
        "Landroid/nfc/NfcAdapter;->getDefaultAdapter"
    ));
    assert!(has_evidence(
        nfc,
        "manifest",
        "activity gov.example.sdkzoo.nfc.NfcReaderActivity intent-filter android.nfc.action.TECH_DISCOVERED"
    ));
    assert!(has_evidence(
        cap("sms"),
        "api_call",
        "Landroid/telephony/SmsManager;->sendTextMessage"
    ));
    assert!(has_evidence(
        cap("audio_recording"),
        "api_call",
        "Landroid/media/MediaRecorder;-><init>"
    ));
    let bio = cap("biometrics");
    assert!(has_evidence(
        bio,
        "api_call",
        "Landroid/hardware/biometrics/BiometricPrompt;->authenticate"
    ));
    assert_eq!(
        bio.classes,
        [
            "gov.example.sdkzoo.auth.AuthCallback",
            "gov.example.sdkzoo.auth.FaceAuthActivity"
        ]
    );
    let pay = cap("payments");
    assert!(has_evidence(pay, "sdk", "alipay"));
    assert!(has_evidence(pay, "sdk", "unionpay"));
    assert!(has_evidence(
        pay,
        "api_call",
        "Lcom/alipay/sdk/app/PayTask;->payV2"
    ));
    assert_eq!(pay.classes, ["gov.example.sdkzoo.pay.PayActivity"]);
    let bg = cap("background_location");
    assert_eq!(
        bg.evidence
            .iter()
            .map(|e| (e.kind, e.value.as_str()))
            .collect::<Vec<_>>(),
        [(
            "permission",
            "android.permission.ACCESS_BACKGROUND_LOCATION"
        )]
    );

    // Per class: which capabilities an activity's own code uses.
    let per = capabilities::per_class(&input, &gov_example);
    assert_eq!(
        per["gov.example.sdkzoo.camera.CameraActivity"],
        ["audio_recording", "camera"]
    );
    assert_eq!(per["gov.example.sdkzoo.nfc.NfcReaderActivity"], ["nfc"]);
    assert_eq!(per["gov.example.sdkzoo.sms.SmsHelper"], ["sms"]);
    assert_eq!(per["gov.example.sdkzoo.MainActivity"], ["webview"]);
    assert!(per.keys().all(|k| k.starts_with("gov.example.")));
    assert!(!per.contains_key("com.amap.api.location.AMapLocationClient"));

    // Without SDK ids, SDK-only capabilities need own calls into the SDK.
    let bare = capabilities::detect(&input, &gov_example, &[]);
    assert!(bare
        .iter()
        .all(|c| !c.evidence.iter().any(|e| e.kind == "sdk")));
    assert_eq!(
        bare.iter()
            .find(|c| c.id == "face_verification")
            .map(|c| c.strength),
        Some("api"),
        "FaceAuthActivity calls Megvii's Facepp"
    );
}

#[test]
fn sdkzoo_endpoints() {
    let Some(app) = fixture("sdkzoo.apk") else {
        return;
    };
    let ep = endpoints::extract(&app.input(), &gov_example);
    let hosts: Vec<(&str, bool, Option<&str>, Vec<&str>)> = ep
        .hosts
        .iter()
        .map(|h| (h.host.as_str(), h.own, h.sdk.as_deref(), h.sources.clone()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("10.1.2.3", true, None, vec!["code_own"]),
            // ApiClient.BACKUP_IP is an unused `static final` constant: only in
            // the string pool, so nothing says whose it is. REPORT_HOST is the
            // same, but its domain is the app's.
            ("202.96.128.86", false, None, vec!["dex_strings"]),
            ("alog.umeng.com", false, Some("Umeng"), vec!["code_library"]),
            (
                "api-cn.faceplusplus.com",
                false,
                Some("Megvii Face++"),
                vec!["code_library"]
            ),
            (
                "api.map.baidu.com",
                false,
                Some("Baidu"),
                vec!["code_library"]
            ),
            ("api.sdkzoo.gov.cn", true, None, vec!["code_own"]),
            ("api2.sdkzoo.gov.cn", true, None, vec!["code_own"]),
            (
                "app-measurement.com",
                false,
                Some("Firebase Analytics"),
                vec!["code_library"]
            ),
            (
                "mclient.alipay.com",
                false,
                Some("Alipay"),
                vec!["code_library"]
            ),
            ("plugin.sdkzoo.gov.cn", true, None, vec!["code_own"]),
            ("report.sdkzoo.gov.cn", true, None, vec!["dex_strings"]),
            (
                "restapi.amap.com",
                false,
                Some("AMap"),
                vec!["code_library"]
            ),
            ("service.example.gov.cn", true, None, vec!["code_own"]),
            ("static.sdkzoo.gov.cn", true, None, vec!["code_own"]),
        ],
        "{ep:#?}"
    );
    let ip = ep.hosts.iter().find(|h| h.host == "10.1.2.3").unwrap();
    assert!(ip.ip && ip.private_ip && ip.registrable_domain.is_none());
    let public_ip = ep.hosts.iter().find(|h| h.host == "202.96.128.86").unwrap();
    assert!(public_ip.ip && !public_ip.private_ip);
    let gov = ep
        .hosts
        .iter()
        .find(|h| h.host == "service.example.gov.cn")
        .unwrap();
    assert_eq!(gov.registrable_domain.as_deref(), Some("example.gov.cn"));
    assert_eq!(
        ep.domains,
        [
            "alipay.com",
            "amap.com",
            "app-measurement.com",
            "baidu.com",
            "example.gov.cn",
            "faceplusplus.com",
            "sdkzoo.gov.cn",
            "umeng.com"
        ]
    );
    let urls: Vec<&str> = ep.urls.iter().map(|u| u.url.as_str()).collect();
    for u in [
        "http://10.1.2.3:8080/api",
        "https://api.sdkzoo.gov.cn/v1/",
        "https://service.example.gov.cn/h5/index.html",
        "https://plugin.sdkzoo.gov.cn/update/check",
    ] {
        assert!(urls.contains(&u), "{u} missing from {urls:#?}");
    }
    assert!(!ep.truncated);
}

#[test]
fn sdkzoo_is_not_obfuscated_or_packed() {
    let Some(app) = fixture("sdkzoo.apk") else {
        return;
    };
    let input = app.input();
    let o = obfuscation::measure(&input, &gov_example);
    assert_eq!(o.basis, "own_code");
    assert_eq!(o.short_class_names, 0, "{o:#?}");
    assert!(!o.obfuscated);
    assert!(o.own_classes > 15 && o.own_methods > 15, "{o:#?}");
    // Baidu's obfuscated `com.baidu.location.f` is the only short name.
    assert_eq!(o.whole_app_class_ratio, 1.0 / 62.0);
    assert_eq!((o.own_classes, o.own_methods), (20, 27), "{o:#?}");
    assert_eq!(o.whole_app_classes, 62, "{o:#?}");
    let p = packers::detect(&input);
    assert!(
        !p.packed && p.packers.is_empty() && p.protectors.is_empty(),
        "{p:#?}"
    );
    assert_eq!(p.components_without_class, 0);
    assert_eq!(p.note, None);
}

#[test]
fn packed_is_360_jiagu() {
    let Some(app) = fixture("packed.apk") else {
        return;
    };
    let input = app.input();
    let p = packers::detect(&input);
    assert!(p.packed);
    assert_eq!(p.packers.len(), 1, "{p:#?}");
    let d = &p.packers[0];
    assert_eq!(d.id, "qihoo_jiagu");
    let ev: Vec<(&str, &str)> = d
        .evidence
        .iter()
        .map(|e| (e.kind, e.value.as_str()))
        .collect();
    assert_eq!(
        ev,
        [
            ("class", "com.stub.StubApp"),
            ("manifest", "application com.stub.StubApp"),
            ("native_lib", "assets/libjiagu.so"),
            ("native_lib", "assets/libjiagu_a64.so"),
            ("native_lib", "assets/libjiagu_x86.so"),
            ("native_lib", "lib/x86/libjgdtc.so"),
        ]
    );
    assert_eq!((p.components_declared, p.components_without_class), (3, 2));
    let note = p.note.as_deref().unwrap();
    assert!(
        note.starts_with(
            "code is packed by 360 Jiagu (360加固): the DEX holds only the loader stub"
        ),
        "{note}"
    );
    assert!(
        note.contains("2 of 3 declared components have no class"),
        "{note}"
    );
    // Code facts still run: they describe the stub.
    let caps = capabilities::detect(&input, &gov_example, &[]);
    assert!(caps.iter().all(|c| !c.in_own_code), "{caps:#?}");
    let o = obfuscation::measure(&input, &gov_example);
    assert_eq!(o.basis, "non_library");
    assert_eq!(o.own_classes, 1);
}

#[test]
fn unknown_packer_from_missing_classes() {
    // sdkzoo with as many declared activities again that have no class:
    // the shape a packer leaves, without any packer's names.
    let Some(mut app) = fixture("sdkzoo.apk") else {
        return;
    };
    let declared = packers::detect(&app.input()).components_declared;
    assert_eq!(declared, 25);
    let template = app.manifest.activities[0].clone();
    for i in 0..declared {
        let mut c = template.clone();
        c.name = format!("gov.example.sdkzoo.Hidden{i}");
        app.manifest.activities.push(c);
    }
    let p = packers::detect(&app.input());
    assert!(p.packed, "{p:#?}");
    assert_eq!(p.packers.len(), 1);
    assert_eq!(p.packers[0].id, "unknown_packer");
    assert_eq!(
        p.packers[0].evidence[0].value,
        "25 of 50 declared components have no class in the DEX"
    );
    assert!(p
        .note
        .as_deref()
        .is_some_and(|n| n.starts_with("code is packed by Unidentified packer")));
    // Without the application class in the DEX it is no verdict (split APKs).
    app.manifest.application.name = Some("gov.example.sdkzoo.Missing".to_string());
    assert!(!packers::detect(&app.input()).packed);
}

#[test]
fn webshell() {
    let Some(app) = fixture("webshell.apk") else {
        return;
    };
    let input = app.input();
    let caps = capabilities::detect(&input, &gov_example, &[]);
    assert_eq!(
        caps_summary(&caps),
        [("webview".to_string(), "api", true)],
        "{caps:#?}"
    );
    let web = &caps[0];
    assert!(has_evidence(
        web,
        "api_call",
        "Landroid/webkit/WebView;->loadUrl"
    ));
    assert!(has_evidence(
        web,
        "api_call",
        "Landroid/webkit/WebSettings;->setJavaScriptEnabled"
    ));
    assert_eq!(web.classes, ["gov.example.webshell.MainActivity"]);
    let ep = endpoints::extract(&input, &gov_example);
    assert_eq!(ep.urls.len(), 1, "{ep:#?}");
    assert_eq!(ep.urls[0].url, "https://permits.example.gov.cn/api/apply");
    assert_eq!(ep.urls[0].sources, ["asset"]);
    assert_eq!(ep.hosts.len(), 1);
    assert!(ep.hosts[0].own);
    assert_eq!(ep.domains, ["example.gov.cn"]);
    let p = packers::detect(&input);
    assert!(!p.packed && p.note.is_none());
    assert!(!obfuscation::measure(&input, &gov_example).obfuscated);
}

#[test]
fn flutterish() {
    let Some(app) = fixture("flutterish.apk") else {
        return;
    };
    let input = app.input();
    let caps = capabilities::detect(&input, &gov_example, &["flutter"]);
    assert!(caps.is_empty(), "{caps:#?}");
    let ep = endpoints::extract(&input, &gov_example);
    let hosts: Vec<(&str, bool, &[&str])> = ep
        .hosts
        .iter()
        .map(|h| (h.host.as_str(), h.own, h.sources.as_slice()))
        .collect();
    assert_eq!(
        hosts,
        [("tax.example.gov.cn", true, &["asset"][..])],
        "{ep:#?}"
    );
    let p = packers::detect(&input);
    assert!(!p.packed && p.protectors.is_empty(), "{p:#?}");
    let o = obfuscation::measure(&input, &gov_example);
    assert_eq!((o.basis, o.obfuscated), ("own_code", false), "{o:#?}");
}

#[test]
fn example_network_security_config_and_deep_links() {
    let Some(app) = fixture("example.apk") else {
        return;
    };
    let ep = endpoints::extract(&app.input(), &gov_example);
    let hosts: Vec<(&str, bool, &[&str])> = ep
        .hosts
        .iter()
        .map(|h| (h.host.as_str(), h.own, h.sources.as_slice()))
        .collect();
    assert_eq!(
        hosts,
        [
            (
                "api.example.gov",
                true,
                &[
                    "asset",
                    "dex_strings",
                    "manifest",
                    "network_security_config"
                ][..]
            ),
            ("example.gov", true, &["network_security_config"][..]),
            ("maps.example.gov", true, &["asset"][..]),
            ("www.example.gov", true, &["manifest"][..]),
        ],
        "{ep:#?}"
    );
    assert_eq!(ep.domains, ["example.gov"]);
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "apk") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_smoke() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!("note: {CORPUS} absent; corpus smoke test skipped");
        return;
    }
    let mut all = Vec::new();
    files(root, &mut all);
    all.sort();
    let (mut apps, mut with_caps, mut with_hosts, mut obfuscated) = (0, 0, 0, 0);
    let mut found_packers = Vec::new();
    for path in &all {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let Some(app) = load_bytes(&data) else {
            continue;
        };
        apps += 1;
        let input = app.input();
        let pkg = app.manifest.package.clone();
        let own = move |c: &str| !pkg.is_empty() && c.starts_with(&format!("{pkg}."));
        let caps = capabilities::detect(&input, &own, &[]);
        let per = capabilities::per_class(&input, &own);
        assert!(per.keys().all(|k| own(k)));
        let ep = endpoints::extract(&input, &own);
        assert!(ep.urls.len() <= endpoints::MAX_URLS && ep.hosts.len() <= endpoints::MAX_HOSTS);
        let o = obfuscation::measure(&input, &own);
        assert!((0.0..=1.0).contains(&o.class_ratio) && (0.0..=1.0).contains(&o.method_ratio));
        let p = packers::detect(&input);
        assert_eq!(p.packed, !p.packers.is_empty());
        with_caps += usize::from(!caps.is_empty());
        with_hosts += usize::from(!ep.hosts.is_empty());
        obfuscated += usize::from(o.obfuscated);
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        for d in p.packers.iter().chain(&p.protectors) {
            found_packers.push((rel.clone(), d.id));
        }
        if rel == "APKiD/dexguard_6_1.apk" {
            assert!(
                p.protectors.iter().any(|d| d.id == "dexguard"),
                "APKiD's dexguard_b rule matches this sample: {p:#?}"
            );
            assert!(!p.packed, "DexGuard protects in place");
            let dg = p.protectors.iter().find(|d| d.id == "dexguard").unwrap();
            assert!(
                dg.evidence[0]
                    .value
                    .starts_with("DexGuard-style names in package `o`: "),
                "{dg:#?}"
            );
            assert!(p
                .note
                .as_deref()
                .is_some_and(|n| n.starts_with("code is protected by DexGuard")));
            assert!(o.obfuscated, "{o:#?}");
        }
    }
    eprintln!(
        "corpus: {apps} apps, {with_caps} with capabilities, {with_hosts} with hosts, \
         {obfuscated} obfuscated, packers/protectors: {found_packers:?}"
    );
}

/// The synthetic government apps of the shared corpus carry ground truth:
/// `labels.json` says which ones were obfuscated (ProGuard/R8-style, ~30%).
/// With the real code split as `is_own`, the verdict must agree on every
/// app, and none of them is packed.
#[test]
fn govgen_obfuscation_matches_labels() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/govgen"
    ));
    let mut checked = 0;
    let mut obfuscated = 0;
    for profile in ["public", "public-hard"] {
        let dir = root.join(profile);
        let Ok(text) = std::fs::read_to_string(dir.join("labels.json")) else {
            eprintln!("note: {} absent; skipped", dir.display());
            continue;
        };
        let labels: serde_json::Value = serde_json::from_str(&text).unwrap();
        let apps = labels["apps"].as_object().unwrap();
        for (file, label) in apps {
            let Ok(data) = std::fs::read(dir.join("apks").join(file)) else {
                continue;
            };
            let app = load_bytes(&data).unwrap();
            let input = app.input();
            let split = fingertip::facts::code_split::CodeSplit::of(&input);
            let own = |c: &str| split.is_own(c);
            let o = obfuscation::measure(&input, &own);
            let want = label["obfuscated"].as_bool().unwrap();
            assert_eq!(o.obfuscated, want, "{profile}/{file}: {o:#?}");
            let p = packers::detect(&input);
            assert!(
                !p.packed && p.protectors.is_empty(),
                "{profile}/{file}: {p:#?}"
            );
            checked += 1;
            obfuscated += usize::from(want);
        }
    }
    eprintln!("govgen: {checked} apps checked, {obfuscated} obfuscated");
}

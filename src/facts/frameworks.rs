//! App frameworks and cross-platform runtimes: what an app's UI is built
//! with. Two apps with the same function written in Flutter and as a
//! WebView shell look nothing alike in their DEX; knowing the framework
//! tells later stages where the app's logic actually lives (a Dart
//! snapshot, a JS bundle, HTML assets, .NET assemblies).
//!
//! Each framework is recognised from three kinds of evidence: native
//! library names (`native_lib`), class package prefixes (`package`, with a
//! class count) and APK entry names (`asset`). Some signals are *weak*
//! (`libapp.so`, `libmain.so`, `assets/public/`): common names that count
//! only when a strong signal of the same framework is present.
//!
//! | id | strong signals |
//! |---|---|
//! | `flutter` | `libflutter.so`, `io.flutter.`, `assets/flutter_assets/` (weak: `libapp.so`) |
//! | `react_native` | `libreactnativejni.so`, `libhermes.so`, `libjsc.so`, `com.facebook.react.`, `assets/index.android.bundle` |
//! | `cordova` | `org.apache.cordova.`, `assets/www/cordova.js` |
//! | `capacitor` | `com.getcapacitor.`, `assets/capacitor.config.json` (weak: `assets/public/`) |
//! | `uniapp` | `io.dcloud.`, `assets/apps/*/www/manifest.json`, `assets/data/dcloud_control.xml` |
//! | `xamarin` | `libmonodroid.so`, `libxamarin-app.so`, `libmonosgen-2.0.so`, `mono.android.`, `assemblies/*.dll`, `assemblies/assemblies.blob` |
//! | `unity` | `libunity.so`, `libil2cpp.so`, `com.unity3d.player.`, `assets/bin/Data/` (weak: `libmain.so`) |
//! | `kotlin` | `kotlin.`, `kotlinx.`, `META-INF/*.kotlin_module` |
//! | `compose` | `androidx.compose.`, `org.jetbrains.compose.`, `META-INF/androidx.compose.*.version` |
//! | `weex` | `libweexcore.so`, `libweexjss.so`, `com.taobao.weex.`, `org.apache.weex.` |
//! | `qt` | `libQt5Core*.so`, `libQt6Core*.so`, `org.qtproject.` |
//! | `cocos` | `libcocos2djs.so`, `libcocos2dlua.so`, `libcocos2dcpp.so`, `libcocos.so`, `org.cocos2dx.`, `com.cocos.lib.` |
//!
//! **`webview_shell`** is decided from the others. All of these must hold:
//! * app code (classes that are not library code, see [`CodeSplit`]) calls
//!   `WebView.loadUrl`, `loadDataWithBaseURL`, `loadData` or `postUrl` (on
//!   `android.webkit.WebView`, Tencent X5's `WebView`, or an app class
//!   extending either);
//! * the app has at most [`SHELL_MAX_APP_CLASSES`] such classes, not
//!   counting the generated `R`, `R$*`, `BuildConfig` and `Manifest*`;
//! * there is local HTML under `assets/` (`.html`, `.htm`);
//! * no UI framework above was found (`kotlin` is a language, so it does
//!   not count).
//!
//! A shell that only loads a remote site is therefore not reported: with
//! no local page, a small native app that opens one web page looks the same.
//!
//! Output is sorted by id; evidence inside a detection by kind, then value.

use super::code_split::{CodeOrigin, CodeSplit};
use super::sdks::{descriptor_package, lib_pattern_matches};
use super::{AppInput, Detection, DexInput, Evidence};
use crate::dex::ClassDef;
use std::collections::{BTreeMap, BTreeSet};

/// Most app (non-library, non-generated) classes a WebView shell has.
pub const SHELL_MAX_APP_CLASSES: usize = 15;

/// One signal: a library name pattern, a package prefix, or an entry pattern.
#[derive(Clone, Copy)]
enum Signal {
    /// `.so` file name pattern (one leading or trailing `*`).
    Lib(&'static str),
    /// Dotted package prefix with trailing dot.
    Package(&'static str),
    /// Entry name: a trailing `/` means "under this folder"; one `*`
    /// matches any run of characters; otherwise exact.
    Entry(&'static str),
}

struct Framework {
    id: &'static str,
    name: &'static str,
    /// Is it a UI framework (excludes a WebView-shell verdict)?
    ui: bool,
    strong: &'static [Signal],
    weak: &'static [Signal],
}

use Signal::{Entry, Lib, Package};

const FRAMEWORKS: &[Framework] = &[
    Framework {
        id: "cocos",
        name: "Cocos2d-x / Cocos Creator",
        ui: true,
        strong: &[
            Lib("libcocos2djs.so"),
            Lib("libcocos2dlua.so"),
            Lib("libcocos2dcpp.so"),
            Lib("libcocos.so"),
            Package("org.cocos2dx."),
            Package("com.cocos.lib."),
        ],
        weak: &[],
    },
    Framework {
        id: "compose",
        name: "Jetpack Compose / Compose Multiplatform",
        ui: true,
        strong: &[
            Package("androidx.compose."),
            Package("org.jetbrains.compose."),
            Entry("META-INF/androidx.compose.*.version"),
        ],
        weak: &[],
    },
    Framework {
        id: "capacitor",
        name: "Capacitor (Ionic)",
        ui: true,
        strong: &[
            Package("com.getcapacitor."),
            Entry("assets/capacitor.config.json"),
        ],
        weak: &[Entry("assets/public/")],
    },
    Framework {
        id: "cordova",
        name: "Apache Cordova / Ionic",
        ui: true,
        strong: &[
            Package("org.apache.cordova."),
            Entry("assets/www/cordova.js"),
        ],
        weak: &[Entry("assets/www/")],
    },
    Framework {
        id: "flutter",
        name: "Flutter",
        ui: true,
        strong: &[
            Lib("libflutter.so"),
            Package("io.flutter."),
            Entry("assets/flutter_assets/"),
        ],
        weak: &[Lib("libapp.so")],
    },
    Framework {
        id: "kotlin",
        name: "Kotlin / Kotlin Multiplatform",
        ui: false,
        strong: &[
            Package("kotlin."),
            Package("kotlinx."),
            Entry("META-INF/*.kotlin_module"),
        ],
        weak: &[],
    },
    Framework {
        id: "qt",
        name: "Qt for Android",
        ui: true,
        strong: &[
            Lib("libQt5Core*"),
            Lib("libQt6Core*"),
            Package("org.qtproject."),
        ],
        weak: &[],
    },
    Framework {
        id: "react_native",
        name: "React Native",
        ui: true,
        strong: &[
            Lib("libreactnativejni.so"),
            Lib("libhermes.so"),
            Package("com.facebook.react."),
            Entry("assets/index.android.bundle"),
        ],
        weak: &[Lib("libjsc.so"), Package("com.facebook.hermes.")],
    },
    Framework {
        id: "uniapp",
        name: "uni-app / DCloud 5+ Runtime",
        ui: true,
        strong: &[
            Package("io.dcloud."),
            Entry("assets/apps/*/www/manifest.json"),
            Entry("assets/data/dcloud_control.xml"),
        ],
        weak: &[],
    },
    Framework {
        id: "unity",
        name: "Unity",
        ui: true,
        strong: &[
            Lib("libunity.so"),
            Lib("libil2cpp.so"),
            Package("com.unity3d.player."),
            Entry("assets/bin/Data/"),
        ],
        weak: &[Lib("libmain.so")],
    },
    Framework {
        id: "weex",
        name: "Weex",
        ui: true,
        strong: &[
            Lib("libweexcore.so"),
            Lib("libweexjss.so"),
            Package("com.taobao.weex."),
            Package("org.apache.weex."),
        ],
        weak: &[],
    },
    Framework {
        id: "xamarin",
        name: "Xamarin / .NET MAUI",
        ui: true,
        strong: &[
            Lib("libmonodroid.so"),
            Lib("libxamarin-app.so"),
            Lib("libmonosgen-2.0.so"),
            Package("mono.android."),
            Entry("assemblies/*.dll"),
            Entry("assemblies/assemblies.blob"),
        ],
        weak: &[],
    },
];

/// WebView classes whose load methods make a shell.
const WEBVIEW_CLASSES: &[&str] = &["Landroid/webkit/WebView;", "Lcom/tencent/smtt/sdk/WebView;"];
/// The load methods.
const WEBVIEW_LOADS: &[&str] = &["loadUrl", "loadDataWithBaseURL", "loadData", "postUrl"];

fn entry_matches(pattern: &str, name: &str) -> bool {
    if let Some((pre, post)) = pattern.split_once('*') {
        name.len() > pre.len() + post.len() && name.starts_with(pre) && name.ends_with(post)
    } else if pattern.ends_with('/') {
        name.len() > pattern.len() && name.starts_with(pattern)
    } else {
        name == pattern
    }
}

/// `com.foo.` → `Lcom/foo/`.
fn package_descriptor(dotted: &str) -> String {
    format!("L{}", dotted.replace('.', "/"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Evidence for one signal, if it is present.
struct Scan<'a> {
    input: &'a AppInput<'a>,
    /// Class count per package signal (dotted prefix).
    packages: BTreeMap<&'static str, usize>,
}

impl<'a> Scan<'a> {
    fn new(input: &'a AppInput<'a>) -> Self {
        let prefixes: Vec<(&'static str, String)> = FRAMEWORKS
            .iter()
            .flat_map(|f| f.strong.iter().chain(f.weak))
            .filter_map(|s| match s {
                Package(p) => Some((*p, package_descriptor(p))),
                _ => None,
            })
            .collect();
        let mut counts = vec![0usize; prefixes.len()];
        for dex in input.dex {
            // Matches depend on the package alone; a package's classes sit
            // together.
            let mut last: Option<(&str, Vec<usize>)> = None;
            for class in dex.dex.classes() {
                let d = class.descriptor.as_str();
                let package = descriptor_package(d);
                if package.is_empty() {
                    continue;
                }
                let new_package = !matches!(&last, Some((p, _)) if *p == package);
                if new_package {
                    let found = prefixes
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, pd))| d.starts_with(pd.as_str()))
                        .map(|(i, _)| i)
                        .collect();
                    last = Some((package, found));
                }
                if let Some((_, found)) = &last {
                    for &i in found {
                        if let Some(c) = counts.get_mut(i) {
                            *c += 1;
                        }
                    }
                }
            }
        }
        let mut packages = BTreeMap::new();
        for ((p, _), n) in prefixes.iter().zip(counts) {
            if n > 0 {
                *packages.entry(*p).or_insert(0) += n;
            }
        }
        Scan { input, packages }
    }

    fn evidence(&self, signal: Signal) -> Option<Evidence> {
        match signal {
            Lib(pattern) => {
                let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
                for lib in &self.input.native.libs {
                    if lib_pattern_matches(pattern, &lib.name) {
                        let abi =
                            lib.abi
                                .as_deref()
                                .unwrap_or(if lib.hidden { "hidden" } else { "?" });
                        names.entry(&lib.name).or_default().insert(abi);
                    }
                }
                let parts: Vec<String> = names
                    .iter()
                    .map(|(n, abis)| {
                        let abis: Vec<&str> = abis.iter().copied().collect();
                        format!("{n} ({})", abis.join(", "))
                    })
                    .collect();
                (!parts.is_empty()).then(|| Evidence::new("native_lib", parts.join("; ")))
            }
            Package(p) => self.packages.get(p).map(|&n| {
                Evidence::new(
                    "package",
                    format!("{p} ({})", plural(n, "class", "classes")),
                )
            }),
            Entry(pattern) => {
                let mut hits = self
                    .input
                    .entries
                    .iter()
                    .filter(|e| entry_matches(pattern, e));
                let first = hits.clone().min()?;
                let n = hits.by_ref().count();
                let value = if n == 1 {
                    first.clone()
                } else {
                    format!("{first} and {} more under {pattern}", n - 1)
                };
                Some(Evidence::new("asset", value))
            }
        }
    }
}

/// The frameworks found in an app.
pub fn detect(input: &AppInput) -> Vec<Detection> {
    let scan = Scan::new(input);
    let mut out = Vec::new();
    let mut ui_found = false;
    for f in FRAMEWORKS {
        let strong: Vec<Evidence> = f.strong.iter().filter_map(|s| scan.evidence(*s)).collect();
        if strong.is_empty() {
            continue;
        }
        let mut evidence = strong;
        evidence.extend(f.weak.iter().filter_map(|s| scan.evidence(*s)));
        evidence.sort();
        ui_found |= f.ui;
        out.push(Detection {
            id: f.id,
            name: f.name,
            evidence,
        });
    }
    if !ui_found {
        if let Some(shell) = webview_shell(input) {
            out.push(shell);
        }
    }
    out.sort_by(|a, b| a.id.cmp(b.id));
    out
}

/// Classes aapt and AGP generate in every app: `R`, `R$id`, ...,
/// `BuildConfig`, `Manifest`, `Manifest$permission`.
fn is_generated(descriptor: &str) -> bool {
    let simple = descriptor
        .trim_end_matches(';')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let outer = simple.split('$').next().unwrap_or_default();
    matches!(outer, "R" | "BuildConfig" | "Manifest")
}

/// The WebView-shell verdict (see the module docs), without the "no other
/// UI framework" condition, which [`detect`] checks.
fn webview_shell(input: &AppInput) -> Option<Detection> {
    let html: Vec<&String> = input
        .entries
        .iter()
        .filter(|e| e.starts_with("assets/") && (e.ends_with(".html") || e.ends_with(".htm")))
        .collect();
    let first_html = html.iter().min()?;
    let split = CodeSplit::of(input);
    // App (non-library) classes per DEX, and those extending a WebView.
    let mut app_classes = 0usize;
    let mut app_webviews: BTreeSet<&str> = BTreeSet::new();
    let mut app: Vec<(&DexInput, &ClassDef)> = Vec::new();
    for dex in input.dex {
        for (class, origin) in split.origins(dex.dex.classes()) {
            if origin == CodeOrigin::Library {
                continue;
            }
            if !is_generated(&class.descriptor) {
                app_classes += 1;
            }
            if class
                .superclass
                .as_deref()
                .is_some_and(|s| WEBVIEW_CLASSES.contains(&s))
            {
                app_webviews.insert(&class.descriptor);
            }
            app.push((dex, class));
        }
    }
    if app_classes == 0 || app_classes > SHELL_MAX_APP_CLASSES {
        return None;
    }
    let mut calls: BTreeSet<String> = BTreeSet::new();
    for (dex, class) in app {
        for &idx in &class.invokes {
            let Some(m) = dex.dex.method_ref(idx) else {
                continue;
            };
            let webview = WEBVIEW_CLASSES.contains(&m.class.as_str())
                || app_webviews.contains(m.class.as_str());
            if webview && WEBVIEW_LOADS.contains(&m.name.as_str()) {
                calls.insert(format!(
                    "{} calls {}.{}",
                    crate::dex::descriptor_to_java(&class.descriptor),
                    crate::dex::descriptor_to_java(&m.class),
                    m.name
                ));
            }
        }
    }
    if calls.is_empty() {
        return None;
    }
    let mut evidence: Vec<Evidence> = calls
        .into_iter()
        .map(|c| Evidence::new("api_call", c))
        .collect();
    evidence.push(Evidence::new(
        "class",
        format!(
            "{} ({} at most)",
            plural(app_classes, "app class", "app classes"),
            SHELL_MAX_APP_CLASSES
        ),
    ));
    let value = match html.len() {
        1 => (*first_html).clone(),
        n => format!("{first_html} and {} more HTML files", n - 1),
    };
    evidence.push(Evidence::new("asset", value));
    evidence.sort();
    Some(Detection {
        id: "webview_shell",
        name: "Plain WebView shell",
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::sdks::testdex::{self, TClass};
    use crate::facts::sdks::tests::lib;
    use crate::facts::DexInput;
    use crate::manifest::Manifest;
    use crate::native::NativeReport;

    fn run(classes: &[TClass], libs: &[&str], entries: &[&str], package: &str) -> Vec<Detection> {
        let manifest = Manifest {
            package: package.to_string(),
            ..Manifest::default()
        };
        let dex = vec![DexInput {
            path: "classes.dex".into(),
            nested: false,
            dex: testdex::build(classes),
        }];
        let native = NativeReport {
            abis: Vec::new(),
            libs: libs.iter().map(|p| lib(p)).collect(),
            anomalies: Vec::new(),
        };
        let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        let input = AppInput {
            manifest: &manifest,
            dex: &dex,
            native: &native,
            entries: &entries,
            texts: &[],
        };
        detect(&input)
    }

    fn ids(d: &[Detection]) -> Vec<&str> {
        d.iter().map(|d| d.id).collect()
    }

    #[test]
    fn flutter_with_weak_signal_as_support() {
        let d = run(
            &[TClass::new("Lio/flutter/embedding/engine/FlutterJNI;")],
            &[
                "lib/arm64-v8a/libflutter.so",
                "lib/arm64-v8a/libapp.so",
                "lib/x86_64/libapp.so",
            ],
            &[
                "assets/flutter_assets/AssetManifest.json",
                "assets/flutter_assets/x/y.json",
            ],
            "gov.x",
        );
        assert_eq!(ids(&d), ["flutter"]);
        let values: Vec<(&str, &str)> = d[0]
            .evidence
            .iter()
            .map(|e| (e.kind, e.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                (
                    "asset",
                    "assets/flutter_assets/AssetManifest.json and 1 more under assets/flutter_assets/"
                ),
                ("native_lib", "libapp.so (arm64-v8a, x86_64)"),
                ("native_lib", "libflutter.so (arm64-v8a)"),
                ("package", "io.flutter. (1 class)"),
            ]
        );
        // libapp.so alone is not Flutter.
        assert!(run(&[], &["lib/arm64-v8a/libapp.so"], &[], "gov.x").is_empty());
    }

    #[test]
    fn entry_patterns() {
        assert!(entry_matches(
            "assets/apps/*/www/manifest.json",
            "assets/apps/__UNI__1/www/manifest.json"
        ));
        assert!(!entry_matches(
            "assets/apps/*/www/manifest.json",
            "assets/apps/www/manifest.json"
        ));
        assert!(entry_matches(
            "META-INF/*.kotlin_module",
            "META-INF/app_release.kotlin_module"
        ));
        assert!(entry_matches(
            "assets/flutter_assets/",
            "assets/flutter_assets/a"
        ));
        assert!(!entry_matches(
            "assets/flutter_assets/",
            "assets/flutter_assets/"
        ));
        assert!(entry_matches(
            "assets/index.android.bundle",
            "assets/index.android.bundle"
        ));
    }

    #[test]
    fn other_frameworks_by_each_kind_of_signal() {
        /// Classes, libraries, entries, expected id.
        type Case = (
            &'static [&'static str],
            &'static [&'static str],
            &'static [&'static str],
            &'static str,
        );
        let cases: &[Case] = &[
            (
                &["Lcom/facebook/react/ReactActivity;"],
                &[],
                &[],
                "react_native",
            ),
            (&[], &["lib/arm64-v8a/libhermes.so"], &[], "react_native"),
            (&[], &[], &["assets/www/cordova.js"], "cordova"),
            (
                &["Lcom/getcapacitor/BridgeActivity;"],
                &[],
                &["assets/public/index.html"],
                "capacitor",
            ),
            (&["Lio/dcloud/PandoraEntry;"], &[], &[], "uniapp"),
            (&[], &[], &["assets/data/dcloud_control.xml"], "uniapp"),
            (
                &[],
                &["lib/arm64-v8a/libmonodroid.so"],
                &["assemblies/App.dll"],
                "xamarin",
            ),
            (&["Lmono/android/Runtime;"], &[], &[], "xamarin"),
            (
                &["Lcom/unity3d/player/UnityPlayerActivity;"],
                &["lib/armeabi-v7a/libil2cpp.so"],
                &[],
                "unity",
            ),
            (
                &["Lkotlin/Unit;"],
                &[],
                &["META-INF/x.kotlin_module"],
                "kotlin",
            ),
            (&["Landroidx/compose/ui/Modifier;"], &[], &[], "compose"),
            (&["Lcom/taobao/weex/WXSDKEngine;"], &[], &[], "weex"),
            (&[], &["lib/arm64-v8a/libQt5Core_arm64-v8a.so"], &[], "qt"),
            (
                &["Lorg/qtproject/qt5/android/bindings/QtActivity;"],
                &[],
                &[],
                "qt",
            ),
            (
                &["Lorg/cocos2dx/lib/Cocos2dxActivity;"],
                &["lib/armeabi-v7a/libcocos2djs.so"],
                &[],
                "cocos",
            ),
        ];
        for (classes, libs, entries, want) in cases {
            let classes: Vec<TClass> = classes.iter().map(|c| TClass::new(c)).collect();
            let d = run(&classes, libs, entries, "gov.x");
            assert_eq!(
                ids(&d),
                [*want],
                "{classes:?} {libs:?} {entries:?}",
                classes = classes.len()
            );
        }
        // Capacitor's public/ folder alone is too generic.
        assert!(run(&[], &[], &["assets/public/index.html"], "gov.x").is_empty());
    }

    fn shell_app(extra: Vec<TClass>) -> Vec<TClass> {
        let mut v = vec![
            TClass::new("Lgov/x/shell/MainActivity;")
                .extends("Landroid/app/Activity;")
                .method("onCreate", &[("Landroid/webkit/WebView;", "loadUrl")]),
            TClass::new("Lgov/x/shell/R;"),
        ];
        v.extend(extra);
        v
    }

    const HTML: &[&str] = &["assets/www/index.html"];

    #[test]
    fn webview_shell() {
        let d = run(&shell_app(vec![]), &[], HTML, "gov.x.shell");
        assert_eq!(ids(&d), ["webview_shell"]);
        let values: Vec<(&str, &str)> = d[0]
            .evidence
            .iter()
            .map(|e| (e.kind, e.value.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                (
                    "api_call",
                    "gov.x.shell.MainActivity calls android.webkit.WebView.loadUrl"
                ),
                ("asset", "assets/www/index.html"),
                ("class", "1 app class (15 at most)"),
            ]
        );
        // Through an app subclass of WebView.
        let classes = vec![
            TClass::new("Lgov/x/shell/MyWebView;").extends("Landroid/webkit/WebView;"),
            TClass::new("Lgov/x/shell/Main;")
                .method("go", &[("Lgov/x/shell/MyWebView;", "loadDataWithBaseURL")]),
        ];
        assert_eq!(
            ids(&run(&classes, &[], HTML, "gov.x.shell")),
            ["webview_shell"]
        );
        // No local HTML.
        assert!(run(&shell_app(vec![]), &[], &[], "gov.x.shell").is_empty());
        // A WebView call only inside library code does not count.
        let classes = vec![TClass::new("Lcom/just/agentweb/AgentWeb;")
            .method("go", &[("Landroid/webkit/WebView;", "loadUrl")])];
        assert!(run(&classes, &[], HTML, "gov.x.shell").is_empty());
        // Generated classes are not counted; too many app classes are.
        let generated: Vec<TClass> = (0..SHELL_MAX_APP_CLASSES)
            .map(|i| TClass::new(&format!("Lgov/x/shell/R$t{i};")))
            .chain([TClass::new("Lgov/x/shell/BuildConfig;")])
            .collect();
        assert_eq!(
            ids(&run(&shell_app(generated), &[], HTML, "gov.x.shell")),
            ["webview_shell"]
        );
        let many: Vec<TClass> = (0..SHELL_MAX_APP_CLASSES)
            .map(|i| TClass::new(&format!("Lgov/x/shell/C{i};")))
            .collect();
        assert!(run(&shell_app(many), &[], HTML, "gov.x.shell").is_empty());
        // Another UI framework wins.
        let flutter = TClass::new("Lio/flutter/embedding/android/FlutterActivity;");
        let d = run(&shell_app(vec![flutter]), &[], HTML, "gov.x.shell");
        assert_eq!(ids(&d), ["flutter"]);
        // Kotlin does not.
        let d = run(
            &shell_app(vec![TClass::new("Lkotlin/Unit;")]),
            &[],
            HTML,
            "gov.x.shell",
        );
        assert_eq!(ids(&d), ["kotlin", "webview_shell"]);
    }
}

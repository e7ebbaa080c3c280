//! The split between an app's own code and library code, so that later
//! stages (capabilities, screens, fingerprints) can look at what the app's
//! developers wrote rather than at the SDKs every app bundles.
//!
//! # Own namespaces
//!
//! Estimated from the manifest: the `package` attribute and the packages of
//! the application class and of every component (activities, aliases,
//! services, receivers, providers). Candidates that are library code (a
//! package an [`SDKS`](super::sdk_table::SDKS) prefix covers, or under one
//! of the [`LIBRARY_ROOTS`]) or obfuscated (single-letter root) are dropped.
//! A component package ending in a UI-layer name ([`UI_LAYERS`]: `ui`,
//! `view`, `page`, `activity`, ...) stands for its parent when that keeps
//! three components (`com.gxyl.framework.ui.SplashActivity` →
//! `com.gxyl.framework`), since the layer is rarely the whole namespace.
//! The rest are grouped by their first two components and each group is
//! reduced to its longest common prefix, component-wise. A two-component
//! result (`com.example`, `cn.gov`) is not meaningful when every member is
//! longer, so such a group is split again by the third component. Namespaces
//! nested in another one are folded into it. A contractor's base package
//! declared in the manifest is thus own code of the app as well: it is not
//! a third-party SDK.
//!
//! # Classes
//!
//! Every class of every DEX (nested included) is, in this order:
//! * **library**: its name falls under an SDK-table prefix or a library root;
//! * **own**: under an own namespace;
//! * **obfuscated unknown**: its root package is a single letter (`a.b.c`,
//!   what R8 produces when it repackages), so nothing can be said;
//! * **unknown**: anything else (unlisted third-party code, code whose
//!   package the manifest does not reveal).
//!
//! The last two are counted together as `other`; the obfuscated part is
//! also given on its own. Methods are the classes' defined methods.

use super::sdks::{descriptor_package, match_descriptor};
use super::AppInput;
use crate::dex::ClassDef;
use crate::manifest::Manifest;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Package roots that are library code whatever the SDK table says: the
/// platform, Jetpack and support libraries, the Kotlin and Java runtimes,
/// Google's libraries, and common Apache/JSON/XML/test packages.
pub const LIBRARY_ROOTS: &[&str] = &[
    "android.",
    "androidx.",
    "com.android.",
    "com.google.",
    "com.squareup.",
    "dalvik.",
    "io.reactivex.",
    "java.",
    "javax.",
    "junit.",
    "kotlin.",
    "kotlinx.",
    "org.apache.",
    "org.hamcrest.",
    "org.intellij.",
    "org.jetbrains.",
    "org.json.",
    "org.junit.",
    "org.w3c.",
    "org.xml.",
    "org.xmlpull.",
    "sun.",
];

/// Where a class comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeOrigin {
    /// The app's own namespaces.
    Own,
    /// An SDK-table package or a library root.
    Library,
    /// Single-letter root package: obfuscated, origin unknown.
    ObfuscatedUnknown,
    /// Anything else.
    Unknown,
}

/// How an app's classes divide between its own code and libraries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodeSplit {
    /// Own package namespaces, dotted, without a trailing dot, sorted.
    pub own_namespaces: Vec<String>,
    /// Classes under an own namespace.
    pub own_classes: usize,
    /// Their defined methods.
    pub own_methods: usize,
    /// Classes of an SDK-table package or a library root.
    pub library_classes: usize,
    /// Their defined methods.
    pub library_methods: usize,
    /// All other classes (obfuscated unknown included).
    pub other_classes: usize,
    /// Their defined methods.
    pub other_methods: usize,
    /// Of `other_classes`, those with a single-letter root package.
    pub obfuscated_unknown_classes: usize,
    /// Their defined methods.
    pub obfuscated_unknown_methods: usize,
}

/// True when `descriptor` (`Lcom/foo/Bar;`) names a class inside the dotted
/// package prefix `dotted` (with its trailing dot, `com.foo.`).
fn descriptor_under(descriptor: &str, dotted: &str) -> bool {
    let Some(rest) = descriptor.strip_prefix('L') else {
        return false;
    };
    let (r, d) = (rest.as_bytes(), dotted.as_bytes());
    r.len() > d.len()
        && r.iter()
            .zip(d)
            .all(|(&a, &b)| a == b || (a == b'/' && b == b'.'))
}

/// Library by the table or the roots (descriptor form).
fn is_library_descriptor(descriptor: &str) -> bool {
    match_descriptor(descriptor).is_some()
        || LIBRARY_ROOTS
            .iter()
            .any(|root| descriptor_under(descriptor, root))
}

/// Single-letter root package (`La/b;`, and `La;` in the default package).
fn is_obfuscated_descriptor(descriptor: &str) -> bool {
    let Some(rest) = descriptor.strip_prefix('L') else {
        return false;
    };
    let root = rest.split(['/', ';']).next().unwrap_or_default();
    root.chars().count() == 1
}

/// A dotted package name that is library code.
fn is_library_package(package: &str) -> bool {
    let probe = format!("L{}/X;", package.replace('.', "/"));
    is_library_descriptor(&probe)
}

impl CodeSplit {
    /// Splits the app's classes.
    pub fn of(input: &AppInput) -> CodeSplit {
        let mut split = CodeSplit {
            own_namespaces: own_namespaces(input.manifest),
            ..CodeSplit::default()
        };
        let mut counts = Counts::default();
        for dex in input.dex {
            for (class, origin) in split.origins(dex.dex.classes()) {
                counts.add(origin, class.methods.len());
            }
        }
        counts.store(&mut split);
        split
    }

    /// Every class of `classes` with its origin. Classes of one package sit
    /// together in a DEX file (class_defs follow type order) and the origin
    /// depends on the package alone (outside the default package), so one
    /// classification serves a whole run of them.
    pub fn origins<'a>(
        &'a self,
        classes: &'a [ClassDef],
    ) -> impl Iterator<Item = (&'a ClassDef, CodeOrigin)> + 'a {
        let mut last: Option<(&'a str, CodeOrigin)> = None;
        classes.iter().map(move |class| {
            let d = class.descriptor.as_str();
            let package = descriptor_package(d);
            let origin = match last {
                Some((p, origin)) if p == package && !package.is_empty() => origin,
                _ => {
                    let origin = self.classify_descriptor(d);
                    last = Some((package, origin));
                    origin
                }
            };
            (class, origin)
        })
    }

    /// Where the class with this type descriptor (`Lcom/foo/Bar;`) comes from.
    pub fn classify_descriptor(&self, descriptor: &str) -> CodeOrigin {
        if is_library_descriptor(descriptor) {
            CodeOrigin::Library
        } else if self.is_own_descriptor(descriptor) {
            CodeOrigin::Own
        } else if is_obfuscated_descriptor(descriptor) {
            CodeOrigin::ObfuscatedUnknown
        } else {
            CodeOrigin::Unknown
        }
    }

    /// [`CodeSplit::classify_descriptor`] for a dotted class name.
    pub fn classify(&self, java_class_name: &str) -> CodeOrigin {
        self.classify_descriptor(&super::sdks::java_to_descriptor(java_class_name))
    }

    /// True when the dotted class name (`gov.example.app.MainActivity`) is
    /// under an own namespace and not library code.
    pub fn is_own(&self, java_class_name: &str) -> bool {
        self.classify(java_class_name) == CodeOrigin::Own
    }

    /// True when the type descriptor is under an own namespace (library
    /// packages inside an own namespace are not checked here; see
    /// [`CodeSplit::classify_descriptor`]).
    pub fn is_own_descriptor(&self, descriptor: &str) -> bool {
        self.own_namespaces.iter().any(|ns| {
            let Some(rest) = descriptor.strip_prefix('L') else {
                return false;
            };
            let (r, n) = (rest.as_bytes(), ns.as_bytes());
            r.len() > n.len() + 1
                && r.iter()
                    .zip(n)
                    .all(|(&a, &b)| a == b || (a == b'/' && b == b'.'))
                && r.get(n.len()) == Some(&b'/')
        })
    }
}

/// Class and method counts per origin while splitting.
#[derive(Default)]
struct Counts {
    own: (usize, usize),
    library: (usize, usize),
    obfuscated: (usize, usize),
    unknown: (usize, usize),
}

impl Counts {
    fn add(&mut self, origin: CodeOrigin, methods: usize) {
        let slot = match origin {
            CodeOrigin::Own => &mut self.own,
            CodeOrigin::Library => &mut self.library,
            CodeOrigin::ObfuscatedUnknown => &mut self.obfuscated,
            CodeOrigin::Unknown => &mut self.unknown,
        };
        slot.0 += 1;
        slot.1 += methods;
    }

    fn store(&self, split: &mut CodeSplit) {
        (split.own_classes, split.own_methods) = self.own;
        (split.library_classes, split.library_methods) = self.library;
        (
            split.obfuscated_unknown_classes,
            split.obfuscated_unknown_methods,
        ) = self.obfuscated;
        split.other_classes = self.obfuscated.0 + self.unknown.0;
        split.other_methods = self.obfuscated.1 + self.unknown.1;
    }
}

/// Own namespaces estimated from the manifest (see the module docs).
pub fn own_namespaces(m: &Manifest) -> Vec<String> {
    let mut packages: Vec<String> = vec![m.package.clone()];
    let classes = m.application.name.iter().chain(
        [
            &m.activities,
            &m.activity_aliases,
            &m.services,
            &m.receivers,
            &m.providers,
        ]
        .into_iter()
        .flatten()
        .map(|c| &c.name),
    );
    for class in classes {
        let class = crate::manifest::qualify(&m.package, class);
        if let Some((package, _)) = class.rsplit_once('.') {
            packages.push(without_ui_layer(package).to_string());
        }
    }
    let candidates: BTreeSet<Vec<&str>> = packages
        .iter()
        .filter(|package| !is_library_package(package))
        .map(|package| package.split('.').collect::<Vec<&str>>())
        .filter(|parts| {
            parts.len() >= 2
                && parts.iter().all(|p| !p.is_empty())
                && parts.first().is_some_and(|r| r.chars().count() > 1)
        })
        .collect();

    let mut groups: BTreeMap<(&str, &str), Vec<&Vec<&str>>> = BTreeMap::new();
    for c in &candidates {
        if let [a, b, ..] = c.as_slice() {
            groups.entry((a, b)).or_default().push(c);
        }
    }
    let mut out: BTreeSet<String> = BTreeSet::new();
    for members in groups.values() {
        let lcp = common_prefix(members);
        if lcp.len() == 2 && members.iter().all(|m| m.len() >= 3) {
            let mut sub: BTreeMap<&str, Vec<&Vec<&str>>> = BTreeMap::new();
            for m in members {
                if let Some(third) = m.get(2) {
                    sub.entry(third).or_default().push(m);
                }
            }
            for members in sub.values() {
                out.insert(common_prefix(members).join("."));
            }
        } else {
            out.insert(lcp.join("."));
        }
    }
    // Fold namespaces nested in another.
    let all: Vec<String> = out.into_iter().collect();
    all.iter()
        .filter(|ns| {
            !all.iter()
                .any(|other| other != *ns && ns.starts_with(&format!("{other}.")))
        })
        .cloned()
        .collect()
}

/// Last package components that name a UI layer rather than a namespace.
pub const UI_LAYERS: &[&str] = &[
    "act",
    "activities",
    "activity",
    "fragment",
    "fragments",
    "page",
    "pages",
    "screen",
    "screens",
    "ui",
    "view",
    "views",
];

/// `com.vendor.core.ui` → `com.vendor.core` (kept at three components at
/// least): a component's package is often the UI layer of the namespace.
fn without_ui_layer(package: &str) -> &str {
    match package.rsplit_once('.') {
        Some((parent, last)) if UI_LAYERS.contains(&last) && parent.split('.').count() >= 3 => {
            parent
        }
        _ => package,
    }
}

/// Longest common component-wise prefix.
fn common_prefix<'a>(members: &[&Vec<&'a str>]) -> Vec<&'a str> {
    let Some(first) = members.first() else {
        return Vec::new();
    };
    let mut n = first.len();
    for m in members {
        n = n.min(
            first
                .iter()
                .zip(m.iter())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first.iter().take(n).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::sdks::testdex::{self, TClass};
    use crate::facts::sdks::tests::component;
    use crate::facts::DexInput;
    use crate::native::NativeReport;

    fn manifest(package: &str, components: &[&str]) -> Manifest {
        let mut m = Manifest {
            package: package.to_string(),
            ..Manifest::default()
        };
        for c in components {
            m.activities.push(component(c));
        }
        m
    }

    #[test]
    fn namespaces_from_package_and_components() {
        let m = manifest(
            "gov.example.sdkzoo",
            &[
                "gov.example.sdkzoo.MainActivity",
                "gov.example.sdkzoo.camera.CameraActivity",
                "cn.jpush.android.ui.PopWinActivity",
                "com.google.firebase.provider.FirebaseInitProvider",
                "androidx.core.content.FileProvider",
                "a.b.C",
            ],
        );
        assert_eq!(own_namespaces(&m), ["gov.example.sdkzoo"]);
    }

    #[test]
    fn vendor_base_package_is_own_and_generic_roots_are_split() {
        let m = manifest(
            "cn.gov.gd.gzgongjiao",
            &[
                "com.gxyl.framework.ui.SplashActivity",
                "com.gxyl.framework.web.WebActivity",
                "cn.gov.gd.gzgongjiao.bus.LineActivity",
            ],
        );
        assert_eq!(
            own_namespaces(&m),
            ["cn.gov.gd.gzgongjiao", "com.gxyl.framework"]
        );
        let m = manifest(
            "gov.x.app",
            &[
                "com.ctsi.mobile.core.ui.SplashActivity",
                "gov.x.app.ui.Main",
            ],
        );
        assert_eq!(own_namespaces(&m), ["com.ctsi.mobile.core", "gov.x.app"]);
        let m = manifest("gov.x", &["com.vendor.ui.Main"]);
        assert_eq!(own_namespaces(&m), ["com.vendor.ui", "gov.x"]);
        let m = manifest("com.example.app", &["com.example.lib.LibActivity"]);
        assert_eq!(own_namespaces(&m), ["com.example.app", "com.example.lib"]);
        let m = manifest("com.example", &["com.example.x.A"]);
        assert_eq!(own_namespaces(&m), ["com.example"]);
        assert!(own_namespaces(&manifest("single", &["Main"])).is_empty());
    }

    #[test]
    fn classes_are_split_and_counted() {
        let m = manifest("gov.example.app", &[".MainActivity"]);
        let classes = vec![
            TClass::new("Lgov/example/app/MainActivity;")
                .method("onCreate", &[])
                .method("onResume", &[]),
            TClass::new("Lgov/example/app/net/Api;").method("get", &[]),
            TClass::new("Lgov/example/application/Other;"),
            TClass::new("Lcom/umeng/analytics/MobclickAgent;").method("onEvent", &[]),
            TClass::new("Landroidx/core/app/ActivityCompat;"),
            TClass::new("La/b/c;").method("a", &[]),
            TClass::new("La;"),
            TClass::new("Lcom/unlisted/Thing;"),
        ];
        let dex = vec![DexInput {
            path: "classes.dex".into(),
            nested: false,
            dex: testdex::build(&classes),
        }];
        let native = NativeReport::default();
        let input = AppInput {
            manifest: &m,
            dex: &dex,
            native: &native,
            entries: &[],
            texts: &[],
        };
        let s = CodeSplit::of(&input);
        assert_eq!(s.own_namespaces, ["gov.example.app"]);
        assert_eq!((s.own_classes, s.own_methods), (2, 3));
        assert_eq!((s.library_classes, s.library_methods), (2, 1));
        assert_eq!((s.other_classes, s.other_methods), (4, 1));
        assert_eq!(
            (s.obfuscated_unknown_classes, s.obfuscated_unknown_methods),
            (2, 1)
        );
        assert!(s.is_own("gov.example.app.MainActivity"));
        assert!(s.is_own("gov.example.app.a.b"));
        assert!(!s.is_own("gov.example.application.Other"));
        assert!(!s.is_own("gov.example.app"));
        assert_eq!(s.classify("a.b.c"), CodeOrigin::ObfuscatedUnknown);
        assert_eq!(s.classify("io.flutter.Foo"), CodeOrigin::Library);
        assert_eq!(s.classify("kotlin.Unit"), CodeOrigin::Library);
        assert_eq!(s.classify("kotlinx2.Unit"), CodeOrigin::Unknown);
    }
}

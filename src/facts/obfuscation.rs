//! Identifier obfuscation: how much of the app's own code has had its class
//! and method names replaced by one- or two-character names (what ProGuard,
//! R8 and DexGuard produce: `a`, `b`, `aa`, `ˊ`).
//!
//! # What is counted
//!
//! Classes of every DEX (nested included; a class defined twice counts
//! once), except:
//!
//! * generated resource and build classes: `R`, `R$*`, `BuildConfig`,
//!   `Manifest`, `Manifest$*`;
//! * anonymous classes (`Foo$1`: javac numbers them whatever the
//!   obfuscator does) and synthetic ones (`-$$Lambda$...`,
//!   `Foo$$ExternalSyntheticLambda0`).
//!
//! A class name is *short* when its simple name (after the last `.`, and
//! for a nested class after the last `$`) has one or two characters
//! (Unicode characters, so DexGuard's `ˊ` counts). Methods are those the
//! counted classes define, except constructors (`<init>`, `<clinit>`) and
//! synthetic accessors and lambdas (names containing `$`); a method name is
//! short the same way.
//!
//! # Which classes (`basis`)
//!
//! * `own_code`: the classes the caller's `is_own` accepts.
//! * `own_and_repackaged`: those, plus classes outside any known library
//!   whose package root has one or two characters or that are in the
//!   default package. R8's `-repackageclasses` and DexGuard move obfuscated
//!   classes into `a.a`, `o` or the root, where no namespace can tell whose
//!   they are; leaving them out would measure only the classes the
//!   obfuscator had to keep (activities named in the manifest) and call a
//!   thoroughly obfuscated app clean.
//! * `non_library`: when `is_own` accepts nothing (package names
//!   themselves obfuscated, or no manifest namespace), every class not
//!   matched to a library: an [`SDKS`] package prefix or a platform root
//!   (`android.`, `androidx.`, `java.`, `kotlin.`, `com.google.`, ...).
//! * `none`: nothing left to measure (no code, or only library code).
//!
//! # Threshold
//!
//! `obfuscated` is true when at least [`CLASS_THRESHOLD`] of the measured
//! classes and at least [`MIN_SHORT_CLASSES`] of them have short names, or
//! at least [`METHOD_THRESHOLD`] of their methods and at least
//! [`MIN_SHORT_METHODS`] of them do. Hand-written code almost never has
//! one- or two-letter class names and has few such methods (`id`, `of`,
//! `go`); obfuscated code has them for nearly everything that is not kept,
//! typically 50–95% of classes. The minimum counts keep tiny apps with a
//! class called `Ui` or `Db` from tripping it.
//!
//! `whole_app_class_ratio` is the share of short class names over every
//! counted class, libraries included (R8 also renames the libraries it
//! shrinks).

use super::sdk_table::SDKS;
use super::AppInput;
use crate::dex::descriptor_to_java;
use serde::Serialize;
use std::collections::HashSet;

/// Share of short class names from which code counts as obfuscated.
pub const CLASS_THRESHOLD: f64 = 0.25;
/// Fewest short class names for `obfuscated`.
pub const MIN_SHORT_CLASSES: usize = 5;
/// Share of short method names from which code counts as obfuscated.
pub const METHOD_THRESHOLD: f64 = 0.25;
/// Fewest short method names for `obfuscated`.
pub const MIN_SHORT_METHODS: usize = 20;

/// Package roots that are library code in any app.
const PLATFORM_ROOTS: &[&str] = &[
    "android.",
    "androidx.",
    "com.android.",
    "com.google.",
    "dalvik.",
    "java.",
    "javax.",
    "junit.",
    "kotlin.",
    "kotlinx.",
    "libcore.",
    "org.apache.",
    "org.intellij.",
    "org.jetbrains.",
    "org.json.",
    "org.junit.",
    "org.w3c.",
    "org.xml.",
    "org.xmlpull.",
    "sun.",
];

/// How obfuscated an app's identifiers are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Obfuscation {
    /// Which classes were measured: `own_code`, `own_and_repackaged`,
    /// `non_library` or `none` (see the module docs).
    pub basis: &'static str,
    /// Classes measured.
    pub own_classes: usize,
    /// Of those, with a one- or two-character simple name.
    pub short_class_names: usize,
    /// `short_class_names / own_classes` (0 when there are none).
    pub class_ratio: f64,
    /// Methods of the measured classes (constructors and synthetic ones
    /// excluded).
    pub own_methods: usize,
    /// Of those, with a one- or two-character name.
    pub short_method_names: usize,
    /// `short_method_names / own_methods` (0 when there are none).
    pub method_ratio: f64,
    /// The verdict (see the module docs for the threshold).
    pub obfuscated: bool,
    /// Every counted class of the app, libraries included.
    pub whole_app_classes: usize,
    /// Share of short class names over `whole_app_classes`.
    pub whole_app_class_ratio: f64,
}

/// Measures identifier obfuscation. `is_own` tells the app's own classes
/// (Java names) from library classes.
pub fn measure(input: &AppInput, is_own: &dyn Fn(&str) -> bool) -> Obfuscation {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut all = Tally::default();
    let mut own = Tally::default();
    let mut repackaged = Tally::default();
    let mut non_library = Tally::default();
    for d in input.dex {
        for class in d.dex.classes() {
            if class.descriptor.is_empty() || !seen.insert(class.descriptor.as_str()) {
                continue;
            }
            let java = descriptor_to_java(&class.descriptor);
            let Some(simple) = counted_simple_name(&java) else {
                continue;
            };
            let short = is_short(simple);
            let methods = class
                .methods
                .iter()
                .filter(|m| !m.name.starts_with('<') && !m.name.contains('$'));
            let (mut n_methods, mut n_short) = (0usize, 0usize);
            for m in methods {
                n_methods += 1;
                if is_short(&m.name) {
                    n_short += 1;
                }
            }
            let add = |t: &mut Tally| {
                t.classes += 1;
                t.short_classes += usize::from(short);
                t.methods += n_methods;
                t.short_methods += n_short;
            };
            add(&mut all);
            if is_own(&java) {
                add(&mut own);
            } else if !is_library(&java) {
                add(&mut non_library);
                if is_repackaged(&java) {
                    add(&mut repackaged);
                }
            }
        }
    }
    let (basis, t) = if own.classes > 0 && repackaged.classes == 0 {
        ("own_code", own)
    } else if own.classes > 0 {
        ("own_and_repackaged", own.plus(&repackaged))
    } else if non_library.classes > 0 {
        ("non_library", non_library)
    } else {
        ("none", Tally::default())
    };
    let class_ratio = ratio(t.short_classes, t.classes);
    let method_ratio = ratio(t.short_methods, t.methods);
    let obfuscated = (t.short_classes >= MIN_SHORT_CLASSES && class_ratio >= CLASS_THRESHOLD)
        || (t.short_methods >= MIN_SHORT_METHODS && method_ratio >= METHOD_THRESHOLD);
    Obfuscation {
        basis,
        own_classes: t.classes,
        short_class_names: t.short_classes,
        class_ratio,
        own_methods: t.methods,
        short_method_names: t.short_methods,
        method_ratio,
        obfuscated,
        whole_app_classes: all.classes,
        whole_app_class_ratio: ratio(all.short_classes, all.classes),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    classes: usize,
    short_classes: usize,
    methods: usize,
    short_methods: usize,
}

impl Tally {
    fn plus(&self, o: &Tally) -> Tally {
        Tally {
            classes: self.classes + o.classes,
            short_classes: self.short_classes + o.short_classes,
            methods: self.methods + o.methods,
            short_methods: self.short_methods + o.short_methods,
        }
    }
}

fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

fn is_short(name: &str) -> bool {
    (1..=2).contains(&name.chars().count())
}

/// The simple name to judge, or `None` for a class that is not counted
/// (generated, anonymous or synthetic; see the module docs).
fn counted_simple_name(java: &str) -> Option<&str> {
    let simple = java.rsplit('.').next().unwrap_or(java);
    if simple.starts_with('-') || simple.contains("$$") {
        return None;
    }
    let outer = simple.split('$').next().unwrap_or(simple);
    if matches!(outer, "R" | "BuildConfig" | "Manifest") {
        return None;
    }
    let last = simple.rsplit('$').next().unwrap_or(simple);
    if last.is_empty() || last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(last)
}

fn is_library(java: &str) -> bool {
    PLATFORM_ROOTS.iter().any(|r| java.starts_with(r))
        || SDKS
            .iter()
            .any(|s| s.packages.iter().any(|p| java.starts_with(p)))
}

/// In the default package, or under a package root of one or two
/// characters (`a.b.C`, `o.ˊ`).
fn is_repackaged(java: &str) -> bool {
    match java.split_once('.') {
        None => true,
        Some((root, _)) => is_short(root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_names() {
        assert_eq!(counted_simple_name("a.b.C"), Some("C"));
        assert_eq!(counted_simple_name("a.b.C$D"), Some("D"));
        assert_eq!(counted_simple_name("a.b.C$1"), None);
        assert_eq!(counted_simple_name("a.b.R"), None);
        assert_eq!(counted_simple_name("a.b.R$layout"), None);
        assert_eq!(counted_simple_name("a.b.BuildConfig"), None);
        assert_eq!(counted_simple_name("a.b.-$$Lambda$Foo$abc"), None);
        assert_eq!(
            counted_simple_name("a.b.Foo$$ExternalSyntheticLambda0"),
            None
        );
        assert_eq!(counted_simple_name("o.ʶ$if"), Some("if"));
        assert_eq!(counted_simple_name("Top"), Some("Top"));
        assert!(is_short("ˊ"));
        assert!(is_short("ab"));
        assert!(!is_short("abc"));
        assert!(!is_short(""));
    }

    #[test]
    fn repackaged_and_library() {
        assert!(is_repackaged("a.b.c"));
        assert!(is_repackaged("o.ˊ"));
        assert!(is_repackaged("Foo"));
        assert!(!is_repackaged("com.foo.Bar"));
        assert!(is_library("androidx.core.app.ActivityCompat"));
        assert!(is_library("com.umeng.analytics.MobclickAgent"));
        assert!(!is_library("gov.example.sdkzoo.MainActivity"));
    }

    #[test]
    fn no_code_is_measured_as_none() {
        let m = crate::manifest::Manifest::default();
        let native = crate::native::NativeReport::default();
        let input = AppInput {
            manifest: &m,
            dex: &[],
            native: &native,
            entries: &[],
            texts: &[],
        };
        let o = measure(&input, &|_| true);
        assert_eq!(o.basis, "none");
        assert_eq!(
            (o.own_classes, o.own_methods, o.whole_app_classes),
            (0, 0, 0)
        );
        assert_eq!((o.class_ratio, o.method_ratio), (0.0, 0.0));
        assert!(!o.obfuscated);
    }
}

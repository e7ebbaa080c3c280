//! Features: what an app does (function) and who built it (provenance),
//! as sets of readable feature strings, one set per dimension.
//!
//! Stage: reads an [`InspectReport`] (and the few extras the scan collects
//! from the same parse, [`Extras`]) and never touches bytes. Similarity and
//! clustering work only on these sets; the index stores them so a
//! collection is re-clustered without re-reading any APK.
//!
//! # Function dimensions
//!
//! Clusters are formed on these (weights in [`crate::similarity`]):
//!
//! * `screens`: screen fingerprint features (widget kinds and order, roles,
//!   id and text tokens, tree edges) of every screen that shows something,
//!   hex encoded;
//! * `text`: tokens of the visible strings of the screens and of the app
//!   label (ASCII words lowercased, CJK runs as character bigrams);
//! * `names`: identifier tokens of screen class names (obfuscated names of
//!   one or two letters skipped) and linked layout names;
//! * `ids`: identifier tokens of the widget ids;
//! * `paths`: path segments of the URLs the app calls, SDK hosts left out
//!   (`/app/hotline/detail/list` gives `hotline`, `detail`, `list`);
//! * `permissions`: requested permissions;
//! * `capabilities`: capabilities the app's own code uses;
//! * `intents`: intent-filter actions other than MAIN, deep-link schemes
//!   and the shape of deep-link paths;
//! * `api`: framework methods (`android.*`, `java.net.*`, ...) the app's
//!   non-library code invokes, which survive obfuscation.
//!
//! # Provenance
//!
//! Reported next to clusters, never used to form them: signer certificate
//! digests, base code packages (own namespaces other than the package's),
//! SDK ids, native library names, shared resource files (central-directory
//! CRC-32 and size of `res/` and `assets/` entries: no decompression) and
//! registrable domains of the app's own endpoints.

use crate::inspect::InspectReport;
use crate::screens::{ident_tokens, text_tokens, Screen};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Version of the feature definitions; an index made with another version
/// is re-analysed.
pub const FEATURES_VERSION: u32 = 3;

/// The function dimensions, in report order.
pub const FUNCTION_DIMS: [&str; 9] = [
    "screens",
    "text",
    "names",
    "ids",
    "paths",
    "permissions",
    "capabilities",
    "intents",
    "api",
];

/// The provenance dimensions, in report order.
pub const PROVENANCE_DIMS: [&str; 6] = [
    "signers",
    "code_packages",
    "sdks",
    "native_libs",
    "resources",
    "domains",
];

/// Identifier tokens that name the kind of class or widget, not what it is
/// for.
const NAME_STOP: &[&str] = &[
    "activity", "act", "ui", "view", "layout", "fragment", "frag", "base", "tv", "iv", "et", "btn",
    "ll", "rl", "lv", "rv", "fl", "cl", "v", "id", "item", "the", "of", "and",
];

/// Roots of framework code whose methods count in the `api` dimension.
const API_ROOTS: &[&str] = &[
    "Landroid/",
    "Ljava/net/",
    "Ljavax/crypto/",
    "Ljava/security/",
];

/// Most `api` features kept per app.
pub const MAX_API: usize = 2000;
/// Most `resources` features kept per app.
pub const MAX_RESOURCES: usize = 4000;
/// Smallest resource file counted as shared provenance (tiny files such as
/// empty drawables coincide by chance).
pub const MIN_RESOURCE_SIZE: u64 = 256;

/// What the scan collects from the same parse as the report: facts that
/// are not part of `inspect`'s JSON.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// `Lclass;->method` of framework methods invoked by non-library code.
    pub api_calls: BTreeSet<String>,
    /// `(entry name, crc32, uncompressed size)` of every zip entry.
    pub entries: Vec<(String, u32, u64)>,
    /// The launcher icon bitmap: `(media type, bytes)`.
    pub icon: Option<(String, Vec<u8>)>,
}

/// Largest icon bitmap kept (reports embed it).
pub const MAX_ICON_SIZE: u64 = 48 * 1024;

/// The feature sets of one app: dimension name → sorted, deduplicated
/// feature strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// Function dimensions ([`FUNCTION_DIMS`]).
    pub function: Vec<Dimension>,
    /// Provenance dimensions ([`PROVENANCE_DIMS`]).
    pub provenance: Vec<Dimension>,
}

/// One dimension's features.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    /// Dimension name.
    pub dim: String,
    /// Sorted, deduplicated features.
    pub features: Vec<String>,
}

impl Features {
    /// The function features of dimension `dim` (empty when absent).
    pub fn function(&self, dim: &str) -> &[String] {
        find(&self.function, dim)
    }

    /// The provenance features of dimension `dim` (empty when absent).
    pub fn provenance(&self, dim: &str) -> &[String] {
        find(&self.provenance, dim)
    }
}

fn find<'a>(dims: &'a [Dimension], dim: &str) -> &'a [String] {
    dims.iter()
        .find(|d| d.dim == dim)
        .map(|d| d.features.as_slice())
        .unwrap_or(&[])
}

/// A screen worth comparing across apps, as kept in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenSummary {
    /// Activity class (or the page path of a web page).
    pub name: String,
    /// Guessed role.
    pub role: String,
    /// A title: the label, else the class (or page) name in words.
    pub title: String,
    /// The first visible strings (at most [`SCREEN_STRINGS`]).
    #[serde(default)]
    pub strings: Vec<String>,
    /// Screen fingerprint features.
    pub features: Vec<u64>,
}

/// Roles of screens every app has, whatever it does: they say nothing
/// about function and are left out of the function features and of
/// duplicated-function detection. `login` is not among them: it covers
/// registration forms, which can be the app's function (volunteer
/// sign-up), and a vendor's shared login screen is discounted by rarity.
pub const GENERIC_ROLES: &[&str] = &["splash", "settings", "about", "web", "other"];

/// Computes the feature sets of an app.
pub fn extract(report: &InspectReport, extras: &Extras) -> Features {
    let function = vec![
        dim("screens", screen_features(&report.screens)),
        dim("text", text_features(report)),
        dim("names", name_features(&report.screens)),
        dim("ids", id_features(&report.screens)),
        dim("paths", path_features(report)),
        dim(
            "permissions",
            report.manifest.permissions.iter().map(|p| p.name.clone()),
        ),
        dim(
            "capabilities",
            report
                .capabilities
                .iter()
                .filter(|c| c.in_own_code)
                .map(|c| c.id.to_string()),
        ),
        dim("intents", intent_features(report)),
        dim("api", extras.api_calls.iter().take(MAX_API).cloned()),
    ];
    let provenance = vec![
        dim("signers", report.signers.iter().map(|s| s.sha256.clone())),
        dim("code_packages", code_packages(report)),
        dim("sdks", report.sdks.iter().map(|s| s.id.clone())),
        dim(
            "native_libs",
            report.native_libs.iter().map(|l| l.name.clone()),
        ),
        dim("resources", resource_features(extras)),
        dim("domains", own_domains(report)),
    ];
    Features {
        function,
        provenance,
    }
}

/// The screens kept for duplicated-function detection: screens with a
/// function role and something to compare.
pub fn screen_summaries(screens: &[Screen]) -> Vec<ScreenSummary> {
    screens
        .iter()
        .filter(|s| is_function_screen(s))
        .map(|s| ScreenSummary {
            name: s.page.clone().unwrap_or_else(|| s.activity.clone()),
            role: s.role.to_string(),
            title: screen_title(s),
            strings: s.strings.iter().take(SCREEN_STRINGS).cloned().collect(),
            features: s.fingerprint.features.clone(),
        })
        .collect()
}

/// Visible strings kept per screen summary.
pub const SCREEN_STRINGS: usize = 5;

/// The label, else the simple class name (or page file name) in words
/// without `Activity`: `ComplaintListActivity` → `Complaint list`.
fn screen_title(s: &Screen) -> String {
    if let Some(l) = s.label.as_ref().filter(|l| !l.trim().is_empty()) {
        return l.clone();
    }
    // `assets/www/index.html` → `index.html`; `a.b.ComplaintActivity` →
    // `ComplaintActivity`.
    let simple = match &s.page {
        Some(page) => page.rsplit('/').next(),
        None => s.activity.rsplit('.').next(),
    }
    .unwrap_or_default();
    let words: Vec<String> = ident_tokens(simple)
        .into_iter()
        .filter(|t| !matches!(t.as_str(), "activity" | "act" | "html" | "htm"))
        .collect();
    let mut title = words.join(" ");
    if let Some(first) = title.get(..1) {
        title = format!(
            "{}{}",
            first.to_ascii_uppercase(),
            title.get(1..).unwrap_or("")
        );
    }
    title
}

fn dim(name: &str, features: impl IntoIterator<Item = String>) -> Dimension {
    let set: BTreeSet<String> = features.into_iter().filter(|f| !f.is_empty()).collect();
    Dimension {
        dim: name.to_string(),
        features: set.into_iter().collect(),
    }
}

/// A screen with layouts, widgets or strings (activities of SDKs with no
/// layout show nothing we can compare).
fn shows_something(s: &Screen) -> bool {
    !s.layouts.is_empty() || s.widgets.total > 0 || !s.strings.is_empty()
}

/// A screen that says what the app does: it shows something and its role
/// is not one every app has ([`GENERIC_ROLES`]: splash, settings, about,
/// web container). Vendors ship the generic ones in every app they
/// build, so they are provenance, not function.
fn is_function_screen(s: &Screen) -> bool {
    shows_something(s) && !GENERIC_ROLES.contains(&s.role)
}

fn screen_features(screens: &[Screen]) -> Vec<String> {
    screens
        .iter()
        .filter(|s| is_function_screen(s))
        .flat_map(|s| s.fingerprint.features.iter())
        .map(|h| format!("{h:016x}"))
        .collect()
}

/// English words that say nothing about what a screen is for.
const TEXT_STOP: &[&str] = &[
    "the", "and", "for", "you", "your", "with", "are", "this", "that", "from", "not", "all", "our",
    "please", "can", "has", "have", "will", "was", "were", "into", "here", "there",
];

fn text_features(report: &InspectReport) -> Vec<String> {
    let label = report.manifest.label.iter();
    report
        .screens
        .iter()
        .filter(|s| is_function_screen(s))
        .flat_map(|s| s.strings.iter())
        .chain(label)
        .flat_map(|s| text_tokens(s))
        .filter(|t| t.chars().count() > 1 || !t.is_ascii())
        .filter(|t| !(t.is_ascii() && t.len() < 3))
        .filter(|t| !TEXT_STOP.contains(&t.as_str()))
        .collect()
}

fn useful_ident(t: &str) -> bool {
    t.len() > 1 && !NAME_STOP.contains(&t) && !t.bytes().all(|b| b.is_ascii_digit())
}

fn name_features(screens: &[Screen]) -> Vec<String> {
    let mut out = Vec::new();
    for s in screens.iter().filter(|s| is_function_screen(s)) {
        let simple = s.activity.rsplit('.').next().unwrap_or_default();
        if simple.chars().count() > 2 {
            out.extend(ident_tokens(simple).into_iter().filter(|t| useful_ident(t)));
        }
        for layout in &s.layouts {
            out.extend(ident_tokens(layout).into_iter().filter(|t| useful_ident(t)));
        }
    }
    out
}

fn id_features(screens: &[Screen]) -> Vec<String> {
    let mut out = Vec::new();
    for s in screens.iter().filter(|s| is_function_screen(s)) {
        for tree in &s.trees {
            for w in crate::screens::layout::walk(tree) {
                if let Some(id) = &w.id {
                    let name = id.rsplit('/').next().unwrap_or_default();
                    out.extend(ident_tokens(name).into_iter().filter(|t| useful_ident(t)));
                }
            }
        }
    }
    out
}

fn path_features(report: &InspectReport) -> Vec<String> {
    let mut out = Vec::new();
    for u in &report.endpoints.urls {
        if crate::facts::endpoints::sdk_of(&u.host).is_some() {
            continue;
        }
        let rest = u.url.split_once("://").map(|(_, r)| r).unwrap_or(&u.url);
        let path = rest.split_once('/').map(|(_, p)| p).unwrap_or_default();
        let path = path.split(['?', '#']).next().unwrap_or_default();
        for seg in path.split('/') {
            let seg = seg.to_ascii_lowercase();
            if seg.len() > 1 && !seg.bytes().all(|b| b.is_ascii_digit()) && seg.len() <= 40 {
                out.push(seg);
            }
        }
    }
    out
}

fn intent_features(report: &InspectReport) -> Vec<String> {
    let m = &report.manifest;
    let mut out = Vec::new();
    let components = m
        .activities
        .iter()
        .chain(&m.activity_aliases)
        .chain(&m.services)
        .chain(&m.receivers);
    for c in components {
        for f in &c.intent_filters {
            for a in &f.actions {
                if a != "android.intent.action.MAIN" {
                    out.push(format!("action:{a}"));
                }
            }
            for d in &f.data {
                if let Some(s) = &d.scheme {
                    if s != "http" && s != "https" {
                        out.push(format!("scheme:{s}"));
                    }
                }
                let path = d
                    .path
                    .as_ref()
                    .or(d.path_prefix.as_ref())
                    .or(d.path_pattern.as_ref());
                if let Some(p) = path {
                    for seg in p.split('/').filter(|s| s.len() > 1) {
                        out.push(format!("path:{}", seg.to_ascii_lowercase()));
                    }
                }
            }
        }
    }
    out
}

/// Own namespaces other than the package itself: the base code a vendor
/// ships in every app it builds.
fn code_packages(report: &InspectReport) -> Vec<String> {
    let package = &report.manifest.package;
    report
        .code_split
        .own_namespaces
        .iter()
        .filter(|ns| {
            package != *ns
                && !package.starts_with(&format!("{ns}."))
                && !ns.starts_with(&format!("{package}."))
        })
        .cloned()
        .collect()
}

fn resource_features(extras: &Extras) -> Vec<String> {
    extras
        .entries
        .iter()
        .filter(|(name, _, size)| {
            (name.starts_with("res/") || name.starts_with("assets/")) && *size >= MIN_RESOURCE_SIZE
        })
        .map(|(_, crc, size)| format!("{crc:08x}:{size}"))
        .take(MAX_RESOURCES)
        .collect()
}

fn own_domains(report: &InspectReport) -> Vec<String> {
    report
        .endpoints
        .hosts
        .iter()
        .filter(|h| h.own && h.sdk.is_none())
        .filter_map(|h| h.registrable_domain.clone())
        .collect()
}

/// Framework classes every app calls whatever it does (lifecycle, intents,
/// plain widgets, logging): left out of the `api` dimension.
const API_PLUMBING: &[&str] = &[
    "Landroid/app/Activity;",
    "Landroid/app/Application;",
    "Landroid/app/Fragment;",
    "Landroid/app/Dialog;",
    "Landroid/app/AlertDialog",
    "Landroid/os/Bundle;",
    "Landroid/os/Handler;",
    "Landroid/os/Looper;",
    "Landroid/content/Intent;",
    "Landroid/content/Context;",
    "Landroid/content/SharedPreferences",
    "Landroid/content/res/",
    "Landroid/view/View;",
    "Landroid/view/ViewGroup;",
    "Landroid/view/LayoutInflater;",
    "Landroid/view/Window;",
    "Landroid/widget/Toast;",
    "Landroid/widget/TextView;",
    "Landroid/widget/Button;",
    "Landroid/widget/ImageView;",
    "Landroid/widget/EditText;",
    "Landroid/util/Log;",
    "Landroid/text/TextUtils;",
];

/// Whether a framework method reference counts in the `api` dimension.
pub fn is_api_class(descriptor: &str) -> bool {
    API_ROOTS.iter().any(|r| descriptor.starts_with(r))
        && !descriptor.starts_with("Landroid/support/")
        && !API_PLUMBING.iter().any(|p| descriptor.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_roots_skip_support_library() {
        assert!(is_api_class("Landroid/location/LocationManager;"));
        assert!(is_api_class("Ljava/net/URL;"));
        assert!(!is_api_class("Landroid/support/v4/app/Fragment;"));
        assert!(!is_api_class("Landroidx/core/app/ActivityCompat;"));
        assert!(!is_api_class("Lokhttp3/OkHttpClient;"));
    }

    #[test]
    fn useful_identifiers_drop_widget_prefixes() {
        assert!(!useful_ident("tv"));
        assert!(!useful_ident("activity"));
        assert!(!useful_ident("12"));
        assert!(useful_ident("complaint"));
    }
}

//! What an app is made of: third-party SDKs, app frameworks, functional
//! capabilities, network endpoints, the split between the app's own code
//! and library code, identifier obfuscation and packers.
//!
//! This stage reads parsed models only (the manifest, decoded DEX files,
//! native library facts, entry names and small text assets); it never
//! touches raw bytes. Every detection carries its [`Evidence`], so a report
//! can say *why* fingertip believes an app embeds Umeng or scans QR codes.

pub mod capabilities;
pub mod code_split;
pub mod endpoints;
pub mod external;
pub mod frameworks;
pub mod obfuscation;
pub mod packers;
pub mod sdk_table;
pub mod sdks;

use crate::dex::DexFile;
use crate::manifest::Manifest;
use crate::native::NativeReport;
use serde::Serialize;

/// One DEX file of the app, with where it was found.
pub struct DexInput {
    /// Entry path; nested ones as `assets/patch.jar!/classes.dex`.
    pub path: String,
    /// True when found outside the top-level `classes*.dex` entries.
    pub nested: bool,
    /// The decoded file.
    pub dex: DexFile,
}

/// A small text entry of the APK (HTML, JS, JSON, XML config) kept for
/// endpoint and framework detection; bounded in count and size by the caller.
pub struct TextAsset {
    /// Entry path.
    pub path: String,
    /// Its text (lossy UTF-8).
    pub text: String,
}

/// Everything the facts stage reads about one app.
pub struct AppInput<'a> {
    /// The typed manifest.
    pub manifest: &'a Manifest,
    /// Every DEX found (top-level first, in entry order).
    pub dex: &'a [DexInput],
    /// Native libraries.
    pub native: &'a NativeReport,
    /// Every zip entry name.
    pub entries: &'a [String],
    /// Small text assets.
    pub texts: &'a [TextAsset],
}

/// Why fingertip believes something: what matched, of which kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// Kind of evidence: `package`, `class`, `native_lib`, `manifest`,
    /// `permission`, `api_call`, `asset`, `string`, `exodus`, `libchecker`.
    pub kind: &'static str,
    /// What matched (a package prefix, a file name, an API, ...).
    pub value: String,
}

impl Evidence {
    /// New evidence of `kind`.
    pub fn new(kind: &'static str, value: impl Into<String>) -> Self {
        Evidence {
            kind,
            value: value.into(),
        }
    }
}

/// Something detected in an app (a packer, a framework, ...), with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// Stable snake_case id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// What matched.
    pub evidence: Vec<Evidence>,
}

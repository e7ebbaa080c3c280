//! The typed AndroidManifest.xml model, built from the decoded binary XML
//! ([`crate::axml`]) and the resource table ([`crate::arsc`]).
//!
//! It follows the platform's own parser (`ParsingPackageUtils` and friends
//! in AOSP `frameworks/base`) where that decides what an installed app *is*:
//!
//! - attributes are identified by resource id (see [`crate::axml`]);
//! - only the elements Android reads are read, where Android reads them
//!   (`<uses-permission>` directly under `<manifest>`, components directly
//!   under the first `<application>`); misplaced ones become anomalies;
//! - class names are qualified like `ParsingUtils.buildClassName`
//!   (`.Foo` and bare `Foo` get the package prepended);
//! - SDK levels take Android's defaults (minSdk 1, targetSdk = minSdk)
//!   while [`Sdk`] also keeps what was literally declared;
//! - `exported` is explicit or implied by intent filters, with the
//!   targetSdk rules (Android 12 / API 31 requires it explicitly; providers
//!   default to exported below API 17);
//! - values are read the way `TypedArray` reads them: references are
//!   resolved through resources.arsc, and integers written as strings are
//!   converted.

mod values;

use crate::arsc::ResourceTable;
use crate::axml::{Element, XmlDocument};
use crate::platform;
use crate::reader::{Anomaly, Limits};
use serde::Serialize;
use std::collections::BTreeMap;
use values::Attrs;

/// Android's `Build.VERSION_CODES.S` (API 31): components with intent
/// filters must declare `android:exported` from this target on.
pub const API_S: u32 = 31;
/// API 17 (`JELLY_BEAN_MR1`): providers stop defaulting to exported.
pub const API_JELLY_BEAN_MR1: u32 = 17;
/// API 28 (`P`): cleartext traffic defaults to off from this target on.
pub const API_P: u32 = 28;

/// Everything the manifest says about an app, typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Manifest {
    /// `package` attribute of `<manifest>`.
    pub package: String,
    /// `versionCode` plus `versionCodeMajor` in the high 32 bits, as
    /// `PackageInfo.getLongVersionCode()` reports it (0 when neither is
    /// declared, as on a device; [`build`] always fills it in).
    pub version_code: Option<i64>,
    /// `versionName`.
    pub version_name: Option<String>,
    /// Effective minimum SDK (Android's default 1 when absent).
    pub min_sdk: Option<u32>,
    /// Effective target SDK (defaults to min SDK when absent).
    pub target_sdk: Option<u32>,
    /// `maxSdkVersion` when declared.
    pub max_sdk: Option<u32>,
    /// `compileSdkVersion` (or `platformBuildVersionCode` from older aapt).
    pub compile_sdk: Option<u32>,
    /// What `<uses-sdk>` and `<manifest>` literally declared.
    pub sdk_declared: SdkDeclared,
    /// Application label resolved for the default configuration.
    pub label: Option<String>,
    /// Application label per locale (`""` = default configuration).
    pub labels: BTreeMap<String, String>,
    /// Path of the application icon inside the APK (best density).
    pub icon: Option<String>,
    /// `<application>` attributes and flags.
    pub application: Application,
    /// `<uses-permission>` and `<uses-permission-sdk-23>`.
    pub permissions: Vec<UsesPermission>,
    /// `<permission>` declarations.
    pub declared_permissions: Vec<DeclaredPermission>,
    /// `<uses-feature>`.
    pub features: Vec<UsesFeature>,
    /// `<uses-library>` (and `<uses-native-library>`).
    pub libraries: Vec<UsesLibrary>,
    /// `<queries>` (package visibility, API 30+).
    pub queries: Queries,
    /// `<meta-data>` directly under `<application>`.
    pub meta_data: Vec<MetaData>,
    /// `<activity>` elements.
    pub activities: Vec<Component>,
    /// `<activity-alias>` elements.
    pub activity_aliases: Vec<Component>,
    /// `<service>` elements.
    pub services: Vec<Component>,
    /// `<receiver>` elements.
    pub receivers: Vec<Component>,
    /// `<provider>` elements.
    pub providers: Vec<Component>,
    /// Activities and aliases with a MAIN + LAUNCHER filter, in manifest order.
    pub launcher_activities: Vec<String>,
}

/// SDK values exactly as declared (strings, since codenames are allowed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SdkDeclared {
    /// `<uses-sdk android:minSdkVersion>`.
    pub min_sdk: Option<String>,
    /// `<uses-sdk android:targetSdkVersion>`.
    pub target_sdk: Option<String>,
    /// `<uses-sdk android:maxSdkVersion>`.
    pub max_sdk: Option<String>,
    /// `<manifest android:compileSdkVersion>`.
    pub compile_sdk: Option<String>,
    /// `<manifest android:compileSdkVersionCodename>`.
    pub compile_sdk_codename: Option<String>,
    /// `<manifest platformBuildVersionCode>` (aapt's older spelling).
    pub platform_build_version_code: Option<String>,
    /// `<manifest platformBuildVersionName>`.
    pub platform_build_version_name: Option<String>,
}

/// `<application>`: the flags an auditor cares about, with Android's defaults.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Application {
    /// `android:name` (the Application subclass), qualified.
    pub name: Option<String>,
    /// `android:debuggable` (default false).
    pub debuggable: bool,
    /// `android:allowBackup` (default true).
    pub allow_backup: bool,
    /// Effective `usesCleartextTraffic`: declared, else true below API 28.
    pub uses_cleartext_traffic: bool,
    /// Declared `usesCleartextTraffic`, if any.
    pub uses_cleartext_traffic_declared: Option<bool>,
    /// `android:networkSecurityConfig` resolved to its file path.
    pub network_security_config: Option<String>,
    /// `android:extractNativeLibs` (default true).
    pub extract_native_libs: bool,
    /// `android:testOnly` (default false).
    pub test_only: bool,
    /// `android:hasCode` (default true).
    pub has_code: bool,
    /// `android:permission` guarding the whole application.
    pub permission: Option<String>,
    /// `android:process`.
    pub process: Option<String>,
    /// `android:theme` as a resource name.
    pub theme: Option<String>,
}

/// `<uses-permission>` or `<uses-permission-sdk-23>`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsesPermission {
    /// Permission name.
    pub name: String,
    /// `android:maxSdkVersion`: not requested above this API level.
    pub max_sdk: Option<u32>,
    /// True for `<uses-permission-sdk-23>` (requested on API 23+ only).
    pub sdk_23: bool,
    /// Base protection level (`normal`, `dangerous`, `signature`,
    /// `signatureOrSystem`, `internal`): from the platform table for
    /// platform permissions, from this app's own `<permission>` for its own,
    /// else `None` (declared by another app, or unknown).
    pub protection: Option<String>,
    /// The level's flags (`privileged`, `appop`, `instant`, ...).
    pub protection_flags: Vec<String>,
}

/// A `<permission>` the app declares.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DeclaredPermission {
    /// Permission name.
    pub name: String,
    /// Protection level as text (`normal`, `dangerous`, `signature|privileged`, ...).
    pub protection_level: String,
    /// `android:permissionGroup`.
    pub group: Option<String>,
}

/// `<uses-feature>`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsesFeature {
    /// Feature name (absent for a pure `glEsVersion` declaration).
    pub name: Option<String>,
    /// `android:required` (default true).
    pub required: bool,
    /// `android:glEsVersion` as `major.minor`.
    pub gl_es_version: Option<String>,
}

/// `<uses-library>` or `<uses-native-library>`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsesLibrary {
    /// Library name.
    pub name: String,
    /// `android:required` (default true).
    pub required: bool,
    /// True for `<uses-native-library>`.
    pub native: bool,
}

/// `<queries>`: what other apps this one asks to see.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Queries {
    /// `<package android:name>`.
    pub packages: Vec<String>,
    /// `<intent>` shapes.
    pub intents: Vec<IntentFilter>,
    /// `<provider android:authorities>`.
    pub providers: Vec<String>,
}

/// `<meta-data>`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MetaData {
    /// `android:name`.
    pub name: String,
    /// `android:value`, printed.
    pub value: Option<String>,
    /// `android:resource`, as a resource name or path.
    pub resource: Option<String>,
}

/// The kinds of component a manifest declares.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// `<activity>`.
    #[default]
    Activity,
    /// `<activity-alias>`.
    ActivityAlias,
    /// `<service>`.
    Service,
    /// `<receiver>`.
    Receiver,
    /// `<provider>`.
    Provider,
}

/// An activity, alias, service, receiver or provider.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Component {
    /// Fully qualified class name (alias name for aliases).
    pub name: String,
    /// Whether other apps can start/bind/query it (explicit or implied).
    pub exported: bool,
    /// The literal `android:exported`, if declared.
    pub exported_declared: Option<bool>,
    /// `android:enabled` (default true).
    pub enabled: bool,
    /// `android:permission` guarding it (falls back to the application's).
    pub permission: Option<String>,
    /// Label resolved for the default configuration.
    pub label: Option<String>,
    /// Intent filters in manifest order.
    pub intent_filters: Vec<IntentFilter>,
    /// `android:targetActivity` of an alias, qualified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_activity: Option<String>,
    /// Provider authorities (split on `;`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorities: Vec<String>,
    /// Provider `readPermission`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_permission: Option<String>,
    /// Provider `writePermission`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_permission: Option<String>,
    /// Provider `grantUriPermissions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_uri_permissions: Option<bool>,
    /// `android:process`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// `<meta-data>` inside the component.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub meta_data: Vec<MetaData>,
}

/// An `<intent-filter>` (also used for `<queries><intent>`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IntentFilter {
    /// `<action android:name>`.
    pub actions: Vec<String>,
    /// `<category android:name>`.
    pub categories: Vec<String>,
    /// `<data>` elements.
    pub data: Vec<IntentData>,
    /// `android:priority`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `android:autoVerify` (App Links).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub auto_verify: bool,
}

impl IntentFilter {
    /// True for a MAIN + LAUNCHER filter.
    pub fn is_launcher(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a == "android.intent.action.MAIN")
            && self
                .categories
                .iter()
                .any(|c| c == "android.intent.category.LAUNCHER")
    }

    /// True when a browser could open it: VIEW + BROWSABLE with a scheme.
    pub fn is_deep_link(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a == "android.intent.action.VIEW")
            && self
                .categories
                .iter()
                .any(|c| c == "android.intent.category.BROWSABLE")
            && self.data.iter().any(|d| d.scheme.is_some())
    }
}

/// One `<data>` element of an intent filter.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IntentData {
    /// `android:scheme`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// `android:host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `android:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// `android:path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `android:pathPrefix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// `android:pathPattern`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_pattern: Option<String>,
    /// `android:pathAdvancedPattern` (API 31).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_advanced_pattern: Option<String>,
    /// `android:pathSuffix` (API 31).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_suffix: Option<String>,
    /// `android:mimeType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// Qualifies a component class name like `ParsingUtils.buildClassName`.
pub fn qualify(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_string()
    }
}

/// Builds a [`Manifest`] from the decoded document and (optional) resource
/// table. Returns the model plus semantic anomalies; never fails: a missing
/// `<manifest>` root is reported by the caller from the document itself.
pub fn build(
    doc: &XmlDocument,
    res: Option<&ResourceTable>,
    limits: &Limits,
) -> (Manifest, Vec<Anomaly>) {
    let mut b = Builder {
        attrs: Attrs::new(res, limits),
        anomalies: Vec::new(),
        m: Manifest::default(),
    };
    b.manifest(&doc.root);
    (b.m, b.anomalies)
}

struct Builder<'a> {
    attrs: Attrs<'a>,
    anomalies: Vec<Anomaly>,
    m: Manifest,
}

impl Builder<'_> {
    fn manifest(&mut self, root: &Element) {
        let a = &self.attrs;
        self.m.package = root
            .plain_attr("package")
            // Android reads `package` by name through XmlPullParser, i.e. the raw string.
            .map(|at| at.parser_value())
            .unwrap_or_default();
        if self.m.package.is_empty() {
            note(
                &mut self.anomalies,
                "manifest_no_package",
                "<manifest> has no package attribute; Android refuses to install it".into(),
            );
        }
        // `TypedArray.getInteger(versionCode, 0)` and `versionCodeMajor`
        // (default 0), combined like `PackageInfo.composeLongVersionCode`:
        // an app that declares neither has version code 0.
        let code = a.int(root, "versionCode").unwrap_or(0);
        let major = a.int(root, "versionCodeMajor").unwrap_or(0);
        self.m.version_code = Some(((major & 0xffff_ffff) << 32) | (code & 0xffff_ffff));
        self.m.version_name = a.str(root, "versionName");
        let d = &mut self.m.sdk_declared;
        d.compile_sdk = a.str(root, "compileSdkVersion");
        d.compile_sdk_codename = a.str(root, "compileSdkVersionCodename");
        d.platform_build_version_code = root
            .plain_attr("platformBuildVersionCode")
            .and_then(|at| a.string(at));
        d.platform_build_version_name = root
            .plain_attr("platformBuildVersionName")
            .and_then(|at| a.string(at));
        self.m.compile_sdk = d
            .compile_sdk
            .as_deref()
            .or(d.platform_build_version_code.as_deref())
            .and_then(values::parse_int)
            .and_then(|v| u32::try_from(v).ok());

        let mut saw_app = false;
        for el in root.elements() {
            match el.name.as_str() {
                "uses-sdk" => self.uses_sdk(el),
                "uses-permission" => self.uses_permission(el, false),
                // `-sdk-m` is the older spelling of `-sdk-23` (M = API 23);
                // PackageParser and aapt treat the two alike.
                "uses-permission-sdk-23" | "uses-permission-sdk-m" => {
                    self.uses_permission(el, true)
                }
                "permission" => self.declared_permission(el),
                "uses-feature" => self.uses_feature(el),
                "queries" => self.queries(el),
                "application" if saw_app => note(
                    &mut self.anomalies,
                    "manifest_multiple_application",
                    format!(
                        "a second <application> at line {} is ignored, as Android ignores it",
                        el.line
                    ),
                ),
                "application" => {
                    saw_app = true;
                    self.application(el);
                }
                "activity" | "service" | "receiver" | "provider" | "activity-alias" => note(
                    &mut self.anomalies,
                    "manifest_misplaced_component",
                    format!(
                        "<{}> at line {} is outside <application>; Android ignores it",
                        el.name, el.line
                    ),
                ),
                _ => {}
            }
        }
        self.finish_sdk();
        self.finish_components();
    }

    fn uses_sdk(&mut self, el: &Element) {
        let a = &self.attrs;
        // ParsingPackageUtils.parseUsesSdk sets min and target from each
        // <uses-sdk> in turn, so the last element decides, wholesale.
        self.m.sdk_declared.min_sdk = a.str(el, "minSdkVersion");
        self.m.sdk_declared.target_sdk = a.str(el, "targetSdkVersion");
        self.m.sdk_declared.max_sdk = a.str(el, "maxSdkVersion");
    }

    fn finish_sdk(&mut self) {
        let d = &self.m.sdk_declared;
        let level = |s: &Option<String>| s.as_deref().map(values::sdk_level);
        let min = level(&d.min_sdk).unwrap_or(1);
        let target = level(&d.target_sdk).unwrap_or(min);
        self.m.min_sdk = Some(min);
        self.m.target_sdk = Some(target);
        self.m.max_sdk = level(&d.max_sdk);
        // ParsingPackageUtils: `usesCleartextTraffic` defaults to
        // `targetSdkVersion < P`; needs the final targetSdk, so set here.
        let app = &mut self.m.application;
        app.uses_cleartext_traffic = app
            .uses_cleartext_traffic_declared
            .unwrap_or(target < API_P);
        self.note_sdk_codenames();
    }

    /// A codename SDK (`"VanillaIceCream"`) is a pre-release platform:
    /// `FrameworkParsingPackageUtils.computeMinSdkVersion` /
    /// `computeTargetSdkVersion` fail with "Requires development platform X"
    /// on any device not running that preview.
    fn note_sdk_codenames(&mut self) {
        let d = &self.m.sdk_declared;
        let codenames: Vec<String> = [
            ("minSdkVersion", &d.min_sdk),
            ("targetSdkVersion", &d.target_sdk),
        ]
        .into_iter()
        .filter_map(|(attr, v)| {
            let v = v.as_deref()?;
            (!v.trim().is_empty() && values::parse_int(v).is_none())
                .then(|| format!("{attr} {v:?}"))
        })
        .collect();
        if !codenames.is_empty() {
            note(
                &mut self.anomalies,
                "manifest_sdk_codename",
                format!(
                    "<uses-sdk> declares a pre-release platform codename ({}); Android refuses \
                     to install the app except on a device running that preview (\"Requires \
                     development platform\")",
                    codenames.join(", ")
                ),
            );
        }
    }

    fn uses_permission(&mut self, el: &Element, sdk_23: bool) {
        let Some(name) = self.attrs.str(el, "name") else {
            note(
                &mut self.anomalies,
                "manifest_permission_without_name",
                format!("<{}> at line {} has no android:name", el.name, el.line),
            );
            return;
        };
        let max_sdk = self
            .attrs
            .int(el, "maxSdkVersion")
            .and_then(|v| u32::try_from(v).ok());
        self.m.permissions.push(UsesPermission {
            name,
            max_sdk,
            sdk_23,
            protection: None,
            protection_flags: Vec::new(),
        });
    }

    fn declared_permission(&mut self, el: &Element) {
        let Some(name) = self.attrs.str(el, "name") else {
            return;
        };
        let level = self.attrs.int(el, "protectionLevel").unwrap_or(0);
        self.m.declared_permissions.push(DeclaredPermission {
            name,
            protection_level: platform::protection_level_name(level as u32),
            group: self.attrs.str(el, "permissionGroup"),
        });
    }

    fn uses_feature(&mut self, el: &Element) {
        let gl = self.attrs.int(el, "glEsVersion").filter(|&v| v != 0);
        self.m.features.push(UsesFeature {
            name: self.attrs.str(el, "name"),
            required: self.attrs.bool(el, "required").unwrap_or(true),
            gl_es_version: gl.map(|v| format!("{}.{}", (v >> 16) & 0xffff, v & 0xffff)),
        });
    }

    fn queries(&mut self, el: &Element) {
        for child in el.elements() {
            match child.name.as_str() {
                "package" => {
                    if let Some(n) = self.attrs.str(child, "name") {
                        self.m.queries.packages.push(n);
                    }
                }
                "intent" => {
                    let f = self.intent_filter(child);
                    self.m.queries.intents.push(f);
                }
                "provider" => {
                    if let Some(n) = self.attrs.str(child, "authorities") {
                        self.m.queries.providers.extend(split_authorities(&n));
                    }
                }
                _ => {}
            }
        }
    }

    fn application(&mut self, el: &Element) {
        let a = &self.attrs;
        let pkg = self.m.package.clone();
        let label = el.android_attr("label");
        self.m.label = label.and_then(|at| a.string(at));
        self.m.labels = label.map(|at| a.localized(at)).unwrap_or_default();
        self.m.icon = el.android_attr("icon").and_then(|at| a.file(at));
        let app = &mut self.m.application;
        app.name = a.str(el, "name").map(|n| qualify(&pkg, &n));
        app.debuggable = a.bool(el, "debuggable").unwrap_or(false);
        app.allow_backup = a.bool(el, "allowBackup").unwrap_or(true);
        app.uses_cleartext_traffic_declared = a.bool(el, "usesCleartextTraffic");
        app.network_security_config = el
            .android_attr("networkSecurityConfig")
            .and_then(|at| a.file(at));
        app.extract_native_libs = a.bool(el, "extractNativeLibs").unwrap_or(true);
        app.test_only = a.bool(el, "testOnly").unwrap_or(false);
        app.has_code = a.bool(el, "hasCode").unwrap_or(true);
        app.permission = a.str(el, "permission");
        app.process = a.str(el, "process");
        app.theme = el.android_attr("theme").and_then(|at| a.name(at));
        for child in el.elements() {
            let kind = match child.name.as_str() {
                "activity" => ComponentKind::Activity,
                "activity-alias" => ComponentKind::ActivityAlias,
                "service" => ComponentKind::Service,
                "receiver" => ComponentKind::Receiver,
                "provider" => ComponentKind::Provider,
                "meta-data" => {
                    let md = self.meta_data(child);
                    self.m.meta_data.extend(md);
                    continue;
                }
                "uses-library" | "uses-native-library" => {
                    if let Some(name) = self.attrs.str(child, "name") {
                        self.m.libraries.push(UsesLibrary {
                            name,
                            required: self.attrs.bool(child, "required").unwrap_or(true),
                            native: child.name == "uses-native-library",
                        });
                    }
                    continue;
                }
                _ => continue,
            };
            self.component(child, kind);
        }
    }

    fn meta_data(&self, el: &Element) -> Option<MetaData> {
        let a = &self.attrs;
        Some(MetaData {
            name: a.str(el, "name")?,
            value: el.android_attr("value").and_then(|at| a.string(at)),
            resource: el.android_attr("resource").and_then(|at| a.name(at)),
        })
    }

    fn component(&mut self, el: &Element, kind: ComponentKind) {
        let pkg = self.m.package.clone();
        let Some(raw_name) = self.attrs.str(el, "name").filter(|n| !n.is_empty()) else {
            note(
                &mut self.anomalies,
                "manifest_component_without_name",
                format!(
                    "<{}> at line {} has no android:name; Android refuses it",
                    el.name, el.line
                ),
            );
            return;
        };
        let a = &self.attrs;
        let mut c = Component {
            name: qualify(&pkg, &raw_name),
            exported_declared: a.bool(el, "exported"),
            enabled: a.bool(el, "enabled").unwrap_or(true),
            permission: a
                .str(el, "permission")
                .or_else(|| self.m.application.permission.clone()),
            label: el.android_attr("label").and_then(|at| a.string(at)),
            process: a.str(el, "process"),
            ..Component::default()
        };
        if kind == ComponentKind::ActivityAlias {
            c.target_activity = a.str(el, "targetActivity").map(|t| qualify(&pkg, &t));
        }
        if kind == ComponentKind::Provider {
            c.authorities = a
                .str(el, "authorities")
                .map(|s| split_authorities(&s))
                .unwrap_or_default();
            // ParsedProviderUtils: read/write fall back to the provider's
            // permission, which itself falls back to the application's.
            c.read_permission = a.str(el, "readPermission").or_else(|| c.permission.clone());
            c.write_permission = a
                .str(el, "writePermission")
                .or_else(|| c.permission.clone());
            c.grant_uri_permissions = a.bool(el, "grantUriPermissions");
        }
        for child in el.elements() {
            match child.name.as_str() {
                "intent-filter" => {
                    let f = self.intent_filter(child);
                    c.intent_filters.push(f);
                }
                "meta-data" => c.meta_data.extend(self.meta_data(child)),
                _ => {}
            }
        }
        // Launcher entries in manifest order, activities and aliases mixed.
        if matches!(kind, ComponentKind::Activity | ComponentKind::ActivityAlias)
            && c.intent_filters.iter().any(IntentFilter::is_launcher)
        {
            self.m.launcher_activities.push(c.name.clone());
        }
        let list = match kind {
            ComponentKind::Activity => &mut self.m.activities,
            ComponentKind::ActivityAlias => &mut self.m.activity_aliases,
            ComponentKind::Service => &mut self.m.services,
            ComponentKind::Receiver => &mut self.m.receivers,
            ComponentKind::Provider => &mut self.m.providers,
        };
        list.push(c);
    }

    fn intent_filter(&self, el: &Element) -> IntentFilter {
        let a = &self.attrs;
        let mut f = IntentFilter {
            priority: a.int(el, "priority"),
            auto_verify: a.bool(el, "autoVerify").unwrap_or(false),
            ..IntentFilter::default()
        };
        for child in el.elements() {
            match child.name.as_str() {
                "action" => f.actions.extend(a.str(child, "name")),
                "category" => f.categories.extend(a.str(child, "name")),
                "data" => f.data.push(IntentData {
                    scheme: a.str(child, "scheme"),
                    host: a.str(child, "host"),
                    port: a.str(child, "port"),
                    path: a.str(child, "path"),
                    path_prefix: a.str(child, "pathPrefix"),
                    path_pattern: a.str(child, "pathPattern"),
                    path_advanced_pattern: a.str(child, "pathAdvancedPattern"),
                    path_suffix: a.str(child, "pathSuffix"),
                    mime_type: a.str(child, "mimeType"),
                }),
                _ => {}
            }
        }
        f
    }

    /// Applies the exported rules (needs the final targetSdk) and collects
    /// permission protection levels.
    fn finish_components(&mut self) {
        let target = self.m.target_sdk.unwrap_or(1);
        let mut missing = Vec::new();
        for (kind, list) in [
            (ComponentKind::Activity, &mut self.m.activities),
            (ComponentKind::ActivityAlias, &mut self.m.activity_aliases),
            (ComponentKind::Service, &mut self.m.services),
            (ComponentKind::Receiver, &mut self.m.receivers),
            (ComponentKind::Provider, &mut self.m.providers),
        ] {
            for c in list.iter_mut() {
                c.exported = match (c.exported_declared, kind) {
                    (Some(e), _) => e,
                    (None, ComponentKind::Provider) => target < API_JELLY_BEAN_MR1,
                    (None, _) if c.intent_filters.is_empty() => false,
                    (None, _) if target >= API_S => {
                        missing.push(c.name.clone());
                        false
                    }
                    (None, _) => true,
                };
            }
        }
        if !missing.is_empty() {
            note(&mut self.anomalies,
                "manifest_exported_required",
                format!(
                    "targetSdk {target} requires android:exported on components with intent filters; \
                     Android 12+ refuses to install this app; missing on: {}",
                    missing.join(", ")
                ),
            );
        }
        let declared: BTreeMap<&str, &str> = self
            .m
            .declared_permissions
            .iter()
            .map(|p| (p.name.as_str(), p.protection_level.as_str()))
            .collect();
        for p in &mut self.m.permissions {
            let level = platform::permission_protection(&p.name)
                .or_else(|| declared.get(p.name.as_str()).copied());
            if let Some(level) = level {
                let mut parts = level.split('|').map(str::to_string);
                p.protection = parts.next();
                p.protection_flags = parts.collect();
            }
        }
    }
}

fn note(anomalies: &mut Vec<Anomaly>, code: &'static str, detail: String) {
    anomalies.push(Anomaly::new(code, detail));
}

fn split_authorities(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifies_like_build_class_name() {
        assert_eq!(qualify("a.b", ".Main"), "a.b.Main");
        assert_eq!(qualify("a.b", "Main"), "a.b.Main");
        assert_eq!(qualify("a.b", "x.y.Main"), "x.y.Main");
    }

    #[test]
    fn splits_authorities() {
        assert_eq!(split_authorities("a; b;;"), vec!["a", "b"]);
    }

    /// A manifest with these childless children of `<manifest>`.
    fn manifest_with(children: &[(&str, Vec<crate::axml::build::A>)]) -> (Manifest, Vec<Anomaly>) {
        use crate::axml::build::{Doc, A};
        use crate::axml::ANDROID_NS;
        let mut d = Doc::new(&[
            ("name", 0x0101_0003),
            ("minSdkVersion", 0x0101_020c),
            ("targetSdkVersion", 0x0101_0270),
        ]);
        d.start_ns("android", ANDROID_NS);
        d.start(None, "manifest", &[A::string(None, "package", "a.b")]);
        for (name, attrs) in children {
            d.start(None, name, attrs);
            d.end(None, name);
        }
        d.end(None, "manifest");
        d.end_ns("android", ANDROID_NS);
        let limits = Limits::default();
        let doc = crate::axml::parse(&d.build(), &limits).unwrap();
        build(&doc, None, &limits)
    }

    #[test]
    fn uses_permission_sdk_m_is_sdk_23() {
        use crate::axml::build::A;
        use crate::axml::ANDROID_NS;
        let name = |n: &str| vec![A::string(Some(ANDROID_NS), "name", n)];
        let (m, _) = manifest_with(&[
            ("uses-permission", name("android.permission.INTERNET")),
            ("uses-permission-sdk-m", name("android.permission.CAMERA")),
            (
                "uses-permission-sdk-23",
                name("android.permission.READ_CONTACTS"),
            ),
        ]);
        let flags: Vec<(&str, bool)> = m
            .permissions
            .iter()
            .map(|p| (p.name.as_str(), p.sdk_23))
            .collect();
        assert_eq!(
            flags,
            [
                ("android.permission.INTERNET", false),
                ("android.permission.CAMERA", true),
                ("android.permission.READ_CONTACTS", true),
            ]
        );
    }

    #[test]
    fn codename_sdk_is_an_anomaly() {
        use crate::axml::build::A;
        use crate::axml::ANDROID_NS;
        let codes = |attrs: Vec<A>| {
            let (m, anomalies) = manifest_with(&[("uses-sdk", attrs)]);
            let codes: Vec<&str> = anomalies.iter().map(|a| a.code).collect();
            (
                m.min_sdk,
                m.target_sdk,
                codes.contains(&"manifest_sdk_codename"),
            )
        };
        let codename = vec![
            A::string(Some(ANDROID_NS), "minSdkVersion", "VanillaIceCream"),
            A::string(Some(ANDROID_NS), "targetSdkVersion", "VanillaIceCream"),
        ];
        assert_eq!(codes(codename), (Some(10_000), Some(10_000), true));
        let release = vec![
            A::typed(Some(ANDROID_NS), "minSdkVersion", 0x10, 21),
            A::typed(Some(ANDROID_NS), "targetSdkVersion", 0x10, 34),
        ];
        assert_eq!(codes(release), (Some(21), Some(34), false));
    }
}

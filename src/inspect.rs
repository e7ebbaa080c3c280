//! `fingertip inspect`: one APK in, one [`InspectReport`] out.
//!
//! This is the stage that ties the parsers together: it opens the archive,
//! decodes `AndroidManifest.xml` and `resources.arsc`, builds the
//! [`Manifest`] model and gathers every tolerated oddity into one
//! `anomalies` list. Only a file that cannot be analysed at all (unreadable,
//! not a zip, no manifest, manifest beyond decoding) is an [`InspectError`].
//!
//! The JSON wire format is the serialization of [`InspectReport`]
//! (documented in `docs/inspect-json.md`); `schema_version` changes when a
//! key is renamed or removed, not when one is added.

use crate::archive::{Archive, ArchiveError};
use crate::arsc::{self, ResourceTable};
use crate::axml::{self, AxmlError, XmlDocument};
use crate::manifest::{self, Component, Manifest};
use crate::reader::{Anomaly, Limits};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

/// Version of the `inspect --format json` contract.
pub const SCHEMA_VERSION: u32 = 1;

/// Name of the manifest entry inside an APK.
pub const MANIFEST_ENTRY: &str = "AndroidManifest.xml";
/// Name of the compiled resource table inside an APK.
pub const RESOURCES_ENTRY: &str = "resources.arsc";

/// Everything `inspect` learns about one APK.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// Version of this JSON contract.
    pub schema_version: u32,
    /// The path as given by the user.
    pub file: String,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
    /// File size in bytes.
    pub size: u64,
    /// The typed manifest, flattened into the top level.
    #[serde(flatten)]
    pub manifest: Manifest,
    /// Number of zip entries.
    pub entries: usize,
    /// Everything odd that was tolerated, from every layer.
    pub anomalies: Vec<Anomaly>,
    /// The decoded manifest document (for `--format xml`); not serialized.
    #[serde(skip)]
    pub manifest_xml: Option<String>,
}

/// Why an APK could not be analysed at all.
#[derive(Debug, thiserror::Error)]
pub enum InspectErrorKind {
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is larger than `Limits::max_file_size`.
    #[error("file is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Actual size.
        size: u64,
        /// Configured limit.
        limit: u64,
    },
    /// The archive itself is unusable.
    #[error("{0}")]
    Archive(#[from] ArchiveError),
    /// No `AndroidManifest.xml` entry.
    #[error("no AndroidManifest.xml in the archive")]
    NoManifest,
    /// The manifest entry exists but cannot be read.
    #[error("AndroidManifest.xml cannot be read: {0}")]
    ManifestUnreadable(String),
    /// The manifest is not decodable binary XML.
    #[error("AndroidManifest.xml: {0}")]
    Axml(#[from] AxmlError),
    /// The manifest's root element is not `<manifest>`.
    #[error("AndroidManifest.xml has root element <{0}>, not <manifest>")]
    NotAManifest(String),
}

/// An [`InspectErrorKind`] with the file it happened to.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {kind}")]
pub struct InspectError {
    /// The path as given.
    pub file: String,
    /// What went wrong.
    pub kind: InspectErrorKind,
}

/// Reads and inspects the APK at `path`.
pub fn inspect_path(path: &Path, limits: &Limits) -> Result<InspectReport, InspectError> {
    let file = path.display().to_string();
    let err = |kind| InspectError {
        file: file.clone(),
        kind,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(e.into()))?;
    if meta.len() > limits.max_file_size {
        return Err(err(InspectErrorKind::TooLarge {
            size: meta.len(),
            limit: limits.max_file_size,
        }));
    }
    let data = std::fs::read(path).map_err(|e| err(e.into()))?;
    inspect_bytes(&file, &data, limits)
}

/// Inspects an APK already in memory; `file` is only used for reporting.
pub fn inspect_bytes(
    file: &str,
    data: &[u8],
    limits: &Limits,
) -> Result<InspectReport, InspectError> {
    analyse(data, limits)
        .map(|(manifest, anomalies, entries, doc_xml)| InspectReport {
            schema_version: SCHEMA_VERSION,
            file: file.to_string(),
            sha256: hex(&Sha256::digest(data)),
            size: data.len() as u64,
            manifest,
            entries,
            anomalies,
            manifest_xml: Some(doc_xml),
        })
        .map_err(|kind| InspectError {
            file: file.to_string(),
            kind,
        })
}

type Analysis = (Manifest, Vec<Anomaly>, usize, String);

fn analyse(data: &[u8], limits: &Limits) -> Result<Analysis, InspectErrorKind> {
    let archive = Archive::parse(data, limits)?;
    let mut anomalies: Vec<Anomaly> = archive.anomalies().to_vec();
    let entry = archive
        .entry(MANIFEST_ENTRY)
        .ok_or(InspectErrorKind::NoManifest)?;
    let manifest_bytes = archive
        .read(entry)
        .map_err(|e| InspectErrorKind::ManifestUnreadable(e.to_string()))?;
    let doc = axml::parse(&manifest_bytes, limits)?;
    if doc.root.name != "manifest" {
        return Err(InspectErrorKind::NotAManifest(doc.root.name.clone()));
    }
    anomalies.extend(
        doc.anomalies
            .iter()
            .map(|a| a.clone().in_context(MANIFEST_ENTRY)),
    );
    let table = read_resources(&archive, limits, &mut anomalies);
    let (manifest, more) = manifest::build(&doc, table.as_ref(), limits);
    anomalies.extend(more);
    let xml = manifest_xml(&doc, table.as_ref());
    anomalies.extend(archive.read_anomalies());
    Ok((manifest, anomalies, archive.entries().len(), xml))
}

fn read_resources(
    archive: &Archive<'_>,
    limits: &Limits,
    anomalies: &mut Vec<Anomaly>,
) -> Option<ResourceTable> {
    let entry = archive.entry(RESOURCES_ENTRY)?;
    let bytes = match archive.read(entry) {
        Ok(b) => b,
        Err(e) => {
            anomalies.push(e.to_anomaly(RESOURCES_ENTRY));
            return None;
        }
    };
    match arsc::parse(&bytes, limits) {
        Ok(table) => {
            anomalies.extend(
                table
                    .anomalies
                    .iter()
                    .map(|a| a.clone().in_context(RESOURCES_ENTRY)),
            );
            Some(table)
        }
        // A table that declares no packages and has none is what Android's
        // LoadedArsc loads as an empty table (aapt: "Package Groups (0)"):
        // nothing to resolve, but nothing wrong either.
        Err(arsc::ArscError::NoPackages { declared: 0 }) => None,
        Err(e) => {
            // The error text already names resources.arsc.
            let detail = e.to_string();
            let detail = if detail.starts_with(RESOURCES_ENTRY) {
                detail
            } else {
                format!("{RESOURCES_ENTRY}: {detail}")
            };
            anomalies.push(Anomaly::new("arsc_undecodable", detail));
            None
        }
    }
}

/// The manifest as readable XML, references printed as resource names.
fn manifest_xml(doc: &XmlDocument, table: Option<&ResourceTable>) -> String {
    axml::to_xml_with(doc, &|at| {
        if at.name == "protectionLevel" && at.is_android_ns() {
            let level = at.value.as_int().and_then(|v| u32::try_from(v).ok())?;
            return Some(crate::platform::protection_level_name(level));
        }
        let id = at.value.as_reference()?;
        let name = table?.name(id)?;
        Some(name.to_string())
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The JSON printed for a file that could not be analysed.
#[derive(Debug, Serialize)]
pub struct ErrorReport<'a> {
    /// Version of the JSON contract.
    pub schema_version: u32,
    /// The path as given.
    pub file: &'a str,
    /// One line saying what is wrong.
    pub error: String,
}

impl InspectError {
    /// The `{schema_version, file, error}` object for `--format json`.
    pub fn to_report(&self) -> ErrorReport<'_> {
        ErrorReport {
            schema_version: SCHEMA_VERSION,
            file: &self.file,
            error: self.kind.to_string(),
        }
    }
}

/// Renders the human-readable summary of `inspect --format text`.
pub fn render_text(r: &InspectReport) -> String {
    let m = &r.manifest;
    let mut s = String::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let num = |v: Option<u32>| v.map_or("-".into(), |v| v.to_string());
    let _ = writeln!(s, "file:        {}", r.file);
    let _ = writeln!(s, "sha256:      {}", r.sha256);
    let _ = writeln!(s, "size:        {} bytes, {} entries", r.size, r.entries);
    let _ = writeln!(s, "package:     {}", m.package);
    let _ = writeln!(
        s,
        "version:     {} (code {})",
        opt(&m.version_name),
        m.version_code.map_or("-".into(), |v| v.to_string())
    );
    let _ = writeln!(
        s,
        "sdk:         min {}, target {}, max {}, compiled {}",
        num(m.min_sdk),
        num(m.target_sdk),
        num(m.max_sdk),
        num(m.compile_sdk)
    );
    let _ = writeln!(s, "label:       {}", opt(&m.label));
    for (locale, label) in m.labels.iter().filter(|(l, _)| !l.is_empty()) {
        let _ = writeln!(s, "  [{locale}] {label}");
    }
    let _ = writeln!(s, "icon:        {}", opt(&m.icon));
    let app = &m.application;
    let mut flags = Vec::new();
    for (on, name) in [
        (app.debuggable, "debuggable"),
        (app.allow_backup, "allowBackup"),
        (app.uses_cleartext_traffic, "usesCleartextTraffic"),
        (app.extract_native_libs, "extractNativeLibs"),
        (app.test_only, "testOnly"),
    ] {
        if on {
            flags.push(name);
        }
    }
    let _ = writeln!(s, "flags:       {}", flags.join(", "));
    if let Some(nsc) = &app.network_security_config {
        let _ = writeln!(s, "network security config: {nsc}");
    }
    let _ = writeln!(s, "permissions ({}):", m.permissions.len());
    for p in &m.permissions {
        let mut extra = Vec::new();
        if let Some(max) = p.max_sdk {
            extra.push(format!("maxSdk {max}"));
        }
        if p.sdk_23 {
            extra.push("sdk-23".to_string());
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        let _ = writeln!(
            s,
            "  {} [{}]{extra}",
            p.name,
            p.protection.as_deref().unwrap_or("unknown")
        );
    }
    for (title, list) in [
        ("activities", &m.activities),
        ("activity aliases", &m.activity_aliases),
        ("services", &m.services),
        ("receivers", &m.receivers),
        ("providers", &m.providers),
    ] {
        text_components(&mut s, title, list);
    }
    let _ = writeln!(s, "launcher:    {}", m.launcher_activities.join(", "));
    if !r.anomalies.is_empty() {
        let _ = writeln!(s, "anomalies ({}):", r.anomalies.len());
        for a in &r.anomalies {
            let _ = writeln!(s, "  {}: {}", a.code, a.detail);
        }
    }
    s
}

fn text_components(s: &mut String, title: &str, list: &[Component]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(s, "{title} ({}):", list.len());
    for c in list {
        let mut notes = Vec::new();
        if c.exported {
            notes.push(if c.exported_declared.is_some() {
                "exported".to_string()
            } else {
                "exported (implied by intent filter)".to_string()
            });
        }
        if let Some(p) = &c.permission {
            notes.push(format!("permission {p}"));
        }
        if let Some(t) = &c.target_activity {
            notes.push(format!("-> {t}"));
        }
        if !c.authorities.is_empty() {
            notes.push(format!("authorities {}", c.authorities.join(";")));
        }
        let deep: Vec<String> = c
            .intent_filters
            .iter()
            .filter(|f| f.is_deep_link())
            .flat_map(|f| &f.data)
            .filter_map(|d| {
                let scheme = d.scheme.as_deref()?;
                Some(format!("{scheme}://{}", d.host.as_deref().unwrap_or("*")))
            })
            .collect();
        if !deep.is_empty() {
            notes.push(format!("deep links {}", deep.join(" ")));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  [{}]", notes.join("; "))
        };
        let _ = writeln!(s, "  {}{notes}", c.name);
    }
}

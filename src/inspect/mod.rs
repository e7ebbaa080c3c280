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

mod collect;

use crate::archive::{Archive, ArchiveError};
use crate::arsc::{self, ResourceTable};
use crate::axml::{self, AxmlError, XmlDocument};
use crate::facts::capabilities::{self, Capability};
use crate::facts::code_split::{CodeOrigin, CodeSplit};
use crate::facts::endpoints::{self, Endpoints};
use crate::facts::external::ExternalSignatures;
use crate::facts::obfuscation::{self, Obfuscation};
use crate::facts::packers::{self, Packing};
use crate::facts::sdks::{self, SdkHit};
use crate::facts::{frameworks, AppInput, Detection, DexInput, TextAsset};
use crate::features::Extras;
use crate::manifest::{self, Component, Manifest};
use crate::native::{NativeLib, NativeReport};
use crate::reader::to_hex as hex;
use crate::reader::{Anomaly, Limits};
use crate::signing::{Signer, SigningBlockEntry};
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
    /// Signers (one per distinct certificate, with the schemes carrying it).
    pub signers: Vec<Signer>,
    /// Signature schemes present, signing-block entries and key lineage.
    pub signing: SigningSummary,
    /// Every DEX file: where it was found, version and sizes.
    pub dex: DexSummary,
    /// ABI directories the installer would use.
    pub abis: Vec<String>,
    /// Every `.so` entry with its ELF facts.
    pub native_libs: Vec<NativeLib>,
    /// The app's own code versus library code.
    pub code_split: CodeSplit,
    /// Third-party SDKs found, with evidence.
    pub sdks: Vec<SdkHit>,
    /// App frameworks (Flutter, React Native, uni-app, WebView shell, ...).
    pub frameworks: Vec<Detection>,
    /// Functional capabilities (camera, location, QR scanning, ...).
    pub capabilities: Vec<Capability>,
    /// URLs, hosts and registrable domains, own backend versus SDK hosts.
    pub endpoints: Endpoints,
    /// Identifier obfuscation of the app's own code.
    pub obfuscation: Obfuscation,
    /// Packers and protectors, and whether the code is packed.
    pub packers: Packing,
    /// Screens: activities linked to layouts, widgets, roles (full scope
    /// only; empty with `--scope manifest`).
    pub screens: Vec<crate::screens::Screen>,
    /// Everything odd that was tolerated, from every layer.
    pub anomalies: Vec<Anomaly>,
    /// The decoded manifest document (for `--format xml`); not serialized.
    #[serde(skip)]
    pub manifest_xml: Option<String>,
}

/// The signing facts other than the signers themselves.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SigningSummary {
    /// Schemes present: `v1`, `v2`, `v3`, `v3.1`.
    pub schemes: Vec<String>,
    /// Entries of the APK Signing Block (id, known name, size).
    pub blocks: Vec<SigningBlockEntry>,
    /// Certificate SHA-256s of the v3 key-rotation lineage, oldest first.
    pub lineage: Vec<String>,
    /// `X-Android-APK-Signed` values declared in the v1 `.SF` files.
    pub v1_apk_signed_declared: Vec<u32>,
    /// The v1 `.SF` files present.
    pub v1_signature_files: Vec<String>,
}

/// The DEX files of an app.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DexSummary {
    /// Class definitions over all DEX files.
    pub classes: usize,
    /// Method references (`method_ids`) over all DEX files.
    pub method_refs: usize,
    /// Methods defined (with or without code) over all DEX files.
    pub defined_methods: usize,
    /// One entry per DEX file.
    pub files: Vec<DexFileSummary>,
}

/// One DEX file.
#[derive(Debug, Clone, Serialize)]
pub struct DexFileSummary {
    /// Entry path (`assets/patch.jar!/classes.dex` when nested).
    pub path: String,
    /// False for the top-level `classes*.dex` Android loads.
    pub nested: bool,
    /// Format version (35..=41).
    pub version: u32,
    /// Class definitions.
    pub classes: u32,
    /// `method_ids` size.
    pub method_refs: u32,
    /// Methods defined.
    pub defined_methods: u32,
    /// `string_ids` size.
    pub strings: u32,
    /// Whether the Adler-32 checksum matches.
    pub checksum_valid: bool,
    /// Whether the SHA-1 signature matches.
    pub signature_valid: bool,
}

impl DexSummary {
    fn of(inputs: &[DexInput]) -> DexSummary {
        let files: Vec<DexFileSummary> = inputs
            .iter()
            .map(|d| {
                let c = d.dex.counts();
                DexFileSummary {
                    path: d.path.clone(),
                    nested: d.nested,
                    version: d.dex.version(),
                    classes: c.class_defs,
                    method_refs: c.methods,
                    defined_methods: c.defined_methods,
                    strings: c.strings,
                    checksum_valid: d.dex.checksum_valid(),
                    signature_valid: d.dex.signature_valid(),
                }
            })
            .collect();
        DexSummary {
            classes: files.iter().map(|f| f.classes as usize).sum(),
            method_refs: files.iter().map(|f| f.method_refs as usize).sum(),
            defined_methods: files.iter().map(|f| f.defined_methods as usize).sum(),
            files,
        }
    }
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
    inspect_path_with(path, limits, &Options::default())
}

/// What `inspect` should do beyond the defaults.
#[derive(Debug, Default)]
pub struct Options {
    /// How much to analyse.
    pub scope: Scope,
    /// Extra SDK signatures (`--signatures`: Exodus or LibChecker files).
    pub signatures: Vec<ExternalSignatures>,
}

/// How much of an APK `inspect` analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Manifest, resources and signing only (what `aapt dump badging`
    /// covers): no DEX, native-library or asset analysis. For quick triage
    /// of many files.
    Manifest,
    /// Everything but screens: code, SDKs, native libraries, capabilities,
    /// endpoints (layout decoding and activity linking skipped).
    Code,
    /// Everything: code, SDKs, native libraries, capabilities, endpoints,
    /// screens.
    #[default]
    Full,
}

/// [`inspect_path`] with [`Options`].
pub fn inspect_path_with(
    path: &Path,
    limits: &Limits,
    options: &Options,
) -> Result<InspectReport, InspectError> {
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
    inspect_bytes_with(&file, &data, limits, options)
}

/// Inspects an APK already in memory; `file` is only used for reporting.
pub fn inspect_bytes(
    file: &str,
    data: &[u8],
    limits: &Limits,
) -> Result<InspectReport, InspectError> {
    inspect_bytes_with(file, data, limits, &Options::default())
}

/// [`inspect_bytes`] with [`Options`].
pub fn inspect_bytes_with(
    file: &str,
    data: &[u8],
    limits: &Limits,
    options: &Options,
) -> Result<InspectReport, InspectError> {
    inspect_bytes_extras(file, data, limits, options, false).map(|(report, _)| report)
}

/// [`inspect_bytes_with`] that also returns the [`Extras`] the feature
/// stage reads (framework calls of the app's code, entry digests), from
/// the same parse. Used by `scan`.
pub fn inspect_bytes_for_features(
    file: &str,
    data: &[u8],
    limits: &Limits,
    options: &Options,
) -> Result<(InspectReport, Extras), InspectError> {
    inspect_bytes_extras(file, data, limits, options, true)
}

fn inspect_bytes_extras(
    file: &str,
    data: &[u8],
    limits: &Limits,
    options: &Options,
    want_extras: bool,
) -> Result<(InspectReport, Extras), InspectError> {
    let (mut report, extras) =
        analyse(data, limits, options, want_extras).map_err(|kind| InspectError {
            file: file.to_string(),
            kind,
        })?;
    report.file = file.to_string();
    report.sha256 = hex(&Sha256::digest(data));
    report.size = data.len() as u64;
    Ok((report, extras))
}

/// What the facts and screens stages read about one app: the typed
/// manifest, every DEX (top level and nested), native libraries, entry
/// names and small text assets. Public so tests and tools build the facts
/// input exactly as `inspect` does.
pub struct AppParts {
    /// The typed manifest.
    pub manifest: Manifest,
    /// Every DEX found, top-level first.
    pub dex: Vec<DexInput>,
    /// Native libraries.
    pub native: NativeReport,
    /// Every zip entry name.
    pub entries: Vec<String>,
    /// Small text assets (and the decoded network security config).
    pub texts: Vec<TextAsset>,
}

impl AppParts {
    /// Reads an APK in memory into its parts (full scope); anomalies are
    /// dropped (use [`inspect_bytes`] to see them).
    pub fn read(data: &[u8], limits: &Limits) -> Result<AppParts, InspectErrorKind> {
        let opened = Opened::new(data, limits)?;
        let mut anomalies = Vec::new();
        Ok(opened.parts(limits, Scope::Full, &mut anomalies))
    }

    /// The facts stage's view of these parts.
    pub fn input(&self) -> AppInput<'_> {
        AppInput {
            manifest: &self.manifest,
            dex: &self.dex,
            native: &self.native,
            entries: &self.entries,
            texts: &self.texts,
        }
    }
}

/// An APK whose archive, manifest and resource table are decoded.
struct Opened<'a> {
    archive: Archive<'a>,
    doc: XmlDocument,
    table: Option<ResourceTable>,
    anomalies: Vec<Anomaly>,
}

impl<'a> Opened<'a> {
    /// Fails only when nothing useful can be read (see [`InspectErrorKind`]).
    fn new(data: &'a [u8], limits: &Limits) -> Result<Opened<'a>, InspectErrorKind> {
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
            return Err(InspectErrorKind::NotAManifest(one_line(&doc.root.name, 64)));
        }
        anomalies.extend(
            doc.anomalies
                .iter()
                .map(|a| a.clone().in_context(MANIFEST_ENTRY)),
        );
        let table = read_resources(&archive, limits, &mut anomalies);
        Ok(Opened {
            archive,
            doc,
            table,
            anomalies,
        })
    }

    /// Builds the manifest model and, beyond `Scope::Manifest`, collects
    /// DEX files, native libraries and text assets.
    fn parts(&self, limits: &Limits, scope: Scope, anomalies: &mut Vec<Anomaly>) -> AppParts {
        let archive = &self.archive;
        let (manifest, more) = manifest::build(&self.doc, self.table.as_ref(), limits);
        anomalies.extend(more);
        let (mut native, dex, texts) = match scope {
            Scope::Manifest => (NativeReport::default(), Vec::new(), Vec::new()),
            Scope::Code | Scope::Full => (
                crate::native::analyse(archive, limits),
                collect::dex_files(archive, limits, anomalies),
                collect::text_assets(archive, doc_nsc(&manifest, archive, limits)),
            ),
        };
        anomalies.append(&mut native.anomalies);
        AppParts {
            manifest,
            dex,
            native,
            entries: archive.entries().iter().map(|e| e.name.clone()).collect(),
            texts,
        }
    }
}

fn analyse(
    data: &[u8],
    limits: &Limits,
    options: &Options,
    want_extras: bool,
) -> Result<(InspectReport, Extras), InspectErrorKind> {
    let mut opened = Opened::new(data, limits)?;
    let mut anomalies = std::mem::take(&mut opened.anomalies);
    let (archive, table) = (&opened.archive, opened.table.as_ref());
    let xml = manifest_xml(&opened.doc, table);
    let mut signing = crate::signing::analyse(archive, limits);
    anomalies.append(&mut signing.anomalies);
    let parts = opened.parts(limits, options.scope, &mut anomalies);
    let input = parts.input();
    let facts = match options.scope {
        Scope::Manifest => Facts::default(),
        Scope::Code | Scope::Full => Facts::of(&input, options),
    };
    let screens = match options.scope {
        Scope::Manifest | Scope::Code => Vec::new(),
        Scope::Full => crate::screens::extract(&crate::screens::ScreenInput {
            archive,
            table,
            app: &input,
            code_split: &facts.code_split,
            capabilities: &facts.capabilities_per_class,
            limits,
        }),
    };

    anomalies.extend(archive.read_anomalies());
    let extras = match want_extras {
        true => extras(
            archive,
            &parts.dex,
            &facts.code_split,
            parts.manifest.icon.as_deref(),
        ),
        false => Extras::default(),
    };
    let AppParts {
        manifest,
        dex,
        native,
        ..
    } = parts;
    Ok((
        InspectReport {
            schema_version: SCHEMA_VERSION,
            file: String::new(),
            sha256: String::new(),
            size: 0,
            manifest,
            entries: archive.entries().len(),
            signers: signing.signers,
            signing: SigningSummary {
                schemes: signing.schemes,
                blocks: signing.blocks,
                lineage: signing.lineage,
                v1_apk_signed_declared: signing.v1_apk_signed_declared,
                v1_signature_files: signing.v1_signature_files,
            },
            dex: DexSummary::of(&dex),
            abis: native.abis,
            native_libs: native.libs,
            code_split: facts.code_split,
            sdks: facts.sdks,
            frameworks: facts.frameworks,
            capabilities: facts.capabilities,
            endpoints: facts.endpoints,
            obfuscation: facts.obfuscation,
            packers: facts.packers,
            screens,
            anomalies,
            manifest_xml: Some(xml),
        },
        extras,
    ))
}

/// The feature stage's extras: framework methods invoked by classes that
/// are not library code, and every entry's CRC-32 and size.
fn extras(
    archive: &Archive<'_>,
    dex: &[DexInput],
    split: &CodeSplit,
    icon: Option<&str>,
) -> Extras {
    let mut api_calls = std::collections::BTreeSet::new();
    for d in dex {
        // Each method id once, however many classes invoke it.
        let invoked: std::collections::BTreeSet<u32> = d
            .dex
            .classes()
            .iter()
            .filter(|c| split.classify_descriptor(&c.descriptor) != CodeOrigin::Library)
            .flat_map(|c| c.invokes.iter().copied())
            .collect();
        for idx in invoked {
            if api_calls.len() >= crate::features::MAX_API {
                break;
            }
            if let Some(m) = d.dex.method_ref(idx) {
                if crate::features::is_api_class(&m.class) {
                    api_calls.insert(format!("{}->{}", m.class, m.name));
                }
            }
        }
    }
    let entries = archive
        .entries()
        .iter()
        .map(|e| (e.name.clone(), e.crc32, e.uncompressed_size))
        .collect();
    Extras {
        api_calls,
        entries,
        icon: icon_bitmap(archive, icon),
    }
}

/// The launcher icon as `(media type, bytes)`: the manifest's icon when it
/// is a bitmap, else (an adaptive icon in XML) the largest bitmap with the
/// same file name in another `mipmap`/`drawable` folder; at most
/// [`crate::features::MAX_ICON_SIZE`] bytes.
fn icon_bitmap(archive: &Archive<'_>, icon: Option<&str>) -> Option<(String, Vec<u8>)> {
    let icon = icon?;
    let media = |name: &str| {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".png") {
            Some("image/png")
        } else if lower.ends_with(".webp") {
            Some("image/webp")
        } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
            Some("image/jpeg")
        } else {
            None
        }
    };
    let small = |e: &&crate::archive::Entry| {
        e.uncompressed_size > 0 && e.uncompressed_size <= crate::features::MAX_ICON_SIZE
    };
    let entry = match media(icon) {
        Some(_) => archive.entry(icon).filter(small),
        None => {
            let stem = icon.rsplit('/').next()?.split('.').next()?;
            archive
                .entries()
                .iter()
                .filter(|e| media(&e.name).is_some() && small(e))
                .filter(|e| e.name.starts_with("res/mipmap") || e.name.starts_with("res/drawable"))
                .filter(|e| {
                    e.name.rsplit('/').next().and_then(|f| f.split('.').next()) == Some(stem)
                })
                .max_by(|a, b| {
                    a.uncompressed_size
                        .cmp(&b.uncompressed_size)
                        .then(b.name.cmp(&a.name))
                })
        }
    }?;
    let bytes = archive.read(entry).ok()?;
    Some((media(&entry.name)?.to_string(), bytes))
}

/// The facts stage's results for one app.
#[derive(Default)]
struct Facts {
    code_split: CodeSplit,
    sdks: Vec<SdkHit>,
    frameworks: Vec<Detection>,
    capabilities: Vec<Capability>,
    endpoints: Endpoints,
    obfuscation: Obfuscation,
    packers: Packing,
    /// Capabilities per own class, for the screens stage (not reported).
    capabilities_per_class: capabilities::PerClass,
}

impl Facts {
    fn of(input: &AppInput<'_>, options: &Options) -> Facts {
        let code_split = CodeSplit::of(input);
        // Obfuscated apps move their own classes into one-letter packages;
        // count those as own code for capabilities, endpoints, obfuscation.
        let is_own = |class: &str| {
            matches!(
                code_split.classify(class),
                CodeOrigin::Own | CodeOrigin::ObfuscatedUnknown
            )
        };
        let sdks = sdks::detect(input, &options.signatures);
        let sdk_ids: Vec<&str> = sdks.iter().map(|h| h.id.as_str()).collect();
        let (capabilities, capabilities_per_class) =
            capabilities::detect_with_classes(input, &is_own, &sdk_ids);
        Facts {
            frameworks: frameworks::detect(input),
            capabilities,
            capabilities_per_class,
            endpoints: endpoints::extract(input, &is_own),
            obfuscation: obfuscation::measure(input, &is_own),
            packers: packers::detect(input),
            sdks,
            code_split,
        }
    }
}

/// The network security config, decoded to XML text, as a text asset for
/// endpoint extraction (its `<domain>` entries name the app's backends).
fn doc_nsc(manifest: &Manifest, archive: &Archive<'_>, limits: &Limits) -> Option<TextAsset> {
    let path = manifest.application.network_security_config.as_deref()?;
    let bytes = archive.read_name(path)?.ok()?;
    let doc = axml::parse(&bytes, limits).ok()?;
    Some(TextAsset {
        path: path.to_string(),
        text: axml::to_xml(&doc),
    })
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

/// An input-derived string made safe for a one-line message: control
/// characters escaped, at most `max` characters kept.
fn one_line(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<char>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
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
    text_code(&mut s, r);
    if !r.anomalies.is_empty() {
        let _ = writeln!(s, "anomalies ({}):", r.anomalies.len());
        for a in &r.anomalies {
            let _ = writeln!(s, "  {}: {}", a.code, a.detail);
        }
    }
    s
}

/// The signing, code, SDK and capability part of the text summary.
fn text_code(s: &mut String, r: &InspectReport) {
    let _ = writeln!(s, "signing:     {}", r.signing.schemes.join(", "));
    for signer in &r.signers {
        let _ = writeln!(
            s,
            "  {} {} [{}]",
            signer.sha256,
            signer.subject,
            signer.schemes.join(", ")
        );
    }
    if !r.signing.lineage.is_empty() {
        let _ = writeln!(s, "  key lineage: {}", r.signing.lineage.join(" -> "));
    }
    let d = &r.dex;
    if !d.files.is_empty() {
        let _ = writeln!(
            s,
            "code:        {} DEX file(s), {} classes, {} methods defined",
            d.files.len(),
            d.classes,
            d.defined_methods
        );
        for f in d.files.iter().filter(|f| f.nested) {
            let _ = writeln!(s, "  nested DEX: {} ({} classes)", f.path, f.classes);
        }
        let c = &r.code_split;
        let _ = writeln!(
            s,
            "  own code {} classes in {}; libraries {} classes; other {}",
            c.own_classes,
            c.own_namespaces.join(", "),
            c.library_classes,
            c.other_classes
        );
        let o = &r.obfuscation;
        let _ = writeln!(
            s,
            "  obfuscation: {} ({:.0}% short class names, {:.0}% short method names)",
            if o.obfuscated { "yes" } else { "no" },
            o.class_ratio * 100.0,
            o.method_ratio * 100.0
        );
    }
    if let Some(note) = &r.packers.note {
        let _ = writeln!(s, "packed:      {note}");
    }
    for p in r.packers.packers.iter().chain(&r.packers.protectors) {
        let _ = writeln!(
            s,
            "  protector/packer {}: {}",
            p.name,
            evidence_list(&p.evidence)
        );
    }
    if !r.native_libs.is_empty() {
        let _ = writeln!(
            s,
            "native:      {} librar(ies), ABIs {}",
            r.native_libs.len(),
            r.abis.join(", ")
        );
        for lib in &r.native_libs {
            let _ = writeln!(
                s,
                "  {}{} ({} bytes{})",
                lib.path,
                if lib.hidden { " [hidden]" } else { "" },
                lib.size,
                if lib.jni_exports > 0 || lib.jni_onload {
                    format!(
                        ", {} JNI exports",
                        lib.jni_exports + usize::from(lib.jni_onload)
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    for f in &r.frameworks {
        let _ = writeln!(
            s,
            "framework:   {} ({})",
            f.name,
            evidence_list(&f.evidence)
        );
    }
    if !r.sdks.is_empty() {
        let _ = writeln!(s, "sdks ({}):", r.sdks.len());
        for h in &r.sdks {
            let _ = writeln!(
                s,
                "  {} [{:?}{}]: {}",
                h.name,
                h.category,
                if h.tracker { ", tracker" } else { "" },
                evidence_list(&h.evidence)
            );
        }
    }
    if !r.capabilities.is_empty() {
        let _ = writeln!(s, "capabilities ({}):", r.capabilities.len());
        for c in &r.capabilities {
            let _ = writeln!(
                s,
                "  {} [{}]: {}",
                c.name,
                c.strength,
                evidence_list(&c.evidence)
            );
        }
    }
    if !r.endpoints.hosts.is_empty() {
        let _ = writeln!(s, "endpoints ({} hosts):", r.endpoints.hosts.len());
        for h in &r.endpoints.hosts {
            let who = match (&h.sdk, h.own) {
                (Some(sdk), _) => format!("SDK {sdk}"),
                (None, true) => "own".to_string(),
                (None, false) => "other".to_string(),
            };
            let _ = writeln!(s, "  {} [{who}]", h.host);
        }
    }
}

/// Up to five evidence values, then a count of the rest.
fn evidence_list(evidence: &[crate::facts::Evidence]) -> String {
    let mut parts: Vec<String> = evidence
        .iter()
        .take(5)
        .map(|e| format!("{} {}", e.kind, e.value))
        .collect();
    if evidence.len() > 5 {
        parts.push(format!("+{} more", evidence.len() - 5));
    }
    parts.join("; ")
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

#[cfg(test)]
mod tests {
    use super::one_line;

    /// Found by tests/inspect_mutations.rs: a mutated manifest whose root
    /// element name held a newline and 2 KB of junk made a multi-line error.
    #[test]
    fn input_in_error_messages_stays_on_one_line() {
        let junk = format!("a\nb\r{}", "x".repeat(500));
        let line = one_line(&junk, 64);
        assert!(!line.contains('\n') && !line.contains('\r'));
        assert!(line.starts_with("a\\nb\\r"));
        assert!(line.ends_with('…'));
        assert!(line.chars().count() <= 70);
    }
}

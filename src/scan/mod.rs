//! `fingertip scan`: every APK under the given paths analysed in parallel
//! into an index of facts and features, re-using what an earlier index
//! already holds.
//!
//! Stage: drives `inspect` and `features` over many files; clustering
//! reads the resulting [`AppRecord`]s and never the APKs.
//!
//! * Inputs: a file given by name is always scanned, whatever its name. A
//!   folder is walked recursively in name order (symlinked folders not
//!   followed, hidden entries skipped); every regular file in it is
//!   scanned, so a non-APK or broken file shows up as an error entry
//!   instead of vanishing (the index being written is not an input).
//! * Isolation: each APK is analysed on its own thread; a panic or a run
//!   over `--timeout-per-apk` becomes that file's error entry and the
//!   batch goes on (a timed-out analysis is abandoned, its limits bound
//!   what it can still use).
//! * Re-use: a record of the old index is kept when the file's path, size
//!   and modification time match and the analysis version is the same, or
//!   else when its SHA-256 matches; only the rest is analysed.
//!
//! # Index format (`schema_version` 1)
//!
//! One JSON object: `schema_version`, `tool` (`fingertip <version>`),
//! `analysis_version` (changes when facts or features are computed
//! differently; records of another version are re-analysed) and `apps`,
//! sorted by `file`: each [`AppRecord`] with `file`, `sha256`, `size`,
//! `modified`? (nanoseconds since the epoch), `error`? (one line), `facts`?
//! ([`AppFacts`]), `features` (`function` and `provenance`, each a list of
//! `{dim, features}`) and `screens` ([`ScreenSummary`] list).
//! Documented in `docs/index-json.md`.

use crate::features::{self, Extras, Features, ScreenSummary, FEATURES_VERSION};
use crate::inspect::{self, InspectReport, Options};
use crate::reader::Limits;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, UNIX_EPOCH};

/// Version of the index contract.
pub const INDEX_SCHEMA_VERSION: u32 = 1;

/// Folder depth walked below a given folder.
pub const MAX_DEPTH: usize = 32;

/// Identifies how records were computed: the crate version and the
/// feature definitions.
pub fn analysis_version() -> String {
    format!("{}+f{}", env!("CARGO_PKG_VERSION"), FEATURES_VERSION)
}

/// An index file: one record per scanned file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    /// Version of this contract.
    pub schema_version: u32,
    /// `fingertip <version>` that wrote it.
    pub tool: String,
    /// See [`analysis_version`].
    pub analysis_version: String,
    /// Records sorted by `file`.
    pub apps: Vec<AppRecord>,
}

/// One scanned file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppRecord {
    /// The path as given or found.
    pub file: String,
    /// SHA-256 of the file (empty when it could not be read).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<u128>,
    /// Why the file could not be analysed (one line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The facts reports show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<AppFacts>,
    /// Function and provenance features.
    #[serde(default)]
    pub features: Features,
    /// Screens kept for duplicated-function detection.
    #[serde(default)]
    pub screens: Vec<ScreenSummary>,
}

/// The facts of an app that reports show next to its features.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppFacts {
    /// Package name.
    pub package: String,
    /// Label, default locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `versionName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// `versionCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_code: Option<i64>,
    /// `minSdkVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sdk: Option<u32>,
    /// `targetSdkVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_sdk: Option<u32>,
    /// Signer certificates: `sha256` and subject.
    pub signers: Vec<SignerFact>,
    /// SDK display names.
    pub sdks: Vec<String>,
    /// Capability ids.
    pub capabilities: Vec<String>,
    /// Requested permissions.
    pub permissions: usize,
    /// Activities.
    pub activities: usize,
    /// Screens with a role.
    pub screens: usize,
    /// Own code is obfuscated.
    pub obfuscated: bool,
    /// Code is packed.
    pub packed: bool,
    /// `android:debuggable`.
    pub debuggable: bool,
    /// Cleartext traffic allowed.
    pub cleartext_traffic: bool,
    /// Packers and protectors found (names).
    #[serde(default)]
    pub packers: Vec<String>,
    /// Exported components (other than launcher activities) that no
    /// permission guards.
    #[serde(default)]
    pub exported_unguarded: Vec<String>,
    /// The launcher icon as a `data:` URI (bitmaps up to 48 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// A signer certificate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignerFact {
    /// Certificate SHA-256.
    pub sha256: String,
    /// Subject DN.
    pub subject: String,
}

impl AppFacts {
    /// The facts of an inspected app (`icon`: media type and bitmap).
    pub fn of(r: &InspectReport, icon: Option<&(String, Vec<u8>)>) -> AppFacts {
        let m = &r.manifest;
        let app_permission = m.application.permission.as_ref();
        let exported_unguarded = m
            .activities
            .iter()
            .chain(&m.activity_aliases)
            .chain(&m.services)
            .chain(&m.receivers)
            .chain(&m.providers)
            .filter(|c| c.exported && c.permission.is_none() && app_permission.is_none())
            .filter(|c| c.read_permission.is_none() && c.write_permission.is_none())
            .filter(|c| !m.launcher_activities.contains(&c.name))
            .map(|c| c.name.clone())
            .collect();
        AppFacts {
            package: m.package.clone(),
            label: m.label.clone(),
            version_name: m.version_name.clone(),
            version_code: m.version_code,
            min_sdk: m.min_sdk,
            target_sdk: m.target_sdk,
            signers: r
                .signers
                .iter()
                .map(|s| SignerFact {
                    sha256: s.sha256.clone(),
                    subject: s.subject.clone(),
                })
                .collect(),
            sdks: r.sdks.iter().map(|s| s.name.clone()).collect(),
            capabilities: r.capabilities.iter().map(|c| c.id.to_string()).collect(),
            permissions: m.permissions.len(),
            activities: m.activities.len(),
            screens: r.screens.iter().filter(|s| s.role != "other").count(),
            obfuscated: r.obfuscation.obfuscated,
            packed: r.packers.packed,
            debuggable: m.application.debuggable,
            cleartext_traffic: m.application.uses_cleartext_traffic,
            packers: r
                .packers
                .packers
                .iter()
                .chain(&r.packers.protectors)
                .map(|d| d.name.to_string())
                .collect(),
            exported_unguarded,
            icon: icon.map(|(media, bytes)| format!("data:{media};base64,{}", base64(bytes))),
        }
    }
}

/// Standard base64 with padding (RFC 4648), for `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |v: u32| char::from(ALPHABET.get((v & 63) as usize).copied().unwrap_or(b'A'));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

impl AppRecord {
    /// The record of an analysed app.
    pub fn analysed(file: String, report: &InspectReport, extras: &Extras) -> AppRecord {
        AppRecord {
            file,
            sha256: report.sha256.clone(),
            size: report.size,
            modified: None,
            error: None,
            facts: Some(AppFacts::of(report, extras.icon.as_ref())),
            features: features::extract(report, extras),
            screens: features::screen_summaries(&report.screens),
        }
    }

    /// The record of a file that could not be analysed.
    pub fn failed(file: String, sha256: String, size: u64, error: String) -> AppRecord {
        AppRecord {
            file,
            sha256,
            size,
            modified: None,
            error: Some(error),
            facts: None,
            features: Features::default(),
            screens: Vec::new(),
        }
    }

    /// Package name, or empty for a file that was not analysed.
    pub fn package(&self) -> &str {
        self.facts
            .as_ref()
            .map(|f| f.package.as_str())
            .unwrap_or("")
    }

    /// Label, else package, else file name: what a person calls the app.
    pub fn display_name(&self) -> String {
        let facts = self.facts.as_ref();
        facts
            .and_then(|f| f.label.clone())
            .filter(|l| !l.is_empty())
            .or_else(|| facts.map(|f| f.package.clone()))
            .unwrap_or_else(|| self.file.clone())
    }
}

/// Errors that stop a whole scan (not a single file's).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A path given on the command line does not exist or cannot be read.
    #[error("{path}: {source}")]
    Path {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The index file exists but is not a fingertip index.
    #[error("{path}: not a fingertip index ({reason})")]
    BadIndex {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The index could not be written.
    #[error("{path}: cannot write the index: {source}")]
    Write {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// No file to scan.
    #[error("no files found under {0}")]
    Empty(String),
}

/// How to scan.
#[derive(Debug)]
pub struct ScanOptions {
    /// Parser limits.
    pub limits: Limits,
    /// `inspect` options (extra signatures).
    pub inspect: std::sync::Arc<Options>,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Abandon one APK's analysis after this long (`None`: never).
    pub timeout: Option<Duration>,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            limits: Limits::default(),
            inspect: std::sync::Arc::new(Options::default()),
            jobs: 0,
            timeout: Some(Duration::from_secs(120)),
            progress: false,
        }
    }
}

/// How a scan went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Files found.
    pub files: usize,
    /// Analysed in this run.
    pub analysed: usize,
    /// Taken from the old index.
    pub reused: usize,
    /// Files with an error entry.
    pub errors: usize,
}

/// Every file to scan under `paths`, in the order given, folders walked in
/// name order. A missing path is an error for the whole scan.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScanError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| ScanError::Path {
            path: p.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk(p, 0, &mut out);
            if out.len() == before {
                return Err(ScanError::Empty(p.display().to_string()));
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut entries: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            out.push(path);
            continue;
        };
        if meta.is_dir() {
            walk(&path, depth + 1, out);
        } else if meta.is_file() || meta.file_type().is_symlink() && path.is_file() {
            out.push(path);
        }
    }
}

/// Reads an index file.
pub fn read_index(path: &Path) -> Result<Index, ScanError> {
    let bad = |reason: String| ScanError::BadIndex {
        path: path.display().to_string(),
        reason,
    };
    let data = std::fs::read(path).map_err(|source| ScanError::Path {
        path: path.display().to_string(),
        source,
    })?;
    let index: Index = serde_json::from_slice(&data).map_err(|e| bad(e.to_string()))?;
    if index.schema_version != INDEX_SCHEMA_VERSION {
        return Err(bad(format!(
            "schema_version {} (this fingertip reads {INDEX_SCHEMA_VERSION})",
            index.schema_version
        )));
    }
    Ok(index)
}

/// True when the file looks like an index (a JSON object), not an APK.
pub fn looks_like_index(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 64];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    let text = String::from_utf8_lossy(head.get(..n).unwrap_or(&[]));
    let t = text.trim_start();
    t.starts_with('{') && t.contains("schema_version")
}

/// Writes `index` to `path` (through a temporary file, then renamed, so a
/// crash never leaves half an index).
pub fn write_index(index: &Index, path: &Path) -> Result<(), ScanError> {
    let err = |source| ScanError::Write {
        path: path.display().to_string(),
        source,
    };
    let json = serde_json::to_vec(index).map_err(|e| err(std::io::Error::other(e)))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, json).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// Scans `files`, re-using records of `old` where the file is unchanged.
/// Records come back in the order of `files`.
pub fn scan(
    files: &[PathBuf],
    old: Option<&Index>,
    options: &ScanOptions,
) -> (Vec<AppRecord>, ScanStats) {
    let version = analysis_version();
    let old = old.filter(|o| o.analysis_version == version);
    let by_file: HashMap<&str, &AppRecord> = old
        .map(|o| o.apps.iter().map(|a| (a.file.as_str(), a)).collect())
        .unwrap_or_default();
    let by_sha: HashMap<&str, &AppRecord> = old
        .map(|o| {
            o.apps
                .iter()
                .filter(|a| !a.sha256.is_empty())
                .map(|a| (a.sha256.as_str(), a))
                .collect()
        })
        .unwrap_or_default();
    let bar = progress_bar(files.len() as u64, options.progress);
    let work = || {
        files
            .par_iter()
            .map(|path| {
                let out = scan_one(path, &by_file, &by_sha, options);
                bar.inc(1);
                out
            })
            .collect::<Vec<(AppRecord, bool)>>()
    };
    let results = match rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    bar.finish_and_clear();
    let mut stats = ScanStats {
        files: files.len(),
        ..ScanStats::default()
    };
    let records = results
        .into_iter()
        .map(|(r, reused)| {
            if r.error.is_some() {
                stats.errors += 1;
            }
            if reused {
                stats.reused += 1;
            } else if r.error.is_none() {
                stats.analysed += 1;
            }
            r
        })
        .collect();
    (records, stats)
}

fn progress_bar(len: u64, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} APKs  {elapsed} elapsed, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

fn modified_ns(meta: &std::fs::Metadata) -> Option<u128> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
}

/// One file: `(record, reused)`.
fn scan_one(
    path: &Path,
    by_file: &HashMap<&str, &AppRecord>,
    by_sha: &HashMap<&str, &AppRecord>,
    options: &ScanOptions,
) -> (AppRecord, bool) {
    let file = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return (failed(file, 0, format!("cannot read file: {e}")), false),
    };
    let modified = modified_ns(&meta);
    if let Some(old) = by_file.get(file.as_str()) {
        if old.size == meta.len() && old.modified.is_some() && old.modified == modified {
            return ((*old).clone(), true);
        }
    }
    if !meta.is_file() {
        return (failed(file, 0, "not a regular file".into()), false);
    }
    if meta.len() > options.limits.max_file_size {
        let msg = format!(
            "file is {} bytes, over the {}-byte limit",
            meta.len(),
            options.limits.max_file_size
        );
        return (failed(file, meta.len(), msg), false);
    }
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            return (
                failed(file, meta.len(), format!("cannot read file: {e}")),
                false,
            )
        }
    };
    let sha = crate::reader::to_hex(&Sha256::digest(&data));
    if let Some(old) = by_sha.get(sha.as_str()) {
        let mut r = (*old).clone();
        r.file = file;
        r.modified = modified;
        return (r, true);
    }
    let mut record = analyse_isolated(file, data, sha, options);
    record.modified = modified;
    (record, false)
}

fn failed(file: String, size: u64, error: String) -> AppRecord {
    AppRecord::failed(file, String::new(), size, error)
}

/// Analyses one APK on its own thread: a panic or a timeout becomes the
/// record's error.
pub fn analyse_isolated(
    file: String,
    data: Vec<u8>,
    sha256: String,
    options: &ScanOptions,
) -> AppRecord {
    let size = data.len() as u64;
    let limits = options.limits.clone();
    let opts = std::sync::Arc::clone(&options.inspect);
    let (tx, rx) = mpsc::channel();
    let name = file.clone();
    let started = std::time::Instant::now();
    let spawned = std::thread::Builder::new()
        .name("fingertip-analyse".into())
        .stack_size(16 << 20)
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                inspect::inspect_bytes_for_features(&name, &data, &limits, &opts)
                    .map(|(report, extras)| AppRecord::analysed(name.clone(), &report, &extras))
                    .map_err(|e| e.kind.to_string())
            }));
            let _ = tx.send(out);
        });
    if let Err(e) = spawned {
        return AppRecord::failed(file, sha256, size, format!("cannot start analysis: {e}"));
    }
    let over = |t: Duration| {
        format!(
            "analysis took longer than {} s (--timeout-per-apk); abandoned",
            t.as_secs_f64()
        )
    };
    let received = match options.timeout {
        // A result that arrives after the budget is over budget too, so the
        // outcome does not depend on thread scheduling.
        Some(t) => match rx.recv_timeout(t) {
            Ok(_) if started.elapsed() > t => Err(over(t)),
            Ok(r) => Ok(r),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(over(t)),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("analysis thread died".to_string()),
        },
        None => rx.recv().map_err(|_| "analysis thread died".to_string()),
    };
    match received {
        Ok(Ok(Ok(mut record))) => {
            record.file = file;
            record
        }
        Ok(Ok(Err(msg))) => AppRecord::failed(file, sha256, size, msg),
        Ok(Err(panic)) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let msg = format!("internal error while analysing (please report): {what}");
            AppRecord::failed(file, sha256, size, msg.lines().next().unwrap_or("").into())
        }
        Err(msg) => AppRecord::failed(file, sha256, size, msg),
    }
}

/// A fresh index of `records`, sorted by file.
pub fn index_of(mut records: Vec<AppRecord>) -> Index {
    records.sort_by(|a, b| a.file.cmp(&b.file));
    Index {
        schema_version: INDEX_SCHEMA_VERSION,
        tool: format!("fingertip {}", env!("CARGO_PKG_VERSION")),
        analysis_version: analysis_version(),
        apps: records,
    }
}

/// Records for `paths`: index files among them are read as they are, APKs
/// and folders are scanned (re-using and, with `write`, updating the index
/// at `index_path`). A path given twice is scanned once.
pub fn gather(
    paths: &[PathBuf],
    index_path: Option<&Path>,
    write: bool,
    options: &ScanOptions,
) -> Result<(Vec<AppRecord>, ScanStats), ScanError> {
    let mut records = Vec::new();
    let mut to_scan = Vec::new();
    for p in paths {
        if p.is_file() && looks_like_index(p) {
            records.extend(read_index(p)?.apps);
        } else {
            to_scan.push(p.clone());
        }
    }
    let mut stats = ScanStats {
        files: records.len(),
        reused: records.len(),
        errors: records.iter().filter(|r| r.error.is_some()).count(),
        ..ScanStats::default()
    };
    if !to_scan.is_empty() {
        let mut files = discover(&to_scan)?;
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(f.clone()));
        // The index being written (`scan . -o fingertip-index.json`) is
        // our own output, not an input.
        if let Some(own) = index_path.and_then(|p| std::fs::canonicalize(p).ok()) {
            files.retain(|f| std::fs::canonicalize(f).ok().as_ref() != Some(&own));
        }
        let old = match index_path {
            Some(p) if p.exists() => Some(read_index(p)?),
            _ => None,
        };
        let (scanned, s) = scan(&files, old.as_ref(), options);
        if let (true, Some(p)) = (write, index_path) {
            write_index(&index_of(scanned.clone()), p)?;
        }
        stats.files += s.files;
        stats.analysed += s.analysed;
        stats.reused += s.reused;
        stats.errors += s.errors;
        records.extend(scanned);
    }
    let mut seen = std::collections::HashSet::new();
    records.retain(|r| seen.insert(r.file.clone()));
    Ok((records, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }
}

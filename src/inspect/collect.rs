//! Gathers the inputs of the facts stage from an archive: every DEX (the
//! top-level `classes*.dex` in Android's load order, then DEX files hidden
//! in other entries or inside nested JAR/APK/ZIP archives, bounded by
//! `Limits::max_nesting` and `Limits::max_app_dex_files`) and small text assets
//! (HTML, JS, JSON, config XML) for endpoint and framework detection.

use crate::archive::{Archive, Entry};
use crate::facts::{DexInput, TextAsset};
use crate::reader::{Anomaly, Limits};

/// Text assets kept per APK, at most.
const MAX_TEXT_ASSETS: usize = 256;
/// Largest text asset kept, in bytes.
const MAX_TEXT_ASSET_SIZE: u64 = 512 << 10;
/// Total text kept per APK, in bytes.
const MAX_TEXT_TOTAL: u64 = 8 << 20;
/// Extensions of entries read as text assets.
const TEXT_EXTENSIONS: &[&str] = &[
    ".html",
    ".htm",
    ".js",
    ".json",
    ".xml",
    ".txt",
    ".properties",
    ".cfg",
    ".conf",
    ".ini",
    ".yaml",
    ".yml",
];
/// Extensions of entries that may be archives holding more DEX files.
const ARCHIVE_EXTENSIONS: &[&str] = &[".jar", ".apk", ".zip"];

/// The `N` of a top-level `classesN.dex` (1 for `classes.dex`), as Android
/// loads them: `classes.dex`, `classes2.dex`, `classes3.dex`, ...
fn top_level_dex_index(name: &str) -> Option<u32> {
    let middle = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if middle.is_empty() {
        Some(1)
    } else {
        middle.parse::<u32>().ok().filter(|&n| n >= 2)
    }
}

fn has_ext(name: &str, exts: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    exts.iter().any(|e| lower.ends_with(e))
}

/// Every DEX of the app: top-level ones first in load order, then nested.
pub(crate) fn dex_files(
    archive: &Archive<'_>,
    limits: &Limits,
    anomalies: &mut Vec<Anomaly>,
) -> Vec<DexInput> {
    let mut top: Vec<(u32, &Entry)> = archive
        .entries()
        .iter()
        .filter_map(|e| top_level_dex_index(&e.name).map(|n| (n, e)))
        .collect();
    top.sort_by_key(|&(n, _)| n);
    let mut out = Vec::new();
    for (_, entry) in top {
        read_dex(archive, entry, "", false, limits, &mut out, anomalies);
    }
    scan(archive, "", 0, limits, &mut out, anomalies);
    out
}

/// DEX files of `archive` (whose own path inside the APK is `prefix`)
/// other than the top-level `classes*.dex` slots, recursing into nested
/// archives up to `Limits::max_nesting`.
fn scan(
    archive: &Archive<'_>,
    prefix: &str,
    depth: usize,
    limits: &Limits,
    out: &mut Vec<DexInput>,
    anomalies: &mut Vec<Anomaly>,
) {
    for entry in archive.entries() {
        if entry.is_dir() || (depth == 0 && top_level_dex_index(&entry.name).is_some()) {
            continue;
        }
        if has_ext(&entry.name, &[".dex", ".odex"]) {
            read_dex(archive, entry, prefix, true, limits, out, anomalies);
        } else if has_ext(&entry.name, ARCHIVE_EXTENSIONS) {
            let path = format!("{prefix}{}", entry.name);
            if depth >= limits.max_nesting {
                anomalies.push(Anomaly::new(
                    "nested_archive_too_deep",
                    format!(
                        "{path}: not opened, nesting limit {} reached",
                        limits.max_nesting
                    ),
                ));
                continue;
            }
            let Ok(bytes) = archive.read(entry) else {
                continue;
            };
            if !bytes.starts_with(b"PK") {
                continue;
            }
            match Archive::parse_nested(&bytes, limits, depth + 1) {
                Ok(inner) => scan(
                    &inner,
                    &format!("{path}!/"),
                    depth + 1,
                    limits,
                    out,
                    anomalies,
                ),
                Err(e) => anomalies.push(Anomaly::new(
                    "nested_archive_unreadable",
                    format!("{path}: {e}"),
                )),
            }
        }
    }
}

fn read_dex(
    archive: &Archive<'_>,
    entry: &Entry,
    prefix: &str,
    nested: bool,
    limits: &Limits,
    out: &mut Vec<DexInput>,
    anomalies: &mut Vec<Anomaly>,
) {
    let path = format!("{prefix}{}", entry.name);
    if out.len() >= limits.max_app_dex_files {
        // One anomaly for the whole run of skipped files, not one each.
        if !anomalies.iter().any(|a| a.code == "dex_too_many_files") {
            anomalies.push(Anomaly::new(
                "dex_too_many_files",
                format!(
                    "{path} and later DEX files skipped: more than {} DEX files",
                    limits.max_app_dex_files
                ),
            ));
        }
        return;
    }
    let bytes = match archive.read(entry) {
        Ok(b) => b,
        Err(e) => {
            anomalies.push(e.to_anomaly(&path));
            return;
        }
    };
    match crate::dex::parse(&bytes, limits) {
        Ok(files) => {
            let many = files.len() > 1;
            for (i, dex) in files.into_iter().enumerate() {
                anomalies.extend(dex.anomalies().iter().map(|a| a.clone().in_context(&path)));
                let path = if many {
                    format!("{path}#{i}")
                } else {
                    path.clone()
                };
                out.push(DexInput { path, nested, dex });
            }
        }
        Err(e) => {
            // A nested ".dex" that is not a DEX is usually an encrypted
            // payload (packers); a top-level one means the app cannot run.
            anomalies.push(Anomaly::new("dex_undecodable", format!("{path}: {e}")));
        }
    }
}

/// Small text entries (assets, res/raw) for endpoint and framework
/// detection, after `first` (the decoded network security config).
pub(crate) fn text_assets(archive: &Archive<'_>, first: Option<TextAsset>) -> Vec<TextAsset> {
    let mut out: Vec<TextAsset> = first.into_iter().collect();
    let mut total = 0u64;
    for entry in archive.entries() {
        if out.len() >= MAX_TEXT_ASSETS {
            break;
        }
        let in_scope = entry.name.starts_with("assets/") || entry.name.starts_with("res/raw");
        if !in_scope
            || entry.is_dir()
            || !has_ext(&entry.name, TEXT_EXTENSIONS)
            || entry.uncompressed_size > MAX_TEXT_ASSET_SIZE
            || total.saturating_add(entry.uncompressed_size) > MAX_TEXT_TOTAL
        {
            continue;
        }
        let Ok(bytes) = archive.read(entry) else {
            continue;
        };
        // Binary XML in res/raw is not text.
        if bytes.starts_with(&[0x03, 0x00]) {
            continue;
        }
        total = total.saturating_add(bytes.len() as u64);
        out.push(TextAsset {
            path: entry.name.clone(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn android_dex_order() {
        assert_eq!(top_level_dex_index("classes.dex"), Some(1));
        assert_eq!(top_level_dex_index("classes2.dex"), Some(2));
        assert_eq!(top_level_dex_index("classes10.dex"), Some(10));
        assert_eq!(top_level_dex_index("classes1.dex"), None);
        assert_eq!(top_level_dex_index("classesx.dex"), None);
        assert_eq!(top_level_dex_index("assets/classes.dex"), None);
    }
}

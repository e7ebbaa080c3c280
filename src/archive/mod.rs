//! Reading APKs (zip archives) from memory the way Android's installer does.
//!
//! This module owns the zip container: finding the end-of-central-directory
//! record, walking the central directory, checking local headers, and
//! inflating entries under [`Limits`]. Nothing is ever written to disk; entry
//! names are only reported, never used as paths.
//!
//! # Spec followed
//!
//! The structures are those of PKWARE's APPNOTE.TXT (6.3.x): end of central
//! directory record (4.3.16), ZIP64 end of central directory locator and
//! record (4.3.14/4.3.15), central directory headers (4.3.12), local file
//! headers (4.3.7), the zip64 extended information extra field (4.5.3).
//! Where the spec and Android differ, this module does what Android's
//! `libziparchive` (`zip_archive.cc`) and resource loader (`libandroidfw`)
//! do, because that is what decides what an app *is* on a device:
//!
//! * the EOCD is found by scanning backwards over at most 65,535 + 22 bytes.
//!   Android takes the last signature and refuses the file unless that record
//!   and its comment end exactly at the end of the file; we take the last
//!   record that does so *and* has a readable central directory, falling back
//!   to the last one with a readable central directory, and say in an
//!   anomaly when that differs from Android's choice;
//! * Android refuses a file that does not start with a local file header
//!   (prepended data) or has bytes after the EOCD comment; we compensate and
//!   record it;
//! * the central directory is the truth: entry names, methods, sizes and
//!   CRCs come from it; the local header only decides where the data starts
//!   (its *own* name and extra lengths are used, as `FindEntry` does);
//! * stored entries are copied for their declared uncompressed size;
//! * a method other than stored/deflate: Android's resource loader maps any
//!   non-deflate entry as stored. We first try raw deflate (accepted only if
//!   the stream ends cleanly and its CRC matches), then fall back to stored
//!   when the data is in the file; only if neither works is the entry
//!   [`EntryError::UnsupportedMethod`];
//! * the encryption flag is ignored (Android has no zip decryption).
//!
//! "Android refuses" in anomaly details describes current libziparchive
//! (Android 10 and later); older releases were laxer about local-header
//! mismatches and duplicate names.
//!
//! # What it tolerates (each recorded as an [`Anomaly`], never fatal)
//!
//! | code | meaning |
//! |---|---|
//! | `zip_trailing_data` | bytes after the EOCD and its comment (Android refuses) |
//! | `zip_eocd_comment` | the EOCD is followed by an archive comment |
//! | `zip_multiple_eocd` | other EOCD signatures after the central directory; says which was used and why |
//! | `zip_cd_gap` | bytes between the central directory and the EOCD |
//! | `zip_prepended_data` | bytes before the first local header; offsets compensated if needed ([`Archive::prefix_len`]) |
//! | `zip_cd_truncated` | a central directory record is cut off or missing its signature |
//! | `zip_entry_count_mismatch` | the EOCD's entry count differs from the records present |
//! | `zip_cd_size_mismatch` | the EOCD's central directory size differs from the records' span |
//! | `zip_too_many_entries` | more than `max_entries`; the rest skipped |
//! | `zip_name_too_long` | a name longer than `max_name_len`; entry skipped |
//! | `zip_name_not_utf8` | a name that is not UTF-8 (Android refuses) |
//! | `zip_suspicious_entry_name` | `..`, absolute path, drive letter, backslash, control char or NUL |
//! | `zip_duplicate_entry` | a name seen twice (Android 10+ refuses the APK) |
//! | `zip_fake_encryption_flag` | encryption flag set; ignored as Android does |
//! | `zip_data_descriptor` | flag bit 3: sizes come from the central directory |
//! | `zip_unknown_method` | method neither 0 nor 8 (parse time; and at read time, how it was read) |
//! | `zip_stored_size_mismatch` | a stored entry whose two sizes differ |
//! | `zip_local_header_mismatch` | local header disagrees with the central directory (name, method, flags, sizes, CRC) |
//! | `zip_bad_local_header` | no readable local header where the central directory points |
//! | `zip_bad_zip64_extra` | a 0xffffffff field without its zip64 extra value |
//! | `zip_crc_mismatch` | (read time) the data's CRC-32 differs from the central directory's |
//! | `zip_size_mismatch` | (read time) the inflated size differs from the declared one |
//!
//! [`EntryError::code`] gives the codes of failed reads, for use with
//! [`EntryError::to_anomaly`]: `zip_entry_too_large`, `zip_bomb_ratio`,
//! `zip_inflate_budget_exhausted`, `zip_corrupt_deflate`,
//! `zip_data_out_of_bounds`, `zip_bad_local_header`, `zip_unsupported_method`.
//!
//! Read-time anomalies come back with the data from [`Archive::read_with_anomalies`];
//! [`Archive::read`] returns only the data and keeps them in an interior log
//! read by [`Archive::read_anomalies`]. Per-entry parse-time anomalies are
//! capped at 64 per code, plus one summary saying how many were left out.
//!
//! # Limits
//!
//! Every allocation is bounded by [`Limits`]: entry count and name length
//! at parse time (entries skipped with an anomaly), and at read time the
//! inflated size of one entry, the inflated/compressed ratio above
//! `ratio_floor`, and the total inflated from one archive (an atomic counter,
//! so an [`Archive`] can be shared between threads). Inflating stops as soon
//! as the output passes the tightest of these caps; declared sizes are never
//! trusted for allocation. Bytes inflated by reads that then fail count
//! against the total too, so repeated bomb reads exhaust the budget instead
//! of the CPU.

mod central;
mod eocd;
mod error;
mod inflate;
mod sink;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub use error::{ArchiveError, EntryError};

use crate::reader::{Anomaly, Limits, Reader};
use inflate::{crc32, inflate_raw, InflateFail};

/// One central-directory entry, as the central directory describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// Entry name, lossily decoded as UTF-8 from the raw bytes.
    pub name: String,
    /// Compression method as declared in the central directory (0 stored, 8 deflate).
    pub method: u16,
    /// General purpose bit flags from the central directory.
    pub flags: u16,
    /// CRC-32 declared in the central directory.
    pub crc32: u32,
    /// Compressed size (zip64 value when present).
    pub compressed_size: u64,
    /// Uncompressed size (zip64 value when present). A claim, not a fact.
    pub uncompressed_size: u64,
    /// Absolute offset of the local file header in the file: the central
    /// directory's value plus any compensation for prepended data.
    pub local_header_offset: u64,
    /// Position of the record in the central directory (0-based; entries
    /// skipped by limits leave gaps).
    pub index: usize,
    /// Absolute offset of the entry's data, computed from the local header's
    /// own name and extra lengths; `None` if the local header is unreadable.
    pub data_offset: Option<u64>,
    /// Sizes or offset came from a zip64 extra field.
    pub zip64: bool,
}

impl Entry {
    /// True for directory entries (name ends with `/`).
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// The data of one entry plus the anomalies seen while reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The entry's bytes.
    pub data: Vec<u8>,
    /// Read-time anomalies (`zip_crc_mismatch`, `zip_size_mismatch`,
    /// `zip_unknown_method`), each naming the entry.
    pub anomalies: Vec<Anomaly>,
}

/// A zip archive parsed from bytes in memory.
///
/// Parsing reads only the end-of-central-directory record, the central
/// directory and each entry's local header; entry data is inflated on demand
/// by [`Archive::read`].
#[derive(Debug)]
pub struct Archive<'a> {
    data: &'a [u8],
    limits: Limits,
    depth: usize,
    entries: Vec<Entry>,
    by_name: HashMap<&'a [u8], usize>,
    lossy_names: bool,
    anomalies: Vec<Anomaly>,
    prefix_len: u64,
    cd_offset: u64,
    eocd_offset: u64,
    comment: &'a [u8],
    zip64: bool,
    inflated: AtomicU64,
    read_log: Mutex<Vec<Anomaly>>,
}

/// Which limit is the tightest for one read.
#[derive(Debug, Clone, Copy)]
enum CapKind {
    EntrySize,
    Ratio,
    Budget,
}

impl<'a> Archive<'a> {
    /// Parses the archive in `data` (the APK itself, nesting depth 0).
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<Archive<'a>, ArchiveError> {
        Self::parse_nested(data, limits, 0)
    }

    /// Parses an archive nested `depth` levels inside others (depth 0 = the
    /// APK itself); refuses when `depth` exceeds `limits.max_nesting`.
    pub fn parse_nested(
        data: &'a [u8],
        limits: &Limits,
        depth: usize,
    ) -> Result<Archive<'a>, ArchiveError> {
        if depth > limits.max_nesting {
            return Err(ArchiveError::NestingTooDeep {
                depth,
                max: limits.max_nesting,
            });
        }
        if data.is_empty() {
            return Err(ArchiveError::Empty);
        }
        let size = data.len() as u64;
        if size > limits.max_file_size {
            return Err(ArchiveError::TooLarge {
                size,
                limit: limits.max_file_size,
            });
        }
        let r = Reader::new(data);
        let mut sink = sink::Sink::default();
        let loc = eocd::locate(&r, &mut sink)?;
        let walk = central::walk(&r, &loc, limits, &mut sink)?;

        let starts_with_lfh = r.u32_at(0).map(|s| s == 0x0403_4b50).unwrap_or(false);
        let prefix_len = if loc.shift > 0 {
            sink.push(Anomaly::at(
                "zip_prepended_data",
                0,
                format!(
                    "{} bytes precede the archive and its offsets do not count them; compensated \
                     by adding {} to every offset; Android refuses an APK that does not start \
                     with a local file header",
                    loc.shift, loc.shift
                ),
            ));
            loc.shift as u64
        } else if !starts_with_lfh && !walk.entries.is_empty() {
            let first = walk.min_lho.unwrap_or(0);
            sink.push(Anomaly::at(
                "zip_prepended_data",
                0,
                format!(
                    "{first} bytes precede the first local file header (offsets already count \
                     them); Android refuses an APK that does not start with a local file header"
                ),
            ));
            first
        } else {
            0
        };
        let comment_start = loc.eocd_offset.saturating_add(eocd::EOCD_LEN);
        let comment = r
            .sub_clamped(comment_start, loc.comment_len)
            .map(|c| c.data())
            .unwrap_or(&[]);
        Ok(Archive {
            data,
            limits: limits.clone(),
            depth,
            entries: walk.entries,
            by_name: walk.by_name,
            lossy_names: walk.lossy_names,
            anomalies: sink.finish(),
            prefix_len,
            cd_offset: loc.cd_start as u64,
            eocd_offset: loc.eocd_offset as u64,
            comment,
            zip64: loc.zip64,
            inflated: AtomicU64::new(0),
            read_log: Mutex::new(Vec::new()),
        })
    }

    /// Entries in central-directory order, minus those skipped by limits.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with exactly this name; the first one if the name is
    /// duplicated (as Android's hash lookup does).
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        if let Some(e) = self
            .by_name
            .get(name.as_bytes())
            .and_then(|&i| self.entries.get(i))
        {
            return Some(e);
        }
        if self.lossy_names {
            return self.entries.iter().find(|e| e.name == name);
        }
        None
    }

    /// Archive-level anomalies found while parsing.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// Anomalies recorded by [`Archive::read`] calls so far (CRC or size
    /// mismatches, how an unknown method was read), without duplicates.
    pub fn read_anomalies(&self) -> Vec<Anomaly> {
        match self.read_log.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Bytes before the archive proper: the amount added to every offset when
    /// data was prepended without fixing them, or else the offset of the first
    /// local header when the file does not start with one.
    pub fn prefix_len(&self) -> u64 {
        self.prefix_len
    }

    /// Absolute offset of the central directory used.
    pub fn central_directory_offset(&self) -> u64 {
        self.cd_offset
    }

    /// Absolute offset of the end-of-central-directory record used.
    pub fn eocd_offset(&self) -> u64 {
        self.eocd_offset
    }

    /// The archive comment (bytes after the EOCD record, as long as it declares).
    pub fn comment(&self) -> &'a [u8] {
        self.comment
    }

    /// True when a ZIP64 end-of-central-directory record was used.
    pub fn is_zip64(&self) -> bool {
        self.zip64
    }

    /// Nesting depth given to [`Archive::parse_nested`] (0 for the APK).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The whole file.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Total bytes inflated or copied by reads so far (counted against
    /// `max_total_inflated`).
    pub fn inflated_total(&self) -> u64 {
        self.inflated.load(Ordering::Relaxed)
    }

    /// Reads `name` if present: `read_name(n)` is `entry(n).map(|e| read(e))`.
    pub fn read_name(&self, name: &str) -> Option<Result<Vec<u8>, EntryError>> {
        self.entry(name).map(|e| self.read(e))
    }

    /// Inflates or copies one entry, enforcing the limits. Read-time
    /// anomalies (CRC mismatch etc.) do not fail the read: the data is
    /// returned and the anomalies are kept for [`Archive::read_anomalies`].
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, EntryError> {
        let out = self.read_with_anomalies(entry)?;
        if !out.anomalies.is_empty() {
            let mut log = match self.read_log.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            for a in out.anomalies {
                if !log.contains(&a) {
                    log.push(a);
                }
            }
        }
        Ok(out.data)
    }

    /// Like [`Archive::read`] but returns the read-time anomalies with the
    /// data instead of logging them.
    pub fn read_with_anomalies(&self, entry: &Entry) -> Result<Extracted, EntryError> {
        let data_offset = entry.data_offset.ok_or(EntryError::BadLocalHeader {
            offset: entry.local_header_offset,
        })?;
        let mut anomalies = Vec::new();
        let data = match entry.method {
            0 => self.read_stored(entry, data_offset)?,
            8 => self.read_deflated(entry, data_offset)?,
            method => {
                let (data, how) = self.read_unknown(entry, data_offset)?;
                anomalies.push(Anomaly::at(
                    "zip_unknown_method",
                    usize::try_from(data_offset).unwrap_or(usize::MAX),
                    format!(
                        "{:?}: compression method {method} read as {how}",
                        entry.name
                    ),
                ));
                data
            }
        };
        if data.len() as u64 != entry.uncompressed_size {
            anomalies.push(Anomaly::new(
                "zip_size_mismatch",
                format!(
                    "{:?}: read {} bytes but the central directory declares {}",
                    entry.name,
                    data.len(),
                    entry.uncompressed_size
                ),
            ));
        }
        let actual = crc32(&data);
        if actual != entry.crc32 {
            anomalies.push(Anomaly::new(
                "zip_crc_mismatch",
                format!(
                    "{:?}: CRC-32 of the data is {actual:#010x} but the central directory \
                     declares {:#010x}; data returned anyway (Android's installer would reject it)",
                    entry.name, entry.crc32
                ),
            ));
        }
        Ok(Extracted { data, anomalies })
    }

    fn remaining_budget(&self) -> u64 {
        self.limits
            .max_total_inflated
            .saturating_sub(self.inflated.load(Ordering::Relaxed))
    }

    fn charge(&self, n: u64) {
        self.inflated.fetch_add(n, Ordering::Relaxed);
    }

    fn slice(&self, offset: u64, len: u64) -> Result<&'a [u8], EntryError> {
        let oob = EntryError::DataOutOfBounds { offset, len };
        let (Ok(o), Ok(l)) = (usize::try_from(offset), usize::try_from(len)) else {
            return Err(oob);
        };
        Reader::new(self.data).bytes_at(o, l).map_err(|_| oob)
    }

    fn read_stored(&self, entry: &Entry, data_offset: u64) -> Result<Vec<u8>, EntryError> {
        // Android copies the declared *uncompressed* size of a stored entry.
        let size = entry.uncompressed_size;
        if size > self.limits.max_entry_size {
            return Err(EntryError::TooLarge {
                declared: size,
                limit: self.limits.max_entry_size,
            });
        }
        if size > self.remaining_budget() {
            return Err(EntryError::BudgetExhausted {
                limit: self.limits.max_total_inflated,
            });
        }
        let bytes = self.slice(data_offset, size)?;
        self.charge(size);
        Ok(bytes.to_vec())
    }

    /// The tightest output cap for inflating `entry`, and which limit it is.
    fn cap_for(&self, entry: &Entry) -> (u64, CapKind) {
        let l = &self.limits;
        let ratio_cap = entry
            .compressed_size
            .saturating_mul(l.max_compression_ratio)
            .max(l.ratio_floor);
        let mut cap = (l.max_entry_size, CapKind::EntrySize);
        if ratio_cap < cap.0 {
            cap = (ratio_cap, CapKind::Ratio);
        }
        let budget = self.remaining_budget();
        if budget < cap.0 {
            cap = (budget, CapKind::Budget);
        }
        cap
    }

    fn read_deflated(&self, entry: &Entry, data_offset: u64) -> Result<Vec<u8>, EntryError> {
        let input = self.slice(data_offset, entry.compressed_size)?;
        let (cap, kind) = self.cap_for(entry);
        let cap_usize = usize::try_from(cap).unwrap_or(usize::MAX);
        let result = inflate_raw(input, cap_usize, entry.uncompressed_size);
        match result {
            Ok(out) => {
                self.charge(out.len() as u64);
                Ok(out)
            }
            Err(fail) => {
                let produced = fail.produced();
                self.charge(produced);
                Err(match fail {
                    InflateFail::OverCap { .. } => match kind {
                        CapKind::EntrySize => EntryError::TooLarge {
                            declared: entry.uncompressed_size,
                            limit: self.limits.max_entry_size,
                        },
                        CapKind::Ratio => EntryError::CompressionRatio {
                            compressed: entry.compressed_size,
                            produced,
                            max_ratio: self.limits.max_compression_ratio,
                        },
                        CapKind::Budget => EntryError::BudgetExhausted {
                            limit: self.limits.max_total_inflated,
                        },
                    },
                    InflateFail::Corrupt { reason, .. } => EntryError::CorruptDeflate {
                        offset: data_offset,
                        reason,
                    },
                })
            }
        }
    }

    /// Method neither 0 nor 8: deflate if it inflates cleanly with the right
    /// CRC, else stored (Android's resource loader's reading), else the
    /// inflated bytes even with a wrong CRC, else unsupported.
    fn read_unknown(
        &self,
        entry: &Entry,
        data_offset: u64,
    ) -> Result<(Vec<u8>, &'static str), EntryError> {
        let inflated = match self.read_deflated(entry, data_offset) {
            Ok(out) if crc32(&out) == entry.crc32 => return Ok((out, "deflate (CRC matches)")),
            Ok(out) => Some(out),
            Err(e) if e.is_limit() => return Err(e),
            Err(_) => None,
        };
        let stored_ok = self
            .slice(data_offset, entry.uncompressed_size)
            .map(|b| crc32(b) == entry.crc32)
            .unwrap_or(false);
        let sizes_match = entry.compressed_size == entry.uncompressed_size;
        if stored_ok || (sizes_match && inflated.is_none()) {
            return self
                .read_stored(entry, data_offset)
                .map(|d| (d, "stored (not a valid deflate stream)"));
        }
        match inflated {
            Some(out) => Ok((out, "deflate (CRC does not match)")),
            None => Err(EntryError::UnsupportedMethod {
                method: entry.method,
            }),
        }
    }
}

#[cfg(test)]
mod tests;

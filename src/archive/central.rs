//! Walking the central directory (APPNOTE 4.3.12) and checking each entry's
//! local file header (4.3.7) against it, the way libziparchive's
//! `ParseZipArchive` and `FindEntry` do, but recording what Android would
//! refuse instead of giving up.

use std::collections::HashMap;

use super::eocd::{Located, CDH_SIG};
use super::error::ArchiveError;
use super::sink::Sink;
use super::Entry;
use crate::reader::{Anomaly, Limits, Reader};

const CDH_LEN: usize = 46;
const LFH_SIG: u32 = 0x0403_4b50;
const LFH_LEN: usize = 30;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_DATA_DESCRIPTOR: u16 = 0x0008;
const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;

/// Result of walking the central directory.
#[derive(Debug)]
pub(crate) struct Walk<'a> {
    pub entries: Vec<Entry>,
    /// Raw name → position in `entries` of its first occurrence.
    pub by_name: HashMap<&'a [u8], usize>,
    /// Some name was not valid UTF-8 (lookups must fall back to a scan).
    pub lossy_names: bool,
    /// Smallest absolute local header offset among kept entries.
    pub min_lho: Option<u64>,
}

/// Values of a zip64 extended-information extra field (APPNOTE 4.5.3):
/// each is present only when the corresponding 32-bit field is 0xffffffff.
#[derive(Debug, Default)]
struct Zip64Values {
    uncompressed: Option<u64>,
    compressed: Option<u64>,
    lho: Option<u64>,
}

/// Parses the zip64 extra block in `extra`; `want_*` say which fields to expect.
/// Returns `None` when the block is absent or too short for the fields wanted.
fn zip64_extra(extra: &[u8], want_u: bool, want_c: bool, want_o: bool) -> Option<Zip64Values> {
    let mut r = Reader::new(extra);
    while r.remaining() >= 4 {
        let id = r.u16().ok()?;
        let size = usize::from(r.u16().ok()?);
        let body = r.bytes(size).ok()?;
        if id != ZIP64_EXTRA_ID {
            continue;
        }
        let mut b = Reader::new(body);
        let mut v = Zip64Values::default();
        if want_u {
            v.uncompressed = Some(b.u64().ok()?);
        }
        if want_c {
            v.compressed = Some(b.u64().ok()?);
        }
        if want_o {
            v.lho = Some(b.u64().ok()?);
        }
        return Some(v);
    }
    None
}

/// Why a name is suspicious, if it is: `..` components, absolute paths,
/// drive letters, backslashes, control characters, NUL.
fn suspicious_name(raw: &[u8]) -> Vec<&'static str> {
    let mut why = Vec::new();
    // Fast path (one branch-free, vectorisable pass): almost every name has
    // no control character, no backslash and no "..".
    let odd = raw.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == 0x7f) | (b == b'\\')
    });
    let dots = raw
        .iter()
        .zip(raw.iter().skip(1))
        .fold(false, |acc, (&a, &b)| acc | ((a == b'.') & (b == b'.')));
    let leading = matches!(raw.first(), Some(b'/')) || raw.get(1) == Some(&b':');
    if !odd && !dots && !leading {
        return why;
    }
    if raw.contains(&0) {
        why.push("contains a NUL byte (libziparchive refuses such names)");
    }
    if raw.iter().any(|&b| (b < 0x20 && b != 0) || b == 0x7f) {
        why.push("contains a control character");
    }
    if raw.contains(&b'\\') {
        why.push("contains a backslash");
    }
    if raw.first() == Some(&b'/') {
        why.push("is an absolute path (leading '/')");
    }
    if let (Some(d), Some(b':')) = (raw.first(), raw.get(1)) {
        if d.is_ascii_alphabetic() {
            why.push("starts with a drive letter");
        }
    }
    if raw.split(|&b| b == b'/' || b == b'\\').any(|c| c == b"..") {
        why.push("has a '..' path component");
    }
    why
}

/// What the local file header says, reduced to what we compare.
struct Local<'a> {
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: u64,
    uncompressed: u64,
    name: &'a [u8],
    data_offset: Option<u64>,
}

fn read_local<'a>(r: &Reader<'a>, at: usize) -> Option<Local<'a>> {
    let h = r.sub(at, LFH_LEN).ok()?;
    if h.u32_at(0).ok()? != LFH_SIG {
        return None;
    }
    let name_len = usize::from(h.u16_at(26).ok()?);
    let extra_len = usize::from(h.u16_at(28).ok()?);
    let name_at = at.checked_add(LFH_LEN)?;
    let name = r.bytes_at(name_at, name_len).ok()?;
    let extra_at = name_at.checked_add(name_len)?;
    let data_offset = extra_at.checked_add(extra_len).map(|d| d as u64);
    let mut compressed = u64::from(h.u32_at(18).ok()?);
    let mut uncompressed = u64::from(h.u32_at(22).ok()?);
    if compressed == u64::from(u32::MAX) || uncompressed == u64::from(u32::MAX) {
        // A local zip64 extra carries both sizes (APPNOTE 4.5.3).
        if let Some(extra) = r.sub_clamped(extra_at, extra_len) {
            if let Some(v) = zip64_extra(extra.data(), true, true, false) {
                uncompressed = v.uncompressed.unwrap_or(uncompressed);
                compressed = v.compressed.unwrap_or(compressed);
            }
        }
    }
    Some(Local {
        flags: h.u16_at(6).ok()?,
        method: h.u16_at(8).ok()?,
        crc32: h.u32_at(14).ok()?,
        compressed,
        uncompressed,
        name,
        data_offset,
    })
}

/// Compares the local header with the central directory; returns the data
/// offset computed from the local header's own name/extra lengths.
fn check_local(r: &Reader<'_>, e: &Entry, raw_name: &[u8], sink: &mut Sink) -> Option<u64> {
    let Some(at) = usize::try_from(e.local_header_offset).ok() else {
        sink.push(Anomaly::new(
            "zip_bad_local_header",
            format!(
                "{:?}: local header offset {:#x} is beyond the file",
                e.name, e.local_header_offset
            ),
        ));
        return None;
    };
    let Some(l) = read_local(r, at) else {
        sink.push(Anomaly::at(
            "zip_bad_local_header",
            at,
            format!(
                "{:?}: no readable local file header at {at:#x}; the entry cannot be read \
                 (Android refuses it too)",
                e.name
            ),
        ));
        return None;
    };
    let mut diffs: Vec<String> = Vec::new();
    let mut android_refuses = false;
    if l.name != raw_name {
        diffs.push(format!(
            "name (local {:?})",
            String::from_utf8_lossy(l.name)
        ));
        android_refuses = true;
    }
    if l.method != e.method {
        diffs.push(format!("method (local {}, central {})", l.method, e.method));
    }
    if (l.flags ^ e.flags) & FLAG_DATA_DESCRIPTOR != 0 {
        diffs.push(format!(
            "data-descriptor bit (local flags {:#06x}, central {:#06x})",
            l.flags, e.flags
        ));
    }
    if (l.flags ^ e.flags) & FLAG_ENCRYPTED != 0 {
        diffs.push(format!(
            "encryption bit (local flags {:#06x}, central {:#06x})",
            l.flags, e.flags
        ));
    }
    // libziparchive compares sizes and CRC only when the *local* header does
    // not announce a data descriptor.
    if l.flags & FLAG_DATA_DESCRIPTOR == 0 {
        if l.crc32 != e.crc32 {
            diffs.push(format!(
                "crc32 (local {:#010x}, central {:#010x})",
                l.crc32, e.crc32
            ));
            android_refuses = true;
        }
        if l.compressed != e.compressed_size {
            diffs.push(format!(
                "compressed size (local {}, central {})",
                l.compressed, e.compressed_size
            ));
            android_refuses = true;
        }
        if l.uncompressed != e.uncompressed_size {
            diffs.push(format!(
                "uncompressed size (local {}, central {})",
                l.uncompressed, e.uncompressed_size
            ));
            android_refuses = true;
        }
    }
    if !diffs.is_empty() {
        let android = if android_refuses {
            "recent Android (libziparchive FindEntry) refuses to open this entry \
             (kInconsistentInformation)"
        } else {
            "Android ignores the local method and flags"
        };
        sink.push(Anomaly::at(
            "zip_local_header_mismatch",
            at,
            format!(
                "{:?}: local header disagrees with the central directory on {}; the central \
                 directory wins and data is taken to start after the local header's own name and \
                 extra field ({}); {android}",
                e.name,
                diffs.join(", "),
                l.data_offset
                    .map_or_else(|| "offset overflows".to_string(), |d| format!("{d:#x}"))
            ),
        ));
    }
    l.data_offset
}

/// Walks the central directory found by [`super::eocd::locate`].
pub(crate) fn walk<'a>(
    r: &Reader<'a>,
    loc: &Located,
    limits: &Limits,
    sink: &mut Sink,
) -> Result<Walk<'a>, ArchiveError> {
    let end = loc.cd_end_limit.min(r.len());
    let cd_bytes = end.saturating_sub(loc.cd_start);
    // Capacity is bounded by what can physically fit, never by a declared count.
    let cap = usize::try_from(loc.declared_entries)
        .unwrap_or(usize::MAX)
        .min(cd_bytes / CDH_LEN)
        .min(limits.max_entries);
    let mut entries: Vec<Entry> = Vec::with_capacity(cap);
    let mut by_name: HashMap<&'a [u8], usize> = HashMap::with_capacity(cap);
    let mut lossy_names = false;
    let mut min_lho: Option<u64> = None;
    let shift = loc.shift as u64;

    let mut pos = loc.cd_start;
    let mut index = 0usize;
    let mut truncated: Option<String> = None;
    let mut stopped_by_limit = false;
    while pos < end {
        match r.u32_at(pos) {
            Ok(CDH_SIG) => {}
            Ok(other) => {
                if (index as u64) < loc.declared_entries {
                    truncated = Some(format!(
                        "record #{index} at {pos:#x} has signature {other:#010x} instead of a \
                         central directory header"
                    ));
                }
                break;
            }
            Err(_) => {
                truncated = Some(format!("record #{index} at {pos:#x} is cut off"));
                break;
            }
        }
        if index >= limits.max_entries {
            sink.push(Anomaly::at(
                "zip_too_many_entries",
                pos,
                format!(
                    "the central directory holds more than {} entries (EOCD declares {}); \
                     the rest are skipped",
                    limits.max_entries, loc.declared_entries
                ),
            ));
            stopped_by_limit = true;
            break;
        }
        let h = match r.sub(pos, CDH_LEN) {
            Ok(h) if pos.saturating_add(CDH_LEN) <= end => h,
            _ => {
                truncated = Some(format!(
                    "record #{index} at {pos:#x}: header runs past the end"
                ));
                break;
            }
        };
        let (
            Ok(flags),
            Ok(method),
            Ok(crc32),
            Ok(c32),
            Ok(u32_),
            Ok(name_len),
            Ok(extra_len),
            Ok(comment_len),
            Ok(lho32),
        ) = (
            h.u16_at(8),
            h.u16_at(10),
            h.u32_at(16),
            h.u32_at(20),
            h.u32_at(24),
            h.u16_at(28),
            h.u16_at(30),
            h.u16_at(32),
            h.u32_at(42),
        )
        else {
            truncated = Some(format!("record #{index} at {pos:#x}: header unreadable"));
            break;
        };
        let name_at = pos.saturating_add(CDH_LEN);
        let extra_at = name_at.saturating_add(usize::from(name_len));
        let comment_at = extra_at.saturating_add(usize::from(extra_len));
        let next = comment_at.saturating_add(usize::from(comment_len));
        let (Ok(raw_name), Ok(extra)) = (
            r.bytes_at(name_at, usize::from(name_len)),
            r.bytes_at(extra_at, usize::from(extra_len)),
        ) else {
            truncated = Some(format!(
                "record #{index} at {pos:#x}: name or extra field runs past the end of the file"
            ));
            break;
        };
        if next > end {
            truncated = Some(format!(
                "record #{index} at {pos:#x}: name, extra field or comment runs past the end of \
                 the central directory"
            ));
            break;
        }
        let cd_index = index;
        index += 1;
        pos = next;

        if raw_name.len() > limits.max_name_len {
            sink.push(Anomaly::at(
                "zip_name_too_long",
                name_at,
                format!(
                    "central directory record #{cd_index}: {}-byte name exceeds the limit of {}; \
                     entry skipped",
                    raw_name.len(),
                    limits.max_name_len
                ),
            ));
            continue;
        }

        let max32 = u64::from(u32::MAX);
        let mut compressed_size = u64::from(c32);
        let mut uncompressed_size = u64::from(u32_);
        let mut lho = u64::from(lho32);
        let mut zip64 = false;
        let (wu, wc, wo) = (
            uncompressed_size == max32,
            compressed_size == max32,
            lho == max32,
        );
        let (name, utf8) = match std::str::from_utf8(raw_name) {
            Ok(s) => (s.to_owned(), true),
            Err(_) => (String::from_utf8_lossy(raw_name).into_owned(), false),
        };
        if wu || wc || wo {
            match zip64_extra(extra, wu, wc, wo) {
                Some(v) => {
                    uncompressed_size = v.uncompressed.unwrap_or(uncompressed_size);
                    compressed_size = v.compressed.unwrap_or(compressed_size);
                    lho = v.lho.unwrap_or(lho);
                    zip64 = true;
                }
                None => sink.push(Anomaly::at(
                    "zip_bad_zip64_extra",
                    extra_at,
                    format!(
                        "{name:?}: a size or offset is 0xffffffff but no zip64 extra field \
                         supplies it; the 32-bit value is used"
                    ),
                )),
            }
        }
        let local_header_offset = lho.saturating_add(shift);

        if !utf8 {
            lossy_names = true;
            sink.push(Anomaly::at(
                "zip_name_not_utf8",
                name_at,
                format!(
                    "{name:?}: entry name is not valid UTF-8 (shown lossily); libziparchive \
                     refuses such names (kInvalidEntryName)"
                ),
            ));
        }
        let why = suspicious_name(raw_name);
        if !why.is_empty() {
            sink.push(Anomaly::at(
                "zip_suspicious_entry_name",
                name_at,
                format!(
                    "{name:?}: entry name {}; nothing is ever extracted using it",
                    why.join(", ")
                ),
            ));
        }
        if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            sink.push(Anomaly::at(
                "zip_fake_encryption_flag",
                pos,
                format!(
                    "{name:?}: general purpose flags {flags:#06x} mark the entry encrypted; Android \
                     ignores the flag and reads the data as plain, and so do we"
                ),
            ));
        }
        if flags & FLAG_DATA_DESCRIPTOR != 0 {
            sink.push(Anomaly::new(
                "zip_data_descriptor",
                format!(
                    "{name:?}: flag bit 3 set (sizes and CRC follow the data in a data \
                     descriptor); sizes are taken from the central directory, as Android does"
                ),
            ));
        }
        if method != 0 && method != 8 {
            sink.push(Anomaly::new(
                "zip_unknown_method",
                format!(
                    "{name:?}: compression method {method} is neither stored (0) nor deflate (8); \
                     reading tries raw deflate first and falls back to stored, the way Android's \
                     resource loader maps any non-deflate entry as stored"
                ),
            ));
        }
        if method == 0 && compressed_size != uncompressed_size {
            sink.push(Anomaly::new(
                "zip_stored_size_mismatch",
                format!(
                    "{name:?}: stored entry declares {compressed_size} compressed and \
                     {uncompressed_size} uncompressed bytes; like Android we copy the \
                     uncompressed size"
                ),
            ));
        }

        let mut entry = Entry {
            name,
            method,
            flags,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
            index: cd_index,
            data_offset: None,
            zip64,
        };
        entry.data_offset = check_local(r, &entry, raw_name, sink);
        min_lho = Some(min_lho.map_or(local_header_offset, |m| m.min(local_header_offset)));

        let slot = entries.len();
        match by_name.entry(raw_name) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let first_index = entries.get(*first.get()).map_or(0, |e| e.index);
                sink.push(Anomaly::at(
                    "zip_duplicate_entry",
                    name_at,
                    format!(
                        "{:?} appears at central directory records #{first_index} and #{cd_index}; \
                         lookups by name return the first; Android 10 and later refuse to install \
                         an APK with duplicate entry names (kDuplicateEntry)",
                        entry.name
                    ),
                ));
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(slot);
            }
        }
        entries.push(entry);
    }

    if let Some(reason) = &truncated {
        sink.push(Anomaly::at(
            "zip_cd_truncated",
            pos,
            format!(
                "central directory ends early: {reason}; {index} of {} declared records read; \
                 Android refuses such an archive",
                loc.declared_entries
            ),
        ));
    }
    if index == 0 && loc.declared_entries > 0 && !stopped_by_limit {
        return Err(ArchiveError::TruncatedCentralDirectory {
            offset: loc.cd_start as u64,
            declared: loc.declared_entries,
        });
    }
    if !stopped_by_limit {
        if index as u64 != loc.declared_entries {
            let android = if (index as u64) < loc.declared_entries {
                "Android reads exactly the declared number of records and refuses the archive"
            } else {
                "Android reads only the declared number and never sees the rest"
            };
            sink.push(Anomaly::at(
                "zip_entry_count_mismatch",
                loc.eocd_offset,
                format!(
                    "the end-of-central-directory record declares {} entries but the central \
                     directory holds {index}; {android}",
                    loc.declared_entries
                ),
            ));
        }
        let walked = pos.saturating_sub(loc.cd_start) as u64;
        if truncated.is_none() && walked != loc.cd_size {
            sink.push(Anomaly::at(
                "zip_cd_size_mismatch",
                loc.cd_start,
                format!(
                    "the end-of-central-directory record declares a {}-byte central directory but \
                     its records span {walked} bytes",
                    loc.cd_size
                ),
            ));
        }
    }
    Ok(Walk {
        entries,
        by_name,
        lossy_names,
        min_lho,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(suspicious_name(b"res/a.xml").is_empty());
        assert!(suspicious_name(b"a..b/c").is_empty());
        assert_eq!(suspicious_name(b"../evil").len(), 1);
        assert_eq!(suspicious_name(b"a/../../x").len(), 1);
        assert_eq!(suspicious_name(b"/etc/passwd").len(), 1);
        assert_eq!(suspicious_name(b"C:\\x").len(), 2);
        assert_eq!(suspicious_name(b"a\x01b").len(), 1);
        assert_eq!(suspicious_name(b"a\x00b").len(), 1);
        assert_eq!(suspicious_name(b"..\\x").len(), 2);
    }

    #[test]
    fn zip64_extra_fields() {
        let mut extra = vec![0x99, 0x99, 0, 0]; // unrelated empty block
        extra.extend_from_slice(&[1, 0, 16, 0]);
        extra.extend_from_slice(&5u64.to_le_bytes());
        extra.extend_from_slice(&7u64.to_le_bytes());
        let v = zip64_extra(&extra, false, true, true).unwrap();
        assert_eq!(v.compressed, Some(5));
        assert_eq!(v.lho, Some(7));
        assert!(zip64_extra(&extra, true, true, true).is_none());
        assert!(zip64_extra(&[1, 0, 200, 0], true, false, false).is_none());
    }
}

//! Finding the end-of-central-directory record (EOCD, APPNOTE 4.3.16), the
//! ZIP64 locator and record (4.3.14, 4.3.15), and from them the central
//! directory.
//!
//! libziparchive scans backwards from the end of the file over at most
//! 65,535 + 22 bytes, takes the *first* signature it meets (the last one in
//! the file) and refuses the file unless that record plus its comment ends
//! exactly at the end of the file. We scan the same way but, to keep going
//! on hostile files, fall back to an earlier candidate when Android's would
//! fail, saying so in an anomaly.

use super::error::ArchiveError;
use super::sink::Sink;
use crate::reader::{Anomaly, Reader};

pub(crate) const EOCD_SIG: u32 = 0x0605_4b50;
pub(crate) const EOCD_LEN: usize = 22;
pub(crate) const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
pub(crate) const ZIP64_LOCATOR_LEN: usize = 20;
pub(crate) const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
pub(crate) const ZIP64_EOCD_LEN: usize = 56;
pub(crate) const CDH_SIG: u32 = 0x0201_4b50;
/// Largest comment plus the record itself: how far back the scan goes.
pub(crate) const MAX_EOCD_SEARCH: usize = 0xffff + EOCD_LEN;

/// Where the central directory is, as decided from the EOCD.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    /// Offset of the EOCD record used.
    pub eocd_offset: usize,
    /// Length of its comment.
    pub comment_len: usize,
    /// Absolute offset of the first central directory header.
    pub cd_start: usize,
    /// Central directory size the EOCD (or ZIP64 record) declares.
    pub cd_size: u64,
    /// The central directory must end before this offset (the EOCD or the ZIP64 record).
    pub cd_end_limit: usize,
    /// Entry count the EOCD (or ZIP64 record) declares.
    pub declared_entries: u64,
    /// Bytes added to every offset from the file to compensate for data
    /// prepended without fixing the offsets.
    pub shift: usize,
    /// A ZIP64 end-of-central-directory record was used.
    pub zip64: bool,
}

#[derive(Debug, Clone, Copy)]
struct Eocd {
    pos: usize,
    entries: u16,
    cd_size: u32,
    cd_offset: u32,
    comment_len: u16,
}

fn read_eocd(r: &Reader<'_>, pos: usize) -> Option<Eocd> {
    let h = r.sub(pos, EOCD_LEN).ok()?;
    Some(Eocd {
        pos,
        entries: h.u16_at(10).ok()?,
        cd_size: h.u32_at(12).ok()?,
        cd_offset: h.u32_at(16).ok()?,
        comment_len: h.u16_at(20).ok()?,
    })
}

fn sig_at(r: &Reader<'_>, pos: usize, sig: u32) -> bool {
    r.u32_at(pos).map(|s| s == sig).unwrap_or(false)
}

/// All EOCD signature positions in the search window, last in the file first.
fn candidates(r: &Reader<'_>) -> Vec<usize> {
    let len = r.len();
    let start = len.saturating_sub(MAX_EOCD_SEARCH);
    let Ok(window) = r.bytes_at(start, len - start) else {
        return Vec::new();
    };
    let sig = EOCD_SIG.to_le_bytes();
    let mut out = Vec::new();
    // Skip 64-byte chunks without a 'P' with one vectorisable test each;
    // only chunks holding one are checked position by position.
    const CHUNK: usize = 64;
    for (ci, chunk) in window.chunks(CHUNK).enumerate().rev() {
        if !chunk.iter().fold(false, |acc, &b| acc | (b == b'P')) {
            continue;
        }
        for j in (0..chunk.len()).rev() {
            let i = ci.saturating_mul(CHUNK).saturating_add(j);
            if i.saturating_add(EOCD_LEN) <= window.len()
                && window.get(i..i.saturating_add(4)) == Some(&sig[..])
            {
                out.push(start.saturating_add(i));
            }
        }
    }
    out
}

/// What a ZIP64 end-of-central-directory record says.
#[derive(Debug, Clone, Copy)]
struct Zip64Eocd {
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    /// Where the record actually is (the central directory ends before it).
    record_pos: usize,
}

/// Reads the ZIP64 locator and record for `e`; `None` when there is no
/// locator and none is needed (a plain archive with exactly 65,535 entries).
fn zip64(r: &Reader<'_>, e: &Eocd) -> Result<Option<Zip64Eocd>, ArchiveError> {
    let needs = e.cd_size == u32::MAX || e.cd_offset == u32::MAX;
    let loc_pos = e.pos.checked_sub(ZIP64_LOCATOR_LEN);
    let Some(loc_pos) = loc_pos.filter(|&p| sig_at(r, p, ZIP64_LOCATOR_SIG)) else {
        if needs {
            return Err(ArchiveError::BadZip64 {
                offset: e.pos.saturating_sub(ZIP64_LOCATOR_LEN) as u64,
                reason: "EOCD fields are 0xffffffff but there is no zip64 locator before it",
            });
        }
        return Ok(None);
    };
    let bad = |reason| ArchiveError::BadZip64 {
        offset: loc_pos as u64,
        reason,
    };
    let mut lr = r
        .sub(loc_pos, ZIP64_LOCATOR_LEN)
        .map_err(|_| bad("truncated zip64 locator"))?;
    lr.skip(8).map_err(|_| bad("truncated zip64 locator"))?;
    let declared = lr.u64().map_err(|_| bad("truncated zip64 locator"))?;
    // The record is where the locator says, or (data prepended without
    // fixing offsets) immediately before the locator.
    let implied = loc_pos.checked_sub(ZIP64_EOCD_LEN);
    let rec_pos = match usize::try_from(declared) {
        Ok(p) if p < loc_pos && sig_at(r, p, ZIP64_EOCD_SIG) => p,
        Ok(p) => match implied {
            Some(i) if i > p && sig_at(r, i, ZIP64_EOCD_SIG) => i,
            _ => {
                return Err(bad(
                    "no zip64 end-of-central-directory record where the locator points",
                ))
            }
        },
        Err(_) => return Err(bad("zip64 record offset does not fit in memory")),
    };
    let mut rr = r
        .sub(rec_pos, ZIP64_EOCD_LEN)
        .map_err(|_| bad("truncated zip64 end-of-central-directory record"))?;
    rr.skip(32).map_err(|_| bad("truncated zip64 record"))?;
    let entries = rr.u64().map_err(|_| bad("truncated zip64 record"))?;
    let cd_size = rr.u64().map_err(|_| bad("truncated zip64 record"))?;
    let cd_offset = rr.u64().map_err(|_| bad("truncated zip64 record"))?;
    Ok(Some(Zip64Eocd {
        entries,
        cd_size,
        cd_offset,
        record_pos: rec_pos,
    }))
}

/// Decides where the central directory of EOCD `e` is.
fn locate_cd(r: &Reader<'_>, e: &Eocd) -> Result<Located, ArchiveError> {
    let mut declared_entries = u64::from(e.entries);
    let mut cd_size = u64::from(e.cd_size);
    let mut cd_offset = u64::from(e.cd_offset);
    let mut end_limit = e.pos;
    let mut zip64_used = false;
    if e.cd_size == u32::MAX || e.cd_offset == u32::MAX || e.entries == u16::MAX {
        if let Some(z) = zip64(r, e)? {
            declared_entries = z.entries;
            cd_size = z.cd_size;
            cd_offset = z.cd_offset;
            end_limit = z.record_pos;
            zip64_used = true;
        }
    }
    let not_found = ArchiveError::CentralDirectoryNotFound {
        eocd_offset: e.pos as u64,
        declared_offset: cd_offset,
    };
    let declared = usize::try_from(cd_offset).ok();
    // 1. Where the EOCD says.
    if let Some(d) = declared.filter(|&d| d < end_limit && sig_at(r, d, CDH_SIG)) {
        return Ok(Located {
            eocd_offset: e.pos,
            comment_len: usize::from(e.comment_len),
            cd_start: d,
            cd_size,
            cd_end_limit: end_limit,
            declared_entries,
            shift: 0,
            zip64: zip64_used,
        });
    }
    // 2. Immediately before the EOCD, with every offset shifted by the same
    //    amount (bytes prepended to an archive whose offsets were not fixed).
    let implied = usize::try_from(cd_size)
        .ok()
        .and_then(|s| end_limit.checked_sub(s));
    if let (Some(d), Some(i)) = (declared, implied) {
        if i > d && sig_at(r, i, CDH_SIG) {
            return Ok(Located {
                eocd_offset: e.pos,
                comment_len: usize::from(e.comment_len),
                cd_start: i,
                cd_size,
                cd_end_limit: end_limit,
                declared_entries,
                shift: i - d,
                zip64: zip64_used,
            });
        }
    }
    // 3. An empty archive has no central directory to find.
    if declared_entries == 0 && cd_size == 0 {
        return Ok(Located {
            eocd_offset: e.pos,
            comment_len: usize::from(e.comment_len),
            cd_start: end_limit,
            cd_size,
            cd_end_limit: end_limit,
            declared_entries,
            shift: 0,
            zip64: zip64_used,
        });
    }
    Err(not_found)
}

fn list_offsets(offsets: &[usize]) -> String {
    let mut s: Vec<String> = offsets.iter().take(8).map(|o| format!("{o:#x}")).collect();
    if offsets.len() > 8 {
        s.push(format!("and {} more", offsets.len() - 8));
    }
    s.join(", ")
}

/// Finds the EOCD and the central directory, recording archive-level anomalies.
pub(crate) fn locate(r: &Reader<'_>, sink: &mut Sink) -> Result<Located, ArchiveError> {
    let len = r.len();
    let cands = candidates(r);
    let Some(&android_pos) = cands.first() else {
        return Err(ArchiveError::NotZip);
    };
    let mut first_err: Option<ArchiveError> = None;
    let mut exact: Option<Located> = None;
    let mut loose: Option<Located> = None;
    for &pos in &cands {
        let Some(e) = read_eocd(r, pos) else { continue };
        match locate_cd(r, &e) {
            Ok(l) => {
                let ends_at_eof = pos
                    .saturating_add(EOCD_LEN)
                    .saturating_add(usize::from(e.comment_len))
                    == len;
                if ends_at_eof {
                    exact = Some(l);
                    break;
                }
                if loose.is_none() {
                    loose = Some(l);
                }
            }
            Err(err) => {
                if first_err.is_none() {
                    first_err = Some(err);
                }
            }
        }
    }
    let Some(loc) = exact.clone().or(loose) else {
        return Err(first_err.unwrap_or(ArchiveError::NotZip));
    };
    let end = loc
        .eocd_offset
        .saturating_add(EOCD_LEN)
        .saturating_add(loc.comment_len);
    if exact.is_none() {
        sink.push(Anomaly::at(
            "zip_trailing_data",
            end.min(len),
            format!(
                "{} bytes follow the end-of-central-directory record at {:#x} and its {}-byte \
                 comment (or the comment length overruns the file by {} bytes); Android \
                 (libziparchive) refuses such a file",
                len.saturating_sub(end),
                loc.eocd_offset,
                loc.comment_len,
                end.saturating_sub(len)
            ),
        ));
    }
    if loc.comment_len > 0 {
        sink.push(Anomaly::at(
            "zip_eocd_comment",
            loc.eocd_offset,
            format!(
                "the end-of-central-directory record at {:#x} is followed by a {}-byte archive \
                 comment, so it is not in the last 22 bytes",
                loc.eocd_offset, loc.comment_len
            ),
        ));
    }
    // Signatures before the central directory are inside entry data (nested
    // archives stored uncompressed) and are not suspicious; those after it are.
    let others: Vec<usize> = cands
        .iter()
        .copied()
        .filter(|&p| p != loc.eocd_offset && p > loc.cd_start)
        .collect();
    if !others.is_empty() {
        let why = if android_pos == loc.eocd_offset {
            "it is the last one in the file, ends exactly at the end of the file and its central \
             directory is readable; libziparchive makes the same choice"
                .to_string()
        } else {
            let android_fails = read_eocd(r, android_pos).is_none_or(|e| {
                android_pos
                    .saturating_add(EOCD_LEN)
                    .saturating_add(usize::from(e.comment_len))
                    != len
            });
            format!(
                "it is the last one that ends exactly at the end of the file with a readable \
                 central directory; Android (libziparchive) takes the last signature, at {:#x}, \
                 and {}",
                android_pos,
                if android_fails {
                    "refuses the file because that record does not end at the end of the file"
                } else {
                    "refuses the file because its central directory is unreadable"
                }
            )
        };
        sink.push(Anomaly::at(
            "zip_multiple_eocd",
            loc.eocd_offset,
            format!(
                "{} other end-of-central-directory signature(s) after the central directory (at \
                 {}); used the record at {:#x} because {why}",
                others.len(),
                list_offsets(&others),
                loc.eocd_offset
            ),
        ));
    }
    if loc.cd_start < loc.cd_end_limit {
        let cd_end = usize::try_from(loc.cd_size)
            .ok()
            .and_then(|s| loc.cd_start.checked_add(s));
        if let Some(cd_end) = cd_end.filter(|&e| e < loc.cd_end_limit) {
            sink.push(Anomaly::at(
                "zip_cd_gap",
                cd_end,
                format!(
                    "{} bytes lie between the end of the central directory ({cd_end:#x}) and the \
                     end-of-central-directory record ({:#x}); the EOCD is not where it normally is",
                    loc.cd_end_limit - cd_end,
                    loc.cd_end_limit
                ),
            ));
        }
    }
    Ok(loc)
}

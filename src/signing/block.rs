//! The APK Signing Block: the ID-value store that sits immediately before the
//! zip central directory (source.android.com, "APK Signature Scheme v2",
//! section "APK Signing Block"; apksig `ApkSigningBlockUtils.findApkSigningBlock`).
//!
//! ```text
//! u64  size of block in bytes (excluding this field)
//! ID-value pairs: u64 length (of id + value), u32 id, value
//! u64  size of block in bytes (same value as the first field)
//! 16   magic "APK Sig Block 42"
//! ```
//!
//! Like Android, a block whose sizes are out of range or disagree is not a
//! block at all (so no v2/v3 signature), and when an ID occurs twice the
//! first occurrence is the one a verifier finds.

use crate::reader::{Anomaly, Reader};

/// The footer magic.
pub(crate) const MAGIC: &[u8; 16] = b"APK Sig Block 42";

/// Most ID-value pairs read from one block.
pub(crate) const MAX_PAIRS: usize = 4096;

/// Block IDs with a known meaning.
pub(crate) const ID_V2: u32 = 0x7109_871a;
pub(crate) const ID_V3: u32 = 0xf053_68c0;
pub(crate) const ID_V31: u32 = 0x1b93_ad61;

/// The name of a known block ID.
pub(crate) fn block_name(id: u32) -> Option<&'static str> {
    Some(match id {
        ID_V2 => "APK Signature Scheme v2",
        ID_V3 => "APK Signature Scheme v3",
        ID_V31 => "APK Signature Scheme v3.1",
        0x4272_6577 => "verity padding",
        0x2b09_189e => "source stamp v1",
        0x6dff_800d => "source stamp v2",
        0x2146_444e => "Google Play frosting",
        0x504b_4453 => "dependency info",
        0x7177_7777 => "Meituan Walle channel",
        0x8811_55ff => "VasDolly channel",
        _ => return None,
    })
}

/// One ID-value pair.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair<'a> {
    /// The pair's ID.
    pub id: u32,
    /// Declared length of the pair (ID + value).
    pub size: u64,
    /// The value.
    pub value: &'a [u8],
    /// Absolute offset of the value.
    pub value_offset: usize,
}

/// A located APK Signing Block.
#[derive(Debug, Clone)]
pub(crate) struct SigningBlock<'a> {
    /// Absolute offset of the block (its leading size field).
    pub start: usize,
    /// Pairs in file order (duplicates included).
    pub pairs: Vec<Pair<'a>>,
}

impl<'a> SigningBlock<'a> {
    /// The first pair with this ID (the one Android's lookup finds).
    pub fn first(&self, id: u32) -> Option<&Pair<'a>> {
        self.pairs.iter().find(|p| p.id == id)
    }
}

/// Finds and reads the block that ends at `cd_offset`. `None` (with no
/// anomaly) when the footer magic is absent; `None` with an anomaly when the
/// footer is there but the block cannot be the real one.
pub(crate) fn locate<'a>(
    data: &'a [u8],
    cd_offset: usize,
    anomalies: &mut Vec<Anomaly>,
) -> Option<SigningBlock<'a>> {
    let file = Reader::new(data);
    let footer_at = cd_offset.checked_sub(24)?;
    let footer = file.bytes_at(footer_at, 24).ok()?;
    let (size_bytes, magic) = footer.split_at(8);
    if magic != MAGIC {
        return None;
    }
    let mut fr = Reader::with_base(size_bytes, footer_at);
    let size = fr.u64().ok()?;
    // Android: size >= 24 (the footer itself) and total (size + 8) fits
    // before the central directory.
    let start = size
        .checked_add(8)
        .and_then(|total| usize::try_from(total).ok())
        .and_then(|total| cd_offset.checked_sub(total));
    let start = match start {
        Some(s) if size >= 24 && size <= i32::MAX as u64 - 8 => s,
        _ => {
            anomalies.push(Anomaly::at(
                "sig_block_bad_size",
                footer_at,
                format!(
                    "APK Signing Block footer declares {size} bytes but only {cd_offset} bytes \
                     precede the central directory (or fewer than 24); Android treats the APK \
                     as having no v2/v3 signature"
                ),
            ));
            return None;
        }
    };
    let header = file.bytes_at(start, 8).ok()?;
    let mut hr = Reader::with_base(header, start);
    let header_size = hr.u64().ok()?;
    if header_size != size {
        anomalies.push(Anomaly::at(
            "sig_block_size_mismatch",
            start,
            format!(
                "APK Signing Block header declares {header_size} bytes but its footer {size}; \
                 Android treats the APK as having no v2/v3 signature"
            ),
        ));
        return None;
    }
    let pairs_start = start.saturating_add(8);
    let pairs_len = footer_at.saturating_sub(pairs_start);
    let mut r = file.sub(pairs_start, pairs_len).ok()?;
    let mut pairs = Vec::new();
    while r.remaining() > 0 {
        if pairs.len() >= MAX_PAIRS {
            anomalies.push(Anomaly::at(
                "sig_limit_reached",
                r.abs_pos(),
                format!("more than {MAX_PAIRS} ID-value pairs in the APK Signing Block; the rest were not read"),
            ));
            break;
        }
        let at = r.abs_pos();
        let Ok(len) = r.u64() else {
            anomalies.push(Anomaly::at(
                "sig_block_pair_malformed",
                at,
                format!(
                    "{} bytes left in the APK Signing Block, too few for a pair length; \
                     Android fails to read pairs past this point",
                    r.remaining()
                ),
            ));
            break;
        };
        let fits = usize::try_from(len)
            .ok()
            .filter(|&l| l >= 4 && l <= r.remaining());
        let Some(len) = fits else {
            anomalies.push(Anomaly::at(
                "sig_block_pair_malformed",
                at,
                format!(
                    "ID-value pair declares {len} bytes but {} remain in the APK Signing Block \
                     (and at least 4 are needed for the ID); Android fails to read pairs past this point",
                    r.remaining()
                ),
            ));
            break;
        };
        let Ok(id) = r.u32() else { break };
        let value_offset = r.abs_pos();
        let Ok(value) = r.bytes(len - 4) else { break };
        pairs.push(Pair {
            id,
            size: len as u64,
            value,
            value_offset,
        });
    }
    Some(SigningBlock { start, pairs })
}

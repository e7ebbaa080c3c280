//! The v2/v3 content digest (source.android.com "APK Signature Scheme v2",
//! section "Integrity-protected contents"; apksig
//! `ApkSigningBlockUtils.computeContentDigests`).
//!
//! The APK minus its signing block is three sections: the zip entries
//! (`[0, signing block)`), the central directory (`[cd, eocd)`) and the
//! end-of-central-directory record to the end of the file, with its
//! central-directory offset replaced by the signing block's offset. Each is
//! cut into 1 MiB chunks; each chunk is hashed as `0xa5 ‖ u32 len ‖ chunk`,
//! and the top-level digest is `0x5a ‖ u32 count ‖ chunk digests`.
//!
//! Only the CHUNKED_SHA256 / CHUNKED_SHA512 digests are recomputed; the
//! verity (Merkle tree) ones of algorithms 0x0421/0x0423/0x0425 are not.
//! A mismatch means the APK was changed after signing (Android rejects
//! it); a match is not a verified signature.

use sha2::{Digest, Sha256, Sha512};

use crate::reader::Reader;

const CHUNK: usize = 1 << 20;

/// Hash family of a signature algorithm's content digest, if chunked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chunked {
    Sha256,
    Sha512,
}

impl Chunked {
    /// The chunked digest used by signature algorithm `alg`, if any.
    pub fn for_algorithm(alg: u32) -> Option<Chunked> {
        match alg {
            0x0101 | 0x0103 | 0x0201 | 0x0301 => Some(Chunked::Sha256),
            0x0102 | 0x0104 | 0x0202 => Some(Chunked::Sha512),
            _ => None,
        }
    }

    /// Name for anomaly details.
    pub fn name(self) -> &'static str {
        match self {
            Chunked::Sha256 => "SHA-256",
            Chunked::Sha512 => "SHA-512",
        }
    }
}

fn chunked<D: Digest>(sections: &[&[u8]]) -> Vec<u8> {
    let mut chunk_digests = Vec::new();
    let mut count: u32 = 0;
    for section in sections {
        for chunk in section.chunks(CHUNK) {
            let mut h = D::new();
            h.update([0xa5]);
            h.update((chunk.len() as u32).to_le_bytes());
            h.update(chunk);
            chunk_digests.extend_from_slice(&h.finalize());
            count = count.wrapping_add(1);
        }
    }
    let mut top = D::new();
    top.update([0x5a]);
    top.update(count.to_le_bytes());
    top.update(&chunk_digests);
    top.finalize().to_vec()
}

/// The content digest of `file` whose signing block starts at
/// `block_start`, central directory at `cd`, EOCD at `eocd`; `None` when
/// the offsets do not fit the file.
pub(crate) fn content_digest(
    file: &[u8],
    block_start: usize,
    cd: usize,
    eocd: usize,
    kind: Chunked,
) -> Option<Vec<u8>> {
    let r = Reader::new(file);
    let entries = r.bytes_at(0, block_start).ok()?;
    let central = r.bytes_at(cd, eocd.checked_sub(cd)?).ok()?;
    let mut eocd_rec = r
        .bytes_at(eocd, file.len().checked_sub(eocd)?)
        .ok()?
        .to_vec();
    let offset = u32::try_from(block_start).ok()?.to_le_bytes();
    eocd_rec.get_mut(16..20)?.copy_from_slice(&offset);
    let sections: [&[u8]; 3] = [entries, central, &eocd_rec];
    Some(match kind {
        Chunked::Sha256 => chunked::<Sha256>(&sections),
        Chunked::Sha512 => chunked::<Sha512>(&sections),
    })
}

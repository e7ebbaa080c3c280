//! `ResStringPool` (AOSP `ResourceTypes.h`, chunk type `RES_STRING_POOL_TYPE`
//! = 0x0001), shared by binary XML and resources.arsc.
//!
//! Layout: `ResChunk_header` (type, headerSize, size), then `stringCount`,
//! `styleCount`, `flags` (`SORTED_FLAG` = 1, `UTF8_FLAG` = 0x100),
//! `stringsStart`, `stylesStart`, then `stringCount` u32 offsets and
//! `styleCount` u32 offsets. A UTF-16 string is a u16 length (high bit =
//! one more u16 of length) followed by code units and a 0 terminator; a UTF-8
//! string is its UTF-16 length then its UTF-8 byte length (each one byte, or
//! two when the high bit is set) followed by the bytes and a 0 terminator.
//!
//! Tolerated: a `stringCount` larger than the bytes can hold (clamped to
//! what fits, recorded as an [`Anomaly`]) and a bad `stringsStart` (likewise);
//! silently, per string, since strings decode lazily: missing terminators
//! (Android's `string8At` would return NULL; we keep the declared length),
//! invalid UTF-8/UTF-16 (decoded lossily) and lengths running past the pool
//! (truncated to the bytes present).
//! Strings are decoded on demand, so a huge pool costs one copy, not one
//! allocation per string.

use crate::reader::{Anomaly, ReadResult, Reader};

/// `ResStringPool_header::UTF8_FLAG`.
pub const UTF8_FLAG: u32 = 0x100;
/// `RES_STRING_POOL_TYPE`.
pub const RES_STRING_POOL_TYPE: u16 = 0x0001;

/// A decoded-on-demand string pool.
#[derive(Debug, Clone, Default)]
pub struct StringPool {
    /// Bytes of the string data area (from `stringsStart` to the chunk end).
    strings: Vec<u8>,
    /// Offsets of each string inside `strings`.
    offsets: Vec<u32>,
    utf8: bool,
}

impl StringPool {
    /// Parses a pool from a reader positioned over exactly the pool chunk
    /// (header included). `anomalies` receives what was tolerated.
    pub fn parse(chunk: &Reader<'_>, anomalies: &mut Vec<Anomaly>) -> ReadResult<StringPool> {
        let base = chunk.abs_pos();
        let header_size = usize::from(chunk.u16_at(2)?);
        let string_count = chunk.u32_at(8)? as usize;
        let style_count = chunk.u32_at(12)? as usize;
        let flags = chunk.u32_at(16)?;
        let strings_start = chunk.u32_at(20)? as usize;
        let _styles_start = chunk.u32_at(24)?;
        let utf8 = flags & UTF8_FLAG != 0;

        let index_start = header_size.max(28);
        let index_room = chunk.len().saturating_sub(index_start) / 4;
        let mut count = string_count;
        // Offsets may not run into the string data (when it is declared).
        let limit = if strings_start > index_start {
            index_room.min((strings_start - index_start) / 4)
        } else {
            index_room
        };
        if count > limit {
            anomalies.push(Anomaly::at(
                "string_pool_count_too_large",
                base,
                format!("declares {string_count} strings but only {limit} offsets fit"),
            ));
            count = limit;
        }
        let _ = style_count;

        let mut idx = Reader::new(chunk.data());
        idx.seek(index_start.min(chunk.len()))?;
        idx.check_count(count, 4)?;
        let mut offsets = Vec::with_capacity(count);
        for _ in 0..count {
            offsets.push(idx.u32()?);
        }

        let strings = if count == 0 {
            Vec::new()
        } else if strings_start == 0 || strings_start >= chunk.len() {
            anomalies.push(Anomaly::at(
                "string_pool_bad_strings_start",
                base,
                format!(
                    "stringsStart {strings_start:#x} lies outside the {}-byte chunk",
                    chunk.len()
                ),
            ));
            offsets.clear();
            Vec::new()
        } else {
            chunk
                .bytes_at(strings_start, chunk.len() - strings_start)?
                .to_vec()
        };
        Ok(StringPool {
            strings,
            offsets,
            utf8,
        })
    }

    /// Number of strings that can be looked up.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// True when the pool holds no strings.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// Whether the pool stores UTF-8 (else UTF-16).
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// String number `index`, decoded leniently; `None` when the index or
    /// its offset is out of range.
    pub fn get(&self, index: u32) -> Option<String> {
        let offset = *self.offsets.get(index as usize)? as usize;
        let mut r = Reader::new(&self.strings);
        r.seek(offset).ok()?;
        if self.utf8 {
            decode_utf8(&mut r)
        } else {
            decode_utf16(&mut r)
        }
    }

    /// Like [`StringPool::get`] but for the `u32` "no string" sentinel
    /// (0xffffffff) used throughout the formats.
    pub fn get_opt(&self, index: u32) -> Option<String> {
        if index == u32::MAX {
            None
        } else {
            self.get(index)
        }
    }
}

fn utf8_len(r: &mut Reader<'_>) -> Option<usize> {
    let b0 = r.u8().ok()?;
    if b0 & 0x80 != 0 {
        let b1 = r.u8().ok()?;
        Some((usize::from(b0 & 0x7f) << 8) | usize::from(b1))
    } else {
        Some(usize::from(b0))
    }
}

fn decode_utf8(r: &mut Reader<'_>) -> Option<String> {
    let _utf16_len = utf8_len(r)?;
    let len = utf8_len(r)?;
    // Trust the bytes present over the declared length; also stop at a NUL
    // if the declared length runs past where the terminator really is.
    let avail = r.remaining();
    let bytes = r.bytes(len.min(avail)).ok()?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

fn decode_utf16(r: &mut Reader<'_>) -> Option<String> {
    let first = r.u16().ok()?;
    let len = if first & 0x8000 != 0 {
        let second = r.u16().ok()?;
        (usize::from(first & 0x7fff) << 16) | usize::from(second)
    } else {
        usize::from(first)
    };
    let avail = r.remaining() / 2;
    let n = len.min(avail);
    let bytes = r.bytes(n * 2).ok()?;
    // Fast path: pure ASCII (most names and class names) needs no decoding.
    if bytes
        .chunks_exact(2)
        .all(|c| matches!(c, [lo, 0] if *lo < 0x80))
    {
        return String::from_utf8(bytes.iter().step_by(2).copied().collect()).ok();
    }
    let units = bytes.chunks_exact(2).map(|c| {
        u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a pool chunk for tests (UTF-8 or UTF-16).
    pub(crate) fn build_pool(strings: &[&str], utf8: bool) -> Vec<u8> {
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for s in strings {
            offsets.push(data.len() as u32);
            if utf8 {
                let u16len = s.encode_utf16().count();
                push_len8(&mut data, u16len);
                push_len8(&mut data, s.len());
                data.extend_from_slice(s.as_bytes());
                data.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                data.extend_from_slice(&(units.len() as u16).to_le_bytes());
                for u in units {
                    data.extend_from_slice(&u.to_le_bytes());
                }
                data.extend_from_slice(&[0, 0]);
            }
        }
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let header = 28usize;
        let strings_start = header + 4 * strings.len();
        let size = strings_start + data.len();
        let mut out = Vec::new();
        out.extend_from_slice(&RES_STRING_POOL_TYPE.to_le_bytes());
        out.extend_from_slice(&(header as u16).to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(if utf8 { UTF8_FLAG } else { 0 }).to_le_bytes());
        out.extend_from_slice(&(strings_start as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for o in offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(&data);
        out
    }

    fn push_len8(out: &mut Vec<u8>, len: usize) {
        if len > 0x7f {
            out.push(0x80 | (len >> 8) as u8);
            out.push(len as u8);
        } else {
            out.push(len as u8);
        }
    }

    #[test]
    fn decodes_utf8_and_utf16() {
        for utf8 in [true, false] {
            let chunk = build_pool(&["app_name", "市民投诉", &"x".repeat(300)], utf8);
            let mut an = Vec::new();
            let pool = StringPool::parse(&Reader::new(&chunk), &mut an).unwrap();
            assert_eq!(pool.len(), 3);
            assert_eq!(pool.get(0).as_deref(), Some("app_name"));
            assert_eq!(pool.get(1).as_deref(), Some("市民投诉"));
            assert_eq!(pool.get(2).map(|s| s.len()), Some(300));
            assert_eq!(pool.get(3), None);
            assert!(an.is_empty());
        }
    }

    #[test]
    fn lying_count_is_clamped() {
        let mut chunk = build_pool(&["a", "b"], true);
        chunk[8..12].copy_from_slice(&1_000_000u32.to_le_bytes());
        let mut an = Vec::new();
        let pool = StringPool::parse(&Reader::new(&chunk), &mut an).unwrap();
        assert_eq!(pool.len(), 2);
        assert_eq!(an[0].code, "string_pool_count_too_large");
        assert_eq!(pool.get(1).as_deref(), Some("b"));
    }

    #[test]
    fn length_past_end_is_truncated() {
        let mut chunk = build_pool(&["abc"], true);
        let last = chunk.len();
        // declared utf8 length 3 -> 0x7f
        let pos = 28 + 4 + 1;
        chunk[pos] = 0x7f;
        let mut an = Vec::new();
        let pool = StringPool::parse(&Reader::new(&chunk[..last]), &mut an).unwrap();
        assert!(pool.get(0).unwrap().starts_with("abc"));
    }
}

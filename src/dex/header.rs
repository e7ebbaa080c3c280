//! `header_item`: the fixed 0x70-byte (0x78 from version 041) header at the
//! start of every DEX file, and the Adler-32 used for its `checksum`.

use super::DexError;
use crate::reader::Reader;

/// Size of `header_item` up to version 040.
pub(crate) const HEADER_SIZE: usize = 0x70;
/// Size of `header_item` from version 041 (adds `container_size` and
/// `header_offset`).
pub(crate) const HEADER_SIZE_V41: usize = 0x78;
/// `ENDIAN_CONSTANT`.
pub(crate) const ENDIAN_CONSTANT: u32 = 0x1234_5678;
/// `REVERSE_ENDIAN_CONSTANT`.
pub(crate) const REVERSE_ENDIAN_CONSTANT: u32 = 0x7856_3412;
/// First version with containers.
pub(crate) const CONTAINER_VERSION: u32 = 41;

/// A `(size, off)` pair of the header.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SizeOff {
    pub size: u32,
    pub off: u32,
}

/// The fields of `header_item`, in spec order.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// The three digits of the magic, as a number (35, 37, ... 41).
    pub version: u32,
    pub checksum: u32,
    pub signature: [u8; 20],
    pub file_size: u32,
    pub header_size: u32,
    pub endian_tag: u32,
    pub link: SizeOff,
    pub map_off: u32,
    pub string_ids: SizeOff,
    pub type_ids: SizeOff,
    pub proto_ids: SizeOff,
    pub field_ids: SizeOff,
    pub method_ids: SizeOff,
    pub class_defs: SizeOff,
    pub data: SizeOff,
    /// `container_size` and `header_offset` (version 041+ with a 0x78-byte header).
    pub container: Option<(u32, u32)>,
}

/// Reads the header starting at `at` in `data`.
///
/// Fails only when the bytes there are not a DEX header at all: no
/// `dex\n` magic with a three-digit version, or fewer bytes than a header.
pub(crate) fn read(data: &[u8], at: usize) -> Result<Header, DexError> {
    let rest = data.get(at..).unwrap_or_default();
    let Some(magic) = rest.get(..8) else {
        let n = rest.len().min(4);
        return if rest.get(..n) == b"dex\n".get(..n) {
            Err(DexError::TooShort { len: rest.len() })
        } else {
            Err(DexError::BadMagic)
        };
    };
    let version = match magic {
        [b'd', b'e', b'x', b'\n', d0, d1, d2, 0]
            if d0.is_ascii_digit() && d1.is_ascii_digit() && d2.is_ascii_digit() =>
        {
            u32::from(d0 - b'0') * 100 + u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0')
        }
        _ => return Err(DexError::BadMagic),
    };
    let too_short = DexError::TooShort { len: rest.len() };
    let r = Reader::with_base(rest, at);
    let w = |off: usize| r.u32_at(off).map_err(|_| too_short.clone());
    let so = |off: usize| -> Result<SizeOff, DexError> {
        Ok(SizeOff {
            size: w(off)?,
            off: w(off + 4)?,
        })
    };
    let mut signature = [0u8; 20];
    signature.copy_from_slice(r.bytes_at(0x0c, 20).map_err(|_| too_short.clone())?);
    let header_size = w(0x24)?;
    let mut h = Header {
        version,
        checksum: w(0x08)?,
        signature,
        file_size: w(0x20)?,
        header_size,
        endian_tag: w(0x28)?,
        link: so(0x2c)?,
        map_off: w(0x34)?,
        string_ids: so(0x38)?,
        type_ids: so(0x40)?,
        proto_ids: so(0x48)?,
        field_ids: so(0x50)?,
        method_ids: so(0x58)?,
        class_defs: so(0x60)?,
        data: so(0x68)?,
        container: None,
    };
    if version >= CONTAINER_VERSION && header_size as usize >= HEADER_SIZE_V41 {
        if let (Ok(size), Ok(off)) = (w(0x70), w(0x74)) {
            h.container = Some((size, off));
        }
    }
    Ok(h)
}

/// Adler-32 (RFC 1950) of `data`, as the `checksum` field uses it.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // Largest n such that 255 n (n + 1) / 2 + (n + 1)(MOD - 1) < 2^32.
    const NMAX: usize = 5552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        let mut quads = chunk.chunks_exact(4);
        for q in &mut quads {
            if let &[x0, x1, x2, x3] = q {
                a += u32::from(x0);
                b += a;
                a += u32::from(x1);
                b += a;
                a += u32::from(x2);
                b += a;
                a += u32::from(x3);
                b += a;
            }
        }
        for &x in quads.remainder() {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        let big = vec![0xffu8; 100_000];
        // Reference computed with Python's zlib.adler32.
        const ADLER_100K_FF: u32 = 0x149a_302c;
        assert_eq!(adler32(&big), ADLER_100K_FF);
    }

    #[test]
    fn rejects_non_dex() {
        assert!(matches!(read(b"PK\x03\x04", 0), Err(DexError::BadMagic)));
        assert!(matches!(read(b"dex", 0), Err(DexError::TooShort { .. })));
        assert!(matches!(
            read(b"dex\n03x\0aaaaaaaaaaaa", 0),
            Err(DexError::BadMagic)
        ));
        assert!(matches!(
            read(b"dex\n035\0short", 0),
            Err(DexError::TooShort { .. })
        ));
    }
}

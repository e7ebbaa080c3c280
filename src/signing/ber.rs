//! A small BER/DER tag-length-value reader over [`Reader`], enough for the
//! PKCS#7 / CMS `SignedData` of a JAR signature (RFC 2315, RFC 5652) and for
//! the few structures inside a certificate that x509-parser leaves raw.
//!
//! BER is tolerated, because Android's own verifier (apksig's `Asn1BerParser`)
//! tolerates it: indefinite lengths (constructed forms ended by `00 00`),
//! non-minimal long-form lengths and high tag numbers. Definite-length
//! elements are not descended into when read (children are read lazily by
//! [`Ber::children`]); indefinite ones must be walked to find their end, so
//! nesting is capped at [`MAX_DEPTH`] and every read goes through [`Reader`].

use std::cell::Cell;

use crate::reader::Reader;

/// Deepest nesting of constructed elements followed.
pub(crate) const MAX_DEPTH: usize = 32;

/// Universal tag numbers used here.
pub(crate) const TAG_INTEGER: u32 = 2;
pub(crate) const TAG_OID: u32 = 6;
pub(crate) const TAG_SEQUENCE: u32 = 16;
pub(crate) const TAG_SET: u32 = 17;

/// Tag classes.
pub(crate) const CLASS_UNIVERSAL: u8 = 0;
pub(crate) const CLASS_CONTEXT: u8 = 2;

/// Why a TLV could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BerError {
    /// Absolute offset of the element (or byte) that could not be read.
    pub offset: usize,
    /// What was wrong, as a static phrase.
    pub what: &'static str,
}

impl std::fmt::Display for BerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at offset {:#x}", self.what, self.offset)
    }
}

/// One element: identifier, contents and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// 0 universal, 1 application, 2 context-specific, 3 private.
    pub class: u8,
    /// Constructed (bit 6 of the identifier octet).
    pub constructed: bool,
    /// Tag number.
    pub number: u32,
    /// Contents octets (for the indefinite form, without the end-of-contents).
    pub content: &'a [u8],
    /// Absolute offset of the contents.
    pub content_offset: usize,
    /// The complete encoding: identifier, length, contents (and end-of-contents).
    pub raw: &'a [u8],
    /// Absolute offset of the identifier octet.
    pub offset: usize,
    /// Nesting depth at which this element was read.
    pub depth: usize,
}

impl Tlv<'_> {
    /// True for a universal element with this tag number.
    pub fn is_universal(&self, number: u32) -> bool {
        self.class == CLASS_UNIVERSAL && self.number == number
    }

    /// True for a context-specific element `[number]`.
    pub fn is_context(&self, number: u32) -> bool {
        self.class == CLASS_CONTEXT && self.number == number
    }
}

/// The reader, remembering whether any BER-only form was met.
#[derive(Debug, Default)]
pub(crate) struct Ber {
    /// An indefinite length was read.
    pub saw_indefinite: Cell<bool>,
}

impl Ber {
    /// Reads one element at the reader's position, advancing past it.
    pub fn read<'a>(&self, r: &mut Reader<'a>, depth: usize) -> Result<Tlv<'a>, BerError> {
        let start = r.pos();
        let offset = r.abs_pos();
        let err = |what| BerError { offset, what };
        if depth > MAX_DEPTH {
            return Err(err("nesting deeper than the limit"));
        }
        let first = r.u8().map_err(|_| err("truncated identifier"))?;
        let class = first >> 6;
        let constructed = first & 0x20 != 0;
        let mut number = u32::from(first & 0x1f);
        if number == 0x1f {
            number = 0;
            let mut done = false;
            for _ in 0..4 {
                let b = r.u8().map_err(|_| err("truncated high tag number"))?;
                number = (number << 7) | u32::from(b & 0x7f);
                if b & 0x80 == 0 {
                    done = true;
                    break;
                }
            }
            if !done {
                return Err(err("tag number too large"));
            }
        }
        let len_byte = r.u8().map_err(|_| err("truncated length"))?;
        let (content, content_offset) = if len_byte == 0x80 {
            if !constructed {
                return Err(err("indefinite length on a primitive element"));
            }
            self.saw_indefinite.set(true);
            let content_start = r.pos();
            let content_offset = r.abs_pos();
            loop {
                match r.peek_bytes(2) {
                    Ok([0, 0]) => break,
                    Ok(_) => {
                        self.read(r, depth.saturating_add(1))?;
                    }
                    Err(_) => return Err(err("indefinite length without end-of-contents")),
                }
            }
            let content = r
                .bytes_at(content_start, r.pos().saturating_sub(content_start))
                .map_err(|_| err("truncated contents"))?;
            r.skip(2).map_err(|_| err("truncated end-of-contents"))?;
            (content, content_offset)
        } else {
            let len = if len_byte < 0x80 {
                usize::from(len_byte)
            } else {
                let n = usize::from(len_byte & 0x7f);
                if n > 8 || len_byte == 0xff {
                    return Err(err("length of length too large"));
                }
                let bytes = r.bytes(n).map_err(|_| err("truncated length"))?;
                let mut v: u64 = 0;
                for &b in bytes {
                    v = (v << 8) | u64::from(b);
                }
                usize::try_from(v).map_err(|_| err("length too large"))?
            };
            let content_offset = r.abs_pos();
            let content = r.bytes(len).map_err(|_| err("length runs past the data"))?;
            (content, content_offset)
        };
        if class == CLASS_UNIVERSAL && number == 0 {
            return Err(err("unexpected end-of-contents"));
        }
        let raw = r
            .bytes_at(start, r.pos().saturating_sub(start))
            .map_err(|_| err("truncated element"))?;
        Ok(Tlv {
            class,
            constructed,
            number,
            content,
            content_offset,
            raw,
            offset,
            depth,
        })
    }

    /// Reads a whole buffer as exactly one element; trailing bytes are
    /// reported in the second value.
    pub fn read_one<'a>(&self, data: &'a [u8], base: usize) -> Result<(Tlv<'a>, usize), BerError> {
        let mut r = Reader::with_base(data, base);
        let tlv = self.read(&mut r, 0)?;
        Ok((tlv, r.remaining()))
    }

    /// The children of a constructed element, read one by one.
    pub fn children<'a, 'b>(&'b self, tlv: &Tlv<'a>) -> Children<'a, 'b> {
        Children {
            ber: self,
            r: Reader::with_base(tlv.content, tlv.content_offset),
            depth: tlv.depth.saturating_add(1),
            failed: !tlv.constructed,
        }
    }

    /// All children, or the first error.
    #[cfg(test)]
    pub fn child_vec<'a>(&self, tlv: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, BerError> {
        if !tlv.constructed {
            return Err(BerError {
                offset: tlv.offset,
                what: "expected a constructed element",
            });
        }
        self.children(tlv).collect()
    }
}

/// Iterator over the children of a constructed element. Stops after the
/// first error (which it yields).
pub(crate) struct Children<'a, 'b> {
    ber: &'b Ber,
    r: Reader<'a>,
    depth: usize,
    failed: bool,
}

impl<'a> Iterator for Children<'a, '_> {
    type Item = Result<Tlv<'a>, BerError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.r.remaining() == 0 {
            return None;
        }
        let out = self.ber.read(&mut self.r, self.depth);
        if out.is_err() {
            self.failed = true;
        }
        Some(out)
    }
}

/// The bit length of an unsigned big-endian integer's contents (leading
/// zero octets ignored).
pub(crate) fn bit_length(bytes: &[u8]) -> u32 {
    let mut it = bytes.iter().skip_while(|&&b| b == 0);
    match it.next() {
        None => 0,
        Some(&first) => {
            let rest = u32::try_from(it.count()).unwrap_or(u32::MAX / 16);
            rest.saturating_mul(8)
                .saturating_add(8 - first.leading_zeros())
        }
    }
}

/// An INTEGER's contents without redundant leading zero octets.
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == 0).count();
    let n = n.min(bytes.len().saturating_sub(1));
    bytes.get(n..).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite() {
        // SEQUENCE (indefinite) { INTEGER 5, SEQUENCE { } } EOC, then trailing 0xAA
        let data = [0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x00, 0x00, 0x00, 0xAA];
        let ber = Ber::default();
        let (tlv, rest) = ber.read_one(&data, 0).unwrap();
        assert!(tlv.is_universal(TAG_SEQUENCE));
        assert_eq!(rest, 1);
        assert_eq!(tlv.raw.len(), 9);
        let kids = ber.child_vec(&tlv).unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0].content, &[5]);
        assert!(ber.saw_indefinite.get());
    }

    #[test]
    fn lies_and_depth() {
        let ber = Ber::default();
        // length runs past the end
        assert!(ber.read_one(&[0x04, 0x05, 1, 2], 0).is_err());
        // 9-byte length
        assert!(ber
            .read_one(&[0x04, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0)
            .is_err());
        // indefinite primitive
        assert!(ber.read_one(&[0x04, 0x80, 0, 0], 0).is_err());
        // missing EOC
        assert!(ber.read_one(&[0x30, 0x80, 0x05, 0x00], 0).is_err());
        // nesting bomb
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..100 {
            deep.extend_from_slice(&[0, 0]);
        }
        assert!(ber.read_one(&deep, 0).is_err());
        // high tag number
        let (t, _) = ber.read_one(&[0x9f, 0x81, 0x00, 0x00], 0).unwrap();
        assert_eq!((t.class, t.number), (2, 128));
    }

    #[test]
    fn bits() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(strip_leading_zeros(&[0, 0, 5]), &[5]);
        assert_eq!(strip_leading_zeros(&[0]), &[0]);
    }
}

//! Modified UTF-8 ("MUTF-8"), the string encoding of `string_data_item`.
//!
//! Spec: the DEX format page, "MUTF-8 (Modified UTF-8) Encoding": UTF-16
//! code units encoded as 1–3 byte UTF-8-style sequences (so supplementary
//! characters are two 3-byte surrogates and U+0000 is `C0 80`), the string
//! ends at the first `00` byte. Decoding is lossy and never fails: a byte
//! that does not start a well-formed sequence and an unpaired surrogate
//! become U+FFFD. A standard 4-byte UTF-8 sequence (which some tools emit
//! and ART's decoder accepts) is decoded as the character it names.

/// Decodes MUTF-8 `bytes` (without the terminating NUL) into a `String`.
pub(crate) fn decode(bytes: &[u8]) -> String {
    if bytes.is_ascii() {
        // All of ASCII is the same in MUTF-8 and UTF-8 (no NUL: the caller
        // stopped at it).
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    let cont = |at: usize| -> Option<u16> {
        bytes
            .get(at)
            .filter(|&&b| b & 0xc0 == 0x80)
            .map(|&b| u16::from(b & 0x3f))
    };
    while let Some(&b0) = bytes.get(i) {
        if b0 < 0x80 {
            units.push(u16::from(b0));
            i += 1;
        } else if b0 & 0xe0 == 0xc0 {
            match cont(i + 1) {
                Some(c1) => {
                    units.push((u16::from(b0 & 0x1f) << 6) | c1);
                    i += 2;
                }
                None => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else if b0 & 0xf0 == 0xe0 {
            match (cont(i + 1), cont(i + 2)) {
                (Some(c1), Some(c2)) => {
                    units.push((u16::from(b0 & 0x0f) << 12) | (c1 << 6) | c2);
                    i += 3;
                }
                _ => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else if b0 & 0xf8 == 0xf0 {
            match (cont(i + 1), cont(i + 2), cont(i + 3)) {
                (Some(c1), Some(c2), Some(c3)) => {
                    let cp = (u32::from(b0 & 0x07) << 18)
                        | (u32::from(c1) << 12)
                        | (u32::from(c2) << 6)
                        | u32::from(c3);
                    let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                    let mut buf = [0u16; 2];
                    units.extend_from_slice(ch.encode_utf16(&mut buf));
                    i += 4;
                }
                _ => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else {
            // A lone continuation byte or an impossible lead byte.
            units.push(0xfffd);
            i += 1;
        }
    }
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn ascii_and_two_and_three_byte_forms() {
        assert_eq!(decode(b"Lcom/foo/Bar;"), "Lcom/foo/Bar;");
        assert_eq!(decode(&[0xc0, 0x80]), "\0");
        assert_eq!(decode("é€".as_bytes()), "é€");
    }

    #[test]
    fn surrogate_pairs_and_garbage() {
        // U+1F600 as two 3-byte surrogates (CESU-8 style).
        assert_eq!(decode(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), "\u{1f600}");
        // ... and as standard 4-byte UTF-8.
        assert_eq!(decode("\u{1f600}".as_bytes()), "\u{1f600}");
        // Unpaired high surrogate, lone continuation byte, truncated lead.
        assert_eq!(decode(&[0xed, 0xa0, 0xbd, b'a']), "\u{fffd}a");
        assert_eq!(decode(&[0x80, b'b']), "\u{fffd}b");
        assert_eq!(decode(&[b'c', 0xe2, 0x82]), "c\u{fffd}\u{fffd}");
        assert_eq!(decode(&[0xff]), "\u{fffd}");
    }
}

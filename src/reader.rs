//! The one bounds-checked cursor every binary parser in fingertip reads through,
//! plus the two things every parser shares: [`Anomaly`] (an oddity recorded
//! instead of failing) and [`Limits`] (explicit caps on what a file may make us
//! allocate or do).
//!
//! Architecture invariant: parser code never indexes a slice with an
//! input-derived value and never does unchecked arithmetic on one; it goes
//! through [`Reader`], whose every method returns `Result<_, ReadError>`.

use serde::Serialize;

/// A read ran past the bytes that are actually present.
///
/// Carries the absolute offset (relative to the start of the buffer the
/// reader was created over) so errors and anomalies can say where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("needed {needed} bytes at offset {offset:#x} but only {available} remain")]
pub struct ReadError {
    /// Offset at which the read was attempted.
    pub offset: usize,
    /// Bytes the read needed.
    pub needed: usize,
    /// Bytes that were actually left.
    pub available: usize,
}

/// Result type of every [`Reader`] method.
pub type ReadResult<T> = Result<T, ReadError>;

/// A cursor over a byte slice in which every read is bounds-checked.
///
/// Offsets reported by [`Reader::pos`] are relative to the start of the
/// slice given to [`Reader::new`]; a sub-reader made by [`Reader::sub`] keeps
/// reporting offsets relative to its own start plus `base`, so errors from a
/// chunk parser still name the file offset.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            base: 0,
        }
    }

    /// A reader over `data` whose reported offsets are shifted by `base`
    /// (the position of `data` inside the enclosing file).
    pub fn with_base(data: &'a [u8], base: usize) -> Self {
        Reader { data, pos: 0, base }
    }

    /// The whole underlying slice.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Current position relative to the start of this reader's slice.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Current position as an absolute offset (adds the base).
    pub fn abs_pos(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// Base offset of this reader's slice in the enclosing file.
    pub fn base(&self) -> usize {
        self.base
    }

    /// Length of the underlying slice.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the underlying slice is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes left after the current position.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    fn err(&self, at: usize, needed: usize) -> ReadError {
        ReadError {
            offset: self.base.saturating_add(at),
            needed,
            available: self.data.len().saturating_sub(at),
        }
    }

    /// Moves to `pos` (relative to this reader's slice); `pos == len` is allowed.
    pub fn seek(&mut self, pos: usize) -> ReadResult<()> {
        if pos > self.data.len() {
            return Err(self.err(self.data.len(), pos - self.data.len()));
        }
        self.pos = pos;
        Ok(())
    }

    /// Advances by `n` bytes.
    pub fn skip(&mut self, n: usize) -> ReadResult<()> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| self.err(self.pos, n))?;
        self.pos = end;
        Ok(())
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> ReadResult<&'a [u8]> {
        let out = self.peek_bytes(n)?;
        self.pos += n;
        Ok(out)
    }

    /// The next `n` bytes without advancing.
    pub fn peek_bytes(&self, n: usize) -> ReadResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.err(self.pos, n))?;
        self.data
            .get(self.pos..end)
            .ok_or_else(|| self.err(self.pos, n))
    }

    /// `n` bytes at absolute-in-slice offset `at`, without moving.
    pub fn bytes_at(&self, at: usize, n: usize) -> ReadResult<&'a [u8]> {
        let end = at.checked_add(n).ok_or_else(|| self.err(at, n))?;
        self.data.get(at..end).ok_or_else(|| self.err(at, n))
    }

    /// A new reader over `n` bytes starting at `at` (relative to this slice),
    /// reporting offsets in the enclosing file's terms.
    pub fn sub(&self, at: usize, n: usize) -> ReadResult<Reader<'a>> {
        let data = self.bytes_at(at, n)?;
        Ok(Reader::with_base(data, self.base.saturating_add(at)))
    }

    /// A new reader over `n` bytes at `at`, or fewer if fewer are present.
    /// Mirrors Android's habit of trusting the bytes actually present over a
    /// declared size. Returns `None` only if `at` is past the end.
    pub fn sub_clamped(&self, at: usize, n: usize) -> Option<Reader<'a>> {
        if at > self.data.len() {
            return None;
        }
        let n = n.min(self.data.len() - at);
        self.sub(at, n).ok()
    }

    fn array<const N: usize>(&mut self) -> ReadResult<[u8; N]> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    fn array_at<const N: usize>(&self, at: usize) -> ReadResult<[u8; N]> {
        let b = self.bytes_at(at, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> ReadResult<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn u16(&mut self) -> ReadResult<u16> {
        self.array().map(u16::from_le_bytes)
    }

    /// Reads a little-endian `u32`.
    pub fn u32(&mut self) -> ReadResult<u32> {
        self.array().map(u32::from_le_bytes)
    }

    /// Reads a little-endian `i32`.
    pub fn i32(&mut self) -> ReadResult<i32> {
        self.array().map(i32::from_le_bytes)
    }

    /// Reads a little-endian `u64`.
    pub fn u64(&mut self) -> ReadResult<u64> {
        self.array().map(u64::from_le_bytes)
    }

    /// Reads a big-endian `u16` (used by a few nested formats).
    pub fn u16_be(&mut self) -> ReadResult<u16> {
        self.array().map(u16::from_be_bytes)
    }

    /// Reads a big-endian `u32`.
    pub fn u32_be(&mut self) -> ReadResult<u32> {
        self.array().map(u32::from_be_bytes)
    }

    /// Little-endian `u16` at `at` without moving.
    pub fn u16_at(&self, at: usize) -> ReadResult<u16> {
        self.array_at(at).map(u16::from_le_bytes)
    }

    /// Little-endian `u32` at `at` without moving.
    pub fn u32_at(&self, at: usize) -> ReadResult<u32> {
        self.array_at(at).map(u32::from_le_bytes)
    }

    /// Byte at `at` without moving.
    pub fn u8_at(&self, at: usize) -> ReadResult<u8> {
        Ok(self.array_at::<1>(at)?[0])
    }

    /// Reads an unsigned LEB128 value of at most 5 bytes (the DEX `uleb128`).
    pub fn uleb128(&mut self) -> ReadResult<u32> {
        let mut result: u32 = 0;
        for i in 0..5u32 {
            let b = self.u8()?;
            result |= u32::from(b & 0x7f).wrapping_shl(i * 7);
            if b & 0x80 == 0 {
                return Ok(result);
            }
        }
        Ok(result)
    }

    /// Reads a signed LEB128 value of at most 5 bytes (the DEX `sleb128`).
    pub fn sleb128(&mut self) -> ReadResult<i32> {
        let mut result: i32 = 0;
        let mut shift = 0u32;
        for _ in 0..5 {
            let b = self.u8()?;
            result |= i32::from(b & 0x7f).wrapping_shl(shift);
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 32 && b & 0x40 != 0 {
                    result |= (!0i32).wrapping_shl(shift);
                }
                return Ok(result);
            }
        }
        Ok(result)
    }

    /// Checks that `count` items of `item_size` bytes fit in what remains,
    /// returning the total byte size. Call before allocating from a count.
    pub fn check_count(&self, count: usize, item_size: usize) -> ReadResult<usize> {
        let total = count
            .checked_mul(item_size)
            .ok_or_else(|| self.err(self.pos, usize::MAX))?;
        if total > self.remaining() {
            return Err(self.err(self.pos, total));
        }
        Ok(total)
    }
}

/// Lowercase hex of `bytes` (digests, build ids): the one formatter every
/// module uses, so identities print alike everywhere.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    s
}

/// Something odd about a file that was tolerated rather than fatal.
///
/// `code` is a stable snake_case identifier scripts can match on; `detail`
/// is a human sentence; `offset` points into the file (or the entry) where
/// the oddity was seen, when that is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, PartialOrd, Ord)]
pub struct Anomaly {
    /// Stable snake_case code, e.g. `zip_fake_encryption_flag`.
    pub code: &'static str,
    /// Human-readable detail naming the entry/field concerned.
    pub detail: String,
    /// Byte offset where it was seen, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Anomaly {
    /// A new anomaly with no offset.
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Anomaly {
            code,
            detail: detail.into(),
            offset: None,
        }
    }

    /// A new anomaly seen at `offset`.
    pub fn at(code: &'static str, offset: usize, detail: impl Into<String>) -> Self {
        Anomaly {
            code,
            detail: detail.into(),
            offset: Some(offset as u64),
        }
    }

    /// Prefixes the detail with where it happened (e.g. an entry name).
    pub fn in_context(mut self, context: &str) -> Self {
        self.detail = format!("{context}: {}", self.detail);
        self
    }
}

/// Explicit caps on what one input may make fingertip allocate or do.
///
/// Every count or size read from a file is checked against the bytes that
/// remain *and* against these before anything is allocated. Defaults are
/// generous for real apps (the largest APKs are a few hundred MB) and small
/// enough that a hostile file cannot exhaust a 24 GiB machine running
/// several analyses in parallel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest input file read at all, in bytes.
    pub max_file_size: u64,
    /// Most central-directory entries considered; the rest are skipped.
    pub max_entries: usize,
    /// Largest inflated size of one entry.
    pub max_entry_size: u64,
    /// Largest inflated size summed over all entries read from one archive.
    pub max_total_inflated: u64,
    /// Largest inflated/compressed ratio accepted for entries bigger than
    /// `ratio_floor` (zip-bomb guard).
    pub max_compression_ratio: u64,
    /// Entries whose inflated size is below this are exempt from the ratio check.
    pub ratio_floor: u64,
    /// Longest entry name accepted.
    pub max_name_len: usize,
    /// Deepest nesting of archives inside archives that is opened.
    pub max_nesting: usize,
    /// Longest chain of resource references followed before declaring a cycle.
    pub max_reference_depth: usize,
    /// Most XML elements decoded from one binary XML document.
    pub max_xml_nodes: usize,
    /// Deepest element nesting kept in one binary XML document.
    pub max_xml_depth: usize,
    /// Largest native library (`.so` entry) read and parsed as ELF, in
    /// bytes; bigger ones are listed with their declared size but not read.
    pub max_native_lib_size: u64,
    /// Most DEX files read from one version-041 container (the rest are
    /// skipped with an anomaly).
    pub max_dex_files: usize,
    /// Most DEX files read from one app, top-level multidex and nested
    /// ones together. Android sets no limit on `classesN.dex`; this is a
    /// safety cap far above real apps, with an anomaly when reached.
    pub max_app_dex_files: usize,
    /// Most `class_def_item`s read from one DEX file. Valid files have at
    /// most 65,536 (type ids are 16-bit).
    pub max_dex_classes: usize,
    /// Most methods (direct + virtual, from `class_data_item`s) kept for one
    /// DEX file. Valid files have at most 65,536 method ids.
    pub max_dex_methods: usize,
    /// Most bytecode code units (16-bit) walked in one DEX file, summed over
    /// its methods (guards against many methods sharing one huge code item).
    pub max_dex_code_units: u64,
    /// Longest string, in MUTF-8 bytes, decoded by `DexFile::string`; longer
    /// ones are cut.
    pub max_dex_string_len: usize,
    /// Total bytes of names (class descriptors, method names, source files)
    /// decoded into one DEX file's class list.
    pub max_dex_name_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 2 << 30,
            max_entries: 200_000,
            max_entry_size: 512 << 20,
            max_total_inflated: 4 << 30,
            max_compression_ratio: 200,
            ratio_floor: 1 << 20,
            max_name_len: 4096,
            max_nesting: 3,
            max_reference_depth: 32,
            max_xml_nodes: 1_000_000,
            max_xml_depth: 512,
            max_native_lib_size: 256 << 20,
            max_dex_files: 64,
            max_app_dex_files: 1024,
            max_dex_classes: 1 << 18,
            max_dex_methods: 1 << 21,
            max_dex_code_units: 1 << 28,
            max_dex_string_len: 1 << 20,
            max_dex_name_bytes: 256 << 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_stops_at_end() {
        let mut r = Reader::new(&[1, 0, 2, 0, 0, 0, 9]);
        assert_eq!(r.u16(), Ok(1));
        assert_eq!(r.u32(), Ok(2));
        let err = r.u16().unwrap_err();
        assert_eq!(err.offset, 6);
        assert_eq!(err.available, 1);
        assert_eq!(r.u8(), Ok(9));
        assert!(r.u8().is_err());
    }

    #[test]
    fn huge_lengths_do_not_overflow() {
        let r = Reader::new(&[0; 4]);
        assert!(r.bytes_at(usize::MAX, 2).is_err());
        assert!(r.sub(2, usize::MAX).is_err());
        assert!(r.check_count(usize::MAX, 8).is_err());
        assert_eq!(r.check_count(2, 2), Ok(4));
    }

    #[test]
    fn sub_reader_reports_absolute_offsets() {
        let data = [0u8; 16];
        let r = Reader::new(&data);
        let mut s = r.sub(8, 4).unwrap();
        s.skip(4).unwrap();
        assert_eq!(s.u8().unwrap_err().offset, 12);
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(to_hex(&[]), "");
    }

    #[test]
    fn leb128() {
        let mut r = Reader::new(&[0xe5, 0x8e, 0x26, 0x7f, 0x80, 0x7f]);
        assert_eq!(r.uleb128(), Ok(624_485));
        assert_eq!(r.sleb128(), Ok(-1));
        assert_eq!(r.sleb128(), Ok(-128));
    }
}

//! DEX files (`classes*.dex`): the classes an app defines, and what their
//! code calls and loads.
//!
//! Spec: source.android.com "Dalvik Executable format" (`header_item`,
//! `map_list`, `string_id_item` + MUTF-8 `string_data_item`, `type_id_item`,
//! `proto_id_item`, `field_id_item`, `method_id_item`, `class_def_item`,
//! `class_data_item`, `code_item`) and "Dalvik bytecode" for the
//! instruction widths; versions 035 to 041. Version 041 files are
//! *containers*: several DEX files back to back, each with a 0x78-byte
//! header whose `file_size` is the distance to the next header and whose
//! offsets are all relative to the start of the container (so later files
//! can share data). [`parse`] returns one [`DexFile`] per DEX in the
//! buffer; all of them share one copy of its bytes.
//!
//! [`DexFile::classes`] gives every `class_def_item` in table order (like
//! `dexdump`) with its methods and, walking each method's bytecode (see
//! `code.rs`), the facts fingertip keeps per *defining* class: invoked
//! method ids (`invoke-*` 0x6e–0x72, 0x74–0x78 and `invoke-polymorphic`
//! 0xfa/0xfb), call-site ids (`invoke-custom` 0xfc/0xfd), `const-string` /
//! `const-string/jumbo` string ids, and integer constants that look like
//! app resource ids (`const`, `const/high16`, `const-wide/32`, `const-wide`
//! with a value `0x7fTTxxxx`, type byte `TT` in 0x01..=0xfe). These are
//! indices, sorted and deduplicated; names are decoded on demand with
//! [`DexFile::string`], [`DexFile::type_name`], [`DexFile::method_ref`] and
//! [`DexFile::field_ref`].
//!
//! Method names are kept as `String`s in [`MethodDef::name`]: decoding is
//! memoised per string id and cheap enough (a 6.4 MB `classes.dex` with
//! 6,500 classes parses, walks and names in about 20 ms in release, SHA-1
//! included).
//!
//! # What it tolerates (each recorded as an [`Anomaly`], never fatal)
//!
//! Only a buffer that is not a DEX at all ([`DexError`]: no `dex\n` magic
//! with three version digits, or shorter than a header) is an error. Per-item
//! problems are aggregated: one anomaly per code, whose detail names the
//! first case and how many more there were.
//!
//! | code | meaning |
//! |---|---|
//! | `dex_unknown_version` | magic version other than 035, 037, 038, 039, 040, 041 (ART refuses) |
//! | `dex_bad_header_size` | `header_size` not 0x70 (0x78 from 041) |
//! | `dex_bad_endian_tag` | not `ENDIAN_CONSTANT`; byte-swapped files are read as little-endian anyway |
//! | `dex_file_size_mismatch` | `file_size` differs from the bytes present (truncated or trailing data) |
//! | `dex_checksum_mismatch` | Adler-32 of the file after `checksum` differs (ART refuses) |
//! | `dex_signature_mismatch` | SHA-1 of the file after `signature` differs (ART does not check) |
//! | `dex_link_section` | a non-empty link section (never used by Android) |
//! | `dex_section_out_of_bounds` | an id table runs past the end; its count is cut to what fits |
//! | `dex_too_many_ids` | more than 65,536 type or proto ids (their indices are 16-bit) |
//! | `dex_missing_map` | no `map_list` (`map_off` 0 or out of bounds) |
//! | `dex_map_too_long` | more than 4,096 map items; the rest not checked |
//! | `dex_map_unknown_type` | a map item of an unknown type code |
//! | `dex_map_duplicate_type` | a type listed twice in the map |
//! | `dex_map_out_of_bounds` | a map item (or its fixed-size items) past the end |
//! | `dex_map_overlap` | two map items overlap |
//! | `dex_map_header_mismatch` | the map disagrees with the header about an id table |
//! | `dex_container_size_mismatch` | (041) `container_size` differs from the bytes present |
//! | `dex_container_header_offset_mismatch` | (041) `header_offset` is not where the header is |
//! | `dex_container_bad_header` | (041) a later file in the container is not a DEX header; the rest skipped |
//! | `dex_bad_index` | a string/type/method/proto/call-site index out of range (item skipped or name left empty) |
//! | `dex_bad_offset` | an interfaces/class-data/code/parameters offset outside the file |
//! | `dex_bad_class_data` | a `class_data_item` cut short; the members read so far are kept |
//! | `dex_duplicate_class` | a class defined twice (ART uses the first) |
//! | `dex_unknown_opcode` | an unused opcode; the rest of that method is not walked |
//! | `dex_truncated_instruction` | an instruction or payload runs past the end of its method |
//! | `dex_limit_exceeded` | a [`Limits`] cap was hit (`max_dex_*`); the rest skipped |
//!
//! # Limits
//!
//! Counts from the file are checked against the bytes that remain before
//! anything is allocated from them, and against [`Limits`]: `max_dex_files`
//! (041 containers), `max_dex_classes`, `max_dex_methods`,
//! `max_dex_code_units` (bytecode walked per file), `max_dex_name_bytes`
//! (names decoded into the class list, each charged at least 16 bytes;
//! once spent, further names are left empty and interface lists stop) and
//! `max_dex_string_len` (longest string decoded). A class keeps at most
//! 65,535 interfaces. Lookups never allocate from a declared count.

mod code;
mod header;
mod mutf8;
mod parse;
#[cfg(test)]
mod tests;

use crate::reader::{Anomaly, Limits, Reader};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The value of an absent index (`NO_INDEX`).
pub const NO_INDEX: u32 = 0xffff_ffff;

/// Why a buffer could not be read as DEX at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DexError {
    /// The buffer does not start with `dex\n` + three digits + NUL.
    #[error("not a DEX file (bad magic)")]
    BadMagic,
    /// The buffer is shorter than a DEX header.
    #[error("too short for a DEX header ({len} bytes)")]
    TooShort {
        /// Bytes present.
        len: usize,
    },
}

/// Sizes of one DEX file's tables, and how much code it defines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DexCounts {
    /// `string_ids` (as usable: cut to what fits in the file).
    pub strings: u32,
    /// `type_ids`.
    pub types: u32,
    /// `proto_ids`.
    pub protos: u32,
    /// `field_ids`.
    pub fields: u32,
    /// `method_ids` (referenced methods, defined here or not).
    pub methods: u32,
    /// `class_defs`.
    pub class_defs: u32,
    /// Methods defined in `class_data_item`s: with code, abstract or native.
    pub defined_methods: u32,
    /// Bytes of bytecode (`2 × insns_size`, summed over defined methods).
    pub code_bytes: u64,
}

/// One `class_def_item`, with its members and the facts from its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassDef {
    /// Type descriptor, e.g. `Lcom/foo/Bar;` (empty if its index is bad).
    pub descriptor: String,
    /// `access_flags` (`ACC_PUBLIC` 0x1, `ACC_INTERFACE` 0x200, `ACC_ABSTRACT` 0x400, ...).
    pub access_flags: u32,
    /// Superclass descriptor; `None` for `java.lang.Object` (or a bad index).
    pub superclass: Option<String>,
    /// Descriptors of the directly implemented interfaces.
    pub interfaces: Vec<String>,
    /// The `SourceFile` name, if recorded.
    pub source_file: Option<String>,
    /// Direct methods then virtual methods, in `class_data_item` order.
    pub methods: Vec<MethodDef>,
    /// Static plus instance fields defined.
    pub field_count: u32,
    /// Method ids invoked by this class's code (sorted, deduplicated); see
    /// [`DexFile::method_ref`].
    pub invokes: Vec<u32>,
    /// String ids loaded by `const-string` (sorted, deduplicated); see
    /// [`DexFile::string`].
    pub strings: Vec<u32>,
    /// Integer constants that look like app resource ids (`0x7fTTxxxx`,
    /// sorted, deduplicated).
    pub resource_ids: Vec<u32>,
    /// Call-site ids used by `invoke-custom` (sorted, deduplicated).
    pub call_sites: Vec<u32>,
}

/// One method defined by a class (`encoded_method`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodDef {
    /// Index into `method_ids`.
    pub method_idx: u32,
    /// The method's name (`<init>`, `onCreate`, ...).
    pub name: String,
    /// `access_flags` (`ACC_STATIC` 0x8, `ACC_NATIVE` 0x100, `ACC_ABSTRACT` 0x400, ...).
    pub access_flags: u32,
    /// `insns_size` in 16-bit code units; 0 when the method has no code.
    pub code_units: u32,
}

/// A `method_id_item`, resolved to names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct MethodRef {
    /// Descriptor of the defining class, `Lcom/foo/Bar;`.
    pub class: String,
    /// Method name.
    pub name: String,
    /// Prototype, `(ILjava/lang/String;)V`.
    pub proto: String,
}

/// A `field_id_item`, resolved to names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FieldRef {
    /// Descriptor of the defining class.
    pub class: String,
    /// Field name.
    pub name: String,
    /// Descriptor of the field's type.
    pub field_type: String,
}

/// One parsed DEX file. Owns (a shared reference to) the bytes it came from,
/// so it outlives the buffer given to [`parse`].
#[derive(Clone)]
pub struct DexFile {
    data: Arc<[u8]>,
    /// Where offsets inside this file are counted from: the container start
    /// for 041, the header for earlier versions.
    base: usize,
    ids: Ids,
    str_cap: usize,
    version: u32,
    checksum_valid: bool,
    signature_valid: bool,
    classes: Vec<ClassDef>,
    counts: DexCounts,
    anomalies: Vec<Anomaly>,
}

impl std::fmt::Debug for DexFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DexFile")
            .field("version", &self.version)
            .field("base", &self.base)
            .field("counts", &self.counts)
            .field("checksum_valid", &self.checksum_valid)
            .field("signature_valid", &self.signature_valid)
            .field("anomalies", &self.anomalies.len())
            .finish_non_exhaustive()
    }
}

/// Parses every DEX file in `data`: one for versions up to 040, one per
/// header in a version-041 container.
///
/// Fails only when `data` does not start with a DEX header at all.
pub fn parse(data: &[u8], limits: &Limits) -> Result<Vec<DexFile>, DexError> {
    parse::parse_all(data, limits)
}

impl DexFile {
    /// Format version from the magic: 35, 37, 38, 39, 40 or 41 (other
    /// three-digit values are possible, with a `dex_unknown_version` anomaly).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Everything odd about this file (see the module docs for the codes).
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// True when the Adler-32 `checksum` matches the bytes.
    pub fn checksum_valid(&self) -> bool {
        self.checksum_valid
    }

    /// True when the SHA-1 `signature` matches the bytes.
    pub fn signature_valid(&self) -> bool {
        self.signature_valid
    }

    /// Table sizes and amount of code.
    pub fn counts(&self) -> DexCounts {
        self.counts
    }

    /// The classes defined, in `class_defs` order.
    pub fn classes(&self) -> &[ClassDef] {
        &self.classes
    }

    /// String `idx`, decoded from MUTF-8 (lossily; cut at
    /// [`Limits::max_dex_string_len`] bytes).
    pub fn string(&self, idx: u32) -> Option<String> {
        self.view().string(idx)
    }

    /// Descriptor of type `idx`, e.g. `Lcom/foo/Bar;` or `[I`.
    pub fn type_name(&self, idx: u32) -> Option<String> {
        self.view().type_name(idx)
    }

    /// Method id `idx`, resolved to names.
    pub fn method_ref(&self, idx: u32) -> Option<MethodRef> {
        self.view().method_ref(idx)
    }

    /// Field id `idx`, resolved to names.
    pub fn field_ref(&self, idx: u32) -> Option<FieldRef> {
        self.view().field_ref(idx)
    }

    /// Prototype `idx` as `(params)return`, e.g. `(ILjava/lang/String;)V`.
    pub fn proto(&self, idx: u32) -> Option<String> {
        self.view().proto(idx)
    }

    fn view(&self) -> View<'_> {
        View::new(&self.data, self.base, self.ids, self.str_cap)
    }
}

/// `"Lcom/foo/Bar;"` → `"com.foo.Bar"`, `"[I"` → `"int[]"`, `"V"` →
/// `"void"`; anything that is not a valid descriptor is returned unchanged.
pub fn descriptor_to_java(desc: &str) -> String {
    let dims = desc.bytes().take_while(|&b| b == b'[').count();
    let elem = desc.get(dims..).unwrap_or_default();
    let base = match elem {
        "V" => "void".to_string(),
        "Z" => "boolean".to_string(),
        "B" => "byte".to_string(),
        "S" => "short".to_string(),
        "C" => "char".to_string(),
        "I" => "int".to_string(),
        "J" => "long".to_string(),
        "F" => "float".to_string(),
        "D" => "double".to_string(),
        _ => match elem.strip_prefix('L').and_then(|e| e.strip_suffix(';')) {
            Some(name) if !name.is_empty() => name.replace('/', "."),
            _ => return desc.to_string(),
        },
    };
    if dims > 0 && base == "void" {
        return desc.to_string();
    }
    let mut out = base;
    for _ in 0..dims {
        out.push_str("[]");
    }
    out
}

/// A validated id table: `count` items starting at `off` (relative to the
/// file's base), all inside the buffer.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Section {
    pub off: usize,
    pub count: u32,
}

/// The id tables lookups go through.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ids {
    pub strings: Section,
    pub types: Section,
    pub protos: Section,
    pub fields: Section,
    pub methods: Section,
    pub call_sites: Section,
}

/// Borrowed, bounds-checked access to one DEX file's id tables.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    r: Reader<'a>,
    ids: Ids,
    str_cap: usize,
}

impl<'a> View<'a> {
    pub(crate) fn new(data: &'a [u8], base: usize, ids: Ids, str_cap: usize) -> Self {
        View {
            r: Reader::with_base(data.get(base..).unwrap_or_default(), base),
            ids,
            str_cap,
        }
    }

    /// Offset of item `idx` of `s` (`size` bytes each), if `idx < count`.
    fn item(s: Section, idx: u32, size: usize) -> Option<usize> {
        if idx >= s.count {
            return None;
        }
        (idx as usize)
            .checked_mul(size)
            .and_then(|o| o.checked_add(s.off))
    }

    /// The MUTF-8 bytes of string `idx` (without the NUL), at most `cap` bytes.
    pub(crate) fn string_bytes(&self, idx: u32, cap: usize) -> Option<&'a [u8]> {
        let at = Self::item(self.ids.strings, idx, 4)?;
        let data_off = self.r.u32_at(at).ok()? as usize;
        let mut sr = self.r;
        sr.seek(data_off).ok()?;
        sr.uleb128().ok()?;
        let rest = sr.peek_bytes(sr.remaining().min(cap)).ok()?;
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        rest.get(..end)
    }

    pub(crate) fn string(&self, idx: u32) -> Option<String> {
        self.string_bytes(idx, self.str_cap).map(mutf8::decode)
    }

    /// String id of type `idx`'s descriptor.
    pub(crate) fn type_string_idx(&self, idx: u32) -> Option<u32> {
        let at = Self::item(self.ids.types, idx, 4)?;
        self.r.u32_at(at).ok()
    }

    pub(crate) fn type_name(&self, idx: u32) -> Option<String> {
        self.string(self.type_string_idx(idx)?)
    }

    /// The raw entries (2 bytes each) of the `type_list` at `off`
    /// (relative to base); `None` if it does not fit in the file.
    pub(crate) fn type_list(&self, off: u32) -> Option<&'a [u8]> {
        let mut r = self.r;
        r.seek(off as usize).ok()?;
        let n = r.u32().ok()? as usize;
        r.check_count(n, 2).ok()?;
        r.bytes(n * 2).ok()
    }

    pub(crate) fn proto(&self, idx: u32) -> Option<String> {
        let at = Self::item(self.ids.protos, idx, 12)?;
        // ART reads return_type_idx as 16 bits (then padding).
        let ret = u32::from(self.r.u16_at(at + 4).ok()?);
        let params_off = self.r.u32_at(at + 8).ok()?;
        let mut out = String::from("(");
        if params_off != 0 {
            for t in self.type_list(params_off)?.chunks_exact(2) {
                let t = match t {
                    &[a, b] => u32::from(u16::from_le_bytes([a, b])),
                    _ => return None,
                };
                out.push_str(&self.type_name(t)?);
            }
        }
        out.push(')');
        out.push_str(&self.type_name(ret)?);
        Some(out)
    }

    /// `(class_idx, proto_idx, name_idx)` of method id `idx`.
    pub(crate) fn method_id(&self, idx: u32) -> Option<(u32, u32, u32)> {
        let at = Self::item(self.ids.methods, idx, 8)?;
        Some((
            u32::from(self.r.u16_at(at).ok()?),
            u32::from(self.r.u16_at(at + 2).ok()?),
            self.r.u32_at(at + 4).ok()?,
        ))
    }

    pub(crate) fn method_ref(&self, idx: u32) -> Option<MethodRef> {
        let (class, proto, name) = self.method_id(idx)?;
        Some(MethodRef {
            class: self.type_name(class)?,
            name: self.string(name)?,
            proto: self.proto(proto)?,
        })
    }

    pub(crate) fn field_ref(&self, idx: u32) -> Option<FieldRef> {
        let at = Self::item(self.ids.fields, idx, 8)?;
        let class = u32::from(self.r.u16_at(at).ok()?);
        let ty = u32::from(self.r.u16_at(at + 2).ok()?);
        let name = self.r.u32_at(at + 4).ok()?;
        Some(FieldRef {
            class: self.type_name(class)?,
            name: self.string(name)?,
            field_type: self.type_name(ty)?,
        })
    }
}

/// Anomalies aggregated by code: how many, and the first one in full.
#[derive(Debug, Default)]
pub(crate) struct Agg {
    items: BTreeMap<&'static str, (u64, usize, String)>,
}

impl Agg {
    /// Records one occurrence; `detail` is only built for the first.
    pub(crate) fn add(
        &mut self,
        code: &'static str,
        offset: usize,
        detail: impl FnOnce() -> String,
    ) {
        self.items
            .entry(code)
            .and_modify(|e| e.0 += 1)
            .or_insert_with(|| (1, offset, detail()));
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// One anomaly per code, in code order.
    pub(crate) fn finish(self) -> Vec<Anomaly> {
        self.items
            .into_iter()
            .map(|(code, (n, off, detail))| {
                let detail = if n > 1 {
                    format!("{detail} (and {} more like it)", n - 1)
                } else {
                    detail
                };
                Anomaly::at(code, off, detail)
            })
            .collect()
    }
}

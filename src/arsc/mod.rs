//! `resources.arsc`: the compiled resource table (AOSP `ResourceTypes.h`,
//! `ResourceTypes.cpp`, `LoadedArsc.cpp`), decoded into a
//! [`ResourceTable`] that names ids (`0x7f040000` -> `@string/app_name`),
//! lists every configuration's value and resolves references the way a
//! device would.
//!
//! Layout: `ResTable_header` (`RES_TABLE_TYPE` 0x0002, `packageCount`), the
//! global `ResStringPool` (every string value), then `ResTable_package`
//! chunks (0x0200: id, UTF-16 name, type and key string pools,
//! `typeIdOffset`). Inside a package: `ResTable_typeSpec` (0x0202, one per
//! type, per-entry config-change flags), `ResTable_type` (0x0201, one per
//! type and configuration: entry offsets then `ResTable_entry` records, each
//! followed by a `Res_value` or, for bags, `ResTable_map_entry` +
//! `ResTable_map`s), `ResTable_lib_header` (0x0203, dynamic package ids),
//! overlayable (0x0204/0x0205) and staged-alias (0x0206) chunks.
//! Handled encodings: dense 32-bit offsets, `FLAG_OFFSET16` (u16 offset/4,
//! 0xffff = none), `FLAG_SPARSE` (`ResTable_sparseTypeEntry` {idx, offset/4}
//! sorted by idx, binary-searched) and `FLAG_COMPACT` entries (key index in
//! the first u16, `dataType` in the high byte of `flags`, data in the key
//! field). Configurations are size-prefixed and read only as far as they
//! are declared (see [`config`]).
//!
//! What is tolerated (each recorded as an [`Anomaly`], never a panic), by
//! stable code:
//!
//! | code | what happened | what fingertip does |
//! |---|---|---|
//! | `arsc_chunk_truncated` | a chunk's size runs past its parent / the data | uses the bytes present |
//! | `arsc_bad_chunk_header` | headerSize < 8, size < headerSize, or a type/spec header too short | stops walking that level / skips that chunk |
//! | `arsc_trailing_bytes` | fewer than 8 bytes left after the last chunk | ignored |
//! | `arsc_unknown_chunk` | a chunk type this module does not know | skipped |
//! | `arsc_missing_string_pool` / `arsc_bad_string_pool` | global, type or key pool absent or unreadable | empty pool (values / names unavailable) |
//! | `arsc_extra_string_pool` | a second global pool | ignored |
//! | `arsc_misplaced_string_pool` | a package pool not at the header's offset | used for whichever pool is missing |
//! | `arsc_package_count_mismatch` | `packageCount` differs from packages found | packages found are used |
//! | `arsc_bad_package_header` | package header shorter than `ResTable_package` | missing fields read as 0 (skipped if < 12 bytes) |
//! | `arsc_bad_package_id` | package id > 0xff | kept, but no resource id can reach it |
//! | `arsc_duplicate_package_id` | two packages share an id | both kept, looked up as one group, first first (like `AssetManager2`) |
//! | `arsc_bad_type_id` | type id 0 (chunk skipped) or beyond the type string pool (kept, unnamed) | |
//! | `arsc_duplicate_type_spec` | two specs for one type | first spec's flags kept |
//! | `arsc_type_without_spec` | configurations for a type with no spec | entry count taken from the chunks |
//! | `arsc_entry_count_too_large` | a spec, type, library or alias count exceeds its bytes | clamped to what fits |
//! | `arsc_bad_config_size` | `ResTable_config::size` larger than the header (or < 4) | reads the bytes present |
//! | `arsc_bad_entries_start` | `entriesStart` outside the chunk or inside the header | chunk skipped |
//! | `arsc_bad_entries` | entries whose offset or body leaves the chunk (count per type chunk) | those entries skipped |
//! | `arsc_map_count_too_large` | bag `count` exceeds its bytes (count per type chunk) | items clamped |
//! | `arsc_entry_beyond_spec` | entries past the spec's entry count (count per type chunk) | kept |
//! | `arsc_unsorted_sparse_entries` | sparse entries not sorted by index | indexed after sorting |
//!
//! String-pool anomalies (`string_pool_*`) come from [`StringPool`], with
//! the pool (`global`, `type`, `key`) named in the detail.

//! Cost model: `parse` copies the table once, walks every chunk and checks
//! every entry header (so anomalies are known up front) but decodes no
//! value; values are decoded on first access and cached per entry. Looking
//! up one id is O(configs of its type), each probe O(1) (dense) or
//! O(log n) (sparse).
//!
//! Resolution ([`ResourceTable::resolve`]) follows Android's
//! `ResTable_config::match` / `isBetterThan` for a *default device*: no
//! locale, no mcc/mnc, medium density (160 dpi, what Android assumes when no
//! density is given), every other qualifier unset, and any API level: `-vNN`
//! configs are accepted but not preferred, so between `values` and
//! `values-v21` the default configuration wins. So for density buckets the
//! default config beats `hdpi`; without a default entry, `anydpi` wins, then
//! the lowest bucket at or above 160 dpi (scaling down beats scaling up).
//! When no configuration matches (a string only in `values-fr`, a layout only
//! in `layout-land`), where Android would throw, the least specific
//! configuration is used so that analysis still has a value.

pub mod config;
mod parse;

use crate::reader::{Anomaly, Limits, Reader};
use crate::resvalue::{RawValue, Value};
use crate::stringpool::StringPool;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

pub use config::Config;

/// `RES_TABLE_TYPE`.
pub const RES_TABLE_TYPE: u16 = 0x0002;
/// `RES_TABLE_PACKAGE_TYPE`.
pub const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
/// `RES_TABLE_TYPE_TYPE`.
pub const RES_TABLE_TYPE_TYPE: u16 = 0x0201;
/// `RES_TABLE_TYPE_SPEC_TYPE`.
pub const RES_TABLE_TYPE_SPEC_TYPE: u16 = 0x0202;
/// `RES_TABLE_LIBRARY_TYPE`.
pub const RES_TABLE_LIBRARY_TYPE: u16 = 0x0203;
/// `RES_TABLE_OVERLAYABLE_TYPE`.
pub const RES_TABLE_OVERLAYABLE_TYPE: u16 = 0x0204;
/// `RES_TABLE_OVERLAYABLE_POLICY_TYPE`.
pub const RES_TABLE_OVERLAYABLE_POLICY_TYPE: u16 = 0x0205;
/// `RES_TABLE_STAGED_ALIAS_TYPE`.
pub const RES_TABLE_STAGED_ALIAS_TYPE: u16 = 0x0206;
/// `ResTable_typeSpec::SPEC_PUBLIC`.
pub const SPEC_PUBLIC: u32 = 0x4000_0000;

/// Why a resource table could not be read at all. Anything less severe is
/// an [`Anomaly`] on the returned table.
#[derive(Debug, thiserror::Error)]
pub enum ArscError {
    /// Fewer bytes than a `ResTable_header`.
    #[error("resources.arsc: {len} bytes at offset 0x0 are too few for a ResTable_header (12)")]
    TooShort {
        /// Bytes present.
        len: usize,
    },
    /// The first chunk is not `RES_TABLE_TYPE`.
    #[error(
        "resources.arsc: chunk type {found:#06x} at offset 0x0 is not a resource table (0x0002)"
    )]
    NotATable {
        /// The chunk type found.
        found: u16,
    },
    /// The table has no readable `ResTable_package`.
    #[error("resources.arsc: no readable package chunk after the header at offset 0x0 ({declared} declared)")]
    NoPackages {
        /// `packageCount` from the header.
        declared: u32,
    },
}

/// A decoded entry value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryValue {
    /// A `Res_value` (also what a `FLAG_COMPACT` entry holds).
    Simple(Value),
    /// A bag (`FLAG_COMPLEX`): style, attr, array, plurals...
    Bag {
        /// `ResTable_map_entry::parent` (0 = none).
        parent: u32,
        /// `(ResTable_map::name, value)` pairs in file order.
        items: Vec<(u32, Value)>,
    },
}

impl EntryValue {
    /// The simple value, if this is not a bag.
    pub fn as_simple(&self) -> Option<&Value> {
        match self {
            EntryValue::Simple(v) => Some(v),
            EntryValue::Bag { .. } => None,
        }
    }
}

/// The name of a resource id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceName {
    /// Package name (`ResTable_package::name`).
    pub package: String,
    /// Type name (`string`, `layout`, ...).
    pub type_name: String,
    /// Entry key (`app_name`).
    pub entry: String,
    /// Whether the package is the table's main package (see
    /// [`ResourceTable::main_package`]); decides the `pkg:` prefix.
    pub in_main_package: bool,
}

impl ResourceName {
    /// aapt's form `package:type/entry`, always with the package.
    pub fn full(&self) -> String {
        format!("{}:{}/{}", self.package, self.type_name, self.entry)
    }
}

impl std::fmt::Display for ResourceName {
    /// `@type/entry` for the main package, `@package:type/entry` otherwise.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.in_main_package {
            write!(f, "@{}/{}", self.type_name, self.entry)
        } else {
            write!(f, "@{}:{}/{}", self.package, self.type_name, self.entry)
        }
    }
}

/// The outcome of following a reference chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// The final non-reference value. `None` for a bag, a cycle, a chain
    /// longer than `Limits::max_reference_depth`, or an id with no entry.
    /// A reference that leaves the table (e.g. to `@android:` resources
    /// when only the app table is loaded) ends the chain and is returned as
    /// `Value::Reference(id)`; `@null` as `Value::Reference(0)`.
    pub value: Option<Value>,
    /// Every id looked up, in order, starting with the one asked for.
    pub chain: Vec<u32>,
    /// True when the chain revisited an id or exceeded the depth limit.
    pub cycle: bool,
}

/// Summary of one resource type of a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypeInfo {
    /// Type id (the `tt` of `0xpptteeee`).
    pub id: u8,
    /// Type name, when the type string pool has it.
    pub name: Option<String>,
    /// Entries declared by the type spec (or seen, without a spec).
    pub entry_count: u32,
    /// Number of `ResTable_type` chunks (configurations).
    pub config_count: usize,
}

/// One `ResTable_package` chunk.
pub struct Package {
    /// Package id (0x7f for apps, 0x01 for the framework, 0 for shared libraries).
    pub id: u32,
    /// Package name (`ResTable_package::name`).
    pub name: String,
    /// `typeIdOffset` (0 when the header is too short to carry it).
    pub type_id_offset: u32,
    /// `RES_TABLE_LIBRARY_TYPE` entries: (build-time package id, package name).
    pub libraries: Vec<(u32, String)>,
    /// `RES_TABLE_STAGED_ALIAS_TYPE` entries: (staged id, finalized id).
    pub staged_aliases: Vec<(u32, u32)>,
    /// Names of `RES_TABLE_OVERLAYABLE_TYPE` chunks.
    pub overlayables: Vec<String>,
    type_strings: StringPool,
    key_strings: StringPool,
    types: BTreeMap<u8, TypeGroup>,
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package")
            .field("id", &format_args!("{:#04x}", self.id))
            .field("name", &self.name)
            .field("types", &self.types.len())
            .finish_non_exhaustive()
    }
}

impl Package {
    /// The package's resource types in id order.
    pub fn types(&self) -> Vec<TypeInfo> {
        self.types
            .values()
            .map(|t| TypeInfo {
                id: t.id,
                name: t.name.clone(),
                entry_count: t.entry_count,
                config_count: t.chunks.len(),
            })
            .collect()
    }

    /// Name of type `type_id`, when known.
    pub fn type_name(&self, type_id: u8) -> Option<&str> {
        self.types.get(&type_id)?.name.as_deref()
    }

    fn key_name(&self, group: &TypeGroup, entry: u32) -> Option<String> {
        self.key_strings.get(group.keys.get(entry)?)
    }

    fn type_by_name(&self, name: &str) -> Option<&TypeGroup> {
        self.types
            .values()
            .find(|t| t.name.as_deref() == Some(name))
    }
}

const NO_KEY: u32 = u32::MAX;

/// Key string index per entry. `dense` covers the spec's entry count
/// (itself bounded by the spec chunk's bytes); entries beyond it go to
/// `extra`, so a hostile sparse index (up to 0xffff) costs one map node,
/// not a 256 KiB array.
#[derive(Default)]
struct Keys {
    dense: Vec<u32>,
    extra: BTreeMap<u32, u32>,
}

impl Keys {
    fn with_len(len: u32) -> Keys {
        Keys {
            dense: vec![NO_KEY; len as usize],
            extra: BTreeMap::new(),
        }
    }

    fn get(&self, entry: u32) -> Option<u32> {
        let k = match self.dense.get(entry as usize) {
            Some(k) => *k,
            None => *self.extra.get(&entry)?,
        };
        (k != NO_KEY).then_some(k)
    }

    /// Records `key` for `entry` unless one is known (first valid chunk wins).
    fn set_if_absent(&mut self, entry: u32, key: u32) {
        match self.dense.get_mut(entry as usize) {
            Some(k) if *k == NO_KEY => *k = key,
            Some(_) => {}
            None => {
                self.extra.entry(entry).or_insert(key);
            }
        }
    }

    /// (entry, key index) for every entry with a known key, in entry order.
    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.dense
            .iter()
            .enumerate()
            .filter(|(_, k)| **k != NO_KEY)
            .map(|(e, k)| (e as u32, *k))
            .chain(self.extra.iter().map(|(e, k)| (*e, *k)))
    }
}

/// All configurations of one type in one package.
struct TypeGroup {
    id: u8,
    name: Option<String>,
    /// Entry count from the spec (or the largest chunk when spec-less).
    entry_count: u32,
    /// Absolute offset and count of the spec's flag array.
    spec_flags: Option<(usize, u32)>,
    /// Key string index per entry (first valid chunk wins), `NO_KEY` if none.
    keys: Keys,
    chunks: Vec<TypeChunk>,
    /// key -> entry index, built on first `id_of`.
    names: OnceLock<HashMap<String, u32>>,
}

/// How a `ResTable_type` stores its entry offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OffsetKind {
    Dense32,
    Dense16,
    Sparse { sorted: bool },
}

/// One `ResTable_type` chunk: a configuration's entries, decoded lazily.
struct TypeChunk {
    config: Config,
    /// Absolute offsets into the table's bytes.
    offsets_at: usize,
    entries_start: usize,
    end: usize,
    /// Number of offset slots (clamped to the bytes present).
    count: u32,
    kind: OffsetKind,
    /// One bit per slot: the entry is present and its header checked out.
    valid: Vec<u64>,
    /// Valid slots before each word of `valid` (rank index).
    rank: Vec<u32>,
    /// For sparse chunks whose entries are not sorted by index: (entry,
    /// slot) sorted by entry, built once at parse time.
    sparse_index: Vec<(u32, u32)>,
    /// Decoded values, one per valid slot, allocated on first access.
    cache: OnceLock<Box<[OnceLock<Option<EntryValue>>]>>,
}

impl TypeChunk {
    /// Entry index and absolute entry offset stored in `slot`, if any.
    fn slot_entry(&self, r: &Reader<'_>, slot: usize) -> Option<(u32, usize)> {
        match self.kind {
            OffsetKind::Dense32 => {
                let off = r
                    .u32_at(self.offsets_at.checked_add(slot.checked_mul(4)?)?)
                    .ok()?;
                (off != u32::MAX)
                    .then(|| (slot as u32, self.entries_start.saturating_add(off as usize)))
            }
            OffsetKind::Dense16 => {
                let off = r
                    .u16_at(self.offsets_at.checked_add(slot.checked_mul(2)?)?)
                    .ok()?;
                (off != 0xffff).then(|| {
                    (
                        slot as u32,
                        self.entries_start.saturating_add(usize::from(off) * 4),
                    )
                })
            }
            OffsetKind::Sparse { .. } => {
                let at = self.offsets_at.checked_add(slot.checked_mul(4)?)?;
                let idx = r.u16_at(at).ok()?;
                let off = r.u16_at(at + 2).ok()?;
                Some((
                    u32::from(idx),
                    self.entries_start.saturating_add(usize::from(off) * 4),
                ))
            }
        }
    }

    /// Calls `f(slot, entry index, absolute offset)` for every non-empty
    /// slot, read straight from the offsets array (used once, when
    /// validating; tables are mostly empty slots, so the skip is tight).
    fn for_each_raw_slot(&self, data: &[u8], mut f: impl FnMut(usize, u32, usize)) {
        let width = if self.kind == OffsetKind::Dense16 {
            2
        } else {
            4
        };
        let len = (self.count as usize).saturating_mul(width);
        let bytes = self
            .offsets_at
            .checked_add(len)
            .and_then(|end| data.get(self.offsets_at..end))
            .unwrap_or(&[]);
        let base = self.entries_start;
        match self.kind {
            OffsetKind::Dense32 => {
                for (slot, b) in bytes.chunks_exact(4).enumerate() {
                    if let [b0, b1, b2, b3] = *b {
                        let off = u32::from_le_bytes([b0, b1, b2, b3]);
                        if off != u32::MAX {
                            f(slot, slot as u32, base.saturating_add(off as usize));
                        }
                    }
                }
            }
            OffsetKind::Dense16 => {
                for (slot, b) in bytes.chunks_exact(2).enumerate() {
                    if let [b0, b1] = *b {
                        let off = u16::from_le_bytes([b0, b1]);
                        if off != 0xffff {
                            f(slot, slot as u32, base.saturating_add(usize::from(off) * 4));
                        }
                    }
                }
            }
            OffsetKind::Sparse { .. } => {
                for (slot, b) in bytes.chunks_exact(4).enumerate() {
                    if let [i0, i1, o0, o1] = *b {
                        let idx = u16::from_le_bytes([i0, i1]);
                        let off = u16::from_le_bytes([o0, o1]);
                        f(
                            slot,
                            u32::from(idx),
                            base.saturating_add(usize::from(off) * 4),
                        );
                    }
                }
            }
        }
    }

    /// Slot holding entry index `entry`, if any (not yet checked for validity).
    fn slot_of(&self, r: &Reader<'_>, entry: u32) -> Option<usize> {
        match self.kind {
            OffsetKind::Dense32 | OffsetKind::Dense16 => {
                (entry < self.count).then_some(entry as usize)
            }
            OffsetKind::Sparse { sorted } => {
                let idx_at = |slot: usize| {
                    r.u16_at(self.offsets_at.saturating_add(slot.saturating_mul(4)))
                        .ok()
                        .map(u32::from)
                };
                if sorted {
                    let (mut lo, mut hi) = (0usize, self.count as usize);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        match idx_at(mid)?.cmp(&entry) {
                            std::cmp::Ordering::Less => lo = mid + 1,
                            std::cmp::Ordering::Greater => hi = mid,
                            std::cmp::Ordering::Equal => return Some(mid),
                        }
                    }
                    None
                } else {
                    let i = self.sparse_index.partition_point(|(e, _)| *e < entry);
                    match self.sparse_index.get(i) {
                        Some((e, slot)) if *e == entry => Some(*slot as usize),
                        _ => None,
                    }
                }
            }
        }
    }

    fn is_valid(&self, slot: usize) -> bool {
        self.valid
            .get(slot / 64)
            .is_some_and(|w| w & (1u64 << (slot % 64)) != 0)
    }

    /// Index of a valid `slot` among the valid slots.
    fn rank_of(&self, slot: usize) -> Option<usize> {
        let word = *self.valid.get(slot / 64)?;
        let before = *self.rank.get(slot / 64)? as usize;
        let mask = (1u64 << (slot % 64)) - 1;
        Some(before + (word & mask).count_ones() as usize)
    }

    fn valid_count(&self) -> usize {
        match (self.rank.last(), self.valid.last()) {
            (Some(r), Some(w)) => *r as usize + w.count_ones() as usize,
            _ => 0,
        }
    }

    /// (slot, absolute entry offset) of entry index `entry`, if present and valid.
    fn locate(&self, data: &[u8], entry: u32) -> Option<(usize, usize)> {
        let r = Reader::new(data);
        let slot = self.slot_of(&r, entry)?;
        if !self.is_valid(slot) {
            return None;
        }
        let (_, abs) = self.slot_entry(&r, slot)?;
        Some((slot, abs))
    }

    /// Every valid (entry index, slot, absolute offset), in slot order.
    fn present<'d>(&'d self, data: &'d [u8]) -> impl Iterator<Item = (u32, usize, usize)> + 'd {
        let r = Reader::new(data);
        self.valid.iter().enumerate().flat_map(move |(w, bits)| {
            let mut bits = *bits;
            std::iter::from_fn(move || {
                while bits != 0 {
                    let b = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let slot = w * 64 + b;
                    if let Some((entry, abs)) = self.slot_entry(&r, slot) {
                        return Some((entry, slot, abs));
                    }
                }
                None
            })
        })
    }

    fn value<'s>(
        &'s self,
        data: &[u8],
        pool: &StringPool,
        slot: usize,
        abs: usize,
    ) -> Option<&'s EntryValue> {
        let cache = self.cache.get_or_init(|| {
            (0..self.valid_count())
                .map(|_| OnceLock::new())
                .collect::<Vec<_>>()
                .into_boxed_slice()
        });
        cache
            .get(self.rank_of(slot)?)?
            .get_or_init(|| decode_entry(data, abs, self.end, pool))
            .as_ref()
    }
}

/// What an entry header says, after bounds checks.
#[derive(Clone, Copy, Debug)]
struct EntryInfo {
    key: u32,
    body: EntryBody,
}

#[derive(Clone, Copy, Debug)]
enum EntryBody {
    Simple(RawValue),
    Map {
        parent: u32,
        maps_at: usize,
        count: u32,
        declared: u32,
    },
}

const FLAG_COMPLEX: u16 = 0x0001;
const FLAG_COMPACT: u16 = 0x0008;

/// Reads and checks the entry at `abs` (which must end by `end`).
/// `None` when it does not fit; a map count running past `end` is clamped
/// (`declared` keeps the original).
fn read_entry(data: &[u8], abs: usize, end: usize) -> Option<EntryInfo> {
    let avail = end.min(data.len());
    if abs.checked_add(8)? > avail {
        return None;
    }
    let r = Reader::new(data);
    let flags = r.u16_at(abs + 2).ok()?;
    if flags & FLAG_COMPACT != 0 {
        let key = u32::from(r.u16_at(abs).ok()?);
        let data_word = r.u32_at(abs + 4).ok()?;
        return Some(EntryInfo {
            key,
            body: EntryBody::Simple(RawValue {
                data_type: (flags >> 8) as u8,
                data: data_word,
            }),
        });
    }
    let size = usize::from(r.u16_at(abs).ok()?);
    let key = r.u32_at(abs + 4).ok()?;
    if size < 8 {
        return None;
    }
    if flags & FLAG_COMPLEX != 0 {
        if size < 16 || abs.checked_add(size)? > avail {
            return None;
        }
        let parent = r.u32_at(abs + 8).ok()?;
        let declared = r.u32_at(abs + 12).ok()?;
        let maps_at = abs + size;
        let room = (avail - maps_at) / 12;
        let count = declared.min(u32::try_from(room).unwrap_or(u32::MAX));
        return Some(EntryInfo {
            key,
            body: EntryBody::Map {
                parent,
                maps_at,
                count,
                declared,
            },
        });
    }
    let value_at = abs.checked_add(size)?;
    if value_at.checked_add(8)? > avail {
        return None;
    }
    let mut vr = Reader::new(data);
    vr.seek(value_at).ok()?;
    let raw = RawValue::read(&mut vr).ok()?;
    Some(EntryInfo {
        key,
        body: EntryBody::Simple(raw),
    })
}

fn decode_entry(data: &[u8], abs: usize, end: usize, pool: &StringPool) -> Option<EntryValue> {
    let info = read_entry(data, abs, end)?;
    match info.body {
        EntryBody::Simple(raw) => Some(EntryValue::Simple(raw.decode(pool))),
        EntryBody::Map {
            parent,
            maps_at,
            count,
            ..
        } => {
            let mut r = Reader::new(data);
            r.seek(maps_at).ok()?;
            // `count` is already bounded by the bytes present.
            let mut items = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let Ok(name) = r.u32() else { break };
                let Ok(raw) = RawValue::read(&mut r) else {
                    break;
                };
                items.push((name, raw.decode(pool)));
            }
            Some(EntryValue::Bag { parent, items })
        }
    }
}

/// One entry in one configuration, as yielded by [`ResourceTable::iter_entries`].
pub struct EntryRef<'a> {
    /// Resource id `0xpptteeee`.
    pub id: u32,
    /// The package holding it.
    pub package: &'a Package,
    /// Type name (`layout`, `string`, ...), `""` when unnamed.
    pub type_name: &'a str,
    /// The configuration of this value.
    pub config: &'a Config,
    /// The value.
    pub value: &'a EntryValue,
    group: &'a TypeGroup,
}

impl std::fmt::Debug for EntryRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryRef")
            .field("id", &format_args!("{:#010x}", self.id))
            .field("type_name", &self.type_name)
            .field("config", &self.config.qualifiers())
            .field("value", self.value)
            .finish()
    }
}

impl EntryRef<'_> {
    /// The entry key (`activity_main`), decoded on demand.
    pub fn key(&self) -> Option<String> {
        self.package.key_name(self.group, self.id & 0xffff)
    }
}

/// A parsed `resources.arsc`.
pub struct ResourceTable {
    /// Packages in file order.
    pub packages: Vec<Package>,
    /// What was tolerated while parsing.
    pub anomalies: Vec<Anomaly>,
    /// `ResTable_header::packageCount` as declared.
    pub declared_package_count: u32,
    data: Vec<u8>,
    strings: StringPool,
    /// Package id -> indices into `packages` (a package group).
    groups: BTreeMap<u8, Vec<usize>>,
}

impl std::fmt::Debug for ResourceTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceTable")
            .field("packages", &self.packages)
            .field("anomalies", &self.anomalies.len())
            .field("strings", &self.strings.len())
            .finish_non_exhaustive()
    }
}

/// Parses a `resources.arsc`. Fails only when the bytes are not a resource
/// table at all or hold no readable package; everything else is recorded in
/// [`ResourceTable::anomalies`].
pub fn parse(data: &[u8], limits: &Limits) -> Result<ResourceTable, ArscError> {
    parse::parse_table(data, limits)
}

/// A candidate value for an id: its chunk and location.
#[derive(Clone, Copy)]
struct Candidate<'a> {
    chunk: &'a TypeChunk,
    slot: usize,
    abs: usize,
}

impl ResourceTable {
    /// The global value string pool.
    pub fn strings(&self) -> &StringPool {
        &self.strings
    }

    /// The main package: the first with id 0x7f, else the first package.
    /// Names in other packages print with a `pkg:` prefix.
    pub fn main_package(&self) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.id == 0x7f)
            .or_else(|| self.packages.first())
    }

    fn group(&self, id: u32) -> impl Iterator<Item = &Package> + '_ {
        let pkg = (id >> 24) as u8;
        self.groups
            .get(&pkg)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(|i| self.packages.get(*i))
    }

    /// Every configuration holding a value for `id`, in package-group then
    /// file order. An id not in the table is first mapped through the
    /// package's staged aliases, as Android does.
    fn candidates(&self, id: u32) -> Vec<Candidate<'_>> {
        let mut out = self.candidates_exact(id);
        if out.is_empty() {
            let alias = self
                .group(id)
                .flat_map(|p| p.staged_aliases.iter())
                .find(|(staged, _)| *staged == id)
                .map(|(_, fin)| *fin);
            if let Some(fin) = alias.filter(|f| *f != id) {
                out = self.candidates_exact(fin);
            }
        }
        out
    }

    fn candidates_exact(&self, id: u32) -> Vec<Candidate<'_>> {
        let type_id = ((id >> 16) & 0xff) as u8;
        let entry = id & 0xffff;
        let mut out = Vec::new();
        for package in self.group(id) {
            let Some(group) = package.types.get(&type_id) else {
                continue;
            };
            for chunk in &group.chunks {
                if let Some((slot, abs)) = chunk.locate(&self.data, entry) {
                    out.push(Candidate { chunk, slot, abs });
                }
            }
        }
        out
    }

    fn value_of<'s>(&'s self, c: &Candidate<'s>) -> Option<&'s EntryValue> {
        c.chunk.value(&self.data, &self.strings, c.slot, c.abs)
    }

    /// Every id that has a value in at least one configuration, sorted.
    pub fn ids(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for p in &self.packages {
            if p.id > 0xff {
                continue;
            }
            for (tid, g) in &p.types {
                for (e, _) in g.keys.iter() {
                    if e <= 0xffff {
                        out.push((p.id << 24) | (u32::from(*tid) << 16) | e);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The name of `id`: `None` when the id has no entry or its type/key
    /// strings are missing.
    pub fn name(&self, id: u32) -> Option<ResourceName> {
        let type_id = ((id >> 16) & 0xff) as u8;
        let main_id = self.main_package().map(|p| p.id);
        for p in self.group(id) {
            let Some(g) = p.types.get(&type_id) else {
                continue;
            };
            let (Some(type_name), Some(entry)) = (g.name.clone(), p.key_name(g, id & 0xffff))
            else {
                continue;
            };
            return Some(ResourceName {
                package: p.name.clone(),
                type_name,
                entry,
                in_main_package: Some(p.id) == main_id,
            });
        }
        None
    }

    /// The id of `type_name/key` (e.g. `("layout", "activity_main")`) in
    /// the first package that defines it.
    pub fn id_of(&self, type_name: &str, key: &str) -> Option<u32> {
        for p in &self.packages {
            if p.id > 0xff {
                continue;
            }
            let Some(g) = p.type_by_name(type_name) else {
                continue;
            };
            let names = g.names.get_or_init(|| {
                let mut m = HashMap::new();
                for (e, k) in g.keys.iter() {
                    if let Some(s) = p.key_strings.get(k) {
                        m.entry(s).or_insert(e);
                    }
                }
                m
            });
            if let Some(e) = names.get(key) {
                return Some((p.id << 24) | (u32::from(g.id) << 16) | (e & 0xffff));
            }
        }
        None
    }

    /// Whether the type spec marks `id` public (`SPEC_PUBLIC`).
    pub fn is_public(&self, id: u32) -> bool {
        let type_id = ((id >> 16) & 0xff) as u8;
        let entry = (id & 0xffff) as usize;
        let r = Reader::new(&self.data);
        self.group(id).any(|p| {
            p.types
                .get(&type_id)
                .and_then(|g| g.spec_flags)
                .filter(|(_, count)| entry < *count as usize)
                .and_then(|(at, _)| r.u32_at(at + entry * 4).ok())
                .is_some_and(|f| f & SPEC_PUBLIC != 0)
        })
    }

    /// Every configuration's value for `id`, in package-group then file order.
    pub fn values(&self, id: u32) -> Vec<(&Config, &EntryValue)> {
        self.candidates(id)
            .iter()
            .filter_map(|c| Some((&c.chunk.config, self.value_of(c)?)))
            .collect()
    }

    /// Every locale (BCP-47) that has at least one configuration, sorted.
    pub fn locales(&self) -> BTreeSet<String> {
        self.packages
            .iter()
            .flat_map(|p| p.types.values())
            .flat_map(|g| g.chunks.iter())
            .map(|c| c.config.locale.clone())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Every (id, type, config, value) in the table; keys decode on demand
    /// through [`EntryRef::key`].
    pub fn iter_entries(&self) -> impl Iterator<Item = EntryRef<'_>> + '_ {
        self.packages
            .iter()
            .filter(|p| p.id <= 0xff)
            .flat_map(move |p| p.types.values().flat_map(move |g| self.iter_group(p, g)))
    }

    /// Like [`ResourceTable::iter_entries`] for one type name (e.g. every
    /// `layout` in every configuration).
    pub fn iter_type<'s>(&'s self, type_name: &'s str) -> impl Iterator<Item = EntryRef<'s>> + 's {
        self.packages
            .iter()
            .filter(|p| p.id <= 0xff)
            .flat_map(move |p| {
                p.types
                    .values()
                    .filter(move |g| g.name.as_deref() == Some(type_name))
                    .flat_map(move |g| self.iter_group(p, g))
            })
    }

    fn iter_group<'s>(
        &'s self,
        p: &'s Package,
        g: &'s TypeGroup,
    ) -> impl Iterator<Item = EntryRef<'s>> + 's {
        g.chunks.iter().flat_map(move |c| {
            c.present(&self.data).filter_map(move |(entry, slot, abs)| {
                if entry > 0xffff {
                    return None;
                }
                let value = c.value(&self.data, &self.strings, slot, abs)?;
                Some(EntryRef {
                    id: (p.id << 24) | (u32::from(g.id) << 16) | entry,
                    package: p,
                    type_name: g.name.as_deref().unwrap_or(""),
                    config: &c.config,
                    value,
                    group: g,
                })
            })
        })
    }

    /// Picks the candidate Android would use on a device described by `req`
    /// (see the module docs); `None` when the id has no entry.
    fn best<'s>(&'s self, cands: &[Candidate<'s>], req: &Config) -> Option<Candidate<'s>> {
        let mut best: Option<Candidate<'s>> = None;
        for c in cands.iter().filter(|c| c.chunk.config.matches(req)) {
            best = match best {
                None => Some(*c),
                Some(b) => {
                    let (cc, bc) = (&c.chunk.config, &b.chunk.config);
                    let better = cc.is_better_than(bc, req)
                        || (!bc.is_better_than(cc, req) && bc.is_more_specific_than(cc));
                    Some(if better { *c } else { b })
                }
            };
        }
        if best.is_none() {
            // Nothing matches: take the least specific configuration.
            for c in cands {
                best = match best {
                    Some(b) if !b.chunk.config.is_more_specific_than(&c.chunk.config) => Some(b),
                    _ => Some(*c),
                };
            }
        }
        best
    }

    /// Follows `id` through references to a value, for the default device
    /// (see the module docs).
    pub fn resolve(&self, id: u32, limits: &Limits) -> Resolved {
        self.resolve_for(id, &Config::default(), limits)
    }

    /// Like [`ResourceTable::resolve`] for a device described by `device`
    /// (e.g. `Config::for_locale("fr")`). Every step of the chain is chosen
    /// for that same device.
    pub fn resolve_for(&self, id: u32, device: &Config, limits: &Limits) -> Resolved {
        self.resolve_inner(id, device, limits).0
    }

    /// Resolution plus whether any step used a configuration with a locale.
    fn resolve_inner(&self, id: u32, device: &Config, limits: &Limits) -> (Resolved, bool) {
        let mut chain = Vec::new();
        let mut used_locale = false;
        let mut current = id;
        loop {
            if chain.contains(&current) || chain.len() > limits.max_reference_depth {
                return (
                    Resolved {
                        value: None,
                        chain,
                        cycle: true,
                    },
                    used_locale,
                );
            }
            chain.push(current);
            let cands = self.candidates(current);
            let Some(best) = self.best(&cands, device) else {
                // Not in this table: a reference out of it stays a reference.
                let value = (chain.len() > 1).then_some(Value::Reference(current));
                return (
                    Resolved {
                        value,
                        chain,
                        cycle: false,
                    },
                    used_locale,
                );
            };
            used_locale |= best.chunk.config.has_locale();
            let value = match self.value_of(&best) {
                Some(EntryValue::Simple(v)) => v.clone(),
                _ => {
                    return (
                        Resolved {
                            value: None,
                            chain,
                            cycle: false,
                        },
                        used_locale,
                    )
                }
            };
            match value {
                Value::Reference(next) if next != 0 => current = next,
                other => {
                    return (
                        Resolved {
                            value: Some(other),
                            chain,
                            cycle: false,
                        },
                        used_locale,
                    )
                }
            }
        }
    }

    /// The default value of `id` as a string: strings as they are, other
    /// values through their `Display` (`#ff00ff00`, `16.0dip`, `true`, an
    /// unresolved reference as `@0x01040000`). `None` for bags, cycles and
    /// missing ids.
    pub fn resolve_string(&self, id: u32, limits: &Limits) -> Option<String> {
        value_string(self.resolve(id, limits).value)
    }

    /// Every locale's value of `id`, each resolved through the reference
    /// chain in that same locale. Key `""` is the default value; other keys
    /// are BCP-47 (`"zh-CN"`, `"sr-Latn"`). A locale is listed when some id
    /// on its chain has a value in a configuration of that locale (so a
    /// label referring to a translated string lists the translations), and
    /// is left out when its resolution used no locale-specific value. When
    /// no default-locale value exists (a string only in `values-fr`), there
    /// is no `""` key.
    pub fn string_by_locale(&self, id: u32, limits: &Limits) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let (default, default_used_locale) = self.resolve_inner(id, &Config::default(), limits);
        let mut seen_ids: BTreeSet<u32> = default.chain.iter().copied().collect();
        let mut pending: Vec<u32> = default.chain.clone();
        // A value found only through the no-match fallback in some locale
        // is listed under that locale, not as the default.
        if !default_used_locale {
            if let Some(s) = value_string(default.value) {
                out.insert(String::new(), s);
            }
        }
        let mut requests: BTreeMap<String, Config> = BTreeMap::new();
        let mut done: BTreeSet<String> = BTreeSet::new();
        // Bounded: every round adds ids to `seen_ids`, which only grows up
        // to the table's size; chains are bounded by the depth limit.
        while let Some(next) = pending.pop() {
            for c in self.candidates(next) {
                let cfg = &c.chunk.config;
                if cfg.has_locale() && !requests.contains_key(&cfg.locale) {
                    requests.insert(cfg.locale.clone(), locale_request(cfg));
                }
            }
            if !pending.is_empty() {
                continue;
            }
            let todo: Vec<(String, Config)> = requests
                .iter()
                .filter(|(k, _)| !done.contains(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (locale, req) in todo {
                done.insert(locale.clone());
                let (res, used) = self.resolve_inner(id, &req, limits);
                for step in &res.chain {
                    if seen_ids.insert(*step) {
                        pending.push(*step);
                    }
                }
                if used {
                    if let Some(s) = value_string(res.value) {
                        out.insert(locale, s);
                    }
                }
            }
        }
        out
    }

    /// For file resources (`@drawable/icon`, `@layout/main`): the `res/...`
    /// path. Among configurations that suit the default device, the default
    /// density wins, then the highest density bucket, then `nodpi`, then
    /// `anydpi` (so a launcher icon gives its sharpest bitmap rather than an
    /// adaptive-icon XML). A value that is a reference is resolved first
    /// (with the default [`Limits`]).
    pub fn file_path(&self, id: u32) -> Option<String> {
        let limits = Limits::default();
        let cands = self.candidates(id);
        let req = Config::default();
        let mut pool: Vec<&Candidate<'_>> = cands
            .iter()
            .filter(|c| c.chunk.config.matches(&req))
            .collect();
        if pool.is_empty() {
            pool = cands.iter().collect();
        }
        let rank = |d: u16| -> u32 {
            match d {
                0 => u32::MAX,
                config::DENSITY_NONE => 1,
                config::DENSITY_ANY => 0,
                other => 2 + u32::from(other),
            }
        };
        let best = pool.into_iter().fold(None::<&Candidate<'_>>, |acc, c| {
            let Some(b) = acc else { return Some(c) };
            let (rb, rc) = (rank(b.chunk.config.density), rank(c.chunk.config.density));
            let less_specific = b.chunk.config.is_more_specific_than(&c.chunk.config)
                && !c.chunk.config.is_more_specific_than(&b.chunk.config);
            Some(if rc > rb || (rc == rb && less_specific) {
                c
            } else {
                b
            })
        })?;
        match self.value_of(best)? {
            EntryValue::Simple(Value::String(s)) => Some(s.clone()),
            EntryValue::Simple(Value::Reference(r)) if *r != 0 => {
                match self.resolve(*r, &limits).value {
                    Some(Value::String(s)) => Some(s),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// A request for the locale of `cfg` on an otherwise default device.
fn locale_request(cfg: &Config) -> Config {
    let mut req = Config {
        language: cfg.language,
        country: cfg.country,
        locale_variant: cfg.locale_variant,
        ..Config::default()
    };
    if !cfg.locale_script_was_computed {
        req.locale_script = cfg.locale_script;
    }
    req.locale = cfg.locale.clone();
    req
}

fn value_string(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests;

//! Chunk walking for `resources.arsc`: table header, global pool, packages
//! and their type specs, types, libraries, overlayables and staged aliases.
//! Every count is checked against the bytes present before anything is
//! allocated from it; every entry header is checked once here so anomalies
//! are complete without decoding values.

use super::{
    read_entry, ArscError, Config, EntryBody, Keys, OffsetKind, Package, ResourceTable, TypeChunk,
    TypeGroup, RES_TABLE_LIBRARY_TYPE, RES_TABLE_OVERLAYABLE_POLICY_TYPE,
    RES_TABLE_OVERLAYABLE_TYPE, RES_TABLE_PACKAGE_TYPE, RES_TABLE_STAGED_ALIAS_TYPE,
    RES_TABLE_TYPE, RES_TABLE_TYPE_SPEC_TYPE, RES_TABLE_TYPE_TYPE,
};
use crate::reader::{Anomaly, Limits, Reader};
use crate::stringpool::{StringPool, RES_STRING_POOL_TYPE};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `ResTable_type::FLAG_SPARSE`.
const FLAG_SPARSE: u8 = 0x01;
/// `ResTable_type::FLAG_OFFSET16`.
const FLAG_OFFSET16: u8 = 0x02;
/// `sizeof(ResTable_package)` with and without `typeIdOffset`.
const PACKAGE_HEADER_FULL: usize = 288;
const PACKAGE_HEADER_NO_OFFSET: usize = 284;
/// `kResTableTypeMinSize`: `ResTable_type` up to and including `config.size`.
const TYPE_HEADER_MIN: usize = 24;
/// `sizeof(ResTable_lib_entry)`.
const LIB_ENTRY_SIZE: usize = 4 + 256;

/// Type specs by type id: (entry count, flags array position and count).
type Specs = BTreeMap<u8, (u32, Option<(usize, u32)>)>;

/// A chunk located by the walker (absolute offsets, `end` clamped).
#[derive(Clone, Copy, Debug)]
struct Chunk {
    typ: u16,
    start: usize,
    header_size: usize,
    end: usize,
}

/// Walks sibling chunks in `[start, end)`. A size past `end` is clamped to
/// the bytes present (anomaly); an unwalkable header ends the walk (anomaly).
fn walk(
    data: &[u8],
    start: usize,
    end: usize,
    anomalies: &mut Vec<Anomaly>,
    level: &str,
) -> Vec<Chunk> {
    let r = Reader::new(data);
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        if end - pos < 8 {
            anomalies.push(Anomaly::at(
                "arsc_trailing_bytes",
                pos,
                format!("{} byte(s) after the last {level} chunk", end - pos),
            ));
            break;
        }
        let (Ok(typ), Ok(hs), Ok(size)) = (r.u16_at(pos), r.u16_at(pos + 2), r.u32_at(pos + 4))
        else {
            break;
        };
        let header_size = usize::from(hs);
        let size = size as usize;
        if header_size < 8 || size < header_size {
            anomalies.push(Anomaly::at(
                "arsc_bad_chunk_header",
                pos,
                format!(
                    "{level} chunk type {typ:#06x} has headerSize {header_size} and size {size}; \
                     the rest of this level is skipped"
                ),
            ));
            break;
        }
        let mut chunk_end = pos.saturating_add(size);
        if chunk_end > end {
            anomalies.push(Anomaly::at(
                "arsc_chunk_truncated",
                pos,
                format!(
                    "{level} chunk type {typ:#06x} declares {size} bytes but only {} are present",
                    end - pos
                ),
            ));
            chunk_end = end;
        }
        out.push(Chunk {
            typ,
            start: pos,
            header_size: header_size.min(chunk_end - pos),
            end: chunk_end,
        });
        pos = chunk_end;
    }
    out
}

fn parse_pool(data: &[u8], chunk: &Chunk, anomalies: &mut Vec<Anomaly>, what: &str) -> StringPool {
    let Ok(sub) = Reader::new(data).sub(chunk.start, chunk.end - chunk.start) else {
        return StringPool::default();
    };
    let mut local = Vec::new();
    let pool = match StringPool::parse(&sub, &mut local) {
        Ok(p) => p,
        Err(e) => {
            anomalies.push(Anomaly::at(
                "arsc_bad_string_pool",
                chunk.start,
                format!("{what} string pool is unreadable ({e}); treated as empty"),
            ));
            StringPool::default()
        }
    };
    anomalies.extend(local.into_iter().map(|a| a.in_context(what)));
    pool
}

/// UTF-16 name field (`uint16_t name[n]`), NUL-terminated or full.
fn utf16_field(data: &[u8], at: usize, units: usize, end: usize) -> String {
    let r = Reader::new(data);
    let mut buf = Vec::new();
    for i in 0..units {
        let pos = at + i * 2;
        if pos + 2 > end {
            break;
        }
        match r.u16_at(pos) {
            Ok(0) | Err(_) => break,
            Ok(u) => buf.push(u),
        }
    }
    String::from_utf16_lossy(&buf)
}

pub(super) fn parse_table(input: &[u8], _limits: &Limits) -> Result<ResourceTable, ArscError> {
    let r = Reader::new(input);
    if input.len() < 12 {
        return Err(ArscError::TooShort { len: input.len() });
    }
    let typ = r.u16_at(0).unwrap_or(0);
    if typ != RES_TABLE_TYPE {
        return Err(ArscError::NotATable { found: typ });
    }
    let mut anomalies = Vec::new();
    let mut header_size = usize::from(r.u16_at(2).unwrap_or(12));
    let declared_size = r.u32_at(4).unwrap_or(0) as usize;
    let declared_package_count = r.u32_at(8).unwrap_or(0);
    let mut end = declared_size;
    if end > input.len() {
        anomalies.push(Anomaly::at(
            "arsc_chunk_truncated",
            0,
            format!(
                "table declares {declared_size} bytes but only {} are present",
                input.len()
            ),
        ));
        end = input.len();
    }
    if header_size < 12 || header_size > end {
        anomalies.push(Anomaly::at(
            "arsc_bad_chunk_header",
            0,
            format!("table headerSize {header_size} with size {declared_size}; assuming 12"),
        ));
        header_size = 12;
        end = end.max(12).min(input.len());
    }
    let data = input.get(..end).unwrap_or(input).to_vec();

    let mut strings: Option<StringPool> = None;
    let mut packages: Vec<Package> = Vec::new();
    for chunk in walk(&data, header_size, end, &mut anomalies, "table") {
        match chunk.typ {
            RES_STRING_POOL_TYPE if strings.is_none() => {
                strings = Some(parse_pool(&data, &chunk, &mut anomalies, "global"));
            }
            RES_STRING_POOL_TYPE => anomalies.push(Anomaly::at(
                "arsc_extra_string_pool",
                chunk.start,
                "a second global string pool is ignored",
            )),
            RES_TABLE_PACKAGE_TYPE => {
                if let Some(p) = parse_package(&data, &chunk, &mut anomalies) {
                    packages.push(p);
                }
            }
            other => anomalies.push(Anomaly::at(
                "arsc_unknown_chunk",
                chunk.start,
                format!("unknown table-level chunk type {other:#06x} skipped"),
            )),
        }
    }
    if packages.is_empty() {
        return Err(ArscError::NoPackages {
            declared: declared_package_count,
        });
    }
    if strings.is_none() {
        anomalies.push(Anomaly::at(
            "arsc_missing_string_pool",
            header_size,
            "no global string pool; string values cannot be decoded",
        ));
    }
    if packages.len() != declared_package_count as usize {
        anomalies.push(Anomaly::at(
            "arsc_package_count_mismatch",
            8,
            format!(
                "header declares {declared_package_count} package(s), {} found",
                packages.len()
            ),
        ));
    }
    let mut groups: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        let Ok(id) = u8::try_from(p.id) else {
            anomalies.push(Anomaly::new(
                "arsc_bad_package_id",
                format!(
                    "package {:?} has id {:#x}, which no resource id can address",
                    p.name, p.id
                ),
            ));
            continue;
        };
        let group = groups.entry(id).or_default();
        if !group.is_empty() {
            anomalies.push(Anomaly::new(
                "arsc_duplicate_package_id",
                format!(
                    "package {:?} reuses id {id:#04x}; both are looked up together, first package first",
                    p.name
                ),
            ));
        }
        group.push(i);
    }
    Ok(ResourceTable {
        packages,
        anomalies,
        declared_package_count,
        strings: strings.unwrap_or_default(),
        data,
        groups,
    })
}

/// A type chunk before grouping: where it is and what it declares.
struct RawType {
    id: u8,
    chunk: TypeChunk,
    start: usize,
}

fn parse_package(data: &[u8], chunk: &Chunk, anomalies: &mut Vec<Anomaly>) -> Option<Package> {
    let r = Reader::new(data);
    let s = chunk.start;
    let hs = chunk.header_size;
    if hs < 12 {
        anomalies.push(Anomaly::at(
            "arsc_bad_package_header",
            s,
            format!("package headerSize {hs} is too small to hold an id; package skipped"),
        ));
        return None;
    }
    let header_end = s + hs;
    let field = |off: usize| -> u32 {
        if off + 4 <= hs {
            r.u32_at(s + off).unwrap_or(0)
        } else {
            0
        }
    };
    let id = field(8);
    let name = utf16_field(data, s + 12, 128, header_end);
    if hs < PACKAGE_HEADER_NO_OFFSET {
        anomalies.push(Anomaly::at(
            "arsc_bad_package_header",
            s,
            format!("package headerSize {hs} is shorter than ResTable_package ({PACKAGE_HEADER_NO_OFFSET})"),
        ));
    }
    let type_strings_off = field(268) as usize;
    let key_strings_off = field(276) as usize;
    let type_id_offset = if hs >= PACKAGE_HEADER_FULL {
        field(284)
    } else {
        0
    };

    let children = walk(data, header_end, chunk.end, anomalies, "package");
    let mut type_pool: Option<StringPool> = None;
    let mut key_pool: Option<StringPool> = None;
    // Pools are identified by the header's offsets, like LoadedArsc; a pool
    // at neither offset fills whichever is still missing.
    for c in children.iter().filter(|c| c.typ == RES_STRING_POOL_TYPE) {
        let rel = c.start - s;
        if rel == type_strings_off && type_pool.is_none() {
            type_pool = Some(parse_pool(data, c, anomalies, "type"));
        } else if rel == key_strings_off && key_pool.is_none() {
            key_pool = Some(parse_pool(data, c, anomalies, "key"));
        } else {
            let which = if type_pool.is_none() { "type" } else { "key" };
            anomalies.push(Anomaly::at(
                "arsc_misplaced_string_pool",
                c.start,
                format!("string pool not at the offset the package header names; used as the {which} pool"),
            ));
            if type_pool.is_none() {
                type_pool = Some(parse_pool(data, c, anomalies, "type"));
            } else if key_pool.is_none() {
                key_pool = Some(parse_pool(data, c, anomalies, "key"));
            }
        }
    }
    if type_pool.is_none() || key_pool.is_none() {
        anomalies.push(Anomaly::at(
            "arsc_missing_string_pool",
            s,
            format!("package {name:?} lacks its type or key string pool; names are unavailable"),
        ));
    }
    let type_strings = type_pool.unwrap_or_default();
    let key_strings = key_pool.unwrap_or_default();

    let mut package = Package {
        id,
        name,
        type_id_offset,
        libraries: Vec::new(),
        staged_aliases: Vec::new(),
        overlayables: Vec::new(),
        type_strings,
        key_strings,
        types: BTreeMap::new(),
    };
    let mut specs: Specs = BTreeMap::new();
    let mut raw_types: Vec<RawType> = Vec::new();
    for c in &children {
        match c.typ {
            RES_STRING_POOL_TYPE => {}
            RES_TABLE_TYPE_SPEC_TYPE => parse_spec(data, c, &mut specs, anomalies),
            RES_TABLE_TYPE_TYPE => {
                if let Some(t) = parse_type(data, c, anomalies) {
                    raw_types.push(t);
                }
            }
            RES_TABLE_LIBRARY_TYPE => parse_library(data, c, &mut package, anomalies),
            RES_TABLE_OVERLAYABLE_TYPE => {
                package.overlayables.push(utf16_field(
                    data,
                    c.start + 8,
                    256,
                    c.start + c.header_size,
                ));
            }
            RES_TABLE_OVERLAYABLE_POLICY_TYPE => {}
            RES_TABLE_STAGED_ALIAS_TYPE => parse_staged_alias(data, c, &mut package, anomalies),
            other => anomalies.push(Anomaly::at(
                "arsc_unknown_chunk",
                c.start,
                format!(
                    "unknown chunk type {other:#06x} in package {:?} skipped",
                    package.name
                ),
            )),
        }
    }
    build_types(data, &mut package, specs, raw_types, anomalies);
    Some(package)
}

fn parse_spec(data: &[u8], c: &Chunk, specs: &mut Specs, anomalies: &mut Vec<Anomaly>) {
    let r = Reader::new(data);
    if c.header_size < 16 {
        anomalies.push(Anomaly::at(
            "arsc_bad_chunk_header",
            c.start,
            format!(
                "type spec headerSize {} is below 16; skipped",
                c.header_size
            ),
        ));
        return;
    }
    let id = r.u8_at(c.start + 8).unwrap_or(0);
    let declared = r.u32_at(c.start + 12).unwrap_or(0);
    if id == 0 {
        anomalies.push(Anomaly::at(
            "arsc_bad_type_id",
            c.start,
            "type spec with id 0 skipped",
        ));
        return;
    }
    let flags_at = c.start + c.header_size;
    let room = u32::try_from((c.end - flags_at) / 4).unwrap_or(u32::MAX);
    let count = declared.min(room);
    if count < declared {
        anomalies.push(Anomaly::at(
            "arsc_entry_count_too_large",
            c.start,
            format!("type spec {id:#04x} declares {declared} entries but only {room} flags fit"),
        ));
    }
    match specs.get_mut(&id) {
        Some(existing) => {
            anomalies.push(Anomaly::at(
                "arsc_duplicate_type_spec",
                c.start,
                format!("second type spec for type {id:#04x}; the first one's flags are kept"),
            ));
            existing.0 = existing.0.max(count);
        }
        None => {
            specs.insert(id, (count, Some((flags_at, count))));
        }
    }
}

fn parse_type(data: &[u8], c: &Chunk, anomalies: &mut Vec<Anomaly>) -> Option<RawType> {
    let r = Reader::new(data);
    let s = c.start;
    let hs = c.header_size;
    if hs < TYPE_HEADER_MIN {
        anomalies.push(Anomaly::at(
            "arsc_bad_chunk_header",
            s,
            format!("type chunk headerSize {hs} is below {TYPE_HEADER_MIN}; skipped"),
        ));
        return None;
    }
    let id = r.u8_at(s + 8).ok()?;
    let flags = r.u8_at(s + 9).ok()?;
    let declared_count = r.u32_at(s + 12).ok()?;
    let entries_start_rel = r.u32_at(s + 16).ok()? as usize;
    let config_size = r.u32_at(s + 20).ok()? as usize;
    let config_room = hs - 20;
    if config_size > config_room || config_size < 4 {
        anomalies.push(Anomaly::at(
            "arsc_bad_config_size",
            s + 20,
            format!(
                "ResTable_config size {config_size} does not fit the {config_room} header bytes"
            ),
        ));
    }
    let present = config_size.min(config_room);
    let config = Config::from_bytes(r.bytes_at(s + 20, present).unwrap_or(&[]));
    if id == 0 {
        anomalies.push(Anomaly::at(
            "arsc_bad_type_id",
            s,
            format!("type chunk ({}) with id 0 skipped", config),
        ));
        return None;
    }
    let size = c.end - s;
    if entries_start_rel < hs || entries_start_rel > size {
        anomalies.push(Anomaly::at(
            "arsc_bad_entries_start",
            s,
            format!(
                "type {id:#04x} ({config}) entriesStart {entries_start_rel:#x} lies outside \
                 [{hs:#x}, {size:#x}]; chunk skipped"
            ),
        ));
        return None;
    }
    let kind = if flags & FLAG_SPARSE != 0 {
        OffsetKind::Sparse { sorted: true }
    } else if flags & FLAG_OFFSET16 != 0 {
        OffsetKind::Dense16
    } else {
        OffsetKind::Dense32
    };
    let width = if kind == OffsetKind::Dense16 { 2 } else { 4 };
    let room = u32::try_from((entries_start_rel - hs) / width).unwrap_or(u32::MAX);
    let count = declared_count.min(room);
    if count < declared_count {
        anomalies.push(Anomaly::at(
            "arsc_entry_count_too_large",
            s,
            format!(
                "type {id:#04x} ({config}) declares {declared_count} entries but only {room} offsets \
                 fit before entriesStart"
            ),
        ));
    }
    Some(RawType {
        id,
        start: s,
        chunk: TypeChunk {
            config,
            offsets_at: s + hs,
            entries_start: s + entries_start_rel,
            end: c.end,
            count,
            kind,
            valid: Vec::new(),
            rank: Vec::new(),
            sparse_index: Vec::new(),
            cache: OnceLock::new(),
        },
    })
}

fn parse_library(data: &[u8], c: &Chunk, package: &mut Package, anomalies: &mut Vec<Anomaly>) {
    let r = Reader::new(data);
    let declared = r.u32_at(c.start + 8).unwrap_or(0) as usize;
    let at = c.start + c.header_size;
    let room = (c.end - at) / LIB_ENTRY_SIZE;
    if declared > room {
        anomalies.push(Anomaly::at(
            "arsc_entry_count_too_large",
            c.start,
            format!("library chunk declares {declared} entries but only {room} fit"),
        ));
    }
    for i in 0..declared.min(room) {
        let e = at + i * LIB_ENTRY_SIZE;
        let id = r.u32_at(e).unwrap_or(0);
        let name = utf16_field(data, e + 4, 128, e + LIB_ENTRY_SIZE);
        package.libraries.push((id, name));
    }
}

fn parse_staged_alias(data: &[u8], c: &Chunk, package: &mut Package, anomalies: &mut Vec<Anomaly>) {
    let r = Reader::new(data);
    let declared = r.u32_at(c.start + 8).unwrap_or(0) as usize;
    let at = c.start + c.header_size;
    let room = (c.end - at) / 8;
    if declared > room {
        anomalies.push(Anomaly::at(
            "arsc_entry_count_too_large",
            c.start,
            format!("staged alias chunk declares {declared} entries but only {room} fit"),
        ));
    }
    for i in 0..declared.min(room) {
        let e = at + i * 8;
        if let (Ok(staged), Ok(fin)) = (r.u32_at(e), r.u32_at(e + 4)) {
            package.staged_aliases.push((staged, fin));
        }
    }
}

/// Groups type chunks under their specs, checks every entry once (counting
/// bad ones per chunk) and records each entry's key.
fn build_types(
    data: &[u8],
    package: &mut Package,
    specs: Specs,
    raw_types: Vec<RawType>,
    anomalies: &mut Vec<Anomaly>,
) {
    let pool_len = package.type_strings.len();
    let name_of = |id: u8| -> Option<String> {
        let idx = u32::from(id)
            .checked_sub(1)?
            .checked_sub(package.type_id_offset)?;
        package.type_strings.get(idx)
    };
    let mut types: BTreeMap<u8, TypeGroup> = BTreeMap::new();
    for (id, (count, flags)) in specs {
        types.insert(
            id,
            TypeGroup {
                id,
                name: name_of(id),
                entry_count: count,
                spec_flags: flags,
                keys: Keys::default(),
                chunks: Vec::new(),
                names: OnceLock::new(),
            },
        );
    }
    for raw in raw_types {
        let group = types.entry(raw.id).or_insert_with(|| {
            anomalies.push(Anomaly::at(
                "arsc_type_without_spec",
                raw.start,
                format!("type {:#04x} has configurations but no type spec", raw.id),
            ));
            TypeGroup {
                id: raw.id,
                name: name_of(raw.id),
                entry_count: 0,
                spec_flags: None,
                keys: Keys::default(),
                chunks: Vec::new(),
                names: OnceLock::new(),
            }
        });
        if group.spec_flags.is_none() {
            group.entry_count = group.entry_count.max(raw.chunk.count);
        }
        group.chunks.push(raw.chunk);
    }
    for (id, group) in types.iter_mut() {
        if group.name.is_none() {
            anomalies.push(Anomaly::new(
                "arsc_bad_type_id",
                format!(
                    "type id {id:#04x} (offset {}) has no name in the {pool_len}-entry type string pool",
                    package.type_id_offset
                ),
            ));
        }
        // The dense part of `keys` is sized by the spec's entry count, which
        // was clamped to the spec chunk's bytes; other entries go to a map.
        let mut keys = Keys::with_len(group.entry_count);
        let spec_count = group.entry_count;
        let has_spec = group.spec_flags.is_some();
        for chunk in group.chunks.iter_mut() {
            let mut bad = 0usize;
            let mut clamped = 0usize;
            let mut beyond = 0usize;
            let mut prev: Option<u32> = None;
            let mut unsorted = false;
            let slots = chunk.count as usize;
            let mut valid = vec![0u64; slots.div_ceil(64)];
            let sparse = matches!(chunk.kind, OffsetKind::Sparse { .. });
            chunk.for_each_raw_slot(data, |slot, entry, abs| {
                if sparse {
                    if prev.is_some_and(|p| entry <= p) {
                        unsorted = true;
                    }
                    prev = Some(entry);
                }
                let Some(info) = read_entry(data, abs, chunk.end) else {
                    bad += 1;
                    return;
                };
                if let Some(w) = valid.get_mut(slot / 64) {
                    *w |= 1u64 << (slot % 64);
                }
                if let EntryBody::Map {
                    count, declared, ..
                } = info.body
                {
                    if count < declared {
                        clamped += 1;
                    }
                }
                if has_spec && entry >= spec_count {
                    beyond += 1;
                }
                if entry <= 0xffff {
                    keys.set_if_absent(entry, info.key);
                }
            });
            let mut acc = 0u32;
            chunk.rank = valid
                .iter()
                .map(|w| {
                    let before = acc;
                    acc += w.count_ones();
                    before
                })
                .collect();
            chunk.valid = valid;
            let what = format!("type {id:#04x} ({})", chunk.config);
            if bad > 0 {
                anomalies.push(Anomaly::at(
                    "arsc_bad_entries",
                    chunk.offsets_at,
                    format!(
                        "{what}: {bad} entr{} out of range or truncated, skipped",
                        plural(bad)
                    ),
                ));
            }
            if clamped > 0 {
                anomalies.push(Anomaly::at(
                    "arsc_map_count_too_large",
                    chunk.offsets_at,
                    format!(
                        "{what}: {clamped} bag entr{} declare more items than fit; clamped",
                        plural(clamped)
                    ),
                ));
            }
            if beyond > 0 {
                anomalies.push(Anomaly::at(
                    "arsc_entry_beyond_spec",
                    chunk.offsets_at,
                    format!(
                        "{what}: {beyond} entr{} beyond the spec's {spec_count}",
                        plural(beyond)
                    ),
                ));
            }
            if unsorted {
                chunk.kind = OffsetKind::Sparse { sorted: false };
                let mut index: Vec<(u32, u32)> = Vec::new();
                chunk.for_each_raw_slot(data, |slot, entry, _| {
                    index.push((entry, slot as u32));
                });
                // Stable: the first slot for a duplicated index wins.
                index.sort_by_key(|(e, _)| *e);
                index.dedup_by_key(|(e, _)| *e);
                chunk.sparse_index = index;
                anomalies.push(Anomaly::at(
                    "arsc_unsorted_sparse_entries",
                    chunk.offsets_at,
                    format!(
                        "{what}: sparse entries are not sorted by index; indexed after sorting"
                    ),
                ));
            }
        }
        group.keys = keys;
    }
    package.types = types;
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "y"
    } else {
        "ies"
    }
}

//! Building [`DexFile`]s: header checks, checksums, id tables, `map_list`,
//! class definitions, class data and code items.

use super::code::{self, Bounds, Facts};
use super::header::{self, Header, SizeOff, HEADER_SIZE, HEADER_SIZE_V41};
use super::NO_INDEX;
use super::{mutf8, Agg, ClassDef, DexCounts, DexError, DexFile, Ids, MethodDef, Section, View};
use crate::reader::to_hex as hex;
use crate::reader::{Anomaly, Limits, Reader};
use sha1::{Digest, Sha1};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// ART's 16-bit "no index" (superclass of `java.lang.Object`).
const NO_INDEX16: u32 = 0xffff;
/// Map items checked at most.
const MAX_MAP_ITEMS: usize = 4096;
/// Least a name is charged against `max_dex_name_bytes` (the `String`
/// itself costs memory even when empty).
pub(crate) const NAME_COST: usize = 16;
/// Most interfaces read for one class (a Java class file cannot have more).
const MAX_INTERFACES: usize = 65_535;

pub(crate) fn parse_all(data: &[u8], limits: &Limits) -> Result<Vec<DexFile>, DexError> {
    let first = header::read(data, 0)?;
    let shared: Arc<[u8]> = Arc::from(data);
    let Some((container_size, _)) = first.container else {
        return Ok(vec![build(&shared, 0, &first, limits, Vec::new())]);
    };
    let mut pending = Vec::new();
    if container_size as usize != data.len() {
        pending.push(Anomaly::at(
            "dex_container_size_mismatch",
            0x70,
            format!(
                "container_size is {container_size} but the buffer has {} bytes",
                data.len()
            ),
        ));
    }
    let end = (container_size as usize).min(data.len());
    let mut out: Vec<DexFile> = Vec::new();
    let mut at = 0usize;
    let mut hdr = first;
    loop {
        let mut dex = build(&shared, at, &hdr, limits, std::mem::take(&mut pending));
        let next = at.checked_add(hdr.file_size as usize);
        let Some(next) = next.filter(|&n| n < end && hdr.file_size as usize >= HEADER_SIZE) else {
            out.push(dex);
            break;
        };
        if out.len() + 1 >= limits.max_dex_files {
            dex.anomalies.push(Anomaly::at(
                "dex_limit_exceeded",
                next,
                format!(
                    "container holds more than max_dex_files ({}) DEX files; the rest skipped",
                    limits.max_dex_files
                ),
            ));
            out.push(dex);
            break;
        }
        match header::read(data, next) {
            Ok(h) if h.container.is_some() => {
                out.push(dex);
                at = next;
                hdr = h;
            }
            other => {
                let why = match other {
                    Ok(h) => format!("a version {:03} header without container fields", h.version),
                    Err(e) => e.to_string(),
                };
                dex.anomalies.push(Anomaly::at(
                    "dex_container_bad_header",
                    next,
                    format!("next DEX in the container is unreadable ({why}); the rest skipped"),
                ));
                out.push(dex);
                break;
            }
        }
    }
    Ok(out)
}

/// Validates a `(size, off)` id table of `item`-byte entries against the
/// bytes present, cutting its count to what fits.
fn section(
    name: &str,
    so: SizeOff,
    item: usize,
    r: &Reader<'_>,
    anomalies: &mut Vec<Anomaly>,
) -> Section {
    if so.size == 0 {
        return Section::default();
    }
    let off = so.off as usize;
    let fits = if off == 0 || off > r.len() {
        0
    } else {
        (r.len() - off) / item
    };
    let count = so.size.min(u32::try_from(fits).unwrap_or(u32::MAX));
    if count < so.size {
        anomalies.push(Anomaly::at(
            "dex_section_out_of_bounds",
            r.base().saturating_add(off),
            format!(
                "{name}: {} items at {off:#x} but only {count} fit in the file",
                so.size
            ),
        ));
    }
    Section { off, count }
}

fn build(
    data: &Arc<[u8]>,
    at: usize,
    h: &Header,
    limits: &Limits,
    mut anomalies: Vec<Anomaly>,
) -> DexFile {
    let container = h.container.is_some();
    let base = if container { 0 } else { at };
    let bytes: &[u8] = data.get(base..).unwrap_or_default();
    let r = Reader::with_base(bytes, base);
    let mut agg = Agg::default();

    // --- header ---
    if !matches!(h.version, 35 | 37 | 38 | 39 | 40 | 41) {
        anomalies.push(Anomaly::at(
            "dex_unknown_version",
            at + 4,
            format!("DEX version {:03} is not one Android knows", h.version),
        ));
    }
    let expected = if h.version >= header::CONTAINER_VERSION {
        HEADER_SIZE_V41
    } else {
        HEADER_SIZE
    };
    if h.header_size as usize != expected {
        anomalies.push(Anomaly::at(
            "dex_bad_header_size",
            at + 0x24,
            format!(
                "header_size is {:#x}, expected {expected:#x}",
                h.header_size
            ),
        ));
    }
    if h.endian_tag != header::ENDIAN_CONSTANT {
        let what = if h.endian_tag == header::REVERSE_ENDIAN_CONSTANT {
            "byte-swapped (REVERSE_ENDIAN_CONSTANT)".to_string()
        } else {
            format!("{:#010x}", h.endian_tag)
        };
        anomalies.push(Anomaly::at(
            "dex_bad_endian_tag",
            at + 0x28,
            format!("endian_tag is {what}; read as little-endian anyway"),
        ));
    }
    let avail = data.len().saturating_sub(at);
    let file_size = h.file_size as usize;
    if (container && file_size > avail) || (!container && file_size != avail) {
        anomalies.push(Anomaly::at(
            "dex_file_size_mismatch",
            at + 0x20,
            format!("file_size is {file_size} but {avail} bytes are present"),
        ));
    }
    if let Some((_, header_offset)) = h.container {
        if header_offset as usize != at {
            anomalies.push(Anomaly::at(
                "dex_container_header_offset_mismatch",
                at + 0x74,
                format!("header_offset is {header_offset:#x} but the header is at {at:#x}"),
            ));
        }
    }
    if h.link.size != 0 || h.link.off != 0 {
        anomalies.push(Anomaly::at(
            "dex_link_section",
            at + 0x2c,
            format!(
                "link section of {} bytes at {:#x} (unused by Android)",
                h.link.size, h.link.off
            ),
        ));
    }

    // --- checksum and signature, over this file's bytes only ---
    let end = at.saturating_add(file_size).min(data.len());
    let tail = |from: usize| data.get(at + from..end).unwrap_or_default();
    let actual = header::adler32(tail(12));
    let checksum_valid = actual == h.checksum;
    if !checksum_valid {
        anomalies.push(Anomaly::at(
            "dex_checksum_mismatch",
            at + 8,
            format!(
                "checksum is {:#010x} but the bytes give {actual:#010x}",
                h.checksum
            ),
        ));
    }
    let digest = Sha1::digest(tail(32));
    let signature_valid = digest.as_slice() == h.signature;
    if !signature_valid {
        anomalies.push(Anomaly::at(
            "dex_signature_mismatch",
            at + 12,
            format!(
                "signature is {} but the bytes give {}",
                hex(&h.signature),
                hex(digest.as_slice())
            ),
        ));
    }

    // --- id tables ---
    let mut ids = Ids {
        strings: section("string_ids", h.string_ids, 4, &r, &mut anomalies),
        types: section("type_ids", h.type_ids, 4, &r, &mut anomalies),
        protos: section("proto_ids", h.proto_ids, 12, &r, &mut anomalies),
        fields: section("field_ids", h.field_ids, 8, &r, &mut anomalies),
        methods: section("method_ids", h.method_ids, 8, &r, &mut anomalies),
        call_sites: Section::default(),
    };
    let class_defs = section("class_defs", h.class_defs, 32, &r, &mut anomalies);
    // The data section (unused from 041, where data may be anywhere later
    // in the container).
    if !container && h.data.size != 0 {
        let end = (h.data.off as usize).checked_add(h.data.size as usize);
        if !matches!(end, Some(e) if e <= r.len()) {
            anomalies.push(Anomaly::at(
                "dex_section_out_of_bounds",
                at + 0x68,
                format!(
                    "data: {} bytes at {:#x} run past the end of the file",
                    h.data.size, h.data.off
                ),
            ));
        }
    }
    for (name, n) in [
        ("type_ids", h.type_ids.size),
        ("proto_ids", h.proto_ids.size),
    ] {
        if n > 65_536 {
            anomalies.push(Anomaly::new(
                "dex_too_many_ids",
                format!("{name} has {n} entries; indices into it are 16-bit"),
            ));
        }
    }
    ids.call_sites = check_map(h, at - base, &r, &mut agg);

    // --- classes ---
    let mut b = Builder {
        r,
        view: View::new(data, base, ids, limits.max_dex_string_len),
        names: HashMap::new(),
        names_exhausted: false,
        name_budget: limits.max_dex_name_bytes,
        methods_budget: limits.max_dex_methods,
        walk_budget: limits.max_dex_code_units,
        bounds: Bounds {
            strings: ids.strings.count,
            methods: ids.methods.count,
            call_sites: ids.call_sites.count,
        },
        agg,
        defined_methods: 0,
        code_bytes: 0,
    };
    let n = (class_defs.count as usize).min(limits.max_dex_classes);
    if n < class_defs.count as usize {
        b.agg.add("dex_limit_exceeded", base + class_defs.off, || {
            format!(
                "{} class definitions, more than max_dex_classes ({}); the rest skipped",
                class_defs.count, limits.max_dex_classes
            )
        });
    }
    let mut classes = Vec::with_capacity(n);
    let mut seen = HashSet::new();
    for i in 0..n {
        let off = class_defs.off + i * 32;
        let Some(class) = b.class_def(off, &mut seen) else {
            break;
        };
        classes.push(class);
    }

    let counts = DexCounts {
        strings: ids.strings.count,
        types: ids.types.count,
        protos: ids.protos.count,
        fields: ids.fields.count,
        methods: ids.methods.count,
        class_defs: u32::try_from(classes.len()).unwrap_or(u32::MAX),
        defined_methods: b.defined_methods,
        code_bytes: b.code_bytes,
    };
    anomalies.extend(b.agg.finish());
    DexFile {
        data: Arc::clone(data),
        base,
        ids,
        str_cap: limits.max_dex_string_len,
        version: h.version,
        checksum_valid,
        signature_valid,
        classes,
        counts,
        anomalies,
    }
}

/// Byte size of one item of map type `ty`: `Some(Some(n))` fixed size,
/// `Some(None)` variable size, `None` unknown type.
fn map_item_size(ty: u16) -> Option<Option<usize>> {
    Some(match ty {
        0x0000 => None, // header_item (0x70 or 0x78)
        0x0001 | 0x0002 | 0x0007 => Some(4),
        0x0003 => Some(12),
        0x0004 | 0x0005 | 0x0008 => Some(8),
        0x0006 => Some(32),
        0x1000..=0x1003 | 0x2000..=0x2006 | 0xf000 => None,
        _ => return None,
    })
}

/// Checks `map_list` against the file and the header; returns the
/// `call_site_ids` table (only the map locates it).
fn check_map(h: &Header, header_pos: usize, r: &Reader<'_>, agg: &mut Agg) -> Section {
    let map_off = h.map_off as usize;
    let mut mr = *r;
    let size = if map_off == 0 {
        None
    } else {
        mr.seek(map_off).ok().and_then(|_| mr.u32().ok())
    };
    let Some(size) = size else {
        agg.add("dex_missing_map", r.base() + map_off, || {
            format!("no map_list at map_off {map_off:#x}")
        });
        return Section::default();
    };
    let mut n = size as usize;
    if mr.check_count(n, 12).is_err() {
        n = mr.remaining() / 12;
        agg.add("dex_map_out_of_bounds", r.base() + map_off, || {
            format!("map_list declares {size} items but only {n} fit")
        });
    }
    if n > MAX_MAP_ITEMS {
        agg.add("dex_map_too_long", r.base() + map_off, || {
            format!("map_list has {n} items; only the first {MAX_MAP_ITEMS} checked")
        });
        n = MAX_MAP_ITEMS;
    }
    let mut items: Vec<(usize, usize, u16)> = Vec::with_capacity(n); // (off, end, type)
    let mut seen = HashSet::new();
    let mut call_sites = Section::default();
    let header_ids = [
        (0x0001u16, h.string_ids, "string_ids"),
        (0x0002, h.type_ids, "type_ids"),
        (0x0003, h.proto_ids, "proto_ids"),
        (0x0004, h.field_ids, "field_ids"),
        (0x0005, h.method_ids, "method_ids"),
        (0x0006, h.class_defs, "class_defs"),
    ];
    for i in 0..n {
        let item_at = mr.pos() + i * 12;
        let (Ok(ty), Ok(count), Ok(off)) = (
            mr.u16_at(item_at),
            mr.u32_at(item_at + 4),
            mr.u32_at(item_at + 8),
        ) else {
            break;
        };
        let abs = r.base() + item_at;
        let Some(fixed) = map_item_size(ty) else {
            agg.add("dex_map_unknown_type", abs, || {
                format!("map item of unknown type {ty:#06x}")
            });
            continue;
        };
        if !seen.insert(ty) {
            agg.add("dex_map_duplicate_type", abs, || {
                format!("map lists type {ty:#06x} more than once")
            });
        }
        let (off, count_us) = (off as usize, count as usize);
        let item_size = match (ty, fixed) {
            (0x0000, _) => h.header_size.max(HEADER_SIZE as u32) as usize,
            (_, Some(s)) => s,
            // Variable-size items are at least a byte each.
            (_, None) => 1,
        };
        let end = count_us
            .checked_mul(item_size)
            .and_then(|len| off.checked_add(len));
        match end {
            Some(e) if e <= r.len() && (off != 0 || ty == 0x0000) || count == 0 => {}
            _ => {
                agg.add("dex_map_out_of_bounds", abs, || {
                    format!("map item {ty:#06x}: {count} items at {off:#x} run past the end")
                });
                continue;
            }
        }
        if ty == 0x0000 && (off != header_pos || count != 1) {
            agg.add("dex_map_header_mismatch", abs, || {
                format!(
                    "map puts {count} header_item(s) at {off:#x}, the header is at {header_pos:#x}"
                )
            });
        }
        if ty == 0x1000 && off != h.map_off as usize {
            agg.add("dex_map_header_mismatch", abs, || {
                format!("map puts map_list at {off:#x}, map_off is {:#x}", h.map_off)
            });
        }
        if let Some((_, so, name)) = header_ids.iter().find(|(t, _, _)| *t == ty) {
            if so.size != count || (count != 0 && so.off as usize != off) {
                agg.add("dex_map_header_mismatch", abs, || {
                    format!(
                        "map says {name} has {count} items at {off:#x}, header says {} at {:#x}",
                        so.size, so.off
                    )
                });
            }
        }
        if ty == 0x0007 {
            call_sites = Section { off, count };
        }
        if count > 0 {
            items.push((off, end.unwrap_or(off), ty));
        }
    }
    // Ids the header lists but the map does not.
    for (ty, so, name) in header_ids {
        if so.size != 0 && !seen.contains(&ty) {
            agg.add("dex_map_header_mismatch", r.base() + map_off, || {
                format!("header lists {} {name} but the map does not", so.size)
            });
        }
    }
    items.sort_unstable();
    for pair in items.windows(2) {
        if let [(a_off, a_end, a_ty), (b_off, _, b_ty)] = pair {
            if b_off < a_end {
                agg.add("dex_map_overlap", r.base() + b_off, || {
                    format!(
                        "map item {b_ty:#06x} at {b_off:#x} overlaps {a_ty:#06x} at {a_off:#x}..{a_end:#x}"
                    )
                });
            }
        }
    }
    call_sites
}

/// State while building the class list.
struct Builder<'a> {
    r: Reader<'a>,
    view: View<'a>,
    /// Decoded names by string id.
    names: HashMap<u32, String>,
    names_exhausted: bool,
    name_budget: usize,
    methods_budget: usize,
    walk_budget: u64,
    bounds: Bounds,
    agg: Agg,
    defined_methods: u32,
    code_bytes: u64,
}

impl Builder<'_> {
    fn abs(&self, off: usize) -> usize {
        self.r.base().saturating_add(off)
    }

    /// String `idx` for the class list, memoised and charged to the name
    /// budget (at least [`NAME_COST`] bytes each). `None` (with an anomaly)
    /// for a bad index or once the budget is spent.
    fn name(&mut self, idx: u32, at: usize) -> Option<String> {
        if self.names_exhausted {
            return None;
        }
        let cached = self.names.get(&idx).map(String::len);
        let bytes = match cached {
            Some(_) => None,
            None => match self.view.string_bytes(
                idx,
                self.name_budget.saturating_add(1).min(self.view.str_cap),
            ) {
                Some(b) => Some(b),
                None => {
                    let count = self.bounds.strings;
                    self.agg.add("dex_bad_index", self.abs(at), || {
                        format!("string {idx} is out of range (there are {count}) or unreadable")
                    });
                    return None;
                }
            },
        };
        let len = cached.or(bytes.map(<[u8]>::len)).unwrap_or_default();
        let cost = len.max(NAME_COST);
        if cost > self.name_budget {
            self.names_exhausted = true;
            self.agg.add("dex_limit_exceeded", self.abs(at), || {
                "names decoded exceed max_dex_name_bytes; further names left empty".to_string()
            });
            return None;
        }
        self.name_budget -= cost;
        if let Some(b) = bytes {
            let s = mutf8::decode(b);
            self.names.insert(idx, s.clone());
            return Some(s);
        }
        self.names.get(&idx).cloned()
    }

    fn type_name(&mut self, type_idx: u32, at: usize) -> Option<String> {
        match self.view.type_string_idx(type_idx) {
            Some(s) => self.name(s, at),
            None => {
                self.agg.add("dex_bad_index", self.abs(at), || {
                    format!("type {type_idx} is out of range")
                });
                None
            }
        }
    }

    /// One `class_def_item` at `off`.
    fn class_def(&mut self, off: usize, seen: &mut HashSet<u32>) -> Option<ClassDef> {
        let r = self.r;
        let w = |k: usize| r.u32_at(off + 4 * k).ok();
        let class_idx = u32::from(r.u16_at(off).ok()?);
        let access_flags = w(1)?;
        let super_idx = u32::from(r.u16_at(off + 8).ok()?);
        let interfaces_off = w(3)?;
        let source_idx = w(4)?;
        let class_data_off = w(6)?;

        if !seen.insert(class_idx) {
            self.agg.add("dex_duplicate_class", self.abs(off), || {
                format!("type {class_idx} is defined more than once")
            });
        }
        let descriptor = self.type_name(class_idx, off).unwrap_or_default();
        let superclass = if super_idx == NO_INDEX16 {
            None
        } else {
            self.type_name(super_idx, off + 8)
        };
        let mut interfaces = Vec::new();
        if interfaces_off != 0 {
            match self.view.type_list(interfaces_off) {
                Some(list) => {
                    if list.len() / 2 > MAX_INTERFACES {
                        self.agg.add("dex_limit_exceeded", self.abs(off + 12), || {
                            format!("more than {MAX_INTERFACES} interfaces; the rest skipped")
                        });
                    }
                    for t in list.chunks_exact(2).take(MAX_INTERFACES) {
                        if self.names_exhausted {
                            break;
                        }
                        let t = match t {
                            &[a, b] => u32::from(u16::from_le_bytes([a, b])),
                            _ => continue,
                        };
                        if let Some(name) = self.type_name(t, interfaces_off as usize) {
                            interfaces.push(name);
                        }
                    }
                }
                None => self.bad_offset(off + 12, "interfaces_off", interfaces_off),
            }
        }
        let source_file = if source_idx == NO_INDEX {
            None
        } else {
            self.name(source_idx, off + 16)
        };
        let mut class = ClassDef {
            descriptor,
            access_flags,
            superclass,
            interfaces,
            source_file,
            methods: Vec::new(),
            field_count: 0,
            invokes: Vec::new(),
            strings: Vec::new(),
            resource_ids: Vec::new(),
            call_sites: Vec::new(),
        };
        if class_data_off != 0 {
            let mut facts = Facts::default();
            self.class_data(class_data_off as usize, off + 24, &mut class, &mut facts);
            class.invokes = sorted(facts.invokes);
            class.strings = sorted(facts.strings);
            class.resource_ids = sorted(facts.resource_ids);
            class.call_sites = sorted(facts.call_sites);
        }
        Some(class)
    }

    fn bad_offset(&mut self, at: usize, what: &'static str, value: u32) {
        self.agg.add("dex_bad_offset", self.abs(at), || {
            format!("{what} {value:#x} points outside the file")
        });
    }

    fn bad_class_data(&mut self, at: usize) {
        self.agg.add("dex_bad_class_data", self.abs(at), || {
            "class_data_item is cut short; members read so far kept".to_string()
        });
    }

    /// Reads the `class_data_item` at `off` into `class`, walking code.
    fn class_data(&mut self, off: usize, field_at: usize, class: &mut ClassDef, facts: &mut Facts) {
        let mut cr = self.r;
        if cr.seek(off).is_err() {
            self.bad_offset(field_at, "class_data_off", off as u32);
            return;
        }
        let mut sizes = [0u32; 4];
        for s in &mut sizes {
            match cr.uleb128() {
                Ok(v) => *s = v,
                Err(_) => {
                    self.bad_class_data(off);
                    return;
                }
            }
        }
        let [static_fields, instance_fields, direct, virt] = sizes;
        let fields = u64::from(static_fields) + u64::from(instance_fields);
        let mut read_fields = 0u32;
        for _ in 0..fields {
            if cr.uleb128().and_then(|_| cr.uleb128()).is_err() {
                class.field_count = read_fields;
                self.bad_class_data(off);
                return;
            }
            read_fields += 1;
        }
        class.field_count = read_fields;
        let declared = u64::from(direct) + u64::from(virt);
        // Each encoded_method takes at least 3 bytes; a count larger than
        // that is reported when the reads run out.
        let fit = (cr.remaining() / 3) as u64;
        let cap = declared.min(fit).min(self.methods_budget as u64) as usize;
        class.methods.reserve_exact(cap);
        for count in [direct, virt] {
            let mut idx: u32 = 0;
            for _ in 0..count {
                if self.methods_budget == 0 {
                    self.agg.add("dex_limit_exceeded", self.abs(cr.pos()), || {
                        "more methods than max_dex_methods; the rest skipped".to_string()
                    });
                    return;
                }
                let (Ok(diff), Ok(access_flags), Ok(code_off)) =
                    (cr.uleb128(), cr.uleb128(), cr.uleb128())
                else {
                    self.bad_class_data(off);
                    return;
                };
                idx = match idx.checked_add(diff) {
                    Some(v) => v,
                    None => {
                        self.agg.add("dex_bad_index", self.abs(cr.pos()), || {
                            "method index overflows".to_string()
                        });
                        return;
                    }
                };
                self.methods_budget -= 1;
                let name = match self.view.method_id(idx) {
                    Some((_, _, name_idx)) => self.name(name_idx, off).unwrap_or_default(),
                    None => {
                        let count = self.bounds.methods;
                        self.agg.add("dex_bad_index", self.abs(off), || {
                            format!("defined method {idx} is out of range (there are {count})")
                        });
                        String::new()
                    }
                };
                let code_units = if code_off == 0 {
                    0
                } else {
                    self.code_item(code_off as usize, off, facts)
                };
                self.defined_methods = self.defined_methods.saturating_add(1);
                class.methods.push(MethodDef {
                    method_idx: idx,
                    name,
                    access_flags,
                    code_units,
                });
            }
        }
    }

    /// Reads the `code_item` at `off` and walks its bytecode; returns `insns_size`.
    fn code_item(&mut self, off: usize, from: usize, facts: &mut Facts) -> u32 {
        let r = self.r;
        let insns_size = match r.u32_at(off.saturating_add(12)) {
            Ok(v) => v,
            Err(_) => {
                self.bad_offset(from, "code_off", off as u32);
                return 0;
            }
        };
        let insns_at = off.saturating_add(16);
        let Ok(insns) = r.bytes_at(insns_at, (insns_size as usize).saturating_mul(2)) else {
            self.agg.add("dex_bad_offset", self.abs(off), || {
                format!("code_item's {insns_size} code units run past the end of the file")
            });
            return 0;
        };
        self.code_bytes += u64::from(insns_size) * 2;
        if u64::from(insns_size) > self.walk_budget {
            self.agg.add("dex_limit_exceeded", self.abs(off), || {
                "bytecode walked exceeds max_dex_code_units; further methods not walked".to_string()
            });
            self.walk_budget = 0;
            return insns_size;
        }
        self.walk_budget -= u64::from(insns_size);
        code::walk(insns, self.abs(insns_at), self.bounds, facts, &mut self.agg);
        insns_size
    }
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v.shrink_to_fit();
    v
}

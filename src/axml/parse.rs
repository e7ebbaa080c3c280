//! The chunk walk and tree builder behind [`super::parse`].
//!
//! Three passes over the bytes, none recursive:
//!
//! 1. [`layout`] reads the document header and decides where chunks start
//!    and end (Android: `ResXMLTree::setTo`'s size checks, made lenient);
//! 2. [`scan`] lists the top-level chunks, clamping sizes to the bytes
//!    present and resynchronising on the next plausible chunk header after
//!    junk (Android would stop with `BAD_TYPE`);
//! 3. [`TreeBuilder`] picks the string pool and resource map the way
//!    `setTo` does (the last ones before the first node) and replays the
//!    node chunks as `ResXMLParser::nextNode` would, building the element
//!    tree on an explicit stack.

use super::codes;
use super::{
    canonical_name, Attribute, AxmlError, Element, Namespace, Node, XmlDocument, ANDROID_NS,
    HARD_MAX_DEPTH, RES_XML_CDATA_TYPE, RES_XML_END_ELEMENT_TYPE, RES_XML_END_NAMESPACE_TYPE,
    RES_XML_LAST_CHUNK_TYPE, RES_XML_RESOURCE_MAP_TYPE, RES_XML_START_ELEMENT_TYPE,
    RES_XML_START_NAMESPACE_TYPE, RES_XML_TYPE,
};
use crate::reader::{Anomaly, Limits, Reader};
use crate::resvalue::{RawValue, Value, TYPE_STRING};
use crate::stringpool::{StringPool, RES_STRING_POOL_TYPE};
use std::collections::HashSet;

/// `sizeof(ResChunk_header)`.
const CHUNK_HEADER: usize = 8;
/// `sizeof(ResXMLTree_node)`.
const NODE_HEADER: usize = 16;
/// `sizeof(ResStringPool_header)`.
const POOL_HEADER: usize = 28;
/// `sizeof(ResXMLTree_attrExt)`.
const ATTR_EXT: usize = 20;
/// `sizeof(ResXMLTree_attribute)`.
const ATTR: usize = 20;
/// `sizeof(ResXMLTree_namespaceExt)` and `sizeof(ResXMLTree_endElementExt)`.
const NS_EXT: usize = 8;
/// `sizeof(ResXMLTree_cdataExt)`.
const CDATA_EXT: usize = 12;
/// The "no string" index.
const NO_INDEX: u32 = u32::MAX;

/// Anomalies of one code listed individually before they are only counted.
const MAX_PER_CODE: usize = 8;
/// Decoded-string budget: this many bytes plus [`STRING_BUDGET_FACTOR`]
/// times the document size.
const STRING_BUDGET_BASE: usize = 64 << 20;
const STRING_BUDGET_FACTOR: usize = 16;

/// One top-level chunk: where it is, its type, its header size and its size
/// clamped to the bytes present.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    offset: usize,
    ctype: u16,
    header_size: usize,
    size: usize,
}

impl Chunk {
    fn end(&self) -> usize {
        self.offset.saturating_add(self.size)
    }

    fn is_node(&self) -> bool {
        (RES_XML_START_NAMESPACE_TYPE..=RES_XML_LAST_CHUNK_TYPE).contains(&self.ctype)
    }
}

/// Anomaly list that keeps the first few of each code and counts the rest.
#[derive(Default)]
struct Anomalies {
    list: Vec<Anomaly>,
    counts: Vec<(&'static str, usize)>,
}

impl Anomalies {
    /// Counts one more anomaly of `code`; returns the new count.
    fn bump(&mut self, code: &'static str, by: usize) -> usize {
        match self.counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => {
                *n = n.saturating_add(by);
                *n
            }
            None => {
                self.counts.push((code, by));
                by
            }
        }
    }

    fn push(&mut self, code: &'static str, offset: usize, detail: impl FnOnce() -> String) {
        if self.bump(code, 1) <= MAX_PER_CODE {
            self.list.push(Anomaly::at(code, offset, detail()));
        }
    }

    /// Takes over another list's anomalies and counts.
    fn absorb(&mut self, other: Anomalies) {
        for a in other.list {
            if self.bump(a.code, 1) <= MAX_PER_CODE {
                self.list.push(a);
            }
        }
        for (code, n) in other.counts {
            self.bump(code, n.saturating_sub(MAX_PER_CODE));
        }
    }

    fn finish(mut self) -> Vec<Anomaly> {
        for (code, n) in self.counts {
            if n > MAX_PER_CODE {
                self.list.push(Anomaly::new(
                    codes::MORE,
                    format!("{} more {code} anomalies not listed", n - MAX_PER_CODE),
                ));
            }
        }
        self.list
    }
}

/// A per-document tally (name mismatches and the like) reported once.
#[derive(Default, Clone, Copy)]
struct Tally {
    count: usize,
    first: usize,
}

impl Tally {
    fn add(&mut self, offset: usize) {
        if self.count == 0 {
            self.first = offset;
        }
        self.count += 1;
    }
}

pub(super) fn parse(data: &[u8], limits: &Limits) -> Result<XmlDocument, AxmlError> {
    if data.is_empty() {
        return Err(AxmlError::Empty);
    }
    let r = Reader::new(data);
    let found = r
        .u16_at(0)
        .unwrap_or_else(|_| r.u8_at(0).map(u16::from).unwrap_or(0));
    let mut an = Anomalies::default();
    let (start, declared_end) = layout(&r, &mut an)?;
    // Android's reading first; when that leaves no pool or no element, treat
    // unknown chunks as junk, then read past the declared end.
    let mut attempts = vec![(declared_end, false), (declared_end, true)];
    if declared_end < data.len() {
        attempts.extend([(data.len(), false), (data.len(), true)]);
    }
    let mut chosen: Option<(usize, Vec<Chunk>, Anomalies)> = None;
    for (end, strict) in attempts {
        let mut scan_an = Anomalies::default();
        let chunks = scan(&r, start, end, strict, &mut scan_an);
        let usable = chunks.iter().any(|c| c.ctype == RES_XML_START_ELEMENT_TYPE)
            && chunks.iter().any(|c| c.ctype == RES_STRING_POOL_TYPE);
        if usable || chosen.is_none() {
            chosen = Some((end, chunks, scan_an));
        }
        if usable {
            break;
        }
    }
    let Some((end, chunks, scan_an)) = chosen else {
        return Err(AxmlError::NoElement {
            offset: declared_end,
        });
    };
    if end > declared_end {
        an.push(codes::TRAILING_DATA, declared_end, || {
            "nothing usable before the declared end; read the bytes after it too".to_string()
        });
    }
    an.absorb(scan_an);
    let has_element = chunks.iter().any(|c| c.ctype == RES_XML_START_ELEMENT_TYPE);
    if found != RES_XML_TYPE && !has_element {
        return Err(AxmlError::NotBinaryXml { found });
    }
    let doc = Reader::new(data.get(..end).unwrap_or(data));

    // Android (`setTo`) takes the string pool and resource map from the
    // chunks before the first node, the last of each kind winning.
    let first_node = chunks
        .iter()
        .position(Chunk::is_node)
        .unwrap_or(chunks.len());
    let (before, after) = chunks.split_at(first_node.min(chunks.len()));
    let pool =
        pick_pool(&doc, before, after, &mut an).ok_or(AxmlError::NoStringPool { offset: end })?;
    let resmap = pick_resmap(&doc, before, after, &mut an);
    for c in before {
        if c.ctype != RES_STRING_POOL_TYPE && c.ctype != RES_XML_RESOURCE_MAP_TYPE {
            unknown_chunk(c, &mut an);
        }
    }

    let mut b = TreeBuilder::new(doc, pool, resmap, limits, an);
    for c in after {
        if b.stopped {
            break;
        }
        match c.ctype {
            RES_XML_START_NAMESPACE_TYPE => b.start_namespace(c),
            RES_XML_END_NAMESPACE_TYPE => b.end_namespace(c),
            RES_XML_START_ELEMENT_TYPE => b.start_element(c),
            RES_XML_END_ELEMENT_TYPE => b.end_element(c),
            RES_XML_CDATA_TYPE => b.cdata(c),
            // A pool or map after the first node: Android's nextNode skips
            // it as an unknown node; the one we use was already reported.
            RES_STRING_POOL_TYPE | RES_XML_RESOURCE_MAP_TYPE if b.used.contains(&c.offset) => {}
            _ => unknown_chunk(c, &mut b.an),
        }
    }
    b.finish(end)
}

fn unknown_chunk(c: &Chunk, an: &mut Anomalies) {
    an.push(codes::UNKNOWN_CHUNK, c.offset, || {
        format!(
            "skipped chunk of unknown type {:#06x} ({} bytes)",
            c.ctype, c.size
        )
    });
}

/// Reads the document header; returns where the first chunk starts and
/// where the document ends.
fn layout(r: &Reader<'_>, an: &mut Anomalies) -> Result<(usize, usize), AxmlError> {
    let len = r.len();
    let (Ok(ty), Ok(hsize), Ok(size)) = (r.u16_at(0), r.u16_at(2), r.u32_at(4)) else {
        let found = r.u8_at(0).map(u16::from).unwrap_or(0);
        let found = r.u16_at(0).unwrap_or(found);
        return Err(if found == RES_XML_TYPE {
            AxmlError::NoElement { offset: len }
        } else {
            AxmlError::NotBinaryXml { found }
        });
    };
    let hsize = usize::from(hsize);
    let size = size as usize;

    if ty == RES_STRING_POOL_TYPE && hsize == POOL_HEADER {
        an.push(codes::MISSING_HEADER, 0, || {
            "no RES_XML_TYPE header: the document starts with its string pool".to_string()
        });
        return Ok((0, len));
    }
    if ty != RES_XML_TYPE {
        an.push(codes::BAD_HEADER_TYPE, 0, || {
            format!("document header has type {ty:#06x}, not RES_XML_TYPE (0x0003)")
        });
    }

    let mut start = hsize;
    if hsize < CHUNK_HEADER || hsize > len {
        an.push(codes::BAD_HEADER_SIZE, 2, || {
            format!("document headerSize {hsize:#x} is impossible for a {len}-byte file; using 8")
        });
        start = CHUNK_HEADER;
    } else if hsize != CHUNK_HEADER
        && plausible_chunk(r, hsize, len).is_none()
        && plausible_chunk(r, CHUNK_HEADER, len).is_some()
    {
        an.push(codes::BAD_HEADER_SIZE, 2, || {
            format!("document headerSize {hsize:#x} points at no chunk; the first chunk is at 0x8")
        });
        start = CHUNK_HEADER;
    } else if hsize != CHUNK_HEADER {
        an.push(codes::BAD_HEADER_SIZE, 2, || {
            format!(
                "document headerSize is {hsize:#x}, not 8: {} bytes skipped",
                hsize - 8
            )
        });
    }

    let mut end = len;
    if size > len {
        an.push(codes::SIZE_EXCEEDS_FILE, 4, || {
            format!(
                "document declares {size} bytes but only {len} are present (Android rejects this)"
            )
        });
    } else if size < len {
        if size >= start.saturating_add(CHUNK_HEADER) {
            an.push(codes::TRAILING_DATA, size, || {
                format!(
                    "{} bytes after the declared document end, ignored like Android does",
                    len - size
                )
            });
            end = size;
        } else {
            an.push(codes::SIZE_TOO_SMALL, 4, || {
                format!(
                    "document declares only {size} bytes (Android rejects this); reading all {len}"
                )
            });
        }
    }
    Ok((start, end))
}

/// Whether a plausible chunk header sits at `pos`: a known type with its
/// standard header size and a size that fits. Returns the size.
fn plausible_chunk(r: &Reader<'_>, pos: usize, end: usize) -> Option<usize> {
    let ty = r.u16_at(pos).ok()?;
    let hs = usize::from(r.u16_at(pos.checked_add(2)?).ok()?);
    let sz = r.u32_at(pos.checked_add(4)?).ok()? as usize;
    let (want_hs, min_size) = match ty {
        RES_STRING_POOL_TYPE => (POOL_HEADER, POOL_HEADER),
        RES_XML_RESOURCE_MAP_TYPE => (CHUNK_HEADER, CHUNK_HEADER),
        RES_XML_START_ELEMENT_TYPE => (NODE_HEADER, NODE_HEADER + ATTR_EXT),
        RES_XML_CDATA_TYPE => (NODE_HEADER, NODE_HEADER + CDATA_EXT),
        RES_XML_START_NAMESPACE_TYPE | RES_XML_END_NAMESPACE_TYPE | RES_XML_END_ELEMENT_TYPE => {
            (NODE_HEADER, NODE_HEADER + NS_EXT)
        }
        _ => return None,
    };
    let fits = sz <= end.saturating_sub(pos);
    (hs == want_hs && sz >= min_size && sz.is_multiple_of(4) && fits).then_some(sz)
}

/// First plausible chunk header at or after `from` (byte steps).
fn resync(r: &Reader<'_>, from: usize, end: usize) -> Option<usize> {
    let last = end.checked_sub(CHUNK_HEADER)?;
    (from..=last).find(|&p| plausible_chunk(r, p, end).is_some())
}

/// Chunk types binary XML may contain.
fn known_type(ty: u16) -> bool {
    matches!(
        ty,
        RES_XML_TYPE
            | RES_STRING_POOL_TYPE
            | RES_XML_RESOURCE_MAP_TYPE
            | RES_XML_START_NAMESPACE_TYPE..=RES_XML_LAST_CHUNK_TYPE
    )
}

/// Lists the top-level chunks between `start` and `end`. Unknown chunk
/// types are skipped by their size like Android does, unless that size runs
/// past the end or `strict` is set; then they are taken for junk and
/// scanning resumes at the next plausible chunk header.
fn scan(r: &Reader<'_>, start: usize, end: usize, strict: bool, an: &mut Anomalies) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut pos = start;
    while pos < end {
        let avail = end - pos;
        if avail < CHUNK_HEADER {
            let tail = r.bytes_at(pos, avail).unwrap_or(&[]);
            if tail.iter().any(|&b| b != 0) {
                an.push(codes::CHUNK_TRUNCATED, pos, || {
                    format!("{avail} stray bytes at the end, too few for a chunk header")
                });
            }
            break;
        }
        let (Ok(ty), Ok(hs), Ok(sz)) = (r.u16_at(pos), r.u16_at(pos + 2), r.u32_at(pos + 4)) else {
            break;
        };
        let hs = usize::from(hs);
        let sz = sz as usize;
        let junk = !known_type(ty) && (strict || sz > avail);
        if hs < CHUNK_HEADER || sz < hs || junk {
            // Android: validate_chunk fails, the whole document is rejected.
            let next = resync(r, pos + 1, end);
            let known = matches!(
                (ty, hs),
                (RES_STRING_POOL_TYPE, POOL_HEADER)
                    | (RES_XML_RESOURCE_MAP_TYPE, CHUNK_HEADER)
                    | (
                        RES_XML_START_NAMESPACE_TYPE..=RES_XML_CDATA_TYPE,
                        NODE_HEADER
                    )
            );
            an.push(codes::BAD_CHUNK, pos, || {
                let what = match next {
                    Some(p) => format!("resuming at {p:#x}"),
                    None => "nothing plausible follows".to_string(),
                };
                format!(
                    "chunk type {ty:#06x} has headerSize {hs:#x} and size {sz:#x} (Android rejects the document); {what}"
                )
            });
            let next_pos = next.unwrap_or(end);
            if known {
                // A recognisable chunk with a lying size: assume it runs up
                // to the next plausible chunk.
                chunks.push(Chunk {
                    offset: pos,
                    ctype: ty,
                    header_size: hs,
                    size: next_pos - pos,
                });
            }
            pos = next_pos;
            continue;
        }
        if (hs | sz) & 3 != 0 {
            an.push(codes::CHUNK_MISALIGNED, pos, || {
                format!(
                    "chunk type {ty:#06x} has headerSize {hs:#x} / size {sz:#x} not a multiple of 4 (Android rejects the document)"
                )
            });
        }
        let size = if sz > avail {
            an.push(codes::CHUNK_TRUNCATED, pos, || {
                format!("chunk type {ty:#06x} declares {sz} bytes but only {avail} remain; clamped")
            });
            avail
        } else {
            sz
        };
        chunks.push(Chunk {
            offset: pos,
            ctype: ty,
            header_size: hs,
            size,
        });
        pos += size;
    }
    chunks
}

/// The string pool Android would use (the last before the first node), or
/// failing that the first readable one anywhere.
fn pick_pool(
    doc: &Reader<'_>,
    before: &[Chunk],
    after: &[Chunk],
    an: &mut Anomalies,
) -> Option<(StringPool, usize)> {
    let pools_before = before
        .iter()
        .filter(|c| c.ctype == RES_STRING_POOL_TYPE)
        .count();
    if pools_before > 1 {
        an.push(codes::DUPLICATE_CHUNK, 0, || {
            format!("{pools_before} string pools before the first node; Android uses the last")
        });
    }
    let candidates = before
        .iter()
        .rev()
        .map(|c| (c, false))
        .chain(after.iter().map(|c| (c, true)))
        .filter(|(c, _)| c.ctype == RES_STRING_POOL_TYPE);
    for (c, misplaced) in candidates {
        let Some(chunk) = doc.sub_clamped(c.offset, c.size) else {
            continue;
        };
        let mut pool_anomalies = Vec::new();
        match StringPool::parse(&chunk, &mut pool_anomalies) {
            Ok(pool) => {
                for a in pool_anomalies {
                    an.push(a.code, c.offset, || a.detail.clone());
                }
                if misplaced {
                    an.push(codes::MISPLACED_CHUNK, c.offset, || {
                        "string pool after the first node, where Android never looks; used anyway"
                            .to_string()
                    });
                }
                return Some((pool, c.offset));
            }
            Err(e) => an.push(codes::BAD_STRING_POOL, c.offset, || {
                format!("string pool unreadable: {e}")
            }),
        }
    }
    None
}

/// The resource map Android would use, as `(offset of first id, count)`.
fn pick_resmap(
    doc: &Reader<'_>,
    before: &[Chunk],
    after: &[Chunk],
    an: &mut Anomalies,
) -> Option<(usize, usize, usize)> {
    let maps_before = before
        .iter()
        .filter(|c| c.ctype == RES_XML_RESOURCE_MAP_TYPE)
        .count();
    if maps_before > 1 {
        an.push(codes::DUPLICATE_CHUNK, 0, || {
            format!("{maps_before} resource maps before the first node; Android uses the last")
        });
    }
    let (c, misplaced) = match before
        .iter()
        .rev()
        .find(|c| c.ctype == RES_XML_RESOURCE_MAP_TYPE)
    {
        Some(c) => (c, false),
        None => (
            after
                .iter()
                .find(|c| c.ctype == RES_XML_RESOURCE_MAP_TYPE)?,
            true,
        ),
    };
    if misplaced {
        an.push(codes::MISPLACED_CHUNK, c.offset, || {
            "resource map after the first node, where Android never looks; used anyway".to_string()
        });
    }
    let first = c.offset.saturating_add(c.header_size).min(doc.len());
    let count = c.end().min(doc.len()).saturating_sub(first) / 4;
    Some((first, count, c.offset))
}

/// Decoded-string cache with a byte budget: each string is decoded once
/// and copied out per use.
struct Strings {
    pool: StringPool,
    cache: Vec<Slot>,
    budget: usize,
    exhausted: bool,
}

enum Slot {
    Unread,
    Missing,
    Present(String),
}

impl Strings {
    fn new(pool: StringPool, doc_len: usize) -> Self {
        let mut cache = Vec::new();
        cache.resize_with(pool.len(), || Slot::Unread);
        Strings {
            pool,
            cache,
            budget: STRING_BUDGET_BASE.saturating_add(doc_len.saturating_mul(STRING_BUDGET_FACTOR)),
            exhausted: false,
        }
    }

    /// The string at `idx` without copying it; `None` when out of range.
    fn peek(&mut self, idx: u32) -> Option<&str> {
        let slot = self.cache.get_mut(idx as usize)?;
        if let Slot::Unread = slot {
            *slot = match self.pool.get(idx) {
                Some(s) => Slot::Present(s),
                None => Slot::Missing,
            };
        }
        match slot {
            Slot::Present(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A copy of the string at `idx`, charged against the budget.
    fn owned(&mut self, idx: u32) -> Option<String> {
        let budget = self.budget;
        let s = self.peek(idx)?;
        if s.len() > budget {
            self.exhausted = true;
            return Some(String::new());
        }
        let s = s.to_owned();
        self.budget -= s.len();
        Some(s)
    }
}

struct TreeBuilder<'a> {
    doc: Reader<'a>,
    strings: Strings,
    /// Resource map: offset of the first id and number of ids.
    resmap: (usize, usize),
    /// Offsets of the pool and map chunks in use.
    used: [usize; 2],
    /// Canonical framework names by resource-map index, looked up once.
    canonical: Vec<Option<Option<&'static str>>>,
    max_depth: usize,
    max_nodes: usize,
    an: Anomalies,
    stack: Vec<Element>,
    root: Option<Element>,
    skip_depth: usize,
    nodes: usize,
    attributes: usize,
    stopped: bool,
    namespaces: Vec<Namespace>,
    seen_namespaces: HashSet<(String, String)>,
    ns_depth: usize,
    name_mismatch: Tally,
    hidden: Tally,
    without_id: Tally,
    raw_mismatch: Tally,
}

impl<'a> TreeBuilder<'a> {
    fn new(
        doc: Reader<'a>,
        pool: (StringPool, usize),
        resmap: Option<(usize, usize, usize)>,
        limits: &Limits,
        an: Anomalies,
    ) -> Self {
        let (pool, pool_offset) = pool;
        let (map_first, map_count, map_offset) = resmap.unwrap_or((0, 0, usize::MAX));
        TreeBuilder {
            strings: Strings::new(pool, doc.len()),
            doc,
            resmap: (map_first, map_count),
            used: [pool_offset, map_offset],
            canonical: vec![None; map_count],
            max_depth: limits.max_xml_depth.clamp(1, HARD_MAX_DEPTH),
            max_nodes: limits.max_xml_nodes,
            an,
            stack: Vec::new(),
            root: None,
            skip_depth: 0,
            nodes: 0,
            attributes: 0,
            stopped: false,
            namespaces: Vec::new(),
            seen_namespaces: HashSet::new(),
            ns_depth: 0,
            name_mismatch: Tally::default(),
            hidden: Tally::default(),
            without_id: Tally::default(),
            raw_mismatch: Tally::default(),
        }
    }

    /// Offset of a node's extension, and whether `min_ext` bytes of it can
    /// be read; records what is odd about the node's sizes.
    fn node_ext(&mut self, c: &Chunk, min_ext: usize) -> Option<usize> {
        let mut hs = c.header_size;
        if hs < NODE_HEADER {
            self.an.push(codes::BAD_NODE_HEADER, c.offset, || {
                format!(
                    "node type {:#06x} has headerSize {hs:#x}, below 16 (Android rejects the document); reading its extension at +16",
                    c.ctype
                )
            });
            hs = NODE_HEADER;
        }
        let ext = c.offset.checked_add(hs)?;
        if self.doc.bytes_at(ext, min_ext).is_err() {
            self.an.push(codes::NODE_TRUNCATED, c.offset, || {
                format!(
                    "node type {:#06x} is cut off before its {min_ext}-byte extension; skipped",
                    c.ctype
                )
            });
            return None;
        }
        if c.size < hs.saturating_add(min_ext) {
            self.an.push(codes::NODE_TOO_SMALL, c.offset, || {
                format!(
                    "node type {:#06x} is {} bytes, too small for its extension (Android rejects the document); read past it",
                    c.ctype, c.size
                )
            });
        }
        Some(ext)
    }

    fn u32_at(&self, at: usize) -> u32 {
        self.doc.u32_at(at).unwrap_or(NO_INDEX)
    }

    fn u16_at(&self, at: usize) -> usize {
        usize::from(self.doc.u16_at(at).unwrap_or(0))
    }

    /// A string that must exist (a name): empty when the index is bad.
    fn required_string(&mut self, idx: u32, at: usize, what: &str) -> String {
        match self.strings.owned(idx) {
            Some(s) => s,
            None => {
                self.bad_index(idx, at, what);
                String::new()
            }
        }
    }

    /// A string that may be absent (`0xffffffff`): `None` when absent or bad.
    fn optional_string(&mut self, idx: u32, at: usize, what: &str) -> Option<String> {
        if idx == NO_INDEX {
            return None;
        }
        let s = self.strings.owned(idx);
        if s.is_none() {
            self.bad_index(idx, at, what);
        }
        s
    }

    fn bad_index(&mut self, idx: u32, at: usize, what: &str) {
        let n = self.strings.pool.len();
        self.an.push(codes::BAD_STRING_INDEX, at, || {
            format!("{what} string index {idx:#x} is outside the {n}-string pool")
        });
    }

    fn resource_id(&self, name_idx: u32) -> Option<u32> {
        let (first, count) = self.resmap;
        if (name_idx as usize) >= count {
            return None;
        }
        let at = (name_idx as usize).checked_mul(4)?.checked_add(first)?;
        self.doc.u32_at(at).ok().filter(|&id| id != 0)
    }

    fn start_namespace(&mut self, c: &Chunk) {
        let Some(ext) = self.node_ext(c, NS_EXT) else {
            return;
        };
        self.ns_depth += 1;
        if self.nodes >= self.max_nodes {
            self.node_limit(c.offset);
            return;
        }
        self.nodes += 1;
        let prefix_idx = self.u32_at(ext);
        let uri_idx = self.u32_at(ext + 4);
        let prefix = self
            .optional_string(prefix_idx, ext, "namespace prefix")
            .unwrap_or_default();
        let uri = self
            .optional_string(uri_idx, ext + 4, "namespace URI")
            .unwrap_or_default();
        if !uri.is_empty() && self.seen_namespaces.insert((prefix.clone(), uri.clone())) {
            self.namespaces.push(Namespace { prefix, uri });
        }
    }

    fn end_namespace(&mut self, c: &Chunk) {
        if self.ns_depth == 0 {
            self.an.push(codes::UNBALANCED_NAMESPACE, c.offset, || {
                "end of a namespace that was never started".to_string()
            });
        } else {
            self.ns_depth -= 1;
        }
    }

    fn start_element(&mut self, c: &Chunk) {
        if self.skip_depth > 0 {
            self.skip_depth += 1;
            return;
        }
        if self.root.is_some() {
            self.an.push(codes::MULTIPLE_ROOTS, c.offset, || {
                "element after the root element was closed; Android stops reading there, dropped"
                    .to_string()
            });
            self.skip_depth = 1;
            return;
        }
        if self.stack.len() >= self.max_depth {
            let max = self.max_depth;
            self.an.push(codes::DEPTH_LIMIT, c.offset, || {
                format!("element nested deeper than {max} levels; subtree dropped")
            });
            self.skip_depth = 1;
            return;
        }
        if self.nodes >= self.max_nodes {
            self.node_limit(c.offset);
            return;
        }
        let Some(ext) = self.node_ext(c, ATTR_EXT) else {
            // Its end tag must not close the parent.
            self.skip_depth = 1;
            return;
        };
        let line = self.doc.u32_at(c.offset + 8).unwrap_or(0);
        let ns_idx = self.u32_at(ext);
        let name_idx = self.u32_at(ext + 4);
        let namespace = self.optional_string(ns_idx, ext, "element namespace");
        let name = self.required_string(name_idx, ext + 4, "element name");
        let attributes = self.attributes(c, ext);
        self.nodes += 1;
        self.stack.push(Element {
            namespace,
            name,
            attributes,
            children: Vec::new(),
            line,
        });
    }

    fn node_limit(&mut self, at: usize) {
        let max = self.max_nodes;
        self.an.push(codes::NODE_LIMIT, at, || {
            format!("more than {max} nodes or attributes; the rest of the document is dropped")
        });
        self.stopped = true;
    }

    fn attributes(&mut self, c: &Chunk, ext: usize) -> Vec<Attribute> {
        let start = self.u16_at(ext + 8);
        let size = self.u16_at(ext + 10);
        let count = self.u16_at(ext + 12);
        if count == 0 {
            return Vec::new();
        }
        if start != ATTR_EXT {
            self.an.push(codes::ATTR_START_NONSTANDARD, ext + 8, || {
                format!("attributeStart is {start:#x}, not 0x14; used as given")
            });
        }
        let mut n = count;
        if size < ATTR {
            self.an.push(codes::ATTR_SIZE_SMALL, ext + 10, || {
                if size == 0 && count > 1 {
                    format!(
                        "attributeSize is 0: all {count} attributes are the same bytes; kept one"
                    )
                } else {
                    format!("attributeSize is {size}, below 20: attributes overlap; used as given")
                }
            });
            if size == 0 {
                n = 1;
            }
        }
        // Android's validateNode rejects the document unless the declared
        // array fits in the chunk; keep the attributes that do fit (and
        // whose 20 bytes are present, which matters when attributeSize < 20).
        let room = c.size.saturating_sub(c.header_size.max(NODE_HEADER));
        let mut out = Vec::with_capacity(n.min(64));
        let mut max_before = 0u32;
        for i in 0..n {
            if self.attributes >= self.max_nodes {
                self.node_limit(ext);
                break;
            }
            let rel = i.saturating_mul(size).saturating_add(start);
            let at = ext.saturating_add(rel);
            if rel.saturating_add(size) > room || self.doc.bytes_at(at, ATTR).is_err() {
                self.an.push(codes::ATTR_COUNT_TOO_LARGE, ext + 12, || {
                    format!(
                        "attributeCount says {count} but only {i} attributes of {size} bytes at +{start:#x} fit in the element's {room} bytes (Android rejects the document)"
                    )
                });
                break;
            }
            self.attributes += 1;
            let a = self.attribute(at);
            // TypedArray's ascending merge only sees an id above all before it.
            let id = a.resource_id.unwrap_or(0);
            if id != 0 && id <= max_before {
                self.hidden.add(at);
            }
            max_before = max_before.max(id);
            out.push(a);
        }
        out
    }

    fn attribute(&mut self, at: usize) -> Attribute {
        let ns_idx = self.u32_at(at);
        let name_idx = self.u32_at(at + 4);
        let raw_idx = self.u32_at(at + 8);
        let data_type = self.doc.u8_at(at + 15).unwrap_or(0);
        let data = self.u32_at(at + 16);

        let namespace = self.optional_string(ns_idx, at, "attribute namespace");
        let raw_name = self.required_string(name_idx, at + 4, "attribute name");
        let resource_id = self.resource_id(name_idx);
        let canonical = match self.canonical.get_mut(name_idx as usize) {
            Some(Some(c)) => *c,
            Some(slot) => *slot.insert(resource_id.and_then(canonical_name)),
            None => None,
        };
        let name = match canonical {
            Some(c) => {
                if c != raw_name {
                    self.name_mismatch.add(at + 4);
                }
                c.to_string()
            }
            None => raw_name.clone(),
        };
        if resource_id.is_none() && namespace.as_deref() == Some(ANDROID_NS) {
            self.without_id.add(at);
        }
        let raw_value = self.optional_string(raw_idx, at + 8, "attribute raw value");
        let value = if data_type == TYPE_STRING {
            match self.strings.owned(data) {
                Some(s) => {
                    if raw_idx != data && raw_value.as_ref().is_some_and(|r| *r != s) {
                        self.raw_mismatch.add(at + 8);
                    }
                    Value::String(s)
                }
                None => {
                    self.bad_index(data, at + 16, "attribute value");
                    Value::Unknown { data_type, data }
                }
            }
        } else {
            RawValue { data_type, data }.decode(&self.strings.pool)
        };
        Attribute {
            namespace,
            name,
            raw_name,
            resource_id,
            raw_value,
            value,
            data_type,
            data,
        }
    }

    fn end_element(&mut self, c: &Chunk) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        let Some(el) = self.stack.pop() else {
            let when = if self.root.is_some() {
                "after the root element was closed"
            } else {
                "before any element"
            };
            self.an.push(codes::UNBALANCED_END, c.offset, || {
                format!("end tag {when}; ignored")
            });
            return;
        };
        if let Some(ext) = self.node_ext(c, NS_EXT) {
            let name_idx = self.u32_at(ext + 4);
            let end_name = self.strings.peek(name_idx).unwrap_or("");
            if end_name != el.name {
                let detail = format!(
                    "end tag </{end_name}> closes <{}> (line {}), as on Android",
                    el.name, el.line
                );
                self.an.push(codes::END_TAG_MISMATCH, c.offset, || detail);
            }
        }
        self.attach(el);
    }

    fn attach(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(el)),
            None => self.root = Some(el),
        }
    }

    fn cdata(&mut self, c: &Chunk) {
        if self.skip_depth > 0 || self.stack.is_empty() {
            return;
        }
        if self.nodes >= self.max_nodes {
            self.node_limit(c.offset);
            return;
        }
        let Some(ext) = self.node_ext(c, CDATA_EXT) else {
            return;
        };
        let idx = self.u32_at(ext);
        let Some(text) = self.optional_string(idx, ext, "text") else {
            return;
        };
        self.nodes += 1;
        if let Some(parent) = self.stack.last_mut() {
            parent.children.push(Node::Text(text));
        }
    }

    fn finish(mut self, end: usize) -> Result<XmlDocument, AxmlError> {
        if !self.stack.is_empty() && !self.stopped {
            let n = self.stack.len();
            self.an.push(codes::UNCLOSED_ELEMENTS, end, || {
                format!("{n} elements still open at the end of the document; closed implicitly")
            });
        }
        while let Some(el) = self.stack.pop() {
            self.attach(el);
        }
        let tallies = [
            (
                codes::ATTR_NAME_MISMATCH,
                self.name_mismatch,
                "attribute pool names differ from their resource id's framework name (identified by id, as Android does)",
            ),
            (
                codes::ATTR_HIDDEN,
                self.hidden,
                "attributes are out of resource-id order or duplicated, so Android's TypedArray lookup never sees them",
            ),
            (
                codes::ATTR_WITHOUT_ID,
                self.without_id,
                "android: attributes have no resource id; Android's TypedArray ignores them (matched by name here)",
            ),
            (
                codes::RAW_VALUE_MISMATCH,
                self.raw_mismatch,
                "string attributes have a rawValue differing from the typed value; Android uses the typed value",
            ),
        ];
        for (code, t, what) in tallies {
            if t.count > 0 {
                self.an
                    .push(code, t.first, || format!("{} {what}", t.count));
            }
        }
        if self.strings.exhausted {
            self.an.push(codes::STRING_BUDGET, 0, || {
                "decoded strings exceeded their byte budget; the rest read as empty".to_string()
            });
        }
        let root = self.root.ok_or(AxmlError::NoElement { offset: end })?;
        Ok(XmlDocument {
            root,
            namespaces: self.namespaces,
            anomalies: self.an.finish(),
        })
    }
}

//! A small binary XML writer for tests: emits the chunks aapt would, with
//! handles to patch them into the malformed shapes seen in the wild.

use super::{
    RES_XML_CDATA_TYPE, RES_XML_END_ELEMENT_TYPE, RES_XML_END_NAMESPACE_TYPE,
    RES_XML_RESOURCE_MAP_TYPE, RES_XML_START_ELEMENT_TYPE, RES_XML_START_NAMESPACE_TYPE,
    RES_XML_TYPE,
};
use crate::resvalue::TYPE_STRING;
use crate::stringpool::tests::build_pool;
use std::collections::HashMap;

pub(crate) const NONE: u32 = u32::MAX;

/// An attribute to write.
#[derive(Clone, Debug)]
pub(crate) struct A {
    pub ns: Option<String>,
    pub name: String,
    /// Force this pool index for the name.
    pub name_index: Option<u32>,
    pub raw: Option<String>,
    pub data_type: u8,
    pub data: u32,
    /// For `TYPE_STRING`: the string whose index becomes `data`.
    pub data_str: Option<String>,
}

impl A {
    /// A string attribute (raw and typed value the same string).
    pub fn string(ns: Option<&str>, name: &str, value: &str) -> A {
        A {
            ns: ns.map(str::to_string),
            name: name.to_string(),
            name_index: None,
            raw: Some(value.to_string()),
            data_type: TYPE_STRING,
            data: 0,
            data_str: Some(value.to_string()),
        }
    }

    /// A typed (non-string) attribute without a raw value.
    pub fn typed(ns: Option<&str>, name: &str, data_type: u8, data: u32) -> A {
        A {
            ns: ns.map(str::to_string),
            name: name.to_string(),
            name_index: None,
            raw: None,
            data_type,
            data,
            data_str: None,
        }
    }

    pub fn with_raw(mut self, raw: &str) -> A {
        self.raw = Some(raw.to_string());
        self
    }

    pub fn with_name_index(mut self, idx: u32) -> A {
        self.name_index = Some(idx);
        self
    }
}

/// Builds a document node by node.
pub(crate) struct Doc {
    strings: Vec<String>,
    index: HashMap<String, u32>,
    resmap: Vec<u32>,
    nodes: Vec<u8>,
    pub utf8: bool,
    line: u32,
}

impl Doc {
    /// A document whose first pool strings are these attribute names, with
    /// these resource ids in the resource map.
    pub fn new(ids: &[(&str, u32)]) -> Doc {
        let strings: Vec<String> = ids.iter().map(|(s, _)| s.to_string()).collect();
        let mut index = HashMap::new();
        for (i, s) in strings.iter().enumerate() {
            index.entry(s.clone()).or_insert(i as u32);
        }
        Doc {
            strings,
            index,
            resmap: ids.iter().map(|&(_, id)| id).collect(),
            nodes: Vec::new(),
            utf8: true,
            line: 1,
        }
    }

    /// Pool index of `s`, interned.
    pub fn s(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.s(s))
    }

    /// Offset of the next node inside the node stream.
    pub fn pos(&self) -> usize {
        self.nodes.len()
    }

    fn node(&mut self, ty: u16, ext: &[u8]) -> usize {
        let at = self.nodes.len();
        let size = 16 + ext.len();
        self.nodes.extend_from_slice(&ty.to_le_bytes());
        self.nodes.extend_from_slice(&16u16.to_le_bytes());
        self.nodes.extend_from_slice(&(size as u32).to_le_bytes());
        self.nodes.extend_from_slice(&self.line.to_le_bytes());
        self.nodes.extend_from_slice(&NONE.to_le_bytes());
        self.nodes.extend_from_slice(ext);
        self.line += 1;
        at
    }

    pub fn start_ns(&mut self, prefix: &str, uri: &str) -> usize {
        let ext = [self.s(prefix), self.s(uri)];
        self.node(RES_XML_START_NAMESPACE_TYPE, &words(&ext))
    }

    pub fn end_ns(&mut self, prefix: &str, uri: &str) -> usize {
        let ext = [self.s(prefix), self.s(uri)];
        self.node(RES_XML_END_NAMESPACE_TYPE, &words(&ext))
    }

    pub fn start(&mut self, ns: Option<&str>, name: &str, attrs: &[A]) -> usize {
        let mut ext = Vec::new();
        let ns = self.opt(ns);
        let name = self.s(name);
        ext.extend_from_slice(&words(&[ns, name]));
        for v in [20u16, 20, attrs.len() as u16, 0, 0, 0] {
            ext.extend_from_slice(&v.to_le_bytes());
        }
        for a in attrs {
            let ns = self.opt(a.ns.as_deref());
            let name = match a.name_index {
                Some(i) => i,
                None => self.s(&a.name),
            };
            let raw = self.opt(a.raw.as_deref());
            let data = match &a.data_str {
                Some(s) => self.s(s),
                None => a.data,
            };
            ext.extend_from_slice(&words(&[ns, name, raw]));
            ext.extend_from_slice(&8u16.to_le_bytes());
            ext.push(0);
            ext.push(a.data_type);
            ext.extend_from_slice(&data.to_le_bytes());
        }
        self.node(RES_XML_START_ELEMENT_TYPE, &ext)
    }

    pub fn end(&mut self, ns: Option<&str>, name: &str) -> usize {
        let ext = [self.opt(ns), self.s(name)];
        self.node(RES_XML_END_ELEMENT_TYPE, &words(&ext))
    }

    pub fn text(&mut self, s: &str) -> usize {
        let mut ext = words(&[self.s(s)]);
        ext.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0]);
        self.node(RES_XML_CDATA_TYPE, &ext)
    }

    /// Appends raw bytes to the node stream.
    pub fn raw(&mut self, bytes: &[u8]) -> usize {
        let at = self.nodes.len();
        self.nodes.extend_from_slice(bytes);
        at
    }

    /// The string pool chunk.
    pub fn pool(&self) -> Vec<u8> {
        let strs: Vec<&str> = self.strings.iter().map(String::as_str).collect();
        build_pool(&strs, self.utf8)
    }

    /// The resource map chunk.
    pub fn resmap_chunk(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&RES_XML_RESOURCE_MAP_TYPE.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&((8 + 4 * self.resmap.len()) as u32).to_le_bytes());
        out.extend_from_slice(&words(&self.resmap));
        out
    }

    /// The finished document and the offset of the node stream in it.
    pub fn layout(&self) -> (Vec<u8>, usize) {
        let mut body = self.pool();
        if !self.resmap.is_empty() {
            body.extend_from_slice(&self.resmap_chunk());
        }
        let node_base = 8 + body.len();
        body.extend_from_slice(&self.nodes);
        (wrap(&body), node_base)
    }

    pub fn build(&self) -> Vec<u8> {
        self.layout().0
    }
}

/// `body` behind a RES_XML_TYPE header.
pub(crate) fn wrap(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&RES_XML_TYPE.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&((body.len() + 8) as u32).to_le_bytes());
    out.extend_from_slice(body);
    out
}

pub(crate) fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Overwrites a little-endian u16 / u32 in `buf`.
pub(crate) fn put16(buf: &mut [u8], at: usize, v: u16) {
    buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

pub(crate) fn put32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

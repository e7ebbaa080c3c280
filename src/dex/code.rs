//! Walking a method's bytecode (`insns` of a `code_item`) to collect the
//! facts fingertip keeps per class: invoked method ids, `const-string`
//! string ids, call sites and resource-id-like integer constants.
//!
//! Spec: the "Dalvik bytecode" and "Dalvik executable instruction formats"
//! pages. Every opcode's width comes from its format (`10x` = 1 code unit,
//! `21c` = 2, `35c` = 3, `45cc` = 4, `51l` = 5, ...). The three payload
//! pseudo-instructions (`packed-switch-payload` 0x0100,
//! `sparse-switch-payload` 0x0200, `fill-array-data-payload` 0x0300) sit in
//! the instruction stream as `nop`s with a non-zero high byte and are
//! skipped by their own size, as ART's `Instruction::SizeInCodeUnits` does.
//!
//! Unused opcodes (0x3e–0x43, 0x73, 0x79, 0x7a, 0xe3–0xf9: ART rejects them
//! in DEX files; some were odex-only) and instructions running past the end
//! of `insns` end the walk of that method with an anomaly.

use super::Agg;

/// Package byte of app resource ids.
const APP_PACKAGE: u32 = 0x7f;

/// What the walker collects for one class (indices, unsorted; the caller
/// sorts and dedups once per class).
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub invokes: Vec<u32>,
    pub strings: Vec<u32>,
    pub resource_ids: Vec<u32>,
    pub call_sites: Vec<u32>,
}

/// Sizes of the id tables the instructions index into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub strings: u32,
    pub methods: u32,
    pub call_sites: u32,
}

/// Width in code units of opcode `op`, 0 for unused opcodes.
fn width(op: u8) -> usize {
    match op {
        0x00
        | 0x01
        | 0x04
        | 0x07
        | 0x0a..=0x12
        | 0x1d
        | 0x1e
        | 0x21
        | 0x27
        | 0x28
        | 0x7b..=0x8f
        | 0xb0..=0xcf => 1,
        0x02
        | 0x05
        | 0x08
        | 0x13
        | 0x15
        | 0x16
        | 0x19
        | 0x1a
        | 0x1c
        | 0x1f
        | 0x20
        | 0x22
        | 0x23
        | 0x29
        | 0x2d..=0x3d
        | 0x44..=0x6d
        | 0x90..=0xaf
        | 0xd0..=0xe2
        | 0xfe
        | 0xff => 2,
        0x03
        | 0x06
        | 0x09
        | 0x14
        | 0x17
        | 0x1b
        | 0x24..=0x26
        | 0x2a..=0x2c
        | 0x6e..=0x72
        | 0x74..=0x78
        | 0xfc
        | 0xfd => 3,
        0xfa | 0xfb => 4,
        0x18 => 5,
        _ => 0,
    }
}

/// True for values that look like an app resource id: package 0x7f and a
/// type byte in 0x01..=0xfe (type 0 does not exist, and 0x7fff_xxxx is far
/// more often `Integer.MAX_VALUE`-like arithmetic than a 255th type).
pub(crate) fn looks_like_resource_id(v: u64) -> bool {
    let Ok(v) = u32::try_from(v) else {
        return false;
    };
    let ty = (v >> 16) & 0xff;
    v >> 24 == APP_PACKAGE && ty != 0 && ty != 0xff
}

#[inline]
fn unit(insns: &[u8], i: usize) -> u16 {
    match insns.get(i * 2..i * 2 + 2) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

#[inline]
fn unit32(insns: &[u8], i: usize) -> u32 {
    u32::from(unit(insns, i)) | (u32::from(unit(insns, i + 1)) << 16)
}

/// Walks `insns` (the raw bytes of `insns_size` code units) found at file
/// offset `at`, adding to `facts`.
pub(crate) fn walk(insns: &[u8], at: usize, bounds: Bounds, facts: &mut Facts, agg: &mut Agg) {
    let n = insns.len() / 2;
    let mut pc = 0usize;
    while pc < n {
        let w0 = unit(insns, pc);
        let op = (w0 & 0xff) as u8;
        let w: u64 = if op == 0 {
            let remaining = n - pc;
            match w0 >> 8 {
                1 | 2 if remaining < 2 => u64::MAX,
                1 => 4 + 2 * u64::from(unit(insns, pc + 1)),
                2 => 2 + 4 * u64::from(unit(insns, pc + 1)),
                3 if remaining < 4 => u64::MAX,
                3 => {
                    let elem = u64::from(unit(insns, pc + 1));
                    let count = u64::from(unit32(insns, pc + 2));
                    4 + (elem * count).div_ceil(2)
                }
                _ => 1,
            }
        } else {
            width(op) as u64
        };
        if w == 0 {
            agg.add("dex_unknown_opcode", at + pc * 2, || {
                format!("unused opcode {op:#04x}; rest of the method not walked")
            });
            return;
        }
        let end = (pc as u64).saturating_add(w);
        if end > n as u64 {
            let what = if op == 0 { "payload" } else { "instruction" };
            agg.add("dex_truncated_instruction", at + pc * 2, || {
                format!("{what} {w0:#06x} runs past the end of the method's code")
            });
            return;
        }
        match op {
            0x1a => add_string(u32::from(unit(insns, pc + 1)), pc, at, bounds, facts, agg),
            0x1b => add_string(unit32(insns, pc + 1), pc, at, bounds, facts, agg),
            0x14 => add_res(u64::from(unit32(insns, pc + 1)), facts),
            0x15 => add_res(u64::from(unit(insns, pc + 1)) << 16, facts),
            0x17 => {
                // const-wide/32: sign-extended 32-bit literal.
                let v = unit32(insns, pc + 1) as i32;
                if let Ok(v) = u64::try_from(v) {
                    add_res(v, facts);
                }
            }
            0x18 => {
                let lo = u64::from(unit32(insns, pc + 1));
                let hi = u64::from(unit32(insns, pc + 3));
                add_res(lo | (hi << 32), facts);
            }
            0x6e..=0x72 | 0x74..=0x78 | 0xfa | 0xfb => {
                let idx = u32::from(unit(insns, pc + 1));
                if idx < bounds.methods {
                    facts.invokes.push(idx);
                } else {
                    bad_index(agg, at, pc, "method", idx, bounds.methods);
                }
            }
            0xfc | 0xfd => {
                let idx = u32::from(unit(insns, pc + 1));
                if idx < bounds.call_sites {
                    facts.call_sites.push(idx);
                } else {
                    bad_index(agg, at, pc, "call site", idx, bounds.call_sites);
                }
            }
            _ => {}
        }
        // `end <= n`, so this fits in usize.
        pc = usize::try_from(end).unwrap_or(n);
    }
}

fn add_string(idx: u32, pc: usize, at: usize, bounds: Bounds, facts: &mut Facts, agg: &mut Agg) {
    if idx < bounds.strings {
        facts.strings.push(idx);
    } else {
        bad_index(agg, at, pc, "string", idx, bounds.strings);
    }
}

fn add_res(v: u64, facts: &mut Facts) {
    if looks_like_resource_id(v) {
        // looks_like_resource_id checked it fits.
        facts.resource_ids.push(v as u32);
    }
}

fn bad_index(agg: &mut Agg, at: usize, pc: usize, what: &str, idx: u32, count: u32) {
    agg.add("dex_bad_index", at + pc * 2, || {
        format!("instruction refers to {what} {idx}, but there are {count}")
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    const B: Bounds = Bounds {
        strings: 100,
        methods: 100,
        call_sites: 2,
    };

    #[test]
    fn collects_invokes_strings_and_resource_ids() {
        let insns = code(&[
            0x001a, 5, // const-string v0, string@5
            0x001b, 7, 0, // const-string/jumbo v0, string@7
            0x0014, 0x0001, 0x7f0b, // const v0, 0x7f0b0001
            0x0015, 0x7f02, // const/high16 v0, 0x7f020000
            0x0014, 0xffff, 0x7fff, // const v0, 0x7fffffff (not a resource id)
            0x106e, 9, 0, // invoke-virtual {v0}, meth@9
            0x0077, 3, 0, // invoke-static/range {}, meth@3
            0x01fa, 4, 0x0000, 1, // invoke-polymorphic {v0}, meth@4, proto@1
            0x00fc, 1, 0,      // invoke-custom {}, call_site@1
            0x000e, // return-void
        ]);
        let mut f = Facts::default();
        let mut agg = Agg::default();
        walk(&insns, 0, B, &mut f, &mut agg);
        assert!(agg.is_empty(), "{agg:?}");
        assert_eq!(f.strings, [5, 7]);
        assert_eq!(f.invokes, [9, 3, 4]);
        assert_eq!(f.resource_ids, [0x7f0b0001, 0x7f020000]);
        assert_eq!(f.call_sites, [1]);
    }

    #[test]
    fn skips_payloads_by_their_size() {
        let insns = code(&[
            0x0000, // nop
            0x0100, 2, 0, 0, 1, 0, 2, 0, // packed-switch payload, 2 targets
            0x0200, 1, 5, 0, 9, 0, // sparse-switch payload, 1 entry
            0x0300, 1, 3, 0, 0x0201, 0x0003, // fill-array-data, 3 bytes
            0x001a, 1, // const-string string@1
        ]);
        let mut f = Facts::default();
        let mut agg = Agg::default();
        walk(&insns, 0, B, &mut f, &mut agg);
        assert!(agg.is_empty(), "{agg:?}");
        assert_eq!(f.strings, [1]);
    }

    #[test]
    fn stops_on_bad_opcodes_and_truncation() {
        let mut f = Facts::default();
        let mut agg = Agg::default();
        walk(&code(&[0x003e, 0x001a, 1]), 0, B, &mut f, &mut agg);
        walk(&code(&[0x001a]), 0, B, &mut f, &mut agg);
        walk(&code(&[0x0300, 1, 0xffff, 0xffff]), 0, B, &mut f, &mut agg);
        walk(
            &code(&[0x001a, 500, 0x106e, 200, 0]),
            0,
            B,
            &mut f,
            &mut agg,
        );
        assert!(f.strings.is_empty() && f.invokes.is_empty());
        let codes: Vec<_> = agg.finish().into_iter().map(|a| a.code).collect();
        assert_eq!(
            codes,
            [
                "dex_bad_index",
                "dex_truncated_instruction",
                "dex_unknown_opcode"
            ]
        );
    }
}

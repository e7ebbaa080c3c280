//! Native libraries: every `.so` entry of an APK, with the ELF facts that
//! identify it (ABI, machine, SONAME, `DT_NEEDED`, JNI exports, GNU build id,
//! size, SHA-256).
//!
//! # What Android does, and what this module follows
//!
//! * The package installer (`NativeLibraryHelper`, `iterateOverNativeFiles`)
//!   extracts only entries named `lib/<abi>/<file>.so`, where `<abi>` is
//!   everything between `lib/` and the *last* `/`. Entries elsewhere
//!   (`assets/…`, `lib/<abi>/sub/…`, `lib/x.so`) are never installed; only
//!   the app's own code can load them, which is what packers do. They are
//!   listed with `hidden: true`.
//! * The ABI directory names are the NDK's: `arm64-v8a`, `armeabi-v7a`,
//!   `armeabi`, `x86`, `x86_64`, `mips`, `mips64`, `riscv64`. Any other
//!   directory is reported as it is spelled.
//! * bionic's loader (`linker_phdr.cpp`) checks the ELF class, byte order
//!   and `e_machine` of a library against the process, reads the program
//!   headers, the section headers and the dynamic section (`PT_DYNAMIC`,
//!   strings through `DT_STRTAB`), and `dlsym` finds symbols that are
//!   `STB_GLOBAL` or `STB_WEAK` and defined (`st_shndx != SHN_UNDEF`). A JNI
//!   export here is such a dynamic symbol named `Java_*`; `JNI_OnLoad` is
//!   reported when exported the same way.
//!
//! The structures are those of the System V gABI (ELF header, program and
//! section headers, dynamic array, symbol table, notes). goblin decodes the
//! header, the program and section headers, the dynamic array and the
//! symbols, but only after this module has checked every count and offset
//! it hands over against the bytes present (goblin trusts some of them), and
//! every goblin call runs under [`std::panic::catch_unwind`] as a last
//! resort. String tables, the `DT_HASH`/`DT_GNU_HASH` symbol counts and notes
//! are read here through [`Reader`], with names decoded lossily (readelf
//! prints the raw bytes). A library that cannot be parsed still gets its
//! path, ABI, size and SHA-256.
//!
//! The symbol table used is the `SHT_DYNSYM` section when the section
//! headers are readable (as `readelf --dyn-syms` does), else `DT_SYMTAB`
//! counted through `DT_HASH` or `DT_GNU_HASH`. The build id comes from the
//! first `NT_GNU_BUILD_ID` note in a `PT_NOTE` segment, else in a
//! `SHT_NOTE` section.
//!
//! # Anomalies (codes are stable)
//!
//! | code | meaning |
//! |---|---|
//! | `native_not_elf` | a `.so` entry that does not start with `\x7fELF` (encrypted payloads, zips, dex) |
//! | `native_malformed_elf` | the ELF structure is broken (goblin's or our message); facts read before the break are kept |
//! | `native_bad_section_headers` | no section headers, or a table outside the file or with the wrong entry size: bionic refuses to load the library; the facts come from the program headers |
//! | `native_no_dynamic_section` | no `PT_DYNAMIC`: bionic cannot load it |
//! | `native_not_shared_object` | `e_type` is not `ET_DYN` (an executable or object file shipped as a library) |
//! | `native_abi_mismatch` | the ELF machine, class or byte order does not match the `lib/<abi>/` directory |
//! | `native_unknown_abi` | a `lib/<dir>/` directory that is not an NDK ABI name |
//! | `native_lib_outside_lib_dir` | a `.so` that the installer will not extract (hidden) |
//! | `native_lib_too_large` | larger than [`Limits::max_native_lib_size`]; listed, not read |
//!
//! A `.so` entry that cannot be read from the zip gets the archive's code
//! for the failure ([`crate::archive::EntryError::code`], e.g.
//! `zip_corrupt_deflate`).
//!
//! # Limits
//!
//! Besides [`Limits::max_native_lib_size`], internal caps bound the work on
//! one library: at most [`MAX_DYNAMIC_ENTRIES`] dynamic entries and
//! [`MAX_NEEDED`] `DT_NEEDED` names are read, names are cut at
//! [`MAX_NAME_LEN`] bytes and a build id longer than [`MAX_BUILD_ID_LEN`]
//! bytes is ignored. Symbols are counted without allocating.

use crate::archive::Archive;
use crate::reader::to_hex as hex;
use crate::reader::{Anomaly, Limits, Reader};
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::dynamic::{
    Dynamic, DT_GNU_HASH, DT_HASH, DT_NEEDED, DT_SONAME, DT_STRSZ, DT_STRTAB, DT_SYMTAB,
};
use goblin::elf::header::{Header, ET_DYN};
use goblin::elf::program_header::{ProgramHeader, PT_DYNAMIC, PT_LOAD, PT_NOTE};
use goblin::elf::section_header::{SectionHeader, SHT_DYNAMIC, SHT_DYNSYM, SHT_NOTE, SHT_STRTAB};
use goblin::elf::sym::{Sym, Symtab, STB_GLOBAL, STB_WEAK};
use goblin::elf::Elf;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The NDK ABI directory names, newest first.
pub const KNOWN_ABIS: &[&str] = &[
    "arm64-v8a",
    "armeabi-v7a",
    "armeabi",
    "x86",
    "x86_64",
    "mips",
    "mips64",
    "riscv64",
];

/// Most dynamic-array entries read from one library.
pub const MAX_DYNAMIC_ENTRIES: usize = 1 << 16;
/// Most `DT_NEEDED` names kept for one library.
pub const MAX_NEEDED: usize = 1024;
/// Longest SONAME or `DT_NEEDED` name kept, in bytes (longer ones are cut).
pub const MAX_NAME_LEN: usize = 4096;
/// Longest GNU build id reported, in bytes (real ones are 8 to 32).
pub const MAX_BUILD_ID_LEN: usize = 256;

const EM_386: u16 = 3;
const EM_MIPS: u16 = 8;
const EM_ARM: u16 = 40;
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const EM_RISCV: u16 = 243;
const NT_GNU_BUILD_ID: u32 = 3;
const SHN_UNDEF: usize = 0;

/// Everything this module learns about an APK's native code.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NativeReport {
    /// ABI directories the installer would use (`lib/<abi>/` of non-hidden
    /// libraries), sorted, without duplicates; unknown names as spelled.
    pub abis: Vec<String>,
    /// Every `.so` entry, sorted by path (entry order for equal paths).
    pub libs: Vec<NativeLib>,
    /// Oddities, each detail starting with the entry path.
    pub anomalies: Vec<Anomaly>,
}

/// One `.so` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeLib {
    /// Entry path in the APK.
    pub path: String,
    /// File name (after the last `/`).
    pub name: String,
    /// `<abi>` of `lib/<abi>/<name>`; for hidden libraries, a path
    /// component that is a known ABI name, if any.
    pub abi: Option<String>,
    /// True when the installer will not extract it (not at `lib/<abi>/<name>.so`).
    pub hidden: bool,
    /// ELF class: 32 or 64.
    pub elf_class: Option<u8>,
    /// `"little"` or `"big"`.
    pub endianness: Option<String>,
    /// `e_machine` by name: `AArch64`, `ARM`, `x86`, `x86-64`, `RISC-V`,
    /// `MIPS`, else goblin's name or `EM_<number>`.
    pub machine: Option<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED` names in dynamic-array order.
    pub needed: Vec<String>,
    /// Exported dynamic symbols named `Java_*`.
    pub jni_exports: usize,
    /// True when `JNI_OnLoad` is exported.
    pub jni_onload: bool,
    /// GNU build id, lowercase hex.
    pub build_id: Option<String>,
    /// Whether machine, class and byte order fit the ABI directory; `None`
    /// without a known ABI or a readable ELF header.
    pub abi_matches: Option<bool>,
    /// Size in bytes (the declared size when the entry was not read).
    pub size: u64,
    /// SHA-256 of the bytes, lowercase hex; empty when the entry was not read.
    pub sha256: String,
}

/// Lists and analyses every `.so` entry of `archive`. Never fails: what
/// cannot be read becomes an anomaly.
pub fn analyse(archive: &Archive<'_>, limits: &Limits) -> NativeReport {
    let mut report = NativeReport::default();
    for entry in archive.entries() {
        if entry.is_dir() || !entry.name.ends_with(".so") {
            continue;
        }
        if entry.uncompressed_size > limits.max_native_lib_size {
            report.anomalies.push(too_large(
                &entry.name,
                entry.uncompressed_size,
                limits.max_native_lib_size,
            ));
            let (lib, anomalies) = unread_lib(&entry.name, entry.uncompressed_size);
            report.anomalies.extend(anomalies);
            report.libs.push(lib);
            continue;
        }
        match archive.read(entry) {
            Ok(data) if data.len() as u64 > limits.max_native_lib_size => {
                report.anomalies.push(too_large(
                    &entry.name,
                    data.len() as u64,
                    limits.max_native_lib_size,
                ));
                let (lib, anomalies) = unread_lib(&entry.name, data.len() as u64);
                report.anomalies.extend(anomalies);
                report.libs.push(lib);
            }
            Ok(data) => {
                let (lib, anomalies) = analyse_lib(&entry.name, &data);
                report.anomalies.extend(anomalies);
                report.libs.push(lib);
            }
            Err(e) => {
                report.anomalies.push(e.to_anomaly(&entry.name));
                let (lib, anomalies) = unread_lib(&entry.name, entry.uncompressed_size);
                report.anomalies.extend(anomalies);
                report.libs.push(lib);
            }
        }
    }
    report.libs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut abis: Vec<String> = report
        .libs
        .iter()
        .filter(|l| !l.hidden)
        .filter_map(|l| l.abi.clone())
        .collect();
    abis.sort();
    abis.dedup();
    report.abis = abis;
    report
}

/// Analyses one library given its entry path and bytes: the place facts
/// from the path, the ELF facts from the bytes, and the anomalies (details
/// prefixed with `path`).
pub fn analyse_lib(path: &str, data: &[u8]) -> (NativeLib, Vec<Anomaly>) {
    let (mut lib, mut anomalies) = unread_lib(path, data.len() as u64);
    lib.sha256 = hex(&Sha256::digest(data));
    let mut elf_anomalies = Vec::new();
    let facts = elf_facts(data, &mut elf_anomalies);
    lib.elf_class = facts.class;
    lib.endianness = facts
        .big_endian
        .map(|b| if b { "big" } else { "little" }.to_string());
    lib.machine = facts.machine.map(machine_name);
    lib.soname = facts.soname;
    lib.needed = facts.needed;
    lib.jni_exports = facts.jni_exports;
    lib.jni_onload = facts.jni_onload;
    lib.build_id = facts.build_id;
    if let (Some(abi), Some(machine), Some(class), Some(big)) = (
        lib.abi.as_deref(),
        facts.machine,
        facts.class,
        facts.big_endian,
    ) {
        if let Some((want_machine, want_class)) = abi_expectation(abi) {
            let ok = machine == want_machine && class == want_class && !big;
            lib.abi_matches = Some(ok);
            if !ok {
                elf_anomalies.push(Anomaly::new(
                    "native_abi_mismatch",
                    format!(
                        "{} {class}-bit {}-endian ELF in an {abi} directory, which needs {} \
                         {want_class}-bit little-endian (bionic refuses to load it there)",
                        machine_name(machine),
                        if big { "big" } else { "little" },
                        machine_name(want_machine),
                    ),
                ));
            }
        }
    }
    anomalies.extend(elf_anomalies.into_iter().map(|a| a.in_context(path)));
    (lib, anomalies)
}

/// `e_machine` as a name: the Android ones spelled as the NDK documents
/// them, others by goblin's table, else `EM_<number>`.
pub fn machine_name(machine: u16) -> String {
    match machine {
        EM_AARCH64 => "AArch64".to_string(),
        EM_ARM => "ARM".to_string(),
        EM_386 => "x86".to_string(),
        EM_X86_64 => "x86-64".to_string(),
        EM_RISCV => "RISC-V".to_string(),
        EM_MIPS => "MIPS".to_string(),
        other => match goblin::elf::header::machine_to_str(other) {
            "EM_UNKNOWN" => format!("EM_{other}"),
            name => name.to_string(),
        },
    }
}

/// The `(e_machine, class)` an NDK ABI directory requires.
pub fn abi_expectation(abi: &str) -> Option<(u16, u8)> {
    Some(match abi {
        "arm64-v8a" => (EM_AARCH64, 64),
        "armeabi-v7a" | "armeabi" => (EM_ARM, 32),
        "x86" => (EM_386, 32),
        "x86_64" => (EM_X86_64, 64),
        "mips" => (EM_MIPS, 32),
        "mips64" => (EM_MIPS, 64),
        "riscv64" => (EM_RISCV, 64),
        _ => return None,
    })
}

/// The library record of `path` before its bytes are looked at, plus the
/// anomalies its place alone causes.
fn unread_lib(path: &str, size: u64) -> (NativeLib, Vec<Anomaly>) {
    let name = path.rsplit('/').next().unwrap_or(path).to_string();
    let mut anomalies = Vec::new();
    let (abi, hidden) = match installed_abi(path) {
        Some(abi) => {
            if !KNOWN_ABIS.contains(&abi) {
                anomalies.push(Anomaly::new(
                    "native_unknown_abi",
                    format!(
                        "{path}: lib/{abi}/ is not an NDK ABI directory; no device installs it"
                    ),
                ));
            }
            (Some(abi.to_string()), false)
        }
        None => {
            anomalies.push(Anomaly::new(
                "native_lib_outside_lib_dir",
                format!(
                    "{path}: not at lib/<abi>/<name>.so, so the installer does not extract it; \
                     only the app's own code can load it"
                ),
            ));
            let abi = path
                .split('/')
                .rev()
                .skip(1)
                .find(|c| KNOWN_ABIS.contains(c))
                .map(str::to_string);
            (abi, true)
        }
    };
    let lib = NativeLib {
        path: path.to_string(),
        name,
        abi,
        hidden,
        elf_class: None,
        endianness: None,
        machine: None,
        soname: None,
        needed: Vec::new(),
        jni_exports: 0,
        jni_onload: false,
        build_id: None,
        abi_matches: None,
        size,
        sha256: String::new(),
    };
    (lib, anomalies)
}

/// The ABI directory of an installable library path (`lib/<abi>/<file>`,
/// with `<abi>` free of `/`), as the installer splits it.
fn installed_abi(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("lib/")?;
    let (abi, file) = rest.rsplit_once('/')?;
    if abi.is_empty() || abi.contains('/') || file.is_empty() {
        return None;
    }
    Some(abi)
}

fn too_large(path: &str, size: u64, limit: u64) -> Anomaly {
    Anomaly::new(
        "native_lib_too_large",
        format!("{path}: {size} bytes exceeds the native library limit of {limit} bytes; not read"),
    )
}

/// ELF facts gathered so far; parsing fills them in order, so a failure
/// part-way keeps what came before.
#[derive(Debug, Default)]
struct ElfFacts {
    class: Option<u8>,
    big_endian: Option<bool>,
    machine: Option<u16>,
    soname: Option<String>,
    needed: Vec<String>,
    jni_exports: usize,
    jni_onload: bool,
    build_id: Option<String>,
}

fn malformed(detail: impl Into<String>) -> Anomaly {
    Anomaly::new("native_malformed_elf", detail)
}

fn elf_facts(data: &[u8], anomalies: &mut Vec<Anomaly>) -> ElfFacts {
    let mut facts = ElfFacts::default();
    let magic = data.get(..4).unwrap_or(data);
    if magic != b"\x7fELF" {
        anomalies.push(Anomaly::at(
            "native_not_elf",
            0,
            format!(
                "starts with {} ({}), not the ELF magic 7f454c46",
                hex(magic),
                sniff(data)
            ),
        ));
        return facts;
    }
    let result = catch_unwind(AssertUnwindSafe(|| parse(data, &mut facts, anomalies)));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(message)) => anomalies.push(malformed(message)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            anomalies.push(malformed(format!("the ELF parser panicked: {what}")));
        }
    }
    facts
}

/// What a non-ELF `.so` looks like, for the anomaly detail.
fn sniff(data: &[u8]) -> &'static str {
    if data.is_empty() {
        "empty"
    } else if data.starts_with(b"PK\x03\x04") {
        "a zip archive"
    } else if data.starts_with(b"dex\n") {
        "a DEX file"
    } else if data.starts_with(b"\x1f\x8b") {
        "gzip data"
    } else if data.starts_with(b"#!") {
        "a script"
    } else {
        "unknown or encrypted content"
    }
}

/// Byte layout of one ELF file.
#[derive(Debug, Clone, Copy)]
struct Layout {
    is64: bool,
    big: bool,
}

impl Layout {
    fn ctx(self) -> Ctx {
        Ctx::new(
            if self.is64 {
                Container::Big
            } else {
                Container::Little
            },
            if self.big {
                Endian::Big
            } else {
                Endian::Little
            },
        )
    }
    fn phentsize(self) -> usize {
        if self.is64 {
            56
        } else {
            32
        }
    }
    fn shentsize(self) -> usize {
        if self.is64 {
            64
        } else {
            40
        }
    }
    fn symsize(self) -> usize {
        if self.is64 {
            24
        } else {
            16
        }
    }
    fn dynsize(self) -> usize {
        if self.is64 {
            16
        } else {
            8
        }
    }
    fn u32_at(self, data: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = Reader::new(data).bytes_at(at, 4).ok()?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
    fn u64_at(self, data: &[u8], at: usize) -> Option<u64> {
        let b: [u8; 8] = Reader::new(data).bytes_at(at, 8).ok()?.try_into().ok()?;
        Some(if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}

/// `start..start+len` of `data` clamped to the bytes present, or `None` when
/// `start` lies past the end. The flag says whether it was clamped.
fn clamped(data: &[u8], start: u64, len: u64) -> Option<(&[u8], bool)> {
    let start = usize::try_from(start).ok()?;
    let avail = data.len().checked_sub(start)?;
    let want = usize::try_from(len).unwrap_or(usize::MAX);
    let r = Reader::new(data).sub_clamped(start, want.min(avail))?;
    Some((r.data(), want > avail))
}

/// Parses the structures, filling `facts` as it goes. `Err` carries the
/// message of the failure that stopped it (goblin's, or ours when a count
/// or offset would have made goblin read past the end).
fn parse(data: &[u8], facts: &mut ElfFacts, anomalies: &mut Vec<Anomaly>) -> Result<(), String> {
    let class = data.get(4).copied().unwrap_or(0);
    let encoding = data.get(5).copied().unwrap_or(0);
    let is64 = match class {
        1 => false,
        2 => true,
        other => return Err(format!("unknown ELF class {other} in e_ident")),
    };
    let big = match encoding {
        1 => false,
        2 => true,
        other => return Err(format!("unknown ELF data encoding {other} in e_ident")),
    };
    let layout = Layout { is64, big };
    facts.class = Some(if is64 { 64 } else { 32 });
    facts.big_endian = Some(big);
    let header_len = if is64 { 64 } else { 52 };
    if data.len() < header_len {
        return Err(format!(
            "ELF header truncated: {} bytes, the {}-bit header needs {header_len}",
            data.len(),
            if is64 { 64 } else { 32 }
        ));
    }
    let header = Elf::parse_header(data).map_err(|e| format!("ELF header: {e}"))?;
    facts.machine = Some(header.e_machine);
    if header.e_type != ET_DYN {
        anomalies.push(Anomaly::new(
            "native_not_shared_object",
            format!(
                "ELF type {} ({}), not ET_DYN: dlopen refuses it",
                header.e_type,
                goblin::elf::header::et_to_str(header.e_type)
            ),
        ));
    }
    let phdrs = program_headers(data, &header, layout)?;
    if header.e_shnum == 0 {
        anomalies.push(Anomaly::new(
            "native_bad_section_headers",
            "no section headers (e_shnum is 0): bionic refuses to load it \
             (\"has no section headers\"); read through the program headers",
        ));
    }
    let shdrs = match section_headers(data, &header, layout) {
        Ok(s) => s,
        Err(message) => {
            anomalies.push(Anomaly::new(
                "native_bad_section_headers",
                format!("{message}; bionic refuses to load it, read through the program headers"),
            ));
            Vec::new()
        }
    };
    let loads: Vec<&ProgramHeader> = phdrs.iter().filter(|p| p.p_type == PT_LOAD).collect();

    // Build id first: it needs no dynamic section.
    facts.build_id = build_id(data, &phdrs, &shdrs, layout, anomalies);

    let Some(dyn_ph) = phdrs.iter().find(|p| p.p_type == PT_DYNAMIC) else {
        anomalies.push(Anomaly::new(
            "native_no_dynamic_section",
            "no PT_DYNAMIC program header: bionic cannot load it",
        ));
        return Ok(());
    };
    let dyns = dynamic_entries(data, dyn_ph, layout, anomalies)?;

    let mut strtab_addr = None;
    let mut strsz = None;
    let mut symtab_addr = None;
    let mut hash_addr = None;
    let mut gnu_hash_addr = None;
    for d in &dyns {
        match d.d_tag {
            DT_STRTAB => strtab_addr = strtab_addr.or(Some(d.d_val)),
            DT_STRSZ => strsz = strsz.or(Some(d.d_val)),
            DT_SYMTAB => symtab_addr = symtab_addr.or(Some(d.d_val)),
            DT_HASH => hash_addr = hash_addr.or(Some(d.d_val)),
            DT_GNU_HASH => gnu_hash_addr = gnu_hash_addr.or(Some(d.d_val)),
            _ => {}
        }
    }
    let dynstr = dynamic_strtab(data, &loads, &shdrs, strtab_addr, strsz, anomalies);

    // SONAME (the first, as bionic reads it) and DT_NEEDED in order.
    let mut needed_seen = 0usize;
    for d in &dyns {
        if d.d_tag == DT_SONAME && facts.soname.is_none() {
            facts.soname = name_at(dynstr, d.d_val, "DT_SONAME", anomalies);
        } else if d.d_tag == DT_NEEDED {
            needed_seen += 1;
            if needed_seen > MAX_NEEDED {
                anomalies.push(malformed(format!(
                    "more than {MAX_NEEDED} DT_NEEDED entries; the rest ignored"
                )));
                break;
            }
            if let Some(n) = name_at(dynstr, d.d_val, "DT_NEEDED", anomalies) {
                facts.needed.push(n);
            }
        }
    }

    // Dynamic symbols: the SHT_DYNSYM section, else DT_SYMTAB + hash count.
    let (syms, symstr) = match dynsym_section(data, &shdrs, layout, anomalies) {
        Some((off, count, strs)) => (Some((off, count)), strs.or(dynstr)),
        None => {
            let table = symtab_addr
                .and_then(|a| vm_to_offset(&loads, a))
                .map(|off| {
                    let gnu = gnu_hash_addr.and_then(|a| vm_to_offset(&loads, a));
                    let sysv = hash_addr.and_then(|a| vm_to_offset(&loads, a));
                    (off, dt_symbol_count(data, gnu, sysv, layout))
                });
            (table, dynstr)
        }
    };
    if let Some((off, count)) = syms {
        count_jni(data, off, count, layout, symstr.unwrap_or(&[]), facts)?;
    }
    Ok(())
}

fn program_headers(
    data: &[u8],
    header: &Header,
    layout: Layout,
) -> Result<Vec<ProgramHeader>, String> {
    let count = usize::from(header.e_phnum);
    if count == 0 {
        return Err("no program headers (e_phnum is 0): nothing to load".to_string());
    }
    let entsize = layout.phentsize();
    if usize::from(header.e_phentsize) != entsize {
        return Err(format!(
            "e_phentsize is {}, a {}-bit program header is {entsize} bytes",
            header.e_phentsize,
            if layout.is64 { 64 } else { 32 }
        ));
    }
    let offset = table_in_file(data, header.e_phoff, count, entsize, "program header table")?;
    ProgramHeader::parse(data, offset, count, layout.ctx())
        .map_err(|e| format!("program headers: {e}"))
}

fn section_headers(
    data: &[u8],
    header: &Header,
    layout: Layout,
) -> Result<Vec<SectionHeader>, String> {
    if header.e_shoff == 0 {
        return Ok(Vec::new());
    }
    let entsize = layout.shentsize();
    if usize::from(header.e_shentsize) != entsize {
        return Err(format!(
            "e_shentsize is {}, a {}-bit section header is {entsize} bytes",
            header.e_shentsize,
            if layout.is64 { 64 } else { 32 }
        ));
    }
    let mut count = usize::from(header.e_shnum);
    if count == 0 {
        // Extended numbering: the count is sh_size of section 0.
        let first = table_in_file(data, header.e_shoff, 1, entsize, "section header 0")?;
        let size = if layout.is64 {
            first.checked_add(32).and_then(|at| layout.u64_at(data, at))
        } else {
            first
                .checked_add(20)
                .and_then(|at| layout.u32_at(data, at))
                .map(u64::from)
        };
        count = size
            .and_then(|s| usize::try_from(s).ok())
            .ok_or("section header 0 unreadable")?;
        if count == 0 {
            return Ok(Vec::new());
        }
    }
    let offset = table_in_file(data, header.e_shoff, count, entsize, "section header table")?;
    SectionHeader::parse(data, offset, count, layout.ctx())
        .map_err(|e| format!("section headers: {e}"))
}

/// Checks that `count` entries of `entsize` bytes at `offset` lie inside
/// `data`; returns the offset as `usize`.
fn table_in_file(
    data: &[u8],
    offset: u64,
    count: usize,
    entsize: usize,
    what: &str,
) -> Result<usize, String> {
    let out_of_file = || {
        format!(
            "{what} ({count} x {entsize} bytes at {offset:#x}) lies outside the file ({} bytes)",
            data.len()
        )
    };
    let start = usize::try_from(offset).map_err(|_| out_of_file())?;
    let total = count.checked_mul(entsize).ok_or_else(out_of_file)?;
    Reader::new(data)
        .bytes_at(start, total)
        .map_err(|_| out_of_file())?;
    Ok(start)
}

/// File offset of virtual address `addr`, through the `PT_LOAD` segments'
/// file-backed part.
fn vm_to_offset(loads: &[&ProgramHeader], addr: u64) -> Option<u64> {
    loads.iter().find_map(|p| {
        let delta = addr.checked_sub(p.p_vaddr)?;
        if delta < p.p_filesz {
            p.p_offset.checked_add(delta)
        } else {
            None
        }
    })
}

/// The dynamic array (up to `DT_NULL`) of the first `PT_DYNAMIC`, read by
/// goblin from a segment clamped to the file and to [`MAX_DYNAMIC_ENTRIES`].
fn dynamic_entries(
    data: &[u8],
    dyn_ph: &ProgramHeader,
    layout: Layout,
    anomalies: &mut Vec<Anomaly>,
) -> Result<Vec<goblin::elf::dynamic::Dyn>, String> {
    let Some((bytes, cut)) = clamped(data, dyn_ph.p_offset, dyn_ph.p_filesz) else {
        return Err(format!(
            "PT_DYNAMIC at {:#x} lies past the end of the file ({} bytes)",
            dyn_ph.p_offset,
            data.len()
        ));
    };
    if cut {
        anomalies.push(malformed(format!(
            "PT_DYNAMIC ({:#x} bytes at {:#x}) runs past the end of the file; read up to the end",
            dyn_ph.p_filesz, dyn_ph.p_offset
        )));
    }
    let max_bytes = MAX_DYNAMIC_ENTRIES.saturating_mul(layout.dynsize());
    let mut len = bytes.len();
    if len > max_bytes {
        anomalies.push(malformed(format!(
            "PT_DYNAMIC holds more than {MAX_DYNAMIC_ENTRIES} entries; the rest ignored"
        )));
        len = max_bytes;
    }
    // Only the PT_DYNAMIC header goes to goblin, so its address lookups stay cheap.
    let ph = ProgramHeader {
        p_filesz: len as u64,
        ..dyn_ph.clone()
    };
    match Dynamic::parse(data, std::slice::from_ref(&ph), layout.ctx()) {
        Ok(Some(d)) => Ok(d.dyns),
        Ok(None) => Ok(Vec::new()),
        Err(e) => Err(format!("dynamic section: {e}")),
    }
}

/// The dynamic string table: `DT_STRTAB`/`DT_STRSZ` through the load
/// segments, else the string section linked from the `SHT_DYNAMIC` section.
fn dynamic_strtab<'a>(
    data: &'a [u8],
    loads: &[&ProgramHeader],
    shdrs: &[SectionHeader],
    strtab_addr: Option<u64>,
    strsz: Option<u64>,
    anomalies: &mut Vec<Anomaly>,
) -> Option<&'a [u8]> {
    if let Some(addr) = strtab_addr {
        if let Some(off) = vm_to_offset(loads, addr) {
            let len = strsz.unwrap_or(u64::MAX);
            if let Some((table, cut)) = clamped(data, off, len) {
                if cut && strsz.is_some() {
                    anomalies.push(malformed(format!(
                        "DT_STRTAB at {off:#x} with DT_STRSZ {len:#x} runs past the end of the file"
                    )));
                }
                return Some(table);
            }
        }
        anomalies.push(malformed(format!(
            "DT_STRTAB {addr:#x} is not in any loadable segment's file bytes"
        )));
    }
    let linked = shdrs
        .iter()
        .find(|s| s.sh_type == SHT_DYNAMIC)
        .and_then(|s| shdrs.get(usize::try_from(s.sh_link).ok()?))
        .filter(|s| s.sh_type == SHT_STRTAB)?;
    clamped(data, linked.sh_offset, linked.sh_size).map(|(t, _)| t)
}

/// The NUL-terminated name at `off` of `table`, lossily decoded and cut at
/// [`MAX_NAME_LEN`] bytes.
fn name_at(
    table: Option<&[u8]>,
    off: u64,
    what: &str,
    anomalies: &mut Vec<Anomaly>,
) -> Option<String> {
    let bytes = table
        .and_then(|t| t.get(usize::try_from(off).ok()?..))
        .filter(|b| !b.is_empty());
    let Some(bytes) = bytes else {
        anomalies.push(malformed(format!(
            "{what} name offset {off:#x} is outside the dynamic string table"
        )));
        return None;
    };
    let end = bytes
        .iter()
        .take(MAX_NAME_LEN)
        .position(|&b| b == 0)
        .unwrap_or(bytes.len().min(MAX_NAME_LEN));
    if end == MAX_NAME_LEN {
        anomalies.push(malformed(format!(
            "{what} name at {off:#x} is longer than {MAX_NAME_LEN} bytes; cut"
        )));
    }
    let name = bytes.get(..end).unwrap_or_default();
    Some(String::from_utf8_lossy(name).into_owned())
}

/// Offset, entry count and linked string table of the `SHT_DYNSYM`
/// section, clamped to the file.
fn dynsym_section<'a>(
    data: &'a [u8],
    shdrs: &[SectionHeader],
    layout: Layout,
    anomalies: &mut Vec<Anomaly>,
) -> Option<(u64, usize, Option<&'a [u8]>)> {
    let s = shdrs.iter().find(|s| s.sh_type == SHT_DYNSYM)?;
    let (bytes, cut) = clamped(data, s.sh_offset, s.sh_size)?;
    if cut {
        anomalies.push(malformed(format!(
            ".dynsym ({:#x} bytes at {:#x}) runs past the end of the file",
            s.sh_size, s.sh_offset
        )));
    }
    let count = bytes.len() / layout.symsize();
    let strs = shdrs
        .get(usize::try_from(s.sh_link).ok()?)
        .filter(|l| l.sh_type == SHT_STRTAB)
        .and_then(|l| clamped(data, l.sh_offset, l.sh_size))
        .map(|(t, _)| t);
    Some((s.sh_offset, count, strs))
}

/// Number of dynamic symbols without a `.dynsym` section: from the
/// `DT_GNU_HASH` table, else `nchain` of the `DT_HASH` table, else 0.
fn dt_symbol_count(data: &[u8], gnu: Option<u64>, sysv: Option<u64>, layout: Layout) -> usize {
    gnu.and_then(|h| gnu_hash_count(data, h, layout))
        .or_else(|| {
            let at = usize::try_from(sysv?).ok()?.checked_add(4)?;
            layout.u32_at(data, at).map(|n| n as usize)
        })
        .unwrap_or(0)
}

/// Number of dynamic symbols a `DT_GNU_HASH` table at file offset `off`
/// covers: one past the last symbol of the longest-reaching chain.
fn gnu_hash_count(data: &[u8], off: u64, layout: Layout) -> Option<usize> {
    let off = usize::try_from(off).ok()?;
    let nbuckets = layout.u32_at(data, off)? as usize;
    let symoffset = layout.u32_at(data, off.checked_add(4)?)? as usize;
    let bloom_size = layout.u32_at(data, off.checked_add(8)?)? as usize;
    let word = if layout.is64 { 8 } else { 4 };
    let buckets = off
        .checked_add(16)?
        .checked_add(bloom_size.checked_mul(word)?)?;
    // Every bucket must be in the file; this bounds the loop by the file size.
    Reader::new(data)
        .bytes_at(buckets, nbuckets.checked_mul(4)?)
        .ok()?;
    let mut last = 0usize;
    for i in 0..nbuckets {
        let b = layout.u32_at(data, buckets.checked_add(i.checked_mul(4)?)?)? as usize;
        last = last.max(b);
    }
    if last < symoffset {
        return Some(symoffset);
    }
    let chains = buckets.checked_add(nbuckets.checked_mul(4)?)?;
    let mut i = last;
    loop {
        let at = chains.checked_add(i.checked_sub(symoffset)?.checked_mul(4)?)?;
        let hash = layout.u32_at(data, at)?;
        i = i.checked_add(1)?;
        if hash & 1 != 0 {
            return Some(i);
        }
    }
}

/// Counts exported `Java_*` symbols and looks for `JNI_OnLoad` among
/// `count` symbols at `off` (clamped to the file), names from `strs`.
fn count_jni(
    data: &[u8],
    off: u64,
    count: usize,
    layout: Layout,
    strs: &[u8],
    facts: &mut ElfFacts,
) -> Result<(), String> {
    let Ok(start) = usize::try_from(off) else {
        return Ok(());
    };
    let avail = data.len().saturating_sub(start) / layout.symsize();
    let count = count.min(avail);
    if count == 0 {
        return Ok(());
    }
    let table = Symtab::parse(data, start, count, layout.ctx())
        .map_err(|e| format!("dynamic symbols: {e}"))?;
    for sym in table.iter() {
        if !exported(&sym) {
            continue;
        }
        let Some(name) = strs.get(sym.st_name..) else {
            continue;
        };
        if name.starts_with(b"Java_") {
            facts.jni_exports += 1;
        } else if name.starts_with(b"JNI_OnLoad\0") {
            facts.jni_onload = true;
        }
    }
    Ok(())
}

/// What bionic's `dlsym` can find: global or weak, and defined.
fn exported(sym: &Sym) -> bool {
    let bind = sym.st_bind();
    (bind == STB_GLOBAL || bind == STB_WEAK) && sym.st_shndx != SHN_UNDEF
}

/// The first GNU build id in a `PT_NOTE` segment, else in a `SHT_NOTE` section.
fn build_id(
    data: &[u8],
    phdrs: &[ProgramHeader],
    shdrs: &[SectionHeader],
    layout: Layout,
    anomalies: &mut Vec<Anomaly>,
) -> Option<String> {
    let segments = phdrs
        .iter()
        .filter(|p| p.p_type == PT_NOTE)
        .map(|p| (p.p_offset, p.p_filesz, p.p_align));
    let sections = shdrs
        .iter()
        .filter(|s| s.sh_type == SHT_NOTE)
        .map(|s| (s.sh_offset, s.sh_size, s.sh_addralign));
    for (off, size, align) in segments.chain(sections) {
        let Some((region, _)) = clamped(data, off, size) else {
            continue;
        };
        if let Some(id) = gnu_build_id(region, align, layout, anomalies) {
            return Some(id);
        }
    }
    None
}

/// Walks the notes of one note region the way binutils does (name and
/// descriptor padded to 8 when the region is 8-aligned, else 4).
fn gnu_build_id(
    region: &[u8],
    align: u64,
    layout: Layout,
    anomalies: &mut Vec<Anomaly>,
) -> Option<String> {
    let pad = |n: usize| -> Option<usize> {
        let a = if align == 8 { 8 } else { 4 };
        n.checked_add(a - 1).map(|v| v & !(a - 1))
    };
    let r = Reader::new(region);
    let mut pos = 0usize;
    while pos.checked_add(12)? <= region.len() {
        let namesz = layout.u32_at(region, pos)? as usize;
        let descsz = layout.u32_at(region, pos.checked_add(4)?)? as usize;
        let ntype = layout.u32_at(region, pos.checked_add(8)?)?;
        let name_at = pos.checked_add(12)?;
        let desc_at = name_at.checked_add(pad(namesz)?)?;
        let next = desc_at.checked_add(pad(descsz)?)?;
        let name = r.bytes_at(name_at, namesz).ok()?;
        let desc = r.bytes_at(desc_at, descsz).ok()?;
        if ntype == NT_GNU_BUILD_ID && name == b"GNU\0" {
            if desc.len() > MAX_BUILD_ID_LEN {
                anomalies.push(malformed(format!(
                    "GNU build id of {} bytes (more than {MAX_BUILD_ID_LEN}) ignored",
                    desc.len()
                )));
                return None;
            }
            return Some(hex(desc));
        }
        pos = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installer_places() {
        assert_eq!(installed_abi("lib/arm64-v8a/libx.so"), Some("arm64-v8a"));
        assert_eq!(installed_abi("lib/weird/libx.so"), Some("weird"));
        assert_eq!(installed_abi("lib/arm64-v8a/sub/libx.so"), None);
        assert_eq!(installed_abi("lib/libx.so"), None);
        assert_eq!(installed_abi("assets/libx.so"), None);
        assert_eq!(installed_abi("lib//libx.so"), None);

        let (lib, an) = unread_lib("runtime/lib/x86/libglide.so", 3);
        assert!(lib.hidden);
        assert_eq!(lib.abi.as_deref(), Some("x86"));
        assert_eq!(lib.name, "libglide.so");
        assert_eq!(an.len(), 1);
        assert_eq!(an[0].code, "native_lib_outside_lib_dir");

        let (lib, an) = unread_lib("lib/arm64/libx.so", 3);
        assert!(!lib.hidden);
        assert_eq!(lib.abi.as_deref(), Some("arm64"));
        assert_eq!(an[0].code, "native_unknown_abi");
    }

    fn codes(an: &[Anomaly]) -> Vec<&'static str> {
        an.iter().map(|a| a.code).collect()
    }

    #[test]
    fn not_elf_still_gets_identity() {
        let (lib, an) = analyse_lib("assets/libjiagu.so", b"PK\x03\x04rest");
        assert_eq!(lib.size, 8);
        assert_eq!(lib.sha256.len(), 64);
        assert_eq!(lib.elf_class, None);
        assert_eq!(codes(&an), ["native_lib_outside_lib_dir", "native_not_elf"]);
        assert!(an[1].detail.contains("zip"), "{}", an[1].detail);
        let (_, an) = analyse_lib("lib/x86/a.so", b"");
        assert_eq!(codes(&an), ["native_not_elf"]);
    }

    /// A minimal 64-bit little-endian AArch64 ET_DYN header with no tables.
    fn header64() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[6] = 1;
        h[16..18].copy_from_slice(&3u16.to_le_bytes());
        h[18..20].copy_from_slice(&183u16.to_le_bytes());
        h[52..54].copy_from_slice(&64u16.to_le_bytes());
        h[54..56].copy_from_slice(&56u16.to_le_bytes());
        h[58..60].copy_from_slice(&64u16.to_le_bytes());
        h
    }

    #[test]
    fn hostile_header_counts_are_refused_before_goblin() {
        // e_phnum 0xffff at an offset near the end: would read past the end.
        let mut h = header64();
        h[32..40].copy_from_slice(&40u64.to_le_bytes());
        h[56..58].copy_from_slice(&0xffffu16.to_le_bytes());
        let (lib, an) = analyse_lib("lib/arm64-v8a/libx.so", &h);
        assert_eq!(lib.elf_class, Some(64));
        assert_eq!(lib.machine.as_deref(), Some("AArch64"));
        assert_eq!(lib.abi_matches, Some(true));
        assert_eq!(codes(&an), ["native_malformed_elf"]);
        assert!(an[0].detail.contains("program header table"), "{an:?}");

        // A huge e_shoff: section headers are ignored, not fatal.
        let mut h = header64();
        h[32..40].copy_from_slice(&64u64.to_le_bytes());
        h[56..58].copy_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&[0u8; 56]); // one PT_NULL header
        h[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
        h[60..62].copy_from_slice(&7u16.to_le_bytes());
        let (_, an) = analyse_lib("lib/arm64-v8a/libx.so", &h);
        assert_eq!(
            codes(&an),
            ["native_bad_section_headers", "native_no_dynamic_section"]
        );
    }

    #[test]
    fn abi_mismatch_is_reported() {
        let mut h = header64();
        h[18..20].copy_from_slice(&62u16.to_le_bytes());
        let (lib, an) = analyse_lib("lib/x86/libx.so", &h);
        assert_eq!(lib.machine.as_deref(), Some("x86-64"));
        assert_eq!(lib.abi_matches, Some(false));
        assert!(codes(&an).contains(&"native_abi_mismatch"), "{an:?}");
        assert!(an.iter().all(|a| a.detail.starts_with("lib/x86/libx.so: ")));
    }

    #[test]
    fn unknown_class_and_truncation() {
        let mut h = header64();
        h[4] = 9;
        let (lib, an) = analyse_lib("lib/x86/libx.so", &h);
        assert_eq!(lib.elf_class, None);
        assert_eq!(codes(&an), ["native_malformed_elf"]);
        let h = header64();
        let (lib, an) = analyse_lib("lib/x86/libx.so", &h[..30]);
        assert_eq!(lib.elf_class, Some(64));
        assert!(an[0].detail.contains("truncated"), "{an:?}");
    }

    #[test]
    fn machine_names() {
        assert_eq!(machine_name(183), "AArch64");
        assert_eq!(machine_name(40), "ARM");
        assert_eq!(machine_name(3), "x86");
        assert_eq!(machine_name(62), "x86-64");
        assert_eq!(machine_name(243), "RISC-V");
        assert_eq!(machine_name(8), "MIPS");
        assert_eq!(machine_name(2), "SPARC");
        assert_eq!(machine_name(0x7fff), "EM_32767");
    }
}

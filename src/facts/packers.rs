//! Packers and protectors: commercial "app hardening" that wraps an app.
//!
//! A **packer** (加固: 360 Jiagu, Tencent Legu, Bangcle/SecNeo, iJiami,
//! Baidu, Alibaba, NetEase Yidun, ...) encrypts the app's DEX and ships a
//! small loader in its place: the manifest names the packer's stub
//! `Application`, the top-level `classes.dex` holds little more than that
//! stub, and a native library decrypts and loads the real code at run
//! time. When code is packed, every code fact fingertip computes
//! (capabilities, endpoints in code, obfuscation, fingerprints) describes
//! the stub, not the app: [`Packing::packed`] and [`Packing::note`] say so,
//! and later stages must not mistake the stub for the app's code.
//!
//! A **protector** (DexGuard, ...) hardens the code in place: names are
//! obfuscated, strings may be encrypted, but the code is there.
//!
//! # The table ([`PACKERS`])
//!
//! One row per product, each with *strong* signatures (any one suffices)
//! and *weak* ones (two different ones are needed): a library name such as
//! `libexec.so` or `libshell.so` is too generic to convict on its own.
//! Signatures ([`Sig`]):
//!
//! * `Lib`: a `.so` file name anywhere in the APK (`lib/<abi>/` or hidden in
//!   `assets/`), exact or with one leading or trailing `*`;
//! * `Entry`: a zip entry path, exact, or with a leading `*` (suffix), a
//!   trailing `*` (prefix) or both (substring);
//! * `Class`: a class name, matched against the manifest's application class
//!   and the classes defined in the DEX files;
//! * `Package`: a Java package prefix (trailing `.`), matched against the
//!   classes defined in the DEX files.
//!
//! The reference is APKiD (github.com/rednaga/APKiD, `apkid/rules/apk/packers.yara`,
//! `apk/protectors.yara`, `dex/packers.yara`, `dex/obfuscators.yara`); rows
//! say which rule they follow. APKiD's YARA rules search the raw APK bytes
//! for these names, so they match entry names; fingertip matches the parsed
//! entries and classes instead. Stub class names APKiD does not list come
//! from public unpacking write-ups and are marked so. Byte-pattern rules
//! (bytecode sequences, UPX stubs) are not reproduced.
//!
//! `libsgmain.so` is *not* a packer signature: it is Alibaba's SecurityGuard
//! SDK (row `alibaba_securityguard` of the SDK table), which many unpacked
//! apps carry.
//!
//! # DexGuard
//!
//! DexGuard's renaming has a recognisable shape, which APKiD's
//! `dexguard_b` and `dexguard_d` rules describe: classes moved into the
//! package `o` (or the root) and named `aux`, `con` (reserved Windows file
//! names), `X$if`, or one to four non-ASCII characters (`o.ʶ$ˋ`). Two of
//! those shapes in `o`, or three at the root, count as DexGuard, as does the
//! runtime package `com.guardsquare.dexguard.runtime.` or the class
//! `dexguard.util.TamperDetection`.
//!
//! # Unidentified packers
//!
//! When no row matches but the manifest's application class is defined in
//! the DEX while at least half (and at least two) of the declared
//! components have no class in any DEX, the app is reported as packed by an
//! `unknown_packer`: that is what a packer leaves behind. (A DEX that
//! holds none of the declared classes *including* the application class is
//! more likely a split APK and is not flagged.)

use super::{AppInput, Detection, Evidence};
use crate::dex::descriptor_to_java;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// Most evidence items kept per detection.
const MAX_EVIDENCE: usize = 12;

/// One signature of a packer (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// A `.so` file name, exact or with one leading or trailing `*`.
    Lib(&'static str),
    /// A zip entry path: exact, `prefix*`, `*suffix` or `*substring*`.
    Entry(&'static str),
    /// A class name (application class or a class in the DEX).
    Class(&'static str),
    /// A Java package prefix with a trailing dot (classes in the DEX).
    Package(&'static str),
}

/// What a product does to the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackerKind {
    /// The real DEX is encrypted or hidden; the visible DEX is a loader stub.
    Packer,
    /// The code is present but hardened (obfuscated, strings encrypted).
    Protector,
}

/// One row of the packer table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackerDef {
    /// Stable snake_case id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Packer or protector.
    pub kind: PackerKind,
    /// Any one of these is enough.
    pub strong: &'static [Sig],
    /// Two different ones of these are needed.
    pub weak: &'static [Sig],
    /// Where the signatures come from.
    pub source: &'static str,
}

use Sig::{Class, Entry, Lib, Package};

/// The table, sorted by id.
pub static PACKERS: &[PackerDef] = &[
    PackerDef {
        id: "alibaba",
        name: "Alibaba Mobile Security (阿里聚安全加固)",
        kind: PackerKind::Packer,
        strong: &[
            Lib("libmobisec.so"),
            Class("com.ali.mobisecenhance.StubApplication"),
            Package("com.ali.mobisecenhance."),
        ],
        weak: &[Lib("libdemolish.so"), Lib("libdemolishdata.so")],
        source: "APKiD apk/packers.yara `alibaba` (libmobisec.so); stub class and \
                 libdemolish*.so from public unpacking write-ups",
    },
    PackerDef {
        id: "apkprotect",
        name: "APKProtect",
        kind: PackerKind::Packer,
        strong: &[Lib("libAPKProtect.so"), Entry("apkprotect.com/*")],
        weak: &[
            Lib("libapkprotect.so"),
            Entry("assets/apkprotect.bin"),
            Entry("assets/apkprotect/classes.dex.bin"),
            Entry("*apkprotect-build.properties"),
        ],
        source: "APKiD apk/packers.yara `apkprotect`, `apkprotect_a`",
    },
    PackerDef {
        id: "appguard",
        name: "AppGuard (NHN / nProtect)",
        kind: PackerKind::Packer,
        strong: &[],
        weak: &[
            Entry("assets/appguard/*"),
            Entry("assets/classes.sox"),
            Entry("assets/AppGuard0.jar"),
            Entry("assets/AppGuard.dgc"),
            Lib("libAppGuard.so"),
            Lib("libAppGuard-x86.so"),
        ],
        source: "APKiD apk/packers.yara `appguard`, `appguard_a`",
    },
    PackerDef {
        id: "appsealing",
        name: "AppSealing",
        kind: PackerKind::Packer,
        strong: &[Package("com.inka.appsealing.")],
        weak: &[
            Lib("libcovault.so"),
            Lib("libcovault-appsec.so"),
            Entry("*appsealing.dex"),
            Entry("*sealed1.dex"),
        ],
        source: "APKiD apk/packers.yara `appsealing`; dex/packers.yara \
                 `appsealing_loader_1_2_2` (Lcom/inka/appsealing/AppSealingApplication;)",
    },
    PackerDef {
        id: "baidu",
        name: "Baidu App Protect (百度加固)",
        kind: PackerKind::Packer,
        strong: &[
            Lib("libbaiduprotect*"),
            Entry("*baiduprotect1.jar"),
            Class("com.baidu.protect.StubApplication"),
            Package("com.baidu.protect."),
        ],
        weak: &[Entry("assets/baiduprotect.jar")],
        source: "APKiD apk/packers.yara `baidu` (libbaiduprotect.so, baiduprotect1.jar); \
                 stub class from public unpacking write-ups",
    },
    PackerDef {
        id: "bangcle",
        name: "Bangcle (梆梆加固)",
        kind: PackerKind::Packer,
        strong: &[
            Lib("libsecexe*"),
            Lib("libsecmain*"),
            Entry("assets/bangcleplugin/*"),
            Entry("*bangcleclasses.jar"),
            Entry("*bangcle_classes.jar"),
            Class("com.secapk.wrapper.ApplicationWrapper"),
            Package("com.secapk.wrapper."),
        ],
        weak: &[
            Entry("assets/secData0.jar"),
            Lib("libSecShell.so"),
            Lib("libSecShell-x86.so"),
            Lib("libsecpreload.so"),
        ],
        source: "APKiD apk/packers.yara `bangcle`, `bangcle_secshell`; stub class \
                 com.secapk.wrapper.ApplicationWrapper from public unpacking write-ups",
    },
    PackerDef {
        id: "dexguard",
        name: "DexGuard (Guardsquare)",
        kind: PackerKind::Protector,
        strong: &[
            Package("com.guardsquare.dexguard.runtime."),
            Class("dexguard.util.TamperDetection"),
        ],
        weak: &[],
        source: "APKiD dex/obfuscators.yara `dexguard_b`, `dexguard_c`, `dexguard_d` \
                 (class-name shapes: see the module docs)",
    },
    PackerDef {
        id: "dexprotector",
        name: "DexProtector (Licel)",
        kind: PackerKind::Packer,
        strong: &[],
        weak: &[
            Entry("assets/dp.mp3"),
            Entry("assets/dp.arm.so.dat"),
            Entry("assets/dp.arm-v7.so.dat"),
            Entry("assets/dp.arm-v8.so.dat"),
            Entry("assets/dp.x86.so.dat"),
            Entry("assets/dp.x86_64.so.dat"),
            Entry("assets/classes.dex.dat"),
            Entry("assets/dp.arm-v7.art.l.so"),
            Entry("assets/dp.arm.art.l.so"),
            Entry("assets/dp.x86.art.l.so"),
        ],
        source: "APKiD apk/packers.yara `dexprotector`, `dexprotector_a`",
    },
    PackerDef {
        id: "dxshield",
        name: "DxShield (NSHC)",
        kind: PackerKind::Packer,
        strong: &[],
        weak: &[Lib("libdxbase.so"), Entry("assets/DXINFO.XML")],
        source: "APKiD apk/packers.yara `dxshield`",
    },
    PackerDef {
        id: "ijiami",
        name: "iJiami (爱加密)",
        kind: PackerKind::Packer,
        strong: &[
            Entry("assets/ijiami.dat"),
            Entry("*ijiami.ajm"),
            Entry("assets/ijm_lib/*"),
            Class("com.shell.SuperApplication"),
            Class("s.h.e.l.l.S"),
            Package("s.h.e.l.l."),
        ],
        weak: &[Lib("libexec.so"), Lib("libexecmain.so")],
        source: "APKiD apk/packers.yara `ijiami`; stub classes s.h.e.l.l.S and \
                 com.shell.SuperApplication and libexec*.so from public unpacking write-ups",
    },
    PackerDef {
        id: "jiagu_apktoolplus",
        name: "Jiagu (ApkToolPlus)",
        kind: PackerKind::Packer,
        strong: &[Lib("libapktoolplus_jiagu.so")],
        weak: &[Entry("assets/jiagu_data.bin"), Entry("assets/sign.bin")],
        source: "APKiD apk/packers.yara `jiagu_a`",
    },
    PackerDef {
        id: "kiro",
        name: "Kiro",
        kind: PackerKind::Packer,
        strong: &[],
        weak: &[Lib("libkiroro.so"), Entry("assets/sbox")],
        source: "APKiD apk/packers.yara `kiro`",
    },
    PackerDef {
        id: "kiwisec",
        name: "Kiwisec (几维安全)",
        kind: PackerKind::Packer,
        strong: &[Lib("libkwscmm.so"), Lib("libkwslinker.so")],
        weak: &[Lib("libkwscr.so")],
        source: "not in APKiD; library names from public unpacking write-ups",
    },
    PackerDef {
        id: "liapp",
        name: "LIAPP (Lockin)",
        kind: PackerKind::Packer,
        strong: &[Entry("*/LIAPPEgg*"), Entry("*LIAPPClient.sc")],
        weak: &[],
        source: "APKiD apk/packers.yara `liapp`",
    },
    PackerDef {
        id: "medusah",
        name: "Medusah (SEWORKS)",
        kind: PackerKind::Packer,
        strong: &[Package("com.seworks.medusah.")],
        weak: &[Lib("libmd.so"), Entry("assets/high_resolution.png")],
        source:
            "APKiD apk/packers.yara `medusah`, `medusah_appsolid`; dex/packers.yara `medusah_dex`",
    },
    PackerDef {
        id: "naga",
        name: "Naga (娜迦)",
        kind: PackerKind::Packer,
        strong: &[Lib("libddog.so")],
        weak: &[Lib("libfdog.so"), Lib("libchaosvmp.so")],
        source: "APKiD apk/packers.yara `naga` (libddog.so); libfdog.so and libchaosvmp.so \
                 from public unpacking write-ups",
    },
    PackerDef {
        id: "netease_yidun",
        name: "NetEase Yidun (网易易盾加固)",
        kind: PackerKind::Packer,
        strong: &[Lib("libnesec.so"), Package("com.netease.nis.wrapper.")],
        weak: &[],
        source: "APKiD apk/packers.yara `yidun` (libnesec.so, Lcom/netease/nis/wrapper/Entry)",
    },
    PackerDef {
        id: "nqshield",
        name: "NQ Shield",
        kind: PackerKind::Packer,
        strong: &[Lib("libnqshield.so")],
        weak: &[],
        source: "APKiD apk/packers.yara `nqshield`",
    },
    PackerDef {
        id: "nsafer",
        name: "App Fortify (NSafer)",
        kind: PackerKind::Packer,
        strong: &[Lib("libNSaferOnly.so")],
        weak: &[],
        source: "APKiD apk/packers.yara `app_fortify`",
    },
    PackerDef {
        id: "pangxie",
        name: "PangXie (螃蟹)",
        kind: PackerKind::Packer,
        strong: &[
            Lib("libnsecure.so"),
            Class("com.merry.wapper.WapperApplication"),
        ],
        weak: &[],
        source: "APKiD apk/packers.yara `pangxie`; dex/packers.yara `pangxie_dex`",
    },
    PackerDef {
        id: "qihoo_jiagu",
        name: "360 Jiagu (360加固)",
        kind: PackerKind::Packer,
        strong: &[
            Lib("libjiagu*"),
            Lib("libprotectClass*"),
            Class("com.stub.StubApp"),
            Class("com.qihoo.util.StubApplication"),
        ],
        weak: &[Entry("assets/.appkey"), Lib("libjgdtc*")],
        source: "APKiD apk/packers.yara `jiagu` (libjiagu.so, libjiagu_art.so) and `qihoo360` \
                 (libprotectClass.so); stub classes com.stub.StubApp and \
                 com.qihoo.util.StubApplication, libjiagu_a64/_x86/_x64.so, .appkey from public \
                 unpacking write-ups",
    },
    PackerDef {
        id: "secenh",
        name: "Secenh",
        kind: PackerKind::Packer,
        strong: &[Lib("libsecenh*")],
        weak: &[Entry("assets/respatcher.jar"), Entry("assets/res.zip")],
        source: "APKiD apk/packers.yara `secenh`",
    },
    PackerDef {
        id: "secneo",
        name: "SecNeo / Bangcle DexHelper (梆梆企业版)",
        kind: PackerKind::Packer,
        strong: &[
            Lib("libDexHelper.so"),
            Lib("libDexHelper-x86.so"),
            Class("com.secneo.apkwrapper.ApplicationWrapper"),
            Package("com.secneo.apkwrapper."),
        ],
        weak: &[Entry("assets/classes0.jar"), Lib("libdexjni*")],
        source: "APKiD apk/packers.yara `secneo_a`, `secneo_b`; stub package \
                 com.secneo.apkwrapper from public unpacking write-ups",
    },
    PackerDef {
        id: "tencent_legu",
        name: "Tencent Legu (腾讯乐固) / Mobile Tencent Protect",
        kind: PackerKind::Packer,
        strong: &[
            Class("com.tencent.StubShell.TxAppEntry"),
            Package("com.tencent.StubShell."),
            Lib("libshella*"),
            Lib("libshellx*"),
            Lib("libmobisecy.so"),
            Entry("assets/0OO00l111l1l"),
            Entry("assets/0OO00oo01l1l"),
            Entry("assets/o0oooOO0ooOo.dat"),
        ],
        weak: &[
            Lib("libshell.so"),
            Lib("libtup.so"),
            Lib("liblegudb.so"),
            Lib("libBugly-yaq.so"),
            Entry("assets/toversion"),
            Entry("assets/tosversion"),
            Entry("*/mix.dex"),
        ],
        source: "APKiD apk/packers.yara `tencent`, `tencent_legu`; dex/packers.yara `tencent` \
                 (Lcom/tencent/StubShell/TxAppEntry;, libshella.so); libshellx, libtup, \
                 liblegudb, libBugly-yaq from public unpacking write-ups",
    },
    PackerDef {
        id: "virbox",
        name: "Virbox Protector",
        kind: PackerKind::Protector,
        strong: &[],
        weak: &[
            Lib("libsandhook.so"),
            Lib("libsandhook-native.so"),
            Lib("libv++.so"),
            Lib("libv++_64.so"),
        ],
        source: "APKiD apk/protectors.yara `virbox_apk`",
    },
];

/// Whether and how an app is packed or protected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Packing {
    /// Packers found (the visible DEX is their stub), sorted by id.
    pub packers: Vec<Detection>,
    /// Protectors found (the code is present but hardened), sorted by id.
    pub protectors: Vec<Detection>,
    /// True when a packer was found: code facts describe its stub.
    pub packed: bool,
    /// Components declared in the manifest (and the application class).
    pub components_declared: usize,
    /// Of those, how many have no class in any DEX.
    pub components_without_class: usize,
    /// One sentence for the report, when there is something to say.
    pub note: Option<String>,
}

/// Detects packers and protectors.
pub fn detect(input: &AppInput) -> Packing {
    let facts = Facts::of(input);
    let mut packers = Vec::new();
    let mut protectors = Vec::new();
    for def in PACKERS {
        let mut strong: BTreeSet<Evidence> = BTreeSet::new();
        for sig in def.strong {
            strong.extend(facts.matches(*sig));
        }
        let mut weak: BTreeSet<Evidence> = BTreeSet::new();
        let mut weak_sigs = 0;
        for sig in def.weak {
            let hits = facts.matches(*sig);
            if !hits.is_empty() {
                weak_sigs += 1;
                weak.extend(hits);
            }
        }
        if def.id == "dexguard" {
            strong.extend(dexguard_shapes(input));
        }
        if strong.is_empty() && weak_sigs < 2 {
            continue;
        }
        let evidence: Vec<Evidence> = strong.into_iter().chain(weak).take(MAX_EVIDENCE).collect();
        let d = Detection {
            id: def.id,
            name: def.name,
            evidence,
        };
        match def.kind {
            PackerKind::Packer => packers.push(d),
            PackerKind::Protector => protectors.push(d),
        }
    }
    let (declared, missing) = facts.component_coverage(input);
    if packers.is_empty() {
        if let Some(d) = unknown_packer(input, &facts, declared, missing) {
            packers.push(d);
        }
    }
    let note = note(&packers, &protectors, declared, missing);
    Packing {
        packed: !packers.is_empty(),
        packers,
        protectors,
        components_declared: declared,
        components_without_class: missing,
        note,
    }
}

/// What the signatures are matched against.
struct Facts<'a> {
    /// `(file name, path)` of every `.so` (native report and zip entries).
    libs: BTreeSet<(String, String)>,
    entries: &'a [String],
    /// Java names of the classes defined in the DEX files.
    classes: HashSet<String>,
    app_class: Option<&'a str>,
}

impl<'a> Facts<'a> {
    fn of(input: &'a AppInput) -> Self {
        let mut libs = BTreeSet::new();
        for l in &input.native.libs {
            libs.insert((l.name.clone(), l.path.clone()));
        }
        for e in input.entries {
            if e.ends_with(".so") {
                let name = e.rsplit('/').next().unwrap_or(e);
                libs.insert((name.to_string(), e.clone()));
            }
        }
        let classes = input
            .dex
            .iter()
            .flat_map(|d| d.dex.classes())
            .filter(|c| !c.descriptor.is_empty())
            .map(|c| descriptor_to_java(&c.descriptor))
            .collect();
        Facts {
            libs,
            entries: input.entries,
            classes,
            app_class: input.manifest.application.name.as_deref(),
        }
    }

    fn matches(&self, sig: Sig) -> Vec<Evidence> {
        match sig {
            Sig::Lib(p) => self
                .libs
                .iter()
                .filter(|(name, _)| glob(p, name))
                .map(|(_, path)| Evidence::new("native_lib", path.clone()))
                .collect(),
            Sig::Entry(p) => self
                .entries
                .iter()
                .filter(|e| glob(p, e))
                .map(|e| Evidence::new("asset", e.clone()))
                .collect(),
            Sig::Class(c) => {
                let mut out = Vec::new();
                if self.app_class == Some(c) {
                    out.push(Evidence::new("manifest", format!("application {c}")));
                }
                if self.classes.contains(c) {
                    out.push(Evidence::new("class", c));
                }
                out
            }
            Sig::Package(p) => {
                let n = self.classes.iter().filter(|c| c.starts_with(p)).count();
                if n == 0 {
                    Vec::new()
                } else {
                    let s = if n == 1 { "" } else { "es" };
                    vec![Evidence::new("package", format!("{p} ({n} class{s})"))]
                }
            }
        }
    }

    /// `(declared, without class)` over the application class and every
    /// activity, service, receiver and provider (aliases have no class).
    fn component_coverage(&self, input: &AppInput) -> (usize, usize) {
        let m = input.manifest;
        let names = m
            .application
            .name
            .iter()
            .chain(m.activities.iter().map(|c| &c.name))
            .chain(m.services.iter().map(|c| &c.name))
            .chain(m.receivers.iter().map(|c| &c.name))
            .chain(m.providers.iter().map(|c| &c.name));
        let mut declared = 0;
        let mut missing = 0;
        let mut seen = HashSet::new();
        for n in names {
            if !seen.insert(n) {
                continue;
            }
            declared += 1;
            if !self.classes.contains(n) {
                missing += 1;
            }
        }
        (declared, missing)
    }
}

/// `x`, `x*`, `*x` or `*x*`.
fn glob(pattern: &str, s: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), Some(_)) => rest.strip_suffix('*').is_some_and(|mid| s.contains(mid)),
        (Some(suffix), None) => s.ends_with(suffix),
        (None, Some(prefix)) => s.starts_with(prefix),
        (None, None) => s == pattern,
    }
}

/// DexGuard's class-name shapes (APKiD `dexguard_b`, `dexguard_d`).
fn dexguard_shapes(input: &AppInput) -> Vec<Evidence> {
    // Shapes seen in package `o` and at the root: aux, con, $if, unicode.
    let mut in_o: [Vec<String>; 4] = Default::default();
    let mut at_root: [Vec<String>; 4] = Default::default();
    for class in input.dex.iter().flat_map(|d| d.dex.classes()) {
        let Some(inner) = class
            .descriptor
            .strip_prefix('L')
            .and_then(|d| d.strip_suffix(';'))
        else {
            continue;
        };
        let (bucket, name) = match inner.strip_prefix("o/") {
            Some(n) if !n.contains('/') => (&mut in_o, n),
            _ if !inner.contains('/') => (&mut at_root, inner),
            _ => continue,
        };
        if let Some(shape) = dexguard_shape(name) {
            if let Some(list) = bucket.get_mut(shape) {
                list.push(descriptor_to_java(&class.descriptor));
            }
        }
    }
    let found_o = in_o.iter().filter(|v| !v.is_empty()).count();
    let found_root = at_root.iter().filter(|v| !v.is_empty()).count();
    let (shapes, place) = if found_o >= 2 {
        (in_o, "package `o`")
    } else if found_root >= 3 {
        (at_root, "the root package")
    } else {
        return Vec::new();
    };
    let total: usize = shapes.iter().map(Vec::len).sum();
    let mut examples: Vec<String> = shapes
        .iter()
        .filter_map(|v| v.iter().min().cloned())
        .collect();
    examples.sort();
    vec![Evidence::new(
        "class",
        format!(
            "DexGuard-style names in {place}: {total} classes like {}",
            examples.join(", ")
        ),
    )]
}

/// Which DexGuard shape a simple class name (`aux`, `ʶ$if`) has: 0 aux,
/// 1 con, 2 `X$if`, 3 `X$<non-ASCII>`.
fn dexguard_shape(name: &str) -> Option<usize> {
    if name.eq_ignore_ascii_case("aux") {
        return Some(0);
    }
    if name.eq_ignore_ascii_case("con") {
        return Some(1);
    }
    let (outer, inner) = name.split_once('$')?;
    let outer_len = outer.chars().count();
    if !(1..=4).contains(&outer_len) {
        return None;
    }
    if inner.eq_ignore_ascii_case("if") {
        return Some(2);
    }
    let n = inner.chars().count();
    if (1..=4).contains(&n) && inner.chars().all(|c| !c.is_ascii()) {
        return Some(3);
    }
    None
}

fn unknown_packer(
    input: &AppInput,
    facts: &Facts,
    declared: usize,
    missing: usize,
) -> Option<Detection> {
    let app = input.manifest.application.name.as_deref()?;
    if !facts.classes.contains(app) || missing < 2 || missing * 2 < declared {
        return None;
    }
    Some(Detection {
        id: "unknown_packer",
        name: "Unidentified packer",
        evidence: vec![
            Evidence::new(
                "manifest",
                format!("{missing} of {declared} declared components have no class in the DEX"),
            ),
            Evidence::new("manifest", format!("application {app}")),
        ],
    })
}

fn names(ds: &[Detection]) -> String {
    let v: Vec<&str> = ds.iter().map(|d| d.name).collect();
    v.join(" and ")
}

fn note(
    packers: &[Detection],
    protectors: &[Detection],
    declared: usize,
    missing: usize,
) -> Option<String> {
    let mut parts = Vec::new();
    if !packers.is_empty() {
        let mut s = format!(
            "code is packed by {}: the DEX holds only the loader stub; code facts describe \
             the stub, not the app",
            names(packers)
        );
        if missing > 0 {
            s.push_str(&format!(
                " ({missing} of {declared} declared components have no class in the DEX)"
            ));
        }
        parts.push(s);
    }
    if !protectors.is_empty() {
        parts.push(format!(
            "code is protected by {}: names are obfuscated and strings may be encrypted, so \
             code facts describe hardened code",
            names(protectors)
        ));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_every_row_can_match() {
        for w in PACKERS.windows(2) {
            assert!(w[0].id < w[1].id, "{} !< {}", w[0].id, w[1].id);
        }
        for d in PACKERS {
            assert!(
                !d.strong.is_empty() || d.weak.len() >= 2 || d.id == "dexguard",
                "{} can never match",
                d.id
            );
            for s in d.strong.iter().chain(d.weak) {
                match s {
                    Sig::Lib(p) | Sig::Entry(p) => {
                        assert!(p.matches('*').count() <= 2, "{p}")
                    }
                    Sig::Package(p) => assert!(p.ends_with('.'), "{p}"),
                    Sig::Class(c) => assert!(!c.ends_with('.'), "{c}"),
                }
            }
        }
    }

    #[test]
    fn globs() {
        assert!(glob("libjiagu*", "libjiagu_a64.so"));
        assert!(glob("libjiagu*", "libjiagu.so"));
        assert!(!glob("libjiagu*", "libjia.so"));
        assert!(glob("*ijiami.ajm", "assets/ijiami.ajm"));
        assert!(glob("*/LIAPPEgg*", "assets/LIAPPEgg.sc"));
        assert!(!glob("*/LIAPPEgg*", "LIAPPEgg.sc"));
        assert!(glob(
            "assets/ijm_lib/*",
            "assets/ijm_lib/armeabi/libexec.so"
        ));
        assert!(glob("assets/sbox", "assets/sbox"));
        assert!(!glob("assets/sbox", "assets/sbox2"));
    }

    #[test]
    fn dexguard_shapes_of_names() {
        assert_eq!(dexguard_shape("aux"), Some(0));
        assert_eq!(dexguard_shape("Con"), Some(1));
        assert_eq!(dexguard_shape("ʶ$if"), Some(2));
        assert_eq!(dexguard_shape("ﭔ$ˊ"), Some(3));
        assert_eq!(dexguard_shape("ﭔ"), None);
        assert_eq!(dexguard_shape("Main$Inner"), None);
        assert_eq!(dexguard_shape("Outer$1"), None);
    }

    fn packing(entries: &[&str], app_class: Option<&str>) -> Packing {
        let mut m = crate::manifest::Manifest::default();
        m.application.name = app_class.map(str::to_string);
        let native = crate::native::NativeReport::default();
        let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        detect(&AppInput {
            manifest: &m,
            dex: &[],
            native: &native,
            entries: &entries,
            texts: &[],
        })
    }

    fn ids(p: &Packing) -> Vec<&'static str> {
        p.packers
            .iter()
            .chain(&p.protectors)
            .map(|d| d.id)
            .collect()
    }

    #[test]
    fn strong_and_weak_signatures() {
        assert_eq!(ids(&packing(&["assets/ijiami.dat"], None)), ["ijiami"]);
        assert!(
            ids(&packing(&["lib/armeabi/libexec.so"], None)).is_empty(),
            "one weak"
        );
        let p = packing(
            &["lib/armeabi/libexec.so", "lib/armeabi/libexecmain.so"],
            None,
        );
        assert_eq!(ids(&p), ["ijiami"], "two weak");
        assert_eq!(
            p.packers[0].evidence,
            [
                Evidence::new("native_lib", "lib/armeabi/libexec.so"),
                Evidence::new("native_lib", "lib/armeabi/libexecmain.so"),
            ]
        );
        let p = packing(&[], Some("com.tencent.StubShell.TxAppEntry"));
        assert_eq!(ids(&p), ["tencent_legu"]);
        assert_eq!(
            p.packers[0].evidence,
            [Evidence::new(
                "manifest",
                "application com.tencent.StubShell.TxAppEntry"
            )]
        );
        assert!(p.packed);
        assert_eq!((p.components_declared, p.components_without_class), (1, 1));
        assert_eq!(
            p.note.as_deref(),
            Some(
                "code is packed by Tencent Legu (腾讯乐固) / Mobile Tencent Protect: the DEX \
                 holds only the loader stub; code facts describe the stub, not the app (1 of 1 \
                 declared components have no class in the DEX)"
            )
        );
        assert_eq!(
            ids(&packing(
                &["assets/dp.mp3", "assets/dp.arm-v7.so.dat"],
                None
            )),
            ["dexprotector"]
        );
        assert!(ids(&packing(&["assets/dp.mp3"], None)).is_empty());
        assert_eq!(
            ids(&packing(
                &["lib/arm64-v8a/libshella-4.1.0.29.so", "assets/0OO00l111l1l"],
                None
            )),
            ["tencent_legu"]
        );
        assert_eq!(
            ids(&packing(&["lib/armeabi-v7a/libDexHelper.so"], None)),
            ["secneo"]
        );
        assert_eq!(
            ids(&packing(
                &["lib/arm64-v8a/libsandhook.so", "lib/arm64-v8a/libv++_64.so"],
                None
            )),
            ["virbox"]
        );
        let clean = packing(
            &["lib/arm64-v8a/libsgmain.so", "classes.dex"],
            Some("a.App"),
        );
        assert!(
            ids(&clean).is_empty(),
            "SecurityGuard is an SDK, not a packer"
        );
        assert!(!clean.packed && clean.note.is_none());
    }
}

//! The DEX parser against `dexdump` (AOSP 11) on the smali-built fixtures in
//! `fixtures/dex/` (see its `build.sh`): class list, methods, code sizes and,
//! per class, the invoked methods, `const-string` strings and call sites that
//! dexdump's disassembly shows.

use fingertip::dex::{self, ClassDef, DexFile, MethodRef};
use fingertip::reader::Limits;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dex")
}

fn load(name: &str) -> Vec<DexFile> {
    let data = std::fs::read(dir().join(name)).unwrap();
    dex::parse(&data, &Limits::default()).unwrap()
}

fn load_one(name: &str) -> DexFile {
    let mut v = load(name);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

#[derive(Debug, Default, PartialEq)]
struct DumpMethod {
    name: String,
    code_units: u32,
}

#[derive(Debug, Default)]
struct DumpClass {
    descriptor: String,
    superclass: Option<String>,
    interfaces: Vec<String>,
    methods: Vec<DumpMethod>,
    invokes: BTreeSet<u32>,
    strings: BTreeSet<u32>,
    call_sites: BTreeSet<u32>,
}

/// The hex number after `key` in `line` (`method@0016`, `string@00000032`).
fn hex_after(line: &str, key: &str) -> Option<u32> {
    let at = line.find(key)? + key.len();
    let digits: String = line[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    u32::from_str_radix(&digits, 16).ok()
}

fn quoted(line: &str) -> String {
    let a = line.find('\'').unwrap();
    let b = line.rfind('\'').unwrap();
    line[a + 1..b].to_string()
}

/// Parses `dexdump -d` output into per-class facts.
fn parse_dump(text: &str) -> Vec<DumpClass> {
    let mut classes: Vec<DumpClass> = Vec::new();
    let mut in_methods = false;
    let mut in_interfaces = false;
    for line in text.lines() {
        if line.starts_with("Class #") {
            classes.push(DumpClass::default());
            in_methods = false;
            continue;
        }
        let Some(c) = classes.last_mut() else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("  ") {
            if !rest.starts_with(' ') {
                in_interfaces = rest.starts_with("Interfaces");
                if rest.starts_with("Direct methods") || rest.starts_with("Virtual methods") {
                    in_methods = true;
                } else if !rest.starts_with('#') {
                    in_methods = false;
                }
            }
        }
        if line.starts_with("  Class descriptor") {
            c.descriptor = quoted(line);
        } else if line.starts_with("  Superclass") {
            c.superclass = Some(quoted(line));
        } else if in_interfaces && line.starts_with("    #") {
            c.interfaces.push(quoted(line));
        } else if in_methods && line.starts_with("    #") {
            c.methods.push(DumpMethod::default());
        } else if in_methods && line.starts_with("      name ") {
            c.methods.last_mut().unwrap().name = quoted(line);
        } else if in_methods && line.starts_with("      insns size") {
            let n: u32 = line
                .split(':')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap();
            c.methods.last_mut().unwrap().code_units = n;
        } else if line.contains(": invoke-") {
            if let Some(m) = hex_after(line, "method@") {
                c.invokes.insert(m);
            }
            if let Some(cs) = hex_after(line, "call_site@") {
                c.call_sites.insert(cs);
            }
        } else if line.contains(": const-string") {
            c.strings.insert(hex_after(line, "string@").unwrap());
        }
    }
    classes
}

fn set(v: &[u32]) -> BTreeSet<u32> {
    v.iter().copied().collect()
}

fn compare_with_dexdump(dex_name: &str, dump_name: &str) {
    let dex = load_one(dex_name);
    let raw = std::fs::read(dir().join("expected").join(dump_name)).unwrap();
    // dexdump prints string constants byte for byte (MUTF-8), not always UTF-8.
    let text = String::from_utf8_lossy(&raw);
    let dump = parse_dump(&text);
    assert_eq!(dex.classes().len(), dump.len(), "{dex_name}: class count");
    assert_eq!(dex.counts().class_defs as usize, dump.len());
    for (ours, theirs) in dex.classes().iter().zip(&dump) {
        let who = format!("{dex_name} {}", theirs.descriptor);
        assert_eq!(ours.descriptor, theirs.descriptor, "{who}");
        assert_eq!(ours.superclass, theirs.superclass, "{who}");
        assert_eq!(ours.interfaces, theirs.interfaces, "{who}");
        let methods: Vec<DumpMethod> = ours
            .methods
            .iter()
            .map(|m| DumpMethod {
                name: m.name.clone(),
                code_units: m.code_units,
            })
            .collect();
        assert_eq!(methods, theirs.methods, "{who}: methods");
        assert_eq!(set(&ours.invokes), theirs.invokes, "{who}: invokes");
        assert_eq!(set(&ours.strings), theirs.strings, "{who}: strings");
        assert_eq!(
            set(&ours.call_sites),
            theirs.call_sites,
            "{who}: call sites"
        );
    }
    assert!(dex.checksum_valid() && dex.signature_valid());
    assert!(dex.anomalies().is_empty(), "{:?}", dex.anomalies());
}

#[test]
fn basic_035_matches_dexdump() {
    compare_with_dexdump("basic_035.dex", "basic_035.dexdump.txt");
}

#[test]
fn basic_037_matches_dexdump() {
    compare_with_dexdump("basic_037.dex", "basic_037.dexdump.txt");
}

#[test]
fn modern_038_matches_dexdump() {
    compare_with_dexdump("modern_038.dex", "modern_038.dexdump.txt");
}

#[test]
fn modern_039_matches_dexdump() {
    compare_with_dexdump("modern_039.dex", "modern_039.dexdump.txt");
}

#[test]
fn versions_are_read_from_the_magic() {
    assert_eq!(load_one("basic_035.dex").version(), 35);
    assert_eq!(load_one("basic_037.dex").version(), 37);
    assert_eq!(load_one("modern_038.dex").version(), 38);
    assert_eq!(load_one("modern_039.dex").version(), 39);
    let v40 = load_one("modern_040.dex");
    assert_eq!(v40.version(), 40);
    assert!(v40.anomalies().is_empty(), "{:?}", v40.anomalies());
    // 040 has 039's layout: same classes and facts.
    assert_eq!(v40.classes(), load_one("modern_039.dex").classes());
}

fn class<'a>(dex: &'a DexFile, desc: &str) -> &'a ClassDef {
    dex.classes().iter().find(|c| c.descriptor == desc).unwrap()
}

fn mref(class: &str, name: &str, proto: &str) -> MethodRef {
    MethodRef {
        class: class.into(),
        name: name.into(),
        proto: proto.into(),
    }
}

#[test]
fn main_class_facts_by_name() {
    let dex = load_one("basic_035.dex");
    let main = class(&dex, "Lfixture/Main;");
    assert_eq!(main.superclass.as_deref(), Some("Lfixture/Shape;"));
    assert_eq!(main.source_file.as_deref(), Some("Main.java"));
    assert_eq!(main.field_count, 2);
    assert_eq!(main.access_flags, 0x1);
    let invoked: BTreeSet<MethodRef> = main
        .invokes
        .iter()
        .map(|&i| dex.method_ref(i).unwrap())
        .collect();
    let expected: BTreeSet<MethodRef> = [
        mref("Lfixture/Shape;", "<init>", "()V"),
        mref("Ljava/lang/StringBuilder;", "<init>", "()V"),
        mref(
            "Ljava/lang/StringBuilder;",
            "append",
            "(Ljava/lang/String;)Ljava/lang/StringBuilder;",
        ),
        mref(
            "Ljava/lang/StringBuilder;",
            "toString",
            "()Ljava/lang/String;",
        ),
        mref("Lfixture/Shape;", "describe", "()Ljava/lang/String;"),
        mref("Landroid/util/Log;", "isLoggable", "(Ljava/lang/String;)Z"),
        mref("Ljava/lang/Runnable;", "run", "()V"),
        mref("Lfixture/Main;", "ranges", "(IIIIII)V"),
        mref("Lfixture/Main;", "sum6", "(IIIIII)I"),
        mref("Lfixture/Main;", "secret", "()V"),
        mref("Lfixture/Shape;", "area", "()D"),
    ]
    .into_iter()
    .collect();
    assert_eq!(invoked, expected);
    let strings: BTreeSet<String> = main
        .strings
        .iter()
        .map(|&i| dex.string(i).unwrap())
        .collect();
    let expected: BTreeSet<String> = [
        "Hello, ",
        "jumbo string",
        "caf\u{e9} \u{20ac} \u{1f600} nul:\0.",
        "after payloads",
        "in sparse case",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(strings, expected);
    // const, const/high16, const-wide, const-wide/32; not 0x7fffffff nor 0x7f000000.
    assert_eq!(
        main.resource_ids,
        [0x7f02_0000, 0x7f03_0004, 0x7f04_0005, 0x7f0b_0001]
    );
}

#[test]
fn interface_abstract_native_and_empty_classes() {
    let dex = load_one("basic_035.dex");
    let greeter = class(&dex, "Lfixture/Greeter;");
    assert_eq!(greeter.access_flags & 0x200, 0x200);
    assert_eq!(greeter.methods.len(), 1);
    assert_eq!(greeter.methods[0].code_units, 0);
    let shape = class(&dex, "Lfixture/Shape;");
    let native = shape
        .methods
        .iter()
        .find(|m| m.name == "nativeArea")
        .unwrap();
    assert_eq!(native.access_flags & 0x100, 0x100);
    assert_eq!(native.code_units, 0);
    let empty = class(&dex, "Lfixture/Empty;");
    assert!(empty.methods.is_empty() && empty.field_count == 0);
    assert_eq!(empty.source_file, None);
    let counts = dex.counts();
    let defined: usize = dex.classes().iter().map(|c| c.methods.len()).sum();
    assert_eq!(counts.defined_methods as usize, defined);
    let code: u64 = dex
        .classes()
        .iter()
        .flat_map(|c| &c.methods)
        .map(|m| u64::from(m.code_units) * 2)
        .sum();
    assert_eq!(counts.code_bytes, code);
}

#[test]
fn header_counts_match_dexdump_f() {
    for name in ["basic_035", "basic_037", "modern_038", "modern_039"] {
        let dex = load_one(&format!("{name}.dex"));
        let text =
            std::fs::read_to_string(dir().join("expected").join(format!("{name}.header.txt")))
                .unwrap();
        let field = |key: &str| -> u32 {
            let line = text.lines().find(|l| l.starts_with(key)).unwrap();
            line.split(':')
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let c = dex.counts();
        assert_eq!(c.strings, field("string_ids_size"), "{name}");
        assert_eq!(c.types, field("type_ids_size"), "{name}");
        assert_eq!(c.protos, field("proto_ids_size"), "{name}");
        assert_eq!(c.fields, field("field_ids_size"), "{name}");
        assert_eq!(c.methods, field("method_ids_size"), "{name}");
        assert_eq!(c.class_defs, field("class_defs_size"), "{name}");
    }
}

#[test]
fn modern_invoke_polymorphic_and_custom() {
    let dex = load_one("modern_039.dex");
    let modern = class(&dex, "Lfixture/Modern;");
    let invoked: Vec<String> = modern
        .invokes
        .iter()
        .map(|&i| dex.method_ref(i).unwrap().name)
        .collect();
    assert_eq!(invoked, ["invoke", "invokeExact"]);
    assert_eq!(modern.call_sites, [0, 1]);
}

#[test]
fn container_041_holds_two_files() {
    let dexes = load("container_041.dex");
    assert_eq!(dexes.len(), 2);
    for d in &dexes {
        assert_eq!(d.version(), 41);
        assert!(d.checksum_valid() && d.signature_valid());
        assert!(d.anomalies().is_empty(), "{:?}", d.anomalies());
    }
    let first = &dexes[0].classes()[0];
    assert_eq!(first.descriptor, "Lcontainer/First;");
    assert_eq!(first.methods[0].name, "first");
    let calls: Vec<MethodRef> = first
        .invokes
        .iter()
        .map(|&i| dexes[0].method_ref(i).unwrap())
        .collect();
    assert_eq!(calls, [mref("Lcontainer/Second;", "second", "()V")]);
    assert_eq!(dexes[0].string(first.strings[0]).unwrap(), "from first");
    let second = &dexes[1].classes()[0];
    assert_eq!(second.descriptor, "Lcontainer/Second;");
    assert_eq!(dexes[1].string(second.strings[0]).unwrap(), "from second");
    assert_eq!(second.resource_ids, [0x7f0a_0001]);
}

#[test]
fn descriptor_to_java_examples() {
    use fingertip::dex::descriptor_to_java as j;
    assert_eq!(j("Lcom/foo/Bar;"), "com.foo.Bar");
    assert_eq!(j("Lcom/foo/Bar$Inner;"), "com.foo.Bar$Inner");
    assert_eq!(j("[I"), "int[]");
    assert_eq!(j("[[Ljava/lang/String;"), "java.lang.String[][]");
    assert_eq!(j("V"), "void");
    assert_eq!(j("J"), "long");
    assert_eq!(j("garbage"), "garbage");
    assert_eq!(j("L;"), "L;");
}

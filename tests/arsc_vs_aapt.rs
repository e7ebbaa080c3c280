//! Differential test: fingertip's `arsc` module against `aapt dump --values
//! resources` (Debian's aapt, AOSP `ResTable::print`) on framework-res.apk
//! and every APK of the real-world corpus.
//!
//! Compared per file: the package ids and names; the set of resource ids
//! and their `pkg:type/name` (aapt's `spec resource` lines); per
//! configuration (aapt's `config zh-rCN:` lines, our `Config::qualifiers`)
//! which entries are present; for simple entries the value (strings by
//! text, every other type by `dataType`/`data`); for bags the parent, item
//! count and every item's name and value.
//!
//! Skips cleanly (printing a note) when aapt, framework-res.apk or the
//! corpus are absent. Files aapt refuses are not compared.
//!
//! Legitimate differences, not counted as disagreements:
//! - aapt prints strings through `normalizeForOutput` (`\\`, `\n` and `"`
//!   escaped) as C strings, so a string is compared up to its first NUL and
//!   after the same escaping;
//! - aapt converts UTF-16 pool strings with `String8(str16)`, which maps
//!   unpaired surrogates differently from Rust's lossy decoding; strings
//!   holding U+FFFD on our side are compared loosely (length-insensitive).

use fingertip::arsc::{self, EntryValue, ResourceTable};
use fingertip::reader::Limits;
use fingertip::resvalue::{RawValue, Value};
use fingertip::stringpool::StringPool;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const FRAMEWORK: &str = "/usr/share/android-framework-res/framework-res.apk";
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/real");
const AAPT: &str = "/usr/bin/aapt";
/// The project's own fixture APKs (sparse, shared-library, legacy builds).
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/apks");

#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// `(string8) "..."` / `(string16) "..."`: the escaped text.
    Str(String),
    /// `(color) #xxxxxxxx` (every int-like type), `(reference) 0x...`, etc.:
    /// the data word.
    Data(u32),
    /// Anything else aapt prints for a bag item (compared by presence only).
    Other,
}

#[derive(Debug, Clone, PartialEq)]
enum AEntry {
    Simple {
        t: u8,
        d: u32,
        s: Option<String>,
    },
    Bag {
        parent: u32,
        count: usize,
        items: Vec<(u32, Item)>,
    },
}

#[derive(Default)]
struct AaptDump {
    /// Union of the `ResTable_type::flags` aapt printed.
    type_flags: u32,
    packages: Vec<(u32, String)>,
    specs: BTreeMap<u32, String>,
    entries: BTreeMap<(String, u32), Vec<AEntry>>,
}

fn hex(s: &str) -> Option<u32> {
    u32::from_str_radix(
        s.trim().trim_start_matches("0x").trim_start_matches('#'),
        16,
    )
    .ok()
}

fn unquote(s: &str) -> String {
    let s = s.trim_end_matches('\r');
    let s = s.strip_prefix('"').unwrap_or(s);
    s.strip_suffix('"').unwrap_or(s).to_string()
}

fn parse_item(text: &str) -> Item {
    let text = text.trim_start();
    if let Some(rest) = text
        .strip_prefix("(string8) ")
        .or_else(|| text.strip_prefix("(string16) "))
    {
        return Item::Str(unquote(rest));
    }
    for prefix in [
        "(color) ",
        "(reference) ",
        "(attribute) ",
        "(dynamic reference) ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            if let Some(v) = hex(rest) {
                return Item::Data(v);
            }
        }
    }
    Item::Other
}

fn parse_aapt(out: &str) -> AaptDump {
    let mut dump = AaptDump::default();
    let mut config = String::new();
    let lines: Vec<&str> = out.split('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        i += 1;
        if let Some(rest) = t.strip_prefix("Package ") {
            if let (Some(id), Some(name)) = (rest.split(" id=").nth(1), rest.split(" name=").nth(1))
            {
                if let Some(id) = hex(id.split(' ').next().unwrap_or("")) {
                    dump.packages
                        .push((id, name.trim_end_matches('\r').to_string()));
                }
            }
        } else if let Some(rest) = t.strip_prefix("spec resource ") {
            let mut parts = rest.splitn(2, ' ');
            let id = hex(parts.next().unwrap_or("")).unwrap_or(0);
            let name = parts.next().unwrap_or("");
            let name = name.rsplit_once(": flags=").map(|(n, _)| n).unwrap_or(name);
            dump.specs.insert(id, name.to_string());
        } else if let Some(rest) = t.strip_prefix("config ") {
            // `config zh-rCN:` or, for types with flags, `config (default) flags=0x02:`.
            let c = rest.trim_end_matches('\r').trim_end_matches(':');
            let (c, flags) = match c.rsplit_once(" flags=") {
                // `flags=0x01 [sparse]`
                Some((c, f)) => (c, hex(f.split(' ').next().unwrap_or("")).unwrap_or(0)),
                None => (c, 0),
            };
            dump.type_flags |= flags;
            config = if c == "(default)" {
                String::new()
            } else {
                c.to_string()
            };
        } else if let Some(rest) = t.strip_prefix("resource ") {
            let mut parts = rest.splitn(2, ' ');
            let id = hex(parts.next().unwrap_or("")).unwrap_or(0);
            let rest = parts.next().unwrap_or("");
            let entry = if rest.contains(": <bag>") {
                // Parent=0x...(Resolved=0x...), Count=N then N item lines.
                let header = lines.get(i).map(|l| l.trim()).unwrap_or("");
                let parent = header
                    .strip_prefix("Parent=")
                    .and_then(|p| hex(p.split('(').next().unwrap_or("")))
                    .unwrap_or(0);
                let count = header
                    .rsplit_once("Count=")
                    .and_then(|(_, c)| c.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                i += 1;
                let mut items = Vec::new();
                while let Some(l) = lines.get(i) {
                    let l = l.trim_start();
                    if !l.starts_with('#') {
                        break;
                    }
                    let key = l
                        .split("(Key=")
                        .nth(1)
                        .and_then(|k| hex(k.split(')').next().unwrap_or("")))
                        .unwrap_or(0);
                    let value = l.split_once("): ").map(|(_, v)| v).unwrap_or("");
                    items.push((key, parse_item(value)));
                    i += 1;
                }
                AEntry::Bag {
                    parent,
                    count,
                    items,
                }
            } else {
                let t = rest
                    .split(" t=")
                    .nth(1)
                    .and_then(|v| hex(v.split(' ').next().unwrap_or("")))
                    .unwrap_or(0) as u8;
                let d = rest
                    .split(" d=")
                    .nth(1)
                    .and_then(|v| hex(v.split(' ').next().unwrap_or("")))
                    .unwrap_or(0);
                let mut s = None;
                if let Some(next) = lines.get(i) {
                    if let Item::Str(text) = parse_item(next) {
                        s = Some(text);
                        i += 1;
                    }
                }
                AEntry::Simple { t, d, s }
            };
            dump.entries
                .entry((config.clone(), id))
                .or_default()
                .push(entry);
        }
    }
    dump
}

/// aapt's `normalizeForOutput` applied to a C string.
fn normalize(s: &str) -> String {
    let s = s.split('\0').next().unwrap_or("");
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            other => out.push(other),
        }
    }
    out
}

fn strings_agree(ours: &str, aapt: &str) -> bool {
    let n = normalize(ours);
    n == aapt
        || (n.contains('\u{fffd}')
            && n.chars().filter(|c| *c != '\u{fffd}').count() <= aapt.chars().count())
}

fn value_agrees(ours: &Value, t: u8, d: u32, s: &Option<String>) -> bool {
    if t == 0x03 {
        return match (ours, s) {
            (Value::String(v), Some(text)) => strings_agree(v, text),
            // aapt could not print the string (bad index): we hold Unknown.
            (Value::Unknown { data_type: 3, data }, None) => *data == d,
            _ => false,
        };
    }
    let expected = RawValue {
        data_type: t,
        data: d,
    }
    .decode(&StringPool::default());
    format!("{expected:?}") == format!("{ours:?}")
}

fn item_agrees(ours: &Value, aapt: &Item) -> bool {
    match aapt {
        Item::Str(text) => matches!(ours, Value::String(v) if strings_agree(v, text)),
        Item::Data(d) => match ours {
            Value::Reference(x) | Value::Attribute(x) | Value::Hex(x) | Value::Color(x) => x == d,
            Value::Int(i) => *i as u32 == *d,
            Value::Bool(b) => (*d != 0) == *b,
            Value::Null | Value::Empty => true,
            _ => false,
        },
        Item::Other => true,
    }
}

fn entry_agrees(ours: &EntryValue, aapt: &AEntry) -> bool {
    match (ours, aapt) {
        (EntryValue::Simple(v), AEntry::Simple { t, d, s }) => value_agrees(v, *t, *d, s),
        (
            EntryValue::Bag { parent, items },
            AEntry::Bag {
                parent: ap,
                count,
                items: ai,
            },
        ) => {
            parent == ap
                && items.len() == *count
                && items.len() == ai.len()
                && items
                    .iter()
                    .zip(ai)
                    .all(|((k, v), (ak, av))| k == ak && item_agrees(v, av))
        }
        _ => false,
    }
}

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    skipped_aapt: usize,
    skipped_noarsc: usize,
    skipped_offset16: usize,
    sparse_files: usize,
    parse_failed: usize,
    ids: usize,
    ids_agree: usize,
    entries: usize,
    entries_agree: usize,
    values: usize,
    values_agree: usize,
    bags: usize,
    bags_agree: usize,
}

fn collect_apks(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut items: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    items.sort();
    for p in items {
        if p.is_dir() {
            collect_apks(&p, out);
        } else if p.extension().is_some_and(|e| e == "apk") {
            out.push(p);
        }
    }
}

fn read_arsc(apk: &Path) -> Option<Vec<u8>> {
    let f = std::fs::File::open(apk).ok()?;
    let mut zip = zip::ZipArchive::new(f).ok()?;
    let mut e = zip.by_name("resources.arsc").ok()?;
    let mut buf = Vec::new();
    e.read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn our_entries(table: &ResourceTable) -> BTreeMap<(String, u32), Vec<&EntryValue>> {
    let mut m: BTreeMap<(String, u32), Vec<&EntryValue>> = BTreeMap::new();
    for e in table.iter_entries() {
        m.entry((e.config.qualifiers(), e.id))
            .or_default()
            .push(e.value);
    }
    m
}

fn compare(
    apk: &Path,
    tally: &mut Tally,
    report: &mut Vec<String>,
    report_offset16: &mut Vec<String>,
) {
    let out = match Command::new(AAPT)
        .args(["dump", "--values", "resources"])
        .arg(apk)
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ => {
            tally.skipped_aapt += 1;
            return;
        }
    };
    let Some(arsc_bytes) = read_arsc(apk) else {
        tally.skipped_noarsc += 1;
        return;
    };
    let mut dump = parse_aapt(&String::from_utf8_lossy(&out.stdout));
    let name = apk.display().to_string();
    if dump.packages.is_empty() {
        // aapt could not open the archive (it prints "Package Groups (0)").
        tally.skipped_aapt += 1;
        return;
    }
    if dump.type_flags & 0x02 != 0 {
        // FLAG_OFFSET16 (Android 14) postdates Debian's aapt, which reads
        // those offsets as 32-bit and prints garbage; the unit tests and a
        // self-consistency check cover these files instead.
        tally.skipped_offset16 += 1;
        report_offset16.push(name);
        return;
    }
    let table = match arsc::parse(&arsc_bytes, &Limits::default()) {
        Ok(t) => t,
        Err(e) => {
            if !dump.specs.is_empty() {
                tally.parse_failed += 1;
                report.push(format!(
                    "{name}: we fail ({e}) where aapt lists {} ids",
                    dump.specs.len()
                ));
            } else {
                tally.skipped_aapt += 1;
            }
            return;
        }
    };
    tally.files += 1;
    if dump.type_flags & 0x01 != 0 {
        tally.sparse_files += 1;
    }
    let mut problems: Vec<String> = Vec::new();

    // A shared library's package id is 0 in the file; aapt prints the id it
    // assigned at load time (0x02 onwards). Map aapt's ids back.
    for (aid, aname) in dump.packages.clone() {
        let ours_zero = table.packages.iter().any(|p| p.id == 0 && p.name == aname);
        if ours_zero && aid != 0 {
            let remap = |id: u32| {
                if id >> 24 == aid {
                    id & 0x00ff_ffff
                } else {
                    id
                }
            };
            dump.specs = dump.specs.into_iter().map(|(k, v)| (remap(k), v)).collect();
            dump.entries = dump
                .entries
                .into_iter()
                .map(|((c, k), v)| ((c, remap(k)), v))
                .collect();
            for p in dump.packages.iter_mut() {
                if p.0 == aid {
                    p.0 = 0;
                }
            }
        }
    }

    let ours_pk: Vec<(u32, String)> = table
        .packages
        .iter()
        .map(|p| (p.id, p.name.clone()))
        .collect();
    for p in &dump.packages {
        if !ours_pk.contains(p) {
            problems.push(format!("package {:#x} {:?} missing", p.0, p.1));
        }
    }

    // Ids and names.
    let our_ids = table.ids();
    for (id, aname) in &dump.specs {
        tally.ids += 1;
        match table.name(*id) {
            Some(n) if n.full() == *aname => tally.ids_agree += 1,
            other => problems.push(format!(
                "id {id:#010x}: aapt {aname}, ours {:?}",
                other.map(|n| n.full())
            )),
        }
    }
    for id in &our_ids {
        if !dump.specs.contains_key(id) {
            problems.push(format!(
                "id {id:#010x} only in ours ({:?})",
                table.name(*id).map(|n| n.full())
            ));
        }
    }

    // Entries per config.
    let ours = our_entries(&table);
    for (key, aentries) in &dump.entries {
        tally.entries += 1;
        let Some(oentries) = ours.get(key) else {
            problems.push(format!(
                "config {:?} id {:#010x}: only in aapt",
                key.0, key.1
            ));
            continue;
        };
        if oentries.len() != aentries.len() {
            problems.push(format!(
                "config {:?} id {:#010x}: {} vs {} values",
                key.0,
                key.1,
                oentries.len(),
                aentries.len()
            ));
            continue;
        }
        tally.entries_agree += 1;
        for (o, a) in oentries.iter().zip(aentries) {
            let bag = matches!(a, AEntry::Bag { .. });
            if bag {
                tally.bags += 1;
            } else {
                tally.values += 1;
            }
            if entry_agrees(o, a) {
                if bag {
                    tally.bags_agree += 1;
                } else {
                    tally.values_agree += 1;
                }
            } else {
                problems.push(format!(
                    "config {:?} id {:#010x}: aapt {a:?}, ours {o:?}",
                    key.0, key.1
                ));
            }
        }
    }
    for key in ours.keys() {
        if !dump.entries.contains_key(key) {
            problems.push(format!(
                "config {:?} id {:#010x}: only in ours",
                key.0, key.1
            ));
        }
    }
    if !problems.is_empty() {
        report.push(format!(
            "{name}: {} disagreement(s), first: {}",
            problems.len(),
            problems[..problems.len().min(5)].join(" | ")
        ));
    }
}

#[test]
fn agrees_with_aapt_dump_resources() {
    if !Path::new(AAPT).exists() {
        println!("note: {AAPT} absent; aapt comparison skipped");
        return;
    }
    let mut apks = Vec::new();
    if Path::new(FRAMEWORK).exists() {
        apks.push(PathBuf::from(FRAMEWORK));
    } else {
        println!("note: {FRAMEWORK} absent (apt-get install android-framework-res)");
    }
    collect_apks(Path::new(FIXTURES), &mut apks);
    if Path::new(CORPUS).exists() {
        collect_apks(Path::new(CORPUS), &mut apks);
    } else {
        println!("note: {CORPUS} absent; only framework-res compared");
    }
    if apks.is_empty() {
        println!("note: no APKs to compare; skipped");
        return;
    }
    let mut tally = Tally::default();
    let mut report = Vec::new();
    let mut offset16 = Vec::new();
    for apk in &apks {
        compare(apk, &mut tally, &mut report, &mut offset16);
    }
    for name in &offset16 {
        println!("{name}: uses FLAG_OFFSET16, which this aapt cannot read; not compared");
    }
    for line in &report {
        println!("{line}");
    }
    println!(
        "aapt comparison: {} files compared ({} skipped: aapt failed/empty {}, no resources.arsc {}, \
         FLAG_OFFSET16 {}), {} we could not parse",
        tally.files,
        tally.skipped_aapt + tally.skipped_noarsc + tally.skipped_offset16,
        tally.skipped_aapt,
        tally.skipped_noarsc,
        tally.skipped_offset16,
        tally.parse_failed
    );
    println!(
        "files with FLAG_SPARSE types compared: {}",
        tally.sparse_files
    );
    println!(
        "ids+names agree {}/{}; (config, id) entries agree {}/{}; simple values agree {}/{}; bags agree {}/{}",
        tally.ids_agree, tally.ids, tally.entries_agree, tally.entries, tally.values_agree, tally.values, tally.bags_agree, tally.bags
    );
    assert_eq!(tally.parse_failed, 0, "tables aapt reads but we reject");
    assert!(
        report.is_empty(),
        "{} file(s) disagree with aapt",
        report.len()
    );
}

/// FLAG_OFFSET16 tables cannot be checked against this aapt, so check them
/// against what their authors wrote: Apktool's issue3366 defines
/// `string/foo_N` = "N" for N in 0..=1000 (plus `app_name`), and its
/// framework/shared-library fixtures name every entry uniquely.
#[test]
fn offset16_tables_decode_consistently() {
    let base = Path::new(CORPUS).join("Apktool");
    let issue = base.join("issue3366.apk");
    let Some(bytes) = read_arsc(&issue) else {
        println!("note: {} absent; skipped", issue.display());
        return;
    };
    let limits = Limits::default();
    let t = arsc::parse(&bytes, &limits).expect("issue3366 parses");
    assert!(t.anomalies.is_empty(), "{:?}", t.anomalies);
    let mut foo = 0;
    for id in t.ids() {
        let name = t.name(id).expect("named");
        if let Some(n) = name.entry.strip_prefix("foo_") {
            assert_eq!(t.resolve_string(id, &limits).as_deref(), Some(n), "{name}");
            foo += 1;
        }
    }
    assert_eq!(foo, 1001);
    for apk in ["framework.apk", "shared_library/library.apk"] {
        let Some(bytes) = read_arsc(&base.join(apk)) else {
            continue;
        };
        let t = arsc::parse(&bytes, &limits).expect("parses");
        assert!(t.anomalies.is_empty(), "{apk}: {:?}", t.anomalies);
        let names: Vec<String> = t
            .ids()
            .iter()
            .map(|id| t.name(*id).expect("named").full())
            .collect();
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{apk}: duplicate names");
        assert!(
            names.iter().any(|n| n.ends_with(":string/upgrade_button")),
            "{apk}"
        );
    }
}

/// The device `aapt dump badging` resolves with (AOSP `Command.cpp`):
/// en-US (cleared for the plain `application-label`), portrait, mdpi,
/// SDK 10000, 320x480 dp, normal screen.
fn badging_device(locale: &str, density: u16) -> arsc::Config {
    let mut c = arsc::Config::for_locale(locale);
    c.orientation = 1;
    c.density = density;
    c.sdk_version = 10000;
    c.screen_width_dp = 320;
    c.screen_height_dp = 480;
    c.smallest_screen_width_dp = 320;
    c.screen_layout = 0x02;
    c
}

/// `A: android:label(0x01010001)=@0x7f07005d` under the first `E: application`.
fn application_refs(xmltree: &str) -> (Option<u32>, Option<u32>) {
    let mut in_app = false;
    let (mut label, mut icon) = (None, None);
    for line in xmltree.lines() {
        let t = line.trim_start();
        if t.starts_with("E: ") {
            if in_app {
                break;
            }
            in_app = t.starts_with("E: application");
            continue;
        }
        if !in_app {
            continue;
        }
        let reference = |prefix: &str| {
            t.strip_prefix(prefix)
                .and_then(|v| v.strip_prefix("=@"))
                .and_then(hex)
        };
        if let Some(id) = reference("A: android:label(0x01010001)") {
            label = Some(id);
        }
        if let Some(id) = reference("A: android:icon(0x01010002)") {
            icon = Some(id);
        }
    }
    (label, icon)
}

fn aapt_text(args: &[&str], apk: &Path) -> Option<String> {
    let out = Command::new(AAPT).args(args).arg(apk).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `resolve_for` against the label and icons `aapt dump badging` resolves
/// through the same tables with Android's own `match`/`isBetterThan`: the
/// default label, every `application-label-<locale>` and every
/// `application-icon-<density>`.
#[test]
fn resolution_agrees_with_aapt_badging() {
    if !Path::new(AAPT).exists() {
        println!("note: {AAPT} absent; skipped");
        return;
    }
    let mut apks = Vec::new();
    collect_apks(Path::new(FIXTURES), &mut apks);
    collect_apks(Path::new(CORPUS), &mut apks);
    let limits = Limits::default();
    let (mut checked, mut agree, mut files) = (0usize, 0usize, 0usize);
    let mut problems = Vec::new();
    for apk in &apks {
        let Some(badging) = aapt_text(&["dump", "badging"], apk) else {
            continue;
        };
        let Some(tree) = Command::new(AAPT)
            .args(["dump", "xmltree"])
            .arg(apk)
            .arg("AndroidManifest.xml")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        else {
            continue;
        };
        let (label, icon) = application_refs(&tree);
        if label.is_none() && icon.is_none() {
            continue;
        }
        let Some(bytes) = read_arsc(apk) else {
            continue;
        };
        let Ok(table) = arsc::parse(&bytes, &limits) else {
            continue;
        };
        if table.packages.iter().any(|p| p.id == 0) {
            // aapt renumbers shared libraries at load time; ids differ.
            continue;
        }
        files += 1;
        for line in badging.lines() {
            let Some((key, value)) = line.split_once(":'") else {
                continue;
            };
            let expected = value.strip_suffix('\'').unwrap_or(value);
            let (id, device) = if key == "application-label" {
                (label, badging_device("", 160))
            } else if let Some(loc) = key.strip_prefix("application-label-") {
                (label, badging_device(&loc.replace('_', "-"), 160))
            } else if let Some(d) = key.strip_prefix("application-icon-") {
                (icon, badging_device("", d.parse().unwrap_or(160)))
            } else {
                continue;
            };
            let Some(id) = id else { continue };
            checked += 1;
            let got = table.resolve_for(id, &device, &limits).value;
            let got = match got {
                Some(fingertip::resvalue::Value::String(s)) => normalize(&s),
                other => format!("{other:?}"),
            };
            if got == expected {
                agree += 1;
            } else {
                problems.push(format!(
                    "{}: {key}: aapt {expected:?}, ours {got:?}",
                    apk.display()
                ));
            }
        }
    }
    for p in &problems {
        println!("{p}");
    }
    println!("aapt badging: {files} files, label/icon resolutions agree {agree}/{checked}");
    assert!(
        problems.is_empty(),
        "{} resolution(s) disagree with aapt badging",
        problems.len()
    );
}

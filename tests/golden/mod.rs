//! Readers for the committed peer outputs in `fixtures/expected/`
//! (`fixtures/README.md`, "Golden outputs"): aapt/aapt2 `dump badging`,
//! aapt `dump xmltree`, aapt `dump --values resources`, aapt `list -v`,
//! androguard's JSON and the hand-derived `android_rules.json`.
//!
//! Nothing here runs a tool: the tests depend only on the committed files.
//! The readers are deliberately literal (they keep what the tool printed);
//! the Android rules that turn a printed value into a fact live in the tests.

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every APK in `fixtures/apks/`, by base name.
pub const APKS: &[&str] = &[
    "example",
    "legacy",
    "minimal",
    "modern",
    "obfuscated_attrs",
    "sharedlib",
    "sparse",
    "sparse_dense",
];

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn apk_path(apk: &str) -> PathBuf {
    fixtures().join("apks").join(format!("{apk}.apk"))
}

/// A file from `fixtures/expected/`.
pub fn expected(file: &str) -> String {
    let p = fixtures().join("expected").join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("golden file {}: {e}", p.display()))
}

/// Undoes aapt's `ResTable::normalizeForOutput` (`\\`, `\n`, `\"`).
fn unescape_aapt(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// aapt / aapt2 dump badging

/// `aapt dump badging` (or `aapt2 dump badging`) output, line by line.
pub struct Badging {
    lines: Vec<String>,
}

/// `key='value'` inside a badging line (values are printed unescaped and
/// end at the quote that is followed by a space or the end of the line).
pub fn quoted_attr(line: &str, key: &str) -> Option<String> {
    let pat = format!("{key}='");
    let mut from = 0;
    let start = loop {
        let i = line.get(from..)?.find(&pat)? + from;
        // whole word only: `name=` must not match `versionName=`
        if i == 0 || line[..i].ends_with(' ') || line[..i].ends_with(':') {
            break i + pat.len();
        }
        from = i + 1;
    };
    let rest = &line[start..];
    let mut end = None;
    for (i, _) in rest.match_indices('\'') {
        let after = &rest[i + 1..];
        if after.is_empty() || after.starts_with(' ') {
            end = Some(i);
            break;
        }
    }
    Some(rest[..end?].to_string())
}

impl Badging {
    pub fn aapt(apk: &str) -> Self {
        Self::parse(&expected(&format!("{apk}.badging.txt")))
    }

    pub fn aapt2(apk: &str) -> Self {
        Self::parse(&expected(&format!("{apk}.aapt2.badging.txt")))
    }

    fn parse(text: &str) -> Self {
        Badging {
            lines: text.lines().map(|l| l.trim().to_string()).collect(),
        }
    }

    /// Lines that start with `key` followed by `:` (the rest of the line).
    pub fn all(&self, key: &str) -> Vec<&str> {
        let pfx = format!("{key}:");
        self.lines
            .iter()
            .filter_map(|l| l.strip_prefix(pfx.as_str()))
            .map(str::trim)
            .collect()
    }

    /// A `key:'value'` line.
    pub fn single(&self, key: &str) -> Option<String> {
        let v = self.all(key);
        assert!(v.len() <= 1, "badging has {} `{key}:` lines", v.len());
        v.first().map(|s| s.trim_matches('\'').to_string())
    }

    /// A bare flag line such as `application-debuggable`.
    pub fn has_line(&self, line: &str) -> bool {
        self.lines.iter().any(|l| l == line)
    }

    /// An attribute of the `package:` line (`name`, `versionCode`, ...).
    pub fn package(&self, key: &str) -> Option<String> {
        let line = self.all("package");
        quoted_attr(line.first()?, key)
    }

    /// An attribute of the `application:` line (`label`, `icon`).
    pub fn application(&self, key: &str) -> Option<String> {
        quoted_attr(self.all("application").first()?, key)
    }

    /// `uses-permission:` / `uses-permission-sdk-23:` lines as
    /// (name, maxSdkVersion, sdk_23, implied), in printed order. A line is
    /// implied when a `uses-implied-permission:` line for the same name
    /// follows it.
    pub fn permissions(&self) -> Vec<(String, Option<u32>, bool, bool)> {
        let implied: Vec<String> = self
            .all("uses-implied-permission")
            .iter()
            .filter_map(|l| quoted_attr(l, "name"))
            .collect();
        let mut out = Vec::new();
        for l in &self.lines {
            let (rest, sdk23) = if let Some(r) = l.strip_prefix("uses-permission:") {
                (r, false)
            } else if let Some(r) = l.strip_prefix("uses-permission-sdk-23:") {
                (r, true)
            } else {
                continue;
            };
            let name = quoted_attr(rest.trim(), "name").expect("uses-permission name");
            let max = quoted_attr(rest.trim(), "maxSdkVersion").map(|m| m.parse().unwrap());
            let is_implied = implied.contains(&name);
            out.push((name, max, sdk23, is_implied));
        }
        out
    }

    /// `application-label:` (key `""`) and every `application-label-XX:`.
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for l in &self.lines {
            if let Some(v) = l.strip_prefix("application-label:") {
                out.insert(String::new(), v.trim_matches('\'').to_string());
            } else if let Some(rest) = l.strip_prefix("application-label-") {
                let (loc, v) = rest.split_once(':').expect("application-label-XX:");
                out.insert(loc.to_string(), v.trim_matches('\'').to_string());
            }
        }
        out
    }

    /// `application-icon-<density>:'path'` lines.
    pub fn icons(&self) -> BTreeMap<u32, String> {
        let mut out = BTreeMap::new();
        for l in &self.lines {
            if let Some(rest) = l.strip_prefix("application-icon-") {
                let (d, v) = rest.split_once(':').expect("application-icon-N:");
                out.insert(
                    d.parse().expect("density"),
                    v.trim_matches('\'').to_string(),
                );
            }
        }
        out
    }

    /// `uses-feature:` (required) and `uses-feature-not-required:` names in
    /// printed order, with the names aapt marks as `uses-implied-feature`.
    pub fn features(&self) -> (Vec<(String, bool)>, Vec<String>) {
        let mut all = Vec::new();
        let mut implied = Vec::new();
        for l in &self.lines {
            if let Some(r) = l.strip_prefix("uses-feature:") {
                all.push((quoted_attr(r.trim(), "name").unwrap(), true));
            } else if let Some(r) = l.strip_prefix("uses-feature-not-required:") {
                all.push((quoted_attr(r.trim(), "name").unwrap(), false));
            } else if let Some(r) = l.strip_prefix("uses-implied-feature:") {
                implied.push(quoted_attr(r.trim(), "name").unwrap());
            }
        }
        (all, implied)
    }

    /// `uses-gl-es: '0x20000'`.
    pub fn gl_es(&self) -> Option<u32> {
        let v = self.single("uses-gl-es")?;
        let v = v.trim().trim_matches('\'');
        Some(u32::from_str_radix(v.trim_start_matches("0x"), 16).unwrap())
    }

    /// `uses-library:` (required) and `uses-library-not-required:` names.
    pub fn libraries(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        for l in &self.lines {
            if let Some(v) = l.strip_prefix("uses-library:") {
                out.push((v.trim_matches('\'').to_string(), true));
            } else if let Some(v) = l.strip_prefix("uses-library-not-required:") {
                out.push((v.trim_matches('\'').to_string(), false));
            }
        }
        out
    }

    /// `launchable-activity: name='...'` names.
    pub fn launchable(&self) -> Vec<String> {
        self.all("launchable-activity")
            .iter()
            .filter_map(|l| quoted_attr(l, "name"))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// aapt dump xmltree

/// Public framework attribute ids (`android.R.attr`, fixed since they were
/// added) for every `android:` attribute the fixtures use. Android matches
/// manifest attributes by these ids, never by the pool name, so the xmltree
/// reader does too: that is how `obfuscated_attrs` (junk pool names) reads
/// like its source. `xmltree_attribute_ids_match_names` checks this table
/// against the names aapt prints for the unobfuscated fixtures.
pub const FRAMEWORK_ATTRS: &[(u32, &str)] = &[
    (0x0101_0000, "theme"),
    (0x0101_0001, "label"),
    (0x0101_0002, "icon"),
    (0x0101_0003, "name"),
    (0x0101_0006, "permission"),
    (0x0101_0007, "readPermission"),
    (0x0101_0008, "writePermission"),
    (0x0101_0009, "protectionLevel"),
    (0x0101_000a, "permissionGroup"),
    (0x0101_000c, "hasCode"),
    (0x0101_000e, "enabled"),
    (0x0101_000f, "debuggable"),
    (0x0101_0010, "exported"),
    (0x0101_0011, "process"),
    (0x0101_0018, "authorities"),
    (0x0101_001b, "grantUriPermissions"),
    (0x0101_001c, "priority"),
    (0x0101_001d, "launchMode"),
    (0x0101_001e, "screenOrientation"),
    (0x0101_0020, "description"),
    (0x0101_0024, "value"),
    (0x0101_0025, "resource"),
    (0x0101_0026, "mimeType"),
    (0x0101_0027, "scheme"),
    (0x0101_0028, "host"),
    (0x0101_0029, "port"),
    (0x0101_002a, "path"),
    (0x0101_002b, "pathPrefix"),
    (0x0101_002c, "pathPattern"),
    (0x0101_0202, "targetActivity"),
    (0x0101_020c, "minSdkVersion"),
    (0x0101_021b, "versionCode"),
    (0x0101_021c, "versionName"),
    (0x0101_022b, "windowSoftInputMode"),
    (0x0101_0270, "targetSdkVersion"),
    (0x0101_0271, "maxSdkVersion"),
    (0x0101_0272, "testOnly"),
    (0x0101_0280, "allowBackup"),
    (0x0101_0281, "glEsVersion"),
    (0x0101_028e, "required"),
    (0x0101_02b7, "installLocation"),
    (0x0101_03af, "supportsRtl"),
    (0x0101_04ea, "extractNativeLibs"),
    (0x0101_04ec, "usesCleartextTraffic"),
    (0x0101_04ee, "autoVerify"),
    (0x0101_0527, "networkSecurityConfig"),
    (0x0101_0572, "compileSdkVersion"),
    (0x0101_0573, "compileSdkVersionCodename"),
    (0x0101_0576, "versionCodeMajor"),
];

pub fn framework_attr(id: u32) -> Option<&'static str> {
    FRAMEWORK_ATTRS
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, n)| *n)
}

/// A typed attribute value as aapt prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XValue {
    /// `"text"` (the typed string; aapt also prints the raw one).
    Str(String),
    /// `(type 0xTT)0xDATA`.
    Typed(u8, u32),
    /// `@0xID`.
    Ref(u32),
}

#[derive(Debug, Clone)]
pub struct XAttr {
    /// `Some("android")` for `android:` attributes.
    pub prefix: Option<String>,
    /// The name printed (the string-pool name: junk when obfuscated).
    pub printed: String,
    /// The resource id in parentheses, if any.
    pub id: Option<u32>,
    pub value: XValue,
}

impl XAttr {
    /// The name Android sees: by resource id when it has one.
    pub fn name(&self) -> &str {
        self.id
            .and_then(framework_attr)
            .unwrap_or(self.printed.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct XNode {
    pub name: String,
    pub attrs: Vec<XAttr>,
    pub children: Vec<XNode>,
}

impl XNode {
    /// `android:<name>` matched by resource id.
    pub fn android(&self, name: &str) -> Option<&XValue> {
        self.attrs
            .iter()
            .find(|a| a.prefix.as_deref() == Some("android") && a.name() == name)
            .map(|a| &a.value)
    }

    /// A non-namespaced attribute (`package`, `platformBuildVersionCode`).
    pub fn plain(&self, name: &str) -> Option<&XAttr> {
        self.attrs
            .iter()
            .find(|a| a.prefix.is_none() && a.printed == name)
    }

    /// `android:<name>` as a string value (panics on another type).
    pub fn android_str(&self, name: &str) -> Option<String> {
        match self.android(name)? {
            XValue::Str(s) => Some(s.clone()),
            other => panic!("<{}> android:{name} is not a string: {other:?}", self.name),
        }
    }

    /// `android:<name>` as a boolean (`TYPE_INT_BOOLEAN`).
    pub fn android_bool(&self, name: &str) -> Option<bool> {
        match self.android(name)? {
            XValue::Typed(0x12, d) => Some(*d != 0),
            other => panic!("<{}> android:{name} is not a boolean: {other:?}", self.name),
        }
    }

    /// `android:<name>` as an integer (`TYPE_INT_DEC` / `TYPE_INT_HEX`).
    pub fn android_int(&self, name: &str) -> Option<i64> {
        match self.android(name)? {
            XValue::Typed(0x10 | 0x11, d) => Some(i64::from(*d as i32)),
            other => panic!(
                "<{}> android:{name} is not an integer: {other:?}",
                self.name
            ),
        }
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XNode> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&XNode> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// `aapt dump xmltree X.apk AndroidManifest.xml`: the `<manifest>` element.
pub fn xmltree(apk: &str) -> XNode {
    let text = expected(&format!("{apk}.xmltree.txt"));
    // (indent, node) stack; the root is a virtual node
    let mut stack: Vec<(usize, XNode)> = vec![(0, XNode::default())];
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        if let Some(rest) = body.strip_prefix("E: ") {
            while stack.len() > 1 && stack.last().unwrap().0 >= indent {
                let (_, done) = stack.pop().unwrap();
                stack.last_mut().unwrap().1.children.push(done);
            }
            let (name, _line) = rest.split_once(" (line=").expect("E: name (line=N)");
            stack.push((
                indent,
                XNode {
                    name: name.to_string(),
                    ..XNode::default()
                },
            ));
        } else if let Some(rest) = body.strip_prefix("A: ") {
            let attr = parse_xattr(rest);
            stack.last_mut().unwrap().1.attrs.push(attr);
        }
    }
    while stack.len() > 1 {
        let (_, done) = stack.pop().unwrap();
        stack.last_mut().unwrap().1.children.push(done);
    }
    let mut root = stack.pop().unwrap().1;
    assert_eq!(
        root.children.len(),
        1,
        "{apk}.xmltree.txt: one root element"
    );
    let manifest = root.children.remove(0);
    assert_eq!(manifest.name, "manifest");
    manifest
}

fn parse_xattr(s: &str) -> XAttr {
    let eq = s.find('=').expect("A: name=value");
    let (lhs, rhs) = (&s[..eq], &s[eq + 1..]);
    let (lhs, id) = match lhs.split_once('(') {
        Some((n, id)) => (
            n,
            Some(
                u32::from_str_radix(id.trim_end_matches(')').trim_start_matches("0x"), 16).unwrap(),
            ),
        ),
        None => (lhs, None),
    };
    let (prefix, printed) = match lhs.split_once(':') {
        Some((p, n)) => (Some(p.to_string()), n.to_string()),
        None => (None, lhs.to_string()),
    };
    // `(Raw: "...")` repeats the string (aapt prints the raw string for
    // TYPE_STRING, which equals the typed one in these fixtures).
    let value_text = rhs.find(" (Raw: \"").map_or(rhs, |i| &rhs[..i]);
    let value = if let Some(q) = value_text.strip_prefix('"') {
        XValue::Str(unescape_aapt(q.strip_suffix('"').expect("closing quote")))
    } else if let Some(r) = value_text.strip_prefix("@0x") {
        XValue::Ref(u32::from_str_radix(r, 16).unwrap())
    } else if let Some(t) = value_text.strip_prefix("(type 0x") {
        let (ty, data) = t.split_once(")0x").expect("(type 0xTT)0xDATA");
        XValue::Typed(
            u8::from_str_radix(ty, 16).unwrap(),
            u32::from_str_radix(data, 16).unwrap(),
        )
    } else {
        panic!("unknown xmltree value {value_text:?}");
    };
    XAttr {
        prefix,
        printed,
        id,
        value,
    }
}

// ---------------------------------------------------------------------------
// aapt dump --values resources

/// A default-configuration value from `aapt dump --values resources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResVal {
    Str(String),
    Ref(u32),
    /// `(color) #aarrggbb` and other printed scalars: (kind, text).
    Other(String, String),
}

/// Resource names and default-config values, as aapt printed them.
pub struct AaptResources {
    /// id → `type/name`
    pub names: BTreeMap<u32, String>,
    /// id → value in the default configuration (`config (default):`)
    pub defaults: BTreeMap<u32, ResVal>,
    /// The id aapt assigned to the package group (0x02 for a shared library).
    pub group_id: u32,
}

impl AaptResources {
    pub fn load(apk: &str) -> Self {
        let text = expected(&format!("{apk}.resources-values.txt"));
        let mut names = BTreeMap::new();
        let mut defaults = BTreeMap::new();
        let mut group_id = 0x7f;
        let mut in_default = false;
        let mut pending: Option<u32> = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(r) = t.strip_prefix("Package Group 0 id=0x") {
                group_id = u32::from_str_radix(&r[..2], 16).unwrap();
            } else if let Some(r) = t.strip_prefix("spec resource 0x") {
                let (id, rest) = r.split_once(' ').unwrap();
                let id = u32::from_str_radix(id, 16).unwrap();
                let full = rest.split_once(": flags=").unwrap().0;
                let type_name = full.split_once(':').unwrap().1;
                names.insert(id, type_name.to_string());
            } else if let Some(c) = t.strip_prefix("config ") {
                in_default = c == "(default):";
                pending = None;
            } else if let Some(r) = t.strip_prefix("resource 0x") {
                let id = u32::from_str_radix(r.split_once(' ').unwrap().0, 16).unwrap();
                pending = (in_default && !t.ends_with("<bag>")).then_some(id);
            } else if let Some(id) = pending.take() {
                let (kind, v) = t.split_once(") ").expect("(kind) value");
                let kind = kind.trim_start_matches('(');
                let val = match kind {
                    "string8" | "string16" => ResVal::Str(unescape_aapt(
                        v.strip_prefix('"')
                            .and_then(|v| v.strip_suffix('"'))
                            .unwrap(),
                    )),
                    "reference" => ResVal::Ref(parse_hex(v)),
                    "dynamic reference" => {
                        let r = parse_hex(v);
                        // package 0x00 is the library itself, loaded at group_id
                        let r = if r >> 24 == 0 {
                            r | (group_id << 24)
                        } else {
                            r
                        };
                        ResVal::Ref(r)
                    }
                    other => ResVal::Other(other.to_string(), v.to_string()),
                };
                defaults.insert(id, val);
            }
        }
        AaptResources {
            names,
            defaults,
            group_id,
        }
    }

    /// The default-config value with references followed.
    pub fn resolve(&self, mut id: u32) -> Option<&ResVal> {
        for _ in 0..20 {
            match self.defaults.get(&id)? {
                ResVal::Ref(next) => id = *next,
                v => return Some(v),
            }
        }
        panic!("reference loop at 0x{id:08x}");
    }

    /// The default-config string (references followed).
    pub fn string(&self, id: u32) -> Option<String> {
        match self.resolve(id)? {
            ResVal::Str(s) => Some(s.clone()),
            other => panic!("0x{id:08x} is not a string: {other:?}"),
        }
    }

    /// `@type/name` for a reference.
    pub fn at_name(&self, id: u32) -> String {
        format!(
            "@{}",
            self.names
                .get(&id)
                .unwrap_or_else(|| panic!("no name for 0x{id:08x}"))
        )
    }
}

fn parse_hex(s: &str) -> u32 {
    u32::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap()
}

// ---------------------------------------------------------------------------
// aapt list -v, SHA256SUMS

/// The `N files` total of `aapt list -v`.
pub fn aapt_entry_count(apk: &str) -> usize {
    let text = expected(&format!("{apk}.list.txt"));
    let last = text.lines().last().expect("aapt list -v total line");
    last.split_whitespace()
        .rev()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("N files")
}

/// `SHA256SUMS`: the hash each golden file was made from.
pub fn sha256sums() -> BTreeMap<String, String> {
    expected("SHA256SUMS")
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(h, f)| (f.trim_end_matches(".apk").to_string(), h.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------
// androguard and android_rules.json

pub fn androguard(apk: &str) -> Json {
    serde_json::from_str(&expected(&format!("{apk}.androguard.json"))).expect("androguard json")
}

/// The `android_rules.json` entry for an APK (`same_as` followed).
pub fn rules(apk: &str) -> Json {
    let all: Json = serde_json::from_str(&expected("android_rules.json")).expect("rules json");
    let mut entry = all[format!("{apk}.apk")].clone();
    if let Some(same) = entry["same_as"].as_str() {
        let mut base = all[same].clone();
        for (k, v) in entry.as_object().unwrap() {
            base[k] = v.clone();
        }
        entry = base;
    }
    assert!(entry.is_object(), "android_rules.json has no {apk}.apk");
    entry
}

/// A human note in android_rules.json values ("X (because ...)") → "X".
pub fn rule_text(v: &Json) -> Option<String> {
    let s = v.as_str()?;
    Some(match s.find(" (") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    })
}

/// Android's resource qualifier spelling (`zh-rCN`, androguard's keys) as
/// the BCP-47-ish tag aapt prints and fingertip uses (`zh-CN`).
pub fn qualifier_to_tag(q: &str) -> String {
    match q.split_once("-r") {
        Some((lang, region)) => format!("{lang}-{region}"),
        None => q.to_string(),
    }
}

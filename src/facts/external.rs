//! Third-party signature files given with `--signatures FILE`: the Exodus
//! Privacy tracker list and LibChecker rules. fingertip ships its own table
//! ([`super::sdk_table`]); these files are read at run time, never built in.
//!
//! # Formats (auto-detected)
//!
//! * **Exodus**: `{"trackers": {"<id>": {"name", "code_signature",
//!   "network_signature", "categories": [..], "website", ...}}}`.
//!   `code_signature` is a regular expression searched (unanchored, as
//!   Python's `re.search`) in dotted class names, usually `|`-separated
//!   package names whose dots match any character; `network_signature` is
//!   one searched in host names. As Exodus does, a code signature of three
//!   characters or fewer is ignored (the list uses `""` for "none").
//! * **LibChecker**: `{"rules": {"native-libs" | "activities-libs" |
//!   "services-libs" | "receivers-libs" | "providers-libs": {"<name>":
//!   {"label", "team", "relativeUrl"}}}}`. Native rules are `.so` file
//!   names, matched exactly; component rules are class names matched
//!   against the manifest's components of that kind, exactly or as a
//!   prefix ending at a `.` or `$`. Rules named `regex/...` carry no pattern
//!   in this packed form and are skipped (one warning says how many).
//!
//! # Safety
//!
//! The files are untrusted input. The file is read only up to
//! [`MAX_FILE_SIZE`]. Patterns go through the `regex` crate, whose
//! matching time is linear in the input; each pattern is capped at
//! [`MAX_PATTERN_LEN`] characters and its compiled size at
//! [`PATTERN_SIZE_LIMIT`]. A pattern that fails either check or does not
//! parse (Python-only syntax such as look-around) is skipped with a warning
//! in [`ExternalSignatures::warnings`]; nothing here panics on bad data.
//!
//! # Matching cost
//!
//! All code signatures go into one [`RegexSet`]: each class name is scanned
//! once for every tracker together (`is_match` first, so the common "no
//! tracker" case stays on the set's fastest path, `matches` only for the
//! few that hit). Host names work the same way with the network set.

use super::sdk_table::SdkCategory;
use super::sdks::SdkHit;
use super::{AppInput, Evidence};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Largest signature file read.
pub const MAX_FILE_SIZE: u64 = 64 << 20;
/// Longest pattern (in characters) compiled.
pub const MAX_PATTERN_LEN: usize = 16 << 10;
/// Compiled size limit of one pattern (bytes, see `RegexBuilder::size_limit`).
pub const PATTERN_SIZE_LIMIT: usize = 1 << 20;
/// Compiled size limit of a whole set of patterns.
pub const SET_SIZE_LIMIT: usize = 64 << 20;

/// Why a signature file could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_FILE_SIZE`].
    #[error("{path}: {size} bytes, more than the {max}-byte limit for a signature file")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Not JSON.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON of neither format.
    #[error("neither an Exodus tracker list ({{\"trackers\": {{...}}}}) nor LibChecker rules ({{\"rules\": {{...}}}})")]
    UnknownFormat,
}

/// A loaded signature file.
#[derive(Debug)]
pub enum ExternalSignatures {
    /// An Exodus Privacy tracker list.
    Exodus(ExodusSignatures),
    /// LibChecker rules.
    LibChecker(LibCheckerRules),
}

/// Reads a signature file, detecting its format.
pub fn load(path: &Path) -> Result<ExternalSignatures, SignatureError> {
    ExternalSignatures::load(path)
}

impl ExternalSignatures {
    /// Reads a signature file, detecting its format.
    pub fn load(path: &Path) -> Result<Self, SignatureError> {
        let shown = path.display().to_string();
        let io = |source| SignatureError::Io {
            path: shown.clone(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_FILE_SIZE {
            return Err(SignatureError::TooLarge {
                path: shown,
                size,
                max: MAX_FILE_SIZE,
            });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        Self::from_json(&bytes)
    }

    /// Parses a signature file's contents, detecting its format.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SignatureError> {
        let value: Value = serde_json::from_slice(bytes)?;
        if let Some(trackers) = value.get("trackers").and_then(Value::as_object) {
            return Ok(ExternalSignatures::Exodus(ExodusSignatures::from_map(
                trackers,
            )));
        }
        if let Some(rules) = value.get("rules").and_then(Value::as_object) {
            return Ok(ExternalSignatures::LibChecker(LibCheckerRules::from_map(
                rules,
            )));
        }
        Err(SignatureError::UnknownFormat)
    }

    /// `exodus` or `libchecker` (the [`SdkHit::source`] of its hits).
    pub fn source(&self) -> &'static str {
        match self {
            ExternalSignatures::Exodus(_) => SOURCE_EXODUS,
            ExternalSignatures::LibChecker(_) => SOURCE_LIBCHECKER,
        }
    }

    /// What was skipped while loading, one line each.
    pub fn warnings(&self) -> &[String] {
        match self {
            ExternalSignatures::Exodus(e) => &e.warnings,
            ExternalSignatures::LibChecker(l) => &l.warnings,
        }
    }

    /// Exodus network signatures matched against host names: every
    /// `(tracker, host)` pair, sorted by tracker id then host. Empty for
    /// LibChecker rules.
    pub fn match_hosts<'a>(&'a self, hosts: &'a [String]) -> Vec<(&'a ExodusTracker, &'a str)> {
        match self {
            ExternalSignatures::Exodus(e) => e.match_hosts(hosts),
            ExternalSignatures::LibChecker(_) => Vec::new(),
        }
    }

    /// The SDKs of this file found in the app.
    pub fn detect(&self, input: &AppInput) -> Vec<SdkHit> {
        match self {
            ExternalSignatures::Exodus(e) => e.detect(input),
            ExternalSignatures::LibChecker(l) => l.detect(input),
        }
    }
}

/// [`SdkHit::source`] of Exodus hits.
pub const SOURCE_EXODUS: &str = "exodus";
/// [`SdkHit::source`] of LibChecker hits.
pub const SOURCE_LIBCHECKER: &str = "libchecker";

/// One Exodus tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExodusTracker {
    /// The key in `trackers` (a number, as a string).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Regex over dotted class names.
    pub code_signature: String,
    /// Regex over host names.
    pub network_signature: String,
    /// Exodus categories (`Analytics`, `Advertisement`, `Crash reporting`,
    /// `Identification`, `Location`, `Profiling`).
    pub categories: Vec<String>,
    /// Website.
    pub website: String,
}

impl ExodusTracker {
    /// fingertip's category for the first Exodus category that has one.
    pub fn category(&self) -> SdkCategory {
        self.categories
            .iter()
            .find_map(|c| match c.as_str() {
                "Analytics" | "Profiling" => Some(SdkCategory::Analytics),
                "Advertisement" => Some(SdkCategory::Advertising),
                "Crash reporting" => Some(SdkCategory::CrashReporting),
                "Identification" => Some(SdkCategory::Identity),
                "Location" => Some(SdkCategory::Location),
                _ => None,
            })
            .unwrap_or(SdkCategory::Other)
    }
}

/// Several compiled patterns searched together.
#[derive(Debug)]
enum Matcher {
    /// The usual case: one set.
    Set(RegexSet),
    /// When the patterns are fine one by one but too big as a set (kept
    /// by position, so pattern indices stay valid).
    Each(Vec<Option<Regex>>),
}

impl Matcher {
    /// Compiles `patterns` (each already checked on its own) as one set,
    /// or one by one when the set is too large.
    fn new(patterns: &[&str], warnings: &mut Vec<String>, what: &str) -> Matcher {
        Self::with_limit(patterns, SET_SIZE_LIMIT, warnings, what)
    }

    fn with_limit(
        patterns: &[&str],
        limit: usize,
        warnings: &mut Vec<String>,
        what: &str,
    ) -> Matcher {
        match RegexSetBuilder::new(patterns)
            .size_limit(limit)
            .dfa_size_limit(limit)
            .build()
        {
            Ok(set) => Matcher::Set(set),
            Err(e) => {
                warnings.push(format!(
                    "{what}: the {} patterns do not fit in one set ({e}); matched one by one",
                    patterns.len()
                ));
                Matcher::Each(patterns.iter().map(|p| compile(p).ok()).collect())
            }
        }
    }

    /// Indices of the patterns found in `hay`, appended to `out`.
    fn matches(&self, hay: &str, out: &mut Vec<usize>) {
        match self {
            Matcher::Set(set) => {
                if set.is_match(hay) {
                    out.extend(set.matches(hay).iter());
                }
            }
            Matcher::Each(list) => {
                out.extend(
                    list.iter()
                        .enumerate()
                        .filter(|(_, r)| r.as_ref().is_some_and(|r| r.is_match(hay)))
                        .map(|(i, _)| i),
                );
            }
        }
    }
}

/// One pattern, within the limits.
fn compile(pattern: &str) -> Result<Regex, String> {
    let chars = pattern.chars().count();
    if chars > MAX_PATTERN_LEN {
        return Err(format!(
            "{chars} characters, more than the limit of {MAX_PATTERN_LEN}"
        ));
    }
    RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            e.to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
}

/// A loaded Exodus tracker list.
#[derive(Debug)]
pub struct ExodusSignatures {
    trackers: Vec<ExodusTracker>,
    code: Matcher,
    /// Tracker index of each pattern of `code`.
    code_owner: Vec<usize>,
    network: Matcher,
    network_owner: Vec<usize>,
    warnings: Vec<String>,
}

fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Exodus ignores code signatures this short (`len(code_signature) > 3`).
fn exodus_uses(signature: &str) -> bool {
    signature.chars().count() > 3
}

impl ExodusSignatures {
    fn from_map(map: &serde_json::Map<String, Value>) -> Self {
        let mut warnings = Vec::new();
        let mut trackers = Vec::new();
        for (key, v) in map {
            if !v.is_object() {
                warnings.push(format!("exodus tracker {key}: not an object; skipped"));
                continue;
            }
            let name = match str_field(v, "name") {
                n if n.is_empty() => key.clone(),
                n => n,
            };
            trackers.push(ExodusTracker {
                id: key.clone(),
                name,
                code_signature: str_field(v, "code_signature"),
                network_signature: str_field(v, "network_signature"),
                categories: v
                    .get("categories")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                website: str_field(v, "website"),
            });
        }
        let mut code_patterns = Vec::new();
        let mut code_owner = Vec::new();
        let mut net_patterns = Vec::new();
        let mut network_owner = Vec::new();
        for (i, t) in trackers.iter().enumerate() {
            for (field, sig, patterns, owner) in [
                (
                    "code_signature",
                    &t.code_signature,
                    &mut code_patterns,
                    &mut code_owner,
                ),
                (
                    "network_signature",
                    &t.network_signature,
                    &mut net_patterns,
                    &mut network_owner,
                ),
            ] {
                if !exodus_uses(sig) {
                    continue;
                }
                match compile(sig) {
                    Ok(_) => {
                        patterns.push(sig.as_str());
                        owner.push(i);
                    }
                    Err(e) => warnings.push(format!(
                        "exodus tracker {} ({}): {field} skipped: {e}",
                        t.id, t.name
                    )),
                }
            }
        }
        let code = Matcher::new(&code_patterns, &mut warnings, "exodus code signatures");
        let network = Matcher::new(&net_patterns, &mut warnings, "exodus network signatures");
        ExodusSignatures {
            trackers,
            code,
            code_owner,
            network,
            network_owner,
            warnings,
        }
    }

    /// Every tracker in the file (file order).
    pub fn trackers(&self) -> &[ExodusTracker] {
        &self.trackers
    }

    /// What was skipped while loading.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Trackers whose code signature is found in one dotted class name.
    pub fn match_class(&self, java_name: &str) -> Vec<&ExodusTracker> {
        let mut found = Vec::new();
        self.code.matches(java_name, &mut found);
        found
            .into_iter()
            .filter_map(|p| self.code_owner.get(p))
            .filter_map(|&t| self.trackers.get(t))
            .collect()
    }

    /// Network signatures against host names: `(tracker, host)` pairs,
    /// sorted by tracker id (numerically when both are numbers), then host.
    pub fn match_hosts<'a>(&'a self, hosts: &'a [String]) -> Vec<(&'a ExodusTracker, &'a str)> {
        let mut out: Vec<(usize, &str)> = Vec::new();
        let mut found = Vec::new();
        for host in hosts {
            found.clear();
            self.network.matches(host, &mut found);
            out.extend(
                found
                    .iter()
                    .filter_map(|p| self.network_owner.get(*p))
                    .map(|&t| (t, host.as_str())),
            );
        }
        let mut pairs: Vec<(&ExodusTracker, &str)> = out
            .into_iter()
            .filter_map(|(t, h)| Some((self.trackers.get(t)?, h)))
            .collect();
        pairs.sort_by(|a, b| id_order(&a.0.id, &b.0.id).then_with(|| a.1.cmp(b.1)));
        pairs.dedup_by(|a, b| a.0.id == b.0.id && a.1 == b.1);
        pairs
    }

    /// Trackers found among the app's classes (every DEX, nested included).
    pub fn detect(&self, input: &AppInput) -> Vec<SdkHit> {
        /// Count and alphabetically first class, per tracker and DEX group.
        type Seen = BTreeMap<Option<String>, (usize, String)>;
        let mut per: BTreeMap<usize, Seen> = BTreeMap::new();
        let mut name = String::new();
        let mut found = Vec::new();
        for dex in input.dex {
            let group = dex.nested.then(|| dex.path.clone());
            for class in dex.dex.classes() {
                if !descriptor_to_dotted(&class.descriptor, &mut name) {
                    continue;
                }
                found.clear();
                self.code.matches(&name, &mut found);
                for &p in &found {
                    let Some(&t) = self.code_owner.get(p) else {
                        continue;
                    };
                    let slot = per
                        .entry(t)
                        .or_default()
                        .entry(group.clone())
                        .or_insert_with(|| (0, name.clone()));
                    slot.0 += 1;
                    if name < slot.1 {
                        slot.1.clone_from(&name);
                    }
                }
            }
        }
        per.into_iter()
            .filter_map(|(t, groups)| {
                let tracker = self.trackers.get(t)?;
                let classes = groups.values().map(|(n, _)| n).sum();
                let mut evidence: Vec<Evidence> = groups
                    .into_iter()
                    .map(|(group, (n, first))| {
                        let more = match n {
                            1 => String::new(),
                            2 => " and 1 more class".to_string(),
                            n => format!(" and {} more classes", n - 1),
                        };
                        let where_ = group.map(|g| format!(", nested {g}")).unwrap_or_default();
                        Evidence::new(SOURCE_EXODUS, format!("{first}{more}{where_}"))
                    })
                    .collect();
                evidence.sort();
                Some(SdkHit {
                    id: format!("exodus:{}", tracker.id),
                    name: tracker.name.clone(),
                    vendor: String::new(),
                    category: tracker.category(),
                    tracker: true,
                    source: SOURCE_EXODUS,
                    evidence,
                    classes,
                })
            })
            .collect()
    }
}

/// Numeric ids in numeric order, others after them as strings.
fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// `Lcom/foo/Bar;` → `com.foo.Bar` into `out`; false for anything else.
pub(crate) fn descriptor_to_dotted(descriptor: &str, out: &mut String) -> bool {
    let Some(inner) = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .filter(|d| !d.is_empty())
    else {
        return false;
    };
    out.clear();
    out.extend(inner.chars().map(|c| if c == '/' { '.' } else { c }));
    true
}

/// Component kinds of LibChecker rules, in `rules` key order.
const LIBCHECKER_KINDS: [(&str, &str); 4] = [
    ("activities-libs", "activity"),
    ("services-libs", "service"),
    ("receivers-libs", "receiver"),
    ("providers-libs", "provider"),
];

/// One LibChecker rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibCheckerRule {
    /// The `.so` name or component class name (prefix).
    pub name: String,
    /// Display name of the library.
    pub label: String,
    /// Who makes it.
    pub team: String,
    /// Documentation link.
    pub url: String,
}

/// Loaded LibChecker rules.
#[derive(Debug, Default)]
pub struct LibCheckerRules {
    native: HashMap<String, LibCheckerRule>,
    /// Per component kind (see `LIBCHECKER_KINDS`): name → rule.
    components: [HashMap<String, LibCheckerRule>; 4],
    warnings: Vec<String>,
}

impl LibCheckerRules {
    fn from_map(map: &serde_json::Map<String, Value>) -> Self {
        let mut rules = LibCheckerRules::default();
        let mut regex_rules = 0usize;
        for (kind, entries) in map {
            let target = if kind == "native-libs" {
                Some(&mut rules.native)
            } else {
                LIBCHECKER_KINDS
                    .iter()
                    .position(|(k, _)| k == kind)
                    .and_then(|i| rules.components.get_mut(i))
            };
            let Some(target) = target else {
                rules
                    .warnings
                    .push(format!("libchecker: rule kind {kind:?} not used"));
                continue;
            };
            let Some(entries) = entries.as_object() else {
                rules
                    .warnings
                    .push(format!("libchecker: {kind} is not an object; skipped"));
                continue;
            };
            for (name, v) in entries {
                if name.starts_with("regex/") {
                    regex_rules += 1;
                    continue;
                }
                let label = match str_field(v, "label") {
                    l if l.is_empty() => name.clone(),
                    l => l,
                };
                target.insert(
                    name.clone(),
                    LibCheckerRule {
                        name: name.clone(),
                        label,
                        team: str_field(v, "team"),
                        url: str_field(v, "relativeUrl"),
                    },
                );
            }
        }
        if regex_rules > 0 {
            rules.warnings.push(format!(
                "libchecker: {regex_rules} regex/... rules carry no pattern in this file; skipped"
            ));
        }
        rules
    }

    /// What was skipped while loading.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Number of usable rules.
    pub fn len(&self) -> usize {
        self.native.len() + self.components.iter().map(HashMap::len).sum::<usize>()
    }

    /// True when no rule is usable.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rule for a component class name of `kind` (`activities-libs`,
    /// ...): exact, else the longest rule that is a prefix ending at a `.`
    /// or `$` of the name.
    pub fn component_rule(&self, kind: &str, class_name: &str) -> Option<&LibCheckerRule> {
        let i = LIBCHECKER_KINDS.iter().position(|(k, _)| *k == kind)?;
        let map = self.components.get(i)?;
        if let Some(r) = map.get(class_name) {
            return Some(r);
        }
        class_name
            .char_indices()
            .rev()
            .filter(|(_, c)| *c == '.' || *c == '$')
            .find_map(|(at, _)| class_name.get(..at).and_then(|p| map.get(p)))
    }

    /// Libraries found by native library name or manifest component.
    pub fn detect(&self, input: &AppInput) -> Vec<SdkHit> {
        // label -> (rule, evidence)
        let mut per: BTreeMap<&str, (&LibCheckerRule, Vec<Evidence>)> = BTreeMap::new();
        for lib in &input.native.libs {
            if let Some(rule) = self.native.get(&lib.name) {
                per.entry(&rule.label)
                    .or_insert_with(|| (rule, Vec::new()))
                    .1
                    .push(Evidence::new(
                        SOURCE_LIBCHECKER,
                        format!("native_lib {}", lib.path),
                    ));
            }
        }
        let m = input.manifest;
        let lists = [&m.activities, &m.services, &m.receivers, &m.providers];
        for ((kind, label), list) in LIBCHECKER_KINDS.iter().zip(lists) {
            for c in list.iter() {
                if let Some(rule) = self.component_rule(kind, &c.name) {
                    per.entry(&rule.label)
                        .or_insert_with(|| (rule, Vec::new()))
                        .1
                        .push(Evidence::new(
                            SOURCE_LIBCHECKER,
                            format!("{label} {}", c.name),
                        ));
                }
            }
        }
        per.into_iter()
            .map(|(label, (rule, mut evidence))| {
                evidence.sort();
                evidence.dedup();
                SdkHit {
                    id: format!("libchecker:{label}"),
                    name: label.to_string(),
                    vendor: rule.team.clone(),
                    category: SdkCategory::Other,
                    tracker: false,
                    source: SOURCE_LIBCHECKER,
                    evidence,
                    classes: 0,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::sdks::tests::{component, dex_with, lib};
    use crate::facts::DexInput;
    use crate::manifest::Manifest;
    use crate::native::NativeReport;

    const EXODUS: &str = r#"{"trackers": {
        "1": {"name": "Teemo", "code_signature": "com.databerries.|com.geolocstation.",
              "network_signature": "databerries\\.com", "categories": ["Location"], "website": "x"},
        "5": {"name": "Empty", "code_signature": "", "network_signature": "", "categories": []},
        "7": {"name": "Bad", "code_signature": "com.(bad", "network_signature": "", "categories": []},
        "9": {"name": "Lookaround", "code_signature": "com.(?=x)foo", "network_signature": "", "categories": []},
        "70": {"name": "Umeng", "code_signature": "com.umeng.analytics.", "network_signature": "umeng\\.com|umengcloud\\.com",
              "categories": ["Advertisement", "Analytics"]}
    }}"#;

    fn exodus() -> ExternalSignatures {
        ExternalSignatures::from_json(EXODUS.as_bytes()).unwrap()
    }

    #[test]
    fn format_detection_and_errors() {
        assert_eq!(exodus().source(), "exodus");
        let lc = ExternalSignatures::from_json(br#"{"rules": {"native-libs": {}}}"#).unwrap();
        assert_eq!(lc.source(), "libchecker");
        assert!(matches!(
            ExternalSignatures::from_json(b"{\"x\": 1}"),
            Err(SignatureError::UnknownFormat)
        ));
        assert!(matches!(
            ExternalSignatures::from_json(b"[1,"),
            Err(SignatureError::Json(_))
        ));
        assert!(matches!(
            load(Path::new("/nonexistent/sigs.json")),
            Err(SignatureError::Io { .. })
        ));
    }

    #[test]
    fn bad_patterns_are_warnings_not_failures() {
        let s = exodus();
        let w = s.warnings();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("tracker 7 (Bad)"), "{w:?}");
        assert!(w[1].contains("tracker 9 (Lookaround)"), "{w:?}");
    }

    #[test]
    fn huge_patterns_are_refused() {
        let big = "a".repeat(MAX_PATTERN_LEN + 1);
        assert!(compile(&big).is_err());
        // Small text, huge program: a{1000}{1000} exceeds the size limit.
        assert!(compile("(a{1000}){1000}").is_err());
    }

    #[test]
    fn a_set_too_large_falls_back_to_one_by_one() {
        let patterns = ["com.a.", "(x{100}){10}", "com.b."];
        let mut warnings = Vec::new();
        let m = Matcher::with_limit(&patterns, 2000, &mut warnings, "test");
        assert!(matches!(m, Matcher::Each(_)), "{m:?}");
        assert_eq!(warnings.len(), 1);
        let mut found = Vec::new();
        m.matches("xx.com.b.C", &mut found);
        assert_eq!(found, [2]);
        let m = Matcher::new(&patterns, &mut warnings, "test");
        assert!(matches!(m, Matcher::Set(_)));
        found.clear();
        m.matches("xx.com.b.C", &mut found);
        assert_eq!(found, [2]);
    }

    #[test]
    fn exodus_classes_and_hosts() {
        let ExternalSignatures::Exodus(e) = exodus() else {
            unreachable!()
        };
        assert_eq!(
            e.match_class("com.umeng.analytics.MobclickAgent")
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>(),
            ["70"]
        );
        // Dots are wildcards and the search is unanchored, as in Python.
        assert_eq!(e.match_class("x.com/databerriesX.Y").len(), 1);
        assert!(e.match_class("com.umeng.Other").is_empty());
        let hosts = vec![
            "alog.umeng.com".to_string(),
            "api.databerries.com".to_string(),
            "example.org".to_string(),
        ];
        let pairs: Vec<(&str, &str)> = e
            .match_hosts(&hosts)
            .into_iter()
            .map(|(t, h)| (t.id.as_str(), h))
            .collect();
        assert_eq!(
            pairs,
            [("1", "api.databerries.com"), ("70", "alog.umeng.com")]
        );
    }

    #[test]
    fn exodus_hits_in_an_app() {
        let sigs = exodus();
        let dex = vec![
            DexInput {
                path: "classes.dex".into(),
                nested: false,
                dex: dex_with(&[
                    "Lcom/umeng/analytics/B;",
                    "Lcom/umeng/analytics/A;",
                    "Lgov/x/Main;",
                ]),
            },
            DexInput {
                path: "assets/x.dex".into(),
                nested: true,
                dex: dex_with(&["Lcom/databerries/Z;"]),
            },
        ];
        let manifest = Manifest::default();
        let native = NativeReport::default();
        let input = AppInput {
            manifest: &manifest,
            dex: &dex,
            native: &native,
            entries: &[],
            texts: &[],
        };
        let hits = crate::facts::sdks::detect(&input, std::slice::from_ref(&sigs));
        let ex: Vec<&SdkHit> = hits.iter().filter(|h| h.source == "exodus").collect();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].id, "exodus:1");
        assert_eq!(ex[0].category, SdkCategory::Location);
        assert_eq!(
            ex[0].evidence,
            [Evidence::new(
                "exodus",
                "com.databerries.Z, nested assets/x.dex"
            )]
        );
        assert_eq!(ex[1].id, "exodus:70");
        assert_eq!(ex[1].classes, 2);
        assert_eq!(ex[1].category, SdkCategory::Advertising);
        assert!(ex[1].tracker);
        assert_eq!(
            ex[1].evidence,
            [Evidence::new(
                "exodus",
                "com.umeng.analytics.A and 1 more class"
            )]
        );
        // The builtin row is reported too, under its own id.
        assert!(hits.iter().any(|h| h.id == "umeng_analytics"));
    }

    #[test]
    fn libchecker_native_and_component_rules() {
        let sigs = ExternalSignatures::from_json(
            br#"{"rules": {
              "native-libs": {"libjiagu.so": {"label": "360 Jiagu", "team": "Qihoo 360", "relativeUrl": "u"},
                              "regex/regex_x": {"label": "X"}},
              "services-libs": {"com.igexin.sdk": {"label": "Getui", "team": "Getui", "relativeUrl": "u"},
                                "cn.jpush.android.service.PushService": {"label": "JPush", "team": "Aurora"}},
              "static-libs": {}
            }}"#,
        )
        .unwrap();
        assert_eq!(sigs.warnings().len(), 2, "{:?}", sigs.warnings());
        let ExternalSignatures::LibChecker(rules) = &sigs else {
            unreachable!()
        };
        assert_eq!(rules.len(), 3);
        assert!(rules
            .component_rule("services-libs", "com.igexin.sdk.PushService")
            .is_some());
        assert!(rules
            .component_rule("services-libs", "com.igexin.sdkx.PushService")
            .is_none());
        assert!(rules
            .component_rule("activities-libs", "com.igexin.sdk.PushService")
            .is_none());
        let mut manifest = Manifest::default();
        manifest
            .services
            .push(component("cn.jpush.android.service.PushService"));
        manifest
            .services
            .push(component("com.igexin.sdk.PushService"));
        manifest.activities.push(component("com.igexin.sdk.Other"));
        let native = NativeReport {
            abis: Vec::new(),
            libs: vec![lib("assets/libjiagu.so")],
            anomalies: Vec::new(),
        };
        let input = AppInput {
            manifest: &manifest,
            dex: &[],
            native: &native,
            entries: &[],
            texts: &[],
        };
        let hits = sigs.detect(&input);
        let got: Vec<(&str, &str, Vec<&str>)> = hits
            .iter()
            .map(|h| {
                (
                    h.id.as_str(),
                    h.vendor.as_str(),
                    h.evidence.iter().map(|e| e.value.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "libchecker:360 Jiagu",
                    "Qihoo 360",
                    vec!["native_lib assets/libjiagu.so"]
                ),
                (
                    "libchecker:Getui",
                    "Getui",
                    vec!["service com.igexin.sdk.PushService"]
                ),
                (
                    "libchecker:JPush",
                    "Aurora",
                    vec!["service cn.jpush.android.service.PushService"]
                ),
            ]
        );
    }

    #[test]
    fn dotted_names() {
        let mut s = String::new();
        assert!(descriptor_to_dotted("Lcom/a/B$1;", &mut s));
        assert_eq!(s, "com.a.B$1");
        assert!(!descriptor_to_dotted("[I", &mut s));
        assert!(!descriptor_to_dotted("L;", &mut s));
        assert!(!descriptor_to_dotted("", &mut s));
    }
}

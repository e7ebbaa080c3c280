//! `--format sarif`: SARIF 2.1.0 logs for code-scanning systems.
//!
//! One result per consolidation finding (a `cluster` cluster, a `check`
//! duplicate: rule `FT001`) and per high-risk fact of an app (`FT002`
//! debuggable release, `FT003` cleartext traffic, `FT004` exported component
//! without permission, `FT005` packed code). Locations are the APK files,
//! as URIs relative to the working directory when the paths were given
//! relative. Rule ids never change meaning; see `docs/report-formats.md`.

use crate::cluster::{AppEntry, CheckReport, ClusterReport, PairExplanation};
use crate::scan::AppFacts;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The `$schema` of the logs written.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Components listed in one `FT004` message (all are in its properties).
const MAX_COMPONENTS_LISTED: usize = 5;

/// A rule: stable id, name, texts, default level.
pub struct Rule {
    /// Stable id (`FT001`...).
    pub id: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    /// One line.
    pub short: &'static str,
    /// One paragraph.
    pub full: &'static str,
    /// What to do about it (Markdown allowed in `help.markdown`).
    pub help: &'static str,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// GitHub's `security-severity` (0-10), for security rules.
    pub security_severity: Option<&'static str>,
    /// Tags.
    pub tags: &'static [&'static str],
}

/// Every rule, by id.
pub const RULES: [Rule; 5] = [
    Rule {
        id: "FT001",
        name: "duplicated-functionality",
        short: "Apps duplicate each other's functionality",
        full: "These apps offer the same function to their users (similar screens, texts, \
               endpoints, permissions and platform API use), whoever built them. Each \
               duplicate costs development, maintenance, security review and hosting, and \
               splits users between apps that do the same job.",
        help: "Review the apps of the finding together: if they serve the same users for the \
               same job, consolidate them into one app (or one shared code base) and retire \
               the others. `fingertip compare A B` explains a pair dimension by dimension.",
        level: "warning",
        security_severity: None,
        tags: &["maintainability", "duplication"],
    },
    Rule {
        id: "FT002",
        name: "debuggable-release",
        short: "App is built debuggable",
        full: "The manifest sets android:debuggable=\"true\". Anyone with USB or ADB access \
               can attach a debugger, read the app's private files and run code with its \
               identity; release builds must not be debuggable.",
        help: "Build the release variant (debuggable false, the Gradle default for release) \
               and remove android:debuggable from the manifest.",
        level: "error",
        security_severity: Some("7.5"),
        tags: &["security", "CWE-489"],
    },
    Rule {
        id: "FT003",
        name: "cleartext-traffic",
        short: "App allows cleartext (HTTP) traffic",
        full: "The app allows unencrypted HTTP traffic: android:usesCleartextTraffic is \
               \"true\", or undeclared with a target SDK below 28 where it defaults to true. \
               Data sent this way can be read and altered by anyone on the network path.",
        help: "Serve every endpoint over HTTPS and set android:usesCleartextTraffic=\"false\" \
               (or cleartextTrafficPermitted=\"false\" in the network security \
               configuration).",
        level: "warning",
        security_severity: Some("5.9"),
        tags: &["security", "CWE-319"],
    },
    Rule {
        id: "FT004",
        name: "exported-component-without-permission",
        short: "Exported component without a permission",
        full: "Activities, services, receivers or providers other than the launcher activity \
               are exported (explicitly or through an intent filter) and no permission \
               guards them: any app on the device can start or query them.",
        help: "Set android:exported=\"false\" on components other apps need not reach, or \
               guard them with a signature-level permission.",
        level: "warning",
        security_severity: Some("5.3"),
        tags: &["security", "CWE-926"],
    },
    Rule {
        id: "FT005",
        name: "packed-code",
        short: "App code is packed or protected",
        full: "The app's code is packed or wrapped by a protector: the code a reviewer can \
               read is not the code that runs, so the app cannot be audited from its package \
               and malware uses the same technique.",
        help: "Ask the vendor for an unpacked build (or the source) for review; prefer \
               obfuscation (R8) over packers for intellectual-property protection.",
        level: "note",
        security_severity: Some("4.0"),
        tags: &["security", "reviewability"],
    },
];

fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

fn rule_index(id: &str) -> usize {
    RULES.iter().position(|r| r.id == id).unwrap_or(0)
}

fn rules_json() -> Value {
    Value::Array(
        RULES
            .iter()
            .map(|r| {
                let mut props = Map::new();
                props.insert("tags".into(), json!(r.tags));
                if let Some(s) = r.security_severity {
                    props.insert("security-severity".into(), json!(s));
                }
                json!({
                    "id": r.id,
                    "name": r.name,
                    "shortDescription": { "text": r.short },
                    "fullDescription": { "text": r.full },
                    "help": { "text": r.help, "markdown": r.help },
                    "defaultConfiguration": { "level": r.level },
                    "properties": Value::Object(props),
                })
            })
            .collect(),
    )
}

/// The SARIF log around `results`.
fn log(tool: &str, results: Vec<Value>, notifications: Vec<Value>, props: Value) -> Value {
    let version = tool
        .strip_prefix("fingertip ")
        .unwrap_or(env!("CARGO_PKG_VERSION"));
    let mut driver = Map::new();
    driver.insert("name".into(), json!("fingertip"));
    driver.insert("version".into(), json!(version));
    driver.insert("semanticVersion".into(), json!(version));
    let repo = env!("CARGO_PKG_REPOSITORY");
    if !repo.is_empty() {
        driver.insert("informationUri".into(), json!(repo));
    }
    driver.insert("rules".into(), rules_json());
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": Value::Object(driver) },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": props,
        }]
    })
}

fn text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// `cluster --format sarif`.
pub fn cluster_sarif(r: &ClusterReport) -> String {
    let mut results = Vec::new();
    for c in &r.clusters {
        let Some((first, others)) = c.members.split_first() else {
            continue;
        };
        let names: Vec<String> = others.iter().map(|f| app_name(r.app(f), f)).collect();
        let links: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("[{}]({})", link_text(n), i + 1))
            .collect();
        let message = format!(
            "{} Cluster {} of {} apps (cohesion {:.2}, weakest pair {:.2}); other members: {}.",
            escape_message(&c.explanation),
            c.id,
            c.members.len(),
            c.score,
            c.min_score,
            links.join(", ")
        );
        let related: Vec<Value> = others
            .iter()
            .zip(&names)
            .enumerate()
            .map(|(i, (f, n))| related_location(i + 1, f, n))
            .collect();
        let mut packages: Vec<&str> = c
            .members
            .iter()
            .map(|f| r.app(f).map(|a| a.package.as_str()).unwrap_or(f))
            .collect();
        packages.sort_unstable();
        results.push(json!({
            "ruleId": "FT001",
            "ruleIndex": rule_index("FT001"),
            "level": "warning",
            "message": { "text": message },
            "locations": [location(first, &app_name(r.app(first), first))],
            "relatedLocations": related,
            "partialFingerprints": { "fingertipFinding/v1": fingerprint(&["FT001", &packages.join(",")]) },
            "properties": {
                "cluster": c.id,
                "score": c.score,
                "minScore": c.min_score,
                "members": c.members,
                "retirable": c.members.len().saturating_sub(1),
            },
        }));
    }
    for a in &r.apps {
        if let Some(f) = &a.facts {
            results.extend(risk_results(&a.file, &app_name(Some(a), &a.file), f));
        }
    }
    let notifications = r
        .apps
        .iter()
        .filter_map(|a| a.error.as_ref().map(|e| not_analysed(&a.file, e)))
        .collect();
    let props = json!({
        "threshold": r.threshold,
        "summary": r.summary,
    });
    text(&log(&r.tool, results, notifications, props))
}

/// `check --format sarif`: the new app's duplicates and its risks.
pub fn check_sarif(r: &CheckReport) -> String {
    let name = r
        .facts
        .as_ref()
        .and_then(|f| f.label.clone())
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| r.package.clone());
    let mut results: Vec<Value> = r
        .duplicates
        .iter()
        .map(|d| duplicate_result(r, &name, d))
        .collect();
    if let Some(f) = &r.facts {
        results.extend(risk_results(&r.file, &name, f));
    }
    let notifications = r
        .collection_errors
        .iter()
        .filter_map(|a| a.error.as_ref().map(|e| not_analysed(&a.file, e)))
        .collect();
    let props = json!({
        "threshold": r.threshold,
        "collection": r.collection,
        "duplicates": r.duplicates.len(),
    });
    text(&log(&r.tool, results, notifications, props))
}

fn duplicate_result(r: &CheckReport, name: &str, d: &PairExplanation) -> Value {
    let other = file_name(&d.b);
    let message = format!(
        "{} Duplicates [{}](1) (score {:.2}, threshold {:.2}).",
        escape_message(&d.explanation),
        link_text(other),
        d.score,
        r.threshold
    );
    json!({
        "ruleId": "FT001",
        "ruleIndex": rule_index("FT001"),
        "level": "warning",
        "message": { "text": message },
        "locations": [location(&r.file, name)],
        "relatedLocations": [related_location(1, &d.b, other)],
        "partialFingerprints": { "fingertipFinding/v1": fingerprint(&["FT001", &r.package, file_name(&d.b)]) },
        "properties": { "score": d.score, "duplicateOf": d.b },
    })
}

/// `FT002`..`FT005` results for one app.
fn risk_results(file: &str, name: &str, f: &AppFacts) -> Vec<Value> {
    let mut out = Vec::new();
    let who = if f.package.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", f.package)
    };
    let who = escape_message(&who);
    let mut push = |id: &str, message: String, extra: Value, logical: Vec<Value>| {
        let Some(rule) = rule(id) else {
            return;
        };
        let mut loc = location(file, name);
        if !logical.is_empty() {
            if let Some(obj) = loc.as_object_mut() {
                obj.insert("logicalLocations".into(), Value::Array(logical));
            }
        }
        out.push(json!({
            "ruleId": rule.id,
            "ruleIndex": rule_index(rule.id),
            "level": rule.level,
            "message": { "text": message },
            "locations": [loc],
            "partialFingerprints": { "fingertipFinding/v1": fingerprint(&[rule.id, &f.package, file_name(file)]) },
            "properties": extra,
        }));
    };
    if f.debuggable {
        push(
            "FT002",
            format!("{who} is built with android:debuggable=\"true\"."),
            json!({}),
            Vec::new(),
        );
    }
    if f.cleartext_traffic {
        push(
            "FT003",
            format!("{who} allows cleartext (HTTP) traffic."),
            json!({}),
            Vec::new(),
        );
    }
    if !f.exported_unguarded.is_empty() {
        let listed: Vec<String> = f
            .exported_unguarded
            .iter()
            .take(MAX_COMPONENTS_LISTED)
            .map(|c| escape_message(c))
            .collect();
        let more = f
            .exported_unguarded
            .len()
            .saturating_sub(MAX_COMPONENTS_LISTED);
        let n = f.exported_unguarded.len();
        let message = format!(
            "{who} exports {n} component{} that no permission guards: {}{}.",
            if n == 1 { "" } else { "s" },
            listed.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        let logical = f
            .exported_unguarded
            .iter()
            .map(|c| json!({ "fullyQualifiedName": c, "kind": "type" }))
            .collect();
        push(
            "FT004",
            message,
            json!({ "components": f.exported_unguarded }),
            logical,
        );
    }
    if f.packed || !f.packers.is_empty() {
        let message = if f.packers.is_empty() {
            format!("{who} has packed code.")
        } else {
            format!(
                "{who} has code packed or protected by {}.",
                escape_message(&f.packers.join(", "))
            )
        };
        push(
            "FT005",
            message,
            json!({ "packers": f.packers }),
            Vec::new(),
        );
    }
    out
}

fn not_analysed(file: &str, error: &str) -> Value {
    json!({
        "level": "error",
        "message": { "text": format!("Not analysed: {}", escape_message(error)) },
        "locations": [location(file, file_name(file))],
        "descriptor": { "id": "not-analysed" },
    })
}

fn location(file: &str, name: &str) -> Value {
    json!({
        "physicalLocation": { "artifactLocation": { "uri": file_uri(file) } },
        "message": { "text": name },
    })
}

fn related_location(id: usize, file: &str, name: &str) -> Value {
    json!({
        "id": id,
        "physicalLocation": { "artifactLocation": { "uri": file_uri(file) } },
        "message": { "text": name },
    })
}

/// Label, else package, else file name.
fn app_name(app: Option<&AppEntry>, file: &str) -> String {
    app.and_then(|a| a.label.clone())
        .filter(|l| !l.trim().is_empty())
        .or_else(|| app.map(|a| a.package.clone()).filter(|p| !p.is_empty()))
        .unwrap_or_else(|| file_name(file).to_string())
}

fn file_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// A stable, short fingerprint of a finding's identity.
fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Message text is plain text in which `[text](id)` makes an embedded
/// link: brackets read from the apps are escaped.
fn escape_message(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn link_text(s: &str) -> String {
    escape_message(s)
}

/// A file path as a URI reference: relative paths stay relative (with `/`
/// separators), absolute ones become `file://` URIs; characters outside
/// RFC 3986's unreserved set and `/` are percent-encoded.
pub fn file_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let bytes = p.as_bytes();
    let drive = bytes.len() >= 3
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && bytes.get(2) == Some(&b'/');
    let (prefix, rest) = if p.starts_with('/') {
        ("file://", p.as_str())
    } else if drive {
        ("file:///", p.as_str())
    } else {
        ("", p.as_str())
    };
    let mut out = String::from(prefix);
    for (i, seg) in rest.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let keep_colon = drive && i == 0;
        for b in seg.bytes() {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'.' | b'_' | b'~')
                || (keep_colon && b == b':')
            {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(file_uri("apks/a b.apk"), "apks/a%20b.apk");
        assert_eq!(file_uri("/srv/apks/x.apk"), "file:///srv/apks/x.apk");
        assert_eq!(file_uri("C:\\apks\\x.apk"), "file:///C:/apks/x.apk");
        assert_eq!(file_uri("a:b.apk"), "a%3Ab.apk");
        assert_eq!(file_uri("长沙.apk"), "%E9%95%BF%E6%B2%99.apk");
    }

    #[test]
    fn rule_ids_are_stable() {
        let ids: Vec<(&str, &str)> = RULES.iter().map(|r| (r.id, r.name)).collect();
        assert_eq!(
            ids,
            [
                ("FT001", "duplicated-functionality"),
                ("FT002", "debuggable-release"),
                ("FT003", "cleartext-traffic"),
                ("FT004", "exported-component-without-permission"),
                ("FT005", "packed-code"),
            ]
        );
    }
}

//! `--format md`: a short Markdown summary of a [`ClusterReport`] or
//! [`CheckReport`] that fits a pull-request comment or an audit memo
//! (GitHub-flavoured tables; long lists are cut with "and N more").
//!
//! Everything read from the APKs (labels, packages, certificate subjects,
//! screen titles) is escaped: it cannot open links, images, HTML or
//! mentions. The layout is documented in `docs/report-formats.md`.

use crate::cluster::{AppEntry, CheckReport, ClusterReport, PairExplanation};
use crate::scan::AppFacts;
use std::fmt::Write as _;

/// Clusters described in detail (the overview table lists them all up to
/// [`MAX_TABLE`]).
const MAX_DETAILED: usize = 10;
/// Rows of the overview table.
const MAX_TABLE: usize = 25;
/// Members listed per cluster.
const MAX_MEMBERS: usize = 20;
/// Apps named per risk.
const MAX_RISK_APPS: usize = 10;
/// Recurring screens listed.
const MAX_FUNCTIONS: usize = 5;
/// Names listed inline (cluster overview, shared features).
const MAX_INLINE: usize = 6;

/// A high-risk fact worth a reviewer's attention (the same facts as the
/// SARIF rules `FT002`..`FT005`).
struct Risk {
    title: &'static str,
    has: fn(&AppFacts) -> Option<String>,
}

const RISKS: [Risk; 4] = [
    Risk {
        title: "Debuggable release build",
        has: |f| f.debuggable.then(String::new),
    },
    Risk {
        title: "Cleartext (HTTP) traffic allowed",
        has: |f| f.cleartext_traffic.then(String::new),
    },
    Risk {
        title: "Exported component without permission",
        has: |f| {
            (!f.exported_unguarded.is_empty()).then(|| {
                let n = f.exported_unguarded.len();
                format!("{n} component{}", if n == 1 { "" } else { "s" })
            })
        },
    },
    Risk {
        title: "Packed or protected code",
        has: |f| {
            if !f.packers.is_empty() {
                Some(f.packers.join(", "))
            } else {
                f.packed.then(String::new)
            }
        },
    },
];

/// `cluster --format md`.
pub fn cluster_markdown(r: &ClusterReport) -> String {
    let mut s = String::new();
    let m = &r.summary;
    let _ = writeln!(s, "## fingertip: duplicated functionality\n");
    if m.clusters == 0 {
        let _ = writeln!(
            s,
            "**No cluster** of apps doing the same job among the {} analysed apps (threshold {:.2}).",
            m.analysed, r.threshold
        );
    } else {
        let _ = writeln!(
            s,
            "**{} {}** of apps doing the same job {} **{} of {}** analysed apps; \
             consolidating each cluster into one app would retire **{}**.",
            m.clusters,
            plural(m.clusters, "cluster", "clusters"),
            plural(m.clusters, "holds", "hold"),
            m.apps_in_clusters,
            m.analysed,
            m.retirable
        );
    }
    let _ = writeln!(
        s,
        "\n{} files, {} analysed, {} not analysed; threshold {:.2}.",
        m.files, m.analysed, m.errors, r.threshold
    );

    if !r.clusters.is_empty() {
        let _ = writeln!(
            s,
            "\n| Cluster | Apps | Cohesion | Weakest pair | Signers | Members |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|---|");
        for c in r.clusters.iter().take(MAX_TABLE) {
            let names: Vec<String> = c.members.iter().map(|f| app_name(r, f)).collect();
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {:.2} | {} | {} |",
                c.id,
                c.members.len(),
                c.score,
                c.min_score,
                c.provenance.signers.len(),
                cut_list(&names, MAX_INLINE)
            );
        }
        if r.clusters.len() > MAX_TABLE {
            let _ = writeln!(s, "\n… and {} more clusters.", r.clusters.len() - MAX_TABLE);
        }
    }

    for c in r.clusters.iter().take(MAX_DETAILED) {
        let _ = writeln!(
            s,
            "\n### Cluster {}: {} apps, cohesion {:.2}\n",
            c.id,
            c.members.len(),
            c.score
        );
        let _ = writeln!(s, "{}\n", esc(&c.explanation));
        let _ = writeln!(s, "| App | Package | Version | Signer | File |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        for f in c.members.iter().take(MAX_MEMBERS) {
            let app = r.app(f);
            let facts = app.and_then(|a| a.facts.as_ref());
            let signer = facts
                .and_then(|f| f.signers.first())
                .map(|s| esc(&common_name(&s.subject)))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                esc(app.and_then(|a| a.label.as_deref()).unwrap_or("")),
                code(app.map(|a| a.package.as_str()).unwrap_or("")),
                esc(app.and_then(|a| a.version_name.as_deref()).unwrap_or("")),
                signer,
                code(f)
            );
        }
        if c.members.len() > MAX_MEMBERS {
            let _ = writeln!(s, "\n… and {} more members.", c.members.len() - MAX_MEMBERS);
        }
        let mut notes = Vec::new();
        if let Some(p) = c.pairs.first() {
            notes.push(format!(
                "Closest pair: {} and {} ({:.2}).",
                app_name(r, &p.a),
                app_name(r, &p.b),
                p.score
            ));
        }
        for [a, b] in &c.provenance.white_label_clones {
            notes.push(format!(
                "White-label rebuilds of one app: {} and {}.",
                app_name(r, a),
                app_name(r, b)
            ));
        }
        for group in &c.provenance.identical_files {
            let names: Vec<String> = group.iter().map(|f| app_name(r, f)).collect();
            notes.push(format!(
                "Byte-identical files: {}.",
                cut_list(&names, MAX_INLINE)
            ));
        }
        if !notes.is_empty() {
            let _ = writeln!(s);
            for n in notes {
                let _ = writeln!(s, "- {n}");
            }
        }
    }
    if r.clusters.len() > MAX_DETAILED {
        let _ = writeln!(
            s,
            "\n… {} more clusters are in the full report.",
            r.clusters.len() - MAX_DETAILED
        );
    }

    let apps: Vec<(&str, String, Option<&AppFacts>)> = r
        .apps
        .iter()
        .filter(|a| a.error.is_none())
        .map(|a| (a.file.as_str(), app_name(r, &a.file), a.facts.as_ref()))
        .collect();
    risks_section(&mut s, "Risks worth a reviewer's attention", &apps);

    if !r.duplicated_functions.is_empty() {
        let _ = writeln!(s, "\n### Screens recurring across apps\n");
        let _ = writeln!(s, "| Role | Title | Apps | Clusters | Similarity |");
        let _ = writeln!(s, "|---|---|---:|---:|---:|");
        for f in r.duplicated_functions.iter().take(MAX_FUNCTIONS) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.2} |",
                esc(&f.role),
                esc(&f.title),
                f.apps.len(),
                f.clusters.len(),
                f.score
            );
        }
        if r.duplicated_functions.len() > MAX_FUNCTIONS {
            let _ = writeln!(
                s,
                "\n… and {} more.",
                r.duplicated_functions.len() - MAX_FUNCTIONS
            );
        }
    }

    let errors: Vec<&AppEntry> = r.apps.iter().filter(|a| a.error.is_some()).collect();
    not_analysed(&mut s, &errors);
    footer(&mut s, &r.tool);
    s
}

/// `check --format md`.
pub fn check_markdown(r: &CheckReport) -> String {
    let mut s = String::new();
    let name = r
        .facts
        .as_ref()
        .and_then(|f| f.label.as_deref())
        .filter(|l| !l.is_empty())
        .map(esc)
        .unwrap_or_else(|| code(&r.package));
    let _ = writeln!(s, "## fingertip check: {name}\n");
    let _ = writeln!(s, "{} ({})\n", code(&r.file), code(&r.package));
    if r.duplicates.is_empty() {
        let _ = writeln!(
            s,
            "**No app** of the {} in the collection duplicates its function (threshold {:.2}).",
            r.collection, r.threshold
        );
    } else {
        let _ = writeln!(
            s,
            "**{} of the {} apps** in the collection duplicate its function (score at or above {:.2}).",
            r.duplicates.len(),
            r.collection,
            r.threshold
        );
        pair_table(&mut s, &r.duplicates);
        let _ = writeln!(s);
        for d in &r.duplicates {
            let _ = writeln!(s, "- {}", esc(&d.explanation));
        }
    }
    if !r.nearest_below.is_empty() {
        let list: Vec<String> = r
            .nearest_below
            .iter()
            .map(|d| format!("{} ({:.2})", code(&d.b), d.score))
            .collect();
        let _ = writeln!(s, "\nClosest below the threshold: {}.", list.join(", "));
    }
    let apps = [(r.file.as_str(), name.clone(), r.facts.as_ref())];
    risks_section(&mut s, "Risks of the new app", &apps);
    let errors: Vec<&AppEntry> = r.collection_errors.iter().collect();
    not_analysed(&mut s, &errors);
    footer(&mut s, &r.tool);
    s
}

/// The duplicates of `check`: score, strongest dimensions, provenance.
fn pair_table(s: &mut String, pairs: &[PairExplanation]) {
    let _ = writeln!(
        s,
        "\n| App | Score | Closest dimensions | Shared provenance |"
    );
    let _ = writeln!(s, "|---|---:|---|---|");
    for d in pairs {
        let mut dims: Vec<(&str, f64)> = d
            .dimensions
            .iter()
            .filter_map(|x| x.score.map(|v| (x.dim, v)))
            .filter(|&(_, v)| v > 0.0)
            .collect();
        dims.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(y.0)));
        let dims: Vec<String> = dims
            .iter()
            .take(3)
            .map(|(k, v)| format!("{k} {v:.2}"))
            .collect();
        let prov: Vec<String> = d
            .provenance
            .iter()
            .filter(|p| p.overlap.is_some_and(|o| o > 0.0))
            .map(|p| format!("{} {:.2}", p.dim, p.overlap.unwrap_or(0.0)))
            .collect();
        let _ = writeln!(
            s,
            "| {} | {:.2} | {} | {} |",
            code(&d.b),
            d.score,
            dims.join(", "),
            if prov.is_empty() {
                "none".to_string()
            } else {
                prov.join(", ")
            }
        );
    }
}

/// The risks: per risk found, how many apps have it and which; the risks
/// not found on one line.
fn risks_section(s: &mut String, title: &str, apps: &[(&str, String, Option<&AppFacts>)]) {
    let _ = writeln!(s, "\n### {title}\n");
    let mut found = Vec::new();
    let mut absent = Vec::new();
    for risk in &RISKS {
        let hits: Vec<String> = apps
            .iter()
            .filter_map(|(_, name, facts)| {
                let detail = facts.and_then(|f| (risk.has)(f))?;
                Some(if detail.is_empty() {
                    name.clone()
                } else {
                    format!("{name} ({})", esc(&detail))
                })
            })
            .collect();
        if hits.is_empty() {
            absent.push(risk.title);
        } else {
            found.push((risk.title, hits));
        }
    }
    if !found.is_empty() {
        let _ = writeln!(s, "| Finding | Apps | Which |");
        let _ = writeln!(s, "|---|---:|---|");
        for (title, hits) in &found {
            let _ = writeln!(
                s,
                "| {title} | {} | {} |",
                hits.len(),
                cut_list(hits, MAX_RISK_APPS)
            );
        }
    }
    if !absent.is_empty() {
        let sep = if found.is_empty() { "" } else { "\n" };
        let _ = writeln!(s, "{sep}Not found: {}.", absent.join("; "));
    }
}

fn not_analysed(s: &mut String, errors: &[&AppEntry]) {
    if errors.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n### Not analysed ({})\n", errors.len());
    for a in errors.iter().take(MAX_RISK_APPS) {
        let _ = writeln!(
            s,
            "- {}: {}",
            code(&a.file),
            esc(a.error.as_deref().unwrap_or(""))
        );
    }
    if errors.len() > MAX_RISK_APPS {
        let _ = writeln!(s, "- … and {} more", errors.len() - MAX_RISK_APPS);
    }
}

fn footer(s: &mut String, tool: &str) {
    let _ = writeln!(
        s,
        "\n<sub>{} · details: `--format html`, `--format json`</sub>",
        esc(tool)
    );
}

/// The label of `file` (escaped), else its package or file name in code.
fn app_name(r: &ClusterReport, file: &str) -> String {
    match r.app(file) {
        Some(a) => match a.label.as_deref().filter(|l| !l.trim().is_empty()) {
            Some(l) => esc(l),
            None if !a.package.is_empty() => code(&a.package),
            None => code(file_name(file)),
        },
        None => code(file_name(file)),
    }
}

fn file_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// `CN=...` of a certificate subject, else the whole subject.
fn common_name(subject: &str) -> String {
    subject
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("CN="))
        .unwrap_or(subject)
        .to_string()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Up to `max` already-escaped items, then "and N more".
fn cut_list(items: &[String], max: usize) -> String {
    let mut out = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(out, " and {} more", items.len() - max);
    }
    out
}

/// Escapes text for a Markdown paragraph or table cell: punctuation that
/// could start markup is backslash-escaped (so labels cannot make links,
/// images, HTML, emphasis, tables or `@` mentions), line breaks become
/// spaces. Underscores inside words (`phone_call`) are left alone: GFM
/// does not read them as emphasis.
pub fn esc(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '_' => {
                let next = chars.get(i + 1).copied();
                let inside = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if !inside {
                    out.push('\\');
                }
                out.push(c);
            }
            '#' | '>' | '+' | '-' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '@' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// An inline code span that holds `text` whatever backticks it contains
/// (pipes escaped for tables; empty text gives nothing).
pub fn code(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_mentions() {
        assert_eq!(
            esc("[x](http://e) @all <b>|"),
            "\\[x\\](http://e) \\@all \\<b>\\|"
        );
        assert_eq!(esc("> a->b"), "\\> a->b");
        assert_eq!(esc("phone_call _x_"), "phone_call \\_x\\_");
        assert_eq!(esc("a\nb"), "a b");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(common_name("CN=Foo Bar, O=X"), "Foo Bar");
    }
}

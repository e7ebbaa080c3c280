//! `--format csv`: spreadsheet tables of a [`ClusterReport`] (`apps.csv`,
//! `clusters.csv`, `pairs.csv`) and of a [`CheckReport`] (its duplicates).
//!
//! RFC 4180: comma-separated, CRLF line ends, a header row, fields holding a
//! comma, quote, CR, LF or leading/trailing space are quoted with inner
//! quotes doubled. Lists inside one cell are joined with `;`. Text cells
//! that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
//! `@`, tab or CR) get a leading apostrophe. Columns are documented in
//! `docs/report-formats.md`; new columns are only ever appended.

use crate::cluster::{CheckReport, ClusterReport};
use crate::features::FUNCTION_DIMS;
use crate::scan::AppFacts;
use std::collections::BTreeMap;

/// Which table of a `cluster` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    /// One row per input file.
    Apps,
    /// One row per cluster.
    Clusters,
    /// One row per similar pair.
    Pairs,
}

impl CsvKind {
    /// Every kind, in the order the files are written.
    pub const ALL: [CsvKind; 3] = [CsvKind::Apps, CsvKind::Clusters, CsvKind::Pairs];

    /// The file name used when writing all tables into a folder.
    pub fn file_name(self) -> &'static str {
        match self {
            CsvKind::Apps => "apps.csv",
            CsvKind::Clusters => "clusters.csv",
            CsvKind::Pairs => "pairs.csv",
        }
    }
}

/// One table of `cluster --format csv`.
pub fn cluster_csv(r: &ClusterReport, kind: CsvKind) -> String {
    match kind {
        CsvKind::Apps => apps_csv(r),
        CsvKind::Clusters => clusters_csv(r),
        CsvKind::Pairs => pairs_csv(r),
    }
}

/// A table being written.
struct Table {
    out: String,
}

/// One cell.
enum Cell {
    /// Text from the apps or the report: quoted and formula-guarded.
    Text(String),
    /// A number or flag the report computed: written as is.
    Raw(String),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(x: impl ToString) -> Cell {
    Cell::Raw(x.to_string())
}

fn score(x: f64) -> Cell {
    Cell::Raw(format!("{x:.3}"))
}

fn opt<T: ToString>(x: Option<T>) -> Cell {
    Cell::Raw(x.map(|v| v.to_string()).unwrap_or_default())
}

fn list<S: AsRef<str>>(items: &[S]) -> Cell {
    Cell::Text(
        items
            .iter()
            .map(|s| s.as_ref())
            .collect::<Vec<_>>()
            .join(";"),
    )
}

impl Table {
    fn new(header: &[&str]) -> Table {
        let mut t = Table { out: String::new() };
        t.row(header.iter().map(|h| Cell::Raw((*h).to_string())).collect());
        t
    }

    fn row(&mut self, cells: Vec<Cell>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            match cell {
                Cell::Raw(s) => self.out.push_str(&quote(&s)),
                Cell::Text(s) => self.out.push_str(&quote(&guard(&s))),
            }
        }
        self.out.push_str("\r\n");
    }
}

/// Prefixes an apostrophe to text a spreadsheet would run as a formula.
pub fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// RFC 4180 quoting.
pub fn quote(field: &str) -> String {
    let needs =
        field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ');
    if needs {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

const APPS_HEADER: [&str; 26] = [
    "file",
    "package",
    "label",
    "version_name",
    "version_code",
    "min_sdk",
    "target_sdk",
    "sha256",
    "cluster",
    "error",
    "signer_sha256",
    "signer_subjects",
    "code_packages",
    "sdks",
    "capabilities",
    "permissions",
    "activities",
    "screens",
    "obfuscated",
    "packed",
    "packers",
    "debuggable",
    "cleartext_traffic",
    "exported_unguarded_count",
    "exported_unguarded",
    "risks",
];

/// Ids of the SARIF rules an app's facts trigger (`FT002`..`FT005`).
pub fn risk_ids(f: &AppFacts) -> Vec<&'static str> {
    let mut ids = Vec::new();
    if f.debuggable {
        ids.push("FT002");
    }
    if f.cleartext_traffic {
        ids.push("FT003");
    }
    if !f.exported_unguarded.is_empty() {
        ids.push("FT004");
    }
    if f.packed || !f.packers.is_empty() {
        ids.push("FT005");
    }
    ids
}

fn apps_csv(r: &ClusterReport) -> String {
    let mut table = Table::new(&APPS_HEADER);
    for a in &r.apps {
        let mut cells = vec![
            t(&a.file),
            t(&a.package),
            t(a.label.clone().unwrap_or_default()),
            t(a.version_name.clone().unwrap_or_default()),
        ];
        let f = a.facts.as_ref();
        cells.push(opt(f.and_then(|f| f.version_code)));
        cells.push(opt(f.and_then(|f| f.min_sdk)));
        cells.push(opt(f.and_then(|f| f.target_sdk)));
        cells.push(t(&a.sha256));
        cells.push(opt(a.cluster));
        cells.push(t(a.error.clone().unwrap_or_default()));
        match f {
            Some(f) => {
                let sha: Vec<&str> = f.signers.iter().map(|s| s.sha256.as_str()).collect();
                let subj: Vec<&str> = f.signers.iter().map(|s| s.subject.as_str()).collect();
                cells.push(list(&sha));
                cells.push(list(&subj));
                cells.push(list(&a.code_packages));
                cells.push(list(&f.sdks));
                cells.push(list(&f.capabilities));
                cells.push(n(f.permissions));
                cells.push(n(f.activities));
                cells.push(n(f.screens));
                cells.push(n(f.obfuscated));
                cells.push(n(f.packed));
                cells.push(list(&f.packers));
                cells.push(n(f.debuggable));
                cells.push(n(f.cleartext_traffic));
                cells.push(n(f.exported_unguarded.len()));
                cells.push(list(&f.exported_unguarded));
                cells.push(list(&risk_ids(f)));
            }
            None => {
                for _ in 10..APPS_HEADER.len() {
                    cells.push(n(""));
                }
            }
        }
        table.row(cells);
    }
    table.out
}

fn clusters_csv(r: &ClusterReport) -> String {
    let mut header = vec![
        "cluster",
        "size",
        "score",
        "min_score",
        "retirable",
        "members",
        "packages",
        "labels",
        "signers",
        "signer_subjects",
        "code_packages",
        "common_sdks",
        "white_label_pairs",
        "identical_groups",
    ];
    let dim_cols: Vec<String> = FUNCTION_DIMS.iter().map(|d| format!("dim_{d}")).collect();
    header.extend(dim_cols.iter().map(String::as_str));
    header.extend(["shared_roles", "explanation"]);
    let mut table = Table::new(&header);
    let apps: BTreeMap<&str, &crate::cluster::AppEntry> =
        r.apps.iter().map(|a| (a.file.as_str(), a)).collect();
    for c in &r.clusters {
        let packages: Vec<&str> = c
            .members
            .iter()
            .map(|f| {
                apps.get(f.as_str())
                    .map(|a| a.package.as_str())
                    .unwrap_or("")
            })
            .collect();
        let labels: Vec<&str> = c
            .members
            .iter()
            .map(|f| {
                apps.get(f.as_str())
                    .and_then(|a| a.label.as_deref())
                    .unwrap_or("")
            })
            .collect();
        let signers: Vec<&str> = c
            .provenance
            .signers
            .iter()
            .map(|g| g.value.as_str())
            .collect();
        let subjects: Vec<&str> = c
            .provenance
            .signers
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let code: Vec<&str> = c
            .provenance
            .code_packages
            .iter()
            .map(|g| g.value.as_str())
            .collect();
        let mut cells = vec![
            n(c.id),
            n(c.members.len()),
            score(c.score),
            score(c.min_score),
            n(c.members.len().saturating_sub(1)),
            list(&c.members),
            list(&packages),
            list(&labels),
            list(&signers),
            list(&subjects),
            list(&code),
            list(&c.provenance.common_sdks),
            n(c.provenance.white_label_clones.len()),
            n(c.provenance.identical_files.len()),
        ];
        for d in FUNCTION_DIMS {
            cells.push(match c.dimensions.get(d) {
                Some(&v) => score(v),
                None => n(""),
            });
        }
        cells.push(list(
            c.shared.get("roles").map(Vec::as_slice).unwrap_or(&[]),
        ));
        cells.push(t(&c.explanation));
        table.row(cells);
    }
    table.out
}

const PAIRS_HEADER: [&str; 9] = [
    "a",
    "b",
    "score",
    "duplicate",
    "cluster",
    "a_package",
    "b_package",
    "a_label",
    "b_label",
];

fn pairs_csv(r: &ClusterReport) -> String {
    let mut table = Table::new(&PAIRS_HEADER);
    let apps: BTreeMap<&str, &crate::cluster::AppEntry> =
        r.apps.iter().map(|a| (a.file.as_str(), a)).collect();
    let package = |f: &str| apps.get(f).map(|a| a.package.clone()).unwrap_or_default();
    let label = |f: &str| {
        apps.get(f)
            .and_then(|a| a.label.clone())
            .unwrap_or_default()
    };
    let cluster = |f: &str| apps.get(f).and_then(|a| a.cluster);
    for p in &r.similar_pairs {
        let ca = cluster(&p.a);
        let same = ca.filter(|&c| cluster(&p.b) == Some(c));
        table.row(vec![
            t(&p.a),
            t(&p.b),
            score(p.score),
            n(p.score >= r.threshold),
            opt(same),
            t(package(&p.a)),
            t(package(&p.b)),
            t(label(&p.a)),
            t(label(&p.b)),
        ]);
    }
    table.out
}

/// `check --format csv`: one row per duplicate of the new app.
pub fn check_csv(r: &CheckReport) -> String {
    let mut header = vec!["file", "package", "duplicate_of", "score"];
    let dim_cols: Vec<String> = FUNCTION_DIMS.iter().map(|d| format!("dim_{d}")).collect();
    header.extend(dim_cols.iter().map(String::as_str));
    header.extend(["shared_signers", "shared_code_packages", "explanation"]);
    let mut table = Table::new(&header);
    for d in &r.duplicates {
        let mut cells = vec![t(&r.file), t(&r.package), t(&d.b), score(d.score)];
        for dim in FUNCTION_DIMS {
            cells.push(
                match d
                    .dimensions
                    .iter()
                    .find(|x| x.dim == dim)
                    .and_then(|x| x.score)
                {
                    Some(v) => score(v),
                    None => n(""),
                },
            );
        }
        let shared = |dim: &str| {
            d.provenance
                .iter()
                .find(|p| p.dim == dim)
                .map(|p| p.shared.clone())
                .unwrap_or_default()
        };
        cells.push(list(&shared("signers")));
        cells.push(list(&shared("code_packages")));
        cells.push(t(&d.explanation));
        table.row(cells);
    }
    table.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_guards() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote(" pad"), "\" pad\"");
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+1"), "'+1");
        assert_eq!(guard("-2"), "'-2");
        assert_eq!(guard("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard("ok=1"), "ok=1");
        let mut table = Table::new(&["a", "b"]);
        table.row(vec![t("=1+1"), n(2)]);
        assert_eq!(table.out, "a,b\r\n'=1+1,2\r\n");
    }
}

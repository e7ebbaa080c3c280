//! `cluster --format html` and `check --format html`: one self-contained
//! page (inline CSS, SVG and a little JavaScript; no network, no external
//! files) rendered through askama templates (`templates/`), which escape
//! every piece of data at compile-time-checked places.
//!
//! This module only turns the report models into view models: strings
//! and numbers, pictures laid out as coordinates. Output is deterministic:
//! the same report gives the same bytes.

use crate::cluster::{
    CheckReport, Cluster, ClusterReport, DuplicatedFunction, Group, PairExplanation,
};
use crate::scan::AppFacts;
use askama::Template;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::f64::consts::PI;

/// Apps drawn in the heatmap at most (the biggest clusters first).
pub const HEATMAP_MAX_APPS: usize = 150;
/// Apps drawn in the cluster map at most.
pub const MAP_MAX_APPS: usize = 300;
/// Edges drawn in the cluster map at most (strongest first).
pub const MAP_MAX_EDGES: usize = 3000;
/// Member cards per cluster; further members are listed in a table.
pub const CARDS_PER_CLUSTER: usize = 48;
/// Rows (duplicated functions) of the function-by-app matrix at most.
pub const MATRIX_MAX_ROWS: usize = 60;
/// Columns (apps) of the function-by-app matrix at most.
pub const MATRIX_MAX_COLS: usize = 150;
/// Member pairs listed per cluster at most.
pub const PAIRS_PER_CLUSTER: usize = 30;
/// Map node labels are drawn up to this many apps.
const MAP_LABEL_MAX: usize = 60;

const PALETTE: [&str; 10] = [
    "#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626", "#65a30d",
    "#c026d3", "#475569",
];
const OTHER_COLOR: &str = "#94a3b8";

fn cluster_color(id: usize) -> &'static str {
    PALETTE
        .get(id.saturating_sub(1) % PALETTE.len())
        .copied()
        .unwrap_or(OTHER_COLOR)
}

fn f2(x: f64) -> String {
    format!("{x:.2}")
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn pct(x: f64) -> u32 {
    if x.is_finite() {
        (x.clamp(0.0, 1.0) * 100.0).round() as u32
    } else {
        0
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn basename(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// The readable part of a certificate subject: organisation, else common
/// name, else the whole subject.
fn subject_short(subject: &str) -> String {
    let parts: Vec<&str> = subject.split(',').map(str::trim).collect();
    for key in ["O=", "CN=", "OU="] {
        if let Some(v) = parts.iter().find_map(|p| p.strip_prefix(key)) {
            if !v.is_empty() {
                return v.to_string();
            }
        }
    }
    subject.to_string()
}

/// Last segment of an activity or page name.
fn screen_short(screen: &str) -> &str {
    screen.rsplit(['.', '/']).next().unwrap_or(screen)
}

/// What the page needs to know of one app, by file.
struct AppInfo<'a> {
    name: String,
    package: &'a str,
    version: String,
    cluster: Option<usize>,
    error: Option<&'a str>,
    facts: Option<&'a AppFacts>,
    code_packages: &'a [String],
    anchor: String,
}

fn app_name(label: Option<&str>, package: &str, file: &str) -> String {
    match label {
        Some(l) if !l.trim().is_empty() => l.trim().to_string(),
        _ if !package.is_empty() => package.to_string(),
        _ => basename(file).to_string(),
    }
}

fn index_apps(r: &ClusterReport) -> HashMap<&str, AppInfo<'_>> {
    r.apps
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let version = a
                .version_name
                .clone()
                .or_else(|| a.facts.as_ref().and_then(|f| f.version_name.clone()))
                .unwrap_or_default();
            let label = a
                .label
                .as_deref()
                .or_else(|| a.facts.as_ref().and_then(|f| f.label.as_deref()));
            (
                a.file.as_str(),
                AppInfo {
                    name: app_name(label, &a.package, &a.file),
                    package: &a.package,
                    version,
                    cluster: a.cluster,
                    error: a.error.as_deref(),
                    facts: a.facts.as_ref(),
                    code_packages: &a.code_packages,
                    anchor: format!("app-{}", i + 1),
                },
            )
        })
        .collect()
}

fn name_of(apps: &HashMap<&str, AppInfo<'_>>, file: &str) -> String {
    apps.get(file)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| basename(file).to_string())
}

// ---------------------------------------------------------------- cards

struct Badge {
    kind: &'static str,
    text: String,
    title: String,
}

struct Card {
    anchor: String,
    name: String,
    package: String,
    version: String,
    file: String,
    short_file: String,
    icon: Option<String>,
    initial: String,
    color: &'static str,
    signer: String,
    signer_title: String,
    vendor: String,
    badges: Vec<Badge>,
}

/// Up to `max` badges of `kind`, then one `+N <plural>` badge whose title
/// lists the rest.
fn capped_badges(
    out: &mut Vec<Badge>,
    kind: &'static str,
    items: &[String],
    plural: &str,
    tip: &str,
    max: usize,
) {
    for item in items.iter().take(max) {
        out.push(badge(kind, item.clone(), tip));
    }
    if items.len() > max {
        let rest: Vec<String> = items.iter().skip(max).cloned().collect();
        out.push(badge(
            kind,
            format!("+{} {plural}", items.len() - max),
            rest.join(", "),
        ));
    }
}

fn badge(kind: &'static str, text: impl Into<String>, title: impl Into<String>) -> Badge {
    Badge {
        kind,
        text: text.into(),
        title: title.into(),
    }
}

fn badges(facts: Option<&AppFacts>) -> Vec<Badge> {
    let mut out = Vec::new();
    let Some(f) = facts else {
        return out;
    };
    match (f.min_sdk, f.target_sdk) {
        (Some(min), Some(target)) => out.push(badge(
            "ver",
            format!("API {min}–{target}"),
            "minSdkVersion – targetSdkVersion",
        )),
        (Some(min), None) => out.push(badge("ver", format!("API {min}+"), "minSdkVersion")),
        (None, Some(target)) => out.push(badge(
            "ver",
            format!("target API {target}"),
            "targetSdkVersion",
        )),
        (None, None) => {}
    }
    const MAX: usize = 8;
    capped_badges(&mut out, "sdk", &f.sdks, "SDKs", "third-party SDK", MAX);
    let caps: Vec<String> = f.capabilities.iter().map(|c| c.replace('_', " ")).collect();
    capped_badges(
        &mut out,
        "cap",
        &caps,
        "capabilities",
        "capability its own code uses",
        MAX,
    );
    for p in &f.packers {
        out.push(badge("pack", format!("packed: {p}"), "packer or protector"));
    }
    if f.packed && f.packers.is_empty() {
        out.push(badge("pack", "packed", "code is packed"));
    }
    if f.obfuscated {
        out.push(badge("ver", "obfuscated", "own code is obfuscated"));
    }
    if f.debuggable {
        out.push(badge("risk", "debuggable", "android:debuggable is set"));
    }
    if f.cleartext_traffic {
        out.push(badge("risk", "cleartext HTTP", "cleartext traffic allowed"));
    }
    if !f.exported_unguarded.is_empty() {
        out.push(badge(
            "risk",
            format!("{} exported unguarded", f.exported_unguarded.len()),
            f.exported_unguarded
                .iter()
                .take(12)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    out
}

fn signer_of(facts: Option<&AppFacts>) -> (String, String) {
    let Some(f) = facts else {
        return (String::new(), String::new());
    };
    let short: Vec<String> = f
        .signers
        .iter()
        .map(|s| subject_short(&s.subject))
        .collect();
    let title: Vec<String> = f
        .signers
        .iter()
        .map(|s| format!("{} (SHA-256 {})", s.subject, s.sha256))
        .collect();
    (short.join("; "), title.join("\n"))
}

fn icon_uri(facts: Option<&AppFacts>) -> Option<String> {
    facts
        .and_then(|f| f.icon.as_ref())
        .filter(|i| i.starts_with("data:image/") && !i.contains(['"', '\'', '<', '>', ' ']))
        .cloned()
}

fn initial_of(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".to_string())
}

fn card_for(file: &str, info: Option<&AppInfo<'_>>, color: &'static str) -> Card {
    let name = info
        .map(|i| i.name.clone())
        .unwrap_or_else(|| basename(file).to_string());
    let facts = info.and_then(|i| i.facts);
    let (signer, signer_title) = signer_of(facts);
    Card {
        anchor: info.map(|i| i.anchor.clone()).unwrap_or_default(),
        initial: initial_of(&name),
        name,
        package: info.map(|i| i.package.to_string()).unwrap_or_default(),
        version: info.map(|i| i.version.clone()).unwrap_or_default(),
        file: file.to_string(),
        short_file: basename(file).to_string(),
        icon: icon_uri(facts),
        color,
        signer,
        signer_title,
        vendor: info.map(|i| i.code_packages.join(", ")).unwrap_or_default(),
        badges: badges(facts),
    }
}

// ---------------------------------------------------------------- cluster page

struct Stat {
    label: &'static str,
    value: String,
    class: &'static str,
}

struct CandidateRow {
    id: usize,
    names: String,
    size: usize,
    retire: usize,
    score: String,
    pct: u32,
    min_score: String,
    built_by: String,
    functions: usize,
}

struct Bar {
    name: String,
    value: String,
    pct: u32,
}

struct Listing {
    name: String,
    values: Vec<String>,
}

struct DiffView {
    name: String,
    anchor: String,
    items: Vec<Listing>,
}

struct GroupView {
    name: String,
    value: String,
    members: String,
}

struct FunctionRef {
    id: usize,
    role: String,
    title: String,
    count: usize,
    screens: String,
}

struct PairRow {
    a: String,
    b: String,
    score: String,
    pct: u32,
}

struct MoreRow {
    name: String,
    package: String,
    version: String,
    file: String,
}

struct ClusterView {
    id: usize,
    color: &'static str,
    title: String,
    size: usize,
    retire: usize,
    score: String,
    min_score: String,
    explanation: String,
    cards: Vec<Card>,
    more: Vec<MoreRow>,
    dims: Vec<Bar>,
    shared: Vec<Listing>,
    differs: Vec<DiffView>,
    differs_more: usize,
    signers: Vec<GroupView>,
    vendors: Vec<GroupView>,
    common_sdks: Vec<String>,
    clones: Vec<String>,
    identical: Vec<String>,
    functions: Vec<FunctionRef>,
    pairs: Vec<PairRow>,
    pair_total: usize,
}

struct ScreenView {
    app: String,
    screen: String,
}

struct FunctionView {
    id: usize,
    role: String,
    title: String,
    strings: Vec<String>,
    count: usize,
    clusters: Vec<usize>,
    score: String,
    screens: Vec<ScreenView>,
}

struct MatrixCol {
    name: String,
    title: String,
    color: &'static str,
}

struct MatrixRow {
    id: usize,
    title: String,
    cells: Vec<Option<String>>,
}

#[derive(Default)]
struct Matrix {
    cols: Vec<MatrixCol>,
    rows: Vec<MatrixRow>,
    note: String,
}

struct HeatLabel {
    pos: String,
    text: String,
    title: String,
}

struct HeatCell {
    x: String,
    y: String,
    fill: String,
    title: String,
}

struct HeatBlock {
    id: usize,
    x: String,
    y: String,
    w: String,
    color: &'static str,
}

struct LegendItem {
    fill: String,
    label: String,
}

#[derive(Default)]
struct Heatmap {
    n: usize,
    width: String,
    height: String,
    x0: String,
    y0: String,
    side: String,
    cell: String,
    font: String,
    lx: String,
    ly: String,
    labels: Vec<HeatLabel>,
    cells: Vec<HeatCell>,
    blocks: Vec<HeatBlock>,
    legend: Vec<LegendItem>,
    note: String,
}

struct MapHull {
    id: usize,
    x: String,
    y: String,
    r: String,
    ty: String,
    color: &'static str,
}

struct MapNode {
    x: String,
    y: String,
    lx: String,
    ly: String,
    text_anchor: &'static str,
    color: &'static str,
    title: String,
    label: String,
    anchor: String,
}

struct MapEdge {
    x1: String,
    y1: String,
    x2: String,
    y2: String,
    width: String,
    opacity: String,
    title: String,
}

#[derive(Default)]
struct ClusterMap {
    width: String,
    height: String,
    node_r: String,
    labels: bool,
    hulls: Vec<MapHull>,
    nodes: Vec<MapNode>,
    edges: Vec<MapEdge>,
    note: String,
}

struct AppRow {
    name: String,
    package: String,
    version: String,
    cluster: String,
    cluster_sort: usize,
    signer: String,
    sdks: usize,
    file: String,
    status: String,
    error: bool,
}

struct ErrorRow {
    file: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterPage {
    page_title: String,
    tool: String,
    threshold: String,
    stats: Vec<Stat>,
    headline: String,
    candidates: Vec<CandidateRow>,
    clusters: Vec<ClusterView>,
    functions: Vec<FunctionView>,
    matrix: Matrix,
    heatmap: Heatmap,
    map: ClusterMap,
    apps: Vec<AppRow>,
    errors: Vec<ErrorRow>,
}

/// `cluster --format html`: the whole report as one self-contained page.
pub fn cluster_html(r: &ClusterReport) -> String {
    let apps = index_apps(r);
    let page = ClusterPage {
        page_title: "Duplicated apps: fingertip report".to_string(),
        tool: r.tool.clone(),
        threshold: f2(r.threshold),
        stats: cluster_stats(r),
        headline: headline(r),
        candidates: r
            .clusters
            .iter()
            .map(|c| candidate_row(c, &apps, &r.duplicated_functions))
            .collect(),
        clusters: r
            .clusters
            .iter()
            .map(|c| cluster_view(c, &apps, &r.duplicated_functions))
            .collect(),
        functions: r
            .duplicated_functions
            .iter()
            .map(|f| function_view(f, &apps))
            .collect(),
        matrix: matrix(r, &apps),
        heatmap: heatmap(r, &apps),
        map: cluster_map(r, &apps),
        apps: app_rows(r, &apps),
        errors: r
            .apps
            .iter()
            .filter_map(|a| {
                a.error.as_ref().map(|e| ErrorRow {
                    file: a.file.clone(),
                    reason: e.clone(),
                })
            })
            .collect(),
    };
    render(&page)
}

/// Shown instead of a report that could not be rendered.
#[derive(Template)]
#[template(
    source = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>fingertip</title></head><body><p>The report could not be rendered: {{ message }}</p></body></html>",
    ext = "html"
)]
struct ErrorPage {
    message: String,
}

fn render<T: Template>(page: &T) -> String {
    match page.render() {
        Ok(s) => s,
        Err(e) => ErrorPage {
            message: e.to_string(),
        }
        .render()
        .unwrap_or_default(),
    }
}

fn cluster_stats(r: &ClusterReport) -> Vec<Stat> {
    let m = &r.summary;
    vec![
        Stat {
            label: "files",
            value: m.files.to_string(),
            class: "",
        },
        Stat {
            label: "apps analysed",
            value: m.analysed.to_string(),
            class: "",
        },
        Stat {
            label: "errors",
            value: m.errors.to_string(),
            class: if m.errors > 0 { "bad" } else { "" },
        },
        Stat {
            label: "clusters of duplicates",
            value: m.clusters.to_string(),
            class: "",
        },
        Stat {
            label: "apps in clusters",
            value: m.apps_in_clusters.to_string(),
            class: "",
        },
        Stat {
            label: "apps that could be retired",
            value: m.retirable.to_string(),
            class: "hi",
        },
        Stat {
            label: "duplicated functions",
            value: r.duplicated_functions.len().to_string(),
            class: "",
        },
    ]
}

fn headline(r: &ClusterReport) -> String {
    let m = &r.summary;
    if m.clusters == 0 {
        format!(
            "No two of the {} analysed apps duplicate each other's function at threshold {}.",
            m.analysed,
            f2(r.threshold)
        )
    } else {
        format!(
            "{} of the {} analysed apps fall into {} of apps that do the same thing for their users; consolidating each cluster into one app could retire {}.",
            m.apps_in_clusters,
            m.analysed,
            plural(m.clusters, "cluster", "clusters"),
            plural(m.retirable, "app", "apps")
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn member_names(members: &[String], apps: &HashMap<&str, AppInfo<'_>>, max: usize) -> String {
    let mut names: Vec<String> = members.iter().take(max).map(|f| name_of(apps, f)).collect();
    if members.len() > max {
        names.push(format!("+{} more", members.len() - max));
    }
    names.join(" · ")
}

fn built_by(c: &Cluster) -> String {
    let mut parts = Vec::new();
    let p = &c.provenance;
    match p.signers.as_slice() {
        [] => {}
        [one] if one.members.len() == c.members.len() => {
            parts.push(format!("one signer: {}", group_name(one)));
        }
        list => parts.push(format!("{} signers", list.len())),
    }
    if let Some(v) = p.code_packages.iter().max_by(|x, y| {
        x.members
            .len()
            .cmp(&y.members.len())
            .then_with(|| y.value.cmp(&x.value))
    }) {
        parts.push(format!(
            "vendor code {} in {} of {}",
            v.value,
            v.members.len(),
            c.members.len()
        ));
    }
    if !p.white_label_clones.is_empty() {
        parts.push(format!("{} white-label pairs", p.white_label_clones.len()));
    }
    parts.join("; ")
}

fn group_name(g: &Group) -> String {
    if g.name.is_empty() {
        if g.value.len() == 64 && g.value.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!("certificate {}…", truncate(&g.value, 12))
        } else {
            g.value.clone()
        }
    } else {
        subject_short(&g.name)
    }
}

fn functions_of(c: &Cluster, functions: &[DuplicatedFunction]) -> Vec<FunctionRef> {
    let members: BTreeSet<&str> = c.members.iter().map(String::as_str).collect();
    functions
        .iter()
        .filter(|f| f.clusters.contains(&c.id))
        .map(|f| {
            let screens: BTreeSet<&str> = f
                .screens
                .iter()
                .filter(|s| members.contains(s.file.as_str()))
                .map(|s| screen_short(&s.screen))
                .collect();
            let mut list: Vec<&str> = screens.iter().take(4).copied().collect();
            if screens.len() > 4 {
                list.push("…");
            }
            FunctionRef {
                id: f.id,
                role: f.role.clone(),
                title: f.title.clone(),
                count: f
                    .apps
                    .iter()
                    .filter(|a| members.contains(a.as_str()))
                    .count(),
                screens: list.join(", "),
            }
        })
        .collect()
}

fn candidate_row(
    c: &Cluster,
    apps: &HashMap<&str, AppInfo<'_>>,
    functions: &[DuplicatedFunction],
) -> CandidateRow {
    CandidateRow {
        id: c.id,
        names: member_names(&c.members, apps, 4),
        size: c.members.len(),
        retire: c.members.len().saturating_sub(1),
        score: f2(c.score),
        pct: pct(c.score),
        min_score: f2(c.min_score),
        built_by: built_by(c),
        functions: functions
            .iter()
            .filter(|f| f.clusters.contains(&c.id))
            .count(),
    }
}

fn listings(map: &BTreeMap<String, Vec<String>>) -> Vec<Listing> {
    map.iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| Listing {
            name: k.clone(),
            values: v.clone(),
        })
        .collect()
}

fn group_views(groups: &[Group], apps: &HashMap<&str, AppInfo<'_>>) -> Vec<GroupView> {
    groups
        .iter()
        .map(|g| GroupView {
            name: group_name(g),
            value: if g.name.is_empty() {
                g.value.clone()
            } else {
                format!("{} (SHA-256 {})", g.name, g.value)
            },
            members: member_names(&g.members, apps, 12),
        })
        .collect()
}

fn cluster_view(
    c: &Cluster,
    apps: &HashMap<&str, AppInfo<'_>>,
    functions: &[DuplicatedFunction],
) -> ClusterView {
    let color = cluster_color(c.id);
    let cards = c
        .members
        .iter()
        .take(CARDS_PER_CLUSTER)
        .map(|f| card_for(f, apps.get(f.as_str()), color))
        .collect();
    let more = c
        .members
        .iter()
        .skip(CARDS_PER_CLUSTER)
        .map(|f| {
            let info = apps.get(f.as_str());
            MoreRow {
                name: name_of(apps, f),
                package: info.map(|i| i.package.to_string()).unwrap_or_default(),
                version: info.map(|i| i.version.clone()).unwrap_or_default(),
                file: f.clone(),
            }
        })
        .collect();
    let differs: Vec<DiffView> = c
        .differs
        .iter()
        .filter(|d| d.only_here.values().any(|v| !v.is_empty()))
        .map(|d| DiffView {
            name: name_of(apps, &d.file),
            anchor: apps
                .get(d.file.as_str())
                .map(|i| i.anchor.clone())
                .unwrap_or_default(),
            items: listings(&d.only_here),
        })
        .collect();
    let differs_more = differs.len().saturating_sub(CARDS_PER_CLUSTER);
    let p = &c.provenance;
    ClusterView {
        id: c.id,
        color,
        title: member_names(&c.members, apps, 3),
        size: c.members.len(),
        retire: c.members.len().saturating_sub(1),
        score: f2(c.score),
        min_score: f2(c.min_score),
        explanation: c.explanation.clone(),
        cards,
        more,
        dims: c
            .dimensions
            .iter()
            .map(|(k, v)| Bar {
                name: (*k).to_string(),
                value: f2(*v),
                pct: pct(*v),
            })
            .collect(),
        shared: listings(&c.shared),
        differs: differs.into_iter().take(CARDS_PER_CLUSTER).collect(),
        differs_more,
        signers: group_views(&p.signers, apps),
        vendors: group_views(&p.code_packages, apps),
        common_sdks: p.common_sdks.clone(),
        clones: p
            .white_label_clones
            .iter()
            .map(|[a, b]| format!("{} ↔ {}", name_of(apps, a), name_of(apps, b)))
            .collect(),
        identical: p
            .identical_files
            .iter()
            .map(|g| member_names(g, apps, 12))
            .collect(),
        functions: functions_of(c, functions),
        pairs: c
            .pairs
            .iter()
            .take(PAIRS_PER_CLUSTER)
            .map(|p| PairRow {
                a: name_of(apps, &p.a),
                b: name_of(apps, &p.b),
                score: f2(p.score),
                pct: pct(p.score),
            })
            .collect(),
        pair_total: c.pairs.len(),
    }
}

fn function_view(f: &DuplicatedFunction, apps: &HashMap<&str, AppInfo<'_>>) -> FunctionView {
    FunctionView {
        id: f.id,
        role: f.role.clone(),
        title: f.title.clone(),
        strings: f.strings.clone(),
        count: f.apps.len(),
        clusters: f.clusters.clone(),
        score: f2(f.score),
        screens: f
            .screens
            .iter()
            .map(|s| ScreenView {
                app: name_of(apps, &s.file),
                screen: s.screen.clone(),
            })
            .collect(),
    }
}

/// Order key of an app in the pictures: its cluster's rank, then file.
fn picture_order(info: Option<&AppInfo<'_>>) -> usize {
    info.and_then(|i| i.cluster).unwrap_or(usize::MAX)
}

fn matrix(r: &ClusterReport, apps: &HashMap<&str, AppInfo<'_>>) -> Matrix {
    let rows: Vec<&DuplicatedFunction> = r
        .duplicated_functions
        .iter()
        .take(MATRIX_MAX_ROWS)
        .collect();
    if rows.is_empty() {
        return Matrix::default();
    }
    // Apps with how many of the shown functions they have.
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &rows {
        for a in &f.apps {
            *count.entry(a.as_str()).or_default() += 1;
        }
    }
    let mut cols: Vec<(&str, usize)> = count.into_iter().collect();
    let total_cols = cols.len();
    if cols.len() > MATRIX_MAX_COLS {
        cols.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(y.0)));
        cols.truncate(MATRIX_MAX_COLS);
    }
    let mut cols: Vec<&str> = cols.into_iter().map(|(f, _)| f).collect();
    cols.sort_by(|x, y| {
        picture_order(apps.get(x))
            .cmp(&picture_order(apps.get(y)))
            .then_with(|| x.cmp(y))
    });
    let mut note = Vec::new();
    if r.duplicated_functions.len() > rows.len() {
        note.push(format!(
            "The {} most widespread of {} functions are shown.",
            rows.len(),
            r.duplicated_functions.len()
        ));
    }
    if total_cols > cols.len() {
        note.push(format!(
            "The {} apps with the most of them are shown, of {}.",
            cols.len(),
            total_cols
        ));
    }
    Matrix {
        cols: cols
            .iter()
            .map(|f| {
                let info = apps.get(f);
                let cluster = info.and_then(|i| i.cluster);
                MatrixCol {
                    name: truncate(&name_of(apps, f), 22),
                    title: match cluster {
                        Some(k) => format!("{} — cluster {k} — {f}", name_of(apps, f)),
                        None => format!("{} — no cluster — {f}", name_of(apps, f)),
                    },
                    color: cluster.map(cluster_color).unwrap_or(OTHER_COLOR),
                }
            })
            .collect(),
        rows: rows
            .iter()
            .map(|f| {
                let mut screens: HashMap<&str, &str> = HashMap::new();
                for s in &f.screens {
                    screens.entry(s.file.as_str()).or_insert(s.screen.as_str());
                }
                let has: BTreeSet<&str> = f.apps.iter().map(String::as_str).collect();
                MatrixRow {
                    id: f.id,
                    title: format!("{} ({})", f.title, f.role),
                    cells: cols
                        .iter()
                        .map(|c| {
                            has.contains(c).then(|| {
                                let screen = screens.get(c).copied().unwrap_or("");
                                format!("{}: {} — {}", name_of(apps, c), f.title, screen)
                            })
                        })
                        .collect(),
                }
            })
            .collect(),
        note: note.join(" "),
    }
}

/// Heatmap colour of a score: light to dark blue, full at twice the
/// threshold.
fn heat_fill(score: f64, threshold: f64) -> String {
    let full = (threshold * 2.0).clamp(0.05, 1.0);
    let t = (score / full).clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(219.0, 30.0),
        mix(234.0, 58.0),
        mix(254.0, 138.0)
    )
}

fn heatmap(r: &ClusterReport, apps: &HashMap<&str, AppInfo<'_>>) -> Heatmap {
    // Apps in cluster order, then the others, at most HEATMAP_MAX_APPS.
    let mut order: Vec<&str> = Vec::new();
    let mut blocks = Vec::new();
    for c in &r.clusters {
        let room = HEATMAP_MAX_APPS.saturating_sub(order.len());
        if room == 0 {
            break;
        }
        let start = order.len();
        order.extend(c.members.iter().take(room).map(String::as_str));
        blocks.push((c.id, start, order.len() - start));
    }
    let clustered = order.len();
    for a in &r.apps {
        if order.len() >= HEATMAP_MAX_APPS {
            break;
        }
        if a.error.is_none() && a.cluster.is_none() {
            order.push(&a.file);
        }
    }
    let n = order.len();
    if n == 0 {
        return Heatmap::default();
    }
    let cell = (900.0 / n as f64).floor().clamp(5.0, 40.0);
    let labelled = cell >= 9.0;
    let margin = if labelled {
        // Room for the longest label: CJK characters are about one em
        // wide, others about half.
        let longest = order
            .iter()
            .map(|f| {
                truncate(&name_of(apps, f), 22)
                    .chars()
                    .map(|c| if c.is_ascii() { 0.62 } else { 1.0 })
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        (longest * (cell - 2.0).min(12.0) + 12.0).clamp(40.0, 170.0)
    } else {
        12.0
    };
    let side = cell * n as f64;
    let pos: HashMap<&str, usize> = order.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let at = |i: usize| f1(margin + cell * i as f64);
    let mut cells = Vec::new();
    for (i, f) in order.iter().enumerate() {
        cells.push(HeatCell {
            x: at(i),
            y: at(i),
            fill: "#94a3b8".to_string(),
            title: name_of(apps, f),
        });
    }
    for p in &r.similar_pairs {
        let (Some(&i), Some(&j)) = (pos.get(p.a.as_str()), pos.get(p.b.as_str())) else {
            continue;
        };
        let fill = heat_fill(p.score, r.threshold);
        let title = format!(
            "{} × {}: {}",
            name_of(apps, &p.a),
            name_of(apps, &p.b),
            f2(p.score)
        );
        cells.push(HeatCell {
            x: at(j),
            y: at(i),
            fill: fill.clone(),
            title: title.clone(),
        });
        cells.push(HeatCell {
            x: at(i),
            y: at(j),
            fill,
            title,
        });
    }
    let font = (cell - 2.0).min(12.0);
    let labels = if labelled {
        order
            .iter()
            .enumerate()
            .map(|(i, f)| HeatLabel {
                pos: f1(margin + cell * (i as f64 + 0.5)),
                text: truncate(&name_of(apps, f), 22),
                title: format!("{} — {f}", name_of(apps, f)),
            })
            .collect()
    } else {
        Vec::new()
    };
    let analysed = r.apps.iter().filter(|a| a.error.is_none()).count();
    let mut note = Vec::new();
    if n < analysed {
        note.push(format!(
            "Only the {n} apps of the biggest clusters are drawn (of {analysed} analysed; {clustered} of them in clusters)."
        ));
    }
    note.push(format!(
        "Pairs below {} are left blank.",
        f2(r.threshold / 2.0)
    ));
    let half = r.threshold / 2.0;
    Heatmap {
        n,
        width: f1(margin + side + 4.0),
        height: f1(margin + side + 4.0),
        x0: f1(margin),
        y0: f1(margin),
        side: f1(side),
        cell: f1(cell),
        font: f1(font),
        lx: f1(margin - 4.0),
        ly: f1(margin - 4.0),
        labels,
        cells,
        blocks: blocks
            .into_iter()
            .map(|(id, start, len)| HeatBlock {
                id,
                x: at(start),
                y: at(start),
                w: f1(cell * len as f64),
                color: cluster_color(id),
            })
            .collect(),
        legend: vec![
            LegendItem {
                fill: "#f8fafc".to_string(),
                label: format!("below {}", f2(half)),
            },
            LegendItem {
                fill: heat_fill(half, r.threshold),
                label: f2(half),
            },
            LegendItem {
                fill: heat_fill(r.threshold, r.threshold),
                label: format!("{} (duplicate)", f2(r.threshold)),
            },
            LegendItem {
                fill: heat_fill(r.threshold * 2.0, r.threshold),
                label: format!("{} or more", f2((r.threshold * 2.0).min(1.0))),
            },
            LegendItem {
                fill: "#94a3b8".to_string(),
                label: "the app itself".to_string(),
            },
        ],
        note: note.join(" "),
    }
}

/// A map node before the picture is moved into view.
struct RawNode<'a> {
    x: f64,
    y: f64,
    /// Label direction (cos, sin) from the cluster's centre.
    dir: (f64, f64),
    color: &'static str,
    file: &'a str,
}

fn cluster_map(r: &ClusterReport, apps: &HashMap<&str, AppInfo<'_>>) -> ClusterMap {
    // Whole clusters, in rank order, up to MAP_MAX_APPS apps (the first
    // cluster is cut there when it alone is bigger).
    let mut shown: Vec<(&Cluster, usize)> = Vec::new();
    let mut total = 0usize;
    for c in &r.clusters {
        let take = c.members.len().min(MAP_MAX_APPS.saturating_sub(total));
        if take == 0 || (take < c.members.len() && !shown.is_empty()) {
            break;
        }
        shown.push((c, take));
        total += take;
    }
    if shown.is_empty() {
        return ClusterMap::default();
    }
    let labels = total <= MAP_LABEL_MAX;
    let spacing = if labels { 72.0 } else { 18.0 };
    let node_r = if labels { 8.0 } else { 5.0 };
    // Ring radius of each cluster's members, and of its hull.
    let rings: Vec<(f64, f64)> = shown
        .iter()
        .map(|(_, m)| {
            let ring = if *m <= 1 {
                0.0
            } else {
                (*m as f64 * spacing / (2.0 * PI)).max(if labels { 50.0 } else { 16.0 })
            };
            let hull = ring + if labels { 30.0 } else { 14.0 };
            (ring, hull)
        })
        .collect();
    let k = shown.len();
    let gap = 30.0;
    // Angles proportional to each hull's size; radius so neighbours do
    // not overlap.
    let widths: Vec<f64> = rings.iter().map(|(_, h)| 2.0 * h + gap).collect();
    let sum: f64 = widths.iter().sum();
    let mut angles = Vec::with_capacity(k);
    let mut acc = 0.0;
    for w in &widths {
        angles.push(-PI / 2.0 + 2.0 * PI * (acc + w / 2.0) / sum);
        acc += w;
    }
    let mut big_r: f64 = 0.0;
    if k > 1 {
        for i in 0..k {
            let j = (i + 1) % k;
            let (Some(ai), Some(aj), Some(hi), Some(hj)) = (
                angles.get(i),
                angles.get(j),
                rings.get(i).map(|x| x.1),
                rings.get(j).map(|x| x.1),
            ) else {
                continue;
            };
            let mut d = (aj - ai).abs();
            if d > PI {
                d = 2.0 * PI - d;
            }
            if k == 2 {
                d = PI;
            }
            let need = (hi + hj + gap) / (2.0 * (d / 2.0).sin().max(0.05));
            big_r = big_r.max(need);
        }
    }
    let centres: Vec<(f64, f64)> = angles
        .iter()
        .map(|a| (big_r * a.cos(), big_r * a.sin()))
        .collect();
    let mut hulls = Vec::new();
    let mut points: HashMap<&str, (f64, f64)> = HashMap::new();
    let mut nodes = Vec::new();
    let mut raw_nodes: Vec<RawNode<'_>> = Vec::new();
    let mut raw_hulls: Vec<(usize, f64, f64, f64)> = Vec::new();
    for (((c, take), (ring, hull)), (cx, cy)) in shown.iter().zip(&rings).zip(&centres) {
        raw_hulls.push((c.id, *cx, *cy, *hull));
        let color = cluster_color(c.id);
        for (i, f) in c.members.iter().take(*take).enumerate() {
            let a = -PI / 2.0 + 2.0 * PI * i as f64 / *take as f64;
            let (x, y) = (cx + ring * a.cos(), cy + ring * a.sin());
            points.insert(f.as_str(), (x, y));
            let dir = if *take <= 1 {
                (0.0, 1.0)
            } else {
                (a.cos(), a.sin())
            };
            raw_nodes.push(RawNode {
                x,
                y,
                dir,
                color,
                file: f.as_str(),
            });
        }
    }
    // Bounding box, with room for labels and hull titles.
    let pad = if labels { 100.0 } else { 20.0 };
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (_, x, y, h) in &raw_hulls {
        min_x = min_x.min(x - h);
        max_x = max_x.max(x + h);
        min_y = min_y.min(y - h - 20.0);
        max_y = max_y.max(y + h);
    }
    let (ox, oy) = (pad - min_x, pad - min_y);
    for (id, x, y, h) in raw_hulls {
        hulls.push(MapHull {
            id,
            x: f1(x + ox),
            y: f1(y + oy),
            r: f1(h),
            ty: f1(y + oy - h - 8.0),
            color: cluster_color(id),
        });
    }
    for RawNode {
        x,
        y,
        dir: (dx, dy),
        color,
        file: f,
    } in raw_nodes
    {
        let off = node_r + 5.0;
        let text_anchor = if dx > 0.3 {
            "start"
        } else if dx < -0.3 {
            "end"
        } else {
            "middle"
        };
        let ly = if text_anchor == "middle" {
            y + dy * (off + 6.0)
        } else {
            y + dy * off
        };
        let info = apps.get(f);
        let name = name_of(apps, f);
        nodes.push(MapNode {
            x: f1(x + ox),
            y: f1(y + oy),
            lx: f1(x + ox + dx * off),
            ly: f1(ly + oy),
            text_anchor,
            color,
            title: format!(
                "{name} — {}{}",
                info.map(|i| i.package).unwrap_or(""),
                info.and_then(|i| i.cluster)
                    .map(|k| format!(" — cluster {k}"))
                    .unwrap_or_default()
            ),
            label: truncate(&name, 14),
            anchor: info.map(|i| i.anchor.clone()).unwrap_or_default(),
        });
    }
    let span = (1.0 - r.threshold).max(0.05);
    let mut edges = Vec::new();
    let mut strong = 0usize;
    for p in &r.similar_pairs {
        if p.score < r.threshold {
            continue;
        }
        let (Some(&(x1, y1)), Some(&(x2, y2))) =
            (points.get(p.a.as_str()), points.get(p.b.as_str()))
        else {
            continue;
        };
        strong += 1;
        if edges.len() >= MAP_MAX_EDGES {
            continue;
        }
        let t = ((p.score - r.threshold) / span).clamp(0.0, 1.0);
        edges.push(MapEdge {
            x1: f1(x1 + ox),
            y1: f1(y1 + oy),
            x2: f1(x2 + ox),
            y2: f1(y2 + oy),
            width: f1(1.0 + 4.0 * t),
            opacity: f2(0.25 + 0.55 * t),
            title: format!(
                "{} × {}: {}",
                name_of(apps, &p.a),
                name_of(apps, &p.b),
                f2(p.score)
            ),
        });
    }
    let mut note = Vec::new();
    if shown.len() < r.clusters.len() || total < r.summary.apps_in_clusters {
        note.push(format!(
            "The {} biggest clusters are drawn ({total} apps of {} in clusters).",
            shown.len(),
            r.summary.apps_in_clusters
        ));
    }
    if strong > edges.len() {
        note.push(format!(
            "The strongest {} of {strong} links are drawn.",
            edges.len()
        ));
    }
    if !labels {
        note.push("Hover over a circle for the app's name.".to_string());
    }
    ClusterMap {
        width: f1(max_x - min_x + 2.0 * pad),
        height: f1(max_y - min_y + 2.0 * pad),
        node_r: f1(node_r),
        labels,
        hulls,
        nodes,
        edges,
        note: note.join(" "),
    }
}

fn app_rows(r: &ClusterReport, apps: &HashMap<&str, AppInfo<'_>>) -> Vec<AppRow> {
    r.apps
        .iter()
        .map(|a| {
            let info = apps.get(a.file.as_str());
            let facts = a.facts.as_ref();
            AppRow {
                name: name_of(apps, &a.file),
                package: a.package.clone(),
                version: info.map(|i| i.version.clone()).unwrap_or_default(),
                cluster: a.cluster.map(|k| k.to_string()).unwrap_or_default(),
                cluster_sort: a.cluster.unwrap_or(usize::MAX / 2),
                signer: signer_of(facts).0,
                sdks: facts.map(|f| f.sdks.len()).unwrap_or(0),
                file: a.file.clone(),
                status: match (&a.error, a.cluster) {
                    (Some(_), _) => "not analysed".to_string(),
                    (None, Some(k)) => format!("duplicate (cluster {k})"),
                    (None, None) => "unique".to_string(),
                },
                error: info.and_then(|i| i.error).is_some(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- check page

struct DimRow {
    name: String,
    weight: String,
    has_score: bool,
    value: String,
    pct: u32,
    shared: Vec<String>,
    more: usize,
}

struct ProvRow {
    name: String,
    value: String,
    shared: Vec<String>,
}

struct PairView {
    index: usize,
    other: String,
    score: String,
    pct: u32,
    duplicate: bool,
    top: String,
    explanation: String,
    dims: Vec<DimRow>,
    provenance: Vec<ProvRow>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    page_title: String,
    tool: String,
    threshold: String,
    card: Option<Card>,
    duplicate: bool,
    verdict: String,
    stats: Vec<Stat>,
    duplicates: Vec<PairView>,
    nearest: Vec<PairView>,
    errors: Vec<ErrorRow>,
}

fn pair_view(index: usize, p: &PairExplanation) -> PairView {
    let mut top: Vec<(&str, f64)> = p
        .dimensions
        .iter()
        .filter_map(|d| d.score.map(|s| (d.dim, s)))
        .filter(|(_, s)| *s > 0.0)
        .collect();
    top.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(y.0)));
    PairView {
        index,
        other: p.b.clone(),
        score: f2(p.score),
        pct: pct(p.score),
        duplicate: p.duplicate,
        top: top
            .iter()
            .take(3)
            .map(|(d, s)| format!("{d} {}", f2(*s)))
            .collect::<Vec<_>>()
            .join(", "),
        explanation: p.explanation.clone(),
        dims: p
            .dimensions
            .iter()
            .map(|d| DimRow {
                name: d.dim.to_string(),
                weight: f1(d.weight),
                has_score: d.score.is_some(),
                value: d.score.map(f2).unwrap_or_default(),
                pct: d.score.map(pct).unwrap_or(0),
                shared: d.shared.clone(),
                more: d.shared_count.saturating_sub(d.shared.len()),
            })
            .collect(),
        provenance: p
            .provenance
            .iter()
            .map(|x| ProvRow {
                name: x.dim.to_string(),
                value: x.overlap.map(f2).unwrap_or_else(|| "–".to_string()),
                shared: x.shared.clone(),
            })
            .collect(),
    }
}

/// `check --format html`: the verdict on one new app as a self-contained
/// page.
pub fn check_html(r: &CheckReport) -> String {
    let facts = r.facts.as_ref();
    let label = facts.and_then(|f| f.label.as_deref());
    let name = app_name(label, &r.package, &r.file);
    let version = facts
        .and_then(|f| f.version_name.clone())
        .unwrap_or_default();
    let (signer, signer_title) = signer_of(facts);
    let card = Card {
        anchor: "new-app".to_string(),
        initial: initial_of(&name),
        name: name.clone(),
        package: r.package.clone(),
        version,
        file: r.file.clone(),
        short_file: basename(&r.file).to_string(),
        icon: icon_uri(facts),
        color: PALETTE.first().copied().unwrap_or(OTHER_COLOR),
        signer,
        signer_title,
        vendor: String::new(),
        badges: badges(facts),
    };
    let duplicate = !r.duplicates.is_empty();
    let verdict = if duplicate {
        format!(
            "{name} duplicates the function of {} of the {} apps in the collection (similarity at or above {}).",
            r.duplicates.len(),
            r.collection,
            f2(r.threshold)
        )
    } else {
        format!(
            "No app of the {} in the collection duplicates the function of {name} at or above {}.",
            r.collection,
            f2(r.threshold)
        )
    };
    let closest = r
        .duplicates
        .iter()
        .chain(&r.nearest_below)
        .map(|p| p.score)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let stats = vec![
        Stat {
            label: "apps compared",
            value: r.collection.to_string(),
            class: "",
        },
        Stat {
            label: "duplicates",
            value: r.duplicates.len().to_string(),
            class: if duplicate { "bad" } else { "" },
        },
        Stat {
            label: "closest similarity",
            value: closest.map(f2).unwrap_or_else(|| "–".to_string()),
            class: "",
        },
        Stat {
            label: "collection errors",
            value: r.collection_errors.len().to_string(),
            class: if r.collection_errors.is_empty() {
                ""
            } else {
                "bad"
            },
        },
    ];
    let page = CheckPage {
        page_title: format!("Duplicate check: {name}"),
        tool: r.tool.clone(),
        threshold: f2(r.threshold),
        card: Some(card),
        duplicate,
        verdict,
        stats,
        duplicates: r
            .duplicates
            .iter()
            .enumerate()
            .map(|(i, p)| pair_view(i + 1, p))
            .collect(),
        nearest: r
            .nearest_below
            .iter()
            .enumerate()
            .map(|(i, p)| pair_view(r.duplicates.len() + i + 1, p))
            .collect(),
        errors: r
            .collection_errors
            .iter()
            .map(|a| ErrorRow {
                file: a.file.clone(),
                reason: a.error.clone().unwrap_or_default(),
            })
            .collect(),
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_short_prefers_organisation() {
        assert_eq!(
            subject_short("CN=Zhang, OU=Dev, O=Jz Soft, C=CN"),
            "Jz Soft"
        );
        assert_eq!(subject_short("CN=Only"), "Only");
        assert_eq!(subject_short("weird"), "weird");
    }

    #[test]
    fn heat_fill_is_a_colour() {
        assert_eq!(heat_fill(0.0, 0.2), "#dbeafe");
        assert_eq!(heat_fill(1.0, 0.2), "#1e3a8a");
    }

    #[test]
    fn truncate_counts_chars() {
        assert_eq!(truncate("长沙公交实时查询", 4), "长沙公…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}

//! What a cluster's members share, what differs and who built them, and
//! the paragraph that says so.

use super::*;

pub(super) fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Features of `dim` that at least `min` of `members` have: (name, count),
/// most common then heaviest first.
fn common_features(an: &Analysed<'_>, members: &[u32], dim: usize, min: usize) -> Vec<String> {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for &m in members {
        if let Some(ids) = an.coll.prints.get(m as usize).and_then(|p| p.dims.get(dim)) {
            for &id in ids {
                *counts.entry(id).or_insert(0) += 1;
            }
        }
    }
    let n = an.coll.len();
    let mut list: Vec<(u32, usize)> = counts
        .into_iter()
        .filter(|&(id, c)| c >= min && !everyone_has(&an.coll, dim, id, n))
        .collect();
    list.sort_by(|x, y| {
        y.1.cmp(&x.1)
            .then(
                an.coll
                    .weight(dim, y.0)
                    .total_cmp(&an.coll.weight(dim, x.0)),
            )
            .then(x.0.cmp(&y.0))
    });
    list.into_iter()
        .take(MAX_LISTED)
        .map(|(id, _)| an.vocab.name(dim, id).to_string())
        .collect()
}

/// A feature more than half of a collection of ten or more has explains
/// nothing.
fn everyone_has(coll: &Collection, dim: usize, id: u32, n: usize) -> bool {
    let df = coll
        .df
        .get(dim)
        .and_then(|d| d.get(id as usize))
        .copied()
        .unwrap_or(0) as usize;
    n >= 10 && df * 2 > n
}

fn dim_index(name: &str) -> usize {
    FUNCTION_DIMS.iter().position(|d| *d == name).unwrap_or(0)
}

fn roles_of(r: &AppRecord) -> BTreeSet<String> {
    r.screens.iter().map(|s| s.role.clone()).collect()
}

pub(super) fn describe(an: &Analysed<'_>, group: &[u32]) -> Cluster {
    let n = group.len();
    let mut pairs = Vec::new();
    let mut dim_sum = [0.0f64; DIMS];
    let mut dim_count = [0usize; DIMS];
    for (i, &a) in group.iter().enumerate() {
        for &b in group.iter().skip(i + 1) {
            let p = an.coll.pair(a as usize, b as usize);
            for ((s, sum), count) in p.dims.iter().zip(&mut dim_sum).zip(&mut dim_count) {
                if let Some(s) = s {
                    *sum += s;
                    *count += 1;
                }
            }
            pairs.push(PairEntry {
                a: an.file(a as usize).to_string(),
                b: an.file(b as usize).to_string(),
                score: round(p.score),
            });
        }
    }
    let score = pairs.iter().map(|p| p.score).sum::<f64>() / pairs.len().max(1) as f64;
    let min_score = pairs.iter().map(|p| p.score).fold(1.0, f64::min);
    pairs.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let dimensions = FUNCTION_DIMS
        .iter()
        .zip(dim_sum.iter().zip(&dim_count))
        .filter(|(_, (_, &count))| count > 0)
        .map(|(name, (sum, &count))| (*name, round(sum / count as f64)))
        .collect();
    let min_common = (2 * n).div_ceil(3).max(2);
    let mut shared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in READABLE {
        let list = common_features(an, group, dim_index(name), min_common);
        if !list.is_empty() {
            shared.insert(name.to_string(), list);
        }
    }
    let member_records: Vec<&AppRecord> = group
        .iter()
        .filter_map(|&i| an.records.get(i as usize).copied())
        .collect();
    let role_sets: Vec<BTreeSet<String>> = member_records.iter().map(|r| roles_of(r)).collect();
    let mut role_count: BTreeMap<&str, usize> = BTreeMap::new();
    for set in &role_sets {
        for r in set {
            *role_count.entry(r.as_str()).or_insert(0) += 1;
        }
    }
    let roles: Vec<String> = role_count
        .iter()
        .filter(|&(_, &c)| c >= min_common)
        .map(|(r, _)| r.to_string())
        .collect();
    if !roles.is_empty() {
        shared.insert("roles".into(), roles);
    }
    let differs = differences(an, group, &role_sets);
    let provenance = provenance_of(&member_records);
    let mut members: Vec<String> = member_records.iter().map(|r| r.file.clone()).collect();
    members.sort();
    let mut c = Cluster {
        id: 0,
        members,
        score: round(score),
        min_score: round(min_score),
        dimensions,
        shared,
        differs,
        provenance,
        pairs,
        explanation: String::new(),
    };
    c.explanation = explain_cluster(&c, &member_records);
    c
}

fn differences(
    an: &Analysed<'_>,
    group: &[u32],
    role_sets: &[BTreeSet<String>],
) -> Vec<MemberDifference> {
    let n = group.len();
    let max_others = (n - 1) / 3;
    let mut out = Vec::new();
    for (k, &m) in group.iter().enumerate() {
        let mut only: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in ["capabilities", "permissions", "names"] {
            let d = dim_index(name);
            let Some(ids) = an.coll.prints.get(m as usize).and_then(|p| p.dims.get(d)) else {
                continue;
            };
            let mut list: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|id| {
                    let others = group
                        .iter()
                        .filter(|&&o| o != m)
                        .filter(|&&o| has(&an.coll.prints, o, d, *id))
                        .count();
                    others <= max_others
                })
                .collect();
            an.coll.sort_by_weight(d, &mut list);
            let names: Vec<String> = list
                .into_iter()
                .take(MAX_LISTED)
                .map(|id| an.vocab.name(d, id).to_string())
                .collect();
            if !names.is_empty() {
                only.insert(name.to_string(), names);
            }
        }
        if let Some(mine) = role_sets.get(k) {
            let roles: Vec<String> = mine
                .iter()
                .filter(|r| {
                    let others = role_sets
                        .iter()
                        .enumerate()
                        .filter(|&(j, s)| j != k && s.contains(*r))
                        .count();
                    others <= max_others
                })
                .cloned()
                .collect();
            if !roles.is_empty() {
                only.insert("roles".into(), roles);
            }
        }
        if !only.is_empty() {
            out.push(MemberDifference {
                file: an.file(m as usize).to_string(),
                only_here: only,
            });
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

fn has(prints: &[Fingerprint], app: u32, dim: usize, id: u32) -> bool {
    prints
        .get(app as usize)
        .and_then(|p| p.dims.get(dim))
        .is_some_and(|ids| ids.binary_search(&id).is_ok())
}

/// Jaccard of two sorted, deduplicated string lists (feature lists are
/// kept so), by one merge; `None` when both are empty.
pub(super) fn jaccard(a: &[String], b: &[String]) -> Option<f64> {
    if a.is_empty() && b.is_empty() {
        return None;
    }
    let mut inter = 0usize;
    crate::similarity::merge_shared(a, b, |_| inter += 1);
    let union = a.len() + b.len() - inter;
    Some(inter as f64 / union.max(1) as f64)
}

/// Share of resource files two builds have in common above which they are
/// one build relabelled.
pub const CLONE_RESOURCE_OVERLAP: f64 = 0.6;

/// Whether `b` is a white-label rebuild of `a`: another package, most
/// resource files byte-identical.
pub fn white_label(a: &AppRecord, b: &AppRecord) -> bool {
    a.package() != b.package()
        && a.sha256 != b.sha256
        && jaccard(
            a.features.provenance("resources"),
            b.features.provenance("resources"),
        )
        .is_some_and(|j| j >= CLONE_RESOURCE_OVERLAP)
}

fn provenance_of(members: &[&AppRecord]) -> ClusterProvenance {
    let mut signers: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in members {
        if let Some(f) = &r.facts {
            for s in &f.signers {
                let e = signers
                    .entry(s.sha256.clone())
                    .or_insert_with(|| (s.subject.clone(), Vec::new()));
                e.1.push(r.file.clone());
            }
        }
        for p in r.features.provenance("code_packages") {
            packages.entry(p.clone()).or_default().push(r.file.clone());
        }
    }
    let mut common_sdks: Option<BTreeSet<&String>> = None;
    for r in members {
        let set: BTreeSet<&String> = r.features.provenance("sdks").iter().collect();
        common_sdks = Some(match common_sdks {
            None => set,
            Some(c) => c.intersection(&set).copied().collect(),
        });
    }
    let mut clones = Vec::new();
    let mut by_sha: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, a) in members.iter().enumerate() {
        by_sha
            .entry(a.sha256.as_str())
            .or_default()
            .push(a.file.clone());
        for b in members.iter().skip(i + 1) {
            if white_label(a, b) {
                let (x, y) = if a.file <= b.file { (a, b) } else { (b, a) };
                clones.push([x.file.clone(), y.file.clone()]);
            }
        }
    }
    clones.sort();
    let mut identical: Vec<Vec<String>> = by_sha
        .into_values()
        .filter(|v| v.len() > 1)
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    identical.sort();
    let group = |(value, (name, mut members)): (String, (String, Vec<String>))| {
        members.sort();
        members.dedup();
        Group {
            value,
            name,
            members,
        }
    };
    ClusterProvenance {
        signers: signers.into_iter().map(group).collect(),
        code_packages: packages
            .into_iter()
            .map(|(k, v)| group((k, (String::new(), v))))
            .collect(),
        common_sdks: common_sdks
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect(),
        white_label_clones: clones,
        identical_files: identical,
    }
}

pub(super) fn name_list(names: &[String], max: usize) -> String {
    let mut s = names
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(" and {} more", names.len() - max));
    }
    s
}

fn explain_cluster(c: &Cluster, members: &[&AppRecord]) -> String {
    let n = c.members.len();
    let mut names: Vec<String> = members.iter().map(|r| r.display_name()).collect();
    names.sort();
    names.dedup();
    let mut s = format!(
        "These {n} apps ({}) appear to do the same job (cohesion {:.2}, weakest pair {:.2}).",
        name_list(&names, 6),
        c.score,
        c.min_score
    );
    let mut shares = Vec::new();
    if let Some(roles) = c.shared.get("roles") {
        shares.push(format!("screens of the kinds {}", roles.join(", ")));
    }
    if let Some(caps) = c.shared.get("capabilities") {
        shares.push(format!("the capabilities {}", name_list(caps, 6)));
    }
    if let Some(text) = c.shared.get("text") {
        shares.push(format!("the words {}", name_list(text, 8)));
    }
    if let Some(paths) = c.shared.get("paths") {
        shares.push(format!("backend paths such as {}", name_list(paths, 5)));
    }
    if !shares.is_empty() {
        s.push_str(&format!(" Most of them share {}.", shares.join("; ")));
    }
    let p = &c.provenance;
    let signers = p.signers.len();
    let vendors: BTreeSet<&str> = p.code_packages.iter().map(|g| g.value.as_str()).collect();
    s.push_str(&format!(
        " They are signed with {} certificate{}",
        signers,
        if signers == 1 { "" } else { "s" }
    ));
    if vendors.is_empty() {
        s.push('.');
    } else {
        s.push_str(&format!(
            " and carry the base code of {}.",
            name_list(
                &vendors.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
                4
            )
        ));
    }
    if !p.white_label_clones.is_empty() {
        s.push_str(&format!(
            " {} pair{} are white-label rebuilds of one app.",
            p.white_label_clones.len(),
            if p.white_label_clones.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    if !p.identical_files.is_empty() {
        s.push_str(" Some files are byte-identical copies.");
    }
    s.push_str(&format!(
        " One shared app could replace {} of them.",
        n.saturating_sub(1)
    ));
    s
}

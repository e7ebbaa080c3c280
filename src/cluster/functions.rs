//! Duplicated functions: screens that recur across apps.

use super::*;

/// Screens that recur across apps (see the module docs).
pub(super) fn duplicated_functions(
    records: &[&AppRecord],
    options: &ClusterOptions,
) -> Vec<DuplicatedFunction> {
    // One item per (app, screen).
    let mut items: Vec<(usize, usize)> = Vec::new();
    for (a, r) in records.iter().enumerate() {
        for s in 0..r.screens.len() {
            items.push((a, s));
        }
    }
    let screen = |&(a, s): &(usize, usize)| records.get(a).and_then(|r| r.screens.get(s));
    let mut ids: BTreeMap<u64, u32> = BTreeMap::new();
    for it in &items {
        if let Some(sc) = screen(it) {
            for &f in &sc.features {
                ids.insert(f, 0);
            }
        }
    }
    for (i, v) in ids.values_mut().enumerate() {
        *v = i as u32;
    }
    let prints: Vec<Fingerprint> = items
        .iter()
        .map(|it| {
            let mut v: Vec<u32> = screen(it)
                .map(|sc| {
                    sc.features
                        .iter()
                        .filter_map(|f| ids.get(f).copied())
                        .collect()
                })
                .unwrap_or_default();
            v.sort_unstable();
            v.dedup();
            Fingerprint { dims: vec![v] }
        })
        .collect();
    let coll = Collection::new(prints, &[ids.len()]);
    let edges: Vec<(u32, u32, f64)> = scored_pairs(&coll, options, SCREEN_THRESHOLD * EDGE_FLOOR)
        .into_iter()
        .filter(|&(x, y, _)| {
            let (ix, iy) = (items.get(x as usize), items.get(y as usize));
            match (ix, iy) {
                (Some(ix), Some(iy)) => {
                    ix.0 != iy.0 && screen(ix).map(|s| &s.role) == screen(iy).map(|s| &s.role)
                }
                _ => false,
            }
        })
        .collect();
    let groups = linkage::average_linkage(items.len(), &edges, SCREEN_THRESHOLD);
    let mut out = Vec::new();
    for g in groups {
        let mut apps = BTreeSet::new();
        let mut screens = Vec::new();
        let mut titles: BTreeMap<&str, usize> = BTreeMap::new();
        let mut role = String::new();
        for &i in &g {
            let Some(it) = items.get(i as usize) else {
                continue;
            };
            let (Some(r), Some(sc)) = (records.get(it.0), screen(it)) else {
                continue;
            };
            apps.insert(r.file.clone());
            screens.push(ScreenRef {
                file: r.file.clone(),
                screen: sc.name.clone(),
            });
            // Obfuscated class names (`A`, `ab`) make poor titles.
            if sc.title.chars().count() > 2 {
                *titles.entry(sc.title.as_str()).or_insert(0) += 1;
            }
            role = sc.role.clone();
        }
        if apps.len() < MIN_FUNCTION_APPS {
            continue;
        }
        let title = titles
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(t, _)| t.to_string())
            .unwrap_or_default();
        let strings = g
            .iter()
            .filter_map(|&i| items.get(i as usize).and_then(screen))
            .find(|sc| sc.title == title)
            .map(|sc| sc.strings.clone())
            .unwrap_or_default();
        let mut sum = 0.0;
        let mut cnt = 0usize;
        for (k, &x) in g.iter().enumerate() {
            for &y in g.iter().skip(k + 1) {
                sum += coll.score(x as usize, y as usize);
                cnt += 1;
            }
        }
        screens.sort_by(|x, y| x.file.cmp(&y.file).then(x.screen.cmp(&y.screen)));
        out.push(DuplicatedFunction {
            id: 0,
            role,
            title,
            strings,
            clusters: Vec::new(),
            apps: apps.into_iter().collect(),
            screens,
            score: round(sum / cnt.max(1) as f64),
        });
    }
    out.sort_by(|x, y| {
        y.apps
            .len()
            .cmp(&x.apps.len())
            .then(y.score.total_cmp(&x.score))
            .then(x.apps.cmp(&y.apps))
    });
    for (i, f) in out.iter_mut().enumerate() {
        f.id = i + 1;
    }
    out
}

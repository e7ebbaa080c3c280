//! Clustering at scale on synthetic fingerprints, LSH recall, and scan
//! throughput on the real corpus. Prints figures; asserts nothing.
//!
//! 1. Synthetic collections of 10k and 100k apps: wall time of each stage
//!    (`Collection::new`, LSH signatures + candidates, exact scoring of the
//!    candidates, average linkage) and peak memory (`VmHWM`). Each size runs
//!    in a child process (this executable again, selected by
//!    `FINGERTIP_BENCH_CLUSTER_CHILD=<apps>`) so every size gets a clean
//!    peak. Targets: 100k apps in under 60 s, under 2 GiB peak.
//! 2. LSH recall on 5k synthetic apps: pairs at or above
//!    [`cluster::DEFAULT_THRESHOLD`] found by scoring every pair against
//!    those LSH candidate generation finds (target >= 0.98), candidates
//!    against all pairs, and the pairwise recall of the final clusters.
//! 3. `scan::scan` over the APKs of `../shared/corpus/real` (skipped when
//!    absent): APKs/s, MB/s, errors.
//!
//! The generator models a collection of government apps: functional
//! families (2..=40 members, plus ~30% singletons) with a feature pool per
//! dimension of which each member takes 70-90% (and ~15% of the pools
//! of 0-2 other families: borrowed screens), ~50 vendors (crossing
//! families) whose base code every app of theirs carries, ~300 cities whose
//! names and domains recur across families, generic features of Zipf-like
//! popularity (up to ~40% of apps: common widgets, words, calls), common
//! features most apps have (INTERNET, AndroidX) and a few unique ones per
//! app. Sizes per dimension follow the govgen apps (~470 features per app).
//! Deterministic: fixed seed, SplitMix64.
//!
//! Run: `cargo bench --bench cluster_scale`. `FINGERTIP_BENCH_SIZES=10000,
//! 100000` sets the sizes of part 1, `FINGERTIP_BENCH_RECALL_APPS=5000` the
//! size of part 2 (0 skips), `FINGERTIP_BENCH_SCAN=0` skips part 3.

use fingertip::cluster::{self, linkage, ClusterOptions, EDGE_FLOOR};
use fingertip::scan::{self, ScanOptions};
use fingertip::similarity::lsh;
use fingertip::similarity::{Collection, Fingerprint, DIMS};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CHILD_ENV: &str = "FINGERTIP_BENCH_CLUSTER_CHILD";
const SEED: u64 = 0x5EED_F1A9_E27B_0001;
const TARGET_SECS: f64 = 60.0;
const TARGET_PEAK_MIB: f64 = 2048.0;
const TARGET_RECALL: f64 = 0.98;

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// A count with mean `mean` (rounded randomly, +-30%).
    fn around(&mut self, mean: f64) -> usize {
        let x = mean * (0.7 + 0.6 * self.unit());
        x.floor() as usize + usize::from(self.chance(x.fract()))
    }
}

/// Shape of one dimension (per app means; `FUNCTION_DIMS` order).
struct DimShape {
    /// Features most apps have: count, each held by 55-99% of apps.
    common: usize,
    /// Generic features: vocabulary and draws per app (Zipf-like).
    generic_vocab: usize,
    generic_draws: f64,
    /// Family pool size.
    family: usize,
    /// Vendor base features.
    vendor: usize,
    /// City features (name, domain).
    city: usize,
    /// Unique features per app (mean).
    unique: f64,
}

/// Roughly the govgen apps: screens ~225, text ~125, names ~14, ids ~46,
/// paths ~18, permissions ~9, capabilities ~5, intents ~1, api ~45.
const SHAPES: [DimShape; DIMS] = [
    DimShape {
        common: 130,
        generic_vocab: 4000,
        generic_draws: 40.0,
        family: 80,
        vendor: 10,
        city: 0,
        unique: 1.0,
    },
    DimShape {
        common: 70,
        generic_vocab: 6000,
        generic_draws: 20.0,
        family: 60,
        vendor: 4,
        city: 2,
        unique: 2.0,
    },
    DimShape {
        common: 5,
        generic_vocab: 400,
        generic_draws: 2.0,
        family: 10,
        vendor: 2,
        city: 0,
        unique: 0.3,
    },
    DimShape {
        common: 25,
        generic_vocab: 1000,
        generic_draws: 10.0,
        family: 15,
        vendor: 4,
        city: 0,
        unique: 0.2,
    },
    DimShape {
        common: 10,
        generic_vocab: 500,
        generic_draws: 2.0,
        family: 10,
        vendor: 0,
        city: 1,
        unique: 1.0,
    },
    DimShape {
        common: 9,
        generic_vocab: 40,
        generic_draws: 2.0,
        family: 2,
        vendor: 0,
        city: 0,
        unique: 0.0,
    },
    DimShape {
        common: 2,
        generic_vocab: 30,
        generic_draws: 2.0,
        family: 2,
        vendor: 0,
        city: 0,
        unique: 0.0,
    },
    DimShape {
        common: 0,
        generic_vocab: 100,
        generic_draws: 0.5,
        family: 1,
        vendor: 0,
        city: 0,
        unique: 0.5,
    },
    DimShape {
        common: 40,
        generic_vocab: 150,
        generic_draws: 6.0,
        family: 5,
        vendor: 0,
        city: 0,
        unique: 0.0,
    },
];

const VENDORS: usize = 50;
const CITIES: usize = 300;

/// Zipf-like sampler over `0..vocab`: weight of `i` is `1 / (i + k)`, with
/// `k` chosen so the most popular feature is drawn by ~40% of apps.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(vocab: usize, draws: f64) -> Zipf {
        let mut k = 1.0f64;
        loop {
            let total: f64 = (0..vocab).map(|i| 1.0 / (i as f64 + k)).sum();
            let p0 = (1.0 / k) / total;
            if p0 * draws <= 0.5 || k > 1e6 {
                let mut acc = 0.0;
                let cdf = (0..vocab)
                    .map(|i| {
                        acc += 1.0 / (i as f64 + k) / total;
                        acc
                    })
                    .collect();
                return Zipf { cdf };
            }
            k *= 1.25;
        }
    }
    fn draw(&self, rng: &mut Rng) -> u32 {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1) as u32
    }
}

/// A synthetic collection with its ground truth.
struct Synthetic {
    prints: Vec<Fingerprint>,
    vocab_sizes: Vec<usize>,
    /// Functional family of each app (singletons have their own).
    family: Vec<u32>,
}

fn generate(n: usize, seed: u64) -> Synthetic {
    let mut rng = Rng(seed);
    // Family sizes: ~30% of apps singletons, the rest in families of 2..=40.
    let mut sizes = Vec::new();
    let mut placed = 0;
    while placed < n {
        let s = if rng.chance(0.3 / (0.3 + 0.7 / 21.0)) {
            1
        } else {
            rng.range(2, 40)
        };
        let s = s.min(n - placed);
        sizes.push(s);
        placed += s;
    }
    let families = sizes.len();
    // Per dimension: common probabilities, Zipf sampler, id offsets.
    let commons: Vec<Vec<f64>> = SHAPES
        .iter()
        .map(|s| (0..s.common).map(|_| 0.55 + 0.44 * rng.unit()).collect())
        .collect();
    let zipfs: Vec<Zipf> = SHAPES
        .iter()
        .map(|s| Zipf::new(s.generic_vocab, s.generic_draws))
        .collect();
    // Layout of ids per dim: common | generic | vendor | city | family | unique.
    let base: Vec<[u32; 5]> = SHAPES
        .iter()
        .map(|s| {
            let generic = s.common;
            let vendor = generic + s.generic_vocab;
            let city = vendor + VENDORS * s.vendor;
            let family = city + CITIES * s.city;
            let unique = family + families * s.family;
            [generic, vendor, city, family, unique].map(|x| x as u32)
        })
        .collect();
    let mut next_unique: Vec<u32> = base.iter().map(|b| b[4]).collect();
    let mut prints = Vec::with_capacity(n);
    let mut family = Vec::with_capacity(n);
    for (f, &size) in sizes.iter().enumerate() {
        let home_vendor = rng.range(0, VENDORS - 1);
        let mut previous: Option<Fingerprint> = None;
        for _ in 0..size {
            let vendor = if rng.chance(0.6) {
                home_vendor
            } else {
                rng.range(0, VENDORS - 1)
            };
            let city = rng.range(0, CITIES - 1);
            let take = 0.7 + 0.2 * rng.unit();
            let borrowed: Vec<usize> = (0..rng.range(0, 2))
                .map(|_| rng.range(0, families - 1))
                .collect();
            // ~5% of members are white-label clones of the previous one.
            let clone = previous.is_some() && rng.chance(0.05);
            let mut dims = Vec::with_capacity(DIMS);
            for (d, shape) in SHAPES.iter().enumerate() {
                let b = base[d];
                let mut ids: Vec<u32> = Vec::new();
                if let (true, Some(p)) = (clone, previous.as_ref()) {
                    // Same build: common, generic, vendor and family
                    // features; own city and unique ones.
                    let keep = |id: u32| id < b[2] || (id >= b[3] && id < b[4]);
                    ids.extend(p.dims[d].iter().copied().filter(|&id| keep(id)));
                } else {
                    for (i, &p) in commons[d].iter().enumerate() {
                        if rng.chance(p) {
                            ids.push(i as u32);
                        }
                    }
                    for _ in 0..rng.around(shape.generic_draws) {
                        ids.push(b[0] + zipfs[d].draw(&mut rng));
                    }
                    let pool = b[3] + (f * shape.family) as u32;
                    for i in 0..shape.family as u32 {
                        if rng.chance(take) {
                            ids.push(pool + i);
                        }
                    }
                    // Screens borrowed from other families (~15% of
                    // their pool each).
                    for &other in &borrowed {
                        let pool = b[3] + (other * shape.family) as u32;
                        for i in 0..shape.family as u32 {
                            if rng.chance(0.15) {
                                ids.push(pool + i);
                            }
                        }
                    }
                    for i in 0..shape.vendor as u32 {
                        if rng.chance(0.9) {
                            ids.push(b[1] + (vendor * shape.vendor) as u32 + i);
                        }
                    }
                }
                for i in 0..shape.city as u32 {
                    ids.push(b[2] + (city * shape.city) as u32 + i);
                }
                for _ in 0..rng.around(shape.unique) {
                    ids.push(next_unique[d]);
                    next_unique[d] += 1;
                }
                ids.sort_unstable();
                ids.dedup();
                dims.push(ids);
            }
            let print = Fingerprint { dims };
            previous = Some(print.clone());
            prints.push(print);
            family.push(f as u32);
        }
    }
    Synthetic {
        prints,
        vocab_sizes: next_unique.iter().map(|&x| x as usize).collect(),
        family,
    }
}

/// `VmHWM` and `VmRSS` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Pairwise precision, recall and F1 of `groups` against `truth`.
fn pairwise(groups: &[Vec<u32>], truth: &[u32]) -> (f64, f64, f64) {
    let c2 = |k: u64| k * k.saturating_sub(1) / 2;
    let mut fam_sizes: HashMap<u32, u64> = HashMap::new();
    for &f in truth {
        *fam_sizes.entry(f).or_insert(0) += 1;
    }
    let true_pairs: u64 = fam_sizes.values().map(|&k| c2(k)).sum();
    let (mut predicted, mut tp) = (0u64, 0u64);
    for g in groups {
        predicted += c2(g.len() as u64);
        let mut cell: HashMap<u32, u64> = HashMap::new();
        for &m in g {
            *cell.entry(truth[m as usize]).or_insert(0) += 1;
        }
        tp += cell.values().map(|&k| c2(k)).sum::<u64>();
    }
    let p = tp as f64 / predicted.max(1) as f64;
    let r = tp as f64 / true_pairs.max(1) as f64;
    (
        p,
        r,
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    )
}

/// Part 1 in a child process: one size, figures as `key value` lines.
fn child(n: usize) {
    let options = ClusterOptions::default();
    let floor = options.threshold * EDGE_FLOOR;
    let t = Instant::now();
    let syn = generate(n, SEED);
    let gen_secs = t.elapsed().as_secs_f64();
    let features: usize = syn.prints.iter().flat_map(|p| &p.dims).map(Vec::len).sum();
    println!("generate {gen_secs:.3}");
    println!("features_per_app {:.1}", features as f64 / n as f64);
    println!("rss_after_generate_kib {}", memory_kib().1);
    let family = syn.family;

    let t = Instant::now();
    let coll = Collection::new(syn.prints, &syn.vocab_sizes);
    let collection = t.elapsed().as_secs_f64();

    // What `cluster::scored_pairs` does above `exact_limit`, stage by stage.
    let t = Instant::now();
    let sigs = lsh::signatures(&coll, &options.lsh);
    let signatures = t.elapsed().as_secs_f64();
    let index = lsh::BandIndex::new(&sigs, &options.lsh);
    drop(sigs);
    let lsh_secs = t.elapsed().as_secs_f64();
    println!("rss_after_lsh_kib {}", memory_kib().1);

    // Listing the candidates alone (not part of the total: scoring lists
    // them again, app by app).
    let t = Instant::now();
    let n_candidates = index.count_pairs();
    let listing = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let edges = cluster::score_candidates(&coll, &index, floor);
    let scoring = t.elapsed().as_secs_f64();
    drop(index);

    let t = Instant::now();
    let edges = cluster::close_two_hop(&coll, edges, options.threshold, floor);
    let closing = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let groups = linkage::average_linkage(n, &edges, options.threshold);
    let link = t.elapsed().as_secs_f64();
    let (p, r, f1) = pairwise(&groups, &family);
    println!("collection {collection:.3}");
    println!("signatures {signatures:.3}");
    println!("lsh {lsh_secs:.3}");
    println!("listing {listing:.3}");
    println!("scoring {scoring:.3}");
    println!("closing {closing:.3}");
    println!("linkage {link:.3}");
    println!(
        "total {:.3}",
        collection + lsh_secs + scoring + closing + link
    );
    println!("candidates {n_candidates}");
    println!("edges {}", edges.len());
    println!(
        "edges_at_threshold {}",
        edges.iter().filter(|e| e.2 >= options.threshold).count()
    );
    println!("clusters {}", groups.len());
    println!("in_clusters {}", groups.iter().map(Vec::len).sum::<usize>());
    println!("family_f1 {p:.3} {r:.3} {f1:.3}");
    println!("vmhwm_kib {}", memory_kib().0);
}

fn run_child(n: usize) -> Option<HashMap<String, String>> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe)
        .env(CHILD_ENV, n.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        println!(
            "  {n} apps: child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn part_scale(sizes: &[usize]) {
    println!("1. clustering synthetic collections (one child process per size)");
    for &n in sizes {
        let Some(m) = run_child(n) else { continue };
        let get = |k: &str| m.get(k).map(String::as_str).unwrap_or("?");
        let num = |k: &str| get(k).parse::<f64>().unwrap_or(f64::NAN);
        let peak_mib = num("vmhwm_kib") / 1024.0;
        println!(
            "  {n} apps ({} features/app, generated in {} s, RSS after generation {:.0} MiB)",
            get("features_per_app"),
            get("generate"),
            num("rss_after_generate_kib") / 1024.0
        );
        println!(
            "    Collection::new {} s | LSH signatures+buckets {} s (signatures {} s) | candidates listed and scored exactly {} s | strong triangles closed {} s | average linkage {} s | total {} s",
            get("collection"),
            get("lsh"),
            get("signatures"),
            get("scoring"),
            get("closing"),
            get("linkage"),
            get("total")
        );
        println!(
            "    (listing the candidates alone takes {} s; RSS after the LSH index {:.0} MiB)",
            get("listing"),
            num("rss_after_lsh_kib") / 1024.0
        );
        println!(
            "    {} candidates ({:.1} per app, {:.4}% of all pairs), {} edges >= floor, {} >= threshold; {} clusters holding {} apps; vs families P/R/F1 {}",
            get("candidates"),
            num("candidates") / n as f64,
            num("candidates") / (n as f64 * (n as f64 - 1.0) / 2.0) * 100.0,
            get("edges"),
            get("edges_at_threshold"),
            get("clusters"),
            get("in_clusters"),
            get("family_f1").replace(' ', "/")
        );
        let total = num("total");
        let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
        if n == 100_000 {
            println!(
                "    total {total:.1} s (target < {TARGET_SECS} s: {}), peak {peak_mib:.0} MiB (target < {TARGET_PEAK_MIB} MiB: {})",
                verdict(total < TARGET_SECS),
                verdict(peak_mib < TARGET_PEAK_MIB)
            );
        } else {
            println!("    peak {peak_mib:.0} MiB (VmHWM)");
        }
    }
}

/// Pairs (a < b) that share a group.
fn together(groups: &[Vec<u32>]) -> HashSet<(u32, u32)> {
    let mut out = HashSet::new();
    for g in groups {
        for (i, &a) in g.iter().enumerate() {
            for &b in g.iter().skip(i + 1) {
                out.insert((a.min(b), a.max(b)));
            }
        }
    }
    out
}

fn part_recall(n: usize) {
    println!(
        "2. LSH recall on {n} synthetic apps (threshold {})",
        cluster::DEFAULT_THRESHOLD
    );
    let syn = generate(n, SEED ^ 0xABCD);
    let coll = Collection::new(syn.prints, &syn.vocab_sizes);
    let threshold = cluster::DEFAULT_THRESHOLD;
    let floor = threshold * EDGE_FLOOR;
    let exact_opts = ClusterOptions {
        exact_limit: usize::MAX,
        ..ClusterOptions::default()
    };
    let lsh_opts = ClusterOptions {
        exact_limit: 0,
        ..ClusterOptions::default()
    };
    let t = Instant::now();
    let exact = cluster::scored_pairs(&coll, &exact_opts, floor);
    let exact_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let approx = cluster::scored_pairs(&coll, &lsh_opts, floor);
    let lsh_secs = t.elapsed().as_secs_f64();
    let sigs = lsh::signatures(&coll, &lsh_opts.lsh);
    let candidates = lsh::BandIndex::new(&sigs, &lsh_opts.lsh).count_pairs();
    let all = n * (n - 1) / 2;
    let truth: HashSet<(u32, u32)> = exact
        .iter()
        .filter(|e| e.2 >= threshold)
        .map(|e| (e.0, e.1))
        .collect();
    let found = approx
        .iter()
        .filter(|e| e.2 >= threshold && truth.contains(&(e.0, e.1)))
        .count();
    let same_family = truth
        .iter()
        .filter(|(a, b)| syn.family[*a as usize] == syn.family[*b as usize])
        .count();
    let recall = found as f64 / truth.len().max(1) as f64;
    println!(
        "  all pairs {all}: {} at >= {threshold} ({same_family} within a family), exact scoring {exact_secs:.2} s",
        truth.len()
    );
    println!(
        "  LSH: {candidates} candidates ({:.2}% of all pairs), {found} of the {} pairs found: recall {recall:.4} (target >= {TARGET_RECALL}: {}), {lsh_secs:.2} s",
        candidates as f64 / all as f64 * 100.0,
        truth.len(),
        if recall >= TARGET_RECALL { "ok" } else { "MISSED" }
    );
    // Missed pairs by score band.
    let found_set: HashSet<(u32, u32)> = approx.iter().map(|e| (e.0, e.1)).collect();
    let mut bands = [(0usize, 0usize); 4];
    for e in exact.iter().filter(|e| e.2 >= threshold) {
        let band = (((e.2 - threshold) / 0.1) as usize).min(3);
        bands[band].0 += 1;
        if found_set.contains(&(e.0, e.1)) {
            bands[band].1 += 1;
        }
    }
    let text: Vec<String> = bands
        .iter()
        .enumerate()
        .filter(|(_, b)| b.0 > 0)
        .map(|(i, b)| {
            let lo = threshold + 0.1 * i as f64;
            let range = if i == 3 {
                format!(">= {lo:.1}")
            } else {
                format!("{lo:.1}-{:.1}", lo + 0.1)
            };
            format!("{range}: {}/{}", b.1, b.0)
        })
        .collect();
    println!("  found by score: {}", text.join(", "));
    let g_exact = linkage::average_linkage(n, &exact, threshold);
    let g_lsh = linkage::average_linkage(n, &approx, threshold);
    let (te, tl) = (together(&g_exact), together(&g_lsh));
    let kept = te.intersection(&tl).count();
    let cluster_recall = kept as f64 / te.len().max(1) as f64;
    println!(
        "  clusters: exact {} ({} co-clustered pairs), LSH {} ({} pairs); pairwise recall of LSH clusters {cluster_recall:.4}, precision {:.4}",
        g_exact.len(),
        te.len(),
        g_lsh.len(),
        tl.len(),
        kept as f64 / tl.len().max(1) as f64
    );
    let (p, r, f1) = pairwise(&g_exact, &syn.family);
    let (lp, lr, lf1) = pairwise(&g_lsh, &syn.family);
    println!("  vs families: exact P/R/F1 {p:.3}/{r:.3}/{f1:.3}, LSH {lp:.3}/{lr:.3}/{lf1:.3}");
}

fn part_scan() {
    println!("3. scan throughput on ../shared/corpus/real");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if !dir.is_dir() {
        println!("  ../shared/corpus/real not found; skipped");
        return;
    }
    let files: Vec<_> = match scan::discover(&[dir]) {
        Ok(f) => f
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("apk")))
            .collect(),
        Err(e) => {
            println!("  {e}; skipped");
            return;
        }
    };
    if files.is_empty() {
        println!("  no APKs; skipped");
        return;
    }
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let options = ScanOptions::default();
    let mut best = f64::MAX;
    let mut stats = None;
    for _ in 0..2 {
        let t = Instant::now();
        let (_, s) = scan::scan(&files, None, &options);
        best = best.min(t.elapsed().as_secs_f64());
        stats = Some(s);
    }
    let errors = stats.map_or(0, |s| s.errors);
    println!(
        "  {} APKs, {:.1} MB, jobs 0 ({} threads): {best:.2} s (best of 2) = {:.1} APKs/s, {:.1} MB/s; {errors} errors",
        files.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads(),
        files.len() as f64 / best,
        bytes as f64 / 1e6 / best
    );
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn main() {
    if let Some(n) = env_usize(CHILD_ENV) {
        child(n);
        return;
    }
    let sizes: Vec<usize> = std::env::var("FINGERTIP_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    part_scale(&sizes);
    let recall_apps = env_usize("FINGERTIP_BENCH_RECALL_APPS").unwrap_or(5000);
    if recall_apps >= 2 {
        part_recall(recall_apps);
    }
    if std::env::var("FINGERTIP_BENCH_SCAN").map_or(true, |v| v != "0") {
        part_scan();
    }
}

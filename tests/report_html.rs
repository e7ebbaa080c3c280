//! The HTML reports (`cluster|check --format html`): self-contained (no
//! network, no external files), every datum escaped, every cluster's
//! members shown, deterministic, fine with no clusters, errors and large
//! collections; and, when Debian's `chromium` is installed, rendered in a
//! real headless browser: the page loads without console messages, its
//! script runs, the clusters are in the DOM, and a screenshot is taken
//! (copied to `docs/report-html.png` with `FINGERTIP_UPDATE_SCREENSHOT=1`).

use fingertip::cluster::{
    self, AppEntry, CheckReport, Cluster, ClusterOptions, ClusterProvenance, ClusterReport,
    DuplicatedFunction, Group, MemberDifference, PairEntry, ScreenRef, Summary,
};
use fingertip::report::html::{check_html, cluster_html};
use fingertip::scan::{self, AppFacts, AppRecord, ScanOptions, SignerFact};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn records() -> &'static Vec<AppRecord> {
    static RECORDS: OnceLock<Vec<AppRecord>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let apks = root().join("fixtures/collection/apks");
        let (records, _) = scan::gather(&[apks], None, false, &ScanOptions::default())
            .expect("scan the example collection");
        records
    })
}

fn example_report() -> ClusterReport {
    cluster::cluster(records(), &ClusterOptions::default())
}

/// `(attribute, value)` of every URL-carrying attribute of every tag
/// (attribute values are consumed whole, so text that merely looks like
/// an attribute inside a value or between tags does not count).
fn url_attributes(html: &str) -> Vec<(String, String)> {
    let tag = regex::Regex::new(r"<[a-zA-Z][^>]*>").expect("regex");
    let attr =
        regex::Regex::new(r#"([a-zA-Z_:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)"#).expect("regex");
    let mut out = Vec::new();
    for t in tag.find_iter(html) {
        for c in attr.captures_iter(t.as_str()) {
            let name = c[1].to_lowercase();
            if [
                "href",
                "xlink:href",
                "src",
                "srcset",
                "action",
                "poster",
                "data",
                "formaction",
            ]
            .contains(&name.as_str())
            {
                let v = c[2].trim_matches(|ch| ch == '"' || ch == '\'').to_string();
                out.push((name, v));
            }
        }
    }
    out
}

fn assert_self_contained(html: &str) {
    for (attr, value) in url_attributes(html) {
        assert!(
            value.starts_with('#') || value.starts_with("data:image/"),
            "{attr}={value:?} points outside the page"
        );
    }
    let lower = html.to_lowercase();
    assert!(!lower.contains("<link"), "no <link> to other files");
    assert!(!lower.contains("@import"), "no CSS imports");
    assert!(!lower.contains("url("), "no CSS url()");
    assert!(!lower.contains("<iframe"), "no frames");
    assert!(!lower.contains("<script src"), "no external scripts");
    assert!(
        lower.contains("content-security-policy"),
        "the page forbids network access itself"
    );
}

#[test]
fn example_report_is_self_contained_and_complete() {
    let r = example_report();
    assert!(
        !r.clusters.is_empty(),
        "the example collection has clusters"
    );
    let html = cluster_html(&r);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_self_contained(&html);
    for section in [
        "id=\"overview\"",
        "id=\"candidates\"",
        "id=\"heatmap\"",
        "id=\"map\"",
        "id=\"clusters\"",
        "id=\"functions\"",
        "id=\"matrix\"",
        "id=\"apps\"",
        "id=\"errors\"",
    ] {
        assert!(html.contains(section), "section {section}");
    }
    for c in &r.clusters {
        assert!(html.contains(&format!("id=\"cluster-{}\"", c.id)));
        for m in &c.members {
            assert!(html.contains(m.as_str()), "member {m} of cluster {}", c.id);
        }
    }
    for a in &r.apps {
        assert!(html.contains(a.file.as_str()), "app {} listed", a.file);
    }
    for f in &r.duplicated_functions {
        assert!(html.contains(&format!("id=\"function-{}\"", f.id)));
    }
    // Icons extracted from the APKs are embedded.
    let icons = r
        .apps
        .iter()
        .filter(|a| a.facts.as_ref().is_some_and(|f| f.icon.is_some()))
        .count();
    if icons > 0 {
        assert!(html.contains("<img src=\"data:image/"), "icons embedded");
    }
    // Pictures: heatmap cells and cluster map nodes are drawn.
    assert!(html.matches("<rect ").count() > r.summary.analysed);
    assert!(html.matches("<circle ").count() >= r.summary.apps_in_clusters);
    // Tables are sortable and filterable by the inline script.
    assert!(html.contains("class=\"sortable\""));
    assert!(html.contains("data-filter=\"t-apps\""));
}

#[test]
fn output_is_deterministic() {
    let a = cluster_html(&example_report());
    let b = cluster_html(&example_report());
    assert!(a == b, "same report, same bytes");
}

fn hostile() -> &'static str {
    "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
}

fn hostile_facts() -> AppFacts {
    AppFacts {
        package: "x.evil".into(),
        label: Some(hostile().into()),
        version_name: Some(hostile().into()),
        signers: vec![SignerFact {
            sha256: "ab".repeat(32),
            subject: format!("CN={}, O={}", hostile(), hostile()),
        }],
        sdks: vec![hostile().into()],
        capabilities: vec![hostile().into()],
        packers: vec![hostile().into()],
        exported_unguarded: vec![hostile().into()],
        icon: Some("javascript:alert(3)\" onload=\"alert(4)".into()),
        debuggable: true,
        cleartext_traffic: true,
        ..AppFacts::default()
    }
}

fn entry(file: &str, cluster: Option<usize>, error: Option<&str>) -> AppEntry {
    AppEntry {
        file: file.into(),
        package: if error.is_some() {
            String::new()
        } else {
            format!("pkg.{}", file.len())
        },
        label: None,
        version_name: None,
        sha256: String::new(),
        cluster,
        error: error.map(str::to_string),
        facts: None,
        code_packages: Vec::new(),
    }
}

fn empty_report(apps: Vec<AppEntry>) -> ClusterReport {
    let errors = apps.iter().filter(|a| a.error.is_some()).count();
    ClusterReport {
        schema_version: 1,
        tool: "fingertip test".into(),
        threshold: 0.2,
        weights: BTreeMap::new(),
        summary: Summary {
            files: apps.len(),
            analysed: apps.len() - errors,
            errors,
            ..Summary::default()
        },
        apps,
        clusters: Vec::new(),
        duplicated_functions: Vec::new(),
        similar_pairs: Vec::new(),
    }
}

fn cluster_of(id: usize, members: Vec<String>) -> Cluster {
    let pairs = members
        .windows(2)
        .map(|w| PairEntry {
            a: w[0].clone(),
            b: w[1].clone(),
            score: 0.5,
        })
        .collect();
    Cluster {
        id,
        members,
        score: 0.5,
        min_score: 0.3,
        dimensions: BTreeMap::from([("screens", 0.6), ("text", 0.4)]),
        shared: BTreeMap::new(),
        differs: Vec::new(),
        provenance: ClusterProvenance::default(),
        pairs,
        explanation: "alike".into(),
    }
}

/// The hostile label appears as text: its `<` and `>` as entities.
fn shown_as_text(html: &str) -> bool {
    html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        || html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
}

#[test]
fn hostile_data_is_escaped() {
    let h = hostile();
    let a = format!("apks/{h}.apk");
    let b = "apks/b.apk".to_string();
    let mut app_a = entry(&a, Some(1), None);
    app_a.label = Some(h.into());
    app_a.package = h.into();
    app_a.facts = Some(hostile_facts());
    app_a.code_packages = vec![h.into()];
    let mut r = empty_report(vec![
        app_a,
        entry(&b, Some(1), None),
        entry(h, None, Some(h)),
    ]);
    let mut c = cluster_of(1, vec![a.clone(), b.clone()]);
    c.explanation = h.into();
    c.shared = BTreeMap::from([(h.to_string(), vec![h.to_string()])]);
    c.differs = vec![MemberDifference {
        file: a.clone(),
        only_here: BTreeMap::from([(h.to_string(), vec![h.to_string()])]),
    }];
    c.provenance = ClusterProvenance {
        signers: vec![Group {
            value: h.into(),
            name: h.into(),
            members: vec![a.clone()],
        }],
        code_packages: vec![Group {
            value: h.into(),
            name: String::new(),
            members: vec![a.clone(), b.clone()],
        }],
        common_sdks: vec![h.into()],
        white_label_clones: vec![[a.clone(), b.clone()]],
        identical_files: vec![vec![a.clone(), b.clone()]],
    };
    r.clusters = vec![c];
    r.summary.clusters = 1;
    r.summary.apps_in_clusters = 2;
    r.summary.retirable = 1;
    r.duplicated_functions = vec![DuplicatedFunction {
        id: 1,
        role: h.into(),
        title: h.into(),
        strings: vec![h.into()],
        clusters: vec![1],
        apps: vec![a.clone(), b.clone()],
        screens: vec![
            ScreenRef {
                file: a.clone(),
                screen: h.into(),
            },
            ScreenRef {
                file: b.clone(),
                screen: h.into(),
            },
        ],
        score: 0.9,
    }];
    r.similar_pairs = vec![PairEntry {
        a: a.clone(),
        b: b.clone(),
        score: 0.5,
    }];
    let html = cluster_html(&r);
    assert!(!html.contains("<script>alert"), "script tag escaped");
    assert!(!html.contains("<img src=x"), "img tag escaped");
    assert!(!html.contains("javascript:"), "non-image icon dropped");
    assert!(
        !html.contains("onload=\"alert"),
        "attribute break-out escaped"
    );
    assert!(shown_as_text(&html), "shown as text");
    assert_self_contained(&html);
    // Only the page's own two scripts.
    assert_eq!(html.matches("<script>").count(), 2);

    let check = CheckReport {
        schema_version: 1,
        tool: "fingertip test".into(),
        file: h.into(),
        package: h.into(),
        threshold: 0.2,
        collection: 1,
        collection_errors: vec![entry(h, None, Some(h))],
        duplicates: Vec::new(),
        nearest_below: Vec::new(),
        facts: Some(hostile_facts()),
    };
    let html = check_html(&check);
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("javascript:"));
    assert!(shown_as_text(&html));
    assert_self_contained(&html);
}

#[test]
fn no_clusters_and_errors() {
    let r = empty_report(vec![
        entry("apks/a.apk", None, None),
        entry(
            "apks/broken.apk",
            None,
            Some("not a zip archive: end of central directory not found"),
        ),
    ]);
    let html = cluster_html(&r);
    assert_self_contained(&html);
    assert!(html.contains("No cluster of apps duplicating"));
    assert!(html.contains("apks/broken.apk"));
    assert!(html.contains("not a zip archive: end of central directory not found"));
    assert!(html.contains("Errors (1)"));

    let nothing = cluster_html(&empty_report(Vec::new()));
    assert_self_contained(&nothing);
    assert!(nothing.contains("No analysed app to show"));
}

#[test]
fn large_collections_are_capped_and_fast() {
    let clusters = 150;
    let size = 20;
    let mut apps = Vec::new();
    let mut cs = Vec::new();
    let mut pairs = Vec::new();
    for k in 0..clusters {
        let members: Vec<String> = (0..size)
            .map(|i| format!("apks/c{k:03}_{i:02}.apk"))
            .collect();
        for (i, a) in members.iter().enumerate() {
            for b in members.iter().skip(i + 1) {
                pairs.push(PairEntry {
                    a: a.clone(),
                    b: b.clone(),
                    score: 0.3 + (i % 7) as f64 * 0.05,
                });
            }
            apps.push(entry(a, Some(k + 1), None));
        }
        cs.push(cluster_of(k + 1, members));
    }
    for i in 0..1000 {
        apps.push(entry(&format!("apks/single_{i:04}.apk"), None, None));
    }
    apps.sort_by(|x, y| x.file.cmp(&y.file));
    let mut r = empty_report(apps);
    r.summary.clusters = clusters;
    r.summary.apps_in_clusters = clusters * size;
    r.summary.retirable = clusters * (size - 1);
    r.clusters = cs;
    r.similar_pairs = pairs;
    let start = Instant::now();
    let html = cluster_html(&r);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "rendering took {took:?}");
    assert!(html.contains("Only the 150 apps of the biggest clusters are drawn"));
    assert!(html.contains("biggest clusters are drawn"));
    for k in 1..=clusters {
        assert!(html.contains(&format!("id=\"cluster-{k}\"")));
    }
    assert!(html.len() < 40 << 20, "{} bytes", html.len());
}

#[test]
fn check_report_of_the_example_collection() {
    let recs = records();
    let new = recs
        .iter()
        .find(|r| r.file.ends_with("hangzhou_12345.apk"))
        .expect("hangzhou_12345 in the collection");
    let rest: Vec<AppRecord> = recs
        .iter()
        .filter(|r| r.file != new.file)
        .cloned()
        .collect();
    let result = cluster::check(new, &rest, cluster::DEFAULT_THRESHOLD);
    let html = check_html(&result);
    assert_self_contained(&html);
    assert!(html.contains(&result.package));
    for d in result.duplicates.iter().chain(&result.nearest_below) {
        assert!(html.contains(d.b.as_str()), "{} shown", d.b);
    }
    assert!(html.contains("class=\"verdict"));
    assert_eq!(html, check_html(&result));
}

#[test]
fn cli_writes_html_with_errors_listed() {
    let dir = std::env::temp_dir().join(format!("fingertip-html-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let broken = dir.join("broken.apk");
    std::fs::write(&broken, b"PK\x03\x04garbage").expect("write");
    let out = dir.join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_fingertip"))
        .arg("cluster")
        .arg(root().join("fixtures/collection/apks"))
        .arg(&broken)
        .args(["--format", "html", "--quiet", "-o"])
        .arg(&out)
        .status()
        .expect("run fingertip");
    assert!(status.success(), "{status:?}");
    let html = std::fs::read_to_string(&out).expect("report written");
    assert_self_contained(&html);
    assert!(html.contains("broken.apk"));
    assert!(html.contains("Errors (1)"));
    assert!(html.contains("class=\"err\""));

    let out = dir.join("check.html");
    let status = Command::new(env!("CARGO_BIN_EXE_fingertip"))
        .arg("check")
        .arg(root().join("fixtures/collection/apks/hangzhou_12345.apk"))
        .arg("--against")
        .arg(root().join("fixtures/collection/apks"))
        .args(["--format", "html", "--quiet", "-o"])
        .arg(&out)
        .status()
        .expect("run fingertip");
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    let html = std::fs::read_to_string(&out).expect("check report written");
    assert_self_contained(&html);
    assert!(html.contains("cn.gov.hangzhou.rx12345"));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- browser

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FINGERTIP_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Runs chromium headless with `args` on `page`; stdout and stderr.
fn run_chromium(bin: &Path, profile: &Path, args: &[String], page: &Path) -> (String, String) {
    let out_path = profile.with_extension("out");
    let err_path = profile.with_extension("err");
    let mut child = Command::new(bin)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(&out_path).unwrap_or_default(),
        std::fs::read_to_string(&err_path).unwrap_or_default(),
    )
}

fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

#[test]
fn renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let r = example_report();
    let html = cluster_html(&r);
    let dir = std::env::temp_dir().join(format!("fingertip-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let page = dir.join("report.html");
    std::fs::write(&page, &html).expect("write the report");

    // The DOM after the inline script ran.
    let (dom, err) = run_chromium(
        &bin,
        &dir.join("profile-dom"),
        &["--dump-dom".into()],
        &page,
    );
    assert!(
        console_lines(&err).is_empty(),
        "console messages: {:?}",
        console_lines(&err)
    );
    assert!(dom.contains("data-js-ready=\"1\""), "the page's script ran");
    assert!(!dom.contains("data-js-error=\"1\""), "no script error");
    for c in &r.clusters {
        assert!(
            dom.contains(&format!("id=\"cluster-{}\"", c.id)),
            "cluster {} in the DOM",
            c.id
        );
    }
    assert!(
        dom.contains("class=\"sort\"") || dom.contains("sort\""),
        "headers made sortable"
    );

    // The screenshot.
    let shot = dir.join("report.png");
    let (_, err) = run_chromium(
        &bin,
        &dir.join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400".into(),
        ],
        &page,
    );
    assert!(
        console_lines(&err).is_empty(),
        "console messages: {:?}",
        console_lines(&err)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 50_000,
        "a non-trivial picture ({} bytes)",
        png.len()
    );
    // PNG IHDR: width and height.
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((width, height), (1280, 2400));

    // The check report loads cleanly too.
    let recs = records();
    let new = recs.first().expect("records");
    let rest: Vec<AppRecord> = recs.iter().skip(1).cloned().collect();
    let check_page = dir.join("check.html");
    std::fs::write(
        &check_page,
        check_html(&cluster::check(new, &rest, cluster::DEFAULT_THRESHOLD)),
    )
    .expect("write the check report");
    let (dom, err) = run_chromium(
        &bin,
        &dir.join("profile-check"),
        &["--dump-dom".into()],
        &check_page,
    );
    assert!(
        console_lines(&err).is_empty(),
        "console: {:?}",
        console_lines(&err)
    );
    assert!(dom.contains("data-js-ready=\"1\""));

    if std::env::var_os("FINGERTIP_UPDATE_SCREENSHOT").is_some_and(|v| v == "1") {
        let target = root().join("docs/report-html.png");
        std::fs::copy(&shot, &target).expect("copy the screenshot");
        eprintln!("screenshot written to {}", target.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

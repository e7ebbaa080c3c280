//! Screens on the fixture APKs: `screens.apk` (every way of linking an
//! activity to a layout, shortened layout file paths, a WebView shell with
//! `assets/www` pages; `fixtures/apps/screens/EXPECTED.md`), `example.apk`
//! (`setContentView` everywhere) and `webshell.apk` (a code-built WebView
//! over `assets/www/index.html`). Each test skips cleanly when its APK is
//! absent.

use fingertip::inspect::{inspect_path, InspectReport};
use fingertip::reader::Limits;
use fingertip::screens::Screen;
use std::path::Path;

const APKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/apks");

fn load(name: &str) -> Option<InspectReport> {
    let path = Path::new(APKS).join(name);
    if !path.exists() {
        eprintln!("skipped: {} absent", path.display());
        return None;
    }
    match inspect_path(&path, &Limits::default()) {
        Ok(r) => Some(r),
        Err(e) => panic!("{name}: {e}"),
    }
}

fn screen<'a>(r: &'a InspectReport, activity: &str) -> &'a Screen {
    match r
        .screens
        .iter()
        .find(|s| s.kind == "activity" && s.activity == activity)
    {
        Some(s) => s,
        None => panic!("{activity}: no screen"),
    }
}

/// `(layout, how)` pairs of a screen's links.
fn links(s: &Screen) -> Vec<(&str, &str)> {
    s.link_evidence
        .iter()
        .map(|l| (l.layout.as_str(), l.how))
        .collect()
}

/// `(activity simple name, expected (layout, how) links, accepted roles)`.
type Expected = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn screens_apk_links_every_way() {
    let Some(r) = load("screens.apk") else {
        return;
    };
    let p = "gov.example.screens.";
    // (activity, expected links, accepted roles)
    let expected: &[Expected] = &[
        (
            "SplashActivity",
            &[("activity_splash", "set_content_view")],
            &["splash"],
        ),
        (
            "LoginActivity",
            &[
                ("activity_login", "set_content_view"),
                ("title_bar", "include"),
            ],
            &["login"],
        ),
        (
            "ComplaintFormActivity",
            &[("activity_complaint", "inflate")],
            &["form", "chat"],
        ),
        (
            "NewsListActivity",
            &[("activity_news_list", "view_binding")],
            &["list"],
        ),
        (
            "MapActivity",
            &[
                ("activity_map", "set_content_view"),
                ("fragment_map", "fragment"),
            ],
            &["map"],
        ),
        (
            "ScanActivity",
            &[("activity_scan", "set_content_view")],
            &["scanner"],
        ),
        (
            "CheckInActivity",
            &[("activity_check_in", "set_content_view")],
            &["checkin"],
        ),
        (
            "WebPortalActivity",
            &[("activity_web_portal", "set_content_view")],
            &["web"],
        ),
        ("SettingsActivity", &[], &["settings"]),
        (
            "AboutActivity",
            &[("activity_about", "inherited")],
            &["about"],
        ),
    ];
    for (name, want, roles) in expected {
        let s = screen(&r, &format!("{p}{name}"));
        assert_eq!(links(s), want.to_vec(), "{name}: links");
        assert!(roles.contains(&s.role), "{name}: role {}", s.role);
    }

    let login = screen(&r, &format!("{p}LoginActivity"));
    assert_eq!(login.widgets.text_inputs, 2);
    assert_eq!(login.widgets.password_inputs, 1);
    assert_eq!(login.widgets.checks, 1);
    assert!(
        login.strings.iter().any(|s| s == "登录"),
        "{:?}",
        login.strings
    );
    let news = screen(&r, &format!("{p}NewsListActivity"));
    assert_eq!(news.item_layouts, vec!["item_news"]);
    let scan = screen(&r, &format!("{p}ScanActivity"));
    assert_eq!(scan.widgets.camera_views, 1);
    assert!(scan.capabilities.contains(&"camera"));
    let web = screen(&r, &format!("{p}WebPortalActivity"));
    assert_eq!(web.widgets.web_views, 1);
    assert_eq!(web.start_urls, vec!["file:///android_asset/www/index.html"]);
    let complaint = screen(&r, &format!("{p}ComplaintFormActivity"));
    assert_eq!(complaint.widgets.spinners, 1);
    assert!(complaint
        .trees
        .iter()
        .flat_map(fingertip::screens::layout::walk)
        .any(|w| w.id.as_deref() == Some("@id/complaint_body")
            && w.input_type.as_deref() == Some("text|multiline")));

    let pages: Vec<&Screen> = r.screens.iter().filter(|s| s.kind == "web_page").collect();
    assert_eq!(pages.len(), 2);
    let index = pages
        .iter()
        .find(|s| s.page.as_deref() == Some("assets/www/index.html"));
    let Some(index) = index else {
        panic!("no index.html page")
    };
    assert_eq!(index.label.as_deref(), Some("办事大厅 Service Hall"));
    assert_eq!(index.activity, format!("{p}WebPortalActivity"));
    let apply = pages
        .iter()
        .find(|s| s.page.as_deref() == Some("assets/www/apply.html"));
    let Some(apply) = apply else {
        panic!("no apply.html page")
    };
    assert_eq!(apply.role, "form");
    assert_eq!(apply.widgets.password_inputs, 1);
}

#[test]
fn example_apk_set_content_view() {
    let Some(r) = load("example.apk") else {
        return;
    };
    let main = screen(&r, "gov.example.complaints.MainActivity");
    assert_eq!(links(main), vec![("main", "set_content_view")]);
    assert!(main.launcher);
    assert!(r
        .screens
        .iter()
        .filter(|s| s.kind == "activity")
        .all(|s| !s.layouts.is_empty()));
}

#[test]
fn webshell_apk_is_a_web_container() {
    let Some(r) = load("webshell.apk") else {
        return;
    };
    let main = screen(&r, "gov.example.webshell.MainActivity");
    assert!(main.layouts.is_empty());
    assert_eq!(main.role, "web");
    assert_eq!(
        main.start_urls,
        vec!["file:///android_asset/www/index.html"]
    );
    let page = r
        .screens
        .iter()
        .find(|s| s.kind == "web_page" && s.page.as_deref() == Some("assets/www/index.html"));
    let Some(page) = page else {
        panic!("no web page")
    };
    assert_eq!(page.activity, "gov.example.webshell.MainActivity");
    assert_eq!(page.role, "form");
}

/// The fingerprint ignores id names and sibling order, and moves little
/// under a small edit.
#[test]
fn fingerprint_is_stable() {
    use fingertip::screens::layout::Widget;
    use fingertip::screens::{fingerprint, Screen};
    let Some(r) = load("screens.apk") else {
        return;
    };
    let login = screen(&r, "gov.example.screens.LoginActivity").clone();
    let base = fingerprint(&login);
    assert_eq!(base, login.fingerprint);

    let mut renamed: Screen = login.clone();
    let mut reordered: Screen = login.clone();
    fn rename(w: &mut Widget) {
        if w.id.is_some() {
            w.id = Some("@id/x".to_string());
        }
        w.children.iter_mut().for_each(rename);
    }
    fn reverse(w: &mut Widget) {
        w.children.reverse();
        w.children.iter_mut().for_each(reverse);
    }
    renamed.trees.iter_mut().for_each(rename);
    reordered.trees.iter_mut().for_each(reverse);
    assert_eq!(fingerprint(&renamed).sketch, base.sketch);
    assert_eq!(fingerprint(&reordered), base);

    let mut edited = login.clone();
    edited.strings.push("忘记密码".to_string());
    let e = fingerprint(&edited);
    let shared = e
        .features
        .iter()
        .filter(|f| base.features.contains(f))
        .count();
    let union = e.features.len() + base.features.len() - shared;
    assert!(shared * 10 >= union * 8, "jaccard {shared}/{union}");
}

/// `fingertip screens --format json` prints the screen objects, and
/// `inspect --format json` carries the same under `screens`.
#[test]
fn cli_screens_json() {
    let apk = Path::new(APKS).join("screens.apk");
    if !apk.exists() {
        eprintln!("skipped: {} absent", apk.display());
        return;
    }
    let run = |args: &[&str]| -> serde_json::Value {
        let out = assert_cmd::Command::cargo_bin("fingertip")
            .unwrap()
            .args(args)
            .arg(&apk)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: exit {:?}", out.status);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let screens = run(&["screens"]);
    let inspect = run(&["inspect"]);
    assert_eq!(screens, inspect["screens"]);
    let list = screens.as_array().unwrap();
    assert_eq!(list.len(), 12);
    for s in list {
        for key in [
            "kind",
            "activity",
            "layouts",
            "role",
            "widgets",
            "strings",
            "link_evidence",
        ] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
    }
    let text = assert_cmd::Command::cargo_bin("fingertip")
        .unwrap()
        .arg("screens")
        .arg(&apk)
        .output()
        .unwrap();
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("activity [about] gov.example.screens.AboutActivity"));
    assert!(
        text.contains("layout: activity_about (inherited via gov.example.screens.BaseActivity)")
    );
}

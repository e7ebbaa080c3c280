//! Screens: what each activity shows, built from layouts, code and the
//! manifest.
//!
//! Stage: a model built from the parsed layouts ([`layout`]), the DEX
//! code index ([`link`]), the manifest and the facts stage's per-class
//! capabilities. For every activity of the manifest a [`Screen`] gives its
//! layouts and how each was linked (an activity no rule links stays
//! unlinked rather than guessed), a [`WidgetSummary`] over the layouts
//! with includes expanded, its visible strings, its capabilities, a
//! [`role`](Screen::role) and a [`Fingerprint`]. HTML pages under
//! `assets/` (hybrid and web-shell apps) become screens of kind
//! `web_page`.
//!
//! # Roles
//!
//! Roles: `splash`, `home` (the app's main menu screen), `login` (and
//! registration), `payment`, `scanner`, `map`, `web` (web container),
//! `media` (player), `checkin` (check-in, attendance, patrol), `chat`
//! (chat, complaint, hotline), `settings`, `about` (about, help), `form`
//! (form, application), `detail` (detail, article), `list` (list, feed),
//! `other`. A role is the best-scoring of [`ROLES`] (ties: the earlier
//! one), or `other` below a score of 2. Scores add up:
//!
//! * 4 per keyword matching a token of the activity's simple class name
//!   (camel case split; `Activity`, `Act`, `Ui` dropped), 3 per keyword in
//!   a linked layout's name (split on `_`), 1 per keyword in a widget id
//!   (at most 3), 1 per keyword found in the visible strings (Chinese
//!   keywords as substrings, English ones as words; at most 3);
//! * widgets: a password input +4 `login`; 3+ text inputs +3 `form`; a
//!   list +2 `list`; a map view +5 `map`; a camera preview +4 `scanner`;
//!   a video view +4 `media`; a web view with at most 3 other interactive
//!   widgets +4 `web`; tabs in a launcher screen +2 `home`; an icon grid
//!   (6+ images, no text input) +3 `home`; a launcher
//!   screen with no input, list or button +3 `splash`;
//! * capabilities the activity's own code uses: `scanning` +2 `scanner`,
//!   `maps` +2 `map`, `payments` +2 `payment`, `video_playback` +1
//!   `media`, `webview` +5 `web` when no layout is linked and no asset
//!   page is known (a WebView built in code showing remote content).
//!
//! An activity with no layout that loads an `assets/` HTML page (an H5
//! screen) takes that page's widgets and strings before its role is
//! guessed, unless it is a launcher activity (the web shell of the whole
//! app, role `web`); the page is also listed as a `web_page` screen.
//!
//! # Fingerprint
//!
//! Features are FNV-1a 64 hashes (fixed offset basis, so deterministic
//! across runs and machines) of strings: `w:<category>#<n>` for the n-th
//! widget of a category (containers skipped), `r:<role>`, `i:<token>` for
//! id tokens, `t:<token>` for text tokens (ASCII words lowercased, CJK
//! runs split into character bigrams) and `e:<parent>><child>` category
//! edges. The sketch hashes the widget tree with containers that have one
//! child collapsed and children sorted, so renamed ids and reordered
//! siblings do not change it.
//!
//! # JSON
//!
//! `fingertip screens APK --format json` prints an array of [`Screen`]
//! objects; `inspect --format json` carries the same array as `screens`
//! (empty with `--scope manifest`). Keys: `kind` (`activity` or
//! `web_page`), `activity`, `page`?, `label`?, `exported`, `launcher`,
//! `deep_link`, `layouts` (linked layout names), `link_evidence` (each
//! `{layout, how, via?}`), `item_layouts`?, `menus`?, `widgets` (the
//! [`WidgetSummary`] counts), `strings`, `capabilities`, `start_urls`?,
//! `role`, `fingerprint` (`{sketch, features}`, unsigned 64-bit integers)
//! and `trees`? (the [`Widget`] trees of the linked layouts, includes
//! expanded: `kind`, `origin`, `category`, `id`?, `text`?, `text_locales`?,
//! `hint`?, `hint_locales`?, `input_type`?, `on_click`?, `layout`?,
//! `class`?, `nav_graph`?, `children`?). Keys marked `?` are left out when
//! empty.

pub mod layout;
pub mod link;

use crate::archive::Archive;
use crate::arsc::ResourceTable;
use crate::dex::descriptor_to_java;
use crate::facts::code_split::{CodeOrigin, CodeSplit};
use crate::facts::AppInput;
use crate::reader::Limits;
use layout::{Layouts, Widget};
use link::{CodeIndex, Link};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Most visible strings kept per screen.
pub const MAX_STRINGS: usize = 200;
/// Most `assets/` HTML pages reported.
pub const MAX_WEB_PAGES: usize = 200;
/// Largest HTML page read, in bytes.
pub const MAX_WEB_PAGE_SIZE: u64 = 1 << 20;

/// Widget counts of a screen (layouts with includes expanded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WidgetSummary {
    /// Every element that is not a container or directive.
    pub total: usize,
    /// Text inputs (`EditText` and kin).
    pub text_inputs: usize,
    /// Of which password inputs.
    pub password_inputs: usize,
    /// Buttons (image buttons and FABs too).
    pub buttons: usize,
    /// Lists and recyclers.
    pub lists: usize,
    /// Images.
    pub images: usize,
    /// Web views.
    pub web_views: usize,
    /// Map views.
    pub map_views: usize,
    /// Camera previews, `SurfaceView`, `TextureView`, scanner views.
    pub camera_views: usize,
    /// Video views and players.
    pub video_views: usize,
    /// Checkboxes, switches, radio buttons.
    pub checks: usize,
    /// Date, time and number pickers.
    pub date_pickers: usize,
    /// Spinners.
    pub spinners: usize,
    /// Text views.
    pub texts: usize,
    /// Tab bars and bottom navigation.
    pub tabs: usize,
    /// Fragment slots.
    pub fragments: usize,
    /// App custom views.
    pub custom_views: usize,
}

/// A screen fingerprint (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fingerprint {
    /// Hash of the normalized structural sketch.
    pub sketch: u64,
    /// Hashed features, sorted, deduplicated.
    pub features: Vec<u64>,
}

/// One screen: an activity, or an HTML page of a hybrid app.
#[derive(Debug, Clone, Serialize)]
pub struct Screen {
    /// `activity` or `web_page`.
    pub kind: &'static str,
    /// The activity's class name; for a web page, the activity that loads
    /// it when known, else empty.
    pub activity: String,
    /// The HTML page's path for a web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Label (default locale) of the activity, or the page `<title>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether other apps can start it.
    pub exported: bool,
    /// MAIN/LAUNCHER entry.
    pub launcher: bool,
    /// Has a browsable deep link.
    pub deep_link: bool,
    /// Linked layouts, strongest evidence first.
    pub layouts: Vec<String>,
    /// How each layout was linked.
    pub link_evidence: Vec<Link>,
    /// Layouts only inner classes inflate (list items).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item_layouts: Vec<String>,
    /// Option menus the activity's code inflates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub menus: Vec<String>,
    /// Widget counts.
    pub widgets: WidgetSummary,
    /// Visible strings (texts, hints, titles in every locale), in order.
    pub strings: Vec<String>,
    /// Capability ids the activity's own code uses.
    pub capabilities: Vec<&'static str>,
    /// URLs and asset pages the activity's code loads.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub start_urls: Vec<String>,
    /// The guessed role.
    pub role: &'static str,
    /// Fingerprint.
    pub fingerprint: Fingerprint,
    /// Widget trees of the linked layouts, includes expanded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trees: Vec<Widget>,
}

/// Roles in tie-break order with their keywords: English ones match
/// identifier tokens (prefix match for keywords of 4+ letters), Chinese
/// ones are substrings of visible strings.
pub const ROLES: &[(&str, &[&str], &[&str])] = &[
    (
        "splash",
        &["splash", "launch", "welcome", "start"],
        &["欢迎", "启动页"],
    ),
    (
        "home",
        &["main", "home", "index", "tab", "dashboard"],
        &["首页", "我的"],
    ),
    (
        "login",
        &[
            "login", "logon", "register", "signup", "regist", "password", "pwd", "auth",
        ],
        &["登录", "注册", "密码", "验证码"],
    ),
    (
        "payment",
        &[
            "pay", "payment", "cashier", "bill", "invoice", "dues", "fee", "order",
        ],
        &["支付", "缴费", "付款", "账单", "收银", "金额"],
    ),
    (
        "scanner",
        &[
            "scan", "qr", "qrcode", "capture", "ocr", "barcode", "camera", "face",
        ],
        &["扫码", "扫一扫", "二维码", "识别", "人脸", "拍照"],
    ),
    (
        "map",
        &[
            "map", "nearby", "location", "route", "navi", "poi", "shelter",
        ],
        &["地图", "附近", "定位", "导航", "路线"],
    ),
    ("web", &["web", "webview", "h5", "browser", "x5"], &[]),
    (
        "media",
        &["video", "player", "live", "audio", "media", "play", "voice"],
        &["视频", "直播", "播放", "语音"],
    ),
    (
        "checkin",
        &["checkin", "attendance", "clock", "sign", "punch", "patrol"],
        &["签到", "打卡", "考勤", "巡查", "签退"],
    ),
    (
        "chat",
        &[
            "chat",
            "complaint",
            "message",
            "hotline",
            "mailbox",
            "consult",
            "im",
            "feedback",
        ],
        &["投诉", "咨询", "留言", "信箱", "热线", "聊天", "反馈"],
    ),
    (
        "settings",
        &["settings", "setting", "setup", "preference", "config"],
        &["设置", "清除缓存", "退出登录", "消息通知", "检查更新"],
    ),
    (
        "about",
        &["about", "help", "version", "agreement", "privacy", "faq"],
        &["关于", "版本", "帮助", "隐私", "用户协议"],
    ),
    (
        "form",
        &[
            "apply",
            "declare",
            "submit",
            "report",
            "form",
            "booking",
            "appointment",
            "upload",
            "reserve",
            "application",
            "edit",
            "add",
            "create",
        ],
        &[
            "提交",
            "申请",
            "申报",
            "预约",
            "上报",
            "填写",
            "姓名",
            "身份证",
        ],
    ),
    (
        "detail",
        &["detail", "article", "info", "content"],
        &["详情", "正文", "发布时间", "来源"],
    ),
    (
        "list",
        &[
            "list", "feed", "news", "articles", "notices", "records", "history", "events", "items",
            "search", "results",
        ],
        &["列表", "暂无", "全部", "记录", "搜索"],
    ),
];

/// Everything [`extract`] reads.
pub struct ScreenInput<'a> {
    /// The archive (layout files, assets).
    pub archive: &'a Archive<'a>,
    /// The resource table.
    pub table: Option<&'a ResourceTable>,
    /// Manifest, DEX files and the rest of the facts input.
    pub app: &'a AppInput<'a>,
    /// Own versus library code.
    pub code_split: &'a CodeSplit,
    /// Capabilities each own class uses (from the facts stage's one scan
    /// of the code: [`crate::facts::capabilities::detect_with_classes`]).
    pub capabilities: &'a crate::facts::capabilities::PerClass,
    /// Limits for XML and reference chains.
    pub limits: &'a Limits,
}

/// Every screen of the app: activities in manifest order, then web pages.
pub fn extract(input: &ScreenInput<'_>) -> Vec<Screen> {
    let is_library = |c: &str| input.code_split.classify(c) == CodeOrigin::Library;
    let ctx = layout::Ctx {
        table: input.table,
        limits: input.limits,
        is_library: &is_library,
    };
    let layouts = Layouts::index(input.archive, &ctx);
    let index = input.table.map(|t| CodeIndex::new(input.app.dex, t));
    let caps = input.capabilities;
    let urls = class_urls(input.app);
    let mut budget = layout::MAX_APP_WIDGETS;
    let mut out = Vec::new();
    for a in &input.app.manifest.activities {
        let desc = format!("L{};", a.name.replace('.', "/"));
        let (mut links, items) = match &index {
            Some(ix) => ix.links(&desc),
            None => (Vec::new(), Vec::new()),
        };
        let mut direct: Vec<String> = links.iter().map(|l| l.layout.clone()).collect();
        let mut trees: Vec<Widget> = direct
            .iter()
            .filter_map(|d| layouts.expand(d, &mut budget))
            .collect();
        // Fragments named in the layouts, and the destinations of their
        // navigation graphs: their own layouts join the screen.
        let mut fragments = Vec::new();
        for t in &trees {
            for w in layout::walk(t) {
                let Some(ix) = &index else {
                    break;
                };
                if let ("fragment", Some(class)) = (w.category, &w.class) {
                    for l in ix.class_layouts(class) {
                        fragments.push((l, "fragment", class.clone()));
                    }
                }
                let Some(graph) = w.nav_graph.as_deref().and_then(|g| layouts.navigation(g)) else {
                    continue;
                };
                for d in layout::walk(&graph.root) {
                    if let Some(l) = &d.layout {
                        fragments.push((l.clone(), "navigation", graph.name.clone()));
                    }
                    if let Some(class) = &d.class {
                        for l in ix.class_layouts(class) {
                            fragments.push((l, "navigation", class.clone()));
                        }
                    }
                }
            }
        }
        for (l, how, class) in fragments {
            if links.iter().any(|x| x.layout == l) {
                continue;
            }
            if let Some(t) = layouts.expand(&l, &mut budget) {
                trees.push(t);
            }
            direct.push(l.clone());
            links.push(Link {
                layout: l,
                how,
                via: Some(class),
            });
        }
        for d in &direct {
            for inc in layouts.included(d) {
                if !links.iter().any(|l| l.layout == inc) {
                    links.push(Link {
                        layout: inc,
                        how: "include",
                        via: Some(d.clone()),
                    });
                }
            }
        }
        let menus = index.as_ref().map(|ix| ix.menus(&desc)).unwrap_or_default();
        let mut screen = Screen {
            kind: "activity",
            activity: a.name.clone(),
            page: None,
            label: a.label.clone(),
            exported: a.exported,
            launcher: a.intent_filters.iter().any(|f| f.is_launcher()),
            deep_link: a.intent_filters.iter().any(|f| f.is_deep_link()),
            layouts: direct,
            link_evidence: links,
            item_layouts: items,
            widgets: summarize(&trees),
            strings: visible_strings(&trees),
            menus: menus.clone(),
            capabilities: caps.get(&a.name).cloned().unwrap_or_default(),
            start_urls: Vec::new(),
            role: "other",
            fingerprint: Fingerprint::default(),
            trees,
        };
        if screen.widgets.web_views > 0 || screen.capabilities.contains(&"webview") {
            screen.start_urls = urls
                .iter()
                .filter(|(c, _)| c == &a.name || c.starts_with(&format!("{}$", a.name)))
                .map(|(_, u)| u.clone())
                .collect();
        }
        // Menu item titles are visible strings too.
        let menu_trees: Vec<Widget> = menus
            .iter()
            .filter_map(|m| layouts.menu(m))
            .map(|f| f.root.clone())
            .collect();
        for t in visible_strings(&menu_trees) {
            if screen.strings.len() < MAX_STRINGS && !screen.strings.contains(&t) {
                screen.strings.push(t);
            }
        }
        screen.role = guess_role(&screen);
        screen.fingerprint = fingerprint(&screen);
        out.push(screen);
    }
    let pages = web_pages(input.archive, &out);
    // A code-built WebView activity showing an asset page takes the page's
    // widgets and strings (an H5 screen), and its role from them.
    // A launcher activity doing that is the app's web shell and stays `web`.
    for s in out
        .iter_mut()
        .filter(|s| s.layouts.is_empty() && !s.launcher)
    {
        let shown: Vec<&Screen> = pages.iter().filter(|p| p.activity == s.activity).collect();
        if shown.is_empty() {
            continue;
        }
        for p in shown {
            add_summary(&mut s.widgets, &p.widgets);
            for t in &p.strings {
                if s.strings.len() < MAX_STRINGS && !s.strings.contains(t) {
                    s.strings.push(t.clone());
                }
            }
        }
        s.role = guess_role(s);
        s.fingerprint = fingerprint(s);
    }
    out.extend(pages);
    out
}

fn add_summary(a: &mut WidgetSummary, b: &WidgetSummary) {
    a.total += b.total;
    a.text_inputs += b.text_inputs;
    a.password_inputs += b.password_inputs;
    a.buttons += b.buttons;
    a.lists += b.lists;
    a.images += b.images;
    a.web_views += b.web_views;
    a.map_views += b.map_views;
    a.camera_views += b.camera_views;
    a.video_views += b.video_views;
    a.checks += b.checks;
    a.date_pickers += b.date_pickers;
    a.spinners += b.spinners;
    a.texts += b.texts;
    a.tabs += b.tabs;
    a.fragments += b.fragments;
    a.custom_views += b.custom_views;
}

/// URL-like `const-string`s (`http(s)://`, `file:///android_asset/`,
/// `.html`) of activity classes and their inner classes (java name), for
/// start URLs.
fn class_urls(app: &AppInput<'_>) -> Vec<(String, String)> {
    let activities: BTreeSet<&str> = app
        .manifest
        .activities
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let mut out = BTreeSet::new();
    for d in app.dex {
        for c in d.dex.classes() {
            let java = descriptor_to_java(&c.descriptor);
            let top = java.split('$').next().unwrap_or_default();
            if !activities.contains(top) {
                continue;
            }
            for &s in &c.strings {
                let Some(text) = d.dex.string(s) else {
                    continue;
                };
                if text.starts_with("http://")
                    || text.starts_with("https://")
                    || text.starts_with("file:///android_asset/")
                    || (text.ends_with(".html") && !text.contains(' '))
                {
                    out.insert((descriptor_to_java(&c.descriptor), text));
                }
            }
        }
    }
    out.into_iter().collect()
}

/// Counts the widgets of `trees`.
pub fn summarize(trees: &[Widget]) -> WidgetSummary {
    let mut s = WidgetSummary::default();
    for t in trees {
        for w in layout::walk(t) {
            let counted = !matches!(
                w.category,
                "container" | "include" | "toolbar" | "pager" | "destination"
            );
            if counted {
                s.total += 1;
            }
            if w.origin == Some(layout::Origin::App) {
                s.custom_views += 1;
            }
            match w.category {
                "text_input" => {
                    s.text_inputs += 1;
                    if w.input_type
                        .as_deref()
                        .is_some_and(|t| t.contains("password"))
                    {
                        s.password_inputs += 1;
                    }
                }
                "button" => s.buttons += 1,
                "list" => s.lists += 1,
                "image" => s.images += 1,
                "web" => s.web_views += 1,
                "map" => s.map_views += 1,
                "camera" => s.camera_views += 1,
                "video" => s.video_views += 1,
                "check" => s.checks += 1,
                "date" => s.date_pickers += 1,
                "spinner" => s.spinners += 1,
                "text" => s.texts += 1,
                "tabs" => s.tabs += 1,
                "fragment" => s.fragments += 1,
                _ => {}
            }
        }
    }
    s
}

/// Texts and hints of every widget in every locale, first occurrence
/// order, at most [`MAX_STRINGS`].
pub fn visible_strings(trees: &[Widget]) -> Vec<String> {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for t in trees {
        for w in layout::walk(t) {
            if out.len() >= MAX_STRINGS {
                return out;
            }
            let all = w
                .text
                .iter()
                .chain(w.text_locales.values())
                .chain(w.hint.iter())
                .chain(w.hint_locales.values());
            for s in all {
                let s = s.trim();
                if !s.is_empty() && out.len() < MAX_STRINGS && seen.insert(s) {
                    out.push(s.to_string());
                }
            }
        }
    }
    out
}

/// Lowercase identifier tokens: split on non-alphanumerics and camel case.
pub fn ident_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_ident_token(s, &mut String::new(), |t| out.push(t.to_string()));
    out
}

/// Calls `f` with each of [`ident_tokens`]`(s)` in order, built in `cur`
/// (a reused buffer) instead of allocated.
fn for_each_ident_token(s: &str, cur: &mut String, mut f: impl FnMut(&str)) {
    cur.clear();
    let mut prev_lower = false;
    for ch in s.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                f(cur);
                cur.clear();
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            f(cur);
            cur.clear();
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        f(cur);
        cur.clear();
    }
}

/// The keyword map: short keys, so hashed with FNV rather than SipHash.
type KeywordIndex =
    HashMap<&'static str, Vec<(usize, bool)>, std::hash::BuildHasherDefault<FnvHasher>>;

/// [`fnv1a`] as a [`std::hash::Hasher`].
struct FnvHasher(Fnv);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(Fnv::new())
    }
}

impl std::hash::Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 .0 ^= u64::from(b);
            self.0 .0 = self.0 .0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0 .0
    }
}

/// English keyword → (index in [`ROLES`], whether it may match as a prefix:
/// keywords of 4+ bytes match tokens that start with them).
fn keyword_index() -> &'static KeywordIndex {
    static INDEX: OnceLock<KeywordIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = KeywordIndex::default();
        for (i, (_, en, _)) in ROLES.iter().enumerate() {
            for &w in *en {
                index.entry(w).or_default().push((i, w.len() >= 4));
            }
        }
        index
    })
}

/// The longest English keyword of [`ROLES`], in bytes: no longer prefix
/// of a token can match one.
fn longest_keyword() -> usize {
    static LONGEST: OnceLock<usize> = OnceLock::new();
    *LONGEST.get_or_init(|| {
        ROLES
            .iter()
            .flat_map(|(_, en, _)| en.iter())
            .map(|k| k.len())
            .max()
            .unwrap_or(0)
    })
}

/// Per role (indexed like [`ROLES`]), how many of `tokens` match one of its
/// English keywords exactly or, for keywords of 4+ bytes, as a prefix. One
/// hash lookup per prefix of each token instead of a scan of every keyword.
#[cfg(test)]
fn keyword_hits(tokens: &[String]) -> Vec<usize> {
    let mut hits = KeywordHits::new();
    for t in tokens {
        hits.add(t);
    }
    hits.counts
}

/// [`keyword_hits`] counted one token at a time.
struct KeywordHits {
    counts: Vec<usize>,
    hit: Vec<bool>,
}

impl KeywordHits {
    fn new() -> Self {
        KeywordHits {
            counts: vec![0usize; ROLES.len()],
            hit: vec![false; ROLES.len()],
        }
    }

    fn add(&mut self, t: &str) {
        let index = keyword_index();
        let longest = longest_keyword();
        let hit = &mut self.hit;
        hit.iter_mut().for_each(|h| *h = false);
        let mut any = false;
        let mut mark = |key: &str, exact: bool| {
            for &(role, prefix_ok) in index.get(key).into_iter().flatten() {
                if exact || prefix_ok {
                    if let Some(h) = hit.get_mut(role) {
                        *h = true;
                        any = true;
                    }
                }
            }
        };
        if t.len() <= longest {
            mark(t, true);
        }
        for (k, _) in t
            .char_indices()
            .filter(|&(k, _)| k >= 4)
            .take_while(|&(k, _)| k <= longest)
        {
            if let Some(prefix) = t.get(..k) {
                mark(prefix, false);
            }
        }
        if any {
            for (c, &h) in self.counts.iter_mut().zip(hit.iter()) {
                *c += usize::from(h);
            }
        }
    }
}

/// The role of a screen (rules in the module docs).
pub fn guess_role(s: &Screen) -> &'static str {
    let simple = s.activity.rsplit(['.', '$']).next().unwrap_or_default();
    let mut buf = String::new();
    let mut class_hits = KeywordHits::new();
    for_each_ident_token(simple, &mut buf, |t| {
        if !matches!(t, "activity" | "act" | "ui") {
            class_hits.add(t);
        }
    });
    let mut layout_hits = KeywordHits::new();
    for l in &s.layouts {
        for_each_ident_token(l, &mut buf, |t| layout_hits.add(t));
    }
    let mut id_hits = KeywordHits::new();
    for t in &s.trees {
        for w in layout::walk(t) {
            if let Some(id) = &w.id {
                for_each_ident_token(id.trim_start_matches("@id/"), &mut buf, |t| id_hits.add(t));
            }
        }
    }
    let mut string_hits = KeywordHits::new();
    for x in &s.strings {
        for_each_ident_token(x, &mut buf, |t| string_hits.add(t));
    }
    // Chinese keywords are never found in ASCII-only text, nor when one
    // of their characters is missing from it.
    let text = if s.strings.iter().all(|x| x.is_ascii()) {
        String::new()
    } else {
        s.strings.join("\n")
    };
    let mut present = CjkSet::new();
    for c in text.chars() {
        present.insert(c);
    }
    let (class_hits, layout_hits) = (class_hits.counts, layout_hits.counts);
    let (id_hits, string_hits) = (id_hits.counts, string_hits.counts);
    let w = &s.widgets;
    let interactive = w.text_inputs + w.buttons + w.lists + w.checks + w.spinners;
    let at = |v: &[usize], i: usize| v.get(i).copied().unwrap_or(0);
    let mut best = ("other", 1usize);
    for (i, (role, _, zh)) in ROLES.iter().enumerate() {
        let zh_hits = if text.is_empty() {
            0
        } else {
            zh.iter()
                .filter(|k| k.chars().all(|c| present.may_contain(c)) && text.contains(*k))
                .count()
        };
        let mut score = 4 * at(&class_hits, i)
            + 3 * at(&layout_hits, i)
            + at(&id_hits, i).min(3)
            + (at(&string_hits, i) + zh_hits).min(3);
        score += match *role {
            "login" if w.password_inputs > 0 => 4,
            "form" if w.text_inputs >= 3 => 3,
            "list" if w.lists > 0 => 2,
            "map" if w.map_views > 0 => 5,
            "scanner" if w.camera_views > 0 => 4,
            "media" if w.video_views > 0 => 4,
            "web" if w.web_views > 0 && interactive <= 3 => 4,
            "home" if w.tabs > 0 && s.launcher => 2,
            "home" if w.images >= 6 && w.text_inputs == 0 => 3,
            "splash" if s.launcher && w.text_inputs + w.lists + w.buttons == 0 => 3,
            _ => 0,
        };
        let cap = |c: &str| s.capabilities.contains(&c);
        score += match *role {
            "scanner" if cap("scanning") => 2,
            "map" if cap("maps") => 2,
            "payment" if cap("payments") => 2,
            "media" if cap("video_playback") => 1,
            "web" if cap("webview") && s.layouts.is_empty() && w.total == 0 => 5,
            _ => 0,
        };
        if score > best.1 {
            best = (role, score);
        }
    }
    best.0
}

/// FNV-1a 64 with the standard offset basis.
pub fn fnv1a(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.add(s);
    h.0
}

/// Streaming [`fnv1a`]: the hash of the concatenation of what is added
/// (or written with `write!`), without building the string.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, s: &str) {
        for b in s.bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.add(s);
        Ok(())
    }
}

/// [`fnv1a`] of the concatenation of `parts`.
fn fnv_parts(parts: &[&str]) -> u64 {
    let mut h = Fnv::new();
    for p in parts {
        h.add(p);
    }
    h.0
}

/// The CJK unified ideographs (U+4E00..U+9FFF) seen in a text, as a
/// bit set.
struct CjkSet(Vec<u64>);

const CJK_FIRST: u32 = 0x4e00;
const CJK_LAST: u32 = 0x9fff;

impl CjkSet {
    fn new() -> Self {
        CjkSet(vec![0; ((CJK_LAST - CJK_FIRST) / 64 + 1) as usize])
    }

    fn insert(&mut self, c: char) {
        let v = c as u32;
        if (CJK_FIRST..=CJK_LAST).contains(&v) {
            let i = v - CJK_FIRST;
            if let Some(w) = self.0.get_mut((i / 64) as usize) {
                *w |= 1 << (i % 64);
            }
        }
    }

    /// False only when `c` is a CJK ideograph that was not inserted.
    fn may_contain(&self, c: char) -> bool {
        let v = c as u32;
        if !(CJK_FIRST..=CJK_LAST).contains(&v) {
            return true;
        }
        let i = v - CJK_FIRST;
        self.0
            .get((i / 64) as usize)
            .is_none_or(|w| w & (1 << (i % 64)) != 0)
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff)
}

/// Text tokens: ASCII words lowercased, CJK runs as character bigrams (a
/// single character alone).
pub fn text_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_text_token(s, |t| out.push(t.to_string()));
    out
}

/// Calls `f` with each of [`text_tokens`]`(s)` in order, without
/// allocating a string per token.
fn for_each_text_token(s: &str, mut f: impl FnMut(&str)) {
    // The current CJK run: its last character and its length; bigrams are
    // reported as the run grows, a lone character when it ends.
    let mut prev: Option<char> = None;
    let mut run_len = 0usize;
    let mut word = String::new();
    let mut buf = [0u8; 4];
    let mut pair = String::new();
    for c in s.chars() {
        if is_cjk(c) {
            if let Some(p) = prev {
                pair.clear();
                pair.push(p);
                pair.push(c);
                f(&pair);
            }
            prev = Some(c);
            run_len = run_len.saturating_add(1);
        } else {
            if let (1, Some(p)) = (run_len, prev) {
                f(p.encode_utf8(&mut buf));
            }
            prev = None;
            run_len = 0;
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if !word.is_empty() {
            f(&word);
            word.clear();
        }
    }
    if let (1, Some(p)) = (run_len, prev) {
        f(p.encode_utf8(&mut buf));
    }
    if !word.is_empty() {
        f(&word);
    }
}

fn sketch(w: &Widget) -> Cow<'static, str> {
    if w.children.is_empty() {
        // A leaf is its category: no string built.
        return Cow::Borrowed(w.category);
    }
    let mut kids: Vec<Cow<'static, str>> = w.children.iter().map(sketch).collect();
    if w.category == "container" && kids.len() == 1 {
        return kids.pop().unwrap_or_default();
    }
    kids.sort_unstable();
    let len = kids
        .iter()
        .fold(w.category.len().saturating_add(2), |n, k| {
            n.saturating_add(k.len()).saturating_add(1)
        });
    let mut out = String::with_capacity(len);
    out.push_str(w.category);
    out.push('(');
    for (i, k) in kids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
    }
    out.push(')');
    Cow::Owned(out)
}

/// The fingerprint of a screen (see the module docs).
pub fn fingerprint(s: &Screen) -> Fingerprint {
    let mut feats = vec![fnv_parts(&["r:", s.role])];
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut sketches = Vec::new();
    let mut buf = String::new();
    for t in &s.trees {
        sketches.push(sketch(t));
        let mut stack = vec![t];
        while let Some(w) = stack.pop() {
            if w.category != "container" {
                let n = counts.entry(w.category).or_insert(0);
                *n += 1;
                let mut h = Fnv::new();
                let _ = write!(h, "w:{}#{}", w.category, n);
                feats.push(h.0);
            }
            if let Some(id) = &w.id {
                for_each_ident_token(id.trim_start_matches("@id/"), &mut buf, |tok| {
                    feats.push(fnv_parts(&["i:", tok]));
                });
            }
            for c in &w.children {
                if c.category != "container" || w.category != "container" {
                    feats.push(fnv_parts(&["e:", w.category, ">", c.category]));
                }
                stack.push(c);
            }
        }
    }
    for st in &s.strings {
        for_each_text_token(st, |tok| feats.push(fnv_parts(&["t:", tok])));
    }
    sketches.sort_unstable();
    let mut sketch_hash = Fnv::new();
    for (i, sk) in sketches.iter().enumerate() {
        if i > 0 {
            sketch_hash.add("|");
        }
        sketch_hash.add(sk);
    }
    feats.sort_unstable();
    feats.dedup();
    Fingerprint {
        sketch: sketch_hash.0,
        features: feats,
    }
}

/// `assets/**/*.html` pages as screens: title, form fields, buttons.
fn web_pages(archive: &Archive<'_>, activities: &[Screen]) -> Vec<Screen> {
    let mut out = Vec::new();
    for e in archive.entries() {
        if out.len() >= MAX_WEB_PAGES {
            break;
        }
        let lower = e.name.to_ascii_lowercase();
        if !lower.starts_with("assets/")
            || !(lower.ends_with(".html") || lower.ends_with(".htm"))
            || e.uncompressed_size > MAX_WEB_PAGE_SIZE
        {
            continue;
        }
        let Ok(bytes) = archive.read(e) else {
            continue;
        };
        let html = String::from_utf8_lossy(&bytes);
        let page = e.name.clone();
        let rel = page.trim_start_matches("assets/");
        let host = activities
            .iter()
            .find(|a| a.start_urls.iter().any(|u| u.ends_with(rel)))
            .map(|a| a.activity.clone())
            .unwrap_or_default();
        out.push(web_page(&page, &html, host));
    }
    out
}

fn tag_count(lower: &str, tag: &str) -> usize {
    lower.matches(&format!("<{tag}")).count()
}

/// One HTML page as a screen.
pub fn web_page(path: &str, html: &str, host: String) -> Screen {
    let lower = html.to_lowercase();
    let title = between(html, &lower, "<title", "</title>")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let inputs = tag_count(&lower, "input") + tag_count(&lower, "textarea");
    let password_inputs = lower.matches("type=\"password\"").count();
    let buttons = tag_count(&lower, "button") + lower.matches("type=\"submit\"").count();
    let widgets = WidgetSummary {
        text_inputs: inputs,
        password_inputs,
        buttons,
        spinners: tag_count(&lower, "select"),
        images: tag_count(&lower, "img"),
        lists: tag_count(&lower, "ul") + tag_count(&lower, "table"),
        video_views: tag_count(&lower, "video"),
        total: inputs + buttons + tag_count(&lower, "select"),
        ..WidgetSummary::default()
    };
    let mut strings: Vec<String> = title.iter().cloned().collect();
    strings.extend(visible_html_text(html));
    strings.dedup();
    strings.truncate(MAX_STRINGS);
    let mut s = Screen {
        kind: "web_page",
        activity: host,
        page: Some(path.to_string()),
        label: title,
        exported: false,
        launcher: false,
        deep_link: false,
        layouts: Vec::new(),
        link_evidence: Vec::new(),
        item_layouts: Vec::new(),
        menus: Vec::new(),
        widgets,
        strings,
        capabilities: Vec::new(),
        start_urls: Vec::new(),
        role: "other",
        fingerprint: Fingerprint::default(),
        trees: Vec::new(),
    };
    s.role = guess_role(&Screen {
        activity: path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".html")
            .to_string(),
        ..s.clone()
    });
    s.fingerprint = fingerprint(&s);
    s
}

fn between<'a>(html: &'a str, lower: &str, open: &str, close: &str) -> Option<&'a str> {
    let start = lower.find(open)?;
    let gt = lower.get(start..)?.find('>')? + start + 1;
    let end = lower.get(gt..)?.find(close)? + gt;
    html.get(gt..end)
}

/// Text between tags (scripts and styles skipped), trimmed, non-empty.
fn visible_html_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_tag = false;
    let mut skip = false;
    let mut cur = String::new();
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                let t = cur.trim();
                if !skip && !t.is_empty() && out.len() < MAX_STRINGS {
                    out.push(t.to_string());
                }
                cur.clear();
                tag.clear();
                in_tag = true;
            }
            '>' if in_tag => {
                in_tag = false;
                let t = tag.to_ascii_lowercase();
                if t.starts_with("script") || t.starts_with("style") {
                    skip = true;
                } else if t.starts_with("/script") || t.starts_with("/style") {
                    skip = false;
                }
            }
            _ if in_tag => tag.push(c),
            _ => cur.push(c),
        }
    }
    out
}

/// A readable listing of the screens.
pub fn render_text(screens: &[Screen]) -> String {
    let mut out = String::new();
    for s in screens {
        let name = s.page.as_deref().unwrap_or(&s.activity);
        let _ = writeln!(out, "{} [{}] {}", s.kind, s.role, name);
        if let Some(l) = &s.label {
            let _ = writeln!(out, "  label: {l}");
        }
        let mut flags = Vec::new();
        if s.launcher {
            flags.push("launcher");
        }
        if s.deep_link {
            flags.push("deep link");
        }
        if s.exported {
            flags.push("exported");
        }
        if !flags.is_empty() {
            let _ = writeln!(out, "  entry: {}", flags.join(", "));
        }
        for l in &s.link_evidence {
            let via = l
                .via
                .as_deref()
                .map(|v| format!(" via {v}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  layout: {} ({}{via})", l.layout, l.how);
        }
        if s.kind == "activity" && s.link_evidence.is_empty() {
            let _ = writeln!(out, "  layout: (none linked)");
        }
        let w = &s.widgets;
        let _ = writeln!(
            out,
            "  widgets: {} (inputs {}, buttons {}, lists {}, images {}, web {}, map {}, camera {}, video {}, checks {}, dates {})",
            w.total, w.text_inputs, w.buttons, w.lists, w.images, w.web_views, w.map_views,
            w.camera_views, w.video_views, w.checks, w.date_pickers
        );
        if !s.menus.is_empty() {
            let _ = writeln!(out, "  menus: {}", s.menus.join(", "));
        }
        if !s.item_layouts.is_empty() {
            let _ = writeln!(out, "  item layouts: {}", s.item_layouts.join(", "));
        }
        if !s.capabilities.is_empty() {
            let _ = writeln!(out, "  capabilities: {}", s.capabilities.join(", "));
        }
        for u in &s.start_urls {
            let _ = writeln!(out, "  loads: {u}");
        }
        if !s.strings.is_empty() {
            let shown: Vec<&str> = s.strings.iter().take(8).map(String::as_str).collect();
            let _ = writeln!(out, "  strings: {}", shown.join(" | "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn keyword_hits_match_exactly_or_by_long_prefix() {
        let role = |name: &str| {
            super::ROLES
                .iter()
                .position(|(r, _, _)| *r == name)
                .unwrap()
        };
        let toks = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let hits = super::keyword_hits(&toks(&["login", "loginform", "news", "xyz"]));
        // "login" exactly and as the prefix of "loginform"; "news" exactly.
        assert_eq!(hits[role("login")], 2);
        assert_eq!(hits[role("list")], 1);
        let none = super::keyword_hits(&toks(&["lo", "zzzz"]));
        assert!(none.iter().all(|&n| n == 0));
    }

    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(ident_tokens("LoginActivity"), vec!["login", "activity"]);
        assert_eq!(ident_tokens("act_scan_qr"), vec!["act", "scan", "qr"]);
        assert_eq!(
            text_tokens("扫码登录 OK"),
            vec!["扫码", "码登", "登录", "ok"]
        );
    }

    #[test]
    fn fnv_is_fixed() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    fn bare(activity: &str) -> Screen {
        Screen {
            kind: "activity",
            activity: activity.to_string(),
            page: None,
            label: None,
            exported: false,
            launcher: false,
            deep_link: false,
            layouts: Vec::new(),
            link_evidence: Vec::new(),
            item_layouts: Vec::new(),
            menus: Vec::new(),
            widgets: WidgetSummary::default(),
            strings: Vec::new(),
            capabilities: Vec::new(),
            start_urls: Vec::new(),
            role: "other",
            fingerprint: Fingerprint::default(),
            trees: Vec::new(),
        }
    }

    #[test]
    fn roles_from_names_widgets_strings_and_capabilities() {
        let mut s = bare("a.b");
        assert_eq!(guess_role(&s), "other");
        s.launcher = true;
        s.widgets.images = 1;
        assert_eq!(guess_role(&s), "splash");
        let mut s = bare("a.b");
        s.widgets.map_views = 1;
        assert_eq!(guess_role(&s), "map");
        let mut s = bare("a.b");
        s.strings = vec!["扫一扫".into(), "二维码".into()];
        assert_eq!(guess_role(&s), "scanner");
        let mut s = bare("gov.x.SettingsActivity");
        assert_eq!(guess_role(&s), "settings");
        s.activity = "a.c".into();
        s.capabilities = vec!["webview"];
        assert_eq!(guess_role(&s), "web");
        let mut s = bare("a.d");
        s.layouts = vec!["act_login".into()];
        s.widgets.text_inputs = 2;
        s.widgets.password_inputs = 1;
        assert_eq!(guess_role(&s), "login");
    }

    #[test]
    fn html_page() {
        let s = web_page(
            "assets/www/login.html",
            "<html><head><title>用户登录</title></head><body><input type=\"password\"><button>登录</button></body></html>",
            String::new(),
        );
        assert_eq!(s.label.as_deref(), Some("用户登录"));
        assert_eq!(s.role, "login");
        assert_eq!(s.widgets.password_inputs, 1);
    }
}

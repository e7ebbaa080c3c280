//! Compiled layout, menu and navigation files decoded into widget trees.
//!
//! Files are found through `resources.arsc` (every `layout`, `menu` and
//! `navigation` entry's file path in its default configuration), never by
//! path, so obfuscated file names (`res/a.xml`) decode like any other.
//! Each element becomes a [`Widget`]: its kind and where the class comes
//! from ([`Origin`]), a functional [`category`](Widget::category), the id
//! name (`@id/foo`), text and hint resolved through the table in every
//! locale, `inputType` and `onClick`. `<include>`, `<fragment>`,
//! `<ViewStub>` and navigation destinations are linked by layout name;
//! [`Layouts::expand`] follows those links with a depth limit and a cycle
//! check.

use crate::archive::Archive;
use crate::arsc::ResourceTable;
use crate::axml::{self, Element};
use crate::reader::Limits;
use crate::resvalue::Value;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::OnceLock;

/// Deepest `<include>` chain followed by [`Layouts::expand`].
pub const MAX_INCLUDE_DEPTH: usize = 8;
/// Most widgets kept per decoded file (the rest are dropped).
pub const MAX_WIDGETS_PER_FILE: usize = 4096;
/// Deepest widget tree kept, decoded or expanded (deeper children are
/// dropped), so recursive walks, `sketch` and serialization stay far from
/// the stack limit even when includes nest deep trees.
pub const MAX_TREE_DEPTH: usize = 128;
/// Most widgets produced by one expansion.
pub const MAX_EXPANDED_WIDGETS: usize = 20_000;
/// Most expanded widgets kept over all screens of one app.
pub const MAX_APP_WIDGETS: usize = 200_000;

/// Where a widget's class comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `android.widget`, `android.view`, `android.webkit` (bare tag names).
    Framework,
    /// AndroidX or the old support library.
    Androidx,
    /// Material Components (`com.google.android.material`).
    Material,
    /// A third-party library class.
    Library,
    /// The app's own (custom) view.
    App,
    /// A layout directive: `include`, `merge`, `ViewStub`, `fragment`,
    /// `requestFocus`, `tag`, menu `item`/`group`, navigation nodes.
    Directive,
}

/// One element of a layout, menu or navigation file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Widget {
    /// The element name as written (`Button`,
    /// `androidx.recyclerview.widget.RecyclerView`, `include`, ...); a
    /// `<view class="...">` element gets its class.
    pub kind: String,
    /// Where the class comes from.
    pub origin: Option<Origin>,
    /// Functional category: `text_input`, `button`, `text`, `image`,
    /// `list`, `web`, `map`, `camera`, `video`, `check`, `date`, `spinner`,
    /// `progress`, `tabs`, `pager`, `toolbar`, `container`, `include`,
    /// `fragment`, `menu_item`, `destination`, `other`.
    pub category: &'static str,
    /// `@id/name` (or `@0x7f...` when the table has no name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `android:text` (or a menu item's `title`), default locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Every locale's text (`""` = default), when localized.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub text_locales: BTreeMap<String, String>,
    /// `android:hint`, default locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Every locale's hint, when localized.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub hint_locales: BTreeMap<String, String>,
    /// `android:inputType` decoded (`text`, `phone`, `number`,
    /// `password`, `email`, `date`, ... joined with `|`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_type: Option<String>,
    /// `android:onClick` handler name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_click: Option<String>,
    /// Layout linked by `<include layout>`, `<ViewStub android:layout>`,
    /// `tools:layout`/`app:layout` of a fragment or destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// Class named by `<fragment android:name>` / `class`, or a
    /// navigation destination's `android:name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Navigation graph of a `NavHostFragment` slot (`app:navGraph`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nav_graph: Option<String>,
    /// Children in document order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Widget>,
}

impl Widget {
    /// A copy of this widget with no children: copying a node must not
    /// copy (and then drop) its whole subtree, which made expansion
    /// quadratic in the tree's depth.
    pub fn without_children(&self) -> Widget {
        Widget {
            kind: self.kind.clone(),
            origin: self.origin,
            category: self.category,
            id: self.id.clone(),
            text: self.text.clone(),
            text_locales: self.text_locales.clone(),
            hint: self.hint.clone(),
            hint_locales: self.hint_locales.clone(),
            input_type: self.input_type.clone(),
            on_click: self.on_click.clone(),
            layout: self.layout.clone(),
            class: self.class.clone(),
            nav_graph: self.nav_graph.clone(),
            children: Vec::new(),
        }
    }
}

/// One decoded resource file.
#[derive(Debug, Clone, Serialize)]
pub struct LayoutFile {
    /// Resource type: `layout`, `menu` or `navigation`.
    pub res_type: &'static str,
    /// Entry name (`activity_main`).
    pub name: String,
    /// Resource id.
    pub id: u32,
    /// File path inside the APK (default configuration).
    pub path: String,
    /// The root widget.
    pub root: Widget,
}

/// Decoded files of one resource type by entry name (`None`: listed but
/// unreadable).
type FilesByName = BTreeMap<String, Option<Rc<LayoutFile>>>;

/// Every layout, menu and navigation file of an app, by entry name,
/// decoded on first use: an app ships hundreds of library layouts
/// (AndroidX, Material) that no activity of its own shows, and decoding
/// them all was most of the screens stage's cost.
#[derive(Default)]
pub struct Layouts<'a> {
    /// Where undecoded files come from (absent in tests built from files).
    source: Option<(&'a Archive<'a>, &'a Ctx<'a>)>,
    /// `res_type` then `name` to resource id, for every file the table lists.
    ids: BTreeMap<&'static str, BTreeMap<String, u32>>,
    /// Files decoded so far by `res_type` then name (`None`: listed but
    /// unreadable).
    files: RefCell<BTreeMap<&'static str, FilesByName>>,
    /// What decoding repeats across elements and files.
    memo: Memo,
}

/// Per-app memo of decoding work that repeats across elements and files:
/// the same widget kinds, string resources and ids recur in every layout.
#[derive(Default)]
struct Memo {
    /// Widget kind to its origin and category.
    kinds: RefCell<HashMap<String, (Origin, &'static str)>>,
    /// String resource id to its value in every locale.
    strings: RefCell<HashMap<u32, Rc<BTreeMap<String, String>>>>,
    /// Id resource to its `@id/name`.
    ids: RefCell<HashMap<u32, String>>,
}

/// Framework ids of the attributes every element is asked for, looked up
/// once.
struct AttrIds {
    id: Option<u32>,
    text: Option<u32>,
    title: Option<u32>,
    hint: Option<u32>,
    input_type: Option<u32>,
    on_click: Option<u32>,
    name: Option<u32>,
    layout: Option<u32>,
}

fn attr_ids() -> &'static AttrIds {
    static IDS: OnceLock<AttrIds> = OnceLock::new();
    IDS.get_or_init(|| {
        let id = crate::platform::attr_id;
        AttrIds {
            id: id("id"),
            text: id("text"),
            title: id("title"),
            hint: id("hint"),
            input_type: id("inputType"),
            on_click: id("onClick"),
            name: id("name"),
            layout: id("layout"),
        }
    })
}

/// Resource types decoded.
pub const RES_TYPES: &[&str] = &["layout", "menu", "navigation"];

/// Decoding context: the table resolves ids and strings.
pub struct Ctx<'a> {
    /// The resource table, if any.
    pub table: Option<&'a ResourceTable>,
    /// Limits for reference chains and XML.
    pub limits: &'a Limits,
    /// True for a dotted class name that is library code.
    pub is_library: &'a dyn Fn(&str) -> bool,
}

impl<'a> Layouts<'a> {
    /// Indexes every `layout`, `menu` and `navigation` entry the table
    /// lists; each file (default configuration) is decoded when first asked for.
    pub fn index(archive: &'a Archive<'a>, ctx: &'a Ctx<'a>) -> Layouts<'a> {
        let mut ids: BTreeMap<&'static str, BTreeMap<String, u32>> = BTreeMap::new();
        if let Some(table) = ctx.table {
            for &res_type in RES_TYPES {
                let of_type = ids.entry(res_type).or_default();
                for e in table.iter_type(res_type) {
                    if let Some(k) = e.key() {
                        of_type.entry(k).or_insert(e.id);
                    }
                }
            }
        }
        Layouts {
            source: Some((archive, ctx)),
            ids,
            files: RefCell::new(BTreeMap::new()),
            memo: Memo::default(),
        }
    }

    /// Layouts already decoded (tests build them this way).
    pub fn from_files(
        files: impl IntoIterator<Item = ((&'static str, String), LayoutFile)>,
    ) -> Self {
        let mut by_type: BTreeMap<&'static str, FilesByName> = BTreeMap::new();
        for ((res_type, name), f) in files {
            by_type
                .entry(res_type)
                .or_default()
                .insert(name, Some(Rc::new(f)));
        }
        Layouts {
            source: None,
            ids: BTreeMap::new(),
            files: RefCell::new(by_type),
            memo: Memo::default(),
        }
    }

    /// The file of `res_type` named `name`, decoding it on first use.
    pub fn get(&self, res_type: &'static str, name: &str) -> Option<Rc<LayoutFile>> {
        if let Some(hit) = self.files.borrow().get(res_type).and_then(|m| m.get(name)) {
            return hit.clone();
        }
        let decoded = self.decode_one(res_type, name).map(Rc::new);
        self.files
            .borrow_mut()
            .entry(res_type)
            .or_default()
            .insert(name.to_string(), decoded.clone());
        decoded
    }

    fn decode_one(&self, res_type: &'static str, name: &str) -> Option<LayoutFile> {
        let (archive, ctx) = self.source?;
        let table = ctx.table?;
        let id = *self.ids.get(res_type)?.get(name)?;
        let path = table.file_path(id)?;
        let bytes = archive.read_name(&path)?.ok()?;
        let doc = axml::parse(&bytes, ctx.limits).ok()?;
        let mut budget = MAX_WIDGETS_PER_FILE;
        let root = widget(&doc.root, ctx, &self.memo, &mut budget, 0);
        Some(LayoutFile {
            res_type,
            name: name.to_string(),
            id,
            path,
            root,
        })
    }

    /// The navigation graph named `name`.
    pub fn navigation(&self, name: &str) -> Option<Rc<LayoutFile>> {
        self.get("navigation", name)
    }

    /// The layout named `name`.
    pub fn layout(&self, name: &str) -> Option<Rc<LayoutFile>> {
        self.get("layout", name)
    }

    /// The menu named `name`.
    pub fn menu(&self, name: &str) -> Option<Rc<LayoutFile>> {
        self.get("menu", name)
    }

    /// The root of layout `name` with every `<include>` (and fragment or
    /// ViewStub layout) replaced by the included tree, up to
    /// [`MAX_INCLUDE_DEPTH`] levels, never re-entering a layout already on
    /// the path. A `<merge>` root's children join the including parent.
    ///
    /// At most [`MAX_EXPANDED_WIDGETS`] widgets, and at most `budget`
    /// (shared by the caller across screens), which is reduced by what
    /// was produced; `None` once the budget is spent.
    pub fn expand(&self, name: &str, budget: &mut usize) -> Option<Widget> {
        let file = self.layout(name)?;
        if *budget == 0 {
            return None;
        }
        let mut path = vec![name.to_string()];
        let mut local = MAX_EXPANDED_WIDGETS.min(*budget);
        let start = local;
        let tree = self.expand_widget(&file.root, &mut path, &mut local, 0);
        *budget = budget.saturating_sub(start - local);
        Some(tree)
    }

    /// Every layout name reachable from `name` through includes.
    pub fn included(&self, name: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack = vec![(name.to_string(), 0usize)];
        while let Some((n, depth)) = stack.pop() {
            let Some(file) = self.layout(&n) else {
                continue;
            };
            if depth >= MAX_INCLUDE_DEPTH {
                continue;
            }
            let mut walk = vec![&file.root];
            while let Some(w) = walk.pop() {
                if let Some(l) = &w.layout {
                    if l != name && out.insert(l.clone()) {
                        stack.push((l.clone(), depth + 1));
                    }
                }
                walk.extend(w.children.iter());
            }
        }
        out
    }

    fn expand_widget(
        &self,
        w: &Widget,
        path: &mut Vec<String>,
        budget: &mut usize,
        depth: usize,
    ) -> Widget {
        *budget = budget.saturating_sub(1);
        let mut out = w.without_children();
        if depth >= MAX_TREE_DEPTH {
            return out;
        }
        if let Some(target) = &w.layout {
            if path.len() <= MAX_INCLUDE_DEPTH && !path.contains(target) && *budget > 0 {
                if let Some(file) = self.layout(target) {
                    path.push(target.clone());
                    let inner = self.expand_widget(&file.root, path, budget, depth + 1);
                    path.pop();
                    if inner.kind == "merge" {
                        out.children.extend(inner.children);
                    } else {
                        out.children.push(inner);
                    }
                }
            }
        }
        for c in &w.children {
            if *budget == 0 {
                break;
            }
            out.children
                .push(self.expand_widget(c, path, budget, depth + 1));
        }
        out
    }
}

/// Builds the widget for `e` and its subtree (bounded by `budget` in
/// size and [`MAX_TREE_DEPTH`] in depth).
fn widget(e: &Element, ctx: &Ctx<'_>, memo: &Memo, budget: &mut usize, depth: usize) -> Widget {
    *budget = budget.saturating_sub(1);
    let ids = attr_ids();
    let android = |target: Option<u32>, name: &str| e.android_attr_by_id(target, name);
    let mut kind = e.name.clone();
    if kind == "view" {
        if let Some(a) = e.plain_attr("class") {
            kind = a.parser_value();
        }
    }
    let class = match kind.as_str() {
        "fragment" | "androidx.fragment.app.FragmentContainerView" => android(ids.name, "name")
            .or_else(|| e.plain_attr("class"))
            .map(|a| a.parser_value()),
        "activity" | "dialog" => android(ids.name, "name").map(|a| a.parser_value()),
        _ if !e.name.contains('.') && is_nav_node(&e.name) => {
            android(ids.name, "name").map(|a| a.parser_value())
        }
        _ => None,
    };
    let layout = layout_link(e, ctx, ids);
    let (text, text_locales) = text_attr(e, &[(ids.text, "text"), (ids.title, "title")], ctx, memo);
    let (hint, hint_locales) = text_attr(e, &[(ids.hint, "hint")], ctx, memo);
    let (origin, category) = kind_info(&kind, ctx, memo);
    let mut w = Widget {
        origin: Some(origin),
        category,
        id: android(ids.id, "id").and_then(|a| memo_id_name(&a.value, ctx, memo)),
        text,
        text_locales,
        hint,
        hint_locales,
        input_type: android(ids.input_type, "inputType").and_then(|a| match a.value {
            Value::Int(v) => Some(input_type(v as u32)),
            Value::Hex(v) => Some(input_type(v)),
            _ => None,
        }),
        on_click: android(ids.on_click, "onClick").map(|a| a.parser_value()),
        layout,
        class,
        nav_graph: e
            .attr(Some(axml::RES_AUTO_NS), "navGraph")
            .and_then(|a| match &a.value {
                Value::Reference(id) if *id != 0 => ctx.table.and_then(|t| t.name(*id)),
                _ => None,
            })
            .filter(|n| n.type_name == "navigation")
            .map(|n| n.entry),
        kind,
        children: Vec::new(),
    };
    for c in e.elements() {
        if *budget == 0 || depth >= MAX_TREE_DEPTH {
            break;
        }
        w.children.push(widget(c, ctx, memo, budget, depth + 1));
    }
    w
}

/// [`origin`] and [`category`] of `kind`, memoized.
fn kind_info(kind: &str, ctx: &Ctx<'_>, memo: &Memo) -> (Origin, &'static str) {
    if let Some(&hit) = memo.kinds.borrow().get(kind) {
        return hit;
    }
    let info = (origin(kind, ctx), memo_category(kind));
    memo.kinds.borrow_mut().insert(kind.to_string(), info);
    info
}

/// Most kinds kept by [`memo_category`]'s cache (cleared when full).
const MAX_CACHED_KINDS: usize = 4096;

/// [`category`], cached per thread across apps: the same framework and
/// library widget kinds recur in every app.
fn memo_category(kind: &str) -> &'static str {
    thread_local! {
        static CATEGORIES: RefCell<HashMap<String, &'static str>> = RefCell::new(HashMap::new());
    }
    CATEGORIES.with(|cache| {
        if let Some(&hit) = cache.borrow().get(kind) {
            return hit;
        }
        let c = category(kind);
        let mut cache = cache.borrow_mut();
        if cache.len() >= MAX_CACHED_KINDS {
            cache.clear();
        }
        cache.insert(kind.to_string(), c);
        c
    })
}

/// [`id_name`], memoized for references.
fn memo_id_name(v: &Value, ctx: &Ctx<'_>, memo: &Memo) -> Option<String> {
    let Value::Reference(id) = v else {
        return id_name(v, ctx);
    };
    if let Some(hit) = memo.ids.borrow().get(id) {
        return Some(hit.clone());
    }
    let name = id_name(v, ctx)?;
    memo.ids.borrow_mut().insert(*id, name.clone());
    Some(name)
}

fn is_nav_node(name: &str) -> bool {
    matches!(name, "navigation" | "fragment" | "activity" | "dialog")
}

/// The layout an element links to: `<include layout>`, `<ViewStub
/// android:layout>`, `app:layout`/`tools:layout` of a fragment.
fn layout_link(e: &Element, ctx: &Ctx<'_>, ids: &AttrIds) -> Option<String> {
    let attr = e
        .plain_attr("layout")
        .or_else(|| e.android_attr_by_id(ids.layout, "layout"))
        .or_else(|| e.attr(Some(axml::RES_AUTO_NS), "layout"))
        .or_else(|| e.attr(Some(axml::TOOLS_NS), "layout"))?;
    match &attr.value {
        Value::Reference(id) if *id != 0 => {
            let name = ctx.table.and_then(|t| t.name(*id))?;
            (name.type_name == "layout").then_some(name.entry)
        }
        Value::String(s) => s.strip_prefix("@layout/").map(str::to_string),
        _ => None,
    }
}

/// `@id/name` for an id value.
pub fn id_name(v: &Value, ctx: &Ctx<'_>) -> Option<String> {
    match v {
        Value::Reference(id) if *id != 0 => Some(
            ctx.table
                .and_then(|t| t.name(*id))
                .map(|n| format!("@id/{}", n.entry))
                .unwrap_or_else(|| format!("@{id:#010x}")),
        ),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The first of `names` present as a string: default text and all locales.
fn text_attr(
    e: &Element,
    names: &[(Option<u32>, &str)],
    ctx: &Ctx<'_>,
    memo: &Memo,
) -> (Option<String>, BTreeMap<String, String>) {
    for &(target, n) in names {
        let Some(a) = e.android_attr_by_id(target, n) else {
            continue;
        };
        match &a.value {
            Value::String(s) => return (Some(s.clone()), BTreeMap::new()),
            Value::Reference(id) if *id != 0 => {
                let Some(t) = ctx.table else {
                    continue;
                };
                let cached = memo.strings.borrow().get(id).cloned();
                let all = match cached {
                    Some(all) => all,
                    None => {
                        let all = Rc::new(t.string_by_locale(*id, ctx.limits));
                        memo.strings.borrow_mut().insert(*id, Rc::clone(&all));
                        all
                    }
                };
                let default = all
                    .get("")
                    .cloned()
                    .or_else(|| all.values().next().cloned());
                let locales = if all.len() > 1 {
                    BTreeMap::clone(&all)
                } else {
                    BTreeMap::new()
                };
                return (default, locales);
            }
            _ => {}
        }
    }
    (None, BTreeMap::new())
}

/// `android:inputType` flags as names (class, then variation).
pub fn input_type(v: u32) -> String {
    let class = v & 0xf;
    let variation = v & 0xff0;
    let name = match (class, variation) {
        (0, _) => "none",
        (1, 0x20) => "email",
        (1, 0x80) | (1, 0xe0) => "password",
        (1, 0x90) => "visible_password",
        (1, 0x10) => "uri",
        (1, 0x60) => "person_name",
        (1, 0x70) => "postal_address",
        (1, 0x50) => "long_message",
        (1, _) => "text",
        (2, 0x10) => "number_password",
        (2, _) => "number",
        (3, _) => "phone",
        (4, 0x10) => "date",
        (4, 0x20) => "time",
        (4, _) => "datetime",
        _ => "other",
    };
    let mut out = name.to_string();
    if class == 1 && v & 0x20000 != 0 {
        out.push_str("|multiline");
    }
    out
}

/// The simple name: text after the last `.` (or `$`).
pub fn simple_name(kind: &str) -> &str {
    kind.rsplit(['.', '$']).next().unwrap_or(kind)
}

fn origin(kind: &str, ctx: &Ctx<'_>) -> Origin {
    match kind {
        "include" | "merge" | "ViewStub" | "fragment" | "requestFocus" | "tag" | "item"
        | "group" | "menu" | "navigation" | "activity" | "dialog" | "action" | "argument"
        | "deepLink" | "blink" => return Origin::Directive,
        _ => {}
    }
    if !kind.contains('.') || kind.starts_with("android.") {
        Origin::Framework
    } else if kind.starts_with("androidx.") || kind.starts_with("android.support.") {
        Origin::Androidx
    } else if kind.starts_with("com.google.android.material.") {
        Origin::Material
    } else if (ctx.is_library)(kind) {
        Origin::Library
    } else {
        Origin::App
    }
}

/// Functional category of a widget kind, by its simple name. The rules
/// are ordered; the first that matches wins.
pub fn category(kind: &str) -> &'static str {
    let s = simple_name(kind);
    let l = s.to_ascii_lowercase();
    let has = |p: &str| l.contains(p);
    match kind {
        "include" | "ViewStub" => return "include",
        "fragment" => return "fragment",
        "item" => return "menu_item",
        "activity" | "dialog" => return "destination",
        "merge" | "menu" | "group" | "navigation" => return "container",
        _ => {}
    }
    if l == "fragmentcontainerview" || l.ends_with("fragment") {
        "fragment"
    } else if has("webview") || l == "bridgewebview" {
        "web"
    } else if has("mapview") || l.ends_with("map") {
        "map"
    } else if has("surfaceview")
        || has("textureview")
        || has("previewview")
        || has("cameraview")
        || has("scannerview")
        || has("barcodeview")
        || has("zxingview")
        || has("qrcodeview")
        || has("viewfinder")
    {
        "camera"
    } else if has("videoview") || has("playerview") || has("videoplayer") || has("player") {
        "video"
    } else if has("datepicker") || has("timepicker") || has("calendarview") || has("numberpicker") {
        "date"
    } else if has("checkbox")
        || has("switch")
        || has("togglebutton")
        || has("radiobutton")
        || has("radiogroup")
        || l == "chip"
    {
        "check"
    } else if has("edittext")
        || has("autocompletetextview")
        || has("searchview")
        || has("inputlayout")
        || has("input")
    {
        "text_input"
    } else if has("button") || l == "fab" {
        "button"
    } else if has("spinner") {
        "spinner"
    } else if has("recyclerview") || has("listview") || has("gridview") {
        "list"
    } else if has("imageview") || has("image") || has("avatar") || has("banner") {
        "image"
    } else if has("progressbar") || has("seekbar") || has("ratingbar") || has("loading") {
        "progress"
    } else if has("tablayout") || has("bottomnavigation") || has("tabhost") || has("tabbar") {
        "tabs"
    } else if has("viewpager") {
        "pager"
    } else if has("toolbar") || has("titlebar") || has("actionbar") || has("appbar") {
        "toolbar"
    } else if has("textview") || has("text") || has("label") || has("chronometer") {
        "text"
    } else if has("layout")
        || has("scrollview")
        || has("cardview")
        || has("container")
        || l == "view"
        || has("group")
    {
        "container"
    } else {
        "other"
    }
}

/// Every widget in `root`'s tree, root first.
pub fn walk(root: &Widget) -> Vec<&Widget> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(w) = stack.pop() {
        out.push(w);
        stack.extend(w.children.iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert_eq!(category("EditText"), "text_input");
        assert_eq!(category("com.x.ClearEditText"), "text_input");
        assert_eq!(category("Button"), "button");
        assert_eq!(category("RadioButton"), "check");
        assert_eq!(
            category("androidx.recyclerview.widget.RecyclerView"),
            "list"
        );
        assert_eq!(category("com.baidu.mapapi.map.MapView"), "map");
        assert_eq!(category("SurfaceView"), "camera");
        assert_eq!(category("VideoView"), "video");
        assert_eq!(category("WebView"), "web");
        assert_eq!(category("com.tencent.smtt.sdk.WebView"), "web");
        assert_eq!(category("LinearLayout"), "container");
        assert_eq!(category("TextView"), "text");
        assert_eq!(category("DatePicker"), "date");
    }

    fn file(name: &str, root: Widget) -> ((&'static str, String), LayoutFile) {
        (
            ("layout", name.to_string()),
            LayoutFile {
                res_type: "layout",
                name: name.to_string(),
                id: 0,
                path: String::new(),
                root,
            },
        )
    }

    fn include(target: &str) -> Widget {
        Widget {
            kind: "include".into(),
            category: "include",
            layout: Some(target.into()),
            ..Widget::default()
        }
    }

    #[test]
    fn includes_expand_merge_and_stop_at_cycles() {
        let button = Widget {
            kind: "Button".into(),
            category: "button",
            ..Widget::default()
        };
        let merge = Widget {
            kind: "merge".into(),
            category: "container",
            children: vec![button.clone(), include("a")],
            ..Widget::default()
        };
        let a = Widget {
            kind: "LinearLayout".into(),
            category: "container",
            children: vec![include("b"), include("a")],
            ..Widget::default()
        };
        let layouts = Layouts::from_files([file("a", a), file("b", merge)]);
        let Some(tree) = layouts.expand("a", &mut 100) else {
            panic!("a not expanded")
        };
        // a > include(b) > [Button, include(a) not re-entered], include(a) empty
        let buttons = walk(&tree).iter().filter(|w| w.kind == "Button").count();
        assert_eq!(buttons, 1);
        assert_eq!(
            layouts.included("a"),
            ["b".to_string()].into_iter().collect()
        );
    }

    #[test]
    fn deep_trees_are_cut_at_the_depth_limit() {
        let mut deep = Widget {
            kind: "FrameLayout".into(),
            category: "container",
            ..Widget::default()
        };
        for _ in 0..100 {
            deep = Widget {
                kind: "FrameLayout".into(),
                category: "container",
                children: vec![deep, include("deep")],
                ..Widget::default()
            };
        }
        let outer = Widget {
            children: vec![include("deep"), include("deep")],
            ..deep.clone()
        };
        let layouts = Layouts::from_files([file("deep", deep), file("outer", outer)]);
        let mut budget = 1_000_000;
        let Some(tree) = layouts.expand("outer", &mut budget) else {
            panic!("not expanded")
        };
        let mut max = 0;
        let mut stack = vec![(&tree, 0usize)];
        while let Some((w, d)) = stack.pop() {
            max = max.max(d);
            stack.extend(w.children.iter().map(|c| (c, d + 1)));
        }
        assert!(max <= MAX_TREE_DEPTH, "depth {max}");
        assert!(budget < 1_000_000);
    }

    #[test]
    fn input_types() {
        assert_eq!(input_type(0x81), "password");
        assert_eq!(input_type(0x3), "phone");
        assert_eq!(input_type(0x21), "email");
        assert_eq!(input_type(0x2), "number");
        assert_eq!(input_type(0x20001), "text|multiline");
    }
}

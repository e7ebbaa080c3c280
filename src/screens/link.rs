//! Links activities to the layouts they show, from their code.
//!
//! Rules, tried in this order for an activity class `A` (each link says
//! how it was found):
//!
//! 1. `set_content_view` / `inflate`: `A` itself invokes
//!    `setContentView(int)` or an `inflate(int, ...)` (`LayoutInflater`,
//!    `View.inflate`) and loads `0x7f` constants whose type is `layout`.
//! 2. `view_binding`: `A` invokes `FooBinding.inflate`/`bind`; the layout
//!    is the one the binding class itself inflates, else `Foo` in
//!    snake_case when the table has that layout.
//! 3. `inherited`: `A` loads layout ids but invokes neither; an in-app
//!    superclass does (a base activity's `setContentView(getLayoutId())`).
//! 4. `inner_class`: an inner class `A$x` invokes `setContentView(int)`
//!    with layout ids (lambdas, anonymous listeners).
//! 5. `fragment`: a class `A` references (invokes a constructor of) whose
//!    superclass chain reaches a `Fragment` and whose own code inflates a
//!    layout.
//! 6. `include`: layouts included by a linked layout, and `fragment` for
//!    the layouts of fragment classes a linked layout names in
//!    `<fragment android:name>`, and `navigation` for the destinations of
//!    a `NavHostFragment`'s `app:navGraph` (all added by the caller, see
//!    [`CodeIndex::class_layouts`]).
//!
//! Layouts inflated only by inner classes through `inflate`, or by
//! adapter classes the activity constructs (list rows), are reported as
//! item layouts, not as the screen's layout. An activity none of these rules link stays unlinked.

use crate::arsc::ResourceTable;
use crate::dex::{ClassDef, DexFile};
use crate::facts::DexInput;
use serde::Serialize;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;
use std::rc::Rc;

/// Deepest superclass chain walked.
const MAX_SUPER_DEPTH: usize = 12;

/// One activity-to-layout link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// Layout entry name.
    pub layout: String,
    /// How it was found: `set_content_view`, `inflate`, `view_binding`,
    /// `inherited`, `inner_class`, `fragment`, `navigation`, `include`.
    pub how: &'static str,
    /// The class whose code gave the link (binding, fragment or base
    /// class), or the including layout for `include`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// What one class's code does with layouts.
#[derive(Default, Clone)]
struct ClassFacts {
    set_content_view: bool,
    inflate: bool,
    layout_ids: Vec<u32>,
    menu_ids: Vec<u32>,
    bindings: BTreeSet<String>,
    constructed: BTreeSet<String>,
}

/// One class of the index: where it is defined and, once asked for, what
/// its code does with layouts.
struct Entry<'a> {
    descriptor: &'a str,
    /// Position of the DEX file in the app's list, and the file.
    dex: (usize, &'a DexFile),
    class: &'a ClassDef,
    facts: OnceCell<ClassFacts>,
}

/// The code index used for linking.
///
/// Every class is listed (sorted by descriptor; the first definition of a
/// descriptor, in DEX order, wins), but a class's facts are read from its
/// code only when a rule asks for them: linking touches the activities,
/// their inner, base, fragment and adapter classes, a small part of an
/// app's code, and resolving every invoked method of every class was most
/// of the screens stage's cost.
pub struct CodeIndex<'a> {
    classes: Vec<Entry<'a>>,
    table: &'a ResourceTable,
    calls: CallMemo,
}

/// What invoking one method tells about layouts.
#[derive(Clone)]
enum Call {
    SetContentView,
    Binding(Rc<str>),
    Inflate,
    /// A constructor of this class.
    Init(Rc<str>),
    Other,
}

fn classify(dex: &DexFile, m: u32) -> Call {
    let Some(r) = dex.method_ref(m) else {
        return Call::Other;
    };
    match r.name.as_str() {
        "setContentView" if r.proto.starts_with("(I)") => Call::SetContentView,
        "inflate" | "bind" if r.class.ends_with("Binding;") => Call::Binding(r.class.into()),
        "inflate" if r.proto.contains("(I") || r.proto.contains(";I") => Call::Inflate,
        "<init>" => Call::Init(r.class.into()),
        _ => Call::Other,
    }
}

/// Method ids already classified, per DEX file (by its position in the
/// app's DEX list): classes of one app invoke many of the same methods.
type CallMemo = RefCell<HashMap<(usize, u32), Call, BuildHasherDefault<super::FnvHasher>>>;

fn class_facts(
    dex: (usize, &DexFile),
    c: &ClassDef,
    table: &ResourceTable,
    memo: &CallMemo,
) -> ClassFacts {
    let mut f = ClassFacts::default();
    for &m in &c.invokes {
        let key = (dex.0, m);
        let cached = memo.borrow().get(&key).cloned();
        let call = match cached {
            Some(call) => call,
            None => {
                let call = classify(dex.1, m);
                memo.borrow_mut().insert(key, call.clone());
                call
            }
        };
        match call {
            Call::SetContentView => f.set_content_view = true,
            Call::Binding(class) => {
                f.bindings.insert(class.to_string());
            }
            Call::Inflate => f.inflate = true,
            Call::Init(class) if *class != *c.descriptor => {
                f.constructed.insert(class.to_string());
            }
            Call::Init(_) | Call::Other => {}
        }
    }
    for &id in &c.resource_ids {
        match table.name(id).map(|n| n.type_name) {
            Some(t) if t == "layout" => f.layout_ids.push(id),
            Some(t) if t == "menu" => f.menu_ids.push(id),
            _ => {}
        }
    }
    f
}

impl<'a> CodeIndex<'a> {
    /// Indexes every class of every DEX file (facts are read lazily).
    pub fn new(dex: &'a [DexInput], table: &'a ResourceTable) -> CodeIndex<'a> {
        let mut order: Vec<(&'a str, usize, usize, &'a DexFile, &'a ClassDef)> = Vec::new();
        for (di, d) in dex.iter().enumerate() {
            for (ci, c) in d.dex.classes().iter().enumerate() {
                order.push((c.descriptor.as_str(), di, ci, &d.dex, c));
            }
        }
        // Sorted by descriptor, then by definition order: the first
        // definition of a descriptor is kept.
        order.sort_unstable_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        order.dedup_by(|later, first| later.0 == first.0);
        let classes = order
            .into_iter()
            .map(|(descriptor, di, _, dex, class)| Entry {
                descriptor,
                dex: (di, dex),
                class,
                facts: OnceCell::new(),
            })
            .collect();
        CodeIndex {
            classes,
            table,
            calls: RefCell::new(HashMap::default()),
        }
    }

    /// Position of `desc` in the sorted class list.
    fn position(&self, desc: &str) -> Option<usize> {
        self.classes
            .binary_search_by(|e| e.descriptor.cmp(desc))
            .ok()
    }

    fn contains(&self, desc: &str) -> bool {
        self.position(desc).is_some()
    }

    fn entry_facts<'s>(&'s self, e: &'s Entry<'a>) -> &'s ClassFacts {
        e.facts
            .get_or_init(|| class_facts(e.dex, e.class, self.table, &self.calls))
    }

    /// The facts of class `desc`, read on first use.
    fn get(&self, desc: &str) -> Option<&ClassFacts> {
        let e = self.classes.get(self.position(desc)?)?;
        Some(self.entry_facts(e))
    }

    /// The superclass of class `desc`, if the class is indexed.
    fn superclass(&self, desc: &str) -> Option<&'a str> {
        let e = self.classes.get(self.position(desc)?)?;
        e.class.superclass.as_deref()
    }

    /// Classes whose descriptor starts with `prefix`, in descriptor order.
    fn with_prefix<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = &'s Entry<'a>> + 's {
        let start = self.classes.partition_point(|e| e.descriptor < prefix);
        self.classes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |e| e.descriptor.starts_with(prefix))
    }

    fn names(&self, ids: &[u32]) -> Vec<String> {
        let mut out: Vec<String> = ids
            .iter()
            .filter_map(|&id| self.table.name(id).map(|n| n.entry))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn ancestors(&self, desc: &str) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut cur = self.superclass(desc);
        while let Some(s) = cur {
            if out.len() >= MAX_SUPER_DEPTH || out.contains(&s) {
                break;
            }
            out.push(s);
            cur = self.superclass(s);
        }
        out
    }

    fn is_fragment(&self, desc: &str) -> bool {
        self.contains(desc)
            && self
                .ancestors(desc)
                .iter()
                .any(|a| a.ends_with("/Fragment;") || a.ends_with("DialogFragment;"))
    }

    /// Layouts a binding class stands for.
    fn binding_layouts(&self, binding: &str) -> Vec<String> {
        if let Some(f) = self.get(binding) {
            let names = self.names(&f.layout_ids);
            if !names.is_empty() {
                return names;
            }
        }
        let simple = binding
            .trim_end_matches(';')
            .rsplit(['/', '$'])
            .next()
            .unwrap_or_default();
        let Some(stem) = simple.strip_suffix("Binding") else {
            return Vec::new();
        };
        let snake = camel_to_snake(stem);
        if self.table.id_of("layout", &snake).is_some() {
            vec![snake]
        } else {
            Vec::new()
        }
    }

    /// The links of the activity with type descriptor `desc`, and the item
    /// layouts its inner classes inflate.
    pub fn links(&self, desc: &str) -> (Vec<Link>, Vec<String>) {
        let mut links = Vec::new();
        let mut items = Vec::new();
        let Some(own) = self.get(desc) else {
            return (links, items);
        };
        let add = |links: &mut Vec<Link>, names: Vec<String>, how, via: Option<String>| {
            for layout in names {
                if !links.iter().any(|l: &Link| l.layout == layout) {
                    links.push(Link {
                        layout,
                        how,
                        via: via.clone(),
                    });
                }
            }
        };
        // 1. the activity's own code
        if own.set_content_view || own.inflate {
            let how = if own.set_content_view {
                "set_content_view"
            } else {
                "inflate"
            };
            add(&mut links, self.names(&own.layout_ids), how, None);
        }
        // 2. view binding
        for b in &own.bindings {
            let via = Some(crate::dex::descriptor_to_java(b));
            add(&mut links, self.binding_layouts(b), "view_binding", via);
        }
        // 3. a base class's setContentView with the subclass's id
        if links.is_empty() && !own.layout_ids.is_empty() {
            if let Some(base) = self
                .ancestors(desc)
                .into_iter()
                .find(|a| self.get(a).is_some_and(|f| f.set_content_view || f.inflate))
            {
                let via = Some(crate::dex::descriptor_to_java(base));
                add(&mut links, self.names(&own.layout_ids), "inherited", via);
            }
        }
        // 4. inner classes
        let prefix = format!("{}$", desc.trim_end_matches(';'));
        for e in self.with_prefix(&prefix) {
            let (d, f) = (e.descriptor, self.entry_facts(e));
            if f.set_content_view && links.is_empty() {
                let via = Some(crate::dex::descriptor_to_java(d));
                add(&mut links, self.names(&f.layout_ids), "inner_class", via);
            } else if f.inflate {
                items.extend(self.names(&f.layout_ids));
            }
            for b in &f.bindings {
                if links.is_empty() {
                    let via = Some(crate::dex::descriptor_to_java(b));
                    add(&mut links, self.binding_layouts(b), "view_binding", via);
                }
            }
        }
        // list adapters the activity creates: their rows are item layouts
        for c in &own.constructed {
            let adapter = c.ends_with("Adapter;")
                || self.ancestors(c).iter().any(|a| a.ends_with("Adapter;"));
            if !adapter {
                continue;
            }
            if let Some(f) = self.get(c) {
                if f.inflate {
                    items.extend(self.names(&f.layout_ids));
                }
            }
        }
        // 5. hosted fragments
        for c in &own.constructed {
            if !self.is_fragment(c) {
                continue;
            }
            let Some(f) = self.get(c) else {
                continue;
            };
            let via = Some(crate::dex::descriptor_to_java(c));
            if f.inflate || f.set_content_view {
                add(
                    &mut links,
                    self.names(&f.layout_ids),
                    "fragment",
                    via.clone(),
                );
            }
            for b in &f.bindings {
                add(&mut links, self.binding_layouts(b), "fragment", via.clone());
            }
        }
        items.sort();
        items.dedup();
        items.retain(|i| !links.iter().any(|l| &l.layout == i));
        (links, items)
    }

    /// Menus the activity `desc` (or an inner class) inflates
    /// (`MenuInflater.inflate(int, Menu)` with `menu` ids).
    pub fn menus(&self, desc: &str) -> Vec<String> {
        let prefix = format!("{}$", desc.trim_end_matches(';'));
        // `$` sorts before `;`: inner classes come before the class itself.
        let own = self.get(desc);
        let inner = self.with_prefix(&prefix).map(|e| self.entry_facts(e));
        let mut out: Vec<String> = own
            .into_iter()
            .chain(inner)
            .filter(|f| f.inflate)
            .flat_map(|f| self.names(&f.menu_ids))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Layouts the class named `java_name` (a fragment named in a layout's
    /// `<fragment android:name>`) inflates itself or through a binding.
    pub fn class_layouts(&self, java_name: &str) -> Vec<String> {
        let desc = format!("L{};", java_name.replace('.', "/"));
        let Some(f) = self.get(&desc) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if f.inflate || f.set_content_view {
            out.extend(self.names(&f.layout_ids));
        }
        for b in &f.bindings {
            out.extend(self.binding_layouts(b));
        }
        out.sort();
        out.dedup();
        out
    }
}

/// `ActivityMain` to `activity_main`.
pub fn camel_to_snake(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake() {
        assert_eq!(camel_to_snake("ActivityMain"), "activity_main");
        assert_eq!(camel_to_snake("FragmentHomeList"), "fragment_home_list");
    }
}

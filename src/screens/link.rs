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
use std::collections::{BTreeMap, BTreeSet};

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
    superclass: Option<String>,
    set_content_view: bool,
    inflate: bool,
    layout_ids: Vec<u32>,
    menu_ids: Vec<u32>,
    bindings: BTreeSet<String>,
    constructed: BTreeSet<String>,
}

/// The code index used for linking.
pub struct CodeIndex<'a> {
    classes: BTreeMap<String, ClassFacts>,
    table: &'a ResourceTable,
}

fn class_facts(dex: &DexFile, c: &ClassDef, table: &ResourceTable) -> ClassFacts {
    let mut f = ClassFacts {
        superclass: c.superclass.clone(),
        ..ClassFacts::default()
    };
    for &m in &c.invokes {
        let Some(r) = dex.method_ref(m) else {
            continue;
        };
        match r.name.as_str() {
            "setContentView" if r.proto.starts_with("(I)") => f.set_content_view = true,
            "inflate" | "bind" if r.class.ends_with("Binding;") => {
                f.bindings.insert(r.class.clone());
            }
            "inflate" if r.proto.contains("(I") || r.proto.contains(";I") => f.inflate = true,
            "<init>" if r.class != c.descriptor => {
                f.constructed.insert(r.class.clone());
            }
            _ => {}
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
    /// Indexes every class of every DEX file.
    pub fn new(dex: &[DexInput], table: &'a ResourceTable) -> CodeIndex<'a> {
        let mut classes = BTreeMap::new();
        for d in dex {
            for c in d.dex.classes() {
                classes
                    .entry(c.descriptor.clone())
                    .or_insert_with(|| class_facts(&d.dex, c, table));
            }
        }
        CodeIndex { classes, table }
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

    fn ancestors(&self, desc: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = self.classes.get(desc).and_then(|f| f.superclass.as_deref());
        while let Some(s) = cur {
            if out.len() >= MAX_SUPER_DEPTH || out.contains(&s) {
                break;
            }
            out.push(s);
            cur = self.classes.get(s).and_then(|f| f.superclass.as_deref());
        }
        out
    }

    fn is_fragment(&self, desc: &str) -> bool {
        self.classes.contains_key(desc)
            && self
                .ancestors(desc)
                .iter()
                .any(|a| a.ends_with("/Fragment;") || a.ends_with("DialogFragment;"))
    }

    /// Layouts a binding class stands for.
    fn binding_layouts(&self, binding: &str) -> Vec<String> {
        if let Some(f) = self.classes.get(binding) {
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
        let Some(own) = self.classes.get(desc) else {
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
            if let Some(base) = self.ancestors(desc).into_iter().find(|a| {
                self.classes
                    .get(*a)
                    .is_some_and(|f| f.set_content_view || f.inflate)
            }) {
                let via = Some(crate::dex::descriptor_to_java(base));
                add(&mut links, self.names(&own.layout_ids), "inherited", via);
            }
        }
        // 4. inner classes
        let prefix = format!("{}$", desc.trim_end_matches(';'));
        for (d, f) in self.classes.range(prefix.clone()..) {
            if !d.starts_with(&prefix) {
                break;
            }
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
            if let (true, Some(f)) = (adapter, self.classes.get(c)) {
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
            let Some(f) = self.classes.get(c) else {
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
        let own = self.classes.get_key_value(desc);
        let inner = self
            .classes
            .range(prefix.clone()..)
            .take_while(|(d, _)| d.starts_with(&prefix));
        let mut out: Vec<String> = own
            .into_iter()
            .chain(inner)
            .filter(|(_, f)| f.inflate)
            .flat_map(|(_, f)| self.names(&f.menu_ids))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Layouts the class named `java_name` (a fragment named in a layout's
    /// `<fragment android:name>`) inflates itself or through a binding.
    pub fn class_layouts(&self, java_name: &str) -> Vec<String> {
        let desc = format!("L{};", java_name.replace('.', "/"));
        let Some(f) = self.classes.get(&desc) else {
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

//! Builds the facts stage's input from an APK file, for the `facts_sdks`
//! and `facts_exodus` tests (included there with `#[path]`), through the
//! library's own loader ([`AppParts::read`]), so the tests see exactly what
//! `inspect` feeds the facts stage. Run on its own it only checks that the
//! fixtures load.
#![allow(dead_code)]

use fingertip::inspect::AppParts;
use fingertip::reader::Limits;
use std::path::Path;

/// Everything an `AppInput` borrows.
pub type Loaded = AppParts;

/// Reads an APK; `None` when it has no readable archive or manifest.
pub fn load(path: &Path) -> Option<Loaded> {
    let data = std::fs::read(path).ok()?;
    AppParts::read(&data, &Limits::default()).ok()
}

/// A fixture APK under `fixtures/apks/`.
pub fn fixture(name: &str) -> Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/apks")
        .join(format!("{name}.apk"));
    load(&path).unwrap_or_else(|| panic!("{} unreadable", path.display()))
}

#[test]
fn fixtures_load() {
    for name in ["sdkzoo", "flutterish", "webshell"] {
        let l = fixture(name);
        assert!(!l.dex.is_empty(), "{name}");
        assert!(!l.manifest.package.is_empty(), "{name}");
    }
    let zoo = fixture("sdkzoo");
    let paths: Vec<(&str, bool)> = zoo
        .dex
        .iter()
        .map(|d| (d.path.as_str(), d.nested))
        .collect();
    assert_eq!(
        paths,
        [
            ("classes.dex", false),
            ("classes2.dex", false),
            ("assets/patch.jar!/classes.dex", true),
            ("assets/plugin.dex", true),
        ]
    );
}

//! Robustness: a real `resources.arsc` (several locales and densities, bags,
//! references) mutated byte by byte and truncated must parse without panic,
//! and looking up every id (name, resolve, every locale, file path) must
//! finish quickly. Skips with a note when the corpus APK is absent.

use fingertip::arsc;
use fingertip::reader::Limits;
use proptest::prelude::*;
use std::io::Read;
use std::sync::OnceLock;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/real/androguard/a2dp.Vol_137.apk"
);

fn sample() -> Option<&'static [u8]> {
    static DATA: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    DATA.get_or_init(|| {
        let f = std::fs::File::open(SAMPLE).ok()?;
        let mut zip = zip::ZipArchive::new(f).ok()?;
        let mut e = zip.by_name("resources.arsc").ok()?;
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).ok()?;
        Some(buf)
    })
    .as_deref()
}

/// Parses and looks up everything. (That it finishes is the hang check;
/// speed is measured by the benchmark, not asserted here.)
fn exercise(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(table) = arsc::parse(data, &limits) {
        for id in table.ids() {
            let _ = table.name(id);
            let _ = table.values(id);
            let _ = table.resolve(id, &limits);
            let _ = table.resolve_string(id, &limits);
            let _ = table.string_by_locale(id, &limits);
            let _ = table.file_path(id);
        }
        let _ = table.iter_entries().count();
        let _ = table.id_of("string", "app_name");
        let _ = table.locales();
    }
}

#[test]
fn unmutated_sample_is_clean() {
    let Some(data) = sample() else {
        println!("note: {SAMPLE} absent; skipped");
        return;
    };
    let table = arsc::parse(data, &Limits::default()).expect("sample parses");
    assert!(table.anomalies.is_empty(), "{:?}", table.anomalies);
    assert!(table.ids().len() > 100);
    exercise(data);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_tables_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let Some(data) = sample() else { return Ok(()) };
        let mut m = data.to_vec();
        for (at, v) in &edits {
            let i = at.index(m.len());
            m[i] = *v;
        }
        if truncate {
            m.truncate(cut.index(m.len() + 1));
        }
        exercise(&m);
    }

    #[test]
    fn mutated_header_fields_never_panic(
        // Aim at the first 4 KiB, where the table, pool and package headers live.
        at in 0usize..4096,
        word in any::<u32>(),
    ) {
        let Some(data) = sample() else { return Ok(()) };
        let mut m = data.to_vec();
        let at = at.min(m.len().saturating_sub(4));
        m[at..at + 4].copy_from_slice(&word.to_le_bytes());
        exercise(&m);
    }
}

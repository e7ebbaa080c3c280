//! Property tests: every fixture APK mutated byte by byte (and truncated)
//! goes through the whole `inspect` pipeline without a panic; the result is
//! either a report or a one-line error naming the file.

use fingertip::inspect::{inspect_bytes, render_text};
use fingertip::reader::Limits;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

fn fixtures() -> &'static [Vec<u8>] {
    static DATA: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apks");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "apk"))
            .collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    })
}

fn small_limits() -> Limits {
    Limits {
        max_entry_size: 1 << 20,
        max_total_inflated: 8 << 20,
        ..Limits::default()
    }
}

fn check(data: &[u8]) {
    match inspect_bytes("mutant.apk", data, &small_limits()) {
        Ok(report) => {
            let _ = render_text(&report);
            serde_json::to_string(&report).unwrap();
        }
        Err(e) => {
            let line = e.to_string();
            assert!(line.starts_with("mutant.apk: "), "{line}");
            assert!(!line.contains('\n'), "{line}");
        }
    }
}

#[test]
fn every_fixture_is_inspected() {
    assert!(fixtures().len() >= 8);
    for data in fixtures() {
        inspect_bytes("fixture.apk", data, &Limits::default()).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mutated_fixtures_never_panic(
        which in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let apks = fixtures();
        let mut data = apks[which.index(apks.len())].clone();
        for (at, v) in &edits {
            let i = at.index(data.len());
            data[i] = *v;
        }
        if truncate {
            data.truncate(cut.index(data.len() + 1));
        }
        check(&data);
    }
}

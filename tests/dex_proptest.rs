//! Robustness: the DEX fixtures (and the 041 container) mutated byte by
//! byte, word by word and truncated must parse without panic, and every
//! recorded index (invokes, strings, call sites) and every id-table index
//! must look up without panic.

use fingertip::dex;
use fingertip::reader::Limits;
use proptest::prelude::*;

const FIXTURES: [&[u8]; 3] = [
    include_bytes!("../fixtures/dex/basic_035.dex"),
    include_bytes!("../fixtures/dex/modern_039.dex"),
    include_bytes!("../fixtures/dex/container_041.dex"),
];

/// Parses and looks up everything. (That it finishes is the hang check.)
fn exercise(data: &[u8]) {
    let Ok(dexes) = dex::parse(data, &Limits::default()) else {
        return;
    };
    for d in dexes {
        let _ = d.anomalies();
        let c = d.counts();
        for class in d.classes() {
            for &i in &class.invokes {
                let _ = d.method_ref(i);
            }
            for &i in &class.strings {
                let _ = d.string(i);
            }
            for m in &class.methods {
                let _ = d.method_ref(m.method_idx);
            }
            let _ = dex::descriptor_to_java(&class.descriptor);
        }
        for i in 0..c.strings.saturating_add(2) {
            let _ = d.string(i);
        }
        for i in 0..c.types.saturating_add(2) {
            let _ = d.type_name(i);
        }
        for i in 0..c.protos.saturating_add(2) {
            let _ = d.proto(i);
        }
        for i in 0..c.fields.saturating_add(2) {
            let _ = d.field_ref(i);
        }
        for i in 0..c.methods.saturating_add(2) {
            let _ = d.method_ref(i);
        }
        let _ = d.string(u32::MAX);
        let _ = d.method_ref(u32::MAX);
    }
}

#[test]
fn unmutated_fixtures_are_clean() {
    for f in FIXTURES {
        let dexes = dex::parse(f, &Limits::default()).unwrap();
        for d in &dexes {
            assert!(d.anomalies().is_empty(), "{:?}", d.anomalies());
        }
        exercise(f);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bytes_never_panic(
        which in 0usize..FIXTURES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut m = FIXTURES[which].to_vec();
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
    fn mutated_words_never_panic(
        which in 0usize..FIXTURES.len(),
        at in any::<prop::sample::Index>(),
        word in prop_oneof![any::<u32>(), Just(0u32), Just(u32::MAX), Just(0x7fff_ffff), 0u32..4096],
    ) {
        let mut m = FIXTURES[which].to_vec();
        // Aligned words: header fields, id tables, offsets.
        let at = at.index(m.len() / 4) * 4;
        m[at..at + 4].copy_from_slice(&word.to_le_bytes());
        exercise(&m);
    }
}

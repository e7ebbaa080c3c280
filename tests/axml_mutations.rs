//! Mutates a real AndroidManifest.xml (byte flips, 32-bit field overwrites
//! with boundary values, insertions, deletions, truncation) and checks that
//! `axml::parse` and `axml::to_xml` never panic (that the run finishes is the hang check). Skips
//! cleanly when no real APK is present.

use fingertip::axml;
use fingertip::reader::Limits;
use proptest::prelude::*;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

const CANDIDATES: &[&str] = &[
    "fixtures/apks/example.apk",
    "../shared/corpus/real/Android-InsecureBankv2/InsecureBankv2.apk",
    "../shared/corpus/real/fdroidserver/urzip.apk",
    "/usr/share/android-framework-res/framework-res.apk",
];

/// The manifest of the first candidate APK that has one.
fn manifest() -> Option<&'static [u8]> {
    static DATA: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    DATA.get_or_init(|| {
        CANDIDATES.iter().find_map(|p| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
            let mut zip = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
            let mut f = zip.by_name("AndroidManifest.xml").ok()?;
            let mut data = Vec::new();
            f.read_to_end(&mut data).ok()?;
            axml::parse(&data, &Limits::default()).ok()?;
            Some(data)
        })
    })
    .as_deref()
}

#[derive(Debug, Clone)]
enum Mutation {
    Byte(usize, u8),
    Word(usize, u32),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let word = prop_oneof![
        Just(0u32),
        Just(1),
        Just(4),
        Just(8),
        Just(0x10),
        Just(0x14),
        Just(0xffff),
        Just(0x7fff_ffff),
        Just(0xffff_ffff),
        Just(0x0010_0102),
        Just(0x001c_0001),
        any::<u32>(),
    ];
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Byte(a, b)),
        3 => (any::<usize>(), word).prop_map(|(a, w)| Mutation::Word(a, w)),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(a, v)| Mutation::Insert(a, v)),
        1 => (any::<usize>(), 1usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    let n = data.len().max(1);
    match *m {
        Mutation::Byte(at, v) => {
            if let Some(b) = data.get_mut(at % n) {
                *b = v;
            }
        }
        Mutation::Word(at, w) => {
            // Chunk fields are 4-byte aligned; hit them on purpose.
            let at = (at % n) & !3;
            for (i, b) in w.to_le_bytes().into_iter().enumerate() {
                if let Some(x) = data.get_mut(at + i) {
                    *x = b;
                }
            }
        }
        Mutation::Insert(at, ref v) => {
            let at = at % (data.len() + 1);
            data.splice(at..at, v.iter().copied());
        }
        Mutation::Delete(at, len) => {
            let at = at % n;
            let end = (at + len).min(data.len());
            if at < end {
                data.drain(at..end);
            }
        }
    }
}

fn check(data: &[u8]) {
    if let Ok(doc) = axml::parse(data, &Limits::default()) {
        let xml = axml::to_xml(&doc);
        assert!(xml.starts_with("<?xml"));
        let _ = doc.root.android_attr("versionCode");
        let _ = doc.descendants().count();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn mutated_real_manifest_never_panics(
        muts in proptest::collection::vec(mutation(), 1..10),
        cut in any::<usize>(),
        truncate in any::<bool>(),
    ) {
        let Some(original) = manifest() else {
            return Ok(());
        };
        let mut data = original.to_vec();
        for m in &muts {
            apply(&mut data, m);
        }
        if truncate {
            data.truncate(cut % (data.len() + 1));
        }
        check(&data);
    }
}

#[test]
fn every_truncation_of_a_real_manifest_decodes_or_fails_cleanly() {
    let Some(original) = manifest() else {
        eprintln!("note: no real APK found; skipping");
        return;
    };
    let step = (original.len() / 400).max(1);
    for len in (0..original.len()).step_by(step) {
        check(&original[..len]);
    }
}

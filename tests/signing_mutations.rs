//! Mutates the signatures of a real signed fixture (`fixtures/apks/example.apk`,
//! v1+v2+v3 by apksigner) and checks that `signing::analyse` never panics
//! (that the run finishes is the hang check):
//!
//! * every byte of the APK Signing Block flipped in place, one at a time;
//! * every byte of the PKCS#7 block `META-INF/FIXTURES.RSA` flipped, one at a
//!   time, in an APK rebuilt with the mutated block stored;
//! * proptest: random byte sets, 32/64-bit length fields overwritten with
//!   boundary values, insertions, deletions and truncations in both.

use fingertip::archive::Archive;
use fingertip::reader::Limits;
use fingertip::signing::analyse;
use proptest::prelude::*;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::OnceLock;

struct Fixture {
    apk: Vec<u8>,
    /// Signing block range in `apk`.
    block: std::ops::Range<usize>,
    /// The other entries (name, data), for rebuilding with a mutated PKCS#7.
    entries: Vec<(String, Vec<u8>)>,
    rsa: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apks/example.apk");
        let apk = std::fs::read(path).unwrap();
        let archive = Archive::parse(&apk, &Limits::default()).unwrap();
        let cd = archive.central_directory_offset() as usize;
        let size = u64::from_le_bytes(apk[cd - 24..cd - 16].try_into().unwrap()) as usize;
        assert_eq!(&apk[cd - 16..cd], b"APK Sig Block 42");
        let block = cd - size - 8..cd;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&apk)).unwrap();
        let mut entries = Vec::new();
        let mut rsa = Vec::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let name = f.name().unwrap().to_string();
            if name == "META-INF/FIXTURES.RSA" {
                rsa = data;
            } else {
                entries.push((name, data));
            }
        }
        assert!(!rsa.is_empty());
        Fixture {
            apk,
            block,
            entries,
            rsa,
        }
    })
}

fn run(apk: &[u8]) {
    let limits = Limits::default();
    if let Ok(archive) = Archive::parse(apk, &limits) {
        let report = analyse(&archive, &limits);
        let _ = serde_json::to_string(&report).unwrap();
    }
}

/// A stored zip of the fixture's entries with `rsa` as the signature block.
fn with_rsa(rsa: &[u8]) -> Vec<u8> {
    let f = fixture();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in &f.entries {
            w.start_file(name.as_str(), opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.start_file("META-INF/FIXTURES.RSA", opts).unwrap();
        w.write_all(rsa).unwrap();
        w.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn every_signing_block_byte_flipped() {
    let f = fixture();
    let mut apk = f.apk.clone();
    for i in f.block.clone() {
        apk[i] ^= 0xff;
        run(&apk);
        apk[i] ^= 0xff;
    }
}

#[test]
fn every_pkcs7_byte_flipped() {
    let f = fixture();
    let mut rsa = f.rsa.clone();
    for i in 0..rsa.len() {
        for x in [0xff, 0x80] {
            rsa[i] ^= x;
            run(&with_rsa(&rsa));
            rsa[i] ^= x;
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Byte(usize, u8),
    U32(usize, u32),
    U64(usize, u64),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let boundary32 = prop::sample::select(vec![
        0u32,
        1,
        3,
        4,
        0x7f,
        0x80,
        0xffff,
        0x7fff_ffff,
        0xffff_ffff,
    ]);
    let boundary64 = prop::sample::select(vec![0u64, 4, 23, 24, 0x7fff_fff7, u64::MAX, 1 << 40]);
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        2 => (any::<usize>(), boundary32).prop_map(|(i, v)| Mutation::U32(i, v)),
        1 => (any::<usize>(), boundary64).prop_map(|(i, v)| Mutation::U64(i, v)),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        1 => (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(data: &mut Vec<u8>, range: std::ops::Range<usize>, m: &Mutation) {
    let len = range.len().max(1);
    let at = |i: usize| range.start + i % len;
    match m {
        Mutation::Byte(i, b) => {
            let i = at(*i);
            if i < data.len() {
                data[i] = *b;
            }
        }
        Mutation::U32(i, v) => {
            let i = at(*i);
            if i + 4 <= data.len() {
                data[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
        Mutation::U64(i, v) => {
            let i = at(*i);
            if i + 8 <= data.len() {
                data[i..i + 8].copy_from_slice(&v.to_le_bytes());
            }
        }
        Mutation::Insert(i, v) => {
            let i = at(*i).min(data.len());
            data.splice(i..i, v.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(*i).min(data.len());
            let end = (i + n).min(data.len());
            data.drain(i..end);
        }
        Mutation::Truncate(i) => {
            let i = at(*i).min(data.len());
            data.truncate(i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_signing_block_never_panics(ms in prop::collection::vec(mutation(), 1..8)) {
        let f = fixture();
        let mut apk = f.apk.clone();
        for m in &ms {
            // Length-changing mutations shift the central directory; the
            // archive reader copes or refuses, either is fine here.
            apply(&mut apk, f.block.clone(), m);
        }
        run(&apk);
    }

    #[test]
    fn mutated_pkcs7_never_panics(ms in prop::collection::vec(mutation(), 1..8)) {
        let f = fixture();
        let mut rsa = f.rsa.clone();
        for m in &ms {
            let len = rsa.len();
            apply(&mut rsa, 0..len, m);
        }
        run(&with_rsa(&rsa));
    }
}

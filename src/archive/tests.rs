//! Unit tests: a tiny zip writer builds well-formed and hostile archives.

use super::*;
use flate2::{Compress, Compression, FlushCompress, Status};
use std::io::{Read, Write};

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() + 64);
    loop {
        let consumed = c.total_in() as usize;
        let st = c
            .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
            .unwrap();
        if st == Status::StreamEnd {
            return out;
        }
        out.reserve(out.capacity().max(64));
    }
}

#[derive(Clone, Default)]
struct Spec {
    name: Vec<u8>,
    data: Vec<u8>,
    deflate: bool,
    method: Option<u16>,
    flags: u16,
    crc: Option<u32>,
    usize_override: Option<u32>,
}

fn spec(name: &str, data: &[u8], deflate: bool) -> Spec {
    Spec {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        deflate,
        ..Spec::default()
    }
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Writes a zip: local headers + data, central directory, EOCD (+comment).
fn build(specs: &[Spec], comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for s in specs {
        let payload = if s.deflate {
            deflate(&s.data)
        } else {
            s.data.clone()
        };
        let method = s.method.unwrap_or(if s.deflate { 8 } else { 0 });
        let crc = s.crc.unwrap_or_else(|| crc32(&s.data));
        let usz = s.usize_override.unwrap_or(s.data.len() as u32);
        let lho = out.len() as u32;
        for (buf, central) in [(&mut out, false), (&mut cd, true)] {
            le32(buf, if central { 0x0201_4b50 } else { 0x0403_4b50 });
            if central {
                le16(buf, 20);
            }
            le16(buf, 20);
            le16(buf, s.flags);
            le16(buf, method);
            le32(buf, 0);
            le32(buf, crc);
            le32(buf, payload.len() as u32);
            le32(buf, usz);
            le16(buf, s.name.len() as u16);
            le16(buf, 0);
            if central {
                le16(buf, 0);
                le16(buf, 0);
                le16(buf, 0);
                le32(buf, 0);
                le32(buf, lho);
            }
            buf.extend_from_slice(&s.name);
        }
        out.extend_from_slice(&payload);
    }
    let cd_off = out.len() as u32;
    out.extend_from_slice(&cd);
    le32(&mut out, 0x0605_4b50);
    le32(&mut out, 0);
    le16(&mut out, specs.len() as u16);
    le16(&mut out, specs.len() as u16);
    le32(&mut out, cd.len() as u32);
    le32(&mut out, cd_off);
    le16(&mut out, comment.len() as u16);
    out.extend_from_slice(comment);
    out
}

fn codes(a: &Archive<'_>) -> Vec<&'static str> {
    a.anomalies().iter().map(|x| x.code).collect()
}

fn basic() -> Vec<u8> {
    build(
        &[
            spec("AndroidManifest.xml", b"\x03\x00\x08\x00manifest", false),
            spec("classes.dex", &b"dex\n035\0".repeat(100), true),
        ],
        b"",
    )
}

#[test]
fn reads_a_well_formed_archive() {
    let z = basic();
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert!(a.anomalies().is_empty(), "{:?}", a.anomalies());
    assert_eq!(a.entries().len(), 2);
    assert_eq!(a.prefix_len(), 0);
    assert_eq!(
        a.read_name("AndroidManifest.xml").unwrap().unwrap(),
        b"\x03\x00\x08\x00manifest"
    );
    assert_eq!(
        a.read_name("classes.dex").unwrap().unwrap(),
        b"dex\n035\0".repeat(100)
    );
    assert!(a.read_name("missing").is_none());
    assert!(a.read_anomalies().is_empty());
    assert_eq!(a.inflated_total(), 12 + 800);
    let e = a.entry("classes.dex").unwrap();
    assert_eq!(e.index, 1);
    assert_eq!(e.data_offset, Some(e.local_header_offset + 30 + 11));
}

#[test]
fn agrees_with_the_zip_crate_on_well_formed_input() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..50 {
            w.start_file(format!("res/raw/f{i}.bin"), opts).unwrap();
            w.write_all(&vec![i as u8; i * 37]).unwrap();
        }
        w.set_comment("built by the zip crate").unwrap();
        w.finish().unwrap();
    }
    let z = buf.into_inner();
    let ours = Archive::parse(&z, &Limits::default()).unwrap();
    let mut theirs = zip::ZipArchive::new(std::io::Cursor::new(&z)).unwrap();
    assert_eq!(ours.entries().len(), theirs.len());
    for (i, e) in ours.entries().iter().enumerate() {
        let mut f = theirs.by_index(i).unwrap();
        assert_eq!(f.name().unwrap(), e.name);
        let mut expect = Vec::new();
        f.read_to_end(&mut expect).unwrap();
        assert_eq!(ours.read(e).unwrap(), expect);
    }
    assert_eq!(codes(&ours), vec!["zip_eocd_comment"]);
    assert_eq!(ours.comment(), b"built by the zip crate");
}

#[test]
fn whole_file_failures() {
    let l = Limits::default();
    assert_eq!(Archive::parse(&[], &l).unwrap_err(), ArchiveError::Empty);
    assert_eq!(
        Archive::parse(b"hello world", &l).unwrap_err(),
        ArchiveError::NotZip
    );
    let z = basic();
    assert!(matches!(
        Archive::parse_nested(&z, &l, l.max_nesting + 1),
        Err(ArchiveError::NestingTooDeep { .. })
    ));
    assert!(Archive::parse_nested(&z, &l, l.max_nesting).is_ok());
    let small = Limits {
        max_file_size: 10,
        ..Limits::default()
    };
    assert!(matches!(
        Archive::parse(&z, &small),
        Err(ArchiveError::TooLarge { .. })
    ));
    assert_eq!(
        ArchiveError::NotZip.to_string(),
        "not a zip archive: no end-of-central-directory record found"
    );
    // Only the EOCD survives: its CD offset points at nothing.
    let tail = &z[z.len() - 22..];
    assert!(matches!(
        Archive::parse(tail, &l),
        Err(ArchiveError::CentralDirectoryNotFound { .. })
    ));
}

#[test]
fn empty_archive_is_fine() {
    let z = build(&[], b"");
    assert_eq!(z.len(), 22);
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert!(a.entries().is_empty());
    assert!(a.anomalies().is_empty());
}

#[test]
fn prepended_data_with_unfixed_offsets_is_compensated() {
    let mut z = vec![0xAAu8; 1000];
    z.extend_from_slice(&basic());
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_prepended_data"]);
    assert_eq!(a.prefix_len(), 1000);
    assert_eq!(a.entries()[0].local_header_offset, 1000);
    assert_eq!(
        a.read_name("classes.dex").unwrap().unwrap(),
        b"dex\n035\0".repeat(100)
    );
}

#[test]
fn trailing_data_is_tolerated() {
    let mut z = basic();
    z.extend_from_slice(b"trailing junk");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_trailing_data"]);
    assert_eq!(a.entries().len(), 2);
}

#[test]
fn duplicates_return_the_first() {
    let z = build(
        &[spec("a", b"first", false), spec("a", b"second", false)],
        b"",
    );
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_duplicate_entry"]);
    assert_eq!(a.read_name("a").unwrap().unwrap(), b"first");
    assert_eq!(a.read(&a.entries()[1]).unwrap(), b"second");
}

#[test]
fn crc_mismatch_returns_data_and_logs() {
    let mut s = spec("x", b"payload", true);
    s.crc = Some(0x1234_5678);
    let z = build(&[s], b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert!(a.anomalies().is_empty());
    let out = a.read_with_anomalies(&a.entries()[0]).unwrap();
    assert_eq!(out.data, b"payload");
    assert_eq!(out.anomalies.len(), 1);
    assert_eq!(out.anomalies[0].code, "zip_crc_mismatch");
    assert_eq!(a.read_name("x").unwrap().unwrap(), b"payload");
    assert_eq!(a.read_name("x").unwrap().unwrap(), b"payload");
    let log = a.read_anomalies();
    assert_eq!(log.len(), 1, "logged once however often read");
}

#[test]
fn unknown_method_reads_as_deflate_or_stored() {
    let mut d = spec("d", &b"deflated content ".repeat(20), true);
    d.method = Some(0x4242);
    let mut s = spec("s", b"stored content", false);
    s.method = Some(0x1337);
    let z = build(&[d, s], b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_unknown_method", "zip_unknown_method"]);
    let out = a.read_with_anomalies(a.entry("d").unwrap()).unwrap();
    assert_eq!(out.data, b"deflated content ".repeat(20));
    assert!(out.anomalies[0].detail.contains("read as deflate"));
    let out = a.read_with_anomalies(a.entry("s").unwrap()).unwrap();
    assert_eq!(out.data, b"stored content");
    assert!(out.anomalies[0].detail.contains("read as stored"));
}

#[test]
fn entry_limits() {
    let z = build(
        &[
            spec("a", &[1u8; 5000], false),
            spec("b", &[0u8; 300_000], true),
            spec(&"n".repeat(300), b"x", false),
        ],
        b"",
    );
    let limits = Limits {
        max_entry_size: 4096,
        max_name_len: 255,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &limits).unwrap();
    assert_eq!(codes(&a), vec!["zip_name_too_long"]);
    assert_eq!(a.entries().len(), 2);
    let err = a.read_name("a").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large");
    let err = a.read_name("b").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large");
    assert_eq!(err.to_anomaly("b").code, "zip_entry_too_large");
    assert!(err.to_anomaly("b").detail.starts_with("b: "));

    // Ratio: 300 kB of zeros from a few hundred bytes.
    let ratio = Limits {
        ratio_floor: 1024,
        max_compression_ratio: 10,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &ratio).unwrap();
    let err = a.read_name("b").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_bomb_ratio", "{err}");
    assert!(a.read_name("a").unwrap().is_ok());

    // Budget: the second read runs out.
    let budget = Limits {
        max_total_inflated: 6000,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &budget).unwrap();
    assert!(a.read_name("a").unwrap().is_ok());
    assert_eq!(
        a.read_name("b").unwrap().unwrap_err().code(),
        "zip_inflate_budget_exhausted"
    );
    assert!(a.read_name("a").unwrap().is_err());

    // Entry count.
    let few = Limits {
        max_entries: 1,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &few).unwrap();
    assert_eq!(codes(&a), vec!["zip_too_many_entries"]);
    assert_eq!(a.entries().len(), 1);
}

#[test]
fn data_out_of_bounds_and_bad_local_header() {
    let mut big = spec("big", b"0123456789", false);
    big.usize_override = Some(1 << 30);
    let z = build(&[big, spec("ok", b"fine", false)], b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert!(
        codes(&a).contains(&"zip_local_header_mismatch")
            || codes(&a).contains(&"zip_stored_size_mismatch")
    );
    let err = a.read_name("big").unwrap().unwrap_err();
    assert_eq!(err.code(), "zip_entry_too_large");
    let l = Limits {
        max_entry_size: 2 << 30,
        ..Limits::default()
    };
    let a = Archive::parse(&z, &l).unwrap();
    assert_eq!(
        a.read_name("big").unwrap().unwrap_err().code(),
        "zip_data_out_of_bounds"
    );

    // Smash the first local header's signature.
    let mut z = build(&[spec("a", b"aaa", false), spec("b", b"bbb", false)], b"");
    z[0] = b'X';
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert!(codes(&a).contains(&"zip_bad_local_header"));
    assert!(codes(&a).contains(&"zip_prepended_data"));
    assert_eq!(
        a.read_name("a").unwrap().unwrap_err().code(),
        "zip_bad_local_header"
    );
    assert_eq!(a.read_name("b").unwrap().unwrap(), b"bbb");
}

#[test]
fn flags_are_reported_and_ignored() {
    let mut s = spec("enc", b"plain", true);
    s.flags = 0x0001;
    let z = build(&[s], b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_fake_encryption_flag"]);
    assert_eq!(a.read_name("enc").unwrap().unwrap(), b"plain");
}

#[test]
fn suspicious_names_are_reported() {
    let z = build(
        &[
            spec("../evil", b"1", false),
            spec("/abs", b"2", false),
            spec("a\\b", b"3", false),
            spec("ctl\x07", b"4", false),
            spec("fine/name.txt", b"5", false),
        ],
        b"",
    );
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_suspicious_entry_name"; 4]);
    assert_eq!(a.read_name("../evil").unwrap().unwrap(), b"1");
}

#[test]
fn non_utf8_names_can_still_be_found() {
    let mut s = spec("x", b"data", false);
    s.name = b"caf\xe9".to_vec();
    let z = build(&[s], b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_name_not_utf8"]);
    assert_eq!(a.entries()[0].name, "caf\u{fffd}");
    assert_eq!(a.read_name("caf\u{fffd}").unwrap().unwrap(), b"data");
}

#[test]
fn anomalies_are_capped_per_code() {
    let specs: Vec<Spec> = (0..200)
        .map(|i| {
            let mut s = spec(&format!("f{i}"), b"x", false);
            s.flags = 1;
            s
        })
        .collect();
    let z = build(&specs, b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(a.entries().len(), 200);
    assert_eq!(a.anomalies().len(), sink::PER_CODE_CAP + 1);
}

#[test]
fn ten_thousand_entries_parse() {
    // Speed is measured by the benchmark, not asserted here.
    let specs: Vec<Spec> = (0..10_000)
        .map(|i| spec(&format!("res/drawable-xxhdpi/icon_{i:05}.png"), b"", false))
        .collect();
    let z = build(&specs, b"");
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(a.entries().len(), 10_000);
    assert_eq!(
        a.entries()[9_999].name,
        "res/drawable-xxhdpi/icon_09999.png"
    );
}

#[test]
fn comment_length_overrunning_the_file() {
    let mut z = build(&[spec("a", b"aaa", false)], b"0123456789");
    let n = z.len();
    z[n - 12..n - 10].copy_from_slice(&100u16.to_le_bytes());
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_trailing_data", "zip_eocd_comment"]);
    assert!(a.anomalies()[0]
        .detail
        .contains("overruns the file by 90 bytes"));
    assert_eq!(a.comment(), b"0123456789");
    assert_eq!(a.read_name("a").unwrap().unwrap(), b"aaa");
}

#[test]
fn zip64_with_prepended_data() {
    let z64 = include_bytes!("../../fixtures/hostile/zip64.zip");
    let mut z = vec![0u8; 333];
    z.extend_from_slice(z64);
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    assert_eq!(codes(&a), vec!["zip_prepended_data"]);
    assert!(a.is_zip64());
    assert_eq!(a.prefix_len(), 333);
    assert_eq!(a.entries().len(), 2);
    for e in a.entries() {
        a.read(e).unwrap();
    }
    assert!(a.read_anomalies().is_empty());
}

#[test]
fn zip64_fields_without_locator_fail_cleanly() {
    let mut z = basic();
    let n = z.len();
    z[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes()); // cd offset
    assert!(matches!(
        Archive::parse(&z, &Limits::default()),
        Err(ArchiveError::BadZip64 { .. })
    ));
}

#[test]
fn archive_is_shareable_between_threads() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Archive<'static>>();
    let z = basic();
    let a = Archive::parse(&z, &Limits::default()).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for e in a.entries() {
                    a.read(e).unwrap();
                }
            });
        }
    });
    assert_eq!(a.inflated_total(), 4 * (12 + 800));
}

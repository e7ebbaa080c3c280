//! Unit tests: APKs with hand-built APK Signing Blocks and PKCS#7 blocks.

use std::io::Write;

use super::ber::{Ber, Tlv};
use super::*;
use crate::archive::Archive;
use crate::reader::Limits;

const EC_CERT: &[u8] = include_bytes!("../../fixtures/signing/unit/cert_ec.der");
const MINIMAL_APK: &[u8] = include_bytes!("../../fixtures/apks/minimal.apk");

// ---------------------------------------------------------------- builders

fn lp(b: &[u8]) -> Vec<u8> {
    let mut v = (b.len() as u32).to_le_bytes().to_vec();
    v.extend_from_slice(b);
    v
}

/// `lp(lp(item)*)`: a length-prefixed sequence of length-prefixed items.
fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    lp(&items.iter().flat_map(|i| lp(i)).collect::<Vec<u8>>())
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn u32le(v: u32) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

fn spki(cert: &[u8]) -> Vec<u8> {
    let (_, c) = x509_parser::parse_x509_certificate(cert).unwrap();
    c.tbs_certificate.subject_pki.raw.to_vec()
}

/// A v2/v3 signer builder.
#[derive(Clone)]
struct SignerSpec {
    certs: Vec<Vec<u8>>,
    public_key: Vec<u8>,
    sig_algs: Vec<u32>,
    digest_algs: Vec<u32>,
    attrs: Vec<(u32, Vec<u8>)>,
    /// (signer-record range, signed-data range) for v3.
    sdk: Option<((u32, u32), (u32, u32))>,
    /// The content digest claimed for every digest algorithm.
    digest: Vec<u8>,
}

impl SignerSpec {
    fn new(cert: &[u8]) -> Self {
        SignerSpec {
            certs: vec![cert.to_vec()],
            public_key: spki(cert),
            sig_algs: vec![0x0201],
            digest_algs: vec![0x0201],
            attrs: Vec::new(),
            sdk: None,
            digest: digest_of(&dummy()),
        }
    }

    fn v3(mut self, min: u32, max: u32) -> Self {
        self.sdk = Some(((min, max), (min, max)));
        self
    }

    fn build(&self) -> Vec<u8> {
        let digests: Vec<Vec<u8>> = self
            .digest_algs
            .iter()
            .map(|&a| cat(&[&u32le(a), &lp(&self.digest)]))
            .collect();
        let attrs: Vec<Vec<u8>> = self
            .attrs
            .iter()
            .map(|(id, v)| cat(&[&u32le(*id), v]))
            .collect();
        let mut signed = seq(&digests);
        signed.extend(seq(&self.certs));
        if let Some((_, (min, max))) = self.sdk {
            signed.extend(u32le(min));
            signed.extend(u32le(max));
        }
        signed.extend(seq(&attrs));
        let sigs: Vec<Vec<u8>> = self
            .sig_algs
            .iter()
            .map(|&a| cat(&[&u32le(a), &lp(&[0xcd; 64])]))
            .collect();
        let mut out = lp(&signed);
        if let Some(((min, max), _)) = self.sdk {
            out.extend(u32le(min));
            out.extend(u32le(max));
        }
        out.extend(seq(&sigs));
        out.extend(lp(&self.public_key));
        out
    }
}

/// A scheme block value: `lp(lp(signer)*)`.
fn scheme_block(signers: &[SignerSpec]) -> Vec<u8> {
    seq(&signers.iter().map(SignerSpec::build).collect::<Vec<_>>())
}

/// A proof-of-rotation lineage over `certs` (oldest first).
fn lineage(certs: &[&[u8]]) -> Vec<u8> {
    let nodes: Vec<Vec<u8>> = certs
        .iter()
        .map(|c| {
            let signed = cat(&[&lp(c), &u32le(0x0103)]);
            cat(&[&lp(&signed), &u32le(0), &u32le(0x0103), &lp(&[1, 2, 3])])
        })
        .collect();
    cat(&[
        &u32le(1),
        &nodes.iter().flat_map(|n| lp(n)).collect::<Vec<u8>>(),
    ])
}

/// An APK Signing Block with these pairs.
fn signing_block(pairs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let body: Vec<u8> = pairs
        .iter()
        .flat_map(|(id, v)| {
            let mut p = ((v.len() + 4) as u64).to_le_bytes().to_vec();
            p.extend(u32le(*id));
            p.extend(v);
            p
        })
        .collect();
    let size = (body.len() + 24) as u64;
    cat(&[
        &size.to_le_bytes(),
        &body,
        &size.to_le_bytes(),
        block::MAGIC,
    ])
}

/// A stored zip of `entries`, with `block` spliced in before the central directory.
fn apk(entries: &[(&str, &[u8])], block: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    let mut z = buf.into_inner();
    let eocd = z.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let cd = u32::from_le_bytes(z[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    z.splice(cd..cd, block.iter().copied());
    let new_cd = (cd + block.len()) as u32;
    let eocd = eocd + block.len();
    z[eocd + 16..eocd + 20].copy_from_slice(&new_cd.to_le_bytes());
    z
}

/// The chunked SHA-256 content digest of the APK `apk(entries, block)`
/// builds, whatever the block (the block is not covered).
fn digest_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let z = apk(entries, &[]);
    let eocd = z.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let cd = u32::from_le_bytes(z[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    digest::content_digest(&z, cd, cd, eocd, digest::Chunked::Sha256).unwrap()
}

fn run(z: &[u8]) -> SigningReport {
    let a = Archive::parse(z, &Limits::default()).unwrap();
    analyse(&a, &Limits::default())
}

fn codes(r: &SigningReport) -> Vec<&'static str> {
    let mut c: Vec<_> = r.anomalies.iter().map(|a| a.code).collect();
    c.sort_unstable();
    c
}

fn dummy() -> Vec<(&'static str, &'static [u8])> {
    vec![("AndroidManifest.xml", b"not really xml" as &[u8])]
}

/// The RSA fixture certificate, from minimal.apk's JAR signature.
fn rsa_cert() -> Vec<u8> {
    let a = Archive::parse(MINIMAL_APK, &Limits::default()).unwrap();
    let block = a.read_name("META-INF/FIXTURES.RSA").unwrap().unwrap();
    jar::parse_pkcs7(&block).unwrap().certs[0].to_vec()
}

// ------------------------------------------------------------------- DER

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend([0x81, n as u8]);
    } else {
        v.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

fn indef(tag: u8, children: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![tag, 0x80];
    for c in children {
        v.extend(c);
    }
    v.extend([0, 0]);
    v
}

const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

/// A PKCS#7 SignedData carrying `certs` and one SignerInfo naming `signer`,
/// with every constructed level down to the certificates in BER
/// indefinite form when `ber` is set.
fn pkcs7(certs: &[&[u8]], signer: &[u8], ber: bool) -> Vec<u8> {
    let (_, c) = x509_parser::parse_x509_certificate(signer).unwrap();
    let issuer = c.tbs_certificate.issuer.as_raw().to_vec();
    let serial = der(0x02, c.tbs_certificate.raw_serial());
    let alg = der(
        0x30,
        &der(
            0x06,
            &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
        ),
    );
    let cons = |tag: u8, kids: &[Vec<u8>]| {
        if ber {
            indef(tag, kids)
        } else {
            der(tag, &kids.concat())
        }
    };
    let signer_info = cons(
        0x30,
        &[
            der(0x02, &[1]),
            cons(0x30, &[issuer, serial]),
            alg.clone(),
            alg.clone(),
            der(0x04, &[0x55; 16]),
        ],
    );
    let signed_data = cons(
        0x30,
        &[
            der(0x02, &[1]),
            cons(0x31, &[alg]),
            cons(0x30, &[der(0x06, OID_DATA)]),
            cons(0xa0, &certs.iter().map(|c| c.to_vec()).collect::<Vec<_>>()),
            cons(0x31, &[signer_info]),
        ],
    );
    cons(
        0x30,
        &[der(0x06, OID_SIGNED_DATA), cons(0xa0, &[signed_data])],
    )
}

// ------------------------------------------------------------------- tests

#[test]
fn v2_and_v3_signers_merge_by_certificate() {
    let s = SignerSpec::new(EC_CERT);
    let block = signing_block(&[
        (block::ID_V2, scheme_block(std::slice::from_ref(&s))),
        (block::ID_V3, scheme_block(&[s.v3(24, 0x7fff_ffff)])),
        (0x4272_6577, vec![0; 100]),
    ]);
    let r = run(&apk(&dummy(), &block));
    assert_eq!(r.schemes, ["v2", "v3"]);
    assert_eq!(r.signers.len(), 1, "{r:#?}");
    let signer = &r.signers[0];
    assert_eq!(signer.schemes, ["v2", "v3"]);
    assert_eq!(signer.sha256, cert::sha256_hex(EC_CERT));
    assert_eq!(signer.min_sdk, Some(24));
    assert_eq!(signer.max_sdk, Some(0x7fff_ffff));
    assert_eq!(signer.key_algorithm, "EC");
    assert_eq!(signer.key_size, Some(256));
    assert_eq!(signer.subject, "CN=fingertip EC signer, O=fingertip, C=US");
    assert_eq!(signer.verified, None);
    assert!(r.anomalies.is_empty(), "{:#?}", r.anomalies);
    let names: Vec<_> = r.blocks.iter().map(|b| b.name.as_deref()).collect();
    assert_eq!(
        names,
        [
            Some("APK Signature Scheme v2"),
            Some("APK Signature Scheme v3"),
            Some("verity padding")
        ]
    );
    assert_eq!(r.blocks[2].size, 104);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["blocks"][0]["id"], "0x7109871a");
    assert!(json["signers"][0]["verified"].is_null());
}

#[test]
fn duplicate_and_unknown_ids() {
    let s = SignerSpec::new(EC_CERT);
    let mut other = SignerSpec::new(&rsa_cert());
    other.sig_algs = vec![0x0103];
    other.digest_algs = vec![0x0103];
    let block = signing_block(&[
        (block::ID_V2, scheme_block(&[s])),
        (block::ID_V2, scheme_block(&[other])),
        (0x7177_7777, b"{\"channel\":\"x\"}".to_vec()),
        (0x1234_5678, vec![1, 2, 3]),
    ]);
    let r = run(&apk(&dummy(), &block));
    assert_eq!(
        codes(&r),
        ["sig_block_duplicate_id", "sig_block_unknown_id"]
    );
    // Android's lookup finds the first v2 block.
    assert_eq!(r.signers.len(), 1);
    assert_eq!(r.signers[0].sha256, cert::sha256_hex(EC_CERT));
    assert_eq!(r.blocks.len(), 4);
    assert_eq!(r.blocks[2].name.as_deref(), Some("Meituan Walle channel"));
    assert_eq!(r.blocks[3].name, None);
}

#[test]
fn lying_lengths() {
    // A signer whose signed-data length prefix claims more than is there.
    let mut signer = SignerSpec::new(EC_CERT).build();
    signer[0..4].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    let block = signing_block(&[(block::ID_V2, seq(&[signer]))]);
    let r = run(&apk(&dummy(), &block));
    assert_eq!(r.schemes, ["v2"]);
    assert!(r.signers.is_empty());
    assert_eq!(codes(&r), ["sig_signer_malformed"]);

    // A pair whose length runs past the block: pairs before it survive.
    let mut block = signing_block(&[
        (0x4272_6577, vec![0; 8]),
        (block::ID_V2, scheme_block(&[SignerSpec::new(EC_CERT)])),
    ]);
    let second = 8 + 8 + 4 + 8;
    block[second..second + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let r = run(&apk(&dummy(), &block));
    assert_eq!(codes(&r), ["sig_block_pair_malformed"]);
    assert_eq!(r.blocks.len(), 1);
    assert!(r.signers.is_empty());

    // A pair shorter than its ID.
    let mut block = signing_block(&[(0x4272_6577, vec![0; 8])]);
    block[8..16].copy_from_slice(&2u64.to_le_bytes());
    let r = run(&apk(&dummy(), &block));
    assert_eq!(codes(&r), ["sig_block_pair_malformed"]);

    // Certificate list with an empty certificate; garbage certificate.
    let mut s = SignerSpec::new(EC_CERT);
    s.certs = vec![b"garbage".to_vec()];
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V2, scheme_block(&[s]))]),
    ));
    assert_eq!(codes(&r), ["sig_certificate_unparseable"]);
    assert_eq!(r.signers[0].sha256, cert::sha256_hex(b"garbage"));
    assert_eq!(r.signers[0].subject, "");
}

#[test]
fn footer_and_header_lies() {
    let good = signing_block(&[(0x4272_6577, vec![0; 8])]);
    // footer size larger than the file before the central directory
    let mut b = good.clone();
    let f = b.len() - 24;
    b[f..f + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let r = run(&apk(&dummy(), &b));
    assert_eq!(codes(&r), ["sig_block_bad_size"]);
    assert!(r.blocks.is_empty());
    // footer size below 24
    b[f..f + 8].copy_from_slice(&8u64.to_le_bytes());
    assert_eq!(codes(&run(&apk(&dummy(), &b))), ["sig_block_bad_size"]);
    // header disagrees with footer
    let mut b = good.clone();
    b[0..8].copy_from_slice(&7u64.to_le_bytes());
    let r = run(&apk(&dummy(), &b));
    assert_eq!(codes(&r), ["sig_block_size_mismatch"]);
    assert!(r.blocks.is_empty());
    // truncated footer: the magic is cut off, so there is no block at all
    let r = run(&apk(&dummy(), &good[..good.len() - 5]));
    assert!(r.blocks.is_empty() && r.anomalies.is_empty());
    // nothing before the central directory but part of a footer
    let r = run(&apk(&[], &good[good.len() - 20..]));
    assert!(r.blocks.is_empty());
}

#[test]
fn v3_checks_and_lineage() {
    let rsa = rsa_cert();
    let mut s = SignerSpec::new(EC_CERT).v3(28, 0x7fff_ffff);
    s.attrs = vec![(scheme::ATTR_PROOF_OF_ROTATION, lineage(&[&rsa, EC_CERT]))];
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V3, scheme_block(&[s.clone()]))]),
    ));
    assert!(r.anomalies.is_empty(), "{:#?}", r.anomalies);
    assert_eq!(
        r.lineage,
        [cert::sha256_hex(&rsa), cert::sha256_hex(EC_CERT)]
    );

    // lineage not ending with the signer; sdk lies; algorithm lists differ;
    // public key record not the certificate's
    let mut bad = s.clone();
    bad.attrs = vec![(scheme::ATTR_PROOF_OF_ROTATION, lineage(&[EC_CERT, &rsa]))];
    bad.sdk = Some(((28, 30), (24, 30)));
    bad.digest_algs = vec![0x0202];
    bad.public_key = spki(&rsa);
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V3, scheme_block(&[bad]))]),
    ));
    assert_eq!(
        codes(&r),
        [
            "sig_algorithm_mismatch",
            "sig_content_digest_mismatch", // the SHA-256 bytes claimed as SHA-512
            "sig_lineage_mismatch",
            "sig_public_key_mismatch",
            "sig_sdk_mismatch",
        ]
    );

    // a broken lineage, an empty range, an unknown algorithm
    let mut worse = s.clone();
    worse.attrs = vec![(scheme::ATTR_PROOF_OF_ROTATION, vec![1, 0, 0, 0, 9, 9])];
    worse.sdk = Some(((30, 20), (30, 20)));
    worse.sig_algs = vec![0x0999];
    worse.digest_algs = vec![0x0999];
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V31, scheme_block(&[worse]))]),
    ));
    assert_eq!(r.schemes, ["v3.1"]);
    assert_eq!(
        codes(&r),
        [
            "sig_bad_sdk_range",
            "sig_lineage_malformed",
            "sig_unknown_algorithm",
            "sig_v31_without_v3",
        ]
    );
    assert!(r.lineage.is_empty());
}

#[test]
fn signers_and_limits() {
    let many: Vec<SignerSpec> = (0..11).map(|_| SignerSpec::new(EC_CERT)).collect();
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V2, scheme_block(&many))]),
    ));
    assert_eq!(codes(&r), ["sig_too_many_signers"]);
    assert_eq!(r.signers.len(), 1);

    let r = run(&apk(&dummy(), &signing_block(&[(block::ID_V2, lp(&[]))])));
    assert_eq!(codes(&r), ["sig_no_signers"]);

    let mut none = SignerSpec::new(EC_CERT);
    none.certs.clear();
    none.sig_algs.clear();
    none.digest_algs.clear();
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V2, scheme_block(&[none]))]),
    ));
    assert_eq!(codes(&r), ["sig_no_certificates", "sig_no_signatures"]);
}

#[test]
fn v1_der_and_ber_pkcs7() {
    let rsa = rsa_cert();
    // the signer is the second certificate: SignerInfo matching must pick it
    for ber in [false, true] {
        let block = pkcs7(&[EC_CERT, &rsa], &rsa, ber);
        let sf = b"Signature-Version: 1.0\r\nX-Android-APK-Signed: 2\r\n\r\n";
        let entries = [
            ("AndroidManifest.xml", b"x" as &[u8]),
            ("META-INF/CERT.SF", sf),
            ("META-INF/CERT.RSA", &block),
        ];
        let mut signer = SignerSpec::new(EC_CERT);
        signer.digest = digest_of(&entries);
        let z = apk(
            &entries,
            &signing_block(&[(block::ID_V2, scheme_block(&[signer]))]),
        );
        let r = run(&z);
        assert_eq!(r.schemes, ["v1", "v2"]);
        assert_eq!(r.v1_apk_signed_declared, [2]);
        assert_eq!(r.v1_signature_files, ["META-INF/CERT.SF"]);
        assert_eq!(r.signers.len(), 2);
        assert_eq!(r.signers[0].schemes, ["v2"]);
        assert_eq!(r.signers[1].schemes, ["v1"]);
        assert_eq!(r.signers[1].sha256, cert::sha256_hex(&rsa));
        assert_eq!(r.signers[1].key_algorithm, "RSA");
        assert_eq!(r.signers[1].key_size, Some(2048));
        let expect: &[&str] = if ber { &["sig_v1_ber_encoding"] } else { &[] };
        assert_eq!(codes(&r), expect);
    }
}

#[test]
fn v1_problems() {
    let rsa = rsa_cert();
    // SignerInfo names a certificate that is not there
    let block = pkcs7(&[EC_CERT], &rsa, false);
    let mut out = jar::V1::default();
    let mut an = Vec::new();
    jar::analyse_block("META-INF/A.RSA", &block, &mut out, &mut an);
    assert_eq!(an[0].code, "sig_v1_signer_cert_not_found");
    assert!(out.signers.is_empty());
    // not PKCS#7 at all; a truncated one
    for junk in [&b"hello"[..], &block[..block.len() / 2]] {
        let mut an = Vec::new();
        jar::analyse_block("META-INF/A.RSA", junk, &mut out, &mut an);
        assert_eq!(an[0].code, "sig_v1_bad_pkcs7", "{an:?}");
    }
    // .SF declares v2 and v3 but there is no signing block; .RSA without .SF;
    // .SF without .RSA
    let sf = b"Signature-Version: 1.0\nX-Android-APK-Signed: 2,\n  3\nCreated-By: x\n\nName: a\nX-Android-APK-Signed: 9\n";
    let z = apk(
        &[
            ("META-INF/A.SF", sf as &[u8]),
            ("META-INF/A.RSA", &pkcs7(&[&rsa], &rsa, false)),
            ("META-INF/B.EC", &pkcs7(&[EC_CERT], EC_CERT, false)),
            (
                "META-INF/C.SF",
                b"Signature-Version: 1.0\nX-Android-APK-Signed: two\n",
            ),
            ("META-INF/sub/D.rsa", b"ignored: lower-case extension"),
        ],
        &[],
    );
    let r = run(&z);
    assert_eq!(r.v1_apk_signed_declared, [2, 3]);
    assert_eq!(
        codes(&r),
        [
            "sig_stripped_scheme",
            "sig_stripped_scheme",
            "sig_v1_bad_apk_signed_value",
            "sig_v1_missing_sf",
            "sig_v1_sf_without_block",
        ]
    );
    // B.EC has no .SF: not a signer
    assert_eq!(r.signers.len(), 1);
    assert_eq!(r.signers[0].sha256, cert::sha256_hex(&rsa));
    assert!(r.blocks.is_empty());
}

#[test]
fn v2_stripping_protection_attribute() {
    let mut s = SignerSpec::new(EC_CERT);
    s.attrs = vec![(scheme::ATTR_STRIPPING_PROTECTION, u32le(3))];
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V2, scheme_block(&[s]))]),
    ));
    assert_eq!(codes(&r), ["sig_stripped_scheme"]);
}

#[test]
fn ber_reader_walks_a_real_block_converted_to_indefinite() {
    // Convert minimal.apk's DER block: every constructed element above the
    // certificates becomes indefinite-length; identities must not change.
    // depth 0 ContentInfo, 1 [0], 2 SignedData, 3 its fields, 4 certificates
    // and SignerInfos (kept DER).
    fn convert(ber: &Ber, t: &Tlv<'_>, depth: usize) -> Vec<u8> {
        if !t.constructed || depth >= 4 {
            return t.raw.to_vec();
        }
        let kids: Vec<Vec<u8>> = ber
            .children(t)
            .map(|k| convert(ber, &k.unwrap(), depth + 1))
            .collect();
        indef(t.raw[0], &kids)
    }
    let a = Archive::parse(MINIMAL_APK, &Limits::default()).unwrap();
    let block = a.read_name("META-INF/FIXTURES.RSA").unwrap().unwrap();
    let ber = Ber::default();
    let (top, _) = ber.read_one(&block, 0).unwrap();
    let converted = convert(&ber, &top, 0);
    assert_eq!(converted[1], 0x80);
    let der = jar::parse_pkcs7(&block).unwrap();
    let indef = jar::parse_pkcs7(&converted).unwrap();
    assert!(indef.ber && !der.ber);
    assert_eq!(der.certs, indef.certs);
    assert_eq!(der.signer_ids, indef.signer_ids);
}

#[test]
fn sf_main_section_parsing() {
    let mut an = Vec::new();
    let sf = b"Signature-Version: 1.0\r\nx-android-apk-signed: 3\r\n\r\nName: X-Android-APK-Signed: 2\r\n";
    assert_eq!(jar::apk_signed_values("a", sf, &mut an), [3]);
    assert!(an.is_empty());
    assert!(jar::apk_signed_values("a", b"", &mut an).is_empty());
}

#[test]
fn content_digest_mismatch() {
    let mut s = SignerSpec::new(EC_CERT);
    let good = apk(
        &dummy(),
        &signing_block(&[(block::ID_V2, scheme_block(&[s.clone()]))]),
    );
    assert!(run(&good).anomalies.is_empty());
    // SHA-512 algorithms are recomputed with SHA-512
    s.sig_algs = vec![0x0104];
    s.digest_algs = vec![0x0104];
    let r = run(&apk(
        &dummy(),
        &signing_block(&[(block::ID_V2, scheme_block(&[s.clone()]))]),
    ));
    assert_eq!(codes(&r), ["sig_content_digest_mismatch"]);
    // entries changed after signing
    let s = SignerSpec::new(EC_CERT);
    let r = run(&apk(
        &[("AndroidManifest.xml", b"tampered" as &[u8])],
        &signing_block(&[(block::ID_V2, scheme_block(&[s]))]),
    ));
    assert_eq!(codes(&r), ["sig_content_digest_mismatch"]);
    assert!(r.anomalies[0].detail.contains("SHA-256"));
}

#[test]
fn v3_and_v31_lineages_must_agree() {
    let rsa = rsa_cert();
    let mut v3 = SignerSpec::new(EC_CERT).v3(28, 32);
    v3.attrs = vec![(scheme::ATTR_PROOF_OF_ROTATION, lineage(&[&rsa, EC_CERT]))];
    let mut v31 = SignerSpec::new(&rsa).v3(33, 0x7fff_ffff);
    v31.sig_algs = vec![0x0103];
    v31.digest_algs = vec![0x0103];
    v31.attrs = vec![(scheme::ATTR_PROOF_OF_ROTATION, lineage(&[EC_CERT, &rsa]))];
    let r = run(&apk(
        &dummy(),
        &signing_block(&[
            (block::ID_V2, scheme_block(&[SignerSpec::new(EC_CERT)])),
            (block::ID_V3, scheme_block(&[v3])),
            (block::ID_V31, scheme_block(&[v31])),
        ]),
    ));
    assert_eq!(r.schemes, ["v2", "v3", "v3.1"]);
    assert_eq!(codes(&r), ["sig_lineage_inconsistent"]);
    // newest scheme first; the v3.1 lineage (read first) is kept
    assert_eq!(r.signers[0].schemes, ["v3.1"]);
    assert_eq!(r.signers[0].min_sdk, Some(33));
    assert_eq!(r.signers[1].schemes, ["v2", "v3"]);
    assert_eq!(r.signers[1].max_sdk, Some(32));
    assert_eq!(r.lineage.last(), Some(&cert::sha256_hex(&rsa)));
}

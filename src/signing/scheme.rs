//! APK Signature Scheme v2, v3 and v3.1 blocks (source.android.com pages
//! "APK Signature Scheme v2", "v3", "v3.1"; apksig `V2SchemeVerifier`,
//! `V3SchemeVerifier`, `V3SigningCertificateLineage`).
//!
//! Every structure is a little-endian `u32` length-prefixed sequence:
//!
//! ```text
//! block  = lp(signer*)
//! signer = lp(signed data) [v3: u32 minSdk, u32 maxSdk] lp(signature*) lp(public key)
//! signed data = lp(digest*) lp(certificate*) [v3: u32 minSdk, u32 maxSdk] lp(attribute*)
//! digest = lp(u32 algorithm, lp(bytes))     signature = lp(u32 algorithm, lp(bytes))
//! certificate = lp(DER)                      attribute = lp(u32 id, value)
//! ```
//!
//! v3.1 has the v3 layout. Nothing is verified cryptographically; the
//! structure is read as apksig reads it and every inconsistency a verifier
//! would reject becomes an anomaly.

use crate::reader::{Anomaly, ReadError, ReadResult, Reader};

/// Most signers read from one scheme block.
pub(crate) const MAX_SIGNERS: usize = 64;
/// Signers Android accepts in one scheme (apksig `MAX_APK_SIGNERS`).
pub(crate) const ANDROID_MAX_SIGNERS: usize = 10;
/// Most certificates, digests, signatures or attributes read per signer.
pub(crate) const MAX_ITEMS: usize = 64;
/// Most nodes read from one proof-of-rotation lineage.
pub(crate) const MAX_LINEAGE: usize = 64;

/// v3 signed-data attribute: proof-of-rotation lineage.
pub(crate) const ATTR_PROOF_OF_ROTATION: u32 = 0x3ba0_6f8c;
/// v2 signed-data attribute: stripping protection (value: u32 scheme id, 3).
pub(crate) const ATTR_STRIPPING_PROTECTION: u32 = 0xbeef_f00d;

/// Which block a signer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scheme {
    V2,
    V3,
    V31,
}

impl Scheme {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::V2 => "v2",
            Scheme::V3 => "v3",
            Scheme::V31 => "v3.1",
        }
    }

    fn has_sdk_range(self) -> bool {
        !matches!(self, Scheme::V2)
    }
}

/// One signer of a v2/v3/v3.1 block, as read (not verified).
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemeSigner<'a> {
    /// Certificates of the signed data, in order (the first is the signer's).
    pub certs: Vec<&'a [u8]>,
    /// minSdk / maxSdk from the signer record (v3/v3.1).
    pub min_sdk: Option<u32>,
    pub max_sdk: Option<u32>,
    /// Algorithm IDs of the signatures record.
    pub signature_algorithms: Vec<u32>,
    /// Algorithm IDs of the digests record.
    pub digest_algorithms: Vec<u32>,
    /// The digests record: (algorithm ID, content digest).
    pub digests: Vec<(u32, &'a [u8])>,
    /// The public key record (SubjectPublicKeyInfo DER).
    pub public_key: &'a [u8],
    /// Additional attributes of the signed data.
    pub attributes: Vec<(u32, &'a [u8])>,
    /// Certificates of the proof-of-rotation lineage, oldest first.
    pub lineage: Vec<&'a [u8]>,
}

/// The name of a signature algorithm ID (apksig `SignatureAlgorithm`).
pub(crate) fn algorithm_name(id: u32) -> Option<&'static str> {
    Some(match id {
        0x0101 => "RSASSA-PSS with SHA2-256",
        0x0102 => "RSASSA-PSS with SHA2-512",
        0x0103 => "RSASSA-PKCS1-v1_5 with SHA2-256",
        0x0104 => "RSASSA-PKCS1-v1_5 with SHA2-512",
        0x0201 => "ECDSA with SHA2-256",
        0x0202 => "ECDSA with SHA2-512",
        0x0301 => "DSA with SHA2-256",
        0x0421 => "RSASSA-PKCS1-v1_5 with SHA2-256 (verity)",
        0x0423 => "ECDSA with SHA2-256 (verity)",
        0x0425 => "DSA with SHA2-256 (verity)",
        _ => return None,
    })
}

/// Reads `u32 length` then that many bytes as a sub-reader.
pub(crate) fn take_lp<'a>(r: &mut Reader<'a>) -> ReadResult<Reader<'a>> {
    let len = r.u32()? as usize;
    let sub = r.sub(r.pos(), len)?;
    r.skip(len)?;
    Ok(sub)
}

fn malformed(scheme: Scheme, context: &str, e: ReadError) -> Anomaly {
    Anomaly::at(
        "sig_signer_malformed",
        e.offset,
        format!("{}: {context}: {e}", scheme.name()),
    )
}

/// Reads all signers of one scheme block.
pub(crate) fn parse_block<'a>(
    value: &'a [u8],
    value_offset: usize,
    scheme: Scheme,
    anomalies: &mut Vec<Anomaly>,
) -> Vec<SchemeSigner<'a>> {
    let mut r = Reader::with_base(value, value_offset);
    let mut signers_r = match take_lp(&mut r) {
        Ok(s) => s,
        Err(e) => {
            anomalies.push(malformed(scheme, "signers sequence", e));
            return Vec::new();
        }
    };
    if signers_r.remaining() == 0 {
        anomalies.push(Anomaly::at(
            "sig_no_signers",
            value_offset,
            format!("{} block has no signers; Android rejects it", scheme.name()),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut count = 0usize;
    while signers_r.remaining() > 0 {
        count += 1;
        if out.len() >= MAX_SIGNERS {
            anomalies.push(Anomaly::at(
                "sig_limit_reached",
                signers_r.abs_pos(),
                format!(
                    "{}: more than {MAX_SIGNERS} signers; the rest were not read",
                    scheme.name()
                ),
            ));
            break;
        }
        let mut signer_r = match take_lp(&mut signers_r) {
            Ok(s) => s,
            Err(e) => {
                anomalies.push(malformed(scheme, &format!("signer #{count}"), e));
                break;
            }
        };
        match parse_signer(&mut signer_r, scheme, count, anomalies) {
            Ok(s) => out.push(s),
            Err(e) => anomalies.push(malformed(scheme, &format!("signer #{count}"), e)),
        }
    }
    if count > ANDROID_MAX_SIGNERS {
        anomalies.push(Anomaly::at(
            "sig_too_many_signers",
            value_offset,
            format!(
                "{} block has {count} signers; Android accepts at most {ANDROID_MAX_SIGNERS}",
                scheme.name()
            ),
        ));
    }
    out
}

fn parse_signer<'a>(
    r: &mut Reader<'a>,
    scheme: Scheme,
    index: usize,
    anomalies: &mut Vec<Anomaly>,
) -> ReadResult<SchemeSigner<'a>> {
    let name = scheme.name();
    let mut signed_data = take_lp(r)?;
    let mut s = SchemeSigner::default();
    if scheme.has_sdk_range() {
        s.min_sdk = Some(r.u32()?);
        s.max_sdk = Some(r.u32()?);
    }
    let mut sigs = take_lp(r)?;
    s.public_key = take_lp(r)?.data();

    // signatures
    while sigs.remaining() > 0 && s.signature_algorithms.len() < MAX_ITEMS {
        let mut sig = take_lp(&mut sigs)?;
        let alg = sig.u32()?;
        take_lp(&mut sig)?;
        s.signature_algorithms.push(alg);
    }
    if s.signature_algorithms.is_empty() {
        anomalies.push(Anomaly::new(
            "sig_no_signatures",
            format!("{name} signer #{index} has no signatures; Android rejects it"),
        ));
    }
    for &alg in &s.signature_algorithms {
        if algorithm_name(alg).is_none() {
            anomalies.push(Anomaly::new(
                "sig_unknown_algorithm",
                format!("{name} signer #{index}: unknown signature algorithm {alg:#06x}"),
            ));
        }
    }

    // signed data
    let mut digests = take_lp(&mut signed_data)?;
    let mut certs = take_lp(&mut signed_data)?;
    let mut signed_min = None;
    let mut signed_max = None;
    if scheme.has_sdk_range() {
        signed_min = Some(signed_data.u32()?);
        signed_max = Some(signed_data.u32()?);
    }
    let mut attrs = take_lp(&mut signed_data)?;

    while digests.remaining() > 0 && s.digest_algorithms.len() < MAX_ITEMS {
        let mut d = take_lp(&mut digests)?;
        let alg = d.u32()?;
        let value = take_lp(&mut d)?.data();
        s.digest_algorithms.push(alg);
        s.digests.push((alg, value));
    }
    while certs.remaining() > 0 {
        if s.certs.len() >= MAX_ITEMS {
            anomalies.push(Anomaly::at(
                "sig_limit_reached",
                certs.abs_pos(),
                format!("{name} signer #{index}: more than {MAX_ITEMS} certificates; the rest were not read"),
            ));
            break;
        }
        s.certs.push(take_lp(&mut certs)?.data());
    }
    while attrs.remaining() > 0 && s.attributes.len() < MAX_ITEMS {
        let mut a = take_lp(&mut attrs)?;
        let id = a.u32()?;
        let value_offset = a.abs_pos();
        let value = a.bytes(a.remaining())?;
        if id == ATTR_PROOF_OF_ROTATION && scheme.has_sdk_range() {
            match parse_lineage(value, value_offset) {
                Ok(l) => s.lineage = l,
                Err((offset, e)) => anomalies.push(Anomaly::at(
                    "sig_lineage_malformed",
                    offset,
                    format!("{name} signer #{index}: proof-of-rotation lineage: {e}"),
                )),
            }
        }
        s.attributes.push((id, value));
    }

    if s.certs.is_empty() {
        anomalies.push(Anomaly::new(
            "sig_no_certificates",
            format!("{name} signer #{index} has no certificates; Android rejects it"),
        ));
    }
    if s.signature_algorithms != s.digest_algorithms {
        anomalies.push(Anomaly::new(
            "sig_algorithm_mismatch",
            format!(
                "{name} signer #{index}: signature algorithms {:x?} differ from digest algorithms {:x?}; \
                 Android rejects it",
                s.signature_algorithms, s.digest_algorithms
            ),
        ));
    }
    if let (Some(min), Some(max)) = (s.min_sdk, s.max_sdk) {
        if signed_min != s.min_sdk || signed_max != s.max_sdk {
            anomalies.push(Anomaly::new(
                "sig_sdk_mismatch",
                format!(
                    "{name} signer #{index}: signer record says SDK {min}..={max} but signed data \
                     says {}..={}; Android rejects it",
                    signed_min.unwrap_or(0),
                    signed_max.unwrap_or(0)
                ),
            ));
        }
        if min > max || min > i32::MAX as u32 {
            anomalies.push(Anomaly::new(
                "sig_bad_sdk_range",
                format!("{name} signer #{index}: SDK range {min}..={max} is empty or negative"),
            ));
        }
    }
    Ok(s)
}

/// Reads a `V3SigningCertificateLineage`: u32 version, then nodes
/// `lp(lp(lp(cert) u32 parentSigAlg) u32 flags u32 sigAlg lp(signature))`.
pub(crate) fn parse_lineage(
    value: &[u8],
    value_offset: usize,
) -> Result<Vec<&[u8]>, (usize, String)> {
    let mut r = Reader::with_base(value, value_offset);
    let version = r.u32().map_err(|e| (e.offset, e.to_string()))?;
    if version != 1 {
        return Err((value_offset, format!("unknown lineage version {version}")));
    }
    let mut out = Vec::new();
    while r.remaining() > 0 && out.len() < MAX_LINEAGE {
        let node = (|| -> ReadResult<&[u8]> {
            let mut node = take_lp(&mut r)?;
            let mut signed = take_lp(&mut node)?;
            let cert = take_lp(&mut signed)?.data();
            let _parent_alg = signed.u32()?;
            let _flags = node.u32()?;
            let _alg = node.u32()?;
            take_lp(&mut node)?;
            Ok(cert)
        })();
        out.push(node.map_err(|e| (e.offset, format!("node #{}: {e}", out.len() + 1)))?);
    }
    Ok(out)
}

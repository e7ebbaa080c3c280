//! v1 (JAR) signatures: `META-INF/*.SF` signature files and the PKCS#7 /
//! CMS `SignedData` signature blocks `META-INF/*.RSA|*.DSA|*.EC` that sign
//! them (JAR File Specification; RFC 2315 and RFC 5652; apksig
//! `V1SchemeVerifier`).
//!
//! Only the structure is read: the certificates carried by each signature
//! block, and which of them the block's `SignerInfo` names (by issuer and
//! serial number, or subject key identifier) — that one is the signer.
//! From each `.SF` the main section's `X-Android-APK-Signed` attribute is
//! read: the schemes (2, 3) the signer also applied, which Android uses to
//! detect a v2/v3 signature that was stripped off.
//!
//! BER is tolerated as apksig tolerates it (see [`super::ber`]), and
//! recorded as `sig_v1_ber_encoding` since DER is what signing tools emit.

use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use super::ber::{
    strip_leading_zeros, Ber, BerError, Tlv, TAG_INTEGER, TAG_OID, TAG_SEQUENCE, TAG_SET,
};
use super::cert::{format_name, summarize, CertProblem, CertSummary};
use crate::archive::Archive;
use crate::reader::Anomaly;

/// Most v1 signature-related files read.
pub(crate) const MAX_FILES: usize = 64;
/// Most certificates or SignerInfos read from one signature block.
pub(crate) const MAX_ITEMS: usize = 64;

/// `1.2.840.113549.1.7.2` (signedData), contents octets.
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignerId<'a> {
    /// IssuerAndSerialNumber: the encoded issuer Name and the serial contents.
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    /// `[0]` SubjectKeyIdentifier (CMS version 3).
    SubjectKeyId(&'a [u8]),
}

/// What a signature block holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pkcs7<'a> {
    /// Encoded certificates, in order.
    pub certs: Vec<&'a [u8]>,
    /// SignerInfo identifiers, in order.
    pub signer_ids: Vec<SignerId<'a>>,
    /// BER-only forms (indefinite lengths) were met.
    pub ber: bool,
    /// Certificate choices that are not X.509 certificates, skipped.
    pub skipped_certs: usize,
}

fn expect<'a>(
    t: Result<Tlv<'a>, BerError>,
    ok: impl Fn(&Tlv<'a>) -> bool,
    what: &'static str,
) -> Result<Tlv<'a>, BerError> {
    let t = t?;
    if ok(&t) {
        Ok(t)
    } else {
        Err(BerError {
            offset: t.offset,
            what,
        })
    }
}

/// Reads a ContentInfo holding SignedData.
pub(crate) fn parse_pkcs7(data: &[u8]) -> Result<Pkcs7<'_>, BerError> {
    let ber = Ber::default();
    let (top, _trailing) = ber.read_one(data, 0)?;
    if !top.is_universal(TAG_SEQUENCE) || !top.constructed {
        return Err(BerError {
            offset: 0,
            what: "ContentInfo is not a SEQUENCE",
        });
    }
    let mut ci = ber.children(&top);
    let oid = expect(
        ci.next().unwrap_or(Err(BerError {
            offset: 0,
            what: "empty ContentInfo",
        })),
        |t| t.is_universal(TAG_OID),
        "ContentInfo has no contentType",
    )?;
    if oid.content != OID_SIGNED_DATA {
        return Err(BerError {
            offset: oid.offset,
            what: "contentType is not signedData",
        });
    }
    let wrapper = expect(
        ci.next().unwrap_or(Err(BerError {
            offset: top.offset,
            what: "ContentInfo has no content",
        })),
        |t| t.is_context(0) && t.constructed,
        "ContentInfo content is not [0] EXPLICIT",
    )?;
    let sd = expect(
        ber.children(&wrapper).next().unwrap_or(Err(BerError {
            offset: wrapper.offset,
            what: "empty [0] content",
        })),
        |t| t.is_universal(TAG_SEQUENCE) && t.constructed,
        "SignedData is not a SEQUENCE",
    )?;
    let mut out = Pkcs7::default();
    // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos
    for (i, child) in ber.children(&sd).enumerate() {
        let child = child?;
        if i < 3 {
            continue;
        }
        if child.is_context(0) && child.constructed {
            for c in ber.children(&child) {
                let c = c?;
                if out.certs.len() >= MAX_ITEMS {
                    break;
                }
                if c.is_universal(TAG_SEQUENCE) {
                    out.certs.push(c.raw);
                } else {
                    out.skipped_certs += 1;
                }
            }
        } else if child.is_universal(TAG_SET) && child.constructed {
            for si in ber.children(&child) {
                let si = si?;
                if out.signer_ids.len() >= MAX_ITEMS {
                    break;
                }
                if let Some(id) = signer_id(&ber, &si)? {
                    out.signer_ids.push(id);
                }
            }
        }
    }
    out.ber = ber.saw_indefinite.get();
    Ok(out)
}

fn signer_id<'a>(ber: &Ber, si: &Tlv<'a>) -> Result<Option<SignerId<'a>>, BerError> {
    if !si.is_universal(TAG_SEQUENCE) || !si.constructed {
        return Ok(None);
    }
    let mut kids = ber.children(si);
    let _version = kids.next().transpose()?;
    let Some(sid) = kids.next().transpose()? else {
        return Ok(None);
    };
    if sid.is_universal(TAG_SEQUENCE) && sid.constructed {
        let mut parts = ber.children(&sid);
        let issuer = parts.next().transpose()?;
        let serial = parts.next().transpose()?;
        if let (Some(issuer), Some(serial)) = (issuer, serial) {
            if serial.is_universal(TAG_INTEGER) {
                return Ok(Some(SignerId::IssuerSerial {
                    issuer: issuer.raw,
                    serial: strip_leading_zeros(serial.content),
                }));
            }
        }
        Ok(None)
    } else if sid.is_context(0) {
        // [0] IMPLICIT OCTET STRING (primitive), or constructed BER form
        Ok(Some(SignerId::SubjectKeyId(sid.content)))
    } else {
        Ok(None)
    }
}

/// True when `cert` is the one `id` names.
pub(crate) fn matches(id: &SignerId<'_>, cert: &CertSummary) -> bool {
    match id {
        SignerId::IssuerSerial { issuer, serial } => {
            if cert.serial_raw.as_slice() != *serial {
                return false;
            }
            if cert.issuer_raw.as_slice() == *issuer {
                return true;
            }
            // Java compares names in canonical form; approximate that.
            match X509Name::from_der(issuer) {
                Ok((_, name)) => format_name(&name).eq_ignore_ascii_case(&cert.issuer),
                Err(_) => false,
            }
        }
        SignerId::SubjectKeyId(ski) => cert.subject_key_id.as_deref() == Some(*ski),
    }
}

/// The result of reading all v1 files of an APK.
#[derive(Debug, Clone, Default)]
pub(crate) struct V1 {
    /// A signature block file with its `.SF` exists.
    pub present: bool,
    /// Signer certificates, one per signature block that names one.
    pub signers: Vec<CertSummary>,
    /// Values of `X-Android-APK-Signed` across `.SF` files, sorted, deduplicated.
    pub apk_signed: Vec<u32>,
    /// Names of `.SF` files.
    pub sf_files: Vec<String>,
}

/// Splits a v1 file name into (base, kind) the way apksig does: any entry
/// under `META-INF/` (subdirectories included) ending in `.SF`, `.RSA`,
/// `.DSA` or `.EC`, case-sensitively.
fn v1_kind(name: &str) -> Option<(&str, &'static str)> {
    if !name.starts_with("META-INF/") {
        return None;
    }
    for ext in [".SF", ".RSA", ".DSA", ".EC"] {
        if let Some(base) = name.strip_suffix(ext) {
            return Some((base, ext));
        }
    }
    None
}

/// Reads the v1 signature files of `archive`. As in apksig, each `.SF` is
/// paired with the signature block of the same base name; a block without
/// its `.SF` is not a signer (Android ignores it).
pub(crate) fn analyse(archive: &Archive<'_>, anomalies: &mut Vec<Anomaly>) -> V1 {
    let mut out = V1::default();
    let mut blocks: Vec<&str> = Vec::new();
    let mut sfs: Vec<&str> = Vec::new();
    for e in archive.entries() {
        let Some((_, ext)) = v1_kind(&e.name) else {
            continue;
        };
        let list = if ext == ".SF" { &mut sfs } else { &mut blocks };
        if !list.contains(&e.name.as_str()) {
            list.push(&e.name);
        }
    }
    for list in [&mut blocks, &mut sfs] {
        if list.len() > MAX_FILES {
            anomalies.push(Anomaly::new(
                "sig_limit_reached",
                format!(
                    "{} v1 signature files of one kind; only the first {MAX_FILES} were read",
                    list.len()
                ),
            ));
            list.truncate(MAX_FILES);
        }
    }
    out.sf_files = sfs.iter().map(|s| s.to_string()).collect();

    for name in &blocks {
        let base = v1_kind(name).map(|(b, _)| b).unwrap_or_default();
        let sf_name = format!("{base}.SF");
        if !sfs.contains(&sf_name.as_str()) {
            anomalies.push(Anomaly::new(
                "sig_v1_missing_sf",
                format!(
                    "{name:?} has no matching {sf_name:?}; Android ignores the signature block"
                ),
            ));
            continue;
        }
        out.present = true;
        let data = match archive.read_name(name) {
            Some(Ok(d)) => d,
            Some(Err(e)) => {
                anomalies.push(Anomaly::new(
                    "sig_v1_unreadable",
                    format!("{name:?}: {e} ({})", e.code()),
                ));
                continue;
            }
            None => continue,
        };
        analyse_block(name, &data, &mut out, anomalies);
    }
    for sf in &sfs {
        let base = v1_kind(sf).map(|(b, _)| b).unwrap_or_default();
        let has_block = blocks
            .iter()
            .any(|b| v1_kind(b).map(|(bb, _)| bb) == Some(base));
        if !has_block {
            anomalies.push(Anomaly::new(
                "sig_v1_sf_without_block",
                format!("{sf:?} has no matching .RSA/.DSA/.EC signature block"),
            ));
        }
        match archive.read_name(sf) {
            Some(Ok(d)) => {
                for v in apk_signed_values(sf, &d, anomalies) {
                    if !out.apk_signed.contains(&v) {
                        out.apk_signed.push(v);
                    }
                }
            }
            Some(Err(e)) => anomalies.push(Anomaly::new(
                "sig_v1_unreadable",
                format!("{sf:?}: {e} ({})", e.code()),
            )),
            None => {}
        }
    }
    out.apk_signed.sort_unstable();
    out
}

/// Reads one signature block file and records its signer.
pub(crate) fn analyse_block(name: &str, data: &[u8], out: &mut V1, anomalies: &mut Vec<Anomaly>) {
    let p7 = match parse_pkcs7(data) {
        Ok(p) => p,
        Err(e) => {
            anomalies.push(Anomaly::at(
                "sig_v1_bad_pkcs7",
                e.offset,
                format!("{name:?}: not a readable PKCS#7 SignedData: {e}"),
            ));
            return;
        }
    };
    if p7.ber {
        anomalies.push(Anomaly::new(
            "sig_v1_ber_encoding",
            format!(
                "{name:?}: PKCS#7 uses BER indefinite lengths (tolerated; signing tools emit DER)"
            ),
        ));
    }
    if p7.certs.is_empty() {
        anomalies.push(Anomaly::new(
            "sig_v1_no_certificates",
            format!("{name:?}: PKCS#7 carries no certificates; Android rejects it"),
        ));
        return;
    }
    let summaries: Vec<CertSummary> = p7
        .certs
        .iter()
        .map(|c| {
            let (s, problem) = summarize(c);
            if let Some(p) = problem {
                anomalies.push(cert_anomaly("v1", name, &s, &p));
            }
            s
        })
        .collect();
    if p7.signer_ids.is_empty() {
        anomalies.push(Anomaly::new(
            "sig_v1_no_signer_info",
            format!("{name:?}: PKCS#7 has no usable SignerInfo; Android rejects it"),
        ));
        return;
    }
    let found = p7.signer_ids.iter().find_map(|id| {
        p7.certs
            .iter()
            .zip(&summaries)
            .find(|(_, s)| matches(id, s))
    });
    match found {
        Some((_, s)) => out.signers.push(s.clone()),
        None => anomalies.push(Anomaly::new(
            "sig_v1_signer_cert_not_found",
            format!(
                "{name:?}: no certificate matches any SignerInfo (certificates: {}); Android rejects it",
                summaries.iter().map(|s| s.sha256.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// The anomaly for a certificate x509-parser could not fully read.
pub(crate) fn cert_anomaly(
    scheme: &str,
    context: &str,
    s: &CertSummary,
    p: &CertProblem,
) -> Anomaly {
    match p {
        CertProblem::Unparseable(e) => Anomaly::new(
            "sig_certificate_unparseable",
            format!(
                "{scheme} {context}: certificate {} could not be parsed: {e}",
                s.sha256
            ),
        ),
        CertProblem::TrailingData(n) => Anomaly::new(
            "sig_certificate_trailing_data",
            format!(
                "{scheme} {context}: certificate {} is followed by {n} extra bytes",
                s.sha256
            ),
        ),
    }
}

/// The `X-Android-APK-Signed` values of a `.SF` main section.
pub(crate) fn apk_signed_values(name: &str, sf: &[u8], anomalies: &mut Vec<Anomaly>) -> Vec<u32> {
    let text = String::from_utf8_lossy(sf);
    // Logical lines: split on CRLF, LF or CR; a line starting with one space continues the previous.
    let mut lines: Vec<String> = Vec::new();
    for raw in text
        .split("\r\n")
        .flat_map(|l| l.split('\n'))
        .flat_map(|l| l.split('\r'))
    {
        if raw.is_empty() {
            break; // end of the main section
        }
        match (raw.strip_prefix(' '), lines.last_mut()) {
            (Some(cont), Some(last)) => last.push_str(cont),
            _ => lines.push(raw.to_string()),
        }
    }
    let mut out = Vec::new();
    for line in &lines {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("X-Android-APK-Signed") {
            continue;
        }
        for part in value.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match part.parse::<u32>() {
                Ok(v) => out.push(v),
                Err(_) => anomalies.push(Anomaly::new(
                    "sig_v1_bad_apk_signed_value",
                    format!("{name:?}: X-Android-APK-Signed value {part:?} is not a number"),
                )),
            }
        }
    }
    out
}

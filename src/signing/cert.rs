//! One X.509 certificate, summarised: hashes of its encoded bytes (the
//! identity Android and `apksigner` use), names, serial, validity and key.
//!
//! Parsing is x509-parser's, with deep parsing of extensions turned off
//! (Android's `CertificateFactory` does not reject a certificate for an
//! extension it does not understand). A certificate x509-parser cannot read
//! still has an identity: its hashes are reported, the other fields are empty
//! and the caller records an anomaly.

use crate::reader::to_hex as hex;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::nom::Parser;
use x509_parser::prelude::X509CertificateParser;
use x509_parser::x509::X509Name;

use super::ber::{bit_length, strip_leading_zeros, Ber, TAG_INTEGER, TAG_OID};

/// What fingertip reports about one certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CertSummary {
    /// SHA-256 of the encoded certificate, lowercase hex.
    pub sha256: String,
    /// SHA-1 of the encoded certificate, lowercase hex.
    pub sha1: String,
    /// Subject, most specific RDN first (the order Java and apksigner print).
    pub subject: String,
    /// Issuer, same format.
    pub issuer: String,
    /// Serial number, lowercase hex without leading zero octets.
    pub serial: String,
    /// Validity start, RFC 3339 (UTC).
    pub not_before: String,
    /// Validity end, RFC 3339 (UTC).
    pub not_after: String,
    /// `RSA`, `EC`, `DSA`, `Ed25519`, ... or the algorithm OID.
    pub key_algorithm: String,
    /// RSA modulus bits, EC field size, DSA `p` bits.
    pub key_size: Option<u32>,
    /// The certificate's SubjectPublicKeyInfo, DER (to compare with a v2/v3
    /// signer's public key record).
    pub spki: Option<Vec<u8>>,
    /// The encoded issuer Name (to match a PKCS#7 IssuerAndSerialNumber).
    pub issuer_raw: Vec<u8>,
    /// The serial's INTEGER contents without leading zero octets.
    pub serial_raw: Vec<u8>,
    /// Subject key identifier extension value, if present.
    pub subject_key_id: Option<Vec<u8>>,
}

/// Why a certificate could not be fully parsed (the summary is still made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertProblem {
    /// x509-parser refused it.
    Unparseable(String),
    /// Parsed, but bytes follow the certificate.
    TrailingData(usize),
}

/// Lowercase hex of `bytes`.
/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Summarises the encoded certificate `der`.
pub(crate) fn summarize(der: &[u8]) -> (CertSummary, Option<CertProblem>) {
    let mut out = CertSummary {
        sha256: sha256_hex(der),
        sha1: hex(&Sha1::digest(der)),
        ..CertSummary::default()
    };
    let mut parser = X509CertificateParser::new().with_deep_parse_extensions(false);
    let (rest, cert) = match parser.parse(der) {
        Ok(v) => v,
        Err(e) => return (out, Some(CertProblem::Unparseable(e.to_string()))),
    };
    fill(&mut out, &cert);
    let problem = (!rest.is_empty()).then_some(CertProblem::TrailingData(rest.len()));
    (out, problem)
}

fn fill(out: &mut CertSummary, cert: &X509Certificate<'_>) {
    let tbs = &cert.tbs_certificate;
    out.subject = format_name(&tbs.subject);
    out.issuer = format_name(&tbs.issuer);
    out.issuer_raw = tbs.issuer.as_raw().to_vec();
    out.serial_raw = strip_leading_zeros(tbs.raw_serial()).to_vec();
    out.serial = hex(&out.serial_raw);
    out.not_before = rfc3339(tbs.validity.not_before.timestamp());
    out.not_after = rfc3339(tbs.validity.not_after.timestamp());
    let spki = &tbs.subject_pki;
    out.spki = Some(spki.raw.to_vec());
    let alg = spki.algorithm.algorithm.to_id_string();
    let params = spki.algorithm.parameters.as_ref();
    let key_bits = &spki.subject_public_key.data;
    let (name, size) = match alg.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => ("RSA".to_string(), rsa_bits(key_bits)),
        "1.2.840.10045.2.1" => (
            "EC".to_string(),
            params.and_then(|p| {
                (p.header.tag().0 == TAG_OID)
                    .then(|| curve_bits(&oid_string(p.data)))
                    .flatten()
            }),
        ),
        "1.2.840.10040.4.1" | "1.3.14.3.2.12" => {
            ("DSA".to_string(), params.and_then(|p| dsa_bits(p.data)))
        }
        "1.3.101.112" => ("Ed25519".to_string(), Some(255)),
        "1.3.101.113" => ("Ed448".to_string(), Some(448)),
        _ => (alg.clone(), None),
    };
    out.key_algorithm = name;
    out.key_size = size;
    for ext in tbs.extensions() {
        if ext.oid.to_id_string() == "2.5.29.14" {
            // SubjectKeyIdentifier ::= OCTET STRING
            let ber = Ber::default();
            if let Ok((t, _)) = ber.read_one(ext.value, 0) {
                out.subject_key_id = Some(t.content.to_vec());
            }
        }
    }
}

/// True when two SubjectPublicKeyInfo encodings hold the same key: equal
/// bytes, or for RSA the same modulus and exponent read as unsigned
/// magnitudes. Java re-encodes a certificate's key before comparing it with
/// a v2/v3 signer's public key record, so a certificate whose modulus lacks
/// its sign octet (apksig's "negmod" vector) still matches.
pub(crate) fn same_public_key(a: &[u8], b: &[u8]) -> bool {
    a == b || matches!((rsa_key(a), rsa_key(b)), (Some(x), Some(y)) if x == y)
}

/// (modulus, exponent) of an RSA SubjectPublicKeyInfo, without leading zeros.
fn rsa_key(spki: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let ber = Ber::default();
    let (top, _) = ber.read_one(spki, 0).ok()?;
    let mut parts = ber.children(&top);
    let alg = parts.next()?.ok()?;
    let oid = ber.children(&alg).next()?.ok()?;
    if !oid.is_universal(TAG_OID) || oid_string(oid.content) != "1.2.840.113549.1.1.1" {
        return None;
    }
    let bits = parts.next()?.ok()?;
    let key = bits.content.get(1..)?;
    let (seq, _) = ber.read_one(key, 0).ok()?;
    let mut ints = ber.children(&seq);
    let n = ints.next()?.ok()?;
    let e = ints.next()?.ok()?;
    Some((
        strip_leading_zeros(n.content).to_vec(),
        strip_leading_zeros(e.content).to_vec(),
    ))
}

/// RSA modulus bits from the RSAPublicKey DER in the SPKI bit string.
fn rsa_bits(key: &[u8]) -> Option<u32> {
    let ber = Ber::default();
    let (seq, _) = ber.read_one(key, 0).ok()?;
    let modulus = ber.children(&seq).next()?.ok()?;
    modulus
        .is_universal(TAG_INTEGER)
        .then(|| bit_length(modulus.content))
}

/// DSA `p` bits from the Dss-Parms contents (`p`, `q`, `g`).
fn dsa_bits(params_content: &[u8]) -> Option<u32> {
    let ber = Ber::default();
    let (p, _) = ber.read_one(params_content, 0).ok()?;
    p.is_universal(TAG_INTEGER).then(|| bit_length(p.content))
}

/// Field size of a named curve.
fn curve_bits(oid: &str) -> Option<u32> {
    Some(match oid {
        "1.2.840.10045.3.1.1" => 192,
        "1.3.132.0.33" => 224,
        "1.2.840.10045.3.1.7" | "1.3.132.0.10" => 256,
        "1.3.132.0.34" => 384,
        "1.3.132.0.35" => 521,
        "1.3.36.3.3.2.8.1.1.7" => 256,
        "1.3.36.3.3.2.8.1.1.11" => 384,
        "1.3.36.3.3.2.8.1.1.13" => 512,
        _ => return None,
    })
}

/// Dotted form of an OID's contents octets.
pub(crate) fn oid_string(content: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut v: u128 = 0;
    for &b in content {
        v = (v << 7) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = if v < 40 {
                    0
                } else if v < 80 {
                    1
                } else {
                    2
                };
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
        }
        if v > (u128::MAX >> 8) {
            break;
        }
    }
    arcs.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// Java's keyword for an attribute type, as `X500Principal.toString()` and
/// so `apksigner` print it.
fn attr_keyword(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "T",
        "2.5.4.9" => "STREET",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.4" => "SURNAME",
        "2.5.4.42" => "GIVENNAME",
        "2.5.4.43" => "INITIALS",
        "2.5.4.44" => "GENERATION",
        "2.5.4.46" => "DNQUALIFIER",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "EMAILADDRESS",
        "1.3.6.1.4.1.42.2.11.2.1" => "IP",
        _ => return None,
    })
}

/// Decodes a directory string by its universal tag; `None` for other types.
fn decode_string(tag: u32, data: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString
        12 | 18 | 19 | 22 | 26 => Some(String::from_utf8_lossy(data).into_owned()),
        // TeletexString: treated as Latin-1, as Java does
        20 => Some(data.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE
        30 => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| match c {
                    [a, b] => u16::from_be_bytes([*a, *b]),
                    _ => 0xfffd,
                })
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        // UniversalString: UTF-32BE
        28 => Some(
            data.chunks(4)
                .map(|c| match c {
                    [a, b, cc, d] => char::from_u32(u32::from_be_bytes([*a, *b, *cc, *d]))
                        .unwrap_or(char::REPLACEMENT_CHARACTER),
                    _ => char::REPLACEMENT_CHARACTER,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Quotes a value the way Java's `AVA.toString()` does when it holds a
/// character that is special in a DN.
fn quote_value(v: &str) -> String {
    let special =
        v.chars().any(|c| ",+=\n<>#;\\\"".contains(c)) || v.starts_with(' ') || v.ends_with(' ');
    if !special {
        return v.to_string();
    }
    let mut s = String::with_capacity(v.len().saturating_add(2));
    s.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// A Name as Java prints it: RDNs in reverse encoding order (most specific
/// first, as RFC 4514 orders them), `", "` between RDNs, `" + "` inside
/// one, Java's keywords, `OID.x.y.z` for other types and `#hex` for values
/// that are not strings.
pub(crate) fn format_name(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    let key = attr_keyword(&oid)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("OID.{oid}"));
                    let value = atv.attr_value();
                    let text = decode_string(value.header.tag().0, value.data)
                        .map(|s| quote_value(&s))
                        .unwrap_or_else(|| format!("#{}", hex(value.data)));
                    format!("{key}={text}")
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(", ")
}

/// Unix seconds as an RFC 3339 UTC timestamp.
pub(crate) fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_704_067_200), "2024-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn oids_and_quoting() {
        assert_eq!(
            oid_string(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]),
            "1.2.840.113549.1.7.2"
        );
        assert_eq!(quote_value("a, b"), "\"a, b\"");
        assert_eq!(quote_value("plain"), "plain");
    }

    #[test]
    fn garbage_is_still_identified() {
        let (s, p) = summarize(b"not a certificate");
        assert_eq!(s.sha256.len(), 64);
        assert_eq!(s.sha1.len(), 40);
        assert!(matches!(p, Some(CertProblem::Unparseable(_))));
    }
}

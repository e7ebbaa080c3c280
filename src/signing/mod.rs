//! Who signed an APK: the certificates of its v1 (JAR), v2, v3 and v3.1
//! signatures, the blocks of its APK Signing Block, and its key-rotation
//! lineage.
//!
//! # Specs followed
//!
//! * v1: the JAR File Specification (`META-INF/*.SF`, signature block files
//!   `META-INF/*.RSA|*.DSA|*.EC`) whose blocks are PKCS#7 / CMS `SignedData`
//!   (RFC 2315, RFC 5652). Read by [`jar`] through a small BER reader
//!   ([`ber`]) that tolerates indefinite lengths as Android does.
//! * v2, v3, v3.1: source.android.com "APK Signature Scheme v2", "v3" and
//!   "v3.1", mirrored by AOSP apksig (`ApkSigningBlockUtils`,
//!   `V2SchemeVerifier`, `V3SchemeVerifier`, `V3SigningCertificateLineage`).
//!   The APK Signing Block is found right before the central directory
//!   ([`block`]); its scheme blocks are read by [`scheme`].
//! * v4 signatures live in a separate `.idsig` file next to the APK, never
//!   inside it, so they are out of scope here.
//!
//! # What is reported
//!
//! Each signer is identified by the SHA-256 of its certificate's encoded
//! bytes, exactly the "certificate SHA-256 digest" `apksigner verify
//! --print-certs` prints. A certificate carried by several schemes is one
//! [`Signer`] whose `schemes` lists them all. Signers are ordered by the
//! newest scheme that carries them (v3.1, v3, v2, then v1), so the current
//! signing key of a rotated app comes first. Only the signer's own
//! certificate counts (the first of a v2/v3 signer's list, the one a v1
//! `SignerInfo` names); chain certificates do not.
//!
//! Signatures are **not** verified: `verified` is always `None` (JSON
//! `null`), never a guess. The v2/v3 content digests (chunked SHA-256 /
//! SHA-512) are recomputed, and a mismatch — the APK changed after signing —
//! is an anomaly ([`digest`]); a match alone proves nothing about who signed.
//! What a verifier would reject for structural reasons is recorded as an
//! anomaly too.
//!
//! # Anomalies
//!
//! | code | meaning |
//! |---|---|
//! | `sig_block_bad_size` | the signing block footer's size is below 24 or larger than what precedes the central directory (Android: no v2/v3 signature) |
//! | `sig_block_size_mismatch` | header and footer sizes differ (Android: no v2/v3 signature) |
//! | `sig_block_pair_malformed` | an ID-value pair's length is below 4 or runs past the block; pairs after it are not read |
//! | `sig_block_duplicate_id` | an ID occurs more than once (Android uses the first) |
//! | `sig_block_unknown_id` | an ID with no known meaning (payloads such as channel data hide here) |
//! | `sig_signer_malformed` | a length prefix inside a v2/v3/v3.1 block lies; that signer (or the rest of the block) is skipped |
//! | `sig_no_signers` | a scheme block with no signers |
//! | `sig_too_many_signers` | more signers than Android accepts (10) |
//! | `sig_no_signatures` / `sig_no_certificates` | a signer without signatures / certificates |
//! | `sig_unknown_algorithm` | a signature algorithm ID apksig does not know |
//! | `sig_algorithm_mismatch` | the signatures and digests records list different algorithms |
//! | `sig_sdk_mismatch` | v3 signer min/max SDK differs between the signer record and its signed data |
//! | `sig_bad_sdk_range` | v3 min SDK above max SDK (or negative) |
//! | `sig_content_digest_mismatch` | a v2/v3/v3.1 signer's chunked SHA-256/512 content digest differs from the APK's (Android rejects it) |
//! | `sig_public_key_mismatch` | a v2/v3 signer's public key record is not its certificate's key |
//! | `sig_lineage_malformed` | the proof-of-rotation attribute cannot be read |
//! | `sig_lineage_mismatch` | the lineage does not end with the signer's certificate |
//! | `sig_lineage_inconsistent` | v3 and v3.1 lineages disagree (neither is a prefix of the other) |
//! | `sig_v31_without_v3` | a v3.1 block without a v3 block |
//! | `sig_stripped_scheme` | `X-Android-APK-Signed` in a `.SF`, or v2's stripping-protection attribute, names a scheme whose block is missing (Android rejects the APK) |
//! | `sig_certificate_unparseable` | x509-parser cannot read a certificate (its hashes are still reported) |
//! | `sig_certificate_trailing_data` | bytes follow a certificate's DER |
//! | `sig_limit_reached` | a count cap of this module was hit; the rest was not read |
//! | `sig_v1_missing_sf` / `sig_v1_sf_without_block` | a signature block without its `.SF`, or the reverse |
//! | `sig_v1_unreadable` | a v1 file could not be extracted |
//! | `sig_v1_bad_pkcs7` | a signature block is not a readable PKCS#7 SignedData |
//! | `sig_v1_ber_encoding` | the PKCS#7 uses BER indefinite lengths |
//! | `sig_v1_no_certificates` / `sig_v1_no_signer_info` | PKCS#7 without certificates / SignerInfos |
//! | `sig_v1_signer_cert_not_found` | no certificate matches any SignerInfo |
//! | `sig_v1_bad_apk_signed_value` | `X-Android-APK-Signed` holds a non-number |
//!
//! # Limits
//!
//! Entry reads go through [`Archive::read`] and its [`Limits`]; everything
//! else is bounded by this module's constants: 4096 block pairs, 64 signers
//! per scheme, 64 certificates/digests/signatures/attributes per signer, 64
//! lineage nodes, 64 v1 files of each kind, BER nesting depth 32.

pub(crate) mod ber;
pub(crate) mod block;
pub(crate) mod cert;
pub(crate) mod digest;
pub(crate) mod jar;
pub(crate) mod scheme;

use serde::{Serialize, Serializer};

use crate::archive::Archive;
use crate::reader::{Anomaly, Limits};
use block::{block_name, ID_V2, ID_V3, ID_V31};
use cert::{same_public_key, sha256_hex, summarize, CertSummary};
use digest::Chunked;
use scheme::{Scheme, SchemeSigner, ATTR_STRIPPING_PROTECTION};

/// Everything known about an APK's signatures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SigningReport {
    /// Schemes present (not necessarily valid): `"v1"`, `"v2"`, `"v3"`, `"v3.1"`.
    pub schemes: Vec<String>,
    /// Distinct signer certificates, newest scheme first.
    pub signers: Vec<Signer>,
    /// Every ID-value pair of the APK Signing Block, in file order.
    pub blocks: Vec<SigningBlockEntry>,
    /// SHA-256 of the certificates of the v3/v3.1 proof-of-rotation lineage,
    /// oldest first (empty without rotation).
    pub lineage: Vec<String>,
    /// Values of `X-Android-APK-Signed` in the `.SF` files (2, 3: the schemes
    /// the v1 signer says it also applied).
    pub v1_apk_signed_declared: Vec<u32>,
    /// Names of the `META-INF/*.SF` signature files.
    pub v1_signature_files: Vec<String>,
    /// What was odd.
    pub anomalies: Vec<Anomaly>,
}

/// One signing certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// SHA-256 of the encoded certificate, lowercase hex (apksigner's
    /// "certificate SHA-256 digest").
    pub sha256: String,
    /// SHA-1 of the encoded certificate, lowercase hex.
    pub sha1: String,
    /// Subject DN, most specific first, as Java/apksigner print it.
    pub subject: String,
    /// Issuer DN, same format.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Validity start, RFC 3339 UTC.
    pub not_before: String,
    /// Validity end, RFC 3339 UTC.
    pub not_after: String,
    /// `RSA`, `EC`, `DSA`, ... (empty when the certificate is unparseable).
    pub key_algorithm: String,
    /// RSA modulus bits, EC field bits, DSA `p` bits.
    pub key_size: Option<u32>,
    /// Schemes carrying this certificate, in the order v1, v2, v3, v3.1.
    pub schemes: Vec<String>,
    /// Lowest SDK this signer covers (v3/v3.1 only).
    pub min_sdk: Option<u32>,
    /// Highest SDK this signer covers (v3/v3.1 only).
    pub max_sdk: Option<u32>,
    /// Whether the signature was verified: always `None` (not attempted).
    pub verified: Option<bool>,
}

/// One ID-value pair of the APK Signing Block.
#[derive(Debug, Clone, Serialize)]
pub struct SigningBlockEntry {
    /// The ID (serialised as a hex string, e.g. `"0x7109871a"`).
    #[serde(serialize_with = "hex_id")]
    pub id: u32,
    /// Its known meaning.
    pub name: Option<String>,
    /// The pair's declared length (ID + value).
    pub size: u64,
}

fn hex_id<S: Serializer>(id: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{id:#010x}"))
}

const SCHEME_ORDER: [&str; 4] = ["v1", "v2", "v3", "v3.1"];

fn scheme_rank(s: &str) -> usize {
    SCHEME_ORDER
        .iter()
        .position(|&x| x == s)
        .unwrap_or(SCHEME_ORDER.len())
}

/// Signers keyed by certificate SHA-256, in first-seen order.
#[derive(Default)]
struct Signers(Vec<Signer>);

impl Signers {
    fn add(&mut self, s: &CertSummary, scheme: &str, min_sdk: Option<u32>, max_sdk: Option<u32>) {
        if let Some(existing) = self.0.iter_mut().find(|x| x.sha256 == s.sha256) {
            if !existing.schemes.iter().any(|x| x == scheme) {
                existing.schemes.push(scheme.to_string());
                existing.schemes.sort_by_key(|x| scheme_rank(x));
            }
            existing.min_sdk = match (existing.min_sdk, min_sdk) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            existing.max_sdk = match (existing.max_sdk, max_sdk) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            return;
        }
        self.0.push(Signer {
            sha256: s.sha256.clone(),
            sha1: s.sha1.clone(),
            subject: s.subject.clone(),
            issuer: s.issuer.clone(),
            serial: s.serial.clone(),
            not_before: s.not_before.clone(),
            not_after: s.not_after.clone(),
            key_algorithm: s.key_algorithm.clone(),
            key_size: s.key_size,
            schemes: vec![scheme.to_string()],
            min_sdk,
            max_sdk,
            verified: None,
        });
    }
}

/// Reads every signature of `archive`. Never fails: problems are anomalies.
pub fn analyse(archive: &Archive<'_>, limits: &Limits) -> SigningReport {
    // Entry reads are bounded by the limits the archive was parsed with;
    // this module's own caps are constants (see the module docs).
    let _ = limits;
    let mut anomalies = Vec::new();
    let v1 = jar::analyse(archive, &mut anomalies);

    let cd = usize::try_from(archive.central_directory_offset()).unwrap_or(usize::MAX);
    let block = block::locate(archive.bytes(), cd, &mut anomalies);

    let mut blocks = Vec::new();
    let mut scheme_signers: Vec<(Scheme, Vec<SchemeSigner<'_>>)> = Vec::new();
    if let Some(b) = &block {
        let mut seen: Vec<u32> = Vec::new();
        for p in &b.pairs {
            let name = block_name(p.id);
            if seen.contains(&p.id) {
                anomalies.push(Anomaly::at(
                    "sig_block_duplicate_id",
                    p.value_offset.saturating_sub(4),
                    format!(
                        "APK Signing Block ID {:#010x}{} occurs more than once; Android uses the first",
                        p.id,
                        name.map(|n| format!(" ({n})")).unwrap_or_default()
                    ),
                ));
            } else {
                seen.push(p.id);
                if name.is_none() {
                    anomalies.push(Anomaly::at(
                        "sig_block_unknown_id",
                        p.value_offset.saturating_sub(4),
                        format!(
                            "APK Signing Block has an unknown ID {:#010x} ({} bytes)",
                            p.id, p.size
                        ),
                    ));
                }
            }
            blocks.push(SigningBlockEntry {
                id: p.id,
                name: name.map(str::to_string),
                size: p.size,
            });
        }
        for (scheme, id) in [
            (Scheme::V31, ID_V31),
            (Scheme::V3, ID_V3),
            (Scheme::V2, ID_V2),
        ] {
            if let Some(p) = b.first(id) {
                let signers = scheme::parse_block(p.value, p.value_offset, scheme, &mut anomalies);
                scheme_signers.push((scheme, signers));
            }
        }
    }
    let has = |s: Scheme| scheme_signers.iter().any(|(x, _)| *x == s);
    if let Some(b) = &block {
        check_digests(archive, b.start, &scheme_signers, &mut anomalies);
    }

    let mut signers = Signers::default();
    let mut lineage: Vec<String> = Vec::new();
    let mut lineage_from = "";
    for (scheme, list) in &scheme_signers {
        let name = scheme.name();
        for (i, s) in list.iter().enumerate() {
            let Some(first) = s.certs.first() else {
                continue;
            };
            let context = format!("signer #{}", i + 1);
            let (summary, problem) = summarize(first);
            if let Some(p) = problem {
                anomalies.push(jar::cert_anomaly(name, &context, &summary, &p));
            }
            if let Some(spki) = &summary.spki {
                if !same_public_key(spki, s.public_key) {
                    anomalies.push(Anomaly::new(
                        "sig_public_key_mismatch",
                        format!(
                            "{name} {context}: public key record differs from certificate {}'s key; \
                             Android rejects it",
                            summary.sha256
                        ),
                    ));
                }
            }
            signers.add(&summary, name, s.min_sdk, s.max_sdk);
            if !s.lineage.is_empty() {
                let l: Vec<String> = s.lineage.iter().map(|c| sha256_hex(c)).collect();
                if l.last() != Some(&summary.sha256) {
                    anomalies.push(Anomaly::new(
                        "sig_lineage_mismatch",
                        format!(
                            "{name} {context}: proof-of-rotation lineage does not end with the signer's \
                             certificate {}; Android rejects it",
                            summary.sha256
                        ),
                    ));
                }
                let (short, long) = if l.len() > lineage.len() {
                    (&lineage, &l)
                } else {
                    (&l, &lineage)
                };
                if !lineage.is_empty() && !long.starts_with(short) {
                    anomalies.push(Anomaly::new(
                        "sig_lineage_inconsistent",
                        format!(
                            "{name} {context}: lineage disagrees with the one in {lineage_from}; \
                             the longer one is reported"
                        ),
                    ));
                }
                if l.len() > lineage.len() {
                    lineage = l;
                    lineage_from = name;
                }
            }
        }
    }
    for summary in &v1.signers {
        signers.add(summary, "v1", None, None);
    }

    if has(Scheme::V31) && !has(Scheme::V3) {
        anomalies.push(Anomaly::new(
            "sig_v31_without_v3",
            "v3.1 block without a v3 block: platforms before Android 13 see no v3 signature",
        ));
    }
    for &v in &v1.apk_signed {
        let missing = match v {
            2 => !has(Scheme::V2),
            3 => !has(Scheme::V3),
            _ => false,
        };
        if missing {
            anomalies.push(Anomaly::new(
                "sig_stripped_scheme",
                format!(
                    "a .SF file declares X-Android-APK-Signed: {v} but the APK has no v{v} signature; \
                     Android treats this as a stripped signature and rejects the APK"
                ),
            ));
        }
    }
    if !has(Scheme::V3) {
        let v2_promises_v3 = scheme_signers
            .iter()
            .filter(|(s, _)| *s == Scheme::V2)
            .flat_map(|(_, l)| l.iter())
            .flat_map(|s| s.attributes.iter())
            .any(|(id, value)| {
                *id == ATTR_STRIPPING_PROTECTION && value.get(..4) == Some(&[3, 0, 0, 0])
            });
        if v2_promises_v3 {
            anomalies.push(Anomaly::new(
                "sig_stripped_scheme",
                "the v2 signer's stripping-protection attribute says a v3 signature was applied, \
                 but there is no v3 block; Android 9+ rejects the APK",
            ));
        }
    }

    let mut schemes = Vec::new();
    if v1.present {
        schemes.push("v1".to_string());
    }
    for s in [Scheme::V2, Scheme::V3, Scheme::V31] {
        if has(s) {
            schemes.push(s.name().to_string());
        }
    }
    SigningReport {
        schemes,
        signers: signers.0,
        blocks,
        lineage,
        v1_apk_signed_declared: v1.apk_signed,
        v1_signature_files: v1.sf_files,
        anomalies,
    }
}

/// Recomputes the chunked content digests the v2/v3/v3.1 signers claim and
/// records each mismatch. Skipped when the archive's offsets needed
/// compensation (Android refuses such an APK anyway).
fn check_digests(
    archive: &Archive<'_>,
    block_start: usize,
    scheme_signers: &[(Scheme, Vec<SchemeSigner<'_>>)],
    anomalies: &mut Vec<Anomaly>,
) {
    if archive.prefix_len() != 0 {
        return;
    }
    let (Ok(cd), Ok(eocd)) = (
        usize::try_from(archive.central_directory_offset()),
        usize::try_from(archive.eocd_offset()),
    ) else {
        return;
    };
    let mut cache: Vec<(Chunked, Option<Vec<u8>>)> = Vec::new();
    for (scheme, list) in scheme_signers {
        for (i, s) in list.iter().enumerate() {
            for &(alg, claimed) in &s.digests {
                let Some(kind) = Chunked::for_algorithm(alg) else {
                    continue;
                };
                let actual = match cache.iter().find(|(k, _)| *k == kind) {
                    Some((_, d)) => d.clone(),
                    None => {
                        let d =
                            digest::content_digest(archive.bytes(), block_start, cd, eocd, kind);
                        cache.push((kind, d.clone()));
                        d
                    }
                };
                let Some(actual) = actual else { return };
                if actual != claimed {
                    anomalies.push(Anomaly::new(
                        "sig_content_digest_mismatch",
                        format!(
                            "{} signer #{}: the {} content digest for algorithm {alg:#06x} does not \
                             match the APK's contents (modified after signing); Android rejects it",
                            scheme.name(),
                            i + 1,
                            kind.name()
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

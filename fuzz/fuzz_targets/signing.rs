//! Fuzz the signature reader: parse as an archive, then `signing::analyse`
//! (APK Signing Block, v2/v3/v3.1 signers, PKCS#7 in META-INF) under small limits.
#![no_main]
use fingertip::archive::Archive;
use fingertip::reader::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entry_size: 1 << 20,
        max_total_inflated: 4 << 20,
        ..Limits::default()
    };
    if let Ok(archive) = Archive::parse(data, &limits) {
        let report = fingertip::signing::analyse(&archive, &limits);
        let _ = serde_json::to_string(&report);
    }
});

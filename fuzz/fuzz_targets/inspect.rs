//! Fuzz the whole inspect pipeline on an in-memory APK.
#![no_main]
use fingertip::reader::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entry_size: 1 << 20,
        max_total_inflated: 4 << 20,
        ..Limits::default()
    };
    if let Ok(report) = fingertip::inspect::inspect_bytes("fuzz.apk", data, &limits) {
        let _ = fingertip::inspect::render_text(&report);
        let _ = serde_json::to_string(&report);
    }
});

//! Fuzz the zip reader: parse, then read every entry under small limits.
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
        for entry in archive.entries() {
            let _ = archive.read(entry);
        }
        let _ = archive.read_anomalies();
    }
});

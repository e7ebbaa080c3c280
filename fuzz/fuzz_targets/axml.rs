//! Fuzz the binary XML decoder and its XML printer.
#![no_main]
use fingertip::reader::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = fingertip::axml::parse(data, &Limits::default()) {
        let _ = fingertip::axml::to_xml(&doc);
    }
});

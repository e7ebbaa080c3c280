//! Fuzz the native-library analyser: the input is one `.so` file's bytes,
//! analysed as an installable library and as a hidden one; the whole report
//! must serialize.
#![no_main]
use fingertip::native::analyse_lib;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for path in ["lib/arm64-v8a/libfuzz.so", "assets/libfuzz.so"] {
        let (lib, anomalies) = analyse_lib(path, data);
        assert_eq!(lib.size, data.len() as u64);
        for a in &anomalies {
            // goblin runs under catch_unwind; a panic there is still a bug.
            assert!(!a.detail.contains("panicked"), "{a:?}");
        }
        let _ = serde_json::to_string(&lib);
    }
});

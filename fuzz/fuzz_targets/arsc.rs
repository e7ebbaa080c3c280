//! Fuzz the resources.arsc decoder, then resolve every id it lists.
#![no_main]
use fingertip::reader::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(table) = fingertip::arsc::parse(data, &limits) {
        for id in table.ids() {
            let _ = table.resolve(id, &limits);
            let _ = table.string_by_locale(id, &limits);
            let _ = table.file_path(id);
            let _ = table.name(id);
        }
    }
});

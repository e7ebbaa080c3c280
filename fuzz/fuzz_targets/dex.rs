//! Fuzz the DEX parser, its bytecode walker and every lookup.
#![no_main]
use fingertip::reader::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dexes) = fingertip::dex::parse(data, &Limits::default()) {
        for d in &dexes {
            let c = d.counts();
            for class in d.classes() {
                for &i in &class.invokes {
                    let _ = d.method_ref(i);
                }
                for &i in &class.strings {
                    let _ = d.string(i);
                }
                let _ = fingertip::dex::descriptor_to_java(&class.descriptor);
            }
            for i in 0..c.types.min(4096) {
                let _ = d.type_name(i);
            }
            for i in 0..c.protos.min(4096) {
                let _ = d.proto(i);
            }
            for i in 0..c.fields.min(4096) {
                let _ = d.field_ref(i);
            }
        }
    }
});

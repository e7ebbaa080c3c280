//! Regenerates `src/platform/attrs.rs` and `src/platform/permissions.rs`
//! with fingertip's own decoders, from the platform's own declarations:
//! every `android:attr/*` of framework-res.apk's resources.arsc and every
//! `<permission>` of its manifest (Debian's copy is Android 10 / API 29), plus
//! `later_attrs.tsv` and `later_permissions.tsv` (API 30-36, sources in
//! `LATER_SOURCES.md`).
//!
//! Run: `cargo run --example gen_platform -- /usr/share/android-framework-res/framework-res.apk`
//! (`apt-get install android-framework-res`). `tests/platform_tables.rs`
//! checks the committed tables are what this produces.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let apk = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/usr/share/android-framework-res/framework-res.apk".into());
    let platform = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/platform");
    let g = fingertip::platform::generate::generate(
        &std::fs::read(&apk)?,
        &std::fs::read_to_string(platform.join("later_attrs.tsv"))?,
        &std::fs::read_to_string(platform.join("later_permissions.tsv"))?,
    )?;
    std::fs::write(platform.join("attrs.rs"), g.attrs_rs)?;
    std::fs::write(platform.join("permissions.rs"), g.permissions_rs)?;
    eprintln!("{}", g.summary);
    Ok(())
}

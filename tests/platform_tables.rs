//! The committed platform tables must be exactly what the generator makes
//! from Debian's framework-res.apk with our own decoders (skipped when
//! `android-framework-res` is not installed).

use std::path::Path;

const FRAMEWORK_RES: &str = "/usr/share/android-framework-res/framework-res.apk";

#[test]
fn committed_tables_match_the_generator() {
    let Ok(apk) = std::fs::read(FRAMEWORK_RES) else {
        println!("note: {FRAMEWORK_RES} absent (apt-get install android-framework-res); skipped");
        return;
    };
    let platform = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/platform");
    let read = |f: &str| std::fs::read_to_string(platform.join(f)).unwrap();
    let g = fingertip::platform::generate::generate(
        &apk,
        &read("later_attrs.tsv"),
        &read("later_permissions.tsv"),
    )
    .unwrap();
    assert_eq!(
        g.attrs_rs,
        read("attrs.rs"),
        "regenerate: cargo run --example gen_platform"
    );
    assert_eq!(
        g.permissions_rs,
        read("permissions.rs"),
        "regenerate: cargo run --example gen_platform"
    );
}

#[test]
fn well_known_levels() {
    use fingertip::platform::permission_protection as p;
    assert_eq!(p("android.permission.CAMERA"), Some("dangerous|instant"));
    assert_eq!(p("android.permission.INTERNET"), Some("normal|instant"));
    assert_eq!(
        p("android.permission.POST_NOTIFICATIONS"),
        Some("dangerous|instant")
    );
    assert_eq!(
        p("android.permission.INSTALL_PACKAGES"),
        Some("signature|privileged")
    );
    assert_eq!(p("gov.example.SOMETHING"), None);
}

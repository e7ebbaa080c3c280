//! Tables of Android platform facts, generated from the platform's own
//! resources (Debian's `framework-res.apk`, Android 10 / API 29) plus later
//! API levels from the platform documentation.

#[rustfmt::skip]
mod attrs;
pub mod generate;

pub use attrs::ANDROID_ATTRS;

/// The name of a framework attribute (`android:` namespace) by its resource
/// id, e.g. `0x01010003` → `name`. Android identifies manifest attributes by
/// id, so this is how obfuscated attribute names are recovered.
pub fn attr_name(id: u32) -> Option<&'static str> {
    ANDROID_ATTRS
        .binary_search_by_key(&id, |&(i, _)| i)
        .ok()
        .and_then(|i| ANDROID_ATTRS.get(i))
        .map(|&(_, n)| n)
}

/// The resource id of a framework attribute by name (`name` →
/// `0x01010003`): the reverse of [`attr_name`], so a lookup by name can
/// compare ids instead of strings.
pub fn attr_id(name: &str) -> Option<u32> {
    static BY_NAME: std::sync::OnceLock<std::collections::HashMap<&'static str, u32>> =
        std::sync::OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut map = std::collections::HashMap::with_capacity(ANDROID_ATTRS.len());
        // Lowest id first for a name declared twice (none are today).
        for &(id, n) in ANDROID_ATTRS {
            map.entry(n).or_insert(id);
        }
        map
    });
    by_name.get(name).copied()
}

#[cfg(test)]
mod tests {
    #[test]
    fn name_to_id_is_the_reverse() {
        assert_eq!(super::attr_id("name"), Some(0x0101_0003));
        assert_eq!(super::attr_id("exported"), Some(0x0101_0010));
        assert_eq!(super::attr_id("no_such_attribute"), None);
        for &(id, name) in super::ANDROID_ATTRS {
            assert_eq!(super::attr_name(super::attr_id(name).unwrap()), Some(name));
            let _ = id;
        }
    }

    #[test]
    fn well_known_ids() {
        assert_eq!(super::attr_name(0x0101_0003), Some("name"));
        assert_eq!(super::attr_name(0x0101_0001), Some("label"));
        assert_eq!(super::attr_name(0x0101_0010), Some("exported"));
        assert_eq!(super::attr_name(0x7f01_0000), None);
    }
}

#[rustfmt::skip]
mod permissions;

pub use permissions::PLATFORM_PERMISSIONS;

/// Protection level of a platform permission (`dangerous`, `normal`,
/// `signature|privileged`, ...), from the platform's own declarations.
pub fn permission_protection(name: &str) -> Option<&'static str> {
    PLATFORM_PERMISSIONS
        .binary_search_by_key(&name, |&(n, _)| n)
        .ok()
        .and_then(|i| PLATFORM_PERMISSIONS.get(i))
        .map(|&(_, level)| level)
}

/// `PermissionInfo` protection flags and their names, in the order
/// `PermissionInfo.protectionToString` prints them.
const PROTECTION_FLAGS: &[(u32, &str)] = &[
    (0x10, "privileged"),
    (0x20, "development"),
    (0x40, "appop"),
    (0x80, "pre23"),
    (0x100, "installer"),
    (0x200, "verifier"),
    (0x400, "preinstalled"),
    (0x800, "setup"),
    (0x1000, "instant"),
    (0x2000, "runtime"),
    (0x4000, "oem"),
    (0x8000, "vendorPrivileged"),
    (0x10000, "textClassifier"),
    (0x20000, "wellbeing"),
    (0x40000, "documenter"),
    (0x80000, "configurator"),
    (0x100000, "incidentReportApprover"),
    (0x200000, "appPredictor"),
    (0x400000, "module"),
    (0x800000, "companion"),
    (0x1000000, "retailDemo"),
    (0x2000000, "recents"),
    (0x4000000, "role"),
    (0x8000000, "knownSigner"),
];

/// Renders an `android:protectionLevel` integer like
/// `PermissionInfo.protectionToString`: base level, then `|flag`s.
pub fn protection_level_name(level: u32) -> String {
    let base = match level & 0xf {
        0 => "normal",
        1 => "dangerous",
        2 => "signature",
        3 => "signatureOrSystem",
        4 => "internal",
        _ => "unknown",
    };
    let mut out = base.to_string();
    for &(bit, name) in PROTECTION_FLAGS {
        if level & bit != 0 {
            out.push('|');
            out.push_str(name);
        }
    }
    out
}

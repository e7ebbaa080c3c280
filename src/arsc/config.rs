//! `ResTable_config` (AOSP `ResourceTypes.h`): the qualifiers a
//! `ResTable_type` chunk is designed for, decoded from however many bytes the
//! file declares (old tables carry 28/32/36/48/52/56-byte configs, current
//! ones 64; missing fields read as 0 = "any", exactly as Android's
//! `copyFromDtoH` zero-fills them).
//!
//! Also here: the aapt qualifier string (`ResTable_config::toString`,
//! e.g. `mcc310-mnc800-zh-rTW-land-hdpi-v21`), the BCP-47 locale
//! (`getBcp47Locale`, e.g. `zh-TW`, `sr-Latn`) and a port of Android's
//! config selection (`match`, `isBetterThan`, `isMoreSpecificThan`) used by
//! [`super::ResourceTable::resolve`].
//!
//! Deliberate simplification: Android consults CLDR likely-subtags data when
//! matching locales (to compute scripts and compare regions); fingertip does
//! not carry that data and matches locales component by component instead
//! (language must be equal; region, script and variant must be equal or
//! absent in the resource; more matching components wins).

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// `DENSITY_MEDIUM` (160 dpi), the density Android assumes when none is given.
pub const DENSITY_MEDIUM: u16 = 160;
/// `DENSITY_ANY` (`anydpi`).
pub const DENSITY_ANY: u16 = 0xfffe;
/// `DENSITY_NONE` (`nodpi`).
pub const DENSITY_NONE: u16 = 0xffff;

const MASK_LAYOUTDIR: u8 = 0xc0;
const MASK_SCREENSIZE: u8 = 0x0f;
const MASK_SCREENLONG: u8 = 0x30;
const MASK_SCREENROUND: u8 = 0x03;
const MASK_WIDE_COLOR_GAMUT: u8 = 0x03;
const MASK_HDR: u8 = 0x0c;
const MASK_UI_MODE_TYPE: u8 = 0x0f;
const MASK_UI_MODE_NIGHT: u8 = 0x30;
const MASK_KEYSHIDDEN: u8 = 0x03;
const MASK_NAVHIDDEN: u8 = 0x0c;
const KEYSHIDDEN_NO: u8 = 1;
const KEYSHIDDEN_SOFT: u8 = 3;
const MASK_GRAMMATICAL_GENDER: u8 = 0x03;

/// Size of the current `ResTable_config`; bytes beyond it are ignored.
pub const CONFIG_KNOWN_SIZE: usize = 64;

/// One decoded `ResTable_config`.
///
/// Field names follow `ResourceTypes.h`. `locale` is the BCP-47 form
/// (`""` for the default config, `"zh-CN"`, `"sr-Latn"`, `"fil-PH"`); the
/// aapt directory form (`zh-rCN`, `b+sr+Latn`) is part of
/// [`Config::qualifiers`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Config {
    /// BCP-47 locale (`getBcp47Locale`), `""` when the config has none.
    pub locale: String,
    /// The `size` field as declared in the file.
    pub declared_size: u32,
    /// Mobile country code, 0 = any.
    pub mcc: u16,
    /// Mobile network code, 0 = any.
    pub mnc: u16,
    /// Raw `language[2]` (two ASCII letters or the packed 3-letter form).
    pub language: [u8; 2],
    /// Raw `country[2]` (two ASCII letters or a packed UN M.49 code).
    pub country: [u8; 2],
    /// `ORIENTATION_*` (1 port, 2 land, 3 square).
    pub orientation: u8,
    /// `TOUCHSCREEN_*`.
    pub touchscreen: u8,
    /// Density in dpi; 0 = default, 0xfffe = anydpi, 0xffff = nodpi.
    pub density: u16,
    /// `KEYBOARD_*`.
    pub keyboard: u8,
    /// `NAVIGATION_*`.
    pub navigation: u8,
    /// `inputFlags` (keys hidden / nav hidden).
    pub input_flags: u8,
    /// `grammaticalInflection` (Android 14+).
    pub grammatical_inflection: u8,
    /// `screenWidth` in pixels (legacy `WxH` qualifier).
    pub screen_width: u16,
    /// `screenHeight` in pixels.
    pub screen_height: u16,
    /// Minimum SDK level (`-vNN`), 0 = any.
    pub sdk_version: u16,
    /// `minorVersion` (always 0 in practice).
    pub minor_version: u16,
    /// `screenLayout` (size, long, layout direction).
    pub screen_layout: u8,
    /// `uiMode` (type and night).
    pub ui_mode: u8,
    /// `smallestScreenWidthDp` (`swNNNdp`).
    pub smallest_screen_width_dp: u16,
    /// `screenWidthDp` (`wNNNdp`).
    pub screen_width_dp: u16,
    /// `screenHeightDp` (`hNNNdp`).
    pub screen_height_dp: u16,
    /// `localeScript[4]` (e.g. `Latn`).
    pub locale_script: [u8; 4],
    /// `localeVariant[8]`.
    pub locale_variant: [u8; 8],
    /// `screenLayout2` (round).
    pub screen_layout2: u8,
    /// `colorMode` (wide colour gamut, HDR).
    pub color_mode: u8,
    /// `localeScriptWasComputed`.
    pub locale_script_was_computed: bool,
    /// `localeNumberingSystem[8]`.
    pub locale_numbering_system: [u8; 8],
}

fn u16_le(b: &[u8; CONFIG_KNOWN_SIZE], at: usize) -> u16 {
    let lo = b.get(at).copied().unwrap_or(0);
    let hi = b.get(at + 1).copied().unwrap_or(0);
    u16::from_le_bytes([lo, hi])
}

fn byte(b: &[u8; CONFIG_KNOWN_SIZE], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

fn arr<const N: usize>(b: &[u8; CONFIG_KNOWN_SIZE], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = byte(b, at + i);
    }
    out
}

impl Config {
    /// Decodes a config from the bytes present (the caller has already cut
    /// them to the declared size); missing fields are 0 ("any"). Bytes
    /// beyond the 64 known ones are ignored.
    pub fn from_bytes(present: &[u8]) -> Config {
        let mut b = [0u8; CONFIG_KNOWN_SIZE];
        for (dst, src) in b.iter_mut().zip(present.iter()) {
            *dst = *src;
        }
        let declared_size = u32::from_le_bytes(arr::<4>(&b, 0));
        let mut c = Config {
            locale: String::new(),
            declared_size,
            mcc: u16_le(&b, 4),
            mnc: u16_le(&b, 6),
            language: arr(&b, 8),
            country: arr(&b, 10),
            orientation: byte(&b, 12),
            touchscreen: byte(&b, 13),
            density: u16_le(&b, 14),
            keyboard: byte(&b, 16),
            navigation: byte(&b, 17),
            input_flags: byte(&b, 18),
            grammatical_inflection: byte(&b, 19),
            screen_width: u16_le(&b, 20),
            screen_height: u16_le(&b, 22),
            sdk_version: u16_le(&b, 24),
            minor_version: u16_le(&b, 26),
            screen_layout: byte(&b, 28),
            ui_mode: byte(&b, 29),
            smallest_screen_width_dp: u16_le(&b, 30),
            screen_width_dp: u16_le(&b, 32),
            screen_height_dp: u16_le(&b, 34),
            locale_script: arr(&b, 36),
            locale_variant: arr(&b, 40),
            screen_layout2: byte(&b, 48),
            color_mode: byte(&b, 49),
            locale_script_was_computed: byte(&b, 52) != 0,
            locale_numbering_system: arr(&b, 53),
        };
        c.locale = c.bcp47();
        c
    }

    /// A config with only a locale set, parsed from BCP-47 (`"zh-CN"`,
    /// `"sr-Latn"`, `"fil"`); `""` gives the default config. Used to
    /// request a locale in resolution.
    pub fn for_locale(tag: &str) -> Config {
        let mut c = Config::default();
        for part in tag.split(['-', '_']).filter(|p| !p.is_empty()) {
            let bytes = part.as_bytes();
            match bytes.len() {
                2 | 3 if c.language[0] == 0 => {
                    c.language = pack(&part.to_ascii_lowercase(), b'a');
                }
                2 | 3 => c.country = pack(&part.to_ascii_uppercase(), b'0'),
                4 if !bytes.first().is_some_and(u8::is_ascii_digit) => {
                    for (i, ch) in bytes.iter().enumerate() {
                        if let Some(dst) = c.locale_script.get_mut(i) {
                            *dst = if i == 0 {
                                ch.to_ascii_uppercase()
                            } else {
                                ch.to_ascii_lowercase()
                            };
                        }
                    }
                }
                4..=8 => {
                    for (dst, ch) in c.locale_variant.iter_mut().zip(bytes) {
                        *dst = ch.to_ascii_lowercase();
                    }
                }
                _ => {}
            }
        }
        c.locale = c.bcp47();
        c
    }

    /// True for the default ("any") configuration: every qualifier unset.
    pub fn is_default(&self) -> bool {
        self.qualifiers().is_empty()
    }

    /// True when a locale (language or region) is set.
    pub fn has_locale(&self) -> bool {
        self.language[0] != 0 || self.country[0] != 0
    }

    /// The BCP-47 locale (`""` for none), like `getBcp47Locale`.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    fn script_provided(&self) -> bool {
        self.locale_script[0] != 0 && !self.locale_script_was_computed
    }

    fn bcp47(&self) -> String {
        if self.language[0] == 0 && self.country[0] == 0 {
            return String::new();
        }
        let mut parts: Vec<String> = Vec::new();
        if self.language[0] != 0 {
            parts.push(unpack(self.language, b'a'));
        }
        if self.script_provided() {
            parts.push(ascii(&self.locale_script));
        }
        if self.country[0] != 0 {
            parts.push(unpack(self.country, b'0'));
        }
        if self.locale_variant[0] != 0 {
            parts.push(ascii(&self.locale_variant));
        }
        if self.locale_numbering_system[0] != 0 {
            parts.push(format!("u-nu-{}", ascii(&self.locale_numbering_system)));
        }
        parts.join("-")
    }

    /// The locale in aapt's directory form (`appendDirLocale`): `zh-rCN`,
    /// or `b+sr+Latn` when a script, variant or numbering system is present.
    pub fn dir_locale(&self) -> String {
        if self.language[0] == 0 {
            return String::new();
        }
        let lang = unpack(self.language, b'a');
        let script = self.script_provided();
        if !script && self.locale_variant[0] == 0 && self.locale_numbering_system[0] == 0 {
            if self.country[0] != 0 {
                return format!("{lang}-r{}", unpack(self.country, b'0'));
            }
            return lang;
        }
        let mut out = format!("b+{lang}");
        if script {
            out.push('+');
            out.push_str(&ascii(&self.locale_script));
        }
        if self.country[0] != 0 {
            out.push('+');
            out.push_str(&unpack(self.country, b'0'));
        }
        if self.locale_variant[0] != 0 {
            out.push('+');
            out.push_str(&ascii(&self.locale_variant));
        }
        if self.locale_numbering_system[0] != 0 {
            out.push_str("+u+nu+");
            out.push_str(&ascii(&self.locale_numbering_system));
        }
        out
    }

    /// The aapt qualifier string (`ResTable_config::toString`), e.g.
    /// `zh-rCN-hdpi-v21`, `b+sr+Latn`, `land`; `""` for the default config.
    pub fn qualifiers(&self) -> String {
        let mut q: Vec<String> = Vec::new();
        if self.mcc != 0 {
            q.push(format!("mcc{}", self.mcc));
        }
        if self.mnc != 0 {
            q.push(format!("mnc{}", self.mnc));
        }
        let loc = self.dir_locale();
        if !loc.is_empty() {
            q.push(loc);
        }
        match self.grammatical_inflection & MASK_GRAMMATICAL_GENDER {
            0 => {}
            1 => q.push("neuter".into()),
            2 => q.push("feminine".into()),
            _ => q.push("masculine".into()),
        }
        match self.screen_layout & MASK_LAYOUTDIR {
            0 => {}
            0x40 => q.push("ldltr".into()),
            0x80 => q.push("ldrtl".into()),
            other => q.push(format!("layoutDir={other}")),
        }
        if self.smallest_screen_width_dp != 0 {
            q.push(format!("sw{}dp", self.smallest_screen_width_dp));
        }
        if self.screen_width_dp != 0 {
            q.push(format!("w{}dp", self.screen_width_dp));
        }
        if self.screen_height_dp != 0 {
            q.push(format!("h{}dp", self.screen_height_dp));
        }
        match self.screen_layout & MASK_SCREENSIZE {
            0 => {}
            1 => q.push("small".into()),
            2 => q.push("normal".into()),
            3 => q.push("large".into()),
            4 => q.push("xlarge".into()),
            other => q.push(format!("screenLayoutSize={other}")),
        }
        match self.screen_layout & MASK_SCREENLONG {
            0 => {}
            0x10 => q.push("notlong".into()),
            0x20 => q.push("long".into()),
            other => q.push(format!("screenLayoutLong={other}")),
        }
        match self.screen_layout2 & MASK_SCREENROUND {
            0 => {}
            1 => q.push("notround".into()),
            2 => q.push("round".into()),
            other => q.push(format!("screenRound={other}")),
        }
        match self.color_mode & MASK_WIDE_COLOR_GAMUT {
            0 => {}
            1 => q.push("nowidecg".into()),
            2 => q.push("widecg".into()),
            other => q.push(format!("wideColorGamut={other}")),
        }
        match self.color_mode & MASK_HDR {
            0 => {}
            0x04 => q.push("lowdr".into()),
            0x08 => q.push("highdr".into()),
            other => q.push(format!("hdr={other}")),
        }
        match self.orientation {
            0 => {}
            1 => q.push("port".into()),
            2 => q.push("land".into()),
            3 => q.push("square".into()),
            other => q.push(format!("orientation={other}")),
        }
        match self.ui_mode & MASK_UI_MODE_TYPE {
            0 | 1 => {}
            2 => q.push("desk".into()),
            3 => q.push("car".into()),
            4 => q.push("television".into()),
            5 => q.push("appliance".into()),
            6 => q.push("watch".into()),
            7 => q.push("vrheadset".into()),
            other => q.push(format!("uiModeType={other}")),
        }
        match self.ui_mode & MASK_UI_MODE_NIGHT {
            0 => {}
            0x10 => q.push("notnight".into()),
            0x20 => q.push("night".into()),
            other => q.push(format!("uiModeNight={other}")),
        }
        if self.density != 0 {
            q.push(density_name(self.density));
        }
        match self.touchscreen {
            0 => {}
            1 => q.push("notouch".into()),
            2 => q.push("stylus".into()),
            3 => q.push("finger".into()),
            other => q.push(format!("touchscreen={other}")),
        }
        match self.input_flags & MASK_KEYSHIDDEN {
            1 => q.push("keysexposed".into()),
            2 => q.push("keyshidden".into()),
            3 => q.push("keyssoft".into()),
            _ => {}
        }
        match self.keyboard {
            0 => {}
            1 => q.push("nokeys".into()),
            2 => q.push("qwerty".into()),
            3 => q.push("12key".into()),
            other => q.push(format!("keyboard={other}")),
        }
        match self.input_flags & MASK_NAVHIDDEN {
            0 => {}
            0x04 => q.push("navexposed".into()),
            0x08 => q.push("navhidden".into()),
            other => q.push(format!("inputFlagsNavHidden={other}")),
        }
        match self.navigation {
            0 => {}
            1 => q.push("nonav".into()),
            2 => q.push("dpad".into()),
            3 => q.push("trackball".into()),
            4 => q.push("wheel".into()),
            other => q.push(format!("navigation={other}")),
        }
        if self.screen_width != 0 || self.screen_height != 0 {
            q.push(format!("{}x{}", self.screen_width, self.screen_height));
        }
        if self.sdk_version != 0 || self.minor_version != 0 {
            let mut v = format!("v{}", self.sdk_version);
            if self.minor_version != 0 {
                v.push_str(&format!(".{}", self.minor_version));
            }
            q.push(v);
        }
        q.join("-")
    }

    fn imsi(&self) -> bool {
        self.mcc != 0 || self.mnc != 0
    }

    fn locale_set(&self) -> bool {
        self.language != [0, 0] || self.country != [0, 0]
    }

    fn screen_type(&self) -> bool {
        self.orientation != 0 || self.touchscreen != 0 || self.density != 0
    }

    fn input(&self) -> bool {
        self.keyboard != 0 || self.navigation != 0 || self.input_flags != 0
    }

    fn screen_size(&self) -> bool {
        self.screen_width != 0 || self.screen_height != 0
    }

    fn screen_size_dp(&self) -> bool {
        self.screen_width_dp != 0 || self.screen_height_dp != 0
    }

    fn version(&self) -> bool {
        self.sdk_version != 0 || self.minor_version != 0
    }

    fn screen_config(&self) -> bool {
        self.screen_layout != 0 || self.ui_mode != 0 || self.smallest_screen_width_dp != 0
    }

    /// Android's `ResTable_config::match`: can this resource config be used
    /// on a device described by `req`?
    ///
    /// One deliberate deviation: a request with `sdk_version == 0` stands
    /// for "a device of any API level" and accepts every `-vNN` config
    /// (Android would reject them), so resources defined only under, say,
    /// `values-v21` still resolve.
    pub fn matches(&self, req: &Config) -> bool {
        if self.imsi() {
            if self.mcc != 0 && self.mcc != req.mcc {
                return false;
            }
            if self.mnc != 0 && self.mnc != req.mnc {
                return false;
            }
        }
        if self.locale_set() {
            // Simplified locale rule (no CLDR data), see the module docs.
            if self.language != req.language {
                return false;
            }
            if self.country[0] != 0 && self.country != req.country {
                return false;
            }
            if self.script_provided() && self.locale_script != req.locale_script {
                return false;
            }
            if self.locale_variant[0] != 0 && self.locale_variant != req.locale_variant {
                return false;
            }
        }
        let gender = self.grammatical_inflection & MASK_GRAMMATICAL_GENDER;
        if gender != 0 && gender != req.grammatical_inflection & MASK_GRAMMATICAL_GENDER {
            return false;
        }
        if self.screen_config() {
            let dir = self.screen_layout & MASK_LAYOUTDIR;
            if dir != 0 && dir != req.screen_layout & MASK_LAYOUTDIR {
                return false;
            }
            let size = self.screen_layout & MASK_SCREENSIZE;
            if size != 0 && size > req.screen_layout & MASK_SCREENSIZE {
                return false;
            }
            let long = self.screen_layout & MASK_SCREENLONG;
            if long != 0 && long != req.screen_layout & MASK_SCREENLONG {
                return false;
            }
            let ui_type = self.ui_mode & MASK_UI_MODE_TYPE;
            if ui_type != 0 && ui_type != req.ui_mode & MASK_UI_MODE_TYPE {
                return false;
            }
            let night = self.ui_mode & MASK_UI_MODE_NIGHT;
            if night != 0 && night != req.ui_mode & MASK_UI_MODE_NIGHT {
                return false;
            }
            if self.smallest_screen_width_dp != 0
                && self.smallest_screen_width_dp > req.smallest_screen_width_dp
            {
                return false;
            }
        }
        let round = self.screen_layout2 & MASK_SCREENROUND;
        if round != 0 && round != req.screen_layout2 & MASK_SCREENROUND {
            return false;
        }
        let gamut = self.color_mode & MASK_WIDE_COLOR_GAMUT;
        if gamut != 0 && gamut != req.color_mode & MASK_WIDE_COLOR_GAMUT {
            return false;
        }
        let hdr = self.color_mode & MASK_HDR;
        if hdr != 0 && hdr != req.color_mode & MASK_HDR {
            return false;
        }
        if self.screen_size_dp() {
            if self.screen_width_dp != 0 && self.screen_width_dp > req.screen_width_dp {
                return false;
            }
            if self.screen_height_dp != 0 && self.screen_height_dp > req.screen_height_dp {
                return false;
            }
        }
        if self.screen_type() {
            if self.orientation != 0 && self.orientation != req.orientation {
                return false;
            }
            // Density always matches: the system scales.
            if self.touchscreen != 0 && self.touchscreen != req.touchscreen {
                return false;
            }
        }
        if self.input() {
            let keys = self.input_flags & MASK_KEYSHIDDEN;
            let req_keys = req.input_flags & MASK_KEYSHIDDEN;
            if keys != 0
                && keys != req_keys
                && (keys != KEYSHIDDEN_NO || req_keys != KEYSHIDDEN_SOFT)
            {
                return false;
            }
            let nav = self.input_flags & MASK_NAVHIDDEN;
            if nav != 0 && nav != req.input_flags & MASK_NAVHIDDEN {
                return false;
            }
            if self.keyboard != 0 && self.keyboard != req.keyboard {
                return false;
            }
            if self.navigation != 0 && self.navigation != req.navigation {
                return false;
            }
        }
        if self.screen_size() {
            if self.screen_width != 0 && self.screen_width > req.screen_width {
                return false;
            }
            if self.screen_height != 0 && self.screen_height > req.screen_height {
                return false;
            }
        }
        if self.version() && req.sdk_version != 0 {
            if self.sdk_version != 0 && self.sdk_version > req.sdk_version {
                return false;
            }
            if self.minor_version != 0 && self.minor_version != req.minor_version {
                return false;
            }
        }
        true
    }

    /// Simplified `isLocaleBetterThan` (component by component).
    fn is_locale_better_than(&self, o: &Config, req: &Config) -> bool {
        if !req.locale_set() {
            return false;
        }
        if !self.locale_set() && !o.locale_set() {
            return false;
        }
        if self.language != o.language {
            return self.language[0] != 0;
        }
        if self.country != o.country {
            return self.country[0] != 0 && self.country == req.country;
        }
        if self.locale_script != o.locale_script {
            return self.script_provided() && self.locale_script == req.locale_script;
        }
        if self.locale_variant != o.locale_variant {
            return self.locale_variant[0] != 0 && self.locale_variant == req.locale_variant;
        }
        false
    }

    /// Android's `ResTable_config::isBetterThan` with a request: assuming
    /// both `self` and `o` match `req`, is `self` the better choice?
    pub fn is_better_than(&self, o: &Config, req: &Config) -> bool {
        if self.imsi() || o.imsi() {
            if self.mcc != o.mcc && req.mcc != 0 {
                return self.mcc != 0;
            }
            if self.mnc != o.mnc && req.mnc != 0 {
                return self.mnc != 0;
            }
        }
        if self.is_locale_better_than(o, req) {
            return true;
        }
        if o.is_locale_better_than(self, req) {
            return false;
        }
        if (self.screen_layout != 0 || o.screen_layout != 0)
            && (self.screen_layout ^ o.screen_layout) & MASK_LAYOUTDIR != 0
            && req.screen_layout & MASK_LAYOUTDIR != 0
        {
            return self.screen_layout & MASK_LAYOUTDIR > o.screen_layout & MASK_LAYOUTDIR;
        }
        if self.smallest_screen_width_dp != o.smallest_screen_width_dp {
            return self.smallest_screen_width_dp > o.smallest_screen_width_dp;
        }
        if self.screen_size_dp() || o.screen_size_dp() {
            let mut mine = 0i32;
            let mut other = 0i32;
            if req.screen_width_dp != 0 {
                mine += i32::from(req.screen_width_dp) - i32::from(self.screen_width_dp);
                other += i32::from(req.screen_width_dp) - i32::from(o.screen_width_dp);
            }
            if req.screen_height_dp != 0 {
                mine += i32::from(req.screen_height_dp) - i32::from(self.screen_height_dp);
                other += i32::from(req.screen_height_dp) - i32::from(o.screen_height_dp);
            }
            if mine != other {
                return mine < other;
            }
        }
        if self.screen_layout != 0 || o.screen_layout != 0 {
            if (self.screen_layout ^ o.screen_layout) & MASK_SCREENSIZE != 0
                && req.screen_layout & MASK_SCREENSIZE != 0
            {
                let my = self.screen_layout & MASK_SCREENSIZE;
                let other = o.screen_layout & MASK_SCREENSIZE;
                let (mut fixed_my, mut fixed_other) = (my, other);
                if req.screen_layout & MASK_SCREENSIZE >= 2 {
                    if fixed_my == 0 {
                        fixed_my = 2;
                    }
                    if fixed_other == 0 {
                        fixed_other = 2;
                    }
                }
                if fixed_my == fixed_other {
                    return my != 0;
                }
                return fixed_my > fixed_other;
            }
            if (self.screen_layout ^ o.screen_layout) & MASK_SCREENLONG != 0
                && req.screen_layout & MASK_SCREENLONG != 0
            {
                return self.screen_layout & MASK_SCREENLONG != 0;
            }
        }
        if (self.screen_layout2 ^ o.screen_layout2) & MASK_SCREENROUND != 0
            && req.screen_layout2 & MASK_SCREENROUND != 0
        {
            return self.screen_layout2 & MASK_SCREENROUND != 0;
        }
        if self.orientation != o.orientation && req.orientation != 0 {
            return self.orientation != 0;
        }
        if self.ui_mode != 0 || o.ui_mode != 0 {
            if (self.ui_mode ^ o.ui_mode) & MASK_UI_MODE_TYPE != 0
                && req.ui_mode & MASK_UI_MODE_TYPE != 0
            {
                return self.ui_mode & MASK_UI_MODE_TYPE != 0;
            }
            if (self.ui_mode ^ o.ui_mode) & MASK_UI_MODE_NIGHT != 0
                && req.ui_mode & MASK_UI_MODE_NIGHT != 0
            {
                return self.ui_mode & MASK_UI_MODE_NIGHT != 0;
            }
        }
        if self.screen_type() || o.screen_type() {
            if self.density != o.density {
                return density_better(self.density, o.density, req.density);
            }
            if self.touchscreen != o.touchscreen && req.touchscreen != 0 {
                return self.touchscreen != 0;
            }
        }
        if self.input() || o.input() {
            let keys = self.input_flags & MASK_KEYSHIDDEN;
            let o_keys = o.input_flags & MASK_KEYSHIDDEN;
            let req_keys = req.input_flags & MASK_KEYSHIDDEN;
            if keys != o_keys && req_keys != 0 {
                if keys == 0 {
                    return false;
                }
                if o_keys == 0 {
                    return true;
                }
                if req_keys == keys {
                    return true;
                }
                if req_keys == o_keys {
                    return false;
                }
            }
            let nav = self.input_flags & MASK_NAVHIDDEN;
            let o_nav = o.input_flags & MASK_NAVHIDDEN;
            if nav != o_nav && req.input_flags & MASK_NAVHIDDEN != 0 {
                if nav == 0 {
                    return false;
                }
                if o_nav == 0 {
                    return true;
                }
            }
            if self.keyboard != o.keyboard && req.keyboard != 0 {
                return self.keyboard != 0;
            }
            if self.navigation != o.navigation && req.navigation != 0 {
                return self.navigation != 0;
            }
        }
        if self.screen_size() || o.screen_size() {
            let mut mine = 0i32;
            let mut other = 0i32;
            if req.screen_width != 0 {
                mine += i32::from(req.screen_width) - i32::from(self.screen_width);
                other += i32::from(req.screen_width) - i32::from(o.screen_width);
            }
            if req.screen_height != 0 {
                mine += i32::from(req.screen_height) - i32::from(self.screen_height);
                other += i32::from(req.screen_height) - i32::from(o.screen_height);
            }
            if mine != other {
                return mine < other;
            }
        }
        if self.version() || o.version() {
            if self.sdk_version != o.sdk_version && req.sdk_version != 0 {
                return self.sdk_version > o.sdk_version;
            }
            if self.minor_version != o.minor_version && req.minor_version != 0 {
                return self.minor_version != 0;
            }
        }
        false
    }

    /// Android's `isMoreSpecificThan` (no request): used to break ties
    /// toward the less specific config and to pick a fallback when nothing
    /// matches.
    pub fn is_more_specific_than(&self, o: &Config) -> bool {
        fn cmp<T: PartialEq + Default>(a: T, b: T) -> Option<bool> {
            if a == b {
                None
            } else if a == T::default() {
                Some(false)
            } else if b == T::default() {
                Some(true)
            } else {
                None
            }
        }
        let checks = [
            cmp(self.mcc, o.mcc),
            cmp(self.mnc, o.mnc),
            cmp(self.language, o.language),
            cmp(self.country, o.country),
            cmp(self.locale_script, o.locale_script),
            cmp(self.locale_variant, o.locale_variant),
            cmp(
                self.screen_layout & MASK_LAYOUTDIR,
                o.screen_layout & MASK_LAYOUTDIR,
            ),
            cmp(self.smallest_screen_width_dp, o.smallest_screen_width_dp),
            cmp(self.screen_width_dp, o.screen_width_dp),
            cmp(self.screen_height_dp, o.screen_height_dp),
            cmp(
                self.screen_layout & MASK_SCREENSIZE,
                o.screen_layout & MASK_SCREENSIZE,
            ),
            cmp(
                self.screen_layout & MASK_SCREENLONG,
                o.screen_layout & MASK_SCREENLONG,
            ),
            cmp(
                self.screen_layout2 & MASK_SCREENROUND,
                o.screen_layout2 & MASK_SCREENROUND,
            ),
            cmp(self.orientation, o.orientation),
            cmp(
                self.ui_mode & MASK_UI_MODE_TYPE,
                o.ui_mode & MASK_UI_MODE_TYPE,
            ),
            cmp(
                self.ui_mode & MASK_UI_MODE_NIGHT,
                o.ui_mode & MASK_UI_MODE_NIGHT,
            ),
            cmp(self.touchscreen, o.touchscreen),
            cmp(
                self.input_flags & MASK_KEYSHIDDEN,
                o.input_flags & MASK_KEYSHIDDEN,
            ),
            cmp(
                self.input_flags & MASK_NAVHIDDEN,
                o.input_flags & MASK_NAVHIDDEN,
            ),
            cmp(self.keyboard, o.keyboard),
            cmp(self.navigation, o.navigation),
            cmp(self.screen_width, o.screen_width),
            cmp(self.screen_height, o.screen_height),
            cmp(self.sdk_version, o.sdk_version),
            cmp(self.minor_version, o.minor_version),
        ];
        checks.into_iter().flatten().next().unwrap_or(false)
    }
}

/// The density part of `isBetterThan`: `anydpi` beats any bucket; otherwise
/// the bucket closest to the request, scaling down preferred over scaling up.
fn density_better(mine: u16, other: u16, requested: u16) -> bool {
    let this_d = if mine == 0 { DENSITY_MEDIUM } else { mine };
    let other_d = if other == 0 { DENSITY_MEDIUM } else { other };
    if this_d == DENSITY_ANY {
        return true;
    }
    if other_d == DENSITY_ANY {
        return false;
    }
    let req = if requested == 0 || requested == DENSITY_ANY {
        i64::from(DENSITY_MEDIUM)
    } else {
        i64::from(requested)
    };
    let (mut h, mut l) = (i64::from(this_d), i64::from(other_d));
    let mut i_am_bigger = true;
    if l > h {
        std::mem::swap(&mut h, &mut l);
        i_am_bigger = false;
    }
    if req >= h {
        return i_am_bigger;
    }
    if l >= req {
        return !i_am_bigger;
    }
    if (2 * l - req) * h > req * req {
        !i_am_bigger
    } else {
        i_am_bigger
    }
}

/// aapt's name for a density (`ldpi`, `mdpi`, ..., `nodpi`, `anydpi`, `NNNdpi`).
pub fn density_name(d: u16) -> String {
    match d {
        120 => "ldpi".into(),
        160 => "mdpi".into(),
        213 => "tvdpi".into(),
        240 => "hdpi".into(),
        320 => "xhdpi".into(),
        480 => "xxhdpi".into(),
        640 => "xxxhdpi".into(),
        DENSITY_NONE => "nodpi".into(),
        DENSITY_ANY => "anydpi".into(),
        other => format!("{other}dpi"),
    }
}

/// `unpackLanguageOrRegion`: two ASCII letters, or three 5-bit letters
/// packed into 15 bits (high bit set) offset from `base` ('a' or '0').
fn unpack(v: [u8; 2], base: u8) -> String {
    let [b0, b1] = v;
    if b0 & 0x80 != 0 {
        let first = b1 & 0x1f;
        let second = ((b1 & 0xe0) >> 5) + ((b0 & 0x03) << 3);
        let third = (b0 & 0x7c) >> 2;
        return [first, second, third]
            .iter()
            .map(|c| printable(base.wrapping_add(*c)))
            .collect();
    }
    if b0 == 0 {
        return String::new();
    }
    [b0, b1]
        .iter()
        .filter(|c| **c != 0)
        .map(|c| printable(*c))
        .collect()
}

/// `packLanguageOrRegion`, the inverse of [`unpack`].
fn pack(s: &str, base: u8) -> [u8; 2] {
    let b = s.as_bytes();
    match b {
        [a, c] => [*a, *c],
        [a, c, d] => {
            let first = a.wrapping_sub(base) & 0x7f;
            let second = c.wrapping_sub(base) & 0x7f;
            let third = d.wrapping_sub(base) & 0x7f;
            [0x80 | (third << 2) | (second >> 3), (second << 5) | first]
        }
        _ => [0, 0],
    }
}

fn printable(c: u8) -> char {
    if c.is_ascii_graphic() {
        char::from(c)
    } else {
        '?'
    }
}

/// A NUL-terminated ASCII field (script, variant, numbering system).
fn ascii(b: &[u8]) -> String {
    b.iter()
        .take_while(|c| **c != 0)
        .map(|c| printable(*c))
        .collect()
}

impl Serialize for Config {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Config", 4)?;
        st.serialize_field("qualifiers", &self.qualifiers())?;
        st.serialize_field("locale", &self.locale)?;
        st.serialize_field("density", &self.density)?;
        st.serialize_field("sdk_version", &self.sdk_version)?;
        st.end()
    }
}

impl std::fmt::Display for Config {
    /// The aapt qualifier string, or `(default)` for the default config.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let q = self.qualifiers();
        if q.is_empty() {
            f.write_str("(default)")
        } else {
            f.write_str(&q)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(f: impl FnOnce(&mut Config)) -> Config {
        let mut c = Config::default();
        f(&mut c);
        c.locale = c.bcp47();
        c
    }

    #[test]
    fn qualifier_strings_follow_aapt() {
        assert_eq!(Config::default().qualifiers(), "");
        let zh = cfg(|c| {
            c.language = *b"zh";
            c.country = *b"CN";
            c.density = 240;
            c.sdk_version = 21;
        });
        assert_eq!(zh.qualifiers(), "zh-rCN-hdpi-v21");
        assert_eq!(zh.locale(), "zh-CN");
        let sr = cfg(|c| {
            c.language = *b"sr";
            c.locale_script = *b"Latn";
        });
        assert_eq!(sr.qualifiers(), "b+sr+Latn");
        assert_eq!(sr.locale(), "sr-Latn");
        let land = cfg(|c| {
            c.orientation = 2;
            c.mcc = 310;
            c.mnc = 4;
        });
        assert_eq!(land.qualifiers(), "mcc310-mnc4-land");
        let watch = cfg(|c| {
            c.screen_width_dp = 210;
            c.screen_layout2 = 2;
            c.ui_mode = 6;
        });
        assert_eq!(watch.qualifiers(), "w210dp-round-watch");
        let odd = cfg(|c| c.density = 0xfffe);
        assert_eq!(odd.qualifiers(), "anydpi");
    }

    #[test]
    fn packed_three_letter_codes_round_trip() {
        let packed = pack("fil", b'a');
        assert_eq!(packed[0] & 0x80, 0x80);
        assert_eq!(unpack(packed, b'a'), "fil");
        let region = pack("419", b'0');
        assert_eq!(unpack(region, b'0'), "419");
        let c = Config::for_locale("fil-PH");
        assert_eq!(c.locale(), "fil-PH");
        assert_eq!(c.qualifiers(), "fil-rPH");
        assert_eq!(Config::for_locale("es-419").qualifiers(), "es-r419");
    }

    #[test]
    fn short_configs_zero_fill() {
        // 28-byte config (pre-Honeycomb): no screenLayout etc.
        let mut b = vec![0u8; 28];
        b[0] = 28;
        b[8] = b'f';
        b[9] = b'r';
        b[14] = 0xf0; // density 240
        b[24] = 4; // sdk 4
        let c = Config::from_bytes(&b);
        assert_eq!(c.qualifiers(), "fr-hdpi-v4");
        assert_eq!(c.declared_size, 28);
        // bytes beyond 64 are ignored
        let mut long = vec![0u8; 80];
        long[0] = 80;
        long[70] = 9;
        assert!(Config::from_bytes(&long).is_default());
    }

    #[test]
    fn density_selection_matches_android() {
        let req = Config::default();
        let d = |x: u16| cfg(|c| c.density = x);
        // default beats hdpi for a medium-density device
        assert!(d(0).is_better_than(&d(240), &req));
        assert!(!d(240).is_better_than(&d(0), &req));
        // anydpi beats everything
        assert!(d(DENSITY_ANY).is_better_than(&d(0), &req));
        // hdpi beats xhdpi (scale down from the closest)
        assert!(d(240).is_better_than(&d(320), &req));
        // ldpi vs hdpi around 160: hdpi (scaling down is better)
        assert!(d(240).is_better_than(&d(120), &req));
    }

    #[test]
    fn matching_filters_qualified_configs() {
        let req = Config::default();
        assert!(cfg(|c| c.sdk_version = 21).matches(&req));
        assert!(!cfg(|c| c.orientation = 2).matches(&req));
        assert!(!cfg(|c| c.language = *b"fr").matches(&req));
        let fr = Config::for_locale("fr");
        assert!(cfg(|c| c.language = *b"fr").matches(&fr));
        assert!(!Config::for_locale("fr-CA").matches(&fr));
        let fr_ca = Config::for_locale("fr-CA");
        assert!(Config::for_locale("fr").matches(&fr_ca));
        assert!(Config::for_locale("fr-CA").is_better_than(&Config::for_locale("fr"), &fr_ca));
        assert!(Config::for_locale("fr").is_better_than(&Config::default(), &fr_ca));
    }
}

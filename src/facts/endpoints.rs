//! Network endpoints: the URLs, host names and IP addresses an app talks
//! to, normalised to registrable domains, with a guess at which are the
//! app's own backend and which belong to SDK vendors.
//!
//! # Where they come from (`sources`)
//!
//! | source | what is read |
//! |---|---|
//! | `code_own` | `const-string` values in the app's own classes (the caller's `is_own`) |
//! | `code_library` | `const-string` values in library classes |
//! | `dex_strings` | other strings of a DEX string pool (e.g. the value of an unused `static final String`), not tied to a class |
//! | `manifest` | `<meta-data android:value>` (application and component level) and intent-filter `<data android:host>` |
//! | `network_security_config` | `<domain>` entries of the network security config |
//! | `asset` | URLs in the small text assets (HTML, JS, JSON, ...) |
//!
//! The network security config is read from the [`TextAsset`]s: the caller
//! decodes the binary XML named by `application.network_security_config`
//! (`res/xml/network_security_config.xml`) with [`crate::axml::to_xml`] and
//! passes the text with that entry path. A text asset is taken as the
//! config when its path is the manifest's value or its text has a
//! `<network-security-config` element; its `<domain>` elements are read
//! with quick-xml, and it is not scanned again as an ordinary asset.
//!
//! # What counts (strictness)
//!
//! * **URLs** anywhere in a string: `http`, `https`, `ws`, `wss`, `ftp`,
//!   `rtmp`, `rtsp` schemes only (`file:`, `content:` and app deep-link
//!   schemes are not endpoints). The host must pass the host check below;
//!   templates (`https://%s/api`) and concatenation halves (`"http://"`) do
//!   not. Trailing punctuation is trimmed; URLs longer than
//!   [`MAX_URL_LEN`] are dropped.
//! * **Host check**: lowercase ASCII labels (`a-z0-9-`, not starting or
//!   ending with `-`, at most 63 bytes, 253 in all), at least two labels,
//!   a public suffix that is in the Public Suffix List (the [`psl`] crate,
//!   ICANN and private sections, updated with the crate) and a registrable
//!   domain below it: `gov.cn` alone is rejected, `service.example.gov.cn`
//!   gives `example.gov.cn`. XML namespace hosts (`schemas.android.com`,
//!   `www.w3.org`, ...) and the RFC 2606 placeholders `example.com/.net/.org`
//!   are dropped. IPv4 literals are accepted (not `0.0.0.0`); IPv6 is not read.
//! * **Bare host names** (a whole string that is `host`, `host:port` or
//!   `host/path`, no scheme) are far noisier: with the full suffix list
//!   `user.id`, `os.name`, `libfoo.so` and `com.foo.app` all look like hosts.
//!   So a bare string must be lowercase, its first label must not be a
//!   reverse-DNS package root (`com`, `org`, `cn`, `android`, `java`, ...)
//!   and its top-level domain must be one of [`BARE_HOST_TLDS`], a short
//!   list of the TLDs that real backends use and that do not collide with
//!   file extensions or field names. A bare IPv4 address (optionally with
//!   `:port`) is rejected when its first octet is below 10 (version strings
//!   such as `1.2.0.3` or `2.12.9.2`; public resolvers like `8.8.8.8` are
//!   not backends either) or it ends in `.0` or `.255`.
//!   Text assets are searched for URLs only.
//!
//! # Own backend or SDK (`own`, `sdk`)
//!
//! `sdk` names the vendor when the host is, or is below, a domain of
//! [`SDK_DOMAINS`] (longest match), a short table of the services that SDKs
//! in `sdk_table.rs` call home to. `own` is the guess that a host is the
//! app's own backend: it is not an SDK domain, and it was found in own code,
//! the manifest, the network security config or a text asset; or its
//! registrable domain is one of those hosts' domains or the app's package
//! name reversed (`cn.gov.foo.app` → `foo.gov.cn`). A host seen only in
//! library code or only in a string pool (`dex_strings`: unused constants of
//! any class, own or not) is not own unless its domain says so; an IP
//! address has no domain, so it needs an own source.
//!
//! Output is sorted (URLs by text, hosts by name, domains by name) and
//! bounded by [`MAX_URLS`] and [`MAX_HOSTS`]; `truncated` says when some
//! were left out.

use super::{AppInput, TextAsset};
use crate::dex::descriptor_to_java;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::Ipv4Addr;

/// Most URLs reported.
pub const MAX_URLS: usize = 1000;
/// Most hosts reported.
pub const MAX_HOSTS: usize = 1000;
/// Longest URL kept, in bytes.
pub const MAX_URL_LEN: usize = 2048;
/// Most distinct URLs or hosts collected before the rest are ignored.
const MAX_COLLECTED: usize = 50_000;
/// Longest string searched for a bare host name.
const MAX_BARE_LEN: usize = 300;

/// Schemes whose URLs are network endpoints.
const SCHEMES: &[&str] = &["http", "https", "ws", "wss", "ftp", "rtmp", "rtsp"];

/// Top-level domains accepted for a bare host name (no scheme). Others are
/// found only inside URLs. `cc`, `so`, `sh`, `py`, `id`, `in`, `is`, `it`,
/// `me`, `to`, `name`, `app`, `dev`, ... are left out on purpose: they are
/// also file extensions or identifier words.
pub const BARE_HOST_TLDS: &[&str] = &[
    "au", "biz", "ca", "cn", "co", "com", "de", "edu", "eu", "fr", "gov", "hk", "info", "int",
    "io", "jp", "kr", "mil", "mo", "net", "org", "ru", "sg", "tw", "uk", "us",
];

/// First labels that make a dotted string a Java package or class name,
/// not a host.
const PACKAGE_ROOTS: &[&str] = &[
    "android", "androidx", "cn", "com", "dalvik", "de", "edu", "gov", "io", "java", "javax", "jp",
    "kotlin", "kotlinx", "me", "net", "org", "sun", "uk",
];

/// Hosts that appear in XML namespaces, DTDs and specs, not as endpoints.
const NAMESPACE_HOSTS: &[&str] = &[
    "apache.org",
    "java.sun.com",
    "ns.adobe.com",
    "plugins.flutter.io",
    "purl.org",
    "schema.org",
    "schemas.android.com",
    "schemas.microsoft.com",
    "schemas.openxmlformats.org",
    "schemas.xmlsoap.org",
    "w3.org",
    "www.apple.com",
    "www.w3.org",
    "xml.apache.org",
    "xml.org",
    "xmlpull.org",
    "www.xmlpull.org",
];

/// Registrable domains reserved for documentation (RFC 2606).
const PLACEHOLDER_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];

/// Domains of well-known SDK vendors and third-party services, with a
/// label: a host equal to or below the domain is attributed to it (the
/// longest match wins). Taken from the vendors' documented endpoints and
/// the SDK rows of `sdk_table.rs`.
pub static SDK_DOMAINS: &[(&str, &str)] = &[
    ("10010.com", "China Unicom"),
    ("189.cn", "China Telecom"),
    ("95516.com", "UnionPay"),
    ("adjust.com", "Adjust"),
    ("alibaba.com", "Alibaba"),
    ("alicdn.com", "Alibaba"),
    ("alipay.com", "Alipay"),
    ("alipayobjects.com", "Alipay"),
    ("aliyun.com", "Alibaba Cloud"),
    ("aliyuncs.com", "Alibaba Cloud"),
    ("amap.com", "AMap"),
    ("android.com", "Google"),
    ("app-measurement.com", "Firebase Analytics"),
    ("appcenter.ms", "Microsoft App Center"),
    ("appsflyer.com", "AppsFlyer"),
    ("autonavi.com", "AMap"),
    ("baidu.com", "Baidu"),
    ("baidubce.com", "Baidu Cloud"),
    ("bcebos.com", "Baidu Cloud"),
    ("bdimg.com", "Baidu"),
    ("bdstatic.com", "Baidu"),
    ("bootcdn.net", "Public CDN"),
    ("bootcss.com", "Public CDN"),
    ("bugly.qq.com", "Tencent Bugly"),
    ("bugsnag.com", "Bugsnag"),
    ("bytedance.com", "ByteDance"),
    ("cdnjs.cloudflare.com", "Public CDN"),
    ("cmpassport.com", "China Mobile"),
    ("crashlytics.com", "Firebase Crashlytics"),
    ("dcloud.net.cn", "DCloud"),
    ("doubleclick.net", "Google Ads"),
    ("facebook.com", "Facebook"),
    ("facebook.net", "Facebook"),
    ("faceplusplus.com", "Megvii Face++"),
    ("fbcdn.net", "Facebook"),
    ("firebase.com", "Firebase"),
    ("firebaseapp.com", "Firebase"),
    ("firebaseio.com", "Firebase"),
    ("gdt.qq.com", "Tencent GDT"),
    ("getui.com", "Getui"),
    ("getui.net", "Getui"),
    ("github.com", "GitHub"),
    ("githubusercontent.com", "GitHub"),
    ("goo.gl", "Google"),
    ("google-analytics.com", "Google Analytics"),
    ("google.com", "Google"),
    ("googleadservices.com", "Google Ads"),
    ("googleapis.com", "Google APIs"),
    ("googlesyndication.com", "Google Ads"),
    ("googletagmanager.com", "Google Tag Manager"),
    ("growingio.com", "GrowingIO"),
    ("gstatic.com", "Google"),
    ("gtimg.cn", "Tencent"),
    ("hicloud.com", "Huawei"),
    ("huawei.com", "Huawei"),
    ("iflytek.com", "iFlytek"),
    ("igexin.com", "Getui"),
    ("jiguang.cn", "JiGuang"),
    ("jpush.cn", "JPush"),
    ("jpush.io", "JPush"),
    ("jsdelivr.net", "Public CDN"),
    ("linkedin.com", "LinkedIn"),
    ("live.com", "Microsoft"),
    ("mapbox.com", "Mapbox"),
    ("megvii.com", "Megvii"),
    ("meizu.com", "Meizu"),
    ("mi.com", "Xiaomi"),
    ("microsoft.com", "Microsoft"),
    ("mmstat.com", "Alibaba"),
    ("mob.com", "MobTech"),
    ("myqcloud.com", "Tencent Cloud"),
    ("onesignal.com", "OneSignal"),
    ("oppomobile.com", "OPPO"),
    ("pangolin-sdk-toutiao.com", "ByteDance Pangle"),
    ("paypal.com", "PayPal"),
    ("qbox.me", "Qiniu"),
    ("qiniu.com", "Qiniu"),
    ("qiniucdn.com", "Qiniu"),
    ("qpic.cn", "Tencent"),
    ("qq.com", "Tencent"),
    ("sensorsdata.cn", "Sensors Data"),
    ("sentry.io", "Sentry"),
    ("sina.com.cn", "Sina Weibo"),
    ("snssdk.com", "ByteDance"),
    ("stripe.com", "Stripe"),
    ("talkingdata.com", "TalkingData"),
    ("taobao.com", "Alibaba"),
    ("tencent-cloud.net", "Tencent Cloud"),
    ("tencent.com", "Tencent"),
    ("twitter.com", "Twitter"),
    ("umeng.com", "Umeng"),
    ("umengcloud.com", "Umeng"),
    ("umsns.com", "Umeng"),
    ("unionpay.com", "UnionPay"),
    ("unpkg.com", "Public CDN"),
    ("vivo.com.cn", "vivo"),
    ("weibo.cn", "Sina Weibo"),
    ("weibo.com", "Sina Weibo"),
    ("weixin.qq.com", "WeChat"),
    ("xfyun.cn", "iFlytek"),
    ("xiaomi.com", "Xiaomi"),
    ("xiaomi.net", "Xiaomi"),
    ("yahoo.com", "Yahoo"),
    ("youtube.com", "Google"),
];

/// One URL found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrlHit {
    /// The URL, scheme and host lowercased, trailing punctuation trimmed.
    pub url: String,
    /// Its host (a name or an IPv4 address).
    pub host: String,
    /// Where it was found (see the module docs), sorted.
    pub sources: Vec<&'static str>,
}

/// One host found, in a URL or on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostHit {
    /// Lowercase host name or IPv4 address.
    pub host: String,
    /// Registrable domain (`example.gov.cn`); `None` for an IP address.
    pub registrable_domain: Option<String>,
    /// True for an IPv4 literal.
    pub ip: bool,
    /// True for a private, loopback, link-local or shared (CGNAT) address.
    pub private_ip: bool,
    /// Where it was found, sorted.
    pub sources: Vec<&'static str>,
    /// Probably the app's own backend (see the module docs).
    pub own: bool,
    /// The SDK vendor or service the host belongs to, when known.
    pub sdk: Option<String>,
}

/// Everything network-related found in an app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    /// URLs, sorted, at most [`MAX_URLS`].
    pub urls: Vec<UrlHit>,
    /// Hosts, sorted, at most [`MAX_HOSTS`].
    pub hosts: Vec<HostHit>,
    /// Registrable domains of all host names found, sorted.
    pub domains: Vec<String>,
    /// True when some URLs or hosts were left out by the limits.
    pub truncated: bool,
}

/// A host that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Host {
    name: String,
    registrable: Option<String>,
    ip: Option<Ipv4Addr>,
}

#[derive(Default)]
struct Collector {
    urls: BTreeMap<String, (String, BTreeSet<&'static str>)>,
    hosts: BTreeMap<String, (Host, BTreeSet<&'static str>)>,
    truncated: bool,
}

impl Collector {
    fn add_host(&mut self, host: &Host, source: &'static str) {
        if let Some((_, s)) = self.hosts.get_mut(&host.name) {
            s.insert(source);
        } else if self.hosts.len() < MAX_COLLECTED {
            self.hosts
                .insert(host.name.clone(), (host.clone(), BTreeSet::from([source])));
        } else {
            self.truncated = true;
        }
    }

    fn add_url(&mut self, url: &str, host: &Host, source: &'static str) {
        self.add_host(host, source);
        if let Some((_, s)) = self.urls.get_mut(url) {
            s.insert(source);
        } else if self.urls.len() < MAX_COLLECTED {
            self.urls.insert(
                url.to_string(),
                (host.name.clone(), BTreeSet::from([source])),
            );
        } else {
            self.truncated = true;
        }
    }

    fn add_found(&mut self, found: &Found, source: &'static str) {
        for (url, host) in &found.urls {
            self.add_url(url, host, source);
        }
        if let Some(h) = &found.bare {
            self.add_host(h, source);
        }
    }
}

/// What one string holds.
#[derive(Debug, Default, Clone)]
struct Found {
    urls: Vec<(String, Host)>,
    bare: Option<Host>,
}

impl Found {
    fn is_empty(&self) -> bool {
        self.urls.is_empty() && self.bare.is_none()
    }
}

fn find_in_string(s: &str) -> Found {
    let mut f = Found::default();
    urls_in(s, &mut f.urls);
    if f.urls.is_empty() {
        f.bare = bare_host(s);
    }
    f
}

/// Finds the endpoints of an app. `is_own` tells the app's own classes
/// (Java names) from library classes.
pub fn extract(input: &AppInput, is_own: &dyn Fn(&str) -> bool) -> Endpoints {
    let mut c = Collector::default();
    for d in input.dex {
        let dex = &d.dex;
        let mut memo: HashMap<u32, Found> = HashMap::new();
        let mut seen: HashSet<u32> = HashSet::new();
        for class in dex.classes() {
            if class.strings.is_empty() {
                continue;
            }
            let source = if is_own(&descriptor_to_java(&class.descriptor)) {
                "code_own"
            } else {
                "code_library"
            };
            for &s in &class.strings {
                seen.insert(s);
                let found = memo.entry(s).or_insert_with(|| {
                    dex.string(s)
                        .map(|text| find_in_string(&text))
                        .unwrap_or_default()
                });
                if !found.is_empty() {
                    let found = found.clone();
                    c.add_found(&found, source);
                }
            }
        }
        // The rest of the string pool: constants no code loads.
        for idx in 0..dex.counts().strings {
            if seen.contains(&idx) {
                continue;
            }
            let Some(text) = dex.string(idx) else {
                continue;
            };
            if !text.contains('.') {
                continue;
            }
            let found = find_in_string(&text);
            c.add_found(&found, "dex_strings");
        }
    }
    manifest_endpoints(input, &mut c);
    let nsc_path = input
        .manifest
        .application
        .network_security_config
        .as_deref();
    for t in input.texts {
        if is_network_security_config(t, nsc_path) {
            for domain in nsc_domains(&t.text) {
                if let Some(h) = check_host(&domain) {
                    c.add_host(&h, "network_security_config");
                }
            }
        } else {
            let mut urls = Vec::new();
            urls_in(&t.text, &mut urls);
            for (url, host) in &urls {
                c.add_url(url, host, "asset");
            }
        }
    }
    finish(c, &input.manifest.package)
}

fn manifest_endpoints(input: &AppInput, c: &mut Collector) {
    let m = input.manifest;
    let comps = m
        .activities
        .iter()
        .chain(&m.activity_aliases)
        .chain(&m.services)
        .chain(&m.receivers)
        .chain(&m.providers);
    let mut meta: Vec<&crate::manifest::MetaData> = m.meta_data.iter().collect();
    for comp in comps.clone() {
        meta.extend(comp.meta_data.iter());
        for f in &comp.intent_filters {
            for d in &f.data {
                if let Some(host) = &d.host {
                    let host = host.trim_start_matches("*.");
                    if let Some(h) = check_host(host) {
                        c.add_host(&h, "manifest");
                    }
                }
            }
        }
    }
    for md in meta {
        if let Some(v) = &md.value {
            let found = find_in_string(v);
            c.add_found(&found, "manifest");
        }
    }
}

fn is_network_security_config(t: &TextAsset, nsc_path: Option<&str>) -> bool {
    nsc_path.is_some_and(|p| p == t.path) || t.text.contains("<network-security-config")
}

/// The text of every `<domain>` element.
fn nsc_domains(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut in_domain = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "domain" => {
                in_domain = true;
                text.clear();
            }
            Ok(Event::Text(t)) if in_domain => text.push_str(&t),
            Ok(Event::End(e)) if e.local_name().as_ref() == "domain" => {
                if in_domain {
                    out.push(text.trim().to_string());
                }
                in_domain = false;
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn finish(c: Collector, package: &str) -> Endpoints {
    let own_sources = ["code_own", "manifest", "network_security_config", "asset"];
    let pkg_domain = package_domain(package);
    let mut own_domains: BTreeSet<String> = BTreeSet::new();
    for (h, sources) in c.hosts.values() {
        if sdk_of(&h.name).is_none() && sources.iter().any(|s| own_sources.contains(s)) {
            if let Some(r) = &h.registrable {
                own_domains.insert(r.clone());
            }
        }
    }
    let mut domains: BTreeSet<String> = BTreeSet::new();
    let mut hosts = Vec::new();
    for (name, (h, sources)) in &c.hosts {
        if let Some(r) = &h.registrable {
            domains.insert(r.clone());
        }
        let sdk = sdk_of(name);
        let own_source = sources.iter().any(|s| own_sources.contains(s));
        let own_domain = h
            .registrable
            .as_ref()
            .is_some_and(|r| own_domains.contains(r) || pkg_domain.as_ref() == Some(r));
        hosts.push(HostHit {
            host: name.clone(),
            registrable_domain: h.registrable.clone(),
            ip: h.ip.is_some(),
            private_ip: h.ip.is_some_and(is_private),
            sources: sources.iter().copied().collect(),
            own: sdk.is_none() && (own_source || own_domain),
            sdk: sdk.map(str::to_string),
        });
    }
    let mut truncated = c.truncated;
    if hosts.len() > MAX_HOSTS {
        hosts.truncate(MAX_HOSTS);
        truncated = true;
    }
    let mut urls: Vec<UrlHit> = c
        .urls
        .into_iter()
        .map(|(url, (host, sources))| UrlHit {
            url,
            host,
            sources: sources.into_iter().collect(),
        })
        .collect();
    if urls.len() > MAX_URLS {
        urls.truncate(MAX_URLS);
        truncated = true;
    }
    Endpoints {
        urls,
        hosts,
        domains: domains.into_iter().collect(),
        truncated,
    }
}

/// The registrable domain of the package name read backwards
/// (`cn.gov.foo.app` → `foo.gov.cn`), when that is a valid host.
fn package_domain(package: &str) -> Option<String> {
    let reversed: Vec<&str> = package.split('.').rev().collect();
    check_host(&reversed.join(".")).and_then(|h| h.registrable)
}

/// The SDK vendor of `host`, by the longest matching domain.
pub fn sdk_of(host: &str) -> Option<&'static str> {
    SDK_DOMAINS
        .iter()
        .filter(|(d, _)| host == *d || host.strip_suffix(d).is_some_and(|rest| rest.ends_with('.')))
        .max_by_key(|(d, _)| d.len())
        .map(|(_, label)| *label)
}

/// RFC 1918, loopback, link-local and shared address space (RFC 6598).
fn is_private(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b))
}

/// Every endpoint URL in `text`.
fn urls_in(text: &str, out: &mut Vec<(String, Host)>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find("://")) {
        let sep = from + pos;
        from = sep + 3;
        // The scheme: letters right before "://".
        let start = bytes
            .get(..sep)
            .unwrap_or_default()
            .iter()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let Some(scheme) = text.get(start..sep) else {
            continue;
        };
        let scheme = scheme.to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) {
            continue;
        }
        let rest = text.get(sep + 3..).unwrap_or_default();
        let end = rest
            .find(|c: char| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(
                        c,
                        '"' | '\'' | '<' | '>' | '`' | '\\' | '{' | '}' | '|' | '^' | '(' | ')'
                    )
            })
            .unwrap_or(rest.len());
        let body = rest.get(..end).unwrap_or_default();
        let body = body.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let auth_end = body.find(['/', '?', '#']).unwrap_or(body.len());
        let (authority, tail) = body.split_at(auth_end);
        let hostport = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        };
        if port
            .is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let Some(h) = check_host(host) else {
            continue;
        };
        let mut url = format!("{scheme}://{}", h.name);
        if let Some(p) = port {
            url.push(':');
            url.push_str(p);
        }
        url.push_str(tail);
        if url.len() <= MAX_URL_LEN {
            out.push((url, h));
        }
        from = sep + 3 + end;
    }
}

/// A whole string that is a host name or IPv4 address (optionally with a
/// port or path), under the strict rules of the module docs.
fn bare_host(s: &str) -> Option<Host> {
    let s = s.trim();
    if s.len() > MAX_BARE_LEN || !s.contains('.') {
        return None;
    }
    let hostport = s.split('/').next().unwrap_or_default();
    let (host, port) = match hostport.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
    };
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        let [first, _, _, last] = ip.octets();
        if first < 10 || last == 0 || last == 255 {
            return None;
        }
        return check_host(host);
    }
    let first = host.split('.').next().unwrap_or_default();
    let tld = host.rsplit('.').next().unwrap_or_default();
    if PACKAGE_ROOTS.contains(&first) || !BARE_HOST_TLDS.contains(&tld) {
        return None;
    }
    check_host(host)
}

/// Validates and normalises a host (see the module docs).
fn check_host(host: &str) -> Option<Host> {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    if name.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let ip: Ipv4Addr = name.parse().ok()?;
        if ip.is_unspecified() || ip.is_broadcast() {
            return None;
        }
        return Some(Host {
            name,
            registrable: None,
            ip: Some(ip),
        });
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    for l in &labels {
        let ok = !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return None;
        }
    }
    if labels
        .last()
        .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let suffix = psl::suffix(name.as_bytes())?;
    if !suffix.is_known() {
        return None;
    }
    let registrable = psl::domain(name.as_bytes())
        .and_then(|d| std::str::from_utf8(d.as_bytes()).ok())
        .map(str::to_string)?;
    if NAMESPACE_HOSTS.contains(&name.as_str())
        || NAMESPACE_HOSTS.contains(&registrable.as_str())
        || PLACEHOLDER_DOMAINS.contains(&registrable.as_str())
    {
        return None;
    }
    Some(Host {
        name,
        registrable: Some(registrable),
        ip: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        urls_in(s, &mut v);
        v.into_iter().map(|(u, _)| u).collect()
    }

    fn bare(s: &str) -> Option<String> {
        bare_host(s).map(|h| h.name)
    }

    #[test]
    fn registrable_domains_follow_the_suffix_list() {
        let reg = |h: &str| check_host(h).and_then(|h| h.registrable);
        assert_eq!(
            reg("service.example.gov.cn").as_deref(),
            Some("example.gov.cn")
        );
        assert_eq!(reg("www.beijing.gov.cn").as_deref(), Some("beijing.gov.cn"));
        assert_eq!(reg("a.b.com.cn").as_deref(), Some("b.com.cn"));
        assert_eq!(reg("x.tsinghua.edu.cn").as_deref(), Some("tsinghua.edu.cn"));
        assert_eq!(reg("x.y.org.cn").as_deref(), Some("y.org.cn"));
        assert_eq!(reg("x.y.net.cn").as_deref(), Some("y.net.cn"));
        assert_eq!(reg("www.gov.uk").as_deref(), Some("www.gov.uk"));
        assert_eq!(reg("api.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
        assert_eq!(reg("x.abc.com.au").as_deref(), Some("abc.com.au"));
        assert_eq!(reg("API.Umeng.COM").as_deref(), Some("umeng.com"));
        assert_eq!(reg("gov.cn"), None, "a public suffix alone");
        assert_eq!(reg("com"), None);
        assert_eq!(reg("foo.notatld"), None);
        assert_eq!(reg("www.example.com"), None, "placeholder");
        assert_eq!(reg("schemas.android.com"), None, "namespace");
        assert_eq!(reg("a_b.com"), None);
        assert_eq!(reg("-a.com"), None);
        assert_eq!(reg("%s.com"), None);
    }

    #[test]
    fn urls_in_text() {
        assert_eq!(
            urls(r#"x = "https://API.Foo.gov.cn:8443/v1/?a=b#c"; y"#),
            ["https://api.foo.gov.cn:8443/v1/?a=b#c"]
        );
        assert_eq!(
            urls("see http://10.1.2.3:8080/api. and wss://push.foo.com/ws, then"),
            ["http://10.1.2.3:8080/api", "wss://push.foo.com/ws"]
        );
        assert_eq!(urls("https://user:pw@h.foo.cn/x"), ["https://h.foo.cn/x"]);
        assert!(urls("file:///android_asset/www/index.html").is_empty());
        assert!(urls("content://com.android.contacts/x").is_empty());
        assert!(urls("weixin://registerapp").is_empty());
        assert!(urls("http://").is_empty());
        assert!(urls("https://%s/api").is_empty());
        assert!(urls("http://schemas.android.com/apk/res/android").is_empty());
        assert!(urls("http://www.w3.org/2000/svg").is_empty());
        assert!(urls("http://localhost:8080/").is_empty());
        assert!(urls("http://h.foo.cn:80x/").is_empty());
        assert_eq!(urls("<a href='https://a.b.cn'>"), ["https://a.b.cn"]);
        assert_eq!(
            urls("HTTPS://a.foo.cn/1 ftp://b.foo.cn/2"),
            ["https://a.foo.cn/1", "ftp://b.foo.cn/2"]
        );
    }

    #[test]
    fn bare_hosts_are_strict() {
        assert_eq!(
            bare("report.sdkzoo.gov.cn").as_deref(),
            Some("report.sdkzoo.gov.cn")
        );
        assert_eq!(bare("api.foo.com:8443").as_deref(), Some("api.foo.com"));
        assert_eq!(bare("api.foo.com/v1/").as_deref(), Some("api.foo.com"));
        assert_eq!(bare("202.96.128.86").as_deref(), Some("202.96.128.86"));
        assert_eq!(bare("10.1.2.3:8080").as_deref(), Some("10.1.2.3"));
        for junk in [
            "R.layout",
            "a.b",
            "x.png",
            "config.json",
            "index.html",
            "libfoo.so",
            "data.zip",
            "user.id",
            "os.name",
            "java.lang.String",
            "com.foo.bar",
            "com.umeng.analytics",
            "gov.example.sdkzoo",
            "android.intent.action.VIEW",
            "Api.Foo.com",
            "1.2.0.3",
            "2.12.9.2",
            "8.8.8.8",
            "3.1.0",
            "192.168.1.0",
            "255.255.255.255",
            "ro.miui.ui.version.name",
            "hello world.com",
            "gov.cn",
        ] {
            assert_eq!(bare(junk), None, "{junk}");
        }
    }

    #[test]
    fn private_addresses() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.2",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["202.96.128.86", "8.8.8.8", "100.128.0.1", "172.32.0.1"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn sdk_domains() {
        assert_eq!(sdk_of("alog.umeng.com"), Some("Umeng"));
        assert_eq!(sdk_of("umeng.com"), Some("Umeng"));
        assert_eq!(sdk_of("notumeng.com"), None);
        assert_eq!(sdk_of("android.bugly.qq.com"), Some("Tencent Bugly"));
        assert_eq!(sdk_of("open.weixin.qq.com"), Some("WeChat"));
        assert_eq!(sdk_of("x.qq.com"), Some("Tencent"));
        let mut sorted: Vec<&str> = SDK_DOMAINS.iter().map(|(d, _)| *d).collect();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), SDK_DOMAINS.len(), "duplicate domain");
        for (d, _) in SDK_DOMAINS {
            // Some are public suffixes themselves (firebaseapp.com): hosts
            // below them are what code names.
            assert!(
                check_host(&format!("x.{d}")).is_some(),
                "{d} is not a valid domain"
            );
        }
    }

    #[test]
    fn package_domains() {
        assert_eq!(
            package_domain("cn.gov.beijing.app").as_deref(),
            Some("beijing.gov.cn")
        );
        assert_eq!(package_domain("com.foo.app").as_deref(), Some("foo.com"));
        assert_eq!(
            package_domain("gov.example.sdkzoo").as_deref(),
            Some("example.gov")
        );
        assert_eq!(package_domain("x"), None);
    }

    #[test]
    fn network_security_config_domains() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<network-security-config>
  <domain-config cleartextTrafficPermitted="true">
    <domain includeSubdomains="true">intranet.foo.gov.cn</domain>
    <domain>10.0.0.8</domain>
    <domain-config><domain> nested.foo.gov.cn </domain></domain-config>
  </domain-config>
</network-security-config>"#;
        assert_eq!(
            nsc_domains(xml),
            ["intranet.foo.gov.cn", "10.0.0.8", "nested.foo.gov.cn"]
        );
        assert!(nsc_domains("<not xml").is_empty());
    }

    #[test]
    fn manifest_config_and_assets() {
        use crate::manifest::{Component, IntentData, IntentFilter, Manifest, MetaData};
        let mut m = Manifest {
            package: "cn.gov.foo.app".into(),
            meta_data: vec![
                MetaData {
                    name: "API_BASE".into(),
                    value: Some("https://gw.foo.gov.cn/api/".into()),
                    resource: None,
                },
                MetaData {
                    name: "UMENG_APPKEY".into(),
                    value: Some("5f1a2b3c".into()),
                    resource: None,
                },
            ],
            activities: vec![Component {
                name: "cn.gov.foo.app.Link".into(),
                intent_filters: vec![IntentFilter {
                    data: vec![
                        IntentData {
                            scheme: Some("https".into()),
                            host: Some("*.links.foo.gov.cn".into()),
                            ..IntentData::default()
                        },
                        IntentData {
                            scheme: Some("fooapp".into()),
                            host: Some("open".into()),
                            ..IntentData::default()
                        },
                    ],
                    ..IntentFilter::default()
                }],
                ..Component::default()
            }],
            ..Manifest::default()
        };
        m.application.network_security_config = Some("res/xml/nsc.xml".into());
        let texts = vec![
            TextAsset {
                path: "res/xml/nsc.xml".into(),
                text: "<network-security-config><domain-config><domain>10.8.0.1</domain>\
                       </domain-config></network-security-config>"
                    .into(),
            },
            TextAsset {
                path: "assets/www/index.html".into(),
                text: "<script src='https://hm.baidu.com/hm.js?x'></script>\
                       <a href=\"https://www.foo.gov.cn/help\">help</a> \
                       <a href=\"https://other.bar.com/x\">x</a>"
                    .into(),
            },
        ];
        let native = crate::native::NativeReport::default();
        let input = AppInput {
            manifest: &m,
            dex: &[],
            native: &native,
            entries: &[],
            texts: &texts,
        };
        let ep = extract(&input, &|_| false);
        type Row<'a> = (&'a str, bool, Option<&'a str>, bool, Vec<&'a str>);
        let hosts: Vec<Row> = ep
            .hosts
            .iter()
            .map(|h| {
                (
                    h.host.as_str(),
                    h.own,
                    h.sdk.as_deref(),
                    h.private_ip,
                    h.sources.clone(),
                )
            })
            .collect();
        assert_eq!(
            hosts,
            [
                (
                    "10.8.0.1",
                    true,
                    None,
                    true,
                    vec!["network_security_config"]
                ),
                ("gw.foo.gov.cn", true, None, false, vec!["manifest"]),
                ("hm.baidu.com", false, Some("Baidu"), false, vec!["asset"]),
                ("links.foo.gov.cn", true, None, false, vec!["manifest"]),
                ("other.bar.com", true, None, false, vec!["asset"]),
                ("www.foo.gov.cn", true, None, false, vec!["asset"]),
            ]
        );
        assert_eq!(ep.domains, ["baidu.com", "bar.com", "foo.gov.cn"]);
        let urls: Vec<&str> = ep.urls.iter().map(|u| u.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://gw.foo.gov.cn/api/",
                "https://hm.baidu.com/hm.js?x",
                "https://other.bar.com/x",
                "https://www.foo.gov.cn/help",
            ]
        );
        assert!(!ep.truncated);
    }
}

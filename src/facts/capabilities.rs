//! Functional capabilities: what an app *does* for its user, in terms a
//! person understands (takes photos, reads NFC cards, pays, sends SMS, shows
//! web pages), each with the evidence behind it.
//!
//! [`CAPABILITIES`] is a hand-written table, one row per capability, sorted
//! by id. A row names five kinds of evidence:
//!
//! | field | matched against | evidence kind |
//! |---|---|---|
//! | `apis` | every method id invoked by any class (`invoke-*`) | `api_call` |
//! | `supertypes` | the superclass chain and interfaces of every class | `class` |
//! | `overrides` | methods defined by a class extending a framework type | `class` |
//! | `actions`, `strings` | `const-string` values in code; `actions` also intent-filter actions | `string`, `manifest` |
//! | `components` | manifest component class names | `manifest` |
//! | `permissions`, `features` | `<uses-permission>`, `<uses-feature>` | `permission`, `manifest` |
//! | `sdks` | ids of SDKs found by the SDK stage ([`super::sdk_table`]) | `sdk` |
//!
//! # Matching
//!
//! * An `apis` entry with `->` names one method, `Landroid/hardware/Camera;->open`
//!   (any prototype). One without `->` is a descriptor prefix: every method
//!   of every class whose descriptor starts with it (`Landroid/nfc/tech/`,
//!   `Landroid/provider/ContactsContract` also covers its nested classes).
//! * A call on a class the app defines (its own `WebView` subclass) is
//!   resolved up the app's superclass chain to the framework class
//!   (`Lgov/x/MyWebView;->loadUrl` counts as `Landroid/webkit/WebView;->loadUrl`).
//! * Calls from the app's **own** code into the packages of an SDK a row
//!   names (`Lcom/amap/api/location/AMapLocationClient;->startLocation` for
//!   `amap_location`) count as API evidence too, so own classes that drive
//!   an SDK are attributed. Library-to-library calls into SDK packages are
//!   ignored (an SDK calling itself says nothing new).
//! * `strings` entries match exactly, or as a prefix with a trailing `*`
//!   (`tel:*`). `actions` match exactly, as const-strings (`Intent.ACTION_DIAL`
//!   and `MediaStore.ACTION_IMAGE_CAPTURE` are compile-time constants, so
//!   javac inlines them) and as manifest intent-filter actions. Only actions
//!   whose filter means the app does the thing itself are `actions` (an NFC
//!   tag, an incoming SMS, a push message, a dialer); `SEND`, `GET_CONTENT`
//!   and `PICK` are `strings`, because a filter for them means the app
//!   *receives* shares or *offers* content.
//! * `components` match a manifest component name exactly, or by suffix with
//!   a leading `*` (`*.wxapi.WXPayEntryActivity`).
//!
//! # Strength
//!
//! A requested permission says the app *may* do something; a call says it
//! does. Each [`Capability`] carries its strongest kind of evidence as
//! `strength`: `api` (code: a call, a supertype, a const-string), else `sdk`
//! (an SDK that provides it is embedded), else `manifest` (a feature, an
//! intent filter, a component), else `permission`.
//!
//! `in_own_code` is true when code evidence comes from a class the caller's
//! `is_own` accepts (the app's own code as opposed to libraries, see
//! `code_split`); `classes` lists those own classes, inner classes folded into
//! their top-level class (`a.B$1` → `a.B`), sorted, at most
//! [`MAX_CLASSES`]. [`per_class`] gives the same attribution the other way
//! round: for each own class, the capabilities its code uses.
//!
//! Code in the platform support libraries ([`SUPPORT_ROOTS`]: `androidx.`,
//! `android.support.`, Material, Kotlin) is not read: they wrap framework
//! APIs whether or not the app uses them (AppCompat's night mode calls
//! `LocationManager.getLastKnownLocation`, `SearchView` carries the
//! voice-search intent, `ShareCompat` the `SEND` action). The app's own calls
//! *into* them are evidence (`Landroidx/biometric/BiometricPrompt;->authenticate`).
//!
//! Deliberately *not* evidence: `READ_`/`WRITE_EXTERNAL_STORAGE` (requested
//! by almost every app and SDK, they say nothing about photo upload),
//! `READ_PHONE_STATE` (device identifiers, not calls), and
//! `NotificationManager.notify` (local notifications, not push).
//!
//! Every DEX of the input is read, nested ones included. All work is bounded
//! by the number of method and string ids of each file: each is resolved at
//! most once per DEX.

use super::sdk_table::SDKS;
use super::{AppInput, Evidence};
use crate::dex::{descriptor_to_java, DexFile};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// Most own classes listed per capability.
pub const MAX_CLASSES: usize = 16;
/// Most evidence items kept per capability (the strongest kinds first).
pub const MAX_EVIDENCE: usize = 24;
/// Longest superclass chain followed inside the app.
const MAX_SUPER_DEPTH: usize = 16;

/// Packages whose code is not read for evidence (see the module docs).
pub const SUPPORT_ROOTS: &[&str] = &[
    "android.",
    "androidx.",
    "com.google.android.material.",
    "java.",
    "javax.",
    "kotlin.",
    "kotlinx.",
];

/// One row of the capability table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityDef {
    /// Stable snake_case id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Framework (or SDK) methods: `Lpkg/Class;->method`, or a descriptor
    /// prefix without `->` (see the module docs).
    pub apis: &'static [&'static str],
    /// Framework types whose subclasses or implementations imply the
    /// capability (`Landroid/webkit/WebViewClient;`).
    pub supertypes: &'static [&'static str],
    /// `(framework type, method name)`: a class extending the type and
    /// defining the method (`WebChromeClient.onShowFileChooser`).
    pub overrides: &'static [(&'static str, &'static str)],
    /// Intent actions, matched as const-strings and as manifest
    /// intent-filter actions (only those whose filter means the app itself
    /// does the thing).
    pub actions: &'static [&'static str],
    /// Other const-strings: exact, or a prefix with a trailing `*`.
    pub strings: &'static [&'static str],
    /// Manifest component class names: exact, or a suffix with a leading `*`.
    pub components: &'static [&'static str],
    /// Permissions.
    pub permissions: &'static [&'static str],
    /// `<uses-feature>` names.
    pub features: &'static [&'static str],
    /// Ids from [`super::sdk_table::SDKS`] that provide the capability.
    pub sdks: &'static [&'static str],
}

const EMPTY: CapabilityDef = CapabilityDef {
    id: "",
    name: "",
    apis: &[],
    supertypes: &[],
    overrides: &[],
    actions: &[],
    strings: &[],
    components: &[],
    permissions: &[],
    features: &[],
    sdks: &[],
};

/// The capability table, sorted by id. API names follow the Android SDK
/// reference (developer.android.com/reference); SDK ids are those of
/// `sdk_table.rs` (checked by a test).
pub static CAPABILITIES: &[CapabilityDef] = &[
    CapabilityDef {
        id: "audio_recording",
        name: "Audio recording",
        apis: &[
            "Landroid/media/MediaRecorder;-><init>",
            "Landroid/media/MediaRecorder;->setAudioSource",
            "Landroid/media/AudioRecord;-><init>",
            "Landroid/media/AudioRecord;->startRecording",
            "Landroid/media/AudioRecord$Builder;->build",
        ],
        actions: &["android.provider.MediaStore.RECORD_SOUND"],
        permissions: &["android.permission.RECORD_AUDIO"],
        features: &["android.hardware.microphone"],
        ..EMPTY
    },
    CapabilityDef {
        id: "background_location",
        name: "Background location",
        permissions: &[
            "android.permission.ACCESS_BACKGROUND_LOCATION",
            "android.permission.FOREGROUND_SERVICE_LOCATION",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "biometrics",
        name: "Biometric authentication (fingerprint, face unlock)",
        apis: &[
            "Landroid/hardware/biometrics/BiometricPrompt;->authenticate",
            "Landroid/hardware/biometrics/BiometricPrompt$Builder;-><init>",
            "Landroid/hardware/biometrics/BiometricManager;->canAuthenticate",
            "Landroid/hardware/fingerprint/FingerprintManager;->authenticate",
            "Landroidx/biometric/BiometricPrompt;->authenticate",
            "Landroidx/biometric/BiometricManager;->canAuthenticate",
            "Landroidx/core/hardware/fingerprint/FingerprintManagerCompat;->authenticate",
        ],
        supertypes: &[
            "Landroid/hardware/biometrics/BiometricPrompt$AuthenticationCallback;",
            "Landroid/hardware/fingerprint/FingerprintManager$AuthenticationCallback;",
            "Landroidx/biometric/BiometricPrompt$AuthenticationCallback;",
        ],
        permissions: &[
            "android.permission.USE_BIOMETRIC",
            "android.permission.USE_FINGERPRINT",
        ],
        features: &[
            "android.hardware.fingerprint",
            "android.hardware.biometrics.face",
            "android.hardware.biometrics.iris",
        ],
        sdks: &["androidx_biometric"],
        ..EMPTY
    },
    CapabilityDef {
        id: "bluetooth",
        name: "Bluetooth",
        apis: &[
            "Landroid/bluetooth/BluetoothAdapter;->getDefaultAdapter",
            "Landroid/bluetooth/BluetoothAdapter;->startDiscovery",
            "Landroid/bluetooth/BluetoothAdapter;->getBluetoothLeScanner",
            "Landroid/bluetooth/BluetoothAdapter;->startLeScan",
            "Landroid/bluetooth/BluetoothManager;->getAdapter",
            "Landroid/bluetooth/BluetoothDevice;->connectGatt",
            "Landroid/bluetooth/BluetoothDevice;->createRfcommSocketToServiceRecord",
            "Landroid/bluetooth/le/BluetoothLeScanner;->startScan",
        ],
        supertypes: &[
            "Landroid/bluetooth/BluetoothGattCallback;",
            "Landroid/bluetooth/le/ScanCallback;",
        ],
        actions: &[
            "android.bluetooth.adapter.action.REQUEST_ENABLE",
            "android.bluetooth.device.action.FOUND",
        ],
        permissions: &[
            "android.permission.BLUETOOTH",
            "android.permission.BLUETOOTH_ADMIN",
            "android.permission.BLUETOOTH_SCAN",
            "android.permission.BLUETOOTH_CONNECT",
            "android.permission.BLUETOOTH_ADVERTISE",
        ],
        features: &["android.hardware.bluetooth", "android.hardware.bluetooth_le"],
        ..EMPTY
    },
    CapabilityDef {
        id: "calendar",
        name: "Calendar events",
        apis: &["Landroid/provider/CalendarContract"],
        strings: &[
            "content://com.android.calendar*",
            "vnd.android.cursor.item/event",
            "vnd.android.cursor.dir/event",
        ],
        permissions: &[
            "android.permission.READ_CALENDAR",
            "android.permission.WRITE_CALENDAR",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "camera",
        name: "Camera",
        apis: &[
            "Landroid/hardware/Camera;->open",
            "Landroid/hardware/camera2/CameraManager;->openCamera",
            "Landroid/media/MediaRecorder;->setCamera",
            "Landroidx/camera/lifecycle/ProcessCameraProvider;->bindToLifecycle",
            "Landroidx/camera/core/ImageCapture;->takePicture",
        ],
        supertypes: &[
            "Landroid/hardware/camera2/CameraDevice$StateCallback;",
            "Landroid/hardware/Camera$PictureCallback;",
            "Landroid/hardware/Camera$PreviewCallback;",
        ],
        actions: &[
            "android.media.action.IMAGE_CAPTURE",
            "android.media.action.IMAGE_CAPTURE_SECURE",
            "android.media.action.VIDEO_CAPTURE",
            "android.media.action.STILL_IMAGE_CAMERA",
        ],
        permissions: &["android.permission.CAMERA"],
        features: &[
            "android.hardware.camera",
            "android.hardware.camera.any",
            "android.hardware.camera.front",
        ],
        sdks: &["androidx_camera"],
        ..EMPTY
    },
    CapabilityDef {
        id: "contacts",
        name: "Contacts",
        apis: &["Landroid/provider/ContactsContract"],
        strings: &[
            "content://com.android.contacts*",
            "vnd.android.cursor.dir/contact",
            "vnd.android.cursor.item/contact",
            "vnd.android.cursor.dir/phone_v2",
            "vnd.android.cursor.item/phone_v2",
        ],
        permissions: &[
            "android.permission.READ_CONTACTS",
            "android.permission.WRITE_CONTACTS",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "face_verification",
        name: "Face verification / liveness check",
        sdks: &[
            "aliyun_face_verify",
            "aliyun_realperson",
            "arcsoft_face",
            "baidu_face_collect",
            "baidu_face_offline",
            "megvii_faceid",
            "megvii_facepp",
            "mlkit_face",
            "sensetime_senseid",
            "tencent_faceid",
            "webank_faceverify",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "id_ocr",
        name: "ID card / document OCR",
        sdks: &[
            "baidu_ocr",
            "intsig_idcard",
            "megvii_idcard",
            "mlkit_text",
            "tesseract",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "location",
        name: "Location",
        apis: &[
            "Landroid/location/LocationManager;->requestLocationUpdates",
            "Landroid/location/LocationManager;->requestSingleUpdate",
            "Landroid/location/LocationManager;->getLastKnownLocation",
            "Landroid/location/LocationManager;->getCurrentLocation",
            "Lcom/google/android/gms/location/FusedLocationProviderClient;->requestLocationUpdates",
            "Lcom/google/android/gms/location/FusedLocationProviderClient;->getLastLocation",
            "Lcom/google/android/gms/location/FusedLocationProviderClient;->getCurrentLocation",
            "Lcom/google/android/gms/location/LocationServices;->getFusedLocationProviderClient",
        ],
        supertypes: &["Landroid/location/LocationListener;"],
        actions: &["android.settings.LOCATION_SOURCE_SETTINGS"],
        permissions: &[
            "android.permission.ACCESS_FINE_LOCATION",
            "android.permission.ACCESS_COARSE_LOCATION",
        ],
        features: &[
            "android.hardware.location",
            "android.hardware.location.gps",
            "android.hardware.location.network",
        ],
        sdks: &[
            "amap_location",
            "baidu_location",
            "google_location",
            "huawei_location",
            "tencent_location",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "maps",
        name: "Maps and navigation",
        strings: &[
            "geo:*",
            "androidamap://*",
            "amapuri://*",
            "baidumap://*",
            "qqmap://*",
        ],
        sdks: &[
            "amap_map",
            "amap_navi",
            "amap_search",
            "baidu_map",
            "baidu_navi",
            "esri_arcgis",
            "google_maps",
            "google_maps_utils",
            "google_places",
            "here_sdk",
            "mapbox_maps",
            "osmdroid",
            "tencent_map",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "nfc",
        name: "NFC (cards and tags)",
        apis: &[
            "Landroid/nfc/NfcAdapter;->getDefaultAdapter",
            "Landroid/nfc/NfcAdapter;->enableForegroundDispatch",
            "Landroid/nfc/NfcAdapter;->enableReaderMode",
            "Landroid/nfc/NfcManager;->getDefaultAdapter",
            "Landroid/nfc/tech/",
        ],
        supertypes: &[
            "Landroid/nfc/cardemulation/HostApduService;",
            "Landroid/nfc/NfcAdapter$ReaderCallback;",
        ],
        actions: &[
            "android.nfc.action.NDEF_DISCOVERED",
            "android.nfc.action.TECH_DISCOVERED",
            "android.nfc.action.TAG_DISCOVERED",
            "android.nfc.cardemulation.action.HOST_APDU_SERVICE",
        ],
        permissions: &["android.permission.NFC"],
        features: &["android.hardware.nfc", "android.hardware.nfc.hce"],
        ..EMPTY
    },
    CapabilityDef {
        id: "payments",
        name: "Payments",
        apis: &["Lcom/tencent/mm/opensdk/modelpay/"],
        strings: &["alipays://*", "weixin://wxpay/*"],
        components: &["*.wxapi.WXPayEntryActivity"],
        permissions: &["com.android.vending.BILLING"],
        sdks: &[
            "alipay",
            "bestpay",
            "braintree",
            "google_pay",
            "google_play_billing",
            "paypal",
            "pingpp",
            "stripe",
            "tencent_midas",
            "unionpay",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "phone_call",
        name: "Phone calls",
        apis: &["Landroid/telecom/TelecomManager;->placeCall"],
        actions: &["android.intent.action.DIAL", "android.intent.action.CALL"],
        strings: &["tel:*"],
        permissions: &["android.permission.CALL_PHONE"],
        ..EMPTY
    },
    CapabilityDef {
        id: "photo_upload",
        name: "Photo / file picking and upload",
        apis: &[
            "Landroid/webkit/WebChromeClient$FileChooserParams;->createIntent",
            "Landroidx/activity/result/contract/ActivityResultContracts$GetContent;-><init>",
            "Landroidx/activity/result/contract/ActivityResultContracts$GetMultipleContents;-><init>",
            "Landroidx/activity/result/contract/ActivityResultContracts$OpenDocument;-><init>",
            "Landroidx/activity/result/contract/ActivityResultContracts$PickVisualMedia;-><init>",
            "Lokhttp3/MultipartBody$Builder;->addFormDataPart",
        ],
        overrides: &[
            ("Landroid/webkit/WebChromeClient;", "onShowFileChooser"),
            ("Landroid/webkit/WebChromeClient;", "openFileChooser"),
        ],
        // Strings, not actions: an app declaring these filters *offers*
        // content to others.
        strings: &[
            "android.intent.action.GET_CONTENT",
            "android.intent.action.OPEN_DOCUMENT",
            "android.intent.action.PICK",
            "android.provider.action.PICK_IMAGES",
        ],
        permissions: &[
            "android.permission.READ_MEDIA_IMAGES",
            "android.permission.READ_MEDIA_VIDEO",
            "android.permission.READ_MEDIA_VISUAL_USER_SELECTED",
        ],
        sdks: &[
            "aliyun_oss",
            "firebase_storage",
            "matisse",
            "picture_selector",
            "qiniu_storage",
            "tencent_cos",
            "ucrop",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "push_notifications",
        name: "Push notifications",
        supertypes: &["Lcom/google/firebase/messaging/FirebaseMessagingService;"],
        actions: &[
            "com.google.firebase.MESSAGING_EVENT",
            "com.google.android.c2dm.intent.RECEIVE",
            "com.huawei.push.action.MESSAGING_EVENT",
        ],
        permissions: &[
            "com.google.android.c2dm.permission.RECEIVE",
            "android.permission.POST_NOTIFICATIONS",
        ],
        sdks: &[
            "alibaba_accs_agoo",
            "aliyun_push",
            "baidu_push",
            "firebase_messaging",
            "getui_push",
            "google_gcm",
            "honor_push",
            "huawei_push",
            "jpush",
            "meizu_push",
            "onesignal",
            "oppo_push",
            "tencent_tpns",
            "umeng_push",
            "vivo_push",
            "xiaomi_push",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "scanning",
        name: "QR / barcode scanning",
        apis: &[
            "Lcom/google/android/gms/vision/barcode/",
            "Lcom/google/mlkit/vision/barcode/",
        ],
        actions: &["com.google.zxing.client.android.SCAN"],
        sdks: &[
            "alipay_mpaas_scan",
            "bga_qrcode",
            "huawei_scankit",
            "mlkit_barcode",
            "zbar",
            "zxing_android_embedded",
            "zxing_core",
            "zxing_lite",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "sms",
        name: "SMS",
        apis: &[
            "Landroid/telephony/SmsManager;->sendTextMessage",
            "Landroid/telephony/SmsManager;->sendMultipartTextMessage",
            "Landroid/telephony/SmsManager;->sendDataMessage",
            "Landroid/telephony/gsm/SmsManager;->sendTextMessage",
            "Landroid/telephony/SmsMessage;->createFromPdu",
            "Lcom/google/android/gms/auth/api/phone/SmsRetriever;->getClient",
        ],
        actions: &[
            "android.provider.Telephony.SMS_RECEIVED",
            "android.provider.Telephony.SMS_DELIVER",
        ],
        strings: &["smsto:*", "sms:*", "content://sms*"],
        permissions: &[
            "android.permission.SEND_SMS",
            "android.permission.RECEIVE_SMS",
            "android.permission.READ_SMS",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "social_share",
        name: "Sharing to social apps",
        // Strings, not actions: a SEND filter means the app *receives* shares.
        strings: &["android.intent.action.SEND", "android.intent.action.SEND_MULTIPLE"],
        sdks: &[
            "dingtalk_share",
            "douyin_opensdk",
            "facebook_share",
            "jiguang_jshare",
            "mob_sharesdk",
            "tencent_qq_connect",
            "umeng_share",
            "wechat_opensdk",
            "weibo_sdk",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "speech",
        name: "Speech recognition / synthesis",
        apis: &[
            "Landroid/speech/SpeechRecognizer;->createSpeechRecognizer",
            "Landroid/speech/tts/TextToSpeech;-><init>",
        ],
        supertypes: &["Landroid/speech/RecognitionListener;"],
        actions: &["android.speech.action.RECOGNIZE_SPEECH"],
        sdks: &[
            "aliyun_nui",
            "baidu_speech",
            "baidu_tts",
            "iflytek_aiui",
            "iflytek_msc",
            "tencent_asr",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "video_playback",
        name: "Video playback",
        apis: &[
            "Landroid/widget/VideoView;->setVideoURI",
            "Landroid/widget/VideoView;->setVideoPath",
            "Landroid/media/MediaPlayer;->setDisplay",
            "Landroid/media/MediaPlayer;->setSurface",
        ],
        sdks: &[
            "aliyun_player",
            "androidx_media3",
            "exoplayer",
            "gsyvideoplayer",
            "ijkplayer",
            "jiaozivideoplayer",
            "libvlc",
            "qiniu_pldroid_player",
            "tencent_liteav",
        ],
        ..EMPTY
    },
    CapabilityDef {
        id: "webview",
        name: "WebView / hybrid UI",
        apis: &[
            "Landroid/webkit/WebView;->loadUrl",
            "Landroid/webkit/WebView;->loadData",
            "Landroid/webkit/WebView;->loadDataWithBaseURL",
            "Landroid/webkit/WebView;->postUrl",
            "Landroid/webkit/WebView;->addJavascriptInterface",
            "Landroid/webkit/WebView;->evaluateJavascript",
            "Landroid/webkit/WebSettings;->setJavaScriptEnabled",
        ],
        supertypes: &["Landroid/webkit/WebViewClient;", "Landroid/webkit/WebChromeClient;"],
        sdks: &[
            "agentweb",
            "alipay_nebula",
            "apicloud",
            "appcan",
            "capacitor",
            "cordova",
            "crosswalk",
            "dcloud_uniapp",
            "dsbridge",
            "geckoview",
            "jsbridge_lzyzsd",
            "tencent_vassonic",
            "tencent_x5",
            "uc_u4",
        ],
        ..EMPTY
    },
];

/// One capability found in an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capability {
    /// Row id, e.g. `camera`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Strongest kind of evidence: `api`, `sdk`, `manifest` or `permission`
    /// (see the module docs).
    pub strength: &'static str,
    /// What matched, sorted by kind then value, at most [`MAX_EVIDENCE`].
    pub evidence: Vec<Evidence>,
    /// True when the app's own code (not only library code) shows it.
    pub in_own_code: bool,
    /// Own classes whose code shows it (top-level names, sorted, at most
    /// [`MAX_CLASSES`]).
    pub classes: Vec<String>,
}

/// Capabilities of the app, in table order (sorted by id). `is_own` tells
/// the app's own classes (Java names, `a.b.C$D`) from library classes;
/// `sdk_ids` are the ids of the SDKs the SDK stage found.
pub fn detect(
    input: &AppInput,
    is_own: &dyn Fn(&str) -> bool,
    sdk_ids: &[&str],
) -> Vec<Capability> {
    detect_with_classes(input, is_own, sdk_ids).0
}

/// Capabilities of one own class (top-level Java name) → capability ids.
pub type PerClass = BTreeMap<String, Vec<&'static str>>;

/// [`detect`] and [`per_class`] from one scan of the code (the scan is the
/// expensive part; inspect needs both).
pub fn detect_with_classes(
    input: &AppInput,
    is_own: &dyn Fn(&str) -> bool,
    sdk_ids: &[&str],
) -> (Vec<Capability>, PerClass) {
    let code = scan_code(input, is_own);
    let per_class = classes_of(&code);
    (from_scan(input, &code, sdk_ids), per_class)
}

fn from_scan(input: &AppInput, code: &CodeScan, sdk_ids: &[&str]) -> Vec<Capability> {
    let m = input.manifest;
    let mut out = Vec::new();
    for (i, def) in CAPABILITIES.iter().enumerate() {
        let mut ev: BTreeSet<Evidence> = BTreeSet::new();
        let hits = code.per_cap.get(i);
        if let Some(h) = hits {
            ev.extend(h.evidence.iter().cloned());
        }
        let has_code = !ev.is_empty();
        let mut has_sdk = false;
        for id in def.sdks {
            if sdk_ids.contains(id) {
                ev.insert(Evidence::new("sdk", *id));
                has_sdk = true;
            }
        }
        let mut has_manifest = false;
        for f in &m.features {
            if let Some(name) = &f.name {
                if def.features.contains(&name.as_str()) {
                    ev.insert(Evidence::new("manifest", format!("uses-feature {name}")));
                    has_manifest = true;
                }
            }
        }
        for (kind, c) in components(m) {
            for filter in &c.intent_filters {
                for a in &filter.actions {
                    if def.actions.contains(&a.as_str()) {
                        ev.insert(Evidence::new(
                            "manifest",
                            format!("{kind} {} intent-filter {a}", c.name),
                        ));
                        has_manifest = true;
                    }
                }
            }
            if def.components.iter().any(|p| component_matches(p, &c.name)) {
                ev.insert(Evidence::new("manifest", format!("{kind} {}", c.name)));
                has_manifest = true;
            }
        }
        let mut has_perm = false;
        for p in &m.permissions {
            if def.permissions.contains(&p.name.as_str()) {
                ev.insert(Evidence::new("permission", p.name.clone()));
                has_perm = true;
            }
        }
        let strength = if has_code {
            "api"
        } else if has_sdk {
            "sdk"
        } else if has_manifest {
            "manifest"
        } else if has_perm {
            "permission"
        } else {
            continue;
        };
        let (in_own_code, classes) = match hits {
            Some(h) => (h.own, h.classes.iter().take(MAX_CLASSES).cloned().collect()),
            None => (false, Vec::new()),
        };
        out.push(Capability {
            id: def.id,
            name: def.name,
            strength,
            evidence: ev.into_iter().take(MAX_EVIDENCE).collect(),
            in_own_code,
            classes,
        });
    }
    out
}

/// For every own class whose code shows a capability (by a call, a
/// supertype, an override or a const-string; not by permissions or SDKs),
/// the capability ids, in table order. Keys are top-level Java class names:
/// inner and anonymous classes are folded into their outer class, so an
/// activity's listeners count as the activity's code.
pub fn per_class(input: &AppInput, is_own: &dyn Fn(&str) -> bool) -> PerClass {
    classes_of(&scan_code(input, is_own))
}

fn classes_of(code: &CodeScan) -> PerClass {
    code.per_class
        .iter()
        .map(|(class, caps)| {
            let ids = caps
                .iter()
                .filter_map(|&i| CAPABILITIES.get(i).map(|d| d.id))
                .collect();
            (class.clone(), ids)
        })
        .collect()
}

/// `(kind, component)` for every manifest component.
fn components(
    m: &crate::manifest::Manifest,
) -> impl Iterator<Item = (&'static str, &crate::manifest::Component)> {
    m.activities
        .iter()
        .map(|c| ("activity", c))
        .chain(m.activity_aliases.iter().map(|c| ("activity-alias", c)))
        .chain(m.services.iter().map(|c| ("service", c)))
        .chain(m.receivers.iter().map(|c| ("receiver", c)))
        .chain(m.providers.iter().map(|c| ("provider", c)))
}

fn component_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => name.ends_with(suffix),
        None => pattern == name,
    }
}

/// `prefix*` or exact.
fn string_matches(pattern: &str, s: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => s.starts_with(prefix),
        None => pattern == s,
    }
}

/// The `a.b.C` of `a.b.C$D$1`.
fn top_level(java: &str) -> &str {
    let simple_start = java.rfind('.').map_or(0, |i| i + 1);
    match java.get(simple_start..).and_then(|s| s.find('$')) {
        // A class named `$Foo` keeps its name.
        Some(0) | None => java,
        Some(i) => java.get(..simple_start + i).unwrap_or(java),
    }
}

/// The table compiled for lookups.
struct Index {
    /// Class descriptor → `(method name, capability)` for `->` entries.
    exact: HashMap<&'static str, Vec<(&'static str, usize)>>,
    /// Descriptor prefixes (framework APIs): any class, any method.
    prefixes: Vec<(&'static str, usize)>,
    /// Descriptor prefixes of SDK packages: own classes only.
    sdk_prefixes: Vec<(String, usize)>,
    /// Supertype descriptor → capabilities.
    supertypes: HashMap<&'static str, Vec<usize>>,
    /// Supertype descriptor → `(method name, capability)`.
    overrides: HashMap<&'static str, Vec<(&'static str, usize)>>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut ix = Index {
            exact: HashMap::new(),
            prefixes: Vec::new(),
            sdk_prefixes: Vec::new(),
            supertypes: HashMap::new(),
            overrides: HashMap::new(),
        };
        for (i, def) in CAPABILITIES.iter().enumerate() {
            for api in def.apis {
                match api.split_once("->") {
                    Some((class, method)) => ix.exact.entry(class).or_default().push((method, i)),
                    None => ix.prefixes.push((api, i)),
                }
            }
            for t in def.supertypes {
                ix.supertypes.entry(t).or_default().push(i);
            }
            for (t, m) in def.overrides {
                ix.overrides.entry(t).or_default().push((m, i));
            }
            for id in def.sdks {
                for sdk in SDKS.iter().filter(|s| s.id == *id) {
                    for p in sdk.packages {
                        ix.sdk_prefixes
                            .push((format!("L{}", p.replace('.', "/")), i));
                    }
                }
            }
        }
        ix
    })
}

/// What the code of one capability shows.
#[derive(Default)]
struct CodeHits {
    evidence: BTreeSet<Evidence>,
    own: bool,
    classes: BTreeSet<String>,
}

struct CodeScan {
    per_cap: Vec<CodeHits>,
    per_class: BTreeMap<String, BTreeSet<usize>>,
}

/// A method id resolved against the table: `(capability, evidence value,
/// own-code only)`.
type MethodHits = Vec<(usize, String, bool)>;

fn scan_code(input: &AppInput, is_own: &dyn Fn(&str) -> bool) -> CodeScan {
    let ix = index();
    let mut scan = CodeScan {
        per_cap: CAPABILITIES.iter().map(|_| CodeHits::default()).collect(),
        per_class: BTreeMap::new(),
    };
    // Superclass and interfaces of every class the app defines (first
    // definition wins, as in ART).
    let mut supers: HashMap<&str, (Option<&str>, &[String])> = HashMap::new();
    for d in input.dex {
        for c in d.dex.classes() {
            supers
                .entry(c.descriptor.as_str())
                .or_insert((c.superclass.as_deref(), c.interfaces.as_slice()));
        }
    }
    for d in input.dex {
        let dex = &d.dex;
        let mut method_memo: HashMap<u32, MethodHits> = HashMap::new();
        let mut string_memo: HashMap<u32, Vec<(usize, String)>> = HashMap::new();
        for class in dex.classes() {
            if class.descriptor.is_empty() {
                continue;
            }
            let java = descriptor_to_java(&class.descriptor);
            if SUPPORT_ROOTS.iter().any(|r| java.starts_with(r)) {
                continue;
            }
            let own = is_own(&java);
            let mut found: Vec<(usize, Evidence)> = Vec::new();
            for &m in &class.invokes {
                let hits = method_memo
                    .entry(m)
                    .or_insert_with(|| resolve_method(dex, m, &supers, ix));
                for (cap, value, own_only) in hits.iter() {
                    if *own_only && !own {
                        continue;
                    }
                    found.push((*cap, Evidence::new("api_call", value.clone())));
                }
            }
            for &s in &class.strings {
                let hits = string_memo
                    .entry(s)
                    .or_insert_with(|| resolve_string(dex, s));
                for (cap, value) in hits.iter() {
                    found.push((*cap, Evidence::new("string", value.clone())));
                }
            }
            supertype_hits(class, &supers, ix, &mut found);
            if found.is_empty() {
                continue;
            }
            let top = top_level(&java).to_string();
            for (cap, ev) in found {
                let Some(h) = scan.per_cap.get_mut(cap) else {
                    continue;
                };
                h.evidence.insert(ev);
                if own {
                    h.own = true;
                    h.classes.insert(top.clone());
                    scan.per_class.entry(top.clone()).or_default().insert(cap);
                }
            }
        }
    }
    scan
}

/// The superclass chain of `desc` inside the app, `desc` first, then the
/// first class outside the app (a framework or missing class), bounded.
fn chain<'a>(
    desc: &'a str,
    supers: &HashMap<&'a str, (Option<&'a str>, &'a [String])>,
) -> Vec<&'a str> {
    let mut out = vec![desc];
    let mut cur = desc;
    while out.len() <= MAX_SUPER_DEPTH {
        match supers.get(cur).and_then(|(s, _)| *s) {
            Some(s) if !out.contains(&s) => {
                out.push(s);
                cur = s;
            }
            _ => break,
        }
    }
    out
}

fn resolve_method(
    dex: &DexFile,
    idx: u32,
    supers: &HashMap<&str, (Option<&str>, &[String])>,
    ix: &Index,
) -> MethodHits {
    let Some(r) = dex.method_ref(idx) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // The class itself, then (for classes the app defines) up the chain.
    for class in chain(&r.class, supers) {
        if let Some(methods) = ix.exact.get(class) {
            for (name, cap) in methods {
                if *name == r.name {
                    out.push((*cap, format!("{class}->{}", r.name), false));
                }
            }
        }
        for (prefix, cap) in &ix.prefixes {
            if class.starts_with(prefix) {
                out.push((*cap, format!("{class}->{}", r.name), false));
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    for (prefix, cap) in &ix.sdk_prefixes {
        if r.class.starts_with(prefix.as_str()) {
            out.push((*cap, format!("{}->{}", r.class, r.name), true));
        }
    }
    out
}

fn resolve_string(dex: &DexFile, idx: u32) -> Vec<(usize, String)> {
    let Some(s) = dex.string(idx) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, def) in CAPABILITIES.iter().enumerate() {
        let hit =
            def.actions.contains(&s.as_str()) || def.strings.iter().any(|p| string_matches(p, &s));
        if hit {
            out.push((i, s.clone()));
        }
    }
    out
}

fn supertype_hits(
    class: &crate::dex::ClassDef,
    supers: &HashMap<&str, (Option<&str>, &[String])>,
    ix: &Index,
    found: &mut Vec<(usize, Evidence)>,
) {
    let mut types: Vec<&str> = Vec::new();
    for c in chain(&class.descriptor, supers).into_iter().skip(1) {
        types.push(c);
    }
    for i in &class.interfaces {
        types.push(i);
    }
    for t in types {
        if let Some(caps) = ix.supertypes.get(t) {
            for cap in caps {
                found.push((*cap, Evidence::new("class", format!("extends {t}"))));
            }
        }
        if let Some(methods) = ix.overrides.get(t) {
            for (name, cap) in methods {
                if class.methods.iter().any(|m| m.name == *name) {
                    found.push((
                        *cap,
                        Evidence::new("class", format!("overrides {t}->{name}")),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in CAPABILITIES.windows(2) {
            assert!(w[0].id < w[1].id, "{} !< {}", w[0].id, w[1].id);
        }
    }

    #[test]
    fn sdk_ids_exist_in_sdk_table() {
        for def in CAPABILITIES {
            for id in def.sdks {
                assert!(
                    SDKS.iter().any(|s| s.id == *id),
                    "{}: unknown SDK id {id}",
                    def.id
                );
            }
        }
    }

    #[test]
    fn api_patterns_are_well_formed() {
        for def in CAPABILITIES {
            for api in def.apis {
                assert!(api.starts_with('L'), "{api}");
                if let Some((class, method)) = api.split_once("->") {
                    assert!(class.ends_with(';'), "{api}");
                    assert!(!method.is_empty() && !method.contains('('), "{api}");
                } else {
                    assert!(!api.contains(';') || api.ends_with(';'), "{api}");
                }
            }
            for t in def
                .supertypes
                .iter()
                .chain(def.overrides.iter().map(|(t, _)| t))
            {
                assert!(t.starts_with('L') && t.ends_with(';'), "{t}");
            }
            assert!(
                !def.apis.is_empty()
                    || !def.actions.is_empty()
                    || !def.strings.is_empty()
                    || !def.permissions.is_empty()
                    || !def.sdks.is_empty(),
                "{} has no evidence at all",
                def.id
            );
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(top_level("a.b.C$D$1"), "a.b.C");
        assert_eq!(top_level("a.b.C"), "a.b.C");
        assert_eq!(top_level("a.b.$C"), "a.b.$C");
        assert!(string_matches("tel:*", "tel:"));
        assert!(string_matches("tel:*", "tel:12345"));
        assert!(!string_matches("tel:*", "telephone"));
        assert!(string_matches(
            "android.intent.action.DIAL",
            "android.intent.action.DIAL"
        ));
        assert!(component_matches(
            "*.wxapi.WXPayEntryActivity",
            "a.b.wxapi.WXPayEntryActivity"
        ));
        assert!(!component_matches(
            "*.wxapi.WXPayEntryActivity",
            "a.b.wxapi.WXEntryActivity"
        ));
    }

    fn perm(name: &str) -> crate::manifest::UsesPermission {
        crate::manifest::UsesPermission {
            name: name.to_string(),
            max_sdk: None,
            sdk_23: false,
            protection: None,
            protection_flags: Vec::new(),
        }
    }

    #[test]
    fn manifest_and_sdk_evidence_without_code() {
        use crate::manifest::{Component, IntentFilter, Manifest, UsesFeature};
        let m = Manifest {
            permissions: vec![
                perm("android.permission.CAMERA"),
                perm("android.permission.ACCESS_BACKGROUND_LOCATION"),
                perm("android.permission.READ_EXTERNAL_STORAGE"),
            ],
            features: vec![UsesFeature {
                name: Some("android.hardware.camera".into()),
                required: false,
                gl_es_version: None,
            }],
            activities: vec![
                Component {
                    name: "a.b.NfcActivity".into(),
                    intent_filters: vec![IntentFilter {
                        actions: vec!["android.nfc.action.NDEF_DISCOVERED".into()],
                        ..IntentFilter::default()
                    }],
                    ..Component::default()
                },
                Component {
                    name: "a.b.ShareTarget".into(),
                    intent_filters: vec![IntentFilter {
                        actions: vec!["android.intent.action.SEND".into()],
                        ..IntentFilter::default()
                    }],
                    ..Component::default()
                },
                Component {
                    name: "a.b.wxapi.WXPayEntryActivity".into(),
                    ..Component::default()
                },
            ],
            ..Manifest::default()
        };
        let native = crate::native::NativeReport::default();
        let input = AppInput {
            manifest: &m,
            dex: &[],
            native: &native,
            entries: &[],
            texts: &[],
        };
        let caps = detect(&input, &|_| true, &["jpush", "tencent_x5", "okhttp3"]);
        let got: Vec<(&str, &str, bool)> = caps
            .iter()
            .map(|c| (c.id, c.strength, c.in_own_code))
            .collect();
        assert_eq!(
            got,
            [
                ("background_location", "permission", false),
                ("camera", "manifest", false),
                ("nfc", "manifest", false),
                ("payments", "manifest", false),
                ("push_notifications", "sdk", false),
                ("webview", "sdk", false),
            ],
            "a SEND filter receives shares; storage permissions say nothing"
        );
        let nfc = caps.iter().find(|c| c.id == "nfc").unwrap();
        assert_eq!(
            nfc.evidence,
            [Evidence::new(
                "manifest",
                "activity a.b.NfcActivity intent-filter android.nfc.action.NDEF_DISCOVERED"
            )]
        );
        let camera = caps.iter().find(|c| c.id == "camera").unwrap();
        assert_eq!(
            camera.evidence,
            [
                Evidence::new("manifest", "uses-feature android.hardware.camera"),
                Evidence::new("permission", "android.permission.CAMERA"),
            ]
        );
        assert!(per_class(&input, &|_| true).is_empty());
    }
}

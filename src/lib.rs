//! fingertip: a static analyzer for Android app packages (APKs) that finds
//! government apps duplicating each other's functionality.
//!
//! Data flows one way, one module per format or stage:
//!
//! ```text
//! bytes -> archive (zip, the way Android's installer reads it)
//!       -> axml / arsc (binary XML, resources.arsc; both use stringpool + resvalue)
//!       -> manifest (typed model) -> inspect (one report per APK)
//! ```
//!
//! Every parser reads through [`reader::Reader`], records tolerated oddities
//! as [`reader::Anomaly`] values and fails only when nothing useful remains.
//!
//! ```no_run
//! let report = fingertip::inspect::inspect_path(
//!     std::path::Path::new("app.apk"),
//!     &fingertip::reader::Limits::default(),
//! );
//! match report {
//!     Ok(r) => println!("{}", r.manifest.package),
//!     Err(e) => eprintln!("{e}"),
//! }
//! ```
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod archive;
pub mod arsc;
pub mod axml;
pub mod cluster;
pub mod dex;
pub mod facts;
pub mod features;
pub mod inspect;
pub mod manifest;
pub mod native;
pub mod platform;
pub mod reader;
pub mod report;
pub mod resvalue;
pub mod scan;
pub mod screens;
pub mod signing;
pub mod similarity;
pub mod stringpool;

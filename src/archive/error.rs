//! The two failure types of the archive module: [`ArchiveError`] (nothing
//! useful can be read from the file) and [`EntryError`] (one entry cannot be
//! read; the rest of the archive is still usable).

use crate::reader::Anomaly;

/// The whole file cannot be read as a zip archive.
///
/// Every other oddity is tolerated and recorded as an [`Anomaly`] instead;
/// see [`crate::archive`] for the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The input has zero bytes.
    #[error("empty file: zero bytes cannot be a zip archive")]
    Empty,
    /// The input is larger than [`crate::reader::Limits::max_file_size`].
    #[error("file too large: {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// No end-of-central-directory signature in the last 65,557 bytes.
    #[error("not a zip archive: no end-of-central-directory record found")]
    NotZip,
    /// An end-of-central-directory record was found but its central directory
    /// is neither where it says nor where its size implies.
    #[error(
        "central directory not found: end-of-central-directory record at offset {eocd_offset:#x} \
         points to {declared_offset:#x}, which holds no central directory header"
    )]
    CentralDirectoryNotFound {
        /// Offset of the end-of-central-directory record used.
        eocd_offset: u64,
        /// Central directory offset it declares.
        declared_offset: u64,
    },
    /// The EOCD asks for ZIP64 but the ZIP64 locator or record is missing or corrupt.
    #[error("bad zip64 end-of-central-directory at offset {offset:#x}: {reason}")]
    BadZip64 {
        /// Where the ZIP64 structure was expected.
        offset: u64,
        /// What was wrong.
        reason: &'static str,
    },
    /// The central directory declares entries but not even the first record is readable.
    #[error(
        "central directory truncated beyond repair: no readable record at offset {offset:#x} \
         although {declared} entries are declared"
    )]
    TruncatedCentralDirectory {
        /// Offset of the central directory.
        offset: u64,
        /// Number of entries the EOCD declares.
        declared: u64,
    },
    /// [`crate::archive::Archive::parse_nested`] was asked to go deeper than
    /// [`crate::reader::Limits::max_nesting`].
    #[error("archive nested {depth} levels deep exceeds the limit of {max}")]
    NestingTooDeep {
        /// Requested depth (0 = the APK itself).
        depth: usize,
        /// The configured limit.
        max: usize,
    },
}

/// One entry cannot be read. The archive and its other entries stay usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// The entry inflates (or is stored) to more than
    /// [`crate::reader::Limits::max_entry_size`].
    #[error("entry larger than the limit of {limit} bytes (declared {declared} bytes)")]
    TooLarge {
        /// Uncompressed size declared in the central directory.
        declared: u64,
        /// The configured limit.
        limit: u64,
    },
    /// Inflating produced more than `compressed × max_compression_ratio`
    /// bytes (and more than the ratio floor): a zip bomb.
    #[error(
        "compression ratio above {max_ratio}:1 (zip bomb?): {compressed} compressed bytes \
         inflated past {produced} bytes before reading stopped"
    )]
    CompressionRatio {
        /// Compressed size of the entry.
        compressed: u64,
        /// Bytes produced when inflating was stopped.
        produced: u64,
        /// The configured ratio limit.
        max_ratio: u64,
    },
    /// The sum of bytes inflated from this archive reached
    /// [`crate::reader::Limits::max_total_inflated`].
    #[error("inflate budget for this archive exhausted ({limit} bytes in total)")]
    BudgetExhausted {
        /// The configured limit.
        limit: u64,
    },
    /// The deflate stream is corrupt or ends early.
    #[error("corrupt deflate stream at offset {offset:#x}: {reason}")]
    CorruptDeflate {
        /// Offset of the entry's data.
        offset: u64,
        /// What the inflater said.
        reason: String,
    },
    /// The entry's data lies (partly) outside the file.
    #[error("entry data at offset {offset:#x} ({len} bytes) lies outside the file")]
    DataOutOfBounds {
        /// Where the data starts.
        offset: u64,
        /// How many bytes were needed.
        len: u64,
    },
    /// No usable local file header where the central directory points.
    #[error("no local file header at offset {offset:#x}")]
    BadLocalHeader {
        /// Where the local header was expected.
        offset: u64,
    },
    /// A compression method other than stored/deflate whose data is neither
    /// a deflate stream nor plausibly stored.
    #[error("unsupported compression method {method}: data is neither deflate nor stored")]
    UnsupportedMethod {
        /// The method from the central directory.
        method: u16,
    },
}

impl EntryError {
    /// Stable snake_case code for this error, usable as an [`Anomaly`] code.
    pub fn code(&self) -> &'static str {
        match self {
            EntryError::TooLarge { .. } => "zip_entry_too_large",
            EntryError::CompressionRatio { .. } => "zip_bomb_ratio",
            EntryError::BudgetExhausted { .. } => "zip_inflate_budget_exhausted",
            EntryError::CorruptDeflate { .. } => "zip_corrupt_deflate",
            EntryError::DataOutOfBounds { .. } => "zip_data_out_of_bounds",
            EntryError::BadLocalHeader { .. } => "zip_bad_local_header",
            EntryError::UnsupportedMethod { .. } => "zip_unsupported_method",
        }
    }

    /// Offset in the file the error concerns, when it has one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            EntryError::CorruptDeflate { offset, .. }
            | EntryError::DataOutOfBounds { offset, .. }
            | EntryError::BadLocalHeader { offset } => Some(*offset),
            _ => None,
        }
    }

    /// True for the errors raised by a limit (size, ratio, budget) rather
    /// than by damaged data.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            EntryError::TooLarge { .. }
                | EntryError::CompressionRatio { .. }
                | EntryError::BudgetExhausted { .. }
        )
    }

    /// This error as an anomaly whose detail names the entry.
    pub fn to_anomaly(&self, entry_name: &str) -> Anomaly {
        Anomaly {
            code: self.code(),
            detail: format!("{entry_name}: {self}"),
            offset: self.offset(),
        }
    }
}

//! Raw-deflate inflation (RFC 1951) into a buffer with a hard cap.
//!
//! Declared sizes are only a capacity hint, clamped to the cap and to a few
//! MiB; the buffer grows by doubling up to `cap + 1` bytes and inflating
//! stops as soon as the output passes the cap, so a zip bomb costs at most
//! `cap + 1` bytes of memory whatever it declares.

use flate2::{Decompress, FlushDecompress, Status};
use std::cell::RefCell;

thread_local! {
    /// One inflater per thread, reset between entries: setting one up
    /// (window and state allocation) costs more than inflating a small
    /// layout file.
    static INFLATER: RefCell<Option<Decompress>> = const { RefCell::new(None) };
}

/// Why inflating stopped without a result.
#[derive(Debug)]
pub(crate) enum InflateFail {
    /// Output exceeded the cap after `produced` bytes.
    OverCap { produced: u64 },
    /// The stream is corrupt or ends early.
    Corrupt { produced: u64, reason: String },
}

impl InflateFail {
    pub(crate) fn produced(&self) -> u64 {
        match self {
            InflateFail::OverCap { produced } | InflateFail::Corrupt { produced, .. } => *produced,
        }
    }
}

const MIN_STEP: usize = 32 * 1024;
const MAX_INITIAL: usize = 8 << 20;

/// Inflates the raw deflate stream `input`, producing at most `cap` bytes.
/// `size_hint` (the declared size) only sizes the first allocation.
pub(crate) fn inflate_raw(
    input: &[u8],
    cap: usize,
    size_hint: u64,
) -> Result<Vec<u8>, InflateFail> {
    let hard = cap.saturating_add(1);
    let hint = usize::try_from(size_hint).unwrap_or(usize::MAX);
    let initial = hint
        .saturating_add(1)
        .clamp(MIN_STEP.min(hard), MAX_INITIAL)
        .min(hard);
    let mut d = INFLATER
        .with(|cell| cell.borrow_mut().take())
        .unwrap_or_else(|| Decompress::new(false));
    d.reset(false);
    let result = inflate_with(&mut d, input, cap, initial);
    INFLATER.with(|cell| *cell.borrow_mut() = Some(d));
    result
}

fn inflate_with(
    d: &mut Decompress,
    input: &[u8],
    cap: usize,
    initial: usize,
) -> Result<Vec<u8>, InflateFail> {
    let hard = cap.saturating_add(1);
    let mut out: Vec<u8> = Vec::with_capacity(initial);
    loop {
        if out.len() >= out.capacity() {
            if out.len() >= hard {
                return Err(InflateFail::OverCap {
                    produced: out.len() as u64,
                });
            }
            let step = out.len().max(MIN_STEP).min(hard - out.len());
            out.reserve_exact(step);
        }
        let consumed = usize::try_from(d.total_in()).unwrap_or(usize::MAX);
        let rest = input.get(consumed..).unwrap_or(&[]);
        let (in_before, out_before) = (d.total_in(), d.total_out());
        let status = d
            .decompress_vec(rest, &mut out, FlushDecompress::None)
            .map_err(|e| InflateFail::Corrupt {
                produced: out.len() as u64,
                reason: e.to_string(),
            })?;
        if out.len() > cap {
            return Err(InflateFail::OverCap {
                produced: out.len() as u64,
            });
        }
        match status {
            Status::StreamEnd => return Ok(out),
            Status::Ok | Status::BufError => {
                let stalled = d.total_in() == in_before && d.total_out() == out_before;
                if stalled && out.len() < out.capacity() {
                    let reason = if rest.is_empty() {
                        format!(
                            "stream ends before its final block ({} compressed bytes, {} bytes out)",
                            input.len(),
                            out.len()
                        )
                    } else {
                        "inflater made no progress".to_string()
                    };
                    return Err(InflateFail::Corrupt {
                        produced: out.len() as u64,
                        reason,
                    });
                }
            }
        }
    }
}

/// CRC-32 (IEEE, as in zip) of `data`.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compress, Compression, FlushCompress};

    pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() + 64);
        loop {
            let consumed = c.total_in() as usize;
            let st = c
                .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
                .unwrap();
            if st == Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity().max(64));
        }
    }

    #[test]
    fn roundtrip_and_cap() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let z = deflate(&data);
        assert_eq!(inflate_raw(&z, data.len(), 0).unwrap(), data);
        assert_eq!(inflate_raw(&z, usize::MAX, u64::MAX).unwrap(), data);
        match inflate_raw(&z, data.len() - 1, 10) {
            Err(InflateFail::OverCap { produced }) => assert!(produced as usize <= data.len()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bomb_stops_at_cap_whatever_declared() {
        let zeros = vec![0u8; 8 << 20];
        let z = deflate(&zeros);
        assert!(z.len() < 16 * 1024);
        match inflate_raw(&z, 1 << 20, u64::MAX) {
            Err(InflateFail::OverCap { produced }) => assert_eq!(produced, (1 << 20) + 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_and_garbage() {
        let data = vec![7u8; 10_000];
        let z = deflate(&data);
        assert!(matches!(
            inflate_raw(&z[..z.len() / 2], 1 << 20, 0),
            Err(InflateFail::Corrupt { .. })
        ));
        assert!(matches!(
            inflate_raw(&[0xff; 64], 1 << 20, 0),
            Err(InflateFail::Corrupt { .. })
        ));
        assert!(matches!(
            inflate_raw(&[], 1 << 20, 0),
            Err(InflateFail::Corrupt { .. })
        ));
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}

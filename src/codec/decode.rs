//! Source bytes to `engine::Image` (RGBA8, sRGB, straight alpha), the first step after storage
//! in the copyImage and `/is/image` flow. The header is read first and the pixel limit checked
//! before any pixel is decoded; then the format's decoder runs (JPEG: `decode_jpeg`, with DCT
//! shrink-on-load; the others: `decode_other`, then `box_shrink` for the same factor), embedded
//! ICC profiles are converted to sRGB (`icc`) and the EXIF orientation is applied (`orient`), so
//! callers always see the image as displayed. Decoder panics are caught and reported as corrupt
//! data.

use super::{decode_jpeg, decode_other, orient, CodecError};
use crate::engine::Image;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Formats ipsd reads (the ones `probe` accepts on upload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Gif,
    Tiff,
    Webp,
    Bmp,
}

impl SourceFormat {
    /// Recognises a format from its magic bytes.
    pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
        let starts = |m: &[u8]| bytes.starts_with(m);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(SourceFormat::Jpeg)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(SourceFormat::Png)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(SourceFormat::Gif)
        } else if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
            Some(SourceFormat::Tiff)
        } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(SourceFormat::Webp)
        } else if starts(b"BM") {
            Some(SourceFormat::Bmp)
        } else {
            None
        }
    }

    /// The stored-format name (as `probe::format_name` and `ImageMeta::format` spell it).
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "jpeg",
            SourceFormat::Png => "png",
            SourceFormat::Gif => "gif",
            SourceFormat::Tiff => "tiff",
            SourceFormat::Webp => "webp",
            SourceFormat::Bmp => "bmp",
        }
    }
}

/// Limits and hints for one decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Largest accepted `width × height` of the stored image; checked from the header.
    pub max_pixels: u64,
    /// Shrink-on-load hint: 1, 2, 4 or 8 (other values are rounded down to one of these). JPEG
    /// decodes at 1/`shrink` of its size (DCT scaling); the other formats decode whole and are
    /// then averaged over `shrink` x `shrink` blocks (`box_shrink`). Either way the image is
    /// `ceil(w / shrink) x ceil(h / shrink)`; the caller must still resample to the exact size.
    pub shrink: u32,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_pixels: 100_000_000,
            shrink: 1,
        }
    }
}

/// What the header says, before any pixel is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: SourceFormat,
    /// Displayed width (after the EXIF orientation).
    pub width: u32,
    /// Displayed height (after the EXIF orientation).
    pub height: u32,
    /// The stored pixels may be transparent: an alpha channel or a transparent palette entry
    /// (always true for GIF, whose decoder reports RGBA).
    pub has_alpha: bool,
    /// EXIF orientation, 1..=8 (1: stored as displayed; 5..=8 swap width and height).
    pub orientation: u8,
}

impl Header {
    /// Width and height of the pixels as stored (before the orientation is applied).
    pub fn stored_size(&self) -> (u32, u32) {
        if orient::swaps_axes(self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }

    /// `width × height`.
    pub fn pixels(&self) -> u64 {
        self.width as u64 * self.height as u64
    }
}

/// A decoded image and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// RGBA8 sRGB straight alpha, as displayed; `shrink` times smaller than the header's size
    /// (rounded up) when shrink-on-load applied.
    pub image: Image,
    /// The full-size header.
    pub header: Header,
    /// The shrink-on-load factor actually used (1, 2, 4 or 8): the DCT scale denominator for
    /// JPEG, the block size of `box_shrink` for the others.
    pub shrink: u32,
}

/// Reads the format, size, alpha and orientation without decoding pixels.
pub fn header(bytes: &[u8]) -> Result<Header, CodecError> {
    guard(|| read_header(bytes))
}

/// Decodes `bytes` to RGBA8 sRGB as displayed. Refuses over-limit images before decoding.
pub fn decode(bytes: &[u8], opts: &DecodeOptions) -> Result<Decoded, CodecError> {
    let _running = Running::enter();
    guard(|| {
        let header = read_header(bytes)?;
        check_limit(&header, opts.max_pixels)?;
        let shrink = shrink_factor(opts.shrink);
        let (stored, shrink) = match header.format {
            SourceFormat::Jpeg => decode_jpeg::decode(bytes, &header, shrink)?,
            f => (decode_other::decode(bytes, f, &header, shrink)?, shrink),
        };
        Ok(Decoded {
            image: orient::apply(stored, header.orientation),
            header,
            shrink,
        })
    })
}

/// Render work running in this process on the CPU: decodes, and a render's engine steps and
/// encode (`render::finish` holds a `Running` through them). A decode may use a second core
/// only when it runs alone (`jpeg_mcu`'s two-halves scan, `jpeg_prog`, `decode_png`);
/// otherwise the cores already have work, and a decode that takes two of them only slows that
/// work down (`decode_png` then decodes its halves in one loop on its own core instead).
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Counts one piece of running render work while it lives.
pub struct Running;

impl Running {
    pub fn enter() -> Running {
        RUNNING.fetch_add(1, Ordering::Relaxed);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// True when no other render work runs now.
pub(super) fn runs_alone() -> bool {
    RUNNING.load(Ordering::Relaxed) <= 1
}

/// The threads a decode's second core runs on: a pool of their own, not the shared rayon pool.
/// A decode's parallel part runs tens of milliseconds; on the shared pool it would hold the
/// threads that another render's engine steps (short parallel loops, waited for by their
/// caller) need, stalling them until it ends. On threads of their own the OS shares the cores.
/// One thread per core, as the shared pool has (the progressive IDCT rows use them all); `None`
/// if the pool cannot be built (the shared pool then serves).
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
            .thread_name(|i| format!("ipsd-decode-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `a` and `b` at once (a decode's two halves) on the decode threads (`pool`).
pub(super) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    RA: Send,
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    match pool() {
        Some(p) => p.join(a, b),
        None => rayon::join(a, b),
    }
}

/// Runs `f` on the decode threads (`pool`): its parallel loops run there.
pub(super) fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// True when this decode may take a second core: there is one, and no other render work runs.
pub(super) fn spare_core() -> bool {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    cores > 1 && runs_alone()
}

fn read_header(bytes: &[u8]) -> Result<Header, CodecError> {
    let format = SourceFormat::sniff(bytes).ok_or(CodecError::Unsupported)?;
    let header = match format {
        SourceFormat::Jpeg => decode_jpeg::header(bytes)?,
        f => decode_other::header(bytes, f)?,
    };
    if header.width == 0 || header.height == 0 {
        return Err(CodecError::corrupt("image has zero width or height"));
    }
    Ok(header)
}

fn check_limit(h: &Header, limit: u64) -> Result<(), CodecError> {
    if h.pixels() > limit {
        return Err(CodecError::TooLarge {
            width: h.width,
            height: h.height,
            pixels: h.pixels(),
            limit,
        });
    }
    Ok(())
}

/// The supported DCT scale at or below the hint.
fn shrink_factor(hint: u32) -> u32 {
    match hint {
        8.. => 8,
        4..=7 => 4,
        2..=3 => 2,
        _ => 1,
    }
}

/// Runs a decoder, turning a panic inside a third-party decoder into `Corrupt`.
fn guard<T>(f: impl FnOnce() -> Result<T, CodecError>) -> Result<T, CodecError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(CodecError::corrupt("the decoder failed on this data")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(
            SourceFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(SourceFormat::Jpeg)
        );
        assert_eq!(SourceFormat::sniff(b"GIF89a..."), Some(SourceFormat::Gif));
        assert_eq!(
            SourceFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(SourceFormat::Webp)
        );
        assert_eq!(SourceFormat::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(SourceFormat::sniff(b""), None);
        assert_eq!(header(b"hello"), Err(CodecError::Unsupported));
    }

    #[test]
    fn shrink_hint_rounds_down_to_a_dct_scale() {
        let got: Vec<u32> = [0, 1, 2, 3, 4, 5, 7, 8, 100].map(shrink_factor).to_vec();
        assert_eq!(got, vec![1, 1, 2, 2, 4, 4, 4, 8, 8]);
    }

    #[test]
    fn decode_halves_and_loops_run_on_the_decode_threads() {
        use rayon::prelude::*;
        let name = || std::thread::current().name().unwrap_or("").to_owned();
        let (a, b) = join(name, name);
        let loops: Vec<String> = install(|| (0..64).into_par_iter().map(|_| name()).collect());
        for n in loops.iter().chain([&a, &b]) {
            assert!(
                n.starts_with("ipsd-decode-"),
                "ran on {n:?}, not a decode thread"
            );
        }
    }

    #[test]
    fn guard_turns_panics_into_corrupt() {
        let r: Result<(), _> = guard(|| panic!("boom"));
        assert!(matches!(r, Err(CodecError::Corrupt(_))));
    }
}

//! Image codecs: `probe` (upload validation), `decode` (bytes to `engine::Image`, with pixel
//! limits checked from the header first, EXIF orientation, ICC to sRGB and shrink-on-load)
//! and `encode` (`engine::Image` to the `fmt=` format). Only pure Rust crates or C built with
//! `cc`: `cargo build` needs no cmake or nasm.

mod box_shrink;
#[cfg(target_arch = "x86_64")]
mod box_shrink_avx2;
#[cfg(target_arch = "x86_64")]
mod box_shrink_sse2;
pub mod decode;
mod decode_jpeg;
mod decode_other;
mod decode_png;
pub mod encode;
mod encode_gif;
mod encode_jpeg;
mod encode_png;
mod encode_tiff;
mod encode_webp;
mod icc;
mod inflate;
mod inflate_out;
mod inflate_split;
mod jpeg_fast;
mod jpeg_huff;
mod jpeg_mcu;
mod jpeg_prog;
mod jpeg_prog_scan;
mod jpeg_scans;
mod orient;
pub mod palette;
mod png_rows;
pub mod probe;
pub mod profile;
mod unfilter;
#[cfg(target_arch = "x86_64")]
mod unfilter_sse2;

pub use decode::{decode, header, DecodeOptions, Decoded, Header, SourceFormat};
pub use encode::encode;
pub use palette::{PaletteKind, Quantize};
pub use profile::{Intent, OutputMeta, Profile};

/// Why bytes could not be decoded or an image encoded. Messages are public (they may reach a
/// SOAP fault or an HTTP error body): they name the problem, never a path or an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Not JPEG, PNG, GIF, TIFF, WebP or BMP.
    #[error("not a supported image file (JPEG, PNG, GIF, TIFF, WebP or BMP)")]
    Unsupported,
    /// The header's pixel count is over `DecodeOptions::max_pixels`; nothing was decoded.
    #[error("image is {width}x{height} = {pixels} pixels, over the limit of {limit}")]
    TooLarge {
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    /// Corrupt, truncated or otherwise undecodable data (including zero-sized images).
    #[error("image data is corrupt or truncated: {0}")]
    Corrupt(String),
    /// The encoder refused the image (for example over a format's size limit).
    #[error("cannot encode the image: {0}")]
    Encode(String),
    /// The request's own limit cannot be met (`jpegSize=`): the caller's error, not the server's.
    #[error("{0}")]
    Unmet(String),
}

impl CodecError {
    /// A `Corrupt` error from a decoder's message, cut to a readable length.
    pub(crate) fn corrupt(msg: impl std::fmt::Display) -> CodecError {
        CodecError::Corrupt(clip(msg.to_string()))
    }

    /// An `Encode` error from an encoder's message, cut to a readable length.
    pub(crate) fn encode(msg: impl std::fmt::Display) -> CodecError {
        CodecError::Encode(clip(msg.to_string()))
    }
}

fn clip(mut s: String) -> String {
    const MAX: usize = 200;
    if s.len() > MAX {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Output formats of `fmt=` (spec/is-protocol.md §4.33) that ipsd encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `jpeg`/`jpg`.
    Jpeg,
    /// `pjpeg`: progressive JPEG (`pscan=`).
    Pjpeg,
    /// `png`: 24-bit, alpha flattened onto `bgc`.
    Png,
    /// `png-alpha`: 32-bit.
    PngAlpha,
    /// `png8`: 8-bit palette (`quantize=`), alpha flattened.
    Png8,
    /// `png8-alpha`: palette with a transparent key colour.
    Png8Alpha,
    /// `gif`: palette, alpha flattened.
    Gif,
    /// `gif-alpha`: palette with a key colour for transparency.
    GifAlpha,
    /// `tif`: RGB.
    Tif,
    /// `tif-alpha`: RGBA.
    TifAlpha,
    /// `webp`: alpha flattened.
    Webp,
    /// `webp-alpha`.
    WebpAlpha,
}

impl Format {
    /// Whether the output keeps an alpha channel (otherwise the plan flattens onto `bgc`).
    pub fn has_alpha(self) -> bool {
        matches!(
            self,
            Format::PngAlpha
                | Format::Png8Alpha
                | Format::GifAlpha
                | Format::TifAlpha
                | Format::WebpAlpha
        )
    }

    /// MIME type of the encoded output.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg | Format::Pjpeg => "image/jpeg",
            Format::Png | Format::PngAlpha | Format::Png8 | Format::Png8Alpha => "image/png",
            Format::Gif | Format::GifAlpha => "image/gif",
            Format::Tif | Format::TifAlpha => "image/tiff",
            Format::Webp | Format::WebpAlpha => "image/webp",
        }
    }

    /// The stored-format name used in the catalog (`ImageMeta::format`) and file extensions.
    pub fn stored_name(self) -> &'static str {
        match self {
            Format::Jpeg | Format::Pjpeg => "jpeg",
            Format::Png | Format::PngAlpha | Format::Png8 | Format::Png8Alpha => "png",
            Format::Gif | Format::GifAlpha => "gif",
            Format::Tif | Format::TifAlpha => "tiff",
            Format::Webp | Format::WebpAlpha => "webp",
        }
    }

    /// File extension for asset file names.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg | Format::Pjpeg => "jpg",
            Format::Png | Format::PngAlpha | Format::Png8 | Format::Png8Alpha => "png",
            Format::Gif | Format::GifAlpha => "gif",
            Format::Tif | Format::TifAlpha => "tif",
            Format::Webp | Format::WebpAlpha => "webp",
        }
    }
}

/// Compression choice of `fmt=…,,compression` where the format has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// The format's default (lossy for WebP, none for TIFF).
    #[default]
    Default,
    Lossy,
    Lossless,
    Lzw,
    Zip,
    None,
}

/// Everything the encoder needs, resolved by the plan from `fmt=`, `qlt=`, `pscan=`, `icc=`,
/// `iccEmbed=`, `printRes=` and `quantize=`.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeOptions {
    pub format: Format,
    /// 1..=100 (`qlt=` quality; JPEG and lossy WebP).
    pub quality: u8,
    /// `qlt=…,1`: no chroma subsampling (JPEG 4:4:4).
    pub no_chroma_subsampling: bool,
    /// `pscan=`: None = auto; Some(3..=5) scans.
    pub pscan: Option<u8>,
    pub compression: Compression,
    /// Output profile, `iccEmbed=` and `printRes=`.
    pub meta: OutputMeta,
    /// `quantize=`: the palette of GIF and PNG8 output.
    pub quantize: Quantize,
    /// `jpegSize=`: largest JPEG in KiB (0: no limit); quality is lowered until it fits.
    pub jpeg_size_kb: u32,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            format: Format::Jpeg,
            quality: 80,
            no_chroma_subsampling: false,
            pscan: None,
            compression: Compression::Default,
            meta: OutputMeta::default(),
            quantize: Quantize::default(),
            jpeg_size_kb: 0,
        }
    }
}

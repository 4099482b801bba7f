//! JPEG output of `encode` (`fmt=jpeg` and `fmt=pjpeg`) with `jpeg-encoder` (pure Rust, AVX2
//! when the CPU has it). `qlt=` sets the quality and its chroma flag 4:4:4 instead of 4:2:0.
//! Progressive output uses spectral selection: `pscan=N` sends the DC coefficients first, then
//! the AC coefficients in N − 1 bands, each pass covering every component; `auto` is the
//! encoder's default of 4. Progressive files get optimised Huffman tables (the encoder keeps
//! all coefficients for them anyway); baseline uses the standard tables, which is faster.
//! The alpha channel is ignored: the plan has flattened it. `printRes=` goes into the JFIF
//! density (whole dots per inch), `iccEmbed=1` into APP2 `ICC_PROFILE` segments. `jpegSize=`
//! lowers the quality until the file fits (`fit`).

use super::encode::whole_dpi;
use super::{CodecError, EncodeOptions, Format};
use crate::engine::Image;
use jpeg_encoder::{ColorType, Encoder, PixelDensity, SamplingFactor};

pub(super) fn encode(img: &Image, opts: &EncodeOptions) -> Result<Vec<u8>, CodecError> {
    let first = at_quality(img, opts, opts.quality.clamp(1, 100))?;
    match opts.jpeg_size_kb {
        0 => Ok(first),
        kb if first.len() as u64 <= u64::from(kb) * 1024 => Ok(first),
        kb => fit(img, opts, u64::from(kb) * 1024),
    }
}

/// `jpegSize=`: the highest quality below the requested one whose file fits in `max` bytes
/// (a binary search, at most 7 more encodes), or `Unmet` when quality 1 does not fit.
fn fit(img: &Image, opts: &EncodeOptions, max: u64) -> Result<Vec<u8>, CodecError> {
    let (mut lo, mut hi) = (1u8, opts.quality.clamp(1, 100) - 1);
    let mut best = None;
    while lo <= hi && hi >= 1 {
        let q = lo + (hi - lo) / 2;
        let out = at_quality(img, opts, q)?;
        if out.len() as u64 <= max {
            best = Some(out);
            lo = q + 1;
        } else {
            hi = q - 1;
        }
    }
    best.ok_or_else(|| {
        CodecError::Unmet(format!(
            "jpegSize: the {}x{} JPEG does not fit in {} KB even at quality 1",
            img.width, img.height, opts.jpeg_size_kb
        ))
    })
}

fn at_quality(img: &Image, opts: &EncodeOptions, quality: u8) -> Result<Vec<u8>, CodecError> {
    let (w, h) = dims(img)?;
    let mut out = Vec::with_capacity(img.data.len() / 8);
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_sampling_factor(if opts.no_chroma_subsampling {
        SamplingFactor::R_4_4_4
    } else {
        SamplingFactor::R_4_2_0
    });
    if opts.format == Format::Pjpeg {
        enc.set_progressive_scans(opts.pscan.unwrap_or(4).clamp(3, 5));
        enc.set_optimized_huffman_tables(true);
    }
    if let Some(dpi) = opts.meta.print_res {
        enc.set_density(PixelDensity::dpi(whole_dpi(dpi, u16::MAX as f64) as u16));
    }
    if let Some(icc) = opts.meta.icc_to_embed()? {
        enc.add_icc_profile(&icc).map_err(CodecError::encode)?;
    }
    enc.encode(&img.data, w, h, ColorType::Rgba)
        .map_err(CodecError::encode)?;
    Ok(out)
}

fn dims(img: &Image) -> Result<(u16, u16), CodecError> {
    match (u16::try_from(img.width), u16::try_from(img.height)) {
        (Ok(w), Ok(h)) => Ok((w, h)),
        _ => Err(CodecError::encode("JPEG is limited to 65535x65535 pixels")),
    }
}

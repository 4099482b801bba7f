//! JPEG output of `encode` (`fmt=jpeg` and `fmt=pjpeg`) with `jpeg-encoder` (pure Rust, AVX2
//! when the CPU has it). `qlt=` sets the quality and its chroma flag 4:4:4 instead of 4:2:0.
//! Progressive output uses spectral selection: `pscan=N` sends the DC coefficients first, then
//! the AC coefficients in N − 1 bands, each pass covering every component; `auto` is the
//! encoder's default of 4. Progressive files get optimised Huffman tables (the encoder keeps
//! all coefficients for them anyway); baseline uses the standard tables, which is faster.
//! The alpha channel is ignored: the plan has flattened it. `printRes=` goes into the JFIF
//! density (whole dots per inch), `iccEmbed=1` into APP2 `ICC_PROFILE` segments.

use super::encode::whole_dpi;
use super::{CodecError, EncodeOptions, Format};
use crate::engine::Image;
use jpeg_encoder::{ColorType, Encoder, PixelDensity, SamplingFactor};

pub(super) fn encode(img: &Image, opts: &EncodeOptions) -> Result<Vec<u8>, CodecError> {
    let (w, h) = dims(img)?;
    let mut out = Vec::with_capacity(img.data.len() / 8);
    let mut enc = Encoder::new(&mut out, opts.quality.clamp(1, 100));
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

//! TIFF output of `encode` (`fmt=tif`, `fmt=tif-alpha`) with the `tiff` crate: 8-bit RGB or
//! RGBA (unassociated alpha), one image, compression from `fmt=tif,,compression`: `none`
//! (default), `lzw` or `zip` (deflate), both with the horizontal predictor. `jpeg` compression is
//! not available in a pure-Rust TIFF encoder, so lossy (and lossless) requests get LZW.
//! `printRes=` sets X/YResolution in inches (to 1/100 dpi), `iccEmbed=1` the ICC tag (34675).

use super::encode::rgb;
use super::{CodecError, Compression, EncodeOptions};
use crate::engine::Image;
use std::io::{Cursor, Seek, Write};
use tiff::encoder::colortype::{self, ColorType};
use tiff::encoder::{Compression as Tc, DeflateLevel, Predictor, Rational, TiffEncoder, TiffKind};
use tiff::tags::{ResolutionUnit, Tag};

pub(super) fn encode(
    img: &Image,
    alpha: bool,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, CodecError> {
    let compression = match opts.compression {
        Compression::Default | Compression::None => Tc::Uncompressed,
        Compression::Zip => Tc::Deflate(DeflateLevel::Fast),
        Compression::Lzw | Compression::Lossy | Compression::Lossless => Tc::Lzw,
    };
    let predictor = if compression == Tc::Uncompressed {
        Predictor::None
    } else {
        Predictor::Horizontal
    };
    let mut out = Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut out)
        .map_err(CodecError::encode)?
        .with_compression(compression)
        .with_predictor(predictor);
    if alpha {
        write::<_, colortype::RGBA8, _>(&mut enc, img, &img.data, opts)?;
    } else {
        write::<_, colortype::RGB8, _>(&mut enc, img, &rgb(img), opts)?;
    }
    Ok(out.into_inner())
}

fn write<W: Write + Seek, C: ColorType<Inner = u8>, K: TiffKind>(
    enc: &mut TiffEncoder<W, K>,
    img: &Image,
    data: &[u8],
    opts: &EncodeOptions,
) -> Result<(), CodecError> {
    let mut image = enc
        .new_image::<C>(img.width, img.height)
        .map_err(CodecError::encode)?;
    if let Some(dpi) = opts.meta.print_res {
        let n = (dpi * 100.0).round().clamp(1.0, u32::MAX as f64) as u32;
        image.resolution(ResolutionUnit::Inch, Rational { n, d: 100 });
    }
    if let Some(icc) = opts.meta.icc_to_embed()? {
        image
            .encoder()
            .write_tag(Tag::IccProfile, &icc[..])
            .map_err(CodecError::encode)?;
    }
    image.write_data(data).map_err(CodecError::encode)
}

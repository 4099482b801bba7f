//! TIFF output of `encode` (`fmt=tif`, `fmt=tif-alpha`) with the `tiff` crate: 8-bit RGB or
//! RGBA (unassociated alpha), one image, compression from `fmt=tif,,compression`: `none`
//! (default), `lzw` or `zip` (deflate), both with the horizontal predictor. `jpeg` compression is
//! not available in a pure-Rust TIFF encoder, so lossy (and lossless) requests get LZW.

use super::encode::rgb;
use super::{CodecError, Compression};
use crate::engine::Image;
use std::io::Cursor;
use tiff::encoder::{colortype, Compression as Tc, DeflateLevel, Predictor, TiffEncoder};

pub(super) fn encode(img: &Image, alpha: bool, c: Compression) -> Result<Vec<u8>, CodecError> {
    let compression = match c {
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
    let (w, h) = (img.width, img.height);
    let r = if alpha {
        enc.write_image::<colortype::RGBA8>(w, h, &img.data)
    } else {
        enc.write_image::<colortype::RGB8>(w, h, &rgb(img))
    };
    r.map_err(CodecError::encode)?;
    Ok(out.into_inner())
}

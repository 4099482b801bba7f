//! GIF output of `encode` (`fmt=gif`, `fmt=gif-alpha`): one frame with a global palette from
//! `palette` (`quantize=`; by default an exact palette when the image has at most 256 colours,
//! 255 with transparency, else NeuQuant with Floyd–Steinberg, the spec's default
//! `adaptive,diffuse,256`). `gif-alpha` gets a transparent key entry for pixels with alpha
//! below 128; `gif` has no transparency (the plan flattened alpha).

use super::palette::{self, Quantize};
use super::CodecError;
use crate::engine::Image;
use std::borrow::Cow;

pub(super) fn encode(img: &Image, alpha: bool, q: &Quantize) -> Result<Vec<u8>, CodecError> {
    let (w, h) = match (u16::try_from(img.width), u16::try_from(img.height)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => return Err(CodecError::encode("GIF is limited to 65535x65535 pixels")),
    };
    let ix = palette::index(img, alpha, q);
    let flat: Vec<u8> = ix.palette.iter().flatten().copied().collect();
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w, h, &flat).map_err(CodecError::encode)?;
        let frame = gif::Frame {
            width: w,
            height: h,
            buffer: Cow::Owned(ix.indices),
            transparent: ix.key,
            ..gif::Frame::default()
        };
        enc.write_frame(&frame).map_err(CodecError::encode)?;
    }
    Ok(out)
}

//! JPEG decoding for `decode`: header and EXIF orientation from `jpeg-decoder`'s marker parser;
//! pixels from `zune-jpeg` for full-size YCbCr/RGB/gray images (the faster full decoder), from
//! `jpeg_fast` and `jpeg_prog` for shrink-on-load of baseline and progressive YCbCr/gray files
//! (1/2, 1/4 or 1/8, straight to RGBA), and from `jpeg-decoder` for every other shrink-on-load
//! (anything those two decline; progressive files after `jpeg_scans` cut the scans its reduced IDCT
//! does not read) and for 4-channel CMYK/YCCK images, whose raw ink values it returns
//! (Adobe-inverted data, as Photoshop and Pillow write it, and YCCK are both turned into plain
//! CMYK; it assumes Adobe inversion for every 4-channel JPEG, like browsers do). Colour then goes
//! to sRGB through `icc`. A damaged file that only zune-jpeg reads is decoded at full size and
//! block-averaged when a smaller size is asked for. A JPEG whose last scan has no end-of-image
//! marker is refused as truncated, because both decoders would pad the missing data silently.
//! A JPEG with more than `MAX_SCANS` scans is refused before decoding (`check_scans`, so also by
//! the upload probe, which decodes through here): every progressive scan is another pass over
//! all of the image's coefficients, so a small file of thousands of tiny scans would cost
//! thousands of passes (a decompression bomb).

use super::decode::{Header, SourceFormat};
use super::icc::{self, Source};
use super::{box_shrink, orient, CodecError};
use super::{jpeg_fast, jpeg_prog, jpeg_scans};
use crate::engine::Image;
use jpeg_decoder::{CodingProcess, Decoder, PixelFormat};
use std::borrow::Cow;
use zune_jpeg::zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};

/// Most scans accepted in a JPEG (libjpeg-turbo's suggested scan limit; progressive encoders
/// write about 10, baseline files 1 to 4).
pub const MAX_SCANS: usize = 500;

pub(super) fn header(bytes: &[u8]) -> Result<Header, CodecError> {
    let mut d = Decoder::new(bytes);
    d.read_info().map_err(CodecError::corrupt)?;
    let info = d
        .info()
        .ok_or_else(|| CodecError::corrupt("JPEG has no frame header"))?;
    let orientation = d.exif_data().map(orient::from_exif).unwrap_or(1);
    let (w, h) = (info.width as u32, info.height as u32);
    let (width, height) = if orient::swaps_axes(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    Ok(Header {
        format: SourceFormat::Jpeg,
        width,
        height,
        has_alpha: false,
        orientation,
    })
}

/// Decodes the stored (not yet oriented) pixels, at 1/`shrink` size when `shrink > 1`. Returns
/// the image and the scale denominator actually used.
///
/// A file that only the full-size decoder reads (damaged entropy-coded data, which zune-jpeg
/// decodes as well as it can, as browsers show such files, while `jpeg_fast`, `jpeg_prog` and
/// `jpeg-decoder` refuse it) is decoded at full size and block-averaged (`box_shrink`) instead:
/// every file the upload probe accepts (a full-size decode) renders at every size.
pub(super) fn decode(bytes: &[u8], h: &Header, shrink: u32) -> Result<(Image, u32), CodecError> {
    if !has_eoi(bytes) {
        return Err(CodecError::corrupt(
            "JPEG ends before its end-of-image marker",
        ));
    }
    match decode_at(bytes, h, shrink) {
        Err(CodecError::Corrupt(e)) if shrink > 1 => match decode_at(bytes, h, 1) {
            Ok((full, _)) => Ok((box_shrink::shrink(full, shrink), shrink)),
            Err(_) => Err(CodecError::Corrupt(e)),
        },
        done => done,
    }
}

/// `decode` by the decoders for 1/`shrink` (DCT scaling), without the full-size fallback.
fn decode_at(bytes: &[u8], h: &Header, shrink: u32) -> Result<(Image, u32), CodecError> {
    let (w, ht) = h.stored_size();
    // The progressive scans a scaled decode reads; declared before the decoder that borrows it.
    let cut;
    let mut d = decoder(bytes, w, ht)?;
    let info = d.info().ok_or_else(|| CodecError::corrupt("no frame"))?;
    check_scans(bytes)?;
    let plain = matches!(info.pixel_format, PixelFormat::RGB24 | PixelFormat::L8);
    if shrink == 1 && plain {
        return Ok((decode_zune(bytes, w, ht)?, 1));
    }
    let scale = set_scale(&mut d, w, ht, shrink)?;
    if scale > 1 && plain {
        let n = (8 / scale) as usize;
        let own = match info.coding_process {
            CodingProcess::DctSequential => jpeg_fast::decode(bytes, n),
            CodingProcess::DctProgressive => jpeg_prog::decode(bytes, n),
            CodingProcess::Lossless => None,
        };
        if let Some(mut img) = own {
            check_size(&img, w.div_ceil(scale), ht.div_ceil(scale))?;
            let gray = info.pixel_format == PixelFormat::L8;
            let source = if gray { Source::Gray } else { Source::Rgb };
            icc::to_srgb(&mut img, d.icc_profile().as_deref(), source);
            return Ok((img, scale));
        }
    }
    if scale > 1 && info.coding_process == CodingProcess::DctProgressive {
        cut = jpeg_scans::needed_scans(bytes, (8 / scale) as usize);
        if let Cow::Owned(fewer) = &cut {
            d = decoder(fewer, w, ht)?;
            set_scale(&mut d, w, ht, shrink)?;
        }
    }
    let pixels = d.decode().map_err(CodecError::corrupt)?;
    let info = d.info().ok_or_else(|| CodecError::corrupt("no frame"))?;
    let (ow, oh) = (info.width as u32, info.height as u32);
    let icc = d.icc_profile();
    let img = match info.pixel_format {
        PixelFormat::CMYK32 => icc::cmyk_to_rgba(&pixels, ow, oh, icc.as_deref()),
        PixelFormat::RGB24 => {
            let mut img = expand(&pixels, ow, oh, 3);
            icc::to_srgb(&mut img, icc.as_deref(), Source::Rgb);
            img
        }
        PixelFormat::L8 => {
            let mut img = expand(&pixels, ow, oh, 1);
            icc::to_srgb(&mut img, icc.as_deref(), Source::Gray);
            img
        }
        PixelFormat::L16 => {
            let high: Vec<u8> = pixels
                .chunks_exact(2)
                .map(|p| (u16::from_ne_bytes([p[0], p[1]]) >> 8) as u8)
                .collect();
            expand(&high, ow, oh, 1)
        }
    };
    check_size(&img, ow, oh)?;
    Ok((img, scale))
}

/// A decoder past the frame header that may allocate only the buffers of a `w` x `h` image.
fn decoder(bytes: &[u8], w: u32, h: u32) -> Result<Decoder<&[u8]>, CodecError> {
    let mut d = Decoder::new(bytes);
    d.read_info().map_err(CodecError::corrupt)?;
    d.set_max_decoding_buffer_size(buffer_limit(w, h));
    Ok(d)
}

/// Asks `d` for 1/`shrink` of `w` x `h` and returns the scale denominator it took (8, 4, 2 or
/// 1; its reduced IDCT then outputs 8/scale pixels per block side).
fn set_scale(d: &mut Decoder<&[u8]>, w: u32, h: u32, shrink: u32) -> Result<u32, CodecError> {
    if shrink == 1 {
        return Ok(1);
    }
    let req = |v: u32| v.div_ceil(shrink).clamp(1, u16::MAX as u32) as u16;
    let (sw, _) = d.scale(req(w), req(h)).map_err(CodecError::corrupt)?;
    Ok([8, 4, 2, 1]
        .into_iter()
        .find(|s| w.div_ceil(*s) == sw as u32)
        .unwrap_or(1))
}

/// The full-size decode, into a kept buffer (`crate::buffers`): a fresh 48 MB for every 12 MP
/// photo cropped or filtered at full size, while the kept ones sat unused, cost ~48 MB of peak
/// RSS. zune-jpeg writes every output byte, damaged files too (tested below).
fn decode_zune(bytes: &[u8], w: u32, h: u32) -> Result<Image, CodecError> {
    let size = w as usize * h as usize * 4;
    zune_into(bytes, w, h, crate::buffers::take(size))
}

/// `decode_zune` into `out` (`w * h * 4` bytes, any contents).
fn zune_into(bytes: &[u8], w: u32, h: u32, out: Vec<u8>) -> Result<Image, CodecError> {
    let opts = DecoderOptions::default()
        .set_max_width(w as usize)
        .set_max_height(h as usize)
        .jpeg_set_out_colorspace(ColorSpace::RGBA);
    let mut d = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), opts);
    // An `Image` from here on, so that `out` goes back to the kept buffers on every error.
    let mut img = Image {
        width: w,
        height: h,
        data: out,
    };
    d.decode_headers().map_err(CodecError::corrupt)?;
    // Every byte is written only when the frame is exactly the buffer's size.
    if d.output_buffer_size() != Some(img.data.len()) {
        return Err(CodecError::corrupt(
            "decoded size does not match the header",
        ));
    }
    d.decode_into(&mut img.data).map_err(CodecError::corrupt)?;
    let gray = d.input_colorspace() == Some(ColorSpace::Luma);
    let source = if gray { Source::Gray } else { Source::Rgb };
    icc::to_srgb(&mut img, d.icc_profile().as_deref(), source);
    Ok(img)
}

fn check_size(img: &Image, w: u32, h: u32) -> Result<(), CodecError> {
    if img.data.len() != w as usize * h as usize * 4 {
        return Err(CodecError::corrupt(
            "decoded size does not match the header",
        ));
    }
    Ok(())
}

/// RGB or gray samples to RGBA8.
fn expand(src: &[u8], w: u32, h: u32, channels: usize) -> Image {
    let mut data = vec![255u8; w as usize * h as usize * 4];
    if channels == 1 {
        for (d, v) in data.chunks_exact_mut(4).zip(src) {
            d[..3].fill(*v);
        }
    } else {
        for (d, p) in data.chunks_exact_mut(4).zip(src.chunks_exact(channels)) {
            d[..3].copy_from_slice(&p[..3]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

/// Refuses a file with more than `MAX_SCANS` start-of-scan markers (FF DA). Entropy-coded data
/// stuffs every FF with 00, so only markers (and bytes inside other segments, such as an EXIF
/// thumbnail's own scan) can match: the count is never below the real number of scans.
pub(crate) fn check_scans(b: &[u8]) -> Result<(), CodecError> {
    // memchr finds the rare FF bytes with SIMD: ~0.3 ms for a 4 MB file, against ~3 ms for a
    // byte-pair scan.
    let scans = memchr::memchr_iter(0xFF, b)
        .filter(|&i| b.get(i + 1) == Some(&0xDA))
        .count();
    if scans > MAX_SCANS {
        return Err(CodecError::corrupt(format!(
            "JPEG has {scans} scans; at most {MAX_SCANS} are accepted"
        )));
    }
    Ok(())
}

/// Room for 4 components of 16-bit coefficients (progressive) plus the output buffer.
fn buffer_limit(w: u32, h: u32) -> usize {
    let px = (w as usize).div_ceil(8) * 8 * (h as usize).div_ceil(8) * 8;
    px.saturating_mul(16).max(1 << 20)
}

/// True when an EOI marker (FF D9) follows the last start-of-scan (FF DA). Entropy-coded data
/// stuffs every FF with 00, so an FF D9 after the last SOS is the real end of the image. Same as
/// "the last FF D9 comes after the last FF DA", which is found from both ends of the file
/// without scanning the entropy-coded data: the last EOI from the end, the first SOS from the
/// start.
fn has_eoi(b: &[u8]) -> bool {
    let marker = |m: u8| move |w: &[u8]| w == [0xFF, m];
    match b.windows(2).rposition(marker(0xD9)) {
        Some(eoi) => {
            !b[eoi..].windows(2).any(marker(0xDA)) && b[..eoi].windows(2).any(marker(0xDA))
        }
        None => false,
    }
}

/// `p` (a progressive JPEG) with its last scan repeated `extra` more times before the EOI.
#[cfg(test)]
pub(crate) fn with_repeated_last_scan(p: &[u8], extra: usize) -> Vec<u8> {
    let last = p.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let scan = &p[last..p.len() - 2];
    let mut f = p[..p.len() - 2].to_vec();
    for _ in 0..extra {
        f.extend_from_slice(scan);
    }
    f.extend_from_slice(&[0xFF, 0xD9]);
    f
}

/// A small progressive JPEG.
#[cfg(test)]
pub(crate) fn progressive(w: u16, h: u16) -> Vec<u8> {
    let px: Vec<u8> = (0..w as u32 * h as u32)
        .flat_map(|i| [i as u8, 40, 200])
        .collect();
    let mut p = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut p, 90);
    enc.set_progressive(true);
    enc.encode(&px, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let px: Vec<u8> = (0..w as u32 * h as u32)
            .flat_map(|i| [(i % 251) as u8, (i % 13 * 19) as u8, 90])
            .collect();
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(&px, w, h, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    #[test]
    fn shrink_reports_the_real_scale_and_size() {
        let j = jpeg(101, 67);
        let h = header(&j).unwrap();
        for (shrink, size) in [(1, (101, 67)), (2, (51, 34)), (4, (26, 17)), (8, (13, 9))] {
            let (img, got) = decode(&j, &h, shrink).unwrap();
            assert_eq!(got, shrink);
            assert_eq!((img.width, img.height), size, "shrink {shrink}");
            assert_eq!(img.data.len(), size.0 as usize * size.1 as usize * 4);
        }
    }

    /// The definition `has_eoi` implements: an FF D9 somewhere after the last FF DA.
    fn has_eoi_by_definition(b: &[u8]) -> bool {
        match b.windows(2).rposition(|w| w == [0xFF, 0xDA]) {
            Some(i) => b[i..].windows(2).any(|w| w == [0xFF, 0xD9]),
            None => false,
        }
    }

    #[test]
    fn has_eoi_matches_its_definition() {
        let (sos, eoi, x) = ([0xFF, 0xDA], [0xFF, 0xD9], [0x12, 0xFF, 0x00]);
        let parts: [&[u8]; 4] = [&sos, &eoi, &x, &[0xFF]];
        // Every sequence of up to 5 parts, so markers split across parts are covered too.
        let mut cases = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = cases
                .iter()
                .flat_map(|c| parts.iter().map(move |p| [c.as_slice(), p].concat()))
                .collect();
            cases.extend(longer);
        }
        for c in &cases {
            assert_eq!(has_eoi(c), has_eoi_by_definition(c), "{c:02x?}");
        }
        let j = jpeg(40, 30);
        assert!(has_eoi(&j) && !has_eoi(&j[..j.len() - 1]));
        // A second image appended after the first (some cameras add a preview this way).
        assert!(has_eoi(&[j.clone(), j.clone()].concat()));
        assert!(!has_eoi(&[j.clone(), j[..j.len() - 2].to_vec()].concat()));
    }

    #[test]
    fn progressive_jpegs_with_too_many_scans_are_refused() {
        let p = progressive(64, 48);
        let h = header(&p).unwrap();
        assert!(decode(&p, &h, 1).is_ok());
        let have = p.windows(2).filter(|w| *w == [0xFF, 0xDA]).count();
        let at_limit = with_repeated_last_scan(&p, MAX_SCANS - have);
        assert!(check_scans(&at_limit).is_ok());
        let over = with_repeated_last_scan(&p, MAX_SCANS - have + 1);
        match decode(&over, &h, 1) {
            Err(CodecError::Corrupt(m)) => assert!(m.contains("501 scans"), "{m}"),
            other => panic!("{:?}", other.map(|(i, s)| (i.width, s))),
        }
        assert!(matches!(decode(&over, &h, 2), Err(CodecError::Corrupt(_))));
    }

    /// Damaged baseline and progressive files (cut short, bytes changed) decode to the same
    /// pixels into a buffer of 0xA5 as into zeros: the full-size decode writes every byte, so a
    /// kept buffer never shows an earlier render's pixels.
    #[test]
    fn full_size_decodes_write_every_byte_of_damaged_files() {
        let (w, h) = (96u16, 72u16);
        let mut ok = 0;
        for file in [jpeg(w, h), progressive(w, h)] {
            let body = file.len() - 2;
            let mut damaged: Vec<Vec<u8>> = (1..12)
                .map(|k| [&file[..body * k / 12], &[0xFF, 0xD9][..]].concat())
                .collect();
            for k in 1..40 {
                let mut f = file.clone();
                let at = body / 3 + k * (body * 2 / 3) / 40;
                f[at] = f[at].wrapping_add(0x5B);
                damaged.push(f);
            }
            for f in damaged {
                let size = w as usize * h as usize * 4;
                let poisoned = zune_into(&f, w.into(), h.into(), vec![0xA5; size]);
                let zeroed = zune_into(&f, w.into(), h.into(), vec![0; size]);
                match (poisoned, zeroed) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a.data, b.data);
                        ok += 1;
                    }
                    (Err(_), Err(_)) => {}
                    (a, b) => panic!("{:?} vs {:?}", a.is_ok(), b.is_ok()),
                }
            }
        }
        assert!(ok > 40, "only {ok} damaged files decoded");
    }

    #[test]
    fn missing_eoi_is_corrupt() {
        let j = jpeg(32, 32);
        let h = header(&j).unwrap();
        let cut = &j[..j.len() - 2];
        assert!(matches!(decode(cut, &h, 1), Err(CodecError::Corrupt(_))));
        assert!(has_eoi(&j));
    }
}

//! Output colour of `encode` (spec/is-protocol.md §3.8, §4.38–4.40): the `icc=` conversion from
//! the engine's sRGB to the output profile, the profile bytes `iccEmbed=1` embeds, and the
//! `printRes=` resolution written into the header. Runs on the CPU inside the encode task, after
//! the engine and before the encoder, like the input conversion of `icc` runs inside `decode`.
//!
//! ipsd has no ICC profile map yet (is-catalog.md §2.2): `icc=` names one of the built-in RGB
//! profiles below (moxcms builds them; their bytes are what gets embedded). The engine works in
//! sRGB, so sRGB output needs no conversion. The profiles are matrix/TRC profiles whose black is
//! 0, so black point compensation changes nothing and is accepted and ignored; `dither` is
//! accepted and ignored too (8 bits in, 8 bits out).

use super::CodecError;
use crate::engine::Image;
use moxcms::{ColorProfile, Layout, RenderingIntent, Transform8BitExecutor, TransformOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A built-in output profile of `icc=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// sRGB IEC 61966-2.1: the working space and the default output profile
    /// (`attribute::IccProfileRgb`).
    #[default]
    Srgb,
    /// Adobe RGB (1998).
    AdobeRgb,
    /// Display P3 (sRGB transfer curve, P3 primaries, D65).
    DisplayP3,
    /// ProPhoto RGB (ROMM, D50).
    ProPhoto,
    /// ITU-R BT.2020 (SDR transfer curve).
    Rec2020,
}

/// `icc=` names (case-insensitive; a space may be sent as `%20`), the first of each the
/// canonical one.
const NAMES: &[(&str, Profile)] = &[
    ("sRGB", Profile::Srgb),
    ("sRGB IEC61966-2.1", Profile::Srgb),
    ("AdobeRGB", Profile::AdobeRgb),
    ("Adobe RGB (1998)", Profile::AdobeRgb),
    ("AdobeRGB1998", Profile::AdobeRgb),
    ("DisplayP3", Profile::DisplayP3),
    ("Display P3", Profile::DisplayP3),
    ("ProPhotoRGB", Profile::ProPhoto),
    ("ProPhoto RGB", Profile::ProPhoto),
    ("Rec2020", Profile::Rec2020),
    ("ITU-R BT.2020", Profile::Rec2020),
];

impl Profile {
    /// The profile an `icc=` name refers to.
    pub fn by_name(name: &str) -> Option<Profile> {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, p)| *p)
    }

    /// The canonical names, for error messages.
    pub fn names() -> String {
        let mut seen: Vec<Profile> = Vec::new();
        let mut out: Vec<&str> = Vec::new();
        for (n, p) in NAMES {
            if !seen.contains(p) {
                seen.push(*p);
                out.push(n);
            }
        }
        out.join(", ")
    }

    fn build(self) -> ColorProfile {
        match self {
            Profile::Srgb => ColorProfile::new_srgb(),
            Profile::AdobeRgb => ColorProfile::new_adobe_rgb(),
            Profile::DisplayP3 => ColorProfile::new_display_p3(),
            Profile::ProPhoto => ColorProfile::new_pro_photo_rgb(),
            Profile::Rec2020 => ColorProfile::new_bt2020(),
        }
    }

    /// The ICC bytes embedded for this profile (built once).
    pub fn icc(self) -> Result<Arc<[u8]>, CodecError> {
        static BYTES: OnceLock<Mutex<HashMap<Profile, Arc<[u8]>>>> = OnceLock::new();
        let cache = BYTES.get_or_init(Default::default);
        let mut map = cache
            .lock()
            .map_err(|_| CodecError::encode("ICC profile cache poisoned"))?;
        if let Some(b) = map.get(&self) {
            return Ok(b.clone());
        }
        let bytes: Arc<[u8]> = self
            .build()
            .encode()
            .map_err(|e| CodecError::encode(format!("ICC profile: {e:?}")))?
            .into();
        map.insert(self, bytes.clone());
        Ok(bytes)
    }
}

/// `icc=` rendering intent (`attribute::IccRenderIntent`, default relative colorimetric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Intent {
    Perceptual,
    #[default]
    Relative,
    Saturation,
    Absolute,
}

impl Intent {
    fn moxcms(self) -> RenderingIntent {
        match self {
            Intent::Perceptual => RenderingIntent::Perceptual,
            Intent::Relative => RenderingIntent::RelativeColorimetric,
            Intent::Saturation => RenderingIntent::Saturation,
            Intent::Absolute => RenderingIntent::AbsoluteColorimetric,
        }
    }
}

/// What the encoder writes besides the pixels, and the colour space they are written in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OutputMeta {
    /// `icc=`: the output profile (sRGB by default).
    pub profile: Profile,
    /// `icc=…,renderIntent`.
    pub intent: Intent,
    /// `iccEmbed=1`: embed `profile` where the format can (JPEG, PNG, TIFF).
    pub embed_icc: bool,
    /// `printRes=` (or the catalog default): dots per inch written into the header where the
    /// format has a field for it (JPEG JFIF, PNG pHYs, TIFF X/YResolution); `None` writes none.
    pub print_res: Option<f64>,
}

impl OutputMeta {
    /// The profile bytes to embed, when asked for.
    pub fn icc_to_embed(&self) -> Result<Option<Arc<[u8]>>, CodecError> {
        if self.embed_icc {
            self.profile.icc().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// `img` (sRGB) converted to `meta.profile`, or `None` when the profile is sRGB. Alpha is kept.
pub fn convert(img: &Image, meta: &OutputMeta) -> Result<Option<Image>, CodecError> {
    if meta.profile == Profile::Srgb {
        return Ok(None);
    }
    let t = transform(meta.profile, meta.intent)?;
    let mut data = vec![0u8; img.data.len()];
    t.transform(&img.data, &mut data)
        .map_err(|e| CodecError::encode(format!("colour conversion: {e:?}")))?;
    Ok(Some(Image {
        width: img.width,
        height: img.height,
        data,
    }))
}

type Key = (Profile, Intent);

fn transform(profile: Profile, intent: Intent) -> Result<Arc<Transform8BitExecutor>, CodecError> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<Transform8BitExecutor>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(t) = cache
        .lock()
        .ok()
        .and_then(|m| m.get(&(profile, intent)).cloned())
    {
        return Ok(t);
    }
    let opts = TransformOptions {
        rendering_intent: intent.moxcms(),
        ..TransformOptions::default()
    };
    let t = ColorProfile::new_srgb()
        .create_transform_8bit(Layout::Rgba, &profile.build(), Layout::Rgba, opts)
        .map_err(|e| CodecError::encode(format!("colour conversion: {e:?}")))?;
    if let Ok(mut m) = cache.lock() {
        m.insert((profile, intent), t.clone());
    }
    Ok(t)
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;

//! The render engine: runs a `Plan`'s steps over decoded pixels. Sits between `codec::decode`
//! and `codec::encode` in the copyImage and `/is/image` flow. Two executors implement the same
//! steps with the same math: the GPU executor (wgpu compute, WGSL in `shaders/`) and the CPU
//! executor (fast_image_resize + rayon), which is both the fallback for machines without a GPU
//! and the reference the GPU is tested against.
//!
//! Pixel convention everywhere: RGBA, 8 bits per channel, sRGB-encoded, straight (not
//! premultiplied) alpha, rows top to bottom without padding. Resampling works on premultiplied
//! values internally so transparent pixels never bleed colour.

pub mod cpu;
pub mod cpu_color;
pub mod cpu_filter;
pub mod cpu_resample;
pub mod cpu_turn;
pub mod filter;
pub mod gpu;
pub mod select;

pub use filter::{Noise, Usm};

/// A decoded image: RGBA8, straight alpha, `width * height * 4` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// A dropped image's pixel buffer is kept for the next big buffer a render needs
/// (`crate::buffers`).
impl Drop for Image {
    fn drop(&mut self) {
        crate::buffers::give(std::mem::take(&mut self.data));
    }
}

impl Image {
    /// A `width × height` image filled with one colour.
    pub fn filled(width: u32, height: u32, c: Rgba) -> Image {
        let px = [c.r, c.g, c.b, c.a];
        Image {
            width,
            height,
            data: px
                .iter()
                .copied()
                .cycle()
                .take(width as usize * height as usize * 4)
                .collect(),
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.data[i],
            self.data[i + 1],
            self.data[i + 2],
            self.data[i + 3],
        ]
    }

    /// True when every alpha value is 255. Checked 256 pixels at a time with a branch-free AND
    /// of their alphas (vectorizes), stopping at the first block with a transparent pixel.
    pub fn is_opaque(&self) -> bool {
        let block = |c: &[u8]| c.chunks_exact(4).fold(255u8, |m, p| m & p[3]) == 255;
        self.data.chunks(1024).all(block)
    }
}

/// An RGBA colour, straight alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    pub const TRANSPARENT: Rgba = Rgba {
        r: 0,
        g: 0,
        b: 0,
        a: 0,
    };
    pub const WHITE: Rgba = Rgba {
        r: 255,
        g: 255,
        b: 255,
        a: 255,
    };
    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba { r, g, b, a: 255 }
    }
}

/// Resampling kernels, chosen by `resMode=` (spec/is-protocol.md §4.32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// `bilin`: triangle kernel, support 1.
    Bilinear,
    /// `bicub`: Catmull-Rom cubic (B=0, C=0.5), support 2.
    #[default]
    Bicubic,
    /// `sharp2` (and the deprecated `sharp`): Lanczos, 3 lobes.
    Lanczos3,
    /// `bisharp`: Photoshop-style "bicubic sharper": cubic with B=0, C=1 (a = -1), support 2.
    BicubicSharper,
}

/// How `Affine` samples the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Exact pixel copies; used when the transform maps pixel centres onto pixel centres
    /// (flips, 90° rotations, integer translations).
    Nearest,
    /// Bilinear interpolation of premultiplied RGBA (arbitrary rotation angles).
    Bilinear,
}

/// One processing step. Coordinates are in pixels of the step's input image, with (0,0) the
/// top-left corner of the top-left pixel (so pixel (i,j) has its centre at (i+0.5, j+0.5)).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Scales the source rectangle `src` (x, y, w, h; fractional allowed; must lie inside the
    /// input) to `width × height` with a separable convolution using `filter`. The kernel is
    /// widened by the scale factor when shrinking (area-correct downsampling).
    Resample {
        src: [f64; 4],
        width: u32,
        height: u32,
        filter: Filter,
    },
    /// Produces a `width × height` image where output pixel centre `p` takes the input colour
    /// at `m · p` (m = [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f). Samples
    /// outside the input take `fill`. Crops that extend the image, `extend=`, `flip=`,
    /// `rotate=` and view placement (`align=` padding and cropping) are all this step.
    Affine {
        m: [f64; 6],
        width: u32,
        height: u32,
        fill: Rgba,
        sampling: Sampling,
    },
    /// Composites the image over a solid colour (`color=`, `bgColor=`, and the final `bgc=`
    /// flattening for formats without alpha): out = img + colour × (1 − img.alpha).
    Underlay { color: Rgba },
    /// Multiplies alpha by `opacity` (0..=1) (`opac=`).
    Opacity { opacity: f32 },
    /// A per-pixel colour adjustment (`op_*`, §4.21–4.28): RGB only, alpha untouched.
    Color(ColorOp),
    /// `op_blur`: Gaussian blur of premultiplied RGBA, `sigma` in pixels of this image (see
    /// [`filter`] for the kernel and edges).
    Blur { sigma: f32 },
    /// `op_usm`, `op_usmR` and `op_sharpen`: an unsharp mask.
    Sharpen(Usm),
    /// `op_grow`: per-channel dilate (`radius > 0`) or erode (`< 0`) over a square.
    Grow { radius: i32 },
    /// `op_noise`: deterministic noise.
    Noise(Noise),
}

/// The per-pixel colour commands. Each works on straight RGB in 0..=1 (f32), independently of
/// alpha, and rounds once at the end (`floor(v·255 + 0.5)`, clamped); the GPU kernel
/// `shaders/<name>.wgsl` and `cpu::<name>` share the formula. Algorithms:
///
/// - `op_invert`: `v' = 1 − v` (a photographic negative).
/// - `op_colorize=color[,norm|off[,contrast]]`: luminance only, as Pillow's `convert("L")`
///   (ITU-R 601 luma in 16-bit fixed point, `(19595 R + 38470 G + 7471 B + 2¹⁵) >> 16`). With
///   `norm`, the median luma `m` of the visible pixels (alpha > 0) is moved to 50% by a gamma
///   curve `Y' = Y^γ`, `γ = ln ½ / ln m` (m clamped to 1..254 / 255), which keeps black and
///   white; then `contrast` (0..100) applies the `op_contrast` curve at half strength (slant
///   `tan((1 + contrast/200)·π/4)`, 1 to 2.41). Y is then mapped onto the colour keeping
///   shadows and highlights, as Pillow's `ImageOps.colorize(black, white, mid=color)`:
///   `Y < ½`: `color·2Y`, else `color + (1 − color)·(2Y − 1)`. The output is RGB (alpha kept).
/// - `op_brightness=adj` (GIMP legacy Brightness-Contrast, b = adj/100): `b < 0`:
///   `v' = v·(1 + b)`; `b > 0`: `v' = v + (1 − v)·b`. −100 is black, +100 white.
/// - `op_contrast=adj` (GIMP legacy Brightness-Contrast, c = adj/100): `v' = (v − ½)·slant + ½`
///   with `slant = tan((c + 1)·π/4)` (capped at 10⁶, so +100 is a threshold at 50%); −100 is
///   flat 50% gray. The pivot is the fixed 50% the spec names.
/// - `op_colorbalance=r,g,b`: the `op_brightness` curve on each channel with its own amount
///   (r/100 on red, …): negative values scale the channel down, positive ones lift it towards
///   full; `100,0,0` pushes towards red, `-100,0,0` removes red.
/// - `op_saturation=adj` (GIMP Hue-Saturation, HSL): `S' = clamp(S·(1 + adj/100), 0, 1)`, H and
///   L kept (computed in closed form, `RGB' = L + (RGB − L)·S'/S`); −100 gives gray
///   `(max + min)/2`.
/// - `op_hue=adj` (GIMP Hue-Saturation, HSL): `H' = H + adj/360` (wrapped), S and L kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColorOp {
    Invert,
    /// −100..=100.
    Brightness(i32),
    /// −100..=100.
    Contrast(i32),
    /// −100..=100 per channel (r, g, b).
    ColorBalance([i32; 3]),
    /// −100..=100.
    Saturation(i32),
    /// −180..=180 degrees.
    Hue(i32),
    /// The target colour, luma normalization, contrast 0..=100.
    Colorize {
        rgb: [u8; 3],
        norm: bool,
        contrast: f32,
    },
}

impl ColorOp {
    /// The registry name: WGSL file, CPU function, command.
    pub fn name(&self) -> &'static str {
        match self {
            ColorOp::Invert => "op_invert",
            ColorOp::Brightness(_) => "op_brightness",
            ColorOp::Contrast(_) => "op_contrast",
            ColorOp::ColorBalance(_) => "op_colorbalance",
            ColorOp::Saturation(_) => "op_saturation",
            ColorOp::Hue(_) => "op_hue",
            ColorOp::Colorize { .. } => "op_colorize",
        }
    }

    /// The kernel parameters (the same f32s on both executors; unused ones are 0).
    pub fn params(&self) -> [f32; 4] {
        if let ColorOp::ColorBalance(rgb) = *self {
            let [r, g, b] = rgb.map(|v| v.clamp(-100, 100) as f32 / 100.0);
            return [r, g, b, 0.0];
        }
        if let ColorOp::Colorize {
            rgb,
            norm,
            contrast,
        } = *self
        {
            let [r, g, b] = rgb.map(|v| v as f32 / 255.0);
            let c = f64::from(contrast.clamp(0.0, 100.0)) / 200.0;
            let slant = ((c + 1.0) * std::f64::consts::FRAC_PI_4).tan() as f32;
            return [r, g, b, if norm { slant } else { -1.0 }];
        }
        let k = match *self {
            ColorOp::Invert => 0.0,
            ColorOp::Brightness(b) => b.clamp(-100, 100) as f32 / 100.0,
            ColorOp::Contrast(c) => {
                let c = f64::from(c.clamp(-100, 100)) / 100.0;
                ((c + 1.0) * std::f64::consts::FRAC_PI_4).tan().min(1e6) as f32
            }
            ColorOp::Saturation(s) => 1.0 + s.clamp(-100, 100) as f32 / 100.0,
            ColorOp::Hue(h) => h.clamp(-180, 180) as f32 / 360.0,
            ColorOp::ColorBalance(_) | ColorOp::Colorize { .. } => unreachable!(),
        };
        [k, 0.0, 0.0, 0.0]
    }
}

impl Step {
    /// The output size of this step for an input of `w × h`.
    pub fn output_size(&self, w: u32, h: u32) -> (u32, u32) {
        match self {
            Step::Resample { width, height, .. } | Step::Affine { width, height, .. } => {
                (*width, *height)
            }
            Step::Underlay { .. }
            | Step::Opacity { .. }
            | Step::Color(_)
            | Step::Blur { .. }
            | Step::Sharpen(_)
            | Step::Grow { .. }
            | Step::Noise(_) => (w, h),
        }
    }

    /// The registry name (shared by the CPU function, the WGSL file and the bench id).
    pub fn name(&self) -> &'static str {
        match self {
            Step::Resample { .. } => "resample",
            Step::Affine { .. } => "affine",
            Step::Underlay { .. } => "underlay",
            Step::Opacity { .. } => "opacity",
            Step::Color(op) => op.name(),
            Step::Blur { .. } => "op_blur",
            Step::Sharpen(_) => "op_usm",
            Step::Grow { .. } => "op_grow",
            Step::Noise(_) => "op_noise",
        }
    }

    /// How far (in pixels) an output pixel of this step reads from its own position.
    pub fn reach(&self) -> u32 {
        match self {
            Step::Blur { sigma } => filter::gauss_reach(*sigma),
            Step::Sharpen(u) => filter::gauss_reach(u.sigma),
            Step::Grow { radius } => radius.unsigned_abs(),
            _ => 0,
        }
    }
}

/// Why the engine could not run a plan.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum EngineError {
    #[error("invalid step {0}: {1}")]
    InvalidStep(&'static str, String),
    #[error("GPU failure: {0}")]
    Gpu(String),
}

/// An executor runs steps in order; one upload and one readback on the GPU.
#[async_trait::async_trait]
pub trait Executor: Send + Sync {
    /// `"cpu"` or `"gpu (<adapter name>)"`.
    fn describe(&self) -> String;
    async fn run(&self, img: Image, steps: Vec<Step>) -> Result<Image, EngineError>;

    /// `run` on pixels that other renders may hold too (a shared decode, `render::shared`).
    /// By default the render takes its own copy (none when it is the last holder); the CPU
    /// executor reads them in place when the first step writes a new image anyway.
    async fn run_shared(
        &self,
        img: std::sync::Arc<Image>,
        steps: Vec<Step>,
    ) -> Result<Image, EngineError> {
        self.run(std::sync::Arc::unwrap_or_clone(img), steps).await
    }
}

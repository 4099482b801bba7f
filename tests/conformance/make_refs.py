#!/usr/bin/env python3
"""Reference outputs for the `op_*` colour and filter commands, made with independent
implementations: Pillow (ImageOps, ImageEnhance, ImageFilter, Image.blend, Image.resize) and
Python's `colorsys` (HSL).

Run from this directory with the pinned packages of requirements.txt here installed:
    python3 -m venv /tmp/refs && /tmp/refs/bin/pip install -r requirements.txt
    /tmp/refs/bin/python make_refs.py
It writes `source.png` (a deterministic RGB image: hue ramps, gray ramp, saturated patches,
noise from a fixed LCG) and one `<case>.png` per case below. tests/conformance.rs runs each
case's modifier through ipsd's plan on both executors and checks the per-op threshold written
there. How each reference is made (our algorithm in brackets, see `engine::ColorOp`):

- op_invert: ImageOps.invert [v' = 255 - v].
- op_brightness < 0: ImageEnhance.Brightness(1 + b) [GIMP legacy: v (1 + b), the same map].
- op_brightness > 0: invert, Brightness(1 - b), invert [GIMP legacy: v + (1 - v) b; the same
  map, as 1 - (1 - v)(1 - b)].
- op_contrast: Image.blend(gray 128, im, slant), slant = tan((c + 1) pi/4) [GIMP legacy, pivot
  127.5]: Pillow's pivot is the 8-bit 128, so the expected difference is |slant - 1| / 2 + 1.
  (ImageEnhance.Contrast pivots on the image mean, which the spec rules out.)
- op_colorbalance: Image.split, the op_brightness reference on each band with its own amount,
  Image.merge [the same per-channel curve].
- op_colorize: ImageOps.colorize(im.convert("L"), black, white, mid=color) [luma as
  convert("L"), the same black-colour-white ramp, Pillow's midpoint is 127, ours 127.5]; with
  norm, first L.point(255 (v/255)^gamma), gamma = ln 0.5 / ln(median / 255) with
  ImageStat's median, and the contrast as Image.blend(gray 128, L, slant), slant =
  tan((1 + contrast/200) pi/4) [the same curve without the 8-bit rounding in between].
- op_saturation: colorsys HLS, S' = min(S (1 + s), 1) [the same, in f32].
- op_hue: colorsys HLS, H' = H + h/360 [the same, in f32].
- combinations with a resize: Image.resize(BICUBIC) (Catmull-Rom, as resMode=bicub), then the
  references above in the documented order (brightness, contrast, hue, saturation, invert).
- op_blur=r: ImageFilter.GaussianBlur(r / 2) [exact Gaussian, sigma = r/2, 3-sigma support;
  Pillow approximates the Gaussian with three extended box blurs], and `blur_exact_*`:
  scipy.ndimage.gaussian_filter(sigma = r/2, mode="nearest", truncate=3), an exact Gaussian
  with the same support and edge replication, rounded half up.
- op_usm=a,r,t (and op_usmR): ImageFilter.UnsharpMask(radius=r, percent=100 a, threshold=t)
  [sigma = r; Pillow thresholds and adds the difference against an 8-bit blurred image].
  Monochrome: GaussianBlur(r), then per pixel the 601 luma of (orig - blur) added to R, G, B
  where |luma diff| >= t.
- op_sharpen=1: UnsharpMask(0.5, 100, 0) [our fixed kernel].
- op_grow=r: ImageFilter.MaxFilter(2r + 1), r < 0: MinFilter(2|r| + 1) [the same square].
- with a resize (wid=48, a view scale of 0.5): the radius scales by 0.5 (op_usm, op_blur,
  op_grow) after Image.resize(BICUBIC).
"""
import colorsys
import math

import numpy
from PIL import Image, ImageEnhance, ImageFilter, ImageOps, ImageStat
from scipy import ndimage

W, H = 96, 64


def source():
    seed = 4242
    img = Image.new("RGB", (W, H))
    px = img.load()
    for y in range(H):
        for x in range(W):
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            noise = (seed >> 16) % 24 - 12
            if y < 8:  # gray ramp, every level
                v = x * 255 // (W - 1)
                px[x, y] = (v, v, v)
                continue
            if y >= H - 8:  # saturated patches
                c = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255),
                     (255, 0, 255), (128, 64, 0), (10, 200, 90)][x * 8 // W]
                px[x, y] = c
                continue
            h = x / W
            l = 0.15 + 0.7 * (y - 8) / (H - 17)
            s = 0.3 + 0.7 * ((x * 7 + y * 3) % 32) / 31
            r, g, b = colorsys.hls_to_rgb(h, l, s)
            px[x, y] = tuple(max(0, min(255, int(round(c * 255)) + noise)) for c in (r, g, b))
    return img


def invert(im):
    return ImageOps.invert(im)


def brightness(im, adj):
    b = adj / 100
    if b <= 0:
        return ImageEnhance.Brightness(im).enhance(1 + b)
    return ImageOps.invert(ImageEnhance.Brightness(ImageOps.invert(im)).enhance(1 - b))


def contrast(im, adj):
    slant = min(math.tan((adj / 100 + 1) * math.pi / 4), 1e6)
    return Image.blend(Image.new("RGB", im.size, (128, 128, 128)), im, slant)


def colorbalance(im, rgb):
    return Image.merge("RGB", [brightness(band, a) for band, a in zip(im.split(), rgb)])


def colorize(im, rgb, norm=True, contrast=0):
    lum = im.convert("L")
    if norm:
        m = min(max(ImageStat.Stat(lum).median[0], 1), 254) / 255
        gamma = math.log(0.5) / math.log(m)
        lum = lum.point(lambda v: int(math.floor(255 * (v / 255) ** gamma + 0.5)))
        slant = math.tan((1 + contrast / 200) * math.pi / 4)
        lum = Image.blend(Image.new("L", lum.size, 128), lum, slant)
    return ImageOps.colorize(lum, black=(0, 0, 0), white=(255, 255, 255), mid=rgb)


def hls_map(im, f):
    out = im.copy()
    px = out.load()
    for y in range(im.height):
        for x in range(im.width):
            h, l, s = colorsys.rgb_to_hls(*(c / 255 for c in px[x, y]))
            h, l, s = f(h, l, s)
            px[x, y] = tuple(int(math.floor(c * 255 + 0.5)) for c in colorsys.hls_to_rgb(h, l, s))
    return out


def saturation(im, adj):
    return hls_map(im, lambda h, l, s: (h, l, max(0.0, min(1.0, s * (1 + adj / 100)))))


def hue(im, adj):
    return hls_map(im, lambda h, l, s: ((h + adj / 360) % 1.0, l, s))


def blur(im, r):
    return im.filter(ImageFilter.GaussianBlur(r / 2))


def blur_exact(im, r):
    a = numpy.asarray(im, dtype=numpy.float64)
    b = ndimage.gaussian_filter(a, sigma=(r / 2, r / 2, 0), mode="nearest", truncate=3.0)
    return Image.fromarray(numpy.clip(numpy.floor(b + 0.5), 0, 255).astype(numpy.uint8), "RGB")


def usm(im, amount, radius, threshold=0):
    return im.filter(ImageFilter.UnsharpMask(radius, round(amount * 100), threshold))


def usm_mono(im, amount, radius, threshold=0):
    blurred = im.filter(ImageFilter.GaussianBlur(radius)).load()
    out = im.copy()
    px = out.load()
    for y in range(im.height):
        for x in range(im.width):
            o, b = px[x, y], blurred[x, y]
            d = 0.299 * (o[0] - b[0]) + 0.587 * (o[1] - b[1]) + 0.114 * (o[2] - b[2])
            if abs(d) >= threshold:
                px[x, y] = tuple(max(0, min(255, int(math.floor(c + amount * d + 0.5)))) for c in o)
    return out


def grow(im, r):
    f = ImageFilter.MaxFilter if r > 0 else ImageFilter.MinFilter
    return im.filter(f(2 * abs(r) + 1))


def filter_cases(src, small):
    out = []
    for r in [1, 4, 12, 60, 100]:
        out.append((f"blur_{r}", f"op_blur={r}", blur(src, r)))
    for r in [3, 12, 60, 100]:
        out.append((f"blur_exact_{r}", f"op_blur={r}", blur_exact(src, r)))
    for a, r, t in [(1, 1, 0), (2.5, 2, 0), (1, 3, 10), (5, 0.8, 0), (0.5, 20, 0)]:
        out.append((f"usm_{a}_{r}_{t}", f"op_usm={a},{r},{t}", usm(src, a, r, t)))
    out.append(("usm_mono", "op_usm=2,2,4,1", usm_mono(src, 2, 2, 4)))
    out.append(("usmR", "op_usmR=1.5,2", usm(src, 1.5, 2)))
    out.append(("sharpen", "op_sharpen=1", usm(src, 1, 0.5)))
    for r in [1, 3, -2, -5]:
        out.append((f"grow_{r}", f"op_grow={r}", grow(src, r)))
    out.append(("resize_blur", "wid=48&op_blur=4", blur(small, 2)))
    out.append(("resize_usm", "wid=48&op_usm=1,4,0", usm(small, 1, 2)))
    out.append(("resize_usmR", "wid=48&op_usmR=1,2", usm(small, 1, 2)))
    out.append(("resize_grow", "wid=48&op_grow=4", grow(small, 2)))
    out.append(("resize_invert_blur", "wid=48&op_blur=2&op_invert=1", blur(invert(small), 1)))
    return out


# (case, modifier, reference); the modifier is what tests/conformance.rs runs.
def cases(src):
    out = [("invert", "op_invert=1", invert(src))]
    for a in [-100, -50, -10, 30, 100]:
        out.append((f"brightness_{a}", f"op_brightness={a}", brightness(src, a)))
    for a in [-100, -50, 20, 60, 100]:
        out.append((f"contrast_{a}", f"op_contrast={a}", contrast(src, a)))
    for rgb in [(100, 0, 0), (-100, 0, 0), (-50, 30, -100), (20, 20, 20)]:
        name = "_".join(str(a) for a in rgb)
        out.append((f"colorbalance_{name}", "op_colorbalance=" + ",".join(str(a) for a in rgb),
                    colorbalance(src, rgb)))
    for name, arg, rgb, norm, c in [
        ("colorize_a0b0c0", "a0b0c0", (160, 176, 192), True, 0),
        ("colorize_red_norm_100", "ff0000,norm,100", (255, 0, 0), True, 100),
        ("colorize_green_off", "14c85a,off,50", (20, 200, 90), False, 0),
        ("colorize_blue_norm_40", "0,0,255,norm,40", (0, 0, 255), True, 40),
    ]:
        out.append((name, f"op_colorize={arg}", colorize(src, rgb, norm, c)))
    for a in [-100, -50, 40, 100]:
        out.append((f"saturation_{a}", f"op_saturation={a}", saturation(src, a)))
    for a in [-180, -90, 45, 180]:
        out.append((f"hue_{a}", f"op_hue={a}", hue(src, a)))
    small = src.resize((48, 32), Image.BICUBIC)
    out.append(("resize_invert", "wid=48&op_invert=1", invert(small)))
    out.append(("resize_hue_saturation", "wid=48&op_saturation=-40&op_hue=60",
                saturation(hue(small, 60), -40)))
    out.append(("resize_colorbalance", "wid=48&op_colorbalance=-30,40,0",
                colorbalance(small, (-30, 40, 0))))
    out.append(("brightness_contrast_colorize", "op_brightness=-15&op_contrast=22&op_colorize=a0b0c0",
                colorize(contrast(brightness(src, -15), 22), (160, 176, 192))))
    out.append(("brightness_contrast_invert", "op_invert=1&op_contrast=30&op_brightness=-20",
                invert(contrast(brightness(src, -20), 30))))
    return out + filter_cases(src, small)


def main():
    src = source()
    src.save("source.png")
    for name, query, ref in cases(src):
        ref.save(f"{name}.png")
        print(f"{name}: {query}")


if __name__ == "__main__":
    main()

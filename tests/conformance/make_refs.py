#!/usr/bin/env python3
"""Reference outputs for the `op_*` colour commands, made with independent implementations:
Pillow (ImageOps, ImageEnhance, Image.blend, Image.resize) and Python's `colorsys` (HSL).

Run from this directory with Pillow installed (pinned in tests/interop/requirements.txt):
    python3 make_refs.py
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
"""
import colorsys
import math

from PIL import Image, ImageEnhance, ImageOps, ImageStat

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
    return out


def main():
    src = source()
    src.save("source.png")
    for name, query, ref in cases(src):
        ref.save(f"{name}.png")
        print(f"{name}: {query}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the codec test fixtures in this folder (tests/codec.rs reads them).

Needs Pillow (with libjpeg, libtiff, libwebp and LittleCMS, as in the PyPI wheels):
    python3 -m venv /tmp/fx && /tmp/fx/bin/pip install Pillow
    /tmp/fx/bin/python tests/data/codec/make_fixtures.py

Every image is small (a few KB). Colours the tests check are written to expected.json; the
ICC expectations come from LittleCMS (Pillow's ImageCms), a CMS independent of the one ipsd uses.
"""

import io
import json
import os
import struct
import zlib

from PIL import Image, ImageCms, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))

# Quadrant colours of the reference image, as displayed.
TL, TR, BL, BR = (220, 30, 30), (30, 200, 40), (30, 40, 210), (240, 240, 240)


def out(name):
    return os.path.join(HERE, name)


def quad(w, h):
    img = Image.new("RGB", (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            left, top = x < w // 2, y < h // 2
            px[x, y] = TL if top and left else TR if top else BL if left else BR
    return img


# ---- JPEG ------------------------------------------------------------------------------------


def jpegs():
    quad(64, 48).save(out("baseline.jpg"), quality=90)
    quad(64, 48).save(out("progressive.jpg"), quality=90, progressive=True)
    gray = Image.new("L", (64, 48))
    gray.putdata([x * 4 for y in range(48) for x in range(64)])
    gray.save(out("gray.jpg"), quality=90)
    # Pillow writes CMYK with an Adobe APP14 marker (transform 0) and inverted samples.
    cmyk = Image.new("CMYK", (64, 48))
    px = cmyk.load()
    inks = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255)]
    for y in range(48):
        for x in range(64):
            px[x, y] = inks[(y >= 24) * 2 + (x >= 32)]
    cmyk.save(out("cmyk.jpg"), quality=95)


def noise(w, h, mode):
    """Gradients, an edge and hashed noise, so that every coefficient is used."""
    img = Image.new(mode, (w, h))
    data = []
    for y in range(h):
        for x in range(w):
            n = ((x * 73856093) ^ (y * 19349663)) >> 7 & 0xFFFFFFFF
            rgb = ((x * 255 // w) ^ (n & 31), (y * 7 + (90 if x * 3 > w else 0)) & 255, n % 251)
            data.append(rgb if mode == "RGB" else rgb[0])
    img.putdata(data)
    return img


def progressive_pairs():
    """Baseline and progressive (libjpeg's default script, with successive approximation) from
    the same pixels and settings: the same quantized coefficients in another order."""
    for name, mode, sub in [("noise420", "RGB", 2), ("noise444", "RGB", 0), ("noisegray", "L", 0)]:
        img = noise(203, 131, mode)
        img.save(out(name + ".jpg"), quality=85, subsampling=sub)
        img.save(out(name + "_prog.jpg"), quality=85, subsampling=sub, progressive=True)


# Pillow's transpose that undoes each EXIF orientation (what ImageOps.exif_transpose applies).
UNDO = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Its inverse: stored = DO[o](displayed).
DO = {**UNDO, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def orientations():
    shown = quad(32, 24)
    for o in range(1, 9):
        stored = shown.transpose(DO[o]) if o in DO else shown.copy()
        exif = Image.Exif()
        exif[0x0112] = o
        buf = io.BytesIO()
        stored.save(buf, "JPEG", quality=90, exif=exif.tobytes())
        back = ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue())))
        assert back.size == shown.size, (o, back.size)
        assert all(abs(a - b) < 12 for a, b in zip(back.getpixel((1, 1)), TL)), o
        assert all(abs(a - b) < 12 for a, b in zip(back.getpixel((30, 22)), BR)), o
        with open(out(f"orient{o}.jpg"), "wb") as f:
            f.write(buf.getvalue())


# ---- ICC -------------------------------------------------------------------------------------


def s15(v):
    return struct.pack(">i", round(v * 65536))


def xyz_tag(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)


def desc_tag(text):
    a = text.encode("ascii") + b"\0"
    return b"desc" + b"\0" * 4 + struct.pack(">I", len(a)) + a + b"\0" * 8 + b"\0" * 3 + b"\0" * 67


def icc_header(size, cls_space_pcs):
    return (
        struct.pack(">I", size)
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + cls_space_pcs
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )


def icc_matrix_trc(name, r, g, b, gamma):
    """A minimal ICC v2 RGB display profile: D50 colorants and one gamma curve."""
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    tags = [
        (b"desc", desc_tag(name)),
        (b"cprt", b"text" + b"\0" * 4 + b"No copyright, test fixture\0"),
        (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz_tag(*r)),
        (b"gXYZ", xyz_tag(*g)),
        (b"bXYZ", xyz_tag(*b)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    table, data = b"", b""
    offset = 128 + 4 + 12 * len(tags)
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = icc_header(size, b"mntrRGB XYZ ")
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


ADOBE_RGB = icc_matrix_trc(
    "Adobe RGB (1998) compatible, test fixture",
    (0.60974, 0.31111, 0.01947),
    (0.20528, 0.62567, 0.06087),
    (0.14919, 0.06322, 0.74457),
    563 / 256,
)
ICC_PATCHES = [(200, 60, 60), (60, 160, 60), (128, 128, 128)]


def icc(expected):
    img = Image.new("RGB", (48, 16))
    px = img.load()
    for y in range(16):
        for x in range(48):
            px[x, y] = ICC_PATCHES[x // 16]
    img.save(out("icc_adobergb.jpg"), quality=95, subsampling=0, icc_profile=ADOBE_RGB)
    img.save(out("icc_adobergb.png"), icc_profile=ADOBE_RGB)
    src = ImageCms.ImageCmsProfile(io.BytesIO(ADOBE_RGB))
    srgb = ImageCms.createProfile("sRGB")
    conv = ImageCms.profileToProfile(img, src, srgb, renderingIntent=0, outputMode="RGB")
    expected["icc_adobergb"] = {
        "source": [list(p) for p in ICC_PATCHES],
        "srgb_lcms": [list(conv.getpixel((16 * i + 8, 8))) for i in range(3)],
    }


def srgb_to_lab(rgb):
    """sRGB (0..255) to CIE Lab relative to D50, through the Bradford-adapted sRGB matrix."""

    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    x = 0.4360747 * r + 0.3850649 * g + 0.1430804 * b
    y = 0.2225045 * r + 0.7168786 * g + 0.0606169 * b
    z = 0.0139322 * r + 0.0971045 * g + 0.7141733 * b

    def f(t):
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x / 0.9642), f(y / 1.0), f(z / 0.8249)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


# Transmittance of each ink (C, M, Y, K) in sRGB terms: far from the naive 1 - ink formula.
INKS = [(0.0, 0.62, 0.87), (0.90, 0.0, 0.52), (1.0, 0.93, 0.0), (0.15, 0.15, 0.16)]


def icc_cmyk():
    """A minimal ICC v2 CMYK output profile: one A2B0 lut8 with 2 grid points to Lab."""
    ramp = bytes(range(256))
    clut = b""
    for corner in range(16):  # C varies slowest, K fastest
        t = [1.0, 1.0, 1.0]
        for bit, ink in zip((8, 4, 2, 1), INKS):
            if corner & bit:
                t = [a * b for a, b in zip(t, ink)]
        lab_l, lab_a, lab_b = srgb_to_lab([255 * v for v in t])
        clut += bytes([round(lab_l * 255 / 100), round(lab_a + 128), round(lab_b + 128)])
    ident = b"".join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    a2b0 = b"mft1" + b"\0" * 4 + bytes([4, 3, 2, 0]) + ident + ramp * 4 + clut + ramp * 3
    tags = [
        (b"desc", desc_tag("CMYK test fixture, 2-point lut8")),
        (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
        (b"A2B0", a2b0),
    ]
    table, data = b"", b""
    offset = 128 + 4 + 12 * len(tags)
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    return icc_header(size, b"prtrCMYKLab ") + struct.pack(">I", len(tags)) + table + data


CMYK_PATCHES = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255), (128, 64, 0, 0), (0, 0, 0, 0)]


def icc_cmyk_jpeg(expected):
    profile = icc_cmyk()
    img = Image.new("CMYK", (16 * len(CMYK_PATCHES), 16))
    px = img.load()
    for y in range(16):
        for x in range(img.width):
            px[x, y] = CMYK_PATCHES[x // 16]
    img.save(out("cmyk_icc.jpg"), quality=95, icc_profile=profile)
    src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    srgb = ImageCms.createProfile("sRGB")
    conv = ImageCms.profileToProfile(img, src, srgb, renderingIntent=0, outputMode="RGB")
    expected["cmyk_icc"] = {
        "source": [list(p) for p in CMYK_PATCHES],
        "srgb_lcms": [list(conv.getpixel((16 * i + 8, 8))) for i in range(len(CMYK_PATCHES))],
    }


# ---- PNG -------------------------------------------------------------------------------------


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG16 = [  # RGBA, 16 bits per channel
    (0x0000, 0xFFFF, 0x8080, 0xFFFF),
    (0xC8C8, 0x12FF, 0x0101, 0xFFFF),
    (0xFFFF, 0xFFFF, 0xFFFF, 0x8080),
    (0x3333, 0x6666, 0x9999, 0x0000),
]


def png16():
    w, h = 4, 2
    raw = b""
    for _ in range(h):
        raw += b"\0" + b"".join(struct.pack(">4H", *p) for p in PNG16)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    data += png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    with open(out("rgba16.png"), "wb") as f:
        f.write(data)
    back = Image.open(out("rgba16.png"))
    assert back.size == (4, 2)


def pngs():
    png16()
    pal = Image.new("P", (16, 16))
    pal.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0])
    pal.putdata([(x // 4) for y in range(16) for x in range(16)])
    pal.save(out("palette.png"), transparency=3)
    rgba = Image.new("RGBA", (16, 16))
    rgba.putdata([(255, 0, 0, 255) if x < 8 else (0, 0, 255, 64) for y in range(16) for x in range(16)])
    rgba.save(out("alpha.png"))


# ---- TIFF, WebP, GIF, BMP --------------------------------------------------------------------


def others():
    quad(32, 24).save(out("rgb_lzw.tif"), compression="tiff_lzw")
    quad(64, 48).save(out("lossy.webp"), quality=90)
    Image.open(out("alpha.png")).save(out("alpha_lossless.webp"), lossless=True)
    frames = [Image.new("RGB", (16, 16), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    frames[0].save(out("anim.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(out("anim.gif")).n_frames == 3
    quad(16, 12).save(out("rgb.bmp"))


def main():
    expected = {"quadrants": [TL, TR, BL, BR], "png16": PNG16}
    jpegs()
    progressive_pairs()
    orientations()
    icc(expected)
    icc_cmyk_jpeg(expected)
    pngs()
    others()
    with open(out("expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

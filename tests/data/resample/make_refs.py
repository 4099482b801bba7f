#!/usr/bin/env python3
"""Reference outputs for the CPU resampler, made with an independent library (Pillow).

Run from this directory with Pillow installed (pinned in tests/interop/requirements.txt):
    python3 make_refs.py
It writes `source.png` (a deterministic photo-like RGB image: gradients, edges and noise from a
fixed LCG, with odd dimensions) and one `ref_<filter>_<w>x<h>.png` per (filter, size) case.
tests/resample_reference.rs resizes `source.png` with ipsd's CPU executor and requires a PSNR
threshold against each reference. The filters map to resMode: bilin -> BILINEAR,
bicub -> BICUBIC (Catmull-Rom, a = -0.5 in both), sharp2 -> LANCZOS (3 lobes).
"""
from PIL import Image

W, H = 257, 193
SIZES = [(100, 75), (31, 200), (400, 300), (257, 96)]
FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "lanczos3": Image.LANCZOS}


def source():
    seed = 12345
    img = Image.new("RGB", (W, H))
    px = img.load()
    for y in range(H):
        for x in range(W):
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            noise = (seed >> 16) % 40 - 20
            r = x * 255 // (W - 1)
            g = y * 255 // (H - 1)
            b = 230 if (x // 16 + y // 16) % 2 else 30
            if 60 < x < 120 and 40 < y < 90:
                r, g, b = 250, 250, 250
            clamp = lambda v: max(0, min(255, v + noise))
            px[x, y] = (clamp(r), clamp(g), clamp(b))
    return img


def main():
    src = source()
    src.save("source.png")
    for name, f in FILTERS.items():
        for w, h in SIZES:
            src.resize((w, h), resample=f).save(f"ref_{name}_{w}x{h}.png")


if __name__ == "__main__":
    main()

"""One peer of the load benchmark: runs the standard mix (benches/load/mix.rs) through pyvips,
Pillow or a thumbor server, on the image set that `cargo bench --bench load` generated, at the
given concurrencies, in closed loop (N client threads, one call at a time each), and writes the
same JSON cell schema as the load bench.

    python worker.py --tool pyvips|pillow --images DIR --out FILE [--requests 32]
                     [--concurrency 1,2,4,16]
    python worker.py --tool thumbor --url http://127.0.0.1:PORT --pids 1,2 ...

pyvips and Pillow run in this process (threads: both release the GIL in decode, resize, filters
and encode); their peak RSS is this process's VmHWM, reset before each cell. For thumbor the
RSS is the sum over the thumbor processes named by --pids.
"""

import argparse
import concurrent.futures as cf
import http.client
import io
import json
import math
import os
import sys
import threading
import time

# PNG effort for every tool: zlib level 1, the closest to ipsd's fast PNG encoder.
PNG_LEVEL = 1


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU seconds of `pid` (fields 14 and 15 of /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- pyvips


def vips_tool():
    import pyvips

    # The operation cache would serve repeated identical calls from memory.
    pyvips.cache_set_max(0)
    pyvips.cache_set_max_mem(0)

    def flat(im):
        return im.flatten(background=[255, 255, 255]) if im.hasalpha() else im

    def thumbnail(img, path):
        im = pyvips.Image.thumbnail(path, 800, height=600)
        return flat(im).jpegsave_buffer(Q=85)

    def crop_rotate(img, path):
        x, y, w, h = img["crop"]
        im = pyvips.Image.new_from_file(path).crop(x, y, w, h).rot90()
        im = im.resize(1200 / im.width)
        return flat(im).jpegsave_buffer(Q=80)

    def color_usm(img, path):
        # shrink-on-load; 1600 wide, any height (upscales the 1200-wide source like wid=1600)
        im = flat(pyvips.Image.thumbnail(path, 1600, height=10_000_000, size="both"))
        im = im.linear([0.9] * 3, [25.5] * 3)  # op_brightness=10: v + (1 - v) * 0.1
        # op_saturation=20: saturation x1.2 (HSV here; ipsd uses HSL)
        hsv = im.colourspace("hsv")
        im = (hsv * [1, 1.2, 1]).cast("uchar").copy(interpretation="hsv").colourspace("srgb")
        blur = im.gaussblur(2)  # op_usm=1,2,5,0: amount 1, radius 2, threshold 5
        diff = im.cast("short") - blur.cast("short")
        im = (diff.abs() > 5).ifthenelse(im + diff, im).cast("uchar")
        return im.jpegsave_buffer(Q=80)

    def png_alpha(img, path):
        im = pyvips.Image.new_from_file(path, access="sequential")
        if not im.hasalpha():
            im = im.bandjoin(255)
        return im.pngsave_buffer(compression=PNG_LEVEL)

    return {
        "thumbnail": thumbnail,
        "crop_rotate": crop_rotate,
        "color_usm": color_usm,
        "png_alpha": png_alpha,
    }, f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}"


# ---------------------------------------------------------------- Pillow


def pillow_tool():
    import PIL
    from PIL import Image, ImageEnhance, ImageFilter

    def flat(im):
        if im.mode in ("RGBA", "LA", "P"):
            im = im.convert("RGBA")
            bg = Image.new("RGB", im.size, (255, 255, 255))
            bg.paste(im, mask=im.getchannel("A"))
            return bg
        return im.convert("RGB")

    def jpeg(im, q):
        buf = io.BytesIO()
        flat(im).save(buf, "JPEG", quality=q)
        return buf.getvalue()

    def thumbnail(img, path):
        im = Image.open(path)
        im.thumbnail((800, 600), Image.LANCZOS)  # draft (DCT scaling) + reduce + resize
        return jpeg(im, 85)

    def crop_rotate(img, path):
        x, y, w, h = img["crop"]
        im = Image.open(path).crop((x, y, x + w, y + h)).transpose(Image.Transpose.ROTATE_270)
        im = im.resize((1200, round(im.height * 1200 / im.width)), Image.LANCZOS)
        return jpeg(im, 80)

    def color_usm(img, path):
        im = Image.open(path)
        size = (1600, round(im.height * 1600 / im.width))
        im.draft("RGB", (size[0] * 2, size[1] * 2))
        im = flat(im.resize(size, Image.LANCZOS, reducing_gap=2.0))
        lut = [min(255, round(v * 0.9 + 25.5)) for v in range(256)] * 3
        im = im.point(lut)
        im = ImageEnhance.Color(im).enhance(1.2)
        im = im.filter(ImageFilter.UnsharpMask(radius=2, percent=100, threshold=5))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=80)
        return buf.getvalue()

    def png_alpha(img, path):
        im = Image.open(path).convert("RGBA")
        buf = io.BytesIO()
        im.save(buf, "PNG", compress_level=PNG_LEVEL)
        return buf.getvalue()

    return {
        "thumbnail": thumbnail,
        "crop_rotate": crop_rotate,
        "color_usm": color_usm,
        "png_alpha": png_alpha,
    }, f"Pillow {PIL.__version__}"


# ---------------------------------------------------------------- thumbor (HTTP client)


def thumbor_path(transform, img):
    f = img["file"]
    bg = ":background_color(ffffff)" if img["name"] == "alpha" else ""
    if transform == "thumbnail":
        return f"/unsafe/fit-in/800x600/filters:quality(85):format(jpeg){bg}/{f}"
    if transform == "crop_rotate":
        x, y, w, h = img["crop"]
        return (
            f"/unsafe/{x}x{y}:{x + w}x{y + h}/0x1200/"
            f"filters:rotate(270):quality(80):format(jpeg){bg}/{f}"
        )
    if transform == "color_usm":
        return (
            f"/unsafe/1600x0/filters:brightness(10):saturation(1.2):sharpen(1,2,false)"
            f":quality(80):format(jpeg){bg}/{f}"
        )
    if transform == "png_alpha":
        return f"/unsafe/filters:format(png)/{f}"
    raise ValueError(transform)


def thumbor_tool(url):
    host = url.split("://", 1)[1].rstrip("/")
    local = threading.local()

    def fetch(path):
        for attempt in range(2):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(host, timeout=300)
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                if r.status != 200:
                    raise RuntimeError(f"HTTP {r.status}: {body[:200]!r}")
                return body
            except (http.client.HTTPException, ConnectionError):
                local.conn = None
                if attempt:
                    raise

    def make(t):
        return lambda img, path: fetch(thumbor_path(t, img))

    names = ["thumbnail", "crop_rotate", "color_usm", "png_alpha"]
    return {t: make(t) for t in names}, "thumbor"


# ---------------------------------------------------------------- driver


def percentile(sorted_ms, q):
    if not sorted_ms:
        return float("nan")
    rank = max(1, min(len(sorted_ms), math.ceil(q * len(sorted_ms))))
    return sorted_ms[rank - 1]


def stats(ms):
    ms = sorted(ms)
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
    }


def progress(label, done, total, start):
    width = 30
    filled = done * width // max(1, total)
    rate = done / max(1e-9, time.perf_counter() - start)
    sys.stderr.write(
        f"\r{label:<24} [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {rate:6.2f} img/s"
    )
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run_cell(fn, images, paths, transform, n, requests, label):
    samples = []
    lock = threading.Lock()
    counter = iter(range(requests))
    start = time.perf_counter()

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            src = i % len(images)
            t = time.perf_counter()
            fault = None
            try:
                fn(images[src], paths[src])
            except Exception as e:  # reported per cell, never fatal
                fault = f"{type(e).__name__}: {e}"
            lat = (time.perf_counter() - t) * 1000
            with lock:
                samples.append((src, lat, fault))

    with cf.ThreadPoolExecutor(n) as pool:
        futs = [pool.submit(worker) for _ in range(n)]
        while not all(f.done() for f in futs):
            progress(label, len(samples), requests, start)
            time.sleep(0.2)
        for f in futs:
            f.result()
    progress(label, len(samples), requests, start)
    wall = time.perf_counter() - start
    return wall, samples


def cell_json(transform, n, wall, samples, images, peak_kib):
    ok = [s for s in samples if s[2] is None]
    faults = [s for s in samples if s[2] is not None]
    overall = stats([s[1] for s in ok])
    per_source = {
        img["name"]: stats([s[1] for s in ok if s[0] == i]) for i, img in enumerate(images)
    }
    return {
        "transform": transform,
        "concurrency": n,
        "requests": len(samples),
        "ok": len(ok),
        "faults": len(faults),
        "fault": faults[0][2] if faults else None,
        "wall_s": round(wall, 2),
        "images_per_s": round(len(ok) / wall, 2),
        **{k: overall[k] for k in ("p50_ms", "p95_ms", "p99_ms")},
        "peak_rss_mib": round(peak_kib / 1024, 2),
        "per_source": per_source,
    }


def warm_up(fn, images, paths):
    outputs, fault = {}, None
    for img, path in zip(images, paths):
        try:
            out = fn(img, path)
            outputs[img["name"]] = {"bytes": len(out), **dims(out)}
        except Exception as e:
            fault = f"{type(e).__name__}: {e}"
    return outputs, fault


def dims(data):
    """Width and height of a JPEG or PNG, read from its header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return {"width": int.from_bytes(data[16:20], "big"), "height": int.from_bytes(data[20:24], "big")}
    i = 2
    while i + 9 < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return {
                "height": int.from_bytes(data[i + 5 : i + 7], "big"),
                "width": int.from_bytes(data[i + 7 : i + 9], "big"),
            }
        i += 2 + length
    return {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, choices=["pyvips", "pillow", "thumbor"])
    ap.add_argument("--images", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--requests", type=int, default=32)
    ap.add_argument("--concurrency", default="1,2,4,16")
    ap.add_argument("--transforms", default="thumbnail,crop_rotate,color_usm,png_alpha")
    ap.add_argument("--url")
    ap.add_argument("--pids", default="")
    a = ap.parse_args()

    manifest = json.load(open(os.path.join(a.images, "manifest.json")))
    images = manifest["images"]
    paths = [os.path.join(a.images, img["file"]) for img in images]
    if a.tool == "pyvips":
        tools, version = vips_tool()
    elif a.tool == "pillow":
        tools, version = pillow_tool()
    else:
        tools, version = thumbor_tool(a.url)
    pids = [int(p) for p in a.pids.split(",") if p] or [os.getpid()]

    cells, transforms = [], []
    loadavg = open("/proc/loadavg").read().strip()
    for t in a.transforms.split(","):
        outputs, fault = warm_up(tools[t], images, paths)
        transforms.append({"name": t, "outputs": outputs, "fault": fault})
        for n in [int(c) for c in a.concurrency.split(",")]:
            if not outputs:
                cells.append({"transform": t, "concurrency": n, "requests": 0, "ok": 0,
                              "faults": 0, "fault": fault, "images_per_s": 0.0})
                continue
            for p in pids:
                reset_peak(p)
            cpu = sum(cpu_seconds(p) for p in pids)
            wall, samples = run_cell(tools[t], images, paths, t, n, a.requests, f"{a.tool} {t} N={n}")
            cpu = sum(cpu_seconds(p) for p in pids) - cpu
            peak = sum(peak_rss_kib(p) for p in pids)
            cell = cell_json(t, n, wall, samples, images, peak)
            cell["cpu_ms_per_image"] = round(cpu / a.requests * 1000)
            cells.append(cell)
    result = {
        "tool": a.tool,
        "version": version,
        "requests_per_cell": a.requests,
        "cells": cells,
        "transforms": transforms,
        "loadavg_before": loadavg,
        "loadavg_after": open("/proc/loadavg").read().strip(),
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()

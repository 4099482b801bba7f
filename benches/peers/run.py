#!/usr/bin/env python3
"""Same-run comparison of ipsd's copyImage with pyvips, Pillow and thumbor (issue 5).

    python3 benches/peers/run.py [--requests 32] [--concurrency 1,2,4,16]
        [--transforms thumbnail,crop_rotate,color_usm,png_alpha] [--tools pyvips,pillow,thumbor]
        [--executor auto|cpu|gpu] [--env IPSD_X=v ...] [--out target/peers/results]

1. Makes its venvs under target/peers/ (stdlib `venv` + pip): `venv-vips` (pyvips-binary, which
   bundles libvips, pyvips, Pillow) and `venv-thumbor` (thumbor with Pillow < 13).
2. Runs `cargo bench --bench load`, which writes the image set and its manifest to
   target/load-bench/images and measures ipsd end to end (SOAP copyImage on loopback).
3. Runs the same transforms on the same files at the same concurrencies through pyvips and
   Pillow (in-process threads) and thumbor (HTTP on loopback, file loader, one process per core).
4. Prints, per transform and concurrency, images per second of each tool, the ratio
   ipsd / peer, latency and peak RSS; writes comparison.json and comparison.md to --out.
Only the standard library is needed to run it; it needs network access to PyPI the first time.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(ROOT, "target", "peers")
IMAGES = os.path.join(ROOT, "target", "load-bench", "images")
WORKER = os.path.join(ROOT, "benches", "peers", "worker.py")
VENVS = {
    "venv-vips": ["pyvips-binary", "pyvips", "Pillow"],
    "venv-thumbor": ["thumbor", "Pillow<13"],
}


def venv(name):
    path = os.path.join(PEERS, name)
    py = os.path.join(path, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", path], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", *VENVS[name]], check=True)
    return py


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def run_ipsd(a, out):
    cmd = ["cargo", "bench", "--bench", "load", "--", "--out", out, "--requests", str(a.requests),
           "--concurrency", a.concurrency, "--transforms", a.transforms, "--executor", a.executor]
    for e in a.env:
        cmd += ["--env", e]
    subprocess.run(cmd, cwd=ROOT, check=True)


def worker(py, tool, a, out, transform, extra=()):
    subprocess.run([py, WORKER, "--tool", tool, "--images", IMAGES, "--out", out,
                    "--requests", str(a.requests), "--concurrency", a.concurrency,
                    "--transforms", transform, *extra], check=True)


def per_transform(a, out, run_one):
    """A fresh peer process per transform (as for ipsd), merged into one result file."""
    merged = None
    for t in a.transforms.split(","):
        part = f"{out}.{t}"
        run_one(part, t)
        r = json.load(open(part))
        if merged is None:
            merged = r
        else:
            merged["cells"] += r["cells"]
            merged["transforms"] += r["transforms"]
            merged["loadavg_after"] = r["loadavg_after"]
        os.remove(part)
    with open(out, "w") as f:
        json.dump(merged, f, indent=2)


THUMBOR_CONF = """
LOADER = 'thumbor.loaders.file_loader'
FILE_LOADER_ROOT_PATH = {root!r}
STORAGE = 'thumbor.storages.no_storage'
RESULT_STORAGE = None
ALLOW_UNSAFE_URL = True
QUALITY = 80
PNG_COMPRESSION_LEVEL = 1
AUTO_PNG_TO_JPG = False
MAX_PIXELS = 100e6
"""


def run_thumbor(a, out, py_client, transform):
    py = venv("venv-thumbor")
    conf = os.path.join(PEERS, "thumbor.conf")
    with open(conf, "w") as f:
        f.write(THUMBOR_CONF.format(root=IMAGES))
    port = free_port()
    thumbor = os.path.join(os.path.dirname(py), "thumbor")
    cores = os.cpu_count() or 1
    log = open(os.path.join(PEERS, "thumbor.log"), "w")
    proc = subprocess.Popen([thumbor, "-i", "127.0.0.1", "-p", str(port), "-c", conf,
                             "-l", "warning", "--processes", str(cores)], stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/healthcheck")
        time.sleep(1)  # let every forked process start listening
        pids = [proc.pid, *children(proc.pid)]
        worker(py_client, "thumbor", a, out, transform,
               ["--url", url, "--pids", ",".join(map(str, pids))])
    finally:
        for pid in children(proc.pid):  # forked workers outlive a terminated parent
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        proc.terminate()
        proc.wait(timeout=30)


def wait_http(url):
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


def index(result):
    return {(c["transform"], c["concurrency"]): c for c in result["cells"]}


def fmt(v, spec=".2f"):
    return "—" if v is None else format(v, spec)


def compare(results, tools):
    """Rows per (transform, N): img/s per tool and ipsd/peer ratios, p50/p99, peak RSS."""
    base = index(results["ipsd"])
    peers = {t: index(results[t]) for t in tools if t in results}
    rows = []
    for (t, n), c in base.items():
        row = {"transform": t, "concurrency": n, "ipsd": c}
        for p, cells in peers.items():
            pc = cells.get((t, n), {})
            row[p] = pc
            ok = c.get("images_per_s") and pc.get("images_per_s")
            row[f"ratio_{p}"] = round(c["images_per_s"] / pc["images_per_s"], 2) if ok else None
        rows.append(row)
    return rows


def markdown(rows, tools):
    head = ["transform", "N", "ipsd img/s"] + [f"{p} img/s" for p in tools] + \
        [f"ipsd/{p}" for p in tools] + ["ipsd p50/p99 ms"] + [f"{p} p50/p99 ms" for p in tools] + \
        ["ipsd RSS MiB"] + [f"{p} RSS MiB" for p in tools]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        def lat(c):
            return f"{fmt(c.get('p50_ms'), '.0f')} / {fmt(c.get('p99_ms'), '.0f')}" if c.get("ok") else "fault"
        cells = [r["transform"], str(r["concurrency"]), fmt(r["ipsd"].get("images_per_s"))]
        cells += [fmt(r[p].get("images_per_s")) if r[p].get("ok") else "fault" for p in tools]
        cells += [fmt(r[f"ratio_{p}"]) for p in tools]
        cells += [lat(r["ipsd"])] + [lat(r[p]) for p in tools]
        cells += [fmt(r["ipsd"].get("peak_rss_mib"), ".0f")]
        cells += [fmt(r[p].get("peak_rss_mib"), ".0f") for p in tools]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_markdown(rows, tools):
    """CPU milliseconds per image (server or peer process, user + system) per cell."""
    head = ["transform", "N", "ipsd CPU ms/img"] + [f"{p} CPU ms/img" for p in tools]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["transform"], str(r["concurrency"])]
        cells += [fmt(r[t].get("cpu_ms_per_image"), ".0f") for t in ["ipsd", *tools]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=32)
    ap.add_argument("--concurrency", default="1,2,4,16")
    ap.add_argument("--transforms", default="thumbnail,crop_rotate,color_usm,png_alpha")
    ap.add_argument("--tools", default="pyvips,pillow,thumbor")
    ap.add_argument("--executor", default="auto")
    ap.add_argument("--env", action="append", default=[], help="IPSD_X=v for the ipsd server")
    ap.add_argument("--out", default=os.path.join(PEERS, "results"))
    ap.add_argument("--skip-ipsd", action="store_true", help="reuse OUT/ipsd.json")
    a = ap.parse_args()
    tools = [t for t in a.tools.split(",") if t]
    os.makedirs(a.out, exist_ok=True)
    py = venv("venv-vips")
    if "thumbor" in tools:
        venv("venv-thumbor")
    path = lambda tool: os.path.join(a.out, f"{tool}.json")
    if not a.skip_ipsd:
        run_ipsd(a, path("ipsd"))
    for t in tools:
        if t == "thumbor":
            per_transform(a, path(t), lambda out, tr: run_thumbor(a, out, py, tr))
        else:
            per_transform(a, path(t), lambda out, tr, t=t: worker(py, t, a, out, tr))
    results = {t: json.load(open(path(t))) for t in ["ipsd", *tools]}
    rows = compare(results, tools)
    md = markdown(rows, tools) + "\n\n" + cpu_markdown(rows, tools)
    versions = {t: results[t].get("version") for t in tools}
    with open(os.path.join(a.out, "comparison.json"), "w") as f:
        json.dump({"rows": rows, "versions": versions, "machine": results["ipsd"].get("machine")}, f, indent=2)
    with open(os.path.join(a.out, "comparison.md"), "w") as f:
        f.write(md + "\n")
    print("\n" + md)
    print(f"\nversions: {versions}; machine: {results['ipsd'].get('machine')}")


if __name__ == "__main__":
    main()

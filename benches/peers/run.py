#!/usr/bin/env python3
"""Same-run comparison of ipsd's copyImage with pyvips, Pillow and thumbor (issue 5).

    python3 benches/peers/run.py [--requests 32] [--concurrency 1,2,4,16]
        [--transforms thumbnail,crop_rotate,color_usm,png_alpha] [--tools pyvips,pillow,thumbor]
        [--executor auto|cpu|gpu] [--env IPSD_X=v ...] [--rounds 1] [--distinct]
        [--out target/peers/results]

1. Makes its venvs under target/peers/ (stdlib `venv` + pip): `venv-vips` (pyvips-binary, which
   bundles libvips, pyvips, Pillow) and `venv-thumbor` (thumbor with Pillow < 13).
2. Interleaves the tools by transform, so that every tool's cells of a transform are measured
   within minutes of each other (the machine's speed drifts over longer spans): for each of
   --rounds rounds, for each transform, it runs `cargo bench --bench load -- --transforms T`
   (which writes the image set and its manifest to target/load-bench/images the first time and
   measures ipsd end to end: SOAP copyImage on loopback), then the same transform on the same
   files at the same concurrencies through pyvips and Pillow (in-process threads) and thumbor
   (HTTP on loopback, file loader, one process per core); even rounds run the peers first and
   ipsd last, so that no tool always goes first. Every run is a fresh process.
3. Prints, per transform and concurrency, images per second of each tool, the ratio
   ipsd / peer, latency, peak RSS and CPU per image; writes comparison.json and comparison.md to
   --out, and OUT/<tool>.json with every round's cells (each tagged with its `round`).
   With --rounds R > 1 every figure is the median over the rounds, and each ratio is the median
   of the per-round ratios (ipsd and the peer measured in the same round); comparison.json keeps
   every round's cells and ratios (`rows[].rounds`) and when each run started (`schedule`), and
   comparison.md adds a table of the per-round figures. With R = 1 the tables are the single
   measurement, in the same columns.
Only the standard library is needed to run it; it needs network access to PyPI the first time.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
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


def run_ipsd(a, out, transform):
    cmd = ["cargo", "bench", "--bench", "load", "--", "--out", out, "--requests", str(a.requests),
           "--concurrency", a.concurrency, "--transforms", transform, "--executor", a.executor]
    for e in a.env:
        cmd += ["--env", e]
    if a.distinct:
        cmd.append("--distinct")
    subprocess.run(cmd, cwd=ROOT, check=True)


def worker(py, tool, a, out, transform, extra=()):
    subprocess.run([py, WORKER, "--tool", tool, "--images", IMAGES, "--out", out,
                    "--requests", str(a.requests), "--concurrency", a.concurrency,
                    "--transforms", transform, *extra], check=True)


def add_part(merged, part, rnd):
    """Appends one run (one tool, one transform, one round) to the tool's merged result."""
    for c in part["cells"]:
        c["round"] = rnd
    for t in part.get("transforms", []):
        t["round"] = rnd
    if merged is None:
        return part
    merged["cells"] += part["cells"]
    merged["transforms"] += part.get("transforms", [])
    merged["loadavg_after"] = part.get("loadavg_after")
    return merged


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


def by_cell(result):
    """{(transform, N): {round: cell}}, in the order the cells were measured."""
    cells = {}
    for c in result["cells"]:
        cells.setdefault((c["transform"], c["concurrency"]), {})[c.get("round", 1)] = c
    return cells


MEDIANS = ("images_per_s", "cpu_ms_per_image", "p50_ms", "p95_ms", "p99_ms", "peak_rss_mib", "wall_s")


def median_cell(cells):
    """One cell from the rounds' cells of a (tool, transform, N): the cell itself for one round,
    else the medians over the rounds that rendered anything (faults are summed)."""
    if not cells:
        return {}
    if len(cells) == 1:
        return {**{k: v for k, v in cells[0].items() if k != "round"}, "rounds": 1}
    ok = [c for c in cells if c.get("ok")]
    m = {"transform": cells[0]["transform"], "concurrency": cells[0]["concurrency"],
         "rounds": len(cells), "median_of_rounds": True}
    for k in ("requests", "ok", "faults"):
        m[k] = sum(c.get(k) or 0 for c in cells)
    m["fault"] = next((c["fault"] for c in cells if c.get("fault")), None)
    for k in MEDIANS:
        vals = [c[k] for c in ok if c.get(k) is not None]
        m[k] = round(statistics.median(vals), 2) if vals else None
    if not ok:
        m["images_per_s"] = 0.0
    return m


def ratio(c, pc):
    ok = c.get("images_per_s") and pc.get("images_per_s")
    return c["images_per_s"] / pc["images_per_s"] if ok else None


def fmt(v, spec=".2f"):
    return "—" if v is None else format(v, spec)


def compare(results, tools, transforms):
    """Rows per (transform, N): img/s per tool and ipsd/peer ratios, p50/p99, peak RSS, CPU, each
    the median over the rounds (a ratio: the median of the per-round ratios), and under `rounds`
    every round's cells and ratios."""
    base = by_cell(results["ipsd"])
    peers = {t: by_cell(results[t]) for t in tools if t in results}
    rows = []
    for (t, n), base_rounds in base.items():
        if t not in transforms:
            continue
        per_round = [{"round": r, "ipsd": base_rounds[r]} for r in sorted(base_rounds)]
        row = {"transform": t, "concurrency": n, "ipsd": median_cell(list(base_rounds.values()))}
        for p, cells in peers.items():
            peer_rounds = cells.get((t, n), {})
            row[p] = median_cell([peer_rounds[r] for r in sorted(peer_rounds)])
            ratios = []
            for entry in per_round:
                entry[p] = peer_rounds.get(entry["round"], {})
                q = ratio(entry["ipsd"], entry[p])
                entry[f"ratio_{p}"] = None if q is None else round(q, 2)
                if q is not None:
                    ratios.append(q)
            row[f"ratio_{p}"] = round(statistics.median(ratios), 2) if ratios else None
        row["rounds"] = per_round
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


def rounds_markdown(rows, tools):
    """Every round's img/s per tool and ipsd/peer ratio, in round order."""
    def img(c):
        return fmt(c.get("images_per_s")) if c.get("ok") else "fault"
    head = ["transform", "N", "ipsd img/s per round"] + [f"{p} img/s per round" for p in tools] + \
        [f"ipsd/{p} per round" for p in tools]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["transform"], str(r["concurrency"])]
        cells += [", ".join(img(e[t]) for e in r["rounds"]) for t in ["ipsd", *tools]]
        cells += [", ".join(fmt(e[f"ratio_{p}"]) for e in r["rounds"]) for p in tools]
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
    ap.add_argument("--distinct", action="store_true",
                    help="ipsd's clients render their own copies of the masters, so none shares "
                         "a decode (the peers never share one)")
    ap.add_argument("--out", default=os.path.join(PEERS, "results"))
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure every tool on every transform R times, interleaved (each round "
                         "runs, per transform, ipsd then each peer, or the reverse in even "
                         "rounds); report medians over the "
                         "rounds and the median of the per-round ratios (default 1)")
    ap.add_argument("--skip-ipsd", action="store_true",
                    help="reuse OUT/ipsd.json (its round 1; measured earlier, so not interleaved) "
                         "instead of running ipsd; only with --rounds 1 (an error otherwise)")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    if a.skip_ipsd and a.rounds > 1:
        ap.error("--skip-ipsd reuses one earlier ipsd run, so it needs --rounds 1")
    tools = [t for t in a.tools.split(",") if t]
    transforms = [t for t in a.transforms.split(",") if t]
    os.makedirs(a.out, exist_ok=True)
    path = lambda tool: os.path.join(a.out, f"{tool}.json")
    if a.skip_ipsd and not os.path.exists(path("ipsd")):
        ap.error(f"--skip-ipsd: {path('ipsd')} does not exist")
    py = venv("venv-vips")
    if "thumbor" in tools:
        venv("venv-thumbor")
    results, schedule = {}, []
    if a.skip_ipsd:  # the earlier run's round 1 (cells without a round are round 1)
        results["ipsd"] = json.load(open(path("ipsd")))
        results["ipsd"]["cells"] = [c for c in results["ipsd"]["cells"] if c.get("round", 1) == 1]
    runs = tools if a.skip_ipsd else ["ipsd", *tools]
    for rnd in range(1, a.rounds + 1):
        for t in transforms:
            # Even rounds reverse the order, so that no tool always runs first.
            for tool in runs if rnd % 2 else runs[::-1]:
                print(f"\n== round {rnd}/{a.rounds}, {t}: {tool}", file=sys.stderr, flush=True)
                part = os.path.join(a.out, f"{tool}.round{rnd}.{t}.json")
                started = time.time()
                if tool == "ipsd":
                    run_ipsd(a, part, t)
                elif tool == "thumbor":
                    run_thumbor(a, part, py, t)
                else:
                    worker(py, tool, a, part, t)
                schedule.append({"round": rnd, "transform": t, "tool": tool,
                                 "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                                 "seconds": round(time.time() - started, 1)})
                with open(part) as f:
                    results[tool] = add_part(results.get(tool), json.load(f), rnd)
                os.remove(part)
                results[tool]["rounds"] = rnd
                with open(path(tool), "w") as f:  # after every run, so an interrupted run keeps it
                    json.dump(results[tool], f, indent=2)
    rows = compare(results, tools, transforms)
    md = markdown(rows, tools) + "\n\n" + cpu_markdown(rows, tools)
    if a.rounds > 1:
        md = (f"Medians over {a.rounds} interleaved rounds; ipsd/peer is the median of the "
              f"per-round ratios.\n\n{md}\n\nPer round (1 to {a.rounds}):\n\n"
              + rounds_markdown(rows, tools))
    versions = {t: results[t].get("version") for t in tools}
    machine = results["ipsd"].get("machine")
    with open(os.path.join(a.out, "comparison.json"), "w") as f:
        json.dump({"rows": rows, "versions": versions, "machine": machine, "rounds": a.rounds,
                   "schedule": schedule}, f, indent=2)
    with open(os.path.join(a.out, "comparison.md"), "w") as f:
        f.write(md + "\n")
    print("\n" + md)
    print(f"\nversions: {versions}; machine: {machine}")


if __name__ == "__main__":
    main()

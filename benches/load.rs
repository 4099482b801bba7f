//! End-to-end load benchmark (issue 5): starts `ipsd serve --demo` on loopback with a fresh data
//! directory, uploads a generated image set (4000×3000 q90 4:2:0 JPEG, the same as progressive
//! JPEG, a 4000×3000 PNG with alpha, a 1200×800 JPEG), then drives SOAP copyImage calls of each
//! transform of the standard mix at each concurrency, and reports images per second,
//! p50/p95/p99 latency and the server's peak RSS per cell, as a table and as JSON, with each
//! source's upload time (`uploads`; with `--distinct`, every copy's: the first upload of a
//! source runs on a cold server).
//!
//! `cargo bench --bench load [-- OPTIONS]`:
//! `--requests N` calls per cell (default 32), `--concurrency 1,2,4,16`,
//! `--transforms thumbnail,crop_rotate,color_usm,png_alpha`, `--executor auto|cpu|gpu`
//! (default `auto`: the GPU when a hardware one is present), `--env IPSD_X=v` (repeatable, for
//! the server), `--out FILE` (default `target/load-bench/ipsd.json`), `--images DIR` (default
//! `target/load-bench/images`), `--images-only` (write the image set and its manifest, then stop),
//! `--sources photo,alpha,…` (only these sources of the set, e.g. one master that every client
//! renders at once: what shared decodes are for; default all four), `--distinct` (every
//! client renders its own copy of the set, same pixels but another file, so that no two
//! clients share a decode: a farm rendering distinct masters; default: every client cycles
//! over the same masters).
//! `--help` lists them; any other argument is an error (exit status 2).
//! `benches/peers/run.py` runs this and the peers in one run.

#[path = "load/drive.rs"]
mod drive;
#[path = "load/http.rs"]
mod http;
#[path = "load/images.rs"]
mod images;
#[path = "load/mix.rs"]
mod mix;
#[path = "common/photo.rs"]
mod photo;
#[path = "load/report.rs"]
mod report;
#[path = "load/server.rs"]
mod server;

use serde_json::{json, Value};
use server::Server;
use std::path::PathBuf;

/// Command-line options (see the module docs).
struct Opts {
    requests: usize,
    concurrency: Vec<usize>,
    transforms: Vec<String>,
    executor: String,
    env: Vec<(String, String)>,
    out: PathBuf,
    images: PathBuf,
    images_only: bool,
    sources: Option<Vec<String>>,
    distinct: bool,
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/load-bench")
}

fn list<T: std::str::FromStr>(v: &str) -> Vec<T> {
    v.split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|_| panic!("bad value '{s}'"))
        })
        .collect()
}

/// `--help`: the options of the module docs.
const USAGE: &str = "\
cargo bench --bench load [-- OPTIONS]: SOAP copyImage end to end against a fresh `ipsd serve`.
  --requests N            calls per cell (default 32)
  --concurrency 1,2,4,16  clients per cell
  --transforms LIST       thumbnail,crop_rotate,color_usm,png_alpha
  --executor auto|cpu|gpu (default auto: the GPU when a hardware one is present)
  --env IPSD_X=v          a variable for the server (repeatable)
  --out FILE              JSON summary (default target/load-bench/ipsd.json)
  --images DIR            the image set (default target/load-bench/images)
  --images-only           write the image set and its manifest, then stop
  --sources photo,alpha   only these sources of the set (default all four)
  --distinct              every client renders its own copy of the set (no shared decodes)
";

fn parse_opts() -> Opts {
    let mut o = Opts {
        requests: 32,
        concurrency: vec![1, 2, 4, 16],
        transforms: mix::TRANSFORMS.iter().map(|(t, _)| t.to_string()).collect(),
        executor: "auto".into(),
        env: Vec::new(),
        out: bench_dir().join("ipsd.json"),
        images: bench_dir().join("images"),
        images_only: false,
        sources: None,
        distinct: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--requests" => o.requests = val().parse().expect("--requests N"),
            "--concurrency" => o.concurrency = list(&val()),
            "--transforms" => o.transforms = list(&val()),
            "--executor" => o.executor = val(),
            "--out" => o.out = val().into(),
            "--images" => o.images = val().into(),
            "--env" => {
                let kv = val();
                let (k, v) = kv.split_once('=').expect("--env NAME=value");
                o.env.push((k.into(), v.into()));
            }
            "--images-only" => o.images_only = true,
            "--sources" => o.sources = Some(list(&val())),
            "--distinct" => o.distinct = true,
            "--bench" => {} // cargo bench passes it
            "--help" | "-h" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => {
                eprintln!("load bench: unknown argument '{other}' (--help lists the options)");
                std::process::exit(2);
            }
        }
    }
    o
}

/// CPU model, core count and load average, recorded with every run.
fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string());
    json!({
        "cpu": model,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "loadavg": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    })
}

/// One call per (transform, source) before measuring: warms caches, records each output's
/// size and format, and finds transforms that fault (their cells are skipped and reported).
fn warm_up(srv: &Server, handles: &[String], set: &[images::Source], t: &str) -> Value {
    let mut c = http::Client::new(srv.addr);
    let mut outputs = serde_json::Map::new();
    let mut fault = None;
    for (h, s) in handles.iter().zip(set) {
        let m = drive::xml_escape(&mix::modifier(t, s));
        match drive::copy_image(&mut c, h, &m, &drive::unique_name("warm")) {
            Ok(copy) => {
                outputs.insert(s.name.into(), output_info(&mut c, &copy));
            }
            Err(e) => fault = Some(e),
        }
    }
    json!({ "name": t, "outputs": outputs, "fault": fault })
}

fn output_info(c: &mut http::Client, handle: &str) -> Value {
    let inner = format!(
        "<companyHandle>{}</companyHandle><assetHandleArray><items>{handle}</items></assetHandleArray>",
        server::COMPANY
    );
    let text = server::call(c, "getAssets", &inner)
        .map(|r| r.text())
        .unwrap_or_default();
    let num = |t: &str| server::tag(&text, t).and_then(|v| v.parse::<u64>().ok());
    json!({
        "file": server::tag(&text, "fileName"),
        "width": num("width"),
        "height": num("height"),
        "bytes": num("fileSize"),
    })
}

/// Where the server runs: its binary, the data directory the sources were uploaded to.
struct Setup<'a> {
    bin: &'a std::path::Path,
    data: &'a std::path::Path,
    set: &'a [images::Source],
    /// The sources' handles, for each copy of the set (`--distinct`; one copy otherwise).
    handles: &'a [Vec<String>],
}

/// Each transform gets a fresh server process on the uploaded catalog, so the peak RSS of a
/// cell holds only that transform's work (at rising concurrency), not what earlier ones left
/// in the allocator.
fn run_cells(s: &Setup, o: &Opts) -> Value {
    let (set, handles) = (s.set, s.handles);
    let names: Vec<&str> = set.iter().map(|s| s.name).collect();
    let (mut cells, mut transforms) = (Vec::new(), Vec::new());
    for t in &o.transforms {
        let srv = Server::start(s.bin, s.data, &o.executor, &o.env);
        let srv = &srv;
        let mut warm = warm_up(srv, &handles[0], set, t);
        let broken = warm["outputs"].as_object().is_none_or(|m| m.is_empty());
        let sources: Vec<Vec<(String, String)>> = handles
            .iter()
            .map(|copy| {
                copy.iter()
                    .zip(set)
                    .map(|(h, s)| (h.clone(), drive::xml_escape(&mix::modifier(t, s))))
                    .collect()
            })
            .collect();
        for &n in &o.concurrency {
            if broken {
                let reason = warm["fault"].as_str().unwrap_or("no output");
                cells.push(report::faulted_cell(t, n, reason));
                eprintln!("{t:<12} N={n:<3} skipped: every warm-up call faulted: {reason}");
                continue;
            }
            let reset = server::reset_peak_rss(srv.pid());
            let job = drive::Job {
                addr: srv.addr,
                label: format!("{t} N={n}"),
                sources: &sources,
                requests: o.requests,
                concurrency: n,
            };
            let cpu = server::cpu_seconds(srv.pid());
            let out = drive::run(&job);
            let cpu = server::cpu_seconds(srv.pid()) - cpu;
            let peak = server::peak_rss_kib(srv.pid());
            let mut cell = report::cell(t, n, &out, &names, peak);
            cell["peak_rss_per_cell"] = reset.into();
            cell["cpu_ms_per_image"] = (cpu / o.requests as f64 * 1000.0).round().into();
            cells.push(cell);
        }
        warm["process_peak_rss_mib"] = (server::peak_rss_kib(srv.pid()) as f64 / 1024.0).into();
        transforms.push(warm);
    }
    json!({ "cells": cells, "transforms": transforms })
}

fn main() {
    let o = parse_opts();
    eprintln!("generating the image set in {}", o.images.display());
    let set = images::generate(&o.images).expect("writing the image set");
    let manifest = mix::manifest(&set);
    std::fs::write(
        o.images.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .expect("writing the manifest");
    if o.images_only {
        return;
    }
    std::fs::create_dir_all(bench_dir()).expect("bench dir");
    let data = tempfile::tempdir_in(bench_dir()).expect("fresh data dir");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_ipsd"));
    let before = machine();
    let srv = Server::start(&bin, data.path(), &o.executor, &o.env);
    let health = srv.health();
    eprintln!("ipsd on {} ({health}); uploading", srv.addr);
    let wanted = |s: &images::Source| {
        o.sources
            .as_ref()
            .is_none_or(|w| w.iter().any(|n| n == s.name))
    };
    let set: Vec<_> = set.into_iter().filter(wanted).collect();
    assert!(!set.is_empty(), "--sources matches none of the image set");
    let copies = if o.distinct {
        o.concurrency.iter().copied().max().unwrap_or(1)
    } else {
        1
    };
    let (handles, uploads): (Vec<Vec<String>>, Vec<_>) = (0..copies)
        .map(|k| match k {
            0 => srv.upload(&set),
            k => srv.upload(&images::copies(&set, k).expect("writing copies of the set")),
        })
        .unzip();
    drop(srv);
    let uploads: Vec<Value> = uploads.into_iter().flatten().collect();
    report::print_uploads(&uploads);
    let setup = Setup {
        bin: &bin,
        data: data.path(),
        set: &set,
        handles: &handles,
    };
    let mut result = run_cells(&setup, &o);
    result["tool"] = "ipsd".into();
    result["health"] = health.into();
    result["server_env"] = json!(o.env);
    result["distinct_copies"] = copies.into();
    result["uploads"] = uploads.into();
    result["requests_per_cell"] = o.requests.into();
    result["machine"] = before;
    result["loadavg_after"] = machine()["loadavg"].clone();
    result["images"] = manifest["images"].clone();
    report::print_table(result["cells"].as_array().unwrap());
    if let Some(dir) = o.out.parent() {
        std::fs::create_dir_all(dir).expect("output dir");
    }
    std::fs::write(&o.out, serde_json::to_vec_pretty(&result).unwrap()).expect("writing JSON");
    eprintln!("summary written to {}", o.out.display());
}

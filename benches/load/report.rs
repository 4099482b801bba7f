//! Figures of a cell (images per second, latency percentiles, peak RSS, faults) as JSON in the
//! schema shared with `benches/peers/run.py`, and the table printed at the end.

use super::drive::{Outcome, Sample};
use serde_json::{json, Value};
use std::time::Duration;

/// Nearest-rank percentile of sorted milliseconds.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn latency_stats(samples: &[&Sample]) -> Value {
    let mut ms: Vec<f64> = samples.iter().map(|s| millis(s.latency)).collect();
    ms.sort_by(f64::total_cmp);
    json!({
        "n": ms.len(),
        "p50_ms": round2(percentile(&ms, 0.50)),
        "p95_ms": round2(percentile(&ms, 0.95)),
        "p99_ms": round2(percentile(&ms, 0.99)),
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A cell's JSON: throughput over successful calls, latency over them (overall and per
/// source), faults with their first reason, and the peak RSS the caller measured.
pub fn cell(
    transform: &str,
    concurrency: usize,
    out: &Outcome,
    sources: &[&str],
    peak_kib: u64,
) -> Value {
    let ok: Vec<&Sample> = out.samples.iter().filter(|s| s.fault.is_none()).collect();
    let faults = out.samples.len() - ok.len();
    let first_fault = out.samples.iter().find_map(|s| s.fault.clone());
    let per_source: serde_json::Map<String, Value> = sources
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mine: Vec<&Sample> = ok.iter().copied().filter(|s| s.source == i).collect();
            (name.to_string(), latency_stats(&mine))
        })
        .collect();
    let overall = latency_stats(&ok);
    json!({
        "transform": transform,
        "concurrency": concurrency,
        "requests": out.samples.len(),
        "ok": ok.len(),
        "faults": faults,
        "fault": first_fault,
        "wall_s": round2(out.wall.as_secs_f64()),
        "images_per_s": round2(ok.len() as f64 / out.wall.as_secs_f64()),
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "p99_ms": overall["p99_ms"],
        "peak_rss_mib": round2(peak_kib as f64 / 1024.0),
        "per_source": per_source,
    })
}

/// A cell skipped because its transform faulted during warm-up.
pub fn faulted_cell(transform: &str, concurrency: usize, reason: &str) -> Value {
    json!({
        "transform": transform,
        "concurrency": concurrency,
        "requests": 0,
        "ok": 0,
        "faults": 0,
        "fault": reason,
        "images_per_s": 0.0,
    })
}

/// The table on stdout.
pub fn print_table(cells: &[Value]) {
    println!(
        "\n{:<12} {:>3} {:>8} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "transform", "N", "img/s", "p50 ms", "p95 ms", "p99 ms", "RSS MiB", "faults"
    );
    for c in cells {
        if c["ok"] == 0 {
            println!(
                "{:<12} {:>3}  FAULT: {}",
                c["transform"].as_str().unwrap_or(""),
                c["concurrency"],
                c["fault"].as_str().unwrap_or("")
            );
            continue;
        }
        println!(
            "{:<12} {:>3} {:>8.2} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            c["transform"].as_str().unwrap_or(""),
            c["concurrency"],
            c["images_per_s"].as_f64().unwrap_or(0.0),
            c["p50_ms"].as_f64().unwrap_or(0.0),
            c["p95_ms"].as_f64().unwrap_or(0.0),
            c["p99_ms"].as_f64().unwrap_or(0.0),
            c["peak_rss_mib"].as_f64().unwrap_or(0.0),
            c["faults"],
        );
    }
}

/// One line on stderr: each source's upload POST (validation decode, blob write, catalog
/// commit), wall ms, one at a time on an otherwise idle server: the first upload, and the
/// median over the copies when there are several (`--distinct`).
pub fn print_uploads(uploads: &[Value]) {
    let mut names: Vec<&str> = Vec::new();
    for name in uploads.iter().filter_map(|u| u["source"].as_str()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let each: Vec<String> = names
        .iter()
        .map(|name| {
            let of: Vec<&Value> = uploads.iter().filter(|u| u["source"] == *name).collect();
            let mut ms: Vec<f64> = of.iter().filter_map(|u| u["ms"].as_f64()).collect();
            let first = ms.first().copied().unwrap_or(0.0);
            let mb = of[0]["bytes"].as_f64().unwrap_or(0.0) / 1e6;
            ms.sort_by(f64::total_cmp);
            match ms.len() {
                0 | 1 => format!("{name} {mb:.1} MB {first:.0} ms"),
                n => format!(
                    "{name} {mb:.1} MB {first:.0} ms first, {:.0} median of {n}",
                    percentile(&ms, 0.5)
                ),
            }
        })
        .collect();
    eprintln!("uploads: {}", each.join("; "));
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentile(&v, 0.5), 50.0);
        assert_eq!(super::percentile(&v, 0.99), 99.0);
        assert_eq!(super::percentile(&[7.0], 0.99), 7.0);
    }
}

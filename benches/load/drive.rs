//! One measured cell: `requests` copyImage calls of one transform from `concurrency` client
//! threads (each with its own keep-alive connection), sources taken round-robin, with a
//! progress bar on stderr. Faults are counted and reported, never fatal.

use super::http::Client;
use super::server::{call, tag, COMPANY, FOLDER};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What one cell runs.
pub struct Job<'a> {
    pub addr: SocketAddr,
    pub label: String,
    /// Asset handle and XML-escaped `urlModifier` per source, for each copy of the set:
    /// client `j` renders copy `j % len` (one copy: every client renders the same masters).
    pub sources: &'a [Vec<(String, String)>],
    pub requests: usize,
    pub concurrency: usize,
}

/// One call's outcome: source index, latency, and the fault (`code: reason`) if any.
pub struct Sample {
    pub source: usize,
    pub latency: Duration,
    pub fault: Option<String>,
}

/// A cell's raw results.
pub struct Outcome {
    pub wall: Duration,
    pub samples: Vec<Sample>,
}

/// Escapes `&`, `<` and `>` for an XML text node.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One copyImage; returns the new handle or the fault text.
pub fn copy_image(
    c: &mut Client,
    asset: &str,
    modifier: &str,
    name: &str,
) -> Result<String, String> {
    let inner = format!(
        "<companyHandle>{COMPANY}</companyHandle><assetHandle>{asset}</assetHandle>\
         <folderHandle>{FOLDER}</folderHandle><name>{name}</name><urlModifier>{modifier}</urlModifier>"
    );
    let r = call(c, "copyImage", &inner).map_err(|e| format!("transport: {e}"))?;
    let text = r.text();
    match (r.status, tag(&text, "assetHandle")) {
        (200, Some(h)) => Ok(h.to_string()),
        _ => Err(format!(
            "{}: {}",
            tag(&text, "code").unwrap_or("?"),
            tag(&text, "reason").unwrap_or(&text)
        )),
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A copy name unique within the server's lifetime.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

/// Runs the cell.
pub fn run(job: &Job) -> Outcome {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let samples = Mutex::new(Vec::with_capacity(job.requests));
    let start = Instant::now();
    let ends: Vec<Instant> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..job.concurrency)
            .map(|j| {
                let (next, done, samples) = (&next, &done, &samples);
                s.spawn(move || worker(job, j, next, done, samples))
            })
            .collect();
        progress(job, &done, start);
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let end = ends.into_iter().max().unwrap_or(start);
    Outcome {
        wall: end - start,
        samples: samples.into_inner().unwrap(),
    }
}

/// Calls until the cell's requests are taken; returns when its last call ended.
fn worker(
    job: &Job,
    client: usize,
    next: &AtomicUsize,
    done: &AtomicUsize,
    out: &Mutex<Vec<Sample>>,
) -> Instant {
    let mut c = Client::new(job.addr);
    let sources = &job.sources[client % job.sources.len()];
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= job.requests {
            return Instant::now();
        }
        let source = i % sources.len();
        let (asset, modifier) = &sources[source];
        let t = Instant::now();
        let r = copy_image(&mut c, asset, modifier, &unique_name("load"));
        let sample = Sample {
            source,
            latency: t.elapsed(),
            fault: r.err(),
        };
        out.lock().unwrap().push(sample);
        done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Redraws `label [#####-----] done/total  x img/s` until the cell is complete.
fn progress(job: &Job, done: &AtomicUsize, start: Instant) {
    const WIDTH: usize = 30;
    loop {
        let d = done.load(Ordering::Relaxed);
        let filled = d * WIDTH / job.requests.max(1);
        let rate = d as f64 / start.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r{:<24} [{}{}] {d}/{} {rate:6.2} img/s",
            job.label,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            job.requests
        );
        let _ = std::io::stderr().flush();
        if d >= job.requests {
            eprintln!();
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

//! The ipsd under test: a child `ipsd serve --demo` on a free loopback port with a fresh data
//! directory, the SOAP calls the bench makes (upload, handles, copyImage) and its memory
//! figures from `/proc/<pid>/status`.

use super::http::{Client, Reply};
use super::images::Source;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const NS: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
const USER: &str = "demo@ipsd.local";
const PASSWORD: &str = "demo-password";
/// The demo company of a fresh catalog (`ipsd serve --demo`).
pub const COMPANY: &str = "c|1";
pub const FOLDER: &str = "f|DemoCompany/";
const SOAP_PATH: &str = "/scene7/services/IpsApiService";

/// A running ipsd; killed on drop.
pub struct Server {
    pub addr: SocketAddr,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> std::io::Result<SocketAddr> {
    TcpListener::bind("127.0.0.1:0")?.local_addr()
}

impl Server {
    /// Starts `bin serve --demo` on `data_dir` with `executor` (`cpu`, `gpu`, `auto`) and the
    /// extra `IPSD_*` variables in `env`; waits until `/healthz` says ready.
    pub fn start(bin: &Path, data_dir: &Path, executor: &str, env: &[(String, String)]) -> Server {
        let addr = free_port().expect("a free port");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.with_extension("log"))
            .expect("server log");
        let child = Command::new(bin)
            .args(["serve", "--demo"])
            .env("IPSD_LISTEN", addr.to_string())
            .env("IPSD_DATA_DIR", data_dir)
            .env("IPSD_EXECUTOR", executor)
            .env("IPSD_UPLOAD_SYNC_BYTES", "1073741824")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting ipsd");
        let s = Server { addr, child };
        s.wait_ready();
        s
    }

    fn wait_ready(&self) {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(120) {
            if let Ok(r) = Client::new(self.addr).get("/healthz") {
                if r.status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("ipsd did not become ready on {}", self.addr);
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Executor line of `/healthz` (e.g. `"cpu"`).
    pub fn health(&self) -> String {
        Client::new(self.addr)
            .get("/healthz")
            .map(|r| r.text())
            .unwrap_or_default()
    }

    /// Uploads every source (one servlet POST each, finished before its reply) and returns
    /// their asset handles, with each POST's wall time in ms (`{source, bytes, ms}`).
    pub fn upload(&self, set: &[Source]) -> (Vec<String>, Vec<serde_json::Value>) {
        let mut c = Client::new(self.addr);
        set.iter()
            .map(|s| {
                let bytes = std::fs::read(&s.path).expect("reading a generated image");
                let file = s.path.file_name().unwrap().to_string_lossy().into_owned();
                // The servlet names the asset after the file.
                let name = s.path.file_stem().unwrap().to_string_lossy().into_owned();
                let t = std::time::Instant::now();
                let r = upload_one(&mut c, &name, &file, &bytes);
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                assert_eq!(r.status, 200, "upload of {file} failed: {}", r.text());
                let timing = serde_json::json!({
                    "source": s.name,
                    "bytes": bytes.len(),
                    "ms": (ms * 10.0).round() / 10.0,
                });
                (handle_of(&mut c, &name), timing)
            })
            .unzip()
    }
}

/// A SOAP 1.1 envelope with the demo user's authHeader.
pub fn envelope(op: &str, inner: &str) -> String {
    format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <soapenv:Header><authHeader xmlns=\"http://www.scene7.com/IpsApi/xsd\"><user>{USER}</user>\
         <password>{PASSWORD}</password></authHeader></soapenv:Header><soapenv:Body>\
         <{op}Param xmlns=\"{NS}\">{inner}</{op}Param></soapenv:Body></soapenv:Envelope>"
    )
}

/// Calls `op`; transport errors panic (the server is ours), faults come back as replies.
pub fn call(c: &mut Client, op: &str, inner: &str) -> std::io::Result<Reply> {
    let body = envelope(op, inner);
    c.post(
        SOAP_PATH,
        &[
            ("Content-Type", "text/xml; charset=UTF-8"),
            ("SOAPAction", op),
        ],
        body.as_bytes(),
    )
}

/// The text of the first `<tag>` in `xml`.
pub fn tag<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))?;
    Some(&xml[start..start + end])
}

fn handle_of(c: &mut Client, name: &str) -> String {
    let inner = format!(
        "<companyHandle>{COMPANY}</companyHandle><nameArray><items>{name}</items></nameArray>"
    );
    let r = call(c, "getAssetsByName", &inner).expect("getAssetsByName");
    let text = r.text();
    tag(&text, "assetHandle")
        .unwrap_or_else(|| panic!("no handle for {name}: {text}"))
        .to_string()
}

fn upload_one(c: &mut Client, name: &str, file: &str, bytes: &[u8]) -> Reply {
    let boundary = "ipsdLoadBench7f3a";
    let mut body = Vec::with_capacity(bytes.len() + 2048);
    let mut part = |headers: String, data: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    };
    let auth = format!(
        "<authHeader xmlns=\"{NS}\"><user>{USER}</user><password>{PASSWORD}</password></authHeader>"
    );
    part(
        "Content-Disposition: form-data; name=\"auth\"".into(),
        auth.as_bytes(),
    );
    let params = format!(
        "<uploadPostParam xmlns=\"{NS}\"><companyHandle>{COMPANY}</companyHandle>\
         <jobName>load-{name}</jobName><endJob>true</endJob></uploadPostParam>"
    );
    part(
        "Content-Disposition: form-data; name=\"uploadParams\"".into(),
        params.as_bytes(),
    );
    part(
        format!("Content-Disposition: form-data; name=\"file0\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream"),
        bytes,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    c.post("/scene7/UploadFile", &[("Content-Type", &ct)], &body)
        .expect("upload POST")
}

/// User + system CPU seconds `pid` has used (`/proc/<pid>/stat`, 100 ticks per second).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 of stat(5) are the 12th and 13th after the command name.
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

/// `VmHWM` (peak resident set) of `pid` in KiB.
pub fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current RSS (`clear_refs` 5), so each cell reports its own peak.
/// Returns false where the kernel refuses (then peaks accumulate over the run).
pub fn reset_peak_rss(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

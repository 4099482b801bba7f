//! Test harness for the integration tests: a fresh service on a temp dir, driven through the
//! real router with `tower::ServiceExt::oneshot`, plus SOAP helpers and seeded accounts.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use ipsd::config::Config;
use ipsd::soap::xml::{parse, Element, XmlLimits};
use ipsd::{AppState, SharedState};
use tower::ServiceExt;

pub const NS: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";
pub const NS2008: &str = "http://www.scene7.com/IpsApi/xsd/2008-01-15";
pub const BASE: &str = "http://www.scene7.com/IpsApi/xsd";
pub const ADMIN: &str = "admin@test.local";
pub const PW: &str = "pw-Secret1";

pub struct TestApp {
    pub st: SharedState,
    pub dir: tempfile::TempDir,
}

/// A reply: HTTP status, headers and body text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn xml(&self) -> Element {
        parse(&self.body, XmlLimits::default())
            .unwrap_or_else(|e| panic!("bad reply XML {e}: {}", self.text()))
    }
    /// The single child of the SOAP Body.
    pub fn payload(&self) -> Element {
        let env = self.xml();
        let body = env
            .children
            .iter()
            .find(|c| c.name == "Body")
            .expect("Body");
        body.children[0].clone()
    }
    /// (fault element name, code) of a SOAP fault reply.
    pub fn fault(&self) -> (String, u32) {
        let f = self.payload();
        assert_eq!(f.name, "Fault", "not a fault: {}", self.text());
        let detail = f
            .children
            .iter()
            .find(|c| c.name == "detail" || c.name == "Detail")
            .expect("detail");
        let d = &detail.children[0];
        assert_eq!(
            d.ns.as_deref(),
            Some(BASE),
            "fault detail must be in the base namespace"
        );
        let code = d
            .children
            .iter()
            .find(|c| c.name == "code")
            .unwrap()
            .text
            .parse()
            .unwrap();
        (d.name.clone(), code)
    }
    pub fn code(&self) -> u32 {
        self.fault().1
    }
    pub fn reason(&self) -> String {
        let f = self.payload();
        let detail = f
            .children
            .iter()
            .find(|c| c.name == "detail" || c.name == "Detail")
            .unwrap();
        detail.children[0]
            .children
            .iter()
            .find(|c| c.name == "reason")
            .unwrap()
            .text
            .clone()
    }
    /// Text of a direct child of the payload.
    pub fn get(&self, name: &str) -> String {
        let p = self.payload();
        p.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no <{name}> in {}", self.text()))
            .text
            .clone()
    }
}

/// Children named `items` of the payload's child `array`.
pub fn items(e: &Element, array: &str) -> Vec<Element> {
    e.children
        .iter()
        .find(|c| c.name == array)
        .map(|a| {
            a.children
                .iter()
                .filter(|c| c.name == "items")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

pub fn field(e: &Element, name: &str) -> String {
    e.children
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.text.clone())
        .unwrap_or_else(|| panic!("no <{name}>"))
}

pub fn envelope(ns: &str, op: &str, inner: &str, auth: Option<(&str, &str)>) -> String {
    let header = match auth {
        Some((u, p)) => format!(
            "<soapenv:Header><authHeader xmlns=\"{BASE}\"><user>{u}</user><password>{p}</password></authHeader></soapenv:Header>"
        ),
        None => String::new(),
    };
    format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">{header}<soapenv:Body><{op}Param xmlns=\"{ns}\">{inner}</{op}Param></soapenv:Body></soapenv:Envelope>"
    )
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(f: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::for_data_dir(dir.path());
        // Integration tests render on the CPU executor; tests/gpu.rs covers the GPU twin.
        cfg.executor = ipsd::config::ExecutorChoice::Cpu;
        f(&mut cfg);
        let st = AppState::open(cfg).await.unwrap();
        assert!(ipsd::demo::create_first_admin(&st, ADMIN, PW)
            .await
            .unwrap());
        TestApp { st, dir }
    }

    pub async fn request(&self, req: Request<Body>) -> Reply {
        send(self.st.clone(), req).await
    }

    /// A 'static SOAP call future, for concurrency tests (`tokio::spawn`).
    pub fn spawn_call(&self, op: &str, user: &str, inner: &str) -> tokio::task::JoinHandle<Reply> {
        let req = Request::post("/scene7/services/IpsApiService")
            .header("content-type", "text/xml")
            .body(Body::from(envelope(NS, op, inner, Some((user, PW)))))
            .unwrap();
        tokio::spawn(send(self.st.clone(), req))
    }

    pub async fn post_raw(&self, body: impl Into<Body>, headers: &[(&str, &str)]) -> Reply {
        let mut b = Request::post("/scene7/services/IpsApiService")
            .header("content-type", "text/xml; charset=UTF-8");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.request(b.body(body.into()).unwrap()).await
    }

    pub async fn get(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut b = Request::get(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.request(b.body(Body::empty()).unwrap()).await
    }

    /// Calls `op` in namespace `ns` as `user` (password `PW`).
    pub async fn call_ns(&self, ns: &str, user: &str, op: &str, inner: &str) -> Reply {
        self.post_raw(envelope(ns, op, inner, Some((user, PW))), &[])
            .await
    }

    /// Calls `op` in the 2014-04-03 namespace; asserts the reply is not a fault.
    pub async fn ok(&self, user: &str, op: &str, inner: &str) -> Reply {
        let r = self.call_ns(NS, user, op, inner).await;
        assert_eq!(r.status, StatusCode::OK, "{op} failed: {}", r.text());
        r
    }

    /// Calls `op` (2014-04-03) and returns the fault code.
    pub async fn fault(&self, user: &str, op: &str, inner: &str) -> u32 {
        let r = self.call_ns(NS, user, op, inner).await;
        assert_ne!(r.status, StatusCode::OK, "{op} should fault: {}", r.text());
        r.code()
    }

    /// Creates a company as admin; returns (handle `c|N`, root name).
    pub async fn company(&self, name: &str) -> (String, String) {
        let r = self
            .ok(
                ADMIN,
                "addCompany",
                &format!("<companyName>{name}</companyName>"),
            )
            .await;
        let p = r.payload();
        let info = p.children.iter().find(|c| c.name == "companyInfo").unwrap();
        let root = field(info, "rootPath");
        (
            field(info, "companyHandle"),
            root.trim_end_matches('/').to_string(),
        )
    }

    /// Adds a user with `role` in `company`; password `PW`.
    pub async fn user(&self, email: &str, role: &str, company: &str) {
        let inner = format!(
            "<firstName>T</firstName><lastName>U</lastName><email>{email}</email><defaultRole>{role}</defaultRole>\
             <password>{PW}</password><isValid>true</isValid><companyHandleArray><items>{company}</items></companyHandleArray>"
        );
        self.ok(ADMIN, "addUser", &inner).await;
    }

    /// Uploads files as a new job with endJob=true; `extra` is appended to uploadPostParam.
    pub async fn upload(
        &self,
        user: &str,
        company: &str,
        job: &str,
        files: &[(&str, &[u8])],
        extra: &str,
    ) -> Reply {
        let params = format!("<companyHandle>{company}</companyHandle><jobName>{job}</jobName><endJob>true</endJob>{extra}");
        self.upload_raw(user, &params, files).await
    }

    /// Posts to the servlet with `params` as the children of uploadPostParam.
    pub async fn upload_raw(&self, user: &str, params: &str, files: &[(&str, &[u8])]) -> Reply {
        let boundary = "XyZzY1234";
        let mut body: Vec<u8> = Vec::new();
        let mut part = |headers: String, data: &[u8]| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        };
        let auth = format!(
            "<authHeader xmlns=\"{NS}\"><user>{user}</user><password>{PW}</password></authHeader>"
        );
        part(
            "Content-Disposition: form-data; name=\"auth\"".into(),
            auth.as_bytes(),
        );
        let params = format!("<uploadPostParam xmlns=\"{NS}\">{params}</uploadPostParam>");
        part(
            "Content-Disposition: form-data; name=\"uploadParams\"".into(),
            params.as_bytes(),
        );
        for (i, (name, data)) in files.iter().enumerate() {
            part(
                format!("Content-Disposition: form-data; name=\"file{i}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream"),
                data,
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post("/scene7/UploadFile")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.request(req).await
    }

    /// Uploads one generated JPEG named `name`; returns its asset handle.
    pub async fn upload_image(&self, user: &str, company: &str, name: &str) -> String {
        let jpeg = jpeg(64, 48);
        let r = self
            .upload(
                user,
                company,
                &format!("job-{name}"),
                &[(&format!("{name}.jpg"), &jpeg)],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        self.handle_of(user, company, name).await
    }

    /// The handle of the asset named `name`.
    pub async fn handle_of(&self, user: &str, company: &str, name: &str) -> String {
        let r = self
            .ok(user, "getAssetsByName", &format!("<companyHandle>{company}</companyHandle><nameArray><items>{name}</items></nameArray>"))
            .await;
        let list = items(&r.payload(), "assetArray");
        assert_eq!(list.len(), 1, "asset {name} not found: {}", r.text());
        field(&list[0], "assetHandle")
    }

    /// The width and height getAssets reports for the asset `handle`.
    pub async fn image_size(&self, user: &str, company: &str, handle: &str) -> (String, String) {
        let r = self
            .ok(user, "getAssets", &format!("<companyHandle>{company}</companyHandle><assetHandleArray><items>{handle}</items></assetHandleArray>"))
            .await;
        let a = &items(&r.payload(), "assetArray")[0];
        let info = a.children.iter().find(|c| c.name == "imageInfo").unwrap();
        (field(info, "width"), field(info, "height"))
    }

    /// Number of blob files on disk.
    pub fn blob_files(&self) -> usize {
        walk(&self.dir.path().join("blobs"))
    }

    /// Deletes every stored blob file behind the catalog's back (a damaged data directory).
    pub fn delete_blob_files(&self) {
        fn rm(p: &std::path::Path) {
            for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                let path = e.path();
                if path.is_dir() {
                    rm(&path);
                } else {
                    std::fs::remove_file(&path).unwrap();
                }
            }
        }
        rm(&self.dir.path().join("blobs"));
    }
}

/// Sends one request through a fresh router over `st`.
pub async fn send(st: SharedState, req: Request<Body>) -> Reply {
    let resp = ipsd::app(st).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

fn walk(p: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "tmp") {
                    0
                } else {
                    walk(&path)
                }
            } else {
                1
            }
        })
        .sum()
}

/// A generated JPEG.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::from_fn(w, h, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 99])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A generated PNG with alpha.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::from_fn(w, h, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 7, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

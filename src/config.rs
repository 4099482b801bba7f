//! All configuration in one place: every setting with its default, its `IPSD_*` variable and
//! its command-line flag (see the README table). Values arrive as raw strings from clap (flags or
//! environment) and are validated together, so every bad value is reported at once, by name.

use std::net::SocketAddr;
use std::path::PathBuf;

/// When SOAP replies are gzip-compressed (spec/ips-soap.md §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GzipMode {
    Never,
    Soap,
    Accept,
    Always,
}

/// Which executor renders images (`--executor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutorChoice {
    /// A hardware GPU when there is one, otherwise the CPU.
    Auto,
    /// A GPU is required; a software adapter is accepted only with `IPSD_ALLOW_SOFTWARE_GPU=1`.
    Gpu,
    Cpu,
}

/// Validated service configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// External base URL written into WSDLs; None = derived from the request's Host header.
    pub public_url: Option<String>,
    pub soap_max_bytes: usize,
    pub upload_max_bytes: usize,
    pub max_upload_pixels: u64,
    pub xml_max_depth: usize,
    pub xml_max_elements: usize,
    pub gzip: GzipMode,
    pub trash_days: i64,
    pub cleanup_interval_secs: u64,
    pub upload_job_timeout_secs: u64,
    /// Upload POSTs with endJob=true and at most this many file bytes finish before replying.
    pub upload_sync_bytes: usize,
    pub executor: ExecutorChoice,
    /// Accept a software Vulkan adapter (lavapipe) for `--executor gpu` (tests do).
    pub allow_software_gpu: bool,
    /// Most pixels one render may produce (copyImage output and intermediates).
    pub max_render_pixels: u64,
    /// `DefaultPix` for `/is/image` (0 = unconstrained).
    pub default_pix: (u32, u32),
    /// `MaxPix` for `/is/image` (0 = unbounded).
    pub max_pix: (u32, u32),
    /// Renders running at once (decode → engine → encode), upload validation decodes included;
    /// the rest wait.
    pub render_slots: usize,
    /// Most pixels (decoded + produced) admitted to copyImage renders, running and waiting;
    /// past it a request gets the busy fault at once (0 = unbounded).
    pub render_queue_pixels: u64,
    /// Most MiB of freed render buffers kept for reuse (`crate::buffers`; 0 = none).
    pub keep_buffers_mib: usize,
    /// `PrintResolution`: dpi written into rendered files without `printRes=` (0 = none).
    pub print_res: u32,
}

/// Raw settings as given; `None` means "use the default".
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RawConfig {
    /// Listen address [default: 127.0.0.1:8080]
    #[arg(long, env = "IPSD_LISTEN")]
    pub listen: Option<String>,
    /// Data directory for the SQLite catalog and blobs [default: ./ipsd-data]
    #[arg(long, env = "IPSD_DATA_DIR")]
    pub data_dir: Option<String>,
    /// sqlite://… or postgres://… [default: sqlite in the data dir]
    #[arg(long, env = "IPSD_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Base URL advertised in WSDLs [default: from the Host header]
    #[arg(long, env = "IPSD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Largest SOAP request body in bytes [default: 67108864]
    #[arg(long, env = "IPSD_SOAP_MAX_BYTES")]
    pub soap_max_bytes: Option<String>,
    /// Largest upload POST in bytes [default: 1073741824]
    #[arg(long, env = "IPSD_UPLOAD_MAX_BYTES")]
    pub upload_max_bytes: Option<String>,
    /// Largest uploaded image in pixels [default: 100000000]
    #[arg(long, env = "IPSD_MAX_UPLOAD_PIXELS")]
    pub max_upload_pixels: Option<String>,
    /// Deepest XML nesting accepted [default: 64]
    #[arg(long, env = "IPSD_XML_MAX_DEPTH")]
    pub xml_max_depth: Option<String>,
    /// Most XML elements per document [default: 200000]
    #[arg(long, env = "IPSD_XML_MAX_ELEMENTS")]
    pub xml_max_elements: Option<String>,
    /// never|soap|accept|always [default: accept]
    #[arg(long, env = "IPSD_GZIP_RESPONSE")]
    pub gzip_response: Option<String>,
    /// Days before trashed assets are purged [default: 7]
    #[arg(long, env = "IPSD_TRASH_DAYS")]
    pub trash_days: Option<String>,
    /// Seconds between trash clean-ups [default: 3600]
    #[arg(long, env = "IPSD_CLEANUP_INTERVAL_SECS")]
    pub cleanup_interval_secs: Option<String>,
    /// Idle seconds before an open upload job ends [default: 1800]
    #[arg(long, env = "IPSD_UPLOAD_JOB_TIMEOUT_SECS")]
    pub upload_job_timeout_secs: Option<String>,
    /// endJob POSTs up to this many bytes finish before the reply [default: 16777216]
    #[arg(long, env = "IPSD_UPLOAD_SYNC_BYTES")]
    pub upload_sync_bytes: Option<String>,
    /// auto|gpu|cpu [default: auto]
    #[arg(long, env = "IPSD_EXECUTOR")]
    pub executor: Option<String>,
    /// Accept a software GPU adapter (lavapipe) with --executor gpu: 0|1 [default: 0]
    #[arg(long, env = "IPSD_ALLOW_SOFTWARE_GPU")]
    pub allow_software_gpu: Option<String>,
    /// Most pixels one render may produce [default: 100000000]
    #[arg(long, env = "IPSD_MAX_RENDER_PIXELS")]
    pub max_render_pixels: Option<String>,
    /// DefaultPix for /is/image, "w,h" (0 = unconstrained) [default: 400,400]
    #[arg(long, env = "IPSD_DEFAULT_PIX")]
    pub default_pix: Option<String>,
    /// MaxPix for /is/image, "w,h" (0 = unbounded) [default: 2000,2000]
    #[arg(long, env = "IPSD_MAX_PIX")]
    pub max_pix: Option<String>,
    /// Renders and upload validation decodes running at once [default: the number of cores]
    #[arg(long, env = "IPSD_RENDER_SLOTS")]
    pub render_slots: Option<String>,
    /// Pixels admitted to copyImage renders before the busy fault (0 = unbounded)
    /// [default: 200000000 per core]
    #[arg(long, env = "IPSD_RENDER_QUEUE_PIXELS")]
    pub render_queue_pixels: Option<String>,
    /// MiB of freed render buffers kept for the next renders (0 = none) [default: 256]
    #[arg(long, env = "IPSD_KEEP_BUFFERS_MIB")]
    pub keep_buffers_mib: Option<String>,
    /// Print resolution (dpi) written into rendered files without printRes=, 1 to 65535
    /// (0 = none) [default: 72]
    #[arg(long, env = "IPSD_PRINT_RES")]
    pub print_res: Option<String>,
}

/// Default render admission budget per core: about fifteen 12 MP sources waiting per core.
pub const QUEUE_PIXELS_PER_CORE: u64 = 200_000_000;

/// Cores available to this process (at least 1).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Collects errors while validating fields.
struct Check {
    errors: Vec<String>,
}

impl Check {
    fn num<T: std::str::FromStr + PartialOrd + Copy + std::fmt::Display>(
        &mut self,
        name: &str,
        v: &Option<String>,
        default: T,
        min: T,
    ) -> T {
        match v.as_deref().map(str::trim) {
            None | Some("") => default,
            Some(s) => match s.parse::<T>() {
                Ok(n) if n >= min => n,
                _ => {
                    self.errors.push(format!(
                        "{name}: '{s}' is not a valid number (at least {min})"
                    ));
                    default
                }
            },
        }
    }
}

impl Check {
    fn flag(&mut self, name: &str, v: &Option<String>) -> bool {
        match v.as_deref().map(str::trim) {
            None | Some("") | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(s) => {
                self.errors.push(format!("{name}: '{s}' is not 0 or 1"));
                false
            }
        }
    }

    fn print_res(&mut self, v: &Option<String>) -> u32 {
        const NAME: &str = "IPSD_PRINT_RES";
        let n = self.num(NAME, v, 72u32, 0);
        if n > u32::from(u16::MAX) {
            self.errors
                .push(format!("{NAME}: '{n}' is over 65535 dpi (0 = none)"));
            return 72;
        }
        n
    }

    fn pair(&mut self, name: &str, v: &Option<String>, default: (u32, u32)) -> (u32, u32) {
        let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return default;
        };
        let parsed = s
            .split_once(',')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
        parsed.unwrap_or_else(|| {
            self.errors.push(format!(
                "{name}: '{s}' is not 'width,height' (integers, 0 = no bound)"
            ));
            default
        })
    }
}

impl RawConfig {
    fn executor(&self, c: &mut Check) -> ExecutorChoice {
        match self.executor.as_deref().map(str::trim).unwrap_or("auto") {
            "auto" | "" => ExecutorChoice::Auto,
            "gpu" => ExecutorChoice::Gpu,
            "cpu" => ExecutorChoice::Cpu,
            other => {
                c.errors.push(format!(
                    "IPSD_EXECUTOR: '{other}' is not one of auto, gpu, cpu"
                ));
                ExecutorChoice::Auto
            }
        }
    }

    /// Validates everything, returning every problem at once.
    pub fn validate(&self) -> Result<Config, Vec<String>> {
        let mut c = Check { errors: Vec::new() };
        let listen = match self.listen.as_deref().unwrap_or("127.0.0.1:8080").parse() {
            Ok(a) => a,
            Err(_) => {
                c.errors.push(format!(
                    "IPSD_LISTEN: '{}' is not a host:port address",
                    self.listen.clone().unwrap_or_default()
                ));
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }
        };
        let data_dir = PathBuf::from(self.data_dir.as_deref().unwrap_or("./ipsd-data"));
        let database_url = self.database_url(&mut c, &data_dir);
        let public_url = self
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string());
        if let Some(u) = &public_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                c.errors.push(format!(
                    "IPSD_PUBLIC_URL: '{u}' must start with http:// or https://"
                ));
            }
        }
        let gzip = match self.gzip_response.as_deref().unwrap_or("accept") {
            "never" => GzipMode::Never,
            "soap" => GzipMode::Soap,
            "accept" => GzipMode::Accept,
            "always" => GzipMode::Always,
            other => {
                c.errors.push(format!(
                    "IPSD_GZIP_RESPONSE: '{other}' is not one of never, soap, accept, always"
                ));
                GzipMode::Accept
            }
        };
        let cfg = Config {
            listen,
            data_dir,
            database_url,
            public_url,
            soap_max_bytes: c.num("IPSD_SOAP_MAX_BYTES", &self.soap_max_bytes, 64 << 20, 1024),
            upload_max_bytes: c.num(
                "IPSD_UPLOAD_MAX_BYTES",
                &self.upload_max_bytes,
                1 << 30,
                1024,
            ),
            max_upload_pixels: c.num(
                "IPSD_MAX_UPLOAD_PIXELS",
                &self.max_upload_pixels,
                100_000_000,
                1,
            ),
            xml_max_depth: c.num("IPSD_XML_MAX_DEPTH", &self.xml_max_depth, 64, 8),
            xml_max_elements: c.num("IPSD_XML_MAX_ELEMENTS", &self.xml_max_elements, 200_000, 16),
            gzip,
            trash_days: c.num("IPSD_TRASH_DAYS", &self.trash_days, 7, 0),
            cleanup_interval_secs: c.num(
                "IPSD_CLEANUP_INTERVAL_SECS",
                &self.cleanup_interval_secs,
                3600,
                1,
            ),
            upload_job_timeout_secs: c.num(
                "IPSD_UPLOAD_JOB_TIMEOUT_SECS",
                &self.upload_job_timeout_secs,
                1800,
                1,
            ),
            upload_sync_bytes: c.num(
                "IPSD_UPLOAD_SYNC_BYTES",
                &self.upload_sync_bytes,
                16 << 20,
                0,
            ),
            executor: self.executor(&mut c),
            allow_software_gpu: c.flag("IPSD_ALLOW_SOFTWARE_GPU", &self.allow_software_gpu),
            max_render_pixels: c.num(
                "IPSD_MAX_RENDER_PIXELS",
                &self.max_render_pixels,
                100_000_000,
                1,
            ),
            default_pix: c.pair("IPSD_DEFAULT_PIX", &self.default_pix, (400, 400)),
            max_pix: c.pair("IPSD_MAX_PIX", &self.max_pix, (2000, 2000)),
            render_slots: c.num("IPSD_RENDER_SLOTS", &self.render_slots, cores(), 1),
            render_queue_pixels: c.num(
                "IPSD_RENDER_QUEUE_PIXELS",
                &self.render_queue_pixels,
                QUEUE_PIXELS_PER_CORE * cores() as u64,
                0,
            ),
            keep_buffers_mib: c.num(
                "IPSD_KEEP_BUFFERS_MIB",
                &self.keep_buffers_mib,
                crate::buffers::KEEP_BYTES >> 20,
                0,
            ),
            print_res: c.print_res(&self.print_res),
        };
        if c.errors.is_empty() {
            Ok(cfg)
        } else {
            Err(c.errors)
        }
    }

    fn database_url(&self, c: &mut Check, data_dir: &std::path::Path) -> String {
        match self.database_url.as_deref() {
            None | Some("") => format!("sqlite://{}", data_dir.join("catalog.db").display()),
            Some(u)
                if u.starts_with("sqlite:")
                    || u.starts_with("postgres:")
                    || u.starts_with("postgresql:") =>
            {
                u.to_string()
            }
            Some(u) => {
                let scheme = u.split(':').next().unwrap_or("");
                c.errors.push(format!(
                    "IPSD_DATABASE_URL: scheme '{scheme}' is not sqlite:// or postgres://"
                ));
                String::new()
            }
        }
    }
}

impl Config {
    /// Defaults rooted at `data_dir` (tests and the demo use this).
    pub fn for_data_dir(data_dir: &std::path::Path) -> Config {
        RawConfig {
            data_dir: Some(data_dir.display().to_string()),
            ..RawConfig::default()
        }
        .validate()
        .expect("defaults are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = RawConfig::default().validate().unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.soap_max_bytes, 64 << 20);
        assert!(c.database_url.starts_with("sqlite://"));
        assert_eq!(c.gzip, GzipMode::Accept);
        assert_eq!(c.keep_buffers_mib, 128);
        let none = RawConfig {
            keep_buffers_mib: Some("0".into()),
            ..RawConfig::default()
        };
        assert_eq!(none.validate().unwrap().keep_buffers_mib, 0);
    }

    #[test]
    fn reports_every_bad_value_by_name() {
        let raw = RawConfig {
            listen: Some("nope".into()),
            soap_max_bytes: Some("-5".into()),
            gzip_response: Some("sometimes".into()),
            database_url: Some("mysql://x".into()),
            executor: Some("tpu".into()),
            max_pix: Some("2000x2000".into()),
            allow_software_gpu: Some("maybe".into()),
            keep_buffers_mib: Some("lots".into()),
            print_res: Some("70000".into()),
            ..RawConfig::default()
        };
        let errs = raw.validate().unwrap_err();
        assert_eq!(errs.len(), 9, "{errs:?}");
        for name in [
            "IPSD_LISTEN",
            "IPSD_SOAP_MAX_BYTES",
            "IPSD_GZIP_RESPONSE",
            "IPSD_DATABASE_URL",
            "IPSD_EXECUTOR",
            "IPSD_MAX_PIX",
            "IPSD_ALLOW_SOFTWARE_GPU",
            "IPSD_KEEP_BUFFERS_MIB",
            "IPSD_PRINT_RES",
        ] {
            assert!(errs.iter().any(|e| e.starts_with(name)), "{name}: {errs:?}");
        }
    }
}

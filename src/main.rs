//! `ipsd` command line: `serve` (optionally `--demo`) and `init`. Wiring only: configuration,
//! logging, state, background clean-up and graceful shutdown.

use clap::{Parser, Subcommand};
use ipsd::config::RawConfig;
use ipsd::{demo, AppState};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "ipsd",
    version,
    about = "IPS SOAP API and Image Serving service"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the service.
    Serve {
        #[command(flatten)]
        cfg: RawConfig,
        /// Make sure a demo company, user and sample images exist, and print how to use them.
        #[arg(long)]
        demo: bool,
        /// First IpsAdmin e-mail, created when the catalog has no users
        #[arg(long, env = "IPSD_ADMIN_USER")]
        admin_user: Option<String>,
        /// First IpsAdmin password
        #[arg(long, env = "IPSD_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<String>,
    },
    /// Create the first IpsAdmin in an empty catalog.
    Init {
        #[command(flatten)]
        cfg: RawConfig,
        #[arg(long)]
        admin_user: String,
        #[arg(long, hide_env_values = true)]
        admin_password: String,
    },
}

fn config(raw: &RawConfig) -> ipsd::config::Config {
    match raw.validate() {
        Ok(c) => c,
        Err(errs) => {
            eprintln!("ipsd: invalid configuration:");
            for e in errs {
                eprintln!("  {e}");
            }
            std::process::exit(2);
        }
    }
}

/// Parses the command line and configuration, tunes malloc while the process has one thread
/// (`ipsd::memory`), then starts the runtime.
fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let cfg = match &cli.cmd {
        Cmd::Serve { cfg, .. } | Cmd::Init { cfg, .. } => config(cfg),
    };
    let tuning = ipsd::memory::tune_malloc(cfg.render_slots);
    ipsd::buffers::set_limit(cfg.keep_buffers_mib.saturating_mul(1 << 20));
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("ipsd-rayon-{i}"))
        .build_global()?;
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("ipsd-tokio")
        .enable_all()
        .build()?
        .block_on(run(cli.cmd, cfg, tuning))
}

async fn run(
    cmd: Cmd,
    cfg: ipsd::config::Config,
    tuning: ipsd::memory::Tuning,
) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match tuning {
        ipsd::memory::Tuning::Unavailable(why) => {
            tracing::warn!(why, "malloc left at its defaults (IPSD_MALLOC_TUNING)")
        }
        t => tracing::debug!(tuning = ?t, "malloc"),
    }
    match cmd {
        Cmd::Init {
            admin_user,
            admin_password,
            ..
        } => {
            let st = AppState::open(cfg).await?;
            match demo::create_first_admin(&st, &admin_user, &admin_password).await? {
                true => println!("created IpsAdmin {admin_user}"),
                false => anyhow::bail!(
                    "the catalog already has users; init only works on an empty catalog"
                ),
            }
            Ok(())
        }
        Cmd::Serve {
            demo: with_demo,
            admin_user,
            admin_password,
            ..
        } => {
            let st = AppState::open(cfg.clone()).await?;
            if let (Some(u), Some(p)) = (admin_user, admin_password) {
                if demo::create_first_admin(&st, &u, &p).await? {
                    tracing::info!(user = %u, "created first IpsAdmin from IPSD_ADMIN_USER");
                }
            }
            if with_demo {
                demo::ensure(&st).await?.print(&cfg);
            }
            spawn_housekeeping(st.clone());
            spawn_idle_trim(st.clone());
            serve(st, cfg.listen).await
        }
    }
}

/// Idle upload-job timeout sweep every minute; trash purge every `cleanup_interval_secs`.
fn spawn_housekeeping(st: ipsd::SharedState) {
    let purge_every = Duration::from_secs(st.cfg.cleanup_interval_secs);
    tokio::spawn(async move {
        let mut last_purge: Option<std::time::Instant> = None;
        loop {
            if last_purge.is_none_or(|t| t.elapsed() >= purge_every) {
                if let Err(e) = st.cleanup_trash().await {
                    tracing::error!(error = %e, "trash clean-up failed");
                }
                last_purge = Some(std::time::Instant::now());
            }
            if let Err(e) = ipsd::upload::finish_idle_jobs(&st).await {
                tracing::error!(error = %e, "upload job timeout sweep failed");
            }
            tokio::time::sleep(purge_every.min(Duration::from_secs(60))).await;
        }
    });
}

/// Every 10 s: when no render was admitted since the last look and none is running, drop the
/// kept render buffers (`ipsd::buffers::release`) and hand free heap memory back to the kernel
/// once (`ipsd::memory::trim`), so an idle service does not keep the peak of its last burst.
/// Under load nothing is trimmed and buffers are reused.
fn spawn_idle_trim(st: ipsd::SharedState) {
    tokio::spawn(async move {
        let mut idle = ipsd::memory::IdleTrim::default();
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            let a = &st.admission;
            if idle.due(a.admissions(), a.admitted()) {
                let released = tokio::task::spawn_blocking(|| {
                    let kept = ipsd::buffers::release();
                    ipsd::engine::cpu_resample::release();
                    (kept, ipsd::memory::trim())
                })
                .await;
                tracing::debug!(
                    ?released,
                    "idle: kept buffers dropped, free heap memory trimmed"
                );
            }
        }
    });
}

async fn serve(st: ipsd::SharedState, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, catalog = st.catalog.backend(), "ipsd listening");
    axum::serve(listener, ipsd::app(st))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("ipsd stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

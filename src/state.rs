//! Shared service state handed to every handler: configuration, catalog, blob store, the
//! authenticator and the upload-job registry. Built once by `main` (or by tests).

use crate::auth::Authenticator;
use crate::catalog::{self, Catalog};
use crate::config::Config;
use crate::engine::Executor;
use crate::storage::BlobStore;
use std::collections::HashSet;
use std::sync::Arc;

pub struct AppState {
    pub cfg: Config,
    pub catalog: Arc<dyn Catalog>,
    pub blobs: Arc<BlobStore>,
    pub auth: Authenticator,
    /// The render executor (GPU or CPU), chosen at start.
    pub engine: Arc<dyn Executor>,
    /// Upload batches in flight, per job.
    pub uploads: crate::upload::tracker::Tracker,
    /// copyImage render admission (pixel budget) and slots.
    pub admission: crate::render::admission::Admission,
    /// Decodes in flight, shared by concurrent renders of the same blob.
    pub decodes: crate::render::shared::SharedDecodes,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    /// Opens the catalog (running migrations) and the blob store, then collects orphan blobs
    /// left by a crash between a blob write and its catalog commit.
    pub async fn open(cfg: Config) -> anyhow::Result<SharedState> {
        std::fs::create_dir_all(&cfg.data_dir)?;
        let catalog = catalog::open(&cfg.database_url).await?;
        let blobs = Arc::new(BlobStore::open(cfg.data_dir.join("blobs"))?);
        let referenced: HashSet<String> = catalog
            .referenced_blobs()
            .await
            .map_err(|e| anyhow::anyhow!("listing referenced blobs: {e}"))?
            .into_iter()
            .collect();
        let removed = blobs.collect_orphans(&referenced).await?;
        if removed > 0 {
            tracing::info!(removed, "collected orphan blobs");
        }
        let (choice, soft) = (cfg.executor, cfg.allow_software_gpu);
        let engine =
            tokio::task::spawn_blocking(move || crate::engine::select::select(choice, soft))
                .await??;
        Ok(Arc::new(AppState {
            engine,
            auth: Authenticator::new(catalog.clone()),
            uploads: Default::default(),
            admission: crate::render::admission::Admission::new(
                cfg.render_slots,
                cfg.render_queue_pixels,
            ),
            decodes: Default::default(),
            cfg,
            catalog,
            blobs,
        }))
    }

    /// Purges emptied and timed-out trash, then deletes blobs nothing references any more.
    pub async fn cleanup_trash(&self) -> anyhow::Result<usize> {
        let _gate = self.blobs.purge_guard().await;
        let cutoff = chrono::Utc::now() - chrono::Duration::days(self.cfg.trash_days);
        let dead = self
            .catalog
            .purge_trash(cutoff)
            .await
            .map_err(|e| anyhow::anyhow!("purging trash: {e}"))?;
        for d in &dead {
            self.blobs.delete(d).await?;
        }
        Ok(dead.len())
    }
}

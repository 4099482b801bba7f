//! Catalog: the persistent record of companies, users, folders, assets and jobs.
//!
//! Sits under `api` (which authorizes and validates) and beside `storage` (which holds the
//! bytes). One trait, two backends chosen by URL scheme: SQLite (WAL, embedded default) and
//! PostgreSQL (several nodes sharing one catalog). Every method that writes is one transaction;
//! the schema itself enforces the invariants (unique names per company across assets and
//! folders, foreign keys, trash states, blob reference counts).

mod types;

pub use types::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Errors from a catalog backend. `Conflict` and `NotFound` are expected outcomes that the API
/// maps to faults; `Db` is an internal failure whose text is logged, never shown to callers.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A uniqueness rule was violated (name in use, company exists, e-mail exists).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The row the operation needs does not exist (or is in the wrong state).
    #[error("not found: {0}")]
    NotFound(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Db(String),
}

pub type CatalogResult<T> = Result<T, CatalogError>;

/// Opens the backend named by the URL scheme (`sqlite:` or `postgres:`/`postgresql:`) and runs
/// the embedded migrations.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Catalog>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteCatalog::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PgCatalog::open(url).await?))
    } else {
        anyhow::bail!("unsupported database URL scheme (use sqlite:// or postgres://)")
    }
}

mod postgres;
mod sqlite;

#[async_trait]
pub trait Catalog: Send + Sync {
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;
    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> CatalogResult<()>;

    // ---- companies -------------------------------------------------------------------------
    /// Creates the company and its root folder (path `root_path`, e.g. `SampleCompany/`).
    /// Conflict when the name or the root path is taken.
    async fn create_company(
        &self,
        name: &str,
        root_path: &str,
        expires: DateTime<Utc>,
    ) -> CatalogResult<Company>;
    async fn company(&self, id: i64) -> CatalogResult<Option<Company>>;
    /// Exact, case-sensitive name match.
    async fn company_by_name(&self, name: &str) -> CatalogResult<Option<Company>>;
    /// All companies ordered by id.
    async fn companies(&self) -> CatalogResult<Vec<Company>>;
    /// Applies the given settings (None = unchanged). NotFound for an unknown company.
    async fn update_company_settings(&self, id: i64, s: &SettingsUpdate) -> CatalogResult<()>;

    // ---- users -----------------------------------------------------------------------------
    async fn user_count(&self) -> CatalogResult<i64>;
    /// Creates the user and its memberships (all with `default_role`). Conflict on e-mail
    /// (compared case-insensitively); NotFound when a company id does not exist.
    async fn create_user(&self, u: &NewUser) -> CatalogResult<User>;
    /// Case-insensitive e-mail lookup, memberships included.
    async fn user_by_email(&self, email: &str) -> CatalogResult<Option<User>>;

    // ---- folders ---------------------------------------------------------------------------
    async fn folder_by_path(&self, company: i64, path: &str) -> CatalogResult<Option<Folder>>;
    async fn folder(&self, company: i64, id: i64) -> CatalogResult<Option<Folder>>;
    /// The folder at `path` and all its descendants, ordered by path (pre-order).
    async fn folder_subtree(&self, company: i64, path: &str) -> CatalogResult<Vec<Folder>>;
    /// Creates `parent.path + leaf + "/"`. Conflict when the leaf name is used by any folder or
    /// asset of the company.
    async fn create_folder(
        &self,
        company: i64,
        parent_id: i64,
        leaf: &str,
    ) -> CatalogResult<Folder>;
    /// Renames the folder's leaf; descendants' paths follow. Conflict on name collision.
    async fn rename_folder(&self, company: i64, id: i64, leaf: &str) -> CatalogResult<Folder>;
    /// Moves the folder under `dest_id`; descendants' paths follow. Conflict when the result
    /// path exists; NotFound when dest is the folder itself or inside it.
    async fn move_folder(&self, company: i64, id: i64, dest_id: i64) -> CatalogResult<Folder>;
    /// Deletes the folder and its descendants; every asset inside goes to `InTrash` remembering
    /// its folder path. Returns the number of assets trashed.
    async fn delete_folder(&self, company: i64, id: i64, user: &str) -> CatalogResult<u64>;

    // ---- assets ----------------------------------------------------------------------------
    async fn asset(&self, company: i64, id: i64) -> CatalogResult<Option<Asset>>;
    /// Assets whose name is one of `names`, in any trash state.
    async fn assets_by_name(&self, company: i64, names: &[String]) -> CatalogResult<Vec<Asset>>;
    /// Filtered, sorted and paged search. Returns (total matches before paging, page).
    async fn search_assets(&self, company: i64, q: &AssetQuery)
        -> CatalogResult<(i64, Vec<Asset>)>;
    /// Count of `NotInTrash` assets per type, omitting zero counts, ordered by type.
    async fn asset_counts(&self, company: i64) -> CatalogResult<Vec<(String, i64)>>;
    /// The subset of `names` used by any asset (any trash state) or folder of the company.
    async fn names_in_use(&self, company: i64, names: &[String]) -> CatalogResult<Vec<String>>;
    /// Inserts a new asset referencing blob `a.blob` (its reference count is incremented in the
    /// same transaction). Conflict when the name is used by any asset or folder.
    async fn insert_asset(&self, a: &NewAsset) -> CatalogResult<Asset>;
    /// Points an existing asset at new image data (upload overwrite): blob, file name, image
    /// info, modified time/user, publish flag. The old blob loses a reference; returns digests
    /// whose count dropped to zero (the caller deletes those files).
    async fn replace_asset_data(
        &self,
        company: i64,
        id: i64,
        r: &ReplaceData,
    ) -> CatalogResult<Vec<String>>;
    /// Conflict on name collision; NotFound for unknown asset.
    async fn rename_asset(
        &self,
        company: i64,
        id: i64,
        new_name: &str,
        user: &str,
    ) -> CatalogResult<()>;
    async fn move_asset(
        &self,
        company: i64,
        id: i64,
        folder_id: i64,
        user: &str,
    ) -> CatalogResult<()>;
    async fn set_url_modifier(
        &self,
        company: i64,
        id: i64,
        modifier: &str,
        post_modifier: &str,
        user: &str,
    ) -> CatalogResult<()>;
    /// NotInTrash -> InTrash. NotFound when the asset is not NotInTrash.
    async fn trash_asset(&self, company: i64, id: i64, user: &str) -> CatalogResult<()>;
    /// InTrash -> InEmptiedTrash. NotFound when the asset is not InTrash.
    async fn empty_asset(&self, company: i64, id: i64, user: &str) -> CatalogResult<()>;
    /// InTrash -> NotInTrash, back into `folder_id`. NotFound when not InTrash; Conflict when
    /// the name is used by another live entry (cannot happen with the shared name table, but
    /// backends must still report it rather than corrupt state).
    async fn restore_asset(
        &self,
        company: i64,
        id: i64,
        folder_id: i64,
        user: &str,
    ) -> CatalogResult<()>;
    /// Purges assets in `InEmptiedTrash`, and `InTrash` ones trashed before `trashed_before`.
    /// Returns blob digests whose reference count dropped to zero (rows removed).
    async fn purge_trash(&self, trashed_before: DateTime<Utc>) -> CatalogResult<Vec<String>>;
    /// Every blob digest the catalog references (for orphan collection at startup).
    async fn referenced_blobs(&self) -> CatalogResult<Vec<String>>;
    /// The digests among `digests` that the catalog references, sorted (before deleting the
    /// files of blobs a write dropped or never committed; an index lookup each, not a scan).
    async fn referenced_among(&self, digests: &[String]) -> CatalogResult<Vec<String>>;

    // ---- jobs ------------------------------------------------------------------------------
    async fn create_job(&self, j: &NewJob) -> CatalogResult<Job>;
    async fn job(&self, id: i64) -> CatalogResult<Option<Job>>;
    /// Appends a detail line and bumps the matching counter (see `JobCounter`).
    async fn add_job_log(&self, job: i64, d: &NewJobLogDetail) -> CatalogResult<()>;
    /// Marks the job finished (state Done, end date now).
    async fn finish_job(&self, job: i64) -> CatalogResult<()>;
    /// Jobs matching the filter, newest first unless the filter sorts otherwise.
    async fn jobs(&self, f: &JobFilter) -> CatalogResult<Vec<Job>>;
    /// Detail lines of one job, ordered by (date|log type) then id, with total count.
    async fn job_details(
        &self,
        job: i64,
        q: &JobDetailQuery,
    ) -> CatalogResult<(i64, Vec<JobLogDetail>)>;
}

/// The virtual file name after a rename: the new name with the old extension
/// (spec/ips-operations.md §5.3).
pub fn renamed_file(old_file: &str, new_name: &str) -> String {
    match old_file.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() => format!("{new_name}.{ext}"),
        _ => new_name.to_string(),
    }
}

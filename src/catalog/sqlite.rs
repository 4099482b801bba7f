//! SQLite catalog backend: the embedded default behind `trait Catalog`, one file in the data
//! directory.
//!
//! Sits under `api` (via `catalog::open("sqlite://...")`). WAL journal, foreign keys on, a 5 s
//! busy timeout and a small pool. Every write runs in one `BEGIN IMMEDIATE` transaction, so
//! writers queue on SQLite's write lock at the start (honouring the busy timeout) instead of
//! failing with SQLITE_BUSY when a deferred read lock cannot be upgraded. The schema
//! (`migrations/sqlite`) enforces the invariants; this file only translates. Timestamps are
//! stored as INTEGER microseconds since the epoch (UTC).

use super::{
    renamed_file, Asset, AssetQuery, Catalog, CatalogError, CatalogResult, Company, Folder,
    ImageMeta, Job, JobCounter, JobDetailQuery, JobFilter, JobLogDetail, NewAsset, NewJob,
    NewJobLogDetail, NewUser, ReplaceData, SettingsUpdate, SortField, TrashState, User,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::error::ErrorKind;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

type Tx = Transaction<'static, Sqlite>;

/// The SQLite implementation of [`Catalog`].
pub struct SqliteCatalog {
    pool: SqlitePool,
}

impl SqliteCatalog {
    /// Opens (creating if missing) the database at `url` and runs the embedded migrations.
    /// In-memory URLs get a single, never-recycled connection so the database outlives calls.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let mut opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if !memory {
            opts = opts.journal_mode(SqliteJournalMode::Wal);
        }
        let pool = pool_options(memory).connect_with(opts).await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Starts a write transaction holding SQLite's write lock from the first statement.
    async fn write_tx(&self) -> CatalogResult<Tx> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.db()
    }

    async fn conn(&self) -> CatalogResult<sqlx::pool::PoolConnection<Sqlite>> {
        self.pool.acquire().await.db()
    }

    /// A deferred (read) transaction: one WAL snapshot, so a total and its page agree.
    async fn read_tx(&self) -> CatalogResult<Tx> {
        self.pool.begin().await.db()
    }
}

fn pool_options(memory: bool) -> SqlitePoolOptions {
    if memory {
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        SqlitePoolOptions::new().max_connections(4)
    }
}

// ---- error and value conversions -----------------------------------------------------------

/// Maps driver errors: unique/primary-key violations are conflicts, foreign-key violations mean
/// a referenced row is missing, everything else is an internal failure.
fn db_err(e: sqlx::Error) -> CatalogError {
    match &e {
        sqlx::Error::Database(d) => match d.kind() {
            ErrorKind::UniqueViolation => CatalogError::Conflict(d.message().to_string()),
            ErrorKind::ForeignKeyViolation => CatalogError::NotFound(d.message().to_string()),
            _ => CatalogError::Db(e.to_string()),
        },
        sqlx::Error::RowNotFound => CatalogError::NotFound("row not found".into()),
        _ => CatalogError::Db(e.to_string()),
    }
}

trait OrDb<T> {
    fn db(self) -> CatalogResult<T>;
}

impl<T> OrDb<T> for Result<T, sqlx::Error> {
    fn db(self) -> CatalogResult<T> {
        self.map_err(db_err)
    }
}

fn not_found(what: &str) -> CatalogError {
    CatalogError::NotFound(what.to_string())
}

/// Current time at the stored (microsecond) precision, so returned values round-trip exactly.
fn now() -> DateTime<Utc> {
    from_db(to_db(Utc::now()))
}

fn to_db(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_db(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(v).unwrap_or_default()
}

fn opt_from_db(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.map(from_db)
}

/// Character length of a prefix, as SQLite's `length()`/`substr()` count it for TEXT.
fn char_len(s: &str) -> i64 {
    s.chars().count() as i64
}

// ---- row decoding ----------------------------------------------------------------------------

const COMPANY_SELECT: &str = "SELECT id, name, root_path, expires, overwrite_mode, \
     retain_publish_state FROM companies";

fn company_from_row(r: &SqliteRow) -> sqlx::Result<Company> {
    Ok(Company {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        root_path: r.try_get("root_path")?,
        expires: from_db(r.try_get("expires")?),
        overwrite_mode: r.try_get("overwrite_mode")?,
        retain_publish_state: r.try_get("retain_publish_state")?,
    })
}

const FOLDER_SELECT: &str = "SELECT f.id, f.company_id, f.parent_id, f.path, f.name, \
     f.modified, EXISTS (SELECT 1 FROM folders c WHERE c.parent_id = f.id) AS has_subfolders \
     FROM folders f";

/// Ids of the folder at path `?2` in company `?1` and its descendants (an exact prefix match:
/// no LIKE wildcards, and SQLite's `length`/`substr` both count characters).
const SUBTREE_IDS: &str = "SELECT id FROM folders WHERE company_id = ?1 \
     AND path >= ?2 AND substr(path, 1, length(?2)) = ?2";

fn folder_from_row(r: &SqliteRow) -> sqlx::Result<Folder> {
    Ok(Folder {
        id: r.try_get("id")?,
        company_id: r.try_get("company_id")?,
        parent_id: r.try_get("parent_id")?,
        path: r.try_get("path")?,
        name: r.try_get("name")?,
        last_modified: from_db(r.try_get("modified")?),
        has_subfolders: r.try_get::<i64, _>("has_subfolders")? != 0,
    })
}

/// Where an asset lives: its folder's current path, else the path remembered at trash time.
const ASSET_FOLDER_PATH: &str = "COALESCE(f.path, a.trash_folder_path, '')";

const ASSET_SELECT: &str = "SELECT a.id, a.company_id, a.asset_type, a.name, a.folder_id, \
     COALESCE(f.path, a.trash_folder_path, '') AS folder_path, a.file_name, a.blob, a.width, \
     a.height, a.format, a.file_size, a.created, a.create_user, a.modified, a.modify_user, \
     a.ready_for_publish, a.trash_state, a.trashed_at, a.url_modifier, a.url_post_modifier \
     FROM assets a LEFT JOIN folders f ON f.id = a.folder_id";

fn asset_from_row(r: &SqliteRow) -> sqlx::Result<Asset> {
    let state: String = r.try_get("trash_state")?;
    Ok(Asset {
        id: r.try_get("id")?,
        company_id: r.try_get("company_id")?,
        asset_type: r.try_get("asset_type")?,
        name: r.try_get("name")?,
        folder_id: r.try_get("folder_id")?,
        folder_path: r.try_get("folder_path")?,
        file_name: r.try_get("file_name")?,
        blob: r.try_get("blob")?,
        image: ImageMeta {
            width: r.try_get("width")?,
            height: r.try_get("height")?,
            format: r.try_get("format")?,
            file_size: r.try_get("file_size")?,
        },
        created: from_db(r.try_get("created")?),
        create_user: r.try_get("create_user")?,
        last_modified: from_db(r.try_get("modified")?),
        last_modify_user: r.try_get("modify_user")?,
        ready_for_publish: r.try_get("ready_for_publish")?,
        trash_state: TrashState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("bad trash_state {state:?}").into()))?,
        trashed_at: opt_from_db(r.try_get("trashed_at")?),
        url_modifier: r.try_get("url_modifier")?,
        url_post_modifier: r.try_get("url_post_modifier")?,
    })
}

const USER_SELECT: &str = "SELECT id, email, first_name, last_name, password_hash, \
     default_role, is_valid, password_expires FROM users";

fn user_from_row(r: &SqliteRow, companies: Vec<i64>) -> sqlx::Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        password_hash: r.try_get("password_hash")?,
        default_role: r.try_get("default_role")?,
        is_valid: r.try_get("is_valid")?,
        password_expires: opt_from_db(r.try_get("password_expires")?),
        companies,
    })
}

const JOB_SELECT: &str = "SELECT id, company_id, name, original_name, job_type, user_email, \
     locale, description, options, state, start_date, end_date, success_count, error_count, \
     warning_count, duplicate_count, update_count, total_count, last_activity FROM jobs";

fn job_from_row(r: &SqliteRow) -> sqlx::Result<Job> {
    Ok(Job {
        id: r.try_get("id")?,
        company_id: r.try_get("company_id")?,
        name: r.try_get("name")?,
        original_name: r.try_get("original_name")?,
        job_type: r.try_get("job_type")?,
        user_email: r.try_get("user_email")?,
        locale: r.try_get("locale")?,
        description: r.try_get("description")?,
        options: r.try_get("options")?,
        state: r.try_get("state")?,
        start_date: from_db(r.try_get("start_date")?),
        end_date: opt_from_db(r.try_get("end_date")?),
        success_count: r.try_get("success_count")?,
        error_count: r.try_get("error_count")?,
        warning_count: r.try_get("warning_count")?,
        duplicate_count: r.try_get("duplicate_count")?,
        update_count: r.try_get("update_count")?,
        total_count: r.try_get("total_count")?,
        last_activity: from_db(r.try_get("last_activity")?),
    })
}

fn job_log_from_row(r: &SqliteRow) -> sqlx::Result<JobLogDetail> {
    Ok(JobLogDetail {
        id: r.try_get("id")?,
        log_type: r.try_get("log_type")?,
        message: r.try_get("message")?,
        asset_name: r.try_get("asset_name")?,
        asset_id: r.try_get("asset_id")?,
        date: from_db(r.try_get("date")?),
    })
}

// ---- shared statements (run on a pooled connection or inside a transaction) ----------------

async fn company_in(c: &mut SqliteConnection, id: i64) -> CatalogResult<Option<Company>> {
    let sql = format!("{COMPANY_SELECT} WHERE id = ?");
    let row = sqlx::query(&sql).bind(id).fetch_optional(c).await.db()?;
    row.as_ref().map(company_from_row).transpose().db()
}

async fn folder_in(
    c: &mut SqliteConnection,
    company: i64,
    id: i64,
) -> CatalogResult<Option<Folder>> {
    let sql = format!("{FOLDER_SELECT} WHERE f.company_id = ? AND f.id = ?");
    let row = sqlx::query(&sql)
        .bind(company)
        .bind(id)
        .fetch_optional(c)
        .await
        .db()?;
    row.as_ref().map(folder_from_row).transpose().db()
}

async fn existing_folder(c: &mut SqliteConnection, company: i64, id: i64) -> CatalogResult<Folder> {
    folder_in(c, company, id)
        .await?
        .ok_or_else(|| not_found("folder"))
}

/// A folder that may be renamed, moved or deleted: exists and is not the company root.
async fn non_root_folder(c: &mut SqliteConnection, company: i64, id: i64) -> CatalogResult<Folder> {
    let f = existing_folder(c, company, id).await?;
    if f.parent_id.is_none() {
        return Err(not_found("folder (the root folder cannot be changed)"));
    }
    Ok(f)
}

async fn asset_in(c: &mut SqliteConnection, company: i64, id: i64) -> CatalogResult<Option<Asset>> {
    let sql = format!("{ASSET_SELECT} WHERE a.company_id = ? AND a.id = ?");
    let row = sqlx::query(&sql)
        .bind(company)
        .bind(id)
        .fetch_optional(c)
        .await
        .db()?;
    row.as_ref().map(asset_from_row).transpose().db()
}

async fn job_in(c: &mut SqliteConnection, id: i64) -> CatalogResult<Option<Job>> {
    let sql = format!("{JOB_SELECT} WHERE id = ?");
    let row = sqlx::query(&sql).bind(id).fetch_optional(c).await.db()?;
    row.as_ref().map(job_from_row).transpose().db()
}

async fn memberships(c: &mut SqliteConnection, user: i64) -> CatalogResult<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT company_id FROM memberships WHERE user_id = ? AND active = 1 ORDER BY company_id",
    )
    .bind(user)
    .fetch_all(c)
    .await
    .db()
}

/// Reserves `name` in the company namespace for `kind` (`asset` or `folder`).
async fn claim_name(tx: &mut Tx, company: i64, name: &str, kind: &str) -> CatalogResult<()> {
    sqlx::query("INSERT INTO names (company_id, name, kind) VALUES (?, ?, ?)")
        .bind(company)
        .bind(name)
        .bind(kind)
        .execute(&mut **tx)
        .await
        .map_err(|e| name_err(e, name))?;
    Ok(())
}

/// Renames a reservation; the change cascades to the asset or folder row holding it.
async fn rename_name(
    tx: &mut Tx,
    company: i64,
    old: &str,
    new: &str,
    kind: &str,
) -> CatalogResult<()> {
    let done =
        sqlx::query("UPDATE names SET name = ? WHERE company_id = ? AND name = ? AND kind = ?")
            .bind(new)
            .bind(company)
            .bind(old)
            .bind(kind)
            .execute(&mut **tx)
            .await
            .map_err(|e| name_err(e, new))?;
    if done.rows_affected() != 1 {
        return Err(CatalogError::Db(format!(
            "name reservation for {old:?} missing"
        )));
    }
    Ok(())
}

async fn release_name(tx: &mut Tx, company: i64, name: &str, kind: &str) -> CatalogResult<()> {
    sqlx::query("DELETE FROM names WHERE company_id = ? AND name = ? AND kind = ?")
        .bind(company)
        .bind(name)
        .bind(kind)
        .execute(&mut **tx)
        .await
        .db()?;
    Ok(())
}

fn name_err(e: sqlx::Error, name: &str) -> CatalogError {
    match db_err(e) {
        CatalogError::Conflict(_) => CatalogError::Conflict(format!("name {name:?} is in use")),
        other => other,
    }
}

/// Rewrites the path prefix `old` to `new` for a folder and all its descendants.
async fn rewrite_paths(tx: &mut Tx, company: i64, old: &str, new: &str) -> CatalogResult<()> {
    sqlx::query(&format!(
        "UPDATE folders SET path = ?3 || substr(path, length(?2) + 1) WHERE id IN ({SUBTREE_IDS})"
    ))
    .bind(company)
    .bind(old)
    .bind(new)
    .execute(&mut **tx)
    .await
    .db()?;
    Ok(())
}

/// Moves every live asset under the folder at `path` to the trash; returns how many.
/// Every asset there (already trashed ones too) remembers its folder path.
async fn trash_subtree_assets(
    tx: &mut Tx,
    company: i64,
    path: &str,
    user: &str,
) -> CatalogResult<u64> {
    let trashed = sqlx::query(&format!(
        "UPDATE assets SET trash_state = 'InTrash', trashed_at = ?3, modified = ?3, \
         modify_user = ?4 WHERE trash_state = 'NotInTrash' AND folder_id IN ({SUBTREE_IDS})"
    ))
    .bind(company)
    .bind(path)
    .bind(to_db(now()))
    .bind(user)
    .execute(&mut **tx)
    .await
    .db()?
    .rows_affected();
    sqlx::query(&format!(
        "UPDATE assets SET trash_folder_path = \
         (SELECT path FROM folders WHERE folders.id = assets.folder_id) \
         WHERE folder_id IN ({SUBTREE_IDS})"
    ))
    .bind(company)
    .bind(path)
    .execute(&mut **tx)
    .await
    .db()?;
    Ok(trashed)
}

/// Deletes the folder at `path` with its descendants and frees their names. (Names are read
/// first: `DELETE ... RETURNING` would miss rows removed by the parent's cascade.)
async fn delete_subtree(tx: &mut Tx, company: i64, path: &str) -> CatalogResult<()> {
    let sql = format!("SELECT name FROM folders WHERE id IN ({SUBTREE_IDS})");
    let names: Vec<String> = sqlx::query_scalar(&sql)
        .bind(company)
        .bind(path)
        .fetch_all(&mut **tx)
        .await
        .db()?;
    sqlx::query(&format!("DELETE FROM folders WHERE id IN ({SUBTREE_IDS})"))
        .bind(company)
        .bind(path)
        .execute(&mut **tx)
        .await
        .db()?;
    for name in &names {
        release_name(tx, company, name, "folder").await?;
    }
    Ok(())
}

/// Applies reference-count changes in digest order (a stable lock order). Rows are created on
/// demand; rows that reach zero stay until [`drop_unreferenced`] so foreign keys hold meanwhile.
async fn adjust_refs(tx: &mut Tx, deltas: &BTreeMap<String, i64>) -> CatalogResult<()> {
    for (digest, delta) in deltas {
        match delta.signum() {
            1 => add_refs(tx, digest, *delta).await?,
            -1 => remove_refs(tx, digest, -delta).await?,
            _ => {}
        }
    }
    Ok(())
}

async fn add_refs(tx: &mut Tx, digest: &str, n: i64) -> CatalogResult<()> {
    sqlx::query(
        "INSERT INTO blobs (digest, refs) VALUES (?, ?) \
         ON CONFLICT (digest) DO UPDATE SET refs = refs + excluded.refs",
    )
    .bind(digest)
    .bind(n)
    .execute(&mut **tx)
    .await
    .db()?;
    Ok(())
}

/// Separate from [`add_refs`]: SQLite checks `refs >= 0` on an upsert's proposed row.
async fn remove_refs(tx: &mut Tx, digest: &str, n: i64) -> CatalogResult<()> {
    let done = sqlx::query("UPDATE blobs SET refs = refs - ? WHERE digest = ?")
        .bind(n)
        .bind(digest)
        .execute(&mut **tx)
        .await
        .db()?;
    if done.rows_affected() != 1 {
        return Err(CatalogError::Db(format!(
            "blob {digest} has no reference count"
        )));
    }
    Ok(())
}

/// Deletes blob rows among `digests` whose count is zero; returns their digests.
async fn drop_unreferenced(
    tx: &mut Tx,
    digests: &BTreeMap<String, i64>,
) -> CatalogResult<Vec<String>> {
    let mut dropped = Vec::new();
    for digest in digests.keys() {
        let gone: Option<String> =
            sqlx::query_scalar("DELETE FROM blobs WHERE digest = ? AND refs = 0 RETURNING digest")
                .bind(digest)
                .fetch_optional(&mut **tx)
                .await
                .db()?;
        dropped.extend(gone);
    }
    Ok(dropped)
}

/// NotFound when a single-row update matched nothing.
fn expect_one(done: sqlx::sqlite::SqliteQueryResult, what: &str) -> CatalogResult<()> {
    if done.rows_affected() == 0 {
        return Err(not_found(what));
    }
    Ok(())
}

/// Most values bound in one `IN (…)` list (SQLite allows 32766 variables per statement).
const IN_LIST_MAX: usize = 500;

// ---- dynamic query pieces ----------------------------------------------------------------------

fn push_in_list<'a>(b: &mut QueryBuilder<'a, Sqlite>, items: &'a [String]) {
    b.push("(");
    let mut list = b.separated(", ");
    for item in items {
        list.push_bind(item.as_str());
    }
    b.push(")");
}

fn push_asset_filters<'a>(b: &mut QueryBuilder<'a, Sqlite>, company: i64, q: &'a AssetQuery) {
    b.push(" WHERE a.company_id = ").push_bind(company);
    if let Some(folder) = &q.folder {
        if q.include_subfolders {
            b.push(format!(" AND substr({ASSET_FOLDER_PATH}, 1, "));
            b.push_bind(char_len(folder))
                .push(") = ")
                .push_bind(folder.as_str());
        } else {
            b.push(format!(" AND {ASSET_FOLDER_PATH} = "))
                .push_bind(folder.as_str());
        }
    }
    if let Some(state) = q.trash_state {
        b.push(" AND a.trash_state = ").push_bind(state.as_str());
    }
    if let Some(published) = q.published {
        b.push(" AND a.ready_for_publish = ").push_bind(published);
    }
    if !q.types.is_empty() {
        b.push(" AND a.asset_type IN ");
        push_in_list(b, &q.types);
    }
    if !q.exclude_types.is_empty() {
        b.push(" AND a.asset_type NOT IN ");
        push_in_list(b, &q.exclude_types);
    }
    push_name_filters(b, q);
}

/// Name conditions, AND-ed (or OR-ed with `match_any`). `instr` has no wildcards to escape.
fn push_name_filters<'a>(b: &mut QueryBuilder<'a, Sqlite>, q: &'a AssetQuery) {
    if q.name_contains.is_empty() && q.name_equals.is_empty() {
        return;
    }
    let joiner = if q.match_any { " OR " } else { " AND " };
    b.push(" AND (");
    let mut first = true;
    for s in &q.name_contains {
        if !std::mem::take(&mut first) {
            b.push(joiner);
        }
        b.push("instr(lower(a.name), lower(")
            .push_bind(s.as_str())
            .push(")) > 0");
    }
    for s in &q.name_equals {
        if !std::mem::take(&mut first) {
            b.push(joiner);
        }
        b.push("a.name = ").push_bind(s.as_str());
    }
    b.push(")");
}

fn sort_column(s: SortField) -> &'static str {
    match s {
        SortField::Created => "a.created",
        SortField::Modified => "a.modified",
        SortField::Name => "a.name",
        SortField::AssetType => "a.asset_type",
        SortField::FileSize => "a.file_size",
    }
}

fn direction(descending: bool) -> &'static str {
    if descending {
        "DESC"
    } else {
        "ASC"
    }
}

/// `LIMIT`/`OFFSET` where a limit of 0 means none (SQLite spells that `LIMIT -1`).
fn push_paging(b: &mut QueryBuilder<'_, Sqlite>, limit: i64, offset: i64) {
    let limit = if limit > 0 { limit } else { -1 };
    b.push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset.max(0));
}

fn counter_column(c: JobCounter) -> Option<&'static str> {
    match c {
        JobCounter::None => None,
        JobCounter::Success => Some("success_count"),
        JobCounter::Error => Some("error_count"),
        JobCounter::Warning => Some("warning_count"),
        JobCounter::Duplicate => Some("duplicate_count"),
        JobCounter::Update => Some("update_count"),
    }
}

fn push_job_filters<'a>(b: &mut QueryBuilder<'a, Sqlite>, f: &'a JobFilter) {
    b.push(" WHERE 1 = 1");
    if !f.companies.is_empty() {
        b.push(" AND company_id IN (");
        let mut list = b.separated(", ");
        for c in &f.companies {
            list.push_bind(*c);
        }
        b.push(")");
    }
    if let Some(id) = f.job_id {
        b.push(" AND id = ").push_bind(id);
    }
    if let Some(name) = &f.original_name {
        b.push(" AND original_name = ").push_bind(name.as_str());
    }
    if let Some(email) = &f.user_email {
        b.push(" AND lower(user_email) = lower(")
            .push_bind(email.as_str())
            .push(")");
    }
    if f.active_only {
        b.push(" AND state = 'Running'");
    }
    if let Some(t) = f.start_after {
        b.push(" AND start_date > ").push_bind(to_db(t));
    }
    if let Some(t) = f.start_before {
        b.push(" AND start_date < ").push_bind(to_db(t));
    }
}

fn push_log_filters<'a>(b: &mut QueryBuilder<'a, Sqlite>, job: i64, q: &'a JobDetailQuery) {
    b.push(" WHERE job_id = ").push_bind(job);
    if !q.log_types.is_empty() {
        b.push(" AND log_type IN ");
        push_in_list(b, &q.log_types);
    }
}

// ---- the trait -----------------------------------------------------------------------------------

#[async_trait]
impl Catalog for SqliteCatalog {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> CatalogResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.db()?;
        Ok(())
    }

    // ---- companies ---------------------------------------------------------------------------

    async fn create_company(
        &self,
        name: &str,
        root_path: &str,
        expires: DateTime<Utc>,
    ) -> CatalogResult<Company> {
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO companies (name, root_path, expires) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(name)
        .bind(root_path)
        .bind(to_db(expires))
        .fetch_one(&mut *tx)
        .await
        .db()?;
        let root_name = root_path.strip_suffix('/').unwrap_or(root_path);
        sqlx::query(
            "INSERT INTO folders (company_id, parent_id, path, name, ns_kind, modified) \
             VALUES (?, NULL, ?, ?, NULL, ?)",
        )
        .bind(id)
        .bind(root_path)
        .bind(root_name)
        .bind(to_db(now()))
        .execute(&mut *tx)
        .await
        .db()?;
        let company = company_in(&mut tx, id)
            .await?
            .ok_or_else(|| not_found("company"))?;
        tx.commit().await.db()?;
        Ok(company)
    }

    async fn company(&self, id: i64) -> CatalogResult<Option<Company>> {
        company_in(&mut *self.conn().await?, id).await
    }

    async fn company_by_name(&self, name: &str) -> CatalogResult<Option<Company>> {
        let sql = format!("{COMPANY_SELECT} WHERE name = ?");
        let row = sqlx::query(&sql)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.as_ref().map(company_from_row).transpose().db()
    }

    async fn companies(&self) -> CatalogResult<Vec<Company>> {
        let sql = format!("{COMPANY_SELECT} ORDER BY id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.db()?;
        rows.iter()
            .map(company_from_row)
            .collect::<sqlx::Result<_>>()
            .db()
    }

    async fn update_company_settings(&self, id: i64, s: &SettingsUpdate) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE companies SET overwrite_mode = COALESCE(?, overwrite_mode), \
             retain_publish_state = COALESCE(?, retain_publish_state) WHERE id = ?",
        )
        .bind(s.overwrite_mode.as_deref())
        .bind(s.retain_publish_state)
        .bind(id)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "company")?;
        tx.commit().await.db()
    }

    // ---- users -------------------------------------------------------------------------------

    async fn user_count(&self) -> CatalogResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .db()
    }

    async fn create_user(&self, u: &NewUser) -> CatalogResult<User> {
        let mut companies = u.companies.clone();
        companies.sort_unstable();
        companies.dedup();
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, email_lower, first_name, last_name, password_hash, \
             default_role, is_valid, password_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&u.email)
        .bind(u.email.to_lowercase())
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(&u.password_hash)
        .bind(&u.default_role)
        .bind(u.is_valid)
        .bind(u.password_expires.map(to_db))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match db_err(e) {
            CatalogError::Conflict(_) => CatalogError::Conflict(format!("e-mail {:?} exists", u.email)),
            other => other,
        })?;
        for company in &companies {
            sqlx::query("INSERT INTO memberships (user_id, company_id, role) VALUES (?, ?, ?)")
                .bind(id)
                .bind(company)
                .bind(&u.default_role)
                .execute(&mut *tx)
                .await
                .db()?;
        }
        let sql = format!("{USER_SELECT} WHERE id = ?");
        let row = sqlx::query(&sql).bind(id).fetch_one(&mut *tx).await.db()?;
        let user = user_from_row(&row, companies).db()?;
        tx.commit().await.db()?;
        Ok(user)
    }

    async fn user_by_email(&self, email: &str) -> CatalogResult<Option<User>> {
        let mut c = self.conn().await?;
        let sql = format!("{USER_SELECT} WHERE email_lower = ?");
        let row = sqlx::query(&sql)
            .bind(email.to_lowercase())
            .fetch_optional(&mut *c)
            .await
            .db()?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id").db()?;
        let companies = memberships(&mut c, id).await?;
        user_from_row(&row, companies).map(Some).db()
    }

    // ---- folders -----------------------------------------------------------------------------

    async fn folder_by_path(&self, company: i64, path: &str) -> CatalogResult<Option<Folder>> {
        let sql = format!("{FOLDER_SELECT} WHERE f.company_id = ? AND f.path = ?");
        let row = sqlx::query(&sql)
            .bind(company)
            .bind(path)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.as_ref().map(folder_from_row).transpose().db()
    }

    async fn folder(&self, company: i64, id: i64) -> CatalogResult<Option<Folder>> {
        folder_in(&mut *self.conn().await?, company, id).await
    }

    async fn folder_subtree(&self, company: i64, path: &str) -> CatalogResult<Vec<Folder>> {
        let sql = format!("{FOLDER_SELECT} WHERE f.id IN ({SUBTREE_IDS}) ORDER BY f.path");
        let rows = sqlx::query(&sql)
            .bind(company)
            .bind(path)
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.iter()
            .map(folder_from_row)
            .collect::<sqlx::Result<_>>()
            .db()
    }

    async fn create_folder(
        &self,
        company: i64,
        parent_id: i64,
        leaf: &str,
    ) -> CatalogResult<Folder> {
        let mut tx = self.write_tx().await?;
        let parent = existing_folder(&mut tx, company, parent_id).await?;
        claim_name(&mut tx, company, leaf, "folder").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO folders (company_id, parent_id, path, name, ns_kind, modified) \
             VALUES (?, ?, ?, ?, 'folder', ?) RETURNING id",
        )
        .bind(company)
        .bind(parent.id)
        .bind(format!("{}{leaf}/", parent.path))
        .bind(leaf)
        .bind(to_db(now()))
        .fetch_one(&mut *tx)
        .await
        .db()?;
        let folder = existing_folder(&mut tx, company, id).await?;
        tx.commit().await.db()?;
        Ok(folder)
    }

    async fn rename_folder(&self, company: i64, id: i64, leaf: &str) -> CatalogResult<Folder> {
        let mut tx = self.write_tx().await?;
        let f = non_root_folder(&mut tx, company, id).await?;
        if f.name != leaf {
            let parent_id = f.parent_id.unwrap_or_default();
            let parent = existing_folder(&mut tx, company, parent_id).await?;
            rename_name(&mut tx, company, &f.name, leaf, "folder").await?;
            rewrite_paths(
                &mut tx,
                company,
                &f.path,
                &format!("{}{leaf}/", parent.path),
            )
            .await?;
            touch_folder(&mut tx, id).await?;
        }
        let folder = existing_folder(&mut tx, company, id).await?;
        tx.commit().await.db()?;
        Ok(folder)
    }

    async fn move_folder(&self, company: i64, id: i64, dest_id: i64) -> CatalogResult<Folder> {
        let mut tx = self.write_tx().await?;
        let f = non_root_folder(&mut tx, company, id).await?;
        let dest = existing_folder(&mut tx, company, dest_id).await?;
        if dest.path.starts_with(&f.path) {
            return Err(not_found(
                "destination folder (inside the folder being moved)",
            ));
        }
        if f.parent_id != Some(dest.id) {
            sqlx::query("UPDATE folders SET parent_id = ? WHERE id = ?")
                .bind(dest.id)
                .bind(id)
                .execute(&mut *tx)
                .await
                .db()?;
            rewrite_paths(
                &mut tx,
                company,
                &f.path,
                &format!("{}{}/", dest.path, f.name),
            )
            .await?;
            touch_folder(&mut tx, id).await?;
        }
        let folder = existing_folder(&mut tx, company, id).await?;
        tx.commit().await.db()?;
        Ok(folder)
    }

    async fn delete_folder(&self, company: i64, id: i64, user: &str) -> CatalogResult<u64> {
        let mut tx = self.write_tx().await?;
        let f = non_root_folder(&mut tx, company, id).await?;
        let trashed = trash_subtree_assets(&mut tx, company, &f.path, user).await?;
        delete_subtree(&mut tx, company, &f.path).await?;
        tx.commit().await.db()?;
        Ok(trashed)
    }

    // ---- assets ------------------------------------------------------------------------------

    async fn asset(&self, company: i64, id: i64) -> CatalogResult<Option<Asset>> {
        asset_in(&mut *self.conn().await?, company, id).await
    }

    async fn assets_by_name(&self, company: i64, names: &[String]) -> CatalogResult<Vec<Asset>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = QueryBuilder::new(ASSET_SELECT);
        b.push(" WHERE a.company_id = ")
            .push_bind(company)
            .push(" AND a.name IN ");
        push_in_list(&mut b, names);
        b.push(" ORDER BY a.id");
        let rows = b.build().fetch_all(&self.pool).await.db()?;
        rows.iter()
            .map(asset_from_row)
            .collect::<sqlx::Result<_>>()
            .db()
    }

    async fn search_assets(
        &self,
        company: i64,
        q: &AssetQuery,
    ) -> CatalogResult<(i64, Vec<Asset>)> {
        let mut c = self.read_tx().await?;
        let mut count = QueryBuilder::new(
            "SELECT COUNT(*) FROM assets a LEFT JOIN folders f ON f.id = a.folder_id",
        );
        push_asset_filters(&mut count, company, q);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await.db()?;
        let mut page = QueryBuilder::new(ASSET_SELECT);
        push_asset_filters(&mut page, company, q);
        let dir = direction(q.descending);
        page.push(format!(
            " ORDER BY {} {dir}, a.id {dir}",
            sort_column(q.sort)
        ));
        push_paging(&mut page, q.limit, q.offset);
        let rows = page.build().fetch_all(&mut *c).await.db()?;
        let assets = rows
            .iter()
            .map(asset_from_row)
            .collect::<sqlx::Result<_>>()
            .db()?;
        c.commit().await.db()?;
        Ok((total, assets))
    }

    async fn asset_counts(&self, company: i64) -> CatalogResult<Vec<(String, i64)>> {
        sqlx::query_as(
            "SELECT asset_type, COUNT(*) FROM assets WHERE company_id = ? \
             AND trash_state = 'NotInTrash' GROUP BY asset_type ORDER BY asset_type",
        )
        .bind(company)
        .fetch_all(&self.pool)
        .await
        .db()
    }

    async fn names_in_use(&self, company: i64, names: &[String]) -> CatalogResult<Vec<String>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        // The namespace table holds asset and folder names; the root folder's name is added
        // so that no caller mistakes it for a free name.
        let mut b = QueryBuilder::new("SELECT name FROM names WHERE company_id = ");
        b.push_bind(company).push(" AND name IN ");
        push_in_list(&mut b, names);
        b.push(" UNION SELECT name FROM folders WHERE parent_id IS NULL AND company_id = ");
        b.push_bind(company).push(" AND name IN ");
        push_in_list(&mut b, names);
        b.push(" ORDER BY name");
        b.build_query_scalar().fetch_all(&self.pool).await.db()
    }

    async fn insert_asset(&self, a: &NewAsset) -> CatalogResult<Asset> {
        let mut tx = self.write_tx().await?;
        existing_folder(&mut tx, a.company_id, a.folder_id).await?;
        claim_name(&mut tx, a.company_id, &a.name, "asset").await?;
        let deltas = BTreeMap::from([(a.blob.clone(), 1)]);
        adjust_refs(&mut tx, &deltas).await?;
        let t = to_db(now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assets (company_id, name, asset_type, folder_id, file_name, blob, width, \
             height, format, file_size, created, create_user, modified, modify_user, \
             ready_for_publish) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(a.company_id)
        .bind(&a.name)
        .bind(&a.asset_type)
        .bind(a.folder_id)
        .bind(&a.file_name)
        .bind(&a.blob)
        .bind(a.image.width)
        .bind(a.image.height)
        .bind(&a.image.format)
        .bind(a.image.file_size)
        .bind(t)
        .bind(&a.user)
        .bind(t)
        .bind(&a.user)
        .bind(a.ready_for_publish)
        .fetch_one(&mut *tx)
        .await
        .db()?;
        let asset = asset_in(&mut tx, a.company_id, id)
            .await?
            .ok_or_else(|| not_found("asset"))?;
        tx.commit().await.db()?;
        Ok(asset)
    }

    async fn replace_asset_data(
        &self,
        company: i64,
        id: i64,
        r: &ReplaceData,
    ) -> CatalogResult<Vec<String>> {
        let mut tx = self.write_tx().await?;
        let old: String =
            sqlx::query_scalar("SELECT blob FROM assets WHERE id = ? AND company_id = ?")
                .bind(id)
                .bind(company)
                .fetch_optional(&mut *tx)
                .await
                .db()?
                .ok_or_else(|| not_found("asset"))?;
        let mut deltas = BTreeMap::from([(old, -1)]);
        *deltas.entry(r.blob.clone()).or_default() += 1;
        adjust_refs(&mut tx, &deltas).await?;
        sqlx::query(
            "UPDATE assets SET file_name = ?, blob = ?, width = ?, height = ?, format = ?, \
             file_size = ?, modified = ?, modify_user = ?, \
             ready_for_publish = COALESCE(?, ready_for_publish) WHERE id = ?",
        )
        .bind(&r.file_name)
        .bind(&r.blob)
        .bind(r.image.width)
        .bind(r.image.height)
        .bind(&r.image.format)
        .bind(r.image.file_size)
        .bind(to_db(now()))
        .bind(&r.user)
        .bind(r.ready_for_publish)
        .bind(id)
        .execute(&mut *tx)
        .await
        .db()?;
        let dropped = drop_unreferenced(&mut tx, &deltas).await?;
        tx.commit().await.db()?;
        Ok(dropped)
    }

    async fn rename_asset(
        &self,
        company: i64,
        id: i64,
        new_name: &str,
        user: &str,
    ) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let (old, file): (String, String) =
            sqlx::query_as("SELECT name, file_name FROM assets WHERE id = ? AND company_id = ?")
                .bind(id)
                .bind(company)
                .fetch_optional(&mut *tx)
                .await
                .db()?
                .ok_or_else(|| not_found("asset"))?;
        if old != new_name {
            rename_name(&mut tx, company, &old, new_name, "asset").await?;
        }
        sqlx::query("UPDATE assets SET file_name = ? WHERE id = ?")
            .bind(renamed_file(&file, new_name))
            .bind(id)
            .execute(&mut *tx)
            .await
            .db()?;
        touch_asset(&mut tx, id, user).await?;
        tx.commit().await.db()
    }

    async fn move_asset(
        &self,
        company: i64,
        id: i64,
        folder_id: i64,
        user: &str,
    ) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        existing_folder(&mut tx, company, folder_id).await?;
        let done = sqlx::query(
            "UPDATE assets SET folder_id = ?, modified = ?, modify_user = ? \
             WHERE id = ? AND company_id = ?",
        )
        .bind(folder_id)
        .bind(to_db(now()))
        .bind(user)
        .bind(id)
        .bind(company)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "asset")?;
        tx.commit().await.db()
    }

    async fn set_url_modifier(
        &self,
        company: i64,
        id: i64,
        modifier: &str,
        post_modifier: &str,
        user: &str,
    ) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE assets SET url_modifier = ?, url_post_modifier = ?, modified = ?, \
             modify_user = ? WHERE id = ? AND company_id = ?",
        )
        .bind(modifier)
        .bind(post_modifier)
        .bind(to_db(now()))
        .bind(user)
        .bind(id)
        .bind(company)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "asset")?;
        tx.commit().await.db()
    }

    async fn trash_asset(&self, company: i64, id: i64, user: &str) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let t = to_db(now());
        let done = sqlx::query(
            "UPDATE assets SET trash_state = 'InTrash', trashed_at = ?, modified = ?, \
             modify_user = ?, trash_folder_path = \
             (SELECT path FROM folders WHERE folders.id = assets.folder_id) \
             WHERE id = ? AND company_id = ? AND trash_state = 'NotInTrash'",
        )
        .bind(t)
        .bind(t)
        .bind(user)
        .bind(id)
        .bind(company)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "asset not in trash")?;
        tx.commit().await.db()
    }

    async fn empty_asset(&self, company: i64, id: i64, user: &str) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE assets SET trash_state = 'InEmptiedTrash', modified = ?, modify_user = ? \
             WHERE id = ? AND company_id = ? AND trash_state = 'InTrash'",
        )
        .bind(to_db(now()))
        .bind(user)
        .bind(id)
        .bind(company)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "asset in trash")?;
        tx.commit().await.db()
    }

    async fn restore_asset(
        &self,
        company: i64,
        id: i64,
        folder_id: i64,
        user: &str,
    ) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        existing_folder(&mut tx, company, folder_id).await?;
        let done = sqlx::query(
            "UPDATE assets SET trash_state = 'NotInTrash', trashed_at = NULL, \
             trash_folder_path = NULL, folder_id = ?, modified = ?, modify_user = ? \
             WHERE id = ? AND company_id = ? AND trash_state = 'InTrash'",
        )
        .bind(folder_id)
        .bind(to_db(now()))
        .bind(user)
        .bind(id)
        .bind(company)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "asset in trash")?;
        tx.commit().await.db()
    }

    async fn purge_trash(&self, trashed_before: DateTime<Utc>) -> CatalogResult<Vec<String>> {
        let mut tx = self.write_tx().await?;
        let purged: Vec<(i64, String, String)> = sqlx::query_as(
            "DELETE FROM assets WHERE trash_state = 'InEmptiedTrash' \
             OR (trash_state = 'InTrash' AND trashed_at < ?) RETURNING company_id, name, blob",
        )
        .bind(to_db(trashed_before))
        .fetch_all(&mut *tx)
        .await
        .db()?;
        let mut deltas = BTreeMap::new();
        for (company, name, blob) in &purged {
            release_name(&mut tx, *company, name, "asset").await?;
            *deltas.entry(blob.clone()).or_default() -= 1;
        }
        adjust_refs(&mut tx, &deltas).await?;
        let dropped = drop_unreferenced(&mut tx, &deltas).await?;
        tx.commit().await.db()?;
        Ok(dropped)
    }

    async fn referenced_blobs(&self) -> CatalogResult<Vec<String>> {
        sqlx::query_scalar("SELECT digest FROM blobs WHERE refs > 0 ORDER BY digest")
            .fetch_all(&self.pool)
            .await
            .db()
    }

    async fn referenced_among(&self, digests: &[String]) -> CatalogResult<Vec<String>> {
        let mut found: Vec<String> = Vec::new();
        for chunk in digests.chunks(IN_LIST_MAX) {
            let mut b = QueryBuilder::new("SELECT digest FROM blobs WHERE refs > 0 AND digest IN ");
            push_in_list(&mut b, chunk);
            found.extend(b.build_query_scalar().fetch_all(&self.pool).await.db()?);
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    // ---- jobs --------------------------------------------------------------------------------

    async fn create_job(&self, j: &NewJob) -> CatalogResult<Job> {
        let mut tx = self.write_tx().await?;
        let t = to_db(now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (company_id, name, original_name, job_type, user_email, locale, \
             description, options, start_date, last_activity) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(j.company_id)
        .bind(&j.name)
        .bind(&j.original_name)
        .bind(&j.job_type)
        .bind(&j.user_email)
        .bind(&j.locale)
        .bind(&j.description)
        .bind(&j.options)
        .bind(t)
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .db()?;
        let job = job_in(&mut tx, id).await?.ok_or_else(|| not_found("job"))?;
        tx.commit().await.db()?;
        Ok(job)
    }

    async fn job(&self, id: i64) -> CatalogResult<Option<Job>> {
        job_in(&mut *self.conn().await?, id).await
    }

    async fn add_job_log(&self, job: i64, d: &NewJobLogDetail) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let t = to_db(now());
        let bump = counter_column(d.counter)
            .map(|c| format!("{c} = {c} + 1, "))
            .unwrap_or_default();
        let done = sqlx::query(&format!(
            "UPDATE jobs SET {bump}total_count = total_count + ?, last_activity = ? WHERE id = ?"
        ))
        .bind(i64::from(d.counts_file))
        .bind(t)
        .bind(job)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "job")?;
        sqlx::query(
            "INSERT INTO job_logs (job_id, log_type, message, asset_name, asset_id, date) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(job)
        .bind(&d.log_type)
        .bind(&d.message)
        .bind(&d.asset_name)
        .bind(d.asset_id)
        .bind(t)
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()
    }

    async fn finish_job(&self, job: i64) -> CatalogResult<()> {
        let mut tx = self.write_tx().await?;
        let t = to_db(now());
        let done = sqlx::query(
            "UPDATE jobs SET state = 'Done', end_date = ?, last_activity = ? WHERE id = ?",
        )
        .bind(t)
        .bind(t)
        .bind(job)
        .execute(&mut *tx)
        .await
        .db()?;
        expect_one(done, "job")?;
        tx.commit().await.db()
    }

    async fn jobs(&self, f: &JobFilter) -> CatalogResult<Vec<Job>> {
        let mut b = QueryBuilder::new(JOB_SELECT);
        push_job_filters(&mut b, f);
        b.push(" ORDER BY start_date DESC, id DESC");
        push_paging(&mut b, f.limit, 0);
        let rows = b.build().fetch_all(&self.pool).await.db()?;
        rows.iter()
            .map(job_from_row)
            .collect::<sqlx::Result<_>>()
            .db()
    }

    async fn job_details(
        &self,
        job: i64,
        q: &JobDetailQuery,
    ) -> CatalogResult<(i64, Vec<JobLogDetail>)> {
        let mut c = self.read_tx().await?;
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM job_logs");
        push_log_filters(&mut count, job, q);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await.db()?;
        let mut page = QueryBuilder::new(
            "SELECT id, log_type, message, asset_name, asset_id, date FROM job_logs",
        );
        push_log_filters(&mut page, job, q);
        let key = if q.by_log_type { "log_type" } else { "date" };
        let dir = direction(q.descending);
        page.push(format!(" ORDER BY {key} {dir}, id {dir}"));
        push_paging(&mut page, q.limit, q.offset);
        let rows = page.build().fetch_all(&mut *c).await.db()?;
        let details = rows
            .iter()
            .map(job_log_from_row)
            .collect::<sqlx::Result<_>>()
            .db()?;
        c.commit().await.db()?;
        Ok((total, details))
    }
}

async fn touch_folder(tx: &mut Tx, id: i64) -> CatalogResult<()> {
    sqlx::query("UPDATE folders SET modified = ? WHERE id = ?")
        .bind(to_db(now()))
        .bind(id)
        .execute(&mut **tx)
        .await
        .db()?;
    Ok(())
}

async fn touch_asset(tx: &mut Tx, id: i64, user: &str) -> CatalogResult<()> {
    sqlx::query("UPDATE assets SET modified = ?, modify_user = ? WHERE id = ?")
        .bind(to_db(now()))
        .bind(user)
        .bind(id)
        .execute(&mut **tx)
        .await
        .db()?;
    Ok(())
}

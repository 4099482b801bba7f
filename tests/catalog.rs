//! Catalog contract tests: one suite of `async fn`s over `Arc<dyn Catalog>`, run against SQLite
//! (a temp file) and against PostgreSQL when `IPSD_TEST_DATABASE_URL` is set (a fresh database
//! per test, dropped afterwards). A few tests also open a raw connection to prove the schema
//! itself, not only the Rust code, rejects invalid rows.

use chrono::{DateTime, Duration, Utc};
use ipsd::catalog::ImageMeta;
use ipsd::catalog::{
    self, AssetQuery, Catalog, CatalogError, Company, Folder, JobCounter, JobDetailQuery,
    JobFilter, NewAsset, NewJob, NewJobLogDetail, NewUser, ReplaceData, SettingsUpdate, SortField,
    TrashState,
};
use ipsd::storage::BlobStore;
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;

// ---- environments ------------------------------------------------------------------------------

/// A raw connection to the catalog's database, bypassing the Rust code.
enum Raw {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

impl Raw {
    /// Runs one statement; Err carries the database's message.
    async fn exec(&self, sql: &str) -> Result<u64, String> {
        let done = match self {
            Raw::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            Raw::Pg(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        };
        done.map_err(|e| e.to_string())
    }

    /// A literal timestamp valid for the backend's column type.
    fn ts(&self) -> &'static str {
        match self {
            Raw::Sqlite(_) => "0",
            Raw::Pg(_) => "now()",
        }
    }
}

struct SqliteEnv {
    _dir: tempfile::TempDir,
    url: String,
}

impl SqliteEnv {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
        Self { _dir: dir, url }
    }

    async fn raw(&self) -> Raw {
        let opts = SqliteConnectOptions::from_str(&self.url)
            .unwrap()
            .foreign_keys(true);
        Raw::Sqlite(SqlitePool::connect_with(opts).await.unwrap())
    }
}

/// A throw-away PostgreSQL database, dropped (even after a panic) when this goes away.
struct PgEnv {
    admin_url: String,
    name: String,
    url: String,
}

impl PgEnv {
    async fn new() -> Option<Self> {
        let Ok(admin_url) = std::env::var("IPSD_TEST_DATABASE_URL") else {
            println!("skipping postgres catalog tests: IPSD_TEST_DATABASE_URL not set");
            return None;
        };
        let name = format!("ipsd_t_{:016x}", rand::random::<u64>());
        let admin = PgPool::connect(&admin_url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let url = with_database(&admin_url, &name);
        Some(Self {
            admin_url,
            name,
            url,
        })
    }

    async fn raw(&self) -> Raw {
        Raw::Pg(PgPool::connect(&self.url).await.unwrap())
    }
}

impl Drop for PgEnv {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let dropper = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let admin = PgPool::connect(&url).await.unwrap();
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
            });
        });
        let _ = dropper.join();
    }
}

/// The same server URL pointing at database `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// Declares each suite function once per backend: `plain` ones take the catalog, `raw` ones
/// also a raw connection to its database.
macro_rules! catalog_suite {
    (plain: [$($plain:ident),* $(,)?], raw: [$($raw:ident),* $(,)?]) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $plain() {
                    let env = super::SqliteEnv::new();
                    super::$plain(super::catalog::open(&env.url).await.unwrap()).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $raw() {
                    let env = super::SqliteEnv::new();
                    let cat = super::catalog::open(&env.url).await.unwrap();
                    super::$raw(cat, env.raw().await).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $plain() {
                    let Some(env) = super::PgEnv::new().await else { return };
                    super::$plain(super::catalog::open(&env.url).await.unwrap()).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $raw() {
                    let Some(env) = super::PgEnv::new().await else { return };
                    let cat = super::catalog::open(&env.url).await.unwrap();
                    super::$raw(cat, env.raw().await).await;
                }
            )*
        }
    };
}

catalog_suite! {
    plain: [
        backend_and_ping,
        companies_create_lookup_and_settings,
        users_unique_email_and_memberships,
        folders_create_and_share_the_name_space,
        folder_subtree_is_prefix_exact,
        rename_folder_moves_descendants,
        move_folder_moves_descendants,
        delete_folder_trashes_assets,
        asset_insert_rename_move_modify,
        trash_restore_empty_purge_with_blob_counts,
        replace_asset_data_swaps_blob_references,
        search_filters_sort_and_paging,
        asset_counts_by_type,
        names_in_use_covers_assets_and_folders,
        jobs_counters_and_details,
        job_filters,
        concurrent_inserts_of_one_name,
        concurrent_writers_do_not_fail,
        folder_delete_and_trash_purge_at_once,
        folder_delete_and_moves_inside_it_at_once,
    ],
    raw: [
        schema_rejects_duplicate_names,
        schema_rejects_invalid_rows,
    ]
}

// ---- helpers -----------------------------------------------------------------------------------

type Cat = Arc<dyn Catalog>;

fn expires() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2031-02-03T04:05:06.789Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn company(cat: &Cat, name: &str) -> (Company, Folder) {
    let c = cat
        .create_company(name, &format!("{name}/"), expires())
        .await
        .unwrap();
    let root = cat
        .folder_by_path(c.id, &c.root_path)
        .await
        .unwrap()
        .unwrap();
    (c, root)
}

async fn folder(cat: &Cat, company: i64, parent: i64, leaf: &str) -> Folder {
    cat.create_folder(company, parent, leaf).await.unwrap()
}

fn digest(content: &str) -> String {
    BlobStore::digest(content.as_bytes())
}

fn new_asset(company: i64, folder: i64, name: &str, content: &str) -> NewAsset {
    NewAsset {
        company_id: company,
        asset_type: "Image".into(),
        name: name.into(),
        folder_id: folder,
        file_name: format!("{name}.jpg"),
        blob: digest(content),
        image: ImageMeta {
            width: 640,
            height: 480,
            format: "jpeg".into(),
            file_size: content.len() as i64,
        },
        user: "creator@example.com".into(),
        ready_for_publish: false,
    }
}

async fn insert(cat: &Cat, company: i64, folder: i64, name: &str, content: &str) -> i64 {
    cat.insert_asset(&new_asset(company, folder, name, content))
        .await
        .unwrap()
        .id
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, CatalogError>) -> bool {
    matches!(r, Err(CatalogError::Conflict(_)))
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, CatalogError>) -> bool {
    matches!(r, Err(CatalogError::NotFound(_)))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

async fn search(cat: &Cat, company: i64, q: AssetQuery) -> (i64, Vec<String>) {
    let (total, page) = cat.search_assets(company, &q).await.unwrap();
    (total, page.into_iter().map(|a| a.name).collect())
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// ---- companies and users -------------------------------------------------------------------------

async fn backend_and_ping(cat: Cat) {
    assert!(["sqlite", "postgres"].contains(&cat.backend()));
    cat.ping().await.unwrap();
}

async fn companies_create_lookup_and_settings(cat: Cat) {
    let (acme, root) = company(&cat, "Acme").await;
    assert_eq!(acme.root_path, "Acme/");
    assert_eq!(acme.expires, expires(), "millisecond precision survives");
    assert_eq!(acme.overwrite_mode, "OverwriteFullName");
    assert!(!acme.retain_publish_state);
    assert_eq!(root.parent_id, None);
    assert_eq!(root.name, "Acme");
    assert_eq!(root.path, "Acme/");
    assert!(!root.has_subfolders);

    assert!(is_conflict(
        cat.create_company("Acme", "Other/", expires()).await
    ));
    assert!(is_conflict(
        cat.create_company("Other", "Acme/", expires()).await
    ));
    let (beta, _) = company(&cat, "Beta").await;

    assert_eq!(cat.company(acme.id).await.unwrap(), Some(acme.clone()));
    assert_eq!(
        cat.company_by_name("Acme").await.unwrap(),
        Some(acme.clone())
    );
    assert_eq!(
        cat.company_by_name("acme").await.unwrap(),
        None,
        "case-sensitive"
    );
    assert_eq!(cat.company(9999).await.unwrap(), None);
    let all = cat.companies().await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.id).collect::<Vec<_>>(),
        [acme.id, beta.id]
    );

    let only_flag = SettingsUpdate {
        overwrite_mode: None,
        retain_publish_state: Some(true),
    };
    cat.update_company_settings(acme.id, &only_flag)
        .await
        .unwrap();
    let c = cat.company(acme.id).await.unwrap().unwrap();
    assert_eq!(
        (c.overwrite_mode.as_str(), c.retain_publish_state),
        ("OverwriteFullName", true)
    );
    let only_mode = SettingsUpdate {
        overwrite_mode: Some("OverwriteAnyExtAnyFolder".into()),
        retain_publish_state: None,
    };
    cat.update_company_settings(acme.id, &only_mode)
        .await
        .unwrap();
    let c = cat.company(acme.id).await.unwrap().unwrap();
    assert_eq!(
        (c.overwrite_mode.as_str(), c.retain_publish_state),
        ("OverwriteAnyExtAnyFolder", true)
    );
    assert_eq!(
        cat.company(beta.id).await.unwrap().unwrap(),
        beta,
        "others untouched"
    );
    assert!(is_not_found(
        cat.update_company_settings(9999, &only_flag).await
    ));
}

fn new_user(email: &str, companies: Vec<i64>) -> NewUser {
    NewUser {
        email: email.into(),
        first_name: "Ann".into(),
        last_name: "Example".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        default_role: "IpsUser".into(),
        is_valid: true,
        password_expires: Some(expires()),
        companies,
    }
}

async fn users_unique_email_and_memberships(cat: Cat) {
    let (a, _) = company(&cat, "A").await;
    let (b, _) = company(&cat, "B").await;
    assert_eq!(cat.user_count().await.unwrap(), 0);

    let u = cat
        .create_user(&new_user("Ann@Example.com", vec![b.id, a.id, b.id]))
        .await
        .unwrap();
    assert_eq!(u.email, "Ann@Example.com");
    assert_eq!(u.companies, [a.id, b.id]);
    assert_eq!(u.password_expires, Some(expires()));

    let dup = cat
        .create_user(&new_user("ann@EXAMPLE.com", vec![a.id]))
        .await;
    assert!(is_conflict(dup), "e-mail unique case-insensitively");
    let bad = cat
        .create_user(&new_user("bob@example.com", vec![a.id, 9999]))
        .await;
    assert!(is_not_found(bad), "unknown company");
    assert_eq!(
        cat.user_count().await.unwrap(),
        1,
        "failed creates leave nothing"
    );
    assert_eq!(cat.user_by_email("bob@example.com").await.unwrap(), None);

    let found = cat.user_by_email("ANN@example.COM").await.unwrap().unwrap();
    assert_eq!(found, u);
    let mut no_expiry = new_user("carl@example.com", vec![]);
    no_expiry.password_expires = None;
    no_expiry.is_valid = false;
    let c = cat.create_user(&no_expiry).await.unwrap();
    assert_eq!(
        cat.user_by_email("carl@example.com").await.unwrap(),
        Some(c)
    );
    assert_eq!(cat.user_count().await.unwrap(), 2);
}

// ---- folders -------------------------------------------------------------------------------------

async fn folders_create_and_share_the_name_space(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let a = folder(&cat, co.id, root.id, "a").await;
    assert_eq!(
        (a.path.as_str(), a.name.as_str(), a.parent_id),
        ("Co/a/", "a", Some(root.id))
    );
    let b = folder(&cat, co.id, a.id, "b").await;
    assert_eq!(b.path, "Co/a/b/");
    let root = cat.folder(co.id, root.id).await.unwrap().unwrap();
    assert!(root.has_subfolders);
    assert!(
        cat.folder(co.id, a.id)
            .await
            .unwrap()
            .unwrap()
            .has_subfolders
    );
    assert!(
        !cat.folder(co.id, b.id)
            .await
            .unwrap()
            .unwrap()
            .has_subfolders
    );
    assert_eq!(
        cat.folder_by_path(co.id, "Co/a/b/").await.unwrap(),
        Some(b.clone())
    );

    // A folder leaf name is unique across the company, not just among siblings.
    assert!(is_conflict(cat.create_folder(co.id, root.id, "b").await));
    assert!(is_conflict(cat.create_folder(co.id, b.id, "a").await));
    // Folders and assets share the namespace, both ways.
    insert(&cat, co.id, a.id, "pic", "pic").await;
    assert!(is_conflict(cat.create_folder(co.id, root.id, "pic").await));
    assert!(is_conflict(
        cat.insert_asset(&new_asset(co.id, root.id, "b", "x")).await
    ));
    // Case-sensitive names; the root's name is outside the namespace.
    folder(&cat, co.id, root.id, "B").await;
    insert(&cat, co.id, root.id, "Co", "co").await;
    // Another company has its own namespace.
    let (other, other_root) = company(&cat, "Other").await;
    folder(&cat, other.id, other_root.id, "a").await;

    assert!(is_not_found(cat.create_folder(co.id, 9999, "z").await));
    assert!(
        is_not_found(cat.create_folder(other.id, a.id, "z").await),
        "foreign parent"
    );
    assert_eq!(cat.folder(other.id, a.id).await.unwrap(), None);
}

async fn folder_subtree_is_prefix_exact(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let ab = folder(&cat, co.id, root.id, "a_b").await;
    folder(&cat, co.id, root.id, "axb").await;
    folder(&cat, co.id, root.id, "a_bc").await;
    let pct = folder(&cat, co.id, root.id, "p%").await;
    folder(&cat, co.id, root.id, "pq").await;
    folder(&cat, co.id, ab.id, "z").await;
    folder(&cat, co.id, ab.id, "y").await;

    let paths = |v: Vec<Folder>| v.into_iter().map(|f| f.path).collect::<Vec<_>>();
    let sub = cat.folder_subtree(co.id, "Co/a_b/").await.unwrap();
    assert_eq!(paths(sub), ["Co/a_b/", "Co/a_b/y/", "Co/a_b/z/"]);
    let sub = cat.folder_subtree(co.id, &pct.path).await.unwrap();
    assert_eq!(paths(sub), ["Co/p%/"]);
    let all = paths(cat.folder_subtree(co.id, "Co/").await.unwrap());
    assert_eq!(all.len(), 8);
    assert_eq!(all[0], "Co/");
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(all, expected, "ordered by path");
    assert!(cat
        .folder_subtree(co.id, "Co/nope/")
        .await
        .unwrap()
        .is_empty());
}

async fn rename_folder_moves_descendants(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let a = folder(&cat, co.id, root.id, "a").await;
    let b = folder(&cat, co.id, a.id, "b").await;
    let c = folder(&cat, co.id, b.id, "c").await;
    let ab = folder(&cat, co.id, root.id, "ab").await;
    let pic = insert(&cat, co.id, c.id, "pic", "pic").await;

    let z = cat.rename_folder(co.id, a.id, "z").await.unwrap();
    assert_eq!((z.name.as_str(), z.path.as_str()), ("z", "Co/z/"));
    assert!(z.last_modified >= a.last_modified);
    assert_eq!(
        cat.folder(co.id, b.id).await.unwrap().unwrap().path,
        "Co/z/b/"
    );
    assert_eq!(
        cat.folder(co.id, c.id).await.unwrap().unwrap().path,
        "Co/z/b/c/"
    );
    assert_eq!(
        cat.folder(co.id, ab.id).await.unwrap().unwrap().path,
        "Co/ab/",
        "not a child"
    );
    let asset = cat.asset(co.id, pic).await.unwrap().unwrap();
    assert_eq!(asset.folder_path, "Co/z/b/c/");

    // Only the renamed leaf changes in the namespace.
    let used = cat
        .names_in_use(co.id, &strings(&["a", "z", "b", "c"]))
        .await
        .unwrap();
    assert_eq!(used, strings(&["b", "c", "z"]));
    folder(&cat, co.id, root.id, "a").await;

    assert!(is_conflict(cat.rename_folder(co.id, b.id, "ab").await));
    assert!(is_conflict(cat.rename_folder(co.id, b.id, "pic").await));
    assert_eq!(
        cat.rename_folder(co.id, b.id, "b").await.unwrap().path,
        "Co/z/b/"
    );
    assert!(
        is_not_found(cat.rename_folder(co.id, root.id, "x").await),
        "root"
    );
    assert!(is_not_found(cat.rename_folder(co.id, 9999, "x").await));
    assert_eq!(
        cat.folder(co.id, b.id).await.unwrap().unwrap().path,
        "Co/z/b/"
    );
}

async fn move_folder_moves_descendants(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let a = folder(&cat, co.id, root.id, "a").await;
    let b = folder(&cat, co.id, a.id, "b").await;
    let c = folder(&cat, co.id, b.id, "c").await;
    let d = folder(&cat, co.id, root.id, "d").await;
    let pic = insert(&cat, co.id, c.id, "pic", "pic").await;

    let moved = cat.move_folder(co.id, b.id, d.id).await.unwrap();
    assert_eq!(
        (moved.path.as_str(), moved.parent_id),
        ("Co/d/b/", Some(d.id))
    );
    assert_eq!(
        cat.folder(co.id, c.id).await.unwrap().unwrap().path,
        "Co/d/b/c/"
    );
    assert_eq!(
        cat.asset(co.id, pic).await.unwrap().unwrap().folder_path,
        "Co/d/b/c/"
    );
    assert!(
        !cat.folder(co.id, a.id)
            .await
            .unwrap()
            .unwrap()
            .has_subfolders
    );
    assert!(
        cat.folder(co.id, d.id)
            .await
            .unwrap()
            .unwrap()
            .has_subfolders
    );

    assert!(
        is_not_found(cat.move_folder(co.id, d.id, d.id).await),
        "into itself"
    );
    assert!(
        is_not_found(cat.move_folder(co.id, d.id, c.id).await),
        "into a descendant"
    );
    assert!(
        is_not_found(cat.move_folder(co.id, root.id, a.id).await),
        "root"
    );
    assert!(is_not_found(cat.move_folder(co.id, b.id, 9999).await));
    assert_eq!(
        cat.folder(co.id, d.id).await.unwrap().unwrap().path,
        "Co/d/"
    );

    let back = cat.move_folder(co.id, b.id, root.id).await.unwrap();
    assert_eq!(back.path, "Co/b/");
    assert_eq!(
        cat.folder(co.id, c.id).await.unwrap().unwrap().path,
        "Co/b/c/"
    );
    assert_eq!(
        cat.move_folder(co.id, b.id, root.id).await.unwrap().path,
        "Co/b/"
    );
}

async fn delete_folder_trashes_assets(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let a = folder(&cat, co.id, root.id, "a").await;
    let b = folder(&cat, co.id, a.id, "b").await;
    let keep = folder(&cat, co.id, root.id, "keep").await;
    let in_a = insert(&cat, co.id, a.id, "in_a", "1").await;
    let in_b = insert(&cat, co.id, b.id, "in_b", "2").await;
    let old_trash = insert(&cat, co.id, b.id, "old_trash", "3").await;
    let outside = insert(&cat, co.id, keep.id, "outside", "4").await;
    cat.trash_asset(co.id, old_trash, "u").await.unwrap();

    assert!(
        is_not_found(cat.delete_folder(co.id, root.id, "u").await),
        "root"
    );
    assert!(is_not_found(cat.delete_folder(co.id, 9999, "u").await));
    assert_eq!(cat.delete_folder(co.id, a.id, "deleter").await.unwrap(), 2);

    assert_eq!(cat.folder(co.id, a.id).await.unwrap(), None);
    assert_eq!(cat.folder(co.id, b.id).await.unwrap(), None);
    let x = cat.asset(co.id, in_b).await.unwrap().unwrap();
    assert_eq!(x.trash_state, TrashState::InTrash);
    assert!(x.trashed_at.is_some());
    assert_eq!((x.folder_id, x.folder_path.as_str()), (None, "Co/a/b/"));
    assert_eq!(x.last_modify_user, "deleter");
    let x = cat.asset(co.id, in_a).await.unwrap().unwrap();
    assert_eq!(
        (x.folder_path.as_str(), x.trash_state),
        ("Co/a/", TrashState::InTrash)
    );
    let x = cat.asset(co.id, old_trash).await.unwrap().unwrap();
    assert_eq!(
        (x.folder_path.as_str(), x.trash_state),
        ("Co/a/b/", TrashState::InTrash)
    );
    let x = cat.asset(co.id, outside).await.unwrap().unwrap();
    assert_eq!(x.trash_state, TrashState::NotInTrash);

    // Folder names are free again; trashed asset names stay reserved.
    folder(&cat, co.id, root.id, "a").await;
    folder(&cat, co.id, keep.id, "b").await;
    assert!(is_conflict(
        cat.insert_asset(&new_asset(co.id, root.id, "in_b", "5"))
            .await
    ));
    assert!(is_conflict(cat.create_folder(co.id, root.id, "in_a").await));

    cat.restore_asset(co.id, in_b, keep.id, "u").await.unwrap();
    let x = cat.asset(co.id, in_b).await.unwrap().unwrap();
    assert_eq!(
        (x.folder_id, x.folder_path.as_str()),
        (Some(keep.id), "Co/keep/")
    );
    assert_eq!(
        (x.trash_state, x.trashed_at),
        (TrashState::NotInTrash, None)
    );
}

// ---- assets --------------------------------------------------------------------------------------

async fn asset_insert_rename_move_modify(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let f = folder(&cat, co.id, root.id, "f").await;
    let before = Utc::now() - Duration::seconds(1);
    let mut spec = new_asset(co.id, f.id, "pic", "pixels");
    spec.ready_for_publish = true;
    let a = cat.insert_asset(&spec).await.unwrap();
    assert_eq!(
        cat.asset(co.id, a.id).await.unwrap(),
        Some(a.clone()),
        "round trip"
    );
    assert_eq!(
        (a.company_id, a.name.as_str(), a.asset_type.as_str()),
        (co.id, "pic", "Image")
    );
    assert_eq!((a.folder_id, a.folder_path.as_str()), (Some(f.id), "Co/f/"));
    assert_eq!(
        (a.file_name.as_str(), a.blob.as_str()),
        ("pic.jpg", digest("pixels").as_str())
    );
    assert_eq!(a.image, spec.image);
    assert!(a.created > before && a.created == a.last_modified);
    assert_eq!(
        (a.create_user.as_str(), a.last_modify_user.as_str()),
        ("creator@example.com", "creator@example.com")
    );
    assert!(a.ready_for_publish);
    assert_eq!(
        (a.trash_state, a.trashed_at),
        (TrashState::NotInTrash, None)
    );
    assert_eq!(
        (a.url_modifier.as_str(), a.url_post_modifier.as_str()),
        ("", "")
    );

    assert!(is_conflict(
        cat.insert_asset(&new_asset(co.id, root.id, "pic", "other"))
            .await
    ));
    insert(&cat, co.id, root.id, "PIC", "case differs").await;
    assert!(is_not_found(
        cat.insert_asset(&new_asset(co.id, 9999, "new", "x")).await
    ));
    let (other, _) = company(&cat, "Other").await;
    assert!(
        is_not_found(
            cat.insert_asset(&new_asset(other.id, f.id, "new", "x"))
                .await
        ),
        "foreign folder"
    );
    assert_eq!(cat.asset(other.id, a.id).await.unwrap(), None);

    let g = folder(&cat, co.id, root.id, "g").await;
    insert(&cat, co.id, root.id, "taken", "t").await;
    assert!(is_conflict(
        cat.rename_asset(co.id, a.id, "taken", "u").await
    ));
    assert!(
        is_conflict(cat.rename_asset(co.id, a.id, "g", "u").await),
        "folder name"
    );
    cat.rename_asset(co.id, a.id, "renamed", "renamer")
        .await
        .unwrap();
    cat.rename_asset(co.id, a.id, "renamed", "renamer")
        .await
        .unwrap();
    let r = cat.asset(co.id, a.id).await.unwrap().unwrap();
    assert_eq!(
        (r.name.as_str(), r.last_modify_user.as_str()),
        ("renamed", "renamer")
    );
    assert!(r.last_modified >= a.last_modified);
    insert(&cat, co.id, root.id, "pic", "old name is free").await;
    assert!(is_not_found(cat.rename_asset(co.id, 9999, "x", "u").await));

    cat.move_asset(co.id, a.id, g.id, "mover").await.unwrap();
    let m = cat.asset(co.id, a.id).await.unwrap().unwrap();
    assert_eq!(
        (
            m.folder_id,
            m.folder_path.as_str(),
            m.last_modify_user.as_str()
        ),
        (Some(g.id), "Co/g/", "mover")
    );
    assert!(is_not_found(cat.move_asset(co.id, a.id, 9999, "u").await));
    assert!(is_not_found(cat.move_asset(co.id, 9999, g.id, "u").await));

    cat.set_url_modifier(co.id, a.id, "wid=100", "&fmt=png", "modder")
        .await
        .unwrap();
    let m = cat.asset(co.id, a.id).await.unwrap().unwrap();
    assert_eq!(
        (m.url_modifier.as_str(), m.url_post_modifier.as_str()),
        ("wid=100", "&fmt=png")
    );
    assert_eq!(m.last_modify_user, "modder");
    assert!(is_not_found(
        cat.set_url_modifier(co.id, 9999, "", "", "u").await
    ));

    let by_name = cat
        .assets_by_name(co.id, &strings(&["renamed", "PIC", "nope"]))
        .await
        .unwrap();
    assert_eq!(
        sorted(by_name.into_iter().map(|a| a.name).collect()),
        strings(&["PIC", "renamed"])
    );
    assert!(cat.assets_by_name(co.id, &[]).await.unwrap().is_empty());
}

async fn trash_restore_empty_purge_with_blob_counts(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let (x, y) = (digest("X"), digest("Y"));
    let a = insert(&cat, co.id, root.id, "a", "X").await;
    let b = insert(&cat, co.id, root.id, "b", "X").await;
    let c = insert(&cat, co.id, root.id, "c", "Y").await;
    assert_eq!(
        cat.referenced_blobs().await.unwrap(),
        sorted(vec![x.clone(), y.clone()])
    );

    cat.trash_asset(co.id, a, "trasher").await.unwrap();
    let t = cat.asset(co.id, a).await.unwrap().unwrap();
    assert_eq!(t.trash_state, TrashState::InTrash);
    assert!(t.trashed_at.is_some());
    assert_eq!(t.folder_path, "Co/");
    assert!(
        is_not_found(cat.trash_asset(co.id, a, "u").await),
        "already trashed"
    );
    assert!(
        is_not_found(cat.empty_asset(co.id, b, "u").await),
        "not in trash"
    );
    assert!(
        is_not_found(cat.restore_asset(co.id, b, root.id, "u").await),
        "not in trash"
    );
    assert!(
        is_conflict(cat.insert_asset(&new_asset(co.id, root.id, "a", "Z")).await),
        "trashed names stay reserved"
    );

    cat.empty_asset(co.id, a, "u").await.unwrap();
    assert_eq!(
        cat.asset(co.id, a).await.unwrap().unwrap().trash_state,
        TrashState::InEmptiedTrash
    );
    assert!(
        is_not_found(cat.restore_asset(co.id, a, root.id, "u").await),
        "emptied"
    );
    assert!(is_not_found(cat.empty_asset(co.id, a, "u").await));
    assert!(
        is_conflict(cat.create_folder(co.id, root.id, "a").await),
        "emptied names stay reserved"
    );

    cat.trash_asset(co.id, b, "u").await.unwrap();
    cat.restore_asset(co.id, b, root.id, "u").await.unwrap();
    cat.trash_asset(co.id, c, "u").await.unwrap();

    // Long ago: only the emptied asset goes; X is still used by b.
    let long_ago = Utc::now() - Duration::days(30);
    assert!(cat.purge_trash(long_ago).await.unwrap().is_empty());
    assert_eq!(cat.asset(co.id, a).await.unwrap(), None);
    assert!(
        cat.asset(co.id, c).await.unwrap().is_some(),
        "trashed recently"
    );
    insert(&cat, co.id, root.id, "a", "A again").await;

    // Now: c (trashed before now) goes and Y loses its last reference.
    let later = Utc::now() + Duration::seconds(1);
    assert_eq!(cat.purge_trash(later).await.unwrap(), vec![y.clone()]);
    assert_eq!(cat.asset(co.id, c).await.unwrap(), None);
    assert_eq!(
        cat.referenced_blobs().await.unwrap(),
        sorted(vec![x.clone(), digest("A again")])
    );
    assert!(cat.purge_trash(later).await.unwrap().is_empty());

    cat.trash_asset(co.id, b, "u").await.unwrap();
    cat.empty_asset(co.id, b, "u").await.unwrap();
    assert_eq!(cat.purge_trash(long_ago).await.unwrap(), vec![x.clone()]);
    assert_eq!(
        cat.referenced_blobs().await.unwrap(),
        vec![digest("A again")]
    );
    // The per-digest lookup agrees with the scan, in chunks of any size.
    let ask = vec![
        x.clone(),
        digest("A again"),
        y.clone(),
        digest("never stored"),
    ];
    assert_eq!(
        cat.referenced_among(&ask).await.unwrap(),
        vec![digest("A again")]
    );
    let many: Vec<String> = (0..1200)
        .map(|i| digest(&format!("n{i}")))
        .chain(ask)
        .collect();
    assert_eq!(
        cat.referenced_among(&many).await.unwrap(),
        vec![digest("A again")]
    );
    assert!(cat.referenced_among(&[]).await.unwrap().is_empty());
}

async fn replace_asset_data_swaps_blob_references(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let a = insert(&cat, co.id, root.id, "a", "old").await;
    let b = insert(&cat, co.id, root.id, "b", "shared").await;
    let data = |content: &str, publish: Option<bool>| ReplaceData {
        file_name: format!("{content}.png"),
        blob: digest(content),
        image: ImageMeta {
            width: 1,
            height: 2,
            format: "png".into(),
            file_size: 3,
        },
        user: "replacer".into(),
        ready_for_publish: publish,
    };

    let dropped = cat
        .replace_asset_data(co.id, a, &data("shared", None))
        .await
        .unwrap();
    assert_eq!(dropped, vec![digest("old")]);
    let r = cat.asset(co.id, a).await.unwrap().unwrap();
    assert_eq!(
        (r.blob.clone(), r.file_name.as_str()),
        (digest("shared"), "shared.png")
    );
    assert_eq!(
        (
            r.image.width,
            r.image.format.as_str(),
            r.last_modify_user.as_str()
        ),
        (1, "png", "replacer")
    );
    assert!(!r.ready_for_publish, "None keeps the flag");
    assert_eq!(
        cat.referenced_blobs().await.unwrap(),
        vec![digest("shared")]
    );

    let same = cat
        .replace_asset_data(co.id, a, &data("shared", Some(true)))
        .await
        .unwrap();
    assert!(same.is_empty(), "same blob: count unchanged");
    assert!(
        cat.asset(co.id, a)
            .await
            .unwrap()
            .unwrap()
            .ready_for_publish
    );
    // shared still has two references: moving b away keeps it.
    assert!(cat
        .replace_asset_data(co.id, b, &data("new", None))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        cat.replace_asset_data(co.id, a, &data("new", None))
            .await
            .unwrap(),
        vec![digest("shared")]
    );
    assert_eq!(cat.referenced_blobs().await.unwrap(), vec![digest("new")]);
    assert!(is_not_found(
        cat.replace_asset_data(co.id, 9999, &data("x", None)).await
    ));
}

// ---- search, counts, names ----------------------------------------------------------------------

struct SearchFixture {
    company: i64,
}

async fn search_fixture(cat: &Cat) -> SearchFixture {
    let (co, root) = company(cat, "Co").await;
    let s = folder(cat, co.id, root.id, "s").await;
    let sub = folder(cat, co.id, s.id, "sub").await;
    let other = folder(cat, co.id, root.id, "s_other").await;
    let specs = [
        ("Alpha", s.id, "Image", 30, true),
        ("beta", s.id, "Image", 10, false),
        ("Gamma_1", sub.id, "Video", 20, false),
        ("gamma%2", sub.id, "Image", 50, true),
        ("xgammax", other.id, "PDF", 40, false),
        ("trashed", s.id, "Image", 5, false),
    ];
    for (name, folder, ty, size, publish) in specs {
        let mut a = new_asset(co.id, folder, name, name);
        a.asset_type = ty.into();
        a.image.file_size = size;
        a.ready_for_publish = publish;
        cat.insert_asset(&a).await.unwrap();
    }
    let t = cat
        .assets_by_name(co.id, &strings(&["trashed"]))
        .await
        .unwrap();
    cat.trash_asset(co.id, t[0].id, "u").await.unwrap();
    SearchFixture { company: co.id }
}

async fn search_filters_sort_and_paging(cat: Cat) {
    let fx = search_fixture(&cat).await;
    let q = |f: &dyn Fn(&mut AssetQuery)| {
        let mut q = AssetQuery {
            trash_state: Some(TrashState::NotInTrash),
            ..AssetQuery::default()
        };
        f(&mut q);
        q
    };
    let co = fx.company;
    let names = |v: &[&str]| strings(v);

    let (total, all) = search(&cat, co, q(&|_| {})).await;
    assert_eq!(total, 5);
    assert_eq!(
        all,
        names(&["Alpha", "Gamma_1", "beta", "gamma%2", "xgammax"]),
        "byte order"
    );
    let (total, _) = search(&cat, co, AssetQuery::default()).await;
    assert_eq!(total, 6, "trash_state None = any");
    let (_, t) = search(&cat, co, q(&|q| q.trash_state = Some(TrashState::InTrash))).await;
    assert_eq!(t, names(&["trashed"]));

    let (_, v) = search(&cat, co, q(&|q| q.folder = Some("Co/s/".into()))).await;
    assert_eq!(v, names(&["Alpha", "beta"]));
    let (_, v) = search(
        &cat,
        co,
        q(&|q| {
            q.folder = Some("Co/s/".into());
            q.include_subfolders = true;
        }),
    )
    .await;
    assert_eq!(
        v,
        names(&["Alpha", "Gamma_1", "beta", "gamma%2"]),
        "s_other is not inside s/"
    );

    let (_, v) = search(&cat, co, q(&|q| q.published = Some(true))).await;
    assert_eq!(v, names(&["Alpha", "gamma%2"]));
    let (_, v) = search(&cat, co, q(&|q| q.published = Some(false))).await;
    assert_eq!(v, names(&["Gamma_1", "beta", "xgammax"]));
    let (_, v) = search(&cat, co, q(&|q| q.types = strings(&["Video", "PDF"]))).await;
    assert_eq!(v, names(&["Gamma_1", "xgammax"]));
    let (_, v) = search(&cat, co, q(&|q| q.exclude_types = strings(&["Image"]))).await;
    assert_eq!(v, names(&["Gamma_1", "xgammax"]));

    let (_, v) = search(&cat, co, q(&|q| q.name_contains = strings(&["GAMMA"]))).await;
    assert_eq!(
        v,
        names(&["Gamma_1", "gamma%2", "xgammax"]),
        "case-insensitive"
    );
    let (_, v) = search(&cat, co, q(&|q| q.name_contains = strings(&["%"]))).await;
    assert_eq!(v, names(&["gamma%2"]), "% is literal");
    let (_, v) = search(&cat, co, q(&|q| q.name_contains = strings(&["a_"]))).await;
    assert_eq!(v, names(&["Gamma_1"]), "_ is literal");
    let (_, v) = search(&cat, co, q(&|q| q.name_equals = strings(&["beta"]))).await;
    assert_eq!(v, names(&["beta"]));
    let (_, v) = search(&cat, co, q(&|q| q.name_equals = strings(&["BETA"]))).await;
    assert!(v.is_empty(), "equals is exact");
    let (_, v) = search(&cat, co, q(&|q| q.name_contains = strings(&["gamma", "1"]))).await;
    assert_eq!(v, names(&["Gamma_1"]), "AND by default");
    let (_, v) = search(
        &cat,
        co,
        q(&|q| {
            q.name_contains = strings(&["gamma", "1"]);
            q.match_any = true;
        }),
    )
    .await;
    assert_eq!(v, names(&["Gamma_1", "gamma%2", "xgammax"]));
    let (_, v) = search(
        &cat,
        co,
        q(&|q| {
            q.name_contains = strings(&["alp"]);
            q.name_equals = strings(&["beta"]);
            q.match_any = true;
        }),
    )
    .await;
    assert_eq!(v, names(&["Alpha", "beta"]));

    let (_, v) = search(
        &cat,
        co,
        q(&|q| {
            q.sort = SortField::FileSize;
            q.descending = true;
        }),
    )
    .await;
    assert_eq!(
        v,
        names(&["gamma%2", "xgammax", "Alpha", "Gamma_1", "beta"])
    );
    let (_, v) = search(&cat, co, q(&|q| q.sort = SortField::AssetType)).await;
    assert_eq!(
        v,
        names(&["Alpha", "beta", "gamma%2", "xgammax", "Gamma_1"]),
        "type, then id"
    );
    let (_, v) = search(&cat, co, q(&|q| q.sort = SortField::Created)).await;
    assert_eq!(
        v,
        names(&["Alpha", "beta", "Gamma_1", "gamma%2", "xgammax"]),
        "created, then id"
    );

    let (total, v) = search(
        &cat,
        co,
        q(&|q| {
            q.limit = 2;
            q.offset = 1;
        }),
    )
    .await;
    assert_eq!((total, v), (5, names(&["Gamma_1", "beta"])));
    let (total, v) = search(
        &cat,
        co,
        q(&|q| {
            q.offset = 3;
            q.descending = true;
        }),
    )
    .await;
    assert_eq!(
        (total, v),
        (5, names(&["Gamma_1", "Alpha"])),
        "limit 0 = no limit"
    );
    let (total, v) = search(&cat, co, q(&|q| q.offset = 10)).await;
    assert_eq!((total, v.len()), (5, 0));
}

async fn asset_counts_by_type(cat: Cat) {
    let fx = search_fixture(&cat).await;
    let counts = cat.asset_counts(fx.company).await.unwrap();
    let expected = [("Image", 3), ("PDF", 1), ("Video", 1)];
    let expected: Vec<(String, i64)> = expected.iter().map(|(t, n)| (t.to_string(), *n)).collect();
    assert_eq!(counts, expected, "trashed asset not counted");
    let (empty, _) = company(&cat, "Empty").await;
    assert!(cat.asset_counts(empty.id).await.unwrap().is_empty());
}

async fn names_in_use_covers_assets_and_folders(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    folder(&cat, co.id, root.id, "dir").await;
    insert(&cat, co.id, root.id, "live", "1").await;
    let t = insert(&cat, co.id, root.id, "trashed", "2").await;
    cat.trash_asset(co.id, t, "u").await.unwrap();
    let (other, other_root) = company(&cat, "Other").await;
    insert(&cat, other.id, other_root.id, "elsewhere", "3").await;

    let asked = strings(&["live", "trashed", "dir", "free", "elsewhere", "LIVE", "Co"]);
    let used = cat.names_in_use(co.id, &asked).await.unwrap();
    assert_eq!(sorted(used), strings(&["Co", "dir", "live", "trashed"]));
    assert!(cat.names_in_use(co.id, &[]).await.unwrap().is_empty());
}

// ---- jobs ----------------------------------------------------------------------------------------

fn new_job(company: i64, name: &str, user: &str) -> NewJob {
    NewJob {
        company_id: company,
        name: format!("{name}-1"),
        original_name: name.into(),
        job_type: "UploadPost".into(),
        user_email: user.into(),
        locale: "en".into(),
        description: "upload".into(),
        options: "<options/>".into(),
    }
}

fn log(log_type: &str, counter: JobCounter, counts_file: bool) -> NewJobLogDetail {
    NewJobLogDetail {
        log_type: log_type.into(),
        message: format!("{log_type} message"),
        asset_name: "pic".into(),
        asset_id: Some(7),
        counter,
        counts_file,
    }
}

async fn jobs_counters_and_details(cat: Cat) {
    let (co, _) = company(&cat, "Co").await;
    let job = cat
        .create_job(&new_job(co.id, "up", "ann@example.com"))
        .await
        .unwrap();
    assert_eq!(cat.job(job.id).await.unwrap(), Some(job.clone()));
    assert_eq!((job.state.as_str(), job.end_date), ("Running", None));
    assert_eq!((job.success_count, job.total_count), (0, 0));
    assert_eq!(job.options, "<options/>");

    let lines = [
        log("FileSuccess", JobCounter::Success, true),
        log("FileError", JobCounter::Error, true),
        log("FileWarning", JobCounter::Warning, false),
        log("FileDuplicate", JobCounter::Duplicate, true),
        log("FileUpdated", JobCounter::Update, true),
        log("Info", JobCounter::None, false),
        log("FileSuccess", JobCounter::Success, true),
    ];
    for l in &lines {
        cat.add_job_log(job.id, l).await.unwrap();
    }
    assert!(is_not_found(cat.add_job_log(9999, &lines[0]).await));
    let j = cat.job(job.id).await.unwrap().unwrap();
    let counts = (
        j.success_count,
        j.error_count,
        j.warning_count,
        j.duplicate_count,
        j.update_count,
    );
    assert_eq!(counts, (2, 1, 1, 1, 1));
    assert_eq!(j.total_count, 5);
    assert!(j.last_activity >= job.start_date);
    assert_eq!(j.state, "Running");

    let all = JobDetailQuery::default();
    let (total, d) = cat.job_details(job.id, &all).await.unwrap();
    assert_eq!(total, 7);
    let types: Vec<_> = d.iter().map(|l| l.log_type.as_str()).collect();
    assert_eq!(
        types,
        lines
            .iter()
            .map(|l| l.log_type.as_str())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        (
            d[0].message.as_str(),
            d[0].asset_name.as_str(),
            d[0].asset_id
        ),
        ("FileSuccess message", "pic", Some(7))
    );
    assert!(d
        .windows(2)
        .all(|w| w[0].id < w[1].id && w[0].date <= w[1].date));

    let desc = JobDetailQuery {
        descending: true,
        limit: 2,
        offset: 1,
        ..Default::default()
    };
    let (total, d) = cat.job_details(job.id, &desc).await.unwrap();
    assert_eq!(total, 7);
    let types: Vec<_> = d.iter().map(|l| l.log_type.as_str()).collect();
    assert_eq!(types, ["Info", "FileUpdated"]);

    let by_type = JobDetailQuery {
        by_log_type: true,
        ..Default::default()
    };
    let (_, d) = cat.job_details(job.id, &by_type).await.unwrap();
    let types: Vec<_> = d.iter().map(|l| l.log_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "FileDuplicate",
            "FileError",
            "FileSuccess",
            "FileSuccess",
            "FileUpdated",
            "FileWarning",
            "Info"
        ]
    );
    assert!(d[2].id < d[3].id, "ties by id");

    let filtered = JobDetailQuery {
        log_types: strings(&["FileSuccess", "Info"]),
        limit: 1,
        ..Default::default()
    };
    let (total, d) = cat.job_details(job.id, &filtered).await.unwrap();
    assert_eq!(
        (total, d.len(), d[0].log_type.as_str()),
        (3, 1, "FileSuccess")
    );

    cat.finish_job(job.id).await.unwrap();
    let j = cat.job(job.id).await.unwrap().unwrap();
    assert_eq!(j.state, "Done");
    assert!(j.end_date.is_some_and(|e| e >= j.start_date));
    assert!(is_not_found(cat.finish_job(9999).await));
    assert_eq!(cat.job(9999).await.unwrap(), None);
}

async fn job_filters(cat: Cat) {
    let (a, _) = company(&cat, "A").await;
    let (b, _) = company(&cat, "B").await;
    let j1 = cat
        .create_job(&new_job(a.id, "first", "ann@example.com"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let j2 = cat
        .create_job(&new_job(a.id, "second", "bob@example.com"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let j3 = cat
        .create_job(&new_job(b.id, "third", "ann@example.com"))
        .await
        .unwrap();
    cat.finish_job(j2.id).await.unwrap();

    let ids = |v: Vec<ipsd::catalog::Job>| v.into_iter().map(|j| j.id).collect::<Vec<_>>();
    let run = |f: JobFilter| {
        let cat = cat.clone();
        async move { ids(cat.jobs(&f).await.unwrap()) }
    };
    assert_eq!(
        run(JobFilter::default()).await,
        [j3.id, j2.id, j1.id],
        "newest first"
    );
    assert_eq!(
        run(JobFilter {
            companies: vec![a.id],
            ..Default::default()
        })
        .await,
        [j2.id, j1.id]
    );
    assert_eq!(
        run(JobFilter {
            job_id: Some(j1.id),
            ..Default::default()
        })
        .await,
        [j1.id]
    );
    assert_eq!(
        run(JobFilter {
            original_name: Some("third".into()),
            ..Default::default()
        })
        .await,
        [j3.id]
    );
    assert_eq!(
        run(JobFilter {
            user_email: Some("ANN@example.com".into()),
            ..Default::default()
        })
        .await,
        [j3.id, j1.id]
    );
    assert_eq!(
        run(JobFilter {
            active_only: true,
            ..Default::default()
        })
        .await,
        [j3.id, j1.id]
    );
    assert_eq!(
        run(JobFilter {
            start_after: Some(j1.start_date),
            ..Default::default()
        })
        .await,
        [j3.id, j2.id]
    );
    assert_eq!(
        run(JobFilter {
            start_before: Some(j3.start_date),
            ..Default::default()
        })
        .await,
        [j2.id, j1.id]
    );
    assert_eq!(
        run(JobFilter {
            limit: 2,
            ..Default::default()
        })
        .await,
        [j3.id, j2.id]
    );
    assert!(run(JobFilter {
        companies: vec![a.id],
        job_id: Some(j3.id),
        ..Default::default()
    })
    .await
    .is_empty());
}

// ---- concurrency ---------------------------------------------------------------------------------

async fn concurrent_inserts_of_one_name(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let cat = cat.clone();
            let spec = new_asset(co.id, root.id, "race", &format!("content {i}"));
            tokio::spawn(async move { cat.insert_asset(&spec).await })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(a) => winners.push(a),
            Err(CatalogError::Conflict(_)) => {}
            Err(e) => panic!("expected Ok or Conflict, got {e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one insert wins");
    let rows = cat
        .assets_by_name(co.id, &strings(&["race"]))
        .await
        .unwrap();
    assert_eq!(rows, winners);
    assert_eq!(
        cat.referenced_blobs().await.unwrap(),
        vec![winners[0].blob.clone()],
        "losers rolled back their blob counts"
    );
}

async fn concurrent_writers_do_not_fail(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    let job = cat
        .create_job(&new_job(co.id, "busy", "ann@example.com"))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let cat = cat.clone();
            let spec = new_asset(co.id, root.id, &format!("n{i}"), &format!("c{}", i % 3));
            let line = log("FileSuccess", JobCounter::Success, true);
            tokio::spawn(async move {
                let a = cat.insert_asset(&spec).await?;
                cat.add_job_log(job.id, &line).await?;
                cat.trash_asset(a.company_id, a.id, "u").await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let j = cat.job(job.id).await.unwrap().unwrap();
    assert_eq!((j.success_count, j.total_count), (16, 16));
    let later = Utc::now() + Duration::seconds(1);
    assert_eq!(cat.purge_trash(later).await.unwrap().len(), 3);
    assert!(cat.referenced_blobs().await.unwrap().is_empty());
}

/// A folder deleted while housekeeping purges the trash under it (two nodes, or a node's
/// housekeeping and a caller): both touch the subtree's trashed assets, and neither may fail
/// (on PostgreSQL, two statements locking those rows in different orders deadlock, and one
/// would be aborted). Assets of two folders alternate, so the folder-by-folder and the
/// table-order scans differ; each round meets the deadlock often enough that sixteen all but
/// always did before the fix.
async fn folder_delete_and_trash_purge_at_once(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    for round in 0..16 {
        let top = folder(&cat, co.id, root.id, &format!("top{round}")).await;
        let kids = [
            folder(&cat, co.id, top.id, &format!("x{round}")).await,
            folder(&cat, co.id, top.id, &format!("y{round}")).await,
        ];
        for i in 0..120 {
            let name = format!("r{round}a{i}");
            let id = insert(&cat, co.id, kids[i % 2].id, &name, &name).await;
            if i % 8 != 0 {
                cat.trash_asset(co.id, id, "u").await.unwrap();
            }
        }
        let later = Utc::now() + Duration::seconds(1);
        let (c1, c2) = (cat.clone(), cat.clone());
        let delete = tokio::spawn(async move { c1.delete_folder(co.id, top.id, "d").await });
        let purge = tokio::spawn(async move { c2.purge_trash(later).await });
        let (deleted, purged) = (delete.await.unwrap(), purge.await.unwrap());
        assert_eq!(
            deleted.unwrap(),
            15,
            "round {round}: the live assets went to the trash"
        );
        let purged = purged.unwrap().len();
        // The purge took the 105 trashed before it, and the 15 if the delete committed first.
        assert!(
            purged == 105 || purged == 120,
            "round {round}: purged {purged}"
        );
        let rest = cat.purge_trash(Utc::now() + Duration::seconds(2)).await;
        assert_eq!(rest.unwrap().len(), 120 - purged, "round {round}");
        assert!(cat.folder(co.id, top.id).await.unwrap().is_none());
    }
    assert!(cat.referenced_blobs().await.unwrap().is_empty());
}

/// Assets moved between two folders of a subtree while the subtree is deleted: each move
/// happens before the delete or finds its folder gone (`NotFound`); none fails otherwise (on
/// PostgreSQL a move that locked its asset and then waited for the folder, while the delete
/// held the folder and waited for the asset, deadlocked).
async fn folder_delete_and_moves_inside_it_at_once(cat: Cat) {
    let (co, root) = company(&cat, "Co").await;
    for round in 0..8 {
        let top = folder(&cat, co.id, root.id, &format!("top{round}")).await;
        let x = folder(&cat, co.id, top.id, "x").await;
        let y = folder(&cat, co.id, top.id, "y").await;
        let mut ids = Vec::new();
        for i in 0..32 {
            let name = format!("r{round}m{i}");
            ids.push(insert(&cat, co.id, x.id, &name, &name).await);
        }
        let moves: Vec<_> = ids
            .iter()
            .map(|&id| {
                let cat = cat.clone();
                tokio::spawn(async move { cat.move_asset(co.id, id, y.id, "m").await })
            })
            .collect();
        let c = cat.clone();
        let delete = tokio::spawn(async move { c.delete_folder(co.id, top.id, "d").await });
        for m in moves {
            let r = m.await.unwrap();
            let gone = matches!(r, Err(CatalogError::NotFound(_)));
            assert!(r.is_ok() || gone, "round {round}: {r:?}");
        }
        assert_eq!(delete.await.unwrap().unwrap(), 32, "round {round}");
    }
}

// ---- the schema on its own -----------------------------------------------------------------------

/// Raw inserts that skip the Rust code: a control row proves each statement is otherwise valid.
async fn schema_rejects_duplicate_names(cat: Cat, raw: Raw) {
    let (co, root) = company(&cat, "Co").await;
    let dir = folder(&cat, co.id, root.id, "dir").await;
    insert(&cat, co.id, root.id, "pic", "blob").await;
    let (c, r, blob, ts) = (co.id, root.id, digest("blob"), raw.ts());
    let asset_row = |name: &str| {
        format!(
            "INSERT INTO assets (company_id, name, asset_type, folder_id, file_name, blob, width, \
             height, format, file_size, created, create_user, modified, modify_user, \
             ready_for_publish) VALUES ({c}, '{name}', 'Image', {r}, 'f.jpg', '{blob}', 1, 1, \
             'jpeg', 1, {ts}, 'u', {ts}, 'u', FALSE)"
        )
    };
    let folder_row = |name: &str| {
        format!(
            "INSERT INTO folders (company_id, parent_id, path, name, ns_kind, modified) \
             VALUES ({c}, {r}, 'Co/{name}/', '{name}', 'folder', {ts})"
        )
    };
    let name_row = |name: &str, kind: &str| {
        format!("INSERT INTO names (company_id, name, kind) VALUES ({c}, '{name}', '{kind}')")
    };

    // Controls: with a fresh reserved name, raw rows are accepted.
    raw.exec(&name_row("raw_asset", "asset")).await.unwrap();
    raw.exec(&asset_row("raw_asset")).await.unwrap();
    raw.exec(&name_row("raw_dir", "folder")).await.unwrap();
    raw.exec(&folder_row("raw_dir")).await.unwrap();

    // Asset rows: duplicate asset name, a folder's name, an unreserved name.
    assert!(
        raw.exec(&asset_row("pic")).await.is_err(),
        "duplicate asset name"
    );
    assert!(
        raw.exec(&asset_row("dir")).await.is_err(),
        "asset named like a folder"
    );
    assert!(
        raw.exec(&asset_row("unreserved")).await.is_err(),
        "asset without reservation"
    );
    // Folder rows: an asset's name, another folder's name (elsewhere in the tree).
    assert!(
        raw.exec(&folder_row("pic")).await.is_err(),
        "folder named like an asset"
    );
    let nested = format!(
        "INSERT INTO folders (company_id, parent_id, path, name, ns_kind, modified) \
         VALUES ({c}, {}, 'Co/dir/dir/', 'dir', 'folder', {ts})",
        dir.id
    );
    assert!(
        raw.exec(&nested).await.is_err(),
        "folder name reused in another branch"
    );
    // The namespace itself, and renames through it.
    assert!(
        raw.exec(&name_row("pic", "folder")).await.is_err(),
        "name reserved twice"
    );
    let rename = format!("UPDATE names SET name = 'dir' WHERE company_id = {c} AND name = 'pic'");
    assert!(raw.exec(&rename).await.is_err(), "rename onto a used name");
    let asset_rename =
        format!("UPDATE assets SET name = 'dir' WHERE company_id = {c} AND name = 'pic'");
    assert!(
        raw.exec(&asset_rename).await.is_err(),
        "rename bypassing the namespace"
    );

    let used = cat
        .names_in_use(co.id, &strings(&["pic", "dir", "raw_asset", "raw_dir"]))
        .await
        .unwrap();
    assert_eq!(
        sorted(used),
        strings(&["dir", "pic", "raw_asset", "raw_dir"])
    );
    let (total, _) = search(&cat, co.id, AssetQuery::default()).await;
    assert_eq!(total, 2, "only the control asset was added");
}

async fn schema_rejects_invalid_rows(cat: Cat, raw: Raw) {
    let (co, root) = company(&cat, "Co").await;
    let id = insert(&cat, co.id, root.id, "pic", "blob").await;
    let c = co.id;
    let ts = raw.ts();

    let bad_state = format!("UPDATE assets SET trash_state = 'Gone' WHERE id = {id}");
    assert!(
        raw.exec(&bad_state).await.is_err(),
        "trash_state is a closed set"
    );
    let homeless = format!("UPDATE assets SET folder_id = NULL WHERE id = {id}");
    assert!(
        raw.exec(&homeless).await.is_err(),
        "a live asset has a folder"
    );
    let negative = format!(
        "UPDATE blobs SET refs = -1 WHERE digest = '{}'",
        digest("blob")
    );
    assert!(raw.exec(&negative).await.is_err(), "refs >= 0");
    let unknown_blob = format!(
        "UPDATE assets SET blob = '{}' WHERE id = {id}",
        digest("nope")
    );
    assert!(
        raw.exec(&unknown_blob).await.is_err(),
        "asset blobs are counted"
    );
    let drop_used = format!("DELETE FROM blobs WHERE digest = '{}'", digest("blob"));
    assert!(
        raw.exec(&drop_used).await.is_err(),
        "a referenced blob row stays"
    );
    let bad_digest = "INSERT INTO blobs (digest, refs) VALUES ('ABC', 1)";
    assert!(raw.exec(bad_digest).await.is_err(), "digest format");
    let dup_path = format!(
        "INSERT INTO folders (company_id, parent_id, path, name, ns_kind, modified) \
         VALUES ({c}, NULL, 'Co/', 'Co', NULL, {ts})"
    );
    assert!(raw.exec(&dup_path).await.is_err(), "one root, unique paths");
    let orphan_folder = format!(
        "INSERT INTO folders (company_id, parent_id, path, name, ns_kind, modified) \
         VALUES ({c}, 9999, 'Co/x/', 'x', 'folder', {ts})"
    );
    raw.exec(&format!(
        "INSERT INTO names (company_id, name, kind) VALUES ({c}, 'x', 'folder')"
    ))
    .await
    .unwrap();
    assert!(raw.exec(&orphan_folder).await.is_err(), "parent must exist");

    cat.create_user(&new_user("Ann@Example.com", vec![c]))
        .await
        .unwrap();
    let dup_email = "INSERT INTO users (email, email_lower, first_name, last_name, \
         password_hash, default_role, is_valid) \
         VALUES ('ANN@example.com', 'ann@example.com', 'A', 'B', 'h', 'IpsUser', TRUE)";
    assert!(
        raw.exec(dup_email).await.is_err(),
        "e-mail unique case-insensitively"
    );
    let bad_member =
        "INSERT INTO memberships (user_id, company_id, role) VALUES (9999, 1, 'IpsUser')";
    assert!(
        raw.exec(bad_member).await.is_err(),
        "memberships reference users"
    );
    let bad_log = format!("INSERT INTO job_logs (job_id, log_type, message, asset_name, date) VALUES (9999, 'x', 'm', 'a', {ts})");
    assert!(raw.exec(&bad_log).await.is_err(), "job logs reference jobs");
    assert_eq!(
        cat.asset(co.id, id).await.unwrap().unwrap().trash_state,
        TrashState::NotInTrash
    );
}

/// `sqlite::memory:` must behave like a file: one database shared by every call.
#[tokio::test(flavor = "multi_thread")]
async fn sqlite_in_memory_url_keeps_one_database() {
    let cat = catalog::open("sqlite::memory:").await.unwrap();
    let (co, root) = company(&cat, "Mem").await;
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let cat = cat.clone();
            let spec = new_asset(co.id, root.id, &format!("m{i}"), "same");
            tokio::spawn(async move { cat.insert_asset(&spec).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let (total, _) = search(&cat, co.id, AssetQuery::default()).await;
    assert_eq!(total, 4);
    let other = catalog::open("sqlite::memory:").await.unwrap();
    assert!(
        other.companies().await.unwrap().is_empty(),
        "separate opens stay separate"
    );
}

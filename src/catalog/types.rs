//! Plain data types the catalog stores and returns. No behaviour beyond small conversions;
//! the API layer turns these into SOAP types (`api::types`).

use chrono::{DateTime, Utc};

/// Roles of spec/ips-soap.md §5.2, stored by their wire names.
pub const ROLES: &[&str] = &[
    "IpsAdmin",
    "IpsCompanyAdmin",
    "IpsUser",
    "WebServiceUser",
    "TrialSiteAdmin",
    "TrialSiteUser",
    "ImagePortalAdmin",
    "ImagePortalUser",
    "ImagePortalContrib",
    "ImagePortalContribUser",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub id: i64,
    pub name: String,
    /// Root folder path, e.g. `SampleCompany/`.
    pub root_path: String,
    pub expires: DateTime<Utc>,
    /// One of `OverwriteFullName`, `OverwriteAnyExt`, `OverwriteFullNameAnyFolder`,
    /// `OverwriteAnyExtAnyFolder`. Default `OverwriteFullName`.
    pub overwrite_mode: String,
    pub retain_publish_state: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SettingsUpdate {
    pub overwrite_mode: Option<String>,
    pub retain_publish_state: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// argon2id PHC string; never the password.
    pub password_hash: String,
    pub default_role: String,
    pub is_valid: bool,
    pub password_expires: Option<DateTime<Utc>>,
    pub companies: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub default_role: String,
    pub is_valid: bool,
    pub password_expires: Option<DateTime<Utc>>,
    /// Company ids this user is an active member of, ascending.
    pub companies: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Folder {
    pub id: i64,
    pub company_id: i64,
    /// None for the company root folder.
    pub parent_id: Option<i64>,
    /// Full path from the company root, ending in `/`, e.g. `ApiTestCo/uploads/`.
    pub path: String,
    /// Leaf name (for the root: the root path without its slash).
    pub name: String,
    pub last_modified: DateTime<Utc>,
    pub has_subfolders: bool,
}

/// Trash states of spec/ips-operations.md §9.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrashState {
    NotInTrash,
    InTrash,
    InEmptiedTrash,
}

impl TrashState {
    pub fn as_str(self) -> &'static str {
        match self {
            TrashState::NotInTrash => "NotInTrash",
            TrashState::InTrash => "InTrash",
            TrashState::InEmptiedTrash => "InEmptiedTrash",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "NotInTrash" => Some(TrashState::NotInTrash),
            "InTrash" => Some(TrashState::InTrash),
            "InEmptiedTrash" => Some(TrashState::InEmptiedTrash),
            _ => None,
        }
    }
}

/// Image properties kept with an Image asset.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImageMeta {
    pub width: i64,
    pub height: i64,
    /// Stored format: `jpeg`, `png`, `tiff`, `webp`, `gif`, `bmp`.
    pub format: String,
    pub file_size: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub id: i64,
    pub company_id: i64,
    /// Asset Type constant, e.g. `Image`.
    pub asset_type: String,
    pub name: String,
    /// Current folder; None only while trashed after its folder was deleted.
    pub folder_id: Option<i64>,
    /// Current folder path (or, while trashed, the path it was trashed from).
    pub folder_path: String,
    /// Virtual file name, e.g. `name.jpg`.
    pub file_name: String,
    /// sha256 hex digest of the stored bytes.
    pub blob: String,
    pub image: ImageMeta,
    pub created: DateTime<Utc>,
    pub create_user: String,
    pub last_modified: DateTime<Utc>,
    pub last_modify_user: String,
    pub ready_for_publish: bool,
    pub trash_state: TrashState,
    pub trashed_at: Option<DateTime<Utc>>,
    pub url_modifier: String,
    pub url_post_modifier: String,
}

#[derive(Debug, Clone)]
pub struct NewAsset {
    pub company_id: i64,
    pub asset_type: String,
    pub name: String,
    pub folder_id: i64,
    pub file_name: String,
    pub blob: String,
    pub image: ImageMeta,
    pub user: String,
    pub ready_for_publish: bool,
}

#[derive(Debug, Clone)]
pub struct ReplaceData {
    pub file_name: String,
    pub blob: String,
    pub image: ImageMeta,
    pub user: String,
    /// Some(flag) to set the publish flag, None to keep it.
    pub ready_for_publish: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    Created,
    Modified,
    #[default]
    Name,
    AssetType,
    FileSize,
}

#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    /// Folder path to search in (None = the whole company).
    pub folder: Option<String>,
    pub include_subfolders: bool,
    /// None = any state.
    pub trash_state: Option<TrashState>,
    /// Some(true) = MarkedForPublish only, Some(false) = NotMarkedForPublish only.
    pub published: Option<bool>,
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    /// Case-insensitive substring matches on the name; combined by `match_any`.
    pub name_contains: Vec<String>,
    /// Exact name matches; combined with the above.
    pub name_equals: Vec<String>,
    pub match_any: bool,
    pub sort: SortField,
    pub descending: bool,
    /// 0 = no limit.
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub company_id: i64,
    pub name: String,
    pub original_name: String,
    /// Job type constant, e.g. `UploadPost`.
    pub job_type: String,
    pub user_email: String,
    pub locale: String,
    pub description: String,
    /// Job options kept as the XML text of UploadPostJob, replayed to later POSTs.
    pub options: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub original_name: String,
    pub job_type: String,
    pub user_email: String,
    pub locale: String,
    pub description: String,
    pub options: String,
    /// `Running` or `Done`.
    pub state: String,
    pub start_date: DateTime<Utc>,
    pub end_date: Option<DateTime<Utc>>,
    pub success_count: i64,
    pub error_count: i64,
    pub warning_count: i64,
    pub duplicate_count: i64,
    pub update_count: i64,
    pub total_count: i64,
    pub last_activity: DateTime<Utc>,
}

/// Which job counter a log line bumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobCounter {
    None,
    Success,
    Error,
    Warning,
    Duplicate,
    Update,
}

#[derive(Debug, Clone)]
pub struct NewJobLogDetail {
    pub log_type: String,
    pub message: String,
    pub asset_name: String,
    pub asset_id: Option<i64>,
    pub counter: JobCounter,
    /// Whether this line also counts as one more file seen (`totalFileCount`).
    pub counts_file: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobLogDetail {
    pub id: i64,
    pub log_type: String,
    pub message: String,
    pub asset_name: String,
    pub asset_id: Option<i64>,
    pub date: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Restrict to these companies (empty = all; the API always passes the caller's).
    pub companies: Vec<i64>,
    pub job_id: Option<i64>,
    pub original_name: Option<String>,
    pub user_email: Option<String>,
    /// Only jobs whose state is `Running`.
    pub active_only: bool,
    pub start_after: Option<DateTime<Utc>>,
    pub start_before: Option<DateTime<Utc>>,
    /// 0 = no limit.
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct JobDetailQuery {
    pub log_types: Vec<String>,
    pub by_log_type: bool,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

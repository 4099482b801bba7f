//! Ingests the files of one upload POST into the catalog: name and folder from the part's path,
//! header and integrity checks (`probe`, a full decode, under a render slot) before anything is
//! stored, blob write before catalog commit (and the blob deleted again when no asset takes
//! it: a skipped duplicate, a refused overwrite), the job's overwrite rules, and one job-log
//! line per outcome (spec/ips-soap.md §9.2).

use super::options::UploadOptions;
use super::request::UploadFile;
use crate::api::common_paths::{check_name, folder_path};
use crate::catalog::{
    Asset, CatalogError, Company, Folder, ImageMeta, JobCounter, NewAsset, NewJobLogDetail,
    ReplaceData,
};
use crate::codec::probe;
use crate::state::{AppState, SharedState};
use tokio::sync::OwnedRwLockReadGuard;

pub struct Batch {
    pub st: SharedState,
    pub company: Company,
    pub job: i64,
    pub user: String,
    pub opts: UploadOptions,
    pub files: Vec<UploadFile>,
    pub dest_folder: Option<String>,
    pub end_job: bool,
}

/// What happened to one file: log type, message, counter, and the asset concerned.
struct Outcome {
    log_type: &'static str,
    message: String,
    counter: JobCounter,
    asset: Option<i64>,
}

fn error(message: String) -> Outcome {
    Outcome {
        log_type: "UploadError",
        message,
        counter: JobCounter::Error,
        asset: None,
    }
}

impl Batch {
    pub async fn run(self) {
        for f in &self.files {
            let (name, folder) = split_path(&self.company, self.dest_folder.as_deref(), &f.path);
            let out = match self.ingest(&name, &folder, f).await {
                Ok(o) | Err(o) => o,
            };
            let d = NewJobLogDetail {
                log_type: out.log_type.into(),
                message: out.message,
                asset_name: name.clone(),
                asset_id: out.asset,
                counter: out.counter,
                counts_file: true,
            };
            if let Err(e) = self.st.catalog.add_job_log(self.job, &d).await {
                tracing::error!(error = %e, "writing job log");
            }
        }
        if self.end_job {
            self.st.uploads.wait_until(self.job, 1).await;
            end_job(&self.st, self.job).await;
        }
        self.st.uploads.end(self.job);
    }

    async fn ingest(&self, name: &str, folder: &str, f: &UploadFile) -> Result<Outcome, Outcome> {
        let ext = extension(&f.path);
        check_name("asset", name).map_err(|e| error(format!("{}: {}", f.path, e.reason)))?;
        let bytes = f.bytes.clone();
        let max = self.st.cfg.max_upload_pixels;
        // A full decode: it waits for a render slot like a render's decode (`Admission::slot`).
        let slot = self.st.admission.slot().await;
        let meta = tokio::task::spawn_blocking(move || probe::probe(&bytes, max))
            .await
            .map_err(|_| error("internal error while reading the image".into()))?
            .map_err(|e| error(format!("{}: {e}", f.path)))?;
        drop(slot);
        let folder = self.ensure_folder(folder).await.map_err(error)?;
        let file_name = format!(
            "{name}.{}",
            if ext.is_empty() { &meta.format } else { &ext }
        );
        let gate = self.st.blobs.write_guard().await;
        let digest = self.st.blobs.put(f.bytes.clone()).await.map_err(|e| {
            tracing::error!(error = %e, "blob write failed");
            error("internal error while storing the file".into())
        })?;
        let new = NewAsset {
            company_id: self.company.id,
            asset_type: "Image".into(),
            name: name.to_string(),
            folder_id: folder.id,
            file_name: file_name.clone(),
            blob: digest.clone(),
            image: meta.clone(),
            user: self.user.clone(),
            ready_for_publish: self.opts.ready_for_publish,
        };
        let done = match self.st.catalog.insert_asset(&new).await {
            Ok(a) => {
                return Ok(Outcome {
                    log_type: "UploadSuccess",
                    message: format!("{} uploaded as '{}' in {}", f.path, a.name, folder.path),
                    counter: JobCounter::Success,
                    asset: Some(a.id),
                })
            }
            Err(CatalogError::Conflict(_)) => {
                let at = (name, &folder, file_name);
                self.collision(gate, at, digest.clone(), meta).await
            }
            Err(e) => {
                drop(gate);
                tracing::error!(error = %e, "asset insert failed");
                Err(error("internal error while saving the asset".into()))
            }
        };
        if done.is_err() {
            // Skipped, refused or failed: no asset took the bytes just stored.
            self.st
                .blobs
                .discard(self.st.catalog.as_ref(), &digest)
                .await;
        }
        done
    }

    /// The name exists: replace the existing asset when the job allows overwriting and the
    /// company's overwriteMode counts this as the same file; otherwise skip or fail. `gate`,
    /// the write guard held since `digest` was stored, is held until the replacement commits,
    /// so no purge can delete the file in between.
    async fn collision(
        &self,
        gate: OwnedRwLockReadGuard<()>,
        (name, folder, file_name): (&str, &Folder, String),
        digest: String,
        meta: ImageMeta,
    ) -> Result<Outcome, Outcome> {
        let cat = &self.st.catalog;
        let existing = cat
            .assets_by_name(self.company.id, &[name.to_string()])
            .await
            .ok()
            .and_then(|v| v.into_iter().next());
        let Some(old) = existing else {
            return Err(error(format!("Name '{name}' is already used by a folder")));
        };
        if !self.opts.overwrite {
            return Err(Outcome {
                log_type: "DuplicateSkipped",
                message: format!("'{name}' already exists and the job does not overwrite"),
                counter: JobCounter::Duplicate,
                asset: Some(old.id),
            });
        }
        if !self.counts_as_same(&old, folder, &file_name) {
            return Err(error(format!(
                "'{name}' already exists as {}{} and overwriteMode {} does not allow replacing it",
                old.folder_path, old.file_name, self.company.overwrite_mode
            )));
        }
        let preserve = self
            .opts
            .preserve_publish
            .unwrap_or(self.company.retain_publish_state);
        let r = ReplaceData {
            file_name,
            blob: digest,
            image: meta,
            user: self.user.clone(),
            ready_for_publish: (!preserve).then_some(self.opts.ready_for_publish),
        };
        let replaced = cat.replace_asset_data(self.company.id, old.id, &r).await;
        drop(gate);
        let dead = replaced.map_err(|e| {
            tracing::error!(error = %e, "asset replace failed");
            error("internal error while replacing the asset".into())
        })?;
        if let Err(e) = self
            .st
            .blobs
            .delete_dropped(self.st.catalog.as_ref(), &dead)
            .await
        {
            tracing::error!(error = %e, "deleting replaced blob; left for the next start");
        }
        Ok(Outcome {
            log_type: "FileUpdated",
            message: format!("'{name}' replaced with new image data"),
            counter: JobCounter::Update,
            asset: Some(old.id),
        })
    }

    fn counts_as_same(&self, old: &Asset, folder: &Folder, file_name: &str) -> bool {
        if old.trash_state != crate::catalog::TrashState::NotInTrash {
            return false;
        }
        let same_folder = old.folder_id == Some(folder.id);
        let same_ext = extension(&old.file_name).eq_ignore_ascii_case(&extension(file_name));
        match self.company.overwrite_mode.as_str() {
            "OverwriteAnyExt" => same_folder,
            "OverwriteFullNameAnyFolder" => same_ext,
            "OverwriteAnyExtAnyFolder" => true,
            _ => same_folder && same_ext,
        }
    }

    /// The destination folder, created (with missing parents) when it does not exist yet.
    async fn ensure_folder(&self, path: &str) -> Result<Folder, String> {
        let cat = &self.st.catalog;
        let fail = |e: CatalogError| match e {
            CatalogError::Conflict(_) => {
                format!("Folder '{path}' collides with an existing asset name")
            }
            other => {
                tracing::error!(error = %other, "folder lookup failed");
                "internal error while resolving the folder".into()
            }
        };
        let mut current = cat
            .folder_by_path(self.company.id, &self.company.root_path)
            .await
            .map_err(fail)?
            .ok_or("company root folder is missing")?;
        for leaf in path[self.company.root_path.len()..]
            .split('/')
            .filter(|s| !s.is_empty())
        {
            let want = format!("{}{leaf}/", current.path);
            current = match cat
                .folder_by_path(self.company.id, &want)
                .await
                .map_err(fail)?
            {
                Some(f) => f,
                None => {
                    check_name("folder", leaf).map_err(|e| e.reason)?;
                    match cat.create_folder(self.company.id, current.id, leaf).await {
                        Ok(f) => f,
                        Err(CatalogError::Conflict(_)) => cat
                            .folder_by_path(self.company.id, &want)
                            .await
                            .map_err(fail)?
                            .ok_or_else(|| {
                                format!("Folder name '{leaf}' is already used by an asset")
                            })?,
                        Err(e) => return Err(fail(e)),
                    }
                }
            };
        }
        Ok(current)
    }
}

/// Finishes a job: an EndUpload line, state Done.
pub async fn end_job(st: &AppState, job: i64) {
    let d = NewJobLogDetail {
        log_type: "EndUpload".into(),
        message: "Upload has finished".into(),
        asset_name: String::new(),
        asset_id: None,
        counter: JobCounter::None,
        counts_file: false,
    };
    if let Err(e) = st.catalog.add_job_log(job, &d).await {
        tracing::error!(error = %e, "writing job log");
    }
    if let Err(e) = st.catalog.finish_job(job).await {
        tracing::error!(error = %e, "finishing job");
    }
}

fn extension(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Splits a part's path into the asset name (file name without extension) and the full folder
/// path. `destFolder` goes in front; a leading company root folder name is optional; repeated
/// slashes collapse.
pub fn split_path(c: &Company, dest: Option<&str>, path: &str) -> (String, String) {
    let path = path.replace('\\', "/");
    let (dirs, file) = path.rsplit_once('/').unwrap_or(("", &path));
    let name = file
        .rsplit_once('.')
        .map(|(n, _)| n)
        .unwrap_or(file)
        .to_string();
    let joined = format!("{}/{dirs}", dest.unwrap_or(""));
    let folder = folder_path(c, &joined).unwrap_or_else(|| c.root_path.clone());
    (name, folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn co() -> Company {
        Company {
            id: 1,
            name: "ApiTestCo1".into(),
            root_path: "ApiTestCo1/".into(),
            expires: chrono::Utc::now(),
            overwrite_mode: "OverwriteFullName".into(),
            retain_publish_state: false,
        }
    }

    #[test]
    fn spec_example_paths() {
        let (n, f) = split_path(
            &co(),
            None,
            "ApiTestCo1/UploadFileServlet1376682217351//1376682217351-1.jpg",
        );
        assert_eq!(n, "1376682217351-1");
        assert_eq!(f, "ApiTestCo1/UploadFileServlet1376682217351/");
        assert_eq!(
            split_path(&co(), None, "photo.jpg"),
            ("photo".into(), "ApiTestCo1/".into())
        );
        assert_eq!(
            split_path(&co(), Some("uploads"), "a/photo.png"),
            ("photo".into(), "ApiTestCo1/uploads/a/".into())
        );
    }
}

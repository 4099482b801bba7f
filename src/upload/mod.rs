//! `POST /scene7/UploadFile`: the multipart upload servlet (spec/ips-soap.md §9). Reads the
//! `auth` and `uploadParams` XML parts and the file parts under the body cap, authenticates,
//! opens or continues a job, and hands the files to `ingest`. Small final POSTs finish before
//! the reply; larger ones run in the background and show in getActiveJobs. Errors are bare fault
//! elements (no envelope) with the status from `faultHttpStatusCode`.

mod ingest;
pub mod options;
mod request;
pub mod tracker;

use crate::catalog::{Company, Job, JobCounter, NewJob, NewJobLogDetail};
use crate::soap::ns::{parse_job_handle, ApiNs};
use crate::soap::writer::Node;
use crate::soap::Fault;
use crate::state::{AppState, SharedState};
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use options::UploadOptions;
use request::UploadRequest;

pub async fn endpoint(
    State(st): State<SharedState>,
    headers: HeaderMap,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let mp = match mp {
        Ok(m) => m,
        Err(e) => {
            return fault_reply(
                &Fault::bad_xml(format!(
                    "Upload must be multipart/form-data: {}",
                    e.body_text()
                )),
                None,
            )
        }
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
    {
        if len > st.cfg.upload_max_bytes {
            return fault_reply(&too_big(&st), None);
        }
    }
    let req = match request::read(mp, &st).await {
        Ok(r) => r,
        Err((f, status)) => return fault_reply(&f, status),
    };
    let status = req.auth.fault_http_status;
    match run(&st, req).await {
        Ok((ns, handle)) => {
            let xml = Node::new("uploadPostReturn")
                .text_child("jobHandle", handle)
                .to_xml_with_default_ns(&ns.uri);
            let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{xml}");
            ([(header::CONTENT_TYPE, "text/xml;charset=utf-8")], body).into_response()
        }
        Err(f) => {
            tracing::info!(code = f.code, reason = %f.reason, "upload refused");
            fault_reply(&f, status)
        }
    }
}

fn too_big(st: &AppState) -> Fault {
    Fault::invalid(format!(
        "Upload exceeds the limit of {} bytes",
        st.cfg.upload_max_bytes
    ))
}

/// A bare fault element as the whole body (spec/ips-soap.md §6.5).
fn fault_reply(f: &Fault, status: Option<u16>) -> Response {
    let code = status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}",
        f.detail_xml()
    );
    (
        code,
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
        body,
    )
        .into_response()
}

async fn run(st: &SharedState, req: UploadRequest) -> Result<(ApiNs, String), Fault> {
    let caller = st
        .auth
        .authenticate(req.auth.user.as_deref(), req.auth.password.as_deref())
        .await?;
    caller.authorize("uploadPost")?;
    let ctx = crate::api::Ctx {
        st,
        caller,
        ns: &req.ns,
    };
    let company = ctx.company(&req.company).await?;
    let job = open_job(&ctx, &company, &req).await?;
    let handle = req.ns.job_handle(company.id, &job.name, job.id);
    let opts = UploadOptions::from_stored(&job.options);
    let bytes: usize = req.files.iter().map(|f| f.bytes.len()).sum();
    let work = ingest::Batch {
        st: st.clone(),
        company,
        job: job.id,
        user: ctx.caller.email().to_string(),
        opts,
        files: req.files,
        dest_folder: req.dest_folder,
        end_job: req.end_job,
    };
    st.uploads.begin(job.id);
    if req.end_job && bytes <= st.cfg.upload_sync_bytes {
        work.run().await;
    } else {
        tokio::spawn(work.run());
    }
    Ok((req.ns.clone(), handle))
}

/// Creates the job for `jobName`, or continues the running job named by `jobHandle`.
async fn open_job(
    ctx: &crate::api::Ctx<'_>,
    c: &Company,
    req: &UploadRequest,
) -> Result<Job, Fault> {
    let cat = &ctx.st.catalog;
    let internal = crate::api::internal_fault;
    if let Some(h) = &req.job_handle {
        let gone = || Fault::invalid(format!("Upload job '{h}' not found or no longer active"));
        let id = parse_job_handle(h).ok_or_else(gone)?;
        let job = cat.job(id).await.map_err(internal)?.ok_or_else(gone)?;
        if job.company_id != c.id || job.state != "Running" {
            return Err(gone());
        }
        return Ok(job);
    }
    let name = req
        .job_name
        .clone()
        .ok_or_else(|| Fault::missing("jobName"))?;
    let opts = req.options.clone().unwrap_or_default();
    let new = NewJob {
        company_id: c.id,
        name: name.clone(),
        original_name: name.clone(),
        job_type: "UploadPost".into(),
        user_email: ctx.caller.email().to_string(),
        locale: req.locale.clone().unwrap_or_default(),
        description: req.description.clone().unwrap_or_default(),
        options: opts.to_stored(),
    };
    let job = cat.create_job(&new).await.map_err(internal)?;
    for (t, m) in [
        ("BeginUpload", "Upload has begun!".to_string()),
        ("OriginalJobName", name),
    ] {
        let d = NewJobLogDetail {
            log_type: t.into(),
            message: m,
            asset_name: String::new(),
            asset_id: None,
            counter: JobCounter::None,
            counts_file: false,
        };
        cat.add_job_log(job.id, &d).await.map_err(internal)?;
    }
    Ok(job)
}

/// Ends upload jobs that have seen no POST for the configured timeout (30 minutes by default).
pub async fn finish_idle_jobs(st: &AppState) -> anyhow::Result<usize> {
    let f = crate::catalog::JobFilter {
        active_only: true,
        ..Default::default()
    };
    let jobs = st
        .catalog
        .jobs(&f)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let cutoff =
        chrono::Utc::now() - chrono::Duration::seconds(st.cfg.upload_job_timeout_secs as i64);
    let mut n = 0;
    for j in jobs
        .iter()
        .filter(|j| j.last_activity < cutoff && st.uploads.pending(j.id) == 0)
    {
        ingest::end_job(st, j.id).await;
        n += 1;
    }
    Ok(n)
}

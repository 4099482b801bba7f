//! Job operations for upload jobs: getActiveJobs, getJobLogs, getJobLogDetails
//! (spec/ips-operations.md §7.3–7.5). Jobs are only ever listed for companies the caller can
//! access.

use super::common::{internal, Ctx};
use super::types;
use crate::catalog::{Job, JobDetailQuery, JobFilter};
use crate::soap::fault::Fault;
use crate::soap::ns::parse_job_handle;
use crate::soap::params::{format_datetime, Params};
use crate::soap::writer::Node;

/// The companies whose jobs the caller may see: one when `companyHandle` is given, otherwise
/// the caller's memberships (IpsAdmin: all).
async fn scope(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Vec<i64>, Fault> {
    if let Some(h) = p.opt_nonblank("companyHandle") {
        return Ok(vec![ctx.company(&h).await?.id]);
    }
    if ctx.caller.is_admin() {
        let all = ctx.st.catalog.companies().await.map_err(internal)?;
        return Ok(all.into_iter().map(|c| c.id).collect());
    }
    Ok(ctx.caller.user.companies.clone())
}

fn job_id(p: &Params<'_>) -> Result<Option<i64>, Fault> {
    match p.opt_nonblank("jobHandle") {
        None => Ok(None),
        Some(h) => parse_job_handle(&h)
            .map(Some)
            .ok_or_else(|| Fault::invalid(format!("Invalid job handle '{h}'"))),
    }
}

fn upload_post_job(j: &Job) -> Node {
    let opts = crate::upload::options::UploadOptions::from_stored(&j.options);
    Node::new("uploadPostJob")
        .text_child("overwrite", opts.overwrite.to_string())
        .text_child("readyForPublish", opts.ready_for_publish.to_string())
        .text_child(
            "preservePublishState",
            opts.preserve_publish_state.to_string(),
        )
        .text_child("createMask", opts.create_mask.to_string())
        .text_child("emailSetting", &opts.email_setting)
}

fn active_job(ctx: &Ctx<'_>, j: &Job) -> Node {
    let done = j.success_count + j.error_count + j.warning_count + j.duplicate_count;
    Node::new("ActiveJob")
        .text_child("companyHandle", ctx.ns.company_handle(j.company_id))
        .text_child("jobHandle", ctx.ns.job_handle(j.company_id, &j.name, j.id))
        .text_child("name", &j.name)
        .text_child("originalName", &j.original_name)
        .text_child("type", "UploadPost")
        .text_child("state", "Running")
        .text_child("submitUserEmail", &j.user_email)
        .opt("locale", Some(&j.locale).filter(|s| !s.is_empty()))
        .opt(
            "description",
            Some(&j.description).filter(|s| !s.is_empty()),
        )
        .text_child("startDate", format_datetime(&j.start_date))
        .text_child("progress", done.to_string())
        .text_child(
            "progressMessage",
            format!("{done} of {} files processed", j.total_count),
        )
        .text_child("lastProgressUpdate", format_datetime(&j.last_activity))
        .child(upload_post_job(j))
}

pub async fn get_active_jobs(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let f = JobFilter {
        companies: scope(ctx, p).await?,
        job_id: job_id(p)?,
        original_name: p.opt_nonblank("originalName"),
        active_only: true,
        ..JobFilter::default()
    };
    let jobs = ctx.st.catalog.jobs(&f).await.map_err(internal)?;
    let items = jobs.iter().map(|j| active_job(ctx, j));
    Ok(Node::new("getActiveJobsReturn").child(Node::array("jobArray", items)))
}

pub async fn get_job_logs(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let mut f = JobFilter {
        companies: scope(ctx, p).await?,
        start_after: p.opt_datetime("startDate")?,
        start_before: p.opt_datetime("endDate")?,
        limit: p.opt_int("numRows")?.unwrap_or(0).max(0),
        ..JobFilter::default()
    };
    if let Some(h) = p.opt_nonblank("userHandle") {
        f.user_email = Some(h.rsplit('|').next().unwrap_or(&h).to_string());
    }
    let jobs = ctx.st.catalog.jobs(&f).await.map_err(internal)?;
    let items = jobs.iter().map(|j| types::job_log(ctx.ns, j, None));
    Ok(Node::new("getJobLogsReturn").child(Node::array("jobLogArray", items)))
}

pub async fn get_job_log_details(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let f = JobFilter {
        companies: vec![c.id],
        job_id: job_id(p)?,
        original_name: p.opt_nonblank("originalName"),
        ..JobFilter::default()
    };
    let per = p.opt_int("recordsPerPage")?.unwrap_or(1000);
    let page = p.opt_int("resultsPage")?.unwrap_or(1);
    if !(1..=1000).contains(&per) || page < 1 {
        return Err(Fault::invalid(
            "recordsPerPage must be 1-1000 and resultsPage at least 1",
        ));
    }
    let q = JobDetailQuery {
        log_types: p.string_array("logTypeArray").unwrap_or_default(),
        by_log_type: p.opt_nonblank("sortBy").as_deref() == Some("LogType"),
        descending: p.opt_nonblank("sortDirection").as_deref() == Some("Descending"),
        limit: per,
        offset: (page - 1) * per,
    };
    let jobs = ctx.st.catalog.jobs(&f).await.map_err(internal)?;
    let mut items = Vec::new();
    for j in &jobs {
        let (total, rows) = ctx
            .st
            .catalog
            .job_details(j.id, &q)
            .await
            .map_err(internal)?;
        items.push(types::job_log(ctx.ns, j, Some((total, &rows))));
    }
    Ok(Node::new("getJobLogDetailsReturn").child(Node::array("jobLogArray", items)))
}

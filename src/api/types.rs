//! Catalog records to SOAP reply elements (spec/ips-operations.md §8), in schema order, with
//! handles spelled for the request's namespace.

use crate::catalog::{Asset, Company, Folder, Job, JobLogDetail};
use crate::soap::ns::ApiNs;
use crate::soap::params::format_datetime;
use crate::soap::writer::Node;

pub fn company(ns: &ApiNs, c: &Company) -> Node {
    Node::new("Company")
        .text_child("companyHandle", ns.company_handle(c.id))
        .text_child("name", &c.name)
        .text_child("rootPath", &c.root_path)
        .text_child("expires", format_datetime(&c.expires))
}

pub fn folder(ns: &ApiNs, f: &Folder) -> Node {
    Node::new("Folder")
        .text_child("folderHandle", ns.folder_handle(&f.path))
        .text_child("path", &f.path)
        .text_child("lastModified", format_datetime(&f.last_modified))
        .text_child("hasSubfolders", f.has_subfolders.to_string())
}

/// The IS company id used in `/is/image/{company}/…` URLs: the root folder name.
pub fn is_company(root_path: &str) -> &str {
    root_path.trim_end_matches('/')
}

pub fn asset(ns: &ApiNs, a: &Asset, root_path: &str) -> Node {
    let mut n = Node::new("Asset")
        .text_child("assetHandle", ns.asset_handle(a.id))
        .text_child("type", &a.asset_type)
        .text_child("name", &a.name)
        .text_child("folder", &a.folder_path)
        .text_child("folderHandle", ns.folder_handle(&a.folder_path))
        .text_child("fileName", &a.file_name)
        .text_child("created", format_datetime(&a.created))
        .text_child("createUser", &a.create_user)
        .text_child("lastModified", format_datetime(&a.last_modified))
        .text_child("lastModifyUser", &a.last_modify_user)
        .text_child("readyForPublish", a.ready_for_publish.to_string())
        .text_child("trashState", a.trash_state.as_str());
    if a.asset_type == "Image" {
        let url = format!("/is/image/{}/{}", is_company(root_path), a.name);
        n.push(Node::leaf("ipsImageUrl", url));
        n.push(image_info(a));
    }
    n
}

fn image_info(a: &Asset) -> Node {
    Node::new("imageInfo")
        .text_child("originalPath", format!("{}{}", a.folder_path, a.file_name))
        .text_child("originalFile", &a.file_name)
        .text_child("width", a.image.width.to_string())
        .text_child("height", a.image.height.to_string())
        .text_child("fileSize", a.image.file_size.to_string())
        .opt(
            "urlModifier",
            Some(&a.url_modifier).filter(|s| !s.is_empty()),
        )
        .opt(
            "urlPostApplyModifier",
            Some(&a.url_post_modifier).filter(|s| !s.is_empty()),
        )
}

/// Summary log of a job (getJobLogs); `details` adds detailTotalRows and detailArray.
pub fn job_log(ns: &ApiNs, j: &Job, details: Option<(i64, &[JobLogDetail])>) -> Node {
    let mut n = Node::new("JobLog")
        .text_child("companyHandle", ns.company_handle(j.company_id))
        .text_child("jobHandle", ns.job_handle(j.company_id, &j.name, j.id))
        .text_child("jobName", &j.name)
        .text_child("originalJobName", &j.original_name)
        .text_child("submitUserEmail", &j.user_email)
        .text_child(
            "logType",
            if j.state == "Done" {
                "EndUpload"
            } else {
                "BeginUpload"
            },
        )
        .text_child("startDate", format_datetime(&j.start_date))
        .opt("endDate", j.end_date.as_ref().map(format_datetime))
        .opt(
            "description",
            Some(&j.description).filter(|d| !d.is_empty()),
        )
        .text_child("fileSuccessCount", j.success_count.to_string())
        .text_child("fileErrorCount", j.error_count.to_string())
        .text_child("fileWarningCount", j.warning_count.to_string())
        .text_child("fileDuplicateCount", j.duplicate_count.to_string())
        .text_child("fileUpdateCount", j.update_count.to_string())
        .text_child("totalFileCount", j.total_count.to_string())
        .text_child("fatalError", "false");
    if let Some((total, rows)) = details {
        n.push(Node::leaf("detailTotalRows", total.to_string()));
        n.push(Node::array(
            "detailArray",
            rows.iter().map(|d| detail(ns, d)),
        ));
    }
    n
}

fn detail(ns: &ApiNs, d: &JobLogDetail) -> Node {
    Node::new("JobLogDetail")
        .text_child("logMessage", &d.message)
        .text_child("logType", &d.log_type)
        .opt("assetName", Some(&d.asset_name).filter(|s| !s.is_empty()))
        .opt("assetType", d.asset_id.map(|_| "MasterImage"))
        .opt("assetHandle", d.asset_id.map(|id| ns.asset_handle(id)))
}

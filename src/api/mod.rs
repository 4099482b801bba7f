//! IPS operations: authenticate, authorize by role, then one exhaustive match from operation
//! name to handler. Handlers validate their parameters, talk to `catalog`/`storage`, and return
//! the `…Return` element as a `Node`; every failure is a `Fault`.

mod assets;
mod batch;
mod common;
pub mod common_paths {
    //! Path and name rules shared with the upload servlet.
    pub use super::common::{check_name, folder_path};
}
mod company;
mod copy;
mod folders;
mod jobs;
mod search;
pub mod types;

pub use common::{internal as internal_fault, Ctx};

use crate::soap::envelope::SoapRequest;
use crate::soap::params::Params;
use crate::soap::writer::Node;
use crate::soap::{schema, Fault};
use crate::state::AppState;

/// Every operation we implement; `schema::OPS` and the role matrix list the same names
/// (a unit test keeps the three in step).
pub const OPERATIONS: &[&str] = &[
    "checkLogin",
    "getCompanyInfo",
    "getAllCompanies",
    "addCompany",
    "getCompanySettings",
    "setCompanySettings",
    "addUser",
    "createFolder",
    "getFolders",
    "getFolderTree",
    "deleteFolder",
    "renameFolder",
    "moveFolder",
    "getAssets",
    "getAssetsByName",
    "searchAssets",
    "getAssetCounts",
    "checkAssetNames",
    "deleteAsset",
    "deleteAssets",
    "renameAsset",
    "moveAsset",
    "moveAssets",
    "setUrlModifier",
    "emptyAssetsFromTrash",
    "restoreAssetsFromTrash",
    "copyImage",
    "getProperty",
    "getActiveJobs",
    "getJobLogs",
    "getJobLogDetails",
];

/// Runs one parsed SOAP request. `basic` holds HTTP Basic credentials, used only when the
/// envelope carries none (spec/ips-soap.md §4.3 order).
pub async fn handle(
    st: &AppState,
    req: &SoapRequest,
    basic: Option<(String, String)>,
) -> Result<Node, Fault> {
    let op = req.operation.as_str();
    if !OPERATIONS.contains(&op) {
        return Err(Fault::bad_xml(format!("Unknown operation '{op}'")));
    }
    let (user, pw) = match &req.auth {
        Some(a) => (a.user.clone(), a.password.clone()),
        None => basic
            .map(|(u, p)| (Some(u), Some(p)))
            .unwrap_or((None, None)),
    };
    let caller = st.auth.authenticate(user.as_deref(), pw.as_deref()).await?;
    caller.authorize(op)?;
    if let Some(a) = &req.auth {
        tracing::debug!(
            op,
            user = caller.email(),
            app = a.app_name.as_deref().unwrap_or(""),
            "call"
        );
    }
    let ctx = Ctx {
        st,
        caller,
        ns: &req.ns,
    };
    let p = Params::new(&req.body, &req.ns.uri);
    let reply = run(&ctx, op, &p).await?;
    debug_assert!(
        schema::conforms(op, &reply).is_ok(),
        "{:?}",
        schema::conforms(op, &reply)
    );
    Ok(reply)
}

async fn run(ctx: &Ctx<'_>, op: &str, p: &Params<'_>) -> Result<Node, Fault> {
    match op {
        "checkLogin" => company::check_login(ctx, p).await,
        "getCompanyInfo" => company::get_company_info(ctx, p).await,
        "getAllCompanies" => company::get_all_companies(ctx, p).await,
        "addCompany" => company::add_company(ctx, p).await,
        "getCompanySettings" => company::get_settings(ctx, p).await,
        "setCompanySettings" => company::set_settings(ctx, p).await,
        "addUser" => company::add_user(ctx, p).await,
        "getProperty" => company::get_property(ctx, p).await,
        "createFolder" => folders::create(ctx, p).await,
        "getFolders" => folders::list(ctx, p).await,
        "getFolderTree" => folders::tree(ctx, p).await,
        "deleteFolder" => folders::delete(ctx, p).await,
        "renameFolder" => folders::rename(ctx, p).await,
        "moveFolder" => folders::move_folder(ctx, p).await,
        "getAssets" => search::get_assets(ctx, p).await,
        "getAssetsByName" => search::get_assets_by_name(ctx, p).await,
        "searchAssets" => search::search_assets(ctx, p).await,
        "getAssetCounts" => search::get_asset_counts(ctx, p).await,
        "checkAssetNames" => search::check_asset_names(ctx, p).await,
        "deleteAsset" => assets::delete_asset(ctx, p).await,
        "renameAsset" => assets::rename_asset(ctx, p).await,
        "moveAsset" => assets::move_asset(ctx, p).await,
        "setUrlModifier" => assets::set_url_modifier(ctx, p).await,
        "deleteAssets" => batch::delete_assets(ctx, p).await,
        "moveAssets" => batch::move_assets(ctx, p).await,
        "emptyAssetsFromTrash" => batch::empty_trash(ctx, p).await,
        "restoreAssetsFromTrash" => batch::restore_from_trash(ctx, p).await,
        "copyImage" => copy::copy_image(ctx, p).await,
        "getActiveJobs" => jobs::get_active_jobs(ctx, p).await,
        "getJobLogs" => jobs::get_job_logs(ctx, p).await,
        "getJobLogDetails" => jobs::get_job_log_details(ctx, p).await,
        other => Err(Fault::bad_xml(format!("Unknown operation '{other}'"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatcher_schema_and_role_matrix_agree() {
        let schema_ops: Vec<&str> = schema::OPS.iter().map(|o| o.name).collect();
        let mut a = OPERATIONS.to_vec();
        let mut b = schema_ops.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        for op in OPERATIONS {
            assert!(
                crate::auth::roles::operations().any(|r| r == *op),
                "{op} not in role matrix"
            );
        }
    }
}

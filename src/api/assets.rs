//! Single-asset write operations: deleteAsset, renameAsset, moveAsset, setUrlModifier
//! (spec/ips-operations.md §5). The batch forms in `batch` reuse the per-asset steps here.

use super::common::{check_name, internal, name_conflict, Ctx};
use crate::catalog::{Asset, Company, TrashState};
use crate::soap::fault::Fault;
use crate::soap::params::Params;
use crate::soap::writer::Node;

/// Outcome of one asset in a batch: done, done with a warning, or failed.
pub enum Outcome {
    Done,
    Warning(Fault),
}

/// Moves one live asset to the trash; an asset already in the trash is a warning.
pub async fn trash_one(ctx: &Ctx<'_>, c: &Company, handle: &str) -> Result<Outcome, Fault> {
    let a = ctx.asset(c, handle).await?;
    if a.trash_state != TrashState::NotInTrash {
        return Ok(Outcome::Warning(Fault::invalid(format!(
            "Asset '{handle}' is already in the trash"
        ))));
    }
    ctx.st
        .catalog
        .trash_asset(c.id, a.id, ctx.caller.email())
        .await
        .map_err(internal)?;
    Ok(Outcome::Done)
}

/// Moves one live asset into a folder of the same company.
pub async fn move_one(
    ctx: &Ctx<'_>,
    c: &Company,
    handle: &str,
    folder: &str,
) -> Result<Outcome, Fault> {
    let a = live(ctx, c, handle).await?;
    let f = ctx.folder(c, folder).await?;
    if a.folder_id == Some(f.id) {
        return Ok(Outcome::Warning(Fault::invalid(format!(
            "Asset '{handle}' is already in '{}'",
            f.path
        ))));
    }
    ctx.st
        .catalog
        .move_asset(c.id, a.id, f.id, ctx.caller.email())
        .await
        .map_err(internal)?;
    Ok(Outcome::Done)
}

/// An asset that is not in the trash; 30001 otherwise.
async fn live(ctx: &Ctx<'_>, c: &Company, handle: &str) -> Result<Asset, Fault> {
    let a = ctx.asset(c, handle).await?;
    if a.trash_state != TrashState::NotInTrash {
        return Err(Fault::invalid(format!("Asset '{handle}' is in the trash")));
    }
    Ok(a)
}

pub async fn delete_asset(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let h = p.req("assetHandle")?;
    match trash_one(ctx, &c, &h).await? {
        Outcome::Done => Ok(Node::new("deleteAssetReturn")),
        Outcome::Warning(f) => Err(f),
    }
}

pub async fn rename_asset(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let h = p.req("assetHandle")?;
    let new_name = p.req("newName")?;
    p.opt_bool("validateName")?;
    p.opt_bool("renameFiles")?;
    check_name("asset", &new_name)?;
    let a = live(ctx, &c, &h).await?;
    if a.name == new_name {
        return Ok(Node::new("renameAssetReturn"));
    }
    ctx.st
        .catalog
        .rename_asset(c.id, a.id, &new_name, ctx.caller.email())
        .await
        .map_err(name_conflict(&new_name))?;
    Ok(Node::new("renameAssetReturn"))
}

pub async fn move_asset(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let h = p.req("assetHandle")?;
    let f = p.req("folderHandle")?;
    move_one(ctx, &c, &h, &f).await?;
    Ok(Node::new("moveAssetReturn"))
}

const MODIFIABLE: &[&str] = &[
    "Image",
    "AdjustedView",
    "LayerView",
    "Template",
    "Watermark",
];

pub async fn set_url_modifier(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let h = p.req("assetHandle")?;
    let a = live(ctx, &c, &h).await?;
    if !MODIFIABLE.contains(&a.asset_type.as_str()) {
        return Err(Fault::invalid(format!(
            "Asset type '{}' has no URL modifier",
            a.asset_type
        )));
    }
    let m = p.opt("urlModifier").unwrap_or_default();
    let pm = p.opt("urlPostApplyModifier").unwrap_or_default();
    for (field, v) in [("urlModifier", &m), ("urlPostApplyModifier", &pm)] {
        if v.len() > 8192 || v.chars().any(|c| c.is_control()) {
            return Err(Fault::invalid(format!(
                "{field} must be at most 8192 characters without control characters"
            )));
        }
    }
    ctx.st
        .catalog
        .set_url_modifier(c.id, a.id, &m, &pm, ctx.caller.email())
        .await
        .map_err(internal)?;
    Ok(Node::new("setUrlModifierReturn"))
}

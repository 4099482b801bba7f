//! copyImage (spec/ips-operations.md §1): runs the checks of §1.6 in order, then makes an
//! independent copy. With an empty `urlModifier` the copy shares the source's content-addressed
//! blob (byte-identical, no decode, no extra disk) and gets its own asset record and handle.
//! Rendering a non-empty `urlModifier` belongs to the engine; until it exists such requests get
//! a clear 30001 instead of being silently copied.

use super::common::{check_name, internal, name_conflict, Ctx};
use crate::catalog::{NewAsset, TrashState};
use crate::soap::fault::Fault;
use crate::soap::params::Params;
use crate::soap::writer::Node;

/// Required inputs, checked for presence before anything is resolved (step 3).
struct Inputs {
    company: String,
    asset: String,
    folder: String,
    name: String,
    modifier: String,
}

fn inputs(p: &Params<'_>) -> Result<Inputs, Fault> {
    Ok(Inputs {
        company: p.req_any(&["companyHandle", "companyName"])?,
        asset: p.req("assetHandle")?,
        folder: p.req("folderHandle")?,
        name: p
            .opt("name")
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| Fault::missing("name"))?,
        modifier: p.opt("urlModifier").unwrap_or_default(),
    })
}

pub async fn copy_image(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let i = inputs(p)?;
    let c = ctx.company(&i.company).await?; // steps 4-5
    let src = ctx.asset(&c, &i.asset).await?; // step 7
    if src.trash_state != TrashState::NotInTrash {
        return Err(Fault::invalid(format!("Asset '{}' not found", i.asset)));
    }
    if src.asset_type != "Image" {
        return Err(Fault::invalid(format!(
            "Asset '{}' is of type '{}'; copyImage needs an Image",
            i.asset, src.asset_type
        ))); // step 8
    }
    let folder = ctx.folder(&c, &i.folder).await?; // step 9
    check_name("asset", &i.name)?; // step 11
    let used = ctx
        .st
        .catalog
        .names_in_use(c.id, std::slice::from_ref(&i.name))
        .await
        .map_err(internal)?;
    if !used.is_empty() {
        return Err(Fault::invalid(format!(
            "Asset name '{}' is already in use",
            i.name
        ))); // step 12
    }
    if !i.modifier.trim().is_empty() {
        return Err(Fault::invalid(
            "Rendering urlModifier commands is not available in this build: copyImage supports only plain copies (empty urlModifier)",
        )); // step 13
    }
    let ext = src.file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let new = NewAsset {
        company_id: c.id,
        asset_type: "Image".into(),
        name: i.name.clone(),
        folder_id: folder.id,
        file_name: if ext.is_empty() {
            i.name.clone()
        } else {
            format!("{}.{ext}", i.name)
        },
        blob: src.blob.clone(),
        image: src.image.clone(),
        user: ctx.caller.email().to_string(),
        ready_for_publish: src.ready_for_publish,
    };
    let _gate = ctx.st.blobs.write_guard().await;
    let a = ctx
        .st
        .catalog
        .insert_asset(&new)
        .await
        .map_err(name_conflict(&i.name))?;
    Ok(Node::new("copyImageReturn").text_child("assetHandle", ctx.ns.asset_handle(a.id)))
}

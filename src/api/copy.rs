//! copyImage (spec/ips-operations.md §1): runs the checks of §1.6 in order, then makes an
//! independent copy. With an empty `urlModifier` the copy shares the source's content-addressed
//! blob (byte-identical, no decode, no extra disk) and gets its own asset record and handle.
//! Otherwise the source's master is rendered with the commands (`render`), bounded by the render
//! pixel limit rather than `MaxPix`, and stored as a new master: `fmt=` when given, else PNG.
//! A render is admitted by pixel cost first (`render::admission`): past the budget the call
//! gets the busy fault (30004) at once, before anything is read or stored.

use super::common::{check_name, internal, name_conflict, Ctx};
use crate::catalog::{Asset, NewAsset, TrashState};
use crate::modifier::{self, Commands, Limits};
use crate::render::{catalog_size, render_blob, RenderError, Rendered, StoredSource};
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
    let commands = parse_modifier(&i.modifier)?; // step 13
    let ext = src.file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let mut new = NewAsset {
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
    if let Some(cmds) = commands {
        let r = render_copy(ctx, &src, &cmds).await?; // step 14
        new.file_name = format!("{}.{}", i.name, r.format.extension());
        new.image = r.meta;
        let gate = ctx.st.blobs.write_guard().await;
        new.blob = ctx.st.blobs.put(r.bytes.into()).await.map_err(|e| {
            tracing::error!(error = %e, "blob write failed");
            Fault::internal()
        })?;
        let inserted = ctx.st.catalog.insert_asset(&new).await;
        drop(gate);
        if inserted.is_err() {
            // The name was taken meanwhile (or the insert failed): the rendered bytes go too.
            ctx.st
                .blobs
                .discard(ctx.st.catalog.as_ref(), &new.blob)
                .await;
        }
        let a = inserted.map_err(name_conflict(&i.name))?;
        return Ok(reply(ctx, a.id));
    }
    let _gate = ctx.st.blobs.write_guard().await;
    let a = ctx
        .st
        .catalog
        .insert_asset(&new)
        .await
        .map_err(name_conflict(&i.name))?;
    Ok(reply(ctx, a.id))
}

fn reply(ctx: &Ctx<'_>, id: i64) -> Node {
    Node::new("copyImageReturn").text_child("assetHandle", ctx.ns.asset_handle(id))
}

/// None for an empty modifier (a plain copy); 30001 naming every bad command otherwise.
fn parse_modifier(m: &str) -> Result<Option<Commands>, Fault> {
    if m.trim().is_empty() {
        return Ok(None);
    }
    let c = modifier::parse(m).map_err(|e| Fault::invalid(format!("Invalid urlModifier: {e}")))?;
    if !c.ignored.is_empty() {
        tracing::info!(ignored = ?c.ignored, "copyImage ignored unknown commands");
    }
    Ok(Some(c))
}

async fn render_copy(ctx: &Ctx<'_>, src: &Asset, cmds: &Commands) -> Result<Rendered, Fault> {
    let cfg = &ctx.st.cfg;
    let limits = Limits::copy_image(cfg.max_render_pixels).with_print_res(cfg.print_res);
    let ticket = ctx
        .st
        .admission
        .admit(crate::render::admission::asset_cost(src, cmds, &limits))
        .map_err(|_| {
            tracing::warn!(
                admitted = ctx.st.admission.admitted(),
                "copyImage refused: busy"
            );
            Fault::busy()
        })?;
    let st = ctx.st;
    let load = || async {
        st.blobs.get(&src.blob).await.map_err(|e| {
            tracing::error!(error = %e, "source blob unreadable");
            RenderError::Unreadable(e.to_string())
        })
    };
    let source = StoredSource {
        blob: &src.blob,
        size: catalog_size(&src.image),
        load,
    };
    render_blob(
        st.engine.as_ref(),
        &st.decodes,
        &ticket,
        source,
        cmds,
        &limits,
    )
    .await
    .map_err(|e| match e {
        RenderError::Commands(m) => Fault::invalid(format!("Invalid urlModifier: {m}")),
        RenderError::Source(m) => Fault::invalid(format!("Source image cannot be rendered: {m}")),
        RenderError::Unreadable(_) => Fault::api(
            crate::soap::fault::EXCEPTION,
            "The source image's stored file cannot be read",
        ),
        RenderError::Internal(m) => {
            tracing::error!(detail = %m, "copyImage render failed");
            Fault::api(crate::soap::fault::EXCEPTION, "Rendering the image failed")
        }
    })
}

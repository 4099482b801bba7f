//! Batch asset operations with per-asset results (spec/ips-soap.md §6.4): deleteAssets,
//! moveAssets, emptyAssetsFromTrash, restoreAssetsFromTrash. Only whole-request problems are
//! SOAP faults; each asset's problem is an AssetOperationFault in the reply.

use super::assets::{move_one, trash_one, Outcome};
use super::common::{internal, Ctx};
use crate::catalog::{Company, TrashState};
use crate::soap::fault::Fault;
use crate::soap::params::Params;
use crate::soap::writer::Node;

#[derive(Default)]
struct Tally {
    success: usize,
    warnings: Vec<Node>,
    errors: Vec<Node>,
}

fn op_fault(handle: &str, f: &Fault) -> Node {
    Node::new("AssetOperationFault")
        .text_child("assetHandle", handle)
        .text_child("code", f.code.to_string())
        .text_child("reason", &f.reason)
}

impl Tally {
    fn record(&mut self, handle: &str, r: Result<Outcome, Fault>) {
        match r {
            Ok(Outcome::Done) => self.success += 1,
            Ok(Outcome::Warning(f)) => {
                self.success += 1;
                self.warnings.push(op_fault(handle, &f));
            }
            Err(f) => self.errors.push(op_fault(handle, &f)),
        }
    }

    fn reply(self, name: &str) -> Node {
        let mut n = Node::new(name)
            .text_child("successCount", self.success.to_string())
            .text_child("warningCount", self.warnings.len().to_string())
            .text_child("errorCount", self.errors.len().to_string());
        if !self.warnings.is_empty() {
            n.push(Node::array("warningDetailArray", self.warnings));
        }
        if !self.errors.is_empty() {
            n.push(Node::array("errorDetailArray", self.errors));
        }
        n
    }
}

async fn handles(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<(Company, Vec<String>), Fault> {
    let c = ctx.company_param(p).await?;
    let hs = p
        .string_array("assetHandleArray")
        .ok_or_else(|| Fault::missing("assetHandleArray"))?;
    Ok((c, hs))
}

pub async fn delete_assets(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let (c, hs) = handles(ctx, p).await?;
    let mut t = Tally::default();
    for h in &hs {
        t.record(h, trash_one(ctx, &c, h).await);
    }
    Ok(t.reply("deleteAssetsReturn"))
}

pub async fn move_assets(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let moves = p
        .item_params("assetMoveArray")
        .ok_or_else(|| Fault::missing("assetMoveArray"))?;
    let mut t = Tally::default();
    for m in &moves {
        let h = m.opt_nonblank("assetHandle").unwrap_or_default();
        let r = match (m.req("assetHandle"), m.req("folderHandle")) {
            (Ok(a), Ok(f)) => move_one(ctx, &c, &a, &f).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        t.record(&h, r);
    }
    Ok(t.reply("moveAssetsReturn"))
}

async fn empty_one(ctx: &Ctx<'_>, c: &Company, h: &str) -> Result<Outcome, Fault> {
    let a = ctx.asset(c, h).await?;
    if a.trash_state != TrashState::InTrash {
        return Err(Fault::invalid(format!("Asset '{h}' is not in the trash")));
    }
    ctx.st
        .catalog
        .empty_asset(c.id, a.id, ctx.caller.email())
        .await
        .map_err(internal)?;
    Ok(Outcome::Done)
}

pub async fn empty_trash(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let (c, hs) = handles(ctx, p).await?;
    let mut t = Tally::default();
    for h in &hs {
        t.record(h, empty_one(ctx, &c, h).await);
    }
    Ok(t.reply("emptyAssetsFromTrashReturn"))
}

/// Restores into the original folder, or into the root with a warning when it is gone.
async fn restore_one(ctx: &Ctx<'_>, c: &Company, h: &str) -> Result<Outcome, Fault> {
    let a = ctx.asset(c, h).await?;
    if a.trash_state != TrashState::InTrash {
        return Err(Fault::invalid(format!(
            "Asset '{h}' is not in the trash or was already emptied"
        )));
    }
    let cat = &ctx.st.catalog;
    let original = match a.folder_id {
        Some(id) => cat.folder(c.id, id).await.map_err(internal)?,
        None => cat
            .folder_by_path(c.id, &a.folder_path)
            .await
            .map_err(internal)?,
    };
    let (folder, outcome) = match original {
        Some(f) => (f, Outcome::Done),
        None => {
            let root = ctx.folder(c, &c.root_path).await?;
            let w = Fault::invalid(format!(
                "Folder '{}' no longer exists; restored to '{}'",
                a.folder_path, root.path
            ));
            (root, Outcome::Warning(w))
        }
    };
    cat.restore_asset(c.id, a.id, folder.id, ctx.caller.email())
        .await
        .map_err(internal)?;
    Ok(outcome)
}

pub async fn restore_from_trash(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let (c, hs) = handles(ctx, p).await?;
    let mut t = Tally::default();
    for h in &hs {
        t.record(h, restore_one(ctx, &c, h).await);
    }
    Ok(t.reply("restoreAssetsFromTrashReturn"))
}

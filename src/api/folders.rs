//! Folder operations: createFolder, getFolders, getFolderTree, deleteFolder, renameFolder,
//! moveFolder (spec/ips-operations.md §3). Folder handles are paths; renames and moves change
//! the handles of everything below.

use super::common::{check_name, folder_path, internal, Ctx};
use super::types;
use crate::catalog::{CatalogError, Folder};
use crate::soap::fault::Fault;
use crate::soap::params::Params;
use crate::soap::writer::Node;

fn conflict(what: &str) -> impl Fn(CatalogError) -> Fault + '_ {
    move |e| match e {
        CatalogError::Conflict(_) => Fault::invalid(format!("Name '{what}' is already in use")),
        CatalogError::NotFound(m) => Fault::invalid(m),
        other => internal(other),
    }
}

pub async fn create(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let raw = p.req("folderPath")?;
    let path = folder_path(&c, &raw)
        .ok_or_else(|| Fault::invalid(format!("Invalid folder path '{raw}'")))?;
    if path == c.root_path {
        return Err(Fault::invalid("The company root folder already exists"));
    }
    let trimmed = path.trim_end_matches('/');
    let (parent_path, leaf) = trimmed
        .rsplit_once('/')
        .expect("non-root path has a parent");
    check_name("folder", leaf)?;
    let parent = ctx
        .st
        .catalog
        .folder_by_path(c.id, &format!("{parent_path}/"))
        .await
        .map_err(internal)?
        .ok_or_else(|| Fault::invalid(format!("Parent folder '{parent_path}/' not found")))?;
    let f = ctx
        .st
        .catalog
        .create_folder(c.id, parent.id, leaf)
        .await
        .map_err(conflict(leaf))?;
    Ok(Node::new("createFolderReturn").text_child("folderHandle", ctx.ns.folder_handle(&f.path)))
}

/// The start folder (`folderPath`, default the root) and its subtree.
async fn subtree(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Vec<Folder>, Fault> {
    let c = ctx.company_param(p).await?;
    let start = match p.opt_nonblank("folderPath") {
        Some(h) => ctx.folder(&c, &h).await?,
        None => ctx.folder(&c, &c.root_path).await?,
    };
    ctx.st
        .catalog
        .folder_subtree(c.id, &start.path)
        .await
        .map_err(internal)
}

pub async fn list(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let all = subtree(ctx, p).await?;
    let items = all.iter().map(|f| types::folder(ctx.ns, f));
    Ok(Node::new("getFoldersReturn").child(Node::array("folderArray", items)))
}

pub async fn tree(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let depth = p.opt_int("depth")?.unwrap_or(-1);
    let all = subtree(ctx, p).await?;
    let top = nest(ctx, &all, 0, depth);
    Ok(Node::new("getFolderTreeReturn").child(Node::array("folders", top)))
}

/// Builds nested Folder nodes from a pre-ordered subtree. `depth < 0` means unlimited.
fn nest(ctx: &Ctx<'_>, all: &[Folder], index: usize, depth: i64) -> Option<Node> {
    let f = all.get(index)?;
    let mut n = types::folder(ctx.ns, f);
    if depth != 0 {
        let kids: Vec<Node> = all
            .iter()
            .enumerate()
            .filter(|(_, k)| k.parent_id == Some(f.id))
            .filter_map(|(i, _)| nest(ctx, all, i, depth - 1))
            .collect();
        if !kids.is_empty() {
            n.push(Node::array("subfolderArray", kids));
        }
    }
    Some(n)
}

pub async fn delete(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let f = ctx.folder(&c, &p.req("folderHandle")?).await?;
    if f.parent_id.is_none() {
        return Err(Fault::invalid("The company root folder cannot be deleted"));
    }
    ctx.st
        .catalog
        .delete_folder(c.id, f.id, ctx.caller.email())
        .await
        .map_err(internal)?;
    Ok(Node::new("deleteFolderReturn"))
}

pub async fn rename(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let f = ctx.folder(&c, &p.req("folderHandle")?).await?;
    let leaf = p.req("folderName")?;
    check_name("folder", &leaf)?;
    if f.parent_id.is_none() {
        return Err(Fault::invalid("The company root folder cannot be renamed"));
    }
    let r = ctx
        .st
        .catalog
        .rename_folder(c.id, f.id, &leaf)
        .await
        .map_err(conflict(&leaf))?;
    Ok(Node::new("renameFolderReturn").text_child("folderHandle", ctx.ns.folder_handle(&r.path)))
}

pub async fn move_folder(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let f = ctx.folder(&c, &p.req("folderHandle")?).await?;
    let dest = ctx.folder(&c, &p.req("destFolderHandle")?).await?;
    if f.parent_id.is_none() || dest.path.starts_with(&f.path) {
        return Err(Fault::invalid(format!(
            "Folder '{}' cannot be moved into '{}'",
            f.path, dest.path
        )));
    }
    let r = ctx
        .st
        .catalog
        .move_folder(c.id, f.id, dest.id)
        .await
        .map_err(conflict(&f.name))?;
    Ok(Node::new("moveFolderReturn").text_child("folderHandle", ctx.ns.folder_handle(&r.path)))
}

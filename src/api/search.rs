//! Asset read operations: getAssets, getAssetsByName, searchAssets, getAssetCounts,
//! checkAssetNames (spec/ips-operations.md §4). Every query is scoped to one company.

use super::common::{folder_path, internal, Ctx};
use super::types;
use crate::catalog::{Asset, AssetQuery, Company, SortField, TrashState};
use crate::soap::fault::Fault;
use crate::soap::ns::parse_asset_handle;
use crate::soap::params::Params;
use crate::soap::writer::Node;

fn asset_array(ctx: &Ctx<'_>, c: &Company, assets: &[Asset]) -> Node {
    Node::array(
        "assetArray",
        assets.iter().map(|a| types::asset(ctx.ns, a, &c.root_path)),
    )
}

pub async fn get_assets(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let handles = p
        .string_array("assetHandleArray")
        .ok_or_else(|| Fault::missing("assetHandleArray"))?;
    let mut found = Vec::new();
    for h in &handles {
        if let Some(id) = parse_asset_handle(h) {
            if let Some(a) = ctx.st.catalog.asset(c.id, id).await.map_err(internal)? {
                found.push(a);
            }
        }
    }
    Ok(Node::new("getAssetsReturn").child(asset_array(ctx, &c, &found)))
}

fn type_filter(p: &Params<'_>, a: &Asset) -> bool {
    let inc = p.string_array("assetTypeArray").unwrap_or_default();
    let exc = p.string_array("excludeAssetTypeArray").unwrap_or_default();
    (inc.is_empty() || inc.contains(&a.asset_type)) && !exc.contains(&a.asset_type)
}

pub async fn get_assets_by_name(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let names = p
        .string_array("nameArray")
        .ok_or_else(|| Fault::missing("nameArray"))?;
    let all = ctx
        .st
        .catalog
        .assets_by_name(c.id, &names)
        .await
        .map_err(internal)?;
    let kept: Vec<Asset> = all.into_iter().filter(|a| type_filter(p, a)).collect();
    Ok(Node::new("getAssetsByNameReturn").child(asset_array(ctx, &c, &kept)))
}

fn one_of<T: Copy>(
    field: &str,
    v: Option<String>,
    table: &[(&str, T)],
) -> Result<Option<T>, Fault> {
    let Some(v) = v else { return Ok(None) };
    table
        .iter()
        .find(|(k, _)| *k == v)
        .map(|(_, t)| Some(*t))
        .ok_or_else(|| {
            let allowed: Vec<&str> = table.iter().map(|(k, _)| *k).collect();
            Fault::invalid(format!(
                "Invalid {field} '{v}'; expected one of {}",
                allowed.join(", ")
            ))
        })
}

const MAX_PAGE: i64 = 1000;

/// Builds the catalog query from searchAssetsParam.
async fn query(ctx: &Ctx<'_>, c: &Company, p: &Params<'_>) -> Result<AssetQuery, Fault> {
    let mut q = AssetQuery::default();
    let folder = match p.opt_nonblank("folder") {
        Some(h) => ctx.folder(c, &h).await?.path,
        None => folder_path(c, &c.root_path).expect("root path"),
    };
    q.folder = Some(folder);
    q.include_subfolders = p.opt_bool("includeSubfolders")?.unwrap_or(false);
    let trash = [
        ("NotInTrash", Some(TrashState::NotInTrash)),
        ("InTrash", Some(TrashState::InTrash)),
        ("InEmptiedTrash", Some(TrashState::InEmptiedTrash)),
        ("Any", None),
    ];
    q.trash_state = one_of("trashState", p.opt_nonblank("trashState"), &trash)?
        .unwrap_or(Some(TrashState::NotInTrash));
    let publish = [("MarkedForPublish", true), ("NotMarkedForPublish", false)];
    q.published = one_of("publishState", p.opt_nonblank("publishState"), &publish)?;
    let modes = [("MatchAll", false), ("MatchAny", true)];
    let cond_any = one_of(
        "conditionMatchMode",
        p.opt_nonblank("conditionMatchMode"),
        &modes,
    )?
    .unwrap_or(false);
    let field_any = one_of(
        "systemFieldMatchMode",
        p.opt_nonblank("systemFieldMatchMode"),
        &modes,
    )?
    .unwrap_or(false);
    q.match_any = cond_any || field_any;
    q.name_contains = p.string_array("keywordArray").unwrap_or_default();
    q.name_contains.retain(|k| !k.is_empty());
    for cond in p
        .item_params("systemFieldConditionArray")
        .unwrap_or_default()
    {
        name_condition(&mut q, &cond)?;
    }
    q.types = p.string_array("assetTypeArray").unwrap_or_default();
    q.exclude_types = p.string_array("excludeAssetTypeArray").unwrap_or_default();
    let sorts = [
        ("Created", SortField::Created),
        ("Modified", SortField::Modified),
        ("Name", SortField::Name),
        ("AssetType", SortField::AssetType),
        ("FileSize", SortField::FileSize),
    ];
    q.sort = one_of("sortBy", p.opt_nonblank("sortBy"), &sorts)?.unwrap_or_default();
    let dirs = [("Ascending", false), ("Descending", true)];
    q.descending =
        one_of("sortDirection", p.opt_nonblank("sortDirection"), &dirs)?.unwrap_or(false);
    paging(&mut q, p)?;
    Ok(q)
}

/// Supported system-field conditions: `Name` with `Equals` or `Contains`.
fn name_condition(q: &mut AssetQuery, cond: &Params<'_>) -> Result<(), Fault> {
    let field = cond.req("field")?;
    let op = cond.req("op")?;
    let value = cond.opt("value").unwrap_or_default();
    match (field.as_str(), op.as_str()) {
        ("Name", "Equals") => q.name_equals.push(value),
        ("Name", "Contains") => q.name_contains.push(value),
        _ => {
            return Err(Fault::invalid(format!(
                "Unsupported system field condition '{field} {op}'; supported: Name Equals, Name Contains"
            )))
        }
    }
    Ok(())
}

fn paging(q: &mut AssetQuery, p: &Params<'_>) -> Result<(), Fault> {
    let per = p.opt_int("recordsPerPage")?.unwrap_or(MAX_PAGE);
    let page = p.opt_int("resultsPage")?.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&per) {
        return Err(Fault::invalid(format!(
            "recordsPerPage must be between 1 and {MAX_PAGE}"
        )));
    }
    if page < 1 {
        return Err(Fault::invalid("resultsPage must be 1 or more"));
    }
    q.limit = per;
    q.offset = (page - 1) * per;
    Ok(())
}

pub async fn search_assets(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let q = query(ctx, &c, p).await?;
    let (total, page) = ctx
        .st
        .catalog
        .search_assets(c.id, &q)
        .await
        .map_err(internal)?;
    Ok(Node::new("searchAssetsReturn")
        .text_child("totalRows", total.to_string())
        .child(asset_array(ctx, &c, &page)))
}

pub async fn get_asset_counts(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let counts = ctx.st.catalog.asset_counts(c.id).await.map_err(internal)?;
    let items = counts.iter().map(|(t, n)| {
        Node::new("AssetCount")
            .text_child("assetType", t)
            .text_child("count", n.to_string())
    });
    Ok(Node::new("getAssetCountsReturn").child(Node::array("countArray", items)))
}

pub async fn check_asset_names(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = match p.opt_nonblank("companyHandle") {
        Some(h) => ctx.company(&h).await?,
        None => match ctx.caller.user.companies.as_slice() {
            [only] => ctx.company(&only.to_string()).await?,
            _ => return Err(Fault::missing("companyHandle")),
        },
    };
    let names = p
        .string_array_any(&["assetNameArray", "assetNamesArray"])
        .ok_or_else(|| Fault::missing("assetNameArray"))?;
    let used = ctx
        .st
        .catalog
        .names_in_use(c.id, &names)
        .await
        .map_err(internal)?;
    let in_order: Vec<&String> = names.iter().filter(|n| used.contains(n)).collect();
    Ok(Node::new("checkAssetNamesReturn").child(Node::string_array(
        "inUseNameArray",
        in_order.into_iter().cloned(),
    )))
}

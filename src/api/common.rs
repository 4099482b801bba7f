//! Resolution helpers shared by the operation handlers: company, folder and asset lookups with
//! the documented faults, name validation, and catalog-error mapping. Lookups are always scoped
//! to one company, so "not found" and "belongs to another company" are indistinguishable.

use crate::auth::Caller;
use crate::catalog::{Asset, CatalogError, Company, Folder};
use crate::soap::fault::{self, Fault};
use crate::soap::ns::{normalize_folder_path, parse_asset_handle, parse_company_handle, ApiNs};
use crate::soap::params::Params;
use crate::state::AppState;

/// What every handler gets: state, the authenticated caller, the request's namespace.
pub struct Ctx<'a> {
    pub st: &'a AppState,
    pub caller: Caller,
    pub ns: &'a ApiNs,
}

/// Logs an internal catalog failure and hides it behind a generic 30000.
pub fn internal(e: CatalogError) -> Fault {
    match e {
        CatalogError::Conflict(m) => Fault::invalid(m),
        CatalogError::NotFound(m) => Fault::invalid(m),
        CatalogError::Db(detail) => {
            tracing::error!(%detail, "catalog failure");
            Fault::internal()
        }
    }
}

impl Ctx<'_> {
    /// Resolves a company handle, falling back to an exact company name; 20000 when neither
    /// matches, 20006 when the caller is not a member (IpsAdmin sees all).
    pub async fn company(&self, value: &str) -> Result<Company, Fault> {
        let cat = &self.st.catalog;
        let by_handle = match parse_company_handle(value) {
            Some(id) => cat.company(id).await.map_err(internal)?,
            None => None,
        };
        let found = match by_handle {
            Some(c) => Some(c),
            None => cat.company_by_name(value.trim()).await.map_err(internal)?,
        };
        let c = found.ok_or_else(|| {
            Fault::authorization(
                fault::INVALID_COMPANY,
                format!("Company '{value}' does not exist"),
            )
        })?;
        if !self.caller.can_access(&c) {
            return Err(Fault::authorization(
                fault::ILLEGAL_COMPANY,
                format!("User is not a member of company '{value}'"),
            ));
        }
        Ok(c)
    }

    /// The required `companyHandle` parameter, resolved.
    pub async fn company_param(&self, p: &Params<'_>) -> Result<Company, Fault> {
        let h = p.req("companyHandle")?;
        self.company(&h).await
    }

    /// Resolves a folder handle or path inside the company; 30001 when absent.
    pub async fn folder(&self, c: &Company, handle: &str) -> Result<Folder, Fault> {
        let path = folder_path(c, handle)
            .ok_or_else(|| Fault::invalid(format!("Invalid folder handle '{handle}'")))?;
        self.st
            .catalog
            .folder_by_path(c.id, &path)
            .await
            .map_err(internal)?
            .ok_or_else(|| Fault::invalid(format!("Folder '{handle}' not found")))
    }

    /// Resolves an asset handle inside the company (any trash state); 30001 when absent.
    pub async fn asset(&self, c: &Company, handle: &str) -> Result<Asset, Fault> {
        let not_found = || Fault::invalid(format!("Asset '{handle}' not found"));
        let id = parse_asset_handle(handle).ok_or_else(not_found)?;
        self.st
            .catalog
            .asset(c.id, id)
            .await
            .map_err(internal)?
            .ok_or_else(not_found)
    }
}

/// Normalizes a folder handle or path to a full path in the company: paths that do not start
/// with the company root are taken relative to it.
pub fn folder_path(c: &Company, handle: &str) -> Option<String> {
    let p = normalize_folder_path(handle)?;
    if p.starts_with(&c.root_path) {
        Some(p)
    } else {
        Some(format!("{}{p}", c.root_path))
    }
}

/// Asset and folder names: non-empty, at most 512 bytes, no `/`, `|`, `\` or control chars.
pub fn check_name(kind: &str, name: &str) -> Result<(), Fault> {
    let bad = name.is_empty()
        || name.len() > 512
        || name.trim() != name
        || name
            .chars()
            .any(|ch| ch == '/' || ch == '|' || ch == '\\' || ch.is_control());
    if bad {
        return Err(Fault::invalid(format!(
            "Invalid {kind} name '{}': names must be non-empty, without surrounding spaces, '/', '|', '\\' or control characters",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// Maps a name conflict from the catalog to the documented 30001 reason.
pub fn name_conflict(name: &str) -> impl Fn(CatalogError) -> Fault + '_ {
    move |e| match e {
        CatalogError::Conflict(_) => {
            Fault::invalid(format!("Asset name '{name}' is already in use"))
        }
        other => internal(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("asset", "Copy_macbookwin1").is_ok());
        for bad in ["", "a/b", "a|b", "a\nb", " a", "a\\b"] {
            assert_eq!(check_name("asset", bad).unwrap_err().code, 30001, "{bad:?}");
        }
    }

    #[test]
    fn folder_paths_relative_to_root() {
        let c = Company {
            id: 1,
            name: "Api Test Co".into(),
            root_path: "ApiTestCo/".into(),
            expires: chrono::Utc::now(),
            overwrite_mode: "OverwriteFullName".into(),
            retain_publish_state: false,
        };
        assert_eq!(
            folder_path(&c, "/SpinSets").as_deref(),
            Some("ApiTestCo/SpinSets/")
        );
        assert_eq!(
            folder_path(&c, "f|ApiTestCo/uploads/").as_deref(),
            Some("ApiTestCo/uploads/")
        );
        assert_eq!(folder_path(&c, "ApiTestCo").as_deref(), Some("ApiTestCo/"));
        assert_eq!(folder_path(&c, "//"), None);
    }
}

//! The role matrix of spec/ips-operations.md §0, with the spec's [rec] fixes applied:
//! `IpsCompanyAdmin` may call whatever `IpsUser` may, read operations missing a role that a
//! sibling read allows get it, and `WebServiceUser` has the rights of `IpsUser`.

/// Role codes in matrix column order.
const COLUMNS: [&str; 9] = [
    "IpsUser",
    "IpsAdmin",
    "IpsCompanyAdmin",
    "TrialSiteAdmin",
    "TrialSiteUser",
    "ImagePortalAdmin",
    "ImagePortalUser",
    "ImagePortalContrib",
    "ImagePortalContribUser",
];

const ALL: &str = "111111111";
const WRITE: &str = "111001011";

/// (operation, one digit per column). `(1)` cells of the spec are already resolved to 1.
const MATRIX: &[(&str, &str)] = &[
    ("copyImage", WRITE),
    ("checkLogin", ALL),
    ("getCompanyInfo", ALL),
    ("getAllCompanies", "010000000"),
    ("addCompany", "010101000"),
    ("getCompanySettings", "011101000"),
    ("setCompanySettings", "011101000"),
    ("addUser", "011101000"),
    ("createFolder", WRITE),
    ("getFolders", ALL),
    ("getFolderTree", ALL),
    ("deleteFolder", WRITE),
    ("renameFolder", WRITE),
    ("moveFolder", WRITE),
    ("getAssets", ALL),
    ("getAssetsByName", ALL),
    ("searchAssets", ALL),
    ("getAssetCounts", ALL),
    ("checkAssetNames", ALL),
    ("deleteAsset", WRITE),
    ("deleteAssets", WRITE),
    ("renameAsset", WRITE),
    ("moveAsset", WRITE),
    ("moveAssets", WRITE),
    ("setUrlModifier", WRITE),
    ("emptyAssetsFromTrash", WRITE),
    ("restoreAssetsFromTrash", WRITE),
    ("getProperty", ALL),
    ("getActiveJobs", "111111011"),
    ("getJobLogs", ALL),
    ("getJobLogDetails", ALL),
    // The upload servlet is not in the matrix; it creates assets, so it follows copyImage.
    ("uploadPost", WRITE),
];

/// Whether `role` may call `operation`. Unknown operations and roles are never allowed.
pub fn allowed(role: &str, operation: &str) -> bool {
    let role = if role == "WebServiceUser" {
        "IpsUser"
    } else {
        role
    };
    let Some(col) = COLUMNS.iter().position(|r| *r == role) else {
        return false;
    };
    MATRIX
        .iter()
        .find(|(op, _)| *op == operation)
        .is_some_and(|(_, cells)| cells.as_bytes()[col] == b'1')
}

/// Operations in the matrix (for tests that compare against the dispatcher).
pub fn operations() -> impl Iterator<Item = &'static str> {
    MATRIX.iter().map(|(op, _)| *op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_rows_have_nine_cells() {
        for (op, cells) in MATRIX {
            assert_eq!(cells.len(), 9, "{op}");
        }
    }

    #[test]
    fn spec_examples() {
        assert!(allowed("IpsUser", "copyImage"));
        assert!(!allowed("TrialSiteUser", "copyImage"));
        assert!(!allowed("ImagePortalUser", "copyImage"));
        assert!(allowed("ImagePortalContribUser", "copyImage"));
        assert!(allowed("IpsAdmin", "getAllCompanies"));
        assert!(!allowed("IpsCompanyAdmin", "getAllCompanies"));
        assert!(!allowed("IpsUser", "addCompany"));
        assert!(allowed("WebServiceUser", "copyImage"));
        assert!(!allowed("Nobody", "checkLogin"));
        assert!(!allowed("IpsAdmin", "noSuchOp"));
        assert!(!allowed("ImagePortalUser", "getActiveJobs"));
    }
}

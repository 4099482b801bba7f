//! The message schema: every operation we implement, with its request and reply fields, and
//! every complex type those use, in emission order. One table drives the WSDL (`wsdl.rs`) and
//! the conformance check that tests run on every reply (`conforms`), so the published contract
//! and the replies cannot drift apart.

use super::writer::Node;

/// One element of a sequence: name, type (`xsd:*`, or a complex/array type name), required.
#[derive(Debug, Clone, Copy)]
pub struct F(pub &'static str, pub &'static str, pub bool);

/// A complex type.
#[derive(Debug)]
pub struct Complex {
    pub name: &'static str,
    pub fields: &'static [F],
}

/// An operation: `<{name}Param>` in, `<{name}Return>` out.
#[derive(Debug)]
pub struct Op {
    pub name: &'static str,
    pub input: &'static [F],
    pub output: &'static [F],
}

const S: &str = "xsd:string";
const I: &str = "xsd:int";
const B: &str = "xsd:boolean";
const D: &str = "xsd:dateTime";

/// Array wrappers: (array type, item type).
pub const ARRAYS: &[(&str, &str)] = &[
    ("StringArray", S),
    ("HandleArray", S),
    ("CompanyArray", "Company"),
    ("FolderArray", "Folder"),
    ("AssetArray", "Asset"),
    ("AssetCountArray", "AssetCount"),
    ("AssetMoveArray", "AssetMove"),
    ("AssetOperationFaultArray", "AssetOperationFault"),
    ("SystemFieldConditionArray", "SystemFieldCondition"),
    ("ActiveJobArray", "ActiveJob"),
    ("JobLogArray", "JobLog"),
    ("JobLogDetailArray", "JobLogDetail"),
];

pub const TYPES: &[Complex] = &[
    Complex {
        name: "Company",
        fields: &[
            F("companyHandle", S, true),
            F("name", S, true),
            F("rootPath", S, false),
            F("expires", D, false),
        ],
    },
    Complex {
        name: "CompanySettings",
        fields: &[
            F("overwriteMode", S, false),
            F("retainPublishState", B, false),
        ],
    },
    Complex {
        name: "Folder",
        fields: &[
            F("folderHandle", S, true),
            F("path", S, true),
            F("lastModified", D, false),
            F("childLastModified", D, false),
            F("hasSubfolders", B, false),
            F("subfolderArray", "FolderArray", false),
        ],
    },
    Complex {
        name: "ImageInfo",
        fields: &[
            F("originalPath", S, false),
            F("originalFile", S, false),
            F("width", I, false),
            F("height", I, false),
            F("fileSize", I, false),
            F("urlModifier", S, false),
            F("urlPostApplyModifier", S, false),
        ],
    },
    Complex {
        name: "Asset",
        fields: &[
            F("assetHandle", S, true),
            F("type", S, false),
            F("name", S, false),
            F("folder", S, false),
            F("folderHandle", S, false),
            F("fileName", S, false),
            F("created", D, false),
            F("createUser", S, false),
            F("lastModified", D, false),
            F("lastModifyUser", S, false),
            F("readyForPublish", B, false),
            F("trashState", S, false),
            F("ipsImageUrl", S, false),
            F("imageInfo", "ImageInfo", false),
        ],
    },
    Complex {
        name: "AssetCount",
        fields: &[F("assetType", S, true), F("count", I, true)],
    },
    Complex {
        name: "AssetMove",
        fields: &[F("assetHandle", S, true), F("folderHandle", S, true)],
    },
    Complex {
        name: "AssetOperationFault",
        fields: &[
            F("assetHandle", S, true),
            F("code", I, true),
            F("reason", S, true),
        ],
    },
    Complex {
        name: "SystemFieldCondition",
        fields: &[F("field", S, true), F("op", S, true), F("value", S, false)],
    },
    Complex {
        name: "UploadPostJob",
        fields: &[
            F("overwrite", B, false),
            F("readyForPublish", B, false),
            F("preservePublishState", B, false),
            F("createMask", B, false),
            F("emailSetting", S, false),
        ],
    },
    Complex {
        name: "ActiveJob",
        fields: &[
            F("companyHandle", S, true),
            F("jobHandle", S, true),
            F("name", S, false),
            F("originalName", S, false),
            F("type", S, false),
            F("state", S, false),
            F("submitUserEmail", S, false),
            F("locale", S, false),
            F("description", S, false),
            F("startDate", D, false),
            F("progress", I, false),
            F("progressMessage", S, false),
            F("lastProgressUpdate", D, false),
            F("uploadPostJob", "UploadPostJob", false),
        ],
    },
    Complex {
        name: "JobLogDetail",
        fields: &[
            F("logMessage", S, false),
            F("logType", S, false),
            F("assetName", S, false),
            F("assetType", S, false),
            F("assetHandle", S, false),
        ],
    },
    Complex {
        name: "JobLog",
        fields: &[
            F("companyHandle", S, true),
            F("jobHandle", S, true),
            F("jobName", S, false),
            F("originalJobName", S, false),
            F("submitUserEmail", S, false),
            F("logType", S, false),
            F("startDate", D, false),
            F("endDate", D, false),
            F("description", S, false),
            F("fileSuccessCount", I, false),
            F("fileErrorCount", I, false),
            F("fileWarningCount", I, false),
            F("fileDuplicateCount", I, false),
            F("fileUpdateCount", I, false),
            F("totalFileCount", I, false),
            F("fatalError", B, false),
            F("detailTotalRows", I, false),
            F("detailArray", "JobLogDetailArray", false),
        ],
    },
];

const BATCH_OUT: &[F] = &[
    F("successCount", I, true),
    F("warningCount", I, true),
    F("errorCount", I, true),
    F("warningDetailArray", "AssetOperationFaultArray", false),
    F("errorDetailArray", "AssetOperationFaultArray", false),
];
const COMPANY_AND_ASSETS: &[F] = &[
    F("companyHandle", S, true),
    F("assetHandleArray", "HandleArray", true),
];

pub const OPS: &[Op] = &[
    Op {
        name: "checkLogin",
        input: &[
            F("companyHandle", S, false),
            F("email", S, true),
            F("password", S, true),
        ],
        output: &[F("status", S, true)],
    },
    Op {
        name: "getCompanyInfo",
        input: &[F("companyHandle", S, false), F("companyName", S, false)],
        output: &[F("companyInfo", "Company", true)],
    },
    Op {
        name: "getAllCompanies",
        input: &[F("includeExpired", B, false)],
        output: &[F("companyArray", "CompanyArray", true)],
    },
    Op {
        name: "addCompany",
        input: &[F("companyName", S, true), F("expires", D, false)],
        output: &[F("companyInfo", "Company", true)],
    },
    Op {
        name: "getCompanySettings",
        input: &[F("companyHandle", S, true)],
        output: &[F("settings", "CompanySettings", true)],
    },
    Op {
        name: "setCompanySettings",
        input: &[
            F("companyHandle", S, true),
            F("overwriteMode", S, false),
            F("retainPublishState", B, false),
        ],
        output: &[],
    },
    Op {
        name: "addUser",
        input: &[
            F("firstName", S, true),
            F("lastName", S, true),
            F("email", S, true),
            F("defaultRole", S, true),
            F("password", S, true),
            F("passwordExpires", D, false),
            F("isValid", B, true),
            F("companyHandleArray", "HandleArray", false),
            F("membershipArray", "HandleArray", false),
        ],
        output: &[F("userHandle", S, true)],
    },
    Op {
        name: "createFolder",
        input: &[F("companyHandle", S, true), F("folderPath", S, true)],
        output: &[F("folderHandle", S, true)],
    },
    Op {
        name: "getFolders",
        input: &[F("companyHandle", S, true), F("folderPath", S, false)],
        output: &[F("folderArray", "FolderArray", false)],
    },
    Op {
        name: "getFolderTree",
        input: &[
            F("companyHandle", S, true),
            F("folderPath", S, false),
            F("depth", I, false),
        ],
        output: &[F("folders", "FolderArray", false)],
    },
    Op {
        name: "deleteFolder",
        input: &[F("companyHandle", S, true), F("folderHandle", S, true)],
        output: &[],
    },
    Op {
        name: "renameFolder",
        input: &[
            F("companyHandle", S, true),
            F("folderHandle", S, true),
            F("folderName", S, true),
        ],
        output: &[F("folderHandle", S, true)],
    },
    Op {
        name: "moveFolder",
        input: &[
            F("companyHandle", S, true),
            F("folderHandle", S, true),
            F("destFolderHandle", S, true),
        ],
        output: &[F("folderHandle", S, true)],
    },
    Op {
        name: "getAssets",
        input: &[
            F("companyHandle", S, true),
            F("assetHandleArray", "HandleArray", true),
        ],
        output: &[F("assetArray", "AssetArray", false)],
    },
    Op {
        name: "getAssetsByName",
        input: &[
            F("companyHandle", S, true),
            F("nameArray", "StringArray", true),
            F("assetTypeArray", "StringArray", false),
            F("excludeAssetTypeArray", "StringArray", false),
        ],
        output: &[F("assetArray", "AssetArray", false)],
    },
    Op {
        name: "searchAssets",
        input: &[
            F("companyHandle", S, true),
            F("folder", S, false),
            F("includeSubfolders", B, false),
            F("publishState", S, false),
            F("trashState", S, false),
            F("conditionMatchMode", S, false),
            F("keywordArray", "StringArray", false),
            F("systemFieldMatchMode", S, false),
            F(
                "systemFieldConditionArray",
                "SystemFieldConditionArray",
                false,
            ),
            F("assetTypeArray", "StringArray", false),
            F("excludeAssetTypeArray", "StringArray", false),
            F("recordsPerPage", I, false),
            F("resultsPage", I, false),
            F("sortBy", S, false),
            F("sortDirection", S, false),
        ],
        output: &[
            F("totalRows", I, false),
            F("assetArray", "AssetArray", false),
        ],
    },
    Op {
        name: "getAssetCounts",
        input: &[F("companyHandle", S, true)],
        output: &[F("countArray", "AssetCountArray", false)],
    },
    Op {
        name: "checkAssetNames",
        input: &[
            F("companyHandle", S, false),
            F("assetNameArray", "StringArray", false),
            F("assetNamesArray", "StringArray", false),
        ],
        output: &[F("inUseNameArray", "StringArray", true)],
    },
    Op {
        name: "deleteAsset",
        input: &[F("companyHandle", S, true), F("assetHandle", S, true)],
        output: &[],
    },
    Op {
        name: "deleteAssets",
        input: COMPANY_AND_ASSETS,
        output: BATCH_OUT,
    },
    Op {
        name: "renameAsset",
        input: &[
            F("companyHandle", S, true),
            F("assetHandle", S, true),
            F("newName", S, true),
            F("validateName", B, false),
            F("renameFiles", B, false),
        ],
        output: &[],
    },
    Op {
        name: "moveAsset",
        input: &[
            F("companyHandle", S, true),
            F("assetHandle", S, true),
            F("folderHandle", S, true),
        ],
        output: &[],
    },
    Op {
        name: "moveAssets",
        input: &[
            F("companyHandle", S, true),
            F("assetMoveArray", "AssetMoveArray", true),
        ],
        output: BATCH_OUT,
    },
    Op {
        name: "setUrlModifier",
        input: &[
            F("companyHandle", S, true),
            F("assetHandle", S, true),
            F("urlModifier", S, false),
            F("urlPostApplyModifier", S, false),
        ],
        output: &[],
    },
    Op {
        name: "emptyAssetsFromTrash",
        input: COMPANY_AND_ASSETS,
        output: BATCH_OUT,
    },
    Op {
        name: "restoreAssetsFromTrash",
        input: COMPANY_AND_ASSETS,
        output: BATCH_OUT,
    },
    Op {
        name: "copyImage",
        input: &[
            F("companyHandle", S, false),
            F("companyName", S, false),
            F("assetHandle", S, true),
            F("folderHandle", S, true),
            F("name", S, true),
            F("urlModifier", S, false),
        ],
        output: &[F("assetHandle", S, true)],
    },
    Op {
        name: "getProperty",
        input: &[F("name", S, true)],
        output: &[F("value", S, true)],
    },
    Op {
        name: "getActiveJobs",
        input: &[
            F("companyHandle", S, false),
            F("jobHandle", S, false),
            F("originalName", S, false),
        ],
        output: &[F("jobArray", "ActiveJobArray", true)],
    },
    Op {
        name: "getJobLogs",
        input: &[
            F("companyHandle", S, false),
            F("userHandle", S, false),
            F("sortBy", S, false),
            F("sortDirection", S, false),
            F("startDate", D, false),
            F("endDate", D, false),
            F("numRows", I, false),
        ],
        output: &[F("jobLogArray", "JobLogArray", true)],
    },
    Op {
        name: "getJobLogDetails",
        input: &[
            F("companyHandle", S, true),
            F("jobHandle", S, false),
            F("originalName", S, false),
            F("logTypeArray", "StringArray", false),
            F("recordsPerPage", I, false),
            F("resultsPage", I, false),
            F("sortBy", S, false),
            F("sortDirection", S, false),
        ],
        output: &[F("jobLogArray", "JobLogArray", true)],
    },
];

pub fn op(name: &str) -> Option<&'static Op> {
    OPS.iter().find(|o| o.name == name)
}

fn complex(name: &str) -> Option<&'static Complex> {
    TYPES.iter().find(|t| t.name == name)
}

fn array_item(name: &str) -> Option<&'static str> {
    ARRAYS.iter().find(|(a, _)| *a == name).map(|(_, i)| *i)
}

/// Checks a reply against the operation's output schema: children in schema order, no unknown
/// element, every required one present, arrays holding only `items`. Returns the first problem.
pub fn conforms(op_name: &str, reply: &Node) -> Result<(), String> {
    let op = op(op_name).ok_or_else(|| format!("no schema for {op_name}"))?;
    if reply.name != format!("{op_name}Return") {
        return Err(format!("reply element is {}", reply.name));
    }
    check_fields(&reply.name, op.output, reply)
}

fn check_fields(path: &str, fields: &[F], node: &Node) -> Result<(), String> {
    let mut next = 0;
    for c in &node.children {
        let pos = fields[next..]
            .iter()
            .position(|f| f.0 == c.name)
            .ok_or_else(|| format!("{path}: unexpected or out-of-order <{}>", c.name))?;
        let f = fields[next + pos];
        if let Some(missing) = fields[next..next + pos].iter().find(|f| f.2) {
            return Err(format!("{path}: missing required <{}>", missing.0));
        }
        check_value(&format!("{path}/{}", c.name), f.1, c)?;
        next += pos + 1;
    }
    match fields[next..].iter().find(|f| f.2) {
        Some(m) => Err(format!("{path}: missing required <{}>", m.0)),
        None => Ok(()),
    }
}

fn check_value(path: &str, ty: &str, node: &Node) -> Result<(), String> {
    if let Some(item) = array_item(ty) {
        for it in &node.children {
            if it.name != "items" {
                return Err(format!("{path}: array holds <{}>", it.name));
            }
            check_value(&format!("{path}/items"), item, it)?;
        }
        return Ok(());
    }
    if let Some(c) = complex(ty) {
        return check_fields(path, c.fields, node);
    }
    let text = node.text.as_deref().unwrap_or("");
    let ok = match ty {
        I => text.parse::<i32>().is_ok(),
        B => text == "true" || text == "false",
        D => super::params::parse_datetime(text).is_some(),
        _ => true,
    };
    if ok && node.children.is_empty() {
        Ok(())
    } else {
        Err(format!("{path}: bad {ty} value '{text}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_type_is_defined() {
        let known =
            |t: &str| t.starts_with("xsd:") || complex(t).is_some() || array_item(t).is_some();
        for o in OPS {
            for f in o.input.iter().chain(o.output) {
                assert!(known(f.1), "{}: {}", o.name, f.1);
            }
        }
        for t in TYPES {
            for f in t.fields {
                assert!(known(f.1), "{}: {}", t.name, f.1);
            }
        }
        for (_, item) in ARRAYS {
            assert!(known(item), "{item}");
        }
    }

    #[test]
    fn conformance_catches_order_and_missing() {
        let ok = Node::new("copyImageReturn").text_child("assetHandle", "a|1");
        assert!(conforms("copyImage", &ok).is_ok());
        let missing = Node::new("copyImageReturn");
        assert!(conforms("copyImage", &missing).is_err());
        let order = Node::new("deleteAssetsReturn")
            .text_child("warningCount", "0")
            .text_child("successCount", "0")
            .text_child("errorCount", "0");
        assert!(conforms("deleteAssets", &order).is_err());
        let bad_int = Node::new("getAssetCountsReturn").child(Node::array(
            "countArray",
            [Node::new("x")
                .text_child("assetType", "Image")
                .text_child("count", "many")],
        ));
        assert!(conforms("getAssetCounts", &bad_int).is_err());
    }
}

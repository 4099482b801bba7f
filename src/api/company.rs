//! Company and account operations: checkLogin, getCompanyInfo, getAllCompanies, addCompany,
//! get/setCompanySettings, addUser, getProperty (spec/ips-operations.md §2, §7.1).

use super::common::{internal, Ctx};
use super::types;
use crate::auth::password;
use crate::catalog::{CatalogError, NewUser, SettingsUpdate, ROLES};
use crate::soap::fault::{self, Fault};
use crate::soap::params::{parse_datetime, Params};
use crate::soap::writer::Node;
use chrono::Utc;

pub async fn check_login(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let email = p.req("email")?;
    let pw = p
        .opt("password")
        .ok_or_else(|| Fault::missing("password"))?;
    let company = match p.opt_nonblank("companyHandle") {
        Some(h) => Some(ctx.company(&h).await?),
        None => None,
    };
    let user = ctx
        .st
        .catalog
        .user_by_email(&email)
        .await
        .map_err(internal)?;
    let valid = match user {
        Some(u) if u.is_valid => {
            let member = company
                .as_ref()
                .is_none_or(|c| u.default_role == "IpsAdmin" || u.companies.contains(&c.id));
            member && ctx.st.auth.check_password(&u, &pw).await
        }
        _ => false,
    };
    let status = if valid { "ValidLogin" } else { "InvalidLogin" };
    Ok(Node::new("checkLoginReturn").text_child("status", status))
}

pub async fn get_company_info(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let value = p.req_any(&["companyHandle", "companyName"])?;
    let c = ctx.company(&value).await?;
    Ok(Node::new("getCompanyInfoReturn").child(named(types::company(ctx.ns, &c), "companyInfo")))
}

fn named(mut n: Node, name: &str) -> Node {
    n.name = name.to_string();
    n
}

pub async fn get_all_companies(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let include_expired = p.opt_bool("includeExpired")?.unwrap_or(false);
    let now = Utc::now();
    let all = ctx.st.catalog.companies().await.map_err(internal)?;
    let items = all
        .iter()
        .filter(|c| include_expired || c.expires > now)
        .map(|c| types::company(ctx.ns, c));
    Ok(Node::new("getAllCompaniesReturn").child(Node::array("companyArray", items)))
}

/// `Sample Company` -> `SampleCompany/`: whitespace stripped; `/`, `|`, `\` refused.
fn root_path_for(name: &str) -> Result<String, Fault> {
    let root: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    if root.is_empty()
        || root.len() > 200
        || root
            .chars()
            .any(|c| c == '/' || c == '|' || c == '\\' || c.is_control())
    {
        return Err(Fault::invalid(format!(
            "Invalid company name '{}'",
            name.escape_debug()
        )));
    }
    Ok(format!("{root}/"))
}

pub async fn add_company(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let name = p.req("companyName")?;
    let expires = p
        .opt_datetime("expires")?
        .unwrap_or_else(|| parse_datetime("2101-01-31T23:00:00Z").expect("constant date"));
    let root = root_path_for(&name)?;
    let c = ctx
        .st
        .catalog
        .create_company(&name, &root, expires)
        .await
        .map_err(|e| match e {
            CatalogError::Conflict(_) => Fault::invalid(format!("Company '{name}' already exists")),
            other => internal(other),
        })?;
    Ok(Node::new("addCompanyReturn").child(named(types::company(ctx.ns, &c), "companyInfo")))
}

pub async fn get_settings(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let s = Node::new("settings")
        .text_child("overwriteMode", &c.overwrite_mode)
        .text_child("retainPublishState", c.retain_publish_state.to_string());
    Ok(Node::new("getCompanySettingsReturn").child(s))
}

pub const OVERWRITE_MODES: &[&str] = &[
    "OverwriteFullName",
    "OverwriteAnyExt",
    "OverwriteFullNameAnyFolder",
    "OverwriteAnyExtAnyFolder",
];

pub async fn set_settings(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let c = ctx.company_param(p).await?;
    let mode = p.opt_nonblank("overwriteMode");
    if let Some(m) = &mode {
        if !OVERWRITE_MODES.contains(&m.as_str()) {
            return Err(Fault::invalid(format!(
                "Invalid overwriteMode '{m}'; expected one of {}",
                OVERWRITE_MODES.join(", ")
            )));
        }
    }
    let upd = SettingsUpdate {
        overwrite_mode: mode,
        retain_publish_state: p.opt_bool("retainPublishState")?,
    };
    ctx.st
        .catalog
        .update_company_settings(c.id, &upd)
        .await
        .map_err(internal)?;
    Ok(Node::new("setCompanySettingsReturn"))
}

pub async fn add_user(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let first = p.req("firstName")?;
    let last = p.req("lastName")?;
    let email = p.req("email")?;
    let role = p.req("defaultRole")?;
    let pw = p.req("password")?;
    let is_valid = p.req_bool("isValid")?;
    let expires = p.opt_datetime("passwordExpires")?;
    let handles = p
        .string_array_any(&["companyHandleArray", "membershipArray"])
        .ok_or_else(|| Fault::missing("companyHandleArray"))?;
    if !ROLES.contains(&role.as_str()) {
        return Err(Fault::invalid(format!("Invalid role '{role}'")));
    }
    if !email.contains('@') || email.len() > 320 || email.chars().any(char::is_whitespace) {
        return Err(Fault::invalid(format!("Invalid e-mail address '{email}'")));
    }
    if role == "IpsAdmin" && !ctx.caller.is_admin() {
        return Err(Fault::authorization(
            fault::ILLEGAL_PARAMETER_VALUE,
            "Only IpsAdmin may grant the IpsAdmin role",
        ));
    }
    let mut companies = Vec::new();
    for h in &handles {
        let c = ctx.company(h).await.map_err(|f| match f.code {
            fault::INVALID_COMPANY => Fault::invalid(format!("Unknown company handle '{h}'")),
            _ => f,
        })?;
        companies.push(c.id);
    }
    companies.sort_unstable();
    companies.dedup();
    let new = NewUser {
        email: email.clone(),
        first_name: first,
        last_name: last,
        password_hash: password::hash_async(pw).await,
        default_role: role,
        is_valid,
        password_expires: expires,
        companies,
    };
    let u = ctx
        .st
        .catalog
        .create_user(&new)
        .await
        .map_err(|e| match e {
            CatalogError::Conflict(_) => Fault::invalid(format!("User '{email}' already exists")),
            other => internal(other),
        })?;
    Ok(Node::new("addUserReturn").text_child("userHandle", ctx.ns.user_handle(u.id, &u.email)))
}

pub async fn get_property(ctx: &Ctx<'_>, p: &Params<'_>) -> Result<Node, Fault> {
    let name = p.req("name")?;
    let value = match name.as_str() {
        "IpsVersion" => env!("CARGO_PKG_VERSION").to_string(),
        "UploadPostMaxFileSize" => ctx.st.cfg.upload_max_bytes.to_string(),
        "IpsImageServerUrl" => "/is/image/".to_string(),
        "SystemMessage" => String::new(),
        other => return Err(Fault::invalid(format!("Unknown property '{other}'"))),
    };
    Ok(Node::new("getPropertyReturn").text_child("value", value))
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_paths() {
        assert_eq!(
            super::root_path_for("Sample Company").unwrap(),
            "SampleCompany/"
        );
        assert!(super::root_path_for("a/b").is_err());
        assert!(super::root_path_for("   ").is_err());
    }
}

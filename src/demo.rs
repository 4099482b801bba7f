//! First-run helpers: the first IpsAdmin (`ipsd init`, `IPSD_ADMIN_USER`) and `serve --demo`,
//! which makes sure a demo company, a demo user and a few generated sample images exist
//! (idempotent) and prints a ready-to-paste copyImage call.

use crate::auth::password;
use crate::catalog::{Company, NewAsset, NewUser};
use crate::codec::probe;
use crate::config::Config;
use crate::state::AppState;
use anyhow::anyhow;
use image::{ImageBuffer, ImageFormat, Rgb, Rgba};
use std::io::Cursor;

pub const DEMO_COMPANY: &str = "Demo Company";
pub const DEMO_USER: &str = "demo@ipsd.local";
pub const DEMO_PASSWORD: &str = "demo-password";

/// Creates an IpsAdmin when the catalog has no users yet. Returns whether it did.
pub async fn create_first_admin(st: &AppState, email: &str, pw: &str) -> anyhow::Result<bool> {
    if st.catalog.user_count().await.map_err(|e| anyhow!("{e}"))? > 0 {
        return Ok(false);
    }
    let u = NewUser {
        email: email.to_string(),
        first_name: "Ips".into(),
        last_name: "Admin".into(),
        password_hash: password::hash_async(pw.to_string()).await,
        default_role: "IpsAdmin".into(),
        is_valid: true,
        password_expires: None,
        companies: Vec::new(),
    };
    st.catalog
        .create_user(&u)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(true)
}

/// What `--demo` set up, for printing.
pub struct DemoInfo {
    pub company: Company,
    pub assets: Vec<(i64, String)>,
}

/// Ensures the demo company, user and samples exist; creates only what is missing.
pub async fn ensure(st: &AppState) -> anyhow::Result<DemoInfo> {
    let cat = &st.catalog;
    let err = |e: crate::catalog::CatalogError| anyhow!("{e}");
    let company = match cat.company_by_name(DEMO_COMPANY).await.map_err(err)? {
        Some(c) => c,
        None => {
            let never = chrono::DateTime::parse_from_rfc3339("2101-01-31T23:00:00Z")?.to_utc();
            cat.create_company(DEMO_COMPANY, "DemoCompany/", never)
                .await
                .map_err(err)?
        }
    };
    if cat.user_by_email(DEMO_USER).await.map_err(err)?.is_none() {
        let u = NewUser {
            email: DEMO_USER.into(),
            first_name: "Demo".into(),
            last_name: "User".into(),
            password_hash: password::hash_async(DEMO_PASSWORD.into()).await,
            default_role: "IpsUser".into(),
            is_valid: true,
            password_expires: None,
            companies: vec![company.id],
        };
        cat.create_user(&u).await.map_err(err)?;
    }
    let root = cat
        .folder_by_path(company.id, &company.root_path)
        .await
        .map_err(err)?
        .ok_or_else(|| anyhow!("demo root folder missing"))?;
    let mut assets = Vec::new();
    for (name, bytes) in samples()? {
        let existing = cat
            .assets_by_name(company.id, &[name.to_string()])
            .await
            .map_err(err)?;
        let id = match existing.first() {
            Some(a) => a.id,
            None => insert_sample(st, &company, root.id, name, bytes).await?,
        };
        assets.push((id, name.to_string()));
    }
    Ok(DemoInfo { company, assets })
}

async fn insert_sample(
    st: &AppState,
    c: &Company,
    folder: i64,
    name: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<i64> {
    let meta = probe::probe(&bytes, u64::MAX)?;
    let _gate = st.blobs.write_guard().await;
    let blob = st.blobs.put(bytes.into()).await?;
    let a = NewAsset {
        company_id: c.id,
        asset_type: "Image".into(),
        name: name.into(),
        folder_id: folder,
        file_name: format!(
            "{name}.{}",
            if meta.format == "jpeg" {
                "jpg"
            } else {
                &meta.format
            }
        ),
        blob,
        image: meta,
        user: DEMO_USER.into(),
        ready_for_publish: true,
    };
    Ok(st
        .catalog
        .insert_asset(&a)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .id)
}

/// Generated samples: a photo-like gradient JPEG and a PNG with alpha.
fn samples() -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let photo = ImageBuffer::from_fn(1200, 800, |x, y| {
        let r = (x * 255 / 1199) as u8;
        let g = (y * 255 / 799) as u8;
        let b = (((x / 40 + y / 40) % 2) * 90 + 80) as u8;
        Rgb([r, g, b])
    });
    let badge = ImageBuffer::from_fn(640, 480, |x, y| {
        let (dx, dy) = (x as i32 - 320, y as i32 - 240);
        let a = if dx * dx + dy * dy < 200 * 200 {
            255
        } else {
            0
        };
        Rgba([30, (x % 256) as u8, 200, a])
    });
    let mut jpeg = Cursor::new(Vec::new());
    photo.write_to(&mut jpeg, ImageFormat::Jpeg)?;
    let mut png = Cursor::new(Vec::new());
    badge.write_to(&mut png, ImageFormat::Png)?;
    Ok(vec![
        ("sample-photo", jpeg.into_inner()),
        ("sample-badge", png.into_inner()),
    ])
}

impl DemoInfo {
    /// Prints the credentials and a copyImage call that works as pasted (a fresh name each run).
    pub fn print(&self, cfg: &Config) {
        let (id, name) = &self.assets[0];
        let url = format!("http://{}/scene7/services/IpsApiService", cfg.listen);
        println!("ipsd demo ready");
        println!(
            "  company : {} (handle c|{}, root folder {})",
            self.company.name, self.company.id, self.company.root_path
        );
        println!("  user    : {DEMO_USER} / {DEMO_PASSWORD} (IpsUser)");
        println!(
            "  sample  : {name} (handle a|{id}), served at http://{}/is/image/DemoCompany/{name}",
            cfg.listen
        );
        println!("copy it with copyImage:");
        println!(
            "curl -s -u '{DEMO_USER}:{DEMO_PASSWORD}' -H 'Content-Type: text/xml; charset=UTF-8' -H 'SOAPAction: copyImage' \\\n  \
             --data '<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>\
             <copyImageParam xmlns=\"http://www.scene7.com/IpsApi/xsd/2014-04-03\"><companyHandle>c|{}</companyHandle>\
             <assetHandle>a|{id}</assetHandle><folderHandle>f|{}</folderHandle><name>copy-'\"$(date +%s%N)\"'</name>\
             <urlModifier/></copyImageParam></soapenv:Body></soapenv:Envelope>' \\\n  {url}",
            self.company.id, self.company.root_path
        );
    }
}

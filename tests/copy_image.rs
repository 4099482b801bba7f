//! copyImage end to end through the router: the success shape of the spec example, plain-copy
//! semantics (byte-identical, shared blob, independent record), every fault of the check order
//! in spec/ips-operations.md §1.6, cross-company isolation and concurrent same-name copies.

mod common;

use common::*;
use ipsd::catalog::{ImageMeta, NewAsset};

struct World {
    app: TestApp,
    a: String,
    a_root: String,
    b: String,
    src: String,
    b_asset: String,
}

const UA: &str = "ua@test.local";
const UB: &str = "ub@test.local";

async fn world() -> World {
    let app = TestApp::new().await;
    let (a, a_root) = app.company("Api Test Co").await;
    let (b, _) = app.company("Other Co").await;
    app.user(UA, "IpsUser", &a).await;
    app.user(UB, "IpsUser", &b).await;
    let src = app.upload_image(UA, &a, "macbookwin1").await;
    let b_asset = app.upload_image(UB, &b, "secret").await;
    World {
        app,
        a,
        a_root,
        b,
        src,
        b_asset,
    }
}

fn copy_body(company: &str, asset: &str, folder: &str, name: &str, modifier: &str) -> String {
    format!(
        "<companyHandle>{company}</companyHandle><assetHandle>{asset}</assetHandle>\
         <folderHandle>{folder}</folderHandle><name>{name}</name><urlModifier>{modifier}</urlModifier>"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_example_copy_in_2008_namespace() {
    let w = world().await;
    let id: i64 = w.src.trim_start_matches("a|").parse().unwrap();
    let c_id = w.a.trim_start_matches("c|");
    let inner = format!(
        "<companyHandle>c|{c_id}</companyHandle><assetHandle>a|{id}|1|{id}</assetHandle>\
         <folderHandle>{}/</folderHandle><name>Copy_macbookwin1</name><urlModifier/>",
        w.a_root
    );
    let r = w.app.call_ns(NS2008, UA, "copyImage", &inner).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.payload();
    assert_eq!(
        (p.name.as_str(), p.ns.as_deref()),
        ("copyImageReturn", Some(NS2008))
    );
    let h = r.get("assetHandle");
    assert!(
        h.starts_with("a|") && h.split('|').count() == 4,
        "2008 handles are 4-part: {h}"
    );
    assert_ne!(h, format!("a|{id}|1|{id}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_copy_is_byte_identical_and_independent() {
    let w = world().await;
    let blobs_before = w.app.blob_files();
    let r = w
        .app
        .ok(
            UA,
            "copyImage",
            &copy_body(&w.a, &w.src, &format!("f|{}/", w.a_root), "copy1", ""),
        )
        .await;
    let copy = r.get("assetHandle");
    assert_ne!(copy, w.src);
    assert_eq!(
        w.app.blob_files(),
        blobs_before,
        "a plain copy must not store the bytes twice"
    );
    let got = w
        .app
        .ok(UA, "getAssets", &format!("<companyHandle>{}</companyHandle><assetHandleArray><items>{copy}</items><items>{}</items></assetHandleArray>", w.a, w.src))
        .await;
    let list = items(&got.payload(), "assetArray");
    assert_eq!(list.len(), 2);
    assert_eq!(field(&list[0], "name"), "copy1");
    assert_eq!(field(&list[0], "fileName"), "copy1.jpg");
    assert_eq!(field(&list[0], "type"), "Image");
    let info = |a: &ipsd::soap::xml::Element| {
        let i = a
            .children
            .iter()
            .find(|c| c.name == "imageInfo")
            .unwrap()
            .clone();
        (
            field(&i, "width"),
            field(&i, "height"),
            field(&i, "fileSize"),
        )
    };
    assert_eq!(info(&list[0]), info(&list[1]));
    assert_eq!(info(&list[0]).0, "64");
    let orig = w
        .app
        .get(&format!("/is/content/{}/macbookwin1", w.a_root), &[])
        .await;
    let dup = w
        .app
        .get(&format!("/is/content/{}/copy1", w.a_root), &[])
        .await;
    assert_eq!(dup.status, 200);
    assert_eq!(orig.body, dup.body);
    // Deleting and emptying the source leaves the copy and its bytes in place.
    let arr = format!(
        "<companyHandle>{}</companyHandle><assetHandleArray><items>{}</items></assetHandleArray>",
        w.a, w.src
    );
    w.app.ok(UA, "deleteAssets", &arr).await;
    w.app.ok(UA, "emptyAssetsFromTrash", &arr).await;
    w.app.st.cleanup_trash().await.unwrap();
    assert_eq!(
        w.app
            .get(&format!("/is/content/{}/macbookwin1", w.a_root), &[])
            .await
            .status,
        404
    );
    let again = w
        .app
        .get(&format!("/is/content/{}/copy1", w.a_root), &[])
        .await;
    assert_eq!(again.body, orig.body);
    assert_eq!(
        w.app.blob_files(),
        blobs_before,
        "blob still referenced by the copy"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_order_faults() {
    let w = world().await;
    let app = &w.app;
    let root = format!("f|{}/", w.a_root);
    let ok_body = copy_body(&w.a, &w.src, &root, "fresh", "");
    // 1. authentication
    let r = app
        .post_raw(envelope(NS, "copyImage", &ok_body, None), &[])
        .await;
    assert_eq!(r.fault(), ("authenticationFault".into(), 10000));
    let r = app
        .post_raw(
            envelope(NS, "copyImage", &ok_body, Some((UA, "wrong"))),
            &[],
        )
        .await;
    assert_eq!(r.code(), 10001);
    // 2. role beats everything after it, even a missing name.
    app.user("trial@test.local", "TrialSiteUser", &w.a).await;
    app.user("portal@test.local", "ImagePortalUser", &w.a).await;
    assert_eq!(app.fault("trial@test.local", "copyImage", "").await, 20003);
    assert_eq!(
        app.fault("portal@test.local", "copyImage", &ok_body).await,
        20003
    );
    // 3. required fields, before the company is looked up.
    for missing in ["companyHandle", "assetHandle", "folderHandle", "name"] {
        let body = ok_body
            .replace(&format!("<{missing}>"), "<x>")
            .replace(&format!("</{missing}>"), "</x>");
        let body = body.replace(&w.a, "c|999");
        assert_eq!(
            app.fault(UA, "copyImage", &body).await,
            30002,
            "missing {missing}"
        );
    }
    assert_eq!(
        app.fault(UA, "copyImage", &copy_body(&w.a, &w.src, &root, "  ", ""))
            .await,
        30002
    );
    // 4-5. company
    assert_eq!(
        app.fault(UA, "copyImage", &copy_body("c|999", &w.src, &root, "n", ""))
            .await,
        20000
    );
    assert_eq!(
        app.fault(
            UA,
            "copyImage",
            &copy_body(&w.b, &w.b_asset, &root, "n", "")
        )
        .await,
        20006
    );
    // companyName alias resolves by name.
    let by_name = format!(
        "<companyName>Api Test Co</companyName><assetHandle>{}</assetHandle><folderHandle>{root}</folderHandle><name>alias</name>",
        w.src
    );
    app.ok(UA, "copyImage", &by_name).await;
    // 7. source asset: unknown, other company's, trashed — all the same 30001 "not found".
    for bad in ["a|99999", w.b_asset.as_str(), "garbage"] {
        let r = app
            .call_ns(NS, UA, "copyImage", &copy_body(&w.a, bad, &root, "n", ""))
            .await;
        assert_eq!(r.code(), 30001);
        assert_eq!(r.reason(), format!("Asset '{bad}' not found"));
    }
    let trashed = app.upload_image(UA, &w.a, "trashed").await;
    app.ok(
        UA,
        "deleteAsset",
        &format!(
            "<companyHandle>{}</companyHandle><assetHandle>{trashed}</assetHandle>",
            w.a
        ),
    )
    .await;
    assert_eq!(
        app.fault(UA, "copyImage", &copy_body(&w.a, &trashed, &root, "n", ""))
            .await,
        30001
    );
    // 8. not an Image
    let cid: i64 = w.a.trim_start_matches("c|").parse().unwrap();
    let root_folder = app
        .st
        .catalog
        .folder_by_path(cid, &format!("{}/", w.a_root))
        .await
        .unwrap()
        .unwrap();
    let view = app
        .st
        .catalog
        .insert_asset(&NewAsset {
            company_id: cid,
            asset_type: "AdjustedView".into(),
            name: "view1".into(),
            folder_id: root_folder.id,
            file_name: "view1".into(),
            blob: app
                .st
                .catalog
                .asset(cid, w.src.trim_start_matches("a|").parse().unwrap())
                .await
                .unwrap()
                .unwrap()
                .blob,
            image: ImageMeta::default(),
            user: UA.into(),
            ready_for_publish: false,
        })
        .await
        .unwrap();
    let r = app
        .call_ns(
            NS,
            UA,
            "copyImage",
            &copy_body(&w.a, &format!("a|{}", view.id), &root, "n", ""),
        )
        .await;
    assert_eq!(r.code(), 30001);
    assert!(r.reason().contains("AdjustedView"), "{}", r.reason());
    // 9. destination folder: unknown, or another company's path.
    assert_eq!(
        app.fault(
            UA,
            "copyImage",
            &copy_body(&w.a, &w.src, "f|NoSuch/", "n", "")
        )
        .await,
        30001
    );
    assert_eq!(
        app.fault(
            UA,
            "copyImage",
            &copy_body(&w.a, &w.src, "f|OtherCo/", "n", "")
        )
        .await,
        30001
    );
    // 11. name validity, before the collision check.
    for bad in ["a/b", "a|b", "tab\tname"] {
        assert_eq!(
            app.fault(UA, "copyImage", &copy_body(&w.a, &w.src, &root, bad, ""))
                .await,
            30001,
            "{bad}"
        );
    }
    // 12. collisions with an asset, a trashed asset and a folder; before the modifier check.
    app.ok(
        UA,
        "createFolder",
        &format!(
            "<companyHandle>{}</companyHandle><folderPath>/shoes</folderPath>",
            w.a
        ),
    )
    .await;
    for taken in ["macbookwin1", "trashed", "shoes"] {
        let r = app
            .call_ns(
                NS,
                UA,
                "copyImage",
                &copy_body(&w.a, &w.src, &root, taken, "wid=100"),
            )
            .await;
        assert_eq!(r.code(), 30001);
        assert_eq!(
            r.reason(),
            format!("Asset name '{taken}' is already in use")
        );
    }
    // 13. a bad urlModifier names the command and the value; nothing is stored.
    let before = app.blob_files();
    let r = app
        .call_ns(
            NS,
            UA,
            "copyImage",
            &copy_body(&w.a, &w.src, &root, "rendered", "wid=0&amp;fmt=bmp"),
        )
        .await;
    assert_eq!(r.code(), 30001);
    assert!(
        r.reason().contains("wid") && r.reason().contains("fmt") && r.reason().contains("bmp"),
        "{}",
        r.reason()
    );
    assert_eq!(app.blob_files(), before);
    let names = app.ok(UA, "checkAssetNames", &format!("<companyHandle>{}</companyHandle><assetNameArray><items>rendered</items></assetNameArray>", w.a)).await;
    assert!(items(&names.payload(), "inUseNameArray").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn other_company_never_sees_assets() {
    let w = world().await;
    // UB asks for company A's asset through its own company: indistinguishable from missing.
    let r = w
        .app
        .ok(UB, "getAssets", &format!("<companyHandle>{}</companyHandle><assetHandleArray><items>{}</items></assetHandleArray>", w.b, w.src))
        .await;
    assert!(items(&r.payload(), "assetArray").is_empty());
    let r = w.app.ok(UB, "getAssetsByName", &format!("<companyHandle>{}</companyHandle><nameArray><items>macbookwin1</items></nameArray>", w.b)).await;
    assert!(items(&r.payload(), "assetArray").is_empty());
    let r = w.app.ok(UB, "checkAssetNames", &format!("<companyHandle>{}</companyHandle><assetNameArray><items>macbookwin1</items></assetNameArray>", w.b)).await;
    assert!(items(&r.payload(), "inUseNameArray").is_empty());
    // Copying A's asset into B, or B's asset into A's folder, fails like a missing asset/folder.
    let into_b = copy_body(&w.b, &w.src, "f|OtherCo/", "stolen", "");
    let r = w.app.call_ns(NS, UB, "copyImage", &into_b).await;
    assert_eq!(
        (r.code(), r.reason()),
        (30001, format!("Asset '{}' not found", w.src))
    );
    let into_a = copy_body(&w.b, &w.b_asset, &format!("f|{}/", w.a_root), "pushed", "");
    let r = w.app.call_ns(NS, UB, "copyImage", &into_a).await;
    assert_eq!(r.code(), 30001);
    assert!(r.reason().starts_with("Folder"), "{}", r.reason());
    // Folders of A are invisible from B.
    let r = w
        .app
        .call_ns(
            NS,
            UB,
            "getFolders",
            &format!(
                "<companyHandle>{}</companyHandle><folderPath>{}/</folderPath>",
                w.b, w.a_root
            ),
        )
        .await;
    assert_eq!(r.code(), 30001);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_copies_with_one_name() {
    let w = world().await;
    let blobs = w.app.blob_files();
    let body = copy_body(&w.a, &w.src, &format!("f|{}/", w.a_root), "race", "");
    let handles: Vec<_> = (0..6)
        .map(|_| w.app.spawn_call("copyImage", UA, &body))
        .collect();
    let mut replies = Vec::new();
    for h in handles {
        replies.push(h.await.unwrap());
    }
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "exactly one copy wins");
    for r in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(r.code(), 30001);
    }
    let r = w
        .app
        .ok(
            UA,
            "getAssetsByName",
            &format!(
                "<companyHandle>{}</companyHandle><nameArray><items>race</items></nameArray>",
                w.a
            ),
        )
        .await;
    assert_eq!(items(&r.payload(), "assetArray").len(), 1);
    assert_eq!(w.app.blob_files(), blobs, "no orphan blobs");
}

/// Rendered copies racing for one name: one wins, the others get 30001, and only the
/// winner's rendered bytes stay on disk.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_rendered_copies_with_one_name_keep_no_orphans() {
    let w = world().await;
    let blobs = w.app.blob_files();
    let calls: Vec<_> = (0..6)
        .map(|i| {
            // Different sizes: every render stores other bytes.
            let m = format!("wid={}&amp;fmt=png", 10 + i);
            let body = copy_body(&w.a, &w.src, &format!("f|{}/", w.a_root), "race", &m);
            w.app.spawn_call("copyImage", UA, &body)
        })
        .collect();
    let mut ok = 0;
    for c in calls {
        let r = c.await.unwrap();
        if r.status == 200 {
            ok += 1;
        } else {
            assert_eq!(r.code(), 30001, "{}", r.text());
        }
    }
    assert_eq!(ok, 1, "exactly one copy wins");
    assert_eq!(w.app.blob_files(), blobs + 1, "no orphan blobs");
}

/// A source record whose stored file is gone: a rendering copy is a 30000 that says so and
/// stores nothing; a plain copy (no render, the same blob) still succeeds.
#[tokio::test(flavor = "multi_thread")]
async fn a_source_whose_stored_file_is_gone_faults_and_stores_nothing() {
    let w = world().await;
    let root = format!("f|{}/", w.a_root);
    w.app.delete_blob_files();
    let body = copy_body(&w.a, &w.src, &root, "thumb", "wid=20&amp;fmt=jpeg");
    let r = w.app.call_ns(NS, UA, "copyImage", &body).await;
    assert_eq!(r.code(), 30000, "{}", r.text());
    assert_eq!(r.reason(), "The source image's stored file cannot be read");
    let names = |n: &str| {
        format!(
            "<companyHandle>{}</companyHandle><nameArray><items>{n}</items></nameArray>",
            w.a
        )
    };
    let r = w.app.ok(UA, "getAssetsByName", &names("thumb")).await;
    assert!(items(&r.payload(), "assetArray").is_empty());
    assert_eq!(w.app.blob_files(), 0, "nothing stored");
    let plain = copy_body(&w.a, &w.src, &root, "same", "");
    w.app.ok(UA, "copyImage", &plain).await;
}

/// The spec's image-format example modifier ends in `iccEmbed=0` (ips-operations.md,
/// saveImageFormat); with `printRes=` and `icc=` the stored file carries what was asked for.
#[tokio::test(flavor = "multi_thread")]
async fn output_profile_and_print_resolution_reach_the_stored_file() {
    use image::ImageDecoder;
    let w = world().await;
    let folder = format!("f|{}/", w.a_root);
    let cases = [
        (
            "fmt1",
            "wid=40&amp;hei=40&amp;fmt=jpeg&amp;qlt=75&amp;op_sharpen=0&amp;resMode=bicub\
             &amp;op_usm=0.0,0.0,0,0&amp;iccEmbed=0",
            (1u8, 72u16),
            None,
        ),
        (
            "fmt2",
            "wid=40&amp;fmt=jpeg&amp;printRes=300&amp;icc=AdobeRGB&amp;iccEmbed=1",
            (1, 300),
            Some(ipsd::codec::Profile::AdobeRgb),
        ),
    ];
    for (name, modifier, (units, dpi), profile) in cases {
        let body = copy_body(&w.a, &w.src, &folder, name, modifier);
        w.app.ok(UA, "copyImage", &body).await;
        let r = w
            .app
            .get(&format!("/is/content/{}/{name}", w.a_root), &[])
            .await;
        assert_eq!(r.status, 200, "{name}");
        let b = &r.body;
        assert_eq!(&b[6..11], b"JFIF\0", "{name}");
        let density = (b[13], u16::from_be_bytes([b[14], b[15]]));
        assert_eq!(density, (units, dpi), "{name}");
        let icc = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&b[..]))
            .unwrap()
            .icc_profile()
            .unwrap();
        let want = profile.map(|p| p.icc().unwrap().to_vec());
        assert_eq!(icc, want, "{name}");
    }
    // A profile ipsd does not have is a fault naming the command; nothing is stored.
    let before = w.app.blob_files();
    let body = copy_body(&w.a, &w.src, &folder, "fmt3", "icc=WebCoated&amp;fmt=jpeg");
    let r = w.app.call_ns(NS, UA, "copyImage", &body).await;
    let (code, reason) = (r.code(), r.reason());
    assert_eq!(code, 30001, "{reason}");
    assert!(
        reason.contains("icc: 'WebCoated' is not a known ICC profile"),
        "{reason}"
    );
    assert_eq!(w.app.blob_files(), before);
    // A jpegSize= that cannot be met is the caller's error too.
    let body = copy_body(
        &w.a,
        &w.src,
        &folder,
        "fmt4",
        "wid=3000&amp;fmt=jpeg&amp;jpegSize=1",
    );
    let r = w.app.call_ns(NS, UA, "copyImage", &body).await;
    assert_eq!(r.code(), 30001, "{}", r.text());
    assert!(
        r.reason()
            .contains("does not fit in 1 KB even at quality 1"),
        "{}",
        r.reason()
    );
    assert_eq!(w.app.blob_files(), before);
}

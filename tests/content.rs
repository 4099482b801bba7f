//! `/is/content` and `/is/image` through the router: stored bytes unchanged, Content-Type,
//! ETag/Last-Modified with 304 answers, 404s, and commands on /is/image refused with a 400.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn content_serves_master_bytes_with_validators() {
    let app = TestApp::new().await;
    let (co, root) = app.company("Serve Co").await;
    app.user("s@test.local", "IpsUser", &co).await;
    let img = png(12, 9);
    app.upload("s@test.local", &co, "j", &[("logo.png", &img)], "")
        .await;
    let url = format!("/is/content/{root}/logo");
    let r = app.get(&url, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, img);
    assert_eq!(r.headers["content-type"], "image/png");
    let etag = r.headers["etag"].to_str().unwrap().to_string();
    let modified = r.headers["last-modified"].to_str().unwrap().to_string();
    assert_eq!(app.get(&url, &[("if-none-match", &etag)]).await.status, 304);
    assert_eq!(
        app.get(&url, &[("if-none-match", "\"other\"")])
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&url, &[("if-modified-since", &modified)])
            .await
            .status,
        304
    );
    assert_eq!(
        app.get(
            &url,
            &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")]
        )
        .await
        .status,
        200
    );
    // The company may be named by its name too; unknown names and companies are 404.
    assert_eq!(
        app.get("/is/content/Serve%20Co/logo", &[]).await.status,
        200
    );
    assert_eq!(
        app.get(&format!("/is/content/{root}/nope"), &[])
            .await
            .status,
        404
    );
    assert_eq!(app.get("/is/content/NoSuchCo/logo", &[]).await.status, 404);
    // /is/image serves the stored image and refuses commands it cannot apply yet.
    let r = app.get(&format!("/is/image/{root}/logo"), &[]).await;
    assert_eq!((r.status.as_u16(), r.body.clone()), (200, img.clone()));
    let r = app
        .get(&format!("/is/image/{root}/logo?wid=100"), &[])
        .await;
    assert_eq!(r.status, 400);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    // Trashed assets are not served.
    let h = app.handle_of("s@test.local", &co, "logo").await;
    app.ok(
        "s@test.local",
        "deleteAsset",
        &format!("<companyHandle>{co}</companyHandle><assetHandle>{h}</assetHandle>"),
    )
    .await;
    assert_eq!(app.get(&url, &[]).await.status, 404);
}

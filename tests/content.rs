//! `/is/content` and `/is/image` through the router: stored bytes unchanged, Content-Type,
//! ETag/Last-Modified with 304 answers, 404s, rendering with Modifier/PostModifier, and bad
//! commands answered with a plain-text 400.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn content_serves_master_bytes_with_validators() {
    let app = TestApp::new().await;
    let (co, root) = app.company("Serve Co").await;
    app.user("s@test.local", "IpsUser", &co).await;
    let img_bytes = png(12, 9);
    app.upload("s@test.local", &co, "j", &[("logo.png", &img_bytes)], "")
        .await;
    let url = format!("/is/content/{root}/logo");
    let r = app.get(&url, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, img_bytes);
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
    // /is/image renders by the Image Serving rules: JPEG by default, commands applied.
    let r = app.get(&format!("/is/image/{root}/logo"), &[]).await;
    assert_eq!(
        (
            r.status.as_u16(),
            r.headers["content-type"].to_str().unwrap()
        ),
        (200, "image/jpeg")
    );
    let r = app
        .get(&format!("/is/image/{root}/logo?wid=100&fmt=png-alpha"), &[])
        .await;
    assert_eq!(r.headers["content-type"], "image/png");
    let img = image::load_from_memory(&r.body).unwrap();
    assert_eq!((img.width(), img.height()), (100, 75));
    let etag = r.headers["etag"].to_str().unwrap().to_string();
    let again = app
        .get(
            &format!("/is/image/{root}/logo?wid=100&fmt=png-alpha"),
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    let other = app
        .get(
            &format!("/is/image/{root}/logo?wid=101&fmt=png-alpha"),
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(other.status, 200, "another command string is another ETag");
    // cache=: the client part decides whether the reply may be kept (§4.41).
    for (q, want) in [
        ("wid=100", "no-cache"),
        ("wid=100&cache=on", "no-cache"),
        ("wid=100&cache=update", "no-cache"),
        ("wid=100&cache=OFF", "no-store"),
        ("wid=100&cache=off,on", "no-store"),
        ("wid=100&cache=on,off", "no-cache"),
    ] {
        let r = app.get(&format!("/is/image/{root}/logo?{q}"), &[]).await;
        assert_eq!(
            (r.status.as_u16(), &r.headers["cache-control"]),
            (200, &want.parse().unwrap()),
            "{q}"
        );
    }
    // Bad commands are a 400 with a plain-text reason naming the command; never a 500.
    for (q, cmd) in [
        ("wid=0", "wid"),
        ("wid=abc", "wid"),
        ("fmt=bmp", "fmt"),
        ("rotate=NaN", "rotate"),
        ("cache=maybe", "cache"),
        ("cache=on,validate", "cache"),
        ("wid=5000", "MaxPix"),
    ] {
        let r = app.get(&format!("/is/image/{root}/logo?{q}"), &[]).await;
        assert_eq!(r.status, 400, "{q}");
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert!(r.text().contains(cmd), "{q}: {}", r.text());
    }
    // The record's Modifier and PostModifier wrap the request (is-catalog.md §4.2).
    let h = app.handle_of("s@test.local", &co, "logo").await;
    let set = format!(
        "<companyHandle>{co}</companyHandle><assetHandle>{h}</assetHandle>\
         <urlModifier>wid=6&amp;fmt=jpeg</urlModifier><urlPostApplyModifier>fmt=png</urlPostApplyModifier>"
    );
    app.ok("s@test.local", "setUrlModifier", &set).await;
    let r = app.get(&format!("/is/image/{root}/logo"), &[]).await;
    assert_eq!(r.headers["content-type"], "image/png");
    assert_eq!(image::load_from_memory(&r.body).unwrap().width(), 6);
    let r = app
        .get(&format!("/is/image/{root}/logo?wid=8&fmt=webp"), &[])
        .await;
    assert_eq!(
        r.headers["content-type"], "image/png",
        "PostModifier wins over the request"
    );
    assert_eq!(
        image::load_from_memory(&r.body).unwrap().width(),
        8,
        "the request wins over Modifier"
    );
    // /is/content still serves the stored master unchanged.
    assert_eq!(app.get(&url, &[]).await.body, img_bytes);
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

/// `printRes=`, `icc=` and `iccEmbed=` (§4.38–4.40) on `/is/image`: 72 dpi by default (the
/// catalog's PrintResolution), the asked resolution and profile otherwise, clear 400s for bad
/// values.
#[tokio::test(flavor = "multi_thread")]
async fn image_serving_writes_print_resolution_and_profiles() {
    use image::ImageDecoder;
    use ipsd::codec::Profile;
    use std::io::Cursor;
    let app = TestApp::new().await;
    let (co, root) = app.company("Print Co").await;
    app.user("p@test.local", "IpsUser", &co).await;
    app.upload("p@test.local", &co, "j", &[("pic.png", &png(40, 30))], "")
        .await;
    let get = |q: &'static str| {
        let url = format!("/is/image/{root}/pic?{q}");
        let app = &app;
        async move { app.get(&url, &[]).await }
    };
    let jfif = |b: &[u8]| (b[13], u16::from_be_bytes([b[14], b[15]]));
    let r = get("wid=20").await;
    assert_eq!(jfif(&r.body), (1, 72));
    let r = get("wid=20&printRes=300&iccEmbed=1").await;
    assert_eq!(jfif(&r.body), (1, 300));
    let icc = image::codecs::jpeg::JpegDecoder::new(Cursor::new(&r.body[..]))
        .unwrap()
        .icc_profile()
        .unwrap();
    assert_eq!(icc.as_deref(), Some(&Profile::Srgb.icc().unwrap()[..]));
    let r = get("wid=20&fmt=png&icc=Display%20P3&iccEmbed=true").await;
    let d = png::Decoder::new(Cursor::new(&r.body)).read_info().unwrap();
    assert_eq!(
        d.info().icc_profile.as_deref(),
        Some(&Profile::DisplayP3.icc().unwrap()[..])
    );
    assert_eq!(d.info().pixel_dims.map(|p| p.xppu), Some(2835), "72 dpi");
    // jpegSize= caps the reply; a cap that cannot be met is the caller's 400.
    let r = get("wid=40&qlt=100&jpegSize=1").await;
    assert_eq!(r.status, 200);
    assert!(r.body.len() <= 1024, "{}", r.body.len());
    for (q, cmd) in [
        (
            "wid=1500&jpegSize=1",
            "jpegSize: the 1500x1125 JPEG does not fit in 1 KB even at quality 1",
        ),
        (
            "icc=WebCoated",
            "icc: 'WebCoated' is not a known ICC profile",
        ),
        ("icc=sRGB,vivid", "icc: 'vivid' is not a rendering intent"),
        (
            "printRes=0",
            "printRes: '0' is not a valid print resolution",
        ),
        ("iccEmbed=2", "iccEmbed: '2' is not a valid embed flag"),
    ] {
        let r = get(q).await;
        assert_eq!(r.status, 400, "{q}");
        assert!(r.text().contains(cmd), "{q}: {}", r.text());
    }
}

/// `quantize=` and `fmt=png8` on `/is/image` (§4.35): the spec's bi-tonal GIF example.
#[tokio::test(flavor = "multi_thread")]
async fn image_serving_quantizes_gif_and_png8() {
    let app = TestApp::new().await;
    let (co, root) = app.company("Palette Co").await;
    app.user("q@test.local", "IpsUser", &co).await;
    app.upload(
        "q@test.local",
        &co,
        "j",
        &[("pic.jpg", &jpeg(200, 120))],
        "",
    )
    .await;
    let url = |q: &str| format!("/is/image/{root}/pic?{q}");
    let r = app
        .get(
            &url("fmt=gif-alpha&wid=100&quantize=adaptive,off,2,000000,ffffff"),
            &[],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.headers["content-type"]),
        (200, &"image/gif".parse().unwrap())
    );
    let img = image::load_from_memory(&r.body).unwrap().to_rgba8();
    assert_eq!(img.width(), 100);
    assert!(img
        .pixels()
        .all(|p| p.0 == [0, 0, 0, 255] || p.0 == [255, 255, 255, 255]));
    let r = app
        .get(&url("fmt=png8&wid=50&quantize=adaptive,diffuse,16"), &[])
        .await;
    assert_eq!(r.headers["content-type"], "image/png");
    let d = png::Decoder::new(std::io::Cursor::new(&r.body))
        .read_info()
        .unwrap();
    assert_eq!(d.info().color_type, png::ColorType::Indexed);
    assert!(d.info().palette.as_ref().unwrap().len() <= 16 * 3);
    for (q, msg) in [
        (
            "fmt=gif-alpha&quantize=mac",
            "quantize: the mac palette is not allowed",
        ),
        (
            "fmt=gif&quantize=adaptive,off,300",
            "quantize: '300' is not a valid colour count",
        ),
    ] {
        let r = app.get(&url(q), &[]).await;
        assert_eq!(r.status, 400, "{q}");
        assert!(r.text().contains(msg), "{q}: {}", r.text());
    }
}

/// `defaultImage=` (§4.42): a missing record falls back to the named one, rendered with only
/// `wid`, `hei`, `fmt` and `qlt` of the request; no usable fallback stays a 404.
#[tokio::test(flavor = "multi_thread")]
async fn missing_images_fall_back_to_default_image() {
    let app = TestApp::new().await;
    let (co, root) = app.company("Fallback Co").await;
    app.user("d@test.local", "IpsUser", &co).await;
    app.upload(
        "d@test.local",
        &co,
        "j",
        &[("nophoto.png", &png(40, 20))],
        "",
    )
    .await;
    app.upload("d@test.local", &co, "j", &[("pic.png", &png(30, 30))], "")
        .await;
    let size = |b: &[u8]| {
        let i = image::load_from_memory(b).unwrap();
        (i.width(), i.height())
    };
    for fallback in [
        "nophoto",
        &format!("{root}/nophoto"),
        "Fallback%20Co/nophoto",
    ] {
        let url = format!(
            "/is/image/{root}/missing?wid=30&rotate=90&fmt=png&crop=0,0,5,5&defaultImage={fallback}"
        );
        let r = app.get(&url, &[]).await;
        assert_eq!(r.status, 200, "{fallback}: {}", r.text());
        assert_eq!(r.headers["content-type"], "image/png", "fmt= is kept");
        assert_eq!(
            size(&r.body),
            (30, 15),
            "{fallback}: wid kept, rotate and crop dropped"
        );
    }
    // An existing record ignores it; no fallback, an empty one or a missing one: 404.
    let r = app
        .get(
            &format!("/is/image/{root}/pic?wid=10&fmt=png&defaultImage=nophoto"),
            &[],
        )
        .await;
    assert_eq!(size(&r.body), (10, 10));
    for q in [
        "wid=30",
        "wid=30&defaultImage=",
        "defaultImage=gone",
        "defaultImage=Nope/nophoto",
    ] {
        let r = app.get(&format!("/is/image/{root}/missing?{q}"), &[]).await;
        assert_eq!(r.status, 404, "{q}");
    }
}

/// A record whose stored file is gone: both URLs answer a plain-text 500 that says so.
#[tokio::test(flavor = "multi_thread")]
async fn a_stored_file_that_is_gone_is_a_500_that_says_so() {
    let app = TestApp::new().await;
    let (co, root) = app.company("Gone Co").await;
    app.user("g@test.local", "IpsUser", &co).await;
    app.upload("g@test.local", &co, "j", &[("logo.png", &png(12, 9))], "")
        .await;
    app.delete_blob_files();
    for url in [
        format!("/is/content/{root}/logo"),
        format!("/is/image/{root}/logo?wid=6&fmt=png"),
    ] {
        let r = app.get(&url, &[]).await;
        assert_eq!(r.status, 500, "{url}");
        assert_eq!(r.text(), "the stored image file cannot be read\n", "{url}");
    }
}

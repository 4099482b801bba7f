//! copyImage rendering end to end: upload, copy with geometry and format commands, check the
//! stored master's size and format through getAssets and its pixels through /is/image, and every
//! bad-input case (values, limits, corrupt sources, degenerate sizes).

mod common;

use common::*;
use ipsd::catalog::{ImageMeta, NewAsset};

const U: &str = "r@test.local";

async fn setup() -> (TestApp, String, String, String) {
    let app = TestApp::new().await;
    let (co, root) = app.company("Render Co").await;
    app.user(U, "IpsUser", &co).await;
    let photo = photo(320, 200);
    app.upload(U, &co, "src", &[("src.png", &photo)], "").await;
    let src = app.handle_of(U, &co, "src").await;
    (app, co, root, src)
}

/// A photo-like PNG: gradients plus a bright square in the top-left corner.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::from_fn(w, h, |x, y| {
        if x < w / 8 && y < h / 8 {
            image::Rgb([250, 250, 250])
        } else {
            image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 60])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn copy(app: &TestApp, co: &str, root: &str, src: &str, name: &str, m: &str) -> Reply {
    let inner = format!(
        "<companyHandle>{co}</companyHandle><assetHandle>{src}</assetHandle><folderHandle>f|{root}/</folderHandle>\
         <name>{name}</name><urlModifier>{}</urlModifier>",
        m.replace('&', "&amp;")
    );
    app.call_ns(NS, U, "copyImage", &inner).await
}

/// (width, height, fileName) from getAssets.
async fn info(app: &TestApp, co: &str, handle: &str) -> (String, String, String) {
    let r = app.ok(U, "getAssets", &format!("<companyHandle>{co}</companyHandle><assetHandleArray><items>{handle}</items></assetHandleArray>")).await;
    let a = items(&r.payload(), "assetArray")[0].clone();
    let i = a
        .children
        .iter()
        .find(|c| c.name == "imageInfo")
        .unwrap()
        .clone();
    (
        field(&i, "width"),
        field(&i, "height"),
        field(&a, "fileName"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_render_their_commands() {
    let (app, co, root, src) = setup().await;
    let cases = [
        (
            "thumb",
            "wid=160&hei=120&fit=crop&fmt=jpeg&qlt=85",
            ("160", "120", "thumb.jpg"),
        ),
        (
            "fit",
            "wid=100&hei=100&fit=fit&fmt=png",
            ("100", "100", "fit.png"),
        ),
        (
            "constrain",
            "wid=100&hei=100&fit=constrain",
            ("100", "63", "constrain.png"),
        ),
        (
            "cropped",
            "crop=10,20,100,50&fmt=png-alpha",
            ("100", "50", "cropped.png"),
        ),
        (
            "rot",
            "rotate=90&wid=100&fmt=tif",
            ("100", "160", "rot.tif"),
        ),
        (
            "flipped",
            "flip=lr&fmt=webp&qlt=90",
            ("320", "200", "flipped.webp"),
        ),
        ("gif", "wid=32&fmt=gif", ("32", "20", "gif.gif")),
    ];
    for (name, m, want) in cases {
        let r = copy(&app, &co, &root, &src, name, m).await;
        assert_eq!(r.status, 200, "{m}: {}", r.text());
        let h = r.get("assetHandle");
        let got = info(&app, &co, &h).await;
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2.as_str()),
            want,
            "{m}"
        );
        // The stored master decodes to the reported size.
        let body = app.get(&format!("/is/content/{root}/{name}"), &[]).await;
        let img = image::load_from_memory(&body.body).unwrap();
        assert_eq!(
            (img.width().to_string(), img.height().to_string()),
            (got.0, got.1),
            "{m}"
        );
    }
    // flip=lr moved the bright corner from the left to the right.
    let flipped = app
        .get(&format!("/is/image/{root}/flipped?scl=1&fmt=png"), &[])
        .await;
    let img = image::load_from_memory(&flipped.body).unwrap().to_rgb8();
    assert!(
        img.get_pixel(315, 5)[1] > 230 && img.get_pixel(5, 5)[1] < 60,
        "flip did not mirror"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn image_serving_returns_the_same_pixels_as_the_copy() {
    let (app, co, root, src) = setup().await;
    let m = "crop=20,10,200,150&wid=120&flip=ud&fmt=png";
    let r = copy(&app, &co, &root, &src, "baked", m).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = app.get(&format!("/is/content/{root}/baked"), &[]).await;
    let served = app.get(&format!("/is/image/{root}/src?{m}"), &[]).await;
    assert_eq!(served.headers["content-type"], "image/png");
    let a = image::load_from_memory(&stored.body).unwrap().to_rgba8();
    let b = image::load_from_memory(&served.body).unwrap().to_rgba8();
    assert_eq!(a.dimensions(), b.dimensions());
    assert_eq!(
        a.as_raw(),
        b.as_raw(),
        "copyImage and /is/image render the same pixels"
    );
    // And the copy, served unscaled, is its own master.
    let own = app
        .get(&format!("/is/image/{root}/baked?scl=1&fmt=png"), &[])
        .await;
    let c = image::load_from_memory(&own.body).unwrap().to_rgba8();
    assert_eq!(a.as_raw(), c.as_raw());
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_apply_colour_commands() {
    let (app, co, root, src) = setup().await;
    let m = "op_invert=1&fmt=png";
    let r = copy(&app, &co, &root, &src, "neg", m).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let plain = app
        .get(&format!("/is/image/{root}/src?scl=1&fmt=png"), &[])
        .await;
    let neg = app.get(&format!("/is/content/{root}/neg"), &[]).await;
    let a = image::load_from_memory(&plain.body).unwrap().to_rgb8();
    let b = image::load_from_memory(&neg.body).unwrap().to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    assert!(a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .all(|(x, y)| *x as u32 + *y as u32 == 255));
    // All the colour commands with a resize: the copy and /is/image agree.
    let m = "wid=120&op_brightness=20&op_contrast=15&op_colorbalance=10,0,-20&op_saturation=-50&op_hue=30&op_colorize=a0b0c0,norm,40&fmt=png";
    let r = copy(&app, &co, &root, &src, "graded", m).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = app.get(&format!("/is/content/{root}/graded"), &[]).await;
    let served = app.get(&format!("/is/image/{root}/src?{m}"), &[]).await;
    let a = image::load_from_memory(&stored.body).unwrap().to_rgba8();
    let b = image::load_from_memory(&served.body).unwrap().to_rgba8();
    assert_eq!(a.width(), 120);
    assert_eq!(a.as_raw(), b.as_raw());
}

/// Sum of squared differences between horizontally adjacent pixels (edge energy).
fn roughness(img: &image::RgbaImage) -> u64 {
    img.rows()
        .flat_map(|r| {
            let px: Vec<_> = r.collect();
            px.windows(2)
                .map(|w| {
                    (0..3)
                        .map(|c| u64::from(w[0][c].abs_diff(w[1][c])).pow(2))
                        .sum::<u64>()
                })
                .collect::<Vec<_>>()
        })
        .sum()
}

async fn fetch_png(app: &TestApp, path: &str) -> image::RgbaImage {
    let r = app.get(path, &[]).await;
    assert_eq!(r.status, 200, "{path}");
    image::load_from_memory(&r.body).unwrap().to_rgba8()
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_apply_filter_commands() {
    let (app, co, root, src) = setup().await;
    let plain = fetch_png(&app, &format!("/is/image/{root}/src?wid=160&fmt=png")).await;
    let mut measured = Vec::new();
    for (name, m) in [
        ("blurred", "wid=160&op_blur=6&fmt=png"),
        ("sharpened", "wid=160&op_sharpen=1&fmt=png"),
        ("usm", "wid=160&op_usm=2,4,0,1&fmt=png"),
        ("grown", "wid=160&op_grow=4&fmt=png"),
        ("noisy", "wid=160&op_noise=30,gaussian&fmt=png"),
    ] {
        let r = copy(&app, &co, &root, &src, name, m).await;
        assert_eq!(r.status, 200, "{m}: {}", r.text());
        let stored = fetch_png(&app, &format!("/is/content/{root}/{name}")).await;
        let served = fetch_png(&app, &format!("/is/image/{root}/src?{m}")).await;
        assert_eq!(stored.dimensions(), (160, 100));
        assert_eq!(
            stored.as_raw(),
            served.as_raw(),
            "{m}: copy and /is/image differ"
        );
        measured.push(roughness(&stored));
    }
    let base = roughness(&plain);
    assert!(measured[0] < base / 2, "blur: {} vs {base}", measured[0]);
    assert!(measured[1] > base, "sharpen: {} vs {base}", measured[1]);
    assert!(
        measured[2] > measured[1],
        "usm 2,4: {} vs {}",
        measured[2],
        measured[1]
    );
    assert!(measured[4] > base * 3, "noise: {} vs {base}", measured[4]);
    // Dilating grows the bright corner square (20×12.5 at this size) by 4 composite pixels,
    // 2 at the view scale of 0.5.
    let grown = fetch_png(&app, &format!("/is/content/{root}/grown")).await;
    assert!(grown.get_pixel(21, 13)[0] >= 230 && plain.get_pixel(21, 13)[0] < 200);
    assert!(grown.get_pixel(23, 13)[0] < 200);
    // Noise is seeded from the request: the same command renders the same bytes again.
    let again = app
        .get(
            &format!("/is/image/{root}/src?wid=160&op_noise=30,gaussian&fmt=png"),
            &[],
        )
        .await;
    let first = app.get(&format!("/is/content/{root}/noisy"), &[]).await;
    assert_eq!(
        image::load_from_memory(&again.body)
            .unwrap()
            .to_rgba8()
            .as_raw(),
        image::load_from_memory(&first.body)
            .unwrap()
            .to_rgba8()
            .as_raw()
    );
}

/// A view crop cuts the filtered layer: the pixels near the cut match those of the uncut
/// render (the layer is filtered with the reach of the kernel around the visible window).
#[tokio::test(flavor = "multi_thread")]
async fn filters_see_past_a_view_crop() {
    let (app, _, root, _) = setup().await;
    let full = fetch_png(
        &app,
        &format!("/is/image/{root}/src?wid=160&op_blur=8&fmt=png"),
    )
    .await;
    let cut = fetch_png(
        &app,
        &format!("/is/image/{root}/src?wid=80&hei=100&fit=crop&op_blur=8&fmt=png"),
    )
    .await;
    // fit=crop at scale 0.5 keeps the middle 80 columns (40..120) of the 160-wide render.
    assert_eq!(cut.dimensions(), (80, 100));
    for y in [0, 50, 99] {
        for x in [0, 1, 40, 78, 79] {
            let (a, b) = (cut.get_pixel(x, y), full.get_pixel(x + 40, y));
            for c in 0..3 {
                assert!(a[c].abs_diff(b[c]) <= 1, "({x},{y}): {a:?} vs {b:?}");
            }
        }
    }
}

/// `rect=` tiles of a sharpened view join without seams: each tile equals the same region of
/// the whole sharpened view (§3.4: view filters run before `rect`).
#[tokio::test(flavor = "multi_thread")]
async fn sharpened_rect_tiles_join_without_seams() {
    let (app, _, root, _) = setup().await;
    let m = "wid=160&op_usm=3,4&fmt=png";
    let whole = fetch_png(&app, &format!("/is/image/{root}/src?{m}")).await;
    for (x, y) in [(0, 0), (80, 0), (0, 50), (80, 50)] {
        let q = format!("/is/image/{root}/src?{m}&rect={x},{y},80,50");
        let tile = fetch_png(&app, &q).await;
        assert_eq!(tile.dimensions(), (80, 50));
        for ty in 0..50 {
            for tx in 0..80 {
                let (a, b) = (tile.get_pixel(tx, ty), whole.get_pixel(x + tx, y + ty));
                for c in 0..3 {
                    assert!(a[c].abs_diff(b[c]) <= 1, "{q} ({tx},{ty}): {a:?} vs {b:?}");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_commands_fault_and_store_nothing() {
    let (app, co, root, src) = setup().await;
    let before = app.blob_files();
    for (m, needle) in [
        ("wid=0", "wid"),
        ("hei=-1", "hei"),
        ("wid=100000", "limit"),
        ("fmt=unknownfmt", "fmt"),
        ("rotate=NaN", "rotate"),
        ("qlt=0", "qlt"),
        ("fit=sideways&wid=10&hei=10", "fit"),
        ("crop=0,0,0,0", "crop"),
        ("bgc=notacolor", "bgc"),
        ("src=other", "src"),
        ("req=props", "req"),
        ("op_blur=101", "from 0 to 100"),
        ("op_usm=1,2,3,4", "op_usm"),
        ("op_noise=5,pink", "uniform or gaussian"),
        ("op_grow=-101", "-100 to 100"),
        ("op_growMask=3", "not supported yet"),
        ("op_hue=200", "-180 to 180"),
        ("op_invert=yes", "op_invert"),
        ("op_colorize=0,0,0,0k", "RGB"),
    ] {
        let r = copy(&app, &co, &root, &src, "bad", m).await;
        assert_eq!(r.code(), 30001, "{m}: {}", r.text());
        assert!(r.reason().contains(needle), "{m}: {}", r.reason());
    }
    assert_eq!(app.blob_files(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn corrupt_sources_and_degenerate_sizes() {
    let (app, co, root, _) = setup().await;
    // A corrupt master (written behind the API's back) gives a clear fault, not a crash.
    let cid: i64 = co.trim_start_matches("c|").parse().unwrap();
    let folder = app
        .st
        .catalog
        .folder_by_path(cid, &format!("{root}/"))
        .await
        .unwrap()
        .unwrap();
    let blob = app
        .st
        .blobs
        .put(bytes::Bytes::from_static(b"\xff\xd8\xff\xe0 truncated"))
        .await
        .unwrap();
    let bad = app
        .st
        .catalog
        .insert_asset(&NewAsset {
            company_id: cid,
            asset_type: "Image".into(),
            name: "broken".into(),
            folder_id: folder.id,
            file_name: "broken.jpg".into(),
            blob,
            image: ImageMeta {
                width: 10,
                height: 10,
                format: "jpeg".into(),
                file_size: 14,
            },
            user: U.into(),
            ready_for_publish: false,
        })
        .await
        .unwrap();
    let r = copy(
        &app,
        &co,
        &root,
        &format!("a|{}", bad.id),
        "from-broken",
        "wid=10",
    )
    .await;
    assert_eq!(r.code(), 30001);
    assert!(r.reason().contains("Source image"), "{}", r.reason());
    // Image Serving: 422 with the reason (the request is fine, the stored image is not).
    let r = app
        .get(&format!("/is/image/{root}/broken?wid=10"), &[])
        .await;
    assert_eq!(r.status, 422);
    let body = String::from_utf8_lossy(&r.body);
    assert!(
        body.starts_with("source image cannot be rendered: "),
        "{body}"
    );
    assert!(body.contains("corrupt"), "{body}");
    // 1×1 and 30000×10 sources render.
    for (name, w, h, m, want) in [
        ("one", 1, 1, "wid=50&fmt=png", (50, 50)),
        ("strip", 30000, 10, "wid=3000&fmt=png", (3000, 1)),
    ] {
        app.upload(U, &co, name, &[(&format!("{name}.png"), &png(w, h))], "")
            .await;
        let src = app.handle_of(U, &co, name).await;
        let r = copy(&app, &co, &root, &src, &format!("{name}-copy"), m).await;
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        let body = app
            .get(&format!("/is/content/{root}/{name}-copy"), &[])
            .await;
        let img = image::load_from_memory(&body.body).unwrap();
        assert_eq!((img.width(), img.height()), want, "{name}");
    }
}

/// copyImage through the GPU executor (lavapipe in CI) stores the same pixels as the CPU
/// executor. Skipped like tests/gpu.rs: `IPSD_SKIP_GPU_TESTS=1`, or no adapter unless
/// `IPSD_REQUIRE_GPU=1`.
#[tokio::test(flavor = "multi_thread")]
async fn copy_image_on_gpu_matches_cpu() {
    if std::env::var("IPSD_SKIP_GPU_TESTS").is_ok_and(|v| v == "1") {
        println!("skipping GPU render test: IPSD_SKIP_GPU_TESTS=1");
        return;
    }
    let probe = ipsd::engine::gpu::GpuExecutor::new(ipsd::engine::gpu::GpuOptions {
        allow_software: true,
    });
    if let Err(e) = probe {
        assert!(
            !std::env::var("IPSD_REQUIRE_GPU").is_ok_and(|v| v == "1"),
            "no GPU adapter and IPSD_REQUIRE_GPU=1: {e}"
        );
        println!("skipping GPU render test: no Vulkan adapter [{e}]");
        return;
    }
    drop(probe);
    let m =
        "crop=10,5,250,180&rotate=90&wid=90&flip=lr&op_saturation=-30&op_invert=1&op_blur=3&op_grow=-1&op_noise=20&op_usm=1,2&fmt=png-alpha";
    let mut outputs = Vec::new();
    for gpu in [false, true] {
        let app = TestApp::with_config(|c| {
            if gpu {
                c.executor = ipsd::config::ExecutorChoice::Gpu;
                c.allow_software_gpu = true;
            }
        })
        .await;
        assert_eq!(app.st.engine.describe().starts_with("gpu"), gpu);
        let (co, root) = app.company("Gpu Co").await;
        app.user(U, "IpsUser", &co).await;
        app.upload(U, &co, "src", &[("src.png", &photo(320, 200))], "")
            .await;
        let src = app.handle_of(U, &co, "src").await;
        let r = copy(&app, &co, &root, &src, "out", m).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let body = app.get(&format!("/is/content/{root}/out"), &[]).await;
        outputs.push(image::load_from_memory(&body.body).unwrap().to_rgba8());
    }
    assert_eq!(outputs[0].dimensions(), outputs[1].dimensions());
    let max = outputs[0]
        .as_raw()
        .iter()
        .zip(outputs[1].as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(max <= 2, "GPU and CPU copies differ by up to {max}");
}

//! The UploadFile servlet through the router: naming and folders, jobs and their logs,
//! overwrite rules, hostile files (non-images, truncated, oversized, bad CRCs) that must leave
//! nothing behind, servlet fault shapes, background jobs visible in getActiveJobs, and
//! EXIF-rotated photos recorded at their displayed size.

mod common;

use common::*;

const U: &str = "up@test.local";

async fn setup() -> (TestApp, String, String) {
    setup_with(|_| {}).await
}

async fn setup_with(f: impl FnOnce(&mut ipsd::config::Config)) -> (TestApp, String, String) {
    let app = TestApp::with_config(f).await;
    let (co, root) = app.company("Api Test Co1").await;
    app.user(U, "IpsUser", &co).await;
    (app, co, root)
}

fn job_handle(r: &Reply) -> String {
    let x = r.xml();
    assert_eq!(x.name, "uploadPostReturn", "{}", r.text());
    assert_eq!(x.ns.as_deref(), Some(NS));
    field(&x, "jobHandle")
}

async fn details(app: &TestApp, co: &str, job: &str) -> Vec<(String, String)> {
    let r = app
        .ok(
            U,
            "getJobLogDetails",
            &format!("<companyHandle>{co}</companyHandle><jobHandle>{job}</jobHandle>"),
        )
        .await;
    let logs = items(&r.payload(), "jobLogArray");
    assert_eq!(logs.len(), 1, "{}", r.text());
    items(&logs[0], "detailArray")
        .iter()
        .map(|d| {
            (
                field(d, "logType"),
                d.children
                    .iter()
                    .find(|c| c.name == "assetName")
                    .map(|c| c.text.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_example_upload_with_paths() {
    let (app, co, root) = setup().await;
    let img = jpeg(80, 60);
    let name = format!("{root}/UploadFileServlet1376682217351//1376682217351-1.jpg");
    let r = app
        .upload(
            U,
            &co,
            "uploadFileServlet-1",
            &[(&name, &img), ("second.png", &png(10, 10))],
            "<destFolder></destFolder>",
        )
        .await;
    let job = job_handle(&r);
    assert!(job.starts_with("j|"), "{job}");
    let h = app.handle_of(U, &co, "1376682217351-1").await;
    let got = app.ok(U, "getAssets", &format!("<companyHandle>{co}</companyHandle><assetHandleArray><items>{h}</items></assetHandleArray>")).await;
    let a = &items(&got.payload(), "assetArray")[0];
    assert_eq!(
        field(a, "folder"),
        format!("{root}/UploadFileServlet1376682217351/")
    );
    assert_eq!(field(a, "fileName"), "1376682217351-1.jpg");
    let served = app
        .get(&format!("/is/content/{root}/1376682217351-1"), &[])
        .await;
    assert_eq!(served.body, img);
    assert_eq!(served.headers["content-type"], "image/jpeg");
    let d = details(&app, &co, &job).await;
    let types: Vec<&str> = d.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        vec![
            "BeginUpload",
            "OriginalJobName",
            "UploadSuccess",
            "UploadSuccess",
            "EndUpload"
        ]
    );
    // The job is finished: no longer active, counted in getJobLogs.
    let r = app
        .ok(
            U,
            "getActiveJobs",
            &format!("<companyHandle>{co}</companyHandle>"),
        )
        .await;
    assert!(items(&r.payload(), "jobArray").is_empty());
    let r = app
        .ok(
            U,
            "getJobLogs",
            &format!("<companyHandle>{co}</companyHandle>"),
        )
        .await;
    let log = &items(&r.payload(), "jobLogArray")[0];
    assert_eq!(
        (field(log, "fileSuccessCount"), field(log, "totalFileCount")),
        ("2".into(), "2".into())
    );
    // destFolder puts files under a folder relative to the root.
    app.upload(
        U,
        &co,
        "j2",
        &[("deep.jpg", &jpeg(5, 5))],
        "<destFolder>a/b</destFolder>",
    )
    .await;
    let h = app.handle_of(U, &co, "deep").await;
    let got = app.ok(U, "getAssets", &format!("<companyHandle>{co}</companyHandle><assetHandleArray><items>{h}</items></assetHandleArray>")).await;
    assert_eq!(
        field(&items(&got.payload(), "assetArray")[0], "folder"),
        format!("{root}/a/b/")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_are_logged_and_leave_nothing() {
    let (app, co, _) = setup_with(|c| c.max_upload_pixels = 10_000).await;
    let good = jpeg(40, 30);
    let truncated = &good[..good.len() * 2 / 3];
    let huge = png(200, 100);
    // A flipped bit in a PNG's image data: its chunk CRC no longer matches.
    let mut damaged = png(40, 30);
    let idat = damaged.windows(4).position(|w| w == b"IDAT").unwrap();
    damaged[idat + 8] ^= 0x04;
    let files: Vec<(&str, &[u8])> = vec![
        ("notes.jpg", b"hello, I am text"),
        ("cut.jpg", truncated),
        ("huge.png", &huge),
        ("bad|name.jpg", &good),
        ("crc.png", &damaged),
    ];
    let r = app.upload(U, &co, "hostile", &files, "").await;
    let job = job_handle(&r);
    let d = details(&app, &co, &job).await;
    let errors: Vec<&str> = d
        .iter()
        .filter(|(t, _)| t == "UploadError")
        .map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(errors, vec!["notes", "cut", "huge", "bad|name", "crc"]);
    assert_eq!(app.blob_files(), 0, "nothing stored");
    let names = format!("<companyHandle>{co}</companyHandle><assetNameArray><items>notes</items><items>cut</items><items>huge</items><items>crc</items></assetNameArray>");
    let r = app.ok(U, "checkAssetNames", &names).await;
    assert!(items(&r.payload(), "inUseNameArray").is_empty());
    let r = app
        .ok(
            U,
            "getJobLogs",
            &format!("<companyHandle>{co}</companyHandle>"),
        )
        .await;
    assert_eq!(
        field(&items(&r.payload(), "jobLogArray")[0], "fileErrorCount"),
        "5"
    );
}

/// Eight POSTs at once, each a different image under one name (overwrite=false): one becomes
/// the asset, the others are skipped as duplicates, and only the winner's bytes stay on disk.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_uploads_of_one_name() {
    let (app, co, root) = setup().await;
    let app = std::sync::Arc::new(app);
    let posts: Vec<_> = (0..8u32)
        .map(|i| {
            let (app, co) = (app.clone(), co.clone());
            tokio::spawn(async move {
                let img = jpeg(20 + i, 20);
                let r = app
                    .upload(U, &co, &format!("race{i}"), &[("race.jpg", &img)], "")
                    .await;
                (img, job_handle(&r))
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut images = Vec::new();
    for p in posts {
        let (img, job) = p.await.unwrap();
        images.push(img);
        let per_file = details(&app, &co, &job).await.into_iter().map(|(t, _)| t);
        outcomes.extend(per_file.filter(|t| t.starts_with("Upload") || t.starts_with("Dup")));
    }
    outcomes.sort();
    let mut want = vec!["DuplicateSkipped"; 7];
    want.push("UploadSuccess");
    assert_eq!(outcomes, want);
    let stored = app.get(&format!("/is/content/{root}/race"), &[]).await.body;
    assert!(
        images.contains(&stored),
        "the asset holds one of the uploads"
    );
    assert_eq!(app.blob_files(), 1, "only the winner's bytes are kept");
}

/// A photo stored sideways with an EXIF orientation is recorded at the size it is displayed
/// and rendered at: getAssets reports 32 x 24 for a 24 x 32 JPEG tagged "rotate 90", and
/// `/is/image` scales it as 32 x 24.
#[tokio::test(flavor = "multi_thread")]
async fn rotated_photos_are_recorded_as_displayed() {
    let (app, co, root) = setup().await;
    let path = format!(
        "{}/tests/data/codec/orient6.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    let photo = std::fs::read(path).unwrap();
    let r = app
        .upload(U, &co, "sideways", &[("sideways.jpg", &photo)], "")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let h = app.handle_of(U, &co, "sideways").await;
    let size = app.image_size(U, &co, &h).await;
    assert_eq!(size, ("32".into(), "24".into()));
    let png = app
        .get(&format!("/is/image/{root}/sideways?wid=16&fmt=png"), &[])
        .await;
    assert_eq!(png.status, 200, "{}", png.text());
    let img = image::load_from_memory(&png.body).unwrap();
    assert_eq!((img.width(), img.height()), (16, 12));
}

#[tokio::test(flavor = "multi_thread")]
async fn overwrite_rules() {
    let (app, co, root) = setup().await;
    let v1 = jpeg(20, 20);
    let v2 = jpeg(30, 30);
    let opts = |overwrite: bool| {
        format!(
            "<uploadParams><overwrite>{overwrite}</overwrite><readyForPublish>true</readyForPublish>\
             <preservePublishState>false</preservePublishState><createMask>false</createMask><emailSetting>None</emailSetting></uploadParams>"
        )
    };
    app.upload(U, &co, "v1", &[("shoe.jpg", &v1)], &opts(true))
        .await;
    // overwrite=false: skipped as a duplicate, bytes unchanged.
    let job = job_handle(
        &app.upload(U, &co, "v2", &[("shoe.jpg", &v2)], &opts(false))
            .await,
    );
    assert!(details(&app, &co, &job)
        .await
        .iter()
        .any(|(t, _)| t == "DuplicateSkipped"));
    assert_eq!(
        app.get(&format!("/is/content/{root}/shoe"), &[]).await.body,
        v1
    );
    assert_eq!(app.blob_files(), 1, "the skipped file's bytes are not kept");
    // overwrite=true, same folder and extension (OverwriteFullName): replaced in place.
    let h = app.handle_of(U, &co, "shoe").await;
    let job = job_handle(
        &app.upload(U, &co, "v3", &[("shoe.jpg", &v2)], &opts(true))
            .await,
    );
    assert!(details(&app, &co, &job)
        .await
        .iter()
        .any(|(t, _)| t == "FileUpdated"));
    assert_eq!(app.handle_of(U, &co, "shoe").await, h);
    assert_eq!(
        app.get(&format!("/is/content/{root}/shoe"), &[]).await.body,
        v2
    );
    assert_eq!(app.blob_files(), 1, "the replaced bytes were released");
    // Another extension under OverwriteFullName is an error; OverwriteAnyExt accepts it.
    let p = png(8, 8);
    let job = job_handle(
        &app.upload(U, &co, "v4", &[("shoe.png", &p)], &opts(true))
            .await,
    );
    assert!(details(&app, &co, &job)
        .await
        .iter()
        .any(|(t, _)| t == "UploadError"));
    assert_eq!(app.blob_files(), 1, "the refused file's bytes are not kept");
    app.ok(
        ADMIN,
        "setCompanySettings",
        &format!(
            "<companyHandle>{co}</companyHandle><overwriteMode>OverwriteAnyExt</overwriteMode>"
        ),
    )
    .await;
    let job = job_handle(
        &app.upload(U, &co, "v5", &[("shoe.png", &p)], &opts(true))
            .await,
    );
    assert!(details(&app, &co, &job)
        .await
        .iter()
        .any(|(t, _)| t == "FileUpdated"));
    // Another folder needs an AnyFolder mode.
    let job = job_handle(
        &app.upload(U, &co, "v6", &[("elsewhere/shoe.png", &p)], &opts(true))
            .await,
    );
    assert!(details(&app, &co, &job)
        .await
        .iter()
        .any(|(t, _)| t == "UploadError"));
    app.ok(ADMIN, "setCompanySettings", &format!("<companyHandle>{co}</companyHandle><overwriteMode>OverwriteAnyExtAnyFolder</overwriteMode>")).await;
    let job = job_handle(
        &app.upload(U, &co, "v7", &[("elsewhere/shoe.jpg", &v1)], &opts(true))
            .await,
    );
    assert!(details(&app, &co, &job)
        .await
        .iter()
        .any(|(t, _)| t == "FileUpdated"));
    assert_eq!(
        app.get(&format!("/is/content/{root}/shoe"), &[]).await.body,
        v1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn servlet_faults() {
    let (app, co, _) = setup().await;
    let img = jpeg(4, 4);
    // Wrong password: bare authenticationFault, status from faultHttpStatusCode (none: 500).
    let r = app
        .upload("up@test.local", &co, "x", &[("a.jpg", &img)], "")
        .await;
    assert_eq!(r.status, 200);
    let mut bad = app
        .upload("nobody@test.local", &co, "x", &[("a.jpg", &img)], "")
        .await;
    assert_eq!(bad.status, 500);
    let x = bad.xml();
    assert_eq!(
        (x.name.as_str(), x.ns.as_deref()),
        ("authenticationFault", Some(BASE))
    );
    assert_eq!(field(&x, "code"), "10001");
    // Unknown company, other company, missing job name.
    bad = app.upload(U, "c|999", "x", &[("a.jpg", &img)], "").await;
    assert_eq!(field(&bad.xml(), "code"), "20000");
    let (other, _) = app.company("Elsewhere").await;
    bad = app.upload(U, &other, "x", &[("a.jpg", &img)], "").await;
    assert_eq!(field(&bad.xml(), "code"), "20006");
    bad = app.upload(U, &co, "", &[("a.jpg", &img)], "").await;
    assert_eq!(field(&bad.xml(), "code"), "30002");
    // A role without write access.
    app.user("viewer@test.local", "ImagePortalUser", &co).await;
    bad = app
        .upload("viewer@test.local", &co, "x", &[("a.jpg", &img)], "")
        .await;
    assert_eq!(field(&bad.xml(), "code"), "20003");
    // Not multipart at all.
    let req = axum::http::Request::post("/scene7/UploadFile")
        .body(axum::body::Body::from("x"))
        .unwrap();
    let r = app.request(req).await;
    assert_eq!(field(&r.xml(), "code"), "30003");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_upload_is_refused() {
    let (app, co, _) = setup_with(|c| c.upload_max_bytes = 4096).await;
    let r = app
        .upload(U, &co, "big", &[("big.png", &vec![0u8; 10_000])], "")
        .await;
    assert_eq!(field(&r.xml(), "code"), "30001");
    assert_eq!(app.blob_files(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn large_jobs_run_in_the_background() {
    // With a 0-byte synchronous threshold every job runs in the background.
    let (app, co, _) = setup_with(|c| c.upload_sync_bytes = 0).await;
    let r = app
        .upload(U, &co, "bg", &[("bg.jpg", &jpeg(300, 200))], "")
        .await;
    let job = job_handle(&r);
    assert!(
        wait_inactive(&app, &co, &job).await,
        "background job never finished"
    );
    app.handle_of(U, &co, "bg").await;
}

async fn wait_inactive(app: &TestApp, co: &str, job: &str) -> bool {
    for _ in 0..250 {
        let r = app
            .ok(
                U,
                "getActiveJobs",
                &format!("<companyHandle>{co}</companyHandle><jobHandle>{job}</jobHandle>"),
            )
            .await;
        if items(&r.payload(), "jobArray").is_empty() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn open_jobs_span_posts_and_show_as_active() {
    let (app, co, _) = setup().await;
    let r = app
        .upload_raw(
            U,
            &format!("<companyHandle>{co}</companyHandle><jobName>multi</jobName>"),
            &[("one.jpg", &jpeg(8, 8))],
        )
        .await;
    let job = job_handle(&r);
    let r = app
        .ok(
            U,
            "getActiveJobs",
            &format!("<companyHandle>{co}</companyHandle>"),
        )
        .await;
    let active = items(&r.payload(), "jobArray");
    assert_eq!(active.len(), 1);
    assert_eq!(
        (field(&active[0], "jobHandle"), field(&active[0], "state")),
        (job.clone(), "Running".into())
    );
    assert!(active[0].children.iter().any(|c| c.name == "uploadPostJob"));
    let end = format!(
        "<companyHandle>{co}</companyHandle><jobHandle>{job}</jobHandle><endJob>true</endJob>"
    );
    let r = app.upload_raw(U, &end, &[("two.jpg", &jpeg(9, 9))]).await;
    assert_eq!(job_handle(&r), job);
    assert!(wait_inactive(&app, &co, &job).await);
    app.handle_of(U, &co, "one").await;
    app.handle_of(U, &co, "two").await;
    let r = app
        .ok(
            U,
            "getJobLogs",
            &format!("<companyHandle>{co}</companyHandle>"),
        )
        .await;
    assert_eq!(
        field(&items(&r.payload(), "jobLogArray")[0], "totalFileCount"),
        "2"
    );
    // A finished job takes no more files.
    let r = app.upload_raw(U, &end, &[("three.jpg", &jpeg(9, 9))]).await;
    assert_eq!(field(&r.xml(), "code"), "30001");
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_jobs_time_out() {
    let (app, co, _) = setup_with(|c| c.upload_job_timeout_secs = 1).await;
    let r = app
        .upload_raw(
            U,
            &format!("<companyHandle>{co}</companyHandle><jobName>idle</jobName>"),
            &[],
        )
        .await;
    let job = job_handle(&r);
    assert_eq!(ipsd::upload::finish_idle_jobs(&app.st).await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(ipsd::upload::finish_idle_jobs(&app.st).await.unwrap(), 1);
    assert!(wait_inactive(&app, &co, &job).await);
}

//! Render admission (issue 5): past the pixel budget copyImage answers the busy fault
//! (ipsApiFault 30004, a server-side fault) at once and stores nothing; plain copies, which do
//! not render, are never refused; `/is/image` answers 503 with `Retry-After`; with one render
//! slot, concurrent renders queue and all finish, and uploads' validation decodes queue with
//! them.
//! No timing is involved: the budget is filled by holding an admission ticket.

mod common;

use common::*;

const U: &str = "u@test.local";

async fn world(slots: usize, budget: u64) -> (TestApp, String, String, String) {
    let app = TestApp::with_config(|c| {
        c.render_slots = slots;
        c.render_queue_pixels = budget;
    })
    .await;
    let (co, root) = app.company("Busy Co").await;
    app.user(U, "IpsUser", &co).await;
    let src = app.upload_image(U, &co, "src").await;
    (app, co, format!("f|{root}/"), src)
}

fn copy(co: &str, src: &str, folder: &str, name: &str, modifier: &str) -> String {
    format!(
        "<companyHandle>{co}</companyHandle><assetHandle>{src}</assetHandle>\
         <folderHandle>{folder}</folderHandle><name>{name}</name><urlModifier>{modifier}</urlModifier>"
    )
}

async fn exists(app: &TestApp, co: &str, name: &str) -> bool {
    let r = app
        .ok(
            U,
            "getAssetsByName",
            &format!(
                "<companyHandle>{co}</companyHandle><nameArray><items>{name}</items></nameArray>"
            ),
        )
        .await;
    !items(&r.payload(), "assetArray").is_empty()
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_fault_stores_nothing_and_clears() {
    let (app, co, folder, src) = world(2, 1_000).await;
    let blobs = app.blob_files();
    // Another render holds the whole budget.
    let held = app.st.admission.admit(1_000).unwrap();
    let body = copy(&co, &src, &folder, "thumb", "wid=20&amp;fmt=jpeg");
    let r = app.call_ns(NS, U, "copyImage", &body).await;
    assert_eq!(r.status, 500, "{}", r.text());
    assert_eq!(r.fault(), ("ipsApiFault".to_string(), 30004));
    assert!(r.reason().contains("busy"), "{}", r.reason());
    assert!(
        r.text().contains("Server"),
        "a server-side fault: {}",
        r.text()
    );
    assert!(!exists(&app, &co, "thumb").await);
    assert_eq!(app.blob_files(), blobs);
    // A plain copy does not render: never refused.
    let plain = copy(&co, &src, &folder, "plain", "");
    app.ok(U, "copyImage", &plain).await;
    // Validation comes first: a bad name is 30001, not busy.
    let bad = copy(&co, &src, &folder, "a/b", "wid=20");
    assert_eq!(app.fault(U, "copyImage", &bad).await, 30001);
    drop(held);
    assert_eq!(app.st.admission.admitted(), 0);
    app.ok(U, "copyImage", &body).await;
    assert!(exists(&app, &co, "thumb").await);
    assert_eq!(app.st.admission.admitted(), 0, "tickets are given back");
}

/// `/is/image` shares the budget: past it the reply is a plain-text 503 with `Retry-After`.
#[tokio::test(flavor = "multi_thread")]
async fn image_serving_answers_503_when_busy() {
    let (app, co, folder, src) = world(2, 1_000).await;
    app.ok(U, "copyImage", &copy(&co, &src, &folder, "pic", ""))
        .await;
    let root = folder.trim_start_matches("f|").trim_end_matches('/');
    let url = format!("/is/image/{root}/pic?wid=20&fmt=png");
    let held = app.st.admission.admit(1_000).unwrap();
    let r = app.get(&url, &[]).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.headers["retry-after"], "1");
    assert!(String::from_utf8_lossy(&r.body).contains("busy"));
    drop(held);
    let r = app.get(&url, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(app.st.admission.admitted(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_slot_queues_every_render() {
    let (app, co, folder, src) = world(1, 0).await;
    let calls: Vec<_> = (0..6)
        .map(|i| {
            let body = copy(&co, &src, &folder, &format!("c{i}"), "wid=30&amp;rotate=90");
            app.spawn_call("copyImage", U, &body)
        })
        .collect();
    for c in calls {
        let r = c.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }
    for i in 0..6 {
        assert!(exists(&app, &co, &format!("c{i}")).await);
    }
    assert_eq!(app.st.admission.admitted(), 0);
}

/// An upload's validation decode queues for a render slot like a render does, and goes on as
/// soon as one is free: uploads and renders together decode at most one image per slot.
#[tokio::test(flavor = "multi_thread")]
async fn uploads_decode_under_a_render_slot() {
    let (app, co, _, _) = world(1, 0).await;
    let app = std::sync::Arc::new(app);
    let held = app.st.admission.slot().await;
    let up = {
        let (app, co) = (app.clone(), co.clone());
        tokio::spawn(async move {
            let img = jpeg(40, 30);
            app.upload(U, &co, "queued", &[("queued.jpg", &img)], "")
                .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!up.is_finished(), "the upload decoded without a slot");
    assert!(!exists(&app, &co, "queued").await);
    drop(held);
    let r = up.await.unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(exists(&app, &co, "queued").await);
    assert_eq!(app.st.admission.free_slots(), 1);
}

/// Concurrent renders of one source may share its decode (`render::shared`); each copy still
/// gets its own commands' result, and nothing stays in the table of decodes in flight.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_copies_of_one_source_each_get_their_own_result() {
    let (app, co, folder, src) = world(2, 0).await;
    let sizes = [("wid=30", (30, 23)), ("hei=20&amp;rotate=90", (15, 20))];
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let m = sizes[i % 2].0;
            let body = copy(&co, &src, &folder, &format!("s{i}"), m);
            app.spawn_call("copyImage", U, &body)
        })
        .collect();
    for c in calls {
        let r = c.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }
    for i in 0..8 {
        let h = app.handle_of(U, &co, &format!("s{i}")).await;
        let got = app.image_size(U, &co, &h).await;
        let want = sizes[i % 2].1;
        assert_eq!(got, (want.0.to_string(), want.1.to_string()), "s{i}");
    }
    let runs = app.st.decodes.runs();
    assert!((1..=8).contains(&runs), "{runs} decodes");
    assert_eq!(app.st.decodes.in_flight(), 0);
}

#[test]
fn config_defaults_and_validation() {
    use ipsd::config::RawConfig;
    let c = RawConfig::default().validate().unwrap();
    assert_eq!(c.render_slots, ipsd::config::cores());
    assert_eq!(
        c.render_queue_pixels,
        ipsd::config::QUEUE_PIXELS_PER_CORE * ipsd::config::cores() as u64
    );
    let bad = RawConfig {
        render_slots: Some("0".into()),
        render_queue_pixels: Some("lots".into()),
        ..RawConfig::default()
    }
    .validate()
    .unwrap_err();
    assert!(
        bad.iter().any(|e| e.contains("IPSD_RENDER_SLOTS")),
        "{bad:?}"
    );
    assert!(
        bad.iter().any(|e| e.contains("IPSD_RENDER_QUEUE_PIXELS")),
        "{bad:?}"
    );
}

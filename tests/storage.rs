//! Blob store tests: content addressing, dedupe, orphan collection, digest validation, the gate.

use bytes::Bytes;
use ipsd::storage::BlobStore;
use std::collections::HashSet;
use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

fn store() -> (tempfile::TempDir, BlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(dir.path().join("blobs")).unwrap();
    (dir, store)
}

#[tokio::test(flavor = "multi_thread")]
async fn put_then_get_round_trips_under_the_fanout_path() {
    let (_dir, store) = store();
    let digest = store.put(Bytes::from_static(b"hello")).await.unwrap();
    assert_eq!(
        digest,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    assert_eq!(digest, BlobStore::digest(b"hello"));
    let path = store.path(&digest).unwrap();
    assert_eq!(path, store.root().join("2c").join(&digest));
    assert!(path.is_file());
    assert_eq!(
        store.get(&digest).await.unwrap(),
        Bytes::from_static(b"hello")
    );
    assert!(store.exists(&digest).await.unwrap());
    let tmp = std::fs::read_dir(store.root().join("tmp")).unwrap().count();
    assert_eq!(tmp, 0, "no temp file is left behind");
}

/// Reads of big blobs go through reused buffers (`ipsd::buffers`): each read, one after the
/// other and while an earlier one is still held, returns exactly its own bytes.
#[tokio::test(flavor = "multi_thread")]
async fn big_blobs_read_through_reused_buffers_are_exact() {
    let (_dir, store) = store();
    let blob = |n: usize, seed: u8| -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
    };
    let (a, b) = (blob(3 << 20, 1), blob((3 << 20) - 999, 2));
    let da = store.put(Bytes::from(a.clone())).await.unwrap();
    let db = store.put(Bytes::from(b.clone())).await.unwrap();
    let dz = store.put(Bytes::new()).await.unwrap();
    for _ in 0..3 {
        let held = store.get(&da).await.unwrap();
        assert_eq!(held, a);
        assert_eq!(store.get(&db).await.unwrap(), b);
        drop(held);
        assert_eq!(
            store.get(&db).await.unwrap(),
            b,
            "after a bigger buffer came back"
        );
        assert!(store.get(&dz).await.unwrap().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn identical_content_is_stored_once() {
    let (_dir, store) = store();
    let a = store.put(Bytes::from_static(b"same")).await.unwrap();
    let b = store.put(Bytes::from_static(b"same")).await.unwrap();
    let c = store.put(Bytes::from_static(b"other")).await.unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let fanout = store.root().join(&a[..2]);
    assert_eq!(std::fs::read_dir(fanout).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_puts_of_one_blob_all_succeed() {
    let (_dir, store) = store();
    let store = Arc::new(store);
    let data = Bytes::from(vec![7u8; 256 * 1024]);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, data) = (store.clone(), data.clone());
            tokio::spawn(async move { store.put(data).await })
        })
        .collect();
    let mut digests = HashSet::new();
    for t in tasks {
        digests.insert(t.await.unwrap().unwrap());
    }
    assert_eq!(digests.len(), 1);
    let digest = digests.into_iter().next().unwrap();
    assert_eq!(store.get(&digest).await.unwrap(), data);
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_copy_is_rewritten() {
    let (_dir, store) = store();
    let digest = store.put(Bytes::from_static(b"complete")).await.unwrap();
    std::fs::write(store.path(&digest).unwrap(), b"comp").unwrap();
    store.put(Bytes::from_static(b"complete")).await.unwrap();
    assert_eq!(
        store.get(&digest).await.unwrap(),
        Bytes::from_static(b"complete")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_removes_and_tolerates_missing() {
    let (_dir, store) = store();
    let digest = store.put(Bytes::from_static(b"bye")).await.unwrap();
    store.delete(&digest).await.unwrap();
    assert!(!store.exists(&digest).await.unwrap());
    let err = store.get(&digest).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    store.delete(&digest).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn orphans_and_temp_files_are_collected() {
    let (_dir, store) = store();
    let keep = store.put(Bytes::from_static(b"keep")).await.unwrap();
    let drop = store.put(Bytes::from_static(b"drop")).await.unwrap();
    std::fs::write(store.root().join("tmp").join("partial.tmp"), b"x").unwrap();
    std::fs::write(store.root().join(&keep[..2]).join("stray"), b"x").unwrap();
    std::fs::write(store.root().join("README"), b"not a blob dir").unwrap();

    let referenced = HashSet::from([keep.clone()]);
    let removed = store.collect_orphans(&referenced).await.unwrap();

    assert_eq!(removed, 3, "orphan blob, temp file and stray file");
    assert!(store.exists(&keep).await.unwrap());
    assert!(!store.exists(&drop).await.unwrap());
    assert_eq!(
        std::fs::read_dir(store.root().join("tmp")).unwrap().count(),
        0
    );
    assert!(
        store.root().join("README").exists(),
        "files outside fan-out dirs are left"
    );
    assert_eq!(store.collect_orphans(&referenced).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_digests_never_reach_the_filesystem() {
    let (_dir, store) = store();
    let good = BlobStore::digest(b"x");
    let bad = [
        String::new(),
        "../../etc/passwd".to_string(),
        good.to_uppercase(),
        good[..63].to_string(),
        format!("{good}0"),
        format!("{}/{}", &good[..2], &good[3..]),
        format!("{}g", &good[..63]),
    ];
    for d in &bad {
        assert!(!BlobStore::is_valid_digest(d), "{d:?}");
        assert_eq!(store.path(d).unwrap_err().kind(), ErrorKind::InvalidInput);
        assert_eq!(
            store.get(d).await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            store.delete(d).await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    assert!(BlobStore::is_valid_digest(&good));
}

#[tokio::test(flavor = "multi_thread")]
async fn purge_guard_waits_for_writers() {
    let (_dir, store) = store();
    let store = Arc::new(store);
    let writer = store.write_guard().await;
    let second_writer = tokio::time::timeout(Duration::from_millis(50), store.write_guard()).await;
    assert!(second_writer.is_ok(), "writers share the gate");
    drop(second_writer);

    let purger = {
        let store = store.clone();
        tokio::spawn(async move {
            let _g = store.purge_guard().await;
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !purger.is_finished(),
        "purge must wait while a writer holds the gate"
    );
    drop(writer);
    tokio::time::timeout(Duration::from_secs(5), purger)
        .await
        .expect("purge proceeds once writers are done")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_dropped_spares_blobs_referenced_again() {
    use ipsd::catalog::{ImageMeta, NewAsset, ReplaceData};
    let (dir, store) = store();
    let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
    let cat = ipsd::catalog::open(&url).await.unwrap();
    let co = cat
        .create_company("Co", "Co/", chrono::Utc::now())
        .await
        .unwrap();
    let root = cat.folder_by_path(co.id, "Co/").await.unwrap().unwrap();
    let (old, new) = (Bytes::from_static(b"old"), Bytes::from_static(b"new"));
    let old_digest = store.put(old.clone()).await.unwrap();
    let new_digest = store.put(new).await.unwrap();
    let asset = |name: &str| NewAsset {
        company_id: co.id,
        asset_type: "Image".into(),
        name: name.into(),
        folder_id: root.id,
        file_name: format!("{name}.jpg"),
        blob: old_digest.clone(),
        image: ImageMeta::default(),
        user: "u".into(),
        ready_for_publish: false,
    };
    let a = cat.insert_asset(&asset("a")).await.unwrap();
    let replace = ReplaceData {
        file_name: "a.jpg".into(),
        blob: new_digest.clone(),
        image: ImageMeta::default(),
        user: "u".into(),
        ready_for_publish: None,
    };
    let dropped = cat.replace_asset_data(co.id, a.id, &replace).await.unwrap();
    assert_eq!(dropped, vec![old_digest.clone()]);

    // Before the file goes, another upload stores the same content again.
    assert_eq!(store.put(old).await.unwrap(), old_digest);
    cat.insert_asset(&asset("b")).await.unwrap();
    assert_eq!(store.delete_dropped(&*cat, &dropped).await.unwrap(), 0);
    assert!(
        store.exists(&old_digest).await.unwrap(),
        "re-referenced blob kept"
    );

    let b = cat.assets_by_name(co.id, &["b".to_string()]).await.unwrap();
    let dropped = cat
        .replace_asset_data(co.id, b[0].id, &replace)
        .await
        .unwrap();
    assert_eq!(store.delete_dropped(&*cat, &dropped).await.unwrap(), 1);
    assert!(!store.exists(&old_digest).await.unwrap());
    assert!(store.exists(&new_digest).await.unwrap());
}

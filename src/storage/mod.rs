//! Blob store: the image bytes behind catalog assets, content-addressed on local disk.
//!
//! Sits beside `catalog` under `api`: an upload first `put`s its bytes here (getting the sha256
//! digest), then the catalog records the asset and counts a reference to that digest in the
//! same transaction. Purging trash works the other way round: the catalog removes the rows and
//! returns digests whose count reached zero, and only then are those files `delete`d. Layout:
//! `<root>/<aa>/<digest>` where `aa` are the first two hex characters, plus `<root>/tmp/` for
//! writes in progress.
//!
//! Crash safety: a blob is written to a unique file in `tmp/`, fsynced, renamed into place and
//! its directory fsynced, so a blob path either holds complete bytes or does not exist. A
//! crash can leave a file no row references (written, not yet committed) or junk in `tmp/`;
//! [`BlobStore::collect_orphans`], run at startup with the catalog's `referenced_blobs`,
//! removes both.
//!
//! The write/purge gate: `put` skips writing when the file already exists, so an upload may
//! rely on a file whose last catalog reference is being dropped at the same moment (by a purge
//! or by another upload overwriting its asset). To rule out deleting such a file:
//! * writers hold [`BlobStore::write_guard`] (shared) from before `put` until their catalog
//!   transaction has committed;
//! * digests returned by `purge_trash` / `replace_asset_data` are handed, after the caller has
//!   released any write guard, to [`BlobStore::delete_dropped`], which takes
//!   [`BlobStore::purge_guard`] (exclusive: no writer is between `put` and commit), re-reads
//!   the catalog's references and deletes only files still unreferenced;
//! * a writer whose transaction fails after its `put` (a name taken meanwhile) hands its
//!   digest the same way to [`BlobStore::discard`], so a lost race leaves no file behind;
//! * [`BlobStore::collect_orphans`] takes the purge guard too.
//!
//! Writers never wait on each other; a deletion waits for in-flight writers and briefly blocks
//! new ones. Never request the purge guard while holding a write guard: that deadlocks.

use crate::catalog::Catalog;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// Name of the directory holding writes in progress.
const TMP_DIR: &str = "tmp";

/// Content-addressed file store. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct BlobStore {
    root: PathBuf,
    gate: Arc<RwLock<()>>,
}

impl BlobStore {
    /// Opens the store at `root` (e.g. `<data-dir>/blobs`), creating it and `tmp/` if missing.
    pub fn open(root: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(root.join(TMP_DIR))?;
        Ok(Self {
            root,
            gate: Arc::new(RwLock::new(())),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Lower-case hex sha256 of `bytes`: the blob's name.
    pub fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// True for exactly 64 lower-case hex characters.
    pub fn is_valid_digest(digest: &str) -> bool {
        digest.len() == 64
            && digest
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// Where the blob lives (whether or not it exists). InvalidInput for a malformed digest.
    pub fn path(&self, digest: &str) -> io::Result<PathBuf> {
        check_digest(digest)?;
        Ok(blob_path(&self.root, digest))
    }

    /// Stores `bytes` unless a blob with the same digest exists; returns the digest.
    /// Hold [`Self::write_guard`] until the catalog references the digest.
    pub async fn put(&self, bytes: Bytes) -> io::Result<String> {
        let root = self.root.clone();
        blocking(move || put_blocking(&root, &bytes)).await
    }

    /// The blob's bytes. NotFound when absent, InvalidInput for a malformed digest.
    pub async fn get(&self, digest: &str) -> io::Result<Bytes> {
        let path = self.path(digest)?;
        blocking(move || read_pooled(&path)).await
    }

    /// Whether the blob file exists.
    pub async fn exists(&self, digest: &str) -> io::Result<bool> {
        let path = self.path(digest)?;
        blocking(move || path.try_exists()).await
    }

    /// Removes the blob file; a missing file is not an error. Call only for digests the
    /// catalog reported as unreferenced, while holding [`Self::purge_guard`] (or use
    /// [`Self::delete_dropped`], which does both).
    pub async fn delete(&self, digest: &str) -> io::Result<()> {
        let path = self.path(digest)?;
        blocking(move || match fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })
        .await
    }

    /// Deletes the files of `dropped` digests (from `purge_trash` / `replace_asset_data`) that
    /// the catalog still does not reference, under the purge guard; returns how many files went.
    /// Call without holding a write guard.
    pub async fn delete_dropped(
        &self,
        catalog: &dyn Catalog,
        dropped: &[String],
    ) -> io::Result<usize> {
        if dropped.is_empty() {
            return Ok(0);
        }
        let _purge = self.purge_guard().await;
        let referenced: HashSet<String> = catalog
            .referenced_among(dropped)
            .await
            .map_err(io::Error::other)?
            .into_iter()
            .collect();
        let mut deleted = 0;
        for digest in dropped.iter().filter(|d| !referenced.contains(*d)) {
            self.delete(digest).await?;
            deleted += 1;
        }
        Ok(deleted)
    }

    /// A blob `put` for a write whose catalog transaction did not commit (a name taken
    /// meanwhile, a skipped duplicate, a failed insert): its file is deleted unless the catalog
    /// references that digest (the same bytes stored for another asset), as `delete_dropped`
    /// does. Call after releasing the write guard. Failures are logged, not returned: the
    /// caller has already failed, and `collect_orphans` removes the file at the next start.
    pub async fn discard(&self, catalog: &dyn Catalog, digest: &str) {
        if let Err(e) = self.delete_dropped(catalog, &[digest.to_string()]).await {
            tracing::error!(error = %e, digest, "deleting an uncommitted blob; left for the next start");
        }
    }

    /// Deletes every blob file whose digest is not in `referenced`, every stray file in the
    /// fan-out directories, and everything in `tmp/`. Returns how many files were removed.
    /// Meant for startup, before serving; it takes the purge guard itself.
    pub async fn collect_orphans(&self, referenced: &HashSet<String>) -> io::Result<usize> {
        let _purge = self.purge_guard().await;
        let root = self.root.clone();
        let referenced = referenced.clone();
        blocking(move || collect_blocking(&root, &referenced)).await
    }

    /// Shared side of the gate: hold from before `put` until the catalog commit.
    pub async fn write_guard(&self) -> OwnedRwLockReadGuard<()> {
        self.gate.clone().read_owned().await
    }

    /// Exclusive side of the gate: no writer is between `put` and commit while it is held.
    pub async fn purge_guard(&self) -> OwnedRwLockWriteGuard<()> {
        self.gate.clone().write_owned().await
    }
}

// ---- blocking helpers (run on tokio's blocking pool) -----------------------------------------

/// The file's bytes in a buffer from `crate::buffers`, which goes back there when the last
/// `Bytes` that shares it is dropped (a render reads its source once per call).
fn read_pooled(path: &Path) -> io::Result<Bytes> {
    let file = File::open(path)?;
    let size = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
    read_sized(file, size)
}

/// Exactly `size` bytes from `r`, which must end there: a blob never changes once in place, so
/// a shorter file (`UnexpectedEof`) or a longer one (`InvalidData`) is damage, reported as such.
fn read_sized(mut r: impl Read, size: usize) -> io::Result<Bytes> {
    let mut buf = Pooled(crate::buffers::take(size));
    r.read_exact(&mut buf.0)?;
    if r.read(&mut [0u8; 1])? != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "blob grew while read",
        ));
    }
    Ok(Bytes::from_owner(buf))
}

/// A buffer that returns to `crate::buffers` when dropped.
struct Pooled(Vec<u8>);

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        crate::buffers::give(std::mem::take(&mut self.0));
    }
}

async fn blocking<T, F>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| io::Error::other(format!("blob task failed: {e}")))?
}

fn check_digest(digest: &str) -> io::Result<()> {
    if BlobStore::is_valid_digest(digest) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("malformed blob digest {digest:?}"),
        ))
    }
}

fn blob_path(root: &Path, digest: &str) -> PathBuf {
    root.join(&digest[..2]).join(digest)
}

fn put_blocking(root: &Path, bytes: &[u8]) -> io::Result<String> {
    let digest = BlobStore::digest(bytes);
    let dest = blob_path(root, &digest);
    if already_stored(&dest, bytes.len())? {
        return Ok(digest);
    }
    let dir = dest.parent().expect("blob path has a parent");
    if !dir.is_dir() {
        fs::create_dir_all(dir)?;
        sync_dir(root)?;
    }
    let tmp = write_temp(root, &digest, bytes)?;
    if let Err(e) = fs::rename(&tmp, &dest) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir)?;
    Ok(digest)
}

/// A complete copy exists (same length; the name already vouches for the content).
fn already_stored(dest: &Path, len: usize) -> io::Result<bool> {
    match fs::metadata(dest) {
        Ok(m) => Ok(m.is_file() && m.len() == len as u64),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to a fresh, uniquely named file in `tmp/` and fsyncs it.
fn write_temp(root: &Path, digest: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let name = format!(
        "{digest}.{}.{seq}.{:016x}",
        std::process::id(),
        rand::random::<u64>()
    );
    let tmp = root.join(TMP_DIR).join(name);
    let result = File::create_new(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn collect_blocking(root: &Path, referenced: &HashSet<String>) -> io::Result<usize> {
    let mut removed = clear_dir(&root.join(TMP_DIR))?;
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let is_fanout = name.len() == 2
            && name
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_hexdigit()));
        if is_fanout && entry.file_type()?.is_dir() {
            removed += collect_fanout(&entry.path(), referenced)?;
        }
    }
    Ok(removed)
}

/// Removes files in one fan-out directory that are not referenced blobs.
fn collect_fanout(dir: &Path, referenced: &HashSet<String>) -> io::Result<usize> {
    let prefix = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let keep = BlobStore::is_valid_digest(&name)
            && name.starts_with(prefix)
            && referenced.contains(&name);
        if !keep && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes every file in `dir` (which must not contain subdirectories worth keeping).
fn clear_dir(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exactly_the_size_and_reports_a_shorter_or_longer_blob() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        let got = read_sized(&data[..], data.len()).expect("exact");
        assert_eq!(&got[..], &data[..]);
        let short = read_sized(&data[..4999], data.len()).expect_err("short");
        assert_eq!(short.kind(), io::ErrorKind::UnexpectedEof);
        let long = read_sized(&data[..], 4999).expect_err("long");
        assert_eq!(long.kind(), io::ErrorKind::InvalidData);
        assert!(long.to_string().contains("grew"), "{long}");
        assert!(read_sized(&[][..], 0).expect("empty").is_empty());
    }
}

//! Password hashing with argon2id (PHC strings). Hashing and verification run on the blocking
//! pool; passwords are never logged.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashes a password into an argon2id PHC string.
pub fn hash(pw: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Hashes on the blocking pool.
pub async fn hash_async(pw: String) -> String {
    tokio::task::spawn_blocking(move || hash(&pw))
        .await
        .expect("hash task")
}

/// Verifies on the blocking pool; a malformed stored hash never verifies.
pub async fn verify(phc: &str, pw: &str) -> bool {
    let (phc, pw) = (phc.to_string(), pw.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Spends about one verification's time so unknown e-mails are not distinguishable by timing.
pub async fn burn_time(pw: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("ipsd-timing-equalizer")).clone();
    let _ = verify(&phc, pw).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("s3cret");
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("s3cret"));
        assert!(verify(&h, "s3cret").await);
        assert!(!verify(&h, "wrong").await);
        assert!(!verify("garbage", "s3cret").await);
    }
}

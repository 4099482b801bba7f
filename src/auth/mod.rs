//! Authentication and authorization: verifies the caller's credentials (argon2id hashes, with a
//! short-lived in-memory cache so a render farm's every call does not pay a full argon2 run),
//! and answers role and company-membership questions for `api`.

pub mod password;
pub mod roles;

use crate::catalog::{Catalog, Company, User};
use crate::soap::fault::{self, Fault};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    pub fn email(&self) -> &str {
        &self.user.email
    }
    pub fn role(&self) -> &str {
        &self.user.default_role
    }
    pub fn is_admin(&self) -> bool {
        self.user.default_role == "IpsAdmin"
    }
    /// IpsAdmin sees every company; everyone else only those they are members of.
    pub fn can_access(&self, company: &Company) -> bool {
        self.is_admin() || self.user.companies.contains(&company.id)
    }
    /// Role check (20003), plus the rule that non-admins need an active membership (20006).
    pub fn authorize(&self, operation: &str) -> Result<(), Fault> {
        if !roles::allowed(self.role(), operation) {
            return Err(Fault::authorization(
                fault::NO_OPERATION_PERMISSION,
                format!("User does not have permission to access operation '{operation}'"),
            ));
        }
        if !self.is_admin() && self.user.companies.is_empty() {
            return Err(Fault::authorization(
                fault::ILLEGAL_COMPANY,
                "User is not an active member of any company",
            ));
        }
        Ok(())
    }
}

const CACHE_TTL: Duration = Duration::from_secs(300);

/// Verifies credentials against the catalog.
pub struct Authenticator {
    catalog: Arc<dyn Catalog>,
    /// lower-cased e-mail -> (digest of secret+hash+password, expiry)
    cache: Mutex<HashMap<String, ([u8; 32], Instant)>>,
    secret: [u8; 32],
}

impl Authenticator {
    pub fn new(catalog: Arc<dyn Catalog>) -> Self {
        Authenticator {
            catalog,
            cache: Mutex::new(HashMap::new()),
            secret: rand::random(),
        }
    }

    /// Authenticates e-mail and password: 10000 when either is missing, 10001 when they do not
    /// match, 10002 when the account is disabled or its password expired.
    pub async fn authenticate(
        &self,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<Caller, Fault> {
        let (Some(email), Some(pw)) = (user.filter(|u| !u.is_empty()), password) else {
            return Err(Fault::authentication(
                fault::NO_CREDENTIALS,
                "The request could not be authenticated: no credentials",
            ));
        };
        let bad = || Fault::authentication(fault::INVALID_CREDENTIALS, "Invalid username/password");
        let found = self.catalog.user_by_email(email).await.map_err(|e| {
            tracing::error!(error = %e, "user lookup failed");
            Fault::internal()
        })?;
        let Some(u) = found else {
            password::burn_time(pw).await;
            return Err(bad());
        };
        if !self.verify_cached(&u, pw).await {
            return Err(bad());
        }
        let expired = u.password_expires.is_some_and(|t| t < chrono::Utc::now());
        if !u.is_valid || expired {
            return Err(Fault::authentication(
                fault::INVALID_USER,
                "User account is not valid",
            ));
        }
        Ok(Caller { user: u })
    }

    /// Checks a password without the cache side effects mattering to the result (checkLogin).
    pub async fn check_password(&self, u: &User, pw: &str) -> bool {
        self.verify_cached(u, pw).await
    }

    async fn verify_cached(&self, u: &User, pw: &str) -> bool {
        let key = u.email.to_lowercase();
        let digest = self.digest(&u.password_hash, pw);
        let now = Instant::now();
        if let Some((d, exp)) = self.cache.lock().expect("auth cache").get(&key) {
            if *d == digest && *exp > now {
                return true;
            }
        }
        let ok = password::verify(&u.password_hash, pw).await;
        if ok {
            let mut c = self.cache.lock().expect("auth cache");
            if c.len() > 10_000 {
                c.retain(|_, (_, exp)| *exp > now);
            }
            c.insert(key, (digest, now + CACHE_TTL));
        }
        ok
    }

    fn digest(&self, hash: &str, pw: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(hash.as_bytes());
        h.update([0]);
        h.update(pw.as_bytes());
        h.finalize().into()
    }
}

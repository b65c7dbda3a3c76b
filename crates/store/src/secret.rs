//! Random tokens, hashing of session tokens, and argon2id password hashes (口令与会话令牌).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Fills `buf` from the operating system's random source, or fails: tokens, CSRF tokens and salts are
/// never made from anything guessable (fail closed; issue 20). The source does not fail on Linux.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), crate::error::StoreError> {
    OsRng.try_fill_bytes(buf).map_err(|e| {
        crate::error::StoreError::internal(format!(
            "the operating system's random source failed: {e}"
        ))
    })
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// 32 random bytes as 64 hex characters (session tokens, CSRF tokens).
pub(crate) fn random_token() -> Result<String, crate::error::StoreError> {
    let mut buf = [0u8; 32];
    fill_random(&mut buf)?;
    Ok(hex(&buf))
}

/// SHA-256 of a token, hex: what the sessions table stores instead of the token itself.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 20–40 ms on one core of this machine class.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// argon2id PHC string of `password` with a fresh random salt.
pub(crate) fn hash_password(password: &str) -> Result<String, String> {
    let mut salt_bytes = [0u8; 16];
    fill_random(&mut salt_bytes).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string `phc` (false for a malformed hash).
pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid argon2id hash of a random password, verified against when the user name is unknown so that a
/// login attempt takes as long for an unknown user as for a wrong password.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        random_token()
            .map_err(|e| e.to_string())
            .and_then(|t| hash_password(&t))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens() {
        let t = random_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_token().unwrap());
        assert_eq!(token_hash("abc").len(), 64);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

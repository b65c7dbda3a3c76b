//! Personal data at rest (个人信息加密存储, GB/T 32907 SM4; issue 19): the data key ring, SM4-GCM encryption
//! of a field, and the keyed SM3-HMAC blind indexes (盲索引) through which an encrypted field is still found.
//!
//! **Keys.** A data key is 32 random bytes with a version number (`1`, `2`, …); [`Keys`] holds every version
//! still in use, the highest being the current one. Each version's working keys are derived from it with
//! HMAC-SM3 under fixed labels: the SM4 key (16 bytes), the key of the ID-number index and the key of the
//! name index. New rows are written with the current version; `shouwang keys rotate` rewrites the others
//! (`repo::keys`). The key ring comes from the environment variable [`KEY_ENV`] or from the key file
//! [`KEY_FILE`] in the data folder, created readable by its owner only on the first start ([`keyfile`]).
//!
//! **Encryption.** SM4 in GCM (an authenticated mode: a changed byte fails the decryption rather than
//! yielding another value), a fresh random 96-bit nonce per value; the stored bytes are the key version
//! (2 bytes), the nonce and the ciphertext with its tag. No cipher is written here: SM4 is RustCrypto's
//! `sm4`, GCM the generic `AesGcm` of `aes-gcm`, SM3 and HMAC RustCrypto's `sm3` and `hmac`.
//!
//! **Blind indexes.** An exact search by ID number (and the import's lookup of registered members)
//! compares `members.id_key`, the first 63 bits of HMAC-SM3 of the 18-character number under the version's
//! index key: without the key it tells nothing about the number (the former key was the number itself,
//! packed). Names are found the same way through `members.name_key` (the whole name) and
//! `members.surname_key` (the surname, 姓氏), both under the version's name index key (migration 000020).
//! A search runs with every version of the ring, so it keeps working during a rotation.

pub mod keyfile;
pub mod sealed;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{AesGcm, KeyInit, Nonce};
use hmac::{Hmac, Mac};
use sm3::Sm3;
use sm4::Sm4;
use sm4::cipher::consts::U12;

use crate::error::{Result, StoreError};

pub use keyfile::{KEY_ENV, KEY_FILE};

/// SM4-GCM with a 96-bit nonce and a 128-bit tag.
type Sm4Gcm = AesGcm<Sm4, U12>;
type HmacSm3 = Hmac<Sm3>;

/// Bytes of a data key.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const VERSION_LEN: usize = 2;

/// One version of the data key, with the working keys derived from it.
#[derive(Clone)]
struct KeyVersion {
    version: u16,
    sm4: Sm4Gcm,
    id_index: HmacSm3,
    name_index: HmacSm3,
}

impl KeyVersion {
    fn derive(version: u16, key: &[u8; KEY_LEN]) -> Result<KeyVersion> {
        let sm4_key = label_mac(key, b"shouwang sm4-gcm data key")?;
        let sm4 = Sm4Gcm::new_from_slice(&sm4_key[..16]).map_err(StoreError::internal)?;
        let id_index = HmacSm3::new_from_slice(&label_mac(key, b"shouwang id-number index key")?)
            .map_err(StoreError::internal)?;
        let name_index = HmacSm3::new_from_slice(&label_mac(key, b"shouwang name index key")?)
            .map_err(StoreError::internal)?;
        Ok(KeyVersion {
            version,
            sm4,
            id_index,
            name_index,
        })
    }

    fn index(mac: &HmacSm3, value: &[u8]) -> i64 {
        let mut mac = mac.clone();
        mac.update(value);
        let out = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&out[..8]);
        i64::from_be_bytes(first) & i64::MAX
    }
}

/// HMAC-SM3 of `label` under `key`: one derived working key.
fn label_mac(key: &[u8], label: &[u8]) -> Result<[u8; 32]> {
    let mut mac = HmacSm3::new_from_slice(key).map_err(StoreError::internal)?;
    mac.update(label);
    Ok(mac.finalize().into_bytes().into())
}

/// The data key ring (数据密钥): every version still in use, the highest current. Cheap to clone.
#[derive(Clone, Default)]
pub struct Keys {
    /// Ascending by version; empty when no key is configured (a PostgreSQL database opened without
    /// [`KEY_ENV`] and without [`crate::Db::with_keys`]).
    versions: std::sync::Arc<Vec<KeyVersion>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys themselves.
        f.debug_struct("Keys")
            .field("versions", &self.versions().collect::<Vec<_>>())
            .finish()
    }
}

impl Keys {
    /// A ring of the given `(version, key)` pairs. Versions are 1 to 65535 and distinct.
    pub fn new(keys: &[(u16, [u8; KEY_LEN])]) -> Result<Keys> {
        let mut versions = keys
            .iter()
            .map(|(v, k)| {
                if *v == 0 {
                    return Err(StoreError::invalid(
                        "数据密钥的版本号应从 1 开始",
                        "Data key versions start at 1",
                    ));
                }
                KeyVersion::derive(*v, k)
            })
            .collect::<Result<Vec<_>>>()?;
        versions.sort_by_key(|k| k.version);
        if versions.windows(2).any(|w| w[0].version == w[1].version) {
            return Err(StoreError::invalid(
                "数据密钥的版本号重复",
                "A data key version appears twice",
            ));
        }
        Ok(Keys {
            versions: std::sync::Arc::new(versions),
        })
    }

    /// A ring of one fresh random key, version 1 (an in-memory database, tests).
    pub fn generate() -> Result<Keys> {
        Keys::new(&[(1, random_key()?)])
    }

    /// Whether a key is configured.
    pub fn is_configured(&self) -> bool {
        !self.versions.is_empty()
    }

    /// The versions of the ring, ascending.
    pub fn versions(&self) -> impl Iterator<Item = u16> + '_ {
        self.versions.iter().map(|k| k.version)
    }

    fn current_key(&self) -> Result<&KeyVersion> {
        self.versions.last().ok_or_else(|| {
            StoreError::invalid(
                format!(
                    "未配置数据密钥：请设置环境变量 {KEY_ENV}，或使用数据目录中的密钥文件 {KEY_FILE}"
                ),
                format!(
                    "No data key configured: set {KEY_ENV}, or use the key file {KEY_FILE} of the data folder"
                ),
            )
        })
    }

    /// The current version (the one new rows are written with).
    pub fn current(&self) -> Result<u16> {
        Ok(self.current_key()?.version)
    }

    fn key(&self, version: u16) -> Result<&KeyVersion> {
        self.versions
            .iter()
            .find(|k| k.version == version)
            .ok_or_else(|| {
                StoreError::invalid(
                    format!("缺少第 {version} 版数据密钥，无法解密"),
                    format!("Data key version {version} is missing: cannot decrypt"),
                )
            })
    }

    /// The ID-number blind index of `id` (its 18 characters) under the current key.
    pub fn id_index(&self, id: &[u8]) -> Result<i64> {
        Ok(KeyVersion::index(&self.current_key()?.id_index, id))
    }

    /// The ID-number blind index of `id` under key `version`.
    pub fn id_index_of(&self, version: u16, id: &[u8]) -> Result<i64> {
        Ok(KeyVersion::index(&self.key(version)?.id_index, id))
    }

    /// The ID-number blind index of `id` under every version of the ring (a search during a rotation).
    pub fn id_indexes(&self, id: &[u8]) -> Vec<i64> {
        self.versions
            .iter()
            .map(|k| KeyVersion::index(&k.id_index, id))
            .collect()
    }

    /// The name blind index of `prefix` (a surname or a whole name) under the current key.
    pub fn name_index(&self, prefix: &str) -> Result<i64> {
        Ok(KeyVersion::index(
            &self.current_key()?.name_index,
            prefix.as_bytes(),
        ))
    }

    /// The name blind index of `name` under every version of the ring (a search during a rotation).
    pub fn name_indexes(&self, name: &str) -> Vec<i64> {
        self.versions
            .iter()
            .map(|k| KeyVersion::index(&k.name_index, name.as_bytes()))
            .collect()
    }

    /// `plain` encrypted with SM4-GCM under the current key, bound to `context` (the column it is stored
    /// in, say: a value copied to another column does not decrypt there).
    pub fn encrypt(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let key = self.current_key()?;
        let mut nonce = [0u8; NONCE_LEN];
        crate::secret::fill_random(&mut nonce)?;
        let sealed = key
            .sm4
            .encrypt(
                &Nonce::<U12>::from(nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .map_err(|_| StoreError::internal("SM4-GCM encryption failed"))?;
        let mut out = Vec::with_capacity(VERSION_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(&key.version.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The key version a value of [`Keys::encrypt`] was written with.
    pub fn version_of(sealed: &[u8]) -> Option<u16> {
        sealed
            .get(..VERSION_LEN)
            .map(|v| u16::from_be_bytes([v[0], v[1]]))
    }

    /// The plain bytes of a value of [`Keys::encrypt`] under the same `context`; an altered value, another
    /// context or an unknown key version is an error, never other bytes.
    pub fn decrypt(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let version =
            Keys::version_of(sealed).ok_or_else(|| StoreError::corrupt("sealed value"))?;
        let key = self.key(version)?;
        let nonce = sealed
            .get(VERSION_LEN..VERSION_LEN + NONCE_LEN)
            .ok_or_else(|| StoreError::corrupt("sealed value"))?;
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(nonce);
        key.sm4
            .decrypt(
                &Nonce::<U12>::from(n),
                Payload {
                    msg: &sealed[VERSION_LEN + NONCE_LEN..],
                    aad: context,
                },
            )
            .map_err(|_| StoreError::corrupt("sealed value (authentication failed)"))
    }
}

/// 32 random bytes from the operating system: a new data key.
pub fn random_key() -> Result<[u8; KEY_LEN]> {
    let mut key = [0u8; KEY_LEN];
    crate::secret::fill_random(&mut key)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keys {
        Keys::new(&[(1, [7u8; KEY_LEN]), (2, [9u8; KEY_LEN])]).unwrap()
    }

    /// GB/T 32907-2016 appendix A, example 1: the standard's test vector, through the crate we use.
    #[test]
    fn sm4_is_the_standard_block_cipher() {
        use sm4::cipher::{BlockCipherEncrypt, KeyInit as _};
        let key: [u8; 16] = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ];
        let cipher = Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::Block::<Sm4>::from(key);
        cipher.encrypt_block(&mut block);
        assert_eq!(
            block.as_slice(),
            [
                0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e, 0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e,
                0x42, 0x46
            ]
        );
    }

    /// GB/T 32905-2016 appendix A, example 1: SM3("abc").
    #[test]
    fn sm3_is_the_standard_hash() {
        use sm3::Digest;
        let out = Sm3::digest(b"abc");
        assert_eq!(
            crate::secret::hex(&out),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn a_value_round_trips_and_is_not_stored_plain() {
        let keys = ring();
        let id = b"141123199001011234";
        let a = keys.encrypt(id, b"members.id_number").unwrap();
        let b = keys.encrypt(id, b"members.id_number").unwrap();
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.windows(id.len()).any(|w| w == id));
        assert_eq!(Keys::version_of(&a), Some(2));
        assert_eq!(keys.decrypt(&a, b"members.id_number").unwrap(), id);
    }

    #[test]
    fn an_altered_value_or_another_context_fails() {
        let keys = ring();
        let mut sealed = keys.encrypt("张三".as_bytes(), b"members.name").unwrap();
        assert!(keys.decrypt(&sealed, b"members.id_number").is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(keys.decrypt(&sealed, b"members.name").is_err());
        assert!(keys.decrypt(&sealed[..5], b"members.name").is_err());
    }

    #[test]
    fn an_old_version_still_decrypts_and_a_missing_one_is_an_error() {
        let old = Keys::new(&[(1, [7u8; KEY_LEN])]).unwrap();
        let sealed = old.encrypt(b"x", b"c").unwrap();
        assert_eq!(ring().decrypt(&sealed, b"c").unwrap(), b"x");
        let newer = Keys::new(&[(2, [9u8; KEY_LEN])]).unwrap();
        assert!(newer.decrypt(&sealed, b"c").is_err());
    }

    #[test]
    fn blind_indexes_are_keyed_and_per_version() {
        let keys = ring();
        let id = b"141123199001011234";
        let i2 = keys.id_index(id).unwrap();
        assert_eq!(i2, keys.id_index_of(2, id).unwrap());
        assert_ne!(i2, keys.id_index_of(1, id).unwrap());
        assert_eq!(
            keys.id_indexes(id),
            vec![keys.id_index_of(1, id).unwrap(), i2]
        );
        assert!(i2 >= 0);
        assert_ne!(
            i2,
            keys.name_index("141123199001011234").unwrap(),
            "one key per index"
        );
        let other = Keys::new(&[(2, [8u8; KEY_LEN])]).unwrap();
        assert_ne!(
            i2,
            other.id_index(id).unwrap(),
            "another key, another index"
        );
    }

    #[test]
    fn no_key_is_an_error_not_a_panic() {
        let none = Keys::default();
        assert!(!none.is_configured());
        assert!(none.id_index(b"1").is_err());
        assert!(none.encrypt(b"x", b"c").is_err());
        assert!(none.id_indexes(b"1").is_empty());
    }

    #[test]
    fn versions_start_at_one_and_are_distinct() {
        assert!(Keys::new(&[(0, [1u8; KEY_LEN])]).is_err());
        assert!(Keys::new(&[(1, [1u8; KEY_LEN]), (1, [2u8; KEY_LEN])]).is_err());
        assert_eq!(format!("{:?}", ring()), "Keys { versions: [1, 2] }");
    }
}

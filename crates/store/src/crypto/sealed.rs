//! Sealed columns (加密存储的个人信息字段, issue 19): a personal field stored as the SM4-GCM value of
//! [`Keys::encrypt`] under the column's name, in its text form (unpadded base64), so the column keeps its
//! SQL type on SQLite and PostgreSQL. The repositories seal on write and open on read (rows → domain
//! types); nothing above the store sees a sealed value.
//!
//! A row's `key_version` says how its sealed columns were written: `0` is a row from before sealing, whose
//! columns are still plain (a database being sealed by `repo::keys`, batch by batch); any other version is
//! sealed (the version itself is also inside the value, so a row half-way through a rotation opens too).
//! The name columns (migration 000020) have their own marker, `names_plain`, since they were sealed after
//! the others: a row may have its ID number sealed and its name not yet.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::Keys;
use crate::error::{Result, StoreError};

/// `members.id_number` (居民身份证号码).
pub const MEMBER_ID: &str = "members.id_number";
/// `households.head_id_number` (户主身份证号).
pub const HEAD_ID: &str = "households.head_id_number";
/// `households.phone` (联系电话).
pub const PHONE: &str = "households.phone";
/// `former_members.id_number`.
pub const FORMER_ID: &str = "former_members.id_number";
/// `former_members.member` (the whole member as he left, JSON).
pub const FORMER_MEMBER: &str = "former_members.member";

/// `assets.keeper_phone` (管护责任人联系电话).
pub const KEEPER_PHONE: &str = "assets.keeper_phone";
/// `grids.people` (网格长、网格员的姓名和联系电话, JSON).
pub const GRID_PEOPLE: &str = "grids.people";
/// `members.name` (姓名).
pub const MEMBER_NAME: &str = "members.name";
/// `households.head_name` (户主姓名).
pub const HEAD_NAME: &str = "households.head_name";
/// `former_members.name`.
pub const FORMER_NAME: &str = "former_members.name";

/// The `key_version` of a row whose columns are still plain.
pub const PLAIN: i32 = 0;

/// The first bytes of a sealed file (an attachment, 附件): the rest is a value of [`Keys::encrypt`]. A file
/// without them is a file from before sealing, kept plain until [`Keys::seal_file`] rewrites it; the
/// files accepted as attachments (JPEG, PNG, WebP, PDF) never start with them.
pub const FILE_MAGIC: &[u8] = b"SHOUWANG-SM4GCM\x01";

impl Keys {
    /// `plain` sealed for `column` under the current key, as stored.
    pub fn seal(&self, plain: &str, column: &str) -> Result<String> {
        Ok(STANDARD_NO_PAD.encode(self.encrypt(plain.as_bytes(), column.as_bytes())?))
    }

    /// The plain text of a value of `column` in a row written with `key_version` ([`PLAIN`]: returned
    /// as is). An altered value or a missing key version is an error, never other text.
    pub fn open(&self, stored: &str, column: &str, key_version: i32) -> Result<String> {
        if key_version == PLAIN {
            return Ok(stored.to_owned());
        }
        self.open_sealed(stored, column)
    }

    fn open_sealed(&self, stored: &str, column: &str) -> Result<String> {
        let bytes = STANDARD_NO_PAD
            .decode(stored)
            .map_err(|_| StoreError::corrupt(column))?;
        let plain = self.decrypt(&bytes, column.as_bytes())?;
        String::from_utf8(plain).map_err(|_| StoreError::corrupt(column))
    }

    /// The bytes of a file sealed under the current key, bound to `context` (the file's place, say: a file
    /// copied under another name does not open there).
    pub fn seal_file(&self, plain: &[u8], context: &str) -> Result<Vec<u8>> {
        let sealed = self.encrypt(plain, context.as_bytes())?;
        let mut out = Vec::with_capacity(FILE_MAGIC.len() + sealed.len());
        out.extend_from_slice(FILE_MAGIC);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plain bytes of a file as stored: opened when sealed (an altered file, another context or a
    /// missing key version is an error), as is when it is from before sealing.
    pub fn open_file(&self, stored: &[u8], context: &str) -> Result<Vec<u8>> {
        match stored.strip_prefix(FILE_MAGIC) {
            Some(sealed) => self.decrypt(sealed, context.as_bytes()),
            None => Ok(stored.to_vec()),
        }
    }

    /// The key version a stored file was sealed with; `None` for a plain file.
    pub fn file_version(stored: &[u8]) -> Option<u16> {
        stored.strip_prefix(FILE_MAGIC).and_then(Keys::version_of)
    }

    /// The plain text of a name column (migration 000020): `names_plain` says it is still stored plain
    /// (a row written before names were sealed), otherwise it is sealed like the other columns.
    pub fn open_name(&self, stored: &str, column: &str, names_plain: bool) -> Result<String> {
        if names_plain {
            return Ok(stored.to_owned());
        }
        self.open_sealed(stored, column)
    }

    /// [`Keys::seal`] of an optional value (`None` stays `None`).
    pub fn seal_opt(&self, plain: Option<&str>, column: &str) -> Result<Option<String>> {
        plain.map(|p| self.seal(p, column)).transpose()
    }

    /// [`Keys::open`] of an optional value.
    pub fn open_opt(
        &self,
        stored: Option<&str>,
        column: &str,
        key_version: i32,
    ) -> Result<Option<String>> {
        stored
            .map(|s| self.open(s, column, key_version))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_column_round_trips_and_holds_no_plain_text() {
        let keys = Keys::generate().unwrap();
        let id = "141123199001011234";
        let sealed = keys.seal(id, MEMBER_ID).unwrap();
        assert!(!sealed.contains(id));
        assert!(!sealed.contains("19900101"));
        assert_eq!(keys.open(&sealed, MEMBER_ID, 1).unwrap(), id);
        assert!(keys.open(&sealed, HEAD_ID, 1).is_err(), "another column");
        assert!(keys.open("not base64!", MEMBER_ID, 1).is_err());
        assert_eq!(keys.open(id, MEMBER_ID, PLAIN).unwrap(), id);
        assert_eq!(keys.seal_opt(None, PHONE).unwrap(), None);
        let scan = b"%PDF-1.4 \xe7\x94\xb3\xe8\xaf\xb7\xe4\xb9\xa6 141123199001011234";
        let file = keys.seal_file(scan, "141123/ab").unwrap();
        assert!(file.starts_with(FILE_MAGIC));
        assert!(!file.windows(18).any(|w| w == &scan[scan.len() - 18..]));
        assert_eq!(Keys::file_version(&file), Some(1));
        assert_eq!(keys.open_file(&file, "141123/ab").unwrap(), scan);
        assert!(keys.open_file(&file, "141123/cd").is_err(), "another place");
        let mut altered = file.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(keys.open_file(&altered, "141123/ab").is_err());
        assert_eq!(Keys::file_version(scan), None);
        assert_eq!(
            keys.open_file(scan, "141123/ab").unwrap(),
            scan,
            "plain as is"
        );
        let phone = keys.seal_opt(Some("13800000000"), PHONE).unwrap();
        assert_eq!(
            keys.open_opt(phone.as_deref(), PHONE, 1)
                .unwrap()
                .as_deref(),
            Some("13800000000")
        );
    }
}

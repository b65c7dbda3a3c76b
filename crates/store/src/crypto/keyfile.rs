//! Where the data key ring comes from (数据密钥的来源): the environment variable [`KEY_ENV`], else the key file
//! [`KEY_FILE`] of the data folder, created on the first start (readable by its owner only).
//!
//! Both hold the same text: one key per line (or separated by spaces, commas or semicolons in the
//! variable), `VERSION:HEX`, the version a number from 1 and the key 64 hex digits (32 bytes); lines
//! starting with `#` are comments. The highest version is the current one. `shouwang keys rotate` appends a
//! new version to the file (with the variable, the operator adds it there).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{KEY_LEN, Keys, random_key};
use crate::error::{Result, StoreError};

/// The environment variable holding the key ring (it wins over the key file).
pub const KEY_ENV: &str = "SHOUWANG_DATA_KEY";
/// The key file's name inside the data folder.
pub const KEY_FILE: &str = "shouwang.key";

/// Where a ring was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The environment variable [`KEY_ENV`].
    Env,
    /// A key file.
    File(PathBuf),
}

/// Parses the text of a key file or of [`KEY_ENV`].
pub fn parse(text: &str) -> Result<Vec<(u16, [u8; KEY_LEN])>> {
    let bad = |item: &str| {
        StoreError::invalid(
            format!(
                "数据密钥格式有误（应为“版本号:64 位十六进制”）：{}",
                hint(item)
            ),
            format!(
                "Malformed data key (expected VERSION:64 hex digits): {}",
                hint(item)
            ),
        )
    };
    let mut keys = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for item in line
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|s| !s.is_empty())
        {
            let (v, hex) = item.split_once(':').ok_or_else(|| bad(item))?;
            let version: u16 = v.trim().parse().map_err(|_| bad(item))?;
            let key = unhex(hex.trim()).ok_or_else(|| bad(item))?;
            keys.push((version, key));
        }
    }
    Ok(keys)
}

/// Only the version part of a malformed item (never the key's digits) goes into a message.
fn hint(item: &str) -> String {
    match item.split_once(':') {
        Some((v, _)) => format!("{v}:…"),
        None => "…".to_owned(),
    }
}

fn unhex(s: &str) -> Option<[u8; KEY_LEN]> {
    let b = s.as_bytes();
    if b.len() != KEY_LEN * 2 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = [0u8; KEY_LEN];
    for (i, pair) in b.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

fn line(version: u16, key: &[u8; KEY_LEN]) -> String {
    format!("{version}:{}\n", crate::secret::hex(key))
}

/// The ring of [`KEY_ENV`] if it is set, else of the key file in `data_dir` (created with a fresh version 1
/// when missing, readable by its owner only).
pub fn load(data_dir: &Path) -> Result<(Keys, KeySource)> {
    if let Some(text) = std::env::var_os(KEY_ENV) {
        let text = text.into_string().map_err(|_| {
            StoreError::invalid(
                format!("环境变量 {KEY_ENV} 不是有效文本"),
                format!("{KEY_ENV} is not valid text"),
            )
        })?;
        return Ok((ring(&text, KEY_ENV)?, KeySource::Env));
    }
    let path = data_dir.join(KEY_FILE);
    Ok((load_file(&path)?, KeySource::File(path)))
}

fn ring(text: &str, place: &str) -> Result<Keys> {
    let keys = parse(text)?;
    if keys.is_empty() {
        return Err(StoreError::invalid(
            format!("{place} 中没有数据密钥"),
            format!("{place} holds no data key"),
        ));
    }
    Keys::new(&keys)
}

/// The ring of the key file `path`, created with a fresh version 1 when missing.
pub fn load_file(path: &Path) -> Result<Keys> {
    match std::fs::read_to_string(path) {
        Ok(text) => ring(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random_key()?;
            let text = format!(
                "# 守望数据密钥（SM4/SM3）：丢失即无法解密数据库中的个人信息，请与数据库分开备份。\n\
                 # Shouwang data key: without it the personal data in the database cannot be read; back it up\n\
                 # apart from the database. One key per line, VERSION:HEX; the highest version is current.\n{}",
                line(1, &key)
            );
            match create_private(path, text.as_bytes()) {
                Ok(()) => Keys::new(&[(1, key)]),
                // Another process created it meanwhile: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_file(path),
                Err(e) => Err(io_error(path, &e)),
            }
        }
        Err(e) => Err(io_error(path, &e)),
    }
}

/// Appends a fresh key version (one above the highest) to the key file `path`; returns the new ring.
pub fn add_version(path: &Path) -> Result<Keys> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
    let mut keys = parse(&text)?;
    let next = keys
        .iter()
        .map(|(v, _)| *v)
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| StoreError::invalid("数据密钥版本已用尽", "No key version left"))?;
    let key = random_key()?;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| io_error(path, &e))?;
    let sep = if text.ends_with('\n') || text.is_empty() {
        ""
    } else {
        "\n"
    };
    f.write_all(format!("{sep}{}", line(next, &key)).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error(path, &e))?;
    keys.push((next, key));
    Keys::new(&keys)
}

fn io_error(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::invalid(
        format!("无法读写数据密钥文件 {}：{e}", path.display()),
        format!(
            "Cannot read or write the data key file {}: {e}",
            path.display()
        ),
    )
}

/// Creates `path` (it must not exist) readable and writable by its owner only, with `bytes`.
fn create_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let mut f = opts.open(path)?;
        // Exactly 0600, whatever the umask.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut f = opts.open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_created_private_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let a = load_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let b = load_file(&path).unwrap();
        let id = b"141123199001011234";
        assert_eq!(a.id_index(id).unwrap(), b.id_index(id).unwrap());
        assert_eq!(a.versions().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn a_new_version_is_appended_and_current() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let one = load_file(&path).unwrap();
        let two = add_version(&path).unwrap();
        assert_eq!(two.current().unwrap(), 2);
        let again = load_file(&path).unwrap();
        assert_eq!(again.versions().collect::<Vec<_>>(), vec![1, 2]);
        let id = b"141123199001011234";
        assert_eq!(one.id_index(id).unwrap(), again.id_index_of(1, id).unwrap());
        assert_eq!(two.id_index(id).unwrap(), again.id_index(id).unwrap());
    }

    #[test]
    fn the_text_format() {
        let k = "ab".repeat(32);
        let keys = parse(&format!("# c\n1:{k}\n 2:{k} , 3:{k};\n")).unwrap();
        assert_eq!(
            keys.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(keys[0].1, [0xab; KEY_LEN]);
        for bad in [
            "1",
            "x:ab",
            &format!("1:{}", &k[1..]),
            &format!("1:{}zz", &k[2..]),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(!e.contains(&k[..10]), "{e}");
        }
        assert!(ring("# nothing\n", "f").is_err());
    }
}

//! `shouwang keys status|rotate` end to end (issue 19): the data key file is created on the first start,
//! readable by its owner only; a rotation adds a version, rewrites every member and leaves every member
//! findable by ID number; run again, it starts the next rotation; with SHOUWANG_DATA_KEY it asks for a new
//! version first.

use std::path::Path;
use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Statement};
use shouwang_core::{Role, Scope};
use shouwang_store::crypto::sealed::MEMBER_ID;
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, sqlite_url};

fn shouwang(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env_remove("SHOUWANG_DATA_KEY")
        .env("SHOUWANG_LOG", "warn")
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every member's ID number and blind-index version; and whether a search by each ID number finds it.
async fn check_all_found(data: &Path, version: i32) -> usize {
    let db = Db::connect(&sqlite_url(data)).await.unwrap();
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT id_number, key_version FROM members ORDER BY id LIMIT 40",
        ))
        .await
        .unwrap();
    let scope = Scope::new(1, Role::CountyAdmin, "141123");
    for r in &rows {
        let stored: String = r.try_get("", "id_number").unwrap();
        let v: i32 = r.try_get("", "key_version").unwrap();
        assert_eq!(v, version);
        // Sealed: the stored text is not the number, and opens to it.
        let number = db.keys().open(&stored, MEMBER_ID, v).unwrap();
        assert!(!stored.contains(&number[..14]), "{stored}");
        let q = HouseholdQuery {
            q: Some(number.clone()),
            ..Default::default()
        };
        let hit = households::search(&db, &scope, &q, 1, 20).await.unwrap();
        assert_eq!(hit.total, 1, "{number}");
    }
    db.close().await.unwrap();
    rows.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&shouwang(&data, &["demo", "--households", "60"]));
    let key_file = data.join("shouwang.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let status = ok(&shouwang(&data, &["keys", "status"]));
    assert!(status.contains("key versions: 1 ("), "{status}");
    assert_eq!(check_all_found(&data, 1).await, 40);

    // An attachment from before sealing: the rotation seals it under the new version.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
    let sha = shouwang_app::attachments::sha256_hex(png);
    let file = data
        .join("attachments")
        .join("141123")
        .join(&sha[..2])
        .join(&sha);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, png).unwrap();

    let out = ok(&shouwang(&data, &["keys", "rotate", "--batch", "50"]));
    assert!(out.contains("added key version 2"), "{out}");
    assert!(out.contains("key rotation to version 2 done"), "{out}");
    // (the demo's own problem photos are rewritten too)
    assert!(out.contains("attachments rewritten"), "{out}");
    let stored = std::fs::read(&file).unwrap();
    assert_eq!(shouwang_store::crypto::Keys::file_version(&stored), Some(2));
    let text = std::fs::read_to_string(&key_file).unwrap();
    assert!(text.lines().any(|l| l.starts_with("1:")));
    assert!(text.lines().any(|l| l.starts_with("2:")));
    let status = ok(&shouwang(&data, &["keys", "status"]));
    assert!(status.contains("key versions: 1, 2"), "{status}");
    assert!(status.contains("0 left"), "{status}");
    assert!(status.contains("finished"), "{status}");
    assert_eq!(check_all_found(&data, 2).await, 40);

    // With the key in the environment, a rotation needs a new version there first.
    let out = Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .env_remove("SHOUWANG_DATABASE_URL")
        .env("SHOUWANG_DATA_KEY", text.replace('\n', " "))
        .env("SHOUWANG_LOG", "warn")
        .args(["keys", "rotate", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SHOUWANG_DATA_KEY"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

//! Personal data at rest (issue 19, SM4): after `shouwang demo` and after the import of a registry workbook,
//! no file of the data folder — the SQLite database, its WAL and shared memory, the key file, anything else
//! — holds a demo ID number, phone number or name in plain text (their UTF-8 bytes), and the audit log
//! holds none of them (sealed or masked). What `strings` on the files would show.

mod common;

use std::path::{Path, PathBuf};

use common::{code, shouwang, text};
use shouwang_store::repo::registry_file;
use shouwang_store::{Db, sqlite_url};

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The ID numbers, phone numbers and member names (姓名) of every household of the database in `data`,
/// read through the store (which opens the sealed columns).
async fn secrets(data: &Path) -> Vec<String> {
    let db = Db::connect(&sqlite_url(data)).await.unwrap();
    let mut out = Vec::new();
    registry_file::export(&db, None, None, &mut |h, _| {
        out.extend(h.members.iter().map(|m| m.id_number.to_string()));
        out.extend(h.phone.iter().filter(|p| p.len() >= 7).cloned());
        out.extend(h.members.iter().map(|m| m.name.clone()));
        Ok(())
    })
    .await
    .unwrap();
    db.close().await.unwrap();
    out.sort();
    out.dedup();
    out
}

/// The values of `secrets` that the case files (`cases.body`) or the audit rows of cases quote.
fn names_in_case_files(data: &Path, secrets: &[String]) -> Vec<String> {
    let db = rusqlite::Connection::open(data.join("shouwang.db")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT body FROM cases UNION ALL \
             SELECT COALESCE(after, '') || COALESCE(before, '') FROM audit_log WHERE entity = 'case'",
        )
        .unwrap();
    let texts: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    secrets
        .iter()
        .filter(|s| texts.iter().any(|t| t.contains(s.as_str())))
        .cloned()
        .collect()
}

/// The secrets found in plain text in some file of `data`, with the file.
fn plain_in(data: &Path, secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files(data) {
        let bytes = std::fs::read(&f).unwrap();
        for s in secrets {
            if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                found.push(format!("{s} in {}", f.display()));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_id_number_phone_or_name_in_plain_text_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = shouwang(&demo, &["demo", "--classic", "--households", "60"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let demo_secrets = secrets(&demo).await;
    assert!(demo_secrets.len() > 150, "{}", demo_secrets.len());
    assert!(demo_secrets.iter().any(|s| s.len() == 11), "demo phones");
    assert!(
        demo_secrets
            .iter()
            .any(|s| !s.is_empty() && !s.starts_with(|c: char| c.is_ascii_digit())),
        "demo names"
    );
    // Names: the registry's (members, 户主, former members) are sealed. A name a case file quotes (a
    // reporter, the signer of an authorisation) is still plain in `cases.body` and the case's audit row:
    // those few are left out here (issue 19, what remains); every other name must not be found.
    let quoted = names_in_case_files(&demo, &demo_secrets);
    let unquoted: Vec<String> = demo_secrets
        .iter()
        .filter(|s| !quoted.contains(s))
        .cloned()
        .collect();
    assert!(
        unquoted.len() + 40 > demo_secrets.len(),
        "{} of {} quoted",
        quoted.len(),
        demo_secrets.len()
    );
    assert_eq!(plain_in(&demo, &unquoted), Vec::<String>::new());

    // The registry as a workbook (outside the data folder), imported into a new data folder.
    let book = dir.path().join("registry.xlsx");
    let out = shouwang(
        &demo,
        &["export", "registry", "--out", book.to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let imported = dir.path().join("imported");
    let out = shouwang(&imported, &["import", "registry", book.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let imported_secrets = secrets(&imported).await;
    assert_eq!(
        imported_secrets, demo_secrets,
        "the import read every value back"
    );
    assert_eq!(plain_in(&imported, &imported_secrets), Vec::<String>::new());
    // The scan itself finds a plain value where there is one.
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("a.txt"), format!("x{}y", demo_secrets[0])).unwrap();
    assert_eq!(plain_in(&plain, &demo_secrets).len(), 1);
}

//! 附件 sealed at rest (issue 19) on both databases: an upload is stored sealed with the data key and
//! downloads as uploaded; a file from before sealing is read as it is and sealed by the next pass, which
//! leaves a marker so that the pass at the next start does nothing; an altered file is refused, never
//! served.

use shouwang_app::{Caller, attachments};
use shouwang_core::{Role, Scope};
use shouwang_store::crypto::sealed::FILE_MAGIC;
use shouwang_store::testing::fixtures::{VILLAGE_A1, seed_regions};
use shouwang_store::{Db, db_test};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const PDF: &[u8] = b"%PDF-1.4\n% \xe7\x94\xb3\xe8\xaf\xb7\xe4\xb9\xa6 141123199001011234\n";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

db_test!(
    fn attachments_are_sealed_at_rest(db: Db) {
        seed_regions(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let files = attachments::FileStore::new(dir.path());
        let team = Caller {
            user_id: 71,
            name: "村专班".to_owned(),
            scope: Scope::new(71, Role::VillageTeam, VILLAGE_A1),
        };

        // an upload is sealed on disk and downloads as uploaded
        let row = attachments::upload(&db, &files, &team, "申请书.pdf", "application/pdf", PDF)
            .await
            .unwrap();
        let path = files.path_of("141123", &row.sha256).unwrap();
        let stored = std::fs::read(&path).unwrap();
        assert!(stored.starts_with(FILE_MAGIC));
        assert!(!contains(&stored, b"141123199001011234"));
        assert!(!contains(&stored, b"%PDF"));
        let (_, bytes) = attachments::download(&db, &files, &team, &row.sha256)
            .await
            .unwrap();
        assert_eq!(bytes, PDF);

        // a file from before sealing: read as it is, then sealed by the pass, once
        let old = attachments::sha256_hex(PNG);
        let old_path = files.path_of("141123", &old).unwrap();
        std::fs::create_dir_all(old_path.parent().unwrap()).unwrap();
        std::fs::write(&old_path, PNG).unwrap();
        assert_eq!(files.read(db.keys(), "141123", &old).await.unwrap(), PNG);
        let done = files.seal_pending(db.keys()).await.unwrap().unwrap();
        assert_eq!((done.files, done.rewritten), (2, 1));
        assert!(std::fs::read(&old_path).unwrap().starts_with(FILE_MAGIC));
        assert_eq!(files.read(db.keys(), "141123", &old).await.unwrap(), PNG);
        assert_eq!(files.seal_pending(db.keys()).await.unwrap(), None);
        let again = files.seal_all(db.keys()).await.unwrap();
        assert_eq!((again.files, again.rewritten), (2, 0));

        // an altered file, or one moved under another hash, is refused
        let mut altered = std::fs::read(&path).unwrap();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        std::fs::write(&path, &altered).unwrap();
        assert!(files.read(db.keys(), "141123", &row.sha256).await.is_err());
        assert!(
            attachments::download(&db, &files, &team, &row.sha256)
                .await
                .is_err()
        );
        std::fs::copy(&old_path, &path).unwrap();
        assert!(files.read(db.keys(), "141123", &row.sha256).await.is_err());
    }
);

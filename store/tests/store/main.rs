//! The store's conformance tests: the same cases (`cases.rs`) against every back end
//! (memory and SQLite here; DynamoDB on dynalite beside it), and what only SQLite has:
//! a file that outlives the process, is shared by processes, and is private.

mod cases;
mod dynalite;
mod dynamodb;

use std::path::Path;

use polyrun_core::Verdict;
use polyrun_store::*;
use serde_json::json;

#[tokio::test]
async fn memory_store_conforms() {
    let store = polyrun_store::MemoryStore::default();
    cases::all(&store).await;
}

#[tokio::test]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("polyrun.db")).await.expect("open");
    cases::all(&store).await;
}

#[tokio::test]
async fn sqlite_store_opens_through_its_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("polyrun.db");
    let url: StoreUrl = format!("sqlite:{}", path.display()).parse().expect("url");
    let store = polyrun_store::open(&url).await.expect("open");
    assert_eq!(store.describe(), format!("sqlite:{}", path.display()));
    assert!(path.is_file());
}

/// Keeps a teacher's token "tess" for `secret`.
async fn put_teacher(store: &SqliteStore, secret: &str) {
    let token = NewToken {
        name: "tess".into(),
        role: Role::Teacher,
        hash: hash_token(secret),
        created_at_ms: 5,
    };
    store.put_token(&token).await.expect("put token");
}

fn job(token: &str) -> Job {
    Job {
        token: token.into(),
        user: Some("ada".into()),
        request: json!({"language_id": 71, "source_code": "print(1)"}),
        created_at_ms: 1_000,
        state: JobState::Queued,
    }
}

#[tokio::test]
async fn sqlite_data_survives_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("polyrun.db");
    let sub = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 7_000);
    let secret = new_token_secret();
    {
        let store = SqliteStore::open(&path).await.expect("open");
        store.put_submission(&sub).await.expect("put");
        store.put_job(&job("t-1")).await.expect("put job");
        put_teacher(&store, &secret).await;
    }
    let store = SqliteStore::open(&path).await.expect("reopen");
    assert_eq!(store.submission(&sub.summary.id).await.expect("get"), Some(sub));
    assert_eq!(store.job("t-1").await.expect("job"), Some(job("t-1")));
    assert_eq!(
        store.identity(&hash_token(&secret)).await.expect("identity"),
        Some(Identity {
            name: "tess".into(),
            role: Role::Teacher
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sqlite_stores_on_one_file_share_it_and_one_claim_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shared.db");
    let (a, b) = tokio::join!(SqliteStore::open(&path), SqliteStore::open(&path));
    let (a, b) = (a.expect("open a"), b.expect("open b"));
    let sub = cases::submission(None, "fizzbuzz", Verdict::WrongAnswer, 1, 9_000);
    a.put_submission(&sub).await.expect("put");
    assert_eq!(b.submission(&sub.summary.id).await.expect("get"), Some(sub));
    for n in 0..25 {
        let token = format!("t-{n}");
        b.put_job(&job(&token)).await.expect("put job");
        let claim = |owner: &str| Claim {
            owner: owner.into(),
            now_ms: 2_000,
            lease_until_ms: 60_000,
        };
        let (ca, cb) = (claim("a"), claim("b"));
        let (won_a, won_b) = tokio::join!(a.claim_job(&token, &ca), b.claim_job(&token, &cb));
        let (won_a, won_b) = (won_a.expect("claim a"), won_b.expect("claim b"));
        assert!(won_a ^ won_b, "{token}: exactly one wins (a {won_a}, b {won_b})");
        let (winner, loser, owner) = if won_a { (&a, &b, "a") } else { (&b, &a, "b") };
        match loser.job(&token).await.expect("job").expect("kept").state {
            JobState::Processing { owner: o, .. } => assert_eq!(o, owner),
            other => panic!("{token}: {other:?}"),
        }
        assert!(
            winner
                .finish_job(&token, owner, &json!({"status": 3}))
                .await
                .expect("finish")
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn sqlite_file_and_the_folder_it_creates_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("data").join("polyrun");
    let path = folder.join("polyrun.db");
    let store = SqliteStore::open(&path).await.expect("open");
    store
        .put_submission(&cases::submission(None, "two-sum", Verdict::Accepted, 3, 1))
        .await
        .expect("put");
    assert_eq!(mode(&path), 0o600, "the database");
    assert_eq!(mode(&folder), 0o700, "the folder it made");
    assert_eq!(mode(&dir.path().join("data")), 0o700, "and its parent it made");
    let wal = folder.join("polyrun.db-wal");
    assert!(wal.exists(), "WAL mode");
    assert_eq!(mode(&wal), 0o600, "the WAL file");
}

#[tokio::test]
async fn sqlite_refuses_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.db");
    let garbage = "these are my notes, not a database\n".repeat(200);
    std::fs::write(&path, &garbage).expect("write");
    let err = SqliteStore::open(&path).await.expect_err("not a database");
    let text = err.to_string();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(
        text.contains("is not a SQLite database") && text.contains("notes.db"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), garbage, "left as it was");
}

#[tokio::test]
async fn sqlite_refuses_a_database_from_a_newer_polyrun() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("future.db");
    drop(SqliteStore::open(&path).await.expect("create"));
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 999).expect("set version");
    }
    let err = SqliteStore::open(&path).await.expect_err("newer");
    let text = err.to_string();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(
        text.contains("made by a newer polyrun") && text.contains("999"),
        "{text}"
    );
}

#[tokio::test]
async fn sqlite_token_conflicts_say_which() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("polyrun.db")).await.expect("open");
    let t = NewToken {
        name: "ada".into(),
        role: Role::Learner,
        hash: hash_token("pr_a"),
        created_at_ms: 1,
    };
    store.put_token(&t).await.expect("put");
    let same_name = NewToken {
        hash: hash_token("pr_b"),
        ..t.clone()
    };
    let err = store.put_token(&same_name).await.expect_err("name taken").to_string();
    assert!(err.contains("a token named 'ada' exists"), "{err}");
    let same_hash = NewToken {
        name: "bo".into(),
        ..t.clone()
    };
    let err = store.put_token(&same_hash).await.expect_err("hash taken").to_string();
    assert_eq!(err, "that token exists");
}

/// A file removed (or replaced) under a running store: nothing is acknowledged and then
/// lost. Before, the open connection went on writing to the unlinked file, and a grade
/// answered 200 was gone after a restart.
#[tokio::test]
async fn sqlite_refuses_to_go_on_once_its_file_is_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("polyrun.db");
    let store = SqliteStore::open(&path).await.expect("open");
    let kept = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 7_000);
    store.put_submission(&kept).await.expect("put");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let lost = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 8_000);
    for result in [
        store.put_submission(&lost).await.map(|_| ()),
        store.submission(&kept.summary.id).await.map(|_| ()),
    ] {
        match result {
            Err(StoreError::Unavailable(m)) => assert!(m.contains("was removed or replaced"), "{m}"),
            other => panic!("expected the store to be unavailable, got {other:?}"),
        }
    }
    // A new file at the path is another file: still refused.
    SqliteStore::open(&path).await.expect("a new store at the path");
    assert!(matches!(
        store.put_submission(&lost).await,
        Err(StoreError::Unavailable(_))
    ));
}

/// Another process holding the write lock: token lookups and reads go on (they have a
/// connection of their own), and writes queued behind one another each give up within
/// about the busy timeout (5 s), not one timeout per call ahead of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_reads_go_on_and_writes_give_up_in_time_under_a_foreign_lock() {
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("polyrun.db");
    let store = std::sync::Arc::new(SqliteStore::open(&path).await.expect("open"));
    let secret = new_token_secret();
    put_teacher(&store, &secret).await;
    let kept = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 7_000);
    store.put_submission(&kept).await.expect("put");

    let other = rusqlite::Connection::open(&path).expect("another connection");
    other.execute_batch("BEGIN EXCLUSIVE").expect("the write lock");

    // Writes first: each waits for the lock (the first holds the writing connection while
    // it does), and reads made meanwhile must not queue behind them.
    let started = Instant::now();
    let writes: Vec<_> = (0..3)
        .map(|n| {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move {
                let sub = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 9_000 + n);
                let result = store.put_submission(&sub).await;
                (result, started.elapsed())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reading = Instant::now();
    let who = store.identity(&hash_token(&secret)).await.expect("a lookup");
    assert_eq!(who.map(|i| i.name).as_deref(), Some("tess"));
    assert!(store.submission(&kept.summary.id).await.expect("a read").is_some());
    let read = reading.elapsed();
    eprintln!("reads while writes wait for a foreign lock: {} ms", read.as_millis());
    assert!(read < Duration::from_secs(2), "reads waited {read:?}");
    for write in writes {
        let (result, took) = write.await.expect("a write");
        eprintln!("a write under a foreign lock gave up after {} ms", took.as_millis());
        assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
        assert!(took >= Duration::from_secs(4), "gave up after {took:?}: too soon");
        assert!(took < Duration::from_secs(12), "gave up after {took:?}");
    }
    other.execute_batch("ROLLBACK").expect("release");
    let sub = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 10_000);
    store.put_submission(&sub).await.expect("writes work again");
}

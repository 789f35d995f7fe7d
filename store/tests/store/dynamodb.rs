//! The DynamoDB back end on dynalite: the conformance cases, two stores on one table,
//! a big report, and a down or silent endpoint.

use std::time::{Duration, Instant};

use polyrun_core::Verdict;
use polyrun_store::*;
use serde_json::json;

use crate::cases;
use crate::dynalite::{Dynalite, free_port, local_options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_store_conforms() {
    let dynalite = Dynalite::start();
    let store = DynamoStore::open_with("polyrun-conforms", &dynalite.options())
        .await
        .expect("open (creates the table)");
    assert!(store.describe().starts_with("dynamodb:polyrun-conforms"));
    cases::all(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_stores_on_one_table_answer_for_each_other_and_one_claim_wins() {
    let dynalite = Dynalite::start();
    let options = dynalite.options();
    // Both open at once: one creates the table, the other waits for it.
    let (a, b) = tokio::join!(
        DynamoStore::open_with("polyrun-shared", &options),
        DynamoStore::open_with("polyrun-shared", &options)
    );
    let (a, b) = (a.expect("open a"), b.expect("open b"));

    let s = cases::submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 7_000);
    a.put_submission(&s).await.expect("put on a");
    assert_eq!(b.submission(&s.summary.id).await.expect("get on b"), Some(s.clone()));
    assert!(matches!(b.put_submission(&s).await, Err(StoreError::Conflict(_))));
    let listed = b.submissions(&Filter::default()).await.expect("list on b");
    assert_eq!(listed.items, vec![s.summary.clone()]);

    let secret = new_token_secret();
    let token = NewToken {
        name: "tess".into(),
        role: Role::Teacher,
        hash: hash_token(&secret),
        created_at_ms: 1,
    };
    a.put_token(&token).await.expect("token on a");
    assert_eq!(
        b.identity(&hash_token(&secret)).await.expect("identity on b"),
        Some(Identity {
            name: "tess".into(),
            role: Role::Teacher
        })
    );
    let twin = NewToken {
        hash: hash_token(&new_token_secret()),
        ..token.clone()
    };
    assert!(matches!(b.put_token(&twin).await, Err(StoreError::Conflict(_))));
    assert!(b.revoke_token("tess").await.expect("revoke on b"));
    assert_eq!(a.identity(&hash_token(&secret)).await.expect("identity on a"), None);

    // Two processes claim each of 20 Judge0 submissions at once: exactly one wins each.
    for i in 0..20 {
        let job = Job {
            token: format!("00000000-0000-4000-8000-{i:012}"),
            user: None,
            request: json!({"language_id": 71, "source": "print(1)"}),
            created_at_ms: 1_000 + i,
            state: JobState::Queued,
        };
        a.put_job(&job).await.expect("put job");
        let claim = |owner: &str| Claim {
            owner: owner.into(),
            now_ms: 2_000,
            lease_until_ms: 60_000,
        };
        let (ca, cb) = (claim("a"), claim("b"));
        let (won_a, won_b) = tokio::join!(a.claim_job(&job.token, &ca), b.claim_job(&job.token, &cb));
        let (won_a, won_b) = (won_a.expect("claim a"), won_b.expect("claim b"));
        assert!(won_a ^ won_b, "exactly one claim wins ({won_a}, {won_b})");
        let (winner, loser) = if won_a { ("a", &b) } else { ("b", &a) };
        assert!(!loser.finish_job(&job.token, "loser", &json!({})).await.expect("finish"));
        let by_other = if won_a { &b } else { &a };
        assert!(
            by_other
                .finish_job(&job.token, winner, &json!({"status": 3}))
                .await
                .expect("finish")
        );
        assert!(matches!(
            a.job(&job.token).await.expect("job").expect("kept").state,
            JobState::Finished { .. }
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_keeps_a_big_report() {
    let dynalite = Dynalite::start();
    let store = DynamoStore::open_with("polyrun-big", &dynalite.options())
        .await
        .expect("open");
    // 1 MB of output that compresses well: kept whole.
    let mut whole = cases::submission(Some("ada"), "two-sum", Verdict::WrongAnswer, 1, 1_000);
    whole.report = json!({
        "verdict": "wrong_answer",
        "tests": (0..10).map(|i| json!({"index": i, "hidden": false, "verdict": "wrong_answer",
            "time_ms": 1.5, "stdout": format!("line {i}\n").repeat(15_000), "stderr": ""}))
            .collect::<Vec<_>>(),
    });
    assert!(whole.report.to_string().len() > 1_000_000);
    store.put_submission(&whole).await.expect("put a 1 MB report");
    assert_eq!(
        store.submission(&whole.summary.id).await.expect("get"),
        Some(whole.clone()),
        "kept whole (compressed)"
    );
    // 1.2 MB that does not compress (random output): kept, its long strings trimmed.
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut noise = |len: usize| -> String {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect()
    };
    let mut trimmed = cases::submission(Some("ada"), "two-sum", Verdict::WrongAnswer, 1, 2_000);
    trimmed.source = "x = 1\n".repeat(10_000);
    trimmed.report = json!({
        "verdict": "wrong_answer", "passed": 1, "total": 12,
        "tests": (0..12).map(|i| json!({"index": i, "hidden": i > 5, "verdict": "wrong_answer",
            "time_ms": 2.0, "stdout": noise(100_000), "stderr": "short"}))
            .collect::<Vec<_>>(),
    });
    store.put_submission(&trimmed).await.expect("put a 1.2 MB report");
    let back = store.submission(&trimmed.summary.id).await.expect("get").expect("kept");
    assert_eq!(back.summary, trimmed.summary);
    assert_eq!(back.source, trimmed.source, "the source is never trimmed");
    let tests = back.report["tests"].as_array().expect("tests");
    assert_eq!(tests.len(), 12);
    for (i, test) in tests.iter().enumerate() {
        assert_eq!(test["index"], i);
        assert_eq!(test["verdict"], "wrong_answer");
        let stdout = test["stdout"].as_str().expect("stdout kept, trimmed");
        assert!(stdout.ends_with("[trimmed by the store]") && stdout.len() < 5_000);
        assert_eq!(test["stderr"], "short");
    }
    let page = store
        .submissions(&Filter {
            user: Some("ada".into()),
            ..Filter::default()
        })
        .await
        .expect("list");
    assert_eq!(page.items, vec![trimmed.summary, whole.summary]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_endpoint_is_unavailable_in_seconds() {
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let err = DynamoStore::open_with("polyrun-down", &local_options(endpoint.clone()))
        .await
        .expect_err("nothing listens there");
    let elapsed = started.elapsed();
    let StoreError::Unavailable(why) = &err else {
        panic!("not Unavailable: {err:?}");
    };
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    assert!(!why.contains('\n') && why.len() < 500, "one clear line: {why}");
    assert!(why.contains(&endpoint), "names the endpoint: {why}");
    eprintln!("down endpoint: {err} (after {elapsed:?})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_silent_endpoint_is_unavailable_in_seconds() {
    // Takes connections (the kernel's backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", silent.local_addr().expect("address"));
    let started = Instant::now();
    let err = DynamoStore::open_with("polyrun-silent", &local_options(endpoint))
        .await
        .expect_err("nobody answers");
    let elapsed = started.elapsed();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    eprintln!("silent endpoint: {err} (after {elapsed:?})");
    drop(silent);
}

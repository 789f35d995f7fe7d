//! What every back end must do, one function per behaviour, all run by [`all`].

use polyrun_core::Verdict;
use polyrun_store::*;
use serde_json::json;

/// Every case, in order, on a fresh `store`.
pub async fn all(store: &dyn Store) {
    submissions_round_trip_and_page_newest_first(store).await;
    filters_and_cursors(store).await;
    jobs_are_claimed_once_and_finished_by_their_owner(store).await;
    orphaned_jobs_are_found(store).await;
    tokens_are_kept_by_hash_and_revoked(store).await;
    gradebook_from_the_store(store).await;
    prune_forgets_the_old(store).await;
}

pub fn submission(user: Option<&str>, problem: &str, verdict: Verdict, passed: u32, at: i64) -> Submission {
    Submission {
        summary: SubmissionSummary {
            id: new_id(),
            user: user.map(str::to_owned),
            problem: problem.into(),
            language: "python".into(),
            verdict,
            passed,
            total: 3,
            time_ms: 12.5,
            created_at_ms: at,
        },
        source: "def f(x):\n    return x  # ünïcode\n".into(),
        report: json!({"verdict": verdict.id(), "tests": [{"index": 0, "hidden": true}]}),
    }
}

async fn submissions_round_trip_and_page_newest_first(store: &dyn Store) {
    let a = submission(Some("ada"), "two-sum", Verdict::Accepted, 3, 1_000);
    store.put_submission(&a).await.expect("put");
    assert_eq!(store.submission(&a.summary.id).await.expect("get"), Some(a.clone()));
    assert!(matches!(store.put_submission(&a).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.submission(&new_id()).await.expect("get"), None);
}

async fn filters_and_cursors(store: &dyn Store) {
    // Same millisecond for several: the id breaks the tie.
    let mut made = Vec::new();
    for i in 0..7 {
        let user = if i % 2 == 0 { "cy" } else { "dee" };
        let problem = if i < 4 { "fizzbuzz" } else { "palindrome" };
        let s = submission(Some(user), problem, Verdict::WrongAnswer, 1, 5_000 + (i / 3));
        store.put_submission(&s).await.expect("put");
        made.push(s.summary);
    }
    made.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
    let mut seen = Vec::new();
    let mut filter = Filter {
        limit: 3,
        user: None,
        problem: None,
        before: None,
    };
    filter.before = Some(Cursor {
        created_at_ms: 5_003,
        id: "0".repeat(32),
    });
    loop {
        let page = store.submissions(&filter).await.expect("page");
        assert!(page.items.len() <= 3);
        seen.extend(page.items);
        match page.next {
            Some(next) => filter.before = Some(next),
            None => break,
        }
    }
    seen.retain(|s| s.created_at_ms >= 5_000);
    assert_eq!(seen, made, "pages of 3 list all 7, newest first, each once");
    let cy = store
        .submissions(&Filter {
            user: Some("cy".into()),
            problem: Some("fizzbuzz".into()),
            limit: 200,
            before: None,
        })
        .await
        .expect("filtered");
    assert_eq!(cy.items.len(), 2);
    assert!(cy.next.is_none());
    assert!(
        cy.items
            .iter()
            .all(|s| s.user.as_deref() == Some("cy") && s.problem == "fizzbuzz")
    );
}

fn job(token: &str, at: i64) -> Job {
    Job {
        token: token.into(),
        user: None,
        request: json!({"language_id": 71, "source": "print(1)"}),
        created_at_ms: at,
        state: JobState::Queued,
    }
}

async fn jobs_are_claimed_once_and_finished_by_their_owner(store: &dyn Store) {
    let token = uuid_like(1);
    store.put_job(&job(&token, 10_000)).await.expect("put job");
    assert!(matches!(
        store.put_job(&job(&token, 10_000)).await,
        Err(StoreError::Conflict(_))
    ));
    let claim = |owner: &str, now: i64| Claim {
        owner: owner.into(),
        now_ms: now,
        lease_until_ms: now + 1_000,
    };
    assert!(store.claim_job(&token, &claim("p1", 10_001)).await.expect("claim"));
    assert!(
        !store.claim_job(&token, &claim("p2", 10_500)).await.expect("claim"),
        "held under a lease"
    );
    assert!(
        !store
            .finish_job(&token, "p2", &json!({"status": 3}))
            .await
            .expect("finish"),
        "not p2's"
    );
    // The lease ends: p2 takes it over, and p1 can no longer finish it.
    assert!(store.claim_job(&token, &claim("p2", 11_002)).await.expect("claim"));
    assert!(
        !store
            .finish_job(&token, "p1", &json!({"status": 3}))
            .await
            .expect("finish")
    );
    assert!(
        store
            .finish_job(&token, "p2", &json!({"status": 3, "stdout": "1\n"}))
            .await
            .expect("finish")
    );
    match store.job(&token).await.expect("get").expect("kept").state {
        JobState::Finished { outcome, .. } => assert_eq!(outcome["stdout"], "1\n"),
        other => panic!("not finished: {other:?}"),
    }
    assert!(
        !store.claim_job(&token, &claim("p3", 99_999)).await.expect("claim"),
        "finished stays finished"
    );
    assert!(
        !store.claim_job(&uuid_like(99), &claim("p3", 1)).await.expect("claim"),
        "unknown"
    );
    assert_eq!(store.job(&uuid_like(98)).await.expect("get"), None);
}

async fn orphaned_jobs_are_found(store: &dyn Store) {
    let (old, young, stale, held) = (uuid_like(2), uuid_like(3), uuid_like(4), uuid_like(5));
    store.put_job(&job(&old, 20_000)).await.expect("put");
    store.put_job(&job(&young, 29_000)).await.expect("put");
    for t in [&stale, &held] {
        store.put_job(&job(t, 21_000)).await.expect("put");
    }
    assert!(
        store
            .claim_job(
                &stale,
                &Claim {
                    owner: "dead".into(),
                    now_ms: 21_000,
                    lease_until_ms: 22_000
                }
            )
            .await
            .expect("c")
    );
    assert!(
        store
            .claim_job(
                &held,
                &Claim {
                    owner: "alive".into(),
                    now_ms: 21_000,
                    lease_until_ms: 90_000
                }
            )
            .await
            .expect("c")
    );
    let orphans = store.orphaned_jobs(25_000, 30_000, 10).await.expect("orphans");
    assert_eq!(
        orphans,
        vec![old.clone(), stale.clone()],
        "queued long ago, and a lease that ended; oldest first"
    );
    assert_eq!(
        store.orphaned_jobs(25_000, 30_000, 1).await.expect("orphans"),
        vec![old]
    );
}

async fn tokens_are_kept_by_hash_and_revoked(store: &dyn Store) {
    let secret = new_token_secret();
    let t = NewToken {
        name: "ada".into(),
        role: Role::Learner,
        hash: hash_token(&secret),
        created_at_ms: 1,
    };
    store.put_token(&t).await.expect("put token");
    let again = NewToken {
        hash: hash_token(&new_token_secret()),
        ..t.clone()
    };
    assert!(
        matches!(store.put_token(&again).await, Err(StoreError::Conflict(_))),
        "one live token per name"
    );
    assert_eq!(
        store.identity(&hash_token(&secret)).await.expect("id"),
        Some(Identity {
            name: "ada".into(),
            role: Role::Learner
        })
    );
    assert_eq!(store.identity(&hash_token("pr_guess")).await.expect("id"), None);
    let teacher = NewToken {
        name: "tess".into(),
        role: Role::Teacher,
        hash: hash_token("pr_t"),
        created_at_ms: 2,
    };
    store.put_token(&teacher).await.expect("put");
    assert!(store.revoke_token("ada").await.expect("revoke"));
    assert!(!store.revoke_token("ada").await.expect("revoke twice"));
    assert!(!store.revoke_token("nobody").await.expect("revoke unknown"));
    assert_eq!(store.identity(&hash_token(&secret)).await.expect("id"), None, "revoked");
    // The name is free again once revoked.
    store.put_token(&again).await.expect("a new token for ada");
    let list = store.tokens().await.expect("list");
    let names: Vec<(&str, bool)> = list.iter().map(|t| (t.name.as_str(), t.revoked)).collect();
    assert_eq!(names, [("ada", true), ("tess", false), ("ada", false)]);
}

async fn gradebook_from_the_store(store: &dyn Store) {
    for (verdict, passed, at) in [
        (Verdict::WrongAnswer, 2, 40_000),
        (Verdict::Accepted, 3, 40_100),
        (Verdict::Accepted, 3, 40_200),
    ] {
        store
            .put_submission(&submission(Some("eve"), "two-sum", verdict, passed, at))
            .await
            .expect("put");
    }
    let book = Gradebook::of(store).await.expect("gradebook");
    let eve = book.rows.iter().find(|r| r.user == "eve").expect("eve's row");
    let cell = &eve.results["two-sum"];
    assert_eq!(
        (cell.verdict, cell.passed, cell.total, cell.attempts),
        (Verdict::Accepted, 3, 3, 3)
    );
    assert_eq!(cell.accepted_at.as_deref(), Some("1970-01-01T00:00:40.100Z"));
}

async fn prune_forgets_the_old(store: &dyn Store) {
    let before = store
        .submissions(&Filter {
            limit: 200,
            ..Filter::default()
        })
        .await
        .expect("list")
        .items
        .len();
    let (subs, jobs) = store.prune(5_002).await.expect("prune");
    // Submissions at 1 000 and 5 000..=5 001 (1 + 6 of filters_and_cursors'), and the
    // finished Judge0 submission created at 10 000 survives (newer than 5 002).
    assert_eq!(subs, 7);
    assert_eq!(jobs, 0);
    let after = store
        .submissions(&Filter {
            limit: 200,
            ..Filter::default()
        })
        .await
        .expect("list")
        .items
        .len();
    assert_eq!(after, before - 7);
    let (_, jobs) = store.prune(i64::MAX).await.expect("prune all");
    assert_eq!(
        jobs, 1,
        "only the finished Judge0 submission; unfinished ones are never pruned"
    );
}

fn uuid_like(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

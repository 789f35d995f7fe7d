//! A course on one store: `polyrun serve` processes on a real SQLite file, tokens made by
//! `polyrun token`, grades stored before they are answered, a restart after SIGKILL, two
//! servers answering for each other, `--auth tokens` (401 / 403 / 404), the gradebook over
//! HTTP and on the command line, and `submissions prune`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http::{Client, Server, expect_error};

/// `polyrun ARGS…` with `--store` given by the args; (exit status, stdout, stderr).
fn polyrun(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .args(args)
        .env_remove("POLYRUN_STORE")
        .env("POLYRUN_DATA", "/nonexistent/polyrun-test-data")
        .stdin(Stdio::null())
        .output()
        .expect("polyrun runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new token for `name` in `store`; the secret `token create` printed.
fn token(store: &str, name: &str, role: &str) -> String {
    let (code, out, err) = polyrun(&["token", "create", "--name", name, "--role", role, "--store", store]);
    assert_eq!(code, 0, "token create: {err}");
    let secret = out.lines().next().expect("the token on the first line").to_owned();
    assert!(secret.starts_with("pr_") && secret.len() == 67, "{secret:?}");
    secret
}

fn sqlite(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("course.db").display())
}

const RIGHT: &str = "def fizz_buzz(n):\n    return ['FizzBuzz' if i % 15 == 0 else 'Fizz' if i % 3 == 0 else 'Buzz' if i % 5 == 0 else str(i) for i in range(1, n + 1)]\n";
const WRONG: &str = "def fizz_buzz(n):\n    return [str(i) for i in range(1, n + 1)]\n";

fn grade(client: &Client, source: &str) -> Value {
    let (status, answer) = client.json(
        "POST",
        "/api/v1/grade",
        &json!({"problem": "fizz-buzz", "language": "python", "source": source}),
    );
    assert_eq!(status, 200, "{answer}");
    answer
}

fn id_of(answer: &Value) -> String {
    let id = answer["submission_id"].as_str().expect("a submission_id").to_owned();
    assert_eq!(id.len(), 32, "{id}");
    id
}

#[test]
fn grades_are_stored_and_answered_after_a_sigkill_restart() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = sqlite(dir.path());
    let teacher = token(&store, "tess", "teacher");
    let server = Server::start(&["--store", &store]);
    let wrong = grade(&server, WRONG);
    let right = grade(&server, RIGHT);
    assert_eq!(wrong["verdict"], "wrong_answer");
    assert_eq!(right["verdict"], "accepted");
    let ids = [id_of(&wrong), id_of(&right)];
    server.kill9();

    let server = Server::start(&["--store", &store]);
    // Under --auth open a submission's id is enough to read it.
    let (status, stored) = server.json("GET", &format!("/api/v1/submissions/{}", ids[0]), &Value::Null);
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["source"], WRONG);
    assert_eq!(stored["verdict"], "wrong_answer");
    assert_eq!(stored["user"], Value::Null);
    assert_eq!(stored["report"]["passed"], wrong["passed"]);
    for test in stored["report"]["tests"].as_array().expect("tests") {
        if test["hidden"] == true {
            let mut keys: Vec<&str> = test
                .as_object()
                .expect("an object")
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["hidden", "index", "time_ms", "verdict"],
                "a hidden test stays redacted"
            );
        }
    }
    // Listing needs a teacher; newest first.
    expect_error(server.json("GET", "/api/v1/submissions", &Value::Null), 401, "token");
    let (status, list) = server
        .as_user(&teacher)
        .json("GET", "/api/v1/submissions", &Value::Null);
    assert_eq!(status, 200, "{list}");
    let listed: Vec<&str> = list["submissions"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(listed, [ids[1].as_str(), ids[0].as_str()]);
    assert_eq!(list["next"], Value::Null);
    expect_error(
        server.json("GET", &format!("/api/v1/submissions/{}", "0".repeat(32)), &Value::Null),
        404,
        "no submission",
    );
    expect_error(
        server.json("GET", "/api/v1/submissions/../../etc/passwd", &Value::Null),
        404,
        "",
    );
}

/// Judge0 submissions queued (not yet run) by a process killed with SIGKILL are run by the
/// next process on the store: none is lost, and each runs once.
#[test]
fn queued_judge0_submissions_survive_a_sigkill() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = sqlite(dir.path());
    let server = Server::start(&["--store", &store, "--workers", "1"]);
    let mut tokens = Vec::new();
    for n in 0..3 {
        let source = format!("import time\ntime.sleep(1.5)\nprint({n} * 7)\n");
        let (status, answer) = server.json(
            "POST",
            "/submissions",
            &json!({"language_id": 71, "source_code": source}),
        );
        assert_eq!(status, 201, "{answer}");
        tokens.push(answer["token"].as_str().expect("a token").to_owned());
    }
    // One is running, two are queued: kill it now.
    server.kill9();
    let restarted = Instant::now();
    let server = Server::start(&["--store", &store, "--workers", "1"]);
    for (n, token) in tokens.iter().enumerate() {
        let finished = loop {
            let (status, s) = server.json("GET", &format!("/submissions/{token}"), &Value::Null);
            assert_eq!(status, 200, "{s}");
            if s["status"]["id"].as_u64().unwrap_or(0) >= 3 {
                break s;
            }
            assert!(
                restarted.elapsed() < Duration::from_secs(60),
                "still unfinished after 60 s: {s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(finished["status"]["id"], 3, "{finished}");
        assert_eq!(finished["stdout"], format!("{}\n", n * 7));
    }
    // Three runs of 1.5 s on one sandbox, after a start: well within a minute.
    let took = restarted.elapsed();
    assert!(
        took >= Duration::from_millis(4_500) && took < Duration::from_secs(45),
        "{took:?}"
    );
}

#[test]
fn two_servers_on_one_store_answer_for_each_other() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = sqlite(dir.path());
    let ada = token(&store, "ada", "learner");
    let a = Server::start(&["--store", &store, "--auth", "tokens"]);
    let b = Server::start(&["--store", &store, "--auth", "tokens"]);
    let graded = grade(&a.as_user(&ada), RIGHT);
    let (status, seen) = b
        .as_user(&ada)
        .json("GET", &format!("/api/v1/submissions/{}", id_of(&graded)), &Value::Null);
    assert_eq!((status, &seen["user"]), (200, &json!("ada")), "{seen}");
    let (status, created) = a.with_header("X-Auth-Token", &ada).json(
        "POST",
        "/submissions?wait=true",
        &json!({"language_id": 72, "source_code": "puts 6 * 7"}),
    );
    assert_eq!(status, 201, "{created}");
    let (status, read) = b.with_header("X-Auth-Token", &ada).json(
        "GET",
        &format!("/submissions/{}", created["token"].as_str().expect("a token")),
        &Value::Null,
    );
    assert_eq!((status, read["stdout"].as_str()), (200, Some("42\n")), "{read}");
    // Revoked on the command line: refused by both at once.
    let (code, _, err) = polyrun(&["token", "revoke", "ada", "--store", &store]);
    assert_eq!(code, 0, "{err}");
    for server in [&a, &b] {
        expect_error(
            server.as_user(&ada).json("GET", "/api/v1/me", &Value::Null),
            401,
            "unknown or revoked",
        );
    }
}

#[test]
fn tokens_roles_and_the_gradebook() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = sqlite(dir.path());
    let (ada, bob, tess) = (
        token(&store, "ada", "learner"),
        token(&store, "bob", "learner"),
        token(&store, "tess", "teacher"),
    );
    let log = dir.path().join("server.log");
    let server = Server::start_with(&["--store", &store, "--auth", "tokens"], Some(&log));
    let (ada_c, bob_c, tess_c) = (server.as_user(&ada), server.as_user(&bob), server.as_user(&tess));

    // The public routes need no token; everything else does.
    for path in [
        "/api/v1/problems",
        "/api/v1/problems/fizz-buzz",
        "/api/v1/openapi.json",
        "/languages",
        "/statuses",
        "/about",
    ] {
        assert_eq!(server.request("GET", path, b"").0, 200, "{path}");
    }
    let body = json!({"problem": "fizz-buzz", "language": "python", "source": RIGHT});
    expect_error(server.json("POST", "/api/v1/grade", &body), 401, "token");
    expect_error(
        server.json("POST", "/submissions", &json!({"language_id": 71, "source_code": "1"})),
        401,
        "token",
    );
    expect_error(
        server
            .as_user("pr_not-a-real-token")
            .json("POST", "/api/v1/grade", &body),
        401,
        "unknown",
    );
    expect_error(
        server
            .with_header("Authorization", "Basic YTpi")
            .json("GET", "/api/v1/me", &Value::Null),
        401,
        "Bearer",
    );
    let (status, me) = tess_c.json("GET", "/api/v1/me", &Value::Null);
    assert_eq!((status, me), (200, json!({"name": "tess", "role": "teacher"})));

    let first = grade(&ada_c, WRONG);
    std::thread::sleep(Duration::from_millis(5));
    let second = grade(&ada_c, RIGHT);
    let bobs = grade(&bob_c, WRONG);

    // A learner sees their own, never another's.
    let (status, own) = ada_c.json("GET", "/api/v1/submissions?problem=fizz-buzz", &Value::Null);
    assert_eq!(status, 200, "{own}");
    let own_ids: Vec<&str> = own["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(own_ids, [id_of(&second), id_of(&first)]);
    expect_error(
        ada_c.json("GET", "/api/v1/submissions?user=bob", &Value::Null),
        403,
        "learner",
    );
    expect_error(
        ada_c.json("GET", &format!("/api/v1/submissions/{}", id_of(&bobs)), &Value::Null),
        404,
        "no submission",
    );
    expect_error(ada_c.json("GET", "/api/v1/gradebook", &Value::Null), 403, "teachers");
    // The same on the Judge0 routes: bob's submission is unknown to ada, one at a time or
    // in a batch; bob and the teacher read it.
    let (status, job) = bob_c.json(
        "POST",
        "/submissions?wait=true",
        &json!({"language_id": 71, "source_code": "print(input())", "stdin": "bob's secret"}),
    );
    assert_eq!(status, 201, "{job}");
    let job_token = job["token"].as_str().expect("a token").to_owned();
    let one = format!("/submissions/{job_token}?fields=stdin,stdout");
    expect_error(ada_c.json("GET", &one, &Value::Null), 404, "no submission");
    let batch = format!("/submissions/batch?tokens={job_token}&fields=stdin");
    let (status, seen) = ada_c.json("GET", &batch, &Value::Null);
    assert_eq!((status, &seen["submissions"]), (200, &json!([null])), "{seen}");
    for reader in [&bob_c, &tess_c] {
        let (status, seen) = reader.json("GET", &one, &Value::Null);
        assert_eq!((status, seen["stdin"].as_str()), (200, Some("bob's secret")), "{seen}");
    }
    // Bad filters.
    expect_error(
        tess_c.json("GET", "/api/v1/submissions?limit=0", &Value::Null),
        400,
        "limit",
    );
    expect_error(
        tess_c.json("GET", "/api/v1/submissions?limit=201", &Value::Null),
        400,
        "limit",
    );
    expect_error(
        tess_c.json("GET", "/api/v1/submissions?before=garbage", &Value::Null),
        400,
        "cursor",
    );
    expect_error(
        tess_c.json("GET", "/api/v1/submissions?sort=asc", &Value::Null),
        400,
        "unknown parameter",
    );
    expect_error(
        tess_c.json("GET", "/api/v1/gradebook?format=xml", &Value::Null),
        400,
        "format",
    );
    // Pages of one, linked by their cursors.
    let (_, page) = tess_c.json("GET", "/api/v1/submissions?limit=1", &Value::Null);
    assert_eq!(page["submissions"][0]["id"].as_str(), Some(id_of(&bobs).as_str()));
    let next = page["next"].as_str().expect("a next page");
    let (_, page2) = tess_c.json(
        "GET",
        &format!("/api/v1/submissions?limit=1&before={next}"),
        &Value::Null,
    );
    assert_eq!(page2["submissions"][0]["id"].as_str(), Some(id_of(&second).as_str()));

    // The gradebook: ada accepted after 2 attempts, bob wrong after 1.
    let (status, book) = tess_c.json("GET", "/api/v1/gradebook", &Value::Null);
    assert_eq!(status, 200, "{book}");
    assert_eq!(book["problems"], json!(["fizz-buzz"]));
    let ada_row = &book["rows"][0];
    assert_eq!(ada_row["user"], "ada");
    let cell = &ada_row["results"]["fizz-buzz"];
    assert_eq!(
        (cell["verdict"].as_str(), cell["attempts"].as_u64()),
        (Some("accepted"), Some(2)),
        "{cell}"
    );
    assert!(cell["accepted_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(book["rows"][1]["results"]["fizz-buzz"]["accepted_at"], Value::Null);
    let (status, headers, csv) = tess_c.request("GET", "/api/v1/gradebook?format=csv", b"");
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/csv"))
    );
    let csv = String::from_utf8(csv).expect("text");
    let (code, cli_csv, err) = polyrun(&["gradebook", "--csv", "--store", &store]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(csv, cli_csv, "the command line gives the same CSV");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "user,problem,verdict,passed,total,attempts,accepted_at");
    assert!(lines[1].starts_with("ada,fizz-buzz,accepted,"), "{csv}");
    assert!(
        lines[2].starts_with("bob,fizz-buzz,wrong_answer,") && lines[2].ends_with(",1,"),
        "{csv}"
    );

    // The command line lists the same submissions.
    let (code, out, err) = polyrun(&["submissions", "--store", &store, "--user", "ada", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"].as_str(), Some(id_of(&second).as_str()));

    // Neither tokens nor sources reach the log, nor is a token kept in the store's file.
    drop(server);
    let logged = std::fs::read_to_string(&log).expect("the log");
    for secret in [&ada, &bob, &tess] {
        assert!(!logged.contains(secret.as_str()), "a token in the log");
    }
    assert!(!logged.contains("fizz_buzz(n)"), "a source in the log: {logged}");
    let db = std::fs::read(dir.path().join("course.db")).expect("the file");
    let wal = std::fs::read(dir.path().join("course.db-wal")).unwrap_or_default();
    for secret in [&ada, &bob, &tess] {
        let needle = &secret.as_bytes()[3..];
        assert!(
            !db.windows(needle.len()).any(|w| w == needle) && !wal.windows(needle.len()).any(|w| w == needle),
            "a token kept in clear"
        );
    }
}

#[test]
fn the_store_commands_refuse_bad_usage_with_status_2() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = sqlite(dir.path());
    let _ = token(&store, "ada", "learner");
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "token", "create", "--name", "ada", "--role", "learner", "--store", &store,
            ],
            "exists",
        ),
        (
            &["token", "create", "--name", "x", "--role", "admin", "--store", &store],
            "not a role",
        ),
        (
            &["token", "create", "--name", " ", "--role", "learner", "--store", &store],
            "not a name",
        ),
        (&["token", "revoke", "nobody", "--store", &store], "no active token"),
        (&["submissions", "--store", "postgres://db"], "is not a store"),
        (
            &["submissions", "prune", "--older-than", "ninety days", "--store", &store],
            "not a duration",
        ),
        (
            &["gradebook", "--store", "sqlite:/proc/polyrun/x.db"],
            "cannot open the store",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = polyrun(args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (code, list, _) = polyrun(&["token", "list", "--store", &store]);
    assert_eq!(code, 0);
    assert!(
        list.contains("ada") && list.contains("learner") && !list.contains("pr_"),
        "{list}"
    );
}

#[test]
fn prune_forgets_old_submissions() {
    let dir = tempfile::tempdir().expect("a folder");
    let store = sqlite(dir.path());
    let server = Server::start(&["--store", &store]);
    let kept = grade(&server, WRONG);
    drop(server);
    let (code, out, err) = polyrun(&["submissions", "prune", "--older-than", "90d", "--store", &store]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("pruned 0 submissions"), "{out}");
    std::thread::sleep(Duration::from_millis(20));
    let (code, out, err) = polyrun(&["submissions", "prune", "--older-than", "10ms", "--store", &store]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("pruned 1 submissions"), "{out}");
    let server = Server::start(&["--store", &store]);
    expect_error(
        server.json("GET", &format!("/api/v1/submissions/{}", id_of(&kept)), &Value::Null),
        404,
        "no submission",
    );
}

/// A DynamoDB store that goes away: a grade is 503 with `{"error"}` (nothing acknowledged),
/// the public routes still answer; one that is down at start stops `polyrun serve` with
/// one line, within seconds.
#[test]
fn a_store_that_is_down_is_a_503_and_a_clear_line_at_start() {
    let dynalite = crate::dynalite::Dynalite::start();
    let endpoint = dynalite.endpoint();
    let aws = [
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "polyrun-test"),
        ("AWS_SECRET_ACCESS_KEY", "polyrun-test"),
    ];
    let server = Server::start_env(&["--store", "dynamodb:polyrun-down"], &aws);
    let graded = grade(&server, RIGHT);
    assert_eq!(graded["verdict"], "accepted");
    drop(dynalite);
    let started = Instant::now();
    let (status, answer) = server.json(
        "POST",
        "/api/v1/grade",
        &json!({"problem": "fizz-buzz", "language": "python", "source": RIGHT}),
    );
    assert_eq!(status, 503, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|m| m.contains("store is unavailable")),
        "{answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(server.request("GET", "/api/v1/problems", b"").0, 200);
    drop(server);

    // Down at start: exit 2, one line naming the store.
    let down = format!("http://127.0.0.1:{}", crate::dynalite::free_port());
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .args(["serve", "--addr", "127.0.0.1:0", "--store", "dynamodb:polyrun-down"])
        .env("AWS_ENDPOINT_URL_DYNAMODB", &down)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .output()
        .expect("polyrun serve runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cannot open the store dynamodb:polyrun-down"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

//! The Judge0 CE 1.13.1 compatible routes of a real `polyrun serve`: the information routes,
//! submissions run with `wait=true` in each language, every verdict (wrong answer, NZEC,
//! time and memory limits), base64 and `fields`, queued submissions polled by token,
//! batches, the queue's states and 429, and bad requests answered with a 4xx.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::common::HANG_GUARD;
use crate::http::{Client, Server, expect_error};

/// Judge0's default fields, in its order.
const DEFAULT_FIELDS: [&str; 8] = [
    "token",
    "time",
    "memory",
    "stdout",
    "stderr",
    "compile_output",
    "message",
    "status",
];

/// `POST /submissions?wait=true&fields=*` (plus `query`): the status and the submission.
fn run(client: &Client, submission: Value, query: &str) -> (u16, Value) {
    client.json("POST", &format!("/submissions?wait=true&fields=*{query}"), &submission)
}

/// A submission run with `wait=true` that must be answered 201; the submission.
fn finished(client: &Client, submission: Value) -> Value {
    let (status, answer) = run(client, submission, "");
    assert_eq!(status, 201, "{answer}");
    answer
}

fn status_id(submission: &Value) -> u64 {
    submission["status"]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no status id: {submission}"))
}

/// Polls `GET /submissions/{token}` until its status is past 2 (Processing).
fn poll(client: &Client, token: &str) -> Value {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let (status, submission) = client.json("GET", &format!("/submissions/{token}?fields=*"), &Value::Null);
        assert_eq!(status, 200, "{submission}");
        if status_id(&submission) > 2 {
            return submission;
        }
        assert!(Instant::now() < deadline, "{token} still not done: {submission}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

fn unb64(value: &Value) -> String {
    let text = value.as_str().unwrap_or_else(|| panic!("not a string: {value}"));
    String::from_utf8(STANDARD.decode(text).expect("base64")).expect("UTF-8")
}

/// Seconds from Judge0's decimal string.
fn seconds(value: &Value) -> f64 {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a decimal string: {value}"))
}

#[test]
fn judge0_information_routes_answer_as_judge0_ce() {
    let server = Server::start(&[]);
    let (status, about) = server.json("GET", "/about", &Value::Null);
    assert_eq!((status, about["version"].as_str()), (200, Some("1.13.1")), "{about}");
    assert!(
        about["homepage"].as_str().is_some_and(|h| h.starts_with("https://")),
        "{about}"
    );

    let (status, config) = server.json("GET", "/config_info", &Value::Null);
    assert_eq!(status, 200);
    assert_eq!(config["enable_wait_result"], true);
    assert_eq!(config["enable_batched_submissions"], true);
    assert_eq!(config["max_submission_batch_size"], 20);
    assert_eq!(config["max_memory_limit"], 512_000);
    assert_eq!(config["max_wall_time_limit"], 20.0);
    assert_eq!(config["enable_network"], false);
    // The keys the official Python SDK's `Config` model requires.
    for key in [
        "allow_enable_network",
        "allowed_languages_for_compile_options",
        "callbacks_max_tries",
        "callbacks_timeout",
        "cpu_extra_time",
        "cpu_time_limit",
        "maintenance_mode",
        "max_extract_size",
        "max_queue_size",
        "max_stack_limit",
        "number_of_runs",
        "submission_cache_duration",
        "use_docs_as_homepage",
        "wall_time_limit",
    ] {
        assert!(config.get(key).is_some(), "no {key} in {config}");
    }

    let (status, languages) = server.json("GET", "/languages", &Value::Null);
    assert_eq!(status, 200);
    let listed: Vec<(u64, &str)> = languages
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| (l["id"].as_u64().expect("an id"), l["name"].as_str().expect("a name")))
        .collect();
    let ids: Vec<u64> = listed.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [63, 71, 72], "{languages}");
    for (id, prefix) in [(63, "JavaScript (QuickJS"), (71, "Python (3."), (72, "Ruby (3.")] {
        let name = listed.iter().find(|(i, _)| *i == id).map(|(_, n)| *n).unwrap_or("");
        assert!(name.starts_with(prefix) && name.ends_with(')'), "{id}: {name}");
    }
    assert!(listed.contains(&(71, "Python (3.14.0)")), "{languages}");

    let (status, python) = server.json("GET", "/languages/71", &Value::Null);
    assert_eq!(status, 200);
    assert_eq!(python["source_file"], "script.py");
    assert_eq!(python["compile_cmd"], Value::Null);
    assert_eq!(python["is_archived"], false);
    expect_error(server.json("GET", "/languages/999", &Value::Null), 404, "999");
    expect_error(server.json("GET", "/languages/python", &Value::Null), 404, "python");

    let (status, statuses) = server.json("GET", "/statuses", &Value::Null);
    assert_eq!(status, 200);
    let statuses = statuses.as_array().expect("a list");
    assert_eq!(statuses.len(), 14);
    assert_eq!(statuses[10], json!({"id": 11, "description": "Runtime Error (NZEC)"}));
    assert_eq!(statuses[2], json!({"id": 3, "description": "Accepted"}));
}

#[test]
fn judge0_waited_submissions_run_in_every_language_with_stdin() {
    let server = Server::start(&[]);
    for (id, source) in [
        (71, "name = input()\nprint(f'hello {name}')\n"),
        (72, "name = gets.chomp\nputs \"hello #{name}\"\n"),
        (63, "const name = readline();\nconsole.log('hello ' + name);\n"),
    ] {
        let answer = finished(
            &server,
            json!({"language_id": id, "source_code": source, "stdin": "world\n", "expected_output": "hello world"}),
        );
        assert_eq!(status_id(&answer), 3, "{id}: {answer}");
        assert_eq!(answer["status"]["description"], "Accepted");
        assert_eq!(answer["stdout"], "hello world\n", "{id}: {answer}");
        assert_eq!(answer["stderr"], Value::Null, "no stderr is null, as in Judge0");
        assert_eq!(
            (answer["exit_code"].as_i64(), answer["message"].clone()),
            (Some(0), Value::Null)
        );
        assert_eq!(answer["language"]["id"], id);
        assert!(seconds(&answer["time"]) > 0.0, "{answer}");
        let token = answer["token"].as_str().expect("a token");
        assert_eq!(token.len(), 36, "a UUID: {token}");
        assert_eq!(token.as_bytes()[14], b'4', "a v4 UUID: {token}");
        // Kept: read back by token, with Judge0's default fields.
        let (status, again) = server.json("GET", &format!("/submissions/{token}"), &Value::Null);
        assert_eq!(status, 200);
        let mut default = DEFAULT_FIELDS.to_vec();
        default.sort_unstable();
        assert_eq!(keys(&again), default, "{again}");
        assert_eq!(again["stdout"], "hello world\n");
    }
    // Judge0 clients often write a trailing slash.
    let (status, answer) = server.json(
        "POST",
        "/submissions/?wait=true",
        &json!({"language_id": 71, "source_code": "print(2)"}),
    );
    assert_eq!((status, answer["stdout"].as_str()), (201, Some("2\n")), "{answer}");
    let (status, languages) = server.json("GET", "/languages/", &Value::Null);
    assert_eq!((status, languages.as_array().map(Vec::len)), (200, Some(3)));
}

#[test]
fn judge0_verdicts_wrong_answer_runtime_error_and_limits() {
    let server = Server::start(&[]);
    let print = |text: &str, expected: &str| {
        finished(
            &server,
            json!({"language_id": 71, "source_code": format!("print({text:?}, end='')"), "expected_output": expected}),
        )
    };
    let wrong = print("1\n", "2\n");
    assert_eq!(
        (status_id(&wrong), wrong["status"]["description"].as_str()),
        (4, Some("Wrong Answer"))
    );
    assert_eq!(wrong["stdout"], "1\n");
    // Trailing white space on each line and trailing blank lines do not count…
    assert_eq!(status_id(&print("1   \n2\t\n\n\n", "1\n2")), 3);
    assert_eq!(status_id(&print("1\n2", "1 \n2\n\n")), 3);
    // …leading white space and blank lines in between do.
    assert_eq!(status_id(&print(" 1\n2", "1\n2")), 4);
    assert_eq!(status_id(&print("1\n\n2", "1\n2")), 4);

    let nzec = finished(
        &server,
        json!({"language_id": 72, "source_code": "puts 'partial'\nwarn 'oops'\nexit 3", "expected_output": "partial"}),
    );
    assert_eq!(status_id(&nzec), 11, "{nzec}");
    assert_eq!(nzec["status"]["description"], "Runtime Error (NZEC)");
    assert_eq!(nzec["exit_code"], 3);
    assert_eq!(nzec["message"], "Exited with error status 3");
    assert_eq!(
        (nzec["stdout"].as_str(), nzec["stderr"].as_str()),
        (Some("partial\n"), Some("oops\n"))
    );
    let raised = finished(
        &server,
        json!({"language_id": 71, "source_code": "raise ValueError('bad')"}),
    );
    assert_eq!(status_id(&raised), 11, "{raised}");
    assert!(
        raised["stderr"].as_str().unwrap_or("").contains("ValueError: bad"),
        "{raised}"
    );

    let started = Instant::now();
    let slow = finished(
        &server,
        json!({"language_id": 63, "source_code": "for (;;) {}", "wall_time_limit": 0.5}),
    );
    assert_eq!(status_id(&slow), 5, "{slow}");
    assert_eq!(slow["status"]["description"], "Time Limit Exceeded");
    assert_eq!(slow["wall_time_limit"], "0.5");
    let time = seconds(&slow["time"]);
    assert!((0.45..5.0).contains(&time), "stopped near 0.5 s: {time}");
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    let cpu = finished(
        &server,
        json!({"language_id": 71, "source_code": "while True: pass", "cpu_time_limit": "0.3"}),
    );
    assert_eq!(status_id(&cpu), 5, "the smaller of the CPU and wall limits: {cpu}");

    let big = finished(
        &server,
        json!({"language_id": 71, "source_code": "x = bytearray(300 * 1024 * 1024)\nprint('no')", "memory_limit": 64000}),
    );
    assert_eq!(status_id(&big), 12, "{big}");
    assert_eq!(big["status"]["description"], "Runtime Error (Other)");
    let message = big["message"].as_str().unwrap_or("");
    assert!(message.to_lowercase().contains("memory limit exceeded"), "{big}");
    assert_eq!(big["memory_limit"], 64_000);
    assert!(
        big["memory"].as_u64().is_some_and(|kb| kb >= 64_000),
        "it needed more than its limit: {big}"
    );
    assert_eq!(big["stdout"], Value::Null);
    // The same program fits in Judge0's largest limit.
    let fits = finished(
        &server,
        json!({"language_id": 71, "source_code": "x = bytearray(300 * 1024 * 1024)\nprint('yes')", "memory_limit": 512000}),
    );
    assert_eq!(
        (status_id(&fits), fits["stdout"].as_str()),
        (3, Some("yes\n")),
        "{fits}"
    );
    // 300 MiB beyond the interpreter's own memory, and a little for the rest.
    let kb = fits["memory"].as_u64().unwrap_or(0);
    assert!((307_200..307_200 + 8_192).contains(&kb), "memory {kb} KB: {fits}");
}

/// `memory` is what the program used beyond its interpreter's own start-up memory (the
/// quantity `memory_limit` bounds), measured in every language; `POST /api/v1/run` gives
/// the same as `memory_kb`.
#[test]
fn judge0_memory_is_what_the_program_used() {
    let server = Server::start(&[]);
    for (id, small, large) in [
        (71, "print(1)", "x = bytearray(40 * 1024 * 1024)\nprint(len(x))"),
        (72, "puts 1", "x = 'a' * (40 * 1024 * 1024)\nputs x.size"),
        (
            63,
            "console.log(1)",
            "const a = new Uint8Array(40 * 1024 * 1024); a.fill(1); console.log(a.length)",
        ),
    ] {
        let small = finished(&server, json!({"language_id": id, "source_code": small}));
        let large = finished(&server, json!({"language_id": id, "source_code": large}));
        let (small_kb, large_kb) = (small["memory"].as_u64(), large["memory"].as_u64());
        eprintln!("language {id}: {small_kb:?} KB printing 1, {large_kb:?} KB with 40 MiB more");
        assert!(small_kb.is_some_and(|kb| kb < 4_096), "{small}");
        assert!(
            large_kb.is_some_and(|kb| (40_960..40_960 + 8_192).contains(&kb)),
            "{large}"
        );
    }
    let (status, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "x = bytearray(20 * 1024 * 1024)"}),
    );
    assert_eq!(status, 200, "{report}");
    let kb = report["memory_kb"].as_u64().unwrap_or(0);
    assert!((20_480..20_480 + 8_192).contains(&kb), "{report}");
}

#[test]
fn judge0_base64_round_trips_and_fields_filter() {
    let server = Server::start(&[]);
    let text = "héllo wörld ✓ 日本語";
    let reversed: String = text.chars().rev().collect();
    let submission = json!({
        "language_id": 71,
        "source_code": b64("s = input()\nprint(s[::-1])\nprint('ünïcode', file=__import__('sys').stderr)\n"),
        "stdin": b64(text),
        "expected_output": b64(&reversed),
    });
    let (status, answer) = run(&server, submission, "&base64_encoded=true");
    assert_eq!(status, 201, "{answer}");
    assert_eq!(status_id(&answer), 3, "{answer}");
    assert_eq!(unb64(&answer["stdout"]), format!("{reversed}\n"));
    assert_eq!(unb64(&answer["stderr"]), "ünïcode\n");
    assert_eq!(unb64(&answer["stdin"]), text);
    assert!(unb64(&answer["source_code"]).starts_with("s = input()"));
    // Read back as text.
    let token = answer["token"].as_str().expect("a token");
    let (_, plain) = server.json(
        "GET",
        &format!("/submissions/{token}?fields=stdout,stdin"),
        &Value::Null,
    );
    assert_eq!(plain, json!({"stdout": format!("{reversed}\n"), "stdin": text}));
    let nzec = finished_base64(&server, "import sys\nsys.exit(2)");
    assert_eq!(
        unb64(&nzec["message"]),
        "Exited with error status 2",
        "message is base64 too"
    );

    let (status, two) = server.json(
        "POST",
        "/submissions?wait=true&fields=stdout,status",
        &json!({"language_id": 63, "source_code": "console.log(6 * 7)"}),
    );
    assert_eq!(status, 201);
    assert_eq!(
        two,
        json!({"stdout": "42\n", "status": {"id": 3, "description": "Accepted"}})
    );

    let all = finished(&server, json!({"language_id": 72, "source_code": "puts 1"}));
    assert_eq!(keys(&all).len(), 35, "{all}");
    for key in [
        "source_code",
        "language_id",
        "cpu_time_limit",
        "wall_time",
        "created_at",
        "finished_at",
        "language",
    ] {
        assert!(all.get(key).is_some(), "no {key}: {all}");
    }
    assert_eq!(all["cpu_time_limit"], "5.0");
    assert_eq!(all["memory_limit"], 128_000);
    assert_eq!(all["status_id"], 3);
    let created = all["created_at"].as_str().expect("a date");
    assert!(
        created.len() == 24 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );

    expect_error(
        server.json(
            "POST",
            "/submissions?wait=true&fields=stdout,bogus",
            &json!({"language_id": 71, "source_code": "1"}),
        ),
        400,
        "bogus",
    );
    let token = all["token"].as_str().expect("a token");
    expect_error(
        server.json("GET", &format!("/submissions/{token}?fields=nope"), &Value::Null),
        400,
        "nope",
    );
}

fn finished_base64(client: &Client, source: &str) -> Value {
    let (status, answer) = run(
        client,
        json!({"language_id": 71, "source_code": b64(source)}),
        "&base64_encoded=true",
    );
    assert_eq!(status, 201, "{answer}");
    answer
}

#[test]
fn judge0_queued_submissions_and_batches_are_polled_by_token() {
    let server = Server::start(&[]);
    let (status, created) = server.json(
        "POST",
        "/submissions",
        &json!({"language_id": 71, "source_code": "print(int(input()) * 2)", "stdin": "21"}),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(keys(&created), ["token"], "only the token without wait: {created}");
    let token = created["token"].as_str().expect("a token");
    let done = poll(&server, token);
    assert_eq!((status_id(&done), done["stdout"].as_str()), (3, Some("42\n")), "{done}");
    assert!(done["finished_at"].is_string(), "{done}");

    let (status, tokens) = server.json(
        "POST",
        "/submissions/batch?base64_encoded=true",
        &json!({"submissions": [
            {"language_id": 72, "source_code": b64("puts gets.to_i + 1"), "stdin": b64("1")},
            {"language_id": 999, "source_code": b64("x")},
            {"language_id": 63, "source_code": b64("console.log('js')")},
        ]}),
    );
    assert_eq!(status, 201, "{tokens}");
    let tokens = tokens.as_array().expect("a list");
    assert_eq!(tokens.len(), 3);
    assert!(tokens[1]["error"].as_str().unwrap_or("").contains("999"), "{tokens:?}");
    let (first, third) = (
        tokens[0]["token"].as_str().expect("a token"),
        tokens[2]["token"].as_str().expect("a token"),
    );
    let deadline = Instant::now() + HANG_GUARD;
    let submissions = loop {
        let (status, batch) = server.json(
            "GET",
            &format!(
                "/submissions/batch?tokens={first},{third},00000000-0000-4000-8000-000000000000&fields=stdout,status"
            ),
            &Value::Null,
        );
        assert_eq!(status, 200, "{batch}");
        let submissions = batch["submissions"].as_array().expect("a list").clone();
        assert_eq!(submissions.len(), 3);
        assert_eq!(submissions[2], Value::Null, "an unknown token is null, as in Judge0");
        if submissions[..2].iter().all(|s| status_id(s) > 2) {
            break submissions;
        }
        assert!(Instant::now() < deadline, "batch still not done: {batch}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        submissions[0],
        json!({"stdout": "2\n", "status": {"id": 3, "description": "Accepted"}})
    );
    assert_eq!(submissions[1]["stdout"], "js\n");

    expect_error(
        server.json("POST", "/submissions/batch", &json!({"submissions": []})),
        400,
        "at least one",
    );
    let many: Vec<Value> = (0..21)
        .map(|_| json!({"language_id": 71, "source_code": "1"}))
        .collect();
    expect_error(
        server.json("POST", "/submissions/batch", &json!({"submissions": many})),
        400,
        "20",
    );
    expect_error(
        server.json(
            "POST",
            "/submissions/batch",
            &json!({"submissions": [{"language_id": 1, "source_code": "x"}]}),
        ),
        422,
        "language with id 1",
    );
    expect_error(
        server.json("GET", "/submissions/batch", &Value::Null),
        400,
        "at least one",
    );
}

#[test]
fn judge0_queue_states_and_a_full_grader_answer_429() {
    let server = Server::start(&["--workers", "1", "--queue", "0"]);
    let long = json!({"language_id": 63, "source_code": "for (;;) {}", "wall_time_limit": 4});
    let (status, first) = server.json("POST", "/submissions", &long);
    assert_eq!(status, 201, "{first}");
    let first = first["token"].as_str().expect("a token").to_owned();
    // The first takes the only place (2, Processing) ...
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, running) = server.json("GET", &format!("/submissions/{first}"), &Value::Null);
        if status_id(&running) == 2 {
            break;
        }
        assert_eq!(status_id(&running), 1, "{running}");
        assert!(Instant::now() < deadline, "never started: {running}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // ... so the next one waits for it (1, In Queue).
    let (status, second) = server.json(
        "POST",
        "/submissions",
        &json!({"language_id": 71, "source_code": "print('after')"}),
    );
    assert_eq!(status, 201, "{second}");
    let second = second["token"].as_str().expect("a token").to_owned();
    let (first, second) = (first.as_str(), second.as_str());
    let (_, waiting) = server.json("GET", &format!("/submissions/{second}"), &Value::Null);
    assert_eq!(
        waiting["status"],
        json!({"id": 1, "description": "In Queue"}),
        "{waiting}"
    );
    assert_eq!(waiting["stdout"], Value::Null);
    expect_error(
        server.json(
            "POST",
            "/submissions?wait=true",
            &json!({"language_id": 71, "source_code": "print(1)"}),
        ),
        429,
        "busy",
    );
    assert_eq!(status_id(&poll(&server, first)), 5);
    let after = poll(&server, second);
    assert_eq!((status_id(&after), after["stdout"].as_str()), (3, Some("after\n")));
    let answer = finished(&server, json!({"language_id": 71, "source_code": "print(1)"}));
    assert_eq!(answer["stdout"], "1\n", "free again: {answer}");
}

/// A backlog of queued Judge0 work takes at most as many places as there are sandboxes:
/// an interactive run sent behind 40 queued one-second submissions is admitted (not 429)
/// and answered after at most the one in progress, not after the backlog (measured before:
/// 429 until the backlog was nearly done).
#[test]
fn a_judge0_backlog_does_not_lock_out_interactive_runs() {
    let server = Server::start(&["--workers", "1", "--queue", "2"]);
    let slow = json!({"language_id": 63, "source_code": "for (;;) {}", "wall_time_limit": 1});
    let batch = json!({"submissions": vec![slow; 20]});
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (status, answer) = server.json("POST", "/submissions/batch", &batch);
        assert_eq!(status, 201, "{answer}");
        tokens.extend(
            answer
                .as_array()
                .expect("tokens")
                .iter()
                .filter_map(|t| t["token"].as_str())
                .map(str::to_owned),
        );
    }
    assert_eq!(tokens.len(), 40);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (status, run) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "print('interactive')"}),
    );
    let took = started.elapsed();
    eprintln!("interactive run behind 40 queued Judge0 submissions: {status} after {took:?}");
    assert_eq!((status, run["stdout"].as_str()), (200, Some("interactive\n")), "{run}");
    assert!(
        took < Duration::from_secs(5),
        "waited {took:?} behind the Judge0 backlog"
    );
    let (_, last) = server.json("GET", &format!("/submissions/{}", tokens[39]), &Value::Null);
    assert_eq!(status_id(&last), 1, "the backlog is still queued: {last}");
}

#[test]
fn judge0_bodies_not_declared_as_json_get_415_and_then_json_works() {
    let server = Server::start(&[]);
    let submission = br#"{"language_id": 71, "source_code": "print('ok')"}"#;
    let batch = br#"{"submissions": [{"language_id": 71, "source_code": "print('ok')"}]}"#;
    expect_error(
        server.typed_json("POST", "/submissions?wait=true", Some("text/plain"), submission),
        415,
        "text/plain",
    );
    expect_error(
        server.typed_json(
            "POST",
            "/submissions/",
            Some("application/x-www-form-urlencoded"),
            submission,
        ),
        415,
        "application/json",
    );
    expect_error(
        server.typed_json("POST", "/submissions/batch", Some("text/plain; charset=utf-8"), batch),
        415,
        "text/plain",
    );
    expect_error(
        server.typed_json(
            "POST",
            "/submissions/batch",
            Some("application/x-www-form-urlencoded"),
            batch,
        ),
        415,
        "application/json",
    );

    // Declared as JSON (or not declared at all), the same bodies are taken.
    let (status, answer) = server.typed_json(
        "POST",
        "/submissions?wait=true",
        Some("application/json; charset=utf-8"),
        submission,
    );
    assert_eq!((status, answer["stdout"].as_str()), (201, Some("ok\n")), "{answer}");
    let (status, answer) = server.typed_json("POST", "/submissions?wait=true", None, submission);
    assert_eq!((status, answer["stdout"].as_str()), (201, Some("ok\n")), "{answer}");
    let (status, answer) = server.typed_json("POST", "/submissions/batch", Some("application/json"), batch);
    assert_eq!(status, 201, "{answer}");
    assert!(answer[0]["token"].is_string(), "{answer}");
}

#[test]
fn judge0_bad_requests_get_a_4xx_and_the_server_lives_on() {
    let server = Server::start(&[]);
    let post = |body: Value| server.json("POST", "/submissions?wait=true", &body);
    expect_error(post(json!({"language_id": 999, "source_code": "1"})), 422, "999");
    expect_error(
        post(json!({"language_id": "abc", "source_code": "1"})),
        422,
        "language_id",
    );
    expect_error(post(json!({"language_id": 71})), 422, "source_code");
    expect_error(post(json!({"source_code": "print(1)"})), 422, "language_id");
    expect_error(
        server.json(
            "POST",
            "/submissions?base64_encoded=true",
            &json!({"language_id": 71, "source_code": "not base64!"}),
        ),
        422,
        "base64",
    );
    expect_error(
        post(json!({"language_id": 71, "source_code": "1", "cpu_time_limit": 100})),
        422,
        "cpu_time_limit",
    );
    expect_error(
        post(json!({"language_id": 71, "source_code": "1", "memory_limit": 10_000_000})),
        422,
        "memory_limit",
    );
    expect_error(
        post(json!({"language_id": 71, "source_code": "1", "wall_time_limit": -1})),
        422,
        "wall_time_limit",
    );
    expect_error(
        post(json!({"language_id": 71, "source_code": "1", "enable_network": true})),
        422,
        "network",
    );
    expect_error(server.raw_json("POST", "/submissions", b"{not json"), 400, "not valid");
    expect_error(server.raw_json("POST", "/submissions", b""), 400, "empty");
    expect_error(server.raw_json("POST", "/submissions", b"[1]"), 400, "object");
    let big = "#".repeat(65 * 1024);
    expect_error(post(json!({"language_id": 71, "source_code": big})), 413, "KiB");
    expect_error(
        server.json("GET", "/submissions/no-such-token", &Value::Null),
        404,
        "no-such-token",
    );
    expect_error(server.json("GET", "/submissions/x?fields=", &Value::Null), 404, "'x'");
    expect_error(server.json("DELETE", "/submissions/x", &Value::Null), 405, "DELETE");

    // Still serving.
    let answer = finished(&server, json!({"language_id": 71, "source_code": "print('alive')"}));
    assert_eq!((status_id(&answer), answer["stdout"].as_str()), (3, Some("alive\n")));
}

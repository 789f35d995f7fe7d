//! `polyrun serve` as a real process on a real socket: the problem routes, grading with
//! hidden tests redacted, running programs, the web app's page, and every kind of bad
//! request answered with a 4xx and `{"error"}` (the server still serving afterwards).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{self, HANG_GUARD, clip};

/// A `polyrun serve` process, killed when dropped; requests go through its [`Client`].
pub(crate) struct Server {
    child: Child,
    client: Client,
    /// The data folder it was given (its default store), removed when dropped.
    _data: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Server {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Requests to a server at `addr`, one connection each.
#[derive(Clone)]
pub(crate) struct Client {
    addr: String,
    /// Extra headers sent with every request (`Authorization: Bearer …`).
    headers: Vec<(String, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `polyrun serve --addr 127.0.0.1:0 args…` and waits for its first line. Its
    /// default store is a fresh folder of its own (`POLYRUN_DATA`) unless args name one.
    pub(crate) fn start(args: &[&str]) -> Server {
        Server::start_with(args, None)
    }

    /// [`Server::start`] with more environment variables.
    pub(crate) fn start_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_full(args, None, env)
    }

    /// [`Server::start`], its stderr written to `stderr` when given.
    pub(crate) fn start_with(args: &[&str], stderr: Option<&Path>) -> Server {
        Server::start_full(args, stderr, &[])
    }

    fn start_full(args: &[&str], stderr: Option<&Path>, env: &[(&str, &str)]) -> Server {
        Server::start_program(Path::new(env!("CARGO_BIN_EXE_polyrun")), args, stderr, env)
    }

    /// [`Server::start`] of the `polyrun` executable at `program`.
    pub(crate) fn start_program(program: &Path, args: &[&str], stderr: Option<&Path>, env: &[(&str, &str)]) -> Server {
        let data = tempfile::tempdir().expect("a data folder");
        let mut command = Command::new(program);
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("POLYRUN_DATA", data.path())
            .env_remove("POLYRUN_STORE")
            .env_remove("POLYRUN_AUTH")
            .envs(env.iter().copied())
            .stdout(Stdio::piped());
        match stderr {
            Some(path) => command.stderr(std::fs::File::create(path).expect("a stderr file")),
            None => command.stderr(Stdio::inherit()),
        };
        let mut child = command.spawn().expect("polyrun serve starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(HANG_GUARD)
            .expect("polyrun serve says where it listens");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server {
            child,
            client: Client {
                addr,
                headers: Vec::new(),
            },
            _data: Some(data),
        }
    }

    /// Its exit status, waited for until `limit` after `since` (then the test fails with `why`).
    pub(crate) fn exit_status_within(
        &mut self,
        since: std::time::Instant,
        limit: Duration,
        why: &str,
    ) -> std::process::ExitStatus {
        loop {
            if let Some(code) = self.child.try_wait().expect("wait") {
                return code;
            }
            assert!(since.elapsed() < limit, "{why}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it with SIGKILL (no shutdown of any kind) and waits for it to be gone.
    pub(crate) fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A client sending `Authorization: Bearer <token>`.
    pub(crate) fn as_user(&self, token: &str) -> Client {
        self.client.with_header("Authorization", &format!("Bearer {token}"))
    }
}

impl Client {
    /// The same client, also sending `name: value`.
    pub(crate) fn with_header(&self, name: &str, value: &str) -> Client {
        let mut client = self.clone();
        client.headers.push((name.to_owned(), value.to_owned()));
        client
    }

    /// Sends one HTTP/1.1 request with `Content-Type: application/json`; returns the
    /// status, the headers (lower-case names) and the body.
    pub(crate) fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
        self.request_as(method, path, Some("application/json"), body)
    }

    /// [`Client::request`] with the `Content-Type` given (`None`: no such header).
    pub(crate) fn request_as(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(HANG_GUARD)).expect("a read timeout");
        let mut content_type = content_type.map_or(String::new(), |t| format!("Content-Type: {t}\r\n"));
        for (name, value) in &self.headers {
            content_type.push_str(&format!("{name}: {value}\r\n"));
        }
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("send the head");
        // A server may answer (413) before it has read a large body.
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the answer");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no header end in {:?}", clip(&String::from_utf8_lossy(&raw))));
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        (status, headers, body)
    }

    /// A request whose answer is JSON: the status and the value.
    pub(crate) fn json(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let text = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        self.raw_json(method, path, &text)
    }

    pub(crate) fn raw_json(&self, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        self.typed_json(method, path, Some("application/json"), body)
    }

    /// A request with the `Content-Type` given whose answer is JSON: the status and the value.
    pub(crate) fn typed_json(&self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Value) {
        let (status, _, body) = self.request_as(method, path, content_type, body);
        let value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!(
                "{method} {path}: {status}, not JSON ({e}): {:?}",
                String::from_utf8_lossy(&body)
            )
        });
        (status, value)
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
}

fn solution(id: &str, file: &str) -> String {
    std::fs::read_to_string(
        common::repo_root()
            .join("problems")
            .join(id)
            .join("solutions")
            .join(file),
    )
    .expect("a reference solution")
}

/// An error answer: the status, and `{"error": "…"}` naming `needle`.
pub(crate) fn expect_error(answer: (u16, Value), status: u16, needle: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    let message = answer.1["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error field: {}", answer.1));
    assert!(message.contains(needle), "{message:?} does not name {needle:?}");
}

#[test]
fn problems_are_listed_and_shown_without_hidden_tests() {
    let server = Server::start(&[]);
    let bank = common::project_bank();
    let (status, list) = server.json("GET", "/api/v1/problems", &Value::Null);
    assert_eq!(status, 200);
    let ids: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    let mut expected = bank.ids().expect("the bank");
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(
        list[0].as_object().map(|o| o.len()),
        Some(4),
        "id, title, difficulty, tags: {}",
        list[0]
    );

    let problem = bank.load("two-sum").expect("two-sum");
    let (status, shown) = server.json("GET", "/api/v1/problems/two-sum", &Value::Null);
    assert_eq!(status, 200);
    assert_eq!(shown["title"], problem.meta.title.as_str());
    let text = shown.to_string();
    let public = problem.tests.iter().filter(|t| !t.hidden).count();
    assert_eq!(shown["tests"].as_array().map(Vec::len), Some(public));
    for hidden in problem.tests.iter().filter(|t| t.hidden) {
        let args = serde_json::to_string(&hidden.args).expect("JSON");
        assert!(!text.contains(&args), "a hidden test's arguments {args} are in {text}");
    }
    assert!(shown.get("solutions").is_none(), "no reference solutions: {text}");
    for source in problem.solutions.values() {
        let body = source.lines().nth(1).unwrap_or(source).trim();
        assert!(
            !text.contains(body),
            "a reference solution's line {body:?} is in {text}"
        );
    }
    expect_error(
        server.json("GET", "/api/v1/problems/no-such", &Value::Null),
        404,
        "no-such",
    );
}

#[test]
fn grading_redacts_hidden_tests_in_every_language() {
    let server = Server::start(&[]);
    let problem = common::project_bank().load("two-sum").expect("two-sum");
    for (language, file) in [
        ("python", "solution.py"),
        ("ruby", "solution.rb"),
        ("javascript", "solution.js"),
    ] {
        let request = json!({"problem": "two-sum", "language": language, "source": solution("two-sum", file)});
        let (status, report) = server.json("POST", "/api/v1/grade", &request);
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["verdict"], "accepted", "{language}: {report}");
        assert_eq!(report["total"].as_u64(), Some(problem.tests.len() as u64));
        for test in report["tests"].as_array().expect("tests") {
            if test["hidden"] == true {
                let keys: Vec<&String> = test.as_object().expect("an object").keys().collect();
                assert_eq!(keys.len(), 4, "only index, hidden, verdict, time_ms: {test}");
            } else {
                assert!(test.get("args").is_some(), "a public test shows its arguments: {test}");
            }
        }
    }
    let wrong = json!({"problem": "two-sum", "language": "python", "source": "def two_sum(nums, target):\n    return [0, 0]\n"});
    let (status, report) = server.json("POST", "/api/v1/grade", &wrong);
    assert_eq!(
        (status, report["verdict"].as_str()),
        (200, Some("wrong_answer")),
        "{report}"
    );
}

#[test]
fn programs_run_with_stdin_and_limits() {
    let server = Server::start(&[]);
    let (status, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "ruby", "source": "puts gets.upcase\nwarn 'done'\nexit 3", "stdin": "hi\n"}),
    );
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["stdout"], "HI\n");
    assert_eq!(report["stderr"], "done\n");
    assert_eq!(report["exit_code"], 3);
    assert_eq!(report["status"], "ok");

    let (_, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "javascript", "source": "for (;;) {}", "time_limit_ms": 300}),
    );
    assert_eq!(report["status"], "time_limit_exceeded", "{report}");
    assert_eq!(report["exit_code"], 124);

    let (_, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "x = bytearray(300 * 1024 * 1024)", "memory_limit_mb": 64}),
    );
    assert_eq!(report["status"], "memory_limit_exceeded", "{report}");

    // A flood of output is capped; the answer still comes.
    let (status, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "import sys\nwhile True: sys.stdout.write('x' * 65536)", "time_limit_ms": 1000}),
    );
    assert_eq!(status, 200);
    assert!(report["stdout"].as_str().map_or(0, str::len) <= 2 << 20, "capped");
}

#[test]
fn bad_requests_get_a_4xx_and_the_server_lives_on() {
    let server = Server::start(&[]);
    let source = "print(1)";
    expect_error(server.raw_json("POST", "/api/v1/run", b"{not json"), 400, "not valid");
    expect_error(server.raw_json("POST", "/api/v1/run", b""), 400, "empty");
    expect_error(
        server.raw_json("POST", "/api/v1/run", &[0xff, 0xfe, 0x00]),
        400,
        "not valid",
    );
    expect_error(server.raw_json("POST", "/api/v1/run", b"[1, 2]"), 400, "not valid");
    expect_error(
        server.json("POST", "/api/v1/run", &json!({"source": source})),
        400,
        "language",
    );
    expect_error(
        server.json("POST", "/api/v1/run", &json!({"language": "cobol", "source": source})),
        400,
        "cobol",
    );
    expect_error(
        server.json(
            "POST",
            "/api/v1/run",
            &json!({"language": "python", "source": source, "time_limit_ms": 0}),
        ),
        400,
        "time_limit_ms",
    );
    expect_error(
        server.json(
            "POST",
            "/api/v1/grade",
            &json!({"problem": "nope", "language": "python", "source": source}),
        ),
        404,
        "nope",
    );
    // What a client sent is echoed clipped: an id of 200,000 characters is not.
    let (status, answer) = server.json(
        "POST",
        "/api/v1/grade",
        &json!({"problem": "p".repeat(200_000), "language": "python", "source": source}),
    );
    let message = answer["error"].as_str().unwrap_or_default();
    assert_eq!(status, 404, "{message}");
    assert!(
        message.starts_with("there is no problem 'ppp") && message.chars().count() < 150,
        "{message}"
    );
    let (status, answer) = server.json("GET", &format!("/{}", "x".repeat(5000)), &Value::Null);
    assert_eq!(status, 404);
    assert!(
        answer["error"].as_str().unwrap_or_default().chars().count() < 150,
        "{answer}"
    );
    // A Judge0 language id that does not decode is a 400 that says so (it was "no language
    // with id ''").
    expect_error(server.json("GET", "/languages/%FF", &Value::Null), 400, "path");
    let big = "#".repeat(65 * 1024);
    expect_error(
        server.json(
            "POST",
            "/api/v1/grade",
            &json!({"problem": "two-sum", "language": "python", "source": big}),
        ),
        413,
        "64 KiB",
    );
    expect_error(server.raw_json("POST", "/api/v1/run", &vec![b' '; 3 << 20]), 413, "KiB");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    expect_error(
        server.raw_json("POST", "/api/v1/run", deep.as_bytes()),
        400,
        "not valid",
    );
    expect_error(server.json("GET", "/api/v1/run", &Value::Null), 405, "GET");
    // A path that does not decode is a JSON 400 (it was axum's plain-text answer).
    expect_error(server.json("GET", "/api/v1/problems/%FF", &Value::Null), 400, "path");
    expect_error(
        server.json("GET", "/api/v1/nothing", &Value::Null),
        404,
        "/api/v1/nothing",
    );

    // Still serving.
    let (status, report) = server.json("POST", "/api/v1/run", &json!({"language": "python", "source": source}));
    assert_eq!((status, report["stdout"].as_str()), (200, Some("1\n")), "{report}");
}

#[test]
fn bodies_not_declared_as_json_get_415_and_then_json_works() {
    let server = Server::start(&[]);
    let run = br#"{"language": "python", "source": "print(6 * 7)"}"#;
    let grade = br#"{"problem": "two-sum", "language": "python", "source": "x"}"#;
    expect_error(
        server.typed_json("POST", "/api/v1/run", Some("text/plain"), run),
        415,
        "text/plain",
    );
    // What `curl -d` sends when no type is named.
    expect_error(
        server.typed_json(
            "POST",
            "/api/v1/grade",
            Some("application/x-www-form-urlencoded"),
            grade,
        ),
        415,
        "curl -d sends form data",
    );
    expect_error(
        server.typed_json("POST", "/api/v1/run", Some("multipart/form-data; boundary=x"), run),
        415,
        "multipart",
    );
    // Refused before the body is read: a large one does not turn it into 413.
    expect_error(
        server.typed_json("POST", "/api/v1/run", Some("text/plain"), &vec![b' '; 3 << 20]),
        415,
        "text/plain",
    );

    for content_type in [
        Some("application/json; charset=utf-8"),
        Some("Application/JSON"),
        Some("application/vnd.polyrun+json"),
        // No Content-Type at all is read as JSON (README: the HTTP API).
        None,
    ] {
        let (status, report) = server.typed_json("POST", "/api/v1/run", content_type, run);
        assert_eq!(
            (status, report["stdout"].as_str()),
            (200, Some("42\n")),
            "{content_type:?}: {report}"
        );
    }
}

#[test]
fn the_openapi_document_covers_every_route_and_its_errors() {
    let server = Server::start(&[]);
    let (status, headers, _) = server.request_as("GET", "/api/v1/openapi.json", None, b"");
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("application/json")),
        "{headers:?}"
    );
    let (_, document) = server.json("GET", "/api/v1/openapi.json", &Value::Null);
    assert!(
        document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{document}"
    );
    let paths = document["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/problems", "get"),
        ("/api/v1/problems/{id}", "get"),
        ("/api/v1/grade", "post"),
        ("/api/v1/run", "post"),
        ("/api/v1/openapi.json", "get"),
        ("/about", "get"),
        ("/config_info", "get"),
        ("/languages", "get"),
        ("/languages/all", "get"),
        ("/languages/{id}", "get"),
        ("/statuses", "get"),
        ("/submissions", "post"),
        ("/submissions/{token}", "get"),
        ("/submissions/batch", "post"),
        ("/submissions/batch", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} is not described");
    }
    let error_ref = json!({"$ref": "#/components/schemas/ErrorBody"});
    for (path, statuses) in [
        ("/api/v1/run", &["400", "413", "415", "429"][..]),
        ("/api/v1/grade", &["400", "404", "413", "415", "429"][..]),
        ("/submissions", &["400", "413", "415", "422", "429"][..]),
        ("/submissions/batch", &["400", "413", "415", "422", "429"][..]),
    ] {
        for status in statuses {
            let schema = &paths[path]["post"]["responses"][*status]["content"]["application/json"]["schema"];
            assert_eq!(schema, &error_ref, "POST {path} {status}");
        }
    }
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["RunRequest"]["required"],
        json!(["language", "source"]),
        "{}",
        schemas["RunRequest"]
    );
    assert_eq!(schemas["ErrorBody"]["required"], json!(["error"]));
    // A hidden test's line carries only index, hidden, verdict and time: the detail
    // flattened into TestReport must require nothing (it did, and a grade report with a
    // hidden test contradicted the document).
    assert!(schemas["TestDetail"]["required"].is_null(), "{}", schemas["TestDetail"]);
    // The bank's problem ids, so that a client (and schemathesis) can name a real one.
    let problems = &schemas["GradeRequest"]["properties"]["problem"]["enum"];
    assert!(
        problems.as_array().is_some_and(|ids| ids.contains(&json!("two-sum"))),
        "{problems}"
    );
    for schema in [
        "GradeRequest",
        "GradeReport",
        "RunReport",
        "PublicProblem",
        "SubmissionView",
    ] {
        assert!(schemas[schema].is_object(), "{schema} missing");
    }
}

#[test]
fn a_saturated_grader_answers_429() {
    let server = Server::start(&["--workers", "1", "--queue", "0"]);
    let client = server.client.clone();
    let busy = std::thread::spawn(move || {
        client.json(
            "POST",
            "/api/v1/run",
            &json!({"language": "javascript", "source": "for (;;) {}", "time_limit_ms": 3000}),
        )
    });
    // While that one runs, the only place is taken.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let refused = loop {
        std::thread::sleep(Duration::from_millis(100));
        let answer = server.json(
            "POST",
            "/api/v1/run",
            &json!({"language": "python", "source": "print(1)"}),
        );
        if answer.0 == 429 || std::time::Instant::now() > deadline {
            break answer;
        }
    };
    expect_error(refused, 429, "busy");
    let (status, report) = busy.join().expect("the long run");
    assert_eq!(
        (status, report["status"].as_str()),
        (200, Some("time_limit_exceeded")),
        "{report}"
    );
    let (status, _) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "print(1)"}),
    );
    assert_eq!(status, 200, "free again");
}

/// SIGTERM under load: the run in progress finishes and is answered, the runs waiting for
/// a sandbox are answered 429 at once, and the server exits 0 as soon as the run is done.
#[test]
fn sigterm_answers_every_accepted_request() {
    let mut server = Server::start(&["--workers", "1", "--queue", "3"]);
    let spin = json!({"language": "javascript", "source": "for (;;) {}", "time_limit_ms": 3000});
    let send = |client: Client| {
        let spin = spin.clone();
        std::thread::spawn(move || {
            let answer = client.json("POST", "/api/v1/run", &spin);
            (answer, std::time::Instant::now())
        })
    };
    let running = send(server.client.clone());
    std::thread::sleep(Duration::from_millis(700));
    let queued: Vec<_> = (0..3).map(|_| send(server.client.clone())).collect();
    std::thread::sleep(Duration::from_millis(700));
    let term = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    for waiting in queued {
        let ((status, body), answered) = waiting.join().expect("a queued request");
        assert_eq!(status, 429, "a run still waiting is answered 429: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| e.contains("shutting down")),
            "{body}"
        );
        let after = answered.duration_since(term);
        assert!(after < Duration::from_secs(2), "answered {after:?} after SIGTERM");
    }
    let ((status, report), _) = running.join().expect("the running request");
    assert_eq!(
        (status, report["status"].as_str()),
        (200, Some("time_limit_exceeded")),
        "the run in progress finishes: {report}"
    );
    let exited = server.exit_status_within(term, Duration::from_secs(15), "the server did not exit after SIGTERM");
    eprintln!("SIGTERM: exited {exited} {:?} after the signal", term.elapsed());
    assert!(exited.success(), "exit status {exited}");
    assert!(
        term.elapsed() < Duration::from_secs(3 + 5),
        "the run had 3 s left at most"
    );
}

/// Slow and idle clients are limits too: a connection that sends nothing, or half its
/// headers, is closed 10 s after the server waits for them (`HEADER_TIMEOUT`); a body that
/// trickles gets 408 after 15 s (`BODY_TIMEOUT`); others are served meanwhile; and a
/// connection left half-sent does not hold a stopping server open (it used to, forever).
#[test]
fn slow_and_idle_clients_are_cut_off_in_time() {
    use std::time::Instant;

    let mut server = Server::start(&[]);
    let addr = server.client.addr.clone();
    let open = |first: &[u8]| {
        let mut stream = TcpStream::connect(&addr).expect("a connection");
        stream.write_all(first).expect("write");
        stream
            .set_read_timeout(Some(Duration::from_secs(40)))
            .expect("a read timeout");
        stream
    };
    // Until the server closes the connection: the time it took and what it answered.
    let until_closed = |mut stream: TcpStream| {
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
            (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
        })
    };
    let idle = until_closed(open(b""));
    let half = until_closed(open(b"POST /api/v1/run HTTP/1.1\r\nHost: polyrun\r\n"));
    let trickle = until_closed(open(
        b"POST /api/v1/run HTTP/1.1\r\nHost: polyrun\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"lang",
    ));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        server.request("GET", "/api/v1/problems", b"").0,
        200,
        "others are served"
    );
    for (what, handle, range) in [("idle", idle, 9..=14), ("half-sent headers", half, 9..=14)] {
        let (took, answer) = handle.join().expect("a reader");
        eprintln!("{what}: closed after {took:?}");
        assert!(
            range.contains(&took.as_secs()),
            "{what}: closed after {took:?}: {answer}"
        );
    }
    let (took, answer) = trickle.join().expect("a reader");
    eprintln!("trickled body: {took:?}, {}", answer.lines().next().unwrap_or(""));
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 15 s"), "{answer}");
    assert!((14..=20).contains(&took.as_secs()), "trickled body: {took:?}");

    let _half = open(b"GET /api/v1/problems HTTP/1.1\r\nHost: polyrun\r\n");
    std::thread::sleep(Duration::from_millis(200));
    let term = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let exited = server.exit_status_within(
        term,
        Duration::from_secs(15),
        "a half-sent request holds the server open",
    );
    eprintln!(
        "SIGTERM with a half-sent request open: exited {exited} after {:?}",
        term.elapsed()
    );
    assert!(exited.success(), "exit status {exited}");
}

/// A page on another origin may call the API with its token: the preflight allows the
/// `Authorization` header by name (a `*` would not cover it).
#[test]
fn a_preflight_allows_the_authorization_header() {
    let server = Server::start(&[]);
    let preflight = server
        .with_header("Origin", "https://course.example")
        .with_header("Access-Control-Request-Method", "POST")
        .with_header("Access-Control-Request-Headers", "authorization,content-type");
    let (status, headers, _) = preflight.request("OPTIONS", "/api/v1/grade", b"");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    assert_eq!(status, 200, "{headers:?}");
    assert_eq!(header("access-control-allow-origin").as_deref(), Some("*"));
    let allowed = header("access-control-allow-headers").unwrap_or_default();
    assert!(allowed.contains("authorization"), "{allowed}");
}

#[test]
fn the_web_app_is_served_and_told_where_its_grader_is() {
    let site = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        site.path().join("index.html"),
        "<!doctype html><html><head><title>polyrun</title></head><body></body></html>",
    )
    .expect("index.html");
    std::fs::write(site.path().join("sandbox.html"), "<p>frame</p>").expect("sandbox.html");
    std::fs::write(site.path().join("frontend-60ad2a64c5ee05d4.js"), "app").expect("an asset");
    // What a careless deployment leaves in the folder: none of it is served.
    std::fs::write(site.path().join(".env"), "SECRET=1").expect(".env");
    std::fs::create_dir(site.path().join("js")).expect("a folder");
    std::fs::write(site.path().join("js").join("index.html"), "inner").expect("js/index.html");
    let outside = tempfile::tempdir().expect("a temp dir");
    std::fs::write(outside.path().join("passwd"), "root:x:0:0").expect("a file outside");
    std::os::unix::fs::symlink(outside.path().join("passwd"), site.path().join("passwd")).expect("a link");
    let server = Server::start(&["--site", path_str(site.path())]);
    let (status, headers, page) = server.request("GET", "/", b"");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 200);
    assert!(page.contains(r#"<meta name="polyrun-grader" content=".">"#), "{page}");
    assert_eq!(header(&headers, "x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header(&headers, "referrer-policy").as_deref(), Some("no-referrer"));
    let (status, headers, frame) = server.request("GET", "/sandbox.html", b"");
    assert_eq!((status, frame.as_slice()), (200, b"<p>frame</p>".as_slice()));
    assert_eq!(
        header(&headers, "cache-control"),
        None,
        "a name that does not change with its content"
    );
    let (status, headers, _) = server.request("GET", "/frontend-60ad2a64c5ee05d4.js", b"");
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    expect_error(server.json("GET", "/missing.js", &Value::Null), 404, "/missing.js");
    for path in [
        "/.env",
        "/%2eenv",
        "/passwd",
        "/js/",
        "/js",
        "/index.html/",
        "/sandbox.html/",
    ] {
        expect_error(server.json("GET", path, &Value::Null), 404, "there is nothing at");
    }
    let (status, headers, _) = server.request("GET", "/api/v1/problems", b"");
    assert_eq!(status, 200, "the API beside the site");
    assert_eq!(header(&headers, "x-content-type-options").as_deref(), Some("nosniff"));
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.to_ascii_lowercase())
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// A body declared over 1 MiB is refused from its headers: 413 at once, without the
/// `100 Continue` that would invite the client to send it (before, the server answered
/// `100 Continue` and waited for the 2 MB).
#[test]
fn a_body_declared_too_large_is_refused_before_it_is_sent() {
    use std::time::Instant;

    let server = Server::start(&[]);
    for (path, expect) in [("/api/v1/run", true), ("/api/v1/grade", false), ("/submissions", true)] {
        let mut stream = TcpStream::connect(&server.client.addr).expect("a connection");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a read timeout");
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: polyrun\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n"
        );
        if expect {
            head.push_str("Expect: 100-continue\r\n");
        }
        head.push_str("\r\n");
        let started = Instant::now();
        stream.write_all(head.as_bytes()).expect("write");
        let mut answer = vec![0; 4096];
        let n = stream.read(&mut answer).expect("an answer before the body is sent");
        let took = started.elapsed();
        let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
        eprintln!("{path}: answered in {} ms", took.as_millis());
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(answer.contains("over 1024 KiB"), "{path}: {answer}");
        assert!(took < Duration::from_secs(3), "{path}: the answer took {took:?}");
    }
}

/// The server's resident memory (VmRSS, KiB).
fn rss_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).expect("the server's status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A connection to `addr` from the loopback address `from` (127.0.0.2, …): on Linux all of
/// 127/8 is this machine, so one test can be several clients.
fn connect_from(from: &str, addr: &str) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a socket");
    let local: std::net::SocketAddr = format!("{from}:0").parse().expect("a source address");
    socket.bind(&local.into()).expect("bind to the source address");
    let remote: std::net::SocketAddr = addr.parse().expect("the server's address");
    socket.connect(&remote.into()).expect("a connection");
    socket.into()
}

/// Many connections each sending most of a 1 MB body and then stalling, from five
/// addresses: the bodies being read at once take at most their budget (64 MiB, and 16 MiB
/// per address); a request past it is a 429 before its body is read. Before, each
/// connection held its megabyte (800 of them: 927 MB).
#[test]
fn request_bodies_in_flight_have_a_memory_budget() {
    let server = Server::start(&[]);
    let before = rss_kib(&server);
    let body = format!("{{\"language\": \"python\", \"source\": \"{}", "x".repeat(700_000));
    let mut crowded = 0;
    let mut by_address = std::collections::HashMap::new();
    let mut streams = Vec::new();
    for i in 0..200 {
        let from = format!("127.0.0.{}", 1 + i % 5);
        let mut stream = connect_from(&from, &server.client.addr);
        let head = "POST /api/v1/run HTTP/1.1\r\nHost: polyrun\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
        stream.write_all(head.as_bytes()).expect("headers");
        // A request past the budget is refused from its headers; the others are sent most
        // of their body and then stall.
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("a timeout");
        let mut answer = [0u8; 512];
        match stream.read(&mut answer) {
            Ok(n) if String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 429") => crowded += 1,
            Ok(n) => panic!("unexpected answer: {}", String::from_utf8_lossy(&answer[..n])),
            Err(_) => {
                stream.write_all(body.as_bytes()).expect("most of a body");
                streams.push(stream);
                *by_address.entry(from).or_insert(0) += 1;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(1000));
    let during = rss_kib(&server);
    let grown = during.saturating_sub(before) / 1024;
    eprintln!(
        "200 stalled 1 MB bodies from 5 addresses: {crowded} refused with 429, read at once {by_address:?}, \
         the server grew by {grown} MiB"
    );
    // 1 MB declared reserves 977 KiB: 16 per address fit in 16 MiB, 67 in 64 MiB.
    assert_eq!(streams.len(), 200 - crowded);
    assert!(
        (60..=67).contains(&streams.len()),
        "{} bodies read at once",
        streams.len()
    );
    assert!(by_address.values().all(|n| *n <= 16), "{by_address:?}");
    assert!(grown < 128, "the server grew by {grown} MiB");
    drop(streams);
    // Their budget comes back: an ordinary request is served.
    std::thread::sleep(Duration::from_millis(500));
    let (status, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "print(6 * 7)"}),
    );
    assert_eq!((status, report["stdout"].as_str()), (200, Some("42\n")), "{report}");
}

/// One client cannot take every connection: past `--max-connections-per-client` its new
/// connection is answered 429 at once and closed, while another address is served, and a
/// connection it closes is a place it gets back. One address cannot take the whole body
/// budget either (16 of its 64 MiB), while another is still read.
#[test]
fn one_client_holds_at_most_its_share() {
    use std::time::Instant;

    let server = Server::start(&["--max-connections-per-client", "4"]);
    let addr = server.client.addr.clone();
    let get = |stream: &mut TcpStream| {
        stream
            .write_all(b"GET /api/v1/problems HTTP/1.1\r\nHost: polyrun\r\nConnection: close\r\n\r\n")
            .expect("a request");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    };
    let mut idle: Vec<TcpStream> = (0..4).map(|_| connect_from("127.0.0.1", &addr)).collect();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let answer = get(&mut connect_from("127.0.0.1", &addr));
    let took = started.elapsed();
    eprintln!(
        "a fifth connection: {} in {took:?}",
        answer.lines().next().unwrap_or("")
    );
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("127.0.0.1 already holds 4 connections"), "{answer}");
    assert!(took < Duration::from_secs(3), "the refusal took {took:?}");
    let answer = get(&mut connect_from("127.0.0.2", &addr));
    assert!(answer.starts_with("HTTP/1.1 200"), "another address: {answer}");
    drop(idle.pop());
    std::thread::sleep(Duration::from_millis(300));
    let answer = get(&mut connect_from("127.0.0.1", &addr));
    assert!(answer.starts_with("HTTP/1.1 200"), "a place came back: {answer}");
    drop(idle);

    // The body share, with the default connection cap.
    let server = Server::start(&[]);
    let addr = server.client.addr.clone();
    let head = "POST /api/v1/run HTTP/1.1\r\nHost: polyrun\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
    let answer_of = |stream: &mut TcpStream| {
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .expect("a timeout");
        let mut answer = [0u8; 1024];
        match stream.read(&mut answer) {
            Ok(n) => Some(String::from_utf8_lossy(&answer[..n]).into_owned()),
            Err(_) => None,
        }
    };
    let mut reading = Vec::new();
    let mut refused = None;
    for _ in 0..20 {
        let mut stream = connect_from("127.0.0.1", &addr);
        stream.write_all(head.as_bytes()).expect("headers");
        match answer_of(&mut stream) {
            None => reading.push(stream),
            Some(answer) => {
                refused = Some(answer);
                break;
            }
        }
    }
    let refused = refused.expect("one address is refused before 20 bodies");
    eprintln!(
        "one address: {} bodies read at once, then {}",
        reading.len(),
        refused.lines().next().unwrap_or("")
    );
    assert_eq!(reading.len(), 16);
    assert!(refused.starts_with("HTTP/1.1 429"), "{refused}");
    assert!(
        refused.contains("this address is sending too many request bodies"),
        "{refused}"
    );
    let mut other = connect_from("127.0.0.2", &addr);
    other.write_all(head.as_bytes()).expect("headers");
    assert_eq!(answer_of(&mut other), None, "another address's body is being read");
}

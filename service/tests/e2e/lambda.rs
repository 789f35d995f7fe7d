//! `polyrun lambda` against a stand-in for the AWS Lambda Runtime API (the HTTP interface a
//! custom runtime polls: `GET …/invocation/next`, `POST …/invocation/{id}/response`): real
//! function-URL events in, the same API's answers out, through the real `lambda_http`
//! client in the real binary.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::common::HANG_GUARD;

/// The stand-in Runtime API: hands out events one per `next` (waiting for one when there is
/// none yet), reports each answer.
struct RuntimeApi {
    addr: String,
    events: Arc<Events>,
    pushed: Mutex<usize>,
    answers: Receiver<(String, String, Value)>,
}

impl RuntimeApi {
    fn start(events: Vec<Value>) -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("an address").to_string();
        let events = Arc::new(Mutex::new(
            events
                .into_iter()
                .enumerate()
                .map(|(n, e)| (format!("request-{n}"), e))
                .collect::<VecDeque<_>>(),
        ));
        let pushed = Mutex::new(events.lock().map_or(0, |e| e.len()));
        let (tx, answers) = mpsc::channel();
        let shared = Arc::clone(&events);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let events = Arc::clone(&shared);
                let tx = tx.clone();
                std::thread::spawn(move || serve_connection(stream, &events, &tx));
            }
        });
        RuntimeApi {
            addr,
            events,
            pushed,
            answers,
        }
    }

    /// Queues one more invocation; its request id.
    fn push(&self, event: Value) -> String {
        let mut pushed = self.pushed.lock().expect("the count");
        let id = format!("request-{pushed}");
        *pushed += 1;
        self.events.lock().expect("the events").push_back((id.clone(), event));
        id
    }

    /// The next answer: (request id, "response" | "error", body).
    fn answer(&self) -> (String, String, Value) {
        self.answers
            .recv_timeout(HANG_GUARD)
            .expect("the function answers an invocation")
    }
}

type Events = Mutex<VecDeque<(String, Value)>>;

/// One keep-alive connection of the runtime client.
fn serve_connection(stream: TcpStream, events: &Events, answers: &Sender<(String, String, Value)>) {
    let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
        if path.ends_with("/invocation/next") {
            // The client waits, as on Lambda, until there is work (or the process is stopped).
            let waited = std::time::Instant::now();
            let next = loop {
                if let Some(next) = events.lock().expect("the events").pop_front() {
                    break Some(next);
                }
                if waited.elapsed() > HANG_GUARD {
                    break None;
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            let Some((id, event)) = next else { return };
            let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default() + Duration::from_secs(60);
            let body = event.to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {id}\r\n\
                 Lambda-Runtime-Deadline-Ms: {}\r\nLambda-Runtime-Invoked-Function-Arn: \
                 arn:aws:lambda:eu-west-1:123456789012:function:polyrun\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\nContent-Length: {}\r\n\r\n",
                deadline.as_millis(),
                body.len()
            );
            if writer
                .write_all(head.as_bytes())
                .and_then(|()| writer.write_all(body.as_bytes()))
                .is_err()
            {
                return;
            }
        } else {
            // …/invocation/{id}/response or …/invocation/{id}/error (or /init/error).
            let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
            let kind = parts.last().copied().unwrap_or("").to_owned();
            let id = parts.iter().rev().nth(1).copied().unwrap_or("").to_owned();
            let value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
            let _ = answers.send((id, kind, value));
            let ok = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n";
            if writer.write_all(ok.as_bytes()).is_err() {
                return;
            }
        }
    }
}

/// A Lambda function URL event (API Gateway HTTP API payload 2.0).
fn url_event(method: &str, path: &str, body: Option<&str>) -> Value {
    url_event_with(method, path, body, &[])
}

/// [`url_event`] with more headers.
fn url_event_with(method: &str, path: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Value {
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "polyrun.lambda-url.eu-west-1.on.aws"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "polyrun",
            "domainName": "polyrun.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "polyrun",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "e2e"},
            "requestId": "e2e",
            "routeKey": "$default",
            "stage": "$default",
            "time": "28/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1_795_867_200_000u64
        },
        "body": body,
        "isBase64Encoded": false
    });
    for (name, value) in headers {
        event["headers"][*name] = json!(value);
    }
    event
}

/// A `polyrun lambda` process, killed when dropped.
struct Function(Child);

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_function(runtime_api: &str, env: &[(&str, &str)]) -> Function {
    Function(
        Command::new(env!("CARGO_BIN_EXE_polyrun"))
            .args(["lambda", "--workers", "1", "--queue", "2"])
            .env("POLYRUN_STORE", "memory")
            .envs(env.iter().copied())
            .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
            .env("AWS_LAMBDA_FUNCTION_NAME", "polyrun")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "e2e")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/polyrun")
            .env_remove("POLYRUN_PROBLEMS")
            .current_dir(crate::common::repo_root())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("polyrun lambda starts"),
    )
}

/// The HTTP answer inside a function's response: status and JSON body.
fn http_answer((id, kind, value): (String, String, Value), expected_id: &str) -> (u64, Value) {
    assert_eq!((id.as_str(), kind.as_str()), (expected_id, "response"), "{value}");
    let status = value["statusCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("no statusCode in {value}"));
    let text = value["body"].as_str().unwrap_or_else(|| panic!("no body in {value}"));
    let body = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, body)
}

#[test]
fn the_api_answers_lambda_invocations() {
    let api = RuntimeApi::start(vec![
        url_event("GET", "/api/v1/problems", None),
        url_event(
            "POST",
            "/api/v1/run",
            Some(&json!({"language": "python", "source": "print(input()[::-1])", "stdin": "lambda"}).to_string()),
        ),
        url_event("POST", "/api/v1/grade", Some("{not json")),
        url_event(
            "POST",
            "/api/v1/grade",
            Some(&json!({"problem": "two-sum", "language": "javascript", "source": "function twoSum() { return [0, 1]; }"}).to_string()),
        ),
    ]);
    let _function = start_function(&api.addr, &[]);

    let (status, list) = http_answer(api.answer(), "request-0");
    assert_eq!(status, 200);
    assert!(
        list.as_array().is_some_and(|l| l.iter().any(|p| p["id"] == "two-sum")),
        "{list}"
    );

    let (status, run) = http_answer(api.answer(), "request-1");
    assert_eq!((status, run["stdout"].as_str()), (200, Some("adbmal\n")), "{run}");

    let (status, error) = http_answer(api.answer(), "request-2");
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"].as_str().is_some_and(|m| m.contains("not valid")),
        "{error}"
    );

    let (status, report) = http_answer(api.answer(), "request-3");
    assert_eq!(
        (status, report["verdict"].as_str()),
        (200, Some("wrong_answer")),
        "{report}"
    );
    for test in report["tests"].as_array().expect("tests") {
        if test["hidden"] == true {
            assert!(
                test.get("expected").is_none() && test.get("args").is_none(),
                "redacted: {test}"
            );
        }
    }

    // A Judge0 submission without wait: on Lambda the token comes once it has run, so the
    // next invocation finds it finished.
    let id = api.push(url_event(
        "POST",
        "/submissions",
        Some(&json!({"source_code": "print(6 * 7)", "language_id": 71}).to_string()),
    ));
    let (status, created) = http_answer(api.answer(), &id);
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().expect("a token").to_owned();
    let id = api.push(url_event("GET", &format!("/submissions/{token}"), None));
    let (status, submission) = http_answer(api.answer(), &id);
    assert_eq!(status, 200, "{submission}");
    assert_eq!(submission["status"]["id"], 3, "{submission}");
    assert_eq!(submission["stdout"], "42\n", "{submission}");
}

#[test]
fn outside_lambda_the_command_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .arg("lambda")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("polyrun lambda runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("AWS_LAMBDA_RUNTIME_API"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// The environment of a function (or a command) on `table` in `dynalite`, with tokens.
fn dynamodb_env(dynalite: &crate::dynalite::Dynalite, table: &str) -> Vec<(String, String)> {
    vec![
        ("POLYRUN_STORE".into(), format!("dynamodb:{table}")),
        ("POLYRUN_AUTH".into(), "tokens".into()),
        ("AWS_ENDPOINT_URL_DYNAMODB".into(), dynalite.endpoint()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID".into(), "polyrun-test".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "polyrun-test".into()),
    ]
}

/// Two instances on one DynamoDB table (dynalite): a token made on the command line works
/// on both, and each answers for the other's grades and Judge0 submissions.
#[test]
fn two_instances_on_one_dynamodb_table_answer_for_each_other() {
    let dynalite = crate::dynalite::Dynalite::start();
    let env = dynamodb_env(&dynalite, "polyrun-e2e");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .args(["token", "create", "--name", "ada", "--role", "learner"])
        .envs(env.iter().copied())
        .output()
        .expect("polyrun token create runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .expect("a token")
        .to_owned();
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];

    let (a, b) = (RuntimeApi::start(Vec::new()), RuntimeApi::start(Vec::new()));
    let _fa = start_function(&a.addr, &env);
    let _fb = start_function(&b.addr, &env);

    // No token: 401, on Lambda as anywhere.
    let id = a.push(url_event(
        "POST",
        "/submissions",
        Some(&json!({"source_code": "print(1)", "language_id": 71}).to_string()),
    ));
    let (status, refused) = http_answer(a.answer(), &id);
    assert_eq!(status, 401, "{refused}");

    let body = json!({"problem": "two-sum", "language": "python", "source": "def two_sum(nums, target):\n    return [0, 1]\n"});
    let id = a.push(url_event_with("POST", "/api/v1/grade", Some(&body.to_string()), &auth));
    let (status, graded) = http_answer(a.answer(), &id);
    assert_eq!(status, 200, "{graded}");
    let submission = graded["submission_id"].as_str().expect("a submission id").to_owned();

    let id = a.push(url_event_with(
        "POST",
        "/submissions",
        Some(&json!({"source_code": "print(6 * 7)", "language_id": 71}).to_string()),
        &auth,
    ));
    let (status, created) = http_answer(a.answer(), &id);
    assert_eq!(status, 201, "{created}");
    let judge0 = created["token"].as_str().expect("a token").to_owned();

    let id = b.push(url_event_with(
        "GET",
        &format!("/api/v1/submissions/{submission}"),
        None,
        &auth,
    ));
    let (status, seen) = http_answer(b.answer(), &id);
    assert_eq!((status, seen["user"].as_str()), (200, Some("ada")), "{seen}");
    assert_eq!(seen["verdict"], graded["verdict"]);
    let id = b.push(url_event_with("GET", &format!("/submissions/{judge0}"), None, &auth));
    let (status, run) = http_answer(b.answer(), &id);
    assert_eq!((status, run["stdout"].as_str()), (200, Some("42\n")), "{run}");
}

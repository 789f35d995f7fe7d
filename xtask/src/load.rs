//! `cargo xtask load`: a real `polyrun serve` on 127.0.0.1 under held load (wrk with
//! `xtask/load/mix.lua`), then SIGTERM under load with a small client of its own; writes the
//! "Load" section of `docs/benchmarks.md`.
//!
//! Phase 1: two wrk processes at once, "good" traffic (accepted, wrong and slow solutions,
//! whole programs; three quarters of the clients) and "hostile" traffic (infinite loops,
//! memory bombs, output floods, malformed and oversized requests; a quarter), one
//! connection per wrk thread so every answer is counted against its request. Fails on any
//! 5xx, any socket error (connect, read, write, timeout) or a status the request cannot get.
//!
//! Phase 2: a fresh server, `--clients` threads each sending the same mix one request per
//! connection (`Connection: close`); after a while SIGTERM. Every request whose connection
//! was made must get a complete HTTP response (200, 429 or its 4xx); connections may be
//! refused once the server stops listening; the server must exit 0 within the bound.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::util::{self, step};

const LANGUAGES: [(&str, &str); 3] = [("python", "py"), ("ruby", "rb"), ("javascript", "js")];

/// Options of `cargo xtask load`.
struct Options {
    seconds: u64,
    clients: usize,
    workers: usize,
    queue: usize,
    /// Seconds of load before SIGTERM in phase 2.
    sigterm_after: u64,
    /// The longest the server may take to stop after SIGTERM.
    drain_bound: u64,
    write: bool,
}

fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut o = Options {
        seconds: 60,
        clients: 32,
        workers: 2,
        queue: 32,
        sigterm_after: 10,
        drain_bound: 30,
        write: true,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--no-write" {
            o.write = false;
            continue;
        }
        let value = it
            .next()
            .with_context(|| format!("{arg} needs a value"))?
            .parse::<u64>()
            .with_context(|| format!("{arg} takes a whole number"))?;
        let count = usize::try_from(value)?;
        match arg.as_str() {
            "--seconds" => o.seconds = value,
            "--clients" => o.clients = count,
            "--workers" => o.workers = count,
            "--queue" => o.queue = count,
            "--sigterm-after" => o.sigterm_after = value,
            "--drain-bound" => o.drain_bound = value,
            _ => bail!(
                "usage: cargo xtask load [--seconds 60] [--clients 32] [--workers 2] [--queue 32] \
                 [--sigterm-after 10] [--drain-bound 30] [--no-write]"
            ),
        }
    }
    if o.seconds == 0 || o.seconds > 3600 {
        bail!("--seconds must be between 1 and 3600");
    }
    if o.clients < 4 || o.clients > 512 {
        bail!("--clients must be between 4 and 512 (a quarter of them are hostile)");
    }
    if o.workers == 0 {
        bail!("--workers must be at least 1");
    }
    Ok(o)
}

/// One request of the mix.
#[derive(Clone)]
struct Req {
    name: String,
    path: &'static str,
    body: String,
    /// Statuses other than 200 and 429 this request may get (the malformed ones' 4xx).
    other_ok: Option<u16>,
    /// What a 200 should say (grade verdict or run status); "" = anything.
    expect: &'static str,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn grade(name: String, problem: &str, language: &str, source: String, expect: &'static str) -> Req {
    let body = json!({"problem": problem, "language": language, "source": source}).to_string();
    Req {
        name,
        path: "/api/v1/grade",
        body,
        other_ok: None,
        expect,
    }
}

fn run(name: String, language: &str, source: String, stdin: &str, expect: &'static str) -> Req {
    let body = json!({"language": language, "source": source, "stdin": stdin}).to_string();
    Req {
        name,
        path: "/api/v1/run",
        body,
        other_ok: None,
        expect,
    }
}

/// The good mix: reference solutions of three problems, a wrong and a slow two-sum, and a
/// whole program reading stdin, in each language.
fn good_mix(root: &Path) -> anyhow::Result<Vec<Req>> {
    let programs = root.join("xtask/load/programs");
    let mut mix = Vec::new();
    for (language, ext) in LANGUAGES {
        for problem in ["two-sum", "valid-parentheses", "merge-intervals"] {
            let source = read(&root.join(format!("problems/{problem}/solutions/solution.{ext}")))?;
            mix.push(grade(
                format!("grade {problem} reference {language}"),
                problem,
                language,
                source,
                "accepted",
            ));
        }
        let wrong = read(&programs.join(format!("two_sum_wrong.{ext}")))?;
        mix.push(grade(
            format!("grade two-sum wrong {language}"),
            "two-sum",
            language,
            wrong,
            "wrong_answer",
        ));
        let slow = read(&programs.join(format!("two_sum_slow.{ext}")))?;
        mix.push(grade(
            format!("grade two-sum slow {language}"),
            "two-sum",
            language,
            slow,
            "accepted",
        ));
        let echo = read(&programs.join(format!("echo_sum.{ext}")))?;
        mix.push(run(
            format!("run sum of stdin {language}"),
            language,
            echo,
            "1 2 3 4\n",
            "ok",
        ));
    }
    Ok(interleave(mix, 6))
}

/// The hostile mix: infinite loops and memory bombs graded and run, output floods, and
/// requests that must be refused with a 4xx.
fn hostile_mix(root: &Path) -> anyhow::Result<Vec<Req>> {
    let programs = root.join("xtask/load/programs");
    let mut mix = Vec::new();
    for (language, ext) in LANGUAGES {
        let src = |file: &str| read(&programs.join(format!("{file}.{ext}")));
        mix.push(grade(
            format!("grade two-sum infinite loop {language}"),
            "two-sum",
            language,
            src("two_sum_loop")?,
            "time_limit_exceeded",
        ));
        // QuickJS fills 256 MiB more slowly than a test's 2 s: JavaScript's ends on time.
        mix.push(grade(
            format!("grade two-sum memory bomb {language}"),
            "two-sum",
            language,
            src("two_sum_bomb")?,
            "",
        ));
        mix.push(run(
            format!("run infinite loop {language}"),
            language,
            src("loop")?,
            "",
            "time_limit_exceeded",
        ));
        mix.push(run(
            format!("run memory bomb {language}"),
            language,
            src("bomb")?,
            "",
            "memory_limit_exceeded",
        ));
        mix.push(run(
            format!("run output flood {language}"),
            language,
            src("flood")?,
            "",
            "time_limit_exceeded",
        ));
    }
    let mut mix = interleave(mix, 5);
    let refused = |name: &str, path, body: String, status| Req {
        name: name.to_owned(),
        path,
        body,
        other_ok: Some(status),
        expect: "",
    };
    let insert = [
        refused(
            "grade malformed JSON",
            "/api/v1/grade",
            "{\"problem\": \"two-sum\", ".to_owned(),
            400,
        ),
        refused(
            "run unknown language",
            "/api/v1/run",
            json!({"language": "cobol", "source": "DISPLAY 'HI'."}).to_string(),
            400,
        ),
        refused(
            "grade unknown problem",
            "/api/v1/grade",
            json!({"problem": "no-such-problem", "language": "python", "source": "x = 1"}).to_string(),
            404,
        ),
        refused(
            "grade source over 64 KiB",
            "/api/v1/grade",
            json!({"problem": "two-sum", "language": "python", "source": "#".repeat(65 * 1024)}).to_string(),
            413,
        ),
    ];
    // Spread the cheap refusals through the expensive requests.
    let step = mix.len() / insert.len() + 1;
    for (i, req) in insert.into_iter().enumerate() {
        mix.insert((i * step + 2).min(mix.len()), req);
    }
    Ok(mix)
}

/// Orders `mix` (per language blocks of `per`) so that consecutive requests change language.
fn interleave(mix: Vec<Req>, per: usize) -> Vec<Req> {
    let mut out = Vec::with_capacity(mix.len());
    for i in 0..per {
        for block in mix.chunks(per) {
            if let Some(r) = block.get(i) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// Writes each request's body and a manifest for `mix.lua`; returns the manifest.
fn write_manifest(dir: &Path, tag: &str, mix: &[Req]) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut manifest = String::new();
    for (i, req) in mix.iter().enumerate() {
        let file = dir.join(format!("{tag}-{i:02}.json"));
        std::fs::write(&file, &req.body)?;
        let _ = writeln!(manifest, "{}\t{}\t{}", req.name, req.path, file.display());
    }
    let path = dir.join(format!("{tag}.tsv"));
    std::fs::write(&path, manifest)?;
    Ok(path)
}

/// A running `polyrun serve` and a sampler of its memory.
struct Server {
    child: Child,
    addr: SocketAddr,
    peak_rss_kib: Arc<AtomicU64>,
    stop_sampling: Arc<AtomicBool>,
}

impl Server {
    fn start(o: &Options) -> anyhow::Result<Server> {
        let mut child = Command::new(util::polyrun_bin())
            .args(["serve", "--addr", "127.0.0.1:0", "--workers"])
            .arg(o.workers.to_string())
            .arg("--queue")
            .arg(o.queue.to_string())
            .arg("--problems")
            .arg(util::root().join("problems"))
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .context("cannot start polyrun serve")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout);
        let mut first = String::new();
        lines.read_line(&mut first)?;
        // "polyrun serve: listening on http://ADDR/ (…)"
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse::<SocketAddr>().ok());
        let Some(addr) = addr.filter(|a| a.ip().is_loopback()) else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("polyrun serve did not say where it listens on 127.0.0.1: {first:?}");
        };
        // Drain the rest of stdout so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink);
        });
        let peak_rss_kib = Arc::new(AtomicU64::new(0));
        let stop_sampling = Arc::new(AtomicBool::new(false));
        let (peak, stop, pid) = (peak_rss_kib.clone(), stop_sampling.clone(), child.id());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(tree_rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Ok(Server {
            child,
            addr,
            peak_rss_kib,
            stop_sampling,
        })
    }

    /// The largest of: the server's own peak, and the resident memory of the server and its
    /// sandbox processes together, sampled every 100 ms.
    fn peak_rss_mib(&self) -> f64 {
        if let Some(kib) = proc_kib(self.child.id(), "VmHWM:") {
            self.peak_rss_kib.fetch_max(kib, Ordering::Relaxed);
        }
        self.peak_rss_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }

    fn sigterm(&self) -> anyhow::Result<()> {
        util::run(Command::new("kill").args(["-TERM", &self.child.id().to_string()]))
    }

    /// Waits for the server to exit, at most `limit`; kills it past that.
    fn wait(&mut self, limit: Duration) -> anyhow::Result<(Option<std::process::ExitStatus>, Duration)> {
        self.wait_or_kill(limit, &AtomicBool::new(false))
    }

    /// [`Server::wait`], setting `killed` before it kills the server.
    fn wait_or_kill(
        &mut self,
        limit: Duration,
        killed: &AtomicBool,
    ) -> anyhow::Result<(Option<std::process::ExitStatus>, Duration)> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.stop_sampling.store(true, Ordering::Relaxed);
                return Ok((Some(status), start.elapsed()));
            }
            if start.elapsed() > limit {
                killed.store(true, Ordering::SeqCst);
                let _ = self.child.kill();
                let _ = self.child.wait();
                self.stop_sampling.store(true, Ordering::Relaxed);
                return Ok((None, start.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_sampling.store(true, Ordering::Relaxed);
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The peak resident set of a process (VmHWM), KiB.
fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory of `pid` and its children (the server's sandbox processes), in KiB.
fn tree_rss_kib(pid: u32) -> u64 {
    let children = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| proc_kib(*child, "PPid:") == Some(u64::from(pid)));
    proc_kib(pid, "VmRSS:").unwrap_or(0) + children.filter_map(|c| proc_kib(c, "VmRSS:")).sum::<u64>()
}

/// What one wrk process reported.
#[derive(Default)]
struct Wrk {
    sent: BTreeMap<String, u64>,
    /// (request name, status, outcome) → count.
    got: BTreeMap<(String, u16, String), u64>,
    requests: u64,
    duration_s: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// connect, read, write, timeout.
    socket_errors: [u64; 4],
}

impl Wrk {
    fn parse(out: &str) -> anyhow::Result<Wrk> {
        let mut w = Wrk::default();
        let mut summary = false;
        for line in out.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            match f.as_slice() {
                ["polyrun-load", "sent", name, n] => {
                    w.sent.insert((*name).to_owned(), n.parse()?);
                }
                ["polyrun-load", "got", name, status, outcome, n] => {
                    w.got
                        .insert(((*name).to_owned(), status.parse()?, (*outcome).to_owned()), n.parse()?);
                }
                ["polyrun-load", "summary", rest @ ..] if rest.len() == 11 => {
                    let v: Vec<f64> = rest.iter().map(|s| s.parse::<f64>()).collect::<Result<_, _>>()?;
                    w.requests = v[0] as u64;
                    w.duration_s = v[1] / 1e6;
                    (w.p50_ms, w.p90_ms, w.p99_ms, w.max_ms) = (v[2] / 1e3, v[3] / 1e3, v[4] / 1e3, v[5] / 1e3);
                    w.socket_errors = [v[6] as u64, v[7] as u64, v[8] as u64, v[9] as u64];
                    summary = true;
                }
                _ => {}
            }
        }
        if !summary {
            bail!("wrk printed no summary from mix.lua:\n{out}");
        }
        Ok(w)
    }

    fn count(&self, pred: impl Fn(&str, u16, &str) -> bool) -> u64 {
        self.got
            .iter()
            .filter(|((name, status, outcome), _)| pred(name, *status, outcome))
            .map(|(_, n)| n)
            .sum()
    }

    fn answered(&self) -> u64 {
        self.got.values().sum()
    }
}

fn spawn_wrk(url: &str, threads: usize, o: &Options, manifest: &Path) -> anyhow::Result<Child> {
    let script = util::root().join("xtask/load/mix.lua");
    Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{threads}"))
        .arg(format!("-d{}s", o.seconds))
        // A request still waiting at the end is counted as in flight, not as a timeout:
        // under hostile load a good one may queue behind many time limits.
        .arg(format!("--timeout={}s", o.seconds + 30))
        .arg("-s")
        .arg(&script)
        .arg(url)
        .arg("--")
        .arg(manifest)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start wrk")
}

fn finish_wrk(child: Child, what: &str) -> anyhow::Result<Wrk> {
    let out = child.wait_with_output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "wrk ({what}) failed ({}): {}{}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Wrk::parse(&stdout).with_context(|| format!("wrk ({what})"))
}

/// Phase 1's figures.
struct Held {
    good: Wrk,
    hostile: Wrk,
    peak_rss_mib: f64,
    good_clients: usize,
    hostile_clients: usize,
}

fn held_load(o: &Options, good: &[Req], hostile: &[Req], dir: &Path) -> anyhow::Result<(Held, Vec<String>)> {
    let good_manifest = write_manifest(dir, "good", good)?;
    let hostile_manifest = write_manifest(dir, "hostile", hostile)?;
    let hostile_clients = o.clients / 4;
    let good_clients = o.clients - hostile_clients;
    let mut server = Server::start(o)?;
    let url = format!("http://{}", server.addr);
    step(&format!(
        "load: {good_clients} good + {hostile_clients} hostile clients for {} s on {url}",
        o.seconds
    ));
    let good_wrk = spawn_wrk(&url, good_clients, o, &good_manifest)?;
    let hostile_wrk = spawn_wrk(&url, hostile_clients, o, &hostile_manifest)?;
    let good_w = finish_wrk(good_wrk, "good")?;
    let hostile_w = finish_wrk(hostile_wrk, "hostile")?;
    let peak_rss_mib = server.peak_rss_mib();
    server.sigterm()?;
    let (status, _) = server.wait(Duration::from_secs(o.drain_bound * 4 + 60))?;
    let mut failures = Vec::new();
    if !status.is_some_and(|s| s.success()) {
        failures.push(format!(
            "after the held load the server did not exit 0 on SIGTERM ({status:?})"
        ));
    }
    for (w, mix, what) in [(&good_w, good, "good"), (&hostile_w, hostile, "hostile")] {
        let [connect, read, write, timeout] = w.socket_errors;
        if connect + read + write + timeout > 0 {
            failures.push(format!(
                "{what}: dropped connections (connect {connect}, read {read}, write {write}, timeout {timeout})"
            ));
        }
        for ((name, status, _), n) in &w.got {
            let allowed = mix
                .iter()
                .find(|r| &r.name == name)
                .is_some_and(|r| *status == 200 || *status == 429 || r.other_ok == Some(*status));
            if *status >= 500 || !allowed {
                failures.push(format!("{what}: {n} × {status} for \"{name}\""));
            }
        }
        if w.answered() == 0 {
            failures.push(format!("{what}: no request was answered"));
        }
    }
    Ok((
        Held {
            good: good_w,
            hostile: hostile_w,
            peak_rss_mib,
            good_clients,
            hostile_clients,
        },
        failures,
    ))
}

/// How one request of phase 2 ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ending {
    /// A complete response with this status.
    Answered(u16),
    /// The connection was refused (allowed once the server stops listening).
    Refused,
    /// Connected, but no complete response: what was received and why it ended.
    Dropped(String),
}

#[derive(Debug)]
struct Outcome {
    ending: Ending,
    /// Whether the connection was made after SIGTERM had been sent.
    after_sigterm: bool,
}

/// Sends `req` on a new connection with `Connection: close` and reads the whole response.
fn one_request(addr: SocketAddr, req: &Req, sigterm_at: &Mutex<Option<Instant>>, killed: &AtomicBool) -> Outcome {
    let after = || sigterm_at.lock().map(|t| t.is_some()).unwrap_or(true);
    let mut stream = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        Ok(s) => s,
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
            return Outcome {
                ending: Ending::Refused,
                after_sigterm: after(),
            };
        }
        Err(e) => {
            return Outcome {
                ending: Ending::Dropped(format!("connect: {e}")),
                after_sigterm: after(),
            };
        }
    };
    let after_sigterm = after();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAccept: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        req.path,
        req.body.len()
    );
    let _ = stream.set_read_timeout(Some(Duration::from_secs(600)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut sent = stream.write_all(head.as_bytes());
    if sent.is_ok() {
        sent = stream.write_all(req.body.as_bytes());
    }
    let mut buf = Vec::new();
    let read = stream.read_to_end(&mut buf);
    let ending = match complete_status(&buf) {
        Some(status) => Ending::Answered(status),
        None => Ending::Dropped(format!(
            "{}{} bytes of response; write: {}; read: {}",
            if killed.load(Ordering::SeqCst) {
                "after the xtask killed the server past the bound: "
            } else {
                ""
            },
            buf.len(),
            sent.as_ref().map_or_else(|e| e.kind().to_string(), |_| "ok".into()),
            read.as_ref().map_or_else(|e| e.kind().to_string(), |_| "eof".into()),
        )),
    };
    Outcome { ending, after_sigterm }
}

/// The status of a complete HTTP/1.1 response (head and the whole body by Content-Length
/// or chunked encoding), or None.
fn complete_status(buf: &[u8]) -> Option<u16> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let body = &buf[end + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "content-length" {
            length = value.parse::<usize>().ok();
        } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let whole = match (length, chunked) {
        (Some(n), false) => body.len() == n,
        (_, true) => body.ends_with(b"0\r\n\r\n"),
        (None, false) => true, // Connection: close delimits it, and we read to EOF.
    };
    whole.then_some(status)
}

/// Phase 2's figures.
struct Sigterm {
    /// (good?, ending) → count, for connections made before / after SIGTERM.
    before: BTreeMap<(bool, Ending), u64>,
    after: BTreeMap<(bool, Ending), u64>,
    shutdown: Duration,
    exit: Option<std::process::ExitStatus>,
    in_flight_at_sigterm: u64,
}

fn sigterm_under_load(o: &Options, good: &[Req], hostile: &[Req]) -> anyhow::Result<(Sigterm, Vec<String>)> {
    let mut server = Server::start(o)?;
    let addr = server.addr;
    step(&format!(
        "SIGTERM under load: {} clients, one request per connection, SIGTERM after {} s",
        o.clients, o.sigterm_after
    ));
    let sigterm_at: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let in_flight = Arc::new(AtomicU64::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let hostile_clients = o.clients / 4;
    let mut handles = Vec::new();
    for client in 0..o.clients {
        let is_good = client >= hostile_clients;
        let mix: Vec<Req> = if is_good { good.to_vec() } else { hostile.to_vec() };
        let (sigterm_at, in_flight, killed) = (sigterm_at.clone(), in_flight.clone(), killed.clone());
        // Bounded: at most this many requests per client.
        let limit = 10_000usize;
        handles.push(std::thread::spawn(move || {
            let mut outcomes = Vec::new();
            for i in 0..limit {
                let req = &mix[(client + i) % mix.len()];
                in_flight.fetch_add(1, Ordering::SeqCst);
                let outcome = one_request(addr, req, &sigterm_at, &killed);
                in_flight.fetch_sub(1, Ordering::SeqCst);
                // A refused or dropped request ends this client (after SIGTERM: as it should).
                let stop = !matches!(outcome.ending, Ending::Answered(_));
                outcomes.push((is_good, outcome));
                if stop {
                    break;
                }
            }
            outcomes
        }));
    }
    std::thread::sleep(Duration::from_secs(o.sigterm_after));
    let in_flight_at_sigterm = in_flight.load(Ordering::SeqCst);
    if let Ok(mut at) = sigterm_at.lock() {
        *at = Some(Instant::now());
    }
    server.sigterm()?;
    // Wait well past the bound, so that the real shutdown time is measured.
    let (exit, shutdown) = server.wait_or_kill(Duration::from_secs(o.drain_bound * 4 + 60), &killed)?;
    let mut before = BTreeMap::new();
    let mut after = BTreeMap::new();
    for handle in handles {
        let outcomes = handle.join().map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        for (is_good, outcome) in outcomes {
            let map = if outcome.after_sigterm { &mut after } else { &mut before };
            *map.entry((is_good, outcome.ending)).or_insert(0) += 1;
        }
    }
    let mut failures = Vec::new();
    for (when, map) in [("before", &before), ("after", &after)] {
        for ((is_good, ending), n) in map {
            let class = if *is_good { "good" } else { "hostile" };
            match ending {
                Ending::Dropped(why) => failures.push(format!(
                    "SIGTERM: {n} {class} request(s) connected {when} SIGTERM dropped ({why})"
                )),
                Ending::Refused if when == "before" => {
                    failures.push(format!("SIGTERM: {n} {class} connection(s) refused before SIGTERM"))
                }
                Ending::Answered(status) if *status >= 500 => {
                    failures.push(format!("SIGTERM: {n} {class} answer(s) {status}"))
                }
                _ => {}
            }
        }
    }
    match exit {
        Some(status) if status.success() => {}
        Some(status) => failures.push(format!("SIGTERM: the server exited with {status}")),
        None => failures.push(format!(
            "SIGTERM: the server had not exited {} s after SIGTERM (killed)",
            shutdown.as_secs()
        )),
    }
    if shutdown > Duration::from_secs(o.drain_bound) {
        failures.push(format!(
            "SIGTERM: the server took {:.1} s to stop (bound {} s; {in_flight_at_sigterm} requests were in flight \
             at SIGTERM for {} sandboxes)",
            shutdown.as_secs_f64(),
            o.drain_bound,
            o.workers
        ));
    }
    Ok((
        Sigterm {
            before,
            after,
            shutdown,
            exit,
            in_flight_at_sigterm,
        },
        failures,
    ))
}

/// `cargo xtask load [--seconds N] [--clients 32] [--workers 2] [--queue 32]`.
pub fn load(args: &[String]) -> anyhow::Result<()> {
    let o = options(args)?;
    crate::setup::apt(&["wrk"], "/usr/bin/wrk")?;
    step("build polyrun");
    util::run(
        util::cargo()
            .args(["build", "--release", "-p", "service"])
            .current_dir(util::root()),
    )?;
    let root = util::root();
    let good = good_mix(&root)?;
    let hostile = hostile_mix(&root)?;
    let dir = util::target_dir().join("xtask-load");
    let load_avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (held, mut failures) = held_load(&o, &good, &hostile, &dir)?;
    let (sigterm, more) = sigterm_under_load(&o, &good, &hostile)?;
    failures.extend(more);
    let report = render(
        &o,
        &held,
        &sigterm,
        &good,
        load_avg.split_whitespace().next().unwrap_or("?"),
    );
    print!("{report}");
    if o.write {
        let path = root.join("docs").join("benchmarks.md");
        let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
        std::fs::write(&path, with_load_section(&old, &report))?;
        eprintln!("wrote the Load section of {}", path.display());
    }
    if !failures.is_empty() {
        bail!("the load test failed:\n  {}", failures.join("\n  "));
    }
    Ok(())
}

/// The "## Load" section of a benchmarks file, if any (to carry over a rewrite).
pub fn load_section(doc: &str) -> Option<&str> {
    let start = doc.find("\n## Load\n")? + 1;
    let end = doc[start + 1..].find("\n## ").map_or(doc.len(), |i| start + 1 + i + 1);
    Some(&doc[start..end])
}

/// `doc` with its "## Load" section replaced by `section` (or `section` appended).
pub fn with_load_section(doc: &str, section: &str) -> String {
    let section = section.trim_end();
    match load_section(doc) {
        Some(old) if doc.ends_with(old) => format!("{}{section}\n", &doc[..doc.len() - old.len()]),
        Some(old) => doc.replacen(old, &format!("{section}\n\n"), 1),
        None => format!("{}\n\n{section}\n", doc.trim_end()),
    }
}

fn render(o: &Options, held: &Held, s: &Sigterm, good: &[Req], load_avg: &str) -> String {
    let date = util::output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M"])).unwrap_or_default();
    let mut md = String::new();
    let _ = writeln!(md, "## Load\n");
    let _ = writeln!(
        md,
        "Measured by `cargo xtask load --seconds {} --clients {} --workers {} --queue {}` on {} \
         ({} UTC; load average {load_avg} when it started: the machine is shared). \
         `polyrun serve --workers {} --queue {}` on 127.0.0.1, driven by wrk {} \
         (`xtask/load/mix.lua`, one connection per thread) for {} s: {} \"good\" clients \
         (reference solutions of two-sum, valid-parentheses and merge-intervals, a wrong and a \
         slow two-sum, a program summing stdin; each in Python, Ruby and JavaScript) and, at \
         the same time, {} hostile ones (infinite loops and memory bombs graded and run, output \
         floods, malformed JSON, an unknown language and problem, a 65 KiB source). Every \
         request is a POST with `Content-Type: application/json` to `/api/v1/grade` or \
         `/api/v1/run`.\n",
        o.seconds,
        o.clients,
        o.workers,
        o.queue,
        crate::bench::machine(),
        date.trim(),
        o.workers,
        o.queue,
        wrk_version(),
        o.seconds,
        held.good_clients,
        held.hostile_clients,
    );
    let grades = |w: &Wrk| w.count(|name, status, _| status == 200 && name.starts_with("grade"));
    let runs = |w: &Wrk| w.count(|name, status, _| status == 200 && name.starts_with("run"));
    let status_of = |w: &Wrk, want: fn(u16) -> bool| w.count(|_, status, _| want(status));
    let _ = writeln!(
        md,
        "| traffic | clients | answered | grades/s | runs/s | 429 | other 4xx | 5xx | dropped connections | in flight at the end | p50 | p90 | p99 | max |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (w, what, clients) in [
        (&held.good, "good", held.good_clients),
        (&held.hostile, "hostile", held.hostile_clients),
    ] {
        let secs = w.duration_s.max(1e-9);
        let sent: u64 = w.sent.values().sum();
        let _ = writeln!(
            md,
            "| {what} | {clients} | {} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
            w.answered(),
            grades(w) as f64 / secs,
            runs(w) as f64 / secs,
            status_of(w, |s| s == 429),
            status_of(w, |s| (400..500).contains(&s) && s != 429),
            status_of(w, |s| s >= 500),
            w.socket_errors.iter().sum::<u64>(),
            sent.saturating_sub(w.answered()),
            w.p50_ms,
            w.p90_ms,
            w.p99_ms,
            w.max_ms,
        );
    }
    let total_grades = grades(&held.good) + grades(&held.hostile);
    let _ = writeln!(
        md,
        "\nIn all **{:.2} grades/s** and {:.2} runs/s answered; **{} × 429**, **{} × 5xx**, \
         **{} dropped connections** (wrk's connect, read, write and timeout errors); peak RSS \
         of the server (VmHWM) **{:.0} MiB**. Latency is wrk's, per request, queueing \
         included; \"in flight at the end\" were sent but not answered when wrk stopped.\n",
        total_grades as f64 / held.good.duration_s.max(1e-9),
        (runs(&held.good) + runs(&held.hostile)) as f64 / held.good.duration_s.max(1e-9),
        status_of(&held.good, |s| s == 429) + status_of(&held.hostile, |s| s == 429),
        status_of(&held.good, |s| s >= 500) + status_of(&held.hostile, |s| s >= 500),
        held.good
            .socket_errors
            .iter()
            .chain(&held.hostile.socket_errors)
            .sum::<u64>(),
        held.peak_rss_mib,
    );
    let _ = writeln!(md, "What each request got (200s by verdict or run status):\n");
    let _ = writeln!(md, "| request | sent | answers |");
    let _ = writeln!(md, "|---|---|---|");
    let mut unexpected = Vec::new();
    for w in [&held.good, &held.hostile] {
        for (name, sent) in &w.sent {
            let answers: Vec<String> = w
                .got
                .iter()
                .filter(|((n, _, _), _)| n == name)
                .map(|((_, status, outcome), count)| {
                    if *status == 200 {
                        format!("{count} {outcome}")
                    } else {
                        format!("{count} × {status}")
                    }
                })
                .collect();
            let _ = writeln!(md, "| {name} | {sent} | {} |", answers.join(", "));
            if let Some(req) = good.iter().find(|r| &r.name == name) {
                let wrong = w.count(|n, status, outcome| n == name && status == 200 && outcome != req.expect);
                if wrong > 0 {
                    unexpected.push(format!("{wrong} × \"{name}\" (expected {})", req.expect));
                }
            }
        }
    }
    if !unexpected.is_empty() {
        let _ = writeln!(
            md,
            "\nGood requests judged otherwise than on an idle machine: {}.",
            unexpected.join(", ")
        );
    }
    let count = |map: &BTreeMap<(bool, Ending), u64>, pred: &dyn Fn(&Ending) -> bool| -> u64 {
        map.iter().filter(|((_, e), _)| pred(e)).map(|(_, n)| n).sum()
    };
    let answered = |e: &Ending| matches!(e, Ending::Answered(_));
    let status_is = |want: u16| move |e: &Ending| *e == Ending::Answered(want);
    let dropped = |e: &Ending| matches!(e, Ending::Dropped(_));
    let refused = |e: &Ending| *e == Ending::Refused;
    let _ = writeln!(
        md,
        "\n### SIGTERM under load\n\n\
         A fresh server, {} clients (threads of the xtask, the same mix, one request per \
         connection with `Connection: close`); SIGTERM after {} s, with {} requests in flight. \
         A request counts as dropped when its connection was made but no complete HTTP \
         response came back.\n",
        o.clients, o.sigterm_after, s.in_flight_at_sigterm
    );
    let _ = writeln!(
        md,
        "| connection made | answered | of which 200 | 429 | other 4xx | 5xx | dropped | refused |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for (when, map) in [("before SIGTERM", &s.before), ("after SIGTERM", &s.after)] {
        let _ = writeln!(
            md,
            "| {when} | {} | {} | {} | {} | {} | {} | {} |",
            count(map, &answered),
            count(map, &status_is(200)),
            count(map, &status_is(429)),
            count(
                map,
                &|e| matches!(e, Ending::Answered(s) if (400..500).contains(s) && *s != 429)
            ),
            count(map, &|e| matches!(e, Ending::Answered(s) if *s >= 500)),
            count(map, &dropped),
            count(map, &refused),
        );
    }
    let exit = match s.exit {
        Some(status) => match status.code() {
            Some(code) => format!("exit status {code}"),
            None => format!("{status}"),
        },
        None => "killed: it had not exited".to_owned(),
    };
    let _ = writeln!(
        md,
        "\nThe server stopped **{:.1} s** after SIGTERM ({exit}; bound {} s).",
        s.shutdown.as_secs_f64(),
        o.drain_bound
    );
    md
}

fn wrk_version() -> String {
    // `wrk -v` prints "wrk 4.1.0 [epoll] Copyright …" and exits 1.
    Command::new("wrk")
        .arg("-v")
        .output()
        .ok()
        .and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
            text.split_whitespace().nth(1).map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_complete_only_with_its_whole_body() {
        let full = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(complete_status(full), Some(200));
        assert_eq!(complete_status(&full[..full.len() - 1]), None);
        assert_eq!(complete_status(b"HTTP/1.1 429 Too Many Requests\r\n"), None);
        assert_eq!(complete_status(b""), None);
        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
        assert_eq!(complete_status(chunked), Some(200));
        assert_eq!(complete_status(&chunked[..chunked.len() - 3]), None);
    }

    #[test]
    fn the_load_section_is_replaced_in_place_or_appended() {
        let doc = "# Benchmarks\n\n## Memory\n\nx\n\n## Load\n\nold\n\n## Later\n\ny\n";
        let new = with_load_section(doc, "## Load\n\nnew\n\n");
        assert_eq!(
            new,
            "# Benchmarks\n\n## Memory\n\nx\n\n## Load\n\nnew\n\n## Later\n\ny\n"
        );
        let appended = with_load_section("# Benchmarks\n\n## Memory\n\nx\n", "## Load\n\nnew\n");
        assert_eq!(appended, "# Benchmarks\n\n## Memory\n\nx\n\n## Load\n\nnew\n");
        assert_eq!(load_section("# Benchmarks\n"), None);
    }

    #[test]
    fn wrk_lines_parse() {
        let out = "Running 1s test\npolyrun-load\tsent\tgrade a\t3\n\
                   polyrun-load\tgot\tgrade a\t200\taccepted\t2\n\
                   polyrun-load\tsummary\t2\t1000000\t1000\t2000\t3000\t4000\t0\t1\t0\t0\t0\n";
        let w = Wrk::parse(out).unwrap();
        assert_eq!(w.sent["grade a"], 3);
        assert_eq!(w.answered(), 2);
        assert_eq!(w.socket_errors, [0, 1, 0, 0]);
        assert_eq!(w.p99_ms, 3.0);
        assert!(Wrk::parse("no summary").is_err());
    }
}

//! `polyrun serve`: the HTTP API and the web app on one socket. The runtimes are loaded
//! before the first connection is accepted; Ctrl-C (or SIGTERM) stops accepting, answers
//! the runs still waiting for a sandbox (429) and lets the runs in progress finish.
//!
//! Connections are bounded in number ([`MAX_CONNECTIONS`]: past it, new ones wait in the
//! kernel's backlog) and in idleness ([`HEADER_TIMEOUT`]: a request's headers, or the next
//! request on a kept-alive connection, must come within it), so that slow or idle clients
//! can neither exhaust the process's file descriptors nor hold a stopping server open.
//! One client (an address, `http::clients`) holds at most `--max-connections-per-client`
//! of them: past it, its new connection is answered 429 and closed at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use anyhow::Context;
use polyrun_core::ProblemBank;
use polyrun_grader::{Grader, GraderConfig};
use polyrun_store::Store;

use crate::http::auth::AuthMode;
use crate::http::clients::{ClientKey, Clients};
use crate::http::judge0::handlers::{ORPHAN_AFTER_MS, sweep};
use crate::http::{AppState, router};

/// Connections served at once; past it, new ones wait in the kernel's backlog until one
/// ends. With [`crate::http::body::MAX_BODY_BYTES`] per request, it also bounds the memory
/// that bodies being read can take (1 GiB).
pub const MAX_CONNECTIONS: usize = 1024;

/// How long a client may take to send a request's headers, counted from when the server
/// waits for them: on a new connection, and between requests on a kept-alive one.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What `polyrun serve` was asked for.
pub struct ServeOptions {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The problem bank.
    pub bank: ProblemBank,
    /// The web app's files, if any.
    pub site: Option<PathBuf>,
    /// Sandboxes running at once.
    pub workers: usize,
    /// Runs waiting for a sandbox at most (beyond them: 429).
    pub queue: usize,
    /// Where submissions and tokens are kept.
    pub store: Arc<dyn Store>,
    /// Whether tokens are needed.
    pub auth: AuthMode,
    /// Connections one client may hold at once (0: no cap, as behind a reverse proxy).
    pub per_client: usize,
}

/// Serves until interrupted.
pub async fn serve(options: ServeOptions) -> anyhow::Result<()> {
    let config = GraderConfig {
        max_concurrent: options.workers.max(1),
        ..GraderConfig::default()
    };
    let grader = Arc::new(Grader::new(config)?);
    grader.warm_up().await.context("cannot load the runtimes")?;
    let admitted = options.workers.max(1) + options.queue;
    let state = AppState::with_store(
        grader,
        &options.bank,
        admitted,
        Arc::clone(&options.store),
        options.auth,
    )
    .with_context(|| format!("cannot read the problem bank {}", options.bank.root().display()))?;
    let problems = state.bank.len();
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .with_context(|| format!("cannot listen on {}", options.addr))?;
    let local = listener.local_addr()?;
    let site = match &options.site {
        Some(dir) => format!("the web app from {}", dir.display()),
        None => "no web app (pass --site DIR)".to_owned(),
    };
    // The first line says where: scripts and tests read it (with port 0, the port chosen).
    println!("polyrun serve: listening on http://{local}/ ({problems} problems, {site})");
    let auth = match options.auth {
        AuthMode::Open => "open (anyone may run and grade)",
        AuthMode::Tokens => "tokens",
    };
    eprintln!("polyrun serve: store {}, auth {auth}", options.store.describe());
    let state = Arc::new(state);
    tokio::spawn(sweeper(Arc::clone(&state)));
    let stopping = state.stopping.clone();
    let app = router(state, options.site);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let clients = Clients::new(options.per_client);
    let per_client = clients.per_client;
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.context("the connection slots closed")?,
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    eprintln!("polyrun serve: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let client = ClientKey::of(peer.ip());
        let Some(held) = clients.connect(client) else {
            drop(slot);
            if let Ok(place) = Arc::clone(&refusals).try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream, client, per_client).await;
                    drop(place);
                });
            }
            continue;
        };
        // Answers are small: send them at once rather than wait for the client's ACK.
        let _ = stream.set_nodelay(true);
        // The body budget tells clients apart by this (unless they are not told apart).
        let known = clients.capped().then_some(client);
        let with_client = TowerToHyperService::new(app.clone().map_request(move |mut request: Request<Incoming>| {
            if let Some(client) = known {
                request.extensions_mut().insert(client);
            }
            request
        }));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), with_client);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection's errors (a client gone, a header timeout) are the client's.
            let _ = connection.await;
            drop((held, slot));
        });
    }
    // Runs still waiting for a sandbox are answered now (429); the ones running finish,
    // and their answers are sent before the process exits. Idle connections close now.
    stopping.send_replace(true);
    eprintln!("polyrun serve: stopping: finishing the runs in progress");
    graceful.shutdown().await;
    eprintln!("polyrun serve: stopped");
    Ok(())
}

/// Connections past their client's cap being answered at once; past it, they are closed
/// without an answer.
const REFUSALS_AT_ONCE: usize = 64;

/// How long a refused connection is kept open for its answer to be read.
const REFUSAL_LINGER: Duration = Duration::from_secs(2);

/// Answers a connection past its client's cap with a 429 and closes it: the answer is
/// written without reading the request, then what the client sends is read and dropped
/// for a moment (closing a socket with unread data resets it, and the client could lose
/// the answer).
async fn refuse(mut stream: tokio::net::TcpStream, client: ClientKey, cap: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let body = serde_json::json!({
        "error": format!(
            "{client} already holds {cap} connections to this server, its most at once; \
             close some (or reuse them) and try again"
        )
    })
    .to_string();
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\
         x-content-type-options: nosniff\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_LINGER, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
}

/// Runs the Judge0 submissions that a process on this store left unfinished: at start,
/// every queued one (whoever queued it, the claim decides who runs it); then every 5 s,
/// those queued for over 30 s and those whose lease ended.
async fn sweeper(state: Arc<AppState>) {
    let mut first = true;
    loop {
        let queued_before = if first {
            polyrun_store::now_ms()
        } else {
            polyrun_store::now_ms() - ORPHAN_AFTER_MS
        };
        match sweep(&state, queued_before).await {
            Ok(n) if n > 0 => eprintln!("polyrun serve: took over {n} unfinished Judge0 submissions"),
            Ok(_) => {}
            Err(e) => eprintln!("polyrun serve: cannot look for unfinished Judge0 submissions: {e}"),
        }
        first = false;
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

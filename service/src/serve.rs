//! `polyrun serve`: the HTTP API and the web app on one socket. The runtimes are loaded
//! before the first connection is accepted; Ctrl-C (or SIGTERM) stops accepting, answers
//! the runs still waiting for a sandbox (429) and lets the runs in progress finish.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use polyrun_core::ProblemBank;
use polyrun_grader::{Grader, GraderConfig};
use polyrun_store::Store;

use crate::http::auth::AuthMode;
use crate::http::judge0::handlers::{ORPHAN_AFTER_MS, sweep};
use crate::http::{AppState, router};

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
    axum::serve(listener, router(state, options.site))
        .with_graceful_shutdown(async move {
            shutdown().await;
            // Runs still waiting for a sandbox are answered now (429); the ones running
            // finish, and their answers are sent before the process exits.
            stopping.send_replace(true);
            eprintln!("polyrun serve: stopping: finishing the runs in progress");
        })
        .await
        .context("the server stopped")?;
    eprintln!("polyrun serve: stopped");
    Ok(())
}

/// Runs the Judge0 submissions that a process on this store left unfinished: at start,
/// every queued one (whoever queued it, the claim decides who runs it); then every 10 s,
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
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
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

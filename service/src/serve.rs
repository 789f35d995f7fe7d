//! `polyrun serve`: the HTTP API and the web app on one socket. The runtimes are loaded
//! before the first connection is accepted; Ctrl-C (or SIGTERM) stops accepting, answers
//! the runs still waiting for a sandbox (429) and lets the runs in progress finish.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use polyrun_core::ProblemBank;
use polyrun_grader::{Grader, GraderConfig};

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
}

/// Serves until interrupted.
pub async fn serve(options: ServeOptions) -> anyhow::Result<()> {
    let config = GraderConfig {
        max_concurrent: options.workers.max(1),
        ..GraderConfig::default()
    };
    let grader = Arc::new(Grader::new(config)?);
    grader.warm_up().await.context("cannot load the runtimes")?;
    let state = AppState::new(grader, &options.bank, options.workers.max(1) + options.queue)
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
    let state = Arc::new(state);
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

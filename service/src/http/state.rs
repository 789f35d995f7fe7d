//! What every handler shares: the grader, the problem bank loaded at start-up, and the
//! admission gate that turns an overload into 429 instead of an ever-growing queue.

use std::collections::BTreeMap;
use std::sync::Arc;

use polyrun_core::{Problem, ProblemBank};
use polyrun_grader::Grader;
use tokio::sync::{Semaphore, watch};

use super::error::ApiError;

/// The server's shared state.
pub struct AppState {
    /// The grader (its own semaphore bounds the sandboxes running at once).
    pub grader: Arc<Grader>,
    /// Every problem that loaded, by id.
    pub bank: BTreeMap<String, Problem>,
    /// Runs being served or queued; a request that finds none free gets 429.
    pub admission: Arc<Semaphore>,
    /// Sandboxes running (as many as the grader runs at once): an admitted run waits here
    /// for its turn, and is answered at once instead when the server is stopping.
    pub running: Arc<Semaphore>,
    /// Set when the server stops (SIGTERM, Ctrl-C): runs still waiting for a sandbox are
    /// answered 429 so that shutdown waits only for the runs in progress.
    pub stopping: watch::Sender<bool>,
    /// The Judge0-compatible routes' submissions, by token.
    pub judge0: super::judge0::Store,
    /// Answer a queued Judge0 submission (`wait=false`) only once it has run: on AWS
    /// Lambda nothing runs after the answer (the instance may be frozen), so a token is
    /// only handed out for a finished submission there.
    pub runs_finish_in_request: bool,
}

impl AppState {
    /// State over `bank`'s problems; a problem that does not load is left out, with a
    /// warning on stderr. `admitted` bounds the runs served or waiting at once.
    pub fn new(grader: Arc<Grader>, bank: &ProblemBank, admitted: usize) -> std::io::Result<Self> {
        let mut problems = BTreeMap::new();
        for id in bank.ids()? {
            match bank.load(&id) {
                Ok(problem) => {
                    problems.insert(id, problem);
                }
                Err(e) => eprintln!("polyrun serve: skipping a broken problem: {e}"),
            }
        }
        Ok(AppState {
            running: Arc::new(Semaphore::new(grader.config().max_concurrent.max(1))),
            grader,
            bank: problems,
            admission: Arc::new(Semaphore::new(admitted.max(1))),
            stopping: watch::Sender::new(false),
            judge0: super::judge0::Store::default(),
            runs_finish_in_request: false,
        })
    }

    /// The problem `id`, or 404.
    pub fn problem(&self, id: &str) -> Result<&Problem, ApiError> {
        self.bank
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("there is no problem '{id}'")))
    }
}

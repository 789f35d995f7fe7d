//! What every handler shares: the grader, the problem bank loaded at start-up, the store
//! (submissions, Judge0 submissions, tokens), the auth mode, and the admission gate that
//! turns an overload into 429 instead of an ever-growing queue.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use polyrun_core::{Problem, ProblemBank};
use polyrun_grader::Grader;
use polyrun_store::{MemoryStore, Store};
use tokio::sync::{Semaphore, watch};

use super::auth::AuthMode;
use super::error::ApiError;

/// The server's shared state.
pub struct AppState {
    /// The grader (its own semaphore bounds the sandboxes running at once).
    pub grader: Arc<Grader>,
    /// Every problem that loaded, by id.
    pub bank: BTreeMap<String, Problem>,
    /// Runs being served or queued; a request that finds none free gets 429.
    pub admission: Arc<Semaphore>,
    /// Places among the admitted runs that queued Judge0 work may hold at once (as many as
    /// sandboxes): a backlog of Judge0 submissions waits here, not in `admission`, so that
    /// interactive requests are never starved into 429 by it.
    pub background: Arc<Semaphore>,
    /// Sandboxes running (as many as the grader runs at once): an admitted run waits here
    /// for its turn, and is answered at once instead when the server is stopping.
    pub running: Arc<Semaphore>,
    /// Set when the server stops (SIGTERM, Ctrl-C): runs still waiting for a sandbox are
    /// answered 429 so that shutdown waits only for the runs in progress.
    pub stopping: watch::Sender<bool>,
    /// Where submissions, Judge0 submissions and tokens are kept.
    pub store: Arc<dyn Store>,
    /// Whether every route but the public ones needs a token.
    pub auth: AuthMode,
    /// This process's name in the store's claims on Judge0 submissions (a fresh id).
    pub owner: String,
    /// The Judge0 submissions this process queued without `wait=true`, bounded.
    pub judge0: super::judge0::store::Queue,
    /// Judge0 tokens this process has a task for (so that a sweep does not start a second).
    pub in_hand: Mutex<HashSet<String>>,
    /// Answer a queued Judge0 submission (`wait=false`) only once it has run: on AWS
    /// Lambda nothing runs after the answer (the instance may be frozen), so a token is
    /// only handed out for a finished submission there.
    pub runs_finish_in_request: bool,
}

impl AppState {
    /// State over `bank`'s problems, with nothing kept (a memory store) and no tokens
    /// needed; a problem that does not load is left out, with a warning on stderr.
    /// `admitted` bounds the runs served or waiting at once.
    pub fn new(grader: Arc<Grader>, bank: &ProblemBank, admitted: usize) -> std::io::Result<Self> {
        Self::with_store(grader, bank, admitted, Arc::new(MemoryStore::default()), AuthMode::Open)
    }

    /// The same over `store`, under `auth`.
    pub fn with_store(
        grader: Arc<Grader>,
        bank: &ProblemBank,
        admitted: usize,
        store: Arc<dyn Store>,
        auth: AuthMode,
    ) -> std::io::Result<Self> {
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
            background: Arc::new(Semaphore::new(grader.config().max_concurrent.max(1))),
            grader,
            bank: problems,
            admission: Arc::new(Semaphore::new(admitted.max(1))),
            stopping: watch::Sender::new(false),
            store,
            auth,
            owner: polyrun_store::new_id(),
            judge0: super::judge0::store::Queue::default(),
            in_hand: Mutex::new(HashSet::new()),
            runs_finish_in_request: false,
        })
    }

    /// The problem `id`, or 404.
    pub fn problem(&self, id: &str) -> Result<&Problem, ApiError> {
        self.bank
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("there is no problem '{}'", super::shown(id))))
    }
}

//! The submissions this server knows, by token, in memory: the newest 10 000 (and at most
//! 256 MiB of sources and outputs), the oldest forgotten first. Also the count of
//! submissions queued without `wait=true`, bounded by Judge0's `max_queue_size`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::model::Status;
use super::request::NewSubmission;

/// Submissions kept at most.
pub const MAX_SUBMISSIONS: usize = 10_000;
/// Bytes of sources, inputs and outputs kept at most.
pub const MAX_BYTES: usize = 256 << 20;

/// How a finished run went.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Judge0's status.
    pub status: Status,
    /// What it printed (invalid UTF-8 replaced).
    pub stdout: String,
    /// What it printed on stderr (invalid UTF-8 replaced).
    pub stderr: String,
    /// Its exit status, when it exited by itself.
    pub exit_code: Option<i32>,
    /// The signal it was stopped with (9 at a limit).
    pub exit_signal: Option<i32>,
    /// Judge0's message: `Exited with error status 3`, `Time limit exceeded`, …
    pub message: Option<String>,
    /// Wall time, in milliseconds.
    pub time_ms: Option<f64>,
    /// When it finished.
    pub finished_at: SystemTime,
}

/// Where a submission is.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Waiting for a sandbox.
    Queued,
    /// Running.
    Processing,
    /// Done.
    Finished(Arc<Outcome>),
}

/// A submission and where it is.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its token (a v4 UUID).
    pub token: String,
    /// What was submitted.
    pub submission: Arc<NewSubmission>,
    /// When.
    pub created_at: SystemTime,
    /// Where it is.
    pub progress: Progress,
}

impl Record {
    /// A new record with a fresh token.
    pub fn new(submission: NewSubmission, progress: Progress) -> Record {
        Record {
            token: uuid::Uuid::new_v4().to_string(),
            submission: Arc::new(submission),
            created_at: SystemTime::now(),
            progress,
        }
    }

    /// Its status.
    pub fn status(&self) -> Status {
        match &self.progress {
            Progress::Queued => Status::IN_QUEUE,
            Progress::Processing => Status::PROCESSING,
            Progress::Finished(outcome) => outcome.status,
        }
    }

    /// Roughly the bytes it holds.
    fn size(&self) -> usize {
        let s = &self.submission;
        let outputs = match &self.progress {
            Progress::Finished(o) => o.stdout.len() + o.stderr.len(),
            _ => 0,
        };
        512 + s.source.len()
            + s.stdin.as_ref().map_or(0, Vec::len)
            + s.expected_output.as_ref().map_or(0, String::len)
            + outputs
    }
}

#[derive(Default)]
struct Inner {
    records: HashMap<String, Record>,
    /// Tokens, oldest first.
    order: VecDeque<String>,
    bytes: usize,
}

impl Inner {
    fn evict(&mut self) {
        while self.records.len() > MAX_SUBMISSIONS || self.bytes > MAX_BYTES {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(old) = self.records.remove(&oldest) {
                self.bytes -= old.size();
            }
        }
    }
}

/// The submissions, and the queue's length.
#[derive(Default)]
pub struct Store {
    inner: Mutex<Inner>,
    queued: Arc<AtomicUsize>,
}

/// A place in the queue of submissions run in the background; freed when dropped.
pub struct Ticket(Arc<AtomicUsize>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the map consistent: keep serving it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `record`, forgetting the oldest beyond the bounds.
    pub fn insert(&self, record: Record) {
        let mut inner = self.lock();
        inner.bytes += record.size();
        inner.order.push_back(record.token.clone());
        if let Some(old) = inner.records.insert(record.token.clone(), record) {
            inner.bytes -= old.size();
        }
        inner.evict();
    }

    /// Moves the submission `token` on, if it is still kept.
    pub fn advance(&self, token: &str, progress: Progress) {
        let mut inner = self.lock();
        let Some(record) = inner.records.get_mut(token) else {
            return;
        };
        let before = record.size();
        record.progress = progress;
        let after = record.size();
        inner.bytes = inner.bytes + after - before;
        inner.evict();
    }

    /// The submission `token`, if kept.
    pub fn get(&self, token: &str) -> Option<Record> {
        self.lock().records.get(token).cloned()
    }

    /// `n` places in the background queue, or `None` when fewer than `n` are free.
    pub fn reserve(&self, n: usize, max: usize) -> Option<Vec<Ticket>> {
        self.queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                (queued + n <= max).then_some(queued + n)
            })
            .ok()?;
        Some((0..n).map(|_| Ticket(Arc::clone(&self.queued))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::judge0::request;

    fn record() -> Record {
        let submission = request::parse(&serde_json::json!({"language_id": 71, "source_code": "1"}), false);
        Record::new(submission.expect("valid"), Progress::Queued)
    }

    #[test]
    fn tokens_are_v4_uuids() {
        let token = record().token;
        let parsed = uuid::Uuid::parse_str(&token).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(token.len(), 36);
        assert_ne!(token, record().token);
    }

    #[test]
    fn records_advance_and_the_oldest_are_forgotten() {
        let store = Store::default();
        let first = record();
        let token = first.token.clone();
        store.insert(first);
        store.advance(&token, Progress::Processing);
        assert_eq!(store.get(&token).map(|r| r.status()), Some(Status::PROCESSING));
        for _ in 0..MAX_SUBMISSIONS {
            store.insert(record());
        }
        assert!(store.get(&token).is_none(), "the oldest is gone");
        assert_eq!(store.lock().records.len(), MAX_SUBMISSIONS);
        store.advance(&token, Progress::Queued);
        assert!(store.get("no such token").is_none());
    }

    #[test]
    fn the_queue_is_bounded_and_tickets_free_their_place() {
        let store = Store::default();
        let three = store.reserve(3, 4).expect("room for three");
        assert!(store.reserve(2, 4).is_none());
        let one = store.reserve(1, 4).expect("room for one");
        drop(three);
        assert_eq!(store.reserve(3, 4).map(|t| t.len()), Some(3));
        drop(one);
    }
}

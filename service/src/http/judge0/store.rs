//! Judge0 submissions as the store keeps them ([`polyrun_store::Job`]): a [`Record`] (what
//! was asked, and where it is) to and from a job, and the bound on the submissions this
//! process has queued without `wait=true` (Judge0's `max_queue_size`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use polyrun_store::{Job, JobState};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{Judge0Language, STATUSES, Status};
use super::request::{Limits, NewSubmission};

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
    /// Memory used beyond the runtime's footprint, in KiB (Judge0's `memory`).
    pub memory_kb: Option<u64>,
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

    /// The job the store keeps for it, in `state`.
    pub fn to_job(&self, user: Option<String>, state: JobState) -> Job {
        Job {
            token: self.token.clone(),
            user,
            request: submission_json(&self.submission),
            created_at_ms: ms(self.created_at),
            state,
        }
    }

    /// The record of a job the store kept; `None` for one this code cannot read (the
    /// service then answers as for an unknown token, and says so on stderr).
    pub fn from_job(job: &Job) -> Option<Record> {
        let submission = submission_from_json(&job.request)?;
        let progress = match &job.state {
            JobState::Queued => Progress::Queued,
            JobState::Processing { .. } => Progress::Processing,
            JobState::Finished {
                outcome,
                finished_at_ms,
            } => Progress::Finished(Arc::new(outcome_from_json(outcome, *finished_at_ms)?)),
        };
        Some(Record {
            token: job.token.clone(),
            submission: Arc::new(submission),
            created_at: time(job.created_at_ms),
            progress,
        })
    }
}

fn ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// The limits as stored (every field, so that a submission reads back as it was sent).
#[derive(Serialize, Deserialize)]
struct StoredLimits {
    cpu_time_limit: f64,
    cpu_extra_time: f64,
    wall_time_limit: f64,
    memory_limit: u64,
    stack_limit: u64,
    max_processes_and_or_threads: u64,
    enable_per_process_and_thread_time_limit: bool,
    enable_per_process_and_thread_memory_limit: bool,
    max_file_size: u64,
    number_of_runs: u64,
}

/// A submission as stored: stdin in base64 (it may be any bytes).
#[derive(Serialize, Deserialize)]
struct StoredSubmission {
    language_id: u32,
    source: String,
    stdin_base64: Option<String>,
    expected_output: Option<String>,
    limits: StoredLimits,
}

fn submission_json(s: &NewSubmission) -> Value {
    let l = &s.limits;
    let stored = StoredSubmission {
        language_id: s.language.id,
        source: s.source.clone(),
        stdin_base64: s.stdin.as_deref().map(|b| STANDARD.encode(b)),
        expected_output: s.expected_output.clone(),
        limits: StoredLimits {
            cpu_time_limit: l.cpu_time_limit,
            cpu_extra_time: l.cpu_extra_time,
            wall_time_limit: l.wall_time_limit,
            memory_limit: l.memory_limit,
            stack_limit: l.stack_limit,
            max_processes_and_or_threads: l.max_processes_and_or_threads,
            enable_per_process_and_thread_time_limit: l.enable_per_process_and_thread_time_limit,
            enable_per_process_and_thread_memory_limit: l.enable_per_process_and_thread_memory_limit,
            max_file_size: l.max_file_size,
            number_of_runs: l.number_of_runs,
        },
    };
    serde_json::to_value(stored).unwrap_or(Value::Null)
}

fn submission_from_json(value: &Value) -> Option<NewSubmission> {
    let s: StoredSubmission = serde_json::from_value(value.clone()).ok()?;
    let l = s.limits;
    Some(NewSubmission {
        language: Judge0Language::by_id(u64::from(s.language_id))?,
        source: s.source,
        stdin: match s.stdin_base64 {
            Some(b) => Some(STANDARD.decode(b).ok()?),
            None => None,
        },
        expected_output: s.expected_output,
        limits: Limits {
            cpu_time_limit: l.cpu_time_limit,
            cpu_extra_time: l.cpu_extra_time,
            wall_time_limit: l.wall_time_limit,
            memory_limit: l.memory_limit,
            stack_limit: l.stack_limit,
            max_processes_and_or_threads: l.max_processes_and_or_threads,
            enable_per_process_and_thread_time_limit: l.enable_per_process_and_thread_time_limit,
            enable_per_process_and_thread_memory_limit: l.enable_per_process_and_thread_memory_limit,
            max_file_size: l.max_file_size,
            number_of_runs: l.number_of_runs,
        },
    })
}

/// How a run went, as stored.
pub fn outcome_json(o: &Outcome) -> Value {
    json!({
        "status_id": o.status.id,
        "stdout": o.stdout,
        "stderr": o.stderr,
        "exit_code": o.exit_code,
        "exit_signal": o.exit_signal,
        "message": o.message,
        "time_ms": o.time_ms,
        "memory_kb": o.memory_kb,
    })
}

fn outcome_from_json(v: &Value, finished_at_ms: i64) -> Option<Outcome> {
    let id = v.get("status_id")?.as_u64()?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let int = |k: &str| v.get(k).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok());
    Some(Outcome {
        status: *STATUSES.iter().find(|s| u64::from(s.id) == id)?,
        stdout: text("stdout").unwrap_or_default(),
        stderr: text("stderr").unwrap_or_default(),
        exit_code: int("exit_code"),
        exit_signal: int("exit_signal"),
        message: text("message"),
        time_ms: v.get("time_ms").and_then(Value::as_f64),
        memory_kb: v.get("memory_kb").and_then(Value::as_u64),
        finished_at: time(finished_at_ms),
    })
}

/// The count of submissions this process queued without `wait=true`.
#[derive(Default)]
pub struct Queue {
    queued: Arc<AtomicUsize>,
}

/// A place in the queue of submissions run in the background; freed when dropped.
pub struct Ticket(Arc<AtomicUsize>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Queue {
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
        let body = serde_json::json!({"language_id": 72, "source_code": "puts 1", "stdin": "a\u{0}b", "expected_output": "1", "cpu_time_limit": 2});
        Record::new(request::parse(&body, false).expect("valid"), Progress::Queued)
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
    fn records_round_trip_through_the_store_s_jobs() {
        let mut r = record();
        let queued = Record::from_job(&r.to_job(None, JobState::Queued)).expect("reads back");
        assert_eq!(queued.token, r.token);
        assert_eq!(queued.submission.stdin.as_deref(), Some(&b"a\0b"[..]));
        assert_eq!(queued.submission.limits.cpu_time_limit, 2.0);
        assert_eq!(queued.submission.language.id, 72);
        assert_eq!(queued.status(), Status::IN_QUEUE);
        let outcome = Outcome {
            status: Status::WRONG_ANSWER,
            stdout: "2\n".into(),
            stderr: String::new(),
            exit_code: Some(0),
            exit_signal: None,
            message: None,
            time_ms: Some(12.0),
            memory_kb: Some(2048),
            finished_at: SystemTime::now(),
        };
        r.progress = Progress::Finished(Arc::new(outcome.clone()));
        let done = JobState::Finished {
            outcome: outcome_json(&outcome),
            finished_at_ms: 5,
        };
        let back = Record::from_job(&r.to_job(Some("ada".into()), done)).expect("reads back");
        assert_eq!(back.status(), Status::WRONG_ANSWER);
        match back.progress {
            Progress::Finished(o) => assert_eq!(
                (o.stdout.as_str(), o.exit_code, o.time_ms, o.memory_kb),
                ("2\n", Some(0), Some(12.0), Some(2048))
            ),
            _ => panic!("not finished"),
        }
        let broken = Job {
            request: serde_json::json!({"language_id": 1}),
            ..r.to_job(None, JobState::Queued)
        };
        assert!(Record::from_job(&broken).is_none());
        // An outcome stored before memory was measured reads back without it.
        let mut old = outcome_json(&outcome);
        old.as_object_mut().expect("an object").remove("memory_kb");
        let old = outcome_from_json(&old, 5).expect("reads back");
        assert_eq!((old.time_ms, old.memory_kb), (Some(12.0), None));
    }

    #[test]
    fn the_queue_is_bounded_and_tickets_free_their_place() {
        let queue = Queue::default();
        let three = queue.reserve(3, 4).expect("room for three");
        assert!(queue.reserve(2, 4).is_none());
        let one = queue.reserve(1, 4).expect("room for one");
        drop(three);
        assert_eq!(queue.reserve(3, 4).map(|t| t.len()), Some(3));
        drop(one);
    }
}

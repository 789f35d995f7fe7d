//! Turning harness sessions into a grade report: which tests still need a run, what each
//! record means, and how a session that was stopped (time, memory, stack) is judged.
//!
//! A host runs the harness in a fresh sandbox with [`Grading::next_input`], feeds what came
//! out to [`Grading::absorb`], and repeats until there is nothing left to run: a session
//! stopped during test *i* judges test *i* and the next session resumes at *i + 1*, so one
//! runaway test does not hide the others. Every session decides at least one test or ends
//! the grading, so the loop ends.

use serde_json::Value;

use crate::compare::{CompareMode, values_match};
use crate::language::Language;
use crate::limits::{OUTPUT_CAP_BYTES, SESSION_OUTPUT_BUDGET_BYTES, cap_output};
use crate::problem::{Problem, TestCase};
use crate::protocol::{HarnessInput, HarnessTest, Item, RawJson, Record};
use crate::report::{ErrorInfo, GradeReport, TestDetail, TestReport};
use crate::verdict::Verdict;

/// How a harness session ended, as the host saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEnd {
    /// The program exited by itself with this status.
    Exited(i32),
    /// Stopped at the time limit.
    TimeLimit,
    /// Stopped at the memory limit.
    MemoryLimit,
    /// Stopped by a stack overflow.
    StackOverflow,
    /// Stopped for writing more than [`SESSION_OUTPUT_BUDGET_BYTES`].
    OutputLimit,
    /// Stopped by any other fault of the runtime (a trap), with what the host knows of it.
    Crashed(String),
}

/// What one harness session produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Records and stray output, in the order they arrived.
    pub items: Vec<Item>,
    /// How it ended.
    pub end: SessionEnd,
}

/// The largest returned value a report shows, in bytes of JSON: a larger one is judged,
/// then only its size is kept (`actual_omitted_bytes`).
pub const ACTUAL_SHOWN_BYTES: usize = 64 * 1024;

/// What one grading keeps of returned values in all, in bytes of JSON, so that what a
/// grading holds does not grow with its number of tests (a parsed value takes many times
/// its text in memory).
pub const ACTUAL_KEPT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
struct Outcome {
    verdict: Verdict,
    time_ms: f64,
    actual: Option<Value>,
    actual_omitted: Option<u64>,
    error: Option<ErrorInfo>,
    stdout: String,
    stderr: String,
}

/// A result record waiting for the harness to move on.
#[derive(Debug, Default)]
struct ResultRecord {
    value: Option<RawJson>,
    error: Option<ErrorInfo>,
    stdout: String,
    stderr: String,
    stdout_dropped: u64,
    stderr_dropped: u64,
    time_ms: f64,
}

#[derive(Debug, Default)]
struct InFlight {
    index: usize,
    /// Where the test stands in the order tests run in ([`Grading::order`]).
    pos: usize,
    result: Option<Box<ResultRecord>>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    dropped_out: u64,
    dropped_err: u64,
}

impl InFlight {
    fn stray(&mut self, fd: u8, bytes: &[u8]) {
        let (buf, dropped) = if fd == 2 {
            (&mut self.stderr, &mut self.dropped_err)
        } else {
            (&mut self.stdout, &mut self.dropped_out)
        };
        let room = OUTPUT_CAP_BYTES.saturating_sub(buf.len());
        let take = room.min(bytes.len());
        buf.extend_from_slice(&bytes[..take]);
        *dropped = dropped.saturating_add((bytes.len() - take) as u64);
    }
}

/// The grading of one submission against a list of tests.
#[derive(Debug)]
pub struct Grading {
    problem: String,
    language: Language,
    function: String,
    source: String,
    compare: CompareMode,
    tolerance: f64,
    time_limit_ms: u64,
    memory_limit_mb: u64,
    tests: Vec<TestCase>,
    outcomes: Vec<Option<Outcome>>,
    /// The order tests run in: the public ones, then the hidden ones (each in file order).
    /// A session is sent tests of one kind only, so the arguments of a hidden test are
    /// never inside a sandbox whose output or errors the report shows.
    order: Vec<usize>,
    /// Where in `order` the next session starts.
    next: usize,
    /// Bytes of JSON of the returned values kept so far ([`ACTUAL_KEPT_BYTES`]).
    actual_kept: usize,
    submission: Option<(Verdict, ErrorInfo)>,
}

impl Grading {
    /// A grading of `source` against every test of `problem`.
    pub fn new(problem: &Problem, language: Language, source: &str) -> Self {
        Self::with_tests(problem, language, source, problem.tests.clone())
    }

    /// A grading of `source` against `tests` (a learner's own cases, say) under `problem`'s
    /// entry point, comparison and limits.
    pub fn with_tests(problem: &Problem, language: Language, source: &str, tests: Vec<TestCase>) -> Self {
        Grading {
            problem: problem.id.clone(),
            language,
            function: language.identifier(&problem.meta.function),
            source: source.to_owned(),
            compare: problem.meta.compare,
            tolerance: problem.meta.tolerance,
            time_limit_ms: problem.meta.time_limit_ms,
            memory_limit_mb: problem.meta.memory_limit_mb,
            outcomes: vec![None; tests.len()],
            order: (0..tests.len())
                .filter(|&i| !tests[i].hidden)
                .chain((0..tests.len()).filter(|&i| tests[i].hidden))
                .collect(),
            tests,
            next: 0,
            actual_kept: 0,
            submission: None,
        }
    }

    /// The language graded.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The per-test time limit.
    pub fn time_limit_ms(&self) -> u64 {
        self.time_limit_ms
    }

    /// Where in `order` the session that starts at `self.next` ends: the tests of one kind
    /// (public or hidden) from there on.
    fn session_end(&self) -> usize {
        let Some(&first) = self.order.get(self.next) else {
            return self.next;
        };
        let hidden = self.tests[first].hidden;
        self.order[self.next..]
            .iter()
            .position(|&i| self.tests[i].hidden != hidden)
            .map_or(self.order.len(), |n| self.next + n)
    }

    /// What the next session should be given, or `None` when grading is over.
    pub fn next_input(&self) -> Option<HarnessInput> {
        if self.submission.is_some() || self.next >= self.order.len() {
            return None;
        }
        Some(HarnessInput {
            function: self.function.clone(),
            source: self.source.clone(),
            tests: self.order[self.next..self.session_end()]
                .iter()
                .map(|&index| HarnessTest {
                    index,
                    args: serde_json::to_string(&self.tests[index].args).unwrap_or_else(|_| "[]".into()),
                })
                .collect(),
            output_cap: OUTPUT_CAP_BYTES,
            memory_limit_mb: Some(self.memory_limit_mb),
        })
    }

    /// Takes in what a session produced.
    ///
    /// A test's first `result` is its answer: with it the host ended the test's phase and
    /// released the next test. The test is complete only once the harness moves on (the
    /// next `start`, or `done` after the last test): the user's code can write records too,
    /// but it runs only inside a call, so a session that ends inside a call is judged by how
    /// it ended, whatever the call claimed.
    pub fn absorb(&mut self, session: Session) {
        let session_end = self.session_end();
        // A session of hidden tests that fails to load speaks for those tests only (their
        // report lines carry no message): its top-level code could read their arguments.
        let hidden = self.order.get(self.next).is_some_and(|&i| self.tests[i].hidden);
        let mut loaded = false;
        let mut flight: Option<InFlight> = None;
        let mut load_output = InFlight::default();
        for item in session.items {
            match item {
                Item::Stray { fd, bytes } => match flight.as_mut() {
                    Some(f) => f.stray(fd, &bytes),
                    None => load_output.stray(fd, &bytes),
                },
                Item::Unreadable { reason } => match flight.as_mut() {
                    Some(f) if f.result.is_none() => {
                        f.result = Some(Box::new(ResultRecord {
                            error: Some(ErrorInfo::new("UnreadableResult", reason)),
                            ..ResultRecord::default()
                        }));
                    }
                    Some(f) => f.stray(1, format!("\n[polyrun: {reason}]\n").as_bytes()),
                    None => load_output.stray(1, format!("\n[polyrun: {reason}]\n").as_bytes()),
                },
                Item::Record(record) => match record {
                    Record::Loaded if !loaded => loaded = true,
                    Record::CompileError { error } if !loaded => {
                        let verdict = Verdict::CompileError;
                        self.load_failed(hidden, verdict, error);
                        return;
                    }
                    Record::LoadError { error } if !loaded => {
                        self.load_failed(hidden, Verdict::RuntimeError, error);
                        return;
                    }
                    Record::Start { index } if loaded && self.starts_next(flight.as_ref(), index, session_end) => {
                        let pos = flight.as_ref().map_or(self.next, |f| f.pos + 1);
                        if let Some(done) = flight.take() {
                            self.confirm(done);
                        }
                        flight = Some(InFlight {
                            index,
                            pos,
                            ..InFlight::default()
                        });
                    }
                    Record::Result {
                        index,
                        value,
                        error,
                        stdout,
                        stderr,
                        stdout_dropped,
                        stderr_dropped,
                        time_ms,
                    } if flight.as_ref().is_some_and(|f| f.index == index && f.result.is_none()) => {
                        if let Some(f) = flight.as_mut() {
                            f.result = Some(Box::new(ResultRecord {
                                value,
                                error,
                                stdout,
                                stderr,
                                stdout_dropped,
                                stderr_dropped,
                                time_ms,
                            }));
                        }
                    }
                    Record::Done
                        if flight
                            .as_ref()
                            .is_some_and(|f| f.result.is_some() && f.pos + 1 == session_end) =>
                    {
                        if let Some(done) = flight.take() {
                            self.confirm(done);
                        }
                    }
                    // Out of order or repeated: the user's code wrote it, not the harness.
                    other => {
                        let text = crate::protocol::encode(&other);
                        match flight.as_mut() {
                            Some(f) => f.stray(1, &text),
                            None => load_output.stray(1, &text),
                        }
                    }
                },
            }
        }

        if let Some(f) = flight {
            self.judge_stopped(f, &session.end);
        } else if !loaded {
            let (verdict, mut error) = self_stopped(self.language, &session.end, &load_output.stderr);
            if verdict == Verdict::TimeLimitExceeded {
                error.message = "loading the source took longer than the time limit".into();
            } else if matches!(session.end, SessionEnd::Exited(_)) {
                error = ErrorInfo::new("SystemExit", "the program exited while the source was loading");
            }
            self.load_failed(hidden, verdict, error);
        } else if self.next < session_end {
            // The harness stopped between tests: judge the next test by how the session
            // ended, so that grading moves on.
            let next = InFlight {
                index: self.order[self.next],
                pos: self.next,
                ..InFlight::default()
            };
            self.judge_stopped(next, &session.end);
        }
    }

    /// Judges every test not run yet as `skipped`, with `why`: the host ends the grading
    /// (its time budget ran out, [`crate::clock::grading_budget_ms`]).
    pub fn skip_rest(&mut self, why: &str) {
        for &index in &self.order[self.next.min(self.order.len())..] {
            self.outcomes[index] = Some(Outcome {
                verdict: Verdict::Skipped,
                time_ms: 0.0,
                actual: None,
                actual_omitted: None,
                error: Some(ErrorInfo::new("NotRun", why)),
                stdout: String::new(),
                stderr: String::new(),
            });
        }
        self.next = self.order.len();
    }

    /// The source failed to load: the submission's verdict, or, in a session of hidden
    /// tests (whose arguments the top-level code could read and put in its error), the
    /// verdict of the first of them, which the report shows without its words.
    fn load_failed(&mut self, hidden: bool, verdict: Verdict, error: ErrorInfo) {
        let error = error.bounded();
        let Some(&index) = self.order.get(self.next).filter(|_| hidden) else {
            self.submission = Some((verdict, error));
            return;
        };
        let verdict = match verdict {
            Verdict::CompileError => Verdict::RuntimeError,
            other => other,
        };
        let time_ms = if verdict == Verdict::TimeLimitExceeded {
            self.time_limit_ms as f64
        } else {
            0.0
        };
        self.outcomes[index] = Some(Outcome {
            verdict,
            time_ms,
            actual: None,
            actual_omitted: None,
            error: Some(error),
            stdout: String::new(),
            stderr: String::new(),
        });
        self.next += 1;
    }

    /// Whether a `start` for `index` is the harness moving on to the next test.
    fn starts_next(&self, flight: Option<&InFlight>, index: usize, session_end: usize) -> bool {
        match flight {
            None => self.order.get(self.next) == Some(&index),
            Some(f) => f.result.is_some() && f.pos + 1 < session_end && self.order.get(f.pos + 1) == Some(&index),
        }
    }

    /// Completes a test with its (first) result record.
    fn confirm(&mut self, f: InFlight) {
        let Some(r) = f.result else {
            return;
        };
        let stdout = join_output(r.stdout, r.stdout_dropped, f.stdout, f.dropped_out);
        let stderr = join_output(r.stderr, r.stderr_dropped, f.stderr, f.dropped_err);
        let outcome = self.judge(f.index, r.value, r.error, r.time_ms, stdout, stderr);
        self.outcomes[f.index] = Some(outcome);
        self.next = f.pos + 1;
    }

    /// Judges the test in flight when its session ended before the harness moved on.
    fn judge_stopped(&mut self, f: InFlight, end: &SessionEnd) {
        let (verdict, mut error) = self_stopped(self.language, end, &f.stderr);
        // A harness that reported an error and then ended (a JavaScript promise that never
        // settles ends the event loop) keeps its error's words; a claimed value does not
        // count, since the call never returned to the harness.
        if let (SessionEnd::Exited(_), Some(r)) = (end, &f.result)
            && let Some(reported) = &r.error
        {
            error = reported.clone();
        }
        let time_ms = if verdict == Verdict::TimeLimitExceeded {
            self.time_limit_ms as f64
        } else {
            0.0
        };
        self.outcomes[f.index] = Some(Outcome {
            verdict,
            time_ms,
            actual: None,
            actual_omitted: None,
            error: Some(error.bounded()),
            stdout: cap_output(String::from_utf8_lossy(&f.stdout).into_owned(), f.dropped_out),
            stderr: cap_output(String::from_utf8_lossy(&f.stderr).into_owned(), f.dropped_err),
        });
        self.next = f.pos + 1;
    }

    fn judge(
        &mut self,
        index: usize,
        value: Option<RawJson>,
        error: Option<ErrorInfo>,
        time_ms: f64,
        stdout: String,
        stderr: String,
    ) -> Outcome {
        let mut error = error.map(ErrorInfo::bounded);
        let mut text_bytes = 0;
        let value = match (&error, value) {
            (None, Some(raw)) => match raw.parse() {
                Ok(value) => {
                    text_bytes = raw.text().len();
                    Some(value)
                }
                Err(e) => {
                    let message = format!("the returned value could not be read: {e}");
                    error = Some(ErrorInfo::new("UnreadableResult", message));
                    None
                }
            },
            _ => None,
        };
        let (verdict, actual) = match (error.as_ref(), value) {
            (Some(e), _) if is_out_of_memory(e) => (Verdict::MemoryLimitExceeded, None),
            (Some(_), _) => (Verdict::RuntimeError, None),
            (None, value) => {
                let actual = value.unwrap_or(Value::Null);
                let verdict = match &self.tests[index].expected {
                    None => Verdict::Accepted,
                    Some(expected) if values_match(expected, &actual, self.compare, self.tolerance) => {
                        Verdict::Accepted
                    }
                    Some(_) => Verdict::WrongAnswer,
                };
                (verdict, Some(actual))
            }
        };
        // Judged; what is kept for the report is bounded, whatever the number of tests.
        let (actual, actual_omitted) = match actual {
            Some(_) if text_bytes > ACTUAL_SHOWN_BYTES || self.actual_kept + text_bytes > ACTUAL_KEPT_BYTES => {
                (None, Some(text_bytes as u64))
            }
            actual => {
                self.actual_kept += text_bytes;
                (actual, None)
            }
        };
        // The harness measured the call; a test that ran past the limit was stopped, so a
        // time outside 0..=limit (which the user's code can forge) is not one.
        let time_ms = if time_ms.is_finite() {
            time_ms.clamp(0.0, self.time_limit_ms as f64)
        } else {
            0.0
        };
        Outcome {
            verdict,
            time_ms,
            actual,
            actual_omitted,
            error,
            stdout,
            stderr,
        }
    }

    /// The report, with `time_ms` the wall time the host measured. Hidden tests keep their
    /// details here; call [`GradeReport::redact_hidden`] before it leaves the grader.
    pub fn report(&self, time_ms: f64) -> GradeReport {
        let tests: Vec<TestReport> = self
            .tests
            .iter()
            .enumerate()
            .map(|(index, test)| {
                let outcome = self.outcomes[index].clone();
                let (verdict, time_ms) = outcome
                    .as_ref()
                    .map_or((Verdict::Skipped, 0.0), |o| (o.verdict, o.time_ms));
                let o = outcome.unwrap_or(Outcome {
                    verdict,
                    time_ms,
                    actual: None,
                    actual_omitted: None,
                    error: None,
                    stdout: String::new(),
                    stderr: String::new(),
                });
                TestReport {
                    index,
                    hidden: test.hidden,
                    verdict,
                    time_ms: (time_ms * 1000.0).round() / 1000.0,
                    detail: Some(TestDetail {
                        name: test.name.clone(),
                        args: test.args.clone(),
                        expected: test.expected.clone(),
                        actual: o.actual,
                        actual_omitted_bytes: o.actual_omitted,
                        stdout: o.stdout,
                        stderr: o.stderr,
                        error: o.error,
                    }),
                }
            })
            .collect();
        let verdict = match &self.submission {
            Some((verdict, _)) => *verdict,
            None => tests
                .iter()
                .map(|t| t.verdict)
                .find(|v| *v != Verdict::Accepted)
                .unwrap_or(Verdict::Accepted),
        };
        GradeReport {
            problem: self.problem.clone(),
            language: self.language,
            verdict,
            passed: tests.iter().filter(|t| t.verdict == Verdict::Accepted).count(),
            total: tests.len(),
            time_ms: (time_ms * 10.0).round() / 10.0,
            error: self.submission.as_ref().map(|(_, e)| e.clone()),
            tests,
            memory_kb: None,
        }
    }
}

/// Whether an error the harness caught is the runtime running out of memory (an
/// allocation too large for the sandbox fails before the limiter sees it).
fn is_out_of_memory(error: &ErrorInfo) -> bool {
    match error.kind.as_str() {
        "MemoryError" | "NoMemoryError" => true,
        "InternalError" | "RangeError" => {
            let m = error.message.to_ascii_lowercase();
            m.contains("out of memory") || m.contains("allocation failed")
        }
        _ => false,
    }
}

fn self_stopped(language: Language, end: &SessionEnd, stderr: &[u8]) -> (Verdict, ErrorInfo) {
    match end {
        SessionEnd::TimeLimit => (
            Verdict::TimeLimitExceeded,
            ErrorInfo::new("TimeLimitExceeded", "the test ran longer than the time limit"),
        ),
        SessionEnd::MemoryLimit => (
            Verdict::MemoryLimitExceeded,
            ErrorInfo::new("MemoryLimitExceeded", "the test used more memory than the limit"),
        ),
        SessionEnd::StackOverflow => {
            let (kind, message) = language.stack_overflow_error();
            (Verdict::RuntimeError, ErrorInfo::new(kind, message))
        }
        SessionEnd::Exited(code) => (
            Verdict::RuntimeError,
            ErrorInfo::new(
                "SystemExit",
                format!("the program exited with status {code} during the test"),
            ),
        ),
        SessionEnd::OutputLimit => (
            Verdict::RuntimeError,
            ErrorInfo::new(
                "OutputLimitExceeded",
                format!(
                    "the program wrote more than {} MiB of output",
                    SESSION_OUTPUT_BUDGET_BYTES >> 20
                ),
            ),
        ),
        SessionEnd::Crashed(what) => {
            let tail = last_line(stderr);
            let message = if tail.is_empty() {
                what.clone()
            } else {
                format!("{what}: {tail}")
            };
            (Verdict::RuntimeError, ErrorInfo::new("RuntimeError", message))
        }
    }
}

fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

fn join_output(harness: String, harness_dropped: u64, stray: Vec<u8>, stray_dropped: u64) -> String {
    let mut text = harness;
    text.push_str(&String::from_utf8_lossy(&stray));
    cap_output(text, harness_dropped.saturating_add(stray_dropped))
}

/// What a host keeps of a running session: stdout split into records and stray bytes,
/// stray bytes kept up to a bound, every byte charged to the session's output budget, and
/// whether the harness made progress (the host starts the next phase of its clock on it,
/// and hands over the next test's line: [`SessionLog::released`]).
///
/// The host trusts only what the harness it started can say next: the source being loaded
/// once, then for each test it was sent, in order, `start` and the test's **first**
/// `result`. A phase ends with that result: the next test's line is released and its clock
/// starts then, so no code runs with a test's arguments before its phase, and a phase never
/// lasts longer than the limit. Records the user's code forges (it can write on the real
/// stdout) can therefore claim at most the progress the harness would have made, so a
/// session always ends within loading + tests × limit ([`crate::clock::PhaseClock`]), and
/// a value claimed for a test is one the code computed within that test's limit.
#[derive(Debug, Default)]
pub struct SessionLog {
    parser: crate::protocol::StreamParser,
    items: Vec<Item>,
    stray_kept: usize,
    written: usize,
    over_budget: bool,
    steps: Steps,
}

/// What the host makes of a record.
enum Trust {
    /// The harness's next step; `progress` when it starts a phase.
    Step { progress: bool },
    /// The result of the test in flight: its phase ends, the next one starts.
    Result,
    /// Not what the harness could write now: the user's code wrote it.
    Forged,
}

/// Where the harness is, as far as the host trusts it.
#[derive(Debug, Default)]
struct Steps {
    loaded: bool,
    /// The test indexes the host sent, in order.
    tests: Vec<usize>,
    /// How many of them have started.
    started: usize,
    /// How many of them have their (first) result.
    answered: usize,
    /// The harness said its last word (`done`, or the source failed to load).
    done: bool,
}

impl Steps {
    /// What `record` is, given where the harness is; moves on if it is the next step.
    fn trust(&mut self, record: &Record) -> Trust {
        match record {
            Record::Loaded if !self.loaded && !self.done => {
                self.loaded = true;
                Trust::Step { progress: true }
            }
            Record::CompileError { .. } | Record::LoadError { .. } if !self.loaded && !self.done => {
                self.done = true;
                Trust::Step { progress: false }
            }
            Record::Start { index }
                if self.loaded
                    && !self.done
                    && self.started == self.answered
                    && self.tests.get(self.started) == Some(index) =>
            {
                self.started += 1;
                Trust::Step { progress: false }
            }
            Record::Result { index, .. } if self.in_flight() && self.tests.get(self.answered) == Some(index) => {
                self.answered += 1;
                Trust::Result
            }
            Record::Done if !self.done && self.answered == self.tests.len() && self.started == self.answered => {
                self.done = true;
                Trust::Step { progress: false }
            }
            _ => Trust::Forged,
        }
    }

    /// Whether a test has started and has no result yet.
    fn in_flight(&self) -> bool {
        !self.done && self.started == self.answered + 1
    }

    /// A record that could not be read arrived: whether a test is in flight, for which it
    /// then counts as the result.
    fn unreadable(&mut self) -> bool {
        if !self.in_flight() {
            return false;
        }
        self.answered += 1;
        true
    }
}

/// What a write told the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogEvent {
    /// Nothing that changes the session's clock.
    Nothing,
    /// The harness moved on (the source loaded, the test in flight answered): a new phase,
    /// and the next test's line is due ([`SessionLog::released`]).
    Progress,
    /// The session wrote more than [`SESSION_OUTPUT_BUDGET_BYTES`]: stop it
    /// ([`SessionEnd::OutputLimit`]). Nothing more is kept.
    OverBudget,
}

/// How much stray output one session keeps in all (each test keeps at most the cap).
const SESSION_STRAY_BUDGET: usize = 8 * OUTPUT_CAP_BYTES;

impl SessionLog {
    /// A log for a session that was given `input`.
    pub fn new(input: &HarnessInput) -> Self {
        SessionLog {
            steps: Steps {
                tests: input.tests.iter().map(|t| t.index).collect(),
                ..Steps::default()
            },
            ..Self::default()
        }
    }

    /// How many tests the session was sent.
    pub fn tests(&self) -> usize {
        self.steps.tests.len()
    }

    /// Charges `n` bytes to the budget; false once it is spent.
    fn charge(&mut self, n: usize) -> bool {
        if self.over_budget {
            return false;
        }
        self.written = self.written.saturating_add(n);
        if self.written > SESSION_OUTPUT_BUDGET_BYTES {
            self.over_budget = true;
            return false;
        }
        true
    }

    /// Bytes written on fd 1. Records the harness could not have written next are kept as
    /// stray output (within the stray bound), a test's results after its first among them.
    pub fn stdout(&mut self, bytes: &[u8]) -> LogEvent {
        if !self.charge(bytes.len()) {
            return LogEvent::OverBudget;
        }
        let mut fresh = Vec::new();
        self.parser.push(bytes, &mut fresh);
        let mut progress = false;
        for item in fresh {
            match item {
                Item::Record(record) => match self.steps.trust(&record) {
                    Trust::Step { progress: moved } => {
                        progress |= moved;
                        self.items.push(Item::Record(record));
                    }
                    Trust::Result => {
                        progress = true;
                        self.items.push(Item::Record(record));
                    }
                    Trust::Forged => self.keep_stray(1, &crate::protocol::encode(&record)),
                },
                Item::Stray { fd, bytes } => self.keep_stray(fd, &bytes),
                // A record that could not be read stands for the result of the test in
                // flight; once it has one, for nothing.
                Item::Unreadable { reason } => {
                    if self.steps.unreadable() {
                        progress = true;
                        self.items.push(Item::Unreadable { reason });
                    }
                }
            }
        }
        if progress {
            LogEvent::Progress
        } else {
            LogEvent::Nothing
        }
    }

    /// How many of the tests the session was sent the host should have handed over by now:
    /// none before the source loaded, then one more each time the test in flight answers.
    /// The grader keeps each test's line (`HarnessInput::test_lines`) until it is released.
    pub fn released(&self) -> usize {
        let steps = &self.steps;
        if !steps.loaded {
            return 0;
        }
        (steps.answered + 1).min(steps.tests.len())
    }

    /// Keeps stray bytes up to the session's bound.
    fn keep_stray(&mut self, fd: u8, bytes: &[u8]) {
        let room = SESSION_STRAY_BUDGET.saturating_sub(self.stray_kept);
        let take = room.min(bytes.len());
        self.stray_kept += take;
        if take > 0 {
            crate::protocol::push_stray(&mut self.items, fd, &bytes[..take]);
        }
    }

    /// Bytes written on fd 2 (charged to the budget, kept up to the session's bound).
    pub fn stderr(&mut self, bytes: &[u8]) -> LogEvent {
        if !self.charge(bytes.len()) {
            return LogEvent::OverBudget;
        }
        self.keep_stray(2, bytes);
        LogEvent::Nothing
    }

    /// Ends the log and returns the session.
    pub fn finish(mut self, end: SessionEnd) -> Session {
        self.parser.finish(&mut self.items);
        Session { items: self.items, end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{parse_meta, parse_tests};
    use crate::protocol::encode;
    use serde_json::json;

    fn problem() -> Problem {
        let meta = parse_meta(
            "double",
            "title = \"Double\"\ndifficulty = \"easy\"\nfunction = \"double\"\nparams = [\"n\"]\n",
        )
        .unwrap();
        let tests = parse_tests(
            "double",
            r#"[{"args": [1], "expected": 2}, {"args": [2], "expected": 4}, {"args": [3], "expected": 6, "hidden": true}]"#,
            &meta.params,
        )
        .unwrap();
        Problem {
            id: "double".into(),
            meta,
            statement: String::new(),
            tests,
            solutions: Default::default(),
        }
    }

    fn result(index: usize, value: i64) -> Record {
        Record::returned(index, &json!(value), 0.1)
    }

    fn input(indexes: &[usize]) -> HarnessInput {
        HarnessInput {
            function: "double".into(),
            source: String::new(),
            tests: indexes
                .iter()
                .map(|&index| HarnessTest {
                    index,
                    args: "[1]".into(),
                })
                .collect(),
            output_cap: OUTPUT_CAP_BYTES,
            memory_limit_mb: None,
        }
    }

    /// A first session: the problem's public tests.
    fn session(records: &[Record], end: SessionEnd) -> Session {
        session_of(&[0, 1], records, end)
    }

    /// A session that was sent the tests `indexes`.
    fn session_of(indexes: &[usize], records: &[Record], end: SessionEnd) -> Session {
        let mut log = SessionLog::new(&input(indexes));
        for r in records {
            log.stdout(&encode(r));
        }
        log.finish(end)
    }

    fn verdicts(g: &Grading) -> Vec<Verdict> {
        g.report(1.0).tests.iter().map(|t| t.verdict).collect()
    }

    #[test]
    fn clean_sessions_judge_every_test_public_ones_first() {
        let mut g = Grading::new(&problem(), Language::Python, "src");
        let input = g.next_input().unwrap();
        assert_eq!(input.tests.iter().map(|t| t.index).collect::<Vec<_>>(), [0, 1]);
        g.absorb(session(
            &[
                Record::Loaded,
                Record::Start { index: 0 },
                result(0, 2),
                Record::Start { index: 1 },
                result(1, 5),
                Record::Done,
            ],
            SessionEnd::Exited(0),
        ));
        // The hidden test runs in a session of its own: its arguments are never in a
        // sandbox whose output the report shows.
        let input = g.next_input().unwrap();
        assert_eq!(input.tests.len(), 1);
        assert_eq!((input.tests[0].index, input.tests[0].args.as_str()), (2, "[3]"));
        g.absorb(session_of(
            &[2],
            &[Record::Loaded, Record::Start { index: 2 }, result(2, 6), Record::Done],
            SessionEnd::Exited(0),
        ));
        assert!(g.next_input().is_none());
        assert_eq!(
            verdicts(&g),
            [Verdict::Accepted, Verdict::WrongAnswer, Verdict::Accepted]
        );
        assert_eq!(g.report(1.0).verdict, Verdict::WrongAnswer);
        assert_eq!(g.report(1.0).passed, 2);
    }

    #[test]
    fn hidden_tests_before_public_ones_run_after_them() {
        let mut p = problem();
        p.tests[0].hidden = true;
        p.tests[2].hidden = false;
        let mut g = Grading::new(&p, Language::Ruby, "src");
        let sent = |g: &Grading| {
            g.next_input()
                .unwrap()
                .tests
                .iter()
                .map(|t| t.index)
                .collect::<Vec<_>>()
        };
        assert_eq!(sent(&g), [1, 2]);
        g.absorb(session_of(
            &[1, 2],
            &[
                Record::Loaded,
                Record::Start { index: 1 },
                result(1, 4),
                // Not the next step: test 0 was not sent.
                Record::Start { index: 0 },
                Record::Start { index: 2 },
                result(2, 6),
                Record::Done,
            ],
            SessionEnd::Exited(0),
        ));
        assert_eq!(sent(&g), [0]);
        g.absorb(session_of(
            &[0],
            &[Record::Loaded, Record::Start { index: 0 }, result(0, 1), Record::Done],
            SessionEnd::Exited(0),
        ));
        assert!(g.next_input().is_none());
        assert_eq!(
            verdicts(&g),
            [Verdict::WrongAnswer, Verdict::Accepted, Verdict::Accepted]
        );
        // The verdict is the first test in file order that is not accepted.
        assert_eq!(g.report(1.0).verdict, Verdict::WrongAnswer);
    }

    #[test]
    fn a_session_of_hidden_tests_that_fails_to_load_speaks_for_its_test_only() {
        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(
            &[
                Record::Loaded,
                Record::Start { index: 0 },
                result(0, 2),
                Record::Start { index: 1 },
                result(1, 4),
                Record::Done,
            ],
            SessionEnd::Exited(0),
        ));
        // The top-level code read the hidden arguments and raised them.
        let leak = ErrorInfo::new("Exception", "the hidden test's arguments: [3]");
        g.absorb(session_of(
            &[2],
            &[Record::LoadError { error: leak }],
            SessionEnd::Exited(0),
        ));
        assert!(g.next_input().is_none());
        let mut report = g.report(1.0);
        assert_eq!(report.verdict, Verdict::RuntimeError);
        assert_eq!(report.error, None, "no submission-level error carries the words");
        report.redact_hidden();
        let text = serde_json::to_string(&report).unwrap();
        assert!(!text.contains("hidden test's arguments"), "{text}");
    }

    #[test]
    fn a_stopped_test_is_judged_and_the_next_session_resumes_after_it() {
        let mut g = Grading::new(&problem(), Language::Ruby, "src");
        g.absorb(session(
            &[
                Record::Loaded,
                Record::Start { index: 0 },
                result(0, 2),
                Record::Start { index: 1 },
            ],
            SessionEnd::TimeLimit,
        ));
        let input = g.next_input().unwrap();
        assert_eq!(input.tests.iter().map(|t| t.index).collect::<Vec<_>>(), [2]);
        g.absorb(session_of(
            &[2],
            &[Record::Loaded, Record::Start { index: 2 }, result(2, 6), Record::Done],
            SessionEnd::Exited(0),
        ));
        assert!(g.next_input().is_none());
        assert_eq!(
            verdicts(&g),
            [Verdict::Accepted, Verdict::TimeLimitExceeded, Verdict::Accepted]
        );
        assert_eq!(g.report(1.0).verdict, Verdict::TimeLimitExceeded);
    }

    #[test]
    fn forged_records_cannot_beat_the_harness() {
        // A test's first result is its answer: a later claim (the user's code writing a
        // record after the call answered) is the test's output, not a second chance.
        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(
            &[
                Record::Loaded,
                Record::Start { index: 0 },
                result(0, 102),
                result(0, 2),
                Record::Start { index: 1 },
                result(1, 4),
                Record::Done,
            ],
            SessionEnd::Exited(0),
        ));
        assert_eq!(verdicts(&g)[..2], [Verdict::WrongAnswer, Verdict::Accepted]);
        let detail = g.report(1.0).tests[0].detail.clone().unwrap();
        assert_eq!(detail.actual, Some(json!(102)));
        assert!(detail.stdout.contains("\"value\":2"), "{}", detail.stdout);

        // It claims a value and `done`, then exits inside the call: judged by how the
        // session ended, since the call never returned to the harness.
        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(
            &[Record::Loaded, Record::Start { index: 0 }, result(0, 2), Record::Done],
            SessionEnd::Exited(0),
        ));
        assert_eq!(verdicts(&g)[0], Verdict::RuntimeError);
        assert!(g.next_input().is_some(), "the other tests still run");
    }

    #[test]
    fn load_failures_are_the_submissions_verdict() {
        let mut g = Grading::new(&problem(), Language::Javascript, "src");
        g.absorb(session(
            &[Record::CompileError {
                error: ErrorInfo {
                    kind: "SyntaxError".into(),
                    message: "unexpected token".into(),
                    line: Some(3),
                },
            }],
            SessionEnd::Exited(0),
        ));
        assert!(g.next_input().is_none());
        let report = g.report(1.0);
        assert_eq!(report.verdict, Verdict::CompileError);
        assert_eq!(report.error.unwrap().line, Some(3));
        assert!(report.tests.iter().all(|t| t.verdict == Verdict::Skipped));

        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(&[], SessionEnd::TimeLimit));
        assert_eq!(g.report(1.0).verdict, Verdict::TimeLimitExceeded);
    }

    /// What a first session's log makes of raw harness output.
    fn raw_session(stdout: &[u8], end: SessionEnd) -> Session {
        let mut log = SessionLog::new(&input(&[0, 1]));
        log.stdout(stdout);
        log.finish(end)
    }

    #[test]
    fn a_result_the_host_cannot_read_is_an_error_of_its_test_and_the_session_goes_on() {
        let mut out = encode(&Record::Loaded);
        out.extend(encode(&Record::Start { index: 0 }));
        // Nested past serde_json's 128 levels: well-formed, but not a value the host reads.
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        out.extend(format!("\x1e{{\"event\":\"result\",\"index\":0,\"value\":{deep}}}\n").as_bytes());
        out.extend(encode(&Record::Start { index: 1 }));
        // Over the record limit: dropped, and said so.
        out.push(crate::protocol::RECORD_START);
        out.extend(b"{\"event\":\"result\",\"index\":1,\"value\":\"");
        out.extend(std::iter::repeat_n(b'x', crate::protocol::MAX_RECORD_BYTES));
        out.extend(b"\"}\n");
        out.extend(encode(&Record::Done));
        let mut g = Grading::new(&problem(), Language::Javascript, "src");
        g.absorb(raw_session(&out, SessionEnd::Exited(0)));
        let report = g.report(1.0);
        let errors: Vec<_> = report.tests[..2]
            .iter()
            .map(|t| t.detail.as_ref().unwrap().error.clone().unwrap())
            .collect();
        assert_eq!(verdicts(&g)[..2], [Verdict::RuntimeError, Verdict::RuntimeError]);
        assert_eq!(errors[0].kind, "UnreadableResult");
        assert!(errors[0].message.contains("recursion limit"), "{}", errors[0].message);
        assert!(errors[1].message.contains("over 2 MiB"), "{}", errors[1].message);
        // Both tests were judged in this one session: the harness's `start 1` and `done`
        // were trusted after the unreadable result.
        assert_eq!(g.next_input().unwrap().tests[0].index, 2);
    }

    #[test]
    fn half_a_surrogate_pair_in_a_record_reads_as_a_replacement_character() {
        let mut out = encode(&Record::Loaded);
        out.extend(encode(&Record::Start { index: 0 }));
        out.extend(
            "\x1e{\"event\":\"result\",\"index\":0,\"value\":2,\"stdout\":\"half \\ud83d, whole \\ud83d\\ude00, \\\\ud83d\"}\n"
                .as_bytes(),
        );
        out.extend(encode(&Record::Start { index: 1 }));
        out.extend(encode(&result(1, 4)));
        out.extend(encode(&Record::Done));
        let mut g = Grading::new(&problem(), Language::Javascript, "src");
        g.absorb(raw_session(&out, SessionEnd::Exited(0)));
        assert_eq!(verdicts(&g)[..2], [Verdict::Accepted, Verdict::Accepted]);
        let report = g.report(1.0);
        let stdout = &report.tests[0].detail.as_ref().unwrap().stdout;
        assert_eq!(stdout, "half \u{fffd}, whole \u{1f600}, \\ud83d");
    }

    #[test]
    fn large_returned_values_are_judged_but_not_kept() {
        let big = |n: usize| Record::returned(0, &json!(vec![0; n]), 1.0);
        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(
            &[Record::Loaded, Record::Start { index: 0 }, big(40_000)],
            SessionEnd::Exited(0),
        ));
        let report = g.report(1.0);
        let detail = report.tests[0].detail.as_ref().unwrap();
        assert_eq!(
            report.tests[0].verdict,
            Verdict::RuntimeError,
            "the session exited in the call"
        );
        assert_eq!(detail.actual_omitted_bytes, None);

        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(
            &[
                Record::Loaded,
                Record::Start { index: 0 },
                big(40_000),
                Record::Start { index: 1 },
                result(1, 4),
                Record::Done,
            ],
            SessionEnd::Exited(0),
        ));
        let report = g.report(1.0);
        let detail = report.tests[0].detail.as_ref().unwrap();
        assert_eq!(
            report.tests[0].verdict,
            Verdict::WrongAnswer,
            "judged on the whole value"
        );
        assert_eq!(
            (detail.actual.as_ref(), detail.actual_omitted_bytes),
            (None, Some(80_001))
        );
        assert_eq!(report.tests[1].detail.as_ref().unwrap().actual, Some(json!(4)));
    }

    #[test]
    fn forged_times_and_counts_stay_in_range() {
        let forged = Record::Result {
            index: 0,
            value: Some(RawJson::from_value(&json!(2))),
            error: None,
            stdout: "x".repeat(OUTPUT_CAP_BYTES + 10),
            stderr: String::new(),
            stdout_dropped: u64::MAX,
            stderr_dropped: 0,
            time_ms: 1e308,
        };
        let mut out = encode(&Record::Loaded);
        out.extend(encode(&Record::Start { index: 0 }));
        out.extend(b"stray");
        out.extend(encode(&forged));
        out.extend(encode(&Record::Start { index: 1 }));
        let mut negative = result(1, 4);
        if let Record::Result { time_ms, .. } = &mut negative {
            *time_ms = -5.0;
        }
        out.extend(encode(&negative));
        out.extend(encode(&Record::Done));
        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(raw_session(&out, SessionEnd::Exited(0)));
        let report = g.report(1.0);
        assert_eq!(report.tests[0].time_ms, 2000.0, "at most the limit");
        assert_eq!(report.tests[1].time_ms, 0.0);
        let stdout = &report.tests[0].detail.as_ref().unwrap().stdout;
        assert!(
            stdout.ends_with(&format!("[output truncated: {} more bytes not shown]\n", u64::MAX)),
            "{stdout}"
        );
        assert!(serde_json::to_value(&report).unwrap()["tests"][0]["time_ms"].is_number());
    }

    #[test]
    fn tests_left_when_the_host_ends_the_grading_are_skipped_with_the_reason() {
        let mut g = Grading::new(&problem(), Language::Python, "src");
        g.absorb(session(
            &[Record::Loaded, Record::Start { index: 0 }],
            SessionEnd::TimeLimit,
        ));
        g.skip_rest("the grading ran out of time");
        assert!(g.next_input().is_none());
        let report = g.report(1.0);
        assert_eq!(
            verdicts(&g),
            [Verdict::TimeLimitExceeded, Verdict::Skipped, Verdict::Skipped]
        );
        assert_eq!(report.verdict, Verdict::TimeLimitExceeded);
        let why = report.tests[1].detail.as_ref().unwrap().error.as_ref().unwrap();
        assert_eq!(why.message, "the grading ran out of time");
    }

    #[test]
    fn running_out_of_memory_inside_the_runtime_is_a_memory_verdict() {
        let mut g = Grading::new(&problem(), Language::Python, "src");
        let oom = Record::Result {
            index: 0,
            value: None,
            error: Some(ErrorInfo::new("MemoryError", "")),
            stdout: String::new(),
            stderr: String::new(),
            stdout_dropped: 0,
            stderr_dropped: 0,
            time_ms: 1.0,
        };
        g.absorb(session(
            &[
                Record::Loaded,
                Record::Start { index: 0 },
                oom,
                Record::Start { index: 1 },
            ],
            SessionEnd::MemoryLimit,
        ));
        assert_eq!(
            verdicts(&g)[..2],
            [Verdict::MemoryLimitExceeded, Verdict::MemoryLimitExceeded]
        );
    }

    #[test]
    fn progress_is_the_source_loaded_then_each_tests_first_result() {
        let mut log = SessionLog::new(&input(&[1, 2]));
        assert_eq!(log.released(), 0, "no test's arguments before the source loaded");
        assert_eq!(
            log.stdout(&encode(&Record::Start { index: 1 })),
            LogEvent::Nothing,
            "not loaded yet"
        );
        assert_eq!(log.stdout(&encode(&Record::Loaded)), LogEvent::Progress);
        assert_eq!(log.released(), 1);
        assert_eq!(log.stdout(&encode(&Record::Loaded)), LogEvent::Nothing, "loaded once");
        for index in [0, 2] {
            assert_eq!(log.stdout(&encode(&Record::Start { index })), LogEvent::Nothing);
        }
        assert_eq!(log.stdout(&encode(&result(1, 2))), LogEvent::Nothing, "not started");
        // A start is a step, not a phase: test 1's phase began when its line was released,
        // so a forged start cannot restart the clock.
        assert_eq!(log.stdout(&encode(&Record::Start { index: 1 })), LogEvent::Nothing);
        for index in [1, 2, 3, 99] {
            assert_eq!(log.stdout(&encode(&Record::Start { index })), LogEvent::Nothing);
        }
        assert_eq!(log.stdout(&encode(&result(2, 0))), LogEvent::Nothing, "not in flight");
        assert_eq!(log.released(), 1, "nothing moved");
        // A record split across writes counts once it is whole.
        let answer = encode(&result(1, 2));
        assert_eq!(log.stdout(&answer[..4]), LogEvent::Nothing);
        assert_eq!(log.stdout(&answer[4..]), LogEvent::Progress);
        assert_eq!(log.released(), 2);
        assert_eq!(log.stdout(&answer), LogEvent::Nothing, "only the first result counts");
        assert_eq!(log.stdout(&encode(&Record::Start { index: 2 })), LogEvent::Nothing);
        assert_eq!(
            log.stdout(&encode(&result(2, 4))),
            LogEvent::Progress,
            "the phase for `done`"
        );
        assert_eq!(log.released(), 2, "every test was released");
        // Every test has answered: nothing more is progress.
        assert_eq!(log.stdout(&encode(&result(2, 4))), LogEvent::Nothing);
        assert_eq!(log.stdout(&encode(&Record::Start { index: 3 })), LogEvent::Nothing);
        assert_eq!(log.stdout(&encode(&Record::Done)), LogEvent::Nothing);
        let session = log.finish(SessionEnd::Exited(0));
        let results = session
            .items
            .iter()
            .filter(|i| matches!(i, Item::Record(Record::Result { .. })))
            .count();
        assert_eq!(results, 2, "one result per test is kept as a record");
    }

    #[test]
    fn a_failed_load_releases_no_test() {
        let mut log = SessionLog::new(&input(&[0, 1]));
        let error = ErrorInfo::new("SyntaxError", "bad");
        log.stdout(&encode(&Record::CompileError { error }));
        assert_eq!(log.released(), 0);
        assert_eq!(log.stdout(&encode(&Record::Loaded)), LogEvent::Nothing);
        assert_eq!(log.released(), 0);
    }

    #[test]
    fn every_byte_is_charged_to_the_session_budget() {
        let mut log = SessionLog::new(&input(&[0]));
        let record = encode(&Record::Start { index: 0 });
        let mut sent = 0;
        let mut event = LogEvent::Nothing;
        while sent <= SESSION_OUTPUT_BUDGET_BYTES {
            event = log.stdout(&record);
            sent += record.len();
            if event == LogEvent::OverBudget {
                break;
            }
        }
        assert_eq!(event, LogEvent::OverBudget);
        assert!(sent > SESSION_OUTPUT_BUDGET_BYTES && sent <= SESSION_OUTPUT_BUDGET_BYTES + record.len());
        assert_eq!(log.stderr(b"x"), LogEvent::OverBudget, "stderr shares the budget");
        assert!(log.items.len() <= SESSION_OUTPUT_BUDGET_BYTES / record.len() + 1);

        let mut g = Grading::new(&problem(), Language::Python, "src");
        let mut log = SessionLog::new(&g.next_input().unwrap());
        log.stdout(&encode(&Record::Loaded));
        log.stdout(&encode(&Record::Start { index: 0 }));
        assert_eq!(
            log.stderr(&vec![b'x'; SESSION_OUTPUT_BUDGET_BYTES + 1]),
            LogEvent::OverBudget
        );
        g.absorb(log.finish(SessionEnd::OutputLimit));
        let report = g.report(1.0);
        assert_eq!(report.tests[0].verdict, Verdict::RuntimeError);
        let error = report.tests[0].detail.as_ref().and_then(|d| d.error.clone()).unwrap();
        assert_eq!(error.kind, "OutputLimitExceeded");
        assert!(g.next_input().is_some(), "the other tests still run");
    }
}

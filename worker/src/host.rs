//! [`SandboxHost`] in the browser: runtimes loaded on demand, a pool of single-use sandbox
//! workers per language (one ready, and as many pre-warmed spares as its start-up needs),
//! and harness sessions fed into [`SessionLog`] under the grader's phase clock; whole
//! programs (the playground) collected into core's [`RunOutput`] under one phase of the
//! time limit.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use polyrun_core::Language;
use polyrun_core::clock::PhaseClock;
use polyrun_core::grading::{LogEvent, Session, SessionEnd, SessionLog};
use polyrun_core::harness;
use polyrun_core::limits::RUN_OUTPUT_CAP_BYTES;
use polyrun_core::protocol::HarnessInput;
use polyrun_core::report::RunReport;
use polyrun_core::run::{RunEnd, RunOutput};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::download::{self, Files};
use crate::frame::{Event, Frame, SnapshotEvent};
use crate::persist;
use crate::{RuntimeState, SandboxError};

/// A worker that fails to start this many times in a row puts its runtime in error.
const MAX_START_FAILURES: u32 = 3;

/// How long a session runs before its replacement worker starts anyway (ms).
const REPLACE_AFTER_MS: i32 = 100;

/// A worker not ready this long after it was started is given up as failed (a runtime that
/// hangs while starting, say on a damaged snapshot, would otherwise stall every run).
const START_LIMIT_MS: i32 = 90_000;

/// The shortest pause a user takes between a result and the next Run: spares are kept so
/// that a replacement worker has this long per spare to start (ms).
const RERUN_PAUSE_MS: f64 = 1_000.0;

/// At most this many spares per language (each holds a runtime's memory).
const MAX_SPARES: usize = 3;

/// Milliseconds of `performance.now()`.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Whether a language's runtime has files to download (JavaScript runs on the browser's
/// own engine).
fn has_files(language: Language) -> bool {
    language != Language::Javascript
}

/// Where a session's output goes, and who waits for its end.
enum Sink {
    /// A harness session: records and stray output into the log.
    Harness(SessionLog, oneshot::Sender<Result<Session, SandboxError>>),
    /// A whole program: each stream kept up to a cap; its limits, for the report.
    Program(Box<ProgramRun>, oneshot::Sender<Result<RunReport, SandboxError>>),
}

/// A whole program's output and what its report needs.
struct ProgramRun {
    output: RunOutput,
    started_ms: f64,
    time_limit_ms: u64,
    memory_limit_mb: u64,
}

/// One session in flight.
struct Run {
    language: Language,
    sink: Option<Sink>,
    clock: PhaseClock,
    /// The deadline the live timer was set for, and that timer's number (older timers that
    /// still fire are ignored).
    armed: (f64, u32),
}

/// Where a sandbox worker is in its life.
enum Slot {
    Starting(Language),
    Ready(Language),
    Running(Rc<RefCell<Run>>),
}

/// A language's runtime and its workers.
#[derive(Default)]
struct Lang {
    state: RuntimeState,
    /// A download or first start is in flight.
    loading: bool,
    /// The runtime's files, kept so that a new worker needs no download.
    files: Option<Rc<Files>>,
    /// The Cache Storage cache that keeps this runtime's memory snapshot (Python).
    snapshot_cache: Option<String>,
    /// The frame has the files.
    files_sent: bool,
    /// A worker has been ready once: keep spares from now on.
    warm: bool,
    /// How long the last replacement worker took from its start to ready (ms): how many
    /// spares keep a rerun from waiting ([`Lang::pool_size`]).
    replace_ms: f64,
    ready: VecDeque<u32>,
    starting: usize,
    failures: u32,
    waiters: VecDeque<oneshot::Sender<Result<u32, SandboxError>>>,
}

impl Lang {
    /// Workers to keep once warm: the one the next run takes, and a spare for each
    /// [`RERUN_PAUSE_MS`] a replacement takes to start (at least one, at most
    /// [`MAX_SPARES`]). A worker serves one session, so a user who reruns every second
    /// never waits as long as the replacements keep up.
    fn pool_size(&self) -> usize {
        let spares = (self.replace_ms / RERUN_PAUSE_MS).ceil() as usize;
        1 + spares.clamp(1, MAX_SPARES)
    }
}

#[derive(Default)]
struct Core {
    frame: Option<Rc<Frame>>,
    langs: BTreeMap<Language, Lang>,
    workers: HashMap<u32, Slot>,
    /// When each starting worker was started (`performance.now()`).
    started_at: HashMap<u32, f64>,
    next_wid: u32,
}

impl Core {
    fn lang(&mut self, language: Language) -> &mut Lang {
        self.langs.entry(language).or_default()
    }
}

struct Inner {
    base: String,
    on_state: Box<dyn Fn(Language, RuntimeState)>,
    core: RefCell<Core>,
}

/// The app's handle on the browser sandbox: a cheap clone (`Rc` inside), one per app.
#[derive(Clone)]
pub struct SandboxHost {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for SandboxHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHost")
            .field("base", &self.inner.base)
            .finish_non_exhaustive()
    }
}

impl SandboxHost {
    /// A host for runtimes served under `base` (e.g. `"./runtimes/"`); `on_state` is called
    /// on every runtime state change and now and then while a download progresses. Nothing
    /// is loaded or added to the page until a runtime is needed.
    pub fn new(base: &str, on_state: impl Fn(Language, RuntimeState) + 'static) -> Self {
        let mut base = base.to_owned();
        if !base.is_empty() && !base.ends_with('/') {
            base.push('/');
        }
        SandboxHost {
            inner: Rc::new(Inner {
                base,
                on_state: Box::new(on_state),
                core: RefCell::new(Core::default()),
            }),
        }
    }

    fn from_weak(weak: &Weak<Inner>) -> Option<Self> {
        weak.upgrade().map(|inner| SandboxHost { inner })
    }

    /// Current state of `language`'s runtime.
    pub fn state(&self, language: Language) -> RuntimeState {
        self.inner
            .core
            .borrow()
            .langs
            .get(&language)
            .map(|l| l.state.clone())
            .unwrap_or_default()
    }

    fn set_state(&self, language: Language, state: RuntimeState) {
        {
            let mut core = self.inner.core.borrow_mut();
            let lang = core.lang(language);
            if lang.state == state {
                return;
            }
            lang.state = state.clone();
        }
        (self.inner.on_state)(language, state);
    }

    /// Gets the sandbox going before any runtime is asked for: adds the frame to the page
    /// and starts JavaScript's worker, which needs no download (Python and Ruby still load
    /// on first use). Call once the page is up.
    pub fn prepare(&self) {
        if let Err(reason) = self.frame() {
            web_sys::console::warn_1(&format!("polyrun: the sandbox frame cannot start: {reason}").into());
            return;
        }
        self.load(Language::Javascript);
    }

    /// Starts loading `language`'s runtime: no-op while loading or ready; retries after an
    /// error. Once a worker is ready, a pre-warmed spare is kept.
    pub fn load(&self, language: Language) {
        let start = {
            let mut core = self.inner.core.borrow_mut();
            let lang = core.lang(language);
            let idle = matches!(lang.state, RuntimeState::Idle | RuntimeState::Error(_));
            if idle && !lang.loading {
                lang.loading = true;
                lang.failures = 0;
                true
            } else {
                false
            }
        };
        if !start {
            return;
        }
        self.set_state(language, RuntimeState::Loading { loaded: 0, total: None });
        let host = self.clone();
        wasm_bindgen_futures::spawn_local(async move { host.bring_up(language).await });
    }

    /// The sandbox frame, created on first use.
    fn frame(&self) -> Result<Rc<Frame>, String> {
        if let Some(frame) = self.inner.core.borrow().frame.clone() {
            return Ok(frame);
        }
        let weak = Rc::downgrade(&self.inner);
        let dead = weak.clone();
        let snapshots = weak.clone();
        let frame = Frame::create(
            move |wid, event| {
                if let Some(host) = SandboxHost::from_weak(&weak) {
                    host.on_event(wid, event);
                }
            },
            move |event| {
                if let Some(host) = SandboxHost::from_weak(&snapshots) {
                    host.on_snapshot(event);
                }
            },
            move |reason| {
                if let Some(host) = SandboxHost::from_weak(&dead) {
                    host.frame_dead(reason);
                }
            },
        )?;
        self.inner.core.borrow_mut().frame = Some(Rc::clone(&frame));
        Ok(frame)
    }

    /// Downloads the runtime if needed, hands it to the frame and starts the first worker.
    async fn bring_up(&self, language: Language) {
        let frame = match self.frame() {
            Ok(frame) => frame,
            Err(reason) => return self.fail(language, reason),
        };
        let need = has_files(language) && self.inner.core.borrow().langs[&language].files.is_none();
        if need {
            let weak = Rc::downgrade(&self.inner);
            let report = move |state: RuntimeState| {
                if let Some(host) = SandboxHost::from_weak(&weak) {
                    host.set_state(language, state);
                }
            };
            match download::runtime(&self.inner.base, language, report).await {
                Ok(runtime) => {
                    let mut core = self.inner.core.borrow_mut();
                    let lang = core.lang(language);
                    lang.files = Some(Rc::new(runtime.files));
                    lang.snapshot_cache = (language == Language::Python).then_some(runtime.snapshot_cache);
                }
                Err(reason) => return self.fail(language, reason),
            }
        }
        let snapshot_cache = {
            let core = self.inner.core.borrow();
            let lang = &core.langs[&language];
            lang.snapshot_cache.clone().filter(|_| !lang.files_sent)
        };
        let snapshot = match snapshot_cache {
            Some(name) => persist::load(&name).await,
            None => None,
        };
        let files = {
            let mut core = self.inner.core.borrow_mut();
            let lang = core.lang(language);
            if lang.files_sent {
                None
            } else {
                lang.files_sent = true;
                lang.files.clone()
            }
        };
        if let Some(files) = files {
            frame.assets(language.id(), &files, snapshot);
        }
        self.replenish(language);
    }

    /// The frame made Python's snapshot (keep it for the next visit), or the kept one
    /// failed (drop it).
    fn on_snapshot(&self, event: SnapshotEvent) {
        let name = {
            let core = self.inner.core.borrow();
            core.langs.get(&Language::Python).and_then(|l| l.snapshot_cache.clone())
        };
        let Some(name) = name else { return };
        wasm_bindgen_futures::spawn_local(async move {
            match event {
                SnapshotEvent::Made(image) => persist::store(&name, &image).await,
                SnapshotEvent::Failed => persist::forget(&name).await,
            }
        });
    }

    /// The frame never answered: it is dropped (a retry makes a new one) and every runtime
    /// that was loading fails.
    fn frame_dead(&self, reason: String) {
        let failed: Vec<Language> = {
            let mut core = self.inner.core.borrow_mut();
            let frame = core.frame.take();
            core.workers.clear();
            let failed = core
                .langs
                .iter_mut()
                .filter_map(|(language, lang)| {
                    lang.files_sent = false;
                    lang.ready.clear();
                    lang.starting = 0;
                    let busy = lang.loading || !lang.waiters.is_empty() || lang.state != RuntimeState::Idle;
                    busy.then_some(*language)
                })
                .collect();
            drop(core);
            drop(frame);
            failed
        };
        for language in failed {
            self.fail(language, reason.clone());
        }
    }

    /// The runtime failed to load: error state, and every waiting run fails.
    fn fail(&self, language: Language, reason: String) {
        let waiters = {
            let mut core = self.inner.core.borrow_mut();
            let lang = core.lang(language);
            lang.loading = false;
            std::mem::take(&mut lang.waiters)
        };
        web_sys::console::warn_1(&format!("polyrun: the {language} runtime failed: {reason}").into());
        self.set_state(language, RuntimeState::Error(reason.clone()));
        for waiter in waiters {
            let _ = waiter.send(Err(SandboxError::Runtime {
                language,
                reason: reason.clone(),
            }));
        }
    }

    /// Starts workers until the language has one ready (and its spares once warm) and one for
    /// each waiting run.
    fn replenish(&self, language: Language) {
        let (frame, spawn) = {
            let mut core = self.inner.core.borrow_mut();
            let Some(frame) = core.frame.clone() else { return };
            let lang = core.lang(language);
            if has_files(language) && !lang.files_sent {
                return;
            }
            if matches!(lang.state, RuntimeState::Error(_)) {
                return;
            }
            let want = if lang.warm { lang.pool_size() } else { 1 }.max(lang.waiters.len());
            let have = lang.ready.len() + lang.starting;
            let count = want.saturating_sub(have);
            lang.starting += count;
            let mut spawn = Vec::with_capacity(count);
            for _ in 0..count {
                core.next_wid += 1;
                let wid = core.next_wid;
                core.workers.insert(wid, Slot::Starting(language));
                core.started_at.insert(wid, now_ms());
                spawn.push(wid);
            }
            (frame, spawn)
        };
        for wid in spawn {
            frame.spawn(wid, language.id());
            self.watch_start(wid, language);
        }
    }

    /// Fails worker `wid` if it is still starting after [`START_LIMIT_MS`].
    fn watch_start(&self, wid: u32, language: Language) {
        let weak = Rc::downgrade(&self.inner);
        let check = Closure::once_into_js(move || {
            let Some(host) = SandboxHost::from_weak(&weak) else {
                return;
            };
            let starting = matches!(host.inner.core.borrow().workers.get(&wid), Some(Slot::Starting(_)));
            if starting {
                let reason = format!("the runtime did not start within {} s", START_LIMIT_MS / 1000);
                host.worker_failed(wid, language, reason);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(check.unchecked_ref(), START_LIMIT_MS);
        }
    }

    fn kill(&self, wid: u32) {
        let frame = self.inner.core.borrow().frame.clone();
        if let Some(frame) = frame {
            frame.kill(wid);
        }
    }

    /// A message from worker `wid`.
    fn on_event(&self, wid: u32, event: Event) {
        let slot = match self.inner.core.borrow().workers.get(&wid) {
            Some(Slot::Starting(language)) => Some((Some(*language), None)),
            Some(Slot::Ready(language)) => Some((Some(*language), None)),
            Some(Slot::Running(run)) => Some((None, Some(Rc::clone(run)))),
            None => None,
        };
        let Some((language, run)) = slot else { return };
        match (event, language, run) {
            (Event::Ready, Some(language), None) => self.worker_ready(wid, language),
            (Event::Error(reason) | Event::Fault(reason), Some(language), None) => {
                self.worker_failed(wid, language, reason);
            }
            (Event::Out(fd, bytes), None, Some(run)) => {
                let event = {
                    let mut run = run.borrow_mut();
                    let run = &mut *run;
                    let event = match run.sink.as_mut() {
                        Some(Sink::Harness(log, _)) if fd == 1 => log.stdout(&bytes),
                        Some(Sink::Harness(log, _)) => log.stderr(&bytes),
                        Some(Sink::Program(program, _)) => {
                            program.output.push(fd, &bytes);
                            LogEvent::Nothing
                        }
                        None => LogEvent::Nothing,
                    };
                    if event == LogEvent::Progress {
                        run.clock.progress(now_ms());
                        // A phase with an earlier deadline than the timer's (a test after
                        // the longer loading phase) needs its own timer.
                        if run.clock.deadline_ms() >= run.armed.0 {
                            return;
                        }
                    }
                    event
                };
                match event {
                    LogEvent::Nothing => {}
                    LogEvent::Progress => self.arm_timer(wid, &run),
                    LogEvent::OverBudget => self.finish(wid, SessionEnd::OutputLimit),
                }
            }
            (Event::End(end), None, Some(_)) => self.finish(wid, end.into()),
            (Event::Fault(reason) | Event::Error(reason), None, Some(_)) => {
                self.finish(wid, SessionEnd::Crashed(format!("the runtime stopped: {reason}")));
            }
            _ => {}
        }
    }

    fn worker_ready(&self, wid: u32, language: Language) {
        let became_ready = {
            let mut core = self.inner.core.borrow_mut();
            let Some(slot) = core.workers.get_mut(&wid) else { return };
            if !matches!(slot, Slot::Starting(_)) {
                return;
            }
            *slot = Slot::Ready(language);
            let started = core.started_at.remove(&wid);
            let lang = core.lang(language);
            // The first worker loads the runtime (and may make Python's snapshot): only a
            // replacement's start-up says how fast spares come back.
            if let (true, Some(started)) = (lang.warm, started) {
                lang.replace_ms = now_ms() - started;
            }
            lang.starting = lang.starting.saturating_sub(1);
            lang.failures = 0;
            lang.loading = false;
            lang.warm = true;
            let mut wid = Some(wid);
            while let Some(waiter) = lang.waiters.pop_front() {
                match waiter.send(Ok(wid.take().unwrap_or_default())) {
                    Ok(()) => break,
                    Err(Ok(back)) => wid = Some(back),
                    Err(Err(_)) => {}
                }
            }
            if let Some(wid) = wid {
                lang.ready.push_back(wid);
            }
            lang.state != RuntimeState::Ready
        };
        if became_ready {
            self.set_state(language, RuntimeState::Ready);
        }
        self.replenish(language);
    }

    fn worker_failed(&self, wid: u32, language: Language, reason: String) {
        let give_up = {
            let mut core = self.inner.core.borrow_mut();
            core.started_at.remove(&wid);
            let Some(Slot::Starting(_)) = core.workers.remove(&wid) else {
                // A ready worker that faulted: it is simply gone.
                let lang = core.lang(language);
                lang.ready.retain(|w| *w != wid);
                drop(core);
                self.kill(wid);
                self.replenish(language);
                return;
            };
            let lang = core.lang(language);
            lang.starting = lang.starting.saturating_sub(1);
            lang.failures += 1;
            lang.failures >= MAX_START_FAILURES && lang.ready.is_empty() && lang.starting == 0
        };
        self.kill(wid);
        web_sys::console::warn_1(&format!("polyrun: a {language} sandbox worker did not start: {reason}").into());
        if give_up {
            self.fail(language, reason);
        } else {
            self.replenish(language);
        }
    }

    /// Ends the session of worker `wid` with `end`: the worker is terminated and the run
    /// resolves (whether or not anyone still waits for it).
    fn finish(&self, wid: u32, end: SessionEnd) {
        let run = match self.inner.core.borrow_mut().workers.remove(&wid) {
            Some(Slot::Running(run)) => run,
            Some(other) => {
                self.inner.core.borrow_mut().workers.insert(wid, other);
                return;
            }
            None => return,
        };
        self.kill(wid);
        let (language, sink) = {
            let mut run = run.borrow_mut();
            (run.language, run.sink.take())
        };
        match sink {
            Some(Sink::Harness(log, done)) => {
                let _ = done.send(Ok(log.finish(end)));
            }
            Some(Sink::Program(program, done)) => {
                let time_ms = ((now_ms() - program.started_ms) * 10.0).round() / 10.0;
                let end = RunEnd::of(
                    language,
                    end,
                    u128::from(program.time_limit_ms),
                    program.memory_limit_mb,
                );
                let _ = done.send(Ok(program.output.report(end, time_ms)));
            }
            None => {}
        }
        // After the run's result has been handled (a task later): the replacement worker
        // costs the page a few messages it need not wait for.
        self.replenish_later(language, 0);
    }

    /// Stops every session in flight (the app's Stop button): its worker is terminated, as
    /// at a time limit (a spare takes its place), and its run resolves with
    /// [`SandboxError::Stopped`]; so do runs still waiting for a worker.
    pub fn stop(&self) {
        let (running, waiters) = {
            let mut core = self.inner.core.borrow_mut();
            let wids: Vec<u32> = core
                .workers
                .iter()
                .filter(|(_, slot)| matches!(slot, Slot::Running(_)))
                .map(|(wid, _)| *wid)
                .collect();
            let running: Vec<(u32, Rc<RefCell<Run>>)> = wids
                .into_iter()
                .filter_map(|wid| match core.workers.remove(&wid) {
                    Some(Slot::Running(run)) => Some((wid, run)),
                    _ => None,
                })
                .collect();
            let waiters: Vec<_> = core
                .langs
                .values_mut()
                .flat_map(|lang| std::mem::take(&mut lang.waiters))
                .collect();
            (running, waiters)
        };
        for waiter in waiters {
            let _ = waiter.send(Err(SandboxError::Stopped));
        }
        for (wid, run) in running {
            self.kill(wid);
            let (language, sink) = {
                let mut run = run.borrow_mut();
                (run.language, run.sink.take())
            };
            match sink {
                Some(Sink::Harness(_, done)) => {
                    let _ = done.send(Err(SandboxError::Stopped));
                }
                Some(Sink::Program(_, done)) => {
                    let _ = done.send(Err(SandboxError::Stopped));
                }
                None => {}
            }
            self.replenish_later(language, 0);
        }
    }

    /// [`Self::replenish`] in `ms` milliseconds (at once if there are no timers).
    fn replenish_later(&self, language: Language, ms: i32) {
        let weak = Rc::downgrade(&self.inner);
        let later = Closure::once_into_js(move || {
            if let Some(host) = SandboxHost::from_weak(&weak) {
                host.replenish(language);
            }
        });
        let deferred = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), ms));
        if !matches!(deferred, Some(Ok(_))) {
            self.replenish(language);
        }
    }

    /// A ready worker for `language`, waiting for one to start if needed.
    async fn acquire(&self, language: Language) -> Result<u32, SandboxError> {
        let waiting = {
            let mut core = self.inner.core.borrow_mut();
            let lang = core.lang(language);
            if let Some(wid) = lang.ready.pop_front() {
                Ok(wid)
            } else if let (RuntimeState::Error(reason), false) = (&lang.state, lang.loading) {
                return Err(SandboxError::Runtime {
                    language,
                    reason: reason.clone(),
                });
            } else {
                let (tx, rx) = oneshot::channel();
                lang.waiters.push_back(tx);
                Err(rx)
            }
        };
        match waiting {
            Ok(wid) => Ok(wid),
            Err(rx) => {
                self.replenish(language);
                rx.await
                    .map_err(|_| SandboxError::Unavailable("the sandbox was shut down".to_owned()))?
            }
        }
    }

    /// Runs `language`'s harness with `input` on its stdin, as the grader does, and returns
    /// the session. The input is handed over whole (the grader releases each test's line
    /// when the test before answers; here the learner's own tests have nothing to hide). A
    /// phase that runs past its limit (loading the source: max(limit, 10 s); each test:
    /// `time_limit_ms` from the answer before it) is stopped: the worker is
    /// terminated, the spare takes its place, and the session ends as
    /// [`SessionEnd::TimeLimit`]. Loads the runtime first if needed.
    pub async fn run_harness(
        &self,
        language: Language,
        input: &HarnessInput,
        time_limit_ms: u64,
    ) -> Result<Session, SandboxError> {
        let stdin = input.wire();
        let (done, finished) = oneshot::channel();
        let sink = Sink::Harness(SessionLog::new(input), done);
        let clock = |now| PhaseClock::harness(time_limit_ms, input.tests.len(), now);
        self.start(language, sink, clock, |frame, wid| {
            frame.run(wid, harness::harness(language), &stdin);
        })
        .await?;
        finished
            .await
            .map_err(|_| SandboxError::Unavailable("the sandbox was shut down".to_owned()))?
    }

    /// Runs `source` as a whole program with `stdin`, as `polyrun run` does (core's runner
    /// in Python and Ruby, `main.js` after the prelude in JavaScript), and reports as the
    /// grader does: each stream kept up to [`RUN_OUTPUT_CAP_BYTES`] (a marker tells what
    /// was cut), the program's exit status, 124 when it runs past `time_limit_ms` (the
    /// worker is terminated, the spare takes its place), 137 past `memory_limit_mb` beyond
    /// the runtime's own memory. Loads the runtime first if needed.
    pub async fn run_program(
        &self,
        language: Language,
        source: &str,
        stdin: &str,
        time_limit_ms: u64,
        memory_limit_mb: u64,
    ) -> Result<RunReport, SandboxError> {
        let (done, finished) = oneshot::channel();
        let program = ProgramRun {
            output: RunOutput::new(RUN_OUTPUT_CAP_BYTES),
            started_ms: 0.0,
            time_limit_ms,
            memory_limit_mb,
        };
        let sink = Sink::Program(Box::new(program), done);
        let clock = |now| PhaseClock::whole(time_limit_ms, now);
        let runner = match language {
            Language::Python => harness::PYTHON_RUNNER,
            Language::Ruby => harness::RUBY_RUNNER,
            Language::Javascript => "",
        };
        self.start(language, sink, clock, |frame, wid| {
            frame.run_program(wid, runner, source, stdin, memory_limit_mb);
        })
        .await?;
        finished
            .await
            .map_err(|_| SandboxError::Unavailable("the sandbox was shut down".to_owned()))?
    }

    /// Takes a ready worker of `language` (loading the runtime if needed) and starts a
    /// session in it: `post` sends the run, the clock (made at the start) is armed.
    async fn start(
        &self,
        language: Language,
        mut sink: Sink,
        clock: impl FnOnce(f64) -> PhaseClock,
        post: impl FnOnce(&Frame, u32),
    ) -> Result<(), SandboxError> {
        self.load(language);
        let wid = self.acquire(language).await?;
        let started = now_ms();
        if let Sink::Program(program, _) = &mut sink {
            program.started_ms = started;
        }
        let run = Rc::new(RefCell::new(Run {
            language,
            sink: Some(sink),
            clock: clock(started),
            armed: (f64::INFINITY, 0),
        }));
        let frame = {
            let mut core = self.inner.core.borrow_mut();
            core.workers.insert(wid, Slot::Running(Rc::clone(&run)));
            core.frame.clone()
        };
        let Some(frame) = frame else {
            return Err(SandboxError::Unavailable("the sandbox frame is gone".to_owned()));
        };
        // The worker that replaces this one starts when the session ends (`finish`) or once
        // it has run for a while, whichever comes first: the spare is ready meanwhile, and
        // starting a runtime would take the CPU from a quick run.
        post(&frame, wid);
        self.arm_timer(wid, &run);
        self.replenish_later(language, REPLACE_AFTER_MS);
        Ok(())
    }

    /// Checks worker `wid`'s phase clock when its deadline comes.
    fn arm_timer(&self, wid: u32, run: &Rc<RefCell<Run>>) {
        let (delay, timer) = {
            let mut run = run.borrow_mut();
            let deadline = run.clock.deadline_ms();
            let timer = run.armed.1.wrapping_add(1);
            run.armed = (deadline, timer);
            ((deadline - now_ms()).max(0.0).ceil(), timer)
        };
        let weak = Rc::downgrade(&self.inner);
        let check = Closure::once_into_js(move || {
            if let Some(host) = SandboxHost::from_weak(&weak) {
                host.on_timer(wid, timer);
            }
        });
        let armed = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(
                check.unchecked_ref(),
                delay.min(f64::from(i32::MAX)) as i32,
            )
        });
        if !matches!(armed, Some(Ok(_))) {
            self.finish(
                wid,
                SessionEnd::Crashed("the sandbox cannot keep time (no timers)".to_owned()),
            );
        }
    }

    fn on_timer(&self, wid: u32, timer: u32) {
        let run = match self.inner.core.borrow().workers.get(&wid) {
            Some(Slot::Running(run)) if run.borrow().armed.1 == timer => Rc::clone(run),
            _ => return,
        };
        let expired = run.borrow().clock.expired(now_ms());
        if expired {
            self.finish(wid, SessionEnd::TimeLimit);
        } else {
            self.arm_timer(wid, &run);
        }
    }
}

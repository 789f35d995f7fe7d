//! The engine loop of `polyrun-js`: sets QuickJS up, runs the prelude and the user's script,
//! then drives microtasks, `process.nextTick` callbacks and the prelude's macrotasks (timers,
//! stdin events) until nothing is left, and exits with the program's status.
//!
//! The engine stays thin: every Node-like behaviour lives in the prelude, which registers
//! `__polyrun.hooks` (see `core/src/harness/prelude.js`) for the engine to call:
//! `runTicks()`, `runMacrotask()`, `uncaught(value, fromPromise, promise)` and `exitCode()`.

#[cfg(target_os = "wasi")]
mod host;
mod input;
mod text;

#[cfg(target_os = "wasi")]
pub use run::{prepare, run};

#[cfg(target_os = "wasi")]
mod run {
    use std::cell::RefCell;
    use std::rc::Rc;

    use rquickjs::{CatchResultExt, Context, Ctx, Error, Function, Object, Persistent, Runtime, Value};

    use super::host;

    /// The shared prelude that builds the Node-like globals on top of `__polyrun`.
    const PRELUDE: &str = include_str!("../../../core/src/harness/prelude.js");

    /// Status for a failure of the engine itself (not of the user's program).
    const INTERNAL_ERROR: i32 = 70;

    /// A rejected promise that had no handler when it was rejected, with its reason.
    type Rejection = (Persistent<Value<'static>>, Persistent<Value<'static>>);

    thread_local! {
        /// The engine `prepare` set up before a snapshot was taken, for `run` to go on from.
        static PREPARED: RefCell<Option<Engine>> = const { RefCell::new(None) };
    }

    /// A script compiled before the snapshot: its source, and a function whose body it is.
    type Compiled = (String, Persistent<Function<'static>>);

    /// The runtime, its one context and the prelude's hooks.
    struct Engine {
        /// The name the user's script runs under (the prelude has shown it already).
        filename: String,
        /// The script `prepare` compiled ahead, if any: run without parsing it again when
        /// `run` is given the same source.
        compiled: Option<Compiled>,
        runtime: Runtime,
        context: Context,
        hooks: Persistent<Object<'static>>,
        rejections: Rc<RefCell<Vec<Rejection>>>,
    }

    /// Sets the engine up for a script named `filename`, up to the end of the prelude, and
    /// keeps it for `run` (called before a pre-initialised snapshot is taken). With `script`
    /// (the grader's harness), the script is compiled too, not run: a session given the same
    /// source skips parsing it.
    pub fn prepare(filename: &str, script: Option<&str>) {
        let mut engine = Engine::new(filename).unwrap_or_else(|msg| fatal(&msg));
        if let Some(script) = script {
            engine.compiled = Some(engine.compile(script).unwrap_or_else(|msg| fatal(&msg)));
        }
        PREPARED.with(|prepared| *prepared.borrow_mut() = Some(engine));
    }

    /// Runs `source` as the classic script `filename` and exits the process with its status;
    /// from the prepared engine when there is one for `filename`.
    pub fn run(filename: &str, source: &str) -> ! {
        // What a snapshot must not have fixed: the clock's origin and the random numbers.
        host::start_session();
        let prepared = PREPARED
            .with(|prepared| prepared.borrow_mut().take())
            .filter(|engine| engine.filename == filename);
        let mut engine = match prepared {
            Some(engine) => engine,
            None => Engine::new(filename).unwrap_or_else(|msg| fatal(&msg)),
        };
        let compiled = engine.compiled.take().filter(|(script, _)| script == source);
        engine.step(|ctx| match compiled {
            Some((_, function)) => function.restore(ctx)?.call::<_, Value>(()).map(drop),
            None => host::eval_script(ctx, source.as_bytes().to_vec(), filename).map(drop),
        });
        loop {
            engine.drain();
            // `None`: the macrotask threw and a listener handled it; the loop goes on.
            if !engine.call_hook("runMacrotask").unwrap_or(true) {
                break;
            }
        }
        let code = engine.call_hook::<f64>("exitCode").unwrap_or(0.0);
        host::exit(code as i32)
    }

    /// Reports a failure of the engine itself and exits.
    fn fatal(msg: &str) -> ! {
        host::write_stderr(format!("polyrun-js: {msg}\n").as_bytes());
        host::exit(INTERNAL_ERROR)
    }

    impl Engine {
        /// Creates the runtime and context, installs `__polyrun` and evaluates the prelude.
        fn new(filename: &str) -> Result<Self, String> {
            let runtime = Runtime::new().map_err(|err| format!("cannot create the runtime: {err}"))?;
            // The host enforces memory; QuickJS's own limit stays off. Its stack check is
            // compiled out on WASI: the host bounds the stack and traps on overflow.
            runtime.set_memory_limit(0);

            let rejections: Rc<RefCell<Vec<Rejection>>> = Rc::default();
            let tracked = Rc::clone(&rejections);
            runtime.set_host_promise_rejection_tracker(Some(Box::new(move |ctx, promise, reason, handled| {
                let promise = Persistent::save(&ctx, promise);
                let mut list = tracked.borrow_mut();
                if handled {
                    list.retain(|(p, _)| *p != promise);
                } else {
                    list.push((promise, Persistent::save(&ctx, reason)));
                }
            })));

            let context = Context::full(&runtime).map_err(|err| format!("cannot create a context: {err}"))?;
            let hooks = context.with(|ctx| -> Result<_, String> {
                host::install(&ctx, filename).map_err(|err| format!("cannot install the host object: {err}"))?;
                host::eval_script(&ctx, PRELUDE.as_bytes().to_vec(), "prelude.js")
                    .catch(&ctx)
                    .map_err(|err| format!("the prelude failed: {err}"))?;
                let hooks: Object = ctx
                    .globals()
                    .get::<_, Object>(host::HOST_GLOBAL)
                    .and_then(|api| api.get("hooks"))
                    .map_err(|err| format!("the prelude registered no hooks: {err}"))?;
                Ok(Persistent::save(&ctx, hooks))
            })?;
            Ok(Self {
                filename: filename.to_owned(),
                compiled: None,
                runtime,
                context,
                hooks,
                rejections,
            })
        }

        /// Compiles `script` as the body of a function (its first line stays line 1), without
        /// running it: what a classic script without top-level declarations does when called.
        fn compile(&self, script: &str) -> Result<Compiled, String> {
            self.context.with(|ctx| {
                let wrapped = format!("(function () {{{script}\n}})");
                let function: Function = host::eval_script(&ctx, wrapped.into_bytes(), &self.filename)
                    .and_then(|value| value.get::<Function>())
                    .catch(&ctx)
                    .map_err(|err| format!("cannot compile the script: {err}"))?;
                Ok((script.to_owned(), Persistent::save(&ctx, function)))
            })
        }

        /// Runs `f` in the context; an exception it throws is handled as uncaught.
        fn step<T>(&self, f: impl for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<T>) -> Option<T> {
            self.context.with(|ctx| match f(&ctx) {
                Ok(value) => Some(value),
                Err(Error::Exception) => {
                    let thrown = ctx.catch();
                    self.uncaught(&ctx, thrown, None);
                    None
                }
                Err(err) => fatal(&err.to_string()),
            })
        }

        /// Calls the prelude hook `name` without arguments; `None` if it threw (and the
        /// exception was handled).
        fn call_hook<T: for<'js> rquickjs::FromJs<'js>>(&self, name: &str) -> Option<T> {
            self.step(|ctx| {
                let hook: Function = self.hooks.clone().restore(ctx)?.get(name)?;
                hook.call(())
            })
        }

        /// Hands an uncaught exception (or, with `promise`, an unhandled rejection) to the
        /// prelude's `uncaught` hook. The hook prints Node's report and returns the status to
        /// exit with, or `null` when a `process.on('uncaughtException' |
        /// 'unhandledRejection')` listener handled it and the program goes on. If the hook
        /// fails, the engine prints a plain report and exits with status 1.
        fn uncaught<'js>(&self, ctx: &Ctx<'js>, thrown: Value<'js>, promise: Option<Value<'js>>) {
            let from_promise = promise.is_some();
            let promise = promise.unwrap_or_else(|| Value::new_undefined(ctx.clone()));
            let verdict = self
                .hooks
                .clone()
                .restore(ctx)
                .and_then(|hooks| hooks.get::<_, Function>("uncaught"))
                .and_then(|hook| hook.call::<_, Value>((thrown.clone(), from_promise, promise)));
            match verdict {
                Ok(value) if value.is_null() || value.is_undefined() => {}
                Ok(value) if value.is_number() => host::exit(value.as_number().map_or(1, |code| code as i32)),
                Ok(_) | Err(_) => {
                    let mut text = fallback_report(ctx, &thrown);
                    text.push(b'\n');
                    host::write_stderr(&text);
                    host::exit(1)
                }
            }
        }

        /// Runs `process.nextTick` callbacks and promise jobs until both queues are empty
        /// (ticks first, as Node does), then reports the rejections still unhandled.
        fn drain(&self) {
            loop {
                loop {
                    let ran_ticks = self.call_hook::<bool>("runTicks").unwrap_or(true);
                    let mut ran_jobs = false;
                    loop {
                        match self.runtime.execute_pending_job() {
                            Ok(true) => ran_jobs = true,
                            Ok(false) => break,
                            Err(job) => {
                                ran_jobs = true;
                                job.0.with(|ctx| {
                                    let thrown = ctx.catch();
                                    self.uncaught(&ctx, thrown, None);
                                });
                            }
                        }
                    }
                    if !ran_ticks && !ran_jobs {
                        break;
                    }
                }
                let unhandled: Vec<Rejection> = self.rejections.borrow_mut().drain(..).collect();
                if unhandled.is_empty() {
                    return;
                }
                // Each one exits the process unless a listener handles it; then the listeners
                // may have queued more work, so drain again.
                self.context.with(|ctx| {
                    for (promise, reason) in unhandled {
                        if let (Ok(promise), Ok(reason)) = (promise.restore(&ctx), reason.restore(&ctx)) {
                            self.uncaught(&ctx, reason, Some(promise));
                        }
                    }
                });
            }
        }
    }

    /// Node-like text for an exception when the prelude cannot format it.
    fn fallback_report<'js>(ctx: &Ctx<'js>, thrown: &Value<'js>) -> Vec<u8> {
        let text = match thrown.as_exception() {
            Some(exception) => {
                let name: Option<String> = exception.as_object().get("name").ok();
                let head = format!(
                    "{}: {}",
                    name.as_deref().unwrap_or("Error"),
                    exception.message().unwrap_or_default()
                );
                match exception.stack() {
                    Some(stack) if stack.contains(&head) => stack,
                    Some(stack) => format!("{head}\n{stack}"),
                    None => head,
                }
            }
            None => {
                let text = thrown
                    .clone()
                    .get::<rquickjs::Coerced<String>>()
                    .map(|text| text.0)
                    .unwrap_or_else(|_| "exception".to_owned());
                format!("Uncaught {text}")
            }
        };
        // Formatting may itself have thrown; that must not linger on the context.
        if ctx.has_exception() {
            let _ = ctx.catch();
        }
        text.into_bytes()
    }
}

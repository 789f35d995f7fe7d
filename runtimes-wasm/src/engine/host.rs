//! The `__polyrun` host object: the few native functions the prelude builds every global on.

use std::cell::{Cell, RefCell};
use std::io::{Stdin, Write};
use std::rc::Rc;
use std::time::Instant;

use rquickjs::context::EvalOptions;
use rquickjs::function::Opt;
use rquickjs::object::Property;
use rquickjs::promise::PromiseState;
use rquickjs::{Array, Ctx, Function, Object, Result, Value};

use super::input::LineReader;
use super::text::wtf8_to_utf8;

/// Name of the global that holds the host object.
pub const HOST_GLOBAL: &str = "__polyrun";

thread_local! {
    /// When this session started: the origin of `now()` (`performance.now()`).
    static ORIGIN: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The state of `Math.random` (xorshift128+, as V8's).
    static RANDOM: Cell<(u64, u64)> = const { Cell::new((0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9)) };
}

/// Starts a session: `now()` counts from here and `Math.random` is seeded afresh from
/// WASI's `random_get`, so neither is what a pre-initialised snapshot held.
pub fn start_session() {
    ORIGIN.with(|origin| origin.set(Some(Instant::now())));
    let seed = |fallback: u64| getrandom::u64().unwrap_or(fallback) | 1;
    RANDOM.with(|state| state.set((seed(0x243f_6a88_85a3_08d3), seed(0x1319_8a2e_0370_7344))));
}

/// Milliseconds since the session started.
fn now_ms() -> f64 {
    ORIGIN.with(|origin| origin.get().map_or(0.0, |start| start.elapsed().as_secs_f64() * 1000.0))
}

/// The next `Math.random()`: xorshift128+, 53 bits into [0, 1).
fn next_random() -> f64 {
    RANDOM.with(|state| {
        let (mut s1, s0) = state.get();
        s1 ^= s1 << 23;
        s1 ^= s1 >> 17;
        s1 ^= s0;
        s1 ^= s0 >> 26;
        state.set((s0, s1));
        (s0.wrapping_add(s1) >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// Writes `bytes` to standard output at once (nothing is kept buffered).
pub fn write_stdout(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    // A closed or failing stdout must not stop the program, as with Node.
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// Writes `bytes` to standard error at once.
pub fn write_stderr(bytes: &[u8]) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(bytes).and_then(|()| err.flush());
}

/// Flushes both output streams and ends the process with `code` (taken modulo 256, as a
/// native process's status would be).
pub fn exit(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code & 0xff)
}

/// The UTF-8 bytes of a JavaScript string, lone surrogates replaced by U+FFFD.
pub fn string_bytes(value: rquickjs::String<'_>) -> Result<Vec<u8>> {
    let text = value.to_cstring()?;
    Ok(wtf8_to_utf8(text.as_ref()).into_owned())
}

/// Evaluates `source` as a classic (sloppy, global) script named `filename`, as a `<script>`
/// or `node file.js` would: top-level `let`/`const`/`class` bindings stay visible to later
/// scripts.
pub fn eval_script<'js>(ctx: &Ctx<'js>, source: Vec<u8>, filename: &str) -> Result<Value<'js>> {
    let mut options = EvalOptions::default();
    options.global = true;
    options.strict = false;
    options.filename = Some(filename.to_owned());
    ctx.eval_with_options(source, options)
}

/// Defines the non-enumerable global `__polyrun` with the host API; `filename` is the name the
/// user's script runs under (the prelude shows it as `process.argv[1]`).
pub fn install<'js>(ctx: &Ctx<'js>, filename: &str) -> Result<()> {
    let api = Object::new(ctx.clone())?;
    let stdin: Rc<RefCell<LineReader<Stdin>>> = Rc::new(RefCell::new(LineReader::new(std::io::stdin())));

    let eval = Function::new(
        ctx.clone(),
        |ctx: Ctx<'js>, source: rquickjs::String<'js>, name: Opt<rquickjs::String<'js>>| {
            let name = match name.0 {
                Some(name) => name.to_string()?,
                None => "<eval>".to_owned(),
            };
            eval_script(&ctx, string_bytes(source)?, &name)
        },
    )?;
    api.set("evalScript", eval.with_name("evalScript")?)?;

    let reader = Rc::clone(&stdin);
    let read_stdin = Function::new(ctx.clone(), move || reader.borrow_mut().read_all())?;
    api.set("readStdin", read_stdin.with_name("readStdin")?)?;

    let reader = Rc::clone(&stdin);
    let read_line = Function::new(ctx.clone(), move |ctx: Ctx<'js>| {
        match reader.borrow_mut().read_line() {
            Some(line) => rquickjs::String::from_str(ctx, &line).map(Value::from),
            None => Ok(Value::new_null(ctx)),
        }
    })?;
    api.set("readLine", read_line.with_name("readLine")?)?;

    let write_out = Function::new(ctx.clone(), |text: rquickjs::String<'js>| {
        string_bytes(text).map(|bytes| write_stdout(&bytes))
    })?;
    api.set("writeStdout", write_out.with_name("writeStdout")?)?;

    let write_err = Function::new(ctx.clone(), |text: rquickjs::String<'js>| {
        string_bytes(text).map(|bytes| write_stderr(&bytes))
    })?;
    api.set("writeStderr", write_err.with_name("writeStderr")?)?;

    let now = Function::new(ctx.clone(), now_ms)?;
    api.set("now", now.with_name("now")?)?;

    let exit_fn = Function::new(ctx.clone(), |code: Opt<f64>| -> Result<()> {
        let code = code.0.unwrap_or(0.0);
        // Out-of-range and fractional codes end up as a native process status would.
        exit(if code.is_finite() { code as i64 as i32 } else { 0 })
    })?;
    api.set("exit", exit_fn.with_name("exit")?)?;

    let state = Function::new(ctx.clone(), promise_state)?;
    api.set("promiseState", state.with_name("promiseState")?)?;

    api.set("filename", filename)?;

    // QuickJS seeds its own Math.random once, from the clock, when the context is made: a
    // snapshot would replay it in every session.
    let random = Function::new(ctx.clone(), next_random)?;
    let math: Object = ctx.globals().get("Math")?;
    math.set("random", random.with_name("random")?)?;

    ctx.globals().prop(HOST_GLOBAL, Property::from(api).configurable())
}

/// `promiseState(value)`: `undefined` for a non-promise, else `["pending"]`,
/// `["fulfilled", value]` or `["rejected", reason]`, so `console.log` can show a promise as
/// Node does.
fn promise_state<'js>(ctx: Ctx<'js>, value: Value<'js>) -> Result<Value<'js>> {
    let Some(promise) = value.into_promise() else {
        return Ok(Value::new_undefined(ctx));
    };
    let out = Array::new(ctx.clone())?;
    match promise.state() {
        PromiseState::Pending => out.set(0, "pending")?,
        PromiseState::Resolved => {
            out.set(0, "fulfilled")?;
            if let Some(result) = promise.result::<Value<'js>>() {
                out.set(1, result?)?;
            }
        }
        PromiseState::Rejected => {
            out.set(0, "rejected")?;
            // `result` rethrows the reason; take it back off the context.
            if let Some(Err(rquickjs::Error::Exception)) = promise.result::<Value<'js>>() {
                out.set(1, ctx.catch())?;
            }
        }
    }
    Ok(out.into_value())
}

//! The hidden sandbox frame: an `<iframe sandbox="allow-scripts" src="sandbox.html">` (an
//! opaque origin under a CSP without network) that starts the sandbox workers and relays
//! their messages. The site's `index.html` carries the frame, so that it loads while the
//! app's own wasm does; the app adopts it and says `ping`, which the frame answers with
//! `hello` as it does when it loads. Offline (the browser says so), or when the app makes
//! the frame itself (no frame in the page, or a retry), the same document comes from the
//! app as `srcdoc`: a sandboxed frame's own document is not served by the service worker,
//! and `srcdoc` needs no network. This is the host's one channel to
//! the workers; what comes back is checked here.
//!
//! To the frame: `{kind: "ping"}`, `{kind: "boot", worker, prelude, primers}` (once, answered `hello` first;
//! `primers`: per language `{harness, input, function}`, core's primer), `{kind: "assets",
//! language, files}` (Python's may include a kept `pyodide.snapshot`), `{kind: "spawn", wid,
//! language}`, `{kind: "run", wid, harness, input}` (a harness session) or `{kind: "run", wid,
//! mode: "program", harness: runner, source, input: stdin, memoryLimitMb}` (a whole program),
//! `{kind: "kill", wid}`.
//! From the frame: `{kind: "hello"}`, `{kind: "snapshot", language: "python", image:
//! ArrayBuffer | null, failed?}` (a fresh interpreter's memory snapshot to keep, or: the kept
//! one failed) and `{kind: "worker", wid, type, …}` with `type` one of `ready`, `error`,
//! `fault`, `out` (`fd`, `bytes`) and `end` (`exit` | `stack` | `memory` | `crash`).
//!
//! Each spawned worker also gets one end of a `MessageChannel` (`port` in `spawn`): its
//! runs go to it, and its `out` and `end` messages come back on it, straight between the
//! worker's thread and the app's, without a task on the frame's side in between (the frame
//! shares the app's thread, so a relay waits for whatever the page is rendering). What
//! comes on a port is checked exactly as what the frame relays.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use polyrun_core::Language;
use polyrun_core::harness::{self, JAVASCRIPT_PRELUDE};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlIFrameElement, MessageChannel, MessageEvent, MessagePort, Window};

use crate::download::js_error;
use crate::session::WorkerEnd;
use crate::{SANDBOX_HTML, SANDBOX_URL, WORKER_JS};

/// The name a kept Python snapshot goes by among the runtime's files (worker.js knows it).
pub(crate) const SNAPSHOT_FILE: &str = "pyodide.snapshot";

/// The page's own sandbox frame, if it has one (`index.html`).
const FRAME_SELECTOR: &str = "iframe[data-polyrun=\"sandbox\"]";

/// How long the frame may take to answer before the sandbox is declared broken.
pub(crate) const BOOT_TIMEOUT_MS: i32 = 15_000;

/// What a sandbox worker reported.
#[derive(Debug)]
pub(crate) enum Event {
    /// The runtime started; the worker waits for its run.
    Ready,
    /// The runtime did not start.
    Error(String),
    /// The worker failed outside any run's control (an uncaught error in the worker).
    Fault(String),
    /// Output on fd 1 or 2.
    Out(u8, Vec<u8>),
    /// The session ended.
    End(WorkerEnd),
}

/// What the frame reported about Python's memory snapshot.
#[derive(Debug)]
pub(crate) enum SnapshotEvent {
    /// A fresh interpreter's snapshot, made before any user code: worth keeping.
    Made(ArrayBuffer),
    /// A worker started from the kept snapshot failed: drop it.
    Failed,
}

/// The sandbox frame.
pub(crate) struct Frame {
    element: HtmlIFrameElement,
    target: Window,
    booted: Cell<bool>,
    queue: RefCell<Vec<(JsValue, Array)>>,
    listener: RefCell<Option<Listener>>,
    on_event: Rc<dyn Fn(u32, Event)>,
    /// Each live worker's channel: the app's end, and its message handler.
    ports: RefCell<HashMap<u32, (MessagePort, Listener)>>,
}

/// The page's `message` listener.
type Listener = Closure<dyn FnMut(MessageEvent)>;

impl Frame {
    /// Adds the frame to the page; `on_event` gets every worker's checked messages, and
    /// `on_dead` is called if the frame does not answer within [`BOOT_TIMEOUT_MS`].
    pub(crate) fn create(
        on_event: impl Fn(u32, Event) + 'static,
        on_snapshot: impl Fn(SnapshotEvent) + 'static,
        on_dead: impl FnOnce(String) + 'static,
    ) -> Result<Rc<Frame>, String> {
        let window = web_sys::window().ok_or("there is no window")?;
        let document = window.document().ok_or("there is no document")?;
        let fail = |e: JsValue| js_error(&e);
        let element: HtmlIFrameElement = match document.query_selector(FRAME_SELECTOR).ok().flatten() {
            Some(existing) => {
                let existing: HtmlIFrameElement = existing
                    .dyn_into()
                    .map_err(|_| format!("{FRAME_SELECTOR} is not an iframe"))?;
                // Offline, `sandbox.html` may not have loaded (a sandboxed frame's document
                // does not come from the service worker): the same document from the app.
                if !window.navigator().on_line() {
                    existing.set_srcdoc(SANDBOX_HTML);
                }
                existing
            }
            None => {
                let body = document.body().ok_or("the page has no body")?;
                let element: HtmlIFrameElement = document
                    .create_element("iframe")
                    .map_err(|e| js_error(&e))?
                    .unchecked_into();
                element.set_attribute("data-polyrun", "sandbox").map_err(fail)?;
                element.set_attribute("aria-hidden", "true").map_err(fail)?;
                element.set_attribute("tabindex", "-1").map_err(fail)?;
                element.set_title("polyrun sandbox");
                element.set_hidden(true);
                element.set_attribute("sandbox", "allow-scripts").map_err(fail)?;
                // Made by the app (a page without one, or a retry): from the app's own copy,
                // which needs no network.
                element.set_srcdoc(SANDBOX_HTML);
                body.append_child(&element).map_err(fail)?;
                element
            }
        };
        // Whatever the page says, the frame gets no more than scripts.
        if element.get_attribute("sandbox").as_deref() != Some("allow-scripts") {
            return Err("the sandbox frame in the page is not sandboxed as allow-scripts only".to_owned());
        }
        let target = element.content_window().ok_or("the sandbox frame has no window")?;

        let on_event: Rc<dyn Fn(u32, Event)> = Rc::new(on_event);
        let frame = Rc::new(Frame {
            element,
            target: target.clone(),
            booted: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            listener: RefCell::new(None),
            on_event: Rc::clone(&on_event),
            ports: RefCell::new(HashMap::new()),
        });
        let weak = Rc::downgrade(&frame);
        let listener = Listener::new(move |event: MessageEvent| {
            let from_frame = event
                .source()
                .is_some_and(|source| Object::is(source.as_ref(), target.as_ref()));
            if !from_frame {
                return;
            }
            let data = event.data();
            match field_str(&data, "kind").as_deref() {
                Some("hello") => {
                    if let Some(frame) = weak.upgrade() {
                        frame.boot();
                    }
                }
                Some("worker") => {
                    if let Some((wid, parsed)) = parse_worker(&data) {
                        on_event(wid, parsed);
                    }
                }
                Some("snapshot") if field_str(&data, "language").as_deref() == Some("python") => {
                    if field(&data, "failed").as_bool() == Some(true) {
                        on_snapshot(SnapshotEvent::Failed);
                    } else if let Ok(image) = field(&data, "image").dyn_into::<ArrayBuffer>() {
                        on_snapshot(SnapshotEvent::Made(image));
                    }
                }
                _ => {}
            }
        });
        window
            .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
            .map_err(fail)?;
        *frame.listener.borrow_mut() = Some(listener);
        // A frame that loaded before this listener said hello to no one: ask again.
        frame.send(&object(&[("kind", JsValue::from_str("ping"))]), &Array::new());

        let weak = Rc::downgrade(&frame);
        let check = Closure::once_into_js(move || {
            if weak.upgrade().is_some_and(|frame| !frame.booted.get()) {
                on_dead(format!(
                    "the sandbox frame did not start (is {SANDBOX_URL} served beside the app?)"
                ));
            }
        });
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(check.unchecked_ref(), BOOT_TIMEOUT_MS)
            .map_err(fail)?;
        Ok(frame)
    }

    /// The frame answered: it gets the worker's code, then what was queued.
    fn boot(&self) {
        if self.booted.get() {
            return;
        }
        let primers = Object::new();
        for language in Language::ALL {
            let input = harness::primer(language).wire();
            let primer = object(&[
                ("harness", JsValue::from_str(harness::harness(language))),
                ("input", JsValue::from_str(&input)),
                ("function", JsValue::from_str(harness::PRIMER_FUNCTION)),
            ]);
            let _ = Reflect::set(&primers, &JsValue::from_str(language.id()), &primer);
        }
        let boot = object(&[
            ("kind", JsValue::from_str("boot")),
            ("worker", JsValue::from_str(WORKER_JS)),
            ("prelude", JsValue::from_str(JAVASCRIPT_PRELUDE)),
            ("primers", primers.into()),
        ]);
        self.send(&boot, &Array::new());
        self.booted.set(true);
        for (message, transfer) in self.queue.take() {
            self.send(&message, &transfer);
        }
    }

    fn send(&self, message: &JsValue, transfer: &Array) {
        if let Err(e) = self.target.post_message_with_transfer(message, "*", transfer) {
            web_sys::console::error_2(&JsValue::from_str("polyrun: cannot post to the sandbox"), &e);
        }
    }

    /// Posts `message` (queued until the frame is up), transferring `transfer`.
    pub(crate) fn post(&self, message: JsValue, transfer: Array) {
        if self.booted.get() {
            self.send(&message, &transfer);
        } else {
            self.queue.borrow_mut().push((message, transfer));
        }
    }

    /// Hands the frame a runtime's files (copies, transferred), and for Python a kept
    /// memory snapshot (transferred as it is).
    pub(crate) fn assets(&self, language: &str, files: &[(String, ArrayBuffer)], snapshot: Option<ArrayBuffer>) {
        let map = Object::new();
        let transfer = Array::new();
        if let Some(snapshot) = snapshot {
            let _ = Reflect::set(&map, &JsValue::from_str(SNAPSHOT_FILE), &snapshot);
            transfer.push(&snapshot);
        }
        for (name, buffer) in files {
            let copy = buffer.slice(0);
            let _ = Reflect::set(&map, &JsValue::from_str(name), &copy);
            transfer.push(&copy);
        }
        let message = object(&[
            ("kind", JsValue::from_str("assets")),
            ("language", JsValue::from_str(language)),
            ("files", map.into()),
        ]);
        self.post(message, transfer);
    }

    /// Starts worker `wid` for `language`.
    pub(crate) fn spawn(&self, wid: u32, language: &str) {
        let mut fields = vec![
            ("kind", JsValue::from_str("spawn")),
            ("wid", JsValue::from(wid)),
            ("language", JsValue::from_str(language)),
        ];
        let transfer = Array::new();
        // Without a channel (MessageChannel missing) everything goes through the frame.
        if let Ok(channel) = MessageChannel::new() {
            let on_event = Rc::clone(&self.on_event);
            let listener = Listener::new(move |event: MessageEvent| {
                if let Some(parsed) = parse_event(&event.data()) {
                    on_event(wid, parsed);
                }
            });
            let mine = channel.port1();
            mine.set_onmessage(Some(listener.as_ref().unchecked_ref()));
            let theirs = channel.port2();
            fields.push(("port", theirs.clone().into()));
            transfer.push(&theirs);
            self.ports.borrow_mut().insert(wid, (mine, listener));
        }
        self.post(object(&fields), transfer);
    }

    /// Runs `harness` in worker `wid` with `input` on its stdin.
    pub(crate) fn run(&self, wid: u32, harness: &str, input: &str) {
        self.start_run(wid, harness, input, &[]);
    }

    /// Runs `source` as a whole program in worker `wid` (through `runner`, core's runner
    /// for Python and Ruby) with `stdin`, memory beyond the runtime's capped at
    /// `memory_limit_mb`.
    pub(crate) fn run_program(&self, wid: u32, runner: &str, source: &str, stdin: &str, memory_limit_mb: u64) {
        let extra = [
            ("mode", JsValue::from_str("program")),
            ("source", JsValue::from_str(source)),
            ("memoryLimitMb", JsValue::from_f64(memory_limit_mb as f64)),
        ];
        self.start_run(wid, runner, stdin, &extra);
    }

    fn start_run(&self, wid: u32, harness: &str, input: &str, extra: &[(&str, JsValue)]) {
        let mut fields = vec![
            ("kind", JsValue::from_str("run")),
            ("type", JsValue::from_str("run")),
            ("wid", JsValue::from(wid)),
            ("harness", JsValue::from_str(harness)),
            ("input", JsValue::from_str(input)),
        ];
        fields.extend(extra.iter().cloned());
        let message = object(&fields);
        if let Some((port, _)) = self.ports.borrow().get(&wid) {
            // Posted before the frame has booted, the port's message waits in the port.
            if port.post_message(&message).is_ok() {
                return;
            }
        }
        self.post(message, Array::new());
    }

    /// Terminates worker `wid`.
    pub(crate) fn kill(&self, wid: u32) {
        if let Some((port, _)) = self.ports.borrow_mut().remove(&wid) {
            port.set_onmessage(None);
            port.close();
        }
        let message = object(&[("kind", JsValue::from_str("kill")), ("wid", JsValue::from(wid))]);
        self.post(message, Array::new());
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        for (_, (port, _)) in self.ports.take() {
            port.set_onmessage(None);
            port.close();
        }
        if let (Some(window), Some(listener)) = (web_sys::window(), self.listener.take()) {
            let _ = window.remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        }
        self.element.remove();
    }
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&out, &JsValue::from_str(key), value);
    }
    out.into()
}

fn field(data: &JsValue, key: &str) -> JsValue {
    if !data.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn field_str(data: &JsValue, key: &str) -> Option<String> {
    field(data, key).as_string()
}

/// A worker's message relayed by the frame, checked: anything malformed is dropped.
fn parse_worker(data: &JsValue) -> Option<(u32, Event)> {
    let wid = field(data, "wid").as_f64().filter(|w| w.fract() == 0.0 && *w >= 0.0)?;
    let wid = u32::try_from(wid as u64).ok()?;
    Some((wid, parse_event(data)?))
}

/// A worker's message (relayed, or on its channel), checked: anything malformed is dropped.
fn parse_event(data: &JsValue) -> Option<Event> {
    let event = match field_str(data, "type")?.as_str() {
        "ready" => Event::Ready,
        "error" => Event::Error(field_str(data, "message").unwrap_or_default()),
        "fault" => Event::Fault(field_str(data, "message").unwrap_or_default()),
        "out" => {
            let fd = match field(data, "fd").as_f64() {
                Some(1.0) => 1,
                Some(2.0) => 2,
                _ => return None,
            };
            let bytes: Uint8Array = field(data, "bytes").dyn_into().ok()?;
            Event::Out(fd, bytes.to_vec())
        }
        "end" => {
            let end = if let Some(code) = field(data, "exit").as_f64() {
                WorkerEnd::Exit(code as i32)
            } else if field(data, "stack").as_bool() == Some(true) {
                WorkerEnd::Stack
            } else if field(data, "memory").as_bool() == Some(true) {
                WorkerEnd::Memory
            } else {
                WorkerEnd::Crash(field_str(data, "crash").unwrap_or_else(|| "the runtime stopped".to_owned()))
            };
            Event::End(end)
        }
        _ => return None,
    };
    Some(event)
}

// polyrun's sandbox worker: one harness session of Python (Pyodide), Ruby (ruby.wasm) or
// JavaScript (the browser's engine), in a classic Worker started from a blob: URL inside the
// opaque-origin iframe (sandbox.html). It never fetches anything: the runtime files arrive
// as ArrayBuffers (or a compiled WebAssembly.Module) in the `init` message.
//
// Messages in:   {type: "init", language, files: {name: ArrayBuffer}, modules: {name: Module},
//                 prelude, makeSnapshot, warmup, prime: {harness, input, function} | null}
//                {type: "run", harness, input}          (once; the worker is single-use)
//                {type: "run", mode: "program", harness: runner, source, input: stdin,
//                 memoryLimitMb}                        a whole program (the playground), as
//                                                       `polyrun run` runs it: Python and Ruby
//                                                       through core's runner (run.py, run.rb)
//                                                       with the source as its argument,
//                                                       JavaScript as main.js after the prelude
//
// Priming: before it reports ready, a worker runs core's primer (a trivial function, two
// tests) through the real harness, its output kept to itself, so that the harness is loaded
// and compiled and the paths every run takes are warm when the user's one session comes.
// Nothing of the user's ever runs before it; the primer's own global is removed again.
// Messages out:  {type: "ready", ms}                     runtime started, instance prepared
//                {type: "snapshot", image: Uint8Array}   Python: a fresh interpreter's memory
//                {type: "warm", ms}                      a warm-up worker is done (see WARMUP)
//                {type: "error", message}                the runtime did not start
//                {type: "out", fd, bytes: Uint8Array}    stdout (1) / stderr (2), as they come
//                {type: "end", exit: code} | {type: "end", crash: message}
//                | {type: "end", stack: true} | {type: "end", memory: true}
//
// Before user code runs, the worker removes what it must not use (network, storage, nested
// workers, messaging): CSP blocks those anyway, and the iframe's origin is opaque.
"use strict";
(() => {
  const scope = self;
  const post = scope.postMessage.bind(scope);
  const portPost = MessagePort.prototype.postMessage;
  /** The app's own channel to this worker (see init): runs come in and output goes out on
   * it, past the frame's thread; null: everything goes through the frame. */
  let port = null;
  /** Posts a session's message (out, end) to the app. */
  const toHost = (msg, transfer) => (port ? portPost.call(port, msg, transfer || []) : post(msg, transfer || []));
  const loadScript = scope.importScripts.bind(scope);
  const createObjectURL = URL.createObjectURL.bind(URL);
  const revokeObjectURL = URL.revokeObjectURL.bind(URL);
  const BlobCtor = Blob;
  const ResponseCtor = Response;
  const now = performance.now.bind(performance);
  const indirectEval = eval;
  const encoder = new TextEncoder();
  const RECORD_START = 0x1e;
  /** The sandbox's own scripts, as stack traces name them (see the sourceURL comments). */
  const SANDBOX_SCRIPTS = ["polyrun-sandbox-worker.js", "prelude.js", "harness.js"];
  const NEWLINE = 0x0a;
  /** Output forwarded per session at most (a record may be up to 32 MiB). */
  const OUTPUT_BUDGET = 64 * 1024 * 1024;
  /** Coalesced output is flushed at least this often (ms) while the program writes. */
  const FLUSH_INTERVAL = 1;

  let language = null;
  let runtime = null; // { run(harness, input) -> Promise<end>, memoryBytes() -> number|null }
  /** Linear memory the session may reach (the runtime's size at the run's start plus the
   * problem's memory_limit_mb), checked whenever the program writes; null: not checked. */
  let memoryCap = null;
  /** A memory grow past memoryCap was refused (see guardMemory): the session ends at the
   * memory limit, as the grader's limiter traps such a grow. */
  let memoryHit = false;
  let state = "idle"; // idle -> starting -> priming -> ready -> running -> ended
  /** What the primer wrote (stdout, then stderr), kept to check that the harness answered. */
  let primed = { out: [], err: [], size: 0 };
  const PRIMER_KEEP = 64 * 1024;
  /** How many times a worker runs the primer before it reports ready. */
  const PRIMER_ROUNDS = 5;

  // ---------------------------------------------------------------------------------------
  // Output: forwarded as bytes, coalesced a little, records flushed at once

  let sent = 0;
  let pendingFd = 0;
  let pendingParts = [];
  let pendingSize = 0;
  let lastFlush = 0;
  let inRecord = false;

  function flush() {
    if (pendingSize === 0) return;
    let bytes;
    if (pendingParts.length === 1) {
      bytes = pendingParts[0];
    } else {
      bytes = new Uint8Array(pendingSize);
      let at = 0;
      for (const part of pendingParts) {
        bytes.set(part, at);
        at += part.length;
      }
    }
    pendingParts = [];
    pendingSize = 0;
    lastFlush = now();
    toHost({ type: "out", fd: pendingFd, bytes }, [bytes.buffer]);
  }

  /** Whether `bytes` opens or closes a record (tracked across chunks). */
  function touchesRecord(bytes) {
    let touched = false;
    let at = 0;
    for (;;) {
      if (inRecord) {
        const end = bytes.indexOf(NEWLINE, at);
        if (end < 0) return touched;
        inRecord = false;
        touched = true;
        at = end + 1;
      } else {
        const start = bytes.indexOf(RECORD_START, at);
        if (start < 0) return touched;
        inRecord = true;
        touched = true;
        at = start + 1;
      }
    }
  }

  function write(fd, view) {
    if (state === "priming") {
      if (primed.size < PRIMER_KEEP) {
        primed.size += view.length;
        (fd === 2 ? primed.err : primed.out).push(view.slice(0, PRIMER_KEEP));
      }
      return;
    }
    if (state === "starting" || state === "ready") {
      // Start-up chatter (before any run) goes to the console.
      const text = new TextDecoder().decode(view);
      (fd === 2 ? console.warn : console.log)(`[polyrun ${language}] ${text}`);
      return;
    }
    if (state !== "running" || view.length === 0) return;
    if (memoryHit || (memoryCap !== null && (runtime.memoryBytes() ?? 0) > memoryCap)) {
      // As the grader's limiter would have: the test in flight ends at the memory limit.
      finish({ memory: true });
      return;
    }
    const room = OUTPUT_BUDGET - sent;
    if (room <= 0) return;
    const bytes = view.slice(0, Math.min(room, view.length));
    sent += bytes.length;
    if (pendingSize > 0 && pendingFd !== fd) flush();
    pendingFd = fd;
    pendingParts.push(bytes);
    pendingSize += bytes.length;
    const record = fd === 1 && touchesRecord(bytes);
    if (record || pendingSize >= 65536 || now() - lastFlush >= FLUSH_INTERVAL || takeToken()) flush();
  }

  // Writes are forwarded at once (so that what a program printed before it hangs is seen)
  // unless it writes in a flood: then they are coalesced, one message per millisecond.
  const BURST = 256;
  const TOKENS_PER_MS = 2;
  let tokens = BURST;
  let tokensAt = 0;

  function takeToken() {
    const t = now();
    tokens = Math.min(BURST, tokens + (t - tokensAt) * TOKENS_PER_MS);
    tokensAt = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  /**
   * Refuses a grow of a wasm memory past memoryCap while a session runs (Pyodide grows its
   * memory from JavaScript: Emscripten's allocator then tries smaller sizes and finally
   * fails, a MemoryError). A grow that succeeds afterwards (a smaller retry) clears it.
   * Ruby grows its memory inside wasm: it is measured when it writes (see write).
   */
  function guardMemory() {
    const proto = WebAssembly.Memory.prototype;
    const grow = proto.grow;
    proto.grow = function guardedGrow(pages) {
      if (state === "running" && memoryCap !== null) {
        const after = this.buffer.byteLength + Number(pages) * 65536;
        if (after > memoryCap) {
          memoryHit = true;
          throw new RangeError("WebAssembly.Memory.grow(): over the sandbox's memory limit");
        }
      }
      const before = grow.call(this, pages);
      memoryHit = false;
      return before;
    };
  }
  guardMemory();

  function writeText(fd, text) {
    write(fd, encoder.encode(String(text)));
  }

  function finish(end) {
    if (state !== "running") return;
    flush();
    state = "ended";
    toHost({ type: "end", ...end });
  }

  /** How a runtime failure ends the session. */
  function classify(error) {
    const message = describe(error);
    if (/maximum call stack size exceeded|too much recursion/i.test(message)) return { stack: true };
    if (/out of memory|memory\.grow|cannot allocate|array buffer allocation failed/i.test(message)) {
      return { memory: true };
    }
    return { crash: `the runtime stopped: ${message}` };
  }

  function describe(error) {
    try {
      if (error instanceof Error) return `${error.name}: ${error.message}`;
      return String(error);
    } catch {
      return "unknown error";
    }
  }

  // ---------------------------------------------------------------------------------------
  // Locking the global scope down before user code runs

  const FORBIDDEN = [
    "fetch",
    "XMLHttpRequest",
    "WebSocket",
    "WebSocketStream",
    "WebTransport",
    "EventSource",
    "importScripts",
    "indexedDB",
    "IDBFactory",
    "caches",
    "CacheStorage",
    "cookieStore",
    "BroadcastChannel",
    "Worker",
    "SharedWorker",
    "ServiceWorker",
    "postMessage",
    "close",
    "requestFileSystem",
    "webkitRequestFileSystem",
    "webkitRequestFileSystemSync",
    "webkitResolveLocalFileSystemURL",
    "webkitResolveLocalFileSystemSyncURL",
  ];

  function lockDown() {
    for (const name of FORBIDDEN) {
      for (let obj = scope; obj !== null && obj !== Object.prototype; obj = Object.getPrototypeOf(obj)) {
        if (Object.prototype.hasOwnProperty.call(obj, name)) {
          try {
            delete obj[name];
          } catch {
            // not configurable: hidden below instead
          }
        }
      }
      if (name in scope) {
        try {
          Object.defineProperty(scope, name, { value: undefined, writable: false, configurable: false });
        } catch {
          // nothing more to do
        }
      }
    }
    try {
      const storage = scope.navigator && Object.getPrototypeOf(scope.navigator);
      for (const name of ["storage", "locks", "serviceWorker", "sendBeacon"]) {
        if (storage && Object.prototype.hasOwnProperty.call(storage, name)) delete storage[name];
      }
    } catch {
      // best effort
    }
  }

  // ---------------------------------------------------------------------------------------
  // Loading scripts from memory

  /** Runs a classic script given as bytes or text, under `name` in stack traces. */
  function importBytes(bytes, name) {
    const suffix = `\n//# sourceURL=${name}\n`;
    const url = createObjectURL(new BlobCtor([bytes, suffix], { type: "text/javascript" }));
    try {
      loadScript(url);
    } finally {
      revokeObjectURL(url);
    }
  }

  function required(files, name) {
    const value = files && files[name];
    if (!value) throw new Error(`the runtime file ${name} was not provided`);
    return value;
  }

  // ---------------------------------------------------------------------------------------
  // Python: Pyodide

  /**
   * Runs `work` while the worker looks like a module worker to Pyodide: its loader refuses a
   * classic worker (it tells one by calling importScripts), where it could not import() its
   * module scripts itself. Here the worker imports them (see importModule) and hands them
   * over, so the check does not apply; importScripts is back afterwards.
   */
  async function asModuleWorker(work) {
    const own = Object.prototype.hasOwnProperty.call(scope, "importScripts");
    const saved = scope.importScripts;
    scope.importScripts = undefined;
    try {
      return await work();
    } finally {
      if (own) scope.importScripts = saved;
      else delete scope.importScripts;
    }
  }

  /** Imports an ES module given as bytes (from a blob: URL: nothing leaves the worker). */
  async function importModule(bytes, name) {
    const url = createObjectURL(new BlobCtor([bytes, `\n//# sourceURL=${name}\n`], { type: "text/javascript" }));
    try {
      return await import(url);
    } finally {
      revokeObjectURL(url);
    }
  }

  async function startPython(files, modules, makeSnapshot) {
    const served = {
      "python_stdlib.zip": ["application/zip", required(files, "python_stdlib.zip")],
      "pyodide.asm.wasm": ["application/wasm", files["pyodide.asm.wasm"] || new ArrayBuffer(0)],
    };
    // Pyodide fetches these two files; they are served from memory.
    scope.fetch = async (resource) => {
      const url = String(typeof resource === "object" && resource && "url" in resource ? resource.url : resource);
      const name = url.split(/[?#]/)[0].split("/").pop();
      const entry = served[name];
      if (!entry) throw new TypeError(`the sandbox has no network (${name})`);
      return new ResponseCtor(entry[1], { status: 200, headers: { "Content-Type": entry[0] } });
    };
    // A module compiled by the iframe saves compiling it again in every worker.
    const compiled = modules && modules["pyodide.asm.wasm"];
    if (compiled instanceof WebAssembly.Module) {
      const streaming = WebAssembly.instantiateStreaming;
      WebAssembly.instantiateStreaming = async (source, imports) => {
        WebAssembly.instantiateStreaming = streaming;
        const instance = await WebAssembly.instantiate(compiled, imports);
        return { instance, module: compiled };
      };
    }
    // The first worker makes a memory snapshot of a fresh interpreter; the next ones start
    // from it (a few hundred ms instead of seconds). Nothing of a run is ever in it.
    const snapshot = files["pyodide.snapshot"];
    const pyodide = await asModuleWorker(async () => {
      const loader = await importModule(required(files, "pyodide.mjs"), "pyodide.mjs");
      const emscripten = await importModule(required(files, "pyodide.asm.mjs"), "pyodide.asm.mjs");
      const options = {
        // Nothing is fetched from these (an address that cannot resolve): the loader and the
        // Emscripten module are given, the lock file's text too, the rest is served above.
        indexURL: "https://sandbox.invalid/python/",
        packageBaseUrl: "https://sandbox.invalid/python/",
        lockFileContents: new TextDecoder().decode(required(files, "pyodide-lock.json")),
        createPyodideModule: emscripten.default,
        checkAPIVersion: true,
        env: { HOME: "/home/pyodide" },
        packages: [],
      };
      if (snapshot instanceof ArrayBuffer) options._loadSnapshot = new Uint8Array(snapshot);
      else if (makeSnapshot) options._makeSnapshot = true;
      return loader.loadPyodide(options);
    });
    if (!(snapshot instanceof ArrayBuffer)) {
      // What the harness imports first; loading them now takes it off the run's time.
      pyodide.runPython("import io, json, math, sys, time");
      if (makeSnapshot) {
        try {
          const image = pyodide.makeMemorySnapshot();
          post({ type: "snapshot", image }, [image.buffer]);
        } catch (error) {
          post({ type: "snapshot", image: null, message: describe(error) });
        }
      }
    }
    let input = new Uint8Array(0);
    let inputAt = 0;
    pyodide.setStdin({
      isatty: false,
      read(buffer) {
        const n = Math.min(buffer.length, input.length - inputAt);
        buffer.set(input.subarray(inputAt, inputAt + n));
        inputAt += n;
        return n;
      },
    });
    pyodide.setStdout({ isatty: false, write: (buffer) => (write(1, buffer), buffer.length) });
    pyodide.setStderr({ isatty: false, write: (buffer) => (write(2, buffer), buffer.length) });
    // The harness is compiled once per worker and run in a fresh namespace each session.
    const session = pyodide.runPython(
      `
def _polyrun_sessions():
    compiled = {}
    def run(text):
        code = compiled.get(text)
        if code is None:
            compiled.clear()
            code = compiled[text] = compile(text, "<string>", "exec", dont_inherit=True)
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    return run
_polyrun_sessions()
`,
      { globals: pyodide.globals.get("dict")(), filename: "<polyrun>" },
    );
    const pyMemory = () => {
      const m = pyodide._module;
      const buffer = (m && m.wasmMemory && m.wasmMemory.buffer) || (m && m.HEAPU8 && m.HEAPU8.buffer);
      return buffer ? buffer.byteLength : null;
    };
    /** Runs `text` (the harness, or a runner) as `python -c` would, with `stdin`. */
    const execute = (text, stdin) => {
      input = encoder.encode(stdin);
      inputAt = 0;
      try {
        session(text);
        return { exit: 0 };
      } catch (error) {
        if (error && error.constructor && error.constructor.name === "PythonError") {
          return pythonExit(error);
        }
        if (error && typeof error.status === "number") return { exit: error.status };
        return classify(error);
      } finally {
        // As the interpreter does at exit: what the program left in its buffers is out.
        flushPython(pyodide);
      }
    };
    return {
      memoryBytes: pyMemory,
      warm: (code) => pyodide.runPython(code),
      run: async (harness, stdin) => execute(harness, stdin),
      /** `python -I -c RUNNER SOURCE`, as the grader runs a whole program. */
      async program(runner, source, stdin) {
        pyodide.pyimport("sys").argv = pyodide.toPy(["-c", source]);
        return execute(runner, stdin);
      },
    };
  }

  /** Flushes Python's stdout and stderr (a program may have closed or replaced them). */
  function flushPython(pyodide) {
    try {
      pyodide.runPython(
        "import sys\nfor _s in (sys.stdout, sys.stderr):\n    try:\n        _s.flush()\n    except Exception:\n        pass\n",
        { globals: pyodide.globals.get("dict")() },
      );
    } catch {
      // nothing more to do
    }
  }

  /** `python -c` prints an escaping exception and exits 1; SystemExit carries its status. */
  function pythonExit(error) {
    const text = String(error.message || "");
    if (error.type === "SystemExit") {
      const last = text.trimEnd().split("\n").pop() || "";
      const m = /^SystemExit:\s*(.*)$/.exec(last);
      const arg = m ? m[1].trim() : "";
      if (arg === "" || arg === "None") return { exit: 0 };
      if (/^-?\d+$/.test(arg)) return { exit: Number(arg) & 0xff };
      writeText(2, `${arg}\n`);
      return { exit: 1 };
    }
    writeText(2, text.endsWith("\n") ? text : `${text}\n`);
    return { exit: 1 };
  }

  // ---------------------------------------------------------------------------------------
  // Ruby: ruby.wasm

  /** The arguments the grader starts ruby.wasm with (grader/src/session.rs). */
  const RUBY_ARGS = ["ruby", "--disable-gems", "-EUTF-8", "-e_=0"];

  async function startRuby(files, modules) {
    importBytes(required(files, "ruby-glue.js"), "ruby-glue.js");
    const { RubyVM, WASI, WASIProcExit, File, OpenFile, ConsoleStdout } = scope.PolyrunRuby;
    delete scope.PolyrunRuby;
    let module = modules && modules["ruby+stdlib.wasm"];
    if (!(module instanceof WebAssembly.Module)) {
      module = await WebAssembly.compile(required(files, "ruby+stdlib.wasm"));
    }
    const fds = [new OpenFile(new File(new Uint8Array(0), { readonly: true })), pipe(ConsoleStdout, 1), pipe(ConsoleStdout, 2)];
    const wasi = new WASI(["ruby"], [], fds, { debug: false });
    // The process ends at proc_exit: what runs while the exception unwinds is not seen.
    const procExit = wasi.wasiImport.proc_exit;
    wasi.wasiImport.proc_exit = (code) => {
      if (state === "running") finish({ exit: code });
      return procExit(code);
    };
    const { vm } = await RubyVM.instantiateModule({ module, wasip1: wasi, args: RUBY_ARGS });
    // What the harness requires first; loading it now takes it off the run's time.
    vm.eval('require "json"; require "stringio"');
    // The harness is compiled once per worker (kept in a global the session's own code
    // could only spoil for itself: a worker runs one user session).
    let compiled = null;
    const session = (harness) => {
      const end = "POLYRUN_HARNESS_END";
      if (compiled !== harness && !harness.split("\n").includes(end)) {
        vm.eval(`$polyrun_harness = RubyVM::InstructionSequence.compile(<<~'${end}', "harness.rb")\n${harness}\n${end}\n`);
        compiled = harness;
      }
      if (compiled === harness) vm.eval("$polyrun_harness.eval");
      else vm.eval(harness);
    };
    return {
      memoryBytes: () => {
        const memory = vm.instance && vm.instance.exports && vm.instance.exports.memory;
        return memory ? memory.buffer.byteLength : null;
      },
      warm: (code) => vm.eval(code),
      forget(name) {
        if (/^[A-Za-z_]\w*$/.test(name)) {
          vm.eval(`Object.send(:remove_method, :${name}) if Object.private_method_defined?(:${name})`);
        }
      },
      run: async (harness, input) => execute(() => session(harness), input),
      /** The grader's `ruby ... -- SOURCE` with core's runner: ARGV is [source]. */
      program: async (runner, source, input) =>
        execute(() => {
          vm.eval(`ARGV.replace([${rubyString(source)}])`);
          session(runner);
        }, input),
    };

    /** Runs `f` with `input` on stdin; how the script ended. */
    function execute(f, input) {
      // Each session reads its own stdin from the start.
      fds[0] = new OpenFile(new File(encoder.encode(input), { readonly: true }));
      try {
        f();
        return { exit: 0 };
      } catch (error) {
        if (error instanceof WASIProcExit) return { exit: error.code };
        if (error && error.constructor && error.constructor.name === "RbError") {
          return { crash: `the runtime stopped: an exception escaped the ruby script: ${error.message}` };
        }
        return classify(error);
      }
    }
  }

  /** `text` as a Ruby string literal (UTF-8; no interpolation). */
  function rubyString(text) {
    let out = '"';
    for (const ch of String(text)) {
      const c = ch.codePointAt(0);
      if (ch === '"' || ch === "\\" || ch === "#") out += `\\${ch}`;
      else if (c >= 0x20 && c < 0x7f) out += ch;
      else out += `\\u{${(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c).toString(16)}}`;
    }
    return `${out}"`;
  }

  /**
   * A WASI output stream that is not a terminal (as the grader's pipes are not): programs
   * then print no colours and buffer as they would into a pipe.
   */
  function pipe(ConsoleStdout, fd) {
    const stream = new ConsoleStdout((bytes) => write(fd, bytes));
    const fdstat = stream.fd_fdstat_get.bind(stream);
    const filestat = stream.fd_filestat_get.bind(stream);
    const FILETYPE_UNKNOWN = 0;
    stream.fd_fdstat_get = () => {
      const result = fdstat();
      if (result.fdstat) result.fdstat.fs_filetype = FILETYPE_UNKNOWN;
      return result;
    };
    stream.fd_filestat_get = () => {
      const result = filestat();
      if (result.filestat) result.filestat.filetype = FILETYPE_UNKNOWN;
      return result;
    };
    return stream;
  }

  // ---------------------------------------------------------------------------------------
  // JavaScript: the browser's engine with core's prelude (the `__polyrun` host object)

  class ExitSignal {
    constructor(code) {
      this.code = code;
    }
  }

  async function startJavascript(prelude) {
    if (typeof prelude !== "string") throw new Error("the JavaScript prelude was not provided");
    const nativeSetTimeout = setTimeout;
    const channel = new MessageChannel();
    const waiting = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    /** Resolves after every queued microtask has run (one macrotask later). */
    const settle = () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(0);
      });
    const rejections = [];
    scope.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      rejections.push([event.promise, event.reason]);
    });
    scope.addEventListener("rejectionhandled", (event) => {
      const at = rejections.findIndex(([p]) => p === event.promise);
      if (at >= 0) rejections.splice(at, 1);
    });
    scope.addEventListener("error", (event) => event.preventDefault());

    let input = "";
    let inputAt = 0;
    let exitCode = null;
    /** The harness, compiled: {text, run}. */
    let compiled = null;

    const host = {
      filename: "harness.js",
      evalScript(source, filename) {
        const text = String(source);
        const name = filename === undefined ? "<eval>" : String(filename);
        if (isExpression(text)) return indirectEval(`${text}\n//# sourceURL=${name}`);
        // A classic script: top-level let/const/class stay visible to later scripts.
        try {
          importBytes(text, name);
        } catch (error) {
          if (error instanceof SyntaxError) throw located(error, text, name);
          throw error;
        }
        return undefined;
      },
      readStdin() {
        const rest = input.slice(inputAt);
        inputAt = input.length;
        return rest;
      },
      readLine() {
        if (inputAt >= input.length) return null;
        const end = input.indexOf("\n", inputAt);
        let line;
        if (end < 0) {
          line = input.slice(inputAt);
          inputAt = input.length;
        } else {
          line = input.slice(inputAt, end);
          inputAt = end + 1;
        }
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      },
      writeStdout: (text) => writeText(1, text),
      writeStderr: (text) => writeText(2, text),
      now,
      exit(code) {
        const n = Number(code);
        exitCode = Number.isFinite(n) ? Math.trunc(n) & 0xff : 0;
        // The process ends here: nothing the program does afterwards is seen.
        finish({ exit: exitCode });
        throw new ExitSignal(exitCode);
      },
    };
    Object.defineProperty(scope, "__polyrun", { value: host, configurable: true, writable: false, enumerable: false });
    indirectEval(`${prelude}\n//# sourceURL=prelude.js`);
    const hooks = host.hooks;
    if (!hooks) throw new Error("the prelude registered no hooks");
    // The process as the prelude made it: the primer's harness wraps process.exit and
    // listens for 'exit'; both are put back after each primer round (see forget).
    const proc = scope.process;
    const processExit = proc && proc.exit;

    /** Hands an exception to the prelude; true when the program must end. */
    function uncaught(value, fromPromise, promise) {
      if (value instanceof ExitSignal) return true;
      withoutSandboxFrames(value);
      let status;
      try {
        status = hooks.uncaught(value, fromPromise, promise);
      } catch (error) {
        if (error instanceof ExitSignal) return true;
        writeText(2, `Uncaught ${describe(value)}\n`);
        status = 1;
      }
      if (status === null || status === undefined) return false;
      exitCode = Number(status) & 0xff;
      return true;
    }

    /** Runs `f`; false when the program must end. */
    function step(f) {
      try {
        f();
        return true;
      } catch (error) {
        return !uncaught(error, false);
      }
    }

    return {
      forget(name) {
        delete scope[name];
        // The user's session gets the process as a fresh one has it: the primer's 'exit'
        // listeners and process.exit wrappers are gone.
        if (proc && typeof proc.removeAllListeners === "function") proc.removeAllListeners("exit");
        if (proc && processExit) proc.exit = processExit;
      },
      async run(harness, stdin) {
        // The harness (one strict IIFE) is compiled once per worker: loading a script from
        // a blob: URL costs milliseconds every time.
        if (compiled === null || compiled.text !== harness) {
          // eslint-disable-next-line no-new-func
          compiled = { text: harness, run: new Function(`${harness}\n//# sourceURL=harness.js`) };
        }
        return loop(() => compiled.run.call(scope), stdin);
      },
      /** `polyrun-js main.js SOURCE`: the program as a classic script, then the event loop. */
      async program(_runner, source, stdin) {
        const process = scope.process;
        if (process && Array.isArray(process.argv)) process.argv[1] = "main.js";
        scope.__filename = "main.js";
        return loop(() => host.evalScript(source, "main.js"), stdin);
      },
    };

    /** Runs `first`, then the event loop until the program is done; how it ended. */
    async function loop(first, stdin) {
      input = String(stdin);
      inputAt = 0;
      exitCode = null;
      rejections.length = 0;
      let alive = step(first);
      while (alive && exitCode === null) {
        // process.nextTick callbacks and promise jobs until both are empty.
        let ranTicks = true;
        while (alive && ranTicks) {
          await settle();
          if (exitCode !== null) break;
          ranTicks = false;
          alive = step(() => {
            ranTicks = hooks.runTicks();
          });
        }
        if (!alive || exitCode !== null) break;
        // Rejection events come one task after the job that rejected.
        await new Promise((resolve) => nativeSetTimeout(resolve, 0));
        if (rejections.length > 0) {
          const list = rejections.splice(0);
          for (const [promise, reason] of list) {
            if (uncaught(reason, true, promise)) {
              alive = false;
              break;
            }
          }
          continue;
        }
        let more = false;
        alive = step(() => {
          more = hooks.runMacrotask();
        });
        if (alive && !more) {
          await settle();
          if (rejections.length > 0 || exitCode !== null) continue;
          break;
        }
      }
      if (exitCode === null && state === "priming") {
        // The primer ran to its end. hooks.exitCode() is not called for it: it emits the
        // process's 'exit' event, which a process emits once, and the prelude would then
        // never emit it for the user's session (whose harness reports a test still in
        // flight from its 'exit' listener: a promise that never settles, say).
        exitCode = 0;
      }
      if (exitCode === null) {
        try {
          exitCode = Number(hooks.exitCode()) & 0xff;
        } catch (error) {
          if (!(error instanceof ExitSignal)) exitCode = uncaught(error, false) ? (exitCode ?? 1) : 0;
        }
      }
      return { exit: exitCode ?? 0 };
    }
  }

  /**
   * Drops the sandbox's own frames (this file's) from an error's stack, so that an uncaught
   * error shows the program's frames only, as `polyrun run` does.
   */
  function withoutSandboxFrames(value) {
    if (!(value instanceof Error)) return;
    try {
      const { stack } = value;
      const ours = (line) => SANDBOX_SCRIPTS.some((script) => line.includes(`${script}:`));
      if (typeof stack !== "string" || !stack.split("\n").some(ours)) return;
      const kept = stack.split("\n").filter((line) => !ours(line));
      Object.defineProperty(value, "stack", { value: kept.join("\n"), writable: true, configurable: true });
    } catch {
      // A frozen error or a throwing getter: left as it is.
    }
  }

  /**
   * A script's SyntaxError as the engine would give it: its own message (importScripts adds
   * a prefix) and the line in `stack` ("name:LINE", where the harness looks). V8 does not
   * tell where a syntax error is, so the line is the shortest prefix of the source that
   * fails to parse with the same message (the last line when the input ends too early).
   */
  function located(error, text, name) {
    const message = String(error.message).replace(/^Failed to execute 'importScripts' on '[^']*': /, "");
    const lines = text.split("\n");
    const parseError = (n) => {
      try {
        // eslint-disable-next-line no-new-func
        new Function(lines.slice(0, n).join("\n"));
        return null;
      } catch (e) {
        return e instanceof SyntaxError ? e.message : null;
      }
    };
    let line = null;
    if (/unexpected end of input/i.test(message)) {
      line = lines.length;
    } else if (parseError(lines.length) === message) {
      let lo = 1;
      let hi = lines.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (parseError(mid) === message) hi = mid;
        else lo = mid + 1;
      }
      line = lo;
    }
    const clean = new SyntaxError(message);
    Object.defineProperty(clean, "stack", {
      value: line === null ? `SyntaxError: ${message}` : `SyntaxError: ${message}\n    at ${name}:${line}`,
      writable: true,
      configurable: true,
    });
    return clean;
  }

  /** Whether `text` is a single expression (so indirect eval gives script semantics). */
  function isExpression(text) {
    try {
      // eslint-disable-next-line no-new-func
      new Function(`return (${text}\n);`);
      return true;
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Warming up: a throwaway worker runs a typical workload once, so that the engine has
  // optimised the interpreter's hot functions (the compiled module, and with it the
  // optimised code, is shared by every worker) before the first real run is timed.

  const WARMUP = {
    python: `
import io, json
def _warm():
    out = io.StringIO()
    counts = {}
    for i in range(150000):
        counts[i % 997] = counts.get(i % 997, 0) + i
        print(i, file=out)
        s = "a%d" % i
    xs = sorted((x * 2 for x in range(60000) if x % 3), key=lambda v: -v)
    json.loads(json.dumps(xs[:20000]))
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    fib(20)
    return len(out.getvalue())
_warm()
`,
    ruby: `
require "json"
require "stringio"
out = StringIO.new
counts = Hash.new(0)
150_000.times do |i|
  counts[i % 997] += i
  out.puts(i)
  s = "a#{i}"
end
xs = (1..60_000).map { |x| x * 2 }.select { |x| x % 3 != 0 }.sort_by { |v| -v }
JSON.parse(JSON.generate(xs.first(20_000)))
def polyrun_warm_fib(n) = n < 2 ? n : polyrun_warm_fib(n - 1) + polyrun_warm_fib(n - 2)
polyrun_warm_fib(20)
out.string.bytesize
`,
  };

  async function warmup(msg) {
    const started = now();
    try {
      const code = WARMUP[language];
      if (code) await runtime.warm(code);
      post({ type: "warm", ms: now() - started });
    } catch (error) {
      post({ type: "warm", ms: now() - started, message: describe(error) });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Messages

  async function init(msg) {
    const started = now();
    language = String(msg.language);
    if (msg.port instanceof MessagePort) {
      port = msg.port;
      port.onmessage = (event) => {
        if (event.data && event.data.type === "run") run(event.data);
      };
    }
    state = "starting";
    try {
      if (language === "python") {
        runtime = await startPython(msg.files || {}, msg.modules || {}, msg.makeSnapshot === true);
      }
      else if (language === "ruby") runtime = await startRuby(msg.files || {}, msg.modules || {});
      else if (language === "javascript") runtime = await startJavascript(msg.prelude);
      else throw new Error(`unknown language '${language}'`);
    } catch (error) {
      state = "ended";
      post({ type: "error", message: describe(error) });
      return;
    }
    if (msg.warmup === true) {
      await warmup(msg);
      return;
    }
    if (msg.prime && typeof msg.prime === "object") {
      // A few times: CPython specialises its bytecode after several runs of it, and the
      // engine optimises what it sees run often.
      for (let round = 0; round < PRIMER_ROUNDS; round++) {
        const problem = await prime(msg.prime);
        if (problem !== null) {
          state = "ended";
          post({ type: "error", message: problem });
          return;
        }
      }
    }
    lockDown();
    state = "ready";
    post({ type: "ready", ms: now() - started });
  }

  /** Runs core's primer through the harness; null when the harness answered as it should. */
  async function prime({ harness, input, function: name }) {
    state = "priming";
    let end;
    try {
      end = await runtime.run(String(harness), String(input));
    } catch (error) {
      end = error instanceof ExitSignal ? { exit: error.code } : classify(error);
    }
    try {
      if (runtime.forget) runtime.forget(String(name));
    } catch (error) {
      return `the primer's function could not be removed: ${describe(error)}`;
    }
    const decoder = new TextDecoder();
    const text = (parts) => parts.map((part) => decoder.decode(part)).join("");
    const out = text(primed.out);
    const err = text(primed.err);
    primed = { out: [], err: [], size: 0 };
    if (end.exit !== 0 || !out.includes('\x1e{"event":"done"}')) {
      const detail = (err || out).slice(-400).trim();
      return `the harness did not run its primer (${JSON.stringify(end)})${detail ? `: ${detail}` : ""}`;
    }
    return null;
  }

  /** Every per-session counter back to the start (after the primer). */
  function resetOutput() {
    sent = 0;
    pendingFd = 0;
    pendingParts = [];
    pendingSize = 0;
    inRecord = false;
    tokens = BURST;
    memoryCap = null;
    memoryHit = false;
  }

  async function run(msg) {
    if (state !== "ready") {
      toHost({ type: "end", crash: `the sandbox worker is not ready (${state})` });
      return;
    }
    state = "running";
    resetOutput();
    lastFlush = now();
    const program = msg.mode === "program";
    try {
      // A harness's input is lines of JSON: the header (with the limit), then the tests.
      const header = () => JSON.parse(String(msg.input).split("\n", 1)[0]);
      const limit = program ? Number(msg.memoryLimitMb) : header().memory_limit_mb;
      const base = runtime.memoryBytes ? runtime.memoryBytes() : null;
      if (Number.isFinite(limit) && Number.isFinite(base)) memoryCap = base + limit * 1024 * 1024;
    } catch {
      memoryCap = null;
    }
    let end;
    try {
      end = program
        ? await runtime.program(String(msg.harness), String(msg.source), String(msg.input))
        : await runtime.run(String(msg.harness), String(msg.input));
    } catch (error) {
      end = error instanceof ExitSignal ? { exit: error.code } : classify(error);
    }
    finish(memoryHit ? { memory: true } : end);
  }

  scope.onmessage = (event) => {
    const msg = event.data;
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "init" && state === "idle") init(msg);
    else if (msg.type === "run") run(msg);
  };
})();

//# sourceURL=polyrun-sandbox-worker.js

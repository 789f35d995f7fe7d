// polyrun's JavaScript harness: loads the user's source, calls the entry point once per
// test and reports each call as a record (see core/src/protocol.rs). Shared by the grader
// (QuickJS) and the browser worker; needs only the host object `__polyrun`
// (readLine, readStdin, writeStdout, writeStderr, evalScript, now) and runs after
// prelude.js. It reads its input a line at a time: the header, then each test's line, which
// the grader hands over only once the test before has answered.
(async function polyrunHarness() {
  "use strict";
  const host = globalThis.__polyrun;
  const FILENAME = "solution.js";
  const realOut = host.writeStdout;
  const realErr = host.writeStderr;
  const realReadLine = host.readLine;
  const realReadStdin = host.readStdin;
  const ASCII = /^[\x00-\x7f]*$/;

  // The UTF-8 length of `s` (as TextEncoder would count it), without encoding it: output
  // past the cap is only counted, and a program may print a lot of it.
  function utf8Length(s) {
    if (ASCII.test(s)) return s.length;
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
    }
    return n;
  }
  const emit = (record) => realOut.call(host, "\x1e" + asciiJson(record) + "\n");

  function asciiJson(value) {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  }

  class Capture {
    constructor(cap) { this.cap = cap; this.parts = []; this.kept = 0; this.dropped = 0; }
    write(text) {
      const s = String(text);
      const size = utf8Length(s);
      const room = this.cap - this.kept;
      if (size <= room) { this.parts.push(s); this.kept += size; return; }
      if (room > 0) {
        let cut = "";
        let used = 0;
        for (const ch of s) {
          const n = utf8Length(ch);
          if (used + n > room) break;
          cut += ch; used += n;
        }
        this.parts.push(cut); this.kept += used;
        this.dropped += size - used;
      } else {
        this.dropped += size;
      }
    }
    text() { return this.parts.join(""); }
  }

  function capture(cap) {
    const out = new Capture(cap);
    const err = new Capture(cap);
    host.writeStdout = (s) => out.write(s);
    host.writeStderr = (s) => err.write(s);
    // The user's code reads an empty stdin: the harness's input is not its input.
    host.readLine = () => null;
    host.readStdin = () => "";
    return [out, err];
  }
  function restore() {
    host.writeStdout = realOut;
    host.writeStderr = realErr;
    host.readLine = realReadLine;
    host.readStdin = realReadStdin;
  }

  function userLine(error) {
    if (error && typeof error === "object") {
      const stack = typeof error.stack === "string" ? error.stack : "";
      const m = /solution\.js:(\d+)/.exec(stack);
      if (m) return Number(m[1]);
      if (error.fileName === FILENAME && Number.isInteger(error.lineNumber)) return error.lineNumber;
    }
    return null;
  }

  function describe(error) {
    if (error instanceof Error || (error && typeof error === "object" && "message" in error)) {
      return { type: String(error.name || "Error"), message: String(error.message), line: userLine(error) };
    }
    let text;
    try { text = typeof error === "string" ? error : JSON.stringify(error) ?? String(error); } catch { text = String(error); }
    return { type: "Uncaught", message: text, line: null };
  }

  class NoJson extends Error {}

  function toJson(value, depth) {
    if (depth > 100) throw new NoJson("the value is nested more than 100 levels deep");
    if (value === null || value === undefined) return null;
    switch (typeof value) {
      case "boolean": case "string": return value;
      case "number":
        if (!Number.isFinite(value)) throw new NoJson(`the number ${value} has no JSON form`);
        return value;
      case "bigint": throw new NoJson("a BigInt has no JSON form");
      case "object": {
        if (Array.isArray(value)) {
          const out = new Array(value.length);
          for (let i = 0; i < value.length; i++) out[i] = toJson(value[i], depth + 1);
          return out;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const name = (value.constructor && value.constructor.name) || "object";
          throw new NoJson(`a value of type ${name} has no JSON form`);
        }
        const out = {};
        for (const key of Object.keys(value)) {
          if (value[key] === undefined) continue;
          out[key] = toJson(value[key], depth + 1);
        }
        return out;
      }
      default: throw new NoJson(`a value of type ${typeof value} has no JSON form`);
    }
  }

  const data = JSON.parse(realReadLine.call(host));
  const name = String(data.function);
  const cap = Number(data.output_cap);

  capture(cap);
  try {
    host.evalScript(String(data.source), FILENAME);
  } catch (error) {
    restore();
    const info = describe(error);
    const parse = error instanceof SyntaxError;
    emit({ event: parse ? "compile_error" : "load_error", error: info });
    return;
  }
  restore();

  let entry;
  if (/^[A-Za-z_$][\w$]*$/.test(name)) {
    try {
      entry = host.evalScript(`typeof ${name} === "function" ? ${name} : undefined`, "<entry>");
    } catch { entry = undefined; }
  }
  if (typeof entry !== "function") {
    emit({ event: "compile_error", error: { type: "ReferenceError", message: `the function '${name}' is not defined`, line: null } });
    return;
  }
  emit({ event: "loaded" });

  // A call that ends the program (process.exit) or whose promise never settles (the event
  // loop runs dry) leaves its test in flight: say which, as the harness's result for it
  // (the host judges it a runtime error).
  let inFlight = null;
  let inFlightStarted = 0;
  let exitCode = null;
  const proc = globalThis.process;
  if (proc && typeof proc.once === "function") {
    const realExit = proc.exit;
    if (typeof realExit === "function") {
      proc.exit = function exit(code) {
        exitCode = code === undefined ? (proc.exitCode ?? 0) : code;
        return realExit.call(this, code);
      };
    }
    proc.once("exit", () => {
      if (inFlight === null) return;
      restore();
      const error = exitCode !== null
        ? { type: "SystemExit", message: `process.exit(${exitCode}) was called`, line: null }
        : { type: "Error", message: "the returned promise never settled", line: null };
      emit({ event: "result", index: inFlight, time_ms: host.now() - inFlightStarted, error,
             stdout: "", stderr: "", stdout_dropped: 0, stderr_dropped: 0 });
    });
  }

  const count = Number(data.tests);
  for (let i = 0; i < count; i++) {
    const line = realReadLine.call(host);
    if (line === null) break;
    const test = JSON.parse(line);
    const index = test.index;
    const args = JSON.parse(test.args);
    emit({ event: "start", index });
    const [out, err] = capture(cap);
    let value;
    let error = null;
    const started = host.now();
    inFlight = index;
    inFlightStarted = started;
    try {
      value = entry(...args);
      if (value !== null && typeof value === "object" && typeof value.then === "function") {
        value = await value;
      }
    } catch (e) {
      error = describe(e);
    }
    const elapsed = host.now() - started;
    inFlight = null;
    restore();
    const record = { event: "result", index, time_ms: elapsed };
    if (error === null) {
      try {
        record.value = toJson(value, 0);
      } catch (e) {
        const message = e instanceof NoJson ? e.message : "the value is nested too deeply";
        error = { type: "TypeError", message: "the return value is not JSON: " + message, line: null };
      }
    }
    if (error !== null) { delete record.value; record.error = error; }
    record.stdout = out.text();
    record.stderr = err.text();
    record.stdout_dropped = out.dropped;
    record.stderr_dropped = err.dropped;
    emit(record);
  }
  emit({ event: "done" });
})();

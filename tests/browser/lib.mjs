// Shared helpers of the browser tests and the browser benchmark: the Chromium launch, and
// acting on the app as a user does (through its data-testid hooks, see frontend/README.md).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { after, before } from "node:test";

import { DEFAULT_SITE, REPO, serve } from "./server.mjs";

export { REPO };

const requireWeb = createRequire(join(REPO, "web", "package.json"));
/** playwright-core, from web/node_modules (a devDependency of web/). */
export const { chromium } = requireWeb("playwright-core");

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const LANGUAGES = ["python", "ruby", "javascript"];
export const POLYRUN = process.env.POLYRUN_BIN || join(REPO, "target", "release", "polyrun");
export const PROBLEMS = join(REPO, "problems");

/** Generous waits: a cold Pyodide start on a busy 2-core machine takes a while. */
export const READY_TIMEOUT = 180_000;
export const RUN_TIMEOUT = 120_000;

/**
 * A Chromium with a fresh profile (a new user-data-dir, removed by `close`).
 * Returns { context, close }: a persistent context, so that a second page load in it sees
 * the HTTP cache of the first, as a returning visitor's browser does. Other options (say
 * `isMobile`, `hasTouch`, `deviceScaleFactor`) go to Playwright's launchPersistentContext.
 */
export async function launch({ viewport = { width: 1280, height: 900 }, ...options } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "polyrun-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    ...options,
  });
  return {
    context,
    profile,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects a page's console errors and uncaught exceptions (printed when a test fails). */
export function watchPage(page, log = []) {
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") log.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => log.push(`pageerror: ${err.message}`));
  page.on("crash", () => log.push("the page crashed"));
  return log;
}

/** Opens the problem page of `id` (a URL visit, as from a bookmark). */
export async function openProblem(page, origin, id) {
  await page.goto(`${origin}/#/problems/${id}`);
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
}

/** Switches the problem shown without reloading the page (the runtimes stay loaded). */
export async function switchProblem(page, id) {
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, `#/problems/${id}`);
  await page.waitForFunction(
    (title) => document.querySelector("h1")?.textContent === title,
    problemMeta(id).title,
    { timeout: 60_000 },
  );
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
}

/** Chooses `language` in the language switcher, as a user does. */
export async function chooseLanguage(page, language) {
  await page.locator('[data-testid="language-select"]').selectOption(language);
  await page.waitForFunction(
    (l) => document.querySelector('[data-testid="editor"]')?.dataset.language === l,
    language,
    { timeout: 30_000 },
  );
}

/** Waits until the runtime of `language` is ready; fails at once when it reports an error. */
export async function waitReady(page, language, timeout = READY_TIMEOUT) {
  const handle = await page.waitForFunction(
    (l) => {
      const el = document.querySelector(`[data-testid="runtime-status"][data-language="${l}"]`);
      if (!el) return false;
      if (el.dataset.state === "ready") return { state: "ready" };
      if (el.dataset.state === "error") return { state: "error", text: el.textContent };
      return false;
    },
    language,
    { timeout, polling: 50 },
  );
  const status = await handle.jsonValue();
  if (status.state !== "ready") throw new Error(`the ${language} runtime failed to load: ${status.text}`);
}

/** The editor's text (CodeMirror's document). */
export function editorText(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="editor"]');
    return el.polyrunEditor ? el.polyrunEditor.getDoc() : el.value;
  });
}

/**
 * Sets the editor's whole document through CodeMirror (the app runs what the editor holds).
 * For long programs only: `typeCode` is what a user does.
 */
export async function setCode(page, code) {
  const kind = await page.evaluate((text) => {
    const el = document.querySelector('[data-testid="editor"]');
    if (!el.polyrunEditor) return el.dataset.editor || el.tagName;
    el.polyrunEditor.setDoc(text);
    return "codemirror";
  }, code);
  if (kind !== "codemirror") throw new Error(`the editor is not CodeMirror (${kind}): is js/editor.js served?`);
}

/**
 * Types `code` into the CodeMirror editor with the keyboard, replacing what it holds.
 * Each line is typed after the editor's own auto-indentation is removed, so the text ends
 * up exactly as given (closing brackets and quotes the editor inserts are typed over).
 */
export async function typeCode(page, code) {
  const content = page.locator('[data-testid="editor"] .cm-content');
  await content.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  const lines = code.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) {
      await page.keyboard.press("Enter");
      // Remove the auto-indentation: select to the line start and delete it.
      await page.keyboard.press("Shift+Home");
      const selected = await page.evaluate(() => {
        const view = document.querySelector('[data-testid="editor"]').polyrunEditor.view;
        const { from, to } = view.state.selection.main;
        return view.state.sliceDoc(from, to);
      });
      if (selected.length > 0) await page.keyboard.press("Backspace");
    }
    if (lines[i].length > 0) await page.keyboard.type(lines[i]);
    // Drop what closeBrackets added after the cursor on this line (typed over otherwise).
    await page.keyboard.press("Shift+End");
    const rest = await page.evaluate(() => {
      const view = document.querySelector('[data-testid="editor"]').polyrunEditor.view;
      const { from, to } = view.state.selection.main;
      return view.state.sliceDoc(from, to);
    });
    if (rest.length > 0) await page.keyboard.press("Delete");
    else await page.keyboard.press("End");
  }
  const text = await editorText(page);
  if (text !== code) {
    throw new Error(`typing did not give the intended text:\n--- typed\n${code}\n--- editor\n${text}`);
  }
}

/**
 * Clicks Run (or, `button: "submit-button"`, Submit) and waits for the outcome. Returns
 * { summary: verdict | null, summaryText, error: run-error text | null, blocked, results: [...] }
 * with each result { verdict, index, actual, expected, error, stdout, stderr, time }.
 */
export async function clickRun(page, timeout = RUN_TIMEOUT, { synthetic = false, button: testid = "run-button" } = {}) {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll(
      '[data-testid="run-summary"], [data-testid="run-error"], [data-testid="result"], [data-testid="run-blocked"]',
    )) {
      el.dataset.stale = "1";
    }
  });
  const button = page.locator(`[data-testid="${testid}"]`);
  await button.waitFor({ state: "visible" });
  await page.waitForFunction((id) => !document.querySelector(`[data-testid="${id}"]`).disabled, testid, {
    timeout,
  });
  if (synthetic) {
    // A click dispatched by script: no input event, so Chromium does not hold other tasks
    // back until the next frame as it does after real input (see tests/browser/bench.mjs).
    await page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`).click(), testid);
  } else {
    await button.click();
  }
  await page.waitForFunction(
    () => {
      const fresh = (id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].some((e) => !e.dataset.stale);
      const button = document.querySelector('[data-testid="run-button"]');
      return (fresh("run-summary") || fresh("run-error") || fresh("run-blocked")) && button && !button.disabled;
    },
    null,
    { timeout, polling: 50 },
  );
  return readResults(page);
}

/** What the results panel shows. */
export function readResults(page) {
  return page.evaluate(() => {
    const text = (root, id) => {
      const el = root.querySelector(`[data-testid="${id}"]`);
      return el ? el.textContent : null;
    };
    const summary = document.querySelector('[data-testid="run-summary"]');
    const blocked = document.querySelector('[data-testid="run-blocked"]');
    return {
      summary: summary ? summary.dataset.verdict : null,
      summaryText: summary ? summary.textContent : null,
      submissionError: text(document, "submission-error"),
      error: text(document, "run-error"),
      blocked: blocked ? blocked.textContent : null,
      results: [...document.querySelectorAll('[data-testid="result"]')].map((el) => ({
        verdict: el.dataset.verdict,
        index: Number(el.dataset.index),
        actual: text(el, "actual"),
        expected: text(el, "expected"),
        error: text(el, "error"),
        stdout: text(el, "stdout"),
        stderr: text(el, "stderr"),
        time: el.querySelector(".result-time")?.textContent ?? null,
      })),
    };
  });
}

/** A readable one-line account of a run, for assertion messages. */
export function describeRun(run) {
  const parts = [`summary=${run.summary}`];
  if (run.submissionError) parts.push(`submission-error=${JSON.stringify(run.submissionError)}`);
  if (run.error) parts.push(`run-error=${JSON.stringify(run.error)}`);
  if (run.blocked) parts.push(`blocked=${JSON.stringify(run.blocked)}`);
  run.results.forEach((r, i) => {
    let s = `#${i}:${r.verdict}`;
    if (r.verdict !== "accepted") {
      if (r.error) s += ` error=${JSON.stringify(r.error)}`;
      if (r.actual !== null) s += ` actual=${r.actual.slice(0, 200)}`;
      if (r.expected !== null) s += ` expected=${r.expected.slice(0, 200)}`;
      if (r.stderr) s += ` stderr=${JSON.stringify(r.stderr.slice(0, 300))}`;
    }
    parts.push(s);
  });
  return parts.join(" | ");
}

/** The built-in problem ids. */
export function problemIds() {
  return readdirSync(PROBLEMS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A problem's title, function and params (problem.toml, the few keys the tests need). */
export function problemMeta(id) {
  const toml = readFileSync(join(PROBLEMS, id, "problem.toml"), "utf8");
  const str = (key) => {
    const m = new RegExp(`^${key}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, "m").exec(toml);
    return m ? JSON.parse(`"${m[1]}"`) : null;
  };
  const params = /^params\s*=\s*\[([^\]]*)\]/m.exec(toml);
  return {
    title: str("title"),
    function: str("function"),
    params: params ? [...params[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]) : [],
  };
}

/** A problem's tests.json. */
export function problemTests(id) {
  return JSON.parse(readFileSync(join(PROBLEMS, id, "tests.json"), "utf8"));
}

export const EXTENSION = { python: "py", ruby: "rb", javascript: "js" };

/** The median of numbers. */
export function median(values) {
  const xs = [...values].sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/**
 * For a test file: the built site served on 127.0.0.1 and a Chromium page on it, started
 * before the file's tests (then `started` gets `{server, browser, page}`; `server.origin` is
 * the site's address) and stopped after them. Returns the page's log of console errors and
 * uncaught exceptions. `polyrun: [args…]` serves the site with `servePolyrun(args)` instead
 * (the app then names a grader); `browser` are `launch` options (say a phone's viewport).
 */
export function sitePage(started, { polyrun = null, browser = {} } = {}) {
  const session = { server: null, browser: null, page: null, log: [] };
  before(async () => {
    session.server = polyrun ? await servePolyrun(polyrun) : await serve();
    session.browser = await launch(browser);
    session.page = session.browser.context.pages()[0] || (await session.browser.context.newPage());
    watchPage(session.page, session.log);
    started(session);
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session.log;
}

/** axe-core's browser build (web/node_modules, a pinned devDependency of web/). */
let axeSource = null;

/** The serious and critical violations of an axe-core result, one readable block each. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, 8).map((n) => {
        const why = (n.any[0] || n.all[0] || n.none[0])?.message || n.failureSummary || "";
        return `    ${n.target.join(" ")}\n      ${why.replace(/\s+/g, " ")}`;
      });
      if (v.nodes.length > 8) nodes.push(`    … and ${v.nodes.length - 8} more`);
      return `- ${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${nodes.join("\n")}`;
    })
    .join("\n");
}

/**
 * Waits (at most 2 s) for the page's finite CSS transitions and animations to end, so that
 * axe measures the colours a user looks at, not a frame in between: a theme switch fades
 * `.button` backgrounds for 0.12 s while their text colour changes at once (a contrast of
 * 1.2 for that frame). Endless animations (a spinner) are left running.
 */
async function settleTransitions(page) {
  await page.evaluate(() => {
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    const timeout = new Promise((resolve) => setTimeout(resolve, 2000));
    return Promise.race([Promise.allSettled(finite.map((a) => a.finished)), timeout]);
  });
}

/**
 * Audits the page as it is now with axe-core (every rule but the experimental ones: WCAG 2.x
 * A/AA and best practices) and fails on any `serious` or `critical` violation, listing each
 * with the elements it found. `what` names the page's state in the message (say
 * "problem page, dark"). Every page of the app gets audited (tests/browser/a11y.test.mjs):
 * call `await audit(page, "my page")` once the page shows what a user sees. The sandbox
 * frame is not audited (it has no user interface). Returns axe's result (its `violations`
 * include the moderate and minor ones).
 */
export async function audit(page, what = page.url(), { exclude = [] } = {}) {
  axeSource ??= readFileSync(requireWeb.resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: axeSource });
  await settleTransitions(page);
  const result = await page.evaluate(
    (exclude) => window.axe.run({ exclude }, { iframes: false, resultTypes: ["violations"] }),
    exclude,
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length > 0) {
    throw new Error(`axe-core: ${bad.length} serious or critical violation(s) on ${what}:\n${describeViolations(bad)}`);
  }
  return result;
}

/**
 * `polyrun serve` (POLYRUN_BIN) on 127.0.0.1 (any free port) over the built site, with open
 * access and an in-memory store unless `args` say otherwise (say `["--auth", "tokens",
 * "--store", "sqlite:…"]`): the app then names a grader (Submit, Sign in). Returns
 * { origin, close }.
 */
export async function servePolyrun(args = []) {
  const store = args.includes("--store") ? [] : ["--store", "memory"];
  const child = spawn(POLYRUN, ["serve", "--addr", "127.0.0.1:0", "--site", DEFAULT_SITE, ...store, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`polyrun serve exited (${code})`)));
  });
  const origin = /http:\/\/[^/\s]+/.exec(first)?.[0];
  if (!origin) throw new Error(`polyrun serve did not say where it listens: ${first}`);
  return {
    origin,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

/** Sets a field's value as a paste would (one input event). */
export async function setField(page, testid, value) {
  await page.evaluate(
    ([id, text]) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      el.value = text;
      el.dispatchEvent(new InputEvent("input", { bubbles: true }));
    },
    [testid, value],
  );
}

/**
 * The playground: clicks Run and waits for this run's `run-status`: {status, exitCode, timeMs, text, stdout,
 * stderr, waitedMs}.
 */
export async function runPlayground(page, RUN_WAIT = RUN_TIMEOUT) {
  const before = await page.evaluate(() => Number(document.querySelector('[data-testid="run-status"]')?.dataset.run ?? 0));
  await page.locator('[data-testid="run-button"]').waitFor({ state: "visible" });
  await page.waitForFunction(() => !document.querySelector('[data-testid="run-button"]').disabled, null, { timeout: RUN_WAIT });
  const started = Date.now();
  await page.locator('[data-testid="run-button"]').click();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="run-status"]')?.dataset.run ?? 0) > n,
    before,
    { timeout: RUN_WAIT, polling: 20 },
  );
  const waitedMs = Date.now() - started;
  const shown = await page.evaluate(() => {
    const status = document.querySelector('[data-testid="run-status"]');
    return {
      status: status.dataset.status,
      exitCode: status.dataset.exitCode === undefined ? null : Number(status.dataset.exitCode),
      timeMs: status.dataset.timeMs === undefined ? null : Number(status.dataset.timeMs),
      text: status.textContent,
      stdout: document.querySelector('[data-testid="stdout"]').textContent,
      stderr: document.querySelector('[data-testid="stderr"]').textContent,
    };
  });
  return { ...shown, waitedMs };
}

/**
 * Focuses the button `testid`, presses Enter and waits for a new run summary; returns what
 * had the keyboard focus while it ran and once it was done (a `data-testid` or a tag name).
 */
export async function pressWithKeyboard(page, testid) {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('[data-testid="run-summary"]')) el.dataset.stale = "1";
  });
  await page.locator(`[data-testid="${testid}"]`).focus();
  await page.keyboard.press("Enter");
  await page.locator('[data-testid="run-progress"]').waitFor({ timeout: 10_000 });
  const focused = () => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName;
  const during = await page.evaluate(focused);
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="run-summary"]')].some((e) => !e.dataset.stale),
    null,
    { timeout: RUN_TIMEOUT },
  );
  return { during, after: await page.evaluate(focused) };
}

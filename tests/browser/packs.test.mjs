// Problem packs in the app, end to end: packs served from a second origin with CORS (built
// from the site's public problem views), loaded by URL, by file and by a shared
// `#/pack?url=` link; a pack problem run in the sandbox, kept across a reload and offline,
// removed; bad packs (404, not JSON, 50 MB with and without Content-Length, no CORS, a
// hidden test) refused with pack-error, leaving the loaded packs as they were; a statement's
// raw HTML inert; Submit graded on the pack's grader (`polyrun serve`, POLYRUN_BIN).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";

import {
  chooseLanguage,
  clickRun,
  describeRun,
  launch,
  POLYRUN,
  PROBLEMS,
  problemIds,
  problemTests,
  READY_TIMEOUT,
  setCode,
  waitReady,
  watchPage,
} from "./lib.mjs";
import { DEFAULT_SITE, serve } from "./server.mjs";

const HUGE = 50 * 1024 * 1024;
const TWO_SUM_JS =
  "function twoSum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n}\n";

/** A problem's public view, as the built site serves it. */
const publicView = (id) => JSON.parse(readFileSync(join(DEFAULT_SITE, "problems", `${id}.json`), "utf8"));
const pack = (title, problems, grader) =>
  JSON.stringify({ format: "polyrun-pack/1", title, ...(grader ? { grader } : {}), problems });

let site;
let host; // the second origin, serving packs
let grader; // polyrun serve
let graderOrigin;
let browser;
let page;
const log = [];
const dialogs = [];
const sent = {}; // bytes written per path of the pack host

/** The pack host: CORS like a static host (GitHub Pages, S3) gives, and the bad cases. */
function startPackHost(packs) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const cors = { "Access-Control-Allow-Origin": "*" };
    const huge = (headers) => {
      res.writeHead(200, { ...cors, "Content-Type": "application/json", ...headers });
      sent[path] = 0;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = () => {
        while (sent[path] < HUGE && !res.destroyed) {
          sent[path] += chunk.length;
          if (!res.write(chunk)) return res.once("drain", more);
        }
        res.end();
      };
      res.on("close", () => res.destroy());
      more();
    };
    if (path === "/huge.json") return huge({ "Content-Length": String(HUGE) });
    if (path === "/huge-stream.json") return huge({});
    if (path === "/no-cors.json") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(packs["/week1.json"]);
    }
    if (path === "/not-json.json") {
      res.writeHead(200, { ...cors, "Content-Type": "text/html" });
      return res.end("<!doctype html><title>Not a pack</title>");
    }
    const body = packs[path];
    res.writeHead(body ? 200 : 404, { ...cors, "Content-Type": body ? "application/json" : "text/plain" });
    res.end(body ?? "not found\n");
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

before(async () => {
  grader = spawn(POLYRUN, ["serve", "--addr", "127.0.0.1:0", "--store", "memory", "--problems", PROBLEMS], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: grader.stdout }).once("line", resolve);
    grader.once("exit", (code) => reject(new Error(`polyrun serve exited (${code})`)));
  });
  graderOrigin = /http:\/\/[^/\s]+/.exec(first)?.[0];
  assert.ok(graderOrigin, `polyrun serve says where it listens: ${first}`);

  const script = { ...publicView("fizz-buzz"), id: "xss" };
  script.title = "Inert HTML";
  script.statement =
    "# Inert HTML\n\nBefore <script>window.__pwned = 1; alert(1)</script> and " +
    '<img src="x" onerror="window.__pwned = 2; alert(2)"> after.\n\n<script>alert(3)</script>\n';
  const hidden = publicView("two-sum");
  hidden.tests = hidden.tests.map((t, i) => (i === 0 ? { ...t, hidden: true } : t));
  const packs = {
    "/week1.json": pack("Week 1", [publicView("two-sum"), publicView("fizz-buzz")]),
    "/script.json": pack("Scripted", [script]),
    "/hidden.json": pack("Hidden inside", [hidden]),
    "/graded.json": pack("Graded", [publicView("two-sum")], graderOrigin),
  };
  host = await startPackHost(packs);
  host.origin = `http://127.0.0.1:${host.address().port}`;
  site = await serve();
  browser = await launch();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  watchPage(page, log);
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  host?.closeAllConnections();
  host?.close();
  grader?.kill();
});

/** The loaded packs' titles, in the order listed. */
const packTitles = () =>
  page.locator('[data-testid="pack"]').evaluateAll((els) => els.map((e) => e.dataset.packTitle));
/** What local storage holds for the packs (to check that a refused one changed nothing). */
const storedPacks = () => page.evaluate(() => localStorage.getItem("polyrun:packs"));
const packLocator = (title) => page.locator(`[data-testid="pack"][data-pack-title="${title}"]`);

async function loadUrl(url) {
  await page.locator('[data-testid="pack-url-input"]').fill(url);
  await page.locator('[data-testid="pack-load-button"]').click();
}

/** Waits for pack-error to show a reason matching `pattern`; returns its text. */
async function packError(pattern) {
  const handle = await page.waitForFunction(
    ([source, flags]) => {
      const el = document.querySelector('[data-testid="pack-error"]');
      const button = document.querySelector('[data-testid="pack-load-button"]');
      return el && !button.disabled && new RegExp(source, flags).test(el.textContent) ? el.textContent : false;
    },
    [pattern.source, pattern.flags],
    { timeout: 60_000 },
  );
  return handle.jsonValue();
}

/** Waits until no pack load is under way. */
const idle = () =>
  page.waitForFunction(() => !document.querySelector('[data-testid="pack-load-button"]').disabled, null, {
    timeout: 60_000,
  });

async function openPackProblem(title, id) {
  await packLocator(title).locator(`[data-testid="problem-link"][data-problem-id="${id}"]`).click();
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
}

test("a pack loads by URL from another origin and lists its problems beside the built-in ones", async () => {
  await page.goto(site.origin);
  await page.locator('[data-testid="problem-link"]').first().waitFor({ timeout: 60_000 });
  // The service worker keeps the site for the offline test below.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await loadUrl(`${host.origin}/week1.json`);
  await packLocator("Week 1").waitFor({ timeout: 60_000 });
  const ids = await packLocator("Week 1")
    .locator('[data-testid="problem-link"]')
    .evaluateAll((els) => els.map((e) => e.dataset.problemId));
  assert.deepEqual(ids, ["two-sum", "fizz-buzz"]);
  const builtIn = await page
    .locator('.problem-list [data-testid="problem-link"]')
    .evaluateAll((els) => els.map((e) => e.dataset.problemId));
  assert.deepEqual(builtIn.sort(), problemIds(), "the built-in problems are listed as before");
  assert.equal(await page.locator('[data-testid="pack-error"]').count(), 0);
});

test("a pack problem opens on the problem page and runs in the sandbox, its draft apart", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await openPackProblem("Week 1", "two-sum");
  assert.match(page.url(), /#\/pack\/u[0-9a-f]{16}\/two-sum$/);
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setCode(page, TWO_SUM_JS);
  const run = await clickRun(page);
  assert.equal(run.summary, "accepted", `${describeRun(run)}\n${log.join("\n")}`);
  assert.equal(run.results.length, problemTests("two-sum").filter((t) => !t.hidden).length);
  // No grader named: Submit is off, and says why.
  assert.equal(await page.locator('[data-testid="submit-button"]').isDisabled(), true);
  assert.match(await page.locator('[data-testid="submit-off-reason"]').textContent(), /names no grader/);
  // The draft is kept under the pack's key, never under the built-in two-sum's.
  await page.waitForFunction(
    () => Object.keys(localStorage).some((k) => /^polyrun:draft:pack\/u[0-9a-f]{16}\/two-sum:javascript$/.test(k)),
    null,
    { timeout: 10_000 },
  );
  assert.equal(await page.evaluate(() => localStorage.getItem("polyrun:draft:two-sum:javascript")), null);
});

test("bad packs show pack-error and leave the loaded packs as they were", { timeout: 300_000 }, async () => {
  await page.goto(`${site.origin}/#/`);
  await packLocator("Week 1").waitFor({ timeout: 60_000 });
  const before = await storedPacks();
  const cases = [
    ["/missing.json", /answered 404/],
    ["/not-json.json", /not JSON/],
    ["/huge.json", /largest accepted is 4 MiB/],
    ["/huge-stream.json", /largest accepted is 4 MiB/],
    ["/no-cors.json", /CORS/],
    ["/hidden.json", /problems\[0\]\.tests\[0\]\.hidden: a pack never holds a hidden test/],
    ["not a url at all", /not an http\(s\) address|answered 404|not JSON/],
  ];
  for (const [path, reason] of cases) {
    await loadUrl(path.startsWith("/") ? `${host.origin}${path}` : path);
    const text = await packError(reason);
    assert.match(text, reason, path);
    assert.deepEqual(await packTitles(), ["Week 1"], `${path}: the packs listed are unchanged`);
    assert.equal(await storedPacks(), before, `${path}: the packs kept are unchanged`);
  }
  // A 50 MB body was not read whole: the download stopped near the cap.
  for (const path of ["/huge.json", "/huge-stream.json"]) {
    assert.ok(sent[path] < HUGE, `${path}: ${sent[path]} bytes sent of ${HUGE}`);
  }
});

test("a pack loads from a file, and loading the same source again replaces it", async () => {
  const body = pack("From a file", [publicView("valid-parentheses")]);
  const file = { name: "mine.json", mimeType: "application/json", buffer: Buffer.from(body) };
  await page.locator('[data-testid="pack-file-input"]').setInputFiles(file);
  await packLocator("From a file").waitFor({ timeout: 60_000 });
  // The same file, then the same URL, again: each replaces its pack (the button is
  // disabled while a load is under way).
  await page.locator('[data-testid="pack-file-input"]').setInputFiles(file);
  await idle();
  const week1 = `${host.origin}/week1.json`;
  await Promise.all([page.waitForResponse(week1), loadUrl(week1)]);
  await idle();
  assert.deepEqual(await packTitles(), ["Week 1", "From a file"]);
  // A file over the cap is refused before it is read.
  const big = { name: "big.json", mimeType: "application/json", buffer: Buffer.alloc(5 * 1024 * 1024, 0x20) };
  await page.locator('[data-testid="pack-file-input"]').setInputFiles(big);
  assert.match(await packError(/big\.json: .*largest accepted/), /largest accepted/);
  assert.deepEqual(await packTitles(), ["Week 1", "From a file"]);
});

test("a shared #/pack?url= link loads the pack; a statement's raw HTML stays inert text", async () => {
  await page.goto(`${site.origin}/#/pack?url=${encodeURIComponent(`${host.origin}/script.json`)}`);
  await packLocator("Scripted").waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => location.hash === "#/", null, { timeout: 10_000 });
  await openPackProblem("Scripted", "xss");
  const statement = page.locator(".statement .markdown");
  await statement.waitFor();
  assert.match(await statement.textContent(), /<script>window\.__pwned = 1; alert\(1\)<\/script>/);
  assert.match(await statement.textContent(), /<img src="x" onerror=/);
  assert.equal(await statement.locator("script, img").count(), 0, "no element made from the statement's HTML");
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, [], "no dialog opened");

  // A link to nothing: pack-error, nothing else changes.
  const before = await storedPacks();
  await page.goto(`${site.origin}/#/pack?url=${encodeURIComponent(`${host.origin}/gone.json`)}`);
  await packError(/answered 404/);
  assert.deepEqual(await packTitles(), ["Week 1", "From a file", "Scripted"]);
  assert.equal(await storedPacks(), before);
});

test("loaded packs stay across a reload and work offline", { timeout: READY_TIMEOUT + 180_000 }, async () => {
  await page.reload();
  await packLocator("Scripted").waitFor({ timeout: 60_000 });
  assert.deepEqual(await packTitles(), ["Week 1", "From a file", "Scripted"]);
  await browser.context.setOffline(true);
  try {
    // A reload with no network: the site from the service worker, the packs from storage.
    await page.reload();
    await packLocator("Week 1").waitFor({ timeout: 60_000 });
    assert.deepEqual(await packTitles(), ["Week 1", "From a file", "Scripted"]);
    await openPackProblem("Week 1", "two-sum");
    await chooseLanguage(page, "javascript");
    await waitReady(page, "javascript");
    await setCode(page, TWO_SUM_JS);
    const run = await clickRun(page);
    assert.equal(run.summary, "accepted", `offline: ${describeRun(run)}\n${log.slice(-20).join("\n")}`);
  } finally {
    await browser.context.setOffline(false);
  }
});

test("Remove forgets a pack and keeps the others", async () => {
  await page.goto(`${site.origin}/#/`);
  await packLocator("From a file").locator('[data-testid="pack-remove-button"]').click();
  await packLocator("From a file").waitFor({ state: "detached" });
  assert.deepEqual(await packTitles(), ["Week 1", "Scripted"]);
  await page.reload();
  await packLocator("Scripted").waitFor({ timeout: 60_000 });
  assert.deepEqual(await packTitles(), ["Week 1", "Scripted"]);
});

test("Submit on a pack problem grades on the pack's grader", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await loadUrl(`${host.origin}/graded.json`);
  await packLocator("Graded").waitFor({ timeout: 60_000 });
  await openPackProblem("Graded", "two-sum");
  await chooseLanguage(page, "javascript");
  assert.equal(await page.locator('[data-testid="submit-button"]').isDisabled(), false, "Submit is on");
  await setCode(page, TWO_SUM_JS);
  const tests = problemTests("two-sum");
  let run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "accepted", `${describeRun(run)}\n${log.join("\n")}`);
  assert.equal(run.results.length, tests.length, "every test, hidden ones included, graded on the grader");
  assert.ok(tests.some((t) => t.hidden));
  await setCode(page, "function twoSum(nums, target) {\n  return [0, 1];\n}\n");
  run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "wrong_answer", describeRun(run));
});

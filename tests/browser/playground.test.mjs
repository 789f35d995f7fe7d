// The playground (#/playground) in headless Chromium: every program of playground/ (each
// with its standard input in FILE.in) gets in the browser the stdout, exit status and status
// that `polyrun run` gives (loop.* with --time-limit-ms 1000, set the same on the page; the
// others on both sides' defaults). Then: a 10 MB standard input is refused with a clear
// message and an endless printer is cut at the output cap and the time limit, each followed
// by a run that works; the time limit's verdict comes within generous bounds; and the
// program and its input are kept as drafts per language across a reload.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createReadStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  chooseLanguage,
  EXTENSION,
  LANGUAGES,
  launch,
  POLYRUN,
  READY_TIMEOUT,
  runPlayground as runOnce,
  setCode,
  setField,
  typeCode,
  waitReady,
  watchPage,
} from "./lib.mjs";
import { serve } from "./server.mjs";

const CORPUS = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "playground");
/** The time limit of the loop.* programs, on both sides. */
const LOOP_LIMIT_MS = 1000;
/** What the run reports keep of each stream (core::limits::RUN_OUTPUT_CAP_BYTES). */
const OUTPUT_CAP = 1024 * 1024;

/** `polyrun run --lang L [--time-limit-ms N] FILE < FILE.in`: stdout, stderr, exit status. */
function polyrunRun(language, file, timeLimit) {
  const args = ["run", "--lang", language];
  if (timeLimit) args.push("--time-limit-ms", String(timeLimit));
  args.push(file);
  return new Promise((resolve, reject) => {
    const child = spawn(POLYRUN, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code }),
    );
    createReadStream(`${file}.in`).pipe(child.stdin);
  });
}

/** The status `polyrun run` ended with, from its exit status and its one-line reason. */
function cliStatus({ code, stderr }) {
  if (code === 124 && stderr.includes("polyrun: time limit exceeded")) return "time_limit_exceeded";
  if (code === 137 && stderr.includes("polyrun: memory limit exceeded")) return "memory_limit_exceeded";
  return "ok";
}

/** The corpus programs in `language`. */
function corpus(language) {
  return readdirSync(CORPUS)
    .filter((name) => name.endsWith(`.${EXTENSION[language]}`))
    .sort()
    .map((name) => ({ name, file: join(CORPUS, name), limit: name.startsWith("loop.") ? LOOP_LIMIT_MS : null }));
}

/** Sets program, input and time limit, and runs. */
async function runProgram(page, { source, stdin, timeLimit }) {
  await setCode(page, source);
  await setField(page, "stdin", stdin);
  await setField(page, "time-limit-input", String(timeLimit));
  return runOnce(page);
}

let server;
let browser;
let page;
const log = [];

before(async () => {
  assert.ok(existsSync(POLYRUN), `${POLYRUN} is missing: set POLYRUN_BIN`);
  server = await serve();
  browser = await launch();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  watchPage(page, log);
  await page.goto(`${server.origin}/`);
  await page.locator('[data-testid="playground-link"]').click();
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="stdin"]').waitFor();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Adds the page's recent log to a failure. */
async function logged(from, body) {
  try {
    await body();
  } catch (error) {
    error.message += `\n--- page log\n${log.slice(from).slice(-30).join("\n")}`;
    throw error;
  }
}

test("the playground shows polyrun run's default limits", async () => {
  assert.equal(await page.locator('[data-testid="time-limit-input"]').inputValue(), "5000");
  assert.equal(await page.locator('[data-testid="memory-limit-input"]').inputValue(), "256");
});

for (const language of LANGUAGES) {
  describe(`playground parity in ${language}`, { timeout: READY_TIMEOUT + 600_000 }, () => {
    before(async () => {
      await chooseLanguage(page, language);
      await waitReady(page, language);
    });

    for (const { name, file, limit } of corpus(language)) {
      test(`${name}: the browser's stdout and exit status are polyrun run's`, { timeout: 180_000 }, async () => {
        const from = log.length;
        await logged(from, async () => {
          const cli = polyrunRun(language, file, limit);
          const shown = await runProgram(page, {
            source: readFileSync(file, "utf8"),
            stdin: readFileSync(`${file}.in`, "utf8"),
            timeLimit: limit ?? 5000,
          });
          const expected = await cli;
          const what = `${name}: browser ${JSON.stringify(shown)}\npolyrun run ${JSON.stringify(expected)}`;
          assert.equal(shown.status, cliStatus(expected), `status; ${what}`);
          assert.equal(shown.exitCode, expected.code, `exit status; ${what}`);
          assert.equal(shown.stdout, expected.stdout, `stdout; ${what}`);
          // An uncaught error shows the program's frames, never the sandbox's own scripts.
          assert.ok(
            !/(polyrun-sandbox-worker|prelude|harness)\.js:/.test(shown.stderr),
            `stderr names the sandbox's scripts; ${what}`,
          );
          if (shown.status !== "ok") {
            // The one-line reason closes stderr, as polyrun run prints it.
            const reason = expected.stderr.trim().split("\n").pop();
            assert.ok(shown.stderr.trimEnd().endsWith(reason), `the reason on stderr; ${what}`);
          }
          if (name.startsWith("loop.")) {
            // Generous bounds: at least the limit, and well before a stuck page's minutes.
            assert.ok(shown.timeMs >= LOOP_LIMIT_MS, `the run took the time limit: ${shown.timeMs} ms`);
            assert.ok(shown.waitedMs < LOOP_LIMIT_MS + 15_000, `the verdict came in ${shown.waitedMs} ms`);
          }
        });
      });
    }
  });
}

describe("the playground lives on", { timeout: READY_TIMEOUT + 300_000 }, () => {
  before(async () => {
    await chooseLanguage(page, "python");
    await waitReady(page, "python");
  });

  test("a 10 MB standard input is refused with a clear message, then the next run works", { timeout: 180_000 }, async () => {
    const from = log.length;
    await logged(from, async () => {
      const big = `${"1234567890".repeat(1_000_000)}\n`;
      const refused = await runProgram(page, { source: "print(len(input()))\n", stdin: big, timeLimit: 5000 });
      assert.equal(refused.status, "error", JSON.stringify(refused.text));
      assert.match(refused.text, /standard input is 9\.54 MiB \(10,000,001 bytes\), over the playground's cap of 1 MiB \(1,048,576 bytes\)/);
      const next = await runProgram(page, { source: "print(len(input()))\n", stdin: "abc\n", timeLimit: 5000 });
      assert.deepEqual([next.status, next.exitCode, next.stdout], ["ok", 0, "3\n"]);
    });
  });

  for (const language of ["python", "javascript"]) {
    test(`an endless printer in ${language} is cut at the cap and the time limit, then the next run works`, { timeout: 180_000 }, async () => {
      const from = log.length;
      await logged(from, async () => {
        await chooseLanguage(page, language);
        await waitReady(page, language);
        const flood = {
          python: 'import sys\nwhile True:\n    sys.stdout.write("y" * 65536)\n',
          javascript: 'for (;;) process.stdout.write("y".repeat(65536));\n',
        }[language];
        const cut = await runProgram(page, { source: flood, stdin: "", timeLimit: LOOP_LIMIT_MS });
        assert.deepEqual([cut.status, cut.exitCode], ["time_limit_exceeded", 124], cut.text);
        assert.match(cut.stdout, /\n\[output truncated: \d+ more bytes not shown\]\n$/);
        assert.ok(cut.stdout.length <= OUTPUT_CAP + 100, `stdout kept: ${cut.stdout.length} characters`);
        assert.ok(cut.waitedMs < LOOP_LIMIT_MS + 15_000, `the verdict came in ${cut.waitedMs} ms`);
        const hello = {
          python: "print('hello', input())\n",
          javascript: 'console.log("hello", readline());\n',
        }[language];
        const next = await runProgram(page, { source: hello, stdin: "again\n", timeLimit: 5000 });
        assert.deepEqual([next.status, next.exitCode, next.stdout], ["ok", 0, "hello again\n"]);
      });
    });
  }

  test("the program and its input are kept per language across a reload", { timeout: 240_000 }, async () => {
    const from = log.length;
    await logged(from, async () => {
      await chooseLanguage(page, "ruby");
      const program = 'puts "kept #{gets}"';
      await typeCode(page, program);
      await page.locator('[data-testid="stdin"]').fill("draft input\n");
      await chooseLanguage(page, "javascript");
      assert.notEqual(await page.locator('[data-testid="stdin"]').inputValue(), "draft input\n");
      await page.reload();
      await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
      await chooseLanguage(page, "ruby");
      assert.equal((await page.evaluate(() => document.querySelector('[data-testid="editor"]').polyrunEditor.getDoc())).trim(), program);
      assert.equal(await page.locator('[data-testid="stdin"]').inputValue(), "draft input\n");
      await waitReady(page, "ruby");
      const kept = await runOnce(page);
      assert.deepEqual([kept.status, kept.stdout], ["ok", "kept draft input\n"]);
    });
  });
});

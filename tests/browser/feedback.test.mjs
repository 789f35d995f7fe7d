// What the app tells a learner after a run, on the problem page and the playground (the
// web audit's findings 6, 10, 4, 8 and 11): a JavaScript promise that never settles is
// reported as `polyrun grade` reports it (not as an exit); a run refused for an invalid own
// test does not leave the previous run's results next to the reason; Run keeps the keyboard
// focus while it runs; a program that exits with a status other than 0 is shown in the
// error style; the standard input cap speaks of one unit.
//
//   node --test tests/browser/feedback.test.mjs    (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

import {
  audit,
  chooseLanguage,
  clickRun,
  describeRun,
  openProblem,
  POLYRUN,
  READY_TIMEOUT,
  RUN_TIMEOUT,
  runPlayground,
  setCode,
  setField,
  sitePage,
  waitReady,
  pressWithKeyboard,
} from "./lib.mjs";

let server;
let page;
const log = sitePage((session) => {
  ({ server, page } = session);
});

const PROBLEM = "two-sum";
const execFileP = promisify(execFile);

/** `polyrun grade --show-hidden PROBLEM` of `source` (a .js file): the JSON report. */
async function gradeOnCli(source) {
  const dir = mkdtempSync(join(tmpdir(), "polyrun-feedback-"));
  const file = join(dir, "solution.js");
  writeFileSync(file, source);
  try {
    const { stdout } = await execFileP(POLYRUN, ["grade", "--show-hidden", PROBLEM, file]).catch((error) => {
      if (error.code !== 1 || !error.stdout) throw error;
      return error;
    });
    return JSON.parse(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The problem page in JavaScript (each test can run alone: --test-name-pattern). */
async function onProblem() {
  if (!page.url().includes(`/problems/${PROBLEM}`)) await openProblem(page, server.origin, PROBLEM);
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
}

function failWith(message) {
  return `${message}\n--- page log\n${log.slice(-20).join("\n")}`;
}

test("JavaScript: a returned promise that never settles, and process.exit in a test, read as the grader's", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await onProblem();
  const programs = {
    pending: "function twoSum(nums, target) {\n  return new Promise(() => {});\n}\n",
    exit: "function twoSum(nums, target) {\n  process.exit(3);\n}\n",
  };
  for (const [what, source] of Object.entries(programs)) {
    const cli = await gradeOnCli(source);
    const publicTests = cli.tests.filter((t) => !t.hidden);
    await setCode(page, source);
    const run = await clickRun(page);
    assert.equal(run.summary, "runtime_error", failWith(`${what}: ${describeRun(run)}`));
    assert.equal(run.results.length, publicTests.length, failWith(describeRun(run)));
    run.results.forEach((shown, i) => {
      const want = publicTests[i];
      assert.equal(shown.verdict, want.verdict, failWith(`${what}, test ${i}: ${describeRun(run)}`));
      assert.equal(
        shown.error,
        `${want.error.type}: ${want.error.message}`,
        failWith(`${what}, test ${i}: the grader says ${JSON.stringify(want.error)}`),
      );
    });
  }
  // Spelled out, in case the grader's wording changes with it.
  await setCode(page, programs.pending);
  const pending = await clickRun(page);
  assert.equal(pending.results[0].error, "Error: the returned promise never settled", describeRun(pending));
});

test("a run refused for an own test that is not JSON does not show the previous run's results", { timeout: 120_000 }, async () => {
  await onProblem();
  await setCode(
    page,
    "function twoSum(nums, target) {\n  for (let i = 0; i < nums.length; i++)\n    for (let j = i + 1; j < nums.length; j++)\n      if (nums[i] + nums[j] === target) return [i, j];\n}\n",
  );
  await page.locator('[data-testid="add-test-button"]').click();
  const custom = page.locator('[data-testid="custom-test"]').last();
  await custom.locator('[data-testid="test-arg-input"][data-param="0"]').fill("[1, 5, 9]");
  await custom.locator('[data-testid="test-arg-input"][data-param="1"]').fill("14");
  let run = await clickRun(page);
  assert.equal(run.summary, "accepted", failWith(describeRun(run)));
  assert.ok(run.results.length >= 4, describeRun(run));

  await custom.locator('[data-testid="test-arg-input"][data-param="0"]').fill("[1, 5, 9");
  run = await clickRun(page);
  assert.ok(run.blocked, failWith(`run-blocked is shown: ${describeRun(run)}`));
  assert.match(run.blocked, /Your test \d+: nums: not valid JSON/);
  assert.equal(run.summary, null, `no verdict is shown next to run-blocked: ${describeRun(run)}`);
  assert.deepEqual(run.results, [], `no result is shown next to run-blocked: ${describeRun(run)}`);

  // Fixed, it runs again; then the test goes, for the next tests of this file.
  await custom.locator('[data-testid="test-arg-input"][data-param="0"]').fill("[1, 5, 9]");
  run = await clickRun(page);
  assert.equal(run.summary, "accepted", failWith(describeRun(run)));
  await custom.locator('[data-testid="delete-test-button"]').click();
});

test("Run pressed with the keyboard keeps the keyboard focus while it runs and after", { timeout: 120_000 }, async () => {
  await onProblem();
  // About 300 ms a test: long enough for "Running…" to show.
  await setCode(
    page,
    "function twoSum(nums, target) {\n  const until = Date.now() + 300;\n  while (Date.now() < until) {}\n  return [0, 1];\n}\n",
  );
  const { during, after: afterRun } = await pressWithKeyboard(page, "run-button");
  assert.equal(during, "run-button", "the focus stays on Run while it runs");
  assert.equal(afterRun, "run-button", "the focus is on Run once the results are in");
  // A second Enter runs again (the button works from the keyboard after a run).
  const again = await clickRun(page);
  assert.ok(again.summary, describeRun(again));
});

test("playground: a non-zero exit is shown in the error style, exit 0 in the success style", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await page.goto(`${server.origin}/#/playground`);
  await page.locator('[data-testid="stdin"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setField(page, "stdin", "");
  const style = () =>
    page.evaluate(() => {
      const el = document.querySelector('[data-testid="run-status"]');
      const css = getComputedStyle(el);
      return { className: el.className, background: css.backgroundColor, color: css.color };
    });

  await setCode(page, 'console.log("fine");\n');
  const ok = await runPlayground(page);
  assert.deepEqual([ok.status, ok.exitCode], ["ok", 0], ok.text);
  const okStyle = await style();

  await setCode(page, 'console.log("bad");\nprocess.exit(3);\n');
  const bad = await runPlayground(page);
  assert.deepEqual([bad.status, bad.exitCode], ["ok", 3], "data-status stays the spec's ok, with the exit code");
  const badStyle = await style();
  assert.notEqual(badStyle.background, okStyle.background, `exit 3 is not drawn like exit 0: ${JSON.stringify([okStyle, badStyle])}`);
  assert.notEqual(badStyle.color, okStyle.color, `exit 3 is not drawn like exit 0: ${JSON.stringify([okStyle, badStyle])}`);

  // The error style is that of a run that could not happen.
  await setField(page, "time-limit-input", "0");
  const refused = await runPlayground(page);
  assert.equal(refused.status, "error", refused.text);
  const errorStyle = await style();
  assert.deepEqual([badStyle.background, badStyle.color], [errorStyle.background, errorStyle.color]);
  await setField(page, "time-limit-input", "5000");

  await setCode(page, 'console.log("bad");\nprocess.exit(3);\n');
  await runPlayground(page);
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await audit(page, `the playground after exit 3 (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: "light" });
});

test("playground: process.on('exit') listeners run as in `polyrun run` (the event is not used up by the worker's warm-up)", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  if (!page.url().includes("/playground")) {
    await page.goto(`${server.origin}/#/playground`);
    await page.locator('[data-testid="stdin"]').waitFor({ timeout: 60_000 });
  }
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setField(page, "stdin", "");
  await setField(page, "time-limit-input", "5000");
  const programs = [
    'process.on("exit", (code) => console.log("bye", code));\nconsole.log("hi");\n',
    'process.on("exit", (code) => console.log("bye", code));\nconsole.log("hi");\nprocess.exit(2);\n',
  ];
  for (const source of programs) {
    const dir = mkdtempSync(join(tmpdir(), "polyrun-feedback-"));
    const file = join(dir, "main.js");
    writeFileSync(file, source);
    let cli;
    try {
      const ran = spawnSync(POLYRUN, ["run", "--lang", "javascript", file], { input: "", encoding: "utf8" });
      cli = { stdout: ran.stdout, code: ran.status };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await setCode(page, source);
    const shown = await runPlayground(page);
    assert.deepEqual(
      [shown.stdout, shown.exitCode],
      [cli.stdout, cli.code],
      `as polyrun run: ${JSON.stringify(source)} → ${JSON.stringify(shown)}`,
    );
    assert.match(shown.stdout, /^hi\nbye \d\n$/);
  }
});

test("playground: the standard input cap's message uses one unit and gives the sizes in bytes", { timeout: 120_000 }, async () => {
  if (!page.url().includes("/playground")) {
    await page.goto(`${server.origin}/#/playground`);
    await page.locator('[data-testid="stdin"]').waitFor({ timeout: 60_000 });
  }
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setCode(page, 'console.log(readline().length);\n');
  await setField(page, "stdin", "x".repeat(1024 * 1024 + 1));
  const refused = await runPlayground(page);
  assert.equal(refused.status, "error", refused.text);
  assert.match(refused.text, /The standard input is 1\.00 MiB \(1,048,577 bytes\), over the playground's cap of 1 MiB \(1,048,576 bytes\)/);
  assert.doesNotMatch(refused.text, /KiB|\bMB\b/, "one unit (MiB), not MB and KiB");
  await setField(page, "stdin", "x".repeat(1024 * 1024 - 1));
  const fits = await runPlayground(page);
  assert.deepEqual([fits.status, fits.exitCode, fits.stdout], ["ok", 0, `${1024 * 1024 - 1}\n`], fits.text);
  await setField(page, "stdin", "polyrun\n");
});

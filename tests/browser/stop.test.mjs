// Stop (the web audit's finding 2): while a run is in flight, the problem page and the
// playground show `stop`; pressing it ends an endless loop at once (the worker is
// terminated, a spare takes over) instead of after every test's time limit, the results
// say the run was stopped (`run-stopped`, or `run-status` with `data-status="stopped"`:
// no verdict, no exit code), and the next run works at once.
//
//   node --test tests/browser/stop.test.mjs    (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  audit,
  chooseLanguage,
  clickRun,
  describeRun,
  openProblem,
  READY_TIMEOUT,
  runPlayground,
  setCode,
  setField,
  sitePage,
  waitReady,
} from "./lib.mjs";

let server;
let page;
const log = sitePage((session) => {
  ({ server, page } = session);
});

/** two-sum: 3 examples at 2 s each, so an endless loop would hold Run for about 6 s. */
const PROBLEM = "two-sum";
/** Stop must end a run well within one test's time limit. */
const STOP_WITHIN_MS = 1500;

const LOOP = {
  javascript: "function twoSum(nums, target) {\n  while (true) {}\n}\n",
  python: "def two_sum(nums, target):\n    while True:\n        pass\n",
};
const CORRECT = {
  javascript:
    "function twoSum(nums, target) {\n  for (let i = 0; i < nums.length; i++)\n    for (let j = i + 1; j < nums.length; j++)\n      if (nums[i] + nums[j] === target) return [i, j];\n}\n",
  python:
    "def two_sum(nums, target):\n    for i in range(len(nums)):\n        for j in range(i + 1, len(nums)):\n            if nums[i] + nums[j] == target:\n                return [i, j]\n",
};

function failWith(message) {
  return `${message}\n--- page log\n${log.slice(-20).join("\n")}`;
}

for (const language of ["javascript", "python"]) {
  test(`problem page, ${language}: Stop ends an endless loop at once, says so, and the next run works`, { timeout: READY_TIMEOUT + 120_000 }, async () => {
    if (!page.url().includes(`/problems/${PROBLEM}`)) await openProblem(page, server.origin, PROBLEM);
    await chooseLanguage(page, language);
    await waitReady(page, language);
    await setCode(page, LOOP[language]);
    assert.equal(await page.locator('[data-testid="stop"]').count(), 0, "no Stop before a run");
    await page.locator('[data-testid="run-button"]').click();
    const stop = page.locator('[data-testid="stop"]');
    await stop.waitFor({ timeout: 5_000 });
    await page.waitForTimeout(300); // the loop is under way
    const clicked = Date.now();
    await stop.click();
    await page.locator('[data-testid="run-stopped"]').waitFor({ timeout: 10_000 });
    const stoppedMs = Date.now() - clicked;
    assert.ok(stoppedMs < STOP_WITHIN_MS, `stopped in ${stoppedMs} ms`);
    const shown = await page.evaluate(() => ({
      text: document.querySelector('[data-testid="run-stopped"]').textContent,
      summary: document.querySelectorAll('[data-testid="run-summary"]').length,
      results: document.querySelectorAll('[data-testid="result"]').length,
      stop: document.querySelectorAll('[data-testid="stop"]').length,
      runDisabled: document.querySelector('[data-testid="run-button"]').getAttribute("aria-disabled"),
      runText: document.querySelector('[data-testid="run-button"]').textContent,
    }));
    assert.match(shown.text, /stopped/i);
    assert.deepEqual(
      [shown.summary, shown.results, shown.stop, shown.runDisabled, shown.runText],
      [0, 0, 0, null, "Run"],
      `no verdict, no results, Stop gone, Run available: ${JSON.stringify(shown)}`,
    );
    if (language === "javascript") {
      for (const scheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: scheme });
        await audit(page, `a problem page after Stop (${scheme})`);
      }
      await page.emulateMedia({ colorScheme: "light" });
    }

    // The next run goes on a fresh worker, without waiting out the stopped loop.
    await setCode(page, CORRECT[language]);
    const started = Date.now();
    const run = await clickRun(page);
    assert.equal(run.summary, "accepted", failWith(describeRun(run)));
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 5_000, `the next run took ${tookMs} ms`);
  });
}

test("problem page: Stop is on screen (and audited) while a run is in flight", { timeout: 120_000 }, async () => {
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setCode(page, LOOP.javascript);
  await page.locator('[data-testid="run-button"]').click();
  await page.locator('[data-testid="stop"]').waitFor({ timeout: 5_000 });
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await audit(page, `a problem page with a run in flight (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.locator('[data-testid="stop"]').click();
  await page.locator('[data-testid="run-stopped"]').waitFor({ timeout: 10_000 });
});

test("playground: Stop ends an endless loop long before its 15 s limit, says so, and the next run works", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await page.goto(`${server.origin}/#/playground`);
  await page.locator('[data-testid="stdin"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setCode(page, 'console.log("looping");\nwhile (true) {}\n');
  await setField(page, "stdin", "");
  await setField(page, "time-limit-input", "15000");
  const before = await page.evaluate(() => Number(document.querySelector('[data-testid="run-status"]')?.dataset.run ?? 0));
  await page.locator('[data-testid="run-button"]').click();
  const stop = page.locator('[data-testid="stop"]');
  await stop.waitFor({ timeout: 5_000 });
  await page.waitForTimeout(300);
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await audit(page, `the playground with a run in flight (${scheme})`);
  }
  const clicked = Date.now();
  await stop.click();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="run-status"]')?.dataset.run ?? 0) > n,
    before,
    { timeout: 10_000, polling: 20 },
  );
  const stoppedMs = Date.now() - clicked;
  const status = await page.evaluate(() => {
    const el = document.querySelector('[data-testid="run-status"]');
    return { status: el.dataset.status, exitCode: el.dataset.exitCode ?? null, text: el.textContent };
  });
  assert.ok(stoppedMs < STOP_WITHIN_MS, `stopped in ${stoppedMs} ms`);
  assert.deepEqual([status.status, status.exitCode], ["stopped", null], JSON.stringify(status));
  assert.match(status.text, /stopped/i);
  assert.equal(await page.locator('[data-testid="stop"]').count(), 0, "Stop is gone");
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await audit(page, `the playground after Stop (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: "light" });

  await setCode(page, 'console.log("hello", readline());\n');
  await setField(page, "stdin", "again\n");
  await setField(page, "time-limit-input", "5000");
  const next = await runPlayground(page, 10_000);
  assert.deepEqual([next.status, next.exitCode, next.stdout], ["ok", 0, "hello again\n"], next.text);
});

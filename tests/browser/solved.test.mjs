// The solved mark with a grader (the web audit's findings 5, 4 and 11), the site served by
// `polyrun serve` (the page names a grader): a run that passes the visible examples does not
// mark the problem solved (a hard-coded answer would); an accepted Submit does, and a Submit
// the grader does not accept clears it (the badge, `polyrun:solved`, the welcome page's
// mark). Submit pressed with the keyboard keeps the focus; Submit offline says so in words.
// Without a grader a run that passes the examples still marks it (app.test.mjs covers runs).
//
//   node --test tests/browser/solved.test.mjs    (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chooseLanguage,
  clickRun,
  describeRun,
  openProblem,
  READY_TIMEOUT,
  RUN_TIMEOUT,
  setCode,
  sitePage,
  waitReady,
  pressWithKeyboard,
} from "./lib.mjs";

let server;
let browser;
let page;
const log = sitePage(
  (session) => {
    ({ server, browser, page } = session);
  },
  { polyrun: [] },
);

const PROBLEM = "two-sum";
/** Passes the three examples, fails hidden tests. */
const HARD_CODED = 'function twoSum(nums, target) {\n  return JSON.stringify(nums) === "[3,2,4]" ? [1, 2] : [0, 1];\n}\n';
const CORRECT =
  "function twoSum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n}\n";

function failWith(message) {
  return `${message}\n--- page log\n${log.slice(-20).join("\n")}`;
}

/** Whether the page shows the badge, and what `polyrun:solved` holds. */
function solvedMark() {
  return page.evaluate((id) => {
    const stored = JSON.parse(localStorage.getItem("polyrun:solved") || "[]");
    return { badge: document.querySelectorAll('[data-testid="solved-badge"]').length > 0, stored: stored.includes(id) };
  }, PROBLEM);
}

const submit = (p) => clickRun(p, RUN_TIMEOUT, { button: "submit-button" });

test("with a grader, only the grader's verdict marks a problem solved, and a rejected Submit clears it", { timeout: READY_TIMEOUT + 240_000 }, async () => {
  await openProblem(page, server.origin, PROBLEM);
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  await setCode(page, HARD_CODED);
  let run = await clickRun(page);
  assert.equal(run.summary, "accepted", failWith(`the examples pass: ${describeRun(run)}`));
  assert.deepEqual(await solvedMark(), { badge: false, stored: false }, "passing the examples is not solving it");

  run = await submit(page);
  assert.equal(run.summary, "wrong_answer", failWith(describeRun(run)));
  assert.deepEqual(await solvedMark(), { badge: false, stored: false });

  await setCode(page, CORRECT);
  run = await submit(page);
  assert.equal(run.summary, "accepted", failWith(describeRun(run)));
  assert.deepEqual(await solvedMark(), { badge: true, stored: true }, "an accepted Submit solves it");

  // Solved stays after a run (even a failing one): only Submit decides.
  await setCode(page, "function twoSum(nums, target) {\n  return [0, 0];\n}\n");
  run = await clickRun(page);
  assert.equal(run.summary, "wrong_answer", failWith(describeRun(run)));
  assert.deepEqual(await solvedMark(), { badge: true, stored: true });

  await setCode(page, HARD_CODED);
  run = await submit(page);
  assert.equal(run.summary, "wrong_answer", failWith(describeRun(run)));
  assert.deepEqual(await solvedMark(), { badge: false, stored: false }, "a rejected Submit clears it");

  // The welcome page agrees.
  await page.goto(`${server.origin}/#/`);
  const mark = page.locator(`[data-testid="problem-link"][data-problem-id="${PROBLEM}"]`);
  await mark.waitFor({ timeout: 30_000 });
  const solvedOnWelcome = await page.evaluate((id) => {
    const link = document.querySelector(`[data-testid="problem-link"][data-problem-id="${id}"]`);
    const row = link.closest("li, tr, article, div");
    const el = row?.querySelector('[data-testid="solved-mark"]');
    return el ? el.dataset.solved : null;
  }, PROBLEM);
  assert.equal(solvedOnWelcome, "false", "the welcome page does not mark it solved");
});

test("Submit pressed with the keyboard keeps the keyboard focus", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await openProblem(page, server.origin, PROBLEM);
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  // About 300 ms a test on the grader: the grading takes a few seconds.
  await setCode(page, "function twoSum(nums, target) {\n  const until = Date.now() + 300;\n  while (Date.now() < until) {}\n  return [0, 1];\n}\n");
  const { during, after } = await pressWithKeyboard(page, "submit-button");
  assert.equal(during, "submit-button", "the focus stays on Submit while the grader grades");
  assert.equal(after, "submit-button", "the focus is on Submit once the verdict is in");
});

test("Submit offline says that the grader cannot be reached because the learner is offline", { timeout: READY_TIMEOUT + 120_000 }, async () => {
  await setCode(page, CORRECT);
  await browser.context.setOffline(true);
  try {
    const run = await submit(page);
    assert.ok(run.error, failWith(`run-error is shown: ${describeRun(run)}`));
    assert.match(run.error, /offline/i, run.error);
    assert.match(run.error, /grader cannot be reached/, run.error);
    assert.doesNotMatch(run.error, /TypeError|Failed to fetch/, run.error);
  } finally {
    await browser.context.setOffline(false);
  }
  const run = await submit(page);
  assert.equal(run.summary, "accepted", failWith(`back online: ${describeRun(run)}`));
});

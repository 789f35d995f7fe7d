// Submit, end to end: the built app served by `polyrun serve` (which tells the page where
// its grader is), a solution graded there against every test, hidden ones shown only by
// their verdict. Needs the polyrun binary (POLYRUN_BIN, else target/release/polyrun).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";

import { chooseLanguage, clickRun, describeRun, launch, POLYRUN, problemTests, setCode, watchPage } from "./lib.mjs";
import { DEFAULT_SITE } from "./server.mjs";

const PROBLEM = "two-sum";
let serve;
let origin;
let browser;
let page;
const log = [];

before(async () => {
  serve = spawn(POLYRUN, ["serve", "--addr", "127.0.0.1:0", "--site", DEFAULT_SITE], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: serve.stdout });
    lines.once("line", resolve);
    serve.once("exit", (code) => reject(new Error(`polyrun serve exited (${code})`)));
  });
  origin = /http:\/\/[^/\s]+/.exec(first)?.[0];
  assert.ok(origin, `polyrun serve says where it listens: ${first}`);
  browser = await launch();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  watchPage(page, log);
});

after(async () => {
  await browser?.close();
  serve?.kill();
});

const SOLUTION = `def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
`;

test("submit grades on polyrun serve against every test, hidden ones redacted", { timeout: 180_000 }, async () => {
  await page.goto(`${origin}/#/problems/${PROBLEM}`);
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(page, "python");
  assert.equal(await page.locator('[data-testid="submit-button"]').isDisabled(), false, "Submit is enabled");

  const tests = problemTests(PROBLEM);
  const hidden = tests.filter((t) => t.hidden).length;
  assert.ok(hidden > 0, "two-sum has hidden tests");
  await setCode(page, SOLUTION);
  let run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "accepted", `${describeRun(run)}\n${log.join("\n")}`);
  assert.equal(run.results.length, tests.length, describeRun(run));
  const shownHidden = await page.locator('[data-testid="result"].hidden-test').count();
  assert.equal(shownHidden, hidden, "each hidden test is shown as one");
  const hiddenDetails = await page
    .locator('[data-testid="result"].hidden-test [data-testid="actual"], [data-testid="result"].hidden-test [data-testid="expected"]')
    .count();
  assert.equal(hiddenDetails, 0, "a hidden test shows no values");
  // The grader measured the memory the solution used beyond the interpreter's own; a Run
  // in the browser measures none.
  const summary = page.locator('[data-testid="run-summary"]');
  const measured = await summary.getAttribute("data-memory-kb");
  assert.match(measured ?? "", /^\d+$/, "the grader's report has memory_kb");
  assert.ok(Number(measured) < 16 * 1024, `memory of an easy solution: ${measured} KiB`);
  assert.match(await summary.innerText(), / MB of memory/);
  await clickRun(page);
  assert.equal(await summary.getAttribute("data-memory-kb"), null, "a Run measures no memory");

  // Memory the solution holds is counted (20 MiB held through every call).
  await setCode(page, `${SOLUTION}\nHELD = bytearray(20 * 1024 * 1024)\n`);
  run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "accepted", describeRun(run));
  const held = Number(await summary.getAttribute("data-memory-kb"));
  assert.ok(held >= 20 * 1024 && held < 28 * 1024, `20 MiB held: ${held} KiB`);

  // A wrong answer on the grader.
  await setCode(page, "def two_sum(nums, target):\n    return [0, 1]\n");
  run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "wrong_answer", describeRun(run));
});

// The site offline, as a learner with no network would use it: after one visit online (the
// service worker keeps the site and every problem; each runtime once it has loaded), the
// page reloads with the network gone, lists the problems, opens one and runs code in every
// language, in the sandbox as usual.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chooseLanguage,
  clickRun,
  describeRun,
  LANGUAGES,
  problemIds,
  READY_TIMEOUT,
  setCode,
  sitePage,
  waitReady,
} from "./lib.mjs";

let server;
let browser;
let page;
const log = sitePage((session) => {
  ({ server, browser, page } = session);
});

const SOLUTIONS = {
  python: "def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n",
  ruby: "def two_sum(nums, target)\n  seen = {}\n  nums.each_with_index do |x, i|\n    return [seen[target - x], i] if seen.key?(target - x)\n    seen[x] = i\n  end\nend\n",
  javascript:
    "function twoSum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n}\n",
};

test("after one visit online, the site works with no network", { timeout: READY_TIMEOUT + 300_000 }, async () => {
  // Online: one visit from the welcome page (the service worker takes over meanwhile; what
  // loads before it does is not kept), each runtime loaded once.
  await page.goto(server.origin);
  await page.locator('[data-testid="problem-link"]').first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await page.locator('[data-testid="problem-link"][data-problem-id="two-sum"]').click();
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  for (const language of LANGUAGES) {
    await chooseLanguage(page, language);
    await waitReady(page, language);
  }

  await browser.context.setOffline(true);
  try {
    // The welcome page, from a reload with no network.
    await page.goto(`${server.origin}/#/`);
    const links = page.locator('[data-testid="problem-link"]');
    await links.first().waitFor({ timeout: 60_000 });
    const ids = await links.evaluateAll((els) => els.map((e) => e.dataset.problemId));
    assert.deepEqual([...ids].sort(), problemIds(), "every problem is listed offline");

    // A problem never opened online opens too (every problem was kept).
    await page.locator('[data-testid="problem-link"][data-problem-id="valid-parentheses"]').click();
    await page.locator('[data-testid="example"]').first().waitFor({ timeout: 60_000 });

    // Code runs in every language.
    await page.goto(`${server.origin}/#/problems/two-sum`);
    await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
    for (const language of LANGUAGES) {
      await chooseLanguage(page, language);
      await waitReady(page, language);
      await setCode(page, SOLUTIONS[language]);
      const run = await clickRun(page);
      assert.equal(run.summary, "accepted", `${language} offline: ${describeRun(run)}\n${log.slice(-20).join("\n")}`);
    }
  } finally {
    await browser.context.setOffline(false);
  }
});

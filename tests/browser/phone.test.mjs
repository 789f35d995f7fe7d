// A phone: a 390×844 viewport (an iPhone 12–15's CSS pixels), touch. No page is wider than
// the screen (no horizontal scroll), and on a problem page Run is on screen, can be tapped
// and shows its results. With POLYRUN_SCREENSHOTS=1 it saves docs/screenshots/phone-problem.png
// (kept in the repository; CI does not set it, so the tree stays clean).
//
//   node --test tests/browser/phone.test.mjs        (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { clickRun, describeRun, openProblem, REPO, setCode, sitePage, waitReady } from "./lib.mjs";

const PHONE = { width: 390, height: 844 };
const SCREENSHOT = join(REPO, "docs", "screenshots", "phone-problem.png");

let grader;
let page;
const log = sitePage((session) => ({ server: grader, page } = session), {
  polyrun: [],
  browser: { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** The page's width and the elements sticking out past the screen's right edge. */
function overflow() {
  return page.evaluate((width) => {
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length > 0)
      .filter((e) => !e.closest(".cm-scroller, .table-wrap, .example, .output, pre"))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} (right ${Math.round(e.getBoundingClientRect().right)})`);
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  }, PHONE.width);
}

async function assertFits(what) {
  const { scrollWidth, wide } = await overflow();
  assert.ok(scrollWidth <= PHONE.width, `${what} is ${scrollWidth}px wide on a ${PHONE.width}px screen: ${wide.join(", ")}`);
}

test("no page scrolls sideways on a phone", { timeout: 120_000 }, async () => {
  const origin = grader.origin;
  await page.goto(`${origin}/#/`);
  await byTestId("problem-link").first().waitFor({ timeout: 60_000 });
  await assertFits("the welcome page");

  await openProblem(page, origin, "two-sum");
  await assertFits("a problem page");

  await page.goto(`${origin}/#/signin`);
  await byTestId("signin-token-input").waitFor();
  await assertFits("the sign-in page");

  await page.goto(`${origin}/#/gradebook`);
  await byTestId("gradebook-error").waitFor();
  await assertFits("the gradebook");

  await page.goto(`${origin}/#/no/such/page`);
  await byTestId("not-found").waitFor();
  await assertFits("the 404 page");
});

test("on a phone, Run is on screen, can be tapped, and shows the results", { timeout: 240_000 }, async () => {
  await openProblem(page, grader.origin, "two-sum");
  await waitReady(page, "python");
  await setCode(
    page,
    "def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n",
  );
  const button = byTestId("run-button");
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `Run fits across the screen: ${JSON.stringify(box)}`);
  assert.ok(box.height >= 32, `Run is big enough to tap: ${box.height}px`);
  await button.tap();
  await byTestId("run-summary").waitFor({ timeout: 120_000 });
  const run = await clickRun(page); // once more through the shared helper: its outcome is read in full
  assert.equal(run.summary, "accepted", describeRun(run));
  await assertFits("a problem page with results");

  // The editor is usable: typing on a phone goes into it.
  await page.locator('[data-testid="editor"] .cm-content').tap();
  await page.keyboard.type("# hi");
  assert.match(await page.evaluate(() => document.querySelector('[data-testid="editor"]').polyrunEditor.getDoc()), /# hi/);
  await assertFits("a problem page after typing");

  assert.deepEqual(
    log.filter((l) => l.startsWith("pageerror")),
    [],
    "no uncaught exception",
  );

  if (process.env.POLYRUN_SCREENSHOTS === "1") {
    mkdirSync(join(REPO, "docs", "screenshots"), { recursive: true });
    // The editor, Run and the start of the results, as a phone shows them.
    await page.evaluate(() => document.querySelector(".work-column").scrollIntoView({ block: "start" }));
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
  }
});

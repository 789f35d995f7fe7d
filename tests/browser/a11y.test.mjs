// Accessibility: axe-core audits every page of the app, in the light and the dark theme (the
// system's colour scheme, emulated), and fails on any serious or critical violation. The app
// is served by `polyrun serve` (so it names a grader: Submit, Sign in are there). Every new
// page gets a test here (see `audit` in lib.mjs): the playground and a pack's pages too.
//
//   node --test tests/browser/a11y.test.mjs        (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { test } from "node:test";

import { audit, clickRun, openProblem, setCode, sitePage, waitReady } from "./lib.mjs";

let grader;
let page;
const log = sitePage((session) => ({ server: grader, page } = session), { polyrun: [] });

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** The page's background colour as the browser computes it: [r, g, b]. */
async function backgroundOf(selector) {
  const rgb = await page.evaluate((s) => getComputedStyle(document.querySelector(s)).backgroundColor, selector);
  return rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
}

for (const scheme of ["light", "dark"]) {
  test(`every page passes axe-core in the ${scheme} theme`, { timeout: 300_000 }, async () => {
    await page.emulateMedia({ colorScheme: scheme });
    const origin = grader.origin;

    await page.goto(`${origin}/#/`);
    await byTestId("problem-link").first().waitFor({ timeout: 60_000 });
    // The theme follows the system: a dark page in dark, a light one in light.
    const [r, g, b] = await backgroundOf("body");
    const light = (r + g + b) / 3 > 128;
    assert.equal(light, scheme === "light", `the body's background (${r}, ${g}, ${b}) follows ${scheme}`);
    await audit(page, `the welcome page (${scheme})`);

    await openProblem(page, origin, "two-sum");
    await audit(page, `a problem page as it opens (${scheme})`);
    const [er, eg, eb] = await backgroundOf('[data-testid="editor"] .cm-editor');
    assert.equal((er + eg + eb) / 3 > 128, scheme === "light", `the editor follows ${scheme} (${er}, ${eg}, ${eb})`);

    await waitReady(page, "python");
    // The starter code returns nothing: every example fails, with its details open.
    const run = await clickRun(page);
    assert.ok(run.results.length > 0, "the run shows results");
    await audit(page, `a problem page with a run's results (${scheme})`);

    await byTestId("add-test-button").click();
    await byTestId("custom-test").first().waitFor();
    await audit(page, `a problem page with an own test case (${scheme})`);

    // Code longer and wider than the editor: its scrolling area must still be reachable by
    // keyboard (axe's scrollable-region-focusable flagged it as soon as code overflowed).
    const long = Array.from({ length: 60 }, (_, i) => `x${i} = ${i}  # ${"wide ".repeat(i === 7 ? 60 : 1)}`);
    await setCode(page, `${long.join("\n")}\n`);
    await audit(page, `a problem page with code that overflows the editor (${scheme})`);

    await page.keyboard.press("Escape");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("?");
    await byTestId("shortcuts-dialog").waitFor({ state: "visible" });
    await audit(page, `the keyboard shortcuts dialog (${scheme})`);
    await page.keyboard.press("Escape");
    await byTestId("shortcuts-dialog").waitFor({ state: "hidden" });

    // The playground, before and after a run.
    await page.goto(`${origin}/#/playground`);
    await byTestId("stdin").waitFor({ timeout: 60_000 });
    await audit(page, `the playground (${scheme})`);
    await waitReady(page, "python");
    await byTestId("run-button").click();
    await byTestId("run-status").waitFor({ timeout: 120_000 });
    await audit(page, `the playground with a run's output (${scheme})`);

    // A problem pack (from a file): the welcome page listing it, a refused one, its problem.
    const problem = await (await fetch(`${origin}/api/v1/problems/two-sum`)).json();
    const pack = { format: "polyrun-pack/1", title: "Accessibility pack", problems: [problem] };
    await page.goto(`${origin}/#/`);
    await byTestId("pack-file-input").setInputFiles({
      name: "a11y-pack.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(pack)),
    });
    await byTestId("pack").first().waitFor({ timeout: 30_000 });
    await byTestId("pack-file-input").setInputFiles({
      name: "broken.json",
      mimeType: "application/json",
      buffer: Buffer.from("not a pack"),
    });
    await byTestId("pack-error").waitFor({ timeout: 30_000 });
    await audit(page, `the welcome page with a pack and a pack error (${scheme})`);
    await page.locator('[data-testid="pack"] [data-testid="problem-link"]').first().click();
    await byTestId("editor").waitFor({ timeout: 60_000 });
    await audit(page, `a pack's problem page (${scheme})`);

    await page.goto(`${origin}/#/signin`);
    await byTestId("signin-token-input").waitFor();
    await audit(page, `the sign-in page (${scheme})`);

    await page.goto(`${origin}/#/gradebook`);
    await byTestId("gradebook-error").waitFor();
    await audit(page, `the gradebook, signed out (${scheme})`);

    await page.goto(`${origin}/#/no/such/page`);
    await byTestId("not-found").waitFor();
    await audit(page, `the 404 page (${scheme})`);

    await page.goto(`${origin}/#/problems/no-such-problem`);
    await byTestId("not-found").waitFor({ timeout: 60_000 });
    await audit(page, `an unknown problem (${scheme})`);
    assert.deepEqual(
      log.filter((l) => l.startsWith("pageerror")),
      [],
      "no uncaught exception",
    );
  });
}

// Everyday use: the theme switcher (system, light, dark; kept across visits) and the keyboard
// shortcuts (the list opened by `?` or the footer's button, `/` to search, Ctrl+Enter to run
// and Ctrl+Shift+Enter to submit, from the editor). Served by `polyrun serve`, so Submit grades.
//
//   node --test tests/browser/ui.test.mjs        (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { test } from "node:test";

import { describeRun, editorText, openProblem, readResults, sitePage, waitReady } from "./lib.mjs";

let grader;
let page;
const log = sitePage((session) => ({ server: grader, page } = session), { polyrun: [] });

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

/** Whether the page's background is light, as the browser draws it. */
function looksLight() {
  return page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    return (r + g + b) / 3 > 128;
  });
}

test("the theme follows the system until one is chosen, and the choice is kept", { timeout: 60_000 }, async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(`${grader.origin}/#/`);
  const select = byTestId("theme-select");
  await select.waitFor();
  assert.equal(await select.inputValue(), "system");
  assert.equal(await looksLight(), false, "a dark system gets the dark theme");

  await select.selectOption("light");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
  assert.equal(await looksLight(), true, "light, chosen, wins over a dark system");
  assert.equal(await page.evaluate(() => localStorage.getItem("polyrun:theme")), '"light"');

  await page.reload();
  await byTestId("theme-select").waitFor();
  assert.equal(await byTestId("theme-select").inputValue(), "light", "the choice is kept");
  assert.equal(await looksLight(), true);

  await page.emulateMedia({ colorScheme: "light" });
  await byTestId("theme-select").selectOption("dark");
  assert.equal(await looksLight(), false, "dark, chosen, wins over a light system");

  await byTestId("theme-select").selectOption("system");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? null), null);
  assert.equal(await page.evaluate(() => localStorage.getItem("polyrun:theme")), null);
  assert.equal(await looksLight(), true, "back to the (light) system's");
});

test("? and the footer's button open the shortcuts; Escape closes them", { timeout: 60_000 }, async () => {
  await page.goto(`${grader.origin}/#/`);
  await byTestId("problem-link").first().waitFor({ timeout: 30_000 });
  const dialog = byTestId("shortcuts-dialog");
  assert.equal(await dialog.isVisible(), false, "closed at first");

  await page.keyboard.press("?");
  await dialog.waitFor({ state: "visible" });
  const shown = await page.evaluate(() => {
    const d = document.querySelector('[data-testid="shortcuts-dialog"]');
    const name = document.getElementById(d.getAttribute("aria-labelledby"))?.textContent;
    return { tag: d.tagName, modal: d.matches(":modal"), name, focusInside: d.contains(document.activeElement) };
  });
  assert.deepEqual(shown, { tag: "DIALOG", modal: true, name: "Keyboard shortcuts", focusInside: true });
  const text = await dialog.textContent();
  for (const line of ["Run the examples", "Submit to the grader", "Show these shortcuts", "Search the problems"]) {
    assert.ok(text.includes(line), `the list names “${line}”: ${text}`);
  }
  assert.match(text, /Ctrl\s*\+\s*Shift\s*\+\s*Enter/);
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });

  // The footer's button opens it too; closing gives the focus back to the button.
  await byTestId("shortcuts-button").click();
  await dialog.waitFor({ state: "visible" });
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "shortcuts-button");
  await byTestId("shortcuts-button").click();
  await byTestId("shortcuts-close").click();
  await dialog.waitFor({ state: "hidden" });

  // `/` goes to the search; there `?` and `/` are text.
  await page.locator("h1").click();
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "problem-search");
  await page.keyboard.type("sum?/");
  assert.equal(await byTestId("problem-search").inputValue(), "sum?/");
  assert.equal(await dialog.isVisible(), false, "? typed in the search opens nothing");
});

test("following a link with the keyboard puts the focus on the new page's heading", { timeout: 60_000 }, async () => {
  await page.goto(`${grader.origin}/#/`);
  await page.reload(); // a fresh page: the search above filtered the list
  const link = byTestId("problem-link").first();
  await link.waitFor({ timeout: 30_000 });
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName}:${el.textContent.trim().slice(0, 80)}` : "none";
    });
  assert.match(await focused(), /^BODY:/, "a fresh page starts on <body>");
  const title = (await link.textContent()).trim();
  await link.focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.tagName === "H1", null, { timeout: 10_000 });
  const heading = await focused();
  assert.ok(heading.startsWith("H1:"), heading);
  assert.ok(title.includes(heading.slice(3)) || heading.includes(title), `${heading} is not ${title}`);

  // Back to the list with the brand link: the welcome page's heading.
  await page.locator("a.brand").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    () => document.activeElement?.tagName === "H1" && document.activeElement.textContent.includes("Practise"),
    null,
    { timeout: 10_000 },
  );
  // Tab goes on from the top of the page, not from wherever the old page left it.
  await page.keyboard.press("Tab");
  assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), "BODY");
});

test("Ctrl+Enter runs and Ctrl+Shift+Enter submits, from the editor", { timeout: 240_000 }, async () => {
  await openProblem(page, grader.origin, "two-sum");
  await waitReady(page, "python");
  await page.locator('[data-testid="editor"] .cm-content').click();
  const before = await editorText(page);

  await page.keyboard.press("Control+Enter");
  await byTestId("run-summary").waitFor({ timeout: 120_000 });
  let run = await readResults(page);
  assert.ok(run.results.length > 0, describeRun(run));
  assert.doesNotMatch(run.summaryText, /on the grader/, "a Run, graded in the browser");

  await page.keyboard.press("Control+Shift+Enter");
  await page.waitForFunction(
    () => /on the grader/.test(document.querySelector('[data-testid="run-summary"]')?.textContent ?? ""),
    null,
    { timeout: 120_000 },
  );
  run = await readResults(page);
  assert.ok(run.results.some((r) => r.verdict), describeRun(run));
  assert.equal(await editorText(page), before, "neither shortcut changed the code");
  assert.deepEqual(
    log.filter((l) => l.startsWith("pageerror")),
    [],
    "no uncaught exception",
  );
});

// Share links end to end (frontend/src/share.rs): a 3 KB solution shared from one browser
// and opened in another (filled, nothing run, the clipboard holds the link, its length
// measured), a learner's draft kept and brought back, and damaged or hostile links refused
// with `share-error` while the draft stays. Two Chromium profiles, used in order.
//
//   SKIP_BUILD=1 node --test --test-concurrency=1 tests/browser/share.test.mjs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { deflateSync } from "node:zlib";

import { chooseLanguage, editorText, launch, openProblem, REPO, setCode, typeCode, waitReady, watchPage } from "./lib.mjs";
import { serve } from "./server.mjs";

const PROBLEM = "shortest-path";
/** The 3 KB solution the unit test measures too. */
const SOLUTION = readFileSync(join(REPO, "frontend", "testdata", "shortest_path_3k.py"), "utf8");
const THEIRS = "def shortest_path(graph, source, target):\n    return 'theirs'\n";

let server;
let mine; // the sharer's browser, later the learner with a draft
let fresh; // a browser that never saw the site
let pageA;
let pageB;
const log = [];
let shared; // the 3 KB solution's link
let theirs; // a link made in the fresh browser

before(async () => {
  server = await serve();
  mine = await launch();
  await mine.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
  pageA = mine.context.pages()[0] || (await mine.context.newPage());
  watchPage(pageA, log);
});

after(async () => {
  await mine?.close();
  await fresh?.close();
  await server?.close();
});

/** Waits until the editor holds `text`. */
async function waitEditor(page, text) {
  await page.waitForFunction(
    (code) => {
      const el = document.querySelector('[data-testid="editor"]');
      return el && (el.polyrunEditor ? el.polyrunEditor.getDoc() : el.value) === code;
    },
    text,
    { timeout: 60_000 },
  );
}

/** The own tests shown: each one's argument texts and expected text. */
function ownTests(page) {
  return page.locator('[data-testid="custom-test"]').evaluateAll((tests) =>
    tests.map((t) => ({
      args: [...t.querySelectorAll('[data-testid="test-arg-input"]')].map((i) => i.value),
      expected: t.querySelector('[data-testid="test-expected-input"]').value,
    })),
  );
}

/** Clicks Share and returns the link shown in `share-link`. */
async function share(page) {
  await page.locator('[data-testid="share-button"]').click();
  const input = page.locator('[data-testid="share-link"]');
  await input.waitFor({ timeout: 10_000 });
  return input.inputValue();
}

/** A link to the problem page carrying `json` (an object or raw text) packed as the app does. */
function craft(json) {
  const text = typeof json === "string" ? json : JSON.stringify(json);
  return `${server.origin}/#/problems/${PROBLEM}?share=v1.${deflateSync(Buffer.from(text)).toString("base64url")}`;
}

function hash(page) {
  return page.evaluate(() => window.location.hash);
}

test("a shared 3 KB solution opens in a fresh browser filled, with nothing run", { timeout: 300_000 }, async () => {
  await openProblem(pageA, server.origin, PROBLEM);
  await chooseLanguage(pageA, "python");
  await setCode(pageA, SOLUTION);
  await pageA.locator('[data-testid="add-test-button"]').click();
  await pageA.locator('[data-testid="test-expected-input"]').first().fill("4");
  const tests = await ownTests(pageA);
  assert.equal(tests.length, 1);

  shared = await share(pageA);
  console.log(`share link of a ${SOLUTION.length}-byte solution and 1 own test: ${shared.length} characters`);
  assert.ok(shared.length < 2000, `the link is ${shared.length} characters`);
  assert.ok(shared.startsWith(`${server.origin}/#/problems/${PROBLEM}?share=v1.`), shared);
  await pageA.waitForFunction(
    () => document.querySelector('[data-testid="share-copied"]')?.dataset.copied === "true",
    null,
    { timeout: 10_000 },
  );
  assert.equal(await pageA.evaluate(() => navigator.clipboard.readText()), shared, "the clipboard holds the link");

  fresh = await launch();
  pageB = fresh.context.pages()[0] || (await fresh.context.newPage());
  watchPage(pageB, log);
  await pageB.goto(shared);
  await waitEditor(pageB, SOLUTION);
  assert.equal(await pageB.locator('[data-testid="language-select"]').inputValue(), "python");
  assert.deepEqual(await ownTests(pageB), tests);
  assert.equal(await hash(pageB), `#/problems/${PROBLEM}`, "the link is gone from the address bar");
  // Nothing ran, even once the runtime was ready to.
  await waitReady(pageB, "python");
  for (const id of ["result", "run-summary", "run-progress", "run-error", "share-error", "draft-replaced"]) {
    assert.equal(await pageB.locator(`[data-testid="${id}"]`).count(), 0, `no ${id}`);
  }
  // Not saved as this browser's draft: a reload shows its own (starter) state.
  await pageB.reload();
  await pageB.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  assert.notEqual(await editorText(pageB), SOLUTION);
  assert.equal(await pageB.locator('[data-testid="custom-test"]').count(), 0);
  assert.deepEqual(log.filter((l) => l.startsWith("pageerror")), [], log.join("\n"));
});

test("a learner's draft is kept and brought back", { timeout: 180_000 }, async () => {
  await setCode(pageB, THEIRS);
  theirs = await share(pageB);

  // The link opened in the tab already on the problem (no page load).
  await pageA.goto(theirs);
  await waitEditor(pageA, THEIRS);
  await pageA.locator('[data-testid="draft-replaced"]').waitFor({ timeout: 10_000 });
  assert.equal(await pageA.locator('[data-testid="custom-test"]').count(), 0, "the link's (no) tests");
  assert.equal(await hash(pageA), `#/problems/${PROBLEM}`);

  // A reload shows the learner's own draft: the link saved nothing over it.
  await pageA.reload();
  await waitEditor(pageA, SOLUTION);
  assert.equal(await pageA.locator('[data-testid="custom-test"]').count(), 1);
  assert.equal(await pageA.locator('[data-testid="draft-replaced"]').count(), 0);

  // Again, then "Bring back my code": the code and the own test come back.
  await pageA.goto(theirs);
  await waitEditor(pageA, THEIRS);
  await pageA.locator('[data-testid="restore-draft-button"]').click();
  await waitEditor(pageA, SOLUTION);
  assert.deepEqual((await ownTests(pageA)).map((t) => t.expected), ["4"]);
  assert.equal(await pageA.locator('[data-testid="draft-replaced"]').count(), 0);
  assert.deepEqual(log.filter((l) => l.startsWith("pageerror")), [], log.join("\n"));
});

test("damaged and hostile links show share-error and change nothing", { timeout: 180_000 }, async () => {
  const at = theirs.indexOf("share=v1.") + "share=v1.".length;
  const cut = theirs.slice(0, at + Math.floor((theirs.length - at) / 2));
  const hostileCode = `# </script><img src=x onerror="window.__pwned=1">\n${"x = 1\n".repeat(12_000)}`;
  const cases = [
    [cut, /damaged or cut short/],
    [`${server.origin}/#/problems/${PROBLEM}?share=v1.%3Cscript%3E`, /damaged or cut short/],
    [craft({ language: "python", code: "</script>".repeat(1_200_000), problem: PROBLEM }), /unpacks to more than 262144 bytes/],
    [craft({ language: "python", code: hostileCode, problem: PROBLEM, tests: [] }), /its code is \d+ bytes \(at most 65536\)/],
    [craft({ language: "python", code: 42, problem: PROBLEM }), /invalid type/],
    [craft({ language: "cobol", code: "", problem: PROBLEM }), /unknown language 'cobol'/],
    [craft({ language: "python", code: "", problem: "two-sum" }), /for the problem “two-sum”/],
    [craft({ language: "python", code: "", problem: PROBLEM, tests: [{ args: ["1"] }] }), /test 1 has 1 arguments; this problem takes 3/],
    [`${server.origin}/#/problems/${PROBLEM}?share=v9.abc`, /“v9”/],
  ];
  for (const [link, message] of cases) {
    await pageA.goto(link);
    await pageA.waitForFunction(
      (source) => new RegExp(source).test(document.querySelector('[data-testid="share-error"]')?.textContent ?? ""),
      message.source,
      { timeout: 10_000 },
    );
    assert.equal(await editorText(pageA), SOLUTION, `${message}: the draft stays`);
    assert.equal(await pageA.locator('[data-testid="custom-test"]').count(), 1);
    assert.equal(await pageA.locator('[data-testid="draft-replaced"]').count(), 0);
    assert.equal(await hash(pageA), `#/problems/${PROBLEM}`);
  }
  await pageA.reload();
  await waitEditor(pageA, SOLUTION);

  // Markup in a valid link is text: shown as typed, never run.
  const markup = '# </script><img src=x onerror="window.__pwned=1">\n';
  const arg = '"</script><img src=x onerror=window.__pwned=1>"';
  await pageA.goto(craft({ language: "python", code: markup, problem: PROBLEM, tests: [{ args: [arg, '"a"', '"b"'] }] }));
  await waitEditor(pageA, markup);
  assert.deepEqual((await ownTests(pageA))[0].args, [arg, '"a"', '"b"']);
  assert.equal(await pageA.evaluate(() => window.__pwned), undefined);
  assert.equal(await pageA.locator('img[src="x"]').count(), 0);
  assert.deepEqual(log.filter((l) => l.startsWith("pageerror")), [], log.join("\n"));
});

test("the playground shares a program with its stdin; opening it runs nothing and keeps the draft", { timeout: 240_000 }, async () => {
  const program = 'name = input()\nprint(f"hello {name}")\n';
  const stdin = "shared input\n";
  const MINE = "print('mine')";
  // The learner (browser A) has a playground draft of their own.
  await pageA.goto(`${server.origin}/#/playground`);
  await pageA.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(pageA, "python");
  await typeCode(pageA, MINE); // typed: a draft is what the learner edits
  await pageA.locator('[data-testid="stdin"]').fill("my input\n");

  // Browser B shares a program and its input.
  await pageB.goto(`${server.origin}/#/playground`);
  await pageB.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(pageB, "python");
  await setCode(pageB, program);
  await pageB.locator('[data-testid="stdin"]').fill(stdin);
  const link = await share(pageB);
  assert.ok(link.startsWith(`${server.origin}/#/playground?share=v1.`), link);

  // A opens it: filled, nothing run, the link gone from the address bar, the draft kept.
  await pageA.goto(link);
  await waitEditor(pageA, program);
  assert.equal(await pageA.locator('[data-testid="stdin"]').inputValue(), stdin);
  assert.equal(await hash(pageA), "#/playground");
  await waitReady(pageA, "python");
  assert.equal(await pageA.locator('[data-testid="run-status"]').count(), 0, "nothing ran");
  await pageA.reload();
  await waitEditor(pageA, MINE);
  assert.equal(await pageA.locator('[data-testid="stdin"]').inputValue(), "my input\n");

  // Again, then "Bring back my code".
  await pageA.goto(link);
  await waitEditor(pageA, program);
  await pageA.locator('[data-testid="restore-draft-button"]').click();
  await waitEditor(pageA, MINE);
  assert.equal(await pageA.locator('[data-testid="stdin"]').inputValue(), "my input\n");

  // A problem's link on the playground is refused, and changes nothing.
  await pageA.goto(theirs.replace(`#/problems/${PROBLEM}`, "#/playground"));
  await pageA.locator('[data-testid="share-error"]').waitFor({ timeout: 10_000 });
  assert.equal(await editorText(pageA), MINE);
  assert.deepEqual(log.filter((l) => l.startsWith("pageerror")), [], log.join("\n"));
});

// Signing in, "Your submissions" and the gradebook, end to end: the built app served by
// `polyrun serve --auth tokens` over a fresh SQLite store, with tokens made by
// `polyrun token create`. A learner signs in by pasting a token, submits, sees the
// submissions with their verdicts and reopens one's code; a teacher signs in by an invite
// link (`#/signin?token=…`, gone from the address bar once read), sees the learner's row in
// the gradebook and downloads it as CSV. Needs the polyrun binary (POLYRUN_BIN, else
// target/release/polyrun).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  audit,
  chooseLanguage,
  clickRun,
  describeRun,
  editorText,
  launch,
  POLYRUN,
  servePolyrun,
  setCode,
  typeCode,
  watchPage,
} from "./lib.mjs";

const PROBLEM = "two-sum";
const WRONG = "def two_sum(nums, target):\n    return [0, 1]\n";
const RIGHT = `def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
`;
const DRAFT = "def two_sum(nums, target):\n    # my own draft\n    return []\n";

let dir;
let store;
let serve;
let origin;
let browser;
let page;
const tokens = {};
const log = [];
// Every request the page made: [url, authorization header or null].
const requests = [];

/**
 * `polyrun token create`: the token it prints once on stdout (its first line) and, with
 * `invite` (the site's URL), the invite link it prints after it.
 */
function createToken(name, role, invite) {
  const args = ["token", "create", "--name", name, "--role", role, "--store", store];
  if (invite) args.push("--invite", invite);
  const out = execFileSync(POLYRUN, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [token, link] = out.trim().split("\n");
  assert.match(token, /^pr_[A-Za-z0-9_-]+$/, `polyrun token create prints the token: ${JSON.stringify(out)}`);
  return { token, link };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "polyrun-accounts-"));
  store = `sqlite:${join(dir, "polyrun.db")}`;
  tokens.ada = createToken("ada", "learner").token;
  serve = await servePolyrun(["--auth", "tokens", "--store", store]);
  origin = serve.origin;
  browser = await launch();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  watchPage(page, log);
  page.on("request", (request) => requests.push([request.url(), request.headers().authorization ?? null]));
});

after(async () => {
  await browser?.close();
  await serve?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

async function signInByPasting(token) {
  await page.goto(`${origin}/#/signin`);
  await byTestId("signin-token-input").fill(token);
  await byTestId("signin-button").click();
}

test("a bad token shows the error and signs nobody in", { timeout: 60_000 }, async () => {
  await signInByPasting("pr_not_a_token");
  const error = byTestId("signin-error");
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.textContent(), /401|token/i);
  assert.equal(await byTestId("user-badge").count(), 0, "nobody is signed in");
  assert.equal(await byTestId("signin-link").count(), 1, "the header still offers to sign in");
  assert.equal(await page.evaluate(() => localStorage.getItem("polyrun:session")), null, "nothing is kept");
});

test("a learner signs in by pasting a token: the header shows who, no gradebook", { timeout: 60_000 }, async () => {
  await signInByPasting(tokens.ada);
  const badge = byTestId("user-badge");
  await badge.waitFor({ timeout: 30_000 });
  assert.equal(await badge.getAttribute("data-role"), "learner");
  assert.match(await badge.textContent(), /ada/);
  assert.equal(await byTestId("gradebook-link").count(), 0, "a learner gets no gradebook link");
  const kept = JSON.parse(await page.evaluate(() => localStorage.getItem("polyrun:session")));
  assert.equal(kept.token, tokens.ada, "the token is kept in local storage");

  // A bad token now changes nothing: ada stays signed in.
  await page.goto(`${origin}/#/signin`);
  await byTestId("signin-token-input").fill("pr_still_not_a_token");
  await byTestId("signin-button").click();
  await byTestId("signin-error").waitFor({ timeout: 30_000 });
  assert.match(await byTestId("user-badge").textContent(), /ada/);

  // The gradebook, asked for anyway, says why not.
  await page.goto(`${origin}/#/gradebook`);
  const refused = byTestId("gradebook-error");
  await refused.waitFor({ timeout: 30_000 });
  assert.match(await refused.textContent(), /teacher|403/i);
});

test("a submission shows in Your submissions with its verdict, and its code reopens", { timeout: 240_000 }, async () => {
  await page.goto(`${origin}/#/problems/${PROBLEM}`);
  await byTestId("editor").waitFor({ timeout: 60_000 });
  await byTestId("my-submissions").waitFor({ timeout: 30_000 });
  await chooseLanguage(page, "python");

  await setCode(page, WRONG);
  let run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "wrong_answer", `${describeRun(run)}\n${log.join("\n")}`);
  const rows = byTestId("submission-row");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="submission-row"]').length === 1, null, {
    timeout: 30_000,
  });
  assert.equal(await rows.first().getAttribute("data-verdict"), "wrong_answer");

  await setCode(page, RIGHT);
  run = await clickRun(page, undefined, { button: "submit-button" });
  assert.equal(run.summary, "accepted", describeRun(run));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="submission-row"]').length === 2, null, {
    timeout: 30_000,
  });
  assert.deepEqual(
    await rows.evaluateAll((els) => els.map((el) => el.dataset.verdict)),
    ["accepted", "wrong_answer"],
    "newest first",
  );
  assert.match(await rows.first().textContent(), /\d+ \/ \d+/, "passed / total");
  await audit(page, "a problem page with Your submissions (signed in)");

  // Reopen the wrong answer from another language: the editor switches to Python and shows
  // it; the code it replaced comes back.
  await typeCode(page, DRAFT);
  await chooseLanguage(page, "javascript");
  await rows.nth(1).locator('[data-testid="submission-open-button"]').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="editor"]')?.dataset.language === "python",
    null,
    { timeout: 30_000 },
  );
  await page.waitForFunction(
    (code) => {
      const el = document.querySelector('[data-testid="editor"]');
      return (el.polyrunEditor ? el.polyrunEditor.getDoc() : el.value) === code;
    },
    WRONG,
    { timeout: 30_000 },
  );
  assert.equal(await page.locator('[data-testid="language-select"]').inputValue(), "python");
  await byTestId("restore-draft-button").click();
  await page.waitForFunction(
    (code) => {
      const el = document.querySelector('[data-testid="editor"]');
      return (el.polyrunEditor ? el.polyrunEditor.getDoc() : el.value) === code;
    },
    DRAFT,
    { timeout: 30_000 },
  );
  assert.equal(await editorText(page), DRAFT);

  // Every call to the grader carried ada's token.
  const graded = requests.filter(([url]) => url.includes("/api/v1/grade"));
  assert.ok(graded.length >= 2, "the submissions went to the grader");
  for (const [url, auth] of graded) assert.equal(auth, `Bearer ${tokens.ada}`, url);
  const listed = requests.filter(([url]) => url.includes("/api/v1/submissions"));
  assert.ok(listed.length > 0);
  for (const [url, auth] of listed) assert.equal(auth, `Bearer ${tokens.ada}`, url);
  assert.ok(listed.some(([url]) => /[?&]user=ada(&|$)/.test(url)), "the list asks for ada's own");
});

test("sign out forgets the token", { timeout: 60_000 }, async () => {
  await byTestId("signout-button").click();
  await byTestId("signin-link").waitFor({ timeout: 10_000 });
  assert.equal(await byTestId("user-badge").count(), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem("polyrun:session")), null);
  // Signed out, the problem page asks to sign in instead of listing.
  await page.goto(`${origin}/#/problems/${PROBLEM}`);
  await byTestId("my-submissions-signin").waitFor({ timeout: 30_000 });
  assert.equal(await byTestId("submission-row").count(), 0);
  // This grader grades only for people signed in: Submit says so.
  await setCode(page, RIGHT);
  const run = await clickRun(page, undefined, { button: "submit-button" });
  assert.match(run.error ?? "", /sign in/i, describeRun(run));
});

test("a teacher's invite link signs in, leaves the address, and the gradebook shows and downloads", { timeout: 120_000 }, async () => {
  // Made while the server runs: the store is shared.
  const invite = createToken("grace", "teacher", `${origin}/`);
  tokens.grace = invite.token;
  assert.equal(invite.link, `${origin}/#/signin?token=${tokens.grace}`, "the invite link's form");
  requests.length = 0;
  await page.goto(invite.link);
  const badge = byTestId("user-badge");
  await badge.waitFor({ timeout: 30_000 });
  assert.equal(await badge.getAttribute("data-role"), "teacher");
  assert.match(await badge.textContent(), /grace/);
  assert.ok(!page.url().includes(tokens.grace), `the token left the address bar: ${page.url()}`);
  assert.ok(
    !(await page.evaluate(() => window.location.href)).includes("token="),
    "no token in the location",
  );
  // The token went to the grader's API only, in the Authorization header, never in a URL.
  for (const [url] of requests) assert.ok(!url.includes(tokens.grace), `a URL carried the token: ${url}`);
  for (const [url, auth] of requests) {
    if (auth) assert.ok(new URL(url).pathname.startsWith("/api/v1/"), `the token went to ${url}`);
  }

  await byTestId("gradebook-link").click();
  const table = byTestId("gradebook-table");
  await table.waitFor({ timeout: 30_000 });
  const row = page.locator('[data-testid="gradebook-row"][data-user="ada"]');
  await row.waitFor({ timeout: 10_000 });
  const cell = row.locator(`[data-testid="gradebook-cell"][data-problem="${PROBLEM}"]`);
  assert.equal(await cell.getAttribute("data-verdict"), "accepted", "the best of ada's submissions");
  assert.match(await cell.textContent(), /2 attempts/);
  await audit(page, "the gradebook's table (a teacher)");

  const [download] = await Promise.all([page.waitForEvent("download"), byTestId("gradebook-csv-button").click()]);
  assert.equal(download.suggestedFilename(), "gradebook.csv");
  const csv = readFileSync(await download.path(), "utf8");
  assert.match(csv, /^user,problem,verdict,passed,total,attempts,accepted_at/m);
  assert.match(csv, new RegExp(`^ada,${PROBLEM},accepted,`, "m"));
});

test("a revoked token signs out at the next visit, with a note", { timeout: 60_000 }, async () => {
  execFileSync(POLYRUN, ["token", "revoke", "grace", "--store", store], { stdio: ["ignore", "pipe", "pipe"] });
  await page.reload();
  await byTestId("signin-link").waitFor({ timeout: 30_000 });
  assert.equal(await byTestId("user-badge").count(), 0);
  await byTestId("gradebook-error").waitFor({ timeout: 10_000 });
  await byTestId("signin-link").click();
  const notice = byTestId("signin-notice");
  await notice.waitFor({ timeout: 10_000 });
  assert.match(await notice.textContent(), /grace/);
  assert.equal(await page.evaluate(() => localStorage.getItem("polyrun:session")), null);
});

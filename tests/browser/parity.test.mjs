// Parity of the browser with the grader: every built-in problem's reference solution, in
// each language, gets in the browser the verdicts (and returned values) that
// `polyrun grade --show-hidden` gives for the problem's public tests (the non-hidden ones,
// in file order), which are the examples the app runs.
//
// Then the programs of tests/browser/programs/ (wrong values, errors at load and at run
// time, syntax errors, a missing entry point, exits, values without a JSON form, output,
// deep recursion, memory over the limit), each on two-sum (or the problem named by a first
// line `# problem: ID` / `// problem: ID`): same verdicts, same error types (and lines, where
// the grader knows one; messages too in Python and Ruby, which are the same interpreters),
// same output, same values.
//
// One browser profile and one page per language; the problem changes by the URL's hash (as
// the app's links do), so the runtime loads once; the solution is set through the editor
// (typing 54 programs would only test the keyboard, which app.test.mjs does).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import {
  chooseLanguage,
  clickRun,
  describeRun,
  EXTENSION,
  LANGUAGES,
  launch,
  openProblem,
  POLYRUN,
  PROBLEMS,
  problemIds,
  problemTests,
  READY_TIMEOUT,
  setCode,
  switchProblem,
  waitReady,
  watchPage,
} from "./lib.mjs";
import { serve } from "./server.mjs";

const run = promisify(execFile);

const PROGRAMS = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "programs");

/** The CLI's grade report of `file` on `id`. */
async function cliReport(id, file) {
  let stdout;
  try {
    ({ stdout } = await run(POLYRUN, ["grade", "--show-hidden", id, file], { maxBuffer: 256 << 20 }));
  } catch (error) {
    // Exit status 1: graded, not accepted. Anything else is a broken run.
    if (error.code !== 1 || !error.stdout) throw new Error(`polyrun grade ${id} ${file} failed: ${error.stderr}`);
    stdout = error.stdout;
  }
  return JSON.parse(stdout);
}

/** The CLI's verdicts and values on the public tests of `id` for `file`. */
async function cliPublic(id, file) {
  const report = await cliReport(id, file);
  return report.tests
    .filter((t) => !t.hidden)
    .sort((a, b) => a.index - b.index)
    .map((t) => ({ verdict: t.verdict, actual: t.actual }));
}

/** The problem a program is for: its first line `# problem: ID` or `// problem: ID`. */
function programProblem(source) {
  const m = /^(?:#|\/\/)\s*problem:\s*([a-z0-9-]+)/.exec(source);
  return m ? m[1] : "two-sum";
}

/** The programs of tests/browser/programs/ in `language`. */
function programs(language) {
  if (!existsSync(PROGRAMS)) return [];
  return readdirSync(PROGRAMS)
    .filter((name) => name.endsWith(`.${EXTENSION[language]}`))
    .sort()
    .map((name) => {
      const file = join(PROGRAMS, name);
      return { name, file, id: programProblem(readFileSync(file, "utf8")) };
    });
}

/** What the public tests alone make of a submission: compile/load failure, else the first non-accepted. */
function publicVerdict(report, publicTests) {
  if (report.error && publicTests.every((t) => t.verdict === "skipped")) return report.verdict;
  return publicTests.find((t) => t.verdict !== "accepted")?.verdict ?? "accepted";
}

/** Checks a shown error ("Type: message (line N)") against the grader's error object. */
function sameError(shownText, error, language, what) {
  assert.ok(shownText, `${what}: the browser shows the error ${JSON.stringify(error)}`);
  assert.ok(
    shownText.startsWith(`${error.type}: `) || shownText.startsWith(`${error.type} (`) || shownText === error.type,
    `${what}: the error's type is ${error.type}; the browser shows ${JSON.stringify(shownText)}`,
  );
  if (error.line !== null && error.line !== undefined) {
    assert.match(shownText, new RegExp(`\\(line ${error.line}\\)$`), `${what}: the error is on line ${error.line}`);
  }
  if (language !== "javascript" && error.message) {
    assert.ok(
      shownText.includes(error.message),
      `${what}: the error's message is ${JSON.stringify(error.message)}; the browser shows ${JSON.stringify(shownText)}`,
    );
  }
}

/** A shown value, parsed (null when the app shortened it). */
function shown(text) {
  if (text === null || /… \(\d+ characters in all\)$/.test(text)) return undefined;
  return JSON.parse(text);
}

let server;
const cases = [];
for (const id of problemIds()) {
  for (const language of LANGUAGES) {
    const file = join(PROBLEMS, id, "solutions", `solution.${EXTENSION[language]}`);
    if (existsSync(file)) cases.push({ id, language, file });
  }
}

before(async () => {
  assert.ok(existsSync(POLYRUN), `${POLYRUN} is missing: run \`cargo xtask setup\``);
  server = await serve();
});

after(async () => {
  await server?.close();
});

// The CLI's answers, computed while the browser works (two at a time).
const cli = new Map();
function cliAnswer({ id, file }) {
  if (!cli.has(file)) cli.set(file, cliPublic(id, file));
  return cli.get(file);
}
let queue = Promise.resolve();
function prefetch(list) {
  const lanes = [[], []];
  list.forEach((c, i) => lanes[i % 2].push(c));
  queue = Promise.all(
    lanes.map(async (lane) => {
      for (const c of lane) await cliAnswer(c).catch(() => {});
    }),
  );
}

for (const language of LANGUAGES) {
  describe(`parity in ${language}`, { timeout: READY_TIMEOUT + 300_000 }, () => {
    let browser;
    let page;
    const log = [];
    const mine = cases.filter((c) => c.language === language);

    before(async () => {
      prefetch(mine);
      browser = await launch();
      page = browser.context.pages()[0] || (await browser.context.newPage());
      watchPage(page, log);
      await openProblem(page, server.origin, mine[0].id);
      await chooseLanguage(page, language);
      await waitReady(page, language);
    });

    after(async () => {
      await browser?.close();
      await queue;
    });

    for (const { id, file } of mine) {
      test(`${language} ${id}: the reference solution's verdicts match polyrun grade`, { timeout: 120_000 }, async () => {
        const from = log.length;
        try {
          await switchProblem(page, id);
          await waitReady(page, language);
          await setCode(page, readFileSync(file, "utf8"));
          const browserRun = await clickRun(page);
          const expected = await cliAnswer({ id, file });
          const publicCount = problemTests(id).filter((t) => !t.hidden).length;
          assert.equal(expected.length, publicCount, "the CLI reports every public test");
          assert.deepEqual(
            browserRun.results.map((r) => r.verdict),
            expected.map((t) => t.verdict),
            `verdicts on the public tests, browser vs polyrun grade: ${describeRun(browserRun)}`,
          );
          browserRun.results.forEach((r, i) => {
            const value = shown(r.actual);
            if (value !== undefined) assert.deepEqual(value, expected[i].actual, `the value returned by test ${i}`);
          });
        } catch (error) {
          error.message += `\n--- page log\n${log.slice(from).slice(-30).join("\n")}`;
          throw error;
        }
      });
    }

    for (const { name, file, id } of programs(language)) {
      test(`${language} programs/${name} on ${id}: the browser grades as polyrun grade`, { timeout: 120_000 }, async () => {
        const from = log.length;
        try {
          const report = cliReport(id, file);
          await switchProblem(page, id);
          await waitReady(page, language);
          await setCode(page, readFileSync(file, "utf8"));
          const got = await clickRun(page);
          const cli = await report;
          const want = cli.tests.filter((t) => !t.hidden).sort((a, b) => a.index - b.index);
          const account = `browser: ${describeRun(got)}\npolyrun grade: ${cli.verdict} ${JSON.stringify(
            want.map((t) => [t.verdict, t.error?.type ?? null]),
          )} ${JSON.stringify(cli.error)}`;
          assert.deepEqual(
            got.results.map((r) => r.verdict),
            want.map((t) => t.verdict),
            `verdicts on the public tests\n${account}`,
          );
          assert.equal(got.summary, publicVerdict(cli, want), `the run's verdict\n${account}`);
          if (cli.error) {
            sameError(
              (got.submissionError || "").replace(/^[^:]*?: /, ""),
              cli.error,
              language,
              `the submission's error\n${account}`,
            );
          } else {
            assert.equal(got.submissionError, null, `no submission error\n${account}`);
          }
          want.forEach((t, i) => {
            const r = got.results[i];
            if (t.error) sameError(r.error, t.error, language, `test ${i}'s error\n${account}`);
            assert.equal(r.stdout ?? "", t.stdout ?? "", `test ${i}'s stdout`);
            if (t.verdict === "accepted") assert.equal(r.stderr ?? "", t.stderr ?? "", `test ${i}'s stderr`);
            const value = shown(r.actual);
            if (value !== undefined || t.actual !== undefined) {
              assert.deepEqual(value ?? null, t.actual ?? null, `test ${i}'s returned value`);
            }
          });
        } catch (error) {
          error.message += `\n--- page log\n${log.slice(from).slice(-30).join("\n")}`;
          throw error;
        }
      });
    }
  });
}

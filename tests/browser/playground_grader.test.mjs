// The playground's "Run on the grader": with the app served by `polyrun serve` (so the page
// names a grader), ticking `run-on-grader` sends the program to `POST /api/v1/run` and shows
// the grader's report: a program reading its standard input in each language, and a
// runaway loop stopped at the page's time limit (exit 124, within generous bounds).
//
//   node --test tests/browser/playground_grader.test.mjs   (after the site is built: see run.sh)
import assert from "node:assert/strict";
import { test } from "node:test";

import { chooseLanguage, runPlayground, setCode, setField, sitePage } from "./lib.mjs";

let page;
let server;
const log = sitePage((session) => ({ page, server } = session), { polyrun: [] });

const PROGRAMS = {
  python: 'name = input()\nprint(f"hello {name} from the grader")\n',
  ruby: 'name = gets.chomp\nputs "hello #{name} from the grader"\n',
  javascript: 'const name = readline();\nconsole.log(`hello ${name} from the grader`);\n',
};
const LOOP = "while True:\n    pass\n";

test("Run on the grader posts the program to /api/v1/run and shows its report", { timeout: 300_000 }, async () => {
  const posted = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/run") posted.push(JSON.parse(r.postData()));
  });
  await page.goto(`${server.origin}/#/playground`);
  const box = page.locator('[data-testid="run-on-grader"]');
  await box.waitFor({ timeout: 60_000 });
  await box.check();
  for (const language of Object.keys(PROGRAMS)) {
    await chooseLanguage(page, language);
    await setCode(page, PROGRAMS[language]);
    await setField(page, "stdin", "Ada\n");
    await setField(page, "time-limit-input", "5000");
    const run = await runPlayground(page);
    assert.deepEqual(
      [run.status, run.exitCode, run.stdout],
      ["ok", 0, "hello Ada from the grader\n"],
      `${language}: ${JSON.stringify(run)}`,
    );
    const last = posted.at(-1);
    assert.equal(last?.language, language, "the run went to the grader");
    assert.equal(last.stdin, "Ada\n");
    assert.equal(last.time_limit_ms, 5000);
  }

  // The grader measures memory: what the program used beyond the interpreter's own.
  await chooseLanguage(page, "python");
  await setCode(page, "x = bytearray(30 * 1024 * 1024)\nprint(len(x))\n");
  const big = await runPlayground(page);
  assert.deepEqual([big.status, big.exitCode], ["ok", 0], JSON.stringify(big));
  const status = page.locator('[data-testid="run-status"]');
  const kb = Number(await status.getAttribute("data-memory-kb"));
  assert.ok(kb >= 30 * 1024 && kb < 40 * 1024, `30 MiB allocated, ${kb} KiB reported`);
  assert.match(await status.innerText(), / MB of memory/);

  await setCode(page, LOOP);
  await setField(page, "time-limit-input", "1000");
  const loop = await runPlayground(page);
  assert.deepEqual([loop.status, loop.exitCode], ["time_limit_exceeded", 124], JSON.stringify(loop));
  assert.ok(loop.waitedMs >= 1000, `stopped after ${loop.waitedMs} ms, not before the 1000 ms limit`);
  assert.ok(loop.waitedMs < 1000 + 15_000, `stopped after ${loop.waitedMs} ms`);
  assert.equal(posted.length, 5, "every run went to the grader");
  assert.deepEqual(log.filter((l) => l.startsWith("pageerror")), [], log.join("\n"));
});

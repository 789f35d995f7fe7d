// The web app end to end, as a user: real Chromium, real runtimes (Pyodide, ruby.wasm, the
// browser's engine), real clicks and typing. One page, used in order: the tests of this file
// build on each other (the problem opened by the first is the one the next ones use).
//
//   node --test tests/browser/        (after the site is built: see tests/browser/run.sh)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chooseLanguage,
  clickRun,
  describeRun,
  editorText,
  LANGUAGES,
  problemIds,
  problemTests,
  READY_TIMEOUT,
  setCode,
  sitePage,
  typeCode,
  waitReady,
} from "./lib.mjs";

let server;
let page;
const log = sitePage((session) => {
  ({ server, page } = session);
});

const PROBLEM = "two-sum";
const EXAMPLES = problemTests(PROBLEM).filter((t) => !t.hidden).length;

/** Correct one-line solutions, typed with the keyboard. */
const TYPED = {
  python:
    "def two_sum(nums, target): return next([i, j] for i in range(len(nums)) for j in range(i + 1, len(nums)) if nums[i] + nums[j] == target)",
  ruby: "def two_sum(nums, target) = (0...nums.size).to_a.combination(2).find { |i, j| nums[i] + nums[j] == target }",
  javascript:
    "function twoSum(nums, target) { for (let i = 0; i < nums.length; i++) for (let j = i + 1; j < nums.length; j++) if (nums[i] + nums[j] === target) return [i, j]; }",
};

/** Correct multi-line solutions (set through the editor). */
const CORRECT = {
  python: `def two_sum(nums, target):
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i
`,
  ruby: `def two_sum(nums, target)
  seen = {}
  nums.each_with_index do |x, i|
    return [seen[target - x], i] if seen.key?(target - x)
    seen[x] = i
  end
end
`,
  javascript: `function twoSum(nums, target) {
  const seen = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
    seen.set(nums[i], i);
  }
}
`,
};

const WRONG = {
  python: "def two_sum(nums, target):\n    return [0, 0]\n",
  ruby: "def two_sum(nums, target)\n  [0, 0]\nend\n",
  javascript: "function twoSum(nums, target) {\n  return [0, 0];\n}\n",
};

/** A runtime error on line 3, with the error's type as each language names it. */
const RUNTIME_ERROR = {
  python: ["def two_sum(nums, target):\n    zero = 0\n    return nums[0] // zero\n", "ZeroDivisionError"],
  ruby: ["def two_sum(nums, target)\n  zero = 0\n  nums.fetch(100 + zero)\nend\n", "IndexError"],
  javascript: ["function twoSum(nums, target) {\n  const none = null;\n  return none.length;\n}\n", "TypeError"],
};

const RUNAWAY = {
  python: "def two_sum(nums, target):\n    while True:\n        pass\n",
  ruby: "def two_sum(nums, target)\n  loop { }\nend\n",
  javascript: "function twoSum(nums, target) {\n  for (;;) {}\n}\n",
};

/**
 * User code that tries the network, the storage and the page, and returns what it saw:
 * "label=value" or "label!Error:message", joined by "; ".
 */
function probe(language, leakUrl) {
  switch (language) {
    case "python":
      return `import js

def two_sum(nums, target):
    seen = []
    def attempt(label, f):
        try:
            seen.append(label + "=" + repr(f()))
        except BaseException as e:
            seen.append(label + "!" + type(e).__name__ + ":" + str(e)[:100])
    attempt("fetch", lambda: js.fetch("${leakUrl}/fetch"))
    attempt("XMLHttpRequest", lambda: js.XMLHttpRequest.new())
    attempt("importScripts", lambda: js.importScripts("${leakUrl}/importScripts"))
    attempt("open_url", lambda: __import__("pyodide.http").http.open_url("${leakUrl}/open_url").read())
    attempt("pyfetch", lambda: __import__("asyncio").ensure_future(__import__("pyodide.http").http.pyfetch("${leakUrl}/pyfetch")) and None)
    attempt("localStorage", lambda: js.localStorage)
    attempt("indexedDB", lambda: js.indexedDB)
    attempt("document", lambda: js.document)
    attempt("parent", lambda: js.parent)
    attempt("typeof", lambda: js.eval("[typeof fetch, typeof XMLHttpRequest, typeof localStorage, typeof indexedDB, typeof document, typeof parent].join()"))
    return "; ".join(seen)
`;
    case "ruby":
      return `require "js"

def two_sum(nums, target)
  seen = []
  attempt = lambda do |label, &blk|
    begin
      value = blk.call
      seen << "#{label}=#{value.inspect}"
    rescue Exception => e
      seen << "#{label}!#{e.class}:#{e.message[0, 100]}"
    end
  end
  attempt.call("fetch") { JS.global.call(:fetch, "${leakUrl}/fetch") }
  attempt.call("XMLHttpRequest") { JS.global[:XMLHttpRequest].new }
  attempt.call("importScripts") { JS.global.call(:importScripts, "${leakUrl}/importScripts") }
  attempt.call("localStorage") { JS.global[:localStorage] }
  attempt.call("indexedDB") { JS.global[:indexedDB] }
  attempt.call("document") { JS.global[:document] }
  attempt.call("parent") { JS.global[:parent] }
  attempt.call("typeof") { JS.eval("return [typeof fetch, typeof XMLHttpRequest, typeof localStorage, typeof indexedDB, typeof document, typeof parent].join()").to_s }
  seen.join("; ")
end
`;
    case "javascript":
      return `function twoSum(nums, target) {
  const seen = [];
  const attempt = (label, f) => {
    try {
      const v = f();
      seen.push(label + "=" + (typeof v === "object" && v !== null ? Object.prototype.toString.call(v) : String(v)));
    } catch (e) {
      seen.push(label + "!" + e.name + ":" + String(e.message).slice(0, 100));
    }
  };
  attempt("fetch", () => fetch("${leakUrl}/fetch"));
  attempt("XMLHttpRequest", () => { const x = new XMLHttpRequest(); x.open("GET", "${leakUrl}/xhr", false); x.send(); return x.status; });
  attempt("importScripts", () => importScripts("${leakUrl}/importScripts"));
  attempt("localStorage", () => localStorage);
  attempt("indexedDB", () => indexedDB);
  attempt("document", () => document);
  attempt("parent", () => parent);
  attempt("typeof", () => [typeof globalThis.fetch, typeof globalThis.XMLHttpRequest, typeof globalThis.localStorage, typeof globalThis.indexedDB, typeof globalThis.document, typeof globalThis.parent].join());
  return seen.join("; ");
}
`;
    default:
      throw new Error(language);
  }
}

/** What a probe attempt may show: it failed, or it saw nothing. */
const NOTHING = {
  python: /^(!\w+|=None|=<Task .*)/,
  ruby: /^(!|=nil$|=undefined$|=null$)/,
  javascript: /^(!|=undefined$|=null$)/,
};

function failWith(message) {
  return `${message}\n--- page log (${log.length} lines)\n${log.slice(-40).join("\n")}`;
}

/** A test of this file: on failure, the page's log and what it shows are added to the error. */
function step(name, options, fn) {
  test(name, options, async (t) => {
    const from = log.length;
    try {
      await fn(t);
    } catch (error) {
      let shown = "";
      try {
        shown = await page.evaluate(() => document.querySelector("main")?.innerText.slice(0, 1500) ?? "(no <main>)");
      } catch (e) {
        shown = `(the page cannot be read: ${e.message})`;
      }
      error.message += `\n--- page log during the test\n${log.slice(from).slice(-40).join("\n")}\n--- the page shows\n${shown}`;
      throw error;
    }
  });
}


step("the welcome page lists every problem; clicking two-sum opens it", { timeout: 120_000 }, async () => {
  await page.goto(server.url);
  const links = page.locator('[data-testid="problem-link"]');
  await links.first().waitFor({ timeout: 60_000 });
  const ids = await links.evaluateAll((els) => els.map((e) => e.dataset.problemId));
  assert.deepEqual([...ids].sort(), problemIds(), "one problem-link per built-in problem, with data-problem-id");
  await page.locator(`[data-testid="problem-link"][data-problem-id="${PROBLEM}"]`).click();
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  assert.equal(new URL(page.url()).hash, `#/problems/${PROBLEM}`);
  assert.equal(await page.locator("h1").textContent(), "Two Sum");
  assert.equal(await page.locator('[data-testid="example"]').count(), EXAMPLES, "the public tests are shown as examples");
  assert.equal(
    await page.locator('[data-testid="editor"]').getAttribute("data-editor"),
    "codemirror",
    "the CodeMirror editor is mounted (js/editor.js served)",
  );
});

for (const language of LANGUAGES) {
  step(`${language}: a correct solution typed by keyboard is accepted`, { timeout: READY_TIMEOUT + 120_000 }, async () => {
    await chooseLanguage(page, language);
    await waitReady(page, language);
    await typeCode(page, TYPED[language]);
    const run = await clickRun(page);
    assert.equal(run.results.length, EXAMPLES, failWith(`one result per example: ${describeRun(run)}`));
    for (const r of run.results) assert.equal(r.verdict, "accepted", failWith(describeRun(run)));
    assert.equal(run.summary, "accepted", failWith(describeRun(run)));
  });
}

for (const language of LANGUAGES) {
  step(`${language}: a wrong answer and a runtime error with its line`, { timeout: 240_000 }, async () => {
    await chooseLanguage(page, language);
    await waitReady(page, language);

    await setCode(page, WRONG[language]);
    let run = await clickRun(page);
    assert.equal(run.results.length, EXAMPLES, failWith(describeRun(run)));
    assert.ok(
      run.results.some((r) => r.verdict === "wrong_answer"),
      failWith(`some result is wrong_answer: ${describeRun(run)}`),
    );
    assert.equal(run.summary, "wrong_answer", failWith(describeRun(run)));
    const wrong = run.results.find((r) => r.verdict === "wrong_answer");
    assert.equal(wrong.actual, "[0,0]", "the returned value is shown");

    const [code, kind] = RUNTIME_ERROR[language];
    await setCode(page, code);
    run = await clickRun(page);
    assert.equal(run.summary, "runtime_error", failWith(describeRun(run)));
    const failed = run.results.find((r) => r.verdict === "runtime_error");
    assert.ok(failed, failWith(describeRun(run)));
    assert.ok(failed.error, failWith(`the error is shown: ${describeRun(run)}`));
    assert.match(failed.error, new RegExp(kind), failWith(describeRun(run)));
    assert.match(failed.error, /\(line 3\)/, failWith(`the error names line 3: ${describeRun(run)}`));
  });
}

for (const language of LANGUAGES) {
  step(`${language}: an infinite loop is time_limit_exceeded, and the next run works`, { timeout: 240_000 }, async () => {
    await chooseLanguage(page, language);
    await waitReady(page, language);
    await setCode(page, RUNAWAY[language]);
    let run = await clickRun(page);
    assert.equal(run.summary, "time_limit_exceeded", failWith(describeRun(run)));
    assert.equal(run.results[0].verdict, "time_limit_exceeded", failWith(describeRun(run)));

    // At once: no reload, no waiting for anything but the run.
    await setCode(page, CORRECT[language]);
    run = await clickRun(page);
    assert.equal(run.results.length, EXAMPLES, failWith(describeRun(run)));
    for (const r of run.results) assert.equal(r.verdict, "accepted", failWith(describeRun(run)));
  });
}

step("user code reaches neither the network, nor storage, nor the page", { timeout: 300_000 }, async () => {
  // A draft with a secret, in the app's localStorage.
  const secret = `draft-secret-${Math.random().toString(36).slice(2)}`;
  await chooseLanguage(page, "python");
  await waitReady(page, "python");
  await setCode(page, `# ${secret}\n${CORRECT.python}`);
  await clickRun(page);
  await page.waitForFunction(
    (s) => Object.keys(localStorage).some((k) => (localStorage.getItem(k) || "").includes(s)),
    secret,
    { timeout: 30_000 },
  );

  const leakPath = `/leak-${Math.random().toString(36).slice(2)}`;
  for (const language of LANGUAGES) {
    await chooseLanguage(page, language);
    await waitReady(page, language);
    await setCode(page, probe(language, `${server.origin}${leakPath}/${language}`));
    const run = await clickRun(page);
    const seen = run.results[0]?.actual;
    assert.ok(seen, failWith(`${language}: the probe returned a description: ${describeRun(run)}`));
    const text = JSON.parse(seen);
    assert.ok(!text.includes(secret), `${language}: user code read the app's draft: ${text}`);
    for (const part of text.split("; ")) {
      const m = /^(\w+)(.*)$/s.exec(part);
      assert.ok(m, `${language}: unexpected probe output ${part}`);
      const [, label, outcome] = m;
      if (label === "typeof") {
        assert.match(
          outcome,
          /^=['"]?undefined,undefined,undefined,undefined,undefined,undefined['"]?$/,
          `${language}: every one of fetch, XMLHttpRequest, localStorage, indexedDB, document, parent is undefined (${part})`,
        );
      } else {
        assert.match(outcome, NOTHING[language], `${language}: ${label} must fail or be undefined, saw: ${part}`);
      }
    }
  }
  // Give a request that slipped out time to arrive, then check that none did.
  await page.waitForTimeout(1000);
  const leaked = server.requests.filter((r) => r.path.includes(leakPath));
  assert.deepEqual(leaked, [], "the server saw no request from user code");
});

step("an own test with arguments adds a result", { timeout: 240_000 }, async () => {
  await chooseLanguage(page, "python");
  await waitReady(page, "python");
  await setCode(page, CORRECT.python);
  const before = await page.locator('[data-testid="custom-test"]').count();
  await page.locator('[data-testid="add-test-button"]').click();
  const custom = page.locator('[data-testid="custom-test"]').nth(before);
  await custom.waitFor();
  // Each empty box shows the form its value takes: the first example's argument.
  const hints = await custom
    .locator('[data-testid="test-arg-input"]')
    .evaluateAll((boxes) => boxes.map((b) => b.placeholder));
  assert.deepEqual(hints, ["e.g. [2,7,11,15]", "e.g. 9"]);
  await custom.locator('[data-testid="test-arg-input"][data-param="0"]').fill("[1, 5, 9, 4]");
  await custom.locator('[data-testid="test-arg-input"][data-param="1"]').fill("13");
  await custom.locator('[data-testid="test-expected-input"]').fill("[2, 3]");
  assert.equal(await custom.locator('[data-testid="json-error"]').count(), 0, "the JSON inputs are valid");
  let run = await clickRun(page);
  assert.equal(run.results.length, EXAMPLES + before + 1, failWith(`an extra result: ${describeRun(run)}`));
  const mine = run.results.at(-1);
  assert.equal(mine.verdict, "accepted", failWith(describeRun(run)));
  assert.equal(mine.actual, "[2,3]");

  // The same test expecting something else is a wrong answer.
  await custom.locator('[data-testid="test-expected-input"]').fill("[0, 1]");
  run = await clickRun(page);
  assert.equal(run.results.at(-1).verdict, "wrong_answer", failWith(describeRun(run)));
  assert.equal(run.results.at(-1).expected, "[0,1]");

  // Not JSON: the box says so and Run is refused with a reason.
  await custom.locator('[data-testid="test-expected-input"]').fill("[0, 1");
  await custom.locator('[data-testid="json-error"]').waitFor({ timeout: 10_000 });
  run = await clickRun(page);
  assert.ok(run.blocked, failWith(`run-blocked is shown: ${describeRun(run)}`));
  await custom.locator('[data-testid="test-expected-input"]').fill("[2, 3]");
});

step("drafts: after a reload the code and own tests are restored", { timeout: 240_000 }, async () => {
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  const marker = `draft-${Date.now()}`;
  const code = `// ${marker}\n${TYPED.javascript}`;
  await typeCode(page, code);
  const key = `polyrun:draft:${PROBLEM}:javascript`;
  await page.waitForFunction(([k, c]) => localStorage.getItem(k) === JSON.stringify(c), [key, code], {
    timeout: 30_000,
  });
  const ownTests = await page.locator('[data-testid="custom-test"]').count();
  assert.ok(ownTests >= 1, "the own test of the previous test is there");

  await page.reload();
  await page.locator('[data-testid="editor"] .cm-content').waitFor({ timeout: 60_000 });
  assert.equal(
    await page.locator('[data-testid="language-select"]').inputValue(),
    "javascript",
    "the last language is restored",
  );
  assert.equal(await editorText(page), code, "the draft is restored");
  assert.equal(await page.locator('[data-testid="custom-test"]').count(), ownTests, "own tests are restored");
  assert.equal(
    await page.locator('[data-testid="test-arg-input"][data-param="0"]').first().inputValue(),
    "[1, 5, 9, 4]",
  );
  // The other languages keep their own drafts.
  await chooseLanguage(page, "python");
  assert.equal(await editorText(page), CORRECT.python, "the Python draft is its own");

  // And the restored draft runs.
  await chooseLanguage(page, "javascript");
  await waitReady(page, "javascript");
  const run = await clickRun(page);
  for (const r of run.results) assert.equal(r.verdict, "accepted", failWith(describeRun(run)));
});

/**
 * Code that leaves a mark in the interpreter's global state and returns whether it found
 * one already, and whether it can see the primer each worker runs before the user's code.
 */
const LEAVES_A_MARK = {
  python: `import builtins

def two_sum(nums, target):
    seen = [hasattr(builtins, "polyrun_mark"), "__polyrun_prime" in globals()]
    builtins.polyrun_mark = True
    return seen
`,
  ruby: `def two_sum(nums, target)
  seen = [!$polyrun_mark.nil?, respond_to?(:__polyrun_prime, true)]
  $polyrun_mark = true
  seen
end
`,
  javascript: `function twoSum(nums, target) {
  const seen = [typeof polyrunMark !== "undefined", typeof __polyrun_prime !== "undefined"];
  globalThis.polyrunMark = true;
  return seen;
}
`,
};

for (const language of LANGUAGES) {
  step(`${language}: nothing one run leaves behind is seen by the next`, { timeout: 240_000 }, async () => {
    await chooseLanguage(page, language);
    await waitReady(page, language);
    await setCode(page, LEAVES_A_MARK[language]);
    for (let round = 0; round < 3; round++) {
      const run = await clickRun(page);
      assert.ok(run.results.length >= 2, failWith(describeRun(run)));
      // The first test of a run sees a fresh interpreter; the next ones see the first's mark.
      assert.equal(run.results[0].actual, "[false,false]", failWith(`round ${round}: ${describeRun(run)}`));
      assert.equal(run.results[1].actual, "[true,false]", failWith(`round ${round}: ${describeRun(run)}`));
    }
  });
}

/** The kept Python snapshot as the app's Cache Storage holds it: {name, size, storedAt}. */
function keptSnapshot() {
  return page.evaluate(async () => {
    const names = (await caches.keys()).filter((n) => n.startsWith("polyrun-snapshot-"));
    if (names.length !== 1) return { count: names.length };
    const cache = await caches.open(names[0]);
    const [request] = await cache.keys();
    if (!request) return { count: 1 };
    const response = await cache.match(request);
    const size = (await response.arrayBuffer()).byteLength;
    return { count: 1, name: names[0], url: request.url, size, storedAt: response.headers.get("x-polyrun-stored-at") };
  });
}

async function runCorrectPython(what) {
  await chooseLanguage(page, "python");
  await waitReady(page, "python");
  await setCode(page, CORRECT.python);
  const own = await page.locator('[data-testid="custom-test"]').count();
  const run = await clickRun(page);
  assert.equal(run.results.length, EXAMPLES + own, failWith(`${what}: ${describeRun(run)}`));
  for (const r of run.results) assert.equal(r.verdict, "accepted", failWith(`${what}: ${describeRun(run)}`));
}

step("python: the interpreter's snapshot is kept for the next visit, and a broken one is remade", { timeout: 600_000 }, async () => {
  await page.goto(`${server.origin}/#/problems/${PROBLEM}`);
  await page.locator('[data-testid="editor"]').waitFor({ timeout: 60_000 });
  await chooseLanguage(page, "python");
  await waitReady(page, "python");
  await page.waitForFunction(
    async () => (await caches.keys()).some((n) => n.startsWith("polyrun-snapshot-")),
    null,
    { timeout: 60_000, polling: 200 },
  );
  await page.waitForTimeout(500); // the entry is written after the cache is created
  const kept = await keptSnapshot();
  assert.equal(kept.count, 1, `one snapshot cache: ${JSON.stringify(kept)}`);
  assert.ok(kept.size > 1_000_000, `a real memory image: ${JSON.stringify(kept)}`);

  // The next visit starts from it: Python runs, and no snapshot was made and kept again.
  await page.reload();
  await runCorrectPython("from the kept snapshot");
  await page.waitForTimeout(1000);
  assert.deepEqual(await keptSnapshot(), kept, "the kept snapshot was used, not remade");

  // A snapshot that cannot start an interpreter is dropped and remade; Python still runs.
  // Two kinds: bytes that are no snapshot at all, and a snapshot header over the wrong
  // contents (which Pyodide itself refuses).
  const broken = [
    () => new Uint8Array(4096).fill(7),
    () => {
      const bytes = new Uint8Array(24 << 20).fill(7);
      new Uint32Array(bytes.buffer, 0, 1)[0] = 1886286592;
      return bytes;
    },
  ];
  for (const [n, make] of broken.entries()) {
    await page.evaluate(
      async ({ name, url, source }) => {
        // eslint-disable-next-line no-new-func
        const bytes = new Function(`return (${source})()`)();
        await (await caches.open(name)).put(url, new Response(bytes));
      },
      { ...kept, source: make.toString() },
    );
    await page.reload();
    await runCorrectPython(`after broken snapshot ${n}`);
  }
  await page.waitForFunction(
    async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith("polyrun-snapshot-"));
      if (names.length !== 1) return false;
      const cache = await caches.open(names[0]);
      const [request] = await cache.keys();
      const response = request && (await cache.match(request));
      return Boolean(response) && (await response.arrayBuffer()).byteLength > 1_000_000;
    },
    null,
    { timeout: 120_000, polling: 500 },
  );
  const remade = await keptSnapshot();
  assert.notEqual(remade.storedAt, kept.storedAt, `a new snapshot was kept: ${JSON.stringify(remade)}`);
});

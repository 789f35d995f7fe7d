// The browser benchmark: prints one JSON object per line (as service/benches/grader.rs does).
//
//   node tests/browser/bench.mjs [--runs N] [--pause MS] [--lang python,ruby,javascript] [--no-native]
//
// Per language, in a fresh Chromium profile, on two-sum, against the built site (dist/, or
// POLYRUN_SITE) served by tests/browser/server.mjs (ETag revalidation, `Cache-Control:
// no-cache`, BENCH_CACHE_CONTROL to change it):
//
//   {"bench":"browser_ready", …}  navigation start → runtime-status ready, on the first
//       visit (empty HTTP cache) and on a second page load in the same profile (HTTP cache),
//       with the requests and bytes the server sent for runtimes/ on each.
//   {"bench":"browser_run", …}    a warm run of a trivial function (3 example tests, one
//       sandbox session), N runs a user's pause (--pause, 1 s) apart, so that the host's spare
//       worker is ready. Two figures, each a median of N:
//       - request → result: the time the app reports in the summary (grade_in_browser's wall
//         time: the request to the sandbox → the report, before rendering), for runs started
//         by a click dispatched from script. After a real click Chromium holds every other
//         task (the worker's answers included) until it has drawn the next frame, which adds
//         up to a frame (~16 ms at 60 Hz) that is the display's, not the run's;
//       - click → result: a real click on Run → run-summary in the DOM, that frame included.
//   {"bench":"browser_after_kill", …}  a runaway loop in the first test (killed at the 2 s
//       limit, the spare worker takes over) then, at once, the trivial run again: its
//       click → result time against the warm median, and whether runtime-status ever left
//       `ready`.
//   {"bench":"browser_cpu", …}    service/benches/cpu/cpu.{py,rb,js}'s work (fib(24), sorting
//       10^5 integers, building a 10^5-part string) wrapped in the problem's function, which
//       prints its own elapsed ms, as the program does; best and median of the tests' figures,
//       next to the same program under the native interpreter when it is installed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";

import { chooseLanguage, clickRun, LANGUAGES, launch, median, REPO, setCode, waitReady } from "./lib.mjs";
import { serve } from "./server.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const RUNS = Number(option("--runs", "10"));
/** A user's pause between runs (ms): the host has its spare worker ready again by then. */
const PAUSE = Number(option("--pause", "1000"));
const languages = option("--lang", LANGUAGES.join(",")).split(",");
const native = !args.includes("--no-native");
const PROBLEM = "two-sum";

const TRIVIAL = {
  python: "def two_sum(nums, target):\n    return [0, 1]\n",
  ruby: "def two_sum(nums, target)\n  [0, 1]\nend\n",
  javascript: "function twoSum(nums, target) {\n  return [0, 1];\n}\n",
};

/** Loops for ever in the first example only: one worker is killed, the spare goes on. */
const RUNAWAY = {
  python: "def two_sum(nums, target):\n    while nums[0] == 2:\n        pass\n    return [0, 1]\n",
  ruby: "def two_sum(nums, target)\n  loop { } if nums[0] == 2\n  [0, 1]\nend\n",
  javascript: "function twoSum(nums, target) {\n  while (nums[0] === 2) {}\n  return [0, 1];\n}\n",
};

/** cpu.{py,rb,js}'s work inside the problem's function; prints its elapsed ms. */
const CPU = {
  python: `import time

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def two_sum(nums, target):
    start = time.perf_counter()
    fib(24)
    seed = 12345
    xs = []
    for _ in range(100_000):
        seed = (seed * 1103515245 + 12345) % 2147483648
        xs.append(seed)
    xs.sort()
    parts = []
    for i in range(100_000):
        parts.append(str(i))
    text = ",".join(parts)
    assert len(text) > 0 and xs[0] <= xs[-1]
    print((time.perf_counter() - start) * 1000.0)
    return [0, 1]
`,
  ruby: `def fib(n)
  n < 2 ? n : fib(n - 1) + fib(n - 2)
end

def two_sum(nums, target)
  start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  fib(24)
  seed = 12_345
  xs = []
  100_000.times do
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    xs << seed
  end
  xs.sort!
  parts = []
  100_000.times { |i| parts << i.to_s }
  text = parts.join(",")
  raise "bad" unless !text.empty? && xs[0] <= xs[-1]
  puts (Process.clock_gettime(Process::CLOCK_MONOTONIC) - start) * 1000.0
  [0, 1]
end
`,
  javascript: `function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function twoSum(nums, target) {
  const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
  const start = now();
  fib(24);
  let seed = 12345;
  const xs = [];
  for (let i = 0; i < 100000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    xs.push(seed);
  }
  xs.sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < 100000; i++) parts.push(String(i));
  const text = parts.join(",");
  if (!(text.length > 0 && xs[0] <= xs[xs.length - 1])) throw new Error("bad");
  console.log(String(now() - start));
  return [0, 1];
}
`,
};

const NATIVE = { python: ["python3", "cpu.py"], ruby: ["ruby", "cpu.rb"], javascript: ["node", "cpu.js"] };

/**
 * Installed in every page before the app: times (performance.now(), ms since navigation
 * start) of runtime-status changes, of clicks on Run and of each run-summary's appearance.
 */
function instrument() {
  const bench = { states: [], runs: [], clickAt: null };
  window.__bench = bench;
  document.addEventListener(
    "click",
    (e) => {
      if (e.target instanceof Element && e.target.closest('[data-testid="run-button"]')) bench.clickAt = performance.now();
    },
    true,
  );
  let last = "";
  const seen = new WeakSet();
  const observe = () => {
    const status = document.querySelector('[data-testid="runtime-status"]');
    if (status) {
      const now = `${status.dataset.language}:${status.dataset.state}`;
      if (now !== last) {
        last = now;
        bench.states.push({ at: performance.now(), language: status.dataset.language, state: status.dataset.state });
      }
    }
    const summary = document.querySelector('[data-testid="run-summary"], [data-testid="run-error"]');
    if (summary && !seen.has(summary) && bench.clickAt !== null) {
      seen.add(summary);
      bench.runs.push({ clickAt: bench.clickAt, at: performance.now(), text: summary.textContent });
      bench.clickAt = null;
    }
  };
  new MutationObserver(observe).observe(document, { subtree: true, childList: true, attributes: true });
}

/** The app's own figure in a summary: "3 / 3 tests passed · 41 ms" or "· 2.10 s". */
function reportedMs(text) {
  const m = /·\s*([\d.]+)\s*(ms|s)\s*$/.exec(text || "");
  if (!m) return null;
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

function round(x) {
  return x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10;
}

function round2(x) {
  return x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100;
}

function print(row) {
  console.log(JSON.stringify(row));
}

function runtimeTraffic(requests) {
  const mine = requests.filter((r) => r.path.startsWith("/runtimes/"));
  return {
    requests: mine.length,
    bytes: mine.reduce((sum, r) => sum + r.bytes, 0),
    not_modified: mine.filter((r) => r.status === 304).length,
  };
}

/** Opens two-sum in `language` (remembered as the last language) and times it to ready. */
async function visit(context, server, language) {
  const page = await context.newPage();
  await page.addInitScript((l) => {
    if (!localStorage.getItem("polyrun:language")) localStorage.setItem("polyrun:language", JSON.stringify(l));
  }, language);
  await page.addInitScript(instrument);
  server.clear();
  await page.goto(`${server.origin}/#/problems/${PROBLEM}`);
  await waitReady(page, language);
  const states = await page.evaluate(() => window.__bench.states);
  const ready = states.find((s) => s.language === language && s.state === "ready");
  // The status shows "loading" as soon as the problem page asks for the runtime.
  const asked = states.find((s) => s.language === language && s.state === "loading");
  // A runtime already ready when the page first shows its status (JavaScript's worker
  // starts with the app) was ready at the request: 0.
  const readyFirst = ready && (!asked || asked.at > ready.at);
  return {
    page,
    readyMs: ready ? ready.at : null,
    fromRequestMs: readyFirst ? 0 : ready && asked ? ready.at - asked.at : null,
    traffic: runtimeTraffic(server.requests),
  };
}

/** Clicks Run once (a real click, or `synthetic`: from script); the run's timing from the
 * page's instrument. */
async function timedRun(page, synthetic = false) {
  const before = await page.evaluate(() => window.__bench.runs.length);
  const run = await clickRun(page, undefined, { synthetic });
  await page.waitForFunction((n) => window.__bench.runs.length > n, before);
  const timing = await page.evaluate(() => window.__bench.runs.at(-1));
  return { run, clickToResult: timing.at - timing.clickAt, reported: reportedMs(timing.text) };
}

function testMs(text) {
  const m = /([\d.]+)\s*(ms|s)/.exec(text || "");
  return m ? Number(m[1]) * (m[2] === "s" ? 1000 : 1) : null;
}

async function benchLanguage(server, language) {
  const browser = await launch();
  try {
    const blank = browser.context.pages()[0];
    // First visit: a fresh profile, nothing cached.
    const first = await visit(browser.context, server, language);
    await blank?.close();
    // Second visit: the same profile, a new page (the first closed: its workers stop).
    await first.page.close();
    const cached = await visit(browser.context, server, language);
    print({
      bench: "browser_ready",
      language,
      first_visit_ms: round(first.readyMs),
      cached_ms: round(cached.readyMs),
      first_visit_from_request_ms: round(first.fromRequestMs),
      cached_from_request_ms: round(cached.fromRequestMs),
      first_visit_runtime_requests: first.traffic.requests,
      first_visit_runtime_bytes: first.traffic.bytes,
      cached_runtime_requests: cached.traffic.requests,
      cached_runtime_bytes: cached.traffic.bytes,
      cached_not_modified: cached.traffic.not_modified,
      cache_control: server.cacheControl,
    });

    const page = cached.page;
    await chooseLanguage(page, language);
    // Warm runs of a trivial function.
    await setCode(page, TRIVIAL[language]);
    await timedRun(page); // the first run after ready: not counted
    const clicks = [];
    const reported = [];
    const reportedAfterClick = [];
    const perTest = [];
    for (let i = 0; i < 2 * RUNS; i++) {
      await page.waitForTimeout(PAUSE);
      const synthetic = i % 2 === 1;
      const t = await timedRun(page, synthetic);
      if (t.run.results.length === 0) throw new Error(`${language}: the trivial run gave no result: ${t.run.error}`);
      if (synthetic) {
        if (t.reported !== null) reported.push(t.reported);
      } else {
        clicks.push(t.clickToResult);
        if (t.reported !== null) reportedAfterClick.push(t.reported);
      }
      for (const r of t.run.results) perTest.push(testMs(r.time));
    }
    const warm = median(clicks);
    print({
      bench: "browser_run",
      language,
      runs: RUNS,
      pause_between_runs_ms: PAUSE,
      tests_per_run: 3,
      p50_request_to_result_ms: round(median(reported)),
      max_request_to_result_ms: round(Math.max(...reported)),
      p50_click_to_result_ms: round(warm),
      min_click_to_result_ms: round(Math.min(...clicks)),
      max_click_to_result_ms: round(Math.max(...clicks)),
      p50_request_to_result_after_real_click_ms: round(median(reportedAfterClick)),
      p50_test_ms: round2(median(perTest.filter((x) => x !== null))),
      note: "request_to_result = the app's own figure (request to the sandbox → report) for runs clicked from script; click_to_result = a real click → run-summary in the DOM",
    });

    // A runaway loop, killed at the limit; then the trivial run at once.
    await setCode(page, RUNAWAY[language]);
    const statesBefore = await page.evaluate(() => window.__bench.states.length);
    const killed = await timedRun(page);
    if (killed.run.results[0]?.verdict !== "time_limit_exceeded") {
      throw new Error(`${language}: the runaway loop was not stopped as time_limit_exceeded: ${killed.run.summaryText}`);
    }
    await setCode(page, TRIVIAL[language]);
    const again = await timedRun(page);
    const states = (await page.evaluate(() => window.__bench.states)).slice(statesBefore);
    print({
      bench: "browser_after_kill",
      language,
      runaway_run_ms: round(killed.clickToResult),
      time_limit_ms: 2000,
      next_run_click_to_result_ms: round(again.clickToResult),
      warm_p50_click_to_result_ms: round(warm),
      runtime_status_changes: states.map((s) => s.state),
      note: "the runaway run = 2 s limit + the spare running the other 2 tests; the next run is started as soon as its result shows",
    });

    // CPU-bound work in the function (3 tests: 3 samples per run, 2 runs).
    await setCode(page, CPU[language]);
    const samples = [];
    const testTimes = [];
    for (let i = 0; i < 2; i++) {
      const { run } = await timedRun(page);
      for (const r of run.results) {
        const ms = Number.parseFloat((r.stdout || "").trim());
        if (!Number.isFinite(ms)) throw new Error(`${language}: the CPU program printed ${JSON.stringify(r.stdout)} (${r.verdict}, ${r.error})`);
        samples.push(ms);
        testTimes.push(testMs(r.time));
      }
    }
    const row = {
      bench: "browser_cpu",
      language,
      work_ms: round(Math.min(...samples)),
      p50_work_ms: round(median(samples)),
      samples: samples.length,
      p50_test_time_ms: round(median(testTimes.filter((x) => x !== null))),
    };
    if (native) {
      const [program, file] = NATIVE[language];
      try {
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
          const out = execFileSync(program, [join(REPO, "service", "benches", "cpu", file)], { encoding: "utf8" });
          best = Math.min(best, Number.parseFloat(out.trim()));
        }
        row.native = `${program} ${execFileSync(program, ["--version"], { encoding: "utf8" }).split("\n")[0].trim()}`;
        row.native_work_ms = round(best);
        row.browser_vs_native = round(row.work_ms / best);
      } catch {
        row.native = `${program}: not available`;
      }
    }
    print(row);
  } finally {
    await browser.close();
  }
}

const cacheControl = process.env.BENCH_CACHE_CONTROL || "no-cache";
const server = await serve({ cacheControl });
server.cacheControl = cacheControl;
const site = JSON.parse(readFileSync(join(server.root, "runtimes", "manifest.json"), "utf8"));
try {
  {
    const probe = await launch();
    print({
      bench: "browser_env",
      chromium: probe.context.browser()?.version() ?? null,
      cpus: availableParallelism(),
      cpu: cpus()[0]?.model ?? null,
      load_average: loadavg().map((x) => round2(x)),
      site: server.root,
    });
    await probe.close();
  }
  for (const language of languages) {
    const files = site[language]?.files || [];
    print({
      bench: "browser_runtime_files",
      language,
      runtime: site[language]?.runtime,
      files: files.length,
      bytes: files.reduce((sum, f) => sum + f.size, 0),
    });
    await benchLanguage(server, language);
  }
} finally {
  await server.close();
}

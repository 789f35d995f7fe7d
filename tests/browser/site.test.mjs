// The built site gives away no hidden test and no reference solution: every file under the
// site folder (dist/ by default, POLYRUN_SITE to change it), the runtimes and the app's wasm
// included (but the runtimes' files that are the pinned npm packages' own bytes), is searched for each hidden test's arguments and expected value and for each
// reference solution's distinctive lines. No browser: this reads the files.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { before, test } from "node:test";

import { PROBLEMS, problemIds, problemTests, REPO } from "./lib.mjs";
import { DEFAULT_SITE } from "./server.mjs";

const SITE = DEFAULT_SITE;
/** Shorter needles match by chance in 50 MB of runtimes. */
const MIN_TEST_NEEDLE = 13;
const MIN_LINE_NEEDLE = 20;

/** Every file under `dir`. */
function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The forms a JSON value is commonly written in: compact, spaced (as in tests.json), pretty. */
function jsonForms(value) {
  const compact = JSON.stringify(value);
  const spaced = compact.replace(/,(?=\S)/g, ", ").replace(/":(?=\S)/g, '": ');
  return [...new Set([compact, spaced, JSON.stringify(value, null, 2)])];
}

/** What a problem shows publicly: its statement and public tests, in every form. */
function publicText(id) {
  const tests = problemTests(id).filter((t) => !t.hidden);
  const parts = [readFileSync(join(PROBLEMS, id, "statement.md"), "utf8")];
  for (const t of tests) {
    parts.push(...jsonForms(t.args), ...jsonForms(t.expected));
    for (const a of t.args) parts.push(...jsonForms(a));
  }
  return parts.join("\n");
}

/**
 * The runtimes' files that are byte for byte the pinned npm packages' own (Pyodide,
 * ruby.wasm): a match in one of them is the package's own text (say `[1, 2, 3, 4, 5]` in
 * CPython's tests), not something this project put there. Everything else is searched.
 */
function upstreamCopies() {
  const manifest = JSON.parse(readFileSync(join(SITE, "runtimes", "manifest.json"), "utf8"));
  const sources = {
    python: (name) => join(REPO, "web", "node_modules", "pyodide", name),
    ruby: (name) => join(REPO, "web", "node_modules", "@ruby", "3.4-wasm-wasi", "dist", name),
  };
  const copies = new Set();
  for (const [language, entry] of Object.entries(manifest)) {
    for (const file of entry.files || []) {
      const source = sources[language]?.(file.path.split("/").pop());
      const served = join(SITE, "runtimes", file.path);
      if (source && existsSync(source) && existsSync(served) && readFileSync(source).equals(readFileSync(served))) {
        copies.add(relative(SITE, served));
      }
    }
  }
  return copies;
}

let files;
let upstream;
before(() => {
  assert.ok(existsSync(join(SITE, "index.html")), `${SITE} has no index.html: build the site first`);
  upstream = upstreamCopies();
  files = walk(SITE).map((path) => ({ path: relative(SITE, path), bytes: readFileSync(path) }));
});

/** The files containing `needle` (but the upstream packages' own files). */
function filesWith(needle) {
  const probe = Buffer.from(needle, "utf8");
  return files.filter((f) => !upstream.has(f.path) && f.bytes.indexOf(probe) >= 0).map((f) => f.path);
}

/** Every problem's public text (a hidden test of one may equal an example of another). */
let allPublic = null;
function everyPublicText() {
  allPublic ??= problemIds().map(publicText).join("\n");
  return allPublic;
}

test("the site serves each problem's public view, without hidden tests", () => {
  const index = JSON.parse(readFileSync(join(SITE, "problems", "index.json"), "utf8"));
  assert.deepEqual(index.map((p) => p.id).sort(), problemIds(), "problems/index.json lists every problem");
  for (const id of problemIds()) {
    const file = join(SITE, "problems", `${id}.json`);
    assert.ok(existsSync(file), `${relative(SITE, file)} is served`);
    const view = JSON.parse(readFileSync(file, "utf8"));
    const publicTests = problemTests(id).filter((t) => !t.hidden);
    assert.equal(view.tests.length, publicTests.length, `${id}: only the public tests are in the public view`);
    view.tests.forEach((t, i) => {
      assert.deepEqual(t.args, publicTests[i].args, `${id}: public test ${i}`);
      assert.ok(!t.hidden, `${id}: public test ${i} is not hidden`);
    });
    for (const key of ["solutions", "solution", "hidden_tests"]) assert.ok(!(key in view), `${id}: no ${key} field`);
  }
});

test("no hidden test's arguments or expected value is anywhere in the site", () => {
  const leaks = [];
  let searched = 0;
  let tooShort = 0;
  const shown = everyPublicText();
  for (const id of problemIds()) {
    for (const [n, t] of problemTests(id).entries()) {
      if (!t.hidden) continue;
      const needles = new Set();
      const add = (value) => {
        for (const form of jsonForms(value)) {
          if (form.length >= MIN_TEST_NEEDLE && !shown.includes(form)) needles.add(form);
        }
      };
      add(t.args);
      add(t.expected);
      for (const a of t.args) add(a);
      // A short test is still recognisable as a serialised test object.
      needles.add(`"args":${JSON.stringify(t.args)},"expected":${JSON.stringify(t.expected)}`);
      needles.add(`"args": ${jsonForms(t.args)[1]}, "expected": ${jsonForms(t.expected)[1]}`);
      const before = needles.size;
      for (const needle of needles) {
        searched++;
        const where = filesWith(needle);
        if (where.length > 0) leaks.push(`${id} hidden test ${n}: ${needle.slice(0, 80)} in ${where.join(", ")}`);
      }
      if (before <= 2) tooShort++;
    }
  }
  assert.ok(searched > 0, "some hidden test was searched for");
  assert.deepEqual(leaks, [], `hidden tests found in the site (${searched} strings searched, ${tooShort} tests only by their object form)`);
});

test("no reference solution is anywhere in the site", () => {
  const leaks = [];
  let searched = 0;
  const shown = everyPublicText();
  for (const id of problemIds()) {
    const dir = join(PROBLEMS, id, "solutions");
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!statSync(path).isFile()) continue;
      const source = readFileSync(path, "utf8");
      const lines = [
        ...new Set(
          source
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l.length >= MIN_LINE_NEEDLE && !shown.includes(l)),
        ),
      ];
      // The whole file, and each distinctive line.
      const hits = [];
      if (filesWith(source.trim()).length > 0) hits.push(`the whole file in ${filesWith(source.trim()).join(", ")}`);
      const perFile = new Map();
      for (const line of lines) {
        searched++;
        for (const where of filesWith(line)) perFile.set(where, [...(perFile.get(where) || []), line]);
      }
      // A line or two may be common code (the JavaScript prelude's heap has
      // `if (smallest === i) break;` too); a copied solution brings most of its lines.
      const needed = Math.max(Math.min(3, lines.length), Math.ceil(lines.length / 2));
      for (const [where, found] of perFile) {
        if (found.length >= needed) hits.push(`${found.length}/${lines.length} lines in ${where}: ${found.slice(0, 3).join(" ⏎ ")}`);
      }
      if (hits.length > 0) leaks.push(`${id}/solutions/${name}: ${hits.join("; ")}`);
    }
  }
  assert.ok(searched > 0, "some solution line was searched for");
  assert.deepEqual(leaks, [], `reference solutions found in the site (${searched} lines searched)`);
});

// polyrun's web asset staging, run by Trunk's pre_build hook (see Trunk.toml) or by hand:
//
//   node web/build.mjs [OUT_DIR]      (OUT_DIR defaults to $TRUNK_STAGING_DIR, else web/dist)
//
// It never touches the network. It bundles, with esbuild,
//   web/src/editor.js     -> OUT/js/editor.js              (CodeMirror 6: window.polyrunEditor)
//   web/src/ruby-glue.js  -> OUT/runtimes/ruby/ruby-glue.js (ruby.wasm's JS API for the worker)
// copies the self-hosted runtimes from web/node_modules,
//   pyodide (pyodide.mjs, pyodide.asm.mjs, pyodide.asm.wasm, python_stdlib.zip, pyodide-lock.json:
//   the loader and Emscripten module the worker imports, the interpreter, its standard
//   library and the package index its loader reads)
//                         -> OUT/runtimes/python/
//   @ruby/3.4-wasm-wasi dist/ruby+stdlib.wasm (SHA-256 checked: the module the grader runs)
//                         -> OUT/runtimes/ruby/
// and writes OUT/runtimes/manifest.json: per language, the files the sandbox fetches, with
// sizes (for the loading progress) and SHA-256 sums.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");

/** The ruby.wasm module the grader runs (runtimes-wasm/src/lib.rs, `RUBY.sha256`). */
const RUBY_WASM_SHA256 = "4b814fc9d13505ea5b4c1f3bd3a7cc7ccca137f551196b9b21f0a7caf9cc5878";
const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

function fail(message) {
  console.error(`web/build.mjs: error: ${message}`);
  process.exit(1);
}

function packageVersion(name) {
  const file = join(modules, name, "package.json");
  if (!existsSync(file)) {
    fail(`the npm package '${name}' is missing from web/node_modules: run \`cargo xtask setup\` (or \`npm ci\` in web/)`);
  }
  return JSON.parse(readFileSync(file, "utf8")).version;
}

function sha256(file) {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

if (!existsSync(modules)) {
  fail("web/node_modules is missing: run `cargo xtask setup` (or `npm ci` in web/) first");
}
const versions = {
  pyodide: packageVersion("pyodide"),
  ruby: packageVersion("@ruby/3.4-wasm-wasi"),
  rubyApi: packageVersion("@ruby/wasm-wasi"),
  esbuild: packageVersion("esbuild"),
  codemirror: packageVersion("@codemirror/view"),
};

const out = resolve(process.env.TRUNK_STAGING_DIR || process.argv[2] || join(here, "dist"));
const release = (process.env.TRUNK_PROFILE || "").toLowerCase() === "release" || process.argv.includes("--release");
const started = Date.now();

let esbuild;
try {
  esbuild = await import(join(modules, "esbuild", "lib", "main.js"));
} catch (err) {
  fail(`esbuild does not load (${err.message}): run \`cargo xtask setup\` (or \`npm ci\` in web/)`);
}

mkdirSync(join(out, "js"), { recursive: true });
mkdirSync(join(out, "runtimes", "python"), { recursive: true });
mkdirSync(join(out, "runtimes", "ruby"), { recursive: true });

const common = {
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  minify: release,
  sourcemap: false,
  legalComments: "eof",
  logLevel: "warning",
  absWorkingDir: here,
};
try {
  await esbuild.build({ ...common, entryPoints: [join(here, "src", "editor.js")], outfile: join(out, "js", "editor.js") });
  await esbuild.build({
    ...common,
    entryPoints: [join(here, "src", "ruby-glue.js")],
    outfile: join(out, "runtimes", "ruby", "ruby-glue.js"),
  });
} catch (err) {
  fail(`esbuild failed: ${err.message}`);
}

function stage(source, relative) {
  if (!existsSync(source)) fail(`${source} is missing: run \`cargo xtask setup\` (or \`npm ci\` in web/)`);
  const target = join(out, "runtimes", relative);
  copyFileSync(source, target);
  return { path: relative, size: statSync(target).size, sha256: sha256(target) };
}

const python = PYODIDE_FILES.map((name) => stage(join(modules, "pyodide", name), `python/${name}`));
const rubyWasm = stage(join(modules, "@ruby", "3.4-wasm-wasi", "dist", "ruby+stdlib.wasm"), "ruby/ruby+stdlib.wasm");
if (rubyWasm.sha256 !== RUBY_WASM_SHA256) {
  fail(`ruby+stdlib.wasm has SHA-256 ${rubyWasm.sha256}, expected ${RUBY_WASM_SHA256} (the grader's module)`);
}
const rubyGlue = join(out, "runtimes", "ruby", "ruby-glue.js");
const ruby = [
  { path: "ruby/ruby-glue.js", size: statSync(rubyGlue).size, sha256: sha256(rubyGlue) },
  rubyWasm,
];

const manifest = {
  python: { runtime: `Pyodide ${versions.pyodide}`, files: python },
  ruby: { runtime: `ruby.wasm ${versions.ruby} (@ruby/wasm-wasi ${versions.rubyApi})`, files: ruby },
  javascript: { runtime: "the browser's engine", files: [] },
};
writeFileSync(join(out, "runtimes", "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

const total = [...python, ...ruby].reduce((sum, f) => sum + f.size, 0);
console.log(
  `web/build.mjs: staged js/editor.js and runtimes/ (${(total / 1048576).toFixed(1)} MiB) into ${out} ` +
    `in ${Date.now() - started} ms (pyodide ${versions.pyodide}, ruby.wasm ${versions.ruby}, ` +
    `${release ? "minified" : "not minified"})`,
);

// polyrun's Ruby glue for the sandbox worker: ruby.wasm's JavaScript API and the WASI shim,
// bundled by web/build.mjs into one classic script that defines `self.PolyrunRuby`.
import { RubyVM } from "@ruby/wasm-wasi";
import { DefaultRubyVM } from "@ruby/wasm-wasi/dist/browser";
import { ConsoleStdout, File, OpenFile, WASI, WASIProcExit } from "@bjorn3/browser_wasi_shim";

self.PolyrunRuby = Object.freeze({
  DefaultRubyVM,
  RubyVM,
  WASI,
  WASIProcExit,
  File,
  OpenFile,
  ConsoleStdout,
});

//! End-to-end tests of polyrun's grader: real CPython, CRuby and QuickJS modules in
//! wasmtime, driven through the library (`cases`, `sandbox`) and the `polyrun` binary
//! (`cli`, and `http`: `polyrun serve` on a socket). One test binary, so that the runtimes
//! are linked once for all of them.

mod cases;
mod cli;
mod common;
mod http;
mod sandbox;

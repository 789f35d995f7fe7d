//! End-to-end tests of polyrun's grader: real CPython, CRuby and QuickJS modules in
//! wasmtime, driven through the library (`cases`, `sandbox`) and the `polyrun` binary
//! (`cli`; `authoring`: `new`, `check ID`, `pack`; `http` and `judge0`: `polyrun serve` on
//! a socket; `lambda`: `polyrun lambda` under a stand-in Lambda Runtime API). One test
//! binary, so that the runtimes are linked once for all of them.

mod authoring;
mod cases;
mod cli;
mod common;
mod course;
#[allow(dead_code)]
#[path = "../../../store/tests/store/dynalite.rs"]
mod dynalite;
mod http;
mod judge0;
mod lambda;
mod limits;
mod processes;
mod runtimes;
mod sandbox;

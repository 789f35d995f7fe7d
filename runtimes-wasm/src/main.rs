//! `polyrun-js`: the QuickJS command-line engine polyrun compiles to `wasm32-wasip1`.
//!
//! Invocation: `polyrun-js FILENAME SOURCE`. The engine evaluates the shared prelude, then
//! SOURCE as a classic script named FILENAME, then runs the event loop (microtasks, virtual
//! timers, stdin listeners) and exits with the script's status. Built for any other target it
//! only explains that it must be built for `wasm32-wasip1`.
//!
//! Pre-initialisation: the export `wizer-initialize`, called with the arguments
//! `polyrun-js FILENAME [SCRIPT]`, sets the engine up to the end of the prelude and compiles
//! SCRIPT (the grader's harness) without running it; the grader snapshots the instance there
//! (Wizer), and `_start` of the snapshot goes on from that engine, running the compiled
//! script when SOURCE is the same text.

// On the host only the engine's pure-Rust parts are compiled, for their unit tests.
#[cfg(any(target_os = "wasi", test))]
mod engine;

#[cfg(target_os = "wasi")]
fn main() {
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    match args.as_slice() {
        [_, filename, source] => engine::run(filename, source),
        _ => {
            eprintln!("usage: polyrun-js FILENAME SOURCE");
            std::process::exit(2);
        }
    }
}

/// Wizer's initialisation function: the engine for `args[1]`, up to the end of the prelude,
/// with `args[2]` compiled when given.
#[cfg(target_os = "wasi")]
#[allow(unsafe_code)]
// SAFETY: a plain exported function without arguments; nothing else is named like it.
#[unsafe(export_name = "wizer-initialize")]
pub extern "C" fn wizer_initialize() {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, filename] => engine::prepare(filename, None),
        [_, filename, script] => engine::prepare(filename, Some(script)),
        _ => {
            eprintln!("usage: polyrun-js FILENAME [SCRIPT] (to pre-initialise)");
            std::process::exit(2);
        }
    }
}

#[cfg(not(target_os = "wasi"))]
fn main() {
    eprintln!("polyrun-js must be built for wasm32-wasip1");
    std::process::exit(2);
}

//! `polyrun-js`: the QuickJS command-line engine polyrun compiles to `wasm32-wasip1`.
//!
//! Invocation: `polyrun-js FILENAME SOURCE`. The engine evaluates the shared prelude, then
//! SOURCE as a classic script named FILENAME, then runs the event loop (microtasks, virtual
//! timers, stdin listeners) and exits with the script's status. Built for any other target it
//! only explains that it must be built for `wasm32-wasip1`.

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

#[cfg(not(target_os = "wasi"))]
fn main() {
    eprintln!("polyrun-js must be built for wasm32-wasip1");
    std::process::exit(2);
}

// An exit status WASI refuses (negative, or 126 or more) stops the program with that
// cause, not a wasm backtrace.
console.log("before exit");
process.exit(-1);

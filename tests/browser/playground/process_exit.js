// process.exit(code): nothing after it runs.
console.log("a");
process.exit(5);
console.log("never");

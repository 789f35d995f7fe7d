console.log("Hello, world!");
print("héllo ✓ — ünïcode");
process.stdout.write("no newline, ");
process.stdout.write("then one\n");
console.log("numbers", 1, 2.5, true, null);
console.error("to stderr");

// require("fs").readFileSync(0) and ("/dev/stdin"), process.stdout.write.
const fs = require("fs");
const data = fs.readFileSync(0, "utf8");
const lines = data.trim().split("\n");
process.stdout.write(`${lines.length} lines\n`);
process.stdout.write(lines.reverse().join(",") + "\n");
console.log(JSON.stringify(fs.readFileSync("/dev/stdin", "utf8")));

const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin });
const lines = [];
rl.on("line", (line) => {
  lines.push(line);
});
rl.on("close", () => {
  lines.forEach((line, i) => console.log(i + 1, line.split("").reverse().join("")));
  console.log("chars", lines.reduce((n, line) => n + line.length, 0));
});

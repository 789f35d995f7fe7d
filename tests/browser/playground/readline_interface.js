// require("readline").createInterface with 'line' and 'close'.
const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin });
const lines = [];
rl.on("line", (line) => lines.push(line));
rl.on("close", () => {
  console.log(lines.length);
  for (const l of lines) console.log(`[${l}]`);
});

const fs = require("fs");
const input = fs.readFileSync(0, "utf8");
const lines = input.split("\n");
console.log(`hello ${lines[0]}, ${lines[1]} numbers follow`);
const numbers = lines.slice(2).join(" ").split(/\s+/).filter((s) => s !== "").map(Number);
console.log(numbers.length, numbers.reduce((a, b) => a + b, 0));

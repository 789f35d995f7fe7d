const { readFileSync } = require("fs");
const words = readFileSync("/dev/stdin", "utf8").split(/\s+/).filter(Boolean);
console.log(words.length, words.join("-"));

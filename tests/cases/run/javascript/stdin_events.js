// The form of many judges' JavaScript templates.
process.stdin.resume();
process.stdin.setEncoding("utf8");
let input = "";
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const lines = input.trim().split("\n");
  console.log(`hello ${lines[0]}, ${lines[1]} numbers follow`);
  const numbers = lines.slice(2).join(" ").split(" ").map(Number);
  console.log(numbers.length, numbers.reduce((a, b) => a + b, 0));
});
console.log("listening");

const name = readline();
const count = Number(readline());
console.log(`hello ${name}, ${count} numbers follow`);
let numbers = [];
let line;
while ((line = readline()) !== null) {
  numbers = numbers.concat(line.split(" ").filter((s) => s !== "").map(Number));
}
console.log(numbers.length, numbers.reduce((a, b) => a + b, 0));
console.log("EOF at the end:", readline());

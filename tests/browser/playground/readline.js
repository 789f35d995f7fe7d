// readline() line by line (null at the end), print and console.log.
let line;
let total = 0;
while ((line = readline()) !== null) {
  const sum = line.split(" ").map(Number).reduce((a, b) => a + b, 0);
  total += sum;
  print(sum);
}
console.log("total", total);

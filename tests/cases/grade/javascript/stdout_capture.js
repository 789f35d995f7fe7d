// problem: echo-value
console.log("printed while loading");

function echoValue(value) {
  if (value === 1) {
    console.log("called with", value);
    console.error("a warning");
  }
  if (value === 2) for (let i = 0; i < 2000; i++) console.log("x".repeat(99));
  return value;
}

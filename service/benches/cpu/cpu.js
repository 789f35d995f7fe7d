// CPU-bound benchmark: recursion, sorting 10^5 integers, string building. Prints its ms.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
const start = now();
fib(24);
let seed = 12345;
const nums = [];
for (let i = 0; i < 100000; i++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  nums.push(seed);
}
nums.sort((a, b) => a - b);
const parts = [];
for (let i = 0; i < 100000; i++) parts.push(String(i));
const text = parts.join(",");
if (!(text.length > 0 && nums[0] <= nums[nums.length - 1])) throw new Error("bad");
console.log(String(now() - start));

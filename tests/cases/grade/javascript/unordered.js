// problem: divisors
function divisors(n) {
  const out = [];
  for (let d = n; d >= 1; d--) if (n % d === 0) out.push(d);
  return out;
}

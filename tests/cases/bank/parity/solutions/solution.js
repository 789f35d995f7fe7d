function parity(n) {
  return n % 2 === 0 ? "even" : "odd";
}

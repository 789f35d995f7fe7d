function spin(n) {
  return n;
}

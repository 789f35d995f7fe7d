// problem: echo-value
function helper(value) {
  return undefinedThing + value;
}

function echoValue(value) {
  if (value === 2) return helper(value);
  return value;
}

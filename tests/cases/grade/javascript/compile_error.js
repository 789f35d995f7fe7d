// problem: echo-value
function echoValue(value) {
  return value +;
}

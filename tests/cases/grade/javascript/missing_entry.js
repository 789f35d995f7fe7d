// problem: echo-value
function echo_value(value) {
  return value;
}

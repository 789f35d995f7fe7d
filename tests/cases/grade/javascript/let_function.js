// problem: echo-value
let echoValue = function (value) {
  return value;
};

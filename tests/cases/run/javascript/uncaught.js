function check(value) {
  if (value > 1) {
    // the error is thrown on line 4
    throw new TypeError(`bad value ${value}`);
  }
}

console.log("start");
check(2);
console.log("not reached");

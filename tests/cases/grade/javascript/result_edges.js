// problem: echo-value
// A value nested past 100 levels has no JSON form; output with half a surrogate pair
// reads with a replacement; a value over 2 MiB of JSON is an error of its test.
function echoValue(value) {
  if (value === 1) {
    let v = 0;
    for (let i = 0; i < 101; i++) v = [v];
    return v;
  }
  if (value === 2) {
    console.log("half an emoji: " + "😀".slice(0, 1));
    return value;
  }
  return "x".repeat(3 << 20);
}

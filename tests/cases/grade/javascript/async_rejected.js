// problem: echo-value
async function echoValue(value) {
  await null;
  if (value === 2) throw new RangeError("rejected " + value);
  return value;
}

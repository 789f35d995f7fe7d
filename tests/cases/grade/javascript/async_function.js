// problem: echo-value
async function echoValue(value) {
  await null;
  const doubled = await Promise.resolve(value * 2);
  return new Promise((resolve) => resolve(doubled / 2));
}

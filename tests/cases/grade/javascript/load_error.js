// problem: echo-value
const settings = { limit: 3 };
const LIMIT = settings.limt.value;

function echoValue(value) {
  return value;
}

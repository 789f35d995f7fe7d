function echoValue(value) {
  return value;
}

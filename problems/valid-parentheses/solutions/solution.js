function isValid(s) {
  const opening = { ")": "(", "]": "[", "}": "{" };
  const stack = [];
  for (const ch of s) {
    if (ch in opening) {
      if (stack.length === 0 || stack.pop() !== opening[ch]) return false;
    } else {
      stack.push(ch);
    }
  }
  return stack.length === 0;
}

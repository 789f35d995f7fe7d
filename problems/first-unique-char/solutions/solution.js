function firstUniqueChar(s) {
  const counts = new Map();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  for (const ch of s) {
    if (counts.get(ch) === 1) return ch;
  }
  return null;
}

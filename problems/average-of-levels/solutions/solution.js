function averageOfLevels(root) {
  // Walk the level-order array directly: each present node of a level owns the
  // next two slots (left, right) of the array, in order.
  if (root.length === 0 || root[0] === null) return [];
  const averages = [];
  let level = [root[0]];
  let i = 1;
  while (level.length > 0) {
    averages.push(level.reduce((a, b) => a + b, 0) / level.length);
    const slots = root.slice(i, i + 2 * level.length);
    i += slots.length;
    level = slots.filter((v) => v !== null);
  }
  return averages;
}

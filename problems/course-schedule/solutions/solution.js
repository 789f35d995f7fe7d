function canFinish(prerequisites) {
  // Kahn's algorithm: repeatedly take a course whose prerequisites are all done.
  const missing = new Map(); // course -> prerequisites not yet taken
  const unlocks = new Map(); // course -> courses that need it
  for (const [course, needs] of Object.entries(prerequisites)) {
    missing.set(course, (missing.get(course) ?? 0) + needs.length);
    for (const need of needs) {
      if (!missing.has(need)) missing.set(need, 0);
      if (!unlocks.has(need)) unlocks.set(need, []);
      unlocks.get(need).push(course);
    }
  }
  const ready = [...missing.keys()].filter((course) => missing.get(course) === 0);
  let taken = 0;
  while (ready.length > 0) {
    const course = ready.pop();
    taken++;
    for (const next of unlocks.get(course) ?? []) {
      missing.set(next, missing.get(next) - 1);
      if (missing.get(next) === 0) ready.push(next);
    }
  }
  return taken === missing.size;
}

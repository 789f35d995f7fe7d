// Hostile whole program: allocates until something stops it.
const hoard = [];
for (;;) hoard.push("x".repeat(1 << 20) + hoard.length);

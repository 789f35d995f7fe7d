// Hostile whole program: never ends.
for (;;) {}

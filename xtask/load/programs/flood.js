// Hostile whole program: prints forever.
const line = "flood ".repeat(100);
for (;;) console.log(line);

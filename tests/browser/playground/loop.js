// Never ends: stopped at the time limit.
console.log("started");
for (;;) {}

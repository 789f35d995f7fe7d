console.log("looping");
for (;;) {}

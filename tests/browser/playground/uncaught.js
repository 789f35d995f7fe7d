// An uncaught exception: exit status 1.
console.log("before");
throw new Error("bad");

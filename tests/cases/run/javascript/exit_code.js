console.log("before exit");
process.exit(3);
console.log("after exit");

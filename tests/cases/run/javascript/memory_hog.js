console.log("allocating");
const chunks = [];
for (let i = 0; i < 2048; i++) chunks.push(new Uint8Array(1 << 20).fill(1)); // 2 GiB
console.log("allocated", chunks.length);

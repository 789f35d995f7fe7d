// process.stdin 'data' and 'end' events.
let text = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  text += chunk;
});
process.stdin.on("end", () => {
  const words = text.split(/\s+/).filter(Boolean);
  console.log(words.length, words.map((w) => w.toUpperCase()).join("-"));
});

function fizzBuzz(n) {
  const answer = [];
  for (let i = 1; i <= n; i++) {
    const word = (i % 3 === 0 ? "Fizz" : "") + (i % 5 === 0 ? "Buzz" : "");
    answer.push(word || String(i));
  }
  return answer;
}

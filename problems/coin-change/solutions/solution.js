function coinChange(coins, amount) {
  const impossible = amount + 1;
  const fewest = new Array(amount + 1).fill(impossible); // fewest[a] = coins needed for amount a
  fewest[0] = 0;
  for (const coin of coins) {
    for (let a = coin; a <= amount; a++) {
      fewest[a] = Math.min(fewest[a], fewest[a - coin] + 1);
    }
  }
  return fewest[amount] === impossible ? -1 : fewest[amount];
}

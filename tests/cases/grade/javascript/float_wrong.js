// problem: mean
function mean(nums) {
  return Math.round((nums.reduce((a, b) => a + b, 0) / nums.length) * 100) / 100;
}

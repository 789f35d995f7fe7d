function minMax(nums) {
  return [Math.min(...nums), Math.max(...nums)];
}

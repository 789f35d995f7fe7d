// Wrong: pairs each number with its neighbour only.
function twoSum(nums, target) {
  for (let i = 0; i + 1 < nums.length; i++) {
    if (nums[i] + nums[i + 1] === target) return [i, i + 1];
  }
  return [0, 1];
}

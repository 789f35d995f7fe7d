// Hostile: never returns.
function twoSum(nums, target) {
  for (;;) {}
}

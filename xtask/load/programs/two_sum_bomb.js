// Hostile: allocates until something stops it.
function twoSum(nums, target) {
  const hoard = [];
  for (;;) hoard.push("x".repeat(1 << 20) + hoard.length);
}

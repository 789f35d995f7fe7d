// problem: two-sum
const twoSum = (nums, target) => {
  const index = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (index.has(target - nums[i])) return [index.get(target - nums[i]), i];
    index.set(nums[i], i);
  }
  return [];
};

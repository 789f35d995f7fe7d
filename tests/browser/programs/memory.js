// 1 GB at once: over two-sum's 256 MB limit.
function twoSum(nums, target) {
  const block = new Uint8Array(1e9);
  return [0, block.length / 1e9];
}

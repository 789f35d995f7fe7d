# 1 GB at once: over two-sum's 256 MB limit.
def two_sum(nums, target)
  block = "x" * 10**9
  [0, block.size / 10**9]
end

# 1 GB at once: over two-sum's 256 MB limit.
def two_sum(nums, target):
    block = bytearray(10**9)
    return [0, len(block) // 10**9]

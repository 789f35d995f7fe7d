# 1 GB at once: over two-sum's 256 MB limit. The browser checks memory when the program
# writes (here: the result record), as the grader's limiter does on every grow.
def two_sum(nums, target):
    block = bytearray(10**9)
    return [0, len(block) // 10**9]

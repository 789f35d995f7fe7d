# 500 MB at once: over two-sum's 256 MB limit. The browser checks memory when the program
# writes (here: the result record), as the grader's limiter does on every grow. (Not more:
# the browser has to fill the block before it can tell, within the time limit.)
def two_sum(nums, target):
    block = bytearray(5 * 10**8)
    return [0, len(block) // (5 * 10**8)]

# problem: two-sum
def two_sum(nums, target):
    index = {}
    for i, n in enumerate(nums):
        if target - n in index:
            return [index[target - n], i]
        index[n] = i

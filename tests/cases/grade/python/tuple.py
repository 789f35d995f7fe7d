# problem: min-max
def min_max(nums):
    return min(nums), max(nums)

# problem: mean
def mean(nums):
    return round(sum(nums) / len(nums), 2)

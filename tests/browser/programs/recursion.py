def down(n):
    return down(n + 1) + 1

def two_sum(nums, target):
    return down(0)

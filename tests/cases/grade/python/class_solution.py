# problem: two-sum
class Solution:
    def two_sum(self, nums, target):
        index = {}
        for i, n in enumerate(nums):
            if target - n in index:
                return [index[target - n], i]
            index[n] = i

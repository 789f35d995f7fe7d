import sys

def two_sum(nums, target):
    print("héllo ✓", nums, target)
    print("to stderr", len(nums), file=sys.stderr)
    seen = {}
    for i, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], i]
        seen[x] = i

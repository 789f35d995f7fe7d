import sys

def two_sum(nums, target):
    sys.exit(3)

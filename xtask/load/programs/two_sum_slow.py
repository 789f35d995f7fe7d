# Accepted but slow: busy work while loading, then a quadratic search.
WARM = sum(i * i for i in range(200_000))


def two_sum(nums, target):
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == target:
                return [i, j]
    return []

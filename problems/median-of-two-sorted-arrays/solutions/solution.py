import math


def find_median_sorted_arrays(nums1, nums2):
    # Binary search for how many elements of the shorter array `a` belong to the
    # lower half of the merged order.
    a, b = (nums1, nums2) if len(nums1) <= len(nums2) else (nums2, nums1)
    m, n = len(a), len(b)
    half = (m + n + 1) // 2
    lo, hi = 0, m
    while True:
        i = (lo + hi) // 2  # taken from a
        j = half - i        # taken from b
        a_left = a[i - 1] if i > 0 else -math.inf
        a_right = a[i] if i < m else math.inf
        b_left = b[j - 1] if j > 0 else -math.inf
        b_right = b[j] if j < n else math.inf
        if a_left > b_right:
            hi = i - 1
        elif b_left > a_right:
            lo = i + 1
        else:
            lower = max(a_left, b_left)
            if (m + n) % 2 == 1:
                return float(lower)
            return (lower + min(a_right, b_right)) / 2

from collections import Counter


def first_unique_char(s):
    counts = Counter(s)
    return next((ch for ch in s if counts[ch] == 1), None)

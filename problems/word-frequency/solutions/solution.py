import re
from collections import Counter


def word_frequency(text):
    return dict(Counter(re.findall(r"[a-z]+", text.lower())))

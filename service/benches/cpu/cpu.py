# CPU-bound benchmark: recursion, sorting 10^5 integers, string building. Prints its ms.
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


start = time.perf_counter()
fib(24)
seed = 12345
nums = []
for _ in range(100_000):
    seed = (seed * 1103515245 + 12345) % 2147483648
    nums.append(seed)
nums.sort()
parts = []
for i in range(100_000):
    parts.append(str(i))
text = ",".join(parts)
assert len(text) > 0 and nums[0] <= nums[-1]
print((time.perf_counter() - start) * 1000.0)

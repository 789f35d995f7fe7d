# A whole program: sums the numbers on standard input.
import sys

print(sum(int(word) for word in sys.stdin.read().split()))

# input() for the first line, then the rest of sys.stdin line by line.
import sys

first = input()
rest = [line.rstrip("\n") for line in sys.stdin]
print(first.upper())
print(len(rest), sum(int(x) for x in rest))

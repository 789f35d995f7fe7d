import sys

total = 0
for number, line in enumerate(sys.stdin, 1):
    total += len(line.rstrip("\n"))
    print(number, line.rstrip("\n")[::-1])
print("chars", total)

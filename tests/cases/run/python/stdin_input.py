import sys

name = input()
count = int(input())
print(f"hello {name}, {count} numbers follow")
numbers = [int(x) for x in sys.stdin.read().split()]
print(len(numbers), sum(numbers))
try:
    input()
except EOFError:
    print("EOF at the end")

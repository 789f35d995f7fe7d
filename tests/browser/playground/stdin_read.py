# sys.stdin.read() all at once; input() at the end of the input is an EOFError.
import sys

data = sys.stdin.read()
print(sorted(data.split()))
try:
    input()
except EOFError:
    print("EOF")

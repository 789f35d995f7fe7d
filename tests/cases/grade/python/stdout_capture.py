# problem: echo-value
import sys

print("printed while loading")


def echo_value(value):
    if value == 1:
        print("called with", value)
        print("a warning", file=sys.stderr)
    if value == 2:
        for _ in range(2000):
            print("x" * 99)
    return value

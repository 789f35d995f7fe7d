import sys

print("Hello, world!")
print("héllo ✓ — ünïcode")
print("to stderr", file=sys.stderr)

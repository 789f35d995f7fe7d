# An uncaught exception: its traceback on stderr, exit status 1.
print("before", input())
print(1 // 0)

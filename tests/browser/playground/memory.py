# 600 MiB at once: over the 256 MB default memory limit (exit status 137).
print("start", flush=True)
block = bytearray(600 * 1024 * 1024)
print(len(block))

print("allocating", flush=True)
chunks = [b"x" * 2**20 for _ in range(2048)]  # 2 GiB in 1 MiB pieces
print("allocated", len(chunks))

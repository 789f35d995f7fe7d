# Never ends: stopped at the time limit (exit status 124).
print("started", flush=True)
while True:
    pass

# Hostile whole program: prints forever.
line = "flood " * 100
while True:
    print(line)

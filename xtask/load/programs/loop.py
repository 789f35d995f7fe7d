# Hostile whole program: never ends.
while True:
    pass

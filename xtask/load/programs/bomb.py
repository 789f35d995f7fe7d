# Hostile whole program: doubles a string until something stops it.
s = "x"
while True:
    s += s

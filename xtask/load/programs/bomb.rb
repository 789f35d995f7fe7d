# Hostile whole program: doubles a string until something stops it.
s = "x"
loop { s += s }

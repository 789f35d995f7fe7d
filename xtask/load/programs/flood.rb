# Hostile whole program: prints forever.
line = "flood " * 100
loop { puts line }

# Hostile whole program: never ends.
loop {}

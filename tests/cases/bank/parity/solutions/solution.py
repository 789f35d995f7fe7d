def parity(n):
    return "even" if n % 2 == 0 else "odd"

# problem: divisors
def divisors(n):
    return sorted((d for d in range(1, n + 1) if n % d == 0), reverse=True)

# The reference solution in Python (never shown to learners): `polyrun check` grades it
# against every test, hidden ones included. Rewrite it for your problem, keeping the
# function name and parameters of problem.toml. Each of solution.py, .rb, .js is optional.
def add(a, b):
    return a + b

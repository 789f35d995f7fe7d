# problem: echo-value
def echo(value):
    return value

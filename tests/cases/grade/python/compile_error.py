# problem: echo-value
def echo_value(value):
    return value +

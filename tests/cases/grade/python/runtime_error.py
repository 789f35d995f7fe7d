# problem: echo-value
def helper(value):
    return value / 0


def echo_value(value):
    if value == 2:
        return helper(value)
    return value

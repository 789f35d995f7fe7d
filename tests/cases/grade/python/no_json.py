# problem: echo-value
def echo_value(value):
    if value == 1:
        return {value}
    if value == 2:
        return float("nan")
    return value

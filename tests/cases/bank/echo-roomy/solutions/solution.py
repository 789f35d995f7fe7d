def echo_value(value):
    return value

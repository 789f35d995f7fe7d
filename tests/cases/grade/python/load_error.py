# problem: echo-value
settings = {"limit": 3}
LIMIT = settings["limt"]


def echo_value(value):
    return value

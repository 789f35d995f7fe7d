# Hostile: allocates until something stops it.
def two_sum(nums, target)
  hoard = []
  loop { hoard << ("x" * (1 << 20)) }
end

# Hostile: never returns.
def two_sum(nums, target)
  loop {}
end

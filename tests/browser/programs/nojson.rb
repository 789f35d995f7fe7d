def two_sum(nums, target)
  Object.new
end

def two_sum(nums, target)
  exit 3
end

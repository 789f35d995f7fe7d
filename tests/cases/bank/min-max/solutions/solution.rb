def min_max(nums)
  nums.minmax
end

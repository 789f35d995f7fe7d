def mean(nums)
  nums.sum.to_f / nums.size
end

# problem: mean
def mean(nums)
  nums.sum.fdiv(nums.size).round(2)
end

# problem: mean
def mean(nums)
  nums.sum.fdiv(nums.size)
end

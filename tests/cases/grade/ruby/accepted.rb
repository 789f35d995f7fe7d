# problem: two-sum
def two_sum(nums, target)
  index = {}
  nums.each_with_index do |n, i|
    return [index[target - n], i] if index.key?(target - n)

    index[n] = i
  end
end

# Wrong: pairs each number with its neighbour only.
def two_sum(nums, target)
  (0...nums.length - 1).each do |i|
    return [i, i + 1] if nums[i] + nums[i + 1] == target
  end
  [0, 1]
end

def two_sum(nums, target)
  seen = {} # value -> index where we saw it
  nums.each_with_index do |x, i|
    j = seen[target - x]
    return [j, i] if j
    seen[x] = i
  end
  []
end

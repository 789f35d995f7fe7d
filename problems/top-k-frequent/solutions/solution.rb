def top_k_frequent(nums, k)
  nums.tally.max_by(k) { |_value, count| count }.map(&:first)
end

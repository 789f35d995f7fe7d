def two_sum(nums, target)
  puts "héllo ✓ #{nums.inspect} #{target}"
  $stderr.puts "to stderr #{nums.size}"
  seen = {}
  nums.each_with_index do |x, i|
    return [seen[target - x], i] if seen.key?(target - x)
    seen[x] = i
  end
end

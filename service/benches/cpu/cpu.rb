# CPU-bound benchmark: recursion, sorting 10^5 integers, string building. Prints its ms.
def fib(n)
  n < 2 ? n : fib(n - 1) + fib(n - 2)
end

start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
fib(24)
seed = 12_345
nums = []
100_000.times do
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  nums << seed
end
nums.sort!
parts = []
100_000.times { |i| parts << i.to_s }
text = parts.join(",")
raise "bad" unless !text.empty? && nums[0] <= nums[-1]

puts (Process.clock_gettime(Process::CLOCK_MONOTONIC) - start) * 1000.0

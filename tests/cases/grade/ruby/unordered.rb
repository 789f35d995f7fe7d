# problem: divisors
def divisors(n)
  (1..n).select { |d| (n % d).zero? }.reverse
end

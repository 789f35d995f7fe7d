# A whole program: sums the numbers on standard input.
puts STDIN.read.split.sum(&:to_i)

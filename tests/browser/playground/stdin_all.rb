# gets for the first line, then STDIN.read for the rest.
first = gets
rest = STDIN.read
puts first.chomp.reverse
puts rest.split.map(&:to_i).sum

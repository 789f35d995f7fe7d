# UTF-8 in the source and in the input.
line = gets.chomp
puts "✓ #{line.reverse} #{line.length}"

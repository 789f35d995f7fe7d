# An uncaught exception: exit status 1.
puts "before"
raise ArgumentError, "bad input: #{gets.chomp}"

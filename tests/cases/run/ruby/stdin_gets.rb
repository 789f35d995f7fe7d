name = gets.chomp
count = gets.to_i
puts "hello #{name}, #{count} numbers follow"
numbers = STDIN.read.split.map(&:to_i)
puts "#{numbers.size} #{numbers.sum}"
puts "EOF at the end" if gets.nil?

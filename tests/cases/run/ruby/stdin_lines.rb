total = 0
$stdin.each_line.with_index(1) do |line, number|
  line = line.chomp
  total += line.size
  puts "#{number} #{line.reverse}"
end
puts "chars #{total}"

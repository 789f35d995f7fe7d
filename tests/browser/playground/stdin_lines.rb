# gets in a loop until nil, and $stdin.each_line.
count = 0
while (line = gets)
  count += 1
  puts "#{count}: #{line.chomp.upcase}"
  break if count == 2
end
$stdin.each_line { |l| print "\t#{l}" }
puts "done \\ \"#{count}\""

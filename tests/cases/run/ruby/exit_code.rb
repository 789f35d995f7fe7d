puts "before exit"
exit 3
puts "after exit"

def check(value)
  if value > 1
    # the error is raised on line 4
    raise ArgumentError, "bad value #{value}"
  end
end

puts "start"
check(2)
puts "not reached"

# problem: echo-value
puts "printed while loading"

def echo_value(value)
  if value == 1
    puts "called with #{value}"
    warn "a warning"
  end
  2000.times { puts "x" * 99 } if value == 2
  value
end

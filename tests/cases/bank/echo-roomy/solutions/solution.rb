def echo_value(value)
  value
end

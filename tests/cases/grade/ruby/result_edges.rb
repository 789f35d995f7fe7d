# problem: echo-value
# A cyclic value has no JSON form; output with half a character reads with a
# replacement; a value over 2 MiB of JSON is an error of its test.
def echo_value(value)
  if value == 1
    v = [0]
    v << v
    return v
  end
  if value == 2
    puts "half an emoji: \xF0\x9F\x98"
    return value
  end
  "x" * (3 << 20)
end

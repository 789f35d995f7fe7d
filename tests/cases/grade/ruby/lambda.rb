# problem: echo-value
echo_value = ->(value) { value }

# problem: echo-value
settings = { "limit" => 3 }
LIMIT = settings.fetch("limt")

def echo_value(value)
  value
end

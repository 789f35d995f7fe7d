def parity(n)
  n.even? ? "even" : "odd"
end

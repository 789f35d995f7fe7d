# problem: parity
def parity(n)
  n.even? ? :even : :odd
end

def total_n_queens(n)
  full = (1 << n) - 1
  # One queen per row; the masks hold the columns attacked in the current row
  # vertically and along each diagonal direction.
  place = lambda do |cols, left, right|
    return 1 if cols == full

    count = 0
    free = full & ~(cols | left | right)
    while free != 0
      bit = free & -free
      free ^= bit
      count += place.call(cols | bit, ((left | bit) << 1) & full, (right | bit) >> 1)
    end
    count
  end
  place.call(0, 0, 0)
end

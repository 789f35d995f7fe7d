def total_n_queens(n):
    full = (1 << n) - 1

    # One queen per row; the masks hold the columns attacked in the current row
    # vertically and along each diagonal direction.
    def place(cols, left, right):
        if cols == full:
            return 1
        count = 0
        free = full & ~(cols | left | right)
        while free:
            bit = free & -free
            free ^= bit
            count += place(cols | bit, ((left | bit) << 1) & full, (right | bit) >> 1)
        return count

    return place(0, 0, 0)

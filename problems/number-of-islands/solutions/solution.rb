def num_islands(grid)
  rows = grid.size
  cols = grid[0].size
  seen = Array.new(rows) { Array.new(cols, false) }
  islands = 0
  rows.times do |r|
    cols.times do |c|
      next if grid[r][c] != 1 || seen[r][c]

      islands += 1
      seen[r][c] = true
      stack = [[r, c]]
      until stack.empty?
        i, j = stack.pop
        [[i + 1, j], [i - 1, j], [i, j + 1], [i, j - 1]].each do |ni, nj|
          next unless ni.between?(0, rows - 1) && nj.between?(0, cols - 1)
          next if grid[ni][nj] != 1 || seen[ni][nj]

          seen[ni][nj] = true
          stack << [ni, nj]
        end
      end
    end
  end
  islands
end

function numIslands(grid) {
  const rows = grid.length;
  const cols = grid[0].length;
  const seen = grid.map((row) => row.map(() => false));
  let islands = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (grid[r][c] !== 1 || seen[r][c]) continue;
      islands++;
      seen[r][c] = true;
      const stack = [[r, c]];
      while (stack.length > 0) {
        const [i, j] = stack.pop();
        for (const [ni, nj] of [[i + 1, j], [i - 1, j], [i, j + 1], [i, j - 1]]) {
          if (ni >= 0 && ni < rows && nj >= 0 && nj < cols && grid[ni][nj] === 1 && !seen[ni][nj]) {
            seen[ni][nj] = true;
            stack.push([ni, nj]);
          }
        }
      }
    }
  }
  return islands;
}

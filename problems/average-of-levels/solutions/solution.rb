def average_of_levels(root)
  # Walk the level-order array directly: each present node of a level owns the
  # next two slots (left, right) of the array, in order.
  return [] if root.empty? || root[0].nil?

  averages = []
  level = [root[0]]
  i = 1
  until level.empty?
    averages << level.sum.fdiv(level.size)
    slots = root[i, 2 * level.size] || []
    i += slots.size
    level = slots.compact
  end
  averages
end

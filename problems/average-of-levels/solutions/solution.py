def average_of_levels(root):
    # Walk the level-order array directly: each present node of a level owns the
    # next two slots (left, right) of the array, in order.
    if not root or root[0] is None:
        return []
    averages = []
    level = [root[0]]
    i = 1
    while level:
        averages.append(sum(level) / len(level))
        children = []
        for _ in range(2 * len(level)):
            if i >= len(root):
                break
            if root[i] is not None:
                children.append(root[i])
            i += 1
        level = children
    return averages

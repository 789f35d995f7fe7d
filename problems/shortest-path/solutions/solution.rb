# A minimal binary min-heap of [distance, town] pairs.
class MinHeap
  def initialize
    @items = []
  end

  def empty?
    @items.empty?
  end

  def push(item)
    @items << item
    i = @items.size - 1
    while i.positive?
      parent = (i - 1) / 2
      break if @items[parent][0] <= @items[i][0]

      @items[parent], @items[i] = @items[i], @items[parent]
      i = parent
    end
  end

  def pop
    top = @items[0]
    last = @items.pop
    return top if @items.empty?

    @items[0] = last
    i = 0
    loop do
      smallest = i
      [2 * i + 1, 2 * i + 2].each do |child|
        smallest = child if child < @items.size && @items[child][0] < @items[smallest][0]
      end
      break if smallest == i

      @items[smallest], @items[i] = @items[i], @items[smallest]
      i = smallest
    end
    top
  end
end

def shortest_path(graph, source, target)
  dist = { source => 0 }
  queue = MinHeap.new
  queue.push([0, source])
  until queue.empty?
    d, town = queue.pop
    return d if town == target
    next if d > dist[town] # stale entry: a shorter route was already found

    graph.fetch(town, {}).each do |nxt, w|
      nd = d + w
      if !dist.key?(nxt) || nd < dist[nxt]
        dist[nxt] = nd
        queue.push([nd, nxt])
      end
    end
  end
  nil
end

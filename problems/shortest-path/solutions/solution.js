function shortestPath(graph, source, target) {
  // A minimal binary min-heap of [distance, town] pairs.
  const heap = [];
  const push = (item) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent][0] <= heap[i][0]) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        let smallest = i;
        for (const child of [2 * i + 1, 2 * i + 2]) {
          if (child < heap.length && heap[child][0] < heap[smallest][0]) smallest = child;
        }
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
    return top;
  };

  const dist = new Map([[source, 0]]);
  push([0, source]);
  while (heap.length > 0) {
    const [d, town] = pop();
    if (town === target) return d;
    if (d > dist.get(town)) continue; // stale entry: a shorter route was already found
    const roads = Object.prototype.hasOwnProperty.call(graph, town) ? graph[town] : {};
    for (const [next, w] of Object.entries(roads)) {
      const nd = d + w;
      if (!dist.has(next) || nd < dist.get(next)) {
        dist.set(next, nd);
        push([nd, next]);
      }
    }
  }
  return null;
}

import heapq


def shortest_path(graph, source, target):
    dist = {source: 0}
    queue = [(0, source)]
    while queue:
        d, town = heapq.heappop(queue)
        if town == target:
            return d
        if d > dist[town]:
            continue  # stale entry: a shorter route was already found
        for nxt, w in graph.get(town, {}).items():
            nd = d + w
            if nxt not in dist or nd < dist[nxt]:
                dist[nxt] = nd
                heapq.heappush(queue, (nd, nxt))
    return None

# A learner's solution to shortest-path (3 KB): the program share links are measured
# with (frontend/src/share.rs and tests/browser/share.test.mjs).
import heapq
from collections import defaultdict


class RoadNetwork:
    """One-way roads between towns, with their lengths.

    The graph arrives as a dict of dicts: graph[u][v] = w. A town that only
    appears as a destination has no entry of its own, so every lookup goes
    through outgoing(), which answers an empty dict for it.
    """

    def __init__(self, graph):
        self.roads = defaultdict(dict)
        for town, exits in (graph or {}).items():
            for other, length in exits.items():
                # Keep the shortest of parallel roads, should the input repeat one.
                best = self.roads[town].get(other)
                if best is None or length < best:
                    self.roads[town][other] = length

    def outgoing(self, town):
        return self.roads.get(town, {})

    def towns(self):
        seen = set(self.roads)
        for exits in self.roads.values():
            seen.update(exits)
        return seen


def dijkstra(network, source, target=None):
    """Distances from source; stops early once target is settled.

    Returns (dist, prev): the best known length to each settled town and the
    town before it on that route, so that the route itself can be rebuilt.
    """
    dist = {source: 0}
    prev = {}
    settled = set()
    queue = [(0, 0, source)]
    counter = 1  # breaks ties without comparing town names of mixed types
    while queue:
        d, _, town = heapq.heappop(queue)
        if town in settled:
            continue
        settled.add(town)
        if town == target:
            break
        for other, length in network.outgoing(town).items():
            candidate = d + length
            if other not in dist or candidate < dist[other]:
                dist[other] = candidate
                prev[other] = town
                heapq.heappush(queue, (candidate, counter, other))
                counter += 1
    return dist, prev


def route(prev, source, target):
    """The towns from source to target, or [] when target was not reached."""
    if source == target:
        return [source]
    if target not in prev:
        return []
    path = [target]
    while path[-1] != source:
        path.append(prev[path[-1]])
    path.reverse()
    return path


def route_length(network, path):
    total = 0
    for a, b in zip(path, path[1:]):
        total += network.outgoing(a)[b]
    return total


def shortest_path(graph, source, target):
    if source == target:
        return 0
    network = RoadNetwork(graph)
    if source not in network.towns() or target not in network.towns():
        return None
    dist, prev = dijkstra(network, source, target)
    if target not in dist:
        return None
    path = route(prev, source, target)
    # The rebuilt route must add up to the distance found: a cheap self-check
    # that caught a bug with repeated roads while this was being written.
    assert route_length(network, path) == dist[target], (path, dist[target])
    return dist[target]


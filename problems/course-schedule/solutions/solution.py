from collections import deque


def can_finish(prerequisites):
    # Kahn's algorithm: repeatedly take a course whose prerequisites are all done.
    missing = {}  # course -> number of prerequisites not yet taken
    unlocks = {}  # course -> courses that list it as a prerequisite
    for course, needs in prerequisites.items():
        missing[course] = missing.get(course, 0) + len(needs)
        for need in needs:
            missing.setdefault(need, 0)
            unlocks.setdefault(need, []).append(course)
    ready = deque(course for course, count in missing.items() if count == 0)
    taken = 0
    while ready:
        course = ready.popleft()
        taken += 1
        for nxt in unlocks.get(course, ()):
            missing[nxt] -= 1
            if missing[nxt] == 0:
                ready.append(nxt)
    return taken == len(missing)

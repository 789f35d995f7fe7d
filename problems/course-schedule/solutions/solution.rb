def can_finish(prerequisites)
  # Kahn's algorithm: repeatedly take a course whose prerequisites are all done.
  missing = {} # course -> prerequisites not yet taken
  unlocks = Hash.new { |h, k| h[k] = [] } # course -> courses that need it
  prerequisites.each do |course, needs|
    missing[course] = missing.fetch(course, 0) + needs.size
    needs.each do |need|
      missing[need] ||= 0
      unlocks[need] << course
    end
  end
  ready = missing.select { |_, count| count.zero? }.keys
  taken = 0
  until ready.empty?
    course = ready.pop
    taken += 1
    unlocks.fetch(course, []).each do |nxt|
      missing[nxt] -= 1
      ready << nxt if missing[nxt].zero?
    end
  end
  taken == missing.size
end

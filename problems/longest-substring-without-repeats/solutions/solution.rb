def length_of_longest_substring(s)
  last_seen = {}
  start = 0
  best = 0
  s.each_char.with_index do |ch, i|
    prev = last_seen[ch]
    start = prev + 1 if prev && prev >= start
    last_seen[ch] = i
    best = [best, i - start + 1].max
  end
  best
end

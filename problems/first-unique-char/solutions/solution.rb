def first_unique_char(s)
  counts = s.each_char.tally
  s.each_char.find { |ch| counts[ch] == 1 }
end

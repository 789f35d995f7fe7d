def reverse_words(s)
  s.split.reverse.join(" ")
end

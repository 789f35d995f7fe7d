def min_distance(word1, word2)
  b = word2.chars
  # prev[j] = distance between the first i-1 letters of word1 and first j of word2
  prev = (0..b.size).to_a
  word1.each_char.with_index(1) do |a, i|
    cur = Array.new(b.size + 1, 0)
    cur[0] = i
    b.each_with_index do |ch, k|
      j = k + 1
      cur[j] = if a == ch
                 prev[j - 1]
               else
                 1 + [prev[j - 1], prev[j], cur[j - 1]].min
               end
    end
    prev = cur
  end
  prev[-1]
end

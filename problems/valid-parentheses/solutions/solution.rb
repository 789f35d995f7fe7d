def is_valid(s)
  opening = { ")" => "(", "]" => "[", "}" => "{" }
  stack = []
  s.each_char do |ch|
    if opening.key?(ch)
      return false if stack.empty? || stack.pop != opening[ch]
    else
      stack.push(ch)
    end
  end
  stack.empty?
end

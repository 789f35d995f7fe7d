puts "nothing runs when the file does not parse"

def broken(
  1 +
end

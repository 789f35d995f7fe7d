puts "allocating"
$stdout.flush
chunks = Array.new(2048) { "x" * 2**20 } # 2 GiB in 1 MiB pieces
puts "allocated #{chunks.size}"

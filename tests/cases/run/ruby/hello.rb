puts "Hello, world!"
puts "héllo ✓ — ünïcode"
warn "to stderr"

# 600 MiB in one string: over the 256 MB default memory limit (exit status 137).
puts "start"
STDOUT.flush
s = "x" * (600 * 1024 * 1024)
puts s.size

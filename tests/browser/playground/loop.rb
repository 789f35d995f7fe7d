# Never ends: stopped at the time limit.
puts "started"
STDOUT.flush
loop { }

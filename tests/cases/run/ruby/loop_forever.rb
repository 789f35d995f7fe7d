puts "looping"
$stdout.flush
loop { }

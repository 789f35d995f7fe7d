# exit with a status.
puts "bye"
exit 4

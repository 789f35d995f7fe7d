# An exit status WASI refuses (126 or more) stops the program with that cause, not a
# wasm backtrace.
puts "before exit"
STDOUT.flush
exit!(380)

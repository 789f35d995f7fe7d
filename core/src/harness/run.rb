# polyrun's Ruby runner for whole programs: runs ARGV[0] as main.rb and exits with the
# program's status, printing an uncaught exception as ruby does.
module PolyrunRunner
  module_function

  def run
    source = ARGV.shift.to_s.dup.force_encoding(Encoding::UTF_8)
    status = 0
    begin
      TOPLEVEL_BINDING.eval(source, "main.rb", 1)
    rescue SystemExit => e
      status = e.status
    rescue Exception => e # rubocop:disable Lint/RescueException
      trace = (e.backtrace || []).select { |l| l.start_with?("main.rb:") }
      first = trace.shift || "main.rb"
      STDERR.write("#{first}: #{e.message} (#{e.class})\n")
      trace.each { |l| STDERR.write("\tfrom #{l}\n") }
      status = 1
    end
    $stdout.flush
    $stderr.flush
    STDOUT.flush
    STDERR.flush
    exit!(status)
  end
end

PolyrunRunner.run

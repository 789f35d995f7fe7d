# polyrun's Ruby harness: loads the user's source, calls the entry point once per test and
# reports each call as a record (see core/src/protocol.rs). Shared by the grader and the
# browser worker; reads its input from stdin a line at a time: the header, then each test's
# line, which the grader hands over only once the test before has answered.
require "json"
require "stringio"

# Defined once per interpreter: a browser worker runs this file twice (its primer, then
# the user's session), and defining the constants again would warn on stderr.
unless defined?(PolyrunHarness)
module PolyrunHarness
  FILENAME = "solution.rb"
  OUT = STDOUT
  ERR = STDERR
  IN = STDIN

  # A stream keeping the first `cap` bytes and counting the rest.
  class Capture < StringIO
    attr_reader :dropped

    def initialize(cap)
      super(+"")
      @cap = cap
      @dropped = 0
    end

    def write(*parts)
      written = 0
      parts.each do |part|
        data = part.to_s.b
        room = @cap - string.bytesize
        if room >= data.bytesize
          super(data)
        else
          super(data.byteslice(0, room)) if room.positive?
          @dropped += data.bytesize - [room, 0].max
        end
        written += data.bytesize
      end
      written
    end

    def text
      string.dup.force_encoding(Encoding::UTF_8).scrub
    end
  end

  class NoJson < StandardError; end

  module_function

  def emit(record)
    OUT.write("\x1e" + JSON.generate(record, ascii_only: true, max_nesting: false) + "\n")
    OUT.flush
  end

  def user_line(exc)
    loc = (exc.backtrace_locations || []).find { |l| l.path == FILENAME }
    return loc.lineno if loc

    line = (exc.backtrace || []).find { |l| l.start_with?("#{FILENAME}:") }
    line && line[/\A#{Regexp.escape(FILENAME)}:(\d+)/o, 1]&.to_i
  end

  def describe(exc)
    { "type" => exc.class.name.to_s, "message" => exc.message.to_s.scrub, "line" => user_line(exc) }
  end

  # The deepest a returned value may nest, as in the other harnesses.
  MAX_DEPTH = 100

  # Whether `value` nests past MAX_DEPTH (a cycle does), found without recursion: raising
  # out of a deep recursion through Array#map's C frames traps in ruby.wasm.
  def too_deep?(value)
    stack = [[value, 0]]
    until stack.empty?
      item, depth = stack.pop
      return true if depth > MAX_DEPTH

      children = item.is_a?(Hash) ? item.values : item
      children.each { |child| stack << [child, depth + 1] } if children.is_a?(Array)
    end
    false
  end

  def to_json_value(value, depth = 0)
    raise NoJson, "the value is nested more than #{MAX_DEPTH} levels deep" if depth.zero? && too_deep?(value)

    case value
    when nil, true, false then value
    when Integer then value
    when Float
      raise NoJson, "the float #{value} has no JSON form" unless value.finite?

      value
    when String
      text = value.dup.force_encoding(Encoding::UTF_8)
      raise NoJson, "a string that is not valid UTF-8 has no JSON form" unless text.valid_encoding?

      text
    when Symbol then value.to_s
    when Array then value.map { |v| to_json_value(v, depth + 1) }
    when Hash
      value.each_with_object({}) do |(k, v), h|
        unless k.is_a?(String) || k.is_a?(Symbol)
          raise NoJson, "a Hash key of class #{k.class} has no JSON form (keys must be String or Symbol)"
        end

        h[k.to_s] = to_json_value(v, depth + 1)
      end
    else
      raise NoJson, "a value of class #{value.class} has no JSON form"
    end
  end

  def find_entry(name)
    binding = TOPLEVEL_BINDING
    if binding.local_variable_defined?(name.to_sym)
      value = binding.local_variable_get(name.to_sym)
      return value if value.respond_to?(:call)
    end
    main = binding.receiver
    return main.method(name.to_sym) if main.respond_to?(name, true)

    nil
  end

  def syntax_error(exc)
    message = exc.message.to_s.scrub
    line = message[/#{Regexp.escape(FILENAME)}:(\d+)/o, 1]&.to_i
    message = message.sub(/\A#{Regexp.escape(FILENAME)}:\d+: */o, "")
    { "type" => "SyntaxError", "message" => message.strip, "line" => line }
  end

  def capture(cap)
    out = Capture.new(cap)
    err = Capture.new(cap)
    $stdout = out
    $stderr = err
    # The user's code reads an empty stdin: the harness's input is not its input.
    $stdin = StringIO.new(+"")
    [out, err]
  ensure
    nil
  end

  def restore
    $stdout = OUT
    $stderr = ERR
    $stdin = IN
  end

  def run
    data = JSON.parse(IN.gets || "null")
    source = data["source"].dup.force_encoding(Encoding::UTF_8)
    cap = data["output_cap"].to_i
    name = data["function"]

    begin
      RubyVM::InstructionSequence.compile(source, FILENAME, FILENAME, 1)
    rescue SyntaxError => e
      return emit({ "event" => "compile_error", "error" => syntax_error(e) })
    end

    capture(cap)
    begin
      TOPLEVEL_BINDING.eval(source, FILENAME, 1)
    rescue SyntaxError => e
      restore
      return emit({ "event" => "compile_error", "error" => syntax_error(e) })
    rescue Exception => e # rubocop:disable Lint/RescueException
      restore
      return emit({ "event" => "load_error", "error" => describe(e) })
    ensure
      restore
    end

    entry = find_entry(name)
    unless entry
      return emit({ "event" => "compile_error",
                    "error" => { "type" => "NameError", "message" => "the method '#{name}' is not defined",
                                 "line" => nil } })
    end
    emit({ "event" => "loaded" })

    data["tests"].to_i.times do
      line = IN.gets
      break if line.nil?

      test = JSON.parse(line)
      index = test["index"]
      args = JSON.parse(test["args"])
      emit({ "event" => "start", "index" => index })
      out, err = capture(cap)
      value = error = nil
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      begin
        value = entry.call(*args)
      rescue Exception => e # rubocop:disable Lint/RescueException
        error = describe(e)
      ensure
        elapsed = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000.0
        restore
      end
      record = { "event" => "result", "index" => index, "time_ms" => elapsed }
      if error.nil?
        begin
          record["value"] = to_json_value(value)
        rescue NoJson => e
          error = { "type" => "TypeError", "message" => "the return value is not JSON: #{e.message}", "line" => nil }
        rescue SystemStackError
          error = { "type" => "TypeError", "message" => "the return value is nested too deeply", "line" => nil }
        end
      end
      if error
        record.delete("value")
        record["error"] = error
      end
      record["stdout"] = out.text
      record["stderr"] = err.text
      record["stdout_dropped"] = out.dropped
      record["stderr_dropped"] = err.dropped
      emit(record)
    end
    emit({ "event" => "done" })
  end
end
end

PolyrunHarness.run
